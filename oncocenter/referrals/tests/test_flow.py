import pytest
from hypothesis import given
from hypothesis import strategies as st

from oncocenter.referrals import flow


@pytest.mark.parametrize(
    ("current", "new"),
    [
        ("requested", "accepted"),
        ("accepted", "scheduled"),
        ("scheduled", "completed"),
        ("requested", "cancelled"),
    ],
)
def test_allowed(current, new):
    flow.check_transition(current, new)


@pytest.mark.parametrize(
    ("current", "new", "field"),
    [
        ("completed", "accepted", "status"),
        ("declined", "requested", "status"),
        ("scheduled", "accepted", "status"),
        ("requested", "lost", "status"),
        ("requested", "declined", "reason"),
    ],
)
def test_rejected(current, new, field):
    with pytest.raises(flow.TransitionError) as exc:
        flow.check_transition(current, new)
    assert exc.value.field == field


def test_decline_with_reason():
    flow.check_transition("accepted", "declined", reason="Not indicated")


def test_summarize():
    assert flow.summarize_hours([]).count == 0
    summary = flow.summarize_hours([1, 2, 3, 10])
    assert summary.median_hours == 2.5
    assert summary.p90_hours == 10
    assert summary.mean_hours == 4.0


@given(st.lists(st.floats(min_value=0, max_value=1e4), min_size=1, max_size=50))
def test_summary_bounds(values):
    s = flow.summarize_hours(values)
    assert min(values) - 0.1 <= s.median_hours <= s.p90_hours + 0.1 <= max(values) + 0.2
