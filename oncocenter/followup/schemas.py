from __future__ import annotations

from datetime import date, datetime

from ninja import Schema
from pydantic import Field

from oncocenter.core.schemas import InputSchema


class ProtocolTemplateOut(Schema):
    code: str
    kind: str
    name_en: str
    name_ko: str
    version: int
    active: bool
    reviewed_by: str
    definition: dict


class ProtocolTemplatePut(InputSchema):
    definition: dict
    reviewed_by: str = ""


class FollowUpPlanIn(InputSchema):
    mrn: str
    treatment_end: date
    template: str | None = Field(
        None,
        description="template code; or give icd10_code and modalities to pick every applicable one",
    )
    icd10_code: str | None = None
    modalities: list[str] = Field(
        default_factory=list,
        description="surgery | chemotherapy | radiotherapy | hsct | immunotherapy | other",
    )
    treated_field: str = Field(
        "", description="RT field watched for second cancers, e.g. 'mediastinum'"
    )


class LateEffectsExposureIn(InputSchema):
    code: str = Field(
        description="e.g. chest_rt, cranial_rt, anthracycline, alkylating, platinum, any_rt, hsct"
    )
    ended_on: date
    dose: float | None = None
    field: str = ""


class LateEffectsPlanIn(InputSchema):
    mrn: str
    therapy_end: date
    exposures: list[LateEffectsExposureIn]
    template: str = "childhood-late-effects"


class DueItemOut(Schema):
    id: int
    patient_mrn: str
    plan_id: int
    template: str
    item_code: str
    kind: str
    name_en: str
    name_ko: str
    rationale: str
    due_on: date
    window_end: date
    status: str
    appointment_id: int | None = None


class FollowUpPlanOut(Schema):
    id: int
    patient_mrn: str
    template: str
    treatment_end: date
    treated_field: str
    status: str
    items: list[DueItemOut]


class FollowUpSlotSuggestionOut(Schema):
    slot_id: int
    starts_at: datetime
    physician: str
    clinic: str


class DueItemBookIn(Schema):
    slot_id: int


class DueItemDoneIn(Schema):
    done_on: date


class FollowUpEventIn(InputSchema):
    mrn: str
    event_type: str = Field(description="complication | recurrence | progression | second-primary")
    occurred_on: date
    description: str
    grade: int | None = Field(None, description="CTCAE v5 grade 1-5; required for complications")
    plan_id: int | None = None


class FollowUpEventOut(Schema):
    id: int
    patient_mrn: str
    event_type: str
    occurred_on: date
    grade: int | None = None
    description: str
    disease_status_id: int | None = None
