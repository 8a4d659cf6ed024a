"""Plain tests of the pure-Python rules (no database)."""

from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from oncocenter.pediatrics.rules import SupportRuleError
from oncocenter.shelter import calc

dates = st.dates(min_value=date(2026, 1, 1), max_value=date(2026, 3, 1))


def _cand(key, km, need, intensity, day=1):
    return calc.WaitlistCandidate(key, km, need, intensity, date(2026, 1, day))


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


def test_reasons_in_korean():
    ranked = calc.rank_waitlist([_cand("a", 400, "high", "hsct")], lang="ko")
    texts = [r.text for r in ranked[0].reasons]
    assert texts[0].startswith("병원에서 400 km") and "조혈모세포이식" in texts[2]
