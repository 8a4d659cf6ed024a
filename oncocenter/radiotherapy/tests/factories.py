"""Factories and a `rt_world` builder: a patient, a team with current credentials, machines."""

from __future__ import annotations

import datetime as dt
from contextlib import contextmanager
from dataclasses import dataclass
from decimal import Decimal
from unittest import mock

from django.utils import timezone

from oncocenter.accounts.models import CredentialKind, User
from oncocenter.accounts.tests.factories import CredentialFactory, UserFactory
from oncocenter.machines.models import Machine
from oncocenter.machines.tests.factories import machine
from oncocenter.patients.models import Patient
from oncocenter.patients.tests.factories import PatientFactory
from oncocenter.radiotherapy import selectors
from oncocenter.radiotherapy import services as s
from oncocenter.radiotherapy.models import ChecklistKind, Course, Fraction, Plan, Prescription
from oncocenter.radiotherapy.selectors import checklist

CRED_FOR_ROLE = {
    "radiation_oncologist": CredentialKind.SPECIALIST_RADIATION_ONCOLOGY,
    "medical_physicist": CredentialKind.MEDICAL_PHYSICIST,
    "radiation_therapist": CredentialKind.RADIATION_THERAPIST,
    "dosimetrist": None,
    "scheduler": None,
}


def staff(role: str, *, expired: bool = False, **kwargs) -> User:
    user = UserFactory(roles=[role], **kwargs)
    kind = CRED_FOR_ROLE.get(role)
    if kind:
        today = timezone.localdate()
        if expired:
            CredentialFactory(
                user=user,
                kind=kind,
                issued_on=today - dt.timedelta(days=800),
                expires_on=today - dt.timedelta(days=1),
            )
        else:
            CredentialFactory(user=user, kind=kind)
    return user


def all_pass(kind: str = ChecklistKind.INITIAL) -> dict:
    return {i.code: "pass" for i in checklist(kind)}


