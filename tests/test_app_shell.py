"""Pilot tests for the shell: create, unlock, wrong passphrase, lock, damage, crash."""

from __future__ import annotations

from pathlib import Path

import pytest
from textual.widgets import Input, Static

from sitecare.app import SitecareApp
from sitecare.data import models
from sitecare.data.models import Site, change
from sitecare.data.vault import Vault
from sitecare.screens.home import HomeScreen
from sitecare.screens.unlock import CreateVaultScreen, UnlockScreen

from support import PASSPHRASE, help_rows, journal_records, reopen, settle

SIZE = (80, 24)


async def submit(app, pilot, selector: str) -> None:
    """Enter in a field, as a keyboard user finishes a form."""
    app.screen.query_one(selector, Input).focus()
    await pilot.press("enter")
    await pilot.pause()


async def enter_passphrase(app, pilot, passphrase: str) -> None:
    """Typed into the unlock screen and Enter pressed, then the opening waited for."""
    app.screen.query_one("#passphrase", Input).value = passphrase
    await pilot.press("enter")
    await settle(app, pilot)


def message(app, selector: str) -> str:
    return str(app.screen.query_one(selector, Static).render())


async def test_first_run_creates_a_vault(tmp_path):
    app = SitecareApp(Vault(tmp_path / "new"))
    async with app.run_test(size=SIZE) as pilot:
        assert isinstance(app.screen, CreateVaultScreen)
        # A mistyped folder, or a drive not plugged in, must not look like a first run only.
        assert f"No vault was found in {tmp_path / 'new'}" in message(app, "#create-notice")
        app.screen.query_one("#new", Input).value = "short"
        app.screen.query_one("#again", Input).value = "short"
        await submit(app, pilot, "#again")
        assert "at least 10 characters" in message(app, "#create-message")
        app.screen.query_one("#new", Input).value = PASSPHRASE
        app.screen.query_one("#again", Input).value = PASSPHRASE + "x"
        await submit(app, pilot, "#again")
        assert "differ" in message(app, "#create-message")
        app.screen.query_one("#again", Input).value = PASSPHRASE
        await submit(app, pilot, "#again")
        await settle(app, pilot)
        assert isinstance(app.screen, HomeScreen)
    assert (tmp_path / "new" / "sitecare.vault").exists()
    reopened = Vault(tmp_path / "new")
    reopened.unlock(PASSPHRASE)
    reopened.close()


async def test_a_file_named_as_the_vault_folder_is_said_before_anything_is_typed(tmp_path):
    (tmp_path / "notes.txt").write_text("not a folder")
    app = SitecareApp(Vault(tmp_path / "notes.txt"))
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert "is a file, not a folder" in message(app, "#create-notice")
        assert app.screen.query_one("#create").disabled and app.screen.query_one("#new").disabled


async def test_a_missing_vault_file_beside_its_backups_is_restored_not_made_anew(vault_dir, template_kek):
    """A new-user trial deleted the vault file: the app offered a new, empty vault, whose
    backups then took the old ones' names and pruned them away."""
    vault = reopen(vault_dir, template_kek)
    with change():
        Site.create(name="Kept only in a backup")
    vault.save(full=True)
    vault.close()
    (vault_dir / "sitecare.vault").unlink()
    newest = Vault(vault_dir).backups()[0]
    before = newest.read_bytes()

    app = SitecareApp(Vault(vault_dir))
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert isinstance(app.screen, CreateVaultScreen)
        notice = message(app, "#create-notice")
        assert "sitecare.vault is missing" in notice and newest.name in notice
        assert f"sitecare backups --restore 1 --vault {vault_dir}" in notice
        assert f"move {vault_dir / 'backups'} elsewhere" in notice
        assert "makes a new, empty one" not in notice
        assert message(app, "#create-title") == "The vault file is missing"
        for widget in ("#new", "#again", "#create"):
            assert app.screen.query_one(widget).disabled
        assert app.screen.focused is app.screen.query_one("#quit")
        await pilot.press("enter")  # Quit
        await pilot.pause()
    assert not (vault_dir / "sitecare.vault").exists()
    assert [p.name for p in Vault(vault_dir).backups()] == [newest.name] and newest.read_bytes() == before


