"""Reads of the scheduling area. Reads that return patient data are audited.

The day board is built from a fixed number of queries whatever the number of sessions: the
machines (with techniques), the day's downtime, and the day's bookings joined to their patient
and prescription; first fractions and changed bookings are columns of the booking row.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Exists, OuterRef, Prefetch, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from oncocenter.audit.models import AuditAction
from oncocenter.audit.services import audit_record
from oncocenter.core.errors import NotFound
from oncocenter.machines.models import DowntimeKind, Machine, MachineDowntime
from oncocenter.machines.qa import QAStatus, qa_states
from oncocenter.patients.models import Patient
from oncocenter.radiotherapy.models import (
    Course,
    CourseStatus,
    PhysicsCheck,
    Prescription,
    PrescriptionStatus,
)
from oncocenter.radiotherapy.selectors import current_plan
from oncocenter.scheduling import adapter
from oncocenter.scheduling.models import Booking, BookingStatus

#: Lists and the day board show the bookings of open courses only (completed, stopped, suspended
#: and entered-in-error courses have no open booking anyway: this also guards old rows).
OPEN_COURSES = (CourseStatus.PLANNED, CourseStatus.ACTIVE)

#: The board's vertical scale: pixels per minute of machine time.
PX_PER_MIN = 2


def day_bounds(day: dt.date) -> tuple[dt.datetime, dt.datetime]:
    tz = adapter.center_tz()
    start = dt.datetime.combine(day, dt.time.min, tzinfo=tz)
    return start, start + dt.timedelta(days=1)


@dataclass
class BoardItem:
    booking: Booking | None
    downtime: MachineDowntime | None
    top: int
    height: int


@dataclass
class BoardColumn:
    machine: Machine
    items: list[BoardItem] = field(default_factory=list)
    sessions: int = 0
    minutes: int = 0
    qa: QAStatus | None = None  # the machine's QA state (today: now; another day: its end)


@dataclass
class DayBoard:
    day: dt.date
    columns: list[BoardColumn]
    opens: int  # minutes after midnight of the earliest opening
    closes: int
    hours: list[dict[str, Any]]
    sessions: int
    changed: int
    outages: list[MachineDowntime]


def _minute(t: dt.datetime) -> int:
    local = timezone.localtime(t, adapter.center_tz())
    return local.hour * 60 + local.minute


def _treated_within(begin: dt.datetime, end: dt.datetime) -> Q:
    """A treated booking counts as one of the day's sessions only when it was treated that day:
    a session booked for tomorrow but treated today (an off-schedule delivery) took no slot
    tomorrow, and the board must not show it there as treated."""
    return Q(status=BookingStatus.TREATED, treated_at__gte=begin, treated_at__lt=end)


def day_board(*, day: dt.date, audit: bool = True) -> DayBoard:
    """Per machine, the day's sessions and downtime, positioned on a shared time axis."""
    begin, end = day_bounds(day)
    machines = list(Machine.objects.prefetch_related("techniques").order_by("code"))
    opens = min((m.opens_at.hour * 60 + m.opens_at.minute for m in machines), default=480)
    closes = max((m.closes_at.hour * 60 + m.closes_at.minute for m in machines), default=1200)
    qa_at = min(timezone.now(), end - dt.timedelta(seconds=1))
    qa = qa_states([m.pk for m in machines], qa_at) if begin <= timezone.now() else {}
    columns = {m.pk: BoardColumn(m, qa=qa.get(m.pk)) for m in machines}
    downtimes = list(
        MachineDowntime.objects.filter(start__lt=end, end__gt=begin)
        .select_related("machine")
        .order_by("start")
    )
    for d in downtimes:
        top = max(opens, _minute(max(d.start, begin)))
        bottom = min(closes, _minute(d.end) if d.end < end else closes)
        if bottom > top:
            columns[d.machine_id].items.append(
                BoardItem(None, d, (top - opens) * PX_PER_MIN, (bottom - top) * PX_PER_MIN)
            )
    # The day's sessions still to treat, and those already treated (a course that finished
    # today is no longer open but its last session stays on today's board).
    bookings = list(
        Booking.objects.filter(start__gte=begin, start__lt=end)
        .filter(
            Q(status=BookingStatus.BOOKED, prescription__course__status__in=OPEN_COURSES)
            | _treated_within(begin, end)
        )
        .select_related("patient", "prescription", "replaces__machine")
        .order_by("start")
    )
    changed = 0
    for b in bookings:
        top = _minute(b.start) - opens
        columns[b.machine_id].items.append(
            BoardItem(b, None, top * PX_PER_MIN, max(b.minutes * PX_PER_MIN - 1, 8))
        )
        columns[b.machine_id].sessions += 1
        columns[b.machine_id].minutes += b.minutes
        changed += b.replaces_id is not None
    hours = [
        {"label": f"{h // 60:02d}:00", "top": (h - opens) * PX_PER_MIN}
        for h in range(opens - opens % 60, closes + 1, 60)
        if h >= opens
    ]
    if audit:
        audit_record(
            action=AuditAction.SEARCH,
            object_type="scheduling.booking",
            detail={
                "view": "day board",
                "day": day.isoformat(),
                "count": len(bookings),
                "mrns": sorted({b.patient.mrn for b in bookings}),
            },
        )
    return DayBoard(
        day=day,
        columns=list(columns.values()),
        opens=opens,
        closes=closes,
        hours=hours,
        sessions=len(bookings),
        changed=changed,
        outages=[d for d in downtimes if d.kind == DowntimeKind.OUTAGE],
    )


