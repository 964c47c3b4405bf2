"""Visit patterns: "every Tuesday", "fortnightly on Thursdays", "first Monday of the month".

Not from a seed: a practitioner's rota is what decides which site's briefing they need
tomorrow (DESIGN.md, "Before a visit"). A pattern is chosen from a few simple choices,
stored as an iCalendar RRULE string (RFC 5545, the form every calendar understands, so
an export needs no translation), and read back with python-dateutil.

Visits are whole days: times of day are not part of a pattern, and dtstart is a date.
The first visit is the first day on or after dtstart that fits the rule (dateutil's
reading, not RFC 5545's, where dtstart itself always counts: a pattern "every Tuesday"
started on a Monday must not put a visit on that Monday).
"""

from __future__ import annotations

import re
from calendar import monthrange
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from enum import StrEnum
from functools import lru_cache

from dateutil.rrule import rrule, rrulestr

from sitecare.rules.dates import show_date
from sitecare.rules.words import listed

__all__ = [
    "Frequency",
    "VisitPattern",
    "WEEKDAY_NAMES",
    "build_rrule",
    "check_rrule",
    "describe_rrule",
    "next_visit",
    "pattern_from_rrule",
    "visits_between",
    "visits_on",
]

WEEKDAY_CODES = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")
WEEKDAY_NAMES = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
_WORKWEEK = ("MO", "TU", "WE", "TH", "FR")
_ORDINAL_WORDS = {1: "First", 2: "Second", 3: "Third", 4: "Fourth", 5: "Fifth", -1: "Last"}

# Only the parts a visit rota needs. This is deliberate, not laziness: dateutil checks
# UNTIL only when a date matches, so a rule that can never match (BYMONTH=2 with
# BYMONTHDAY=30, a "5th Monday that is the 1st", daily every 7 days on a weekday the
# start is not) walks every period to the year 9999 and freezes the screen for seconds.
# With these keys and the combinations checked below, every accepted rule either
# matches regularly or is cheap to exhaust.
_ALLOWED_KEYS = {"FREQ", "INTERVAL", "BYDAY", "BYMONTHDAY", "COUNT", "UNTIL", "WKST"}
_MAX_INTERVAL = 100
_DAY_FREQS = {"DAILY", "WEEKLY", "MONTHLY", "YEARLY"}
_BYDAY_ITEM = re.compile(r"^([+-]?\d{1,2})?(MO|TU|WE|TH|FR|SA|SU)$")
_UNTIL = re.compile(r"^(\d{8})(T\d{6}Z?)?$")


class Frequency(StrEnum):
    WEEKLY = "weekly"
    FORTNIGHTLY = "fortnightly"
    MONTHLY = "monthly"  # the nth (or last) weekday of each month
    WEEKDAYS = "weekdays"


@dataclass(frozen=True)
class VisitPattern:
    """The simple choice a person makes. weekday: 0 = Monday (as date.weekday()).

    nth (monthly only): 1-4 for first to fourth, -1 for last. A fifth weekday is not
    offered: most months have none, so the pattern would silently skip them.
    """

    frequency: Frequency
    weekday: int | None = None
    nth: int | None = None


def build_rrule(pattern: VisitPattern) -> str:
    """The RRULE text for a simple choice, e.g. "FREQ=WEEKLY;INTERVAL=2;BYDAY=TH"."""
    freq = Frequency(pattern.frequency)
    if freq is Frequency.WEEKDAYS:
        return "FREQ=WEEKLY;BYDAY=" + ",".join(_WORKWEEK)
    if pattern.weekday is None or not 0 <= pattern.weekday <= 6:
        raise ValueError("Choose the day of the week for the visits.")
    day = WEEKDAY_CODES[pattern.weekday]
    if freq is Frequency.WEEKLY:
        return f"FREQ=WEEKLY;BYDAY={day}"
    if freq is Frequency.FORTNIGHTLY:
        return f"FREQ=WEEKLY;INTERVAL=2;BYDAY={day}"
    if pattern.nth not in (1, 2, 3, 4, -1):
        raise ValueError("Choose which week of the month: first to fourth, or last.")
    return f"FREQ=MONTHLY;BYDAY={pattern.nth}{day}"


def _fail(text: str, detail: str) -> ValueError:
    return ValueError(f"“{text}” is not a visit pattern: {detail}.")


