"""Test builders: machines like the center's six LINACs, ready radiotherapy courses, bookings."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from oncocenter.machines.models import Machine
from oncocenter.patients.tests.factories import PatientFactory
from oncocenter.radiotherapy.tests.factories import World, machine, staff
from oncocenter.scheduling import adapter

LINACS = (
    ("LINAC-1", ("3D", "IMRT", "VMAT", "SBRT", "SRS", "ELECTRON")),
    ("LINAC-2", ("3D", "IMRT", "VMAT", "SBRT")),
    ("LINAC-3", ("3D", "IMRT", "VMAT")),
    ("LINAC-4", ("3D", "IMRT", "VMAT")),
    ("LINAC-5", ("3D", "IMRT", "VMAT")),
    ("LINAC-6", ("3D", "ELECTRON")),
)


def linacs(count: int = 6) -> list[Machine]:
    return [machine(code, techs) for code, techs in LINACS[:count]]


def world(linac: Machine | None = None) -> World:
    """A patient and a team with current credentials; `linac` is the planning machine."""
    return World(
        patient=PatientFactory(),
        ro=staff("radiation_oncologist"),
        physicist=staff("medical_physicist"),
        physicist2=staff("medical_physicist"),
        dosimetrist=staff("dosimetrist"),
        therapist=staff("radiation_therapist"),
        scheduler=staff("scheduler"),
        linac=linac or Machine.objects.get(code="LINAC-3"),
    )


def ready_course(w: World, **rx):
    """Signed prescription, approved and physics-checked plan: ready to book."""
    w.course = None
    w.ready(**rx)
    return w.course


def next_open_day(after: dt.date | None = None, skip: int = 1) -> dt.date:
    day = after or timezone.localdate()
    return adapter.add_open_days(day, skip)


def at(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour, minute), tzinfo=adapter.center_tz())
