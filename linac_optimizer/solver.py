"""`solve()`: instance in, solution out (the `linac-schedule solve` command)."""

from __future__ import annotations

import time

from .check import explain, metrics
from .decomposed import book_patients, continue_course
from .exact import solve_exact
from .model import Instance, Solution
from .placement import baseline_book
from .state import Schedule

EXACT_MAX_FRACTIONS = 60  # above this the monolithic model is slower than it is worth


def solve(
    instance: Instance, *, time_limit: float = 10.0, method: str = "auto", workers: int = 1
) -> Solution:
    """Schedule every patient of `instance`, keeping its `booked` appointments.

    method: "exact" (one CP-SAT model with all sessions), "decomposed" (start day and machine
    by CP-SAT, then times), "greedy" (the FCFS baseline), or "auto" (exact when small).
    """
    t0 = time.perf_counter()
    sched = Schedule(instance)
    problems = sched.load_booked()
    new = [p for p in instance.patients if not p.booked]
    started = [p for p in instance.patients if p.booked and len(p.booked) < p.fractions]
    for p in started:
        reason = continue_course(sched, p)
        if reason:
            sched.unscheduled[p.id] = reason
    if method == "auto":
        small = sum(p.fractions for p in new) <= EXACT_MAX_FRACTIONS
        method = "exact" if small else "decomposed"
    info: dict = {"method": method}
    if method == "exact":
        unsched, xinfo = solve_exact(instance, sched, new, time_limit, workers=workers)
        info.update({f"exact_{k}": v for k, v in xinfo.items()})
        if xinfo.get("failed"):  # no solution in time: fall back so the user gets a schedule
            info["method"] = "decomposed (exact found no solution in time)"
            res = book_patients(sched, new, time_limit=time_limit, workers=workers)
            unsched = res.unbookable
        sched.unscheduled.update(unsched)
    elif method == "decomposed":
        res = book_patients(sched, new, time_limit=time_limit, workers=workers)
        sched.unscheduled.update(res.unbookable)
        info.update(
            {
                "stage1_status": res.stage1_status,
                "stage1_objective": res.stage1_objective,
                "stage1_bound": res.stage1_bound,
                "stage2_fallbacks": res.fallbacks,
            }
        )
    elif method == "greedy":
        sched.unscheduled.update(baseline_book(sched, new))
    else:
        raise ValueError(f"method: must be auto, exact, decomposed or greedy, got {method!r}")
    sol = sched.to_solution()
    sol.metrics = metrics(instance, sol, sched.tl)
    sol.metrics["solve_seconds"] = round(time.perf_counter() - t0, 3)
    sol.metrics["solver"] = info
    if problems:
        sol.metrics["booked_problems"] = problems
    sol.extra["penalties"] = explain(instance, sol)
    return sol
