"""Optimizer run (rt6c, 90%, 8+26 weeks): which measured emergencies start late, and did an
outage move them (section 0m):

    PYTHONPATH=. python benchmarks/results/outage-replay-s6/emergencies.py SEED OUTAGES_FIRST
"""

import json
import sys

from linac_optimizer import simulate
from linac_optimizer.scenario import generate

seed, first = int(sys.argv[1]), sys.argv[2] == "1"
scn = generate(seed, 0.9, warmup_weeks=8, measured_weeks=26, scenario="rt6c")
touched: dict = {}
real = simulate.rebook_outage


def wrap(sched, machine, start, end, **kw):
    r = real(sched, machine, start, end, **kw)
    for c in r.changes:
        if sched.patients[c.patient].urgency == "emergency":
            touched.setdefault(c.patient, []).append(
                (start.isoformat(), c.kind, c.fraction, str(c.old_start), str(c.new_start))
            )
    if r.started_late:  # emergency or urgent courses this outage made start late
        touched.setdefault("_started_late", []).append((start.isoformat(), r.started_late))
    return r


simulate.rebook_outage = wrap
res = simulate.run(scn, "optimizer", time_limit=2.0, outages_first=first)
sched = res.schedule
late = []
for d in range(scn.measured_from, len(scn.arrivals)):
    for p in scn.arrivals[d]:
        if p.urgency != "emergency":
            continue
        frs = sched.sessions.get(p.id)
        fd = sched.tl.dates[min(x.day for x in frs.values())] if frs else None
        if fd is None or fd > p.due_date:
            late.append(
                {
                    "id": p.id,
                    "arrived": d,
                    "due": str(p.due_date),
                    "first": str(fd),
                    "anesthesia": p.anesthesia,
                    "outage": touched.get(p.id),
                }
            )
out = {
    "seed": seed,
    "outages_first": first,
    "late": late,
    "started_late_events": touched.get("_started_late"),
    "emergency": res.metrics["on_time"]["emergency"],
    "urgent": res.metrics["on_time"]["urgent"],
    "interruption_days_outage": res.metrics["interruption_days_outage"],
    "wait_days_mean": res.metrics["wait_days_mean"],
    "outage_seconds": res.summary()["outage_seconds"],
}
print(json.dumps(out, indent=1, default=str))
