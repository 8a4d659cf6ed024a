"""Maintained concept maps from OncoCenter's local codes to the systems mCODE STU4 binds.

The maps are data (`interop/data/conceptmaps.json`), reviewable beside the value sets they target;
this module only reads them. Pure Python, no Django.
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

DATA = Path(__file__).resolve().parent.parent / "data" / "conceptmaps.json"
# Generated from the official ICD-10-CM list (`icd10cm.py`, `oncocenter icd10cm-map`).
ICD10CM_DATA = DATA.parent / "icd10_to_icd10cm.json"
ICD10CM_MAP = "icd10_icd10cm"
SNOMED = "http://snomed.info/sct"
LOINC = "http://loinc.org"
AJCC = "http://cancerstaging.org"
ICD10 = "http://hl7.org/fhir/sid/icd-10"
ICDO3 = "http://terminology.hl7.org/CodeSystem/icd-o-3"


@cache
def _maps() -> dict[str, Any]:
    data: dict[str, Any] = json.loads(DATA.read_text(encoding="utf-8"))
    data.pop("_comment", None)
    data[ICD10CM_MAP] = json.loads(ICD10CM_DATA.read_text(encoding="utf-8"))
    return data


def map_names() -> list[str]:
    return sorted(_maps())


def coding(map_name: str, local: str) -> dict[str, str] | None:
    """The target Coding of a local code, or None when the map has no equivalent."""
    cmap = _maps()[map_name]
    hit = cmap["map"].get(local)
    if hit is None:
        return None
    code, display = hit[0], hit[1]
    system = cmap["system"]
    if not system:
        system, code = code.split("|", 1)
    return {"system": system, "code": code, "display": display}


def local_codes(map_name: str) -> list[str]:
    return sorted(_maps()[map_name]["map"])


def sides(map_name: str, local: str) -> dict[str, str]:
    """Laterality -> target code, where the map has side-specific targets for a local code."""
    hit = _maps()[map_name]["map"].get(local) or []
    return {side: code for side, (code, _display) in (hit[3] if len(hit) > 3 else {}).items()}


def coding_for_side(map_name: str, local: str, side: str) -> dict[str, str] | None:
    """The target of a local code for a laterality (`left`, `right`, `bilateral`) when the map
    gives one, else the code's own target."""
    cmap = _maps()[map_name]
    hit = cmap["map"].get(local)
    if hit is None:
        return None
    sides = hit[3] if len(hit) > 3 else {}
    if side in sides:
        code, display = sides[side]
        return {"system": cmap["system"], "code": code, "display": display}
    return coding(map_name, local)


def reverse(map_name: str, system: str, code: str) -> str | None:
    """The first local code that maps to `system|code` (for import), or None."""
    cmap = _maps()[map_name]
    for local, hit in cmap["map"].items():
        target = hit[0]
        target_system = cmap["system"]
        target_code = target
        if not target_system:
            target_system, target_code = target.split("|", 1)
        if target_system == system and target_code == code:
            return str(local)
    return None


def as_concept_map(map_name: str, base_url: str) -> dict[str, Any]:
    """One map as a FHIR ConceptMap resource (served at /fhir/ConceptMap/<name>)."""
    cmap = _maps()[map_name]
    elements = []
    for local, hit in sorted(cmap["map"].items()):
        target, display = hit[0], hit[1]
        # Hand-kept maps are "wider" throughout; the generated ones say per code (and may add
        # targets that depend on the laterality).
        equivalence = hit[2] if len(hit) > 2 else "wider"
        code = target.split("|", 1)[-1]
        targets = [{"code": code, "display": display, "equivalence": equivalence}]
        for side, (side_code, side_display) in sorted((hit[3] if len(hit) > 3 else {}).items()):
            targets.append(
                {
                    "code": side_code,
                    "display": side_display,
                    "equivalence": "equivalent",
                    "dependsOn": [
                        {
                            "property": "http://hl7.org/fhir/StructureDefinition/bodySite-laterality",
                            "value": side,
                        }
                    ],
                }
            )
        elements.append({"code": local, "target": targets})
    for local in cmap.get("unmatched", []):
        elements.append({"code": local, "target": [{"equivalence": "unmatched"}]})
    return {
        "resourceType": "ConceptMap",
        "id": map_name.replace("_", "-"),
        "url": f"{base_url}/ConceptMap/{map_name.replace('_', '-')}",
        "status": "active",
        "name": map_name,
        "targetUri": cmap["target"],
        "group": [
            {
                "source": f"urn:oncocenter:{map_name}",
                "target": cmap["system"] or "mixed",
                "element": elements,
            }
        ],
    }


VALUESET_PREFIX = "urn:oncocenter:valueset:"


def expand(map_name: str) -> list[dict[str, str]]:
    """The value set a map defines: its target codings (each once), in the map's order."""
    out: dict[tuple[str, str], dict[str, str]] = {}
    for local in _maps()[map_name]["map"]:
        c = coding(map_name, local)
        if c is not None:
            out.setdefault((c["system"], c["code"]), c)
    return list(out.values())


def value_set_name(url: str) -> str | None:
    """`urn:oncocenter:valueset:tumor-marker`, `ValueSet/tumor-marker` or an absolute URL ending
    in it -> the map's name; None when it is not a value set held here."""
    for marker in (VALUESET_PREFIX, "ValueSet/"):
        if marker in url:
            name = url.rsplit(marker, 1)[1].replace("-", "_")
            return name if name in _maps() else None
    return None


def as_value_set(map_name: str, base_url: str) -> dict[str, Any]:
    """The target codes of a maintained map as an expanded ValueSet (for `:in` searches)."""
    cmap = _maps()[map_name]
    dashed = map_name.replace("_", "-")
    return {
        "resourceType": "ValueSet",
        "id": dashed,
        "url": f"{VALUESET_PREFIX}{dashed}",
        "name": map_name,
        "status": "active",
        "description": f"The codes OncoCenter's map {map_name!r} targets (from {cmap['target']}).",
        "expansion": {
            "identifier": f"{VALUESET_PREFIX}{dashed}:expansion",
            "timestamp": "2026-12-07T00:00:00+09:00",
            "total": len(expand(map_name)),
            "contains": expand(map_name),
        },
    }
