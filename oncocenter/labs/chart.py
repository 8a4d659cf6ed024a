"""Server-side SVG trend charts of one analyte (no JavaScript, no Django): the values over time,
the reference band shaded, critical limits dashed, and treatment days as labelled vertical lines.
All text is escaped; the chart has a <title> for screen readers. Presentation attributes only (no
``style=``), so it passes a strict Content-Security-Policy."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from html import escape


@dataclass(frozen=True)
class Point:
    on: dt.datetime
    value: float
    flagged: bool = False


@dataclass(frozen=True)
class DayMarker:
    on: dt.date
    label: str


def _fmt(v: float) -> str:
    return f"{v:.2f}".rstrip("0").rstrip(".")


def trend_svg(
    *,
    title: str,
    unit: str,
    points: Sequence[Point],
    low: float | None = None,
    high: float | None = None,
    critical_low: float | None = None,
    critical_high: float | None = None,
    markers: Sequence[DayMarker] = (),
    width: int = 640,
    height: int = 220,
    empty_text: str = "No results",
) -> str:
    label = escape(f"{title} ({unit})")
    if not points:
        return (
            f'<svg xmlns="http://www.w3.org/2000/svg" class="lab-trend" viewBox="0 0 {width} 40" '
            f'role="img" aria-label="{label}"><title>{label}</title>'
            f'<text x="8" y="24" font-size="13" fill="#666">{escape(label)}: {escape(empty_text)}</text></svg>'
        )
    ml, mr, mt, mb = 52, 12, 24, 40
    pw, ph = width - ml - mr, height - mt - mb
    t0 = min(
        [p.on for p in points]
        + [dt.datetime.combine(m.on, dt.time(), points[0].on.tzinfo) for m in markers]
    )
    t1 = max(
        [p.on for p in points]
        + [dt.datetime.combine(m.on, dt.time(23), points[0].on.tzinfo) for m in markers]
    )
    span = max((t1 - t0).total_seconds(), 86400.0)
    values = [p.value for p in points] + [v for v in (low, high, critical_low) if v is not None]
    lo, hi = min([*values, 0.0]), max(values)
    hi = hi + max((hi - lo) * 0.1, 0.5)

    def x(t: dt.datetime) -> float:
        return ml + pw * (t - t0).total_seconds() / span

    def y(v: float) -> float:
        return mt + ph * (1 - (v - lo) / (hi - lo))

    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="lab-trend" viewBox="0 0 {width} {height}" '
        f'role="img" aria-label="{label}"><title>{label}</title>',
        f'<text x="{ml}" y="16" font-size="13" font-weight="bold">{label}</text>',
    ]
    if low is not None and high is not None:
        out.append(
            f'<rect x="{ml}" y="{y(high):.1f}" width="{pw}" height="{max(y(low) - y(high), 0):.1f}" '
            f'fill="#e8f4ea"><title>{escape(_fmt(low))}-{escape(_fmt(high))}</title></rect>'
        )
    for limit in (critical_low, critical_high):
        if limit is not None and lo <= limit <= hi:
            out.append(
                f'<line x1="{ml}" x2="{ml + pw}" y1="{y(limit):.1f}" y2="{y(limit):.1f}" '
                f'stroke="#c0392b" stroke-dasharray="4 3"/>'
            )
    for tick in (lo, (lo + hi) / 2, hi):
        out.append(
            f'<text x="{ml - 6}" y="{y(tick) + 4:.1f}" font-size="11" text-anchor="end">{_fmt(tick)}</text>'
        )
    out.append(f'<line x1="{ml}" x2="{ml}" y1="{mt}" y2="{mt + ph}" stroke="#999"/>')
    out.append(f'<line x1="{ml}" x2="{ml + pw}" y1="{mt + ph}" y2="{mt + ph}" stroke="#999"/>')
    for m in markers:
        mx = x(dt.datetime.combine(m.on, dt.time(12), points[0].on.tzinfo))
        out.append(
            f'<line class="treatment-day" x1="{mx:.1f}" x2="{mx:.1f}" y1="{mt}" y2="{mt + ph}" '
            f'stroke="#8e44ad" stroke-width="1"><title>{escape(m.on.isoformat())} {escape(m.label)}</title></line>'
        )
        out.append(
            f'<text x="{mx:.1f}" y="{mt - 2}" font-size="9" fill="#8e44ad" text-anchor="middle">{escape(m.label[:12])}</text>'
        )
    ordered = sorted(points, key=lambda p: p.on)
    path = " ".join(f"{x(p.on):.1f},{y(p.value):.1f}" for p in ordered)
    out.append(f'<polyline points="{path}" fill="none" stroke="#1f6fb2" stroke-width="2"/>')
    for p in ordered:
        colour = "#c0392b" if p.flagged else "#1f6fb2"
        out.append(
            f'<circle cx="{x(p.on):.1f}" cy="{y(p.value):.1f}" r="3" fill="{colour}">'
            f"<title>{escape(p.on.strftime('%Y-%m-%d %H:%M'))}: {escape(_fmt(p.value))} {escape(unit)}</title></circle>"
        )
    out.append(
        f'<text x="{ml}" y="{height - 8}" font-size="11">{escape(t0.strftime("%Y-%m-%d"))}</text>'
        f'<text x="{ml + pw}" y="{height - 8}" font-size="11" text-anchor="end">{escape(t1.strftime("%Y-%m-%d"))}</text>'
    )
    out.append("</svg>")
    return "".join(out)
