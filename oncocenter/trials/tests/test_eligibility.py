from datetime import date, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from oncocenter.trials import eligibility as el

AS_OF = date(2027, 3, 2)


def neuroblastoma_criteria(**overrides):
    values = {
        "min_age_years": 1,
        "max_age_years": 21,
        "diagnosis_code_prefixes": ("C74", "C47", "C48.0"),
        "stage_groups": ("III", "IV"),
        "max_ecog": 2,
        "excluded_prior_therapies": ("radiotherapy",),
    }
    values.update(overrides)
    return el.Criteria(**values)


def test_all_met_is_eligible():
    facts = el.PatientFacts(
        birth_date=date(2023, 5, 1),
        diagnosis_codes=("C74.9",),
        stage_groups=("IV",),
        performance=el.PerformanceObservation(el.LANSKY, 70, AS_OF),
        prior_therapies=("chemotherapy",),
    )
    result = el.evaluate(neuroblastoma_criteria(), facts, as_of=AS_OF)
    assert result.overall == el.ELIGIBLE
    verdicts = result.by_criterion()
    assert verdicts[el.AGE].data_used.startswith("age 3 years")
    assert "matching: C74.9" in verdicts[el.DIAGNOSIS].data_used
    assert "(ECOG 1)" in verdicts[el.PERFORMANCE].data_used


def test_missing_data_is_unknown_not_met():
    facts = el.PatientFacts(birth_date=date(2020, 1, 1), diagnosis_codes=("C74.9",))
    result = el.evaluate(neuroblastoma_criteria(), facts, as_of=AS_OF)
    assert result.overall == el.POSSIBLY_ELIGIBLE
    verdicts = result.by_criterion()
    assert verdicts[el.STAGE].verdict == el.UNKNOWN
    assert verdicts[el.PERFORMANCE].data_used == "no performance status recorded"
    assert verdicts[el.PRIOR_THERAPY].data_used == "treatment history not recorded"


def test_any_unmet_is_ineligible_and_names_the_data():
    facts = el.PatientFacts(
        birth_date=date(2000, 1, 1),
        diagnosis_codes=("C15.4",),
        stage_groups=("II",),
        performance=el.PerformanceObservation(el.ECOG, 3, AS_OF),
        prior_therapies=("Radiotherapy",),
    )
    result = el.evaluate(neuroblastoma_criteria(), facts, as_of=AS_OF)
    assert result.overall == el.INELIGIBLE
    assert {v.criterion: v.verdict for v in result.verdicts} == dict.fromkeys(
        (el.AGE, el.DIAGNOSIS, el.STAGE, el.PERFORMANCE, el.PRIOR_THERAPY), el.UNMET
    )


def test_stale_performance_status_is_unknown():
    facts = el.PatientFacts(
        birth_date=None,
        performance=el.PerformanceObservation(el.ECOG, 0, AS_OF - timedelta(days=40)),
    )
    criteria = el.Criteria(max_ecog=1, performance_max_age_days=28)
    (verdict,) = el.evaluate(criteria, facts, as_of=AS_OF).verdicts
    assert verdict.verdict == el.UNKNOWN and verdict.data_used.endswith("too old")


@pytest.mark.parametrize(
    ("patient", "wanted", "expected"),
    [
        ("IIIB", "III", True),
        ("II", "I", False),
        ("IV", "I", False),
        ("IA1", "IA", True),
        ("IA", "IA1", False),
        ("Stage IVA", "IV", True),
        ("0", "0", True),
        ("Occult", "Occult", True),
    ],
)
def test_stage_matching(patient, wanted, expected):
    assert el.stage_matches(patient, wanted) is expected


@pytest.mark.parametrize(
    ("scale", "score", "ecog"),
    [
        (el.LANSKY, 100, 0),
        (el.LANSKY, 90, 0),
        (el.LANSKY, 80, 1),
        (el.LANSKY, 50, 2),
        (el.KARNOFSKY, 30, 3),
        (el.LANSKY, 10, 4),
        (el.LANSKY, 0, 5),
        (el.ECOG, 4, 4),
    ],
)
def test_ecog_equivalent(scale, score, ecog):
    assert el.ecog_equivalent(scale, score) == ecog


@pytest.mark.parametrize(("scale", "score"), [(el.ECOG, 6), (el.LANSKY, 101), ("zubrod", 1)])
def test_ecog_equivalent_rejects(scale, score):
    with pytest.raises(ValueError):
        el.ecog_equivalent(scale, score)


# Reference evaluation, written independently of the module's helpers.
def ref_age(birth, as_of):
    def anniversary(n):
        try:
            return birth.replace(year=birth.year + n)
        except ValueError:  # 29 February in a common year: counted from 1 March
            return date(birth.year + n, 3, 1)

    years = 0
    while anniversary(years + 1) <= as_of:
        years += 1
    return years


def ref_stage(patient, wanted):
    p = patient.upper().replace("STAGE", "").strip()
    w = wanted.upper().replace("STAGE", "").strip()
    return p == w or (p.startswith(w) and p[len(w)] not in "IV")


