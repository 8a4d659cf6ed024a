"""Online mode (book each day's new patients, earlier bookings fixed, capacity kept for future
emergencies) and outage rebooking. These are the entry points the Django `scheduling` app calls;
both work on a `Schedule` so that the application can build it once per request from the
database (`Schedule(instance)` + `load_booked()`), or on instances via the wrappers at the end.
"""

from __future__ import annotations

import bisect
import collections
import datetime as dt
import itertools
import math
import time
from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass, field
from typing import Any

from .candidates import (
    MachinePressure,
    OnlineResult,
    book_emergencies_first,
    book_online,
    held_back,
    polish,
    ready_index,
)
from .decomposed import URGENT, BookingResult, book_patients, continue_course, due_index
from .model import Instance, Patient, fmt_datetime
from .named import named_objective, start_day_key
from .objective import DEFAULT_WEIGHTS, Weights, outside_minutes
from .placement import baseline_book, book_earliest
from .state import Busy, Schedule, Session
from .timeline import Timeline

# ----------------------------------------------------------------------------- reserve


def poisson_quantile(mean: float, q: float) -> int:
    """Smallest n with P(Poisson(mean) <= n) >= q."""
    if mean <= 0:
        return 0
    k, p = 0, math.exp(-mean)
    cdf = p
    while cdf < q and k < 10_000:
        k += 1
        p *= mean / k
        cdf += p
    return k


@dataclass
class ArrivalStats:
    """What the center has seen arrive, per open day: courses by urgency (span in open days,
    minutes a day) and children under anesthesia. The reserve is sized from these."""

    days: int = 0
    courses: dict[str, list[tuple[int, float]]] = field(default_factory=dict)
    anesthesia_courses: list[tuple[int, float]] = field(default_factory=list)
    # children under anesthesia: minutes their first session lasts beyond the others
    anesthesia_first_extra: list[int] = field(default_factory=list)
    window_days: int = 60  # older arrivals are forgotten, so a trend is followed
    # emergency and urgent arrivals: (first-session minutes, technique), for acute slot sizes
    acute_first: list[tuple[int, str]] = field(default_factory=list)
    # the day (1-based count of observed days) each child of `anesthesia_courses` arrived: the
    # children are trimmed to the last `window_days` open days like the other statistics
    anesthesia_days: list[int] = field(default_factory=list)
    # The queue (issue 16, "the held capacity must give way when the queue grows"): for each
    # of the last `queue_window` booking days, the lead times (open days from when the course
    # could start, the booking day or its later ready date, to its first session) of the
    # palliative and radical courses booked that day (`booked_leads`)
    leads: list[list[int]] = field(default_factory=list)
    queue_window: int = 5

    def observe_leads(self, leads: Sequence[int]) -> None:
        """One booking day's lead times of palliative and radical courses (`leads`)."""
        self.leads.append(list(leads))
        del self.leads[: -self.queue_window]

    def queue_days(self) -> float:
        """Mean lead time of the palliative and radical courses booked over the last
        `queue_window` booking days: how many open days a patient who is ready now waits."""
        xs = [x for day in self.leads for x in day]
        return sum(xs) / len(xs) if xs else 0.0

    def observe_day(self, patients: Sequence[Patient]) -> None:
        self.days += 1
        for p in patients:
            span = p.fractions if p.pattern != "alternate" else 2 * p.fractions - 1
            per_day = p.duration_min * (2 if p.pattern == "bid" else 1)
            self.courses.setdefault(p.urgency, []).append((span, per_day))
            if p.anesthesia:
                self.anesthesia_courses.append((span, float(p.duration_min + 5)))
                self.anesthesia_first_extra.append(max(0, p.first_duration_min - p.duration_min))
                self.anesthesia_days.append(self.days)
            if p.urgency in URGENT:
                self.acute_first.append((p.first_duration_min, p.technique))
        self.acute_first = self.acute_first[-self.window_days * 4 :]
        # Children are rare (a few a month): trimmed by a count, like the courses below, the
        # list would keep them for a year; trimmed by day, the rate follows the window.
        cut = bisect.bisect_right(self.anesthesia_days, self.days - self.window_days)
        if cut:
            del self.anesthesia_days[:cut], self.anesthesia_courses[:cut]
            del self.anesthesia_first_extra[:cut]
        for u, lst in self.courses.items():
            keep = int(self.window_days * max(1.0, len(lst) / max(1, self.days)))
            self.courses[u] = lst[-keep:]

    def rate(self, urgencies: Sequence[str]) -> tuple[float, list[tuple[int, float]]]:
        lst = [c for u in urgencies for c in self.courses.get(u, [])]
        return len(lst) / max(1, min(self.days, self.window_days)), lst

    def anesthesia_rate(self) -> float:
        """Children under anesthesia arriving per open day, over the statistics window."""
        return len(self.anesthesia_courses) / max(1, min(self.days, self.window_days))


def booked_leads(sched: Schedule, patients: Sequence[Patient], today: int) -> list[int]:
    """For `ArrivalStats.observe_leads`: the open days each palliative or radical patient of
    `patients` booked on open day `today` waits from when it could start (today, or its ready
    date if later) to its first session in `sched`."""
    out = []
    for p in patients:
        sessions = sched.sessions.get(p.id)
        if p.urgency in URGENT or not sessions:
            continue
        out.append(max(0, min(s.day for s in sessions.values()) - ready_index(sched, p, today)))
    return out


@dataclass
class Reserve:
    """Minutes per machine-day that patients outside `exempt` must leave free, for patients
    of the `exempt` urgencies who have not arrived yet; optionally a morning block that adults
    leave for children under anesthesia.

    A course of span L arriving j days from now still runs k days from now if L > k - j, so
    the expected number of such courses on day today+k is lam * sum_{i<k} P(L > i); we keep
    the q-quantile of that Poisson count times the mean minutes a day of those courses, over
    `horizon` open days ahead, spread over the machines.

    Default (measured on rt6, see benchmarks/README.md): emergencies only, the next 2 open
    days, q = 0.9, no morning block. Larger reserves (urgent patients too, 60 days ahead, the
    morning block) delayed everyone else more than they helped the urgent ones.
    """

    minutes_by_ahead: list[int]
    machines: list[str]
    morning_block: dict[str, int]  # far days (steady state), per anesthesia machine
    today: int = 0
    exempt: tuple[str, ...] = ("emergency",)
    # morning minutes per anesthesia machine held k open days ahead (index k), for children
    # who have not arrived yet; grows from a day's arrivals to the steady state
    block_by_ahead: list[int] = field(default_factory=list)
    # end-of-day minutes per machine held k open days ahead (index k) for emergency and urgent
    # patients who have not arrived yet; palliative and radical courses end before them
    acute_by_ahead: list[int] = field(default_factory=list)
    # acute *slots* (issue 16, "capacity held as real slots"): k open days ahead (index k),
    # how many whole end-of-day slots of `acute_slot_min` minutes are held, one per machine on
    # the first machines of `acute_machines` (the most versatile first); index 0 (today) is 0:
    # whatever was not used is released on the day
    acute_slots_by_ahead: list[int] = field(default_factory=list)
    acute_slot_min: int = 0
    acute_machines: list[str] = field(default_factory=list)
    # the children's morning block of day today+k is released (0) when k <= this: the day
    # before, unused block time goes to anyone
    morning_release: int = 1

    def __call__(self, machine: str, day: int) -> int:
        k = day - self.today
        if k <= 0 or machine not in self.machines or k >= len(self.minutes_by_ahead):
            return 0
        return self.minutes_by_ahead[k] // len(self.machines)

    def morning(self, machine: str, day: int) -> int:
        """Morning minutes adults leave free on `machine` that day, beyond the children already
        booked there (0 today: whatever is still free is released)."""
        k = day - self.today
        if k <= self.morning_release or machine not in self.morning_block:
            return 0
        if not self.block_by_ahead:
            return self.morning_block[machine] if k >= 2 else 0
        return self.block_by_ahead[min(k, len(self.block_by_ahead) - 1)]

    def acute(self, machine: str, day: int) -> int:
        """Free minutes at the end of the day on `machine` that palliative and radical courses
        leave for emergency and urgent patients still to come (0 today)."""
        k = day - self.today
        if k <= 0:
            return 0
        held = 0
        if 0 < k < len(self.acute_slots_by_ahead):
            n = self.acute_slots_by_ahead[k]
            if machine in self.acute_machines[:n]:
                held = self.acute_slot_min
        if not self.acute_by_ahead or machine not in self.machines:
            return held
        return max(held, self.acute_by_ahead[min(k, len(self.acute_by_ahead) - 1)])

    def held_slots(self, sched: Schedule, days_ahead: int) -> list[Any]:
        """The held capacity of the next `days_ahead` open days as real slots in `sched`'s free
        time (`holds.Hold`): the children's morning block right after the children already
        booked on each anesthesia machine, the acute slots at the end of the day (walking back
        over sessions already there, so the held minutes are free ones). Days released by the
        reserve's rules (today; the morning block the day before) hold nothing."""
        from .holds import Hold

        tl = sched.tl
        out = []
        late = _acute_limit(sched, self)
        for day in range(self.today + 1, min(sched.ndays, self.today + days_ahead + 1)):
            for m in sched.machines:
                mo = self.morning(m, day)
                if mo:
                    lo, _hi = sched.window(m, day, False)
                    out.append(Hold(m, tl.at(day, lo), tl.at(day, lo + mo), "anesthesia"))
                if self.acute(m, day):
                    lim = late(m, day)
                    close = sched.machines[m].close
                    if lim < close:
                        out.append(Hold(m, tl.at(day, lim), tl.at(day, close), "acute"))
        return out

    @classmethod
    def from_stats(
        cls,
        stats: ArrivalStats,
        machines: list[str],
        today: int,
        *,
        horizon: int = 2,
        q: float = 0.9,
        urgencies: tuple[str, ...] = ("emergency",),
        anesthesia_machines: list[str] | None = None,
        q_block: float = 0.75,
        q_acute: float | None = None,
        q_acute_slots: float | None = None,
        acute_days: int = 2,
        acute_machines: list[str] | None = None,
        q_acute_slots_queued: float | None = None,
        queue_limit: float | None = None,
    ) -> Reserve:
        by_ahead = [0] * (horizon + 1)
        lam, courses = stats.rate(urgencies)
        if stats.days >= 5 and courses:
            mins = sum(m for _, m in courses) / len(courses)
            counts = _running_quantile(lam, [s for s, _ in courses], q, horizon)
            by_ahead = [int(n * mins) for n in counts]
        block: dict[str, int] = {}
        block_by_ahead: list[int] = []
        kids = stats.anesthesia_courses
        if anesthesia_machines and stats.days >= 5 and kids:
            spans_a = [s for s, _ in kids]
            mean_min = sum(m for _, m in kids) / len(kids)
            # the children still to come, in whole sessions per anesthesia machine
            counts = _running_quantile(stats.anesthesia_rate(), spans_a, q_block, max(spans_a))
            # A child still to come starts with its longer first session: a block of whole
            # mean sessions left that session no gap (rt6c: 17-18 min held, 22-23 min needed),
            # so emergency children started days late. The block holds the first extra too.
            extra = stats.anesthesia_first_extra
            first_extra = math.ceil(sum(extra) / len(extra)) if extra else 0
            block_by_ahead = [0] + [
                int(math.ceil(n / len(anesthesia_machines)) * mean_min) + (first_extra if n else 0)
                for n in counts[1:]
            ]
            block = {m: block_by_ahead[-1] for m in anesthesia_machines}
        acute_by_ahead: list[int] = []
        lam_u, urgent = stats.rate(URGENT)
        if q_acute is not None and stats.days >= 5 and urgent:
            spans_u = [s for s, _ in urgent]
            mean_u = sum(m for _, m in urgent) / len(urgent)
            # emergency and urgent minutes still to come, spread evenly over every machine
            counts = _running_quantile(lam_u, spans_u, q_acute, max(spans_u))
            acute_by_ahead = [0] + [math.ceil(n * mean_u / len(machines)) for n in counts[1:]]
        slots_by_ahead: list[int] = []
        slot_min = 0
        if q_acute_slots is not None and stats.days >= 5 and urgent:
            # after Legrain et al. / Vieira et al.: hold, for the next `acute_days` open days,
            # the q-quantile of emergency and urgent arrivals that will want to start then,
            # as whole first-session slots (the first session is the longest)
            firsts = sorted(f for f, _ in stats.acute_first)
            slot_min = firsts[min(len(firsts) - 1, int(0.9 * len(firsts)))] if firsts else 0
            # each of the next days holds one day's acute arrivals (they start on the day they
            # arrive or the next), at most one slot per machine
            q_slots: float | None = q_acute_slots
            if queue_limit is not None and stats.queue_days() >= queue_limit:
                # A queue: ready patients already wait `queue_limit` open days or more. Held
                # minutes no acute patient takes are lost to them, and every day's held slots
                # left unused make the queue longer (rt6c 95% label: mean wait 4.70 open days
                # with the 90% quantile held, 1.72 without; benchmarks/README.md 7g), while an
                # emergency can still take a queued course's place (`bump_for`). Hold less.
                q_slots = q_acute_slots_queued
            n_slots = (
                min(len(machines), poisson_quantile(lam_u, q_slots)) if q_slots is not None else 0
            )
            slots_by_ahead = [0] + [n_slots] * acute_days
        return cls(
            by_ahead,
            machines,
            block,
            today,
            tuple(urgencies),
            block_by_ahead,
            acute_by_ahead,
            slots_by_ahead,
            slot_min,
            list(acute_machines or machines),
        )


