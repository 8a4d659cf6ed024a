"""AJCC 8th edition TNM validation, driven by ``data/ajcc8_tnm.json``.

For every shipped site the T, N, M categories and stage groups are value sets; for sites with a
transcribed stage-group table (esophagus squamous and adenocarcinoma clinical groups, lung,
colorectal, nasopharynx, breast anatomic groups) the stage group is derived and a recorded group
that contradicts the table is rejected. Sites without a table still get the consistency rules of
the data file (M1 only with the metastatic groups, stage 0 only for Tis N0 M0, ...).
Pure Python, no Django.
"""

from __future__ import annotations

import dataclasses
import json
import re
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

DATA_PATH = Path(__file__).resolve().parent / "data" / "ajcc8_tnm.json"
EDITION = "8"
CLINICAL = "clinical"
PATHOLOGICAL = "pathological"
CLASSIFICATIONS = (CLINICAL, PATHOLOGICAL)
GENERIC = "generic"

_CATEGORY_RE = re.compile(r"^(?:y?[cp])?([TNM])(.*)$", re.IGNORECASE)
_MORPH_RE = re.compile(r"^(\d{4})(?:/\d)?$")
FIELD_OF_AXIS = {"T": "t_category", "N": "n_category", "M": "m_category"}


@dataclass(frozen=True)
class StagingProblem:
    """One rejected value: the field, the value and the rule it breaks (in English). `code` and
    `params` name the rule for callers that word it in the reader's language."""

    field: str
    value: str
    rule: str
    code: str = ""
    # `dataclasses.field` in full: the attribute `field` above shadows the name in this body.
    params: dict[str, str] = dataclasses.field(default_factory=dict, compare=False, hash=False)

    def __str__(self) -> str:
        return f"{self.field}: {self.value!r} {self.rule}"


class StagingError(ValueError):
    def __init__(self, problems: list[StagingProblem]):
        self.problems = problems
        super().__init__("; ".join(str(p) for p in problems))