def _parts(text: str) -> dict[str, str]:
    """Validate RRULE text and split it into upper-case KEY -> VALUE."""
    shown = (text or "").strip()
    body = shown
    if body.upper().startswith("RRULE:"):
        body = body[6:]
    if not body:
        raise ValueError("Enter a visit pattern, for example every Tuesday.")
    if "\n" in body or "\r" in body:
        raise _fail(shown, "only one RRULE line is allowed")
    parts: dict[str, str] = {}
    for item in body.strip().strip(";").split(";"):
        if "=" not in item:
            raise _fail(shown, f"“{item}” should be NAME=VALUE, as in FREQ=WEEKLY")
        key, _, value = item.partition("=")
        key, value = key.strip().upper(), value.strip().upper()
        if key in parts:
            raise _fail(shown, f"{key} is given twice")
        if key not in _ALLOWED_KEYS:
            raise _fail(shown, f"{key} is not supported (visits are whole days)")
        parts[key] = value
    freq = parts.get("FREQ")
    if freq is None:
        raise _fail(shown, "it needs a FREQ, such as FREQ=WEEKLY")
    if freq not in _DAY_FREQS:
        raise _fail(shown, f"FREQ must be DAILY, WEEKLY, MONTHLY or YEARLY, not {freq}")
    for key in ("INTERVAL", "COUNT"):
        if key in parts and (not parts[key].isdigit() or int(parts[key]) < 1):
            raise _fail(shown, f"{key} must be a whole number of at least 1")
    interval = int(parts.get("INTERVAL", "1"))
    if interval > _MAX_INTERVAL:
        raise _fail(shown, f"INTERVAL must be at most {_MAX_INTERVAL}")
    if "WKST" in parts and parts["WKST"] not in WEEKDAY_CODES:
        raise _fail(shown, "WKST must be a day such as MO")
    if "BYMONTHDAY" in parts:
        if freq != "MONTHLY":
            raise _fail(shown, "BYMONTHDAY needs FREQ=MONTHLY")
        if "BYDAY" in parts:
            raise _fail(shown, "give either BYDAY or BYMONTHDAY, not both")
        for item in parts["BYMONTHDAY"].split(","):
            item = item.strip()
            if not re.fullmatch(r"[+-]?\d{1,2}", item) or not 1 <= abs(int(item)) <= 31:
                raise _fail(shown, f"“{item}” is not a day of the month (1 to 31, or -1 for the last)")
    if "BYDAY" in parts and freq == "YEARLY":
        raise _fail(shown, "BYDAY needs FREQ=DAILY, WEEKLY or MONTHLY")
    if "BYDAY" in parts and freq == "DAILY" and interval != 1:
        raise _fail(shown, "with BYDAY, use FREQ=WEEKLY to visit every few weeks")
    if "COUNT" in parts and "UNTIL" in parts:
        raise _fail(shown, "COUNT and UNTIL cannot both be given")
    if "UNTIL" in parts:
        match = _UNTIL.match(parts["UNTIL"])
        if not match:
            raise _fail(shown, "UNTIL must be a date such as 20260731")
        # Visits are days: keep the date only, which also avoids dateutil refusing a
        # UTC ("Z") UNTIL against a date-only start.
        parts["UNTIL"] = match.group(1)
    if "BYDAY" in parts:
        for item in parts["BYDAY"].split(","):
            m = _BYDAY_ITEM.match(item.strip())
            if not m:
                raise _fail(shown, f"“{item}” is not a day such as TU or 1MO")
            if m.group(1) is not None:
                n = int(m.group(1))
                if freq == "MONTHLY" and not (1 <= abs(n) <= 5):
                    raise _fail(shown, f"“{item}”: a month has at most five of each weekday")
                if freq in ("DAILY", "WEEKLY"):
                    raise _fail(shown, f"“{item}”: a numbered weekday needs FREQ=MONTHLY")
    return parts


def _canonical(parts: dict[str, str]) -> str:
    order = ["FREQ", "INTERVAL", "BYMONTHDAY", "BYDAY", "WKST", "COUNT", "UNTIL"]
    return ";".join(f"{key}={parts[key]}" for key in order if key in parts)


