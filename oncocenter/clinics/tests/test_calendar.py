from datetime import date, time

import pytest

from oncocenter.clinics.calendar import day_status, holiday_name, session_dates, slot_starts


def test_chuseok_closed_with_name():
    st = day_status(date(2026, 9, 25))
    assert not st.is_open
    assert st.reason == "Chuseok"
    assert holiday_name(date(2026, 9, 25), language="ko") == "추석"


def test_substitute_holiday_closed():
    assert not day_status(date(2026, 3, 2)).is_open


def test_weekday_open_weekend_closed():
    assert day_status(date(2026, 11, 23)).is_open
    assert day_status(date(2026, 11, 22)).reason == "weekend"


def test_center_can_open_or_close_dates():
    assert day_status(date(2026, 9, 25), extra_open={date(2026, 9, 25)}).is_open
    assert not day_status(date(2026, 11, 23), extra_closed={date(2026, 11, 23)}).is_open


def test_session_dates_on_weekday_include_closed_with_reason():
    days = list(session_dates(weekday=4, start=date(2026, 9, 21), end=date(2026, 10, 10)))
    assert [d.day for d in days] == [date(2026, 9, 25), date(2026, 10, 2), date(2026, 10, 9)]
    assert [d.is_open for d in days] == [False, True, False]


def test_bad_weekday():
    with pytest.raises(ValueError, match="weekday"):
        list(session_dates(weekday=7, start=date(2026, 1, 1), end=date(2026, 2, 1)))


def test_slot_starts_fit_wholly():
    assert slot_starts(time(9), time(10, 10), 20) == [time(9), time(9, 20), time(9, 40)]
    with pytest.raises(ValueError, match="slot_minutes"):
        slot_starts(time(9), time(10), 0)
    with pytest.raises(ValueError, match="end"):
        slot_starts(time(10), time(9), 15)
