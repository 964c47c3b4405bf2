"""The rota behind the home screen's "Today" line (data/rota.py): which sites, in what
order, and whose DSL, at the edges of patterns and of contacts' dates. 24 Nov 2026 is a
Tuesday; 1 Dec 2026 the Tuesday after next."""

from __future__ import annotations

from datetime import date

from sitecare.data import contacts, rota, sites
from sitecare.data.models import Contact, Site, change

TUESDAY = date(2026, 11, 24)


def names(day: date) -> list[str]:
    return [visit.site_name for visit in rota.todays_visits(day)]


def test_sites_visited_by_name_whatever_the_case(open_vault):
    with change():
        Site.create(name="zebra House", visit_rule="FREQ=WEEKLY;BYDAY=TU", visit_start=date(2026, 9, 1))
        Site.create(name="Alder School", visit_rule="FREQ=WEEKLY;BYDAY=TU", visit_start=date(2026, 9, 1))
        Site.create(name="Beech Court", visit_rule="FREQ=WEEKLY;INTERVAL=2;BYDAY=TU", visit_start=date(2026, 11, 10))
        Site.create(name="Gone", visit_rule="FREQ=WEEKLY;BYDAY=TU", visit_start=date(2026, 9, 1), archived=True)
        Site.create(name="No Pattern")
        Site.create(name="Odd", visit_rule="FREQ=HOURLY;BYDAY=TU", visit_start=date(2026, 1, 1))
        Site.create(name="Starts Later", visit_rule="FREQ=WEEKLY;BYDAY=TU", visit_start=date(2026, 11, 25))
    assert names(TUESDAY) == ["Alder School", "Beech Court", "zebra House"]
    assert names(date(2026, 12, 1)) == ["Alder School", "Starts Later", "zebra House"]
    assert names(date(2026, 11, 25)) == []
    assert [s.name for s in sites.todays_visits(TUESDAY)] == names(TUESDAY)


def test_no_start_date_counts_from_when_the_site_was_added(open_vault):
    with change():
        Site.create(name="Fortnightly", visit_rule="FREQ=WEEKLY;INTERVAL=2;BYDAY=TU", visit_start=None,
                    created_on=date(2026, 11, 17))
    assert names(TUESDAY) == []
    assert names(date(2026, 12, 1)) == ["Fortnightly"]


def test_the_dsl_in_post_that_day_with_the_site_details(open_vault):
    with change():
        school = Site.create(name="Heron Way", kind="school", recording_system="CPOMS",
                             visit_rule="FREQ=WEEKLY;BYDAY=TU", visit_start=date(2026, 9, 1))
        Site.create(name="Private Rooms", kind="private_practice", visit_rule="FREQ=WEEKLY;BYDAY=TU",
                    visit_start=date(2026, 9, 1))
        # Left the day before; starts the day after; a deputy: none of them is the DSL today.
        Contact.create(site=school, role="dsl", name="Ann Before", phone="01", from_date=date(2026, 1, 1),
                       to_date=date(2026, 11, 23))
        Contact.create(site=school, role="dsl", name="Aaron Later", phone="02", from_date=date(2026, 11, 25))
        Contact.create(site=school, role="deputy_dsl", name="Aa Deputy", phone="03", from_date=date(2026, 1, 1))
        # In post today, to the day at both ends.
        Contact.create(site=school, role="dsl", name="Claire Ashdown", phone="07700 900123",
                       from_date=TUESDAY, to_date=TUESDAY)
    (heron, private) = rota.todays_visits(TUESDAY)
    assert heron == rota.Visit(school.id, "Heron Way", "school", "Claire Ashdown", "07700 900123", "CPOMS")
    assert (private.site_kind, private.dsl_name, private.dsl_phone, private.recording_system) == (
        "private_practice", "", "", "")
    dsl = contacts.current(school, "dsl", TUESDAY)
    assert (heron.dsl_name, heron.dsl_phone) == (dsl.name, dsl.phone)


def test_two_dsls_overlapping_the_first_by_name_then_the_first_recorded(open_vault):
    with change():
        school = Site.create(name="Heron Way", visit_rule="FREQ=WEEKLY;BYDAY=TU", visit_start=date(2026, 9, 1))
        Contact.create(site=school, role="dsl", name="Zoe", phone="1", from_date=date(2026, 1, 1))
        Contact.create(site=school, role="dsl", name="Bea", phone="2", from_date=date(2026, 1, 1))
        Contact.create(site=school, role="dsl", name="Bea", phone="3", from_date=date(2026, 1, 1))
    (visit,) = rota.todays_visits(TUESDAY)
    assert (visit.dsl_name, visit.dsl_phone) == ("Bea", "2")
    dsl = contacts.current(school, "dsl", TUESDAY)
    assert (visit.dsl_name, visit.dsl_phone) == (dsl.name, dsl.phone)
