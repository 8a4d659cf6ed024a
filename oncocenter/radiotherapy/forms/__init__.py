"""The forms of the radiotherapy pages: one per step of the course, shaped like its service call.

The rules live in the services; a form parses the input (numbers, dates, choices, the row a step
acts on) and carries the service's refusal back beside the field it names. The POST field names
are those of the course page since issue 4 (`target`, `site`, `item-<code>`, `id_mrn`, ...).

Several forms of one kind stand on the course page (one per prescription, plan or session), so
each is built with the `key` of what it acts on: input ids end with it, and the course page
puts a failed form back in the place it came from (`form_key`).

`base` (the base classes and fields), `planning` (course, prescriptions, plans, checklists),
`treatment` (sessions and reviews); every form is importable from here.
"""

from oncocenter.radiotherapy.forms.base import (
    DiagnosisChoiceField,
    MachineField,
    RtForm,
    StaffChoiceField,
    TargetForm,
)
from oncocenter.radiotherapy.forms.planning import (
    ChartCheckForm,
    ChecklistForm,
    CloseForm,
    CourseCreateForm,
    DvhForm,
    GapReviewForm,
    OrganDosesForm,
    OverrideForm,
    PhysicsCheckForm,
    PlanCreateForm,
    PlanDicomForm,
    PlanImportForm,
    PlanTargetForm,
    PlanTransferForm,
    PrescriptionEditForm,
    PrescriptionForm,
    PsqaForm,
    ResumeForm,
    ScheduleForm,
    SuspendForm,
)
from oncocenter.radiotherapy.forms.treatment import (
    BrachyForm,
    DeliverForm,
    DeliveryErrorForm,
    FractionTargetForm,
    ImageReviewForm,
    ImageSignForm,
    ReasonForm,
    UsernameField,
    WeeklyReviewForm,
)

__all__ = [
    "BrachyForm",
    "ChartCheckForm",
    "ChecklistForm",
    "CloseForm",
    "CourseCreateForm",
    "DeliverForm",
    "DeliveryErrorForm",
    "DiagnosisChoiceField",
    "DvhForm",
    "FractionTargetForm",
    "GapReviewForm",
    "ImageReviewForm",
    "ImageSignForm",
    "MachineField",
    "OrganDosesForm",
    "OverrideForm",
    "PhysicsCheckForm",
    "PlanCreateForm",
    "PlanDicomForm",
    "PlanImportForm",
    "PlanTargetForm",
    "PlanTransferForm",
    "PrescriptionEditForm",
    "PrescriptionForm",
    "PsqaForm",
    "ReasonForm",
    "ResumeForm",
    "RtForm",
    "ScheduleForm",
    "StaffChoiceField",
    "SuspendForm",
    "TargetForm",
    "UsernameField",
    "WeeklyReviewForm",
]
