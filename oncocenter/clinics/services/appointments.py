"""What happens to a booked appointment: check-in, completion, no-show, cancellation, moving.

Completion, cancellation and moving are announced as clinics events (`clinics/events.py`)
inside the same transaction, so the apps above clinics (follow-up) react atomically.
"""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from oncocenter.accounts.models import User
from oncocenter.audit.models import AuditAction
from oncocenter.audit.services import audit_record
from oncocenter.clinics.events import (
    AppointmentCancelled,
    AppointmentCompleted,
    AppointmentRescheduled,
)
from oncocenter.clinics.models import Appointment, AppointmentStatus, Slot
from oncocenter.clinics.services.booking import appointment_book
from oncocenter.clinics.services.waitlist import waitlist_offer_slot
from oncocenter.core.errors import Conflict, ValidationFailed
from oncocenter.core.events import publish


def _set_status(
    appt: Appointment, status: str, *, note: str = "", extra: dict[str, Any] | None = None
) -> Appointment:
    before = appt.status
    appt.status = status
    if note:
        appt.status_reason = note
    for k, v in (extra or {}).items():
        setattr(appt, k, v)
    appt.save()
    audit_record(
        action=AuditAction.UPDATE,
        obj=appt,
        patient=appt.patient,
        detail={"status": [before, status], "note": note},
    )
    return appt


def _locked(appt: Appointment) -> Appointment:
    return (
        Appointment.objects.select_for_update()
        .select_related("patient", "slot", "session")
        .get(pk=appt.pk)
    )


def _status_conflict(message: str, appt: Appointment) -> Conflict:
    return Conflict(message % {"status": appt.get_status_display()}, rule="status")


def appointment_check_in(*, by: User, appointment: Appointment) -> Appointment:
    """The patient has arrived (on the day of the appointment only)."""
    with transaction.atomic():
        appt = _locked(appointment)
        if appt.status != AppointmentStatus.BOOKED:
            raise _status_conflict(
                _("Only a booked appointment can be checked in (it is %(status)s)."), appt
            )
        if appt.session.date != timezone.localdate():
            raise ValidationFailed.single(
                "appointment",
                _("check-in is on the day of the appointment (%(date)s)")
                % {"date": appt.session.date},
                appt.pk,
            )
        return _set_status(
            appt, AppointmentStatus.CHECKED_IN, extra={"checked_in_at": timezone.now()}
        )


def appointment_complete(*, by: User, appointment: Appointment) -> Appointment:
    """The patient was seen; announced as `AppointmentCompleted`."""
    with transaction.atomic():
        appt = _locked(appointment)
        if appt.status not in (AppointmentStatus.BOOKED, AppointmentStatus.CHECKED_IN):
            raise _status_conflict(_("This appointment is %(status)s."), appt)
        appt = _set_status(appt, AppointmentStatus.COMPLETED)
        publish(
            AppointmentCompleted(
                appointment_id=appt.pk, patient_id=appt.patient_id, starts_at=appt.starts_at
            )
        )
        return appt


def appointment_mark_no_show(*, by: User, appointment: Appointment) -> Appointment:
    """The patient did not come (recorded after the appointment time)."""
    with transaction.atomic():
        appt = _locked(appointment)
        if appt.status != AppointmentStatus.BOOKED:
            raise _status_conflict(
                _("Only a booked appointment can be a no-show (it is %(status)s)."), appt
            )
        if appt.starts_at > timezone.now():
            raise ValidationFailed.single(
                "appointment", _("a no-show is recorded after the appointment time"), appt.pk
            )
        return _set_status(appt, AppointmentStatus.NO_SHOW)


def appointment_cancel(
    *, by: User, appointment: Appointment, reason: str, offer: bool = True
) -> Appointment:
    """Cancel (announced as `AppointmentCancelled`) and offer the freed slot to the
    best-ranked waiting patient."""
    if not reason.strip():
        raise ValidationFailed.single("reason", _("is required to cancel an appointment"))
    with transaction.atomic():
        appt = _locked(appointment)
        if appt.status not in (AppointmentStatus.BOOKED, AppointmentStatus.CHECKED_IN):
            raise _status_conflict(
                _("This appointment is %(status)s and cannot be cancelled."), appt
            )
        appt = _set_status(appt, AppointmentStatus.CANCELLED, note=reason.strip())
        publish(
            AppointmentCancelled(
                appointment_id=appt.pk, patient_id=appt.patient_id, slot_id=appt.slot_id
            )
        )
    if offer and appt.starts_at > timezone.now():
        waitlist_offer_slot(slot=appt.slot)
    return appt


def appointment_reschedule(*, by: User, appointment: Appointment, new_slot: Slot) -> Appointment:
    """Move to another slot: the new booking is made first, then the old one is released
    (announced as `AppointmentRescheduled`)."""
    with transaction.atomic():
        old = _locked(appointment)
        if old.status != AppointmentStatus.BOOKED:
            raise _status_conflict(
                _("Only a booked appointment can be rescheduled (it is %(status)s)."), old
            )
        if new_slot.pk == old.slot_id:
            raise ValidationFailed.single("slot", _("is the current slot"), new_slot.pk)
        # Release first so that the patient's own time does not block an overlapping new slot.
        _set_status(old, AppointmentStatus.RESCHEDULED)
        new = appointment_book(
            by=by,
            slot=new_slot,
            patient=old.patient,
            appointment_type=old.appointment_type,
            reason=old.reason,
            audit_detail={"rescheduled_from": old.pk},
        )
        old.rescheduled_to = new
        old.save(update_fields=["rescheduled_to", "updated_at"])
        publish(
            AppointmentRescheduled(
                old_appointment_id=old.pk, new_appointment_id=new.pk, patient_id=old.patient_id
            )
        )
    if old.starts_at > timezone.now():
        waitlist_offer_slot(slot=old.slot)
    return new
