"""Tests for recurrence, rrule_expansion and wall_clock: wall-clock recurrence that calendar clients agree with."""

import time as clock
from datetime import UTC, date, datetime, timedelta

import icalendar
import pytest
import recurring_ical_events

from engagement.events.recurrence import (
    RepeatPattern,
    build_rrule,
    describe_rrule,
    parse_recurrence_id,
    pattern_warnings,
    recurrence_id,
    split_rrule,
)
from engagement.events.rrule_expansion import RecurrenceError, count_occurrences, expand, occurrence_local_starts
from engagement.events.wall_clock import (
    LONDON,
    format_uk_date,
    local_time_problem,
    local_time_problem_message,
    local_to_utc,
    utc_to_local,
)

EVER_START = datetime(2000, 1, 1, tzinfo=UTC)
EVER_END = datetime(2100, 1, 1, tzinfo=UTC)


def utc(*args):
    return datetime(*args, tzinfo=UTC)


def expand_all(rule, dtstart, exdates=()):
    return expand(rule, dtstart, start=EVER_START, end=EVER_END, exdates_local=exdates)


# --- Time zone conversion -----------------------------------------------------


def test_local_to_utc_summer_and_winter():
    assert local_to_utc(datetime(2026, 7, 1, 18, 0)) == utc(2026, 7, 1, 17, 0)
    assert local_to_utc(datetime(2026, 12, 1, 18, 0)) == utc(2026, 12, 1, 18, 0)
    assert local_to_utc(datetime(2026, 7, 1, 18, 0)).tzinfo is UTC


def test_ambiguous_time_means_first_occurrence_bst():
    naive = datetime(2026, 10, 25, 1, 30)
    assert local_to_utc(naive) == utc(2026, 10, 25, 0, 30)
    assert utc_to_local(local_to_utc(naive)).tzname() == "BST"
    assert local_time_problem(naive) == "ambiguous"
    assert local_time_problem_message(naive) == (
        "That time (01:30) happens twice on Sunday 25 October 2026 because the clocks go "
        "back. The first one (01:30 BST) will be used."
    )


def test_nonexistent_time_uses_offset_before_the_gap():
    naive = datetime(2026, 3, 29, 1, 30)
    assert local_to_utc(naive) == utc(2026, 3, 29, 1, 30)
    local = utc_to_local(local_to_utc(naive))
    assert (local.hour, local.minute, local.tzname()) == (2, 30, "BST")
    assert local_time_problem(naive) == "nonexistent"
    assert local_time_problem_message(naive) == (
        "That time (01:30) does not exist on Sunday 29 March 2026 because the clocks go "
        "forward. It will be treated as 02:30 BST."
    )


def test_times_either_side_of_the_changes_are_fine():
    for naive in (
        datetime(2026, 3, 29, 0, 59),
        datetime(2026, 3, 29, 2, 0),
        datetime(2026, 10, 25, 0, 59),
        datetime(2026, 10, 25, 2, 0),
    ):
        assert local_time_problem(naive) is None
        assert local_time_problem_message(naive) is None
    assert local_to_utc(datetime(2026, 10, 25, 2, 0)) == utc(2026, 10, 25, 2, 0)
    assert local_to_utc(datetime(2026, 3, 29, 2, 0)) == utc(2026, 3, 29, 1, 0)


def test_conversions_reject_the_wrong_kind_of_datetime():
    with pytest.raises(ValueError):
        local_to_utc(utc(2026, 7, 1, 18))
    with pytest.raises(ValueError):
        utc_to_local(datetime(2026, 7, 1, 18))
    with pytest.raises(ValueError):
        local_time_problem(utc(2026, 7, 1, 18))


def test_utc_to_local_returns_aware_london_time():
    local = utc_to_local(utc(2026, 7, 1, 17, 0))
    assert local.tzinfo == LONDON
    assert (local.hour, local.utcoffset()) == (18, timedelta(hours=1))


