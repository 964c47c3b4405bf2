"""`sitecare demo`: fictional data, relative to today, deterministic, drama numbers only."""

from __future__ import annotations

import re
import shutil
from datetime import date, datetime, time, timedelta

import pytest
from dateutil.relativedelta import relativedelta
from dateutil.rrule import rrulestr

from sitecare.data import models
from sitecare.data.demo import DemoError, populate_demo
from sitecare.data.models import (
    Action,
    ChronologyEntry,
    Client,
    Complaint,
    Concern,
    Consent,
    Contact,
    DataRequest,
    LocalAuthority,
    NationalContact,
    Organisation,
    Policy,
    Requirement,
    Site,
    TrainingKind,
    TrainingRecord,
)
from sitecare.data.shipped import load_reference_data
from sitecare.data.vault import Vault

TODAY = date(2026, 11, 22)  # a Sunday, in the autumn term
YEAR_START = date(2026, 9, 1)

ROUTES = {
    "commissioned", "private-adult", "private-child", "allegation-against-staff",
    "whistleblowing", "immediate-danger", "serious-incident", "data-breach",
}
# Seed 003's list of abuse and safeguarding concerns, as the app names them.
CATEGORIES = {
    "neglect", "emotional abuse", "physical abuse", "sexual abuse", "self-harm",
    "substance abuse", "domestic abuse", "forced marriage", "poor parenting",
    "peer on peer abuse", "online abuse and grooming", "upskirting",
    "sexual exploitation and trafficking", "teenage relationship abuse",
    "fabricated or induced illness", "bullying", "gender-based violence",
    "gang and youth violence", "female genital mutilation",
    "racist, disability, homophobic or transphobic abuse",
    "radicalisation and extremism", "youth-produced sexual imagery",
}
CONSENT_VALUES = {"given", "refused", "not_sought"}


def _open_fresh(template, kek, folder) -> Vault:
    shutil.copytree(template, folder)
    (folder / "sitecare.lock").unlink(missing_ok=True)
    vault = Vault(folder)
    vault.open_with_key(kek)
    models.clear_commit_listeners()
    models.on_commit(vault.save)
    return vault


def _close(vault: Vault) -> None:
    models.clear_commit_listeners()
    vault.close()


@pytest.fixture
def demo(open_vault):
    load_reference_data()
    populate_demo(TODAY)
    return open_vault


# --------------------------------------------------------------------------- helpers

_PHONE_LIKE = re.compile(r"(?<![\d])(?:\+44[\s-]?|0)\d(?:[\s-]?\d){8,10}(?!\d)")
_DRAMA = re.compile(r"^(?:01632960\d{3}|07700900\d{3})$")


def phone_numbers_in(text: str) -> list[str]:
    """Every UK-phone-number-like run of digits in `text`, as national digits."""
    found = []
    for match in _PHONE_LIKE.finditer(text or ""):
        digits = re.sub(r"\D", "", match.group())
        if digits.startswith("44"):
            digits = "0" + digits[2:]
        found.append(digits)
    return found


def not_drama(text: str) -> list[str]:
    return [n for n in phone_numbers_in(text) if not _DRAMA.match(n)]


def text_values(row) -> list[str]:
    return [v for v in row.__data__.values() if isinstance(v, str)]


def latest_by_kind() -> dict[str, TrainingRecord]:
    latest: dict[str, TrainingRecord] = {}
    for rec in TrainingRecord.select().order_by(TrainingRecord.completed):
        latest[rec.kind.code] = rec
    return latest


def academic_year_start(day: date) -> date:
    return date(day.year if day.month >= 9 else day.year - 1, 9, 1)


def visited_on(site: Site, day: date) -> bool:
    rule = rrulestr(site.visit_rule, dtstart=datetime.combine(site.visit_start, time()))
    moment = datetime.combine(day, time())
    return rule.after(moment - timedelta(seconds=1), inc=True) == moment


def dump() -> dict[str, list[dict]]:
    return {
        m.__name__: [dict(r.__data__) for r in m.select().order_by(m._meta.primary_key)]
        for m in models.ALL_MODELS
    }


# --------------------------------------------------------------------------- the checker itself


