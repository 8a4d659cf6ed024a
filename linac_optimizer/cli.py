"""Command line `linac-schedule` (DESIGN.md, "Contract of the scheduler").

    linac-schedule solve INSTANCE.json --out SOLUTION.json [--time-limit S] [--method M]
        [--new-patients P1,P2 --today DATE]            online: book these, the rest is fixed
        [--outage MACHINE START END [--changes FILE]]  rebook after an unplanned downtime
    linac-schedule check INSTANCE.json SOLUTION.json   exit 0 + metrics, exit 1 + broken rules
    linac-schedule simulate [--seed N --load L --weeks W --warmup-weeks W --policy P]
    linac-schedule bench [--seeds 1,2 --loads 0.8,1.0 --weeks W --warmup-weeks W] [--hindsight]

Exit status 2 means the input files are malformed (the message names the field). `solve`
exits 3 when it wrote a solution that leaves patients unscheduled (each with its reason, also
printed), so an incomplete schedule is never mistaken for a complete one.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import sys
import time
from typing import Any

from .model import Downtime, FormatError, dump_json, load_instance, load_solution
from .solver import METHODS

#: Seconds the online command keeps out of its limit for the work after the booking (greedy's
#: objective, the solution, its metrics and penalties, the file, the interpreter's exit): 0.2 s
#: on the 400-patient outside case (5,513 appointments, an 840 KB file) at load average 5.5.
AFTER_BOOKING = 1.0


def _print(obj: Any) -> None:
    print(json.dumps(obj, indent=1, ensure_ascii=False))


def cmd_solve(a: argparse.Namespace) -> int:
    from .check import explain, metrics
    from .holds import solve_with_holds
    from .online import online_book_instance, rebook_outage
    from .state import Schedule

    inst = load_instance(a.instance)
    if a.booked_from:
        _book_from(inst, load_solution(a.booked_from))
    # what is left of the caller's limit after the interpreter, the imports and the files
    # (about 1 s, several on a loaded machine)
    limit = max(0.5, a.time_limit - (time.perf_counter() - a.started))
    if a.outage:
        machine, start, end = a.outage
        if machine not in {m.id for m in inst.machines}:
            raise FormatError(f"--outage: unknown machine {machine!r}")
        s, e = dt.datetime.fromisoformat(start), dt.datetime.fromisoformat(end)
        sched = Schedule(inst)
        sched.load_booked()
        res = rebook_outage(sched, machine, s, e, policy=a.policy)
        inst.machine(machine).downtime.append(Downtime(s, e, "outage"))
        sched.unscheduled.update(res.unresolved)
        sol = sched.to_solution()
        sol.metrics = metrics(inst, sol)
        sol.metrics["solve_seconds"] = round(res.seconds, 4)
        sol.extra["changes"] = [c.to_json() for c in res.changes]
        sol.metrics["outage"] = res.summary()
        if a.changes:
            dump_json([c.to_json() for c in res.changes], a.changes)
    elif a.new_patients:
        ids = [x for x in a.new_patients.split(",") if x]
        known = {p.id for p in inst.patients}
        for pid in ids:
            if pid not in known:
                raise FormatError(f"--new-patients: unknown patient {pid!r}")
        today = dt.date.fromisoformat(a.today) if a.today else inst.start_date
        # the limit is the caller's wall clock, like the static solve's (90% of it, less
        # 0.5 s for the metrics and the file), on --workers cores; and one deadline from the
        # command's start, after which the booking keeps greedy's day (`book_day`), leaving
        # time for the metrics and the file
        sched, day = online_book_instance(
            inst,
            ids,
            today=today,
            time_limit=max(0.5, 0.9 * limit - 0.5),
            policy=a.policy,
            workers=a.workers,
            wall_clock=True,
            deadline=a.started + a.time_limit - AFTER_BOOKING,
        )
        for pid, why in day.unbookable.items():
            sched.unscheduled[pid] = why
        sol = sched.to_solution()
        sol.metrics = metrics(inst, sol)
        sol.metrics["solve_seconds"] = round(day.seconds, 3)
        # which day was kept, and the steps skipped because the deadline had passed
        sol.metrics["online"] = {
            "kept": day.info.get("kept"),
            "skipped_after_deadline": day.info.get("deadline", []),
        }
        sol.extra["penalties"] = explain(inst, sol)
    else:
        method = "greedy" if a.policy == "baseline" else a.method
        # machines' optional `holds` (capacity held for children and acute patients) are
        # honoured; without any this is `solve` itself
        sol = solve_with_holds(inst, time_limit=limit, method=method, workers=a.workers)
    dump_json(sol.to_json(), a.out)
    solver = sol.metrics.get("solver") or {}
    gap = f", bound {solver['bound']}, gap {solver['gap']:.1%}" if "gap" in solver else ""
    print(
        f"{len(sol.appointments)} appointments, {len(sol.unscheduled)} unscheduled, "
        f"{sol.metrics.get('solve_seconds')} s{gap} -> {a.out}",
        file=sys.stderr,
    )
    if sol.unscheduled:
        for u in sol.unscheduled[:20]:
            print(f"unscheduled: {u.patient}: {u.reason}", file=sys.stderr)
        if len(sol.unscheduled) > 20:
            print(f"unscheduled: ... and {len(sol.unscheduled) - 20} more", file=sys.stderr)
        return 3
    return 0


def _book_from(inst: Any, sol: Any) -> None:
    """Take a solution's appointments as the instance's fixed `booked` appointments."""
    from .model import Booked

    by_id = {p.id: p for p in inst.patients}
    for i, ap in enumerate(sol.appointments):
        p = by_id.get(ap.patient)
        if p is None:
            raise FormatError(f"appointments[{i}] ({ap.patient}).patient: not in the instance")
        if all(b.fraction != ap.fraction for b in p.booked):
            p.booked.append(Booked(ap.fraction, ap.machine, ap.start))


def cmd_check(a: argparse.Namespace) -> int:
    from .check import check

    rep = check(load_instance(a.instance), load_solution(a.solution))
    if rep.ok:
        _print(rep.metrics)
        return 0
    _print(
        {"ok": False, "violations": [v.to_json() for v in rep.violations], "metrics": rep.metrics}
    )
    for v in rep.violations[:50]:
        print(f"{v.rule}: {v.message}", file=sys.stderr)
    return 1


def _floats(s: str) -> list[float]:
    return [float(x) for x in s.split(",") if x]


def _ints(s: str) -> list[int]:
    return [int(x) for x in s.split(",") if x]


def cmd_simulate(a: argparse.Namespace) -> int:
    from .scenario import generate
    from .simulate import run

    scn = generate(
        a.seed, a.load, warmup_weeks=a.warmup_weeks, measured_weeks=a.weeks, scenario=a.scenario
    )
    out = {}
    policies = ["baseline", "optimizer"] if a.policy == "both" else [a.policy]
    for pol in policies:
        r = run(
            scn,
            pol,
            time_limit=a.time_limit,
            acute_q=a.acute_q,
            acute_slots_q=a.acute_slots_q if a.acute_slots_q > 0 else None,
        )
        out[pol] = r.summary()
        if a.solution_prefix:
            sched = r.schedule  # type: ignore[attr-defined]
            sched.instance.patients = list(sched.patients.values())
            dump_json(sched.instance.to_json(), f"{a.solution_prefix}-instance.json")
            dump_json(sched.to_solution().to_json(), f"{a.solution_prefix}-{pol}.json")
    if a.out:
        dump_json(out, a.out)
    _print(out)
    return 0


def cmd_bench(a: argparse.Namespace) -> int:
    from .bench import bench, hindsight

    if a.hindsight:
        res = [
            hindsight(s, ld, weeks=a.weeks, time_limit=a.time_limit, offline_limit=a.offline_limit)
            for ld in _floats(a.loads)
            for s in _ints(a.seeds)
        ]
        if a.out_dir:
            from pathlib import Path

            Path(a.out_dir).mkdir(parents=True, exist_ok=True)
            dump_json(res, f"{a.out_dir}/hindsight.json")
        _print(res)
        return 0
    agg = bench(
        _ints(a.seeds),
        _floats(a.loads),
        warmup=a.warmup_weeks,
        weeks=a.weeks,
        time_limit=a.time_limit,
        out_dir=a.out_dir,
        name=a.name,
        log=lambda s: print(s, file=sys.stderr, flush=True),
        existing_only=a.existing_only,
        scenario=a.scenario,
    )
    from .bench import table

    print(table(agg))
    return 0


def build_parser() -> argparse.ArgumentParser:
    ap = argparse.ArgumentParser(
        prog="linac-schedule",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    sub = ap.add_subparsers(dest="command", required=True)

    s = sub.add_parser("solve", help="schedule an instance")
    s.add_argument("instance")
    s.add_argument("--out", required=True)
    s.add_argument("--time-limit", type=float, default=10.0)
    s.add_argument("--method", choices=list(METHODS), default="auto")
    s.add_argument("--policy", choices=["optimizer", "baseline"], default="optimizer")
    s.add_argument(
        "--workers", type=int, default=2, help="CP-SAT search workers (default: both cores)"
    )
    s.add_argument(
        "--new-patients",
        help="online mode: comma-separated ids to book; every other patient must be fully booked",
    )
    s.add_argument("--today", help="online mode: booking date (default start_date)")
    s.add_argument(
        "--outage",
        nargs=3,
        metavar=("MACHINE", "START", "END"),
        help="rebook after an unplanned downtime (local times YYYY-MM-DDTHH:MM)",
    )
    s.add_argument("--changes", help="with --outage: write the changed appointments here")
    s.add_argument(
        "--booked-from",
        metavar="SOLUTION.json",
        help="treat this solution's appointments as booked (the current schedule)",
    )
    s.set_defaults(func=cmd_solve)

    c = sub.add_parser("check", help="validate a solution against every hard rule")
    c.add_argument("instance")
    c.add_argument("solution")
    c.set_defaults(func=cmd_check)

    for name, func in (("simulate", cmd_simulate), ("bench", cmd_bench)):
        p = sub.add_parser(name, help=f"{name} the rt6 online scenario")
        p.add_argument(
            "--scenario",
            choices=["rt6", "rt6c"],
            default="rt6",
            help="rt6: the issue-5 stress case (load x 19 arrivals a day); rt6c: calibrated, "
            "load = offered share of the available machine-minutes",
        )
        p.add_argument("--weeks", type=int, default=26, help="measured weeks")
        p.add_argument("--warmup-weeks", type=int, default=8)
        p.add_argument(
            "--time-limit", type=float, default=2.0, help="CP-SAT seconds per daily booking"
        )
        if name == "simulate":
            p.add_argument("--seed", type=int, default=1)
            p.add_argument("--load", type=float, default=1.0)
            p.add_argument("--policy", choices=["optimizer", "baseline", "both"], default="both")
            p.add_argument("--out")
            p.add_argument("--solution-prefix", help="also write the final instance/solutions")
            p.add_argument(
                "--acute-slots-q",
                type=float,
                default=0.9,
                metavar="Q",
                help="optimizer: hold end-of-day first-session slots for emergency and urgent "
                "arrivals on the next 2 open days, as the Q-quantile of a day's arrivals "
                "(default 0.9; 0 turns them off)",
            )
            p.add_argument(
                "--acute-q",
                type=float,
                default=None,
                metavar="Q",
                help="optimizer: hold an end-of-day block for emergency and urgent "
                "arrivals, sized as the Q-quantile of those still to come "
                "(off by default, see benchmarks/README.md section 4)",
            )
        else:
            p.add_argument("--seeds", default="1,2,3,4,5")
            p.add_argument("--loads", default="0.8,1.0,1.1,1.2")
            p.add_argument("--out-dir", default="benchmarks/results")
            p.add_argument("--name", default="rt6")
            p.add_argument(
                "--hindsight",
                action="store_true",
                help="gap to the all-arrivals-known schedule (use a small --weeks)",
            )
            p.add_argument("--offline-limit", type=float, default=60.0)
            p.add_argument(
                "--existing-only",
                action="store_true",
                help="only aggregate the runs already in OUT_DIR/runs",
            )
        p.set_defaults(func=func)
    return ap


def main(argv: list[str] | None = None, started: float | None = None) -> int:
    """`started`: when the command started (`time.perf_counter()`), default now; the time
    limits count from it."""
    args = build_parser().parse_args(argv)
    args.started = time.perf_counter() if started is None else started
    try:
        return int(args.func(args))
    except FormatError as e:
        print(f"error: {e}", file=sys.stderr)
        return 2
    except FileNotFoundError as e:
        print(f"error: {e.filename}: file not found", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
