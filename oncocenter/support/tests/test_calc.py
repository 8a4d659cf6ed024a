"""Plain tests of the pure-Python rules (no database)."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from oncocenter.support import calc
from oncocenter.support.calc import SupportRuleError


# ---------------------------------------------------------------- BSA
def test_mosteller_reference_values():
    # sqrt(150 * 50 / 3600) = 1.4434
    assert calc.bsa_mosteller(height=150, weight=50).bsa_m2 == 1.44
    # adult reference 180 cm / 80 kg -> 2.0
    assert calc.bsa_mosteller(height=180, weight=80).bsa_m2 == 2.0
    # infant 60 cm / 6 kg -> 0.316
    assert calc.bsa_mosteller(height=60, weight=6).bsa_m2 == 0.32


def test_units_are_converted():
    r = calc.bsa_mosteller(height=1.5, weight=50000, height_unit="m", weight_unit="g")
    assert (r.height_cm, r.weight_kg, r.bsa_m2) == (150.0, 50.0, 1.44)
    r = calc.bsa_mosteller(height=59.055, weight=110.231, height_unit="in", weight_unit="lb")
    assert r.bsa_m2 == 1.44


def test_unknown_unit_rejected_with_field():
    with pytest.raises(SupportRuleError) as e:
        calc.bsa_mosteller(height=150, weight=50, height_unit="ft")
    assert e.value.field == "height_unit"
    with pytest.raises(SupportRuleError) as e:
        calc.bsa_mosteller(height=150, weight=50, weight_unit="stone")
    assert e.value.field == "weight_unit"


def test_height_in_metres_typed_as_cm_is_rejected_with_hint():
    with pytest.raises(SupportRuleError) as e:
        calc.bsa_mosteller(height=1.2, weight=20)
    assert e.value.field == "height_cm"
    assert "metres" in e.value.rule


def test_weight_in_grams_typed_as_kg_is_rejected():
    with pytest.raises(SupportRuleError) as e:
        calc.bsa_mosteller(height=110, weight=18000)
    assert e.value.field == "weight_kg"


@pytest.mark.parametrize("bad", [float("nan"), float("inf"), "12", None, True])
def test_non_numbers_rejected(bad):
    with pytest.raises(SupportRuleError):
        calc.check_measurements(height_cm=bad, weight_kg=20)


def test_age_band_gives_warning_not_error():
    r = calc.bsa_mosteller(height=170, weight=60, age_years=3)
    assert r.bsa_m2 == 1.68
    assert any("unusual for age 3" in w for w in r.warnings)
    assert calc.bsa_mosteller(height=100, weight=16, age_years=4).warnings == ()


def test_implausible_weight_for_height_warns():
    r = calc.bsa_mosteller(height=60, weight=40)
    assert any("BMI" in w for w in r.warnings)


@given(
    h=st.floats(min_value=30, max_value=230, allow_nan=False),
    w=st.floats(min_value=0.4, max_value=250, allow_nan=False),
)
def test_bsa_monotone_and_positive(h, w):
    a = calc.bsa_mosteller(height=h, weight=w).bsa_m2
    b = calc.bsa_mosteller(height=min(h + 5, 230), weight=w).bsa_m2
    assert 0 < a <= b


def test_ages():
    assert calc.completed_years(date(2010, 5, 10), date(2029, 5, 9)) == 18
    assert calc.completed_years(date(2010, 5, 10), date(2029, 5, 10)) == 19
    with pytest.raises(SupportRuleError):
        calc.age_in_years(date(2020, 1, 1), date(2019, 1, 1))


def test_lansky():
    assert calc.lansky_description(80).startswith("Active")
    assert calc.lansky_description(0, "ko") == "반응 없음"
    with pytest.raises(SupportRuleError):
        calc.lansky_description(85)


# ---------------------------------------------------------------- HSCT
def test_hsct_day_count():
    d0 = date(2026, 3, 10)
    assert calc.hsct_day(d0, date(2026, 3, 3)) == -7
    assert calc.hsct_day(d0, d0) == 0
    assert calc.hsct_day(d0, date(2026, 4, 9)) == 30
    assert calc.format_hsct_day(-7) == "day -7"
    assert calc.format_hsct_day(0) == "day 0"
    assert calc.format_hsct_day(30) == "day +30"


def test_engraftment_not_before_day0():
    d0 = date(2026, 3, 10)
    calc.check_engraftment(day0=d0, engraftment_date=date(2026, 3, 24))
    calc.check_engraftment(day0=d0, engraftment_date=None)
    with pytest.raises(SupportRuleError) as e:
        calc.check_engraftment(day0=d0, engraftment_date=date(2026, 3, 9))
    assert e.value.field == "neutrophil_engraftment_on"
    with pytest.raises(SupportRuleError):
        calc.check_engraftment(day0=None, engraftment_date=date(2026, 3, 9))


def test_neutrophil_engraftment_three_consecutive_days():
    d0 = date(2026, 3, 10)
    anc = {
        d0 + timedelta(days=i): v
        for i, v in [(-2, 2.0), (10, 0.6), (11, 0.2), (12, 0.5), (13, 0.7), (14, 0.9)]
    }
    assert calc.neutrophil_engraftment_date(anc, day0=d0) == d0 + timedelta(days=12)
    # a gap in measurements breaks the run
    anc2 = {d0 + timedelta(days=i): 1.0 for i in (12, 13, 15)}
    assert calc.neutrophil_engraftment_date(anc2, day0=d0) is None


def test_hla_match():
    assert calc.parse_hla_match("10/10") == (10, 10)
    assert calc.parse_hla_match(" 7/8 ") == (7, 8)
    for bad in ("9/8", "abc", "5/7", "", "1/2/3"):
        with pytest.raises(SupportRuleError):
            calc.parse_hla_match(bad)


@pytest.mark.parametrize(
    ("stages", "grade"),
    [
        ((0, 0, 0, 0), 0),
        ((2, 0, 0, 0), 1),
        ((3, 0, 0, 0), 2),
        ((1, 0, 1, 0), 2),
        ((0, 1, 0, 0), 2),
        ((0, 0, 0, 1), 2),
        ((3, 2, 0, 0), 3),
        ((0, 0, 1, 3), 3),
        ((4, 0, 0, 0), 4),
        ((0, 0, 0, 4), 4),
        ((1, 4, 1, 2), 4),
    ],
)
def test_magic_grade(stages, grade):
    skin, liver, ugi, lgi = stages
    assert calc.magic_overall_grade(skin=skin, liver=liver, upper_gi=ugi, lower_gi=lgi) == grade


def test_magic_rejects_impossible_stage():
    with pytest.raises(SupportRuleError) as e:
        calc.magic_overall_grade(skin=0, liver=0, upper_gi=2, lower_gi=0)
    assert e.value.field == "upper_gi"


def test_nih_severity():
    assert calc.nih_global_severity({}) == "none"
    assert calc.nih_global_severity({"skin": 1, "mouth": 1}) == "mild"
    assert calc.nih_global_severity({"skin": 1, "mouth": 1, "eyes": 1}) == "moderate"
    assert calc.nih_global_severity({"lungs": 1}) == "moderate"
    assert calc.nih_global_severity({"skin": 2}) == "moderate"
    assert calc.nih_global_severity({"lungs": 2}) == "severe"
    assert calc.nih_global_severity({"eyes": 3}) == "severe"
    with pytest.raises(SupportRuleError):
        calc.nih_global_severity({"nose": 1})


# ---------------------------------------------------------------- shelter stays
def test_check_out_must_follow_check_in():
    calc.check_stay_dates(check_in=date(2026, 1, 1), check_out=date(2026, 1, 2))
    calc.check_stay_dates(check_in=date(2026, 1, 1), check_out=None)
    for out in (date(2026, 1, 1), date(2025, 12, 31)):
        with pytest.raises(SupportRuleError) as e:
            calc.check_stay_dates(check_in=date(2026, 1, 1), check_out=out)
        assert e.value.field == "check_out"


def test_overlap_detection():
    existing = [
        calc.StaySpan(1, date(2026, 1, 1), date(2026, 1, 10)),
        calc.StaySpan(2, date(2026, 1, 20), None),
    ]
    # back to back is fine
    assert (
        calc.find_overlaps(
            check_in=date(2026, 1, 10), check_out=date(2026, 1, 20), existing=existing
        )
        == []
    )
    assert [
        s.key
        for s in calc.find_overlaps(
            check_in=date(2026, 1, 9), check_out=date(2026, 1, 11), existing=existing
        )
    ] == [1]
    assert [
        s.key
        for s in calc.find_overlaps(check_in=date(2026, 3, 1), check_out=None, existing=existing)
    ] == [2]
    assert [
        s.key
        for s in calc.find_overlaps(check_in=date(2025, 12, 1), check_out=None, existing=existing)
    ] == [1, 2]
    with pytest.raises(SupportRuleError) as e:
        calc.check_no_overlap(
            check_in=date(2026, 1, 5), check_out=date(2026, 1, 6), existing=existing
        )
    assert e.value.field == "check_in"
    assert "2026-01-01" in e.value.rule


dates = st.dates(min_value=date(2026, 1, 1), max_value=date(2026, 3, 1))


@given(a=dates, la=st.integers(1, 30), b=dates, lb=st.integers(1, 30))
def test_overlap_matches_night_sets(a, la, b, lb):
    nights_a = {a + timedelta(days=i) for i in range(la)}
    nights_b = {b + timedelta(days=i) for i in range(lb)}
    expected = bool(nights_a & nights_b)
    assert calc.stays_overlap(a, a + timedelta(days=la), b, b + timedelta(days=lb)) == expected


def test_party_size():
    calc.check_party_size(guests=3, capacity=3)
    with pytest.raises(SupportRuleError) as e:
        calc.check_party_size(guests=4, capacity=3)
    assert e.value.field == "guests"
    with pytest.raises(SupportRuleError):
        calc.check_party_size(guests=0, capacity=3)


# ---------------------------------------------------------------- waitlist ranking
def _cand(key, km, need, intensity, day=1):
    return calc.WaitlistCandidate(key, km, need, intensity, date(2026, 1, day))


def test_ranking_orders_by_score_with_reasons():
    ranked = calc.rank_waitlist(
        [
            _cand("near-rich-followup", 10, "none", "followup"),
            _cand("far-poor-hsct", 400, "high", "hsct"),
            _cand("mid", 150, "moderate", "radiotherapy"),
        ]
    )
    assert [r.key for r in ranked] == ["far-poor-hsct", "mid", "near-rich-followup"]
    top = ranked[0]
    assert top.rank == 1 and top.score == 100.0
    assert [r.factor for r in top.reasons] == ["distance", "financial_need", "treatment_intensity"]
    assert "400 km" in top.reasons[0].text and "cap" in top.reasons[0].text
    assert "stem cell transplantation" in top.reasons[2].text
    assert abs(sum(r.points for r in top.reasons) - top.score) < 0.2


def test_weights_are_parameters():
    cands = [_cand("far", 300, "none", "followup"), _cand("poor", 0, "high", "followup")]
    assert (
        calc.rank_waitlist(
            cands, calc.RankingWeights(distance=1, financial_need=0, treatment_intensity=0)
        )[0].key
        == "far"
    )
    assert (
        calc.rank_waitlist(
            cands, calc.RankingWeights(distance=0, financial_need=1, treatment_intensity=0)
        )[0].key
        == "poor"
    )


def test_ties_go_to_earlier_request():
    ranked = calc.rank_waitlist(
        [_cand("late", 100, "low", "hsct", 5), _cand("early", 100, "low", "hsct", 2)]
    )
    assert [r.key for r in ranked] == ["early", "late"]


def test_bad_ranking_inputs():
    with pytest.raises(SupportRuleError) as e:
        calc.rank_waitlist([_cand("x", 10, "rich", "hsct")])
    assert e.value.field == "financial_need"
    with pytest.raises(SupportRuleError):
        calc.rank_waitlist([_cand("x", -1, "low", "hsct")])
    with pytest.raises(SupportRuleError):
        calc.RankingWeights(distance=-1)
    with pytest.raises(SupportRuleError):
        calc.RankingWeights(distance=0, financial_need=0, treatment_intensity=0)


@given(
    km=st.floats(0, 1000, allow_nan=False),
    need=st.sampled_from(["none", "low", "moderate", "high"]),
    intensity=st.sampled_from(
        ["followup", "outpatient_chemo", "radiotherapy", "intensive_chemo", "hsct", "palliative"]
    ),
)
def test_score_in_range_and_monotone_in_distance(km, need, intensity):
    w = calc.RankingWeights()
    s1, _ = calc.score_candidate(_cand("a", km, need, intensity), w)
    s2, _ = calc.score_candidate(_cand("a", km + 50, need, intensity), w)
    assert 0 <= s1 <= s2 <= 100


# ---------------------------------------------------------------- aid
def test_aid_status_flow():
    calc.check_aid_transition("draft", "submitted")
    calc.check_aid_transition("under_review", "granted")
    calc.check_aid_transition("granted", "disbursed")
    with pytest.raises(SupportRuleError) as e:
        calc.check_aid_transition("draft", "granted")
    assert e.value.field == "status" and "allowed" in e.value.rule
    with pytest.raises(SupportRuleError) as e:
        calc.check_aid_transition("rejected", "submitted")
    assert "final" in e.value.rule
    with pytest.raises(SupportRuleError):
        calc.check_aid_transition("draft", "approved")
    assert {"rejected", "withdrawn", "disbursed"} == calc.AID_TERMINAL


def test_every_status_reachable_from_draft():
    seen, todo = {"draft"}, ["draft"]
    while todo:
        for nxt in calc.AID_TRANSITIONS[todo.pop()]:
            if nxt not in seen:
                seen.add(nxt)
                todo.append(nxt)
    assert seen == set(calc.AID_STATUSES)


def test_grant_above_request_needs_note():
    calc.check_aid_amounts(requested=Decimal(1000000), granted=Decimal(800000), note="")
    calc.check_aid_amounts(requested=1000000, granted=1200000, note="Board added transport costs")
    with pytest.raises(SupportRuleError) as e:
        calc.check_aid_amounts(requested=1000000, granted=1200000, note="  ")
    assert e.value.field == "amount_granted"
    with pytest.raises(SupportRuleError) as e:
        calc.check_aid_amounts(requested=0, granted=None, note=None)
    assert e.value.field == "amount_requested"
    with pytest.raises(SupportRuleError):
        calc.check_aid_amounts(requested=10, granted=-1, note=None)


def test_document_checklist():
    required = [d["code"] for d in calc.vocab.aid_documents() if d["required"]]
    assert calc.missing_documents(required) == []
    assert calc.missing_documents([]) == required
    calc.check_aid_submission(required)
    with pytest.raises(SupportRuleError) as e:
        calc.check_aid_submission(required[1:])
    assert e.value.field == "documents" and required[0] in e.value.rule


# ---------------------------------------------------------------- guardian
def test_guardian_must_be_adult():
    on = date(2026, 6, 1)
    calc.check_guardian_adult(guardian_birth_date=date(1990, 1, 1), on=on)
    calc.check_guardian_adult(guardian_birth_date=date(2007, 6, 1), on=on)
    with pytest.raises(SupportRuleError) as e:
        calc.check_guardian_adult(guardian_birth_date=date(2007, 6, 2), on=on)
    assert e.value.field == "guardian_birth_date"


def test_reasons_in_korean():
    ranked = calc.rank_waitlist([_cand("a", 400, "high", "hsct")], lang="ko")
    texts = [r.text for r in ranked[0].reasons]
    assert texts[0].startswith("병원에서 400 km") and "조혈모세포이식" in texts[2]
