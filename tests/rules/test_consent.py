"""Consent review and refresh (seed 001). Dates worked out by hand."""

from datetime import date

from sitecare.rules.consent import (
    ConsentRecord,
    ConsentState,
    RefreshReason,
    consent_status,
    is_essential_purpose,
    service_consent_in_place,
)

GIVEN = date(2025, 9, 3)


def test_current_within_the_first_year():
    status = consent_status(GIVEN, date(2026, 9, 2))
    assert status.state is ConsentState.CURRENT
    assert status.review_due == date(2026, 9, 3)
    assert status.refresh_due == date(2027, 9, 3)
    assert status.line == "review by 3 Sep 2026; refresh by 3 Sep 2027"
    assert not status.needs_attention


def test_review_due_on_the_anniversary():
    status = consent_status(GIVEN, date(2026, 9, 3))
    assert status.state is ConsentState.REVIEW_DUE
    assert status.line == "review due 3 Sep 2026"
    assert status.needs_attention


def test_refresh_due_after_two_years():
    status = consent_status(GIVEN, date(2027, 9, 3))
    assert status.state is ConsentState.REFRESH_DUE
    assert status.refresh_reason is RefreshReason.TWO_YEARS
    assert status.line == "refresh due: two years since it was given (3 Sep 2027)"
    assert consent_status(GIVEN, date(2027, 9, 2)).state is ConsentState.REVIEW_DUE


def test_a_review_moves_the_next_review_not_the_refresh():
    # Reviewed 1 Oct 2026 -> next review 1 Oct 2027; refresh still 3 Sep 2027.
    status = consent_status(GIVEN, date(2027, 9, 1), reviewed_on=date(2026, 10, 1))
    assert status.state is ConsentState.CURRENT
    assert status.review_due == date(2027, 10, 1)
    assert status.refresh_due == date(2027, 9, 3)
    assert consent_status(GIVEN, date(2027, 9, 3), reviewed_on=date(2026, 10, 1)).state is ConsentState.REFRESH_DUE


def test_a_review_dated_before_the_consent_counts_from_the_consent():
    status = consent_status(GIVEN, date(2026, 1, 1), reviewed_on=date(2025, 1, 1))
    assert status.review_due == date(2026, 9, 3)


def test_consent_given_on_29_february():
    status = consent_status(date(2024, 2, 29), date(2024, 3, 1))
    assert status.review_due == date(2025, 2, 28)
    assert status.refresh_due == date(2026, 2, 28)


def test_school_new_period_of_therapy_brings_the_refresh_forward():
    # Consent given 3 Sep 2025 for the autumn period; a new period starts 12 Jan 2026.
    starts = [date(2025, 9, 3), date(2026, 1, 12)]
    before = consent_status(GIVEN, date(2026, 1, 11), in_school=True, therapy_starts=starts)
    assert before.state is ConsentState.CURRENT
    assert before.refresh_due == date(2026, 1, 12)
    assert before.refresh_reason is RefreshReason.NEW_THERAPY_PERIOD
    on_start = consent_status(GIVEN, date(2026, 1, 12), in_school=True, therapy_starts=starts)
    assert on_start.state is ConsentState.REFRESH_DUE
    assert on_start.line == "refresh due: a new period of therapy began 12 Jan 2026"


def test_school_period_starting_the_day_consent_was_given_is_not_new():
    status = consent_status(GIVEN, date(2026, 1, 1), in_school=True, therapy_starts=[GIVEN])
    assert status.refresh_due == date(2027, 9, 3)
    assert status.refresh_reason is RefreshReason.TWO_YEARS


def test_school_period_before_the_consent_is_ignored():
    status = consent_status(GIVEN, date(2026, 1, 1), in_school=True, therapy_starts=[date(2025, 4, 1)])
    assert status.refresh_due == date(2027, 9, 3)


def test_earliest_later_period_counts_whatever_the_order():
    starts = [date(2026, 4, 20), date(2026, 1, 12)]
    status = consent_status(GIVEN, date(2025, 10, 1), in_school=True, therapy_starts=starts)
    assert status.refresh_due == date(2026, 1, 12)


def test_school_two_year_refresh_still_applies_if_no_new_period_sooner():
    status = consent_status(GIVEN, date(2027, 9, 3), in_school=True, therapy_starts=[date(2027, 10, 1)])
    assert status.state is ConsentState.REFRESH_DUE
    assert status.refresh_due == date(2027, 9, 3)
    assert status.refresh_reason is RefreshReason.TWO_YEARS


def test_new_periods_only_matter_in_schools():
    status = consent_status(GIVEN, date(2026, 2, 1), in_school=False, therapy_starts=[date(2026, 1, 12)])
    assert status.state is ConsentState.CURRENT
    assert status.refresh_due == date(2027, 9, 3)


def test_withdrawn_consent_has_no_due_dates():
    status = consent_status(GIVEN, date(2028, 1, 1), withdrawn_on=date(2026, 3, 1))
    assert status.state is ConsentState.WITHDRAWN
    assert status.review_due is None
    assert status.refresh_due is None
    assert status.line == "withdrawn 1 Mar 2026"
    assert not status.needs_attention


def test_withdrawal_dated_after_today_has_not_happened_yet():
    status = consent_status(GIVEN, date(2026, 2, 1), withdrawn_on=date(2026, 3, 1))
    assert status.state is ConsentState.CURRENT


# --- essential and non-essential consents ------------------------------------------


THERAPY = ConsentRecord("therapy", True, date(2025, 9, 3))
PUBLICATION = ConsentRecord("publication", False, date(2025, 9, 3))
TODAY = date(2025, 10, 1)


def test_therapy_consent_allows_the_service():
    assert service_consent_in_place([THERAPY], TODAY)


def test_a_publication_consent_alone_does_not_allow_the_service():
    assert not service_consent_in_place([PUBLICATION], TODAY)


def test_withdrawing_publication_consent_never_stops_therapy():
    withdrawn = ConsentRecord("publication", False, date(2025, 9, 3), withdrawn_on=date(2025, 9, 20))
    assert service_consent_in_place([THERAPY, withdrawn], TODAY)


def test_withdrawn_therapy_consent_stops_the_service():
    withdrawn = ConsentRecord("therapy", True, date(2025, 9, 3), withdrawn_on=date(2025, 9, 20))
    assert not service_consent_in_place([withdrawn, PUBLICATION], TODAY)


def test_therapy_consent_withdrawn_later_still_stands_today():
    later = ConsentRecord("therapy", True, date(2025, 9, 3), withdrawn_on=date(2025, 12, 1))
    assert service_consent_in_place([later], TODAY)


def test_therapy_consent_dated_after_today_does_not_stand_yet():
    future = ConsentRecord("therapy", True, date(2025, 10, 2))
    assert not service_consent_in_place([future], TODAY)


def test_no_consents():
    assert not service_consent_in_place([], TODAY)


def test_essential_purposes():
    assert is_essential_purpose("therapy")
    assert is_essential_purpose(" Therapy ")
    assert not is_essential_purpose("publication")
    assert not is_essential_purpose("talk")
    assert not is_essential_purpose("")
