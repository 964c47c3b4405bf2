"""The complaints log driven by keys: log a complaint, acknowledge it, answer stage 1,
move it to stage 2; the monitoring report; a snapshot of the log."""

from __future__ import annotations

from datetime import date, datetime

from textual.widgets import DataTable, Input, Static

from sitecare.app import SitecareApp
from sitecare.data import complaints
from sitecare.data.models import Complaint, ComplaintStage, LocalAuthority, Site, change
from sitecare.screens.complaint_form import ComplaintFormScreen
from sitecare.screens.complaints import ComplaintsScreen, MonitoringScreen
from sitecare.screens.record_forms import DateDialog

from support import reopen, settle

NOW = datetime(2026, 11, 22, 9, 0)  # a Sunday
SIZE = (80, 24)


def fixed_now() -> datetime:
    return NOW


async def retype(pilot, text: str) -> None:
    await pilot.press("ctrl+u")
    await pilot.press(*text)


def cells(app, table_id: str) -> list[list[str]]:
    table = app.screen.query_one(table_id, DataTable)
    return [[str(c) for c in table.get_row_at(i)] for i in range(table.row_count)]


def detail(app) -> str:
    return str(app.screen.query_one("#complaint-detail", Static).render())


async def test_log_a_complaint_through_to_stage_2(open_vault, template_kek):
    folder = open_vault.folder
    app = SitecareApp(open_vault, now=fixed_now)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("m")
        await pilot.pause()
        assert isinstance(app.screen, ComplaintsScreen)
        assert "No complaints logged" in str(app.screen.query_one("#complaints-empty", Static).render())

        await pilot.press("n")
        await pilot.pause()
        assert isinstance(app.screen, ComplaintFormScreen)
        # Received: the field starts at today; it came on Friday 13 November.
        assert app.focused.id == "received"
        await retype(pilot, "13/11/2026")
        await pilot.press("tab")  # how: leave email... choose phone with the keyboard
        await pilot.press("enter", "up", "enter")
        await pilot.pause()
        assert app.screen.query_one("#channel").value == "phone"
        await pilot.press("tab")
        await pilot.press(*"Parent of CH-0142")
        await pilot.press("tab", "tab", "tab")  # site (none), type (standard of service), about
        assert app.focused.id == "summary"
        await pilot.press(*"Sessions cancelled twice without notice.")
        await pilot.press("ctrl+s")
        await settle(app, pilot)

        assert isinstance(app.screen, ComplaintsScreen)
        # Fri 13 Nov + 5 working days = Fri 20 Nov: overdue on Sunday 22 Nov.
        assert cells(app, "#complaints-table") == [
            ["CMP-2026-001", "13 Nov 2026", "Standard of service", "1", "acknowledge OVERDUE (20 Nov 2026)"]
        ]

        # Acknowledged on Monday 16 November.
        await pilot.press("w")
        await pilot.pause()
        assert isinstance(app.screen, DateDialog)
        await retype(pilot, "16/11/2026")
        await pilot.press("enter")
        await settle(app, pilot)
        assert "Acknowledge by 20 Nov 2026: done 16 Nov 2026, on time" in detail(app)

        # Stage 1 answered on Friday 20 November (due Fri 27 Nov).
        await pilot.press("r")
        await pilot.pause()
        await retype(pilot, "20/11/2026")
        await pilot.press("enter")
        await pilot.press(*"Apologised and rebooked.")
        await pilot.press("enter")
        await settle(app, pilot)
        assert "reply by 27 Nov 2026: done 20 Nov 2026, on time" in detail(app)

        # The parent wrote to CAT: stage 2. A date before stage 1 is refused beside the field.
        await pilot.press("p")
        await pilot.pause()
        assert isinstance(app.screen, DateDialog)
        await retype(pilot, "12/11/2026")
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, DateDialog)
        error = app.screen.query_one("#date-error", Static)
        assert error.display and "Stage 2 cannot begin before stage 1 did (13 Nov 2026)." in str(error.render())
        await retype(pilot, "21/11/2026")
        await pilot.press("enter")
        await pilot.press(*"Parent wrote to CAT.")
        await pilot.press("enter")
        await settle(app, pilot)

        assert isinstance(app.screen, ComplaintsScreen)
        # Sat 21 Nov + 10 working days: Mon 23 .. Fri 27 (5), Mon 30 .. Fri 4 Dec (10).
        assert cells(app, "#complaints-table")[0][3:] == ["2", "reply by 4 Dec 2026"]
        assert "Stage 2, formal complaint to CAT: began 21 Nov 2026, reply by 4 Dec 2026" in detail(app)

        await pilot.press("o")
        await pilot.pause()
        assert isinstance(app.screen, MonitoringScreen)
        rows = {r[0]: r[1:] for r in cells(app, "#monitoring-table")}
        assert rows["Complaints received"] == ["1"]
        assert rows["Acknowledged on time"] == ["1 of 1 (100%)"]
        assert rows["Answered on time"] == ["1 of 1 (100%)"]
        assert rows["Not resolved yet"] == ["1"]
    # Everything went through models.change(), so it is in the vault file.
    vault = reopen(folder, template_kek)
    try:
        complaint = Complaint.get()
        assert (complaint.channel, complaint.complainant, complaint.acknowledged_on) == (
            "phone", "Parent of CH-0142", date(2026, 11, 16))
        stages = [(s.stage, s.began_on, s.responded_on, s.notes) for s in complaint.stages.order_by(ComplaintStage.stage)]
        assert stages == [
            (1, date(2026, 11, 13), date(2026, 11, 20), "Apologised and rebooked."),
            (2, date(2026, 11, 21), None, "Parent wrote to CAT."),
        ]
    finally:
        vault.close()


