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
from itertools import pairwise
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
    volume_cc: float | None = None  # from the contours (planes x spacing); None on one plane


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
    frame_of_reference_uid: str = ""

    def as_dict(self) -> dict[str, Any]:
        d = dict(self.__dict__)
        d["kind"] = "RTDOSE"
        d["pixel_spacing_mm"] = list(self.pixel_spacing_mm)
        return d


def _polygon_area_mm2(points: list[tuple[float, float]]) -> float:
    """Shoelace area of one closed contour."""
    total = 0.0
    for (x0, y0), (x1, y1) in zip(points, points[1:] + points[:1], strict=True):
        total += x0 * y1 - x1 * y0
    return abs(total) / 2.0


def _contains(polygon: list[tuple[float, float]], x: float, y: float) -> bool:
    inside = False
    for (xi, yi), (xj, yj) in zip(polygon, polygon[-1:] + polygon[:-1], strict=True):
        if (yi > y) != (yj > y) and x < (xj - xi) * (y - yi) / (yj - yi) + xi:
            inside = not inside
    return inside


def _roi_volume_cc(contour_seq: Any) -> float | None:
    """Volume enclosed by a structure's planar contours: each plane's area (a contour inside
    an odd number of others is a hole, the even-odd rule the DVH uses too) times the spacing
    of the contour planes. One plane has no thickness to multiply by: None."""
    planes: dict[float, list[list[tuple[float, float]]]] = {}
    for c in contour_seq:
        data = [float(v) for v in c.get("ContourData", [])]
        if len(data) < 9:
            continue
        pts = [(data[i], data[i + 1]) for i in range(0, len(data) - 2, 3)]
        planes.setdefault(round(data[2], 3), []).append(pts)
    if len(planes) < 2:
        return None
    zs = sorted(planes)
    thickness = min(b - a for a, b in pairwise(zs))
    area = 0.0
    for polygons in planes.values():
        for i, poly in enumerate(polygons):
            depth = sum(
                1 for j, other in enumerate(polygons) if j != i and _contains(other, *poly[0])
            )
            area += _polygon_area_mm2(poly) * (-1 if depth % 2 else 1)
    return round(area * thickness / 1000.0, 3)


def parse_rtstruct(ds: Dataset) -> RTStructSummary:
    kinds = {
        int(o.get("ReferencedROINumber", 0)): _str(o, "RTROIInterpretedType").upper()
        for o in ds.get("RTROIObservationsSequence", [])
    }
    contours: dict[int, tuple[int, int, float | None]] = {}
    for roi in ds.get("ROIContourSequence", []):
        seq = roi.get("ContourSequence", [])
        points = sum(int(c.get("NumberOfContourPoints", 0) or 0) for c in seq)
        contours[int(roi.get("ReferencedROINumber", 0))] = (len(seq), points, _roi_volume_cc(seq))
    structures = []
    for roi in ds.get("StructureSetROISequence", []):
        number = int(roi.get("ROINumber", 0))
        n, p, cc = contours.get(number, (0, 0, None))
        structures.append(
            RTStructure(number, _str(roi, "ROIName"), kinds.get(number, ""), n, p, cc)
        )
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
        frame_of_reference_uid=_str(ds, "FrameOfReferenceUID"),
    )


def parse_rtobject(
    source: str | os.PathLike[str] | bytes | BinaryIO | Dataset, *, header_only: bool = False
) -> RTPlanSummary | RTStructSummary | RTDoseSummary:
    """Read an RT Plan, RT Structure Set or RT Dose; anything else is refused with its reason.
    `header_only` leaves the pixel data unread (a dose's maximum is then None): what the upload
    checks in the request before the job reads the whole file."""
    ds = _read(source, header_only=header_only)
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
