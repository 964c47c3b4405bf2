"""The procedure engine: route choice, template parsing, contact and deadline resolution.

Expected dates and routes are worked out by hand (calendars and the seeds), never by
calling the function under test.
"""

from __future__ import annotations

import dataclasses
import re
from datetime import date, datetime, time
from pathlib import Path

import pytest

import sitecare
from sitecare.rules.procedures import (
    ROLES,
    ContactInfo,
    OfficeHours,
    Procedure,
    ProcedureContext,
    TemplateError,
    choose_route,
    explain_route,
    is_office_hours,
    load_templates,
    parse_deadline,
    parse_template,
    resolve,
    resolve_routes,
)

SHIPPED_DIR = Path(sitecare.__file__).parent / "data" / "reference" / "procedures"
FIXTURES = Path(__file__).parent / "fixtures" / "procedures"
SEED_FILES = {
    "000_00de3f88eb12b296.txt",
    "001_906cb37066363015.txt",
    "002_404072af76ee182c.txt",
    "003_438f426657d4b2d7.txt",
    "004_560fd63a680e89c6.txt",
}

# Fictional people, Ofcom drama numbers.
DSL = ContactInfo("Ann Example", "01632 960001", organisation="St Fictional's School", source="site record")
DEPUTY = ContactInfo("Ben Example", "01632 960002", organisation="St Fictional's School")
HEAD = ContactInfo("Cara Example", "01632 960003")
CHAIR = ContactInfo("Dev Example", "01632 960004")
LA_CHILDREN = ContactInfo("Children's safeguarding team", "01632 960010")
LA_OOH = ContactInfo("Out-of-hours team", "01632 960011")
LA_ADULTS = ContactInfo("Adult Social Care safeguarding", "01632 960012")
LA_ADULTS_OOH = ContactInfo("Adults out of hours", "01632 960013")
HPFT = ContactInfo("Mental-health trust", "01632 960014")
LADO = ContactInfo("LADO", "01632 960015")
PARENT = ContactInfo("Parent Example", "07700 900001")
OWN_MANAGER = ContactInfo("Manager Example", "07700 900002")
OWN_LEAD = ContactInfo("Lead Example", "07700 900003")
SITE_MANAGER = ContactInfo("Office Example", "01632 960020")

# A Thursday in term, mid-afternoon (1 Jan 2026 is a Thursday; 5 Mar is 63 days later).
THURSDAY = datetime(2026, 3, 5, 14, 30)


def _shipped_files() -> list[tuple[str, str]]:
    return [(p.name, p.read_text(encoding="utf-8")) for p in sorted(SHIPPED_DIR.glob("*.toml"))]


@pytest.fixture(scope="module")
def shipped():
    templates, errors = load_templates(_shipped_files(), [])
    assert errors == []
    return templates


def _step(procedure: Procedure, route: str, key: str):
    matches = [s for s in procedure.steps if s.route == route and s.step.key == key]
    assert len(matches) == 1, f"{route}/{key} not among {[(s.route, s.step.key) for s in procedure.steps]}"
    return matches[0]


# --------------------------------------------------------------------------- route choice

# Every arrangement x client type x kind, without immediate danger, by hand from the seeds.
EXPECTED_ROUTES = {
    ("commissioned", "child", "disclosure"): ["commissioned"],
    ("commissioned", "adult", "disclosure"): ["commissioned"],
    ("commissioned", "unknown", "disclosure"): ["commissioned"],
    ("private", "child", "disclosure"): ["private-child"],
    ("private", "adult", "disclosure"): ["private-adult"],
    ("private", "unknown", "disclosure"): ["private-child"],  # safer default
    ("commissioned", "child", "allegation_staff"): ["allegation-against-staff"],
    ("commissioned", "adult", "allegation_staff"): ["allegation-against-staff"],
    ("commissioned", "unknown", "allegation_staff"): ["allegation-against-staff"],
    ("private", "child", "allegation_staff"): ["allegation-against-staff"],
    ("private", "adult", "allegation_staff"): ["allegation-against-staff"],
    ("private", "unknown", "allegation_staff"): ["allegation-against-staff"],
    ("commissioned", "child", "whistleblowing"): ["whistleblowing"],
    ("commissioned", "adult", "whistleblowing"): ["whistleblowing"],
    ("commissioned", "unknown", "whistleblowing"): ["whistleblowing"],
    ("private", "child", "whistleblowing"): ["whistleblowing"],
    ("private", "adult", "whistleblowing"): ["whistleblowing"],
    ("private", "unknown", "whistleblowing"): ["whistleblowing"],
    ("commissioned", "child", "serious_incident"): ["serious-incident", "commissioned"],
    ("commissioned", "adult", "serious_incident"): ["serious-incident", "commissioned"],
    ("commissioned", "unknown", "serious_incident"): ["serious-incident", "commissioned"],
    ("private", "child", "serious_incident"): ["serious-incident", "private-child"],
    ("private", "adult", "serious_incident"): ["serious-incident", "private-adult"],
    ("private", "unknown", "serious_incident"): ["serious-incident", "private-child"],
    ("commissioned", "child", "data_breach"): ["data-breach", "serious-incident"],
    ("commissioned", "adult", "data_breach"): ["data-breach", "serious-incident"],
    ("commissioned", "unknown", "data_breach"): ["data-breach", "serious-incident"],
    ("private", "child", "data_breach"): ["data-breach", "serious-incident"],
    ("private", "adult", "data_breach"): ["data-breach", "serious-incident"],
    ("private", "unknown", "data_breach"): ["data-breach", "serious-incident"],
}


