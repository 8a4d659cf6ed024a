"""Cases from a generator that is not `linac_optimizer/scenario.py` (issue 16: "other cases,
from a different generator, will also be used to judge it"), and a harness that runs them
through the command line as a judge would.

The generator writes plain `linac-schedule/1` files from its own distributions (DESIGN.md's
format section and docs/scheduler.md are the only things it relies on): 1, 3, 4, 8 or 10
machines with odd techniques and opening hours, tightly restricted `allowed_machines`,
per-machine durations, many children under anesthesia, heavy SBRT/SRS, twice-daily courses,
Korean holiday weeks plus `closed_dates`, large downtime blocks, ready and due dates already
past, preferred windows, empty instances, one-fraction courses, courses already started
(`booked`), and overloaded cases where not everyone fits. Nothing here imports the optimizer:
the harness only calls `python -m linac_optimizer solve|check` in a subprocess.

    PYTHONPATH=. python benchmarks/outside_cases.py --out-dir /tmp/outside --time-limit 10 \\
        --json benchmarks/results/outside-s5.json [--cases NAME,NAME] [--online]

For each case: `solve --method greedy` and `solve` (auto) with `--time-limit`, both checked by
`check`; with `--online`, the online mode too (`solve --booked-from CURRENT --new-patients ...
--today`, `--policy baseline` against the optimizer). A row is a *finding* when the optimizer
is invalid, crashes, exits 0 with patients unscheduled, is worse than greedy on waiting days or
the named penalty (fewer unscheduled patients first), or overruns its limit by more than 20%.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import random
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

D = dt.date
FMT = "linac-schedule/1"

# technique -> (duration range, extra minutes of the first session): deliberately not rt6c's
TECH = {
    "3DCRT": ((8, 14), (5, 15)),
    "ELECTRON": ((6, 10), (5, 10)),
    "VMAT": ((9, 16), (8, 20)),
    "TOMO": ((18, 25), (10, 15)),
    "SBRT": ((25, 50), (10, 20)),
    "SRS": ((35, 75), (15, 30)),
    "TBI": ((45, 60), (15, 15)),
}


def _hm(m: int) -> str:
    return f"{m // 60:02d}:{m % 60:02d}"


def _open_days(start: D, days: int, closed: set[D]) -> list[D]:
    # weekdays only: Korean public holidays come on top through holiday_calendar "KR"
    return [
        start + dt.timedelta(i)
        for i in range(days)
        if (start + dt.timedelta(i)).weekday() < 5 and start + dt.timedelta(i) not in closed
    ]


def machines(rng: random.Random, n: int, start: D, days: int, downtime: float) -> list[dict]:
    pool = list(TECH)
    out = []
    for i in range(n):
        k = rng.randint(1, min(4, len(pool)))
        techs = sorted(set(rng.sample(pool, k)) | ({"3DCRT"} if rng.random() < 0.6 else set()))
        op = rng.choice([6 * 60 + 45, 7 * 60 + 30, 8 * 60, 8 * 60 + 15, 9 * 60])
        cl = op + rng.choice([6 * 60 + 10, 8 * 60, 10 * 60 + 30, 12 * 60 + 20])
        cl = min(cl, 23 * 60 + 30)
        downs = []
        for d in range(days):
            day = start + dt.timedelta(d)
            if day.weekday() >= 5 or rng.random() > downtime:
                continue
            if rng.random() < 0.3:  # a whole-day service
                s, e = op, cl
            else:
                s = rng.randint(op, cl - 60)
                e = min(cl, s + rng.choice([30, 90, 180, 240]))
            downs.append(
                {
                    "start": f"{day}T{_hm(s)}",
                    "end": f"{day}T{_hm(e)}",
                    "reason": rng.choice(["QA", "service", "upgrade"]),
                }
            )
        out.append(
            {
                "id": f"M{i + 1:02d}-{rng.choice(['Halcyon', 'Versa', 'TB', 'Tomo'])}",
                "techniques": techs,
                "open": _hm(op),
                "close": _hm(cl),
                "downtime": downs,
            }
        )
    return out


def patient(
    rng: random.Random,
    pid: str,
    ms: list[dict],
    start: D,
    days: int,
    mix: dict[str, float],
) -> dict:
    have = sorted({t for m in ms for t in m["techniques"]})
    # 3% ask for a technique nobody has: a structural reason, never a silent drop
    tech = rng.choice(have) if rng.random() > 0.03 else "PROTON"
    (lo, hi), (f0, f1) = TECH.get(tech, ((10, 20), (5, 10)))
    dur = rng.randint(lo, hi)
    r = rng.random()
    if tech in ("SRS",):
        nfr = rng.choice([1, 1, 3, 5])
    elif tech in ("SBRT",):
        nfr = rng.choice([1, 3, 5, 8])
    elif tech == "TBI":
        nfr = rng.choice([2, 4, 6])
    elif r < mix.get("single", 0.15):
        nfr = 1
    else:
        nfr = rng.choice([5, 10, 15, 20, 25, 28, 30, 33, 35])
    pattern = "daily"
    if tech == "TBI" or rng.random() < mix.get("bid", 0.05):
        pattern = "bid"
        nfr = max(2, nfr)
    elif (tech == "SBRT" and rng.random() < 0.6) or rng.random() < 0.04:
        pattern = "alternate"
    urg = rng.choices(
        ["emergency", "urgent", "palliative", "radical"],
        weights=[mix.get("emergency", 0.05), 0.15, 0.3, 0.5],
    )[0]
    # a horizon that mostly holds the course; overloaded cases and late arrivals still spill
    ready = start + dt.timedelta(rng.randint(-10 if mix.get("past") else 0, min(days // 3, 15)))
    due = ready + dt.timedelta(
        {"emergency": 1, "urgent": 3, "palliative": 7, "radical": 21}[urg] + rng.randint(0, 3)
    )
    p: dict[str, Any] = {
        "id": pid,
        "ready_date": ready.isoformat(),
        "due_date": due.isoformat(),
        "urgency": urg,
        "fractions": nfr,
        "pattern": pattern,
        "technique": tech,
        "duration_min": dur,
        "first_duration_min": dur + rng.randint(f0, f1),
    }
    capable = [m["id"] for m in ms if tech in m["techniques"]]
    if capable and rng.random() < mix.get("restricted", 0.3):
        p["allowed_machines"] = rng.sample(capable, k=1 if rng.random() < 0.6 else len(capable))
        if rng.random() < 0.3 and len(p["allowed_machines"]) > 1:
            p["duration_by_machine"] = {
                m: dur + rng.randint(-3, 6) for m in p["allowed_machines"][1:]
            }
    if rng.random() < mix.get("window", 0.15):
        w0 = rng.choice([7 * 60, 9 * 60, 12 * 60, 15 * 60])
        p["preferred_window"] = [_hm(w0), _hm(w0 + rng.choice([90, 180, 240]))]
    if rng.random() < mix.get("child", 0.03):
        p["anesthesia"] = True
        p["first_duration_min"] += 15
        p["duration_min"] += 10
        p.pop("duration_by_machine", None)
    return p


CASES: dict[str, dict[str, Any]] = {
    # name: machines, patients, horizon, start, mix, downtime share, extra closed dates
    "empty": {"m": 3, "n": 0, "days": 14},
    "one-machine": {"m": 1, "n": 12, "days": 63},
    "one-machine-overload": {"m": 1, "n": 60, "days": 21},
    "three-odd-hours": {"m": 3, "n": 25, "days": 70, "mix": {"restricted": 0.7}},
    "four-children": {"m": 4, "n": 30, "days": 70, "mix": {"child": 0.5, "window": 0.3}},
    "eight-sbrt-srs": {"m": 8, "n": 45, "days": 63, "force": ["SBRT", "SRS"]},
    "ten-bid": {"m": 10, "n": 40, "days": 63, "mix": {"bid": 0.5}},
    "chuseok-downtime": {
        "m": 4,
        "n": 35,
        "days": 70,
        "start": D(2027, 9, 6),
        "down": 0.15,
        "closed": [D(2027, 9, 13), D(2027, 9, 17)],
    },
    "seollal-past-due": {
        "m": 3,
        "n": 30,
        "days": 63,
        "start": D(2027, 2, 1),
        "mix": {"past": 1, "emergency": 0.3},
    },
    "singles-windows": {"m": 4, "n": 40, "days": 35, "mix": {"single": 0.8, "window": 0.6}},
    "restricted-overload": {"m": 3, "n": 70, "days": 28, "mix": {"restricted": 0.9}},
    "eight-mid": {"m": 8, "n": 120, "days": 84, "mix": {"child": 0.08}},
    "running-ten": {"m": 10, "n": 90, "days": 70, "running": 160},
    # courses started before the horizon, written as their later fractions (docs/scheduler.md,
    # "Formats"): the first `underway` patients, some with a cancelled session in the middle
    "under-way": {"m": 4, "n": 40, "days": 56, "down": 0.0, "underway": 25},
    # issue 16's scale: ~400 new patients / ~6,000 fractions into a running department
    # (run it with --time-limit 30; it is not in the default list)
    "scale-400": {"m": 6, "n": 400, "days": 112, "running": 120, "mix": {"single": 0.02}},
}
DEFAULT = [c for c in CASES if c != "scale-400"]


def generate(name: str, seed: int, patients: int | None = None) -> dict:
    """One case: a `linac-schedule/1` instance (running cases carry `running_ids`: the patients
    to book first and keep as the current schedule). `patients`: that many new patients
    instead of the case's number (small cases for the tests)."""
    c = dict(CASES[name])
    if patients is not None:
        c["n"] = patients
        c["running"] = min(c.get("running", 0), patients)
        c["underway"] = min(c.get("underway", 0), patients)
    rng = random.Random(f"{name}-{seed}")
    start = c.get("start", D(2027, 4, 5))
    days = c["days"]
    ms = machines(rng, c["m"], start, days, c.get("down", 0.04))
    if "force" in c:
        for m in ms[: len(ms) // 2]:
            m["techniques"] = sorted(set(m["techniques"]) | {rng.choice(c["force"])})
    mix = c.get("mix", {})
    pats = []
    cursor: dict[tuple[str, D], int] = {}
    total = c["n"] + c.get("running", 0) + c.get("underway", 0)
    for i in range(total):
        p = patient(rng, f"X{i + 1:04d}", ms, start, days, mix)
        if "force" in c and rng.random() < 0.6:
            p["technique"] = rng.choice(c["force"])
            p["fractions"] = rng.choice([1, 3, 5])
            p["duration_min"] = rng.randint(30, 60)
            p["first_duration_min"] = p["duration_min"] + 15
            p.pop("allowed_machines", None)
            p.pop("duration_by_machine", None)
        if i < c.get("running", 0):
            p["ready_date"] = start.isoformat()
            p["due_date"] = max(D.fromisoformat(p["due_date"]), start).isoformat()
        if i < c.get("underway", 0):
            _under_way(rng, p, ms, start, cursor)
        pats.append(p)
    inst = {
        "format": FMT,
        "start_date": start.isoformat(),
        "horizon_days": days,
        "timezone": "Asia/Seoul",
        "holiday_calendar": "KR",
        "closed_dates": [d.isoformat() for d in c.get("closed", [])],
        "machines": ms,
        "patients": pats,
        "generator": f"outside_cases {name} seed {seed}",
    }
    if c.get("running"):
        inst["running_ids"] = [p["id"] for p in pats[: c["running"]]]
    return inst


def _under_way(
    rng: random.Random, p: dict, ms: list[dict], start: D, cursor: dict[tuple[str, D], int]
) -> None:
    """Write `p` as a daily course started weeks before `start`: fractions 1..done delivered
    (absent), the next ones booked on the first open days back to back on one machine, the
    rest to book; one course in four has the session of its second day cancelled (a missing
    fraction in the middle, with its day free). `cursor`: next free minute per machine-day."""
    capable = [m for m in ms if p["technique"] in m["techniques"]]
    if "allowed_machines" in p:
        capable = [m for m in capable if m["id"] in p["allowed_machines"]]
    if not capable:
        return
    m = rng.choice(capable)
    p.update(pattern="daily", fractions=max(p["fractions"], 10))
    p.pop("anesthesia", None)
    done = rng.randint(1, p["fractions"] - 6)
    days = [d for d in _open_days(start, 14, set())][:5]
    gap = rng.random() < 0.25
    dur = p.get("duration_by_machine", {}).get(m["id"], p["duration_min"])
    op, cl = (int(x[:2]) * 60 + int(x[3:]) for x in (m["open"], m["close"]))
    booked = []
    for j, day in enumerate(days):
        if gap and j == 1:
            continue
        t = cursor.get((m["id"], day), op)
        if t + dur > cl:
            return  # the machine is full: leave the patient as a new one
        booked.append((done + 1 + j, day, t))
    for _k, day, t in booked:
        cursor[(m["id"], day)] = t + dur
    p["booked"] = [
        {"fraction": k, "machine": m["id"], "start": f"{day}T{_hm(t)}"} for k, day, t in booked
    ]
    p["ready_date"] = (start - dt.timedelta(days=7 * (done // 5 + 2))).isoformat()
    p["due_date"] = (start - dt.timedelta(days=7 * (done // 5 + 1))).isoformat()


# --------------------------------------------------------------------------- harness


def _run(args: list[str], limit: float) -> tuple[int, float, float, str]:
    t0 = time.perf_counter()
    r0 = os.times()
    proc = subprocess.run(
        [sys.executable, "-m", "linac_optimizer", *args],
        capture_output=True,
        text=True,
        timeout=limit * 4 + 60,
    )
    r1 = os.times()
    cpu = (r1.children_user - r0.children_user) + (r1.children_system - r0.children_system)
    return proc.returncode, time.perf_counter() - t0, cpu, proc.stderr


def _check(inst_path: Path, sol_path: Path, only: set[str] | None) -> dict[str, Any]:
    proc = subprocess.run(
        [sys.executable, "-m", "linac_optimizer", "check", str(inst_path), str(sol_path)],
        capture_output=True,
        text=True,
    )
    out: dict[str, Any] = {"check_exit": proc.returncode}
    try:
        rep = json.loads(proc.stdout)
    except json.JSONDecodeError:
        out["check_error"] = proc.stderr[-400:]
        return out
    sol = json.loads(sol_path.read_text())
    out["violations"] = sorted({v["rule"] for v in rep.get("violations", [])})
    pen = sol.get("penalties", {})
    pids = only if only is not None else None
    tot = wait = 0
    for pid, named in pen.items():
        if pids is not None and pid not in pids:
            continue
        tot += sum(named.values())
        wait += named.get("waiting", 0) // 10
    out["penalty"] = tot
    out["waiting_days"] = wait
    uns = [u for u in sol.get("unscheduled", []) if pids is None or u["patient"] in pids]
    out["unscheduled"] = len(uns)
    out["reasons"] = sorted({u["reason"].split(":")[0][:60] for u in uns})
    solver = sol.get("metrics", {}).get("solver", {})
    out["method"] = solver.get("method")
    out["gap"] = solver.get("gap")
    return out


def _solve(args: list[str], inst: Path, sol: Path, limit: float, only: set[str] | None) -> dict:
    code, wall, cpu, err = _run(["solve", str(inst), "--out", str(sol), *args], limit)
    res: dict[str, Any] = {"exit": code, "wall": round(wall, 2), "cpu": round(cpu, 2)}
    res["traceback"] = "Traceback" in err
    if res["traceback"]:
        res["stderr"] = err[-600:]
    if sol.exists():
        res.update(_check(inst, sol, only))
    return res


def _current(inst: dict, running: list[str], base: Path, limit: float) -> dict[str, list]:
    """The running department: the `running` patients booked by `solve --method greedy`;
    returns each fully booked patient's sessions (the others are dropped from the cases)."""
    cur = dict(inst, patients=[p for p in inst["patients"] if p["id"] in set(running)])
    cpath = base.with_name(base.name + "-current-inst.json")
    cpath.write_text(json.dumps(cur))
    csol = base.with_name(base.name + "-current.json")
    _run(["solve", str(cpath), "--out", str(csol), "--method", "greedy"], limit)
    booked: dict[str, list] = {}
    for a in json.loads(csol.read_text())["appointments"]:
        booked.setdefault(a["patient"], []).append(
            {"fraction": a["fraction"], "machine": a["machine"], "start": a["start"]}
        )
    return booked


def _row(name: str, seed: int, mode: str, inst: dict, new_ids: set[str]) -> dict[str, Any]:
    return {
        "case": name,
        "seed": seed,
        "mode": mode,
        "machines": len(inst["machines"]),
        "patients": len(new_ids),
        "fractions": sum(p["fractions"] for p in inst["patients"] if p["id"] in new_ids),
    }


def run_case(name: str, seed: int, out_dir: Path, limit: float, online: bool) -> list[dict]:
    """Static rows (greedy vs auto) and, with `online`, the online rows (baseline vs
    optimizer booking the new patients into the current schedule) of one case."""
    inst = generate(name, seed)
    running = inst.pop("running_ids", None)
    base = out_dir / f"{name}-{seed}"
    rows = []
    booked: dict[str, list] = {}
    if running:
        booked = _current(inst, running, base, limit)
        # static solve of a running department: the current schedule is fixed as `booked`
        inst["patients"] = [
            dict(p, booked=booked[p["id"]]) if p["id"] in booked else p
            for p in inst["patients"]
            if p["id"] in booked or p["id"] not in set(running)
        ]
    new_ids = {p["id"] for p in inst["patients"] if "booked" not in p}
    only = new_ids if running else None
    ipath = base.with_suffix(".json")
    ipath.write_text(json.dumps(inst, ensure_ascii=False, indent=1))
    row = _row(name, seed, "static", inst, new_ids)
    row["booked_sessions"] = sum(len(v) for v in booked.values())
    lim = ["--time-limit", str(limit)]
    row["greedy"] = _solve(
        ["--method", "greedy", *lim], ipath, base.with_name(base.name + "-greedy.json"), limit, only
    )
    row["optimizer"] = _solve(lim, ipath, base.with_name(base.name + "-auto.json"), limit, only)
    rows.append(row)
    if online and len(inst["patients"]) >= 5:
        # the online mode: the current schedule (`running`, else the first 40% of the patients
        # booked greedily) given with --booked-from, the others booked by `--new-patients`
        # (a course under way the instance itself writes keeps its `booked` and is part of
        # the current schedule, completed there)
        pats = [
            {k: v for k, v in p.items() if k != "booked" or p["id"] not in booked}
            for p in inst["patients"]
        ]
        if not running:
            running = [p["id"] for p in pats if "booked" in p]
            running += [p["id"] for p in pats if "booked" not in p][: len(pats) * 2 // 5]
            booked = _current(dict(inst, patients=pats), running, base, limit)
            pats = [p for p in pats if p["id"] in booked or p["id"] not in set(running)]
        new = [p["id"] for p in pats if p["id"] not in set(running)]
        opath = base.with_name(base.name + "-online-inst.json")
        opath.write_text(json.dumps(dict(inst, patients=pats)))
        orow = _row(name, seed, "online", dict(inst, patients=pats), set(new))
        csol = base.with_name(base.name + "-current.json")
        for pol in ("baseline", "optimizer"):
            args = ["--booked-from", str(csol), "--new-patients", ",".join(new)]
            args += ["--today", inst["start_date"], "--policy", pol, *lim]
            spath = base.with_name(f"{base.name}-online-{pol}.json")
            orow[pol] = _solve(args, opath, spath, limit, set(new))
        rows.append(orow)
    for r in rows:
        r["findings"] = findings(r, limit)
    return rows


def findings(row: dict, limit: float) -> list[str]:
    g = row.get("greedy") or row.get("baseline") or {}
    o = row.get("optimizer") or {}
    out = []
    if o.get("traceback"):
        out.append("crash")
    if o.get("check_exit") not in (0, None) or o.get("violations"):
        out.append(f"invalid {o.get('violations')}")
    if o.get("exit") == 0 and o.get("unscheduled"):
        out.append("exit 0 with unscheduled")
    if o.get("unscheduled", 0) and o.get("exit") not in (3,):
        out.append(f"exit {o.get('exit')} with unscheduled")
    if "penalty" in o and "penalty" in g:
        if o["unscheduled"] > g["unscheduled"]:
            out.append("more unscheduled than greedy")
        elif o["unscheduled"] == g["unscheduled"]:
            if o["penalty"] > g["penalty"]:
                out.append("penalty worse than greedy")
            if o["waiting_days"] > g["waiting_days"]:
                out.append("waiting worse than greedy")
    if o.get("wall", 0) > 1.2 * limit + 1.0:  # +1 s: interpreter start and file I/O
        out.append(f"overran {o['wall']} s")
    return out


def table(rows: list[dict]) -> str:
    head = (
        "| case | seed | mode | machines | new patients (fractions) | unscheduled greedy / opt |"
        " waiting days greedy / opt | penalty greedy / opt | exit greedy / opt | wall s opt"
        " (cpu) | findings |\n|---|---|---|---|---|---|---|---|---|---|---|\n"
    )
    lines = []
    for r in rows:
        g = r.get("greedy") or r.get("baseline") or {}
        o = r.get("optimizer") or {}
        lines.append(
            f"| {r['case']} | {r['seed']} | {r['mode']} | {r['machines']} | {r['patients']}"
            f" ({r['fractions']}) | {g.get('unscheduled')} / {o.get('unscheduled')} |"
            f" {g.get('waiting_days')} / {o.get('waiting_days')} |"
            f" {g.get('penalty')} / {o.get('penalty')} | {g.get('exit')} / {o.get('exit')} |"
            f" {o.get('wall')} ({o.get('cpu')}) | {', '.join(r['findings']) or '-'} |"
        )
    return head + "\n".join(lines) + "\n"


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--cases", default=",".join(DEFAULT))
    ap.add_argument("--seeds", default="1")
    ap.add_argument("--time-limit", type=float, default=10.0)
    ap.add_argument("--out-dir", default="/tmp/outside-cases")
    ap.add_argument("--json")
    ap.add_argument("--online", action="store_true")
    a = ap.parse_args()
    out = Path(a.out_dir)
    out.mkdir(parents=True, exist_ok=True)
    rows: list[dict] = []
    for name in a.cases.split(","):
        for seed in [int(s) for s in a.seeds.split(",")]:
            for r in run_case(name, seed, out, a.time_limit, a.online):
                r["loadavg"] = round(os.getloadavg()[0], 2)
                rows.append(r)
                print(table([r]).splitlines()[-1], flush=True)
    if a.json:
        Path(a.json).write_text(json.dumps(rows, indent=1))
    print(table(rows))
    return 0


if __name__ == "__main__":
    sys.exit(main())
