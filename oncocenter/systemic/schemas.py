"""Typed request and response bodies of the systemic therapy API (names carry "Systemic")."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from ninja import Schema

from oncocenter.core.schemas import InputSchema


class SystemicDrugOut(Schema):
    drug: str
    basis: str
    amount: Decimal
    route: str
    days: list[int]
    cap_mg: Decimal | None
    round_to: Decimal | None


class SystemicRegimenOut(Schema):
    code: str
    name: str
    protocol: str
    phase: str
    center: str
    cycle_length_days: int
    cycles: int
    review_status: str
    anc_min: Decimal | None
    plt_min: Decimal | None
    creat_max: Decimal | None
    tbil_max: Decimal | None
    drugs: list[SystemicDrugOut]


class SystemicMeasurementIn(Schema):
    height_cm: Decimal
    weight_kg: Decimal
    measured_on: dt.date | None = None


class SystemicMeasurementOut(Schema):
    id: int
    measured_on: dt.date
    height_cm: Decimal
    weight_kg: Decimal


class SystemicModificationIn(InputSchema):
    drug: str
    percent: Decimal
    reason: str = ""


class SystemicOrderIn(InputSchema):
    regimen: str
    diagnosis_id: int
    start_date: dt.date
    cycle: int = 1
    creatinine_mg_dl: Decimal | None = None
    rt_course_id: int | None = None
    trial_enrollment_id: int | None = None
    modifications: list[SystemicModificationIn] = []


class SystemicDoseOut(Schema):
    id: int
    drug: str
    day: int
    on: dt.date
    route: str
    computed_mg: Decimal
    planned_mg: Decimal
    percent: Decimal
    modification_reason: str
    capped: bool
    formula: str
    given_mg: Decimal | None


class SystemicDayOut(Schema):
    day: int
    on: dt.date
    decision: str | None
    reason: str


class SystemicOrderOut(Schema):
    id: int
    mrn: str
    regimen: str
    cycle: int
    status: str
    start_date: dt.date
    bsa_m2: Decimal
    clearance: Decimal | None
    clearance_formula: str
    rt_course_id: int | None
    ordered_by: str
    signed_by: str | None
    verified_by: str | None
    doses: list[SystemicDoseOut]
    days: list[SystemicDayOut]
    cumulative_anthracycline: Decimal
    anthracycline_limit: Decimal


class SystemicDoseModifyIn(InputSchema):
    percent: Decimal
    reason: str = ""


class SystemicReasonIn(InputSchema):
    reason: str = ""


class SystemicReleaseIn(InputSchema):
    override_reason: str = ""


class SystemicReleaseOut(Schema):
    id: int
    day: int
    on: dt.date
    decision: str
    reason: str
    checks: list[dict[str, object]]


class SystemicAdministerIn(InputSchema):
    given_mg: Decimal
    route: str
    product_expiry: dt.date
    started_at: dt.datetime
    stopped_at: dt.datetime
    identifiers: list[str]
    witness_username: str
    witness_password: str
    rate_ml_h: Decimal | None = None
    reaction: str = ""
    reaction_grade: int | None = None
    extravasation: bool = False


class SystemicAdministrationOut(Schema):
    id: int
    dose_id: int
    given_mg: Decimal
    nurse: str
    checker: str


class SystemicCostLineOut(Schema):
    drug: str
    mg: Decimal
    cost: Decimal


class SystemicCostOut(Schema):
    lines: list[SystemicCostLineOut]
    drug_total: Decimal
    fee_total: Decimal
    total: Decimal
    rate_percent: Decimal
    patient_share: Decimal
    registered: bool