def test_route_table_covers_every_combination():
    combos = {
        (a, c, k)
        for a in ("commissioned", "private")
        for c in ("child", "adult", "unknown")
        for k in ("disclosure", "allegation_staff", "whistleblowing", "serious_incident", "data_breach")
    }
    assert set(EXPECTED_ROUTES) == combos


@pytest.mark.parametrize("danger", [False, True], ids=["no-danger", "danger"])
@pytest.mark.parametrize("combo", sorted(EXPECTED_ROUTES), ids=lambda c: "-".join(c))
def test_choose_route_every_combination(combo, danger):
    arrangement, client_type, kind = combo
    expected = (["immediate-danger"] if danger else []) + EXPECTED_ROUTES[combo]
    assert choose_route(arrangement, client_type, kind, danger) == expected


@pytest.mark.parametrize("combo", sorted(EXPECTED_ROUTES), ids=lambda c: "-".join(c))
def test_every_chosen_route_has_a_shipped_template_that_applies(combo, shipped):
    arrangement, client_type, kind = combo
    for key in choose_route(arrangement, client_type, kind, True):
        template = shipped[key]
        applies = template.applies_to
        if key == "immediate-danger":
            assert kind in applies.kinds
            continue
        if key in ("commissioned", "private-child", "private-adult") and kind == "serious_incident":
            assert "disclosure" in applies.kinds  # offered as the client's safeguarding route
        else:
            assert kind in applies.kinds
        assert applies.arrangement in (arrangement, "any")
        assert applies.client_type in (client_type if client_type != "unknown" else "child", "any")


def test_unknown_private_client_says_child_route_is_the_safer_default():
    choice = explain_route("private", "unknown", "disclosure", False)
    assert choice.routes == ("private-child",)
    assert any("client type is not recorded" in n and "safer default" in n for n in choice.notes)
    assert not any("client type" in n for n in explain_route("private", "child", "disclosure", False).notes)


def test_data_breach_offers_serious_incident_rather_than_requiring_it():
    choice = explain_route("private", "adult", "data_breach", False)
    assert choice.routes == ("data-breach",)
    assert choice.offered == ("serious-incident",)
    assert any("002" in n for n in choice.notes)


def test_immediate_danger_puts_police_first_in_the_resolved_steps(shipped):
    keys = choose_route("commissioned", "child", "disclosure", True)
    procedure = resolve([shipped[k] for k in keys], ProcedureContext(moment=THURSDAY))
    first = procedure.steps[0]
    assert (first.route, first.role) == ("immediate-danger", "police")
    assert [c.phone for c in first.contacts] == ["999"]  # supplied by the template
    assert first.gap is False
    assert first.due == THURSDAY
    assert procedure.steps[1].route == "commissioned"


def test_without_danger_there_is_no_police_step(shipped):
    keys = choose_route("commissioned", "child", "disclosure", False)
    procedure = resolve([shipped[k] for k in keys], ProcedureContext(moment=THURSDAY))
    assert "police" not in [s.role for s in procedure.steps]


def test_recorded_police_contact_is_preferred_to_the_template_number(shipped):
    local = ContactInfo("Local police", "101")
    ctx = ProcedureContext(moment=THURSDAY, contacts={"police": [local]})
    step = _step(resolve(shipped["immediate-danger"], ctx), "immediate-danger", "call-police")
    assert step.contacts == (local,)


def test_site_template_replaces_the_disclosure_route_only():
    assert choose_route("commissioned", "child", "disclosure", False, "mtb-establishment-visit") == [
        "mtb-establishment-visit"
    ]
    assert choose_route("commissioned", "child", "disclosure", True, "mtb-establishment-visit") == [
        "immediate-danger",
        "mtb-establishment-visit",
    ]
    assert choose_route("commissioned", "child", "allegation_staff", False, "mtb-establishment-visit") == [
        "allegation-against-staff"
    ]


