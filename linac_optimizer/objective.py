"""Named soft penalties shared by the solver, the baseline, the metrics and the explanations.

Each penalty has a name a scheduler can read in the UI ("late start", "interruption", ...) and
an integer weight, so CP-SAT optimises exactly what `explain()` later reports. Weights are
per unit named in the comment; they are center policy, not clinical rules, and can be changed
by passing another `Weights`.
"""

from __future__ import annotations

from dataclasses import dataclass, field

# Waiting-time targets in open days from ready to first fraction (DOMAIN.md, example tiers).
TARGET_DAYS = {"emergency": 1, "urgent": 3, "palliative": 14, "radical": 28}


@dataclass(frozen=True)
class Weights:
    # per open day started after due_date, by urgency
    late: dict[str, int] = field(
        default_factory=lambda: {"emergency": 1000, "urgent": 300, "palliative": 60, "radical": 40}
    )
    wait: int = 10  # per open day between ready_date and the first fraction
    interruption: int = 150  # per open day skipped inside a course
    interruption_sensitive_factor: int = 2  # multiplier for interruption-sensitive courses
    machine_change: int = 100  # per fraction not on the patient's main machine
    drift_per_5min: int = 1  # per 5 minutes of start-time change between treatment days
    outside_window_per_5min: int = 1  # per 5 minutes outside the preferred window


DEFAULT_WEIGHTS = Weights()

PENALTY_NAMES = {
    "late_start": "first fraction after the due date (weighted by urgency)",
    "waiting": "open days waited from ready date to first fraction",
    "interruption": "open day skipped inside the course",
    "machine_change": "fraction not on the patient's main machine",
    "start_time_drift": "start time moved from the previous treatment day",
    "outside_preferred_window": "minutes outside the patient's preferred window",
}


def outside_minutes(start: int, end: int, window: tuple[int, int] | None) -> int:
    """Minutes of [start, end) that fall outside the preferred window."""
    if window is None:
        return 0
    a, b = window
    inside = max(0, min(end, b) - max(start, a))
    return (end - start) - inside