def _running_quantile(lam: float, spans: Sequence[int], q: float, days: int) -> list[int]:
    """For k = 0..days open days ahead: the q-quantile of how many courses arriving in the next
    k days (lam a day, spans in open days as observed) still run on day k. That count is
    Poisson(lam * sum_{i<k} P(span > i)) (Little's law in the limit); index 0 is today, 0."""
    ordered = sorted(spans)
    out, surv_cum = [0], 0.0
    for k in range(1, days + 1):
        surv_cum += (len(ordered) - bisect.bisect_right(ordered, k - 1)) / len(ordered)
        out.append(poisson_quantile(lam * surv_cum, q))
    return out


# ----------------------------------------------------------------------------- daily booking

#: `candidates.polish` of both day results before they are compared. Off: on rt6c seed 1 (8+8
#: weeks) it cut drift from 24.4-26.7 to 20.1 min but raised the mean wait from 0.23-0.26 to
#: 0.36 open days (without its hole rule: 14.4 min and 0.73), and waiting is worth more than
#: drift (issue 16 item 3); benchmarks/README.md section 0g.
POLISH_LAYOUTS = False


@dataclass
class DayBooking:
    booked: list[str]
    unbookable: dict[str, str]
    seconds: float
    reserve_minutes: int  # held back over all machines for the next open day, for the report
    info: dict[str, Any] = field(default_factory=dict)


def book_day(
    sched: Schedule,
    new_patients: Sequence[Patient],
    *,
    today: int,
    policy: str = "optimizer",
    reserve: Reserve | None = None,
    time_limit: float = 2.0,
    weights: Weights = DEFAULT_WEIGHTS,
    workers: int = 1,
    wall_clock: bool = False,
    deadline: float | None = None,
) -> DayBooking:
    """Book today's new patients into `sched` (existing sessions stay, except courses not yet
    started that bumping postpones; they are listed in `info["bumps"]`).

    `today` is the open-day index of the booking day (nothing is booked before it).
    policy "optimizer": gap-aware candidates chosen by CP-SAT, bumping for urgent starts,
    honouring the children's morning block of `reserve` (`candidates.py`);
    policy "stage1": the earlier minute-budget decomposition, honouring the emergency reserve;
    policy "baseline": greedy FCFS, no reserve. Unbookable patients come back with a reason
    (and are not in `sched`): the caller keeps them on its waiting list.
    `wall_clock`: `time_limit` is wall-clock seconds for the whole day's booking, greedy
    incumbent included (the command line); otherwise it is CP-SAT's deterministic work
    limit, so the simulator's runs do not depend on the machine's load.
    `deadline` (policy "optimizer"; a `time.perf_counter()` instant, the command line's): once
    it has passed, every step that only improves on greedy's day is skipped and greedy's day,
    complete and valid by itself, is kept (`info["deadline"]` lists what was skipped).
    """
    if policy not in ("optimizer", "stage1", "baseline"):
        raise ValueError(f"policy: must be optimizer, stage1 or baseline, got {policy!r}")
    t0 = time.perf_counter()
    for p in new_patients:
        sched.patients[p.id] = p
    if policy == "baseline":
        failed = baseline_book(sched, list(new_patients), today=today)
        booked = [p.id for p in new_patients if p.id not in failed]
        return DayBooking(booked, failed, time.perf_counter() - t0, 0)
    if reserve is not None:
        reserve.today = today
        # adults leave the morning block free after the children already booked
        sched.morning_hold = reserve.morning
    if policy == "optimizer":
        limit = (
            _acute_limit(sched, reserve)
            if reserve and (reserve.acute_by_ahead or reserve.acute_slots_by_ahead)
            else None
        )
        # tie-break of the candidates: keep the machines few patients can use free
        sched.pressure = MachinePressure(sched)
        untouched = sched.snapshot()
        try:
            # emergencies first, deterministically: on time must not hang on CP-SAT's clock
            first = book_emergencies_first(sched, new_patients, today, weights, limit)
            rest = [p for p in new_patients if p.id not in first.booked]
            base = sched.snapshot()
            ids = [p.id for p in rest]
            # the incumbent: greedy first come, first served, under the same held capacity
            # (the children's morning block, and the acute end-of-day slots for the others)
            greedy_failed: dict[str, str] = {}
            for p in rest:
                with held_back(sched, p, limit):
                    greedy_failed.update(baseline_book(sched, [p], today=today))
            skipped: list[str] = []

            def late() -> bool:
                return deadline is not None and time.perf_counter() > deadline

            # on greedy's start days, each course at a recurring minute where one is free
            polished = 0
            if POLISH_LAYOUTS and late():
                skipped.append("polish greedy")
            elif POLISH_LAYOUTS:
                polished = polish(
                    sched,
                    [p for p in rest if p.id not in greedy_failed],
                    today,
                    weights,
                    limit,
                )
            greedy_state = sched.snapshot()
            sched.restore(base)
            budget = time_limit
            if wall_clock:  # the greedy incumbent's time comes out of the same limit
                budget = max(0.1, time_limit - (time.perf_counter() - t0))
            if late():
                # no time left for the candidates and CP-SAT: greedy's day, as booked
                on = OnlineResult(status="deadline")
                skipped.append("optimizer")
            else:
                on = book_online(
                    sched,
                    rest,
                    today=today,
                    weights=weights,
                    time_limit=budget,
                    workers=workers,
                    late_limit=limit,
                    wall_clock=wall_clock,
                    deadline=deadline,
                )
                skipped += on.skipped
            # the same polish as greedy's, so the two are compared on their start days first
            if POLISH_LAYOUTS and not skipped and late():
                skipped.append("polish optimizer")
            elif POLISH_LAYOUTS and not skipped:
                polished += polish(
                    sched,
                    [p for p in rest if p.id in set(on.booked)],
                    today,
                    weights,
                    limit,
                )
            # bumped courses count too: their new dates are part of what the optimizer did
            judged = ids + [b.patient for b in on.bumps]
            if skipped:
                # past the deadline: the optimizer's day is unfinished (its last fallbacks may
                # be missing) or was never made, and comparing costs time too; greedy's day
                # is complete, valid, and what the comparison falls back to anyway
                sched.restore(greedy_state)
                greedy_obj = opt_obj = named_objective(sched, judged)
                greedy_key = opt_key = start_day_key(sched, judged)
            else:
                opt_state, opt_obj = sched.snapshot(), named_objective(sched, judged)
                opt_key = start_day_key(sched, judged)
                sched.restore(greedy_state)
                greedy_obj = named_objective(sched, judged)
                greedy_key = start_day_key(sched, judged)
            if not skipped and opt_key <= greedy_key:
                sched.restore(opt_state)
                kept = "optimizer"
            else:  # greedy started them earlier (or as early, cheaper), or time ran out
                on.booked = [q for q in ids if q not in greedy_failed]
                on.unbookable = dict(greedy_failed)
                on.bumps = []
                kept = "greedy"
            on.booked = first.booked + on.booked
            on.bumps = first.bumps + on.bumps
            if on.unbookable and not late():
                # A course is never refused for capacity held for patients who may not come
                # (the same rule as `holds.solve_with_holds`'s last pass): when first come,
                # first served without any held capacity books more of today's patients, its
                # day is kept (outside case scale-400: 57 refused against the baseline's 56,
                # the emergencies booked first and the held slots had taken the difference).
                chosen = sched.snapshot()
                sched.restore(untouched)
                sched.morning_hold, sched.pressure = None, None
                plain_failed = baseline_book(sched, list(new_patients), today=today)
                if len(plain_failed) < len(on.unbookable):
                    on.booked = [p.id for p in new_patients if p.id not in plain_failed]
                    on.unbookable, on.bumps = plain_failed, []
                    first.how, first.shifted = {}, []
                    kept = "first come, first served"
                else:
                    sched.restore(chosen)
        finally:
            sched.morning_hold = None
            sched.pressure = None
        # what the optimizer holds back tomorrow: the children's morning block and the
        # end-of-day minutes for emergency and urgent patients
        rmin = (
            sum(reserve.morning(m, today + 1) + reserve.acute(m, today + 1) for m in sched.machines)
            if reserve
            else 0
        )
        return DayBooking(
            on.booked,
            on.unbookable,
            time.perf_counter() - t0,
            rmin,
            {
                "status": on.status,
                "fallbacks": on.fallbacks,
                "bumps": on.bumps,
                "candidates": on.candidates,
                "kept": kept,
                "objective": opt_obj.to_json(),
                "greedy_objective": greedy_obj.to_json(),
                # (unbooked, late start + waiting penalty, named penalty): compared in order
                "start_key": list(opt_key),
                "greedy_start_key": list(greedy_key),
                "started_earlier": on.started_earlier,
                "polished": polished,  # courses `polish` changed, greedy's and the optimizer's
                # emergencies booked before the others, how, and the sessions slid later
                # within their day to open an emergency child's morning slot
                "emergencies_first": first.how,
                "slid_for_children": len(first.shifted),
                "deadline": skipped,  # steps skipped because the deadline had passed
            },
        )
    try:
        res: BookingResult = book_patients(
            sched,
            list(new_patients),
            today=today,
            reserve=reserve,
            time_limit=time_limit,
            weights=weights,
            workers=workers,
        )
    finally:
        sched.morning_hold = None
    rmin = sum(reserve(m, today + 1) for m in sched.machines) if reserve else 0
    return DayBooking(
        res.booked,
        res.unbookable,
        time.perf_counter() - t0,
        rmin,
        {"stage1_status": res.stage1_status, "fallbacks": res.fallbacks},
    )


