"""Writes of the scheduling area: machine service state, QA windows, outages, bookings.

Every booking goes through `_check_slots` under a row lock on the machines involved
(`select_for_update`), so two schedulers booking at once queue and the second one sees the
first one's sessions. The database backs this up: one active booking per fraction, one per
machine and start time, and on PostgreSQL an exclusion constraint against any overlap.
Interlocks raise `Conflict` with a stable rule code (409), bad input `ValidationFailed` naming
the field (422); nothing is written when a check fails.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone

from linac_optimizer.objective import TARGET_DAYS
from oncocenter.accounts.models import User
from oncocenter.audit.models import AuditAction
from oncocenter.audit.services import audit_record
from oncocenter.core.errors import Conflict, FieldProblem, ValidationFailed
from oncocenter.core.permissions import require
from oncocenter.machines import services as machine_services
from oncocenter.machines.models import DowntimeKind, Machine, MachineDowntime
from oncocenter.radiotherapy import services as rt_services
from oncocenter.radiotherapy.models import (
    Course,
    Fraction,
    FractionStatus,
    PhysicsCheck,
    Prescription,
    PrescriptionStatus,
)
from oncocenter.radiotherapy.selectors import current_plan
from oncocenter.scheduling import adapter, policy
from oncocenter.scheduling.models import Booking, BookingStatus

# --- helpers ---------------------------------------------------------------------------------------


def _lock_machines(ids: Iterable[int]) -> dict[int, Machine]:
    """Lock machine rows in a fixed order (no deadlock between two bookers)."""
    rows = (
        Machine.objects.select_for_update()
        .filter(pk__in=sorted(set(ids)))
        .order_by("pk")
        .prefetch_related("techniques")
    )
    return {m.pk: m for m in rows}


def _physics_done_at(prescription: Prescription) -> dt.datetime | None:
    """When the current plan's initial physics check passed (signature in force), or None."""
    plan = current_plan(prescription)
    if plan is None:
        return None
    check = (
        PhysicsCheck.objects.filter(
            plan=plan,
            kind="initial",
            passed=True,
            signature__voided_at__isnull=True,
            signature__signed_version=plan.version,
        )
        .order_by("-performed_at")
        .first()
    )
    return check.performed_at if check else None


@dataclass
class Slot:
    fraction: Fraction
    machine_id: int
    start: dt.datetime
    end: dt.datetime
    technique: str
    is_first: bool
    field: str = "start"


