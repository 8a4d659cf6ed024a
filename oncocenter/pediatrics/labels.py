"""Vocabulary labels in the user's language.

The data files carry an English and a Korean label per code; these helpers pick the one of the
active language when the label is shown (lazily, so model and form choices declared at import
time still follow each request's language).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from django.utils.functional import lazy
from django.utils.translation import get_language


def language() -> str:
    """The active language's code without region ("ko", "en")."""
    return (get_language() or "en")[:2]


def label(item: Mapping[str, Any]) -> str:
    """The item's label in the active language (English when it has none in that language)."""
    return str(item.get(language()) or item["en"])


lazy_label = lazy(label, str)


def vocab_choices(items: Iterable[Mapping[str, Any]], *, blank: bool = False) -> list[Any]:
    """(code, label) choices whose labels follow the language of the request showing them."""
    out: list[Any] = [(i["code"], lazy_label(i)) for i in items]
    return [("", "---------"), *out] if blank else out
