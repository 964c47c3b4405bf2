"""The home screen and what feeds it: every attention source gathered from records made
in the test, the list most urgent first, today's visits, rows that open their record,
the all-clear, the calendar export, and a snapshot. Time is fixed: Sunday 22 Nov 2026."""

from __future__ import annotations

import stat
from datetime import date, datetime, timedelta

import icalendar
import pytest
from textual.widgets import Input, OptionList, Static

from sitecare.app import SitecareApp
from sitecare.data import attention_inputs
from sitecare.data.models import (
    Action,
    ChronologyEntry,
    Client,
    Complaint,
    ComplaintStage,
    Concern,
    Consent,
    Contact,
    DataRequest,
    DisposalLog,
    LocalAuthority,
    Policy,
    Requirement,
    Site,
    TrainingKind,
    TrainingRecord,
    change,
)
from sitecare.data.settings import set_setting
from sitecare.rules.attention import Kind, RecordRef, Severity
from sitecare.screens.confirm import ConfirmScreen
from sitecare.screens.calendar_export import ExportCalendarScreen
from sitecare.screens.home import AttentionDetailScreen, HomeScreen
from sitecare.screens.training import TrainingScreen

from support import settle

SIZE = (80, 24)
NOW = datetime(2026, 11, 22, 9, 0)  # a Sunday
TODAY = NOW.date()


def make_app(vault) -> SitecareApp:
    return SitecareApp(vault, now=lambda: NOW)


def kind(code: str) -> TrainingKind:
    return TrainingKind.get(TrainingKind.code == code)


def rows(app) -> list[str]:
    options = app.screen.query_one(OptionList)
    return [str(options.get_option_at_index(i).prompt) for i in range(options.option_count)]


def text(app, selector: str) -> str:
    return str(app.screen.query_one(selector, Static).render())


def la(name: str) -> LocalAuthority:
    return LocalAuthority.get(LocalAuthority.name == name)


def every_source() -> dict[str, int]:
    """One record behind each source of the attention list; returns their ids."""
    ids = {}
    with change():
        # A Scottish authority, last checked more than 12 months ago.
        scot = LocalAuthority.create(name="Fictional Council", nation="SCT", verified_on=date(2025, 11, 1))
        school = Site.create(name="Heron Way Primary", kind="school", local_authority=scot, created_on=date(2025, 1, 6),
                             visit_rule="FREQ=WEEKLY;BYDAY=SU", visit_start=date(2026, 9, 6),
                             recording_system="CPOMS")
        ids["site"] = school.id
        # DSL confirmed last academic year: due again on 1 Sep 2026, now overdue.
        Contact.create(site=school, role="dsl", name="Claire Ashdown", phone="07700900123",
                       from_date=date(2024, 9, 1), confirmed_on=date(2026, 3, 2))
        # A requirement with nothing recorded.
        ids["requirement"] = Requirement.create(site=school, kind=kind("safeguarding_children")).id
        # Signed last academic year: re-sign due 1 Sep 2026.
        ids["policy"] = Policy.create(site=school, version="2025-26", dated=date(2025, 8, 20),
                                      signed_on=date(2025, 9, 10), recorded_on=date(2025, 9, 10)).id
        # My own insurance, expiring within the 60-day training window.
        ids["training"] = TrainingRecord.create(kind=kind("insurance"), completed=date(2026, 1, 1),
                                                expires=date(2027, 1, 1)).id
        # A concern with an overdue action, awaiting its outcome since a referral.
        concern = Concern.create(reference="C-2026-001", site=school, status="awaiting_outcome",
                                 occurred_at=datetime(2026, 11, 2, 10), noticed_at=datetime(2026, 11, 2, 10))
        ids["concern"] = concern.id
        ChronologyEntry.create(concern=concern, at=datetime(2026, 11, 2, 11), kind="referral", text="Referred")
        ids["action"] = Action.create(concern=concern, description="Ask the DSL for the outcome summary",
                                      owner="me", due=date(2026, 11, 20)).id
        # A serious incident noticed yesterday at 10:00 and not yet notified: due 10:00 today.
        incident = Concern.create(reference="C-2026-002", site=school, kind="serious_incident", status="open",
                                  noticed_at=datetime(2026, 11, 21, 10, 0))
        ids["incident"] = incident.id
        # A complaint received Fri 20 Nov 2026, acknowledged within 5 Scottish working
        # days: 23, 24, 25, 26, 27 Nov -> Fri 27 Nov.
        complaint = Complaint.create(reference="CMP-2026-001", received_on=date(2026, 11, 20), site=school)
        ids["complaint"] = complaint.id
        # Stage 1 began Fri 27 Nov 2026; 10 Scottish working days skip St Andrew's Day (Mon
        # 30 Nov): 1, 2, 3, 4, 7, 8, 9, 10, 11, 14 Dec -> Mon 14 Dec 2026.
        ComplaintStage.create(complaint=complaint, stage=1, began_on=date(2026, 11, 27))
        child = Client.create(reference="CH-0001", client_type="child", date_of_birth=date(2016, 2, 29), site=school,
                              therapy_start=date(2025, 11, 10))
        # Consent given 25 Nov 2025: review due 25 Nov 2026 (in 3 days).
        ids["consent"] = Consent.create(client=child, given_on=date(2025, 11, 25)).id
        ended = Client.create(reference="AD-0001", client_type="adult", site=school,
                              therapy_start=date(2025, 1, 6), therapy_end=date(2026, 10, 31))
        ids["client"] = ended.id  # artwork due 31 Dec 2026; notes 31 Oct 2031
        # Received 2 Nov 2026: due 2 Dec 2026.
        ids["request"] = DataRequest.create(client=child, kind="access", received_on=date(2026, 11, 2)).id
        ids["authority"] = scot.id
    return ids


