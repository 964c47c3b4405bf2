"""Training validity (seed 003). Expected dates are counted by hand."""

from datetime import date

import pytest

from sitecare.rules.validity import (
    TrainingKindRule,
    TrainingState,
    effective_expiry,
    expiry_for,
    requirement_status,
    training_status,
)

SAFEGUARDING = TrainingKindRule("safeguarding", "Safeguarding", 36, "at least every 3 years", "003")
PREVENT = TrainingKindRule("prevent", "Prevent", None, "set by each establishment", "003")

TODAY = date(2025, 9, 3)

# --- expiry_for -------------------------------------------------------------------


def test_safeguarding_lasts_three_years():
    assert expiry_for(SAFEGUARDING, date(2024, 9, 3)) == date(2027, 9, 3)


def test_29_february_plus_three_years_is_28_february():
    assert expiry_for(SAFEGUARDING, date(2024, 2, 29)) == date(2027, 2, 28)


def test_month_end_clamps():
    six_months = TrainingKindRule("x", "X", 6)
    # 31 Aug 2025 + 6 months = "31 Feb 2026" -> 28 Feb 2026.
    assert expiry_for(six_months, date(2025, 8, 31)) == date(2026, 2, 28)


def test_kind_set_by_each_establishment_has_no_expiry():
    assert expiry_for(PREVENT, date(2024, 9, 3)) is None


def test_validity_must_be_positive():
    with pytest.raises(ValueError):
        TrainingKindRule("x", "X", 0)


# --- training_status -----------------------------------------------------------------


def test_expires_today_is_still_valid_today():
    status = training_status(date(2025, 9, 3), TODAY)
    assert status.state is TrainingState.EXPIRING
    assert status.days_left == 0
    assert status.line == "expires today"


def test_expired_from_the_day_after():
    status = training_status(date(2025, 9, 2), TODAY)
    assert status.state is TrainingState.EXPIRED
    assert status.days_left == -1
    assert status.line == "expired 1 day ago"


def test_expiring_tomorrow():
    status = training_status(date(2025, 9, 4), TODAY)
    assert status.state is TrainingState.EXPIRING
    assert status.line == "expiring in 1 day"


def test_expiring_in_23_days():
    # 3 Sep -> 26 Sep = 23 days.
    status = training_status(date(2025, 9, 26), TODAY)
    assert status.state is TrainingState.EXPIRING
    assert status.days_left == 23
    assert status.line == "expiring in 23 days"


def test_exactly_at_the_warning_window_edge_is_expiring():
    # 3 Sep + 60 days: 27 more in Sep (30 Sep), 31 in Oct (31 Oct = 58), 1 Nov 59, 2 Nov 60.
    status = training_status(date(2025, 11, 2), TODAY, warn_days=60)
    assert status.state is TrainingState.EXPIRING
    assert status.days_left == 60
    assert status.line == "expiring in 60 days"


def test_one_day_beyond_the_warning_window_is_ok():
    status = training_status(date(2025, 11, 3), TODAY, warn_days=60)
    assert status.state is TrainingState.OK
    assert status.line == "valid until 3 Nov 2025"


def test_valid_until():
    status = training_status(date(2027, 9, 3), TODAY)
    assert status.state is TrainingState.OK
    assert status.line == "valid until 3 Sep 2027"
    assert status.expires == date(2027, 9, 3)
    assert not status.needs_attention


def test_expired_months_ago():
    # 3 May -> 3 Sep 2025 = 4 calendar months.
    status = training_status(date(2025, 5, 3), TODAY)
    assert status.state is TrainingState.EXPIRED
    assert status.line == "expired 4 months ago"
    assert status.needs_attention


def test_custom_warning_window():
    # 30 days left, window 14 -> OK; window 30 -> expiring.
    assert training_status(date(2025, 10, 3), TODAY, warn_days=14).state is TrainingState.OK
    assert training_status(date(2025, 10, 3), TODAY, warn_days=30).state is TrainingState.EXPIRING


def test_zero_warning_window_still_flags_the_last_day():
    assert training_status(date(2025, 9, 4), TODAY, warn_days=0).state is TrainingState.OK
    assert training_status(date(2025, 9, 3), TODAY, warn_days=0).state is TrainingState.EXPIRING


def test_no_expiry():
    status = training_status(None, TODAY)
    assert status.state is TrainingState.NO_EXPIRY
    assert status.expires is None
    assert not status.needs_attention


def test_negative_window_is_refused():
    with pytest.raises(ValueError):
        training_status(date(2025, 9, 3), TODAY, warn_days=-1)


# --- requirement_status ---------------------------------------------------------------


def test_no_record_is_missing():
    status = requirement_status(None, [], TODAY)
    assert status.state is TrainingState.MISSING
    assert status.needs_attention


def test_site_max_age_shorter_than_the_certificate():
    # Safeguarding completed 3 Sep 2024 (expires 3 Sep 2027); site wants it within
    # 12 months: effective expiry 3 Sep 2025, which is today.
    status = requirement_status(12, [(date(2024, 9, 3), date(2027, 9, 3))], TODAY)
    assert status.state is TrainingState.EXPIRING
    assert status.line == "expires today"
    assert status.expires == date(2025, 9, 3)
    assert status.limited_by_site
    assert status.completed == date(2024, 9, 3)


