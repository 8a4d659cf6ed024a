"""Symptom questionnaires (PRO-CTCAE-style items) as data, with branching and alert rules.

Pure Python, no Django. Items follow the PRO-CTCAE pattern of attributes (frequency, severity,
interference with daily activities, each answered 0-4); the wording here is the center's own
plain-language paraphrase in Korean and English, not the licensed NCI text. Branching: when the
first attribute of an item is 0 ("never" / "none") its follow-up attributes are not asked and any
answer given to them is refused.

Alert rules (Basch et al.): an answer of 3 or 4 on severity or interference, or "almost
constantly" on frequency, is *severe*; a rise of 2 or more on any attribute since the previous
report of the same questionnaire is *worsening*.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

SCALES: dict[str, dict[str, list[str]]] = {
    "frequency": {
        "en": ["Never", "Rarely", "Occasionally", "Frequently", "Almost constantly"],
        "ko": ["전혀 없음", "드물게", "가끔", "자주", "거의 항상"],
    },
    "severity": {
        "en": ["None", "Mild", "Moderate", "Severe", "Very severe"],
        "ko": ["없음", "경미함", "중간", "심함", "매우 심함"],
    },
    "interference": {
        "en": ["Not at all", "A little bit", "Somewhat", "Quite a bit", "Very much"],
        "ko": ["전혀 아님", "약간", "어느 정도", "꽤 많이", "매우 많이"],
    },
}
SEVERE_AT = 3
WORSENING_POINTS = 2


@dataclass(frozen=True)
class Item:
    code: str
    attributes: tuple[str, ...]  # asked in order; the first one gates the rest
    text: Mapping[str, str]  # adult wording
    proxy_text: Mapping[str, str]  # asked of a guardian about the child


@dataclass(frozen=True)
class Instrument:
    code: str
    name: Mapping[str, str]
    items: tuple[Item, ...]
    proxy: bool = False


def _item(code: str, attrs: tuple[str, ...], en: str, ko: str, pen: str, pko: str) -> Item:
    return Item(code, attrs, {"en": en, "ko": ko}, {"en": pen, "ko": pko})


ITEMS: tuple[Item, ...] = (
    _item(
        "dysphagia",
        ("severity",),
        "In the last 7 days, how hard was it to swallow, at its worst?",
        "지난 7일 동안 삼키기가 가장 힘들 때 어느 정도였습니까?",
        "In the last 7 days, how hard was it for your child to swallow, at its worst?",
        "지난 7일 동안 아이가 삼키기 가장 힘들 때 어느 정도였습니까?",
    ),
    _item(
        "esophagitis",
        ("severity", "interference"),
        "In the last 7 days, how bad was the pain or burning in your chest when swallowing?",
        "지난 7일 동안 삼킬 때 가슴의 통증이나 쓰림이 어느 정도였습니까?",
        "In the last 7 days, how bad was your child's pain or burning when swallowing?",
        "지난 7일 동안 아이가 삼킬 때 통증이나 쓰림이 어느 정도였습니까?",
    ),
    _item(
        "nausea",
        ("frequency", "severity"),
        "In the last 7 days, how often did you feel nauseous (sick to your stomach)?",
        "지난 7일 동안 얼마나 자주 메스꺼움을 느끼셨습니까?",
        "In the last 7 days, how often did your child feel sick to the stomach?",
        "지난 7일 동안 아이가 얼마나 자주 메스꺼워했습니까?",
    ),
    _item(
        "mucositis",
        ("severity", "interference"),
        "In the last 7 days, how bad were sores in your mouth or throat, at their worst?",
        "지난 7일 동안 입안이나 목의 헐음(구내염)이 가장 심할 때 어느 정도였습니까?",
        "In the last 7 days, how bad were the sores in your child's mouth or throat?",
        "지난 7일 동안 아이의 입안이나 목의 헐음(구내염)이 가장 심할 때 어느 정도였습니까?",
    ),
    _item(
        "fatigue",
        ("severity", "interference"),
        "In the last 7 days, how bad was your tiredness or lack of energy, at its worst?",
        "지난 7일 동안 피로감이나 기운 없음이 가장 심할 때 어느 정도였습니까?",
        "In the last 7 days, how tired or low in energy was your child, at worst?",
        "지난 7일 동안 아이의 피로감이나 기운 없음이 가장 심할 때 어느 정도였습니까?",
    ),
    _item(
        "pain",
        ("frequency", "severity", "interference"),
        "In the last 7 days, how often did you have pain?",
        "지난 7일 동안 얼마나 자주 통증이 있었습니까?",
        "In the last 7 days, how often did your child have pain?",
        "지난 7일 동안 아이가 얼마나 자주 아파했습니까?",
    ),
)

ADULT = Instrument(
    "symptoms-weekly",
    {"en": "Weekly symptom report", "ko": "주간 증상 보고"},
    ITEMS,
)
PROXY = Instrument(
    "symptoms-weekly-proxy",
    {"en": "Weekly symptom report (guardian for a child)", "ko": "주간 증상 보고 (보호자용)"},
    ITEMS,
    proxy=True,
)
INSTRUMENTS: dict[str, Instrument] = {i.code: i for i in (ADULT, PROXY)}
ATTRIBUTE_NAMES = {
    "frequency": {"en": "how often", "ko": "빈도"},
    "severity": {"en": "how bad", "ko": "정도"},
    "interference": {"en": "interference with daily activities", "ko": "일상생활 지장"},
}
ITEM_NAMES = {
    "dysphagia": {"en": "Difficulty swallowing", "ko": "삼킴 곤란"},
    "esophagitis": {"en": "Pain on swallowing", "ko": "삼킴 통증(식도염)"},
    "nausea": {"en": "Nausea", "ko": "메스꺼움"},
    "mucositis": {"en": "Mouth or throat sores", "ko": "구내염"},
    "fatigue": {"en": "Fatigue", "ko": "피로"},
    "pain": {"en": "Pain", "ko": "통증"},
}


class AnswerError(ValueError):
    def __init__(self, field: str, rule: str, value: object = None) -> None:
        self.field, self.rule, self.value = field, rule, value
        super().__init__(f"{field}: {rule}")


def answer_key(item: str, attribute: str) -> str:
    return f"{item}.{attribute}"


def asked(item: Item, answers: Mapping[str, int | None]) -> list[str]:
    """The attributes of `item` to ask given the answers so far (branching on the first one)."""
    first = item.attributes[0]
    value = answers.get(answer_key(item.code, first))
    if value == 0:
        return [first]
    return list(item.attributes)


def validate(instrument: Instrument, answers: Mapping[str, int | None]) -> dict[str, int]:
    """Every asked attribute answered 0-4; nothing answered that the branching skips."""
    known = {answer_key(i.code, a) for i in instrument.items for a in i.attributes}
    for key in answers:
        if key not in known:
            raise AnswerError(key, "unknown", key)
    clean: dict[str, int] = {}
    for item in instrument.items:
        wanted = asked(item, answers)
        for attr in item.attributes:
            key = answer_key(item.code, attr)
            value = answers.get(key)
            if attr not in wanted:
                if value not in (None, 0):
                    raise AnswerError(key, "skipped", value)
                continue
            if value is None:
                raise AnswerError(key, "required")
            if not isinstance(value, int) or not 0 <= value <= 4:
                raise AnswerError(key, "range", value)
            clean[key] = value
    return clean


@dataclass(frozen=True)
class Finding:
    item: str
    attribute: str
    value: int
    rule: str  # "severe" | "worsening"
    previous: int | None = None

    def as_dict(self) -> dict[str, object]:
        return {
            "item": self.item,
            "attribute": self.attribute,
            "value": self.value,
            "rule": self.rule,
            "previous": self.previous,
        }


def evaluate(
    answers: Mapping[str, int], previous: Mapping[str, int] | None = None
) -> list[Finding]:
    """The answers that must reach a nurse: severe ones, then those worse by 2+ than last time."""
    findings: list[Finding] = []
    for key, value in sorted(answers.items()):
        item, attr = key.split(".", 1)
        severe = value >= SEVERE_AT if attr != "frequency" else value >= 4
        if severe:
            findings.append(Finding(item, attr, value, "severe"))
            continue
        before = (previous or {}).get(key)
        if before is not None and value - before >= WORSENING_POINTS:
            findings.append(Finding(item, attr, value, "worsening", before))
    return findings


def describe(findings: list[Finding], language: str) -> str:
    lang = language if language in ("en", "ko") else "en"
    parts = []
    for f in findings:
        label = SCALES[f.attribute][lang][f.value]
        text = f"{ITEM_NAMES[f.item][lang]} ({ATTRIBUTE_NAMES[f.attribute][lang]}): {label}"
        if f.rule == "worsening":
            was = SCALES[f.attribute][lang][f.previous or 0]
            text += f" ← {was}"
        parts.append(text)
    return "; ".join(parts)
