"""The exports page: a de-identified research dataset and the cancer registry abstract, each
queued as a job; the browser goes to the job page, which offers the zip when it is made."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from oncocenter.accounts.selectors import current_user
from oncocenter.core.permissions import active_role, has_perm
from oncocenter.core.views import permission_required
from oncocenter.interop.exports import jobs
from oncocenter.interop.exports.forms import RegistryExportForm, ResearchExportForm
from oncocenter.jobs.services import job_submit


def _page(
    request: HttpRequest,
    research: ResearchExportForm | None = None,
    registry: RegistryExportForm | None = None,
    status: int = 200,
) -> HttpResponse:
    return render(
        request,
        "interop/exports.html",
        {
            "research_form": research or ResearchExportForm(),
            "registry_form": registry or RegistryExportForm(),
            "can_research": has_perm(request.user, "research.export"),
            "can_registry": has_perm(request.user, "registry.export"),
        },
        status=status,
    )


@permission_required("research.export")
def exports(request: HttpRequest) -> HttpResponse:
    return _page(request)


@require_http_methods(["POST"])
@permission_required("research.export")
def research_export(request: HttpRequest) -> HttpResponse:
    form = ResearchExportForm(request.POST)
    if not form.is_valid():
        return _page(request, research=form, status=422)
    data = form.cleaned_data
    job = job_submit(
        kind=jobs.RESEARCH_EXPORT,
        by=current_user(request),
        role=active_role(request),
        params={
            "icd10_prefix": data["icd10_prefix"] or "",
            "diagnosed_from": data["diagnosed_from"].isoformat() if data["diagnosed_from"] else "",
            "diagnosed_to": data["diagnosed_to"].isoformat() if data["diagnosed_to"] else "",
            "treated_with": data["treated_with"] or "",
        },
    )
    return redirect("jobs:detail", pk=job.pk)


@require_http_methods(["POST"])
@permission_required("registry.export")
def registry_export(request: HttpRequest) -> HttpResponse:
    form = RegistryExportForm(request.POST)
    if not form.is_valid():
        return _page(request, registry=form, status=422)
    job = job_submit(
        kind=jobs.REGISTRY_EXPORT,
        by=current_user(request),
        role=active_role(request),
        params={"year": form.cleaned_data["year"]},
    )
    return redirect("jobs:detail", pk=job.pk)
