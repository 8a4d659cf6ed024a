"""Pure-Python rules of the family shelter: stay dates, room capacity, overlaps, waitlist ranking.

Never imports Django: the services translate ``SupportRuleError`` into typed domain errors. The
ranking weights come from ``shelter/data/shelter_ranking.json`` or a parameter.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from oncocenter.pediatrics.rules import SupportRuleError, gettext_noop
from oncocenter.shelter import vocab


def check_stay_dates(*, check_in: date, check_out: date | None) -> None:
    """A stay lasts at least one night: check-out strictly after check-in (or still open)."""
    if check_out is not None and check_out <= check_in:
        raise SupportRuleError(
            "check_out",
            check_out.isoformat(),
            gettext_noop("must be after check-in (%(check_in)s)"),
            check_in=check_in.isoformat(),
        )


def check_party_size(*, guests: int, capacity: int) -> None:
    """The family staying must fit in the room."""
    if guests < 1:
        raise SupportRuleError("guests", guests, gettext_noop("must be at least 1"))
    if guests > capacity:
        raise SupportRuleError(
            "guests",
            guests,
            gettext_noop("must not exceed the room capacity (%(capacity)s)"),
            capacity=capacity,
        )


def stays_overlap(a_in: date, a_out: date | None, b_in: date, b_out: date | None) -> bool:
    """Half-open nights [in, out): leaving on the day another family arrives is no overlap."""
    a_end = a_out or date.max
    b_end = b_out or date.max
    return a_in < b_end and b_in < a_end


@dataclass(frozen=True)
class StaySpan:
    key: Any
    check_in: date
    check_out: date | None


def find_overlaps(
    *, check_in: date, check_out: date | None, existing: Iterable[StaySpan]
) -> list[StaySpan]:
    """Existing stays of the same room that would share a night with the new one."""
    check_stay_dates(check_in=check_in, check_out=check_out)
    return [s for s in existing if stays_overlap(check_in, check_out, s.check_in, s.check_out)]


def check_no_overlap(
    *, check_in: date, check_out: date | None, existing: Iterable[StaySpan]
) -> None:
    clashes = find_overlaps(check_in=check_in, check_out=check_out, existing=existing)
    if clashes:
        first = clashes[0]
        if first.check_out is None:
            raise SupportRuleError(
                "check_in",
                check_in.isoformat(),
                gettext_noop("room is already occupied from %(start)s (open-ended)"),
                start=first.check_in.isoformat(),
            )
        raise SupportRuleError(
            "check_in",
            check_in.isoformat(),
            gettext_noop("room is already occupied %(start)s to %(end)s"),
            start=first.check_in.isoformat(),
            end=first.check_out.isoformat(),
        )


@dataclass(frozen=True)
class RankingWeights:
    """Weights of the three factors; they need not sum to 1 (scores are rescaled to 0-100)."""

    distance: float = 0.4
    financial_need: float = 0.35
    treatment_intensity: float = 0.25
    distance_cap_km: float = 300.0

    def __post_init__(self) -> None:
        for name in ("distance", "financial_need", "treatment_intensity"):
            if getattr(self, name) < 0:
                raise SupportRuleError(
                    name, getattr(self, name), gettext_noop("weight must not be negative")
                )
        if self.distance + self.financial_need + self.treatment_intensity <= 0:
            raise SupportRuleError(
                "weights", 0, gettext_noop("at least one weight must be positive")
            )
        if self.distance_cap_km <= 0:
            raise SupportRuleError(
                "distance_cap_km", self.distance_cap_km, gettext_noop("must be positive")
            )

    @classmethod
    def from_data(cls) -> RankingWeights:
        d = vocab.shelter_ranking()
        return cls(**d["default_weights"])


@dataclass(frozen=True)
class WaitlistCandidate:
    key: Any
    distance_km: float
    financial_need: str  # a level code of shelter_ranking.json
    treatment_intensity: str  # a level code of shelter_ranking.json
    requested_on: date


@dataclass(frozen=True)
class Reason:
    factor: str
    points: float
    text: str


@dataclass(frozen=True)
class RankedCandidate:
    key: Any
    rank: int
    score: float
    reasons: tuple[Reason, ...] = field(default_factory=tuple)


def _level(levels: Sequence[Mapping[str, Any]], code: str, field_name: str) -> Mapping[str, Any]:
    for level in levels:
        if level["code"] == code:
            return level
    raise SupportRuleError(
        field_name,
        code,
        gettext_noop("must be one of %(allowed)s"),
        allowed=", ".join(lv["code"] for lv in levels),
    )


REASON_TEXT = {
    "en": {
        "distance": "lives {km:.0f} km from the hospital",
        "cap": " (at or beyond the {cap:.0f} km cap)",
        "financial_need": "financial need: {label}",
        "treatment_intensity": "treatment: {label}",
    },
    "ko": {
        "distance": "병원에서 {km:.0f} km 떨어진 곳에 거주",
        "cap": " (상한 {cap:.0f} km 이상)",
        "financial_need": "경제적 필요: {label}",
        "treatment_intensity": "치료: {label}",
    },
}


def score_candidate(
    c: WaitlistCandidate, weights: RankingWeights, lang: str = "en"
) -> tuple[float, tuple[Reason, ...]]:
    """Score 0-100 with one reason per factor, each giving the points it contributed."""
    data = vocab.shelter_ranking()
    words = REASON_TEXT.get(lang, REASON_TEXT["en"])
    label = lang if lang in REASON_TEXT else "en"
    if c.distance_km < 0 or not math.isfinite(c.distance_km):
        raise SupportRuleError(
            "distance_km", c.distance_km, gettext_noop("must be a non-negative number")
        )
    need = _level(data["financial_need_levels"], c.financial_need, "financial_need")
    intensity = _level(
        data["treatment_intensity_levels"], c.treatment_intensity, "treatment_intensity"
    )
    total_w = weights.distance + weights.financial_need + weights.treatment_intensity
    dist_part = min(c.distance_km / weights.distance_cap_km, 1.0)
    distance_text = words["distance"].format(km=c.distance_km)
    if dist_part >= 1:
        distance_text += words["cap"].format(cap=weights.distance_cap_km)
    parts = (
        ("distance", weights.distance * dist_part, distance_text),
        (
            "financial_need",
            weights.financial_need * need["value"],
            words["financial_need"].format(label=need[label]),
        ),
        (
            "treatment_intensity",
            weights.treatment_intensity * intensity["value"],
            words["treatment_intensity"].format(label=intensity[label]),
        ),
    )
    reasons = tuple(
        Reason(factor=f, points=round(100 * w / total_w, 1), text=f"{t} (+{100 * w / total_w:.1f})")
        for f, w, t in parts
    )
    score = round(sum(100 * w / total_w for _, w, _ in parts), 1)
    return score, reasons


def rank_waitlist(
    candidates: Iterable[WaitlistCandidate],
    weights: RankingWeights | None = None,
    lang: str = "en",
) -> list[RankedCandidate]:
    """Highest score first; ties go to the earlier request, then to the key (stable order)."""
    weights = weights or RankingWeights.from_data()
    scored = [(c, *score_candidate(c, weights, lang)) for c in candidates]
    scored.sort(key=lambda t: (-t[1], t[0].requested_on, str(t[0].key)))
    return [
        RankedCandidate(key=c.key, rank=i, score=score, reasons=reasons)
        for i, (c, score, reasons) in enumerate(scored, start=1)
    ]
