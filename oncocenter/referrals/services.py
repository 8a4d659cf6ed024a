"""Writes for referrals: request, then move along the status flow (see ``flow.py``)."""

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
from oncocenter.oncology.models import Diagnosis
from oncocenter.patients.checks import check_moment, check_same_patient
from oncocenter.patients.models import Patient
from oncocenter.referrals import flow
from oncocenter.referrals.models import Department, Referral, ReferralStatus, Urgency


def referral_create(
    *,
    patient: Patient,
    by: User,
    from_department: str,
    to_department: str,
    reason: str,
    urgency: str = Urgency.ROUTINE,
    diagnosis: Diagnosis | None = None,
    requested_at: dt.datetime | None = None,
) -> Referral:
    """Ask another department for a consult. A department cannot refer to itself."""
    problems: list[FieldProblem] = []
    for name, value in (("from_department", from_department), ("to_department", to_department)):
        if value not in Department.values:
            problems.append(FieldProblem(name, _("is not a known department"), value))
    if from_department and from_department == to_department:
        problems.append(
            FieldProblem(
                "to_department", _("cannot be the referring department itself"), to_department
            )
        )
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
    check_same_patient(problems, "diagnosis", diagnosis, patient)
    requested_at = check_moment(
        problems, "requested_at", requested_at, label=gettext_lazy("Requested at")
    )
    if problems:
        raise ValidationFailed(problems)
    referral = Referral(
        patient=patient,
        diagnosis=diagnosis,
        from_department=from_department,
        to_department=to_department,
        reason=reason.strip(),
        urgency=urgency,
        requested_at=requested_at,
        requested_by=by,
    )
    with transaction.atomic():
        referral.save()
        audit_record(
            action=AuditAction.CREATE,
            obj=referral,
            patient=patient,
            detail={"from": from_department, "to": to_department, "urgency": urgency},
        )
    return referral


def _status_label(status: str) -> str:
    return str(ReferralStatus(status).label) if status in ReferralStatus.values else status


def _transition_message(exc: flow.TransitionError, current: str) -> str:
    """The flow's refusal in the reader's language (flow.py is pure Python and speaks English)."""
    if exc.code == "unknown_status":
        return _("is not a referral status")
    if exc.code == "reason_required":
        return _("is required when declining a referral")
    allowed = ", ".join(_status_label(s) for s in sorted(flow.TRANSITIONS[current]))
    return _("cannot follow %(current)s; allowed: %(allowed)s") % {
        "current": _status_label(current),
        "allowed": allowed or _("none (final status)"),
    }


def referral_advance(
    *,
    referral: Referral,
    by: User,
    status: str,
    note: str = "",
    reason: str = "",
    scheduled_for: dt.datetime | None = None,
    at: dt.datetime | None = None,
) -> Referral:
    """Accept, schedule, complete, decline (with a reason) or cancel a referral."""
    try:
        flow.check_transition(referral.status, status, reason=reason)
    except flow.TransitionError as exc:
        message = _transition_message(exc, referral.status)
        if exc.field == "status" and status in flow.STATUSES:
            raise Conflict(
                _("A %(current)s referral cannot become %(wanted)s.")
                % {"current": _status_label(referral.status), "wanted": _status_label(status)},
                rule="referral_status_flow",
                problems=[FieldProblem(exc.field, message, exc.value)],
            ) from None
        raise ValidationFailed.single(exc.field, message, exc.value) from None
    if status == flow.SCHEDULED and scheduled_for is None:
        raise ValidationFailed.single("scheduled_for", _("is required to schedule a consult"))
    at = at or timezone.now()
    if at < referral.requested_at:
        raise ValidationFailed(
            [
                FieldProblem(
                    "at", _("cannot be before the request"), at.isoformat(), gettext_lazy("Time")
                )
            ]
        )
    with transaction.atomic():
        locked = Referral.objects.select_for_update().get(pk=referral.pk)
        if locked.status != referral.status:
            raise Conflict(_("The referral changed meanwhile; reload it."), rule="stale")
        locked.status = status
        if status == flow.ACCEPTED:
            locked.accepted_at = at
        elif status == flow.SCHEDULED:
            locked.accepted_at = locked.accepted_at or at
            locked.scheduled_for = scheduled_for
        elif status == flow.COMPLETED:
            locked.accepted_at = locked.accepted_at or at
            locked.completed_at = at
        else:
            locked.closed_at = at
            locked.decline_reason = reason.strip()
        if note.strip():
            locked.response_note = note.strip()
        if status != flow.CANCELLED:
            locked.responded_by = by
        locked.save()
        audit_record(
            action=AuditAction.UPDATE, obj=locked, patient=locked.patient, detail={"status": status}
        )
    return locked
