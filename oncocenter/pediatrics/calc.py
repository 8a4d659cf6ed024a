"""Pure-Python rules of the pediatric record: BSA, ages, Lansky, HSCT day counts and GVHD.

Never imports Django: the services call these functions and translate ``SupportRuleError`` into
the project's typed domain errors. Every threshold that a center may want to change comes from a
data file (``pediatrics/data``) or a parameter, never a literal buried in a condition.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from oncocenter.pediatrics import vocab
from oncocenter.pediatrics.rules import RuleText, SupportRuleError, gettext_noop

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
            "height_unit",
            unit,
            gettext_noop("unit must be one of %(units)s"),
            units=", ".join(sorted(HEIGHT_UNITS_TO_CM)),
        )
    return float(value) * HEIGHT_UNITS_TO_CM[unit]


def to_kg(value: float, unit: str) -> float:
    """Convert a weight to kilograms; unknown units are rejected, not guessed."""
    if unit not in WEIGHT_UNITS_TO_KG:
        raise SupportRuleError(
            "weight_unit",
            unit,
            gettext_noop("unit must be one of %(units)s"),
            units=", ".join(sorted(WEIGHT_UNITS_TO_KG)),
        )
    return float(value) * WEIGHT_UNITS_TO_KG[unit]


def _age_band(age_years: float, bands: Sequence[Mapping[str, Any]]) -> Mapping[str, Any] | None:
    for band in bands:
        if band["age_min"] <= age_years < band["age_max"]:
            return band
    return None


def _check_numbers(height_cm: float, weight_kg: float) -> None:
    for name, value in (("height_cm", height_cm), ("weight_kg", weight_kg)):
        if not isinstance(value, int | float | Decimal) or isinstance(value, bool):
            raise SupportRuleError(name, value, gettext_noop("must be a number"))
        if not math.isfinite(float(value)):
            raise SupportRuleError(name, value, gettext_noop("must be a finite number"))


def _check_hard_limits(height_cm: float, weight_kg: float, hard: Mapping[str, Any]) -> None:
    if height_cm < hard["height_cm_min"]:
        template = (
            gettext_noop("must be at least %(limit)s cm (looks like metres: enter centimetres)")
            if 0 < height_cm < 3
            else gettext_noop("must be at least %(limit)s cm")
        )
        raise SupportRuleError("height_cm", height_cm, template, limit=hard["height_cm_min"])
    if height_cm > hard["height_cm_max"]:
        template = (
            gettext_noop("must be at most %(limit)s cm (looks like millimetres)")
            if height_cm > 300
            else gettext_noop("must be at most %(limit)s cm")
        )
        raise SupportRuleError("height_cm", height_cm, template, limit=hard["height_cm_max"])
    if weight_kg < hard["weight_kg_min"]:
        raise SupportRuleError(
            "weight_kg",
            weight_kg,
            gettext_noop("must be at least %(limit)s kg"),
            limit=hard["weight_kg_min"],
        )
    if weight_kg > hard["weight_kg_max"]:
        template = (
            gettext_noop("must be at most %(limit)s kg (looks like grams or pounds)")
            if weight_kg > 300
            else gettext_noop("must be at most %(limit)s kg")
        )
        raise SupportRuleError("weight_kg", weight_kg, template, limit=hard["weight_kg_max"])


def check_measurements(
    *, height_cm: float, weight_kg: float, age_years: float | None = None
) -> tuple[str, ...]:
    """Reject impossible values (hard limits) and return warnings for unusual ones.

    Hard limits catch unit mistakes (a height of 1.2 typed in cm is almost surely metres);
    the age-band ranges only warn, because sick children are often far from the norm.
    """
    limits = vocab.bsa_plausibility()
    _check_numbers(height_cm, weight_kg)
    _check_hard_limits(height_cm, weight_kg, limits["hard_limits"])
    warnings: list[str] = []
    if age_years is not None:
        if age_years < 0:
            raise SupportRuleError("age_years", age_years, gettext_noop("must not be negative"))
        band = _age_band(age_years, limits["age_bands"])
        if band is not None:
            if not band["height_cm"][0] <= height_cm <= band["height_cm"][1]:
                warnings.append(
                    RuleText(
                        gettext_noop(
                            "height %(value)s cm is unusual for age %(age)s "
                            "(expected %(low)s-%(high)s cm): check the value"
                        ),
                        value=f"{height_cm:g}",
                        age=f"{age_years:g}",
                        low=band["height_cm"][0],
                        high=band["height_cm"][1],
                    )
                )
            if not band["weight_kg"][0] <= weight_kg <= band["weight_kg"][1]:
                warnings.append(
                    RuleText(
                        gettext_noop(
                            "weight %(value)s kg is unusual for age %(age)s "
                            "(expected %(low)s-%(high)s kg): check the value"
                        ),
                        value=f"{weight_kg:g}",
                        age=f"{age_years:g}",
                        low=band["weight_kg"][0],
                        high=band["weight_kg"][1],
                    )
                )
    bmi = weight_kg / (height_cm / 100) ** 2
    if not limits["bmi_warn"][0] <= bmi <= limits["bmi_warn"][1]:
        warnings.append(
            RuleText(
                gettext_noop(
                    "weight-for-height (BMI %(bmi)s) is implausible: check height and weight units"
                ),
                bmi=f"{bmi:.1f}",
            )
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
        raise SupportRuleError(
            "measured_on", on.isoformat(), gettext_noop("must not be before the birth date")
        )
    return (on - birth_date).days / 365.25


def completed_years(birth_date: date, on: date) -> int:
    """Age in completed years (birthday reached), as shown beside a guardian's name."""
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
        raise SupportRuleError("lansky", score, gettext_noop("must be 0-100 in steps of 10"))
    return str(scale[score].get(lang) or scale[score]["en"])


