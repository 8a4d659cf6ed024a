"""50 concurrent attempts against one slot, one session, one patient's time and one ward
(PostgreSQL only: SQLite serialises writers, so it cannot show a race)."""

from __future__ import annotations

import threading
import time

import pytest
from django.db import connection, connections
from django.utils import timezone

from oncocenter.accounts.tests.factories import UserFactory
from oncocenter.clinics import services
from oncocenter.clinics.models import Admission, Appointment
from oncocenter.clinics.tests.factories import make_session, make_ward
from oncocenter.core.errors import Conflict
from oncocenter.patients.tests.factories import PatientFactory

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL (DATABASE_URL)"),
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]
N = 50


def _race(fn, n=N):
    """Run fn(i) in n threads released together; return (successes, conflicts, other errors)."""
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
    elapsed = time.perf_counter() - started
    print(
        f"\n{n} concurrent attempts: {len(ok)} ok, {len(conflicts)} conflicts, {len(errors)} errors, {elapsed:.2f}s"
    )
    return ok, conflicts, errors


def test_50_patients_race_for_one_slot():
    session = make_session(slots=4)
    slot = session.slots.first()
    patients = [PatientFactory() for _ in range(N)]
    staff = UserFactory()
    ok, conflicts, errors = _race(
        lambda i: services.appointment_book(
            by=staff, slot=slot, patient=patients[i], appointment_type="follow-up"
        )
    )
    assert errors == []
    assert len(ok) == 1 and len(conflicts) == N - 1
    assert Appointment.objects.filter(slot=slot, status="booked").count() == 1


def test_50_patients_race_for_a_ten_slot_session():
    session = make_session(slots=10)
    slots = list(session.slots.all())
    patients = [PatientFactory() for _ in range(N)]
    staff = UserFactory()
    ok, _conflicts, errors = _race(
        lambda i: services.appointment_book(
            by=staff, slot=slots[i % 10], patient=patients[i], appointment_type="follow-up"
        )
    )
    assert errors == []
    assert len(ok) == 10
    assert Appointment.objects.filter(session=session, status="booked").count() == 10
    assert Appointment.objects.filter(session=session).values("slot").distinct().count() == 10


def test_one_patient_50_sessions_same_time():
    day = make_session(slots=1).date
    sessions = [make_session(slots=1, day=day) for _ in range(N)]
    patient = PatientFactory()
    staff = UserFactory()
    ok, _conflicts, errors = _race(
        lambda i: services.appointment_book(
            by=staff, slot=sessions[i].slots.first(), patient=patient, appointment_type="follow-up"
        )
    )
    assert errors == []
    assert len(ok) == 1
    assert Appointment.objects.filter(patient=patient, status="booked").count() == 1


def test_50_admissions_race_for_five_beds():
    ward = make_ward(beds=5)
    patients = [PatientFactory() for _ in range(N)]
    now = timezone.now()
    staff = UserFactory()
    ok, conflicts, errors = _race(
        lambda i: services.admission_admit(
            by=staff, patient=patients[i], ward=ward, admitted_at=now
        )
    )
    assert errors == []
    assert len(ok) == 5 and len(conflicts) == N - 5
    assert Admission.objects.filter(bed__ward=ward, status="admitted").count() == 5
    assert Admission.objects.filter(status="admitted").values("bed").distinct().count() == 5
