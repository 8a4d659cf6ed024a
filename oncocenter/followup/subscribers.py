"""Follow-up's reactions to clinic appointments (clinics is below follow-up, so it announces
events and follow-up listens; see `oncocenter/clinics/events.py`).

The handlers run inside the clinic service's transaction: a due item changes together with the
appointment that fulfils, frees or moves it, or not at all.
"""

from __future__ import annotations

from django.utils import timezone

from oncocenter.clinics.events import (
    AppointmentCancelled,
    AppointmentCompleted,
    AppointmentRescheduled,
)
from oncocenter.core.events import subscribe
from oncocenter.followup import services


def on_appointment_completed(event: AppointmentCompleted) -> None:
    """The visit took place: the items booked into it are done on the appointment's day."""
    services.due_items_appointment_completed(
        appointment_id=event.appointment_id,
        done_on=timezone.localtime(event.starts_at).date(),
    )


def on_appointment_cancelled(event: AppointmentCancelled) -> None:
    """The items booked into a cancelled appointment are due again."""
    services.due_items_appointment_cancelled(appointment_id=event.appointment_id)


def on_appointment_rescheduled(event: AppointmentRescheduled) -> None:
    """The items follow the appointment to its new slot."""
    services.due_items_appointment_moved(
        old_appointment_id=event.old_appointment_id,
        new_appointment_id=event.new_appointment_id,
    )


def register() -> None:
    """Called once from `FollowupConfig.ready()` (subscribing twice is harmless)."""
    subscribe(AppointmentCompleted, on_appointment_completed)
    subscribe(AppointmentCancelled, on_appointment_cancelled)
    subscribe(AppointmentRescheduled, on_appointment_rescheduled)
