"""Two schedulers booking at the same moment (PostgreSQL: real row locks and exclusion)."""

import datetime as dt
import itertools
import threading

import pytest
from django.db import IntegrityError, connection, transaction

from oncocenter.core.errors import Conflict
from oncocenter.scheduling import services
from oncocenter.scheduling.models import Booking
from oncocenter.scheduling.tests.factories import at, linacs, next_open_day, ready_course, world

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def reference_data():
    """Transactional tests flush the tables between tests, data migrations included."""
    import importlib

    from django.apps import apps

    from oncocenter.radiotherapy.models import ChecklistItem

    if not ChecklistItem.objects.exists():
        migration = importlib.import_module(
            "oncocenter.radiotherapy.migrations.0002_load_reference_data"
        )
        migration.load(apps, None)


def _race(calls):
    barrier = threading.Barrier(len(calls))
    outcomes = []

    def run(call):
        try:
            barrier.wait()
            outcomes.append(("ok", call()))
        except Conflict as exc:
            outcomes.append(("conflict", exc.rule))
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(c,)) for c in calls]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    return outcomes


def test_two_schedulers_never_book_overlapping_sessions():
    machines = {m.code: m for m in linacs(3)}
    w1, w2 = world(), world()
    ready_course(w1, number_of_fractions=5, technique="IMRT")
    ready_course(w2, number_of_fractions=5, technique="IMRT")
    f1 = w1.schedule(start=w1.rx.created_at.date())[0]
    f2 = w2.schedule(start=w2.rx.created_at.date())[0]
    day = next_open_day()
    m = machines["LINAC-3"]
    for attempt in range(3):  # several rounds: the race must never let both through
        start = at(day, 9 + attempt * 2)
        outcomes = _race(
            [
                lambda s=start: services.booking_create(
                    fraction=f1, machine=m, start=s, by=w1.scheduler
                ),
                lambda s=start: services.booking_create(
                    fraction=f2, machine=m, start=s + dt.timedelta(minutes=10), by=w2.scheduler
                ),
            ]
        )
        kinds = sorted(k for k, _ in outcomes)
        assert kinds == ["conflict", "ok"], outcomes
        assert {v for k, v in outcomes if k == "conflict"} <= {
            "slot_taken",
            "fraction_already_booked",
        }
        Booking.objects.filter(status="booked").update(
            status="cancelled", cancel_reason="next round"
        )


def test_two_course_bookings_at_once_do_not_overlap():
    first = linacs(2)[0]
    worlds = [world(first), world(first)]
    for w in worlds:
        ready_course(w, number_of_fractions=10, technique="IMRT")
    outcomes = _race(
        [lambda w=w: services.course_book(course=w.course, by=w.scheduler) for w in worlds]
    )
    assert [k for k, _ in outcomes] == ["ok", "ok"]
    rows = list(Booking.objects.filter(status="booked").order_by("machine_id", "start"))
    assert len(rows) == 20
    for a, b in itertools.pairwise(rows):
        if a.machine_id == b.machine_id:
            assert a.end <= b.start


def test_database_exclusion_refuses_overlap_written_around_the_service():
    machines = {m.code: m for m in linacs(3)}
    w = world()
    ready_course(w, number_of_fractions=5, technique="IMRT")
    fractions = w.schedule(start=w.rx.created_at.date())
    day = next_open_day()
    b = services.booking_create(
        fraction=fractions[0], machine=machines["LINAC-3"], start=at(day, 9), by=w.scheduler
    )
    data = {f.name: getattr(b, f.name) for f in Booking._meta.concrete_fields if f.name != "id"}
    data.update(fraction=fractions[1], start=b.start + dt.timedelta(minutes=5), is_first=False)
    data["end"] = data["start"] + dt.timedelta(minutes=15)
    with pytest.raises(IntegrityError), transaction.atomic():
        Booking.objects.create(**data)