def test_phone_checker_flags_real_numbers_and_passes_drama_ones():
    assert not_drama("DSL 01632 960123, mobile 07700 900999") == []
    assert not_drama("LADO 01234 276693") == ["01234276693"]
    assert not_drama("call 07700900123 or 07712 345678") == ["07712345678"]
    assert not_drama("+44 20 7946 0000") == ["02079460000"]
    assert not_drama("01632 961000") == ["01632961000"]  # just outside the drama range
    assert phone_numbers_in("C-2026-007, CH-0142, 2026-11-22, 09:00") == []


# --------------------------------------------------------------------------- sites


def test_sites_kinds_authorities_arrangements(demo):
    sites = list(Site.select())
    assert len(sites) >= 12
    assert {s.kind for s in sites} >= {"school", "care_home", "hospital", "charity", "private_practice"}
    authorities = {s.local_authority.name for s in sites if s.local_authority}
    assert len(authorities) >= 3
    assert authorities <= {
        "Cambridgeshire", "Peterborough", "Hertfordshire", "Newham", "Bedford Borough",
        "Central Bedfordshire", "Luton",
    }
    assert {s.arrangement for s in sites} == {"commissioned", "private"}
    for s in sites:
        assert s.organisation is not None, s.name
        assert s.recording_system and s.how_to_report and s.visit_notes, s.name
        assert s.visit_rule.startswith("FREQ=") and s.visit_start is not None, s.name
        if s.arrangement == "commissioned":
            assert s.commissioning_organisation, s.name
    assert {s.organisation.name for s in sites} == {
        "Cambridge Art Therapy", "HelloSelf", "Music Therapy Bedfordshire",
    }
    assert any(s.kind == "hospital" and s.recording_system == "Datix" for s in sites)
    assert sum(1 for s in sites if s.archived) == 1


def test_reference_rows_are_used_not_duplicated(open_vault):
    load_reference_data()
    before = {m.__name__: m.select().count() for m in (LocalAuthority, NationalContact, TrainingKind, Organisation)}
    populate_demo(TODAY)
    after = {m.__name__: m.select().count() for m in (LocalAuthority, NationalContact, TrainingKind, Organisation)}
    assert after == before
    # The seeded local-authority numbers are untouched.
    assert LocalAuthority.get(LocalAuthority.name == "Luton").lado_phone == "01582 548069"
    # The seed's own value on an organisation is kept, empty ones filled.
    cat = Organisation.get(Organisation.name == "Cambridge Art Therapy")
    assert cat.manager_email == "info@cambridgearttherapy.co.uk"
    assert cat.safeguarding_lead_name and cat.safeguarding_lead_phone


def test_a_site_is_visited_today(demo):
    active = [s for s in Site.select() if not s.archived]
    assert any(visited_on(s, TODAY) for s in active)
    # The visit rules are readable RRULEs and each site is visited at some point.
    for s in active:
        rule = rrulestr(s.visit_rule, dtstart=datetime.combine(s.visit_start, time()))
        assert rule.after(datetime.combine(TODAY, time())) is not None, s.name


def test_a_site_has_no_dsl(demo):
    no_dsl = [
        s for s in Site.select().where(Site.archived == False, Site.arrangement == "commissioned")  # noqa: E712
        if not s.contacts.where(Contact.role == "dsl").exists()
    ]
    assert len(no_dsl) == 1
    assert no_dsl[0].contacts.count() >= 1  # someone to ask


# --------------------------------------------------------------------------- numbers and emails


def test_every_phone_number_is_an_ofcom_drama_number(demo):
    seen = 0
    for model in (Site, Contact, Client, Organisation, Concern, ChronologyEntry, Action, Complaint,
                  Consent, DataRequest, Policy, TrainingRecord):
        for row in model.select():
            for value in text_values(row):
                seen += len(phone_numbers_in(value))
                assert not_drama(value) == [], f"{model.__name__} {row.id}: {value!r}"
    assert seen >= 40  # the scan really read the numbers
    for c in Contact.select():
        assert _DRAMA.match(re.sub(r"\D", "", c.phone)), c.name
    for org in Organisation.select():
        for number in (org.safeguarding_lead_phone, org.manager_phone):
            assert _DRAMA.match(re.sub(r"\D", "", number)), org.name
    for client in Client.select().where(Client.funding == "private"):
        contact = client.gp_contact if client.client_type == "adult" else client.parent_carer_contact
        assert phone_numbers_in(contact), client.reference


