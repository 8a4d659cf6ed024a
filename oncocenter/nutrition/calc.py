"""Nutrition calculators and alert rules (pure Python, no Django).

Thresholds come from DOMAIN.md as editable defaults (:class:`AlertThresholds`; the web layer
stores them in an admin-editable row): weight loss >= 5 % in a month or >= 10 % in six months,
BMI < 18.5, NRS-2002 >= 3. Plausibility ranges reject typing errors (a weight in grams, a
height in metres) with a message that names the field, the value, the unit and the range.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta


def gettext_noop(message: str) -> str:
    return message


# --- vocabularies --------------------------------------------------------------------------

FOIS_LEVELS: tuple[tuple[int, str], ...] = (
    (1, gettext_noop("1 - Nothing by mouth")),
    (2, gettext_noop("2 - Tube dependent with minimal attempts of food or liquid")),
    (3, gettext_noop("3 - Tube dependent with consistent oral intake of food or liquid")),
    (4, gettext_noop("4 - Total oral diet of a single consistency")),
    (5, gettext_noop("5 - Total oral diet, multiple consistencies, special preparation")),
    (6, gettext_noop("6 - Total oral diet, no special preparation, specific food limitations")),
    (7, gettext_noop("7 - Total oral diet with no restrictions")),
)
IDDSI_LEVELS: tuple[tuple[int, str], ...] = (
    (0, gettext_noop("0 - Thin")),
    (1, gettext_noop("1 - Slightly thick")),
    (2, gettext_noop("2 - Mildly thick")),
    (3, gettext_noop("3 - Moderately thick / liquidised")),
    (4, gettext_noop("4 - Extremely thick / pureed")),
    (5, gettext_noop("5 - Minced and moist")),
    (6, gettext_noop("6 - Soft and bite-sized")),
    (7, gettext_noop("7 - Regular / easy to chew")),
)
FEEDING_ROUTES: tuple[tuple[str, str], ...] = (
    ("oral", gettext_noop("Oral")),
    ("nasogastric", gettext_noop("Nasogastric tube")),
    ("gastrostomy", gettext_noop("Gastrostomy")),
    ("jejunostomy", gettext_noop("Jejunostomy")),
    ("parenteral", gettext_noop("Parenteral")),
)
MILESTONES: tuple[tuple[str, str], ...] = (
    ("first_oral_intake", gettext_noop("First oral intake after surgery")),
    ("tube_removal", gettext_noop("Feeding tube removed")),
    ("full_oral_diet", gettext_noop("Return to a full oral diet")),
)


# --- plausibility and units ----------------------------------------------------------------


class ImplausibleValue(ValueError):
    """A measurement outside its plausible range; carries field, value, unit and range."""

    def __init__(self, field: str, value: float, unit: str, low: float, high: float) -> None:
        self.field = field
        self.value = value
        self.unit = unit
        self.low = low
        self.high = high
        unit_txt = f" {unit}" if unit else ""
        super().__init__(
            f"{field}: {value:g}{unit_txt} is outside the plausible range "
            f"{low:g}-{high:g}{unit_txt}"
        )


#: field -> (low, high, unit); inclusive.
PLAUSIBLE: dict[str, tuple[float, float, str]] = {
    "weight_kg": (0.3, 350.0, "kg"),
    "height_cm": (25.0, 250.0, "cm"),
    "intake_percent": (0.0, 200.0, "%"),
    "fois_level": (1, 7, ""),
    "iddsi_level": (0, 7, ""),
    "dysphagia_grade": (0, 4, ""),
}

_WEIGHT_UNITS = {"kg": 1.0, "g": 0.001, "lb": 0.45359237}
_HEIGHT_UNITS = {"cm": 1.0, "m": 100.0, "mm": 0.1, "in": 2.54}


class UnknownUnit(ValueError):
    def __init__(self, field: str, unit: str, allowed: Iterable[str]) -> None:
        self.field = field
        self.unit = unit
        self.allowed = tuple(allowed)
        super().__init__(f"{field}: unknown unit {unit!r}; use one of {', '.join(self.allowed)}")


def to_kg(value: float, unit: str = "kg") -> float:
    if unit not in _WEIGHT_UNITS:
        raise UnknownUnit("weight_unit", unit, _WEIGHT_UNITS)
    return value * _WEIGHT_UNITS[unit]


def to_cm(value: float, unit: str = "cm") -> float:
    if unit not in _HEIGHT_UNITS:
        raise UnknownUnit("height_unit", unit, _HEIGHT_UNITS)
    return value * _HEIGHT_UNITS[unit]


def check_plausible(field: str, value: float | None) -> None:
    """Raise :class:`ImplausibleValue` if ``value`` is outside the range of ``field``."""
    if value is None:
        return
    low, high, unit = PLAUSIBLE[field]
    if not low <= value <= high:
        raise ImplausibleValue(field, value, unit, low, high)
    if field in ("fois_level", "iddsi_level", "dysphagia_grade") and value != int(value):
        raise ImplausibleValue(field, value, unit, low, high)


# --- BMI and weight change -----------------------------------------------------------------


def bmi(weight_kg: float, height_cm: float) -> float:
    """Body-mass index in kg/m2, one decimal."""
    check_plausible("weight_kg", weight_kg)
    check_plausible("height_cm", height_cm)
    metres = height_cm / 100
    return round(weight_kg / (metres * metres), 1)


@dataclass(frozen=True)
class WeightChange:
    """Change from a reference weight to the current one; negative percent is a loss."""

    percent: float
    reference_on: date
    reference_kg: float
    current_on: date
    current_kg: float

    @property
    def loss_percent(self) -> float:
        return max(0.0, -self.percent)


def weight_change(
    series: Iterable[tuple[date, float]],
    *,
    period_days: int,
    on: date | None = None,
    tolerance_days: int | None = None,
) -> WeightChange | None:
    """Weight change over the last ``period_days`` up to the latest weight on or before ``on``.

    The reference is the highest weight measured in the period (so a loss inside the period
    is caught even without a measurement exactly a month ago); when no earlier measurement
    lies inside the period, the last one before it counts if it is at most ``tolerance_days``
    (default: a quarter of the period) older. Returns None without a reference.
    """
    points = sorted((d, w) for d, w in series if on is None or d <= on)
    if len(points) < 2:
        return None
    cur_on, cur_kg = points[-1]
    start = cur_on - timedelta(days=period_days)
    tol = period_days // 4 if tolerance_days is None else tolerance_days
    inside = [(d, w) for d, w in points[:-1] if d >= start]
    if inside:
        ref_on, ref_kg = max(inside, key=lambda p: (p[1], -p[0].toordinal()))
    else:
        before = [(d, w) for d, w in points[:-1] if d >= start - timedelta(days=tol)]
        if not before:
            return None
        ref_on, ref_kg = before[-1]
    pct = round((cur_kg - ref_kg) / ref_kg * 100, 1)
    return WeightChange(pct, ref_on, ref_kg, cur_on, cur_kg)


# --- NRS-2002 ------------------------------------------------------------------------------


@dataclass(frozen=True)
class NRS2002:
    """Nutritional Risk Screening 2002 (Kondrup et al., ESPEN 2003)."""

    nutritional_status: int  # 0 absent, 1 mild, 2 moderate, 3 severe
    disease_severity: int  # 0 absent, 1 mild, 2 moderate, 3 severe
    age_points: int
    total: int
    at_risk: bool
    reasons: tuple[str, ...] = field(default_factory=tuple)


def nrs2002_nutritional_status(
    *,
    loss_pct_1m: float | None = None,
    loss_pct_2m: float | None = None,
    loss_pct_3m: float | None = None,
    bmi_value: float | None = None,
    impaired_general_condition: bool = False,
    intake_percent_last_week: float | None = None,
) -> tuple[int, str]:
    """Impaired-nutritional-status points (0-3) from the NRS-2002 criteria, with the reason."""

    def over(value: float | None, limit: float) -> bool:
        return value is not None and value > limit

    def intake_at_most(limit: float) -> bool:
        return intake_percent_last_week is not None and intake_percent_last_week <= limit

    if (
        over(loss_pct_1m, 5)
        or over(loss_pct_3m, 15)
        or (bmi_value is not None and bmi_value < 18.5 and impaired_general_condition)
        or intake_at_most(25)
    ):
        return 3, gettext_noop("severe: >5 % loss in 1 month, BMI <18.5 or intake 0-25 %")
    if (
        over(loss_pct_2m, 5)
        or (bmi_value is not None and bmi_value < 20.5 and impaired_general_condition)
        or intake_at_most(60)
    ):
        return 2, gettext_noop("moderate: >5 % loss in 2 months, BMI 18.5-20.5 or intake 25-60 %")
    if over(loss_pct_3m, 5) or intake_at_most(75):
        return 1, gettext_noop("mild: >5 % loss in 3 months or intake 50-75 %")
    return 0, gettext_noop("normal nutritional status")


def nrs2002(*, nutritional_status: int, disease_severity: int, age_years: int) -> NRS2002:
    """Total = nutritional status + disease severity (+1 from age 70); at risk from 3."""
    for name, value in (
        ("nutritional_status", nutritional_status),
        ("disease_severity", disease_severity),
    ):
        if value not in (0, 1, 2, 3):
            raise ValueError(f"{name}={value!r}: must be 0, 1, 2 or 3")
    if age_years < 0:
        raise ValueError(f"age_years={age_years!r}: must be zero or positive")
    age_points = 1 if age_years >= 70 else 0
    total = nutritional_status + disease_severity + age_points
    reasons = (
        f"nutritional status {nutritional_status}",
        f"disease severity {disease_severity}",
        f"age {age_years} (+{age_points})",
    )
    return NRS2002(nutritional_status, disease_severity, age_points, total, total >= 3, reasons)


# --- alerts --------------------------------------------------------------------------------


@dataclass(frozen=True)
class AlertThresholds:
    """Editable alert thresholds (DOMAIN.md defaults)."""

    loss_1m_percent: float = 5.0
    loss_6m_percent: float = 10.0
    bmi_below: float = 18.5
    nrs_at_least: int = 3


@dataclass(frozen=True)
class Alert:
    code: str  # weight_loss_1m, weight_loss_6m, low_bmi, nrs_risk
    template: str
    params: Mapping[str, object]
    value: float
    threshold: float

    @property
    def text(self) -> str:
        return self.template % self.params


ALERT_LOSS_1M = gettext_noop(
    "Weight loss %(loss)s %% in 1 month (%(ref_kg)s kg on %(ref_on)s -> %(cur_kg)s kg); "
    "threshold %(threshold)s %%"
)
ALERT_LOSS_6M = gettext_noop(
    "Weight loss %(loss)s %% in 6 months (%(ref_kg)s kg on %(ref_on)s -> %(cur_kg)s kg); "
    "threshold %(threshold)s %%"
)
ALERT_BMI = gettext_noop("BMI %(bmi)s below %(threshold)s")
ALERT_NRS = gettext_noop("NRS-2002 score %(score)s (at risk from %(threshold)s)")
ALERT_TEMPLATES = {
    "weight_loss_1m": ALERT_LOSS_1M,
    "weight_loss_6m": ALERT_LOSS_6M,
    "low_bmi": ALERT_BMI,
    "nrs_risk": ALERT_NRS,
}


def evaluate_alerts(
    *,
    weights: Sequence[tuple[date, float]],
    height_cm: float | None,
    nrs_total: int | None = None,
    thresholds: AlertThresholds | None = None,
    on: date | None = None,
) -> list[Alert]:
    """Alerts for the dietitian from the latest data (each names the value and threshold)."""
    th = thresholds or AlertThresholds()
    alerts: list[Alert] = []
    for code, days, limit, template in (
        ("weight_loss_1m", 30, th.loss_1m_percent, ALERT_LOSS_1M),
        ("weight_loss_6m", 182, th.loss_6m_percent, ALERT_LOSS_6M),
    ):
        change = weight_change(weights, period_days=days, on=on)
        if change and change.loss_percent >= limit:
            alerts.append(
                Alert(
                    code,
                    template,
                    {
                        "loss": f"{change.loss_percent:g}",
                        "ref_kg": f"{change.reference_kg:g}",
                        "ref_on": change.reference_on.isoformat(),
                        "cur_kg": f"{change.current_kg:g}",
                        "threshold": f"{limit:g}",
                    },
                    change.loss_percent,
                    limit,
                )
            )
    latest = sorted(w for w in weights if on is None or w[0] <= on)
    if height_cm and latest:
        value = bmi(latest[-1][1], height_cm)
        if value < th.bmi_below:
            alerts.append(
                Alert(
                    "low_bmi",
                    ALERT_BMI,
                    {"bmi": f"{value:g}", "threshold": f"{th.bmi_below:g}"},
                    value,
                    th.bmi_below,
                )
            )
    if nrs_total is not None and nrs_total >= th.nrs_at_least:
        alerts.append(
            Alert(
                "nrs_risk",
                ALERT_NRS,
                {"score": nrs_total, "threshold": th.nrs_at_least},
                float(nrs_total),
                float(th.nrs_at_least),
            )
        )
    return alerts
