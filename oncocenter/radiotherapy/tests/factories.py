"""Factories and a `rt_world` builder: a patient, a team with current credentials, machines."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from django.utils import timezone

from oncocenter.accounts.models import CredentialKind, User
from oncocenter.accounts.tests.factories import CredentialFactory, UserFactory
from oncocenter.machines.models import Machine
from oncocenter.machines.tests.factories import machine
from oncocenter.patients.models import Patient
from oncocenter.patients.tests.factories import PatientFactory
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
        """Signed prescription, approved and physics-checked plan (PSQA when the technique needs it)."""
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

    def deliver(self, fraction: Fraction, when: dt.datetime, **kw):
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


def past(days: int, hour: int = 9, minute: int = 0) -> dt.datetime:
    """An aware datetime `days` ago at a local hour."""
    day = timezone.localdate() - dt.timedelta(days=days)
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour, minute)))
