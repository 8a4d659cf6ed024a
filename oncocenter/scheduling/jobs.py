"""Booking off the request path: a course, the waiting worklist and an outage's rebooking run
as jobs (`oncocenter.jobs`); the page that starts one shows the job page with its progress.

Each job's work and its success are saved in one transaction (a retried or recovered job never
books twice); a refusal (an interlock, no feasible slot) is the job's answer, shown on its page.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.urls import reverse
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from oncocenter.jobs.models import Job
from oncocenter.jobs.progress import Progress
from oncocenter.jobs.registry import JobKind, register
from oncocenter.jobs.services import job_mark_succeeded
from oncocenter.machines.models import Machine
from oncocenter.radiotherapy.models import Course
from oncocenter.scheduling import adapter, services

COURSE_BOOK = "scheduling.course_book"
BOOK_WAITING = "scheduling.book_waiting"
OUTAGE_REPORT = "scheduling.outage_report"
MISSED_SESSIONS = "scheduling.missed_sessions"


def _course_summary(results: list[services.CourseBookingResult]) -> dict[str, Any]:
    (result,) = results
    rows = [b for v in result.bookings.values() for b in v]
    first = min(b.start for b in rows)
    return {
        "summary": _("%(n)d session(s) booked; first on %(first)s.")
        % {"n": len(rows), "first": f"{adapter.to_local_naive(first):%Y-%m-%d %H:%M}"},
        "course": result.course.pk,
        "bookings": len(rows),
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
    )
    progress(4, 4, _("Saved"))
    return _course_summary([result])


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
    return {
        "summary": _("%(n)d course(s) booked; %(k)d left for later.")
        % {"n": len(result.booked), "k": len(result.skipped)},
        "lines": lines,
        "booked": [r.course.pk for r in result.booked],
        "skipped": {str(k): v for k, v in result.skipped.items()},
        "first_day": adapter.to_local_naive(min(first)).date().isoformat() if first else None,
    }


def _book_waiting(job: Job, progress: Progress) -> dict[str, Any]:
    result = services.courses_book_waiting(
        by=job.created_by,
        progress=progress,
        on_saved=lambda saved: job_mark_succeeded(job, _waiting_summary(saved)),
    )
    progress(4, 4, _("Saved"))
    return _waiting_summary(result)


def _outage_report(job: Job, progress: Progress) -> dict[str, Any]:
    p = job.params
    start, end = parse_datetime(p["start"]), parse_datetime(p["end"])
    assert start is not None and end is not None  # written by the view from aware datetimes
    progress(1, 3, _("Recording the outage and rebooking"))
    result = services.outage_report(
        machine=Machine.objects.get(pk=p["machine"]),
        start=start,
        end=end,
        reason=p["reason"],
        by=job.created_by,
    )
    progress(3, 3, _("Saved"))
    return {
        "summary": _("Outage recorded; %(n)d session(s) were rebooked automatically.")
        % {"n": len(result.moved)},
        "outage": result.outage.pk,
        "moved": len(result.moved),
        "cancelled": len(result.cancelled),
        "unresolved": {str(k): v for k, v in result.unresolved.items()},
    }


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
    return reverse("scheduling:outage", args=[job.result["outage"]])


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