def test_site_template_that_did_not_load_falls_back_with_a_note():
    choice = explain_route(
        "commissioned", "adult", "disclosure", False, "my-org", available={"commissioned", "private-adult"}
    )
    assert choice.routes == ("commissioned",)
    assert any("'my-org'" in n and "not available" in n for n in choice.notes)


@pytest.mark.parametrize(
    "args",
    [
        ("freelance", "child", "disclosure"),
        ("private", "teen", "disclosure"),
        ("private", "child", "complaint"),
    ],
)
def test_choose_route_rejects_unknown_values(args):
    with pytest.raises(ValueError):
        choose_route(*args, False)


# --------------------------------------------------------------------------- office hours


@pytest.mark.parametrize(
    ("moment", "nation", "expected"),
    [
        (datetime(2026, 3, 6, 16, 59), "ENG", True),  # Friday, a minute before closing
        (datetime(2026, 3, 6, 17, 0), "ENG", False),  # Friday, closing time
        (datetime(2026, 3, 6, 9, 0), "ENG", True),  # opening time
        (datetime(2026, 3, 6, 8, 59), "ENG", False),
        (datetime(2026, 3, 7, 12, 0), "ENG", False),  # Saturday
        (datetime(2026, 3, 8, 12, 0), "SCT", False),  # Sunday
        (datetime(2026, 4, 6, 10, 0), "ENG", False),  # Easter Monday: a bank holiday in England
        (datetime(2026, 4, 6, 10, 0), "SCT", True),  # but not in Scotland
        (datetime(2026, 4, 6, 10, 0), "NIR", False),
        (datetime(2027, 1, 4, 10, 0), "SCT", False),  # Scotland's 2 Jan holiday, moved to Monday
        (datetime(2027, 1, 4, 10, 0), "ENG", True),
    ],
)
def test_is_office_hours(moment, nation, expected):
    assert is_office_hours(moment, OfficeHours(), nation) is expected


def test_office_hours_can_be_set_per_local_authority():
    late = OfficeHours(open=time(8, 30), close=time(17, 30), weekdays=frozenset({0, 1, 2, 3, 4, 5}))
    assert is_office_hours(datetime(2026, 3, 6, 17, 15), late, "ENG") is True
    assert is_office_hours(datetime(2026, 3, 7, 10, 0), late, "ENG") is True  # Saturday now open
    assert is_office_hours(datetime(2026, 3, 6, 17, 30), late, "ENG") is False
    assert is_office_hours(datetime(2026, 3, 6, 17, 15)) is False  # default 09:00-17:00


CHILD_LA = {"la_children": [LA_CHILDREN], "la_out_of_hours": [LA_OOH], "parent_carer": [PARENT]}


@pytest.mark.parametrize(
    ("moment", "nation", "role", "contact"),
    [
        (datetime(2026, 3, 6, 16, 59), "ENG", "la_children", LA_CHILDREN),
        (datetime(2026, 3, 6, 17, 0), "ENG", "la_out_of_hours", LA_OOH),
        (datetime(2026, 3, 7, 11, 0), "ENG", "la_out_of_hours", LA_OOH),
        (datetime(2026, 4, 6, 11, 0), "ENG", "la_out_of_hours", LA_OOH),
        (datetime(2026, 4, 6, 11, 0), "SCT", "la_children", LA_CHILDREN),
    ],
)
def test_children_referral_uses_out_of_hours_line_outside_office_hours(shipped, moment, nation, role, contact):
    ctx = ProcedureContext(moment=moment, nation=nation, parent_safe=False, contacts=CHILD_LA)
    procedure = resolve(shipped["private-child"], ctx)
    step = _step(procedure, "private-child", "refer-la-children")
    assert step.role == role
    assert step.contacts == (contact,)
    assert step.gap is False
    assert procedure.in_office_hours is (role == "la_children")
    if role == "la_out_of_hours":
        assert "outside the local authority's office hours" in step.fallback_note
    else:
        assert step.fallback_note == ""


def test_out_of_hours_without_a_number_is_a_gap_not_a_silent_daytime_number(shipped):
    # Hertfordshire's children's line has no out-of-hours number in seed 000.
    ctx = ProcedureContext(
        moment=datetime(2026, 3, 7, 11, 0), parent_safe=False, contacts={"la_children": [LA_CHILDREN]}
    )
    step = _step(resolve(shipped["private-child"], ctx), "private-child", "refer-la-children")
    assert step.role == "la_out_of_hours"
    assert step.contacts == ()
    assert step.gap is True
    assert step.gap_message == "No children's out-of-hours line recorded for the local authority — add one (key: c)"


