"""Hypothesis state machine: random sequences of sign / edit / plan / approve / check / schedule /
deliver / correct never over-deliver, and every recorded delivery relied on signatures that were in
force (prescription signed, plan approved, physics check passed) when it was recorded."""

import contextlib
import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule, run_state_machine_as_test

from oncocenter.core.errors import DomainError
from oncocenter.patients.tests.factories import PatientFactory
from oncocenter.radiotherapy import services as s
from oncocenter.radiotherapy.models import (
    DELIVERED_STATUSES,
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
    deliveries_recorded = 0

    def __init__(self):
        super().__init__()
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
            },
        )
        self.clock = timezone.now() - dt.timedelta(days=400)
        self.ids = {"mrn": self.patient.mrn, "birth_date": self.patient.birth_date.isoformat()}

    def _plan(self):
        return (
            Plan.objects.filter(prescription=self.rx)
            .exclude(status=PlanStatus.RETIRED)
            .order_by("-pk")
            .first()
        )

    def _try(self, fn, **kw):
        # Refused by an interlock or a validation rule: allowed (and nothing is written).
        with contextlib.suppress(DomainError):
            fn(**kw)

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
        else:
            self.schedule()

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
                start_date=timezone.localdate() - dt.timedelta(days=300),
            )

    @rule(index=st.integers(min_value=0, max_value=10), partial=st.booleans())
    def deliver(self, index, partial):
        open_ = list(
            Fraction.objects.filter(
                prescription=self.rx, status__in=[FractionStatus.SCHEDULED, FractionStatus.PARTIAL]
            ).order_by("sequence")
        )
        extra = Fraction.objects.filter(prescription=self.rx).order_by("-sequence").first()
        if not open_ and extra is None:
            return
        self.clock += dt.timedelta(days=1)
        target = open_[index % len(open_)] if open_ else extra
        before = Delivery.objects.count()
        self._try(
            s.fraction_record_delivery,
            fraction=target,
            by=self.world.therapist,
            delivered_at=self.clock,
            machine=self.world.linac,
            identifiers=self.ids,
            meterset_delivered="40" if partial else None,
            partial=partial,
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
    def deliveries_relied_on_signatures_in_force(self):
        for d in Delivery.objects.filter(fraction__prescription=self.rx):
            sigs = list(Signature.objects.filter(pk__in=d.authorised_by))
            meanings = {sg.meaning for sg in sigs}
            assert {"prescription-signed", "plan-approved", "physics-check"} <= meanings
            for sg in sigs:
                assert sg.signed_at <= d.recorded_at
                assert sg.voided_at is None or sg.voided_at >= d.recorded_at
                if sg.meaning in ("plan-approved", "physics-check"):
                    assert sg.signed_version == d.plan_version


def test_random_sequences_never_over_deliver_nor_treat_unsigned():
    CourseMachine.world = make_world()
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