# ---------------------------------------------------------------------------- gathering


def test_every_source_is_gathered_from_the_vault(open_vault):
    ids = every_source()
    items = attention_inputs.current_attention(NOW)
    found = {(i.kind, i.ref): i for i in items}
    expect = {
        (Kind.TRAINING, RecordRef("training_record", ids["training"])): (date(2027, 1, 1), Severity.DUE_SOON),
        (Kind.REQUIREMENT, RecordRef("requirement", ids["requirement"])): (date(2025, 1, 6), Severity.OVERDUE),
        (Kind.POLICY, RecordRef("policy", ids["policy"])): (date(2026, 9, 1), Severity.OVERDUE),
        (Kind.CONTACTS, RecordRef("site", ids["site"])): (date(2026, 9, 1), Severity.OVERDUE),
        (Kind.CONCERN_ACTION, RecordRef("action", ids["action"])): (date(2026, 11, 20), Severity.OVERDUE),
        # Referred Mon 2 Nov 2026; 5 Scottish working days: 3, 4, 5, 6, 9 Nov -> Mon 9 Nov.
        (Kind.OUTCOME, RecordRef("concern", ids["concern"])): (date(2026, 11, 9), Severity.OVERDUE),
        (Kind.SERIOUS_INCIDENT, RecordRef("concern", ids["incident"])): (date(2026, 11, 22), Severity.DUE_SOON),
        # Procedure steps not done: tell the DSL immediately after the session (2 Nov,
        # 10:00); contact the safeguarding team by the end of the day noticed (21 Nov).
        (Kind.PROCEDURE_STEP, RecordRef("concern", ids["concern"])): (date(2026, 11, 2), Severity.OVERDUE),
        (Kind.PROCEDURE_STEP, RecordRef("concern", ids["incident"])): (date(2026, 11, 21), Severity.OVERDUE),
        (Kind.COMPLAINT_ACK, RecordRef("complaint", ids["complaint"])): (date(2026, 11, 27), Severity.DUE_SOON),
        (Kind.COMPLAINT_RESPONSE, RecordRef("complaint", ids["complaint"])): (date(2026, 12, 14), Severity.DUE_SOON),
        (Kind.CONSENT_REVIEW, RecordRef("consent", ids["consent"])): (date(2026, 11, 25), Severity.DUE_SOON),
        (Kind.CONSENT_REFRESH, RecordRef("consent", ids["consent"])): (date(2027, 11, 25), Severity.UPCOMING),
        (Kind.ARTWORK_DISPOSAL, RecordRef("client", ids["client"])): (date(2026, 12, 31), Severity.UPCOMING),
        (Kind.NOTES_DISPOSAL, RecordRef("client", ids["client"])): (date(2031, 10, 31), Severity.UPCOMING),
        (Kind.DATA_REQUEST, RecordRef("data_request", ids["request"])): (date(2026, 12, 2), Severity.DUE_SOON),
        (Kind.AUTHORITY, RecordRef("local_authority", ids["authority"])): (date(2026, 11, 1), Severity.OVERDUE),
    }
    assert {k: (found[k].due, found[k].severity) for k in expect if k in found} == expect
    assert set(found) == set(expect)
    incident = found[(Kind.SERIOUS_INCIDENT, RecordRef("concern", ids["incident"]))]
    assert incident.due_at == datetime(2026, 11, 22, 10, 0)


def test_serious_incident_notified_by_its_step_and_undone(open_vault):
    ids = every_source()
    incident = Concern.get_by_id(ids["incident"])

    def listed() -> bool:
        return any(i.kind is Kind.SERIOUS_INCIDENT for i in attention_inputs.current_attention(NOW))

    with change():
        ChronologyEntry.create(concern=incident, at=datetime(2026, 11, 21, 15), kind="action_taken",
                               text="Form sent", step_key="serious-incident/notification-form")
    assert not listed()
    with change():
        ChronologyEntry.create(concern=incident, at=datetime(2026, 11, 21, 16), kind="correction",
                               text="Not sent after all", step_key="undo:serious-incident/notification-form")
    assert listed()


