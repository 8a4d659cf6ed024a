"""Booking whole courses: one, several in one solve, or every ready course of the worklist."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from linac_optimizer.objective import TARGET_DAYS
from oncocenter.accounts.models import User
from oncocenter.audit.models import AuditAction
from oncocenter.audit.services import audit_record
from oncocenter.core.errors import Conflict, FieldProblem, ValidationFailed
from oncocenter.core.permissions import require
from oncocenter.machines.models import Machine
from oncocenter.radiotherapy import services as rt_services
from oncocenter.radiotherapy.models import (
    Course,
    FractionStatus,
    Prescription,
    PrescriptionStatus,
)
from oncocenter.radiotherapy.selectors import current_plan
from oncocenter.scheduling import adapter, policy, record, selectors
from oncocenter.scheduling.models import Booking, BookingStatus
from oncocenter.scheduling.services._slots import (
    Slot,
    _check_slots,
    _lock_machines,
    _sync_fractions,
    schedule_stamp,
)


@dataclass
class CourseBookingResult:
    course: Course
    bookings: dict[int, list[Booking]]
    totals: dict[int, dict[str, int]]
    metrics: dict[str, Any]


def _parse_window(value: Sequence[str] | None) -> tuple[str, str] | None:
    if value in (None, "", []):
        return None
    try:
        a, b = value
        ta, tb = dt.time.fromisoformat(str(a)), dt.time.fromisoformat(str(b))
    except (TypeError, ValueError):
        raise ValidationFailed.single(
            "preferred_window", _("must be two times HH:MM, start and end"), value
        ) from None
    if tb <= ta:
        raise ValidationFailed.single("preferred_window", _("end must be after start"), value)
    return ta.strftime("%H:%M"), tb.strftime("%H:%M")


@dataclass(frozen=True)
class BookingRequest:
    """One course to book and the scheduler's choices for it (None: derived)."""

    course: Course
    urgency: str | None = None
    ready_date: dt.date | None = None
    anesthesia: bool | None = None
    preferred_window: Sequence[str] | None = None


#: `progress(done, total, note)`: told each step of a booking (a job's page shows it).
Progress = Callable[[int, int, str], None]


def course_book(
    *,
    course: Course,
    by: User,
    urgency: str | None = None,
    ready_date: dt.date | None = None,
    anesthesia: bool | None = None,
    preferred_window: Sequence[str] | None = None,
    time_limit: float = 5.0,
    progress: Progress | None = None,
    on_saved: Callable[[list[CourseBookingResult]], None] | None = None,
) -> CourseBookingResult:
    """Book every open session of the course's signed prescriptions, solved in-process.

    Refused (409) while a prescription of the course is unsigned, when no plan has passed its
    physics check, or when the course is already booked. The first fraction is never before the
    physics check; `anesthesia` defaults to the pediatric area's sedation flag when it has one.
    """
    request = BookingRequest(course, urgency, ready_date, anesthesia, preferred_window)
    return courses_book(
        requests=[request], by=by, time_limit=time_limit, progress=progress, on_saved=on_saved
    )[0]


def booking_request_check(r: BookingRequest, *, time_limit: float = 5.0) -> None:
    """Every check of a booking request that needs no solve, before it is queued as a job:
    its input (422 naming the field), then the course's interlocks (409 naming the rule and
    the course or prescription: unsigned, no physics check, nothing left to book). Reads only;
    the job checks all of it again under its locks (the course may change meanwhile)."""
    _validate_request(r, timezone.localdate())
    _check_time_limit(time_limit)
    rxs = list(
        Prescription.objects.filter(course=r.course)
        .exclude(status__in=[PrescriptionStatus.CANCELLED, PrescriptionStatus.ENTERED_IN_ERROR])
        .order_by("pk")
    )
    _bookable(r.course, rxs)


def _check_time_limit(time_limit: float) -> None:
    if not 0.5 <= time_limit <= 60:
        raise ValidationFailed.single(
            "time_limit", _("must be between 0.5 and 60 seconds"), time_limit
        )


def _validate_request(r: BookingRequest, today: dt.date) -> tuple[str, str] | None:
    problems = []
    if r.urgency not in (None, "") and r.urgency not in policy.URGENCIES:
        problems.append(
            FieldProblem(
                "urgency",
                _("must be one of %(choices)s") % {"choices": ", ".join(policy.URGENCIES)},
                r.urgency,
            )
        )
    if r.ready_date is not None and r.ready_date < today:
        problems.append(
            FieldProblem("ready_date", _("must not be in the past"), r.ready_date.isoformat())
        )
    if problems:
        raise ValidationFailed(problems)
    return _parse_window(r.preferred_window)


