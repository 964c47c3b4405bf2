"""Policy sign-off status (seed 003: "read and sign the policy" of each establishment).

Due dates are the first day a signature no longer covers; worked out by hand below.
"""

from datetime import date

import pytest

from sitecare.rules.policy import (
    PolicySignature,
    PolicyState,
    PolicyVersion,
    ResignReason,
    SiteKind,
    policy_status,
)

V1 = PolicyVersion("v1", dated=date(2025, 6, 1))


def school(signed_on, today, latest=V1, version="v1", interval=None):
    return policy_status(latest, PolicySignature(signed_on, version), "school", interval, today)


# --- nothing to go on -------------------------------------------------------------


def test_no_policy_recorded():
    status = policy_status(None, None, "school", None, date(2025, 9, 3))
    assert status.state is PolicyState.NO_POLICY
    assert status.due is None
    assert status.needs_attention


def test_no_policy_wins_even_with_a_stray_signature():
    status = policy_status(None, PolicySignature(date(2025, 9, 1), "v1"), "school", None, date(2025, 9, 3))
    assert status.state is PolicyState.NO_POLICY


def test_never_signed():
    status = policy_status(V1, None, "care_home", None, date(2025, 9, 3))
    assert status.state is PolicyState.NEVER_SIGNED
    assert status.due is None
    assert status.needs_attention


# --- schools: each academic year from 1 September ------------------------------------


def test_school_signed_31_august_is_due_the_next_day():
    on_the_day = school(date(2026, 8, 31), date(2026, 8, 31))
    assert on_the_day.state is PolicyState.SIGNED_CURRENT
    assert on_the_day.due == date(2026, 9, 1)
    next_day = school(date(2026, 8, 31), date(2026, 9, 1))
    assert next_day.state is PolicyState.RESIGN_DUE
    assert next_day.reasons == (ResignReason.NEW_ACADEMIC_YEAR,)
    assert next_day.due == date(2026, 9, 1)
    assert next_day.line == "re-sign due: a new academic year began on 1 Sep 2026"


def test_school_signed_1_september_is_current_until_31_august():
    last_day = school(date(2026, 9, 1), date(2027, 8, 31))
    assert last_day.state is PolicyState.SIGNED_CURRENT
    assert last_day.due == date(2027, 9, 1)
    assert not last_day.needs_attention
    assert school(date(2026, 9, 1), date(2027, 9, 1)).state is PolicyState.RESIGN_DUE


def test_school_signed_mid_year_is_due_the_next_1_september():
    # Signed 15 Jan 2026 (academic year 2025/26) -> due 1 Sep 2026.
    status = school(date(2026, 1, 15), date(2026, 3, 1))
    assert status.state is PolicyState.SIGNED_CURRENT
    assert status.due == date(2026, 9, 1)
    assert status.line == "signed 15 Jan 2026; re-sign due 1 Sep 2026"


def test_site_kind_is_read_loosely_and_the_enum_works():
    for kind in ("School", " school ", SiteKind.SCHOOL):
        status = policy_status(V1, PolicySignature(date(2026, 8, 31), "v1"), kind, None, date(2026, 9, 1))
        assert status.reasons == (ResignReason.NEW_ACADEMIC_YEAR,)


def test_a_school_with_its_own_interval_uses_it_instead_of_the_academic_year():
    # Signed 1 Sep 2025, every 6 months -> due 1 Mar 2026, not 1 Sep 2026.
    status = school(date(2025, 9, 1), date(2026, 3, 1), interval=6)
    assert status.state is PolicyState.RESIGN_DUE
    assert status.reasons == (ResignReason.INTERVAL_ELAPSED,)
    assert status.due == date(2026, 3, 1)
    assert status.line == "re-sign due: 6 months have passed since you signed"
    assert school(date(2025, 9, 1), date(2026, 2, 28), interval=6).state is PolicyState.SIGNED_CURRENT


# --- other kinds: 12 months from signing ------------------------------------------------


def test_care_home_is_due_twelve_months_after_signing():
    sig = PolicySignature(date(2025, 9, 3), "v1")
    before = policy_status(V1, sig, "care_home", None, date(2026, 9, 2))
    assert before.state is PolicyState.SIGNED_CURRENT
    assert before.due == date(2026, 9, 3)
    due = policy_status(V1, sig, "care_home", None, date(2026, 9, 3))
    assert due.state is PolicyState.RESIGN_DUE
    assert due.reasons == (ResignReason.INTERVAL_ELAPSED,)
    assert due.line == "re-sign due: 12 months have passed since you signed"


