"""Record and verify that cannot be walked around (issue 15): the plan's machine or its
beam-matched group, machine QA, treatment times (console vs entry), off-schedule overrides, the
course completed by its last fraction, the diagnosis of a prescription, and the correction MU."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone

from oncocenter.core.errors import Conflict, ValidationFailed
from oncocenter.machines import qa
from oncocenter.radiotherapy import services as s
from oncocenter.radiotherapy.models import (
    CourseStatus,
    Delivery,
    FractionStatus,
    Signature,
    SignatureMeaning,
)
from oncocenter.radiotherapy.tests.factories import (
    ago,
    machine,
    make_world,
    past,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def w():
    return make_world()


def _match(w, other):
    return qa.beam_match_group_create(
        name="T1 group",
        machines=[w.linac, other],
        evidence="PDD, profiles and output factors within 1% (2026 commissioning)",
        matched_on=timezone.localdate() - dt.timedelta(days=90),
        by=w.physicist,
    )


# --- 1. plan -> machine -> delivery -------------------------------------------------------------


def test_delivery_on_another_machine_refused_naming_planned_and_attempted(w):
    w.ready()
    (first, *_) = w.schedule()
    other = machine("LINAC-T5", ("3D",))
    with pytest.raises(Conflict) as exc:
        w.deliver(first, past(3), machine=other)
    assert exc.value.rule == "machine_not_planned"
    assert "LINAC-T1" in str(exc.value) and "LINAC-T5" in str(exc.value)
    assert exc.value.problems[0].field == "machine"
    assert not Delivery.objects.exists()


def test_delivery_on_a_beam_matched_machine_accepted_and_retiring_the_group_stops_it(w):
    w.ready()
    first, second, *_ = w.schedule()
    twin = machine("LINAC-T3", ("3D",))
    group = _match(w, twin)
    d = w.deliver(first, past(3), machine=twin)
    assert d.machine == twin
    qa.beam_match_group_retire(group=group, by=w.physicist, reason="T3 after magnetron repair")
    with pytest.raises(Conflict) as exc:
        w.deliver(second, past(2), machine=twin)
    assert exc.value.rule == "machine_not_planned"


def test_beam_matching_is_signed_by_a_physicist_with_evidence(w):
    from oncocenter.core.errors import NotPermitted

    twin = machine("LINAC-T3", ("3D",))
    with pytest.raises(NotPermitted):
        qa.beam_match_group_create(
            name="g",
            machines=[w.linac, twin],
            evidence="measured",
            matched_on=timezone.localdate(),
            by=w.therapist,
        )
    with pytest.raises(ValidationFailed) as exc:
        qa.beam_match_group_create(
            name="g",
            machines=[w.linac],
            evidence="",
            matched_on=timezone.localdate(),
            by=w.physicist,
        )
    assert {p.field for p in exc.value.problems} == {"evidence", "machines"}
    group = _match(w, twin)
    assert group.signed_by == w.physicist and group.signed_at is not None
    assert qa.matched_machine_ids(w.linac.pk) == {w.linac.pk, twin.pk}


# --- 2. times that happened ------------------------------------------------------------------------


def test_delivery_dated_before_the_approvals_refused(w):
    w.ready()  # signed 60 days ago
    (first, *_) = w.schedule()
    with pytest.raises(Conflict) as exc:
        w.deliver(first, timezone.now() - dt.timedelta(days=200))
    assert exc.value.rule == "delivered_before_approval"
    assert exc.value.problems[0].field == "delivered_at"


def test_delivery_in_the_future_refused(w):
    w.ready()
    (first, *_) = w.schedule()
    with pytest.raises(ValidationFailed) as exc:
        w.deliver(first, timezone.now() + dt.timedelta(minutes=2), align=False)
    assert exc.value.problems[0].field == "delivered_at"


def test_fraction_two_before_fraction_one_refused(w):
    w.ready()
    first, second, *_ = w.schedule()
    w.deliver(first, past(3))
    with pytest.raises(Conflict) as exc:
        w.deliver(second, past(4))
    assert exc.value.rule == "delivery_out_of_order"


def test_late_entry_needs_a_reason_and_keeps_console_and_entry_time(w):
    w.ready()
    first, second, *_ = w.schedule()
    with pytest.raises(ValidationFailed) as exc:
        w.deliver(first, past(2), late_entry_reason="")
    assert exc.value.problems[0].field == "late_entry_reason"
    d = w.deliver(first, past(2), late_entry_reason="console export failed; from the paper log")
    assert d.late_entry and d.delivered_at == past(2) and d.recorded_at > d.delivered_at
    on_time = w.deliver(second, timezone.now() - dt.timedelta(minutes=10), override_reason="")
    assert not on_time.late_entry and on_time.late_entry_reason == ""


def test_off_schedule_day_needs_a_signed_override(w):
    w.ready()
    (first, *_) = w.schedule()
    first.refresh_from_db()
    day_before = past(1)
    s.fractions_follow_bookings(
        slots=[
            s.SessionSlot(
                fraction_id=first.pk, scheduled_date=past(0).date(), machine_id=w.linac.pk
            )
        ]
    )
    with pytest.raises(Conflict) as exc:
        w.deliver(first, day_before, align=False)
    assert exc.value.rule == "off_schedule_override_required"
    assert [p.value for p in exc.value.problems] == ["other-day"]
    d = w.deliver(first, day_before, align=False, override_reason="patient came a day early")
    assert d.off_schedule == "other-day"
    sig = d.override_signature
    assert sig.meaning == SignatureMeaning.DELIVERY_OVERRIDE and sig.signer == w.therapist
    assert "patient came a day early" in sig.statement


def test_off_schedule_machine_and_closed_day_named(w):
    w.ready()
    (first, *_) = w.schedule()
    twin = machine("LINAC-T3", ("3D",))
    _match(w, twin)
    saturday = past(0)
    while saturday.weekday() != 5:
        saturday -= dt.timedelta(days=1)
    s.fractions_follow_bookings(
        slots=[
            s.SessionSlot(
                fraction_id=first.pk, scheduled_date=saturday.date(), machine_id=w.linac.pk
            )
        ]
    )
    with pytest.raises(Conflict) as exc:
        w.deliver(first, saturday, machine=twin, align=False)
    assert [p.value for p in exc.value.problems] == ["other-machine", "closed-day"]


def test_second_fraction_on_one_day_of_a_daily_course_needs_override(w):
    w.ready()
    first, second, *_ = w.schedule()
    w.deliver(first, past(3, 8))
    with pytest.raises(Conflict) as exc:
        w.deliver(second, past(3, 16))
    assert exc.value.rule == "fractions_per_day"
    d = w.deliver(second, past(3, 16), override_reason="compensating a lost day (Dr. Kim)")
    assert "second-today" in d.off_schedule


def test_database_keeps_console_time_before_entry_and_override_signed(w):
    w.ready()
    (first, *_) = w.schedule()
    d = w.deliver(first, past(3))
    base = {
        "fraction": d.fraction,
        "recorded_by": w.therapist,
        "machine": w.linac,
        "dose_delivered_gy": Decimal("2"),
        "plan_version": 1,
        "prescription_version": 1,
    }
    now = timezone.now()
    for bad in (
        {"recorded_at": now - dt.timedelta(hours=1), "delivered_at": now},
        {"recorded_at": now, "delivered_at": now, "late_entry": True},
        {"recorded_at": now, "delivered_at": now, "off_schedule": "other-day"},
    ):
        with pytest.raises(IntegrityError), transaction.atomic():
            Delivery.objects.create(**base, **bad)


# --- 3. the last fraction completes the course ------------------------------------------------------


def test_last_fraction_completes_the_course_with_real_dates(w):
    w.ready()
    sessions = w.schedule()
    for i, f in enumerate(sessions):
        w.deliver(f, past(7 - i))
    w.course.refresh_from_db()
    w.rx.refresh_from_db()
    assert w.course.status == CourseStatus.COMPLETED
    assert (w.course.started_on, w.course.ended_on) == (past(7).date(), past(3).date())
    assert w.rx.status == "completed"


def test_partial_last_fraction_does_not_complete_the_course(w):
    w.ready(number_of_fractions=2)
    first, second = w.schedule()
    w.deliver(first, past(3))
    w.deliver(second, past(2, 9), meterset_delivered="80", partial=True)
    w.course.refresh_from_db()
    assert w.course.status == CourseStatus.ACTIVE
    w.deliver(second, past(2, 10), meterset_delivered="120", align=False)
    w.course.refresh_from_db()
    assert w.course.status == CourseStatus.COMPLETED


# --- 5. machine QA gates treatment ------------------------------------------------------------------


def _daily(w):
    return qa.qa_test_define(
        machine=w.linac,
        code="output-6x",
        name="Output constancy 6 MV",
        frequency="daily",
        nominal="100",
        tolerance="2",
        action="3",
        unit="%",
        by=w.physicist,
    )


def test_missing_daily_qa_refuses_treatment_until_done(w):
    w.ready()
    (first, *_) = w.schedule()
    test = _daily(w)
    now = ago(5)
    with pytest.raises(Conflict) as exc:
        w.deliver(first, now)
    assert exc.value.rule == "machine_qa_daily_missing"
    qa.qa_result_record(test=test, value="100.4", by=w.therapist, performed_at=ago(30))
    assert w.deliver(first, now).status == "recorded"


def test_failed_daily_qa_holds_the_machine_until_a_physicist_releases_it(w):
    w.ready()
    (first, *_) = w.schedule()
    test = _daily(w)
    t0 = ago(50)
    result = qa.qa_result_record(
        test=test, value="103.6", by=w.therapist, performed_at=t0, comment="output high"
    )
    assert result.status == "action"
    assert qa.qa_state(w.linac).state == qa.QAState.HOLD
    with pytest.raises(Conflict) as exc:
        w.deliver(first, ago(5))
    assert exc.value.rule == "machine_qa_hold"
    from oncocenter.core.errors import NotPermitted

    with pytest.raises(NotPermitted):
        qa.qa_hold_release(machine=w.linac, by=w.therapist, reason="looks fine")
    with pytest.raises(ValidationFailed):
        qa.qa_hold_release(machine=w.linac, by=w.physicist, reason="")
    hold = qa.qa_hold_release(
        machine=w.linac, by=w.physicist, reason="chamber re-read: 100.3%, monitor recalibrated"
    )
    assert hold.released_by == w.physicist
    # a treatment timed before the release is still refused; after it, accepted
    with pytest.raises(Conflict):
        w.deliver(first, ago(2))
    assert w.deliver(first, timezone.now()).status == "recorded"


def test_qa_out_of_tolerance_needs_a_comment_and_levels_are_ordered(w):
    test = _daily(w)
    with pytest.raises(ValidationFailed):
        qa.qa_result_record(test=test, value="102.5", by=w.therapist)
    r = qa.qa_result_record(test=test, value="102.5", by=w.therapist, comment="watch it")
    assert r.status == "tolerance" and qa.qa_state(w.linac).state == qa.QAState.OK
    with pytest.raises(ValidationFailed):
        qa.qa_test_define(
            machine=w.linac,
            code="laser",
            name="Lasers",
            frequency="daily",
            nominal="0",
            tolerance="2",
            action="1",
            by=w.physicist,
        )


def test_qa_states_query_count_does_not_grow_with_machines(w, django_assert_max_num_queries):
    ms = [machine(f"LINAC-Q{i}", ("3D",)) for i in range(3)]
    with django_assert_max_num_queries(3):
        qa.qa_states([m.pk for m in ms])
    ms += [machine(f"LINAC-R{i}", ("3D",)) for i in range(30)]
    with django_assert_max_num_queries(3):
        qa.qa_states([m.pk for m in ms])


# --- 8. prescription tied to its diagnosis -------------------------------------------------------------


def test_prescription_needs_a_diagnosis_or_a_reason(w):
    from oncocenter.oncology.tests.factories import DiagnosisFactory

    with pytest.raises(ValidationFailed) as exc:
        w.make_rx(no_diagnosis_reason="")
    assert exc.value.problems[0].field == "diagnosis"
    rx = w.make_rx()  # the factory gives a reason
    assert rx.no_diagnosis_reason
    dx = DiagnosisFactory(patient=w.patient)
    rx = s.prescription_update(prescription=rx, by=w.ro, diagnosis=dx.pk)
    assert rx.diagnosis == dx and rx.no_diagnosis_reason == ""
    from oncocenter.radiotherapy.models import Prescription

    with pytest.raises(IntegrityError), transaction.atomic():
        Prescription.objects.filter(pk=rx.pk).update(diagnosis=None, no_diagnosis_reason="")


# --- correction keeps the MU the session was treated with ------------------------------------------------


def test_correcting_the_time_keeps_the_planned_mu_of_a_record_without_mu(w):
    w.ready()
    (first, *_) = w.schedule()
    d = w.deliver(first, past(3, 9))
    first.refresh_from_db()
    assert first.meterset_delivered == Decimal("200")
    new = s.delivery_correct(
        delivery=d, by=w.therapist, reason="console clock was off", delivered_at=past(3, 10)
    )
    first.refresh_from_db()
    assert new.meterset_delivered is None and first.meterset_delivered == Decimal("200")
    assert first.status == FractionStatus.TREATED
    # and a full MU correction is not refused as an excess over the plan
    newer = s.delivery_correct(
        delivery=new, by=w.therapist, reason="MU read from the console", meterset_delivered="199.5"
    )
    first.refresh_from_db()
    assert newer.meterset_delivered == Decimal("199.5") and first.meterset_delivered == Decimal(
        "199.5"
    )


def test_override_signature_is_append_only(w):
    w.ready()
    (first, *_) = w.schedule()
    s.fractions_follow_bookings(
        slots=[
            s.SessionSlot(
                fraction_id=first.pk, scheduled_date=past(0).date(), machine_id=w.linac.pk
            )
        ]
    )
    d = w.deliver(first, past(1), align=False, override_reason="patient came a day early")
    with pytest.raises(Exception), transaction.atomic():  # noqa: B017 (sqlite and pg raise differently)
        Signature.objects.filter(pk=d.override_signature_id).update(statement="edited")


# --- 4. no default answers; 2. late entries shown as such --------------------------------------------


def test_checklist_forms_start_unanswered_and_untouched_is_refused_naming_each_item(w):
    from oncocenter.radiotherapy.forms.planning import ChartCheckForm, PhysicsCheckForm
    from oncocenter.radiotherapy.selectors import checklist

    w.ready()
    for form in (
        PhysicsCheckForm(course=w.course, key=w.plan.pk),
        ChartCheckForm(course=w.course, key="weekly"),
        ChartCheckForm(course=w.course, key="end"),
    ):
        radios = [str(form[name]) for name in form.fields if name.startswith("item-")]
        assert radios and not any("checked" in r for r in radios)
    with pytest.raises(ValidationFailed) as exc:
        s.chart_check_record(course=w.course, by=w.physicist, kind="weekly", results={})
    assert {p.field for p in exc.value.problems} == {
        f"results.{i.code}" for i in checklist("weekly")
    }


def test_course_page_shows_late_entries_and_overrides(w, client):
    w.ready()
    first, second, *_ = w.schedule()
    w.deliver(first, past(3), late_entry_reason="entered from the console log")
    s.fractions_follow_bookings(
        slots=[
            s.SessionSlot(
                fraction_id=second.pk, scheduled_date=past(0).date(), machine_id=w.linac.pk
            )
        ]
    )
    w.deliver(second, past(2), align=False, override_reason="patient came a day early")
    client.force_login(w.ro)
    from django.urls import reverse

    body = client.get(reverse("radiotherapy:course", args=[w.course.pk])).content.decode()
    assert body.count('data-testid="late-entry"') == 2
    assert 'data-testid="off-schedule"' in body and "patient came a day early" in body
