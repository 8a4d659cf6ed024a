"""Outage rebooking replayed on one schedule, both policies side by side (issue 16, item 5).

The bench's `interruption_days_outage` compares two whole simulations, so the optimizer's and
the baseline's outages fall on different schedules. This replay books the scenario's days with
ONE policy (`--booking`, baseline by default: fast) through `simulate.run` and, on every outage, rebooks the same state
twice, once per policy, and prints per outage what each did: sessions hit, changed
appointments, machine changes, what placed each hit session (same day, swap/squeeze, a free
day of the course, after the course, restart), courses restarted, and the interruption days
it added per course. The simulation then goes on with the booking policy's own rebooking, as
`simulate.run` does.

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
    "baseline": ("baseline", True),
    "optimizer": ("optimizer", True),
    "optimizer-no-relayout": ("optimizer", False),
}


def _one(sched: Schedule, o: Any, policy: str, relayout: bool = True) -> dict[str, Any]:
    cpu = time.process_time()
    r = rebook_outage(sched, o.machine, o.start, o.end, policy=policy, relayout=relayout)
    cpu = time.process_time() - cpu
    s: dict[str, Any] = dict(r.summary())
    s["kinds"] = dict(collections.Counter(c.kind for c in r.changes))
    s["per_course"] = {k: v for k, v in r.interruption_days.items() if v}
    s["hit"] = len({c.patient for c in r.changes})
    s["seconds"] = r.seconds
    s["cpu_seconds"] = cpu  # process CPU time: the wall clock is inflated on a shared machine
    return s


def replay(scn: Any, booking: str, time_limit: float) -> list[dict[str, Any]]:
    """`simulate.run` with its `rebook_outage` wrapped: every outage is first rebooked under
    both policies on a snapshot of the state, then for real under `booking`."""
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
        snap = sched.snapshot()
        for col, (pol, relayout) in COLUMNS.items():
            sched.restore(snap)
            row[col] = _one(sched, o, pol, relayout)
        sched.restore(snap)
        rows.append(row)
        print(_line(row), flush=True)
        return rebook_outage(sched, machine, start, end, **kw)

    with mock.patch.object(simulate, "rebook_outage", both):
        simulate.run(scn, booking, time_limit=time_limit)
    return rows


def _line(row: dict[str, Any]) -> str:
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
    return (
        f"d{row['day']:>3} {row['machine']} {hours} | B {f(row['baseline'])} | "
        f"O {f(row['optimizer'])} | O-no-relayout {f(row['optimizer-no-relayout'])}"
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
    rows = replay(scn, a.booking, a.time_limit)
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
    if a.json:
        Path(a.json).write_text(
            json.dumps({"args": vars(a), "rows": rows, "totals": tot, "measured": measured})
        )


if __name__ == "__main__":
    main()
