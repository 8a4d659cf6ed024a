from __future__ import annotations

from datetime import datetime

from ninja import Schema

from oncocenter.core.schemas import InputSchema


class ReferralIn(InputSchema):
    from_department: str
    to_department: str
    reason: str
    urgency: str = "routine"
    diagnosis_id: int | None = None


class ReferralAdvanceIn(InputSchema):
    status: str
    note: str = ""
    reason: str = ""
    scheduled_for: datetime | None = None


class ReferralOut(Schema):
    id: int
    patient_mrn: str
    from_department: str
    to_department: str
    reason: str
    urgency: str
    status: str
    requested_at: datetime
    accepted_at: datetime | None
    scheduled_for: datetime | None
    completed_at: datetime | None
    decline_reason: str
    response_note: str


class ReferralTurnaroundOut(Schema):
    department: str
    count: int
    median_hours: float | None
    p90_hours: float | None
    mean_hours: float | None
