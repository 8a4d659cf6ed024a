"""Grow a seeded demo database on PostgreSQL to hospital size for the load benchmark.

    oncocenter seed --size full                           # 2,000 patients with their care
    python benchmarks/web/seed_hospital.py --patients 20000 --sessions-per-day 300 \
        --audit-events 1000000

Adds synthetic patients (no care records: they weigh on search, lists and indexes) until the
database holds `--patients`; fills the run day with about `--sessions-per-day` LINAC sessions
with the demo's own running-department builder (`oncocenter.demo.seed.running_day_top_up`:
courses prescribed, planned, checked and booked through the services, earlier sessions treated;
the demo's today is the day it was seeded, so a later run day is topped up); adds audit events
with a valid keyed chain until it holds `--audit-events` (then writes a checkpoint, so
`oncocenter audit-verify` passes), then runs ANALYZE. Prints what it did, the sessions a day
booked, and the time each step took.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
sys.path.insert(0, str(Path(__file__).resolve().parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.base")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--patients", type=int, default=20_000)
    parser.add_argument("--audit-events", type=int, default=1_000_000)
    parser.add_argument("--sessions-per-day", type=int, default=300)
    args = parser.parse_args()

    import django

    django.setup()
    from django.db import connection
    from django.db.models import Count
    from django.db.models.functions import TruncDate
    from synthetic import add_audit_events, add_patients

    from oncocenter.audit.services import checkpoint_write
    from oncocenter.demo.seed import running_day_top_up
    from oncocenter.patients.models import Patient
    from oncocenter.scheduling.adapter import center_tz
    from oncocenter.scheduling.models import Booking

    if connection.vendor != "postgresql":
        sys.exit("PostgreSQL only: set DATABASE_URL")
    started = time.perf_counter()
    have = Patient.objects.count()
    with connection.cursor() as cur:
        from synthetic import synthetic_patient_count

        add_patients(cur, synthetic_patient_count(cur) + max(0, args.patients - have))
    step = time.perf_counter()
    day = running_day_top_up(target=args.sessions_per_day)
    print(
        f"running day {day['day']}: {day['sessions_before']} LINAC sessions before, "
        f"{day['sessions_after']} after ({day.get('running_department', {})}); "
        f"{time.perf_counter() - step:.0f} s; load average {os.getloadavg()}"
    )
    step = time.perf_counter()
    add_audit_events(args.audit_events)
    print(f"audit events: {time.perf_counter() - step:.0f} s; load average {os.getloadavg()}")
    try:
        checkpoint_write()
    except Exception as exc:  # checkpoints switched off: the chain itself is still valid
        print(f"no checkpoint written: {exc}")
    with connection.cursor() as cur:
        cur.execute("ANALYZE")
    per_day = (
        Booking.objects.filter(status="booked", machine__kind="linac")
        .annotate(day=TruncDate("start", tzinfo=center_tz()))
        .values("day")
        .annotate(n=Count("pk"))
        .order_by("-n")
    )
    busiest = [row["n"] for row in per_day[:20]]
    from oncocenter.audit.models import AuditEvent

    print(
        f"patients {Patient.objects.count():,}; audit events "
        f"{AuditEvent.objects.order_by('-seq').values_list('seq', flat=True).first():,}; "
        f"booked LINAC sessions on the 20 busiest days: {busiest}; "
        f"{time.perf_counter() - started:.0f} s; load average {os.getloadavg()}"
    )


if __name__ == "__main__":
    main()