@pytest.mark.parametrize(
    ("flags", "moment", "role", "contact"),
    [
        ({}, THURSDAY, "la_adults", LA_ADULTS),
        ({}, datetime(2026, 3, 7, 11, 0), "la_adults_out_of_hours", LA_ADULTS_OOH),
        ({"hertfordshire_mental_health": True}, THURSDAY, "la_mental_health", HPFT),
        # HPFT comes before the out-of-hours line: the seed sends these clients to HPFT
        ({"hertfordshire_mental_health": True}, datetime(2026, 3, 7, 11, 0), "la_mental_health", HPFT),
    ],
)
def test_private_adult_referral(shipped, flags, moment, role, contact):
    contacts = {"la_adults": [LA_ADULTS], "la_adults_out_of_hours": [LA_ADULTS_OOH], "la_mental_health": [HPFT]}
    ctx = ProcedureContext(moment=moment, contacts=contacts, **flags)
    step = _step(resolve(shipped["private-adult"], ctx), "private-adult", "refer-adult-social-care")
    assert (step.role, step.contacts) == (role, (contact,))


# --------------------------------------------------------------------------- contacts and gaps


def test_missing_dsl_is_a_gap_and_the_step_is_kept(shipped):
    ctx = ProcedureContext(moment=THURSDAY, contacts={})
    procedure = resolve(shipped["commissioned"], ctx)
    assert [s.step.key for s in procedure.steps] == [
        "tell-dsl",
        "record-incident",
        "share-record",
        "dsl-decides",
        "outcome-summary",
        "sign-off",
    ]
    tell = _step(procedure, "commissioned", "tell-dsl")
    assert tell.gap is True
    assert tell.contacts == ()
    assert tell.gap_message.startswith("No DSL recorded for this site — add one (key: c)")
    assert "deputy DSL" in tell.gap_message  # the fallback was tried and is missing too
    record = _step(procedure, "commissioned", "record-incident")
    assert record.gap is False and record.gap_message == ""  # the practitioner's own step
    assert tell in procedure.gaps and record not in procedure.gaps


def test_missing_dsl_with_a_deputy_shows_the_deputy_and_still_flags_the_gap(shipped):
    ctx = ProcedureContext(moment=THURSDAY, contacts={"deputy_dsl": [DEPUTY]})
    tell = _step(resolve(shipped["commissioned"], ctx), "commissioned", "tell-dsl")
    assert tell.role == "deputy_dsl"
    assert tell.contacts == (DEPUTY,)
    assert tell.gap is True
    assert tell.gap_message == "No DSL recorded for this site — add one (key: c)"
    assert tell.fallback_note == "Instead of the DSL: the deputy DSL, because no DSL is recorded."


def test_dsl_recorded_resolves_with_no_gap(shipped):
    ctx = ProcedureContext(moment=THURSDAY, contacts={"site_dsl": [DSL], "deputy_dsl": [DEPUTY]})
    tell = _step(resolve(shipped["commissioned"], ctx), "commissioned", "tell-dsl")
    assert (tell.role, tell.contacts, tell.gap, tell.gap_message) == ("site_dsl", (DSL,), False, "")
    assert tell.due == THURSDAY
    assert tell.due_text == "immediately after the session"


def test_gap_hint_comes_from_the_caller(shipped):
    ctx = ProcedureContext(moment=THURSDAY, add_contact_hint="press F3 to add one")
    tell = _step(resolve(shipped["mtb-establishment-visit"], ctx), "mtb-establishment-visit", "tell-dsl")
    assert tell.gap_message.startswith("No DSL recorded for this site — press F3 to add one")


def test_contacts_for_unknown_roles_are_refused(shipped):
    with pytest.raises(ValueError, match="dls"):
        resolve(shipped["commissioned"], ProcedureContext(moment=THURSDAY, contacts={"dls": [DSL]}))


SITE = {
    "head": [HEAD],
    "site_dsl": [DSL],
    "chair_of_governors": [CHAIR],
    "own_org_manager": [OWN_MANAGER],
    "lado": [LADO],
}


@pytest.mark.parametrize(
    ("flags", "role", "contact"),
    [
        ({}, "head", HEAD),
        ({"head_away": True}, "site_dsl", DSL),
        ({"about_head": True}, "chair_of_governors", CHAIR),
        ({"about_head": True, "head_away": True}, "chair_of_governors", CHAIR),
    ],
)
def test_allegation_goes_to_head_dsl_or_chair(shipped, flags, role, contact):
    ctx = ProcedureContext(moment=THURSDAY, contacts=SITE, **flags)
    procedure = resolve(shipped["allegation-against-staff"], ctx)
    step = _step(procedure, "allegation-against-staff", "tell-head")
    assert (step.role, step.contacts, step.gap) == (role, (contact,), False)
    assert step.due == THURSDAY and step.due_text == "immediately"
    manager = _step(procedure, "allegation-against-staff", "tell-own-manager")
    assert manager.contacts == (OWN_MANAGER,)


