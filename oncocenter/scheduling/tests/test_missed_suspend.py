"""Missed sessions rebooked, courses suspended and resumed, plans transferred to an unmatched
machine (issue 15, items 1 and 3): the bookings follow, through the real booking path."""

from __future__ import annotations

import datetime as dt
from io import StringIO

import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from oncocenter.core.errors import Conflict, NotPermitted, ValidationFailed
from oncocenter.machines import qa
from oncocenter.machines.models import MachineDowntime
from oncocenter.radiotherapy import services as rt
from oncocenter.radiotherapy.models import (
    CourseSuspension,
    Fraction,
    FractionStatus,
    Plan,
    PlanStatus,
    Signature,
)
from oncocenter.radiotherapy.tests.factories import all_pass, past
from oncocenter.scheduling import adapter, selectors, services
from oncocenter.scheduling.models import Booking, BookingStatus
from oncocenter.scheduling.tests.factories import at, next_open_day

pytestmark = pytest.mark.django_db


def _book(w, fraction, machine, when):
    return services.booking_create(fraction=fraction, machine=machine, start=when, by=w.scheduler)


def _past_booking(w, fraction, machine, when):
    """A session booked on a day that has passed (booked then, as the scheduler did)."""
    b = Booking.objects.create(
        fraction=fraction,
        prescription=w.rx,
        patient=w.patient,
        machine=machine,
        start=when,
        end=when + dt.timedelta(minutes=15),
        technique=w.rx.technique,
        booked_by=w.scheduler,
    )
    rt.fractions_follow_bookings(
        slots=[
            rt.SessionSlot(
                fraction_id=fraction.pk,
                scheduled_date=timezone.localtime(when).date(),
                machine_id=machine.pk,
            )
        ]
    )
    return b


@pytest.fixture
def booked(w, sessions, machines):
    """Session 1 booked yesterday (not treated), sessions 2-5 on the next four open days."""
    first = _past_booking(w, sessions[0], machines["LINAC-3"], past(1, 10))
    later = [
        _book(w, f, machines["LINAC-3"], at(next_open_day(skip=i + 1), 10))
        for i, f in enumerate(sessions[1:])
    ]
    return [first, *later]


def test_missed_session_is_marked_and_rebooked_after_the_last_one(w, sessions, booked):
    result = services.missed_sessions_process(by=w.scheduler)
    assert [f.pk for f in result.missed] == [sessions[0].pk]
    sessions[0].refresh_from_db()
    assert sessions[0].status == FractionStatus.MISSED
    assert "no treatment recorded" in sessions[0].status_reason
    booked[0].refresh_from_db()
    assert booked[0].status == BookingStatus.CANCELLED and "missed" in booked[0].cancel_reason
    (new,) = result.rebooked
    replacement = Fraction.objects.get(prescription=w.rx, sequence=6)
    assert new.fraction_id == replacement.pk and new.status == BookingStatus.BOOKED
    # The next open day after the last booked session, same machine, same time of day.
    last_day = adapter.to_local_naive(booked[-1].start).date()
    assert adapter.to_local_naive(new.start) == dt.datetime.combine(
        adapter.add_open_days(last_day, 1), dt.time(10)
    )
    assert new.machine.code == "LINAC-3"
    replacement.refresh_from_db()
    assert replacement.scheduled_date == adapter.to_local_naive(new.start).date()
    # Run again: nothing more to do (the missed booking is cancelled, the rest are future).
    again = services.missed_sessions_process(by=w.scheduler)
    assert again.missed == [] and again.rebooked == []
    # Shown on the course page.
    c = Client()
    c.force_login(w.ro)
    body = c.get(reverse("radiotherapy:course", args=[w.course.pk])).content.decode()
    assert "no treatment recorded" in body


