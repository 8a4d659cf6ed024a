"""Reads of the pediatric record: sedation, measurements, ICCC-3, Lansky, HSCT day counts, reports.

Other areas read the child's sedation need through ``patient_needs_anesthesia`` (RT booking maps
it to the scheduler's ``anesthesia`` flag, through ``scheduling.hooks.SEDATION_REQUIRED``).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from oncocenter.oncology import iccc
from oncocenter.oncology.models import (
    Diagnosis,
    PerformanceScale,
    PerformanceStatus,
    VerificationStatus,
)
from oncocenter.patients.models import Patient
from oncocenter.pediatrics import calc
from oncocenter.pediatrics.checks import translate
from oncocenter.pediatrics.hooks import SERVICE_USE, ServiceUseMeasure
from oncocenter.pediatrics.labels import label, language
from oncocenter.pediatrics.models import (
    BodyMeasurement,
    HSCTEpisode,
    HSCTStatus,
    PediatricProfile,
)
from oncocenter.pediatrics.rules import SupportRuleError

PEDIATRIC_AGE_LIMIT = 20  # ICCC-3 applies to patients diagnosed before 20.
PEDIATRIC_CENTER = "pediatric"


def is_pediatric(patient: Patient) -> bool:
    """A child (under 20) or a patient of the pediatric center."""
    if patient.age_on(timezone.localdate()) < PEDIATRIC_AGE_LIMIT:
        return True
    return any(m.center.code == PEDIATRIC_CENTER for m in patient.center_memberships.all())


# ============================================================================ pediatric profile
def patient_needs_anesthesia(patient: Patient) -> bool:
    """True when the child's profile says sedation/anesthesia is required (RT booking flag)."""
    return PediatricProfile.objects.filter(patient=patient, sedation_required=True).exists()


def patients_needing_anesthesia(patient_ids: list[int]) -> set[int]:
    """Bulk form for the scheduler adapter: ids of the given patients who need sedation."""
    return set(
        PediatricProfile.objects.filter(
            patient_id__in=patient_ids, sedation_required=True
        ).values_list("patient_id", flat=True)
    )


def sedation_required(patient: Patient) -> bool | None:
    """The scheduler's question (None: the child has no pediatric profile)."""
    value = (
        PediatricProfile.objects.filter(patient=patient)
        .values_list("sedation_required", flat=True)
        .first()
    )
    return None if value is None else bool(value)


def latest_measurement(patient: Patient) -> BodyMeasurement | None:
    return BodyMeasurement.objects.filter(patient=patient).order_by("-measured_on", "-id").first()


# ============================================================================ ICCC-3
def iccc_main_group(code: str | None) -> str:
    """'IIIb', 'III(b)', 'III.b' or 'III' -> 'III'; anything else -> ''."""
    if not code:
        return ""
    head = "".join(ch for ch in str(code).split()[0] if ch in "IVX")
    return head if head in iccc_groups() else ""


def iccc_groups() -> dict[str, dict[str, str]]:
    """The twelve ICCC-3 main groups (roman numeral -> English and Korean names)."""
    groups: dict[str, dict[str, str]] = iccc.rules_data()["groups"]
    return groups


def iccc_group_name(group: str) -> str:
    return label(iccc_groups()[group])


def iccc_label(code: str | None) -> str:
    main = iccc_main_group(code)
    return f"{main} {iccc_group_name(main)}" if main else ""


def childhood_diagnoses(patient: Patient) -> list[dict[str, Any]]:
    """Diagnoses made before age 20 with their ICCC-3 group."""
    rows = []
    for d in Diagnosis.objects.filter(patient=patient).order_by("-diagnosed_on", "-pk"):
        if d.diagnosed_on and patient.age_on(d.diagnosed_on) >= PEDIATRIC_AGE_LIMIT:
            continue
        rows.append(
            {
                "obj": d,
                "text": str(d),
                "icd10_code": d.icd10_code,
                "diagnosed_on": d.diagnosed_on,
                "iccc_group": d.iccc_group or "",
                "iccc_label": iccc_label(d.iccc_group),
            }
        )
    return rows


def latest_lansky(patient: Patient) -> dict[str, Any] | None:
    """Most recent Lansky score from the clinical record's performance status, with its text."""
    ps = (
        PerformanceStatus.objects.filter(patient=patient, scale=PerformanceScale.LANSKY)
        .order_by("-observed_on", "-pk")
        .first()
    )
    if ps is None:
        return None
    try:
        text = calc.lansky_description(ps.score, language())
    except SupportRuleError:
        text = ""
    return {"score": ps.score, "text": text, "on": ps.observed_on}


