"""FHIR search parameter values: tokens, dates with prefixes, references (pure Python)."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

DATE_PREFIXES = ("eq", "ne", "lt", "gt", "le", "ge", "sa", "eb")
_DATE_RE = re.compile(r"^(\d{4})(?:-(\d{2})(?:-(\d{2})(T[0-9:.]+(?:Z|[+-]\d{2}:\d{2})?)?)?)?$")


class ParamError(ValueError):
    """A search parameter value that cannot be read; the message names the parameter."""


@dataclass(frozen=True)
class Token:
    system: str | None  # None: any system; "": no system
    code: str


def parse_token(value: str) -> Token:
    if "|" in value:
        system, code = value.split("|", 1)
        return Token(system=system, code=code)
    return Token(system=None, code=value)


@dataclass(frozen=True)
class DateRange:
    """A date search value: the prefix and the half-open interval [start, end) it denotes."""

    prefix: str
    start: dt.datetime
    end: dt.datetime


def parse_date(name: str, value: str, tz: dt.tzinfo) -> DateRange:
    prefix = "eq"
    if value[:2] in DATE_PREFIXES and not value[:2].isdigit():
        prefix, value = value[:2], value[2:]
    m = _DATE_RE.match(value)
    if not m:
        raise ParamError(
            f"{name}: {value!r} is not a FHIR date (YYYY, YYYY-MM, YYYY-MM-DD or a dateTime)"
        )
    year, month, day, time = m.groups()
    try:
        if time:
            start = dt.datetime.fromisoformat(f"{year}-{month}-{day}{time.replace('Z', '+00:00')}")
            if start.tzinfo is None:
                start = start.replace(tzinfo=tz)
            end = start + dt.timedelta(seconds=1)
        elif day:
            start = dt.datetime(int(year), int(month), int(day), tzinfo=tz)
            end = start + dt.timedelta(days=1)
        elif month:
            start = dt.datetime(int(year), int(month), 1, tzinfo=tz)
            end = (start + dt.timedelta(days=32)).replace(day=1)
        else:
            start = dt.datetime(int(year), 1, 1, tzinfo=tz)
            end = start.replace(year=start.year + 1)
    except ValueError as exc:
        raise ParamError(f"{name}: {value!r} is not a valid date ({exc})") from exc
    return DateRange(prefix=prefix, start=start, end=end)


def parse_reference(name: str, value: str, resource_type: str) -> str:
    """`Patient/123`, `123` or an absolute URL ending in `Patient/123` -> `123`."""
    value = value.rstrip("/")
    marker = f"{resource_type}/"
    if marker in value:
        value = value.rsplit(marker, 1)[1]
    elif "/" in value:
        raise ParamError(f"{name}: {value!r} does not reference a {resource_type}")
    if not value:
        raise ParamError(f"{name}: an id is required")
    return value
