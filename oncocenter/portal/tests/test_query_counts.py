"""The portal's staff pages run the same number of queries with N and 10N rows (issue 18): the
nurse's symptom-alert worklist, the change-request worklist, the activation desk (a patient's
portal accounts), and the release pages for results and discharge summaries."""

from __future__ import annotations

import datetime as dt
import itertools

import pytest
from django.urls import reverse
from django.utils import timezone

from oncocenter.accounts.tests.factories import UserFactory
from oncocenter.clinics.models import Admission
from oncocenter.clinics.tests.factories import make_ward
from oncocenter.core.tests.query_counts import assert_flat
from oncocenter.labs.services import lab_result_record
from oncocenter.patients.models_record import Guardian
from oncocenter.patients.tests.factories import PatientFactory
from oncocenter.portal import services
from oncocenter.portal.models import ProSubmission, SymptomAlert
from oncocenter.portal.tests.factories import adult_with_account, child

pytestmark = pytest.mark.django_db
DOCTOR = "medical_oncologist"


def test_symptom_alert_worklist(client_as):
    portal = adult_with_account("qc1")
    nurse = client_as("nurse")

    def add(n: int) -> None:
        for i in range(n):
            patient = PatientFactory()
            submission = ProSubmission.objects.create(
                patient=patient,
                account=portal.account,
                instrument="pro-ctcae-core",
                answered_at=timezone.now(),
                answers={"mucositis.severity": 4},
            )
            SymptomAlert.objects.create(
                patient=patient,
                submission=submission,
                findings=[],
                summary="Mouth sores: very severe",
                assigned_to=nurse.user if i % 2 else None,
            )

    urls = [reverse("portal:staff_alerts"), reverse("portal:staff_alerts") + "?all=1", "/"]
    assert_flat(nurse, urls, add)


def test_change_request_worklist(client_as):
    portal = adult_with_account("qc2")
    keys = itertools.count()

    def add(n: int) -> None:
        for _ in range(n):
            services.change_request_create(
                account=portal.account,
                patient=portal.patient,
                appointment_key=f"clinic:{next(keys)}",
                appointment_label="Esophageal clinic",
                reason="Family event",
            )

    assert_flat(client_as("scheduler"), reverse("portal:staff_requests"), add)


def test_activation_desk(client_as):
    patient = child()
    staff = UserFactory(roles=["nurse"])

    def add(n: int) -> None:
        for _ in range(n):
            guardian = Guardian.objects.create(
                patient=patient,
                name_ko="김보호",
                relationship="mother",
                birth_date=dt.date(1988, 1, 2),
                is_legal_representative=True,
            )
            services.portal_account_create(by=staff, patient=patient, guardian=guardian)

    assert_flat(client_as("nurse"), reverse("portal:staff_access", args=[patient.pk]), add)


def test_result_release_page(client_as):
    patient = PatientFactory()
    doctor = client_as(DOCTOR)
    at = timezone.now() - dt.timedelta(hours=3)

    def add(n: int) -> None:
        ids = [
            lab_result_record(
                patient=patient,
                by=UserFactory(roles=["nurse"]),
                loinc="718-7",
                value="11.2",
                unit="g/dL",
                collected_at=at,
                resulted_at=at + dt.timedelta(hours=1),
            ).result.pk
            for _ in range(n)
        ]
        services.results_release(by=doctor.user, patient=patient, result_ids=ids[: n // 2])

    assert_flat(doctor, reverse("portal:staff_results", args=[patient.pk]), add)


def test_discharge_release_page(client_as):
    patient = PatientFactory()
    doctor = client_as(DOCTOR)
    bed = make_ward(beds=1).beds.get()
    days = itertools.count(2)

    def add(n: int) -> None:
        for i in range(n):
            start = timezone.now() - dt.timedelta(days=3 * next(days))
            stay = Admission.objects.create(
                patient=patient,
                bed=bed,
                status="discharged",
                admitted_at=start,
                discharged_at=start + dt.timedelta(days=2),
                reason="Febrile neutropenia",
            )
            if i % 2 == 0:
                services.discharge_summary_release(by=doctor.user, admission=stay)

    assert_flat(doctor, reverse("portal:staff_discharge", args=[patient.pk]), add)