def _rule(text: str, dtstart: date) -> tuple[rrule, dict[str, str]]:
    parts = _parts(text)
    try:
        rule = rrulestr(_canonical(parts), dtstart=datetime.combine(dtstart, time()))
    except (ValueError, TypeError, KeyError, IndexError, OverflowError) as exc:
        raise _fail((text or "").strip(), str(exc)) from None
    return rule, parts


def check_rrule(text: str) -> str:
    """The validated RRULE text in a canonical order; ValueError with a clear message."""
    parts = _parts(text)
    canonical = _canonical(parts)
    try:
        rrulestr(canonical, dtstart=datetime(2000, 1, 1))
    except (ValueError, TypeError, KeyError, IndexError, OverflowError) as exc:
        raise _fail((text or "").strip(), str(exc)) from None
    return canonical


@lru_cache(maxsize=4096)
def next_visit(rrule_text: str, dtstart: date, today: date) -> date | None:
    """The next visit on or after `today` (a visit today counts); None once the pattern
    has ended (COUNT or UNTIL)."""
    rule, _ = _rule(rrule_text, dtstart)
    found = rule.after(datetime.combine(today, time()), inc=True)
    return None if found is None else found.date()


_WEEKDAY_CODES = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")


@lru_cache(maxsize=256)
def _simple_pattern(rrule_text: str) -> VisitPattern | None:
    try:
        return pattern_from_rrule(rrule_text)
    except ValueError:
        return None


def _on_simple_pattern(pattern: VisitPattern, dtstart: date, day: date) -> bool:
    """dateutil's answer for the simple choices, worked out from the calendar: it finds
    a day by walking every visit since dtstart, about a millisecond a site for a
    pattern some years old, and "today's visits" asks it for hundreds of sites."""
    if day < dtstart:
        return False
    weekday = day.weekday()
    if pattern.frequency is Frequency.WEEKDAYS:
        return weekday < 5
    if weekday != pattern.weekday:
        return False
    if pattern.frequency is Frequency.WEEKLY:
        return True
    if pattern.frequency is Frequency.FORTNIGHTLY:
        # Weeks run Monday to Sunday (RFC 5545's default WKST) and are counted from the
        # week dtstart falls in, not from dtstart itself.
        weeks = ((day - timedelta(days=weekday)) - (dtstart - timedelta(days=dtstart.weekday()))).days // 7
        return weeks % 2 == 0
    if pattern.nth == -1:
        return day.day + 7 > monthrange(day.year, day.month)[1]
    return (day.day - 1) // 7 + 1 == pattern.nth


def visits_on(rrule_text: str, dtstart: date, day: date) -> bool:
    pattern = _simple_pattern(rrule_text)
    if pattern is not None and type(dtstart) is date and type(day) is date:
        return _on_simple_pattern(pattern, dtstart, day)
    return _visits_on_by_expansion(rrule_text, dtstart, day)


def _visits_on_by_expansion(rrule_text: str, dtstart: date, day: date) -> bool:
    # A rule naming weekdays cannot fall on another weekday: skip the expansion.
    byday = next((p[6:] for p in (rrule_text or "").upper().split(";") if p.startswith("BYDAY=")), None)
    if byday and not any(item.strip().endswith(_WEEKDAY_CODES[day.weekday()]) for item in byday.split(",")):
        return False
    return next_visit(rrule_text, dtstart, day) == day


def visits_between(rrule_text: str, dtstart: date, first: date, last: date) -> list[date]:
    """Every visit from `first` to `last`, both included (for a week or term view)."""
    rule, _ = _rule(rrule_text, dtstart)
    return [
        moment.date()
        for moment in rule.between(
            datetime.combine(first, time()), datetime.combine(last, time()), inc=True
        )
    ]


def pattern_from_rrule(text: str) -> VisitPattern | None:
    """The simple choice an RRULE came from, or None for any other (valid) rule."""
    parts = _parts(text)
    freq, interval = parts["FREQ"], int(parts.get("INTERVAL", "1"))
    extra = set(parts) - {"FREQ", "INTERVAL", "BYDAY"}
    days = [d.strip() for d in parts.get("BYDAY", "").split(",") if d.strip()]
    if extra or not days:
        return None
    if freq in ("WEEKLY", "DAILY") and interval == 1 and sorted(days, key=WEEKDAY_CODES.index) == list(_WORKWEEK):
        return VisitPattern(Frequency.WEEKDAYS)
    if len(days) != 1:
        return None
    m = _BYDAY_ITEM.match(days[0])
    assert m is not None  # _parts checked it
    nth, code = m.group(1), m.group(2)
    weekday = WEEKDAY_CODES.index(code)
    if freq == "WEEKLY" and nth is None and interval in (1, 2):
        return VisitPattern(Frequency.WEEKLY if interval == 1 else Frequency.FORTNIGHTLY, weekday)
    if freq == "MONTHLY" and nth is not None and interval == 1 and int(nth) in (1, 2, 3, 4, -1):
        return VisitPattern(Frequency.MONTHLY, weekday, int(nth))
    return None




