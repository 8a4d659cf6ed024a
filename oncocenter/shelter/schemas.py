"""Typed request and response bodies of the family-shelter API (names carry "Shelter")."""

from __future__ import annotations

import datetime as dt

from ninja import Schema

from oncocenter.core.schemas import InputSchema


class ShelterHouseIn(InputSchema):
    name: str
    address: str = ""


class ShelterRoomIn(InputSchema):
    number: str
    capacity: int


class ShelterRoomOut(Schema):
    id: int
    house: str
    number: str
    capacity: int
    occupied_by_stay_id: int | None = None


class ShelterStayIn(InputSchema):
    room_id: int
    mrn: str
    guests: int
    check_in: dt.date
    check_out: dt.date | None = None
    waitlist_entry_id: int | None = None


class ShelterStayOut(Schema):
    id: int
    room_id: int
    guests: int
    check_in: dt.date
    check_out: dt.date | None
    status: str


class ShelterCheckOutIn(Schema):
    check_out: dt.date


class ShelterWaitlistIn(InputSchema):
    mrn: str
    requested_on: dt.date
    distance_km: int
    financial_need: str
    treatment_intensity: str
    guests: int = 2
    notes: str = ""


class ShelterReasonOut(Schema):
    factor: str
    points: float
    text: str


class ShelterWaitlistOut(Schema):
    id: int
    rank: int
    score: float
    mrn: str
    requested_on: dt.date
    reasons: list[ShelterReasonOut]
