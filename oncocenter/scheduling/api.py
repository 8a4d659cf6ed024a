"""Scheduling API: machines, QA windows, outages with automatic rebooking, bookings, day board.

Booking a course, booking the waiting worklist and reporting an outage (which rebooks) solve
schedules: they run as jobs, like their pages (`scheduling.jobs`). Their endpoints check what
needs no solve (404, 409, 422 at once, nothing queued), then answer 202 with the job's URLs;
`GET /api/jobs/{id}/result` then answers what the endpoint answered when it booked inside the
request (the bookings, the skipped courses, the outage and its changes) or the job's refusal.
"""

from __future__ import annotations

import datetime as dt

from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Query, Router, Schema, Status

from oncocenter.accounts.selectors import current_user
from oncocenter.core.access import permission
from oncocenter.core.errors import NotFound, ValidationFailed
from oncocenter.core.permissions import active_role
from oncocenter.jobs.api import queued
from oncocenter.jobs.schemas import JobQueuedOut
from oncocenter.machines import selectors as machine_selectors
from oncocenter.machines import services as machine_services
from oncocenter.machines.models import Machine
from oncocenter.patients.selectors import patient_get
from oncocenter.radiotherapy.models import Fraction
from oncocenter.scheduling import jobs, selectors, services
from oncocenter.scheduling.models import Booking
from oncocenter.scheduling.payloads import booking_out, downtime_out
from oncocenter.scheduling.schemas import (
    BookingBoardOut,
    BookingCancelIn,
    BookingCourseIn,
    BookingIn,
    BookingOut,
    MachineDowntimeIn,
    MachineDowntimeOut,
    MachineOut,
    MachineOutageIn,
    MachineOutageOut,
    MachineServiceIn,
)

router = Router(tags=["scheduling"])


def machine_out(m: Machine) -> dict:
    return {
        "code": m.code,
        "name": m.name,
        "kind": m.kind,
        "model": m.model,
        "techniques": m.technique_codes(),
        "opens_at": m.opens_at,
        "closes_at": m.closes_at,
        "in_service": m.in_service,
    }


def _machine(code: str) -> Machine:
    return machine_selectors.machine_get(code=code)


@router.get("/machines", response=list[MachineOut])
@permission("machine.view")
def machines(request: HttpRequest):
    return [machine_out(m) for m in Machine.objects.prefetch_related("techniques")]


@router.post("/machines/{code}/service", response=MachineOut)
@permission("machine.manage")
def machine_service(request: HttpRequest, code: str, payload: MachineServiceIn):
    """Take a machine out of service (no new bookings) or put it back."""
    m = machine_services.machine_set_in_service(
        machine=_machine(code),
        in_service=payload.in_service,
        by=current_user(request),
        reason=payload.reason,
    )
    return machine_out(machine_selectors.machine_get(code=m.code))


@router.get("/machines/{code}/downtime", response=list[MachineDowntimeOut])
@permission("machine.view")
def machine_downtime(request: HttpRequest, code: str):
    return [downtime_out(d) for d in machine_selectors.machine_downtimes(machine=_machine(code))]


@router.post("/machines/{code}/qa", response={201: MachineDowntimeOut})
@permission("downtime.plan")
def qa_window(request: HttpRequest, code: str, payload: MachineDowntimeIn):
    """Plan a QA or maintenance window (refused over booked sessions)."""
    window = machine_services.qa_window_plan(
        machine=_machine(code),
        start=payload.start,
        end=payload.end,
        reason=payload.reason,
        by=current_user(request),
    )
    return Status(201, downtime_out(window))


@router.post("/outages", response={202: JobQueuedOut})
@permission("outage.report")
def outage_report(request: HttpRequest, payload: MachineOutageIn) -> Status:
    """Report an unplanned outage; a job records it and rebooks the sessions it hits. 422 at
    once for an unknown machine or a bad interval or reason (nothing queued); else 202 with the
    job's URLs. Its result is the outage, its `changes` and the `unresolved` sessions
    (as `GET /outages/{pk}`), plus `summary`, `moved` and `cancelled`."""
    try:
        machine = _machine(payload.machine)
    except NotFound:
        raise ValidationFailed.single(
            "machine", _("unknown machine code"), payload.machine
        ) from None
    job = jobs.outage_report_submit(
        machine=machine,
        start=payload.start,
        end=payload.end,
        reason=payload.reason,
        by=current_user(request),
        role=active_role(request),
    )
    return Status(202, queued(job))


@router.get("/outages/{pk}", response=MachineOutageOut)
@permission("schedule.view")
def outage_read(request: HttpRequest, pk: int):
    outage = selectors.outage_get(pk=pk)
    return {
        "outage": downtime_out(outage),
        "changes": [booking_out(b) for b in selectors.outage_changes(outage=outage)],
        "unresolved": outage.rebook_summary.get("unresolved", {}),
    }


