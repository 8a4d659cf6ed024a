from __future__ import annotations

import datetime as dt

from ninja import Schema

from oncocenter.core.schemas import InputSchema


class PortalSymptomAlertOut(Schema):
    id: int
    patient_mrn: str
    created_at: dt.datetime
    summary: str
    findings: list[dict[str, object]]
    assigned_to: str | None
    status: str
    outcome: str


class PortalSymptomAlertCloseIn(InputSchema):
    outcome: str
    note: str = ""


class PortalResultReleaseIn(InputSchema):
    result_ids: list[int]
    note: str = ""


class PortalResultReleaseOut(Schema):
    result_id: int
    patient_mrn: str
    released_by: str
    released_at: dt.datetime
    note: str


class PortalDischargeReleaseIn(InputSchema):
    note: str = ""


class PortalDocumentReleaseOut(Schema):
    id: int
    kind: str
    admission_id: int
    patient_mrn: str
    released_by: str
    released_at: dt.datetime
    note: str
