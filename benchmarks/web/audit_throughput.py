"""Audit writes at N threads on PostgreSQL: how many `audit_record` calls a second the chain
heads let through, and their latency.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/oc_x ONCOCENTER_DATA_DIR=/tmp/oc-x \
        .venv/bin/python benchmarks/web/audit_throughput.py --threads 8 --seconds 20

Each thread appends events (a patient read, as a page does) in its own transaction and
connection for `--seconds`, each under its own request id as a request's would be (the id picks
the audit shard); prints events/s, p50/p95/p99 per append, and the load average.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.base")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--threads", type=int, default=8)
    parser.add_argument("--seconds", type=float, default=20)
    args = parser.parse_args()

    import django

    django.setup()
    from django.db import connection, connections

    from oncocenter.audit.context import AuditContext, bind_context, reset_context
    from oncocenter.audit.services import audit_record

    if connection.vendor != "postgresql":
        sys.exit("PostgreSQL only: set DATABASE_URL")
    times: list[float] = []
    lock = threading.Lock()
    end = time.monotonic() + args.seconds
    load_before = os.getloadavg()

    def worker(n: int) -> None:
        mine = []
        count = 0
        while time.monotonic() < end:
            count += 1
            token = bind_context(AuditContext(request_id=f"bench-{os.getpid()}-{n}-{count}"))
            started = time.perf_counter()
            try:
                audit_record(
                    action="read",
                    object_type="patients.patient",
                    object_id=str(n),
                    actor_username=f"bench{n}",
                    detail={"bench": True},
                )
            finally:
                reset_context(token)
            mine.append((time.perf_counter() - started) * 1000)
        connections.close_all()
        with lock:
            times.extend(mine)

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(args.threads)]
    started = time.monotonic()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.monotonic() - started
    ordered = sorted(times)

    def pct(p: float) -> float:
        return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]

    print(
        f"{args.threads} threads, {elapsed:.1f} s: {len(times)} events, "
        f"{len(times) / elapsed:.0f} events/s; per append p50 {statistics.median(times):.1f} ms, "
        f"p95 {pct(95):.1f} ms, p99 {pct(99):.1f} ms; "
        f"load average before {load_before}, after {os.getloadavg()}"
    )


if __name__ == "__main__":
    main()