def test_site_max_age_passed_yesterday():
    status = requirement_status(12, [(date(2024, 9, 3), date(2027, 9, 3))], date(2025, 9, 4))
    assert status.state is TrainingState.EXPIRED
    assert status.line == "expired 1 day ago"


def test_prevent_within_24_months_with_no_certificate_expiry():
    # Prevent completed 1 Sep 2023, no own expiry; site: within 24 months -> 1 Sep 2025,
    # two days before today.
    status = requirement_status(24, [(date(2023, 9, 1), None)], TODAY)
    assert status.state is TrainingState.EXPIRED
    assert status.expires == date(2025, 9, 1)
    assert status.line == "expired 2 days ago"
    assert status.limited_by_site


def test_site_max_age_longer_than_the_certificate_does_not_extend_it():
    status = requirement_status(48, [(date(2024, 9, 3), date(2027, 9, 3))], TODAY)
    assert status.expires == date(2027, 9, 3)
    assert not status.limited_by_site
    assert status.line == "valid until 3 Sep 2027"


def test_best_record_is_the_latest_effective_expiry_in_any_order():
    old = (date(2020, 1, 1), date(2023, 1, 1))
    new = (date(2023, 6, 1), date(2026, 6, 1))
    for records in ([old, new], [new, old]):
        status = requirement_status(None, records, TODAY)
        assert status.expires == date(2026, 6, 1)
        assert status.completed == date(2023, 6, 1)
        assert status.state is TrainingState.OK


def test_best_record_is_judged_after_the_site_cap():
    # A: done 1 Jan 2025, expires 1 Jan 2028 -> with a 12-month cap, 1 Jan 2026.
    # B: done 1 Mar 2024, never expires     -> with a 12-month cap, 1 Mar 2025.
    a = (date(2025, 1, 1), date(2028, 1, 1))
    b = (date(2024, 3, 1), None)
    capped = requirement_status(12, [b, a], TODAY)
    assert capped.expires == date(2026, 1, 1)
    assert capped.completed == date(2025, 1, 1)
    # Without a cap, B never expires and wins.
    uncapped = requirement_status(None, [a, b], TODAY)
    assert uncapped.state is TrainingState.NO_EXPIRY
    assert uncapped.completed == date(2024, 3, 1)


def test_equal_expiry_prefers_the_more_recent_course():
    # Both valid until 1 Jan 2026 (an expiry overridden by hand on the older one); the
    # site will want to see the newer certificate.
    older = (date(2023, 1, 1), date(2026, 1, 1))
    newer = (date(2023, 6, 1), date(2026, 1, 1))
    for records in ([older, newer], [newer, older]):
        assert requirement_status(None, records, TODAY).completed == date(2023, 6, 1)


def test_a_course_dated_in_the_future_does_not_count_yet():
    status = requirement_status(None, [(date(2025, 9, 10), date(2028, 9, 10))], TODAY)
    assert status.state is TrainingState.MISSING


def test_no_cap_and_no_expiry():
    status = requirement_status(None, [(date(2024, 9, 3), None)], TODAY)
    assert status.state is TrainingState.NO_EXPIRY
    assert not status.limited_by_site


def test_requirement_warning_window_passes_through():
    # Effective expiry 26 Sep 2025 (23 days) with a 14-day window is OK, with 60 expiring.
    records = [(date(2024, 9, 26), date(2027, 9, 26))]
    assert requirement_status(12, records, TODAY, warn_days=14).state is TrainingState.OK
    assert requirement_status(12, records, TODAY, warn_days=60).line == "expiring in 23 days"


def test_max_age_must_be_positive():
    with pytest.raises(ValueError):
        requirement_status(0, [], TODAY)


def test_effective_expiry_directly():
    assert effective_expiry(date(2024, 2, 29), date(2027, 2, 28), 12) == (date(2025, 2, 28), True)
    assert effective_expiry(date(2024, 2, 29), date(2027, 2, 28), None) == (date(2027, 2, 28), False)
    assert effective_expiry(date(2024, 2, 29), None, None) == (None, False)


def test_requirement_status_is_the_best_record_by_effective_expiry():
    # requirement_status works effective_expiry() and _later() out inline (the
    # attention list asks it often): it must pick what they pick, record by record.
    import random
    from datetime import timedelta

    from sitecare.rules import validity

    def reference(max_age, records, today, warn_days):
        best = None
        for completed, expires in records:
            if completed > today:
                continue
            effective, by_site = validity.effective_expiry(completed, expires, max_age)
            candidate = (effective, by_site, completed)
            if best is None or validity._later(candidate, best):
                best = candidate
        if best is None:
            return validity.missing_status()
        effective, by_site, completed = best
        status = validity.training_status(effective, today, warn_days)
        return validity.TrainingStatus(status.state, status.expires, status.days_left, status.line, completed, by_site)

    rng = random.Random(3)
    for _ in range(3000):
        today = date(2026, 1, 1) + timedelta(days=rng.randint(-400, 400))
        records = []
        for _ in range(rng.randint(0, 6)):
            completed = date(2020, 1, 1) + timedelta(days=rng.randint(0, 2500))
            records.append((completed, rng.choice([None, completed + timedelta(days=rng.choice([365, 400, 1095]))])))
        if records and rng.random() < 0.3:
            records.append(records[0])
        max_age = rng.choice([None, 6, 12, 24, 36])
        warn = rng.choice([0, 30, 60])
        assert requirement_status(max_age, records, today, warn) == reference(max_age, records, today, warn)