def _acute_limit(sched: Schedule, reserve: Reserve) -> Callable[[str, int], int]:
    """Latest end for palliative and radical sessions: walking back from closing time, the
    point before which `Reserve.acute` free minutes remain at the end of the day (sessions
    already booked there, such as earlier urgent courses, are stepped over, so the held minutes
    are free ones)."""

    def f(machine: str, day: int) -> int:
        close = sched.machines[machine].close
        need = reserve.acute(machine, day)
        if need <= 0:
            return close
        cur = close
        for b in reversed(sched.busy.get((machine, day), ())):
            free = cur - b.end
            if free >= need:
                return cur - need
            need -= max(0, free)
            cur = min(cur, b.start)
        return max(sched.machines[machine].open, cur - need)

    return f


# ----------------------------------------------------------------------------- outages


LATER_IN_COURSE = "moved to a free day of the course"
#: A first (longer) session with no room left on its day: the course's next session becomes its
#: first and one session is added after its last (two changed appointments, no restart).
FIRST_TO_NEXT_DAY = "first session moved to the next day"
#: An alternate-day course's session with no room on its day: it and the course's later
#: sessions move one open day on (one open day skipped instead of two when appended).
NEXT_OPEN_DAYS = "moved to the next open days"
#: An emergency or urgent course's session kept on its day (its first session on or before the
#: due date, or any session of an emergency course) by taking the slot of a non-urgent session;
#: that session is then rebooked by the usual steps and its change has their kind.
KEPT_FOR_URGENT = "moved same day in place of a non-urgent session"
#: A session of a course under way with no room on its day takes the slot of the first session
#: of a palliative or radical course that was to start that day; that course starts on its next
#: treatment day instead (still by its due date; `_first_to_next_day`, no interruption).
KEPT_BEFORE_A_START = "moved same day in place of a course's first session"


@dataclass
class Change:
    patient: str
    fraction: int
    old_machine: str
    old_start: dt.datetime
    new_machine: str | None
    new_start: dt.datetime | None
    # "moved same day", "moved same day to make room" (a swap or squeeze), LATER_IN_COURSE,
    # FIRST_TO_NEXT_DAY, "moved to the end of the course", "course restarted", "cancelled"
    kind: str

    @classmethod
    def move(cls, tl: Timeline, old: Session, new: Session, kind: str) -> Change:
        """`old`'s appointment now at `new` (the fraction number is `new`'s)."""
        return cls(
            new.patient,
            new.fraction,
            old.machine,
            tl.at(old.day, old.start),
            new.machine,
            tl.at(new.day, new.start),
            kind,
        )

    def to_json(self) -> dict[str, Any]:
        return {
            "patient": self.patient,
            "fraction": self.fraction,
            "old_machine": self.old_machine,
            "old_start": fmt_datetime(self.old_start),
            "new_machine": self.new_machine,
            "new_start": fmt_datetime(self.new_start) if self.new_start else None,
            "kind": self.kind,
        }


@dataclass
class OutageResult:
    changes: list[Change]
    unresolved: dict[str, str]
    seconds: float
    # open days skipped inside each course that the outage added (after minus before)
    interruption_days: dict[str, int] = field(default_factory=dict)
    # emergency and urgent courses that started on time before the outage and late after it
    started_late: list[str] = field(default_factory=list)
    # of `interruption_days`, those added to emergency courses
    emergency_interruption_days: int = 0

    def summary(self) -> dict[str, int]:
        """What the outage cost the patients: changed appointments (moved sessions), of which on
        another machine, sessions that made room the same day (swaps and squeezes), sessions
        moved to a free day inside their course or after its end, the interruption days the
        outage added, courses restarted, sessions cancelled."""
        kinds = [c.kind for c in self.changes]
        return {
            "changed_appointments": sum(1 for c in self.changes if c.new_start is not None),
            "machine_changes": sum(
                1 for c in self.changes if c.new_machine and c.new_machine != c.old_machine
            ),
            "swaps": kinds.count("moved same day to make room"),
            "moved_later_in_course": kinds.count(LATER_IN_COURSE),
            "moved_after_course": kinds.count("moved to the end of the course"),
            "first_moved_to_next_day": kinds.count(FIRST_TO_NEXT_DAY),
            "moved_to_next_days": kinds.count(NEXT_OPEN_DAYS),
            "kept_for_urgent": kinds.count(KEPT_FOR_URGENT),
            "kept_before_a_start": kinds.count(KEPT_BEFORE_A_START),
            "urgent_started_late": len(self.started_late),
            "emergency_interruption_days": self.emergency_interruption_days,
            "interruption_days": sum(self.interruption_days.values()),
            "patients_interrupted": sum(1 for v in self.interruption_days.values() if v > 0),
            "courses_restarted": len(
                {c.patient for c in self.changes if c.kind == "course restarted"}
            ),
            "cancelled": kinds.count("cancelled"),
        }


def rebook_outage(
    sched: Schedule,
    machine: str,
    start: dt.datetime,
    end: dt.datetime,
    *,
    now: dt.datetime | None = None,
    policy: str = "optimizer",
    weights: Weights = DEFAULT_WEIGHTS,
    relayout: bool = True,
    give_way: bool = True,
) -> OutageResult:
    """Record an unplanned downtime of `machine` over [start, end) and move the sessions it hits.

    Sessions finished before `now` (default `start`) are left alone. Each affected
    session first tries the same day, on any capable machine, after `now`, closest to its old
    time (one changed appointment); interruption-sensitive courses choose first. Only if the day
    has no room is the course extended: the session is dropped and one session is added after
    the course's last one (the later fractions are renumbered, their times do not change).
    policy "baseline": same-day earliest slot, same machine first, in time order, no priority.
    policy "optimizer" also lays the outage out the baseline's way on the same schedule and
    keeps whichever makes fewer emergency or urgent courses start late, then leaves fewer
    sessions unresolved, adds fewer interruption days to emergency courses, then to all,
    restarts fewer courses, changes fewer appointments (never worse than the baseline's rule
    on the schedule it is given; the baseline's earliest-slot packing sometimes places one
    more session the same day). When both still add interruption days (or leave a session
    unresolved, or start an emergency or urgent course late) and `relayout` is on, a third layout first re-solves each outage day with
    CP-SAT (`_relayout_day`: the other sessions slide in time to make room) and is kept when
    its key is lower. `give_way=False` turns off the step where a course that was to start on
    the outage day gives its slot to a course under way (`_take_a_starting_slot`); the replay
    uses it to measure that step on the same state.
    """
    t0 = time.perf_counter()
    if policy == "baseline":
        return _rebook(sched, machine, start, end, now, policy, weights, t0)
    snap = sched.snapshot()
    mine = _rebook(sched, machine, start, end, now, policy, weights, t0, give_way=give_way)
    best, best_state = mine, sched.snapshot()
    sched.restore(snap)
    theirs = _rebook(sched, machine, start, end, now, "baseline", weights, t0)
    if _outage_key(theirs) < _outage_key(mine):
        best, best_state = theirs, sched.snapshot()
    # the re-layout is also tried when a course was made to start later (step 5): sliding the
    # day's sessions may keep everyone on their day without delaying anybody
    if relayout and (_outage_key(best)[:4] > (0, 0, 0, 0) or _outage_key(best)[5]):
        sched.restore(snap)
        laid = _rebook(
            sched, machine, start, end, now, policy, weights, t0, relayout=True, give_way=give_way
        )
        if _outage_key(laid) < _outage_key(best):
            best, best_state = laid, sched.snapshot()
    sched.restore(best_state)
    best.seconds = time.perf_counter() - t0  # every layout tried was part of the work
    return best


