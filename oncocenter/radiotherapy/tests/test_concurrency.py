"""PostgreSQL: 50 concurrent API requests try to record the last remaining fraction; exactly one
succeeds. Each request targets its own scheduled session, so only the prescription's fraction count
(row lock + CHECK constraint) stands between them and over-delivery."""

import json
import threading
from collections import Counter

import pytest
from django.db import connection, connections
from django.test import Client

from oncocenter.accounts.services import token_issue
from oncocenter.radiotherapy.models import Delivery, Fraction, Prescription
from oncocenter.radiotherapy.tests.factories import make_world, past

REQUESTS = 50


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_fifty_concurrent_requests_record_the_last_fraction_exactly_once():
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL (DATABASE_URL=postgres://...)")
    w = make_world()
    w.ready()
    sessions = w.schedule()
    for i, f in enumerate(sessions[:4]):
        w.deliver(f, past(20 - i))
    last_seq = sessions[-1].sequence
    # 49 extra sessions, so each of the 50 requests has its own open session.
    Fraction.objects.bulk_create(
        [
            Fraction(prescription=w.rx, plan=w.plan, sequence=last_seq + 1 + i)
            for i in range(REQUESTS - 1)
        ]
    )
    targets = [
        sessions[-1].pk,
        *list(
            Fraction.objects.filter(prescription=w.rx, sequence__gt=last_seq).values_list(
                "pk", flat=True
            )
        ),
    ]
    _token, raw = token_issue(user=w.therapist, name="concurrency")
    barrier = threading.Barrier(REQUESTS)
    results: list[tuple[int, str]] = []
    lock = threading.Lock()

    def worker(i: int, fraction_id: int) -> None:
        client = Client(HTTP_AUTHORIZATION=f"Bearer {raw}")
        body = {
            "delivered_at": past(10, 9, i).isoformat(),
            "machine": w.linac.code,
            "identifiers": w.ids,
            "late_entry_reason": "entered from the console log",
            # the extra sessions have no booked day: a signed override
            "override_reason": "extra session of the concurrency test",
        }
        barrier.wait()
        try:
            r = client.post(
                f"/api/radiotherapy/fractions/{fraction_id}/deliveries",
                data=json.dumps(body),
                content_type="application/json",
            )
            code = r.json().get("code", "created") if r.status_code != 201 else "created"
            with lock:
                results.append((r.status_code, code))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=worker, args=(i, fid)) for i, fid in enumerate(targets)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()

    statuses = Counter(status for status, _ in results)
    codes = Counter(code for _, code in results)
    print(f"\nconcurrency: {dict(statuses)} {dict(codes)}")
    assert len(results) == REQUESTS
    assert statuses[201] == 1
    # The winner's last fraction completed the course: the others find it closed (or, had they
    # been serialised before the completion, the fractions exhausted).
    assert statuses[409] == REQUESTS - 1
    assert codes["course_closed"] + codes["fractions_exhausted"] == REQUESTS - 1
    rx = Prescription.objects.get(pk=w.rx.pk)
    assert rx.fractions_delivered == rx.number_of_fractions == 5
    assert Delivery.objects.filter(fraction__prescription=rx, status="recorded").count() == 5


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_fifty_concurrent_deliveries_of_the_same_booking_one_wins():
    """50 therapists record the same booked session at once: one delivery, one consumed booking."""
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL (DATABASE_URL=postgres://...)")
    import datetime as dt

    from oncocenter.scheduling.models import Booking, BookingStatus

    w = make_world()
    w.ready()
    first = w.schedule()[0]
    when = past(3, 9)
    booking = Booking.objects.create(
        fraction=first,
        prescription=w.rx,
        patient=w.patient,
        machine=w.linac,
        start=when,
        end=when + dt.timedelta(minutes=15),
        technique=w.rx.technique,
        booked_by=w.scheduler,
    )
    Fraction.objects.filter(pk=first.pk).update(scheduled_date=when.date(), machine=w.linac)
    _token, raw = token_issue(user=w.therapist, name="concurrency")
    barrier = threading.Barrier(REQUESTS)
    results: list[tuple[int, str]] = []
    lock = threading.Lock()

    def worker(i: int) -> None:
        client = Client(HTTP_AUTHORIZATION=f"Bearer {raw}")
        body = {
            "delivered_at": (when + dt.timedelta(minutes=2, seconds=i)).isoformat(),
            "machine": w.linac.code,
            "identifiers": w.ids,
            "late_entry_reason": "entered from the console log",
        }
        barrier.wait()
        try:
            r = client.post(
                f"/api/radiotherapy/fractions/{first.pk}/deliveries",
                data=json.dumps(body),
                content_type="application/json",
            )
            code = r.json().get("code", "created") if r.status_code != 201 else "created"
            with lock:
                results.append((r.status_code, code))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(REQUESTS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    statuses = Counter(status for status, _ in results)
    codes = Counter(code for _, code in results)
    print(f"\nsame booking: {dict(statuses)} {dict(codes)}")
    assert statuses[201] == 1 and statuses[409] == REQUESTS - 1
    assert codes["fraction_not_open"] == REQUESTS - 1
    assert Delivery.objects.filter(fraction=first, status="recorded").count() == 1
    booking.refresh_from_db()
    assert booking.status == BookingStatus.TREATED
