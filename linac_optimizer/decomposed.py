"""Decomposed optimizer for full-size days (see docs/scheduler.md, "Decomposition").

Stage 1 (CP-SAT): for every patient to book, choose the machine and the first treatment day.
One boolean per (patient, machine, start day) candidate; the course's minutes are charged to
each (machine, day) it occupies, and the sum must fit the free minutes of that machine-day
(minus the emergency reserve for non-urgent patients). The objective is the named penalties
that depend on the start day and machine: late start by urgency, waiting, and a small cost for
using a more versatile machine than needed (keeps the TrueBeam free for SRS/SBRT).

Stage 2 (exact placement in time): patients in priority order get the start minute that is
free on the most of their course days (zero drift), the preferred window breaking ties; a day
where that minute is taken uses the nearest free minute (drift), then another capable machine
(machine change), then the next open day (interruption). Stage 1 reasons on minutes, not on
gaps, so stage 2 can occasionally fail on a fragmented day: the patient then falls back to the
earliest day where the whole course fits.
"""

from __future__ import annotations

import datetime as dt
import time
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field

from ortools.sat.python import cp_model

from .model import Patient
from .objective import DEFAULT_WEIGHTS, Weights
from .placement import best_recurring_start, book_earliest, place_course
from .state import BID_GAP_MIN, Schedule, Session, course_days_needed, course_plan, precheck
from .timeline import delivered_before

URGENT = ("emergency", "urgent")
UNSCHEDULED_COST = 1_000_000


@dataclass
class BookingResult:
    booked: list[str] = field(default_factory=list)
    unbookable: dict[str, str] = field(default_factory=dict)  # patient -> reason
    stage1_status: str = ""
    stage1_objective: float | None = None
    stage1_bound: float | None = None
    seconds: float = 0.0
    fallbacks: int = 0


def run_cpsat(
    model: cp_model.CpModel, time_limit: float, workers: int, wall_clock: bool = False
) -> tuple[cp_model.CpSolver, int]:
    """Solve `model` with the limits every CP-SAT call of the engine uses. The deterministic
    work limit makes the same instance give the same schedule on a loaded or an idle machine
    (benchmarks are reproducible); the wall-clock limit is only a safety net. `wall_clock`:
    the caller's time limit is wall-clock seconds (the static solve, which uses all of it)."""
    solver = cp_model.CpSolver()
    if wall_clock:
        solver.parameters.max_time_in_seconds = time_limit
    else:
        solver.parameters.max_deterministic_time = time_limit
        solver.parameters.max_time_in_seconds = 3 * time_limit
    solver.parameters.num_workers = workers
    return solver, solver.solve(model)


def due_index(sched: Schedule, p: Patient) -> int:
    """Index of the last open day on or before the due date."""
    return sched.tl.first_open_on_or_after(p.due_date + dt.timedelta(days=1)) - 1


def start_cost(sched: Schedule, p: Patient, machine: str, day: int, w: Weights) -> int:
    ready = sched.tl.first_open_on_or_after(p.ready_date)
    late = max(0, day - due_index(sched, p))
    versatility = len(sched.machines[machine].techniques)
    return w.late[p.urgency] * late + w.wait * max(0, day - ready) + versatility


ReserveFn = Callable[[str, int], int]


