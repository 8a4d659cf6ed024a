"""The bed waitlist: re-admission requests, ranked by the same priority policy as clinics."""

from __future__ import annotations

import datetime as dt

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from oncocenter.accounts.models import User
from oncocenter.audit.models import AuditAction
from oncocenter.audit.services import audit_record
from oncocenter.clinics.models import ReadmissionRequest, Urgency, Ward
from oncocenter.core.errors import Conflict, FieldProblem, ValidationFailed
from oncocenter.patients.models import Patient


def readmission_request_create(
    *,
    by: User,
    patient: Patient,
    ward: Ward,
    reason: str,
    urgency: str = "routine",
    requested_on: dt.date | None = None,
) -> ReadmissionRequest:
    """Ask for a bed for a patient (one waiting request per patient)."""
    problems = []
    if urgency not in Urgency.values:
        problems.append(
            FieldProblem(
                "urgency",
                _("must be one of %(choices)s") % {"choices": ", ".join(Urgency.values)},
                urgency,
            )
        )
    if not reason.strip():
        problems.append(FieldProblem("reason", _("is required")))
    requested_on = requested_on or timezone.localdate()
    if requested_on > timezone.localdate():
        problems.append(
            FieldProblem("requested_on", _("cannot be in the future"), str(requested_on))
        )
    if problems:
        raise ValidationFailed(problems)
    try:
        with transaction.atomic():
            req = ReadmissionRequest.objects.create(
                patient=patient,
                ward=ward,
                reason=reason.strip(),
                urgency=urgency,
                requested_on=requested_on,
            )
            audit_record(
                action=AuditAction.CREATE, obj=req, patient=patient, detail={"ward": ward.code}
            )
    except IntegrityError as exc:
        raise Conflict(
            _("The patient already has a waiting re-admission request."),
            rule="already_waiting",
            problems=[FieldProblem("patient", _("already waiting for a bed"), patient.mrn)],
        ) from exc
    return req


def readmission_request_withdraw(*, by: User, request: ReadmissionRequest) -> ReadmissionRequest:
    """Take a waiting request off the bed waitlist."""
    with transaction.atomic():
        req = ReadmissionRequest.objects.select_for_update().get(pk=request.pk)
        if req.status != "waiting":
            raise Conflict(
                _("The request is %(status)s.") % {"status": req.get_status_display()},
                rule="status",
            )
        req.status = "withdrawn"
        req.save(update_fields=["status", "updated_at"])
        audit_record(
            action=AuditAction.UPDATE, obj=req, patient=req.patient, detail={"status": "withdrawn"}
        )
    return req
