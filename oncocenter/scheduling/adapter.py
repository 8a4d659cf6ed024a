"""Adapter between the database and the scheduling engine (`linac_optimizer`).

DB -> instance dict (`linac-schedule/1`) -> engine -> solution -> DB. The engine never sees
Django objects: machines, their downtime and QA windows, and every active booking of the horizon
become an instance; bookings already made are `booked` appointments the engine must keep.
Engine patient ids are `RX<prescription pk>`; instance times are local wall-clock times of the
center's timezone (settings.TIME_ZONE), which the adapter converts to and from aware datetimes.

Bookings already made are given to the engine with their real fraction position in the course,
so an outage that cannot be absorbed the same day extends the course by one session (instead of
restarting it), and only a course's true first fraction is treated as the long first session.
"""

from __future__ import annotations

import datetime as dt
import itertools
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db.models import Q
from django.utils import timezone

from linac_optimizer.holds import solve_with_holds
from linac_optimizer.model import Instance, Patient
from linac_optimizer.objective import DEFAULT_WEIGHTS, Weights, outside_minutes
from linac_optimizer.online import ArrivalStats, Change, Reserve, rebook_outage
from linac_optimizer.state import Schedule
from linac_optimizer.timeline import Timeline, open_dates
from oncocenter.machines.models import Machine, MachineDowntime
from oncocenter.machines.qa import matched_machine_ids
from oncocenter.radiotherapy.models import Plan, PlanStatus
from oncocenter.scheduling import policy
from oncocenter.scheduling.hooks import SEDATION_REQUIRED
from oncocenter.scheduling.models import Booking, BookingStatus, Urgency

HOLIDAY_CALENDAR = "KR"


def center_tz() -> ZoneInfo:
    return ZoneInfo(settings.TIME_ZONE)


def to_local_naive(t: dt.datetime) -> dt.datetime:
    return timezone.localtime(t, center_tz()).replace(tzinfo=None, second=0, microsecond=0)


def to_aware(t: dt.datetime) -> dt.datetime:
    return t.replace(tzinfo=center_tz())


def fmt(t: dt.datetime) -> str:
    return t.strftime("%Y-%m-%dT%H:%M")


def is_open_day(day: dt.date) -> bool:
    """Weekday and not a Korean public holiday (the engine's own calendar)."""
    return bool(open_dates(day, 1, HOLIDAY_CALENDAR))


def rx_pid(prescription_id: int) -> str:
    return f"RX{prescription_id}"


def pid_rx(pid: str) -> int:
    return int(pid[2:])


# --- patient flags read from other areas ---------------------------------------------------------


def sedation_required(patient: Any) -> bool | None:
    """Whether the patient is treated under sedation (the `anesthesia` flag of the scheduler's
    format), asked of the apps that know (`hooks.SEDATION_REQUIRED`); None when none knows."""
    for provider in SEDATION_REQUIRED.providers():
        answer = provider(patient)
        if answer is not None:
            return answer
    return None


# --- building the instance ---------------------------------------------------------------------------


@dataclass
class NewCourse:
    """One prescription to book: the engine patient plus the fraction rows it maps to."""

    prescription: Any
    fractions: list[Any]  # radiotherapy.Fraction rows, in sequence order
    technique: str
    pattern: str
    urgency: str
    ready_date: dt.date
    due_date: dt.date
    anesthesia: bool
    preferred_window: tuple[str, str] | None = None
    not_before: dt.datetime | None = None  # aware: the physics check completed at
    started: bool = False  # fractions already delivered: no long first session
    allowed_machines: list[str] | None = None  # the plan's machine and its beam-matched group

    @property
    def first_is_long(self) -> bool:
        return not self.started

    def patient_json(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "id": rx_pid(self.prescription.pk),
            "ready_date": self.ready_date.isoformat(),
            "due_date": self.due_date.isoformat(),
            "urgency": self.urgency,
            "fractions": len(self.fractions),
            "pattern": self.pattern,
            "technique": self.technique,
            "duration_min": policy.session_minutes(
                self.technique, first=False, anesthesia=self.anesthesia
            ),
            "first_duration_min": policy.session_minutes(
                self.technique, first=self.first_is_long, anesthesia=self.anesthesia
            ),
            "anesthesia": self.anesthesia,
        }
        if self.preferred_window:
            data["preferred_window"] = list(self.preferred_window)
        if self.allowed_machines is not None:
            data["allowed_machines"] = list(self.allowed_machines)
        return data


