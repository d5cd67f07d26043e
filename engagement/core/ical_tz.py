"""VTIMEZONE components built from the IANA database (zoneinfo), in the shape every client reads.

icalendar's own add_missing_timezones() lists many dates in one RDATE, and Mozilla's
ical.js (Thunderbird) reads only the first of them, putting winter times an hour out.
So we write each observance as a yearly RRULE when the zone follows one (Europe/London:
last Sunday of March and October), and otherwise one dated observance per transition.
Rule observances start in 1970, as the big calendar servers write them: vobject (Radicale)
put the summer dates of a series that began before a later DTSTART an hour early.
"""

from __future__ import annotations

import calendar
from datetime import UTC, date, datetime, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

from icalendar import Timezone, TimezoneDaylight, TimezoneStandard

DAY_CODES = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")
RULE_YEARS = 3  # a zone follows a yearly rule if its last three years of changes fall on the same rule days
FIRST_YEAR = 1970  # where published observances start (see _vtimezone_ical)


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
    rules = _yearly_rules(zone_name, end_year)
    if rules:
        # The zone's current rule, written from start_year (1970 in what we publish), as Google, Apple and
        # Microsoft do: a client that meets a date before the first DTSTART (vobject, for one) would
        # otherwise guess its offset. Before the rule took effect (1996 for London) the offsets it gives
        # are not the historical ones; nothing we publish is that old (imports start in 2000).
        for is_dst, before, after, name, month, weekday, at, position in rules:
            start = datetime.combine(_nth_weekday(start_year, month, weekday, position), at)
            rule = {"freq": "yearly", "bymonth": month, "byday": f"{position}{DAY_CODES[weekday]}"}
            tz.add_component(_observance(is_dst, start, before, after, name, rule))
        return tz.to_ical()
    found = transitions(zone_name, start_year - 1, end_year)
    if not found:
        offset = _offset(ZoneInfo(zone_name), datetime(end_year, 1, 1, tzinfo=UTC))
        name = datetime(end_year, 1, 1, tzinfo=UTC).astimezone(ZoneInfo(zone_name)).tzname()
        tz.add_component(_observance(False, datetime(start_year, 1, 1), offset, offset, name, None))
        return tz.to_ical()
    for instant, before, after, name, is_dst in found:  # no yearly rule: one dated observance per change
        tz.add_component(_observance(is_dst, (instant + before).replace(tzinfo=None), before, after, name, None))
    return tz.to_ical()


def _yearly_rules(zone_name: str, end_year: int) -> list[tuple]:
    """The zone's changes as yearly rules, if the last RULE_YEARS years up to end_year follow one (else [])."""
    found = transitions(zone_name, end_year - RULE_YEARS + 1, end_year)
    groups: dict[tuple, list[int]] = {}
    for instant, before, after, name, is_dst in found:
        local = (instant + before).replace(tzinfo=None)  # DTSTART is wall time in the offset before
        position = _position(local.day, local.year, local.month)
        key = (is_dst, before, after, name, local.month, local.weekday(), local.time(), position)
        groups.setdefault(key, []).append(local.year)
    if not groups or any(len(set(years)) != RULE_YEARS or len(years) != RULE_YEARS for years in groups.values()):
        return []
    return sorted(groups, key=lambda key: key[4])


def _nth_weekday(year: int, month: int, weekday: int, position: int) -> date:
    """The date of e.g. the last (-1) or second (2) Sunday of a month."""
    days = calendar.monthrange(year, month)[1]
    matching = [day for day in range(1, days + 1) if date(year, month, day).weekday() == weekday]
    return date(year, month, matching[position - 1 if position > 0 else position])


def vtimezone(zone_name: str, start_year: int, end_year: int) -> Timezone:
    """A VTIMEZONE covering start_year..end_year (and, where the zone has a yearly rule, beyond)."""
    return Timezone.from_ical(_vtimezone_ical(zone_name, start_year, end_year))
