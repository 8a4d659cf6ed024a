"""Missed sessions (issue 15, item 3): a booking whose day passed without a delivery becomes a
missed fraction, and its replacement session is booked at once on the next open slot.

`missed_sessions_process` runs each morning (the `mark_missed_sessions` command, or the
"missed sessions" job from the day board). For every session still `booked` on a day before
`today` whose fraction is still scheduled (no delivery recorded):

1. radiotherapy's `fraction_mark_missed` marks the fraction missed (reason: no treatment recorded
   that day) and adds a replacement session after the course's last one; its `FractionMissed`
   event cancels the booking (`record.on_fraction_missed`);
2. the replacement is booked through `booking_create` (every hard rule: open day, machine hours,
   downtime, overlaps, the plan's machine or its beam-matched group, QA hold today) on the first
   free slot from the replacement's day on: the missed booking's machine and time of day first,
   then the other machines the plan may use, then any other free time that day. A day the
   prescription already has a session is skipped (one fraction a day).

Each missed session is its own transaction: one that cannot be rebooked within `HORIZON_DAYS`
open days stays missed and unbooked (listed in the result, for the scheduler), the others go on.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from oncocenter.accounts.models import User
from oncocenter.core.errors import Conflict, ValidationFailed
from oncocenter.core.permissions import require
from oncocenter.machines.models import Machine, MachineDowntime
from oncocenter.machines.qa import matched_machine_ids
from oncocenter.radiotherapy import services as rt_services
from oncocenter.radiotherapy.models import CourseStatus, Fraction, FractionStatus
from oncocenter.scheduling import adapter, policy
from oncocenter.scheduling.models import Booking, BookingStatus
from oncocenter.scheduling.services.bookings import book_session

HORIZON_DAYS = 20
STEP_MIN = 5
MAX_TRIES = 40
#: Refusals about one slot (another slot may do); any other refusal ends the search.
SLOT_RULES = {
    "slot_taken",
    "outside_hours",
    "machine_down",
    "closed_day",
    "machine_qa_hold",
    "machine_out_of_service",
}


@dataclass
class MissedResult:
    missed: list[Fraction] = field(default_factory=list)
    rebooked: list[Booking] = field(default_factory=list)
    unbooked: dict[int, str] = field(default_factory=dict)  # replacement fraction id -> why


def _aware(day: dt.date, t: dt.time) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, t), adapter.center_tz())


def _candidates(
    *, day: dt.date, machines: list[Machine], prefer: dt.time, minutes: int
) -> list[tuple[Machine, dt.datetime]]:
    """Free starts of one day, best first: the usual time on each machine, then the day's others."""
    out: list[tuple[Machine, dt.datetime]] = []
    later: list[tuple[Machine, dt.datetime]] = []
    length = dt.timedelta(minutes=minutes)
    for m in machines:
        day_start, day_end = _aware(day, m.opens_at), _aware(day, m.closes_at)
        busy = [
            (b.start, b.end)
            for b in adapter.overlapping(
                Booking.objects.filter(machine=m, status=BookingStatus.BOOKED), day_start, day_end
            )
        ] + [
            (d.start, d.end)
            for d in adapter.overlapping(
                MachineDowntime.objects.filter(machine=m), day_start, day_end
            )
        ]

        def free(
            start: dt.datetime,
            busy: list[tuple[dt.datetime, dt.datetime]] = busy,
            day_end: dt.datetime = day_end,
        ) -> bool:
            end = start + length
            return end <= day_end and not any(s < end and e > start for s, e in busy)

        usual = _aware(day, prefer)
        if day_start <= usual and free(usual):
            out.append((m, usual))
        t = day_start
        while t + length <= day_end:
            if t != usual and free(t):
                later.append((m, t))
            t += dt.timedelta(minutes=STEP_MIN)
    later.sort(key=lambda c: abs((c[1] - _aware(day, prefer)).total_seconds()))
    return out + later


def _machines_for(fraction: Fraction, prefer_machine_id: int | None) -> list[Machine]:
    """The plan's machine and its beam-matched group, in service and capable, best first."""
    rx = fraction.prescription
    plan_machine_id = fraction.plan.machine_id if fraction.plan_id else prefer_machine_id
    assert plan_machine_id is not None
    ids = matched_machine_ids(plan_machine_id)
    rows = Machine.objects.filter(pk__in=ids, in_service=True).prefetch_related("techniques")
    return sorted(
        (m for m in rows if m.can_deliver(rx.technique)),
        key=lambda m: (m.pk != prefer_machine_id, m.pk != plan_machine_id, m.code),
    )


