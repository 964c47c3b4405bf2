"""The concern data layer: the context it builds for the procedure engine (site, local
authority, contacts on the concern's date, client, organisation), the routes it stores,
deadlines in the site's nation, the append-only record, follow-up, search, templates and
exports. The engine's own rules are tested in tests/rules/test_procedures.py; here the
question is whether sitecare feeds it the right facts.

Expected values are worked out by hand from the seeds (000, 002, 003) and the calendars."""

from __future__ import annotations

import json
import os
import sqlite3
from datetime import date, datetime, timedelta
from email import message_from_bytes
from pathlib import Path

import pytest
from peewee import IntegrityError

from sitecare.data import concerns, exports
from sitecare.data.contacts import add_contact
from sitecare.data.models import (
    Action,
    AppendOnlyError,
    ChronologyEntry,
    Concern,
    ProcedureTemplate,
    change,
    database,
)
from sitecare.rules.concerns import CATEGORIES
from sitecare.rules.procedures import TemplateError

import concern_support as cs

NOW = datetime(2026, 11, 22, 9, 0)  # a Sunday
FIXTURES = Path(__file__).parent / "rules" / "fixtures" / "procedures"
SHIPPED_KEYS = {
    "commissioned", "private-adult", "private-child", "allegation-against-staff", "whistleblowing",
    "immediate-danger", "serious-incident", "data-breach", "mtb-establishment-visit",
}


def steps_of(concern) -> dict[str, concerns.StepState]:
    return {state.key: state for state in concerns.procedure_for(concern).steps}


# --------------------------------------------------------------------------- routes

# Seed 000: commissioned work goes to the site's DSL whoever the client is; private work
# splits by client type (an unknown type takes the child route, the safer default).
BASE = {
    ("commissioned", "child"): "commissioned",
    ("commissioned", "adult"): "commissioned",
    ("commissioned", "unknown"): "commissioned",
    ("private", "child"): "private-child",
    ("private", "adult"): "private-adult",
    ("private", "unknown"): "private-child",
}
# Seeds 002/003 and UK GDPR: the kind decides the route; serious incidents offer the
# base route too, data breaches offer the serious-incident route.
BY_KIND = {
    "disclosure": lambda base: [base],
    "allegation_staff": lambda base: ["allegation-against-staff"],
    "whistleblowing": lambda base: ["whistleblowing"],
    "serious_incident": lambda base: ["serious-incident", base],
    "data_breach": lambda base: ["data-breach", "serious-incident"],
}


@pytest.mark.parametrize("danger", [False, True], ids=["no-danger", "danger"])
@pytest.mark.parametrize("kind", list(BY_KIND))
@pytest.mark.parametrize("client_type", ["child", "adult", "unknown"])
@pytest.mark.parametrize("arrangement", ["commissioned", "private"])
def test_routes_stored_for_every_combination(open_vault, arrangement, client_type, kind, danger):
    la = cs.authority()
    at = cs.site(arrangement=arrangement, la=la)
    concern = cs.raise_concern(at, NOW, kind=kind, client_type=client_type, danger=danger)
    expected = BY_KIND[kind](BASE[(arrangement, client_type)])
    if danger:
        expected = ["immediate-danger"] + expected
    assert concern.routes == expected
    first = concerns.procedure_for(concern).steps[0]
    if danger:
        # Seed 002: the police first, with 999, before anything else.
        assert first.key == "immediate-danger/call-police"
        assert first.resolved.contacts[0].phone == "999"
    else:
        assert first.resolved.route == expected[0]


def test_a_site_template_replaces_the_standard_route(open_vault):
    at = cs.site(procedure_template="mtb-establishment-visit")
    concern = cs.raise_concern(at, NOW)
    assert concern.routes == ["mtb-establishment-visit"]
    # ...and an organisation's template applies where the site names none.
    org = cs.organisation()
    with change():
        org.procedure_template = "mtb-establishment-visit"
        org.save()
    other = cs.site(name="Otterbrook Academy", org=org)
    assert cs.raise_concern(other, NOW).routes == ["mtb-establishment-visit"]


def test_no_site_is_commissioned_work_with_gaps_shown(open_vault):
    concern = cs.raise_concern(None, NOW)
    assert concern.routes == ["commissioned"]
    procedure = concerns.procedure_for(concern)
    assert "No site is recorded" in procedure.notes[0]
    tell = steps_of(concern)["commissioned/tell-dsl"].resolved
    assert tell.gap and "No DSL recorded for this site" in tell.gap_message


# --------------------------------------------------------------------------- office hours


