"""Loaders for the pediatric data files (``pediatrics/data``); pure Python, cached.

The vocabularies and thresholds are data that a qualified person can review and edit; the code
only reads them. Every entry carries a stable ``code`` plus English and Korean labels. The other
pediatric services (aid, shelter, social work) read their own files through :class:`DataFiles`.
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any


class DataFiles:
    """The JSON files of one app's ``data`` folder, each read once."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.load = cache(self._read)

    def _read(self, name: str) -> Any:
        with (self.folder / name).open(encoding="utf-8") as fh:
            return json.load(fh)


DATA = DataFiles(Path(__file__).resolve().parent / "data")
load = DATA.load


def gvhd() -> dict[str, Any]:
    return load("gvhd.json")


def donor_types() -> list[dict[str, Any]]:
    return load("donor_types.json")["donor_types"]


def stem_cell_sources() -> list[dict[str, Any]]:
    return load("donor_types.json")["stem_cell_sources"]


def conditioning_regimens() -> list[dict[str, Any]]:
    return load("conditioning_regimens.json")["regimens"]


def bsa_plausibility() -> dict[str, Any]:
    return load("bsa_plausibility.json")


def lansky() -> list[dict[str, Any]]:
    return load("lansky.json")["scale"]


def choices(items: list[dict[str, Any]], lang: str = "en") -> list[tuple[str, str]]:
    """(code, label) pairs in one language (``labels.vocab_choices`` follows the user's)."""
    return [(i["code"], i[lang]) for i in items]