def _bookable(
    course: Course, rxs: list[Prescription]
) -> list[tuple[Prescription, Any, dt.datetime]]:
    """The course's signed prescriptions still to book, each with its plan and the time its
    physics check passed; refused (409, naming the course or the prescription) while one is
    unsigned, when none is left to book, or when a plan has not passed its physics check."""
    if not rxs:
        raise Conflict(
            _("The course has no prescription to book."),
            rule="prescription_not_signed",
            problems=[FieldProblem("course", _("no prescription"), course.pk)],
        )
    unsigned = [rx for rx in rxs if rx.status == PrescriptionStatus.DRAFT]
    if unsigned:
        raise Conflict(
            _(
                "Prescription '%(site)s' is not signed; a course is booked only after its "
                "prescription is signed."
            )
            % {"site": unsigned[0].site},
            rule="prescription_not_signed",
            problems=[FieldProblem("prescription", _("not signed"), unsigned[0].pk)],
        )
    booked_rx = set(
        Booking.objects.filter(prescription__in=rxs, status=BookingStatus.BOOKED).values_list(
            "prescription_id", flat=True
        )
    )
    todo = [rx for rx in rxs if rx.status == PrescriptionStatus.SIGNED and rx.pk not in booked_rx]
    if not todo:
        raise Conflict(
            _("Every signed prescription of the course is already booked."),
            rule="course_already_booked",
            problems=[FieldProblem("course", _("already booked"), course.pk)],
        )
    bookable = []
    for rx in todo:
        plan = current_plan(rx)
        done = selectors.physics_done_at(rx)
        if plan is None or done is None:
            raise Conflict(
                _(
                    "Prescription '%(site)s': the plan's physics check is not complete; the "
                    "first fraction cannot be booked before it."
                )
                % {"site": rx.site},
                rule="physics_check_incomplete",
                problems=[FieldProblem("prescription", _("physics check not complete"), rx.pk)],
            )
        bookable.append((rx, plan, done))
    return bookable


def _new_courses(
    r: BookingRequest, window: tuple[str, str] | None, by: User, today: dt.date
) -> tuple[list[adapter.NewCourse], dict[int, dt.datetime | None]]:
    """The engine patients of one course, after its interlocks (rows locked by the caller)."""

    course = r.course
    anesthesia = r.anesthesia
    if anesthesia is None:
        anesthesia = bool(adapter.sedation_required(course.patient))
    rxs = list(
        Prescription.objects.select_for_update()
        .filter(course=course)
        .exclude(status__in=[PrescriptionStatus.CANCELLED, PrescriptionStatus.ENTERED_IN_ERROR])
        .order_by("pk")
    )
    physics: dict[int, dt.datetime | None] = {}
    new: list[adapter.NewCourse] = []
    tomorrow = adapter.open_day_on_or_after(today + dt.timedelta(days=1))
    for rx, plan, done in _bookable(course, rxs):
        physics[rx.pk] = done
        fractions = list(rx.fractions.filter(status=FractionStatus.SCHEDULED).order_by("sequence"))
        if not fractions:
            fractions = rt_services.fractions_schedule(plan=plan, by=by, start_date=tomorrow)
        # Today's machine time is already running: courses start from the next open day.
        ready = max(r.ready_date or tomorrow, tomorrow, adapter.to_local_naive(done).date())
        ready = adapter.open_day_on_or_after(ready)
        urg = r.urgency or policy.URGENCY_FROM_INTENT.get(rx.intent, "radical")
        new.append(
            adapter.NewCourse(
                prescription=rx,
                fractions=fractions,
                technique=rx.technique,
                pattern=rx.pattern,
                urgency=urg,
                ready_date=ready,
                due_date=adapter.add_open_days(ready, TARGET_DAYS[urg]),
                anesthesia=anesthesia,
                preferred_window=window,
                not_before=done,
                started=rx.fractions_delivered > 0,
                allowed_machines=record.allowed_machine_codes(plan),
            )
        )
    return new, physics


#: Solves on a fresh snapshot before giving up when the schedule keeps changing underneath.
SNAPSHOT_ATTEMPTS = 3


