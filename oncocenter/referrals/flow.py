"""Referral status flow and turnaround figures (pure Python, no Django).

requested -> accepted -> scheduled -> completed; requested/accepted/scheduled -> declined (with a
reason) or cancelled. Completed, declined and cancelled are final.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass

REQUESTED = "requested"
ACCEPTED = "accepted"
SCHEDULED = "scheduled"
COMPLETED = "completed"
DECLINED = "declined"
CANCELLED = "cancelled"

STATUSES = (REQUESTED, ACCEPTED, SCHEDULED, COMPLETED, DECLINED, CANCELLED)
OPEN_STATUSES = (REQUESTED, ACCEPTED, SCHEDULED)
FINAL_STATUSES = (COMPLETED, DECLINED, CANCELLED)

TRANSITIONS: dict[str, frozenset[str]] = {
    REQUESTED: frozenset({ACCEPTED, SCHEDULED, COMPLETED, DECLINED, CANCELLED}),
    ACCEPTED: frozenset({SCHEDULED, COMPLETED, DECLINED, CANCELLED}),
    SCHEDULED: frozenset({COMPLETED, DECLINED, CANCELLED}),
    COMPLETED: frozenset(),
    DECLINED: frozenset(),
    CANCELLED: frozenset(),
}


class TransitionError(ValueError):
    def __init__(self, field: str, value: str, rule: str):
        self.field = field
        self.value = value
        self.rule = rule
        super().__init__(f"{field}: {value!r} {rule}")


def check_transition(current: str, new: str, *, reason: str = "") -> None:
    """Raise :class:`TransitionError` unless ``current -> new`` is allowed (declines need a reason)."""
    if new not in STATUSES:
        raise TransitionError("status", new, "is not a referral status")
    if new not in TRANSITIONS[current]:
        allowed = ", ".join(sorted(TRANSITIONS[current])) or "none (final status)"
        raise TransitionError("status", new, f"cannot follow {current}; allowed: {allowed}")
    if new == DECLINED and not reason.strip():
        raise TransitionError("reason", reason, "is required when declining a referral")


@dataclass(frozen=True)
class Turnaround:
    """Summary of durations in hours: count, median, 90th percentile, mean."""

    count: int
    median_hours: float | None
    p90_hours: float | None
    mean_hours: float | None


def percentile(values: list[float], q: float) -> float:
    """Nearest-rank percentile (q in 0..100) of a non-empty list."""
    ordered = sorted(values)
    rank = max(1, math.ceil(q / 100 * len(ordered)))
    return ordered[rank - 1]


def summarize_hours(durations: Iterable[float]) -> Turnaround:
    values = [float(v) for v in durations]
    if not values:
        return Turnaround(0, None, None, None)
    ordered = sorted(values)
    mid = len(ordered) // 2
    median = ordered[mid] if len(ordered) % 2 else (ordered[mid - 1] + ordered[mid]) / 2
    return Turnaround(
        count=len(values),
        median_hours=round(median, 1),
        p90_hours=round(percentile(values, 90), 1),
        mean_hours=round(sum(values) / len(values), 1),
    )