def patient_appointments(*, patient: Patient, include_past: bool = False) -> list[Booking]:
    qs = (
        Booking.objects.filter(
            patient=patient,
            status=BookingStatus.BOOKED,
            prescription__course__status__in=OPEN_COURSES,
        )
        .select_related("machine", "prescription", "replaces__machine")
        .order_by("start")
    )
    if not include_past:
        qs = qs.filter(end__gte=day_bounds(timezone.localdate())[0])
    rows = list(qs)
    audit_record(
        action=AuditAction.READ,
        object_type="scheduling.booking",
        patient=patient,
        detail={"view": "appointments", "count": len(rows)},
    )
    return rows


def course_bookings(*, course: Course) -> list[Booking]:
    rows = list(
        Booking.objects.filter(prescription__course=course, status=BookingStatus.BOOKED)
        .select_related("machine", "prescription", "replaces__machine")
        .order_by("start")
    )
    audit_record(
        action=AuditAction.READ,
        obj=course,
        patient=course.patient,
        detail={"view": "course bookings", "count": len(rows)},
    )
    return rows


def course_get(*, pk: int) -> Course:
    course = (
        Course.objects.select_related("patient")
        .prefetch_related(Prefetch("prescriptions", queryset=Prescription.objects.order_by("pk")))
        .filter(pk=pk)
        .first()
    )
    if course is None:
        raise NotFound(_("No radiotherapy course with id %(id)s.") % {"id": pk})
    return course


def outage_get(*, pk: int) -> MachineDowntime:
    outage = (
        MachineDowntime.objects.select_related("machine", "reported_by", "confirmed_by")
        .filter(pk=pk, kind=DowntimeKind.OUTAGE)
        .first()
    )
    if outage is None:
        raise NotFound(_("No outage with id %(id)s.") % {"id": pk})
    return outage


def outage_changes(*, outage: MachineDowntime) -> list[Booking]:
    """The bookings an outage moved (new rows, with the replaced one) or cancelled."""
    rows = list(
        Booking.objects.filter(moved_by_downtime=outage)
        .select_related("patient", "machine", "replaces__machine", "prescription")
        .order_by("patient__name_ko", "start")
    )
    audit_record(
        action=AuditAction.SEARCH,
        obj=outage,
        detail={"view": "outage changes", "mrns": sorted({b.patient.mrn for b in rows})},
    )
    return rows


def unbooked_signed_courses(*, limit: int = 20, patient: Patient | None = None) -> list[Course]:
    """Open courses with a signed prescription and no booked session yet (scheduler worklist)."""
    booked = Booking.objects.filter(prescription=OuterRef("pk"), status=BookingStatus.BOOKED)
    rx_waiting = Prescription.objects.filter(
        course=OuterRef("pk"), status=PrescriptionStatus.SIGNED
    ).filter(~Exists(booked))
    qs = Course.objects.filter(status__in=[CourseStatus.PLANNED, CourseStatus.ACTIVE])
    if patient is not None:
        qs = qs.filter(patient=patient)
    return list(
        qs.filter(Exists(rx_waiting)).select_related("patient").order_by("created_at")[:limit]
    )


def outages_on(*, day: dt.date) -> list[MachineDowntime]:
    begin, end = day_bounds(day)
    return list(
        MachineDowntime.objects.filter(kind=DowntimeKind.OUTAGE, start__lt=end, end__gt=begin)
        .select_related("machine")
        .order_by("start")
    )


def booked_on_machine(machine: Machine, start: dt.datetime, end: dt.datetime | None) -> int:
    """Active bookings on the machine overlapping [start, end) (`end` None: from start on).

    Answers `oncocenter.machines.hooks.BOOKED_SESSIONS` (registered in apps.py).
    """
    qs = Booking.objects.filter(machine=machine, status=BookingStatus.BOOKED, end__gt=start)
    if end is not None:
        qs = qs.filter(start__lt=end)
    return qs.count()


def physics_done_at(prescription: Prescription) -> dt.datetime | None:
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
class MachineDay:
    code: str
    kind: str
    sessions: int
    minutes: int
    open_minutes: int
    treated: int = 0


def machine_day_counts(*, day: dt.date) -> list[MachineDay]:
    """Sessions and minutes per machine on `day`, still booked or already treated (a session's
    booking becomes "treated" when the treatment is recorded, and it is still one of the day's
    sessions); `treated` counts the latter. Counts only, no patient data."""
    begin, end = day_bounds(day)
    sessions: dict[int, int] = {}
    minutes: dict[int, int] = {}
    treated: dict[int, int] = {}
    for machine_id, start, stop, status in (
        Booking.objects.filter(start__gte=begin, start__lt=end)
        .filter(Q(status=BookingStatus.BOOKED) | _treated_within(begin, end))
        .values_list("machine_id", "start", "end", "status")
    ):
        sessions[machine_id] = sessions.get(machine_id, 0) + 1
        minutes[machine_id] = minutes.get(machine_id, 0) + int((stop - start).total_seconds() // 60)
        if status == BookingStatus.TREATED:
            treated[machine_id] = treated.get(machine_id, 0) + 1
    out = []
    for m in Machine.objects.order_by("code"):
        span = (m.closes_at.hour * 60 + m.closes_at.minute) - (
            m.opens_at.hour * 60 + m.opens_at.minute
        )
        out.append(
            MachineDay(
                m.code,
                m.kind,
                sessions.get(m.pk, 0),
                minutes.get(m.pk, 0),
                span,
                treated.get(m.pk, 0),
            )
        )
    return out
