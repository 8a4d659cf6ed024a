from __future__ import annotations

from datetime import date
from typing import Any

from ninja import Schema


class MeetingIn(Schema):
    board_type: str
    held_on: date
    location: str = ""


class AttendanceIn(Schema):
    username: str
    discipline: str


class QuorumOut(Schema):
    met: bool
    required: list[str]
    present: list[str]
    missing: list[str]


class CaseIn(Schema):
    mrn: str
    question: str
    diagnosis_id: int | None = None


class CaseOut(Schema):
    id: int
    mrn: str
    question: str
    summary: dict[str, Any]


class MeetingOut(Schema):
    id: int
    board_type: str
    held_on: date
    location: str
    status: str
    quorum: QuorumOut
    cases: list[CaseOut]


class ReferralSpec(Schema):
    to_department: str
    reason: str
    urgency: str = "routine"


class OrderSpec(Schema):
    department: str
    test_name: str


class RecommendationIn(Schema):
    intent: str
    modalities: list[str]
    from_department: str
    sequence_note: str = ""
    trial_id: int | None = None
    note: str = ""
    referrals: list[ReferralSpec] = []
    orders: list[OrderSpec] = []


class RecommendationOut(Schema):
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
