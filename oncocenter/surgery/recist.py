"""RECIST 1.1 (Eisenhauer et al., Eur J Cancer 2009): target lesions, sums and the response.

Pure Python, no Django. The category is computed from the measurements; a category typed by a
person is only ever compared with it.

- Baseline: at most 5 target lesions, at most 2 per organ; a non-nodal lesion is measurable
  from 10 mm (longest diameter), a lymph node from 15 mm (short axis).
- The sum adds longest diameters of non-nodal lesions and short axes of nodes.
- Follow-up measures the same lesions as the baseline (the same labels); another set of target
  lesions needs a new baseline.
- Target response: CR when every non-nodal lesion has disappeared and every node is < 10 mm;
  PD when the sum rose by >= 20 % over the nadir (smallest sum on study, baseline included) and
  by >= 5 mm; PR when it fell by >= 30 % from baseline; SD otherwise.
- Overall (RECIST 1.1 table 1): a new lesion or unequivocal non-target progression is PD; target
  CR with non-target CR (or none) is CR; target CR with non-target non-CR/non-PD is PR.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

MAX_TARGETS = 5
MAX_PER_ORGAN = 2
MIN_NON_NODAL_MM = Decimal(10)
MIN_NODE_MM = Decimal(15)
NODE_NORMAL_MM = Decimal(10)
PR_DROP = Decimal(-30)
PD_RISE = Decimal(20)
PD_ABSOLUTE_MM = Decimal(5)

CR, PR, SD, PD = "CR", "PR", "SD", "PD"
NT_CR, NT_NON_CR_NON_PD, NT_PD, NT_NONE = "CR", "non-CR/non-PD", "PD", "none"
CATEGORIES = (CR, PR, SD, PD)
NON_TARGET = (NT_NONE, NT_CR, NT_NON_CR_NON_PD, NT_PD)


@dataclass(frozen=True)
class Lesion:
    label: str
    organ: str
    diameter_mm: Decimal
    is_node: bool = False


@dataclass(frozen=True)
class Problem:
    """A broken rule: the input field, a code, English words and the parameters for translation."""

    field: str
    code: str
    rule: str
    params: tuple[tuple[str, object], ...] = ()


class RecistError(ValueError):
    def __init__(self, problems: list[Problem]):
        super().__init__("; ".join(f"{p.field}: {p.rule}" for p in problems))
        self.problems = problems


@dataclass(frozen=True)
class Result:
    sum_mm: Decimal
    baseline_sum_mm: Decimal
    nadir_sum_mm: Decimal
    change_from_baseline_pct: Decimal | None
    change_from_nadir_pct: Decimal | None
    target_response: str | None
    overall_response: str | None


def lesion_sum(lesions: list[Lesion]) -> Decimal:
    return sum((lesion.diameter_mm for lesion in lesions), Decimal(0))


def pct(value: Decimal, reference: Decimal) -> Decimal | None:
    """Percent change of `value` from `reference`, one decimal (None when the reference is 0)."""
    if reference == 0:
        return None
    return ((value - reference) * 100 / reference).quantize(Decimal("0.1"), ROUND_HALF_UP)


def check_baseline(lesions: list[Lesion]) -> None:
    problems: list[Problem] = []
    if not lesions:
        problems.append(
            Problem("lesions", "required", "a baseline needs at least one target lesion")
        )
    if len(lesions) > MAX_TARGETS:
        problems.append(
            Problem("lesions", "too_many", "at most 5 target lesions", (("max", MAX_TARGETS),))
        )
    for organ, n in Counter(lesion.organ.strip().lower() for lesion in lesions).items():
        if n > MAX_PER_ORGAN:
            problems.append(
                Problem(
                    "lesions",
                    "per_organ",
                    "at most 2 target lesions per organ",
                    (("organ", organ),),
                )
            )
    for i, lesion in enumerate(lesions):
        minimum = MIN_NODE_MM if lesion.is_node else MIN_NON_NODAL_MM
        if lesion.diameter_mm < minimum:
            problems.append(
                Problem(
                    f"lesions[{i}].diameter_mm",
                    "not_measurable",
                    "below the measurable size at baseline",
                    (("label", lesion.label), ("min", minimum), ("node", lesion.is_node)),
                )
            )
    _check_labels(lesions, problems)
    if problems:
        raise RecistError(problems)


def _check_labels(lesions: list[Lesion], problems: list[Problem]) -> None:
    seen: set[str] = set()
    for i, lesion in enumerate(lesions):
        if lesion.diameter_mm < 0:
            problems.append(Problem(f"lesions[{i}].diameter_mm", "negative", "cannot be negative"))
        key = lesion.label.strip().lower()
        if not key:
            problems.append(Problem(f"lesions[{i}].label", "required", "is required"))
        elif key in seen:
            problems.append(
                Problem(
                    f"lesions[{i}].label", "duplicate", "appears twice", (("label", lesion.label),)
                )
            )
        seen.add(key)


def check_same_set(baseline: list[Lesion], lesions: list[Lesion]) -> None:
    """Follow-up measures exactly the baseline's target lesions (and each keeps its node flag)."""
    problems: list[Problem] = []
    _check_labels(lesions, problems)
    before = {lesion.label.strip().lower(): lesion for lesion in baseline}
    now = {lesion.label.strip().lower(): lesion for lesion in lesions}
    if set(before) != set(now):
        missing = sorted(before[k].label for k in set(before) - set(now))
        added = sorted(now[k].label for k in set(now) - set(before))
        problems.append(
            Problem(
                "lesions",
                "set_changed",
                "the target lesions differ from the baseline; record a new baseline",
                (("missing", ", ".join(missing) or "-"), ("added", ", ".join(added) or "-")),
            )
        )
    if problems:
        raise RecistError(problems)


