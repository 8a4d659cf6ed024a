"""The demo schedule, and the adapter round trip on it: book a demo course, rebook after an outage."""

import datetime as dt

import pytest
from django.utils import timezone

from oncocenter.machines.models import DowntimeKind, MachineDowntime
from oncocenter.scheduling.models import Booking, BookingStatus
from oncocenter.scheduling.selectors import day_bounds

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo():
    from oncocenter.demo.seed import seed_demo

    created, counts = seed_demo(size="small")
    assert created
    return counts


def test_demo_books_courses_across_the_linacs_with_one_outage_and_passes_check(demo):
    counts = demo["scheduling"]
    assert counts["courses_booked"] >= 5, counts
    active = Booking.objects.filter(status=BookingStatus.BOOKED)
    assert active.values("machine").distinct().count() >= 4
    assert active.filter(anesthesia=True).exists()
    outage = MachineDowntime.objects.get(kind=DowntimeKind.OUTAGE)
    assert outage.rebook_summary["moved"] >= 1
    assert not active.filter(machine=outage.machine, start__lt=outage.end, end__gt=outage.start)
    # one QA window per LINAC over the next two weeks, and today's (the running department)
    assert MachineDowntime.objects.filter(kind=DowntimeKind.QA).count() == 7
    # children under sedation come first on their machine that day
    for b in active.filter(anesthesia=True)[:10]:
        begin, _end = day_bounds(timezone.localtime(b.start).date())
        earlier = active.filter(machine=b.machine, start__gte=begin, start__lt=b.start)
        assert not earlier.filter(anesthesia=False).exists(), b
    # The stored schedule, read back as an instance + solution, passes the engine's validator.
    from linac_optimizer.check import check
    from linac_optimizer.model import Appointment, Instance, Solution
    from oncocenter.scheduling import adapter

    first = Booking.objects.filter(status="booked").order_by("start").first()
    start = adapter.to_local_naive(first.start).date()
    data, index, _machines = adapter.build_instance(start_date=start, horizon_days=60)
    instance = Instance.from_json(data)
    for p in instance.patients:  # fixed patients: their own dates are the ready and due dates
        p.urgency = "palliative"
    apps = []
    for pid, code, start_s in index.by_slot:
        s = dt.datetime.fromisoformat(start_s)
        p = next(x for x in instance.patients if x.id == pid)
        fr = next(
            x.fraction for x in p.booked if x.machine == code and adapter.fmt(x.start) == start_s
        )
        apps.append(Appointment(pid, fr, code, s, s + dt.timedelta(minutes=p.duration(fr, code))))
    report = check(instance, Solution(apps))
    hard_rules = {"overlap", "downtime", "open-hours", "open-day", "technique", "anesthesia-first"}
    hard = [v for v in report.violations if v.rule in hard_rules]
    assert not hard, hard[:5]


def test_day_sessions_command_refuses_a_bad_date_and_counts_an_empty_day(capsys):
    from django.core.management import CommandError, call_command

    with pytest.raises(CommandError, match="--date: must be a date YYYY-MM-DD"):
        call_command("day_sessions", date="2026-13-01")
    call_command("day_sessions", date="2026-12-07")
    out = capsys.readouterr().out
    assert out.startswith("2026-12-07 (Monday)")
    assert "LINAC sessions: 0; other machines: 0" in out