def test_missed_session_goes_to_a_matched_machine_when_its_own_is_down(
    w, sessions, booked, machines
):
    qa.beam_match_group_create(
        name="matched",
        machines=[machines["LINAC-3"], machines["LINAC-4"]],
        evidence="beam data matched within 1% at commissioning",
        matched_on=timezone.localdate() - dt.timedelta(days=30),
        by=w.physicist,
    )
    target = adapter.add_open_days(adapter.to_local_naive(booked[-1].start).date(), 1)
    MachineDowntime.objects.create(
        machine=machines["LINAC-3"],
        kind="qa",
        start=at(target, 0),
        end=at(target + dt.timedelta(days=1), 0),
        reason="annual QA",
        reported_by=w.physicist,
    )
    (new,) = services.missed_sessions_process(by=w.scheduler).rebooked
    assert new.machine.code == "LINAC-4"
    assert adapter.to_local_naive(new.start) == dt.datetime.combine(target, dt.time(10))
    # Never on a machine the plan may not use (LINAC-5 is free but not matched).
    assert not Booking.objects.filter(machine__code="LINAC-5").exists()


def test_missed_sessions_rules(w, sessions, booked):
    with pytest.raises(NotPermitted):
        services.missed_sessions_process(by=w.ro)
    with pytest.raises(ValidationFailed):
        services.missed_sessions_process(
            by=w.scheduler, today=timezone.localdate() + dt.timedelta(days=2)
        )
    # A treated session is not missed.
    w.deliver(sessions[0], booked[0].start + dt.timedelta(minutes=3), align=False)
    assert services.missed_sessions_process(by=w.scheduler).missed == []


def test_missed_sessions_command_and_job_page(w, sessions, booked):
    out = StringIO()
    call_command("mark_missed_sessions", user=w.scheduler.username, stdout=out)
    assert "1 missed session(s); 1 rebooked" in out.getvalue()
    c = Client()
    c.force_login(w.scheduler)
    assert 'data-testid="missed-sessions"' in c.get(reverse("scheduling:board")).content.decode()
    r = c.post(reverse("scheduling:missed-sessions"))
    assert r.status_code == 302 and "/jobs/" in r["Location"]
    nurse = Client()
    nurse.force_login(w.ro)
    assert nurse.post(reverse("scheduling:missed-sessions")).status_code == 403
    assert (
        'data-testid="missed-sessions"'
        not in nurse.get(reverse("scheduling:board")).content.decode()
    )


# --- suspend and resume ---------------------------------------------------------------------------


def test_suspend_cancels_bookings_and_resume_books_the_rest(w, sessions, machines):
    later = [
        _book(w, f, machines["LINAC-3"], at(next_open_day(skip=i + 1), 11))
        for i, f in enumerate(sessions)
    ]
    with pytest.raises(ValidationFailed) as exc:
        rt.course_suspend(course=w.course, by=w.ro, reason=" ")
    assert exc.value.problems[0].field == "reason"
    with pytest.raises(NotPermitted):
        rt.course_suspend(course=w.course, by=w.scheduler, reason="patient admitted")
    rt.course_suspend(course=w.course, by=w.ro, reason="admitted with neutropenic fever")
    w.course.refresh_from_db()
    assert w.course.status == "suspended"
    rows = Booking.objects.filter(pk__in=[b.pk for b in later])
    assert {b.status for b in rows} == {BookingStatus.CANCELLED}
    assert all("suspended" in b.cancel_reason for b in rows)
    # Nothing booked, nothing treated while suspended; lists and the board show none of it.
    with pytest.raises(Conflict) as exc:
        _book(w, sessions[0], machines["LINAC-3"], at(next_open_day(skip=2), 14))
    assert exc.value.rule == "course_not_open"
    with pytest.raises(Conflict) as exc:
        w.deliver(sessions[0], timezone.now() - dt.timedelta(minutes=5))
    assert exc.value.rule == "course_closed"
    c = Client()
    c.force_login(w.scheduler)
    assert c.get(reverse("scheduling:appointments", args=[w.patient.mrn])).status_code == 200
    assert list(selectors.patient_appointments(patient=w.patient)) == []
    board = c.get(
        reverse("scheduling:board") + f"?date={next_open_day(skip=1).isoformat()}"
    ).content.decode()
    assert w.patient.mrn not in board
    with pytest.raises(Conflict) as exc:
        rt.course_suspend(course=w.course, by=w.ro, reason="again, twice")
    assert exc.value.rule == "course_not_open"
    # Resume: the remaining sessions are booked again from the next open day, same time.
    rt.course_resume(course=w.course, by=w.ro, note="counts recovered")
    w.course.refresh_from_db()
    assert w.course.status == "planned"
    again = list(Booking.objects.filter(prescription=w.rx, status=BookingStatus.BOOKED))
    assert len(again) == 5
    days = sorted(adapter.to_local_naive(b.start).date() for b in again)
    assert days == [next_open_day(skip=i + 1) for i in range(5)]
    assert {adapter.to_local_naive(b.start).time() for b in again} == {dt.time(11)}
    assert {b.machine.code for b in again} == {"LINAC-3"}
    susp = CourseSuspension.objects.get(course=w.course)
    assert susp.resumed_by == w.ro and susp.reason.startswith("admitted")
    with pytest.raises(Conflict) as exc:
        rt.course_resume(course=w.course, by=w.ro)
    assert exc.value.rule == "course_not_suspended"


