"""The job pages: one job (status, progress, result; polled by htmx while it runs) and my jobs."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from oncocenter.audit.models import AuditAction
from oncocenter.audit.services import audit_record
from oncocenter.core.views import permission_required
from oncocenter.jobs import selectors
from oncocenter.jobs.models import Job
from oncocenter.jobs.registry import KINDS


def _context(job: Job) -> dict[str, object]:
    kind = KINDS.get(job.kind)
    result_url = (
        kind.result_url(job) if kind and kind.result_url and job.status == "succeeded" else None
    )
    outputs = selectors.job_outputs(job) if job.status == "succeeded" else []
    return {
        "job": job,
        "label": kind.label if kind else job.kind,
        "result_url": result_url,
        "outputs": outputs,
    }


@permission_required("job.view")
def job_detail(request: HttpRequest, pk: int) -> HttpResponse:
    job = selectors.job_get(pk=pk, user=request.user)
    audit_record(action=AuditAction.READ, obj=job, patient=job.patient)
    return render(request, "jobs/job.html", _context(job))


@permission_required("job.view")
def job_status(request: HttpRequest, pk: int) -> HttpResponse:
    """The status block alone, polled every two seconds by the page while the job runs.

    Not audited per poll: the page that polls it was (the block shows no more than the page).
    """
    job = selectors.job_get(pk=pk, user=request.user)
    return render(request, "jobs/_partials/status.html", _context(job))


@permission_required("job.view")
def job_list(request: HttpRequest) -> HttpResponse:
    try:
        before = int(request.GET["before"]) if request.GET.get("before") else None
    except ValueError:
        before = None
    jobs = list(selectors.jobs_of(user=request.user, before=before))
    audit_record(
        action=AuditAction.SEARCH,
        object_type="jobs.job",
        detail={"mrns": sorted({j.patient.mrn for j in jobs if j.patient}), "before": before},
    )
    rows = [{"job": j, "label": KINDS[j.kind].label if j.kind in KINDS else j.kind} for j in jobs]
    older = jobs[-1].pk if len(jobs) == selectors.PAGE else None
    return render(request, "jobs/list.html", {"rows": rows, "older": older})


@permission_required("job.view")
def job_file(request: HttpRequest, pk: int, name: str) -> HttpResponse:
    """Download a file the job made (a PDF, an export): audited as an export of the patient's
    data, or of the dataset."""
    job, found = selectors.job_output_get(pk=pk, name=name, user=request.user)
    audit_record(
        action=AuditAction.EXPORT,
        obj=job,
        patient=job.patient,
        detail={"kind": job.kind, "file": found.name, "size": found.size},
    )
    response = HttpResponse(bytes(found.data), content_type=found.content_type)
    disposition = "inline" if found.content_type == "application/pdf" else "attachment"
    response["Content-Disposition"] = f'{disposition}; filename="{found.name}"'
    response["Cache-Control"] = "no-store"
    return response