@router.post("/outages/{pk}/confirm", response=MachineDowntimeOut)
@permission("outage.confirm")
def outage_confirm(request: HttpRequest, pk: int):
    outage = services.outage_confirm(outage=selectors.outage_get(pk=pk), by=current_user(request))
    return downtime_out(selectors.outage_get(pk=outage.pk))


@router.post("/courses/book-waiting", response={202: JobQueuedOut})
@permission("schedule.book")
def book_waiting(request: HttpRequest) -> Status:
    """Book every ready course of the worklist in one solve, as a job (202 with its URLs). Its
    result: `booked` course ids, the number of `bookings`, the `skipped` courses with the
    reason each stays on the worklist, `solve_seconds`, plus `summary` and `first_day`."""
    job = jobs.book_waiting_submit(by=current_user(request), role=active_role(request))
    return Status(202, queued(job))


@router.post("/courses/{pk}/book", response={202: JobQueuedOut})
@permission("schedule.book")
def course_book(request: HttpRequest, pk: int, payload: BookingCourseIn) -> Status:
    """Book the course's signed prescriptions, as a job (202 with its URLs). Refused at once,
    nothing queued: 404 unknown course, 422 bad input naming the field, 409 naming the rule (a
    prescription unsigned, no physics check, already booked). Its result: `course_id`, the
    `bookings` with their `penalties` and `solve_seconds`, plus `summary`; or the refusal
    found while solving (409 `no_feasible_slot`)."""
    job = jobs.course_book_submit(
        course=selectors.course_get(pk=pk),
        by=current_user(request),
        role=active_role(request),
        urgency=payload.urgency,
        ready_date=payload.ready_date,
        anesthesia=payload.anesthesia,
        preferred_window=payload.preferred_window,
        time_limit=payload.time_limit,
    )
    return Status(202, queued(job))


@router.get("/courses/{pk}/bookings", response=list[BookingOut])
@permission("schedule.view")
def course_bookings(request: HttpRequest, pk: int):
    course = selectors.course_get(pk=pk)
    rows = selectors.course_bookings(course=course)
    for b in rows:
        b.patient = course.patient
    return [booking_out(b) for b in rows]


@router.post("/bookings", response={201: BookingOut})
@permission("schedule.book")
def booking_create(request: HttpRequest, payload: BookingIn):
    """Book one session by hand at a given start (every hard rule checked, 409 names it)."""
    fraction = Fraction.objects.filter(pk=payload.fraction_id).first()
    if fraction is None:
        raise ValidationFailed.single("fraction_id", _("no such session"), payload.fraction_id)
    try:
        machine = _machine(payload.machine)
    except NotFound:
        raise ValidationFailed.single(
            "machine", _("unknown machine code"), payload.machine
        ) from None
    booking = services.booking_create(
        fraction=fraction,
        machine=machine,
        start=payload.start,
        by=current_user(request),
        anesthesia=payload.anesthesia,
        urgency=payload.urgency,
    )
    return Status(201, booking_out(booking))


@router.post("/bookings/{pk}/cancel", response=BookingOut)
@permission("schedule.book")
def booking_cancel(request: HttpRequest, pk: int, payload: BookingCancelIn):
    booking = Booking.objects.select_related("patient", "machine").filter(pk=pk).first()
    if booking is None:
        raise NotFound(_("No booking with id %(id)s.") % {"id": pk})
    booking = services.booking_cancel(
        booking=booking, by=current_user(request), reason=payload.reason
    )
    return booking_out(booking)


class BookingBoardParams(Schema):
    date: dt.date | None = None


@router.get("/board", response=BookingBoardOut)
@permission("schedule.view")
def board(request: HttpRequest, params: Query[BookingBoardParams]):
    """The LINAC day board: per machine, the day's sessions and downtime."""
    data = selectors.day_board(day=params.date or timezone.localdate())
    return {
        "date": data.day,
        "sessions": data.sessions,
        "changed": data.changed,
        "columns": [
            {
                "machine": c.machine.code,
                "sessions": c.sessions,
                "minutes": c.minutes,
                "bookings": [
                    booking_out(_with_machine(i.booking, c.machine)) for i in c.items if i.booking
                ],
                "downtime": [
                    downtime_out(_with_machine(i.downtime, c.machine))
                    for i in c.items
                    if i.downtime
                ],
            }
            for c in data.columns
        ],
    }


def _with_machine(obj, machine: Machine):
    obj.machine = machine
    return obj


@router.get("/patients/{mrn}/appointments", response=list[BookingOut])
@permission("schedule.view")
def patient_appointments(request: HttpRequest, mrn: str):
    patient = patient_get(mrn=mrn, audit=False)
    rows = selectors.patient_appointments(patient=patient)
    for b in rows:
        b.patient = patient
    return [booking_out(b) for b in rows]
