"""One session booked or cancelled by hand (a scheduler's manual slot)."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from oncocenter.accounts.models import User
from oncocenter.audit.models import AuditAction
from oncocenter.audit.services import audit_record
from oncocenter.core.errors import Conflict, FieldProblem, ValidationFailed
from oncocenter.core.permissions import require
from oncocenter.machines.models import Machine
from oncocenter.radiotherapy.models import (
    CourseStatus,
    Fraction,
    FractionStatus,
    PrescriptionStatus,
)
from oncocenter.scheduling import policy, record, selectors
from oncocenter.scheduling.models import Booking, BookingStatus
from oncocenter.scheduling.services._slots import (
    Slot,
    _check_slots,
    _lock_machines,
    _save,
    _sync_fractions,
)


def _fraction_for_update(fraction: Fraction) -> Fraction:
    return (
        Fraction.objects.select_for_update()
        .select_related("prescription__course__patient")
        .get(pk=fraction.pk)
    )


def booking_create(
    *,
    fraction: Fraction,
    machine: Machine,
    start: dt.datetime,
    by: User,
    anesthesia: bool = False,
    urgency: str = "",
) -> Booking:
    """Book one session by hand (a scheduler's manual slot), with every hard rule checked."""
    require(by, "schedule.book")
    return book_session(
        fraction=fraction,
        machine=machine,
        start=start,
        by=by,
        anesthesia=anesthesia,
        urgency=urgency,
    )


def book_session(
    *,
    fraction: Fraction,
    machine: Machine,
    start: dt.datetime,
    by: User,
    anesthesia: bool = False,
    urgency: str = "",
) -> Booking:
    """`booking_create` without the permission check, for the bookings the system makes on a
    clinical decision (a missed session, a resumed course, a plan transfer): every hard rule of
    a booking is still checked. `by` is recorded as the one who booked."""
    if not isinstance(start, dt.datetime) or timezone.is_naive(start):
        raise ValidationFailed.single("start", _("must be a date and time with a timezone"), start)
    if urgency and urgency not in policy.URGENCIES:
        raise ValidationFailed.single(
            "urgency",
            _("must be one of %(choices)s") % {"choices": ", ".join(policy.URGENCIES)},
            urgency,
        )
    with transaction.atomic():
        machines = _lock_machines([machine.pk])
        fraction = _fraction_for_update(fraction)
        rx = fraction.prescription
        if rx.course.status not in (CourseStatus.PLANNED, CourseStatus.ACTIVE):
            raise Conflict(
                _("Course is %(status)s; its sessions are not booked.")
                % {"status": rx.course.get_status_display()},
                rule="course_not_open",
                problems=[FieldProblem("fraction", _("course is not open"), fraction.pk)],
            )
        if rx.status != PrescriptionStatus.SIGNED:
            raise Conflict(
                _("Prescription is %(status)s; sessions are booked only for a signed prescription.")
                % {"status": rx.get_status_display()},
                rule="prescription_not_signed",
                problems=[FieldProblem("fraction", _("prescription is not signed"), fraction.pk)],
            )
        if fraction.status != FractionStatus.SCHEDULED:
            raise Conflict(
                _("Session is %(status)s; only a scheduled session is booked.")
                % {"status": fraction.get_status_display()},
                rule="fraction_not_open",
                problems=[FieldProblem("fraction", _("session is not open"), fraction.pk)],
            )
        if Booking.objects.filter(fraction=fraction, status=BookingStatus.BOOKED).exists():
            raise Conflict(
                _("This session already has a booking; cancel it first."),
                rule="fraction_already_booked",
                problems=[FieldProblem("fraction", _("already booked"), fraction.pk)],
            )
        is_first = not Booking.objects.filter(
            prescription=rx, status=BookingStatus.BOOKED
        ).exists() and (rx.fractions_delivered == 0)
        minutes = policy.session_minutes(rx.technique, first=is_first, anesthesia=anesthesia)
        end = start + dt.timedelta(minutes=minutes)
        slot = Slot(fraction, machine.pk, start, end, rx.technique, is_first)
        _check_slots([slot], machines, physics_done={rx.pk: selectors.physics_done_at(rx)})
        # The plan's machine or its beam-matched group, and no machine on QA hold today (issue 15).
        record.check_booking_machine(fraction, machine)
        record.check_qa_hold_today(machine, start)
        booking = _save(
            Booking(
                fraction=fraction,
                prescription=rx,
                patient=rx.course.patient,
                machine=machine,
                start=start,
                end=end,
                technique=rx.technique,
                is_first=is_first,
                anesthesia=anesthesia,
                urgency=urgency or policy.URGENCY_FROM_INTENT.get(rx.intent, "radical"),
                booked_by=by,
            )
        )
        _sync_fractions([booking])
        audit_record(
            action=AuditAction.CREATE,
            obj=booking,
            patient=rx.course.patient,
            detail={"machine": machine.code, "start": start, "minutes": minutes},
        )
    return booking


def booking_cancel(*, booking: Booking, by: User, reason: str) -> Booking:
    require(by, "schedule.book")
    if not reason.strip():
        raise ValidationFailed.single("reason", _("is required"))
    with transaction.atomic():
        booking = Booking.objects.select_for_update().select_related("patient").get(pk=booking.pk)
        if booking.status != BookingStatus.BOOKED:
            raise Conflict(
                _("Booking is %(status)s.") % {"status": booking.get_status_display()},
                rule="booking_not_active",
            )
        booking.status = BookingStatus.CANCELLED
        booking.cancel_reason = reason.strip()[:300]
        booking.save(update_fields=["status", "cancel_reason", "updated_at"])
        audit_record(
            action=AuditAction.UPDATE,
            obj=booking,
            patient=booking.patient,
            detail={"cancelled": True, "reason": booking.cancel_reason},
        )
    return booking
