import datetime as dt

import pytest
from django.test import RequestFactory, override_settings
from django.utils import timezone

from oncocenter.accounts.models import Credential, User
from oncocenter.accounts.services import (
    credential_add,
    credential_is_current,
    credential_require,
    login_check,
    token_authenticate,
    token_issue,
    token_revoke,
    user_create,
    user_set_roles,
)
from oncocenter.accounts.tests.factories import PASSWORD, CredentialFactory, UserFactory
from oncocenter.audit.models import AuditEvent
from oncocenter.core.errors import NotPermitted, Throttled, ValidationFailed
from oncocenter.core.permissions import has_perm

pytestmark = pytest.mark.django_db
TODAY = dt.date(2026, 11, 22)


def _request(addr="10.0.0.1"):
    return RequestFactory().post("/accounts/login/", REMOTE_ADDR=addr)


def test_user_create_with_roles_and_admin_flag():
    user = user_create(
        by=UserFactory(),
        username="kim",
        password="x-very-long-pass",
        roles=["administrator", "nurse"],
    )
    assert sorted(user.role_list) == ["administrator", "nurse"]
    assert user.is_staff
    assert has_perm(user, "audit.view")


def test_user_create_rejects_unknown_role_and_duplicate():
    with pytest.raises(ValidationFailed) as exc:
        user_create(by=UserFactory(), username="a", password="p", roles=["wizard"])
    assert exc.value.problems[0].field == "roles"
    user_create(by=UserFactory(), username="a", password="p", roles=["nurse"])
    with pytest.raises(ValidationFailed) as exc:
        user_create(by=UserFactory(), username="a", password="p", roles=["nurse"])
    assert exc.value.problems[0].field == "username"


def test_set_roles_replaces():
    user = UserFactory(roles=["nurse"])
    user_set_roles(by=UserFactory(), user=user, roles=["dietitian"])
    assert user.role_list == ["dietitian"]


def test_credential_current_window():
    cred = CredentialFactory(
        issued_on=TODAY - dt.timedelta(days=10), expires_on=TODAY + dt.timedelta(days=10)
    )
    kinds = [cred.kind]
    assert credential_is_current(user=cred.user, kinds=kinds, on=TODAY)
    assert credential_is_current(user=cred.user, kinds=kinds, on=TODAY + dt.timedelta(days=10))
    assert not credential_is_current(user=cred.user, kinds=kinds, on=TODAY + dt.timedelta(days=11))
    assert not credential_is_current(user=cred.user, kinds=kinds, on=TODAY - dt.timedelta(days=11))
    assert not credential_is_current(user=cred.user, kinds=["nurse"], on=TODAY)


def test_credential_without_expiry_is_current():
    cred = CredentialFactory(expires_on=None)
    assert credential_is_current(user=cred.user, kinds=[cred.kind])


def test_credential_require_names_kind():
    user = UserFactory(roles=["radiation_oncologist"])
    with pytest.raises(NotPermitted, match="specialist_radiation_oncology"):
        credential_require(
            user=user, kinds=["specialist_radiation_oncology"], purpose="Signing a prescription"
        )


def test_credential_add_rules():
    user = UserFactory()
    with pytest.raises(ValidationFailed) as exc:
        credential_add(
            by=UserFactory(),
            user=user,
            kind="nurse",
            number="N1",
            issued_on=TODAY,
            expires_on=TODAY,
        )
    assert exc.value.problems[0].field == "expires_on"
    credential_add(
        by=UserFactory(), user=user, kind="nurse", number="N1", issued_on=TODAY, expires_on=None
    )
    with pytest.raises(ValidationFailed) as exc:
        credential_add(
            by=UserFactory(), user=user, kind="nurse", number="N1", issued_on=TODAY, expires_on=None
        )
    assert exc.value.problems[0].field == "number"
    assert Credential.objects.count() == 1


def test_credential_expiry_constraint_in_database():
    from django.db import IntegrityError

    with pytest.raises(IntegrityError):
        CredentialFactory(issued_on=TODAY, expires_on=TODAY - dt.timedelta(days=1))


def test_login_success_and_failure_are_audited():
    user = UserFactory(roles=["nurse"])
    assert login_check(request=_request(), username=user.username, password=PASSWORD) == user
    with pytest.raises(ValidationFailed) as exc:
        login_check(request=_request(), username=user.username, password="wrong")
    assert exc.value.problems[0].field == "password"
    event = AuditEvent.objects.filter(action="login_failed").get()
    assert (
        event.actor_username == user.username and event.client_address == ""
    )  # no request context bound


@override_settings(LOGIN_MAX_FAILURES=3)
def test_login_throttled_after_failures_even_with_right_password():
    user = UserFactory(roles=["nurse"])
    for _ in range(3):
        with pytest.raises(ValidationFailed):
            login_check(request=_request(), username=user.username, password="wrong")
    with pytest.raises(Throttled):
        login_check(request=_request(), username=user.username, password=PASSWORD)


def test_user_without_role_cannot_sign_in():
    user = UserFactory()
    with pytest.raises(NotPermitted):
        login_check(request=_request(), username=user.username, password=PASSWORD)


def test_tokens_authenticate_until_revoked_or_expired():
    user = UserFactory(roles=["nurse"])
    token, raw = token_issue(user=user, name="lab")
    assert raw not in token.key_hash and token_authenticate(raw) == user
    token_revoke(by=UserFactory(), token=token)
    assert token_authenticate(raw) is None
    token2, raw2 = token_issue(user=user, name="lab2")
    token2.expires_at = timezone.now() - dt.timedelta(seconds=1)
    token2.save()
    assert token_authenticate(raw2) is None
    assert token_authenticate("oc_guess") is None


def test_token_name_required():
    with pytest.raises(ValidationFailed):
        token_issue(user=UserFactory(), name=" ")


def test_base_settings_hash_with_argon2():
    from config.settings import base

    assert base.PASSWORD_HASHERS[0].endswith("Argon2PasswordHasher")
    assert base.SESSION_SAVE_EVERY_REQUEST is True
    assert base.SESSION_COOKIE_AGE == base.SESSION_IDLE_MINUTES * 60


def test_first_administrator_bootstrap_once(monkeypatch):
    from django.core.management import CommandError, call_command

    monkeypatch.setenv("ONCOCENTER_ADMIN_PASSWORD", "short")
    with pytest.raises(CommandError, match="too short"):
        call_command("bootstrap_admin", "--username", "chief", "--noinput")
    monkeypatch.setenv("ONCOCENTER_ADMIN_PASSWORD", "lantern-orbit-47")
    call_command("bootstrap_admin", "--username", "chief", "--noinput")
    chief = User.objects.get(username="chief")
    assert chief.role_list == ["administrator"] and chief.is_staff and not chief.is_superuser
    event = AuditEvent.objects.get(action="create", object_type="accounts.user")
    assert event.detail["bootstrap"] and event.actor_username == "system"
    with pytest.raises(CommandError, match="already exists"):
        call_command("bootstrap_admin", "--username", "second", "--noinput")
