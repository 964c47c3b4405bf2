"""When a client's consent must be reviewed or refreshed (seed 001).

Seed 001 (Cambridge Art Therapy, "Obtaining consent"): "We keep a record of when and how
we received consent. We review consents on an annual basis to check that the processing
and the purposes have not changed. We will refresh consents at two-yearly intervals,
including parental consents. In the case of work in schools the refresh will be whenever
a new period of therapy with a child begins."

And: consent for uses "not essential to treatment (such as for publishing an article or
giving a talk)" is asked for separately and "is not a precondition of a service";
"clients can withdraw this consent without detriment to their treatment".

Readings used here:
- A review is due one year after the consent was given or last reviewed; a review does
  not postpone the refresh, which only a newly given consent resets.
- In schools the two-year refresh still applies, and a period of therapy that starts
  after the consent was given brings the refresh forward to that start (a school period
  that runs past two years must not escape the two-yearly refresh).
- Something is due on its due date ("due today" is due).
- A withdrawn consent has no due dates: there is nothing left to review. (A withdrawal
  dated after `today` has not happened yet.)
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from enum import StrEnum


from sitecare.rules.dates import add_months, show_date

__all__ = [
    "REFRESH_MONTHS",
    "REVIEW_MONTHS",
    "ConsentPurpose",
    "ConsentRecord",
    "ConsentState",
    "ConsentStatus",
    "RefreshReason",
    "consent_status",
    "is_essential_purpose",
    "service_consent_in_place",
]

REVIEW_MONTHS = 12
REFRESH_MONTHS = 24


class ConsentPurpose(StrEnum):
    # THERAPY is the consent the service rests on; the others are the seed's examples
    # of uses "not essential to treatment" and get their own, separate consent.
    THERAPY = "therapy"
    PUBLICATION = "publication"
    TALK = "talk"
    OTHER = "other"


def is_essential_purpose(purpose: str) -> bool:
    return (purpose or "").strip().lower() == ConsentPurpose.THERAPY


class ConsentState(StrEnum):
    CURRENT = "current"
    REVIEW_DUE = "review_due"
    REFRESH_DUE = "refresh_due"
    WITHDRAWN = "withdrawn"


class RefreshReason(StrEnum):
    TWO_YEARS = "two_years"
    NEW_THERAPY_PERIOD = "new_therapy_period"


@dataclass(frozen=True)
class ConsentStatus:
    state: ConsentState
    review_due: date | None
    refresh_due: date | None
    refresh_reason: RefreshReason | None
    line: str

    @property
    def needs_attention(self) -> bool:
        return self.state in (ConsentState.REVIEW_DUE, ConsentState.REFRESH_DUE)


def consent_status(
    given_on: date,
    today: date,
    *,
    reviewed_on: date | None = None,
    withdrawn_on: date | None = None,
    in_school: bool = False,
    therapy_starts: Iterable[date] = (),
) -> ConsentStatus:
    """How one consent stands on `today`.

    `therapy_starts` are the start dates of the client's periods of therapy; they only
    matter for work in schools (`in_school`).
    """
    if withdrawn_on is not None and withdrawn_on <= today:
        return ConsentStatus(
            ConsentState.WITHDRAWN, None, None, None, f"withdrawn {show_date(withdrawn_on)}"
        )

    # A review recorded before the consent it reviews is a data-entry slip; counting
    # from the consent is the later, and so the only meaningful, starting point.
    last_checked = max(given_on, reviewed_on) if reviewed_on is not None else given_on
    review_due = add_months(last_checked, REVIEW_MONTHS)

    refresh_due = add_months(given_on, REFRESH_MONTHS)
    refresh_reason = RefreshReason.TWO_YEARS
    if in_school:
        # A period that began on the day consent was given is the period it was given
        # for; only a later start needs fresh consent.
        later_starts = [start for start in therapy_starts if start > given_on]
        if later_starts and min(later_starts) < refresh_due:
            refresh_due = min(later_starts)
            refresh_reason = RefreshReason.NEW_THERAPY_PERIOD

    if today >= refresh_due:
        why = (
            f"a new period of therapy began {show_date(refresh_due)}"
            if refresh_reason is RefreshReason.NEW_THERAPY_PERIOD
            else f"two years since it was given ({show_date(refresh_due)})"
        )
        return ConsentStatus(
            ConsentState.REFRESH_DUE, review_due, refresh_due, refresh_reason,
            f"refresh due: {why}",
        )
    if today >= review_due:
        return ConsentStatus(
            ConsentState.REVIEW_DUE, review_due, refresh_due, refresh_reason,
            f"review due {show_date(review_due)}",
        )
    return ConsentStatus(
        ConsentState.CURRENT, review_due, refresh_due, refresh_reason,
        f"review by {show_date(review_due)}; refresh by {show_date(refresh_due)}",
    )


@dataclass(frozen=True)
class ConsentRecord:
    """A consent as recorded: `essential` False for the separate, optional uses."""

    purpose: str
    essential: bool
    given_on: date
    withdrawn_on: date | None = None


def service_consent_in_place(consents: Iterable[ConsentRecord], today: date) -> bool:
    """Whether the client's consent to the service itself is in place on `today`.

    Only essential consents count: a refused or withdrawn consent to publication or a
    talk never stands in the way of therapy (seed 001). A consent whose review or
    refresh is due still stands until it is withdrawn; being due is a task, not a stop.
    """
    for consent in consents:
        if not consent.essential:
            continue
        if consent.given_on > today:
            continue
        if consent.withdrawn_on is not None and consent.withdrawn_on <= today:
            continue
        return True
    return False
