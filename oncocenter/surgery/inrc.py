"""International Neuroblastoma Response Criteria, revised 2017 (Park et al., J Clin Oncol 2017).

Pure Python, no Django. Three components are assessed against the baseline and combined:

- primary tumor (longest diameter, mm): CR < 10 mm residual; PR >= 30 % decrease; PD > 20 %
  increase and >= 5 mm; SD otherwise.
- bone by MIBG (Curie score, 0-30): relative score = current / baseline; CR 0; PR <= 0.5; PD
  >= 1.2 or a new MIBG-avid lesion; SD otherwise; not involved when the baseline score is 0 and
  nothing new appears.
- bone marrow (tumor infiltration %): CR positive -> 0; PD 0 -> > 5 %, or a more than twofold
  rise to > 20 %; MD (minimal disease) 0 < x <= 5 % at re-evaluation; SD still > 5 %; not
  involved 0 -> 0.

Overall: PD if any component is PD; CR if every involved component is CR; PR if at least one
component is PR or CR and every other is CR, PR, MD or not involved; MR (minor response) if at
least one is PR or CR but another is SD; SD otherwise.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

CR, PR, MR, SD, PD, MD, NI = "CR", "PR", "MR", "SD", "PD", "MD", "NI"
OVERALL = (CR, PR, MR, SD, PD)
CURIE_MAX = 30


@dataclass(frozen=True)
class Components:
    primary: str
    bone: str
    marrow: str
    overall: str
    relative_curie: Decimal | None


def primary_response(baseline_mm: Decimal | None, current_mm: Decimal | None) -> str:
    if baseline_mm is None or baseline_mm == 0:
        return NI
    if current_mm is None:
        raise ValueError("current_mm")
    if current_mm < 10:
        return CR
    change = current_mm - baseline_mm
    if change * 100 > 20 * baseline_mm and change >= 5:
        return PD
    if change * 100 <= -30 * baseline_mm:
        return PR
    return SD


def relative_curie(baseline: int, current: int) -> Decimal | None:
    if baseline == 0:
        return None
    return (Decimal(current) / Decimal(baseline)).quantize(Decimal("0.01"))


def bone_response(baseline_curie: int | None, current_curie: int | None, new_lesion: bool) -> str:
    if new_lesion:
        return PD
    if baseline_curie is None or baseline_curie == 0:
        return NI
    if current_curie is None:
        raise ValueError("current_curie")
    if current_curie == 0:
        return CR
    rel = Decimal(current_curie) / Decimal(baseline_curie)
    if rel >= Decimal("1.2"):
        return PD
    if rel <= Decimal("0.5"):
        return PR
    return SD


def marrow_response(baseline_pct: Decimal | None, current_pct: Decimal | None) -> str:
    if baseline_pct is None or current_pct is None:
        return NI
    if baseline_pct == 0:
        if current_pct == 0:
            return NI
        return PD if current_pct > 5 else MD
    if current_pct == 0:
        return CR
    if current_pct > 2 * baseline_pct and current_pct > 20:
        return PD
    if current_pct <= 5:
        return MD
    return SD


def combine(primary: str, bone: str, marrow: str) -> str:
    parts = [primary, bone, marrow]
    involved = [p for p in parts if p != NI]
    if PD in parts:
        return PD
    if not involved:
        return SD
    if all(p == CR for p in involved):
        return CR
    if any(p in (CR, PR) for p in involved):
        if all(p in (CR, PR, MD) for p in involved):
            return PR
        return MR
    return SD


def assess(
    *,
    primary_baseline_mm: Decimal | None,
    primary_mm: Decimal | None,
    curie_baseline: int | None,
    curie: int | None,
    marrow_baseline_pct: Decimal | None,
    marrow_pct: Decimal | None,
    new_lesion: bool = False,
) -> Components:
    p = primary_response(primary_baseline_mm, primary_mm)
    b = bone_response(curie_baseline, curie, new_lesion)
    m = marrow_response(marrow_baseline_pct, marrow_pct)
    rel = relative_curie(curie_baseline, curie or 0) if curie_baseline else None
    return Components(p, b, m, combine(p, b, m), rel)
