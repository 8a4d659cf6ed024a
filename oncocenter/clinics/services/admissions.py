"""Wards, beds and admissions: admit, transfer, discharge, under a ward row lock."""

from __future__ import annotations

import datetime as dt

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from oncocenter.accounts.models import User
from oncocenter.audit.models import AuditAction
from oncocenter.audit.services import audit_record
from oncocenter.clinics import selectors
from oncocenter.clinics.models import Admission, Bed, BedMove, ReadmissionRequest, Ward
from oncocenter.core.errors import Conflict, FieldProblem, ValidationFailed
from oncocenter.patients.models import Center, Patient

# A clock a few minutes ahead of the server's still records "now".
CLOCK_SKEW = dt.timedelta(minutes=5)


def ward_create(
    *, by: User, code: str, name: str, center: Center | None = None, beds: int = 0
) -> Ward:
    """Create a ward with `beds` beds numbered 01, 02, ..."""
    code = code.strip().upper()
    problems = []
    if not code or len(code) > 20:
        problems.append(FieldProblem("code", _("is required (at most 20 characters)"), code))
    if not name.strip():
        problems.append(FieldProblem("name", _("is required")))
    if not 0 <= beds <= 200:
        problems.append(FieldProblem("beds", _("must be between 0 and 200"), beds))
    if problems:
        raise ValidationFailed(problems)
    try:
        with transaction.atomic():
            ward = Ward.objects.create(code=code, name=name.strip(), center=center)
            Bed.objects.bulk_create(Bed(ward=ward, code=f"{i + 1:02d}") for i in range(beds))
            audit_record(action=AuditAction.CREATE, obj=ward, detail={"beds": beds})
    except IntegrityError as exc:
        raise Conflict(
            _("Ward %(code)s exists.") % {"code": code},
            rule="ward_exists",
            problems=[FieldProblem("code", _("already exists"), code)],
        ) from exc
    return ward


def admission_admit(
    *,
    by: User,
    patient: Patient,
    ward: Ward,
    admitted_at: dt.datetime,
    bed: Bed | None = None,
    reason: str = "",
    request: ReadmissionRequest | None = None,
) -> Admission:
    """Admit into a free in-service bed of the ward (the given bed, or the first free one).

    The ward row is locked so concurrent admissions queue; one current admission per bed and
    per patient are database constraints, so occupancy never exceeds the beds in service.
    Admitting from a re-admission request closes the request.
    """
    if admitted_at > timezone.now() + CLOCK_SKEW:
        raise ValidationFailed.single(
            "admitted_at", _("cannot be in the future"), admitted_at.isoformat()
        )
    if bed is not None and bed.ward_id != ward.pk:
        raise ValidationFailed.single(
            "bed", _("is not in ward %(ward)s") % {"ward": ward.code}, str(bed)
        )
    try:
        with transaction.atomic():
            Ward.objects.select_for_update().get(pk=ward.pk)
            if Admission.objects.filter(patient=patient, status="admitted").exists():
                raise Conflict(
                    _("The patient is already admitted."),
                    rule="already_admitted",
                    problems=[FieldProblem("patient", _("is already admitted"), patient.mrn)],
                )
            occupied = Admission.objects.filter(bed__ward=ward, status="admitted").values_list(
                "bed_id", flat=True
            )
            free = Bed.objects.filter(ward=ward, in_service=True).exclude(pk__in=list(occupied))
            chosen: Bed | None
            if bed is not None:
                if not free.filter(pk=bed.pk).exists():
                    raise Conflict(
                        _("Bed %(bed)s is occupied or out of service.") % {"bed": bed},
                        rule="bed_taken",
                        problems=[
                            FieldProblem("bed", _("is occupied or out of service"), str(bed))
                        ],
                    )
                chosen = bed
            else:
                chosen = free.order_by("code").first()
                if chosen is None:
                    raise Conflict(
                        _("Ward %(ward)s is full.") % {"ward": ward.code},
                        rule="ward_full",
                        problems=[FieldProblem("ward", _("has no free bed"), ward.code)],
                    )
            adm = Admission.objects.create(
                patient=patient,
                bed=chosen,
                admitted_at=admitted_at,
                reason=reason.strip(),
                previously_treated=selectors.patient_previously_treated(patient),
                readmission_request=request,
            )
            if request is not None:
                ReadmissionRequest.objects.filter(pk=request.pk).update(
                    status="admitted", updated_at=timezone.now()
                )
            audit_record(
                action=AuditAction.CREATE,
                obj=adm,
                patient=patient,
                detail={"bed": str(chosen), "admitted_at": admitted_at.isoformat()},
            )
    except IntegrityError as exc:
        raise Conflict(
            _("The bed or the patient was admitted at the same moment; try again."),
            rule="bed_taken",
            problems=[FieldProblem("bed", _("was just taken"))],
        ) from exc
    return adm