def courses_book(
    *,
    requests: Sequence[BookingRequest],
    by: User,
    time_limit: float = 5.0,
    progress: Progress | None = None,
    on_saved: Callable[[list[CourseBookingResult]], None] | None = None,
) -> list[CourseBookingResult]:
    """Book several courses in one solve (a day's new patients: the engine's online mode).

    All or nothing for the bookings: when one course is refused or cannot be placed, no
    booking is saved (sessions the courses needed may stay scheduled, unbooked). Solved on a
    snapshot without machine locks (other bookings go on meanwhile); the machines are locked
    only to check that nothing changed underneath (`schedule_stamp`) and to save. When
    something did, it solves again on the new state; the last of `SNAPSHOT_ATTEMPTS` attempts
    solves under the machine locks, so a booking cannot lose the race forever.
    `progress(done, total, note)` hears each step (the job page shows it); `on_saved(results)`
    runs inside the transaction that saves the bookings (a job records its success there).
    """
    require(by, "schedule.book")
    _check_time_limit(time_limit)
    today = timezone.localdate()
    windows = [_validate_request(r, today) for r in requests]
    report = progress or (lambda done, total, note: None)
    for attempt in range(1, SNAPSHOT_ATTEMPTS + 1):
        # 1. Interlocks and the course's sessions, in a short transaction of their own (sessions
        # scheduled but not yet booked are a valid state: the course page makes them too).
        report(0, 4, _("Checking the courses"))
        with transaction.atomic():
            new: list[adapter.NewCourse] = []
            physics: dict[int, dt.datetime | None] = {}
            course_of: dict[int, Course] = {}
            for r, window in zip(requests, windows, strict=True):
                items, done = _new_courses(r, window, by, today)
                new.extend(items)
                physics.update(done)
                course_of.update({c.prescription.pk: r.course for c in items})
        rx_ids = [c.prescription.pk for c in new]
        start_date = min(c.ready_date for c in new)
        if attempt == SNAPSHOT_ATTEMPTS:
            # Last attempt: solve under the machine locks, so that a booking that lost the race
            # every time (two busy workers solving side by side) still finishes instead of
            # failing; the others wait for this one solve only.
            report(1, 4, _("Solving (attempt %(n)d)") % {"n": attempt})
            with transaction.atomic():
                machines = _lock_machines(Machine.objects.values_list("pk", flat=True))
                solved = adapter.solve_courses(new, start_date=start_date, time_limit=time_limit)
                report(3, 4, _("Saving"))
                results = _commit(requests, new, solved, machines, physics, course_of, by)
                if on_saved is not None:
                    on_saved(results)
                return results
        # 2. Solve on a snapshot, outside any transaction: no machine row and no audit chain
        # lock is held, so other schedulers and every audited write go on meanwhile.
        stamp = schedule_stamp(rx_ids)
        report(1, 4, _("Solving (attempt %(n)d)") % {"n": attempt})
        solved = adapter.solve_courses(new, start_date=start_date, time_limit=time_limit)
        # 3. Lock the machines, check that nothing changed underneath, save.
        report(2, 4, _("Checking that nothing changed meanwhile"))
        try:
            with transaction.atomic():
                machines = _lock_machines(Machine.objects.values_list("pk", flat=True))
                if schedule_stamp(rx_ids) != stamp:
                    raise _ScheduleChanged
                report(3, 4, _("Saving"))
                results = _commit(requests, new, solved, machines, physics, course_of, by)
                if on_saved is not None:
                    on_saved(results)
                return results
        except _ScheduleChanged:
            continue  # someone booked, cancelled or reported downtime: solve again
    raise AssertionError("unreachable: the last attempt solves under the locks")


class _ScheduleChanged(Exception):
    """The snapshot a solve used is out of date."""