def _outage_key(r: OutageResult) -> tuple[int, int, int, int, int, int, int]:
    s = r.summary()
    # an emergency or urgent course made to start late is worse than anything else, and a day
    # an emergency course loses is worse than one another course loses; both are 0 when no
    # emergency or urgent course is involved, so the order of the other layouts is unchanged.
    # A course made to start a day later so that another keeps its day (step 5) counts before
    # the changed appointments: it is worth it for an interruption day, not for fewer changes.
    return (
        s["urgent_started_late"],
        len(r.unresolved),
        s["emergency_interruption_days"],
        s["interruption_days"],
        s["courses_restarted"],
        s["kept_before_a_start"],
        s["changed_appointments"],
    )


def _rebook(
    sched: Schedule,
    machine: str,
    start: dt.datetime,
    end: dt.datetime,
    now: dt.datetime | None,
    policy: str,
    weights: Weights,
    t0: float,
    relayout: bool = False,
    give_way: bool = True,
) -> OutageResult:
    now = now or start
    tl = sched.tl
    affected: list[Session] = []
    for day, s, e in tl.day_pieces(start, end):
        for b in list(sched.busy.get((machine, day), ())):
            # a session in progress when the machine fails is redone, so it moves too
            if b.patient and b.start < e and s < b.end and tl.at(day, b.end) > now:
                affected.append(sched.sessions[b.patient][b.fraction])
    hit = {a.patient for a in affected}
    # A course whose earlier sessions are outside the schedule (the instance starts on the
    # outage day, fraction numbers are the real ones) is anchored on a virtual session one
    # pattern step before its first day here, so a day it loses at the start of the window
    # still counts as an interruption.
    anchor = {
        pid: min(s.day for s in sched.sessions[pid].values())
        - (2 if sched.patients[pid].pattern == "alternate" else 1)
        for pid in hit
        if min(sched.sessions[pid]) > 1
    }
    before = {pid: _interruptions(sched, sched.patients[pid]) for pid in hit}
    late_before = {pid for pid in hit if _starts_late(sched, sched.patients[pid])}
    keep = {(a.patient, a.fraction) for a in affected if _keep_on_day(sched, a)}
    # fractions keep their numbers while the outage is worked through (a moved or added session
    # takes the number of the one it replaces) and are renumbered in time order at the end, so
    # a course with several sessions inside the outage is never renumbered under its feet
    first_fraction = {pid: min(sched.sessions[pid]) for pid in hit}
    restarted: dict[str, dict[int, Session]] = {}
    sched.add_downtime(machine, start, end)
    for a in affected:
        sched.remove(a.patient, a.fraction)
    if policy == "baseline":
        affected.sort(key=lambda a: (a.day, a.start))
    else:
        # sessions that must keep their day (emergency and urgent starts) choose first
        affected.sort(
            key=lambda a: (
                (a.patient, a.fraction) not in keep,
                not sched.patients[a.patient].interruption_sensitive,
                a.day,
                a.start,
            )
        )
    changes: list[Change] = []
    unresolved: dict[str, str] = {}
    # Sessions this outage already moved: a swap must not displace one of them again, or the
    # changes would hold two moves of one appointment (the first onto a slot the swap then gives
    # away) and the booked schedule would overlap.
    touched: set[tuple[str, int]] = set()
    placed: set[tuple[str, int]] = set()
    if relayout:
        for day in sorted({a.day for a in affected}):
            laid = _relayout_day(sched, day, affected, now, fixed=touched)
            if laid is None:
                continue
            mine_moves, made_room = laid
            for old_s, new_s in mine_moves:
                placed.add((old_s.patient, old_s.fraction))
                changes.append(Change.move(tl, old_s, new_s, "moved same day"))
            for old_s, new_s in made_room:
                changes.append(Change.move(tl, old_s, new_s, "moved same day to make room"))
            touched |= {(s.patient, s.fraction) for _, s in mine_moves + made_room}
    for a in affected:
        if (a.patient, a.fraction) in placed:
            continue
        p = sched.patients[a.patient]
        old = (a.machine, tl.at(a.day, a.start))
        if p.id in restarted:  # the restart laid out the whole course again, this one too
            n = restarted[p.id].pop(a.fraction, None)
            changes.append(
                Change(
                    p.id,
                    a.fraction,
                    *old,
                    n.machine if n else None,
                    tl.at(n.day, n.start) if n else None,
                    "course restarted" if n else "cancelled",
                )
            )
            continue
        # days on which this course's own sessions are down too (an outage over several days)
        pending = {x.day for x in affected if x.patient == p.id}
        moved = _same_day(sched, p, a, now, policy, weights)
        if moved is not None:
            touched.add((p.id, a.fraction))
            sched.add(moved)
            changes.append(
                Change(
                    p.id,
                    a.fraction,
                    *old,
                    moved.machine,
                    tl.at(moved.day, moved.start),
                    "moved same day",
                )
            )
            continue
        if policy != "baseline":
            swap = _swap_same_day(sched, p, a, now, weights, touched)
            if swap is not None:
                (mine, other_old, other_new) = swap
                touched.add((p.id, a.fraction))
                touched.add((other_old.patient, other_old.fraction))
                changes.append(
                    Change(
                        p.id,
                        a.fraction,
                        *old,
                        mine.machine,
                        tl.at(mine.day, mine.start),
                        "moved same day",
                    )
                )
                changes.append(
                    Change(
                        other_old.patient,
                        other_old.fraction,
                        other_old.machine,
                        tl.at(other_old.day, other_old.start),
                        other_new.machine,
                        tl.at(other_new.day, other_new.start),
                        "moved same day to make room",
                    )
                )
                continue
            squeezed = _squeeze_same_day(sched, p, a, now, touched)
            if squeezed is not None:
                for sess, prev_sess in squeezed:
                    touched.add((sess.patient, sess.fraction))
                    changes.append(
                        Change(
                            sess.patient,
                            sess.fraction,
                            prev_sess.machine if prev_sess else old[0],
                            tl.at(prev_sess.day, prev_sess.start) if prev_sess else old[1],
                            sess.machine,
                            tl.at(sess.day, sess.start),
                            "moved same day"
                            if prev_sess is None
                            else "moved same day to make room",
                        )
                    )
                continue
            bumped = (
                _bump_non_urgent(sched, p, a, now, touched, hit | set(restarted))
                if (a.patient, a.fraction) in keep
                else None
            )
            if bumped is not None:
                mine, other = bumped
                touched.add((p.id, a.fraction))
                # the displaced course is counted like one the outage hit: its session goes
                # through the steps above and below, its interruption days are added
                q = sched.patients[other.patient]
                sched.add(other)
                hit.add(q.id)
                before[q.id] = _interruptions(sched, q)
                if _starts_late(sched, q):
                    late_before.add(q.id)
                first_fraction[q.id] = min(sched.sessions[q.id])
                if first_fraction[q.id] > 1:
                    anchor[q.id] = min(s.day for s in sched.sessions[q.id].values()) - (
                        2 if q.pattern == "alternate" else 1
                    )
                sched.remove(q.id, other.fraction)
                affected.append(other)  # the loop reaches it after the outage's own sessions
                changes.append(Change.move(tl, a, mine, KEPT_FOR_URGENT))
                continue
            later = _later_day_in_course(sched, p, a, pending) if a.fraction > 1 else None
            if later is not None:
                touched.add((p.id, later.fraction))
                changes.append(
                    Change(
                        p.id,
                        a.fraction,
                        *old,
                        later.machine,
                        tl.at(later.day, later.start),
                        LATER_IN_COURSE,
                    )
                )
                continue
            took = (
                _take_a_starting_slot(sched, p, a, now, touched, hit | set(restarted))
                if a.fraction > 1 and give_way
                else None
            )
            if took is not None:
                mine, q_before, (other, first, nxt_old, appended) = took
                q = sched.patients[other.patient]
                # the course that gave way is counted like one the outage hit (its interruption
                # days, none by construction, and its renumbering)
                hit.add(q.id)
                before[q.id] = q_before
                first_fraction[q.id] = 1
                touched.update(
                    {(p.id, a.fraction), (q.id, first.fraction), (q.id, appended.fraction)}
                )
                changes.append(Change.move(tl, a, mine, KEPT_BEFORE_A_START))
                changes.append(Change.move(tl, other, first, FIRST_TO_NEXT_DAY))
                changes.append(Change.move(tl, nxt_old, appended, "moved to the end of the course"))
                continue
            shift = _shift_alternate(sched, p, a, pending, touched) if a.fraction > 1 else None
            if shift is not None:
                for prev_s, new_s in shift:
                    touched.add((p.id, new_s.fraction))
                    changes.append(Change.move(tl, prev_s, new_s, NEXT_OPEN_DAYS))
                continue
        if a.fraction == 1 and policy != "baseline":
            shifted = _first_to_next_day(sched, p, a, pending, touched)
            if shifted is not None:
                first, nxt_old, appended = shifted
                touched.update({(p.id, first.fraction), (p.id, appended.fraction)})
                changes.append(Change.move(tl, a, first, FIRST_TO_NEXT_DAY))
                changes.append(Change.move(tl, nxt_old, appended, "moved to the end of the course"))
                continue
        if a.fraction == 1:
            done = _restart(sched, p, a, policy)
            changes.extend(done)
            taken = {c.fraction for c in done}
            restarted[p.id] = {
                k: v for k, v in sched.sessions.get(p.id, {}).items() if k not in taken
            }
            if p.id not in sched.sessions or 1 not in sched.sessions[p.id]:
                unresolved[p.id] = "course could not be restarted within the horizon"
            continue
        first_day = _extend_first_day(sched, p, a, policy)
        ext = _extend(sched, p, a, policy)
        if relayout and ext is not None and ext.day > first_day:
            # the days after the course were full: lay out again the first day the session
            # could take, so it is not appended days later (each skipped day is one more
            # interruption day)
            sched.remove(p.id, ext.fraction)
            ref = max((sched.sessions.get(p.id) or {a.fraction: a}).values(), key=_when)
            there = Session(p.id, a.fraction, ref.machine, first_day, ref.start, ref.end)
            laid = _relayout_day(
                sched, first_day, [there], now, fixed=touched, time_limit=RELAYOUT_LIMIT / 2
            )
            if laid is None:
                sched.add(ext)
            else:
                (_, ext), made_room = laid[0][0], laid[1]
                for old_s, new_s in made_room:
                    changes.append(Change.move(tl, old_s, new_s, "moved same day to make room"))
                touched |= {(s.patient, s.fraction) for _, s in made_room}
            touched.add((p.id, ext.fraction))
        if ext is None:
            unresolved[p.id] = (
                f"fraction {a.fraction}: no room on a capable machine that day "
                "or after the course within the horizon"
            )
            changes.append(Change(p.id, a.fraction, *old, None, None, "cancelled"))
        else:
            changes.append(
                Change(
                    p.id,
                    a.fraction,
                    *old,
                    ext.machine,
                    tl.at(ext.day, ext.start),
                    "moved to the end of the course",
                )
            )
    for pid in hit:
        if pid not in restarted:
            _renumber(sched, pid, first_fraction[pid])
    added = {
        pid: _interruptions(sched, sched.patients[pid], anchor.get(pid)) - before[pid]
        for pid in hit
    }
    late = sorted(
        pid
        for pid in hit
        if pid not in late_before and _starts_late(sched, sched.patients[pid], missing=True)
    )
    emergency_days = sum(
        v for pid, v in added.items() if sched.patients[pid].urgency == "emergency"
    )
    return OutageResult(changes, unresolved, time.perf_counter() - t0, added, late, emergency_days)