def target_response(
    lesions: list[Lesion], baseline_sum: Decimal, nadir_sum: Decimal
) -> tuple[str, Decimal | None, Decimal | None]:
    """(category, % from baseline, % from nadir) for a follow-up's target lesions."""
    total = lesion_sum(lesions)
    from_baseline = pct(total, baseline_sum)
    from_nadir = pct(total, nadir_sum)
    rise = total - nadir_sum
    if nadir_sum == 0:
        # After a complete response any measurable reappearance of 5 mm is progression.
        progressed = rise >= PD_ABSOLUTE_MM
    else:
        progressed = rise * 100 >= PD_RISE * nadir_sum and rise >= PD_ABSOLUTE_MM
    if progressed:
        return PD, from_baseline, from_nadir
    if all(
        (lesion.diameter_mm < NODE_NORMAL_MM) if lesion.is_node else lesion.diameter_mm == 0
        for lesion in lesions
    ):
        return CR, from_baseline, from_nadir
    if (total - baseline_sum) * 100 <= PR_DROP * baseline_sum:
        return PR, from_baseline, from_nadir
    return SD, from_baseline, from_nadir


def overall_response(target: str, non_target: str, new_lesions: bool) -> str:
    if new_lesions or non_target == NT_PD or target == PD:
        return PD
    if target == CR:
        return CR if non_target in (NT_CR, NT_NONE) else PR
    return target


def assess(
    *,
    lesions: list[Lesion],
    baseline: list[Lesion] | None,
    previous_sums: list[Decimal],
    non_target: str = NT_NONE,
    new_lesions: bool = False,
) -> Result:
    """Assess one time point. `baseline` None means this is a baseline; `previous_sums` are the
    sums of the earlier follow-ups of the same baseline (for the nadir)."""
    if non_target not in NON_TARGET:
        raise RecistError([Problem("non_target", "choice", "unknown non-target response")])
    if baseline is None:
        check_baseline(lesions)
        total = lesion_sum(lesions)
        return Result(total, total, total, None, None, None, None)
    check_same_set(baseline, lesions)
    baseline_sum = lesion_sum(baseline)
    nadir = min([baseline_sum, *previous_sums])
    target, from_baseline, from_nadir = target_response(lesions, baseline_sum, nadir)
    return Result(
        lesion_sum(lesions),
        baseline_sum,
        nadir,
        from_baseline,
        from_nadir,
        target,
        overall_response(target, non_target, new_lesions),
    )
