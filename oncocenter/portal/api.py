"""Staff JSON API of the portal's symptom alerts (the nurse's worklist, acknowledge, close).
Portal accounts have no API token: the API is for staff only."""

from __future__ import annotations

from typing import Any, cast

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Router

from oncocenter.accounts.models import User
from oncocenter.audit.models import AuditAction
from oncocenter.audit.services import audit_record
from oncocenter.core.access import permission
from oncocenter.core.errors import NotFound
from oncocenter.portal import selectors, services
from oncocenter.portal.models import SymptomAlert
from oncocenter.portal.schemas import PortalSymptomAlertCloseIn, PortalSymptomAlertOut

router = Router(tags=["portal"])


def _by(request: HttpRequest) -> User:
    return cast(User, request.user)


def _out(a: SymptomAlert) -> dict[str, Any]:
    return {
        "id": a.pk,
        "patient_mrn": a.patient.mrn,
        "created_at": a.created_at,
        "summary": a.summary,
        "findings": a.findings,
        "assigned_to": a.assigned_to.username if a.assigned_to else None,
        "status": a.status,
        "outcome": a.outcome,
    }


def _alert(alert_id: int) -> SymptomAlert:
    alert = (
        SymptomAlert.objects.select_related("patient", "assigned_to").filter(pk=alert_id).first()
    )
    if alert is None:
        raise NotFound(_("No alert %(id)s.") % {"id": alert_id})
    return alert


@router.get("/symptom-alerts", response=list[PortalSymptomAlertOut])
@permission("epro.view")
def alerts(request: HttpRequest, include_closed: bool = False):
    """The caller's worklist: alerts of their patients and the unassigned ones."""
    rows = selectors.alerts_for(_by(request), include_closed=include_closed)
    audit_record(
        action=AuditAction.READ,
        object_type="portal.symptom_alerts",
        detail={"api": True, "mrns": sorted({a.patient.mrn for a in rows})},
    )
    return [_out(a) for a in rows]


@router.post("/symptom-alerts/{alert_id}/acknowledge", response=PortalSymptomAlertOut)
@permission("epro.handle")
def acknowledge(request: HttpRequest, alert_id: int):
    alert = services.symptom_alert_acknowledge(by=_by(request), alert=_alert(alert_id))
    return _out(_alert(alert.pk))


@router.post("/symptom-alerts/{alert_id}/close", response=PortalSymptomAlertOut)
@permission("epro.handle")
def close(request: HttpRequest, alert_id: int, payload: PortalSymptomAlertCloseIn):
    alert = services.symptom_alert_close(
        by=_by(request), alert=_alert(alert_id), outcome=payload.outcome, note=payload.note
    )
    return _out(_alert(alert.pk))
