"""Online optimizer: whole-course candidates, chosen together by CP-SAT, then bumping.

Each working day the new patients (and anyone still waiting) are booked into a schedule whose
earlier bookings are fixed. Three steps (docs/scheduler.md, "Online optimizer"):

1. **Candidates.** For every patient, on the first open days where its course fits, and on
   every capable machine, the course is laid out exactly against today's schedule: one
   recurring start minute (zero drift), the nearest free minute on a day where it is taken,
   another capable machine only where the main one has no room, no interruption. Each
   candidate is a list of real sessions, so it is *gap-aware*: it exists only if every one of
   its sessions fits in a free gap, not merely in a minute budget.
2. **Selection (CP-SAT).** One boolean per candidate, exactly one candidate (or "not today")
   per patient, and a no-overlap constraint per machine-day over the optional session
   intervals of all candidates, so the day's patients never collide. The objective is the
   named penalties of `objective.Weights` (late start by urgency, waiting, machine changes,
   drift, outside the preferred window) plus tie-breaks that keep capacity usable: the
   short holes a session leaves next to it (fragmentation), using a more versatile machine
   than needed (the TrueBeam stays free for SRS/SBRT), a session longer than on the patient's
   quickest machine, and a machine other patients need more (`MachinePressure`). The sequential greedy selection (best
   candidate per patient in priority order) is given as the hint, so the result is never worse
   than it by this objective.
3. **Bumping.** An emergency or urgent patient who still cannot start by the due date may
   postpone a not-yet-started palliative or radical course, only if that course can be booked
   again *within its own due date*. The fewest courses are moved (one, then two); every move
   is reported so the patients can be told.

Patients who get no candidate stay on the waiting list with the reason.
"""

from __future__ import annotations

import itertools
import time
from collections import defaultdict
from collections.abc import Callable, Iterator, Sequence
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass, field

from ortools.sat.python import cp_model

from .decomposed import URGENT, due_index, run_cpsat
from .model import Patient
from .objective import DEFAULT_WEIGHTS, Weights, outside_minutes
from .placement import (
    baseline_book,
    best_recurring_start,
    book_earliest,
    place_course,
    split_cost,
    start_screen,
)
from .state import Busy, Schedule, Session, course_days_needed, precheck

ORDER = {"emergency": 0, "urgent": 1, "palliative": 2, "radical": 3}
SCALE = 10  # candidate costs are in tenths of a penalty point, so the tie-breaks stay small
# Waiting is worth more than drift (issue 16): the start-day terms (late start, waiting) are
# compared first. One of their points outweighs every other term of a course: drift, outside
# the window (both at most 35 sessions x 288 five-minute steps x SCALE), machine changes
# (35 x 100 x SCALE), holes, machine versatility, longer sessions and machine scarcity
# (35 x SCARCITY) together stay below LEX.
LEX = 1_000_000
NOT_TODAY = 10**13  # cost of leaving a patient unbooked today (beats any candidate)


@dataclass
class Candidate:
    patient: str
    machine: str
    first_day: int
    sessions: list[Session]
    cost: int
    parts: dict[str, int] = field(default_factory=dict)


@dataclass
class Bump:
    """A not-yet-started course postponed so that an urgent one could start on time."""

    patient: str  # the postponed course
    for_patient: str  # the urgent patient who took its place
    old_first: int  # open-day index of the old and the new first fraction
    new_first: int


@dataclass
class OnlineResult:
    booked: list[str] = field(default_factory=list)
    unbookable: dict[str, str] = field(default_factory=dict)
    bumps: list[Bump] = field(default_factory=list)
    status: str = ""
    candidates: int = 0
    objective: float | None = None
    hint_objective: float | None = None
    fallbacks: int = 0
    started_earlier: int = 0  # patients `start_no_later` moved to an earlier first day
    seconds: float = 0.0
    # wall-clock mode: patients booked first come, first served because the limit was reached
    after_time_limit: int = 0
    # past the deadline, steps after the choice skipped ("rest": the patients CP-SAT left
    # out, then neither booked nor listed unbookable; `start_no_later`, bumps, the last
    # fallbacks); without the last fallbacks the day may leave room unused for a patient
    # (`unscheduled-without-reason`), so `online.book_day` then keeps greedy's day
    skipped: list[str] = field(default_factory=list)


def ready_index(sched: Schedule, p: Patient, today: int) -> int:
    return max(today, sched.tl.first_open_on_or_after(p.ready_date))


def priority(sched: Schedule, p: Patient) -> tuple:
    """Who chooses first: the tightest due date, then emergencies before others, children under
    anesthesia (who need the first slot of the day) and long courses (hardest to fit)."""
    return (
        due_index(sched, p),
        ORDER[p.urgency],
        not p.anesthesia,
        -p.fractions * p.duration_min,
        p.id,
    )


def _versatility(sched: Schedule, p: Patient, machine: str) -> int:
    caps = sched.instance.capable_machines(p)
    need = min(len(sched.machines[m].techniques) for m in caps)
    return len(sched.machines[machine].techniques) - need


# Scarce machines stay free (issue 16 item 3, the Toulouse replay): on a tie, a course goes to
# the capable machine the fewest other patients can use. Units of 1/SCALE per session at the
# largest difference in pressure: two penalty points, ten minutes of drift a session, so it
# decides between layouts of equal drift and holes and gives way to a real drift.
SCARCITY = 20