def _commit(
    requests: Sequence[BookingRequest],
    new: list[adapter.NewCourse],
    solved: adapter.CourseSolution,
    machines: dict[int, Machine],
    physics: dict[int, dt.datetime | None],
    course_of: dict[int, Course],
    by: User,
) -> list[CourseBookingResult]:
    """Save a solution under the machine locks, after every hard rule is checked again."""
    if solved.unscheduled:
        rx_id, reason = next(iter(solved.unscheduled.items()))
        raise Conflict(
            _("No feasible slots for prescription %(id)s: %(reason)s")
            % {"id": rx_id, "reason": reason},
            rule="no_feasible_slot",
            problems=[FieldProblem("prescription", reason, rx_id)],
        )
    by_rx = {c.prescription.pk: c for c in new}
    slots = [
        Slot(p.fraction, p.machine.pk, p.start, p.end, by_rx[rx_id].technique, p.is_first)
        for rx_id, planned in solved.bookings.items()
        for p in planned
    ]
    _check_slots(slots, machines, physics_done=physics)
    rows_by_rx: dict[int, list[Booking]] = {}
    for rx_id, planned in solved.bookings.items():
        c = by_rx[rx_id]
        rows_by_rx[rx_id] = [
            Booking(
                fraction=p.fraction,
                prescription_id=rx_id,
                patient=course_of[rx_id].patient,
                machine=p.machine,
                start=p.start,
                end=p.end,
                technique=c.technique,
                is_first=p.is_first,
                anesthesia=c.anesthesia,
                urgency=c.urgency,
                penalties=p.penalties,
                booked_by=by,
            )
            for p in planned
        ]
    all_rows = [b for rows in rows_by_rx.values() for b in rows]
    try:
        with transaction.atomic():
            Booking.objects.bulk_create(all_rows)
    except IntegrityError as exc:
        raise Conflict(
            _("A session was booked by someone else meanwhile; book again."), rule="slot_taken"
        ) from exc
    _sync_fractions(all_rows)
    results = []
    for r in requests:
        mine = {k: v for k, v in rows_by_rx.items() if course_of[k].pk == r.course.pk}
        totals = {k: solved.totals.get(k, {}) for k in mine}
        audit_record(
            action=AuditAction.CREATE,
            obj=r.course,
            patient=r.course.patient,
            detail={
                "bookings": sum(len(v) for v in mine.values()),
                "prescriptions": sorted(mine),
                "first": min(b.start for v in mine.values() for b in v),
                "penalties": {str(k): v for k, v in totals.items()},
                "solve_seconds": solved.metrics.get("solve_seconds"),
                "courses_in_solve": len(requests),
            },
        )
        results.append(CourseBookingResult(r.course, mine, totals, solved.metrics))
    return results


@dataclass
class WaitingBookingResult:
    booked: list[CourseBookingResult]
    skipped: dict[int, str]  # course pk -> why it was left for later


def courses_book_waiting(
    *,
    by: User,
    limit: int = 50,
    time_limit: float = 10.0,
    progress: Progress | None = None,
    on_saved: Callable[[WaitingBookingResult], None] | None = None,
) -> WaitingBookingResult:
    """Book, in one solve, every open course whose signed prescriptions are ready and unbooked.

    The daily online step: courses whose plan has not passed its physics check, or that still
    have an unsigned prescription, are skipped with the reason and stay on the worklist.
    """
    require(by, "schedule.book")
    requests, skipped = [], {}
    for course in selectors.unbooked_signed_courses(limit=limit):
        rxs = list(course.prescriptions.exclude(status__in=["cancelled", "entered-in-error"]))
        if any(rx.status == PrescriptionStatus.DRAFT for rx in rxs):
            skipped[course.pk] = "prescription_not_signed"
        elif any(
            rx.status == PrescriptionStatus.SIGNED and selectors.physics_done_at(rx) is None
            for rx in rxs
        ):
            skipped[course.pk] = "physics_check_incomplete"
        else:
            requests.append(BookingRequest(course))

    def saved(results: list[CourseBookingResult]) -> None:
        # Inside the transaction that saves the bookings: a job's success (its result names the
        # skipped courses, known by then) commits with them, so a killed worker cannot lose it.
        if on_saved is not None:
            on_saved(WaitingBookingResult(results, skipped))

    # A course that cannot be placed (or whose interlock fires) is named and left for later;
    # the others are booked: one blocked course never holds back the whole worklist.
    while requests:
        try:
            return WaitingBookingResult(
                courses_book(
                    requests=requests,
                    by=by,
                    time_limit=time_limit,
                    progress=progress,
                    on_saved=saved,
                ),
                skipped,
            )
        except Conflict as exc:
            blocker = _blocking_course(exc, requests)
            if blocker is None:
                raise
            skipped[blocker.pk] = f"{exc.rule}: {exc.message}"
            requests = [r for r in requests if r.course.pk != blocker.pk]
    return WaitingBookingResult([], skipped)


def _blocking_course(exc: Conflict, requests: Sequence[BookingRequest]) -> Course | None:
    """The course a refusal names (by its course or one of its prescriptions), if any."""
    for problem in exc.problems:
        for r in requests:
            if problem.field == "course" and str(problem.value) == str(r.course.pk):
                return r.course
            if (
                problem.field == "prescription"
                and isinstance(problem.value, int)
                and r.course.prescriptions.filter(pk=problem.value).exists()
            ):
                return r.course
    return None