def ref_ecog(scale, score):
    if scale == el.ECOG:
        return score
    return 5 - min(5, (score + 10) // 20)


def reference(criteria, facts, as_of):
    out = {}
    if criteria.min_age_years is not None or criteria.max_age_years is not None:
        if facts.birth_date is None:
            out[el.AGE] = el.UNKNOWN
        else:
            age = ref_age(facts.birth_date, as_of)
            low = criteria.min_age_years if criteria.min_age_years is not None else -1
            high = criteria.max_age_years if criteria.max_age_years is not None else 10**6
            out[el.AGE] = el.MET if low <= age <= high else el.UNMET
    if criteria.diagnosis_code_prefixes:
        if not facts.diagnosis_codes:
            out[el.DIAGNOSIS] = el.UNKNOWN
        else:
            plain = [c.replace(".", "") for c in facts.diagnosis_codes]
            hit = any(
                c.startswith(p.replace(".", ""))
                for c in plain
                for p in criteria.diagnosis_code_prefixes
            )
            out[el.DIAGNOSIS] = el.MET if hit else el.UNMET
    if criteria.stage_groups:
        if not facts.stage_groups:
            out[el.STAGE] = el.UNKNOWN
        else:
            hit = any(ref_stage(s, w) for s in facts.stage_groups for w in criteria.stage_groups)
            out[el.STAGE] = el.MET if hit else el.UNMET
    if criteria.max_ecog is not None:
        ps = facts.performance
        if ps is None or (
            criteria.performance_max_age_days is not None
            and (as_of - ps.observed_on).days > criteria.performance_max_age_days
        ):
            out[el.PERFORMANCE] = el.UNKNOWN
        else:
            ok = ref_ecog(ps.scale, ps.score) <= criteria.max_ecog
            out[el.PERFORMANCE] = el.MET if ok else el.UNMET
    if criteria.excluded_prior_therapies:
        if facts.prior_therapies is None:
            out[el.PRIOR_THERAPY] = el.UNKNOWN
        else:
            bad = {t.lower() for t in criteria.excluded_prior_therapies}
            hit = any(t.lower() in bad for t in facts.prior_therapies)
            out[el.PRIOR_THERAPY] = el.UNMET if hit else el.MET
    return out


CODES = ["C15.4", "C15.9", "C74.9", "C47.9", "C91.0", "C92.0", "C69.2", "C64", "D61.9", "C34.1"]
PREFIXES = ["C15", "C74", "C47", "C9", "C91.0", "C69.2", "C64", "D6", "C34"]
STAGES = [
    "0",
    "I",
    "IA",
    "IA1",
    "IB",
    "II",
    "IIA",
    "IIB",
    "III",
    "IIIA",
    "IIIB",
    "IIIC",
    "IV",
    "IVA",
    "IVB",
    "Occult",
]
THERAPIES = ["radiotherapy", "chemotherapy", "surgery", "hsct", "anthracycline", "immunotherapy"]

optional_int = st.one_of(st.none(), st.integers(min_value=0, max_value=90))
criteria_strategy = st.builds(
    el.Criteria,
    min_age_years=optional_int,
    max_age_years=optional_int,
    diagnosis_code_prefixes=st.lists(st.sampled_from(PREFIXES), max_size=3).map(tuple),
    stage_groups=st.lists(st.sampled_from(STAGES), max_size=3).map(tuple),
    max_ecog=st.one_of(st.none(), st.integers(min_value=0, max_value=4)),
    performance_max_age_days=st.one_of(st.none(), st.integers(min_value=0, max_value=60)),
    excluded_prior_therapies=st.lists(st.sampled_from(THERAPIES), max_size=3).map(tuple),
)
performance_strategy = st.one_of(
    st.none(),
    st.builds(
        el.PerformanceObservation,
        scale=st.just(el.ECOG),
        score=st.integers(min_value=0, max_value=5),
        observed_on=st.dates(min_value=date(2026, 12, 1), max_value=AS_OF),
    ),
    st.builds(
        el.PerformanceObservation,
        scale=st.sampled_from([el.LANSKY, el.KARNOFSKY]),
        score=st.integers(min_value=0, max_value=10).map(lambda x: x * 10),
        observed_on=st.dates(min_value=date(2026, 12, 1), max_value=AS_OF),
    ),
)
facts_strategy = st.builds(
    el.PatientFacts,
    birth_date=st.one_of(st.none(), st.dates(min_value=date(1930, 1, 1), max_value=AS_OF)),
    diagnosis_codes=st.one_of(st.none(), st.lists(st.sampled_from(CODES), max_size=3).map(tuple)),
    stage_groups=st.one_of(st.none(), st.lists(st.sampled_from(STAGES), max_size=2).map(tuple)),
    performance=performance_strategy,
    prior_therapies=st.one_of(
        st.none(), st.lists(st.sampled_from(THERAPIES), max_size=3).map(tuple)
    ),
)


@settings(max_examples=500, deadline=None)
@given(criteria=criteria_strategy, facts=facts_strategy)
def test_every_verdict_matches_reference(criteria, facts):
    result = el.evaluate(criteria, facts, as_of=AS_OF)
    got = {v.criterion: v.verdict for v in result.verdicts}
    expected = reference(criteria, facts, AS_OF)
    assert got == expected
    states = set(expected.values())
    overall = (
        el.INELIGIBLE
        if el.UNMET in states
        else el.POSSIBLY_ELIGIBLE
        if el.UNKNOWN in states
        else el.ELIGIBLE
    )
    assert result.overall == overall
    assert all(v.requirement and v.data_used for v in result.verdicts)
