"""Static test cases: a snapshot of a running department plus new patients to book.

A case is built from the online scenario: the department is run day by day with the greedy
baseline for `days` open days (so the book is realistic: courses started, continuing and
ending, QA half-days, outages already absorbed), then the remaining sessions from that day on
become fixed `booked` appointments of an ordinary `linac-schedule/1` instance, and `new`
patients drawn from the same generator, ready over the next `spread` open days, are added
without appointments. `linac-schedule solve` then books the new patients around the running
department, which is what a center's planner does every morning.

A running course is written as its remaining fractions (renumbered from 1, the first of them
lasting what it lasts), because the format has no "fractions already delivered" field; an
instance reader sees an ordinary fully booked patient.
"""

from __future__ import annotations

import datetime as dt
import random

from .model import Booked, Downtime, Instance, Machine, Patient
from .objective import TARGET_DAYS
from .scenario import generate, make_patient
from .simulate import run
from .timeline import Timeline

HORIZON_DAYS = 84


def snapshot_case(
    seed: int,
    load: float,
    new: int,
    *,
    days: int = 45,
    spread: int = 5,
    horizon_days: int = HORIZON_DAYS,
    scenario: str = "rt6",
) -> Instance:
    """The department after `days` open days of greedy booking at `load`, with `new`
    patients to book (ids N0001...)."""
    scn = generate(seed, load, warmup_weeks=days // 5 + 2, measured_weeks=1, scenario=scenario)
    res = run(scn, "baseline", days=days)
    sched = res.schedule  # type: ignore[attr-defined]
    today = days
    start = scn.days[today]
    tl_full = sched.tl
    end = start + dt.timedelta(days=horizon_days)
    machines = []
    for m in sched.instance.machines:
        dts = [
            Downtime(d.start, d.end, d.reason)
            for d in m.downtime
            if d.end.date() >= start and d.start.date() < end
        ]
        machines.append(Machine(m.id, list(m.techniques), m.open, m.close, dts))
    patients: list[Patient] = []
    for pid, frs in sched.sessions.items():
        p = sched.patients[pid]
        rest = [s for k, s in sorted(frs.items()) if s.day >= today and tl_full.dates[s.day] < end]
        if not rest:
            continue
        # a twice-daily course must not start the snapshot with the second session of a day
        first = rest[0]
        q = Patient(
            pid,
            max(p.ready_date, start),
            max(p.due_date, start),
            p.urgency,
            len(rest),
            p.pattern,
            p.technique,
            p.duration_min,
            first.end - first.start,
            preferred_window=p.preferred_window,
            anesthesia=p.anesthesia,
        )
        q.booked = [
            Booked(i, s.machine, tl_full.at(s.day, s.start)) for i, s in enumerate(rest, start=1)
        ]
        patients.append(q)
    rng = random.Random(f"snapshot/{seed}/{load}/{new}/{days}")
    inst = Instance(start, horizon_days, "Asia/Seoul", machines, patients, "KR", [])
    tl = Timeline(inst)
    for i in range(new):
        ready = tl.dates[min(len(tl) - 1, rng.randrange(spread))]
        r = rng.random()
        urg = (
            "emergency"
            if r < 0.03
            else "urgent"
            if r < 0.20
            else "palliative"
            if r < 0.55
            else "radical"
        )
        due = tl.dates[min(len(tl) - 1, tl.index[ready] + TARGET_DAYS[urg])]
        patients.append(make_patient(rng, f"N{i + 1:04d}", ready, due, urg, scenario=scenario))
    return inst
