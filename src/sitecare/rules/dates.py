"""Dates as UK people type and read them: day first, shown as "3 Sep 2025"."""

from __future__ import annotations

import calendar
import re
from datetime import date, datetime

from dateutil.relativedelta import relativedelta

# 2025-09-03, 2025/9/3, 2025-09-03T14:30:00Z (as exports write): a four-digit year first
# can only be year-month-day, but dateutil with dayfirst=True reads 2025/9/3 as 9 March.
_YEAR_FIRST = re.compile(r"^\d{4}[-/.]\d")
_COMPACT = re.compile(r"^\d{8}$")
_EARLIEST_YEAR, _LATEST_YEAR = 1900, 2200

# Two different defaults (both leap years, so a typed 29 Feb never fails on the default)
# reveal which parts the person did not type: a part that changes with the default was
# filled in by dateutil, not by them.
_DEFAULT_A = datetime(2000, 1, 1)
_DEFAULT_B = datetime(2004, 2, 2)


class DateError(ValueError):
    """A typed date that cannot be read; the message is fit to show next to the field."""


def _not_a_date(cleaned: str) -> DateError:
    return DateError(f"“{cleaned}” is not a date: type it day first, for example 03/09/2025.")


def _checked(cleaned: str, day: date) -> date:
    if not _EARLIEST_YEAR <= day.year <= _LATEST_YEAR:
        raise DateError(
            f"“{cleaned}” is outside the years sitecare accepts "
            f"({_EARLIEST_YEAR}-{_LATEST_YEAR})."
        )
    return day


def _compact(cleaned: str) -> date:
    # 03092025 (day first, as typed here) or 20250903 (as exports write it). Within
    # 1900-2200 at most one reading is a real date, so there is nothing to guess.
    readings = []
    for d, m, y in ((cleaned[:2], cleaned[2:4], cleaned[4:]), (cleaned[6:], cleaned[4:6], cleaned[:4])):
        try:
            day = date(int(y), int(m), int(d))
        except ValueError:
            continue
        if _EARLIEST_YEAR <= day.year <= _LATEST_YEAR:
            readings.append(day)
    if len(readings) != 1:
        raise _not_a_date(cleaned)
    return readings[0]


def parse_uk_date(text: str) -> date:
    """Read a date typed by a person in the UK: 03/09/2025 is 3 September 2025.

    ISO (2025-09-03) and other year-first forms (2025/09/03, 20250903) are accepted too,
    since that is what exports and other tools write. The day, the month and a
    four-digit year must all be typed: "Sep 2025" or "3/9/25" are refused rather than
    guessed, because a wrong day or century on a safeguarding record is worse than a
    second attempt (and dateutil's two-digit-year window moves with the system clock,
    which would make this function depend on today).
    """
    cleaned = (text or "").strip()
    if not cleaned:
        raise DateError("Enter a date, for example 03/09/2025.")
    if not re.search(r"\d", cleaned):
        raise _not_a_date(cleaned)
    if _COMPACT.match(cleaned):
        return _compact(cleaned)
    _explain_impossible(cleaned)
    year_first = bool(_YEAR_FIRST.match(cleaned))
    order = {"dayfirst": not year_first, "yearfirst": year_first}
    # Imported here: reading a typed date is never needed to show the home screen, and
    # dateutil's parser (with its time zones) is a few milliseconds of every launch.
    from dateutil import parser as _dateparser

    try:
        first = _dateparser.parse(cleaned, default=_DEFAULT_A, **order)
        second = _dateparser.parse(cleaned, default=_DEFAULT_B, **order)
    except (ValueError, OverflowError):
        raise _not_a_date(cleaned) from None
    if first.year != second.year:
        raise DateError(f"“{cleaned}” needs a year, for example 03/09/2025.")
    if first.month != second.month:
        raise DateError(f"“{cleaned}” needs a day and a month, for example 03/09/2025.")
    if first.day != second.day:
        raise DateError(f"“{cleaned}” needs a day, for example 03/09/2025.")
    # The year must be typed in full: "3 Sep 25 1430" has four digits but not the year.
    if str(first.year) not in cleaned:
        raise DateError(f"“{cleaned}”: type the year in full, for example 03/09/2025.")
    return _checked(cleaned, first.date())