def test_allegation_about_head_with_no_chair_recorded_is_a_gap(shipped):
    contacts = {"head": [HEAD], "site_dsl": [DSL]}
    ctx = ProcedureContext(moment=THURSDAY, contacts=contacts, about_head=True)
    step = _step(resolve(shipped["allegation-against-staff"], ctx), "allegation-against-staff", "tell-head")
    assert step.role == "chair_of_governors"
    assert step.contacts == ()  # never the head the allegation is about
    assert step.gap_message == "No chair of governors recorded for this site — add one (key: c)"


@pytest.mark.parametrize(
    ("flags", "role"),
    [({}, "head"), ({"about_dsl": True}, "chair_of_governors"), ({"about_head": True}, "chair_of_governors")],
)
def test_whistleblowing_about_head_or_dsl_goes_to_chair(shipped, flags, role):
    ctx = ProcedureContext(moment=THURSDAY, contacts=SITE, **flags)
    step = _step(resolve(shipped["whistleblowing"], ctx), "whistleblowing", "tell-head-or-dsl")
    assert step.role == role


def test_whistleblowing_nspcc_line_comes_from_seed_003(shipped):
    procedure = resolve(shipped["whistleblowing"], ProcedureContext(moment=THURSDAY))
    nspcc = _step(procedure, "whistleblowing", "nspcc-guidance")
    assert nspcc.optional is True
    assert [(c.phone, c.email, c.source) for c in nspcc.contacts] == [
        ("0800 028 0285", "help@nspcc.org.uk", "003_438f426657d4b2d7.txt")
    ]
    assert nspcc.gap is False
    # the own-organisation step is only there when the concern is about one's own organisation
    assert "own-org-manager" in [s.step.key for s in procedure.skipped]
    own = ProcedureContext(moment=THURSDAY, about_own_org=True, contacts=SITE)
    assert _step(resolve(shipped["whistleblowing"], own), "whistleblowing", "own-org-manager").contacts == (
        OWN_MANAGER,
    )


@pytest.mark.parametrize(
    ("parent_safe", "present", "refer_optional"),
    [
        (True, ["discuss-with-parent", "refer-la-children", "tell-parent-of-referral"], True),
        (False, ["refer-la-children"], False),
        (None, ["discuss-with-parent", "refer-la-children", "tell-parent-of-referral"], False),
    ],
)
def test_private_child_parent_safety_decides_the_steps(shipped, parent_safe, present, refer_optional):
    ctx = ProcedureContext(moment=THURSDAY, parent_safe=parent_safe, contacts=CHILD_LA)
    procedure = resolve(shipped["private-child"], ctx)
    keys = [s.step.key for s in procedure.steps]
    involving_parent = ["discuss-with-parent", "refer-la-children", "tell-parent-of-referral"]
    assert [k for k in keys if k in involving_parent] == present
    assert _step(procedure, "private-child", "refer-la-children").optional is refer_optional
    skipped = [s.step.key for s in procedure.skipped]
    assert sorted(skipped) == sorted(set(involving_parent) - set(present))
    if parent_safe is None:
        discuss = _step(procedure, "private-child", "discuss-with-parent")
        assert "not decided yet" in discuss.condition_note


def test_private_child_never_waits_for_consent_and_records(shipped):
    template = shipped["private-child"]
    refer = next(s for s in template.steps if s.key == "refer-la-children")
    assert "consent" in refer.detail
    assert "002_404072af76ee182c.txt" in refer.source
    assert "supervision" in [s.key for s in template.steps]


# --------------------------------------------------------------------------- deadlines


@pytest.mark.parametrize(
    ("moment", "nation", "expected"),
    [
        # Thu 24 Dec 2026: Fri 25 Christmas, Sat/Sun, Mon 28 Boxing Day (substitute) -> Tue 29
        (datetime(2026, 12, 24, 10, 0), "ENG", date(2026, 12, 29)),
        (datetime(2026, 12, 24, 10, 0), "SCT", date(2026, 12, 29)),
        # Thu 31 Dec 2026: Fri 1 Jan holiday, weekend; Scotland's 2 Jan (a Saturday) moves
        # to Mon 4 Jan, so England is due Mon 4 Jan and Scotland Tue 5 Jan
        (datetime(2026, 12, 31, 10, 0), "ENG", date(2027, 1, 4)),
        (datetime(2026, 12, 31, 10, 0), "SCT", date(2027, 1, 5)),
        # Thu 2 Apr 2026: Good Friday 3 Apr everywhere; Easter Monday 6 Apr not in Scotland
        (datetime(2026, 4, 2, 10, 0), "ENG", date(2026, 4, 7)),
        (datetime(2026, 4, 2, 10, 0), "SCT", date(2026, 4, 6)),
        # an ordinary Thursday -> Friday
        (THURSDAY, "WLS", date(2026, 3, 6)),
    ],
)
def test_lado_within_one_working_day(shipped, moment, nation, expected):
    ctx = ProcedureContext(moment=moment, nation=nation, contacts=SITE)
    lado = _step(resolve(shipped["allegation-against-staff"], ctx), "allegation-against-staff", "lado")
    assert lado.step.deadline.text == "within 1 working day"
    assert lado.due == expected
    assert lado.due_by == datetime(expected.year, expected.month, expected.day, 23, 59, 59)
    assert lado.contacts == (LADO,)


