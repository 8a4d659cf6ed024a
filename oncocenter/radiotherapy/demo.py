"""Demo radiotherapy courses in every state across the six LINACs and the HDR afterloader.

Everything goes through the services, so the demo obeys the same interlocks as real use (signed
prescriptions, approved and checked plans, PSQA, two identifiers, fraction counts, bid spacing,
treatment times after the approvals and in order). The history is written as it would have been:
each step runs under `_clock` at the time it happened, so signatures precede treatments and every
treatment is entered at its console time (no late entries).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager
from decimal import Decimal
from typing import Any
from unittest import mock

from django.utils import timezone

from oncocenter.accounts.services import credential_is_current
from oncocenter.radiotherapy import selectors
from oncocenter.radiotherapy import services as s
from oncocenter.radiotherapy.models import (
    ChecklistKind,
    Course,
    CourseStatus,
    DicomMachineName,
    Fraction,
)

# site, technique, dose/fx, fractions, pattern, icd10, morphology, organ doses (organ, metric, value, unit)
TEMPLATES: list[tuple[str, str, str, int, str, str, str, list[tuple[str, str, str, str]]]] = [
    (
        "Oropharynx and bilateral neck",
        "VMAT",
        "2",
        35,
        "daily",
        "C10.9",
        "8070/3",
        [
            ("Spinal cord", "Dmax", "44.5", "Gy"),
            ("Parotid", "Dmean", "24.1", "Gy"),
            ("Brainstem", "Dmax", "41", "Gy"),
        ],
    ),
    (
        "Esophagus (chemoradiation)",
        "IMRT",
        "1.8",
        28,
        "daily",
        "C15.4",
        "8070/3",
        [
            ("Lungs", "V20", "18.5", "%"),
            ("Heart", "Dmean", "22.3", "Gy"),
            ("Spinal cord", "Dmax", "38", "Gy"),
        ],
    ),
    (
        "Left breast (hypofractionated)",
        "3D",
        "2.67",
        15,
        "daily",
        "C50.4",
        "8500/3",
        [("Heart", "Dmean", "2.8", "Gy"), ("Lungs", "V20", "14", "%")],
    ),
    ("Prostate", "VMAT", "2.5", 28, "daily", "C61", "8140/3", []),
    ("Cervix (external beam)", "IMRT", "1.8", 25, "daily", "C53.9", "8070/3", []),
    (
        "Right upper lobe (SBRT)",
        "SBRT",
        "18",
        3,
        "alternate",
        "C34.1",
        "8140/3",
        [("Spinal cord", "Dmax", "12", "Gy")],
    ),
    (
        "Left lung squamous",
        "3D",
        "2",
        30,
        "daily",
        "C34.3",
        "8071/3",
        [("Lungs", "V20", "27", "%"), ("Esophagus", "Dmean", "29", "Gy")],
    ),
    (
        "Bone metastasis T10",
        "3D",
        "3",
        10,
        "daily",
        "C79.5",
        "8140/6",
        [("Spinal cord", "Dmax", "31", "Gy")],
    ),
    ("Brain metastasis (SRS)", "SRS", "20", 1, "daily", "C79.3", "8140/6", []),
    (
        "Limited-stage small cell lung (twice daily)",
        "IMRT",
        "1.5",
        30,
        "bid",
        "C34.1",
        "8041/3",
        [("Spinal cord", "Dmax", "36", "Gy")],
    ),
    ("Scalp (electrons)", "ELECTRON", "2.5", 20, "daily", "C44.4", "8070/3", []),
]

STATES = [
    "rx_draft",
    "plan_draft",
    "plan_approved",
    "ready",
    "active",
    "active_gap",
    "active_partial",
    "completed",
    "completed_checked",
    "stopped",
    "active",
    "active",
]


def _cycle(items: list) -> Iterator:
    while True:
        yield from items


def _at(day: dt.date, hour: int, minute: int) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour, minute)))


@contextmanager
def _clock(at: dt.datetime) -> Iterator[None]:
    """Write synthetic history as of `at` (the services stamp signatures and entries with now)."""
    if at >= timezone.now():
        yield
        return
    with mock.patch("django.utils.timezone.now", return_value=at):
        yield


class _Seeder:
    def __init__(self, ctx: Any) -> None:
        self.ctx = ctx
        self.rng = ctx.rng
        # Deliveries cannot be recorded in the future: anchor on the real date when the demo date is later.
        self.today = min(ctx.today, timezone.localdate())
        self.cal = selectors.treatment_calendar()
        st = {
            role: [u for u in users if self._credentialed(u, role)]
            for role, users in ctx.staff.items()
        }
        self.ro = st["radiation_oncologist"]
        self.physicists = st["medical_physicist"]
        self.dosimetrists = st["dosimetrist"]
        self.therapists = st["radiation_therapist"]
        self.scheduler = st["scheduler"][0]
        self.anesthesiologist = st.get("anesthesiologist", [None])[0]
        self.linacs = [m for m in ctx.machines if m.kind == "linac"]
        self.hdr = next((m for m in ctx.machines if m.kind == "afterloader"), None)
        self.counts: dict[str, Any] = {"courses": 0, "deliveries": 0, "states": {}}
        self._linac_turn = 0

    @staticmethod
    def _credentialed(user, role: str) -> bool:
        """Demo staff include people with a lapsed credential; they must not sign."""
        kinds = {
            "radiation_oncologist": s.RO_CREDENTIALS,
            "medical_physicist": s.PHYSICIST_CREDENTIALS,
            "radiation_therapist": s.THERAPIST_CREDENTIALS,
        }.get(role)
        return kinds is None or credential_is_current(user=user, kinds=kinds)

    # --- helpers ---------------------------------------------------------------------------------------

    def pick(self, people: list) -> Any:
        return people[self.rng.randrange(len(people))]

    def machine_for(self, technique: str):
        capable = [m for m in self.linacs if technique in m.technique_codes() and m.in_service]
        self._linac_turn += 1
        return capable[self._linac_turn % len(capable)]

    def diagnosis_for(self, patient):
        from oncocenter.oncology.models import Diagnosis

        return Diagnosis.objects.filter(patient=patient).order_by("-diagnosed_on").first()

    def open_days_back(self, n: int, end: dt.date) -> list[dt.date]:
        days: list[dt.date] = []
        d = end
        while len(days) < n:
            if self.cal.is_open(d):
                days.append(d)
            d -= dt.timedelta(days=1)
        return sorted(days)

    def ids(self, patient) -> dict[str, str]:
        return {"mrn": patient.mrn, "birth_date": patient.birth_date.isoformat()}

    # --- the steps -------------------------------------------------------------------------------------

    def course(self, patient, template, *, label_suffix: str = "") -> tuple[Course, Any]:
        site, tech, dpf, n, pattern, icd, morph, _ = template
        ro = self.pick(self.ro)
        course = s.course_create(
            patient=patient,
            label=site + label_suffix,
            intent="palliative" if icd.startswith("C79") else "curative",
            physician=ro,
            by=ro,
        )
        dx = self.diagnosis_for(patient)
        data = {
            "site": site,
            "technique": tech,
            "dose_per_fraction_gy": dpf,
            "number_of_fractions": n,
            "pattern": pattern,
            "intent": course.intent,
            "energy": "6 MeV" if tech == "ELECTRON" else "6 MV",
            "icd10_code": icd,
            "icdo3_morphology": morph,
        }
        if dx is not None and dx.icd10_code[:3] == icd[:3]:
            data["diagnosis"] = dx.pk
        else:
            data["no_diagnosis_reason"] = "diagnosis on file at the referring hospital"
        rx = s.prescription_create(course=course, by=ro, **data)
        self.counts["courses"] += 1
        return course, rx

    def plan(self, rx, template, *, machine=None):
        planner = self.pick(self.dosimetrists)
        machine = machine or self.machine_for(rx.technique)
        mu = Decimal(str(round(float(rx.dose_per_fraction_gy) * self.rng.uniform(105, 140), 1)))
        plan = s.plan_create(
            prescription=rx,
            by=planner,
            label=f"{rx.technique}-{rx.pk}",
            machine=machine,
            fractions_planned=rx.number_of_fractions,
            dose_per_fraction_gy=rx.dose_per_fraction_gy,
            meterset_per_fraction=mu,
        )
        if template[7]:
            s.plan_set_organ_doses(
                plan=plan,
                by=planner,
                doses=[
                    {"organ": o, "metric": m, "value": v, "unit": u} for o, m, v, u in template[7]
                ],
            )
        return plan

    def approve_and_check(self, rx, plan, *, psqa: bool = True) -> None:
        ro = rx.course.physician
        s.plan_approve(plan=plan, by=ro)
        physicist = self.pick(self.physicists)
        if plan.needs_psqa and psqa:
            s.psqa_record(
                plan=plan,
                by=physicist,
                method="ArcCHECK gamma 3%/2 mm",
                passing_rate_pct=round(self.rng.uniform(96, 99.8), 1),
            )
        s.physics_check_record(
            plan=plan,
            by=physicist,
            results={i.code: "pass" for i in selectors.checklist(ChecklistKind.INITIAL)},
        )

    def treat(
        self,
        rx,
        plan,
        days: list[dt.date],
        *,
        skip: set[int] | frozenset[int] = frozenset(),
        partial_last: bool = False,
    ):
        start = days[0]
        with _clock(_at(start, 7, 0) - dt.timedelta(days=1)):
            s.fractions_schedule(plan=plan, by=self.scheduler, start_date=start)
        sessions = list(
            Fraction.objects.filter(prescription=rx, status="scheduled").order_by("sequence")
        )
        hour = self.rng.choice([8, 9, 10, 13, 14, 15])
        i = 0
        for day_index, day in enumerate(days):
            if day_index in skip:
                continue
            per_day = 2 if rx.pattern == "bid" else 1
            for k in range(per_day):
                if i >= len(sessions):
                    return
                f = sessions[i]
                i += 1
                when = _at(
                    day,
                    8 if per_day == 2 and k == 0 else (15 if per_day == 2 else hour),
                    self.rng.randrange(0, 50),
                )
                last = partial_last and day_index == len(days) - 1
                # The session was booked for the day it was treated (rebooked after a gap).
                s.fractions_follow_bookings(
                    slots=[
                        s.SessionSlot(
                            fraction_id=f.pk, scheduled_date=day, machine_id=plan.machine_id
                        )
                    ]
                )
                mu = plan.meterset_per_fraction * Decimal("0.6") if last else None
                with _clock(when + dt.timedelta(minutes=3)):
                    s.fraction_record_delivery(
                        fraction=f,
                        by=self.pick(self.therapists),
                        delivered_at=when,
                        machine=plan.machine,
                        identifiers=self.ids(rx.course.patient),
                        meterset_delivered=mu.quantize(Decimal("0.01")) if mu else None,
                        partial=last,
                    )
                self.counts["deliveries"] += 1

    def weekly_review(self, course, day: dt.date) -> None:
        grades = {
            "fatigue": self.rng.choice([0, 1, 1, 2]),
            "dermatitis-radiation": self.rng.choice([0, 1, 2]),
        }
        if "Oropharynx" in course.label or "Esophagus" in course.label:
            grades.update(
                {
                    "mucositis-oral": self.rng.choice([1, 2, 3]),
                    "dysphagia": self.rng.choice([1, 2]),
                    "esophagitis": self.rng.choice([0, 1, 2]),
                }
            )
        s.weekly_review_record(
            course=course,
            by=course.physician,
            reviewed_on=day,
            grades=grades,
            notes="Tolerating treatment." if max(grades.values()) < 3 else "Analgesia increased.",
        )

    # --- scenarios ---------------------------------------------------------------------------------------

    def _days_for(self, template, state: str) -> list[dt.date]:
        """The treatment days of a course in `state` (empty: not treated yet)."""
        n, pattern = template[3], template[4]
        per_day = 2 if pattern == "bid" else 1
        step = 2 if pattern == "alternate" else 1
        total_days = -(-n // per_day)
        yesterday = self.today - dt.timedelta(days=1)
        if state.startswith("active"):
            done = max(1, min(total_days - 1, self.rng.randint(3, 12)))
            gap = state == "active_gap"
            return self.open_days_back((done + (2 if gap else 0)) * step, yesterday)[::step]
        if state in ("completed", "completed_checked", "stopped"):
            # a course that ended a few weeks ago
            end = self.today - dt.timedelta(days=self.rng.randint(20, 60))
            days = self.open_days_back(total_days * step, end)[::step]
            return days[: max(1, len(days) // 2)] if state == "stopped" else days
        return []

    def run_state(self, patient, template, state: str) -> None:
        days = self._days_for(template, state)
        # Prescribed, planned and approved a few days before the first treatment.
        setup_at = _at(days[0], 16, 0) - dt.timedelta(days=4) if days else timezone.now()
        with _clock(setup_at):
            course, rx = self.course(patient, template)
            self.counts["states"][state] = self.counts["states"].get(state, 0) + 1
            if state == "rx_draft":
                return
            s.prescription_sign(prescription=rx, by=course.physician)
            plan = self.plan(rx, template)
            if state == "plan_draft":
                return
            if state == "plan_approved":
                s.plan_approve(plan=plan, by=course.physician)
                return
            self.approve_and_check(rx, plan)
        if state == "ready":
            s.fractions_schedule(
                plan=plan, by=self.scheduler, start_date=self.cal.add_open_days(self.today, 1)
            )
            return
        if state.startswith("active"):
            gap = state == "active_gap"
            skip = {len(days) - 3, len(days) - 2} if gap and len(days) > 4 else set()
            self.treat(rx, plan, days, skip=skip, partial_last=state == "active_partial")
            with _clock(_at(days[-1], 17, 30)):
                self.weekly_review(course, days[-1])
            return
        # completed / stopped: the last fraction of a completed course closes it
        self.treat(rx, plan, days)
        with _clock(_at(days[-1], 17, 30)):
            self.weekly_review(course, days[-1])
            if state == "stopped":
                s.course_close(
                    course=course,
                    by=course.physician,
                    status=CourseStatus.STOPPED,
                    reason="Patient declined further treatment after grade 3 mucositis.",
                )
                return
        if state == "completed_checked":
            with _clock(_at(days[-1], 17, 30) + dt.timedelta(days=1)):
                s.chart_check_record(
                    course=course,
                    by=self.pick(self.physicists),
                    kind=ChecklistKind.END,
                    results={i.code: "pass" for i in selectors.checklist(ChecklistKind.END)},
                )

    def reirradiation(self, patient) -> None:
        """A head-and-neck course two years ago, then re-irradiation with a cumulative cord override."""
        first = TEMPLATES[0]
        end = self.today - dt.timedelta(days=730)
        days = self.open_days_back(first[3], end)
        with _clock(_at(days[0], 16, 0) - dt.timedelta(days=4)):
            course, rx = self.course(patient, first, label_suffix=" (first course)")
            s.prescription_sign(prescription=rx, by=course.physician)
            plan = self.plan(rx, first, machine=self.linacs[2])
            self.approve_and_check(rx, plan)
        self.treat(rx, plan, days)  # the last fraction completes the course
        re_t = (
            "Recurrent neck node (re-irradiation)",
            "VMAT",
            "1.2",
            50,
            "bid",
            "C10.9",
            "8070/3",
            [("Spinal cord", "Dmax", "30", "Gy"), ("Brainstem", "Dmax", "12", "Gy")],
        )
        days2 = self.open_days_back(3, self.today - dt.timedelta(days=1))
        with _clock(_at(days2[0], 16, 0) - dt.timedelta(days=4)):
            course2, rx2 = self.course(patient, re_t)
            s.prescription_sign(prescription=rx2, by=course2.physician)
            plan2 = self.plan(rx2, re_t, machine=self.linacs[0])
            s.dose_override_sign(
                plan=plan2,
                by=course2.physician,
                organ="Spinal cord",
                metric="Dmax",
                cumulative=True,
                justification="Re-irradiation for in-field recurrence two years after 70 Gy; "
                "cumulative cord EQD2 accepted after tumour board discussion.",
            )
            self.approve_and_check(rx2, plan2)
        self.treat(rx2, plan2, days2)
        self.counts["states"]["reirradiation"] = 1

    def hdr_course(self, patient) -> None:
        assert self.hdr is not None
        hdr = self.hdr
        t: tuple = (
            "Cervix (HDR brachytherapy boost)",
            "HDR",
            "7",
            4,
            "daily",
            "C53.9",
            "8070/3",
            [],
        )
        days = self.open_days_back(4, self.today - dt.timedelta(days=1))[::2]
        with _clock(_at(days[0], 16, 0) - dt.timedelta(days=4)):
            course, rx = self.course(patient, t)
            s.prescription_sign(prescription=rx, by=course.physician)
            plan = s.plan_create(
                prescription=rx,
                by=self.pick(self.physicists),
                label="HDR-T&O",
                machine=hdr,
                fractions_planned=4,
                dose_per_fraction_gy="7",
            )
            s.plan_approve(plan=plan, by=course.physician)
            checker = next(p for p in self.physicists if p.pk != plan.planner_id)
            s.physics_check_record(
                plan=plan,
                by=checker,
                results={i.code: "pass" for i in selectors.checklist(ChecklistKind.INITIAL)},
            )
            s.fractions_schedule(plan=plan, by=self.scheduler, start_date=days[0])
        for f, day in zip(
            Fraction.objects.filter(prescription=rx).order_by("sequence"), days, strict=False
        ):
            s.fractions_follow_bookings(
                slots=[s.SessionSlot(fraction_id=f.pk, scheduled_date=day, machine_id=hdr.pk)]
            )
            s.brachy_session_set(
                fraction=f,
                by=checker,
                applicator="Tandem and ovoids",
                room=hdr.room or "BT-1",
                afterloader=hdr,
                anesthesia=True,
                physician_present=course.physician,
                physicist_present=checker,
                anesthesiologist=self.anesthesiologist,
            )
            with _clock(_at(day, 10, 5)):
                s.fraction_record_delivery(
                    fraction=f,
                    by=self.pick(self.therapists),
                    delivered_at=_at(day, 10, 0),
                    machine=hdr,
                    identifiers=self.ids(patient),
                )
            self.counts["deliveries"] += 1
        self.counts["states"]["hdr"] = 1

    def entered_in_error(self) -> None:
        from oncocenter.radiotherapy.models import Delivery

        d = (
            Delivery.objects.filter(
                status="recorded", fraction__prescription__course__status="active"
            )
            .order_by("-delivered_at")
            .first()
        )
        if d is not None:
            s.delivery_mark_entered_in_error(
                delivery=d,
                by=self.pick(self.physicists),
                reason="Recorded against the wrong session; re-recorded by the therapist.",
            )
            self.counts["states"]["entered_in_error"] = 1


# Sites that only one sex has: a demo course must not put a cervix plan on a man.
SEX_OF_SITE = {"C53": "female", "C54": "female", "C56": "female", "C61": "male", "C62": "male"}


class _PatientPicker:
    """Hands out each patient once, preferring one whose diagnosis matches the course's site
    (same ICD-10 category), else one whose sex fits the site; metastasis courses take anyone."""

    def __init__(self, patients: list) -> None:
        from oncocenter.oncology.models import Diagnosis

        self.free = list(dict.fromkeys(patients))
        self.used: set[int] = set()
        self.by_category: dict[str, list] = {}
        codes = dict(
            # Ascending, primary last: the latest primary diagnosis wins in the dict.
            Diagnosis.objects.filter(
                patient__center_memberships__center__code__in=["radonc", "esophageal"]
            )
            .order_by("patient_id", "is_primary", "diagnosed_on")
            .values_list("patient_id", "icd10_code")
        )
        for patient in self.free:
            code = codes.get(patient.pk) or ""
            self.by_category.setdefault(code[:3], []).append(patient)

    def _take(self, candidates: list) -> Any:
        for patient in candidates:
            if patient.pk not in self.used:
                self.used.add(patient.pk)
                return patient
        return None

    def any(self) -> Any:
        return self._take(self.free)

    def for_site(self, icd10: str) -> Any:
        category = icd10[:3]
        found = self._take(self.by_category.get(category, []))
        if found is None:
            sex = SEX_OF_SITE.get(category)
            found = self._take([p for p in self.free if sex is None or p.sex == sex])
        return found if found is not None else self.any()


def seed(ctx: Any) -> None:
    patients = list(ctx.patients_by_center.get("radonc", [])) + list(
        ctx.patients_by_center.get("esophageal", [])
    )
    if len(patients) < 20 or not ctx.staff.get("radiation_oncologist"):
        return
    seeder = _Seeder(ctx)
    for m in seeder.linacs:
        DicomMachineName.objects.get_or_create(
            dicom_name=m.name.replace(" ", ""), defaults={"machine": m}
        )
    how_many = 24 if ctx.size == "small" else 96
    states = _cycle(STATES)
    templates = _cycle(TEMPLATES)
    pick = _PatientPicker(patients)
    # a head-and-neck patient: the chart must not show a prostate cancer with neck courses
    seeder.reirradiation(pick.for_site("C10.9"))
    if seeder.hdr is not None:
        seeder.hdr_course(pick.for_site("C53.9"))
    for _ in range(min(how_many, len(patients) - 2)):
        template = next(templates)
        seeder.run_state(pick.for_site(template[5]), template, next(states))
    seeder.entered_in_error()
    ctx.counts["radiotherapy"] = seeder.counts
