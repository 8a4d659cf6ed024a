"""The load benchmark's seed fills the run day with the demo's own running-department builder
(issue 18): on a database seeded before, `running_day_top_up` adds courses booked through the
services until today holds about the sessions asked for, and leaves a full day alone."""

import pytest
from django.utils import timezone

from oncocenter.audit.services import audit_verify
from oncocenter.demo.seed import linac_sessions_on, running_day_top_up, seed_demo
from oncocenter.scheduling.adapter import open_day_on_or_after
from oncocenter.scheduling.models import Booking, BookingStatus

pytestmark = pytest.mark.django_db


def test_top_up_adds_booked_courses_until_today_holds_the_target():
    seed_demo(size="small")
    first = running_day_top_up(target=1)
    assert first["sessions_before"] == first["sessions_after"]  # already there: nothing added
    before = first["sessions_before"]
    counts = running_day_top_up(target=before + 12)
    assert counts["sessions_before"] == before
    running = counts["running_department"]
    assert running["courses"] > 0 and running["booked"] >= running["courses"] - 2
    assert counts["sessions_after"] >= before + 6, counts
    assert counts["sessions_after"] == linac_sessions_on(open_day_on_or_after(timezone.localdate()))
    # Booked by a scheduler through the services, and the audit chain still verifies.
    assert not Booking.objects.filter(status=BookingStatus.BOOKED, booked_by__isnull=True).exists()
    assert audit_verify().ok
