"""A laboratory CSV import as a job: the upload is kept with the job, the import runs on the
worker (all rows or none, as before) and the job page shows its progress, then the counts or
every refused row."""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from oncocenter.accounts.models import User
from oncocenter.jobs.models import Job
from oncocenter.jobs.progress import Progress
from oncocenter.jobs.registry import JobKind, register
from oncocenter.jobs.services import job_input, job_submit
from oncocenter.labs import services

LAB_IMPORT = "labs.import_csv"


def _import(job: Job, progress: Progress) -> dict[str, Any]:
    content = job_input(job, job.params["file"]).decode("utf-8", errors="replace")
    report = services.lab_results_import_csv(by=job.created_by, content=content, progress=progress)
    return {
        "summary": _("%(r)d rows: %(c)d new, %(u)d already there, %(k)d critical.")
        % {"r": report.rows, "c": report.created, "u": report.unchanged, "k": report.critical},
        "rows": report.rows,
        "created": report.created,
        "unchanged": report.unchanged,
        "critical": report.critical,
    }


def lab_import_submit(*, by: User, role: str, name: str, data: bytes) -> Job:
    """Queue the import of an uploaded laboratory file (the upload page and the API): the file is
    checked first (size, text, header; field "file"), then kept with the job."""
    services.lab_import_file_check(name=name, data=data)
    name = (name or "labs.csv").rsplit("/", 1)[-1][:120] or "labs.csv"
    return job_submit(
        kind=LAB_IMPORT,
        by=by,
        role=role,
        params={"file": name},
        inputs=[(name, "text/csv", data)],
    )


def register_kinds() -> None:
    register(
        JobKind(
            LAB_IMPORT,
            gettext_lazy("Import laboratory results"),
            _import,
            "lab.import",
            queue="default",
            # A refused file is the answer (no retry); a crash retries the whole file, which
            # imports nothing twice (accessions already there are counted as unchanged).
            result_url=lambda job: reverse("labs:import"),
        )
    )
