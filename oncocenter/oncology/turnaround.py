"""Turnaround figures (count, median, 90th percentile, mean hours) for worklists: diagnostic
orders here, consults in `referrals`. Pure Python, no Django."""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass


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
