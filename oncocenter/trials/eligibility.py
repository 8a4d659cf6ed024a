"""Structured trial eligibility: each criterion evaluates to met, unmet or unknown.

Missing data never counts as met: a criterion whose data is not recorded is ``unknown`` and the
verdict says what was looked at, so a research coordinator knows what to collect. Pure Python,
no Django; the web app builds :class:`PatientFacts` from the record.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

MET = "met"
UNMET = "unmet"
UNKNOWN = "unknown"

ELIGIBLE = "eligible"
INELIGIBLE = "ineligible"
POSSIBLY_ELIGIBLE = "possibly_eligible"

AGE = "age"
DIAGNOSIS = "diagnosis"
STAGE = "stage"
PERFORMANCE = "performance_status"
PRIOR_THERAPY = "prior_therapy"

ECOG = "ecog"
LANSKY = "lansky"
KARNOFSKY = "karnofsky"

# Lansky (children) and Karnofsky map onto ECOG in steps of 20 points, the conversion that
# pediatric cooperative-group protocols print beside their performance criterion.
_PERCENT_TO_ECOG = ((90, 0), (70, 1), (50, 2), (30, 3), (10, 4), (0, 5))

_STAGE_RE = re.compile(r"^(0|IV|III|II|I)([A-C]?\d?)$")


@dataclass(frozen=True)
class Criteria:
    """A study's structured eligibility; ``None`` or empty means the criterion is not used."""

    min_age_years: int | None = None
    max_age_years: int | None = None
    diagnosis_code_prefixes: tuple[str, ...] = ()
    stage_groups: tuple[str, ...] = ()
    max_ecog: int | None = None
    performance_max_age_days: int | None = None
    excluded_prior_therapies: tuple[str, ...] = ()


@dataclass(frozen=True)
class PerformanceObservation:
    scale: str
    score: int
    observed_on: date


@dataclass(frozen=True)
class PatientFacts:
    """What the record says; ``None`` means not recorded (unknown), not 'none'."""

    birth_date: date | None
    diagnosis_codes: tuple[str, ...] | None = None
    stage_groups: tuple[str, ...] | None = None
    performance: PerformanceObservation | None = None
    prior_therapies: tuple[str, ...] | None = None


@dataclass(frozen=True)
class CriterionVerdict:
    criterion: str
    verdict: str
    requirement: str
    data_used: str


@dataclass(frozen=True)
class Evaluation:
    verdicts: tuple[CriterionVerdict, ...]

    @property
    def overall(self) -> str:
        states = {v.verdict for v in self.verdicts}
        if UNMET in states:
            return INELIGIBLE
        if UNKNOWN in states:
            return POSSIBLY_ELIGIBLE
        return ELIGIBLE

    def by_criterion(self) -> dict[str, CriterionVerdict]:
        return {v.criterion: v for v in self.verdicts}


def age_in_years(birth_date: date, as_of: date) -> int:
    years = as_of.year - birth_date.year
    if (as_of.month, as_of.day) < (birth_date.month, birth_date.day):
        years -= 1
    return years


def ecog_equivalent(scale: str, score: int) -> int:
    """ECOG grade for an ECOG, Lansky or Karnofsky score."""
    if scale == ECOG:
        if not 0 <= score <= 5:
            raise ValueError(f"ECOG score {score} is outside 0-5")
        return score
    if scale in (LANSKY, KARNOFSKY):
        if not 0 <= score <= 100:
            raise ValueError(f"{scale} score {score} is outside 0-100")
        for floor, grade in _PERCENT_TO_ECOG:
            if score >= floor:
                return grade
    raise ValueError(f"unknown performance scale {scale!r}")


def _plain_code(code: str) -> str:
    return code.strip().upper().replace(".", "")


def code_matches(code: str, prefix: str) -> bool:
    """ICD-10 prefix match ignoring the dot: ``C74`` matches ``C74.9``."""
    return _plain_code(code).startswith(_plain_code(prefix))


def normalize_stage(value: str) -> str:
    return value.strip().upper().removeprefix("STAGE").strip()


def stage_matches(patient_stage: str, wanted: str) -> bool:
    """``III`` covers ``IIIA``/``IIIB``/``IIIC``, ``IA`` covers ``IA1``; ``I`` never covers ``II``."""
    p, w = normalize_stage(patient_stage), normalize_stage(wanted)
    pm, wm = _STAGE_RE.match(p), _STAGE_RE.match(w)
    if not pm or not wm:
        return p == w
    return pm.group(1) == wm.group(1) and pm.group(2).startswith(wm.group(2))


