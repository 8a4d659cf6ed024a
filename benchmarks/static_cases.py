"""Static solve against its own greedy on snapshot cases of a running department (issue 16).

Each case is `linac_optimizer.snapshot.snapshot_case`: the calibrated department run day by
day with the greedy baseline, its remaining sessions fixed, plus N new patients ready over the
next open days. Both `solve --method greedy` and `solve --method auto` run on the same file;
both solutions go through the independent validator. Figures are over the new patients.

    PYTHONPATH=. python benchmarks/static_cases.py --seeds 1,2,3 --loads 0.85,0.9,0.95 \\
        --new 24 --time-limit 10 --out benchmarks/results/static.json
    # scale: --seeds 1 --loads 0.85 --new 400 --spread 20 --time-limit 30

Every figure is written with the machine's load average (`uptime`) at the time.
"""

from __future__ import annotations

import argparse
import json
import os
import time
from pathlib import Path
from typing import Any

from linac_optimizer.check import check, metrics
from linac_optimizer.snapshot import snapshot_case
from linac_optimizer.solver import solve


def run_case(
    seed: int, load: float, new: int, spread: int, time_limit: float, scenario: str
) -> dict[str, Any]:
    inst = snapshot_case(seed, load, new, spread=spread, scenario=scenario)
    new_ids = {p.id for p in inst.patients if not p.booked}
    booked = sum(len(p.booked) for p in inst.patients)
    row: dict[str, Any] = {
        "scenario": scenario,
        "seed": seed,
        "load": load,
        "new": new,
        "new_fractions": sum(p.fractions for p in inst.patients if p.id in new_ids),
        "booked_sessions": booked,
    }
    for method in ("greedy", "auto"):
        t0 = time.perf_counter()
        sol = solve(inst, time_limit=time_limit, method=method)
        secs = time.perf_counter() - t0
        rep = check(inst, sol)
        m = metrics(inst, sol, patient_ids=new_ids)
        info = sol.metrics["solver"]
        row[method] = {
            "valid": rep.ok,
            "violations": sorted(rep.rules()),
            "unscheduled": info["objective"]["unscheduled"],
            "penalty": info["objective"]["penalty"],
            "waiting_days": info["objective"]["waiting_days"],
            "wait_mean": m["wait_days_mean"],
            "on_time": m["on_time_all"],
            "drift_min": m["drift_min_mean"],
            "main_machine": m["main_machine_share"],
            "seconds": round(secs, 2),
            "method": info["method"],
            "bound": info["bound"],
            "gap": info["gap"],
            "loadavg": os.getloadavg()[0],
        }
    return row


def table(rows: list[dict[str, Any]]) -> str:
    head = (
        "| scenario | load | seed | new (fractions) | unscheduled greedy / auto | "
        "penalty greedy / auto | wait mean greedy / auto | on time greedy / auto | "
        "drift min greedy / auto | auto method | auto s | gap | load avg |\n"
        "|---|---|---|---|---|---|---|---|---|---|---|---|---|\n"
    )
    out = []
    for r in rows:
        g, a = r["greedy"], r["auto"]
        out.append(
            f"| {r['scenario']} | {r['load']} | {r['seed']} | {r['new']} ({r['new_fractions']}) "
            f"| {g['unscheduled']} / {a['unscheduled']} | {g['penalty']} / {a['penalty']} "
            f"| {g['wait_mean']} / {a['wait_mean']} | {g['on_time']} / {a['on_time']} "
            f"| {g['drift_min']} / {a['drift_min']} | {a['method']} | {a['seconds']} "
            f"| {a['gap']:.1%} | {a['loadavg']:.1f} |"
        )
    return head + "\n".join(out) + "\n"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--seeds", default="1,2,3")
    ap.add_argument("--loads", default="0.85,0.9,0.95")
    ap.add_argument("--new", type=int, default=24)
    ap.add_argument("--spread", type=int, default=5)
    ap.add_argument("--time-limit", type=float, default=10.0)
    ap.add_argument("--scenario", default="rt6c")
    ap.add_argument("--out", default="benchmarks/results/static.json")
    a = ap.parse_args()
    rows = []
    for load in [float(x) for x in a.loads.split(",")]:
        for seed in [int(x) for x in a.seeds.split(",")]:
            rows.append(run_case(seed, load, a.new, a.spread, a.time_limit, a.scenario))
            print(table(rows[-1:]).splitlines()[-1], flush=True)
    Path(a.out).parent.mkdir(parents=True, exist_ok=True)
    Path(a.out).write_text(json.dumps(rows, indent=1))
    Path(a.out).with_suffix(".md").write_text(table(rows))
    print(table(rows))


if __name__ == "__main__":
    main()
