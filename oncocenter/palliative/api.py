"""JSON API of pediatric palliative care (mounted at /api/support/, its address before the
split of the support app). Thin: check the permission, parse, call one service."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import Router, Status

from oncocenter.accounts.selectors import current_user
from oncocenter.core.access import permission
from oncocenter.palliative import services
from oncocenter.palliative.models import BereavementFollowUp, PalliativeReferral
from oncocenter.palliative.schemas import (
    BereavementDoneIn,
    BereavementIn,
    PalliativeIn,
    PalliativeOut,
    PalliativePatch,
)
from oncocenter.patients.selectors import patient_get
from oncocenter.pediatrics.lookups import child, row
from oncocenter.pediatrics.schemas import PediatricIdOut

router = Router(tags=["palliative"])


@router.get("/patients/{mrn}/palliative", response=list[PalliativeOut])
@permission("palliative.view")
def palliative_list(request: HttpRequest, mrn: str) -> list[PalliativeReferral]:
    return list(PalliativeReferral.objects.filter(patient=child(mrn, "palliative")))


@router.post("/patients/{mrn}/palliative", response={201: PalliativeOut})
@permission("palliative.refer")
def palliative_refer(request: HttpRequest, mrn: str, payload: PalliativeIn) -> Status:
    referral = services.palliative_refer(
        patient=patient_get(mrn=mrn, audit=False), by=current_user(request), **payload.dict()
    )
    return Status(201, referral)


@router.patch("/palliative/{referral_id}", response=PalliativeOut)
@permission("palliative.edit")
def palliative_update(
    request: HttpRequest, referral_id: int, payload: PalliativePatch
) -> PalliativeReferral:
    return services.palliative_update(
        referral=row(PalliativeReferral, referral_id),
        by=current_user(request),
        **payload.dict(exclude_unset=True),
    )


@router.post("/palliative/{referral_id}/bereavement", response={201: PediatricIdOut})
@permission("palliative.edit")
def palliative_bereavement(
    request: HttpRequest, referral_id: int, payload: BereavementIn
) -> Status:
    followup = services.bereavement_plan(
        referral=row(PalliativeReferral, referral_id), by=current_user(request), **payload.dict()
    )
    return Status(201, {"id": followup.pk})


@router.post("/palliative/bereavement/{followup_id}/done", response=PediatricIdOut)
@permission("palliative.edit")
def palliative_bereavement_done(
    request: HttpRequest, followup_id: int, payload: BereavementDoneIn
) -> dict[str, Any]:
    followup = services.bereavement_done(
        followup=row(BereavementFollowUp, followup_id), by=current_user(request), **payload.dict()
    )
    return {"id": followup.pk}