@pytest.mark.parametrize(
    "nation, moment, expected_phone",
    [
        # Monday 30 Nov 2026, 10:00: St Andrew's Day is a bank holiday in Scotland only.
        ("SCT", datetime(2026, 11, 30, 10, 0), "01632 960199"),
        ("ENG", datetime(2026, 11, 30, 10, 0), "01632 960100"),
        # Tuesday 17 Mar 2026: St Patrick's Day, Northern Ireland only.
        ("NIR", datetime(2026, 3, 17, 11, 0), "01632 960199"),
        ("WLS", datetime(2026, 3, 17, 11, 0), "01632 960100"),
        # An ordinary Tuesday evening and a Saturday morning: out of hours everywhere.
        ("ENG", datetime(2026, 11, 24, 17, 0), "01632 960199"),
        ("ENG", datetime(2026, 11, 21, 10, 0), "01632 960199"),
        ("ENG", datetime(2026, 11, 24, 9, 0), "01632 960100"),
    ],
)
def test_private_child_referral_uses_the_las_hours_in_its_nation(open_vault, nation, moment, expected_phone):
    la = cs.authority(name=f"Council {nation}", nation=nation)
    at = cs.site(name="Mill Yard Therapy Rooms", arrangement="private", la=la, dsl=False)
    concern = cs.raise_concern(at, NOW, client_type="child", noticed=moment)
    refer = steps_of(concern)["private-child/refer-la-children"].resolved
    assert [c.phone for c in refer.contacts] == [expected_phone]


def test_office_hours_come_from_the_local_authority(open_vault):
    la = cs.authority(office_open="08:30", office_close="16:00")
    at = cs.site(arrangement="private", la=la, dsl=False)
    tuesday_1630 = datetime(2026, 11, 24, 16, 30)
    tuesday_0845 = datetime(2026, 11, 24, 8, 45)
    late = steps_of(cs.raise_concern(at, NOW, noticed=tuesday_1630))["private-child/refer-la-children"]
    early = steps_of(cs.raise_concern(at, NOW, noticed=tuesday_0845))["private-child/refer-la-children"]
    assert late.resolved.contacts[0].phone == "01632 960199"
    assert early.resolved.contacts[0].phone == "01632 960100"


def test_hertfordshire_mental_health_clients_go_to_the_trust(open_vault):
    la = cs.authority(name="Hertfordshire-like", mental_health_name="Trust Mental Health", mental_health_phone="01632 960400")
    at = cs.site(arrangement="private", la=la, dsl=False)
    in_trust = cs.client("AD-0036", "adult", at, receives_mental_health_services=True)
    other = cs.client("AD-0040", "adult", at)
    tuesday = datetime(2026, 11, 24, 11, 0)
    trust = steps_of(cs.raise_concern(at, NOW, client_id=in_trust.id, client_type="adult", noticed=tuesday))
    plain = steps_of(cs.raise_concern(at, NOW, client_id=other.id, client_type="adult", noticed=tuesday))
    assert trust["private-adult/refer-adult-social-care"].resolved.contacts[0].phone == "01632 960400"
    assert plain["private-adult/refer-adult-social-care"].resolved.contacts[0].phone == "01632 960200"


def test_client_type_comes_from_the_chosen_client(open_vault):
    at = cs.site(arrangement="private", dsl=False)
    adult = cs.client("AD-0001", "adult", at, gp_contact="Dr R. Oakes: 01632 960820")
    form = dict(concerns.EMPTY_FORM, site=at.id, client=adult.id, noticed="22/11/2026 08:00", account="x")
    capture, errors = concerns.check_capture(form, NOW)
    assert not errors and capture.client_type == "adult" and capture.client_reference == "AD-0001"
    concern = concerns.create_concern(capture, NOW)
    assert concern.routes == ["private-adult"]
    gp = steps_of(concern)["private-adult/consult-gp"].resolved
    assert gp.contacts[0].name == "Dr R. Oakes: 01632 960820" and not gp.gap


def test_own_organisation_and_national_contacts(open_vault):
    org = cs.organisation()
    at = cs.site(org=org)
    concern = cs.raise_concern(at, NOW, kind="serious_incident")
    found = steps_of(concern)
    assert found["serious-incident/contact-safeguarding-team"].resolved.contacts[0].name == "Dr Ada Lead"
    allegation = steps_of(cs.raise_concern(at, NOW, kind="allegation_staff"))
    assert allegation["allegation-against-staff/tell-own-manager"].resolved.contacts[0].phone == "01632 960002"
    whistle = steps_of(cs.raise_concern(at, NOW, kind="whistleblowing"))
    # Seed 003's NSPCC line, from the shipped national contacts.
    assert whistle["whistleblowing/nspcc-guidance"].resolved.contacts[0].phone == "0800 028 0285"


# --------------------------------------------------------------------------- contacts on the date


def test_contacts_are_those_in_post_on_the_concerns_date(open_vault):
    at = cs.site(dsl=False)
    add_contact(at, "dsl", "Gareth Hume", date(2019, 9, 1), phone="07700 900111")
    add_contact(at, "dsl", "Nadia Kowalczyk", date(2026, 7, 1), phone="07700 900222")  # ends Gareth on 30 Jun
    june = cs.raise_concern(at, NOW, noticed=datetime(2026, 6, 30, 15, 0))
    july = cs.raise_concern(at, NOW, noticed=datetime(2026, 7, 1, 9, 30))
    assert [c.name for c in steps_of(june)["commissioned/tell-dsl"].resolved.contacts] == ["Gareth Hume"]
    assert [c.name for c in steps_of(july)["commissioned/tell-dsl"].resolved.contacts] == ["Nadia Kowalczyk"]


