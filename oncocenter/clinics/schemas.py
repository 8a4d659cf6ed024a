from __future__ import annotations

from datetime import date, datetime, time

from ninja import Schema
from pydantic import Field

from oncocenter.core.schemas import InputSchema


class ClinicReasonOut(Schema):
    code: str
    text: str
    points: float


class PriorityPolicyOut(Schema):
    prior_treatment_points: float
    urgency_routine_points: float
    urgency_soon_points: float
    urgency_urgent_points: float
    waiting_points_per_day: float
    waiting_points_cap: float
    reserved_share_percent: int
    release_days_before: int


class PriorityPolicyPatch(Schema):
    prior_treatment_points: float | None = None
    urgency_routine_points: float | None = None
    urgency_soon_points: float | None = None
    urgency_urgent_points: float | None = None
    waiting_points_per_day: float | None = None
    waiting_points_cap: float | None = None
    reserved_share_percent: int | None = None
    release_days_before: int | None = None


class ClinicTemplateIn(InputSchema):
    physician: str = Field(description="username of the physician")
    center: str = Field(description="radonc | esophageal | pediatric")
    name: str
    weekday: int = Field(description="0 = Monday ... 6 = Sunday")
    start_time: time
    end_time: time
    slot_minutes: int = 15
    appointment_types: list[str] = Field(default_factory=lambda: ["follow-up"])


class ClinicTemplateOut(Schema):
    id: int
    physician: str
    center: str
    name: str
    weekday: int
    start_time: time
    end_time: time
    slot_minutes: int
    appointment_types: list[str]
    active: bool


class ClinicSessionsGenerateIn(Schema):
    start: date
    end: date


class ClinicSessionOut(Schema):
    id: int
    template_id: int
    name: str
    physician: str
    date: date
    start_time: time
    end_time: time
    status: str
    closed_reason: str
    capacity: int
    booked: int
    free: int


class ClinicSlotOut(Schema):
    id: int
    starts_at: datetime
    ends_at: datetime
    appointment_id: int | None = None
    patient_mrn: str | None = None


class ClinicAppointmentIn(InputSchema):
    slot_id: int
    mrn: str
    appointment_type: str = Field(description="new | on-treatment | follow-up | multidisciplinary")
    reason: str = ""


class ClinicAppointmentOut(Schema):
    id: int
    slot_id: int
    session_id: int
    patient_mrn: str
    starts_at: datetime
    appointment_type: str
    status: str
    previously_treated: bool


class ClinicReasonIn(InputSchema):
    reason: str


class ClinicRescheduleIn(Schema):
    slot_id: int


class ClinicWaitlistIn(InputSchema):
    mrn: str
    center: str
    appointment_type: str
    urgency: str = "routine"
    physician: str | None = Field(None, description="username; empty for any physician")
    requested_on: date | None = None
    note: str = ""


class PriorityRankedOut(Schema):
    id: int
    patient_mrn: str
    urgency: str
    requested_on: date
    status: str
    previously_treated: bool
    score: float
    reasons: list[ClinicReasonOut]
    appointment_type: str | None = None
    offered_slot_id: int | None = None
    ward: str | None = None


class WardOut(Schema):
    code: str
    name: str
    beds_in_service: int
    occupied: int
    free: int


class AdmissionIn(InputSchema):
    mrn: str
    ward: str
    bed: str | None = Field(None, description="bed code in the ward; empty for the first free bed")
    admitted_at: datetime
    reason: str = ""
    request_id: int | None = None


class AdmissionOut(Schema):
    id: int
    patient_mrn: str
    ward: str
    bed: str
    status: str
    admitted_at: datetime
    discharged_at: datetime | None = None


class BedTransferIn(InputSchema):
    to_bed: str = Field(description="'WARD-BED' or a bed code in the same ward")
    moved_at: datetime | None = None
    reason: str = ""


class AdmissionDischargeIn(Schema):
    discharged_at: datetime


class ReadmissionRequestIn(InputSchema):
    mrn: str
    ward: str
    reason: str
    urgency: str = "routine"
    requested_on: date | None = None


class ClinicSessionsGeneratedOut(Schema):
    created: int


class ClinicWaitlistStatusOut(Schema):
    id: int
    status: str


class WardIn(InputSchema):
    code: str
    name: str
    center: str | None = Field(None, description="radonc | esophageal | pediatric")
    beds: int = 0
