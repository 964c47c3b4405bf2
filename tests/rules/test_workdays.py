"""Working days per UK nation. Expected dates are counted by hand from the calendar;
the bank holidays relied on are named in each comment."""

from datetime import date

import pytest

from sitecare.rules.workdays import (
    add_working_days,
    is_bank_holiday,
    is_working_day,
    next_working_day,
    working_days_between,
)


# --- 5 and 10 working days from a Friday ------------------------------------------


def test_five_working_days_from_a_friday_is_the_next_friday():
    # Fri 5 Sep 2025: Mon 8 (1), Tue 9 (2), Wed 10 (3), Thu 11 (4), Fri 12 (5).
    assert add_working_days(date(2025, 9, 5), 5, "ENG") == date(2025, 9, 12)


def test_ten_working_days_from_a_friday_is_the_friday_fortnight():
    # Fri 5 Sep 2025: Fri 12 is the 5th, Mon 15 .. Fri 19 are the 6th .. 10th.
    assert add_working_days(date(2025, 9, 5), 10, "ENG") == date(2025, 9, 19)


def test_one_working_day_from_a_friday_skips_the_weekend():
    # Fri 5 Sep 2025 -> Sat 6, Sun 7 skipped -> Mon 8.
    assert add_working_days(date(2025, 9, 5), 1, "ENG") == date(2025, 9, 8)


def test_five_working_days_from_the_friday_before_a_bank_holiday_monday():
    # Fri 22 May 2026; Mon 25 May is the Spring bank holiday.
    # Tue 26 (1), Wed 27 (2), Thu 28 (3), Fri 29 (4), Mon 1 Jun (5).
    assert add_working_days(date(2026, 5, 22), 5, "ENG") == date(2026, 6, 1)


def test_ten_working_days_from_the_friday_before_a_bank_holiday_monday():
    # As above to Mon 1 Jun (5); Tue 2 (6), Wed 3 (7), Thu 4 (8), Fri 5 (9), Mon 8 (10).
    assert add_working_days(date(2026, 5, 22), 10, "ENG") == date(2026, 6, 8)


# --- from the day before a bank holiday: Easter ----------------------------------


def test_five_working_days_from_the_day_before_good_friday_england():
    # Thu 17 Apr 2025; Fri 18 Good Friday, Mon 21 Easter Monday (England).
    # Tue 22 (1), Wed 23 (2), Thu 24 (3), Fri 25 (4), Mon 28 (5).
    assert add_working_days(date(2025, 4, 17), 5, "ENG") == date(2025, 4, 28)


def test_five_working_days_from_the_day_before_good_friday_scotland_has_no_easter_monday():
    # Thu 17 Apr 2025; Fri 18 Good Friday; Mon 21 is a working day in Scotland.
    # Mon 21 (1), Tue 22 (2), Wed 23 (3), Thu 24 (4), Fri 25 (5).
    assert add_working_days(date(2025, 4, 17), 5, "SCT") == date(2025, 4, 25)


def test_ten_working_days_from_the_day_before_good_friday_runs_into_may_day():
    # England: Mon 28 Apr is the 5th (above); Tue 29 (6), Wed 30 (7), Thu 1 May (8),
    # Fri 2 (9), Mon 5 May is the Early May bank holiday, Tue 6 (10).
    assert add_working_days(date(2025, 4, 17), 10, "ENG") == date(2025, 5, 6)
    # Scotland: Fri 25 Apr is the 5th; Mon 28 (6), Tue 29 (7), Wed 30 (8), Thu 1 May (9),
    # Fri 2 May (10).
    assert add_working_days(date(2025, 4, 17), 10, "SCT") == date(2025, 5, 2)


def test_easter_monday_is_a_holiday_in_england_wales_and_northern_ireland_not_scotland():
    easter_monday = date(2025, 4, 21)
    assert not is_working_day(easter_monday, "ENG")
    assert not is_working_day(easter_monday, "WLS")
    assert not is_working_day(easter_monday, "NIR")
    assert is_working_day(easter_monday, "SCT")


def test_good_friday_is_a_holiday_everywhere():
    for nation in ("ENG", "WLS", "SCT", "NIR"):
        assert is_bank_holiday(date(2026, 4, 3), nation), nation


# --- Christmas and New Year ----------------------------------------------------


def test_five_working_days_across_christmas_england():
    # Mon 22 Dec 2025: Tue 23 (1), Wed 24 (2), Thu 25 and Fri 26 holidays, weekend,
    # Mon 29 (3), Tue 30 (4), Wed 31 (5).
    assert add_working_days(date(2025, 12, 22), 5, "ENG") == date(2025, 12, 31)


