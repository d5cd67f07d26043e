"""Traffic per site per month as a server-drawn chart, following surveys.charts: inline SVG with
role="img", a <title> and a <desc> in words, no JavaScript and no inline styles. The same numbers
are in a table beside it for screen readers and print."""

from __future__ import annotations

from markupsafe import Markup, escape

from engagement.speedwatch.overview.traffic import MonthTraffic, SiteTraffic

TEXT, TRACK = "#0b0c0c", "#f3f2f1"
COUNTED, OVER_LIMIT, OVER_THRESHOLD = "#9fb8d3", "#3d6ea5", "#0b2c4f"
LINE_HEIGHT, BAR_HEIGHT, GAP = 22, 20, 12


def pct(value: float | None) -> str:
    return "no count" if value is None else f"{value:g}%"


def month_lines(m: MonthTraffic) -> list[str]:
    """['April 2027: 2 sessions, 420 vehicles', '9.5% over the limit, 3.1% over the threshold, 1 repeat']."""
    if not m.sessions:
        return [f"{m.month:%B %Y}: no sessions"]
    return [
        f"{m.month:%B %Y}: {m.sessions} session{'s' if m.sessions != 1 else ''}, {m.counted} vehicles",
        f"{pct(m.pct_over_limit)} over the limit, {pct(m.pct_over_threshold)} over the threshold, "
        f"{m.repeats} repeat{'s' if m.repeats != 1 else ''}",
    ]


def site_chart(chart_id: str, site: SiteTraffic, peak: int) -> Markup:
    """One bar per month: its length is the vehicles counted (scaled to the busiest month of any site);
    the darker parts are the share over the limit and, darkest, over the threshold."""
    parts, described, y = [], [], 0
    for m in site.months:
        lines = month_lines(m)
        described.append(", ".join(lines))
        for line in lines:
            y += LINE_HEIGHT
            parts.append(f'<text x="0" y="{y - 5}" font-size="15" fill="{TEXT}">{escape(line)}</text>')
        y += 2
        parts.append(f'<rect x="0" y="{y}" width="100%" height="{BAR_HEIGHT}" fill="{TRACK}"/>')
        if m.counted:
            width = max(100 * m.counted / (peak or 1), 0.5)
            parts.append(f'<rect x="0" y="{y}" width="{width:.1f}%" height="{BAR_HEIGHT}" fill="{COUNTED}"/>')
            for share, colour in ((m.over_limit, OVER_LIMIT), (m.over_threshold, OVER_THRESHOLD)):
                if share:
                    part = max(width * share / m.counted, 0.3)
                    parts.append(f'<rect x="0" y="{y}" width="{part:.1f}%" height="{BAR_HEIGHT}" fill="{colour}"/>')
        y += BAR_HEIGHT + GAP
    title = f"Traffic at {site.site} ({site.team}), by month"
    description = (
        "Bar chart of vehicles counted per month; the darker part of each bar is the share over the limit, "
        "the darkest the share over the reporting threshold. " + "; ".join(described) + "."
    )
    return Markup(  # noqa: S704 - every interpolated text is escaped
        f'<svg class="chart chart-bars" xmlns="http://www.w3.org/2000/svg" width="100%" height="{y}" '
        f'role="img" aria-labelledby="{chart_id}-title {chart_id}-desc" focusable="false" '
        f'font-family="Arial, Helvetica, sans-serif">'
        f'<title id="{chart_id}-title">{escape(title)}</title><desc id="{chart_id}-desc">{escape(description)}</desc>'
        f"{''.join(parts)}</svg>"
    )


def charts_for(sites: list[SiteTraffic], prefix: str = "site-chart") -> list[Markup]:
    peak = max((m.counted for s in sites for m in s.months), default=0)
    return [site_chart(f"{prefix}-{n}", s, peak) for n, s in enumerate(sites, start=1)]
