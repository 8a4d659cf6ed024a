"""Pure rules of laboratory results (no Django): choosing the reference range for a patient's age
and sex, converting a reported unit to the catalogue's UCUM unit, flagging abnormal and critical
values, and the HSCT engraftment dates computed from daily counts.

Every figure here is data from the analyte catalogue (``data/analytes.json``), reviewed by the
laboratory; the code only applies it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal


@dataclass(frozen=True)
class Range:
    sex: str  # "any" | "male" | "female"
    age_min_days: int
    age_max_days: int | None  # exclusive; None: no upper bound
    low: Decimal | None
    high: Decimal | None
    critical_low: Decimal | None = None
    critical_high: Decimal | None = None

    def applies(self, *, sex: str, age_days: int) -> bool:
        if self.sex not in ("any", sex):
            return False
        if age_days < self.age_min_days:
            return False
        return self.age_max_days is None or age_days < self.age_max_days


def pick_range(ranges: Iterable[Range], *, sex: str, age_days: int) -> Range | None:
    """The most specific range for the patient: sex-specific before "any", narrowest age band."""
    fitting = [r for r in ranges if r.applies(sex=sex, age_days=age_days)]
    if not fitting:
        return None

    def width(r: Range) -> int:
        return (r.age_max_days if r.age_max_days is not None else 10**6) - r.age_min_days

    return min(fitting, key=lambda r: (r.sex == "any", width(r)))


def to_catalogue_unit(
    value: Decimal, *, unit: str, catalogue_unit: str, alternatives: dict[str, str]
) -> Decimal | None:
    """`value` in `unit` converted to the catalogue's unit; None for a unit the test has not.

    `alternatives` maps another UCUM unit to the factor that multiplies a value in it into the
    catalogue unit (e.g. creatinine umol/L -> mg/dL: 0.01131). Units compare exactly, as UCUM is
    case-sensitive (mg/dL and mg/dl are not the same code)."""
    if unit == catalogue_unit:
        return value
    if unit in alternatives:
        return value * Decimal(alternatives[unit])
    return None


FLAGS = ("normal", "low", "high", "critical_low", "critical_high")


def flag(value: Decimal, rng: Range | None) -> str:
    """normal / low / high / critical_low / critical_high (critical limits win)."""
    if rng is None:
        return "normal"
    if rng.critical_low is not None and value < rng.critical_low:
        return "critical_low"
    if rng.critical_high is not None and value > rng.critical_high:
        return "critical_high"
    if rng.low is not None and value < rng.low:
        return "low"
    if rng.high is not None and value > rng.high:
        return "high"
    return "normal"


def age_in_days(birth: dt.date, on: dt.date) -> int:
    return (on - birth).days


# --- HSCT engraftment ------------------------------------------------------------------------------
ANC_ENGRAFTMENT = Decimal("0.5")  # x10^9/L, three consecutive days
PLT_ENGRAFTMENT = Decimal("20")  # x10^9/L, seven days without platelet transfusion
ANC_DAYS = 3
PLT_DAYS = 7


def _daily_minimum(
    counts: Iterable[tuple[dt.date, Decimal]], day0: dt.date
) -> dict[dt.date, Decimal]:
    """The lowest count of each calendar day from day 0 on (a second draw that day is lower or
    not; the day qualifies only if every count did)."""
    daily: dict[dt.date, Decimal] = {}
    for on, value in counts:
        if on < day0:
            continue
        daily[on] = min(value, daily.get(on, value))
    return daily


def _first_run(
    daily: dict[dt.date, Decimal],
    threshold: Decimal,
    length: int,
    excluded: Sequence[dt.date] = (),
    lookback: int = 0,
) -> dt.date | None:
    for start in sorted(daily):
        days = [start + dt.timedelta(days=i) for i in range(length)]
        if not all(d in daily and daily[d] >= threshold for d in days):
            continue
        window_from = start - dt.timedelta(days=lookback)
        if any(window_from <= t <= days[-1] for t in excluded):
            continue
        return start
    return None


def neutrophil_engraftment(day0: dt.date, anc: Iterable[tuple[dt.date, Decimal]]) -> dt.date | None:
    """First of 3 consecutive days with ANC >= 0.5 x10^9/L, on or after day 0."""
    return _first_run(_daily_minimum(anc, day0), ANC_ENGRAFTMENT, ANC_DAYS)


def platelet_engraftment(
    day0: dt.date,
    platelets: Iterable[tuple[dt.date, Decimal]],
    platelet_transfusions: Sequence[dt.date] = (),
) -> dt.date | None:
    """First of 7 consecutive days with platelets >= 20 x10^9/L and no platelet transfusion in
    those days or the 7 days before them."""
    return _first_run(
        _daily_minimum(platelets, day0),
        PLT_ENGRAFTMENT,
        PLT_DAYS,
        excluded=platelet_transfusions,
        lookback=PLT_DAYS,
    )
