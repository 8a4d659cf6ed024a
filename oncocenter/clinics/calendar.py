"""Clinic calendar: which days a clinic opens and the slots of a session (pure Python).

Korean public holidays (``holidays`` package, country ``KR``, including substitute holidays)
and weekends are closed unless a center explicitly opens the date; a center can also close
extra dates (e.g. a hospital foundation day).
"""

from __future__ import annotations

from collections.abc import Collection, Iterator
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from functools import lru_cache

import holidays


def gettext_noop(message: str) -> str:
    return message


CLOSED_WEEKEND = gettext_noop("weekend")
CLOSED_EXTRA = gettext_noop("closed by the center")


@lru_cache(maxsize=64)
def _kr_holidays(year: int, language: str) -> dict[date, str]:
    return dict(holidays.country_holidays("KR", years=year, language=language).items())


def holiday_name(day: date, *, language: str = "en_US") -> str | None:
    """The Korean public holiday on ``day`` (``language`` 'ko' or 'en_US'), or None."""
    return _kr_holidays(day.year, language).get(day)


@dataclass(frozen=True)
class DayStatus:
    day: date
    is_open: bool
    reason: str = ""


def day_status(
    day: date,
    *,
    extra_closed: Collection[date] = (),
    extra_open: Collection[date] = (),
    open_weekends: bool = False,
    language: str = "en_US",
) -> DayStatus:
    """Open or closed, with the reason (holiday name, weekend, closed by the center)."""
    if day in extra_open:
        return DayStatus(day, True)
    if day in extra_closed:
        return DayStatus(day, False, CLOSED_EXTRA)
    name = holiday_name(day, language=language)
    if name:
        return DayStatus(day, False, name)
    if day.weekday() >= 5 and not open_weekends:
        return DayStatus(day, False, CLOSED_WEEKEND)
    return DayStatus(day, True)


def is_open_day(day: date, **kwargs: object) -> bool:
    return day_status(day, **kwargs).is_open  # type: ignore[arg-type]


def session_dates(
    *,
    weekday: int,
    start: date,
    end: date,
    extra_closed: Collection[date] = (),
    extra_open: Collection[date] = (),
) -> Iterator[DayStatus]:
    """Every date in [start, end] falling on ``weekday`` (0 = Monday), open or closed.

    Closed dates are yielded too (with the reason) so that the caller can show why a weekly
    session is missing rather than silently skipping it.
    """
    if not 0 <= weekday <= 6:
        raise ValueError(f"weekday={weekday}: must be 0 (Monday) to 6 (Sunday)")
    day = start + timedelta(days=(weekday - start.weekday()) % 7)
    while day <= end:
        yield day_status(day, extra_closed=extra_closed, extra_open=extra_open, open_weekends=True)
        day += timedelta(days=7)


def slot_starts(start: time, end: time, slot_minutes: int) -> list[time]:
    """Start times of the slots that fit wholly between ``start`` and ``end``."""
    if slot_minutes <= 0:
        raise ValueError(f"slot_minutes={slot_minutes}: must be positive")
    if end <= start:
        raise ValueError(f"end={end}: must be after start={start}")
    base = date(2000, 1, 3)
    cursor = datetime.combine(base, start)
    stop = datetime.combine(base, end)
    step = timedelta(minutes=slot_minutes)
    out: list[time] = []
    while cursor + step <= stop:
        out.append(cursor.time())
        cursor += step
    return out
