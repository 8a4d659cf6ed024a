"""Typed request and response bodies of the pediatric record's API.

Names carry the area's noun (OpenAPI component names are unique project-wide).
``PediatricIdOut`` is the answer of every pediatric service endpoint that returns only an id.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from ninja import Schema

from oncocenter.core.schemas import InputSchema


class PediatricIdOut(Schema):
    id: int


class SedationIn(InputSchema):
    sedation_required: bool
    sedation_notes: str = ""


class BodyMeasurementIn(InputSchema):
    measured_on: dt.date
    height: float
    weight: float
    height_unit: str = "cm"
    weight_unit: str = "kg"


class BodyMeasurementOut(Schema):
    id: int
    measured_on: dt.date
    height_cm: Decimal
    weight_kg: Decimal
    bsa_m2: Decimal
    warnings: list[str] = []


class PediatricDiagnosisOut(Schema):
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
    latest_measurement: BodyMeasurementOut | None = None
    lansky_score: int | None = None
    lansky_text: str = ""
    diagnoses: list[PediatricDiagnosisOut] = []


class PediatricGuardianIn(InputSchema):
    name_ko: str
    relationship: str
    birth_date: dt.date
    phone: str = ""
    is_legal_representative: bool = True


class HSCTIn(InputSchema):
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


class HSCTPatch(InputSchema):
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


class GVHDIn(InputSchema):
    kind: str
    organ: str
    stage: int
    observed_on: dt.date
    notes: str = ""


class GVHDOut(Schema):
    id: int
    kind: str
    organ: str
    stage: int
    observed_on: dt.date


class HSCTComplicationIn(InputSchema):
    kind: str
    onset_on: dt.date
    grade: int | None = None
    resolved_on: dt.date | None = None
    description: str = ""


class HSCTComplicationOut(Schema):
    id: int
    kind: str
    onset_on: dt.date
    grade: int | None
    resolved_on: dt.date | None
    description: str


class HSCTDetailOut(HSCTOut):
    gvhd: list[GVHDOut]
    complications: list[HSCTComplicationOut]


class IcccReportOut(Schema):
    years: list[int]
    groups: dict[str, list[int]]


class PediatricServiceUseOut(Schema):
    """Per year; each list is filled by the support service that owns it (empty if absent)."""

    years: list[int]
    school_children: list[int] = []
    school_days_present: list[int] = []
    aid_families: list[int] = []
    aid_amount: list[Decimal] = []
    shelter_families: list[int] = []
    shelter_nights: list[int] = []
