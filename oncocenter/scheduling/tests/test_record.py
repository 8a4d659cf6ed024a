"""The schedule follows the treatment record (issue 15): bookings only on the plan's machine or
its beam-matched group, no booking today on a machine on QA hold, a delivery consumes its booking,
a missed session frees its booking, the last fraction frees every later booking, the engine gets
the plan's allowed machines, and the day board shows each machine's QA state."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from oncocenter.core.errors import Conflict
from oncocenter.machines import qa
from oncocenter.radiotherapy import services as rt
from oncocenter.radiotherapy.tests.factories import past
from oncocenter.scheduling import adapter, record, services
from oncocenter.scheduling.models import Booking, BookingStatus
from oncocenter.scheduling.tests.factories import at, next_open_day

pytestmark = pytest.mark.django_db


def _book(w, fraction, machine, when):
    return services.booking_create(fraction=fraction, machine=machine, start=when, by=w.scheduler)


def _match(w, *machines):
    return qa.beam_match_group_create(
        name="matched",
        machines=list(machines),
        evidence="beam data matched within 1% at commissioning",
        matched_on=timezone.localdate() - dt.timedelta(days=30),
        by=w.physicist,
    )


def test_booking_on_an_unmatched_machine_refused_naming_both(w, sessions, machines):
    day = next_open_day()
    with pytest.raises(Conflict) as exc:
        _book(w, sessions[0], machines["LINAC-5"], at(day, 9))
    assert exc.value.rule == "machine_not_planned"
    assert "LINAC-3" in str(exc.value) and "LINAC-5" in str(exc.value)
    _match(w, machines["LINAC-3"], machines["LINAC-5"])
    assert _book(w, sessions[0], machines["LINAC-5"], at(day, 9)).machine == machines["LINAC-5"]


def test_engine_gets_the_plan_and_its_matched_machines(w, machines):
    _match(w, machines["LINAC-3"], machines["LINAC-4"])
    assert record.allowed_machine_codes(w.plan) == ["LINAC-3", "LINAC-4"]
    course = adapter.NewCourse(
        prescription=w.rx,
        fractions=[],
        technique="IMRT",
        pattern="daily",
        urgency="radical",
        ready_date=timezone.localdate(),
        due_date=timezone.localdate(),
        anesthesia=False,
        allowed_machines=record.allowed_machine_codes(w.plan),
    )
    assert course.patient_json()["allowed_machines"] == ["LINAC-3", "LINAC-4"]


def test_course_book_places_sessions_only_on_allowed_machines(w, machines):
    services.courses_book(
        requests=[services.BookingRequest(course=w.course)], by=w.scheduler, time_limit=2
    )
    assert set(Booking.objects.values_list("machine__code", flat=True)) == {"LINAC-3"}


def test_no_booking_today_on_a_machine_on_qa_hold(w, sessions, machines):
    linac = machines["LINAC-3"]
    qa.qa_hold_place(machine=linac, by=w.physicist, reason="door interlock intermittent")
    now = timezone.localtime()
    today_slot = now.replace(hour=19, minute=0, second=0, microsecond=0)
    if adapter.is_open_day(now.date()) and now < today_slot:
        with pytest.raises(Conflict) as exc:
            _book(w, sessions[0], linac, today_slot)
        assert exc.value.rule == "machine_qa_hold"
    # another day stays bookable
    assert _book(w, sessions[0], linac, at(next_open_day(), 9)).status == BookingStatus.BOOKED


def _book_on_past_days(w, sessions, machines):
    """Bookings on the days the tests treat (booked then, as the scheduler did)."""
    out = []
    for i, f in enumerate(sessions):
        when = past(len(sessions) - i, 9)
        b = Booking.objects.create(
            fraction=f,
            prescription=w.rx,
            patient=w.patient,
            machine=machines["LINAC-3"],
            start=when,
            end=when + dt.timedelta(minutes=15),
            technique=w.rx.technique,
            booked_by=w.scheduler,
        )
        rt.fractions_follow_bookings(
            slots=[
                rt.SessionSlot(
                    fraction_id=f.pk, scheduled_date=when.date(), machine_id=b.machine_id
                )
            ]
        )
        out.append(b)
    return out


def test_delivery_consumes_its_booking_with_the_console_time(w, sessions, machines):
    bookings = _book_on_past_days(w, sessions, machines)
    when = bookings[0].start + dt.timedelta(minutes=4)
    w.deliver(sessions[0], when, align=False)
    bookings[0].refresh_from_db()
    assert bookings[0].status == BookingStatus.TREATED and bookings[0].treated_at == when


def test_entered_in_error_books_the_session_again(w, sessions, machines):
    bookings = _book_on_past_days(w, sessions, machines)
    d = w.deliver(sessions[0], bookings[0].start, align=False)
    rt.delivery_mark_entered_in_error(delivery=d, by=w.therapist, reason="wrong patient chart")
    bookings[0].refresh_from_db()
    assert bookings[0].status == BookingStatus.BOOKED and bookings[0].treated_at is None


def test_missed_session_frees_its_booking(w, sessions, machines):
    bookings = _book_on_past_days(w, sessions, machines)
    rt.fraction_mark_missed(fraction=sessions[0], by=w.scheduler, reason="patient unwell")
    bookings[0].refresh_from_db()
    assert bookings[0].status == BookingStatus.CANCELLED and "missed" in bookings[0].cancel_reason


def test_last_fraction_completes_the_course_and_frees_later_bookings(w, sessions, machines):
    day = next_open_day()
    later = [
        _book(w, f, machines["LINAC-3"], at(adapter.add_open_days(day, i), 9))
        for i, f in enumerate(sessions)
    ]
    # The whole course is treated on earlier days (an accelerated catch-up, overridden).
    for i, f in enumerate(sessions):
        w.deliver(f, past(6 - i), override_reason="treated ahead of the booking (catch-up)")
    w.course.refresh_from_db()
    assert w.course.status == "completed"
    statuses = {b.status for b in Booking.objects.filter(pk__in=[b.pk for b in later])}
    assert statuses == {BookingStatus.TREATED}
    # a course stopped early cancels its future bookings
    from oncocenter.scheduling.tests.factories import ready_course

    ready_course(w, number_of_fractions=3, technique="IMRT")
    more = w.schedule(start=day)
    booked = [
        _book(w, f, machines["LINAC-3"], at(adapter.add_open_days(day, 7 + i), 10))
        for i, f in enumerate(more)
    ]
    rt.course_close(course=w.course, by=w.ro, status="stopped", reason="patient declined")
    assert {b.status for b in Booking.objects.filter(pk__in=[b.pk for b in booked])} == {
        BookingStatus.CANCELLED
    }
    assert not Booking.objects.filter(status=BookingStatus.BOOKED).exists()


def test_day_board_shows_each_machine_qa_state(client_as, w, machines):
    qa.qa_test_define(
        machine=machines["LINAC-1"],
        code="output",
        name="Output",
        frequency="daily",
        nominal="100",
        tolerance="2",
        action="3",
        by=w.physicist,
    )
    qa.qa_hold_place(machine=machines["LINAC-2"], by=w.physicist, reason="MLC leaf 23 stuck")
    body = client_as("scheduler").get(reverse("scheduling:board")).content.decode()
    assert 'data-testid="qa-LINAC-1" data-qa-state="daily-missing"' in body
    assert 'data-testid="qa-LINAC-2" data-qa-state="hold"' in body
    assert 'data-testid="qa-LINAC-3" data-qa-state="not-configured"' in body


def _outage_on_second_session(w):
    services.courses_book(
        requests=[services.BookingRequest(course=w.course)], by=w.scheduler, time_limit=2
    )
    second = Booking.objects.filter(prescription=w.rx).order_by("start")[1]
    day = timezone.localtime(second.start).date()
    result = services.outage_report(
        machine=second.machine,
        start=at(day, 8),
        end=at(day, 20),
        reason="MLC fault",
        by=w.therapist,
        now=at(day, 7),
    )
    second.refresh_from_db()
    return second, result


def test_outage_rebooking_stays_on_the_plan_machine_without_a_matched_group(w, machines):
    second, result = _outage_on_second_session(w)
    # no other machine may treat the plan: the session leaves its day, never its machine
    assert second.status == BookingStatus.MOVED
    assert {b.machine.code for b in result.moved} == {"LINAC-3"}
    assert set(
        Booking.objects.filter(prescription=w.rx, status=BookingStatus.BOOKED).values_list(
            "machine__code", flat=True
        )
    ) == {"LINAC-3"}
    summary = result.outage.rebook_summary
    assert summary["machine_changes"] == 0
    assert summary["interruption_days"] == 1 and summary["patients_interrupted"] == 1
    assert summary["moved_after_course"] == 1
    # the course's sessions are still in time order after the added session
    rows = list(
        Booking.objects.filter(prescription=w.rx, status=BookingStatus.BOOKED)
        .select_related("fraction")
        .order_by("start")
    )
    assert [b.fraction.sequence for b in rows] == sorted(b.fraction.sequence for b in rows)


def test_outage_rebooking_may_use_the_beam_matched_machine_the_same_day(w, machines):
    _match(w, machines["LINAC-3"], machines["LINAC-4"])
    second, result = _outage_on_second_session(w)
    new = second.replaced_by
    assert new.machine.code == "LINAC-4"
    assert timezone.localtime(new.start).date() == timezone.localtime(second.start).date()
    summary = result.outage.rebook_summary
    assert summary["machine_changes"] == 1 and summary["interruption_days"] == 0