def _starts_late(sched: Schedule, p: Patient, missing: bool = False) -> bool:
    """An emergency or urgent course whose first session (fraction 1) is after its due date;
    a course with no fraction 1 in the schedule counts as late only if `missing` (the outage
    cancelled it) and it has no session left at all. A course already under way (its first
    fraction before the schedule) is not counted."""
    if p.urgency not in URGENT:
        return False
    frs = sched.sessions.get(p.id, {})
    if not frs:
        return missing
    first = frs.get(1)
    return first is not None and sched.tl.dates[first.day] > p.due_date


def _keep_on_day(sched: Schedule, a: Session) -> bool:
    """`a` (still booked) may not leave its day: a session of an emergency or urgent course
    whose first session is on or before its due date, when moving it later would make the
    course start late (its first session, when the day it would move to is after the due
    date: the course's next treatment day, where `_first_to_next_day` puts it, or the next
    open day for a course with no later session) or would interrupt an emergency course (any
    of its sessions)."""
    p = sched.patients[a.patient]
    if p.urgency not in URGENT or p.pattern == "bid":
        return False
    tl = sched.tl
    first = sched.sessions[p.id].get(1)
    if first is not None and tl.dates[first.day] > p.due_date:
        return False  # already late: keeping this day does not make it on time
    if a.fraction == 1:
        # an alternate-day course's next treatment day is two open days on: checking only the
        # next open day let an outage move an emergency's first session past its due date
        # (seed 5, 8+26 weeks, benchmarks/README.md section 0m)
        nxt = min((x.day for x in sched.sessions[p.id].values() if x.day > a.day), default=None)
        to = a.day + 1 if nxt is None else nxt
        return to >= len(tl.dates) or tl.dates[to] > p.due_date
    return p.urgency == "emergency"


def _bump_non_urgent(
    sched: Schedule,
    p: Patient,
    a: Session,
    now: dt.datetime,
    touched: Collection[tuple[str, int]],
    skip: Collection[str],
    max_tries: int = 60,
) -> tuple[Session, Session] | None:
    """`a` (removed) must keep its day (`_keep_on_day`) and the day has no room: take the slot
    of one non-urgent session that day (palliative or radical, not started, not a child under
    anesthesia, not twice daily, not moved by this outage, not of a course in `skip`) on a
    capable machine, own machine first. Among those, a session that is not its course's first
    (moving a first session delays that course's start), then not of an interruption-sensitive
    course, on `a`'s machine, nearest `a`'s time. Returns (a's new session, the displaced
    session), `a` added and the displaced one removed, or None, nothing changed."""
    tl = sched.tl
    lo = now.hour * 60 + now.minute if tl.dates[a.day] == now.date() else 0
    anest = p.anesthesia and sched.is_first_of_day(p.id, a.fraction, a.day)
    best: tuple[tuple[int, int, int, int], Session, Busy] | None = None
    tries = 0
    for m in [a.machine] + [c for c in _caps(sched, p) if c != a.machine]:
        dur = p.duration(a.fraction, m)
        for b in list(sched.busy.get((m, a.day), ())):
            if not b.patient or b.patient == p.id or b.start < lo or b.anesthesia_first:
                continue
            if (b.patient, b.fraction) in touched or b.patient in skip:
                continue
            q = sched.patients[b.patient]
            if q.urgency in URGENT or q.anesthesia or q.pattern == "bid":
                continue
            if b.end - b.start + 60 < dur:
                continue  # too short to free enough minutes even with a neighbouring hole
            tries += 1
            if tries > max_tries:
                break
            other = sched.remove(b.patient, b.fraction)
            at = sched.nearest(m, a.day, dur, a.start, anest, lo=lo)
            sched.add(other)
            if at is None:
                continue
            key = (
                int(b.fraction == min(sched.sessions[q.id])),
                int(q.interruption_sensitive),
                int(m != a.machine),
                abs(at - a.start),
            )
            if best is None or key < best[0]:
                best = (key, Session(p.id, a.fraction, m, a.day, at, at + dur), b)
    if best is None:
        return None
    _, mine, b = best
    other = sched.remove(b.patient, b.fraction)
    sched.add(mine)
    return mine, other


def _take_a_starting_slot(
    sched: Schedule,
    p: Patient,
    a: Session,
    now: dt.datetime,
    touched: Collection[tuple[str, int]],
    skip: Collection[str],
    max_tries: int = 12,
) -> tuple[Session, int, tuple[Session, Session, Session, Session]] | None:
    """`a` (removed) is a session of a course under way that has no room left on its day and
    is not the course's last: moving it off the day costs the course an interruption day. A
    course that was to *start* that day loses nothing if it starts on its next treatment day
    instead, so `a` takes the slot of such a first session when that is possible without harm:
    the course is palliative or radical (not a child under anesthesia, not twice daily, not
    touched by this outage, not in `skip`), its first session is on a capable allowed machine
    after `now`, and `_first_to_next_day` moves its start to its next treatment day, still on or
    before its due date, and adds one session after its last without an interruption day. Own
    machine first, then nearest `a`'s time; at most `max_tries` courses are tried. Returns
    (a's new session, the other course's interruption days before, `_first_to_next_day`'s
    (old first session, new first session, next session's old slot, appended session)), all
    applied, or None, nothing changed."""
    if p.pattern == "bid" or not any(x.day > a.day for x in sched.sessions[p.id].values()):
        return None  # a last session goes to the next open day without an interruption
    tl = sched.tl
    lo = now.hour * 60 + now.minute if tl.dates[a.day] == now.date() else 0
    anest = p.anesthesia and sched.is_first_of_day(p.id, a.fraction, a.day)
    options: list[tuple[tuple[int, int], Session, Busy]] = []
    for m in [a.machine] + [c for c in _caps(sched, p) if c != a.machine]:
        dur = p.duration(a.fraction, m)
        for b in list(sched.busy.get((m, a.day), ())):
            if not b.patient or b.fraction != 1 or b.start < lo or b.anesthesia_first:
                continue
            if (b.patient, b.fraction) in touched or b.patient in skip or b.patient == p.id:
                continue
            q = sched.patients[b.patient]
            if q.urgency in URGENT or q.anesthesia or q.pattern == "bid":
                continue
            if b.end - b.start + 60 < dur:
                continue  # too short to free enough minutes even with a neighbouring hole
            nxt = min((x.day for x in sched.sessions[q.id].values() if x.day > a.day), default=None)
            if nxt is None or nxt > due_index(sched, q):
                continue  # starting on its next treatment day would be late
            other = sched.remove(b.patient, b.fraction)
            at = sched.nearest(m, a.day, dur, a.start, anest, lo=lo)
            sched.add(other)
            if at is not None:
                key = (int(m != a.machine), abs(at - a.start))
                options.append((key, Session(p.id, a.fraction, m, a.day, at, at + dur), b))
    options.sort(key=lambda o: o[0])
    for _, mine, b in options[:max_tries]:
        q = sched.patients[b.patient]
        q_before = _interruptions(sched, q)
        other = sched.remove(b.patient, b.fraction)
        sched.add(mine)
        shifted = _first_to_next_day(sched, q, other, (), touched)
        if shifted is not None:
            first, nxt_old, appended = shifted
            # the course that gives way must lose no day (the session added after its last
            # one could land days later on a full schedule)
            if _interruptions(sched, q) <= q_before:
                return mine, q_before, (other, first, nxt_old, appended)
            # undone by hand: a snapshot would drop every memoised gap of the schedule
            sched.remove(q.id, first.fraction)
            sched.remove(q.id, appended.fraction)
            sched.add(nxt_old)
        sched.remove(p.id, mine.fraction)
        sched.add(other)
    return None


def _when(s: Session) -> tuple[int, int]:
    return s.day, s.start


def _renumber(sched: Schedule, pid: str, first: int) -> None:
    """Give `pid`'s sessions their fraction numbers in time order again, from `first`."""
    sessions = sorted(sched.remove_patient(pid), key=lambda x: (x.day, x.start))
    for n, x in enumerate(sessions, start=first):
        sched.add(Session(pid, n, x.machine, x.day, x.start, x.end))


