"""Priority for previously treated patients (seed 001), as pure functions.

The esophageal center gives people it has already treated preference for outpatient
appointments and re-admission. Two mechanisms, both driven by an administrator-editable policy
row (``clinics.PriorityPolicy``) whose values arrive here as :class:`PolicyParams`:

* a **reserved share** of each clinic session's slots is held for previously treated patients
  until ``release_days_before`` days before the session date, then released to everyone;
* a **waitlist score** combining prior treatment at the center, clinical urgency and waiting
  time. Every score carries the list of reasons that produced it, so that any ranking shown to
  staff can be explained line by line.

No Django imports: the web layer translates the reason templates (marked with
``gettext_noop`` so that ``makemessages`` extracts them).
"""

from __future__ import annotations

import math
from collections.abc import Hashable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta


def gettext_noop(message: str) -> str:
    """Mark a string for translation without translating it (keeps this module Django-free)."""
    return message


#: Clinical urgency of a waitlist entry or a re-admission request, least to most urgent.
URGENCY_CHOICES: tuple[tuple[str, str], ...] = (
    ("routine", gettext_noop("Routine")),
    ("soon", gettext_noop("Soon (within 2 weeks)")),
    ("urgent", gettext_noop("Urgent (within days)")),
)
URGENCY_CODES = tuple(code for code, _ in URGENCY_CHOICES)

REASON_PRIOR = gettext_noop("Previously treated at this center: +%(points)s")
REASON_NOT_PRIOR = gettext_noop("Not previously treated at this center: +0")
REASON_URGENCY = gettext_noop("Clinical urgency %(urgency)s: +%(points)s")
REASON_WAITING = gettext_noop("Waiting %(days)s days x %(per_day)s: +%(points)s")
REASON_WAITING_CAPPED = gettext_noop(
    "Waiting %(days)s days x %(per_day)s, capped at %(cap)s: +%(points)s"
)


class PolicyError(ValueError):
    """A policy value is out of range; ``field`` names the offending parameter."""

    def __init__(self, field: str, value: object, rule: str) -> None:
        self.field = field
        self.value = value
        self.rule = rule
        super().__init__(f"{field}={value!r}: {rule}")


@dataclass(frozen=True)
class PolicyParams:
    """The weights and reservation rule of the priority policy (example defaults).

    ``urgency_points`` maps each urgency code to points; ``waiting_points_per_day`` accrues
    from the request date up to ``waiting_points_cap``. ``reserved_share_percent`` of each
    session's slots are held for previously treated patients until ``release_days_before``
    days before the session date.
    """

    prior_treatment_points: float = 50.0
    urgency_points: Mapping[str, float] = field(
        default_factory=lambda: {"routine": 0.0, "soon": 20.0, "urgent": 40.0}
    )
    waiting_points_per_day: float = 0.5
    waiting_points_cap: float = 30.0
    reserved_share_percent: int = 30
    release_days_before: int = 7

    def validate(self) -> None:
        """Raise :class:`PolicyError` naming the first parameter outside its range."""
        for name in ("prior_treatment_points", "waiting_points_per_day", "waiting_points_cap"):
            value = getattr(self, name)
            if value < 0:
                raise PolicyError(name, value, "must be zero or positive")
        for code, points in self.urgency_points.items():
            if code not in URGENCY_CODES:
                raise PolicyError("urgency_points", code, f"unknown urgency; use {URGENCY_CODES}")
            if points < 0:
                raise PolicyError(f"urgency_points.{code}", points, "must be zero or positive")
        if not 0 <= self.reserved_share_percent <= 100:
            raise PolicyError(
                "reserved_share_percent", self.reserved_share_percent, "must be between 0 and 100"
            )
        if self.release_days_before < 0:
            raise PolicyError(
                "release_days_before", self.release_days_before, "must be zero or positive"
            )


@dataclass(frozen=True)
class Reason:
    """One line of explanation: a translatable template, its parameters and the points."""

    code: str
    template: str
    params: Mapping[str, object]
    points: float

    @property
    def text(self) -> str:
        """The English text (the web layer translates ``template`` instead)."""
        return self.template % self.params


@dataclass(frozen=True)
class Candidate:
    """Someone waiting: a clinic waitlist entry or a re-admission request."""

    key: Hashable
    previously_treated: bool
    urgency: str
    requested_on: date


@dataclass(frozen=True)
class Score:
    key: Hashable
    total: float
    reasons: tuple[Reason, ...]
    requested_on: date


