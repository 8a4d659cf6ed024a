"""Start a job, run it (claim, work, finish in one transaction), retry it, recover it.

Exactly once: a job's work and its SUCCEEDED status commit together (`JobKind.atomic`), a job
is claimed by a conditional update (QUEUED -> RUNNING), and a recovered job goes back to
QUEUED only when its heartbeat stopped. A worker killed with SIGKILL mid-work leaves nothing of
the work (its transaction dies with its connection) and a RUNNING row whose heartbeat goes
stale; `jobs_recover` queues it again and the next worker does the work once.
"""

from __future__ import annotations

import datetime as dt
import logging
from typing import Any

from django.conf import settings
from django.db import models, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from oncocenter.accounts.models import User
from oncocenter.audit.context import AuditContext, bind_context, reset_context
from oncocenter.audit.models import AuditAction
from oncocenter.audit.services import audit_record
from oncocenter.core.errors import DomainError
from oncocenter.core.permissions import require
from oncocenter.jobs.models import Job, JobFile, JobFilePurpose, JobStatus
from oncocenter.jobs.progress import Progress
from oncocenter.jobs.registry import get_kind

log = logging.getLogger(__name__)


def _enqueue(job: Job) -> None:
    from oncocenter.jobs.tasks import run_job

    kind = get_kind(job.kind)
    result = run_job.using(queue_name=kind.queue).enqueue(job.pk)
    Job.objects.filter(pk=job.pk).update(task_id=str(result.id))
    job.task_id = str(result.id)


def job_submit(
    *,
    kind: str,
    by: User,
    params: dict[str, Any] | None = None,
    patient: Any = None,
    subject: models.Model | None = None,
    role: str = "",
    inputs: list[tuple[str, str, bytes]] | None = None,
) -> Job:
    """Queue a job of a registered kind for `by` (who needs the kind's permission).

    `inputs` are uploaded files (name, content type, bytes) the job reads with `job_input`; they
    are kept with the job (not in its parameters, which the audit trail records)."""
    spec = get_kind(kind)
    require(by, spec.permission)
    with transaction.atomic():
        job = Job.objects.create(
            kind=kind,
            params=params or {},
            created_by=by,
            role=role,
            patient=patient,
            subject_type=subject._meta.label_lower if subject is not None else "",
            subject_id=str(subject.pk) if subject is not None else "",
            max_attempts=spec.max_attempts,
        )
        audit_record(
            action=AuditAction.CREATE,
            obj=job,
            patient=patient,
            detail={
                "kind": kind,
                "params": job.params,
                "subject": job.subject_type,
                "inputs": [name for name, _ct, _data in inputs or []],
            },
        )
        for name, content_type, data in inputs or []:
            job_file_save(job=job, name=name, content_type=content_type, data=data, purpose="input")
        _enqueue(job)
    return job


def job_file_save(
    *, job: Job, name: str, content_type: str, data: bytes, purpose: str = JobFilePurpose.OUTPUT
) -> JobFile:
    """Keep a file with the job: an upload it reads, or what it made (call from the job's `run`,
    inside its transaction, so the file and the job's success commit together)."""
    return JobFile.objects.create(
        job=job,
        purpose=purpose,
        name=name[:200],
        content_type=content_type,
        size=len(data),
        data=data,
    )


def job_input(job: Job, name: str) -> bytes:
    """The bytes of the job's uploaded file `name`."""
    return bytes(
        JobFile.objects.values_list("data", flat=True).get(
            job=job, purpose=JobFilePurpose.INPUT, name=name
        )
    )


def _claim(job_id: int) -> bool:
    now = timezone.now()
    return bool(
        Job.objects.filter(pk=job_id, status=JobStatus.QUEUED).update(
            status=JobStatus.RUNNING,
            attempts=F("attempts") + 1,
            started_at=now,
            heartbeat_at=now,
            error="",
            error_rule="",
        )
    )


def _finish(job: Job, status: str, **fields: Any) -> None:
    Job.objects.filter(pk=job.pk).update(
        status=status, finished_at=timezone.now(), heartbeat_at=None, **fields
    )
    if status == JobStatus.SUCCEEDED:
        # The bar ends full: the steps of the last report, all done.
        Job.objects.filter(pk=job.pk, progress_total__gt=0).update(
            progress_done=F("progress_total")
        )


