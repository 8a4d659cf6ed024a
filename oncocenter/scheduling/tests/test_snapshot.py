"""Booking solves on a snapshot without machine locks and commits only when nothing changed
underneath; otherwise it solves again (issue 16, item 6)."""

from __future__ import annotations

import threading

import pytest
from django.db import connection

from oncocenter.scheduling import adapter, services
from oncocenter.scheduling.models import Booking
from oncocenter.scheduling.services import courses
from oncocenter.scheduling.tests.factories import at, linacs, next_open_day, ready_course, world


def _other_session(machines):
    """A second ready course and one of its sessions, to book by hand during a solve."""
    other = world()
    ready_course(other, number_of_fractions=3, technique="IMRT")
    fractions = other.schedule(start=other.rx.created_at.date())
    return other, fractions[0]


def _overlaps(rows):
    by_machine = {}
    for b in rows:
        by_machine.setdefault(b.machine_id, []).append((b.start, b.end))
    return any(adapter.pairwise_overlaps(v) for v in by_machine.values())


@pytest.mark.django_db
def test_a_booking_made_during_the_solve_is_seen_and_the_course_solved_again(
    w, machines, monkeypatch
):
    other, fraction = _other_session(machines)
    real = adapter.solve_courses
    calls = []
    progress = []

    def solve(*args, **kwargs):
        result = real(*args, **kwargs)
        calls.append(1)
        if len(calls) == 1:
            # Take the very slot the first solve chose for our first session.
            first = result.bookings[w.rx.pk][0]
            services.booking_create(
                fraction=fraction, machine=first.machine, start=first.start, by=other.scheduler
            )
        return result

    monkeypatch.setattr(adapter, "solve_courses", solve)
    result = services.course_book(
        course=w.course, by=w.scheduler, progress=lambda d, t, n: progress.append((d, t, n))
    )
    assert len(calls) == 2
    assert sum(len(v) for v in result.bookings.values()) == 5
    assert not _overlaps(Booking.objects.filter(status="booked"))
    assert progress[0][0] == 0 and progress[-1][:2] == (3, 4)
    assert any("attempt 2" in note for _d, _t, note in progress)


@pytest.mark.django_db
def test_a_schedule_that_keeps_changing_is_solved_under_the_locks_on_the_last_attempt(
    w, machines, monkeypatch
):
    # Every snapshot is out of date by the time it is checked (two busy workers racing): the
    # booking must not fail for it, the last attempt solves holding the machine locks.
    stamps = iter(range(100))
    monkeypatch.setattr(courses, "schedule_stamp", lambda ids=(): next(stamps))
    real = adapter.solve_courses
    calls = []

    def solve(*args, **kwargs):
        calls.append(1)
        return real(*args, **kwargs)

    monkeypatch.setattr(adapter, "solve_courses", solve)
    notes: list[str] = []
    result = services.course_book(
        course=w.course, by=w.scheduler, progress=lambda d, t, n: notes.append(n)
    )
    assert len(calls) == courses.SNAPSHOT_ATTEMPTS
    assert any(f"attempt {courses.SNAPSHOT_ATTEMPTS}" in n for n in notes)
    assert sum(len(v) for v in result.bookings.values()) == 5
    assert Booking.objects.filter(status="booked").count() == 5
    assert not _overlaps(Booking.objects.filter(status="booked"))


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_no_machine_lock_is_held_while_solving(monkeypatch):
    import importlib

    from django.apps import apps

    from oncocenter.radiotherapy.models import ChecklistItem

    if not ChecklistItem.objects.exists():
        importlib.import_module("oncocenter.radiotherapy.migrations.0002_load_reference_data").load(
            apps, None
        )
    machines = {m.code: m for m in linacs()}
    w = world()
    ready_course(w, number_of_fractions=5, technique="IMRT")
    other, fraction = _other_session(machines)
    solving, release = threading.Event(), threading.Event()
    real = adapter.solve_courses

    def slow_solve(*args, **kwargs):
        solving.set()
        assert release.wait(30)
        return real(*args, **kwargs)

    monkeypatch.setattr(adapter, "solve_courses", slow_solve)
    outcome = {}

    def book():
        try:
            outcome["result"] = services.course_book(course=w.course, by=w.scheduler)
        except Exception as exc:  # reported below
            outcome["error"] = exc
        finally:
            connection.close()

    thread = threading.Thread(target=book)
    thread.start()
    assert solving.wait(60)
    # A manual booking on a machine while the course is being solved (the solver is parked until
    # `release`): a lock held by the solve would make it wait, so PostgreSQL is told to refuse
    # instead of waiting (lock_timeout), which fails the test without depending on timing.
    with connection.cursor() as cursor:
        cursor.execute("SET lock_timeout = '30s'")
    try:
        services.booking_create(
            fraction=fraction,
            machine=other.linac,  # the machine its plan is approved for (issue 15)
            start=at(next_open_day(skip=2), 8),
            by=other.scheduler,
        )
    finally:
        release.set()
        with connection.cursor() as cursor:
            cursor.execute("SET lock_timeout = 0")
    thread.join(60)
    assert "error" not in outcome, outcome
    assert Booking.objects.filter(prescription=w.rx, status="booked").count() == 5
    assert not _overlaps(Booking.objects.filter(status="booked"))


@pytest.mark.django_db
def test_a_blocked_course_is_named_and_the_others_of_the_waiting_list_booked(
    w, machines, monkeypatch
):
    blocked_rx = w.rx
    other = world()
    ready_course(other, number_of_fractions=3, technique="IMRT")
    real = adapter.solve_courses

    def solve(new, **kwargs):
        result = real(new, **kwargs)
        if blocked_rx.pk in result.bookings:
            # The engine finds no room for this course (e.g. no capable machine left).
            result.bookings.pop(blocked_rx.pk)
            result.unscheduled[blocked_rx.pk] = "no capacity left"
        return result

    monkeypatch.setattr(adapter, "solve_courses", solve)
    result = services.courses_book_waiting(by=w.scheduler)
    assert [r.course.pk for r in result.booked] == [other.course.pk]
    assert result.skipped[w.course.pk].startswith("no_feasible_slot:")
    assert "no capacity left" in result.skipped[w.course.pk]
    assert Booking.objects.filter(prescription=other.rx, status="booked").count() == 3
    assert not Booking.objects.filter(prescription=blocked_rx).exists()
