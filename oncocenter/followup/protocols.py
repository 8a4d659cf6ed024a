"""Follow-up protocol templates and the pure generator of due items (no Django).

Two kinds of template, both plain JSON that a clinician can review and edit
(``followup/data/*.json`` are the shipped examples; the web layer stores edited copies):

* ``oncocenter-followup-protocol/1``: items (visit, imaging, test, procedure, assessment,
  questionnaire) each with a schedule of blocks counted in months from the end of treatment:
  ``{"from_month": 0, "to_month": 24, "every_months": 3}`` gives months 3, 6, ... 24, and
  ``{"at_months": [1, 2]}`` gives single dates.
* ``oncocenter-late-effects/1``: exposure-based rules for childhood cancer survivors in the
  COG style: exposure (with an optional dose range, sex, age at exposure) -> test -> start
  (age, years after exposure, entry into long-term follow-up; combined by "later" or
  "earlier") and interval (or a count of 1 for a baseline test), optionally until an age.

Names may contain ``{field}``, filled from the context (the treated field of an RT course).
"""

from __future__ import annotations

import calendar
import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

DATA_DIR = Path(__file__).resolve().parent / "data"
PROTOCOL_FORMAT = "oncocenter-followup-protocol/1"
LATE_EFFECTS_FORMAT = "oncocenter-late-effects/1"
ITEM_KINDS = ("visit", "imaging", "test", "procedure", "assessment", "questionnaire")
MODALITIES = ("surgery", "chemotherapy", "radiotherapy", "hsct", "immunotherapy", "other")
DEFAULT_CONTEXT = {"field": "treated field"}
DEFAULT_CONTEXT_KO = {"field": "치료 부위"}


class TemplateError(ValueError):
    """A template does not follow its format; ``path`` locates the problem (e.g. items[2])."""

    def __init__(self, path: str, message: str) -> None:
        self.path = path
        self.message = message
        super().__init__(f"{path}: {message}")


def add_months(day: date, months: int) -> date:
    """``day`` plus ``months`` calendar months, clamped to the end of a shorter month."""
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


class _SafeDict(dict):
    def __missing__(self, key: str) -> str:
        return "{" + key + "}"


def _fill(text: str, context: Mapping[str, str]) -> str:
    return text.format_map(_SafeDict(context))


@dataclass(frozen=True)
class DueItem:
    """One visit or test the plan expects, with its window and where it came from."""

    source: str  # template code, or template code + ":" + rule code
    item_code: str
    kind: str
    name_en: str
    name_ko: str
    due_on: date
    window_days: int = 21
    appointment_type: str = ""
    rationale_en: str = ""
    rationale_ko: str = ""
    sequence: int = 1


# --- loading and validation -----------------------------------------------------------------


def _require(cond: object, path: str, message: str) -> None:
    if not cond:
        raise TemplateError(path, message)


def _check_name(obj: Any, path: str) -> None:
    _require(isinstance(obj, dict), path, "must be an object with 'en' and 'ko' texts")
    for lang in ("en", "ko"):
        _require(
            isinstance(obj.get(lang), str) and obj[lang].strip() != "",
            f"{path}.{lang}",
            "is required text",
        )


def _check_schedule(blocks: Any, path: str) -> None:
    _require(isinstance(blocks, list) and blocks, path, "must be a non-empty list of blocks")
    for i, block in enumerate(blocks):
        p = f"{path}[{i}]"
        _require(isinstance(block, dict), p, "must be an object")
        if "at_months" in block:
            months = block["at_months"]
            _require(
                isinstance(months, list)
                and months
                and all(isinstance(m, int) and m >= 0 for m in months),
                f"{p}.at_months",
                "must be a list of whole months >= 0",
            )
            continue
        for key in ("from_month", "to_month", "every_months"):
            _require(isinstance(block.get(key), int), f"{p}.{key}", "is a required whole number")
        _require(block["from_month"] >= 0, f"{p}.from_month", "must be >= 0")
        _require(block["every_months"] > 0, f"{p}.every_months", "must be > 0")
        _require(
            block["to_month"] > block["from_month"], f"{p}.to_month", "must be after from_month"
        )