def test_closed_and_done_things_drop_out(open_vault):
    ids = every_source()
    with change():
        Action.update(done_on=date(2026, 11, 21)).where(Action.id == ids["action"]).execute()
        Complaint.update(acknowledged_on=date(2026, 11, 23)).where(Complaint.id == ids["complaint"]).execute()
        DataRequest.update(completed_on=date(2026, 11, 21), status="completed").where(DataRequest.id == ids["request"]).execute()
        Consent.update(withdrawn_on=date(2026, 11, 1)).where(Consent.id == ids["consent"]).execute()
        DisposalLog.create(reference="AD-0001", disposed_on=date(2026, 11, 21), what="artwork")
    kinds = {i.kind for i in attention_inputs.current_attention(NOW)}
    assert not kinds & {Kind.CONCERN_ACTION, Kind.COMPLAINT_ACK, Kind.DATA_REQUEST, Kind.CONSENT_REVIEW,
                        Kind.ARTWORK_DISPOSAL}
    assert Kind.NOTES_DISPOSAL in kinds


def test_archived_sites_ask_for_nothing(open_vault):
    ids = every_source()
    with change():
        Site.update(archived=True).where(Site.id == ids["site"]).execute()
    kinds = {i.kind for i in attention_inputs.current_attention(NOW)}
    assert not kinds & {Kind.REQUIREMENT, Kind.POLICY, Kind.CONTACTS, Kind.AUTHORITY}


def test_warning_windows_are_settings(open_vault):
    with change():
        record = TrainingRecord.create(kind=kind("insurance"), completed=date(2026, 1, 10), expires=date(2027, 1, 10))
    # 22 Nov 2026 -> 10 Jan 2027 is 49 days: due soon with 60, upcoming with 45.
    (item,) = attention_inputs.current_attention(NOW)
    assert item.severity is Severity.DUE_SOON and item.ref.id == record.id
    set_setting("warn_days_training", 45)
    (item,) = attention_inputs.current_attention(NOW)
    assert item.severity is Severity.UPCOMING


# ---------------------------------------------------------------------------- the screen


async def test_home_lists_most_urgent_first_with_visits_and_counts(open_vault):
    every_source()
    app = make_app(open_vault)
    async with app.run_test(size=SIZE) as pilot:
        assert isinstance(app.screen, HomeScreen)
        assert text(app, "#home-counts").startswith("8 overdue · 6 due soon · 3 later · 1 site · 2 open concerns")
        assert not app.screen.query_one("#home-clear").display
        visits = text(app, "#home-visits")
        assert "Today, Sunday 22 Nov 2026" in visits
        assert visits.split("\n")[1:] == [
            "  Heron Way Primary · DSL Claire Ashdown 07700 900123",
            "    record concerns on CPOMS",
        ]
        listed = rows(app)
        firsts = [r.split("\n")[0] for r in listed]
        # Missed procedure steps come first: a reporting step waits on no one else.
        assert firsts[0] == "OVERDUE  Concern step: C-2026-001 at Heron Way Primary"
        assert "Tell the site's DSL (Claire Ashdown," in listed[0]
        assert firsts[1] == "OVERDUE  Concern step: C-2026-002 at Heron Way Primary"
        assert firsts[2] == "OVERDUE  Concern action: C-2026-001 at Heron Way Primary"
        assert firsts[3] == "OVERDUE  Outcome awaited: C-2026-001 at Heron Way Primary"
        assert firsts[4:8] == [
            "OVERDUE  Site requirement: Safeguarding children for Heron Way Primary",
            "OVERDUE  Policy: Heron Way Primary",
            "OVERDUE  Site contacts: Heron Way Primary",
            "OVERDUE  Local authority: Fictional Council",
        ]
        # Due soon, by date: the 24-hour notification is due at 10:00 today.
        assert firsts[8] == "DUE SOON Serious incident: C-2026-002 at Heron Way Primary"
        assert "due by 10:00 today" in listed[8]
        assert listed[-1] == "3 more due later: press u to show them."
        await pilot.press("u")
        await pilot.pause()
        assert any(r.startswith("UPCOMING Retention: AD-0001") for r in rows(app))


