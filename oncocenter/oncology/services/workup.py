"""Diagnostic workup orders: ordered -> in progress -> resulted (or cancelled)."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from oncocenter.accounts.models import User
from oncocenter.audit.models import AuditAction
from oncocenter.audit.services import audit_record
from oncocenter.core.errors import Conflict, FieldProblem, ValidationFailed
from oncocenter.oncology.models import Diagnosis, WorkupDepartment, WorkupOrder, WorkupStatus
from oncocenter.oncology.services._checks import check_choice
from oncocenter.patients.checks import check_moment, check_same_patient
from oncocenter.patients.models import Patient


def workup_order_create(
    *,
    patient: Patient,
    by: User,
    department: str,
    test_name: str,
    diagnosis: Diagnosis | None = None,
    ordered_at: dt.datetime | None = None,
) -> WorkupOrder:
    """Order a test from pathology, radiology, laboratory medicine or nuclear medicine."""
    problems: list[FieldProblem] = []
    check_choice(problems, "department", department, WorkupDepartment)
    if not test_name.strip():
        problems.append(FieldProblem("test_name", _("is required")))
    check_same_patient(problems, "diagnosis", diagnosis, patient)
    ordered_at = check_moment(problems, "ordered_at", ordered_at, label=gettext_lazy("Ordered at"))
    if problems:
        raise ValidationFailed(problems)
    order = WorkupOrder(
        patient=patient,
        diagnosis=diagnosis,
        department=department,
        test_name=test_name.strip(),
        ordered_at=ordered_at,
        ordered_by=by,
    )
    with transaction.atomic():
        order.save()
        audit_record(
            action=AuditAction.CREATE,
            obj=order,
            patient=patient,
            detail={"department": department, "test": order.test_name},
        )
    return order


WORKUP_TRANSITIONS = {
    WorkupStatus.ORDERED: {WorkupStatus.IN_PROGRESS, WorkupStatus.RESULTED, WorkupStatus.CANCELLED},
    WorkupStatus.IN_PROGRESS: {WorkupStatus.RESULTED, WorkupStatus.CANCELLED},
    WorkupStatus.RESULTED: set(),
    WorkupStatus.CANCELLED: set(),
}


def workup_order_advance(
    *,
    order: WorkupOrder,
    by: User,
    status: str,
    result_summary: str = "",
    at: dt.datetime | None = None,
) -> WorkupOrder:
    """Move an order along ordered -> in-progress -> resulted (or cancelled); a result needs a summary."""
    problems: list[FieldProblem] = []
    check_choice(problems, "status", status, WorkupStatus)
    if problems:
        raise ValidationFailed(problems)
    allowed = WORKUP_TRANSITIONS[WorkupStatus(order.status)]
    if status not in allowed:
        current, wanted = WorkupStatus(order.status).label, WorkupStatus(status).label
        raise Conflict(
            _("A %(current)s order cannot become %(wanted)s.")
            % {"current": current, "wanted": wanted},
            rule="workup_status_flow",
            problems=[
                FieldProblem(
                    "status", _("cannot follow %(current)s") % {"current": current}, status
                )
            ],
        )
    at = at or timezone.now()
    if at < order.ordered_at:
        raise ValidationFailed(
            [
                FieldProblem(
                    "at",
                    _("cannot be before the order time"),
                    at.isoformat(),
                    label=gettext_lazy("Time"),
                )
            ]
        )
    if status == WorkupStatus.RESULTED and not result_summary.strip():
        raise ValidationFailed.single("result_summary", _("is required to report a result"))
    with transaction.atomic():
        locked = WorkupOrder.objects.select_for_update().get(pk=order.pk)
        if locked.status != order.status:
            raise Conflict(_("The order changed meanwhile; reload it."), rule="stale")
        locked.status = status
        if status == WorkupStatus.IN_PROGRESS:
            locked.started_at = at
        if status == WorkupStatus.RESULTED:
            locked.resulted_at = at
            locked.result_summary = result_summary.strip()
            locked.resulted_by = by
        locked.save()
        audit_record(
            action=AuditAction.UPDATE, obj=locked, patient=locked.patient, detail={"status": status}
        )
    return locked
