"""Writes for tumor boards. A recommendation needs a quorum and creates its referrals and workup
orders in the same transaction: all of them or none."""

from __future__ import annotations

import datetime as dt
from typing import TypedDict

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from oncocenter.accounts.models import User
from oncocenter.audit.models import AuditAction
from oncocenter.audit.services import audit_record
from oncocenter.core.errors import Conflict, FieldProblem, ValidationFailed
from oncocenter.mdt.models import (
    Attendance,
    BoardCase,
    BoardType,
    Intent,
    Meeting,
    MeetingStatus,
    Recommendation,
)
from oncocenter.mdt.selectors import case_summary, meeting_quorum
from oncocenter.oncology.models import Diagnosis, Modality
from oncocenter.oncology.services import workup_order_create
from oncocenter.patients.checks import check_same_patient
from oncocenter.patients.models import Patient
from oncocenter.referrals.models import Department
from oncocenter.referrals.services import referral_create
from oncocenter.trials.models import Study


class BoardReferral(TypedDict, total=False):
    """A referral the board recommends: `to_department` and `reason` (`urgency` routine)."""

    to_department: str
    reason: str
    urgency: str


class BoardOrder(TypedDict, total=False):
    """A diagnostic order the board recommends."""

    department: str
    test_name: str


def meeting_create(
    *,
    board_type: BoardType,
    by: User,
    held_on: dt.date | str,
    location: str = "",
    chair: User | None = None,
) -> Meeting:
    """Plan a board meeting (not more than a year back, for late documentation)."""
    if isinstance(held_on, str):
        try:
            held_on = dt.date.fromisoformat(held_on)
        except ValueError:
            raise ValidationFailed.single(
                "held_on", _("must be a date written YYYY-MM-DD"), held_on
            ) from None
    if held_on < timezone.localdate() - dt.timedelta(days=365):
        raise ValidationFailed.single(
            "held_on", _("cannot be more than a year ago"), held_on.isoformat()
        )
    meeting = Meeting(
        board_type=board_type, held_on=held_on, location=location.strip(), chair=chair
    )
    with transaction.atomic():
        meeting.save()
        audit_record(action=AuditAction.CREATE, obj=meeting, detail={"board": board_type.code})
    return meeting


def attendance_record(*, meeting: Meeting, by: User, user: User, discipline: str) -> Attendance:
    """Record that `user` attends `meeting` for a discipline (counted for the quorum)."""
    if discipline not in Department.values:
        raise ValidationFailed.single("discipline", _("is not a known department"), discipline)
    try:
        with transaction.atomic():
            attendance = Attendance.objects.create(
                meeting=meeting, user=user, discipline=discipline
            )
            audit_record(
                action=AuditAction.CREATE, obj=attendance, detail={"discipline": discipline}
            )
    except IntegrityError:
        raise Conflict(
            _("%(user)s is already on the attendance list.") % {"user": user},
            rule="attendance_once",
        ) from None
    return attendance


def case_add(
    *,
    meeting: Meeting,
    by: User,
    patient: Patient,
    question: str,
    diagnosis: Diagnosis | None = None,
) -> BoardCase:
    """List a patient for a meeting with an assembled summary of the record at that moment."""
    problems: list[FieldProblem] = []
    if not question.strip():
        problems.append(FieldProblem("question", _("is required")))
    check_same_patient(problems, "diagnosis", diagnosis, patient)
    if meeting.status != MeetingStatus.PLANNED:
        problems.append(
            FieldProblem(
                "meeting",
                _("is %(status)s; cases are added to planned meetings")
                % {"status": MeetingStatus(meeting.status).label},
                label=gettext_lazy("Meeting"),
            )
        )
    if problems:
        raise ValidationFailed(problems)
    case = BoardCase(
        meeting=meeting,
        patient=patient,
        diagnosis=diagnosis,
        question=question.strip(),
        summary=case_summary(patient=patient),
        presented_by=by,
    )
    try:
        with transaction.atomic():
            case.save()
            audit_record(
                action=AuditAction.CREATE, obj=case, patient=patient, detail={"meeting": meeting.pk}
            )
    except IntegrityError:
        raise Conflict(
            _("The patient is already on this meeting's case list."), rule="board_case_once"
        ) from None
    return case