# --------------------------------------------------------------------------------------------
# HSCT
# --------------------------------------------------------------------------------------------

DAY_ZERO = gettext_noop("day 0")
DAY_N = gettext_noop("day %(n)s")


def hsct_day(day0: date, on: date) -> int:
    """Day number relative to the infusion (day 0): negative during conditioning."""
    return (on - day0).days


def format_hsct_day(n: int) -> str:
    """'day +N', 'day -N' or 'day 0', the way transplant teams say it."""
    if n == 0:
        return RuleText(DAY_ZERO)
    return RuleText(DAY_N, n=f"{n:+d}")


def check_engraftment(*, day0: date | None, engraftment_date: date | None) -> None:
    """Neutrophil engraftment cannot precede the infusion (day 0)."""
    if engraftment_date is None:
        return
    if day0 is None:
        raise SupportRuleError(
            "neutrophil_engraftment_on",
            engraftment_date.isoformat(),
            gettext_noop("needs day 0 first"),
        )
    if engraftment_date < day0:
        raise SupportRuleError(
            "neutrophil_engraftment_on",
            engraftment_date.isoformat(),
            gettext_noop("must not be before day 0 (%(day0)s)"),
            day0=day0.isoformat(),
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
        raise SupportRuleError(
            "hla_match", text, gettext_noop("must look like 8/8 or 10/10")
        ) from None
    if tested not in (6, 8, 10, 12) or not 0 <= matched <= tested:
        raise SupportRuleError(
            "hla_match",
            text,
            gettext_noop("tested loci must be 6, 8, 10 or 12, matched between 0 and tested"),
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
            raise SupportRuleError(name, value, gettext_noop("stage must be 0-%(top)s"), top=top)
    if skin == 4 or liver == 4 or lower_gi == 4:
        return 4
    if liver in (2, 3) or lower_gi in (2, 3):
        return 3
    if skin == 3 or liver == 1 or upper_gi == 1 or lower_gi == 1:
        return 2
    if skin in (1, 2):
        return 1
    return 0


NIH_SEVERITIES = (
    ("none", gettext_noop("none")),
    ("mild", gettext_noop("mild")),
    ("moderate", gettext_noop("moderate")),
    ("severe", gettext_noop("severe")),
)


def nih_global_severity(scores: Mapping[str, int]) -> str:
    """NIH 2014 chronic GVHD global severity ('none', 'mild', 'moderate', 'severe').

    ``scores`` maps organ codes (see ``gvhd.json``) to 0-3; lung is weighted more heavily.
    """
    organs = {o["code"] for o in vocab.gvhd()["chronic"]["organs"]}
    for organ, score in scores.items():
        if organ not in organs:
            raise SupportRuleError(
                "organ",
                organ,
                gettext_noop("must be one of %(allowed)s"),
                allowed=", ".join(sorted(organs)),
            )
        if not isinstance(score, int) or not 0 <= score <= 3:
            raise SupportRuleError(organ, score, gettext_noop("score must be 0-3"))
    lung = scores.get("lungs", 0)
    involved = [o for o, s in scores.items() if s > 0]
    if not involved:
        return "none"
    if any(s == 3 for s in scores.values()) or lung >= 2:
        return "severe"
    if any(s == 2 for s in scores.values()) or len(involved) >= 3 or lung == 1:
        return "moderate"
    return "mild"