def _check_slots(
    slots: Sequence[Slot],
    machines: dict[int, Machine],
    *,
    ignore: Iterable[int] = (),
    physics_done: dict[int, dt.datetime | None] | None = None,
) -> None:
    """Every hard rule of a booking, checked against the database (machine rows locked)."""
    ignore = set(ignore)
    physics_done = physics_done or {}
    for s in slots:
        m = machines.get(s.machine_id)
        if m is None:
            raise ValidationFailed.single("machine", "unknown machine", s.machine_id)
        if not m.in_service:
            raise Conflict(
                f"Machine {m.code} is out of service.",
                rule="machine_out_of_service",
                problems=[FieldProblem("machine", "machine is out of service", m.code)],
            )
        if not m.can_deliver(s.technique):
            raise Conflict(
                f"Machine {m.code} cannot deliver {s.technique}.",
                rule="machine_incapable",
                problems=[FieldProblem("machine", f"not capable of {s.technique}", m.code)],
            )
        local_start, local_end = adapter.to_local_naive(s.start), adapter.to_local_naive(s.end)
        if not adapter.is_open_day(local_start.date()):
            raise Conflict(
                f"{local_start:%Y-%m-%d} is a weekend day or public holiday.",
                rule="closed_day",
                problems=[FieldProblem(s.field, "not an open treatment day", str(local_start))],
            )
        if (
            local_start.time() < m.opens_at
            or local_end.date() != local_start.date()
            or local_end.time() > m.closes_at
        ):
            raise Conflict(
                f"{m.code} treats {m.opens_at:%H:%M}-{m.closes_at:%H:%M}; "
                f"{local_start:%H:%M}-{local_end:%H:%M} is outside its hours.",
                rule="outside_hours",
                problems=[FieldProblem(s.field, "outside the machine's hours", str(local_start))],
            )
        down = adapter.overlapping(MachineDowntime.objects.filter(machine=m), s.start, s.end)
        hit = down.first()
        if hit is not None:
            raise Conflict(
                f"{m.code} is down ({hit.get_kind_display()}: {hit.reason}) at that time.",
                rule="machine_down",
                problems=[
                    FieldProblem(s.field, "inside a downtime or QA window", str(local_start))
                ],
            )
        taken = adapter.overlapping(
            Booking.objects.filter(machine=m, status=BookingStatus.BOOKED).exclude(pk__in=ignore),
            s.start,
            s.end,
        ).exists()
        if taken:
            raise Conflict(
                f"{m.code} already has a session at {local_start:%Y-%m-%d %H:%M}.",
                rule="slot_taken",
                problems=[FieldProblem(s.field, "overlaps another booking", str(local_start))],
            )
        if s.is_first:
            done = physics_done.get(s.fraction.prescription_id)
            if done is None or done > s.start:
                raise Conflict(
                    "The first fraction cannot be booked before the physics plan check "
                    "is complete.",
                    rule="physics_check_incomplete",
                    problems=[
                        FieldProblem(s.field, "before the physics check is complete", str(s.start))
                    ],
                )
    for mid, items in _by_machine(slots).items():
        if adapter.pairwise_overlaps(items):
            raise Conflict(
                f"Two of the new sessions overlap on {machines[mid].code}.", rule="slot_taken"
            )


def _by_machine(slots: Sequence[Slot]) -> dict[int, list[tuple[dt.datetime, dt.datetime]]]:
    out: dict[int, list[tuple[dt.datetime, dt.datetime]]] = defaultdict(list)
    for s in slots:
        out[s.machine_id].append((s.start, s.end))
    return out


def _save(booking: Booking) -> Booking:
    try:
        with transaction.atomic():
            booking.save(force_insert=True)
    except IntegrityError as exc:
        # The database's own guard fired: a concurrent writer won the race.
        raise Conflict(
            "The session was booked by someone else a moment ago.",
            rule="slot_taken",
            problems=[FieldProblem("start", "overlaps another booking", str(booking.start))],
        ) from exc
    return booking


def _sync_fractions(bookings: Iterable[Booking]) -> None:
    """Keep the radiotherapy sessions' date and machine equal to their bookings."""
    rt_services.fractions_follow_bookings(
        slots=[
            rt_services.SessionSlot(
                fraction_id=b.fraction_id,
                scheduled_date=adapter.to_local_naive(b.start).date(),
                machine_id=b.machine_id,
            )
            for b in bookings
        ]
    )


# --- outages ---------------------------------------------------------------------------------------------


@dataclass
class OutageResult:
    outage: MachineDowntime
    moved: list[Booking] = field(default_factory=list)  # the new bookings
    cancelled: list[Booking] = field(default_factory=list)
    unresolved: dict[int, str] = field(default_factory=dict)
    seconds: float = 0.0


def outage_report(
    *,
    machine: Machine,
    start: dt.datetime,
    end: dt.datetime,
    reason: str,
    by: User,
    now: dt.datetime | None = None,
) -> OutageResult:
    """Record an unplanned outage and rebook the sessions it hits on compatible machines.

    The engine keeps every other booking fixed, moves each hit session within its day when it
    can (interruption-sensitive courses first), and otherwise adds a session after the course's
    last one. Moved bookings are new rows pointing to the ones they replace.
    """
    require(by, "outage.report")
    machine_services.downtime_check(start=start, end=end, reason=reason)
    now = now or timezone.now()
    with transaction.atomic():
        machines = _lock_machines(Machine.objects.values_list("pk", flat=True))
        outage = machine_services.outage_record(
            machine=machine, start=start, end=end, reason=reason, by=by
        )
        result = OutageResult(outage)
        if machine.in_service:
            plan = adapter.plan_outage(machine=machine, start=start, end=end, now=now)
            result.unresolved, result.seconds = plan.unresolved, plan.seconds
            _apply_moves(plan.moves, machines, outage, by, result)
        outage.rebook_summary = {
            "moved": len(result.moved),
            "cancelled": len(result.cancelled),
            "patients": len({b.patient_id for b in result.moved + result.cancelled}),
            "unresolved": {str(k): v for k, v in result.unresolved.items()},
            "seconds": round(result.seconds, 3),
        }
        outage.save(update_fields=["rebook_summary", "updated_at"])
        audit_record(
            action=AuditAction.UPDATE,
            obj=outage,
            detail={"rebooked": True, **outage.rebook_summary},
        )
    return result


