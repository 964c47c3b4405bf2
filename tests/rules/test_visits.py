"""Visit patterns as RRULEs. Calendar facts used: Mon 1 Sep 2025, Thu 4 Sep 2025,
Sat 6 Sep 2025, Mon 6 Oct 2025 (first Monday of October), Fri 26 Sep and Fri 31 Oct 2025
(last Fridays), Mon 5 Jan, 2 Feb, 2 Mar 2026 (first Mondays)."""

import time
from datetime import date, timedelta

import pytest

from sitecare.rules.visits import (
    WEEKDAY_CODES,
    Frequency,
    VisitPattern,
    build_rrule,
    check_rrule,
    describe_rrule,
    next_visit,
    pattern_from_rrule,
    visits_between,
    visits_on,
)

TUESDAYS = "FREQ=WEEKLY;BYDAY=TU"
FORTNIGHTLY_THURSDAYS = "FREQ=WEEKLY;INTERVAL=2;BYDAY=TH"
FIRST_MONDAYS = "FREQ=MONTHLY;BYDAY=1MO"
WEEKDAYS = "FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR"
START = date(2025, 9, 1)  # a Monday

# --- building from the simple choice --------------------------------------------------


@pytest.mark.parametrize(
    ("pattern", "text"),
    [
        (VisitPattern(Frequency.WEEKLY, 1), TUESDAYS),
        (VisitPattern(Frequency.FORTNIGHTLY, 3), FORTNIGHTLY_THURSDAYS),
        (VisitPattern(Frequency.MONTHLY, 0, 1), FIRST_MONDAYS),
        (VisitPattern(Frequency.MONTHLY, 4, -1), "FREQ=MONTHLY;BYDAY=-1FR"),
        (VisitPattern(Frequency.WEEKDAYS), WEEKDAYS),
    ],
)
def test_build_and_read_back(pattern, text):
    assert build_rrule(pattern) == text
    assert pattern_from_rrule(text) == pattern


def test_building_needs_a_weekday():
    with pytest.raises(ValueError, match="day of the week"):
        build_rrule(VisitPattern(Frequency.WEEKLY))
    with pytest.raises(ValueError, match="day of the week"):
        build_rrule(VisitPattern(Frequency.WEEKLY, 7))


def test_building_monthly_needs_first_to_fourth_or_last():
    with pytest.raises(ValueError, match="which week"):
        build_rrule(VisitPattern(Frequency.MONTHLY, 0, 5))
    with pytest.raises(ValueError, match="which week"):
        build_rrule(VisitPattern(Frequency.MONTHLY, 0, None))


def test_a_rule_that_is_not_a_simple_choice_reads_back_as_none():
    assert pattern_from_rrule("FREQ=WEEKLY;BYDAY=MO,WE") is None
    assert pattern_from_rrule("FREQ=WEEKLY;INTERVAL=3;BYDAY=TU") is None
    assert pattern_from_rrule("FREQ=WEEKLY;BYDAY=TU;COUNT=5") is None