def _interruptions(sched: Schedule, p: Patient, anchor: int | None = None) -> int:
    """Open days skipped beyond the pattern's spacing in `p`'s booked course (counted from
    `anchor` when given: a day the course was treated before)."""
    days_set = {s.day for s in sched.sessions.get(p.id, {}).values()}
    if anchor is not None:
        days_set.add(anchor)
    days = sorted(days_set)
    step = 2 if p.pattern == "alternate" else 1
    return sum(max(0, b - a - step) for a, b in itertools.pairwise(days))


def _squeeze_same_day(
    sched: Schedule,
    p: Patient,
    a: Session,
    now: dt.datetime,
    touched: set[tuple[str, int]],
    max_shift: int = 4,
) -> list[tuple[Session, Session | None]] | None:
    """The day has free minutes but no gap long enough: slide up to `max_shift` neighbouring
    sessions that have not started (not a child's first session, not twice daily, not already
    moved by this outage) earlier or later on their own machine, within the day, so their free
    minutes join into one gap for `a`. Each slid session keeps its machine and day (no
    interruption, no machine change, only a new time). Returns [(new session, old session or
    None for `a` itself)], already applied, or None (nothing changed)."""
    tl = sched.tl
    if p.pattern == "bid" or p.anesthesia:
        return None
    now_min = now.hour * 60 + now.minute if tl.dates[a.day] == now.date() else 0
    best: tuple[tuple[int, int, int], str, list[tuple[Busy, int]], int] | None = None
    for m in [a.machine] + [c for c in _caps(sched, p) if c != a.machine]:
        dur = p.duration(a.fraction, m)
        wlo, whi = sched.window(m, a.day, False)
        lo = max(wlo, now_min)
        items = sched.busy.get((m, a.day), [])

        def movable(b: Busy, lo: int = lo) -> bool:
            if not b.patient or b.anesthesia_first or b.start < lo or b.patient == p.id:
                return False
            if (b.patient, b.fraction) in touched:
                return False
            return sched.patients[b.patient].pattern != "bid"

        n = len(items)
        for i in range(n + 1):
            # the run items[i:j] slides inside [left, right)
            left = lo if i == 0 else max(lo, items[i - 1].end)
            for j in range(i, min(n, i + max_shift) + 1):
                run = items[i:j]
                if run and not movable(run[-1]):
                    break
                right = whi if j == n else min(whi, items[j].start)
                if right - left - sum(b.end - b.start for b in run) < dur:
                    continue
                # a's place k inside the run: earlier ones packed left, later ones right
                for k in range(len(run) + 1):
                    t = left
                    placed: list[tuple[Busy, int]] = []
                    for b in run[:k]:
                        placed.append((b, t))
                        t += b.end - b.start
                    lo_a = t
                    t2 = right
                    tail: list[tuple[Busy, int]] = []
                    for b in reversed(run[k:]):
                        t2 -= b.end - b.start
                        tail.append((b, t2))
                    hi_a = t2 - dur
                    if hi_a < lo_a:
                        continue
                    start_a = min(max(a.start, lo_a), hi_a)
                    placed += tail
                    shifted = sum(1 for b, st in placed if st != b.start)
                    key = (shifted, int(m != a.machine), abs(start_a - a.start))
                    if best is None or key < best[0]:
                        best = (key, m, [(b, st) for b, st in placed if st != b.start], start_a)
    if best is None or best[0][0] == 0:
        return None  # no squeeze needed means _same_day would have found the gap
    _, m, slides, start_a = best
    out: list[tuple[Session, Session | None]] = []
    olds = [sched.remove(b.patient, b.fraction) for b, _ in slides]
    for old, (b, st) in zip(olds, slides, strict=True):
        new = Session(old.patient, old.fraction, m, a.day, st, st + (b.end - b.start))
        sched.add(new)
        out.append((new, old))
    dur = p.duration(a.fraction, m)
    mine = Session(p.id, a.fraction, m, a.day, start_a, start_a + dur)
    sched.add(mine)
    out.insert(0, (mine, None))
    return out


def _later_day_in_course(
    sched: Schedule,
    p: Patient,
    a: Session,
    pending: Collection[int] = (),
) -> Session | None:
    """The next open day after `a`'s, up to the course's last treatment day, on which the course
    has no session and the pattern's spacing holds (a day an earlier outage or a skipped day
    left free): `a` goes there, nearest its old time, own machine first, and the later
    fractions are renumbered in time order (their slots do not change). This fills a gap of the
    course instead of adding one after its end. Twice-daily courses are left to the other
    steps."""
    if p.pattern == "bid":
        return None
    frs = sched.sessions.get(p.id, {})
    days = sorted({s.day for s in frs.values()})
    if not days or days[-1] <= a.day:
        return None
    step = 2 if p.pattern == "alternate" else 1
    caps = _caps(sched, p)
    for d in range(a.day + 1, days[-1]):
        i = bisect.bisect_left(days, d)
        if (i < len(days) and days[i] == d) or d in pending:
            continue  # treated that day, or its own session there is down too (a long outage)
        prev_day = days[i - 1] if i > 0 else None
        next_day = days[i] if i < len(days) else None
        if prev_day is not None and d - prev_day < step:
            continue
        if next_day is not None and next_day - d < step:
            continue
        for m in [a.machine] + [c for c in caps if c != a.machine]:
            dur = p.duration(a.fraction, m)
            st = sched.nearest(m, d, dur, a.start, p.anesthesia)
            if st is None:
                continue
            # it keeps a's number until `rebook_outage` renumbers the course in time order
            new = Session(p.id, a.fraction, m, d, st, st + dur)
            sched.add(new)
            return new
    return None


