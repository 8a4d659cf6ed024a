"""Jobs: submitted (audited), claimed once, their work saved with their success, retried after a
fault, refused work reported, and lost workers' jobs queued again."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from oncocenter.accounts.tests.factories import UserFactory
from oncocenter.audit.models import AuditEvent
from oncocenter.core.errors import Conflict, NotPermitted
from oncocenter.jobs.models import Job, JobStatus
from oncocenter.jobs.registry import KINDS, JobKind, register
from oncocenter.jobs.services import job_execute, job_submit, jobs_recover
from oncocenter.patients.tests.factories import PatientFactory

pytestmark = pytest.mark.django_db

CALLS: list[str] = []


def _work(job: Job, progress: Any) -> dict[str, Any]:
    progress(1, 2, "half")
    CALLS.append(job.params["mode"])
    if job.params["mode"] == "refuse":
        raise Conflict("The slot is taken.", rule="slot_taken")
    if job.params["mode"] == "crash":
        # Saved inside the job's transaction: must vanish with the failure.
        UserFactory(username="half-done")
        raise RuntimeError("worker fault")
    UserFactory(username=f"made-by-{job.pk}")
    return {"summary": "done"}


@pytest.fixture(autouse=True)
def kind():
    CALLS.clear()
    register(JobKind("test.work", "Test work", _work, "schedule.book", max_attempts=2))
    yield
    KINDS.pop("test.work", None)


def test_submit_is_audited_queued_and_refused_without_the_permission():
    scheduler = UserFactory(roles=["scheduler"])
    patient = PatientFactory()
    job = job_submit(kind="test.work", by=scheduler, params={"mode": "ok"}, patient=patient)
    assert job.status == JobStatus.QUEUED and job.task_id
    assert DBTaskResult.objects.get(id=job.task_id).queue_name == "default"
    event = AuditEvent.objects.get(object_type="jobs.job", object_id=str(job.pk))
    assert event.patient_mrn == patient.mrn and event.detail["kind"] == "test.work"
    with pytest.raises(NotPermitted):
        job_submit(kind="test.work", by=UserFactory(roles=["nurse"]), params={"mode": "ok"})


def test_a_job_runs_once_and_its_work_is_saved_with_its_success():
    job = job_submit(kind="test.work", by=UserFactory(roles=["scheduler"]), params={"mode": "ok"})
    assert job_execute(job_id=job.pk) == JobStatus.SUCCEEDED
    job.refresh_from_db()
    assert job.result == {"summary": "done"} and job.attempts == 1 and job.finished_at
    assert job.progress_done == job.progress_total == 2
    # A second delivery of the same task (a recovered duplicate) does nothing.
    assert job_execute(job_id=job.pk) == JobStatus.SUCCEEDED
    assert CALLS == ["ok"]


def test_a_refusal_fails_the_job_with_the_rule_and_is_not_retried():
    job = job_submit(
        kind="test.work", by=UserFactory(roles=["scheduler"]), params={"mode": "refuse"}
    )
    assert job_execute(job_id=job.pk) == JobStatus.FAILED
    job.refresh_from_db()
    assert job.error == "The slot is taken." and job.error_rule == "slot_taken"
    assert CALLS == ["refuse"]


def test_a_fault_rolls_back_the_work_and_retries_until_attempts_are_used():
    from oncocenter.accounts.models import User

    job = job_submit(
        kind="test.work", by=UserFactory(roles=["scheduler"]), params={"mode": "crash"}
    )
    assert job_execute(job_id=job.pk) == JobStatus.QUEUED
    job.refresh_from_db()
    assert "worker fault" in job.error and job.attempts == 1
    assert not User.objects.filter(username="half-done").exists()
    assert job_execute(job_id=job.pk) == JobStatus.FAILED
    job.refresh_from_db()
    assert job.attempts == 2 and job.status == JobStatus.FAILED and job.finished_at
    assert DBTaskResult.objects.filter(args_kwargs__args=[job.pk]).count() == 2


def test_recover_requeues_only_stale_running_jobs_and_fails_exhausted_ones():
    user = UserFactory(roles=["scheduler"])
    stale, fresh, spent = (
        job_submit(kind="test.work", by=user, params={"mode": "ok"}) for _ in range(3)
    )
    long_ago = timezone.now() - dt.timedelta(minutes=5)
    Job.objects.filter(pk=stale.pk).update(status="running", heartbeat_at=long_ago, attempts=1)
    Job.objects.filter(pk=fresh.pk).update(status="running", heartbeat_at=timezone.now())
    Job.objects.filter(pk=spent.pk).update(status="running", heartbeat_at=long_ago, attempts=2)
    assert jobs_recover(stale_after=dt.timedelta(seconds=30)) == [stale.pk]
    assert Job.objects.get(pk=stale.pk).status == JobStatus.QUEUED
    assert Job.objects.get(pk=fresh.pk).status == JobStatus.RUNNING
    assert Job.objects.get(pk=spent.pk).status == JobStatus.FAILED
    assert job_execute(job_id=stale.pk) == JobStatus.SUCCEEDED
    assert CALLS == ["ok"]


def test_the_result_endpoint_answers_a_refusal_with_its_rule_and_a_crash_as_job_failed(api_as):
    api = api_as("scheduler")
    refused = job_submit(kind="test.work", by=api.user, params={"mode": "refuse"})
    crashed = job_submit(kind="test.work", by=api.user, params={"mode": "crash"})
    assert job_execute(job_id=refused.pk) == JobStatus.FAILED
    while job_execute(job_id=crashed.pk) == JobStatus.QUEUED:  # retried until its last attempt
        pass
    r = api.get(f"/api/jobs/{refused.pk}/result")
    assert r.status_code == 409 and r.json()["code"] == "slot_taken"
    assert "slot is taken" in r.json()["detail"]
    r = api.get(f"/api/jobs/{crashed.pk}/result")
    assert r.status_code == 409 and r.json()["code"] == "job_failed"