def _age_verdict(c: Criteria, facts: PatientFacts, as_of: date) -> CriterionVerdict:
    low = "" if c.min_age_years is None else f">= {c.min_age_years}"
    high = "" if c.max_age_years is None else f"<= {c.max_age_years}"
    requirement = "age " + " and ".join(x for x in (low, high) if x) + " years"
    if facts.birth_date is None:
        return CriterionVerdict(AGE, UNKNOWN, requirement, "birth date not recorded")
    age = age_in_years(facts.birth_date, as_of)
    ok = (c.min_age_years is None or age >= c.min_age_years) and (
        c.max_age_years is None or age <= c.max_age_years
    )
    data = f"age {age} years on {as_of.isoformat()} (born {facts.birth_date.isoformat()})"
    return CriterionVerdict(AGE, MET if ok else UNMET, requirement, data)


def _diagnosis_verdict(c: Criteria, facts: PatientFacts) -> CriterionVerdict:
    requirement = "diagnosis code starting with " + " or ".join(c.diagnosis_code_prefixes)
    if not facts.diagnosis_codes:
        return CriterionVerdict(DIAGNOSIS, UNKNOWN, requirement, "no diagnosis recorded")
    hits = [
        code
        for code in facts.diagnosis_codes
        if any(code_matches(code, prefix) for prefix in c.diagnosis_code_prefixes)
    ]
    data = "diagnoses " + ", ".join(facts.diagnosis_codes)
    if hits:
        data += f" (matching: {', '.join(hits)})"
    return CriterionVerdict(DIAGNOSIS, MET if hits else UNMET, requirement, data)


def _stage_verdict(c: Criteria, facts: PatientFacts) -> CriterionVerdict:
    requirement = "stage group " + " or ".join(c.stage_groups)
    if not facts.stage_groups:
        return CriterionVerdict(STAGE, UNKNOWN, requirement, "no stage group recorded")
    ok = any(stage_matches(s, w) for s in facts.stage_groups for w in c.stage_groups)
    data = "stage " + ", ".join(facts.stage_groups)
    return CriterionVerdict(STAGE, MET if ok else UNMET, requirement, data)


def _performance_verdict(c: Criteria, facts: PatientFacts, as_of: date) -> CriterionVerdict:
    assert c.max_ecog is not None
    requirement = f"ECOG <= {c.max_ecog} (Lansky/Karnofsky converted)"
    if c.performance_max_age_days is not None:
        requirement += f", assessed within {c.performance_max_age_days} days"
    ps = facts.performance
    if ps is None:
        return CriterionVerdict(PERFORMANCE, UNKNOWN, requirement, "no performance status recorded")
    grade = ecog_equivalent(ps.scale, ps.score)
    data = f"{ps.scale} {ps.score} on {ps.observed_on.isoformat()}"
    if ps.scale != ECOG:
        data += f" (ECOG {grade})"
    if (
        c.performance_max_age_days is not None
        and (as_of - ps.observed_on).days > c.performance_max_age_days
    ):
        return CriterionVerdict(PERFORMANCE, UNKNOWN, requirement, data + ", too old")
    return CriterionVerdict(PERFORMANCE, MET if grade <= c.max_ecog else UNMET, requirement, data)


def _prior_therapy_verdict(c: Criteria, facts: PatientFacts) -> CriterionVerdict:
    excluded = {t.strip().lower() for t in c.excluded_prior_therapies}
    requirement = "no prior " + " or ".join(sorted(excluded))
    if facts.prior_therapies is None:
        return CriterionVerdict(
            PRIOR_THERAPY, UNKNOWN, requirement, "treatment history not recorded"
        )
    given = [t.strip().lower() for t in facts.prior_therapies]
    hits = sorted({t for t in given if t in excluded})
    data = "prior therapies: " + (", ".join(sorted(set(given))) or "none")
    return CriterionVerdict(PRIOR_THERAPY, UNMET if hits else MET, requirement, data)


def evaluate(criteria: Criteria, facts: PatientFacts, *, as_of: date) -> Evaluation:
    """Verdict for every criterion the study uses, in a stable order."""
    verdicts = []
    if criteria.min_age_years is not None or criteria.max_age_years is not None:
        verdicts.append(_age_verdict(criteria, facts, as_of))
    if criteria.diagnosis_code_prefixes:
        verdicts.append(_diagnosis_verdict(criteria, facts))
    if criteria.stage_groups:
        verdicts.append(_stage_verdict(criteria, facts))
    if criteria.max_ecog is not None:
        verdicts.append(_performance_verdict(criteria, facts, as_of))
    if criteria.excluded_prior_therapies:
        verdicts.append(_prior_therapy_verdict(criteria, facts))
    return Evaluation(tuple(verdicts))
