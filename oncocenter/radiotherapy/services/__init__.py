"""Writes of the radiotherapy course, with the record-and-verify interlocks.

Each service checks the acting user's permission and credential, validates, then writes inside
`transaction.atomic()` and audits. Interlocks raise `Conflict` with a stable `rule` code (the API
answers 409 naming it), bad input raises `ValidationFailed` naming the field (422), a wrong role or
an expired credential raises `NotPermitted` (403). Nothing is written when a check fails. What
other areas may react to is published as an event of `radiotherapy.events`, in the same
transaction.

One module per concern; every public service is re-exported here, so
`from oncocenter.radiotherapy import services as s; s.plan_approve(...)` is the way to call them:
`courses` (open, close, the oncology treatment episode), `prescriptions`, `plans` (incl. organ
doses and overrides), `qa` (physics and chart checks, PSQA), `fractions` (sessions, missed, HDR),
`delivery` (record and correct), `reviews` (weekly and interruption reviews); `signing` and
`_common` hold the shared helpers.
"""

from oncocenter.radiotherapy.services._common import (
    DOSE_TOLERANCE,
    IDENTIFIER_KINDS,
    METERSET_TOLERANCE,
    MIN_JUSTIFICATION,
    OPEN_COURSE,
    PHYSICIAN_CREDENTIALS,
    PHYSICIST_CREDENTIALS,
    RO_CREDENTIALS,
    THERAPIST_CREDENTIALS,
    UNCHANGED,
)
from oncocenter.radiotherapy.services.courses import (
    course_close,
    course_create,
    course_resume,
    course_suspend,
)
from oncocenter.radiotherapy.services.delivery import (
    delivery_correct,
    delivery_mark_entered_in_error,
    fraction_record_delivery,
)
from oncocenter.radiotherapy.services.dicom import (
    MAX_DICOM_BYTES,
    plan_dicom_import,
    plan_dvhs_refresh,
    rtobject_check,
    rtobject_import_submit,
    rtplan_import_submit,
)
from oncocenter.radiotherapy.services.fractions import (
    SessionSlot,
    brachy_session_set,
    fraction_mark_missed,
    fractions_follow_bookings,
    fractions_schedule,
)
from oncocenter.radiotherapy.services.imaging import image_review_record, image_review_sign
from oncocenter.radiotherapy.services.plans import (
    dose_override_sign,
    plan_approve,
    plan_create,
    plan_import_dicom,
    plan_import_dvh,
    plan_set_organ_doses,
    plan_transfer,
    plan_update,
    rtplan_check,
)
from oncocenter.radiotherapy.services.prescriptions import (
    prescription_create,
    prescription_sign,
    prescription_update,
)
from oncocenter.radiotherapy.services.qa import (
    chart_check_record,
    physics_check_record,
    psqa_record,
)
from oncocenter.radiotherapy.services.records import treatment_record_import
from oncocenter.radiotherapy.services.reviews import (
    interruption_review_record,
    weekly_review_record,
)

__all__ = [
    "DOSE_TOLERANCE",
    "IDENTIFIER_KINDS",
    "MAX_DICOM_BYTES",
    "METERSET_TOLERANCE",
    "MIN_JUSTIFICATION",
    "OPEN_COURSE",
    "PHYSICIAN_CREDENTIALS",
    "PHYSICIST_CREDENTIALS",
    "RO_CREDENTIALS",
    "THERAPIST_CREDENTIALS",
    "UNCHANGED",
    "SessionSlot",
    "brachy_session_set",
    "chart_check_record",
    "course_close",
    "course_create",
    "course_resume",
    "course_suspend",
    "delivery_correct",
    "delivery_mark_entered_in_error",
    "dose_override_sign",
    "fraction_mark_missed",
    "fraction_record_delivery",
    "fractions_follow_bookings",
    "fractions_schedule",
    "image_review_record",
    "image_review_sign",
    "interruption_review_record",
    "physics_check_record",
    "plan_approve",
    "plan_create",
    "plan_dicom_import",
    "plan_dvhs_refresh",
    "plan_import_dicom",
    "plan_import_dvh",
    "plan_set_organ_doses",
    "plan_transfer",
    "plan_update",
    "prescription_create",
    "prescription_sign",
    "prescription_update",
    "psqa_record",
    "rtobject_check",
    "rtobject_import_submit",
    "rtplan_check",
    "rtplan_import_submit",
    "treatment_record_import",
    "weekly_review_record",
]