def _apply_moves(
    moves: Sequence[adapter.PlannedMove],
    machines: dict[int, Machine],
    outage: MachineDowntime,
    by: User,
    result: OutageResult,
) -> None:
    old_ids = [mv.old.pk for mv in moves]
    olds = {
        b.pk: b
        for b in Booking.objects.select_related("patient", "fraction").filter(pk__in=old_ids)
    }
    # Free every old slot first: a chain of moves may reuse a slot another move frees.
    Booking.objects.filter(pk__in=[mv.old.pk for mv in moves if mv.machine]).update(
        status=BookingStatus.MOVED, updated_at=timezone.now()
    )
    slots = [
        Slot(olds[mv.old.pk].fraction, mv.machine.pk, mv.start, mv.end, mv.old.technique, False)
        for mv in moves
        if mv.machine is not None and mv.start is not None and mv.end is not None
    ]
    # The outage row is already saved, so the check also proves nothing lands inside it.
    _check_slots(slots, machines, ignore=old_ids)
    by_patient: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for mv in moves:
        old = olds[mv.old.pk]
        if mv.machine is None:
            old.status = BookingStatus.CANCELLED
            old.cancel_reason = f"outage {outage.machine.code}: {mv.kind}"[:300]
            old.moved_by_downtime = outage
            old.save(update_fields=["status", "cancel_reason", "moved_by_downtime", "updated_at"])
            result.cancelled.append(old)
            by_patient[old.patient_id].append({"fraction": old.fraction_id, "cancelled": True})
            continue
        assert mv.start is not None and mv.end is not None  # a planned move has both times
        new = _save(
            Booking(
                fraction=old.fraction,
                prescription_id=old.prescription_id,
                patient=old.patient,
                machine=mv.machine,
                start=mv.start,
                end=mv.end,
                technique=old.technique,
                is_first=old.is_first,
                anesthesia=old.anesthesia,
                urgency=old.urgency,
                replaces=old,
                moved_by_downtime=outage,
                change_kind=mv.kind[:40],
                penalties={},
                booked_by=by,
            )
        )
        _sync_fractions([new])
        result.moved.append(new)
        by_patient[old.patient_id].append(
            {
                "fraction": old.fraction_id,
                "from": old.start,
                "to": new.start,
                "machine": mv.machine.code,
            }
        )
    _resequence({mv.old.prescription_id for mv in moves if mv.kind.startswith("moved to the end")})
    for patient_id, changes in by_patient.items():
        audit_record(
            action=AuditAction.UPDATE,
            object_type="scheduling.booking",
            patient=next(b.patient for b in olds.values() if b.patient_id == patient_id),
            detail={"outage": outage.pk, "changes": changes},
        )


