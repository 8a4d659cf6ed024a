"""Radiotherapy course records: course -> prescription -> plan -> fractions and deliveries.

Record-and-verify principle (IEC 62274): treatment cannot proceed unless the recorded data match
the approved, signed data, and every session is recorded. The services enforce the interlocks;
the database enforces what it can express (fraction counts, uniqueness, value ranges), so that a
bug or a concurrent request cannot over-deliver.

One module per part of the record; every model and vocabulary is importable from here.
"""

from oncocenter.radiotherapy.models.course import (
    Course,
    CourseSuspension,
    Plan,
    PlannedOrganDose,
    Prescription,
    PriorOrganDose,
)
from oncocenter.radiotherapy.models.dicom import PlanDicomObject, RTObjectKind
from oncocenter.radiotherapy.models.records import (
    BrachySession,
    Delivery,
    DoseOverride,
    Fraction,
    ImageReview,
    ImagingKind,
    InterruptionReview,
    PatientSpecificQA,
    PhysicsCheck,
    Signature,
    ToxicityGrade,
    TreatmentRecordImport,
    WeeklyReview,
)
from oncocenter.radiotherapy.models.reference import (
    ChecklistItem,
    ConstraintSet,
    CtcaeTerm,
    DicomMachineName,
    GapSensitiveSite,
    OrganConstraint,
)
from oncocenter.radiotherapy.models.vocabularies import (
    DELIVERED_STATUSES,
    PSQA_TECHNIQUES,
    ChecklistKind,
    CourseStatus,
    FractionStatus,
    Intent,
    Pattern,
    PlanStatus,
    PrescriptionStatus,
    SignatureMeaning,
)

__all__ = [
    "DELIVERED_STATUSES",
    "PSQA_TECHNIQUES",
    "BrachySession",
    "ChecklistItem",
    "ChecklistKind",
    "ConstraintSet",
    "Course",
    "CourseStatus",
    "CourseSuspension",
    "CtcaeTerm",
    "Delivery",
    "DicomMachineName",
    "DoseOverride",
    "Fraction",
    "FractionStatus",
    "GapSensitiveSite",
    "ImageReview",
    "ImagingKind",
    "Intent",
    "InterruptionReview",
    "OrganConstraint",
    "PatientSpecificQA",
    "Pattern",
    "PhysicsCheck",
    "Plan",
    "PlanDicomObject",
    "PlanStatus",
    "PlannedOrganDose",
    "Prescription",
    "PrescriptionStatus",
    "PriorOrganDose",
    "RTObjectKind",
    "Signature",
    "SignatureMeaning",
    "ToxicityGrade",
    "TreatmentRecordImport",
    "WeeklyReview",
]
