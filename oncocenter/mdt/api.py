"""Tumor-board API: meetings, attendance and quorum, cases, recommendations, board-to-treatment."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Router, Status

from oncocenter.accounts.models import User
from oncocenter.accounts.selectors import current_user
from oncocenter.core.access import permission
from oncocenter.core.errors import NotFound, ValidationFailed
from oncocenter.mdt import selectors, services
from oncocenter.mdt.models import BoardCase, BoardType, Meeting
from oncocenter.mdt.schemas import (
    BoardAttendanceIn,
    BoardCaseIn,
    BoardCaseOut,
    BoardMeetingIn,
    BoardMeetingOut,
    BoardQuorumOut,
    BoardRecommendationIn,
    BoardRecommendationOut,
    BoardTimeOut,
)
from oncocenter.oncology.models import Diagnosis
from oncocenter.patients.selectors import patient_get
from oncocenter.trials.models import Study

router = Router(tags=["mdt"])


def get_meeting(pk: int) -> Meeting:
    meeting = Meeting.objects.select_related("board_type").filter(pk=pk).first()
    if meeting is None:
        raise NotFound(_("No meeting %(id)s.") % {"id": pk})
    return meeting


def quorum_out(meeting: Meeting) -> dict[str, Any]:
    q = selectors.meeting_quorum(meeting)
    return {
        "met": q.met,
        "required": list(q.required),
        "present": list(q.present),
        "missing": list(q.missing),
    }


def meeting_out(meeting: Meeting) -> dict[str, Any]:
    return {
        "id": meeting.pk,
        "board_type": meeting.board_type.code,
        "held_on": meeting.held_on,
        "location": meeting.location,
        "status": meeting.status,
        "quorum": quorum_out(meeting),
        "cases": [
            {"id": c.pk, "mrn": c.patient.mrn, "question": c.question, "summary": c.summary}
            for c in meeting.cases.select_related("patient")
        ],
    }


@router.post("/meetings", response={201: BoardMeetingOut})
@permission("mdt.manage")
def meeting_create(request: HttpRequest, payload: BoardMeetingIn) -> Any:
    board = BoardType.objects.filter(code=payload.board_type).first()
    if board is None:
        raise ValidationFailed.single("board_type", _("is not a board type"), payload.board_type)
    by = current_user(request)
    meeting = services.meeting_create(
        board_type=board, by=by, held_on=payload.held_on, location=payload.location, chair=by
    )
    return Status(201, meeting_out(meeting))


@router.get("/meetings/{pk}", response=BoardMeetingOut)
@permission("mdt.view")
def meeting_read(request: HttpRequest, pk: int) -> Any:
    meeting = get_meeting(pk)
    selectors.meeting_audit_read(meeting)
    return meeting_out(meeting)


@router.post("/meetings/{pk}/attendance", response={201: BoardQuorumOut})
@permission("mdt.manage")
def attendance(request: HttpRequest, pk: int, payload: BoardAttendanceIn) -> Any:
    meeting = get_meeting(pk)
    user = User.objects.filter(username=payload.username, is_active=True).first()
    if user is None:
        raise ValidationFailed.single(
            "username", _("is not an active staff member"), payload.username
        )
    services.attendance_record(
        meeting=meeting, by=current_user(request), user=user, discipline=payload.discipline
    )
    return Status(201, quorum_out(meeting))


@router.post("/meetings/{pk}/cases", response={201: BoardCaseOut})
@permission("mdt.manage")
def case_add(request: HttpRequest, pk: int, payload: BoardCaseIn) -> Any:
    meeting = get_meeting(pk)
    patient = patient_get(mrn=payload.mrn, audit=False)
    diagnosis = None
    if payload.diagnosis_id is not None:
        diagnosis = Diagnosis.objects.filter(pk=payload.diagnosis_id, patient=patient).first()
        if diagnosis is None:
            raise ValidationFailed.single(
                "diagnosis_id", _("is not a diagnosis of this patient"), payload.diagnosis_id
            )
    case = services.case_add(
        meeting=meeting,
        by=current_user(request),
        patient=patient,
        question=payload.question,
        diagnosis=diagnosis,
    )
    return Status(
        201, {"id": case.pk, "mrn": patient.mrn, "question": case.question, "summary": case.summary}
    )


@router.post("/cases/{pk}/recommendation", response={201: BoardRecommendationOut})
@permission("mdt.recommend")
def recommend(request: HttpRequest, pk: int, payload: BoardRecommendationIn) -> Any:
    """Record the recommendation; its referrals and orders are created in the same step."""
    case = (
        BoardCase.objects.select_related("meeting__board_type", "patient", "diagnosis")
        .filter(pk=pk)
        .first()
    )
    if case is None:
        raise NotFound(_("No board case %(id)s.") % {"id": pk})
    trial = None
    if payload.trial_id is not None:
        trial = Study.objects.filter(pk=payload.trial_id).first()
        if trial is None:
            raise ValidationFailed.single("trial_id", _("is not a study"), payload.trial_id)
    rec = services.recommendation_record(
        case=case,
        by=current_user(request),
        intent=payload.intent,
        modalities=payload.modalities,
        from_department=payload.from_department,
        sequence_note=payload.sequence_note,
        trial=trial,
        note=payload.note,
        referrals=[
            {"to_department": r.to_department, "reason": r.reason, "urgency": r.urgency}
            for r in payload.referrals
        ],
        orders=[{"department": o.department, "test_name": o.test_name} for o in payload.orders],
    )
    return Status(
        201,
        {
            "id": rec.pk,
            "intent": rec.intent,
            "modalities": rec.modalities,
            "referral_ids": [r.pk for r in rec.referrals.all()],
            "order_ids": [o.pk for o in rec.orders.all()],
        },
    )


@router.get("/board-to-treatment", response=list[BoardTimeOut])
@permission("mdt.view")
def board_to_treatment(request: HttpRequest) -> Any:
    return [
        {
            "board_type": code,
            "count": d["count"],
            "pending": d["pending"],
            "median_days": d["median"],
        }
        for code, d in selectors.board_to_treatment_days().items()
    ]
