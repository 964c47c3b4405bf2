"""UK phone numbers and email addresses as people type them (seeds 000, 001, 003).

The seeds print their numbers in every style people use: "01234 276 693" (003, Bedford
LADO), "034 5045 5203" and "030 0123 4042" (000, mis-grouped 0345 and 0300 numbers),
"020 33734600" (000, Newham), "0800 028 0285" (003, NSPCC whistleblowing line),
"0303 123 1113" (001, ICO). A number is stored once in a canonical form (national digits
with the leading 0, or a short code such as 999) and grouped for reading only when
shown, so a number typed any way matches and dials the same.

Groupings follow Ofcom's usual presentation: 02x as 3-4-4 (020 3373 4600); 011x and
01x1 as 4-3-4 (0113 496 0000); other geographic 01 numbers as 5-6 (01234 276693);
03, 05, 08 and 09 as 4-3-4 (0300 123 4042); mobiles 07 as 5-6 (07700 900123).

Email checking is deliberately simple but real: it catches the typing mistakes that
would make a safeguarding email bounce (no @, two @, a space, no dot in the domain),
not every corner of RFC 5322.
"""

from __future__ import annotations

import re

__all__ = [
    "EmailError",
    "PhoneError",
    "SHORT_CODES",
    "check_email",
    "is_email",
    "is_phone",
    "normalise_phone",
    "show_phone",
]


class PhoneError(ValueError):
    """A typed phone number that is not a UK number; the message fits beside the field."""


class EmailError(ValueError):
    """A typed email address that cannot be right; the message fits beside the field."""


# Short codes a safeguarding practitioner may need to record: emergency (999, 112),
# NHS non-emergency (111), police non-emergency (101), power cut (105). 116 xxx are the
# harmonised European helplines (116 123 Samaritans, 116 000 missing children).
SHORT_CODES = frozenset({"999", "112", "111", "101", "105"})
_HARMONISED = re.compile(r"^116\d{3}$")

# What a person may type between digits: spaces, hyphens, dots, slashes and brackets
# around an area code. Anything else (letters, "ext", "#") is refused, not dropped:
# silently dropping an extension would store a number that reaches the wrong desk.
_ALLOWED = re.compile(r"^[0-9+()\-./\s]+$")

# 011x (Leeds, Sheffield, Nottingham, Leicester, Bristol, Reading) and 01x1
# (Birmingham, Edinburgh, Glasgow, Liverpool, Manchester, Tyneside) have 3-digit
# area codes after the 01 and 7-digit local numbers.
_FOUR_THREE_FOUR_GEOGRAPHIC = re.compile(r"^01(1\d|\d1)")

# The 01 area codes where some numbers are ten digits long (Ofcom's numbering plan:
# the "mixed" areas with 5-digit local numbers alongside 6-digit ones, and Brampton's
# 016977 with 4-digit locals, inside 01697).
_TEN_DIGIT_AREAS = frozenset(
    {
        "01204", "01254", "01276", "01297", "01298", "01363", "01364", "01384", "01386",
        "01404", "01420", "01460", "01461", "01480", "01488", "01524", "01527", "01562",
        "01566", "01606", "01629", "01635", "01647", "01659", "01695", "01697", "01726",
        "01744", "01750", "01768", "01827", "01837", "01843", "01900", "01905", "01935",
        "01946", "01949", "01963", "01995",
    }
)

# 0800 1111 (Childline) is the one 8-digit number a safeguarding user is likely to need.
_SPECIAL_SHORT_NATIONAL = frozenset({"08001111"})


def _international_to_national(digits: str, raw: str) -> str:
    """Turn +44/0044 forms into the national form with its leading 0."""
    if digits.startswith("44"):
        rest = digits[2:]
        # "+44 (0)1234 276693" is common: the (0) is the trunk prefix and must go.
        if rest.startswith("0"):
            rest = rest[1:]
        if not rest:
            raise PhoneError(f"“{raw}” has no number after the +44.")
        return "0" + rest
    raise PhoneError(
        f"“{raw}” is not a UK number: sitecare keeps UK numbers, which start 0 or +44."
    )


