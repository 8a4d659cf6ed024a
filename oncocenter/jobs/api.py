"""Jobs over the API: a job's status and progress, and its result once it is done.

An endpoint that queues a job (the laboratory import, booking, outage rebooking) answers 202
with `queued(job)`; the client polls `GET /api/jobs/{id}` and then reads
`GET /api/jobs/{id}/result`, which answers the way the work would have answered in the request:
200 with the result, or the refusal with its status, its rule and every problem by field (an
import's "row 12.value"). Reads are audited as on the job page.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.urls import reverse
from django.utils.translation import gettext as _
from ninja import Router

from oncocenter.accounts.selectors import current_user
from oncocenter.audit.models import AuditAction
from oncocenter.audit.services import audit_record
from oncocenter.core.access import permission
from oncocenter.core.errors import Conflict, FieldProblem, ValidationFailed
from oncocenter.jobs import selectors
from oncocenter.jobs.models import Job, JobStatus
from oncocenter.jobs.registry import KINDS
from oncocenter.jobs.schemas import JobOut

router = Router(tags=["jobs"])


def _urls(job: Job) -> dict[str, str]:
    return {
        "status_url": reverse("api:job_status", args=[job.pk]),
        "result_url": reverse("api:job_result", args=[job.pk]),
        "page_url": reverse("jobs:detail", args=[job.pk]),
    }


def queued(job: Job) -> dict[str, Any]:
    """The 202 answer of an endpoint that queued `job` (schema `JobQueuedOut`)."""
    return {"job_id": job.pk, "kind": job.kind, "status": job.status, **_urls(job)}


def _job(request: HttpRequest, job_id: int) -> Job:
    job = selectors.job_get(pk=job_id, user=current_user(request))
    audit_record(action=AuditAction.READ, obj=job, patient=job.patient)
    return job


@router.get("/{job_id}", response=JobOut, url_name="job_status")
@permission("job.view")
def job_status(request: HttpRequest, job_id: int) -> Any:
    job = _job(request, job_id)
    kind = KINDS.get(job.kind)
    return {
        "id": job.pk,
        "kind": job.kind,
        "label": str(kind.label) if kind else job.kind,
        "status": job.status,
        "progress_done": job.progress_done,
        "progress_total": job.progress_total,
        "progress_note": job.progress_note,
        "attempts": job.attempts,
        "created_at": job.created_at,
        "started_at": job.started_at,
        "finished_at": job.finished_at,
        "error": job.error,
        "error_rule": job.error_rule,
        "result": job.result or {},
        **_urls(job),
    }


@router.get("/{job_id}/result", response=dict[str, Any], url_name="job_result")
@permission("job.view")
def job_result(request: HttpRequest, job_id: int) -> Any:
    """200 with the result; 409 while the job is queued or running (poll the status); a job
    refused by its work answers that refusal (422 with the problems by field, or 409 with the
    refusal's rule as `code`, `job_failed` when the job crashed)."""
    job = _job(request, job_id)
    if job.status == JobStatus.SUCCEEDED:
        return job.result or {}
    if job.status != JobStatus.FAILED:
        raise Conflict(
            _("The job is %(status)s; its result is not ready.")
            % {"status": JobStatus(job.status).label},
            rule="job_not_finished",
        )
    problems = [
        FieldProblem(p.get("field", ""), p.get("message", ""), p.get("value") or None)
        for p in (job.result or {}).get("problems", [])
    ]
    if job.error_rule == "validation":
        raise ValidationFailed(problems, message=job.error or _("The job's input was refused."))
    # A refusal keeps its rule as the code the request would have answered ("no_feasible_slot");
    # a job that crashed until it used up its attempts has none.
    rule = job.error_rule if job.error_rule not in ("", "validation") else "job_failed"
    raise Conflict(job.error or _("The job failed."), rule=rule, problems=problems)
