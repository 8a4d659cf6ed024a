"""Hypothesis: whatever sequence of check-ins and check-outs staff try, no room ever holds two
families on the same night and no stay exceeds the room's beds."""

import datetime as dt

from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.django import TestCase

from oncocenter.core.errors import Conflict, ValidationFailed
from oncocenter.pediatrics.tests.factories import ChildFactory, staff
from oncocenter.shelter import services
from oncocenter.shelter.models import ShelterStay
from oncocenter.shelter.tests.factories import ShelterRoomFactory

BASE = dt.date(2026, 1, 1)


op = st.tuples(
    st.sampled_from(["in", "out"]),
    st.integers(0, 1),  # room index
    st.integers(0, 30),  # day offset
    st.one_of(st.none(), st.integers(-2, 15)),  # nights (None = open-ended)
    st.integers(0, 4),  # guests
)


class ShelterInvariants(TestCase):
    @settings(max_examples=25, deadline=None)
    @given(st.lists(op, min_size=1, max_size=12))
    def test_no_shared_night_and_within_capacity(self, ops):
        rooms = [ShelterRoomFactory(capacity=3), ShelterRoomFactory(capacity=2)]
        child = ChildFactory()
        for kind, r, day, nights, guests in ops:
            start = BASE + dt.timedelta(days=day)
            try:
                if kind == "in":
                    end = None if nights is None else start + dt.timedelta(days=nights)
                    services.shelter_check_in(
                        by=staff(),
                        room=rooms[r],
                        patient=child,
                        guests=guests,
                        check_in=start,
                        check_out=end,
                    )
                else:
                    stay = ShelterStay.objects.filter(room=rooms[r], status="active").first()
                    if stay is not None:
                        services.shelter_check_out(by=staff(), stay=stay, check_out=start)
            except (Conflict, ValidationFailed):
                pass
        for room in rooms:
            stays = list(ShelterStay.objects.filter(room=room).exclude(status="cancelled"))
            for s in stays:
                assert 1 <= s.guests <= room.capacity
                assert s.check_out is None or s.check_out > s.check_in
                for o in stays:
                    if o.pk != s.pk:
                        assert not (
                            s.check_in < (o.check_out or dt.date.max)
                            and o.check_in < (s.check_out or dt.date.max)
                        )
