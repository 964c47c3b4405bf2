"""What a person may type for each setting (the Settings screen, ctrl+p "settings").

Not from a seed: these are sitecare's own limits, chosen so that no value can switch a
safeguard off or make a list useless.

- The idle lock (DESIGN: "auto-lock after an idle period (configurable)") locks the
  vault after 1 to 120 minutes without a key press. There is no 0 for "never": a
  laptop left open in a staff room must still lock, and two hours is already long.
- The warning windows say how many days ahead something counts as "due soon": 0 (only
  what is due today or overdue) to 365 days (a whole year ahead, beyond which every
  yearly renewal would always be "due soon").
- The practitioner's name, as it appears in chronology entries and exports, is trimmed
  and its inner runs of spaces made one; blank is allowed (entries then say "me"); at
  most 80 characters, so that it fits a record's line.

Each check takes the text as typed and returns the clean value, or raises
`SettingError` with one sentence to show beside the field.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Callable

__all__ = [
    "IDLE_LOCK_MINUTES",
    "NAME_MOST_CHARACTERS",
    "WARN_DAYS",
    "Bounds",
    "SettingError",
    "check_setting",
    "idle_lock_minutes",
    "practitioner_name",
    "warn_days",
]


class SettingError(ValueError):
    """A typed setting that cannot be used; the message fits beside the field."""


@dataclass(frozen=True)
class Bounds:
    """A whole number from `least` to `most`, both included, counted in `unit`."""

    least: int
    most: int
    unit: str


IDLE_LOCK_MINUTES = Bounds(1, 120, "minutes")
WARN_DAYS = Bounds(0, 365, "days")
NAME_MOST_CHARACTERS = 80

_WHOLE = re.compile(r"[+-]?[0-9]+")


def whole_number(typed: str, bounds: Bounds) -> int:
    """`typed` as a whole number within `bounds` (spaces around it ignored)."""
    cleaned = (typed or "").strip()
    span = f"from {bounds.least} to {bounds.most}"
    if not cleaned:
        raise SettingError(f"Type a number of {bounds.unit} {span}.")
    if not _WHOLE.fullmatch(cleaned):
        raise SettingError(f"“{cleaned}” is not a whole number of {bounds.unit}: type one {span}.")
    value = int(cleaned)
    if not bounds.least <= value <= bounds.most:
        raise SettingError(f"{cleaned} is out of range: type a whole number of {bounds.unit} {span}.")
    return value


def idle_lock_minutes(typed: str) -> int:
    return whole_number(typed, IDLE_LOCK_MINUTES)


def warn_days(typed: str) -> int:
    return whole_number(typed, WARN_DAYS)


def practitioner_name(typed: str) -> str:
    """The name trimmed, inner runs of spaces made one; '' when left blank."""
    cleaned = " ".join((typed or "").split())
    if not cleaned.isprintable():
        raise SettingError("The name holds a character that cannot be shown: type it again without it.")
    if len(cleaned) > NAME_MOST_CHARACTERS:
        raise SettingError(f"The name is {len(cleaned)} characters long: shorten it to {NAME_MOST_CHARACTERS} at most.")
    return cleaned


_CHECKS: dict[str, Callable[[str], Any]] = {
    "idle_lock_minutes": idle_lock_minutes,
    "warn_days_training": warn_days,
    "warn_days_other": warn_days,
    "practitioner_name": practitioner_name,
}


def check_setting(key: str, typed: str) -> Any:
    """The clean value of setting `key` typed as `typed` (KeyError for an unknown key)."""
    return _CHECKS[key](typed)