def test_a_missing_dsl_is_a_gap_never_dropped(open_vault):
    at = cs.site(dsl=False)
    add_contact(at, "deputy_dsl", "Mark Ellery", date(2020, 1, 1), phone="07700 900333")
    concern = cs.raise_concern(at, NOW)
    found = steps_of(concern)
    # All six steps of seed 000's commissioned flowchart are there.
    assert [k.split("/")[1] for k in found] == [
        "tell-dsl", "record-incident", "share-record", "dsl-decides", "outcome-summary", "sign-off",
    ]
    tell = found["commissioned/tell-dsl"].resolved
    assert [c.name for c in tell.contacts] == ["Mark Ellery"]  # the deputy stands in...
    assert tell.gap and "No DSL recorded for this site" in tell.gap_message  # ...and the gap still shows
    decides = found["commissioned/dsl-decides"].resolved  # no fallback: a plain gap
    assert decides.contacts == () and decides.gap

    bare = cs.site(name="Poppyfield Day Centre", dsl=False)
    tell = steps_of(cs.raise_concern(bare, NOW))["commissioned/tell-dsl"].resolved
    assert tell.contacts == () and "no deputy DSL recorded either" in tell.gap_message
    # Nobody stands in: the note does not say the deputy does.
    assert tell.fallback_note == "The deputy DSL would stand in for the DSL, because no DSL is recorded."


# --------------------------------------------------------------------------- deadlines


@pytest.mark.parametrize(
    "nation, noticed, due",
    [
        # Friday 27 Nov 2026 + 1 working day: Monday 30 Nov in England, but St Andrew's
        # Day in Scotland, so Tuesday 1 Dec.
        ("ENG", datetime(2026, 11, 27, 14, 0), date(2026, 11, 30)),
        ("SCT", datetime(2026, 11, 27, 14, 0), date(2026, 12, 1)),
        # Friday 10 Jul 2026: Monday 13 Jul is the Boyne holiday (observed) in Northern Ireland.
        ("ENG", datetime(2026, 7, 10, 12, 0), date(2026, 7, 13)),
        ("NIR", datetime(2026, 7, 10, 12, 0), date(2026, 7, 14)),
    ],
)
def test_lado_deadline_counts_the_sites_nations_working_days(open_vault, nation, noticed, due):
    la = cs.authority(name=f"Borough {nation}", nation=nation)
    at = cs.site(la=la)
    concern = cs.raise_concern(at, NOW, kind="allegation_staff", noticed=noticed)
    lado = steps_of(concern)["allegation-against-staff/lado"].resolved
    assert lado.due == due
    assert lado.contacts[0].phone == "01632 960300"


@pytest.mark.parametrize("nation, chase_on", [("ENG", date(2026, 12, 4)), ("SCT", date(2026, 12, 7))])
def test_outcome_chase_counts_working_days_in_the_sites_nation(open_vault, nation, chase_on):
    la = cs.authority(name=f"Shire {nation}", nation=nation)
    at = cs.site(la=la)
    friday = datetime(2026, 11, 27, 16, 0)
    concern = cs.raise_concern(at, friday)
    action = concerns.await_outcome(concern, friday, days=5)
    assert Concern.get_by_id(concern.id).status == "awaiting_outcome"
    assert action.due == chase_on
    assert action.description == "Chase the written outcome summary from Claire Ashdown (DSL)"


# --------------------------------------------------------------------------- the record


def test_capture_writes_the_account_and_observation_first(open_vault):
    at = cs.site()
    form = dict(
        concerns.EMPTY_FORM, site=at.id, noticed="22/11/2026 08:40", occurred="21/11/2026",
        account="  He said 'Dad hit me with a belt'. ", observed="Bruise on his left forearm.",
        categories=["physical abuse", "neglect", "not a category"], client_reference="CH-0142",
    )
    capture, errors = concerns.check_capture(form, NOW)
    assert errors == {}
    concern = concerns.create_concern(capture, NOW, who="Sam Practitioner")
    assert concern.reference == "C-2026-001"
    assert concern.categories == ["neglect", "physical abuse"]  # seed 003's order, unknown dropped
    assert concern.occurred_at == datetime(2026, 11, 21, 0, 0)
    record = concerns.entries(concern)
    assert [(e.kind, e.text, e.who) for e in record] == [
        ("account", "He said 'Dad hit me with a belt'.", "Sam Practitioner"),
        ("observation", "Bruise on his left forearm.", "Sam Practitioner"),
    ]
    assert cs.raise_concern(at, NOW).reference == "C-2026-002"