@dataclass
class StagingResult:
    site: str
    classification: str
    t: str
    n: str
    m: str
    stage_group: str
    derived_stage_group: str | None
    problems: list[StagingProblem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


@cache
def data() -> dict:
    return json.loads(DATA_PATH.read_text(encoding="utf-8"))


def sites() -> dict[str, dict]:
    return data()["sites"]


def normalize_category(axis: str, value: str) -> str:
    """``"cT1B"`` -> ``"T1b"``, ``"pNx"`` -> ``"NX"``, ``"Tis"`` stays; '' stays ''."""
    text = (value or "").strip()
    if not text:
        return ""
    m = _CATEGORY_RE.match(text)
    if not m or m.group(1).upper() != axis:
        return text
    body = m.group(2)
    body = "X" if body.upper() == "X" else body.lower()
    return f"{axis}{body}"


def normalize_stage_group(value: str) -> str:
    text = (value or "").strip().replace(" ", "")
    if text.lower() == "occult":
        return "Occult"
    text = text.upper()
    return text.removeprefix("STAGE")


def site_for_icd10(code: str) -> str:
    """The staging site whose ICD-10 prefixes cover ``code`` (``generic`` otherwise)."""
    plain = (code or "").upper().replace(".", "")
    best, best_len = GENERIC, 0
    for name, site in sites().items():
        for prefix in site["icd10_prefixes"]:
            p = prefix.upper().replace(".", "")
            if plain.startswith(p) and len(p) > best_len:
                best, best_len = name, len(p)
    return best


def histology_for(site: str, morphology: str | None) -> str | None:
    """Histology family of the site's tables (``squamous``, ``adenocarcinoma``) or None."""
    families = sites()[site].get("histologies") or {}
    m = _MORPH_RE.match((morphology or "").strip())
    if not m:
        return None
    number = int(m.group(1))
    for name, ranges in families.items():
        for part in ranges.split(","):
            lo, _, hi = part.partition("-")
            if int(lo) <= number <= int(hi or lo):
                return name
    return None


def _table_for(site: dict, classification: str, histology: str | None) -> dict | None:
    for table in site["tables"]:
        if classification not in table["classification"]:
            continue
        if table["histology"] == "any" or table["histology"] == histology:
            return table
    return None


def _matches(value: str, allowed: list[str], aliases: dict[str, str]) -> bool:
    return "*" in allowed or value in allowed or aliases.get(value) in allowed


def allowed_stage_groups(
    *, site: str, classification: str, t: str, n: str, m: str, morphology: str | None = None
) -> tuple[str, ...] | None:
    """The stage groups the site's table allows for T, N, M (None: no table or no row). One group
    when the table decides; several when it needs data not recorded here (grade, location)."""
    spec = sites()[site]
    table = _table_for(spec, classification, histology_for(site, morphology))
    if table is None:
        return None
    aliases = table.get("aliases", {})
    for row in table["rows"]:
        if (
            _matches(t, row["T"], aliases)
            and _matches(n, row["N"], aliases)
            and _matches(m, row["M"], aliases)
        ):
            stage = row["stage"]
            return (stage,) if isinstance(stage, str) else tuple(stage)
    return None


def derive_stage_group(
    *, site: str, classification: str, t: str, n: str, m: str, morphology: str | None = None
) -> str | None:
    """The stage group the site's table gives for T, N, M (None: no table, no row, or ambiguous)."""
    allowed = allowed_stage_groups(
        site=site, classification=classification, t=t, n=n, m=m, morphology=morphology
    )
    return allowed[0] if allowed is not None and len(allowed) == 1 else None


def has_table(site: str, classification: str, morphology: str | None = None) -> bool:
    return _table_for(sites()[site], classification, histology_for(site, morphology)) is not None


def evaluate(
    *,
    site: str,
    classification: str,
    t: str,
    n: str,
    m: str,
    stage_group: str = "",
    morphology: str | None = None,
) -> StagingResult:
    """Check a TNM record; the result lists every problem (empty list: acceptable).

    When the site has a table and no stage group was given, ``stage_group`` in the result is
    the derived one.
    """
    problems: list[StagingProblem] = []
    if site not in sites():
        problems.append(
            StagingProblem(
                "site", site, "is not a staging site of AJCC 8th here", code="unknown_site"
            )
        )
        return StagingResult(site, classification, t, n, m, stage_group, None, problems)
    if classification not in CLASSIFICATIONS:
        problems.append(
            StagingProblem(
                "classification",
                classification,
                "must be clinical or pathological",
                code="classification",
            )
        )
    spec = sites()[site]
    values = {
        "T": normalize_category("T", t),
        "N": normalize_category("N", n),
        "M": normalize_category("M", m),
    }
    group = normalize_stage_group(stage_group)
    label = spec["label_en"]
    for axis, value in values.items():
        if not value:
            problems.append(
                StagingProblem(FIELD_OF_AXIS[axis], value, "is required", code="required")
            )
        elif value not in spec[axis]:
            problems.append(
                StagingProblem(
                    FIELD_OF_AXIS[axis],
                    value,
                    f"is not an AJCC 8th {axis} category for {label} ({', '.join(spec[axis])})",
                    code="not_category",
                    params={"site": site, "axis": axis, "values": ", ".join(spec[axis])},
                )
            )
    if group and group not in spec["stage_groups"]:
        problems.append(
            StagingProblem(
                "stage_group",
                group,
                f"is not an AJCC 8th stage group for {label}",
                code="not_stage_group",
                params={"site": site},
            )
        )
    result = StagingResult(site, classification, values["T"], values["N"], values["M"], group, None)
    if problems:
        result.problems = problems
        return result

    tnm = f"{values['T']} {values['N']} {values['M']}"
    allowed = allowed_stage_groups(
        site=site,
        classification=classification,
        morphology=morphology,
        t=values["T"],
        n=values["N"],
        m=values["M"],
    )
    derived = allowed[0] if allowed is not None and len(allowed) == 1 else None
    result.derived_stage_group = derived
    table = has_table(site, classification, morphology)
    if derived is not None:
        if group and group != derived:
            problems.append(
                StagingProblem(
                    "stage_group",
                    group,
                    f"contradicts AJCC 8th {label} {classification}: {tnm} is stage {derived}",
                    code="contradicts",
                    params={
                        "site": site,
                        "classification": classification,
                        "tnm": tnm,
                        "stage": derived,
                    },
                )
            )
        elif not group:
            result.stage_group = derived
    elif allowed is not None:
        if group and group not in allowed:
            problems.append(
                StagingProblem(
                    "stage_group",
                    group,
                    f"contradicts AJCC 8th {label} {classification}: {tnm} is stage "
                    f"{' or '.join(allowed)} (depending on grade/location)",
                    code="contradicts_any",
                    params={
                        "site": site,
                        "classification": classification,
                        "tnm": tnm,
                        "stages": ", ".join(allowed),
                    },
                )
            )
    elif group and table and "X" not in tnm:
        problems.append(
            StagingProblem(
                "stage_group",
                group,
                f"is impossible: AJCC 8th {label} {classification} defines no stage group for {tnm}",
                code="no_stage_group",
                params={"site": site, "classification": classification, "tnm": tnm},
            )
        )
    if group and not problems:
        problems.extend(_constraint_problems(site, spec, group, values, label))
    result.problems = problems
    return result


def _constraint_problems(
    site: str, spec: dict, group: str, values: dict[str, str], label: str
) -> list[StagingProblem]:
    problems = []
    m1_groups = spec.get("m1_stage_groups")
    metastatic = values["M"].startswith("M1")
    if m1_groups is not None:
        if metastatic and group not in m1_groups:
            problems.append(
                StagingProblem(
                    "stage_group",
                    group,
                    f"is impossible with {values['M']}: distant metastasis is stage {'/'.join(m1_groups)} for {label}",
                    code="metastatic_stage",
                    params={"site": site, "m": values["M"], "stages": "/".join(m1_groups)},
                )
            )
        if not metastatic and group in m1_groups:
            problems.append(
                StagingProblem(
                    "m_category",
                    values["M"],
                    f"contradicts stage {group}, which requires distant metastasis (M1) for {label}",
                    code="needs_metastasis",
                    params={"site": site, "stage": group},
                )
            )
    for axis, allowed in (spec.get("constraints", {}).get(group) or {}).items():
        if values[axis] not in allowed:
            problems.append(
                StagingProblem(
                    FIELD_OF_AXIS[axis],
                    values[axis],
                    f"is impossible with stage {group} for {label} (requires {'/'.join(allowed)})",
                    code="stage_requires",
                    params={"site": site, "stage": group, "allowed": "/".join(allowed)},
                )
            )
    return problems


def validate(**kwargs) -> StagingResult:
    """Like :func:`evaluate` but raises :class:`StagingError` when anything is wrong."""
    result = evaluate(**kwargs)
    if result.problems:
        raise StagingError(result.problems)
    return result