def test_lado_due_text_names_the_date_and_nation(shipped):
    ctx = ProcedureContext(moment=datetime(2026, 12, 31, 10, 0), nation="SCT")
    lado = _step(resolve(shipped["allegation-against-staff"], ctx), "allegation-against-staff", "lado")
    assert lado.due_text == "by 5 Jan 2027 (within 1 working day, Scotland)"


def test_lado_one_working_day_is_named_as_not_from_the_seeds(shipped):
    template = shipped["allegation-against-staff"]
    assert "NOT in the seeds" in template.notes
    lado = next(s for s in template.steps if s.key == "lado")
    assert lado.source.startswith("Not in the seeds")


def test_serious_incident_same_day_and_24_hours(shipped):
    moment = datetime(2026, 3, 5, 16, 45)
    ctx = ProcedureContext(moment=moment, contacts={"own_org_safeguarding_lead": [OWN_LEAD]})
    procedure = resolve(shipped["serious-incident"], ctx)
    team = _step(procedure, "serious-incident", "contact-safeguarding-team")
    assert team.due == datetime(2026, 3, 5, 23, 59, 59)
    assert team.due_text == "by the end of 5 Mar 2026"
    assert team.contacts == (OWN_LEAD,)
    form = _step(procedure, "serious-incident", "notification-form")
    assert form.due == datetime(2026, 3, 6, 16, 45)
    assert form.due_text == "by 6 Mar 2026 16:45 (within 24 hours)"
    assert _step(procedure, "serious-incident", "email-form").due == datetime(2026, 3, 6, 16, 45)


@pytest.mark.parametrize(
    ("arrangement", "site_step", "ico_optional"),
    [("commissioned", True, True), ("private", False, False), (None, True, False)],
)
def test_data_breach_ico_within_72_hours(shipped, arrangement, site_step, ico_optional):
    moment = datetime(2026, 3, 6, 11, 0)  # Friday: 72 hours is Monday 11:00, weekends count
    ctx = ProcedureContext(moment=moment, arrangement=arrangement, contacts={"site_manager": [SITE_MANAGER]})
    procedure = resolve(shipped["data-breach"], ctx)
    ico = _step(procedure, "data-breach", "report-ico")
    assert ico.due == datetime(2026, 3, 9, 11, 0)
    assert [c.phone for c in ico.contacts] == ["0303 123 1113"]
    assert ico.optional is ico_optional
    assert ("tell-controller-site" in [s.step.key for s in procedure.steps]) is site_step


def test_no_deadline_is_none(shipped):
    procedure = resolve(shipped["commissioned"], ProcedureContext(moment=THURSDAY, contacts={"site_dsl": [DSL]}))
    sign_off = _step(procedure, "commissioned", "sign-off")
    assert sign_off.due is None and sign_off.due_by is None


@pytest.mark.parametrize(
    ("text", "kind", "amount", "normal"),
    [
        ("immediately", "immediately", 0, "immediately"),
        ("Immediately after the  session", "after_session", 0, "immediately after the session"),
        ("same day", "same_day", 0, "same day"),
        ("within 24 hours", "hours", 24, "within 24 hours"),
        ("within 72 hours", "hours", 72, "within 72 hours"),
        ("within 1 working day", "working_days", 1, "within 1 working day"),
        ("within 10 working days", "working_days", 10, "within 10 working days"),
        ("none", "none", 0, "none"),
    ],
)
def test_parse_deadline(text, kind, amount, normal):
    deadline = parse_deadline(text)
    assert (deadline.kind, deadline.amount, deadline.text) == (kind, amount, normal)


@pytest.mark.parametrize("text", ["asap", "within 0 hours", "within 3 days", "10 working days", ""])
def test_parse_deadline_rejects(text):
    with pytest.raises(ValueError):
        parse_deadline(text)


# --------------------------------------------------------------------------- templates