# --- describing -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "words"),
    [
        (TUESDAYS, "Every Tuesday"),
        (FORTNIGHTLY_THURSDAYS, "Every other Thursday"),
        (FIRST_MONDAYS, "First Monday of the month"),
        ("FREQ=MONTHLY;BYDAY=-1FR", "Last Friday of the month"),
        (WEEKDAYS, "Every weekday"),
        ("FREQ=DAILY;BYDAY=MO,TU,WE,TH,FR", "Every weekday"),
        ("RRULE:FREQ=WEEKLY;BYDAY=TU", "Every Tuesday"),
        ("freq=weekly;byday=tu", "Every Tuesday"),
        ("FREQ=WEEKLY;BYDAY=MO,WE", "Every Monday and Wednesday"),
        ("FREQ=WEEKLY;INTERVAL=3;BYDAY=TU", "Every 3 weeks on Tuesday"),
        ("FREQ=DAILY", "Every day"),
        ("FREQ=MONTHLY;BYMONTHDAY=15", "On the 15th of the month"),
        ("FREQ=MONTHLY;BYMONTHDAY=-1", "On the last day of the month"),
        ("FREQ=MONTHLY;INTERVAL=2;BYDAY=2TU", "Second Tuesday of every other month"),
        ("FREQ=WEEKLY;BYDAY=TU;COUNT=3", "Every Tuesday, 3 times"),
        ("FREQ=WEEKLY;BYDAY=TU;UNTIL=20260731", "Every Tuesday, until 31 Jul 2026"),
        ("FREQ=WEEKLY;BYDAY=TU;UNTIL=20260731T000000Z", "Every Tuesday, until 31 Jul 2026"),
        ("FREQ=YEARLY", "Every year"),
        ("FREQ=MONTHLY;BYDAY=-2MO", "Custom pattern (FREQ=MONTHLY;BYDAY=-2MO)"),
    ],
)
def test_describe(text, words):
    assert describe_rrule(text) == words


def test_describe_a_weekly_rule_without_a_day_uses_the_start():
    assert describe_rrule("FREQ=WEEKLY", date(2025, 9, 3)) == "Every Wednesday"
    assert describe_rrule("FREQ=WEEKLY") == "Every week"


# --- next visit ---------------------------------------------------------------------------


def test_a_visit_today_counts():
    assert next_visit(TUESDAYS, START, date(2025, 9, 2)) == date(2025, 9, 2)


def test_next_visit_after_today():
    assert next_visit(TUESDAYS, START, date(2025, 9, 3)) == date(2025, 9, 9)


def test_before_the_pattern_starts():
    assert next_visit(TUESDAYS, START, date(2025, 8, 1)) == date(2025, 9, 2)


def test_the_start_date_is_not_a_visit_unless_it_fits():
    # Started on a Monday; visits are Tuesdays.
    assert not visits_on(TUESDAYS, START, START)


def test_fortnightly_counts_weeks_from_the_start():
    thursday = date(2025, 9, 4)
    assert visits_between(FORTNIGHTLY_THURSDAYS, thursday, date(2025, 9, 1), date(2025, 10, 5)) == [
        date(2025, 9, 4),
        date(2025, 9, 18),
        date(2025, 10, 2),
    ]
    assert not visits_on(FORTNIGHTLY_THURSDAYS, thursday, date(2025, 9, 11))
    assert next_visit(FORTNIGHTLY_THURSDAYS, thursday, date(2025, 9, 5)) == date(2025, 9, 18)


def test_first_monday_of_the_month():
    # 1 Sep 2025 is itself the first Monday of September.
    assert next_visit(FIRST_MONDAYS, START, START) == START
    assert next_visit(FIRST_MONDAYS, START, date(2025, 9, 2)) == date(2025, 10, 6)
    assert visits_between(FIRST_MONDAYS, START, date(2026, 1, 1), date(2026, 3, 31)) == [
        date(2026, 1, 5),
        date(2026, 2, 2),
        date(2026, 3, 2),
    ]


def test_last_friday_of_the_month():
    rule = "FREQ=MONTHLY;BYDAY=-1FR"
    assert next_visit(rule, START, START) == date(2025, 9, 26)
    assert next_visit(rule, START, date(2025, 9, 27)) == date(2025, 10, 31)


def test_every_weekday_skips_the_weekend():
    assert next_visit(WEEKDAYS, START, date(2025, 9, 6)) == date(2025, 9, 8)
    assert visits_on(WEEKDAYS, START, date(2025, 9, 5))
    assert not visits_on(WEEKDAYS, START, date(2025, 9, 7))


def test_a_pattern_with_a_count_ends():
    rule = "FREQ=WEEKLY;BYDAY=TU;COUNT=2"
    assert visits_between(rule, START, START, date(2025, 12, 31)) == [date(2025, 9, 2), date(2025, 9, 9)]
    assert next_visit(rule, START, date(2025, 9, 10)) is None


