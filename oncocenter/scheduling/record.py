"""The schedule follows the treatment record (issue 15).

Subscribers of `radiotherapy.events` (registered in `apps.py`), run inside the radiotherapy
service's transaction, so the booking changes are saved with the record or not at all:

- `FractionDelivered`: the session's booking is consumed (`treated`, with the console time);
- `DeliveryEnteredInError` that reopens the session: its consumed booking is booked again when
  its slot is still free, otherwise cancelled (the session is rebooked by hand);
- `FractionMissed`: the missed session's booking is cancelled (the replacement session is booked
  from the course page or the next booking run);
- `CourseClosed` (the last fraction completed it, or it was stopped): every booking still open is
  cancelled, which frees the machine time.

Also the plan's machines for booking: the plan's machine and its beam-matched group
(`machines.qa.matched_machine_ids`), for the manual slot and the engine's `allowed_machines`.
"""

from __future__ import annotations

import datetime as dt

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from oncocenter.audit.models import AuditAction
from oncocenter.audit.services import audit_record
from oncocenter.core.events import subscribe
from oncocenter.machines.models import Machine
from oncocenter.machines.qa import (
    QAState,
    machine_allowed_for_plan,
    matched_machine_ids,
    qa_gate,
    qa_state,
)
from oncocenter.radiotherapy.events import (
    CourseClosed,
    DeliveryEnteredInError,
    FractionDelivered,
    FractionMissed,
)
from oncocenter.radiotherapy.models import Fraction, Plan
from oncocenter.scheduling.models import Booking, BookingStatus


def allowed_machine_codes(plan: Plan) -> list[str]:
    """Codes of the machines a plan may be booked on (in service or not: the engine's own
    machine list decides that)."""
    ids = matched_machine_ids(plan.machine_id)
    return sorted(Machine.objects.filter(pk__in=ids).values_list("code", flat=True))


def check_booking_machine(fraction: Fraction, machine: Machine) -> None:
    """A session is booked only on its plan's machine or one beam-matched to it (409 otherwise)."""
    plan = Plan.objects.select_related("machine").get(pk=fraction.plan_id)
    machine_allowed_for_plan(planned=plan.machine, attempted=machine)


def check_qa_hold_today(machine: Machine, start: dt.datetime) -> None:
    """No new booking for today on a machine on QA hold (later days stay bookable)."""
    if timezone.localtime(start).date() != timezone.localdate():
        return
    status = qa_state(machine)
    if status.state == QAState.HOLD:
        qa_gate(machine, timezone.now())


def _cancel(qs, reason: str) -> int:
    rows = list(qs.select_for_update().select_related("patient"))
    for b in rows:
        b.status = BookingStatus.CANCELLED
        b.cancel_reason = reason[:300]
        b.save(update_fields=["status", "cancel_reason", "updated_at"])
        audit_record(
            action=AuditAction.UPDATE,
            obj=b,
            patient=b.patient,
            detail={"cancelled": True, "reason": b.cancel_reason},
        )
    return len(rows)


def on_fraction_delivered(event: FractionDelivered) -> None:
    if event.completes_partial:
        return
    booking = (
        Booking.objects.select_for_update()
        .filter(fraction_id=event.fraction_id, status=BookingStatus.BOOKED)
        .select_related("patient")
        .first()
    )
    if booking is None:
        return
    booking.status = BookingStatus.TREATED
    booking.treated_at = event.delivered_at
    booking.save(update_fields=["status", "treated_at", "updated_at"])
    audit_record(
        action=AuditAction.UPDATE,
        obj=booking,
        patient=booking.patient,
        detail={"treated_at": event.delivered_at, "delivery": event.delivery_id},
    )


def on_delivery_entered_in_error(event: DeliveryEnteredInError) -> None:
    if not event.fraction_reopened:
        return
    booking = (
        Booking.objects.select_for_update()
        .filter(fraction_id=event.fraction_id, status=BookingStatus.TREATED)
        .select_related("patient")
        .order_by("-pk")
        .first()
    )
    if booking is None:
        return
    booking.status = BookingStatus.BOOKED
    booking.treated_at = None
    try:
        with transaction.atomic():
            booking.save(update_fields=["status", "treated_at", "updated_at"])
    except IntegrityError:  # the slot was given to someone else meanwhile
        booking.status = BookingStatus.CANCELLED
        booking.cancel_reason = _("delivery entered in error; the slot is taken: rebook")
        booking.save(update_fields=["status", "treated_at", "cancel_reason", "updated_at"])
    audit_record(
        action=AuditAction.UPDATE,
        obj=booking,
        patient=booking.patient,
        detail={"reopened_by_error": event.delivery_id, "status": booking.status},
    )


def on_fraction_missed(event: FractionMissed) -> None:
    _cancel(
        Booking.objects.filter(fraction_id=event.fraction_id, status=BookingStatus.BOOKED),
        _("session missed"),
    )


def on_course_closed(event: CourseClosed) -> None:
    _cancel(
        Booking.objects.filter(
            prescription__course_id=event.course_id, status=BookingStatus.BOOKED
        ),
        _("course %(status)s") % {"status": event.status},
    )


def register() -> None:
    subscribe(FractionDelivered, on_fraction_delivered)
    subscribe(DeliveryEnteredInError, on_delivery_entered_in_error)
    subscribe(FractionMissed, on_fraction_missed)
    subscribe(CourseClosed, on_course_closed)
