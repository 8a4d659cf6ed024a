"""Clinics announces what happens to an appointment, inside the appointment's transaction."""

import pytest
from django.utils import timezone

from oncocenter.accounts.tests.factories import UserFactory
from oncocenter.clinics import services
from oncocenter.clinics.events import (
    AppointmentCancelled,
    AppointmentCompleted,
    AppointmentRescheduled,
)
from oncocenter.clinics.models import Appointment, ClinicSession
from oncocenter.clinics.tests.factories import make_session
from oncocenter.core import events
from oncocenter.patients.tests.factories import PatientFactory

pytestmark = pytest.mark.django_db


class Refused(Exception):
    pass


def _listen(monkeypatch, event_type, handler):
    """Add `handler` after the installed subscribers, for this test only."""
    monkeypatch.setitem(events._subscribers, event_type, [*events.subscribers(event_type), handler])


def _booked(slots=3):
    session = make_session(slots=slots)
    by = UserFactory()
    appt = services.appointment_book(
        by=by,
        slot=session.slots.order_by("starts_at").first(),
        patient=PatientFactory(),
        appointment_type="follow-up",
    )
    return session, appt, by


def test_completion_announces_the_appointment(monkeypatch):
    session, appt, by = _booked()
    ClinicSession.objects.filter(pk=session.pk).update(date=timezone.localdate())
    seen = []
    _listen(monkeypatch, AppointmentCompleted, seen.append)
    services.appointment_complete(by=by, appointment=appt)
    assert seen == [
        AppointmentCompleted(
            appointment_id=appt.pk, patient_id=appt.patient_id, starts_at=appt.starts_at
        )
    ]
    assert seen[0].name == "clinics.appointment_completed"


def test_cancellation_announces_the_appointment_and_its_slot(monkeypatch):
    _session, appt, by = _booked()
    seen = []
    _listen(monkeypatch, AppointmentCancelled, seen.append)
    services.appointment_cancel(by=by, appointment=appt, reason="patient called")
    assert seen == [
        AppointmentCancelled(
            appointment_id=appt.pk, patient_id=appt.patient_id, slot_id=appt.slot_id
        )
    ]


def test_rescheduling_announces_the_old_and_the_new_appointment(monkeypatch):
    session, appt, by = _booked()
    seen = []
    _listen(monkeypatch, AppointmentRescheduled, seen.append)
    new_slot = session.slots.order_by("starts_at")[1]
    new = services.appointment_reschedule(by=by, appointment=appt, new_slot=new_slot)
    assert seen == [
        AppointmentRescheduled(
            old_appointment_id=appt.pk, new_appointment_id=new.pk, patient_id=appt.patient_id
        )
    ]


def test_a_failing_subscriber_rolls_the_completion_back(monkeypatch):
    session, appt, by = _booked()
    ClinicSession.objects.filter(pk=session.pk).update(date=timezone.localdate())

    def refuse(event):
        raise Refused

    _listen(monkeypatch, AppointmentCompleted, refuse)
    with pytest.raises(Refused):
        services.appointment_complete(by=by, appointment=appt)
    assert Appointment.objects.get(pk=appt.pk).status == "booked"


def test_a_failing_subscriber_rolls_the_cancellation_back(monkeypatch):
    _session, appt, by = _booked()

    def refuse(event):
        raise Refused

    _listen(monkeypatch, AppointmentCancelled, refuse)
    with pytest.raises(Refused):
        services.appointment_cancel(by=by, appointment=appt, reason="patient called")
    assert Appointment.objects.get(pk=appt.pk).status == "booked"


def test_a_failing_subscriber_rolls_the_move_back(monkeypatch):
    session, appt, by = _booked()

    def refuse(event):
        raise Refused

    _listen(monkeypatch, AppointmentRescheduled, refuse)
    with pytest.raises(Refused):
        services.appointment_reschedule(
            by=by, appointment=appt, new_slot=session.slots.order_by("starts_at")[1]
        )
    appt.refresh_from_db()
    assert appt.status == "booked" and appt.rescheduled_to is None
    assert Appointment.objects.count() == 1


def test_check_in_announces_nothing(monkeypatch):
    session, appt, by = _booked()
    ClinicSession.objects.filter(pk=session.pk).update(date=timezone.localdate())
    seen = []
    for event_type in (AppointmentCompleted, AppointmentCancelled, AppointmentRescheduled):
        _listen(monkeypatch, event_type, seen.append)
    services.appointment_check_in(by=by, appointment=appt)
    assert seen == []