async def test_today_s_visits_break_between_their_parts_under_the_site_s_name(open_vault):
    # A new-user trial at 80 columns: the recording system, unlabelled, wrapped from the
    # margin ("sitecare (my own" on one line, "records)" under "Today").
    with change():
        for name, kind_code, system in (("Mill Yard Therapy Rooms", "private_practice", "sitecare (my own records)"),
                                        ("Wren House", "school", "")):
            Site.create(name=name, kind=kind_code, recording_system=system,
                        visit_rule="FREQ=WEEKLY;BYDAY=SU", visit_start=date(2026, 9, 6))
    app = make_app(open_vault)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert text(app, "#home-visits").split("\n") == [
            "Today, Sunday 22 Nov 2026: 2 visits",
            "  Mill Yard Therapy Rooms · private practice: no site DSL",
            "    record concerns on sitecare (my own records)",
            "  Wren House · no DSL recorded",
        ]
        # Wider, each site fits on its line; narrower again, it breaks again.
        await pilot.resize_terminal(200, 50)
        await pilot.pause()
        assert text(app, "#home-visits").split("\n")[1] == (
            "  Mill Yard Therapy Rooms · private practice: no site DSL · record concerns on sitecare (my own records)")
        await pilot.resize_terminal(*SIZE)
        await pilot.pause()
        assert len(text(app, "#home-visits").split("\n")) == 4


async def test_more_visits_than_fit_are_counted_not_cut_off(open_vault):
    # A new-user trial on a Wednesday with five visits at 80x24: two and a half shown,
    # the rest cut off without a word.
    with change():
        for name in ("Alder House", "Birch House", "Cedar House", "Damson House", "Elm House"):
            Site.create(name=name, kind="private_practice", recording_system="sitecare (my own records)",
                        visit_rule="FREQ=WEEKLY;BYDAY=SU", visit_start=date(2026, 9, 6))
    app = make_app(open_vault)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        lines = text(app, "#home-visits").split("\n")
        assert lines == [
            "Today, Sunday 22 Nov 2026: 5 visits",
            "  Alder House · private practice: no site DSL",
            "    record concerns on sitecare (my own records)",
            "  Birch House · private practice: no site DSL",
            "    record concerns on sitecare (my own records)",
            "  and 3 more visits: the sites table (s) shows each site's next visit",
        ]
        assert app.screen.query_one("#home-visits").size.height == len(lines)  # none hidden
        await pilot.resize_terminal(200, 50)
        await pilot.pause()
        assert text(app, "#home-visits").split("\n")[-1].startswith("  Elm House")


async def test_an_empty_vault_is_all_clear(open_vault):
    app = make_app(open_vault)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert text(app, "#home-clear") == (
            "All clear: nothing is overdue, and nothing falls due in the next 30 days (60 for training).")
        assert "no visits in your rota" in text(app, "#home-visits")
        assert rows(app)[0].startswith("Nothing has a due date yet")


async def test_a_training_row_opens_the_training_screen_at_the_record(open_vault):
    with change():
        record = TrainingRecord.create(kind=kind("insurance"), completed=date(2025, 11, 10), expires=date(2026, 11, 10))
    app = make_app(open_vault)
    async with app.run_test(size=SIZE) as pilot:
        assert rows(app)[0].startswith("OVERDUE  Training: Professional indemnity")
        await pilot.press("enter")
        await pilot.pause()
        await pilot.pause()
        assert isinstance(app.screen, TrainingScreen)
        assert app.screen.selected_record().id == record.id


async def test_artwork_is_acted_on_in_the_detail_window(open_vault):
    with change():
        client = Client.create(reference="AD-0009", client_type="adult", therapy_end=date(2026, 9, 1))
    app = make_app(open_vault)
    async with app.run_test(size=SIZE) as pilot:
        # 1 Sep 2026 + 2 months = 1 Nov 2026: overdue.
        assert rows(app)[0].startswith("OVERDUE  Artwork: AD-0009")
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, AttentionDetailScreen)
        await pilot.click("#artwork")
        await settle(app, pilot)
        assert isinstance(app.screen, HomeScreen)
        assert DisposalLog.get().reference == client.reference
        assert not any("Artwork" in r for r in rows(app))


async def test_rows_open_their_records_in_the_other_screens(open_vault):
    ids = every_source()
    app = make_app(open_vault)
    async with app.run_test(size=SIZE) as pilot:
        listed = rows(app)

        async def open_row(startswith: str):
            index = next(i for i, r in enumerate(listed) if r.startswith(startswith))
            await pilot.press("h")
            await pilot.pause()
            app.screen.query_one(OptionList).highlighted = index
            await pilot.press("enter")
            await settle(app, pilot)
            return app.screen

        if "concerns" in app.MODES:
            screen = await open_row("OVERDUE  Concern action")
            from sitecare.screens.concern import ConcernScreen

            assert isinstance(screen, ConcernScreen) and screen.concern_id == ids["concern"]
            # Opened over the home screen: Esc comes back to the list, not to another mode.
            assert app.current_mode == "home"
            await pilot.press("escape")
            await settle(app, pilot)
            assert isinstance(app.screen, HomeScreen)
        if "complaints" in app.MODES:
            await open_row("DUE SOON Complaint: CMP-2026-001")
            assert app.current_mode == "complaints"
            assert app.screen.selected_id() == ids["complaint"]
        if "clients" in app.MODES:
            await open_row("DUE SOON Data request")
            assert app.current_mode == "clients"
        await open_row("OVERDUE  Site requirement")
        assert app.current_mode == "training"
        assert app.screen.selected_kind_id() == kind("safeguarding_children").id