async def test_a_copy_set_aside_is_named_where_neither_vault_nor_backups_are(vault_dir, template_kek, capsys):
    """A second trial deleted the vault file and its backups; a copy set aside by a
    restore was still there, and the app offered a new vault without a word about it."""
    import shutil

    from sitecare.cli import main

    vault = reopen(vault_dir, template_kek)
    vault.save(full=True)
    vault.close()
    assert main(["backups", "--vault", str(vault_dir), "--restore", "1"]) == 0
    (vault_dir / "sitecare.vault").unlink()
    shutil.rmtree(vault_dir / "backups")
    [copy] = Vault(vault_dir).set_aside()
    capsys.readouterr()
    assert main(["check", "--vault", str(vault_dir)]) == 2
    assert f"sitecare backups --restore {copy.name} --vault {vault_dir}" in capsys.readouterr().err

    app = SitecareApp(Vault(vault_dir))
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert isinstance(app.screen, CreateVaultScreen)
        notice = message(app, "#create-notice")
        assert copy.name in notice and "quit (ctrl+q) and run" in notice
        assert not app.screen.query_one("#new").disabled  # a new vault leaves the copy alone: not refused


async def test_backups_found_only_as_the_vault_is_made_are_left_alone(tmp_path, vault_template):
    """Backups put in the folder while the create screen waits: the vault is refused
    at the data layer, said on the screen, and nothing is deleted."""
    import shutil

    folder = tmp_path / "new"
    app = SitecareApp(Vault(folder))
    async with app.run_test(size=SIZE) as pilot:
        assert isinstance(app.screen, CreateVaultScreen)
        shutil.copytree(vault_template, folder)
        (folder / "backups").mkdir()
        (folder / "sitecare.vault").rename(folder / "backups" / "sitecare-g0000000001.vault")
        app.screen.query_one("#new", Input).value = PASSPHRASE
        app.screen.query_one("#again", Input).value = PASSPHRASE
        await submit(app, pilot, "#again")
        await settle(app, pilot)
        assert isinstance(app.screen, CreateVaultScreen)
        assert "No new vault was made" in message(app, "#create-message")
    assert not (folder / "sitecare.vault").exists()
    assert [p.name for p in Vault(folder).backups()] == ["sitecare-g0000000001.vault"]


async def test_a_passphrase_typed_ahead_unlocks_with_its_enter(vault_dir):
    # Typed before sitecare has the terminal, Enter arrives as a newline (ctrl+j).
    app = SitecareApp(Vault(vault_dir))
    async with app.run_test(size=SIZE) as pilot:
        app.screen.query_one("#passphrase", Input).value = PASSPHRASE
        await pilot.press("ctrl+j")
        await settle(app, pilot)
        assert isinstance(app.screen, HomeScreen)


async def test_wrong_passphrase_then_right_one(vault_dir):
    app = SitecareApp(Vault(vault_dir))
    async with app.run_test(size=SIZE) as pilot:
        assert isinstance(app.screen, UnlockScreen)
        await enter_passphrase(app, pilot, "not my passphrase")
        assert isinstance(app.screen, UnlockScreen)
        assert "does not open this vault" in message(app, "#unlock-message")
        assert app.screen.query_one("#passphrase", Input).value == ""
        await enter_passphrase(app, pilot, PASSPHRASE)
        assert isinstance(app.screen, HomeScreen)
        assert app.vault.is_open


def two_appends(vault_dir, kek) -> bytes:
    """Two sites, each saved as a journal record; the vault closed. Returns the file."""
    vault = reopen(vault_dir, kek)
    models.clear_commit_listeners()
    models.on_commit(vault.save)
    for name in ("Alder House", "Birch House"):
        with change():
            Site.create(name=name, kind="school")
    assert vault.last_save == "append"
    vault.close()
    return (vault_dir / "sitecare.vault").read_bytes()