@pytest.mark.parametrize(
    "changes, field, words",
    [
        ({"noticed": ""}, "noticed", "Enter a date"),
        ({"noticed": "yesterday"}, "noticed", "is not a date"),
        ({"noticed": "23/11/2026 10:00"}, "noticed", "cannot be in the future"),
        ({"occurred": "22/11/2026 08:50", "noticed": "22/11/2026 08:30"}, "occurred", "after it was disclosed"),
        ({"occurred": "31/02/2026"}, "occurred", "is not a real date"),
        ({"client_reference": "Jane Smith"}, "client_reference", "looks like a name"),
        ({"account": "", "observed": ""}, "account", "Write down what was said"),
        ({"site": 99999}, "site", "no longer in the vault"),
    ],
)
def test_capture_refuses_bad_values_with_one_sentence_per_field(open_vault, changes, field, words):
    form = dict(concerns.EMPTY_FORM, noticed="22/11/2026 08:40", account="Something was said.")
    form.update(changes)
    capture, errors = concerns.check_capture(form, NOW)
    assert capture is None
    assert words in errors[field]
    assert errors[field].endswith(".")


def test_entries_are_append_only_through_the_api_the_model_and_sql(open_vault):
    concern = cs.raise_concern(cs.site(), NOW)
    original = concerns.entries(concern)[0]
    correction = concerns.correct_entry(original, "He said it was his uncle, not his stepdad.", NOW)
    assert correction.corrects_id == original.id and correction.kind == "correction"
    kept = ChronologyEntry.get_by_id(original.id)
    assert kept.text == "He said his stepdad hit him with a belt."  # unchanged, still there
    assert [e.id for e in concerns.entries(concern)] == [original.id, correction.id]
    # The module offers no way to change or remove an entry...
    assert not [name for name in dir(concerns) if name.startswith(("edit_", "update_", "delete_", "remove_entry"))]
    # ...and the model and the database refuse it anyway.
    kept.text = "rewritten"
    with pytest.raises(AppendOnlyError):
        kept.save()
    with pytest.raises(AppendOnlyError):
        kept.delete_instance()
    with pytest.raises(AppendOnlyError):
        ChronologyEntry.update(text="x").execute()
    with pytest.raises((IntegrityError, sqlite3.IntegrityError)):
        database.execute_sql("UPDATE chronology_entry SET text = 'x' WHERE id = ?", (original.id,))
    with pytest.raises((IntegrityError, sqlite3.IntegrityError)):
        database.execute_sql("DELETE FROM chronology_entry WHERE id = ?", (original.id,))
    assert ChronologyEntry.get_by_id(original.id).text == "He said his stepdad hit him with a belt."


@pytest.mark.parametrize(
    "kind, fields, field, words",
    [
        ("decision", {}, "purpose", "reason"),
        ("information_shared", {"purpose": "p", "consent": "given"}, "shared_with", "whom"),
        ("information_shared", {"shared_with": "DSL", "consent": "given"}, "purpose", "what it was shared for"),
        ("information_shared", {"shared_with": "DSL", "purpose": "p"}, "consent", "given, refused or not sought"),
        ("information_shared", {"shared_with": "DSL", "purpose": "p", "consent": "refused"}, "consent_reason", "why"),
        ("correction", {}, "corrects", "Choose the entry"),
        ("signed_off", {}, "kind", "Unknown kind"),
    ],
)
def test_entries_follow_seed_002s_recording_list(open_vault, kind, fields, field, words):
    concern = cs.raise_concern(cs.site(), NOW)
    with pytest.raises(concerns.ConcernError) as caught:
        concerns.add_entry(concern, kind, "Something", NOW, **fields)
    assert caught.value.field == field and words in str(caught.value)


def test_information_shared_without_consent_keeps_the_reason(open_vault):
    concern = cs.raise_concern(cs.site(), NOW)
    entry = concerns.add_entry(
        concern, "information_shared", "Account shared with the children's team.", NOW,
        shared_with="Fenshire children's services", purpose="Child protection referral.",
        consent="not_sought", consent_reason="Seeking consent could place the child at risk.", how="phone",
    )
    assert (entry.consent, entry.consent_reason) == ("not_sought", "Seeking consent could place the child at risk.")
    with pytest.raises(concerns.ConcernError, match="future"):
        concerns.add_entry(concern, "note", "Later", NOW, at=datetime(2026, 11, 23, 9, 0))


def test_completing_a_step_and_undoing_it_by_correction(open_vault):
    concern = cs.raise_concern(cs.site(), NOW)
    tell = steps_of(concern)["commissioned/tell-dsl"]
    with pytest.raises(concerns.ConcernError, match="how you made contact"):
        concerns.complete_step(concern, tell, NOW, how="", said="Told her.")
    entry = concerns.complete_step(concern, tell, NOW, how="in person", said="Told Claire in her office.")
    assert entry.step_key == "commissioned/tell-dsl" and entry.shared_with == "Claire Ashdown"
    assert entry.text == "Tell the site's DSL: Told Claire in her office."
    assert steps_of(concern)["commissioned/tell-dsl"].done.id == entry.id
    # A self step needs no "how".
    concerns.complete_step(concern, steps_of(concern)["commissioned/record-incident"], NOW, how="", said="On CPOMS.")
    concerns.correct_entry(entry, "I had not told her yet: she was out.", NOW, undo_step=True)
    assert steps_of(concern)["commissioned/tell-dsl"].done is None
    assert ChronologyEntry.get_by_id(entry.id).step_key == "commissioned/tell-dsl"  # kept as written


