"""Linear-quadratic dose arithmetic: BED, EQD2 and cumulative EQD2 per organ.

Pure Python (no Django) so that it can be reviewed and tested on its own. The formulas are
the standard ones (DOMAIN.md):

    BED  = D * (1 + d / (a/b))
    EQD2 = D * (d + a/b) / (2 + a/b)        (= BED / (1 + 2 / (a/b)))

with D the total physical dose in Gy, d the dose per fraction in Gy and a/b the organ's
alpha/beta ratio in Gy. No time factor (repopulation) and no tissue recovery between courses
is modelled: summing EQD2 across courses is the conservative convention for re-irradiation.
For an organ at risk that receives a total dose D over n fractions, the dose per fraction is
taken as D / n (the usual approximation when only a point or mean dose is known).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

#: a/b used when an organ has none on file: 3 Gy is the usual late-effect value.
DEFAULT_LATE_ALPHA_BETA_GY = 3.0


class DoseInputError(ValueError):
    """A dose, fraction count or alpha/beta that cannot enter the LQ formulas."""


def _check_positive(name: str, value: float, *, allow_zero: bool = False) -> float:
    value = float(value)
    if value != value or value in (float("inf"), float("-inf")):  # NaN / inf
        raise DoseInputError(f"{name} must be a finite number, got {value!r}")
    if value < 0 or (value == 0 and not allow_zero):
        rule = "zero or more" if allow_zero else "more than zero"
        raise DoseInputError(f"{name} must be {rule}, got {value!r}")
    return value


def bed(*, total_dose_gy: float, dose_per_fraction_gy: float, alpha_beta_gy: float) -> float:
    """Biologically effective dose (Gy) of D Gy given in fractions of d Gy."""
    total = _check_positive("total_dose_gy", total_dose_gy, allow_zero=True)
    d = _check_positive("dose_per_fraction_gy", dose_per_fraction_gy, allow_zero=True)
    ab = _check_positive("alpha_beta_gy", alpha_beta_gy)
    return total * (1.0 + d / ab)


def eqd2(*, total_dose_gy: float, dose_per_fraction_gy: float, alpha_beta_gy: float) -> float:
    """Equivalent dose in 2 Gy fractions (Gy) of D Gy given in fractions of d Gy."""
    total = _check_positive("total_dose_gy", total_dose_gy, allow_zero=True)
    d = _check_positive("dose_per_fraction_gy", dose_per_fraction_gy, allow_zero=True)
    ab = _check_positive("alpha_beta_gy", alpha_beta_gy)
    return total * (d + ab) / (2.0 + ab)


def eqd2_per_fraction(*, dose_per_fraction_gy: float, alpha_beta_gy: float) -> float:
    """EQD2 (Gy) of a single fraction of d Gy."""
    return eqd2(
        total_dose_gy=dose_per_fraction_gy,
        dose_per_fraction_gy=dose_per_fraction_gy,
        alpha_beta_gy=alpha_beta_gy,
    )


def eqd2_from_bed(*, bed_gy: float, alpha_beta_gy: float) -> float:
    """Convert a BED (Gy) to EQD2 (Gy) for the same alpha/beta."""
    b = _check_positive("bed_gy", bed_gy, allow_zero=True)
    ab = _check_positive("alpha_beta_gy", alpha_beta_gy)
    return b / (1.0 + 2.0 / ab)


def eqd2_of_fractions(*, total_dose_gy: float, fractions: int, alpha_beta_gy: float) -> float:
    """EQD2 (Gy) of D Gy given in n equal fractions (d = D / n)."""
    if int(fractions) != fractions or fractions < 1:
        raise DoseInputError(f"fractions must be a whole number of 1 or more, got {fractions!r}")
    total = _check_positive("total_dose_gy", total_dose_gy, allow_zero=True)
    return eqd2(
        total_dose_gy=total, dose_per_fraction_gy=total / fractions, alpha_beta_gy=alpha_beta_gy
    )


@dataclass(frozen=True)
class OrganDoseContribution:
    """Physical dose an organ received (or will receive) in one course."""

    organ: str
    total_dose_gy: float
    fractions: int
    course_label: str = ""

    @property
    def dose_per_fraction_gy(self) -> float:
        return self.total_dose_gy / self.fractions


@dataclass(frozen=True)
class CumulativeOrganDose:
    """Cumulative EQD2 of one organ with the contribution of each course."""

    organ: str
    alpha_beta_gy: float
    eqd2_gy: float
    physical_dose_gy: float
    contributions: tuple[tuple[str, float], ...] = field(default_factory=tuple)


def normalise_organ(name: str) -> str:
    """Key under which organs are summed: case-, space- and separator-insensitive."""
    return " ".join(name.replace("_", " ").replace("-", " ").lower().split())


def cumulative_eqd2(
    contributions: Iterable[OrganDoseContribution],
    *,
    alpha_beta_by_organ: Mapping[str, float],
    default_alpha_beta_gy: float = DEFAULT_LATE_ALPHA_BETA_GY,
) -> dict[str, CumulativeOrganDose]:
    """Sum EQD2 per organ across courses (re-irradiation).

    Each course is converted to EQD2 with that organ's alpha/beta (its own dose per fraction),
    then the EQD2 values are added. Keys of the result are normalised organ names.
    """
    ab_lookup = {normalise_organ(k): float(v) for k, v in alpha_beta_by_organ.items()}
    totals: dict[str, list[OrganDoseContribution]] = {}
    for c in contributions:
        totals.setdefault(normalise_organ(c.organ), []).append(c)
    result: dict[str, CumulativeOrganDose] = {}
    for organ, items in totals.items():
        ab = ab_lookup.get(organ, default_alpha_beta_gy)
        parts = tuple(
            (
                c.course_label,
                eqd2_of_fractions(
                    total_dose_gy=c.total_dose_gy, fractions=c.fractions, alpha_beta_gy=ab
                ),
            )
            for c in items
        )
        result[organ] = CumulativeOrganDose(
            organ=organ,
            alpha_beta_gy=ab,
            eqd2_gy=sum(v for _, v in parts),
            physical_dose_gy=sum(c.total_dose_gy for c in items),
            contributions=parts,
        )
    return result
