import pytest
from django.contrib.auth import password_validation
from django.core.exceptions import ValidationError

from oncocenter.accounts.tests.factories import PASSWORD, UserFactory
from oncocenter.audit.models import AuditEvent

pytestmark = pytest.mark.django_db
NEW = "Correct-Horse-Battery-42"


def test_password_needs_twelve_characters():
    with pytest.raises(ValidationError, match="at least 12"):
        password_validation.validate_password("Xq7!mZ2#pL9")
    password_validation.validate_password("Xq7!mZ2#pL9w")


def test_change_password_page(client_as):
    client = client_as("nurse")
    user = client.user
    assert client.get("/accounts/me/password/").status_code == 200
    response = client.post(
        "/accounts/me/password/",
        {"old_password": PASSWORD, "new_password": NEW, "new_password_again": NEW},
    )
    assert response.status_code == 302 and response["Location"] == "/accounts/me/"
    user.refresh_from_db()
    assert user.check_password(NEW)
    # Still signed in (the session hash was updated), and the change is audited.
    assert client.get("/accounts/me/").status_code == 200
    event = AuditEvent.objects.get(action="update", object_id=str(user.pk))
    assert event.detail == {"password_changed": True}


@pytest.mark.parametrize(
    ("old", "new", "again", "field_label", "message"),
    [
        ("wrong-password", NEW, NEW, "Current password", "not your current password"),
        (PASSWORD, "short-pw", "short-pw", "New password", "at least 12"),
        (PASSWORD, NEW, NEW + "x", "New password, again", "does not match"),
    ],
)
def test_change_password_refusals_name_the_field(client_as, old, new, again, field_label, message):
    client = client_as("nurse")
    response = client.post(
        "/accounts/me/password/",
        {"old_password": old, "new_password": new, "new_password_again": again},
    )
    assert response.status_code in (400, 422)
    body = response.content.decode()
    assert message in body and field_label in body
    client.user.refresh_from_db()
    assert client.user.check_password(PASSWORD)


def test_change_password_needs_sign_in(client):
    response = client.get("/accounts/me/password/")
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_other_sessions_end_after_a_change(client_as):
    from django.test import Client

    user = UserFactory(roles=["nurse"])
    first, second = Client(), Client()
    first.force_login(user)
    second.force_login(user)
    first.post(
        "/accounts/me/password/",
        {"old_password": PASSWORD, "new_password": NEW, "new_password_again": NEW},
    )
    assert second.get("/accounts/me/").status_code == 302
