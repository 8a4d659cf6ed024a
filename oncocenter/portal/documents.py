"""Documents patients take home, as HTML and as PDF with an embedded Korean font.

- `care-plan`: treatment summary and survivorship care plan with ASCO's elements (diagnosis,
  treatments and doses, possible late effects, the follow-up schedule, who is responsible for
  what, whom to call);
- `followup`: the follow-up schedule alone;
- `school`: a return-to-school letter for a child's school (no diagnosis details beyond what the
  school needs);
- `cost`: the cost estimate of each signed or verified chemotherapy cycle with the co-payment
  (systemic therapy's estimate: drugs, chair days, the 5 % severe-illness share when the cancer
  registration is valid on day 1, else the general share);
- `discharge`: the discharge summary of one admission, once the team released it (the stay, the
  diagnosis, radiotherapy and chemotherapy given during the stay, the released results of the
  stay, the team's instructions for home, next appointments and whom to call);
- `record`: the full record the portal shows (right of access): everything above plus the
  released laboratory results and every symptom report. The same record as FHIR JSON is the
  `record.json` download (interop's `Patient/$everything`).

Each document is built once as plain sections, so the HTML page and the PDF say the same thing.
The PDF embeds a TrueType font with Hangul (NanumGothic, or `ONCOCENTER_PDF_FONT`); without one
it refuses rather than print boxes.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

from django.utils import timezone, translation
from django.utils.translation import gettext as _
from fpdf import FPDF

from oncocenter.followup.models import DueItem
from oncocenter.oncology.models import Diagnosis
from oncocenter.patients.models import Patient
from oncocenter.portal import appointments, epro, selectors
from oncocenter.portal.models import DocumentRelease, ProSubmission
from oncocenter.radiotherapy.models import Course, Delivery
from oncocenter.radiotherapy.selectors import dose_summary
from oncocenter.systemic.models import Administration, OrderStatus, TherapyOrder
from oncocenter.systemic.selectors import cost_estimate

# fpdf2 subsets the font with fontTools, which logs every hinting table it drops.
logging.getLogger("fontTools.subset").setLevel(logging.ERROR)

KINDS = ("care-plan", "followup", "school", "cost", "record")
COST_ORDERS_SHOWN = 6
FONT_DIRS = ("/usr/share/fonts/truetype/nanum",)


class FontMissing(RuntimeError):
    pass


@dataclass
class Section:
    heading: str
    lines: list[str] = field(default_factory=list)


@dataclass
class Document:
    title: str
    subtitle: str
    sections: list[Section]
    generated_at: dt.datetime


def _font_paths() -> tuple[str, str]:
    configured = os.environ.get("ONCOCENTER_PDF_FONT")
    if configured and Path(configured).is_file():
        return configured, configured
    for folder in FONT_DIRS:
        regular, bold = Path(folder, "NanumGothic.ttf"), Path(folder, "NanumGothicBold.ttf")
        if regular.is_file():
            return str(regular), str(bold if bold.is_file() else regular)
    raise FontMissing(
        "no TrueType font with Hangul: install fonts-nanum or set ONCOCENTER_PDF_FONT"
    )


def _d(day: dt.date | None) -> str:
    return day.isoformat() if day else "-"


def _ko(language: str) -> bool:
    return language.startswith("ko")


def _diagnosis_section(patient: Patient) -> Section:
    section = Section(str(_("Diagnosis")))
    for d in (
        Diagnosis.objects.filter(patient=patient)
        .prefetch_related("stagings")
        .order_by("-is_primary", "diagnosed_on")
    ):
        stage = next(iter(sorted(d.stagings.all(), key=lambda s: s.staged_on, reverse=True)), None)
        text = f"{d.icd10_code} {d.histology_text}".strip() + f" · {_d(d.diagnosed_on)}"
        if stage is not None and stage.stage_group:
            text += " · " + str(_("stage %(stage)s") % {"stage": stage.stage_group})
        section.lines.append(text)
    if not section.lines:
        section.lines.append(str(_("No diagnosis recorded yet.")))
    return section


def _treatment_section(patient: Patient) -> Section:
    section = Section(str(_("Treatments and doses")))
    courses = (
        Course.objects.filter(patient=patient)
        .select_related("physician")
        .prefetch_related("prescriptions__fractions")
        .order_by("number")
    )
    for course in courses:
        section.lines.append(
            str(_("Radiotherapy course %(n)s: %(label)s, %(start)s to %(end)s"))
            % {
                "n": course.number,
                "label": course.label,
                "start": _d(course.started_on),
                "end": _d(course.ended_on),
            }
        )
        for row in dose_summary(course=course):
            section.lines.append(
                "  "
                + str(
                    _(
                        "%(site)s: %(delivered)s Gy in %(fx)s fractions delivered "
                        "(prescribed %(prescribed)s Gy in %(pfx)s)"
                    )
                )
                % {
                    "site": row["site"],
                    "delivered": row["dose_delivered_gy"],
                    "fx": row["fractions_delivered"],
                    "prescribed": row["dose_prescribed_gy"],
                    "pfx": row["fractions_prescribed"],
                }
            )
    if not section.lines:
        section.lines.append(str(_("No radiotherapy recorded at this center.")))
    return section


def _late_effects_section(patient: Patient, language: str) -> Section:
    section = Section(str(_("Possible late effects and what we check for")))
    seen: set[str] = set()
    items = DueItem.objects.filter(patient=patient).exclude(rationale="").order_by("due_on")
    for item in items:
        name = item.name_ko if _ko(language) else item.name_en
        line = f"{name}: {item.rationale}"
        if line not in seen:
            seen.add(line)
            section.lines.append(line)
    section.lines.append(
        str(
            _(
                "Tell the team about trouble swallowing, weight loss, cough, pain, or new lumps: "
                "they can be late effects or signs of recurrence."
            )
        )
    )
    return section


def _followup_section(patient: Patient, language: str) -> Section:
    section = Section(str(_("Follow-up schedule")))
    for item in DueItem.objects.filter(patient=patient).order_by("due_on", "id"):
        name = item.name_ko if _ko(language) else item.name_en
        status = item.get_status_display()
        section.lines.append(f"{_d(item.due_on)} · {name} · {status}")
    if not section.lines:
        section.lines.append(str(_("No follow-up planned yet.")))
    return section


def _team_section(patient: Patient) -> Section:
    section = Section(str(_("Who is responsible for what")))
    for member in selectors.care_team(patient):
        lead = " · " + str(_("lead")) if member.is_lead else ""
        section.lines.append(
            f"{member.get_role_display()}: {member.user.get_full_name() or member.user.username}{lead}"
        )
    section.lines.append(
        str(
            _(
                "Your family doctor: general health, vaccinations and other illnesses. "
                "The center: cancer follow-up and late effects."
            )
        )
    )
    return section


def _upcoming_section(patient: Patient) -> Section:
    section = Section(str(_("Next appointments")))
    for u in appointments.upcoming(patient):
        when = (
            timezone.localtime(u.starts_at).strftime("%Y-%m-%d %H:%M") if u.starts_at else _d(u.on)
        )
        section.lines.append(f"{when} · {u.kind_label} · {u.title}")
    if not section.lines:
        section.lines.append(str(_("No appointment booked.")))
    return section


def _reports_section(patient: Patient, language: str) -> Section:
    section = Section(str(_("Symptom and quality-of-life reports")))
    lang = "ko" if _ko(language) else "en"
    for sub in ProSubmission.objects.filter(patient=patient).order_by("answered_at"):
        parts = []
        for key, value in sorted(sub.answers.items()):
            item, _dot, attr = key.partition(".")
            if item in epro.ITEM_NAMES and attr in epro.SCALES:
                parts.append(f"{epro.ITEM_NAMES[item][lang]} {epro.SCALES[attr][lang][int(value)]}")
            else:
                parts.append(f"{key} {value}")
        when = timezone.localtime(sub.answered_at).strftime("%Y-%m-%d")
        section.lines.append(f"{when} · {sub.instrument}: " + ", ".join(parts))
    if not section.lines:
        section.lines.append(str(_("No report yet.")))
    return section


def _krw(amount: Decimal, language: str) -> str:
    return f"{int(amount):,}원" if _ko(language) else f"KRW {int(amount):,}"


def _cost_sections(patient: Patient, language: str) -> list[Section]:
    orders = (
        TherapyOrder.objects.filter(
            patient=patient, status__in=[OrderStatus.SIGNED, OrderStatus.VERIFIED]
        )
        .select_related("regimen", "patient")
        .order_by("start_date", "id")[:COST_ORDERS_SHOWN]
    )
    sections = []
    for order in orders:
        est = cost_estimate(order)
        regimen = order.regimen.name_ko if _ko(language) else order.regimen.name
        section = Section(
            str(_("%(regimen)s, cycle %(cycle)s (day 1 on %(date)s)"))
            % {"regimen": regimen, "cycle": order.cycle, "date": _d(order.start_date)}
        )
        for line in est["lines"]:
            section.lines.append(
                str(_("%(drug)s %(mg)s mg in total: %(cost)s"))
                % {
                    "drug": line["drug"],
                    "mg": f"{line['mg'].normalize():f}",
                    "cost": _krw(line["cost"], language),
                }
            )
        section.lines.append(
            str(_("Day-treatment fee: %(days)s days x %(fee)s = %(total)s"))
            % {
                "days": est["days"],
                "fee": _krw(est["fee_per_day"], language),
                "total": _krw(est["fee_total"], language),
            }
        )
        section.lines.append(str(_("Total: %(total)s")) % {"total": _krw(est["total"], language)})
        reg = est["registration"]
        if reg is not None:
            basis = str(_("severe-illness (cancer) registration %(code)s valid until %(date)s")) % {
                "code": reg.special_code,
                "date": _d(reg.expires_on),
            }
        else:
            basis = str(_("no severe-illness registration on day 1: general share"))
        section.lines.append(
            str(_("Your share %(rate)s%% (%(basis)s): %(share)s"))
            % {
                "rate": est["rate_percent"],
                "basis": basis,
                "share": _krw(est["patient_share"], language),
            }
        )
        section.lines.append(
            str(_("Paid by the National Health Insurance: %(amount)s"))
            % {"amount": _krw(est["insurer_share"], language)}
        )
        sections.append(section)
    if not sections:
        sections.append(
            Section(str(_("Chemotherapy")), [str(_("No chemotherapy cycle is ordered."))])
        )
    sections.append(
        Section(
            str(_("About this estimate")),
            [
                str(
                    _(
                        "An estimate from the ordered doses and the center's example prices; "
                        "the bill may differ (tests, imaging, admission and non-covered items "
                        "are not included). Ask the billing desk for the exact amount."
                    )
                )
            ],
        )
    )
    return sections


def _results_section(patient: Patient) -> Section:
    section = Section(str(_("Test results released by your team")))
    lang_ko = (translation.get_language() or "ko").startswith("ko")
    for r in selectors.released_results(patient):
        ref = selectors.result_range(r)
        flag = "" if r.flag == "normal" else f" ({r.get_flag_display()})"
        section.lines.append(
            f"{timezone.localtime(r.collected_at):%Y-%m-%d} · "
            f"{r.analyte.name_ko if lang_ko else r.analyte.name} "
            f"{selectors.result_value(r)} {r.analyte.unit}{flag}"
            + (f" · {_('Reference range')} {ref}" if ref else "")
        )
    if not section.lines:
        section.lines.append(str(_("No result released yet.")))
    return section


def _stay_sections(release: DocumentRelease, language: str) -> list[Section]:
    admission = release.admission
    patient = admission.patient
    start = timezone.localtime(admission.admitted_at)
    end = timezone.localtime(admission.discharged_at) if admission.discharged_at else None
    days = (end.date() - start.date()).days if end else 0
    stay = Section(
        str(_("Hospital stay")),
        [
            str(_("Ward %(ward)s, bed %(bed)s"))
            % {"ward": admission.bed.ward.name, "bed": admission.bed.code},
            str(_("Admitted %(start)s, discharged %(end)s (%(days)s days)"))
            % {
                "start": f"{start:%Y-%m-%d %H:%M}",
                "end": f"{end:%Y-%m-%d %H:%M}" if end else "-",
                "days": days,
            },
        ],
    )
    if admission.reason:
        stay.lines.append(str(_("Reason for admission: %(reason)s")) % {"reason": admission.reason})
    window = {"gte": admission.admitted_at, "lte": admission.discharged_at or timezone.now()}
    given = Section(str(_("Treatment during the stay")))
    deliveries = list(
        Delivery.objects.filter(
            fraction__prescription__course__patient=patient,
            status=Delivery.Status.RECORDED,
            delivered_at__gte=window["gte"],
            delivered_at__lte=window["lte"],
        ).order_by("delivered_at")
    )
    if deliveries:
        total = sum((d.dose_delivered_gy for d in deliveries), Decimal(0))
        given.lines.append(
            str(_("Radiotherapy: %(n)s sessions, %(gy)s Gy in total"))
            % {"n": len(deliveries), "gy": f"{total.normalize():f}"}
        )
    for admin in (
        Administration.objects.filter(
            dose__order__patient=patient,
            started_at__gte=window["gte"],
            started_at__lte=window["lte"],
        )
        .select_related("dose__drug")
        .order_by("started_at")
    ):
        given.lines.append(
            str(_("%(date)s chemotherapy %(drug)s %(mg)s mg"))
            % {
                "date": f"{timezone.localtime(admin.started_at):%Y-%m-%d}",
                "drug": admin.dose.drug.drug,
                "mg": f"{admin.given_mg.normalize():f}",
            }
        )
    if not given.lines:
        given.lines.append(str(_("No radiotherapy or chemotherapy was given during the stay.")))
    lab = Section(str(_("Test results of the stay released by your team")))
    lang_ko = _ko(language)
    for r in selectors.released_results(patient):
        if not window["gte"] <= r.collected_at <= window["lte"]:
            continue
        flag = "" if r.flag == "normal" else f" ({r.get_flag_display()})"
        lab.lines.append(
            f"{timezone.localtime(r.collected_at):%Y-%m-%d} · "
            f"{r.analyte.name_ko if lang_ko else r.analyte.name} "
            f"{selectors.result_value(r)} {r.analyte.unit}{flag}"
        )
    if not lab.lines:
        lab.lines.append(str(_("No result of the stay released.")))
    home = Section(str(_("Instructions for home")))
    if release.note:
        home.lines.extend(line.strip() for line in release.note.splitlines() if line.strip())
    home.lines.append(
        str(
            _(
                "Call the center's nurse line at once for fever of 38 °C or more, bleeding, "
                "trouble breathing or swallowing, or pain that medicine does not relieve."
            )
        )
    )
    released = Section(
        str(_("Released by")),
        [
            f"{release.released_by.get_full_name() or release.released_by.username} · "
            f"{timezone.localtime(release.released_at):%Y-%m-%d %H:%M}"
        ],
    )
    return [stay, given, lab, home, released]


def discharge_summary(release: DocumentRelease, language: str) -> Document:
    """The discharge summary of a released admission, in the reader's language."""
    patient = release.patient
    with translation.override(language):
        name = f"{patient.name_ko} ({patient.name_en}) · MRN {patient.mrn} · " + str(
            _("born %(date)s") % {"date": patient.birth_date.isoformat()}
        )
        stay, given, lab, home, released = _stay_sections(release, language)
        return Document(
            str(_("Discharge summary")),
            name,
            [
                stay,
                _diagnosis_section(patient),
                given,
                lab,
                home,
                _upcoming_section(patient),
                _team_section(patient),
                released,
            ],
            timezone.localtime(),
        )