def test_format_uk_date():
    assert format_uk_date(date(2026, 3, 29)) == "Sunday 29 March 2026"
    assert format_uk_date(date(2027, 7, 31)) == "Saturday 31 July 2027"


# --- Building rules -----------------------------------------------------------


def test_weekly_series_keeps_local_time_across_both_clock_changes():
    dtstart = datetime(2026, 9, 1, 18, 0)  # a Tuesday
    rule = build_rrule(RepeatPattern("weekly", count=40), dtstart)
    assert rule == "FREQ=WEEKLY;BYDAY=TU;COUNT=40"
    starts = expand_all(rule, dtstart)
    assert len(starts) == 40
    assert starts[0] == utc(2026, 9, 1, 17, 0)
    assert starts[-1] == utc(2027, 6, 1, 17, 0)
    for start in starts:
        assert utc_to_local(start).hour == 18
        assert start.tzinfo is UTC
        if start < utc(2026, 10, 25, 1):
            assert start.hour == 17
        elif start < utc(2027, 3, 28, 1):
            assert start.hour == 18
        else:
            assert start.hour == 17
    assert utc(2026, 10, 20, 17) in starts and utc(2026, 10, 27, 18) in starts
    assert utc(2027, 3, 23, 18) in starts and utc(2027, 3, 30, 17) in starts


def test_first_tuesday_monthly_until_end_of_july():
    dtstart = datetime(2026, 10, 6, 18, 0)
    rule = build_rrule(RepeatPattern("monthly_by_weekday", 1, until=date(2027, 7, 31)), dtstart)
    assert rule == "FREQ=MONTHLY;BYDAY=1TU;UNTIL=20270731T225959Z"
    local_days = [s.date() for s in occurrence_local_starts(rule, dtstart)]
    assert local_days == [
        date(2026, 10, 6),
        date(2026, 11, 3),
        date(2026, 12, 1),
        date(2027, 1, 5),
        date(2027, 2, 2),
        date(2027, 3, 2),
        date(2027, 4, 6),
        date(2027, 5, 4),
        date(2027, 6, 1),
        date(2027, 7, 6),
    ]
    assert count_occurrences(rule, dtstart) == 10


def test_last_friday_of_the_month():
    dtstart = datetime(2026, 10, 30, 19, 0)
    rule = build_rrule(RepeatPattern("monthly_by_weekday", -1, count=4), dtstart)
    assert rule == "FREQ=MONTHLY;BYDAY=-1FR;COUNT=4"
    assert [s.date() for s in occurrence_local_starts(rule, dtstart)] == [
        date(2026, 10, 30),
        date(2026, 11, 27),
        date(2026, 12, 25),
        date(2027, 1, 29),
    ]


def test_fortnightly():
    dtstart = datetime(2026, 9, 3, 10, 0)  # Thursday
    rule = build_rrule(RepeatPattern("fortnightly", count=5), dtstart)
    assert rule == "FREQ=WEEKLY;INTERVAL=2;BYDAY=TH;COUNT=5"
    assert expand_all(rule, dtstart) == [
        utc(2026, 9, 3, 9),
        utc(2026, 9, 17, 9),
        utc(2026, 10, 1, 9),
        utc(2026, 10, 15, 9),
        utc(2026, 10, 29, 10),
    ]


def test_count_based_rule_has_exactly_count_occurrences():
    dtstart = datetime(2026, 11, 4, 10, 0)
    rule = build_rrule(RepeatPattern("weekly", count=10), dtstart)
    assert count_occurrences(rule, dtstart) == 10
    assert expand_all(rule, dtstart)[-1] == utc(2027, 1, 6, 10)
    assert count_occurrences("FREQ=WEEKLY;BYDAY=WE", dtstart) is None


def test_until_date_is_inclusive_end_of_local_day():
    dtstart = datetime(2026, 11, 3, 18, 0)
    winter = build_rrule(RepeatPattern("weekly", until=date(2026, 12, 15)), dtstart)
    assert winter == "FREQ=WEEKLY;BYDAY=TU;UNTIL=20261215T235959Z"
    assert expand_all(winter, dtstart)[-1] == utc(2026, 12, 15, 18)
    summer = build_rrule(RepeatPattern("weekly", until=date(2027, 6, 14)), dtstart)
    assert summer.endswith("UNTIL=20270614T225959Z")
    assert expand_all(summer, dtstart)[-1] == utc(2027, 6, 8, 17)


