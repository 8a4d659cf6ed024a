"""Server-side SVG charts (pure Python, no JavaScript, no external library).

Hospital networks are often closed, so charts are rendered as inline SVG on the server. Text is
escaped; the SVG has a <title> and a role so that screen readers announce it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from html import escape

PALETTE = (
    "#1f77b4",
    "#ff7f0e",
    "#2ca02c",
    "#d62728",
    "#9467bd",
    "#8c564b",
    "#e377c2",
    "#7f7f7f",
    "#bcbd22",
    "#17becf",
    "#393b79",
    "#637939",
    "#8c6d31",
)


def _nice_max(value: float) -> float:
    """Round the axis maximum up to 1, 2 or 5 times a power of ten."""
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


def stacked_bar_svg(
    *,
    title: str,
    categories: Sequence[str],
    series: Mapping[str, Sequence[float]],
    width: int = 720,
    height: int = 320,
    y_label: str = "",
) -> str:
    """Stacked vertical bars: one bar per category, one coloured segment per series.

    ``series`` maps a legend label to one value per category (same length as categories).
    """
    for label, values in series.items():
        if len(values) != len(categories):
            raise ValueError(
                f"series {label!r} has {len(values)} values, expected {len(categories)}"
            )
    legend_w = 190 if series else 0
    left, right, top, bottom = 48, 12 + legend_w, 36, 40
    plot_w = max(width - left - right, 10)
    plot_h = max(height - top - bottom, 10)
    totals = [sum(float(v[i]) for v in series.values()) for i in range(len(categories))]
    y_max = _nice_max(max(totals, default=0))
    if y_max < 5 and all(float(t).is_integer() for t in totals):
        y_max = 5.0  # counts: keep the ticks on whole numbers
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" role="img" aria-label="{escape(title)}" '
        f'viewBox="0 0 {width} {height}" width="{width}" height="{height}" '
        f'font-family="sans-serif" font-size="11" class="chart">',
        f"<title>{escape(title)}</title>",
        f'<text x="{left}" y="20" font-size="14" font-weight="bold">{escape(title)}</text>',
    ]
    # y axis with 5 ticks
    for i in range(6):
        value = y_max * i / 5
        y = top + plot_h - plot_h * i / 5
        label = f"{value:g}" if value != int(value) else f"{int(value)}"
        parts.append(
            f'<line x1="{left}" y1="{y:.1f}" x2="{left + plot_w}" y2="{y:.1f}" stroke="#ddd"/>'
            f'<text x="{left - 6}" y="{y + 4:.1f}" text-anchor="end">{label}</text>'
        )
    if y_label:
        parts.append(
            f'<text x="12" y="{top + plot_h / 2:.1f}" transform="rotate(-90 12 '
            f'{top + plot_h / 2:.1f})" text-anchor="middle">{escape(y_label)}</text>'
        )
    n = max(len(categories), 1)
    slot = plot_w / n
    bar_w = slot * 0.7
    for i, cat in enumerate(categories):
        x = left + i * slot + (slot - bar_w) / 2
        y_base = float(top + plot_h)
        for s, (label, values) in enumerate(series.items()):
            v = float(values[i])
            if v <= 0:
                continue
            h = plot_h * v / y_max
            y_base -= h
            parts.append(
                f'<rect x="{x:.1f}" y="{y_base:.1f}" width="{bar_w:.1f}" height="{h:.1f}" '
                f'fill="{PALETTE[s % len(PALETTE)]}"><title>{escape(str(cat))} - '
                f"{escape(label)}: {v:g}</title></rect>"
            )
        parts.append(
            f'<text x="{x + bar_w / 2:.1f}" y="{top + plot_h + 16}" text-anchor="middle">'
            f"{escape(str(cat))}</text>"
        )
        if totals[i]:
            parts.append(
                f'<text x="{x + bar_w / 2:.1f}" y="{y_base - 4:.1f}" text-anchor="middle" '
                f'class="total">{totals[i]:g}</text>'
            )
    parts.append(
        f'<line x1="{left}" y1="{top + plot_h}" x2="{left + plot_w}" y2="{top + plot_h}" '
        'stroke="#333"/>'
    )
    lx = width - legend_w + 8
    for s, label in enumerate(series):
        ly = top + s * 16
        parts.append(
            f'<rect x="{lx}" y="{ly}" width="10" height="10" fill="{PALETTE[s % len(PALETTE)]}"/>'
            f'<text x="{lx + 14}" y="{ly + 9}">{escape(label)}</text>'
        )
    if not categories:
        parts.append(
            f'<text x="{left + plot_w / 2:.1f}" y="{top + plot_h / 2:.1f}" '
            'text-anchor="middle" fill="#777">-</text>'
        )
    parts.append("</svg>")
    return "".join(parts)