def validate_protocol(data: Mapping[str, Any]) -> None:
    """Raise :class:`TemplateError` at the first problem of a follow-up protocol template."""
    _require(data.get("format") == PROTOCOL_FORMAT, "format", f"must be {PROTOCOL_FORMAT!r}")
    _require(isinstance(data.get("code"), str) and data["code"] != "", "code", "is required")
    _check_name(data.get("name"), "name")
    applies = data.get("applies_to", {})
    _require(isinstance(applies, dict), "applies_to", "must be an object")
    for key in ("requires_modalities", "excludes_modalities"):
        for m in applies.get(key, []):
            _require(m in MODALITIES, f"applies_to.{key}", f"unknown modality {m!r}")
    horizon = data.get("horizon_months", 120)
    _require(isinstance(horizon, int) and horizon > 0, "horizon_months", "must be > 0")
    items: Any = data.get("items")
    _require(isinstance(items, list) and items, "items", "must be a non-empty list")
    codes = set()
    for i, item in enumerate(items):
        p = f"items[{i}]"
        _require(isinstance(item, dict), p, "must be an object")
        _require(isinstance(item.get("code"), str) and item["code"], f"{p}.code", "is required")
        _require(item["code"] not in codes, f"{p}.code", f"duplicate code {item['code']!r}")
        codes.add(item["code"])
        _require(item.get("kind") in ITEM_KINDS, f"{p}.kind", f"must be one of {ITEM_KINDS}")
        _check_name(item.get("name"), f"{p}.name")
        window = item.get("window_days", 21)
        _require(isinstance(window, int) and window >= 0, f"{p}.window_days", "must be >= 0")
        _check_schedule(item.get("schedule"), f"{p}.schedule")


def validate_late_effects(data: Mapping[str, Any]) -> None:
    """Raise :class:`TemplateError` at the first problem of a late-effects rule set."""
    _require(
        data.get("format") == LATE_EFFECTS_FORMAT, "format", f"must be {LATE_EFFECTS_FORMAT!r}"
    )
    _require(isinstance(data.get("code"), str) and data["code"] != "", "code", "is required")
    _check_name(data.get("name"), "name")
    exposures: Any = data.get("exposures")
    _require(isinstance(exposures, dict) and exposures, "exposures", "must be a non-empty object")
    entry = data.get("ltfu_entry_years_after_therapy", 2)
    _require(
        isinstance(entry, int | float) and entry >= 0, "ltfu_entry_years_after_therapy", ">= 0"
    )
    rules: Any = data.get("rules")
    _require(isinstance(rules, list) and rules, "rules", "must be a non-empty list")
    for i, rule in enumerate(rules):
        p = f"rules[{i}]"
        _require(isinstance(rule, dict), p, "must be an object")
        _require(isinstance(rule.get("code"), str) and rule["code"], f"{p}.code", "is required")
        _require(
            rule.get("exposure") in exposures, f"{p}.exposure", "must name a declared exposure"
        )
        test = rule.get("test")
        _require(isinstance(test, dict), f"{p}.test", "must be an object")
        _require(isinstance(test.get("code"), str) and test["code"], f"{p}.test.code", "required")
        _require(test.get("kind") in ITEM_KINDS, f"{p}.test.kind", f"one of {ITEM_KINDS}")
        _check_name(test.get("name"), f"{p}.test.name")
        when = rule.get("when", {})
        _require(isinstance(when, dict), f"{p}.when", "must be an object")
        if "sex" in when:
            _require(when["sex"] in ("F", "M"), f"{p}.when.sex", "must be 'F' or 'M'")
        start = rule.get("start")
        _require(
            isinstance(start, dict)
            and any(k in start for k in ("age_years", "years_after_exposure", "ltfu_entry")),
            f"{p}.start",
            "needs age_years, years_after_exposure or ltfu_entry",
        )
        _require(
            start.get("combine", "later") in ("later", "earlier"),
            f"{p}.start.combine",
            "must be 'later' or 'earlier'",
        )
        count = rule.get("count")
        interval = rule.get("interval_months")
        _require(
            count == 1 or (isinstance(interval, int) and interval > 0),
            f"{p}.interval_months",
            "is required (> 0) unless count is 1",
        )