def test_monthly_31st_skips_months_without_one():
    dtstart = datetime(2027, 1, 31, 18, 0)
    pattern = RepeatPattern("monthly_by_date", count=7)
    rule = build_rrule(pattern, dtstart)
    assert rule == "FREQ=MONTHLY;BYMONTHDAY=31;COUNT=7"
    assert [(s.month, s.day) for s in occurrence_local_starts(rule, dtstart)] == [
        (1, 31),
        (3, 31),
        (5, 31),
        (7, 31),
        (8, 31),
        (10, 31),
        (12, 31),
    ]
    warnings = pattern_warnings(pattern, dtstart)
    assert len(warnings) == 1
    assert warnings[0].startswith("Months without a 31st are skipped (RFC 5545 rule)")
    assert "last Sunday of the month" in warnings[0]


def test_pattern_warnings_for_plain_and_awkward_patterns():
    assert pattern_warnings(RepeatPattern("weekly", count=5), datetime(2026, 9, 1, 18)) == []
    assert pattern_warnings(RepeatPattern("monthly_by_date", count=3), datetime(2026, 9, 29, 18))[0].startswith(
        "Months without a 29th are skipped"
    )
    once = pattern_warnings(RepeatPattern("weekly", until=date(2026, 9, 5)), datetime(2026, 9, 1))
    assert once == ["With this end date the event only happens once."]
    sunday_night = pattern_warnings(RepeatPattern("weekly", count=4), datetime(2026, 10, 11, 1, 30))
    assert sunday_night == [local_time_problem_message(datetime(2026, 10, 25, 1, 30))]


def test_build_rrule_rejects_aware_dtstart():
    with pytest.raises(ValueError):
        build_rrule(RepeatPattern("weekly", count=3), utc(2026, 9, 1, 18))


# --- Expanding ----------------------------------------------------------------


def test_exdates_are_removed():
    dtstart = datetime(2026, 9, 1, 18, 0)
    rule = build_rrule(RepeatPattern("weekly", count=4), dtstart)
    starts = expand_all(rule, dtstart, exdates=[datetime(2026, 9, 8, 18), datetime(2026, 9, 9, 18)])
    assert starts == [utc(2026, 9, 1, 17), utc(2026, 9, 15, 17), utc(2026, 9, 22, 17)]


def test_window_start_inclusive_end_exclusive():
    dtstart = datetime(2026, 9, 1, 18, 0)
    rule = build_rrule(RepeatPattern("weekly", count=4), dtstart)
    got = expand(rule, dtstart, start=utc(2026, 9, 8, 17), end=utc(2026, 9, 22, 17))
    assert got == [utc(2026, 9, 8, 17), utc(2026, 9, 15, 17)]
    assert expand(rule, dtstart, start=utc(2026, 9, 8, 17, 0, 1), end=utc(2026, 9, 22, 17, 0, 1)) == [
        utc(2026, 9, 15, 17),
        utc(2026, 9, 22, 17),
    ]
    with pytest.raises(ValueError):
        expand(rule, dtstart, start=datetime(2026, 9, 1), end=utc(2026, 10, 1))


