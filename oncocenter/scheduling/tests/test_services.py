import datetime as dt
import itertools

import pytest
from django.db import IntegrityError, transaction

from oncocenter.audit.models import AuditEvent
from oncocenter.core.errors import Conflict, NotPermitted, ValidationFailed
from oncocenter.machines import qa as machine_qa
from oncocenter.machines import services as machine_services
from oncocenter.machines.models import DowntimeKind, MachineDowntime
from oncocenter.radiotherapy import services as rt
from oncocenter.radiotherapy.models import Fraction
from oncocenter.scheduling import adapter, services
from oncocenter.scheduling.models import Booking, BookingStatus
from oncocenter.scheduling.tests.factories import at, next_open_day, world

pytestmark = pytest.mark.django_db


def _rule(exc_info) -> str:
    return exc_info.value.rule


# --- book a course -----------------------------------------------------------------------------


def test_course_book_books_every_fraction_after_the_physics_check(w):
    result = services.course_book(course=w.course, by=w.scheduler)
    rows = list(Booking.objects.filter(prescription=w.rx).order_by("start"))
    assert len(rows) == 5 == len(result.bookings[w.rx.pk])
    assert rows[0].is_first and not any(b.is_first for b in rows[1:])
    assert rows[0].minutes == 25 and rows[1].minutes == 15  # IMRT, first +10 min
    check = w.plan.physics_checks.get()
    assert rows[0].start > check.performed_at
    assert len({b.start.date() for b in rows}) == 5  # daily, one a day
    fractions = Fraction.objects.filter(prescription=w.rx).order_by("sequence")
    assert [f.machine_id for f in fractions] == [b.machine_id for b in rows]
    assert AuditEvent.objects.filter(action="create", object_type="radiotherapy.course").exists()


def test_course_book_refused_before_the_prescription_is_signed(machines):
    wld = world()
    wld.make_rx(technique="IMRT")
    with pytest.raises(Conflict) as exc:
        services.course_book(course=wld.course, by=wld.scheduler)
    assert _rule(exc) == "prescription_not_signed"
    assert exc.value.status == 409
    assert not Booking.objects.exists() and not Fraction.objects.exists()


def test_course_book_refused_before_the_physics_check(machines):
    wld = world()
    wld.make_rx(technique="3D")
    rt.prescription_sign(prescription=wld.rx, by=wld.ro)
    wld.make_plan()
    rt.plan_approve(plan=wld.plan, by=wld.ro)
    with pytest.raises(Conflict) as exc:
        services.course_book(course=wld.course, by=wld.scheduler)
    assert _rule(exc) == "physics_check_incomplete"
    assert not Booking.objects.exists() and not Fraction.objects.exists()


def test_course_book_twice_is_refused(w):
    services.course_book(course=w.course, by=w.scheduler)
    with pytest.raises(Conflict) as exc:
        services.course_book(course=w.course, by=w.scheduler)
    assert _rule(exc) == "course_already_booked"


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"urgency": "soon"}, "urgency"),
        ({"ready_date": dt.date(2020, 1, 1)}, "ready_date"),
        ({"preferred_window": ["12:00", "08:00"]}, "preferred_window"),
        ({"preferred_window": ["noon"]}, "preferred_window"),
    ],
)
def test_course_book_bad_input_names_the_field_and_saves_nothing(w, kwargs, field):
    with pytest.raises(ValidationFailed) as exc:
        services.course_book(course=w.course, by=w.scheduler, **kwargs)
    assert exc.value.problems[0].field == field
    assert not Booking.objects.exists()


def test_course_book_denied_to_a_physician(w):
    with pytest.raises(NotPermitted):
        services.course_book(course=w.course, by=w.ro)


def test_course_book_children_under_anesthesia_get_the_first_slot(w):
    services.course_book(course=w.course, by=w.scheduler, anesthesia=True)
    rows = Booking.objects.filter(prescription=w.rx)
    assert all(b.anesthesia for b in rows)
    assert all(b.start.astimezone(at(dt.date.today(), 8).tzinfo).time() == dt.time(8) for b in rows)


# --- one booking by hand -----------------------------------------------------------------------


def _book(w, fraction, machine, when, **kw):
    return services.booking_create(
        fraction=fraction, machine=machine, start=when, by=w.scheduler, **kw
    )