def test_emails_use_reserved_example_domains(demo):
    example = re.compile(r"@(?:[a-z0-9-]+\.)*(?:example|example\.(?:org|com|net))$")
    for c in Contact.select():
        assert example.search(c.email), c.email
    for org in Organisation.select():
        assert example.search(org.safeguarding_lead_email), org.safeguarding_lead_email


# --------------------------------------------------------------------------- contacts


def test_dsl_changed_during_the_year(demo):
    changes = []
    for old in Contact.select().where(Contact.role == "dsl", Contact.to_date.is_null(False)):
        successors = Contact.select().where(
            Contact.site == old.site, Contact.role == "dsl", Contact.from_date > old.to_date,
        )
        changes += [(old, new) for new in successors]
    assert changes
    old, new = changes[0]
    assert new.from_date == old.to_date + timedelta(days=1)
    assert TODAY - relativedelta(years=1) <= old.to_date <= TODAY
    assert new.to_date is None


def test_contacts_confirmed_this_academic_year_and_not(demo):
    current = Contact.select().where(Contact.to_date.is_null())
    confirmed = [c for c in current if c.confirmed_on and c.confirmed_on >= YEAR_START]
    unconfirmed = [c for c in current if not c.confirmed_on or c.confirmed_on < YEAR_START]
    assert confirmed and unconfirmed
    assert any(c.confirmed_on is None for c in unconfirmed)
    assert any(c.confirmed_on is not None for c in unconfirmed)  # confirmed last year
    roles = {(c.site.kind, c.role) for c in current}
    assert {("school", "dsl"), ("school", "deputy_dsl"), ("school", "head"),
            ("school", "chair_of_governors"), ("care_home", "manager")} <= roles
    by_site: dict[int, int] = {}
    for c in current.where(Contact.role == "deputy_dsl"):
        by_site[c.site.id] = by_site.get(c.site.id, 0) + 1
    assert 2 in by_site.values()


# --------------------------------------------------------------------------- training


def test_training_in_every_state(demo):
    latest = latest_by_kind()
    for rec in TrainingRecord.select():
        months = rec.kind.validity_months
        expected = rec.completed + relativedelta(months=months) if months else None
        assert rec.expires == expected, rec.kind.code
        assert rec.completed <= TODAY
    states = {}
    for code, rec in latest.items():
        if rec.expires is None:
            states[code] = "no_expiry"
        elif rec.expires < TODAY:
            states[code] = "expired"
        elif rec.expires <= TODAY + timedelta(days=60):
            states[code] = "expiring"
        else:
            states[code] = "valid"
    assert set(states.values()) == {"no_expiry", "expired", "expiring", "valid"}
    assert states["prevent"] == "no_expiry"
    missing = {k.code for k in TrainingKind.select()} - set(latest)
    assert len(missing) == 1
    # An older, superseded certificate is kept too.
    assert TrainingRecord.select().count() > len(latest)


def test_requirements(demo):
    reqs = list(Requirement.select())
    assert len(reqs) >= 12
    prevent = [r for r in reqs if r.kind.code == "prevent"]
    assert any(r.max_age_months == 24 for r in prevent)
    # One site asks for Prevent more recently than the demo's certificate: a gap to show.
    prevent_done = latest_by_kind()["prevent"].completed
    assert any(r.max_age_months and prevent_done + relativedelta(months=r.max_age_months) < TODAY
               for r in prevent)
    # A required kind that was never logged.
    logged = set(latest_by_kind())
    assert any(r.kind.code not in logged for r in reqs)


# --------------------------------------------------------------------------- policies


def test_policies_signed_resign_due_and_never_signed(demo):
    policies = list(Policy.select())
    signed_this_year = [p for p in policies if p.signed_on and p.signed_on >= YEAR_START]
    school_signed_last_year = [
        p for p in policies
        if p.site.kind == "school" and not p.site.archived and p.signed_on
        and YEAR_START - relativedelta(years=1) <= p.signed_on < YEAR_START
    ]
    never = [p for p in policies if p.signed_on is None]
    review_passed = [p for p in policies if p.review_due and p.review_due < TODAY and p.signed_on]
    assert signed_this_year and school_signed_last_year and never and review_passed
    for p in policies:
        assert p.signed_on is None or p.signed_on <= TODAY
        assert p.dated <= TODAY


