"""DICOM RT Structure Set and RT Dose reading (pure Python, pydicom only).

`parse_rtobject` reads any RT object the center receives with a plan and says what it is: a
structure set (`RTStructSummary`: every ROI with its number, name, interpreted type and contour
count), a dose grid (`RTDoseSummary`: size, spacing, units, summation type, maximum dose from the
pixel data and the grid scaling), or a refusal naming the reason (`RTPlanParseError`). Files
without a meta header are read (see `dicom_rtplan._read`); ion plans are refused in plain words.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Any, BinaryIO

from pydicom.dataset import Dataset

from oncocenter.radiotherapy.dicom_rtplan import (
    RT_ION_PLAN_STORAGE,
    RTPlanParseError,
    RTPlanSummary,
    _read,
    _str,
    parse_rtplan,
)

RT_STRUCT_STORAGE = "1.2.840.10008.5.1.4.1.1.481.3"
RT_DOSE_STORAGE = "1.2.840.10008.5.1.4.1.1.481.2"


@dataclass(frozen=True)
class RTStructure:
    number: int
    name: str
    kind: str  # RT ROI Interpreted Type: PTV, CTV, GTV, ORGAN, EXTERNAL, ... ("" if not given)
    contours: int
    points: int


@dataclass(frozen=True)
class RTStructSummary:
    sop_instance_uid: str
    patient_id: str
    label: str
    structures: tuple[RTStructure, ...]
    referenced_frame_of_reference: str

    def as_dict(self) -> dict[str, Any]:
        return {
            "kind": "RTSTRUCT",
            "sop_instance_uid": self.sop_instance_uid,
            "patient_id": self.patient_id,
            "label": self.label,
            "frame_of_reference": self.referenced_frame_of_reference,
            "structures": [s.__dict__ for s in self.structures],
        }


@dataclass(frozen=True)
class RTDoseSummary:
    sop_instance_uid: str
    patient_id: str
    units: str  # GY or RELATIVE
    summation: str  # PLAN, FRACTION, BEAM, ...
    dose_type: str  # PHYSICAL, EFFECTIVE, ERROR
    rows: int
    columns: int
    frames: int
    pixel_spacing_mm: tuple[float, float]
    slice_spacing_mm: float | None
    max_dose: float | None  # in `units`, from the pixel data x DoseGridScaling
    referenced_plan_uid: str

    def as_dict(self) -> dict[str, Any]:
        d = dict(self.__dict__)
        d["kind"] = "RTDOSE"
        d["pixel_spacing_mm"] = list(self.pixel_spacing_mm)
        return d


def parse_rtstruct(ds: Dataset) -> RTStructSummary:
    kinds = {
        int(o.get("ReferencedROINumber", 0)): _str(o, "RTROIInterpretedType").upper()
        for o in ds.get("RTROIObservationsSequence", [])
    }
    contours: dict[int, tuple[int, int]] = {}
    for roi in ds.get("ROIContourSequence", []):
        seq = roi.get("ContourSequence", [])
        points = sum(int(c.get("NumberOfContourPoints", 0) or 0) for c in seq)
        contours[int(roi.get("ReferencedROINumber", 0))] = (len(seq), points)
    structures = []
    for roi in ds.get("StructureSetROISequence", []):
        number = int(roi.get("ROINumber", 0))
        n, p = contours.get(number, (0, 0))
        structures.append(RTStructure(number, _str(roi, "ROIName"), kinds.get(number, ""), n, p))
    if not structures:
        raise RTPlanParseError(
            "an RT Structure Set without any structure (StructureSetROISequence is empty)"
        )
    refs = ds.get("ReferencedFrameOfReferenceSequence", [])
    return RTStructSummary(
        sop_instance_uid=_str(ds, "SOPInstanceUID"),
        patient_id=_str(ds, "PatientID"),
        label=_str(ds, "StructureSetLabel"),
        structures=tuple(structures),
        referenced_frame_of_reference=_str(refs[0], "FrameOfReferenceUID") if refs else "",
    )


def parse_rtdose(ds: Dataset) -> RTDoseSummary:
    missing = [k for k in ("Rows", "Columns", "PixelSpacing", "DoseUnits") if k not in ds]
    if missing:
        raise RTPlanParseError(
            f"an RT Dose without {', '.join(missing)}: the dose grid cannot be read"
        )
    scaling = float(ds.get("DoseGridScaling", 1.0) or 1.0)
    max_dose = None
    if "PixelData" in ds:
        try:
            max_dose = round(float(ds.pixel_array.max()) * scaling, 4)
        except (ValueError, AttributeError, RuntimeError) as exc:
            raise RTPlanParseError(f"an RT Dose whose pixel data cannot be decoded: {exc}") from exc
    offsets = [float(v) for v in ds.get("GridFrameOffsetVector", [])]
    slice_spacing = round(abs(offsets[1] - offsets[0]), 4) if len(offsets) > 1 else None
    refs = ds.get("ReferencedRTPlanSequence", [])
    spacing = [float(v) for v in ds.PixelSpacing]
    return RTDoseSummary(
        sop_instance_uid=_str(ds, "SOPInstanceUID"),
        patient_id=_str(ds, "PatientID"),
        units=_str(ds, "DoseUnits").upper(),
        summation=_str(ds, "DoseSummationType").upper(),
        dose_type=_str(ds, "DoseType").upper(),
        rows=int(ds.Rows),
        columns=int(ds.Columns),
        frames=int(ds.get("NumberOfFrames", 1) or 1),
        pixel_spacing_mm=(spacing[0], spacing[1]),
        slice_spacing_mm=slice_spacing,
        max_dose=max_dose,
        referenced_plan_uid=_str(refs[0], "ReferencedSOPInstanceUID") if refs else "",
    )


def parse_rtobject(
    source: str | os.PathLike[str] | bytes | BinaryIO | Dataset,
) -> RTPlanSummary | RTStructSummary | RTDoseSummary:
    """Read an RT Plan, RT Structure Set or RT Dose; anything else is refused with its reason."""
    ds = _read(source)
    sop_class = str(ds.get("SOPClassUID", ""))
    modality = _str(ds, "Modality")
    if sop_class == RT_STRUCT_STORAGE or modality == "RTSTRUCT":
        return parse_rtstruct(ds)
    if sop_class == RT_DOSE_STORAGE or modality == "RTDOSE":
        return parse_rtdose(ds)
    if sop_class == RT_ION_PLAN_STORAGE or modality == "RTPLAN":
        return parse_rtplan(ds)
    raise RTPlanParseError(
        f"not an RT object this center reads (RT Plan, RT Structure Set, RT Dose): modality "
        f"{modality or 'missing'!r}, SOP class {sop_class or 'missing'!r}"
    )
