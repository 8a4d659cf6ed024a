import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

import pytest
from django.utils import timezone

from oncocenter.accounts.models import CredentialKind, User
from oncocenter.accounts.tests.factories import CredentialFactory, UserFactory
from oncocenter.labs.services import lab_result_record
from oncocenter.oncology.tests.factories import DiagnosisFactory
from oncocenter.patients.models import Patient
from oncocenter.patients.tests.factories import PatientFactory
from oncocenter.radiotherapy.models import Course
from oncocenter.systemic.models import Regimen
from oncocenter.systemic.services import measurement_record


def person(*roles: str, credential: str | None = None) -> User:
    user = UserFactory(roles=list(roles))
    if credential:
        CredentialFactory(user=user, kind=credential)
    return user


def lab(
    patient: Patient, by: User, loinc: str, value: str, unit: str, on: dt.date | None = None
) -> None:
    on = on or timezone.localdate()
    at = timezone.make_aware(dt.datetime.combine(on, dt.time(7, 30)))
    # Just after midnight 07:30 today is still to come: collect a minute ago instead.
    at = min(at, timezone.now() - dt.timedelta(minutes=1))
    lab_result_record(
        patient=patient,
        by=by,
        loinc=loinc,
        value=value,
        unit=unit,
        collected_at=at,
        resulted_at=at + dt.timedelta(hours=1),
    )


def good_labs(patient: Patient, by: User, on: dt.date | None = None, anc: str = "2.5") -> None:
    lab(patient, by, "751-8", anc, "10*9/L", on)
    lab(patient, by, "777-3", "210", "10*9/L", on)
    lab(patient, by, "2160-0", "1.0", "mg/dL", on)
    lab(patient, by, "1975-2", "0.6", "mg/dL", on)


@dataclass
class Chain:
    patient: Patient
    diagnosis: object
    doctor: User
    pharmacist: User
    nurse: User
    nurse2: User
    course: Course
    cross: Regimen


@pytest.fixture
def chain(db) -> Chain:
    patient = PatientFactory(birth_date=dt.date(1960, 5, 17), sex="male")
    doctor = person("medical_oncologist", credential=CredentialKind.MEDICAL_LICENSE)
    nurse = person("nurse", credential=CredentialKind.NURSE)
    measurement_record(patient=patient, by=nurse, height_cm=Decimal("170"), weight_kg=Decimal("70"))
    good_labs(patient, nurse)
    ro = person("radiation_oncologist")
    course = Course.objects.create(
        patient=patient, number=1, label="Esophagus 41.4 Gy", intent="curative", physician=ro
    )
    return Chain(
        patient=patient,
        diagnosis=DiagnosisFactory(patient=patient),
        doctor=doctor,
        pharmacist=person("pharmacist", credential=CredentialKind.PHARMACIST),
        nurse=nurse,
        nurse2=person("nurse", credential=CredentialKind.NURSE),
        course=course,
        cross=Regimen.objects.get(code="cross"),
    )
