"""Training validity: when a certificate expires and how it stands today (seed 003).

Seed 003 (Music Therapy Bedfordshire) asks that safeguarding training "be refreshed at
least every three years ... Certificates must be kept", and that Prevent training be
"undertaken and updated in line with procedures of the establishment we are visiting".
So a training kind carries its own validity (36 months for safeguarding) or none
("set by each establishment"), and a site's requirement may demand a maximum age that
is shorter than the kind's own validity.

Conventions used throughout: an expiry date is the last day the training is valid
(expiring today is still valid today); the warning window is inclusive (60 days left
with warn_days=60 is already "expiring").
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from enum import StrEnum


from sitecare.rules.dates import add_months, describe_distance, show_date

__all__ = [
    "DEFAULT_WARN_DAYS",
    "TrainingKindRule",
    "TrainingState",
    "TrainingStatus",
    "effective_expiry",
    "expiry_for",
    "missing_status",
    "requirement_status",
    "training_status",
]

DEFAULT_WARN_DAYS = 60


@dataclass(frozen=True)
class TrainingKindRule:
    """A kind of training and how long a certificate for it lasts.

    validity_months None means "set by each establishment" (seed 003's Prevent): the
    certificate itself never expires, only a site's requirement can age it out.
    """

    code: str
    name: str
    validity_months: int | None
    renewal_note: str = ""
    source: str = ""

    def __post_init__(self) -> None:
        if self.validity_months is not None and self.validity_months <= 0:
            raise ValueError(f"validity_months must be positive, got {self.validity_months}")


class TrainingState(StrEnum):
    OK = "ok"
    EXPIRING = "expiring"
    EXPIRED = "expired"
    MISSING = "missing"
    NO_EXPIRY = "no_expiry"


@dataclass(frozen=True)
class TrainingStatus:
    """How one piece of training stands on a given day.

    `expires` is the relevant date (None for MISSING and NO_EXPIRY); `days_left` is
    negative once expired; `line` is the human summary ("valid until 3 Sep 2027",
    "expiring in 23 days", "expires today", "expired 4 months ago"). For a site
    requirement, `completed` is the record chosen and `limited_by_site` says whether the
    site's maximum age (rather than the certificate's own expiry) set the date.
    """

    state: TrainingState
    expires: date | None
    days_left: int | None
    line: str
    completed: date | None = None
    limited_by_site: bool = False

    @property
    def needs_attention(self) -> bool:
        return self.state in (TrainingState.EXPIRING, TrainingState.EXPIRED, TrainingState.MISSING)


def expiry_for(kind_rule: TrainingKindRule, completed: date) -> date | None:
    """The expiry of a certificate completed on `completed`, or None if it has none.

    Calendar months via relativedelta, so 29 Feb 2024 + 36 months is 28 Feb 2027 (the
    month's last day when the same day does not exist), never 1 Mar.
    """
    if kind_rule.validity_months is None:
        return None
    return add_months(completed, kind_rule.validity_months)


def training_status(
    expires: date | None, today: date, warn_days: int = DEFAULT_WARN_DAYS
) -> TrainingStatus:
    """The state of a certificate that expires on `expires` (None: never expires)."""
    if warn_days < 0:
        raise ValueError("warn_days must not be negative")
    if expires is None:
        return TrainingStatus(TrainingState.NO_EXPIRY, None, None, "valid, no expiry date")
    days_left = (expires - today).days
    if days_left < 0:
        # The day after the expiry date is the first day it is no longer valid.
        line = f"expired {describe_distance(expires, today)}"
        return TrainingStatus(TrainingState.EXPIRED, expires, days_left, line)
    if days_left == 0:
        return TrainingStatus(TrainingState.EXPIRING, expires, 0, "expires today")
    if days_left <= warn_days:
        line = f"expiring {describe_distance(expires, today)}"
        return TrainingStatus(TrainingState.EXPIRING, expires, days_left, line)
    return TrainingStatus(TrainingState.OK, expires, days_left, f"valid until {show_date(expires)}")


def missing_status() -> TrainingStatus:
    return TrainingStatus(TrainingState.MISSING, None, None, "no training recorded")


def effective_expiry(
    completed: date, expires: date | None, max_age_months: int | None
) -> tuple[date | None, bool]:
    """A record's expiry as far as one site is concerned, and whether the site set it.

    A site may want training no older than `max_age_months` (seed 003: Prevent "in line
    with procedures of the establishment"), which can come sooner than the certificate's
    own expiry: the earlier of the two wins.
    """
    if max_age_months is None:
        return expires, False
    site_limit = add_months(completed, max_age_months)
    if expires is None or site_limit < expires:
        return site_limit, True
    return expires, False


def requirement_status(
    requirement_max_age_months: int | None,
    records: Iterable[tuple[date, date | None]],
    today: date,
    warn_days: int = DEFAULT_WARN_DAYS,
) -> TrainingStatus:
    """How a site's requirement for one kind of training stands, from all my records of it.

    `records` are (completed, expires) pairs. The best record is the one whose effective
    expiry for this site is latest (no expiry beats any date); MISSING when there is no
    record. A record dated after `today` is ignored: the course has not happened yet.
    """
    if requirement_max_age_months is not None and requirement_max_age_months <= 0:
        raise ValueError("a requirement's maximum age must be a positive number of months")
    # effective_expiry() and _later() written out in the loop: the attention list asks
    # this of every kind of training against every maximum age a site sets, over all
    # my records of the kind.
    months = requirement_max_age_months
    found = False
    best_expiry: date | None = None
    best_by_site = False
    best_done = date.min
    for completed, expires in records:
        if completed > today:
            continue
        if months is None:
            effective, by_site = expires, False
        else:
            limit = add_months(completed, months)
            if expires is None or limit < expires:
                effective, by_site = limit, True
            else:
                effective, by_site = expires, False
        if found:
            if effective != best_expiry:
                if effective is None:
                    later = True
                elif best_expiry is None:
                    later = False
                else:
                    later = effective > best_expiry
            else:
                later = completed > best_done
            if not later:
                continue
        found = True
        best_expiry, best_by_site, best_done = effective, by_site, completed
    if not found:
        return missing_status()
    effective, by_site, completed = best_expiry, best_by_site, best_done
    status = training_status(effective, today, warn_days)
    return TrainingStatus(
        status.state, status.expires, status.days_left, status.line, completed, by_site
    )


def _later(a: tuple[date | None, bool, date], b: tuple[date | None, bool, date]) -> bool:
    # None (never expires) outranks any date; on equal expiry the more recent course
    # is the one a site would want to see the certificate for.
    a_exp, _, a_done = a
    b_exp, _, b_done = b
    if a_exp != b_exp:
        if a_exp is None:
            return True
        if b_exp is None:
            return False
        return a_exp > b_exp
    return a_done > b_done
