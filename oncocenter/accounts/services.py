"""Writes for staff accounts: users, roles, credentials, sign-in, API tokens."""

from __future__ import annotations

import datetime as dt
import hashlib
import re
import secrets
from collections.abc import Iterable

from django.conf import settings
from django.contrib.auth import authenticate, password_validation
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import transaction
from django.db.models import Q
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _

from oncocenter.accounts.models import (
    ApiToken,
    Credential,
    CredentialKind,
    LoginFailure,
    LoginThrottle,
    RoleAssignment,
    User,
)
from oncocenter.audit.models import AuditAction
from oncocenter.audit.services import audit_record
from oncocenter.core.errors import Conflict, FieldProblem, NotPermitted, Throttled, ValidationFailed
from oncocenter.core.roles import Role


def _check_roles(roles: Iterable[str]) -> list[str]:
    roles = list(dict.fromkeys(roles))
    unknown = [r for r in roles if r not in Role.values]
    if unknown:
        raise ValidationFailed.single(
            "roles", _("unknown role(s): %(roles)s") % {"roles": ", ".join(unknown)}, unknown
        )
    return roles


def user_create(
    *,
    by: User,
    username: str,
    password: str,
    roles: Iterable[str],
    first_name: str = "",
    last_name: str = "",
    display_name_ko: str = "",
    department: str = "",
    email: str = "",
) -> User:
    """Create a staff account with its roles; audited (roles, never the password)."""
    roles = _check_roles(roles)
    username = username.strip()
    if not username:
        raise ValidationFailed.single("username", _("is required"))
    if User.objects.filter(username=username).exists():
        raise ValidationFailed.single("username", _("is already taken"), username)
    with transaction.atomic():
        user = User(
            username=username,
            first_name=first_name.strip(),
            last_name=last_name.strip(),
            display_name_ko=display_name_ko.strip(),
            department=department.strip(),
            email=email.strip(),
            # The Django admin (view-only, plus reference data) is for administrators.
            is_staff=Role.ADMINISTRATOR in roles,
        )
        user.set_password(password)
        user.save()
        RoleAssignment.objects.bulk_create([RoleAssignment(user=user, role=r) for r in roles])
        audit_record(
            action=AuditAction.CREATE,
            obj=user,
            detail={"username": username, "roles": sorted(roles), "department": user.department},
        )
    return user


def administrator_bootstrap(
    *, username: str, password: str, display_name_ko: str = "", email: str = ""
) -> User:
    """The first administrator of a new installation (`oncocenter bootstrap_admin`), acting as
    the system. Refused once an active administrator exists: from then on administrators add
    staff on the staff pages, as themselves."""
    if User.objects.filter(is_active=True, role_assignments__role=Role.ADMINISTRATOR).exists():
        raise Conflict(
            _("An administrator already exists; new staff are added on the staff pages."),
            rule="administrator_exists",
        )
    username = username.strip()
    if not username:
        raise ValidationFailed.single("username", _("is required"))
    if User.objects.filter(username=username).exists():
        raise ValidationFailed.single("username", _("is already taken"), username)
    with transaction.atomic():
        user = User(username=username, display_name_ko=display_name_ko.strip(), email=email.strip())
        user.is_staff = True
        user.set_password(password)
        user.save()
        RoleAssignment.objects.create(user=user, role=Role.ADMINISTRATOR)
        audit_record(
            action=AuditAction.CREATE,
            obj=user,
            detail={"username": username, "roles": [Role.ADMINISTRATOR.value], "bootstrap": True},
        )
    return user


