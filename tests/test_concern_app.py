"""Pilot tests for raising and following a concern, driven by keys as a person would:
ctrl+n from anywhere, the capture form and its draft, the steps to sign-off, the
append-only record in the UI, the concerns list, templates, and a snapshot."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

import pytest
from textual.widgets import Checkbox, Input, OptionList, Select, SelectionList, TextArea

from sitecare.app import SitecareApp
from sitecare.data import concerns
from sitecare.data.contacts import add_contact
from sitecare.data.models import Action, ChronologyEntry, Concern, ProcedureTemplate, change
from sitecare.data.vault import Vault
from sitecare.screens.briefing import BriefingScreen
from sitecare.screens.concern import ConcernScreen
from sitecare.screens.concern_dialogs import EntryDialog, SignOffDialog
from sitecare.screens.concern_form import ChoiceScreen, ConcernFormScreen
from sitecare.screens.footer import Footer
from sitecare.screens.concerns import ConcernsScreen
from sitecare.screens.confirm import ConfirmScreen
from sitecare.screens.templates import TemplatesScreen

import concern_support as cs
from support import PASSPHRASE, settle

NOW = datetime(2026, 11, 22, 9, 0)
SIZE = (80, 24)
FIXTURES = Path(__file__).parent / "rules" / "fixtures" / "procedures"


def make_app(vault) -> SitecareApp:
    return SitecareApp(vault, now=lambda: NOW)


def text_of(app, selector: str) -> str:
    return str(app.screen.query_one(selector).render())


def options_text(app, selector: str) -> str:
    option_list = app.screen.query_one(selector, OptionList)
    return "\n".join(str(option_list.get_option_at_index(i).prompt) for i in range(option_list.option_count))


async def choose(pilot, select_id: str, typed: str) -> None:
    """Open a Select from the keyboard, type to find the option, take it."""
    pilot.app.screen.query_one(select_id, Select).focus()
    await pilot.pause()
    await pilot.press("enter")
    await pilot.pause()
    await pilot.press(*typed)
    await pilot.press("enter")
    await pilot.pause()


async def open_concern(app, pilot, concern_id: int, key: str | None = None) -> None:
    """From the home screen to the concern's screen; then `key` (a dialog's), if given."""
    await settle(app, pilot)
    app.push_screen(ConcernScreen(concern_id))
    await settle(app, pilot)
    if key is not None:
        await pilot.press(key)
        await settle(app, pilot)


async def open_form(app, pilot) -> ConcernFormScreen:
    await pilot.press("ctrl+n")
    await settle(app, pilot)
    assert isinstance(app.screen, ConcernFormScreen)
    return app.screen


# --------------------------------------------------------------------------- the whole flow


async def test_from_the_capture_key_through_the_steps_to_sign_off(open_vault):
    at = cs.site(la=cs.authority())
    add_contact(at, "deputy_dsl", "Mark Ellery", date(2020, 1, 1), phone="07700 900333")
    app = make_app(open_vault)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        # ctrl+n works even while typing in another screen's text field.
        await pilot.press("c")
        await pilot.pause()
        assert isinstance(app.screen, ConcernsScreen)
        await pilot.press("slash", "b", "e")
        assert app.screen.query_one("#q-text", Input).value == "be"
        form = await open_form(app, pilot)

        await choose(pilot, "#f-site", "Kes")
        assert form.query_one("#f-site", Select).value == at.id
        # Letters typed while a non-text field has focus go into the account.
        await pilot.press(*"He said")
        await pilot.press("space", *"Dad hit him.")
        assert form.query_one("#f-account", TextArea).text == "He said Dad hit him."
        await pilot.press("ctrl+s")
        await settle(app, pilot)

        assert isinstance(app.screen, ConcernScreen)
        concern = Concern.get()
        assert (concern.reference, concern.status, concern.routes) == ("C-2026-001", "open", ["commissioned"])
        assert open_vault.read_draft(concerns.DRAFT_NAME) is None  # saved: the draft is gone
        steps = options_text(app, "#concern-steps")
        assert "Tell the site's DSL" in steps and "Claire Ashdown (DSL) · 07700 900607" in steps

        # Step 1: tell the DSL, in person.
        await pilot.press("d")
        await settle(app, pilot)
        assert isinstance(app.screen, EntryDialog)
        await pilot.press(*"Told her in the office")
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert "Say how you made contact" in text_of(app, "#e-how")  # next to the field
        await choose(pilot, "#f-how", "In")
        await pilot.press("ctrl+s")
        await settle(app, pilot)
        assert isinstance(app.screen, ConcernScreen)
        done = ChronologyEntry.get(ChronologyEntry.step_key == "commissioned/tell-dsl")
        assert (done.how, done.shared_with, done.kind) == ("in person", "Claire Ashdown", "action_taken")
        assert "Done 22 Nov 2026 09:00 by me, in person" in options_text(app, "#concern-steps")

        # Step 2 is highlighted next; it is the practitioner's own: no "how" needed.
        await pilot.press("d")
        await settle(app, pilot)
        assert "Record it on the site's incident form" in text_of(app, ".dialog-title")
        await pilot.press(*"Logged on CPOMS", "ctrl+s")
        await settle(app, pilot)
        assert concerns.procedure_for(concern).steps[1].done is not None

        # Waiting for the outcome summary: chased after 5 working days (England).
        await pilot.press("w")
        await settle(app, pilot)
        await pilot.press("ctrl+s")
        await settle(app, pilot)
        concern = Concern.get_by_id(concern.id)
        assert concern.status == "awaiting_outcome"
        chase = Action.get(Action.concern == concern)
        assert chase.due == date(2026, 11, 27)
        assert "Awaiting outcome" in text_of(app, "#concern-summary")

        # The outcome arrives.
        await pilot.press("o")
        await settle(app, pilot)
        await pilot.press(*"Early help referral made", "ctrl+s")
        await settle(app, pilot)
        assert Concern.get_by_id(concern.id).status == "open"
        assert Action.get_by_id(chase.id).done_on == NOW.date()

        # Sign off: "Agreed action taken" closes the concern.
        # Steps still not done are named, and signing off over them asks first.
        await pilot.press("g")
        await settle(app, pilot)
        assert isinstance(app.screen, SignOffDialog)
        not_done = ("2 steps are not done: Give the DSL a copy of the record; "
                    "The DSL decides what happens next.")
        assert text_of(app, "#steps-not-done") == not_done
        await pilot.press(*"Agreed with Claire", "ctrl+s")
        await settle(app, pilot)
        assert isinstance(app.screen, ConfirmScreen)
        assert text_of(app, "#question") == not_done + " Sign off anyway?"
        await pilot.press("enter")  # the safe answer has focus: nothing is signed off
        await settle(app, pilot)
        assert isinstance(app.screen, SignOffDialog)
        assert Concern.get_by_id(concern.id).status == "open"
        await pilot.press("ctrl+s")
        await settle(app, pilot)
        await pilot.press("shift+tab", "enter")  # "Sign off anyway"
        await settle(app, pilot)
        assert isinstance(app.screen, ConcernScreen)
        concern = Concern.get_by_id(concern.id)
        assert (concern.status, concern.closed_on) == ("closed", NOW.date())
        assert "Closed (signed off 22 Nov 2026)" in text_of(app, "#concern-summary")
        assert [e.kind for e in concerns.entries(concern)] == [
            "account", "action_taken", "action_taken", "note", "outcome", "signed_off",
        ]
        # Closed: adding is refused until it is re-opened, which appends an entry.
        await pilot.press("e")
        await pilot.pause()
        assert isinstance(app.screen, ConcernScreen)
        await pilot.press("u")
        await settle(app, pilot)
        await pilot.press(*"New information from the DSL", "ctrl+s")
        await settle(app, pilot)
        assert Concern.get_by_id(concern.id).status == "open"
        assert concerns.entries(concern)[-1].kind == "reopened"


async def test_the_record_is_append_only_in_the_ui(open_vault):
    concern = cs.raise_concern(cs.site(), NOW)
    original = concerns.entries(concern)[0]
    app = make_app(open_vault)
    async with app.run_test(size=SIZE) as pilot:
        await open_concern(app, pilot, concern.id)
        await pilot.press("2")
        await pilot.pause()
        # No key on this screen, or the app's, edits or deletes an entry.
        actions = {b.action for bindings in (app.screen._bindings, app._bindings)
                   for b_list in bindings.key_to_bindings.values() for b in b_list}
        assert not [a for a in actions if "edit" in a or "delete" in a or "remove" in a]
        await pilot.press("delete", "backspace")
        await pilot.pause()
        assert ChronologyEntry.select().count() == 1
        # Enter on an entry offers a correction, never an edit.
        await pilot.press("enter")
        await settle(app, pilot)
        assert isinstance(app.screen, EntryDialog)
        assert text_of(app, ".dialog-title") == "Correct entry #1"
        await pilot.press(*"It was his uncle, not his stepdad.", "ctrl+s")
        await settle(app, pilot)
        record = options_text(app, "#concern-record")
        assert "He said his stepdad hit him with a belt." in record
        assert "Corrected by #2" in record and "Corrects #1 (kept as written)" in record
        assert ChronologyEntry.get_by_id(original.id).text == original.text


async def test_the_step_dialog_opens_at_the_top_and_typing_is_never_lost(open_vault):
    concern = cs.raise_concern(cs.site(), NOW)
    app = make_app(open_vault)
    async with app.run_test(size=SIZE) as pilot:
        await open_concern(app, pilot, concern.id, "d")
        dialog = app.screen
        assert isinstance(dialog, EntryDialog)
        box = dialog.query_one(".concern-dialog")
        assert box.scroll_y == 0  # the title and When are on screen
        assert dialog.focused is dialog.query_one("#f-kind")
        assert dialog.query_one("#f-at").region.bottom <= SIZE[1]
        assert dialog.query_one(".dialog-title").region.y >= 0
        await pilot.press("escape")
        await settle(app, pilot)

        # Correct entry: Tab onto a checkbox, then type: the words go into the text.
        await pilot.press("2", "enter")
        await settle(app, pilot)
        dialog = app.screen
        assert text_of(app, ".dialog-title") == "Correct entry #1"
        await pilot.press(*"It was his uncle")
        restricted = dialog.query_one("#f-restricted", Checkbox)
        restricted.focus()
        await pilot.pause()
        await pilot.press(*", not his stepdad.")
        await pilot.pause()
        assert dialog.query_one("#f-text", TextArea).text == "It was his uncle, not his stepdad."
        assert restricted.value is False
        # A space on its own still ticks the box.
        restricted.focus()
        await pilot.pause(1.1)
        await pilot.press("space")
        await pilot.pause()
        assert restricted.value is True


async def test_new_concern_from_a_briefing_chooses_that_site(open_vault):
    cs.site("Alder Brook Academy")
    at = cs.site()
    app = make_app(open_vault)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        app.push_screen(BriefingScreen(at.id))
        await settle(app, pilot)
        form = await open_form(app, pilot)
        assert form.query_one("#f-site", Select).value == at.id
        await pilot.press("escape")  # nothing typed: closes without asking
        await settle(app, pilot)
        assert isinstance(app.screen, BriefingScreen)
        assert open_vault.read_draft(concerns.DRAFT_NAME) is None
        app.pop_screen()
        await settle(app, pilot)
        form = await open_form(app, pilot)  # elsewhere: no site is assumed
        assert form.query_one("#f-site", Select).value is Select.NULL


async def test_ticked_boxes_differ_in_text_not_only_colour(open_vault):
    app = make_app(open_vault)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        form = await open_form(app, pilot)
        danger = form.query_one("#f-danger", Checkbox)
        assert "▐ ▌" in str(danger.render())
        danger.value = True
        await pilot.pause()
        assert "▐X▌" in str(danger.render())
        categories = form.query_one("#f-categories", SelectionList)
        categories.select(categories.get_option_at_index(1).value)
        await pilot.pause()
        lines = [categories.render_line(y).text for y in range(2)]
        assert lines[0].startswith("▐ ▌") and lines[1].startswith("▐X▌")


# --------------------------------------------------------------------------- the form


async def test_the_form_says_what_is_wrong_next_to_each_field_and_loses_nothing(open_vault):
    cs.site()
    app = make_app(open_vault)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        form = await open_form(app, pilot)
        form.query_one("#f-occurred", Input).focus()
        await pilot.press(*"yesterday")
        form.query_one("#f-client-ref", Input).focus()
        await pilot.press(*"Jane Smith")
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert isinstance(app.screen, ConcernFormScreen)
        assert "Choose the site" in text_of(app, "#e-site")
        assert "is not a date" in text_of(app, "#e-occurred")
        assert "looks like a name" in text_of(app, "#e-client_reference")
        assert "Write down what was said" in text_of(app, "#e-account")
        assert app.focused is form.query_one("#f-site")  # the first field to fix
        # What was typed is in the encrypted draft already.
        draft = concerns.read_draft_bytes(open_vault.read_draft(concerns.DRAFT_NAME))
        assert (draft["occurred"], draft["client_reference"]) == ("yesterday", "Jane Smith")

        # Keep it for later; ctrl+n brings it back.
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, ChoiceScreen)
        await pilot.press("escape")  # back to the form
        await pilot.pause()
        assert isinstance(app.screen, ConcernFormScreen)
        form.query_one("#later").press()
        await settle(app, pilot)
        assert not isinstance(app.screen, ConcernFormScreen)
        form = await open_form(app, pilot)
        assert form.query_one("#f-client-ref", Input).value == "Jane Smith"
        assert "Continuing the unfinished concern" in text_of(app, "#resumed")

        # Discarding removes the draft, after asking.
        form.query_one("#discard").press()
        await pilot.pause()
        await pilot.press("shift+tab", "enter")  # from "Back to the form" to "Discard"
        await settle(app, pilot)
        assert open_vault.read_draft(concerns.DRAFT_NAME) is None
        assert not isinstance(app.screen, ConcernFormScreen)


async def test_immediate_danger_says_call_999_at_once(open_vault):
    cs.site()
    app = make_app(open_vault)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        form = await open_form(app, pilot)
        banner = form.query_one("#danger-banner")
        assert not banner.display
        form.query_one("#f-danger").focus()
        await pilot.press("space")
        await pilot.pause()
        assert banner.display and "call the police on 999 now" in text_of(app, "#danger-banner")


async def test_the_draft_is_offered_again_at_the_next_unlock(vault_dir, template_kek):
    vault = Vault(vault_dir)
    vault.open_with_key(template_kek)
    vault.write_draft(concerns.DRAFT_NAME, concerns.draft_bytes(
        dict(concerns.EMPTY_FORM, account="She said she is scared to go home", started_at="2026-11-22T08:30:00")
    ))
    vault.close()
    app = make_app(Vault(vault_dir))
    async with app.run_test(size=SIZE) as pilot:
        app.screen.query_one("#passphrase", Input).value = PASSPHRASE
        await pilot.press("enter")
        await settle(app, pilot)
        assert isinstance(app.screen, ChoiceScreen)
        assert "started 22 Nov 2026 08:30" in text_of(app, "#question")
        assert "scared" not in text_of(app, "#question")  # named, not shown
        await pilot.press("enter")  # "Continue it now" has focus
        await settle(app, pilot)
        assert isinstance(app.screen, ConcernFormScreen)
        assert app.screen.query_one("#f-account", TextArea).text == "She said she is scared to go home"


@pytest.mark.parametrize("size", [(80, 24), (200, 50)])
async def test_every_field_is_reachable_by_keyboard_at_both_sizes(open_vault, size):
    cs.site()
    app = make_app(open_vault)
    async with app.run_test(size=size) as pilot:
        await settle(app, pilot)
        form = await open_form(app, pilot)
        seen = []
        for _ in range(40):
            seen.append(app.focused.id)
            await pilot.press("tab")
            if app.focused.id == "save":
                break
        assert seen[:1] == ["f-site"]
        for wanted in ("f-occurred", "f-noticed", "f-client", "f-client-ref", "f-client-type", "f-kind",
                       "f-categories", "f-danger", "f-account", "f-observed"):
            assert wanted in seen, wanted
        await pilot.pause()
        save = form.query_one("#save")
        assert 0 < save.region.bottom <= size[1] and save.region.height > 0  # scrolled into view


# --------------------------------------------------------------------------- list and templates


async def open_concerns_list(app, pilot):
    """From the home screen to the concerns list; its table."""
    await settle(app, pilot)
    await pilot.press("c")
    await pilot.pause()
    return app.screen.query_one("#concern-table")


def two_concerns_one_closed() -> None:
    kestrel = cs.site()
    otter = cs.site(name="Otterbrook Academy")
    cs.raise_concern(kestrel, NOW, account="Mentioned a belt.")
    closed = cs.raise_concern(otter, NOW, kind="whistleblowing", account="Call bells unanswered.")
    concerns.sign_off(closed, NOW)


async def test_the_concerns_list_filters_and_searches(open_vault):
    two_concerns_one_closed()
    app = make_app(open_vault)
    async with app.run_test(size=SIZE) as pilot:
        table = await open_concerns_list(app, pilot)
        assert table.row_count == 2
        await pilot.press("slash", *"belt")
        await pilot.pause()
        assert table.row_count == 1 and table.get_row_at(0)[0] == "C-2026-001"
        await pilot.press("escape", "x")
        await pilot.pause()
        assert table.row_count == 2
        await choose(pilot, "#q-status", "Cl")
        assert table.row_count == 1 and table.get_row_at(0)[0] == "C-2026-002"
        app.screen.query_one("#q-from", Input).value = "31/02/2026"
        await pilot.pause()
        assert "is not a real date" in text_of(app, "#q-error")
        await pilot.press("escape", "x", "enter")
        await settle(app, pilot)
        assert isinstance(app.screen, ConcernScreen)


async def test_the_concerns_list_is_read_as_it_opens_and_again_only_after_a_change(open_vault, monkeypatch):
    # Textual resumes a screen just after mounting it: reading every concern again then
    # doubled the opening (0.9 s on the large vault), as did coming back to it unchanged.
    from datetime import timedelta

    two_concerns_one_closed()
    reads = []
    real = concerns.find_concern_ids
    monkeypatch.setattr(concerns, "find_concern_ids", lambda flt: reads.append(flt) or real(flt))
    clock = [NOW]
    app = SitecareApp(open_vault, now=lambda: clock[0])
    async with app.run_test(size=SIZE) as pilot:

        async def back_to_the_list() -> None:
            await pilot.press("h")
            await settle(app, pilot)
            await pilot.press("c")
            await settle(app, pilot)

        table = await open_concerns_list(app, pilot)
        await settle(app, pilot)
        assert len(reads) == 1 and table.row_count == 2
        await back_to_the_list()
        assert len(reads) == 1
        cs.raise_concern(cs.site(name="Heronsgate House"), NOW, account="Bruising on both arms.")
        await back_to_the_list()
        assert len(reads) == 2 and table.row_count == 3
        # A deadline counted in hours turns overdue at its minute.
        clock[0] = NOW + timedelta(minutes=1)
        await back_to_the_list()
        assert len(reads) == 3


async def test_a_search_every_concern_matches_says_so(open_vault, monkeypatch):
    from sitecare.screens import concerns as concerns_screen

    monkeypatch.setattr(concerns_screen, "PAGE", 1)
    two_concerns_one_closed()
    app = make_app(open_vault)
    async with app.run_test(size=SIZE) as pilot:
        await open_concerns_list(app, pilot)
        assert "every one matches" not in text_of(app, "#concern-count")
        await pilot.press("slash", *"C-2026")
        await settle(app, pilot)
        assert text_of(app, "#concern-count").startswith("The newest 1 of 2 (every one matches)")


async def test_the_highlighted_concern_stays_highlighted_when_a_search_is_cleared(open_vault):
    # A new-user trial: a search found the concern, clearing it put the highlight back
    # on the row number it had in the search (the first), on another concern.
    kestrel = cs.site()
    for account in ("Mentioned a belt.", "Bruise on his arm.", "Went quiet at lunch."):
        cs.raise_concern(kestrel, NOW, account=account)
    app = make_app(open_vault)
    async with app.run_test(size=SIZE) as pilot:
        table = await open_concerns_list(app, pilot)
        refs = [table.get_row_at(row)[0] for row in range(table.row_count)]
        assert refs == ["C-2026-003", "C-2026-002", "C-2026-001"]
        await pilot.press("down")  # C-2026-002, the bruise
        await pilot.press("slash", *"bruise")
        await pilot.pause()
        assert table.row_count == 1 and table.get_row_at(table.cursor_row)[0] == "C-2026-002"
        await pilot.press("escape", "x")
        await pilot.pause()
        assert table.row_count == 3 and table.get_row_at(table.cursor_row)[0] == "C-2026-002"
        assert text_of(app, "#concern-next").startswith("C-2026-002 at ")
        # Filtered out, the highlight goes to a concern still listed (and stays there).
        await pilot.press("down")  # C-2026-001
        await pilot.press("slash", *"lunch")
        await pilot.pause()
        assert table.row_count == 1 and table.get_row_at(table.cursor_row)[0] == "C-2026-003"
        await pilot.press("escape", "x")
        await pilot.pause()
        assert table.get_row_at(table.cursor_row)[0] == "C-2026-003"


async def test_the_highlighted_concerns_next_step_is_shown_in_full(open_vault):
    # At 80 columns the Next cell shows only its start; the line under the table has it all.
    two_concerns_one_closed()
    app = make_app(open_vault)
    async with app.run_test(size=SIZE) as pilot:
        table = await open_concerns_list(app, pilot)
        first = concerns.next_action_text(Concern.get(Concern.reference == table.get_row_at(0)[0]), NOW.date(), now=NOW)
        assert len(first) > table.ordered_columns[-1].width  # the cell cannot hold it
        assert text_of(app, "#concern-next") == f"C-2026-002 at Otterbrook Academy: {first}"
        await pilot.press("down")
        await pilot.pause()
        second = concerns.next_action_text(Concern.get(Concern.reference == "C-2026-001"), NOW.date(), now=NOW)
        assert text_of(app, "#concern-next") == f"C-2026-001 at Kestrel Fen Primary School: {second}"
        assert second != first
        await pilot.press("slash", *"nothing matches this")
        await pilot.pause()
        assert table.row_count == 0 and text_of(app, "#concern-next") == ""


async def test_a_long_concerns_list_shows_the_newest_a_page_at_a_time(open_vault, monkeypatch):
    from sitecare.screens import concerns as concerns_screen

    monkeypatch.setattr(concerns_screen, "PAGE", 1)
    monkeypatch.setattr(concerns_screen.ConcernsScreen, "limit", 1)
    two_concerns_one_closed()
    app = make_app(open_vault)
    async with app.run_test(size=SIZE) as pilot:
        table = await open_concerns_list(app, pilot)
        assert table.row_count == 1 and table.get_row_at(0)[0] == "C-2026-002"
        assert text_of(app, "#concern-count") == "The newest 1 of 2: + shows 1 more; / searches."
        # With + in the footer too, raising a concern still shows first.
        keys = [key for key, _ in app.screen.query_one(Footer).shown_in_full()]
        assert keys[0] == "ctrl+n" and "plus" in keys
        await pilot.press("plus")
        await pilot.pause()
        assert table.row_count == 2 and table.cursor_row == 1
        assert text_of(app, "#concern-count").startswith("2 concerns.")
        await pilot.press("plus")  # nothing more to show: no error, no change
        await pilot.pause()
        assert table.row_count == 2
        await pilot.press("slash", *"belt")  # a new search starts from the first page
        await pilot.pause()
        assert table.row_count == 1 and table.get_row_at(0)[0] == "C-2026-001"


async def test_a_long_reference_is_never_cut(open_vault):
    # A busy year's references run past the 10 columns the Ref column used to have.
    two_concerns_one_closed()
    with change():
        Concern.update(reference="C-2026-001155").where(Concern.reference == "C-2026-002").execute()
    app = make_app(open_vault)
    async with app.run_test(size=SIZE) as pilot:
        table = await open_concerns_list(app, pilot)
        assert table.ordered_columns[0].width >= len("C-2026-001155")
        assert "C-2026-001155 " in str(app.screen.query_one("#concern-table").render_line(1).text)


async def test_a_broken_user_template_is_reported_on_screen(open_vault, tmp_path):
    with change():
        ProcedureTemplate.create(key="my-org", filename="broken-role.toml",
                                 text=(FIXTURES / "broken-role.toml").read_text())
    app = make_app(open_vault)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        await pilot.press("c", "p")
        await settle(app, pilot)
        assert isinstance(app.screen, TemplatesScreen)
        errors = text_of(app, "#template-errors")
        assert "broken-role.toml, line 14: step 'tell-dsl' has unknown role 'dls'" in errors
        assert app.screen.query_one("#template-table").row_count == 9  # the shipped ones still work

        # Adding a broken file: refused, with file, line and reason next to the field.
        broken = tmp_path / "broken-syntax.toml"
        broken.write_text((FIXTURES / "broken-syntax.toml").read_text())
        await pilot.press("i")
        await pilot.pause()
        app.screen.query_one("#f-file", Input).value = str(broken)
        await pilot.press("enter")
        await pilot.pause()
        assert "Not added: broken-syntax.toml, line 10: not valid TOML" in text_of(app, "#e-file")
        assert ProcedureTemplate.select().count() == 1


# --------------------------------------------------------------------------- snapshot


def _snapshot_concern() -> int:
    la = cs.authority()
    org = cs.organisation()
    at = cs.site(la=la, org=org)
    add_contact(at, "deputy_dsl", "Mark Ellery", date(2020, 1, 1), phone="07700 900333")
    concern = cs.raise_concern(at, datetime(2026, 11, 20, 15, 30), noticed=datetime(2026, 11, 20, 15, 10),
                               account="He said his stepdad hit him with a belt on Saturday.")
    with change():
        concern.categories = ["physical abuse"]
        concern.save()
    tell = concerns.procedure_for(concern).steps[0]
    concerns.complete_step(concern, tell, datetime(2026, 11, 20, 15, 40), how="in person",
                           said="Told her in her office before leaving.", at=datetime(2026, 11, 20, 15, 35))
    return concern.id


def test_snapshot_of_the_concern_screen_80x24(open_vault, snap_compare):
    concern_id = _snapshot_concern()
    app = make_app(open_vault)

    async def run_before(pilot) -> None:
        await settle(pilot.app, pilot)
        pilot.app.push_screen(ConcernScreen(concern_id))
        await settle(pilot.app, pilot)

    assert snap_compare(app, terminal_size=SIZE, run_before=run_before)


async def test_locking_writes_the_draft_at_once(open_vault):
    cs.site()
    app = make_app(open_vault)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        form = await open_form(app, pilot)
        form.query_one("#f-account", TextArea).focus()
        await pilot.press(*"She said")
        await pilot.press("ctrl+l")  # before the half-second draft timer fires
        await pilot.pause()
        assert not open_vault.is_open
    vault = Vault(open_vault.folder)
    vault.open_with_key(open_vault_key(open_vault), readonly=True)
    try:
        assert concerns.read_draft_bytes(vault.read_draft(concerns.DRAFT_NAME))["account"] == "She said"
    finally:
        vault.close()


@pytest.mark.parametrize("size", [(80, 24), (200, 50)])
async def test_the_draft_status_line_is_on_screen(open_vault, size):
    # It was docked under the footer, and hidden by it: a new-user trial never saw
    # "Draft kept", nor that drafts had stopped being kept.
    cs.site()
    app = make_app(open_vault)
    async with app.run_test(size=size) as pilot:
        await settle(app, pilot)
        form = await open_form(app, pilot)
        form.query_one("#f-account", TextArea).focus()
        await pilot.press(*"She said")
        form.flush_draft()
        await pilot.pause()
        status = form.query_one("#draft-status")
        assert "Draft kept (encrypted)" in text_of(app, "#draft-status")
        assert status.region.height == 1
        assert app.screen.get_widget_at(status.region.x + 1, status.region.y)[0] is status


async def test_a_note_typed_in_one_burst_with_ctrl_s_is_saved_whole(open_vault):
    # Trials sent a note with corrections and ctrl+s in one burst: ctrl+s ran before the
    # keys queued for the field, and Backspace, Left and End were applied after the
    # letters typed behind them ("incidnt", two Backspaces, "nt today" was recorded as
    # "incidntnt today"). An entry can only be corrected, never edited.
    from textual import events

    concern = cs.raise_concern(cs.site(), NOW)
    app = make_app(open_vault)
    async with app.run_test(size=SIZE) as pilot:
        await open_concern(app, pilot, concern.id, "e")
        assert isinstance(app.screen, EntryDialog)
        keys = ([(c, c) for c in "Rang the DSL abuot"] + [("backspace", None)] * 3 + [(c, c) for c in "out it"]
                + [("left", None)] * 2 + [("x", "x"), ("end", None)] + [(c, c) for c in ", done"])
        for key, character in [*keys, ("ctrl+s", None)]:
            app.post_message(events.Key("space" if character == " " else key, character))
        await settle(app, pilot)
        assert not isinstance(app.screen, EntryDialog)
        assert ChronologyEntry.select().order_by(ChronologyEntry.id.desc()).first().text == "Rang the DSL about xit, done"


async def test_esc_in_an_entry_asks_before_the_typing_is_lost(open_vault):
    # A third trial typed a note, pressed Esc, and the note was gone unasked.
    concern = cs.raise_concern(cs.site(), NOW)
    app = make_app(open_vault)
    async with app.run_test(size=SIZE) as pilot:
        await open_concern(app, pilot, concern.id, "e")
        await pilot.press("escape")  # nothing typed: closed at once
        await settle(app, pilot)
        assert isinstance(app.screen, ConcernScreen)
        await pilot.press("e")
        await settle(app, pilot)
        await pilot.press(*"Rang the DSL")
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, ConfirmScreen)
        await pilot.press("enter")  # the safe answer has focus: keep editing
        await pilot.pause()
        assert isinstance(app.screen, EntryDialog)
        assert app.screen.query_one("#f-text", TextArea).text == "Rang the DSL"
        await pilot.press("escape")
        await pilot.pause()
        app.screen.query_one("#yes").press()
        await settle(app, pilot)
        assert isinstance(app.screen, ConcernScreen)


def open_vault_key(vault) -> bytes:
    from support import PASSPHRASE as passphrase
    from sitecare.data.vault import derive_key

    header = Vault(vault.folder).read_header()
    return derive_key(passphrase, header.salt, header.kdf)


async def test_new_concern_is_in_the_footer_of_each_concern_screen(open_vault):
    concern = cs.raise_concern(cs.site(), NOW)
    app = make_app(open_vault)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)

        def visible_ctrl_n() -> bool:
            # Drawn whole, left of the palette's key (keys that do not fit are left out).
            return "ctrl+n" in [key for key, _ in app.screen.query_one(Footer).shown_in_full()[:-1]]

        await pilot.press("c")
        await settle(app, pilot)
        assert visible_ctrl_n(), "concerns list"
        await pilot.press("p")
        await settle(app, pilot)
        assert visible_ctrl_n(), "templates"
        await pilot.press("escape")
        app.push_screen(ConcernScreen(concern.id))
        await settle(app, pilot)
        assert visible_ctrl_n(), "concern"
        await open_form(app, pilot)
        assert visible_ctrl_n(), "capture form"


async def test_a_read_only_sitecare_says_where_to_raise_a_concern_before_anything_is_typed(open_vault):
    """Nothing typed in a read-only sitecare can be saved, not even as a draft: a new-user
    trial typed an account there, and Esc lost it without a word."""
    cs.site()
    # A draft left by the sitecare that has the vault open: that one offers it, not this.
    open_vault.write_draft(concerns.DRAFT_NAME, concerns.draft_bytes({"account": "kept from before"}))
    open_vault.close()
    reader = Vault(open_vault.folder)
    reader.open_with_key(open_vault_key(open_vault), readonly=True)
    app = make_app(reader)
    notes = []
    app.notify = lambda message, **kw: notes.append(message)
    try:
        async with app.run_test(size=SIZE) as pilot:
            await settle(app, pilot)
            await pilot.press("ctrl+n")
            await settle(app, pilot)
            assert not any(isinstance(s, (ConcernFormScreen, ChoiceScreen)) for s in app.screen_stack)
            assert any("cannot be saved here" in note and "has the vault open" in note for note in notes)
            # No other sitecare has it (opened read-only by choice, or for a folder that
            # could not be written to): not sent to look for one.
            assert "lock it (ctrl+l) and unlock it" in notes[-1] and "raise it in" not in notes[-1]
            holder = Vault(open_vault.folder)
            holder.acquire_lock()
            try:
                await pilot.press("ctrl+n")
                await settle(app, pilot)
                assert "raise it in the sitecare that has the vault open" in notes[-1]
            finally:
                holder.release_lock()
    finally:
        reader.close()
