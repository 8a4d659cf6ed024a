"""Typed request and response bodies of the surgery and response API (names carry "Surgery" or
"Response" so that OpenAPI schema names stay unique across the project)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from ninja import Schema

from oncocenter.core.schemas import InputSchema


class SurgeryTeamMember(InputSchema):
    role: str
    name: str


class SurgeryOperationIn(InputSchema):
    diagnosis: int | None = None
    procedure: str
    approach: str
    anastomosis: str = "none"
    operated_on: dt.date
    duration_min: int
    blood_loss_ml: int
    residual_tumor: str
    nodes_harvested: int | None = None
    intraoperative_events: str = ""
    feeding_jejunostomy: bool = False
    team: list[SurgeryTeamMember] = []
    recommendation: int | None = None
    neoadjuvant_episode: int | None = None
    neoadjuvant: str = "none"


class SurgeryPostopIn(Schema):
    discharged_on: dt.date | None = None
    icu_days: int | None = None
    readmitted_30d: bool = False
    oral_intake_on: dt.date | None = None
    died_on: dt.date | None = None


class SurgeryComplicationIn(InputSchema):
    kind: str
    clavien_dindo: str
    occurred_on: dt.date
    eccg_type: str = ""
    description: str = ""


class SurgeryComplicationOut(Schema):
    id: int
    kind: str
    eccg_type: str
    clavien_dindo: str
    occurred_on: dt.date
    description: str
    followup_event_id_ref: int | None


class SurgeryPathologyIn(InputSchema):
    reported_on: dt.date
    t_category: str
    n_category: str
    m_category: str = "M0"
    nodes_examined: int
    nodes_positive: int
    proximal_margin: str
    distal_margin: str
    circumferential_margin: str
    after_neoadjuvant: bool | None = None
    closest_margin_mm: Decimal | None = None
    trg_system: str = ""
    trg: int | None = None


class SurgeryPathologyOut(Schema):
    id: int
    reported_on: dt.date
    after_neoadjuvant: bool
    ytnm: str
    stage_group: str
    trg_system: str
    trg: int | None
    proximal_margin: str
    distal_margin: str
    circumferential_margin: str
    nodes_examined: int
    nodes_positive: int
    complete_response: bool


class SurgeryOperationOut(Schema):
    id: int
    mrn: str
    diagnosis: int
    recommendation: int | None
    neoadjuvant_episode: int | None
    neoadjuvant: str
    episode: int | None
    procedure: str
    approach: str
    anastomosis: str
    operated_on: dt.date
    duration_min: int
    blood_loss_ml: int
    nodes_harvested: int | None
    residual_tumor: str
    feeding_jejunostomy: bool
    surgeon: str
    team: list[SurgeryTeamMember]
    discharged_on: dt.date | None
    length_of_stay: int | None
    icu_days: int | None
    readmitted_30d: bool
    oral_intake_on: dt.date | None
    died_on: dt.date | None
    complications: list[SurgeryComplicationOut]
    pathology: SurgeryPathologyOut | None


class ResponseLesionIn(InputSchema):
    label: str
    organ: str
    diameter_mm: Decimal
    is_node: bool = False


class ResponseAssessmentIn(InputSchema):
    diagnosis: int | None = None
    criteria: str
    assessed_on: dt.date
    baseline: int | None = None
    lesions: list[ResponseLesionIn] = []
    non_target: str = "none"
    new_lesions: bool = False
    primary_mm: Decimal | None = None
    curie_score: int | None = None
    marrow_pct: Decimal | None = None
    category: str | None = None
    note: str = ""


class ResponseAssessmentOut(Schema):
    id: int
    criteria: str
    assessed_on: dt.date
    baseline: int | None
    lesions: list[ResponseLesionIn]
    sum_mm: Decimal | None
    change_from_baseline_pct: Decimal | None
    change_from_nadir_pct: Decimal | None
    non_target: str
    new_lesions: bool
    target_response: str
    primary_mm: Decimal | None
    curie_score: int | None
    marrow_pct: Decimal | None
    component_responses: dict[str, str | None]
    overall_response: str


class SurgeryQualityYear(Schema):
    year: int
    esophagectomies: int
    r0_rate: Decimal | None
    leak_rate: Decimal | None
    cd3_rate: Decimal | None
    mortality_90d: Decimal | None
    median_los: Decimal | None
    pcr_rate_cross: Decimal | None
    cross_with_pathology: int
