"""Request and response shapes of the radiotherapy API."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from ninja import Schema
from pydantic import Field

from oncocenter.core.schemas import InputSchema


class RtCourseIn(InputSchema):
    mrn: str = Field(description="Patient MRN")
    label: str = Field(description="Short label, e.g. 'Oropharynx definitive'")
    intent: str = Field(description="curative | palliative | prophylactic")
    physician: str = Field(description="Username of the responsible radiation oncologist")
    notes: str = ""


class RtCourseCloseIn(InputSchema):
    status: str = Field(description="completed | stopped")
    reason: str = ""


class RtPrescriptionIn(InputSchema):
    site: str
    technique: str = Field(description="3D | IMRT | VMAT | SBRT | SRS | ELECTRON | HDR")
    dose_per_fraction_gy: Decimal
    number_of_fractions: int
    total_dose_gy: Decimal | None = Field(None, description="Optional; must equal dose x fractions")
    pattern: str = Field("daily", description="daily | alternate | bid")
    intent: str
    energy: str = ""
    icd10_code: str = ""
    icdo3_morphology: str = ""
    diagnosis: int | None = Field(
        None, description="oncology.Diagnosis id; its ICD codes are copied"
    )
    no_diagnosis_reason: str = Field(
        "", description="Required when no diagnosis is given: why none is linked"
    )
    constraint_set: str | None = Field(
        None, description="Constraint set code; default: the first active"
    )
    notes: str = ""


class RtPrescriptionPatch(InputSchema):
    site: str | None = None
    technique: str | None = None
    dose_per_fraction_gy: Decimal | None = None
    number_of_fractions: int | None = None
    total_dose_gy: Decimal | None = None
    pattern: str | None = None
    intent: str | None = None
    energy: str | None = None
    icd10_code: str | None = None
    icdo3_morphology: str | None = None
    diagnosis: int | None = None
    no_diagnosis_reason: str | None = None
    notes: str | None = None


class RtPlanIn(InputSchema):
    label: str
    machine: str = Field(description="Machine code, e.g. LINAC-1")
    fractions_planned: int
    dose_per_fraction_gy: Decimal
    meterset_per_fraction: Decimal | None = None


class RtPlanPatch(InputSchema):
    label: str | None = None
    machine: str | None = None
    fractions_planned: int | None = None
    dose_per_fraction_gy: Decimal | None = None
    meterset_per_fraction: Decimal | None = None


class RtOrganDoseIn(InputSchema):
    organ: str
    metric: str = Field(description="Dmax, Dmean, D0.03cc or Vx such as V20")
    value: Decimal
    unit: str = Field("Gy", description="Gy or %")


class RtOrganDosesIn(InputSchema):
    doses: list[RtOrganDoseIn]
    source: str = Field("entered", description="entered | dvh")


class RtOverrideIn(InputSchema):
    organ: str
    metric: str
    cumulative: bool = False
    justification: str = Field(description="Written justification (at least 20 characters)")


class RtChecklistIn(InputSchema):
    results: dict[str, Any] = Field(
        description="Item code -> 'pass' | 'fail' | 'na' or {result, comment}"
    )
    comment: str = ""


class RtChartCheckIn(RtChecklistIn):
    kind: str = Field(description="weekly | end")


class RtPsqaIn(InputSchema):
    method: str
    passing_rate_pct: Decimal
    action_limit_pct: Decimal = Decimal(95)
    comment: str = ""


class RtScheduleIn(InputSchema):
    start_date: date
    machine: str | None = None


class RtDeliveryIn(InputSchema):
    delivered_at: datetime = Field(description="When the beam was on (with timezone)")
    machine: str
    identifiers: dict[str, str] = Field(
        description="At least two of mrn, birth_date (YYYY-MM-DD), name"
    )
    meterset_delivered: Decimal | None = None
    partial: bool = False
    notes: str = ""
    late_entry_reason: str = Field(
        "", description="Required when entered more than an hour after the treatment time"
    )
    override_reason: str = Field(
        "",
        description="Signed override for a treatment off its booked day or machine, on a closed "
        "day, or a second one on a day",
    )


class RtReasonIn(InputSchema):
    reason: str


class RtCorrectionIn(InputSchema):
    reason: str
    meterset_delivered: Decimal | None = None
    delivered_at: datetime | None = None
    partial: bool | None = None


class RtBrachyIn(InputSchema):
    applicator: str
    room: str
    afterloader: str = Field(description="Machine code of the afterloader")
    anesthesia: bool = False
    physician_present: str | None = Field(None, description="Username")
    physicist_present: str | None = Field(None, description="Username")
    anesthesiologist: str | None = Field(None, description="Username")
    notes: str = ""


class RtInterruptionReviewIn(InputSchema):
    decision: str = Field(description="compensate | no-compensation")
    note: str = Field(description="The compensation planned, or why none is needed")


class RtWeeklyReviewIn(InputSchema):
    reviewed_on: date
    grades: dict[str, int] = Field(description="CTCAE term code -> grade 0..5")
    notes: str = ""
    continue_treatment: bool = True


class RtSignatureOut(Schema):
    id: int
    meaning: str
    signer: str
    signer_role: str
    credential_number: str
    signed_at: datetime
    signed_version: int
    voided_at: datetime | None
    voided_reason: str


class RtFractionOut(Schema):
    id: int
    sequence: int
    scheduled_date: date | None
    machine: str | None
    status: str
    delivered_number: int | None
    meterset_delivered: Decimal
    dose_delivered_gy: Decimal


class RtPlanOut(Schema):
    id: int
    label: str
    machine: str
    technique: str
    fractions_planned: int
    dose_per_fraction_gy: Decimal
    meterset_per_fraction: Decimal | None
    status: str
    version: int
    planner: str
    readiness: dict[str, bool]
    dicom_sop_instance_uid: str


class RtPrescriptionOut(Schema):
    id: int
    site: str
    technique: str
    energy: str
    dose_per_fraction_gy: Decimal
    number_of_fractions: int
    total_dose_gy: Decimal
    pattern: str
    intent: str
    status: str
    version: int
    fractions_delivered: int
    gap_sensitive_site: str
    icd10_code: str
    diagnosis: int | None
    no_diagnosis_reason: str = ""
    plans: list[RtPlanOut]
    fractions: list[RtFractionOut]


class RtCourseOut(Schema):
    id: int
    mrn: str
    number: int
    label: str
    intent: str
    status: str
    physician: str
    is_reirradiation: bool
    started_on: date | None
    ended_on: date | None


class RtCourseDetailOut(RtCourseOut):
    prescriptions: list[RtPrescriptionOut]
    signatures: list[RtSignatureOut]


class RtDeliveryOut(Schema):
    id: int
    fraction: int
    fraction_number: int | None
    delivered_at: datetime
    machine: str
    meterset_delivered: Decimal | None
    dose_delivered_gy: Decimal
    partial: bool
    status: str
    identifiers_confirmed: list[str]
    replaces: int | None
    fractions_delivered: int
    fractions_prescribed: int
    recorded_at: datetime
    late_entry: bool
    late_entry_reason: str
    off_schedule: list[str]
    override_signature: int | None


class RtIdOut(Schema):
    id: int
    status: str = ""


class RtImageReviewIn(InputSchema):
    kind: str
    shift_lat_mm: Decimal
    shift_long_mm: Decimal
    shift_vert_mm: Decimal


class RtImageReviewSignIn(InputSchema):
    note: str = ""


class RtImageReviewOut(Schema):
    id: int
    delivery_id: int
    kind: str
    shift_lat_mm: Decimal
    shift_long_mm: Decimal
    shift_vert_mm: Decimal
    tolerance_mm: Decimal
    needs_review: bool
    approved_by: str
    approved_at: datetime
    reviewed_by: str | None
    reviewed_at: datetime | None
    review_note: str


class RtImportJobOut(Schema):
    job: int
    kind: str
    status: str
    progress_done: int
    progress_total: int
    status_url: str
    page: str
    result: dict[str, Any]
    error: str
    error_rule: str


class RtDicomObjectOut(Schema):
    id: int
    plan: int
    kind: str
    sop_instance_uid: str
    sop_class_uid: str
    patient_id: str
    frame_of_reference_uid: str
    referenced_plan_uid: str
    label: str
    max_dose_gy: Decimal | None
    file_name: str
    size: int
    sha256: str
    summary: dict[str, Any]
    imported_at: datetime


class RtDvhConstraintOut(Schema):
    metric: str
    comparator: str
    limit: float
    unit: str
    value: float | None
    passed: bool | None


class RtDvhStructureOut(Schema):
    number: int
    name: str
    kind: str
    organ: str
    volume_cc: float
    figures: dict[str, float | None]
    constraints: list[RtDvhConstraintOut]
    violated: bool
    dose_gy: list[float]
    volume_pct: list[float]


class RtDvhOut(Schema):
    plan: int
    dose: str | None
    structure_set: str | None
    refused: str
    structures: list[RtDvhStructureOut]
