"""The hard rules of a booking, checked under machine row locks, and saving bookings."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils.translation import gettext as _

from oncocenter.core.errors import Conflict, FieldProblem, ValidationFailed
from oncocenter.machines.models import Machine, MachineDowntime
from oncocenter.radiotherapy import services as rt_services
from oncocenter.radiotherapy.models import Fraction
from oncocenter.scheduling import adapter
from oncocenter.scheduling.models import Booking, BookingStatus


def _lock_machines(ids: Iterable[int]) -> dict[int, Machine]:
    """Lock machine rows in a fixed order (no deadlock between two bookers).

    FOR NO KEY UPDATE: bookers still exclude each other, but rows that merely reference a
    machine (a session or delivery being saved elsewhere, which takes FOR KEY SHARE) do not
    wait for a booker, nor a booker for them.
    """
    rows = (
        Machine.objects.select_for_update(no_key=True)
        .filter(pk__in=sorted(set(ids)))
        .order_by("pk")
        .prefetch_related("techniques")
    )
    return {m.pk: m for m in rows}


def schedule_stamp(prescription_ids: Iterable[int] = ()) -> tuple[object, ...]:
    """What a solve depends on, in a few aggregate queries: the bookings (any new row, any
    status change), downtime, the machines, and the prescriptions being booked with their
    sessions. Compared after the solve, under the machine locks: equal means nothing changed
    underneath, so the solution still fits."""
    from django.db.models import Count, Max

    from oncocenter.radiotherapy.models import Prescription

    ids = sorted(set(prescription_ids))
    b = Booking.objects.aggregate(n=Count("pk"), last=Max("pk"), changed=Max("updated_at"))
    d = MachineDowntime.objects.aggregate(n=Count("pk"), changed=Max("updated_at"))
    m = Machine.objects.aggregate(changed=Max("updated_at"))
    rx = Prescription.objects.filter(pk__in=ids).aggregate(changed=Max("updated_at"))
    fx = Fraction.objects.filter(prescription_id__in=ids).aggregate(
        n=Count("pk"), changed=Max("updated_at")
    )
    return (
        b["n"],
        b["last"],
        b["changed"],
        d["n"],
        d["changed"],
        m["changed"],
        rx["changed"],
        fx["n"],
        fx["changed"],
    )


@dataclass
class Slot:
    fraction: Fraction
    machine_id: int
    start: dt.datetime
    end: dt.datetime
    technique: str
    is_first: bool
    field: str = "start"


def _check_machine(s: Slot, m: Machine) -> None:
    if not m.in_service:
        raise Conflict(
            _("Machine %(machine)s is out of service.") % {"machine": m.code},
            rule="machine_out_of_service",
            problems=[FieldProblem("machine", _("machine is out of service"), m.code)],
        )
    if not m.can_deliver(s.technique):
        raise Conflict(
            _("Machine %(machine)s cannot deliver %(technique)s.")
            % {"machine": m.code, "technique": s.technique},
            rule="machine_incapable",
            problems=[
                FieldProblem(
                    "machine",
                    _("not capable of %(technique)s") % {"technique": s.technique},
                    m.code,
                )
            ],
        )


def _check_time(s: Slot, m: Machine, downtimes: Sequence[MachineDowntime]) -> None:
    """Open day, opening hours, and no downtime: `downtimes` are the machine's windows that
    overlap some slot of the booking (`_overlaps`), in the model's order."""
    local_start, local_end = adapter.to_local_naive(s.start), adapter.to_local_naive(s.end)
    if not adapter.is_open_day(local_start.date()):
        raise Conflict(
            _("%(day)s is a weekend day or public holiday.") % {"day": f"{local_start:%Y-%m-%d}"},
            rule="closed_day",
            problems=[FieldProblem(s.field, _("not an open treatment day"), str(local_start))],
        )
    if (
        local_start.time() < m.opens_at
        or local_end.date() != local_start.date()
        or local_end.time() > m.closes_at
    ):
        raise Conflict(
            _("%(machine)s treats %(opens)s-%(closes)s; %(start)s-%(end)s is outside its hours.")
            % {
                "machine": m.code,
                "opens": f"{m.opens_at:%H:%M}",
                "closes": f"{m.closes_at:%H:%M}",
                "start": f"{local_start:%H:%M}",
                "end": f"{local_end:%H:%M}",
            },
            rule="outside_hours",
            problems=[FieldProblem(s.field, _("outside the machine's hours"), str(local_start))],
        )
    hit = next((d for d in downtimes if d.start < s.end and d.end > s.start), None)
    if hit is not None:
        raise Conflict(
            _("%(machine)s is down (%(kind)s: %(reason)s) at that time.")
            % {"machine": m.code, "kind": hit.get_kind_display(), "reason": hit.reason},
            rule="machine_down",
            problems=[FieldProblem(s.field, _("inside a downtime or QA window"), str(local_start))],
        )


