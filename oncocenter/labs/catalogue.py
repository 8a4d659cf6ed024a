"""Load the example analyte catalogue (``data/analytes.json``) into the database.

Used by the data migration (with historical models) and by tests; idempotent: an analyte that
exists by code keeps what the laboratory edited since."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

DATA = Path(__file__).parent / "data" / "analytes.json"


def catalogue() -> list[dict[str, Any]]:
    data: dict[str, Any] = json.loads(DATA.read_text(encoding="utf-8"))
    analytes: list[dict[str, Any]] = data["analytes"]
    return analytes


def load(analyte_model: Any, range_model: Any) -> int:
    created = 0
    for entry in catalogue():
        fields = {k: v for k, v in entry.items() if k not in ("code", "ranges")}
        analyte, made = analyte_model.objects.get_or_create(code=entry["code"], defaults=fields)
        if not made:
            continue
        created += 1
        for r in entry["ranges"]:
            range_model.objects.create(analyte=analyte, **r)
    return created