def job_mark_succeeded(job: Job, result: dict[str, Any]) -> None:
    """For kinds that are not `atomic`: call inside the transaction that saves the work, so the
    work and the job's success commit together (the job is then never run again)."""
    _finish(job, JobStatus.SUCCEEDED, result=result, progress_note="")


def job_execute(*, job_id: int) -> str:
    """Run one queued job (called by the queue task). Returns the job's final status."""
    if not _claim(job_id):
        # Already done, or another worker holds it: running it again could book twice.
        return Job.objects.filter(pk=job_id).values_list("status", flat=True).first() or "missing"
    job = Job.objects.select_related("created_by").get(pk=job_id)
    spec = get_kind(job.kind)
    progress = Progress(job.pk)
    token = bind_context(
        AuditContext(user=job.created_by, role=job.role, request_id=f"job-{job.pk}")
    )
    progress.start()
    try:
        if spec.atomic:
            with transaction.atomic():
                result = spec.run(job, progress)
                _finish(job, JobStatus.SUCCEEDED, result=result, progress_note="")
        else:
            result = spec.run(job, progress)
            # Usually marked already, inside the work's own transaction (job_mark_succeeded).
            Job.objects.filter(pk=job.pk, status=JobStatus.RUNNING).update(
                status=JobStatus.SUCCEEDED,
                finished_at=timezone.now(),
                heartbeat_at=None,
                result=result,
                progress_note="",
            )
        if progress.total:
            Job.objects.filter(pk=job.pk).update(
                progress_done=progress.total, progress_total=progress.total
            )
        return JobStatus.SUCCEEDED
    except DomainError as exc:
        # A refusal (an interlock, bad input) is the answer, not a fault: no retry.
        _finish(
            job,
            JobStatus.FAILED,
            error=str(exc.message),
            error_rule=getattr(exc, "rule", "") or exc.code,
            # Each problem by field (an import's "row 12.value"), as a form would show them.
            result={
                "problems": [
                    {"field": p.field, "message": str(p.message), "value": str(p.value or "")}
                    for p in exc.problems[:200]
                ]
            },
        )
        return JobStatus.FAILED
    except Exception as exc:
        log.exception("job %s (%s) failed", job.pk, job.kind)
        job.refresh_from_db(fields=["attempts", "max_attempts"])
        if job.attempts < job.max_attempts:
            Job.objects.filter(pk=job.pk).update(
                status=JobStatus.QUEUED, error=f"{type(exc).__name__}: {exc}"[:2000]
            )
            _enqueue(job)
            return JobStatus.QUEUED
        _finish(job, JobStatus.FAILED, error=f"{type(exc).__name__}: {exc}"[:2000])
        return JobStatus.FAILED
    finally:
        progress.stop()
        reset_context(token)


def jobs_recover(*, stale_after: dt.timedelta | None = None) -> list[int]:
    """Queue again the running jobs whose worker stopped beating (killed, machine lost).

    A job that used up its attempts fails with the reason. Returns the ids queued again.
    """
    from django_tasks_db.models import DBTaskResult

    stale_after = stale_after or dt.timedelta(seconds=settings.JOBS_STALE_SECONDS)
    cutoff = timezone.now() - stale_after
    requeued: list[int] = []
    stale = Job.objects.filter(status=JobStatus.RUNNING, heartbeat_at__lt=cutoff)
    for job in stale:
        with transaction.atomic():
            # Conditional: a worker that was only slow and beat meanwhile keeps its job.
            if job.attempts < job.max_attempts:
                taken = Job.objects.filter(
                    pk=job.pk, status=JobStatus.RUNNING, heartbeat_at__lt=cutoff
                ).update(status=JobStatus.QUEUED, error=_("The worker stopped; queued again."))
                if taken:
                    DBTaskResult.objects.filter(id=job.task_id, status="RUNNING").update(
                        status="FAILED", finished_at=timezone.now()
                    )
                    _enqueue(job)
                    requeued.append(job.pk)
            else:
                Job.objects.filter(
                    pk=job.pk, status=JobStatus.RUNNING, heartbeat_at__lt=cutoff
                ).update(
                    status=JobStatus.FAILED,
                    finished_at=timezone.now(),
                    error=_("The worker stopped and the job used up its attempts."),
                )
    if requeued:
        log.warning("jobs queued again after a lost worker: %s", requeued)
    return requeued
