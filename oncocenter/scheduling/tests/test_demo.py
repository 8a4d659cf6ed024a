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
    # the seed's phases, in wall and in process CPU seconds (the latter load-independent)
    timing = counts["running_department"]
    assert set(timing["cpu_seconds"]) == set(timing["seconds"]) == {"prepare", "book", "total"}
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


# --- the demo's real day (issue 16): capacity arithmetic, and today's ended sessions treated ---


def test_full_demo_mix_offers_300_plus_sessions_at_a_realistic_mean_session():
    """The full demo's draw for today at the policy's session lengths: a 12-13 min mean session
    with the first fractions (DOMAIN.md), about one first fraction per 16-fraction course rather
    than the 11% the unweighted draw gave, and 300 sessions fit in the minutes the six LINACs
    have left after today's QA window and outage (90 min each) with room to spare."""
    from oncocenter.scheduling import demo as sched_demo
    from oncocenter.scheduling import policy

    for seed in range(5):
        mix = sched_demo.today_mix(sched_demo.TODAY_TARGET["full"], seed)
        assert 12.0 <= mix["mean_session_min"] <= 13.0, mix
        assert mix["first_fractions"] / mix["sessions"] < 0.10, mix
        left = 6 * 12 * 60 - 90 - 90
        assert 300 * mix["mean_session_min"] <= 0.95 * left, mix
        assert mix["minutes"] >= 0.97 * left  # the draw fills the day: today is full
    # every technique of the mix has a session length inside DOMAIN.md's typical slots
    ranges = {"3D": (10, 12), "ELECTRON": (10, 12), "IMRT": (12, 15), "VMAT": (12, 15)}
    ranges.update({"SBRT": (20, 40), "SRS": (20, 40)})
    for template, _w in sched_demo.DAY_MIX:
        lo, hi = ranges[template[1]]
        assert lo <= policy.session_minutes(template[1], first=False) <= hi, template


def test_draw_weights_make_starts_follow_the_mix():
    """A template's weight in the draw is its share of starts times the offsets it is drawn
    over, so a single fraction is not drawn as often as a 35-fraction course."""
    from oncocenter.scheduling import demo as sched_demo

    weights = sched_demo._draw_weights()
    for (t, w), dw in zip(sched_demo.DAY_MIX, weights, strict=True):
        span = min(sched_demo._span(t[3], t[4]), sched_demo.HISTORY_DAYS)
        assert dw == w * (span + sched_demo.AHEAD_DAYS)


def _booked_on(wld, fraction, linac, when):
    from oncocenter.radiotherapy import services as rt_services

    b = Booking.objects.create(
        fraction=fraction,
        prescription=wld.rx,
        patient=wld.patient,
        machine=linac,
        start=when,
        end=when + dt.timedelta(minutes=15),
        technique=wld.rx.technique,
        booked_by=wld.scheduler,
    )
    rt_services.fractions_follow_bookings(
        slots=[
            rt_services.SessionSlot(
                fraction_id=fraction.pk, scheduled_date=when.date(), machine_id=linac.pk
            )
        ]
    )
    return b


def test_sessions_of_today_that_ended_are_treated_the_rest_stay_booked(machines):
    """Seeded at 15:00 on an open day: the 09:00 session is recorded as treated (through the
    record-and-verify service), the 16:00 one stays booked; the day's counts and board keep
    both. On another day than the calendar day (a weekend seed) nothing is treated."""
    from unittest import mock

    from oncocenter.scheduling import adapter
    from oncocenter.scheduling import demo as sched_demo
    from oncocenter.scheduling.selectors import day_board, machine_day_counts
    from oncocenter.scheduling.tests.factories import at, ready_course, world

    morning, afternoon = world(), world()
    for wld in (morning, afternoon):
        ready_course(wld, number_of_fractions=5, technique="IMRT")
    day = adapter.add_open_days(timezone.localdate(), 1)  # in the future: after every signature
    linac = machines["LINAC-3"]
    done = _booked_on(morning, morning.schedule(start=day)[0], linac, at(day, 9))
    later = _booked_on(afternoon, afternoon.schedule(start=day)[0], linac, at(day, 16))
    staff = {
        "radiation_therapist": [morning.therapist],
        "medical_physicist": [morning.physicist, morning.physicist2],
    }
    with mock.patch("django.utils.timezone.now", return_value=at(day, 15)):
        other_day = adapter.add_open_days(day, 1)
        assert sched_demo.treat_finished_today(other_day, staff)["treated"] == 0
        result = sched_demo.treat_finished_today(day, staff)
    assert result["treated"] == 1 and not result["refused"], result
    done.refresh_from_db()
    later.refresh_from_db()
    assert done.status == BookingStatus.TREATED and later.status == BookingStatus.BOOKED
    row = next(r for r in machine_day_counts(day=day) if r.code == "LINAC-3")
    assert (row.sessions, row.treated) == (2, 1)
    assert day_board(day=day, audit=False).sessions == 2
    # A booking marked treated whose fraction was not delivered that day (treated early, off
    # schedule) took no slot on it: it is not one of the day's sessions.
    Booking.objects.filter(pk=later.pk).update(
        status=BookingStatus.TREATED, treated_at=at(day, 15) - dt.timedelta(days=1)
    )
    row = next(r for r in machine_day_counts(day=day) if r.code == "LINAC-3")
    assert (row.sessions, row.treated) == (1, 1)
    assert day_board(day=day, audit=False).sessions == 1