def test_five_working_days_from_christmas_eve_across_new_year():
    # Wed 24 Dec 2025: Thu 25, Fri 26 holidays; Sat 27, Sun 28; Mon 29 (1), Tue 30 (2),
    # Wed 31 (3), Thu 1 Jan holiday, Fri 2 Jan (4), weekend, Mon 5 Jan (5).
    assert add_working_days(date(2025, 12, 24), 5, "ENG") == date(2026, 1, 5)
    assert add_working_days(date(2025, 12, 24), 5, "WLS") == date(2026, 1, 5)
    assert add_working_days(date(2025, 12, 24), 5, "NIR") == date(2026, 1, 5)


def test_five_working_days_from_christmas_eve_scotland_keeps_2_january():
    # As above, but Fri 2 Jan 2026 is a bank holiday in Scotland:
    # Mon 29 (1), Tue 30 (2), Wed 31 (3), Mon 5 Jan (4), Tue 6 Jan (5).
    assert add_working_days(date(2025, 12, 24), 5, "SCT") == date(2026, 1, 6)


def test_2_january_on_a_saturday_moves_to_monday_in_scotland():
    # 2027: Fri 1 Jan New Year's Day, Sat 2 Jan -> substitute Mon 4 Jan (Scotland only).
    assert not is_working_day(date(2027, 1, 4), "SCT")
    assert is_working_day(date(2027, 1, 4), "ENG")
    # Thu 31 Dec 2026 + 1: Fri 1 Jan holiday, weekend, Mon 4 (SCT holiday) -> Tue 5.
    assert add_working_days(date(2026, 12, 31), 1, "SCT") == date(2027, 1, 5)
    assert add_working_days(date(2026, 12, 31), 1, "ENG") == date(2027, 1, 4)


def test_christmas_on_a_weekend_gets_substitute_days():
    # 2027: Sat 25 Dec and Sun 26 Dec -> substitutes Mon 27 and Tue 28 Dec.
    assert not is_working_day(date(2027, 12, 27), "ENG")
    assert not is_working_day(date(2027, 12, 28), "ENG")
    assert is_working_day(date(2027, 12, 29), "ENG")


def test_starting_on_a_bank_holiday_does_not_count_the_start():
    # Thu 25 Dec 2025 + 1: Fri 26 holiday, weekend -> Mon 29 Dec.
    assert add_working_days(date(2025, 12, 25), 1, "ENG") == date(2025, 12, 29)


# --- Northern Ireland and Scotland's own days -----------------------------------


def test_st_patricks_day_is_a_holiday_in_northern_ireland_only():
    # Tue 17 Mar 2026.
    assert not is_working_day(date(2026, 3, 17), "NIR")
    assert is_working_day(date(2026, 3, 17), "ENG")
    assert is_working_day(date(2026, 3, 17), "SCT")


def test_five_working_days_across_st_patricks_day():
    # Fri 13 Mar 2026. England: Mon 16 .. Fri 20 -> Fri 20.
    assert add_working_days(date(2026, 3, 13), 5, "ENG") == date(2026, 3, 20)
    # NIR: Mon 16 (1), Tue 17 holiday, Wed 18 (2), Thu 19 (3), Fri 20 (4), Mon 23 (5).
    assert add_working_days(date(2026, 3, 13), 5, "NIR") == date(2026, 3, 23)


def test_one_working_day_from_the_day_before_st_patricks_day():
    # Mon 16 Mar 2026 + 1: NIR skips Tue 17 -> Wed 18; England -> Tue 17.
    assert add_working_days(date(2026, 3, 16), 1, "NIR") == date(2026, 3, 18)
    assert add_working_days(date(2026, 3, 16), 1, "ENG") == date(2026, 3, 17)


def test_battle_of_the_boyne_on_a_saturday_is_observed_on_monday_in_nir():
    # Sat 12 Jul 2025 -> Mon 14 Jul 2025.
    assert not is_working_day(date(2025, 7, 14), "NIR")
    assert is_working_day(date(2025, 7, 14), "ENG")


def test_st_andrews_day_on_a_sunday_is_observed_on_monday_in_scotland():
    # Sun 30 Nov 2025 -> Mon 1 Dec 2025.
    assert not is_working_day(date(2025, 12, 1), "SCT")
    assert is_working_day(date(2025, 12, 1), "ENG")


def test_summer_bank_holiday_differs_between_scotland_and_england():
    # Scotland: first Monday of August (3 Aug 2026); England: last Monday (31 Aug 2026).
    assert not is_working_day(date(2026, 8, 3), "SCT")
    assert is_working_day(date(2026, 8, 3), "ENG")
    assert not is_working_day(date(2026, 8, 31), "ENG")
    assert is_working_day(date(2026, 8, 31), "SCT")


# --- next_working_day, between, and argument checks -----------------------------


def test_next_working_day_of_a_working_day_is_itself():
    assert next_working_day(date(2025, 9, 3), "ENG") == date(2025, 9, 3)  # a Wednesday


