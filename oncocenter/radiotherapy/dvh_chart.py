"""Server-side SVG of cumulative DVH curves (one polyline per structure), like the machine QA
chart (`machines/charts.py`): no JavaScript and presentation attributes only (no ``style=``), so
it passes the strict Content-Security-Policy; every text is escaped. Colour alone does not name a
curve: the legend lists each structure with its swatch and each curve carries a <title>."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from html import escape

# Distinguishable on white and for the common colour-vision deficiencies (Okabe-Ito + greys).
PALETTE = (
    "#0072b2",
    "#d55e00",
    "#009e73",
    "#cc79a7",
    "#e69f00",
    "#56b4e9",
    "#000000",
    "#8c564b",
    "#7f7f7f",
    "#f0e442",
)


@dataclass(frozen=True)
class Curve:
    name: str
    dose_gy: Sequence[float]  # bin edges, ascending
    volume_pct: Sequence[float]  # % of the structure receiving at least that dose


def _step(max_dose: float) -> float:
    """A tick step giving 4-10 ticks on the dose axis."""
    raw = max(max_dose, 1.0) / 8
    magnitude = 10 ** math.floor(math.log10(raw))
    for m in (1, 2, 5, 10):
        if raw <= m * magnitude:
            return float(m * magnitude)
    return float(10 * magnitude)


def colour(index: int) -> str:
    return PALETTE[index % len(PALETTE)]


def dvh_svg(
    curves: Sequence[Curve],
    *,
    title: str,
    x_label: str = "Dose (Gy)",
    y_label: str = "Volume (%)",
    empty_text: str = "No DVH",
    width: int = 760,
    height: int = 380,
) -> str:
    label = escape(title)
    if not curves:
        return (
            f'<svg xmlns="http://www.w3.org/2000/svg" class="dvh-chart" viewBox="0 0 {width} 40" '
            f'role="img" aria-label="{label}"><title>{label}</title>'
            f'<text x="8" y="24" font-size="13" fill="#666">{escape(empty_text)}</text></svg>'
        )
    legend_w = 170
    ml, mr, mt, mb = 56, 16 + legend_w, 16, 44
    pw, ph = width - ml - mr, height - mt - mb
    top = max((max(c.dose_gy) for c in curves if c.dose_gy), default=1.0)
    step = _step(top)
    hi = max(step * math.ceil(top / step), step)

    def x(d: float) -> float:
        return ml + pw * d / hi

    def y(v: float) -> float:
        return mt + ph * (1 - v / 100.0)

    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="dvh-chart" viewBox="0 0 {width} '
        f'{height}" role="img" aria-label="{label}"><title>{label}</title>'
    ]
    for v in range(0, 101, 20):
        out.append(
            f'<line x1="{ml}" x2="{ml + pw}" y1="{y(v):.1f}" y2="{y(v):.1f}" stroke="#e5e5e5"/>'
            f'<text x="{ml - 6}" y="{y(v) + 4:.1f}" font-size="11" text-anchor="end">{v}</text>'
        )
    d = 0.0
    while d <= hi + 1e-9:
        out.append(
            f'<line x1="{x(d):.1f}" x2="{x(d):.1f}" y1="{mt}" y2="{mt + ph}" stroke="#f0f0f0"/>'
            f'<text x="{x(d):.1f}" y="{mt + ph + 16}" font-size="11" text-anchor="middle">'
            f"{d:g}</text>"
        )
        d += step
    out.append(f'<line x1="{ml}" x2="{ml}" y1="{mt}" y2="{mt + ph}" stroke="#999"/>')
    out.append(f'<line x1="{ml}" x2="{ml + pw}" y1="{mt + ph}" y2="{mt + ph}" stroke="#999"/>')
    out.append(
        f'<text x="{ml + pw / 2:.1f}" y="{height - 8}" font-size="12" text-anchor="middle">'
        f"{escape(x_label)}</text>"
        f'<text x="14" y="{mt + ph / 2:.1f}" font-size="12" text-anchor="middle" '
        f'transform="rotate(-90 14 {mt + ph / 2:.1f})">{escape(y_label)}</text>'
    )
    for i, c in enumerate(curves):
        points = " ".join(
            f"{x(dose):.1f},{y(v):.1f}" for dose, v in zip(c.dose_gy, c.volume_pct, strict=True)
        )
        name = escape(c.name)
        out.append(
            f'<polyline class="dvh-curve" points="{points}" fill="none" stroke="{colour(i)}" '
            f'stroke-width="2"><title>{name}</title></polyline>'
        )
        ly = mt + 8 + 18 * i
        lx = ml + pw + 16
        out.append(
            f'<line x1="{lx}" x2="{lx + 22}" y1="{ly}" y2="{ly}" stroke="{colour(i)}" '
            f'stroke-width="3"/><text x="{lx + 28}" y="{ly + 4}" font-size="12">{name}</text>'
        )
    out.append("</svg>")
    return "".join(out)
