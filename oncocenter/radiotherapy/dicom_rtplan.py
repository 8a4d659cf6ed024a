"""DICOM RT Plan reading and comparison with a prescription (pure Python, pydicom only).

`parse_rtplan` turns an RT Plan object into an `RTPlanSummary`; `compare_plan_with_prescription`
checks it against what was prescribed and the machines the center knows, and returns every
mismatch (an empty list means the plan may be imported). A record-and-verify system refuses a
plan whose fractions, machine or dose differ from the signed prescription, so nothing here
guesses: a value the plan does not carry is reported, not assumed.
"""

from __future__ import annotations

import io
import os
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any, BinaryIO

import pydicom
from pydicom.dataset import Dataset
from pydicom.errors import InvalidDicomError

RT_PLAN_STORAGE = "1.2.840.10008.5.1.4.1.1.481.5"
RT_ION_PLAN_STORAGE = "1.2.840.10008.5.1.4.1.1.481.8"

#: Techniques delivered with an external photon beam.
PHOTON_TECHNIQUES = frozenset({"3D", "IMRT", "VMAT", "SBRT", "SRS"})


class RTPlanParseError(ValueError):
    """The file is not a readable DICOM RT Plan."""


@dataclass(frozen=True)
class RTBeam:
    number: int
    name: str
    machine_name: str
    radiation_type: str  # PHOTON, ELECTRON, PROTON, ...
    beam_type: str  # STATIC or DYNAMIC
    delivery_type: str  # TREATMENT, SETUP, ...
    nominal_energy: float | None  # MV (photons) or MeV (electrons), first control point
    control_points: int
    rotating: bool  # gantry rotates during the beam (arc)
    dosimeter_unit: str  # MU, MINUTE, NP
    meterset: float | None = None  # from the fraction group, per fraction
    beam_dose_gy: float | None = None  # per fraction, at the beam dose specification point


@dataclass(frozen=True)
class RTFractionGroup:
    number: int
    fractions_planned: int | None
    beam_numbers: tuple[int, ...]
    brachy_setups: int
    dose_per_fraction_gy: float | None  # sum of the beam doses, when every beam carries one


@dataclass(frozen=True)
class RTDoseReference:
    number: int | None
    description: str
    reference_type: str  # TARGET or ORGAN_AT_RISK
    target_prescription_dose_gy: float | None
    organ_at_risk_max_dose_gy: float | None
    delivery_maximum_dose_gy: float | None


