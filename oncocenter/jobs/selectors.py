"""Reads of jobs: who may see one, a person's latest jobs (keyset pages, no count)."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.utils.translation import gettext as _

from oncocenter.core.errors import NotFound, NotPermitted
from oncocenter.core.permissions import has_perm
from oncocenter.jobs.models import Job, JobFile, JobFilePurpose
from oncocenter.jobs.registry import KINDS

PAGE = 50


def job_visible(job: Job, user: Any) -> bool:
    """Its starter, an administrator, and whoever may start jobs of its kind (the scheduler
    sees the colleague's booking run)."""
    if job.created_by_id == user.pk or has_perm(user, "job.view_all"):
        return True
    kind = KINDS.get(job.kind)
    return kind is not None and has_perm(user, kind.permission)


def job_get(*, pk: int, user: Any) -> Job:
    job = Job.objects.select_related("created_by", "patient").filter(pk=pk).first()
    if job is None:
        raise NotFound(_("No such job: %(id)s.") % {"id": pk})
    if not job_visible(job, user):
        raise NotPermitted(_("This job was started by someone else."))
    return job


def jobs_of(*, user: Any, before: int | None = None) -> QuerySet[Job]:
    """The user's jobs, newest first, `PAGE` at a time from id `before` (index job_by_user)."""
    qs = Job.objects.filter(created_by=user).select_related("patient")
    if before is not None:
        qs = qs.filter(pk__lt=before)
    return qs.order_by("-pk")[:PAGE]


def job_outputs(job: Job) -> list[dict[str, Any]]:
    """The files the job made (names and sizes, not their content)."""
    return [
        {"name": f.name, "size": f.size, "content_type": f.content_type}
        for f in JobFile.objects.filter(job=job, purpose=JobFilePurpose.OUTPUT)
        .only("name", "size", "content_type")
        .order_by("name")
    ]


def job_output_get(*, pk: int, name: str, user: Any) -> tuple[Job, JobFile]:
    """A file the job made, for someone allowed to start jobs of its kind (seeing a job, as an
    administrator may, is not enough to take its patient data away)."""
    job = job_get(pk=pk, user=user)
    kind = KINDS.get(job.kind)
    if kind is None or not has_perm(user, kind.permission):
        raise NotPermitted(
            _("Downloading this job's files needs the permission '%(perm)s'.")
            % {"perm": kind.permission if kind else job.kind}
        )
    found = JobFile.objects.filter(job=job, purpose=JobFilePurpose.OUTPUT, name=name).first()
    if found is None:
        raise NotFound(_("Job %(id)s made no file named %(name)s.") % {"id": pk, "name": name})
    return job, found