@dataclass
class FixedIndex:
    """Bookings given to the engine as `booked`, addressable by what the engine reports back."""

    by_slot: dict[tuple[str, str, str], Booking] = field(
        default_factory=dict
    )  # pid, machine, start
    position: dict[int, int] = field(default_factory=dict)  # booking pk -> fraction position


def machines_json(
    machines: Sequence[Machine], downtimes: Iterable[MachineDowntime]
) -> list[dict[str, Any]]:
    by_machine: dict[int, list[dict[str, str]]] = defaultdict(list)
    for d in downtimes:
        by_machine[d.machine_id].append(
            {
                "start": fmt(to_local_naive(d.start)),
                "end": fmt(to_local_naive(d.end)),
                "reason": f"{d.kind}: {d.reason}"[:80],
            }
        )
    return [
        {
            "id": m.code,
            "techniques": m.technique_codes(),
            "open": m.opens_at.strftime("%H:%M"),
            "close": m.closes_at.strftime("%H:%M"),
            "downtime": by_machine.get(m.pk, []),
        }
        for m in machines
    ]


def plan_machine_codes(prescription_ids: Iterable[int]) -> dict[int, list[str]]:
    """Per prescription, the codes of the machines its current plan may be treated on: the
    plan's machine and its beam-matched group (issue 15; delivery refuses any other). A
    prescription without a plan machine is left out (any capable machine)."""
    plans: dict[int, int] = {}
    for rx_id, machine_id in (
        Plan.objects.filter(prescription_id__in=list(prescription_ids), machine__isnull=False)
        .exclude(status=PlanStatus.RETIRED)
        .order_by("pk")
        .values_list("prescription_id", "machine_id")
    ):
        plans[rx_id] = machine_id  # the latest plan wins, as `current_plan` reads it
    codes = dict(Machine.objects.values_list("pk", "code"))
    groups: dict[int, list[str]] = {}
    out = {}
    for rx_id, machine_id in plans.items():
        if machine_id not in groups:
            groups[machine_id] = sorted(codes[i] for i in matched_machine_ids(machine_id))
        out[rx_id] = groups[machine_id]
    return out


def fixed_patients(
    window_start: dt.datetime,
    machines: Sequence[Machine],
    *,
    real_positions: bool,
    allowed: bool = False,
) -> tuple[list, FixedIndex]:
    """Every active booking from `window_start` on, grouped per prescription as `booked` patients.

    With `real_positions`, fraction numbers are the booking's position among all of the
    prescription's active bookings (earlier ones included), so outage rebooking knows which
    course is mid-way; without, they count from 1 in the window (a full solve would otherwise try
    to book the "missing" earlier fractions again). With `allowed`, each course carries its
    plan's machines as `allowed_machines` (outage rebooking moves sessions only there); a
    machine a session is already booked on stays allowed, so the engine keeps it.
    """
    codes = {m.pk: m.code for m in machines}
    rows = list(
        Booking.objects.filter(status=BookingStatus.BOOKED, start__gte=window_start)
        .select_related("prescription")
        .order_by("start")
        .only(
            "id",
            "prescription_id",
            "machine_id",
            "start",
            "end",
            "technique",
            "is_first",
            "anesthesia",
            "urgency",
            "prescription__pattern",
        )
    )
    rx_ids = {b.prescription_id for b in rows}
    earlier: Counter[int] = Counter()
    if real_positions:
        earlier = Counter(
            Booking.objects.filter(
                status=BookingStatus.BOOKED, start__lt=window_start, prescription_id__in=rx_ids
            ).values_list("prescription_id", flat=True)
        )
    grouped: dict[int, list[Booking]] = defaultdict(list)
    for b in rows:
        grouped[b.prescription_id].append(b)
    plan_codes = plan_machine_codes(rx_ids) if allowed else {}
    index = FixedIndex()
    patients = []
    for rx_id, bookings in grouped.items():
        pid = rx_pid(rx_id)
        offset = earlier.get(rx_id, 0)
        booked: list[dict[str, Any]] = []
        others = [b.minutes for b in bookings if not b.is_first] or [bookings[0].minutes]
        first_minutes = next((b.minutes for b in bookings if b.is_first), max(others))
        for i, b in enumerate(bookings):
            pos = offset + i + 1
            code = codes.get(b.machine_id)
            if code is None:  # a booking on a machine now out of service: kept as is
                continue
            local = to_local_naive(b.start)
            booked.append({"fraction": pos, "machine": code, "start": fmt(local)})
            index.by_slot[(pid, code, fmt(local))] = b
            index.position[b.pk] = pos
        if not booked:
            continue
        first_day = to_local_naive(bookings[0].start).date().isoformat()
        extra: dict[str, Any] = {}
        if rx_id in plan_codes:
            extra["allowed_machines"] = sorted(
                set(plan_codes[rx_id]) | {x["machine"] for x in booked}
            )
        patients.append(
            {
                **extra,
                "id": pid,
                "ready_date": first_day,
                "due_date": first_day,
                "urgency": bookings[0].urgency,
                "fractions": max(x["fraction"] for x in booked),
                "pattern": bookings[0].prescription.pattern,
                "technique": bookings[0].technique,
                # Over-estimating a fixed session's length is safe (more room kept free); the
                # real end is taken from the booking when it is written back.
                "duration_min": max(others),
                "first_duration_min": first_minutes,
                "anesthesia": any(b.anesthesia for b in bookings),
                "booked": booked,
            }
        )
    return patients, index


