"""Monolithic CP-SAT model: every session an interval variable, for small instances and as the
reference the decomposition is measured against (docs/scheduler.md).

Time is the compressed timeline of `timeline.py`: t = 1440 * open-day index + minute, so
"consecutive open days" is a difference of 1 in the day variable. Per session k of patient p:
day D, minute T, start S = 1440 D + T, one optional interval per capable machine (its size is
that machine's duration), exactly one present when the patient is scheduled. Each machine has
one NoOverlap over its optional session intervals plus fixed intervals for downtime/QA. Soft
preferences are separate named terms of the objective, the same weights as `objective.py`
(day-based ones multiplied by 5 so that per-minute drift/window terms stay integers).
"""

from __future__ import annotations

import itertools
import time

from ortools.sat.python import cp_model

from .decomposed import UNSCHEDULED_COST, due_index, run_cpsat
from .model import Instance, Patient
from .objective import DEFAULT_WEIGHTS, Weights
from .state import BID_GAP_MIN, Schedule, Session, precheck

DAY = 1440


def solve_exact(
    instance: Instance,
    sched: Schedule,
    pats: list[Patient],
    time_limit: float,
    w: Weights = DEFAULT_WEIGHTS,
    workers: int = 1,
    hint: dict[str, dict[int, Session]] | None = None,
) -> tuple[dict[str, str], dict]:
    """Book `pats` (no fraction booked yet) into `sched` (booked sessions and downtime fixed).
    `hint`: a known schedule of (some of) them, e.g. the greedy incumbent, given to CP-SAT as
    its first solution. Returns ({patient: reason} for the unscheduled, solver info)."""
    t0 = time.perf_counter()
    model = cp_model.CpModel()
    n_days = sched.ndays
    unsched: dict[str, str] = {}
    per_machine: dict[str, list] = {m.id: [] for m in instance.machines}
    # fixed: downtime and already-booked sessions (of patients not in `pats`)
    fixed_sessions: list[tuple[str, int, int, int, bool]] = []  # machine, day, start, end, anest
    for (m, day), lst in sched.busy.items():
        for bz in lst:
            per_machine[m].append(
                model.new_interval_var(
                    DAY * day + bz.start, bz.end - bz.start, DAY * day + bz.end, ""
                )
            )
            if bz.patient:
                fixed_sessions.append((m, day, bz.start, bz.end, bz.anesthesia_first))
    obj = []
    V: dict[str, dict] = {}
    for p in pats:
        reason = precheck(instance, p, sched.tl)
        if reason:
            unsched[p.id] = reason
            continue
        caps = instance.capable_machines(p)
        ready = sched.tl.first_open_on_or_after(p.ready_date)
        lo_t = min(instance.machine(m).open for m in caps)
        hi_t = max(instance.machine(m).close for m in caps)
        present = model.new_bool_var(f"present_{p.id}")
        D: dict[int, cp_model.IntVar] = {}
        T: dict[int, cp_model.IntVar] = {}
        S: dict[int, cp_model.IntVar] = {}
        X: dict[int, dict[str, cp_model.IntVar]] = {}
        for k in range(1, p.fractions + 1):
            D[k] = model.new_int_var(ready, n_days - 1, f"D_{p.id}_{k}")
            T[k] = model.new_int_var(lo_t, hi_t, f"T_{p.id}_{k}")
            S[k] = model.new_int_var(DAY * ready, DAY * n_days, f"S_{p.id}_{k}")
            model.add(S[k] == DAY * D[k] + T[k])
            X[k] = {}
            for m in caps:
                mm = instance.machine(m)
                dur = p.duration(k, m)
                x = model.new_bool_var(f"x_{p.id}_{k}_{m}")
                X[k][m] = x
                per_machine[m].append(model.new_optional_fixed_size_interval_var(S[k], dur, x, ""))
                model.add(T[k] >= mm.open).only_enforce_if(x)
                model.add(T[k] + dur <= mm.close).only_enforce_if(x)
            model.add(sum(X[k].values()) == present)
        n = p.fractions
        for k in range(1, n):
            if p.pattern == "daily":
                model.add(D[k + 1] >= D[k] + 1)
            elif p.pattern == "alternate":
                model.add(D[k + 1] >= D[k] + 2)
            else:
                model.add(S[k + 1] >= S[k] + BID_GAP_MIN)
                if k + 2 <= n:
                    model.add(D[k + 2] >= D[k] + 1)
        # named penalties
        late = model.new_int_var(0, n_days, f"late_{p.id}")
        model.add(late >= D[1] - due_index(sched, p))
        obj.append(5 * w.late[p.urgency] * late)
        obj.append(5 * w.wait * (D[1] - ready))
        if n > 1:
            step = 2 if p.pattern == "alternate" else 1
            expected = ((n + 1) // 2 - 1) if p.pattern == "bid" else (n - 1) * step
            factor = w.interruption_sensitive_factor if p.interruption_sensitive else 1
            obj.append(5 * w.interruption * factor * (D[n] - D[1] - expected))
        main = {m: model.new_bool_var(f"main_{p.id}_{m}") for m in caps}
        model.add(sum(main.values()) == present)
        for k in range(1, n + 1):
            off = model.new_bool_var(f"off_{p.id}_{k}")
            for m in caps:
                model.add(off >= X[k][m] - main[m])
            obj.append(5 * w.machine_change * off)
        firsts = list(range(1, n + 1, 2)) if p.pattern == "bid" else list(range(1, n + 1))
        for f0, f1 in itertools.pairwise(firsts):
            dev = model.new_int_var(0, DAY, f"drift_{p.id}_{f1}")
            model.add_abs_equality(dev, T[f1] - T[f0])
            obj.append(w.drift_per_5min * dev)
        if p.preferred_window:
            w0, w1 = p.preferred_window
            for k in range(1, n + 1):
                out = model.new_int_var(0, DAY, f"out_{p.id}_{k}")
                model.add(out >= w0 - T[k])
                model.add(out >= T[k] + p.duration(k, caps[0]) - w1)
                obj.append(w.outside_window_per_5min * out)
        obj.append(5 * UNSCHEDULED_COST * (1 - present))
        V[p.id] = {"p": p, "D": D, "T": T, "S": S, "X": X, "present": present}
        known = (hint or {}).get(p.id)
        if known and len(known) == n:
            model.add_hint(present, True)
            for k in range(1, n + 1):
                hs = known[k]
                model.add_hint(D[k], hs.day)
                model.add_hint(T[k], hs.start)
                model.add_hint(S[k], DAY * hs.day + hs.start)
                for m, x in X[k].items():
                    model.add_hint(x, m == hs.machine)

    # children under anesthesia: first session of the day precedes every other patient's
    anest = [v for v in V.values() if v["p"].anesthesia]
    others = [v for v in V.values() if not v["p"].anesthesia]
    for a in anest:
        pa = a["p"]
        for k in range(1, pa.fractions + 1):
            first = None
            if pa.pattern == "bid" and k > 1:
                first = model.new_bool_var("")
                model.add(a["D"][k] > a["D"][k - 1]).only_enforce_if(first)
                model.add(a["D"][k] == a["D"][k - 1]).only_enforce_if(first.negated())
            for m, xa in a["X"][k].items():
                for b in others:
                    for kb in range(1, b["p"].fractions + 1):
                        xb = b["X"][kb].get(m)
                        if xb is None:
                            continue
                        same = model.new_bool_var("")
                        model.add(a["D"][k] == b["D"][kb]).only_enforce_if(same)
                        model.add(a["D"][k] != b["D"][kb]).only_enforce_if(same.negated())
                        lits = [xa, xb, same] + ([first] if first is not None else [])
                        model.add(a["S"][k] <= b["S"][kb]).only_enforce_if(lits)
                for fm, day, s, _e, fan in fixed_sessions:
                    if fm == m and not fan:
                        on = model.new_bool_var("")
                        model.add(a["D"][k] == day).only_enforce_if(on)
                        model.add(a["D"][k] != day).only_enforce_if(on.negated())
                        lits = [xa, on] + ([first] if first is not None else [])
                        model.add(a["T"][k] <= s).only_enforce_if(lits)
    # other patients never before a fixed anesthesia session on its machine-day
    for b in others:
        for kb in range(1, b["p"].fractions + 1):
            for fm, day, s, _e, fan in fixed_sessions:
                xb = b["X"][kb].get(fm)
                if fan and xb is not None:
                    on = model.new_bool_var("")
                    model.add(b["D"][kb] == day).only_enforce_if(on)
                    model.add(b["D"][kb] != day).only_enforce_if(on.negated())
                    model.add(b["T"][kb] >= s).only_enforce_if([xb, on])
    for ivs in per_machine.values():
        if ivs:
            model.add_no_overlap(ivs)
    model.minimize(sum(obj))
    solver, status = run_cpsat(model, time_limit, workers, wall_clock=True)
    info = {"status": solver.status_name(status), "seconds": time.perf_counter() - t0}
    if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        info["failed"] = True
        return unsched, info
    info["objective"] = solver.objective_value
    info["bound"] = solver.best_objective_bound
    for pid, v in V.items():
        if not solver.value(v["present"]):
            unsched[pid] = "no feasible placement within the horizon"
            continue
        p = v["p"]
        for k in range(1, p.fractions + 1):
            m = next(m for m, x in v["X"][k].items() if solver.value(x))
            d, t = solver.value(v["D"][k]), solver.value(v["T"][k])
            sched.add(Session(pid, k, m, d, t, t + p.duration(k, m)))
    return unsched, info
