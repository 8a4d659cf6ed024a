"""Typed request and response bodies of the aid API (names carry "Aid")."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from ninja import Schema

from oncocenter.core.schemas import InputSchema


class AidOrganisationIn(InputSchema):
    name: str
    contact: str = ""
    support_types: str = ""


class AidOrganisationOut(Schema):
    id: int
    name: str
    contact: str
    support_types: str
    active: bool


class AidIn(InputSchema):
    organisation_id: int
    need: str
    need_description: str = ""
    amount_requested: Decimal
    documents: list[str] = []


class AidOut(Schema):
    id: int
    organisation: str
    need: str
    amount_requested: Decimal
    amount_granted: Decimal | None
    decision_note: str
    status: str
    documents: list[str]
    missing_documents: list[str]


class AidDocumentsIn(InputSchema):
    documents: list[str]


class AidTransitionIn(InputSchema):
    to_status: str
    amount_granted: Decimal | None = None
    decision_note: str = ""
    on: dt.date | None = None


class AidSummaryOut(Schema):
    mrn: str
    total_requested: Decimal
    total_granted: Decimal
    status_counts: dict[str, int]
    applications: list[AidOut]