def test_next_working_day_of_a_saturday_is_monday():
    assert next_working_day(date(2025, 9, 6), "ENG") == date(2025, 9, 8)


def test_next_working_day_of_christmas_day():
    # Thu 25 Dec 2025: Fri 26 holiday, Sat 27, Sun 28 -> Mon 29.
    assert next_working_day(date(2025, 12, 25), "ENG") == date(2025, 12, 29)


def test_weekends_are_not_working_days():
    assert not is_working_day(date(2025, 9, 6), "ENG")  # Saturday
    assert not is_working_day(date(2025, 9, 7), "ENG")  # Sunday
    assert is_working_day(date(2025, 9, 5), "ENG")  # Friday


def test_zero_working_days_is_the_start_itself():
    assert add_working_days(date(2025, 9, 6), 0, "ENG") == date(2025, 9, 6)


def test_negative_working_days_are_refused():
    with pytest.raises(ValueError):
        add_working_days(date(2025, 9, 5), -1, "ENG")


def test_default_nation_is_england():
    # Wed 24 Dec 2025 + 5 with no nation given: the England answer, not Scotland's.
    assert add_working_days(date(2025, 12, 24), 5) == date(2026, 1, 5)


def test_unknown_nation_is_refused():
    with pytest.raises(ValueError, match="nation"):
        is_working_day(date(2025, 9, 5), "GB")
    with pytest.raises(ValueError):
        add_working_days(date(2025, 9, 5), 5, "eng")


def test_working_days_between_counts_after_start_up_to_end():
    # Fri 5 Sep 2025 to Fri 12 Sep 2025: Mon 8 .. Fri 12 = 5.
    assert working_days_between(date(2025, 9, 5), date(2025, 9, 12), "ENG") == 5
    # Across Christmas 2025 (ENG): Mon 22 to Wed 31 -> 23, 24, 29, 30, 31 = 5.
    assert working_days_between(date(2025, 12, 22), date(2025, 12, 31), "ENG") == 5
    assert working_days_between(date(2025, 9, 12), date(2025, 9, 5), "ENG") == 0
    assert working_days_between(date(2025, 9, 5), date(2025, 9, 5), "ENG") == 0


# --- the generated table agrees with the holidays package -----------------------------


@pytest.mark.parametrize("nation", ["ENG", "WLS", "SCT", "NIR"])
def test_the_shipped_table_is_what_the_holidays_package_says(nation):
    # Fails when an installed `holidays` knows a bank holiday the table does not (a new
    # special day, say): regenerate with tools/bank_holidays.py.
    import holidays

    from sitecare.rules.bank_holiday_table import BANK_HOLIDAYS, FIRST_YEAR, LAST_YEAR

    for year in range(FIRST_YEAR, LAST_YEAR + 1):
        expected = {(d.month, d.day) for d in holidays.country_holidays("GB", subdiv=nation, years=year)}
        assert set(BANK_HOLIDAYS[nation][year]) == expected, (nation, year)


def test_years_outside_the_table_ask_the_holidays_package():
    from sitecare.rules.bank_holiday_table import FIRST_YEAR, LAST_YEAR

    # Christmas Day, a Thursday in both years, either side of the table.
    assert FIRST_YEAR > 1997 and LAST_YEAR < 2059
    assert is_bank_holiday(date(1997, 12, 25), "ENG")
    assert is_bank_holiday(date(2059, 12, 25), "SCT")
    assert is_working_day(date(2059, 12, 24), "SCT")


def test_importing_the_rules_does_not_import_the_holidays_package():
    # The package costs about 0.3 s; the launch must not pay it for years in the table.
    import subprocess
    import sys

    code = "import sys, sitecare.rules.workdays as w, datetime as d; w.is_working_day(d.date(2026, 5, 4)); print('holidays' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "False"


def test_adding_working_days_is_counting_them_one_by_one():
    # add_working_days looks each year's holidays up once; it must agree with asking
    # is_working_day of every day, in every nation, across years and holidays.
    from datetime import timedelta

    def counted(start, days, nation):
        day = start
        while days:
            day += timedelta(days=1)
            if is_working_day(day, nation):
                days -= 1
        return day

    start = date(2024, 11, 1)
    while start < date(2027, 2, 1):
        for nation in ("ENG", "WLS", "SCT", "NIR"):
            for days in (0, 1, 5, 10, 30):
                assert add_working_days(start, days, nation) == counted(start, days, nation), (start, days, nation)
        start += timedelta(days=2)


def test_an_unknown_nation_is_refused_when_a_day_is_counted():
    assert add_working_days(date(2025, 9, 5), 0, "XX") == date(2025, 9, 5)
    with pytest.raises(ValueError):
        add_working_days(date(2025, 9, 5), 1, "XX")