EXPECTED_SHIPPED = {
    "commissioned",
    "private-adult",
    "private-child",
    "allegation-against-staff",
    "whistleblowing",
    "immediate-danger",
    "serious-incident",
    "data-breach",
    "mtb-establishment-visit",
}


def test_every_shipped_template_parses_and_names_known_roles_and_a_source():
    files = _shipped_files()
    assert len(files) == len(EXPECTED_SHIPPED)
    keys = set()
    for filename, text in files:
        template = parse_template(text, filename)
        keys.add(template.key)
        assert filename == f"{template.key}.toml"
        seeds_named = set(re.findall(r"\d{3}_[0-9a-f]{16}\.txt", template.source))
        assert seeds_named <= SEED_FILES and (seeds_named or "UK GDPR" in template.source), filename
        for step in template.steps:
            assert step.role in ROLES, (filename, step.key)
            for fb in step.fallback_roles:
                assert fb.role in ROLES, (filename, step.key)
            assert step.source.strip(), (filename, step.key)
            step_seeds = set(re.findall(r"\d{3}_[0-9a-f]{16}\.txt", step.source))
            assert step_seeds <= SEED_FILES, (filename, step.key)
    assert keys == EXPECTED_SHIPPED


def test_roles_are_the_documented_vocabulary():
    assert set(ROLES) == {
        "site_dsl", "deputy_dsl", "head", "chair_of_governors", "site_manager", "la_children",
        "la_adults", "la_out_of_hours", "la_adults_out_of_hours", "la_mental_health", "lado", "gp",
        "parent_carer", "police", "nspcc_whistleblowing", "ico", "own_org_safeguarding_lead",
        "own_org_manager", "self",
    }  # fmt: skip


def test_shipped_templates_only_carry_contacts_a_seed_or_statute_gives(shipped):
    supplied = {
        (t.key, s.key): (s.contact.phone, s.contact.source)
        for t in shipped.values()
        for s in t.steps
        if s.contact is not None
    }
    assert supplied == {
        ("immediate-danger", "call-police"): ("999", "UK emergency number (not in the seeds)"),
        ("whistleblowing", "nspcc-guidance"): ("0800 028 0285", "003_438f426657d4b2d7.txt"),
        ("data-breach", "report-ico"): ("0303 123 1113", "001_906cb37066363015.txt"),
    }


def test_broken_user_template_is_reported_and_shipped_ones_still_load():
    broken = (FIXTURES / "broken-role.toml").read_text(encoding="utf-8")
    templates, errors = load_templates(_shipped_files(), [("broken-role.toml", broken)])
    assert set(templates) == EXPECTED_SHIPPED
    assert all(t.origin == "shipped" for t in templates.values())
    assert len(errors) == 1
    error = errors[0]
    assert (error.filename, error.line) == ("broken-role.toml", 14)
    assert str(error).startswith("broken-role.toml, line 14: step 'tell-dsl' has unknown role 'dls' (known roles: ")
    assert "site_dsl" in error.reason


def test_toml_syntax_error_names_file_and_line():
    text = (FIXTURES / "broken-syntax.toml").read_text(encoding="utf-8")
    with pytest.raises(TemplateError) as caught:
        parse_template(text, "broken-syntax.toml")
    assert caught.value.line == 10
    assert str(caught.value).startswith("broken-syntax.toml, line 10: not valid TOML: ")


def test_user_template_overrides_shipped_and_says_so():
    mine = (FIXTURES / "my-commissioned.toml").read_text(encoding="utf-8")
    templates, errors = load_templates(_shipped_files(), [("my-commissioned.toml", mine)])
    assert errors == []
    commissioned = templates["commissioned"]
    assert commissioned.origin == "user"
    assert commissioned.overrides == "commissioned.toml"
    assert commissioned.filename == "my-commissioned.toml"
    assert commissioned.organisation == "Fictional Therapies Ltd"
    assert templates["private-child"].origin == "shipped"
    ctx = ProcedureContext(moment=THURSDAY, contacts={"site_dsl": [DSL]})
    lead = _step(resolve(commissioned, ctx), "commissioned", "tell-own-lead")
    assert lead.due == date(2026, 3, 9)  # Thu 5 Mar + 2 working days: Fri 6, Mon 9


def test_two_user_templates_with_one_key_second_is_reported():
    mine = (FIXTURES / "my-commissioned.toml").read_text(encoding="utf-8")
    templates, errors = load_templates([], [("a.toml", mine), ("b.toml", mine)])
    assert templates["commissioned"].filename == "a.toml"
    assert [(e.filename, e.line) for e in errors] == [("b.toml", 2)]
    assert "already used by a.toml" in errors[0].reason


