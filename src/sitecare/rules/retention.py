"""How long clinical notes and artwork are kept after therapy ends (seed 001).

Seed 001 (Cambridge Art Therapy, "Retaining clinical notes after art therapy ends"):
"Clinical notes for children and young people will be kept until three years after
their eighteenth birthday or five years if that is longer"; "we retain clinical notes on
adult clients for at least 5 years"; clients' artwork not taken away is kept "for two
months after therapy ends" and then disposed of confidentially.

The five years are counted from the end of therapy (the section's heading), so until
therapy has ended no disposal date can be given: the functions say None rather than
guess. For adults the seed sets a minimum ("at least"), so the date returned is the
earliest date the notes may be disposed of, not a date they must be gone by.

Whether the child or adult rule applies is decided by age at the start of therapy
(the caller passes that date): notes written while the client was a child stay under the
children's rule even if the client turns 18 before therapy ends.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from sitecare.rules.dates import add_months, add_years, show_date

__all__ = [
    "ADULT_AGE",
    "ARTWORK_KEEP_MONTHS",
    "ADULT_NOTES_KEEP_YEARS",
    "CHILD_NOTES_AFTER_18_YEARS",
    "ClientType",
    "RetentionDates",
    "artwork_disposal_date",
    "derive_client_type",
    "eighteenth_birthday",
    "is_child",
    "notes_disposal_date",
    "retention_dates",
]

ADULT_AGE = 18
CHILD_NOTES_AFTER_18_YEARS = 3
ADULT_NOTES_KEEP_YEARS = 5
ARTWORK_KEEP_MONTHS = 2


class ClientType(StrEnum):
    # The same strings as data.models.Client.client_type.
    CHILD = "child"
    ADULT = "adult"


_CLIENT_TYPES = {member.value: member for member in ClientType}


def _client_type(value: object) -> ClientType:
    """ClientType(str(value).strip().lower()), with a dictionary for the usual values
    (the enum's own lookup is the slowest step of the attention list's retention
    dates); anything else still raises the enum's ValueError."""
    text = str(value).strip().lower()
    found = _CLIENT_TYPES.get(text)
    return found if found is not None else ClientType(text)


def eighteenth_birthday(date_of_birth: date) -> date:
    """The 18th birthday; for a 29 Feb birth in a non-leap year, 28 Feb.

    That is relativedelta's convention (clamp to the month's last day), chosen so every
    date in sitecare moves the same way. Note it is one day earlier than a "1 March"
    reading would give, so a leapling's notes under the children's rule fall due for
    disposal one day sooner than under that reading.
    """
    return add_years(date_of_birth, ADULT_AGE)


def is_child(date_of_birth: date, on_date: date) -> bool:
    """Under 18 on `on_date` (on the 18th birthday itself the client is an adult)."""
    return on_date < eighteenth_birthday(date_of_birth)


def derive_client_type(
    date_of_birth: date | None, on_date: date, override: str | None = None
) -> ClientType | None:
    """Child or adult, from age on `on_date` (the start of therapy), unless overridden.

    An override wins: a practitioner may know better than the record (a date of birth
    not yet given, or a young person the commissioning service treats as a child).
    None when there is neither a date of birth nor an override: not known yet.
    """
    if override is not None and str(override).strip():
        try:
            return ClientType(str(override).strip().lower())
        except ValueError:
            raise ValueError(
                f"client type must be 'child' or 'adult', not {override!r}"
            ) from None
    if date_of_birth is None:
        return None
    return ClientType.CHILD if is_child(date_of_birth, on_date) else ClientType.ADULT


def artwork_disposal_date(therapy_end: date | None) -> date | None:
    """Two calendar months after therapy ends (31 Dec -> 28/29 Feb); None until it ends."""
    if therapy_end is None:
        return None
    return add_months(therapy_end, ARTWORK_KEEP_MONTHS)


def notes_disposal_date(
    client_type: str, therapy_end: date | None, date_of_birth: date | None = None
) -> date | None:
    """The date clinical notes may be disposed of; None when it cannot be known yet.

    Child: the later of 3 years after the 18th birthday and 5 years after therapy ends.
    Adult: 5 years after therapy ends. None when therapy has not ended, or for a child
    whose date of birth is not recorded.
    """
    kind = _client_type(client_type)
    if therapy_end is None:
        return None
    five_years_on = add_years(therapy_end, ADULT_NOTES_KEEP_YEARS)
    if kind is ClientType.ADULT:
        return five_years_on
    if date_of_birth is None:
        return None
    after_eighteen = add_years(eighteenth_birthday(date_of_birth), CHILD_NOTES_AFTER_18_YEARS)
    return max(after_eighteen, five_years_on)


@dataclass(frozen=True)
class RetentionDates:
    """Both disposal dates and a sentence saying how the notes date was reached."""

    notes_disposal: date | None
    artwork_disposal: date | None
    line: str


def retention_dates(
    client_type: str, date_of_birth: date | None, therapy_end: date | None
) -> RetentionDates:
    kind = ClientType(str(client_type).strip().lower())
    artwork = artwork_disposal_date(therapy_end)
    notes = notes_disposal_date(kind, therapy_end, date_of_birth)
    if therapy_end is None:
        line = "not yet determinable: therapy has not ended"
    elif kind is ClientType.ADULT:
        line = f"keep notes at least 5 years after therapy ended: until {show_date(notes)}"
    elif date_of_birth is None:
        line = "not yet determinable: a child's date of birth is needed"
    else:
        after_eighteen = add_years(eighteenth_birthday(date_of_birth), CHILD_NOTES_AFTER_18_YEARS)
        if notes == after_eighteen:
            line = f"keep notes until 3 years after the 18th birthday: {show_date(notes)}"
        else:
            line = f"keep notes until 5 years after therapy ended: {show_date(notes)}"
    return RetentionDates(notes, artwork, line)
