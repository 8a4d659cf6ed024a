"""Demo data of the family shelter: houses, rooms (about two thirds occupied), stays, waitlist.

Called by ``oncocenter.demo.seed`` with the shared context (fixed seed), after the pediatric
record's seeder. Rows are written with the ORM in bulk for speed; values are chosen to satisfy every
rule the services enforce (the database constraints check them again).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from oncocenter.pediatrics.demo import children_of
from oncocenter.shelter.models import ShelterHouse, ShelterRoom, ShelterStay, ShelterWaitlistEntry

HOUSES = [("한빛 쉼터", "서울 종로구", 6), ("새싹 가족의 집", "서울 혜화동", 4)]


def seed(ctx: Any) -> None:
    rng, today = ctx.rng, ctx.today
    children = children_of(ctx)
    counts: dict[str, int] = {}

    # Shelter: houses, rooms (about two thirds occupied tonight), past stays, waitlist.
    rooms = []
    for name, address, n_rooms in HOUSES:
        house = ShelterHouse.objects.create(name=name, address=address)
        rooms += [
            ShelterRoom.objects.create(
                house=house, number=f"{r + 1:02d}", capacity=rng.choice([2, 3, 4])
            )
            for r in range(n_rooms)
        ]
    pool = list(children)
    rng.shuffle(pool)
    waiting, pool = pool[:6], pool[6:]
    stays = []
    for r in rooms:
        # Two past stays, back to back, and a current one in two rooms of three.
        start = today - dt.timedelta(days=rng.randint(200, 500))
        for _ in range(2):
            if not pool:
                break
            nights = rng.randint(7, 60)
            stays.append(
                ShelterStay(
                    room=r,
                    patient=pool.pop(),
                    guests=min(2, r.capacity),
                    room_capacity=r.capacity,
                    check_in=start,
                    check_out=start + dt.timedelta(days=nights),
                    status="checked_out",
                )
            )
            start += dt.timedelta(days=nights + rng.randint(0, 20))
        if pool and rng.random() < 0.67:
            stays.append(
                ShelterStay(
                    room=r,
                    patient=pool.pop(),
                    guests=min(2, r.capacity),
                    room_capacity=r.capacity,
                    check_in=today - dt.timedelta(days=rng.randint(1, 40)),
                    status="active",
                )
            )
    ShelterStay.objects.bulk_create(stays)
    counts["shelter_stays"] = len(stays)
    ShelterWaitlistEntry.objects.bulk_create(
        [
            ShelterWaitlistEntry(
                patient=c,
                requested_on=today - dt.timedelta(days=rng.randint(0, 20)),
                distance_km=rng.choice([45, 120, 180, 250, 320, 410]),
                financial_need=rng.choice(["none", "low", "moderate", "high"]),
                treatment_intensity=rng.choice(
                    ["outpatient_chemo", "radiotherapy", "intensive_chemo", "hsct", "palliative"]
                ),
                guests=2,
            )
            for c in waiting
        ]
    )
    counts["shelter_waitlist"] = len(waiting)
    ctx.counts["shelter"] = counts
