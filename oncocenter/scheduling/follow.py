"""Bookings follow a course put on hold, resumed, or moved to another machine (issue 15).

Subscribers of `radiotherapy.events`, run inside the radiotherapy service's transaction:

- `CourseSuspended`: every open booking of the course is cancelled (reason recorded); its
  sessions stay to be treated;
- `CourseResumed`: the remaining sessions are booked again, one open day after another from the
  next open day, on the plan's machine or its beam-matched group (`services.rebook_fractions`,
  through the booking path with every hard rule); a session with no free slot in 20 open days
  stays unbooked (the course page shows it without a booking; the scheduler books it by hand);
- `PlanTransferred`: the moved sessions' bookings (on the old machine) are cancelled and booked
  again on the new plan's machine, at the same time of day where free.

The bookings made here are recorded as booked by the physician or physicist whose decision
caused them (`by_id` of the event).
"""

from __future__ import annotations

from django.utils.translation import gettext as _

from oncocenter.accounts.models import User
from oncocenter.audit.models import AuditAction
from oncocenter.audit.services import audit_record
from oncocenter.core.events import subscribe
from oncocenter.radiotherapy.events import CourseResumed, CourseSuspended, PlanTransferred
from oncocenter.radiotherapy.models import Course
from oncocenter.scheduling.models import Booking, BookingStatus
from oncocenter.scheduling.record import _cancel
from oncocenter.scheduling.services.missed import rebook_fractions


def on_course_suspended(event: CourseSuspended) -> None:
    _cancel(
        Booking.objects.filter(
            prescription__course_id=event.course_id, status=BookingStatus.BOOKED
        ),
        _("course suspended: %(reason)s") % {"reason": event.reason},
    )


def _note(course_id: int, booked: list[Booking], unbooked: dict[int, str], why: str) -> None:
    course = Course.objects.select_related("patient").get(pk=course_id)
    audit_record(
        action=AuditAction.UPDATE,
        obj=course,
        patient=course.patient,
        detail={
            "rebooked": len(booked),
            "unbooked": {str(k): v for k, v in unbooked.items()},
            "why": why,
        },
    )


def on_course_resumed(event: CourseResumed) -> None:
    last = (
        Booking.objects.filter(prescription__course_id=event.course_id)
        .exclude(status=BookingStatus.MOVED)
        .order_by("-start")
        .first()
    )
    by = User.objects.get(pk=event.by_id)
    booked, unbooked = rebook_fractions(fraction_ids=event.fraction_ids, by=by, prefer=last)
    _note(event.course_id, booked, unbooked, "course resumed")


def on_plan_transferred(event: PlanTransferred) -> None:
    open_rows = Booking.objects.filter(
        fraction_id__in=event.fraction_ids, status=BookingStatus.BOOKED
    ).order_by("start")
    first = open_rows.first()
    _cancel(open_rows, _("plan transferred to another machine"))
    by = User.objects.get(pk=event.by_id)
    prefer = None
    if first is not None:
        # Keep the time of day; the machine is the new plan's (first is on the old one).
        prefer = Booking(start=first.start, anesthesia=first.anesthesia, urgency=first.urgency)
    booked, unbooked = rebook_fractions(fraction_ids=event.fraction_ids, by=by, prefer=prefer)
    _note(event.course_id, booked, unbooked, "plan transferred")


def register() -> None:
    subscribe(CourseSuspended, on_course_suspended)
    subscribe(CourseResumed, on_course_resumed)
    subscribe(PlanTransferred, on_plan_transferred)