VALID = """\
key = "mine"
name = "Mine"
source = "my policy"

[applies_to]
arrangement = "private"
client_type = "adult"
kinds = ["disclosure"]

[[step]]
key = "first"
title = "First"
detail = "Do the first thing."
role = "self"
deadline = "none"
source = "my policy"

[[step]]
key = "second"
title = "Second"
detail = "Do the second thing."
role = "gp"
deadline = "same day"
source = "my policy"
"""


def test_valid_minimal_template_parses():
    template = parse_template(VALID, "mine.toml")
    assert template.key == "mine"
    assert [s.key for s in template.steps] == ["first", "second"]
    assert [s.line for s in template.steps] == [11, 19]
    assert template.applies_to.kinds == ("disclosure",)


@pytest.mark.parametrize(
    ("old", "new", "line", "reason"),
    [
        ('role = "gp"', 'role = "gpp"', 22, "step 'second' has unknown role 'gpp'"),
        ('deadline = "same day"', 'deadline = "tomorrow"', 23, "step 'second': unknown deadline 'tomorrow'"),
        ('kinds = ["disclosure"]', 'kinds = ["disclosure", "gossip"]', 8, "unknown kind 'gossip'"),
        ('client_type = "adult"', 'client_type = "teen"', 7, "client_type 'teen'"),
        ('key = "second"', 'key = "first"', 19, "step key 'first' is used twice (first at line 11)"),
        ('title = "Second"\n', 'title = "Second"\ndeadlin = "none"\n', 21, "step 'second' has unknown field 'deadlin'"),
        ('key = "mine"', 'key = "Mine!"', 1, "key 'Mine!' must be lower-case"),
        ('source = "my policy"\n\n[applies_to]', 'source = "my policy"\nfoo = 1\n\n[applies_to]', 4, "unknown top-level field 'foo'"),
        ('role = "self"', 'role = "self"\nwhen = "sunny"', 15, "unknown condition 'sunny'"),
        ('role = "gp"', 'role = "gp"\nfallback_roles = [ { role = "gpx", when = "no_contact" } ]', 23, "unknown fallback role 'gpx'"),
        ('role = "self"', 'role = "self"\nwhen = "no_contact"', 15, "unknown condition 'no_contact'"),
    ],
)
def test_schema_errors_name_the_line_and_reason(old, new, line, reason):
    assert old in VALID
    text = VALID.replace(old, new, 1)
    with pytest.raises(TemplateError) as caught:
        parse_template(text, "mine.toml")
    assert caught.value.filename == "mine.toml"
    assert caught.value.line == line, str(caught.value)
    assert reason in caught.value.reason
    assert str(caught.value).startswith(f"mine.toml, line {line}: ")


def test_missing_step_tables_is_an_error():
    text = VALID.split("[[step]]")[0]
    with pytest.raises(TemplateError, match="has no \\[\\[step\\]\\] tables"):
        parse_template(text, "mine.toml")


# --------------------------------------------------------------------------- misc


def test_results_are_frozen(shipped):
    procedure = resolve(shipped["commissioned"], ProcedureContext(moment=THURSDAY))
    with pytest.raises(dataclasses.FrozenInstanceError):
        procedure.steps[0].gap = False  # type: ignore[misc]
    with pytest.raises(dataclasses.FrozenInstanceError):
        shipped["commissioned"].key = "x"  # type: ignore[misc]


def test_resolve_routes_reports_a_missing_template(shipped):
    procedure = resolve_routes(["immediate-danger", "my-org"], shipped, ProcedureContext(moment=THURSDAY))
    assert [s.route for s in procedure.steps] == ["immediate-danger"]
    assert procedure.notes == ("The 'my-org' procedure template is missing or broken: its steps cannot be shown.",)


def test_unknown_nation_is_refused(shipped):
    with pytest.raises(ValueError, match="nation"):
        resolve(shipped["commissioned"], ProcedureContext(moment=THURSDAY, nation="XX"))


@pytest.mark.parametrize("moment", [datetime(2026, 11, 18, 10, 30), datetime(2026, 11, 21, 23, 0)])
@pytest.mark.parametrize("arrangement", ["commissioned", "private", None])
def test_resolving_only_some_steps_gives_those_steps_unchanged(shipped, moment, arrangement):
    every_route = list(shipped)
    ctx = ProcedureContext(moment=moment, arrangement=arrangement, parent_safe=None, head_away=True)
    whole = resolve_routes(every_route, shipped, ctx)
    pick = lambda route, step: step.deadline.kind != "none" and route != "commissioned"  # noqa: E731
    some = resolve_routes(every_route, shipped, ctx, only=pick)
    assert some.steps == tuple(s for s in whole.steps if pick(s.route, s.step))
    assert some.steps and len(some.steps) < len(whole.steps)
    assert some.in_office_hours == whole.in_office_hours