async def test_a_save_cut_off_by_a_crash_is_reported_at_unlock(vault_dir, template_kek):
    raw = two_appends(vault_dir, template_kek)
    last = journal_records(raw)[-1]
    (vault_dir / "sitecare.vault").write_bytes(raw[: last.offset + 100])  # killed mid-append

    app = SitecareApp(Vault(vault_dir))
    async with app.run_test(size=SIZE) as pilot:
        await enter_passphrase(app, pilot, PASSPHRASE)
        assert isinstance(app.screen, HomeScreen)
        told = [n.message for n in app._notifications]
        assert any(m.startswith("The last change before sitecare stopped had not finished saving") for m in told)
        assert [s.name for s in Site.select()] == ["Alder House"]


async def test_a_damaged_last_change_is_reported_as_damage_at_unlock(vault_dir, template_kek):
    """A byte flipped in the last record, which is all there: the app said "had not
    finished saving", as after a crash, and rewrote the file at once."""
    raw = bytearray(two_appends(vault_dir, template_kek))
    last = journal_records(bytes(raw))[-1]
    raw[last.offset + last.length // 2] ^= 0x01
    (vault_dir / "sitecare.vault").write_bytes(bytes(raw))

    app = SitecareApp(Vault(vault_dir))
    async with app.run_test(size=SIZE) as pilot:
        await enter_passphrase(app, pilot, PASSPHRASE)
        assert isinstance(app.screen, HomeScreen)
        told = [str(n.message) for n in app._notifications]
        assert not any("had not finished saving" in m for m in told)
        kept = list(vault_dir.glob("sitecare-damaged-*.vault"))
        assert len(kept) == 1 and kept[0].read_bytes() == bytes(raw)
        damage = [m for m in told if m.startswith("The vault file is damaged")]
        assert len(damage) == 1 and str(kept[0]) in damage[0] and "enter it again" in damage[0]
        assert [s.name for s in Site.select()] == ["Alder House"]


async def test_unlocking_folds_the_journal_in_after_home_is_shown(vault_dir, template_kek):
    raw = two_appends(vault_dir, template_kek)
    assert len(journal_records(raw)) == 2

    app = SitecareApp(Vault(vault_dir))
    async with app.run_test(size=SIZE) as pilot:
        await enter_passphrase(app, pilot, PASSPHRASE)
        assert isinstance(app.screen, HomeScreen)
        assert not app.vault.tidy_due  # asked for once home was up, and written by the save worker
        after = (vault_dir / "sitecare.vault").read_bytes()
        assert journal_records(after) == []
        assert app.vault.backups()[0].read_bytes() == raw
        assert [s.name for s in Site.select()] == ["Alder House", "Birch House"]


async def test_a_second_sitecare_opens_read_only_from_the_keyboard(vault_dir):
    holder = Vault(vault_dir)
    holder.acquire_lock()  # another sitecare has the vault open
    try:
        app = SitecareApp(Vault(vault_dir))
        async with app.run_test(size=SIZE) as pilot:
            await enter_passphrase(app, pilot, PASSPHRASE)
            assert isinstance(app.screen, UnlockScreen)
            assert "open this one read-only" in message(app, "#unlock-message")
            for _ in range(3):
                if app.focused is not None and app.focused.id == "readonly":
                    break
                await pilot.press("tab")
            assert app.focused is not None and app.focused.id == "readonly"
            await pilot.press("enter")
            await settle(app, pilot)
            assert isinstance(app.screen, HomeScreen)
            assert app.vault.readonly
    finally:
        holder.release_lock()


async def test_lock_hides_everything_and_unlock_returns(vault_dir):
    app = SitecareApp(Vault(vault_dir))
    async with app.run_test(size=SIZE) as pilot:
        await enter_passphrase(app, pilot, PASSPHRASE)
        with change():
            Site.create(name="Marker Site")
        await settle(app, pilot)
        await pilot.press("ctrl+l")
        await pilot.pause()
        assert isinstance(app.screen, UnlockScreen)
        assert not app.vault.is_open
        # The command palette, which searches records, does nothing while locked.
        await pilot.press("ctrl+p")
        await pilot.pause()
        assert isinstance(app.screen, UnlockScreen)
        await enter_passphrase(app, pilot, PASSPHRASE)
        assert isinstance(app.screen, HomeScreen)
        assert Site.select().where(Site.name == "Marker Site").exists()


async def test_a_damaged_vault_names_the_backups(vault_dir, template_kek):
    # Make a few generations so there are backups to name, then damage the vault.
    vault = Vault(vault_dir)
    vault.open_with_key(template_kek)
    for name in ("a", "b"):
        with change():
            Site.create(name=name)
        vault.save(full=True)
    vault.close()
    raw = bytearray((vault_dir / "sitecare.vault").read_bytes())
    # Inside the encrypted database. (Near the end of the file would be the last
    # journal record, if there were one: that is dropped, the file kept aside.)
    raw[len(raw) // 2] ^= 0xFF
    (vault_dir / "sitecare.vault").write_bytes(bytes(raw))

    app = SitecareApp(Vault(vault_dir))
    async with app.run_test(size=SIZE) as pilot:
        await enter_passphrase(app, pilot, PASSPHRASE)
        text = message(app, "#unlock-message")
        assert isinstance(app.screen, UnlockScreen)
        assert "damaged" in text
        assert "sitecare backups --restore 1" in text and "lists them all, with their dates" in text
        assert "Traceback" not in text


async def test_help_lists_the_keys(open_vault):
    app = SitecareApp(open_vault)
    async with app.run_test(size=SIZE) as pilot:
        rows = await help_rows(pilot)
        descriptions = {r[1] for r in rows}
        assert {"Quit", "Lock", "Help"} <= descriptions
        assert "ctrl+p" in {r[0] for r in rows}
        await pilot.press("escape", "ctrl+l")
        await pilot.pause()
        # Locked: the palette does nothing, so it is not listed.
        assert not any(key.startswith("ctrl+p") for key, _ in await help_rows(pilot))
        from textual.widgets import Static

        assert not any("ctrl+p" in str(s.render()) for s in app.screen.query(Static))


async def test_a_crash_prints_no_secret(open_vault, capsys):
    account = "She said her uncle hits her with a belt"

    class Boom(Exception):
        pass

    app = SitecareApp(open_vault)

    def explode() -> None:
        passphrase = PASSPHRASE  # noqa: F841 - in scope on purpose: it must not leak
        record_text = account  # noqa: F841
        key = b"\x01" * 32  # noqa: F841
        raise Boom(f"failed while handling {account} with {PASSPHRASE}")

    with pytest.raises(Boom):
        async with app.run_test(size=SIZE) as pilot:
            app.call_later(explode)
            await pilot.pause()
            await pilot.pause()
    captured = capsys.readouterr()
    printed = " ".join((captured.out + captured.err).split())
    assert "unexpected error: Boom" in printed
    assert PASSPHRASE not in printed
    assert "uncle" not in printed
    assert "\\x01" not in printed


async def test_idle_lock_after_the_configured_time_returns_to_the_same_place(open_vault):
    from datetime import datetime, timedelta

    clock = {"now": datetime(2026, 11, 22, 9, 0)}
    app = SitecareApp(open_vault, now=lambda: clock["now"])
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("f1")  # somewhere other than the home screen
        await pilot.pause()
        help_screen = app.screen
        clock["now"] += timedelta(minutes=9, seconds=59)
        app.lock_if_idle()
        assert app.vault.is_open  # not yet: the default is 10 minutes
        clock["now"] += timedelta(seconds=1)
        app.lock_if_idle()
        await pilot.pause()
        assert isinstance(app.screen, UnlockScreen)
        assert not app.vault.is_open
        # Said on the lock screen, for whoever comes back to it (a toast would be gone).
        assert "Locked after 10 minutes with no key pressed" in str(app.screen.query_one("#unlock-notice").render())
        await enter_passphrase(app, pilot, PASSPHRASE)
        assert app.screen is help_screen
        assert app.vault.is_open


async def test_garbage_collection_is_back_on_once_home_is_up(open_vault):
    # cli.run_app pauses collection for the launch; a long session must not run without it.
    import gc

    gc.disable()
    try:
        app = SitecareApp(open_vault)
        async with app.run_test(size=SIZE) as pilot:
            await settle(app, pilot)
            assert isinstance(app.screen, HomeScreen)
            assert gc.isenabled()
            assert gc.get_freeze_count() > 0
    finally:
        gc.enable()
        gc.unfreeze()


async def open_calendar_form(app, pilot) -> None:
    """The calendar export form over the home list: a form with a text box."""
    from sitecare.screens.calendar_export import ExportCalendarScreen

    await settle(app, pilot)
    await pilot.press("x")
    await settle(app, pilot)
    assert isinstance(app.screen, ExportCalendarScreen)


async def test_ctrl_l_locks_over_a_form_with_typing_in_it(open_vault):
    # A new-user trial found ctrl+l did nothing over a form, and the passphrase then
    # went into the form's field.
    app = SitecareApp(open_vault)
    async with app.run_test(size=SIZE) as pilot:
        await open_calendar_form(app, pilot)
        await pilot.press("ctrl+l")
        await settle(app, pilot)
        assert isinstance(app.screen, UnlockScreen)
        assert not app.vault.is_open


async def test_ctrl_q_over_an_untouched_form_quits_at_once(open_vault):
    from sitecare.screens.confirm import ConfirmScreen

    app = SitecareApp(open_vault)
    async with app.run_test(size=SIZE) as pilot:
        await open_calendar_form(app, pilot)
        await pilot.press("ctrl+q")  # nothing typed yet: no question would be needed
        await pilot.pause()
        assert not isinstance(app.screen, ConfirmScreen) and not app.is_running


async def test_ctrl_q_asks_when_a_form_has_unsaved_typing(vault_dir, template_kek):
    # Esc asked before discarding a form's typing; ctrl+q quit and lost it (new-user trial).
    from sitecare.screens.calendar_export import ExportCalendarScreen
    from sitecare.screens.confirm import ConfirmScreen

    app = SitecareApp(reopen(vault_dir, template_kek))
    async with app.run_test(size=SIZE) as pilot:
        await open_calendar_form(app, pilot)
        app.screen.query_one("#path", Input).value = "~/visits.ics"
        await pilot.press("ctrl+q")
        await pilot.pause()
        assert isinstance(app.screen, ConfirmScreen)
        assert "not saved. Quit and lose it?" in message(app, "#question")
        await pilot.press("enter")  # the safe answer has focus: keep editing
        await pilot.pause()
        assert isinstance(app.screen, ExportCalendarScreen) and app.is_running
        assert app.screen.query_one("#path", Input).value == "~/visits.ics"
        await pilot.press("ctrl+q")
        await pilot.pause()
        await pilot.click("#yes")
        await pilot.pause()
        assert not app.is_running


def test_the_unlock_screen_comes_before_the_home_screen_and_peewee_are_imported():
    """The home screen's modules (its list's rules and readers) and peewee with the
    schema are imported while the key is derived, so the unlock screen is not kept
    waiting for them."""
    import subprocess
    import sys

    probe = ("import sys, sitecare.cli, sitecare.app; "
             "print([m for m in ('sitecare.screens.home', 'peewee', 'sitecare.data.models') if m in sys.modules])")
    result = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "[]"


async def test_home_is_made_ready_while_the_passphrase_is_tried(vault_dir, monkeypatch):
    # The home screen's modules are imported and the screen made and styled (without
    # its list) while the key is derived; once the vault is open it is filled, then
    # shown.
    import time

    import sitecare.app as app_module
    from sitecare.data import vault as vault_mod

    imports: list[str] = []
    real_import = app_module.import_module
    monkeypatch.setattr(app_module, "import_module", lambda name, *a: imports.append(name) or real_import(name, *a))
    mounted: list[bool] = []
    real_mount = HomeScreen.on_mount
    monkeypatch.setattr(HomeScreen, "on_mount", lambda self: mounted.append(self.app.vault.is_open) or real_mount(self))
    during_derivation = []
    derive = vault_mod.derive_key

    def derive_slowly(*args):
        key = derive(*args)
        time.sleep(0.3)  # a slow machine's derivation: the app's thread is free meanwhile
        during_derivation.append((set(imports), list(mounted)))
        return key

    monkeypatch.setattr(vault_mod, "derive_key", derive_slowly)
    app = SitecareApp(Vault(vault_dir))
    async with app.run_test(size=SIZE) as pilot:
        await enter_passphrase(app, pilot, PASSPHRASE)
        assert during_derivation == [({"sitecare.screens.home"}, [False])]
        assert isinstance(app.screen, HomeScreen) and mounted == [False]
        assert app.screen.keys_ready and rows_of(app.screen)


def rows_of(home) -> list[str]:
    from textual.widgets import OptionList

    options = home.query_one(OptionList)
    return [str(options.get_option_at_index(i).prompt) for i in range(options.option_count)]


async def test_a_folder_that_cannot_be_written_is_one_sentence_and_read_only_still_opens(vault_dir, monkeypatch):
    def refused(self):
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(Vault, "acquire_lock", refused)
    app = SitecareApp(Vault(vault_dir))
    async with app.run_test(size=SIZE) as pilot:
        await enter_passphrase(app, pilot, PASSPHRASE)
        assert isinstance(app.screen, UnlockScreen)
        assert "could not use the vault's folder for writing (Permission denied)" in message(app, "#unlock-message")
        assert app.screen.query_one("#readonly").display
        await pilot.click("#readonly")
        await settle(app, pilot)
        assert isinstance(app.screen, HomeScreen)
        assert app.vault.readonly


async def test_while_the_passphrase_is_tried_neither_button_starts_a_second_opening(vault_dir, monkeypatch):
    import threading

    from textual.widgets import Button

    from sitecare.data import vault as vault_mod

    derive = vault_mod.derive_key
    seen = []
    release = threading.Event()

    def derive_slowly(*args):
        release.wait(5)  # a derivation still running, however slow the machine running the test
        return derive(*args)

    monkeypatch.setattr(vault_mod, "derive_key", derive_slowly)
    real_prepare = Vault.prepare_open
    monkeypatch.setattr(Vault, "prepare_open", lambda self, *a, **k: seen.append(a) or real_prepare(self, *a, **k))
    app = SitecareApp(Vault(vault_dir))
    async with app.run_test(size=SIZE) as pilot:
        screen = app.screen
        screen.query_one("#readonly").display = True  # as after "already open elsewhere"
        screen.query_one("#passphrase", Input).value = PASSPHRASE
        await pilot.press("enter")
        await pilot.pause()
        assert screen.query_one("#readonly", Button).disabled
        screen.unlock_readonly()  # a click that got through all the same
        release.set()
        await settle(app, pilot)
        assert len(seen) == 1
        assert isinstance(app.screen, HomeScreen) and not app.vault.readonly


async def test_an_opening_refused_before_the_key_waits_for_the_derivation_to_end(vault_dir, monkeypatch):
    """The vault open in another sitecare is found before the key is known (the lock
    is taken while it is derived). The screen is handed back only once the derivation
    has ended: otherwise "Open read-only" could start a second one (64 MiB more) beside
    it, and the first's key would outlive the attempt."""
    import asyncio
    import threading

    from sitecare.data import vault as vault_mod

    elsewhere = Vault(vault_dir)
    elsewhere.acquire_lock()
    derive = vault_mod.derive_key
    running, release = [], threading.Event()

    def derive_slowly(*args):
        running.append(True)
        release.wait(5)
        try:
            return derive(*args)
        finally:
            running.pop()

    monkeypatch.setattr(vault_mod, "derive_key", derive_slowly)
    app = SitecareApp(Vault(vault_dir))
    async with app.run_test(size=SIZE) as pilot:
        screen = app.screen
        screen.query_one("#passphrase", Input).value = PASSPHRASE
        await pilot.press("enter")
        await asyncio.sleep(0.2)  # time enough for the refusal, were it not waiting
        await pilot.pause()
        assert running and screen.trying
        release.set()
        await settle(app, pilot)
        assert not running and not screen.trying
        assert "open" in str(screen.query_one("#unlock-message", Static).render()).lower()
        assert screen.query_one("#readonly").display
    elsewhere.release_lock()


async def test_a_vault_open_elsewhere_is_said_before_the_passphrase_is_typed(vault_dir):
    elsewhere = Vault(vault_dir)
    elsewhere.acquire_lock()
    app = SitecareApp(Vault(vault_dir))
    async with app.run_test(size=SIZE) as pilot:
        screen = app.screen
        await pilot.pause()
        assert "already open in another sitecare" in str(screen.query_one("#unlock-message", Static).render())
        assert screen.query_one("#readonly").display
        screen.query_one("#passphrase", Input).value = PASSPHRASE
        screen.unlock_readonly()
        await settle(app, pilot)
        assert isinstance(app.screen, HomeScreen) and app.vault.readonly
    elsewhere.release_lock()


async def test_no_screenshot_leaves_the_vault_unencrypted(open_vault, tmp_path, monkeypatch):
    # Textual's palette offered Screenshot, which wrote the screen as an SVG anyone could
    # read into ~/Downloads.
    monkeypatch.setenv("HOME", str(tmp_path))
    (tmp_path / "Downloads").mkdir()
    app = SitecareApp(open_vault)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        titles = [command.title for command in app.get_system_commands(app.screen)]
        assert "Screenshot" not in titles and "Quit" in titles
        app.action_screenshot(path=str(tmp_path))
        assert app.deliver_screenshot(path=str(tmp_path)) is None
        await settle(app, pilot)
    assert list(tmp_path.rglob("*.svg")) == []


async def test_locking_clears_what_the_toasts_said(open_vault):
    app = SitecareApp(open_vault)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        app.notify("Copied Claire Ashdown's number, 07700 900607.")
        await pilot.pause()
        await pilot.press("ctrl+l")
        await settle(app, pilot)
        assert isinstance(app.screen, UnlockScreen)
        assert not any("07700" in str(n.message) for n in app._notifications)


async def test_the_demo_s_lock_screen_says_its_passphrase(open_vault):
    # A new-user trial locked `sitecare demo` and was stuck: its help said "no passphrase".
    from sitecare.cli import DEMO_PASSPHRASE

    app = SitecareApp(open_vault, demo=True)
    app.demo_passphrase = DEMO_PASSPHRASE
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        await pilot.press("ctrl+l")
        await pilot.pause()
        assert isinstance(app.screen, UnlockScreen)
        assert f"its passphrase is {DEMO_PASSPHRASE}" in message(app, "#unlock-notice")
        await enter_passphrase(app, pilot, PASSPHRASE)
    plain = SitecareApp(open_vault)
    async with plain.run_test(size=SIZE) as pilot:
        await settle(plain, pilot)
        await pilot.press("ctrl+l")
        await pilot.pause()
        assert "passphrase is" not in message(plain, "#unlock-notice")


@pytest.mark.parametrize("key", ["s", "t", "a", "c", "m", "k"])
async def test_esc_on_a_list_goes_back_home(open_vault, key):
    # New-user trials pressed Esc on Training and Sites and nothing happened.
    with change():
        Site.create(name="Heron Way Primary")
    app = SitecareApp(open_vault)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        await pilot.press(key)
        await settle(app, pilot)
        assert app.current_mode != "home"
        await pilot.press("escape")
        await settle(app, pilot)
        assert isinstance(app.screen, HomeScreen)


async def test_esc_leaves_the_sites_filter_before_the_list(open_vault):
    with change():
        Site.create(name="Heron Way Primary")
    app = SitecareApp(open_vault)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        await pilot.press("s")
        await settle(app, pilot)
        app.screen.query_one("#sites-filter", Input).focus()
        await pilot.press("escape")
        await settle(app, pilot)
        assert app.current_mode == "sites" and not isinstance(app.focused, Input)
        await pilot.press("escape")
        await settle(app, pilot)
        assert isinstance(app.screen, HomeScreen)