def _resequence(prescription_ids: set[int]) -> None:
    """Give a course's open sessions to its bookings in time order again.

    When an outage adds a session after the course's last one, the session that lost its slot
    would otherwise be last in time but not in sequence; the engine renumbers the same way.
    Bookings keep their slots; only which fraction row each one serves changes.
    """
    for rx_id in prescription_ids:
        rows = list(
            Booking.objects.filter(
                prescription_id=rx_id,
                status=BookingStatus.BOOKED,
                fraction__status=FractionStatus.SCHEDULED,
            )
            .select_related("fraction")
            .order_by("start")
        )
        fractions = sorted((b.fraction for b in rows), key=lambda f: f.sequence)
        if [b.fraction_id for b in rows] == [f.pk for f in fractions]:
            continue
        # Step out of the one-booking-per-fraction constraint while the rows swap fractions.
        Booking.objects.filter(pk__in=[b.pk for b in rows]).update(status=BookingStatus.MOVED)
        for b, f in zip(rows, fractions, strict=True):
            Booking.objects.filter(pk=b.pk).update(fraction=f, status=BookingStatus.BOOKED)
            b.fraction_id = f.pk
            _sync_fractions([b])


def outage_confirm(*, outage: MachineDowntime, by: User) -> MachineDowntime:
    """The scheduler has reviewed the automatic rebooking (and will notify the patients)."""
    require(by, "outage.confirm")
    with transaction.atomic():
        outage = MachineDowntime.objects.select_for_update().get(pk=outage.pk)
        if outage.kind != DowntimeKind.OUTAGE:
            raise Conflict("Only an outage's rebooking is confirmed.", rule="not_an_outage")
        if outage.confirmed_at is not None:
            raise Conflict("The changes were already confirmed.", rule="already_confirmed")
        outage.confirmed_by, outage.confirmed_at = by, timezone.now()
        outage.save(update_fields=["confirmed_by", "confirmed_at", "updated_at"])
        audit_record(action=AuditAction.UPDATE, obj=outage, detail={"confirmed": True})
    return outage


# --- bookings -----------------------------------------------------------------------------------------------


def _fraction_for_update(fraction: Fraction) -> Fraction:
    return (
        Fraction.objects.select_for_update()
        .select_related("prescription__course__patient")
        .get(pk=fraction.pk)
    )


def booking_create(
    *,
    fraction: Fraction,
    machine: Machine,
    start: dt.datetime,
    by: User,
    anesthesia: bool = False,
    urgency: str = "",
) -> Booking:
    """Book one session by hand (a scheduler's manual slot), with every hard rule checked."""
    require(by, "schedule.book")
    if not isinstance(start, dt.datetime) or timezone.is_naive(start):
        raise ValidationFailed.single("start", "must be a date and time with a timezone", start)
    if urgency and urgency not in policy.URGENCIES:
        raise ValidationFailed.single(
            "urgency", f"must be one of {', '.join(policy.URGENCIES)}", urgency
        )
    with transaction.atomic():
        machines = _lock_machines([machine.pk])
        fraction = _fraction_for_update(fraction)
        rx = fraction.prescription
        if rx.status != PrescriptionStatus.SIGNED:
            raise Conflict(
                f"Prescription is {rx.status}; sessions are booked only for a signed prescription.",
                rule="prescription_not_signed",
                problems=[FieldProblem("fraction", "prescription is not signed", fraction.pk)],
            )
        if fraction.status != FractionStatus.SCHEDULED:
            raise Conflict(
                f"Session is {fraction.status}; only a scheduled session is booked.",
                rule="fraction_not_open",
                problems=[FieldProblem("fraction", "session is not open", fraction.pk)],
            )
        if Booking.objects.filter(fraction=fraction, status=BookingStatus.BOOKED).exists():
            raise Conflict(
                "This session already has a booking; cancel it first.",
                rule="fraction_already_booked",
                problems=[FieldProblem("fraction", "already booked", fraction.pk)],
            )
        is_first = not Booking.objects.filter(
            prescription=rx, status=BookingStatus.BOOKED
        ).exists() and (rx.fractions_delivered == 0)
        minutes = policy.session_minutes(rx.technique, first=is_first, anesthesia=anesthesia)
        end = start + dt.timedelta(minutes=minutes)
        slot = Slot(fraction, machine.pk, start, end, rx.technique, is_first)
        _check_slots([slot], machines, physics_done={rx.pk: _physics_done_at(rx)})
        booking = _save(
            Booking(
                fraction=fraction,
                prescription=rx,
                patient=rx.course.patient,
                machine=machine,
                start=start,
                end=end,
                technique=rx.technique,
                is_first=is_first,
                anesthesia=anesthesia,
                urgency=urgency or policy.URGENCY_FROM_INTENT.get(rx.intent, "radical"),
                booked_by=by,
            )
        )
        _sync_fractions([booking])
        audit_record(
            action=AuditAction.CREATE,
            obj=booking,
            patient=rx.course.patient,
            detail={"machine": machine.code, "start": start, "minutes": minutes},
        )
    return booking