def describe_rrule(text: str, dtstart: date | None = None) -> str:
    """In words: "Every Tuesday", "Every other Thursday", "First Monday of the month".

    Rules outside the simple choices are described as far as is plain ("Every 3 weeks
    on Tuesday", "On the 15th of each month"), else shown as "Custom pattern (...)".
    """
    parts = _parts(text)
    check_rrule(text)
    pattern = pattern_from_rrule(text)
    suffix = ""
    if "COUNT" in parts:
        n = int(parts["COUNT"])
        suffix = f", {n} time{'s' if n != 1 else ''}"
    elif "UNTIL" in parts:
        suffix = f", until {show_date(datetime.strptime(parts['UNTIL'], '%Y%m%d').date())}"

    if pattern is not None:
        if pattern.frequency is Frequency.WEEKDAYS:
            return "Every weekday" + suffix
        name = WEEKDAY_NAMES[pattern.weekday]  # type: ignore[index]
        if pattern.frequency is Frequency.WEEKLY:
            return f"Every {name}" + suffix
        if pattern.frequency is Frequency.FORTNIGHTLY:
            return f"Every other {name}" + suffix
        return f"{_ORDINAL_WORDS[pattern.nth]} {name} of the month" + suffix  # type: ignore[index]

    freq, interval = parts["FREQ"], int(parts.get("INTERVAL", "1"))
    days = [d.strip() for d in parts.get("BYDAY", "").split(",") if d.strip()]
    plain = all(d in WEEKDAY_CODES for d in days)
    names = [WEEKDAY_NAMES[WEEKDAY_CODES.index(d)] for d in days if d in WEEKDAY_CODES]
    if freq == "DAILY":
        if days:  # interval is 1 here (_parts refuses DAILY+BYDAY with an interval)
            return f"Every {listed(names)}" + suffix
        return ("Every day" if interval == 1 else f"Every {interval} days") + suffix
    if freq == "WEEKLY" and plain:
        if not names and dtstart is not None:
            names = [WEEKDAY_NAMES[dtstart.weekday()]]
        if interval == 1:
            return (f"Every {listed(names)}" if names else "Every week") + suffix
        on = f" on {listed(names)}" if names else ""
        if interval == 2:
            return f"Every other week{on}" + suffix
        return f"Every {interval} weeks{on}" + suffix
    if freq == "MONTHLY":
        every = "the month" if interval == 1 else (
            "every other month" if interval == 2 else f"every {interval} months"
        )
        if "BYMONTHDAY" in parts:
            values = [int(v) for v in parts["BYMONTHDAY"].split(",")]
            words = [("last day" if v == -1 else _ordinal_number(v)) for v in values]
            if all(v > 0 or v == -1 for v in values):
                return f"On the {listed(words)} of {every}" + suffix
        elif days:
            words = []
            for d in days:
                m = _BYDAY_ITEM.match(d)
                n = int(m.group(1)) if m and m.group(1) else None  # type: ignore[union-attr]
                name = WEEKDAY_NAMES[WEEKDAY_CODES.index(m.group(2))]  # type: ignore[union-attr]
                if n is None:
                    words.append(f"every {name}")
                elif n in _ORDINAL_WORDS:
                    words.append(f"{_ORDINAL_WORDS[n].lower()} {name}")
                else:
                    words = []
                    break
            if words:
                text = listed(words)
                return f"{text[0].upper()}{text[1:]} of {every}" + suffix
    if freq == "YEARLY" and not days:
        return ("Every year" if interval == 1 else f"Every {interval} years") + suffix
    return f"Custom pattern ({_canonical(parts)})"


def _ordinal_number(n: int) -> str:
    if 10 <= n % 100 <= 20:
        return f"{n}th"
    suffix = {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"
