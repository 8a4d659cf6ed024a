"""Service rules: each one rejects bad input naming the field, and saves nothing."""

import datetime as dt

import pytest
from django.db import IntegrityError, transaction

from oncocenter.core.errors import Conflict, ValidationFailed
from oncocenter.pediatrics.tests.factories import ChildFactory, staff
from oncocenter.shelter import selectors, services
from oncocenter.shelter.models import ShelterStay, ShelterWaitlistEntry
from oncocenter.shelter.tests.factories import ShelterRoomFactory

pytestmark = pytest.mark.django_db


D = dt.date


def _field(exc) -> str:
    return exc.value.problems[0].field


def test_stay_overlap_rejected_back_to_back_allowed():
    room = ShelterRoomFactory()
    services.shelter_check_in(
        by=staff(),
        room=room,
        patient=ChildFactory(),
        guests=2,
        check_in=D(2026, 1, 1),
        check_out=D(2026, 1, 10),
    )
    with pytest.raises(Conflict) as e:
        services.shelter_check_in(
            by=staff(),
            room=room,
            patient=ChildFactory(),
            guests=2,
            check_in=D(2026, 1, 9),
            check_out=D(2026, 1, 12),
        )
    assert _field(e) == "check_in"
    services.shelter_check_in(
        by=staff(),
        room=room,
        patient=ChildFactory(),
        guests=2,
        check_in=D(2026, 1, 10),
        check_out=D(2026, 1, 12),
    )
    assert ShelterStay.objects.count() == 2


def test_check_out_before_check_in_rejected():
    with pytest.raises(ValidationFailed) as e:
        services.shelter_check_in(
            by=staff(),
            room=ShelterRoomFactory(),
            patient=ChildFactory(),
            guests=1,
            check_in=D(2026, 1, 5),
            check_out=D(2026, 1, 4),
        )
    assert _field(e) == "check_out"
    assert not ShelterStay.objects.exists()
    stay = services.shelter_check_in(
        by=staff(),
        room=ShelterRoomFactory(),
        patient=ChildFactory(),
        guests=1,
        check_in=D(2026, 1, 5),
    )
    with pytest.raises(ValidationFailed) as e:
        services.shelter_check_out(by=staff(), stay=stay, check_out=D(2026, 1, 5))
    assert _field(e) == "check_out"


def test_guests_above_capacity_rejected_in_service_and_db():
    room = ShelterRoomFactory(capacity=2)
    with pytest.raises(ValidationFailed) as e:
        services.shelter_check_in(
            by=staff(), room=room, patient=ChildFactory(), guests=3, check_in=D(2026, 1, 5)
        )
    assert _field(e) == "guests"
    with pytest.raises(IntegrityError), transaction.atomic():
        ShelterStay.objects.create(
            room=room, patient=ChildFactory(), guests=3, room_capacity=2, check_in=D(2026, 1, 5)
        )


def test_two_open_stays_in_a_room_refused_by_db():
    room = ShelterRoomFactory()
    ShelterStay.objects.create(
        room=room, patient=ChildFactory(), guests=1, room_capacity=3, check_in=D(2026, 1, 5)
    )
    with pytest.raises(IntegrityError), transaction.atomic():
        ShelterStay.objects.create(
            room=room, patient=ChildFactory(), guests=1, room_capacity=3, check_in=D(2026, 2, 5)
        )


def test_waitlist_ranked_with_reasons_and_housed():
    near = services.waitlist_add(
        by=staff(),
        patient=ChildFactory(),
        requested_on=D(2026, 1, 1),
        distance_km=10,
        financial_need="none",
        treatment_intensity="followup",
    )
    far = services.waitlist_add(
        by=staff(),
        patient=ChildFactory(),
        requested_on=D(2026, 1, 2),
        distance_km=350,
        financial_need="high",
        treatment_intensity="hsct",
    )
    ranked = selectors.waitlist_ranked()
    assert [r["entry"].pk for r in ranked] == [far.pk, near.pk]
    assert "350 km" in ranked[0]["reasons"][0].text
    with pytest.raises(Conflict):
        services.waitlist_add(
            by=staff(),
            patient=far.patient,
            requested_on=D(2026, 1, 3),
            distance_km=1,
            financial_need="low",
            treatment_intensity="hsct",
        )
    stay = services.shelter_check_in(
        by=staff(),
        room=ShelterRoomFactory(),
        patient=far.patient,
        guests=2,
        check_in=D(2026, 1, 5),
        waitlist_entry=far,
    )
    far.refresh_from_db()
    assert far.status == "housed" and far.stay == stay
    assert [r["entry"].pk for r in selectors.waitlist_ranked()] == [near.pk]
    with pytest.raises(ValidationFailed) as e:
        services.waitlist_add(
            by=staff(),
            patient=ChildFactory(),
            requested_on=D(2026, 1, 1),
            distance_km=10,
            financial_need="rich",
            treatment_intensity="hsct",
        )
    assert _field(e) == "financial_need"
    assert ShelterWaitlistEntry.objects.count() == 2