def load_template(path: Path | str) -> dict[str, Any]:
    """Read and validate one template file."""
    with open(path, encoding="utf-8") as fh:
        data = json.load(fh)
    if data.get("format") == LATE_EFFECTS_FORMAT:
        validate_late_effects(data)
    else:
        validate_protocol(data)
    return data


def load_shipped_templates() -> dict[str, dict[str, Any]]:
    """The example templates shipped in ``followup/data``, by code."""
    out: dict[str, dict[str, Any]] = {}
    for path in sorted(DATA_DIR.glob("*.json")):
        data = load_template(path)
        out[data["code"]] = data
    return out


# --- protocol plans ------------------------------------------------------------------------


def applies(template: Mapping[str, Any], *, icd10_code: str, modalities: Iterable[str]) -> bool:
    """Does a protocol fit this diagnosis and these treatment modalities?"""
    rule = template.get("applies_to", {})
    mods = set(modalities)
    prefixes = rule.get("icd10_prefixes") or []
    if prefixes and not any(icd10_code.upper().startswith(p.upper()) for p in prefixes):
        return False
    if not set(rule.get("requires_modalities", [])) <= mods:
        return False
    return not set(rule.get("excludes_modalities", [])) & mods


def _months(schedule: Sequence[Mapping[str, Any]], horizon: int) -> list[int]:
    months: set[int] = set()
    for block in schedule:
        if "at_months" in block:
            months.update(m for m in block["at_months"] if m <= horizon)
            continue
        m = block["from_month"] + block["every_months"]
        while m <= min(block["to_month"], horizon):
            months.add(m)
            m += block["every_months"]
    return sorted(months)


def generate_plan(
    template: Mapping[str, Any],
    *,
    treatment_end: date,
    context: Mapping[str, str] | None = None,
    context_ko: Mapping[str, str] | None = None,
    horizon_months: int | None = None,
) -> list[DueItem]:
    """Due items of a protocol counted from ``treatment_end``, sorted by date then item."""
    horizon = horizon_months or template.get("horizon_months", 120)
    ctx_en = {**DEFAULT_CONTEXT, **(context or {})}
    ctx_ko = {**DEFAULT_CONTEXT_KO, **(context_ko or context or {})}
    out: list[DueItem] = []
    for item in template["items"]:
        for seq, month in enumerate(_months(item["schedule"], horizon), start=1):
            out.append(
                DueItem(
                    source=template["code"],
                    item_code=item["code"],
                    kind=item["kind"],
                    name_en=_fill(item["name"]["en"], ctx_en),
                    name_ko=_fill(item["name"]["ko"], ctx_ko),
                    due_on=add_months(treatment_end, month),
                    window_days=item.get("window_days", 21),
                    appointment_type=item.get("appointment_type", ""),
                    sequence=seq,
                )
            )
    return sorted(out, key=lambda d: (d.due_on, d.item_code))


# --- childhood late effects ----------------------------------------------------------------


@dataclass(frozen=True)
class Exposure:
    """A treatment exposure: code (e.g. ``chest_rt``), when it ended, its dose if relevant."""

    code: str
    ended_on: date
    dose: float | None = None
    field: str = ""


@dataclass(frozen=True)
class Survivor:
    birth_date: date
    sex: str  # "F" or "M" (other values match no sex-restricted rule)
    therapy_end: date
    exposures: tuple[Exposure, ...] = field(default_factory=tuple)


def _age_on(birth: date, day: date) -> float:
    return (day - birth).days / 365.25


def _matches(when: Mapping[str, Any], exp: Exposure, survivor: Survivor) -> bool:
    if "sex" in when and survivor.sex != when["sex"]:
        return False
    if "min_dose" in when and (exp.dose is None or exp.dose < when["min_dose"]):
        return False
    if "max_dose" in when and (exp.dose is None or exp.dose >= when["max_dose"]):
        return False
    age = _age_on(survivor.birth_date, exp.ended_on)
    if "min_age_at_exposure_years" in when and age < when["min_age_at_exposure_years"]:
        return False
    return not ("max_age_at_exposure_years" in when and age >= when["max_age_at_exposure_years"])


