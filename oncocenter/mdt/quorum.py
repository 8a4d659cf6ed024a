"""Tumor-board quorum: which required disciplines are present and which are missing.

Pure Python. A discipline counts as present when at least one attendee represents it.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass


@dataclass(frozen=True)
class QuorumResult:
    required: tuple[str, ...]
    present: tuple[str, ...]
    missing: tuple[str, ...]

    @property
    def met(self) -> bool:
        return not self.missing


def check_quorum(required: Iterable[str], attending: Iterable[str]) -> QuorumResult:
    """Required disciplines in their given order, split into present and missing."""
    required_list = list(dict.fromkeys(required))
    attending_set = set(attending)
    present = tuple(d for d in required_list if d in attending_set)
    missing = tuple(d for d in required_list if d not in attending_set)
    return QuorumResult(tuple(required_list), present, missing)
