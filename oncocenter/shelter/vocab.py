"""Waitlist ranking weights and levels (``shelter/data``), with English and Korean labels."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from oncocenter.pediatrics.vocab import DataFiles

DATA = DataFiles(Path(__file__).resolve().parent / "data")


def shelter_ranking() -> dict[str, Any]:
    return DATA.load("shelter_ranking.json")