async def test_local_authority_numbers_checked_from_the_detail_window(open_vault):
    with change():
        council = LocalAuthority.create(name="Fictional Council", verified_on=date(2025, 1, 1))
        Site.create(name="Heron Way Primary", local_authority=council)
    app = make_app(open_vault)
    async with app.run_test(size=SIZE) as pilot:
        index = next(i for i, r in enumerate(rows(app)) if "Local authority: Fictional Council" in r)
        app.screen.query_one(OptionList).highlighted = index
        await pilot.press("i")
        await pilot.pause()
        await pilot.click("#verify")
        await settle(app, pilot)
        assert LocalAuthority.get_by_id(council.id).verified_on == TODAY
        assert not any("Fictional Council" in r for r in rows(app))


async def test_calendar_export_from_the_app(open_vault, tmp_path):
    with change():
        TrainingRecord.create(kind=kind("insurance"), completed=date(2026, 1, 10), expires=date(2027, 1, 10))
        TrainingRecord.create(kind=kind("dbs_update"), completed=date(2025, 11, 1), expires=date(2026, 11, 1))
    target = tmp_path / "due.ics"
    target.write_text("old")
    app = make_app(open_vault)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("x")
        await pilot.pause()
        assert isinstance(app.screen, ExportCalendarScreen)
        assert "1 date from today on" in text(app, ".hint")
        app.screen.query_one("#path", Input).value = str(target)
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, ConfirmScreen)
        await pilot.click("#yes")
        await settle(app, pilot)
        assert isinstance(app.screen, HomeScreen)
    assert stat.S_IMODE(target.stat().st_mode) == 0o600
    (event,) = icalendar.Calendar.from_ical(target.read_bytes()).walk("VEVENT")  # the overdue one is not in it
    assert event["DTSTART"].dt == date(2027, 1, 10)
    assert event.walk("VALARM")[0]["TRIGGER"].dt == timedelta(days=-7)


# ---------------------------------------------------------------------------- snapshot


def snapshot_data() -> None:
    with change():
        council = LocalAuthority.create(name="Fictional Council", verified_on=date(2026, 6, 1))
        school = Site.create(name="Kestrel Fen Primary School", kind="school", local_authority=council,
                             created_on=date(2025, 9, 1), visit_rule="FREQ=WEEKLY;BYDAY=SU",
                             visit_start=date(2026, 9, 6), recording_system="CPOMS")
        Contact.create(site=school, role="dsl", name="Claire Ashdown", phone="07700900123",
                       from_date=date(2024, 9, 1), confirmed_on=date(2026, 9, 3))
        Policy.create(site=school, version="2026-27", dated=date(2026, 8, 20), signed_on=date(2026, 9, 3))
        Requirement.create(site=school, kind=kind("safeguarding_children"))
        TrainingRecord.create(kind=kind("safeguarding_children"), completed=date(2025, 9, 22), expires=date(2028, 9, 22))
        TrainingRecord.create(kind=kind("insurance"), completed=date(2025, 11, 10), expires=date(2026, 11, 10))
        TrainingRecord.create(kind=kind("dbs_update"), completed=date(2026, 1, 6), expires=date(2027, 1, 6))
        concern = Concern.create(reference="C-2026-010", site=school, status="open",
                                 occurred_at=datetime(2026, 11, 16, 11), noticed_at=datetime(2026, 11, 16, 11))
        Action.create(concern=concern, description="Ask the DSL for the written outcome summary", owner="me",
                      due=date(2026, 11, 20))


def test_home_snapshot(open_vault, snap_compare):
    snapshot_data()
    assert snap_compare(make_app(open_vault), terminal_size=(80, 24))


def test_an_awaited_outcome_with_its_chase_action_is_one_item(open_vault):
    from sitecare.data import concerns as concerns_mod

    ids = every_source()
    concern = Concern.get_by_id(ids["incident"])  # open, at a Scottish site
    # Awaited from Fri 20 Nov 2026 09:00; 5 Scottish working days: 23, 24, 25, 26, 27 Nov.
    action = concerns_mod.await_outcome(concern, datetime(2026, 11, 20, 9, 0), days=5)
    assert action.due == date(2026, 11, 27)
    items = attention_inputs.current_attention(NOW)
    mine = [i for i in items if i.ref in (RecordRef("concern", concern.id), RecordRef("action", action.id))
            and i.kind in (Kind.OUTCOME, Kind.CONCERN_ACTION)]
    assert [(i.kind, i.due) for i in mine] == [(Kind.OUTCOME, date(2026, 11, 27))]


