"""Daily tasks: enqueued once per local day at or after their time, by whichever worker looks
first; a repeated look the same day enqueues nothing; the next day runs again."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from oncocenter.jobs.models import PeriodicRun
from oncocenter.jobs.periodic import DAILY, DailyTask, daily_tick, register_daily

pytestmark = pytest.mark.django_db

SEOUL = ZoneInfo("Asia/Seoul")


@pytest.fixture
def calls():
    seen: list[str] = []
    saved = dict(DAILY)
    DAILY.clear()
    register_daily(DailyTask("test.daily", lambda: dt.time(9, 0), lambda: seen.append("run")))
    yield seen
    DAILY.clear()
    DAILY.update(saved)


def test_runs_once_a_day_at_or_after_its_time(calls):
    day = dt.date(2027, 3, 2)
    assert daily_tick(dt.datetime.combine(day, dt.time(8, 59), tzinfo=SEOUL)) == []
    assert calls == []
    assert daily_tick(dt.datetime.combine(day, dt.time(9, 0), tzinfo=SEOUL)) == ["test.daily"]
    assert daily_tick(dt.datetime.combine(day, dt.time(9, 0, 10), tzinfo=SEOUL)) == []
    assert daily_tick(dt.datetime.combine(day, dt.time(23, 59), tzinfo=SEOUL)) == []
    assert calls == ["run"]
    # A worker started late the next day catches up once.
    nxt = dt.datetime.combine(day + dt.timedelta(days=1), dt.time(15, 0), tzinfo=SEOUL)
    assert daily_tick(nxt) == ["test.daily"]
    assert calls == ["run", "run"]
    assert list(PeriodicRun.objects.values_list("on", flat=True).order_by("on")) == [
        day,
        day + dt.timedelta(days=1),
    ]


def test_the_local_date_decides_the_day(calls):
    # 2027-03-02 23:30 UTC is 08:30 on 03-03 in Seoul: before 09:00 there, so not yet.
    assert daily_tick(dt.datetime(2027, 3, 2, 23, 30, tzinfo=dt.UTC)) == []
    assert daily_tick(dt.datetime(2027, 3, 3, 0, 5, tzinfo=dt.UTC)) == ["test.daily"]
    assert PeriodicRun.objects.get().on == dt.date(2027, 3, 3)


def test_a_failed_enqueue_leaves_the_day_unclaimed():
    saved = dict(DAILY)
    DAILY.clear()

    def boom() -> None:
        raise RuntimeError("queue down")

    register_daily(DailyTask("test.boom", lambda: dt.time(0, 0), boom))
    try:
        with pytest.raises(RuntimeError):
            daily_tick(dt.datetime(2027, 3, 2, 12, 0, tzinfo=SEOUL))
        assert not PeriodicRun.objects.exists()  # the next tick tries again
    finally:
        DAILY.clear()
        DAILY.update(saved)


def test_a_name_is_registered_once():
    task = DailyTask("test.once", lambda: dt.time(9, 0), lambda: None)
    register_daily(task)
    try:
        register_daily(task)  # the same object again: fine
        with pytest.raises(RuntimeError):
            register_daily(DailyTask("test.once", lambda: dt.time(9, 0), lambda: None))
    finally:
        DAILY.pop("test.once", None)
