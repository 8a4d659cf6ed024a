"""Test builders of the machines area (used by radiotherapy's and scheduling's tests too)."""

from __future__ import annotations

import datetime as dt

from oncocenter.machines.models import Machine, MachineKind, MachineTechnique


def machine(
    code: str,
    techniques=("3D", "IMRT", "VMAT"),
    *,
    kind=MachineKind.LINAC,
    in_service=True,
    name: str = "",
) -> Machine:
    m = Machine.objects.create(
        code=code,
        name=name or code,
        kind=kind,
        opens_at=dt.time(8),
        closes_at=dt.time(20),
        in_service=in_service,
    )
    MachineTechnique.objects.bulk_create(
        [MachineTechnique(machine=m, technique=t) for t in techniques]
    )
    return m
