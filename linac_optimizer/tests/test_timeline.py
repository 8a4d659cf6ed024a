import datetime as dt

import pytest

from linac_optimizer.model import Instance, Patient
from linac_optimizer.tests.factories import pat, tiny
from linac_optimizer.timeline import Timeline, delivered_before, open_dates


def test_korean_holidays_weekends_and_closed(sample):
    tl = Timeline(sample)
    d = dt.date
    assert tl.is_open(d(2027, 3, 2))
    assert not tl.is_open(d(2027, 3, 3))  # closed_dates
    assert not tl.is_open(d(2027, 3, 6))  # Saturday
    assert not tl.is_open(d(2027, 3, 1))  # outside horizon (and Samiljeol)
    assert not tl.is_open(d(2027, 5, 5))  # Children's Day (outside horizon anyway)
    assert d(2027, 5, 5) not in open_dates(d(2027, 5, 3), 7, "KR")
    assert d(2027, 5, 4) in open_dates(d(2027, 5, 3), 7, "KR")
    # Chuseok 2027: Sep 14-16
    assert open_dates(d(2027, 9, 13), 5, "KR") == [d(2027, 9, 13), d(2027, 9, 17)]


def test_locate_and_at_round_trip(sample):
    tl = Timeline(sample)
    t = dt.datetime(2027, 3, 4, 13, 30)
    day, minute = tl.locate(t)
    assert day == 1 and minute == 810
    assert tl.at(day, minute) == t
    assert tl.aware(t).utcoffset() == dt.timedelta(hours=9)
    assert tl.open_days_between(dt.date(2027, 3, 2), dt.date(2027, 3, 8)) == 3


def test_day_pieces_skip_closed_days(sample):
    tl = Timeline(sample)
    pieces = tl.day_pieces(dt.datetime(2027, 3, 5, 18, 0), dt.datetime(2027, 3, 8, 9, 0))
    assert pieces == [(2, 1080, 1440), (3, 0, 540)]


@pytest.mark.parametrize(
    ("pattern", "first_booked", "expected"),
    [
        # fractions 1-4 absent, fraction 5 booked; ready on open day 0 (Monday 2027-03-08)
        ("daily", "2027-03-11", 4),  # open days 0-2 before it: 3 of the 4 slots
        ("daily", "2027-03-12", 0),  # open days 0-3: 1-4 are still to book
        ("alternate", "2027-03-16", 4),  # days 0, 2, 4 only: 3 of the 4 slots
        ("alternate", "2027-03-18", 0),  # days 0, 2, 4, 6 before day 8
        ("bid", "2027-03-09", 4),  # one open day before: 2 of the 4
        ("bid", "2027-03-10", 0),
    ],
)
def test_delivered_before_counts_the_pattern_steps_before_the_lowest_booked(
    pattern, first_booked, expected
):
    p = Patient.from_json(
        pat(
            fractions=8,
            pattern=pattern,
            due_date="2027-03-20",
            booked=[{"fraction": 5, "machine": "M1", "start": f"{first_booked}T08:00"}],
        ),
        0,
    )
    tl = Timeline(Instance.from_json(tiny(days=28)))
    assert delivered_before(p, tl) == expected
