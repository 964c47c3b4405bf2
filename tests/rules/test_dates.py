"""UK dates as typed and shown. Expected values are written out by hand."""

from datetime import date, datetime

import pytest

from sitecare.rules.dates import (
    DateError,
    academic_year_start,
    add_months,
    add_years,
    describe_distance,
    parse_optional_uk_date,
    parse_uk_date,
    show_date,
    show_datetime,
)

# --- parse_uk_date: every way 3 September 2025 gets typed -------------------------


@pytest.mark.parametrize(
    "typed",
    [
        "03/09/2025",
        "3/9/2025",
        "03.09.2025",
        "03-09-2025",
        "3 9 2025",
        "3 Sep 2025",
        "3 Sept 2025",
        "3 September 2025",
        "3rd September 2025",
        "Wed 3 Sep 2025",
        "  03/09/2025  ",
        "2025-09-03",
        "2025/09/03",
        "2025/9/3",
        "2025.09.03",
        "03092025",
        "20250903",
    ],
)
def test_every_typed_form_of_3_september_2025(typed):
    assert parse_uk_date(typed) == date(2025, 9, 3)


def test_day_comes_first_never_month():
    # 12/01/2025 is 12 January in the UK, not 1 December.
    assert parse_uk_date("12/01/2025") == date(2025, 1, 12)
    assert parse_uk_date("01/12/2025") == date(2025, 12, 1)


def test_year_first_with_single_digits_is_not_read_day_first():
    # dateutil with dayfirst=True reads 2025/9/3 as 9 March; it is 3 September.
    assert parse_uk_date("2025/9/3") == date(2025, 9, 3)
    assert parse_uk_date("2025-9-3") == date(2025, 9, 3)


def test_iso_timestamps_from_exports_are_not_read_day_first():
    assert parse_uk_date("2025-09-03T14:30:00") == date(2025, 9, 3)
    assert parse_uk_date("2025-09-03T14:30:00Z") == date(2025, 9, 3)
    assert parse_uk_date("2025-09-03 14:30") == date(2025, 9, 3)


def test_year_and_month_without_a_day():
    with pytest.raises(DateError, match="needs a day"):
        parse_uk_date("2025-09")


def test_compact_day_first_with_a_day_that_looks_like_a_century():
    # 20092025 can only be 20 Sep 2025 (2009-20-25 has no month 20).
    assert parse_uk_date("20092025") == date(2025, 9, 20)


def test_a_time_after_the_date_is_ignored():
    assert parse_uk_date("03/09/2025 14:30") == date(2025, 9, 3)


def test_29_february_in_a_leap_year():
    assert parse_uk_date("29/02/2024") == date(2024, 2, 29)


@pytest.mark.parametrize(
    "typed, says",
    [
        # Typed day first, correctly: the message says what is wrong with the date itself.
        ("29/02/2025", "not a real date: February 2025 has 28 days"),
        ("31/04/2025", "not a real date: April 2025 has 30 days"),
        ("13/13/2025", "there is no month 13"),
        ("00/01/2025", "there is no day 0"),
        ("2025-02-30", "is not a date"),
    ],
)
def test_impossible_dates_are_refused(typed, says):
    with pytest.raises(DateError, match=says):
        parse_uk_date(typed)


@pytest.mark.parametrize("typed", ["", "   ", None])
def test_empty_asks_for_a_date(typed):
    with pytest.raises(DateError, match="Enter a date"):
        parse_uk_date(typed)


def test_words_are_not_a_date():
    with pytest.raises(DateError, match="“tomorrow” is not a date"):
        parse_uk_date("tomorrow")


def test_two_digit_year_is_refused_not_guessed():
    with pytest.raises(DateError, match="year in full"):
        parse_uk_date("3/9/25")
    with pytest.raises(DateError, match="year in full"):
        parse_uk_date("3/9/68")


def test_missing_year():
    with pytest.raises(DateError, match="needs a year"):
        parse_uk_date("3 Sep")
    with pytest.raises(DateError, match="needs a year"):
        parse_uk_date("03/09")


def test_missing_day_is_refused_rather_than_taken_as_the_first():
    with pytest.raises(DateError, match="needs a day"):
        parse_uk_date("Sep 2025")


def test_a_bare_year_is_not_a_date():
    with pytest.raises(DateError, match="day and a month"):
        parse_uk_date("2025")


def test_years_outside_the_accepted_range():
    with pytest.raises(DateError, match="1900-2200"):
        parse_uk_date("31/12/1899")
    with pytest.raises(DateError, match="1900-2200"):
        parse_uk_date("2201-01-01")
    assert parse_uk_date("01/01/1900") == date(1900, 1, 1)
    assert parse_uk_date("31/12/2200") == date(2200, 12, 31)


def test_date_error_is_a_value_error_naming_what_was_typed():
    with pytest.raises(ValueError) as info:
        parse_uk_date("31/02/2025")
    assert "31/02/2025" in str(info.value)