def test_a_suspended_course_can_be_stopped(w, sessions):
    rt.course_suspend(course=w.course, by=w.ro, reason="patient declined further treatment")
    rt.course_close(course=w.course, by=w.ro, status="stopped", reason="patient declined")
    w.course.refresh_from_db()
    assert w.course.status == "stopped"
    assert CourseSuspension.objects.get(course=w.course).resumed_at is not None


# --- plan transfer to a machine not beam-matched -----------------------------------------------------


REASON = "LINAC-3 magnetron replacement, 2 weeks; replanned on LINAC-5"


def test_plan_transfer_signed_by_physicist_and_reapproved_by_physician(w, sessions, machines):
    # Mid-course: LINAC-3 breaks down for weeks after the first fraction.
    w.deliver(sessions[0], past(2, 9), machine=machines["LINAC-3"])
    later = [
        _book(w, f, machines["LINAC-3"], at(next_open_day(skip=i + 1), 9))
        for i, f in enumerate(sessions[1:])
    ]
    for who in (w.ro, w.dosimetrist, w.therapist):
        with pytest.raises(NotPermitted):
            rt.plan_transfer(plan=w.plan, machine=machines["LINAC-5"], by=who, reason=REASON)
    with pytest.raises(ValidationFailed):
        rt.plan_transfer(plan=w.plan, machine=machines["LINAC-5"], by=w.physicist, reason="x")
    new = rt.plan_transfer(plan=w.plan, machine=machines["LINAC-5"], by=w.physicist, reason=REASON)
    w.plan.refresh_from_db()
    assert w.plan.status == PlanStatus.RETIRED
    assert new.status == PlanStatus.DRAFT and new.transferred_from == w.plan
    assert new.machine.code == "LINAC-5"
    sig = Signature.objects.get(plan=new, meaning="plan-transfer")
    assert sig.signer == w.physicist and "LINAC-5" in sig.statement
    moved = Fraction.objects.filter(prescription=w.rx, status="scheduled")
    assert set(moved.values_list("plan_id", flat=True)) == {new.pk}
    assert Fraction.objects.get(pk=sessions[0].pk).plan_id == w.plan.pk  # history stays
    # The old bookings are cancelled; the sessions are booked again on LINAC-5.
    assert {b.status for b in Booking.objects.filter(pk__in=[b.pk for b in later])} == {
        BookingStatus.CANCELLED
    }
    rebooked = Booking.objects.filter(prescription=w.rx, status=BookingStatus.BOOKED)
    assert rebooked.count() == 4 and {b.machine.code for b in rebooked} == {"LINAC-5"}
    assert {adapter.to_local_naive(b.start).time() for b in rebooked} == {dt.time(9)}
    # No treatment until the physician re-approves (and physics checks) the transferred plan.
    f = Fraction.objects.get(pk=sessions[1].pk)
    with pytest.raises(Conflict) as exc:
        w.deliver(f, timezone.now() - dt.timedelta(minutes=5), machine=machines["LINAC-5"])
    assert exc.value.rule == "plan_not_approved"
    rt.plan_approve(plan=new, by=w.ro)
    if new.needs_psqa:
        rt.psqa_record(plan=new, by=w.physicist, method="gamma 3%/2mm", passing_rate_pct=98.0)
    # The independent check: a physicist other than the one who made the transferred plan.
    rt.physics_check_record(plan=new, by=w.physicist2, results=all_pass())
    f.refresh_from_db()
    d = w.deliver(f, timezone.now(), machine=machines["LINAC-5"])
    assert d.machine.code == "LINAC-5"
    # The old machine is now refused for this course.
    f2 = Fraction.objects.get(pk=sessions[2].pk)
    with pytest.raises(Conflict) as exc:
        w.deliver(
            f2,
            timezone.now(),
            machine=machines["LINAC-3"],
            override_reason="second fraction today, catch-up",
        )
    assert exc.value.rule == "machine_not_planned"


