"""Outage rebooking replayed on one schedule, both policies side by side (issue 16, item 5).

The bench's `interruption_days_outage` compares two whole simulations, so the optimizer's and
the baseline's outages fall on different schedules. This replay books the scenario's days with
ONE policy (`--booking`, baseline by default: fast) through `simulate.run` and, on every outage, rebooks the same state
twice, once per policy, and prints per outage what each did: sessions hit, changed
appointments, machine changes, what placed each hit session (same day, swap/squeeze, a free
day of the course, after the course, restart), courses restarted, and the interruption days
it added per course. The simulation then goes on with the booking policy's own rebooking, as
`simulate.run` does. Columns: the baseline's rule, the optimizer's, the optimizer's without
the day re-layout (`relayout=False`) and without the step where a course that starts that day
gives way (`give_way=False`, session 6).

Also recorded (session 6), to tell the rule from the schedule: per outage, the free minutes of
the other machines that day after the outage's start (`free_after`, the only time a hit
session can still take) and over the whole day (`free_day`); what the simulation's own
rebooking added per course (`real_per_course`: summed over the measured courses it must give
the bench's `interruption_days_outage`, printed at the end, unless something other than the
outages changes a course after its booking); per open day the free machine-minutes when its
bookings start and at the end (`free_by_day`).

    PYTHONPATH=. python benchmarks/outage_replay.py --scenario rt6c --seed 2 --load 0.9 \
        --warmup-weeks 8 --weeks 8 [--booking baseline] [--json out.json]
"""

from __future__ import annotations

import argparse
import collections
import json
import sys
import time
from pathlib import Path
from types import SimpleNamespace
from typing import Any
from unittest import mock

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from linac_optimizer import simulate
from linac_optimizer.online import rebook_outage
from linac_optimizer.scenario import generate
from linac_optimizer.state import Schedule

POLICIES = ("baseline", "optimizer")
#: columns of the replay: each policy's rule, and the optimizer's without the day re-layout
#: (session 5), so its effect is measured on the same state
COLUMNS = {
    "baseline": ("baseline", True, True),
    "optimizer": ("optimizer", True, True),
    "optimizer-no-relayout": ("optimizer", False, True),
    # without the step where a course starting that day gives way (session 6)
    "optimizer-no-give-way": ("optimizer", True, False),
}


def _one(
    sched: Schedule, o: Any, policy: str, relayout: bool = True, give_way: bool = True
) -> dict[str, Any]:
    cpu = time.process_time()
    r = rebook_outage(
        sched, o.machine, o.start, o.end, policy=policy, relayout=relayout, give_way=give_way
    )
    cpu = time.process_time() - cpu
    s: dict[str, Any] = dict(r.summary())
    s["kinds"] = dict(collections.Counter(c.kind for c in r.changes))
    s["per_course"] = {k: v for k, v in r.interruption_days.items() if v}
    s["hit"] = len({c.patient for c in r.changes})
    s["seconds"] = r.seconds
    s["cpu_seconds"] = cpu  # process CPU time: the wall clock is inflated on a shared machine
    return s


def _free_after(sched: Schedule, machine: str, day: int, lo: int) -> dict[str, int]:
    """Free minutes on the outage day from minute `lo` (the outage's start: the only time a hit
    session can still take that day; 0: the whole day) on the other machines, before the outage
    is rebooked. Busy intervals may overlap (two downtimes), so they are merged here."""
    out = {}
    for m, mach in sched.machines.items():
        if m == machine:
            continue
        free, cur = 0, max(lo, mach.open)
        for b in sched.busy.get((m, day), ()):
            if b.end <= cur:
                continue
            free += max(0, min(b.start, mach.close) - cur)
            cur = max(cur, b.end)
        free += max(0, mach.close - cur)
        out[m] = free
    return out


