"""A site's people, with their history.

A contact holds a role from `from_date` to `to_date` (inclusive; open-ended while
current). Replacing someone ends the old contact the day before the new one starts,
so a concern from last June resolves to last June's DSL (seed 003: know who the
designated lead is in each establishment).
"""

from __future__ import annotations

from datetime import date, timedelta

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
    with change():
        if role in SINGLE_HOLDER_ROLES:
            for previous in contacts_on(site, from_date, role):
                if previous.from_date >= from_date:
                    raise ValueError(
                        f"{previous.name} is recorded as {ROLE_NAMES[role]} from "
                        f"{previous.from_date:%d/%m/%Y}; the new one must start after that."
                    )
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
