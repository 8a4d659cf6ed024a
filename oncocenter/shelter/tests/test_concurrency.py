"""50 families try to check into the last free room at the same moment: exactly one gets it.

Needs PostgreSQL (row locks and the exclusion constraint); skipped on SQLite. Run with
DATABASE_URL=postgres://postgres@127.0.0.1:5432/oc_pediatric.
"""

import datetime as dt
import threading
import time

import pytest
from django.db import connections

from oncocenter.core.errors import Conflict
from oncocenter.pediatrics.tests.factories import ChildFactory, staff
from oncocenter.shelter import services
from oncocenter.shelter.models import ShelterRoom, ShelterStay
from oncocenter.shelter.tests.factories import ShelterHouseFactory

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


N = 50


def test_fifty_concurrent_check_ins_into_the_last_room_exactly_one_succeeds():
    house = ShelterHouseFactory()
    rooms = [ShelterRoom.objects.create(house=house, number=str(i), capacity=4) for i in range(3)]
    for r in rooms[:2]:  # every room but the last is taken
        services.shelter_check_in(
            by=staff(), room=r, patient=ChildFactory(), guests=2, check_in=dt.date(2026, 6, 1)
        )
    last = rooms[2]
    children = [ChildFactory() for _ in range(N)]
    barrier = threading.Barrier(N)
    outcomes: list[str] = []
    lock = threading.Lock()

    def attempt(i: int) -> None:
        try:
            barrier.wait()
            # Staggered check-in dates: every pair of requests shares at least one night.
            services.shelter_check_in(
                by=staff(),
                room=last,
                patient=children[i],
                guests=2,
                check_in=dt.date(2026, 6, 1) + dt.timedelta(days=i % 3),
                check_out=dt.date(2026, 6, 20),
            )
            result = "ok"
        except Conflict:
            result = "conflict"
        except Exception as exc:  # any other failure must fail the test
            result = f"error: {exc!r}"
        finally:
            connections.close_all()
        with lock:
            outcomes.append(result)

    started = time.perf_counter()
    threads = [threading.Thread(target=attempt, args=(i,)) for i in range(N)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    elapsed = time.perf_counter() - started

    assert len(outcomes) == N
    assert outcomes.count("ok") == 1, outcomes
    assert outcomes.count("conflict") == N - 1, outcomes
    assert ShelterStay.objects.filter(room=last).count() == 1
    print(
        f"\n{N} concurrent check-ins into the last room: 1 ok, {N - 1} conflicts in {elapsed:.2f} s"
    )


def test_database_exclusion_refuses_overlap_even_without_the_service():
    from django.db import IntegrityError, transaction

    room = ShelterRoom.objects.create(house=ShelterHouseFactory(), number="X", capacity=2)
    kw = {"room": room, "guests": 1, "room_capacity": 2}
    ShelterStay.objects.create(
        patient=ChildFactory(), check_in=dt.date(2026, 1, 1), check_out=dt.date(2026, 1, 10), **kw
    )
    with pytest.raises(IntegrityError), transaction.atomic():
        ShelterStay.objects.create(
            patient=ChildFactory(),
            check_in=dt.date(2026, 1, 5),
            check_out=dt.date(2026, 1, 6),
            **kw,
        )
    ShelterStay.objects.create(
        patient=ChildFactory(), check_in=dt.date(2026, 1, 10), check_out=dt.date(2026, 1, 12), **kw
    )
