"""Radiotherapy jobs. The treatment summary PDF: the page that asks for it goes to the job page,
which offers the file when it is made (fpdf2 lays out the whole course: 2-3 s on a busy machine).
DICOM imports (RT Plan; RT Structure Set and RT Dose for a plan): the upload is checked in the
request from the file's header (a wrong file is refused there, nothing queued), kept with the job,
and read, stored and turned into DVHs on the worker; the job page links to the result."""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from oncocenter.audit.models import AuditAction
from oncocenter.audit.services import audit_record
from oncocenter.jobs.models import Job
from oncocenter.jobs.progress import Progress
from oncocenter.jobs.registry import JobKind, register
from oncocenter.jobs.services import job_file_save, job_input
from oncocenter.radiotherapy.models import Course, Plan, Prescription

SUMMARY_PDF = "radiotherapy.summary_pdf"
RTPLAN_IMPORT = "radiotherapy.rtplan_import"
RTOBJECT_IMPORT = "radiotherapy.rtobject_import"


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


def _rtplan_import(job: Job, progress: Progress) -> dict[str, Any]:
    from oncocenter.radiotherapy.services import plan_import_dicom

    rx = Prescription.objects.select_related("course").get(pk=job.params["prescription"])
    progress(0, 1, _("Reading the RT Plan"))
    plan = plan_import_dicom(
        prescription=rx,
        by=job.created_by,
        content=job_input(job, job.params["file"]),
        fraction_group=job.params.get("fraction_group"),
    )
    return {
        "summary": _("RT Plan %(label)s imported.") % {"label": plan.label},
        "plan": plan.pk,
        "course": rx.course_id,
    }


def _rtobject_import(job: Job, progress: Progress) -> dict[str, Any]:
    from oncocenter.radiotherapy.services import plan_dicom_import

    plan = Plan.objects.select_related("prescription").get(pk=job.params["plan"])
    progress(0, 2, _("Reading the file"))
    obj, created = plan_dicom_import(
        plan=plan,
        by=job.created_by,
        content=job_input(job, job.params["file"]),
        file_name=job.params["file"],
    )
    progress(1, 2, _("Dose-volume histograms computed"))
    what = obj.get_kind_display()
    return {
        "summary": (
            _("%(what)s imported for plan %(plan)s.")
            if created
            else _("%(what)s was imported before for plan %(plan)s: nothing changed.")
        )
        % {"what": what, "plan": plan.label},
        "object": obj.pk,
        "created": created,
        "plan": plan.pk,
        "course": plan.prescription.course_id,
    }


def _course_page(job: Job) -> str | None:
    course = (job.result or {}).get("course")
    return reverse("radiotherapy:course", args=[course]) if course else None


def _dvh_page(job: Job) -> str | None:
    result = job.result or {}
    if not result.get("plan"):
        return None
    return reverse("radiotherapy:dvh", args=[result["course"], result["plan"]])


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
    # A refused file is the answer (no retry); a crash retries the whole file: the plan or the
    # object is saved with the job's success in one transaction, and a stored SOP Instance UID
    # is returned, not saved twice.
    register(
        JobKind(
            RTPLAN_IMPORT,
            gettext_lazy("Import a DICOM RT Plan"),
            _rtplan_import,
            "rt.plan.write",
            queue="default",
            result_url=_course_page,
        )
    )
    register(
        JobKind(
            RTOBJECT_IMPORT,
            gettext_lazy("Import a DICOM RT Structure Set or RT Dose"),
            _rtobject_import,
            "rt.plan.write",
            queue="default",
            result_url=_dvh_page,
        )
    )
