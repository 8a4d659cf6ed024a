"""Follow-up keeps its due items in step with the clinic appointments they are booked into."""

import datetime as dt

import pytest
from django.utils import timezone

from oncocenter.accounts.tests.factories import UserFactory
from oncocenter.clinics import services as clinic_services
from oncocenter.clinics.events import (
    AppointmentCancelled,
    AppointmentCompleted,
    AppointmentRescheduled,
)
from oncocenter.clinics.models import Appointment, ClinicSession
from oncocenter.clinics.tests.factories import make_session
from oncocenter.core import events
from oncocenter.followup import services, subscribers
from oncocenter.followup.models import DueItem, ProtocolTemplate
from oncocenter.patients.tests.factories import PatientFactory

pytestmark = pytest.mark.django_db


def test_followup_listens_to_the_clinic_events():
    assert subscribers.on_appointment_completed in events.subscribers(AppointmentCompleted)
    assert subscribers.on_appointment_cancelled in events.subscribers(AppointmentCancelled)
    assert subscribers.on_appointment_rescheduled in events.subscribers(AppointmentRescheduled)


def _booked_visit(slots=3):
    """A due follow-up visit booked into the first slot of a new session."""
    by = UserFactory()
    plan = services.followup_plan_generate(
        by=by,
        patient=PatientFactory(),
        template=ProtocolTemplate.objects.get(code="esophagus-esophagectomy"),
        treatment_end=timezone.localdate() - dt.timedelta(days=200),
    )
    session = make_session(slots=slots)
    visit = plan.items.filter(kind="visit").order_by("due_on").first()
    item = services.due_item_book(
        by=by, item=visit, slot=session.slots.order_by("starts_at").first()
    )
    return session, item, by


def test_a_cancelled_appointment_makes_its_item_due_again():
    _session, item, by = _booked_visit()
    clinic_services.appointment_cancel(by=by, appointment=item.appointment, reason="ill")
    item.refresh_from_db()
    assert item.status == "due" and item.appointment is None


def test_a_rescheduled_appointment_takes_its_item_along():
    session, item, by = _booked_visit()
    new = clinic_services.appointment_reschedule(
        by=by, appointment=item.appointment, new_slot=session.slots.order_by("starts_at")[1]
    )
    item.refresh_from_db()
    assert item.status == "booked" and item.appointment == new


def test_a_completed_appointment_marks_its_item_done_on_the_visit_day():
    session, item, by = _booked_visit()
    ClinicSession.objects.filter(pk=session.pk).update(date=timezone.localdate())
    clinic_services.appointment_complete(by=by, appointment=item.appointment)
    item.refresh_from_db()
    assert item.status == "done"
    assert item.done_on == timezone.localtime(item.appointment.starts_at).date()


def test_a_failing_reaction_leaves_the_appointment_and_the_item_unchanged(monkeypatch):
    session, item, by = _booked_visit()
    ClinicSession.objects.filter(pk=session.pk).update(date=timezone.localdate())

    def broken(**kwargs):
        raise RuntimeError("follow-up unavailable")

    monkeypatch.setattr(services, "due_items_appointment_completed", broken)
    with pytest.raises(RuntimeError):
        clinic_services.appointment_complete(by=by, appointment=item.appointment)
    assert Appointment.objects.get(pk=item.appointment_id).status == "booked"
    assert DueItem.objects.get(pk=item.pk).status == "booked"
