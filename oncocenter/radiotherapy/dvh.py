"""Organ-at-risk doses from a planning system's DVH text export (pure Python).

Reads the structure blocks of an Eclipse-style cumulative DVH export ("Structure: X", "Max Dose
[Gy]: ...", "Mean Dose [Gy]: ...", then a table of dose / relative dose / volume %). Gives Dmax and
Dmean per structure and, for each requested Vx metric, the percentage of the structure's volume
receiving at least x Gy (linear interpolation on the cumulative curve). Structure names are mapped
to the constraint set's organ names with a small alias table; when two structures map to the same
organ (left and right parotid), the higher value is kept, since each must meet the limit.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from itertools import pairwise

DEFAULT_ALIASES = {
    "spinalcord": "Spinal cord",
    "cord": "Spinal cord",
    "brainstem": "Brainstem",
    "opticnerve": "Optic nerve",
    "opticnervel": "Optic nerve",
    "opticnerver": "Optic nerve",
    "chiasm": "Optic chiasm",
    "opticchiasm": "Optic chiasm",
    "parotid": "Parotid",
    "parotidl": "Parotid",
    "parotidr": "Parotid",
    "lungs": "Lungs",
    "lungtotal": "Lungs",
    "totallung": "Lungs",
    "lungsgtv": "Lungs",
    "heart": "Heart",
    "esophagus": "Esophagus",
    "oesophagus": "Esophagus",
    "kidneys": "Kidneys",
    "kidneysboth": "Kidneys",
    "liver": "Liver",
    "livergtv": "Liver",
}

_STAT = re.compile(r"^\s*(Min|Max|Mean)\s+Dose\s*\[(c?Gy)\]\s*:\s*([-+\d.eE]+)", re.I)
_HEADER_UNIT = re.compile(r"Dose\s*\[(c?Gy)\]", re.I)
_NUMBERS = re.compile(r"^\s*[-+\d.eE]+(\s+[-+\d.eE]+)+\s*$")
_VX = re.compile(r"^V(\d+(?:\.\d+)?)$", re.I)


class DvhParseError(ValueError):
    """The text is not a DVH export this reader understands."""


@dataclass(frozen=True)
class OrganMetric:
    organ: str
    metric: str
    value: float
    unit: str

    def as_dict(self) -> dict[str, object]:
        return {
            "organ": self.organ,
            "metric": self.metric,
            "value": round(self.value, 2),
            "unit": self.unit,
        }


def _key(name: str) -> str:
    return re.sub(r"[^a-z0-9]", "", name.lower())


def organ_of_structure(name: str, aliases: Mapping[str, str] | None = None) -> str:
    """The constraint set's organ a structure name stands for ("SpinalCord" -> "Spinal cord");
    a name without an alias is its own organ."""
    table = {**DEFAULT_ALIASES, **{_key(k): v for k, v in (aliases or {}).items()}}
    return table.get(_key(name), name)


def same_organ(a: str, b: str) -> bool:
    return _key(a) == _key(b)


def _volume_at(curve: list[tuple[float, float]], dose_gy: float) -> float:
    """Volume % receiving at least `dose_gy` on a cumulative curve sorted by dose."""
    if not curve:
        raise DvhParseError("empty DVH table")
    if dose_gy <= curve[0][0]:
        return curve[0][1]
    for (d0, v0), (d1, v1) in pairwise(curve):
        if d0 <= dose_gy <= d1:
            if d1 == d0:
                return v1
            return v0 + (v1 - v0) * (dose_gy - d0) / (d1 - d0)
    return 0.0


def parse_dvh_export(
    text: str,
    *,
    volume_metrics: Iterable[str] = ("V20",),
    aliases: Mapping[str, str] | None = None,
) -> list[OrganMetric]:
    """Dmax, Dmean and the requested Vx of every structure block in `text`."""
    table = {**DEFAULT_ALIASES, **{_key(k): v for k, v in (aliases or {}).items()}}
    vx = []
    for m in volume_metrics:
        match = _VX.match(m.strip())
        if match:
            vx.append((m.strip(), float(match.group(1))))
    blocks = re.split(r"^\s*Structure\s*:\s*", text, flags=re.M)
    if len(blocks) < 2:
        raise DvhParseError("no 'Structure:' block found")
    found: dict[tuple[str, str], OrganMetric] = {}

    def keep(metric: OrganMetric) -> None:
        key = (metric.organ, metric.metric)
        if key not in found or metric.value > found[key].value:
            found[key] = metric

    for block in blocks[1:]:
        lines = block.splitlines()
        name = lines[0].strip()
        organ = table.get(_key(name), name)
        scale = 1.0
        curve: list[tuple[float, float]] = []
        for line in lines[1:]:
            stat = _STAT.match(line)
            if stat:
                factor = 0.01 if stat.group(2).lower() == "cgy" else 1.0
                value = float(stat.group(3)) * factor
                if stat.group(1).lower() == "max":
                    keep(OrganMetric(organ, "Dmax", value, "Gy"))
                elif stat.group(1).lower() == "mean":
                    keep(OrganMetric(organ, "Dmean", value, "Gy"))
                continue
            header = _HEADER_UNIT.search(line)
            if header and "volume" in line.lower():
                scale = 0.01 if header.group(1).lower() == "cgy" else 1.0
                continue
            if _NUMBERS.match(line):
                cols = [float(c) for c in line.split()]
                # dose, [relative dose,] volume (%): the volume is the last column.
                curve.append((cols[0] * scale, cols[-1]))
        if curve and vx:
            curve.sort()
            for metric, dose in vx:
                keep(OrganMetric(organ, metric, _volume_at(curve, dose), "%"))
    if not found:
        raise DvhParseError("no dose statistics found in the structure blocks")
    return sorted(found.values(), key=lambda m: (m.organ, m.metric))
