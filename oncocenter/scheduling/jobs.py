"""Booking off the request path: a course, the waiting worklist and an outage's rebooking run
as jobs (`oncocenter.jobs`); the page that starts one shows the job page with its progress, the
API answers 202 with the job's URLs (`oncocenter.jobs.api.queued`).

The `*_submit` functions are the one place that checks a request and queues it, for the pages
and the API alike: whatever needs no solve (bad input 422, an interlock 409) is refused there
and queues nothing. Each job's work and its success are saved in one transaction (a retried or
recovered job never books twice); a refusal found by the job (no feasible slot, the course
changed meanwhile) is its answer, shown on its page and by `GET /api/jobs/{id}/result`. A job's
result carries what the API answered when it booked inside the request (the bookings, the
skipped courses, the outage's changes), plus the `summary` the job page shows.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from django.urls import reverse
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from oncocenter.accounts.models import User
from oncocenter.jobs.models import Job
from oncocenter.jobs.progress import Progress
from oncocenter.jobs.registry import JobKind, register
from oncocenter.jobs.services import job_mark_succeeded, job_submit
from oncocenter.machines import services as machine_services
from oncocenter.machines.models import Machine
from oncocenter.radiotherapy.models import Course
from oncocenter.scheduling import adapter, selectors, services
from oncocenter.scheduling.payloads import booking_out, downtime_out
from oncocenter.scheduling.schemas import BookingCourseOut, BookingWaitingOut, MachineOutageOut

COURSE_BOOK = "scheduling.course_book"
BOOK_WAITING = "scheduling.book_waiting"
OUTAGE_REPORT = "scheduling.outage_report"
MISSED_SESSIONS = "scheduling.missed_sessions"


def _course_summary(results: list[services.CourseBookingResult]) -> dict[str, Any]:
    (result,) = results
    rows = sorted((b for v in result.bookings.values() for b in v), key=lambda b: b.start)
    # The API's answer when it booked inside the request (schema BookingCourseOut), as JSON.
    answer = BookingCourseOut.model_validate(
        {
            "course_id": result.course.pk,
            "bookings": [booking_out(b) for b in rows],
            "penalties": {str(k): v for k, v in result.totals.items()},
            "solve_seconds": result.metrics.get("solve_seconds"),
        }
    ).model_dump(mode="json")
    return {
        "summary": _("%(n)d session(s) booked; first on %(first)s.")
        % {"n": len(rows), "first": f"{adapter.to_local_naive(rows[0].start):%Y-%m-%d %H:%M}"},
        "course": result.course.pk,
        **answer,
    }


def _course_book(job: Job, progress: Progress) -> dict[str, Any]:
    p = job.params
    course = Course.objects.select_related("patient").get(pk=p["course"])
    result = services.course_book(
        progress=progress,
        on_saved=lambda results: job_mark_succeeded(job, _course_summary(results)),
        course=course,
        by=job.created_by,
        urgency=p.get("urgency") or None,
        ready_date=dt.date.fromisoformat(p["ready_date"]) if p.get("ready_date") else None,
        anesthesia=p.get("anesthesia"),
        preferred_window=p.get("preferred_window"),
        time_limit=p.get("time_limit") or 5.0,
    )
    progress(4, 4, _("Saved"))
    return _course_summary([result])


def course_book_submit(
    *,
    course: Course,
    by: User,
    role: str,
    urgency: str | None = None,
    ready_date: dt.date | None = None,
    anesthesia: bool | None = None,
    preferred_window: Sequence[str] | None = None,
    time_limit: float = 5.0,
) -> Job:
    """Queue the booking of a course (its page and the API). Refused at once, queuing nothing:
    bad input (422 naming the field) and the course's interlocks (409: a prescription unsigned,
    no physics check, already booked)."""
    urgency = urgency or None
    services.booking_request_check(
        services.BookingRequest(course, urgency, ready_date, anesthesia, preferred_window),
        time_limit=time_limit,
    )
    return job_submit(
        kind=COURSE_BOOK,
        by=by,
        role=role,
        params={
            "course": course.pk,
            "urgency": urgency,
            "ready_date": ready_date.isoformat() if ready_date else None,
            "anesthesia": anesthesia,
            "preferred_window": list(preferred_window) if preferred_window else None,
            "time_limit": time_limit,
        },
        patient=course.patient,
        subject=course,
    )


def _waiting_summary(result: services.WaitingBookingResult) -> dict[str, Any]:
    lines = [
        _("%(course)s (%(mrn)s): %(n)d session(s)")
        % {
            "course": r.course.label,
            "mrn": r.course.patient.mrn,
            "n": sum(len(v) for v in r.bookings.values()),
        }
        for r in result.booked
    ]
    skipped = Course.objects.select_related("patient").in_bulk(list(result.skipped))
    lines += [
        _("Left for later: %(course)s (%(mrn)s): %(why)s")
        % {"course": skipped[pk].label, "mrn": skipped[pk].patient.mrn, "why": why}
        for pk, why in result.skipped.items()
        if pk in skipped
    ]
    first = [b.start for r in result.booked for v in r.bookings.values() for b in v]
    # The API's answer when it booked inside the request (schema BookingWaitingOut), as JSON.
    answer = BookingWaitingOut.model_validate(
        {
            "booked": [r.course.pk for r in result.booked],
            "bookings": len(first),
            "skipped": {str(k): v for k, v in result.skipped.items()},
            "solve_seconds": result.booked[0].metrics.get("solve_seconds")
            if result.booked
            else None,
        }
    ).model_dump(mode="json")
    return {
        "summary": _("%(n)d course(s) booked; %(k)d left for later.")
        % {"n": len(result.booked), "k": len(result.skipped)},
        "lines": lines,
        "first_day": adapter.to_local_naive(min(first)).date().isoformat() if first else None,
        **answer,
    }


def _book_waiting(job: Job, progress: Progress) -> dict[str, Any]:
    result = services.courses_book_waiting(
        by=job.created_by,
        progress=progress,
        on_saved=lambda saved: job_mark_succeeded(job, _waiting_summary(saved)),
    )
    progress(4, 4, _("Saved"))
    return _waiting_summary(result)


def book_waiting_submit(*, by: User, role: str) -> Job:
    """Queue booking every ready course of the worklist in one solve (the page and the API)."""
    return job_submit(kind=BOOK_WAITING, by=by, role=role)


def _outage_report(job: Job, progress: Progress) -> dict[str, Any]:
    p = job.params
    start, end = parse_datetime(p["start"]), parse_datetime(p["end"])
    assert start is not None and end is not None  # written by outage_report_submit, checked
    progress(1, 3, _("Recording the outage and rebooking"))
    result = services.outage_report(
        machine=Machine.objects.get(pk=p["machine"]),
        start=start,
        end=end,
        reason=p["reason"],
        by=job.created_by,
    )
    outage = selectors.outage_get(pk=result.outage.pk)
    # The API's answer when it rebooked inside the request (schema MachineOutageOut), as JSON.
    answer = MachineOutageOut.model_validate(
        {
            "outage": downtime_out(outage),
            "changes": [booking_out(b) for b in selectors.outage_changes(outage=outage)],
            "unresolved": {str(k): v for k, v in result.unresolved.items()},
        }
    ).model_dump(mode="json")
    progress(3, 3, _("Saved"))
    return {
        "summary": _("Outage recorded; %(n)d session(s) were rebooked automatically.")
        % {"n": len(result.moved)},
        "moved": len(result.moved),
        "cancelled": len(result.cancelled),
        **answer,
    }


def outage_report_submit(
    *, machine: Machine, start: dt.datetime, end: dt.datetime, reason: str, by: User, role: str
) -> Job:
    """Queue recording an outage and rebooking the sessions it hits (the page and the API); the
    interval and the reason are checked first (422 naming the field), queuing nothing."""
    machine_services.downtime_check(start=start, end=end, reason=reason)
    return job_submit(
        kind=OUTAGE_REPORT,
        by=by,
        role=role,
        params={
            "machine": machine.pk,
            "start": start.isoformat(),
            "end": end.isoformat(),
            "reason": reason,
        },
        subject=machine,
    )


def missed_summary(result: services.MissedResult) -> dict[str, Any]:
    lines = [
        _("%(mrn)s session %(n)d rebooked %(start)s on %(machine)s")
        % {
            "mrn": b.patient.mrn,
            "n": b.fraction.sequence,
            "start": f"{adapter.to_local_naive(b.start):%Y-%m-%d %H:%M}",
            "machine": b.machine.code,
        }
        for b in result.rebooked
    ] + [
        _("Session %(id)s not rebooked: %(why)s") % {"id": k, "why": v}
        for k, v in result.unbooked.items()
    ]
    return {
        "summary": _("%(n)d missed session(s); %(k)d rebooked, %(u)d left to book by hand.")
        % {"n": len(result.missed), "k": len(result.rebooked), "u": len(result.unbooked)},
        "lines": lines,
        "missed": [f.pk for f in result.missed],
        "rebooked": [b.pk for b in result.rebooked],
        "unbooked": {str(k): v for k, v in result.unbooked.items()},
    }


def _missed_sessions(job: Job, progress: Progress) -> dict[str, Any]:
    progress(1, 2, _("Marking missed sessions and rebooking them"))
    result = services.missed_sessions_process(by=job.created_by)
    progress(2, 2, _("Saved"))
    return missed_summary(result)


def _board_url(job: Job) -> str:
    return reverse("scheduling:board")


def _course_url(job: Job) -> str:
    return reverse("scheduling:course-bookings", args=[job.result["course"]])


def _waiting_url(job: Job) -> str | None:
    day = job.result.get("first_day")
    return f"{reverse('scheduling:board')}?date={day}" if day else None


def _outage_url(job: Job) -> str:
    outage = job.result["outage"]
    # Jobs finished before the result carried the whole outage kept only its id.
    return reverse("scheduling:outage", args=[outage["id"] if isinstance(outage, dict) else outage])


def register_kinds() -> None:
    register(
        JobKind(
            COURSE_BOOK,
            gettext_lazy("Book a course"),
            _course_book,
            "schedule.book",
            queue="booking",
            atomic=False,
            result_url=_course_url,
        )
    )
    register(
        JobKind(
            BOOK_WAITING,
            gettext_lazy("Book the waiting courses"),
            _book_waiting,
            "schedule.book",
            queue="booking",
            atomic=False,
            result_url=_waiting_url,
        )
    )
    register(
        JobKind(
            MISSED_SESSIONS,
            gettext_lazy("Mark missed sessions and rebook them"),
            _missed_sessions,
            "schedule.book",
            queue="booking",
            result_url=_board_url,
        )
    )
    register(
        JobKind(
            OUTAGE_REPORT,
            gettext_lazy("Report an outage and rebook"),
            _outage_report,
            "outage.report",
            queue="booking",
            result_url=_outage_url,
        )
    )
