"""Quality-of-life questionnaires: definitions as data, scoring by subscale, drop detection.

A questionnaire (format ``oncocenter-qol/1``) has its own items, each on one subscale and
answered on a common ordinal scale; ``reverse`` items are turned round so that every subscale
scores 0-100 with higher = better (linear transformation as in the EORTC scoring manual). A
subscale is scored when at least half of its items are answered (mean of the answered ones).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

DATA_DIR = Path(__file__).resolve().parent / "data"
QOL_FORMAT = "oncocenter-qol/1"


def gettext_noop(message: str) -> str:
    """Mark a string for translation without translating it (keeps this module Django-free)."""
    return message


ANSWER_UNKNOWN_ITEM = gettext_noop("is not an item of this questionnaire")
ANSWER_OUTSIDE_SCALE = gettext_noop("answer %(value)s is outside %(low)s-%(high)s")


class QuestionnaireError(ValueError):
    """A bad definition or a bad answer; ``path`` names the item or field.

    ``template`` and ``params`` let the web layer show an answer's problem translated;
    ``message`` is the English text."""

    def __init__(
        self,
        path: str,
        message: str,
        *,
        template: str | None = None,
        params: Mapping[str, object] | None = None,
    ) -> None:
        self.path = path
        self.message = message
        self.template = template if template is not None else message.replace("%", "%%")
        self.params: Mapping[str, object] = params or {}
        super().__init__(f"{path}: {message}")


def validate_questionnaire(data: Mapping[str, Any]) -> None:
    def req(cond: object, path: str, msg: str) -> None:
        if not cond:
            raise QuestionnaireError(path, msg)

    req(data.get("format") == QOL_FORMAT, "format", f"must be {QOL_FORMAT!r}")
    req(isinstance(data.get("code"), str) and data["code"] != "", "code", "is required")
    scale = data.get("scale", {})
    req(
        isinstance(scale.get("min"), int)
        and isinstance(scale.get("max"), int)
        and scale["max"] > scale["min"],
        "scale",
        "needs whole min < max",
    )
    th = data.get("drop_threshold_points", 10)
    req(isinstance(th, int | float) and th > 0, "drop_threshold_points", "must be > 0")
    subs: Any = data.get("subscales")
    req(isinstance(subs, list) and subs, "subscales", "must be a non-empty list")
    sub_codes = {s.get("code") for s in subs}
    items: Any = data.get("items")
    req(isinstance(items, list) and items, "items", "must be a non-empty list")
    seen: set[str] = set()
    for i, item in enumerate(items):
        p = f"items[{i}]"
        req(isinstance(item.get("code"), str) and item["code"] != "", f"{p}.code", "is required")
        req(item["code"] not in seen, f"{p}.code", f"duplicate code {item['code']!r}")
        seen.add(item["code"])
        req(item.get("subscale") in sub_codes, f"{p}.subscale", "must name a declared subscale")
        text = item.get("text", {})
        req(bool(text.get("en")) and bool(text.get("ko")), f"{p}.text", "needs 'en' and 'ko'")
    for s in subs:
        req(
            any(it["subscale"] == s["code"] for it in items),
            f"subscales.{s['code']}",
            "has no items",
        )


def load_questionnaire(path: Path | str) -> dict[str, Any]:
    with open(path, encoding="utf-8") as fh:
        data = json.load(fh)
    validate_questionnaire(data)
    return data


def load_shipped_questionnaires() -> dict[str, dict[str, Any]]:
    out = {}
    for path in sorted(DATA_DIR.glob("qol_*.json")):
        data = load_questionnaire(path)
        out[data["code"]] = data
    return out


def score(
    definition: Mapping[str, Any], answers: Mapping[str, int | None]
) -> dict[str, float | None]:
    """Subscale scores 0-100 (higher = better); None where fewer than half were answered.

    Raises :class:`QuestionnaireError` naming the item for an unknown item or an answer
    outside the scale.
    """
    lo, hi = definition["scale"]["min"], definition["scale"]["max"]
    items = {it["code"]: it for it in definition["items"]}
    for code, value in answers.items():
        if code not in items:
            raise QuestionnaireError(code, ANSWER_UNKNOWN_ITEM, template=ANSWER_UNKNOWN_ITEM)
        if value is not None and (not isinstance(value, int) or not lo <= value <= hi):
            params = {"value": repr(value), "low": lo, "high": hi}
            raise QuestionnaireError(
                code, ANSWER_OUTSIDE_SCALE % params, template=ANSWER_OUTSIDE_SCALE, params=params
            )
    result: dict[str, float | None] = {}
    for sub in definition["subscales"]:
        sub_items = [it for it in definition["items"] if it["subscale"] == sub["code"]]
        values = []
        for it in sub_items:
            raw = answers.get(it["code"])
            if raw is None:
                continue
            norm = (raw - lo) / (hi - lo) * 100
            values.append(100 - norm if it.get("reverse") else norm)
        if len(values) * 2 < len(sub_items):
            result[sub["code"]] = None
        else:
            result[sub["code"]] = round(sum(values) / len(values), 1)
    return result


@dataclass(frozen=True)
class Drop:
    subscale: str
    previous: float
    current: float
    points: float
    threshold: float


def detect_drops(
    previous: Mapping[str, float | None],
    current: Mapping[str, float | None],
    *,
    threshold_points: float,
) -> list[Drop]:
    """Subscales whose score fell by ``threshold_points`` or more since the previous answer."""
    drops = []
    for code, now in current.items():
        before = previous.get(code)
        if now is None or before is None:
            continue
        fall = round(before - now, 1)
        if fall >= threshold_points:
            drops.append(Drop(code, before, now, fall, threshold_points))
    return drops