def test_a_step_cannot_be_done_before_the_concern_was_noticed(open_vault):
    # A trial marked a step done at 05:00 on a concern noticed at 05:22.
    noticed = datetime(2026, 11, 22, 5, 22)
    concern = cs.raise_concern(cs.site(), NOW, noticed=noticed)
    tell = steps_of(concern)["commissioned/tell-dsl"]
    with pytest.raises(concerns.ConcernError, match="before the concern was noticed") as caught:
        concerns.complete_step(concern, tell, NOW, how="", said="", at=datetime(2026, 11, 22, 5, 21))
    assert caught.value.field == "at"  # said before the missing "how" and words
    with pytest.raises(concerns.ConcernError, match="future"):
        concerns.complete_step(concern, tell, NOW, how="", said="", at=NOW + timedelta(hours=2))
    assert concerns.complete_step(concern, tell, NOW, how="phone", said="Told her.", at=noticed).at == noticed
    # The date alone is any time that day, the day it was noticed included.
    assert concerns.complete_step(concern, tell, NOW, how="phone", said="Again.", at=datetime(2026, 11, 22))
    with pytest.raises(concerns.ConcernError, match="before the concern was noticed"):
        concerns.complete_step(concern, tell, NOW, how="phone", said="Told her.", at=datetime(2026, 11, 21))


def test_decisions_change_the_steps_and_are_recorded(open_vault):
    la = cs.authority()
    at = cs.site(arrangement="private", la=la, dsl=False)
    kid = cs.client("CH-0171", "child", at, parent_carer_contact="Mother: 07700 900224")
    concern = cs.raise_concern(at, NOW, client_id=kid.id, noticed=datetime(2026, 11, 24, 11, 0))
    procedure = concerns.procedure_for(concern)
    assert procedure.decisions_open == ("parent_safe",)
    talk = steps_of(concern)["private-child/discuss-with-parent"].resolved
    assert "not decided yet" in talk.condition_note
    concerns.record_decision(concern, "parent_safe", False, "The concern is about the home.", datetime(2026, 11, 24, 11, 30))
    found = steps_of(concern)
    assert "private-child/discuss-with-parent" not in found  # only if safe: now skipped
    assert not found["private-child/refer-la-children"].resolved.optional
    decision = concerns.entries(concern)[-1]
    assert (decision.kind, decision.purpose) == ("decision", "The concern is about the home.")
    assert concerns.procedure_for(concern).decisions_open == ()


def test_allegation_about_the_head_goes_to_the_chair(open_vault):
    at = cs.site()
    add_contact(at, "head", "Simon Latchford", date(2019, 1, 1), phone="01632 960500")
    add_contact(at, "chair_of_governors", "Margaret Oyelaran", date(2019, 1, 1), phone="01632 960600")
    plain = steps_of(cs.raise_concern(at, NOW, kind="allegation_staff"))
    about_head = steps_of(cs.raise_concern(at, NOW, kind="allegation_staff", about_head=True))
    assert plain["allegation-against-staff/tell-head"].resolved.contacts[0].name == "Simon Latchford"
    assert about_head["allegation-against-staff/tell-head"].resolved.contacts[0].name == "Margaret Oyelaran"


def test_changing_the_details_reroutes_and_is_noted(open_vault):
    concern = cs.raise_concern(None, NOW, client_type="unknown")
    assert concern.routes == ["commissioned"]
    private = cs.site(name="Mill Yard Therapy Rooms", arrangement="private", la=cs.authority(), dsl=False)
    with pytest.raises(concerns.ConcernError, match="looks like a name"):
        concerns.change_details(concern, NOW, site_id=private.id, client_reference="Jane Smith", client_type="child",
                                kind="disclosure", immediate_danger=False, about_head=False)
    changes = concerns.change_details(
        concern, NOW, site_id=private.id, client_reference="CH-0171", client_type="child", kind="disclosure",
        immediate_danger=True, about_head=False, reason="Site and age confirmed with the parent.",
    )
    assert changes == [
        "site: none -> Mill Yard Therapy Rooms", "client reference: none -> CH-0171",
        "client: not known -> child", "immediate danger: yes",
    ]
    concern = Concern.get_by_id(concern.id)
    assert concern.routes == ["immediate-danger", "private-child"]
    note = concerns.entries(concern)[-1]
    assert note.kind == "note" and note.text.startswith("Details changed: site: none -> Mill Yard Therapy Rooms")
    assert note.purpose == "Site and age confirmed with the parent."
    assert concerns.entries(concern)[0].text == "He said his stepdad hit him with a belt."  # the account stays
    assert concerns.change_details(
        concern, NOW, site_id=private.id, client_reference="CH-0171", client_type="child", kind="disclosure",
        immediate_danger=True, about_head=False,
    ) == []


# --------------------------------------------------------------------------- follow-up