def _same_day(
    sched: Schedule, p: Patient, a: Session, now: dt.datetime, policy: str, w: Weights
) -> Session | None:
    tl = sched.tl
    lo = 0
    if tl.dates[a.day] == now.date():
        lo = now.hour * 60 + now.minute
    prev = sched.sessions[p.id].get(a.fraction - 1)
    nxt = sched.sessions[p.id].get(a.fraction + 1)
    if p.pattern == "bid" and prev and prev.day == a.day:  # 6 h after the day's first session
        lo = max(lo, prev.start + 360)
    anest = p.anesthesia and (prev is None or prev.day != a.day)
    caps = _caps(sched, p)
    best, best_cost = None, None
    order = [a.machine] + [m for m in caps if m != a.machine]
    for m in order:
        dur = p.duration(a.fraction, m)
        if policy == "baseline":
            s = sched.nearest(m, a.day, dur, lo, anest, lo=lo)
            if s is None or (
                p.pattern == "bid" and nxt and nxt.day == a.day and s + 360 > nxt.start
            ):
                continue
            return Session(p.id, a.fraction, m, a.day, s, s + dur)
        # every gap at its nearest point to the old time and at both edges: a session placed
        # snug against its neighbours keeps the rest of the gap whole for the other sessions
        # the outage displaced (a short hole left beside it costs SHORT_HOLE_COST)
        for ga, gb in sched.gaps(m, a.day, dur, anest, lo=lo):
            for s in {ga, gb, min(max(a.start, ga), gb)}:
                if p.pattern == "bid" and nxt and nxt.day == a.day and s + 360 > nxt.start:
                    continue
                holes = sum(1 for h in (s - ga, gb - s) if 0 < h < SHORT_HOLE_MIN)
                cost = (
                    2 * w.drift_per_5min * (abs(s - a.start) // 5)
                    + w.outside_window_per_5min
                    * (outside_minutes(s, s + dur, p.preferred_window) // 5)
                    + (w.machine_change if m != a.machine else 0)
                    + SHORT_HOLE_COST * holes
                )
                if best_cost is None or cost < best_cost:
                    best, best_cost = Session(p.id, a.fraction, m, a.day, s, s + dur), cost
    return best


#: Outage moves: a hole shorter than this beside a moved session is lost capacity for the
#: other displaced sessions; it costs as much as 75 minutes of drift on that one day.
SHORT_HOLE_MIN = 30
SHORT_HOLE_COST = 30


def _swap_same_day(
    sched: Schedule,
    p: Patient,
    a: Session,
    now: dt.datetime,
    w: Weights,
    touched: set[tuple[str, int]] | None = None,
    max_tries: int = 60,
) -> tuple[Session, Session, Session] | None:
    """The day has no gap for `a`: move one other session of that day (not yet started, of a
    course that is not under anesthesia or twice daily) to another free slot the same day, and
    put `a` where it was. Two changed appointments and no interruption, which beats extending
    the course. Returns (a's new session, the other's old and new session) or None, nothing
    changed."""
    tl = sched.tl
    lo = now.hour * 60 + now.minute if tl.dates[a.day] == now.date() else 0
    caps = _caps(sched, p)
    tries = 0
    best = None
    for m in [a.machine] + [c for c in caps if c != a.machine]:
        dur = p.duration(a.fraction, m)
        for b in list(sched.busy.get((m, a.day), ())):
            if not b.patient or b.patient == p.id or b.start < lo or b.anesthesia_first:
                continue
            if touched and (b.patient, b.fraction) in touched:
                continue
            q = sched.patients[b.patient]
            if q.pattern == "bid" or q.anesthesia or b.end - b.start + 30 < dur:
                continue
            tries += 1
            if tries > max_tries:
                break
            other = sched.remove(b.patient, b.fraction)
            mine_at = sched.nearest(m, a.day, dur, a.start, p.anesthesia, lo=lo)
            if mine_at is not None:
                mine = Session(p.id, a.fraction, m, a.day, mine_at, mine_at + dur)
                sched.add(mine)
                moved = _same_day(sched, q, other, now, "optimizer", w)
                sched.remove(p.id, a.fraction)
                if moved is not None and (moved.machine, moved.start) != (m, other.start):
                    cost = abs(mine_at - a.start) + abs(moved.start - other.start)
                    cost += 100 * ((m != a.machine) + (moved.machine != other.machine))
                    if best is None or cost < best[0]:
                        best = (cost, mine, other, moved)
            sched.add(other)
        if best is not None or tries > max_tries:
            break  # a swap on the patient's own machine beats one elsewhere
    if best is None:
        return None
    _, mine, other, moved = best
    sched.remove(other.patient, other.fraction)
    sched.add(moved)
    sched.add(mine)
    return mine, other, moved


def _place_near(sched: Schedule, p: Patient, x: Session, day: int) -> Session | None:
    """`x` (removed) on `day`, nearest its old time, its own machine first, then the others."""
    for m in [x.machine] + [c for c in _caps(sched, p) if c != x.machine]:
        dur = p.duration(x.fraction, m)
        st = sched.nearest(m, day, dur, x.start, p.anesthesia)
        if st is not None:
            new = Session(p.id, x.fraction, m, day, st, st + dur)
            sched.add(new)
            return new
    return None


def _shift_alternate(
    sched: Schedule,
    p: Patient,
    a: Session,
    pending: Collection[int] = (),
    touched: Collection[tuple[str, int]] = (),
    max_moves: int = 5,
) -> list[tuple[Session, Session]] | None:
    """An alternate-day course's session `a` (removed, not the first) has no room on its day:
    it goes to the next open day that keeps the spacing, and each later session moves on only
    as far as the spacing asks (usually one open day). Appending instead would skip two open
    days (the lost day and the one after the last session); this skips one. At most
    `max_moves` sessions change. Returns [(old, new)] (a's first), already applied, or None,
    nothing changed. The last session is left to `_extend`, which does the same."""
    if p.pattern != "alternate":
        return None
    frs = sched.sessions.get(p.id, {})
    before = [x for x in frs.values() if x.day < a.day]
    later = sorted((x for x in frs.values() if x.day > a.day), key=lambda x: (x.day, x.start))
    if not later or len(later) + 1 > max_moves:
        return None
    if any(x.day in pending or (p.id, x.fraction) in touched for x in later):
        return None
    snap = sched.snapshot()
    prev_day = max((x.day for x in before), default=a.day - 2)
    out: list[tuple[Session, Session]] = []
    for x in [a, *later]:
        day = max(x.day + 1 if x is a else x.day, prev_day + 2)
        if x is not a and day == x.day:
            break  # the spacing holds again: the rest of the course keeps its slots
        if x is not a:
            sched.remove(p.id, x.fraction)
        new = _place_near(sched, p, x, day) if day < sched.ndays else None
        if new is None:
            sched.restore(snap)
            return None
        out.append((x, new))
        prev_day = day
    return out


def _first_to_next_day(
    sched: Schedule,
    p: Patient,
    a: Session,
    pending: Collection[int] = (),
    touched: Collection[tuple[str, int]] = (),
) -> tuple[Session, Session, Session] | None:
    """`a`, a course's first (longer) session, has no room left on its day: the course's next
    session (day d') is replaced by a first session on d' (nearest its time, own machine first)
    and one session is added after the course's last. The course starts on d' instead of
    restarting: two changed appointments instead of every session of the course, no
    interruption. Returns (the new first session, the next session's old and new slot) or None,
    nothing changed (twice-daily courses, the next session down too, no room for the longer
    first session on d' or none after the course within the horizon)."""
    if p.pattern == "bid":
        return None
    frs = sched.sessions.get(p.id, {})
    later = sorted((x for x in frs.values() if x.day > a.day), key=lambda x: (x.day, x.start))
    if not later or later[0].day in pending or (p.id, later[0].fraction) in touched:
        return None  # its next session is down too, or this outage already moved it
    nxt = later[0]
    sched.remove(p.id, nxt.fraction)
    for m in [nxt.machine] + [c for c in _caps(sched, p) if c != nxt.machine]:
        dur = p.duration(a.fraction, m)
        st = sched.nearest(m, nxt.day, dur, nxt.start, p.anesthesia)
        if st is None:
            continue
        # it keeps a's number (1) and the added session nxt's until the course is renumbered
        first = Session(p.id, a.fraction, m, nxt.day, st, st + dur)
        sched.add(first)
        appended = _extend(sched, p, nxt, "optimizer")
        if appended is not None:
            return first, nxt, appended
        sched.remove(p.id, first.fraction)
        break
    # undone by hand, not by a snapshot: restoring one drops every memoised gap of the
    # schedule, and `_take_a_starting_slot` may try this for several courses per session
    sched.add(nxt)
    return None


def _restart(sched: Schedule, p: Patient, a: Session, policy: str) -> list[Change]:
    """The first (longer, imaging) session could not move within its day: the course starts
    again from the next open day, every later session moves with it."""
    tl = sched.tl
    old = [a, *sched.remove_patient(p.id)]
    placed = book_earliest(sched, p, a.day + 1, target=None if policy == "baseline" else a.start)
    new = {s.fraction: s for s in placed or []}
    out = []
    for o in old:
        n = new.get(o.fraction)
        out.append(
            Change(
                p.id,
                o.fraction,
                o.machine,
                tl.at(o.day, o.start),
                n.machine if n else None,
                tl.at(n.day, n.start) if n else None,
                "course restarted" if n else "cancelled",
            )
        )
    return out


def _caps(sched: Schedule, p: Patient) -> list[str]:
    allowed = set(p.allowed_machines) if p.allowed_machines is not None else None
    return [
        m.id
        for m in sched.instance.machines
        if p.technique in m.techniques and (allowed is None or m.id in allowed)
    ]


def _extend_first_day(sched: Schedule, p: Patient, a: Session, policy: str) -> int:
    """The first open day on which `_extend` may add `a`'s session after the course."""
    frs = sched.sessions[p.id]
    ref = max(frs.values(), key=lambda x: (x.day, x.start)) if frs else a
    step = 2 if p.pattern == "alternate" else 1
    if policy != "baseline" and ref.day < a.day:
        # `a` was the course's last session: the next open day keeps the spacing to the one
        # before it (an alternate course loses one open day, not two)
        return max(ref.day + step, a.day + 1)
    return max(ref.day, a.day) + step


def _extend(sched: Schedule, p: Patient, a: Session, policy: str) -> Session | None:
    """Fraction a (already removed) gets one session after the course's last one; it keeps
    a's number until `rebook_outage` renumbers the course in time order."""
    frs = sched.sessions[p.id]
    ref = max(frs.values(), key=lambda x: (x.day, x.start)) if frs else a
    caps = _caps(sched, p)
    first_day = _extend_first_day(sched, p, a, policy)
    for day in range(first_day, sched.ndays):
        order = [ref.machine] + [m for m in caps if m != ref.machine]
        for m in order:
            dur = p.duration(a.fraction, m)
            start = sched.nearest(
                m, day, dur, 0 if policy == "baseline" else ref.start, p.anesthesia
            )
            if start is not None:
                new = Session(p.id, a.fraction, m, day, start, start + dur)
                sched.add(new)
                return new
    return None


# ----------------------------------------------------------------------------- instance API


def online_book_instance(
    instance: Instance,
    new_patient_ids: Sequence[str],
    *,
    today: dt.date,
    reserve_stats: ArrivalStats | None = None,
    time_limit: float = 2.0,
    policy: str = "optimizer",
    workers: int = 1,
    wall_clock: bool = False,
    deadline: float | None = None,
) -> tuple[Schedule, DayBooking]:
    """Instance-level online booking: every patient not in `new_patient_ids` must be fully
    booked (their `booked` appointments are the fixed schedule); the new ones get courses.
    `wall_clock`: `time_limit` bounds the whole booking in wall-clock seconds (the command
    line's `--time-limit`), not CP-SAT's deterministic work. `deadline`: see `book_day`."""
    t0 = time.perf_counter()
    sched = Schedule(instance)
    sched.load_booked()
    ids = set(new_patient_ids)
    new = [p for p in instance.patients if p.id in ids]
    # a course under way given without its remaining (or with missing) fractions is completed
    # first, as `solve` does, so that both modes read such an instance alike
    for p in instance.patients:
        if p.booked and p.id not in ids:
            why = continue_course(sched, p)
            if why:
                sched.unscheduled[p.id] = why
    day = sched.tl.first_open_on_or_after(today)
    reserve = None
    if reserve_stats is not None and policy == "optimizer":
        machines = [m.id for m in instance.machines]
        reserve = Reserve.from_stats(reserve_stats, machines, day)
    if wall_clock:
        time_limit -= time.perf_counter() - t0
    return sched, book_day(
        sched,
        new,
        today=day,
        policy=policy,
        reserve=reserve,
        time_limit=time_limit,
        workers=workers,
        wall_clock=wall_clock,
        deadline=deadline,
    )


# ----------------------------------------------------------------------------- day re-layout

#: Outage day re-layout (CP-SAT): weights of its objective, lexicographic in practice. A
#: displaced session kept on its day saves an interruption day (x2 for interruption-sensitive
#: courses), then fewer other sessions given a new time, then fewer machine changes, then the
#: minutes sessions move.
RELAYOUT_PLACED = 10_000_000
RELAYOUT_MOVED = 10_000
RELAYOUT_MACHINE = 1_000
#: CP-SAT deterministic work limit of one day's re-layout (the wall-clock safety net is 10x):
#: outage rebooking must stay under 2 s at p95.
RELAYOUT_LIMIT = 0.1


def _relayout_day(
    sched: Schedule,
    day: int,
    displaced: Sequence[Session],
    now: dt.datetime,
    time_limit: float = RELAYOUT_LIMIT,
    fixed: Collection[tuple[str, int]] = (),
) -> tuple[list[tuple[Session, Session]], list[tuple[Session, Session]]] | None:
    """Lay out again, with CP-SAT, the sessions of `day` on the machines the `displaced`
    sessions (already removed) may use, so that as many displaced sessions as possible stay on
    their day: the other sessions that have not started keep their machine and slide in time
    within the day (none is dropped, none changes machine), the displaced ones take any capable
    allowed machine. A per-session search (`_same_day`, `_swap_same_day`, `_squeeze_same_day`)
    finds room one session at a time and at most 4 neighbours away; on a full day the free
    minutes are scattered over the whole day and the room is only there when everything slides.

    Fixed: downtime, sessions started before `now`, children's first sessions (and every other
    session stays after them), twice-daily sessions. Displaced children under anesthesia and
    twice-daily sessions are left to the other steps. Returns ([(old, new)] of the displaced
    sessions placed, [(old, new)] of the other sessions that moved), already applied, or None
    (nothing placed, nothing changed)."""
    from ortools.sat.python import cp_model

    tl = sched.tl
    now_min = now.hour * 60 + now.minute if tl.dates[day] == now.date() else 0
    # a course with sessions down on several days is left to the other steps (a restart there
    # lays out the whole course again, this day's session too)
    count = collections.Counter(a.patient for a in displaced)
    cand = [
        a
        for a in displaced
        if a.day == day
        and count[a.patient] == 1
        and not sched.patients[a.patient].anesthesia
        and sched.patients[a.patient].pattern != "bid"
    ]
    if not cand:
        return None
    caps = {a.patient: _caps(sched, sched.patients[a.patient]) for a in cand}
    machines = sorted({m for c in caps.values() for m in c})
    lo_of: dict[str, int] = {}
    free: dict[str, int] = {}
    for m in machines:
        mach = sched.machines[m]
        items = sched.busy.get((m, day), [])
        kids_end = max((b.end for b in items if b.anesthesia_first), default=mach.open)
        lo_of[m] = max(mach.open, now_min, kids_end)
        free[m] = (mach.close - lo_of[m]) - sum(
            max(0, min(b.end, mach.close) - max(b.start, lo_of[m])) for b in items
        )
    # Sliding keeps every other session on its machine, so a displaced session needs that many
    # free minutes on one machine; on most full days none has them, and no model is built
    # (the search is what costs: 2-3.7 s wall per outage at load average 14 without this).
    cand = [
        a
        for a in cand
        if any(
            free[m] >= sched.patients[a.patient].duration(a.fraction, m) for m in caps[a.patient]
        )
    ]
    if not cand:
        return None
    model = cp_model.CpModel()
    obj: list[Any] = []
    per_machine: dict[str, list[Any]] = {m: [] for m in machines}

    def stays(b: Busy, m: str) -> bool:
        return (
            not b.patient
            or b.anesthesia_first
            or b.start < lo_of[m]
            or b.end > sched.machines[m].close
            or sched.patients[b.patient].pattern == "bid"
            or (b.patient, b.fraction) in fixed
        )

    hint_start, hint_place = _relayout_hint(sched, day, machines, lo_of, stays, cand, caps)
    # (busy, its machine, [(machine, present, start)]) of every session that may move
    movable: list[tuple[Busy, str, list[tuple[str, Any, Any]]]] = []
    for m in machines:
        mach = sched.machines[m]
        for b in sched.busy.get((m, day), []):
            length = b.end - b.start
            q = sched.patients[b.patient] if b.patient else None
            if q is None or stays(b, m):
                per_machine[m].append(model.new_fixed_size_interval_var(b.start, length, ""))
                continue
            # Letting these sessions change machine as well (session 5: any capable machine of
            # the day) placed no more displaced sessions on rt6c: the days were out of minutes,
            # not out of arrangements. The options list would take those machines.
            opts = []
            for mk in [m]:
                dur = length if mk == m else q.duration(b.fraction, mk)
                hi = sched.machines[mk].close - dur
                if hi < lo_of[mk]:
                    continue
                y = model.new_bool_var("")
                s = model.new_int_var(lo_of[mk], hi, "")
                per_machine[mk].append(model.new_optional_fixed_size_interval_var(s, dur, y, ""))
                hs = hint_start.get((b.patient, b.fraction), b.start)
                model.add_hint(y, int(mk == m))
                model.add_hint(s, hs if mk == m else lo_of[mk])
                opts.append((mk, y, s))
            model.add_exactly_one(y for _, y, _ in opts)
            own_y, own_s = opts[0][1], opts[0][2]
            moved = model.new_bool_var("")
            model.add(own_y == 1).only_enforce_if(~moved)
            model.add(own_s == b.start).only_enforce_if(~moved)
            model.add_hint(moved, int(hint_start.get((b.patient, b.fraction), b.start) != b.start))
            dev = model.new_int_var(0, mach.close, "")
            model.add_abs_equality(dev, own_s - b.start)
            obj += [RELAYOUT_MOVED * moved, dev]
            if len(opts) > 1:
                obj.append(RELAYOUT_MACHINE * (1 - own_y))
            movable.append((b, m, opts))
    placements: list[tuple[Session, list[tuple[str, Any, Any]]]] = []
    for a in cand:
        p = sched.patients[a.patient]
        weight = RELAYOUT_PLACED * (2 if p.interruption_sensitive else 1)
        opts = []
        for m in caps[a.patient]:
            dur = p.duration(a.fraction, m)
            hi = sched.machines[m].close - dur
            if hi < lo_of[m]:
                continue
            x = model.new_bool_var("")
            s = model.new_int_var(lo_of[m], hi, "")
            per_machine[m].append(model.new_optional_fixed_size_interval_var(s, dur, x, ""))
            hp = hint_place.get((a.patient, a.fraction))
            model.add_hint(x, int(hp is not None and hp[0] == m))
            if hp is not None and hp[0] == m:
                model.add_hint(s, hp[1])
            dev = model.new_int_var(0, 1440, "")
            model.add_abs_equality(dev, s - a.start)
            # the minutes moved count only when placed there
            devp = model.new_int_var(0, 1440, "")
            model.add(devp == dev).only_enforce_if(x)
            model.add(devp == 0).only_enforce_if(~x)
            obj += [-weight * x, devp]
            if m != a.machine:
                obj.append(RELAYOUT_MACHINE * x)
            opts.append((m, x, s))
        if opts:
            model.add_at_most_one(x for _, x, _ in opts)
            placements.append((a, opts))
    if not placements:
        return None
    for ivs in per_machine.values():
        model.add_no_overlap(ivs)
    model.minimize(sum(obj))
    solver = cp_model.CpSolver()
    solver.parameters.max_deterministic_time = time_limit
    # the wall clock is only a safety net: 3x (as elsewhere) stopped a 12-session day at its
    # hint on the shared 2-core test machine (0.02 of the 0.25 deterministic units done)
    solver.parameters.max_time_in_seconds = 10 * time_limit
    solver.parameters.num_workers = 1
    status = solver.solve(model)
    if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return None
    chosen = []
    for a, opts in placements:
        for m, x, s in opts:
            if solver.boolean_value(x):
                chosen.append((a, m, solver.value(s)))
    if not chosen:
        return None
    slid: list[tuple[Session, str, int]] = []
    for b, m, opts in movable:
        mk, st = next((mk, solver.value(s)) for mk, y, s in opts if solver.boolean_value(y))
        if (mk, st) != (m, b.start):
            slid.append((sched.remove(b.patient, b.fraction), mk, st))
    out_others = []
    for old, mk, st in slid:
        dur = sched.patients[old.patient].duration(old.fraction, mk)
        if mk == old.machine:
            dur = old.end - old.start
        new = Session(old.patient, old.fraction, mk, day, st, st + dur)
        sched.add(new)
        out_others.append((old, new))
    out_placed = []
    for a, m, st in chosen:
        dur = sched.patients[a.patient].duration(a.fraction, m)
        new = Session(a.patient, a.fraction, m, day, st, st + dur)
        sched.add(new)
        out_placed.append((a, new))
    return out_placed, out_others


def _relayout_hint(
    sched: Schedule,
    day: int,
    machines: Sequence[str],
    lo_of: dict[str, int],
    stays: Callable[[Busy, str], bool],
    cand: Sequence[Session],
    caps: dict[str, list[str]],
) -> tuple[dict[tuple[str, int], int], dict[tuple[str, int], tuple[str, int]]]:
    """A feasible start for `_relayout_day`'s search, so that a small work limit still keeps
    displaced sessions on their day: each displaced session (interruption-sensitive first,
    longest first) takes a gap on a capable machine as it is, else that machine's movable
    sessions are packed towards the start of the day in their order (each only earlier, so the
    packing is feasible) and it takes a gap then. Returns (new start of each packed session,
    (machine, start) of each displaced session placed)."""
    fixed_iv = {
        m: [(b.start, b.end) for b in sched.busy.get((m, day), []) if stays(b, m)] for m in machines
    }
    layout = {
        m: [(b.start, b.end, b) for b in sched.busy.get((m, day), []) if not stays(b, m)]
        for m in machines
    }
    added: dict[str, list[tuple[int, int]]] = {m: [] for m in machines}
    packed: set[str] = set()
    starts: dict[tuple[str, int], int] = {}

    def fit(m: str, dur: int) -> int | None:
        taken = sorted(fixed_iv[m] + [(s, e) for s, e, _ in layout[m]] + added[m])
        t = lo_of[m]
        for s, e in taken:
            if e <= t:
                continue
            if s - t >= dur:
                return t
            t = max(t, e)
        return t if sched.machines[m].close - t >= dur else None

    def pack(m: str) -> None:
        out, t = [], lo_of[m]
        for _s, _e, b in sorted(layout[m], key=lambda x: x[0]):
            length = b.end - b.start
            moved = True
            while moved:  # the earliest start from t that clears every fixed interval
                moved = False
                for fs, fe in fixed_iv[m]:
                    if fs < t + length and t < fe:
                        t, moved = fe, True
            out.append((t, t + length, b))
            starts[(b.patient, b.fraction)] = t
            t += length
        layout[m] = out
        packed.add(m)

    place: dict[tuple[str, int], tuple[str, int]] = {}
    order = sorted(
        cand,
        key=lambda a: (
            not sched.patients[a.patient].interruption_sensitive,
            -sched.patients[a.patient].duration(a.fraction, a.machine),
        ),
    )
    for a in order:
        p = sched.patients[a.patient]
        for repack in (False, True):
            for m in caps[a.patient]:
                if m not in lo_of:
                    continue
                if repack and m not in packed:
                    pack(m)
                dur = p.duration(a.fraction, m)
                st = fit(m, dur)
                if st is not None:
                    added[m].append((st, st + dur))
                    place[(a.patient, a.fraction)] = (m, st)
                    break
            if (a.patient, a.fraction) in place:
                break
    return starts, place
