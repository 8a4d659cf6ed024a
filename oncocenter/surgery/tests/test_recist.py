"""RECIST 1.1 against worked examples, and a property: the category agrees with the sums."""

from decimal import Decimal as D

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from oncocenter.surgery import recist
from oncocenter.surgery.recist import Lesion

BASE = [
    Lesion("L1", "liver", D(40)),
    Lesion("L2", "liver", D(30)),
    Lesion("N1", "mediastinum", D(20), is_node=True),
]  # sum 90 mm


def at(l1, l2, n1, *, prev=(), **kw):
    return recist.assess(
        lesions=[
            Lesion("L1", "liver", D(l1)),
            Lesion("L2", "liver", D(l2)),
            Lesion("N1", "mediastinum", D(n1), True),
        ],
        baseline=BASE,
        previous_sums=[D(p) for p in prev],
        **kw,
    )


def test_baseline_sums_longest_diameters_and_node_short_axes():
    r = recist.assess(lesions=BASE, baseline=None, previous_sums=[])
    assert r.sum_mm == 90 and r.overall_response is None


def test_worked_example_partial_response():
    # 90 -> 60 mm: -33.3 % from baseline -> PR
    r = at(25, 20, 15)
    assert (r.sum_mm, r.change_from_baseline_pct, r.target_response) == (60, D("-33.3"), "PR")


def test_worked_example_stable_at_minus_29():
    r = at(30, 24, 10)  # 64 mm: -28.9 %
    assert r.change_from_baseline_pct == D("-28.9") and r.overall_response == "SD"


def test_worked_example_progression_from_nadir_not_baseline():
    # nadir 50 mm; now 62 mm: +24 % from nadir and +12 mm, still -31 % from baseline -> PD
    r = at(30, 20, 12, prev=[60, 50])
    assert r.nadir_sum_mm == 50 and r.change_from_nadir_pct == D("24.0")
    assert r.target_response == "PD"


def test_twenty_percent_but_under_five_mm_is_not_progression():
    small = [Lesion("L1", "lung", D(12))]
    r = recist.assess(lesions=[Lesion("L1", "lung", D("14.5"))], baseline=small, previous_sums=[])
    assert r.change_from_baseline_pct == D("20.8") and r.target_response == "SD"


def test_complete_response_allows_nodes_under_10mm():
    r = at(0, 0, 8)
    assert r.target_response == "CR" and r.overall_response == "CR"
    r = at(0, 0, 8, non_target=recist.NT_NON_CR_NON_PD)
    assert r.overall_response == "PR"


def test_new_lesion_is_progression_whatever_the_sums():
    assert at(10, 10, 10, new_lesions=True).overall_response == "PD"
    assert at(10, 10, 10, non_target=recist.NT_PD).overall_response == "PD"


def test_changed_target_set_needs_a_new_baseline():
    with pytest.raises(recist.RecistError) as e:
        recist.assess(
            lesions=[Lesion("L1", "liver", D(20)), Lesion("L9", "lung", D(15))],
            baseline=BASE,
            previous_sums=[],
        )
    assert e.value.problems[0].code == "set_changed"


@pytest.mark.parametrize(
    ("lesions", "code"),
    [
        ([Lesion(f"L{i}", f"o{i}", D(20)) for i in range(6)], "too_many"),
        ([Lesion(f"L{i}", "liver", D(20)) for i in range(3)], "per_organ"),
        ([Lesion("L1", "liver", D(9))], "not_measurable"),
        ([Lesion("N1", "neck", D(14), True)], "not_measurable"),
        ([Lesion("L1", "liver", D(20)), Lesion("l1", "lung", D(20))], "duplicate"),
        ([], "required"),
    ],
)
def test_baseline_rules(lesions, code):
    with pytest.raises(recist.RecistError) as e:
        recist.assess(lesions=lesions, baseline=None, previous_sums=[])
    assert code in [p.code for p in e.value.problems]


mm = st.decimals(min_value=0, max_value=200, places=1)


@settings(max_examples=300, deadline=None)
@given(
    base=st.lists(st.decimals(min_value=10, max_value=120, places=1), min_size=1, max_size=5),
    data=st.data(),
)
def test_category_is_consistent_with_percent_change(base, data):
    baseline = [Lesion(f"L{i}", f"organ{i}", d) for i, d in enumerate(base)]
    prev = data.draw(st.lists(st.decimals(min_value=0, max_value=600, places=1), max_size=4))
    now = [Lesion(f"L{i}", f"organ{i}", data.draw(mm)) for i in range(len(base))]
    r = recist.assess(lesions=now, baseline=baseline, previous_sums=prev)
    total, nadir, start = r.sum_mm, r.nadir_sum_mm, r.baseline_sum_mm
    if r.target_response == "PD":
        assert total - nadir >= 5 and (nadir == 0 or (total - nadir) * 100 >= 20 * nadir)
    else:
        assert not (total - nadir >= 5 and (total - nadir) * 100 >= 20 * nadir)
    if r.target_response == "CR":
        assert total == 0
    if r.target_response == "PR":
        assert r.change_from_baseline_pct is not None and r.change_from_baseline_pct <= -30 + D(
            "0.05"
        )
        assert total > 0
    if r.target_response == "SD":
        assert (total - start) * 100 > -30 * start
