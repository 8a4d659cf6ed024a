from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from oncocenter.clinics.priority import (
    Candidate,
    PolicyError,
    PolicyParams,
    check_booking,
    rank_candidates,
    reservation_released,
    reserved_slot_count,
    score_candidate,
)

TODAY = date(2026, 11, 20)
POLICY = PolicyParams()


def cand(key, prior, urgency="routine", days=0):
    return Candidate(key, prior, urgency, date.fromordinal(TODAY.toordinal() - days))


def test_score_sums_reasons():
    s = score_candidate(cand("a", True, "soon", 10), policy=POLICY, today=TODAY)
    assert s.total == 50 + 20 + 5
    assert [r.code for r in s.reasons] == ["prior", "urgency", "waiting"]
    assert sum(r.points for r in s.reasons) == s.total
    assert "Previously treated" in s.reasons[0].text
    assert "10 days" in s.reasons[2].text


def test_not_prior_reason_is_shown():
    s = score_candidate(cand("a", False), policy=POLICY, today=TODAY)
    assert s.total == 0
    assert "Not previously treated" in s.reasons[0].text


def test_waiting_is_capped_and_says_so():
    s = score_candidate(cand("a", False, days=400), policy=POLICY, today=TODAY)
    assert s.total == POLICY.waiting_points_cap
    assert "capped at 30" in s.reasons[2].text


def test_future_request_counts_zero_days():
    c = Candidate("a", False, "routine", date(2026, 12, 1))
    assert score_candidate(c, policy=POLICY, today=TODAY).total == 0


def test_prior_treatment_outranks_waiting_with_default_weights():
    ranked = rank_candidates(
        [cand("new", False, days=50), cand("prior", True, days=1)], policy=POLICY, today=TODAY
    )
    assert [s.key for s in ranked] == ["prior", "new"]


def test_urgency_can_outrank_prior_when_weighted():
    policy = PolicyParams(
        prior_treatment_points=10, urgency_points={"routine": 0, "soon": 5, "urgent": 60}
    )
    ranked = rank_candidates(
        [cand("prior", True), cand("urgent", False, "urgent")], policy=policy, today=TODAY
    )
    assert ranked[0].key == "urgent"


def test_ties_go_to_earlier_request():
    ranked = rank_candidates(
        [cand("later", False, days=100), cand("earlier", False, days=200)],
        policy=POLICY,
        today=TODAY,
    )
    # both capped at 30 points: the earlier request wins
    assert [s.key for s in ranked] == ["earlier", "later"]


def test_unknown_urgency_rejected():
    with pytest.raises(PolicyError) as exc:
        score_candidate(cand("a", False, "whenever"), policy=POLICY, today=TODAY)
    assert exc.value.field == "urgency"


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"reserved_share_percent": 120}, "reserved_share_percent"),
        ({"release_days_before": -1}, "release_days_before"),
        ({"prior_treatment_points": -5}, "prior_treatment_points"),
        ({"urgency_points": {"routine": 0, "asap": 3}}, "urgency_points"),
    ],
)
def test_policy_validation_names_field(kwargs, field):
    with pytest.raises(PolicyError) as exc:
        PolicyParams(**kwargs).validate()
    assert exc.value.field == field


def test_reserved_count_rounds_down():
    assert reserved_slot_count(10, 30) == 3
    assert reserved_slot_count(1, 30) == 0
    assert reserved_slot_count(16, 25) == 4


def test_release_n_days_before():
    d = date(2026, 12, 10)
    assert not reservation_released(session_date=d, today=date(2026, 12, 2), release_days_before=7)
    assert reservation_released(session_date=d, today=date(2026, 12, 3), release_days_before=7)


def _check(**kw):
    base = dict(
        capacity=10,
        booked_total=0,
        booked_prior=0,
        previously_treated=False,
        session_date=date(2026, 12, 20),
        today=TODAY,
        policy=POLICY,
    )
    base.update(kw)
    return check_booking(**base)


def test_new_patient_blocked_when_only_reserved_slots_left():
    res = _check(booked_total=7)
    assert not res.allowed
    assert res.held_for_prior == 3
    assert "held for previously treated" in res.text


def test_prior_patient_takes_reserved_slot():
    assert _check(booked_total=7, previously_treated=True).allowed


def test_reserved_used_by_prior_patients_frees_the_rest():
    # 3 prior patients already used the reserved share: the other free slots are open to all
    assert _check(booked_total=7, booked_prior=3).allowed


def test_released_near_the_date():
    assert _check(booked_total=7, today=date(2026, 12, 14)).allowed


def test_full_session_rejected_for_everyone():
    res = _check(booked_total=10, previously_treated=True)
    assert not res.allowed
    assert "full" in res.text


@given(
    capacity=st.integers(0, 40),
    booked=st.integers(0, 40),
    booked_prior_frac=st.floats(0, 1),
    share=st.integers(0, 100),
    days_ahead=st.integers(0, 30),
    prior=st.booleans(),
)
def test_booking_rule_invariants(capacity, booked, booked_prior_frac, share, days_ahead, prior):
    booked = min(booked, capacity)
    booked_prior = int(booked * booked_prior_frac)
    policy = PolicyParams(reserved_share_percent=share)
    session = date.fromordinal(TODAY.toordinal() + days_ahead)
    res = check_booking(
        capacity=capacity,
        booked_total=booked,
        booked_prior=booked_prior,
        previously_treated=prior,
        session_date=session,
        today=TODAY,
        policy=policy,
    )
    free = capacity - booked
    if free <= 0:
        assert not res.allowed  # never above capacity
    elif prior:
        assert res.allowed  # previously treated patients may take any free slot
    elif res.allowed:
        # a new patient never eats into the part of the share still held
        assert free - 1 >= res.held_for_prior
    if days_ahead <= policy.release_days_before:
        assert res.held_for_prior == 0


@given(
    st.lists(
        st.tuples(
            st.booleans(), st.sampled_from(["routine", "soon", "urgent"]), st.integers(-5, 500)
        ),
        max_size=30,
    )
)
def test_ranking_is_sorted_and_explained(rows):
    cands = [cand(i, p, u, d) for i, (p, u, d) in enumerate(rows)]
    ranked = rank_candidates(cands, policy=POLICY, today=TODAY)
    totals = [s.total for s in ranked]
    assert totals == sorted(totals, reverse=True)
    for s in ranked:
        assert abs(sum(r.points for r in s.reasons) - s.total) < 1e-6
        assert len(s.reasons) == 3
