"""Hypothesis state machine: random sequences of sign / edit / plan / approve / check / schedule /
book / deliver (on the planned, a beam-matched or an unmatched machine) / correct / morning QA
(pass or fail) / QA release never over-deliver, never treat on an unapproved machine or on a machine
on QA hold, keep treatment times after their approvals and in order, and every recorded delivery
relied on signatures that were in force (prescription signed, plan approved, physics check passed)
when it was recorded.

The machine runs on its own clock (`timezone.now` patched): every step moves it forward, so
signatures, QA results and treatments carry the times they would have in a real department."""

import contextlib
import datetime as dt
from decimal import Decimal
from unittest import mock

import pytest
from django.utils import timezone
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule, run_state_machine_as_test

from oncocenter.core.errors import DomainError
from oncocenter.machines import qa
from oncocenter.machines.tests.factories import machine as make_machine
from oncocenter.patients.tests.factories import PatientFactory
from oncocenter.radiotherapy import services as s
from oncocenter.radiotherapy.models import (
    DELIVERED_STATUSES,
    CourseSuspension,
    Delivery,
    Fraction,
    FractionStatus,
    Plan,
    PlanStatus,
    Prescription,
    Signature,
)
from oncocenter.radiotherapy.tests.factories import all_pass, make_world

pytestmark = pytest.mark.django_db


