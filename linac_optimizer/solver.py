"""`solve()`: instance in, solution out (the `linac-schedule solve` command).

The static solve is an anytime search that starts from the greedy first-come-first-served
schedule (`placement.baseline_book`, exactly what `--method greedy` returns) as the incumbent.
Every other method (the exact model when the instance is small, the whole-course candidates
chosen by CP-SAT, the decomposition, then large-neighbourhood repairs until the time limit)
only replaces the incumbent when it is better on the *named objective*: first the number of
patients left unscheduled, then the sum of the contract's named penalties (`objective.py`).
So the result is never worse than greedy, and beyond the exact model's size it is still a
complete schedule whenever greedy finds one.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from typing import Any

from .check import explain, metrics
from .decomposed import book_patients, continue_course
from .exact import solve_exact
from .model import Instance, Patient, Solution
from .named import UNSCHEDULED_PENALTY, Objective, named_objective, patient_penalty
from .objective import DEFAULT_WEIGHTS
from .placement import baseline_book
from .state import Schedule, precheck

EXACT_MAX_FRACTIONS = 60  # above this the monolithic model is slower than it is worth
METHODS = ("auto", "exact", "decomposed", "candidates", "greedy")


def lower_bound(sched: Schedule, pats: list[Patient]) -> int:
    """A valid lower bound of the named penalty of `pats` given the fixed schedule: each
    patient alone, its first session on the first open day with a gap long enough on a capable
    machine (other new patients can only delay it; every other penalty is >= 0); a patient the
    instance rules out (`precheck`) counts as unscheduled."""
    from .decomposed import due_index

    w = DEFAULT_WEIGHTS
    lb = 0
    for p in pats:
        if precheck(sched.instance, p, sched.tl):
            # unscheduled in every solution: leaving it out made the gap ~100% on any
            # instance with one course the instance itself rules out (an outside case)
            lb += UNSCHEDULED_PENALTY
            continue
        ready = sched.tl.first_open_on_or_after(p.ready_date)
        caps = sched.instance.capable_machines(p)
        day = next(
            (
                d
                for d in range(ready, sched.ndays)
                if any(sched.gaps(m, d, p.duration(1, m), p.anesthesia) for m in caps)
            ),
            None,
        )
        if day is None:
            lb += UNSCHEDULED_PENALTY
            continue
        lb += w.wait * (day - ready) + w.late[p.urgency] * max(0, day - due_index(sched, p))
    return lb


def solve(
    instance: Instance,
    *,
    time_limit: float = 10.0,
    method: str = "auto",
    workers: int = 2,
    seed: int = 0,
) -> Solution:
    """Schedule every patient of `instance`, keeping its `booked` appointments.

    method: "greedy" (the FCFS baseline), "exact" (one CP-SAT model with all sessions),
    "decomposed" (start day and machine by CP-SAT, then times), "candidates" (whole-course
    layouts chosen by CP-SAT), or "auto": greedy as incumbent, then every method that fits the
    size, then repairs until `time_limit`; the best on the named objective is returned.
    Any method other than greedy still starts from the greedy incumbent and returns it when it
    finds nothing better.
    """
    if method not in METHODS:
        raise ValueError(f"method: must be one of {', '.join(METHODS)}, got {method!r}")
    t0 = time.perf_counter()
    # the search stops early enough for the metrics, the bound and the explanations
    deadline = t0 + 0.9 * time_limit - 0.5
    sched = Schedule(instance)
    problems = sched.load_booked()
    new = [p for p in instance.patients if not p.booked]
    # courses under way: missing and remaining fractions (a no-op for a complete course)
    started = [p for p in instance.patients if p.booked]
    for p in started:
        reason = continue_course(sched, p)
        if reason:
            sched.unscheduled[p.id] = reason
    pids = [p.id for p in new]
    base = sched.snapshot()
    lb = lower_bound(sched, new)

    # the incumbent: greedy first come, first served
    sched.unscheduled.update(baseline_book(sched, new))
    best_obj = named_objective(sched, pids)
    best = sched.snapshot()
    greedy_obj = best_obj
    tried: list[dict[str, Any]] = [{"method": "greedy", **best_obj.to_json()}]
    info: dict[str, Any] = {"method": "greedy"}

    def left() -> float:
        return deadline - time.perf_counter()

    def attempt(name: str, run: Any) -> None:
        nonlocal best, best_obj
        sched.restore(base)
        t1 = time.perf_counter()
        extra = run() or {}
        extra["seconds"] = round(time.perf_counter() - t1, 2)
        # a patient a method could not place is unscheduled, with that method's reason
        obj = named_objective(sched, pids)
        tried.append({"method": name, **obj.to_json(), **extra})
        if obj.improves(best_obj, greedy_obj):
            best, best_obj = sched.snapshot(), obj
            info["method"] = name
        sched.restore(best)

    small = sum(p.fractions for p in new) <= EXACT_MAX_FRACTIONS
    if method == "exact" or (method == "auto" and small):

        def run_exact() -> dict[str, Any]:
            hint = {pid: dict(s) for pid, s in best[1].items() if pid in set(pids)}
            unsched, xinfo = solve_exact(
                instance, sched, new, max(0.5, left()), workers=workers, hint=hint
            )
            sched.unscheduled.update(unsched)
            if "bound" in xinfo:
                # the model weighs drift per minute and the rest x5: back to penalty points
                info["exact_bound"] = round(xinfo["bound"] / 5, 1)
                info["exact_status"] = xinfo["status"]
            return {"status": xinfo["status"]}

        attempt("exact", run_exact)
    if method in ("candidates", "auto") and new and left() > 0:

        def run_candidates() -> dict[str, Any]:
            return _candidates_by_day(sched, new, deadline, workers)

        attempt("candidates", run_candidates)
    if new and left() > 0 and (method == "decomposed" or (method == "auto" and not small)):

        def run_decomposed() -> dict[str, Any]:
            res = book_patients(
                sched,
                new,
                time_limit=max(0.2, min(left() / 3, 10.0)),
                workers=workers,
                wall_clock=True,
            )
            sched.unscheduled.update(res.unbookable)
            return {"status": res.stage1_status, "fallbacks": res.fallbacks}

        attempt("decomposed", run_decomposed)
    if method == "auto" and new and left() > 0 and best_obj.scalar() > lb:
        sched.restore(best)
        polished, moved = _polish(sched, new, pids, deadline)
        if moved:
            best_obj, best = polished, sched.snapshot()
            tried.append({"method": "polish", **best_obj.to_json(), "moved": moved})
            info["method"] += " + polish"
    if method == "auto" and len(new) > 1 and best_obj.scalar() > lb:
        improved = _repair(sched, new, pids, deadline, seed, best_obj, greedy_obj, best, lb)
        if improved is not None:
            best_obj, best, rounds = improved
            tried.append({"method": "repair", **best_obj.to_json(), "rounds": rounds})
            info["method"] += " + repair"
    sched.restore(best)
    filled = fill_unscheduled(sched, new)
    if filled:
        best_obj = named_objective(sched, pids)
        tried.append({"method": "fill", **best_obj.to_json(), "booked": filled})
        info["method"] += " + fill"

    info["tried"] = tried
    info["objective"] = best_obj.to_json()
    info["greedy_objective"] = greedy_obj.to_json()
    info["bound"] = lb
    total = best_obj.scalar()
    info["gap"] = round((total - lb) / total, 4) if total > 0 else 0.0
    info["workers"] = workers
    info["time_limit"] = time_limit
    sol = sched.to_solution()
    sol.metrics = metrics(instance, sol, sched.tl)
    sol.metrics["solve_seconds"] = round(time.perf_counter() - t0, 3)
    sol.metrics["solver"] = info
    if problems:
        sol.metrics["booked_problems"] = problems
    sol.extra["penalties"] = explain(instance, sol)
    return sol


def fill_unscheduled(sched: Schedule, new: list[Patient]) -> int:
    """Book, first come first served, every new patient left unscheduled whose whole course
    now fits (what `check`'s rule `unscheduled-without-reason` tries). A reason given by one
    state goes stale when polish or repair moves courses: on a 400-patient outside case they
    freed room for a course greedy could not place, and the answer failed `check`. Booking
    one more patient only improves the named objective. Returns how many were booked."""
    booked = 0
    for p in new:
        stale = p.id in sched.unscheduled and not sched.sessions.get(p.id)
        if stale and not baseline_book(sched, [p]):
            del sched.unscheduled[p.id]
            booked += 1
    return booked


def _candidates_by_day(
    sched: Schedule, new: list[Patient], deadline: float, workers: int
) -> dict[str, Any]:
    """Whole-course candidates chosen by CP-SAT (`candidates.book_online`), one batch per ready
    day in date order, the way the department books every morning: a batch of a day's
    patients is small enough for the selection to be solved well, and the whole run stays
    inside the time limit. When time runs out, the patients left are booked greedily, so the
    result is always complete."""
    from .candidates import book_online

    batches: dict[Any, list[Patient]] = {}
    for p in sorted(new, key=lambda q: (q.ready_date, q.id)):
        batches.setdefault(p.ready_date, []).append(p)
    statuses: dict[str, int] = {}
    fallbacks = greedy_left = 0
    order = list(batches.values())
    for i, group in enumerate(order):
        budget = (deadline - time.perf_counter()) / (len(order) - i) / 2
        if budget < 0.05:
            left = [p for g in order[i:] for p in g]
            sched.unscheduled.update(baseline_book(sched, left))
            greedy_left = len(left)
            break
        res = book_online(
            sched,
            group,
            today=0,
            time_limit=min(budget, 5.0),
            workers=workers,
            wall_clock=True,
        )
        sched.unscheduled.update(res.unbookable)
        statuses[res.status] = statuses.get(res.status, 0) + 1
        fallbacks += res.fallbacks
    return {
        "batches": len(order),
        "status": statuses,
        "fallbacks": fallbacks,
        "greedy_after_time_limit": greedy_left,
    }


def _polish(
    sched: Schedule, new: list[Patient], pids: list[str], deadline: float
) -> tuple[Objective, int]:
    """Coordinate descent on the incumbent: each new patient in turn (priority order) is laid
    out again against everyone else's sessions, its course moved to the layout with the lowest
    named penalty that does not start later. Only that patient's penalty changes, so the total
    never rises; waiting never rises either."""
    from .candidates import candidates_for, priority
    from .objective import DEFAULT_WEIGHTS

    moved = 0
    for p in sorted(new, key=lambda q: priority(sched, q)):
        if time.perf_counter() > deadline - 0.3:
            break
        cur = patient_penalty(sched, p.id)
        if cur is None or cur[0] == 0:
            continue
        old = sched.remove_patient(p.id)
        ready = sched.tl.first_open_on_or_after(p.ready_date)
        first = old[0].day
        lst = candidates_for(
            sched,
            p,
            0,
            DEFAULT_WEIGHTS,
            start_days=1,
            max_days=first - ready + 1,
            earliest_start=_constant(ready),
        )
        best, best_pen = None, cur
        for c in lst:
            if c.first_day > first:
                continue
            for ses in c.sessions:
                sched.add(ses)
            pen = patient_penalty(sched, p.id)
            sched.remove_patient(p.id)
            if pen is not None and (pen[0], pen[1]) < best_pen and pen[1] <= cur[1]:
                best, best_pen = c, pen
        for ses in best.sessions if best else old:
            sched.add(ses)
        moved += best is not None
    return named_objective(sched, pids), moved


def _repair(
    sched: Schedule,
    new: list[Patient],
    pids: list[str],
    deadline: float,
    seed: int,
    best_obj: Objective,
    greedy_obj: Objective,
    start: Any,
    lb: int,
    patience: int = 40,
) -> tuple[Objective, Any, int] | None:
    """Large-neighbourhood search on the incumbent until `deadline`: take out a few of the
    worst-off new patients and some of their neighbours on the same machine-days, lay them out
    again (CP-SAT choice over whole-course candidates, a random order of the greedy otherwise)
    and keep the result only when the named objective improves. Stops at the deadline, at the
    lower bound, or after `patience` rounds in a row without an improvement."""
    from .candidates import book_online

    rng = random.Random(seed)
    byid = {p.id: p for p in new}
    improved = False
    cur = start
    rounds = last = 0
    while (
        time.perf_counter() < deadline - 0.3 and rounds - last < patience and best_obj.scalar() > lb
    ):
        rounds += 1
        sched.restore(cur)
        pen = {pid: patient_penalty(sched, pid) for pid in pids}
        cost = {q: UNSCHEDULED_PENALTY if v is None else v[0] for q, v in pen.items()}
        worst = sorted(pids, key=lambda q: -cost[q])[: max(1, min(8, len(pids) // 10 or 1))]
        seeds = rng.sample(worst, k=min(len(worst), rng.randint(1, 3)))
        chosen = set(seeds)
        for pid in seeds:  # neighbours: new patients on the machine-days of its first week
            days = {(s.machine, s.day) for s in list(sched.sessions.get(pid, {}).values())[:5]}
            near = {
                b.patient
                for key in days
                for b in sched.busy.get(key, ())
                if b.patient in byid and b.patient != pid
            }
            chosen.update(rng.sample(sorted(near), k=min(len(near), rng.randint(2, 8))))
        if len(chosen) < 2:
            chosen.update(rng.sample(pids, k=min(len(pids), 4)))
        for pid in chosen:
            sched.remove_patient(pid)
            sched.unscheduled.pop(pid, None)
        group = [byid[q] for q in chosen]
        budget = min(2.0, deadline - time.perf_counter() - 0.2)
        if budget <= 0.05:
            break
        if rounds % 2:
            res = book_online(
                sched, group, today=0, time_limit=budget, workers=1, bump=False, wall_clock=True
            )
            sched.unscheduled.update(res.unbookable)
        else:
            rng.shuffle(group)
            sched.unscheduled.update(baseline_book(sched, group))
        obj = named_objective(sched, pids)
        if obj.improves(best_obj, greedy_obj):
            best_obj, cur = obj, sched.snapshot()
            improved, last = True, rounds
    sched.restore(cur)
    return (best_obj, cur, rounds) if improved else None


def _constant(day: int) -> Callable[[Patient], int]:
    return lambda _p: day
