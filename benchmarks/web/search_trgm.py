"""Name and MRN search at 200,000 patients on PostgreSQL: EXPLAIN ANALYZE before and after the
trigram indexes (migration patients 0009).

    createdb -h 127.0.0.1 -U postgres oc_trgm
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/oc_trgm ONCOCENTER_DATA_DIR=/tmp/oc-trgm \
        .venv/bin/oncocenter migrate
    DATABASE_URL=... ONCOCENTER_DATA_DIR=... .venv/bin/python benchmarks/web/search_trgm.py \
        --patients 200000

Tops the database up to `--patients` synthetic patients (SQL generate_series, see
synthetic.py), then runs the search page's own query (`patients.selectors._search_queryset`,
ordered and limited as the page does) for each probe twice: "before" with the trigram indexes
dropped inside a transaction that is rolled back, and "after" with them. Prints the plan's
top node and the execution time, and the load average beside them.
"""

from __future__ import annotations

import argparse
import os
import re
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
sys.path.insert(0, str(Path(__file__).resolve().parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.base")

PROBES = [
    ("Hangul full name", "강민영"),
    ("Hangul given name (2 chars)", "민영"),
    ("Hangul family name (1 char)", "김"),
    ("Latin given name", "minjun"),
    ("Latin family + given", "park seo"),
    ("MRN prefix", "8012345"),
]
TRGM = ["patient_name_ko_trgm", "patient_name_en_trgm", "patient_mrn_trgm"]


class _Rollback(Exception):
    pass


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--patients", type=int, default=200_000)
    parser.add_argument("--runs", type=int, default=3, help="take the best of this many runs")
    args = parser.parse_args()

    import django

    django.setup()
    from django.db import connection, transaction
    from synthetic import add_patients

    from oncocenter.patients.selectors import SEARCH_LIMIT, _search_queryset, search_order

    if connection.vendor != "postgresql":
        sys.exit("PostgreSQL only: set DATABASE_URL")
    with connection.cursor() as cur:
        add_patients(cur, args.patients)
        cur.execute("SELECT count(*) FROM patients_patient")
        total = cur.fetchone()[0]

    def explain(query: str) -> tuple[float, str, int]:
        qs = _search_queryset(query).order_by(*search_order(query))[:SEARCH_LIMIT]
        best: tuple[float, str, int] | None = None
        for _ in range(args.runs):
            plan = qs.explain(analyze=True)
            ms = float(re.search(r"Execution Time: ([0-9.]+) ms", plan).group(1))
            nodes = [ln.strip() for ln in plan.splitlines() if "->" in ln or ln is plan]
            scan = next((n for n in nodes if "Scan" in n), plan.splitlines()[0]).removeprefix("-> ")
            rows = len(list(qs))
            if best is None or ms < best[0]:
                best = (ms, scan.split("  (")[0], rows)
        assert best is not None
        return best

    results = []
    for label, q in PROBES:
        try:
            with transaction.atomic():
                with connection.cursor() as cur:
                    for name in TRGM:
                        cur.execute(f"DROP INDEX IF EXISTS {name}")
                before = explain(q)
                raise _Rollback
        except _Rollback:
            pass
        after = explain(q)
        results.append((label, q, before, after))

    print(f"{total:,} patients; load average {os.getloadavg()}")
    print(f"{'probe':<30}{'query':<12}{'rows':>5}{'before ms':>11}{'after ms':>10}  plan after")
    for label, q, before, after in results:
        print(f"{label:<30}{q:<12}{after[2]:>5}{before[0]:>11.1f}{after[0]:>10.1f}  {after[1]}")
        print(f"{'':<58}plan before: {before[1]}")


if __name__ == "__main__":
    main()
