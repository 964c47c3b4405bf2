"""Fault injection for the vault (run alone with `pytest -m faults`).

A saving process killed at random moments (during journal appends and full saves
alike), a full disk and a folder that refuses writes while the app runs (for an append
and for a full save), damaged blob files. After each: nothing whose save had returned is
lost, or the user is told which backup to restore.
"""

from __future__ import annotations

import errno
import os
import random
import signal
import subprocess
import sys
import textwrap
import time
from datetime import datetime

import pytest

from sitecare.app import SitecareApp
from sitecare.data import models, vault as vault_mod
from sitecare.data.models import Site, change
from sitecare.data.vault import BlobError, Vault, decrypt_bytes

from support import PASSPHRASE, journal_records, reopen, settle

pytestmark = pytest.mark.faults

SAVER = textwrap.dedent(
    """
    import sys
    from sitecare.data import models, vault as vault_mod
    from sitecare.data.models import Site, change
    from sitecare.data.vault import Vault
    # A short journal, so that the kills land in full saves as well as in appends.
    vault_mod.JOURNAL_MAX_RECORDS = 3
    vault = Vault(sys.argv[1])
    vault.open_with_key(bytes.fromhex(sys.argv[2]))
    models.on_commit(vault.save)
    start = Site.select().count()
    print("ready", flush=True)
    for i in range(start, start + 100000):
        with change():
            Site.create(name=f"site {i:06d}", address="x" * 500)
        # Printed only once save() has returned: this change is promised to be kept.
        print(i, vault.last_save, flush=True)
    """
)


def _names(vault_dir, kek, readonly: bool) -> set[str]:
    vault = Vault(vault_dir)
    vault.open_with_key(kek, readonly=readonly)
    try:
        return {s.name for s in Site.select()}
    finally:
        vault.close()


def test_sigkill_at_random_moments_during_saves_loses_nothing_promised(vault_dir, template_kek):
    rng = random.Random(20261122)
    kills = 200
    promised = -1
    kinds = {"append": 0, "full": 0}
    for attempt in range(kills):
        child = subprocess.Popen(
            [sys.executable, "-c", SAVER, str(vault_dir), template_kek.hex()],
            stdout=subprocess.PIPE,
            text=True,
        )
        assert child.stdout.readline().strip() == "ready"
        time.sleep(rng.uniform(0.0, 0.06))
        child.send_signal(signal.SIGKILL)
        child.wait()
        out = child.stdout.read()
        # A number followed by a space was printed whole (the kill may cut the line after it).
        numbers = [int(line.split()[0]) for line in out.split("\n") if " " in line]
        for line in out.split("\n")[:-1]:
            kinds[line.split()[1]] += 1
        if numbers:
            promised = max(promised, numbers[-1])
        # As the child left it (read-only: base and journal replayed, nothing rewritten),
        # then as a writable open leaves it (the journal folded into a new full file).
        for readonly in (True, False):
            names = _names(vault_dir, template_kek, readonly)
            missing = [i for i in range(promised + 1) if f"site {i:06d}" not in names]
            assert missing == [], f"after kill {attempt} (read-only {readonly}), saved changes were lost: {missing[:5]}"
        assert not list(vault_dir.glob("*.tmp")), "a stale temp file survived the restart"
    # The children really were saving when killed, both kinds of save (several per child).
    assert promised > kills
    assert kinds["append"] > kills and kinds["full"] > kills // 4, kinds


def _error(code: int):
    def fail(*args, **kwargs):
        raise OSError(code, os.strerror(code))

    return fail