def test_far_future_window_is_fast_and_exact():
    began = clock.perf_counter()
    got = expand(
        "FREQ=DAILY",
        datetime(2026, 1, 1, 9),
        start=utc(9000, 7, 1),
        end=utc(9000, 7, 4),
    )
    assert clock.perf_counter() - began < 1.0
    assert got == [utc(9000, 7, 1, 8), utc(9000, 7, 2, 8), utc(9000, 7, 3, 8)]
    weekly = expand(
        "FREQ=WEEKLY;INTERVAL=2;BYDAY=TH",
        datetime(2026, 9, 3, 10),
        start=utc(2090, 1, 1),
        end=utc(2090, 2, 1),
    )
    # 2090-01-12 is a Thursday 4,874 days (a whole number of fortnights) after 2026-09-03.
    assert weekly == [utc(2090, 1, 12, 10), utc(2090, 1, 26, 10)]
    monthly = expand(
        "FREQ=MONTHLY;BYDAY=1TU",
        datetime(2026, 10, 6, 18),
        start=utc(2090, 6, 1),
        end=utc(2090, 7, 1),
    )
    assert monthly == [utc(2090, 6, 6, 17)]


@pytest.mark.parametrize(
    ("rule", "dtstart"),
    [
        ("FREQ=WEEKLY;INTERVAL=2;BYDAY=TH", datetime(2026, 9, 3, 10)),
        ("FREQ=WEEKLY;INTERVAL=2;BYDAY=MO,TH;WKST=SU", datetime(2026, 9, 3, 10)),
        ("FREQ=MONTHLY;BYDAY=1TU", datetime(2026, 10, 6, 18)),
        ("FREQ=MONTHLY;BYMONTHDAY=31", datetime(2026, 10, 31, 18)),
        ("FREQ=MONTHLY;INTERVAL=3;BYMONTHDAY=15", datetime(2026, 10, 15, 18)),
        ("FREQ=YEARLY", datetime(2028, 2, 29, 18)),
        ("FREQ=YEARLY;INTERVAL=2", datetime(2026, 10, 25, 1, 30)),
        ("FREQ=DAILY;INTERVAL=3", datetime(2026, 3, 27, 1, 30)),
    ],
)
def test_windowed_expansion_matches_expanding_from_the_start(rule, dtstart):
    start, end = utc(2031, 3, 1), utc(2033, 11, 1)
    # With no window start nothing is skipped, so this is the slow reference answer.
    reference = [s for s in (local_to_utc(x) for x in occurrence_local_starts(rule, dtstart, end=end)) if s >= start]
    assert reference
    assert expand(rule, dtstart, start=start, end=end) == sorted(reference)


def test_unbounded_rule_needs_a_window_end():
    with pytest.raises(ValueError):
        occurrence_local_starts("FREQ=WEEKLY", datetime(2026, 9, 1, 18))


def test_daily_rule_through_the_gap_and_the_overlap():
    spring = expand_all("FREQ=DAILY;COUNT=3", datetime(2026, 3, 28, 1, 30))
    assert spring == [
        utc(2026, 3, 28, 1, 30),
        utc(2026, 3, 29, 1, 30),
        utc(2026, 3, 30, 0, 30),
    ]
    autumn = expand_all("FREQ=DAILY;COUNT=3", datetime(2026, 10, 24, 1, 30))
    assert autumn == [
        utc(2026, 10, 24, 0, 30),
        utc(2026, 10, 25, 0, 30),
        utc(2026, 10, 26, 1, 30),
    ]


def test_unsynchronised_or_broken_rules_are_refused():
    with pytest.raises(RecurrenceError, match="does not match the repeat pattern"):
        expand_all("FREQ=WEEKLY;BYDAY=WE;COUNT=3", datetime(2026, 9, 1, 18))
    for junk in (
        "",
        "WEEKLY",
        "FREQ=FORTNIGHTLY",
        "FREQ=WEEKLY;COUNT=2;UNTIL=20270101T000000Z",
    ):
        with pytest.raises(RecurrenceError):
            expand_all(junk, datetime(2026, 9, 1, 18))
    with pytest.raises(RecurrenceError, match="ends before the first date"):
        expand_all("FREQ=WEEKLY;UNTIL=20260101T000000Z", datetime(2026, 9, 1, 18))


