"""Writes for tumor boards. A recommendation needs a quorum and creates its referrals and workup
orders in the same transaction: all of them or none."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone

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
from oncocenter.patients.models import Patient
from oncocenter.referrals.models import Department
from oncocenter.referrals.services import referral_create
from oncocenter.trials.models import Study


def meeting_create(
    *, board_type: BoardType, held_on: dt.date | str, location: str = "", chair: Any = None
) -> Meeting:
    if isinstance(held_on, str):
        try:
            held_on = dt.date.fromisoformat(held_on)
        except ValueError:
            raise ValidationFailed.single(
                "held_on", "must be a date written YYYY-MM-DD", held_on
            ) from None
    if held_on < timezone.localdate() - dt.timedelta(days=365):
        raise ValidationFailed.single(
            "held_on", "cannot be more than a year ago", held_on.isoformat()
        )
    meeting = Meeting(
        board_type=board_type, held_on=held_on, location=location.strip(), chair=chair
    )
    with transaction.atomic():
        meeting.save()
        audit_record(action=AuditAction.CREATE, obj=meeting, detail={"board": board_type.code})
    return meeting


def attendance_record(*, meeting: Meeting, user: Any, discipline: str) -> Attendance:
    if discipline not in Department.values:
        raise ValidationFailed.single("discipline", "is not a known department", discipline)
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
            f"{user} is already on the attendance list.", rule="attendance_once"
        ) from None
    return attendance


def case_add(
    *,
    meeting: Meeting,
    patient: Patient,
    question: str,
    diagnosis: Diagnosis | None = None,
    by: Any = None,
) -> BoardCase:
    """List a patient for a meeting with an assembled summary of the record at that moment."""
    problems: list[FieldProblem] = []
    if not question.strip():
        problems.append(FieldProblem("question", "is required"))
    if diagnosis is not None and diagnosis.patient_id != patient.pk:
        problems.append(FieldProblem("diagnosis", "belongs to another patient", diagnosis.pk))
    if meeting.status != MeetingStatus.PLANNED:
        problems.append(
            FieldProblem("meeting", f"is {meeting.status}; cases are added to planned meetings")
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
            "The patient is already on this meeting's case list.", rule="board_case_once"
        ) from None
    return case


def recommendation_record(
    *,
    case: BoardCase,
    intent: str,
    modalities: list[str],
    from_department: str,
    sequence_note: str = "",
    trial: Study | None = None,
    note: str = "",
    referrals: list[dict[str, str]] | None = None,
    orders: list[dict[str, str]] | None = None,
    by: Any = None,
) -> Recommendation:
    """Record the board's recommendation; each referral/order spec is created at once.

    referral spec: {"to_department", "reason", "urgency"?}; order spec: {"department", "test_name"}.
    """
    problems: list[FieldProblem] = []
    if intent not in Intent.values:
        problems.append(
            FieldProblem("intent", f"must be one of {', '.join(Intent.values)}", intent)
        )
    for m in modalities:
        if m not in Modality.values:
            problems.append(
                FieldProblem("modalities", f"must be among {', '.join(Modality.values)}", m)
            )
    if hasattr(case, "recommendation"):
        raise Conflict("This case already has a recommendation.", rule="recommendation_once")
    if problems:
        raise ValidationFailed(problems)
    quorum = meeting_quorum(case.meeting)
    if not quorum.met:
        raise Conflict(
            "No quorum: missing " + ", ".join(quorum.missing) + ".",
            rule="quorum",
            problems=[
                FieldProblem("attendance", "missing required discipline", d) for d in quorum.missing
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
                        diagnosis=case.diagnosis,
                        from_department=from_department,
                        to_department=spec.get("to_department", ""),
                        reason=spec.get("reason", ""),
                        urgency=spec.get("urgency") or "routine",
                        requested_by=by,
                    )
                )
            except ValidationFailed as exc:
                raise ValidationFailed(
                    [
                        FieldProblem(f"referrals[{i}].{p.field}", p.message, p.value)
                        for p in exc.problems
                    ]
                ) from None
        made_orders = []
        for i, spec in enumerate(orders or []):
            try:
                made_orders.append(
                    workup_order_create(
                        patient=case.patient,
                        diagnosis=case.diagnosis,
                        department=spec.get("department", ""),
                        test_name=spec.get("test_name", ""),
                        ordered_by=by,
                    )
                )
            except ValidationFailed as exc:
                raise ValidationFailed(
                    [
                        FieldProblem(f"orders[{i}].{p.field}", p.message, p.value)
                        for p in exc.problems
                    ]
                ) from None
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


def meeting_close(*, meeting: Meeting) -> Meeting:
    if meeting.status != MeetingStatus.PLANNED:
        raise Conflict(f"The meeting is already {meeting.status}.", rule="meeting_status")
    meeting.status = MeetingStatus.HELD
    with transaction.atomic():
        meeting.save()
        audit_record(action=AuditAction.UPDATE, obj=meeting, detail={"status": "held"})
    return meeting