def test_parse_optional():
    assert parse_optional_uk_date("") is None
    assert parse_optional_uk_date("   ") is None
    assert parse_optional_uk_date("03/09/2025") == date(2025, 9, 3)
    with pytest.raises(DateError):
        parse_optional_uk_date("soon")


# --- showing -------------------------------------------------------------------


def test_show_date_has_no_leading_zero_and_a_three_letter_month():
    assert show_date(date(2025, 9, 3)) == "3 Sep 2025"
    assert show_date(date(2025, 12, 25)) == "25 Dec 2025"
    assert show_date(date(2024, 2, 29)) == "29 Feb 2024"


def test_show_date_of_nothing():
    assert show_date(None) == "—"
    assert show_date(None, empty="not set") == "not set"


def test_show_datetime():
    assert show_datetime(datetime(2025, 9, 3, 14, 5)) == "3 Sep 2025 14:05"
    assert show_datetime(None) == "—"


# --- academic year -------------------------------------------------------------


@pytest.mark.parametrize(
    ("today", "start"),
    [
        (date(2026, 8, 31), date(2025, 9, 1)),  # last day of 2025/26
        (date(2026, 9, 1), date(2026, 9, 1)),  # first day of 2026/27
        (date(2025, 12, 31), date(2025, 9, 1)),
        (date(2026, 1, 1), date(2025, 9, 1)),
    ],
)
def test_academic_year_starts_on_1_september(today, start):
    assert academic_year_start(today) == start


# --- calendar arithmetic --------------------------------------------------------


def test_add_months_clamps_to_the_months_last_day():
    assert add_months(date(2025, 1, 31), 1) == date(2025, 2, 28)
    assert add_months(date(2024, 1, 31), 1) == date(2024, 2, 29)
    assert add_months(date(2025, 11, 30), 3) == date(2026, 2, 28)
    assert add_months(date(2025, 3, 31), -1) == date(2025, 2, 28)
    assert add_months(date(2025, 9, 3), 12) == date(2026, 9, 3)


def test_add_years_from_29_february():
    assert add_years(date(2024, 2, 29), 1) == date(2025, 2, 28)
    assert add_years(date(2024, 2, 29), 4) == date(2028, 2, 29)


def test_add_months_and_years_are_relativedeltas_arithmetic():
    # add_months no longer builds a relativedelta (the attention list does this
    # thousands of times): every day of eight years, forwards and backwards.
    from datetime import timedelta

    from dateutil.relativedelta import relativedelta

    day = date(2023, 1, 1)
    while day < date(2031, 1, 1):
        for months in (-25, -12, -1, 1, 2, 11, 12, 13, 36):
            assert add_months(day, months) == day + relativedelta(months=months), (day, months)
        for years in (-3, 1, 5, 18):
            assert add_years(day, years) == day + relativedelta(years=years), (day, years)
        day += timedelta(days=1)
    moment = datetime(2024, 2, 29, 13, 5)
    assert add_months(moment, 12) == datetime(2025, 2, 28, 13, 5)


# --- describe_distance ----------------------------------------------------------


def test_distance_today():
    assert describe_distance(date(2025, 9, 3), date(2025, 9, 3)) == "today"


def test_distance_one_day_is_singular():
    assert describe_distance(date(2025, 9, 4), date(2025, 9, 3)) == "in 1 day"
    assert describe_distance(date(2025, 9, 2), date(2025, 9, 3)) == "1 day ago"


def test_distance_in_days():
    # 3 Sep -> 26 Sep 2025 = 23 days.
    assert describe_distance(date(2025, 9, 26), date(2025, 9, 3)) == "in 23 days"


def test_sixty_days_is_not_called_one_month():
    # 1 Jul -> 30 Aug 2025 is 60 days (30 left in July + 30): calendar-wise "1 month
    # 29 days", which must not read "in 1 month".
    assert describe_distance(date(2025, 8, 30), date(2025, 7, 1)) == "in 60 days"
    # 1 Jul -> 31 Aug = 61 days.
    assert describe_distance(date(2025, 8, 31), date(2025, 7, 1)) == "in 61 days"
    # 1 Jul -> 1 Sep = 62 days = exactly 2 months.
    assert describe_distance(date(2025, 9, 1), date(2025, 7, 1)) == "in 2 months"


def test_distance_in_months_ago():
    # 3 May -> 3 Sep 2025 = 4 calendar months.
    assert describe_distance(date(2025, 5, 3), date(2025, 9, 3)) == "4 months ago"


def test_distance_23_months_then_years():
    # 3 Oct 2025 -> 3 Sep 2027 = 1 year 11 months = 23 months.
    assert describe_distance(date(2027, 9, 3), date(2025, 10, 3)) == "in 23 months"
    # exactly 24 months
    assert describe_distance(date(2027, 9, 3), date(2025, 9, 3)) == "in 2 years"
    # 35 months is still "2 years" (whole years)
    assert describe_distance(date(2028, 8, 3), date(2025, 9, 3)) == "in 2 years"
    assert describe_distance(date(2022, 9, 3), date(2025, 9, 3)) == "3 years ago"
