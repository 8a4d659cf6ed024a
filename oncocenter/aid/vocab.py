"""The aid documents checklist (``aid/data``), reviewable data with English and Korean labels."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from oncocenter.pediatrics.vocab import DataFiles

DATA = DataFiles(Path(__file__).resolve().parent / "data")


def aid_documents() -> list[dict[str, Any]]:
    return DATA.load("aid_documents.json")["documents"]