def replay(scn: Any, booking: str, time_limit: float) -> tuple[list[dict[str, Any]], Any]:
    """`simulate.run` with its `rebook_outage` wrapped: every outage is first rebooked under
    both policies on a snapshot of the state, then for real under `booking`. Returns the rows
    and the simulation's result (its `interruption_days_outage` is the bench's figure)."""
    rows: list[dict[str, Any]] = []
    day_of = {(o.machine, o.start): o.day for o in scn.outages}

    def both(sched: Schedule, machine: str, start: Any, end: Any, **kw: Any) -> Any:
        o = SimpleNamespace(machine=machine, start=start, end=end)
        day = day_of[(machine, start)]
        row: dict[str, Any] = {
            "day": day,
            "machine": machine,
            "start": start.isoformat(),
            "end": end.isoformat(),
            "measured": day >= scn.measured_from,
        }
        row["free_after"] = _free_after(sched, machine, day, start.hour * 60 + start.minute)
        row["free_day"] = _free_after(sched, machine, day, 0)
        snap = sched.snapshot()
        for col, (pol, relayout, give_way) in COLUMNS.items():
            sched.restore(snap)
            row[col] = _one(sched, o, pol, relayout, give_way)
        sched.restore(snap)
        rows.append(row)
        print(_line(row), flush=True)
        real = rebook_outage(sched, machine, start, end, **kw)
        # what the simulation's own rebooking added, per course (the bench's figure sums these
        # over the measured courses unless something else changes a course after its booking)
        row["real_per_course"] = {k: v for k, v in real.interruption_days.items() if v}
        return real

    # free minutes of each day when its bookings start (after its outages), against the end
    free_at_start: dict[int, int] = {}
    real_book_day = simulate.book_day

    def book(sched: Schedule, todo: Any, *, today: int, **kw: Any) -> Any:
        free_at_start[today] = _free_day(sched, today)
        return real_book_day(sched, todo, today=today, **kw)

    with (
        mock.patch.object(simulate, "rebook_outage", both),
        mock.patch.object(simulate, "book_day", book),
    ):
        res = simulate.run(scn, booking, time_limit=time_limit)
    res.free_by_day = {  # type: ignore[attr-defined]
        d: (f, _free_day(res.schedule, d)) for d, f in free_at_start.items()
    }
    return rows, res


def _free_day(sched: Schedule, day: int) -> int:
    return sum(_free_after(sched, "", day, 0).values())


def _line(row: dict[str, Any]) -> str:
    cols = [("B", "baseline"), ("O", "optimizer"), ("O-no-relayout", "optimizer-no-relayout")]
    cols += [("O-no-give-way", "optimizer-no-give-way")]

    def f(s: dict[str, Any]) -> str:
        k = s["kinds"]
        return (
            f"int {s['interruption_days']:>2} moved {s['changed_appointments']:>3} "
            f"mach {s['machine_changes']:>2} same {k.get('moved same day', 0):>3} "
            f"room {s['swaps']:>2} in-course {s['moved_later_in_course']:>2} "
            f"after {s['moved_after_course']:>2} restart {s['courses_restarted']:>2} "
            f"cancel {s['cancelled']}"
        )

    hours = row["start"][11:16] + "-" + row["end"][11:16]
    return f"d{row['day']:>3} {row['machine']} {hours} | " + " | ".join(
        f"{name} {f(row[col])}" for name, col in cols
    )


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--scenario", default="rt6c")
    ap.add_argument("--seed", type=int, default=2)
    ap.add_argument("--load", type=float, default=0.9)
    ap.add_argument("--warmup-weeks", type=int, default=8)
    ap.add_argument("--weeks", type=int, default=8)
    ap.add_argument("--booking", choices=POLICIES, default="baseline")
    ap.add_argument("--time-limit", type=float, default=2.0)
    ap.add_argument("--json")
    a = ap.parse_args()
    scn = generate(
        a.seed, a.load, warmup_weeks=a.warmup_weeks, measured_weeks=a.weeks, scenario=a.scenario
    )
    rows, res = replay(scn, a.booking, a.time_limit)
    keys = ("interruption_days", "changed_appointments", "courses_restarted", "machine_changes")
    tot = {col: {k: sum(r[col][k] for r in rows) for k in keys} for col in COLUMNS}
    measured = {
        col: {k: sum(r[col][k] for r in rows if r["measured"]) for k in keys} for col in COLUMNS
    }
    print("totals (all outages):", json.dumps(tot))
    print("totals (measured window):", json.dumps(measured))
    for key in ("seconds", "cpu_seconds"):
        secs = sorted(r["optimizer"][key] for r in rows)
        p95 = secs[min(len(secs) - 1, int(0.95 * len(secs)))] if secs else 0.0
        print(f"optimizer rebooking {key} p95 {p95:.3f} max {max(secs, default=0.0):.3f}")
    bench = {
        k: res.metrics[k]
        for k in ("interruption_days_outage", "interruption_days_planned", "interruption_days")
    }
    print("simulation's own figures (measured courses):", json.dumps(bench))
    if a.json:
        Path(a.json).write_text(
            json.dumps(
                {
                    "args": vars(a),
                    "rows": rows,
                    "totals": tot,
                    "measured": measured,
                    "simulation": bench,
                    # open day -> [free machine-minutes when its bookings start, at the end]
                    "free_by_day": res.free_by_day,
                    "measured_ids": sorted(
                        p.id
                        for d in range(scn.measured_from, len(scn.arrivals))
                        for p in scn.arrivals[d]
                    ),
                }
            )
        )


if __name__ == "__main__":
    main()
