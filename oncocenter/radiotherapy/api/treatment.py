"""Sessions and deliveries: record treatment, missed sessions, HDR details, corrections."""

from __future__ import annotations

from django.http import HttpRequest
from ninja import File, Form, Router, Status
from ninja.files import UploadedFile

from oncocenter.core.access import permission
from oncocenter.core.limits import TEXT_MAX
from oncocenter.radiotherapy import services as s
from oncocenter.radiotherapy.api._common import _get, _machine, _me, _upload, _user, delivery_out
from oncocenter.radiotherapy.models import (
    Delivery,
    Fraction,
    ImageReview,
)
from oncocenter.radiotherapy.schemas import (
    RtBrachyIn,
    RtCorrectionIn,
    RtDeliveryIn,
    RtDeliveryOut,
    RtIdOut,
    RtImageReviewIn,
    RtImageReviewOut,
    RtImageReviewSignIn,
    RtReasonIn,
)

router = Router(tags=["radiotherapy"])


# --- sessions and deliveries -------------------------------------------------------------------------------


@router.post("/fractions/{fraction_id}/deliveries", response={201: RtDeliveryOut})
@permission("rt.delivery.record")
def delivery_record(request: HttpRequest, fraction_id: int, payload: RtDeliveryIn):
    """Record a treated or partially treated session (every interlock checked)."""
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


@router.post("/treatment-records", response={201: RtDeliveryOut})
@permission("rt.delivery.record")
def treatment_record_import(
    request: HttpRequest,
    file: File[UploadedFile],
    late_entry_reason: str = Form("", max_length=TEXT_MAX),
    override_reason: str = Form("", max_length=TEXT_MAX),
):
    """Record a delivery from a DICOM RT Beams Treatment Record (console export). Refused (409
    `treatment_record_mismatch`, every difference listed, nothing saved) unless the plan UID,
    patient, machine, fraction number and each beam's delivered MU match."""
    content = _upload(file)
    d = s.treatment_record_import(
        content=content,
        by=_me(request),
        source="api",
        late_entry_reason=late_entry_reason,
        override_reason=override_reason,
    )
    return Status(201, delivery_out(d))


@router.post("/fractions/{fraction_id}/missed", response=RtIdOut)
@permission("rt.schedule")
def fraction_missed(request: HttpRequest, fraction_id: int, payload: RtReasonIn):
    f = s.fraction_mark_missed(
        fraction=_get(Fraction, fraction_id, "fraction"), by=_me(request), reason=payload.reason
    )
    return {"id": f.pk, "status": f.status}


@router.put("/fractions/{fraction_id}/brachy", response=RtIdOut)
@permission("rt.brachy.record")
def brachy(request: HttpRequest, fraction_id: int, payload: RtBrachyIn):
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
@permission("rt.delivery.correct")
def delivery_in_error(request: HttpRequest, delivery_id: int, payload: RtReasonIn):
    d = s.delivery_mark_entered_in_error(
        delivery=_get(Delivery, delivery_id, "delivery"), by=_me(request), reason=payload.reason
    )
    return delivery_out(d)


@router.post("/deliveries/{delivery_id}/correct", response={201: RtDeliveryOut})
@permission("rt.delivery.correct")
def delivery_correct(request: HttpRequest, delivery_id: int, payload: RtCorrectionIn):
    d = s.delivery_correct(
        delivery=_get(Delivery, delivery_id, "delivery"),
        by=_me(request),
        reason=payload.reason,
        meterset_delivered=payload.meterset_delivered,
        delivered_at=payload.delivered_at,
        partial=payload.partial,
    )
    return Status(201, delivery_out(d))


# --- treatment images ---------------------------------------------------------------------------------


def image_review_out(r: ImageReview) -> dict[str, object]:
    return {
        "id": r.pk,
        "delivery_id": r.delivery_id,
        "kind": r.kind,
        "shift_lat_mm": r.shift_lat_mm,
        "shift_long_mm": r.shift_long_mm,
        "shift_vert_mm": r.shift_vert_mm,
        "tolerance_mm": r.tolerance_mm,
        "needs_review": r.needs_review,
        "approved_by": r.approved_by.get_username(),
        "approved_at": r.approved_at,
        "reviewed_by": r.reviewed_by.get_username() if r.reviewed_by else None,
        "reviewed_at": r.reviewed_at,
        "review_note": r.review_note,
    }


@router.post("/deliveries/{delivery_id}/image-review", response={201: RtImageReviewOut})
@permission("rt.delivery.record")
def image_review_record(request: HttpRequest, delivery_id: int, payload: RtImageReviewIn):
    """Approve the treatment images of a delivery: imaging kind and couch shifts (mm); shifts
    above the tolerance put it on the physician's offline review worklist."""
    r = s.image_review_record(
        delivery=_get(Delivery, delivery_id, "delivery"),
        by=_me(request),
        kind=payload.kind,
        shift_lat_mm=payload.shift_lat_mm,
        shift_long_mm=payload.shift_long_mm,
        shift_vert_mm=payload.shift_vert_mm,
    )
    return Status(201, image_review_out(r))


@router.post("/image-reviews/{review_id}/sign", response=RtImageReviewOut)
@permission("rt.review.record")
def image_review_sign(request: HttpRequest, review_id: int, payload: RtImageReviewSignIn):
    """The physician signs the offline review of out-of-tolerance treatment images."""
    r = s.image_review_sign(
        review=_get(ImageReview, review_id, "image review"), by=_me(request), note=payload.note
    )
    return image_review_out(r)
