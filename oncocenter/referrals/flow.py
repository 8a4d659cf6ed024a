"""Referral status flow and turnaround figures (pure Python, no Django).

requested -> accepted -> scheduled -> completed; requested/accepted/scheduled -> declined (with a
reason) or cancelled. Completed, declined and cancelled are final.
"""

from __future__ import annotations

# The turnaround summary is shared with the diagnostic workup worklist (below referrals).
from oncocenter.oncology.turnaround import Turnaround as Turnaround
from oncocenter.oncology.turnaround import percentile as percentile
from oncocenter.oncology.turnaround import summarize_hours as summarize_hours

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
    """A refused transition: the field, the value and the rule (in English); `code` names the
    rule (unknown_status, not_allowed, reason_required) for callers that word it themselves."""

    def __init__(self, field: str, value: str, rule: str, *, code: str = ""):
        self.field = field
        self.value = value
        self.rule = rule
        self.code = code
        super().__init__(f"{field}: {value!r} {rule}")


def check_transition(current: str, new: str, *, reason: str = "") -> None:
    """Raise :class:`TransitionError` unless ``current -> new`` is allowed (declines need a reason)."""
    if new not in STATUSES:
        raise TransitionError("status", new, "is not a referral status", code="unknown_status")
    if new not in TRANSITIONS[current]:
        allowed = ", ".join(sorted(TRANSITIONS[current])) or "none (final status)"
        raise TransitionError(
            "status", new, f"cannot follow {current}; allowed: {allowed}", code="not_allowed"
        )
    if new == DECLINED and not reason.strip():
        raise TransitionError(
            "reason", reason, "is required when declining a referral", code="reason_required"
        )