class MachinePressure:
    """How much the known patients who cannot go everywhere a given patient can need each
    machine: for a patient with capable machines C and a machine m of C, the sum over known
    patients q with m among their capable machines C_q and C_q not covering C of q's course
    minutes on m / |C_q|, per open minute of m, scaled so that the scarcest machine for a
    patient who may use every machine is 1.

    Why: on the Toulouse replay 317 of 532 patients may use any of the seven LINACs and 135
    only the two NOVAs. Laid out on a NOVA because it came first among equal candidates, a
    flexible patient's 15 sessions left a later NOVA-only patient no room on its ready day
    (the optimizer waited 3-6 business days per instance where first come, first served, which
    happens to try the HALCYONs first, waited 0-2). Patients who can go wherever p can do not
    count: they are no more restricted than p. The pressure is a property of the patient mix,
    not of today's bookings: once the least scarce machines are full on a day, the start-day
    terms (LEX) send patients to the next ones."""

    def __init__(self, sched: Schedule):
        self.sched = sched
        self.demand: dict[frozenset[str], dict[str, float]] = {}
        for q in sched.instance.patients:
            caps = sched.instance.capable_machines(q)
            if not caps:
                continue
            d = self.demand.setdefault(frozenset(caps), dict.fromkeys(caps, 0.0))
            for m in caps:
                d[m] += q.fractions * q.duration(q.fractions, m) / len(caps)
        self.memo: dict[frozenset[str], dict[str, float]] = {}
        top = max(self.of(frozenset(sched.machines)).values(), default=0.0)
        self.top = top or 1.0

    def of(self, caps: frozenset[str]) -> dict[str, float]:
        """Per machine of `caps`: minutes a day wanted by patients less flexible than `caps`."""
        if caps not in self.memo:
            self.memo[caps] = {
                m: sum(d.get(m, 0.0) for s, d in self.demand.items() if not caps <= s)
                / max(1, self.sched.machines[m].close - self.sched.machines[m].open)
                for m in caps
            }
        return self.memo[caps]

    def units(self, p: Patient, machine: str) -> int:
        """Units a session of `p` on `machine` costs over one on its least scarce machine."""
        v = self.of(frozenset(self.sched.instance.capable_machines(p)))
        if machine not in v:
            return 0
        return round(SCARCITY * min(1.0, (v[machine] - min(v.values())) / self.top))


def _longer(sched: Schedule, p: Patient, sessions: list[Session]) -> int:
    if not p.duration_by_machine:
        return 0
    caps = sched.instance.capable_machines(p)
    quickest = {k: min(p.duration(k, m) for m in caps) for k in {1, 2}}
    return sum(s.end - s.start - quickest[1 if s.fraction == 1 else 2] for s in sessions)


def _scarcity(sched: Schedule, p: Patient, machine: str) -> int:
    pr = sched.pressure
    return pr.units(p, machine) if pr is not None else 0