def test_outcome_sign_off_and_reopening(open_vault):
    at = cs.site()
    concern = cs.raise_concern(at, NOW)
    action = concerns.add_action(concern, "Ask the DSL whether the parent was called", "me", date(2026, 11, 25), NOW)
    chase = concerns.await_outcome(concern, NOW)
    with pytest.raises(concerns.ConcernError, match="already awaited"):
        concerns.await_outcome(Concern.get_by_id(concern.id), NOW)
    concerns.record_outcome(Concern.get_by_id(concern.id), "Early help offered; family engaged.", NOW)
    concern = Concern.get_by_id(concern.id)
    assert concern.status == "open"
    assert Action.get_by_id(chase.id).done_on == NOW.date()
    assert steps_of(concern)["commissioned/outcome-summary"].done.kind == "outcome"  # seed 000, step 5
    with pytest.raises(concerns.ConcernError, match="1 follow-up action is still open"):
        concerns.sign_off(concern, NOW)
    concerns.complete_action(Action.get_by_id(action.id), NOW.date(), NOW, "She had.")
    concerns.sign_off(concern, NOW, "Agreed with Claire Ashdown by phone.")
    concern = Concern.get_by_id(concern.id)
    assert (concern.status, concern.closed_on) == ("closed", NOW.date())
    last = concerns.entries(concern)[-1]
    assert (last.kind, last.text) == ("signed_off", "Agreed action taken. Agreed with Claire Ashdown by phone.")
    assert steps_of(concern)["commissioned/sign-off"].done.id == last.id  # seed 000, step 6
    with pytest.raises(concerns.ConcernError, match="re-open it"):
        concerns.add_entry(concern, "note", "More", NOW)
    with pytest.raises(concerns.ConcernError, match="why"):
        concerns.reopen(concern, "  ", NOW)
    concerns.reopen(concern, "The parent called back with more.", NOW)
    concern = Concern.get_by_id(concern.id)
    assert (concern.status, concern.closed_on) == ("open", None)
    kinds = [e.kind for e in concerns.entries(concern)]
    assert kinds[-2:] == ["signed_off", "reopened"]
    assert kinds.count("note") == 2 and "outcome" in kinds and "action_taken" in kinds


def test_steps_not_done_leave_out_the_sign_off_step_itself(open_vault):
    concern = cs.raise_concern(cs.site(), NOW)
    before = [s.key for s in concerns.procedure_for(concern).steps if s.done is None]
    left = [s.key for s in concerns.steps_not_done(concern)]
    assert "commissioned/sign-off" in before and "commissioned/sign-off" not in left
    assert left == [k for k in before if k != "commissioned/sign-off"]
    first = concerns.procedure_for(concern).steps[0]
    concerns.complete_step(concern, first, NOW, how="in person", said="Told her.")
    assert [s.key for s in concerns.steps_not_done(concern)] == left[1:]


def test_sign_off_can_close_open_actions_with_it(open_vault):
    concern = cs.raise_concern(cs.site(), NOW)
    concerns.add_action(concern, "Check the bruise photo is on CPOMS", "DSL", date(2026, 11, 23), NOW)
    concerns.sign_off(concern, NOW, close_actions=True)
    assert concerns.open_actions(concern) == []
    assert "Closed with the sign-off: Check the bruise photo is on CPOMS" in [e.text for e in concerns.entries(concern)]


def test_next_action_text(open_vault):
    concern = cs.raise_concern(cs.site(), NOW, noticed=datetime(2026, 11, 19, 10, 0))
    assert concerns.next_action_text(concern, NOW.date()) == "Tell the site's DSL (immediately after the session)"
    concerns.add_action(concern, "Phone the DSL", "me", date(2026, 11, 21), datetime(2026, 11, 20, 9))
    assert concerns.next_action_text(concern, NOW.date()) == "OVERDUE since 21 Nov 2026: Phone the DSL"


# --------------------------------------------------------------------------- the list


def test_filters_and_text_search(open_vault):
    kestrel = cs.site()
    otter = cs.site(name="Otterbrook Academy")
    a = cs.raise_concern(kestrel, NOW, noticed=datetime(2026, 10, 1, 10, 0), account="Mentioned a belt.")
    b = cs.raise_concern(otter, NOW, kind="whistleblowing", noticed=datetime(2026, 11, 20, 10, 0), account="Bells unanswered.")
    with change():
        b.categories = ["neglect"]
        b.save()
    concerns.add_entry(a, "referral", "Referred to the 100% safe_team", NOW, shared_with="Fenshire MASH", how="phone")
    concerns.sign_off(b, NOW)

    def refs(**kw):
        return [c.reference for c in concerns.find_concerns(concerns.ConcernFilter(**kw))]

    assert refs() == [b.reference, a.reference]
    assert refs(site_id=kestrel.id) == [a.reference]
    assert refs(status="closed") == [b.reference]
    assert refs(status="active") == [a.reference]
    assert refs(kind="whistleblowing") == [b.reference]
    assert refs(category="neglect") == [b.reference]
    assert refs(date_from=date(2026, 11, 1)) == [b.reference]
    assert refs(date_to=date(2026, 10, 1)) == [a.reference]
    assert refs(text="BELT") == [a.reference]  # the account, any case
    assert refs(text="mash") == [a.reference]  # an entry's "shared with"
    assert refs(text="100% safe_team") == [a.reference]  # LIKE wildcards are literal
    assert refs(text="10% safe") == []
    assert refs(text="belt bells") == []  # every word must match
    assert refs(text="otterbrook") == [b.reference]  # the site's name
    assert refs(text="otterbrook bells") == [b.reference]
    assert refs(text="otterbrook belt") == []