@pytest.fixture
def five_a_page(open_vault, monkeypatch):
    """The home list five rows a page, over every_source(): 8 overdue and 6 due soon are
    shown, 3 later are not."""
    from sitecare.screens import home

    monkeypatch.setattr(home, "PAGE", 5)
    every_source()
    return open_vault


async def test_a_long_list_is_drawn_a_page_at_a_time(five_a_page):
    app = make_app(five_a_page)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        listed = rows(app)
        assert len(listed) == 6
        assert listed[-1] == "9 more, most urgent first: press Enter to show the next 5, or n to jump to what is due soon."
        options = app.screen.query_one(OptionList)
        options.highlighted = 5
        await pilot.press("enter")
        await pilot.pause()
        listed = rows(app)
        assert len(listed) == 11 and listed[-1].startswith("4 more, most urgent first: press Enter to show the next 4.")
        # The highlight lands on the first row just added, ready to read on.
        assert options.highlighted == 5 and listed[5].startswith("OVERDUE")
        await pilot.press("enter")  # opens that row's record, not another page
        await pilot.pause()
        assert not isinstance(app.screen, HomeScreen)
        await pilot.press("escape")
        await settle(app, pilot)
        options = app.screen.query_one(OptionList)
        options.highlighted = options.option_count - 1
        await pilot.press("enter")
        await pilot.pause()
        listed = rows(app)
        assert len(listed) == 15 and listed[-1] == "3 more due later: press u to show them."
        item = app.screen.selected_item()
        await pilot.press("u")  # the rows drawn stay drawn; the later ones come after them
        await pilot.pause()
        listed = rows(app)
        assert len(listed) == 16 and listed[-1] == "2 more, most urgent first: press Enter to show the next 2."
        assert listed[14].startswith("UPCOMING") and app.screen.selected_item() == item


async def test_n_jumps_to_what_is_due_soon_and_then_later_past_pages_not_drawn(five_a_page):
    # A busy decade had 2,680 items overdue: what is due soon was 27 pages down.
    app = make_app(five_a_page)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        options = app.screen.query_one(OptionList)
        await pilot.press("n")
        await pilot.pause()
        assert options.highlighted == 8 and app.screen.selected_item().severity is Severity.DUE_SOON
        assert len(rows(app)) == 11  # the page holding it drawn, and the row offering more
        await pilot.press("n")  # nothing after what is due soon is listed
        await pilot.pause()
        assert options.highlighted == 8
        assert any("u shows what is due later" in str(n.message) for n in app._notifications)
        await pilot.press("u", "n")
        await pilot.pause()
        assert app.screen.selected_item().severity is Severity.UPCOMING
        assert app.screen.shown.index(app.screen.selected_item()) == 14
        await pilot.press("n")  # the last part: said, not only a bell
        await pilot.pause()
        assert any("last part of the list" in str(n.message) for n in app._notifications)


async def test_showing_and_hiding_what_is_due_later_keeps_the_highlighted_item(five_a_page):
    # A new-user trial: u went back to the first page and the highlight was lost.
    app = make_app(five_a_page)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        options = app.screen.query_one(OptionList)
        for _ in range(2):  # three pages drawn
            options.highlighted = options.option_count - 1
            await pilot.press("enter")
            await pilot.pause()
        options.highlighted = 12
        item = app.screen.selected_item()
        assert item.severity is Severity.DUE_SOON
        for shown_later in (True, False):
            await pilot.press("u")
            await pilot.pause()
            assert app.screen.show_upcoming is shown_later
            assert app.screen.selected_item() == item and options.highlighted == 12
        # A later item highlighted, then hidden: the line that offers it again is highlighted.
        await pilot.press("u")
        await pilot.pause()
        options.highlighted = 14
        assert app.screen.selected_item().severity is Severity.UPCOMING
        await pilot.press("u")
        await pilot.pause()
        assert rows(app)[options.highlighted] == "3 more due later: press u to show them."


def home_footer(app):
    from sitecare.screens.footer import Footer

    return app.screen.query_one(Footer)


def footer_keys(app) -> list[tuple[str, str]]:
    """The keys the footer shows in full, left of the palette's key on its right."""
    shown = home_footer(app).shown_in_full()
    assert shown[-1] == ("ctrl+p", "palette")
    return shown[:-1]


async def test_the_footer_at_80_columns_shows_help_and_what_u_will_do(open_vault):
    # A new-user trial: at 80 columns the footer cut "f1 Help" in half under the
    # palette's key, and u said "Show later" while what was due later was shown.
    every_source()
    app = make_app(open_vault)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        assert footer_keys(app) == [("ctrl+n", "New concern"), ("u", "Show later"), ("i", "Details"),
                                    ("ctrl+q", "Quit"), ("f1", "Help"), ("ctrl+l", "Lock")]
        await pilot.press("u")
        await pilot.pause()
        assert ("u", "Hide later") in footer_keys(app)
        assert ("u", "Show later") not in footer_keys(app)
        # The calendar export left the footer: it is in the help and the palette.
        await pilot.press("f1")
        await pilot.pause()
        from textual.widgets import DataTable

        help_keys = app.screen.query_one(DataTable)
        listed = {tuple(help_keys.get_row_at(r)) for r in range(help_keys.row_count)}
        assert ("x", "Calendar") in listed and ("u", "Hide later") in listed


