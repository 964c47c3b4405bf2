"""Retention of notes and artwork (seed 001). Dates worked out by hand."""

from datetime import date

import pytest

from sitecare.rules.retention import (
    ClientType,
    artwork_disposal_date,
    derive_client_type,
    eighteenth_birthday,
    is_child,
    notes_disposal_date,
    retention_dates,
)

# --- age ---------------------------------------------------------------------------


def test_eighteenth_birthday():
    assert eighteenth_birthday(date(2007, 9, 3)) == date(2025, 9, 3)


def test_eighteenth_birthday_of_a_29_february_birth_is_28_february():
    # 2026 is not a leap year: relativedelta's convention gives 28 Feb.
    assert eighteenth_birthday(date(2008, 2, 29)) == date(2026, 2, 28)


def test_a_child_until_the_day_before_the_18th_birthday():
    assert is_child(date(2007, 9, 3), date(2025, 9, 2))
    assert not is_child(date(2007, 9, 3), date(2025, 9, 3))


def test_29_february_birth_is_an_adult_on_28_february():
    assert is_child(date(2008, 2, 29), date(2026, 2, 27))
    assert not is_child(date(2008, 2, 29), date(2026, 2, 28))


def test_derive_client_type_from_age_at_start():
    assert derive_client_type(date(2010, 5, 1), date(2025, 9, 3)) is ClientType.CHILD
    assert derive_client_type(date(1990, 5, 1), date(2025, 9, 3)) is ClientType.ADULT
    # Turns 18 on the day therapy starts: adult.
    assert derive_client_type(date(2007, 9, 3), date(2025, 9, 3)) is ClientType.ADULT


def test_override_wins_over_the_date_of_birth():
    assert derive_client_type(date(2010, 5, 1), date(2025, 9, 3), "adult") is ClientType.ADULT
    assert derive_client_type(date(1990, 5, 1), date(2025, 9, 3), " Child ") is ClientType.CHILD
    assert derive_client_type(None, date(2025, 9, 3), "child") is ClientType.CHILD


def test_blank_override_is_no_override():
    assert derive_client_type(date(2010, 5, 1), date(2025, 9, 3), "") is ClientType.CHILD


def test_unknown_without_date_of_birth_or_override():
    assert derive_client_type(None, date(2025, 9, 3)) is None


def test_a_bad_override_is_refused():
    with pytest.raises(ValueError, match="child' or 'adult"):
        derive_client_type(None, date(2025, 9, 3), "teen")


# --- clinical notes ------------------------------------------------------------------


def test_child_three_years_after_18th_birthday_is_later():
    # Born 10 Mar 2012: 18th 10 Mar 2030, +3 = 10 Mar 2033.
    # Therapy ended 20 Jul 2025: +5 = 20 Jul 2030. Later: 10 Mar 2033.
    assert notes_disposal_date("child", date(2025, 7, 20), date(2012, 3, 10)) == date(2033, 3, 10)


def test_child_five_years_after_therapy_is_later():
    # Born 1 Jan 2008: 18th 1 Jan 2026, +3 = 1 Jan 2029.
    # Therapy ended 31 Mar 2025: +5 = 31 Mar 2030. Later: 31 Mar 2030.
    assert notes_disposal_date("child", date(2025, 3, 31), date(2008, 1, 1)) == date(2030, 3, 31)


def test_child_both_rules_on_the_same_day():
    # Born 20 Jul 2009: 21st birthday 20 Jul 2030; ended 20 Jul 2025 + 5 = 20 Jul 2030.
    assert notes_disposal_date("child", date(2025, 7, 20), date(2009, 7, 20)) == date(2030, 7, 20)


def test_child_born_29_february():
    # 18th birthday 28 Feb 2026, + 3 years = 28 Feb 2029; ended 1 Jan 2020 + 5 = 1 Jan 2025.
    assert notes_disposal_date("child", date(2020, 1, 1), date(2008, 2, 29)) == date(2029, 2, 28)


def test_adult_five_years_after_therapy():
    assert notes_disposal_date("adult", date(2025, 9, 3), date(1980, 1, 1)) == date(2030, 9, 3)
    assert notes_disposal_date(ClientType.ADULT, date(2025, 9, 3)) == date(2030, 9, 3)


def test_adult_therapy_ending_29_february():
    assert notes_disposal_date("adult", date(2024, 2, 29)) == date(2029, 2, 28)


def test_no_end_of_therapy_yet_is_not_determinable():
    assert notes_disposal_date("child", None, date(2012, 3, 10)) is None
    assert notes_disposal_date("adult", None) is None


def test_child_without_date_of_birth_is_not_determinable():
    assert notes_disposal_date("child", date(2025, 7, 20), None) is None


def test_unknown_client_type_is_refused():
    with pytest.raises(ValueError):
        notes_disposal_date("teenager", date(2025, 7, 20))


# --- artwork ------------------------------------------------------------------------


def test_artwork_kept_two_months():
    assert artwork_disposal_date(date(2025, 9, 3)) == date(2025, 11, 3)


def test_artwork_two_months_from_a_month_end():
    # 31 Dec 2025 + 2 months = "31 Feb 2026" -> 28 Feb 2026; in 2028 (leap) 29 Feb.
    assert artwork_disposal_date(date(2025, 12, 31)) == date(2026, 2, 28)
    assert artwork_disposal_date(date(2027, 12, 31)) == date(2028, 2, 29)


def test_artwork_with_therapy_not_ended():
    assert artwork_disposal_date(None) is None


# --- together, with an explanation --------------------------------------------------


def test_retention_dates_explain_themselves():
    not_ended = retention_dates("child", date(2012, 3, 10), None)
    assert not_ended.notes_disposal is None
    assert not_ended.artwork_disposal is None
    assert not_ended.line == "not yet determinable: therapy has not ended"

    child = retention_dates("child", date(2012, 3, 10), date(2025, 7, 20))
    assert child.notes_disposal == date(2033, 3, 10)
    assert child.artwork_disposal == date(2025, 9, 20)
    assert child.line == "keep notes until 3 years after the 18th birthday: 10 Mar 2033"

    older = retention_dates("child", date(2008, 1, 1), date(2025, 3, 31))
    assert older.line == "keep notes until 5 years after therapy ended: 31 Mar 2030"

    adult = retention_dates("adult", None, date(2025, 9, 3))
    assert adult.line == "keep notes at least 5 years after therapy ended: until 3 Sep 2030"

    no_dob = retention_dates("child", None, date(2025, 9, 3))
    assert no_dob.notes_disposal is None
    assert no_dob.artwork_disposal == date(2025, 11, 3)
    assert no_dob.line == "not yet determinable: a child's date of birth is needed"
