"""Solve time and quality growth with instance size (issue 16, acceptance table).

The static `solve --method auto` against its own greedy (`--method greedy`) on snapshot cases
of the same running department (`benchmarks/static_cases.run_case`: the calibrated `rt6c`
department run 45 open days with the greedy baseline, its remaining sessions fixed as booked)
with 24, 100, 200 and 400 new patients. New patients arrive at about the department's own rate
(20 a day: `spread` = max(5, new / 20) open days), so the cases differ in size, not in
urgency. Every run writes its row as soon as it ends (`--out` JSON, `.md` table) with the
machine's load average (`uptime`): the machine is shared, seconds are wall-clock.

    PYTHONPATH=. nice -n 10 python benchmarks/growth.py --sizes 24,100,200,400 --seeds 1,2 \\
        --load 0.85 --time-limit 30 --out benchmarks/results/growth-rt6c.json
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
from pathlib import Path
from typing import Any

from static_cases import run_case


def spread_for(new: int) -> int:
    """Open days over which `new` patients become ready: about 20 a day, at least 5 days."""
    return max(5, round(new / 20))


def _pct(x: float | None) -> str:
    return "-" if x is None else f"{x:.1%}"


def table(rows: list[dict[str, Any]]) -> str:
    head = (
        "| new patients | fractions | seed | spread (open days) | greedy s | auto s "
        "| auto method | unscheduled greedy / auto | waiting days greedy / auto "
        "| wait mean greedy / auto | named penalty greedy / auto | penalty auto/greedy "
        "| bound | gap auto | load avg |\n"
        "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|\n"
    )
    out = []
    for r in rows:
        g, a = r["greedy"], r["auto"]
        ratio = a["penalty"] / g["penalty"] if g["penalty"] else 1.0
        out.append(
            f"| {r['new']} | {r['new_fractions']} | {r['seed']} | {r['spread']} "
            f"| {g['seconds']} | {a['seconds']} | {a['method']} "
            f"| {g['unscheduled']} / {a['unscheduled']} "
            f"| {g['waiting_days']} / {a['waiting_days']} | {g['wait_mean']} / {a['wait_mean']} "
            f"| {g['penalty']} / {a['penalty']} | {ratio:.3f} | {a['bound']} "
            f"| {_pct(a['gap'])} | {r['uptime']} |"
        )
    return head + "\n".join(out) + "\n"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--sizes", default="24,100,200,400")
    ap.add_argument("--seeds", default="1,2")
    ap.add_argument("--load", type=float, default=0.85)
    ap.add_argument("--time-limit", type=float, default=30.0)
    ap.add_argument("--scenario", default="rt6c")
    ap.add_argument("--out", default="benchmarks/results/growth-rt6c.json")
    a = ap.parse_args()
    out = Path(a.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    rows: list[dict[str, Any]] = []
    for new in [int(x) for x in a.sizes.split(",")]:
        for seed in [int(x) for x in a.seeds.split(",")]:
            row = run_case(seed, a.load, new, spread_for(new), a.time_limit, a.scenario)
            row["spread"] = spread_for(new)
            row["time_limit"] = a.time_limit
            row["uptime"] = " ".join(f"{x:.1f}" for x in os.getloadavg())
            row["uptime_line"] = subprocess.run(
                ["uptime"], capture_output=True, text=True, check=False
            ).stdout.strip()
            rows.append(row)
            out.write_text(json.dumps(rows, indent=1))
            out.with_suffix(".md").write_text(table(rows))
            print(table(rows[-1:]).splitlines()[-1], flush=True)
    print(table(rows))


if __name__ == "__main__":
    main()
