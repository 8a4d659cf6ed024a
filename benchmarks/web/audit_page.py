"""The audit page's response time at the trail's current size, in process (no server).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/oc_x ONCOCENTER_DATA_DIR=/tmp/oc-x \
        .venv/bin/python benchmarks/web/audit_page.py --requests 60

Signs in an administrator (`bench-audit-admin`, created if missing) with Django's test client and
requests the audit page unfiltered, filtered by action, by user and by patient, and an older page
(keyset `before`), `--requests` times each; prints p50/p95/max, the SQL queries per page and
their time, the number of events (the planner's estimate) and the load average before and after.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.base")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=60)
    args = parser.parse_args()

    import django

    django.setup()
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from oncocenter.accounts.models import RoleAssignment, User
    from oncocenter.audit.models import AuditEvent
    from oncocenter.audit.selectors import audit_estimated_total

    user, _ = User.objects.get_or_create(username="bench-audit-admin")
    RoleAssignment.objects.get_or_create(user=user, role="administrator")
    client = Client(SERVER_NAME="localhost")
    client.force_login(user)
    middle = AuditEvent.objects.order_by("-seq").values_list("seq", flat=True)[5000:5001]
    with_patient = AuditEvent.objects.filter(patient_mrn__gt="").order_by("-seq")
    mrn = with_patient.values_list("patient_mrn", flat=True).first() or ""
    pages = {
        "audit page": "/audit/",
        "action filter": "/audit/?action=read",
        "user filter": "/audit/?user=radonc",
        "patient filter": f"/audit/?patient={mrn}",
        "older page (before)": f"/audit/?before={middle[0] if middle else 1}",
    }
    print(f"events (planner's estimate): {audit_estimated_total()}; load {os.getloadavg()}")
    for name, url in pages.items():
        times, sql = [], []
        for _ in range(args.requests):
            with CaptureQueriesContext(connection) as queries:
                started = time.perf_counter()
                response = client.get(url)
                times.append((time.perf_counter() - started) * 1000)
            sql.append(sum(float(q["time"]) for q in queries.captured_queries) * 1000)
            assert response.status_code == 200, (url, response.status_code)
        ordered = sorted(times)
        p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
        print(
            f"{name:22} {url[:40]:40} p50 {statistics.median(times):6.1f} ms  p95 {p95:6.1f} ms"
            f"  max {ordered[-1]:6.1f} ms  {len(queries)} queries, SQL p50 "
            f"{statistics.median(sql):5.1f} ms"
        )
    print(f"load average after {os.getloadavg()}")


if __name__ == "__main__":
    main()
