"""Electronic signatures: who signed what, in which role, under which credential; voiding."""

from __future__ import annotations

from collections.abc import Iterable

from django.db.models import Q, QuerySet
from django.utils import timezone

from oncocenter.accounts.models import Credential, User
from oncocenter.accounts.services import credential_require
from oncocenter.core.permissions import require
from oncocenter.radiotherapy.models import Course, Plan, Prescription, Signature


def _credential_number(user: User, kinds: Iterable[str]) -> str:
    today = timezone.localdate()
    cred = (
        Credential.objects.filter(user=user, kind__in=list(kinds), issued_on__lte=today)
        .filter(Q(expires_on__isnull=True) | Q(expires_on__gte=today))
        .order_by("-issued_on")
        .first()
    )
    return f"{cred.kind}:{cred.number}" if cred else ""


def _sign(
    *,
    meaning: str,
    course: Course,
    signer: User,
    role: str,
    kinds: Iterable[str],
    prescription: Prescription | None = None,
    plan: Plan | None = None,
    version: int = 1,
    statement: str = "",
) -> Signature:
    return Signature.objects.create(
        meaning=meaning,
        course=course,
        prescription=prescription,
        plan=plan,
        signed_version=version,
        signer=signer,
        signer_role=role,
        credential_number=_credential_number(signer, kinds),
        signed_at=timezone.now(),
        statement=statement[:300],
    )


def _void(signatures: QuerySet[Signature], reason: str) -> int:
    return signatures.filter(voided_at__isnull=True).update(
        voided_at=timezone.now(), voided_reason=reason[:300]
    )


def _require_signer(user: User, perm: str, kinds: Iterable[str], purpose: str) -> None:
    require(user, perm)
    credential_require(user=user, kinds=list(kinds), purpose=purpose)
