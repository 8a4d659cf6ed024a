"""JSON API of the aid associations (mounted at /api/support/, its address before the split of
the support app). Thin: check the permission, parse, call one service."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import Router, Status

from oncocenter.accounts.selectors import current_user
from oncocenter.aid import calc, selectors, services
from oncocenter.aid.models import AidApplication, AidOrganisation
from oncocenter.aid.schemas import (
    AidDocumentsIn,
    AidIn,
    AidOrganisationIn,
    AidOrganisationOut,
    AidOut,
    AidSummaryOut,
    AidTransitionIn,
)
from oncocenter.core.access import permission
from oncocenter.patients.selectors import patient_get
from oncocenter.pediatrics.lookups import child, row

router = Router(tags=["aid"])


@router.get("/aid/organisations", response=list[AidOrganisationOut])
@permission("aid.view")
def aid_organisations(request: HttpRequest) -> list[AidOrganisation]:
    return list(AidOrganisation.objects.all())


@router.post("/aid/organisations", response={201: AidOrganisationOut})
@permission("aid.manage")
def aid_organisation_create(request: HttpRequest, payload: AidOrganisationIn) -> Status:
    return Status(201, services.aid_organisation_create(by=current_user(request), **payload.dict()))


def _aid_out(a: AidApplication) -> dict[str, Any]:
    return {
        "id": a.pk,
        "organisation": a.organisation.name,
        "need": a.need,
        "amount_requested": a.amount_requested,
        "amount_granted": a.amount_granted,
        "decision_note": a.decision_note,
        "status": a.status,
        "documents": a.documents,
        "missing_documents": calc.missing_documents(a.documents),
    }


@router.get("/patients/{mrn}/aid", response=AidSummaryOut)
@permission("aid.view")
def aid_summary(request: HttpRequest, mrn: str) -> dict[str, Any]:
    """Support received by the family: totals, status counts and the applications."""
    patient = child(mrn, "aid")
    s = selectors.family_aid_summary(patient)
    return {
        "mrn": patient.mrn,
        "total_requested": s["total_requested"],
        "total_granted": s["total_granted"],
        "status_counts": s["status_counts"],
        "applications": [_aid_out(a) for a in s["applications"]],
    }


@router.post("/patients/{mrn}/aid", response={201: AidOut})
@permission("aid.edit")
def aid_create(request: HttpRequest, mrn: str, payload: AidIn) -> Status:
    data = payload.dict()
    a = services.aid_application_create(
        patient=patient_get(mrn=mrn, audit=False),
        by=current_user(request),
        organisation=row(AidOrganisation, data.pop("organisation_id")),
        **data,
    )
    return Status(201, _aid_out(a))


@router.put("/aid/{application_id}/documents", response=AidOut)
@permission("aid.edit")
def aid_documents(request: HttpRequest, application_id: int, payload: AidDocumentsIn) -> Any:
    return _aid_out(
        services.aid_application_set_documents(
            application=row(AidApplication, application_id),
            by=current_user(request),
            documents=payload.documents,
        )
    )


@router.post("/aid/{application_id}/transition", response=AidOut)
@permission("aid.edit")
def aid_transition(request: HttpRequest, application_id: int, payload: AidTransitionIn) -> Any:
    return _aid_out(
        services.aid_application_transition(
            application=row(AidApplication, application_id),
            by=current_user(request),
            **payload.dict(),
        )
    )