async def test_the_form_keeps_what_was_typed_when_a_value_is_wrong(open_vault):
    app = SitecareApp(open_vault, now=fixed_now)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("m", "n")
        await pilot.pause()
        await retype(pilot, "23/11/2026")
        await pilot.press("tab", "tab")
        await pilot.press(*"Jane Smith")
        await pilot.press("ctrl+s")
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, ComplaintFormScreen)
        errors = {f.field_name: str(f.query_one(".field-error", Static).render()) for f in screen.fields().values()
                  if f.has_error}
        assert errors == {
            "received": "The date received (23 Nov 2026) cannot be after today.",
            "complainant": "That looks like a name: describe them instead, for example 'Parent of CH-0142'.",
            "summary": "Write what the complaint is about, even a line.",
        }
        assert screen.query_one("#complainant", Input).value == "Jane Smith"
        assert app.focused.id == "received"
        assert Complaint.select().count() == 0


def fill_log() -> None:
    with change():
        scotland = LocalAuthority.create(name="Fictional Council (Scotland)", nation="SCT")
        site = Site.create(name="Heatherbank Primary", kind="school", local_authority=scotland)
    today = NOW.date()

    def add(received: str, **extra):
        values = {
            "received": received, "channel": "email", "complainant": "Parent of CH-0142", "site": None,
            "type": "standard_of_service", "summary": "Fixed data for the snapshot.", "first_stage": 1,
            "acknowledged": "", "upheld": "", "apology": False, "policy_change": "", "resolved_stage": "",
            "resolved_on": "",
        }
        values.update(extra)
        fields, errors = complaints.check_complaint(values, today)
        assert not errors, errors
        return complaints.save_complaint(fields, today)

    done = add("02/03/2026", type="practitioner_behaviour", acknowledged="04/03/2026", upheld="yes", apology=True,
               policy_change="Session changes confirmed in writing.", resolved_stage="1", resolved_on="12/03/2026")
    complaints.record_reply(done.id, date(2026, 3, 12))
    staged = add("13/11/2026", type="inadequate_information", acknowledged="16/11/2026", site=site.id)
    complaints.record_reply(staged.id, date(2026, 11, 20), "Explained the timetable.")
    complaints.begin_next_stage(staged.id, date(2026, 11, 21), "Wrote to CAT.")
    add("16/11/2026", type="failure_to_provide", complainant="Care home manager (Larkspur)", channel="phone")


def test_snapshot_of_the_complaints_log(open_vault, snap_compare):
    fill_log()
    app = SitecareApp(open_vault, now=fixed_now)
    assert snap_compare(app, press=["m"], terminal_size=SIZE)


async def test_the_attention_list_opens_a_complaint(open_vault):
    from sitecare.rules.attention import RecordRef
    from sitecare.screens.home import open_record_elsewhere

    fill_log()
    target = Complaint.get(Complaint.reference == "CMP-2026-002")
    app = SitecareApp(open_vault, now=fixed_now)
    async with app.run_test(size=SIZE) as pilot:
        assert open_record_elsewhere(app, RecordRef("complaint", target.id))
        await pilot.pause()
        await pilot.pause()
        assert isinstance(app.screen, ComplaintsScreen)
        assert app.screen.selected_id() == target.id
        assert detail(app).startswith("CMP-2026-002")
