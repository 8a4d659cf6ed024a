"""Unplanned outages: record one (machines area), rebook the sessions it hits, confirm."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from linac_optimizer.online import LATER_IN_COURSE
from oncocenter.accounts.models import User
from oncocenter.audit.models import AuditAction
from oncocenter.audit.services import audit_record
from oncocenter.core.errors import Conflict
from oncocenter.core.permissions import require
from oncocenter.machines import services as machine_services
from oncocenter.machines.models import DowntimeKind, Machine, MachineDowntime
from oncocenter.radiotherapy.models import FractionStatus
from oncocenter.scheduling import adapter
from oncocenter.scheduling.models import Booking, BookingStatus
from oncocenter.scheduling.services._slots import (
    Slot,
    _check_slots,
    _lock_machines,
    _save,
    _sync_fractions,
)


@dataclass
class OutageResult:
    outage: MachineDowntime
    moved: list[Booking] = field(default_factory=list)  # the new bookings
    cancelled: list[Booking] = field(default_factory=list)
    unresolved: dict[int, str] = field(default_factory=dict)
    seconds: float = 0.0


def outage_report(
    *,
    machine: Machine,
    start: dt.datetime,
    end: dt.datetime,
    reason: str,
    by: User,
    now: dt.datetime | None = None,
) -> OutageResult:
    """Record an unplanned outage and rebook the sessions it hits on compatible machines.

    The engine keeps every other booking fixed, moves each hit session within its day when it
    can (interruption-sensitive courses first), and otherwise adds a session after the course's
    last one. Moved bookings are new rows pointing to the ones they replace.
    """
    require(by, "outage.report")
    machine_services.downtime_check(start=start, end=end, reason=reason)
    now = now or timezone.now()
    with transaction.atomic():
        machines = _lock_machines(Machine.objects.values_list("pk", flat=True))
        outage = machine_services.outage_record(
            machine=machine, start=start, end=end, reason=reason, by=by
        )
        result = OutageResult(outage)
        engine: dict[str, int] = {}
        if machine.in_service:
            plan = adapter.plan_outage(machine=machine, start=start, end=end, now=now)
            result.unresolved, result.seconds = plan.unresolved, plan.seconds
            engine = plan.summary
            _apply_moves(plan.moves, machines, outage, by, result)
        outage.rebook_summary = {
            "moved": len(result.moved),
            "cancelled": len(result.cancelled),
            "patients": len({b.patient_id for b in result.moved + result.cancelled}),
            # per outage (issue 16): machine changes and the interruption days it added
            "machine_changes": sum(
                1 for b in result.moved if b.replaces and b.machine_id != b.replaces.machine_id
            ),
            "interruption_days": engine.get("interruption_days", 0),
            "patients_interrupted": engine.get("patients_interrupted", 0),
            "swaps": engine.get("swaps", 0),
            "moved_later_in_course": engine.get("moved_later_in_course", 0),
            "moved_after_course": engine.get("moved_after_course", 0),
            "first_moved_to_next_day": engine.get("first_moved_to_next_day", 0),
            "moved_to_next_days": engine.get("moved_to_next_days", 0),
            "courses_restarted": engine.get("courses_restarted", 0),
            "unresolved": {str(k): v for k, v in result.unresolved.items()},
            "seconds": round(result.seconds, 3),
        }
        outage.save(update_fields=["rebook_summary", "updated_at"])
        audit_record(
            action=AuditAction.UPDATE,
            obj=outage,
            detail={"rebooked": True, **outage.rebook_summary},
        )
    return result


def _apply_moves(
    moves: Sequence[adapter.PlannedMove],
    machines: dict[int, Machine],
    outage: MachineDowntime,
    by: User,
    result: OutageResult,
) -> None:
    old_ids = [mv.old.pk for mv in moves]
    olds = {
        b.pk: b
        for b in Booking.objects.select_related("patient", "fraction").filter(pk__in=old_ids)
    }
    # Free every old slot first: a chain of moves may reuse a slot another move frees.
    Booking.objects.filter(pk__in=[mv.old.pk for mv in moves if mv.machine]).update(
        status=BookingStatus.MOVED, updated_at=timezone.now()
    )
    slots = [
        Slot(olds[mv.old.pk].fraction, mv.machine.pk, mv.start, mv.end, mv.old.technique, False)
        for mv in moves
        if mv.machine is not None and mv.start is not None and mv.end is not None
    ]
    # The outage row is already saved, so the check also proves nothing lands inside it.
    _check_slots(slots, machines, ignore=old_ids)
    by_patient: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for mv in moves:
        old = olds[mv.old.pk]
        if mv.machine is None:
            old.status = BookingStatus.CANCELLED
            old.cancel_reason = f"outage {outage.machine.code}: {mv.kind}"[:300]
            old.moved_by_downtime = outage
            old.save(update_fields=["status", "cancel_reason", "moved_by_downtime", "updated_at"])
            result.cancelled.append(old)
            by_patient[old.patient_id].append({"fraction": old.fraction_id, "cancelled": True})
            continue
        assert mv.start is not None and mv.end is not None  # a planned move has both times
        new = _save(
            Booking(
                fraction=old.fraction,
                prescription_id=old.prescription_id,
                patient=old.patient,
                machine=mv.machine,
                start=mv.start,
                end=mv.end,
                technique=old.technique,
                is_first=old.is_first,
                anesthesia=old.anesthesia,
                urgency=old.urgency,
                replaces=old,
                moved_by_downtime=outage,
                change_kind=mv.kind[:40],
                penalties={},
                booked_by=by,
            )
        )
        _sync_fractions([new])
        result.moved.append(new)
        by_patient[old.patient_id].append(
            {
                "fraction": old.fraction_id,
                "from": old.start,
                "to": new.start,
                "machine": mv.machine.code,
            }
        )
    # a session added after the course or put on a free day of it changes the time order
    _resequence(
        {
            mv.old.prescription_id
            for mv in moves
            if mv.kind.startswith("moved to the end") or mv.kind == LATER_IN_COURSE
        }
    )
    for patient_id, changes in by_patient.items():
        audit_record(
            action=AuditAction.UPDATE,
            object_type="scheduling.booking",
            patient=next(b.patient for b in olds.values() if b.patient_id == patient_id),
            detail={"outage": outage.pk, "changes": changes},
        )


def _resequence(prescription_ids: set[int]) -> None:
    """Give a course's open sessions to its bookings in time order again.

    When an outage adds a session after the course's last one, the session that lost its slot
    would otherwise be last in time but not in sequence; the engine renumbers the same way.
    Bookings keep their slots; only which fraction row each one serves changes.
    """
    for rx_id in prescription_ids:
        rows = list(
            Booking.objects.filter(
                prescription_id=rx_id,
                status=BookingStatus.BOOKED,
                fraction__status=FractionStatus.SCHEDULED,
            )
            .select_related("fraction")
            .order_by("start")
        )
        fractions = sorted((b.fraction for b in rows), key=lambda f: f.sequence)
        if [b.fraction_id for b in rows] == [f.pk for f in fractions]:
            continue
        # Step out of the one-booking-per-fraction constraint while the rows swap fractions.
        Booking.objects.filter(pk__in=[b.pk for b in rows]).update(status=BookingStatus.MOVED)
        for b, f in zip(rows, fractions, strict=True):
            Booking.objects.filter(pk=b.pk).update(fraction=f, status=BookingStatus.BOOKED)
            b.fraction_id = f.pk
            _sync_fractions([b])


def outage_confirm(*, outage: MachineDowntime, by: User) -> MachineDowntime:
    """The scheduler has reviewed the automatic rebooking (and will notify the patients)."""
    require(by, "outage.confirm")
    with transaction.atomic():
        outage = MachineDowntime.objects.select_for_update().get(pk=outage.pk)
        if outage.kind != DowntimeKind.OUTAGE:
            raise Conflict(_("Only an outage's rebooking is confirmed."), rule="not_an_outage")
        if outage.confirmed_at is not None:
            raise Conflict(_("The changes were already confirmed."), rule="already_confirmed")
        outage.confirmed_by, outage.confirmed_at = by, timezone.now()
        outage.save(update_fields=["confirmed_by", "confirmed_at", "updated_at"])
        audit_record(action=AuditAction.UPDATE, obj=outage, detail={"confirmed": True})
    return outage
