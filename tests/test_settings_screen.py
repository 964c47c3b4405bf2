"""Settings (ctrl+p, "settings"): found in the palette and the help, each setting checked
beside its field, all saved together on ctrl+s, Esc cancelling, and each taking effect
at once: the idle lock's minutes, the home list's warning windows, the name on new
chronology entries. A read-only vault refuses to save them."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from textual.command import CommandPalette
from textual.widgets import Input, Static

from sitecare.app import SitecareApp
from sitecare.data import concerns, models
from sitecare.data.models import TrainingRecord, change
from sitecare.data.settings import current_settings, get_setting, save_settings
from sitecare.data.vault import Vault
from sitecare.screens.commands import SitecareCommands
from sitecare.screens.concern import ConcernScreen
from sitecare.screens.concern_dialogs import EntryDialog
from sitecare.screens.confirm import ConfirmScreen
from sitecare.screens.home import HomeScreen
from sitecare.screens.settings import READ_ONLY, SettingsScreen
from sitecare.screens.unlock import UnlockScreen

import concern_support as cs
from sitehelpers import NOW, SIZE, field_error, fill, kind, make_app, settle, type_text
from support import help_rows
from test_palette import hits

IDLE_REFUSED = "0 is out of range: type a whole number of minutes from 1 to 120."


async def open_settings(app, pilot, typed: str = "settings") -> SettingsScreen:
    """As a person does: ctrl+p, type, Enter on the best hit."""
    await pilot.press("ctrl+p")
    await pilot.pause()
    assert isinstance(app.screen, CommandPalette)
    await type_text(pilot, typed)
    await settle(app, pilot)
    await pilot.press("enter")
    await settle(app, pilot)
    assert isinstance(app.screen, SettingsScreen)
    return app.screen


def form_error(app) -> str:
    box = app.screen.query_one("#form-error", Static)
    return str(box.render()) if box.display else ""


def notifications(messages) -> list[str]:
    return [m.notification.message for m in messages if type(m).__name__ == "Notify"]


# --------------------------------------------------------------------------- the data layer


def test_saving_writes_only_what_changed_each_checked_again(open_vault):
    assert current_settings() == {"warn_days_training": 60, "warn_days_other": 30, "idle_lock_minutes": 10,
                                  "practitioner_name": ""}
    before = models.commit_count()
    assert save_settings({"idle_lock_minutes": 10, "practitioner_name": ""}) == []
    assert models.commit_count() == before  # nothing changed: nothing written, nothing saved
    assert save_settings({"idle_lock_minutes": 5, "practitioner_name": "  Alex  Morgan ", "warn_days_other": 30}) == [
        "idle_lock_minutes", "practitioner_name"]
    assert models.commit_count() == before + 1  # one change, one save
    assert (get_setting("idle_lock_minutes"), get_setting("practitioner_name")) == (5, "Alex Morgan")
    try:
        save_settings({"warn_days_training": 30, "idle_lock_minutes": 0})
    except ValueError as exc:
        assert str(exc) == IDLE_REFUSED
    else:
        raise AssertionError("an idle lock of 0 minutes was saved")
    assert (get_setting("warn_days_training"), get_setting("idle_lock_minutes")) == (60, 5)  # all or nothing


# --------------------------------------------------------------------------- finding it


async def test_settings_are_found_in_the_palette_by_name_and_by_each_setting(open_vault):
    app = make_app(open_vault)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        assert (await hits(SitecareCommands, app, "setting"))[0].text == "Settings"
        assert (await hits(SitecareCommands, app, "idle lock"))[0].text == "Settings: idle lock"
        assert (await hits(SitecareCommands, app, "name"))[0].text == "Settings: your name"
        assert (await hits(SitecareCommands, app, "due soon"))[0].text.startswith("Settings: ")
        screen = await open_settings(app, pilot)
        assert app.focused is screen.query_one("#practitioner_name", Input)
        # Each setting shown with its description and its saved value.
        hint = str(screen.query_one("#idle_lock_minutes-field .field-hint", Static).render())
        assert hint == ("Minutes without a key press before the vault locks itself (1 to 120). "
                        "Saved: 10 (the default).")
        assert screen.query_one("#idle_lock_minutes", Input).value == "10"
        assert screen.query_one("#warn_days_training", Input).value == "60"
        assert screen.query_one("#warn_days_other", Input).value == "30"
        await pilot.press("escape")  # nothing typed: closed without a question
        await settle(app, pilot)
        assert isinstance(app.screen, HomeScreen)
        screen = await open_settings(app, pilot, "idle lock")
        assert app.focused is screen.query_one("#idle_lock_minutes", Input)


async def test_the_help_says_where_the_settings_are(open_vault):
    app = make_app(open_vault)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        assert ("ctrl+p settings", "Settings: your name, idle lock, when things are due soon") in await help_rows(pilot)


# --------------------------------------------------------------------------- changing them


async def test_a_changed_idle_time_is_saved_and_the_running_app_locks_after_it(open_vault, template_kek):
    clock = {"now": NOW}
    app = SitecareApp(open_vault, now=lambda: clock["now"])
    messages = []
    async with app.run_test(size=SIZE, message_hook=messages.append) as pilot:
        await settle(app, pilot)
        app.lock_if_idle()  # its check every 5 seconds has run before the change
        assert app.vault.is_open
        await open_settings(app, pilot, "idle lock")
        await fill(app, pilot, "#idle_lock_minutes", "2")
        await pilot.press("ctrl+s")
        await settle(app, pilot)
        assert isinstance(app.screen, HomeScreen)
        assert "Settings saved." in notifications(messages)
        assert get_setting("idle_lock_minutes") == 2
        # No restart: the idle lock's next check uses the new time.
        clock["now"] += timedelta(minutes=1, seconds=59)
        app.lock_if_idle()
        assert app.vault.is_open
        clock["now"] += timedelta(seconds=1)
        app.lock_if_idle()
        await pilot.pause()
        assert isinstance(app.screen, UnlockScreen) and not app.vault.is_open
    # Stored in the vault file, not only in memory.
    again = Vault(open_vault.folder)
    again.open_with_key(template_kek, readonly=True)
    try:
        assert get_setting("idle_lock_minutes") == 2
    finally:
        again.close()


async def test_an_invalid_value_is_explained_beside_its_field_and_nothing_is_saved(open_vault):
    app = make_app(open_vault)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        screen = await open_settings(app, pilot)
        await fill(app, pilot, "#practitioner_name", "Alex Morgan")
        await fill(app, pilot, "#idle_lock_minutes", "0")
        await fill(app, pilot, "#warn_days_other", "400")
        before = models.commit_count()
        await pilot.press("ctrl+s")
        await settle(app, pilot)
        assert app.screen is screen
        assert field_error(app, "idle_lock_minutes") == IDLE_REFUSED
        assert field_error(app, "warn_days_other") == "400 is out of range: type a whole number of days from 0 to 365."
        assert field_error(app, "practitioner_name") == ""
        assert app.focused is screen.query_one("#idle_lock_minutes", Input)  # the first one wrong
        # What was typed is still there to correct; nothing was saved, not even the name.
        assert [screen.query_one(f"#{k}", Input).value for k in ("practitioner_name", "idle_lock_minutes")] == [
            "Alex Morgan", "0"]
        assert models.commit_count() == before
        assert current_settings()["practitioner_name"] == "" and get_setting("idle_lock_minutes") == 10
        # Corrected, the message goes as the value comes right, and ctrl+s saves all.
        await fill(app, pilot, "#idle_lock_minutes", "15")
        assert field_error(app, "idle_lock_minutes") == ""
        await fill(app, pilot, "#warn_days_other", "45")
        await pilot.press("ctrl+s")
        await settle(app, pilot)
        assert isinstance(app.screen, HomeScreen)
        assert (get_setting("practitioner_name"), get_setting("idle_lock_minutes"), get_setting("warn_days_other")) == (
            "Alex Morgan", 15, 45)


async def test_a_name_too_long_is_refused_and_kept_as_typed(open_vault):
    app = make_app(open_vault)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        screen = await open_settings(app, pilot)
        screen.query_one("#practitioner_name", Input).value = "A" * 81
        await pilot.click("#save")
        await settle(app, pilot)
        assert field_error(app, "practitioner_name") == "The name is 81 characters long: shorten it to 80 at most."
        assert screen.query_one("#practitioner_name", Input).value == "A" * 81
        assert get_setting("practitioner_name") == ""


async def test_at_80x24_with_a_message_by_every_field_the_buttons_stay_in_view(open_vault):
    app = make_app(open_vault)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        screen = await open_settings(app, pilot)
        for key, typed in [("practitioner_name", "A" * 81), ("idle_lock_minutes", "0"), ("warn_days_training", "abc"),
                           ("warn_days_other", "999")]:
            screen.query_one(f"#{key}", Input).value = typed
        await pilot.press("ctrl+s")
        await settle(app, pilot)
        assert all(field_error(app, key) for key in ("practitioner_name", "idle_lock_minutes", "warn_days_training",
                                                     "warn_days_other"))
        # The dialog scrolls between its title and its buttons: the last field is
        # reached by Tab, and the buttons are still on the screen to be clicked.
        for button in ("#save", "#cancel"):
            assert screen.region.contains_region(screen.query_one(button).region), button
        screen.query_one("#warn_days_other", Input).focus()
        await pilot.pause()
        assert screen.region.contains_region(screen.query_one("#warn_days_other").region)
        await pilot.click("#cancel")
        await pilot.pause()
        assert isinstance(app.screen, ConfirmScreen)


async def test_escape_cancels_after_asking_and_nothing_is_saved(open_vault):
    app = make_app(open_vault)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        screen = await open_settings(app, pilot)
        await fill(app, pilot, "#idle_lock_minutes", "30")
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, ConfirmScreen)
        await pilot.press("enter")  # "Keep editing" has the focus
        await pilot.pause()
        assert app.screen is screen and screen.query_one("#idle_lock_minutes", Input).value == "30"
        await pilot.press("escape")
        await pilot.pause()
        await pilot.press("shift+tab", "enter")  # "Discard"
        await settle(app, pilot)
        assert isinstance(app.screen, HomeScreen)
        assert get_setting("idle_lock_minutes") == 10


async def test_a_changed_warning_window_shows_on_the_home_list_at_once(open_vault):
    # Due in 45 days: due soon within the training window's default 60, later within 30.
    with change():
        TrainingRecord.create(kind=kind("insurance"), completed=date(2026, 1, 6), expires=NOW.date() + timedelta(days=45))
    app = make_app(open_vault)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)

        def counts() -> str:
            return str(app.screen.query_one("#home-counts", Static).render())

        assert counts().startswith("0 overdue · 1 due soon · 0 later")
        await open_settings(app, pilot, "training due soon")
        await fill(app, pilot, "#warn_days_training", "30")
        await pilot.press("ctrl+s")
        await settle(app, pilot)
        assert isinstance(app.screen, HomeScreen)
        assert counts().startswith("0 overdue · 0 due soon · 1 later")


async def test_the_name_saved_is_the_author_of_a_new_chronology_entry(open_vault):
    concern = cs.raise_concern(cs.site(), NOW)
    assert concerns.entries(concern)[0].who == "me"  # before any name was set
    app = make_app(open_vault)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        await open_settings(app, pilot, "your name")
        await fill(app, pilot, "#practitioner_name", "  Alex   Morgan ")
        await pilot.press("ctrl+s")
        await settle(app, pilot)
        assert get_setting("practitioner_name") == "Alex Morgan"
        app.push_screen(ConcernScreen(concern.id))
        await settle(app, pilot)
        await pilot.press("e")
        await settle(app, pilot)
        assert isinstance(app.screen, EntryDialog)
        await pilot.press(*"Rang the DSL", "ctrl+s")
        await settle(app, pilot)
        assert isinstance(app.screen, ConcernScreen)
        newest = concerns.entries(concern)[-1]
        assert (newest.text, newest.who) == ("Rang the DSL", "Alex Morgan")


async def test_a_read_only_vault_refuses_to_save_settings_and_keeps_what_was_typed(open_vault, template_kek):
    folder = open_vault.folder
    open_vault.close()
    reader = Vault(folder)
    reader.open_with_key(template_kek, readonly=True)
    app = make_app(reader)
    try:
        async with app.run_test(size=SIZE) as pilot:
            await settle(app, pilot)
            screen = await open_settings(app, pilot)
            # Said before anything is typed, and again on saving.
            assert str(screen.query_one("#settings-readonly", Static).render()) == READ_ONLY
            assert READ_ONLY.startswith("This vault is open read-only, so settings cannot be saved")
            await fill(app, pilot, "#idle_lock_minutes", "3")
            before = models.commit_count()
            await pilot.press("ctrl+s")
            await settle(app, pilot)
            assert app.screen is screen
            assert form_error(app) == READ_ONLY
            assert screen.query_one("#idle_lock_minutes", Input).value == "3"
            assert models.commit_count() == before and get_setting("idle_lock_minutes") == 10
    finally:
        reader.close()


def test_locate_says_where_to_change_the_settings(tmp_path, capsys):
    from sitecare.cli import main

    assert main(["locate", "--vault", str(tmp_path / "vault")]) == 0
    assert "settings:  inside the vault (encrypted); change them in the app: ctrl+p, Settings" in capsys.readouterr().out


async def test_keys_typed_in_one_burst_with_ctrl_s_are_all_in_what_is_saved(open_vault):
    # A trial typed a note, deleted some of it and pressed ctrl+s in one burst (a laggy
    # connection delivers keys so): the save ran before the keys queued for the field,
    # and saved the text without them. Every form's ctrl+s.
    from textual import events

    app = make_app(open_vault)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        screen = await open_settings(app, pilot, "your name")
        assert app.focused is screen.query_one("#practitioner_name", Input)
        # Backspace applied in its turn too, not after the letters behind it ("Alxx",
        # two Backspaces, "ex" was saved as "Alxx").
        for key, character in [*((c, c) for c in "Alxx"), ("backspace", None), ("backspace", None),
                               *((c, c) for c in "ex"), ("ctrl+s", None)]:
            app.post_message(events.Key(key, character))  # all at once, as a terminal sends a burst
        await settle(app, pilot)
        assert get_setting("practitioner_name") == "Alex"
