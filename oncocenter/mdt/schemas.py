from __future__ import annotations

from datetime import date
from typing import Any

from ninja import Schema

from oncocenter.core.schemas import InputSchema


class BoardMeetingIn(InputSchema):
    board_type: str
    held_on: date
    location: str = ""


class BoardAttendanceIn(InputSchema):
    username: str
    discipline: str


class BoardQuorumOut(Schema):
    met: bool
    required: list[str]
    present: list[str]
    missing: list[str]


class BoardCaseIn(InputSchema):
    mrn: str
    question: str
    diagnosis_id: int | None = None


class BoardCaseOut(Schema):
    id: int
    mrn: str
    question: str
    summary: dict[str, Any]


class BoardMeetingOut(Schema):
    id: int
    board_type: str
    held_on: date
    location: str
    status: str
    quorum: BoardQuorumOut
    cases: list[BoardCaseOut]


class BoardReferralSpec(InputSchema):
    to_department: str
    reason: str
    urgency: str = "routine"


class BoardOrderSpec(InputSchema):
    department: str
    test_name: str


class BoardRecommendationIn(InputSchema):
    intent: str
    modalities: list[str]
    from_department: str
    sequence_note: str = ""
    trial_id: int | None = None
    note: str = ""
    referrals: list[BoardReferralSpec] = []
    orders: list[BoardOrderSpec] = []


class BoardRecommendationOut(Schema):
    id: int
    intent: str
    modalities: list[str]
    referral_ids: list[int]
    order_ids: list[int]


class BoardTimeOut(Schema):
    board_type: str
    count: int
    pending: int
    median_days: float | None
