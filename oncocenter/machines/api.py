"""Machine QA API (issue 15): QA state and results per machine, results entered by therapists and
physicists, a physicist's release of a QA hold, beam-matched groups signed by a physicist."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema, Status

from oncocenter.accounts.selectors import current_user
from oncocenter.core.access import permission
from oncocenter.core.errors import NotFound
from oncocenter.core.schemas import InputSchema
from oncocenter.machines import qa
from oncocenter.machines.models import BeamMatchGroup, QAResult, QATest
from oncocenter.machines.selectors import machine_get

router = Router(tags=["machines"])


class MachineQAResultIn(InputSchema):
    test: str = Field(description="Test code of the machine's QA program, e.g. output-6x")
    value: Decimal
    performed_at: dt.datetime | None = Field(None, description="Default: now")
    comment: str = ""


class MachineQAResultOut(Schema):
    id: int
    machine: str
    test: str
    value: Decimal
    status: str
    performed_at: dt.datetime
    recorded_at: dt.datetime
    on_hold: bool


class MachineQAStateOut(Schema):
    machine: str
    state: str
    label: str
    hold_reason: str = ""
    missing: list[str] = []
    recent: list[MachineQAResultOut] = []


class MachineQAReleaseIn(InputSchema):
    reason: str


class MachineBeamMatchIn(InputSchema):
    name: str
    machines: list[str]
    evidence: str
    matched_on: dt.date


class MachineBeamMatchOut(Schema):
    id: int
    name: str
    machines: list[str]
    signed_by: str
    signed_at: dt.datetime


def _result_out(r: QAResult) -> dict:
    return {
        "id": r.pk,
        "machine": r.machine.code,
        "test": r.test.code,
        "value": r.value,
        "status": r.status,
        "performed_at": r.performed_at,
        "recorded_at": r.recorded_at,
        "on_hold": qa.qa_state(r.machine).state == qa.QAState.HOLD,
    }


@router.get("/{code}/qa", response=MachineQAStateOut)
@permission("machine.view")
def qa_state(request: HttpRequest, code: str):
    """The machine's QA state now and its latest 30 results (for the charts of each test)."""
    machine = machine_get(code=code)
    status = qa.qa_state(machine)
    recent = QAResult.objects.filter(machine=machine).select_related("test", "machine")[:30]
    return {
        "machine": machine.code,
        "state": status.state,
        "label": status.label,
        "hold_reason": status.hold.reason if status.hold else "",
        "missing": list(status.missing),
        "recent": [_result_out(r) for r in recent],
    }


@router.post("/{code}/qa-results", response={201: MachineQAResultOut})
@permission("machine.qa.record")
def qa_result(request: HttpRequest, code: str, payload: MachineQAResultIn):
    """Enter a measured value; outside the action level puts the machine on QA hold."""
    machine = machine_get(code=code)
    test = QATest.objects.filter(machine=machine, code=payload.test).first()
    if test is None:
        raise NotFound(
            _("%(machine)s has no QA test %(test)s.")
            % {"machine": machine.code, "test": payload.test}
        )
    result = qa.qa_result_record(
        test=test,
        value=payload.value,
        by=current_user(request),
        performed_at=payload.performed_at,
        comment=payload.comment,
    )
    return Status(201, _result_out(result))


@router.post("/{code}/qa-hold/release", response=MachineQAStateOut)
@permission("machine.qa.release")
def qa_release(request: HttpRequest, code: str, payload: MachineQAReleaseIn):
    """A physicist reviewed the failure and releases the machine (the reason is recorded)."""
    machine = machine_get(code=code)
    qa.qa_hold_release(machine=machine, by=current_user(request), reason=payload.reason)
    status = qa.qa_state(machine)
    return {"machine": machine.code, "state": status.state, "label": status.label}


@router.post("/beam-match-groups", response={201: MachineBeamMatchOut})
@permission("machine.match.sign")
def beam_match(request: HttpRequest, payload: MachineBeamMatchIn):
    """Sign machines as beam-matched (a plan may then be treated on any of them)."""
    machines = [machine_get(code=c) for c in payload.machines]
    group: BeamMatchGroup = qa.beam_match_group_create(
        name=payload.name,
        machines=machines,
        evidence=payload.evidence,
        matched_on=payload.matched_on,
        by=current_user(request),
    )
    return Status(
        201,
        {
            "id": group.pk,
            "name": group.name,
            "machines": sorted(m.code for m in machines),
            "signed_by": group.signed_by.username,
            "signed_at": group.signed_at,
        },
    )
