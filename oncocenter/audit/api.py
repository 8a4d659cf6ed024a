from __future__ import annotations

from datetime import datetime
from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Query, Router, Schema

from oncocenter.audit.models import AuditAction
from oncocenter.audit.selectors import audit_events
from oncocenter.audit.services import audit_record
from oncocenter.core.access import permission
from oncocenter.core.errors import ValidationFailed

router = Router(tags=["audit"])


class AuditEventOut(Schema):
    seq: int
    at: datetime
    actor_username: str
    role: str
    action: str
    object_type: str
    object_id: str
    patient_mrn: str
    client_address: str
    request_id: str
    detail: dict[str, Any]
    hash: str


class AuditEventFilter(Schema):
    patient: str = ""
    user: str = ""
    action: str = ""
    before_seq: int | None = None
    limit: int = 100


@router.get("/events", response=list[AuditEventOut])
@permission("audit.view")
def events(request: HttpRequest, filters: Query[AuditEventFilter]):
    """Audit events, newest first; page with `before_seq`."""
    if filters.action and filters.action not in AuditAction.values:
        raise ValidationFailed.single(
            "action",
            _("must be one of %(values)s") % {"values": ", ".join(AuditAction.values)},
            filters.action,
        )
    if not 1 <= filters.limit <= 1000:
        raise ValidationFailed.single(
            "limit",
            _("must be between %(low)d and %(high)d") % {"low": 1, "high": 1000},
            filters.limit,
        )
    qs = audit_events(patient_mrn=filters.patient, username=filters.user, action=filters.action)
    if filters.before_seq is not None:
        qs = qs.filter(seq__lt=filters.before_seq)
    rows = list(qs[: filters.limit])
    audit_record(
        action=AuditAction.READ,
        object_type="audit.auditevent",
        detail={"patient": filters.patient, "user": filters.user, "count": len(rows)},
    )
    return rows
