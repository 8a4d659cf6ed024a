"""Dose arithmetic of systemic therapy (pure Python, no Django), each result with its formula.

- BSA by Mosteller: sqrt(height cm x weight kg / 3600).
- Creatinine clearance by Cockcroft-Gault (adults): (140 - age) x weight / (72 x SCr mg/dL),
  x 0.85 for women.
- GFR by the bedside Schwartz formula (children, under 18): 0.413 x height cm / SCr mg/dL.
- Carboplatin by Calvert: dose mg = target AUC x (GFR + 25), the GFR capped (example 125 mL/min).
- A dose per m2, per kg, flat, or by AUC; then rounded to a step, then capped (e.g. vincristine
  2 mg). The cap is applied last, so a rounded dose never exceeds it.

Nothing here is clinical advice: every figure comes from a regimen template a qualified person
reviews.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

BASES = ("mg_m2", "mg_kg", "flat", "auc")
GFR_CAP = Decimal("125")  # mL/min, example cap of the GFR used in Calvert (a template may differ)
ADULT_AGE = 18


class DoseRuleError(ValueError):
    def __init__(self, field: str, code: str, value: object = None) -> None:
        super().__init__(f"{field}: {code}")
        self.field = field
        self.code = code
        self.value = value


def _n(value: Decimal) -> str:
    """A figure for a formula: 50.000 -> 50, 1.50 -> 1.5."""
    return format(value.normalize(), "f")


def _q(value: Decimal, places: str) -> Decimal:
    return value.quantize(Decimal(places), rounding=ROUND_HALF_UP)


def bsa_mosteller(height_cm: Decimal, weight_kg: Decimal) -> Decimal:
    if height_cm <= 0 or weight_kg <= 0:
        raise DoseRuleError("height_cm" if height_cm <= 0 else "weight_kg", "positive", None)
    return _q((height_cm * weight_kg / Decimal(3600)).sqrt(), "0.01")


# Plausible BSA by age (m2), wide bands: outside them the height or weight is probably mistyped.
def bsa_plausible(bsa: Decimal, age_years: int) -> tuple[Decimal, Decimal]:
    if age_years < 1:
        bounds = (Decimal("0.10"), Decimal("0.60"))
    elif age_years < 6:
        bounds = (Decimal("0.35"), Decimal("1.00"))
    elif age_years < 12:
        bounds = (Decimal("0.60"), Decimal("1.70"))
    elif age_years < 18:
        bounds = (Decimal("0.90"), Decimal("2.40"))
    else:
        bounds = (Decimal("1.10"), Decimal("3.00"))
    return bounds


@dataclass(frozen=True)
class Clearance:
    value: Decimal  # mL/min (children: mL/min/1.73 m2)
    method: str  # "cockcroft_gault" | "schwartz_bedside"
    formula: str


def cockcroft_gault(
    *, age_years: int, weight_kg: Decimal, scr_mg_dl: Decimal, female: bool
) -> Clearance:
    if scr_mg_dl <= 0:
        raise DoseRuleError("creatinine", "positive", scr_mg_dl)
    raw = (Decimal(140 - age_years) * weight_kg) / (Decimal(72) * scr_mg_dl)
    if female:
        raw *= Decimal("0.85")
    value = _q(raw, "0.1")
    formula = f"(140 - {age_years}) x {_n(weight_kg)} kg / (72 x {_n(scr_mg_dl)} mg/dL)"
    if female:
        formula += " x 0.85"
    return Clearance(value, "cockcroft_gault", f"CrCl = {formula} = {value} mL/min")


def schwartz_bedside(*, height_cm: Decimal, scr_mg_dl: Decimal) -> Clearance:
    if scr_mg_dl <= 0:
        raise DoseRuleError("creatinine", "positive", scr_mg_dl)
    value = _q(Decimal("0.413") * height_cm / scr_mg_dl, "0.1")
    return Clearance(
        value,
        "schwartz_bedside",
        f"GFR = 0.413 x {_n(height_cm)} cm / {_n(scr_mg_dl)} mg/dL = {value} mL/min/1.73m2",
    )


def clearance_for(
    *, age_years: int, height_cm: Decimal, weight_kg: Decimal, scr_mg_dl: Decimal, female: bool
) -> Clearance:
    """Cockcroft-Gault from 18 years, bedside Schwartz below."""
    if age_years >= ADULT_AGE:
        return cockcroft_gault(
            age_years=age_years, weight_kg=weight_kg, scr_mg_dl=scr_mg_dl, female=female
        )
    return schwartz_bedside(height_cm=height_cm, scr_mg_dl=scr_mg_dl)


def calvert(*, auc: Decimal, gfr: Decimal, gfr_cap: Decimal = GFR_CAP) -> tuple[Decimal, str]:
    used = min(gfr, gfr_cap)
    dose = auc * (used + 25)
    capped = " (GFR capped)" if gfr > gfr_cap else ""
    return dose, f"AUC {_n(auc)} x (GFR {used}{capped} + 25)"


@dataclass(frozen=True)
class Dose:
    computed: Decimal  # before rounding and cap
    dose: Decimal  # rounded and capped: what is ordered (before any modification)
    capped: bool
    formula: str


def compute_dose(
    *,
    basis: str,
    amount: Decimal,
    bsa: Decimal | None = None,
    weight_kg: Decimal | None = None,
    gfr: Decimal | None = None,
    round_to: Decimal | None = None,
    cap_mg: Decimal | None = None,
    percent: Decimal = Decimal(100),
) -> Dose:
    """The dose of one drug: `amount` per basis (mg/m2, mg/kg, mg flat, or the target AUC),
    times `percent` (a modification), rounded to `round_to` mg, capped at `cap_mg`."""
    if basis not in BASES:
        raise DoseRuleError("basis", "unknown", basis)
    if amount <= 0:
        raise DoseRuleError("amount", "positive", amount)
    if basis == "mg_m2":
        if bsa is None or bsa <= 0:
            raise DoseRuleError("bsa", "required", bsa)
        raw, text = amount * bsa, f"{_n(amount)} mg/m2 x {bsa} m2"
    elif basis == "mg_kg":
        if weight_kg is None or weight_kg <= 0:
            raise DoseRuleError("weight_kg", "required", weight_kg)
        raw, text = amount * weight_kg, f"{_n(amount)} mg/kg x {_n(weight_kg)} kg"
    elif basis == "auc":
        if gfr is None or gfr <= 0:
            raise DoseRuleError("creatinine", "required", gfr)
        raw, text = calvert(auc=amount, gfr=gfr)
    else:
        raw, text = amount, f"{_n(amount)} mg flat"
    if percent != 100:
        raw = raw * percent / 100
        text += f" x {_n(percent)}%"
    computed = _q(raw, "0.01")
    dose = computed
    if round_to is not None and round_to > 0:
        dose = _q(computed / round_to, "1") * round_to
        text += f" = {computed} mg, rounded to {_n(round_to)} mg"
    capped = False
    if cap_mg is not None and dose > cap_mg:
        dose, capped = cap_mg, True
        text += f", capped at {_n(cap_mg)} mg"
    dose = _q(dose, "0.01")
    return Dose(computed=computed, dose=dose, capped=capped, formula=f"{text} = {dose} mg")


# --- cumulative anthracycline ------------------------------------------------------------------------
# Doxorubicin-equivalent factors (example, from published cardiotoxicity conversions; a regimen
# template carries its own factor, which a pharmacist reviews).
DOXORUBICIN_EQUIVALENT = {
    "doxorubicin": Decimal("1"),
    "daunorubicin": Decimal("0.5"),
    "epirubicin": Decimal("0.67"),
    "idarubicin": Decimal("5"),
    "mitoxantrone": Decimal("4"),
}
# Example lifetime limits in doxorubicin-equivalent mg/m2 (a center sets its own).
ANTHRACYCLINE_LIMIT_ADULT = Decimal("450")
ANTHRACYCLINE_LIMIT_CHILD = Decimal("300")


def anthracycline_limit(age_years: int) -> Decimal:
    return ANTHRACYCLINE_LIMIT_ADULT if age_years >= ADULT_AGE else ANTHRACYCLINE_LIMIT_CHILD


def dox_equivalent_mg_m2(*, dose_mg: Decimal, bsa: Decimal, factor: Decimal) -> Decimal:
    return _q(dose_mg / bsa * factor, "0.1")


# --- hold parameters ----------------------------------------------------------------------------------
@dataclass(frozen=True)
class HoldCheck:
    parameter: str  # "anc" | "plt" | "creat" | "tbil"
    limit: Decimal
    direction: str  # "min" | "max"
    value: Decimal | None  # None: no result that day

    @property
    def met(self) -> bool:
        if self.value is None:
            return False
        return self.value >= self.limit if self.direction == "min" else self.value <= self.limit


def hold_checks(
    params: dict[str, Decimal | None], values: dict[str, Decimal | None]
) -> list[HoldCheck]:
    """One check per hold parameter the template sets: anc_min, plt_min (x10^9/L), creat_max,
    tbil_max (mg/dL). A missing result fails its check (no labs, no release)."""
    out = []
    for key, limit in params.items():
        if limit is None:
            continue
        code, direction = key.rsplit("_", 1)
        out.append(HoldCheck(code, limit, direction, values.get(code)))
    return out


# --- cost -------------------------------------------------------------------------------------------
COPAY_REGISTERED = Decimal("0.05")  # NHIS severe-illness registration for cancer
COPAY_GENERAL = Decimal("0.30")  # example outpatient share without registration


def copay(total: Decimal, registered: bool) -> tuple[Decimal, Decimal]:
    rate = COPAY_REGISTERED if registered else COPAY_GENERAL
    return rate, _q(total * rate, "1")