def score(
    sched: Schedule,
    p: Patient,
    machine: str,
    sessions: list[Session],
    today: int,
    w: Weights,
    frag: int,
) -> tuple[int, dict[str, int]]:
    """Named penalties of a candidate course, in units of 1/SCALE."""
    first = sessions[0].day
    ready = ready_index(sched, p, today)
    late = max(0, first - due_index(sched, p))
    firsts: dict[int, int] = {}
    for s in sessions:
        firsts[s.day] = min(firsts.get(s.day, 1440), s.start)
    days = sorted(firsts)
    drift = sum(abs(firsts[b] - firsts[a]) for a, b in itertools.pairwise(days))
    changes = sum(1 for s in sessions if s.machine != machine)
    window = sum(outside_minutes(s.start, s.end, p.preferred_window) for s in sessions)
    parts = {
        "late_start": w.late[p.urgency] * late * SCALE,
        "waiting": w.wait * (first - ready) * SCALE,
        "machine_change": w.machine_change * changes * SCALE,
        "start_time_drift": w.drift_per_5min * (drift // 5) * SCALE,
        "outside_preferred_window": w.outside_window_per_5min * (window // 5) * SCALE,
        # tie-breaks (not penalties of the contract): holes left, versatile machine used
        "fragmentation": frag // 5 * SCALE // 2,
        "versatility": _versatility(sched, p, machine) * len(sessions),
        "scarcity": _scarcity(sched, p, machine) * len(sessions),
        # minutes a session takes beyond the patient's quickest capable machine are capacity
        # lost like a hole (Toulouse: 20 min on a TomoTherapy, 12 on a Halcyon)
        "longer_session": _longer(sched, p, sessions) // 5 * SCALE // 2,
    }
    day_terms = parts["late_start"] + parts["waiting"]
    return day_terms // SCALE * LEX + sum(parts.values()) - day_terms, parts


def _fragmentation(sched: Schedule, sessions: list[Session]) -> int:
    """Minutes of too-short holes the sessions leave next to them (see `split_cost`)."""
    total = 0
    for s in sessions:
        for a, b in sched.gaps(s.machine, s.day, s.end - s.start):
            if a <= s.start <= b:
                total += split_cost(s.start - a, b - s.start)
                break
    return total


def lay_out(
    sched: Schedule,
    p: Patient,
    machine: str,
    first_day: int,
    target: int | None,
    today: int,
    w: Weights,
) -> Candidate | None:
    """The course of `p` on `machine` from `first_day`, against the schedule as it is (nothing
    is added). `target` None: the recurring minute with the fewest lost minutes."""
    keep = target is None  # the recurring-minute layout; the others pack against neighbours
    t = (
        best_recurring_start(sched, p, machine, first_day, keep_minute=True, w=w)
        if target is None
        else target
    )
    placed = place_course(
        sched, p, machine, first_day, t, max_interrupt=0, w=w, keep_minute=keep, add=False
    )
    if placed is None:
        return None
    frag = _fragmentation(sched, placed)
    cost, parts = score(sched, p, machine, placed, today, w, frag)
    return Candidate(p.id, machine, first_day, placed, cost, parts)


def candidates_for(
    sched: Schedule,
    p: Patient,
    today: int,
    w: Weights,
    *,
    start_days: int = 2,
    max_days: int = 120,
    earliest_start: Callable[[Patient], int] | None = None,
    targets: tuple[int | None, ...] = (None, 0),
) -> list[Candidate]:
    """Candidates on the first `start_days` open days where the course fits on some machine;
    per machine one layout per start-minute target (None: the recurring minute with the fewest
    lost minutes; 0: earliest, left-packed; 1440: latest, into the end-of-day block)."""
    r = ready_index(sched, p, today) if earliest_start is None else earliest_start(p)
    caps = sched.instance.capable_machines(p)
    span = course_days_needed(p)
    out: list[Candidate] = []
    days_found = 0
    possible = start_screen(sched, p, caps)
    for d in range(r, min(sched.ndays - span + 1, r + max_days)):
        if not possible(d):
            continue  # no machine has room on some course day: every layout would fail
        found = False
        for m in caps:
            seen: set[tuple] = set()
            for target in targets:
                c = lay_out(sched, p, m, d, target, today, w)
                if c is None:
                    if target is None:
                        break  # the first session does not fit on m that day at all
                    continue
                key = tuple((s.machine, s.day, s.start) for s in c.sessions)
                if key not in seen:
                    seen.add(key)
                    out.append(c)
                    found = True
        if found:
            days_found += 1
            if days_found >= start_days:
                break
    return out


def select(
    sched: Schedule,
    pats: list[Patient],
    cands: dict[str, list[Candidate]],
    time_limit: float,
    workers: int,
    wall_clock: bool = False,
) -> tuple[dict[str, Candidate], OnlineResult]:
    """CP-SAT choice of one candidate per patient, sessions of different patients disjoint."""
    res = OnlineResult()
    byid = {p.id: p for p in pats}
    # sequential greedy in priority order: the hint, and the fallback when CP-SAT has nothing
    hint: dict[str, Candidate] = {}
    taken: dict[tuple[str, int], list[tuple[int, int]]] = defaultdict(list)

    def spans(c: Candidate) -> list[tuple[str, int, int, int]]:
        p = byid[c.patient]
        out, seen_days = [], set()
        for s in c.sessions:
            first_today = s.day not in seen_days
            seen_days.add(s.day)
            lo = sched.machines[s.machine].open if p.anesthesia and first_today else s.start
            out.append((s.machine, s.day, lo, s.end))
        return out

    for pid in sorted(cands, key=lambda q: priority(sched, byid[q])):
        for c in sorted(cands[pid], key=lambda c: c.cost):
            sp = spans(c)
            if all(
                b <= a0 or e <= s0 for m, d, s0, e in sp for a0, b in taken[(m, d)]
            ) and not _child_conflict(byid, c, hint):
                hint[pid] = c
                for m, d, s0, e in sp:
                    taken[(m, d)].append((s0, e))
                break
    model = cp_model.CpModel()
    xs: dict[tuple[str, int], cp_model.IntVar] = {}
    intervals: dict[tuple[str, int], list] = defaultdict(list)
    obj = []
    for pid, lst in cands.items():
        lits = []
        for i, c in enumerate(lst):
            v = model.new_bool_var(f"x_{pid}_{i}")
            xs[(pid, i)] = v
            lits.append(v)
            obj.append(c.cost * v)
            for m, d, s0, e in spans(c):
                intervals[(m, d)].append(
                    model.new_optional_fixed_size_interval_var(
                        s0, e - s0, v, f"i_{pid}_{i}_{d}_{s0}"
                    )
                )
            model.add_hint(v, hint.get(pid) is c)
        none = model.new_bool_var(f"none_{pid}")
        model.add_hint(none, pid not in hint)
        model.add_exactly_one([*lits, none])
        obj.append(NOT_TODAY * none)
    for ivs in intervals.values():
        if len(ivs) > 1:
            model.add_no_overlap(ivs)
    _adult_before_child(model, sched, byid, cands, xs)
    model.minimize(sum(obj))
    solver, status = run_cpsat(model, time_limit, workers, wall_clock)
    res.status = solver.status_name(status)
    res.candidates = len(xs)
    res.hint_objective = sum(c.cost for c in hint.values()) + NOT_TODAY * (len(cands) - len(hint))
    chosen: dict[str, Candidate] = {}
    if (
        status in (cp_model.OPTIMAL, cp_model.FEASIBLE)
        and solver.objective_value <= res.hint_objective
    ):
        res.objective = solver.objective_value
        for (pid, i), v in xs.items():
            if solver.value(v):
                chosen[pid] = cands[pid][i]
    else:
        chosen = hint
        res.objective = res.hint_objective
    return chosen, res


def _child_conflict(byid: dict[str, Patient], c: Candidate, chosen: dict[str, Candidate]) -> bool:
    """An adult's new session placed before a new child's first session of the same
    machine-day would break "anesthesia first"."""
    p = byid[c.patient]
    for other in chosen.values():
        q = byid[other.patient]
        if q.anesthesia == p.anesthesia:
            continue
        child, adult = (c, other) if p.anesthesia else (other, c)
        kid = {(s.machine, s.day): s.start for s in child.sessions}
        for s in adult.sessions:
            k = kid.get((s.machine, s.day))
            if k is not None and s.start < k:
                return True
    return False


def _adult_before_child(
    model: cp_model.CpModel,
    sched: Schedule,
    byid: dict[str, Patient],
    cands: dict[str, list[Candidate]],
    xs: dict[tuple[str, int], cp_model.IntVar],
) -> None:
    """Forbid a new adult session starting before a new child's session on the same
    machine-day (pairs of candidates that would break "anesthesia first")."""
    kids: dict[tuple[str, int], list[tuple[int, cp_model.IntVar]]] = defaultdict(list)
    for pid, lst in cands.items():
        if byid[pid].anesthesia:
            for i, c in enumerate(lst):
                for s in c.sessions:
                    kids[(s.machine, s.day)].append((s.start, xs[(pid, i)]))
    if not kids:
        return
    for pid, lst in cands.items():
        if byid[pid].anesthesia:
            continue
        for i, c in enumerate(lst):
            for s in c.sessions:
                for k_start, kv in kids.get((s.machine, s.day), ()):
                    if s.start < k_start:
                        model.add_bool_or([xs[(pid, i)].Not(), kv.Not()])


@contextmanager
def held_back(
    sched: Schedule, p: Patient, late_limit: Callable[[str, int], int] | None
) -> Iterator[None]:
    """Placements of a palliative or radical `p` inside this block end by `late_limit` (the
    end of the day is held for emergency and urgent patients still to come)."""
    if late_limit is None or p.urgency in URGENT:
        yield
        return
    sched.late_limit = late_limit
    try:
        yield
    finally:
        sched.late_limit = None


def book_online(
    sched: Schedule,
    pats: Sequence[Patient],
    *,
    today: int,
    weights: Weights = DEFAULT_WEIGHTS,
    time_limit: float = 2.0,
    workers: int = 1,
    bump: bool = True,
    start_days: int = 2,
    earliest_start: Callable[[Patient], int] | None = None,
    late_limit: Callable[[str, int], int] | None = None,
    wall_clock: bool = False,
    deadline: float | None = None,
) -> OnlineResult:
    """Book whole courses of `pats` (none of their fractions booked yet) into `sched`, every
    existing session fixed except not-yet-started courses that bumping may postpone.
    `late_limit`: latest end per machine-day for palliative and radical courses.
    `deadline` (a `time.perf_counter()` instant, the command's): CP-SAT stops by it, and once
    it has passed the steps after the choice are skipped (listed in `skipped`; a result with
    skipped steps is unfinished, for the caller to discard)."""
    t0 = time.perf_counter()
    pats = list(pats)
    cands: dict[str, list[Candidate]] = {}
    unbookable: dict[str, str] = {}
    for p in pats:
        reason = precheck(sched.instance, p, sched.tl)
        if reason:
            unbookable[p.id] = reason
            continue
        targets = _acute_targets(p, late_limit)
        with held_back(sched, p, late_limit):
            lst = candidates_for(
                sched,
                p,
                today,
                weights,
                start_days=start_days,
                earliest_start=earliest_start,
                targets=targets,
            )
        if lst:
            cands[p.id] = lst
        else:
            unbookable[p.id] = (
                "no free slot for the whole course on a capable machine within the horizon"
            )
    budget = time_limit
    if wall_clock:
        # `time_limit` bounds the whole booking: what laying out the candidates took, and
        # about as much again for the re-layouts, bumps and fallbacks after the choice
        budget = max(0.1, time_limit - 2 * (time.perf_counter() - t0))
    if deadline is not None:
        budget = max(0.1, min(budget, deadline - time.perf_counter()))
    chosen, res = select(sched, pats, cands, budget, workers, wall_clock)
    res.unbookable.update(unbookable)
    byid = {p.id: p for p in pats}
    for pid, c in chosen.items():
        for s in c.sessions:
            sched.add(Session(s.patient, s.fraction, s.machine, s.day, s.start, s.end))
        res.booked.append(pid)
    # wall-clock mode: past the limit, the patients CP-SAT left out are booked greedily and the
    # earlier-start pass is skipped. On a 400-patient outside case CP-SAT chose nobody in its
    # budget and laying out the 310 others again took as long as the whole limit (34-40 s for
    # a 26 s budget); the caller then kept greedy's day anyway.
    # past `deadline` (the command's, later than `last`), every step left is skipped instead
    # and the day is unfinished, for the caller to discard
    hard = deadline if deadline is not None else float("inf")
    last = min(t0 + time_limit if wall_clock else float("inf"), hard)
    # candidates of patients CP-SAT left out were computed against the old schedule: try again
    for pid in sorted(
        (q for q in cands if q not in chosen), key=lambda q: priority(sched, byid[q])
    ):
        p = byid[pid]
        if time.perf_counter() > hard:
            # the last fallbacks will be skipped too, so the caller discards this day
            # (`online.book_day` keeps greedy's): booking the rest would be time thrown away
            res.skipped = ["rest", "start_no_later", "bumps", "fallbacks"]
            res.seconds = time.perf_counter() - t0
            return res
        if time.perf_counter() > last:
            with held_back(sched, p, late_limit):
                failed = baseline_book(sched, [p], today=today)
            if failed:
                res.unbookable.update(failed)
            else:
                res.booked.append(pid)
                res.after_time_limit += 1
            continue
        with held_back(sched, p, late_limit):
            lst = candidates_for(
                sched, p, today, weights, start_days=1, earliest_start=earliest_start
            )
        if lst:
            best = min(lst, key=lambda c: c.cost)
            for s in best.sessions:
                sched.add(s)
            res.booked.append(pid)
            res.fallbacks += 1
        else:
            res.unbookable[pid] = (
                "no free slot for the whole course on a capable machine within the horizon"
            )
    if time.perf_counter() <= last:
        res.started_earlier = start_no_later(
            sched, byid, res.booked, today, weights, earliest_start, late_limit, last
        )
    elif time.perf_counter() > hard:
        res.skipped.append("start_no_later")
    if bump and time.perf_counter() > hard:
        res.skipped.append("bumps")  # greedy's day, the one then kept, bumps nobody either
    elif bump:
        for pid in sorted(res.booked, key=lambda q: priority(sched, byid[q])):
            p = byid[pid]
            if p.urgency in URGENT and sched.sessions[pid][1].day > due_index(sched, p):
                if time.perf_counter() > hard:
                    res.skipped.append("bumps")  # the others': the day will be discarded
                    break
                res.bumps.extend(bump_for(sched, p, today, weights, late_limit=late_limit))
    if time.perf_counter() > hard:
        res.skipped.append("fallbacks")
        res.seconds = time.perf_counter() - t0
        return res
    # Last resort, so no patient waits while the schedule has room for the course (the rule
    # `unscheduled-without-reason` of `check`): candidates never interrupt a course, the greedy
    # baseline may skip up to 5 days; do the same for anyone still without a course.
    structural = unbookable_structural(sched, byid)
    for pid in sorted(
        (q for q in res.unbookable if q not in structural), key=lambda q: priority(sched, byid[q])
    ):
        p = byid[pid]
        placed, reason = fallback_course(sched, p, today, late_limit)
        if placed:
            res.unbookable.pop(pid)
            res.booked.append(pid)
            res.fallbacks += 1
        else:
            res.unbookable[pid] = reason
    res.seconds = time.perf_counter() - t0
    return res


def _acute_targets(p: Patient, late_limit: Callable[[str, int], int] | None) -> tuple:
    """Start-minute targets of `p`'s layouts: emergency and urgent patients also get one at
    the end of the day, inside the block held for them, so they use it before the capacity
    others can use."""
    return (None, 0, 1440) if late_limit and p.urgency in URGENT else (None, 0)


def start_no_later(
    sched: Schedule,
    byid: dict[str, Patient],
    ids: Sequence[str],
    today: int,
    w: Weights,
    earliest_start: Callable[[Patient], int] | None = None,
    late_limit: Callable[[str, int], int] | None = None,
    deadline: float = float("inf"),
) -> int:
    """Waiting is worth more than drift (issue 16, item 3), made true of the booked result.

    CP-SAT chooses among a few layouts per patient (two or three start minutes per machine and
    start day), all computed against the schedule before today's patients. When those collide
    it can only start a patient on its second start day, although *another* minute on the
    first day is still free once everyone is placed: on the Toulouse replay that cost 13-40
    patients a day each, where first come, first served started them on the ready day. So each
    patient booked later than its earliest start is, in priority order, laid out again against
    everyone else (under the same held capacity) and moved when that starts it earlier. The
    patient's own preference may still keep the later start: a move that puts more minutes
    outside its preferred window is not made. A move frees later days, which may let a patient
    already looked at start earlier, so the passes repeat until nobody moves (each move starts a
    course strictly earlier, so this ends). Past `deadline` (`time.perf_counter()`) it stops
    between two patients: every move kept is complete. Returns how many moves were made."""
    moved, again = 0, True
    while again:
        again = False
        for pid in sorted(ids, key=lambda q: priority(sched, byid[q])):
            if time.perf_counter() > deadline:
                return moved
            if _start_earlier(sched, byid[pid], today, w, earliest_start, late_limit):
                moved, again = moved + 1, True
    return moved


def _start_earlier(
    sched: Schedule,
    p: Patient,
    today: int,
    w: Weights,
    earliest_start: Callable[[Patient], int] | None,
    late_limit: Callable[[str, int], int] | None,
) -> bool:
    """Lay `p`'s booked course out again from its earliest start; keep the new layout only if
    it starts earlier (and puts no more minutes outside `p`'s preferred window)."""
    first = _first_day(sched, p.id)
    r = ready_index(sched, p, today) if earliest_start is None else earliest_start(p)
    if first <= r:
        return False
    old = sched.remove_patient(p.id)
    with held_back(sched, p, late_limit):
        lst = candidates_for(
            sched,
            p,
            today,
            w,
            start_days=1,
            earliest_start=earliest_start,
            targets=_acute_targets(p, late_limit),
        )
    best = min(lst, key=lambda c: c.cost) if lst else None
    if best is not None and best.first_day < first and p.preferred_window:
        window_old = sum(outside_minutes(s.start, s.end, p.preferred_window) for s in old)
        window_new = sum(outside_minutes(s.start, s.end, p.preferred_window) for s in best.sessions)
        if window_new > window_old:
            best = None  # the patient's own preference: the later start stays
    earlier = best is not None and best.first_day < first
    for s in best.sessions if best is not None and earlier else old:
        sched.add(s)
    return earlier


def polish(
    sched: Schedule,
    pats: Sequence[Patient],
    today: int,
    w: Weights,
    late_limit: Callable[[str, int], int] | None = None,
) -> int:
    """Lay each booked course of `pats` out again on its own first day, against everyone else,
    and keep the cheaper layout by `score` (drift, preferred window, machine changes, then the
    tie-breaks): the greedy incumbent of `online.book_day` places every session at its earliest
    minute, so its courses drift (rt6c: greedy was kept on half the days, and its courses were
    most of the online drift). The first day does not change, so nobody starts later; each
    course is laid out against the others as they are, so nobody else moves; and a new layout
    leaves no more short holes than the old one. In priority order, one pass. Returns how many
    courses changed."""
    moved = 0
    for p in sorted(pats, key=lambda q: priority(sched, q)):
        frs = sched.sessions.get(p.id)
        if not frs or len(frs) < p.fractions:
            continue
        old = sched.remove_patient(p.id)
        first = min(s.day for s in old)
        main = max(
            sched.instance.capable_machines(p), key=lambda m: sum(s.machine == m for s in old)
        )
        old_frag = _fragmentation(sched, old)
        old_cost, _ = score(sched, p, main, old, today, w, old_frag)
        best = None
        with held_back(sched, p, late_limit):
            for m in sched.instance.capable_machines(p):
                for target in _acute_targets(p, late_limit):
                    c = lay_out(sched, p, m, first, target, today, w)
                    if (
                        c is not None
                        and c.sessions[0].day == first
                        and (best is None or c.cost < best.cost)
                        # no more short holes than before: holes left today are capacity
                        # the next days' patients miss (rt6c seed 1, 8+8 weeks: polishing
                        # by the score alone cut drift to 14 min but raised the mean wait
                        # from 0.26 to 0.73 open days and lowered utilisation 1.7 points)
                        and _fragmentation(sched, c.sessions) <= old_frag
                    ):
                        best = c
        keep_new = best is not None and best.cost < old_cost
        for s in best.sessions if best is not None and keep_new else old:
            sched.add(s)
        moved += keep_new
    return moved


def unbookable_structural(sched: Schedule, byid: dict[str, Patient]) -> set[str]:
    """Patients the instance itself rules out (no capable machine, beyond the horizon...)."""
    return {q for q, p in byid.items() if precheck(sched.instance, p, sched.tl)}


NO_ROOM = "no free slot for the whole course on a capable machine within the horizon"


def fallback_course(
    sched: Schedule,
    p: Patient,
    today: int,
    late_limit: Callable[[str, int], int] | None = None,
) -> tuple[bool, str]:
    """Book `p`'s whole course first-come-first-served from its ready day (earliest slots, no
    interruption, else up to 5 skipped days), honouring the capacity held for others (the
    children's morning block, the acute end-of-day gaps). Returns (booked, reason if not). When
    the course would fit only inside held capacity, the reason says so: a valid reason to wait
    for the hold's release."""
    d0 = ready_index(sched, p, today)
    with held_back(sched, p, late_limit):
        for gap in (0, 5):
            if book_earliest(sched, p, d0, max_interrupt=gap):
                return True, ""
    if sched.morning_hold is None and (late_limit is None or p.urgency in URGENT):
        return False, NO_ROOM
    hold, sched.morning_hold = sched.morning_hold, None
    try:
        snap = sched.snapshot()
        fits = any(book_earliest(sched, p, d0, max_interrupt=gap) for gap in (0, 5))
        sched.restore(snap)
    finally:
        sched.morning_hold = hold
    if fits:
        return False, (
            "the course fits only in capacity held for children under anesthesia or acute "
            "patients; booked when the hold is released"
        )
    return False, NO_ROOM


def _first_day(sched: Schedule, pid: str) -> int:
    return sched.sessions[pid][min(sched.sessions[pid])].day


def bump_for(
    sched: Schedule,
    p: Patient,
    today: int,
    w: Weights,
    max_victims: int = 2,
    max_tries: int = 40,
    late_limit: Callable[[str, int], int] | None = None,
) -> list[Bump]:
    """Postpone not-yet-started palliative/radical courses, fewest first, so that urgent `p`
    starts by its due date; each postponed course must still start by its own due date.
    Returns the bumps made ([] and nothing changed when it does not work)."""
    due = due_index(sched, p)
    ready = ready_index(sched, p, today)
    caps = set(sched.instance.capable_machines(p))
    # victims: courses starting after today, on a capable machine, on a day p could start,
    # with slack to their own due date; the most slack first
    seen: set[str] = set()
    victims = []
    for d in range(ready, due + 1):
        for m in caps:
            for b in sched.busy.get((m, d), ()):
                if not b.patient or b.patient in seen or b.patient == p.id:
                    continue
                seen.add(b.patient)
                vp = sched.patients[b.patient]
                if vp.urgency in URGENT or vp.booked:
                    continue
                first = _first_day(sched, vp.id)
                if first <= today or first < ready:
                    continue
                slack = due_index(sched, vp) - first
                if slack > 0:
                    victims.append((-slack, first, vp.id))
    victims.sort()
    victims = victims[:max_tries]
    old_p = sched.remove_patient(p.id)
    for n in range(1, max_victims + 1):
        ids = [v[-1] for v in victims]
        for combo in itertools.islice(itertools.combinations(ids, n), max_tries):
            removed = {q: sched.remove_patient(q) for q in combo}
            got = _earliest_by(sched, p, ready, due, w, today)
            if got is not None:
                for s in got.sessions:
                    sched.add(s)
                ok, bumps = True, []
                for q in combo:
                    qp = sched.patients[q]
                    old_first = removed[q][0].day
                    with held_back(sched, qp, late_limit):
                        again = _earliest_by(
                            sched, qp, max(today + 1, old_first), due_index(sched, qp), w, today
                        )
                    if again is None:
                        ok = False
                        break
                    for s in again.sessions:
                        sched.add(s)
                    bumps.append(Bump(q, p.id, old_first, again.first_day))
                if ok:
                    return bumps
                for q in combo:  # undo: the victims' new bookings and p's
                    sched.remove_patient(q)
                sched.remove_patient(p.id)
            for ss in removed.values():
                for s in ss:
                    sched.add(s)
    for s in old_p:
        sched.add(s)
    return []


def _earliest_by(
    sched: Schedule, p: Patient, lo: int, hi: int, w: Weights, today: int
) -> Candidate | None:
    """The cheapest candidate of `p` starting on the first day in [lo, hi] where it fits."""
    caps = sched.instance.capable_machines(p)
    possible = start_screen(sched, p, caps)
    for d in range(lo, hi + 1):
        if not possible(d):
            continue
        best = None
        for m in caps:
            for target in (None, 0):
                c = lay_out(sched, p, m, d, target, today, w)
                if c is not None and (best is None or c.cost < best.cost):
                    best = c
        if best is not None:
            return best
    return None


# ----------------------------------------------------------------------------- emergencies


@dataclass
class EmergencyFirst:
    """What `book_emergencies_first` did: who it booked (and how), the courses it postponed,
    the adults' sessions it slid later within their day to open a child's morning slot, and
    the emergencies none of the steps run put on time (left to the normal booking)."""

    booked: list[str] = field(default_factory=list)
    how: dict[str, str] = field(default_factory=dict)
    bumps: list[Bump] = field(default_factory=list)
    shifted: list[tuple[Session, Session]] = field(default_factory=list)  # (old, new)
    not_on_time: list[str] = field(default_factory=list)


#: `book_emergencies_first(block=...)`: `block(sched, p, held)` is a context in which the
#: children's morning block is kept from `p` (`held` True) or released for `p` (False); it
#: yields whether anything is held for `p` at all (False: releasing it changes nothing). The
#: online booking holds the block with `Schedule.morning_hold` (`morning_block`), the static
#: solve with the instance's anesthesia `holds` (`holds.anesthesia_block`).
ChildrenBlock = Callable[[Schedule, Patient, bool], AbstractContextManager[bool]]


@contextmanager
def morning_block(sched: Schedule, p: Patient, held: bool) -> Iterator[bool]:
    """`ChildrenBlock` of the online booking: `Schedule.morning_hold` as set (it keeps only
    adults out), or unset for the duration."""
    hold = sched.morning_hold
    if held or hold is None:
        yield hold is not None and not p.anesthesia
        return
    sched.morning_hold = None
    try:
        yield True
    finally:
        sched.morning_hold = hold


def on_time_course(
    sched: Schedule,
    p: Patient,
    today: int,
    w: Weights = DEFAULT_WEIGHTS,
    block: ChildrenBlock = morning_block,
) -> tuple[Candidate | None, str]:
    """Steps 1 and 2 of `book_emergencies_first` for emergency `p`, nothing added: the
    cheapest whole course on the first day in [ready, due] where it fits with the children's
    block kept from `p` ("earliest"); else, for an adult, the same with the block released
    ("in the children's block"). (None, "") when neither starts it by its due date."""
    ready = ready_index(sched, p, today)
    due = max(ready, due_index(sched, p))
    with block(sched, p, True):
        got = _earliest_by(sched, p, ready, due, w, today)
    if got is not None:
        return got, "earliest"
    if not p.anesthesia:
        with block(sched, p, False) as released:
            got = _earliest_by(sched, p, ready, due, w, today) if released else None
        if got is not None:
            return got, "in the children's block"
    return None, ""


def book_emergencies_first(
    sched: Schedule,
    pats: Sequence[Patient],
    today: int,
    w: Weights = DEFAULT_WEIGHTS,
    late_limit: Callable[[str, int], int] | None = None,
    *,
    make_room: bool = True,
    block: ChildrenBlock = morning_block,
) -> EmergencyFirst:
    """Book today's emergency patients, tightest first, before anyone else and without CP-SAT,
    so that whether an emergency starts on time never depends on the wall clock (rt6c: one or
    two late emergencies per run, varying between runs of the same seed). Each one, on the first
    day in [ready, due] where it works:

    1. the cheapest whole course (`_earliest_by`), honouring the children's morning block;
    2. an adult: the same, inside the children's morning block (a real emergency before a
       child who may come);
    3. postponing up to two not-yet-started palliative or radical courses (`bump_for`);
    4. a child under anesthesia: its session first on each treatment day, sliding the adults'
       sessions of that machine-day later within the day where the morning has no gap (the
       children already in treatment fill the mornings; an adult's session an hour later the
       same day costs less than an emergency child starting days late).

    Steps 1-2 are `on_time_course`. `make_room` False runs them alone: steps 3 and 4 move
    other patients' booked sessions, which a caller that cannot tell those patients must not
    do (the web application, `holds.solve_with_holds`). `block`: how the children's block is
    held (`ChildrenBlock`). Emergencies the steps run do not put on time are listed in
    `not_on_time` and left to the day's normal booking (not booked here), which starts them as
    early as it can."""
    res = EmergencyFirst()
    todo = [q for q in pats if q.urgency == "emergency" and not sched.sessions.get(q.id)]
    for p in sorted(todo, key=lambda q: priority(sched, q)):
        if precheck(sched.instance, p, sched.tl):
            continue
        got, how = on_time_course(sched, p, today, w, block)
        if got is not None:
            for s in got.sessions:
                sched.add(s)
        elif make_room:
            ready = ready_index(sched, p, today)
            due = max(ready, due_index(sched, p))
            bumps = bump_for(sched, p, today, w, late_limit=late_limit)
            how = "bumped"
            if bumps:
                res.bumps.extend(bumps)
            elif p.anesthesia:
                how = "adults slid later"
                # not today: today's appointments may already be under way
                for d in range(max(ready, today + 1), due + 1):
                    moved = _child_course_making_room(sched, p, d)
                    if moved is not None:
                        res.shifted.extend(moved)
                        break
        if sched.sessions.get(p.id):
            res.booked.append(p.id)
            res.how[p.id] = how
        else:
            res.not_on_time.append(p.id)
    return res


#: `_open_morning`: at most this many sessions of a machine-day slide later for one child
MAX_SLIDE = 8


def _open_morning(
    sched: Schedule, machine: str, day: int, dur: int
) -> list[tuple[Session, Session]] | None:
    """Slide the sessions that follow the children on `machine` that day later, each as little
    as needed and in order, so that `dur` free minutes open right after the children. Not
    twice-daily sessions (their 6-hour gap), not across a downtime, not past closing time, at
    most MAX_SLIDE sessions. Applied; returns [(old, new)], or None (nothing changed)."""
    m = sched.machines[machine]
    items = sched.busy.get((machine, day), [])
    lo = max((b.end for b in items if b.anesthesia_first), default=m.open)
    need_end = lo + dur
    slides: list[tuple[Busy, int]] = []
    for b in items:
        if b.anesthesia_first or b.end <= lo:
            continue
        if b.start >= need_end:
            break
        if not b.patient or sched.patients[b.patient].pattern == "bid":
            return None
        slides.append((b, need_end))
        need_end += b.end - b.start
    if need_end > m.close or len(slides) > MAX_SLIDE or not slides:
        return None
    olds = [sched.remove(b.patient, b.fraction) for b, _ in slides]
    out = []
    for old, (b, st) in zip(olds, slides, strict=True):
        new = Session(old.patient, old.fraction, machine, day, st, st + (b.end - b.start))
        sched.add(new)
        out.append((old, new))
    return out


def _child_course_making_room(
    sched: Schedule, p: Patient, first_day: int
) -> list[tuple[Session, Session]] | None:
    """Child `p`'s whole course from `first_day` (no interruption), each session first on its
    machine-day, its previous machine first; where no machine has a morning gap, the adults of
    one machine slide later (`_open_morning`). Applied; returns the slides, or None (nothing
    changed). Twice-daily courses are not handled."""
    if p.pattern == "bid":
        return None
    caps = sched.instance.capable_machines(p)
    step = 2 if p.pattern == "alternate" else 1
    snap = sched.snapshot()
    slid: list[tuple[Session, Session]] = []
    day, prev = first_day, None
    for k in range(1, p.fractions + 1):
        order = [prev, *[c for c in caps if c != prev]] if prev else list(caps)
        got = None
        if day < sched.ndays:
            for m in order:
                s = sched.nearest(m, day, p.duration(k, m), 0, True)
                if s is not None:
                    got = Session(p.id, k, m, day, s, s + p.duration(k, m))
                    break
            for m in order if got is None else ():
                moved = _open_morning(sched, m, day, p.duration(k, m))
                if moved is not None:
                    slid.extend(moved)
                    s = sched.nearest(m, day, p.duration(k, m), 0, True)
                    assert s is not None
                    got = Session(p.id, k, m, day, s, s + p.duration(k, m))
                    break
        if got is None:
            sched.restore(snap)
            return None
        sched.add(got)
        prev, day = got.machine, day + step
    return slid
