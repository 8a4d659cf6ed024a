"""The calibration table of issue 16: what each load label of a scenario offers.

Computed from the generator only (no scheduling run, a few seconds): for each label and seed,
`scenario.generate` with 8 warm-up + 26 measured weeks; arrivals a day, sessions a day offered
(every fraction of every arriving course), mean session minutes (the longer first fraction
included), the available machine-minutes a day (open minus planned QA minus the drawn unplanned
outages, `scenario.available_minutes`), and the offered minutes as a share of the available and
of the open minutes. Means over the seeds.

    PYTHONPATH=. python benchmarks/calibration.py --scenario rt6c --loads 0.85,0.9,0.95,1.0 \\
        --seeds 1,2,3,4,5 --out benchmarks/results/calibration-rt6c.json
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from statistics import mean
from typing import Any

from linac_optimizer.scenario import available_minutes, generate


def offered(scenario: str, seed: int, load: float) -> dict[str, float]:
    scn = generate(seed, load, warmup_weeks=8, measured_weeks=26, scenario=scenario)
    patients = [p for day in scn.arrivals for p in day]
    days = len(scn.days)
    sessions = sum(p.fractions for p in patients)
    minutes = sum(p.first_duration_min + (p.fractions - 1) * p.duration_min for p in patients)
    open_min = sum(m.close - m.open for m in scn.machines)
    avail = available_minutes(scn)
    return {
        "arrivals_per_day": len(patients) / days,
        "sessions_per_day": sessions / days,
        "mean_session_min": minutes / sessions,
        "available_min_per_day": avail,
        "open_min_per_day": open_min,
        "offered_of_available": minutes / days / avail,
        "offered_of_open": minutes / days / open_min,
    }


def row(scenario: str, load: float, seeds: list[int]) -> dict[str, Any]:
    runs = [offered(scenario, s, load) for s in seeds]
    return {
        "scenario": scenario,
        "label": load,
        "seeds": seeds,
        **{k: round(mean(r[k] for r in runs), 4) for k in runs[0]},
    }


def table(rows: list[dict[str, Any]]) -> str:
    head = (
        "| scenario | label | arrivals/day | sessions/day offered | mean session min "
        "| available min/day | offered / available | offered / open |\n"
        "|---|---|---|---|---|---|---|---|\n"
    )
    return (
        head
        + "\n".join(
            f"| {r['scenario']} | {r['label']:.0%} | {r['arrivals_per_day']:.1f} "
            f"| {r['sessions_per_day']:.1f} | {r['mean_session_min']:.2f} "
            f"| {r['available_min_per_day']:.0f} | {r['offered_of_available']:.1%} "
            f"| {r['offered_of_open']:.1%} |"
            for r in rows
        )
        + "\n"
    )


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--scenario", default="rt6c")
    ap.add_argument("--loads", default="0.85,0.9,0.95,1.0")
    ap.add_argument("--seeds", default="1,2,3,4,5")
    ap.add_argument("--out", default="benchmarks/results/calibration-rt6c.json")
    a = ap.parse_args()
    seeds = [int(x) for x in a.seeds.split(",")]
    rows = [row(a.scenario, float(x), seeds) for x in a.loads.split(",")]
    out = Path(a.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(rows, indent=1))
    out.with_suffix(".md").write_text(table(rows))
    print(table(rows))


if __name__ == "__main__":
    main()
