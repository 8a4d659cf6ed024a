"""The in-process worker of the demo runs queued jobs while the process serves; the project's
`db_worker` command runs them too (and looks for lost jobs first)."""

from __future__ import annotations

import time

import pytest
from django.core.management import call_command

from oncocenter.accounts.tests.factories import UserFactory
from oncocenter.jobs.models import Job, JobStatus
from oncocenter.jobs.registry import KINDS, JobKind, register
from oncocenter.jobs.services import job_submit
from oncocenter.jobs.worker import start_in_process

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def kind():
    register(JobKind("test.worker", "Worker test", lambda job, p: {"n": 1}, "schedule.book"))
    yield
    KINDS.pop("test.worker", None)


def test_in_process_worker_runs_a_job():
    job = job_submit(kind="test.worker", by=UserFactory(roles=["scheduler"]))
    stop = start_in_process(interval=0.1)
    try:
        deadline = time.monotonic() + 30
        while Job.objects.get(pk=job.pk).status != JobStatus.SUCCEEDED:
            assert time.monotonic() < deadline, Job.objects.get(pk=job.pk).status
            time.sleep(0.1)
    finally:
        stop.set()
    assert Job.objects.get(pk=job.pk).result == {"n": 1}


def test_db_worker_command_runs_a_job():
    job = job_submit(kind="test.worker", by=UserFactory(roles=["scheduler"]))
    call_command("db_worker", batch=True, queue_name="*", no_startup_delay=True, verbosity=0)
    assert Job.objects.get(pk=job.pk).status == JobStatus.SUCCEEDED
