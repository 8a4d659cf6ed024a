"""Vital signs: the service's rules (and the same rules in the database), the record page form
with its allow/deny per role, and the audit."""

import datetime as dt
from decimal import Decimal

import pytest
from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from oncocenter.accounts.tests.factories import UserFactory
from oncocenter.audit.models import AuditEvent
from oncocenter.core.errors import ValidationFailed
from oncocenter.oncology import services
from oncocenter.oncology.models import VitalSigns
from oncocenter.patients.tests.factories import PatientFactory

pytestmark = pytest.mark.django_db


def ago(minutes: int) -> dt.datetime:
    return timezone.now() - dt.timedelta(minutes=minutes)


def fields(exc):
    return sorted(p.field for p in exc.value.problems)


def test_a_full_set_is_stored_with_its_bmi_and_audited():
    patient = PatientFactory()
    v = services.vital_signs_record(
        patient=patient,
        by=UserFactory(roles=["nurse"]),
        measured_at=ago(5),
        systolic_mmhg=128,
        diastolic_mmhg=82,
        heart_rate_bpm="76",
        respiratory_rate=16,
        temperature_c="36.84",
        spo2_percent=97,
        weight_kg="70.0",
        height_cm="175",
    )
    v.refresh_from_db()
    assert (v.systolic_mmhg, v.diastolic_mmhg, v.heart_rate_bpm) == (128, 82, 76)
    assert v.temperature_c == Decimal("36.8") and v.bmi == Decimal("22.9") and v.time_known
    event = AuditEvent.objects.get(object_type="oncology.vitalsigns")
    assert event.patient_mrn == patient.mrn and event.detail["systolic_mmhg"] == "128"


def test_one_measurement_is_enough_and_none_is_refused():
    patient, nurse = PatientFactory(), UserFactory(roles=["nurse"])
    v = services.vital_signs_record(patient=patient, by=nurse, measured_at=ago(1), spo2_percent=93)
    assert v.bmi is None and v.weight_kg is None
    with pytest.raises(ValidationFailed) as exc:
        services.vital_signs_record(patient=patient, by=nurse, measured_at=ago(1))
    assert fields(exc) == ["vital_signs"]


@pytest.mark.parametrize(
    ("values", "bad"),
    [
        ({"systolic_mmhg": 120}, ["diastolic_mmhg"]),
        ({"diastolic_mmhg": 80}, ["systolic_mmhg"]),
        ({"systolic_mmhg": 80, "diastolic_mmhg": 90}, ["diastolic_mmhg"]),
        ({"heart_rate_bpm": 400}, ["heart_rate_bpm"]),
        ({"heart_rate_bpm": "72.5"}, ["heart_rate_bpm"]),
        ({"temperature_c": "98.6"}, ["temperature_c"]),
        ({"spo2_percent": 101}, ["spo2_percent"]),
        ({"respiratory_rate": "fast"}, ["respiratory_rate"]),
        ({"weight_kg": 350, "height_cm": 50}, ["weight_kg"]),  # BMI 1400: a slip
    ],
)
def test_implausible_values_name_the_field_and_save_nothing(values, bad):
    with pytest.raises(ValidationFailed) as exc:
        services.vital_signs_record(
            patient=PatientFactory(), by=UserFactory(), measured_at=ago(1), **values
        )
    assert fields(exc) == bad
    assert all(p.label for p in exc.value.problems)
    assert VitalSigns.objects.count() == 0


def test_future_and_before_birth_are_refused():
    patient = PatientFactory()
    with pytest.raises(ValidationFailed) as exc:
        services.vital_signs_record(
            patient=patient,
            by=UserFactory(),
            measured_at=timezone.now() + dt.timedelta(hours=2),
            heart_rate_bpm=80,
        )
    assert fields(exc) == ["measured_at"]
    with pytest.raises(ValidationFailed):
        services.vital_signs_record(
            patient=patient,
            by=UserFactory(),
            measured_at=patient.birth_date - dt.timedelta(days=3),
            heart_rate_bpm=80,
        )


def test_a_date_alone_is_kept_as_a_date_with_time_unknown():
    v = services.vital_signs_record(
        patient=PatientFactory(),
        by=UserFactory(),
        measured_at=timezone.localdate() - dt.timedelta(days=30),
        weight_kg=Decimal("70.3"),
    )
    assert not v.time_known
    assert timezone.localtime(v.measured_at).time() == dt.time()


@pytest.mark.parametrize(
    "values",
    [
        {"systolic_mmhg": 120},  # a pressure without its pair
        {"systolic_mmhg": 80, "diastolic_mmhg": 90},
        {"heart_rate_bpm": 5},
        {"temperature_c": Decimal("50.0")},
        {"spo2_percent": 20},
        {},
    ],
)
def test_the_database_holds_the_same_rules(values):
    with pytest.raises(IntegrityError), transaction.atomic():
        VitalSigns.objects.create(
            patient=PatientFactory(), measured_at=ago(1), recorded_by=UserFactory(), **values
        )


def _post(client, mrn, **values):
    data = {
        "form": "vitals",
        "vitals-measured_at": timezone.localtime(ago(3)).strftime("%Y-%m-%dT%H:%M"),
    }
    data.update({f"vitals-{k}": v for k, v in values.items()})
    return client.post(f"/oncology/patients/{mrn}/", data)


def test_nurse_records_vital_signs_on_the_record_page(client_as):
    patient = PatientFactory()
    client = client_as("nurse")
    page = client.get(f"/oncology/patients/{patient.mrn}/").content.decode()
    assert 'name="vitals-heart_rate_bpm"' in page
    response = _post(client, patient.mrn, systolic_mmhg=132, diastolic_mmhg=84, heart_rate_bpm=90)
    assert response.status_code == 302
    v = VitalSigns.objects.get()
    assert (v.systolic_mmhg, v.heart_rate_bpm, v.patient_id) == (132, 90, patient.pk)
    assert "132/84" in client.get(f"/oncology/patients/{patient.mrn}/").content.decode()


@pytest.mark.parametrize("role", ["radiation_therapist", "dietitian", "pharmacist"])
def test_roles_without_observation_record_cannot_post_vital_signs(client_as, role):
    patient = PatientFactory()
    client = client_as(role)
    assert (
        'name="vitals-heart_rate_bpm"'
        not in client.get(f"/oncology/patients/{patient.mrn}/").content.decode()
    )
    assert _post(client, patient.mrn, heart_rate_bpm=80).status_code == 403
    assert VitalSigns.objects.count() == 0


def test_social_worker_cannot_even_see_the_record(client_as):
    patient = PatientFactory()
    assert _post(client_as("social_worker"), patient.mrn, heart_rate_bpm=80).status_code == 403


def test_bad_input_on_the_page_names_the_field_in_korean(client_as):
    patient = PatientFactory()
    client = client_as("nurse")
    response = _post(client, patient.mrn, systolic_mmhg=120)
    assert response.status_code == 422
    assert "a blood pressure needs both values" in response.content.decode()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "ko"
    response = _post(client, patient.mrn, heart_rate_bpm=999)
    assert response.status_code == 422
    assert "심박수" in response.content.decode()
    assert VitalSigns.objects.count() == 0
