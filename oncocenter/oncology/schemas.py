from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from ninja import Field, Schema

from oncocenter.core.schemas import InputSchema


class OncologyCodeOut(Schema):
    system: str
    code: str
    display_en: str
    display_ko: str


class StagingIn(InputSchema):
    classification: str
    t_category: str
    n_category: str
    m_category: str
    stage_group: str = ""
    staged_on: date


class StagingOut(Schema):
    id: int
    classification: str
    edition: str
    site: str
    t_category: str
    n_category: str
    m_category: str
    stage_group: str
    staged_on: date


class DiseaseStatusIn(InputSchema):
    status: str
    observed_on: date
    note: str = ""


class DiseaseStatusOut(Schema):
    id: int
    status: str
    observed_on: date
    note: str


class OncologyDiagnosisIn(InputSchema):
    icd10_code: str
    icdo3_topography: str = ""
    icdo3_morphology: str = ""
    laterality: str = "not-applicable"
    diagnosed_on: date
    is_primary: bool = True
    histology_text: str = ""
    clinical_status: str = "active"
    verification_status: str = "confirmed"


class DiagnosisStatusPatch(InputSchema):
    clinical_status: str | None = None
    verification_status: str | None = None


class OncologyDiagnosisOut(Schema):
    id: int
    icd10_system: str
    icd10_code: str
    icdo3_system: str
    icdo3_topography: str
    icdo3_morphology: str
    laterality: str
    diagnosed_on: date
    is_primary: bool
    histology_text: str
    iccc_group: str | None
    iccc_subgroup: str | None
    clinical_status: str
    verification_status: str
    stagings: list[StagingOut] = []
    disease_statuses: list[DiseaseStatusOut] = []


class PerformanceStatusIn(InputSchema):
    scale: str
    score: int
    observed_on: date


class PerformanceStatusOut(PerformanceStatusIn):
    id: int


class TumorMarkerIn(InputSchema):
    marker: str
    value: Decimal
    unit: str
    observed_on: date
    diagnosis_id: int | None = None


class TumorMarkerOut(TumorMarkerIn):
    id: int


class TreatmentEpisodeIn(InputSchema):
    modality: str
    started_on: date
    ended_on: date | None = None
    diagnosis_id: int | None = None
    at_this_center: bool = True
    description: str = ""


class TreatmentEpisodeOut(TreatmentEpisodeIn):
    id: int
    source: str


class VitalSignsIn(InputSchema):
    """A set of vital signs: at least one measurement; the service checks each range."""

    measured_at: datetime | None = None
    systolic_mmhg: int | None = None
    diastolic_mmhg: int | None = None
    heart_rate_bpm: int | None = None
    respiratory_rate: int | None = None
    temperature_c: Decimal | None = None
    spo2_percent: int | None = None
    weight_kg: Decimal | None = None
    height_cm: Decimal | None = None


class VitalSignsErrorIn(InputSchema):
    reason: str = Field(max_length=300)


class VitalSignsCorrectIn(VitalSignsIn):
    """The whole corrected set; `measured_at` left out keeps the corrected set's moment."""

    reason: str = Field(max_length=300)


class VitalSignsOut(Schema):
    id: int
    patient_mrn: str
    measured_at: datetime
    time_known: bool
    systolic_mmhg: int | None
    diastolic_mmhg: int | None
    heart_rate_bpm: int | None
    respiratory_rate: int | None
    temperature_c: Decimal | None
    spo2_percent: int | None
    weight_kg: Decimal | None
    height_cm: Decimal | None
    bmi: Decimal | None
    recorded_by: str
    status: str
    supersedes_id: int | None
    superseded_by_id: int | None
    corrected_at: datetime | None
    corrected_by: str | None
    correction_reason: str


class WorkupIn(InputSchema):
    department: str
    test_name: str
    diagnosis_id: int | None = None


class WorkupAdvanceIn(InputSchema):
    status: str
    result_summary: str = ""


class WorkupOut(Schema):
    id: int
    patient_mrn: str
    department: str
    test_name: str
    status: str
    ordered_at: datetime
    started_at: datetime | None
    resulted_at: datetime | None
    result_summary: str


class WorkupTurnaroundOut(Schema):
    department: str
    count: int
    median_hours: float | None
    p90_hours: float | None
    mean_hours: float | None


class ChartEventOut(Schema):
    on: date
    kind: str
    title: str
    detail: str
    status: str


class CopayRegistrationIn(InputSchema):
    registered_on: date
    registration_number: str = ""
    diagnosis_id: int | None = None
    special_code: str = "V193"


class CopayRegistrationOut(Schema):
    id: int
    mrn: str
    special_code: str
    registered_on: date
    expires_on: date