def test_a_hospital_signature_on_29_february():
    # 29 Feb 2024 + 12 months = 28 Feb 2025.
    sig = PolicySignature(date(2024, 2, 29), "v1")
    assert policy_status(V1, sig, "hospital", None, date(2025, 2, 27)).state is PolicyState.SIGNED_CURRENT
    due = policy_status(V1, sig, "hospital", None, date(2025, 2, 28))
    assert due.state is PolicyState.RESIGN_DUE
    assert due.due == date(2025, 2, 28)


def test_a_school_signature_in_august_is_not_treated_like_a_care_home():
    # Care home signed 31 Aug 2026 is current on 1 Sep 2026 (due 31 Aug 2027).
    sig = PolicySignature(date(2026, 8, 31), "v1")
    status = policy_status(V1, sig, "care_home", None, date(2026, 9, 1))
    assert status.state is PolicyState.SIGNED_CURRENT
    assert status.due == date(2027, 8, 31)


def test_interval_must_be_positive():
    with pytest.raises(ValueError):
        policy_status(V1, PolicySignature(date(2025, 9, 1), "v1"), "school", 0, date(2025, 9, 3))


# --- the policy's review date -----------------------------------------------------------


REVIEWED = PolicyVersion("v1", dated=date(2023, 9, 1), review_due=date(2025, 9, 30))


def test_review_date_equal_to_today_is_not_yet_passed():
    status = school(date(2025, 9, 2), date(2025, 9, 30), latest=REVIEWED)
    assert status.state is PolicyState.SIGNED_CURRENT
    # Next due is the day after the review date, sooner than 1 Sep 2026.
    assert status.due == date(2025, 10, 1)


def test_review_date_yesterday_has_passed():
    status = school(date(2025, 9, 2), date(2025, 10, 1), latest=REVIEWED)
    assert status.state is PolicyState.RESIGN_DUE
    assert status.reasons == (ResignReason.REVIEW_PASSED,)
    assert status.due == date(2025, 10, 1)
    assert status.line == "re-sign due: the policy's review date (30 Sep 2025) has passed"


def test_signed_on_the_review_date_is_still_made_stale_by_it():
    status = school(date(2025, 9, 30), date(2025, 10, 1), latest=REVIEWED)
    assert status.reasons == (ResignReason.REVIEW_PASSED,)


def test_signing_after_the_review_date_passed_clears_it():
    # The site has not reissued the policy; I re-read and signed it on 5 Oct 2025.
    status = school(date(2025, 10, 5), date(2025, 10, 6), latest=REVIEWED)
    assert status.state is PolicyState.SIGNED_CURRENT
    assert status.due == date(2026, 9, 1)


# --- a newer version -----------------------------------------------------------------------


def test_newer_version_recorded():
    v2 = PolicyVersion("v2", dated=date(2025, 10, 1))
    status = school(date(2025, 9, 2), date(2025, 10, 3), latest=v2, version="v1")
    assert status.state is PolicyState.RESIGN_DUE
    assert status.reasons == (ResignReason.NEWER_VERSION,)
    assert status.due == date(2025, 10, 1)
    assert status.line == "re-sign due: a newer version (v2) has been recorded"


def test_newer_version_dated_before_my_signature_is_due_from_my_signature():
    # I signed the old version on 2 Sep 2025 although v2 was dated 1 Aug 2025.
    v2 = PolicyVersion("v2", dated=date(2025, 8, 1))
    status = school(date(2025, 9, 2), date(2025, 9, 3), latest=v2, version="v1")
    assert status.due == date(2025, 9, 2)


def test_undated_newer_version_is_due_from_my_signature():
    v2 = PolicyVersion("v2")
    status = school(date(2025, 9, 2), date(2025, 9, 3), latest=v2, version="v1")
    assert status.state is PolicyState.RESIGN_DUE
    assert status.due == date(2025, 9, 2)


def test_version_names_compare_without_case_or_spaces():
    status = school(date(2025, 9, 2), date(2025, 9, 3), latest=PolicyVersion("V2 "), version="v2")
    assert status.state is PolicyState.SIGNED_CURRENT


def test_all_reasons_listed_earliest_first():
    # Signed v1 on 2 Sep 2024; v2 dated 1 Jun 2025 with review due 31 Jul 2025; today
    # 3 Sep 2025: newer version (1 Jun), review passed (1 Aug), new year (1 Sep 2025).
    v2 = PolicyVersion("v2", dated=date(2025, 6, 1), review_due=date(2025, 7, 31))
    status = school(date(2024, 9, 2), date(2025, 9, 3), latest=v2, version="v1")
    assert status.reasons == (
        ResignReason.NEWER_VERSION,
        ResignReason.REVIEW_PASSED,
        ResignReason.NEW_ACADEMIC_YEAR,
    )
    assert status.due == date(2025, 6, 1)
