import pytest
from django.urls import reverse

from oncocenter.core.roles import Role

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("role", Role.values)
def test_home_renders_for_every_role_with_its_navigation(client_as, role):
    response = client_as(role).get("/")
    assert response.status_code == 200
    assert response.context["active_role"] == role
    body = response.content.decode()
    assert 'id="main"' in body and "<nav" in body and 'role="banner"' in body
    assert (reverse("audit:events") in body) == (role == "administrator")


def test_healthz(client):
    response = client.get("/healthz")
    assert response.status_code == 200 and response.json()["status"] == "ok"


def test_request_id_echoed_and_generated(client):
    assert len(client.get("/healthz")["X-Request-ID"]) == 32
    assert (
        client.get("/healthz", HTTP_X_REQUEST_ID="abc12345-req")["X-Request-ID"] == "abc12345-req"
    )
    assert client.get("/healthz", HTTP_X_REQUEST_ID="bad id!")["X-Request-ID"] != "bad id!"


def test_korean_language_switch_translates_shell(client_as):
    client = client_as("nurse")
    client.post(reverse("set_language"), {"language": "ko", "next": "/"})
    body = client.get(reverse("patients:search")).content.decode()
    assert "환자" in body and 'lang="ko"' in body


def test_api_docs_and_openapi_public_schema(client):
    spec = client.get("/api/openapi.json")
    assert spec.status_code == 200 and "/api/patients/" in spec.json()["paths"]
    assert client.get("/api/docs").status_code == 200


def test_home_lists_recently_opened_patients(client_as):
    from oncocenter.patients.tests.factories import PatientFactory

    patient = PatientFactory()
    client = client_as("nurse")
    client.get(reverse("patients:detail", args=[patient.mrn]))
    body = client.get("/").content.decode()
    assert patient.mrn in body


def test_admin_home_shows_expiring_credentials_and_audit_summary(client_as):
    import datetime as dt

    from django.utils import timezone

    from oncocenter.accounts.tests.factories import CredentialFactory

    soon = CredentialFactory(expires_on=timezone.localdate() + dt.timedelta(days=20))
    later = CredentialFactory(expires_on=timezone.localdate() + dt.timedelta(days=400))
    body = client_as("administrator").get("/").content.decode()
    assert soon.number in body and "Events today" in body
    assert later.number not in body


def test_home_query_count_does_not_grow_with_recent_patients(client_as):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from oncocenter.patients.tests.factories import PatientFactory

    client = client_as("administrator")

    def home_queries() -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert client.get("/").status_code == 200
        return len(ctx.captured_queries)

    client.get(reverse("patients:detail", args=[PatientFactory().mrn]))
    one = home_queries()
    for patient in PatientFactory.create_batch(20):
        client.get(reverse("patients:detail", args=[patient.mrn]))
    assert home_queries() == one
