"""Passkeys (WebAuthn) for portal accounts, with py_webauthn doing the checks: the browser's
attestation at registration, its signature and counter at sign-in. Passwords remain; a passkey
is an extra way in, registered from the settings page once signed in.

The server keeps each ceremony's challenge in the session (set by the options call, used once by
the verify call). Passkeys are discoverable (resident) credentials, so sign-in needs no name:
the browser offers the person's passkeys for this site. Failed passkey sign-ins count against
the address like wrong passwords.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from webauthn import (
    generate_authentication_options,
    generate_registration_options,
    options_to_json,
    verify_authentication_response,
    verify_registration_response,
)
from webauthn.helpers import base64url_to_bytes, bytes_to_base64url
from webauthn.helpers.exceptions import WebAuthnException
from webauthn.helpers.structs import (
    AuthenticatorSelectionCriteria,
    PublicKeyCredentialDescriptor,
    ResidentKeyRequirement,
    UserVerificationRequirement,
)

from oncocenter.audit.models import AuditAction
from oncocenter.audit.services import audit_record
from oncocenter.core.errors import ValidationFailed
from oncocenter.portal.models import AccountStatus, PasskeyCredential, PortalAccount
from oncocenter.portal.services import (
    SIGNIN_MAX_FAILURES,
    _throttle_fail,
    _throttle_lock,
    actor_name,
)

RP_NAME = "OncoCenter"
MAX_PASSKEYS = 10


@dataclass(frozen=True)
class RelyingParty:
    """The site as the browser sees it: `id` is the host name, `origin` scheme://host[:port]."""

    id: str
    origin: str


def _user_handle(account: PortalAccount) -> bytes:
    # Opaque and stable; no personal data in the authenticator.
    return f"oncocenter-portal-{account.pk}".encode()


def registration_options(account: PortalAccount, rp: RelyingParty) -> tuple[str, bytes]:
    """(options JSON for navigator.credentials.create, challenge to keep in the session)."""
    existing = [
        PublicKeyCredentialDescriptor(id=base64url_to_bytes(p.credential_id))
        for p in account.passkeys.all()
    ]
    options = generate_registration_options(
        rp_id=rp.id,
        rp_name=RP_NAME,
        user_id=_user_handle(account),
        user_name=account.username or str(account.pk),
        user_display_name=account.display_name,
        exclude_credentials=existing,
        authenticator_selection=AuthenticatorSelectionCriteria(
            resident_key=ResidentKeyRequirement.REQUIRED,
            user_verification=UserVerificationRequirement.PREFERRED,
        ),
    )
    return options_to_json(options), options.challenge


def passkey_register(
    *,
    account: PortalAccount,
    credential: str,
    challenge: bytes | None,
    rp: RelyingParty,
    name: str = "",
) -> PasskeyCredential:
    """Verify the browser's new credential against the session's challenge and store its public
    key. Refused (422 on `credential`): no pending challenge, a bad or foreign response."""
    if not challenge:
        raise ValidationFailed.single("credential", _("start the passkey registration again"))
    if account.passkeys.count() >= MAX_PASSKEYS:
        raise ValidationFailed.single(
            "credential", _("at most %(n)s passkeys per account") % {"n": MAX_PASSKEYS}
        )
    try:
        verified = verify_registration_response(
            credential=credential,
            expected_challenge=challenge,
            expected_rp_id=rp.id,
            expected_origin=rp.origin,
            require_user_verification=False,
        )
    except (WebAuthnException, ValueError, KeyError, TypeError) as exc:
        raise ValidationFailed.single(
            "credential", _("the browser's passkey could not be verified")
        ) from exc
    credential_id = bytes_to_base64url(verified.credential_id)
    if PasskeyCredential.objects.filter(credential_id=credential_id).exists():
        raise ValidationFailed.single("credential", _("this passkey is already registered"))
    try:
        transports = json.loads(credential).get("response", {}).get("transports", [])
    except (ValueError, AttributeError):
        transports = []
    with transaction.atomic():
        row = PasskeyCredential.objects.create(
            account=account,
            credential_id=credential_id,
            public_key=verified.credential_public_key,
            sign_count=verified.sign_count,
            transports=[str(t) for t in transports][:5] if isinstance(transports, list) else [],
            name=(name or "").strip()[:60],
        )
        audit_record(
            action=AuditAction.CREATE,
            obj=row,
            actor_username=actor_name(account),
            detail={"passkey": credential_id[:16]},
        )
    return row


def authentication_options(rp: RelyingParty) -> tuple[str, bytes]:
    """(options JSON for navigator.credentials.get, challenge to keep in the session)."""
    options = generate_authentication_options(
        rp_id=rp.id, user_verification=UserVerificationRequirement.PREFERRED
    )
    return options_to_json(options), options.challenge


def _credential_id(credential: str) -> str:
    try:
        data = json.loads(credential)
        raw = data.get("rawId") or data.get("id")
    except (ValueError, AttributeError):
        raw = None
    if not isinstance(raw, str) or not raw or len(raw) > 512:
        raise ValidationFailed.single("credential", _("is not a passkey response"))
    return raw


def passkey_sign_in(
    *, credential: str, challenge: bytes | None, rp: RelyingParty, address: str
) -> PortalAccount:
    """Check a passkey assertion; the account it belongs to, signed in. A failure counts against
    the address (5 per 15 minutes, like passwords) and is audited."""
    if not challenge:
        raise ValidationFailed.single("credential", _("start the passkey sign-in again"))
    credential_id = _credential_id(credential)
    now = timezone.now()
    account: PortalAccount | None = None
    with transaction.atomic():
        throttle = _throttle_lock(f"passkey:{address}", SIGNIN_MAX_FAILURES, now)
        row = (
            PasskeyCredential.objects.select_for_update()
            .select_related("account")
            .filter(credential_id=credential_id, account__status=AccountStatus.ACTIVE)
            .first()
        )
        verified = None
        if row is not None:
            try:
                verified = verify_authentication_response(
                    credential=credential,
                    expected_challenge=challenge,
                    expected_rp_id=rp.id,
                    expected_origin=rp.origin,
                    credential_public_key=bytes(row.public_key),
                    credential_current_sign_count=row.sign_count,
                    require_user_verification=False,
                )
            except (WebAuthnException, ValueError, KeyError, TypeError):
                verified = None
        if row is None or verified is None:
            _throttle_fail(throttle)
            audit_record(
                action=AuditAction.LOGIN_FAILED,
                object_type="portal.passkey",
                actor_username="portal:passkey",
                detail={"credential": credential_id[:16]},
            )
        else:
            throttle.delete()
            row.sign_count = verified.new_sign_count
            row.last_used_at = now
            row.save(update_fields=["sign_count", "last_used_at", "updated_at"])
            account = row.account
            account.last_sign_in_at = now
            account.save(update_fields=["last_sign_in_at", "updated_at"])
            audit_record(
                action=AuditAction.LOGIN,
                obj=account,
                actor_username=actor_name(account),
                detail={"passkey": credential_id[:16]},
            )
    if account is None:
        raise ValidationFailed.single("credential", _("this passkey is not known here"))
    return account
