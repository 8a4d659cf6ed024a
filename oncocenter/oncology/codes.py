"""Curated clinical code lists shipped as data files (ICD-10, ICD-O-3 topography/morphology).

Pure Python: no Django import, so the lists can be checked and reused outside the web app.
Each entry carries its code system URI so that a FHIR/mCODE export maps field to field.
"""

from __future__ import annotations

import csv
import re
import unicodedata
from dataclasses import dataclass
from functools import cache
from pathlib import Path

DATA_DIR = Path(__file__).resolve().parent / "data"

ICD10_SYSTEM = "http://hl7.org/fhir/sid/icd-10"
ICDO3_SYSTEM = "http://terminology.hl7.org/CodeSystem/icd-o-3"

ICD10 = "icd10"
ICDO3_TOPOGRAPHY = "icdo3_topography"
ICDO3_MORPHOLOGY = "icdo3_morphology"
LISTS = (ICD10, ICDO3_TOPOGRAPHY, ICDO3_MORPHOLOGY)

_FORMATS = {
    ICD10: re.compile(r"^[A-Z]\d{2}(\.\d{1,2})?$"),
    ICDO3_TOPOGRAPHY: re.compile(r"^C\d{2}\.\d$"),
    ICDO3_MORPHOLOGY: re.compile(r"^\d{4}/[0-3]$"),
}


@dataclass(frozen=True)
class Code:
    """One coded concept: system URI, code and displays in English and Korean."""

    system: str
    code: str
    display_en: str
    display_ko: str
    category: str = ""
    keywords: str = ""

    def display(self, language: str = "en") -> str:
        return self.display_ko if language.startswith("ko") else self.display_en

    def as_coding(self) -> dict[str, str]:
        """FHIR Coding shape (system, code, display)."""
        return {"system": self.system, "code": self.code, "display": self.display_en}


class UnknownCodeError(ValueError):
    """A code that is malformed or not in the shipped list; names the list and the value."""

    def __init__(self, code_list: str, value: str, reason: str):
        self.code_list = code_list
        self.value = value
        self.reason = reason
        super().__init__(f"{code_list}: {value!r} {reason}")


@cache
def load(code_list: str) -> dict[str, Code]:
    """All entries of one list keyed by code, in file order."""
    if code_list not in LISTS:
        raise ValueError(f"unknown code list {code_list!r}")
    with (DATA_DIR / f"{code_list}.csv").open(encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    return {
        row["code"]: Code(
            system=row["system"],
            code=row["code"],
            display_en=row["display_en"],
            display_ko=row["display_ko"],
            category=row.get("category") or "",
            keywords=row.get("keywords") or "",
        )
        for row in rows
    }


def normalize(code_list: str, value: str) -> str:
    """Canonical spelling: upper case, no spaces; ICD-10 / topography get their dot back."""
    text = (value or "").strip().upper().replace(" ", "")
    if code_list in (ICD10, ICDO3_TOPOGRAPHY) and "." not in text and len(text) > 3:
        text = f"{text[:3]}.{text[3:]}"
    return text


def is_well_formed(code_list: str, value: str) -> bool:
    return bool(_FORMATS[code_list].match(normalize(code_list, value)))


def lookup(code_list: str, value: str) -> Code:
    """The entry for ``value`` or :class:`UnknownCodeError` naming why it is rejected."""
    code = normalize(code_list, value)
    if not _FORMATS[code_list].match(code):
        raise UnknownCodeError(code_list, value, "is not a well-formed code")
    entry = load(code_list).get(code)
    if entry is None:
        raise UnknownCodeError(code_list, value, "is not in the curated code list")
    return entry


def _fold(text: str) -> str:
    return unicodedata.normalize("NFC", text).casefold()


def _haystack(entry: Code) -> str:
    return _fold(" ".join((entry.display_en, entry.display_ko, entry.category, entry.keywords)))


def search(code_list: str, query: str, *, limit: int = 20) -> list[Code]:
    """Autocomplete: codes starting with the query first, then displays containing every word.

    Matches English and Korean displays, and ignores the dot in codes (``c153`` finds C15.3).
    """
    q = _fold(query.strip())
    if not q:
        return []
    q_code = q.replace(".", "").replace(" ", "")
    words = q.split()
    by_code: list[Code] = []
    by_text: list[Code] = []
    for entry in load(code_list).values():
        if _fold(entry.code).replace(".", "").startswith(q_code):
            by_code.append(entry)
        elif all(w in _haystack(entry) for w in words):
            by_text.append(entry)
    return (by_code + by_text)[:limit]
