from __future__ import annotations

from datetime import time

from django.http import HttpRequest
from ninja import Router, Schema

from oncocenter.core.permissions import require
from oncocenter.scheduling.models import Machine

router = Router(tags=["scheduling"])


class MachineOut(Schema):
    code: str
    name: str
    kind: str
    model: str
    techniques: list[str]
    opens_at: time
    closes_at: time
    in_service: bool


@router.get("/machines", response=list[MachineOut])
def machines(request: HttpRequest):
    require(request.user, "machine.view")
    return [
        {
            "code": m.code,
            "name": m.name,
            "kind": m.kind,
            "model": m.model,
            "techniques": m.technique_codes(),
            "opens_at": m.opens_at,
            "closes_at": m.closes_at,
            "in_service": m.in_service,
        }
        for m in Machine.objects.prefetch_related("techniques")
    ]
