import pytest
from django.test import Client, override_settings
from django.urls import reverse

from oncocenter.accounts.models import ApiToken
from oncocenter.accounts.tests.factories import PASSWORD, UserFactory
from oncocenter.audit.models import AuditEvent

pytestmark = pytest.mark.django_db


def test_login_page_renders(client):
    response = client.get(reverse("accounts:login"))
    assert response.status_code == 200 and b'name="password"' in response.content


def test_login_then_home_then_logout(client):
    user = UserFactory(roles=["nurse"])
    response = client.post(
        reverse("accounts:login"),
        {"username": user.username, "password": PASSWORD},
        REMOTE_ADDR="10.1.2.3",
    )
    assert response.status_code == 302
    login_event = AuditEvent.objects.get(action="login")
    assert login_event.actor_username == user.username and login_event.client_address == "10.1.2.3"
    assert login_event.request_id
    assert client.get("/").status_code == 200
    client.post(reverse("accounts:logout"))
    assert AuditEvent.objects.filter(action="logout").exists()
    assert client.get("/").status_code == 302


def test_wrong_password_shows_message(client):
    user = UserFactory(roles=["nurse"])
    response = client.post(
        reverse("accounts:login"), {"username": user.username, "password": "nope"}
    )
    assert response.status_code == 400
    assert "incorrect" in response.content.decode()


@override_settings(LOGIN_MAX_FAILURES=2)
def test_throttled_login_answers_429(client):
    user = UserFactory(roles=["nurse"])
    for _ in range(2):
        client.post(reverse("accounts:login"), {"username": user.username, "password": "nope"})
    response = client.post(
        reverse("accounts:login"), {"username": user.username, "password": PASSWORD}
    )
    assert response.status_code == 429


def test_login_rejects_external_next(client):
    user = UserFactory(roles=["nurse"])
    response = client.post(
        reverse("accounts:login"),
        {"username": user.username, "password": PASSWORD, "next": "https://evil.example/"},
    )
    assert response["Location"] == "/"


def test_account_page_issues_and_revokes_token(client_as):
    client = client_as("nurse")
    response = client.post(reverse("accounts:account"), {"name": "laptop"})
    assert response.status_code == 200 and "oc_" in response.content.decode()
    token = ApiToken.objects.get(user=client.user)
    client.post(reverse("accounts:account"), {"revoke": token.pk})
    token.refresh_from_db()
    assert token.revoked_at is not None


@pytest.mark.parametrize(
    ("role", "status"), [("administrator", 200), ("nurse", 403), ("radiation_oncologist", 403)]
)
def test_staff_list_allow_deny(client_as, role, status):
    assert client_as(role).get(reverse("accounts:staff")).status_code == status


def test_role_switch_changes_active_role_and_home(client_as):
    client = client_as("nurse", "dietitian")
    assert client.get("/").context["active_role"] == "nurse"
    client.post(reverse("core:switch-role"), {"role": "dietitian", "next": "/"})
    assert client.get("/").context["active_role"] == "dietitian"
    client.post(
        reverse("core:switch-role"), {"role": "administrator", "next": "/"}
    )  # not held: ignored
    assert client.get("/").context["active_role"] == "dietitian"


def test_session_expires_after_idle_setting(client):
    user = UserFactory(roles=["nurse"])
    client.force_login(user)
    client.get("/")
    from django.conf import settings

    assert client.session.get_expiry_age() == settings.SESSION_IDLE_MINUTES * 60


def test_api_token_endpoint_and_me():
    user = UserFactory(roles=["nurse", "dietitian"])
    client = Client()
    response = client.post(
        "/api/auth/token",
        {"username": user.username, "password": PASSWORD, "name": "x"},
        content_type="application/json",
    )
    assert response.status_code == 201
    raw = response.json()["token"]
    me = client.get("/api/auth/me", HTTP_AUTHORIZATION=f"Bearer {raw}").json()
    assert me["roles"] == ["dietitian", "nurse"] and "patient.search" in me["permissions"]


def test_api_token_endpoint_wrong_password_is_422_naming_field():
    user = UserFactory(roles=["nurse"])
    response = Client().post(
        "/api/auth/token",
        {"username": user.username, "password": "bad"},
        content_type="application/json",
    )
    assert response.status_code == 422 and response.json()["errors"][0]["field"] == "password"


def test_api_without_auth_is_401():
    response = Client().get("/api/patients/")
    assert response.status_code == 401 and response.json()["status"] == 401


def test_account_page_token_needs_a_name(client_as):
    client = client_as("nurse")
    response = client.post(reverse("accounts:account"), {"name": " "})
    assert response.status_code == 422 and "This field is required." in response.content.decode()
    assert not ApiToken.objects.filter(user=client.user).exists()
