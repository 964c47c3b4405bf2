"""The local authority directory and the national lines.

Shipped entries (reference/local_authorities.toml) carry the seed they come from and
the date it was verified; entries I add or edit carry what I type. Each site links to
one local authority, whose numbers the briefing and the concern procedure show.
"""

from __future__ import annotations

from dataclasses import dataclass, fields as dc_fields
from datetime import date

from .models import NATIONS, LocalAuthority, NationalContact, Site, change

NATION_NAMES = {"ENG": "England", "WLS": "Wales", "SCT": "Scotland", "NIR": "Northern Ireland"}

# The numbers an authority can hold, in the order they are shown, with their labels.
PHONE_FIELDS = {
    "children_phone": "Children's safeguarding",
    "children_out_of_hours_phone": "Children's out of hours",
    "adults_phone": "Adults' safeguarding",
    "adults_out_of_hours_phone": "Adults' out of hours",
    "lado_phone": "LADO",
    "mental_health_phone": "Mental health service",
}
EMAIL_FIELDS = {
    "children_email": "Children's safeguarding email",
    "adults_email": "Adults' safeguarding email",
    "lado_email": "LADO email",
}


class AuthorityError(ValueError):
    def __init__(self, message: str, field: str = ""):
        super().__init__(message)
        self.field = field


@dataclass
class AuthorityFields:
    """What the form (and a CSV row) can set; phones and emails already checked."""

    name: str
    nation: str = "ENG"
    children_phone: str = ""
    children_email: str = ""
    children_out_of_hours_phone: str = ""
    adults_phone: str = ""
    adults_email: str = ""
    adults_out_of_hours_phone: str = ""
    lado_phone: str = ""
    lado_email: str = ""
    mental_health_name: str = ""
    mental_health_phone: str = ""
    office_open: str = "09:00"
    office_close: str = "17:00"
    source: str = ""
    verified_on: date | None = None
    notes: str = ""

    @classmethod
    def names(cls) -> list[str]:
        return [f.name for f in dc_fields(cls)]

    @classmethod
    def of(cls, authority: LocalAuthority) -> "AuthorityFields":
        return cls(**{name: getattr(authority, name) for name in cls.names()})


def list_authorities() -> list[LocalAuthority]:
    return list(LocalAuthority.select().order_by(LocalAuthority.name))


def get_authority(authority_id: int) -> LocalAuthority | None:
    return LocalAuthority.get_or_none(LocalAuthority.id == authority_id)


def find_authority(name: str) -> LocalAuthority | None:
    """By name, ignoring case and spacing ("central  bedfordshire")."""
    wanted = " ".join((name or "").split()).casefold()
    if not wanted:
        return None
    for authority in LocalAuthority.select():
        if " ".join(authority.name.split()).casefold() == wanted:
            return authority
    return None


def _check_time(text: str, field: str) -> str:
    text = text.strip()
    parts = text.split(":")
    if len(parts) == 2 and all(p.isdigit() for p in parts):
        hh, mm = int(parts[0]), int(parts[1])
        if 0 <= hh <= 23 and 0 <= mm <= 59:
            return f"{hh:02d}:{mm:02d}"
    raise AuthorityError(f"“{text}” is not a time: type it as 09:00.", field)


def save_authority(values: AuthorityFields, authority: LocalAuthority | None = None, *,
                   today: date | None = None) -> LocalAuthority:
    """Create or update. With `today`, a "verified on" after it is refused: the check
    is due a year from that date, so a future one would hide the reminder for years."""
    name = " ".join(values.name.split())
    if not name:
        raise AuthorityError("Enter the local authority's name.", "name")
    twin = find_authority(name)
    if twin is not None and (authority is None or twin.id != authority.id):
        raise AuthorityError(f"{twin.name} is already in the directory.", "name")
    if values.nation not in NATIONS:
        raise AuthorityError("Choose England, Wales, Scotland or Northern Ireland.", "nation")
    office_open = _check_time(values.office_open or "09:00", "office_open")
    office_close = _check_time(values.office_close or "17:00", "office_close")
    if office_close <= office_open:
        raise AuthorityError("The office must close after it opens.", "office_close")
    if today is not None and values.verified_on is not None and values.verified_on > today:
        raise AuthorityError("The day they were checked cannot be after today.", "verified_on")
    data = {key: getattr(values, key) for key in AuthorityFields.names()}
    data.update(name=name, office_open=office_open, office_close=office_close)
    for key, value in data.items():
        if isinstance(value, str):
            data[key] = value.strip()
    with change():
        if authority is None:
            return LocalAuthority.create(**data)
        for key, value in data.items():
            setattr(authority, key, value)
        authority.save()
        return authority


def sites_in(authority: LocalAuthority | int) -> list[Site]:
    return list(Site.select().where(Site.local_authority == authority).order_by(Site.name))


def national_contacts() -> list[NationalContact]:
    return list(NationalContact.select().order_by(NationalContact.name))