# --------------------------------------------------------------------------- templates


def test_a_broken_user_template_is_reported_and_the_shipped_ones_still_work(open_vault):
    broken = (FIXTURES / "broken-role.toml").read_text()
    with pytest.raises(TemplateError) as caught:
        concerns.add_user_template("broken-role.toml", broken)
    assert str(caught.value).startswith("broken-role.toml, line 14: ")
    assert "unknown role 'dls'" in str(caught.value)
    assert ProcedureTemplate.select().count() == 0  # nothing stored

    # One stored before a stricter sitecare, say, is reported on every load and skipped.
    with change():
        ProcedureTemplate.create(key="my-org", filename="broken-role.toml", text=broken)
    loaded = concerns.load_all_templates()
    assert [(e.filename, e.line) for e in loaded.errors] == [("broken-role.toml", 14)]
    assert set(loaded.templates) == SHIPPED_KEYS
    at = cs.site(procedure_template="my-org")
    concern = cs.raise_concern(at, NOW)
    assert concern.routes == ["commissioned"]
    procedure = concerns.procedure_for(concern)
    assert any("'my-org' is not available" in n for n in procedure.notes)
    assert [str(e) for e in procedure.template_errors] == [str(loaded.errors[0])]


def test_a_user_template_is_added_assigned_replaced_and_removed(open_vault, tmp_path):
    good = (FIXTURES / "my-commissioned.toml").read_text()
    path = tmp_path / "my-commissioned.toml"
    path.write_text(good)
    filename, text = concerns.read_template_file(str(path))
    template = concerns.add_user_template(filename, text)
    with pytest.raises(concerns.ConcernError, match="already have a template"):
        concerns.add_user_template(filename, text)
    concerns.add_user_template(filename, text, replace=True)
    at = cs.site()
    concerns.assign_template(at, template.key)
    assert cs.raise_concern(at, NOW).routes == [template.key]
    with pytest.raises(concerns.ConcernError, match="not a route for disclosures"):
        concerns.assign_template(at, "whistleblowing")
    assert concerns.remove_user_template(template.key) == [at.name]
    assert cs.raise_concern(at, NOW).routes == ["commissioned"]
    with pytest.raises(concerns.ConcernError, match="no file"):
        concerns.read_template_file(str(tmp_path / "missing.toml"))


# --------------------------------------------------------------------------- exports


def _shared_concern():
    at = cs.site()
    concern = cs.raise_concern(at, NOW)
    concerns.add_entry(concern, "note", "The head told me about the family's history in confidence.", NOW, restricted=True)
    told = concerns.add_entry(concern, "action_taken", "Told the DSL in person.", NOW, how="in person", shared_with="Claire Ashdown")
    concerns.correct_entry(told, "It was by phone: she was off site.", NOW)
    return concern


def test_exports_leave_out_restricted_entries_unless_asked(open_vault):
    concern = _shared_concern()
    text = exports.record_text(concern, NOW)
    markdown = exports.record_markdown(concern, NOW)
    for body in (text, markdown):
        assert "family's history" not in body
        assert "1 entry marked restricted third-party information left out of this copy." in body
        assert "Told the DSL in person." in body and "It was by phone" in body
        assert "Corrects entry #3 (which is kept as written)" in body
    assert markdown.startswith("# Safeguarding concern C-2026-001\n")
    full = exports.record_markdown(concern, NOW, include_restricted=True)
    assert "family's history" in full and "RESTRICTED third-party information" in full
    # Restricting an entry later, by a correction, hides it from copies too.
    first = concerns.entries(concern)[0]
    concerns.correct_entry(first, "The account names the neighbour: restricted.", NOW, restrict=True)
    assert "stepdad" not in exports.record_text(concern, NOW).split("CHRONOLOGY")[1]


def test_eml_draft_is_addressed_to_the_site_dsl_with_the_record_attached(open_vault):
    concern = _shared_concern()
    data, warning = exports.export_bytes(concern, "eml", NOW, include_restricted=False)
    assert warning == ""
    message = message_from_bytes(data)
    assert message["To"] == "Claire Ashdown <c.ashdown@kestrelfen.sch.example>"
    assert message["X-Unsent"] == "1"
    assert "C-2026-001" in message["Subject"]
    parts = list(message.walk())
    attachment = [p for p in parts if p.get_filename()][0]
    assert attachment.get_filename() == "C-2026-001-record.md"
    body = attachment.get_payload(decode=True).decode()
    assert "Told the DSL in person." in body and "family's history" not in body
    # No DSL email recorded: a draft with no recipient, and a warning.
    bare = cs.raise_concern(cs.site(name="Poppyfield Day Centre", dsl=False), NOW)
    data, warning = exports.export_bytes(bare, "eml", NOW, include_restricted=False)
    assert message_from_bytes(data)["To"] is None and "no recipient" in warning


