"""Sites' data layer: policy status from the rows (31 Aug vs 1 Sep, review today and
yesterday), requirements against my training, visits, the briefing's concerns, and
contacts as they were on a date. Expected values are worked out by hand."""

from __future__ import annotations

from datetime import date, datetime

import pytest

from sitecare.data import contacts, sites
from sitecare.data.models import Action, Concern, Policy, Requirement, Site, TrainingKind, TrainingRecord, change
from sitecare.rules.policy import PolicyState, ResignReason
from sitecare.rules.validity import TrainingState


@pytest.fixture
def school(open_vault):
    with change():
        return Site.create(name="Riverside Primary", kind="school")


@pytest.fixture
def care_home(open_vault):
    with change():
        return Site.create(name="Elm Court", kind="care_home")


def kind(code: str) -> TrainingKind:
    return TrainingKind.get(TrainingKind.code == code)


# -- policy status, from the site's rows ---------------------------------------------------


def test_no_policy_then_recorded_then_signed(school):
    today = date(2026, 11, 22)
    assert sites.site_policy_status(school, today).state is PolicyState.NO_POLICY
    policy = sites.record_policy(school, title="Safeguarding policy", version="2026-27", dated=date(2026, 8, 20),
                                 review_due=date(2027, 9, 30), today=today)
    assert sites.site_policy_status(school, today).state is PolicyState.NEVER_SIGNED
    sites.sign_policy(policy, date(2026, 9, 3), "signed the paper copy", today)
    status = sites.site_policy_status(school, today)
    assert status.state is PolicyState.SIGNED_CURRENT
    assert status.due == date(2027, 9, 1)


def test_school_signed_31_august_is_due_on_1_september(school):
    policy = sites.record_policy(school, title="P", version="1", dated=None, review_due=None, today=date(2026, 8, 1))
    sites.sign_policy(policy, date(2026, 8, 31), "paper", date(2026, 8, 31))
    assert sites.site_policy_status(school, date(2026, 8, 31)).state is PolicyState.SIGNED_CURRENT
    on_first = sites.site_policy_status(school, date(2026, 9, 1))
    assert on_first.state is PolicyState.RESIGN_DUE
    assert on_first.reasons == (ResignReason.NEW_ACADEMIC_YEAR,)


def test_school_signed_1_september_lasts_the_whole_year(school):
    policy = sites.record_policy(school, title="P", version="1", dated=None, review_due=None, today=date(2026, 9, 1))
    sites.sign_policy(policy, date(2026, 9, 1), "paper", date(2026, 9, 1))
    assert sites.site_policy_status(school, date(2027, 8, 31)).state is PolicyState.SIGNED_CURRENT
    assert sites.site_policy_status(school, date(2027, 9, 1)).state is PolicyState.RESIGN_DUE


def test_review_date_today_is_not_passed_yesterday_is(care_home):
    policy = sites.record_policy(care_home, title="P", version="v1", dated=date(2026, 1, 1),
                                 review_due=date(2026, 6, 30), today=date(2026, 1, 2))
    sites.sign_policy(policy, date(2026, 1, 5), "log", date(2026, 1, 5))
    assert sites.site_policy_status(care_home, date(2026, 6, 30)).state is PolicyState.SIGNED_CURRENT
    day_after = sites.site_policy_status(care_home, date(2026, 7, 1))
    assert day_after.state is PolicyState.RESIGN_DUE
    assert day_after.reasons == (ResignReason.REVIEW_PASSED,)


def test_a_newer_version_recorded_needs_a_new_signature(care_home):
    old = sites.record_policy(care_home, title="P", version="v1", dated=date(2025, 1, 1), review_due=None,
                              today=date(2025, 1, 2))
    sites.sign_policy(old, date(2025, 1, 10), "log", date(2025, 1, 10))
    sites.record_policy(care_home, title="P", version="v2", dated=date(2025, 6, 1), review_due=None,
                        today=date(2025, 6, 2))
    status = sites.site_policy_status(care_home, date(2025, 6, 2))
    assert status.state is PolicyState.RESIGN_DUE
    assert ResignReason.NEWER_VERSION in status.reasons


