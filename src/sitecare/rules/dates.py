"""Dates as UK people type and read them: day first, shown as "3 Sep 2025"."""

from __future__ import annotations

import re
from datetime import date, datetime

from dateutil import parser as _dateparser
from dateutil.relativedelta import relativedelta

_ISO = re.compile(r"^\d{4}-\d{2}-\d{2}$")


class DateError(ValueError):
    """A typed date that cannot be read; the message is fit to show next to the field."""


def parse_uk_date(text: str) -> date:
    """Read a date typed by a person in the UK: 03/09/2025 is 3 September 2025.

    ISO (2025-09-03) is accepted too, since that is what exports and other tools write.
    """
    cleaned = (text or "").strip()
    if not cleaned:
        raise DateError("Enter a date, for example 03/09/2025.")
    if not re.search(r"\d", cleaned):
        raise DateError(f"“{cleaned}” is not a date: type it day first, for example 03/09/2025.")
    try:
        if _ISO.match(cleaned):
            return date.fromisoformat(cleaned)
        parsed = _dateparser.parse(cleaned, dayfirst=True, default=datetime(2000, 1, 1))
    except (ValueError, OverflowError):
        raise DateError(
            f"“{cleaned}” is not a date: type it day first, for example 03/09/2025."
        ) from None
    if not re.search(r"\d{4}|\d{1,2}[/.\- ]\d{1,2}[/.\- ]\d{2}\b", cleaned):
        raise DateError(f"“{cleaned}” needs a year, for example 03/09/2025.")
    if parsed.year < 1900 or parsed.year > 2200:
        raise DateError(f"“{cleaned}” is outside the years sitecare accepts (1900-2200).")
    return parsed.date()


def parse_optional_uk_date(text: str) -> date | None:
    return None if not (text or "").strip() else parse_uk_date(text)


def show_date(day: date | None, empty: str = "—") -> str:
    """3 Sep 2025 (no leading zero, three-letter month)."""
    if day is None:
        return empty
    return f"{day.day} {day.strftime('%b')} {day.year}"


def show_datetime(moment: datetime | None, empty: str = "—") -> str:
    if moment is None:
        return empty
    return f"{show_date(moment.date())} {moment.strftime('%H:%M')}"


def academic_year_start(today: date) -> date:
    """1 September of the academic year that `today` falls in (schools' year)."""
    year = today.year if today.month >= 9 else today.year - 1
    return date(year, 9, 1)


def add_months(day: date, months: int) -> date:
    """Calendar months, clamped to the month's end (31 Jan + 1 month = 28/29 Feb)."""
    return day + relativedelta(months=months)


def add_years(day: date, years: int) -> date:
    """Calendar years; 29 Feb + 1 year = 28 Feb."""
    return day + relativedelta(years=years)


def describe_distance(target: date, today: date) -> str:
    """'today', 'in 23 days', '4 months ago' — for status lines."""
    delta = (target - today).days
    if delta == 0:
        return "today"
    future = delta > 0
    span = abs(delta)
    if span < 60:
        words = f"{span} day{'s' if span != 1 else ''}"
    else:
        rd = relativedelta(max(target, today), min(target, today))
        months = rd.years * 12 + rd.months
        if months < 24:
            words = f"{months} month{'s' if months != 1 else ''}"
        else:
            words = f"{rd.years} years"
    return f"in {words}" if future else f"{words} ago"
