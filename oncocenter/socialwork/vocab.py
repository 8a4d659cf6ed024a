"""Need domains and levels of social work (``socialwork/data``), English and Korean labels."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from oncocenter.pediatrics.vocab import DataFiles

DATA = DataFiles(Path(__file__).resolve().parent / "data")


def social_work_domains() -> list[dict[str, Any]]:
    return DATA.load("social_work_domains.json")["domains"]


def need_levels() -> list[dict[str, Any]]:
    return DATA.load("social_work_domains.json")["levels"]