def test_the_sites_own_interval(care_home):
    with change():
        care_home.resign_interval_months = 6
        care_home.save()
    policy = sites.record_policy(care_home, title="P", version="v1", dated=None, review_due=None, today=date(2026, 1, 1))
    sites.sign_policy(policy, date(2026, 1, 15), "log", date(2026, 1, 15))
    assert sites.site_policy_status(care_home, date(2026, 7, 14)).state is PolicyState.SIGNED_CURRENT
    assert sites.site_policy_status(care_home, date(2026, 7, 15)).state is PolicyState.RESIGN_DUE


def test_signing_again_keeps_the_earlier_signature(school):
    policy = sites.record_policy(school, title="P", version="v1", dated=None, review_due=None, today=date(2025, 9, 1))
    sites.sign_policy(policy, date(2025, 9, 2), "paper", date(2025, 9, 2))
    again = sites.sign_policy(Policy.get_by_id(policy.id), date(2026, 9, 3), "online", date(2026, 9, 3))
    assert again.id != policy.id
    signed = sorted(p.signed_on for p in Policy.select().where(Policy.site == school))
    assert signed == [date(2025, 9, 2), date(2026, 9, 3)]
    assert sites.site_policy_status(school, date(2026, 9, 4)).state is PolicyState.SIGNED_CURRENT


def test_signing_needs_how_and_cannot_be_in_the_future(school):
    policy = sites.record_policy(school, title="P", version="v1", dated=None, review_due=None, today=date(2026, 1, 1))
    with pytest.raises(sites.SiteError, match="how it was signed") as how:
        sites.sign_policy(policy, date(2026, 1, 1), "  ", date(2026, 1, 1))
    assert how.value.field == "how"
    with pytest.raises(sites.SiteError, match="future"):
        sites.sign_policy(policy, date(2026, 1, 2), "paper", date(2026, 1, 1))
    assert Policy.get_by_id(policy.id).signed_on is None


def test_review_before_dated_is_refused(school):
    with pytest.raises(sites.SiteError) as caught:
        sites.record_policy(school, title="P", version="v1", dated=date(2026, 9, 1), review_due=date(2026, 8, 1),
                            today=date(2026, 9, 2))
    assert caught.value.field == "review_due"
    assert not Policy.select().exists()


def test_an_attachment_is_stored_encrypted(open_vault, school, tmp_path):
    data = b"%PDF-1.4 safeguarding policy text"
    attachment = sites.store_attachment(open_vault, data, "policy.pdf")
    assert attachment.media_type == "application/pdf"
    assert open_vault.get_blob(attachment.blob_id) == data
    blob_files = list(open_vault.blob_dir.iterdir())
    assert blob_files and all(data not in f.read_bytes() for f in blob_files)


# -- requirements -----------------------------------------------------------------------------


def test_requirement_status_ok_expiring_expired_missing(school):
    today = date(2026, 11, 22)
    sites.set_requirement(school, kind("safeguarding_children"), None)
    sites.set_requirement(school, kind("prevent"), 24)
    sites.set_requirement(school, kind("dbs_update"), None)
    sites.set_requirement(school, kind("insurance"), None)
    with change():
        # Safeguarding 36 months from 1 Jan 2026: 1 Jan 2029, fine.
        TrainingRecord.create(kind=kind("safeguarding_children"), completed=date(2026, 1, 1), expires=date(2029, 1, 1))
        # Prevent has no expiry of its own; the site's 24 months end on 20 Dec 2026: 28 days left.
        TrainingRecord.create(kind=kind("prevent"), completed=date(2024, 12, 20), expires=None)
        # DBS expired yesterday.
        TrainingRecord.create(kind=kind("dbs_update"), completed=date(2025, 11, 21), expires=date(2026, 11, 21))
    lines = {line.kind_name: line for line in sites.requirements_for(school, today)}
    assert lines["Safeguarding children"].status.state is TrainingState.OK
    assert lines["Prevent"].status.state is TrainingState.EXPIRING
    assert lines["Prevent"].status.expires == date(2026, 12, 20)
    assert lines["Prevent"].status.limited_by_site
    assert lines["Prevent"].label == "Prevent (within 2 years)"
    assert lines["DBS Update Service subscription"].status.state is TrainingState.EXPIRED
    assert lines["Professional indemnity and public liability insurance"].status.state is TrainingState.MISSING
    assert sites.training_summary(lines.values()) == ("1 missing", TrainingState.MISSING)


