"""Typed request and response bodies of the support API."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from ninja import Schema


class SedationIn(Schema):
    sedation_required: bool
    sedation_notes: str = ""


class MeasurementIn(Schema):
    measured_on: dt.date
    height: float
    weight: float
    height_unit: str = "cm"
    weight_unit: str = "kg"


class MeasurementOut(Schema):
    id: int
    measured_on: dt.date
    height_cm: Decimal
    weight_kg: Decimal
    bsa_m2: Decimal
    warnings: list[str] = []


class DiagnosisOut(Schema):
    text: str
    icd10_code: str = ""
    diagnosed_on: dt.date | None = None
    iccc_group: str = ""
    iccc_label: str = ""


class PediatricOut(Schema):
    mrn: str
    age_years: int
    sedation_required: bool
    sedation_notes: str
    latest_measurement: MeasurementOut | None = None
    lansky_score: int | None = None
    lansky_text: str = ""
    diagnoses: list[DiagnosisOut] = []


class HSCTIn(Schema):
    indication: str
    donor_type: str
    stem_cell_source: str = ""
    hla_match: str = ""
    conditioning_regimen: str = ""
    conditioning_details: str = ""
    conditioning_start: dt.date | None = None
    day0: dt.date | None = None
    neutrophil_engraftment_on: dt.date | None = None
    platelet_engraftment_on: dt.date | None = None
    status: str = "planned"
    notes: str = ""


class HSCTPatch(Schema):
    indication: str | None = None
    donor_type: str | None = None
    stem_cell_source: str | None = None
    hla_match: str | None = None
    conditioning_regimen: str | None = None
    conditioning_details: str | None = None
    conditioning_start: dt.date | None = None
    day0: dt.date | None = None
    neutrophil_engraftment_on: dt.date | None = None
    platelet_engraftment_on: dt.date | None = None
    status: str | None = None
    notes: str | None = None


class HSCTOut(Schema):
    id: int
    indication: str
    donor_type: str
    stem_cell_source: str
    hla_match: str
    conditioning_regimen: str
    conditioning_details: str
    conditioning_start: dt.date | None
    day0: dt.date | None
    neutrophil_engraftment_on: dt.date | None
    platelet_engraftment_on: dt.date | None
    status: str


class HSCTDayOut(Schema):
    episode_id: int
    on: dt.date
    day: int | None
    label: str
    engraftment_day: int | None
    acute_gvhd_grade: int | None
    chronic_gvhd_severity: str | None


class GVHDIn(Schema):
    kind: str
    organ: str
    stage: int
    observed_on: dt.date
    notes: str = ""


class ComplicationIn(Schema):
    kind: str
    onset_on: dt.date
    grade: int | None = None
    resolved_on: dt.date | None = None
    description: str = ""


class CreatedOut(Schema):
    id: int


class SchoolClassIn(Schema):
    name: str
    level: str
    room: str = ""
    schedule: str = ""


class SchoolClassOut(Schema):
    id: int
    name: str
    level: str
    room: str
    schedule: str
    active: bool


class EnrollmentIn(Schema):
    school_class_id: int
    enrolled_on: dt.date
    home_school: str = ""
    home_grade: str = ""


class EnrollmentOut(Schema):
    id: int
    school_class_id: int
    class_name: str
    enrolled_on: dt.date
    ended_on: dt.date | None
    home_school: str
    home_grade: str
    days_present: int
    days_present_during_admission: int


class AttendanceIn(Schema):
    on: dt.date
    status: str
    setting: str = "classroom"
    during_admission: bool | None = None
    minutes: int = 0
    note: str = ""


class ReturnPlanIn(Schema):
    planned_return_on: dt.date | None = None
    school_contact: str = ""
    accommodations: str = ""
    status: str = "draft"


class OrganisationIn(Schema):
    name: str
    contact: str = ""
    support_types: str = ""


class OrganisationOut(Schema):
    id: int
    name: str
    contact: str
    support_types: str
    active: bool


class AidIn(Schema):
    organisation_id: int
    need: str
    need_description: str = ""
    amount_requested: Decimal
    documents: list[str] = []


class AidOut(Schema):
    id: int
    organisation: str
    need: str
    amount_requested: Decimal
    amount_granted: Decimal | None
    decision_note: str
    status: str
    documents: list[str]
    missing_documents: list[str]


class AidDocumentsIn(Schema):
    documents: list[str]


class AidTransitionIn(Schema):
    to_status: str
    amount_granted: Decimal | None = None
    decision_note: str = ""
    on: dt.date | None = None


class AidSummaryOut(Schema):
    mrn: str
    total_requested: Decimal
    total_granted: Decimal
    status_counts: dict[str, int]
    applications: list[AidOut]


class HouseIn(Schema):
    name: str
    address: str = ""


class RoomIn(Schema):
    number: str
    capacity: int


class RoomOut(Schema):
    id: int
    house: str
    number: str
    capacity: int
    occupied_by_stay_id: int | None = None


class StayIn(Schema):
    room_id: int
    mrn: str
    guests: int
    check_in: dt.date
    check_out: dt.date | None = None
    waitlist_entry_id: int | None = None


class StayOut(Schema):
    id: int
    room_id: int
    guests: int
    check_in: dt.date
    check_out: dt.date | None
    status: str


class CheckOutIn(Schema):
    check_out: dt.date


class WaitlistIn(Schema):
    mrn: str
    requested_on: dt.date
    distance_km: int
    financial_need: str
    treatment_intensity: str
    guests: int = 2
    notes: str = ""


class ReasonOut(Schema):
    factor: str
    points: float
    text: str


class WaitlistOut(Schema):
    id: int
    rank: int
    score: float
    mrn: str
    requested_on: dt.date
    reasons: list[ReasonOut]


class PalliativeIn(Schema):
    referred_on: dt.date
    reason: str


class PalliativePatch(Schema):
    status: str | None = None
    goals_of_care: str | None = None
    symptom_plan: str | None = None
    advance_care_planning: str | None = None
    place_of_care: str | None = None
    decline_reason: str | None = None


class PalliativeOut(Schema):
    id: int
    referred_on: dt.date
    reason: str
    status: str
    goals_of_care: str
    symptom_plan: str
    advance_care_planning: str
    place_of_care: str


class BereavementIn(Schema):
    planned_on: dt.date
    kind: str
    notes: str = ""


class SocialCaseIn(Schema):
    social_worker_id: int | None = None
    opened_on: dt.date


class AssessmentIn(Schema):
    assessed_on: dt.date
    levels: dict[str, str]
    summary: str = ""


class InterventionIn(Schema):
    domain: str
    description: str
    started_on: dt.date


class OutcomeIn(Schema):
    outcome: str
    outcome_note: str = ""
    completed_on: dt.date | None = None


class CaseloadOut(Schema):
    social_worker_id: int
    username: str
    open_cases: int


class IcccReportOut(Schema):
    years: list[int]
    groups: dict[str, list[int]]


class ServiceUseOut(Schema):
    years: list[int]
    school_children: list[int]
    school_days_present: list[int]
    aid_families: list[int]
    aid_amount: list[Decimal]
    shelter_families: list[int]
    shelter_nights: list[int]


class DoneIn(Schema):
    done_on: dt.date
    notes: str = ""


class CloseIn(Schema):
    closed_on: dt.date


class GVHDOut(Schema):
    id: int
    kind: str
    organ: str
    stage: int
    observed_on: dt.date


class ComplicationOut(Schema):
    id: int
    kind: str
    onset_on: dt.date
    grade: int | None
    resolved_on: dt.date | None
    description: str


class HSCTDetailOut(HSCTOut):
    gvhd: list[GVHDOut]
    complications: list[ComplicationOut]


class GuardianIn(Schema):
    name_ko: str
    relationship: str
    birth_date: dt.date
    phone: str = ""
    is_legal_representative: bool = True
