import datetime as dt

import pytest

from oncocenter.demo.seed import seed_demo
from oncocenter.support import selectors
from oncocenter.support.models import (
    AidApplication,
    HSCTEpisode,
    PalliativeReferral,
    SchoolEnrollment,
    ShelterStay,
    ShelterWaitlistEntry,
)

pytestmark = pytest.mark.django_db


def test_demo_seeds_every_support_part_consistently():
    today = dt.date(2026, 11, 22)
    created, counts = seed_demo(size="small", today=today)
    assert created
    c = counts["support"]
    assert c["hsct_episodes"] >= 3 and HSCTEpisode.objects.count() == c["hsct_episodes"]
    assert SchoolEnrollment.objects.count() == c["school_enrollments"] > 0
    assert AidApplication.objects.filter(status="granted").exists()
    assert ShelterStay.objects.filter(status="active").exists()
    assert ShelterWaitlistEntry.objects.count() == c["shelter_waitlist"] > 0
    assert PalliativeReferral.objects.exists()
    assert len(selectors.waitlist_ranked()) == c["shelter_waitlist"]
    # No two stays of a room share a night.
    for stay in ShelterStay.objects.all():
        others = ShelterStay.objects.filter(room=stay.room).exclude(pk=stay.pk)
        for o in others:
            assert not (
                stay.check_in < (o.check_out or dt.date.max)
                and o.check_in < (stay.check_out or dt.date.max)
            )
