"""rt6c 95% seed 1, 8+26 weeks, optimizer with held capacity switched off (diagnosis)."""

import json
import sys
import time

from linac_optimizer.scenario import generate
from linac_optimizer.simulate import run

variant = sys.argv[1]
kw = {
    "noacute": dict(acute_q=None, acute_slots_q=None),
    "noholds": dict(acute_q=None, acute_slots_q=None, morning_block=False),
}[variant]
scn = generate(1, 0.95, warmup_weeks=8, measured_weeks=26, scenario="rt6c")
t = time.time()
r = run(scn, "optimizer", time_limit=2.0, **kw)
s = r.summary()
m = s.get("metrics", s)
out = {
    k: m.get(k)
    for k in (
        "on_time_all",
        "wait_days_mean",
        "interruption_days_outage",
        "drift_min_mean",
        "utilisation_mean",
        "on_time",
    )
}
out["sessions_per_day"] = s.get("sessions_per_day")
out["wall"] = time.time() - t
print(json.dumps(out, default=str))