def book_next_free(
    *,
    fraction: Fraction,
    by: User,
    from_day: dt.date,
    prefer_time: dt.time,
    prefer_machine_id: int | None = None,
    anesthesia: bool = False,
    urgency: str = "",
) -> Booking | str:
    """Book `fraction` on the first free slot from `from_day` on, through the booking path
    (`book_session`: every hard rule); a day the prescription already has a session is skipped.
    Returns the booking, or why none was found."""
    rx = fraction.prescription
    machines = _machines_for(fraction, prefer_machine_id)
    if not machines:
        return _("no machine of the plan is in service")
    minutes = policy.session_minutes(rx.technique, first=False, anesthesia=anesthesia)
    day = adapter.add_open_days(from_day, 0)
    tries = 0
    for _n in range(HORIZON_DAYS):
        taken = Booking.objects.filter(
            prescription=rx,
            status=BookingStatus.BOOKED,
            start__gte=_aware(day, dt.time.min),
            start__lt=_aware(day + dt.timedelta(days=1), dt.time.min),
        ).exists()
        if not taken:
            for machine, start in _candidates(
                day=day, machines=machines, prefer=prefer_time, minutes=minutes
            ):
                tries += 1
                try:
                    with transaction.atomic():
                        return book_session(
                            fraction=fraction,
                            machine=machine,
                            start=start,
                            by=by,
                            anesthesia=anesthesia,
                            urgency=urgency,
                        )
                except Conflict as exc:
                    if exc.rule not in SLOT_RULES:
                        # Not about this slot (e.g. the first fraction before the physics check
                        # of a transferred plan): no other slot would do; say why.
                        return exc.message
                    if tries >= MAX_TRIES:
                        return _("no free slot accepted after %(n)d tries") % {"n": tries}
                    continue
        day = adapter.add_open_days(day, 1)
    return _("no free slot in the next %(n)d open days") % {"n": HORIZON_DAYS}


def rebook_fractions(
    *, fraction_ids: tuple[int, ...], by: User, prefer: Booking | None = None
) -> tuple[list[Booking], dict[int, str]]:
    """Book sessions again one open day after another from the next open day (a resumed course,
    a transferred plan), at the time and on the machine of `prefer` where free."""
    booked: list[Booking] = []
    unbooked: dict[int, str] = {}
    fractions = (
        Fraction.objects.filter(pk__in=fraction_ids, status=FractionStatus.SCHEDULED)
        .select_related("plan", "prescription__course")
        .order_by("prescription_id", "sequence")
    )
    next_day: dict[int, dt.date] = {}
    tomorrow = adapter.add_open_days(timezone.localdate(), 1)
    for f in fractions:
        if Booking.objects.filter(fraction=f, status=BookingStatus.BOOKED).exists():
            continue
        outcome = book_next_free(
            fraction=f,
            by=by,
            from_day=next_day.get(f.prescription_id, tomorrow),
            prefer_time=adapter.to_local_naive(prefer.start).time() if prefer else dt.time(9),
            prefer_machine_id=prefer.machine_id if prefer else None,
            anesthesia=prefer.anesthesia if prefer else False,
            urgency=prefer.urgency if prefer else "",
        )
        if isinstance(outcome, Booking):
            booked.append(outcome)
            next_day[f.prescription_id] = adapter.add_open_days(
                adapter.to_local_naive(outcome.start).date(), 1
            )
        else:
            unbooked[f.pk] = outcome
    return booked, unbooked


def missed_sessions_process(*, by: User, today: dt.date | None = None) -> MissedResult:
    """Mark every booked session of a past day without a delivery missed, and rebook it."""
    require(by, "schedule.book")
    require(by, "rt.schedule")
    today = today or timezone.localdate()
    if today > timezone.localdate():
        raise ValidationFailed.single("today", _("cannot be in the future"), today.isoformat())
    cutoff = _aware(today, dt.time.min)
    result = MissedResult()
    stale = list(
        Booking.objects.filter(
            status=BookingStatus.BOOKED,
            start__lt=cutoff,
            fraction__status=FractionStatus.SCHEDULED,
            prescription__course__status__in=[CourseStatus.PLANNED, CourseStatus.ACTIVE],
        )
        .select_related("fraction__plan", "fraction__prescription", "machine")
        .order_by("start", "pk")
    )
    for booking in stale:
        local = adapter.to_local_naive(booking.start)
        with transaction.atomic():
            try:
                fraction = rt_services.fraction_mark_missed(
                    fraction=booking.fraction,
                    by=by,
                    reason=_("no treatment recorded on %(day)s (booked %(time)s on %(machine)s)")
                    % {
                        "day": f"{local:%Y-%m-%d}",
                        "time": f"{local:%H:%M}",
                        "machine": booking.machine.code,
                    },
                )
            except Conflict:  # recorded or changed meanwhile
                continue
            result.missed.append(fraction)
            replacement = (
                Fraction.objects.select_related("plan", "prescription")
                .filter(prescription_id=fraction.prescription_id)
                .order_by("-sequence")
                .first()
            )
            assert replacement is not None and replacement.pk != fraction.pk
            outcome = book_next_free(
                fraction=replacement,
                by=by,
                from_day=max(replacement.scheduled_date or today, adapter.add_open_days(today, 1)),
                prefer_time=adapter.to_local_naive(booking.start).time(),
                prefer_machine_id=booking.machine_id,
                anesthesia=booking.anesthesia,
                urgency=booking.urgency,
            )
            if isinstance(outcome, Booking):
                result.rebooked.append(outcome)
            else:
                result.unbooked[replacement.pk] = outcome
    return result
