"""Dose-volume histograms from an RT Structure Set and an RT Dose (pure Python: pydicom, numpy).

No maintained DVH library installs here without new dependencies (dicompyler-core pulls in
matplotlib, scikit-image and Pillow; none is in the lock), so the DVH is computed with numpy the
way dicompyler-core does it: for each contour plane of a structure, the dose plane nearest to it
(within half a dose slice) is sampled at its voxel centres; a voxel counts when its centre lies
inside the plane's contours (even-odd rule, so an inner contour is a hole); each voxel weighs
pixel area x the structure's contour slice spacing. Only axial dose grids are read
(ImageOrientationPatient 1,0,0,0,1,0); anything else is refused naming the reason.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from pydicom.dataset import Dataset

from oncocenter.radiotherapy.dicom_rtplan import RTPlanParseError, _str

AXIAL = (1.0, 0.0, 0.0, 0.0, 1.0, 0.0)


@dataclass(frozen=True)
class Dvh:
    """One structure's cumulative DVH and its figures (dose in Gy, volume in cm³)."""

    number: int
    name: str
    volume_cc: float
    min_gy: float
    mean_gy: float
    max_gy: float
    d95_gy: float  # the dose at least 95% of the volume receives
    d50_gy: float
    d2_gy: float
    bins_gy: list[float] = field(default_factory=list)  # lower edges, 0.1 Gy wide
    volume_pct: list[float] = field(default_factory=list)  # % of the volume receiving >= edge

    def v(self, dose_gy: float) -> float:
        """Per cent of the volume receiving at least `dose_gy`."""
        return _volume_pct_at(self.bins_gy, self.volume_pct, dose_gy)

    def as_dict(self) -> dict[str, Any]:
        return dict(self.__dict__)


def _volume_pct_at(edges: list[float], pct: list[float], dose_gy: float) -> float:
    for edge, p in zip(edges, pct, strict=True):
        if edge >= dose_gy - 1e-9:
            return p
    return 0.0


def _inside(xs: np.ndarray, ys: np.ndarray, polygon: np.ndarray) -> np.ndarray:
    """Which grid points (xs by ys) lie inside the polygon (even-odd ray casting)."""
    px, py = np.meshgrid(xs, ys)  # rows follow y, columns follow x
    inside = np.zeros(px.shape, dtype=bool)
    x, y = polygon[:, 0], polygon[:, 1]
    for i in range(len(polygon)):
        xi, yi, xj, yj = x[i], y[i], x[i - 1], y[i - 1]
        if yi == yj:
            continue
        crosses = (yi > py) != (yj > py)
        at = (xj - xi) * (py - yi) / (yj - yi) + xi
        inside ^= crosses & (px < at)
    return inside


def _dose_grid(ds: Dataset) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, float]:
    if _str(ds, "DoseUnits").upper() != "GY":
        raise RTPlanParseError(
            f"an RT Dose in {_str(ds, 'DoseUnits') or 'no units'!r}: a DVH needs absolute dose (GY)"
        )
    orientation = tuple(round(float(v), 4) for v in ds.get("ImageOrientationPatient", AXIAL))
    if orientation != AXIAL:
        raise RTPlanParseError(
            f"an RT Dose oriented {list(orientation)}: only axial dose grids are read for a DVH"
        )
    if "ImagePositionPatient" not in ds or "PixelData" not in ds:
        raise RTPlanParseError("an RT Dose without ImagePositionPatient or pixel data: no DVH")
    x0, y0, z0 = (float(v) for v in ds.ImagePositionPatient)
    dy, dx = (float(v) for v in ds.PixelSpacing)
    try:
        frames = np.asarray(ds.pixel_array, dtype=float)
    except (ValueError, AttributeError, RuntimeError) as exc:
        raise RTPlanParseError(f"an RT Dose whose pixel data cannot be decoded: {exc}") from exc
    if frames.ndim == 2:
        frames = frames[np.newaxis]
    dose = frames * float(ds.get("DoseGridScaling", 1.0) or 1.0)
    offsets = [float(v) for v in ds.get("GridFrameOffsetVector", [0.0])]
    if len(offsets) != dose.shape[0]:
        raise RTPlanParseError(
            f"an RT Dose with {dose.shape[0]} frames but {len(offsets)} GridFrameOffsetVector values"
        )
    zs = z0 + np.asarray(offsets)
    xs = x0 + dx * np.arange(dose.shape[2])
    ys = y0 + dy * np.arange(dose.shape[1])
    return dose, xs, ys, zs, dx * dy


