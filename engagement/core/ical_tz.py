"""VTIMEZONE components built from the IANA database (zoneinfo), in the shape every client reads.

icalendar's own add_missing_timezones() lists many dates in one RDATE, and Mozilla's
ical.js (Thunderbird) reads only the first of them, putting winter times an hour out.
So we write each observance as a yearly RRULE when the zone follows one (Europe/London:
last Sunday of March and October), and otherwise one dated observance per transition.
"""

from __future__ import annotations

import calendar
from datetime import UTC, datetime, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

from icalendar import Timezone, TimezoneDaylight, TimezoneStandard

DAY_CODES = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")


def _offset(zone: ZoneInfo, instant: datetime) -> timedelta:
    return instant.astimezone(zone).utcoffset()


def transitions(
    zone_name: str, start_year: int, end_year: int
) -> list[tuple[datetime, timedelta, timedelta, str, bool]]:
    """(UTC instant, offset before, offset after, name after, is DST after) for each change in the years."""
    zone = ZoneInfo(zone_name)
    step = timedelta(hours=6)
    moment = datetime(start_year, 1, 1, tzinfo=UTC)
    end = datetime(end_year + 1, 1, 1, tzinfo=UTC)
    found = []
    before = _offset(zone, moment)
    while moment < end:
        after_moment = moment + step
        after = _offset(zone, after_moment)
        if after != before:
            low, high = int(moment.timestamp()), int(after_moment.timestamp())  # bisect to the second
            while high - low > 1:
                mid = (low + high) // 2
                if _offset(zone, datetime.fromtimestamp(mid, UTC)) == before:
                    low = mid
                else:
                    high = mid
            high = datetime.fromtimestamp(high, UTC)
            local = high.astimezone(zone)
            found.append((high, before, after, local.tzname(), bool(local.dst())))
            before = after
        moment = after_moment
    return found


def _position(day: int, year: int, month: int) -> int:
    """1..4 for 'first'..'fourth', -1 for 'last' (RFC 5545 BYDAY with an ordinal)."""
    if day + 7 > calendar.monthrange(year, month)[1]:
        return -1
    return (day - 1) // 7 + 1


def _observance(is_dst: bool, start_local: datetime, offset_from, offset_to, name: str, rrule: dict | None):
    component = TimezoneDaylight() if is_dst else TimezoneStandard()
    component.add("dtstart", start_local)
    component.add("tzoffsetfrom", offset_from)
    component.add("tzoffsetto", offset_to)
    component.add("tzname", name)
    if rrule:
        component.add("rrule", rrule)
    return component


@lru_cache(maxsize=64)
def _vtimezone_ical(zone_name: str, start_year: int, end_year: int) -> bytes:
    tz = Timezone()
    tz.add("tzid", zone_name)
    tz.add("x-lic-location", zone_name)
    found = transitions(zone_name, start_year - 1, end_year)
    if not found:
        offset = _offset(ZoneInfo(zone_name), datetime(start_year, 1, 1, tzinfo=UTC))
        name = datetime(start_year, 1, 1, tzinfo=UTC).astimezone(ZoneInfo(zone_name)).tzname()
        tz.add_component(_observance(False, datetime(1970, 1, 1), offset, offset, name, None))
        return tz.to_ical()
    groups: dict[tuple, list] = {}
    for instant, before, after, name, is_dst in found:
        local = (instant + before).replace(tzinfo=None)  # DTSTART is wall time in the offset before
        key = (
            is_dst,
            before,
            after,
            name,
            local.month,
            local.weekday(),
            local.time(),
            _position(local.day, local.year, local.month),
        )
        groups.setdefault(key, []).append(local)
    years = {instant.year for instant, *_ in found}
    for key, starts in groups.items():
        is_dst, before, after, name, month, weekday, _, position = key
        if len(starts) == len(years) and len(years) > 1:
            rule = {"freq": "yearly", "bymonth": month, "byday": f"{position}{DAY_CODES[weekday]}"}
            tz.add_component(_observance(is_dst, starts[0], before, after, name, rule))
        else:
            for start in starts:
                tz.add_component(_observance(is_dst, start, before, after, name, None))
    return tz.to_ical()


def vtimezone(zone_name: str, start_year: int, end_year: int) -> Timezone:
    """A VTIMEZONE covering start_year..end_year (and, where the zone has a yearly rule, beyond)."""
    return Timezone.from_ical(_vtimezone_ical(zone_name, start_year, end_year))
