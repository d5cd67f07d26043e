"""Accessible bar charts drawn on the server as inline SVG: no JavaScript, no chart library, no CDN.

Each chart is `role="img"` with a <title> and a <desc> that says what it shows in words,
and pages put a data table next to it. Bars are sized in percentages of the chart's width
and text in CSS pixels, so labels stay readable from a 320px phone to an A4 print.
Only presentation attributes are used (the Content-Security-Policy forbids inline styles).
"""

from __future__ import annotations

import textwrap
from collections.abc import Sequence
from datetime import date

from markupsafe import Markup, escape

from engagement.core.timeutil import format_date

TEXT = "#0b0c0c"
BAR = "#17406d"
TRACK = "#f3f2f1"
LINE_HEIGHT = 22
BAR_HEIGHT = 24
GAP = 14
WRAP = 34  # characters per label line: fits 320px at 16px text


def percent_text(value: float) -> str:
    """45.0 -> "45", 33.3 -> "33.3"."""
    return f"{value:.1f}".rstrip("0").rstrip(".")


def bar_chart(chart_id: str, title: str, rows: Sequence, *, noun: str = "people") -> Markup:
    """Horizontal bars, one per row (label, count, percent), each labelled with its figures."""
    parts, described, y = [], [], 0
    for row in rows:
        figures = f"{percent_text(row.percent)}% ({row.count:,})"
        described.append(f"{row.label}: {figures}")
        lines = textwrap.wrap(f"{row.label}: {figures}", WRAP) or [figures]
        for line in lines:
            y += LINE_HEIGHT
            parts.append(f'<text x="0" y="{y - 5}" font-size="16" fill="{TEXT}">{escape(line)}</text>')
        y += 4
        parts.append(f'<rect x="0" y="{y}" width="100%" height="{BAR_HEIGHT}" fill="{TRACK}"/>')
        if row.count:
            width = max(float(row.percent), 0.5)
            parts.append(
                f'<rect x="0" y="{y}" width="{percent_text(min(width, 100))}%" height="{BAR_HEIGHT}" fill="{BAR}"/>'
            )
        y += BAR_HEIGHT + GAP
    description = f"Bar chart of {noun}'s answers. " + "; ".join(described) + "."
    return _svg(chart_id, title, description, y, "".join(parts), "chart chart-bars")


def column_chart(chart_id: str, title: str, points: Sequence[tuple[date, int]], *, unit: str = "day") -> Markup:
    """Responses over time: one column per day or week, scaled to the busiest."""
    if not points:
        return Markup("")
    peak = max(n for _, n in points) or 1
    width = len(points) * 10
    bars = []
    for i, (_day, n) in enumerate(points):
        height = round(100 * n / peak, 2)
        if n:
            bars.append(f'<rect x="{i * 10 + 1}" y="{100 - height}" width="8" height="{height}" fill="{BAR}"/>')
    busiest_day, busiest = max(points, key=lambda p: p[1])
    total = sum(n for _, n in points)
    description = (
        f"Column chart of responses per {unit} from {format_date(points[0][0])} to {format_date(points[-1][0])}: "
        f"{total:,} in all. The most in one {unit} was {busiest:,}, "
        f"{'on' if unit == 'day' else 'in the week of'} {format_date(busiest_day)}."
    )
    body = f'<line x1="0" y1="100" x2="{width}" y2="100" stroke="{TEXT}" stroke-width="1"/>' + "".join(bars)
    return Markup(  # noqa: S704 - every interpolated text is escaped
        f'<svg class="chart chart-columns" xmlns="http://www.w3.org/2000/svg" width="100%" height="160" '
        f'viewBox="0 -2 {width} 103" preserveAspectRatio="none" role="img" '
        f'aria-labelledby="{chart_id}-title {chart_id}-desc" focusable="false">'
        f'<title id="{chart_id}-title">{escape(title)}</title><desc id="{chart_id}-desc">{escape(description)}</desc>'
        f"{body}</svg>"
    )


def _svg(chart_id: str, title: str, description: str, height: int, body: str, css_class: str) -> Markup:
    return Markup(  # noqa: S704 - every interpolated text is escaped
        f'<svg class="{css_class}" xmlns="http://www.w3.org/2000/svg" width="100%" height="{height}" '
        f'role="img" aria-labelledby="{chart_id}-title {chart_id}-desc" focusable="false" '
        f'font-family="Arial, Helvetica, sans-serif">'
        f'<title id="{chart_id}-title">{escape(title)}</title><desc id="{chart_id}-desc">{escape(description)}</desc>'
        f"{body}</svg>"
    )