def compute_dvhs(rtstruct: Dataset, rtdose: Dataset) -> list[Dvh]:
    """The DVH of every structure with contours inside the dose grid."""
    dose, xs, ys, zs, pixel_area = _dose_grid(rtdose)
    dose_slice = float(abs(zs[1] - zs[0])) if len(zs) > 1 else 0.0
    names = {
        int(r.ROINumber): _str(r, "ROIName") for r in rtstruct.get("StructureSetROISequence", [])
    }
    out: list[Dvh] = []
    for roi in rtstruct.get("ROIContourSequence", []):
        number = int(roi.get("ReferencedROINumber", 0))
        planes: dict[float, list[np.ndarray]] = defaultdict(list)
        for c in roi.get("ContourSequence", []):
            points = np.asarray([float(v) for v in c.get("ContourData", [])]).reshape(-1, 3)
            if len(points) >= 3:
                planes[round(float(points[0, 2]), 3)].append(points[:, :2])
        if not planes:
            continue
        plane_zs = sorted(planes)
        thickness = float(np.min(np.diff(plane_zs))) if len(plane_zs) > 1 else (dose_slice or 1.0)
        values: list[np.ndarray] = []
        for z in plane_zs:
            k = int(np.argmin(np.abs(zs - z)))
            if dose_slice and abs(zs[k] - z) > dose_slice / 2 + 1e-6:
                continue  # this plane lies outside the dose grid
            if not dose_slice and abs(zs[k] - z) > 1e-6:
                continue
            mask = np.zeros((len(ys), len(xs)), dtype=bool)
            for polygon in planes[z]:
                mask ^= _inside(xs, ys, polygon)
            values.append(dose[k][mask])
        sampled = np.concatenate(values) if values else np.empty(0)
        if sampled.size == 0:
            continue
        out.append(_dvh(number, names.get(number, ""), sampled, pixel_area * thickness))
    return out


def _dose_at(sorted_desc: np.ndarray, fraction: float) -> float:
    """The dose that at least `fraction` of the voxels receive."""
    index = max(int(np.ceil(fraction * len(sorted_desc))) - 1, 0)
    return round(float(sorted_desc[index]), 3)


def _dvh(number: int, name: str, values: np.ndarray, voxel_mm3: float) -> Dvh:
    desc = np.sort(values)[::-1]
    # one edge past Dmax, so every curve ends at 0% (the hottest voxel is below it) instead of
    # stopping in mid-air at the last bin that still holds voxels
    edges = np.arange(int(np.floor(float(desc[0]) / 0.1 + 1e-9)) + 2) * 0.1
    counts = np.array([np.count_nonzero(values >= e - 1e-9) for e in edges])
    return Dvh(
        number=number,
        name=name,
        volume_cc=round(len(values) * voxel_mm3 / 1000.0, 3),
        min_gy=round(float(desc[-1]), 3),
        mean_gy=round(float(values.mean()), 3),
        max_gy=round(float(desc[0]), 3),
        d95_gy=_dose_at(desc, 0.95),
        d50_gy=_dose_at(desc, 0.50),
        d2_gy=_dose_at(desc, 0.02),
        bins_gy=[round(float(e), 1) for e in edges],
        volume_pct=[round(100.0 * c / len(values), 2) for c in counts],
    )


_METRIC = re.compile(r"^(?P<kind>[DV])(?P<x>\d+(?:\.\d+)?)(?P<unit>cc|%|Gy)?$", re.I)


def dvh_metric(dvh: Mapping[str, Any], metric: str) -> tuple[float, str] | None:
    """One constraint metric read from a stored DVH (`Dvh.as_dict()`): Dmax, Dmean, Dmin (Gy);
    Dx or Dx% (the dose at least x% of the volume receives, Gy); Dxcc (the dose to the hottest
    x cm³, Gy); Vx or VxGy (% of the volume receiving at least x Gy). None: not a metric read here,
    or a volume larger than the structure."""
    name = metric.strip()
    fixed = {"dmax": "max_gy", "dmean": "mean_gy", "dmin": "min_gy"}.get(name.lower())
    if fixed:
        return float(dvh[fixed]), "Gy"
    match = _METRIC.match(name)
    if match is None:
        return None
    x, unit = float(match["x"]), (match["unit"] or "").lower()
    edges = [float(e) for e in dvh.get("bins_gy", [])]
    pct = [float(p) for p in dvh.get("volume_pct", [])]
    if not edges:
        return None
    if match["kind"].upper() == "V":
        if unit not in ("", "gy"):
            return None
        return _volume_pct_at(edges, pct, x), "%"
    exact = {95.0: "d95_gy", 50.0: "d50_gy", 2.0: "d2_gy"}.get(x)
    if unit in ("", "%") and exact and exact in dvh:
        return float(dvh[exact]), "Gy"  # computed from the voxels, not the 0.1 Gy bins
    if unit == "cc":
        volume = float(dvh["volume_cc"])
        if volume <= 0 or x > volume:
            return None
        x = 100.0 * x / volume
    # The highest bin edge that at least x% of the volume receives (0.1 Gy resolution).
    reached = [e for e, p in zip(edges, pct, strict=True) if p >= x - 1e-9]
    return (round(max(reached), 3) if reached else 0.0), "Gy"