def test_booking_create_and_every_hard_rule(w, sessions, machines):
    day = next_open_day()
    first = _book(w, sessions[0], machines["LINAC-3"], at(day, 9))
    assert first.is_first and first.minutes == 25
    cases = [
        (sessions[1], machines["LINAC-3"], at(day, 9, 10), "slot_taken"),
        (sessions[1], machines["LINAC-6"], at(day, 10), "machine_incapable"),
        (sessions[1], machines["LINAC-3"], at(day, 19, 50), "outside_hours"),
        (sessions[1], machines["LINAC-3"], at(day, 7), "outside_hours"),
        (
            sessions[1],
            machines["LINAC-3"],
            at(day - dt.timedelta(days=day.weekday() + 1), 9),
            "closed_day",
        ),
        (sessions[0], machines["LINAC-4"], at(day, 9), "fraction_already_booked"),
    ]
    for fraction, machine, when, rule in cases:
        with pytest.raises(Conflict) as exc:
            _book(w, fraction, machine, when)
        assert _rule(exc) == rule, rule
    MachineDowntime.objects.create(
        machine=machines["LINAC-4"],
        kind="qa",
        start=at(day, 12),
        end=at(day, 14),
        reason="monthly QA",
        reported_by=w.scheduler,
    )
    with pytest.raises(Conflict) as exc:
        _book(w, sessions[1], machines["LINAC-4"], at(day, 13, 50))
    assert _rule(exc) == "machine_down"
    machines["LINAC-5"].in_service = False
    machines["LINAC-5"].save()
    with pytest.raises(Conflict) as exc:
        _book(w, sessions[1], machines["LINAC-5"], at(day, 9))
    assert _rule(exc) == "machine_out_of_service"
    assert Booking.objects.count() == 1


def test_booking_first_fraction_not_before_the_physics_check(w, sessions, machines):
    from oncocenter.radiotherapy.models import PhysicsCheck

    day = next_open_day(skip=3)
    PhysicsCheck.objects.filter(plan=w.plan).update(performed_at=at(day, 12))
    with pytest.raises(Conflict) as exc:
        _book(w, sessions[0], machines["LINAC-3"], at(day, 9))
    assert _rule(exc) == "physics_check_incomplete"
    assert _book(w, sessions[0], machines["LINAC-3"], at(day, 13)).is_first


def test_booking_create_naive_time_is_422(w, sessions, machines):
    with pytest.raises(ValidationFailed) as exc:
        _book(w, sessions[0], machines["LINAC-3"], dt.datetime(2030, 1, 7, 9))
    assert exc.value.problems[0].field == "start"


def test_booking_cancel_frees_the_slot(w, sessions, machines):
    day = next_open_day()
    b = _book(w, sessions[0], machines["LINAC-3"], at(day, 9))
    with pytest.raises(ValidationFailed):
        services.booking_cancel(booking=b, by=w.scheduler, reason=" ")
    services.booking_cancel(booking=b, by=w.scheduler, reason="patient unwell")
    assert _book(w, sessions[0], machines["LINAC-3"], at(day, 9)).status == BookingStatus.BOOKED


# --- database constraints ----------------------------------------------------------------------


def test_database_refuses_bad_intervals_and_double_bookings(w, sessions, machines):
    day = next_open_day()
    b = _book(w, sessions[0], machines["LINAC-3"], at(day, 9))
    with pytest.raises(IntegrityError), transaction.atomic():
        MachineDowntime.objects.create(
            machine=machines["LINAC-3"],
            kind="qa",
            start=at(day, 12),
            end=at(day, 12),
            reason="x",
            reported_by=w.scheduler,
        )
    for changes in ({"end": b.start}, {"fraction": b.fraction}, {"fraction": sessions[1]}):
        data = {f.name: getattr(b, f.name) for f in Booking._meta.concrete_fields if f.name != "id"}
        data.update(changes)
        with pytest.raises(IntegrityError), transaction.atomic():
            Booking.objects.create(**data)


# --- machines, QA windows, outages -------------------------------------------------------------


def test_machine_out_of_service_needs_a_reason_and_a_physicist(machines, w):
    m = machines["LINAC-2"]
    with pytest.raises(NotPermitted):
        machine_services.machine_set_in_service(
            machine=m, in_service=False, by=w.scheduler, reason="x"
        )
    with pytest.raises(ValidationFailed) as exc:
        machine_services.machine_set_in_service(
            machine=m, in_service=False, by=w.physicist, reason=""
        )
    assert exc.value.problems[0].field == "reason"
    machine_services.machine_set_in_service(
        machine=m, in_service=False, by=w.physicist, reason="repair"
    )
    m.refresh_from_db()
    assert not m.in_service


