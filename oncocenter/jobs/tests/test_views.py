"""The job pages: allow and deny per role, polling while running, the result link, my jobs."""

from __future__ import annotations

import pytest
from django.urls import reverse

from oncocenter.accounts.tests.factories import UserFactory
from oncocenter.audit.models import AuditEvent
from oncocenter.jobs.models import Job
from oncocenter.jobs.registry import KINDS, JobKind, register
from oncocenter.jobs.services import job_execute, job_submit
from oncocenter.patients.tests.factories import PatientFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def kind():
    register(
        JobKind(
            "test.page",
            "Test page work",
            lambda job, progress: {"summary": "All booked.", "lines": ["one", "two"]},
            "schedule.book",
            result_url=lambda job: "/scheduling/board/",
        )
    )
    yield
    KINDS.pop("test.page", None)


@pytest.fixture
def job() -> Job:
    return job_submit(
        kind="test.page", by=UserFactory(roles=["scheduler"]), patient=PatientFactory()
    )


def test_starter_sees_progress_then_result(client_as, job):
    client = client_as(user=job.created_by)
    url = reverse("jobs:detail", kwargs={"pk": job.pk})
    page = client.get(url).content.decode()
    assert 'data-status="queued"' in page and "every 2s" in page and "<progress" in page
    assert AuditEvent.objects.filter(action="read", object_id=str(job.pk)).exists()
    job_execute(job_id=job.pk)
    block = client.get(reverse("jobs:status", kwargs={"pk": job.pk})).content.decode()
    assert 'data-status="succeeded"' in block and "every 2s" not in block
    assert "All booked." in block and "<li>two</li>" in block and "/scheduling/board/" in block
    mine = client.get(reverse("jobs:list")).content.decode()
    assert f"/jobs/{job.pk}/" in mine and "Test page work" in mine


@pytest.mark.parametrize("role", ["scheduler", "administrator"])
def test_colleagues_who_may_start_the_kind_and_administrators_see_it(client_as, job, role):
    url = reverse("jobs:detail", kwargs={"pk": job.pk})
    assert client_as(role).get(url).status_code == 200


@pytest.mark.parametrize("role", ["nurse", "social_worker"])
def test_others_are_refused(client_as, job, role):
    client = client_as(role)
    assert client.get(reverse("jobs:detail", kwargs={"pk": job.pk})).status_code == 403
    assert client.get(reverse("jobs:status", kwargs={"pk": job.pk})).status_code == 403
    assert f"/jobs/{job.pk}/" not in client.get(reverse("jobs:list")).content.decode()


def test_anonymous_goes_to_sign_in_and_unknown_job_is_404(client, client_as, job):
    assert client.get(reverse("jobs:detail", kwargs={"pk": job.pk})).status_code == 302
    assert (
        client_as("scheduler").get(reverse("jobs:detail", kwargs={"pk": 999999})).status_code == 404
    )
