"""Booking a patient into a clinic slot: every capacity rule, under a session row lock."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from oncocenter.accounts.models import User
from oncocenter.audit.models import AuditAction
from oncocenter.audit.services import audit_record
from oncocenter.clinics import priority, selectors
from oncocenter.clinics.models import (
    HOLDING,
    Appointment,
    AppointmentType,
    ClinicSession,
    SessionStatus,
    Slot,
)
from oncocenter.core.errors import Conflict, FieldProblem, ValidationFailed
from oncocenter.patients.models import Patient


def _local(at: dt.datetime) -> str:
    return f"{timezone.localtime(at):%Y-%m-%d %H:%M}"


def booking_refusal(check: priority.BookingCheck) -> str:
    """The reserved-share rule's verdict in the user's language."""
    return _(check.reason) % check.params


def _check_slot_bookable(slot: Slot, appointment_type: str, *, now: dt.datetime) -> None:
    session = slot.session
    if session.status != SessionStatus.OPEN:
        raise ValidationFailed.single(
            "slot",
            _("the clinic is closed on %(date)s (%(reason)s)")
            % {"date": session.date, "reason": session.closed_reason},
            slot.pk,
        )
    if slot.starts_at <= now:
        raise ValidationFailed.single(
            "slot",
            _("the slot at %(time)s is in the past") % {"time": _local(slot.starts_at)},
            slot.pk,
        )
    if appointment_type not in AppointmentType.values:
        raise ValidationFailed.single(
            "appointment_type",
            _("must be one of %(choices)s") % {"choices": ", ".join(AppointmentType.values)},
            appointment_type,
        )
    allowed = session.template.appointment_types
    if allowed and appointment_type not in allowed:
        raise ValidationFailed.single(
            "appointment_type",
            _("this clinic takes %(types)s") % {"types": ", ".join(allowed)},
            appointment_type,
        )


def appointment_book(
    *,
    by: User,
    slot: Slot,
    patient: Patient,
    appointment_type: str,
    reason: str = "",
    today: dt.date | None = None,
    audit_detail: dict[str, Any] | None = None,
) -> Appointment:
    """Book a patient into a free slot.

    Checks: the session is open, the slot is in the future, the type is one the clinic takes,
    the session is not full, the reserved share (previously treated patients) allows it, the
    slot is free and the patient has no other appointment overlapping it. The session row is
    locked so concurrent bookings of the same session queue; the partial unique constraints
    are the last line of defence.
    """
    now = timezone.now()
    today = today or timezone.localdate()
    prior = selectors.patient_previously_treated(patient, on=today)
    policy = selectors.policy_get().params()
    try:
        with transaction.atomic():
            session = ClinicSession.objects.select_for_update().get(pk=slot.session_id)
            slot = Slot.objects.select_related("session__template").get(pk=slot.pk)
            _check_slot_bookable(slot, appointment_type, now=now)
            holding = Appointment.objects.filter(session=session, status__in=HOLDING)
            capacity = session.slots.count()
            booked_total = holding.count()
            if booked_total >= capacity:
                raise Conflict(
                    _("The session is full (%(capacity)s slots booked).") % {"capacity": capacity},
                    rule="session_full",
                    problems=[
                        FieldProblem(
                            "slot",
                            _("the session is full (%(capacity)s slots booked)")
                            % {"capacity": capacity},
                            slot.pk,
                        )
                    ],
                )
            if holding.filter(slot=slot).exists():
                raise Conflict(
                    _("This slot is already booked."),
                    rule="slot_taken",
                    problems=[FieldProblem("slot", _("is already booked"), slot.pk)],
                )
            check = priority.check_booking(
                capacity=capacity,
                booked_total=booked_total,
                booked_prior=holding.filter(previously_treated=True).count(),
                previously_treated=prior,
                session_date=session.date,
                today=today,
                policy=policy,
            )
            if not check.allowed:
                rule = "session_full" if check.free_slots == 0 else "reserved_for_prior"
                text = booking_refusal(check)
                raise Conflict(text, rule=rule, problems=[FieldProblem("slot", text, slot.pk)])
            overlap = Appointment.objects.filter(
                patient=patient,
                status__in=HOLDING,
                starts_at__lt=slot.ends_at,
                slot__ends_at__gt=slot.starts_at,
            ).first()
            if overlap:
                msg = _("the patient already has an appointment at %(time)s") % {
                    "time": _local(overlap.starts_at)
                }
                raise Conflict(
                    msg,
                    rule="patient_double_booked",
                    problems=[FieldProblem("patient", msg, patient.mrn)],
                )
            appt = Appointment.objects.create(
                slot=slot,
                session=session,
                patient=patient,
                starts_at=slot.starts_at,
                appointment_type=appointment_type,
                previously_treated=prior,
                reason=reason.strip(),
                booked_by=by,
            )
            audit_record(
                action=AuditAction.CREATE,
                obj=appt,
                patient=patient,
                detail={
                    "slot": slot.pk,
                    "starts_at": slot.starts_at.isoformat(),
                    "type": appointment_type,
                    "previously_treated": prior,
                    **(audit_detail or {}),
                },
            )
    except IntegrityError as exc:
        raise Conflict(
            _("The slot or the patient's time was taken at the same moment; choose another slot."),
            rule="double_booking",
            problems=[FieldProblem("slot", _("was just taken"), slot.pk)],
        ) from exc
    return appt
