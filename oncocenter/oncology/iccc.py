"""ICCC-3 (International Classification of Childhood Cancer) group derived from ICD-O-3.

The classification itself is data (``data/iccc3_rules.json``): ordered rules of morphology
ranges and topography ranges per subgroup; the first matching rule wins. Non-malignant
(behaviour 0/1) tumours are classified only at intracranial and intraspinal sites, as ICCC-3
does. Pure Python, no Django.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path

RULES_PATH = Path(__file__).resolve().parent / "data" / "iccc3_rules.json"

_MORPH_RE = re.compile(r"^(\d{4})/([0-9])$")
_TOPO_RE = re.compile(r"^C(\d{2})\.?(\d)$")
_SUBGROUP_RE = re.compile(r"^(XII|XI|X|IX|VIII|VII|VI|V|IV|III|II|I)([a-f]?)$")


class IcccInputError(ValueError):
    """Malformed ICD-O-3 input; ``field`` names the offending field."""

    def __init__(self, field: str, value: str, rule: str):
        self.field = field
        self.value = value
        self.rule = rule
        super().__init__(f"{field}: {value!r} {rule}")


@dataclass(frozen=True)
class IcccGroup:
    """Main group (roman numeral) and subgroup (e.g. ``IVa``) with bilingual labels."""

    group: str
    subgroup: str
    group_en: str
    group_ko: str
    subgroup_en: str
    subgroup_ko: str


@dataclass(frozen=True)
class Rule:
    subgroup: str
    morphology: tuple[tuple[int, int], ...]
    sites: tuple[tuple[int, int], ...]


def parse_morphology(value: str) -> tuple[int, str]:
    """``"9500/3"`` -> ``(9500, "3")``."""
    m = _MORPH_RE.match((value or "").strip())
    if not m:
        raise IcccInputError("icdo3_morphology", value, "must look like 9500/3 (type/behaviour)")
    return int(m.group(1)), m.group(2)


def parse_topography(value: str) -> int:
    """``"C74.9"`` -> ``749`` (the number used by the site ranges)."""
    m = _TOPO_RE.match((value or "").strip().upper())
    if not m:
        raise IcccInputError("icdo3_topography", value, "must look like C74.9")
    return int(m.group(1)) * 10 + int(m.group(2))


def _ranges(text: str, parse) -> tuple[tuple[int, int], ...]:
    out = []
    for part in text.split(","):
        lo, _, hi = part.strip().partition("-")
        out.append((parse(lo), parse(hi or lo)))
    return tuple(out)


def _within(value: int, ranges: tuple[tuple[int, int], ...]) -> bool:
    return any(lo <= value <= hi for lo, hi in ranges)


@cache
def rules_data() -> dict:
    return json.loads(RULES_PATH.read_text(encoding="utf-8"))


@cache
def rules() -> tuple[Rule, ...]:
    return tuple(
        Rule(
            subgroup=r["subgroup"],
            morphology=_ranges(r["morphology"], int),
            sites=_ranges(r["sites"], parse_topography),
        )
        for r in rules_data()["rules"]
    )


@cache
def _nonmalignant_sites() -> tuple[tuple[int, int], ...]:
    return _ranges(rules_data()["nonmalignant_sites"], parse_topography)


def group_of(subgroup: str) -> str:
    m = _SUBGROUP_RE.match(subgroup)
    if not m:
        raise ValueError(f"not an ICCC-3 subgroup: {subgroup!r}")
    return m.group(1)


def describe(subgroup: str) -> IcccGroup:
    data = rules_data()
    group = group_of(subgroup)
    return IcccGroup(
        group=group,
        subgroup=subgroup,
        group_en=data["groups"][group]["en"],
        group_ko=data["groups"][group]["ko"],
        subgroup_en=data["subgroups"][subgroup]["en"],
        subgroup_ko=data["subgroups"][subgroup]["ko"],
    )


def is_classifiable_behaviour(behaviour: str, site: int) -> bool:
    data = rules_data()
    if behaviour in data["malignant_behaviors"]:
        return True
    return behaviour in data["nonmalignant_behaviors"] and _within(site, _nonmalignant_sites())


def derive(morphology: str, topography: str) -> IcccGroup | None:
    """ICCC-3 subgroup for an ICD-O-3 morphology (``9500/3``) and topography (``C74.9``).

    Returns ``None`` when ICCC-3 does not classify the tumour (e.g. a benign tumour outside the
    CNS, or behaviour 2 in situ). Raises :class:`IcccInputError` for malformed codes.
    """
    histology, behaviour = parse_morphology(morphology)
    site = parse_topography(topography)
    if not is_classifiable_behaviour(behaviour, site):
        return None
    for rule in rules():
        if _within(histology, rule.morphology) and _within(site, rule.sites):
            return describe(rule.subgroup)
    return None


def applies_to_age(age_years: int) -> bool:
    """ICCC-3 groups are recorded for children and adolescents (under 20 by default)."""
    return age_years < int(rules_data()["max_age_exclusive"])