def _years_after(day: date, years: float) -> date:
    return add_months(day, round(years * 12))


def generate_late_effects(
    rules: Mapping[str, Any],
    survivor: Survivor,
    *,
    until: date,
) -> list[DueItem]:
    """Due screening tests for a survivor up to ``until``, one series per (rule, exposure).

    When several rules prescribe the same test, the series are kept apart (each carries its
    rationale) and the caller deduplicates by date if it wishes; :func:`merge_due` does the
    usual thing (same test within the shorter window -> one item).
    """
    entry_years = rules.get("ltfu_entry_years_after_therapy", 2)
    ltfu_entry = _years_after(survivor.therapy_end, entry_years)
    out: list[DueItem] = []
    for rule in rules["rules"]:
        for exp in survivor.exposures:
            if exp.code != rule["exposure"] or not _matches(rule.get("when", {}), exp, survivor):
                continue
            start_rule = rule["start"]
            candidates = []
            if "age_years" in start_rule:
                candidates.append(_years_after(survivor.birth_date, start_rule["age_years"]))
            if "years_after_exposure" in start_rule:
                candidates.append(_years_after(exp.ended_on, start_rule["years_after_exposure"]))
            if start_rule.get("ltfu_entry"):
                candidates.append(ltfu_entry)
            combine = start_rule.get("combine", "later")
            start = max(candidates) if combine == "later" else min(candidates)
            stop = until
            if "until_age_years" in rule:
                stop = min(stop, _years_after(survivor.birth_date, rule["until_age_years"]))
            ctx_en = {**DEFAULT_CONTEXT, **({"field": exp.field} if exp.field else {})}
            ctx_ko = {**DEFAULT_CONTEXT_KO, **({"field": exp.field} if exp.field else {})}
            test = rule["test"]
            due = start
            seq = 1
            while due <= stop:
                out.append(
                    DueItem(
                        source=f"{rules['code']}:{rule['code']}",
                        item_code=test["code"],
                        kind=test["kind"],
                        name_en=_fill(test["name"]["en"], ctx_en),
                        name_ko=_fill(test["name"]["ko"], ctx_ko),
                        due_on=due,
                        window_days=rule.get("window_days", 60),
                        appointment_type="follow-up" if test["kind"] == "visit" else "",
                        rationale_en=rule.get("rationale", {}).get("en", ""),
                        rationale_ko=rule.get("rationale", {}).get("ko", ""),
                        sequence=seq,
                    )
                )
                if rule.get("count") == 1:
                    break
                seq += 1
                due = add_months(start, rule["interval_months"] * (seq - 1))
    return sorted(out, key=lambda d: (d.due_on, d.item_code, d.source))


def merge_due(items: Iterable[DueItem]) -> list[DueItem]:
    """Drop an item when the same test is already due within its window (keeps the first,
    whose rationale names the stricter rule because series are sorted by date)."""
    kept: list[DueItem] = []
    last: dict[str, DueItem] = {}
    for item in sorted(items, key=lambda d: (d.due_on, d.item_code, d.source)):
        prev = last.get(item.item_code)
        if prev and (item.due_on - prev.due_on).days <= min(prev.window_days, item.window_days):
            continue
        kept.append(item)
        last[item.item_code] = item
    return kept


# --- due-item status and slot suggestions --------------------------------------------------


def overdue_days(*, due_on: date, window_days: int, today: date) -> int:
    """Days past the end of the item's window (0 while still inside or before it)."""
    return max(0, (today - due_on).days - window_days)


def rank_dates_for_due(
    *, due_on: date, window_days: int, candidates: Iterable[date], today: date, limit: int = 5
) -> list[date]:
    """Candidate session dates inside the item's window (or, when overdue, the soonest ones),
    nearest to the due date first."""
    lo = due_on.toordinal() - window_days
    hi = due_on.toordinal() + window_days
    future = sorted({d for d in candidates if d >= today})
    inside = [d for d in future if lo <= d.toordinal() <= hi]
    if inside:
        return sorted(inside, key=lambda d: (abs(d.toordinal() - due_on.toordinal()), d))[:limit]
    if today.toordinal() > hi:
        return future[:limit]
    return [d for d in future if d.toordinal() >= lo][:limit]
