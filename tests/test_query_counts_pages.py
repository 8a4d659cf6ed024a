"""Lists and worklists of the other apps run the same number of queries with N and 10N rows
(issue 18): the labs critical values, follow-up overdue items, referrals, my jobs, the audit
page and the exports page. The RT, home, systemic, surgery, portal, clinics, nutrition, tumor-board,
trials and audit pages have their own tests (`<app>/tests/test_query_counts.py`)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from oncocenter.accounts.tests.factories import UserFactory
from oncocenter.audit.services import audit_record
from oncocenter.core.tests.query_counts import assert_flat
from oncocenter.followup import services as followup
from oncocenter.followup.models import ProtocolTemplate
from oncocenter.jobs.registry import KINDS, JobKind, register
from oncocenter.jobs.services import job_execute, job_submit
from oncocenter.labs import services as labs
from oncocenter.patients.tests.factories import PatientFactory

pytestmark = pytest.mark.django_db


def test_critical_lab_values_worklist(client_as):
    nurse = UserFactory(roles=["nurse"])
    at = timezone.now() - dt.timedelta(hours=2)

    def add(n: int) -> None:
        for _ in range(n):
            labs.lab_result_record(
                patient=PatientFactory(),
                by=nurse,
                loinc="777-3",
                value="12",
                unit="10*9/L",
                collected_at=at,
            )

    assert_flat(client_as("medical_oncologist"), reverse("labs:critical"), add)


def test_followup_overdue_worklist(client_as):
    template = ProtocolTemplate.objects.get(code="after-radiotherapy")
    by = UserFactory()

    def add(n: int) -> None:
        for _ in range(n):
            followup.followup_plan_generate(
                by=by,
                patient=PatientFactory(),
                template=template,
                treatment_end=timezone.localdate() - dt.timedelta(days=200),
            )

    assert_flat(client_as("radiation_oncologist"), reverse("followup:overdue"), add)


def test_my_jobs(client_as):
    register(JobKind("test.count", "Count", lambda job, progress: {}, "schedule.book"))
    client = client_as("scheduler")
    try:

        def add(n: int) -> None:
            for _ in range(n):
                job = job_submit(kind="test.count", by=client.user, patient=PatientFactory())
                job_execute(job_id=job.pk)

        assert_flat(client, reverse("jobs:list"), add)
    finally:
        KINDS.pop("test.count", None)


def test_audit_page(client_as):
    def add(n: int) -> None:
        for _ in range(n):
            audit_record(action="read", obj=PatientFactory(), actor_username="someone")

    client = client_as("administrator")
    assert_flat(client, reverse("audit:events"), add, n=30)
    assert_flat(client, reverse("audit:events") + "?action=read", add, n=30)


def test_exports_page(client_as, settings, tmp_path):
    settings.DATA_DIR = tmp_path
    client = client_as("research_coordinator")

    def add(n: int) -> None:
        for _ in range(n):
            client.post(reverse("exports:registry"), {"year": 2025})

    assert_flat(client, reverse("exports:index"), add)


def test_referrals_worklist(client_as):
    from oncocenter.referrals.services import referral_create

    by = UserFactory()

    def add(n: int) -> None:
        for _ in range(n):
            referral_create(
                by=by,
                patient=PatientFactory(),
                from_department="pediatric_oncology",
                to_department="social_work",
                reason="Family lodging",
            )

    assert_flat(client_as("social_worker"), reverse("referrals:worklist"), add)
