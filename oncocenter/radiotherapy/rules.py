"""Pure rule functions of the radiotherapy course (no Django): treatment calendar and
interruptions, fraction spacing, organ-at-risk constraint evaluation, gap-sensitive sites.

The services call these with data read from the database; the rules themselves (limits, site
lists) are data so that a qualified person can edit them.
"""

from __future__ import annotations

import operator
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, tzinfo
from typing import Any

import holidays

from .dose import normalise_organ

# --- calendar ---------------------------------------------------------------------------------


class TreatmentCalendar:
    """Open treatment days: weekdays minus public holidays, with center exceptions.

    `closed_dates` closes extra days (machine-wide closures); `opened_dates` opens days that
    would otherwise be closed (a Saturday session, a holiday the center works).
    """

    def __init__(
        self,
        *,
        country: str = "KR",
        closed_dates: Iterable[date] = (),
        opened_dates: Iterable[date] = (),
    ) -> None:
        self.country = country
        self.closed = frozenset(closed_dates)
        self.opened = frozenset(opened_dates)
        self._holidays: holidays.HolidayBase = holidays.country_holidays(country)

    def is_open(self, day: date) -> bool:
        if day in self.opened:
            return True
        if day in self.closed or day.weekday() >= 5:
            return False
        return day not in self._holidays

    def open_days(self, start: date, end: date) -> list[date]:
        """Open days from `start` to `end`, both included."""
        days = []
        d = start
        while d <= end:
            if self.is_open(d):
                days.append(d)
            d += timedelta(days=1)
        return days

    def add_open_days(self, start: date, n: int) -> date:
        """The n-th open day after `start` (n >= 1)."""
        d, count = start, 0
        while count < n:
            d += timedelta(days=1)
            if self.is_open(d):
                count += 1
        return d


# --- interruptions ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Gap:
    first_missed: date
    last_missed: date
    open_days_lost: int


@dataclass(frozen=True)
class InterruptionReport:
    gaps: tuple[Gap, ...]
    days_lost: int
    gap_sensitive_site: str | None
    compensation_needed: bool

    @property
    def interrupted(self) -> bool:
        return self.days_lost > 0


def detect_interruptions(
    treatment_days: Iterable[date],
    *,
    calendar: TreatmentCalendar,
    pattern: str = "daily",
    as_of: date | None = None,
    gap_sensitive_site: str | None = None,
) -> InterruptionReport:
    """Open days skipped inside a course.

    `treatment_days` are the days a fraction was treated (or partially treated); `as_of` is
    the last day that should already have been treated (default: the last treated day, i.e. no
    trailing gap). `daily` and `bid` courses expect every open day; `alternate` expects every
    second open day, so one open day between sessions is not a gap. A gap in a course of a
    gap-sensitive site (head and neck, cervix, lung SCC: see data/gap_sensitive_sites.json)
    needs compensation.
    """
    if pattern not in ("daily", "bid", "alternate"):
        raise ValueError(f"pattern must be daily, bid or alternate, got {pattern!r}")
    treated = sorted(set(treatment_days))
    if not treated:
        return InterruptionReport((), 0, gap_sensitive_site, False)
    end = max(as_of or treated[-1], treated[-1])
    allowed_idle = 1 if pattern == "alternate" else 0
    treated_set = set(treated)
    gaps: list[Gap] = []
    run: list[date] = []

    def close_run() -> None:
        # Idle open days count only beyond the pattern's allowance (one for alternate days).
        missed = run[allowed_idle:]
        if missed:
            gaps.append(Gap(missed[0], missed[-1], len(missed)))
        run.clear()

    for day in calendar.open_days(treated[0], end):
        if day in treated_set:
            close_run()
        else:
            run.append(day)
    close_run()
    lost = sum(g.open_days_lost for g in gaps)
    return InterruptionReport(
        tuple(gaps), lost, gap_sensitive_site, bool(gap_sensitive_site) and lost > 0
    )


def match_gap_sensitive_site(
    *, icd10_code: str | None, icdo3_morphology: str | None, sites: Sequence[Mapping[str, Any]]
) -> str | None:
    """Code of the first gap-sensitive site matching the diagnosis, or None.

    ICD-10 is matched by prefix ("C10.9" matches "C10"); an ICD-O-3 morphology list, when the
    site has one, must also match on the first four digits ("8070/3" matches "8070").
    """
    icd = (icd10_code or "").upper().replace(".", "").strip()
    morph = (icdo3_morphology or "").strip()[:4]
    for site in sites:
        if not any(icd.startswith(p.upper().replace(".", "")) for p in site["icd10_prefixes"]):
            continue
        morphologies = site.get("icdo3_morphologies") or []
        if morphologies and morph not in morphologies:
            continue
        return str(site["code"])
    return None


# --- fraction spacing -------------------------------------------------------------------------


@dataclass(frozen=True)
class SpacingViolation:
    code: str  # "bid_interval" or "fractions_per_day"
    message: str
    # The numbers of the message, so that a caller can say it in the user's language.
    params: Mapping[str, Any] = field(default_factory=dict)


