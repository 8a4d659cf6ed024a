"""Writes of the scheduling area: bookings of courses and sessions, outages and their rebooking.

Every booking goes through `_slots._check_slots` under a row lock on the machines involved
(`select_for_update`), so two schedulers booking at once queue and the second one sees the
first one's sessions. The database backs this up: one active booking per fraction, one per
machine and start time, and on PostgreSQL an exclusion constraint against any overlap.
Interlocks raise `Conflict` with a stable rule code (409), bad input `ValidationFailed` naming
the field (422); nothing is written when a check fails. Machine service state and QA windows are
the machines area's services (`oncocenter.machines.services`).

One module per concern, every public service re-exported here: `courses` (book one course,
several in one solve, the waiting worklist), `bookings` (one session by hand, cancel), `outages`
(report an outage and rebook, confirm); `_slots` holds the booking rules.
"""

from oncocenter.scheduling.services.bookings import booking_cancel, booking_create
from oncocenter.scheduling.services.courses import (
    BookingRequest,
    CourseBookingResult,
    WaitingBookingResult,
    booking_request_check,
    course_book,
    courses_book,
    courses_book_waiting,
)
from oncocenter.scheduling.services.missed import MissedResult, missed_sessions_process
from oncocenter.scheduling.services.outages import OutageResult, outage_confirm, outage_report

__all__ = [
    "BookingRequest",
    "CourseBookingResult",
    "MissedResult",
    "OutageResult",
    "WaitingBookingResult",
    "booking_cancel",
    "booking_create",
    "booking_request_check",
    "course_book",
    "courses_book",
    "courses_book_waiting",
    "missed_sessions_process",
    "outage_confirm",
    "outage_report",
]