# --- Patterns that should be refused ------------------------------------------


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        (
            {"kind": "weekly"},
            "Choose an end date or a number of times for the repeats.",
        ),
        (
            {"kind": "weekly", "until": date(2027, 1, 1), "count": 3},
            "Choose either an end date or a number of times, not both.",
        ),
        (
            {"kind": "weekly", "count": 0},
            "The number of times must be between 1 and 200.",
        ),
        (
            {"kind": "weekly", "count": 201},
            "The number of times must be between 1 and 200.",
        ),
        ({"kind": "daily", "count": 3}, "Choose how often the event repeats."),
        (
            {"kind": "monthly_by_weekday", "weekday_position": 5, "count": 3},
            "Choose which week of the month: first, second, third, fourth or last.",
        ),
        (
            {"kind": "monthly_by_weekday", "count": 3},
            "Choose which week of the month: first, second, third, fourth or last.",
        ),
        (
            {"kind": "weekly", "until": datetime(2027, 1, 1)},
            "The end date is not a valid date.",
        ),
    ],
)
def test_bad_patterns_raise_readable_errors(kwargs, message):
    with pytest.raises(RecurrenceError) as caught:
        RepeatPattern(**kwargs)
    assert str(caught.value) == message
    assert isinstance(caught.value, ValueError)


def test_until_limits_depend_on_the_first_date():
    dtstart = datetime(2026, 10, 6, 18)
    with pytest.raises(RecurrenceError) as caught:
        build_rrule(RepeatPattern("weekly", until=date(2026, 10, 5)), dtstart)
    assert str(caught.value) == "The end date cannot be before the first date (Tuesday 6 October 2026)."
    with pytest.raises(RecurrenceError) as caught:
        build_rrule(RepeatPattern("weekly", until=date(2028, 10, 7)), dtstart)
    assert str(caught.value) == (
        "The end date must be within 2 years of the first date (no later than Friday 6 October 2028)."
    )
    assert build_rrule(RepeatPattern("weekly", until=date(2028, 10, 6)), dtstart).endswith("UNTIL=20281006T225959Z")
    assert build_rrule(RepeatPattern("weekly", until=date(2026, 10, 6)), dtstart).endswith("UNTIL=20261006T225959Z")


def test_monthly_by_weekday_position_must_match_first_date():
    with pytest.raises(RecurrenceError) as caught:
        build_rrule(RepeatPattern("monthly_by_weekday", 1, count=3), datetime(2026, 10, 13, 18))
    assert str(caught.value) == (
        "The first date must itself be the first Tuesday of the month (Tuesday 13 October 2026 is the second Tuesday)."
    )
    with pytest.raises(RecurrenceError, match="must itself be the last Tuesday"):
        build_rrule(RepeatPattern("monthly_by_weekday", -1, count=3), datetime(2026, 10, 20, 18))
    # 27 October 2026 is both the fourth and the last Tuesday.
    fourth = build_rrule(RepeatPattern("monthly_by_weekday", 4, count=3), datetime(2026, 10, 27, 18))
    assert fourth == "FREQ=MONTHLY;BYDAY=4TU;COUNT=3"