# ============================================================================ HSCT
NIH_SEVERITY_LABELS = dict(calc.NIH_SEVERITIES)


@dataclass(frozen=True)
class HSCTDayView:
    episode: HSCTEpisode
    day: int | None
    label: str
    engraftment_day: int | None
    acute_grade: int | None
    chronic_severity: str | None

    @property
    def chronic_severity_label(self) -> str:
        """The NIH global severity in the user's language."""
        if self.chronic_severity is None:
            return ""
        return _(NIH_SEVERITY_LABELS[self.chronic_severity])


def hsct_day_view(episode: HSCTEpisode, on: dt.date) -> HSCTDayView:
    day = calc.hsct_day(episode.day0, on) if episode.day0 else None
    engraft = (
        calc.hsct_day(episode.day0, episode.neutrophil_engraftment_on)
        if episode.day0 and episode.neutrophil_engraftment_on
        else None
    )
    acute: dict[str, int] = {}
    chronic: dict[str, int] = {}
    for g in episode.gvhd_entries.all():
        if g.observed_on <= on:
            (acute if g.kind == "acute" else chronic)[g.organ] = g.stage
    acute_grade = (
        calc.magic_overall_grade(
            skin=acute.get("skin", 0),
            liver=acute.get("liver", 0),
            upper_gi=acute.get("upper_gi", 0),
            lower_gi=acute.get("lower_gi", 0),
        )
        if acute
        else None
    )
    chronic_sev = calc.nih_global_severity(chronic) if chronic else None
    return HSCTDayView(
        episode=episode,
        day=day,
        label=translate(calc.format_hsct_day(day)) if day is not None else "",
        engraftment_day=engraft,
        acute_grade=acute_grade,
        chronic_severity=chronic_sev,
    )


def hsct_active_episodes(on: dt.date) -> list[HSCTDayView]:
    """Episodes in conditioning or awaiting/after engraftment, for the transplant worklist."""
    qs = (
        HSCTEpisode.objects.filter(
            status__in=[HSCTStatus.CONDITIONING, HSCTStatus.INFUSED, HSCTStatus.ENGRAFTED]
        )
        .select_related("patient")
        .prefetch_related("gvhd_entries")
        .order_by("day0")
    )
    return [hsct_day_view(e, on) for e in qs]


# ============================================================================ reports
def _years(years: int, until: dt.date) -> list[int]:
    return list(range(until.year - years + 1, until.year + 1))


def report_cases_by_iccc(years: int = 5, until: dt.date | None = None) -> dict[str, Any]:
    """New childhood cancer diagnoses per year (diagnosed before 20) by ICCC-3 main group.

    Primary diagnoses only, not those entered in error.
    """
    until = until or dt.date.today()  # noqa: DTZ011 - a calendar year, not an instant
    year_list = _years(years, until)
    first = year_list[0]
    table = {g: [0] * len(year_list) for g in iccc_groups()}
    qs = (
        Diagnosis.objects.filter(
            diagnosed_on__year__gte=first, diagnosed_on__year__lte=until.year, is_primary=True
        )
        .exclude(Q(iccc_group__isnull=True) | Q(iccc_group=""))
        .exclude(verification_status=VerificationStatus.ENTERED_IN_ERROR)
    )
    for group, on in qs.values_list("iccc_group", "diagnosed_on"):
        main = iccc_main_group(group)
        if main:
            table[main][on.year - first] += 1
    return {"years": year_list, "groups": table}


def service_use_measures() -> list[ServiceUseMeasure]:
    """The columns of the service-use report, as the support services registered them."""
    return sorted(SERVICE_USE.providers(), key=lambda m: (m.order, m.key))


def report_service_use(years: int = 5, until: dt.date | None = None) -> dict[str, Any]:
    """Per year, each support service's measures (children in school, families granted aid and
    the amount, families housed and nights, ...): ``{"years": [...], key: [value per year]}``."""
    until = until or dt.date.today()  # noqa: DTZ011 - a calendar year, not an instant
    year_list = _years(years, until)
    report: dict[str, Any] = {"years": year_list}
    for measure in service_use_measures():
        report[measure.key] = measure.values(year_list, until)
    return report