# --------------------------------------------------------------------------- clients


def test_clients_pseudonymised_and_consistent(demo):
    clients = list(Client.select())
    assert len(clients) >= 10
    for c in clients:
        assert re.fullmatch(r"(CH|AD)-\d{4}", c.reference), c.reference
        assert re.fullmatch(r"[A-Z]{2,3}", c.initials), c.initials
        age_at_start = relativedelta(c.therapy_start, c.date_of_birth).years
        assert c.client_type == ("child" if age_at_start < 18 else "adult"), c.reference
        if c.funding == "private" and c.client_type == "adult":
            assert c.gp_contact, c.reference
        if c.funding == "private" and c.client_type == "child":
            assert c.parent_carer_contact, c.reference
    assert {(c.client_type, c.funding) for c in clients} == {
        ("child", "commissioned"), ("child", "private"), ("adult", "commissioned"), ("adult", "private"),
    }
    assert any(c.therapy_end and c.therapy_end <= TODAY for c in clients)


def test_consents_include_one_due_for_review(demo):
    consents = list(Consent.select())
    assert len(consents) >= 3
    year_ago = TODAY - relativedelta(years=1)
    due = [c for c in consents if c.withdrawn_on is None and (c.reviewed_on or c.given_on) <= year_ago]
    assert due
    assert any(c.withdrawn_on for c in consents)


# --------------------------------------------------------------------------- concerns


def test_concerns_routes_kinds_and_references(demo):
    concerns = list(Concern.select())
    assert len(concerns) >= 5
    routes = {r for c in concerns for r in c.routes}
    assert len(routes) >= 3
    assert routes <= ROUTES
    assert {c.kind for c in concerns} <= set(models.CONCERN_KINDS)
    assert len({c.kind for c in concerns}) >= 4
    assert {c.status for c in concerns} == {"open", "awaiting_outcome", "closed"}
    for c in concerns:
        assert re.fullmatch(r"C-\d{4}-\d{3}", c.reference), c.reference
        assert set(c.categories) <= CATEGORIES, c.categories
        assert c.account
        assert c.occurred_at.date() <= TODAY
        assert (c.closed_on is not None) == (c.status == "closed")
        if c.client:
            assert c.client_reference == c.client.reference
    assert any(c.immediate_danger and "immediate-danger" in c.routes for c in concerns)


def test_chronology(demo):
    entries = list(ChronologyEntry.select())
    assert entries
    for concern in Concern.select():
        assert concern.chronology.count() >= 2, concern.reference
    kinds = {e.kind for e in entries}
    assert {"account", "decision", "action_taken", "information_shared", "referral", "outcome",
            "correction", "signed_off"} <= kinds
    assert kinds <= set(models.CHRONOLOGY_KINDS)
    assert any(e.restricted for e in entries)
    corrections = [e for e in entries if e.kind == "correction"]
    assert corrections
    for e in corrections:
        assert e.corrects is not None
        assert e.corrects.concern_id == e.concern_id
        assert e.corrects.at <= e.at
    shared = [e for e in entries if e.kind == "information_shared"]
    assert {e.consent for e in shared} == CONSENT_VALUES
    for e in shared:
        assert e.shared_with and e.purpose and e.consent_reason
    end_of_today = datetime.combine(TODAY, time.max)
    for e in entries:
        assert e.at <= e.recorded_at <= end_of_today
    for concern in Concern.select().where(Concern.status == "closed"):
        assert concern.chronology.where(ChronologyEntry.kind == "signed_off").exists(), concern.reference


def test_chronology_stays_append_only(demo):
    entry = ChronologyEntry.select().first()
    entry.text = "rewritten"
    with pytest.raises(models.AppendOnlyError):
        entry.save()


def test_actions_overdue_and_done(demo):
    actions = list(Action.select())
    assert any(a.done_on is None and a.due < TODAY for a in actions)
    assert any(a.done_on is not None for a in actions)
    assert any(a.done_on is None and a.due >= TODAY for a in actions)


# --------------------------------------------------------------------------- complaint, data request