# --- Describing ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("rule", "dtstart", "expected"),
    [
        (
            "FREQ=MONTHLY;BYDAY=1TU;UNTIL=20270731T225959Z",
            datetime(2026, 10, 6, 18),
            "Every first Tuesday of the month until Saturday 31 July 2027",
        ),
        (
            "FREQ=WEEKLY;BYDAY=WE;COUNT=10",
            datetime(2026, 9, 2, 10),
            "Every week on Wednesday, 10 times",
        ),
        (
            "FREQ=WEEKLY;BYDAY=WE;COUNT=1",
            datetime(2026, 9, 2, 10),
            "Every week on Wednesday, once",
        ),
        (
            "FREQ=WEEKLY;INTERVAL=2;BYDAY=TH;UNTIL=20261215T235959Z",
            datetime(2026, 9, 3, 10),
            "Every other Thursday until Tuesday 15 December 2026",
        ),
        (
            "FREQ=MONTHLY;BYMONTHDAY=15;COUNT=6",
            datetime(2026, 9, 15, 10),
            "Monthly on the 15th, 6 times",
        ),
        (
            "FREQ=MONTHLY;BYMONTHDAY=31;COUNT=6",
            datetime(2027, 1, 31, 10),
            "Monthly on the 31st, 6 times",
        ),
        (
            "FREQ=MONTHLY;BYMONTHDAY=22;COUNT=2",
            datetime(2026, 9, 22, 10),
            "Monthly on the 22nd, 2 times",
        ),
        (
            "FREQ=MONTHLY;BYDAY=-1FR;COUNT=4",
            datetime(2026, 10, 30, 19),
            "Every last Friday of the month, 4 times",
        ),
        ("FREQ=WEEKLY;BYDAY=MO", datetime(2026, 9, 7, 10), "Every week on Monday"),
        # An UNTIL one second before 18:00 (from a split) names the previous day.
        (
            "FREQ=WEEKLY;BYDAY=TU;UNTIL=20261013T165959Z",
            datetime(2026, 9, 1, 18),
            "Every week on Tuesday until Monday 12 October 2026",
        ),
        ("FREQ=DAILY;COUNT=3", datetime(2026, 9, 1, 18), "Repeats (custom rule)"),
        (
            "FREQ=WEEKLY;BYDAY=MO,WE;COUNT=3",
            datetime(2026, 9, 7, 18),
            "Repeats (custom rule)",
        ),
        (
            "FREQ=WEEKLY;INTERVAL=3;BYDAY=MO",
            datetime(2026, 9, 7, 18),
            "Repeats (custom rule)",
        ),
        (
            "FREQ=MONTHLY;BYMONTHDAY=-1",
            datetime(2026, 9, 30, 18),
            "Repeats (custom rule)",
        ),
        ("FREQ=MONTHLY;BYDAY=5TU", datetime(2026, 9, 29, 18), "Repeats (custom rule)"),
        ("FREQ=YEARLY;BYMONTH=3", datetime(2026, 3, 1, 18), "Repeats (custom rule)"),
        ("not a rule", datetime(2026, 3, 1, 18), "Repeats (custom rule)"),
    ],
)
def test_describe_rrule(rule, dtstart, expected):
    assert describe_rrule(rule, dtstart) == expected


# --- Recurrence ids -----------------------------------------------------------


def test_recurrence_id_round_trip():
    assert recurrence_id(datetime(2026, 10, 25, 1, 30)) == "20261025T013000"
    assert parse_recurrence_id("20261025T013000") == datetime(2026, 10, 25, 1, 30)
    assert parse_recurrence_id("20261025T013000").tzinfo is None
    with pytest.raises(ValueError):
        recurrence_id(utc(2026, 10, 25, 1, 30))


@pytest.mark.parametrize(
    "junk",
    [
        "",
        "20261025",
        "20261025T0130",
        "20261025T013000Z",
        "20261325T013000",
        "x" * 15,
        None,
    ],
)
def test_parse_recurrence_id_rejects_junk(junk):
    with pytest.raises(ValueError):
        parse_recurrence_id(junk)


# --- Splitting ----------------------------------------------------------------


def test_split_until_rule_reproduces_the_original():
    dtstart = datetime(2026, 9, 1, 18)
    rule = build_rrule(RepeatPattern("weekly", until=date(2026, 12, 1)), dtstart)
    at = datetime(2026, 10, 27, 18)  # first one after the clocks go back
    old, new = split_rrule(rule, dtstart, at)
    assert old == "FREQ=WEEKLY;BYDAY=TU;UNTIL=20261027T175959Z"
    assert new == rule
    before, after = expand_all(old, dtstart), expand_all(new, at)
    assert before[-1] == utc(2026, 10, 20, 17) and after[0] == utc(2026, 10, 27, 18)
    assert before + after == expand_all(rule, dtstart)
    assert len(before) == 8 and len(after) == 6