def admission_transfer(
    *,
    by: User,
    admission: Admission,
    to_bed: Bed,
    moved_at: dt.datetime | None = None,
    reason: str = "",
) -> Admission:
    """Move a current admission to a free bed (logged as a `BedMove`)."""
    moved_at = moved_at or timezone.now()
    try:
        with transaction.atomic():
            Ward.objects.select_for_update().get(pk=to_bed.ward_id)
            adm = (
                Admission.objects.select_for_update()
                .select_related("bed", "patient")
                .get(pk=admission.pk)
            )
            if adm.status != "admitted":
                raise Conflict(_("Only a current admission can be transferred."), rule="status")
            if moved_at < adm.admitted_at:
                raise ValidationFailed.single(
                    "moved_at", _("is before the admission"), moved_at.isoformat()
                )
            if to_bed.pk == adm.bed_id:
                raise ValidationFailed.single("to_bed", _("is the current bed"), str(to_bed))
            if (
                not to_bed.in_service
                or Admission.objects.filter(bed=to_bed, status="admitted").exists()
            ):
                raise Conflict(
                    _("Bed %(bed)s is occupied or out of service.") % {"bed": to_bed},
                    rule="bed_taken",
                    problems=[
                        FieldProblem("to_bed", _("is occupied or out of service"), str(to_bed))
                    ],
                )
            from_bed = adm.bed
            adm.bed = to_bed
            adm.save(update_fields=["bed", "updated_at"])
            BedMove.objects.create(
                admission=adm,
                from_bed=from_bed,
                to_bed=to_bed,
                moved_at=moved_at,
                moved_by=by,
                reason=reason.strip(),
            )
            audit_record(
                action=AuditAction.UPDATE,
                obj=adm,
                patient=adm.patient,
                detail={"transfer": [str(from_bed), str(to_bed)]},
            )
    except IntegrityError as exc:
        raise Conflict(
            _("The bed was taken at the same moment."),
            rule="bed_taken",
            problems=[FieldProblem("to_bed", _("was just taken"), str(to_bed))],
        ) from exc
    return adm


def admission_discharge(*, by: User, admission: Admission, discharged_at: dt.datetime) -> Admission:
    """Discharge a current admission (not before it began, not in the future)."""
    with transaction.atomic():
        adm = Admission.objects.select_for_update().select_related("patient").get(pk=admission.pk)
        if adm.status != "admitted":
            raise Conflict(
                _("The admission is %(status)s.") % {"status": adm.get_status_display()},
                rule="status",
            )
        if discharged_at < adm.admitted_at:
            raise ValidationFailed.single(
                "discharged_at",
                _("must be on or after the admission (%(admitted)s)")
                % {"admitted": f"{timezone.localtime(adm.admitted_at):%Y-%m-%d %H:%M}"},
                discharged_at.isoformat(),
            )
        if discharged_at > timezone.now() + CLOCK_SKEW:
            raise ValidationFailed.single(
                "discharged_at", _("cannot be in the future"), discharged_at.isoformat()
            )
        adm.status = "discharged"
        adm.discharged_at = discharged_at
        adm.save(update_fields=["status", "discharged_at", "updated_at"])
        audit_record(
            action=AuditAction.UPDATE,
            obj=adm,
            patient=adm.patient,
            detail={"discharged_at": discharged_at.isoformat()},
        )
    return adm