# ---------------------------------------------------------------------------- launch cost


def test_a_rows_height_is_its_lines_wherever_they_fit():
    # Wrapped answers the option list's height question without wrapping again; where
    # the lines do not fit it wraps as Content does.
    from textual.content import Content

    from sitecare.screens.home import Wrapped

    prompt = Wrapped.assemble(("OVERDUE  ", "bold"), "Training: a rather long subject that runs on\n"
                              "         due 3 days ago · Renew it with the provider")
    plain = Content(prompt.plain, list(prompt.spans))
    for width in (20, 30, 45, 52, 53, 60, 76, 78, 120):
        for rules in ({}, {"line_pad": 1}, {"text_wrap": "nowrap"}):
            assert prompt.get_height(rules, width) == plain.get_height(rules, width), (width, rules)
    assert prompt.get_height({}, 76) == 2 and prompt.get_height({}, 30) > 2


async def test_home_rows_are_as_tall_as_content_makes_them(open_vault):
    every_source()
    app = make_app(open_vault)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        from textual.content import Content

        from sitecare.screens.home import Wrapped

        options = app.screen.query_one(OptionList)
        width = options.scrollable_content_region.width
        for index in range(options.option_count):
            prompt = options.get_option_at_index(index).prompt
            if isinstance(prompt, Wrapped):
                assert prompt.get_height(options.styles, width) == Content(
                    prompt.plain, list(prompt.spans)).get_height(options.styles, width)


async def test_the_launch_reads_the_list_once_and_refreshes_no_css(open_vault, monkeypatch):
    # The list is read in compose and shown at the first resume, not read again; the
    # switch to the home mode does not re-parse the app's stylesheet for a screen not
    # yet mounted.
    every_source()
    reads, css = [], []
    gather = attention_inputs.current_attention
    monkeypatch.setattr(attention_inputs, "current_attention", lambda now: reads.append(now) or gather(now))
    monkeypatch.setattr(SitecareApp, "refresh_css", lambda self, animate=True: css.append(1))
    app = make_app(open_vault)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        assert rows(app)[0].startswith("OVERDUE  Concern step")
        assert len(reads) == 1
        assert css == []


async def test_a_change_of_theme_still_reaches_the_home_screen(open_vault):
    every_source()
    app = make_app(open_vault)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        before = app.screen.styles.background
        app.theme = "textual-light" if app.theme != "textual-light" else "textual-dark"
        await settle(app, pilot)
        assert app.screen.styles.background != before


def details_disabled(app) -> bool:
    return not next(k for k in home_footer(app).keys if k.key == "i").enabled


async def test_the_footer_draws_its_keys_once_and_again_only_when_they_change(open_vault):
    # Textual's footer started empty, was rebuilt after the first paint, and again for
    # every refresh_bindings (five at launch, one per cursor move). The home screen's
    # keys are known with its list: drawn with it, and again only when they change.
    every_source()
    app = make_app(open_vault)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        footer = home_footer(app)
        assert footer.changes == 1
        assert footer_keys(app) == [("ctrl+n", "New concern"), ("u", "Show later"), ("i", "Details"),
                                    ("ctrl+q", "Quit"), ("f1", "Help"), ("ctrl+l", "Lock")]
        for key in ("down", "down", "up"):  # item to item: the same keys
            await pilot.press(key)
            await pilot.pause()
        assert footer.changes == 1 and not details_disabled(app)
        await pilot.press("end")  # the last row is a hint: i has nothing to show
        await settle(app, pilot)
        assert footer.changes == 2 and details_disabled(app)
        await pilot.press("u")  # what u does changes
        await settle(app, pilot)
        assert footer.changes == 3 and ("u", "Hide later") in footer_keys(app)


async def test_a_key_clicked_in_the_footer_is_pressed(open_vault):
    every_source()
    app = make_app(open_vault)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        footer = home_footer(app)
        assert footer.key_at(0).key == "ctrl+n" and footer.key_at(SIZE[0] - 2).key == "ctrl+p"
        later = next(start for key, start, _ in footer.placed if key.key == "u")
        await pilot.hover(footer, offset=(later + 1, 0))
        assert footer.tooltip == "Show what is due later in the list"
        await pilot.click(footer, offset=(later + 1, 0))
        await settle(app, pilot)
        assert app.screen.show_upcoming and ("u", "Hide later") in footer_keys(app)
        # The key under the pointer changed: its tooltip follows.
        assert footer.tooltip == "Hide what is due later from the list"
        # A disabled key rings the bell and does nothing.
        await pilot.press("end")
        await settle(app, pilot)
        bells = []
        app.bell = lambda: bells.append(1)
        details = next(start for key, start, _ in footer.placed if key.key == "i")
        await pilot.click(footer, offset=(details + 1, 0))
        await settle(app, pilot)
        assert bells == [1] and isinstance(app.screen, HomeScreen)


