"""Machine services: service state, QA windows and outages; booked sessions come from a hook."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from oncocenter.accounts.tests.factories import UserFactory
from oncocenter.core.errors import Conflict, NotFound, NotPermitted, ValidationFailed
from oncocenter.machines import selectors, services
from oncocenter.machines.hooks import BOOKED_SESSIONS
from oncocenter.machines.models import DowntimeKind, MachineDowntime
from oncocenter.machines.tests.factories import machine

pytestmark = pytest.mark.django_db


def staff(role: str):
    return UserFactory(roles=[role])


def next_open_day(after: dt.date | None = None, skip: int = 1) -> dt.date:
    """A weekday `skip` weekdays after `after` (machines know no holidays: any weekday will do)."""
    day = after or timezone.localdate()
    while skip:
        day += dt.timedelta(days=1)
        skip -= day.weekday() < 5
    return day


def at(day: dt.date, hour: int) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour)))


@pytest.fixture
def linac():
    return machine("LINAC-M1", ("3D", "IMRT"))


@pytest.fixture
def physicist():
    return staff("medical_physicist")


@pytest.fixture
def busy(monkeypatch):
    """A stand-in for the scheduling area: two sessions booked on every machine, any time."""
    calls = []

    def two(machine, start, end):
        calls.append((machine.code, start, end))
        return 2

    monkeypatch.setattr(BOOKED_SESSIONS, "_providers", [two])
    return calls


def test_out_of_service_refused_while_the_hook_reports_sessions_ahead(linac, physicist, busy):
    with pytest.raises(Conflict) as exc:
        services.machine_set_in_service(
            machine=linac, in_service=False, by=physicist, reason="repair"
        )
    assert exc.value.rule == "machine_has_bookings" and "2 booked session(s)" in exc.value.message
    assert busy[0][0] == "LINAC-M1" and busy[0][2] is None  # from now on
    linac.refresh_from_db()
    assert linac.in_service


def test_without_a_provider_nothing_is_booked(linac, physicist, monkeypatch):
    monkeypatch.setattr(BOOKED_SESSIONS, "_providers", [])
    services.machine_set_in_service(machine=linac, in_service=False, by=physicist, reason="repair")
    linac.refresh_from_db()
    assert not linac.in_service
    # Putting it back is never refused.
    services.machine_set_in_service(machine=linac, in_service=True, by=physicist, reason="fixed")


def test_qa_window_asks_about_its_own_interval(linac, physicist, busy):
    day = next_open_day()
    with pytest.raises(Conflict) as exc:
        services.qa_window_plan(
            machine=linac, start=at(day, 8), end=at(day, 9), reason="QA", by=physicist
        )
    assert exc.value.rule == "qa_overlaps_bookings"
    assert busy == [("LINAC-M1", at(day, 8), at(day, 9))]
    assert not MachineDowntime.objects.exists()


def test_outage_is_recorded_whatever_is_booked(linac, busy):
    therapist = staff("radiation_therapist")
    day = next_open_day()
    outage = services.outage_record(
        machine=linac, start=at(day, 8), end=at(day, 12), reason="MLC fault", by=therapist
    )
    assert outage.kind == DowntimeKind.OUTAGE and outage.reported_by == therapist
    assert busy == []
    with pytest.raises(NotPermitted):
        services.outage_record(
            machine=linac, start=at(day, 8), end=at(day, 12), reason="x", by=staff("nurse")
        )


@pytest.mark.parametrize(
    ("start_hour", "end_hour", "reason", "field"),
    [(10, 9, "QA", "end"), (9, 10, "  ", "reason")],
)
def test_downtime_input_named_by_field(linac, physicist, start_hour, end_hour, reason, field):
    day = next_open_day()
    with pytest.raises(ValidationFailed) as exc:
        services.qa_window_plan(
            machine=linac,
            start=at(day, start_hour),
            end=at(day, end_hour),
            reason=reason,
            by=physicist,
        )
    assert exc.value.problems[0].field == field


def test_downtime_longer_than_two_weeks_is_entered_in_parts(linac, physicist):
    day = next_open_day()
    with pytest.raises(ValidationFailed, match="enter it in parts"):
        services.qa_window_plan(
            machine=linac,
            start=at(day, 8),
            end=at(next_open_day(day, 15), 8),
            reason="upgrade",
            by=physicist,
        )


def test_machine_get_names_the_missing_code(linac):
    assert selectors.machine_get(code="LINAC-M1") == linac
    with pytest.raises(NotFound, match="NOPE"):
        selectors.machine_get(code="NOPE")
