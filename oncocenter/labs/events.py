"""Events the labs app publishes; higher apps (pediatrics: HSCT engraftment) subscribe."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from oncocenter.core.events import Event


@dataclass(frozen=True)
class ResultRecorded(Event):
    """A result was recorded (or corrected) for a patient, inside the recording transaction."""

    name: ClassVar[str] = "labs.result_recorded"
    patient_id: int
    analyte_code: str
    result_id: int


@dataclass(frozen=True)
class TransfusionGiven(Event):
    name: ClassVar[str] = "labs.transfusion_given"
    patient_id: int
    product: str
    transfusion_id: int