def test_setting_a_requirement_twice_updates_it(school):
    sites.set_requirement(school, kind("prevent"), 24)
    sites.set_requirement(school, kind("prevent"), 12)
    assert Requirement.select().where(Requirement.site == school).count() == 1
    assert Requirement.get().max_age_months == 12
    with pytest.raises(sites.SiteError):
        sites.set_requirement(school, kind("prevent"), 0)


# -- visits -----------------------------------------------------------------------------------------


def test_todays_visits_and_next_visit(open_vault):
    with change():
        tuesday = Site.create(name="Tuesday School", visit_rule="FREQ=WEEKLY;BYDAY=TU", visit_start=date(2026, 9, 1))
        Site.create(name="Fortnight Home", visit_rule="FREQ=WEEKLY;INTERVAL=2;BYDAY=TU", visit_start=date(2026, 11, 10))
        Site.create(name="Archived School", visit_rule="FREQ=WEEKLY;BYDAY=TU", visit_start=date(2026, 9, 1), archived=True)
        Site.create(name="No Pattern")
    # 24 Nov 2026 is a Tuesday; the fortnightly one started 10 Nov, so 24 Nov is a visit too.
    assert [s.name for s in sites.todays_visits(date(2026, 11, 24))] == ["Fortnight Home", "Tuesday School"]
    # 1 Dec: only the weekly one.
    assert [s.name for s in sites.todays_visits(date(2026, 12, 1))] == ["Tuesday School"]
    assert sites.todays_visits(date(2026, 11, 25)) == []
    assert sites.next_visit(tuesday, date(2026, 11, 22)) == date(2026, 11, 24)
    assert sites.visit_pattern_words(tuesday) == "Every Tuesday"


def test_a_broken_pattern_is_skipped_not_fatal(open_vault):
    with change():
        Site.create(name="Odd", visit_rule="FREQ=HOURLY", visit_start=date(2026, 1, 1))
    assert sites.todays_visits(date(2026, 11, 24)) == []
    assert sites.next_visit(Site.get(), date(2026, 11, 24)) is None


# -- saving a site -------------------------------------------------------------------------------


def test_a_second_site_with_the_same_name_in_the_same_authority_is_refused(open_vault):
    from sitecare.data.models import LocalAuthority

    luton = LocalAuthority.get(LocalAuthority.name == "Luton")
    sites.save_site(sites.SiteFields(name="St Mary's", local_authority_id=luton.id))
    with pytest.raises(sites.SiteError, match="already a site called St Mary's in Luton") as caught:
        sites.save_site(sites.SiteFields(name="  st  mary's ", local_authority_id=luton.id))
    assert caught.value.field == "name"
    # The same name elsewhere is a different school.
    sites.save_site(sites.SiteFields(name="St Mary's"))
    assert Site.select().count() == 2


def test_a_new_site_and_its_dsl_are_one_change(open_vault):
    site = sites.save_site(sites.SiteFields(name="New School"), today=date(2026, 11, 22),
                           dsl={"name": "Ann Lead", "phone": "07700 900123"})
    dsl = contacts.current(site, "dsl", date(2026, 11, 22))
    assert dsl.name == "Ann Lead" and dsl.from_date == date(2026, 11, 22)


# -- the briefing's concerns -------------------------------------------------------------------------


def test_open_concerns_with_their_next_action(school):
    with change():
        open_one = Concern.create(reference="C-1", site=school, status="open", created_at=datetime(2026, 11, 1, 9))
        Action.create(concern=open_one, description="Chase outcome", due=date(2026, 11, 30))
        Action.create(concern=open_one, description="Tell the DSL", due=date(2026, 11, 20))
        Action.create(concern=open_one, description="Already done", due=date(2026, 11, 10), done_on=date(2026, 11, 10))
        Action.create(concern=open_one, description="Someday", due=None)
        waiting = Concern.create(reference="C-2", site=school, status="awaiting_outcome", created_at=datetime(2026, 11, 2, 9))
        Concern.create(reference="C-3", site=school, status="closed")
        Concern.create(reference="C-4", site=school, status="draft")
    found = sites.open_concerns_at(school)
    assert [c.reference for c in found] == ["C-1", "C-2"]
    assert found[0].next_action == "Tell the DSL" and found[0].next_due == date(2026, 11, 20)
    assert found[1].next_action == "" and waiting.id == found[1].concern_id


