"""Loaders for the editable reference data shipped in `data/` (pure Python).

The JSON files seed database tables through data migrations; after that the tables are the
source of truth and a qualified person edits them in the admin. Tests and the pure rule
functions read the files directly.
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

DATA_DIR = Path(__file__).resolve().parent / "data"


@cache
def _load(name: str) -> dict[str, Any]:
    with (DATA_DIR / name).open(encoding="utf-8") as fh:
        return json.load(fh)


def oar_constraint_sets() -> list[dict[str, Any]]:
    return list(_load("oar_constraints.json")["sets"])


def mppg_checks(kind: str | None = None) -> list[dict[str, Any]]:
    items = _load("mppg11a_checks.json")["items"]
    return [i for i in items if kind is None or i["kind"] == kind]


def ctcae_terms() -> list[dict[str, Any]]:
    return list(_load("ctcae_v5_rt_terms.json")["terms"])


def gap_sensitive_sites() -> list[dict[str, Any]]:
    return list(_load("gap_sensitive_sites.json")["sites"])