def booking_cancel(*, booking: Booking, by: User, reason: str) -> Booking:
    require(by, "schedule.book")
    if not reason.strip():
        raise ValidationFailed.single("reason", "is required")
    with transaction.atomic():
        booking = Booking.objects.select_for_update().select_related("patient").get(pk=booking.pk)
        if booking.status != BookingStatus.BOOKED:
            raise Conflict(f"Booking is {booking.status}.", rule="booking_not_active")
        booking.status = BookingStatus.CANCELLED
        booking.cancel_reason = reason.strip()[:300]
        booking.save(update_fields=["status", "cancel_reason", "updated_at"])
        audit_record(
            action=AuditAction.UPDATE,
            obj=booking,
            patient=booking.patient,
            detail={"cancelled": True, "reason": booking.cancel_reason},
        )
    return booking


# --- book a course ------------------------------------------------------------------------------------------


@dataclass
class CourseBookingResult:
    course: Course
    bookings: dict[int, list[Booking]]
    totals: dict[int, dict[str, int]]
    metrics: dict[str, Any]


def _parse_window(value: Any) -> tuple[str, str] | None:
    if value in (None, "", []):
        return None
    try:
        a, b = value
        ta, tb = dt.time.fromisoformat(str(a)), dt.time.fromisoformat(str(b))
    except (TypeError, ValueError):
        raise ValidationFailed.single(
            "preferred_window", "must be two times HH:MM, start and end", value
        ) from None
    if tb <= ta:
        raise ValidationFailed.single("preferred_window", "end must be after start", value)
    return ta.strftime("%H:%M"), tb.strftime("%H:%M")


@dataclass(frozen=True)
class BookingRequest:
    """One course to book and the scheduler's choices for it (None: derived)."""

    course: Course
    urgency: str | None = None
    ready_date: dt.date | None = None
    anesthesia: bool | None = None
    preferred_window: Any = None


def course_book(
    *,
    course: Course,
    by: User,
    urgency: str | None = None,
    ready_date: dt.date | None = None,
    anesthesia: bool | None = None,
    preferred_window: Any = None,
    time_limit: float = 5.0,
) -> CourseBookingResult:
    """Book every open session of the course's signed prescriptions, solved in-process.

    Refused (409) while a prescription of the course is unsigned, when no plan has passed its
    physics check, or when the course is already booked. The first fraction is never before the
    physics check; `anesthesia` defaults to the pediatric area's sedation flag when it has one.
    """
    request = BookingRequest(course, urgency, ready_date, anesthesia, preferred_window)
    return courses_book(requests=[request], by=by, time_limit=time_limit)[0]


