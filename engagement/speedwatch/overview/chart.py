"""Vehicles per site per month as a server-drawn chart, following surveys.charts: inline SVG with
role="img", a <title> and a <desc> in words, no JavaScript and no inline styles."""

from __future__ import annotations

from datetime import date

from markupsafe import Markup, escape

from engagement.speedwatch.overview.queries import SiteCounts

TEXT, BAR, TRACK = "#0b0c0c", "#17406d", "#f3f2f1"
LINE_HEIGHT, BAR_HEIGHT, GAP = 22, 20, 10


def site_chart(chart_id: str, site: SiteCounts, months: list[date], peak: int) -> Markup:
    """One small horizontal bar chart per site: a bar per month, all scaled to the busiest month of any site."""
    parts, described, y = [], [], 0
    for month, count in zip(months, site.counts, strict=True):
        label = f"{month:%B %Y}: {count}"
        described.append(label)
        y += LINE_HEIGHT
        parts.append(f'<text x="0" y="{y - 5}" font-size="16" fill="{TEXT}">{escape(label)}</text>')
        y += 2
        parts.append(f'<rect x="0" y="{y}" width="100%" height="{BAR_HEIGHT}" fill="{TRACK}"/>')
        if count:
            width = max(100 * count / (peak or 1), 0.5)
            parts.append(f'<rect x="0" y="{y}" width="{width:.1f}%" height="{BAR_HEIGHT}" fill="{BAR}"/>')
        y += BAR_HEIGHT + GAP
    title = f"Vehicles over the limit at {site.site} ({site.team}), by month"
    description = (
        f"Bar chart of vehicles recorded over the limit at {site.site} per month. " + "; ".join(described) + "."
    )
    return Markup(  # noqa: S704 - every interpolated text is escaped
        f'<svg class="chart chart-bars" xmlns="http://www.w3.org/2000/svg" width="100%" height="{y}" '
        f'role="img" aria-labelledby="{chart_id}-title {chart_id}-desc" focusable="false" '
        f'font-family="Arial, Helvetica, sans-serif">'
        f'<title id="{chart_id}-title">{escape(title)}</title><desc id="{chart_id}-desc">{escape(description)}</desc>'
        f"{''.join(parts)}</svg>"
    )
