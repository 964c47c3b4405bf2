"""UK phone numbers as typed (seed numbers among them) and email addresses."""

import pytest

from sitecare.rules.phones import (
    EmailError,
    PhoneError,
    check_email,
    is_email,
    is_phone,
    normalise_phone,
    show_phone,
)

# --- normalise: many ways of typing one number -------------------------------------


@pytest.mark.parametrize(
    "typed",
    [
        "01234 276693",
        "01234 276 693",  # seed 003, Bedford Borough LADO, as printed
        "01234276693",
        "+44 1234 276693",
        "+441234276693",
        "0044 1234 276693",
        "+44 (0)1234 276693",
        "+44 (0) 1234 276693",
        "(01234) 276693",
        "01234-276-693",
        "01234.276.693",
        " 01234 276693 ",
    ],
)
def test_every_typed_form_of_the_bedford_lado_number(typed):
    assert normalise_phone(typed) == "01234276693"


@pytest.mark.parametrize(
    ("typed", "canonical"),
    [
        ("0800 028 0285", "08000280285"),  # seed 003, NSPCC whistleblowing
        ("034 5045 5203", "03450455203"),  # seed 000, Cambridgeshire children, typed oddly
        ("030 0123 4042", "03001234042"),  # seed 000, Hertfordshire adults, typed oddly
        ("020 33734600", "02033734600"),  # seed 000, Newham
        ("0303 123 1113", "03031231113"),  # seed 001, ICO
        ("01733 234724", "01733234724"),  # seed 000, out of hours
        ("07700 900123", "07700900123"),  # Ofcom drama mobile
        ("+44 7700 900123", "07700900123"),
        ("0113 496 0000", "01134960000"),
    ],
)
def test_seed_and_drama_numbers(typed, canonical):
    assert normalise_phone(typed) == canonical


@pytest.mark.parametrize("code", ["999", "111", "101", "112", "105"])
def test_short_codes_are_kept_as_they_are(code):
    assert normalise_phone(code) == code
    assert show_phone(code) == code


def test_harmonised_european_helplines():
    assert normalise_phone("116 123") == "116123"
    assert show_phone("116123") == "116 123"


def test_childline_eight_digit_freephone():
    assert normalise_phone("0800 1111") == "08001111"
    assert show_phone("08001111") == "0800 1111"


def test_ten_digit_numbers_in_the_few_areas_that_have_them():
    # 016977 (Brampton) has 4-digit local numbers; some 01xxx areas 5-digit ones.
    assert normalise_phone("016977 2345") == "0169772345"
    assert normalise_phone("01204 12345") == "0120412345"
    assert normalise_phone("0800 123456") == "0800123456"


def test_ten_digits_in_a_big_city_code_is_a_digit_missing():
    # 0113 (Leeds) always has 7-digit local numbers.
    with pytest.raises(PhoneError, match="too few digits"):
        normalise_phone("0113 496 000")


# --- junk ----------------------------------------------------------------------


@pytest.mark.parametrize("typed", ["", "   ", None])
def test_empty_asks_for_a_number(typed):
    with pytest.raises(PhoneError, match="Enter a phone number"):
        normalise_phone(typed)


@pytest.mark.parametrize("typed", ["abc", "01234 27669O", "call the office", "01234 276693 ext 12", "01234#276693"])
def test_letters_and_symbols_are_refused(typed):
    with pytest.raises(PhoneError, match="is not a phone number"):
        normalise_phone(typed)


@pytest.mark.parametrize("typed", ["01234", "01234 27669", "0808 028 028", "0345 045 520", "07700 90012", "020 3373 460"])
def test_too_few_digits(typed):
    with pytest.raises(PhoneError, match="too few digits"):
        normalise_phone(typed)


@pytest.mark.parametrize("typed", ["012345 276693", "01234 2766931", "+44 1234 2766931"])
def test_too_many_digits(typed):
    with pytest.raises(PhoneError, match="too many digits"):
        normalise_phone(typed)


@pytest.mark.parametrize("typed", ["+33 1 23 45 67 89", "0033 1 23 45 67 89", "+1 202 555 0143", "+353 1 234 5678"])
def test_non_uk_country_codes_are_refused(typed):
    with pytest.raises(PhoneError, match="not a UK number"):
        normalise_phone(typed)


def test_plus_44_with_nothing_after_it():
    with pytest.raises(PhoneError, match="no number after"):
        normalise_phone("+44")