def _validate_request(r: BookingRequest, today: dt.date) -> tuple[str, str] | None:
    problems = []
    if r.urgency not in (None, "") and r.urgency not in policy.URGENCIES:
        problems.append(
            FieldProblem("urgency", f"must be one of {', '.join(policy.URGENCIES)}", r.urgency)
        )
    if r.ready_date is not None and r.ready_date < today:
        problems.append(
            FieldProblem("ready_date", "must not be in the past", r.ready_date.isoformat())
        )
    if problems:
        raise ValidationFailed(problems)
    return _parse_window(r.preferred_window)


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
    if not rxs:
        raise Conflict(
            "The course has no prescription to book.",
            rule="prescription_not_signed",
            problems=[FieldProblem("course", "no prescription", course.pk)],
        )
    unsigned = [rx for rx in rxs if rx.status == PrescriptionStatus.DRAFT]
    if unsigned:
        raise Conflict(
            f"Prescription '{unsigned[0].site}' is not signed; a course is booked only "
            "after its prescription is signed.",
            rule="prescription_not_signed",
            problems=[FieldProblem("prescription", "not signed", unsigned[0].pk)],
        )
    booked_rx = set(
        Booking.objects.filter(prescription__in=rxs, status=BookingStatus.BOOKED).values_list(
            "prescription_id", flat=True
        )
    )
    todo = [rx for rx in rxs if rx.status == PrescriptionStatus.SIGNED and rx.pk not in booked_rx]
    if not todo:
        raise Conflict(
            "Every signed prescription of the course is already booked.",
            rule="course_already_booked",
            problems=[FieldProblem("course", "already booked", course.pk)],
        )
    physics: dict[int, dt.datetime | None] = {}
    new: list[adapter.NewCourse] = []
    tomorrow = adapter.open_day_on_or_after(today + dt.timedelta(days=1))
    for rx in todo:
        plan = current_plan(rx)
        done = _physics_done_at(rx)
        physics[rx.pk] = done
        if plan is None or done is None:
            raise Conflict(
                f"Prescription '{rx.site}': the plan's physics check is not complete; the "
                "first fraction cannot be booked before it.",
                rule="physics_check_incomplete",
                problems=[FieldProblem("prescription", "physics check not complete", rx.pk)],
            )
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
            )
        )
    return new, physics


def courses_book(
    *, requests: Sequence[BookingRequest], by: User, time_limit: float = 5.0
) -> list[CourseBookingResult]:
    """Book several courses in one solve (a day's new patients: the engine's online mode).

    All or nothing: when one course is refused or cannot be placed, nothing is saved.
    """
    require(by, "schedule.book")
    if not 0.5 <= time_limit <= 60:
        raise ValidationFailed.single(
            "time_limit", "must be between 0.5 and 60 seconds", time_limit
        )
    today = timezone.localdate()
    windows = [_validate_request(r, today) for r in requests]
    with transaction.atomic():
        machines = _lock_machines(Machine.objects.values_list("pk", flat=True))
        new: list[adapter.NewCourse] = []
        physics: dict[int, dt.datetime | None] = {}
        course_of: dict[int, Course] = {}
        for r, window in zip(requests, windows, strict=True):
            items, done = _new_courses(r, window, by, today)
            new.extend(items)
            physics.update(done)
            course_of.update({c.prescription.pk: r.course for c in items})
        start_date = min(c.ready_date for c in new)
        solved = adapter.solve_courses(new, start_date=start_date, time_limit=time_limit)
        if solved.unscheduled:
            rx_id, reason = next(iter(solved.unscheduled.items()))
            raise Conflict(
                f"No feasible slots for prescription {rx_id}: {reason}",
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
                "A session was booked by someone else meanwhile; book again.", rule="slot_taken"
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
    *, by: User, limit: int = 50, time_limit: float = 10.0
) -> WaitingBookingResult:
    """Book, in one solve, every open course whose signed prescriptions are ready and unbooked.

    The daily online step: courses whose plan has not passed its physics check, or that still
    have an unsigned prescription, are skipped with the reason and stay on the worklist.
    """
    from oncocenter.scheduling.selectors import unbooked_signed_courses

    require(by, "schedule.book")
    requests, skipped = [], {}
    for course in unbooked_signed_courses(limit=limit):
        rxs = list(course.prescriptions.exclude(status__in=["cancelled", "entered-in-error"]))
        if any(rx.status == PrescriptionStatus.DRAFT for rx in rxs):
            skipped[course.pk] = "prescription_not_signed"
        elif any(
            rx.status == PrescriptionStatus.SIGNED and _physics_done_at(rx) is None for rx in rxs
        ):
            skipped[course.pk] = "physics_check_incomplete"
        else:
            requests.append(BookingRequest(course))
    if not requests:
        return WaitingBookingResult([], skipped)
    return WaitingBookingResult(
        courses_book(requests=requests, by=by, time_limit=time_limit), skipped
    )
