"""The vocabulary of a safeguarding concern, and reading the times people type for it.

Pure: no Textual, no database, no clock (the moment is a parameter).

Sources: the categories are seed 003's list (003_438f426657d4b2d7.txt, policy aim); the
entry kinds follow seed 002's recording list (002_404072af76ee182c.txt, "Recording");
"Agreed action taken" is seed 000's sign-off (000_00de3f88eb12b296.txt, step 6);
"call 999 first" is seed 002's police-first rule.
"""

from __future__ import annotations

import re
from datetime import datetime, time, timedelta

from .dates import DateError, parse_uk_date, show_date

#: Seed 003's list of concerns, in its order (duplicates in the seed given once).
CATEGORIES: tuple[str, ...] = (
    "neglect",
    "emotional abuse",
    "physical abuse",
    "sexual abuse",
    "self-harm",
    "substance abuse",
    "domestic abuse",
    "forced marriage",
    "poor parenting",
    "peer on peer abuse",
    "online abuse and grooming",
    "upskirting",
    "sexual exploitation (CSE) and trafficking",
    "teenage relationship abuse",
    "fabricated or induced illness",
    "bullying",
    "gender-based violence",
    "gang and youth violence",
    "female genital mutilation (FGM)",
    "racist, disability, homophobic or transphobic abuse",
    "radicalisation",
    "youth-produced sexual imagery",
)

KIND_LABELS: dict[str, str] = {
    "disclosure": "Disclosure or observed concern",
    "allegation_staff": "Allegation against a member of staff",
    "whistleblowing": "Concern about staff conduct (whistleblowing)",
    "serious_incident": "Serious incident",
    "data_breach": "Personal-data breach",
}

CLIENT_TYPE_LABELS: dict[str, str] = {"child": "Child", "adult": "Adult", "unknown": "Not known"}

STATUS_LABELS: dict[str, str] = {
    "open": "Open",
    "awaiting_outcome": "Awaiting outcome",
    "closed": "Closed",
}

#: Seed 002's recording list, plus the entries sitecare itself writes.
ENTRY_KIND_LABELS: dict[str, str] = {
    "account": "Account",
    "observation": "Observation",
    "assessment": "Assessment",
    "decision": "Decision",
    "action_taken": "Action taken",
    "information_shared": "Information shared",
    "supervision": "Supervision or consultation",
    "referral": "Referral",
    "outcome": "Outcome",
    "correction": "Correction",
    "signed_off": "Signed off",
    "reopened": "Re-opened",
    "note": "Note",
}
#: The kinds a person adds by hand (the others are written by sign-off, re-opening and
#: corrections, which have their own keys).
ENTRY_KINDS_BY_HAND: tuple[str, ...] = (
    "account",
    "observation",
    "assessment",
    "decision",
    "action_taken",
    "information_shared",
    "supervision",
    "referral",
    "outcome",
    "note",
)

HOW_CHOICES: dict[str, str] = {
    "phone": "Phone",
    "email": "Email",
    "in person": "In person",
    "video call": "Video call",
    "letter": "Letter",
    "online system": "Online system or form",
}

CONSENT_LABELS: dict[str, str] = {
    "given": "Consent given",
    "refused": "Consent refused",
    "not_sought": "Consent not sought",
}

SIGN_OFF_TEXT = "Agreed action taken"
CHASE_PREFIX = "Chase the written outcome summary"
DEFAULT_CHASE_DAYS = 5
#: Allowance for a clock a little behind the device where the time was read.
FUTURE_SLACK = timedelta(minutes=5)

_TIME_AT_END = re.compile(r"^(?P<date>.*?)[\s,T]+(?:at\s+)?(?P<h>\d{1,2})[:.](?P<m>\d{2})$", re.IGNORECASE)
_NAME_LIKE = re.compile(r"^[A-Z][a-z'’-]+(?:\s+[A-Z][a-z'’-]+)+$")


def parse_moment(text: str) -> datetime:
    """A typed date with an optional time: "22/11/2026 14:30", "22/11/2026", "2026-11-22 09:05".

    A date alone means the time is not known and is kept as 00:00 (shown as the date
    only). Messages are one sentence, fit to show beside the field.
    """
    cleaned = " ".join((text or "").split())
    if not cleaned:
        raise DateError("Enter a date, and a time if you know it, for example 22/11/2026 14:30.")
    match = _TIME_AT_END.match(cleaned)
    if match and match.group("date"):
        hour, minute = int(match.group("h")), int(match.group("m"))
        if hour > 23 or minute > 59:
            raise DateError(f"“{match.group('h')}:{match.group('m')}” is not a time: use the 24-hour clock, for example 14:30.")
        return datetime.combine(_date(match.group("date")), time(hour, minute))
    if re.fullmatch(r"\d{1,2}[:.]\d\d", cleaned):
        raise DateError("Add the date before the time, for example 22/11/2026 14:30.")
    return datetime.combine(_date(cleaned), time(0, 0))


def _date(text: str):
    try:
        return parse_uk_date(text)
    except DateError as exc:
        if "is not a date" in str(exc):
            raise DateError(
                f"“{text.strip()}” is not a date: type it day first, with the time if you know it, "
                "for example 22/11/2026 14:30."
            ) from None
        raise


def parse_optional_moment(text: str) -> datetime | None:
    return None if not (text or "").strip() else parse_moment(text)


def show_moment(moment: datetime | None, empty: str = "—") -> str:
    """3 Sep 2025 14:30, or 3 Sep 2025 when the time was not known (kept as 00:00)."""
    if moment is None:
        return empty
    if moment.time() == time(0, 0):
        return show_date(moment.date())
    return f"{show_date(moment.date())} {moment:%H:%M}"


def type_moment(moment: datetime | None) -> str:
    """The form a person would type: 22/11/2026 14:30 (or the date alone)."""
    if moment is None:
        return ""
    if moment.time() == time(0, 0):
        return f"{moment:%d/%m/%Y}"
    return f"{moment:%d/%m/%Y %H:%M}"


def check_not_future(moment: datetime, now: datetime, what: str) -> str:
    """'' when fine, else the sentence to show."""
    if moment > now + FUTURE_SLACK:
        return f"{what} cannot be in the future (it is now {show_moment(now.replace(second=0, microsecond=0))})."
    return ""


def looks_like_a_name(reference: str) -> bool:
    """'Jane Smith' looks like a person's name; 'CH-0142', 'JS' or 'Y5 boy' do not.

    Seed 001: clients are recorded under a pseudonymous reference, never by name.
    """
    return bool(_NAME_LIKE.match(" ".join((reference or "").split())))
