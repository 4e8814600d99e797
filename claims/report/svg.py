"""Inline SVG charts of reported figures over time, written by hand: points, no lines
(see :func:`quantity_chart`).

Why not a plotting library: the chart is one small scatter plot (dates against values,
a whisker per range, a dashed line for the claim's own figure), and the report must be a
single offline file. matplotlib can emit SVG, but it is not a dependency of the project,
its SVG is ~30 KB per chart with embedded glyph paths, and it cannot attach the
``data-*`` attributes and ``<title>`` tooltips that make each point inspectable. The
~150 lines below have no dependencies and produce a few KB per chart.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from html import escape

__all__ = ["PALETTE", "ChartPoint", "date_ticks", "format_figure", "quantity_chart"]

# Okabe-Ito: distinguishable for the common colour-vision deficiencies. Ordered so that
# the first six sources get six different hues (its two blues, #0072B2 and #56B4E9, meet only
# from the seventh source on); its yellow, faint on white, comes last.
PALETTE = ("#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#000000", "#56B4E9", "#F0E442")
JITTER_PX = 9.0  # sideways step between reports that share a day

WIDTH, HEIGHT = 720, 300
LEFT, RIGHT, TOP, BOTTOM = 70, 190, 20, 44


@dataclass(frozen=True)
class ChartPoint:
    """One reported figure: when, by whom, the value and the range it allows."""

    when: date
    value: float
    source: str
    label: str  # the figure as written, shown in the tooltip
    low: float | None = None
    high: float | None = None
    role: str = "evidence"  # claim | evidence
    relation: str | None = None  # match | consistent | mismatch | other_scope | none


def format_figure(value: float) -> str:
    """8000.0 -> "8,000"; 1500000.0 -> "1.5M"; 0.25 -> "0.25"."""
    if abs(value) >= 1e6:
        return f"{value / 1e6:.3g}M"
    if value == int(value):
        return f"{int(value):,}"
    return f"{value:.3g}"


def _nice_step(span: float, ticks: int = 5) -> float:
    raw = span / max(ticks, 1)
    if raw <= 0:
        return 1.0
    magnitude = 10 ** math.floor(math.log10(raw))
    for factor in (1, 2, 2.5, 5, 10):
        if raw <= factor * magnitude:
            return factor * magnitude
    return 10 * magnitude


def _attr(value: float | None) -> str:
    return "" if value is None else f"{value:g}"


def _as_date(value: date | datetime) -> date:
    return value.date() if isinstance(value, datetime) else value


def date_ticks(first: date, last: date) -> list[tuple[date, str]]:
    """The x axis's ticks, at most 7, each with its label: within one year whole days
    ("18 Jul"); across years the year is said, as days ("31 Dec 2024") over a few weeks, as
    months ("Jul 2024") over up to two years, and as whole years ("1961") beyond, so an axis
    from 1961 to 2025 never reads "31 Dec, 18 Jul, 3 Feb"."""
    span_days = (last - first).days
    if span_days > 730:  # years: 1 January of the round years in the span (every 1, 2, 5, 10, ... years)
        for step in (1, 2, 5, 10, 20, 25, 50, 100, 200, 500, 1000):
            years = [y for y in range(first.year, last.year + 1) if y % step == 0 and first <= date(y, 1, 1) <= last]
            if len(years) <= 7:
                return [(date(y, 1, 1), str(y)) for y in years]
    day_step = max(1, math.ceil(span_days / 6))
    days = [first + timedelta(days=offset) for offset in range(0, span_days + 1, day_step)]
    if first.year == last.year:
        return [(d, f"{d.day} {d:%b}") for d in days]
    if span_days <= 60:
        return [(d, f"{d.day} {d:%b %Y}") for d in days]
    return [(d, f"{d:%b %Y}") for d in days]


def quantity_chart(points: Sequence[ChartPoint], *, claim_value: float | None = None,
                   claim_low: float | None = None, claim_high: float | None = None,
                   claim_vague: bool = False, claim_label: str | None = None,
                   title: str = "Reported figures over time") -> str:
    """An ``<svg>`` element: one dot per report (colour = source, whisker = range), the
    claim's figure as a dashed line, or as a band when the claim states a range or a bound
    ("thousands of troops", "more than 3,000"). Returns "" when no point has a date and a value.

    The value axis runs from 0 to just above the largest reported figure (ranges
    included) and the claim's figure or stated bounds, so that the points spread over the
    chart. A vague claim (``claim_vague``: "thousands of" reads as 2,000-99,999) brings only
    its lower bound: its band runs to the chart's edge instead of stretching the axis to
    100,000 and flattening every point on the floor; so does an open bound ("more than
    3,000"). The axis is in the ``<svg>``'s ``data-y-min`` and ``data-y-max``.

    No line joins a source's reports: one outlet's figures on two dates are often of
    different things (12,000 sent to Russia, 8,000 in Kursk), and a line would read as a
    trend. Reports that share a day are spread sideways, so that none hides another."""
    points = sorted((p for p in points if p.when is not None and p.value is not None),
                    key=lambda p: (_as_date(p.when), p.source))
    if not points:
        return ""
    days = [_as_date(p.when) for p in points]
    first, last = min(days), max(days)
    if first == last:
        first, last = first - timedelta(days=1), last + timedelta(days=1)
    span_days = (last - first).days
    values = [p.value for p in points]
    values += [p.low for p in points if p.low is not None] + [p.high for p in points if p.high is not None]
    values += [v for v in (claim_value, claim_low, None if claim_vague else claim_high) if v is not None]
    band = (claim_low is not None or claim_high is not None) and claim_low != claim_high
    step = _nice_step(max(values) * 1.1 if max(values) > 0 else 1.0)
    y_max = step * math.ceil(max(values) * 1.1 / step) if max(values) > 0 else step * 5
    y_min = 0.0
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM

    pad = max(0.5, span_days * 0.04)  # days of room either side, so edge points stay inside

    def x_of(d: date) -> float:
        return LEFT + plot_w * (((d - first).days + pad) / (span_days + 2 * pad))

    def y_of(v: float) -> float:
        return TOP + plot_h * (1 - (v - y_min) / (y_max - y_min))

    sources = list(dict.fromkeys(p.source for p in points))
    colour = {s: PALETTE[i % len(PALETTE)] for i, s in enumerate(sources)}
    parts: list[str] = [
        (f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" viewBox="0 0 {WIDTH} {HEIGHT}" '
         f'width="{WIDTH}" height="{HEIGHT}" role="img" aria-label="{escape(title)}" '
         f'data-y-min="{y_min:g}" data-y-max="{y_max:g}">'),
        f"<title>{escape(title)}</title>",
        f'<rect x="{LEFT}" y="{TOP}" width="{plot_w}" height="{plot_h}" fill="#fafafa" stroke="#ccc"/>',
    ]
    # y grid and labels
    tick = y_min
    while tick <= y_max + step / 2:
        y = y_of(tick)
        parts.append(f'<line x1="{LEFT}" x2="{LEFT + plot_w}" y1="{y:.1f}" y2="{y:.1f}" stroke="#e3e3e3"/>')
        parts.append(f'<text x="{LEFT - 6}" y="{y + 4:.1f}" text-anchor="end" class="tick">'
                     f"{escape(format_figure(tick))}</text>")
        tick += step
    for d, text in date_ticks(first, last):
        x = x_of(d)
        parts.append(f'<line x1="{x:.1f}" x2="{x:.1f}" y1="{TOP + plot_h}" y2="{TOP + plot_h + 4}" stroke="#888"/>')
        parts.append(f'<text x="{x:.1f}" y="{TOP + plot_h + 17}" text-anchor="middle" class="tick">'
                     f"{escape(text)}</text>")
    parts.append(f'<text x="{LEFT + plot_w / 2:.1f}" y="{HEIGHT - 6}" text-anchor="middle" class="axis">'
                 "figure given on</text>")
    label = escape(claim_label or (format_figure(claim_value) if claim_value is not None else ""))
    if band:  # clipped to the plot: a bound beyond the axis (a vague claim's) runs to its edge
        top = max(TOP, y_of(claim_high)) if claim_high is not None else TOP
        bottom = min(TOP + plot_h, y_of(claim_low)) if claim_low is not None else TOP + plot_h
        parts.append(f'<rect class="claim-band" x="{LEFT}" y="{top:.1f}" width="{plot_w}" '
                     f'height="{max(bottom - top, 1):.1f}" fill="#444" fill-opacity="0.08" stroke="#444" '
                     f'stroke-dasharray="6 4" stroke-opacity="0.5" data-low="{_attr(claim_low)}" '
                     f'data-high="{_attr(claim_high)}"/>')
        beyond = f" (to {format_figure(claim_high)}, above the chart)" if claim_high is not None and claim_high > y_max else ""
        parts.append(f'<text x="{LEFT + 4}" y="{top + 14:.1f}" class="axis">claim: {label}{escape(beyond)}</text>')
    elif claim_value is not None:
        y = y_of(claim_value)
        parts.append(f'<line class="claim-line" x1="{LEFT}" x2="{LEFT + plot_w}" y1="{y:.1f}" y2="{y:.1f}" '
                     f'stroke="#444" stroke-dasharray="6 4" data-value="{claim_value:g}"/>')
        parts.append(f'<text x="{LEFT + 4}" y="{y - 5:.1f}" class="axis">claim: {label}</text>')
    # reports of the same day are spread sideways, lowest value leftmost, so that none hides another
    shift: dict[int, float] = {}
    stacks: dict[date, list[int]] = {}
    for i, p in enumerate(points):
        stacks.setdefault(_as_date(p.when), []).append(i)
    for stack in stacks.values():
        stack.sort(key=lambda i: (points[i].value, points[i].source))
        for position, i in enumerate(stack):
            shift[i] = (position - (len(stack) - 1) / 2) * JITTER_PX

    for i, p in enumerate(points):
        x, y = x_of(_as_date(p.when)) + shift[i], y_of(p.value)
        c = colour[p.source]
        if p.low is not None and p.high is not None and p.high > p.low:
            y1, y2 = y_of(p.high), y_of(p.low)
            parts.append(f'<line x1="{x:.1f}" x2="{x:.1f}" y1="{y1:.1f}" y2="{y2:.1f}" stroke="{c}" stroke-width="2"/>')
            for yy in (y1, y2):
                parts.append(f'<line x1="{x - 4:.1f}" x2="{x + 4:.1f}" y1="{yy:.1f}" y2="{yy:.1f}" stroke="{c}" stroke-width="2"/>')
        if p.low is not None and p.high is None:  # open above: "more than", "at least"
            parts.append(f'<path d="M{x:.1f},{y - 6:.1f} V{y - 20:.1f} M{x - 4:.1f},{y - 15:.1f} L{x:.1f},{y - 20:.1f} '
                         f'L{x + 4:.1f},{y - 15:.1f}" stroke="{c}" stroke-width="2" fill="none"/>')
        elif p.high is not None and p.low is None:  # open below: "up to", "fewer than"
            parts.append(f'<path d="M{x:.1f},{y + 6:.1f} V{y + 20:.1f} M{x - 4:.1f},{y + 15:.1f} L{x:.1f},{y + 20:.1f} '
                         f'L{x + 4:.1f},{y + 15:.1f}" stroke="{c}" stroke-width="2" fill="none"/>')
        other = p.relation == "other_scope"
        tip = f"{p.source}, {_as_date(p.when):%d %b %Y}: {p.label}" + (" (another place, time or thing)" if other else "")
        fill, stroke = ("#fff", c) if other else (c, "#fff")
        tag = "rect" if p.role == "claim" else "circle"
        shape = (f'<rect x="{x - 5:.1f}" y="{y - 5:.1f}" width="10" height="10"' if p.role == "claim"
                 else f'<circle cx="{x:.1f}" cy="{y:.1f}" r="5"')
        parts.append(
            f'{shape} class="point point-{escape(p.role)}{" other-scope" if other else ""}" fill="{fill}" '
            f'stroke="{stroke}" stroke-width="{2 if other else 1}" '
            f'data-source="{escape(p.source)}" data-date="{_as_date(p.when).isoformat()}" '
            f'data-value="{p.value:g}"><title>{escape(tip)}</title></{tag}>'
        )
    # legend
    lx = LEFT + plot_w + 14
    for i, source in enumerate(sources):
        ly = TOP + 8 + i * 18
        if ly > HEIGHT - BOTTOM - 36:
            parts.append(f'<text x="{lx}" y="{ly + 4}" class="tick">+{len(sources) - i} more</text>')
            break
        name = source if len(source) <= 24 else source[:23] + "…"
        parts.append(f'<circle cx="{lx + 5}" cy="{ly}" r="5" fill="{colour[source]}"/>')
        parts.append(f'<text x="{lx + 15}" y="{ly + 4}" class="legend">{escape(name)}</text>')
    if any(p.relation == "other_scope" for p in points):
        ly = HEIGHT - BOTTOM - 8
        parts.append(f'<circle cx="{lx + 5}" cy="{ly}" r="5" fill="#fff" stroke="#555" stroke-width="2"/>')
        parts.append(f'<text x="{lx + 15}" y="{ly + 4}" class="tick">another place, time or thing</text>')
    parts.append("</svg>")
    return "\n".join(parts)
