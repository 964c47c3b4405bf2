"""Whether my signature on a site's safeguarding policy is current (seed 003).

Seed 003 says each freelancer "is responsible for ensuring that he or she adheres to
the Safeguarding Policy of each establishment", and "it is usual for establishments to
ask visiting professionals to read and sign the policy"; it also shows that policies are
reviewed on a cycle (MTB's own: "reviewed September 2023, next review September 2025").

The re-sign interval is not in the seed; sitecare's defaults are: schools, whose
safeguarding policies follow Keeping Children Safe in Education (revised for each
September), each academic year from 1 September; every other kind of site, 12 months
from signing. A site can set its own interval in months instead.

A re-sign falls due on the first day my signature no longer covers: a school
signature given on 31 Aug 2026 is due on 1 Sep 2026; one given on 1 Sep 2026 is current
until 31 Aug 2027. A review date is "passed" from the day after it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum


from sitecare.rules.dates import academic_year_start, add_months, add_years, show_date

__all__ = [
    "DEFAULT_RESIGN_MONTHS",
    "PolicySignature",
    "PolicyState",
    "PolicyStatus",
    "PolicyVersion",
    "ResignReason",
    "SiteKind",
    "policy_status",
]

DEFAULT_RESIGN_MONTHS = 12


class SiteKind(StrEnum):
    # The same strings as data.models.SITE_KINDS, so a stored kind can be passed as is.
    SCHOOL = "school"
    CARE_HOME = "care_home"
    HOSPITAL = "hospital"
    CHARITY = "charity"
    PRIVATE_PRACTICE = "private_practice"
    OTHER = "other"


class PolicyState(StrEnum):
    SIGNED_CURRENT = "signed_current"
    RESIGN_DUE = "resign_due"
    NEVER_SIGNED = "never_signed"
    NO_POLICY = "no_policy"


class ResignReason(StrEnum):
    REVIEW_PASSED = "review_passed"
    NEWER_VERSION = "newer_version"
    INTERVAL_ELAPSED = "interval_elapsed"
    NEW_ACADEMIC_YEAR = "new_academic_year"


@dataclass(frozen=True)
class PolicyVersion:
    """The latest version of a site's policy that I have recorded."""

    version: str
    dated: date | None = None
    review_due: date | None = None


@dataclass(frozen=True)
class PolicySignature:
    """My latest signature on the site's policy, and which version I signed."""

    signed_on: date
    version: str


@dataclass(frozen=True)
class PolicyStatus:
    """`due` is the date the re-sign falls (or fell) due: for SIGNED_CURRENT the next
    one, for RESIGN_DUE the earliest reason's date; None for NEVER_SIGNED and NO_POLICY,
    which need doing now. `reasons` lists every reason that applies today, earliest
    first."""

    state: PolicyState
    due: date | None
    reasons: tuple[ResignReason, ...]
    line: str

    @property
    def needs_attention(self) -> bool:
        return self.state is not PolicyState.SIGNED_CURRENT


def _same_version(a: str, b: str) -> bool:
    # "V3 " and "v3" are the same document typed twice, not a newer version.
    return a.strip().casefold() == b.strip().casefold()


def _interval_due(
    signed_on: date, site_kind: str, resign_interval_months: int | None
) -> tuple[date, ResignReason]:
    if resign_interval_months is not None:
        if resign_interval_months <= 0:
            raise ValueError("a re-sign interval must be a positive number of months")
        return add_months(signed_on, resign_interval_months), ResignReason.INTERVAL_ELAPSED
    if (site_kind or "").strip().lower() == SiteKind.SCHOOL:
        # Due on the 1 September after signing: the next academic year's first day.
        return add_years(academic_year_start(signed_on), 1), ResignReason.NEW_ACADEMIC_YEAR
    return add_months(signed_on, DEFAULT_RESIGN_MONTHS), ResignReason.INTERVAL_ELAPSED


def _reason_text(reason: ResignReason, when: date, latest: PolicyVersion, months: int | None) -> str:
    if reason is ResignReason.REVIEW_PASSED:
        return f"the policy's review date ({show_date(latest.review_due)}) has passed"
    if reason is ResignReason.NEWER_VERSION:
        name = latest.version.strip()
        return f"a newer version{f' ({name})' if name else ''} has been recorded"
    if reason is ResignReason.NEW_ACADEMIC_YEAR:
        return f"a new academic year began on {show_date(when)}"
    n = months if months is not None else DEFAULT_RESIGN_MONTHS
    return f"{n} months have passed since you signed"


def policy_status(
    latest: PolicyVersion | None,
    signature: PolicySignature | None,
    site_kind: str,
    resign_interval_months: int | None,
    today: date,
) -> PolicyStatus:
    """My sign-off status for one site's safeguarding policy on `today`."""
    if latest is None:
        return PolicyStatus(PolicyState.NO_POLICY, None, (), "no policy recorded yet")
    if signature is None:
        return PolicyStatus(PolicyState.NEVER_SIGNED, None, (), "not signed yet")

    signed_on = signature.signed_on
    candidates: list[tuple[date, ResignReason]] = [
        _interval_due(signed_on, site_kind, resign_interval_months)
    ]
    if not _same_version(signature.version, latest.version):
        # Can't fall due before I signed; an undated new version is due from my signature.
        when = max(latest.dated or signed_on, signed_on)
        candidates.append((when, ResignReason.NEWER_VERSION))
    if latest.review_due is not None and signed_on <= latest.review_due:
        # Only a signature given on or before the review date is made stale by it: if I
        # signed after it passed, I already read what the site had then, and asking again
        # would nag forever about a review that is the site's to do, not mine.
        candidates.append((latest.review_due + timedelta(days=1), ResignReason.REVIEW_PASSED))

    candidates.sort(key=lambda c: c[0])
    triggered = [c for c in candidates if c[0] <= today]
    if not triggered:
        due = candidates[0][0]
        return PolicyStatus(
            PolicyState.SIGNED_CURRENT,
            due,
            (),
            f"signed {show_date(signed_on)}; re-sign due {show_date(due)}",
        )
    due = triggered[0][0]
    reasons = tuple(reason for _, reason in triggered)
    texts = "; ".join(
        _reason_text(reason, when, latest, resign_interval_months) for when, reason in triggered
    )
    return PolicyStatus(PolicyState.RESIGN_DUE, due, reasons, f"re-sign due: {texts}")
