"""Server-side SVG line charts over time (no JavaScript, no Django).

Used on the patient page for weight (left axis, kg) and FOIS level (right axis, 1-7) with
treatment dates drawn as labelled vertical lines, and for quality-of-life subscale scores
(0-100). All text is escaped; the chart carries a <title> and a text description for screen
readers.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from html import escape

PALETTE = ("#1f6fb2", "#c0392b", "#2e8b57", "#8e44ad", "#d35400", "#16a085")


@dataclass(frozen=True)
class Series:
    label: str
    points: Sequence[tuple[date, float]]
    axis: str = "left"  # "left" or "right"
    color: str = ""
    step: bool = False  # ordinal levels (FOIS) are drawn as steps


@dataclass(frozen=True)
class Axis:
    label: str
    low: float | None = None  # None: fitted to the data
    high: float | None = None
    ticks: Sequence[float] = field(default_factory=tuple)


@dataclass(frozen=True)
class Marker:
    on: date
    label: str


def _fmt(v: float) -> str:
    return f"{v:.1f}".rstrip("0").rstrip(".")


def _nice_range(values: Sequence[float], axis: Axis) -> tuple[float, float]:
    lo = axis.low if axis.low is not None else (min(values) if values else 0.0)
    hi = axis.high if axis.high is not None else (max(values) if values else 1.0)
    if axis.low is None or axis.high is None:
        pad = max((hi - lo) * 0.1, 1.0)
        if axis.low is None:
            lo -= pad
        if axis.high is None:
            hi += pad
    if hi <= lo:
        hi = lo + 1
    return lo, hi


def line_chart(
    *,
    title: str,
    series: Sequence[Series],
    left: Axis,
    right: Axis | None = None,
    markers: Sequence[Marker] = (),
    width: int = 720,
    height: int = 300,
    empty_text: str = "No data",
) -> str:
    """An SVG document fragment (``<svg>...</svg>``) ready to inline in a page."""
    ml, mr, mt, mb = 56, 56 if right else 16, 28, 48
    pw, ph = width - ml - mr, height - mt - mb
    days = [p[0] for s in series for p in s.points] + [m.on for m in markers]
    if not any(s.points for s in series):
        height = 48
    # Scales down with its container (viewBox; .oc-chart in the stylesheet), never wider than
    # drawn; no style attribute (the Content-Security-Policy forbids them).
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" '
        f'width="{width}" height="{height}" role="img" aria-label="{escape(title)}" '
        'class="oc-chart" font-family="sans-serif" font-size="11">',
        f"<title>{escape(title)}</title>",
    ]
    if not any(s.points for s in series):
        out.append(
            f'<text x="{width / 2}" y="{height / 2}" text-anchor="middle">{escape(empty_text)}</text>'
        )
        out.append("</svg>")
        return "".join(out)
    d0, d1 = min(days), max(days)
    span = max((d1 - d0).days, 1)

    def x(day: date) -> float:
        return round(ml + (day - d0).days / span * pw, 1)

    ranges: dict[str, tuple[float, float]] = {}
    for name, axis in (("left", left), ("right", right)):
        if axis is None:
            continue
        vals = [v for s in series if s.axis == name for _, v in s.points]
        ranges[name] = _nice_range(vals, axis)

    def y(value: float, name: str) -> float:
        lo, hi = ranges[name]
        return round(mt + ph - (value - lo) / (hi - lo) * ph, 1)

    desc = []
    for s in series:
        if s.points:
            first, last = s.points[0], s.points[-1]
            desc.append(
                f"{s.label}: {_fmt(first[1])} on {first[0].isoformat()} to "
                f"{_fmt(last[1])} on {last[0].isoformat()}"
            )
    out.append(f"<desc>{escape('; '.join(desc))}</desc>")
    out.append(f'<rect x="{ml}" y="{mt}" width="{pw}" height="{ph}" fill="#fff" stroke="#999"/>')
    # axes ticks
    for name, axis, tx, anchor in (
        ("left", left, ml - 6, "end"),
        ("right", right, ml + pw + 6, "start"),
    ):
        if axis is None:
            continue
        lo, hi = ranges[name]
        ticks = list(axis.ticks) or [lo + (hi - lo) * i / 4 for i in range(5)]
        for t in ticks:
            ty = y(t, name)
            out.append(
                f'<line x1="{ml}" x2="{ml + pw}" y1="{ty}" y2="{ty}" stroke="#eee"/>'
                if name == "left"
                else ""
            )
            out.append(f'<text x="{tx}" y="{ty + 4}" text-anchor="{anchor}">{_fmt(t)}</text>')
        lx = 14 if name == "left" else width - 6
        out.append(
            f'<text x="{lx}" y="{mt + ph / 2}" text-anchor="middle" '
            f'transform="rotate(-90 {lx} {mt + ph / 2})">{escape(axis.label)}</text>'
        )
    # date labels: first, last and about four between
    for i in range(6):
        day = date.fromordinal(d0.toordinal() + round(span * i / 5))
        out.append(
            f'<text x="{x(day)}" y="{mt + ph + 16}" text-anchor="middle">{day.isoformat()}</text>'
        )
    for m in markers:
        mx = x(m.on)
        out.append(
            f'<g class="oc-marker"><line x1="{mx}" x2="{mx}" y1="{mt}" y2="{mt + ph}" '
            f'stroke="#555" stroke-dasharray="4 3"/>'
            f'<text x="{mx + 3}" y="{mt - 6}" fill="#333">{escape(m.label)}</text>'
            f"<title>{escape(m.label)} {m.on.isoformat()}</title></g>"
        )
    for i, s in enumerate(series):
        if not s.points:
            continue
        color = s.color or PALETTE[i % len(PALETTE)]
        pts = sorted(s.points)
        coords: list[str] = []
        for j, (day, value) in enumerate(pts):
            if s.step and j:
                coords.append(f"{x(day)},{y(pts[j - 1][1], s.axis)}")
            coords.append(f"{x(day)},{y(value, s.axis)}")
        dash = ' stroke-dasharray="6 2"' if s.axis == "right" else ""
        out.append(
            f'<g class="oc-series" data-label="{escape(s.label)}">'
            f'<polyline fill="none" stroke="{color}" stroke-width="2"{dash} '
            f'points="{" ".join(coords)}"/>'
        )
        for day, value in pts:
            out.append(
                f'<circle cx="{x(day)}" cy="{y(value, s.axis)}" r="3" fill="{color}">'
                f"<title>{escape(s.label)} {day.isoformat()}: {_fmt(value)}</title></circle>"
            )
        out.append("</g>")
    # legend
    lx = ml
    for i, s in enumerate(series):
        color = s.color or PALETTE[i % len(PALETTE)]
        out.append(
            f'<rect x="{lx}" y="{height - 14}" width="10" height="10" fill="{color}"/>'
            f'<text x="{lx + 14}" y="{height - 5}">{escape(s.label)}</text>'
        )
        lx += 24 + 7 * len(s.label)
    out.append("</svg>")
    return "".join(part for part in out if part)


def weight_fois_chart(
    *,
    weights: Sequence[tuple[date, float]],
    fois: Sequence[tuple[date, int]],
    treatments: Sequence[Marker],
    title: str = "Weight and FOIS",
    weight_label: str = "Weight (kg)",
    fois_label: str = "FOIS (1-7)",
    empty_text: str = "No data",
) -> str:
    """The patient-page chart: weight (kg, left) and FOIS (1-7, right, steps) with treatments."""
    return line_chart(
        title=title,
        series=[
            Series(weight_label, [(d, float(w)) for d, w in weights], "left"),
            Series(fois_label, [(d, float(f)) for d, f in fois], "right", step=True),
        ],
        left=Axis(weight_label),
        right=Axis(fois_label, 1, 7, ticks=(1, 2, 3, 4, 5, 6, 7)),
        markers=treatments,
        empty_text=empty_text,
    )
