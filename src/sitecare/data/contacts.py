"""A site's people, with their history.

A contact holds a role from `from_date` to `to_date` (inclusive; open-ended while
current). Replacing someone ends the old contact the day before the new one starts,
so a concern from last June resolves to last June's DSL (seed 003: know who the
designated lead is in each establishment).
"""

from __future__ import annotations

from datetime import date, timedelta

from ..rules.dates import show_date
from .models import Contact, Site, change

# Roles a site has one of at a time; deputies (and "other") can be several at once.
SINGLE_HOLDER_ROLES = ("dsl", "head", "chair_of_governors", "manager")

ROLE_NAMES = {
    "dsl": "Designated Safeguarding Lead",
    "deputy_dsl": "Deputy DSL",
    "head": "Head",
    "chair_of_governors": "Chair of governors",
    "manager": "Manager",
    "other": "Other",
}


def contacts_on(site: Site | int, day: date, role: str | None = None) -> list[Contact]:
    """The site's contacts in post on `day`, DSL first, then by role and name."""
    query = Contact.select().where(
        (Contact.site == site)
        & (Contact.from_date <= day)
        & ((Contact.to_date.is_null()) | (Contact.to_date >= day))
    )
    if role is not None:
        query = query.where(Contact.role == role)
    order = {r: i for i, r in enumerate(ROLE_NAMES)}
    return sorted(query, key=lambda c: (order.get(c.role, 99), c.name))


def contacts_on_everywhere(day: date):
    """Every site's contacts in post on `day`, as one query (for lists over all sites)."""
    return Contact.select().where(
        (Contact.from_date <= day) & ((Contact.to_date.is_null()) | (Contact.to_date >= day))
    ).order_by(Contact.site, Contact.role, Contact.name)


def current(site: Site | int, role: str, today: date) -> Contact | None:
    found = contacts_on(site, today, role)
    return found[0] if found else None


def history(site: Site | int, role: str | None = None) -> list[Contact]:
    """Everyone who has held a role at the site, newest first."""
    query = Contact.select().where(Contact.site == site)
    if role is not None:
        query = query.where(Contact.role == role)
    return list(query.order_by(Contact.from_date.desc(), Contact.id.desc()))


def add_contact(site: Site | int, role: str, name: str, from_date: date, **details) -> Contact:
    """Start a contact; for single-holder roles the current holder's dates are ended
    the day before, so there is never a day with two DSLs or none recorded by mistake."""
    if role not in ROLE_NAMES:
        raise ValueError(f"unknown role {role!r}")
    name = " ".join((name or "").split())
    if not name:
        raise ValueError("Enter the person's name.")
    with change():
        if role in SINGLE_HOLDER_ROLES:
            # Someone recorded as starting on or after this date (a new DSL entered ahead
            # of time) would overlap an open-ended new holder: refuse rather than guess.
            later = (
                Contact.select()
                .where((Contact.site == site) & (Contact.role == role) & (Contact.from_date >= from_date))
                .order_by(Contact.from_date)
                .first()
            )
            if later is not None:
                raise ValueError(
                    f"{later.name} is recorded as {ROLE_NAMES[role]} from "
                    f"{show_date(later.from_date)}; the new one must start after that."
                )
            for previous in contacts_on(site, from_date, role):
                previous.to_date = from_date - timedelta(days=1)
                previous.save()
        return Contact.create(site=site, role=role, name=name, from_date=from_date, **details)


def end_contact(contact: Contact, last_day: date) -> None:
    if last_day < contact.from_date:
        raise ValueError("A contact cannot end before it starts.")
    with change():
        contact.to_date = last_day
        contact.save()


def confirm_details(contact: Contact, today: date) -> None:
    """The practitioner checked this person's details with the site today."""
    with change():
        contact.confirmed_on = today
        contact.save()


def update_details(contact: Contact, **details) -> Contact:
    """Correct a contact's details (a mistyped number, a new room) without starting a new
    period: who held the role, and when, stays as it was."""
    allowed = {"name", "phone", "email", "where_to_find", "notes", "from_date", "to_date"}
    unknown = set(details) - allowed
    if unknown:
        raise ValueError(f"unknown contact details: {', '.join(sorted(unknown))}")
    if "name" in details and not " ".join(str(details["name"]).split()):
        raise ValueError("Enter the person's name.")
    start = details.get("from_date", contact.from_date)
    end = details.get("to_date", contact.to_date)
    if end is not None and end < start:
        raise ValueError("A contact cannot end before it starts.")
    with change():
        for key, value in details.items():
            setattr(contact, key, " ".join(value.split()) if key == "name" else value)
        contact.save()
    return contact


def past_contacts(site: Site | int, today: date) -> list[Contact]:
    """Everyone who no longer holds a role here, most recently ended first."""
    query = Contact.select().where((Contact.site == site) & (Contact.to_date < today))
    return list(query.order_by(Contact.to_date.desc(), Contact.id.desc()))


def find_contact(site: Site | int, role: str, name: str, from_date: date | None = None) -> Contact | None:
    """The contact with this role and name at the site (case and spacing ignored): the
    one starting on `from_date` if given and there is one, else the latest."""
    wanted = " ".join(name.split()).casefold()
    matches = [
        c for c in history(site, role) if " ".join(c.name.split()).casefold() == wanted
    ]
    if from_date is not None:
        exact = [c for c in matches if c.from_date == from_date]
        if exact:
            return exact[0]
    return matches[0] if matches else None


def role_name(role: str) -> str:
    return ROLE_NAMES.get(role, role.replace("_", " ").capitalize())


def replace_contact(old: Contact, name: str, from_date: date, **details) -> Contact:
    """Someone new takes over `old`'s role from `from_date`; `old`'s time ends the day
    before. One change: both happen or neither."""
    if from_date <= old.from_date:
        raise ValueError(
            f"{old.name} is recorded as {ROLE_NAMES.get(old.role, old.role)} from "
            f"{show_date(old.from_date)}; the new one must start after that."
        )
    with change():
        if old.to_date is None or old.to_date >= from_date:
            old.to_date = from_date - timedelta(days=1)
            old.save()
        return add_contact(old.site_id, old.role, name, from_date, **details)
