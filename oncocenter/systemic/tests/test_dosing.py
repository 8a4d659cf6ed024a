"""Dose arithmetic against worked examples, and its invariants (hypothesis): no database."""

from decimal import Decimal as D

import pytest
from hypothesis import given
from hypothesis import strategies as st

from oncocenter.systemic import dosing


def test_bsa_mosteller_worked_example():
    # sqrt(170 x 70 / 3600) = sqrt(3.3056) = 1.818 -> 1.82 m2
    assert dosing.bsa_mosteller(D("170"), D("70")) == D("1.82")
    # a child of 110 cm and 18 kg: sqrt(0.55) = 0.742 -> 0.74 m2
    assert dosing.bsa_mosteller(D("110"), D("18")) == D("0.74")


def test_per_m2_with_rounding():
    dose = dosing.compute_dose(basis="mg_m2", amount=D("50"), bsa=D("1.82"), round_to=D("1"))
    assert dose.dose == D("91.00") and not dose.capped
    assert dose.formula == "50 mg/m2 x 1.82 m2 = 91.00 mg, rounded to 1 mg = 91.00 mg"


def test_per_kg():
    dose = dosing.compute_dose(
        basis="mg_kg", amount=D("0.045"), weight_kg=D("20"), round_to=D("0.01")
    )
    assert dose.dose == D("0.90")
    assert "0.045 mg/kg x 20 kg" in dose.formula


def test_flat():
    assert dosing.compute_dose(basis="flat", amount=D("12")).dose == D("12.00")


def test_cockcroft_gault_male_and_female():
    male = dosing.cockcroft_gault(age_years=60, weight_kg=D("70"), scr_mg_dl=D("1.0"), female=False)
    assert male.value == D("77.8")  # (140-60) x 70 / (72 x 1.0) = 77.78
    female = dosing.cockcroft_gault(
        age_years=60, weight_kg=D("70"), scr_mg_dl=D("1.0"), female=True
    )
    assert female.value == D("66.1")  # x 0.85
    assert "x 0.85" in female.formula and female.method == "cockcroft_gault"


def test_bedside_schwartz():
    c = dosing.schwartz_bedside(height_cm=D("120"), scr_mg_dl=D("0.5"))
    assert c.value == D("99.1")  # 0.413 x 120 / 0.5 = 99.12
    assert c.method == "schwartz_bedside"


def test_clearance_for_picks_the_formula_by_age():
    adult = dosing.clearance_for(
        age_years=18, height_cm=D("170"), weight_kg=D("70"), scr_mg_dl=D("1"), female=False
    )
    child = dosing.clearance_for(
        age_years=17, height_cm=D("170"), weight_kg=D("70"), scr_mg_dl=D("1"), female=False
    )
    assert adult.method == "cockcroft_gault" and child.method == "schwartz_bedside"


def test_calvert_auc_adult_worked_example():
    # CROSS carboplatin AUC 2, CrCl 77.8: 2 x (77.8 + 25) = 205.6 -> rounded to 5 mg = 205 mg
    dose = dosing.compute_dose(basis="auc", amount=D("2"), gfr=D("77.8"), round_to=D("5"))
    assert dose.computed == D("205.60") and dose.dose == D("205.00")
    assert dose.formula.startswith("AUC 2 x (GFR 77.8 + 25)")


def test_calvert_auc_child_worked_example():
    # Schwartz 99.1: AUC 5 x (99.1 + 25) = 620.5 -> 620 (round to 5 half-up gives 620.5/5=124.1 -> 620)
    dose = dosing.compute_dose(basis="auc", amount=D("5"), gfr=D("99.1"), round_to=D("5"))
    assert dose.dose == D("620.00")


def test_calvert_caps_the_gfr():
    dose = dosing.compute_dose(basis="auc", amount=D("5"), gfr=D("150"))
    assert dose.dose == D("750.00") and "GFR capped" in dose.formula


def test_cap_vincristine():
    dose = dosing.compute_dose(
        basis="mg_m2", amount=D("1.5"), bsa=D("1.6"), round_to=D("0.1"), cap_mg=D("2")
    )
    assert dose.computed == D("2.40") and dose.dose == D("2.00") and dose.capped
    assert "capped at 2 mg" in dose.formula