def stage1(
    sched: Schedule,
    pats: list[Patient],
    today: int,
    reserve: ReserveFn | None,
    time_limit: float,
    w: Weights = DEFAULT_WEIGHTS,
    max_candidates: int = 8,
    workers: int = 1,
    wall_clock: bool = False,
) -> tuple[dict[str, tuple[str, int]], BookingResult]:
    res = BookingResult()
    free_cache: dict[tuple[str, int], int] = {}

    def free(m: str, d: int) -> int:
        v = free_cache.get((m, d))
        if v is None:
            v = free_cache[(m, d)] = sched.free_minutes(m, d)
        return v

    cands: dict[str, list[tuple[str, int, list[tuple[str, int, int]], int]]] = {}
    for p in pats:
        reason = precheck(sched.instance, p, sched.tl)
        if reason:
            res.unbookable[p.id] = reason
            continue
        r = max(today, sched.tl.first_open_on_or_after(p.ready_date))
        span = course_days_needed(p)
        urgent = reserve is None or p.urgency in getattr(reserve, "exempt", URGENT)
        lst = []
        caps = sched.instance.capable_machines(p)
        max_reroute = len(course_plan(p, 0)) // 10  # at most 10% of days off the main machine

        def room(m: str, d: int, urgent: bool = urgent) -> int:
            return free(m, d) - (0 if urgent or reserve is None else reserve(m, d))

        for m in caps:
            found = 0
            for s in range(r, sched.ndays - span + 1):
                # (machine, day, minutes): the course's load routed to m, or, on a day m is
                # full, to the capable machine with most room (a planned machine change)
                route: list[tuple[str, int, int]] = []
                rerouted = 0
                loads: dict[int, int] = defaultdict(int)
                for k, d in course_plan(p, s):
                    loads[d] += p.duration(k, m)
                for d, ld in sorted(loads.items()):
                    if room(m, d) >= ld and (not p.anesthesia or sched.gaps(m, d, ld, True)):
                        route.append((m, d, ld))
                        continue
                    if d == s or rerouted >= max_reroute or p.anesthesia:
                        break
                    alt = max((x for x in caps if x != m), key=lambda x: room(x, d), default=None)
                    if alt is None or room(alt, d) < ld:
                        break
                    rerouted += 1
                    route.append((alt, d, ld))
                if len(route) == len(loads):
                    lst.append((m, s, route, rerouted))
                    found += 1
                    if found >= max_candidates:
                        break
        if not lst:
            res.unbookable[p.id] = (
                "no machine-day capacity for the course on a capable machine within the horizon"
            )
            continue
        cands[p.id] = lst

    model = cp_model.CpModel()
    x: dict[tuple[str, int], cp_model.IntVar] = {}
    usage_all: dict[tuple[str, int], list] = defaultdict(list)
    usage_std: dict[tuple[str, int], list] = defaultdict(list)
    obj = []
    byid = {p.id: p for p in pats}
    for pid, lst in cands.items():
        p = byid[pid]
        lits = []
        for i, (m, s, route, rerouted) in enumerate(lst):
            v = model.new_bool_var(f"x_{pid}_{m}_{s}")
            x[(pid, i)] = v
            lits.append(v)
            obj.append((start_cost(sched, p, m, s, w) + w.machine_change * rerouted) * v)
            for mm, d, ld in route:
                usage_all[(mm, d)].append(ld * v)
                if reserve is not None and p.urgency not in getattr(reserve, "exempt", URGENT):
                    usage_std[(mm, d)].append(ld * v)
        none = model.new_bool_var(f"u_{pid}")
        model.add_exactly_one([*lits, none])
        obj.append(UNSCHEDULED_COST * none)
    for key, terms in usage_all.items():
        model.add(sum(terms) <= free(*key))
    if reserve is not None:
        for key, terms in usage_std.items():
            model.add(sum(terms) <= max(0, free(*key) - reserve(*key)))
    model.minimize(sum(obj))
    solver, status = run_cpsat(model, time_limit, workers, wall_clock)
    res.stage1_status = solver.status_name(status)
    choice: dict[str, tuple[str, int]] = {}
    if status in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        res.stage1_objective = solver.objective_value
        res.stage1_bound = solver.best_objective_bound
        for (pid, i), v in x.items():
            if solver.value(v):
                m, s, _, _ = cands[pid][i]
                choice[pid] = (m, s)
    for pid in cands:
        if pid not in choice:
            res.unbookable[pid] = "no capacity left for the course within the horizon"
    return choice, res


def priority(p: Patient) -> tuple:
    order = {"emergency": 0, "urgent": 1, "palliative": 2, "radical": 3}
    return (not p.anesthesia, order[p.urgency], -p.fractions * p.duration_min, p.id)


def book_patients(
    sched: Schedule,
    pats: list[Patient],
    *,
    today: int = 0,
    reserve: ReserveFn | None = None,
    time_limit: float = 2.0,
    weights: Weights = DEFAULT_WEIGHTS,
    workers: int = 1,
    wall_clock: bool = False,
) -> BookingResult:
    """Book whole courses of `pats` (none of their fractions booked yet) into `sched`, existing
    sessions fixed. Unbookable patients are returned with the reason."""
    t0 = time.perf_counter()
    choice, res = stage1(
        sched, pats, today, reserve, time_limit, weights, workers=workers, wall_clock=wall_clock
    )
    for p in sorted((p for p in pats if p.id in choice), key=priority):
        m, s = choice[p.id]
        if p.urgency == "emergency" and s > due_index(sched, p):
            # Stage 1 keeps a course on one machine; an emergency it cannot start in time is
            # booked day by day on any capable machine instead (starting beats a machine change)
            r = max(today, sched.tl.first_open_on_or_after(p.ready_date))
            early = book_earliest(sched, p, r)
            if early is not None and early[0].day <= due_index(sched, p):
                res.booked.append(p.id)
                continue
            for x in early or []:
                sched.remove(x.patient, x.fraction)
        t = best_recurring_start(sched, p, m, s)
        placed = place_course(sched, p, m, s, t, max_interrupt=2)
        if placed is None:
            res.fallbacks += 1
            placed = book_earliest(sched, p, s, target=t) or book_earliest(
                sched, p, max(today, sched.tl.first_open_on_or_after(p.ready_date)), max_interrupt=5
            )
        if placed is None:
            res.unbookable[p.id] = "no free slot for the course within the horizon"
        else:
            res.booked.append(p.id)
    res.seconds = time.perf_counter() - t0
    return res


