import datetime as dt

import pytest

from linac_optimizer.model import Appointment, Instance
from linac_optimizer.timeline import Timeline
from oncocenter.machines import services as machine_services
from oncocenter.scheduling import adapter, services
from oncocenter.scheduling.models import Booking
from oncocenter.scheduling.tests.factories import at, next_open_day

pytestmark = pytest.mark.django_db


def test_instance_has_korean_holidays_downtime_and_fixed_bookings(w, machines):
    services.course_book(course=w.course, by=w.scheduler)
    first = Booking.objects.filter(prescription=w.rx).order_by("start").first()
    day = adapter.to_local_naive(first.start).date()
    machine_services.qa_window_plan(
        machine=machines["LINAC-4"], start=at(day, 18), end=at(day, 20), reason="QA", by=w.physicist
    )
    data, index, _ = adapter.build_instance(start_date=day, horizon_days=30)
    instance = Instance.from_json(data)  # the engine accepts it as written
    assert data["holiday_calendar"] == "KR" and data["timezone"] == "Asia/Seoul"
    linac4 = next(m for m in data["machines"] if m["id"] == "LINAC-4")
    assert linac4["downtime"][0]["start"] == f"{day.isoformat()}T18:00"
    fixed = next(p for p in instance.patients if p.id == f"RX{w.rx.pk}")
    assert len(fixed.booked) == 5 and fixed.first_duration_min == 25
    assert (fixed.id, fixed.booked[0].machine, adapter.fmt(fixed.booked[0].start)) in index.by_slot


def test_korean_holiday_is_closed():
    assert not adapter.is_open_day(dt.date(2027, 3, 1))  # Independence Movement Day, a Monday
    assert adapter.is_open_day(dt.date(2027, 3, 2))
    assert adapter.open_day_on_or_after(dt.date(2027, 2, 27)) == dt.date(2027, 3, 2)


def test_sedation_flag_is_read_defensively(w):
    assert adapter.sedation_required(w.patient) in (None, False, True)


def test_slot_penalties_name_each_reason():
    data = {
        "format": "linac-schedule/1",
        "start_date": "2027-03-02",
        "horizon_days": 14,
        "timezone": "Asia/Seoul",
        "holiday_calendar": "KR",
        "machines": [
            {"id": "A", "techniques": ["3D"], "open": "08:00", "close": "20:00"},
            {"id": "B", "techniques": ["3D"], "open": "08:00", "close": "20:00"},
        ],
        "patients": [
            {
                "id": "P",
                "ready_date": "2027-03-02",
                "due_date": "2027-03-02",
                "urgency": "urgent",
                "fractions": 3,
                "pattern": "daily",
                "technique": "3D",
                "duration_min": 12,
                "first_duration_min": 22,
                "preferred_window": ["08:00", "12:00"],
            }
        ],
    }
    instance = Instance.from_json(data)
    p = instance.patients[0]
    t = dt.datetime
    apps = [
        Appointment("P", 1, "A", t(2027, 3, 3, 9), t(2027, 3, 3, 9, 22)),
        Appointment("P", 2, "A", t(2027, 3, 5, 9, 30), t(2027, 3, 5, 9, 42)),
        Appointment("P", 3, "B", t(2027, 3, 8, 13), t(2027, 3, 8, 13, 12)),
    ]
    out = adapter.slot_penalties(p, apps, Timeline(instance))
    assert set(out[0]) == {"waiting", "late_start"}
    assert out[1] == {"interruption": 150 * 1, "start_time_drift": 6}
    assert out[2]["machine_change"] == 100 and out[2]["outside_preferred_window"] == 2