def test_split_count_rule_reduces_the_count():
    dtstart = datetime(2026, 10, 6, 18)
    rule = build_rrule(RepeatPattern("monthly_by_weekday", 1, count=10), dtstart)
    at = datetime(2027, 4, 6, 18)
    old, new = split_rrule(rule, dtstart, at)
    assert old == "FREQ=MONTHLY;BYDAY=1TU;UNTIL=20270406T165959Z"
    assert new == "FREQ=MONTHLY;BYDAY=1TU;COUNT=4"
    assert expand_all(old, dtstart) + expand_all(new, at) == expand_all(rule, dtstart)
    assert count_occurrences(old, dtstart) == 6


def test_split_at_first_and_last_occurrence():
    dtstart = datetime(2026, 9, 3, 10)
    rule = "FREQ=WEEKLY;INTERVAL=2;BYDAY=TH;COUNT=5"
    assert split_rrule(rule, dtstart, dtstart) == (None, rule)
    old, new = split_rrule(rule, dtstart, datetime(2026, 10, 29, 10))
    assert new == "FREQ=WEEKLY;INTERVAL=2;BYDAY=TH;COUNT=1"
    assert count_occurrences(old, dtstart) == 4


def test_split_unbounded_rule():
    dtstart = datetime(2026, 9, 7, 10)
    old, new = split_rrule("FREQ=WEEKLY;BYDAY=MO", dtstart, datetime(2026, 9, 21, 10))
    assert old == "FREQ=WEEKLY;BYDAY=MO;UNTIL=20260921T085959Z"
    assert new == "FREQ=WEEKLY;BYDAY=MO"
    assert count_occurrences(old, dtstart) == 2


def test_split_at_a_date_that_is_not_an_occurrence():
    dtstart = datetime(2026, 9, 1, 18)
    rule = build_rrule(RepeatPattern("weekly", count=5), dtstart)
    for at in (
        datetime(2026, 9, 9, 18),
        datetime(2026, 9, 8, 19),
        datetime(2026, 10, 6, 18),
    ):
        with pytest.raises(RecurrenceError, match="is not one of the dates in this series"):
            split_rrule(rule, dtstart, at)
    with pytest.raises(RecurrenceError, match="is not one of the dates in this series"):
        split_rrule("FREQ=WEEKLY;BYDAY=TU", dtstart, datetime(2026, 9, 9, 18))


# --- Cross-check against an independent iCalendar implementation -------------


def client_starts(rule, dtstart, exdates, start, end):
    """Expand our rule the way a calendar client would, via a serialised VCALENDAR."""
    cal = icalendar.Calendar()
    cal.add("prodid", "-//engagement tests//EN")
    cal.add("version", "2.0")
    event = icalendar.Event()
    event.add("uid", "series@example.test")
    event.add("summary", "Beat meeting")
    event.add("dtstamp", utc(2026, 1, 1))
    event.add("dtstart", dtstart.replace(tzinfo=LONDON))
    event.add("duration", timedelta(minutes=90))
    event.add("rrule", icalendar.vRecur.from_ical(rule))
    if exdates:
        event.add("exdate", [value.replace(tzinfo=LONDON) for value in exdates])
    cal.add_component(event)
    cal.add_missing_timezones()
    data = cal.to_ical()
    assert b"DTSTART;TZID=Europe/London:" in data
    assert b"BEGIN:VTIMEZONE" in data
    parsed = icalendar.Calendar.from_ical(data)
    found = {
        occurrence["DTSTART"].dt.astimezone(UTC)
        for occurrence in recurring_ical_events.of(parsed).between(start - timedelta(days=1), end)
    }
    return {instant for instant in found if start <= instant < end}


