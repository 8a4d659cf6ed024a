"""What happens to a clinic appointment, announced for the apps above clinics.

Clinics publishes these inside the transaction of the appointment change (see
`oncocenter.core.events`); a subscriber's work is saved with the change or not at all. Follow-up
subscribes to keep the due items booked into an appointment in step with it. Each event carries
the ids a subscriber needs, never a model instance, so that subscribers read what they need.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from oncocenter.core.events import Event


@dataclass(frozen=True)
class AppointmentCompleted(Event):
    """The patient was seen: `starts_at` is the appointment's start (aware datetime)."""

    name = "clinics.appointment_completed"
    appointment_id: int
    patient_id: int
    starts_at: dt.datetime


@dataclass(frozen=True)
class AppointmentCancelled(Event):
    """The appointment was cancelled; its slot is free again."""

    name = "clinics.appointment_cancelled"
    appointment_id: int
    patient_id: int
    slot_id: int


@dataclass(frozen=True)
class AppointmentRescheduled(Event):
    """The appointment moved: `old_appointment_id` is now `rescheduled`, the new one is booked."""

    name = "clinics.appointment_rescheduled"
    old_appointment_id: int
    new_appointment_id: int
    patient_id: int