def _fmt(value: float) -> str:
    return f"{value:g}"


def score_candidate(candidate: Candidate, *, policy: PolicyParams, today: date) -> Score:
    """Score one candidate; the reasons sum exactly to the total."""
    if candidate.urgency not in URGENCY_CODES:
        raise PolicyError("urgency", candidate.urgency, f"unknown urgency; use {URGENCY_CODES}")
    reasons: list[Reason] = []
    if candidate.previously_treated:
        pts = float(policy.prior_treatment_points)
        reasons.append(Reason("prior", REASON_PRIOR, {"points": _fmt(pts)}, pts))
    else:
        reasons.append(Reason("prior", REASON_NOT_PRIOR, {}, 0.0))
    urg = float(policy.urgency_points.get(candidate.urgency, 0.0))
    reasons.append(
        Reason(
            "urgency",
            REASON_URGENCY,
            {"urgency": candidate.urgency, "points": _fmt(urg)},
            urg,
        )
    )
    days = max(0, (today - candidate.requested_on).days)
    raw = days * policy.waiting_points_per_day
    wait = round(min(raw, policy.waiting_points_cap), 2)
    params: dict[str, object] = {
        "days": days,
        "per_day": _fmt(policy.waiting_points_per_day),
        "points": _fmt(wait),
    }
    if raw > policy.waiting_points_cap:
        params["cap"] = _fmt(policy.waiting_points_cap)
        reasons.append(Reason("waiting", REASON_WAITING_CAPPED, params, wait))
    else:
        reasons.append(Reason("waiting", REASON_WAITING, params, wait))
    total = round(sum(r.points for r in reasons), 2)
    return Score(candidate.key, total, tuple(reasons), candidate.requested_on)


def rank_candidates(
    candidates: Iterable[Candidate], *, policy: PolicyParams, today: date
) -> list[Score]:
    """Highest score first; ties go to the earlier request, then to the key's string form."""
    scores = [score_candidate(c, policy=policy, today=today) for c in candidates]
    return sorted(scores, key=lambda s: (-s.total, s.requested_on, str(s.key)))


# --- Reserved share -----------------------------------------------------------------------


def reserved_slot_count(capacity: int, share_percent: int) -> int:
    """Slots of a session held for previously treated patients (rounded down: never more than
    the share, so a one-slot session is not wholly reserved by a 30 % policy)."""
    if capacity < 0:
        raise PolicyError("capacity", capacity, "must be zero or positive")
    return math.floor(capacity * share_percent / 100)


def reservation_released(*, session_date: date, today: date, release_days_before: int) -> bool:
    """True once the session is ``release_days_before`` days away or closer."""
    return today >= session_date - timedelta(days=release_days_before)


@dataclass(frozen=True)
class BookingCheck:
    allowed: bool
    free_slots: int
    held_for_prior: int
    reason: str
    params: Mapping[str, object]

    @property
    def text(self) -> str:
        return self.reason % self.params


MSG_FULL = gettext_noop("The session is full (%(capacity)s slots booked).")
MSG_HELD = gettext_noop(
    "The %(free)s free slot(s) are held for previously treated patients until %(release)s."
)
MSG_OK = gettext_noop("%(free)s free slot(s); %(held)s held for previously treated patients.")


def check_booking(
    *,
    capacity: int,
    booked_total: int,
    booked_prior: int,
    previously_treated: bool,
    session_date: date,
    today: date,
    policy: PolicyParams,
) -> BookingCheck:
    """May this patient take a free slot of the session under the reserved-share rule?

    The reserved share is a count, not particular slots: previously treated patients first
    use it up; until release, other patients may only book while the free slots exceed the
    part of the share still unused.
    """
    free = capacity - booked_total
    if free <= 0:
        return BookingCheck(False, 0, 0, MSG_FULL, {"capacity": capacity})
    released = reservation_released(
        session_date=session_date, today=today, release_days_before=policy.release_days_before
    )
    reserved = reserved_slot_count(capacity, policy.reserved_share_percent)
    held = 0 if released else max(0, reserved - booked_prior)
    held = min(held, free)
    if previously_treated or free > held:
        return BookingCheck(True, free, held, MSG_OK, {"free": free, "held": held})
    release_on = session_date - timedelta(days=policy.release_days_before)
    return BookingCheck(
        False, free, held, MSG_HELD, {"free": free, "release": release_on.isoformat()}
    )