def test_a_pattern_with_an_end_date_includes_that_day():
    rule = "FREQ=WEEKLY;BYDAY=TU;UNTIL=20250916"
    assert visits_on(rule, START, date(2025, 9, 16))
    assert next_visit(rule, START, date(2025, 9, 17)) is None


def test_visits_between_includes_both_ends():
    assert visits_between(TUESDAYS, START, date(2025, 9, 2), date(2025, 9, 30)) == [
        date(2025, 9, 2),
        date(2025, 9, 9),
        date(2025, 9, 16),
        date(2025, 9, 23),
        date(2025, 9, 30),
    ]


# --- junk -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "why"),
    [
        ("FOO", "NAME=VALUE"),
        ("every tuesday", "NAME=VALUE"),
        ("BYDAY=TU", "needs a FREQ"),
        ("FREQ=HOURLY", "FREQ must be"),
        ("FREQ=FORTNIGHTLY", "FREQ must be"),
        ("FREQ=WEEKLY;BYDAY=XX", "not a day"),
        ("FREQ=WEEKLY;BYDAY=", "not a day"),
        ("FREQ=WEEKLY;BYDAY=1TU", "needs FREQ=MONTHLY"),
        ("FREQ=MONTHLY;BYDAY=6MO", "at most five"),
        ("FREQ=WEEKLY;INTERVAL=0", "at least 1"),
        ("FREQ=WEEKLY;INTERVAL=two", "at least 1"),
        ("FREQ=WEEKLY;INTERVAL=500", "at most"),
        ("FREQ=WEEKLY;COUNT=0", "at least 1"),
        ("FREQ=WEEKLY;COUNT=2;UNTIL=20260101", "cannot both"),
        ("FREQ=WEEKLY;UNTIL=soon", "UNTIL must be a date"),
        ("FREQ=WEEKLY;UNTIL=20251340", "is not a visit pattern"),
        ("FREQ=WEEKLY;FREQ=DAILY", "given twice"),
        ("FREQ=WEEKLY;BYHOUR=9", "not supported"),
        ("FREQ=DAILY;BYMONTH=2;BYMONTHDAY=30", "not supported"),
        ("FREQ=MONTHLY;BYMONTHDAY=32", "not a day of the month"),
        ("FREQ=MONTHLY;BYMONTHDAY=0", "not a day of the month"),
        ("FREQ=WEEKLY;BYMONTHDAY=3", "needs FREQ=MONTHLY"),
        ("FREQ=MONTHLY;BYDAY=1MO;BYMONTHDAY=1", "not both"),
        ("FREQ=DAILY;INTERVAL=7;BYDAY=MO", "FREQ=WEEKLY"),
        ("FREQ=YEARLY;BYDAY=MO", "BYDAY needs"),
        ("FREQ=WEEKLY;WKST=XX", "WKST"),
        ("FREQ=WEEKLY;BYDAY=TU\nFREQ=DAILY", "only one RRULE line"),
    ],
)
def test_junk_is_refused_with_a_clear_message(text, why):
    with pytest.raises(ValueError, match=why):
        check_rrule(text)
    with pytest.raises(ValueError):
        next_visit(text, START, START)


def test_empty_asks_for_a_pattern():
    for text in ("", "   ", "RRULE:", None):
        with pytest.raises(ValueError, match="Enter a visit pattern"):
            check_rrule(text)


def test_the_message_quotes_what_was_typed():
    with pytest.raises(ValueError) as info:
        check_rrule("FREQ=WEEKLY;BYDAY=XX")
    assert "“FREQ=WEEKLY;BYDAY=XX” is not a visit pattern" in str(info.value)


def test_check_rrule_gives_a_canonical_form():
    assert check_rrule("rrule:byday=tu;freq=weekly;") == "FREQ=WEEKLY;BYDAY=TU"


