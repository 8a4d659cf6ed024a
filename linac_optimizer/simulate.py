"""Day-by-day online simulation of a scenario under a booking policy (`linac-schedule simulate`).

Each open day: first the day's new patients (and anyone still waiting) are booked, earlier
bookings fixed, in the morning before the machines open; then the day's unplanned outages are
reported (at their start) and the hit sessions rebooked (before session 6 the outages came
first: `run(..., outages_first=True)`). Both policies see the same arrivals and outages, so the comparison is paired.
Metrics cover the patients who arrive in the measured weeks, computed by `check.metrics` from
the final schedule (courses that run past the last simulated day count as booked).
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass, field
from typing import Any

from .check import interruption_days, metrics
from .model import Appointment, Downtime, Patient
from .online import ArrivalStats, Reserve, book_day, booked_leads, rebook_outage
from .scenario import Scenario
from .state import Schedule

# quantile of the end-of-day block held for emergency and urgent arrivals (optimizer policy)
ACUTE_Q: float | None = None  # measured: no gain on rt6, see benchmarks/README.md section 4
# acute slots for the next ACUTE_DAYS open days (issue 16 item 4): the quantile of the daily
# emergency + urgent arrivals held as whole end-of-day first-session slots, released on the day
ACUTE_SLOTS_Q: float | None = 0.9
ACUTE_DAYS = 2
# ... sized against the queue: once palliative and radical courses booked over the last days
# start QUEUE_LIMIT open days or more after booking on average, the quantile held falls to
# ACUTE_SLOTS_Q_QUEUED (None: no acute slots); benchmarks/README.md section 7h (rt6c 95%
# seed 1: mean wait 4.70 open days holding the 90% quantile throughout, 1.51 with 0.5 under a
# queue, 1.56 with none; emergencies 71/76, 76/76, 75/76)
QUEUE_LIMIT: float | None = 1.0
ACUTE_SLOTS_Q_QUEUED: float | None = 0.5
# Order of a day's events (session 6). The day's patients are booked in the morning, before the
# machines open (scenario.py), and an unplanned outage is reported at its start, after that:
# so the outages come after the bookings. Before session 6 they came first, which let the hit
# sessions take the free minutes that the morning's same-day starts then did not get, a gain
# only for a policy that leaves today's minutes to same-day starts (benchmarks/README.md 0m).
OUTAGES_FIRST = False


def percentile(values: list[float], q: float) -> float:
    if not values:
        return 0.0
    s = sorted(values)
    return float(s[max(0, math.ceil(q * len(s)) - 1)])


@dataclass
class SimResult:
    policy: str
    seed: int
    load: float
    metrics: dict[str, Any]
    booking_seconds: list[float] = field(default_factory=list)
    outage_seconds: list[float] = field(default_factory=list)
    changed_per_outage: list[int] = field(default_factory=list)
    sessions_per_day: float = 0.0
    wall_seconds: float = 0.0

    def summary(self) -> dict[str, Any]:
        b, o = self.booking_seconds, self.outage_seconds
        return {
            "policy": self.policy,
            "seed": self.seed,
            "load": self.load,
            "metrics": self.metrics,
            "booking_seconds": {
                "p50": round(percentile(b, 0.5), 3),
                "p95": round(percentile(b, 0.95), 3),
                "max": round(max(b, default=0), 3),
                "days": len(b),
            },
            "outage_seconds": {
                "p50": round(percentile(o, 0.5), 3),
                "p95": round(percentile(o, 0.95), 3),
                "max": round(max(o, default=0), 3),
                "outages": len(o),
            },
            "changed_per_outage_mean": round(
                sum(self.changed_per_outage) / max(1, len(self.changed_per_outage)), 2
            ),
            "sessions_per_day": round(self.sessions_per_day, 1),
            "wall_seconds": round(self.wall_seconds, 1),
        }


def _apps(sched: Schedule, pid: str) -> list[Appointment]:
    tl = sched.tl
    return [
        Appointment(pid, k, s.machine, tl.at(s.day, s.start), tl.at(s.day, s.end))
        for k, s in sorted(sched.sessions.get(pid, {}).items())
    ]


def run(
    scn: Scenario,
    policy: str,
    *,
    time_limit: float = 2.0,
    days: int | None = None,
    progress: Any = None,
    morning_block: bool | None = None,
    acute_q: float | None = ACUTE_Q,
    acute_slots_q: float | None = ACUTE_SLOTS_Q,
    acute_slots_q_queued: float | None = ACUTE_SLOTS_Q_QUEUED,
    queue_limit: float | None = QUEUE_LIMIT,
    outages_first: bool = OUTAGES_FIRST,
) -> SimResult:
    t_wall = time.perf_counter()
    inst = scn.instance()
    sched = Schedule(inst)
    stats = ArrivalStats()
    # children are treated with 3D, IMRT or VMAT: their morning block goes on the machines
    # that do all three and are not needed for SRS/SBRT
    kid_techs = {"3D", "IMRT", "VMAT"}
    kids_machines = [
        m.id for m in inst.machines if kid_techs <= set(m.techniques) and "SBRT" not in m.techniques
    ] or [m.id for m in inst.machines if kid_techs & set(m.techniques)]
    if morning_block is None:
        morning_block = policy == "optimizer"
    all_machines = [m.id for m in inst.machines]
    # acute slots go first on the machines that can treat the most acute patients
    versatile = sorted(all_machines, key=lambda m: -len(inst.machine(m).techniques))
    waiting: list[Patient] = []
    out_by_day: dict[int, list] = {}
    for o in scn.outages:
        out_by_day.setdefault(o.day, []).append(o)
    res = SimResult(policy, scn.seed, scn.load, {})
    planned_interruptions: dict[str, int] = {}
    measured: set[str] = set()
    n_days = len(scn.days) if days is None else min(days, len(scn.days))

    def outages(today: int) -> None:
        for o in out_by_day.get(today, []):
            r = rebook_outage(sched, o.machine, o.start, o.end, policy=policy)
            inst.machine(o.machine).downtime.append(Downtime(o.start, o.end, "outage"))
            res.outage_seconds.append(r.seconds)
            res.changed_per_outage.append(sum(1 for c in r.changes))

    for today in range(n_days):
        if outages_first:
            outages(today)
        new = scn.arrivals[today]
        for p in new:
            inst.patients.append(p)
            if today >= scn.measured_from:
                measured.add(p.id)
        stats.observe_day(new)
        reserve = None
        if policy in ("optimizer", "stage1"):
            reserve = Reserve.from_stats(
                stats,
                all_machines,
                today,
                anesthesia_machines=kids_machines if morning_block else None,
                q_acute=acute_q if policy == "optimizer" else None,
                q_acute_slots=acute_slots_q if policy == "optimizer" else None,
                acute_days=ACUTE_DAYS,
                acute_machines=versatile,
                q_acute_slots_queued=acute_slots_q_queued,
                queue_limit=queue_limit,
            )
        todo = waiting + list(new)
        day = book_day(
            sched, todo, today=today, policy=policy, reserve=reserve, time_limit=time_limit
        )
        res.booking_seconds.append(day.seconds)
        waiting = [p for p in todo if p.id in day.unbookable]
        stats.observe_leads(
            booked_leads(sched, [p for p in todo if p.id in set(day.booked)], today)
        )
        for pid in day.booked:
            planned_interruptions[pid] = interruption_days(
                sched.patients[pid], _apps(sched, pid), sched.tl
            )
        if not outages_first:
            outages(today)
        if progress:
            progress(today, n_days, day)
    for p in waiting:
        sched.unscheduled[p.id] = "still waiting at the end of the simulation"
    sol = sched.to_solution()
    m = metrics(inst, sol, sched.tl, patient_ids=measured)
    # utilisation over the measured simulated days only
    lo, hi = scn.measured_from, n_days
    util = {}
    for mach in inst.machines:
        used = avail = 0
        for d in range(lo, hi):
            cap = mach.close - mach.open
            busy = sched.busy.get((mach.id, d), [])
            down = sum(b.end - b.start for b in busy if not b.patient)
            used += sum(b.end - b.start for b in busy if b.patient)
            avail += cap - down
        util[mach.id] = round(used / avail, 4) if avail else 0.0
    m["utilisation"] = util
    m["utilisation_mean"] = round(sum(util.values()) / len(util), 4)
    forced = 0
    for pid in measured:
        if pid in planned_interruptions:
            now = interruption_days(sched.patients[pid], _apps(sched, pid), sched.tl)
            forced += max(0, now - planned_interruptions[pid])
    m["interruption_days_planned"] = sum(
        v for k, v in planned_interruptions.items() if k in measured
    )
    m["interruption_days_outage"] = forced
    # children under anesthesia per urgency (issue 16: "including emergency children")
    kids: dict[str, dict[str, int]] = {}
    for p in inst.patients:
        if not p.anesthesia or p.id not in measured:
            continue
        k = kids.setdefault(p.urgency, {"patients": 0, "on_time": 0})
        k["patients"] += 1
        frs = sched.sessions.get(p.id)
        if frs and sched.tl.dates[min(x.day for x in frs.values())] <= p.due_date:
            k["on_time"] += 1
    m["on_time_children"] = {
        u: {**v, "share": round(v["on_time"] / v["patients"], 4)} for u, v in sorted(kids.items())
    }
    m["solve_seconds"] = round(sum(res.booking_seconds), 2)
    sessions = sum(
        len(sched.busy.get((mm.id, d), [])) for mm in inst.machines for d in range(lo, hi)
    )
    res.sessions_per_day = sessions / max(1, hi - lo)
    res.metrics = m
    res.wall_seconds = time.perf_counter() - t_wall
    res.schedule = sched  # type: ignore[attr-defined]
    return res
