"""Pure-Python rules of the pediatric and support-services area.

Never imports Django: the services of the app call these functions and translate
``SupportRuleError`` into the project's typed domain errors. Every threshold that a center may
want to change comes from a data file (``support/data``) or a parameter, never a literal buried in
a condition.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from oncocenter.support import vocab


class SupportRuleError(ValueError):
    """A rule of the area was broken; names the field, the value and the rule."""

    def __init__(self, field: str, value: Any, rule: str) -> None:
        self.field = field
        self.value = value
        self.rule = rule
        super().__init__(f"{field}={value!r}: {rule}")


# --------------------------------------------------------------------------------------------
# Body surface area (Mosteller)
# --------------------------------------------------------------------------------------------

HEIGHT_UNITS_TO_CM: dict[str, float] = {"cm": 1.0, "m": 100.0, "mm": 0.1, "in": 2.54}
WEIGHT_UNITS_TO_KG: dict[str, float] = {"kg": 1.0, "g": 0.001, "lb": 0.45359237}


@dataclass(frozen=True)
class BSAResult:
    """BSA in m2 (2 decimals) with the measurements used, in canonical units, and warnings."""

    bsa_m2: float
    height_cm: float
    weight_kg: float
    warnings: tuple[str, ...] = ()


def to_cm(value: float, unit: str) -> float:
    """Convert a height to centimetres; unknown units are rejected, not guessed."""
    if unit not in HEIGHT_UNITS_TO_CM:
        raise SupportRuleError(
            "height_unit", unit, f"unit must be one of {sorted(HEIGHT_UNITS_TO_CM)}"
        )
    return float(value) * HEIGHT_UNITS_TO_CM[unit]


def to_kg(value: float, unit: str) -> float:
    """Convert a weight to kilograms; unknown units are rejected, not guessed."""
    if unit not in WEIGHT_UNITS_TO_KG:
        raise SupportRuleError(
            "weight_unit", unit, f"unit must be one of {sorted(WEIGHT_UNITS_TO_KG)}"
        )
    return float(value) * WEIGHT_UNITS_TO_KG[unit]


def _age_band(age_years: float, bands: Sequence[Mapping[str, Any]]) -> Mapping[str, Any] | None:
    for band in bands:
        if band["age_min"] <= age_years < band["age_max"]:
            return band
    return None


def check_measurements(
    *, height_cm: float, weight_kg: float, age_years: float | None = None
) -> tuple[str, ...]:
    """Reject impossible values (hard limits) and return warnings for unusual ones.

    Hard limits catch unit mistakes (a height of 1.2 typed in cm is almost surely metres);
    the age-band ranges only warn, because sick children are often far from the norm.
    """
    limits = vocab.bsa_plausibility()
    hard = limits["hard_limits"]
    for name, value in (("height_cm", height_cm), ("weight_kg", weight_kg)):
        if not isinstance(value, int | float | Decimal) or isinstance(value, bool):
            raise SupportRuleError(name, value, "must be a number")
        if not math.isfinite(float(value)):
            raise SupportRuleError(name, value, "must be a finite number")
    if height_cm < hard["height_cm_min"]:
        hint = " (looks like metres: enter centimetres)" if 0 < height_cm < 3 else ""
        raise SupportRuleError(
            "height_cm", height_cm, f"must be at least {hard['height_cm_min']} cm{hint}"
        )
    if height_cm > hard["height_cm_max"]:
        hint = " (looks like millimetres)" if height_cm > 300 else ""
        raise SupportRuleError(
            "height_cm", height_cm, f"must be at most {hard['height_cm_max']} cm{hint}"
        )
    if weight_kg < hard["weight_kg_min"]:
        raise SupportRuleError(
            "weight_kg", weight_kg, f"must be at least {hard['weight_kg_min']} kg"
        )
    if weight_kg > hard["weight_kg_max"]:
        hint = " (looks like grams or pounds)" if weight_kg > 300 else ""
        raise SupportRuleError(
            "weight_kg", weight_kg, f"must be at most {hard['weight_kg_max']} kg{hint}"
        )
    warnings: list[str] = []
    if age_years is not None:
        if age_years < 0:
            raise SupportRuleError("age_years", age_years, "must not be negative")
        band = _age_band(age_years, limits["age_bands"])
        if band is not None:
            if not band["height_cm"][0] <= height_cm <= band["height_cm"][1]:
                warnings.append(
                    f"height {height_cm:g} cm is unusual for age {age_years:g} "
                    f"(expected {band['height_cm'][0]}-{band['height_cm'][1]} cm): check the value"
                )
            if not band["weight_kg"][0] <= weight_kg <= band["weight_kg"][1]:
                warnings.append(
                    f"weight {weight_kg:g} kg is unusual for age {age_years:g} "
                    f"(expected {band['weight_kg'][0]}-{band['weight_kg'][1]} kg): check the value"
                )
    bmi = weight_kg / (height_cm / 100) ** 2
    if not limits["bmi_warn"][0] <= bmi <= limits["bmi_warn"][1]:
        warnings.append(
            f"weight-for-height (BMI {bmi:.1f}) is implausible: check height and weight units"
        )
    return tuple(warnings)


def bsa_mosteller(
    *,
    height: float,
    weight: float,
    height_unit: str = "cm",
    weight_unit: str = "kg",
    age_years: float | None = None,
) -> BSAResult:
    """Mosteller BSA = sqrt(height_cm * weight_kg / 3600), in m2, rounded to 2 decimals."""
    height_cm = to_cm(height, height_unit)
    weight_kg = to_kg(weight, weight_unit)
    warnings = check_measurements(height_cm=height_cm, weight_kg=weight_kg, age_years=age_years)
    bsa = math.sqrt(height_cm * weight_kg / 3600.0)
    return BSAResult(
        bsa_m2=round(bsa, 2),
        height_cm=round(height_cm, 1),
        weight_kg=round(weight_kg, 2),
        warnings=warnings,
    )


def age_in_years(birth_date: date, on: date) -> float:
    """Age in years with a fraction (for plausibility bands, not for legal age)."""
    if on < birth_date:
        raise SupportRuleError("measured_on", on.isoformat(), "must not be before the birth date")
    return (on - birth_date).days / 365.25


def completed_years(birth_date: date, on: date) -> int:
    """Legal age in completed years (birthday reached)."""
    years = on.year - birth_date.year
    if (on.month, on.day) < (birth_date.month, birth_date.day):
        years -= 1
    return years


# --------------------------------------------------------------------------------------------
# Lansky play-performance scale
# --------------------------------------------------------------------------------------------


def lansky_description(score: int, lang: str = "en") -> str:
    """Text of a Lansky score (0-100 in steps of 10)."""
    scale = {row["score"]: row for row in vocab.lansky()}
    if score not in scale:
        raise SupportRuleError("lansky", score, "must be 0-100 in steps of 10")
    return scale[score][lang]


# --------------------------------------------------------------------------------------------
# HSCT
# --------------------------------------------------------------------------------------------


def hsct_day(day0: date, on: date) -> int:
    """Day number relative to the infusion (day 0): negative during conditioning."""
    return (on - day0).days


def format_hsct_day(n: int) -> str:
    """'day +N', 'day -N' or 'day 0', the way transplant teams say it."""
    if n == 0:
        return "day 0"
    return f"day {n:+d}"


def check_engraftment(*, day0: date | None, engraftment_date: date | None) -> None:
    """Neutrophil engraftment cannot precede the infusion (day 0)."""
    if engraftment_date is None:
        return
    if day0 is None:
        raise SupportRuleError(
            "neutrophil_engraftment_on", engraftment_date.isoformat(), "needs day 0 first"
        )
    if engraftment_date < day0:
        raise SupportRuleError(
            "neutrophil_engraftment_on",
            engraftment_date.isoformat(),
            f"must not be before day 0 ({day0.isoformat()})",
        )


def neutrophil_engraftment_date(
    anc: Mapping[date, float], *, day0: date, threshold: float = 0.5, consecutive: int = 3
) -> date | None:
    """First of ``consecutive`` days with ANC >= threshold (x10^9/L) after day 0, else None.

    The usual definition (first of three consecutive days with ANC >= 0.5); days without a
    result break the run, because unmeasured is not the same as engrafted.
    """
    run_start: date | None = None
    run = 0
    previous: date | None = None
    for day in sorted(d for d in anc if d > day0):
        contiguous = previous is not None and day - previous == timedelta(days=1)
        if anc[day] >= threshold:
            if run and contiguous:
                run += 1
            else:
                run, run_start = 1, day
            if run >= consecutive:
                return run_start
        else:
            run, run_start = 0, None
        previous = day
    return None


def parse_hla_match(text: str) -> tuple[int, int]:
    """'7/8', '10/10', '5/10' -> (matched, tested); rejects impossible fractions."""
    try:
        matched_s, tested_s = text.strip().split("/")
        matched, tested = int(matched_s), int(tested_s)
    except (ValueError, AttributeError):
        raise SupportRuleError("hla_match", text, "must look like 8/8 or 10/10") from None
    if tested not in (6, 8, 10, 12) or not 0 <= matched <= tested:
        raise SupportRuleError(
            "hla_match", text, "tested loci must be 6, 8, 10 or 12, matched between 0 and tested"
        )
    return matched, tested


def magic_overall_grade(*, skin: int, liver: int, upper_gi: int, lower_gi: int) -> int:
    """Overall acute GVHD grade (0-IV as 0-4) from MAGIC organ stages (Harris et al. 2016)."""
    for name, value, top in (
        ("skin", skin, 4),
        ("liver", liver, 4),
        ("upper_gi", upper_gi, 1),
        ("lower_gi", lower_gi, 4),
    ):
        if not isinstance(value, int) or not 0 <= value <= top:
            raise SupportRuleError(name, value, f"stage must be 0-{top}")
    if skin == 4 or liver == 4 or lower_gi == 4:
        return 4
    if liver in (2, 3) or lower_gi in (2, 3):
        return 3
    if skin == 3 or liver == 1 or upper_gi == 1 or lower_gi == 1:
        return 2
    if skin in (1, 2):
        return 1
    return 0


def nih_global_severity(scores: Mapping[str, int]) -> str:
    """NIH 2014 chronic GVHD global severity ('none', 'mild', 'moderate', 'severe').

    ``scores`` maps organ codes (see ``gvhd.json``) to 0-3; lung is weighted more heavily.
    """
    organs = {o["code"] for o in vocab.gvhd()["chronic"]["organs"]}
    for organ, score in scores.items():
        if organ not in organs:
            raise SupportRuleError("organ", organ, f"must be one of {sorted(organs)}")
        if not isinstance(score, int) or not 0 <= score <= 3:
            raise SupportRuleError(organ, score, "score must be 0-3")
    lung = scores.get("lungs", 0)
    involved = [o for o, s in scores.items() if s > 0]
    if not involved:
        return "none"
    if any(s == 3 for s in scores.values()) or lung >= 2:
        return "severe"
    if any(s == 2 for s in scores.values()) or len(involved) >= 3 or lung == 1:
        return "moderate"
    return "mild"


# --------------------------------------------------------------------------------------------
# Family shelter: stays and waitlist ranking
# --------------------------------------------------------------------------------------------


def check_stay_dates(*, check_in: date, check_out: date | None) -> None:
    """A stay lasts at least one night: check-out strictly after check-in (or still open)."""
    if check_out is not None and check_out <= check_in:
        raise SupportRuleError(
            "check_out",
            check_out.isoformat(),
            f"must be after check-in ({check_in.isoformat()})",
        )


def check_party_size(*, guests: int, capacity: int) -> None:
    """The family staying must fit in the room."""
    if guests < 1:
        raise SupportRuleError("guests", guests, "must be at least 1")
    if guests > capacity:
        raise SupportRuleError("guests", guests, f"must not exceed the room capacity ({capacity})")


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
        until = first.check_out.isoformat() if first.check_out else "open-ended"
        raise SupportRuleError(
            "check_in",
            check_in.isoformat(),
            f"room is already occupied {first.check_in.isoformat()} to {until}",
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
                raise SupportRuleError(name, getattr(self, name), "weight must not be negative")
        if self.distance + self.financial_need + self.treatment_intensity <= 0:
            raise SupportRuleError("weights", 0, "at least one weight must be positive")
        if self.distance_cap_km <= 0:
            raise SupportRuleError("distance_cap_km", self.distance_cap_km, "must be positive")

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
    raise SupportRuleError(field_name, code, f"must be one of {[lv['code'] for lv in levels]}")


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
        raise SupportRuleError("distance_km", c.distance_km, "must be a non-negative number")
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


# --------------------------------------------------------------------------------------------
# Aid applications
# --------------------------------------------------------------------------------------------

AID_STATUSES = (
    "draft",
    "submitted",
    "documents_requested",
    "under_review",
    "granted",
    "rejected",
    "withdrawn",
    "disbursed",
)

AID_TRANSITIONS: dict[str, frozenset[str]] = {
    "draft": frozenset({"submitted", "withdrawn"}),
    "submitted": frozenset({"under_review", "documents_requested", "withdrawn"}),
    "documents_requested": frozenset({"submitted", "withdrawn"}),
    "under_review": frozenset({"granted", "rejected", "documents_requested", "withdrawn"}),
    "granted": frozenset({"disbursed"}),
    "rejected": frozenset(),
    "withdrawn": frozenset(),
    "disbursed": frozenset(),
}

AID_TERMINAL = frozenset(s for s, nxt in AID_TRANSITIONS.items() if not nxt)


def check_aid_transition(current: str, target: str) -> None:
    if current not in AID_TRANSITIONS:
        raise SupportRuleError("status", current, f"unknown status; one of {list(AID_STATUSES)}")
    if target not in AID_TRANSITIONS:
        raise SupportRuleError("status", target, f"unknown status; one of {list(AID_STATUSES)}")
    if target not in AID_TRANSITIONS[current]:
        allowed = sorted(AID_TRANSITIONS[current]) or ["none (final)"]
        raise SupportRuleError(
            "status", target, f"cannot go from {current} to {target}; allowed: {', '.join(allowed)}"
        )


def check_aid_amounts(
    *, requested: Decimal | int, granted: Decimal | int | None, note: str | None
) -> None:
    """Amounts in won: positive request; a grant above the request must be explained."""
    if requested is None or requested <= 0:
        raise SupportRuleError("amount_requested", requested, "must be greater than 0")
    if granted is None:
        return
    if granted < 0:
        raise SupportRuleError("amount_granted", granted, "must not be negative")
    if granted > requested and not (note or "").strip():
        raise SupportRuleError(
            "amount_granted",
            granted,
            f"is above the amount requested ({requested}); a decision note is required",
        )


def missing_documents(
    provided: Iterable[str], template: Sequence[Mapping[str, Any]] | None = None
) -> list[str]:
    """Codes of the required checklist documents not yet provided."""
    template = template if template is not None else vocab.aid_documents()
    have = set(provided)
    return [d["code"] for d in template if d["required"] and d["code"] not in have]


def check_aid_submission(provided: Iterable[str]) -> None:
    """Submitting to an association needs every required document."""
    missing = missing_documents(provided)
    if missing:
        raise SupportRuleError(
            "documents", missing, "required documents missing: " + ", ".join(missing)
        )


# --------------------------------------------------------------------------------------------
# Guardians
# --------------------------------------------------------------------------------------------

ADULT_AGE_KR = 19  # Civil Act art. 4: majority at 19 completed years.


def check_guardian_adult(*, guardian_birth_date: date | None, on: date) -> None:
    """A legal guardian who consents for a child must be an adult."""
    if guardian_birth_date is None:
        return
    age = completed_years(guardian_birth_date, on)
    if age < ADULT_AGE_KR:
        raise SupportRuleError(
            "guardian_birth_date",
            guardian_birth_date.isoformat(),
            f"guardian is {age} years old; a guardian must be at least {ADULT_AGE_KR}",
        )
