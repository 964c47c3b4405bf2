"""Contacts with history: a concern from last June names last June's DSL."""

from __future__ import annotations

from datetime import date

import pytest

from sitecare.data import contacts
from sitecare.data.models import Site, change


@pytest.fixture
def school(open_vault):
    with change():
        return Site.create(name="Riverside Primary")


def test_replacing_the_dsl_ends_the_old_one_the_day_before(school):
    old = contacts.add_contact(school, "dsl", "Ann Old", date(2025, 9, 1), phone="01632 960001")
    contacts.add_contact(school, "dsl", "Ben New", date(2026, 1, 5), phone="01632 960002")
    old = type(old).get_by_id(old.id)
    assert old.to_date == date(2026, 1, 4)
    # Across the change: 4 Jan is Ann's last day, 5 Jan is Ben's first.
    assert [c.name for c in contacts.contacts_on(school, date(2026, 1, 4), "dsl")] == ["Ann Old"]
    assert [c.name for c in contacts.contacts_on(school, date(2026, 1, 5), "dsl")] == ["Ben New"]
    assert contacts.current(school, "dsl", date(2025, 6, 1)) is None  # before anyone
    assert [c.name for c in contacts.history(school, "dsl")] == ["Ben New", "Ann Old"]


def test_several_deputies_at_once(school):
    contacts.add_contact(school, "deputy_dsl", "Cat One", date(2025, 9, 1))
    contacts.add_contact(school, "deputy_dsl", "Dan Two", date(2025, 9, 1))
    on_day = contacts.contacts_on(school, date(2025, 10, 1), "deputy_dsl")
    assert sorted(c.name for c in on_day) == ["Cat One", "Dan Two"]
    assert all(c.to_date is None for c in on_day)


def test_a_replacement_cannot_predate_the_current_holder(school):
    contacts.add_contact(school, "dsl", "Ann Old", date(2026, 1, 5))
    with pytest.raises(ValueError, match="must start after"):
        contacts.add_contact(school, "dsl", "Too Early", date(2026, 1, 5))


def test_dsl_is_listed_first(school):
    contacts.add_contact(school, "head", "Aaron Head", date(2025, 9, 1))
    contacts.add_contact(school, "dsl", "Zoe Lead", date(2025, 9, 1))
    assert [c.role for c in contacts.contacts_on(school, date(2025, 9, 2))] == ["dsl", "head"]


def test_confirm_details_stamps_the_date(school):
    contact = contacts.add_contact(school, "dsl", "Ann", date(2025, 9, 1))
    contacts.confirm_details(contact, date(2026, 9, 14))
    assert type(contact).get_by_id(contact.id).confirmed_on == date(2026, 9, 14)
