"""BED / EQD2 against values computed by hand (arithmetic in the comments)."""

import math

import pytest

from oncocenter.radiotherapy.dose import (
    DoseInputError,
    OrganDoseContribution,
    bed,
    cumulative_eqd2,
    eqd2,
    eqd2_from_bed,
    eqd2_of_fractions,
    eqd2_per_fraction,
)


@pytest.mark.parametrize(
    ("total", "d", "ab", "expected_bed", "expected_eqd2"),
    [
        # 60 Gy / 30 fx, a/b 10: BED = 60 * (1 + 2/10) = 72; EQD2 = 60 * (2+10)/(2+10) = 60
        (60.0, 2.0, 10.0, 72.0, 60.0),
        # 50 Gy / 25 fx, a/b 3: BED = 50 * (1 + 2/3) = 83.333; EQD2 = 50 * 5/5 = 50
        (50.0, 2.0, 3.0, 83.3333333, 50.0),
        # 20 Gy / 5 fx, a/b 10: BED = 20 * (1 + 4/10) = 28; EQD2 = 20 * 14/12 = 23.333
        (20.0, 4.0, 10.0, 28.0, 23.3333333),
        # 20 Gy / 5 fx, a/b 3: BED = 20 * (1 + 4/3) = 46.667; EQD2 = 20 * 7/5 = 28
        (20.0, 4.0, 3.0, 46.6666667, 28.0),
        # SBRT 54 Gy / 3 fx, a/b 10: BED = 54 * (1 + 18/10) = 151.2; EQD2 = 54 * 28/12 = 126
        (54.0, 18.0, 10.0, 151.2, 126.0),
        # cord 30 Gy / 10 fx, a/b 2: BED = 30 * (1 + 3/2) = 75; EQD2 = 30 * 5/4 = 37.5
        (30.0, 3.0, 2.0, 75.0, 37.5),
        # 8 Gy single fraction, a/b 3: BED = 8 * (1 + 8/3) = 29.333; EQD2 = 8 * 11/5 = 17.6
        (8.0, 8.0, 3.0, 29.3333333, 17.6),
    ],
)
def test_bed_and_eqd2_match_hand_computed_values(total, d, ab, expected_bed, expected_eqd2):
    assert bed(total_dose_gy=total, dose_per_fraction_gy=d, alpha_beta_gy=ab) == pytest.approx(
        expected_bed, abs=1e-6
    )
    assert eqd2(total_dose_gy=total, dose_per_fraction_gy=d, alpha_beta_gy=ab) == pytest.approx(
        expected_eqd2, abs=1e-6
    )
    # EQD2 = BED / (1 + 2/(a/b)) must agree with the direct formula.
    assert eqd2_from_bed(bed_gy=expected_bed, alpha_beta_gy=ab) == pytest.approx(
        expected_eqd2, abs=1e-6
    )


def test_eqd2_per_fraction():
    # one 3 Gy fraction, a/b 10: 3 * (3+10)/(2+10) = 39/12 = 3.25
    assert eqd2_per_fraction(dose_per_fraction_gy=3.0, alpha_beta_gy=10.0) == pytest.approx(3.25)
    # one 2 Gy fraction is 2 Gy EQD2 whatever the a/b
    assert eqd2_per_fraction(dose_per_fraction_gy=2.0, alpha_beta_gy=2.0) == pytest.approx(2.0)


def test_eqd2_of_fractions_derives_dose_per_fraction():
    # 39 Gy / 13 fx = 3 Gy/fx, a/b 3: 39 * (3+3)/(2+3) = 46.8
    assert eqd2_of_fractions(total_dose_gy=39.0, fractions=13, alpha_beta_gy=3.0) == pytest.approx(
        46.8
    )


def test_cumulative_eqd2_for_reirradiation_sums_per_organ_with_own_alpha_beta():
    contributions = [
        # course 1: cord 40 Gy / 20 fx (2 Gy), a/b 2: EQD2 = 40 * 4/4 = 40
        OrganDoseContribution("Spinal cord", 40.0, 20, "2024 H&N"),
        # course 2: cord 20 Gy / 5 fx (4 Gy), a/b 2: EQD2 = 20 * 6/4 = 30  -> total 70
        OrganDoseContribution("spinal_cord", 20.0, 5, "2026 re-RT"),
        # parotid 26 Gy / 13 fx (2 Gy) a/b 3: EQD2 = 26; no second course
        OrganDoseContribution("Parotid left", 26.0, 13, "2024 H&N"),
        # brainstem has no a/b on file -> default 3: 30 Gy/10 fx = 30 * 6/5 = 36
        OrganDoseContribution("Brainstem", 30.0, 10, "2026 re-RT"),
    ]
    result = cumulative_eqd2(
        contributions, alpha_beta_by_organ={"Spinal Cord": 2.0, "parotid left": 3.0}
    )
    cord = result["spinal cord"]
    assert cord.eqd2_gy == pytest.approx(70.0)
    assert cord.physical_dose_gy == pytest.approx(60.0)
    assert cord.alpha_beta_gy == 2.0
    assert [label for label, _ in cord.contributions] == ["2024 H&N", "2026 re-RT"]
    assert [round(v, 6) for _, v in cord.contributions] == [40.0, 30.0]
    assert result["parotid left"].eqd2_gy == pytest.approx(26.0)
    assert result["brainstem"].eqd2_gy == pytest.approx(36.0)
    assert result["brainstem"].alpha_beta_gy == 3.0


@pytest.mark.parametrize(
    "kwargs",
    [
        {"total_dose_gy": -1, "dose_per_fraction_gy": 2, "alpha_beta_gy": 3},
        {"total_dose_gy": 60, "dose_per_fraction_gy": -2, "alpha_beta_gy": 3},
        {"total_dose_gy": 60, "dose_per_fraction_gy": 2, "alpha_beta_gy": 0},
        {"total_dose_gy": math.nan, "dose_per_fraction_gy": 2, "alpha_beta_gy": 3},
    ],
)
def test_invalid_inputs_are_rejected_naming_the_field(kwargs):
    with pytest.raises(DoseInputError) as exc:
        eqd2(**kwargs)
    bad = next(k for k, v in kwargs.items() if v != v or v < 0 or (k == "alpha_beta_gy" and v == 0))
    assert bad in str(exc.value)


def test_zero_fractions_rejected():
    with pytest.raises(DoseInputError, match="fractions"):
        eqd2_of_fractions(total_dose_gy=10, fractions=0, alpha_beta_gy=3)
