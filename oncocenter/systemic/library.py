"""Load the example regimen library (``data/regimens.json``, awaiting clinical review).

Used by the data migration (historical models) and the tests; idempotent by regimen code: a
template a center edited is left as it is."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

DATA = Path(__file__).parent / "data" / "regimens.json"


def regimens() -> list[dict[str, Any]]:
    data: dict[str, Any] = json.loads(DATA.read_text(encoding="utf-8"))
    out: list[dict[str, Any]] = data["regimens"]
    return out


def load(regimen_model: Any, drug_model: Any) -> int:
    created = 0
    for entry in regimens():
        fields = {k: v for k, v in entry.items() if k not in ("code", "drugs")}
        regimen, made = regimen_model.objects.get_or_create(code=entry["code"], defaults=fields)
        if not made:
            continue
        created += 1
        for i, drug in enumerate(entry["drugs"], start=1):
            drug_model.objects.create(regimen=regimen, order=i, **drug)
    return created