def test_rounding_half_up_to_step():
    assert dosing.compute_dose(basis="flat", amount=D("287.4"), round_to=D("5")).dose == D("285.00")
    assert dosing.compute_dose(basis="flat", amount=D("287.5"), round_to=D("5")).dose == D("290.00")


def test_modification_percent():
    dose = dosing.compute_dose(basis="mg_m2", amount=D("75"), bsa=D("2.0"), percent=D("80"))
    assert dose.dose == D("120.00") and "x 80%" in dose.formula


@pytest.mark.parametrize(
    "kwargs,field",
    [
        ({"basis": "mg_m2", "amount": D("50")}, "bsa"),
        ({"basis": "mg_kg", "amount": D("1")}, "weight_kg"),
        ({"basis": "auc", "amount": D("2")}, "creatinine"),
        ({"basis": "mg_m2", "amount": D("0"), "bsa": D("1")}, "amount"),
        ({"basis": "per_week", "amount": D("1")}, "basis"),
    ],
)
def test_missing_inputs_are_refused_with_the_field(kwargs, field):
    with pytest.raises(dosing.DoseRuleError) as exc:
        dosing.compute_dose(**kwargs)
    assert exc.value.field == field


def test_anthracycline_equivalent_and_limit():
    # daunorubicin 25 mg/m2 at BSA 1.0 -> 25 mg; factor 0.5 -> 12.5 mg/m2 doxorubicin-equivalent
    assert dosing.dox_equivalent_mg_m2(dose_mg=D("25"), bsa=D("1.0"), factor=D("0.5")) == D("12.5")
    assert dosing.anthracycline_limit(10) == D("300") and dosing.anthracycline_limit(40) == D("450")


def test_hold_checks_missing_result_fails():
    checks = dosing.hold_checks(
        {"anc_min": D("1.0"), "plt_min": D("75"), "creat_max": None}, {"anc": D("0.8"), "plt": None}
    )
    assert [(c.parameter, c.met) for c in checks] == [("anc", False), ("plt", False)]
    ok = dosing.hold_checks(
        {"anc_min": D("1.0"), "creat_max": D("1.5")}, {"anc": D("1.0"), "creat": D("1.5")}
    )
    assert all(c.met for c in ok)


def test_copay_registered_five_percent():
    assert dosing.copay(D("1000000"), True) == (D("0.05"), D("50000"))
    assert dosing.copay(D("1000000"), False)[1] == D("300000")


bsas = st.decimals(min_value=D("0.20"), max_value=D("3.00"), places=2)
amounts = st.decimals(min_value=D("0.1"), max_value=D("3000"), places=1)
steps = st.sampled_from([None, D("0.1"), D("1"), D("5"), D("10"), D("25")])
caps = st.one_of(st.none(), st.decimals(min_value=D("0.5"), max_value=D("5000"), places=1))


@given(bsas, bsas, amounts, steps, caps)
def test_dose_is_monotonic_in_bsa(b1, b2, amount, step, cap):
    lo, hi = sorted((b1, b2))
    d1 = dosing.compute_dose(basis="mg_m2", amount=amount, bsa=lo, round_to=step, cap_mg=cap)
    d2 = dosing.compute_dose(basis="mg_m2", amount=amount, bsa=hi, round_to=step, cap_mg=cap)
    assert d1.dose <= d2.dose


@given(
    bsas,
    amounts,
    steps,
    st.decimals(min_value=D("0.5"), max_value=D("5000"), places=1),
    st.decimals(min_value=D("1"), max_value=D("150"), places=1),
)
def test_dose_never_above_cap(bsa, amount, step, cap, percent):
    dose = dosing.compute_dose(
        basis="mg_m2", amount=amount, bsa=bsa, round_to=step, cap_mg=cap, percent=percent
    )
    assert dose.dose <= cap


@given(
    st.decimals(min_value=D("1"), max_value=D("200"), places=1),
    st.decimals(min_value=D("1"), max_value=D("10"), places=1),
)
def test_auc_dose_monotonic_in_gfr(gfr, auc):
    a = dosing.compute_dose(basis="auc", amount=auc, gfr=gfr)
    b = dosing.compute_dose(basis="auc", amount=auc, gfr=gfr + 1)
    assert a.dose <= b.dose <= auc * (dosing.GFR_CAP + 25)