def user_set_roles(*, user: User, by: User, roles: Iterable[str]) -> User:
    """Replace the user's roles; audited with the roles before and after. An administrator
    cannot take the administrator role from themselves (nobody would be left to give it back)."""
    roles = _check_roles(roles)
    with transaction.atomic():
        before = sorted(RoleAssignment.objects.filter(user=user).values_list("role", flat=True))
        if user.pk == by.pk and Role.ADMINISTRATOR in before and Role.ADMINISTRATOR not in roles:
            raise Conflict(
                _("You cannot remove your own administrator role; ask another administrator."),
                rule="own_administrator_role",
                problems=[
                    FieldProblem("roles", _("must keep the administrator role"), "administrator")
                ],
            )
        RoleAssignment.objects.filter(user=user).exclude(role__in=roles).delete()
        RoleAssignment.objects.bulk_create(
            [RoleAssignment(user=user, role=r) for r in roles if r not in before]
        )
        user.is_staff = Role.ADMINISTRATOR in roles
        user.save(update_fields=["is_staff"])
        audit_record(
            action=AuditAction.UPDATE,
            obj=user,
            detail={"roles_before": before, "roles": sorted(roles)},
        )
    user.__dict__.pop("_oncocenter_roles", None)
    return user


def user_set_active(*, user: User, by: User, active: bool) -> User:
    """Deactivate (no sign-in, no API token works) or reactivate a staff account; audited.
    Nobody deactivates themselves. Accounts are never deleted: the record names them."""
    if user.pk == by.pk and not active:
        raise Conflict(_("You cannot deactivate your own account."), rule="own_account")
    if user.is_active == active:
        return user
    with transaction.atomic():
        user.is_active = active
        user.save(update_fields=["is_active"])
        audit_record(action=AuditAction.UPDATE, obj=user, detail={"active": active})
    return user


def credential_add(
    *,
    user: User,
    by: User,
    kind: str,
    number: str,
    issued_on: dt.date,
    expires_on: dt.date | None,
) -> Credential:
    """Register a licence or certificate (unique per kind and number); audited."""
    problems: list[FieldProblem] = []
    number = number.strip()
    if kind not in CredentialKind.values:
        problems.append(
            FieldProblem(
                "kind",
                _("must be one of %(choices)s") % {"choices": ", ".join(CredentialKind.values)},
                kind,
            )
        )
    if not number:
        problems.append(FieldProblem("number", _("is required")))
    elif Credential.objects.filter(kind=kind, number=number).exists():
        problems.append(
            FieldProblem("number", _("this credential number is already registered"), number)
        )
    if expires_on is not None and expires_on <= issued_on:
        problems.append(
            FieldProblem("expires_on", _("must be after the issue date"), expires_on.isoformat())
        )
    if problems:
        raise ValidationFailed(problems)
    with transaction.atomic():
        credential = Credential.objects.create(
            user=user, kind=kind, number=number, issued_on=issued_on, expires_on=expires_on
        )
        audit_record(
            action=AuditAction.CREATE,
            obj=credential,
            detail={
                "user": user.username,
                "kind": kind,
                "expires_on": expires_on.isoformat() if expires_on else "",
            },
        )
    return credential


def credential_is_current(*, user: User, kinds: Iterable[str], on: dt.date | None = None) -> bool:
    """True when the user holds a credential of one of `kinds` valid on `on` (today by default)."""
    on = on or timezone.localdate()
    return Credential.objects.filter(
        Q(expires_on__isnull=True) | Q(expires_on__gte=on),
        user=user,
        kind__in=list(kinds),
        issued_on__lte=on,
    ).exists()


def _credential_kind(kind: str) -> str:
    """ "Board certification: radiation oncology (specialist_radiation_oncology)"."""
    label = CredentialKind(kind).label if kind in CredentialKind.values else kind
    return f"{label} ({kind})"


def credential_require(
    *, user: User, kinds: Iterable[str], purpose: str, on: dt.date | None = None
) -> None:
    """Refuse a signature unless a current credential of the right kind exists (names the kinds)."""
    kinds = list(kinds)
    if not credential_is_current(user=user, kinds=kinds, on=on):
        raise NotPermitted(
            _(
                "%(purpose)s requires a current credential of kind %(kinds)s; "
                "%(user)s has none valid on %(date)s."
            )
            % {
                "purpose": purpose,
                "kinds": ", ".join(_credential_kind(k) for k in kinds),
                "user": user.username,
                "date": (on or timezone.localdate()).isoformat(),
            }
        )


