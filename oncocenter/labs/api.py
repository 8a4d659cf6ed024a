"""JSON API of laboratory medicine (mounted at /api/labs/). Thin: check the permission, parse,
call one service. ``POST /patients/{mrn}/results`` is the coded-result door the HL7/FHIR feed
uses too (idempotent on the accession)."""

from __future__ import annotations

from typing import Any

from django.http import Http404, HttpRequest
from django.utils.translation import gettext as _
from ninja import File, Router, Status, UploadedFile

from oncocenter.accounts.selectors import current_user
from oncocenter.audit.services import audit_record
from oncocenter.core.access import permission
from oncocenter.core.errors import ValidationFailed
from oncocenter.core.permissions import active_role
from oncocenter.jobs.schemas import JobQueuedOut
from oncocenter.labs import schemas as s
from oncocenter.labs import selectors, services
from oncocenter.labs.models import LabOrder, LabResult, Transfusion
from oncocenter.labs.witness import second_person
from oncocenter.patients.models import Center
from oncocenter.patients.selectors import patient_get

router = Router(tags=["labs"])


def _result_out(r: LabResult, created: bool = True) -> dict[str, Any]:
    return {
        "id": r.pk,
        "mrn": r.patient.mrn,
        "loinc": r.analyte.loinc,
        "analyte": r.analyte.code,
        "value": r.value,
        "text_value": r.text_value,
        "unit": r.analyte.unit,
        "ref_low": r.ref_low,
        "ref_high": r.ref_high,
        "flag": r.flag,
        "critical": r.critical,
        "acknowledged": hasattr(r, "acknowledgement"),
        "collected_at": r.collected_at,
        "resulted_at": r.resulted_at,
        "accession": r.accession,
        "source": r.source,
        "status": r.status,
        "created": created,
    }


@router.get("/patients/{mrn}/results", response=list[s.LabResultOut])
@permission("lab.view")
def lab_results(request: HttpRequest, mrn: str, loinc: str = "") -> list[dict[str, Any]]:
    patient = patient_get(mrn=mrn, audit=False)
    qs = selectors.live_results(patient).select_related("patient")
    if loinc:
        qs = qs.filter(analyte__loinc=loinc)
    rows = list(qs[:500])
    audit_record(
        action="read",
        patient=patient,
        object_type="labs.results",
        object_id=mrn,
        detail={"count": len(rows)},
    )
    return [_result_out(r) for r in rows]


@router.post("/patients/{mrn}/results", response={200: s.LabResultOut, 201: s.LabResultOut})
@permission("lab.result")
def lab_result_create(request: HttpRequest, mrn: str, payload: s.LabResultIn) -> Status:
    patient = patient_get(mrn=mrn, audit=False)
    data = payload.dict()
    order_id = data.pop("order_id")
    order = None
    if order_id is not None:
        order = LabOrder.objects.filter(pk=order_id).first()
        if order is None:
            raise ValidationFailed.single("order_id", _("no such lab order"), order_id)
    outcome = services.lab_result_record(
        patient=patient, by=current_user(request), order=order, **data
    )
    return Status(201 if outcome.created else 200, _result_out(outcome.result, outcome.created))


@router.post("/patients/{mrn}/orders", response={201: s.LabOrderOut})
@permission("lab.order")
def lab_order_create(request: HttpRequest, mrn: str, payload: s.LabOrderIn) -> Status:
    patient = patient_get(mrn=mrn, audit=False)
    center = Center.objects.filter(code=payload.center).first() if payload.center else None
    if payload.center and center is None:
        raise ValidationFailed.single("center", _("unknown center"), payload.center)
    order = services.lab_order_create(
        patient=patient,
        by=current_user(request),
        analyte_codes=payload.analyte_codes,
        center=center,
        note=payload.note,
    )
    return Status(
        201,
        {
            "id": order.pk,
            "mrn": mrn,
            "status": order.status,
            "tests": sorted(order.analytes.values_list("code", flat=True)),
        },
    )


@router.post("/results/{result_id}/acknowledge", response={201: s.LabAcknowledgeOut})
@permission("lab.critical.ack")
def lab_acknowledge(request: HttpRequest, result_id: int, payload: s.LabAcknowledgeIn) -> Status:
    ack = services.lab_critical_acknowledge(
        result=selectors.result_get(result_id), by=current_user(request), **payload.dict()
    )
    return Status(201, {"result_id": result_id, "by": ack.by.username, "at": ack.at})


@router.get("/critical", response=list[s.LabResultOut])
@permission("lab.view")
def lab_critical(
    request: HttpRequest, center: str = "", mine: bool = False
) -> list[dict[str, Any]]:
    rows = list(
        selectors.critical_unacknowledged(
            user=current_user(request) if mine else None, center_code=center
        )[:500]
    )
    audit_record(
        action="search",
        object_type="labs.critical",
        detail={"mrns": sorted({r.patient.mrn for r in rows})},
    )
    return [_result_out(r) for r in rows]


@router.post("/import", response={202: JobQueuedOut})
@permission("lab.import")
def lab_import(request: HttpRequest, file: File[UploadedFile]) -> Status:
    """Queue the import of a laboratory CSV (multipart field `file`) as a job, like the upload
    page: the file's size, text and header are checked now (422 naming `file`), its rows by the
    job (all rows or none). Answers 202 with the job's status URL; the result URL then answers
    the counts, or 422 naming every refused row's field."""
    from oncocenter.jobs.api import queued
    from oncocenter.labs.jobs import lab_import_submit

    # Refused before it is read into memory.
    services.lab_import_size_check(name=file.name or "", size=file.size or 0)
    job = lab_import_submit(
        by=current_user(request), role=active_role(request), name=file.name or "", data=file.read()
    )
    return Status(202, queued(job))


def _tx_out(t: Transfusion) -> dict[str, Any]:
    return {
        "id": t.pk,
        "product": t.product,
        "irradiated": t.irradiated,
        "leukoreduced": t.leukoreduced,
        "units": t.units,
        "status": t.status,
        "trigger_value": t.trigger_value,
        "trigger_threshold": t.trigger_threshold,
        "reaction_grade": t.reaction_grade,
    }


@router.post("/patients/{mrn}/transfusions", response={201: s.LabTransfusionOut})
@permission("transfusion.order")
def lab_transfusion_order(request: HttpRequest, mrn: str, payload: s.LabTransfusionIn) -> Status:
    t = services.transfusion_order(
        patient=patient_get(mrn=mrn, audit=False), by=current_user(request), **payload.dict()
    )
    return Status(201, _tx_out(t))


@router.post("/transfusions/{transfusion_id}/given", response=s.LabTransfusionOut)
@permission("transfusion.give")
def lab_transfusion_given(
    request: HttpRequest, transfusion_id: int, payload: s.LabTransfusionGivenIn
) -> Any:
    t = Transfusion.objects.filter(pk=transfusion_id).first()
    if t is None:
        raise Http404
    me = current_user(request)
    witness = second_person(
        username=payload.witness_username,
        password=payload.witness_password,
        permission="transfusion.give",
        first=me,
    )
    return _tx_out(
        services.transfusion_record_given(
            transfusion=t,
            by=me,
            checked_by=witness,
            reaction=payload.reaction,
            reaction_grade=payload.reaction_grade,
        )
    )
