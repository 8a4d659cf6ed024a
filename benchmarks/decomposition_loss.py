"""Loss of the decomposition: exact CP-SAT model vs decomposed (stage 1 start day + machine,
stage 2 times) vs greedy baseline on seeded random small instances.

    PYTHONPATH=. python benchmarks/decomposition_loss.py --n 30 --out benchmarks/results/decomposition.json
"""

import argparse
import json
import random

from linac_optimizer.check import check
from linac_optimizer.model import Instance
from linac_optimizer.solver import solve

TECHS = ["3D", "IMRT", "SBRT"]


def instance(rng: random.Random) -> dict:
    machines = [
        {"id": "M1", "techniques": ["3D", "IMRT", "SBRT"], "open": "08:00", "close": "11:00"},
        {"id": "M2", "techniques": ["3D", "IMRT"], "open": "08:00", "close": "11:00"},
    ]
    if rng.random() < 0.5:
        machines[0]["downtime"] = [{"start": "2027-03-09T08:00", "end": "2027-03-09T10:00"}]
    patients = []
    for j in range(rng.randint(5, 9)):
        n = rng.randint(1, 5)
        dur = rng.choice([12, 15, 18, 20, 40])
        ready = rng.randint(8, 12)
        urg = rng.choice(["emergency", "urgent", "palliative", "radical"])
        p = {
            "id": f"P{j}",
            "ready_date": f"2027-03-{ready:02d}",
            "due_date": f"2027-03-{min(ready + {'emergency': 1, 'urgent': 2}.get(urg, 5), 19):02d}",
            "urgency": urg,
            "fractions": n,
            "pattern": "alternate" if dur == 40 and n > 1 else rng.choice(["daily"] * 5 + ["bid"]),
            "technique": "SBRT" if dur == 40 else rng.choice(["3D", "IMRT"]),
            "duration_min": dur,
            "first_duration_min": dur + 10,
            "anesthesia": rng.random() < 0.1,
        }
        if rng.random() < 0.3:
            p["preferred_window"] = ["08:00", "09:30"]
        patients.append(p)
    return {
        "format": "linac-schedule/1",
        "start_date": "2027-03-08",
        "horizon_days": 12,
        "timezone": "Asia/Seoul",
        "holiday_calendar": "KR",
        "machines": machines,
        "patients": patients,
    }


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--n", type=int, default=30)
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--time-limit", type=float, default=20)
    ap.add_argument("--out")
    a = ap.parse_args()
    rng = random.Random(a.seed)
    rows = []
    for i in range(a.n):
        inst = Instance.from_json(instance(rng))
        row = {"instance": i, "fractions": sum(p.fractions for p in inst.patients)}
        for method in ("exact", "decomposed", "greedy"):
            sol = solve(inst, method=method, time_limit=a.time_limit)
            rep = check(inst, sol)
            assert rep.ok, (method, rep.violations)
            pen = sum(sum(v.values()) for v in sol.extra["penalties"].values())
            row[method] = {
                "penalty": pen,
                "unscheduled": len(sol.unscheduled),
                "wait_mean": rep.metrics["wait_days_mean"],
                "seconds": sol.metrics["solve_seconds"],
                "status": sol.metrics["solver"].get("exact_status", ""),
            }
        rows.append(row)
        print(json.dumps(row), flush=True)

    same = [
        r
        for r in rows
        if r["decomposed"]["unscheduled"] == r["exact"]["unscheduled"] == r["greedy"]["unscheduled"]
    ]
    tot = {m: sum(r[m]["penalty"] for r in same) for m in ("exact", "decomposed", "greedy")}
    summary = {
        "instances": len(rows),
        "exact_optimal": sum(r["exact"]["status"] == "OPTIMAL" for r in rows),
        "compared (same number unscheduled)": len(same),
        "penalty_totals": tot,
        "decomposed_total_over_exact": round(tot["decomposed"] / max(1, tot["exact"]), 2),
        "greedy_total_over_exact": round(tot["greedy"] / max(1, tot["exact"]), 2),
        "decomposed_equal_to_exact": sum(
            r["decomposed"]["penalty"] == r["exact"]["penalty"] for r in same
        ),
        "decomposed_better_than_greedy": sum(
            r["decomposed"]["penalty"] < r["greedy"]["penalty"] for r in same
        ),
        "greedy_better_than_decomposed": sum(
            r["decomposed"]["penalty"] > r["greedy"]["penalty"] for r in same
        ),
        "more_unscheduled": {
            m: sum(r[m]["unscheduled"] > r["exact"]["unscheduled"] for r in rows)
            for m in ("decomposed", "greedy")
        },
        "exact_seconds_max": max(r["exact"]["seconds"] for r in rows),
    }
    print(json.dumps(summary, indent=1))
    if a.out:
        with open(a.out, "w") as f:
            json.dump({"summary": summary, "rows": rows}, f, indent=1)


if __name__ == "__main__":
    main()
