"""Break the glass (issue 17): open a time-limited grant to read one patient outside one's roles,
with a reason; check and audit its use. Grants are never edited or deleted (the report lists
them all)."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from oncocenter.accounts.models import User
from oncocenter.audit.models import AuditAction
from oncocenter.audit.services import audit_record
from oncocenter.core.errors import FieldProblem, ValidationFailed
from oncocenter.core.permissions import require
from oncocenter.patients.models import Patient
from oncocenter.patients.models_breakglass import (
    BREAK_GLASS_REASON_MAX,
    BREAK_GLASS_REASON_MIN,
    BreakGlassAccess,
)


def break_glass_minutes() -> int:
    return int(getattr(settings, "BREAK_GLASS_MINUTES", 60))


def break_glass_open(*, patient: Patient, by: User, reason: str) -> BreakGlassAccess:
    """Open a grant for `by` on `patient` (reason required), audited with the reason."""
    require(by, "breakglass.use")
    reason = (reason or "").strip()
    if len(reason) < BREAK_GLASS_REASON_MIN or len(reason) > BREAK_GLASS_REASON_MAX:
        raise ValidationFailed(
            [
                FieldProblem(
                    "reason",
                    _("must be between %(min)d and %(max)d characters")
                    % {"min": BREAK_GLASS_REASON_MIN, "max": BREAK_GLASS_REASON_MAX},
                    label=_("Reason"),
                )
            ]
        )
    now = timezone.now()
    with transaction.atomic():
        grant = BreakGlassAccess.objects.create(
            user=by,
            patient=patient,
            reason=reason,
            opened_at=now,
            expires_at=now + dt.timedelta(minutes=break_glass_minutes()),
        )
        audit_record(
            action=AuditAction.CREATE,
            obj=grant,
            patient=patient,
            detail={
                "break_glass": "opened",
                "reason": reason,
                "expires_at": grant.expires_at.isoformat(),
            },
        )
    return grant


def break_glass_active(*, user: User, mrn: str) -> BreakGlassAccess | None:
    return (
        BreakGlassAccess.objects.filter(user=user, patient__mrn=mrn, expires_at__gt=timezone.now())
        .select_related("patient")
        .order_by("-expires_at")
        .first()
    )


def break_glass_use(user: object, mrn: str, perm: str) -> bool:
    """The core hook: True when `user` holds an open grant on `mrn`; the use is audited."""
    if not isinstance(user, User) or not user.is_authenticated:
        return False
    grant = break_glass_active(user=user, mrn=mrn)
    if grant is None:
        return False
    audit_record(
        action=AuditAction.READ,
        obj=grant,
        patient=grant.patient,
        detail={"break_glass": "used", "permission": perm, "grant": grant.pk},
    )
    return True


def break_glass_report(*, limit: int = 500) -> QuerySet[BreakGlassAccess]:
    return BreakGlassAccess.objects.select_related("user", "patient").order_by("-opened_at", "-id")[
        :limit
    ]
