"""The VTIMEZONE we publish must give the same UTC offset as the IANA database for every hour."""

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from icalendar import Calendar, Event

from engagement.core.ical_tz import transitions, vtimezone


def test_london_is_two_yearly_rules_from_1970():
    """As Google and Apple publish it: the current rule, its first dates in 1970 (issue 14 item 21)."""
    text = vtimezone("Europe/London", 1970, 2036).to_ical().decode()
    assert text.count("RRULE:FREQ=YEARLY;BYDAY=-1SU;BYMONTH=3") == 1
    assert text.count("RRULE:FREQ=YEARLY;BYDAY=-1SU;BYMONTH=10") == 1
    assert "RDATE" not in text and text.count("DTSTART") == 2
    assert "DTSTART:19700329T010000" in text and "DTSTART:19701025T020000" in text


def test_a_zone_without_a_yearly_rule_lists_its_changes_and_a_fixed_one_has_one_observance():
    tokyo = vtimezone("Asia/Tokyo", 1970, 2036).to_ical().decode()
    assert tokyo.count("BEGIN:STANDARD") == 1 and "DTSTART:19700101T000000" in tokyo and "RRULE" not in tokyo
    casablanca = vtimezone("Africa/Casablanca", 2026, 2028).to_ical().decode()  # moves with Ramadan each year
    assert "RRULE" not in casablanca and casablanca.count("DTSTART") == len(
        transitions("Africa/Casablanca", 2025, 2028)
    )


def test_transitions_found_to_the_second():
    found = transitions("Europe/London", 2026, 2026)
    assert [(t.isoformat(), name) for t, _, _, name, _ in found] == [
        ("2026-03-29T01:00:00+00:00", "BST"),
        ("2026-10-25T01:00:00+00:00", "GMT"),
    ]


@pytest.mark.parametrize("zone", ["Europe/London", "America/New_York", "Europe/Dublin", "Australia/Sydney", "UTC"])
def test_offsets_match_zoneinfo_every_hour(zone):
    cal = Calendar()
    cal.add("prodid", "-//test//EN")
    cal.add("version", "2.0")
    cal.add_component(vtimezone(zone, 1970, 2036))
    event = Event()
    event.add("uid", "x@example.org")
    event.add("dtstamp", datetime(2026, 1, 1, tzinfo=UTC))
    event.add("dtstart", datetime(2026, 6, 1, 12, tzinfo=ZoneInfo(zone)))
    cal.add_component(event)
    parsed = Calendar.from_ical(cal.to_ical())
    tz = parsed.walk("VTIMEZONE")[0].to_tz()
    real = ZoneInfo(zone)
    moment = datetime(2026, 1, 1, tzinfo=UTC)
    mismatches = []
    while moment < datetime(2028, 1, 1, tzinfo=UTC):
        if moment.astimezone(tz).utcoffset() != moment.astimezone(real).utcoffset():
            mismatches.append(moment)
        moment += timedelta(hours=1)
    assert mismatches == []