def check_fraction_spacing(
    existing: Iterable[datetime],
    new: datetime,
    *,
    pattern: str,
    tz: tzinfo,
    min_interval_hours: float = 6.0,
) -> SpacingViolation | None:
    """Whether a fraction may be delivered at `new` given the other deliveries of the course.

    Twice-daily (`bid`): at most two fractions per local day, each at least `min_interval_hours`
    from any other fraction. Daily and alternate: one fraction per local day.
    """
    if new.tzinfo is None:
        raise ValueError("new must be timezone-aware")
    others = list(existing)
    day = new.astimezone(tz).date()
    same_day = [t for t in others if t.astimezone(tz).date() == day]
    per_day = 2 if pattern == "bid" else 1
    if len(same_day) >= per_day:
        return SpacingViolation(
            "fractions_per_day",
            f"a {pattern} course allows {per_day} fraction(s) per day; "
            f"{len(same_day)} already delivered on {day.isoformat()}",
            {
                "pattern": pattern,
                "per_day": per_day,
                "count": len(same_day),
                "day": day.isoformat(),
            },
        )
    if pattern == "bid":
        limit = timedelta(hours=min_interval_hours)
        for t in others:
            gap = abs(new - t)
            if gap < limit:
                hours = gap.total_seconds() / 3600
                return SpacingViolation(
                    "bid_interval",
                    f"twice-daily fractions must be at least {min_interval_hours:g} h apart; "
                    f"the previous one was {hours:.1f} h before",
                    {"min_hours": f"{min_interval_hours:g}", "hours": f"{hours:.1f}"},
                )
    return None


# --- organ-at-risk constraints ----------------------------------------------------------------

_COMPARATORS: dict[str, Callable[[float, float], bool]] = {
    "<": operator.lt,
    "<=": operator.le,
    ">": operator.gt,
    ">=": operator.ge,
}


@dataclass(frozen=True)
class Constraint:
    organ: str
    metric: str  # Dmax, Dmean, D0.03cc, V20 (% volume receiving >= 20 Gy), ...
    comparator: str  # "<", "<=" (limit is an upper bound), ">", ">="
    limit: float
    unit: str  # Gy or %
    alpha_beta_gy: float = 3.0
    note: str = ""

    def __post_init__(self) -> None:
        if self.comparator not in _COMPARATORS:
            raise ValueError(f"comparator must be one of {sorted(_COMPARATORS)}")

    @property
    def label(self) -> str:
        return f"{self.organ} {self.metric} {self.comparator} {self.limit:g} {self.unit}"

    def holds(self, value: float) -> bool:
        return _COMPARATORS[self.comparator](value, self.limit)

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Constraint:
        return cls(
            organ=str(data["organ"]),
            metric=str(data["metric"]),
            comparator=str(data["comparator"]),
            limit=float(data["limit"]),
            unit=str(data["unit"]),
            alpha_beta_gy=float(data.get("alpha_beta_gy", 3.0)),
            note=str(data.get("note", "")),
        )


@dataclass(frozen=True)
class PlannedOrganDose:
    organ: str
    metric: str
    value: float
    unit: str


@dataclass(frozen=True)
class ConstraintResult:
    constraint: Constraint
    value: float | None
    passed: bool | None  # None: no planned value for this constraint

    @property
    def status(self) -> str:
        return {True: "pass", False: "fail", None: "missing"}[self.passed]


def _key(organ: str, metric: str) -> tuple[str, str]:
    return normalise_organ(organ), metric.replace(" ", "").lower()


def evaluate_constraints(
    planned: Iterable[PlannedOrganDose], constraints: Iterable[Constraint]
) -> list[ConstraintResult]:
    """Each constraint against the planned value of the same organ and metric.

    A planned value in another unit than the constraint is an input error, not a pass.
    """
    values: dict[tuple[str, str], PlannedOrganDose] = {}
    for p in planned:
        values[_key(p.organ, p.metric)] = p
    results = []
    for c in constraints:
        found = values.get(_key(c.organ, c.metric))
        if found is None:
            results.append(ConstraintResult(c, None, None))
            continue
        p = found
        if p.unit.strip().lower() != c.unit.strip().lower():
            raise ValueError(
                f"{p.organ} {p.metric}: planned value in {p.unit!r}, constraint in {c.unit!r}"
            )
        results.append(ConstraintResult(c, p.value, c.holds(p.value)))
    return results


def evaluate_cumulative_eqd2(
    cumulative_eqd2_by_organ: Mapping[str, float],
    constraints: Iterable[Constraint],
    *,
    metric: str = "Dmax",
) -> list[ConstraintResult]:
    """Cumulative EQD2 per organ (re-irradiation) against the dose limits of one metric.

    The limits of a conventional constraint set are stated for 1.8-2 Gy fractions, so they are
    compared with EQD2 directly. Volume metrics (% units) cannot be summed and are skipped.
    """
    eqd2 = {normalise_organ(k): v for k, v in cumulative_eqd2_by_organ.items()}
    results = []
    for c in constraints:
        if c.unit != "Gy" or _key(c.organ, c.metric)[1] != metric.lower():
            continue
        v = eqd2.get(normalise_organ(c.organ))
        if v is None:
            continue
        results.append(ConstraintResult(c, v, c.holds(v)))
    return results
