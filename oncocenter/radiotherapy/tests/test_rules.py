"""Calendar, interruptions, fraction spacing and OAR constraints (pure functions).

Calendar facts used (Korean public holidays 2026, `holidays` package): Chuseok Thu 24 - Sat 26
September; National Foundation Day Sat 3 October with the alternative holiday Mon 5 October;
Hangul Day Fri 9 October.
"""

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest

from oncocenter.radiotherapy.reference_data import gap_sensitive_sites, oar_constraint_sets
from oncocenter.radiotherapy.rules import (
    Constraint,
    PlannedOrganDose,
    TreatmentCalendar,
    check_fraction_spacing,
    detect_interruptions,
    evaluate_constraints,
    evaluate_cumulative_eqd2,
    match_gap_sensitive_site,
)

SEOUL = ZoneInfo("Asia/Seoul")
CAL = TreatmentCalendar()


def d(month, day):
    return date(2026, month, day)


def test_open_days_skip_weekends_and_korean_holidays():
    days = CAL.open_days(d(9, 21), d(10, 9))
    # 21,22,23 | Chuseok 24-26, weekend | 28,29,30, 1,2 | weekend, alt. holiday 5 | 6,7,8 | Hangul 9
    assert days == [d(9, 21), d(9, 22), d(9, 23), d(9, 28), d(9, 29), d(9, 30), d(10, 1),
                    d(10, 2), d(10, 6), d(10, 7), d(10, 8)]  # fmt: skip
    assert CAL.add_open_days(d(9, 23), 1) == d(9, 28)


def test_center_exceptions_open_and_close_days():
    cal = TreatmentCalendar(closed_dates=[d(9, 22)], opened_dates=[d(9, 26)])
    assert not cal.is_open(d(9, 22))
    assert cal.is_open(d(9, 26))  # a Chuseok Saturday the center chose to open


def test_daily_course_gaps_ignore_holidays():
    treated = [d(9, 21), d(9, 22), d(9, 23), d(9, 28), d(9, 30), d(10, 1), d(10, 6)]
    report = detect_interruptions(treated, calendar=CAL, pattern="daily")
    # missed: Tue 29 Sep (1 day) and Fri 2 Oct (1 day); Chuseok and 5 Oct are not gaps
    assert [(g.first_missed, g.last_missed, g.open_days_lost) for g in report.gaps] == [
        (d(9, 29), d(9, 29), 1),
        (d(10, 2), d(10, 2), 1),
    ]
    assert report.days_lost == 2
    assert report.interrupted
    assert not report.compensation_needed


def test_trailing_gap_counts_until_as_of():
    report = detect_interruptions(
        [d(9, 21), d(9, 22), d(9, 23)], calendar=CAL, pattern="daily", as_of=d(9, 30)
    )
    # 28, 29, 30 September not treated
    assert report.days_lost == 3
    assert report.gaps[0].first_missed == d(9, 28)


def test_alternate_day_course_allows_one_idle_open_day():
    # Mon 21 -> Wed 23 (22 idle, allowed) -> Mon 28 (no open day between) -> Wed 30 (29 idle)
    # -> Tue 6 Oct: idle 1 and 2 Oct: one allowed, 2 Oct lost
    treated = [d(9, 21), d(9, 23), d(9, 28), d(9, 30), d(10, 6)]
    report = detect_interruptions(treated, calendar=CAL, pattern="alternate")
    assert report.days_lost == 1
    assert report.gaps[0].first_missed == d(10, 2)


def test_gap_in_sensitive_site_needs_compensation():
    treated = [d(9, 21), d(9, 23)]
    flagged = detect_interruptions(
        treated, calendar=CAL, pattern="daily", gap_sensitive_site="head-neck"
    )
    assert flagged.compensation_needed and flagged.days_lost == 1
    clean = detect_interruptions(
        [d(9, 21), d(9, 22)], calendar=CAL, pattern="bid", gap_sensitive_site="head-neck"
    )
    assert not clean.compensation_needed


def test_no_treatment_no_report_and_bad_pattern():
    assert detect_interruptions([], calendar=CAL).days_lost == 0
    with pytest.raises(ValueError, match="pattern"):
        detect_interruptions([d(9, 21)], calendar=CAL, pattern="weekly")