def test_outage_plan_keeps_other_machines_and_extends_when_the_day_is_full(w, machines):
    services.course_book(course=w.course, by=w.scheduler)
    rows = list(Booking.objects.filter(prescription=w.rx).order_by("start"))
    day = adapter.to_local_naive(rows[1].start).date()
    # every capable machine down all day: the session must move after the course's last one
    for code in ("LINAC-1", "LINAC-2", "LINAC-3", "LINAC-4", "LINAC-5"):
        if code != rows[1].machine.code:
            services.outage_report(
                machine=machines[code],
                start=at(day, 8),
                end=at(day, 20),
                reason="site power",
                by=w.therapist,
                now=at(day, 7),
            )
    result = services.outage_report(
        machine=rows[1].machine,
        start=at(day, 8),
        end=at(day, 20),
        reason="site power",
        by=w.therapist,
        now=at(day, 7),
    )
    moved = result.moved[0]
    assert moved.change_kind == "moved to the end of the course"
    assert moved.start > rows[-1].start
    assert (
        next_open_day(adapter.to_local_naive(rows[-1].start).date())
        == adapter.to_local_naive(moved.start).date()
    )

    fractions = list(w.rx.fractions.order_by("sequence"))
    starts = [f.bookings.get(status="booked").start for f in fractions]
    assert starts == sorted(starts)  # sequence order is time order again
    assert fractions[-1].scheduled_date == adapter.to_local_naive(moved.start).date()


def _acute_and_children_stats():
    from linac_optimizer.model import Patient
    from linac_optimizer.online import ArrivalStats

    def pat(pid, **kw):
        d = {
            "id": pid,
            "ready_date": "2027-03-02",
            "due_date": "2027-03-02",
            "urgency": "radical",
            "fractions": 10,
            "pattern": "daily",
            "technique": "IMRT",
            "duration_min": 15,
            "first_duration_min": 25,
        }
        d.update(kw)
        return Patient.from_json(d, 0)

    stats = ArrivalStats()
    for _ in range(20):
        stats.observe_day(
            [pat("U1", urgency="urgent"), pat("U2", urgency="emergency"), pat("K", anesthesia=True)]
        )
    return stats


def test_arrival_history_is_read_from_the_first_sessions_booked(w, machines):
    services.course_book(course=w.course, by=w.scheduler)
    first = Booking.objects.get(prescription=w.rx, is_first=True)
    after = adapter.to_local_naive(first.start).date() + dt.timedelta(days=1)
    stats = adapter.arrival_stats(after)
    lam, courses = stats.rate(["radical", "palliative", "urgent", "emergency"])
    assert courses == [(5, 15.0)] and lam > 0  # one course of 5 daily sessions of 15 min
    assert stats.days == len(adapter.open_dates(after - dt.timedelta(days=84), 84, "KR"))
    assert adapter.arrival_stats(after - dt.timedelta(days=30)).rate(["radical"])[1] == []


def test_course_booking_leaves_the_held_slots_to_acute_patients_and_children(w, machines):
    day = next_open_day()
    data, _index, _machines = adapter.build_instance(start_date=day, horizon_days=30)
    n = adapter.add_holds(data, _acute_and_children_stats(), today=day - dt.timedelta(days=1))
    holds = {m["id"]: m.get("holds", []) for m in data["machines"]}
    assert n == sum(len(h) for h in holds.values()) > 0
    kinds = {h["for"] for hs in holds.values() for h in hs}
    assert kinds == {"acute", "anesthesia"}
    # the children's block only on the named machines (every pediatric technique, no SBRT/SRS)
    named = {
        m["id"]
        for m in data["machines"]
        if any(h["for"] == "anesthesia" for h in m.get("holds", []))
    }
    techs = {m["id"]: set(m["techniques"]) for m in data["machines"]}
    assert named and all(
        {"3D", "IMRT", "VMAT"} <= techs[c] and "SBRT" not in techs[c] for c in named
    )
    Instance.from_json(data)  # still a valid instance: holds are an optional field


def test_course_booking_never_lands_in_a_held_slot(w, machines, monkeypatch):
    captured = {}
    real = adapter.add_holds

    def spy(data, stats, *, today):
        n = real(data, _acute_and_children_stats(), today=today)
        captured["holds"] = [
            (m["id"], h["start"], h["end"]) for m in data["machines"] for h in m.get("holds", [])
        ]
        return n

    monkeypatch.setattr(adapter, "add_holds", spy)
    services.courses_book(
        requests=[services.BookingRequest(course=w.course)], by=w.scheduler, time_limit=2
    )
    assert captured["holds"]
    rows = Booking.objects.filter(prescription=w.rx, status="booked").select_related("machine")
    assert rows.count() == 5
    for b in rows:
        s = adapter.fmt(adapter.to_local_naive(b.start))
        e = adapter.fmt(adapter.to_local_naive(b.end))
        for code, hs, he in captured["holds"]:
            assert not (code == b.machine.code and s < he and hs < e), (b, hs, he)


