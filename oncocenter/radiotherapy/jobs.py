"""The treatment summary PDF as a job: the page that asks for it goes to the job page, which
offers the file when it is made (fpdf2 lays out the whole course: 2-3 s on a busy machine)."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from oncocenter.audit.models import AuditAction
from oncocenter.audit.services import audit_record
from oncocenter.jobs.models import Job
from oncocenter.jobs.progress import Progress
from oncocenter.jobs.registry import JobKind, register
from oncocenter.jobs.services import job_file_save
from oncocenter.radiotherapy.models import Course

SUMMARY_PDF = "radiotherapy.summary_pdf"


def _summary_pdf(job: Job, progress: Progress) -> dict[str, Any]:
    from oncocenter.radiotherapy.pdf import summary_context, treatment_summary_pdf

    course = Course.objects.select_related("patient").get(pk=job.params["course"])
    progress(0, 2, _("Collecting the course"))
    context = summary_context(course)
    progress(1, 2, _("Laying out the PDF"))
    data = treatment_summary_pdf(context)
    name = f"rt-summary-{course.patient.mrn}-{course.number}.pdf"
    job_file_save(job=job, name=name, content_type="application/pdf", data=data)
    audit_record(
        action=AuditAction.EXPORT,
        obj=course,
        patient=course.patient,
        detail={"format": "pdf", "job": job.pk},
    )
    progress(2, 2, _("Saved"))
    return {"summary": _("Treatment summary of course %(n)s.") % {"n": course.number}}


def register_kinds() -> None:
    register(
        JobKind(
            SUMMARY_PDF,
            gettext_lazy("Treatment summary PDF"),
            _summary_pdf,
            "rt.summary.print",
            queue="default",
        )
    )