@dataclass
class World:
    patient: Patient
    ro: User
    physicist: User
    physicist2: User
    dosimetrist: User
    therapist: User
    scheduler: User
    linac: Machine
    course: Course | None = None
    rx: Prescription | None = None
    plan: Plan | None = None

    @property
    def ids(self) -> dict:
        return {"mrn": self.patient.mrn, "birth_date": self.patient.birth_date.isoformat()}

    def make_course(self, **kw) -> Course:
        self.course = s.course_create(
            patient=self.patient,
            label=kw.pop("label", "Oropharynx"),
            intent=kw.pop("intent", "curative"),
            physician=self.ro,
            by=self.ro,
        )
        return self.course

    def make_rx(self, **data) -> Prescription:
        if self.course is None:
            self.make_course()
        base = {
            "site": "Oropharynx and neck",
            "technique": "3D",
            "dose_per_fraction_gy": "2",
            "number_of_fractions": 5,
            "pattern": "daily",
            "intent": "curative",
            "energy": "6 MV",
            "no_diagnosis_reason": "test course without a diagnosis on file",
        }
        base.update(data)
        self.rx = s.prescription_create(course=self.course, by=self.ro, **base)
        return self.rx

    def make_plan(self, **kw) -> Plan:
        rx = self.rx
        self.plan = s.plan_create(
            prescription=rx,
            by=self.dosimetrist,
            label=kw.pop("label", "PLAN1"),
            machine=kw.pop("machine", self.linac),
            fractions_planned=rx.number_of_fractions,
            dose_per_fraction_gy=rx.dose_per_fraction_gy,
            meterset_per_fraction=kw.pop("meterset_per_fraction", Decimal("200")),
            **kw,
        )
        return self.plan

    def ready(self, **rx_data) -> Plan:
        """Signed prescription, approved and physics-checked plan (PSQA when the technique needs it).

        Signed `APPROVED_DAYS_AGO` days ago, so that the tests' treatments (in the past) come
        after the approvals they rely on."""
        with signed_days_ago(APPROVED_DAYS_AGO):
            return self._ready(**rx_data)

    def _ready(self, **rx_data) -> Plan:
        self.make_rx(**rx_data)
        s.prescription_sign(prescription=self.rx, by=self.ro)
        self.make_plan()
        s.plan_approve(plan=self.plan, by=self.ro)
        if self.plan.needs_psqa:
            s.psqa_record(
                plan=self.plan, by=self.physicist, method="gamma 3%/2mm", passing_rate_pct=98.5
            )
        s.physics_check_record(plan=self.plan, by=self.physicist, results=all_pass())
        self.rx.refresh_from_db()
        self.plan.refresh_from_db()
        return self.plan

    def schedule(self, start: dt.date | None = None) -> list[Fraction]:
        start = start or timezone.localdate() - dt.timedelta(days=30)
        return s.fractions_schedule(plan=self.plan, by=self.scheduler, start_date=start)

    def deliver(self, fraction: Fraction, when: dt.datetime, *, align: bool = True, **kw):
        """Record a treatment at `when`. With `align` (the default) the session is first booked
        on that day and machine, as the scheduling area does, so only tests about off-schedule
        treatment meet the override rule; an entry older than an hour gets a late-entry reason."""
        machine = kw.get("machine", self.linac)
        if align and timezone.is_aware(when):
            s.fractions_follow_bookings(
                slots=[
                    s.SessionSlot(
                        fraction_id=fraction.pk,
                        scheduled_date=timezone.localtime(when).date(),
                        machine_id=machine.pk,
                    )
                ]
            )
            fraction.refresh_from_db()
        if timezone.is_aware(when) and timezone.now() - when > dt.timedelta(hours=1):
            kw.setdefault("late_entry_reason", "entered from the paper record")
        return s.fraction_record_delivery(
            fraction=fraction,
            by=kw.pop("by", self.therapist),
            delivered_at=when,
            machine=kw.pop("machine", self.linac),
            identifiers=kw.pop("identifiers", self.ids),
            **kw,
        )


def make_world() -> World:
    return World(
        patient=PatientFactory(),
        ro=staff("radiation_oncologist"),
        physicist=staff("medical_physicist"),
        physicist2=staff("medical_physicist"),
        dosimetrist=staff("dosimetrist"),
        therapist=staff("radiation_therapist"),
        scheduler=staff("scheduler"),
        linac=machine("LINAC-T1", ("3D", "IMRT", "VMAT", "SBRT")),
    )


#: `World.ready` signs everything this many days ago (see `signed_days_ago`).
APPROVED_DAYS_AGO = 60


@contextmanager
def signed_days_ago(days: int):
    """Run services as if it were `days` ago (their signatures carry that time)."""
    then = timezone.now() - dt.timedelta(days=days)
    with mock.patch("django.utils.timezone.now", return_value=then):
        yield


def past(days: int, hour: int = 9, minute: int = 0) -> dt.datetime:
    """An aware datetime `days` open treatment days ago (weekends and holidays skipped) at a local
    hour, so that a test's treatments fall on days the center treats."""
    cal = selectors.treatment_calendar()
    day = timezone.localdate()
    for _ in range(days):
        day -= dt.timedelta(days=1)
        while not cal.is_open(day):
            day -= dt.timedelta(days=1)
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour, minute)))


def ago(minutes: float) -> dt.datetime:
    """`minutes` ago, kept inside today's local date: just after midnight the offsets shrink in
    proportion (order kept), so a daily QA and the treatment it allows fall on the same day."""
    now = timezone.now()
    midnight = timezone.localtime(now).replace(hour=0, minute=0, second=0, microsecond=0)
    span = (now - midnight).total_seconds()
    if span >= 3600:
        return now - dt.timedelta(minutes=minutes)
    return now - dt.timedelta(seconds=span * minutes / 60)
