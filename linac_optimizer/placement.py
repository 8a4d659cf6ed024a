"""Placing one course into a `Schedule`: the course walker, the recurring-slot search, and the
greedy first-come-first-served baseline (the yardstick of the benchmark)."""

from __future__ import annotations

from collections.abc import Iterable

from .model import Patient
from .objective import DEFAULT_WEIGHTS, Weights, outside_minutes
from .state import BID_GAP_MIN, Schedule, Session, course_days_needed, precheck


def place_course(sched: Schedule, p: Patient, machine: str, first_day: int, target: int, *,
                 first_fraction: int = 1, caps: list[str] | None = None,
                 allow_change: bool = True, max_interrupt: int = 0,
                 first_day_exact: bool = True, prefer_same: bool = False,
                 w: Weights = DEFAULT_WEIGHTS) -> list[Session] | None:
    """Book fractions `first_fraction..n` of `p` starting on `first_day`, each as close as
    possible to minute `target` (0 = earliest), on the machine with the least named penalty
    (drift, outside the preferred window, machine change away from `machine`; `prefer_same`
    keeps `machine` whenever it has room, as the baseline does), else one open day later (an
    interruption, at most `max_interrupt`). Adds the sessions to `sched` and returns them; on failure adds nothing.
    """
    caps = caps or sched.instance.capable_machines(p)
    others = [m for m in caps if m != machine] if allow_change else []
    step = 2 if p.pattern == "alternate" else 1
    placed: list[Session] = []
    day, today_first = first_day, None
    interrupts = 0
    k = first_fraction
    while k <= p.fractions:
        if day >= sched.ndays:
            break
        second = p.pattern == "bid" and today_first is not None
        lo = today_first.start + BID_GAP_MIN if second and today_first else 0
        tgt = max(target + BID_GAP_MIN, lo) if second else target
        anest = p.anesthesia and not second
        got, best = None, None
        for m in [machine, *others]:
            dur = p.duration(k, m)
            s = sched.nearest(m, day, dur, tgt, anest, lo=lo)
            if s is None:
                continue
            if prefer_same:  # baseline: the same machine whenever it has room
                got = Session(p.id, k, m, day, s, s + dur)
                break
            # a one-day deviation is drift twice: there and back
            cost = (2 * w.drift_per_5min * (abs(s - tgt) // 5)
                    + w.outside_window_per_5min * (outside_minutes(s, s + dur, p.preferred_window) // 5)
                    + (w.machine_change if m != machine else 0))
            if best is None or cost < best:
                got, best = Session(p.id, k, m, day, s, s + dur), cost
        if got is None:
            if second:  # no room 6 h later: the pair is split, next fraction opens a new day
                day, today_first = day + 1, None
                continue
            if (k == first_fraction and first_day_exact) or interrupts >= max_interrupt:
                break
            interrupts += 1
            day += 1
            continue
        sched.add(got)
        placed.append(got)
        k += 1
        if p.pattern == "bid" and today_first is None:
            today_first = got
        else:
            day, today_first = day + step, None
    if k <= p.fractions:
        for s in placed:
            sched.remove(s.patient, s.fraction)
        return None
    return placed


def best_recurring_start(sched: Schedule, p: Patient, machine: str, first_day: int,
                         first_fraction: int = 1) -> int:
    """The start minute that is free on the most course days on `machine` (ties: inside the
    preferred window, then earliest): one time for the whole course keeps drift at zero."""
    from .state import course_plan

    events: list[tuple[int, int]] = []
    prev_day = None
    plan = course_plan(p, first_day, first_fraction)
    for k, day in plan:
        if day == prev_day or day >= sched.ndays:
            continue  # bid second session follows the first
        if k == 1 and len(plan) > 1:
            # The longer first session is left out: fitting it into the recurring slot would
            # leave a hole of the extra minutes on every later day, and such holes are too
            # short for anyone. It takes the nearest free minute of its own day instead.
            prev_day = day
            continue
        prev_day = day
        for a, b in sched.gaps(machine, day, p.duration(k, machine), p.anesthesia):
            events.append((a, 1))
            events.append((b + 1, -1))
    if not events:
        return 0
    events.sort()
    win = p.preferred_window
    dur = p.duration_min
    best_key, best_t = None, 0
    cnt = 0
    i = 0
    while i < len(events):
        t = events[i][0]
        while i < len(events) and events[i][0] == t:
            cnt += events[i][1]
            i += 1
        nxt = events[i][0] if i < len(events) else t + 1
        cands = [t]
        if win and t < win[0] < nxt:
            cands.append(win[0])
        for c in cands:
            inside = win is not None and c >= win[0] and c + dur <= win[1]
            key = (cnt, inside, -c)
            if best_key is None or key > best_key:
                best_key, best_t = key, c
    return best_t


def book_earliest(sched: Schedule, p: Patient, start_day: int, *,
                  target: int | None = None, max_interrupt: int = 0) -> list[Session] | None:
    """First open day >= start_day on which the whole course fits (earliest slot, or the slot
    nearest `target`), trying capable machines in order of their earliest free slot."""
    caps = sched.instance.capable_machines(p)
    span = course_days_needed(p)
    for d in range(start_day, sched.ndays - span + 1 if max_interrupt == 0 else sched.ndays):
        opts = []
        for m in caps:
            s = sched.nearest(m, d, p.duration(1, m), target or 0, p.anesthesia)
            if s is not None:
                opts.append((abs(s - (target or 0)), s, m))
        for _, s, m in sorted(opts):
            res = place_course(sched, p, m, d, s if target is not None else 0, caps=caps,
                               max_interrupt=max_interrupt, prefer_same=target is None)
            if res:
                return res
    return None


def baseline_book(sched: Schedule, patients: Iterable[Patient], today: int = 0) -> dict[str, str]:
    """Greedy first-come-first-served: each patient in turn gets the earliest feasible slot on
    any capable machine, keeping the same machine when it has room. Returns {patient: reason}
    for those it could not book."""
    failed = {}
    for p in patients:
        reason = precheck(sched.instance, p, sched.tl)
        if reason:
            failed[p.id] = reason
            continue
        d0 = max(today, sched.tl.first_open_on_or_after(p.ready_date))
        if book_earliest(sched, p, d0) is None and \
                book_earliest(sched, p, d0, max_interrupt=5) is None:
            failed[p.id] = "no free slot for the course on a capable machine within the horizon"
    return failed
