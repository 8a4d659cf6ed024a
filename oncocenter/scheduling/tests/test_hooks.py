"""Scheduling answers the machines area's question: how many sessions are booked on a machine."""

from __future__ import annotations

import datetime as dt

import pytest

from oncocenter.machines.hooks import BOOKED_SESSIONS
from oncocenter.machines.services import booked_sessions
from oncocenter.scheduling import selectors, services
from oncocenter.scheduling.models import Booking

pytestmark = pytest.mark.django_db


def test_bookings_answer_the_machines_hook(w):
    assert selectors.booked_on_machine in BOOKED_SESSIONS.providers()
    services.course_book(course=w.course, by=w.scheduler)
    first = Booking.objects.filter(prescription=w.rx).order_by("start").first()
    machine = first.machine
    on_machine = Booking.objects.filter(machine=machine, status="booked").count()
    assert booked_sessions(machine=machine, start=first.start, end=first.end) == 1
    assert (
        booked_sessions(machine=machine, start=first.end, end=first.end + dt.timedelta(minutes=1))
        == 0
    )
    assert booked_sessions(machine=machine, start=first.start, end=None) == on_machine
    first.status = "cancelled"
    first.cancel_reason = "test"
    first.save()
    assert booked_sessions(machine=machine, start=first.start, end=first.end) == 0