def test_exports_are_0600_and_never_overwrite_unasked(open_vault, tmp_path):
    target = tmp_path / "record.md"
    exports.write_export(target, b"first")
    assert oct(os.stat(target).st_mode & 0o777) == "0o600"
    with pytest.raises(exports.ExportError, match="already exists"):
        exports.write_export(target, b"second")
    assert target.read_bytes() == b"first"
    os.chmod(target, 0o644)
    exports.write_export(target, b"second", overwrite=True)
    assert target.read_bytes() == b"second"
    assert oct(os.stat(target).st_mode & 0o777) == "0o600"
    with pytest.raises(exports.ExportError, match="does not exist"):
        exports.write_export(tmp_path / "nowhere" / "x.md", b"x")


# --------------------------------------------------------------------------- drafts


def test_drafts_round_trip_and_survive_damage(open_vault):
    form = dict(concerns.EMPTY_FORM, account="Half a sentence", categories=["neglect"], site=3, started_at="2026-11-22T09:00:00")
    raw = concerns.draft_bytes(form)
    assert json.loads(raw)["account"] == "Half a sentence"
    back = concerns.read_draft_bytes(raw)
    assert back["account"] == "Half a sentence" and back["categories"] == ["neglect"] and back["site"] == 3
    # Not JSON (cut short, say): the text is kept as the account rather than lost.
    mangled = concerns.read_draft_bytes(raw[:40])
    assert mangled["account"] == raw[:40].decode()
    assert concerns.form_has_content(dict(concerns.EMPTY_FORM, noticed="x"), dict(concerns.EMPTY_FORM, noticed="x")) is False
    assert concerns.form_has_content(dict(concerns.EMPTY_FORM, account="a")) is True


def test_categories_are_seed_003s_list():
    assert len(CATEGORIES) == len(set(CATEGORIES)) == 22
    for needle in ("neglect", "upskirting", "radicalisation", "female genital mutilation (FGM)", "youth-produced sexual imagery"):
        assert needle in CATEGORIES


def test_demo_entries_tick_real_steps(open_vault):
    from sitecare.data.demo import populate_demo

    populate_demo(date(2026, 11, 22))
    ticked = 0
    for concern in Concern.select():
        keys = {state.key for state in concerns.procedure_for(concern).steps}
        for entry in concern.chronology:
            if entry.step_key:
                assert entry.step_key in keys, (concern.reference, entry.step_key)
                ticked += 1
    assert ticked >= 15
    larkspur = Concern.get(Concern.reference == "C-2026-011")
    assert concerns.procedure_for(larkspur).steps[0].done is not None


def test_next_action_says_when_a_timed_step_is_overdue(open_vault):
    concern = cs.raise_concern(cs.site(org=cs.organisation()), NOW, kind="serious_incident",
                               noticed=datetime(2026, 11, 10, 19, 0))
    later = datetime(2026, 11, 22, 9, 0)
    assert concerns.next_action_text(concern, later.date(), now=later) == (
        "OVERDUE since 10 Nov 2026: Contact your organisation's safeguarding team today"
    )
    same_evening = datetime(2026, 11, 10, 20, 0)
    assert concerns.next_action_text(concern, same_evening.date(), now=same_evening).endswith("(by the end of 10 Nov 2026)")


def test_a_missing_out_of_hours_line_still_shows_the_daytime_number(open_vault):
    la = cs.authority(name="Hertford-like", children_out_of_hours_phone="")
    at = cs.site(arrangement="private", la=la, dsl=False)
    evening = datetime(2026, 11, 24, 19, 0)
    refer = steps_of(cs.raise_concern(at, NOW, noticed=evening))["private-child/refer-la-children"]
    assert refer.resolved.role == "la_out_of_hours" and refer.resolved.gap
    assert [c.phone for c in refer.also] == ["01632 960100"]


def test_a_page_of_the_concerns_list_reads_only_its_own_sites(open_vault):
    """preload() for the list's page read every site and every contact of the vault (3,000
    on the large one); procedure_for asks only for the concern's site and its people."""
    kestrel, otter = cs.site(), cs.site(name="Otterbrook Academy")
    cs.site(name="Heronsgate House")
    first = cs.raise_concern(kestrel, NOW)
    second = cs.raise_concern(otter, NOW, account="Call bells unanswered.", kind="whistleblowing")
    pre = concerns.preload([first])
    assert set(pre.sites) == {kestrel.id} and set(pre.contacts) == {kestrel.id}
    # And each next step is what the concern read on its own gives.
    both = [Concern.get_by_id(first.id), Concern.get_by_id(second.id)]
    assert concerns.next_actions(both, NOW.date(), NOW) == {
        c.id: concerns.next_action_text(c, NOW.date(), now=NOW) for c in both}
