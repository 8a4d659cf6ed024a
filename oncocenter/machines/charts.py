"""Server-side SVG chart of one machine QA test over time (after QATrack+'s test charts): the
nominal value as a line, the tolerance band shaded green, the band between tolerance and action
level shaded amber, values outside the action level red. No JavaScript; presentation attributes
only (no ``style=``), so it passes the strict Content-Security-Policy; all text escaped."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from html import escape

STATUS_COLOUR = {"pass": "#1f6fb2", "tolerance": "#d68910", "action": "#c0392b"}


@dataclass(frozen=True)
class QAPoint:
    at: dt.datetime
    value: Decimal
    status: str


def _fmt(v: float) -> str:
    return f"{v:.3f}".rstrip("0").rstrip(".")


def qa_test_svg(
    *,
    title: str,
    unit: str,
    nominal: Decimal,
    tolerance: Decimal,
    action: Decimal,
    points: Sequence[QAPoint],
    empty_text: str = "No results",
    width: int = 720,
    height: int = 260,
) -> str:
    label = escape(f"{title} ({unit})" if unit else title)
    if not points:
        return (
            f'<svg xmlns="http://www.w3.org/2000/svg" class="qa-chart" viewBox="0 0 {width} 40" '
            f'role="img" aria-label="{label}"><title>{label}</title>'
            f'<text x="8" y="24" font-size="13" fill="#666">{label}: {escape(empty_text)}</text></svg>'
        )
    nom, tol, act = float(nominal), float(tolerance), float(action)
    ml, mr, mt, mb = 60, 16, 26, 40
    pw, ph = width - ml - mr, height - mt - mb
    ordered = sorted(points, key=lambda p: p.at)
    values = [float(p.value) for p in ordered]
    margin = max(act * 1.5, tol * 2, 0.5)
    lo = min([*values, nom - margin])
    hi = max([*values, nom + margin])
    pad = (hi - lo) * 0.05
    lo, hi = lo - pad, hi + pad
    t0, t1 = ordered[0].at, ordered[-1].at
    span = max((t1 - t0).total_seconds(), 3600.0)

    def x(t: dt.datetime) -> float:
        if len(ordered) == 1:
            return ml + pw / 2
        return ml + pw * (t - t0).total_seconds() / span

    def y(v: float) -> float:
        return mt + ph * (1 - (v - lo) / (hi - lo))

    def band(a: float, b: float, fill: str, name: str) -> str:
        top, bottom = y(max(a, b)), y(min(a, b))
        return (
            f'<rect class="{name}" x="{ml}" y="{top:.1f}" width="{pw}" '
            f'height="{max(bottom - top, 0):.1f}" fill="{fill}"/>'
        )

    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="qa-chart" viewBox="0 0 {width} {height}" '
        f'role="img" aria-label="{label}"><title>{label}</title>',
        f'<text x="{ml}" y="16" font-size="13" font-weight="bold">{label}</text>',
        # Action band (tolerance to action level) under the tolerance band.
        band(nom - act, nom + act, "#fdf2d0", "action-band"),
        band(nom - tol, nom + tol, "#e3f2e5", "tolerance-band"),
        f'<line class="nominal" x1="{ml}" x2="{ml + pw}" y1="{y(nom):.1f}" y2="{y(nom):.1f}" '
        f'stroke="#2e7d32" stroke-dasharray="5 3"/>',
    ]
    for limit in (nom - act, nom + act):
        out.append(
            f'<line class="action-limit" x1="{ml}" x2="{ml + pw}" y1="{y(limit):.1f}" '
            f'y2="{y(limit):.1f}" stroke="#c0392b" stroke-dasharray="2 3"/>'
        )
    for tick in (nom - act, nom, nom + act):
        out.append(
            f'<text x="{ml - 6}" y="{y(tick) + 4:.1f}" font-size="11" text-anchor="end">'
            f"{escape(_fmt(tick))}</text>"
        )
    out.append(f'<line x1="{ml}" x2="{ml}" y1="{mt}" y2="{mt + ph}" stroke="#999"/>')
    out.append(f'<line x1="{ml}" x2="{ml + pw}" y1="{mt + ph}" y2="{mt + ph}" stroke="#999"/>')
    if len(ordered) > 1:
        path = " ".join(f"{x(p.at):.1f},{y(float(p.value)):.1f}" for p in ordered)
        out.append(f'<polyline points="{path}" fill="none" stroke="#1f6fb2" stroke-width="1.5"/>')
    for p in ordered:
        colour = STATUS_COLOUR.get(p.status, "#1f6fb2")
        out.append(
            f'<circle class="qa-point {escape(p.status)}" cx="{x(p.at):.1f}" '
            f'cy="{y(float(p.value)):.1f}" r="4" fill="{colour}"><title>'
            f"{escape(p.at.strftime('%Y-%m-%d %H:%M'))}: {escape(_fmt(float(p.value)))} "
            f"{escape(unit)} ({escape(p.status)})</title></circle>"
        )
    out.append(
        f'<text x="{ml}" y="{height - 10}" font-size="11">{escape(t0.strftime("%Y-%m-%d"))}</text>'
        f'<text x="{ml + pw}" y="{height - 10}" font-size="11" text-anchor="end">'
        f"{escape(t1.strftime('%Y-%m-%d'))}</text>"
    )
    out.append("</svg>")
    return "".join(out)
