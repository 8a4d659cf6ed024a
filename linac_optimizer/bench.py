"""`linac-schedule bench`: the rt6 scenario over loads x seeds, optimizer and baseline on the same
arrivals and outages; per-run JSON written as soon as a run ends (a long run can be stopped
and still reported), then an aggregate JSON and a markdown table. Also the hindsight gap."""

from __future__ import annotations

import json
import os
import platform
import statistics
import time
from pathlib import Path
from typing import Any

from .check import metrics
from .scenario import available_minutes, generate, offered_load
from .simulate import percentile, run
from .solver import solve


def _load_avg() -> str:
    try:
        return " ".join(f"{x:.2f}" for x in os.getloadavg())
    except OSError:
        return "n/a"


def _run_path(
    out_dir: Path, scenario: str, load: float, seed: int, policy: str, warmup: int, weeks: int
) -> Path:
    return out_dir / "runs" / f"{scenario}-load{load}-seed{seed}-{policy}-w{warmup}+{weeks}.json"


def run_one(
    seed: int,
    load: float,
    policy: str,
    warmup: int,
    weeks: int,
    time_limit: float,
    out_dir: Path,
    scenario: str = "rt6",
) -> dict[str, Any]:
    path = _run_path(out_dir, scenario, load, seed, policy, warmup, weeks)
    if path.exists():
        return json.loads(path.read_text())
    scn = generate(seed, load, warmup_weeks=warmup, measured_weeks=weeks, scenario=scenario)
    la0 = _load_avg()
    r = run(scn, policy, time_limit=time_limit)
    s = r.summary()
    s.update(
        {
            "warmup_weeks": warmup,
            "measured_weeks": weeks,
            "time_limit": time_limit,
            "scenario": scenario,
            "offered_load": round(offered_load(scn), 4),
            "offered_share_of_available": round(
                offered_load(scn)
                * sum(m.close - m.open for m in scn.machines)
                / available_minutes(scn),
                4,
            ),
            "loadavg_before": la0,
            "loadavg_after": _load_avg(),
            "booking_seconds_all": [round(x, 4) for x in r.booking_seconds],
            "outage_seconds_all": [round(x, 5) for x in r.outage_seconds],
        }
    )
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(s, indent=1))
    return s


def _mean(xs: list[float | None]) -> float | None:
    v = [x for x in xs if x is not None]
    return round(statistics.fmean(v), 4) if v else None


def _pooled(items: list[dict[str, Any] | None]) -> dict[str, Any] | None:
    got = [x for x in items if x]
    if not got:
        return None
    n, ok = sum(x["patients"] for x in got), sum(x["on_time"] for x in got)
    return {"patients": n, "on_time": ok, "share": round(ok / n, 4) if n else None}


def aggregate(runs: list[dict[str, Any]]) -> dict[str, Any]:
    groups: dict[tuple[float, str], list[dict[str, Any]]] = {}
    for r in runs:
        groups.setdefault((r["load"], r["policy"]), []).append(r)
    out = {}
    for (load, policy), rs in sorted(groups.items()):
        ms = [r["metrics"] for r in rs]
        book = [x for r in rs for x in r.get("booking_seconds_all", [])]
        outs = [x for r in rs for x in r.get("outage_seconds_all", [])]
        out[f"{load}/{policy}"] = {
            "load": load,
            "policy": policy,
            "seeds": sorted(r["seed"] for r in rs),
            "offered_load": _mean([r.get("offered_load") for r in rs]),
            "on_time_all": _mean([m["on_time_all"] for m in ms]),
            "on_time": {
                u: _mean([m["on_time"][u]["share"] for m in ms])
                for u in ("emergency", "urgent", "palliative", "radical")
            },
            # children under anesthesia, pooled over the seeds (few per run)
            "on_time_children": {
                u: _pooled([m.get("on_time_children", {}).get(u) for m in ms])
                for u in ("emergency", "urgent", "palliative", "radical")
            },
            "wait_days_mean": _mean([m["wait_days_mean"] for m in ms]),
            "wait_days_p90": _mean([m["wait_days_p90"] for m in ms]),
            "interruption_days": _mean([m["interruption_days"] for m in ms]),
            "interruption_days_outage": _mean([m["interruption_days_outage"] for m in ms]),
            "main_machine_share": _mean([m["main_machine_share"] for m in ms]),
            "drift_min_mean": _mean([m["drift_min_mean"] for m in ms]),
            "utilisation_mean": _mean([m["utilisation_mean"] for m in ms]),
            "unscheduled": _mean([m["unscheduled"] for m in ms]),
            "patients": _mean([m["patients"] for m in ms]),
            "sessions_per_day": _mean([r["sessions_per_day"] for r in rs]),
            "booking_seconds": {
                "p50": round(percentile(book, 0.5), 3),
                "p95": round(percentile(book, 0.95), 3),
                "p99": round(percentile(book, 0.99), 3),
                "max": round(max(book, default=0), 3),
            },
            "outage_seconds": {
                "p50": round(percentile(outs, 0.5), 4),
                "p95": round(percentile(outs, 0.95), 4),
                "max": round(max(outs, default=0), 4),
            },
            "changed_per_outage_mean": _mean([r["changed_per_outage_mean"] for r in rs]),
        }
    return out


