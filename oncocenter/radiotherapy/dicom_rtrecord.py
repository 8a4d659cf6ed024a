"""DICOM RT Beams Treatment Record reading (pure Python, pydicom only).

`parse_treatment_record` reads what a treatment console exports after a session: the plan it
treated (Referenced RT Plan SOP Instance UID), the patient, the machine, the fraction number, the
console's treatment date and time, and per beam the specified and delivered meterset. Nothing is
guessed: a value the record does not carry stays empty and the comparison reports it.
"""

from __future__ import annotations

import datetime as dt
import os
from dataclasses import dataclass
from typing import Any, BinaryIO
from zoneinfo import ZoneInfo

from pydicom.dataset import Dataset

from oncocenter.radiotherapy.dicom_rtplan import RTPlanParseError, _float, _int, _read, _str

RT_BEAMS_TREATMENT_RECORD_STORAGE = "1.2.840.10008.5.1.4.1.1.481.4"


class RTRecordParseError(RTPlanParseError):
    """The file is not a readable DICOM RT Beams Treatment Record."""


@dataclass(frozen=True)
class RTRecordBeam:
    number: int | None  # Referenced Beam Number (the plan's beam)
    name: str
    fraction_number: int | None  # Current Fraction Number
    delivery_type: str  # TREATMENT, SETUP, ...
    termination_status: str  # NORMAL, OPERATOR, MACHINE, UNKNOWN
    specified_meterset: float | None
    delivered_meterset: float | None


@dataclass(frozen=True)
class RTTreatmentRecord:
    sop_instance_uid: str
    patient_id: str
    patient_name: str
    patient_birth_date: str  # ISO date or ""
    referenced_plan_uid: str
    machine_name: str
    treated_at: dt.datetime | None  # the console time, aware
    beams: tuple[RTRecordBeam, ...]

    @property
    def treatment_beams(self) -> tuple[RTRecordBeam, ...]:
        return tuple(b for b in self.beams if b.delivery_type in ("TREATMENT", ""))

    @property
    def fraction_numbers(self) -> tuple[int, ...]:
        return tuple(sorted({b.fraction_number for b in self.treatment_beams if b.fraction_number}))

    @property
    def delivered_total(self) -> float | None:
        values = [b.delivered_meterset for b in self.treatment_beams]
        if not values or any(v is None for v in values):
            return None
        return float(sum(v for v in values if v is not None))

    def as_dict(self) -> dict[str, Any]:
        return {
            "sop_instance_uid": self.sop_instance_uid,
            "patient_id": self.patient_id,
            "referenced_plan_uid": self.referenced_plan_uid,
            "machine_name": self.machine_name,
            "treated_at": self.treated_at.isoformat() if self.treated_at else None,
            "fraction_numbers": list(self.fraction_numbers),
            "beams": [b.__dict__ for b in self.beams],
        }


def _date(value: str) -> dt.date | None:
    try:
        return dt.datetime.strptime(value[:8], "%Y%m%d").date()  # noqa: DTZ007 (a date)
    except ValueError:
        return None


def _time(value: str) -> dt.time | None:
    digits = value.split(".")[0]
    for fmt in ("%H%M%S", "%H%M"):
        try:
            return dt.datetime.strptime(digits, fmt).time()  # noqa: DTZ007 (a wall time)
        except ValueError:
            continue
    return None


def _offset(value: str, default: dt.tzinfo) -> dt.tzinfo:
    """The record's Timezone Offset From UTC (+HHMM), else the center's timezone."""
    v = value.strip()
    if len(v) == 5 and v[0] in "+-" and v[1:].isdigit():
        minutes = int(v[1:3]) * 60 + int(v[3:5])
        return dt.timezone(dt.timedelta(minutes=minutes if v[0] == "+" else -minutes))
    return default


def parse_treatment_record(
    source: str | os.PathLike[str] | bytes | BinaryIO | Dataset,
    *,
    timezone_name: str = "Asia/Seoul",
) -> RTTreatmentRecord:
    try:
        ds = _read(source)
    except RTPlanParseError as exc:
        raise RTRecordParseError(str(exc)) from exc
    sop_class = _str(ds, "SOPClassUID")
    if sop_class != RT_BEAMS_TREATMENT_RECORD_STORAGE:
        raise RTRecordParseError(
            f"not an RT Beams Treatment Record (SOP Class UID {sop_class or 'missing'})"
        )
    refs = ds.get("ReferencedRTPlanSequence") or []
    plan_uid = str(refs[0].get("ReferencedSOPInstanceUID", "")).strip() if refs else ""
    machines = ds.get("TreatmentMachineSequence") or []
    machine_name = _str(machines[0], "TreatmentMachineName") if machines else ""
    beams = []
    for item in ds.get("TreatmentSessionBeamSequence") or []:
        if not machine_name and item.get("TreatmentMachineSequence"):
            machine_name = _str(item.TreatmentMachineSequence[0], "TreatmentMachineName")
        beams.append(
            RTRecordBeam(
                number=_int(item.get("ReferencedBeamNumber")),
                name=_str(item, "BeamName"),
                fraction_number=_int(item.get("CurrentFractionNumber")),
                delivery_type=_str(item, "TreatmentDeliveryType").upper(),
                termination_status=_str(item, "TreatmentTerminationStatus").upper(),
                specified_meterset=_float(item.get("SpecifiedMeterset")),
                delivered_meterset=_float(item.get("DeliveredMeterset")),
            )
        )
    day = _date(_str(ds, "TreatmentDate"))
    time = _time(_str(ds, "TreatmentTime"))
    tz = _offset(_str(ds, "TimezoneOffsetFromUTC"), ZoneInfo(timezone_name))
    treated_at = dt.datetime.combine(day, time, tzinfo=tz) if day and time else None
    birth = _date(_str(ds, "PatientBirthDate"))
    return RTTreatmentRecord(
        sop_instance_uid=_str(ds, "SOPInstanceUID"),
        patient_id=_str(ds, "PatientID"),
        patient_name=_str(ds, "PatientName"),
        patient_birth_date=birth.isoformat() if birth else "",
        referenced_plan_uid=plan_uid,
        machine_name=machine_name,
        treated_at=treated_at,
        beams=tuple(beams),
    )
