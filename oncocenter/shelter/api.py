"""JSON API of the family shelter (mounted at /api/support/, its address before the split of
the support app). Thin: check the permission, parse, call one service."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils import timezone
from ninja import Router, Status

from oncocenter.accounts.selectors import current_user
from oncocenter.audit.services import audit_record
from oncocenter.core.access import permission
from oncocenter.patients.selectors import patient_get
from oncocenter.pediatrics.lookups import row
from oncocenter.pediatrics.schemas import PediatricIdOut
from oncocenter.shelter import selectors, services
from oncocenter.shelter.models import ShelterHouse, ShelterRoom, ShelterStay, ShelterWaitlistEntry
from oncocenter.shelter.schemas import (
    ShelterCheckOutIn,
    ShelterHouseIn,
    ShelterRoomIn,
    ShelterRoomOut,
    ShelterStayIn,
    ShelterStayOut,
    ShelterWaitlistIn,
    ShelterWaitlistOut,
)

router = Router(tags=["shelter"])


@router.post("/shelter/houses", response={201: PediatricIdOut})
@permission("shelter.manage")
def shelter_house_create(request: HttpRequest, payload: ShelterHouseIn) -> Status:
    house = services.shelter_house_create(by=current_user(request), **payload.dict())
    return Status(201, {"id": house.pk})


@router.post("/shelter/houses/{house_id}/rooms", response={201: PediatricIdOut})
@permission("shelter.manage")
def shelter_room_create(request: HttpRequest, house_id: int, payload: ShelterRoomIn) -> Status:
    room = services.shelter_room_create(
        house=row(ShelterHouse, house_id), by=current_user(request), **payload.dict()
    )
    return Status(201, {"id": room.pk})


@router.get("/shelter/rooms", response=list[ShelterRoomOut])
@permission("shelter.view")
def shelter_rooms(request: HttpRequest) -> list[dict[str, Any]]:
    """Rooms with tonight's stay (if any)."""
    return [
        {
            "id": r["room"].pk,
            "house": r["room"].house.name,
            "number": r["room"].number,
            "capacity": r["room"].capacity,
            "occupied_by_stay_id": r["stay"].pk if r["stay"] else None,
        }
        for r in selectors.room_occupancy(timezone.localdate())
    ]


@router.post("/shelter/stays", response={201: ShelterStayOut})
@permission("shelter.edit")
def shelter_check_in(request: HttpRequest, payload: ShelterStayIn) -> Status:
    room = row(ShelterRoom, payload.room_id)
    patient = patient_get(mrn=payload.mrn, audit=False)
    entry = (
        row(ShelterWaitlistEntry, payload.waitlist_entry_id) if payload.waitlist_entry_id else None
    )
    stay = services.shelter_check_in(
        room=room,
        patient=patient,
        by=current_user(request),
        guests=payload.guests,
        check_in=payload.check_in,
        check_out=payload.check_out,
        waitlist_entry=entry,
    )
    return Status(201, stay)


@router.post("/shelter/stays/{stay_id}/check-out", response=ShelterStayOut)
@permission("shelter.edit")
def shelter_check_out(
    request: HttpRequest, stay_id: int, payload: ShelterCheckOutIn
) -> ShelterStay:
    return services.shelter_check_out(
        stay=row(ShelterStay, stay_id), by=current_user(request), check_out=payload.check_out
    )


@router.get("/shelter/waitlist", response=list[ShelterWaitlistOut])
@permission("shelter.view")
def shelter_waitlist(request: HttpRequest) -> list[dict[str, Any]]:
    """Waiting families, best first, each with the points of every factor."""
    rows = selectors.waitlist_ranked()
    audit_record(
        action="read",
        object_type="support.waitlist",
        detail={"count": len(rows), "mrns": [r["entry"].patient.mrn for r in rows]},
    )
    return [
        {
            "id": r["entry"].pk,
            "rank": r["rank"],
            "score": r["score"],
            "mrn": r["entry"].patient.mrn,
            "requested_on": r["entry"].requested_on,
            "reasons": [
                {"factor": x.factor, "points": x.points, "text": x.text} for x in r["reasons"]
            ],
        }
        for r in rows
    ]


@router.post("/shelter/waitlist", response={201: PediatricIdOut})
@permission("shelter.edit")
def shelter_waitlist_add(request: HttpRequest, payload: ShelterWaitlistIn) -> Status:
    data = payload.dict()
    entry = services.waitlist_add(
        patient=patient_get(mrn=data.pop("mrn"), audit=False), by=current_user(request), **data
    )
    return Status(201, {"id": entry.pk})


@router.post("/shelter/waitlist/{entry_id}/withdraw", response=PediatricIdOut)
@permission("shelter.edit")
def shelter_waitlist_withdraw(request: HttpRequest, entry_id: int) -> dict[str, Any]:
    entry = services.waitlist_withdraw(
        entry=row(ShelterWaitlistEntry, entry_id), by=current_user(request)
    )
    return {"id": entry.pk}