async def test_keys_that_do_not_fit_are_left_out_whole(open_vault):
    every_source()
    app = make_app(open_vault)
    async with app.run_test(size=(60, 24)) as pilot:
        await settle(app, pilot)
        # 48 cells left of the palette's key, 9 of them kept for the help (which lists
        # the keys left out): i Details would need 41 of the other 39.
        assert footer_keys(app) == [("ctrl+n", "New concern"), ("u", "Show later"), ("f1", "Help")]
        line = home_footer(app).render().plain
        assert line.endswith("▏^p palette ") and "Details" not in line and "Quit" not in line and len(line) == 60


async def test_a_key_that_turns_out_disabled_is_shown_disabled(open_vault):
    # An empty vault's only row is a hint, not an item: i has nothing to show, which
    # the screen knows only once the list is drawn. The footer drawn with the screen
    # (before) is rebuilt.
    app = make_app(open_vault)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        assert rows(app)[0].startswith("Nothing has a due date yet")
        assert details_disabled(app)


async def test_the_home_screen_is_restyled_on_resuming_only_once_it_has_been_drawn(open_vault, monkeypatch):
    # Textual restyles every widget of a screen as it resumes; until the home screen is
    # first drawn, each is as styled at its mounting.
    restyled = []
    real = HomeScreen.update_node_styles
    monkeypatch.setattr(HomeScreen, "update_node_styles",
                        lambda self, animate=True: restyled.append(self._been_shown) or real(self, animate))
    every_source()
    app = make_app(open_vault)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        assert restyled == [] and app.screen._been_shown
        await pilot.press("t")
        await settle(app, pilot)
        await pilot.press("h")
        await settle(app, pilot)
        assert restyled == [True]


async def test_no_builtin_is_called_back_on_the_way_to_the_home_screen(open_vault, monkeypatch):
    # Textual reads each callback's signature; a builtin's (setattr, say) is parsed
    # from its text by tokenize, whose patterns are compiled at the first use: 5 ms of
    # the launch, once.
    import inspect
    from textual import _callback

    builtins = []
    real = _callback._count_parameters
    monkeypatch.setattr(_callback, "_count_parameters",
                        lambda func: (inspect.isbuiltin(func) and builtins.append(func)) or real(func))
    every_source()
    app = make_app(open_vault)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        assert isinstance(app.screen, HomeScreen) and app.screen._been_shown
    assert builtins == []


async def test_a_change_of_theme_while_elsewhere_reaches_home_on_coming_back(open_vault):
    every_source()
    app = make_app(open_vault)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        home = app.screen
        before = home.query_one(OptionList).styles.background
        await pilot.press("t")
        await settle(app, pilot)
        app.theme = "textual-light" if app.theme != "textual-light" else "textual-dark"
        await settle(app, pilot)
        await pilot.press("h")
        await settle(app, pilot)
        assert app.screen is home and home.query_one(OptionList).styles.background != before


async def test_the_footer_shows_one_key_an_action_as_textuals_does():
    from textual.app import App
    from textual.binding import Binding

    from sitecare.screens.footer import Footer

    class Two(App):
        BINDINGS = [Binding("a", "bell", "Ring"), Binding("b", "bell", "Ring"), Binding("c", "quit", "Quit")]

        def compose(self):
            yield Footer()

    app = Two()
    async with app.run_test(size=(60, 5)) as pilot:
        await pilot.pause()
        shown = app.screen.query_one(Footer).shown_in_full()
        assert [key for key, _ in shown if key != "ctrl+p"] == ["a", "c"]


async def test_the_first_rows_are_drawn_first_and_the_rest_of_the_page_just_after(open_vault, monkeypatch):
    from sitecare.screens import home as home_screen

    monkeypatch.setattr(home_screen, "FIRST_ROWS", 3)
    drawn = []
    render = HomeScreen._render_options
    monkeypatch.setattr(HomeScreen, "_render_options",
                        lambda self: render(self) or drawn.append(self.query_one(OptionList).option_count))
    every_source()
    app = make_app(open_vault)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        await pilot.pause(home_screen.REST_AFTER * 2)
        home = app.screen
        assert drawn[0] == 3 and 3 < len(home.shown) < home.limit
        options = home.query_one(OptionList)
        assert options.option_count >= len(home.shown) and options.highlighted == 0