def test_accepted_rules_that_never_recur_again_answer_quickly():
    # A 31st only in April, every 12 months from April: never. dateutil walks to the
    # year 9999 for this; it must stay fast enough not to freeze a screen.
    started = time.perf_counter()
    assert next_visit("FREQ=MONTHLY;INTERVAL=12;BYMONTHDAY=31", date(2025, 4, 1), date(2025, 9, 1)) is None
    assert time.perf_counter() - started < 1.0


# --- the calendar shortcut for the simple choices agrees with dateutil ---------------------

SIMPLE_RULES = (
    [f"FREQ=WEEKLY;BYDAY={code}" for code in WEEKDAY_CODES]
    + [f"FREQ=WEEKLY;INTERVAL=2;BYDAY={code}" for code in WEEKDAY_CODES]
    + [f"FREQ=MONTHLY;BYDAY={nth}{code}" for nth in ("1", "+2", "3", "4", "-1") for code in WEEKDAY_CODES]
    + [WEEKDAYS, "FREQ=DAILY;BYDAY=MO,TU,WE,TH,FR", "rrule:freq=weekly;interval=1;byday=fr,th,we,tu,mo"]
)
# Every weekday and every position in a month (the 1st, 7th-8th, 28th-31st, 29 Feb), a
# start years back, and a day far ahead.
STARTS = [date(2024, 1, 1) + timedelta(days=n) for n in range(0, 70, 3)] + [
    date(2024, 2, 29), date(2024, 12, 31), date(2025, 3, 31), date(2015, 6, 17)]


@pytest.mark.parametrize("rule", SIMPLE_RULES)
def test_simple_patterns_agree_with_dateutil(rule):
    assert pattern_from_rrule(rule) is not None  # so the shortcut is the one tested
    for start in STARTS:
        first, last = start - timedelta(days=10), start + timedelta(days=120)
        expanded = set(visits_between(rule, start, first, last))
        day = first
        while day <= last:
            assert visits_on(rule, start, day) == (day in expanded), (rule, start, day)
            day += timedelta(days=1)
    far = date(2031, 1, 1)
    late = set(visits_between(rule, date(2015, 6, 17), far, far + timedelta(days=62)))
    for n in range(63):
        day = far + timedelta(days=n)
        assert visits_on(rule, date(2015, 6, 17), day) == (day in late), (rule, day)


@pytest.mark.parametrize("rule", [
    "FREQ=WEEKLY;BYDAY=TU;COUNT=2", "FREQ=WEEKLY;BYDAY=TU;UNTIL=20250916", "FREQ=WEEKLY;INTERVAL=3;BYDAY=TU",
    "FREQ=MONTHLY;BYMONTHDAY=15", "FREQ=WEEKLY;BYDAY=TU;WKST=SU", "FREQ=WEEKLY;INTERVAL=2;BYDAY=TU;WKST=SU",
    "FREQ=DAILY;INTERVAL=3", "FREQ=WEEKLY;BYDAY=MO,TH", "FREQ=MONTHLY;BYDAY=5MO",
])
def test_other_patterns_still_expand(rule):
    assert pattern_from_rrule(rule) is None
    for start in (date(2025, 9, 1), date(2025, 9, 4), date(2025, 9, 7)):
        expanded = set(visits_between(rule, start, start, start + timedelta(days=90)))
        for n in range(91):
            day = start + timedelta(days=n)
            assert visits_on(rule, start, day) == (day in expanded), (rule, start, day)


def test_an_unreadable_pattern_is_refused_as_before():
    # A weekday the rule does not name is no visit, read or not; on its weekday the
    # pattern is read, and refused.
    assert not visits_on("FREQ=HOURLY;BYDAY=TU", START, date(2025, 9, 3))
    with pytest.raises(ValueError):
        visits_on("FREQ=HOURLY;BYDAY=TU", START, date(2025, 9, 2))
    with pytest.raises(ValueError):
        visits_on("FREQ=HOURLY", START, date(2025, 9, 2))