CROSS_CHECK_CASES = [
    # Weekly 18:00 over both clock changes, by count.
    (
        "FREQ=WEEKLY;BYDAY=TU;COUNT=40",
        datetime(2026, 9, 1, 18),
        [datetime(2026, 10, 27, 18)],
    ),
    # First Tuesday until an end date in summer time.
    ("FREQ=MONTHLY;BYDAY=1TU;UNTIL=20270731T225959Z", datetime(2026, 10, 6, 18), []),
    # UNTIL exactly on an occurrence, in winter: inclusive.
    ("FREQ=WEEKLY;BYDAY=TU;UNTIL=20261215T180000Z", datetime(2026, 11, 3, 18), []),
    # Fortnightly with exdates either side of the change.
    (
        "FREQ=WEEKLY;INTERVAL=2;BYDAY=TH;UNTIL=20270430T225959Z",
        datetime(2026, 9, 3, 10),
        [datetime(2026, 10, 15, 10), datetime(2027, 4, 1, 10)],
    ),
    # 31st of the month skips short months.
    ("FREQ=MONTHLY;BYMONTHDAY=31;COUNT=12", datetime(2027, 1, 31, 19), []),
    ("FREQ=MONTHLY;BYDAY=-1FR;COUNT=12", datetime(2026, 10, 30, 19, 30), []),
    # Sunday 01:30 hits the ambiguous and the non-existent hour.
    ("FREQ=WEEKLY;BYDAY=SU;COUNT=30", datetime(2026, 10, 11, 1, 30), []),
    (
        "FREQ=DAILY;COUNT=5",
        datetime(2027, 3, 26, 1, 30),
        [datetime(2027, 3, 27, 1, 30)],
    ),
    # Split halves, as stored after "change this and all following".
    ("FREQ=WEEKLY;BYDAY=TU;UNTIL=20261027T175959Z", datetime(2026, 9, 1, 18), []),
]


def vobject_starts(rule, dtstart, exdates):
    """Expand the rule as vobject does (Radicale, for one), reading the VTIMEZONE our feeds publish."""
    import vobject

    from engagement.core.ical_tz import vtimezone

    cal = icalendar.Calendar()
    cal.add("prodid", "-//engagement tests//EN")
    cal.add("version", "2.0")
    cal.add_component(vtimezone("Europe/London", 1970, 2036))
    event = icalendar.Event()
    event.add("uid", "series@example.test")
    event.add("dtstamp", utc(2026, 1, 1))
    event.add("dtstart", dtstart.replace(tzinfo=LONDON))
    event.add("duration", timedelta(minutes=90))
    event.add("rrule", icalendar.vRecur.from_ical(rule))
    if exdates:
        event.add("exdate", [value.replace(tzinfo=LONDON) for value in exdates])
    cal.add_component(event)
    parsed = vobject.readOne(cal.to_ical().decode())
    return {start.astimezone(UTC) for start in parsed.vevent.getrruleset(addRDate=True)}


# vobject (dateutil's tzical) places a time in the hour the clocks skip or repeat differently from
# RFC 5545 section 3.3.5 (the first of two times; the offset before a gap), so those two cases are
# left to recurring-ical-events above; every other date must agree.
VOBJECT_CASES = [case for case in CROSS_CHECK_CASES if case[1].time().hour != 1]


@pytest.mark.parametrize(("rule", "dtstart", "exdates"), VOBJECT_CASES)
def test_vobject_expands_the_same_instants_with_our_vtimezone(rule, dtstart, exdates):
    """Issue 14 item 21: vobject reads the VTIMEZONE we publish (observances from 1970) as we mean it."""
    assert set(expand_all(rule, dtstart, exdates)) == vobject_starts(rule, dtstart, exdates)


@pytest.mark.parametrize(("rule", "dtstart", "exdates"), CROSS_CHECK_CASES)
def test_calendar_clients_expand_the_same_instants(rule, dtstart, exdates):
    ours = expand_all(rule, dtstart, exdates)
    assert len(ours) >= 3
    assert set(ours) == client_starts(rule, dtstart, exdates, EVER_START, EVER_END)


@pytest.mark.parametrize(("rule", "dtstart", "exdates"), CROSS_CHECK_CASES)
def test_calendar_clients_agree_on_a_narrow_window(rule, dtstart, exdates):
    full = expand_all(rule, dtstart, exdates)
    start, end = full[1], full[-1]  # inclusive start, exclusive end
    ours = expand(rule, dtstart, start=start, end=end, exdates_local=exdates)
    assert ours == full[1:-1]
    assert set(ours) == client_starts(rule, dtstart, exdates, start, end)
