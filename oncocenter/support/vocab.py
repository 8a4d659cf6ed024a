"""Loaders for the area's data files (``support/data``); pure Python, cached.

The vocabularies and thresholds are data that a qualified person can review and edit; the code
only reads them. Every entry carries a stable ``code`` plus English and Korean labels.
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

DATA_DIR = Path(__file__).resolve().parent / "data"


@cache
def load(name: str) -> Any:
    with (DATA_DIR / name).open(encoding="utf-8") as fh:
        return json.load(fh)


def gvhd() -> dict[str, Any]:
    return load("gvhd.json")


def donor_types() -> list[dict[str, Any]]:
    return load("donor_types.json")["donor_types"]


def conditioning_regimens() -> list[dict[str, Any]]:
    return load("conditioning_regimens.json")["regimens"]


def aid_documents() -> list[dict[str, Any]]:
    return load("aid_documents.json")["documents"]


def social_work_domains() -> list[dict[str, Any]]:
    return load("social_work_domains.json")["domains"]


def shelter_ranking() -> dict[str, Any]:
    return load("shelter_ranking.json")


def bsa_plausibility() -> dict[str, Any]:
    return load("bsa_plausibility.json")


def lansky() -> list[dict[str, Any]]:
    return load("lansky.json")["scale"]


def choices(items: list[dict[str, Any]], lang: str = "en") -> list[tuple[str, str]]:
    """(code, label) pairs for forms and model choices."""
    return [(i["code"], i[lang]) for i in items]