# -- contacts as they were on a date ---------------------------------------------------------------


def test_contacts_as_of_a_date_across_a_dsl_change(school):
    ann = contacts.add_contact(school, "dsl", "Ann Old", date(2024, 9, 1))
    contacts.add_contact(school, "deputy_dsl", "Dee Puty", date(2024, 9, 1))
    contacts.replace_contact(ann, "Ben New", date(2026, 1, 5), phone="07700 900002")
    last_june = contacts.contacts_on(school, date(2025, 6, 15))
    assert [(c.role, c.name) for c in last_june] == [("dsl", "Ann Old"), ("deputy_dsl", "Dee Puty")]
    assert [c.name for c in contacts.contacts_on(school, date(2026, 1, 4), "dsl")] == ["Ann Old"]
    assert [c.name for c in contacts.contacts_on(school, date(2026, 1, 5), "dsl")] == ["Ben New"]
    assert [c.name for c in contacts.past_contacts(school, date(2026, 2, 1))] == ["Ann Old"]


def test_replacing_a_deputy_keeps_the_other_deputies(school):
    first = contacts.add_contact(school, "deputy_dsl", "Cat One", date(2025, 9, 1))
    contacts.add_contact(school, "deputy_dsl", "Dan Two", date(2025, 9, 1))
    contacts.replace_contact(first, "Eve Three", date(2026, 2, 1))
    names = sorted(c.name for c in contacts.contacts_on(school, date(2026, 2, 1), "deputy_dsl"))
    assert names == ["Dan Two", "Eve Three"]


def test_a_replacement_cannot_start_before_the_one_it_replaces(school):
    ann = contacts.add_contact(school, "dsl", "Ann", date(2026, 1, 5))
    with pytest.raises(ValueError, match="must start after"):
        contacts.replace_contact(ann, "Ben", date(2026, 1, 5))
    assert [c.name for c in contacts.history(school, "dsl")] == ["Ann"]


def test_correcting_details_keeps_the_dates(school):
    ann = contacts.add_contact(school, "dsl", "Ann", date(2025, 9, 1), phone="07700 900001")
    contacts.update_details(ann, phone="07700 900009", name="Ann  Lee")
    again = type(ann).get_by_id(ann.id)
    assert (again.name, again.phone, again.from_date, again.to_date) == ("Ann Lee", "07700 900009", date(2025, 9, 1), None)
    with pytest.raises(ValueError, match="name"):
        contacts.update_details(ann, name=" ")


def test_a_dsl_recorded_ahead_blocks_an_earlier_open_ended_one(school):
    contacts.add_contact(school, "dsl", "Ann Now", date(2025, 9, 1))
    contacts.add_contact(school, "dsl", "Ben Next", date(2027, 1, 5))
    # Starting someone in between would leave two DSLs from January: refused.
    with pytest.raises(ValueError, match="Ben Next is recorded as Designated Safeguarding Lead from 5 Jan 2027"):
        contacts.add_contact(school, "dsl", "Cat Between", date(2026, 6, 1))
    assert [c.name for c in contacts.history(school, "dsl")] == ["Ben Next", "Ann Now"]


def test_removing_an_unsigned_version_removes_its_file_too(open_vault, school):
    attachment = sites.store_attachment(open_vault, b"%PDF wrong file", "wrong.pdf")
    policy = sites.record_policy(school, title="P", version="v1", dated=None, review_due=None,
                                 today=date(2026, 11, 22), attachment=attachment)
    blob = open_vault.blob_path(attachment.blob_id)
    assert blob.exists()
    sites.remove_policy(policy, open_vault)
    assert not Policy.select().exists()
    assert not blob.exists()