@pytest.mark.parametrize(
    ("icd10", "morphology", "expected"),
    [
        ("C10.9", "8070/3", "head-neck"),
        ("C32.0", None, "head-neck"),
        ("C53.9", "8140/3", "cervix"),
        ("C34.1", "8070/3", "lung-scc"),
        ("C34.1", "8140/3", None),  # lung adenocarcinoma
        ("C15.4", "8070/3", None),  # esophagus: not in the shipped list
        (None, None, None),
    ],
)
def test_gap_sensitive_site_matching(icd10, morphology, expected):
    assert (
        match_gap_sensitive_site(
            icd10_code=icd10, icdo3_morphology=morphology, sites=gap_sensitive_sites()
        )
        == expected
    )


def at(day, hour, minute=0):
    return datetime(2026, 9, day, hour, minute, tzinfo=SEOUL)


def test_bid_needs_six_hours():
    v = check_fraction_spacing([at(21, 8)], at(21, 13, 59), pattern="bid", tz=SEOUL)
    assert v is not None and v.code == "bid_interval"
    assert check_fraction_spacing([at(21, 8)], at(21, 14), pattern="bid", tz=SEOUL) is None
    # across midnight: 22:00 then 03:00 is 5 h
    v = check_fraction_spacing([at(21, 22)], at(22, 3), pattern="bid", tz=SEOUL)
    assert v is not None and v.code == "bid_interval"


def test_bid_at_most_two_a_day():
    v = check_fraction_spacing([at(21, 8), at(21, 14)], at(21, 20, 30), pattern="bid", tz=SEOUL)
    assert v is not None and v.code == "fractions_per_day"


def test_daily_one_fraction_per_local_day():
    v = check_fraction_spacing([at(21, 9)], at(21, 17), pattern="daily", tz=SEOUL)
    assert v is not None and v.code == "fractions_per_day"
    # 23:30 and 00:30 Seoul time are different local days although the same UTC day
    assert (
        check_fraction_spacing([at(21, 23, 30)], at(22, 0, 30), pattern="daily", tz=SEOUL) is None
    )


def test_spacing_requires_aware_datetime():
    with pytest.raises(ValueError, match="timezone-aware"):
        check_fraction_spacing([], datetime(2026, 9, 21, 8), pattern="bid", tz=SEOUL)


@pytest.fixture
def conventional():
    (example,) = oar_constraint_sets()
    return [Constraint.from_dict(c) for c in example["constraints"]]


def test_constraint_evaluation(conventional):
    planned = [
        PlannedOrganDose("Spinal cord", "Dmax", 50.0, "Gy"),  # <= 50: pass at the limit
        PlannedOrganDose("lungs", "V20", 30.0, "%"),  # < 30: fail at the limit
        PlannedOrganDose("Lungs", "Dmean", 12.0, "Gy"),
        PlannedOrganDose("Heart", "Dmean", 26.5, "Gy"),  # < 26: fail
    ]
    results = {r.constraint.label: r for r in evaluate_constraints(planned, conventional)}
    assert results["Spinal cord Dmax <= 50 Gy"].status == "pass"
    assert results["Lungs V20 < 30 %"].status == "fail"
    assert results["Lungs Dmean < 20 Gy"].status == "pass"
    assert results["Heart Dmean < 26 Gy"].status == "fail"
    assert results["Liver Dmean < 30 Gy"].status == "missing"


def test_constraint_unit_mismatch_is_an_error(conventional):
    with pytest.raises(ValueError, match="constraint in"):
        evaluate_constraints([PlannedOrganDose("Lungs", "V20", 600.0, "cc")], conventional)


def test_unknown_comparator_rejected():
    with pytest.raises(ValueError, match="comparator"):
        Constraint("Cord", "Dmax", "~", 45, "Gy")


def test_cumulative_eqd2_against_dose_limits(conventional):
    # cord 70 Gy EQD2 after re-irradiation (see test_dose) > 50: fail; brainstem 36 <= 54: pass
    results = evaluate_cumulative_eqd2(
        {"spinal cord": 70.0, "Brainstem": 36.0, "Parotid": 30.0}, conventional
    )
    by_organ = {r.constraint.organ: r.status for r in results}
    assert by_organ == {"Spinal cord": "fail", "Brainstem": "pass"}
