import pytest
from django.urls import reverse

from oncocenter.audit.services import audit_record
from oncocenter.patients.tests.factories import PatientFactory

pytestmark = pytest.mark.django_db


def test_admin_filters_by_patient_and_user(client_as, make_user):
    p1, p2 = PatientFactory(), PatientFactory()
    nurse = make_user("nurse", username="nurse_a")
    audit_record(action="read", obj=p1, actor=nurse)
    audit_record(action="read", obj=p2)
    client = client_as("administrator")
    body = client.get(reverse("audit:events"), {"patient": p1.mrn}).content.decode()
    assert p1.mrn in body and p2.mrn not in body
    page = client.get(reverse("audit:events"), {"user": "nurse_a"}).context["page"]
    assert [e.actor_username for e in page.object_list] == ["nurse_a"]


@pytest.mark.parametrize(
    "role", ["nurse", "radiation_oncologist", "scheduler", "hospital_school_teacher"]
)
def test_non_admins_denied(client_as, role):
    assert client_as(role).get(reverse("audit:events")).status_code == 403


def test_api_events_admin_only(api_as):
    PatientFactory()
    assert api_as("administrator").get("/api/audit/events").status_code == 200
    assert api_as("nurse").get("/api/audit/events").status_code == 403


def test_api_events_bad_filter_names_field(api_as):
    response = api_as("administrator").get("/api/audit/events", {"action": "dance"})
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "action"
    response = api_as("administrator").get("/api/audit/events", {"limit": "many"})
    assert response.status_code == 422 and response.json()["errors"][0]["field"] == "limit"
