"""Staff management pages (`staff.manage`): new staff member, roles, credentials, deactivation;
every change through an audited service, bad input shown beside its field."""

import datetime as dt

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from oncocenter.accounts.models import Credential, User
from oncocenter.accounts.tests.factories import PASSWORD, CredentialFactory, UserFactory
from oncocenter.audit.models import AuditEvent
from oncocenter.core.roles import Role

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate()
NEW = {
    "username": "kimsj",
    "display_name_ko": "김수진",
    "last_name": "Kim",
    "first_name": "Sujin",
    "department": "Radiation oncology",
    "email": "sujin@example.org",
    "roles": ["radiation_oncologist"],
    "password": "lantern-orbit-47",
}


def _detail(user):
    return reverse("accounts:staff-detail", args=[user.pk])


@pytest.mark.parametrize("role", Role.values)
def test_staff_pages_allow_only_staff_managers(client_as, role):
    client = client_as(role)
    member = UserFactory(roles=["nurse"])
    expected = 200 if role == "administrator" else 403
    assert client.get(reverse("accounts:staff-new")).status_code == expected
    assert client.get(_detail(member)).status_code == expected
    response = client.post(reverse("accounts:staff-new"), NEW)
    assert response.status_code == (302 if role == "administrator" else 403)
    response = client.post(_detail(member), {"form": "deactivate"})
    assert response.status_code == (302 if role == "administrator" else 403)
    member.refresh_from_db()
    assert member.is_active == (role != "administrator")


def test_new_staff_member_is_created_with_roles_and_audited(client_as):
    client = client_as("administrator")
    response = client.post(reverse("accounts:staff-new"), NEW)
    user = User.objects.get(username="kimsj")
    assert response["Location"] == _detail(user)
    assert user.role_list == ["radiation_oncologist"] and not user.is_staff
    assert (user.display_name_ko, user.department) == ("김수진", "Radiation oncology")
    assert user.check_password("lantern-orbit-47")
    event = AuditEvent.objects.get(action="create", object_type="accounts.user")
    assert event.actor_id == client.user.pk and event.detail["roles"] == ["radiation_oncologist"]
    assert "lantern" not in str(event.detail)
    assert Client().login(username="kimsj", password="lantern-orbit-47")


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        ({"password": "short"}, "password", "too short"),
        ({"password": "password123"}, "password", "too common"),
        ({"password": "kimsj123"}, "password", "too similar"),
        ({"username": ""}, "username", "required"),
        ({"roles": []}, "roles", "required"),
        ({"roles": ["wizard"]}, "roles", "not one of the available choices"),
        ({"email": "nope"}, "email", "valid email"),
    ],
)
def test_new_staff_member_bad_input_is_shown_beside_the_field(client_as, change, field, message):
    response = client_as("administrator").post(reverse("accounts:staff-new"), {**NEW, **change})
    assert response.status_code == 422
    errors = response.context["form"].errors[field]
    assert any(message in e for e in errors), errors
    assert not User.objects.filter(username="kimsj").exists()


def test_a_taken_username_comes_back_from_the_service(client_as):
    UserFactory(username="kimsj")
    response = client_as("administrator").post(reverse("accounts:staff-new"), NEW)
    assert response.status_code == 422
    assert response.context["form"].errors["username"] == ["is already taken"]


def test_roles_are_replaced_and_audited(client_as):
    client = client_as("administrator")
    member = UserFactory(roles=["nurse"])
    response = client.post(
        _detail(member), {"form": "roles", "roles-roles": ["dietitian", "nurse"]}
    )
    assert response.status_code == 302
    assert member.role_list == ["dietitian", "nurse"]
    event = AuditEvent.objects.get(action="update", object_type="accounts.user")
    assert event.detail == {"roles_before": ["nurse"], "roles": ["dietitian", "nurse"]}
    response = client.post(_detail(member), {"form": "roles"})
    assert response.status_code == 422 and member.role_list == ["dietitian", "nurse"]


def test_an_administrator_keeps_their_own_administrator_role(client_as):
    client = client_as("administrator")
    response = client.post(_detail(client.user), {"form": "roles", "roles-roles": ["nurse"]})
    assert response.status_code == 409
    assert "your own administrator role" in response.content.decode()
    assert client.user.role_list == ["administrator"]


def test_credential_is_added_and_audited(client_as):
    client = client_as("administrator")
    member = UserFactory(roles=["nurse"])
    data = {
        "form": "credential",
        "credential-kind": "nurse",
        "credential-number": "RN-12345",
        "credential-issued_on": (TODAY - dt.timedelta(days=100)).isoformat(),
        "credential-expires_on": (TODAY + dt.timedelta(days=800)).isoformat(),
    }
    assert client.post(_detail(member), data).status_code == 302
    credential = Credential.objects.get(user=member)
    assert credential.number == "RN-12345"
    assert AuditEvent.objects.filter(
        action="create", object_type="accounts.credential", object_id=str(credential.pk)
    ).exists()


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        ({"credential-expires_on": "2000-01-01"}, "expires_on", "must be after the issue date"),
        ({"credential-number": "DUP-1"}, "number", "already registered"),
        ({"credential-kind": "wizard"}, "kind", "not one of the available choices"),
        ({"credential-issued_on": "someday"}, "issued_on", "valid date"),
    ],
)
def test_credential_bad_input(client_as, change, field, message):
    CredentialFactory(kind="nurse", number="DUP-1")
    member = UserFactory(roles=["nurse"])
    data = {
        "form": "credential",
        "credential-kind": "nurse",
        "credential-number": "RN-777",
        "credential-issued_on": "2020-01-01",
        "credential-expires_on": "",
        **change,
    }
    response = client_as("administrator").post(_detail(member), data)
    assert response.status_code == 422
    errors = response.context["credential_form"].errors[field]
    assert any(message in e for e in errors), errors
    assert not Credential.objects.filter(user=member).exists()


def test_deactivated_staff_cannot_sign_in_until_reactivated(client_as):
    client = client_as("administrator")
    member = UserFactory(roles=["nurse"])
    assert client.post(_detail(member), {"form": "deactivate"}).status_code == 302
    member.refresh_from_db()
    assert not member.is_active
    assert not Client().login(username=member.username, password=PASSWORD)
    assert "inactive" in client.get(reverse("accounts:staff")).content.decode()
    assert client.post(_detail(member), {"form": "reactivate"}).status_code == 302
    assert Client().login(username=member.username, password=PASSWORD)
    details = [
        e.detail
        for e in AuditEvent.objects.filter(
            object_type="accounts.user", object_id=str(member.pk)
        ).order_by("seq")
    ]
    assert details == [{"active": False}, {"active": True}]


def test_nobody_deactivates_themselves(client_as):
    client = client_as("administrator")
    response = client.post(_detail(client.user), {"form": "deactivate"})
    assert response.status_code == 409 and "your own account" in response.content.decode()
    client.user.refresh_from_db()
    assert client.user.is_active


def test_unknown_form_and_unknown_staff_member(client_as):
    client = client_as("administrator")
    member = UserFactory()
    assert client.post(_detail(member), {"form": "delete"}).status_code == 403
    assert client.get(reverse("accounts:staff-detail", args=[999999])).status_code == 404


def test_staff_list_links_to_the_staff_pages_not_the_admin(client_as):
    member = UserFactory(roles=["nurse"])
    html = client_as("administrator").get(reverse("accounts:staff")).content.decode()
    assert _detail(member) in html and reverse("accounts:staff-new") in html
    assert "/admin/accounts/user/" not in html