def test_plan_transfer_before_the_first_fraction_waits_for_the_physics_check(w, sessions, machines):
    _book(w, sessions[0], machines["LINAC-3"], at(next_open_day(), 9))
    rt.plan_transfer(plan=w.plan, machine=machines["LINAC-5"], by=w.physicist, reason=REASON)
    # The first fraction is never booked before the physics check of its plan: left unbooked.
    assert not Booking.objects.filter(prescription=w.rx, status=BookingStatus.BOOKED).exists()


def test_plan_transfer_to_a_matched_machine_is_not_needed(w, sessions, machines):
    qa.beam_match_group_create(
        name="matched",
        machines=[machines["LINAC-3"], machines["LINAC-4"]],
        evidence="beam data matched within 1% at commissioning",
        matched_on=timezone.localdate() - dt.timedelta(days=30),
        by=w.physicist,
    )
    with pytest.raises(Conflict) as exc:
        rt.plan_transfer(plan=w.plan, machine=machines["LINAC-4"], by=w.physicist, reason=REASON)
    assert exc.value.rule == "plan_transfer_not_needed"
    # A machine that cannot deliver the technique: 409 naming the machine.
    with pytest.raises(Conflict) as exc:
        rt.plan_transfer(plan=w.plan, machine=machines["LINAC-6"], by=w.physicist, reason=REASON)
    assert exc.value.problems[0].field == "machine"
    assert Plan.objects.filter(prescription=w.rx).count() == 1


def test_database_keeps_suspensions_append_only_resumed_once(w, sessions):
    from django.db import DatabaseError, transaction

    susp = rt.course_suspend(course=w.course, by=w.ro, reason="admitted with pneumonia")
    with pytest.raises(DatabaseError), transaction.atomic():
        CourseSuspension.objects.filter(pk=susp.pk).update(reason="something else")
    rt.course_resume(course=w.course, by=w.ro)
    with pytest.raises(DatabaseError), transaction.atomic():
        CourseSuspension.objects.filter(pk=susp.pk).update(resume_note="later edit")


def test_a_late_entry_dated_inside_a_suspension_is_refused(w, sessions):
    from oncocenter.radiotherapy.tests.factories import signed_days_ago

    with signed_days_ago(5):  # suspended five days ago, resumed today
        rt.course_suspend(course=w.course, by=w.ro, reason="admitted with pneumonia")
    rt.course_resume(course=w.course, by=w.ro)
    with pytest.raises(Conflict) as exc:
        w.deliver(sessions[0], past(1, 9))  # a day inside the suspension, entered late
    assert exc.value.rule == "course_suspended_then"
    assert exc.value.problems[0].field == "delivered_at"
    w.deliver(sessions[0], timezone.now())
