"""Placing one course into a `Schedule`: the course walker, the recurring-slot search, and the
greedy first-come-first-served baseline (the yardstick of the benchmark)."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence

from .model import Patient
from .objective import DEFAULT_WEIGHTS, Weights, outside_minutes
from .state import BID_GAP_MIN, Schedule, Session, course_days_needed, course_plan, precheck

MISSED_DAY_MIN = 60  # a course day off the recurring minute, counted as this many lost minutes
NO_GAP_MIN = 240  # `keep_minute`: a course day with no free gap at all, as this far off


SPLIT_CAP = 60  # a piece longer than this still takes a few sessions: capped cost

#: `keep_minute` layouts (the online optimizer's recurring-minute candidate) weigh a penalty
#: point as this many minutes of short holes, as `candidates.score` does (a minute of drift
#: costs as much as two minutes of holes there). The default, 1, made a minute of holes worth
#: five minutes of drift: a session left its free recurring minute for a snug spot up to 150
#: minutes away, and that was most of the online optimizer's drift between later days.
KEEP_MINUTE_HOLE_MIN = 10


def split_cost(left: int, right: int) -> int:
    """Minutes of fragmentation caused by a session placed `left` minutes after the start and
    `right` minutes before the end of a free interval: zero when it sits snug against either
    side (the free time stays in one piece), else the smaller piece, which later sessions of
    other lengths mostly cannot use. Left-packing keeps days in one free block; measured on
    rt6 it is worth far more utilisation than placing every session at its exact minute."""
    return 0 if left == 0 or right == 0 else min(left, right, SPLIT_CAP)


def place_course(
    sched: Schedule,
    p: Patient,
    machine: str,
    first_day: int,
    target: int,
    *,
    first_fraction: int = 1,
    caps: list[str] | None = None,
    allow_change: bool = True,
    max_interrupt: int = 0,
    first_day_exact: bool = True,
    prefer_same: bool = False,
    w: Weights = DEFAULT_WEIGHTS,
    keep_minute: bool = False,
    add: bool = True,
) -> list[Session] | None:
    """Book fractions `first_fraction..n` of `p` starting on `first_day`, each as close as
    possible to minute `target` (0 = earliest), on the machine with the least named penalty
    (drift, outside the preferred window, machine change away from `machine`; `prefer_same`
    keeps `machine` whenever it has room, as the baseline does), else one open day later (an
    interruption, at most `max_interrupt`). Adds the sessions to `sched` and returns them; on failure adds nothing.
    `keep_minute`: penalties weigh against short holes as in the online candidate score
    (`KEEP_MINUTE_HOLE_MIN`), so a session stays at `target` rather than snap to a gap's edge.
    `add` False: only lay the course out, `sched` is left as it was (the same sessions).
    """
    k_pen = KEEP_MINUTE_HOLE_MIN if keep_minute else 1
    caps = caps or sched.instance.capable_machines(p)
    others = [m for m in caps if m != machine] if allow_change else []
    step = 2 if p.pattern == "alternate" else 1
    placed: list[Session] = []
    # Sessions of a daily or alternate course are on different days, so placing one does not
    # change the gaps another sees: a layout need not touch `sched` (which would drop the
    # memoised gaps of every day of the course, see `Schedule.gaps`). A twice-daily course's
    # second session must see its first: it is added, and taken out at the end.
    touch = add or p.pattern == "bid"
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
            if prefer_same:  # baseline: earliest, the same machine whenever it has room
                s = sched.nearest(m, day, dur, tgt, anest, lo=lo)
                if s is not None:
                    got = Session(p.id, k, m, day, s, s + dur)
                    break
                continue
            # fragmentation alone never justifies a machine change
            change = k_pen * w.machine_change + SPLIT_CAP if m != machine else 0
            if best is not None and best <= change:
                break  # every other machine costs at least `change`: none can do better
            for a, b in sched.gaps(m, day, dur, anest, lo=lo):
                for s in {a, b, min(max(tgt, a), b)}:
                    # a one-day deviation is drift twice (there and back); a hole too short
                    # for any session is capacity lost for good
                    cost = (
                        k_pen
                        * (
                            2 * w.drift_per_5min * (abs(s - tgt) // 5)
                            + w.outside_window_per_5min
                            * (outside_minutes(s, s + dur, p.preferred_window) // 5)
                        )
                        + change
                        + split_cost(s - a, b - s)
                    )
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
        if touch:
            sched.add(got)
        placed.append(got)
        k += 1
        if p.pattern == "bid" and today_first is None:
            today_first = got
        else:
            day, today_first = day + step, None
    if touch and (k <= p.fractions or not add):
        for ses in placed:
            sched.remove(ses.patient, ses.fraction)
    return None if k <= p.fractions else placed


def start_screen(
    sched: Schedule, p: Patient, caps: list[str] | None = None
) -> Callable[[int], bool]:
    """A test `possible(day)`: could the whole course of `p` start on open day `day` without an
    interruption (`place_course` with max_interrupt 0, on any machine and target)? False only
    when it surely cannot: some course day has no free gap long enough on any capable machine.
    For daily and alternate courses that is exactly when `place_course` fails (it may change
    machine on any day, and sessions of one course are on different days, so placing one does
    not change the gaps of another); twice-daily courses are not screened. The answers per
    (day, first fraction) are memoised: valid while the schedule does not change.

    Why: in an overloaded center the first feasible start lies weeks ahead, and laying out a
    30-fraction course on every machine for every day before it was most of the booking time.
    """
    caps = caps or sched.instance.capable_machines(p)
    if p.pattern == "bid":
        return lambda day: True
    memo: dict[tuple[int, bool], bool] = {}

    def free(day: int, first: bool) -> bool:
        key = (day, first)
        if key not in memo:
            memo[key] = any(
                sched.gaps(m, day, p.duration(1 if first else 2, m), p.anesthesia) for m in caps
            )
        return memo[key]

    def possible(day: int) -> bool:
        plan = course_plan(p, day)
        if plan[-1][1] >= sched.ndays:
            return False
        return all(free(d, k == 1) for k, d in plan)

    return possible


def best_recurring_start(
    sched: Schedule,
    p: Patient,
    machine: str,
    first_day: int,
    first_fraction: int = 1,
    *,
    keep_minute: bool = False,
    w: Weights = DEFAULT_WEIGHTS,
) -> int:
    """One start minute for the whole course on `machine` (drift zero), chosen by the fewest
    lost minutes: holes too short for any session left next to it on each day (so sessions sit
    snug against existing bookings) plus MISSED_DAY_MIN per course day it is not free; then
    inside the preferred window; then earliest.

    `keep_minute` (the online optimizer): a course day where the minute is not free costs the
    drift it causes, there and back, from the nearest free minute that day, weighed against the
    holes as in `place_course(keep_minute=True)`; the longer first session counts too (drift to
    the second day only). A flat MISSED_DAY_MIN undercounted those days: a minute snug on most
    days but 30-90 minutes off on a few won over one free on every day of the course.

    Candidates are the ends of the free intervals (left- or right-justified starts) and the
    window start, since the best minute always lies on one of them."""
    import bisect

    per_day: list[tuple[tuple[int, int], ...]] = []
    first_gaps: tuple[tuple[int, int], ...] | None = None
    prev_day = None
    plan = course_plan(p, first_day, first_fraction)
    for k, day in plan:
        if day == prev_day or day >= sched.ndays:
            continue  # bid second session follows the first
        prev_day = day
        if k == 1 and len(plan) > 1:
            # The longer first session is left out: fitting it into the recurring slot would
            # leave a hole of the extra minutes on every later day, and such holes are too
            # short for anyone. It takes the nearest free minute of its own day instead.
            if keep_minute:
                first_gaps = sched.gaps(machine, day, p.duration(k, machine), p.anesthesia)
            continue
        per_day.append(sched.gaps(machine, day, p.duration(k, machine), p.anesthesia))
    cands = {x for g in per_day for a, b in g for x in (a, b)}
    if first_gaps:
        cands |= {x for a, b in first_gaps for x in (a, b)}
    win = p.preferred_window
    if win:
        cands.add(win[0])
    if not cands:
        return 0
    starts = [[a for a, _ in g] for g in per_day]
    dur = p.duration_min
    k_pen = KEEP_MINUTE_HOLE_MIN * w.drift_per_5min

    def off(g: Sequence[tuple[int, int]], st: list[int], i: int, t: int) -> int:
        """Minutes from `t` to the nearest free start of a day where `t` is not free."""
        if not g:
            return NO_GAP_MIN
        left = t - g[i][1] if i >= 0 else NO_GAP_MIN
        right = st[i + 1] - t if i + 1 < len(st) else NO_GAP_MIN
        return min(left, right, NO_GAP_MIN)

    first_starts = [a for a, _ in first_gaps] if first_gaps is not None else []
    best_key, best_t = None, 0
    for t in sorted(cands):
        cnt = waste = drift = 0
        for g, st in zip(per_day, starts, strict=True):
            i = bisect.bisect_right(st, t) - 1
            if i < 0 or t > g[i][1]:
                if keep_minute:
                    drift += 2 * (off(g, st, i, t) // 5)
                continue
            cnt += 1
            left, right = t - g[i][0], g[i][1] - t
            waste += split_cost(left, right)
        if first_gaps is not None:
            i = bisect.bisect_right(first_starts, t) - 1
            if i < 0 or t > first_gaps[i][1]:
                drift += off(first_gaps, first_starts, i, t) // 5
        inside = win is not None and t >= win[0] and t + dur <= win[1]
        # a missed day costs drift there and back; a short hole costs its minutes for good
        missed = k_pen * drift if keep_minute else MISSED_DAY_MIN * (len(per_day) - cnt)
        key = (-(missed + waste), inside, -t)
        if best_key is None or key > best_key:
            best_key, best_t = key, t
    return best_t


def book_earliest(
    sched: Schedule,
    p: Patient,
    start_day: int,
    *,
    target: int | None = None,
    max_interrupt: int = 0,
) -> list[Session] | None:
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
            res = place_course(
                sched,
                p,
                m,
                d,
                s if target is not None else 0,
                caps=caps,
                max_interrupt=max_interrupt,
                prefer_same=target is None,
            )
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
        if (
            book_earliest(sched, p, d0) is None
            and book_earliest(sched, p, d0, max_interrupt=5) is None
        ):
            failed[p.id] = "no free slot for the course on a capable machine within the horizon"
    return failed
