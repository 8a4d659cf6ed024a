"""Writes for staff accounts: users, roles, credentials, sign-in, API tokens."""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from collections.abc import Iterable

from django.conf import settings
from django.contrib.auth import authenticate
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from oncocenter.accounts.models import ApiToken, Credential, LoginFailure, RoleAssignment, User
from oncocenter.audit.models import AuditAction
from oncocenter.audit.services import audit_record
from oncocenter.core.errors import NotPermitted, Throttled, ValidationFailed
from oncocenter.core.roles import Role


def _check_roles(roles: Iterable[str]) -> list[str]:
    roles = list(dict.fromkeys(roles))
    unknown = [r for r in roles if r not in Role.values]
    if unknown:
        raise ValidationFailed.single("roles", f"unknown role(s): {', '.join(unknown)}", unknown)
    return roles


def user_create(
    *,
    username: str,
    password: str,
    roles: Iterable[str],
    first_name: str = "",
    last_name: str = "",
    display_name_ko: str = "",
    department: str = "",
    email: str = "",
) -> User:
    roles = _check_roles(roles)
    if not username.strip():
        raise ValidationFailed.single("username", "is required")
    if User.objects.filter(username=username).exists():
        raise ValidationFailed.single("username", "is already taken", username)
    with transaction.atomic():
        user = User(
            username=username,
            first_name=first_name,
            last_name=last_name,
            display_name_ko=display_name_ko,
            department=department,
            email=email,
            # Administrators use Django's admin to manage staff and reference data.
            is_staff=Role.ADMINISTRATOR in roles,
        )
        user.set_password(password)
        user.save()
        RoleAssignment.objects.bulk_create([RoleAssignment(user=user, role=r) for r in roles])
    return user


def user_set_roles(*, user: User, roles: Iterable[str]) -> User:
    roles = _check_roles(roles)
    with transaction.atomic():
        RoleAssignment.objects.filter(user=user).exclude(role__in=roles).delete()
        existing = set(user.role_assignments.values_list("role", flat=True))
        RoleAssignment.objects.bulk_create(
            [RoleAssignment(user=user, role=r) for r in roles if r not in existing]
        )
        user.is_staff = Role.ADMINISTRATOR in roles
        user.save(update_fields=["is_staff"])
    user.__dict__.pop("_oncocenter_roles", None)
    return user


def credential_add(
    *, user: User, kind: str, number: str, issued_on: dt.date, expires_on: dt.date | None
) -> Credential:
    if expires_on is not None and expires_on <= issued_on:
        raise ValidationFailed.single(
            "expires_on", "must be after the issue date", expires_on.isoformat()
        )
    if Credential.objects.filter(kind=kind, number=number).exists():
        raise ValidationFailed.single(
            "number", "this credential number is already registered", number
        )
    return Credential.objects.create(
        user=user, kind=kind, number=number, issued_on=issued_on, expires_on=expires_on
    )


def credential_is_current(*, user: User, kinds: Iterable[str], on: dt.date | None = None) -> bool:
    """True when the user holds a credential of one of `kinds` valid on `on` (today by default)."""
    on = on or timezone.localdate()
    return Credential.objects.filter(
        Q(expires_on__isnull=True) | Q(expires_on__gte=on),
        user=user,
        kind__in=list(kinds),
        issued_on__lte=on,
    ).exists()


def credential_require(
    *, user: User, kinds: Iterable[str], purpose: str, on: dt.date | None = None
) -> None:
    """Refuse a signature unless a current credential of the right kind exists (names the kinds)."""
    kinds = list(kinds)
    if not credential_is_current(user=user, kinds=kinds, on=on):
        raise NotPermitted(
            f"{purpose} requires a current credential of kind {' or '.join(kinds)}; "
            f"{user.username} has none valid on {(on or timezone.localdate()).isoformat()}."
        )


def _recent_failures(username: str, address: str) -> int:
    since = timezone.now() - dt.timedelta(minutes=settings.LOGIN_FAILURE_WINDOW_MINUTES)
    by_user = LoginFailure.objects.filter(username=username, at__gte=since).count()
    by_addr = (
        LoginFailure.objects.filter(client_address=address, at__gte=since).count() if address else 0
    )
    return max(by_user, by_addr)


def login_check(*, request, username: str, password: str) -> User:
    """Authenticate with throttling; every success and failure goes to the audit trail."""
    from oncocenter.core.middleware import client_address

    address = client_address(request)
    username = (username or "").strip()
    if _recent_failures(username, address) >= settings.LOGIN_MAX_FAILURES:
        audit_record(
            action=AuditAction.LOGIN_FAILED, actor_username=username, detail={"reason": "throttled"}
        )
        raise Throttled(
            f"Too many failed sign-ins. Try again in {settings.LOGIN_FAILURE_WINDOW_MINUTES} minutes."
        )
    user = authenticate(request, username=username, password=password)
    if user is None:
        LoginFailure.objects.create(username=username, client_address=address, at=timezone.now())
        audit_record(
            action=AuditAction.LOGIN_FAILED,
            actor_username=username,
            detail={"reason": "bad credentials"},
        )
        raise ValidationFailed.single("password", "username or password is incorrect")
    if not RoleAssignment.objects.filter(user=user).exists():
        audit_record(
            action=AuditAction.LOGIN_FAILED, actor_username=username, detail={"reason": "no role"}
        )
        raise NotPermitted("This account has no role assigned; ask an administrator.")
    return user  # type: ignore[return-value]


def _hash_token(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


def token_issue(*, user: User, name: str) -> tuple[ApiToken, str]:
    """Create an API token; the raw value is returned once and never stored."""
    if not name.strip():
        raise ValidationFailed.single("name", "is required")
    raw = "oc_" + secrets.token_urlsafe(32)
    token = ApiToken.objects.create(
        user=user,
        name=name.strip()[:80],
        key_hash=_hash_token(raw),
        prefix=raw[:8],
        expires_at=timezone.now() + dt.timedelta(days=settings.API_TOKEN_DAYS),
    )
    audit_record(action=AuditAction.TOKEN, obj=token, actor=user, detail={"name": token.name})
    return token, raw


def token_authenticate(raw: str) -> User | None:
    token = (
        ApiToken.objects.select_related("user")
        .filter(key_hash=_hash_token(raw), revoked_at__isnull=True, expires_at__gt=timezone.now())
        .first()
    )
    if token is None or not token.user.is_active:
        return None
    now = timezone.now()
    # Avoid a write per request: last use is kept to the minute.
    if token.last_used_at is None or now - token.last_used_at > dt.timedelta(minutes=1):
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token.user


def token_revoke(*, token: ApiToken) -> ApiToken:
    token.revoked_at = timezone.now()
    token.save(update_fields=["revoked_at"])
    return token
