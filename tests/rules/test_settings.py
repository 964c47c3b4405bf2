"""What may be typed for each setting (rules/settings.py), at the edges of each range."""

import pytest

from sitecare.rules.settings import (
    SettingError,
    check_setting,
    idle_lock_minutes,
    practitioner_name,
    warn_days,
)

# --- the idle lock: 1 to 120 minutes --------------------------------------------------


@pytest.mark.parametrize(("typed", "minutes"), [("1", 1), ("120", 120), (" 15 ", 15), ("010", 10), ("+5", 5)])
def test_idle_lock_within_its_range(typed, minutes):
    assert idle_lock_minutes(typed) == minutes


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("0", "0 is out of range: type a whole number of minutes from 1 to 120."),
        ("121", "121 is out of range: type a whole number of minutes from 1 to 120."),
        ("-5", "-5 is out of range: type a whole number of minutes from 1 to 120."),
        ("", "Type a number of minutes from 1 to 120."),
        ("   ", "Type a number of minutes from 1 to 120."),
        ("ten", "“ten” is not a whole number of minutes: type one from 1 to 120."),
        ("2.5", "“2.5” is not a whole number of minutes: type one from 1 to 120."),
        ("1e2", "“1e2” is not a whole number of minutes: type one from 1 to 120."),
        ("1 0", "“1 0” is not a whole number of minutes: type one from 1 to 120."),
        ("١٠", "“١٠” is not a whole number of minutes: type one from 1 to 120."),  # not digits one types here
        ("²", "“²” is not a whole number of minutes: type one from 1 to 120."),
    ],
)
def test_idle_lock_refused_with_one_sentence(typed, message):
    with pytest.raises(SettingError) as raised:
        idle_lock_minutes(typed)
    assert str(raised.value) == message


# --- the warning windows: 0 to 365 days -------------------------------------------------


@pytest.mark.parametrize(("typed", "days"), [("0", 0), ("365", 365), ("30", 30), ("00", 0)])
def test_warning_window_within_its_range(typed, days):
    assert warn_days(typed) == days


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("366", "366 is out of range: type a whole number of days from 0 to 365."),
        ("-1", "-1 is out of range: type a whole number of days from 0 to 365."),
        ("", "Type a number of days from 0 to 365."),
        ("a month", "“a month” is not a whole number of days: type one from 0 to 365."),
    ],
)
def test_warning_window_refused_with_one_sentence(typed, message):
    with pytest.raises(SettingError) as raised:
        warn_days(typed)
    assert str(raised.value) == message


# --- the practitioner's name: trimmed, at most 80 characters -----------------------------


@pytest.mark.parametrize(
    ("typed", "name"),
    [
        ("  Alex   Morgan ", "Alex Morgan"),
        ("", ""),
        ("    ", ""),
        ("Siân O’Connor-Brennan", "Siân O’Connor-Brennan"),
        ("A" * 80, "A" * 80),
        ("  " + "A" * 80 + "  ", "A" * 80),  # the spaces around do not count
    ],
)
def test_a_name_is_trimmed(typed, name):
    assert practitioner_name(typed) == name


def test_a_name_longer_than_80_characters_is_refused():
    with pytest.raises(SettingError) as raised:
        practitioner_name("A" * 81)
    assert str(raised.value) == "The name is 81 characters long: shorten it to 80 at most."


def test_a_name_with_a_control_character_is_refused():
    with pytest.raises(SettingError, match="cannot be shown"):
        practitioner_name("Alex\x1b[31mMorgan")


def test_each_setting_has_its_check():
    assert check_setting("idle_lock_minutes", "5") == 5
    assert check_setting("warn_days_training", "0") == 0
    assert check_setting("warn_days_other", "365") == 365
    assert check_setting("practitioner_name", " Alex ") == "Alex"
    with pytest.raises(SettingError):
        check_setting("warn_days_other", "366")
    with pytest.raises(KeyError):
        check_setting("colour", "blue")
