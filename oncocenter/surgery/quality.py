"""The center's yearly surgical quality figures, from plain rows (pure Python, no Django).

Per year of operation, esophagectomies only: count, R0 rate, anastomotic leak rate, rate of
Clavien-Dindo >= III (the worst complication per operation), 90-day mortality, median length of
stay (discharged operations) and the pathological complete response (ypT0N0) rate after CROSS
(operations with a pathology report).
"""

from __future__ import annotations

import statistics
from collections import defaultdict
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

SEVERE = frozenset({"IIIa", "IIIb", "IVa", "IVb", "V"})


@dataclass(frozen=True)
class OperationFacts:
    year: int
    residual: str
    leak: bool
    severe: bool
    died_90d: bool | None  # None: fewer than 90 days of follow-up and alive
    los_days: int | None
    cross: bool
    pcr: bool | None  # None: no pathology report yet


@dataclass(frozen=True)
class YearFigures:
    year: int
    esophagectomies: int
    r0_rate: Decimal | None
    leak_rate: Decimal | None
    cd3_rate: Decimal | None
    mortality_90d: Decimal | None
    median_los: Decimal | None
    pcr_rate_cross: Decimal | None
    cross_with_pathology: int


FIGURES = (
    "esophagectomies",
    "r0_rate",
    "leak_rate",
    "cd3_rate",
    "mortality_90d",
    "median_los",
    "pcr_rate_cross",
)


def rate(numerator: int, denominator: int) -> Decimal | None:
    if denominator == 0:
        return None
    return (Decimal(100 * numerator) / denominator).quantize(Decimal("0.1"), ROUND_HALF_UP)


def by_year(rows: list[OperationFacts]) -> list[YearFigures]:
    years: dict[int, list[OperationFacts]] = defaultdict(list)
    for r in rows:
        years[r.year].append(r)
    out = []
    for year in sorted(years):
        ops = years[year]
        n = len(ops)
        followed = [o for o in ops if o.died_90d is not None]
        stays = [o.los_days for o in ops if o.los_days is not None]
        cross = [o for o in ops if o.cross and o.pcr is not None]
        out.append(
            YearFigures(
                year=year,
                esophagectomies=n,
                r0_rate=rate(sum(o.residual == "R0" for o in ops), n),
                leak_rate=rate(sum(o.leak for o in ops), n),
                cd3_rate=rate(sum(o.severe for o in ops), n),
                mortality_90d=rate(sum(bool(o.died_90d) for o in followed), len(followed)),
                median_los=Decimal(str(statistics.median(stays))).quantize(Decimal("0.1"))
                if stays
                else None,
                pcr_rate_cross=rate(sum(bool(o.pcr) for o in cross), len(cross)),
                cross_with_pathology=len(cross),
            )
        )
    return out