def build(kind: str, patient: Patient, language: str) -> Document:
    with translation.override(language):
        name = f"{patient.name_ko} ({patient.name_en}) · MRN {patient.mrn} · " + str(
            _("born %(date)s") % {"date": patient.birth_date.isoformat()}
        )
        now = timezone.localtime()
        if kind == "care-plan":
            return Document(
                str(_("Treatment summary and survivorship care plan")),
                name,
                [
                    _diagnosis_section(patient),
                    _treatment_section(patient),
                    _late_effects_section(patient, language),
                    _followup_section(patient, language),
                    _team_section(patient),
                ],
                now,
            )
        if kind == "followup":
            return Document(
                str(_("Follow-up schedule")),
                name,
                [_upcoming_section(patient), _followup_section(patient, language)],
                now,
            )
        if kind == "school":
            letter = Section(
                str(_("To the school")),
                [
                    str(
                        _(
                            "%(name)s is treated at our center and may return to school. "
                            "Please allow rest breaks, access to water and the toilet, and "
                            "absences for appointments; tell the family at once about chickenpox "
                            "or measles in the class, because the child's immunity may be low."
                        )
                    )
                    % {"name": patient.name_ko},
                    str(_("Appointments to plan around:")),
                ],
            )
            letter.lines.extend(_upcoming_section(patient).lines)
            return Document(str(_("Return-to-school letter")), patient.name_ko, [letter], now)
        if kind == "cost":
            return Document(
                str(_("Cost estimate with your co-payment")),
                name,
                _cost_sections(patient, language),
                now,
            )
        if kind == "record":
            return Document(
                str(_("My record (copy for the patient)")),
                name,
                [
                    _diagnosis_section(patient),
                    _treatment_section(patient),
                    _upcoming_section(patient),
                    _followup_section(patient, language),
                    _team_section(patient),
                    _results_section(patient),
                    _reports_section(patient, language),
                ],
                now,
            )
    raise ValueError(f"unknown document {kind!r}")


def to_pdf(doc: Document) -> bytes:
    regular, bold = _font_paths()
    pdf = FPDF(format="A4")
    pdf.set_auto_page_break(auto=True, margin=15)
    pdf.add_font("body", "", regular)
    pdf.add_font("body", "B", bold)
    pdf.set_title(doc.title)
    pdf.add_page()
    pdf.set_font("body", "B", 16)
    pdf.multi_cell(0, 9, doc.title, new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("body", "", 10)
    pdf.multi_cell(0, 6, doc.subtitle, new_x="LMARGIN", new_y="NEXT")
    pdf.ln(3)
    for section in doc.sections:
        pdf.set_font("body", "B", 12)
        pdf.multi_cell(0, 8, section.heading, new_x="LMARGIN", new_y="NEXT")
        pdf.set_font("body", "", 10)
        for line in section.lines:
            pdf.multi_cell(0, 6, line, new_x="LMARGIN", new_y="NEXT")
        pdf.ln(2)
    pdf.set_font("body", "", 8)
    pdf.multi_cell(
        0, 5, f"OncoCenter · {doc.generated_at:%Y-%m-%d %H:%M}", new_x="LMARGIN", new_y="NEXT"
    )
    return bytes(pdf.output())
