"""One rt6c simulation at the 90% label, 8+26 weeks, printed as JSON (section 0m):

    PYTHONPATH=. python benchmarks/results/outage-replay-s6/order.py SEED POLICY OUTAGES_FIRST [GIVE_WAY]

OUTAGES_FIRST 1 rebooks each day's outages before its bookings (the order before session 6),
GIVE_WAY 0 turns off outage step 5 (a course that starts that day gives way)."""

import functools
import json
import sys

from linac_optimizer import simulate
from linac_optimizer.scenario import generate

seed, pol, first = int(sys.argv[1]), sys.argv[2], sys.argv[3] == "1"
give_way = len(sys.argv) < 5 or sys.argv[4] == "1"
if not give_way:
    simulate.rebook_outage = functools.partial(simulate.rebook_outage, give_way=False)
scn = generate(seed, 0.9, warmup_weeks=8, measured_weeks=26, scenario="rt6c")
r = simulate.run(scn, pol, time_limit=2.0, outages_first=first)
m = r.metrics
s = r.summary()
keys = (
    "interruption_days_outage",
    "on_time_all",
    "wait_days_mean",
    "drift_min_mean",
    "utilisation_mean",
)
out = {"seed": seed, "policy": pol, "outages_first": first, "give_way": give_way}
out.update({k: m[k] for k in keys})
out.update(
    on_time=m["on_time"],
    on_time_children=m["on_time_children"],
    outage_s=s["outage_seconds"],
    book_s=s["booking_seconds"],
    changed_per_outage=s["changed_per_outage_mean"],
    wall=s["wall_seconds"],
)
print(json.dumps(out))
