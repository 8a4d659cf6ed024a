"""Plain tests of the pure-Python rules (no database)."""

from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from oncocenter.pediatrics import calc
from oncocenter.pediatrics.rules import SupportRuleError


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


@pytest.mark.django_db
def test_guardian_must_be_adult():
    # One adult-guardian rule (issue 14): the patients app's, adult from the 19th birthday.
    from django.utils import timezone

    from oncocenter.core.errors import ValidationFailed
    from oncocenter.patients.services_record import guardian_add
    from oncocenter.pediatrics.tests.factories import ChildFactory, staff

    today = timezone.localdate()
    try:
        nineteen = today.replace(year=today.year - 19)
    except ValueError:  # 29 February
        nineteen = date(today.year - 19, 2, 28)
    child = ChildFactory()
    guardian_add(
        by=staff(),
        patient=child,
        name_ko="김아빠",
        relationship="father",
        birth_date=date(1990, 1, 1),
    )
    guardian_add(
        by=staff(), patient=child, name_ko="김누나", relationship="sibling", birth_date=nineteen
    )
    with pytest.raises(ValidationFailed) as e:
        guardian_add(
            by=staff(),
            patient=child,
            name_ko="김동생",
            relationship="sibling",
            birth_date=nineteen + timedelta(days=1),
        )
    assert e.value.problems[0].field == "birth_date"
