"""Staff JSON API of the portal's symptom alerts (the nurse's worklist, acknowledge, close).
Portal accounts have no API token: the API is for staff only."""

from __future__ import annotations

from typing import Any, cast

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Router, Status

from oncocenter.accounts.models import User
from oncocenter.audit.models import AuditAction
from oncocenter.audit.services import audit_record
from oncocenter.clinics.models import Admission
from oncocenter.core.access import permission
from oncocenter.core.errors import NotFound
from oncocenter.patients.models import Patient
from oncocenter.portal import selectors, services
from oncocenter.portal.models import DocumentRelease, ResultRelease, SymptomAlert
from oncocenter.portal.schemas import (
    PortalDischargeReleaseIn,
    PortalDocumentReleaseOut,
    PortalResultReleaseIn,
    PortalResultReleaseOut,
    PortalSymptomAlertCloseIn,
    PortalSymptomAlertOut,
)

router = Router(tags=["portal"])


def _by(request: HttpRequest) -> User:
    return cast(User, request.user)


def _out(a: SymptomAlert) -> dict[str, Any]:
    return {
        "id": a.pk,
        "patient_mrn": a.patient.mrn,
        "created_at": a.created_at,
        "summary": a.summary,
        "findings": a.findings,
        "assigned_to": a.assigned_to.username if a.assigned_to else None,
        "status": a.status,
        "outcome": a.outcome,
    }


def _alert(alert_id: int) -> SymptomAlert:
    alert = (
        SymptomAlert.objects.select_related("patient", "assigned_to").filter(pk=alert_id).first()
    )
    if alert is None:
        raise NotFound(_("No alert %(id)s.") % {"id": alert_id})
    return alert


@router.get("/symptom-alerts", response=list[PortalSymptomAlertOut])
@permission("epro.view")
def alerts(request: HttpRequest, include_closed: bool = False):
    """The caller's worklist: alerts of their patients and the unassigned ones."""
    rows = selectors.alerts_for(_by(request), include_closed=include_closed)
    audit_record(
        action=AuditAction.READ,
        object_type="portal.symptom_alerts",
        detail={"api": True, "mrns": sorted({a.patient.mrn for a in rows})},
    )
    return [_out(a) for a in rows]


@router.post("/symptom-alerts/{alert_id}/acknowledge", response=PortalSymptomAlertOut)
@permission("epro.handle")
def acknowledge(request: HttpRequest, alert_id: int):
    alert = services.symptom_alert_acknowledge(by=_by(request), alert=_alert(alert_id))
    return _out(_alert(alert.pk))


@router.post("/symptom-alerts/{alert_id}/close", response=PortalSymptomAlertOut)
@permission("epro.handle")
def close(request: HttpRequest, alert_id: int, payload: PortalSymptomAlertCloseIn):
    alert = services.symptom_alert_close(
        by=_by(request), alert=_alert(alert_id), outcome=payload.outcome, note=payload.note
    )
    return _out(_alert(alert.pk))


# --- releases to the portal (physicians) -------------------------------------------------------


def _patient(patient_id: int) -> Patient:
    patient = Patient.objects.filter(pk=patient_id).first()
    if patient is None:
        raise NotFound(_("No patient %(id)s.") % {"id": patient_id})
    return patient


def _release_out(r: ResultRelease) -> dict[str, Any]:
    return {
        "result_id": r.result_id,
        "patient_mrn": r.patient.mrn,
        "released_by": r.released_by.username,
        "released_at": r.released_at,
        "note": r.note,
    }


def _document_out(r: DocumentRelease) -> dict[str, Any]:
    return {
        "id": r.pk,
        "kind": r.kind,
        "admission_id": r.admission_id,
        "patient_mrn": r.patient.mrn,
        "released_by": r.released_by.username,
        "released_at": r.released_at,
        "note": r.note,
    }


@router.get("/patients/{patient_id}/result-releases", response=list[PortalResultReleaseOut])
@permission("portal.release_results")
def result_releases(request: HttpRequest, patient_id: int):
    """The patient's laboratory results released to the portal, newest first."""
    patient = _patient(patient_id)
    rows = list(
        ResultRelease.objects.filter(patient=patient).select_related("patient", "released_by")[:500]
    )
    audit_record(
        action=AuditAction.READ,
        object_type="portal.result_release",
        patient=patient,
        detail={"api": True, "results": [r.result_id for r in rows]},
    )
    return [_release_out(r) for r in rows]


@router.post(
    "/patients/{patient_id}/result-releases",
    response={201: list[PortalResultReleaseOut]},
)
@permission("portal.release_results")
def result_release(request: HttpRequest, patient_id: int, payload: PortalResultReleaseIn):
    """Release results of the patient to the portal, all or none (409 if one is already out)."""
    patient = _patient(patient_id)
    services.results_release(
        by=_by(request), patient=patient, result_ids=payload.result_ids, note=payload.note
    )
    rows = ResultRelease.objects.filter(
        patient=patient, result_id__in=payload.result_ids
    ).select_related("patient", "released_by")
    return Status(201, [_release_out(r) for r in rows])


@router.get("/patients/{patient_id}/document-releases", response=list[PortalDocumentReleaseOut])
@permission("portal.release_results")
def document_releases(request: HttpRequest, patient_id: int):
    patient = _patient(patient_id)
    rows = list(
        DocumentRelease.objects.filter(patient=patient).select_related("patient", "released_by")
    )
    audit_record(
        action=AuditAction.READ,
        object_type="portal.document_release",
        patient=patient,
        detail={"api": True, "releases": [r.pk for r in rows]},
    )
    return [_document_out(r) for r in rows]


@router.post(
    "/admissions/{admission_id}/discharge-summary/release",
    response={201: PortalDocumentReleaseOut},
)
@permission("portal.release_results")
def discharge_release(request: HttpRequest, admission_id: int, payload: PortalDischargeReleaseIn):
    """Release the discharge summary of a finished stay to the portal (409: not discharged, or
    already released)."""
    admission = Admission.objects.filter(pk=admission_id).first()
    if admission is None:
        raise NotFound(_("No admission %(id)s.") % {"id": admission_id})
    release = services.discharge_summary_release(
        by=_by(request), admission=admission, note=payload.note
    )
    row = DocumentRelease.objects.select_related("patient", "released_by").get(pk=release.pk)
    return Status(201, _document_out(row))
