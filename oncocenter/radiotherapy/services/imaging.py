"""Treatment images reviewed: per delivery the imaging done, the couch shifts and the therapist's
approval; shifts above the tolerance go to the physician's offline review, signed once."""

from __future__ import annotations

from decimal import Decimal

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from oncocenter.accounts.models import User
from oncocenter.audit.models import AuditAction
from oncocenter.audit.services import audit_record
from oncocenter.core.errors import Conflict, FieldProblem, ValidationFailed
from oncocenter.machines.models import Technique
from oncocenter.radiotherapy.models import Delivery, ImageReview, ImagingKind
from oncocenter.radiotherapy.services._common import (
    RO_CREDENTIALS,
    THERAPIST_CREDENTIALS,
    Number,
    _dec,
)
from oncocenter.radiotherapy.services.signing import _require_signer

#: Couch shift (any axis, mm) above which the physician reviews the images offline.
SHIFT_TOLERANCE_MM = Decimal("5.0")
#: Tighter tolerance for stereotactic techniques.
STEREOTACTIC_TOLERANCE_MM = Decimal("2.0")
MAX_SHIFT_MM = Decimal("50")


def shift_tolerance(technique: str) -> Decimal:
    if technique in (Technique.SBRT, Technique.SRS):
        return STEREOTACTIC_TOLERANCE_MM
    return SHIFT_TOLERANCE_MM


def image_review_record(
    *,
    delivery: Delivery,
    by: User,
    kind: str,
    shift_lat_mm: Number,
    shift_long_mm: Number,
    shift_vert_mm: Number,
) -> ImageReview:
    """The therapist approves the treatment images of one delivery (once)."""
    _require_signer(
        by, "rt.delivery.record", THERAPIST_CREDENTIALS, _("Approving treatment images")
    )
    if kind not in ImagingKind.values:
        raise ValidationFailed.single(
            "kind", _("use %(kinds)s") % {"kinds": ", ".join(ImagingKind.values)}, kind
        )
    shifts = {}
    problems = []
    for name, raw in (
        ("shift_lat_mm", shift_lat_mm),
        ("shift_long_mm", shift_long_mm),
        ("shift_vert_mm", shift_vert_mm),
    ):
        value = _dec(raw, name, places="0.1")
        if abs(value) > MAX_SHIFT_MM:
            problems.append(
                FieldProblem(name, _("more than %(max)s mm") % {"max": MAX_SHIFT_MM}, str(value))
            )
        shifts[name] = value
    if problems:
        raise ValidationFailed(problems, message=_("Couch shifts out of range"))
    with transaction.atomic():
        delivery = (
            Delivery.objects.select_for_update()
            .select_related("fraction__prescription__course__patient")
            .get(pk=delivery.pk)
        )
        if delivery.status != Delivery.Status.RECORDED:
            raise Conflict(
                _("The delivery was entered in error."), rule="delivery_entered_in_error"
            )
        if ImageReview.objects.filter(delivery=delivery).exists():
            raise Conflict(
                _("The images of this treatment are already approved."),
                rule="image_review_exists",
            )
        rx = delivery.fraction.prescription
        tolerance = shift_tolerance(rx.technique)
        needs = max(abs(v) for v in shifts.values()) > tolerance
        try:
            with transaction.atomic():
                review = ImageReview.objects.create(
                    delivery=delivery,
                    kind=kind,
                    tolerance_mm=tolerance,
                    needs_review=needs,
                    approved_by=by,
                    approved_at=timezone.now(),
                    **shifts,
                )
        except IntegrityError as exc:
            raise Conflict(
                _("The images of this treatment are already approved."),
                rule="image_review_exists",
            ) from exc
        audit_record(
            action=AuditAction.CREATE,
            obj=review,
            patient=rx.course.patient,
            detail={"kind": kind, "needs_review": needs, "tolerance_mm": str(tolerance)},
        )
    return review


def image_review_sign(*, review: ImageReview, by: User, note: str = "") -> ImageReview:
    """The physician signs the offline review of images whose shifts exceeded the tolerance."""
    _require_signer(by, "rt.review.record", RO_CREDENTIALS, _("Reviewing treatment images"))
    with transaction.atomic():
        review = (
            ImageReview.objects.select_for_update()
            .select_related("delivery__fraction__prescription__course__patient")
            .get(pk=review.pk)
        )
        if not review.needs_review:
            raise Conflict(
                _("These images were within tolerance: no offline review is needed."),
                rule="image_review_not_needed",
            )
        if review.reviewed_at is not None:
            raise Conflict(_("The offline review is already signed."), rule="image_review_signed")
        review.reviewed_by = by
        review.reviewed_at = timezone.now()
        review.review_note = note.strip()[:300]
        review.save(update_fields=["reviewed_by", "reviewed_at", "review_note"])
        audit_record(
            action=AuditAction.SIGN,
            obj=review,
            patient=review.delivery.fraction.prescription.course.patient,
            detail={"signed": True},
        )
    return review