def test_a_plus_in_the_middle():
    with pytest.raises(PhoneError, match="wrong place"):
        normalise_phone("01234 +276693")


def test_no_leading_zero():
    with pytest.raises(PhoneError, match="should start with 0"):
        normalise_phone("1234 276693")


def test_unallocated_04_and_06_ranges():
    with pytest.raises(PhoneError, match="starts 04"):
        normalise_phone("04123 456789")
    with pytest.raises(PhoneError, match="starts 06"):
        normalise_phone("06123 456789")


def test_messages_are_one_sentence_naming_the_input():
    with pytest.raises(PhoneError) as info:
        normalise_phone("01234")
    message = str(info.value)
    assert "01234" in message
    assert message.endswith(".")
    assert message.count(". ") == 0


def test_phone_error_is_a_value_error():
    assert issubclass(PhoneError, ValueError)


def test_is_phone():
    assert is_phone("0800 028 0285")
    assert is_phone("999")
    assert not is_phone("hello")
    assert not is_phone("")


# --- show: Ofcom's groupings -------------------------------------------------------


@pytest.mark.parametrize(
    ("canonical", "shown"),
    [
        ("01234276693", "01234 276693"),  # 01xxx: 5-6
        ("01733234724", "01733 234724"),
        ("02033734600", "020 3373 4600"),  # 02x: 3-4-4
        ("02920123456", "029 2012 3456"),
        ("08000280285", "0800 028 0285"),  # 08: 4-3-4
        ("03450455203", "0345 045 5203"),  # 03: 4-3-4
        ("03001234042", "0300 123 4042"),
        ("07700900123", "07700 900123"),  # 07: 5-6
        ("01134960000", "0113 496 0000"),  # 011x: 4-3-4
        ("01214960000", "0121 496 0000"),  # 01x1: 4-3-4
        ("01914960000", "0191 496 0000"),
        ("09098790000", "0909 879 0000"),  # 09: 4-3-4
        ("0169772345", "016977 2345"),
        ("0120412345", "01204 12345"),
        ("0800123456", "0800 123 456"),
    ],
)
def test_show_phone_groups(canonical, shown):
    assert show_phone(canonical) == shown


def test_show_phone_accepts_a_number_as_typed():
    assert show_phone("034 5045 5203") == "0345 045 5203"
    assert show_phone("+44 20 3373 4600") == "020 3373 4600"


def test_show_phone_refuses_junk():
    with pytest.raises(PhoneError):
        show_phone("not a number")


# --- email -----------------------------------------------------------------------


@pytest.mark.parametrize(
    "typed",
    [
        "help@nspcc.org.uk",  # seed 003
        "Lado@bedford.gov.uk",  # seed 003
        "LADO@centralbedfordshire.gov.uk",
        "info@cambridgearttherapy.co.uk",  # seed 001
        "first.last+tag@school.example",
        "a@b.co",
    ],
)
def test_real_addresses_pass(typed):
    assert is_email(typed)


def test_check_email_trims_and_lowercases_only_the_domain():
    assert check_email("  Lado@Bedford.GOV.uk ") == "Lado@bedford.gov.uk"


@pytest.mark.parametrize(
    ("typed", "why"),
    [
        ("", "Enter an email"),
        ("help.nspcc.org.uk", "exactly one @"),
        ("help@@nspcc.org.uk", "exactly one @"),
        ("a@b@nspcc.org.uk", "exactly one @"),
        ("help @nspcc.org.uk", "space"),
        ("help@nspcc .org.uk", "space"),
        ("@nspcc.org.uk", "name before the @"),
        ("help@nspcc", "full domain"),
        ("help@", "full domain"),
        ("help@nspcc.", "domain that cannot be right"),
        ("help@.nspcc.org", "domain that cannot be right"),
        ("help@nspcc..org", "domain that cannot be right"),
        ("help@-nspcc.org", "domain that cannot be right"),
        ("help@nspcc.123", "domain that cannot be right"),
        (".help@nspcc.org", "misplaced dot"),
        ("he..lp@nspcc.org", "misplaced dot"),
    ],
)
def test_bad_addresses_are_refused_with_a_reason(typed, why):
    with pytest.raises(EmailError, match=why):
        check_email(typed)
    assert not is_email(typed)


def test_email_error_is_a_value_error():
    assert issubclass(EmailError, ValueError)