def build_instance(
    *,
    start_date: dt.date,
    horizon_days: int,
    new: Sequence[NewCourse] = (),
    window_start: dt.datetime | None = None,
    real_positions: bool = False,
) -> tuple[dict[str, Any], FixedIndex, list[Machine]]:
    """The `linac-schedule/1` instance of the in-service machines from `start_date`."""
    machines = list(
        Machine.objects.filter(in_service=True).prefetch_related("techniques").order_by("code")
    )
    tz = center_tz()
    begin = window_start or dt.datetime.combine(start_date, dt.time.min, tzinfo=tz)
    end = dt.datetime.combine(start_date + dt.timedelta(days=horizon_days), dt.time.min, tzinfo=tz)
    downtimes = MachineDowntime.objects.filter(
        machine__in=machines, start__lt=end, end__gt=begin
    ).order_by("start")
    fixed, index = fixed_patients(
        begin, machines, real_positions=real_positions, allowed=real_positions
    )
    # A fixed course reaching past the horizon would be cut; widen the horizon to hold it.
    last = max(
        (dt.date.fromisoformat(b["start"][:10]) for p in fixed for b in p["booked"]),
        default=start_date,
    )
    horizon_days = max(horizon_days, (last - start_date).days + 22)
    instance = {
        "format": "linac-schedule/1",
        "start_date": start_date.isoformat(),
        "horizon_days": horizon_days,
        "timezone": settings.TIME_ZONE,
        "holiday_calendar": HOLIDAY_CALENDAR,
        "closed_dates": [],
        "machines": machines_json(machines, downtimes),
        "patients": fixed + [c.patient_json() for c in new],
    }
    return instance, index, machines


# --- explanations --------------------------------------------------------------------------------------


