"""Replay the public Toulouse (IUCT-Oncopole) arrival files with our online optimizer and baseline.

Source: the public repository hugrau/radiotherapy-scheduling (code and data of "Radiotherapy
scheduling under patient arrival uncertainty", ECAI 2025). It has **no licence**, so nothing of
it is committed here: this script reads it from a path given on the command line, either a
checkout or a bare git directory (as the `fetch` tool leaves it), and writes only our own
results. Every assumption of the conversion is listed in benchmarks/README.md ("Toulouse
replay") and repeated in the docstrings below.

    PYTHONPATH=. python benchmarks/toulouse.py --source /path/to/radiotherapy-scheduling \
        [--instances 135224002065681560,...] [--policies baseline,optimizer] [--time-limit 2] \
        [--write-instance DIR] --out benchmarks/results/toulouse.json

Their files:
- `data/Fichier_Repartition_Hackathon_070723.xlsx`: one row per treatment site ("location"),
  sheet 1 the urgency (1 very urgent, 2 urgent, 3 normal, empty not specified), the period
  (1 daily, 2 every second day, 3 twice a day) and a priority per LINAC (0 forbidden,
  1 accepted, 2 preferred); sheet 2 the session minutes per LINAC. Read with the standard
  library (an .xlsx file is zipped XML), so no new dependency.
- `simulations/instances/instance_*.csv`: one row per patient, `scanner_date`,
  `validation_date`, `patient_location`, `urgency`.
- `simulations/simulations_res.csv`: their published results (`kpi_waiting_times`,
  `kpi_count_violated` per instance and configuration; `scenarios = 0` is their deterministic
  model).
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import io
import itertools
import json
import re
import subprocess
import sys
import time
import unicodedata
import xml.etree.ElementTree as ET
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from linac_optimizer.model import Instance, Machine, Patient
from linac_optimizer.scenario import Scenario
from linac_optimizer.timeline import open_dates

LOCATIONS_FILE = "data/Fichier_Repartition_Hackathon_070723.xlsx"
INSTANCES_DIR = "simulations/instances"
RESULTS_FILE = "simulations/simulations_res.csv"

# Their simulation (simulations/simulate_over_horizon.py): 50 calendar days from 2025-04-20,
# French business days (workalendar France), a 90-day scheduling horizon, an empty department
# on the first day.
START = dt.date(2025, 4, 20)
SIM_DAYS = 50
TAIL_DAYS = 90
TECHNIQUE = "RT"  # every machine can give every site; allowed_machines carries their table

# Their seven LINACs (globals.py `oncopole_linacs`): name, open, close, nominal slot minutes.
LINACS: list[tuple[str, str, str, int]] = [
    ("TOMO 2", "08:30", "19:54", 15),
    ("NOVA 3", "07:48", "19:48", 12),
    ("TOMO 4", "07:40", "20:00", 20),
    ("NOVA 5", "07:48", "19:48", 12),
    ("HALCYON 6", "07:48", "19:48", 12),
    ("TOMO 7", "08:00", "15:40", 20),
    ("HALCYON 8", "07:48", "19:48", 12),
]

# Their urgency 1/2/3/unspecified -> our classes (the late-start penalty weight and the on-time
# class; the due date itself is theirs: scanner date + 20 days for everyone).
URGENCY = {1: "urgent", 2: "palliative", 3: "radical", None: "radical"}
PATTERN = {1: "daily", 2: "alternate", 3: "bid"}


# -- reading ------------------------------------------------------------------------------------


class Source:
    """Files of their repository: a checkout directory or a bare git directory."""

    def __init__(self, path: str | Path):
        self.path = Path(path)
        self.bare = (self.path / "HEAD").is_file() and (self.path / "objects").is_dir()

    def read(self, rel: str) -> bytes:
        if self.bare:
            return subprocess.run(
                ["git", "--git-dir", str(self.path), "show", f"HEAD:{rel}"],
                check=True,
                capture_output=True,
            ).stdout
        return (self.path / rel).read_bytes()

    def list(self, rel_dir: str) -> list[str]:
        if self.bare:
            out = subprocess.run(
                ["git", "--git-dir", str(self.path), "ls-tree", "--name-only", f"HEAD:{rel_dir}"],
                check=True,
                capture_output=True,
                text=True,
            ).stdout
            return sorted(f"{rel_dir}/{n}" for n in out.split())
        return sorted(f"{rel_dir}/{p.name}" for p in (self.path / rel_dir).iterdir())


_NS = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
_RNS = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"


def _col(ref: str) -> int:
    n = 0
    for ch in re.sub(r"\d", "", ref):
        n = n * 26 + ord(ch.upper()) - 64
    return n - 1


def read_xlsx(data: bytes) -> dict[str, list[list[str | None]]]:
    """Every sheet of an .xlsx file as rows of cell texts (None for an empty cell)."""
    z = zipfile.ZipFile(io.BytesIO(data))
    shared: list[str] = []
    if "xl/sharedStrings.xml" in z.namelist():
        for si in ET.fromstring(z.read("xl/sharedStrings.xml")).findall(f"{_NS}si"):
            shared.append("".join(t.text or "" for t in si.iter(f"{_NS}t")))
    rels = {
        r.get("Id"): r.get("Target", "")
        for r in ET.fromstring(z.read("xl/_rels/workbook.xml.rels"))
    }
    out: dict[str, list[list[str | None]]] = {}
    for sh in ET.fromstring(z.read("xl/workbook.xml")).iter(f"{_NS}sheet"):
        target = rels[sh.get(f"{_RNS}id")].lstrip("/")
        target = target if target.startswith("xl/") else f"xl/{target}"
        rows: list[list[str | None]] = []
        for r in ET.fromstring(z.read(target)).iter(f"{_NS}row"):
            row: list[str | None] = []
            for c in r.findall(f"{_NS}c"):
                i = _col(c.get("r", "A"))
                while len(row) <= i:
                    row.append(None)
                v = c.find(f"{_NS}v")
                if v is not None and v.text is not None:
                    row[i] = shared[int(v.text)] if c.get("t") == "s" else v.text
                elif c.find(f"{_NS}is") is not None:
                    row[i] = "".join(t.text or "" for t in c.iter(f"{_NS}t"))
            rows.append(row)
        out[sh.get("name", "")] = rows
    return out


def normalize(name: str) -> str:
    """Their site-name cleaning (parsing_utils): lower case, accents and ligatures removed, a
    space between letters and digits."""
    s = name.lower().replace("œ", "oe").replace("æ", "ae")
    s = "".join(c for c in unicodedata.normalize("NFKD", s) if not unicodedata.combining(c))
    return re.sub(r"([a-zA-Z])(\d)|(\d)([a-zA-Z])", r"\1\3 \2\4", s).strip()


def _machine_name(header: str) -> str:
    """'NOVA3' -> 'NOVA 3' (their separate_letters_and_digits)."""
    letters = "".join(re.findall("[a-zA-Z]+", header))
    digits = "".join(re.findall(r"\d+", header))
    return f"{letters.upper()} {digits}"


def _int(v: str | None) -> int | None:
    if v is None or str(v).strip() == "":
        return None
    return int(float(v))


@dataclass
class Location:
    name: str
    urgency: int | None
    period: int
    priority: dict[str, int]  # machine -> 0 forbidden, 1 accepted, 2 preferred
    minutes: dict[str, int]  # machine -> session minutes (allowed machines only)

    @property
    def allowed(self) -> list[str]:
        return [m for m, p in self.priority.items() if p > 0]


def read_locations(xlsx: bytes) -> dict[str, Location]:
    """Sites from their .xlsx: sheet 1 urgency, period, priorities; sheet 2 minutes. Rows are
    matched by site name; an allowed machine without minutes gets its nominal slot."""
    sheets = list(read_xlsx(xlsx).values())
    if len(sheets) < 2:
        raise ValueError("locations file: expected two sheets (priorities, session minutes)")
    prio_rows, time_rows = sheets[0], sheets[1]
    nominal = {n: slot for n, _o, _c, slot in LINACS}
    p_head = [_machine_name(h) if h else "" for h in prio_rows[0]]
    t_head = [_machine_name(h) if h else "" for h in time_rows[0]]
    minutes: dict[str, dict[str, int]] = {}
    for row in time_rows[1:]:
        if not row or not row[0]:
            continue
        vals = {}
        for j, h in enumerate(t_head):
            if h in nominal and j < len(row) and _int(row[j]) is not None:
                vals[h] = int(_int(row[j]) or 0)
        minutes[normalize(row[0])] = vals
    out: dict[str, Location] = {}
    for row in prio_rows[1:]:
        if not row or not row[0]:
            continue
        name = normalize(row[0])
        prio = {h: _int(row[j]) or 0 for j, h in enumerate(p_head) if h in nominal and j < len(row)}
        period = _int(row[2] if len(row) > 2 else None) or 1
        mins = {m: minutes.get(name, {}).get(m) or nominal[m] for m, p in prio.items() if p > 0}
        out[name] = Location(name, _int(row[1] if len(row) > 1 else None), period, prio, mins)
    return out


@dataclass
class Arrival:
    patient_id: str
    scanner_date: dt.date
    validation_date: dt.date
    location: str
    urgency: int | None


def read_arrivals(data: bytes) -> list[Arrival]:
    rows = csv.DictReader(io.StringIO(data.decode("utf-8")))
    return [
        Arrival(
            r["patient_id"],
            dt.date.fromisoformat(r["scanner_date"]),
            dt.date.fromisoformat(r["validation_date"]),
            normalize(r["patient_location"]),
            _int(r.get("urgency")),
        )
        for r in rows
    ]


def published(results_csv: bytes) -> dict[str, dict[str, Any]]:
    """Their published KPIs per instance hash: the deterministic model's waiting and period
    violations, and the range over their stochastic configurations."""
    out: dict[str, dict[str, Any]] = {}
    for r in csv.DictReader(io.StringIO(results_csv.decode("utf-8"))):
        e = out.setdefault(
            r["instance_hash"], {"deterministic": None, "stochastic_wait": [], "stochastic_cv": []}
        )
        wait, cv = int(float(r["kpi_waiting_times"])), int(float(r["kpi_count_violated"]))
        if r["scenarios"] == "0":
            e["deterministic"] = {"waiting_business_days": wait, "periods_violated": cv}
        else:
            e["stochastic_wait"].append(wait)
            e["stochastic_cv"].append(cv)
    for e in out.values():
        w, c = e.pop("stochastic_wait"), e.pop("stochastic_cv")
        e["stochastic"] = (
            {"configs": len(w), "waiting_min": min(w), "waiting_max": max(w), "cv_min": min(c)}
            if w
            else None
        )
    return out


# -- conversion ---------------------------------------------------------------------------------


def _weekend_shift(d: dt.date, extra: int) -> dt.date:
    return d + dt.timedelta(days=extra) if d.weekday() >= 5 else d


def ready_date(a: Arrival) -> dt.date:
    """Theirs (generate_patients_from_instance): validation + 2 days, + 4 when that is a
    Saturday or Sunday."""
    d = a.validation_date + dt.timedelta(days=2)
    return a.validation_date + dt.timedelta(days=4) if d.weekday() >= 5 else d


def due_date(a: Arrival) -> dt.date:
    """Theirs: scanner date + 20 days, + 22 when that is a weekend day."""
    d = a.scanner_date + dt.timedelta(days=20)
    return a.scanner_date + dt.timedelta(days=22) if d.weekday() >= 5 else d


def fractions(loc: Location) -> int:
    """Theirs: 15 fractions when the period is 1 (daily), else 4 (they had no course lengths)."""
    return 15 if loc.period <= 1 else 4


def to_patient(a: Arrival, loc: Location) -> Patient:
    allowed = [machine_id(m) for m in loc.allowed]
    mins = {machine_id(m): loc.minutes[m] for m in loc.allowed}
    longest = max(mins.values())
    return Patient(
        id=f"T{a.patient_id}",
        ready_date=ready_date(a),
        due_date=max(due_date(a), ready_date(a)),
        urgency=URGENCY.get(loc.urgency if loc.urgency in URGENCY else None, "radical"),
        fractions=fractions(loc),
        pattern=PATTERN.get(loc.period, "daily"),
        technique=TECHNIQUE,
        duration_min=longest,
        # our format has one first-session length for every machine; their sessions are all the
        # same length on a machine, so the first one is the longest allowed machine's
        first_duration_min=longest,
        allowed_machines=allowed,
        duration_by_machine=mins,
        extra={
            "site": a.location,
            "arrival_date": a.validation_date.isoformat(),
            "scanner_date": a.scanner_date.isoformat(),
            "preferred_machines": [machine_id(m) for m in loc.allowed if loc.priority[m] == 2],
        },
    )


def machine_id(name: str) -> str:
    """'NOVA 3' -> 'NOVA-3' (our machine ids have no spaces)."""
    return name.replace(" ", "-")


def machines() -> list[Machine]:
    def hm(s: str) -> int:
        h, m = s.split(":")
        return int(h) * 60 + int(m)

    return [Machine(machine_id(n), [TECHNIQUE], hm(o), hm(c), []) for n, o, c, _ in LINACS]


@dataclass
class Converted:
    scenario: Scenario
    dropped: list[tuple[str, str]] = field(default_factory=list)  # (patient id, why)

    def instance_json(self) -> dict[str, Any]:
        """All booked-on-arrival patients as one `linac-schedule/1` instance (no appointments):
        what `linac-schedule solve` would get with every arrival known in advance."""
        scn = self.scenario
        inst = Instance(
            scn.start_date,
            scn.horizon_days,
            "Europe/Paris",
            [Machine(m.id, list(m.techniques), m.open, m.close, []) for m in scn.machines],
            [p for day in scn.arrivals for p in day],
            "FR",
            [],
            {"source": "hugrau/radiotherapy-scheduling (converted by benchmarks/toulouse.py)"},
        )
        return inst.to_json()


def convert(
    locations: dict[str, Location],
    arrivals: list[Arrival],
    *,
    name: str = "toulouse",
    start: dt.date = START,
    sim_days: int = SIM_DAYS,
    tail_days: int = TAIL_DAYS,
) -> Converted:
    """Their replay as our online scenario: a patient is booked on the open day of its
    validation date, as in their simulation, which books the patients whose validation date
    *is* the current business day; patients validated on a weekend or a holiday, or after the
    50 days, are never booked there and are dropped here too (listed with the reason)."""
    mach = [Machine(m.id, m.techniques, m.open, m.close, []) for m in machines()]
    days = open_dates(start, sim_days, "FR")
    index = {d: i for i, d in enumerate(days)}
    per_day: list[list[Patient]] = [[] for _ in days]
    dropped: list[tuple[str, str]] = []
    for a in sorted(arrivals, key=lambda x: (x.validation_date, x.patient_id)):
        loc = locations.get(a.location)
        pid = f"T{a.patient_id}"
        if loc is None:
            dropped.append((pid, f"site {a.location!r} not in the locations file"))
            continue
        if not loc.allowed:
            dropped.append((pid, f"site {a.location!r} has no allowed machine"))
            continue
        i = index.get(a.validation_date)
        if i is None:
            why = (
                "validated after the simulated days"
                if a.validation_date >= start + dt.timedelta(days=sim_days)
                else "validated on a weekend or holiday"
            )
            dropped.append((pid, why))
            continue
        per_day[i].append(to_patient(a, loc))
    scn = Scenario(
        name=name,
        seed=0,
        load=0.0,
        start_date=start,
        horizon_days=sim_days + tail_days,
        machines=mach,
        arrivals=per_day,
        outages=[],
        days=days,
        measured_from=0,
        meta={"source": "hugrau/radiotherapy-scheduling"},
    )
    # simulate.run builds its instance from Scenario.instance(): French calendar, Paris time
    scn.instance = _french_instance(scn)  # type: ignore[method-assign]
    return Converted(scn, dropped)


def _french_instance(scn: Scenario) -> Any:
    def build(patients: list[Patient] | None = None) -> Instance:
        return Instance(
            scn.start_date,
            scn.horizon_days,
            "Europe/Paris",
            [Machine(m.id, list(m.techniques), m.open, m.close, []) for m in scn.machines],
            patients if patients is not None else [],
            "FR",
            [],
        )

    return build


# -- their indicators ---------------------------------------------------------------------------


def their_kpis(sched: Any, patient_ids: set[str]) -> dict[str, Any]:
    """Their two published indicators on our schedule (API/Solution.py):
    waiting = sum over patients of the business days from the ready date to the first session;
    periods violated = consecutive sessions on the same day, or more than period + 1 business
    days apart counting both ends (their rule flags twice-daily courses too; we count those
    separately)."""
    tl = sched.tl
    wait_sum = 0
    violated = violated_bid = 0
    for pid in patient_ids:
        p = sched.patients[pid]
        sess = sorted(sched.sessions.get(pid, {}).items())
        if not sess:
            continue
        first_day = sess[0][1].day
        ready = tl.index.get(p.ready_date)
        if ready is None:
            ready = next((i for i, d in enumerate(tl.dates) if d >= p.ready_date), first_day)
        wait_sum += max(0, first_day - ready)
        period = {"daily": 1, "alternate": 2, "bid": 3}[p.pattern]
        for (_k, a), (_k2, b) in itertools.pairwise(sess):
            inclusive = b.day - a.day + 1
            if a.day == b.day or inclusive > period + 1:
                if p.pattern == "bid" and a.day == b.day:
                    violated_bid += 1
                else:
                    violated += 1
    return {
        "waiting_business_days_sum": wait_sum,
        "periods_violated": violated,
        "bid_same_day_pairs": violated_bid,
    }


def utilisation_window(sched: Any, lo: int, hi: int) -> float:
    used = avail = 0
    for m in sched.instance.machines:
        for d in range(lo, hi):
            busy = sched.busy.get((m.id, d), [])
            used += sum(b.end - b.start for b in busy if b.patient)
            avail += (m.close - m.open) - sum(b.end - b.start for b in busy if not b.patient)
    return round(used / avail, 4) if avail else 0.0


def replay(conv: Converted, policy: str, time_limit: float) -> dict[str, Any]:
    from linac_optimizer import simulate

    scn = conv.scenario
    res = simulate.run(scn, policy, time_limit=time_limit)
    sched = res.schedule  # type: ignore[attr-defined]
    ids = {p.id for day in scn.arrivals for p in day}
    m = res.metrics
    n_days = len(scn.days)
    sessions_today = [
        sum(
            1 for mm in sched.instance.machines for b in sched.busy.get((mm.id, d), []) if b.patient
        )
        for d in range(n_days)
    ]
    out = {
        "policy": policy,
        "patients": len(ids),
        "unscheduled": len([p for p in ids if p in sched.unscheduled]),
        **their_kpis(sched, ids),
        "wait_mean_open_days": m.get("wait_days_mean"),
        "on_time_share": m.get("on_time_all"),
        "on_time": {u: v for u, v in m.get("on_time", {}).items() if v.get("patients")},
        "drift_min": m.get("drift_min_mean"),
        "main_machine_share": m.get("main_machine_share"),
        "utilisation_mean": m.get("utilisation_mean"),
        "utilisation_last_10_open_days": utilisation_window(sched, n_days - 10, n_days),
        "sessions_per_day_last_10": round(sum(sessions_today[-10:]) / 10, 1),
        "booking_seconds": res.summary()["booking_seconds"],
        "wall_seconds": round(res.wall_seconds, 1),
    }
    return out


def _loadavg() -> float:
    try:
        return float(Path("/proc/loadavg").read_text().split()[0])
    except OSError:
        return -1.0


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--source", required=True, help="their repository: checkout or bare git dir")
    ap.add_argument("--instances", default="", help="comma-separated instance hashes (default all)")
    ap.add_argument("--policies", default="baseline,optimizer")
    ap.add_argument("--time-limit", type=float, default=2.0)
    ap.add_argument("--write-instance", default="", help="directory for linac-schedule/1 files")
    ap.add_argument("--out", default="", help="JSON results (appended per instance)")
    args = ap.parse_args(argv)
    src = Source(args.source)
    locations = read_locations(src.read(LOCATIONS_FILE))
    pub = published(src.read(RESULTS_FILE))
    files = src.list(INSTANCES_DIR)
    want = {s for s in args.instances.split(",") if s}
    results: list[dict[str, Any]] = []
    out_path = Path(args.out) if args.out else None
    if out_path and out_path.exists():
        results = json.loads(out_path.read_text())
    for f in files:
        h = Path(f).stem.removeprefix("instance_")
        if want and h not in want:
            continue
        conv = convert(locations, read_arrivals(src.read(f)), name=f"toulouse-{h}")
        if args.write_instance:
            d = Path(args.write_instance)
            d.mkdir(parents=True, exist_ok=True)
            (d / f"toulouse-{h}.json").write_text(json.dumps(conv.instance_json(), indent=1))
        scn = conv.scenario
        n = sum(len(a) for a in scn.arrivals)
        offered = sum(
            p.fractions * p.duration_min for a in scn.arrivals for p in a
        )  # upper bound: longest allowed machine
        why: dict[str, int] = {}
        for _pid, w in conv.dropped:
            why[w] = why.get(w, 0) + 1
        for pol in [p for p in args.policies.split(",") if p]:
            t0 = time.time()
            load0 = _loadavg()
            r = replay(conv, pol, args.time_limit)
            r.update(
                instance=h,
                booked_patients=n,
                dropped=why,
                fractions=sum(p.fractions for a in scn.arrivals for p in a),
                offered_minutes_longest=offered,
                open_days=len(scn.days),
                published=pub.get(h),
                time_limit=args.time_limit,
                loadavg_start=load0,
                loadavg_end=_loadavg(),
                started=dt.datetime.fromtimestamp(t0, dt.UTC).isoformat(timespec="seconds"),
            )
            results = [x for x in results if (x["instance"], x["policy"]) != (h, pol)] + [r]
            print(
                f"{h} {pol}: patients {r['patients']} wait sum {r['waiting_business_days_sum']}"
                f" (theirs {(pub.get(h) or {}).get('deterministic')}) violated"
                f" {r['periods_violated']} on time {r['on_time_share']} drift {r['drift_min']}"
                f" util {r['utilisation_mean']} {r['wall_seconds']} s load {load0}",
                flush=True,
            )
            if out_path:
                out_path.write_text(json.dumps(results, indent=1))
    if out_path:
        md = out_path.with_suffix(".md")
        md.write_text(table(results))
    return 0


def table(results: list[dict[str, Any]]) -> str:
    head = (
        "| instance | patients (dropped) | policy | wait sum, business days | theirs det. |"
        " theirs stoch. min-max | periods violated (theirs det.) | wait mean | on time |"
        " drift min | util. 50 d / last 10 d | sessions/day last 10 | book p95 s | load |\n"
        "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|\n"
    )
    rows = []
    for r in sorted(results, key=lambda x: (x["instance"], x["policy"])):
        pub = r.get("published") or {}
        det = pub.get("deterministic") or {}
        sto = pub.get("stochastic") or {}
        rows.append(
            f"| {r['instance']} | {r['patients']} ({sum(r['dropped'].values())}) | {r['policy']} |"
            f" {r['waiting_business_days_sum']} | {det.get('waiting_business_days', '')} |"
            f" {sto.get('waiting_min', '')}-{sto.get('waiting_max', '')} |"
            f" {r['periods_violated']} ({det.get('periods_violated', '')}) |"
            f" {r['wait_mean_open_days']} | {r['on_time_share']} | {r['drift_min']} |"
            f" {r['utilisation_mean']} / {r['utilisation_last_10_open_days']} |"
            f" {r['sessions_per_day_last_10']} | {r['booking_seconds']['p95']} |"
            f" {r['loadavg_start']}-{r['loadavg_end']} |"
        )
    return head + "\n".join(rows) + "\n"


if __name__ == "__main__":
    sys.exit(main())
