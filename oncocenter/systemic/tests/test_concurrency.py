"""50 concurrent attempts to give one released dose, to release one day, and to record one lab
accession (PostgreSQL only: SQLite serialises writers, so it cannot show a race)."""

from __future__ import annotations

import datetime as dt
import threading
import time

import pytest
from django.db import connection, connections
from django.utils import timezone

from oncocenter.core.errors import Conflict
from oncocenter.labs.models import LabResult
from oncocenter.labs.services import lab_result_record
from oncocenter.systemic import services
from oncocenter.systemic.models import Administration, DayRelease

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL (DATABASE_URL)"),
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]
N = 50


def _race(fn, n=N):
    barrier = threading.Barrier(n)
    ok, conflicts, errors = [], [], []
    lock = threading.Lock()

    def run(i):
        try:
            barrier.wait()
            result = fn(i)
            with lock:
                ok.append(result)
        except Conflict as exc:
            with lock:
                conflicts.append(exc)
        except Exception as exc:
            with lock:
                errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(n)]
    started = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    print(
        f"\n{n} attempts: {len(ok)} ok, {len(conflicts)} conflicts, {len(errors)} errors, {time.perf_counter() - started:.2f}s"
    )
    return ok, conflicts, errors


def _verified(chain):
    order = services.order_create(
        patient=chain.patient,
        by=chain.doctor,
        regimen=chain.cross,
        diagnosis=chain.diagnosis,
        start_date=timezone.localdate(),
    )
    services.order_sign(order=order, by=chain.doctor)
    return services.order_verify(order=order, by=chain.pharmacist)


def test_one_day_released_once(chain):
    order = _verified(chain)
    ok, conflicts, errors = _race(
        lambda i: services.day_release(order=order, day=1, by=chain.nurse)
    )
    assert errors == [] and len(ok) == 1 and len(conflicts) == N - 1
    assert DayRelease.objects.filter(order=order, day=1).count() == 1


def test_one_dose_given_once(chain):
    order = _verified(chain)
    services.day_release(order=order, day=1, by=chain.nurse)
    dose = order.doses.select_related("drug").get(day=1, drug__drug="paclitaxel")
    start = timezone.make_aware(dt.datetime.combine(dose.on, dt.time(10)))

    def give(i):
        return services.administration_record(
            dose=dose,
            by=chain.nurse,
            checker=chain.nurse2,
            given_mg=dose.planned_mg,
            route="iv",
            product_expiry=timezone.localdate() + dt.timedelta(days=9),
            started_at=start,
            stopped_at=start + dt.timedelta(hours=1),
            identifiers=["name", "mrn"],
        )

    ok, conflicts, errors = _race(give)
    assert errors == [] and len(ok) == 1 and len(conflicts) == N - 1
    assert Administration.objects.filter(dose=dose).count() == 1


def test_one_accession_recorded_once(chain):
    at = timezone.now() - dt.timedelta(hours=2)
    ok, conflicts, errors = _race(
        lambda i: lab_result_record(
            patient=chain.patient,
            by=chain.nurse,
            loinc="777-3",
            value="55",
            unit="10*9/L",
            collected_at=at,
            accession="RACE-1",
        )
    )
    assert errors == [] and len(conflicts) == 0 and len(ok) == N
    assert sum(r.created for r in ok) == 1
    assert LabResult.objects.filter(accession="RACE-1").count() == 1