def _check_slots(
    slots: Sequence[Slot],
    machines: dict[int, Machine],
    *,
    ignore: Iterable[int] = (),
    physics_done: dict[int, dt.datetime | None] | None = None,
) -> None:
    """Every hard rule of a booking, checked against the database (machine rows locked)."""
    ignore = set(ignore)
    physics_done = physics_done or {}
    # The downtimes and bookings that overlap any slot, a few queries per machine instead of
    # two per slot (a 35-fraction course made 70); the rules and the order in which they are
    # checked (so the error reported) are the same. The machine rows are locked: nothing
    # changes between these reads and the saves.
    by_machine: dict[int, list[Slot]] = defaultdict(list)
    for s in slots:
        if s.machine_id in machines:
            by_machine[s.machine_id].append(s)
    downtimes = {
        mid: _overlaps(MachineDowntime.objects.filter(machine_id=mid), items)
        for mid, items in by_machine.items()
    }
    booked = {
        mid: _overlaps(
            Booking.objects.filter(machine_id=mid, status=BookingStatus.BOOKED).exclude(
                pk__in=ignore
            ),
            items,
        )
        for mid, items in by_machine.items()
    }
    for s in slots:
        m = machines.get(s.machine_id)
        if m is None:
            raise ValidationFailed.single("machine", _("unknown machine"), s.machine_id)
        _check_machine(s, m)
        _check_time(s, m, downtimes[m.pk])
        taken = any(b.start < s.end and b.end > s.start for b in booked[m.pk])
        if taken:
            local_start = adapter.to_local_naive(s.start)
            raise Conflict(
                _("%(machine)s already has a session at %(start)s.")
                % {"machine": m.code, "start": f"{local_start:%Y-%m-%d %H:%M}"},
                rule="slot_taken",
                problems=[FieldProblem(s.field, _("overlaps another booking"), str(local_start))],
            )
        if s.is_first:
            done = physics_done.get(s.fraction.prescription_id)
            if done is None or done > s.start:
                raise Conflict(
                    _(
                        "The first fraction cannot be booked before the physics plan check is "
                        "complete."
                    ),
                    rule="physics_check_incomplete",
                    problems=[
                        FieldProblem(
                            s.field, _("before the physics check is complete"), str(s.start)
                        )
                    ],
                )
    for mid, items in _by_machine(slots).items():
        if adapter.pairwise_overlaps(items):
            raise Conflict(
                _("Two of the new sessions overlap on %(machine)s.")
                % {"machine": machines[mid].code},
                rule="slot_taken",
            )


#: Slots per overlap query: SQLite parses a chain of ORs as nested expressions (depth limit
#: 1000), and a group booking of a few dozen courses has hundreds of slots on one machine.
OVERLAP_CHUNK = 100


def _overlaps(qs: Any, slots: Sequence[Slot]) -> list[Any]:
    """Rows of `qs` overlapping at least one of `slots`, in `qs`'s order (each chunk's rows
    are merged back into that order)."""
    rows: dict[int, Any] = {}
    for i in range(0, len(slots), OVERLAP_CHUNK):
        cond = Q()
        for s in slots[i : i + OVERLAP_CHUNK]:
            cond |= Q(start__lt=s.end, end__gt=s.start)
        for r in qs.filter(cond):
            rows.setdefault(r.pk, r)
    if len(slots) <= OVERLAP_CHUNK:
        return list(rows.values())
    order = {
        pk: i for i, pk in enumerate(qs.filter(pk__in=list(rows)).values_list("pk", flat=True))
    }
    return sorted(rows.values(), key=lambda r: order[r.pk])


def _by_machine(slots: Sequence[Slot]) -> dict[int, list[tuple[dt.datetime, dt.datetime]]]:
    out: dict[int, list[tuple[dt.datetime, dt.datetime]]] = defaultdict(list)
    for s in slots:
        out[s.machine_id].append((s.start, s.end))
    return out


def _save(booking: Booking) -> Booking:
    try:
        with transaction.atomic():
            booking.save(force_insert=True)
    except IntegrityError as exc:
        # The database's own guard fired: a concurrent writer won the race.
        raise Conflict(
            _("The session was booked by someone else a moment ago."),
            rule="slot_taken",
            problems=[FieldProblem("start", _("overlaps another booking"), str(booking.start))],
        ) from exc
    return booking


def _sync_fractions(bookings: Iterable[Booking]) -> None:
    """Keep the radiotherapy sessions' date and machine equal to their bookings."""
    rt_services.fractions_follow_bookings(
        slots=[
            rt_services.SessionSlot(
                fraction_id=b.fraction_id,
                scheduled_date=adapter.to_local_naive(b.start).date(),
                machine_id=b.machine_id,
            )
            for b in bookings
        ]
    )