@dataclass(frozen=True)
class RTPlanSummary:
    sop_instance_uid: str
    plan_label: str
    plan_name: str
    plan_date: str
    patient_id: str
    approval_status: str
    fraction_groups: tuple[RTFractionGroup, ...]
    beams: tuple[RTBeam, ...]
    dose_references: tuple[RTDoseReference, ...] = field(default_factory=tuple)
    is_brachytherapy: bool = False
    brachy_machine_names: tuple[str, ...] = ()
    # The patient coordinate system of the plan: its structure set and dose must share it.
    frame_of_reference_uid: str = ""
    referenced_structure_set_uid: str = ""

    @property
    def treatment_beams(self) -> tuple[RTBeam, ...]:
        return tuple(b for b in self.beams if b.delivery_type in ("TREATMENT", ""))

    @property
    def machine_names(self) -> tuple[str, ...]:
        names = {b.machine_name for b in self.treatment_beams if b.machine_name}
        return tuple(sorted(names | {n for n in self.brachy_machine_names if n}))

    @property
    def fractions_planned(self) -> int | None:
        """Fractions of the plan when it has exactly one fraction group, else None."""
        if len(self.fraction_groups) == 1:
            return self.fraction_groups[0].fractions_planned
        return None

    @property
    def target_prescription_dose_gy(self) -> float | None:
        """Highest Target Prescription Dose among the TARGET dose references, if any."""
        doses = [
            r.target_prescription_dose_gy
            for r in self.dose_references
            if r.target_prescription_dose_gy is not None
        ]
        return max(doses) if doses else None

    @property
    def total_meterset(self) -> float | None:
        values = [b.meterset for b in self.treatment_beams]
        if not values or any(v is None for v in values):
            return None
        return float(sum(v for v in values if v is not None))

    @property
    def technique_hint(self) -> str:
        """Technique suggested by the beam geometry (never SBRT/SRS: that is a dose decision)."""
        if self.is_brachytherapy:
            return "HDR"
        beams = self.treatment_beams
        if beams and all(b.radiation_type == "ELECTRON" for b in beams):
            return "ELECTRON"
        if any(b.rotating and b.beam_type == "DYNAMIC" for b in beams):
            return "VMAT"
        # Step-and-shoot IMRT is STATIC with many segments; sliding window is DYNAMIC.
        if any(b.beam_type == "DYNAMIC" or b.control_points > 2 for b in beams):
            return "IMRT"
        return "3D"

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready summary (what the import screen shows and stores)."""
        return {
            "sop_instance_uid": self.sop_instance_uid,
            "plan_label": self.plan_label,
            "plan_name": self.plan_name,
            "plan_date": self.plan_date,
            "patient_id": self.patient_id,
            "approval_status": self.approval_status,
            "frame_of_reference_uid": self.frame_of_reference_uid,
            "referenced_structure_set_uid": self.referenced_structure_set_uid,
            "technique_hint": self.technique_hint,
            "fractions_planned": self.fractions_planned,
            "target_prescription_dose_gy": self.target_prescription_dose_gy,
            "machine_names": list(self.machine_names),
            "total_meterset": self.total_meterset,
            "fraction_groups": [
                {
                    "number": g.number,
                    "fractions_planned": g.fractions_planned,
                    "beam_numbers": list(g.beam_numbers),
                    "brachy_setups": g.brachy_setups,
                    "dose_per_fraction_gy": g.dose_per_fraction_gy,
                }
                for g in self.fraction_groups
            ],
            "beams": [
                {
                    "number": b.number,
                    "name": b.name,
                    "machine_name": b.machine_name,
                    "radiation_type": b.radiation_type,
                    "beam_type": b.beam_type,
                    "delivery_type": b.delivery_type,
                    "nominal_energy": b.nominal_energy,
                    "control_points": b.control_points,
                    "meterset": b.meterset,
                    "beam_dose_gy": b.beam_dose_gy,
                    "dosimeter_unit": b.dosimeter_unit,
                }
                for b in self.beams
            ],
        }


def _float(value: Any) -> float | None:
    if value is None or value == "":
        return None
    try:
        return float(value)
    except (TypeError, ValueError):
        return None


def _int(value: Any) -> int | None:
    f = _float(value)
    return int(f) if f is not None else None


def _str(ds: Dataset, keyword: str) -> str:
    value = ds.get(keyword, "")
    return str(value).strip() if value is not None else ""


def _read(
    source: str | os.PathLike[str] | bytes | BinaryIO | Dataset, *, header_only: bool = False
) -> Dataset:
    """The data set, with or without a preamble and meta header. `header_only` stops before the
    pixel data (a dose grid can be megabytes): enough to say what the object is and whose."""
    if isinstance(source, Dataset):
        return source
    if isinstance(source, bytes | bytearray):
        source = io.BytesIO(source)
    try:
        return pydicom.dcmread(source, stop_before_pixels=header_only)
    except InvalidDicomError:
        pass  # no preamble or meta header: read again below, as many exports are written
    except (EOFError, OSError, ValueError, TypeError) as exc:
        raise RTPlanParseError(f"not a readable DICOM file: {exc}") from exc
    if hasattr(source, "seek"):
        source.seek(0)
    try:
        ds = pydicom.dcmread(source, force=True, stop_before_pixels=header_only)
        # A forced read accepts any bytes; a DICOM object names its class or modality.
        if not (str(ds.get("SOPClassUID", "")) or str(ds.get("Modality", ""))):
            raise ValueError("no SOP Class UID or Modality found")
    except (InvalidDicomError, EOFError, OSError, ValueError, TypeError, KeyError) as exc:
        raise RTPlanParseError(f"not a readable DICOM file: {exc}") from exc
    return ds


def parse_rtplan(source: str | os.PathLike[str] | bytes | BinaryIO | Dataset) -> RTPlanSummary:
    """Read an RT Plan (path, bytes, file object or dataset) into an `RTPlanSummary`."""
    ds = _read(source)
    sop_class = str(ds.get("SOPClassUID", ""))
    if sop_class == RT_ION_PLAN_STORAGE or "IonBeamSequence" in ds:
        raise RTPlanParseError(
            "an RT Ion Plan (protons or heavier ions): ion plans are not supported here; "
            "this center treats with photons, electrons and HDR brachytherapy only"
        )
    modality = _str(ds, "Modality")
    if modality in ("RTSTRUCT", "RTDOSE", "RTIMAGE", "RTRECORD"):
        raise RTPlanParseError(
            f"an {modality} object, not an RT Plan: import the plan (modality RTPLAN) here"
        )
    if modality != "RTPLAN" and sop_class not in (RT_PLAN_STORAGE,):
        raise RTPlanParseError(
            f"not an RT Plan: modality {_str(ds, 'Modality') or 'missing'!r}, SOP class {sop_class!r}"
        )

    # Meterset and dose per beam per fraction live in the fraction group, not in the beam.
    meterset: dict[int, float | None] = {}
    beam_dose: dict[int, float | None] = {}
    groups: list[RTFractionGroup] = []
    for fg in ds.get("FractionGroupSequence", []):
        numbers: list[int] = []
        doses: list[float | None] = []
        for ref in fg.get("ReferencedBeamSequence", []):
            n = _int(ref.get("ReferencedBeamNumber"))
            if n is None:
                continue
            numbers.append(n)
            meterset[n] = _float(ref.get("BeamMeterset"))
            beam_dose[n] = _float(ref.get("BeamDose"))
            doses.append(beam_dose[n])
        groups.append(
            RTFractionGroup(
                number=_int(fg.get("FractionGroupNumber")) or len(groups) + 1,
                fractions_planned=_int(fg.get("NumberOfFractionsPlanned")),
                beam_numbers=tuple(numbers),
                brachy_setups=_int(fg.get("NumberOfBrachyApplicationSetups")) or 0,
                dose_per_fraction_gy=(
                    round(sum(d for d in doses if d is not None), 6)
                    if doses and all(d is not None for d in doses)
                    else None
                ),
            )
        )

    beams: list[RTBeam] = []
    for beam in ds.get("BeamSequence", ds.get("IonBeamSequence", [])):
        number = _int(beam.get("BeamNumber")) or len(beams) + 1
        cps = beam.get("ControlPointSequence", beam.get("IonControlPointSequence", []))
        energy = _float(cps[0].get("NominalBeamEnergy")) if len(cps) else None
        rotating = any(
            str(cp.get("GantryRotationDirection", "NONE")).upper() in ("CW", "CC") for cp in cps
        )
        beams.append(
            RTBeam(
                number=number,
                name=_str(beam, "BeamName"),
                machine_name=_str(beam, "TreatmentMachineName"),
                radiation_type=_str(beam, "RadiationType").upper(),
                beam_type=_str(beam, "BeamType").upper(),
                delivery_type=_str(beam, "TreatmentDeliveryType").upper(),
                nominal_energy=energy,
                control_points=_int(beam.get("NumberOfControlPoints")) or len(cps),
                rotating=rotating,
                dosimeter_unit=_str(beam, "PrimaryDosimeterUnit").upper(),
                meterset=meterset.get(number),
                beam_dose_gy=beam_dose.get(number),
            )
        )

    refs = tuple(
        RTDoseReference(
            number=_int(r.get("DoseReferenceNumber")),
            description=_str(r, "DoseReferenceDescription"),
            reference_type=_str(r, "DoseReferenceType").upper(),
            target_prescription_dose_gy=_float(r.get("TargetPrescriptionDose")),
            organ_at_risk_max_dose_gy=_float(r.get("OrganAtRiskMaximumDose")),
            delivery_maximum_dose_gy=_float(r.get("DeliveryMaximumDose")),
        )
        for r in ds.get("DoseReferenceSequence", [])
    )

    is_brachy = bool(ds.get("ApplicationSetupSequence")) or any(g.brachy_setups for g in groups)
    # A brachytherapy plan names its afterloader in each application setup.
    brachy_machines = tuple(
        _str(m, "TreatmentMachineName")
        for setup in ds.get("ApplicationSetupSequence", [])
        for m in setup.get("TreatmentMachineSequence", [])
    )
    return RTPlanSummary(
        sop_instance_uid=str(ds.get("SOPInstanceUID", "")),
        plan_label=_str(ds, "RTPlanLabel"),
        plan_name=_str(ds, "RTPlanName"),
        plan_date=_str(ds, "RTPlanDate"),
        patient_id=_str(ds, "PatientID"),
        approval_status=_str(ds, "ApprovalStatus").upper(),
        fraction_groups=tuple(groups),
        beams=tuple(beams),
        dose_references=refs,
        is_brachytherapy=is_brachy,
        brachy_machine_names=brachy_machines,
        frame_of_reference_uid=_str(ds, "FrameOfReferenceUID"),
        referenced_structure_set_uid=(
            _str(ds.ReferencedStructureSetSequence[0], "ReferencedSOPInstanceUID")
            if ds.get("ReferencedStructureSetSequence")
            else ""
        ),
    )


# --- comparison -------------------------------------------------------------------------------


@dataclass(frozen=True)
class PrescriptionSpec:
    """What was prescribed, as the plan must reproduce it."""

    technique: str  # 3D, IMRT, VMAT, SBRT, SRS, ELECTRON, HDR
    fractions: int
    dose_per_fraction_gy: float
    total_dose_gy: float
    patient_id: str | None = None  # checked against the plan's Patient ID when given


@dataclass(frozen=True)
class MachineSpec:
    """A treatment unit known to the center."""

    code: str
    techniques: frozenset[str]
    in_service: bool = True
    name: str = ""
    aliases: tuple[str, ...] = ()

    def answers_to(self, dicom_name: str) -> bool:
        key = dicom_name.strip().casefold()
        return key != "" and key in {
            n.strip().casefold() for n in (self.code, self.name, *self.aliases) if n
        }


@dataclass(frozen=True)
class Mismatch:
    """One difference between plan and prescription: a stable code, the field, both values."""

    code: str
    field: str
    expected: str
    found: str
    message: str

    def as_dict(self) -> dict[str, str]:
        return {
            "code": self.code,
            "field": self.field,
            "expected": self.expected,
            "found": self.found,
            "message": self.message,
        }


def _fmt(value: float | None) -> str:
    return "missing" if value is None else f"{value:g}"


def find_machine(name: str, machines: Iterable[MachineSpec]) -> MachineSpec | None:
    for m in machines:
        if m.answers_to(name):
            return m
    return None


def compare_plan_with_prescription(
    plan: RTPlanSummary,
    prescription: PrescriptionSpec,
    machines: Sequence[MachineSpec],
    *,
    fraction_group: int | None = None,
    dose_tolerance: float = 0.01,
) -> list[Mismatch]:
    """Every mismatch between `plan` and `prescription`; empty when the plan may be imported.

    `dose_tolerance` is relative (0.01 = 1 %): a TPS reports doses to more digits than a
    prescription is written with. Checked: patient, fraction group, fractions planned, machine
    known / in service / capable of the technique, radiation type against the technique, total
    dose (Target Prescription Dose) and dose per fraction (sum of beam doses) when present.
    """
    out: list[Mismatch] = []
    technique = prescription.technique.upper()

    if prescription.patient_id is not None and plan.patient_id != prescription.patient_id:
        out.append(
            Mismatch(
                "patient",
                "patient_id",
                prescription.patient_id,
                plan.patient_id or "missing",
                "the plan belongs to another patient identifier",
            )
        )

    group: RTFractionGroup | None = None
    if fraction_group is not None:
        group = next((g for g in plan.fraction_groups if g.number == fraction_group), None)
        if group is None:
            out.append(
                Mismatch(
                    "fraction_group",
                    "fraction_group",
                    str(fraction_group),
                    ",".join(str(g.number) for g in plan.fraction_groups) or "none",
                    "the chosen fraction group is not in the plan",
                )
            )
    elif len(plan.fraction_groups) == 1:
        group = plan.fraction_groups[0]
    else:
        out.append(
            Mismatch(
                "fraction_group",
                "fraction_group",
                "exactly one, or a chosen group number",
                str(len(plan.fraction_groups)),
                "the plan has no fraction group or several: choose the one to import",
            )
        )

    if group is not None and group.fractions_planned != prescription.fractions:
        out.append(
            Mismatch(
                "fractions",
                "number_of_fractions",
                str(prescription.fractions),
                _fmt(group.fractions_planned),
                "number of fractions planned differs from the prescription",
            )
        )

    beams = plan.treatment_beams
    if technique == "HDR":
        if not plan.is_brachytherapy:
            out.append(
                Mismatch(
                    "technique",
                    "technique",
                    "HDR (brachytherapy application setups)",
                    plan.technique_hint,
                    "an external-beam plan cannot be imported for an HDR prescription",
                )
            )
    else:
        if not beams:
            out.append(
                Mismatch("beams", "beams", "one or more", "0", "the plan has no treatment beam")
            )
        wanted = "ELECTRON" if technique == "ELECTRON" else "PHOTON"
        wrong = sorted({b.radiation_type or "missing" for b in beams} - {wanted})
        if technique in PHOTON_TECHNIQUES | {"ELECTRON"} and wrong:
            out.append(
                Mismatch(
                    "technique",
                    "radiation_type",
                    wanted,
                    ",".join(wrong),
                    f"beams of another radiation type than a {technique} prescription uses",
                )
            )

    names = plan.machine_names
    if not names:
        out.append(
            Mismatch(
                "machine_unknown",
                "treatment_machine_name",
                "a known machine",
                "missing",
                "the plan names no treatment machine",
            )
        )
    for name in names:
        machine = find_machine(name, machines)
        if machine is None:
            out.append(
                Mismatch(
                    "machine_unknown",
                    "treatment_machine_name",
                    "one of " + ", ".join(m.code for m in machines) if machines else "a machine",
                    name,
                    f"treatment machine {name!r} is not known to the center",
                )
            )
            continue
        if technique not in machine.techniques:
            out.append(
                Mismatch(
                    "machine_incapable",
                    "treatment_machine_name",
                    f"a machine capable of {technique}",
                    f"{machine.code} ({', '.join(sorted(machine.techniques)) or 'no techniques'})",
                    f"machine {machine.code} is not capable of {technique}",
                )
            )
        if not machine.in_service:
            out.append(
                Mismatch(
                    "machine_out_of_service",
                    "treatment_machine_name",
                    "a machine in service",
                    machine.code,
                    f"machine {machine.code} is out of service",
                )
            )

    def differs(expected: float, found: float) -> bool:
        return abs(found - expected) > dose_tolerance * max(abs(expected), 1e-9)

    total = plan.target_prescription_dose_gy
    if total is not None and differs(prescription.total_dose_gy, total):
        out.append(
            Mismatch(
                "dose_total",
                "total_dose_gy",
                _fmt(prescription.total_dose_gy),
                _fmt(total),
                f"target prescription dose differs by more than {dose_tolerance:.0%}",
            )
        )
    per_fx = group.dose_per_fraction_gy if group is not None else None
    if per_fx is not None and differs(prescription.dose_per_fraction_gy, per_fx):
        out.append(
            Mismatch(
                "dose_per_fraction",
                "dose_per_fraction_gy",
                _fmt(prescription.dose_per_fraction_gy),
                _fmt(per_fx),
                f"sum of beam doses per fraction differs by more than {dose_tolerance:.0%}",
            )
        )
    return out
