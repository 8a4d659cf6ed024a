"""DICOM RT imports as jobs, and a plan's stored RT objects and DVHs.

An upload is checked in the request from its header (a wrong file: 422 naming the DICOM
attribute, or 409 for an RT Plan that does not match its prescription) and then imported by a
job: the answer is 202 with the job, whose status `GET /imports/{job}` gives (and the job page in
the browser). An RT Structure Set or RT Dose imported before answers 200 with the stored object.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.urls import reverse
from django.utils.translation import gettext as _
from ninja import File, Form, Router, Status
from ninja.files import UploadedFile

from oncocenter.audit.models import AuditAction
from oncocenter.audit.services import audit_record
from oncocenter.core.access import permission
from oncocenter.core.errors import NotFound
from oncocenter.core.permissions import active_role
from oncocenter.jobs.models import Job
from oncocenter.radiotherapy import selectors
from oncocenter.radiotherapy import services as s
from oncocenter.radiotherapy.api._common import _get, _me
from oncocenter.radiotherapy.jobs import RTOBJECT_IMPORT, RTPLAN_IMPORT
from oncocenter.radiotherapy.models import Plan, PlanDicomObject, Prescription
from oncocenter.radiotherapy.schemas import RtDicomObjectOut, RtDvhOut, RtImportJobOut

router = Router(tags=["radiotherapy"])


def job_out(job: Job) -> dict[str, Any]:
    return {
        "job": job.pk,
        "kind": job.kind,
        "status": job.status,
        "progress_done": job.progress_done,
        "progress_total": job.progress_total,
        "status_url": reverse("api:rt_import_status", args=[job.pk]),
        "page": reverse("jobs:detail", args=[job.pk]),
        "result": job.result,
        "error": job.error,
        "error_rule": job.error_rule,
    }


def dicom_out(o: PlanDicomObject) -> dict[str, Any]:
    return {
        "id": o.pk,
        "plan": o.plan_id,
        "kind": o.kind,
        "sop_instance_uid": o.sop_instance_uid,
        "sop_class_uid": o.sop_class_uid,
        "patient_id": o.patient_id,
        "frame_of_reference_uid": o.frame_of_reference_uid,
        "referenced_plan_uid": o.referenced_plan_uid,
        "label": o.label,
        "max_dose_gy": o.max_dose_gy,
        "file_name": o.file_name,
        "size": o.size,
        "sha256": o.sha256,
        "summary": o.summary,
        "imported_at": o.created_at,
    }


@router.post("/prescriptions/{rx_id}/plans/import", response={202: RtImportJobOut})
@permission("rt.plan.write")
def plan_import(
    request: HttpRequest,
    rx_id: int,
    file: File[UploadedFile],
    fraction_group: Form[int | None] = None,
):
    """Import a DICOM RT Plan file as a job; refused now (409, every mismatch listed) unless it
    matches the prescription."""
    job = s.rtplan_import_submit(
        prescription=_get(Prescription, rx_id, "prescription"),
        by=_me(request),
        content=file.read(s.MAX_DICOM_BYTES + 1),
        file_name=file.name,
        fraction_group=fraction_group,
        role=active_role(request),
    )
    return Status(202, job_out(job))


@router.post("/plans/{plan_id}/dicom", response={200: RtDicomObjectOut, 202: RtImportJobOut})
@permission("rt.plan.write")
def plan_dicom_import(request: HttpRequest, plan_id: int, file: File[UploadedFile]):
    """Import an RT Structure Set or RT Dose for the plan as a job (202); the same object
    imported before answers 200 with the stored object."""
    plan = _get(Plan, plan_id, "plan")
    job, existing = s.rtobject_import_submit(
        plan=plan,
        by=_me(request),
        content=file.read(s.MAX_DICOM_BYTES + 1),
        file_name=file.name,
        role=active_role(request),
    )
    if existing is not None:
        audit_record(
            action=AuditAction.READ,
            obj=existing,
            patient=plan.prescription.course.patient,
            detail={"reimport": True},
        )
        return Status(200, dicom_out(existing))
    assert job is not None
    return Status(202, job_out(job))


@router.get("/imports/{job_id}", response=RtImportJobOut, url_name="rt_import_status")
@permission("rt.view")
def import_status(request: HttpRequest, job_id: int):
    """Status, progress and result (or the refusal with its problems) of a DICOM import job."""
    job = (
        Job.objects.select_related("patient")
        .filter(pk=job_id, kind__in=[RTPLAN_IMPORT, RTOBJECT_IMPORT])
        .first()
    )
    if job is None:
        raise NotFound(_("No DICOM import job %(id)s.") % {"id": job_id})
    audit_record(action=AuditAction.READ, obj=job, patient=job.patient)
    return job_out(job)


@router.get("/plans/{plan_id}/dicom", response=list[RtDicomObjectOut])
@permission("rt.view")
def plan_dicom_list(request: HttpRequest, plan_id: int):
    """The RT Structure Sets and RT Doses stored with the plan (newest first)."""
    plan = _get(Plan, plan_id, "plan")
    objects = list(plan.dicom_objects.defer("data").order_by("-pk"))
    audit_record(
        action=AuditAction.READ,
        obj=plan,
        patient=plan.prescription.course.patient,
        detail={"dicom_objects": len(objects)},
    )
    return [dicom_out(o) for o in objects]


@router.get("/plans/{plan_id}/dvh", response=RtDvhOut)
@permission("rt.view")
def plan_dvh(request: HttpRequest, plan_id: int):
    """The plan's DVHs (newest dose, its structure set): per structure the figures, the curve
    and the organ constraints evaluated on it."""
    plan = _get(Plan, plan_id, "plan")
    report = selectors.plan_dvh_report(plan=plan)
    dose = report["dose"]
    audit_record(
        action=AuditAction.READ,
        obj=plan,
        patient=plan.prescription.course.patient,
        detail={"view": "dvh", "dose": dose.pk if dose else None},
    )
    return {
        "plan": plan.pk,
        "dose": dose.sop_instance_uid if dose else None,
        "structure_set": (
            report["structure_set"].sop_instance_uid if report["structure_set"] else None
        ),
        "refused": report["refused"],
        "structures": [
            {
                "number": r["number"],
                "name": r["name"],
                "kind": r["kind"],
                "organ": r["organ"],
                "volume_cc": r["volume_cc"],
                "figures": {label: value for label, value in r["figures"]},
                "constraints": [
                    {
                        "metric": ch["constraint"].metric,
                        "comparator": ch["constraint"].comparator,
                        "limit": ch["constraint"].limit,
                        "unit": ch["constraint"].unit,
                        "value": ch["value"],
                        "passed": ch["passed"],
                    }
                    for ch in r["checks"]
                ],
                "violated": r["violated"],
                "dose_gy": r["dvh"]["bins_gy"],
                "volume_pct": r["dvh"]["volume_pct"],
            }
            for r in report["rows"]
        ],
    }
