import datetime as dt

from linac_optimizer.timeline import Timeline, open_dates


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
