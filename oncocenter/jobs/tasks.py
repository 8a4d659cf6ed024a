"""The one queue task behind every job: it runs the job row's registered kind."""

from __future__ import annotations

from django_tasks import task


@task(queue_name="default")
def run_job(job_id: int) -> str:
    from oncocenter.jobs.services import job_execute

    return job_execute(job_id=job_id)