def test_the_queue_is_read_from_the_waits_of_the_courses_booked_lately(w, machines):
    from linac_optimizer.objective import DEFAULT_WEIGHTS

    services.course_book(course=w.course, by=w.scheduler)
    first = Booking.objects.get(prescription=w.rx, is_first=True)
    assert first.urgency in ("radical", "palliative")
    booked_on = adapter.to_local_naive(first.created_at).date()
    assert adapter.arrival_stats(booked_on).queue_days() == first.penalties.get("waiting", 0) / (
        DEFAULT_WEIGHTS.wait
    )
    # the same course, had it waited three open days from its ready date
    Booking.objects.filter(pk=first.pk).update(
        penalties={**first.penalties, "waiting": 3 * DEFAULT_WEIGHTS.wait}
    )
    assert adapter.arrival_stats(booked_on).queue_days() == 3
    # booked more than the window's open days ago, it is no longer the queue
    later = booked_on + dt.timedelta(days=14)
    assert adapter.arrival_stats(later).queue_days() == 0


def test_with_a_queue_the_acute_slots_give_way_and_the_childrens_block_stays(w, machines):
    from collections import Counter

    day = next_open_day()
    kinds = {}
    for queue in (0, 3):
        data, _index, _machines = adapter.build_instance(start_date=day, horizon_days=30)
        stats = _acute_and_children_stats()
        for _ in range(5):
            stats.observe_leads([queue])
        adapter.add_holds(data, stats, today=day - dt.timedelta(days=1))
        kinds[queue] = Counter(h["for"] for m in data["machines"] for h in m.get("holds", []))
    # two acute arrivals a day: the 90% quantile (4 slots a day) without a queue, the median
    # (2) with one; the children's block is not touched
    assert kinds[0]["acute"] == 2 * 4 and kinds[3]["acute"] == 2 * 2
    assert kinds[0]["anesthesia"] == kinds[3]["anesthesia"] > 0


def test_an_emergency_course_starts_on_time_inside_the_childrens_held_block(
    w, machines, monkeypatch
):
    # The next two open days every machine is down except LINAC-3's first half hour, and that
    # half hour is held for children under anesthesia. An emergency adult (due the second day)
    # starts there on the first day, as the online policy would start it (pass 0 of
    # `solve_with_holds`); its pass used to read the block as downtime and start it late.
    day = next_open_day()
    day2 = adapter.add_open_days(day, 1)
    linac3 = machines["LINAC-3"]
    opens, closes = linac3.opens_at.hour, linac3.closes_at.hour
    for d in (day, day2):
        for code, m in machines.items():
            start = at(d, opens, 30) if code == "LINAC-3" else at(d, opens)
            machine_services.qa_window_plan(
                machine=m, start=start, end=at(d, closes), reason="QA", by=w.physicist
            )

    def held(data, stats, *, today):
        for m in data["machines"]:
            if m["id"] == "LINAC-3":
                m["holds"] = [
                    {
                        "start": adapter.fmt(dt.datetime.combine(d, linac3.opens_at)),
                        "end": adapter.fmt(dt.datetime.combine(d, dt.time(opens, 30))),
                        "for": "anesthesia",
                    }
                    for d in (day, day2)
                ]
        return 2

    monkeypatch.setattr(adapter, "add_holds", held)
    result = services.course_book(
        course=w.course, by=w.scheduler, urgency="emergency", ready_date=day, time_limit=2
    )
    rows = list(
        Booking.objects.filter(prescription=w.rx, status="booked")
        .select_related("machine")
        .order_by("start")
    )
    assert len(rows) == 5
    assert (rows[0].machine.code, rows[0].start) == ("LINAC-3", at(day, opens))
    assert (rows[1].machine.code, rows[1].start) == ("LINAC-3", at(day2, opens))
    first = result.metrics["holds"]["passes"][0]
    assert first["booked"] == {f"RX{w.rx.pk}": "in the children's block"}
