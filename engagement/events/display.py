"""How event dates read on pages, emails and feeds: "Tuesday 3 March 2027, 6pm to 7:30pm", day groups.

`event_when` and `event_times` are also the Jinja filters of the same names (registered in
`engagement.events.init_app`); newsletters, sign-up emails and Speed Watch pages use them too.
"""

from __future__ import annotations

from datetime import timedelta
from itertools import groupby
from urllib.parse import urlencode

from engagement.core.i18n import _
from engagement.core.timeutil import format_date, format_range, format_time, to_local
from engagement.events.models import Occurrence

ICS_ENDPOINT = "events.occurrence_ics"  # the "add to calendar" download of one date


def _span(item):
    all_day = item.event.all_day if isinstance(item, Occurrence) else item.all_day
    return item.starts_at, item.ends_at, all_day


def event_when(item) -> str:
    """'Tuesday 3 March 2027, 6pm to 7:30pm', or 'Saturday 5 December 2026, all day', for a date or event."""
    start, end, all_day = _span(item)
    if all_day:
        first, last = to_local(start).date(), (to_local(end) - timedelta(days=1)).date()
        if first == last:
            return _("%(date)s, all day", date=format_date(first))
        return _("%(start)s to %(end)s", start=format_date(first), end=format_date(last))
    return format_range(start, end)


def event_times(item) -> str:
    """The time part only ('6pm to 7:30pm'), for lists that already show the day."""
    start, end, all_day = _span(item)
    if all_day:
        return _("All day") if (end - start) <= timedelta(days=1, hours=1) else event_when(item)
    if to_local(start).date() == to_local(end).date():
        return _("%(start)s to %(end)s", start=format_time(start), end=format_time(end))
    return format_range(start, end)


def by_local_day(rows):
    """[(date, [occurrence, ...]), ...] in local time, for lists grouped under a day heading."""
    return [(day, list(group)) for day, group in groupby(rows, key=lambda row: to_local(row.starts_at).date())]


OSM = "https://www.openstreetmap.org"


def directions_url(venue) -> str:
    """OpenStreetMap directions to the venue: to its exact spot when we know it, else a search for the postcode.

    A plain link (the "directions_url" Jinja filter): no map tiles or scripts load on our pages.
    """
    if venue.latitude is not None and venue.longitude is not None:
        return f"{OSM}/directions?" + urlencode({"to": f"{venue.latitude:.6f},{venue.longitude:.6f}"})
    query = venue.postcode or venue.one_line  # a postcode finds the spot; a venue's name often does not
    return f"{OSM}/search?" + urlencode({"query": query})
