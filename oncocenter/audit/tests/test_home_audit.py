"""Issue 17: the home page's patient lists are audited (the dietitian's alert list first)."""

import datetime as dt

import pytest

from oncocenter.audit.models import AuditEvent
from oncocenter.nutrition.models import NutritionAlert
from oncocenter.patients.tests.factories import PatientFactory

pytestmark = pytest.mark.django_db


def _alert(patient):
    return NutritionAlert.objects.create(
        patient=patient,
        code="weight_loss",
        message="weight loss",
        value=6,
        threshold=5,
        raised_on=dt.date(2026, 12, 1),
    )


def test_dietitian_home_list_is_audited_with_the_listed_patients(client_as):
    patients = [PatientFactory() for _ in range(3)]
    for p in patients:
        _alert(p)
    client = client_as("dietitian")
    response = client.get("/")
    assert response.status_code == 200
    assert patients[0].mrn in response.content.decode()
    event = AuditEvent.objects.filter(object_type="core.home").get()
    assert event.action == "read"
    assert event.actor == client.user
    assert event.detail["panels"]["nutrition-alerts"] == sorted(p.mrn for p in patients)


def test_home_without_patient_rows_writes_no_event(client_as):
    assert client_as("dietitian").get("/").status_code == 200
    assert not AuditEvent.objects.filter(object_type="core.home").exists()


def test_home_audit_query_count_does_not_grow(client_as, django_assert_max_num_queries):
    client = client_as("dietitian")
    for _ in range(2):
        _alert(PatientFactory())
    with django_assert_max_num_queries(40) as small:
        client.get("/")
    for _ in range(8):
        _alert(PatientFactory())
    with django_assert_max_num_queries(len(small.captured_queries)):
        client.get("/")