def test_complaint_with_two_stages_and_a_data_request(demo):
    complaint = Complaint.get()
    stages = list(complaint.stages.order_by(models.ComplaintStage.stage))
    assert [s.stage for s in stages] == [1, 2]
    assert stages[0].responded_on is not None
    assert stages[0].began_on <= stages[0].responded_on < stages[1].began_on <= TODAY
    assert stages[1].responded_on is None
    assert complaint.received_on <= complaint.acknowledged_on <= TODAY
    assert complaint.type in models.COMPLAINT_TYPES and complaint.channel in models.COMPLAINT_CHANNELS
    assert DataRequest.select().count() == 1


# --------------------------------------------------------------------------- determinism and safety


def test_same_today_gives_the_same_demo(vault_template, template_kek, tmp_path):
    dumps = []
    for n in range(2):
        vault = _open_fresh(vault_template, template_kek, tmp_path / f"vault{n}")
        try:
            load_reference_data()
            populate_demo(TODAY)
            dumps.append(dump())
        finally:
            _close(vault)
    counts = [{name: len(rows) for name, rows in d.items()} for d in dumps]
    assert counts[0] == counts[1]
    assert counts[0]["Site"] >= 12
    assert dumps[0] == dumps[1]


def test_the_demo_is_saved_to_the_vault(open_vault, template_kek):
    load_reference_data()
    populate_demo(TODAY)
    folder = open_vault.folder
    sites = Site.select().count()
    models.clear_commit_listeners()
    open_vault.close()
    again = Vault(folder)
    again.open_with_key(template_kek)
    try:
        assert Site.select().count() == sites >= 12
    finally:
        again.close()


def test_refuses_a_vault_that_has_records(demo):
    count = Site.select().count()
    with pytest.raises(DemoError):
        populate_demo(TODAY)
    assert Site.select().count() == count


def test_needs_the_reference_data(open_vault):
    load_reference_data()
    with models.change():
        TrainingKind.delete().where(TrainingKind.code == "insurance").execute()
    with pytest.raises(DemoError, match="reference data.*insurance"):
        populate_demo(TODAY)
    assert Site.select().count() == 0


@pytest.mark.parametrize(
    "today",
    [
        date(2026, 9, 1),    # first day of the academic year
        date(2027, 8, 31),   # last day of it
        date(2028, 2, 29),   # leap day
        date(2027, 1, 1),    # new year, bank holiday
        date(2026, 11, 23),  # a Monday
        date(2027, 6, 12),   # a Saturday
    ],
)
def test_every_today_gives_a_coherent_demo(vault_template, template_kek, tmp_path, today):
    vault = _open_fresh(vault_template, template_kek, tmp_path / "vault")
    try:
        load_reference_data()
        populate_demo(today)
        year_start = academic_year_start(today)
        assert any(visited_on(s, today) for s in Site.select().where(Site.archived == False))  # noqa: E712
        if today.weekday() < 5:
            assert any(visited_on(s, today) for s in Site.select().where(Site.kind == "school"))
        current = list(Contact.select().where(Contact.to_date.is_null()))
        assert any(c.confirmed_on and year_start <= c.confirmed_on <= today for c in current)
        for c in Contact.select():
            assert c.from_date <= today
            assert c.confirmed_on is None or c.confirmed_on <= today
            assert c.to_date is None or c.from_date <= c.to_date
        latest = latest_by_kind()
        expires = [r.expires for r in latest.values() if r.expires]
        assert any(e < today for e in expires)
        assert any(today <= e <= today + timedelta(days=60) for e in expires)
        assert any(e > today + timedelta(days=60) for e in expires)
        assert any(p.site.kind == "school" and p.signed_on and p.signed_on < year_start
                   and not p.site.archived for p in Policy.select())
        end = datetime.combine(today, time.max)
        assert all(e.recorded_at <= end for e in ChronologyEntry.select())
        assert all(a.done_on is None or a.done_on <= today for a in Action.select())
        assert any(a.done_on is None and a.due < today for a in Action.select())
        for stage in models.ComplaintStage.select():
            assert stage.began_on <= today
        for client in Client.select():
            assert client.therapy_start <= today
            assert client.therapy_end is None or client.therapy_end <= today
            age = relativedelta(client.therapy_start, client.date_of_birth).years
            assert client.client_type == ("child" if age < 18 else "adult")
    finally:
        _close(vault)
