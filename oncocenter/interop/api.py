"""The diagnosis as a FHIR Bundle (moved here from oncology in issue 20; the path is unchanged)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Router

from oncocenter.audit.models import AuditAction
from oncocenter.audit.services import audit_record
from oncocenter.core.access import permission
from oncocenter.core.errors import NotFound
from oncocenter.interop.fhir import resources as R
from oncocenter.interop.fhir import server

router = Router(tags=["oncology"])


@router.get("/diagnoses/{pk}/fhir")
@permission("oncology.view")
def interop_diagnosis_bundle(request: HttpRequest, pk: int) -> dict[str, Any]:
    """The diagnosis as an mCODE Condition with its patient and TNM Observations (a collection
    Bundle, every entry with its fullUrl on this server's /fhir/ base)."""
    source = server.SOURCES["Condition"][0]
    d = source.queryset().filter(pk=pk).first()
    if d is None:
        raise NotFound(_("No diagnosis %(id)s.") % {"id": pk})
    audit_record(action=AuditAction.EXPORT, obj=d, patient=d.patient, detail={"format": "fhir"})
    entries = [R.patient(d.patient, list(d.patient.identifiers.all())), source.build(d)]
    for s in d.stagings.all():
        entries += R.tnm_observations(s)
    base = request.build_absolute_uri("/fhir").rstrip("/")
    return {
        "resourceType": "Bundle",
        "type": "collection",
        "entry": [
            {"fullUrl": f"{base}/{r['resourceType']}/{r['id']}", "resource": r} for r in entries
        ],
    }