def test_qa_window_refused_over_bookings_and_bad_interval(w, sessions, machines):
    day = next_open_day()
    _book(w, sessions[0], machines["LINAC-3"], at(day, 9))
    with pytest.raises(ValidationFailed) as exc:
        machine_services.qa_window_plan(
            machine=machines["LINAC-3"],
            start=at(day, 10),
            end=at(day, 9),
            reason="QA",
            by=w.physicist,
        )
    assert exc.value.problems[0].field == "end"
    with pytest.raises(Conflict) as exc:
        machine_services.qa_window_plan(
            machine=machines["LINAC-3"],
            start=at(day, 8),
            end=at(day, 12),
            reason="QA",
            by=w.physicist,
        )
    assert _rule(exc) == "qa_overlaps_bookings"
    qa = machine_services.qa_window_plan(
        machine=machines["LINAC-3"],
        start=at(day, 12),
        end=at(day, 16),
        reason="monthly QA",
        by=w.physicist,
    )
    assert qa.kind == DowntimeKind.QA
    with pytest.raises(NotPermitted):
        machine_services.qa_window_plan(
            machine=machines["LINAC-3"],
            start=at(day, 16),
            end=at(day, 17),
            reason="QA",
            by=w.scheduler,
        )


def test_outage_rebooks_affected_sessions_elsewhere(w, machines):
    # LINAC-4 is beam-matched to the plan's LINAC-3: the only other machine it may move to
    machine_qa.beam_match_group_create(
        name="matched",
        machines=[machines["LINAC-3"], machines["LINAC-4"]],
        evidence="beam data matched within 1% at commissioning",
        matched_on=dt.date.today() - dt.timedelta(days=30),
        by=w.physicist,
    )
    services.course_book(course=w.course, by=w.scheduler)
    first = Booking.objects.filter(prescription=w.rx).order_by("start").first()
    day = first.start.astimezone(at(dt.date.today(), 8).tzinfo).date()
    result = services.outage_report(
        machine=first.machine,
        start=at(day, 8),
        end=at(day, 20),
        reason="MLC fault",
        by=w.therapist,
        now=at(day, 7),
    )
    first.refresh_from_db()
    assert first.status == BookingStatus.MOVED
    new = first.replaced_by
    assert new.machine.code == "LINAC-4" and new.moved_by_downtime == result.outage
    assert new.start.date() == first.start.date() and new.minutes == first.minutes
    assert not Booking.objects.filter(
        machine=first.machine, status="booked", start__lt=at(day, 20), end__gt=at(day, 8)
    ).exists()
    assert result.outage.rebook_summary["moved"] == len(result.moved) >= 1
    services.outage_confirm(outage=result.outage, by=w.scheduler)
    with pytest.raises(Conflict):
        services.outage_confirm(outage=result.outage, by=w.scheduler)


def test_outage_bad_input_saves_nothing(w, machines):
    day = next_open_day()
    with pytest.raises(ValidationFailed) as exc:
        services.outage_report(
            machine=machines["LINAC-1"],
            start=at(day, 10),
            end=at(day, 9),
            reason="x",
            by=w.therapist,
        )
    assert exc.value.problems[0].field == "end"
    with pytest.raises(ValidationFailed) as exc:
        services.outage_report(
            machine=machines["LINAC-1"],
            start=at(day, 9),
            end=at(day, 10),
            reason="  ",
            by=w.therapist,
        )
    assert exc.value.problems[0].field == "reason"
    with pytest.raises(NotPermitted):
        services.outage_report(
            machine=machines["LINAC-1"], start=at(day, 9), end=at(day, 10), reason="fault", by=w.ro
        )
    assert not MachineDowntime.objects.exists()


def test_machine_with_booked_sessions_ahead_stays_in_service(w, sessions, machines):
    _book(w, sessions[0], machines["LINAC-3"], at(next_open_day(), 9))
    with pytest.raises(Conflict) as exc:
        machine_services.machine_set_in_service(
            machine=machines["LINAC-3"], in_service=False, by=w.physicist, reason="repair"
        )
    assert _rule(exc) == "machine_has_bookings"
    machines["LINAC-3"].refresh_from_db()
    assert machines["LINAC-3"].in_service


