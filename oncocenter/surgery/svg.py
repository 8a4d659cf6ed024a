"""Server-rendered SVG for the surgery pages: one bar chart per quality figure and the
response timeline beside treatments. Presentation attributes only (no style, no script);
text is escaped; each SVG has a title for screen readers."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from html import escape

BAR = "#2b6cb0"
COLORS = {
    "CR": "#2f855a",
    "PR": "#68d391",
    "MR": "#9ae6b4",
    "SD": "#d69e2e",
    "PD": "#c53030",
    "": "#4a5568",
}
MODALITY_COLORS = {
    "surgery": "#805ad5",
    "radiotherapy": "#dd6b20",
    "chemotherapy": "#3182ce",
    "hsct": "#d53f8c",
    "immunotherapy": "#319795",
    "other": "#718096",
}


def _nice(value: float) -> float:
    if value <= 0:
        return 1.0
    power = 1.0
    while power * 10 <= value:
        power *= 10
    while power > value:
        power /= 10
    for step in (1, 2, 5, 10):
        if step * power >= value:
            return step * power
    return 10 * power


def bar_chart(
    *,
    title: str,
    labels: Sequence[str],
    values: Sequence[Decimal | int | None],
    unit: str = "",
    width: int = 360,
    height: int = 200,
) -> str:
    left, bottom, top = 40, 24, 34
    plot_h = height - bottom - top
    numbers = [float(v) for v in values if v is not None]
    ymax = _nice(max(numbers, default=0.0))
    n = max(len(labels), 1)
    slot = (width - left - 8) / n
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" role="img" class="chart" width="100%" '
        f'viewBox="0 0 {width} {height}"><title>{escape(title)}</title>',
        f'<text x="{left}" y="14" font-size="12" font-weight="bold">{escape(title)}</text>',
        f'<line x1="{left}" y1="{top + plot_h}" x2="{width - 4}" y2="{top + plot_h}" stroke="#999"/>',
        f'<text x="{left - 4}" y="{top + 8}" font-size="10" text-anchor="end">{ymax:g}</text>',
        f'<text x="{left - 4}" y="{top + plot_h}" font-size="10" text-anchor="end">0</text>',
    ]
    for i, (label, value) in enumerate(zip(labels, values, strict=True)):
        x = left + i * slot + slot * 0.15
        w = slot * 0.7
        parts.append(
            f'<text x="{x + w / 2:.1f}" y="{height - 8}" font-size="10" text-anchor="middle">'
            f"{escape(label)}</text>"
        )
        if value is None:
            parts.append(
                f'<text x="{x + w / 2:.1f}" y="{top + plot_h - 4}" font-size="10" '
                f'text-anchor="middle">-</text>'
            )
            continue
        h = float(value) / ymax * plot_h
        parts.append(
            f'<rect x="{x:.1f}" y="{top + plot_h - h:.1f}" width="{w:.1f}" height="{h:.1f}" '
            f'fill="{BAR}"><title>{escape(label)}: {value}{escape(unit)}</title></rect>'
        )
        parts.append(
            f'<text x="{x + w / 2:.1f}" y="{top + plot_h - h - 3:.1f}" font-size="10" '
            f'text-anchor="middle">{value}{escape(unit)}</text>'
        )
    parts.append("</svg>")
    return "".join(parts)


@dataclass(frozen=True)
class Span:
    start: dt.date
    end: dt.date
    label: str
    kind: str


@dataclass(frozen=True)
class Point:
    on: dt.date
    value: Decimal | None  # the RECIST sum (mm) or None for INRC points
    category: str
    label: str


def timeline(
    *,
    title: str,
    spans: Sequence[Span],
    points: Sequence[Point],
    width: int = 760,
    empty: str = "",
) -> str:
    """Treatments as bars on top, response time points below (RECIST sums as a line)."""
    dates = [s.start for s in spans] + [s.end for s in spans] + [p.on for p in points]
    if not dates:
        return f"<p>{escape(empty)}</p>"
    first, last = min(dates), max(dates)
    days = max((last - first).days, 1)
    left, right = 110, 20
    lane_h = 18
    top = 24
    plot_w = width - left - right
    chart_top = top + lane_h * max(len(spans), 1) + 16
    # Without response points there is nothing to plot below the treatment bars.
    chart_h = 140 if points else 0
    height = chart_top + chart_h + 30

    def x(day: dt.date) -> float:
        return left + (day - first).days / days * plot_w

    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" role="img" class="chart timeline" width="100%"'
        f' viewBox="0 0 {width} {height}"><title>{escape(title)}</title>',
        f'<text x="4" y="14" font-size="12" font-weight="bold">{escape(title)}</text>',
    ]
    for i, s in enumerate(spans):
        y = top + i * lane_h
        x0, x1 = x(s.start), x(s.end)
        parts.append(
            f'<text x="{left - 6}" y="{y + 12}" font-size="10" text-anchor="end">'
            f"{escape(s.label[:18])}</text>"
        )
        parts.append(
            f'<rect x="{x0:.1f}" y="{y + 2}" width="{max(x1 - x0, 4):.1f}" height="{lane_h - 5}" '
            f'fill="{MODALITY_COLORS.get(s.kind, "#718096")}"><title>{escape(s.label)} '
            f"{s.start:%Y-%m-%d}-{s.end:%Y-%m-%d}</title></rect>"
        )
    sums = [float(p.value) for p in points if p.value is not None]
    ymax = _nice(max(sums, default=1.0))
    base = chart_top + chart_h
    parts.append(f'<line x1="{left}" y1="{base}" x2="{width - right}" y2="{base}" stroke="#999"/>')
    if sums:
        parts.append(
            f'<text x="{left - 6}" y="{chart_top + 8}" font-size="10" text-anchor="end">'
            f"{ymax:g} mm</text>"
        )
    line = [
        f"{x(p.on):.1f},{base - float(p.value) / ymax * chart_h:.1f}"
        for p in points
        if p.value is not None
    ]
    if len(line) > 1:
        parts.append(
            f'<polyline points="{" ".join(line)}" fill="none" stroke="#2d3748" stroke-width="1.5"/>'
        )
    for p in points:
        cx = x(p.on)
        cy = base - float(p.value) / ymax * chart_h if p.value is not None else chart_top + 10
        parts.append(
            f'<circle cx="{cx:.1f}" cy="{cy:.1f}" r="5" fill="{COLORS.get(p.category, "#4a5568")}">'
            f"<title>{p.on:%Y-%m-%d} {escape(p.label)}</title></circle>"
        )
        parts.append(
            f'<text x="{cx:.1f}" y="{cy - 8:.1f}" font-size="10" text-anchor="middle">'
            f"{escape(p.category or 'BL')}</text>"
        )
    parts.append(
        f'<text x="{left}" y="{height - 8}" font-size="10">{first:%Y-%m-%d}</text>'
        f'<text x="{width - right}" y="{height - 8}" font-size="10" text-anchor="end">'
        f"{last:%Y-%m-%d}</text></svg>"
    )
    return "".join(parts)