def _throttle_keys(username: str, address: str) -> dict[str, int]:
    """The throttle keys of a sign-in attempt and the failures each may take before a lockout."""
    per_pair = settings.LOGIN_MAX_FAILURES
    keys = {f"user:{username}"[:230]: settings.LOGIN_ACCOUNT_MAX_FAILURES}
    if address:
        keys[f"pair:{username}|{address}"[:230]] = per_pair
        keys[f"addr:{address}"[:230]] = settings.LOGIN_ADDRESS_MAX_FAILURES
    else:
        keys[f"user:{username}"[:230]] = per_pair
    return keys


def _lock_throttles(keys: Iterable[str]) -> list[LoginThrottle]:
    """The throttle rows of these keys, created if missing, locked in key order (no deadlock)."""
    ordered = sorted(keys)
    LoginThrottle.objects.bulk_create(
        [LoginThrottle(key=k) for k in ordered], ignore_conflicts=True
    )
    return list(LoginThrottle.objects.select_for_update().filter(key__in=ordered).order_by("key"))


def _lockout_minutes(over: int) -> int:
    """Progressive delay: 1, 2, 4, ... minutes for each failure past the limit, capped."""
    return int(min(2 ** min(over, 16), settings.LOGIN_LOCKOUT_MAX_MINUTES))


def _count_failure(
    throttles: list[LoginThrottle], limits: dict[str, int], now: dt.datetime
) -> None:
    window = dt.timedelta(minutes=settings.LOGIN_FAILURE_WINDOW_MINUTES)
    for throttle in throttles:
        if throttle.window_start is None or now - throttle.window_start > window:
            throttle.failures, throttle.window_start = 0, now
        throttle.failures += 1
        over = throttle.failures - limits[throttle.key]
        if over >= 0:
            throttle.locked_until = now + dt.timedelta(minutes=_lockout_minutes(over))
        throttle.save(update_fields=["failures", "window_start", "locked_until"])


