"""Sessions and deliveries: record treatment, missed sessions, HDR details, corrections."""

from __future__ import annotations

from django.http import HttpRequest
from ninja import Router, Status

from oncocenter.core.permissions import require
from oncocenter.radiotherapy import services as s
from oncocenter.radiotherapy.api._common import _get, _machine, _me, _user, delivery_out
from oncocenter.radiotherapy.models import (
    Delivery,
    Fraction,
)
from oncocenter.radiotherapy.schemas import (
    RtBrachyIn,
    RtCorrectionIn,
    RtDeliveryIn,
    RtDeliveryOut,
    RtIdOut,
    RtReasonIn,
)

router = Router(tags=["radiotherapy"])


# --- sessions and deliveries -------------------------------------------------------------------------------


@router.post("/fractions/{fraction_id}/deliveries", response={201: RtDeliveryOut})
def delivery_record(request: HttpRequest, fraction_id: int, payload: RtDeliveryIn):
    """Record a treated or partially treated session (every interlock checked)."""
    require(request.user, "rt.delivery.record")
    d = s.fraction_record_delivery(
        fraction=_get(Fraction, fraction_id, "fraction"),
        by=_me(request),
        delivered_at=payload.delivered_at,
        machine=_machine(payload.machine),
        identifiers=payload.identifiers,
        meterset_delivered=payload.meterset_delivered,
        partial=payload.partial,
        notes=payload.notes,
        late_entry_reason=payload.late_entry_reason,
        override_reason=payload.override_reason,
    )
    return Status(201, delivery_out(d))


@router.post("/fractions/{fraction_id}/missed", response=RtIdOut)
def fraction_missed(request: HttpRequest, fraction_id: int, payload: RtReasonIn):
    require(request.user, "rt.schedule")
    f = s.fraction_mark_missed(
        fraction=_get(Fraction, fraction_id, "fraction"), by=_me(request), reason=payload.reason
    )
    return {"id": f.pk, "status": f.status}


@router.put("/fractions/{fraction_id}/brachy", response=RtIdOut)
def brachy(request: HttpRequest, fraction_id: int, payload: RtBrachyIn):
    require(request.user, "rt.brachy.record")
    session = s.brachy_session_set(
        fraction=_get(Fraction, fraction_id, "fraction"),
        by=_me(request),
        applicator=payload.applicator,
        room=payload.room,
        afterloader=_machine(payload.afterloader, "afterloader"),
        anesthesia=payload.anesthesia,
        physician_present=_user(payload.physician_present, "physician_present"),
        physicist_present=_user(payload.physicist_present, "physicist_present"),
        anesthesiologist=_user(payload.anesthesiologist, "anesthesiologist"),
        notes=payload.notes,
    )
    return {"id": session.pk, "status": "recorded"}


@router.post("/deliveries/{delivery_id}/entered-in-error", response=RtDeliveryOut)
def delivery_in_error(request: HttpRequest, delivery_id: int, payload: RtReasonIn):
    require(request.user, "rt.delivery.correct")
    d = s.delivery_mark_entered_in_error(
        delivery=_get(Delivery, delivery_id, "delivery"), by=_me(request), reason=payload.reason
    )
    return delivery_out(d)


@router.post("/deliveries/{delivery_id}/correct", response={201: RtDeliveryOut})
def delivery_correct(request: HttpRequest, delivery_id: int, payload: RtCorrectionIn):
    require(request.user, "rt.delivery.correct")
    d = s.delivery_correct(
        delivery=_get(Delivery, delivery_id, "delivery"),
        by=_me(request),
        reason=payload.reason,
        meterset_delivered=payload.meterset_delivered,
        delivered_at=payload.delivered_at,
        partial=payload.partial,
    )
    return Status(201, delivery_out(d))