_DAY_MONTH_YEAR = re.compile(r"^(\d{1,2})[/.\- ](\d{1,2})[/.\- ](\d{4})$")
_MONTH_NAMES = ("January", "February", "March", "April", "May", "June", "July", "August",
                "September", "October", "November", "December")


def _explain_impossible(cleaned: str) -> None:
    """31/02/2025 was typed day first, correctly: say what is wrong with it instead."""
    match = _DAY_MONTH_YEAR.match(cleaned)
    if not match:
        return
    day, month, year = (int(part) for part in match.groups())
    if not 1 <= month <= 12:
        raise DateError(f"“{cleaned}”: there is no month {month}; type the day first, then the month, for example 03/09/2025.")
    if day < 1:
        raise DateError(f"“{cleaned}”: there is no day {day}; days start at 1, for example 03/09/2025.")
    try:
        date(year, month, day)
    except ValueError:
        days = calendar.monthrange(year, month)[1]
        raise DateError(f"“{cleaned}” is not a real date: {_MONTH_NAMES[month - 1]} {year} has {days} days.") from None


def parse_optional_uk_date(text: str) -> date | None:
    return None if not (text or "").strip() else parse_uk_date(text)


# Not strftime("%b"): that follows the process locale, and a UK record must read the
# same whatever locale the terminal (or a library calling setlocale) happens to set.
_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def show_date(day: date | None, empty: str = "—") -> str:
    """3 Sep 2025 (no leading zero, three-letter month)."""
    if day is None:
        return empty
    return f"{day.day} {_MONTHS[day.month - 1]} {day.year}"


def show_datetime(moment: datetime | None, empty: str = "—") -> str:
    if moment is None:
        return empty
    return f"{show_date(moment.date())} {moment.strftime('%H:%M')}"


def academic_year_start(today: date) -> date:
    """1 September of the academic year that `today` falls in (schools' year)."""
    year = today.year if today.month >= 9 else today.year - 1
    return date(year, 9, 1)


def add_months(day: date, months: int) -> date:
    """Calendar months, clamped to the month's end (31 Jan + 1 month = 28/29 Feb).

    relativedelta's arithmetic, without building one: the attention list does this a
    few thousand times per computation and relativedelta costs ten times as much."""
    index = day.month - 1 + months
    year = day.year + index // 12
    month = index % 12 + 1
    last = _MONTH_DAYS[month] if month != 2 else (29 if calendar.isleap(year) else 28)
    return day.replace(year=year, month=month, day=min(day.day, last))


def add_years(day: date, years: int) -> date:
    """Calendar years; 29 Feb + 1 year = 28 Feb."""
    return add_months(day, 12 * years)


_MONTH_DAYS = (0, 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)


def describe_distance(target: date, today: date) -> str:
    """'today', 'in 23 days', '4 months ago' — for status lines."""
    delta = (target - today).days
    if delta == 0:
        return "today"
    future = delta > 0
    span = abs(delta)
    # Days up to 61: a span of 60 or 61 days can be "1 month and 29/30 days", and
    # "in 1 month" for something two months away would understate it. From 62 days
    # on, every span is at least two whole calendar months (no two months exceed 62).
    if span < 62:
        words = f"{span} day{'s' if span != 1 else ''}"
    else:
        rd = relativedelta(max(target, today), min(target, today))
        months = rd.years * 12 + rd.months
        if months < 24:
            words = f"{months} month{'s' if months != 1 else ''}"
        else:
            words = f"{rd.years} years"
    return f"in {words}" if future else f"{words} ago"
