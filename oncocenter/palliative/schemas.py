"""Typed request and response bodies of the palliative-care API (names carry the area's noun)."""

from __future__ import annotations

import datetime as dt

from ninja import Schema

from oncocenter.core.schemas import InputSchema


class PalliativeIn(InputSchema):
    referred_on: dt.date
    reason: str


class PalliativePatch(InputSchema):
    status: str | None = None
    goals_of_care: str | None = None
    symptom_plan: str | None = None
    advance_care_planning: str | None = None
    place_of_care: str | None = None
    decline_reason: str | None = None


class PalliativeOut(Schema):
    id: int
    referred_on: dt.date
    reason: str
    status: str
    goals_of_care: str
    symptom_plan: str
    advance_care_planning: str
    place_of_care: str


class BereavementIn(InputSchema):
    planned_on: dt.date
    kind: str
    notes: str = ""


class BereavementDoneIn(InputSchema):
    done_on: dt.date
    notes: str = ""
