"""Pure rules of lab results: ranges by age and sex, units, flags, engraftment (no database)."""

import datetime as dt
from decimal import Decimal as D

from oncocenter.labs import calc

HB = [
    calc.Range("any", 30, 730, D("10.5"), D("13.5"), D("7"), D("20")),
    calc.Range("any", 730, 4380, D("11.0"), D("14.5"), D("7"), D("20")),
    calc.Range("female", 4380, None, D("12.0"), D("16.0"), D("7"), D("20")),
    calc.Range("male", 4380, None, D("13.0"), D("17.5"), D("7"), D("20")),
    calc.Range("any", 0, None, D("11.0"), D("18.0")),
]


def test_children_and_adults_get_their_own_range():
    child = calc.pick_range(HB, sex="male", age_days=5 * 365)
    assert (child.low, child.high) == (D("11.0"), D("14.5"))
    woman = calc.pick_range(HB, sex="female", age_days=40 * 365)
    man = calc.pick_range(HB, sex="male", age_days=40 * 365)
    assert woman.low == D("12.0") and man.low == D("13.0")
    # 12.5 g/dL: normal for a woman, low for a man
    assert calc.flag(D("12.5"), woman) == "normal" and calc.flag(D("12.5"), man) == "low"


def test_critical_limits_win_over_low_high():
    man = calc.pick_range(HB, sex="male", age_days=40 * 365)
    assert calc.flag(D("6.9"), man) == "critical_low"
    assert calc.flag(D("18"), man) == "high"
    assert calc.flag(D("21"), man) == "critical_high"
    assert calc.flag(D("5"), None) == "normal"


def test_units_convert_or_are_refused():
    alt = {"umol/L": "0.01131"}
    assert calc.to_catalogue_unit(
        D("88.4"), unit="umol/L", catalogue_unit="mg/dL", alternatives=alt
    ).quantize(D("0.01")) == D("1.00")
    assert calc.to_catalogue_unit(
        D("1"), unit="mg/dL", catalogue_unit="mg/dL", alternatives=alt
    ) == D("1")
    assert (
        calc.to_catalogue_unit(D("1"), unit="mg/dl", catalogue_unit="mg/dL", alternatives=alt)
        is None
    )
    assert (
        calc.to_catalogue_unit(D("1"), unit="mmol/L", catalogue_unit="mg/dL", alternatives=alt)
        is None
    )


DAY0 = dt.date(2026, 3, 1)


def _series(values, start=DAY0):
    return [(start + dt.timedelta(days=i), D(str(v))) for i, v in enumerate(values)]


def test_neutrophil_engraftment_first_of_three_days():
    # day 0..: 0.1 0.2 0.6 0.4 0.5 0.7 0.9 -> the first run of 3 days >= 0.5 starts on day 4
    anc = _series([0.1, 0.2, 0.6, 0.4, 0.5, 0.7, 0.9])
    assert calc.neutrophil_engraftment(DAY0, anc) == DAY0 + dt.timedelta(days=4)


def test_neutrophil_engraftment_needs_consecutive_days_and_counts_after_day0():
    anc = _series([0.6, 0.6], start=DAY0 - dt.timedelta(days=2)) + _series(
        [0.6, 0.7], start=DAY0 + dt.timedelta(days=3)
    )
    assert calc.neutrophil_engraftment(DAY0, anc) is None
    # a second, lower count the same day disqualifies the day
    anc = [*_series([0.6, 0.6, 0.6]), (DAY0 + dt.timedelta(days=1), D("0.3"))]
    assert calc.neutrophil_engraftment(DAY0, anc) is None


def test_platelet_engraftment_seven_days_without_transfusion():
    plt = _series([5, 8, 12, 25, 30, 31, 33, 35, 40, 45, 50, 55, 60])
    assert calc.platelet_engraftment(DAY0, plt) == DAY0 + dt.timedelta(days=3)
    # a platelet transfusion on day 4 pushes it past the 7 days after the transfusion
    tx = [DAY0 + dt.timedelta(days=4)]
    assert calc.platelet_engraftment(DAY0, plt, tx) is None
    longer = _series([5, 8, 12, 25, 30, 31, 33, 35, 40, 45, 50, 55, 60, 61, 62, 63, 64, 65, 66, 67])
    assert calc.platelet_engraftment(DAY0, longer, tx) == DAY0 + dt.timedelta(days=12)
