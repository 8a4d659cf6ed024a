"""Per-day online booking time on the calibrated scenario: wall seconds of `book_day` and the
process CPU seconds of each simulated day, for the first DAYS days of one seed.

    PYTHONPATH=. python benchmarks/booktime.py --seed 1 --days 60 --from-day 30 [--out F.json]

Prints one JSON line per day, then p50/p95/max over days FROM_DAY.. (the warm-up days fill the
department; the first weeks' schedules are short and quick). Run it on a quiet core: the
wall seconds are what a scheduler waits for, and they inflate with the machine's load.
"""

from __future__ import annotations

import argparse
import json
import os
import time
from pathlib import Path

from linac_optimizer.scenario import generate
from linac_optimizer.simulate import run


def quantile(xs: list[float], q: float) -> float:
    v = sorted(xs)
    return v[min(len(v) - 1, round(q * (len(v) - 1)))]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--days", type=int, default=60)
    ap.add_argument("--from-day", type=int, default=30)
    ap.add_argument("--load", type=float, default=0.9)
    ap.add_argument("--time-limit", type=float, default=2.0)
    ap.add_argument("--out", type=Path)
    a = ap.parse_args()
    scn = generate(a.seed, a.load, warmup_weeks=8, measured_weeks=26, scenario="rt6c")
    rows: list[dict] = []
    last = [time.process_time()]

    def progress(today: int, n: int, day) -> None:
        cpu = time.process_time()
        rows.append(
            {
                "day": today,
                "wall": round(day.seconds, 3),
                "cpu_day": round(cpu - last[0], 3),
                "load": round(os.getloadavg()[0], 2),
                "booked": len(day.booked),
            }
        )
        last[0] = cpu
        print(json.dumps(rows[-1]), flush=True)

    run(scn, "optimizer", time_limit=a.time_limit, days=a.days, progress=progress)
    tail = [r for r in rows if r["day"] >= a.from_day]
    wall = [r["wall"] for r in tail]
    summary = {
        "seed": a.seed,
        "days": f"{a.from_day}-{a.days - 1}",
        "wall_p50": quantile(wall, 0.5),
        "wall_p95": quantile(wall, 0.95),
        "wall_max": max(wall),
        "load": [tail[0]["load"], tail[-1]["load"]],
    }
    print(json.dumps(summary))
    if a.out:
        a.out.write_text(json.dumps({"summary": summary, "days": rows}, indent=1))


if __name__ == "__main__":
    main()