def _prefixed(exc: ValidationFailed, prefix: str) -> ValidationFailed:
    """The problems of one referral or order of the recommendation, named by their position."""
    return ValidationFailed(
        [FieldProblem(f"{prefix}.{p.field}", p.message, p.value, p.label) for p in exc.problems]
    )


def recommendation_record(
    *,
    case: BoardCase,
    by: User,
    intent: str,
    modalities: list[str],
    from_department: str,
    sequence_note: str = "",
    trial: Study | None = None,
    note: str = "",
    referrals: list[BoardReferral] | None = None,
    orders: list[BoardOrder] | None = None,
) -> Recommendation:
    """Record the board's recommendation; each referral and order it names is created at once."""
    problems: list[FieldProblem] = []
    if intent not in Intent.values:
        problems.append(
            FieldProblem(
                "intent",
                _("must be one of %(choices)s") % {"choices": ", ".join(Intent.values)},
                intent,
            )
        )
    for m in modalities:
        if m not in Modality.values:
            problems.append(
                FieldProblem(
                    "modalities",
                    _("must be among %(choices)s") % {"choices": ", ".join(Modality.values)},
                    m,
                )
            )
    if hasattr(case, "recommendation"):
        raise Conflict(_("This case already has a recommendation."), rule="recommendation_once")
    if problems:
        raise ValidationFailed(problems)
    quorum = meeting_quorum(case.meeting)
    if not quorum.met:
        missing = [str(Department(d).label) for d in quorum.missing]
        raise Conflict(
            _("No quorum: missing %(disciplines)s.") % {"disciplines": ", ".join(missing)},
            rule="quorum",
            problems=[
                FieldProblem(
                    "attendance", _("missing required discipline"), d, gettext_lazy("Attendance")
                )
                for d in quorum.missing
            ],
        )
    with transaction.atomic():
        rec = Recommendation.objects.create(
            case=case,
            intent=intent,
            modalities=list(modalities),
            sequence_note=sequence_note.strip(),
            trial=trial,
            note=note.strip(),
            quorum_met=True,
            missing_disciplines=[],
            recorded_by=by,
        )
        made_referrals = []
        for i, spec in enumerate(referrals or []):
            try:
                made_referrals.append(
                    referral_create(
                        patient=case.patient,
                        by=by,
                        diagnosis=case.diagnosis,
                        from_department=from_department,
                        to_department=spec.get("to_department", ""),
                        reason=spec.get("reason", ""),
                        urgency=spec.get("urgency") or "routine",
                    )
                )
            except ValidationFailed as exc:
                raise _prefixed(exc, f"referrals[{i}]") from None
        made_orders = []
        for i, order in enumerate(orders or []):
            try:
                made_orders.append(
                    workup_order_create(
                        patient=case.patient,
                        by=by,
                        diagnosis=case.diagnosis,
                        department=order.get("department", ""),
                        test_name=order.get("test_name", ""),
                    )
                )
            except ValidationFailed as exc:
                raise _prefixed(exc, f"orders[{i}]") from None
        rec.referrals.set(made_referrals)
        rec.orders.set(made_orders)
        audit_record(
            action=AuditAction.CREATE,
            obj=rec,
            patient=case.patient,
            detail={
                "intent": intent,
                "modalities": modalities,
                "referrals": len(made_referrals),
                "orders": len(made_orders),
                "trial": trial.code if trial else "",
            },
        )
    return rec


def meeting_close(*, meeting: Meeting, by: User) -> Meeting:
    """Mark a planned meeting as held; no case is added afterwards."""
    if meeting.status != MeetingStatus.PLANNED:
        raise Conflict(
            _("The meeting is already %(status)s.")
            % {"status": MeetingStatus(meeting.status).label},
            rule="meeting_status",
        )
    meeting.status = MeetingStatus.HELD
    with transaction.atomic():
        meeting.save()
        audit_record(action=AuditAction.UPDATE, obj=meeting, detail={"status": "held"})
    return meeting