def table(agg: dict[str, Any]) -> str:
    def f(x: Any, pct: bool = False) -> str:
        if x is None:
            return "-"
        if pct:
            return f"{100 * x:.1f}%"
        return f"{x:.2f}".rstrip("0").rstrip(".") if isinstance(x, float) else str(x)

    lines = [
        "| load | policy | seeds | offered | on time all | emerg. | emerg. children | urgent | "
        "pall. | radical | wait mean | wait p90 | interr. days (outage) | main machine | "
        "drift min | util. | sessions/day | book p50/p95/max s | outage p95 s | moved/outage |",
        "|" + "---|" * 20,
    ]
    for v in agg.values():
        o = v["on_time"]
        kid = (v.get("on_time_children") or {}).get("emergency")
        kids = f"{f(kid['share'], True)} ({kid['on_time']}/{kid['patients']})" if kid else "-"
        lines.append(
            f"| {v['load']} | {v['policy']} | {len(v['seeds'])} | {f(v['offered_load'], True)} | "
            f"{f(v['on_time_all'], True)} | {f(o['emergency'], True)} | {kids} | "
            f"{f(o['urgent'], True)} | "
            f"{f(o['palliative'], True)} | {f(o['radical'], True)} | {f(v['wait_days_mean'])} | "
            f"{f(v['wait_days_p90'])} | {f(v['interruption_days'])} "
            f"({f(v['interruption_days_outage'])}) | {f(v['main_machine_share'], True)} | "
            f"{f(v['drift_min_mean'])} | {f(v['utilisation_mean'], True)} | "
            f"{f(v['sessions_per_day'])} | {v['booking_seconds']['p50']}/"
            f"{v['booking_seconds']['p95']}/{v['booking_seconds']['max']} | "
            f"{v['outage_seconds']['p95']} | {f(v['changed_per_outage_mean'])} |"
        )
    return "\n".join(lines) + "\n"


def bench(
    seeds: list[int],
    loads: list[float],
    *,
    warmup: int = 8,
    weeks: int = 26,
    time_limit: float = 2.0,
    out_dir: str | Path = "benchmarks/results",
    policies: tuple[str, ...] = ("baseline", "optimizer"),
    name: str = "rt6",
    log: Any = print,
    existing_only: bool = False,
    scenario: str = "rt6",
) -> dict[str, Any]:
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    runs = []
    t0 = time.time()
    for load in loads:
        for seed in seeds:
            for policy in policies:
                path = _run_path(out, scenario, load, seed, policy, warmup, weeks)
                if existing_only and not path.exists():
                    continue  # aggregate what has finished, e.g. while a long run goes on
                r = run_one(seed, load, policy, warmup, weeks, time_limit, out, scenario)
                runs.append(r)
                m = r["metrics"]
                log(
                    f"[{time.time() - t0:7.0f}s] load {load} seed {seed} {policy:9s} "
                    f"on-time {m['on_time_all']} wait {m['wait_days_mean']} "
                    f"book p95 {r['booking_seconds']['p95']}s wall {r['wall_seconds']}s "
                    f"(loadavg {_load_avg()})"
                )
                agg = aggregate(runs)
                meta = {
                    "scenario": scenario,
                    "seeds": seeds,
                    "loads": loads,
                    "warmup_weeks": warmup,
                    "measured_weeks": weeks,
                    "time_limit": time_limit,
                    "python": platform.python_version(),
                    "cpus": os.cpu_count(),
                    "finished_runs": len(runs),
                    "planned_runs": len(seeds) * len(loads) * len(policies),
                }
                (out / f"{name}.json").write_text(
                    json.dumps({"meta": meta, "results": agg}, indent=1)
                )
                (out / f"{name}.md").write_text(
                    f"# {name}: {len(runs)}/{meta['planned_runs']} runs, warm-up {warmup} "
                    f"weeks, measured {weeks} weeks, time limit {time_limit}s\n\n" + table(agg)
                )
    return aggregate(runs)


def hindsight(
    seed: int,
    load: float,
    *,
    weeks: int = 2,
    tail_weeks: int = 10,
    time_limit: float = 2.0,
    offline_limit: float = 60.0,
) -> dict[str, Any]:
    """Gap of the online optimizer to the hindsight schedule (every arrival known in advance),
    on `weeks` of arrivals with no warm-up and no unplanned outages (the hindsight model would
    otherwise also have to foresee breakdowns)."""
    scn = generate(seed, load, warmup_weeks=0, measured_weeks=weeks, tail_weeks=tail_weeks)
    scn.outages = []
    online = run(scn, "optimizer", time_limit=time_limit)
    pats = [p for day in scn.arrivals for p in day]
    inst = scn.instance(pats)
    t0 = time.perf_counter()
    offline = solve(inst, method="decomposed", time_limit=offline_limit)
    t_off = time.perf_counter() - t0
    on_sched = online.schedule  # type: ignore[attr-defined]
    on_sched.instance.patients = pats
    on_sol = on_sched.to_solution()
    on_m = metrics(inst, on_sol)
    off_m = metrics(inst, offline)

    def total(m: dict[str, Any]) -> int:
        return sum(m["penalties"].values())

    def gap(a: float | None, b: float | None) -> float | None:
        if a is None or b is None or b == 0:
            return None
        return round((a - b) / b, 4)

    return {
        "seed": seed,
        "load": load,
        "weeks": weeks,
        "patients": len(pats),
        "online": {
            k: on_m[k]
            for k in (
                "on_time_all",
                "wait_days_mean",
                "wait_days_p90",
                "main_machine_share",
                "drift_min_mean",
                "penalties",
            )
        },
        "hindsight": {
            k: off_m[k]
            for k in (
                "on_time_all",
                "wait_days_mean",
                "wait_days_p90",
                "main_machine_share",
                "drift_min_mean",
                "penalties",
            )
        },
        "online_penalty": total(on_m),
        "hindsight_penalty": total(off_m),
        "penalty_gap": gap(total(on_m), total(off_m)),
        "wait_gap_days": round((on_m["wait_days_mean"] or 0) - (off_m["wait_days_mean"] or 0), 3),
        "hindsight_stage1": offline.metrics["solver"],
        "hindsight_seconds": round(t_off, 1),
    }