def normalise_phone(text: str) -> str:
    """The canonical form of a UK number: "01234276693", or a short code such as "999".

    Raises PhoneError with a one-sentence message for anything else.
    """
    raw = (text or "").strip()
    if not raw:
        raise PhoneError("Enter a phone number, for example 01234 276693.")
    if not _ALLOWED.match(raw):
        raise PhoneError(
            f"“{raw}” is not a phone number: use only digits and spaces, for example "
            "01234 276693."
        )
    if "+" in raw[1:] or raw.count("+") > 1:
        raise PhoneError(f"“{raw}” has a + in the wrong place: only a leading +44 is allowed.")
    digits = re.sub(r"\D", "", raw)
    if not digits:
        raise PhoneError(f"“{raw}” has no digits, for example 01234 276693.")

    if raw.startswith("+"):
        national = _international_to_national(digits, raw)
    elif digits.startswith("00"):
        national = _international_to_national(digits[2:], raw)
    elif digits in SHORT_CODES or _HARMONISED.match(digits):
        return digits
    else:
        national = digits

    if not national.startswith("0"):
        raise PhoneError(
            f"“{raw}” should start with 0 or +44 (or be a short code such as 999), "
            "for example 01234 276693."
        )
    if national[1] in "46":
        # 04 and 06 are not allocated to any service in the UK numbering plan.
        raise PhoneError(f"“{raw}” is not a UK number: no UK number starts {national[:2]}.")
    if national in _SPECIAL_SHORT_NATIONAL:
        return national
    if len(national) == 11:
        return national
    # Ten-digit national numbers exist only in the few "mixed" 01 areas that still have
    # some 5-digit local numbers (and 016977's 4-digit ones), and on older 0800
    # freephone lines (0800 123456). Anywhere else ten digits is a digit left out,
    # and a LADO number missing a digit must not be saved as if it were fine.
    if len(national) == 10 and (
        national[:5] in _TEN_DIGIT_AREAS or national.startswith("0800")
    ):
        return national
    if len(national) < 11:
        raise PhoneError(
            f"“{raw}” has too few digits for a UK number: it needs 11, for example "
            "01234 276693."
        )
    raise PhoneError(
        f"“{raw}” has too many digits for a UK number: it needs 11, for example "
        "01234 276693."
    )


def is_phone(text: str) -> bool:
    try:
        normalise_phone(text)
    except PhoneError:
        return False
    return True


def show_phone(number: str) -> str:
    """Group a number for reading: "01234 276693", "020 3373 4600", "0800 028 0285".

    Takes the canonical form (anything normalise_phone accepts works too, so showing
    never depends on how the number was stored).
    """
    n = normalise_phone(number)
    if n in SHORT_CODES:
        return n
    if _HARMONISED.match(n):
        return f"{n[:3]} {n[3:]}"
    if len(n) == 8:  # 0800 1111
        return f"{n[:4]} {n[4:]}"
    if len(n) == 10:
        if n.startswith("0800"):
            return f"{n[:4]} {n[4:7]} {n[7:]}"
        if n.startswith("016977"):
            return f"{n[:6]} {n[6:]}"
        return f"{n[:5]} {n[5:]}"
    if n.startswith("02"):
        return f"{n[:3]} {n[3:7]} {n[7:]}"
    if n.startswith("01"):
        if _FOUR_THREE_FOUR_GEOGRAPHIC.match(n):
            return f"{n[:4]} {n[4:7]} {n[7:]}"
        return f"{n[:5]} {n[5:]}"
    if n.startswith("07"):
        return f"{n[:5]} {n[5:]}"
    # 03, 05, 08, 09: non-geographic, read as 4-3-4.
    return f"{n[:4]} {n[4:7]} {n[7:]}"


# One @; a local part and a domain with no spaces; the domain has at least one dot
# with something either side of every dot (no "x@y.", "x@.y", "x@y..uk").
_LOCAL = re.compile(r"^[^\s@]+$")
_DOMAIN_LABEL = re.compile(r"^[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?$")


def check_email(text: str) -> str:
    """The address, trimmed and with the domain in lower case; EmailError if it cannot be right."""
    raw = (text or "").strip()
    if not raw:
        raise EmailError("Enter an email address, for example dsl@school.example.")
    if any(ch.isspace() for ch in raw):
        raise EmailError(f"“{raw}” has a space in it: an email address has none.")
    if raw.count("@") != 1:
        raise EmailError(
            f"“{raw}” needs exactly one @, for example dsl@school.example."
        )
    local, domain = raw.split("@")
    if not local or not _LOCAL.match(local):
        raise EmailError(f"“{raw}” needs a name before the @, for example dsl@school.example.")
    if local.startswith(".") or local.endswith(".") or ".." in local:
        raise EmailError(f"“{raw}” has a misplaced dot before the @.")
    labels = domain.split(".")
    if len(labels) < 2:
        raise EmailError(
            f"“{raw}” needs a full domain after the @, for example dsl@school.example."
        )
    if not all(_DOMAIN_LABEL.match(label) for label in labels):
        raise EmailError(f"“{raw}” has a domain that cannot be right: check the part after the @.")
    if labels[-1].isdigit():
        raise EmailError(f"“{raw}” has a domain that cannot be right: check the part after the @.")
    return f"{local}@{domain.lower()}"


def is_email(text: str) -> bool:
    try:
        check_email(text)
    except EmailError:
        return False
    return True
