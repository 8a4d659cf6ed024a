"""Writes for clinics and admissions: validated, atomic, locked where capacity matters, audited.

One module per concern; everything public is re-exported here, so callers keep writing
`from oncocenter.clinics import services; services.appointment_book(...)`:

- `policy`: the priority policy for previously treated patients;
- `sessions`: clinic templates and the sessions and slots generated from them;
- `booking`: booking a slot under every capacity rule;
- `appointments`: check-in, completion, no-show, cancellation, rescheduling (clinics events);
- `waitlist`: the clinic waitlist and offers of freed slots;
- `admissions`: wards, beds, admit, transfer, discharge;
- `readmissions`: the bed waitlist.
"""

from oncocenter.clinics.selectors import patient_previously_treated, policy_get
from oncocenter.clinics.services.admissions import (
    admission_admit,
    admission_discharge,
    admission_transfer,
    ward_create,
)
from oncocenter.clinics.services.appointments import (
    appointment_cancel,
    appointment_check_in,
    appointment_complete,
    appointment_mark_no_show,
    appointment_reschedule,
)
from oncocenter.clinics.services.booking import appointment_book, booking_refusal
from oncocenter.clinics.services.policy import POLICY_FIELDS, UNCHANGED, policy_update
from oncocenter.clinics.services.readmissions import (
    readmission_request_create,
    readmission_request_withdraw,
)
from oncocenter.clinics.services.sessions import (
    clinic_session_close,
    clinic_sessions_generate,
    clinic_template_create,
)
from oncocenter.clinics.services.waitlist import (
    waitlist_accept_offer,
    waitlist_add,
    waitlist_decline_offer,
    waitlist_offer_slot,
    waitlist_withdraw,
)

__all__ = [
    "POLICY_FIELDS",
    "UNCHANGED",
    "admission_admit",
    "admission_discharge",
    "admission_transfer",
    "appointment_book",
    "appointment_cancel",
    "appointment_check_in",
    "appointment_complete",
    "appointment_mark_no_show",
    "appointment_reschedule",
    "booking_refusal",
    "clinic_session_close",
    "clinic_sessions_generate",
    "clinic_template_create",
    "patient_previously_treated",
    "policy_get",
    "policy_update",
    "readmission_request_create",
    "readmission_request_withdraw",
    "waitlist_accept_offer",
    "waitlist_add",
    "waitlist_decline_offer",
    "waitlist_offer_slot",
    "waitlist_withdraw",
    "ward_create",
]