@pytest.mark.parametrize("pattern", ["bid", "alternate"])
def test_course_book_follows_the_pattern(machines, pattern):
    from oncocenter.scheduling.tests.factories import ready_course

    wld = world()
    ready_course(wld, number_of_fractions=4, technique="3D", pattern=pattern)
    services.course_book(course=wld.course, by=wld.scheduler)
    rows = list(Booking.objects.filter(prescription=wld.rx).order_by("start"))
    days = [adapter.to_local_naive(b.start).date() for b in rows]
    if pattern == "bid":
        assert len(set(days)) == 2
        for a, b in zip(rows[::2], rows[1::2], strict=True):
            assert (b.start - a.start) >= dt.timedelta(hours=6)
    else:
        assert len(set(days)) == 4
        assert all(adapter.add_open_days(a, 2) == b for a, b in itertools.pairwise(days))


def test_book_waiting_hands_its_result_to_on_saved_with_the_bookings(w, machines):
    """The waiting-list job records its success in the transaction that saves the bookings
    (`on_saved`), with the skipped courses already named: a worker killed after that commit
    leaves a finished job, never one that runs again."""
    waiting = world()
    waiting.make_rx(technique="3D")
    rt.prescription_sign(prescription=waiting.rx, by=waiting.ro)
    seen = []

    def on_saved(result):
        seen.append((result, Booking.objects.filter(status=BookingStatus.BOOKED).count()))

    returned = services.courses_book_waiting(by=w.scheduler, on_saved=on_saved)
    ((result, booked_then),) = seen
    assert booked_then == 5 and [r.course for r in result.booked] == [w.course]
    assert result.skipped == returned.skipped == {waiting.course.pk: "physics_check_incomplete"}


# --- the hard rules of many slots at once --------------------------------------------------------


def _slots(w, sessions, machine, day, minute=9 * 60):
    from oncocenter.scheduling.services._slots import Slot

    out = []
    for k, fraction in enumerate(sessions):
        start = at(adapter.add_open_days(day, k), minute // 60, minute % 60)
        out.append(
            Slot(fraction, machine.pk, start, start + dt.timedelta(minutes=15), "IMRT", False)
        )
    return out


def test_check_slots_reads_overlaps_once_per_machine_not_per_slot(
    w, sessions, machines, django_assert_num_queries
):
    """Downtimes and bookings are read with one query each per machine (they were two per
    slot: 70 for a 35-fraction course), whatever the number of slots."""
    from oncocenter.scheduling.services._slots import _check_slots, _lock_machines

    m = machines["LINAC-3"]
    slots = _slots(w, sessions, m, next_open_day())
    locked = _lock_machines([m.pk])
    with django_assert_num_queries(2):
        _check_slots(slots, locked)
    with django_assert_num_queries(2):
        _check_slots(slots[:1], locked)


def test_check_slots_reports_the_first_slot_that_breaks_a_rule(w, sessions, machines):
    """Read together, the downtimes and bookings still fail the first slot that hits one, with
    that slot's rule and the downtime the single-slot query would have named."""
    from oncocenter.scheduling.services._slots import _check_slots, _lock_machines

    m = machines["LINAC-3"]
    day = next_open_day()
    slots = _slots(w, sessions, m, day)
    locked = _lock_machines([m.pk])
    third, fourth = slots[2], slots[3]
    for start, reason in ((third.start, "early"), (third.start - dt.timedelta(minutes=5), "late")):
        MachineDowntime.objects.create(
            machine=m,
            kind="qa",
            start=start,
            end=start + dt.timedelta(minutes=30),
            reason=reason,
            reported_by=w.scheduler,
        )
    other = Booking.objects.create(
        fraction=sessions[0],
        prescription=w.rx,
        patient=w.rx.course.patient,
        machine=m,
        start=fourth.start,
        end=fourth.end,
        technique="IMRT",
        is_first=False,
        booked_by=w.scheduler,
    )
    with pytest.raises(Conflict) as exc:
        _check_slots(slots, locked)
    assert _rule(exc) == "machine_down"
    assert "early" in exc.value.message  # MachineDowntime's order: the latest start first
    with pytest.raises(Conflict) as exc:
        _check_slots(slots[3:], locked)
    assert _rule(exc) == "slot_taken"
    _check_slots(slots[3:], locked, ignore=[other.pk])  # the caller's own bookings are ignored