def _half_then_error(code: int):
    """A write that gets part of the way (as a disk filling up does), then fails."""
    real = os.write
    state = {"calls": 0}

    def write(fd, data):
        state["calls"] += 1
        if state["calls"] == 1 and len(data) > 1:
            return real(fd, bytes(data[: len(data) // 2]))
        raise OSError(code, os.strerror(code))

    return write


@pytest.mark.parametrize("kind", ["append", "full"])
@pytest.mark.parametrize("step", ["open", "write", "fsync"])
@pytest.mark.parametrize(
    "code, words",
    [(errno.ENOSPC, "disk is full"), (errno.EROFS, "cannot be written"), (errno.EACCES, "cannot be written")],
)
async def test_a_failing_disk_while_the_app_runs(open_vault, template_kek, monkeypatch, code, words, step, kind):
    app = SitecareApp(open_vault, now=lambda: datetime(2026, 11, 22, 9, 0))
    if kind == "full":
        monkeypatch.setattr(vault_mod, "JOURNAL_MAX_RECORDS", 0)
    async with app.run_test(size=(80, 24), message_hook=None) as pilot:
        with change():
            Site.create(name="saved before the disk failed")
        await app.workers.wait_for_complete()
        assert open_vault.last_save == kind
        before = open_vault.path.read_bytes()
        real = getattr(vault_mod.fs, step)
        monkeypatch.setattr(vault_mod.fs, step, _half_then_error(code) if step == "write" else _error(code))
        with change():
            Site.create(name="typed while the disk was failing")
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert app.save_error and words in app.save_error
        assert "NOT SAVED" in app.sub_title
        # Nothing half-written is left in the vault file: it is as the last save left it.
        assert open_vault.path.read_bytes() == before
        # The app keeps running with the data in memory.
        assert Site.select().where(Site.name == "typed while the disk was failing").exists()
        monkeypatch.setattr(vault_mod.fs, step, real)
        await pilot.press("ctrl+s")
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert app.save_error is None
        assert "NOT SAVED" not in app.sub_title
        assert open_vault.last_save == kind
    again = reopen(open_vault.folder, template_kek)
    try:
        assert Site.select().where(Site.name.in_(["typed while the disk was failing", "saved before the disk failed"])).count() == 2
    finally:
        again.close()


async def test_quitting_with_unsaved_changes_warns_first_and_for_every_later_change(open_vault, monkeypatch):
    async def change_while_the_disk_is_full(name: str) -> None:
        monkeypatch.setattr(vault_mod.fs, "open", _error(errno.ENOSPC))
        with change():
            Site.create(name=name)
        await app.workers.wait_for_complete()
        await pilot.pause()

    async def quit_is_refused() -> None:
        await pilot.press("ctrl+q")
        await pilot.pause()
        assert app.is_running  # only warned

    app = SitecareApp(open_vault)
    async with app.run_test(size=(80, 24)) as pilot:
        await change_while_the_disk_is_full("unsaved")
        await quit_is_refused()
        # The warning says why itself: the error's toast may have gone by then.
        warning = list(app._notifications)[-1]
        assert warning.message.startswith("Changes are not saved. Could not save (the disk is full)")
        # A change made after the warning is not covered by it: a trial was warned, went
        # on working with the disk still failing, and the next ctrl+q lost the change.
        await change_while_the_disk_is_full("typed after the warning")
        await quit_is_refused()
        monkeypatch.setattr(vault_mod.fs, "open", os.open)
        await pilot.press("ctrl+s")  # the disk is back: saved
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert app.save_error is None
        # A later failure warns again: once warned was not warned for good.
        await change_while_the_disk_is_full("unsaved again")
        await quit_is_refused()
        await pilot.press("ctrl+q")  # the second press quits anyway
        await pilot.pause()
        assert not app.is_running
        monkeypatch.setattr(vault_mod.fs, "open", os.open)


def reopened_read_only(vault: Vault, kek: bytes) -> Vault:
    """`vault` closed and opened again read-only, as a second sitecare opens it."""
    vault.close()
    reader = Vault(vault.folder)
    reader.open_with_key(kek, readonly=True)
    return reader


async def test_quitting_a_read_only_sitecare_after_a_change_warns_first(open_vault, template_kek):
    # A third trial added a site in a read-only sitecare and quit: the site was gone,
    # unwarned (the change is said not to be saved when made, then forgotten).
    reader = reopened_read_only(open_vault, template_kek)
    app = SitecareApp(reader)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await pilot.press("ctrl+q")  # nothing changed: quits at once
        await pilot.pause()
        assert not app.is_running
    reader = reopened_read_only(reader, template_kek)
    app = SitecareApp(reader)
    try:
        async with app.run_test(size=(80, 24)) as pilot:
            await pilot.pause()
            with change():
                Site.create(name="Typed where it cannot be saved")
            await pilot.pause()
            await pilot.press("ctrl+q")
            await pilot.pause()
            assert app.is_running
            assert any("read-only" in n.message and "quit anyway" in n.message for n in app._notifications)
            await pilot.press("ctrl+q")
            await pilot.pause()
            assert not app.is_running
    finally:
        reader.close()


async def test_a_lock_keeps_what_was_changed_in_a_read_only_sitecare(open_vault, template_kek):
    # A trial edited a number read-only, locked, unlocked: the edit was gone, unwarned.
    from sitecare.screens.unlock import UnlockScreen

    reader = reopened_read_only(open_vault, template_kek)
    app = SitecareApp(reader)
    try:
        async with app.run_test(size=(80, 24)) as pilot:
            await pilot.pause()
            with change():
                Site.create(name="Typed where it cannot be saved")
            await pilot.press("ctrl+l")
            await pilot.pause()
            assert isinstance(app.screen, UnlockScreen)
            assert "kept in memory while it is locked" in app.screen._notice()
            await unlock_with(app, pilot, PASSPHRASE)
            assert not isinstance(app.screen, UnlockScreen)
            assert Site.select().where(Site.name == "Typed where it cannot be saved").exists()
            await pilot.press("ctrl+q")  # still cannot be saved: warned before it is lost
            await pilot.pause()
            assert app.is_running
    finally:
        reader.close()


async def test_quitting_from_the_lock_screen_with_unsaved_changes_warns_first(open_vault, template_kek, monkeypatch):
    # The idle lock with the disk full: a new-user trial pressed Quit on the lock screen
    # and lost the change, where ctrl+q would have warned.
    from textual.widgets import Button

    app = SitecareApp(open_vault, now=lambda: datetime(2026, 11, 22, 9, 0))
    async with app.run_test(size=(80, 24), message_hook=None) as pilot:
        await lock_with_the_disk_full(app, pilot, monkeypatch)
        app.screen.query_one("#quit", Button).focus()  # as Tab reaches it
        await pilot.press("enter")
        await pilot.pause()
        assert app.is_running  # the first Quit only warns
        assert any("Press Quit again" in n.message for n in app._notifications)
        # Focus back in the passphrase: typing it and Enter unlocks, not a second Quit.
        assert app.focused is app.screen.query_one("#passphrase")
        app.screen.query_one("#quit", Button).press()
        await pilot.pause()
        assert not app.is_running


async def test_a_vault_replaced_underneath_keeps_both_versions_when_the_user_saves_theirs(
        open_vault, template_kek):
    # Another device (or a restore, or a sync service) put its own file in place while
    # this sitecare had changes to save. Quitting, as the message once advised, lost
    # them; saving over the file would lose the other's. The user chooses, and the
    # file there is first set aside whole.
    from dataclasses import replace

    from sitecare.screens.confirm import ConfirmScreen

    app = SitecareApp(open_vault, now=lambda: datetime(2026, 11, 22, 9, 0))
    async with app.run_test(size=(80, 24), message_hook=None) as pilot:
        header, data_key, image = decrypt_bytes(open_vault.path.read_bytes(), template_kek)
        _, theirs = vault_mod.encrypt_image(replace(header, generation=header.generation + 2), data_key, image)
        open_vault.path.write_bytes(theirs)
        with change():
            Site.create(name="typed on this device")
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert app.save_error and "press ctrl+s" in app.save_error and "NOT SAVED" in app.sub_title
        assert open_vault.path.read_bytes() == theirs
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert isinstance(app.screen, ConfirmScreen)
        await pilot.press("escape")  # not now: nothing written, nothing lost
        await pilot.pause()
        assert open_vault.path.read_bytes() == theirs and app.save_error
        assert any(n.message.startswith("Not saved") for n in app._notifications)  # said, not silent
        await pilot.press("ctrl+l")
        await pilot.pause()
        notice = str(app.screen.query_one("#unlock-notice").render())
        assert "unlock, then press ctrl+s" in notice and "tried again" not in notice
        assert notice.count("ctrl+s") == 1  # said once, as what to do after unlocking
        await unlock_with(app, pilot, PASSPHRASE)
        await pilot.press("ctrl+s")
        await pilot.pause()
        app.screen.query_one("#yes").press()
        await pilot.pause()
        assert app.save_error is None and "NOT SAVED" not in app.sub_title
        [kept] = open_vault.set_aside()
        assert kept.read_bytes() == theirs
        assert any(kept.name in n.message for n in app._notifications)
    again = reopen(open_vault.folder, template_kek)
    try:
        assert Site.select().where(Site.name == "typed on this device").exists()
    finally:
        again.close()


async def test_a_quit_warned_before_a_lock_is_warned_again_on_the_lock_screen(open_vault, monkeypatch):
    # The lock hides what the warning said: its Quit button must not take the warning
    # given before as already heeded.
    from textual.widgets import Button

    from sitecare.screens.unlock import UnlockScreen

    app = SitecareApp(open_vault, now=lambda: datetime(2026, 11, 22, 9, 0))
    async with app.run_test(size=(80, 24), message_hook=None) as pilot:
        monkeypatch.setattr(vault_mod.fs, "open", _error(errno.ENOSPC))
        with change():
            Site.create(name="typed while the disk was full")
        await app.workers.wait_for_complete()
        await pilot.press("ctrl+q")
        await pilot.pause()
        assert app.is_running  # warned
        await pilot.press("ctrl+l")
        await pilot.pause()
        assert isinstance(app.screen, UnlockScreen)
        app.screen.query_one("#quit", Button).press()
        await pilot.pause()
        assert app.is_running  # warned again
        monkeypatch.setattr(vault_mod.fs, "open", os.open)


def test_a_truncated_blob_is_reported_not_crashed(open_vault):
    blob_id = open_vault.put_blob(b"certificate" * 100)
    path = open_vault.blob_path(blob_id)
    raw = path.read_bytes()
    for length in (0, 7, 50, len(raw) - 1):
        path.write_bytes(raw[:length])
        with pytest.raises(BlobError):
            open_vault.get_blob(blob_id)


def test_a_missing_blob_says_how_to_recover(open_vault):
    blob_id = open_vault.put_blob(b"x")
    open_vault.blob_path(blob_id).unlink()
    with pytest.raises(BlobError, match="missing"):
        open_vault.get_blob(blob_id)


def test_a_bit_flipped_vault_still_has_an_intact_backup(open_vault, template_kek):
    for name in ("Flip One", "Flip Two"):
        with change():
            Site.create(name=name)
    open_vault.save(full=True)
    with change():
        Site.create(name="Flip Three")
    raw = bytearray(open_vault.path.read_bytes())
    raw[len(raw) // 2] ^= 0x10
    open_vault.path.write_bytes(bytes(raw))
    with pytest.raises(vault_mod.VaultDamagedError):
        decrypt_bytes(bytes(raw), template_kek)
    # The newest backup holds everything up to the last full save.
    _, _, image = decrypt_bytes(open_vault.backups()[0].read_bytes(), template_kek)
    assert b"Flip Two" in image and b"Flip Three" not in image


def test_no_plaintext_file_appears_in_the_vault_folder_during_saves(open_vault):
    """Watch the folder while saving: every file in it, at every step, is ciphertext."""
    marker = "Plaintext-Marker-Quokka"
    seen: list[bytes] = []
    real_fsync = vault_mod.fs.fsync

    def watching_fsync(fd):
        for path in open_vault.folder.rglob("*"):
            if path.is_file() and path.name != "sitecare.lock":
                seen.append(path.read_bytes())
        return real_fsync(fd)

    vault_mod.fs.fsync = watching_fsync
    try:
        for index in range(3):
            with change():
                Site.create(name=f"{marker} {index}")
    finally:
        vault_mod.fs.fsync = real_fsync
    assert seen
    assert not any(marker.encode() in content for content in seen)


async def lock_with_the_disk_full(app, pilot, monkeypatch):
    from sitecare.screens.unlock import UnlockScreen

    monkeypatch.setattr(vault_mod.fs, "open", _error(errno.ENOSPC))
    with change():
        Site.create(name="typed while the disk was full")
    await app.workers.wait_for_complete()
    await pilot.pause()
    assert app.save_error
    await pilot.press("ctrl+l")
    await pilot.pause()
    assert isinstance(app.screen, UnlockScreen)
    notice = str(app.screen.query_one("#unlock-notice").render())
    assert "kept in memory and saving is tried again" in notice
    assert "disk is full" in notice  # the lock cleared the message that said why
    assert app.vault.is_open and app.screen_locked
    await pilot.press("s")  # nothing that reads records works while locked
    await pilot.pause()
    assert isinstance(app.screen, UnlockScreen)


async def unlock_with(app, pilot, passphrase: str) -> None:
    from textual.widgets import Input

    app.screen.query_one("#passphrase", Input).value = passphrase
    await pilot.press("enter")
    await app.workers.wait_for_complete()
    await pilot.pause()


async def test_locking_with_unsaved_changes_keeps_them_until_the_disk_is_back(open_vault, template_kek, monkeypatch):
    """The idle lock drops the database; with changes a failed save could not write,
    that would lose them. The screen is locked and the records stay in memory until a
    retry saves them; then the lock drops the database as every lock does."""
    from sitecare.screens.unlock import UnlockScreen

    app = SitecareApp(open_vault, now=lambda: datetime(2026, 11, 22, 9, 0))
    async with app.run_test(size=(80, 24), message_hook=None) as pilot:
        real = vault_mod.fs.open
        await lock_with_the_disk_full(app, pilot, monkeypatch)
        app.lock_if_idle()  # the disk still full: tried again, still not saved
        await app.workers.wait_for_complete()
        assert app.save_error and open_vault.is_open
        monkeypatch.setattr(vault_mod.fs, "open", real)
        app.lock_if_idle()  # the disk is back
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert app.save_error is None
        assert not open_vault.is_open and not app.screen_locked  # dropped, now that it is saved
        assert "kept in memory" not in str(app.screen.query_one("#unlock-notice").render())
        await unlock_with(app, pilot, "not my passphrase")
        assert isinstance(app.screen, UnlockScreen)
        await unlock_with(app, pilot, PASSPHRASE)
        assert not isinstance(app.screen, UnlockScreen)
        assert Site.select().where(Site.name == "typed while the disk was full").exists()
    again = reopen(open_vault.folder, template_kek)
    try:
        assert Site.select().where(Site.name == "typed while the disk was full").exists()
    finally:
        again.close()


async def test_unlocking_while_the_disk_is_still_full_goes_back_to_the_unsaved_records(open_vault, template_kek, monkeypatch):
    from sitecare.screens.unlock import UnlockScreen

    app = SitecareApp(open_vault, now=lambda: datetime(2026, 11, 22, 9, 0))
    async with app.run_test(size=(80, 24), message_hook=None) as pilot:
        real = vault_mod.fs.open
        await lock_with_the_disk_full(app, pilot, monkeypatch)
        await unlock_with(app, pilot, "not my passphrase")
        assert isinstance(app.screen, UnlockScreen) and app.screen_locked
        assert "does not open this vault" in str(app.screen.query_one("#unlock-message").render())
        await unlock_with(app, pilot, PASSPHRASE)
        assert not isinstance(app.screen, UnlockScreen) and not app.screen_locked
        assert Site.select().where(Site.name == "typed while the disk was full").exists()
        monkeypatch.setattr(vault_mod.fs, "open", real)
        await pilot.press("ctrl+s")
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert app.save_error is None
    again = reopen(open_vault.folder, template_kek)
    try:
        assert Site.select().where(Site.name == "typed while the disk was full").exists()
    finally:
        again.close()


async def test_a_save_that_works_while_the_passphrase_is_checked_leaves_the_unlock_whole(open_vault, monkeypatch):
    """The retry may save while a passphrase is being checked against the open vault;
    dropping the database then would unlock onto a closed vault."""
    import threading

    from textual.widgets import Input

    from sitecare.screens.unlock import UnlockScreen

    app = SitecareApp(open_vault, now=lambda: datetime(2026, 11, 22, 9, 0))
    async with app.run_test(size=(80, 24), message_hook=None) as pilot:
        real = vault_mod.fs.open
        await lock_with_the_disk_full(app, pilot, monkeypatch)
        deriving, release = threading.Event(), threading.Event()
        check = Vault.check_key

        def check_until_released(self, kek):
            deriving.set()
            release.wait(5)
            return check(self, kek)

        monkeypatch.setattr(Vault, "check_key", check_until_released)
        app.screen.query_one("#passphrase", Input).value = PASSPHRASE
        await pilot.press("enter")
        assert deriving.wait(5)
        monkeypatch.setattr(vault_mod.fs, "open", real)
        app.lock_if_idle()  # the disk is back, mid-check
        for _ in range(20):
            await pilot.pause(0.02)
            if app.save_error is None:
                break
        assert app.save_error is None
        release.set()
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert not isinstance(app.screen, UnlockScreen)
        assert open_vault.is_open
        assert Site.select().where(Site.name == "typed while the disk was full").exists()


# ---------------------------------------------------------------- a database damaged before it was encrypted


def write_damaged_database(vault: Vault, schema: bool = False) -> bytes:
    """A vault whose file is whole (every AES-GCM tag checks) but whose database fails
    SQLite's check: a leaf page of a table the home screen does not read at launch
    (or, with `schema`, the first page, where the schema is) turned into something that
    is not a b-tree page. The vault is closed; returns the file."""
    import sqlite3

    from sitecare.data.models import NationalContact

    with change():
        for n in range(60):
            NationalContact.create(key=f"damage-{n}", name="x" * 200)
    connection = sqlite3.connect(":memory:")
    seq, image = vault.serialize()
    connection.deserialize(image)
    (page,) = connection.execute(
        "SELECT pageno FROM dbstat WHERE name = 'national_contact' AND pagetype = 'leaf' LIMIT 1").fetchone()
    connection.close()
    damaged = bytearray(image)
    damaged[100 if schema else (page - 1) * vault_mod.page_size_of(image)] = 0x42
    assert vault.write_image(seq, bytes(damaged), full=True)
    vault.close()
    return vault.path.read_bytes()


def test_a_damaged_database_is_refused_at_once_or_before_anything_is_written(open_vault, template_kek):
    raw = write_damaged_database(open_vault)
    vault = Vault(open_vault.folder)
    with pytest.raises(vault_mod.VaultDamagedError, match="integrity check"):
        vault.open_with_key(template_kek)
    assert not vault.is_open
    # Left for later (as the unlock screen opens it), the check runs before any save.
    vault.open_with_key(template_kek, check_later=True)
    try:
        assert vault.unchecked
        with pytest.raises(vault_mod.VaultDamagedError, match="integrity check"):
            vault.save()
        with pytest.raises(vault_mod.VaultDamagedError):  # and again, every time after
            vault.check_database()
    finally:
        vault.close()
    assert open_vault.path.read_bytes() == raw


def test_a_check_left_for_later_passes_and_the_first_save_appends(open_vault, template_kek):
    with change():
        Site.create(name="Before the check")
    open_vault.save(full=True)  # no journal records: the opening has nothing to tidy (a save)
    open_vault.close()
    vault = Vault(open_vault.folder)
    vault.open_with_key(template_kek, check_later=True)
    try:
        assert vault.unchecked
        models.clear_commit_listeners()
        with change():
            Site.create(name="After the check")
        vault.save()  # runs the check, then compares with the page digests
        assert not vault.unchecked and vault.last_save == "append"
    finally:
        vault.close()
    again = reopen(open_vault.folder, template_kek)
    try:
        assert {"Before the check", "After the check"} <= {s.name for s in Site.select()}
    finally:
        again.close()


def test_damage_to_the_schema_is_said_as_the_check_says_it(open_vault, template_kek):
    # Reading the schema (for an upgrade) comes before the check left for later: the
    # damage stopping it is reported as damage, not as an unexpected error.
    write_damaged_database(open_vault, schema=True)
    vault = Vault(open_vault.folder)
    with pytest.raises(vault_mod.VaultDamagedError, match="integrity check"):
        vault.open_with_key(template_kek, check_later=True)
    assert not vault.is_open


async def unlock_damaged(app, pilot):
    """Enter the passphrase; wait until the unlock screen is back with the vault closed."""
    from textual.widgets import Input

    from sitecare.screens.unlock import UnlockScreen

    app.screen.query_one("#passphrase", Input).value = PASSPHRASE
    await pilot.press("enter")
    for _ in range(50):
        await app.workers.wait_for_complete()
        await pilot.pause(0.02)
        if isinstance(app.screen, UnlockScreen) and not app.vault.is_open and not app.screen.trying:
            break


async def test_a_database_that_fails_the_check_after_the_home_screen_is_shown(open_vault, monkeypatch):
    """The unlock leaves SQLite's check until the home screen is up; when it fails, the
    vault is closed, nothing is written, and the unlock screen gives the advice an
    opening that finds damage gives. The next unlock checks at once."""
    from sitecare.screens.home import HomeScreen
    from sitecare.screens.unlock import UnlockScreen

    raw = write_damaged_database(open_vault)
    shown = []
    fill = HomeScreen.refresh_data
    monkeypatch.setattr(HomeScreen, "refresh_data", lambda self: shown.append(self.app.vault.is_open) or fill(self))
    app = SitecareApp(Vault(open_vault.folder), now=lambda: datetime(2026, 11, 22, 9, 0))
    async with app.run_test(size=(80, 24)) as pilot:
        await unlock_damaged(app, pilot)
        assert True in shown  # the home screen was filled from the open vault first
        assert isinstance(app.screen, UnlockScreen) and not app.vault.is_open
        assert sum(isinstance(s, UnlockScreen) for s in app.screen_stack) == 1
        said = str(app.screen.query_one("#unlock-message").render())
        assert "fails SQLite's integrity check" in said and "backup" in said
        shown.clear()
        await unlock_damaged(app, pilot)  # again: refused at the unlock, home not filled
        assert shown == [] and isinstance(app.screen, UnlockScreen) and not app.vault.is_open
        assert "fails SQLite's integrity check" in str(app.screen.query_one("#unlock-message").render())
    assert open_vault.path.read_bytes() == raw


async def test_damage_found_by_a_save_or_a_lock_before_the_check_gives_the_advice(open_vault, template_kek):
    from sitecare.screens.unlock import UnlockScreen

    raw = write_damaged_database(open_vault)
    for how in ("change", "lock"):
        vault = Vault(open_vault.folder)
        vault.open_with_key(template_kek, check_later=True)
        app = SitecareApp(vault, now=lambda: datetime(2026, 11, 22, 9, 0))
        app.start_database_check = lambda: None  # as if the check had not ended yet
        async with app.run_test(size=(80, 24)) as pilot:
            await app.workers.wait_for_complete()
            await pilot.pause()
            if how == "change":
                with change():
                    Site.create(name="Typed before the check")
                assert Site.select().count() >= 1  # the change goes on with the database it made
            else:
                await pilot.press("ctrl+l")
            await app.workers.wait_for_complete()
            await pilot.pause()
            assert isinstance(app.screen, UnlockScreen) and not vault.is_open, how
            assert not app.screen.relock, how
            assert "integrity check" in str(app.screen.query_one("#unlock-message").render()), how
        assert open_vault.path.read_bytes() == raw, how


async def test_a_query_stopped_by_damage_before_the_check_ends_gives_the_advice(open_vault, template_kek):
    import sqlite3

    from sitecare.data.models import NationalContact

    write_damaged_database(open_vault)
    vault = Vault(open_vault.folder)
    vault.open_with_key(template_kek, check_later=True)
    app = SitecareApp(vault, now=lambda: datetime(2026, 11, 22, 9, 0))
    try:
        with pytest.raises(Exception) as stopped:  # peewee's own error, made from SQLite's
            list(NationalContact.select().where(NationalContact.name.contains("y")))
        said = app._damage_found(stopped.value)
        assert said is not None and "integrity check" in said and "sitecare backups" in said
        assert app._damage_found(sqlite3.DatabaseError("database disk image is malformed")) == said
        assert app._damage_found(ValueError("not the database")) is None
    finally:
        vault.close()


# -- the vault file gone, its backups left -------------------------------------------


def _vault_with_backups(vault: Vault, count: int = 3) -> dict[str, bytes]:
    """`count` full saves (each leaving a backup), then the vault file deleted, as a
    person or a sync service might. Returns the backups' names and bytes."""
    for index in range(count):
        with change():
            Site.create(name=f"Old vault site {index}")
        vault.save(full=True)
    vault.close()
    vault.path.unlink()
    return {p.name: p.read_bytes() for p in vault.backups()}


@pytest.mark.parametrize("how", ["create", "create_with_key"])
def test_a_new_vault_is_never_made_beside_another_vaults_backups(open_vault, template_kek, how):
    folder = open_vault.folder
    before = _vault_with_backups(open_vault)
    assert len(before) == 3
    fresh = Vault(folder)
    with pytest.raises(vault_mod.BackupsInTheWayError) as refused:
        if how == "create":
            fresh.create("another passphrase entirely")
        else:
            fresh.create_with_key(template_kek, b"\0" * 16)
    text = str(refused.value)
    assert "sitecare backups --restore 1 --vault" in text and "move" in text and str(fresh.backup_dir) in text
    assert not fresh.is_open and not fresh.path.exists()
    # The old vault's backups are all there, byte for byte, and nothing was added.
    assert {p.name: p.read_bytes() for p in fresh.backups()} == before


def test_a_missing_vault_file_is_restored_from_its_newest_backup(open_vault, template_kek, capsys):
    from sitecare.cli import main

    folder = open_vault.folder
    _vault_with_backups(open_vault)
    assert main(["backups", "--vault", str(folder), "--restore", "1"]) == 0
    out = capsys.readouterr().out
    assert "which was missing" in out and "kept as" not in out
    again = reopen(folder, template_kek)
    try:
        # The newest backup is the file the last full save replaced, with the record
        # that saved the third site before it.
        assert sorted(s.name for s in Site.select() if s.name.startswith("Old vault")) == [
            "Old vault site 0", "Old vault site 1", "Old vault site 2"]
    finally:
        again.close()


# -- a damaged last change: not a crash --------------------------------------------------


def _damaged_last_record(vault: Vault) -> bytes:
    """Two changes saved as journal records, the vault closed, then one byte flipped in
    the middle of the last record, which is all there. Returns the damaged file."""
    for name in ("Kept Change", "Damaged Change"):
        with change():
            Site.create(name=name)
        assert vault.last_save == "append"
    vault.close()
    raw = bytearray(vault.path.read_bytes())
    last = journal_records(bytes(raw))[-1]
    assert last.offset + last.length == len(raw)
    raw[last.offset + last.length // 2] ^= 0x20
    vault.path.write_bytes(bytes(raw))
    return bytes(raw)


@pytest.mark.parametrize("compaction", ["works", "fails"])
def test_a_damaged_last_change_is_told_as_damage_and_the_damaged_file_is_kept(open_vault, template_kek, monkeypatch, compaction):
    folder = open_vault.folder
    damaged = _damaged_last_record(open_vault)
    if compaction == "fails":
        # The full save at open fails: the damaged record is then cut off the file (an
        # ftruncate): the copy must not be a second name of it.
        real_replace = vault_mod.fs.replace

        def full_disk_for_the_vault(source, target):
            if str(target).endswith("sitecare.vault") and "damaged" not in str(target):
                raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
            return real_replace(source, target)

        monkeypatch.setattr(vault_mod.fs, "replace", full_disk_for_the_vault)
    vault = reopen(folder, template_kek)
    monkeypatch.undo()
    try:
        assert not vault.cut_off_save  # not "had not finished saving"
        dropped = vault.dropped_change
        assert dropped is not None and dropped.kept is not None
        assert dropped.kept.parent == folder and dropped.kept.name.startswith("sitecare-damaged-")
        assert dropped.kept in vault.set_aside()  # 'sitecare backups' lists it, --restore NAME restores it
        assert dropped.kept.read_bytes() == damaged
        assert os.stat(dropped.kept).st_mode & 0o777 == 0o600
        text = dropped.message()
        assert "damaged" in text and str(dropped.kept) in text and "enter it again" in text
        names = {s.name for s in Site.select()}
        assert "Kept Change" in names and "Damaged Change" not in names  # never applied
    finally:
        vault.close()
    assert folder.joinpath("sitecare.vault").read_bytes() != damaged  # rewritten (or cut) without it
    # A later save and full save never touch the copy; pruning never sees it.
    models.clear_commit_listeners()
    again = reopen(folder, template_kek)
    try:
        assert again.dropped_change is None
        for index in range(vault_mod.BACKUPS_KEPT + 2):
            with change():
                Site.create(name=f"later {index}")
            again.save(full=True)
    finally:
        again.close()
    assert dropped.kept.read_bytes() == damaged


def test_a_damaged_last_change_whose_copy_cannot_be_kept_is_not_opened_for_writing(open_vault, template_kek, monkeypatch):
    folder = open_vault.folder
    damaged = _damaged_last_record(open_vault)
    real_open = vault_mod.fs.open

    def full_disk_for_the_copy(path, *args, **kwargs):
        if "sitecare-damaged-" in str(path):
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        return real_open(path, *args, **kwargs)

    monkeypatch.setattr(vault_mod.fs, "open", full_disk_for_the_copy)
    vault = Vault(folder)
    with pytest.raises(vault_mod.VaultSaveError, match="could not keep a copy.*disk is full.*read-only"):
        vault.open_with_key(template_kek)
    assert not vault.is_open
    assert folder.joinpath("sitecare.vault").read_bytes() == damaged  # untouched
    assert not list(folder.glob("sitecare-damaged-*"))
    # Read-only it opens, writing nothing, and says the damage all the same.
    vault.open_with_key(template_kek, readonly=True)
    try:
        assert vault.dropped_change is not None and vault.dropped_change.kept is None
        assert "not read-only" in vault.dropped_change.message()
    finally:
        vault.close()
    assert folder.joinpath("sitecare.vault").read_bytes() == damaged


def test_check_reports_a_damaged_last_change_and_exits_2(open_vault, tmp_path, monkeypatch, capsys):
    from sitecare.cli import main

    folder = open_vault.folder
    damaged = _damaged_last_record(open_vault)
    secret = tmp_path / "pass"
    secret.write_text(PASSPHRASE + "\n")
    monkeypatch.setenv("SITECARE_PASSPHRASE_FILE", str(secret))
    assert main(["check", "--vault", str(folder), "--on", "22/11/2026"]) == 2
    captured = capsys.readouterr()
    assert "22 Nov 2026" in captured.out  # the report of the rest is still given
    assert captured.err.startswith("sitecare: The vault file is damaged: the last change saved to it")
    assert len(captured.err.strip().splitlines()) == 1
    assert folder.joinpath("sitecare.vault").read_bytes() == damaged  # check writes nothing
    assert not list(folder.glob("sitecare-damaged-*"))


def test_check_on_a_damaged_vault_names_the_backup_without_saying_to_quit(open_vault, tmp_path, monkeypatch, capsys):
    # A trial read "quit, and restore..." from a command that had already ended.
    from sitecare.cli import main

    with change():
        Site.create(name="Before the damage")
    open_vault.save(full=True)
    folder = open_vault.folder
    open_vault.close()
    raw = bytearray(folder.joinpath("sitecare.vault").read_bytes())
    raw[len(raw) // 2] ^= 0x10
    folder.joinpath("sitecare.vault").write_bytes(bytes(raw))
    secret = tmp_path / "pass"
    secret.write_text(PASSPHRASE + "\n")
    monkeypatch.setenv("SITECARE_PASSPHRASE_FILE", str(secret))
    assert main(["check", "--vault", str(folder)]) == 2
    err = capsys.readouterr().err.strip()
    assert f"sitecare backups --restore 1 --vault {folder}" in err
    assert "quit" not in err and err.endswith(".")


async def test_a_form_says_saved_only_once_its_change_is_written(open_vault, monkeypatch):
    # Trials saw "Saved Oak School." beside "Could not save (the disk is full)".
    from sitecare.screens.site_form import SiteFormScreen

    from sitehelpers import fill

    app = SitecareApp(open_vault, now=lambda: datetime(2026, 11, 22, 9, 0))

    def said() -> list[str]:
        return [n.message for n in app._notifications]

    async def add_site(pilot, name: str) -> None:
        app.push_screen(SiteFormScreen())
        await pilot.pause()
        await fill(app, pilot, "#name", name)
        await pilot.press("ctrl+s")
        await settle(app, pilot)
        assert not isinstance(app.screen, SiteFormScreen)

    async with app.run_test(size=(80, 24)) as pilot:
        await add_site(pilot, "Oak School")
        assert "Saved Oak School." in said()

        monkeypatch.setattr(vault_mod.fs, "open", _error(errno.ENOSPC))
        await add_site(pilot, "Elm School")
        assert "Saved Elm School." not in said()
        assert any("disk is full" in m for m in said())

        # The error is not said again at the next change: what that change left
        # unsaved is.
        await add_site(pilot, "Ash School")
        assert "Saved Ash School." not in said()
        assert any(m.startswith("Not saved yet: Ash School.") for m in said())

        monkeypatch.setattr(vault_mod.fs, "open", os.open)
        await pilot.press("ctrl+s")
        await settle(app, pilot)
        assert "Saved: all changes are now in the vault." in said()
        assert not any(m in said() for m in ("Saved Elm School.", "Saved Ash School."))
        assert app.save_error is None


async def test_a_change_made_read_only_is_never_said_to_be_saved(open_vault, template_kek):
    # A trial saw "This vault is open read-only: ... will not be saved." then "Added RO
    # Person as Designated Safeguarding Lead." The form's news waits for a save that
    # never comes; the read-only warning stands alone.
    from sitecare.screens.site_form import SiteFormScreen

    from sitehelpers import fill

    reader = reopened_read_only(open_vault, template_kek)
    app = SitecareApp(reader)
    try:
        async with app.run_test(size=(80, 24)) as pilot:
            app.push_screen(SiteFormScreen())
            await pilot.pause()
            await fill(app, pilot, "#name", "Oak School")
            await pilot.press("ctrl+s")
            await settle(app, pilot)
            said = [n.message for n in app._notifications]
            assert any("read-only" in m and "will not be saved" in m for m in said)
            assert not any("Oak School" in m for m in said)
    finally:
        reader.close()
