"""Typed request and response bodies of the labs API (names carry "Lab")."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from ninja import Schema

from oncocenter.core.schemas import InputSchema


class LabResultIn(InputSchema):
    """One coded result, as an ORU^R01 OBX or a FHIR Observation carries it."""

    loinc: str
    value: str
    unit: str = ""
    ref_low: Decimal | None = None
    ref_high: Decimal | None = None
    collected_at: dt.datetime
    resulted_at: dt.datetime | None = None
    accession: str = ""
    order_id: int | None = None
    correction: bool = False


class LabResultOut(Schema):
    id: int
    mrn: str
    loinc: str
    analyte: str
    value: Decimal | None
    text_value: str
    unit: str
    ref_low: Decimal | None
    ref_high: Decimal | None
    flag: str
    critical: bool
    acknowledged: bool
    collected_at: dt.datetime
    resulted_at: dt.datetime
    accession: str
    source: str
    status: str
    created: bool = True


class LabOrderIn(InputSchema):
    analyte_codes: list[str]
    center: str = ""
    note: str = ""


class LabOrderOut(Schema):
    id: int
    mrn: str
    status: str
    tests: list[str]


class LabAcknowledgeIn(InputSchema):
    communicated_to: str
    action: str


class LabAcknowledgeOut(Schema):
    result_id: int
    by: str
    at: dt.datetime


class LabTransfusionIn(InputSchema):
    product: str
    irradiated: bool
    leukoreduced: bool
    units: int = 1
    indication: str
    above_threshold_reason: str = ""


class LabTransfusionGivenIn(InputSchema):
    witness_username: str
    witness_password: str
    reaction: str = ""
    reaction_grade: int | None = None


class LabTransfusionOut(Schema):
    id: int
    product: str
    irradiated: bool
    leukoreduced: bool
    units: int
    status: str
    trigger_value: Decimal | None
    trigger_threshold: Decimal | None
    reaction_grade: int | None


class LabEngraftmentOut(Schema):
    day0: dt.date
    neutrophil_engraftment_on: dt.date | None
    platelet_engraftment_on: dt.date | None