class CourseMachine(RuleBasedStateMachine):
    world = None  # set by the test: shared staff and machine
    matched = None  # beam-matched to the world's LINAC (no daily QA list)
    unmatched = None  # capable, in service, not matched
    daily_test = None  # the world's LINAC has a daily output check
    deliveries_recorded = 0
    examples = 0

    def __init__(self):
        super().__init__()
        CourseMachine.examples += 1
        self.now = timezone.now() - dt.timedelta(days=200)
        self._clock = mock.patch("django.utils.timezone.now", side_effect=lambda: self.now)
        self._clock.start()
        w = self.world
        self.patient = PatientFactory()
        self.course = s.course_create(
            patient=self.patient, label="SM", intent="curative", physician=w.ro, by=w.ro
        )
        self.rx = s.prescription_create(
            course=self.course,
            by=w.ro,
            **{
                "site": "Site",
                "technique": "3D",
                "dose_per_fraction_gy": "2",
                "number_of_fractions": 4,
                "intent": "curative",
                "no_diagnosis_reason": "state machine",
            },
        )
        self.ids = {"mrn": self.patient.mrn, "birth_date": self.patient.birth_date.isoformat()}

    def _plan(self):
        return (
            Plan.objects.filter(prescription=self.rx)
            .exclude(status=PlanStatus.RETIRED)
            .order_by("-pk")
            .first()
        )

    def teardown(self):
        self._clock.stop()

    def _try(self, fn, **kw):
        # Refused by an interlock or a validation rule: allowed (and nothing is written).
        self.now += dt.timedelta(minutes=37)
        with contextlib.suppress(DomainError):
            fn(**kw)

    @rule(hours=st.sampled_from([1, 3, 14, 24, 24 * 3]))
    def time_passes(self, hours):
        self.now += dt.timedelta(hours=hours)

    @rule(fail=st.booleans())
    def morning_qa(self, fail):
        self._try(
            qa.qa_result_record,
            test=self.daily_test,
            value="104" if fail else "100.5",
            by=self.world.therapist,
            comment="output high" if fail else "",
        )

    @rule()
    def release_hold(self):
        self._try(
            qa.qa_hold_release,
            machine=self.world.linac,
            by=self.world.physicist,
            reason="recalibrated, output 100.2%",
        )

    @rule(index=st.integers(min_value=0, max_value=10), which=st.integers(0, 2))
    def book(self, index, which):
        """The session is booked for today on one of the machines (as the scheduling area does)."""
        open_ = list(
            Fraction.objects.filter(prescription=self.rx, status=FractionStatus.SCHEDULED).order_by(
                "sequence"
            )
        )
        if open_:
            m = (self.world.linac, self.matched, self.unmatched)[which]
            s.fractions_follow_bookings(
                slots=[
                    s.SessionSlot(
                        fraction_id=open_[index % len(open_)].pk,
                        scheduled_date=timezone.localdate(),
                        machine_id=m.pk,
                    )
                ]
            )

    @rule()
    def advance(self):
        """The next missing step of the workflow, so random runs reach treatment often."""
        rx = Prescription.objects.get(pk=self.rx.pk)
        plan = self._plan()
        if rx.status == "draft":
            self.sign()
        elif plan is None:
            self.make_plan()
        elif plan.status == PlanStatus.DRAFT:
            self.approve()
        elif plan.status == PlanStatus.APPROVED:
            self.physics_check()
        elif not Fraction.objects.filter(prescription=rx, status=FractionStatus.SCHEDULED).exists():
            self.schedule()
        else:
            # Book the next session for now on the matched machine and treat it.
            self.book(index=0, which=1)
            self.deliver(index=0, partial=False, which=1, override=True, minutes_ago=2)

    @rule()
    def suspend(self):
        self._try(
            s.course_suspend, course=self.course, by=self.world.ro, reason="admitted, febrile"
        )

    @rule()
    def resume(self):
        self._try(s.course_resume, course=self.course, by=self.world.ro)

    @rule()
    def sign(self):
        self._try(s.prescription_sign, prescription=self.rx, by=self.world.ro)

    @rule(n=st.integers(min_value=1, max_value=6))
    def edit_prescription(self, n):
        self._try(
            s.prescription_update,
            prescription=self.rx,
            by=self.world.ro,
            number_of_fractions=n,
        )

    @rule()
    def make_plan(self):
        if self._plan() is not None:
            return
        rx = Prescription.objects.get(pk=self.rx.pk)
        self._try(
            s.plan_create,
            prescription=rx,
            by=self.world.dosimetrist,
            label="P",
            machine=self.world.linac,
            fractions_planned=rx.number_of_fractions,
            dose_per_fraction_gy="2",
            meterset_per_fraction="100",
        )

    @rule(mu=st.sampled_from(["100", "110"]))
    def edit_plan(self, mu):
        plan = self._plan()
        if plan is not None:
            rx = Prescription.objects.get(pk=self.rx.pk)
            self._try(
                s.plan_update,
                plan=plan,
                by=self.world.dosimetrist,
                meterset_per_fraction=mu,
                fractions_planned=rx.number_of_fractions,
            )

    @rule()
    def approve(self):
        plan = self._plan()
        if plan is not None:
            self._try(s.plan_approve, plan=plan, by=self.world.ro)

    @rule()
    def physics_check(self):
        plan = self._plan()
        if plan is not None:
            self._try(
                s.physics_check_record, plan=plan, by=self.world.physicist, results=all_pass()
            )

    @rule()
    def schedule(self):
        plan = self._plan()
        if plan is not None:
            self._try(
                s.fractions_schedule,
                plan=plan,
                by=self.world.scheduler,
                start_date=timezone.localdate(),
            )

    @rule(
        index=st.integers(min_value=0, max_value=10),
        partial=st.booleans(),
        which=st.integers(0, 2),
        override=st.booleans(),
        minutes_ago=st.sampled_from([2, 30, 200]),
    )
    def deliver(self, index, partial, which, override, minutes_ago):
        open_ = list(
            Fraction.objects.filter(
                prescription=self.rx, status__in=[FractionStatus.SCHEDULED, FractionStatus.PARTIAL]
            ).order_by("sequence")
        )
        extra = Fraction.objects.filter(prescription=self.rx).order_by("-sequence").first()
        if not open_ and extra is None:
            return
        target = open_[index % len(open_)] if open_ else extra
        before = Delivery.objects.count()
        self._try(
            s.fraction_record_delivery,
            fraction=target,
            by=self.world.therapist,
            delivered_at=self.now - dt.timedelta(minutes=minutes_ago),
            machine=(self.world.linac, self.matched, self.unmatched)[which],
            identifiers=self.ids,
            meterset_delivered="40" if partial else None,
            partial=partial,
            late_entry_reason="paper record" if minutes_ago > 60 else "",
            override_reason="physician asked for it" if override else "",
        )
        CourseMachine.deliveries_recorded += Delivery.objects.count() - before

    @rule(index=st.integers(min_value=0, max_value=10))
    def correct(self, index):
        recorded = list(
            Delivery.objects.filter(fraction__prescription=self.rx, status="recorded").order_by(
                "pk"
            )
        )
        if recorded:
            self._try(
                s.delivery_mark_entered_in_error,
                delivery=recorded[index % len(recorded)],
                by=self.world.therapist,
                reason="state machine correction",
            )

    @invariant()
    def never_over_delivered(self):
        rx = Prescription.objects.get(pk=self.rx.pk)
        delivered = Fraction.objects.filter(prescription=rx, status__in=DELIVERED_STATUSES).count()
        assert rx.fractions_delivered == delivered <= rx.number_of_fractions
        dose = sum(
            (f.dose_delivered_gy for f in Fraction.objects.filter(prescription=rx)), Decimal(0)
        )
        assert dose <= rx.dose_per_fraction_gy * rx.number_of_fractions

    @invariant()
    def only_on_approved_machines_without_hold_in_time_order(self):
        recorded = list(
            Delivery.objects.filter(fraction__prescription=self.rx, status="recorded")
            .select_related("fraction__plan", "machine")
            .order_by("pk")
        )
        for d in recorded:
            assert d.machine_id in qa.matched_machine_ids(d.fraction.plan.machine_id)
            assert d.machine_id != self.unmatched.pk
            # No hold and the day's QA done at the treatment time (as it is known now).
            assert not qa.qa_state(d.machine, d.delivered_at).blocks
            assert d.delivered_at <= d.recorded_at
            assert (d.recorded_at - d.delivered_at > dt.timedelta(hours=1)) == d.late_entry
            assert bool(d.off_schedule) == (d.override_signature_id is not None)
        originals = [d for d in recorded if d.replaces_id is None]
        times = [d.delivered_at for d in originals]
        assert times == sorted(times)

    @invariant()
    def nothing_treated_while_suspended(self):
        suspensions = list(CourseSuspension.objects.filter(course=self.course))
        for d in Delivery.objects.filter(fraction__prescription=self.rx, replaces__isnull=True):
            for sp in suspensions:
                end = sp.resumed_at or dt.datetime.max.replace(tzinfo=dt.UTC)
                assert not (sp.suspended_at <= d.delivered_at < end)
                assert not (sp.suspended_at <= d.recorded_at < end)

    @invariant()
    def deliveries_relied_on_signatures_in_force(self):
        for d in Delivery.objects.filter(fraction__prescription=self.rx):
            sigs = list(Signature.objects.filter(pk__in=d.authorised_by))
            meanings = {sg.meaning for sg in sigs}
            assert {"prescription-signed", "plan-approved", "physics-check"} <= meanings
            for sg in sigs:
                assert sg.signed_at <= d.recorded_at
                assert sg.signed_at <= d.delivered_at
                assert sg.voided_at is None or sg.voided_at >= d.recorded_at
                if sg.meaning in ("plan-approved", "physics-check"):
                    assert sg.signed_version == d.plan_version


def test_random_sequences_never_over_deliver_nor_treat_unsigned():
    w = make_world()
    CourseMachine.world = w
    CourseMachine.matched = make_machine("LINAC-T3", ("3D", "IMRT"))
    CourseMachine.unmatched = make_machine("LINAC-T2", ("3D", "IMRT"))
    qa.beam_match_group_create(
        name="T1-T3",
        machines=[w.linac, CourseMachine.matched],
        evidence="PDD, profiles and output factors within 1%",
        matched_on=timezone.localdate() - dt.timedelta(days=300),
        by=w.physicist,
    )
    CourseMachine.daily_test = qa.qa_test_define(
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
    run_state_machine_as_test(
        CourseMachine,
        settings=settings(
            max_examples=12,
            stateful_step_count=40,
            deadline=None,
            derandomize=True,
            suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
        ),
    )
    # The sequences reached treatment (not only refusals).
    assert CourseMachine.deliveries_recorded > 0
    assert CourseMachine.examples >= 12
