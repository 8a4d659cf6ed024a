"""Portal fixtures: an adult patient with an active account, a child with a guardian account."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.utils import timezone

from oncocenter.accounts.tests.factories import UserFactory
from oncocenter.patients.models import Patient
from oncocenter.patients.models_record import CareTeamMember, Guardian
from oncocenter.patients.tests.factories import PatientFactory
from oncocenter.portal import services
from oncocenter.portal.models import PortalAccount

STRONG = "Seoul-river-2027"


@dataclass
class Portal:
    patient: Patient
    account: PortalAccount
    username: str


def child(**kwargs) -> Patient:
    today = timezone.localdate()
    return PatientFactory(
        birth_date=today.replace(year=today.year - 8) - dt.timedelta(days=3), **kwargs
    )


def adult_with_account(username: str = "minjun", *, staff=None) -> Portal:
    staff = staff or UserFactory(roles=["nurse"])
    patient = PatientFactory()
    issued = services.portal_account_create(
        by=staff, patient=patient, email=f"{username}@example.org"
    )
    account = services.portal_activate(
        code=issued.code, username=username, password=STRONG, address="10.9.9.9"
    )
    return Portal(patient, account, username)


def guardian_with_account(username: str = "mom", *, staff=None) -> Portal:
    staff = staff or UserFactory(roles=["nurse"])
    patient = child()
    guardian = Guardian.objects.create(
        patient=patient,
        name_ko="박엄마",
        relationship="mother",
        birth_date=dt.date(1988, 1, 2),
        is_legal_representative=True,
    )
    issued = services.portal_account_create(by=staff, patient=patient, guardian=guardian)
    account = services.portal_activate(
        code=issued.code, username=username, password=STRONG, address="10.9.9.9"
    )
    return Portal(patient, account, username)


def care_nurse(patient: Patient):
    nurse = UserFactory(roles=["nurse"], email="nurse@example.org")
    CareTeamMember.objects.create(
        patient=patient, user=nurse, role="nurse", is_lead=True, since=timezone.localdate()
    )
    return nurse