def slot_penalties(
    p: Patient, apps: list[Any], tl: Timeline, w: Weights = DEFAULT_WEIGHTS
) -> list[dict[str, int]]:
    """Named penalties per appointment (sorted by fraction): why each slot is not ideal.

    The same weights as the engine's objective (`linac_optimizer.objective`), split per slot.
    """
    out: list[dict[str, int]] = [{} for _ in apps]
    if not apps:
        return out
    main = Counter(a.machine for a in apps).most_common(1)[0][0]
    first = apps[0].start.date()
    one = dt.timedelta(days=1)
    wait = max(0, tl.open_days_between(p.ready_date, first))
    late = max(0, tl.open_days_between(p.due_date + one, first + one))
    if wait:
        out[0]["waiting"] = w.wait * wait
    if late:
        out[0]["late_start"] = w.late[p.urgency] * late
    step = 2 if p.pattern == "alternate" else 1
    factor = w.interruption_sensitive_factor if p.interruption_sensitive else 1
    prev_day_first: int | None = None
    prev_date: dt.date | None = None
    for i, a in enumerate(apps):
        if a.machine != main:
            out[i]["machine_change"] = w.machine_change
        minute = a.start.hour * 60 + a.start.minute
        length = int((a.end - a.start).total_seconds() // 60)
        outside = outside_minutes(minute, minute + length, p.preferred_window)
        if outside:
            out[i]["outside_preferred_window"] = w.outside_window_per_5min * (outside // 5)
        day = a.start.date()
        if prev_date is not None and day != prev_date:
            if day in tl.index and prev_date in tl.index:
                skipped = tl.index[day] - tl.index[prev_date] - step
                if skipped > 0:
                    out[i]["interruption"] = w.interruption * skipped * factor
            if prev_day_first is not None:
                drift = abs(minute - prev_day_first) // 5
                if drift:
                    out[i]["start_time_drift"] = w.drift_per_5min * drift
        if day != prev_date:
            prev_day_first = minute
            prev_date = day
    return out


# --- running the engine ----------------------------------------------------------------------------


@dataclass
class PlannedBooking:
    fraction: Any
    machine: Machine
    start: dt.datetime  # aware
    end: dt.datetime
    is_first: bool
    penalties: dict[str, int]


@dataclass
class CourseSolution:
    bookings: dict[int, list[PlannedBooking]]  # prescription pk -> its sessions
    unscheduled: dict[int, str]
    totals: dict[int, dict[str, int]]
    metrics: dict[str, Any]
    instance: dict[str, Any]


def arrival_stats(today: dt.date) -> ArrivalStats:
    """What the center has seen arrive over the last `policy.ARRIVAL_HISTORY_DAYS` days: every
    course whose first (long) session was booked to start then, per open day, as the engine's
    `ArrivalStats` (urgency, span, minutes a day, children under anesthesia)."""
    since = today - dt.timedelta(days=policy.ARRIVAL_HISTORY_DAYS)
    tz = center_tz()
    firsts = list(
        Booking.objects.filter(
            is_first=True,
            start__gte=dt.datetime.combine(since, dt.time.min, tzinfo=tz),
            start__lt=dt.datetime.combine(today, dt.time.min, tzinfo=tz),
        )
        .exclude(status=BookingStatus.CANCELLED)
        .select_related("prescription")
        .only("prescription_id", "start", "end", "technique", "anesthesia", "urgency")
        .order_by("start")
    )
    counts = Counter(
        Booking.objects.filter(prescription_id__in={b.prescription_id for b in firsts})
        .exclude(status__in=[BookingStatus.CANCELLED, BookingStatus.MOVED])
        .values_list("prescription_id", flat=True)
    )
    by_day: dict[dt.date, list[Patient]] = defaultdict(list)
    for b in firsts:
        day = to_local_naive(b.start).date()
        minutes = b.minutes
        by_day[day].append(
            Patient.from_json(
                {
                    "id": rx_pid(b.prescription_id),
                    "ready_date": day.isoformat(),
                    "due_date": day.isoformat(),
                    "urgency": b.urgency,
                    "fractions": max(1, counts.get(b.prescription_id, 1)),
                    "pattern": b.prescription.pattern,
                    "technique": b.technique,
                    "duration_min": max(1, minutes - policy.FIRST_EXTRA_MIN),
                    "first_duration_min": minutes,
                    "anesthesia": b.anesthesia,
                },
                0,
            )
        )
    stats = ArrivalStats(window_days=policy.ARRIVAL_HISTORY_DAYS)
    for day in open_dates(since, (today - since).days, HOLIDAY_CALENDAR):
        stats.observe_day(by_day.get(day, []))
    _observe_queue(stats, today)
    return stats


def _observe_queue(stats: ArrivalStats, today: dt.date) -> None:
    """The queue the acute slots give way to (`policy.QUEUE_LIMIT_DAYS`): per booking day of
    the last `policy.QUEUE_WINDOW_DAYS` open days up to today, the open days each palliative or
    radical course booked then waits from its ready date to its first session. That wait is
    the first booking's own "waiting" penalty (`slot_penalties`, the engine's weight per open
    day), so nothing is recomputed from dates the booking did not keep."""
    days = open_dates(today - dt.timedelta(days=21), 22, HOLIDAY_CALENDAR)
    days = [d for d in days if d <= today][-policy.QUEUE_WINDOW_DAYS :]
    if not days:
        return
    tz = center_tz()
    rows = (
        Booking.objects.filter(
            is_first=True,
            replaces__isnull=True,
            urgency__in=[Urgency.PALLIATIVE, Urgency.RADICAL],
            created_at__gte=dt.datetime.combine(days[0], dt.time.min, tzinfo=tz),
            created_at__lt=dt.datetime.combine(
                today + dt.timedelta(days=1), dt.time.min, tzinfo=tz
            ),
        )
        .exclude(status=BookingStatus.CANCELLED)
        .values_list("created_at", "penalties")
    )
    by_day: dict[dt.date, list[int]] = defaultdict(list)
    for created, penalties in rows:
        waiting = int((penalties or {}).get("waiting", 0))
        by_day[created.astimezone(tz).date()].append(waiting // DEFAULT_WEIGHTS.wait)
    stats.queue_window = policy.QUEUE_WINDOW_DAYS
    for day in days:
        stats.observe_leads(by_day.get(day, []))


def add_holds(data: dict[str, Any], stats: ArrivalStats, *, today: dt.date) -> int:
    """Write the capacity held for children under anesthesia and acute patients into the
    instance's machines as `holds` (real slots in today's free time, `linac_optimizer.holds`),
    sized from `stats`; returns how many. Tomorrow's children's block is already released
    (the day before), today holds nothing."""
    instance = Instance.from_json(data)
    sched = Schedule(instance)
    sched.load_booked()
    techs = {m.id: set(m.techniques) for m in instance.machines}
    versatile = sorted(techs, key=lambda c: (-len(techs[c]), c))
    start = dt.date.fromisoformat(data["start_date"])
    # open-day index of today on the instance's timeline (negative before its first day)
    if today < start:
        today_index = -len(open_dates(today, (start - today).days, HOLIDAY_CALENDAR))
    else:
        today_index = sched.tl.first_open_on_or_after(today)
    reserve = Reserve.from_stats(
        stats,
        list(techs),
        today_index,
        anesthesia_machines=policy.anesthesia_machines(techs),
        q_block=policy.ANESTHESIA_BLOCK_QUANTILE,
        q_acute_slots=policy.ACUTE_SLOTS_QUANTILE,
        acute_days=policy.ACUTE_DAYS,
        acute_machines=versatile,
        q_acute_slots_queued=policy.ACUTE_SLOTS_QUANTILE_QUEUED,
        queue_limit=policy.QUEUE_LIMIT_DAYS,
    )
    held = reserve.held_slots(sched, max(policy.ACUTE_DAYS, policy.ANESTHESIA_BLOCK_DAYS))
    by_machine: dict[str, list[dict[str, str]]] = defaultdict(list)
    for h in held:
        by_machine[h.machine].append(h.to_json())
    for m in data["machines"]:
        if by_machine.get(m["id"]):
            m["holds"] = by_machine[m["id"]]
    return len(held)


def solve_courses(
    new: Sequence[NewCourse],
    *,
    start_date: dt.date,
    time_limit: float = 5.0,
    stats: ArrivalStats | None = None,
) -> CourseSolution:
    """Solve the new courses into the current schedule (every existing booking stays), leaving
    the capacity held for children under anesthesia and acute patients to them
    (`add_holds`, from the arrival history unless `stats` is given)."""
    longest = max(policy.course_calendar_days(len(c.fractions), c.pattern) for c in new)
    horizon = (
        longest + policy.HORIZON_MARGIN_DAYS + max((c.due_date - start_date).days for c in new)
    )
    data, _index, machines = build_instance(start_date=start_date, horizon_days=horizon, new=new)
    today = timezone.localdate()
    add_holds(data, stats if stats is not None else arrival_stats(today), today=today)
    instance = Instance.from_json(data)
    solution = solve_with_holds(instance, time_limit=time_limit, method="auto")
    by_code = {m.code: m for m in machines}
    tl = Timeline(instance)
    engine_patients = {p.id: p for p in instance.patients}
    wanted = {rx_pid(c.prescription.pk): c for c in new}
    apps_by_pid: dict[str, list[Any]] = defaultdict(list)
    for a in solution.appointments:
        if a.patient in wanted:
            apps_by_pid[a.patient].append(a)
    bookings: dict[int, list[PlannedBooking]] = {}
    unscheduled = {pid_rx(u.patient): u.reason for u in solution.unscheduled if u.patient in wanted}
    for pid, course in wanted.items():
        apps = sorted(apps_by_pid.get(pid, []), key=lambda a: a.fraction)
        if len(apps) != len(course.fractions):
            unscheduled.setdefault(
                course.prescription.pk,
                f"the engine placed {len(apps)} of {len(course.fractions)} sessions",
            )
            continue
        explained = slot_penalties(engine_patients[pid], apps, tl)
        bookings[course.prescription.pk] = [
            PlannedBooking(
                fraction=fr,
                machine=by_code[a.machine],
                start=to_aware(a.start),
                end=to_aware(a.end),
                is_first=a.fraction == 1 and course.first_is_long,
                penalties=pen,
            )
            for fr, a, pen in zip(course.fractions, apps, explained, strict=True)
        ]
    penalties = solution.extra.get("penalties", {})
    totals = {pid_rx(pid): penalties.get(pid, {}) for pid in wanted}
    return CourseSolution(bookings, unscheduled, totals, solution.metrics, data)


@dataclass
class PlannedMove:
    old: Booking
    machine: Machine | None
    start: dt.datetime | None
    end: dt.datetime | None
    kind: str


@dataclass
class OutagePlan:
    moves: list[PlannedMove]
    unresolved: dict[int, str]  # prescription pk -> reason
    seconds: float
    # the engine's count per outage: changed appointments, machine changes, swaps, sessions
    # moved to a free day of the course or after it, interruption days added, ...
    summary: dict[str, int] = field(default_factory=dict)


def plan_outage(
    *, machine: Machine, start: dt.datetime, end: dt.datetime, now: dt.datetime
) -> OutagePlan:
    """Ask the engine how to move the sessions an outage of `machine` over [start, end) hits.

    `machine` may already be recorded as down in the database: its new downtime row is left out
    of the instance and given to the engine as the outage, so the engine sees what it hits.
    """
    now = max(now, start)
    local_start, local_end = to_local_naive(start), to_local_naive(end)
    local_now = to_local_naive(now + dt.timedelta(seconds=59))
    first_day = local_start.date()
    window_start = dt.datetime.combine(first_day, dt.time.min, tzinfo=center_tz())
    horizon = (local_end.date() - first_day).days + policy.HORIZON_MARGIN_DAYS
    data, index, machines = build_instance(
        start_date=first_day, horizon_days=horizon, window_start=window_start, real_positions=True
    )
    for m in data["machines"]:  # the outage itself is the engine's input, not a known downtime
        if m["id"] == machine.code:
            m["downtime"] = [
                d
                for d in m["downtime"]
                if not (d["start"] == fmt(local_start) and d["end"] == fmt(local_end))
            ]
    instance = Instance.from_json(data)
    sched = Schedule(instance)
    sched.load_booked()
    result = rebook_outage(sched, machine.code, local_start, local_end, now=local_now)
    by_code = {m.code: m for m in machines}
    moves = []
    for change in result.changes:
        old = index.by_slot.get((change.patient, change.old_machine, fmt(change.old_start)))
        if old is None:  # the engine only reports sessions it was given
            continue
        moves.append(_move(old, change, by_code))
    unresolved = {pid_rx(pid): reason for pid, reason in result.unresolved.items()}
    return OutagePlan(moves, unresolved, result.seconds, result.summary())


def _move(old: Booking, change: Change, by_code: dict[str, Machine]) -> PlannedMove:
    if change.new_machine is None or change.new_start is None:
        return PlannedMove(old, None, None, None, change.kind)
    start = to_aware(change.new_start)
    return PlannedMove(
        old,
        by_code[change.new_machine],
        start,
        start + dt.timedelta(minutes=old.minutes),
        change.kind,
    )


def open_day_on_or_after(day: dt.date) -> dt.date:
    return open_dates(day, 21, HOLIDAY_CALENDAR)[0]


def add_open_days(day: dt.date, n: int) -> dt.date:
    """The n-th open day after `day` (n=0: `day` itself if open, else the next open day)."""
    days = open_dates(day, n * 2 + 21, HOLIDAY_CALENDAR)
    return days[min(n, len(days) - 1)]


def overlapping(qs: Any, start: dt.datetime, end: dt.datetime) -> Any:
    return qs.filter(Q(start__lt=end) & Q(end__gt=start))


def pairwise_overlaps(items: Sequence[tuple[dt.datetime, dt.datetime]]) -> bool:
    ordered = sorted(items)
    return any(b[0] < a[1] for a, b in itertools.pairwise(ordered))