def login_check(*, request: HttpRequest, username: str, password: str) -> User:
    """Authenticate with throttling; every success and failure goes to the audit trail.

    The throttle rows of the attempt are locked for its duration, so parallel wrong passwords
    are counted one after the other and never more than the limit are tried. A locked key is
    refused before the password is looked at, even when the password is right."""
    from oncocenter.core.middleware import client_address

    address = client_address(request)
    username = (username or "").strip()[:150]
    limits = _throttle_keys(username, address)
    locked_minutes, locked_keys, user = 0, [], None
    with transaction.atomic():
        now = timezone.now()
        throttles = _lock_throttles(limits)
        locked = [t for t in throttles if t.locked_until is not None and t.locked_until > now]
        if locked:
            until = max(t.locked_until for t in locked if t.locked_until is not None)
            locked_minutes = max(1, int((until - now).total_seconds() + 59) // 60)
            locked_keys = sorted(t.key.split(":")[0] for t in locked)
        else:
            user = authenticate(request, username=username, password=password)
            if user is None:
                _count_failure(throttles, limits, now)
                LoginFailure.objects.create(username=username, client_address=address, at=now)
            else:
                # A success clears this person's counters; the address's stays (spraying).
                LoginThrottle.objects.filter(
                    key__in=[k for k in limits if not k.startswith("addr:")]
                ).update(failures=0, window_start=None, locked_until=None)
    if locked_minutes:
        audit_record(
            action=AuditAction.LOGIN_FAILED,
            actor_username=username,
            detail={"reason": "throttled", "keys": locked_keys},
        )
        raise Throttled(
            _("Too many failed sign-ins. Try again in %(minutes)s minutes.")
            % {"minutes": locked_minutes}
        )
    if user is None:
        audit_record(
            action=AuditAction.LOGIN_FAILED,
            actor_username=username,
            detail={"reason": "bad credentials"},
        )
        raise ValidationFailed.single("password", _("username or password is incorrect"))
    if not RoleAssignment.objects.filter(user=user).exists():
        audit_record(
            action=AuditAction.LOGIN_FAILED, actor_username=username, detail={"reason": "no role"}
        )
        raise NotPermitted(_("This account has no role assigned; ask an administrator."))
    return user  # type: ignore[return-value]


def password_change(*, user: User, by: User, old_password: str, new_password: str) -> User:
    """Change one's own password: the current one is asked again, the new one must pass the
    password validators (12 characters or more, not common, not like the name); audited (never
    the password). Other sessions of the user end (their session hash no longer matches)."""
    if user.pk != by.pk:
        raise NotPermitted(_("Only the account's owner changes its password here."))
    if not user.check_password(old_password):
        raise ValidationFailed.single("old_password", _("is not your current password"))
    try:
        password_validation.validate_password(new_password, user=user)
    except DjangoValidationError as exc:
        raise ValidationFailed([FieldProblem("new_password", m) for m in exc.messages]) from exc
    with transaction.atomic():
        user.set_password(new_password)
        user.save(update_fields=["password"])
        audit_record(action=AuditAction.UPDATE, obj=user, detail={"password_changed": True})
    return user


def _hash_token(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


_SCOPE_RE = re.compile(r"^(read|write)(:[a-z][a-z_]{1,39})?$")
TOKEN_SCOPES_ALL = ("read", "write")


def _check_scopes(scopes: Iterable[str]) -> list[str]:
    scopes = sorted(dict.fromkeys(s.strip() for s in scopes))
    bad = [s for s in scopes if not _SCOPE_RE.match(s)]
    if bad or not scopes:
        raise ValidationFailed.single(
            "scopes",
            _("each scope is 'read', 'write', 'read:<area>' or 'write:<area>' (at least one)"),
            ", ".join(bad),
        )
    return scopes


def token_issue(
    *, user: User, name: str, scopes: Iterable[str] = TOKEN_SCOPES_ALL
) -> tuple[ApiToken, str]:
    """Create an API token with its scopes; the raw value is returned once and never stored."""
    if not name.strip():
        raise ValidationFailed.single("name", _("is required"))
    if len(name.strip()) > 80:
        raise ValidationFailed.single("name", _("at most 80 characters"))
    scopes = _check_scopes(scopes)
    raw = "oc_" + secrets.token_urlsafe(32)
    with transaction.atomic():
        token = ApiToken.objects.create(
            user=user,
            name=name.strip(),
            key_hash=_hash_token(raw),
            prefix=raw[:8],
            scopes=scopes,
            expires_at=timezone.now() + dt.timedelta(days=settings.API_TOKEN_DAYS),
        )
        audit_record(
            action=AuditAction.TOKEN,
            obj=token,
            actor=user,
            detail={"name": token.name, "scopes": scopes},
        )
    return token, raw


def token_lookup(raw: str) -> ApiToken | None:
    """The live token for a raw value: not revoked, not expired, not idle past
    `API_TOKEN_IDLE_DAYS` since its last use (or issue), and its user still active."""
    now = timezone.now()
    token = (
        ApiToken.objects.select_related("user")
        .filter(key_hash=_hash_token(raw), revoked_at__isnull=True, expires_at__gt=now)
        .first()
    )
    if token is None or not token.user.is_active:
        return None
    last = token.last_used_at or token.created_at
    if now - last > dt.timedelta(days=settings.API_TOKEN_IDLE_DAYS):
        return None
    return token


def token_record_use(*, token: ApiToken, method: str, path: str) -> None:
    """Keep the token's last use (to the minute, to avoid a write per request) and put that
    use on the audit trail (every event of the request also names the token)."""
    now = timezone.now()
    if token.last_used_at is None or now - token.last_used_at > dt.timedelta(minutes=1):
        with transaction.atomic():
            ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
            audit_record(
                action=AuditAction.TOKEN,
                obj=token,
                actor=token.user,
                detail={"used": token.prefix, "method": method, "path": path[:200]},
            )
        token.last_used_at = now


def token_authenticate(raw: str) -> User | None:
    token = token_lookup(raw)
    return token.user if token is not None else None


def token_revoke(*, token: ApiToken, by: User) -> ApiToken:
    """Revoke an API token at once; audited."""
    with transaction.atomic():
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
        audit_record(action=AuditAction.TOKEN, obj=token, detail={"revoked": token.name})
    return token
