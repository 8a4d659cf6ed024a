from __future__ import annotations

from datetime import date

from ninja import Schema
from pydantic import Field

from oncocenter.core.schemas import InputSchema


class NutritionRecordIn(InputSchema):
    mrn: str
    measured_on: date
    weight: float | None = Field(None, description="in weight_unit (default kg)")
    weight_unit: str = Field("kg", description="kg | g | lb")
    height: float | None = Field(None, description="in height_unit (default cm)")
    height_unit: str = Field("cm", description="cm | m | mm | in")
    fois_level: int | None = Field(None, description="Functional Oral Intake Scale 1-7")
    iddsi_level: int | None = Field(None, description="IDDSI diet texture 0-7")
    feeding_route: str = Field(
        "", description="oral | nasogastric | gastrostomy | jejunostomy | parenteral"
    )
    intake_percent: int | None = None
    dysphagia_grade: int | None = None
    note: str = ""


class NutritionAlertOut(Schema):
    id: int
    patient_mrn: str
    code: str
    message: str
    value: float
    threshold: float
    raised_on: date
    status: str


class NutritionRecordOut(Schema):
    id: int
    patient_mrn: str
    measured_on: date
    weight_kg: float | None = None
    height_cm: float | None = None
    bmi: float | None = None
    fois_level: int | None = None
    iddsi_level: int | None = None
    feeding_route: str
    intake_percent: int | None = None
    dysphagia_grade: int | None = None
    alerts: list[NutritionAlertOut] = Field(default_factory=list)


class NutritionScreeningIn(InputSchema):
    mrn: str
    screened_on: date
    nutritional_status: int = Field(description="0-3")
    disease_severity: int = Field(description="0-3")


class NutritionScreeningOut(Schema):
    id: int
    total: int
    at_risk: bool
    alerts: list[NutritionAlertOut]


class NutritionMilestoneIn(InputSchema):
    mrn: str
    kind: str = Field(description="first_oral_intake | tube_removal | full_oral_diet")
    occurred_on: date
    note: str = ""


class NutritionMilestoneOut(Schema):
    id: int
    kind: str
    occurred_on: date


class NutritionAlertHandleIn(InputSchema):
    status: str = Field(description="acknowledged | resolved")


class NutritionSettingsOut(Schema):
    loss_1m_percent: float
    loss_6m_percent: float
    bmi_below: float
    nrs_at_least: int
    qol_drop_points: float


class NutritionSettingsPatch(Schema):
    loss_1m_percent: float | None = None
    loss_6m_percent: float | None = None
    bmi_below: float | None = None
    nrs_at_least: int | None = None
    qol_drop_points: float | None = None


class QoLQuestionnaireOut(Schema):
    code: str
    name_en: str
    name_ko: str
    definition: dict


class QoLResponseIn(InputSchema):
    mrn: str
    questionnaire: str
    answered_on: date
    answers: dict[str, int | None]


class QoLAlertOut(Schema):
    id: int
    patient_mrn: str
    subscale: str
    previous: float
    current: float
    points: float
    status: str


class QoLResponseOut(Schema):
    id: int
    scores: dict[str, float | None]
    alerts: list[QoLAlertOut]