def continue_course(sched: Schedule, p: Patient) -> str | None:
    """Complete a course already started: fractions missing below the last booked one are
    booked first (between their booked neighbours; those below the lowest booked fraction
    only when they are not taken as delivered before the instance, `delivered_before`), then
    the fractions after the last booked one, on its main machine at its usual time. Returns a
    reason if it cannot (nothing is added then)."""
    have = sched.sessions.get(p.id, {})
    if not have:
        return "no booked fraction is on an open day of the horizon"
    pre = delivered_before(p, sched.tl)
    last = max(have)
    t = have[min(have)].start
    missing = [k for k in range(pre + 1, last) if k not in have]
    filled: list[Session] = []
    for k in missing:
        ses = _fill_fraction(sched, p, k, t)
        if ses is None:
            for x in filled:
                sched.remove(x.patient, x.fraction)
            lowest = min(b.fraction for b in p.booked)
            if k < lowest:
                return (
                    f"fractions {pre + 1}-{lowest - 1} are not booked and fit before booked "
                    f"fraction {lowest} (so were not delivered before the horizon), but "
                    f"fraction {k} has no free slot at the pattern's spacing before it"
                )
            return (
                f"fraction {k} is missing between booked fractions {k - 1} and {k + 1} "
                "and has no free slot between them"
            )
        sched.add(ses)
        filled.append(ses)
    if last >= p.fractions:
        return None
    prev = have[last]
    # a twice-daily pair is never split across the booked/new boundary: restart next day
    nxt_day = prev.day + (2 if p.pattern == "alternate" else 1)
    counts: dict[str, int] = defaultdict(int)
    for s in have.values():
        counts[s.machine] += 1
    main = max(counts, key=lambda m: counts[m])
    if (
        place_course(
            sched,
            p,
            main,
            nxt_day,
            t,
            first_fraction=last + 1,
            max_interrupt=10,
            first_day_exact=False,
        )
        is None
    ):
        for x in filled:
            sched.remove(x.patient, x.fraction)
        return "no free slot for the remaining fractions within the horizon"
    return None


def _fill_fraction(sched: Schedule, p: Patient, k: int, target: int) -> Session | None:
    """A session for missing fraction `k` between the sessions of `p` around it (the nearest
    below may be absent: then from the ready date), at the pattern's minimum spacing, closest
    to minute `target`, the machine most used by the course first. Not added."""
    have = sched.sessions[p.id]
    below = max((j for j in have if j < k), default=None)
    above = min(j for j in have if j > k)
    prev = have[below] if below is not None else None
    nxt = have[above]
    step = 2 if p.pattern == "alternate" else 1
    bid = p.pattern == "bid"
    if prev is not None:
        lo_day = prev.day + (0 if bid else step)
    else:
        lo_day = sched.tl.first_open_on_or_after(p.ready_date)
    hi_day = nxt.day - (0 if bid else step)
    counts: dict[str, int] = defaultdict(int)
    for s in have.values():
        counts[s.machine] += 1
    caps = sorted(sched.instance.capable_machines(p), key=lambda m: -counts.get(m, 0))
    for day in range(max(0, lo_day), min(hi_day, sched.ndays - 1) + 1):
        same = [s for s in have.values() if s.day == day]
        if same and not bid:
            continue
        if len(same) >= 2:
            continue
        lo = prev.start + BID_GAP_MIN if prev is not None and prev.day == day else 0
        for m in caps:
            dur = p.duration(k, m)
            first = not (prev is not None and prev.day == day)  # else the day's second session
            at = sched.nearest(m, day, dur, target, p.anesthesia and first, lo=lo)
            if at is None:
                continue
            if day == nxt.day and (at + dur > nxt.start or nxt.start - at < BID_GAP_MIN):
                continue  # twice daily: before the next fraction on its day, 6 h apart
            return Session(p.id, k, m, day, at, at + dur)
    return None
