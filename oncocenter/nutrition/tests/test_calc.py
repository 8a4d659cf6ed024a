from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from oncocenter.nutrition.calc import (
    AlertThresholds,
    ImplausibleValue,
    UnknownUnit,
    bmi,
    check_plausible,
    evaluate_alerts,
    nrs2002,
    nrs2002_nutritional_status,
    to_cm,
    to_kg,
    weight_change,
)

D0 = date(2026, 6, 1)


def d(days):
    return D0 + timedelta(days=days)


def test_bmi():
    assert bmi(70, 175) == 22.9
    assert bmi(45, 170) == 15.6


@pytest.mark.parametrize(
    ("field", "value", "unit"),
    [
        ("weight_kg", -3, "kg"),
        ("weight_kg", 6500, "kg"),
        ("height_cm", 1.72, "cm"),
        ("height_cm", 300, "cm"),
        ("fois_level", 0, ""),
        ("fois_level", 8, ""),
        ("fois_level", 3.5, ""),
        ("iddsi_level", 9, ""),
        ("intake_percent", -1, "%"),
    ],
)
def test_implausible_values_name_field_value_unit(field, value, unit):
    with pytest.raises(ImplausibleValue) as exc:
        check_plausible(field, value)
    err = exc.value
    assert err.field == field and err.value == value and err.unit == unit
    assert field in str(err) and "plausible range" in str(err)
    if unit:
        assert unit in str(err)


def test_plausible_values_pass():
    for field, value in [
        ("weight_kg", 62.4),
        ("height_cm", 168),
        ("fois_level", 7),
        ("fois_level", 1),
        ("iddsi_level", 0),
        ("intake_percent", 100),
    ]:
        check_plausible(field, value)
    check_plausible("weight_kg", None)


def test_units():
    assert to_kg(154, "lb") == pytest.approx(69.85, abs=0.01)
    assert to_kg(65000, "g") == 65
    assert to_cm(1.7, "m") == pytest.approx(170)
    with pytest.raises(UnknownUnit) as exc:
        to_kg(10, "stone")
    assert exc.value.field == "weight_unit"


def test_weight_change_one_month_uses_highest_in_period():
    series = [(d(0), 64.0), (d(10), 63.0), (d(28), 60.16)]
    ch = weight_change(series, period_days=30)
    assert ch.percent == -6.0 and ch.loss_percent == 6.0
    assert ch.reference_on == d(0) and ch.reference_kg == 64.0


def test_weight_change_falls_back_to_measurement_just_before_period():
    series = [(d(0), 70.0), (d(35), 66.0)]
    ch = weight_change(series, period_days=30)  # tolerance 7 days: d(0) is 35 days back
    assert ch.reference_on == d(0)
    assert weight_change([(d(0), 70.0), (d(45), 66.0)], period_days=30) is None


def test_weight_change_needs_two_points_and_respects_on():
    assert weight_change([(d(0), 70.0)], period_days=30) is None
    series = [(d(0), 70.0), (d(20), 66.0), (d(40), 60.0)]
    assert weight_change(series, period_days=30, on=d(25)).current_kg == 66.0


def test_weight_gain_is_not_a_loss():
    ch = weight_change([(d(0), 60.0), (d(20), 63.0)], period_days=30)
    assert ch.percent == 5.0 and ch.loss_percent == 0


def test_nrs2002_total_and_age():
    r = nrs2002(nutritional_status=1, disease_severity=1, age_years=72)
    assert r.total == 3 and r.at_risk and r.age_points == 1
    assert not nrs2002(nutritional_status=1, disease_severity=1, age_years=69).at_risk
    with pytest.raises(ValueError, match="disease_severity"):
        nrs2002(nutritional_status=1, disease_severity=4, age_years=50)


def test_nrs2002_nutritional_status_grades():
    assert nrs2002_nutritional_status(loss_pct_1m=6)[0] == 3
    assert nrs2002_nutritional_status(intake_percent_last_week=50)[0] == 2
    assert nrs2002_nutritional_status(loss_pct_3m=6)[0] == 1
    assert nrs2002_nutritional_status(bmi_value=19.0, impaired_general_condition=True)[0] == 2
    assert nrs2002_nutritional_status()[0] == 0


def test_alerts_six_percent_loss_in_a_month():
    weights = [(d(0), 64.0), (d(28), 60.16)]
    alerts = evaluate_alerts(weights=weights, height_cm=165)
    assert [a.code for a in alerts] == ["weight_loss_1m"]
    assert "6 % in 1 month" in alerts[0].text and "threshold 5 %" in alerts[0].text


def test_alerts_thresholds_are_editable():
    weights = [(d(0), 64.0), (d(28), 60.16)]
    assert (
        evaluate_alerts(
            weights=weights, height_cm=165, thresholds=AlertThresholds(loss_1m_percent=7)
        )
        == []
    )


def test_alerts_six_month_bmi_nrs():
    weights = [(d(0), 60.0), (d(60), 57.0), (d(120), 55.0), (d(170), 53.0)]
    codes = [a.code for a in evaluate_alerts(weights=weights, height_cm=172, nrs_total=4)]
    assert codes == ["weight_loss_6m", "low_bmi", "nrs_risk"]


@given(
    st.lists(
        st.tuples(st.integers(0, 400), st.floats(30, 150)),
        min_size=2,
        max_size=12,
        unique_by=lambda t: t[0],
    )
)
def test_weight_change_reference_precedes_current(raw):
    series = [(d(x), w) for x, w in raw]
    ch = weight_change(series, period_days=30)
    if ch is not None:
        assert ch.reference_on < ch.current_on
        assert ch.current_on - ch.reference_on <= timedelta(days=37)
        assert ch.loss_percent >= 0
