"""When a client's request about their data must be answered (seed 001 + the ICO's rule).

Seed 001: "Clients can request access to, or correction or deletion of, their data."
The seed gives no deadline; it comes from UK GDPR Article 12(3) as the ICO explains it:
count from the day the request is received (working day or not) to the corresponding
calendar date in the next month; if that month has no such date, the last day of the
month; if that date falls on a weekend or bank holiday, the next working day.

The ICO also allows an extension of up to two further months for complex or numerous
requests (the client must be told within the first month); `extended=True` gives that
later date, counted the same way. Where the ICO lets the clock start later (the day
proof of identity or a requested clarification arrives), pass that day as `received`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from enum import StrEnum


from sitecare.rules.dates import add_months, show_date
from sitecare.rules.workdays import DEFAULT_NATION, next_working_day

__all__ = [
    "RequestDeadline",
    "REQUEST_KIND_LABELS",
    "RequestKind",
    "request_deadline",
    "request_due",
]


class RequestKind(StrEnum):
    # The same strings as data.models.DataRequest.kind.
    ACCESS = "access"
    CORRECTION = "correction"
    DELETION = "deletion"


REQUEST_KIND_LABELS = {
    RequestKind.ACCESS: "Access to their data",
    RequestKind.CORRECTION: "Correction of their data",
    RequestKind.DELETION: "Deletion of their data",
}


@dataclass(frozen=True)
class RequestDeadline:
    """`calendar_due` is the corresponding date; `due` is that or the next working day."""

    received: date
    calendar_due: date
    due: date
    extended: bool
    line: str


def request_deadline(
    received: date, nation: str | None = DEFAULT_NATION, *, extended: bool = False
) -> RequestDeadline:
    months = 3 if extended else 1
    # relativedelta keeps the day of the month and clamps to the month's last day when
    # there is none (31 Jan -> 28/29 Feb), which is exactly the ICO's wording.
    calendar_due = add_months(received, months)
    due = next_working_day(calendar_due, nation or DEFAULT_NATION)
    if due == calendar_due:
        line = f"due {show_date(due)}"
    else:
        line = (
            f"due {show_date(due)} ({show_date(calendar_due)} is not a working day)"
        )
    return RequestDeadline(received, calendar_due, due, extended, line)


def request_due(
    received: date, nation: str | None = DEFAULT_NATION, *, extended: bool = False
) -> date:
    """The date a data request received on `received` must be answered by."""
    return request_deadline(received, nation, extended=extended).due
