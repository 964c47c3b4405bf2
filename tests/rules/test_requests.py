"""Data requests: one calendar month, then the next working day (seed 001 + ICO)."""

from datetime import date

from sitecare.rules.requests import RequestKind, request_deadline, request_due


def test_same_day_next_month():
    # Wed 3 Sep 2025 -> Fri 3 Oct 2025, a working day.
    assert request_due(date(2025, 9, 3)) == date(2025, 10, 3)


def test_31_january_is_due_on_the_last_day_of_february():
    # 28 Feb 2025 is a Friday.
    assert request_due(date(2025, 1, 31)) == date(2025, 2, 28)


def test_31_january_in_a_leap_year():
    # 29 Feb 2024 is a Thursday.
    assert request_due(date(2024, 1, 31)) == date(2024, 2, 29)


def test_31_march_is_due_30_april():
    # No 31 April: 30 Apr 2025, a Wednesday.
    assert request_due(date(2025, 3, 31)) == date(2025, 4, 30)


def test_month_end_falling_on_a_saturday_moves_to_monday():
    # 30 Jan 2026 -> "30 Feb" -> 28 Feb 2026, a Saturday -> Mon 2 Mar 2026.
    deadline = request_deadline(date(2026, 1, 30))
    assert deadline.calendar_due == date(2026, 2, 28)
    assert deadline.due == date(2026, 3, 2)
    assert deadline.line == "due 2 Mar 2026 (28 Feb 2026 is not a working day)"


def test_a_request_received_at_the_weekend_counts_from_that_day():
    # Sat 4 Oct 2025 -> Tue 4 Nov 2025.
    assert request_due(date(2025, 10, 4)) == date(2025, 11, 4)


def test_due_on_christmas_day_moves_past_boxing_day_and_the_weekend():
    # 25 Nov 2025 -> Thu 25 Dec (holiday), Fri 26 (holiday), Sat 27, Sun 28 -> Mon 29 Dec.
    assert request_due(date(2025, 11, 25), "ENG") == date(2025, 12, 29)


def test_2_january_in_scotland():
    # 2 Dec 2025 -> Fri 2 Jan 2026: a working day in England, a bank holiday in
    # Scotland -> Mon 5 Jan 2026.
    assert request_due(date(2025, 12, 2), "ENG") == date(2026, 1, 2)
    assert request_due(date(2025, 12, 2), "SCT") == date(2026, 1, 5)


def test_st_patricks_day_in_northern_ireland():
    # 17 Feb 2026 -> Tue 17 Mar 2026: NIR holiday -> Wed 18 Mar.
    assert request_due(date(2026, 2, 17), "NIR") == date(2026, 3, 18)
    assert request_due(date(2026, 2, 17), "ENG") == date(2026, 3, 17)


def test_easter_monday_except_in_scotland():
    # 21 Mar 2025 -> Mon 21 Apr 2025, Easter Monday: England Tue 22; Scotland works it.
    assert request_due(date(2025, 3, 21), "ENG") == date(2025, 4, 22)
    assert request_due(date(2025, 3, 21), "SCT") == date(2025, 4, 21)


def test_no_nation_means_england():
    assert request_due(date(2025, 12, 2), None) == date(2026, 1, 2)


def test_extension_of_two_further_months():
    # 3 Sep 2025 + 3 months = Wed 3 Dec 2025.
    assert request_due(date(2025, 9, 3), extended=True) == date(2025, 12, 3)
    # 30 Nov 2025 + 3 months = "30 Feb 2026" -> Sat 28 Feb -> Mon 2 Mar 2026.
    extended = request_deadline(date(2025, 11, 30), extended=True)
    assert extended.due == date(2026, 3, 2)
    assert extended.extended


def test_line_when_the_calendar_date_is_a_working_day():
    assert request_deadline(date(2025, 9, 3)).line == "due 3 Oct 2025"


def test_request_kinds_match_the_stored_strings():
    assert [k.value for k in RequestKind] == ["access", "correction", "deletion"]
