"""Hypothesis state machine: random sequences of sign / verify / lab results / release / hold /
override / give (with right and wrong doses, the same or another nurse) never give a dose that was
not released, never give one twice, and never give other than the released dose."""

import contextlib
import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule, run_state_machine_as_test

from oncocenter.core.errors import DomainError
from oncocenter.oncology.tests.factories import DiagnosisFactory
from oncocenter.patients.tests.factories import PatientFactory
from oncocenter.systemic import services
from oncocenter.systemic.models import Administration, DayRelease, OrderDose, Regimen

from .conftest import lab

pytestmark = pytest.mark.django_db


class ChainMachine(RuleBasedStateMachine):
    people = None  # set by the test
    given = 0
    started = 0

    def __init__(self):
        super().__init__()
        p = self.people
        self.patient = PatientFactory(birth_date=dt.date(1965, 1, 1), sex="female")
        self.start = timezone.localdate() - dt.timedelta(days=14)
        services.measurement_record(
            patient=self.patient, by=p["nurse"], height_cm=160, weight_kg=55, measured_on=self.start
        )
        lab(self.patient, p["nurse"], "2160-0", "0.8", "mg/dL", self.start)
        self.order = services.order_create(
            patient=self.patient,
            by=p["doctor"],
            regimen=Regimen.objects.get(code="cross"),
            diagnosis=DiagnosisFactory(patient=self.patient),
            start_date=self.start,
        )
        # Every other sequence starts from a verified order, so that sequences reach the chair.
        ChainMachine.started += 1
        if ChainMachine.started % 2:
            services.order_sign(order=self.order, by=p["doctor"])
            services.order_verify(order=self.order, by=p["pharmacist"])

    @rule()
    def sign(self):
        with contextlib.suppress(DomainError):
            services.order_sign(order=self.order, by=self.people["doctor"])

    @rule(who=st.sampled_from(["pharmacist", "doctor"]))
    def verify(self, who):
        with contextlib.suppress(DomainError):
            services.order_verify(order=self.order, by=self.people[who])

    @rule(day=st.sampled_from([1, 8, 15]), anc=st.sampled_from(["0.6", "1.2", "3.0"]))
    def labs(self, day, anc):
        self._labs(day, anc)

    def _labs(self, day, anc):
        on = self.start + dt.timedelta(days=day - 1)
        for loinc, value, unit in (
            ("751-8", anc, "10*9/L"),
            ("777-3", "150", "10*9/L"),
            ("2160-0", "0.8", "mg/dL"),
            ("1975-2", "0.5", "mg/dL"),
        ):
            lab(self.patient, self.people["nurse"], loinc, value, unit, on)

    @rule(
        day=st.sampled_from([1, 8, 15, 22]),
        who=st.sampled_from(["nurse", "doctor"]),
        reason=st.sampled_from(["", "clinically well"]),
    )
    def release(self, day, who, reason):
        self._release(day, who, reason)

    def _release(self, day, who, reason):
        with contextlib.suppress(DomainError):
            services.day_release(
                order=self.order, day=day, by=self.people[who], override_reason=reason
            )

    @rule(day=st.sampled_from([1, 8, 15]))
    def ordinary_day(self, day):
        """Good labs, then the nurse releases: the common path, so that sequences reach the chair."""
        self._labs(day, "3.0")
        self._release(day, "nurse", "")

    @rule(day=st.sampled_from([1, 8, 15]))
    def hold(self, day):
        with contextlib.suppress(DomainError):
            services.day_hold(order=self.order, day=day, by=self.people["nurse"], reason="labs")

    @rule(
        day=st.sampled_from([1, 8, 15]),
        extra=st.sampled_from([Decimal(0), Decimal(0), Decimal(5)]),
        checker=st.sampled_from(["nurse2", "nurse"]),
    )
    def give(self, day, extra, checker):
        dose = OrderDose.objects.select_related("drug").filter(order=self.order, day=day).first()
        start = timezone.make_aware(dt.datetime.combine(dose.on, dt.time(10)))
        with contextlib.suppress(DomainError):
            services.administration_record(
                dose=dose,
                by=self.people["nurse"],
                checker=self.people[checker],
                given_mg=dose.planned_mg + extra,
                route=dose.drug.route,
                product_expiry=timezone.localdate() + dt.timedelta(days=5),
                started_at=start,
                stopped_at=start + dt.timedelta(hours=1),
                identifiers=["name", "mrn"],
            )
            ChainMachine.given += 1

    @invariant()
    def nothing_given_unless_released_and_matching(self):
        for a in Administration.objects.filter(dose__order=self.order).select_related(
            "dose", "release"
        ):
            assert a.release.decision in ("released", "overridden") and a.release.day == a.dose.day
            assert a.given_mg == a.dose.planned_mg and a.nurse_id != a.checker_id
            assert a.release.decision == "released" or a.release.reason
        assert (
            DayRelease.objects.filter(order=self.order, decision__in=["released", "overridden"])
            .values("day")
            .distinct()
            .count()
            == DayRelease.objects.filter(
                order=self.order, decision__in=["released", "overridden"]
            ).count()
        )
        verified = self.order.__class__.objects.get(pk=self.order.pk)
        assert verified.verified_by_id is None or verified.verified_by_id not in (
            verified.signed_by_id,
            verified.ordered_by_id,
        )


def test_random_sequences_never_give_what_was_not_released(chain):
    ChainMachine.people = {
        "doctor": chain.doctor,
        "pharmacist": chain.pharmacist,
        "nurse": chain.nurse,
        "nurse2": chain.nurse2,
    }
    run_state_machine_as_test(
        ChainMachine,
        settings=settings(
            max_examples=10,
            stateful_step_count=30,
            deadline=None,
            derandomize=True,
            suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
        ),
    )
    assert ChainMachine.given > 0
