"""Working days in the four UK nations.

Statutory deadlines in the seeds ("within 5 working days", "one working day") are
counted in the bank holidays of the nation whose local authority the site belongs to:
Scotland keeps 2 January and St Andrew's Day, Northern Ireland St Patrick's Day and the
Boyne, and Scotland has no Easter Monday.
"""

from __future__ import annotations

from datetime import date, timedelta
from functools import lru_cache

from .bank_holiday_table import BANK_HOLIDAYS, FIRST_YEAR, LAST_YEAR

NATIONS = ("ENG", "WLS", "SCT", "NIR")
NATION_NAMES = {
    "ENG": "England",
    "WLS": "Wales",
    "SCT": "Scotland",
    "NIR": "Northern Ireland",
}
DEFAULT_NATION = "ENG"


@lru_cache(maxsize=64)
def _bank_holidays(nation: str, year: int) -> frozenset[date]:
    if nation not in NATIONS:
        raise ValueError(f"unknown nation {nation!r}: expected one of {', '.join(NATIONS)}")
    if FIRST_YEAR <= year <= LAST_YEAR:
        return frozenset(date(year, month, day) for month, day in BANK_HOLIDAYS[nation][year])
    # The table is generated from `holidays` (tools/bank_holidays.py) because importing
    # it costs more than the rest of the launch; other years ask the package itself.
    import holidays

    return frozenset(holidays.country_holidays("GB", subdiv=nation, years=year).keys())


def is_bank_holiday(day: date, nation: str = DEFAULT_NATION) -> bool:
    return day in _bank_holidays(nation, day.year)


def is_working_day(day: date, nation: str = DEFAULT_NATION) -> bool:
    return day.weekday() < 5 and not is_bank_holiday(day, nation)


def add_working_days(start: date, days: int, nation: str = DEFAULT_NATION) -> date:
    """The date `days` working days after `start` (start itself never counts).

    "Within 5 working days of receipt" received on a Friday is due the next Friday.
    """
    if days < 0:
        raise ValueError("days must not be negative")
    day = start
    remaining = days
    # is_working_day() inlined, the year's holidays looked up once per year: the
    # attention list counts this for every awaited outcome.
    one = timedelta(days=1)
    year = None
    closed: frozenset[date] = frozenset()
    while remaining:
        day += one
        if day.weekday() < 5:
            if day.year != year:
                year = day.year
                closed = _bank_holidays(nation, year)
            if day not in closed:
                remaining -= 1
    return day


def next_working_day(day: date, nation: str = DEFAULT_NATION) -> date:
    """`day` itself when it is a working day, otherwise the first working day after."""
    while not is_working_day(day, nation):
        day += timedelta(days=1)
    return day


def working_days_between(start: date, end: date, nation: str = DEFAULT_NATION) -> int:
    """Working days after `start` up to and including `end` (0 when end <= start)."""
    count = 0
    day = start
    while day < end:
        day += timedelta(days=1)
        if is_working_day(day, nation):
            count += 1
    return count
