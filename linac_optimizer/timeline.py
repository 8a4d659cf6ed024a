"""Open days and minutes of the day in the instance's timezone.

The engine works on a compressed timeline: day *index* i is the i-th open day of the horizon
(weekends, public holidays of `holiday_calendar` and `closed_dates` removed), so "consecutive
open days" is simply i, i+1. Inside a day, times are minutes after local midnight (wall clock
in `timezone`, as the contract writes them). Asia/Seoul has no daylight-saving time; for a zone
that has, the wall clock is still what patients and staff see, so sessions are kept on the wall
clock and `aware()` gives the exact instant for storage.
"""

from __future__ import annotations

import bisect
import datetime as dt
from collections.abc import Iterable
from functools import lru_cache
from zoneinfo import ZoneInfo

from .model import FormatError, Instance, Patient

DAY = 1440


@lru_cache(maxsize=64)
def public_holidays(calendar: str, years: tuple[int, ...]) -> frozenset[dt.date]:
    """Public holidays of a `holidays` country code (e.g. "KR") for the given years."""
    import holidays

    try:
        return frozenset(holidays.country_holidays(calendar, years=list(years)).keys())
    except (NotImplementedError, KeyError):
        raise FormatError(f"holiday_calendar: unknown calendar {calendar!r}") from None


def open_dates(
    start: dt.date, days: int, calendar: str | None, closed: Iterable[dt.date] = ()
) -> list[dt.date]:
    """Weekdays in [start, start+days) that are neither public holidays nor closed."""
    end = start + dt.timedelta(days=days)
    hol: frozenset[dt.date] = frozenset()
    if calendar:
        hol = public_holidays(calendar, tuple(range(start.year, end.year + 1)))
    shut = set(closed) | hol
    out = []
    d = start
    while d < end:
        if d.weekday() < 5 and d not in shut:
            out.append(d)
        d += dt.timedelta(days=1)
    return out


class Timeline:
    """Open-day index <-> date, and local datetimes <-> (day index, minute)."""

    def __init__(self, instance: Instance):
        self.tz = ZoneInfo(instance.timezone)
        self.dates = open_dates(
            instance.start_date,
            instance.horizon_days,
            instance.holiday_calendar,
            instance.closed_dates,
        )
        self.index = {d: i for i, d in enumerate(self.dates)}
        self.start_date = instance.start_date
        self.end_date = instance.end_date

    def __len__(self) -> int:
        return len(self.dates)

    def is_open(self, d: dt.date) -> bool:
        return d in self.index

    def first_open_on_or_after(self, d: dt.date) -> int:
        """Index of the first open day on or after `d` (len(self) if none in the horizon)."""
        return bisect.bisect_left(self.dates, d)

    def open_days_between(self, a: dt.date, b: dt.date) -> int:
        """Open days d with a <= d < b (negative if b < a): the waiting-day count."""
        if b >= a:
            return bisect.bisect_left(self.dates, b) - bisect.bisect_left(self.dates, a)
        return -self.open_days_between(b, a)

    def locate(self, t: dt.datetime) -> tuple[int | None, int]:
        """(open-day index or None when the date is closed/outside, minute of the day)."""
        return self.index.get(t.date()), t.hour * 60 + t.minute

    def at(self, day: int, minute: int) -> dt.datetime:
        """Naive local datetime of `minute` on open day `day` (minute may reach 1440)."""
        return dt.datetime.combine(self.dates[day], dt.time()) + dt.timedelta(minutes=minute)

    def aware(self, t: dt.datetime) -> dt.datetime:
        """The instant of a local wall-clock time in the instance timezone."""
        return t.replace(tzinfo=self.tz)

    def now_local(self) -> dt.datetime:
        return dt.datetime.now(tz=self.tz).replace(tzinfo=None)

    def day_pieces(self, start: dt.datetime, end: dt.datetime) -> list[tuple[int, int, int]]:
        """Split a local interval into (open-day index, start minute, end minute) pieces;
        closed days are skipped because nothing can be booked there anyway."""
        out = []
        d = start.date()
        while dt.datetime.combine(d, dt.time()) < end:
            i = self.index.get(d)
            if i is not None:
                day0 = dt.datetime.combine(d, dt.time())
                a = max(start, day0)
                b = min(end, day0 + dt.timedelta(days=1))
                if b > a:
                    out.append(
                        (
                            i,
                            int((a - day0).total_seconds() // 60),
                            int((b - day0).total_seconds() // 60),
                        )
                    )
            d += dt.timedelta(days=1)
        return out


def delivered_before(p: Patient, tl: Timeline) -> int:
    """How many fractions of `p` were delivered before the instance (docs/scheduler.md,
    "Formats"): an outside generator writes a course already under way as its later fractions
    only (`booked` from fraction k > 1 on). Fractions 1..k-1 are taken as delivered when they
    cannot all be placed before booked fraction k inside the horizon, from the first open day
    on or after max(start_date, ready_date), at the pattern's minimum spacing (twice daily:
    two a day on the open days before fraction k's day). Otherwise they are still to book and
    0 is returned. A pure function of the instance, so `check` and every method agree."""
    if not p.booked:
        return 0
    first = min(p.booked, key=lambda b: b.fraction)
    k = first.fraction
    if k <= 1:
        return 0
    dk = bisect.bisect_left(tl.dates, first.start.date())
    d0 = tl.first_open_on_or_after(p.ready_date)
    if p.pattern == "bid":
        room = 2 * max(0, dk - d0)
    else:
        step = 2 if p.pattern == "alternate" else 1
        room = (dk - step - d0) // step + 1 if dk - step >= d0 else 0
    return k - 1 if room < k - 1 else 0
