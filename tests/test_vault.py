"""The vault: round trip, damage versus wrong passphrase, safe saves, locks, rekeying, blobs."""

from __future__ import annotations

import errno
import hashlib
import os
import struct
import subprocess
import sys
import textwrap
from dataclasses import replace
from pathlib import Path

import pytest

from sitecare.data import models, vault as vault_mod
from sitecare.data.models import Organisation, Site, change
from sitecare.data.vault import (
    HEADER_LEN,
    BlobError,
    KdfRefusedError,
    Vault,
    VaultChangedError,
    VaultDamagedError,
    VaultLockedError,
    VaultSaveError,
    WrongPassphraseError,
    decrypt_bytes,
    parse_header,
)

from support import PASSPHRASE, journal_records, reopen


def add_site(name: str) -> None:
    with change():
        Site.create(name=name)


@pytest.fixture
def full_saves(monkeypatch):
    """Every save writes a whole new file (a new generation), as before the journal."""
    monkeypatch.setattr(vault_mod, "JOURNAL_MAX_RECORDS", 0)


def site_names() -> list[str]:
    return sorted(s.name for s in Site.select())


def test_round_trip_keeps_every_committed_change(open_vault, template_kek):
    add_site("St Mary's Primary")
    add_site("Elm House Care Home")
    folder = open_vault.folder
    open_vault.close()
    again = reopen(folder, template_kek)
    try:
        assert site_names() == ["Elm House Care Home", "St Mary's Primary"]
        # Reference data from the seeds is in every new vault.
        assert Organisation.select().count() == 3
    finally:
        again.close()


def test_unlock_with_the_passphrase_itself(vault_dir):
    vault = Vault(vault_dir)
    vault.unlock(PASSPHRASE)
    try:
        assert vault.is_open
    finally:
        vault.close()


def test_passphrase_is_nfc_normalised(tmp_path):
    # "é" typed as one code point or as e + combining accent is the same passphrase.
    composed, decomposed = "caf\u00e9 au lait ok", "cafe\u0301 au lait ok"
    vault = Vault(tmp_path / "v")
    vault.create(composed)
    vault.close()
    again = Vault(tmp_path / "v")
    again.unlock(decomposed)
    again.close()


def test_wrong_passphrase_has_its_own_message(vault_dir):
    with pytest.raises(WrongPassphraseError) as wrong:
        Vault(vault_dir).unlock("not the passphrase at all")
    assert "passphrase" in str(wrong.value)
    assert not isinstance(wrong.value, VaultDamagedError)


def test_file_is_private_to_its_owner(open_vault):
    add_site("A")
    open_vault.save(full=True)
    add_site("B")
    assert journal_records(open_vault.path.read_bytes())
    assert (open_vault.path.stat().st_mode & 0o777) == 0o600
    for backup in open_vault.backups():
        assert (backup.stat().st_mode & 0o777) == 0o600


def test_every_single_byte_flip_is_detected(open_vault, template_kek):
    raw = open_vault.path.read_bytes()
    assert len(raw) < 400_000  # a small vault: every byte is tried
    detected = 0
    for index in range(len(raw)):
        flipped = bytearray(raw)
        flipped[index] ^= 0x01
        with pytest.raises((VaultDamagedError, WrongPassphraseError)):
            decrypt_bytes(bytes(flipped), template_kek)
        detected += 1
    assert detected == len(raw)


def test_a_header_flip_is_called_damage_not_a_wrong_passphrase(open_vault, template_kek):
    raw = bytearray(open_vault.path.read_bytes())
    raw[20] ^= 0xFF  # inside the KDF parameters
    with pytest.raises(VaultDamagedError):
        decrypt_bytes(bytes(raw), template_kek)


def test_truncation_at_every_length_of_the_header(open_vault, template_kek):
    raw = open_vault.path.read_bytes()
    for length in range(HEADER_LEN + 1):
        with pytest.raises(VaultDamagedError):
            decrypt_bytes(raw[:length], template_kek)
    # And a body cut short is damage too, with the header intact.
    with pytest.raises(VaultDamagedError, match="cut short"):
        decrypt_bytes(raw[:-1], template_kek)


def _retamper(raw: bytes, offset: int, new: bytes) -> bytes:
    """Change header bytes and recompute the checksum, as a deliberate attacker would."""
    body = bytearray(raw[: HEADER_LEN - 32])
    body[offset : offset + len(new)] = new
    return bytes(body) + hashlib.sha256(body).digest() + raw[HEADER_LEN:]


def test_header_tampering_with_a_fixed_checksum_still_fails(open_vault, template_kek):
    raw = open_vault.path.read_bytes()
    header = parse_header(raw)
    # The generation is not part of the key wrap but is associated data for the body.
    gen_offset = struct.calcsize(">8sHBIII16s16s8s")
    forged = _retamper(raw, gen_offset, struct.pack(">Q", header.generation + 7))
    with pytest.raises(VaultDamagedError, match="integrity"):
        decrypt_bytes(forged, template_kek)


def test_kdf_downgrade_is_refused_before_deriving(open_vault, monkeypatch):
    raw = open_vault.path.read_bytes()
    # t=1, m=8 MiB: far below the floor.
    weak = _retamper(raw, 11, struct.pack(">III", 1, 8192, 1))
    open_vault.path.write_bytes(weak)
    derived = []
    monkeypatch.setattr(vault_mod, "Argon2id", lambda **kw: derived.append(kw))
    with pytest.raises(KdfRefusedError, match="weaker"):
        Vault(open_vault.folder).unlock(PASSPHRASE)
    assert derived == []


def test_kdf_denial_of_service_is_refused(open_vault):
    raw = open_vault.path.read_bytes()
    huge = _retamper(raw, 11, struct.pack(">III", 3, 64 * 1024 * 1024, 4))
    with pytest.raises(KdfRefusedError, match="more key-derivation work"):
        parse_header(huge)


def test_each_save_uses_a_fresh_nonce_and_the_next_generation(open_vault):
    # Ordinary saves append records, each with its own random nonce, and leave the base
    # (its generation and payload nonce) as it was.
    base = open_vault.path.read_bytes()
    for name in "ABC":
        add_site(name)
        assert open_vault.last_save == "append"
        assert open_vault.path.read_bytes().startswith(base)
    records = journal_records(open_vault.path.read_bytes())
    assert [r.seq for r in records] == [1, 2, 3]
    assert len({r.nonce for r in records}) == 3
    # A full save is the next generation, with a fresh payload nonce and no records.
    seen = {parse_header(base).payload_nonce}
    generations = [parse_header(base).generation]
    for name in "DEF":
        add_site(name)
        open_vault.save(full=True)
        raw = open_vault.path.read_bytes()
        header = parse_header(raw)
        assert journal_records(raw) == []
        seen.add(header.payload_nonce)
        generations.append(header.generation)
    assert len(seen) == 4
    assert generations == sorted(generations) and len(set(generations)) == 4


def test_five_previous_generations_are_kept(open_vault, template_kek, full_saves):
    for index in range(8):
        add_site(f"site {index}")
    backups = open_vault.backups()
    assert len(backups) == 5
    newest_backup_gen = parse_header(backups[0].read_bytes()).generation
    assert newest_backup_gen == open_vault.generation - 1
    # A backup is a complete vault of its generation.
    _, _, image = decrypt_bytes(backups[0].read_bytes(), template_kek)
    assert len(image) > 0


def test_a_backup_is_the_file_as_it_stood_before_the_full_save(open_vault, template_kek):
    """Backups are made only by full saves: the replaced file, its records included, so
    a backup holds every change saved up to the full save that replaced it."""
    add_site("journaled 1")
    add_site("journaled 2")
    assert open_vault.backups() == []
    open_vault.save(full=True)
    add_site("after the full save")
    (newest,) = open_vault.backups()
    assert [r.seq for r in journal_records(newest.read_bytes())] == [1, 2]
    _, _, image = decrypt_bytes(newest.read_bytes(), template_kek)
    assert b"journaled 2" in image and b"after the full save" not in image


@pytest.mark.parametrize(
    "kind, step",
    [("append", "open"), ("append", "write"), ("append", "fsync"),
     ("full", "open"), ("full", "write"), ("full", "fsync"), ("full", "link"), ("full", "replace")],
)
def test_a_failed_save_leaves_the_last_committed_vault(open_vault, template_kek, monkeypatch, kind, step):
    add_site("saved before the failure")
    if kind == "full":
        monkeypatch.setattr(vault_mod, "JOURNAL_MAX_RECORDS", 0)
    before = open_vault.path.read_bytes()
    real = getattr(vault_mod.fs, step)

    def broken(*args, **kwargs):
        raise OSError(errno.EIO, "Input/output error")

    monkeypatch.setattr(vault_mod.fs, step, broken)
    with pytest.raises(VaultSaveError, match="changes are kept in memory"):
        add_site("not saved")
    assert open_vault.path.read_bytes() == before
    assert not list(open_vault.folder.glob("*.tmp"))
    # The data is still in memory and a retry, once the fault is gone, saves it.
    assert "not saved" in site_names()
    monkeypatch.setattr(vault_mod.fs, step, real)
    open_vault.save()
    assert open_vault.last_save in ("append", "full")
    folder = open_vault.folder
    open_vault.close()
    again = reopen(folder, template_kek)
    try:
        assert site_names() == ["not saved", "saved before the failure"]
    finally:
        again.close()


def test_disk_full_says_so(open_vault, monkeypatch):
    def full(fd, data):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(vault_mod.fs, "write", full)
    with pytest.raises(VaultSaveError, match="disk is full"):
        add_site("x")


def test_stale_temp_files_are_removed_at_start(vault_dir, template_kek):
    stale = vault_dir / "sitecare.vault.999.abcd.tmp"
    stale.write_bytes(b"half a save")
    vault = reopen(vault_dir, template_kek)
    vault.close()
    assert not stale.exists()


def test_a_vault_changed_underneath_is_not_overwritten(open_vault, template_kek):
    add_site("mine")
    # Another device, with the same passphrase, saves a newer generation into the
    # synced folder.
    header, data_key, image = decrypt_bytes(open_vault.path.read_bytes(), template_kek)
    _, theirs = vault_mod.encrypt_image(replace(header, generation=header.generation + 1), data_key, image)
    open_vault.path.write_bytes(theirs)
    with pytest.raises(VaultChangedError, match="another device"):
        add_site("would clobber theirs")
    assert open_vault.path.read_bytes() == theirs
    # Nothing typed is lost: it is still in memory.
    assert "would clobber theirs" in site_names()


def _theirs_written_over(open_vault, template_kek) -> bytes:
    """Another device, with the same passphrase, saves a newer generation into the
    synced folder; returns its file."""
    header, data_key, image = decrypt_bytes(open_vault.path.read_bytes(), template_kek)
    _, theirs = vault_mod.encrypt_image(replace(header, generation=header.generation + 3), data_key, image)
    open_vault.path.write_bytes(theirs)
    return theirs


def test_this_sessions_changes_can_be_saved_over_a_changed_vault_keeping_the_other(open_vault, template_kek):
    add_site("mine")
    theirs = _theirs_written_over(open_vault, template_kek)
    with pytest.raises(VaultChangedError, match="press ctrl.s to choose"):
        add_site("typed after theirs")
    kept = open_vault.save_over_changed_file()
    # Neither is lost: theirs whole beside the vault, listed; mine saved as the vault.
    assert kept is not None and kept.parent == open_vault.folder and kept.read_bytes() == theirs
    assert kept.name.startswith("sitecare-other-device-") and open_vault.set_aside() == [kept]
    assert parse_header(open_vault.path.read_bytes()).generation > parse_header(theirs).generation
    add_site("and after that")  # saving goes on as usual
    folder = open_vault.folder
    open_vault.close()
    again = reopen(folder, template_kek)
    try:
        assert {"mine", "typed after theirs", "and after that"} <= set(site_names())
    finally:
        again.close()


def test_this_sessions_changes_can_be_saved_after_the_vault_file_was_removed(open_vault, template_kek):
    add_site("mine")
    open_vault.path.unlink()
    with pytest.raises(VaultChangedError, match="disappeared"):
        add_site("typed after it went")
    assert open_vault.save_over_changed_file() is None
    folder = open_vault.folder
    open_vault.close()
    again = reopen(folder, template_kek)
    try:
        assert {"mine", "typed after it went"} <= set(site_names())
    finally:
        again.close()


def test_the_clock_set_back_does_not_stop_saving(open_vault, monkeypatch, template_kek, full_saves):
    add_site("today")
    monkeypatch.setattr(vault_mod.time, "time", lambda: 1_000_000_000.0)  # 2001
    add_site("after the clock went back")
    header = parse_header(open_vault.path.read_bytes())
    assert header.saved_at == 1_000_000_000
    assert "after the clock went back" in site_names()


def test_sync_conflict_copies_are_noticed(vault_dir):
    (vault_dir / "sitecare (Sam's conflicted copy 2026-11-20).vault").write_bytes(b"x")
    (vault_dir / "sitecare.sync-conflict-20261120-101010-ABC.vault").write_bytes(b"x")
    assert len(Vault(vault_dir).conflict_copies()) == 2


LOCK_HOLDER = textwrap.dedent(
    """
    import sys, time
    from sitecare.data.vault import Vault
    v = Vault(sys.argv[1])
    v.acquire_lock()
    print("locked", flush=True)
    time.sleep(30)
    """
)


def test_a_second_process_cannot_take_the_lock(vault_dir):
    holder = subprocess.Popen([sys.executable, "-c", LOCK_HOLDER, str(vault_dir)], stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "locked"
        with pytest.raises(VaultLockedError, match="already open") as locked:
            Vault(vault_dir).acquire_lock()
        assert str(holder.pid) in locked.value.holder
        # Read-only needs no lock.
        reader = Vault(vault_dir)
        reader.unlock(PASSPHRASE, readonly=True)
        with pytest.raises(vault_mod.ReadOnlyError):
            reader.save()
        reader.close()
    finally:
        holder.kill()
        holder.wait()
    # A dead holder's lock is taken over.
    taker = Vault(vault_dir)
    taker.acquire_lock()
    taker.release_lock()


def test_letting_go_of_the_lock_clears_the_note_of_who_held_it(vault_dir):
    # A tester found an exited process's pid in the lock file after `demo --no-open`.
    vault = Vault(vault_dir)
    vault.acquire_lock()
    assert f"pid {os.getpid()}" in vault.lock_path.read_text()
    vault.release_lock()
    assert vault.lock_path.read_text() == ""
    # The idle lock keeps the vault, and so the note.
    vault.unlock(PASSPHRASE)
    vault.close(keep_lock=True)
    assert f"pid {os.getpid()}" in vault.lock_path.read_text()
    vault.close()
    assert vault.lock_path.read_text() == ""


def test_blob_round_trip_and_tampering(open_vault):
    data = os.urandom(50_000)
    blob_id = open_vault.put_blob(data)
    assert open_vault.get_blob(blob_id) == data
    path = open_vault.blob_path(blob_id)
    assert data[:64] not in path.read_bytes()
    raw = bytearray(path.read_bytes())
    raw[len(raw) // 2] ^= 1
    path.write_bytes(bytes(raw))
    with pytest.raises(BlobError, match="damaged"):
        open_vault.get_blob(blob_id)


def test_a_blob_cannot_be_swapped_for_another(open_vault):
    first = open_vault.put_blob(b"certificate one")
    second = open_vault.put_blob(b"certificate two")
    open_vault.blob_path(first).write_bytes(open_vault.blob_path(second).read_bytes())
    with pytest.raises(BlobError):
        open_vault.get_blob(first)


def test_drafts_are_encrypted_and_round_trip(open_vault):
    open_vault.write_draft("concern", b'{"account": "said her dad hurt her"}')
    raw = (open_vault.draft_dir / "concern.draft").read_bytes()
    assert b"dad" not in raw
    assert open_vault.read_draft("concern") == b'{"account": "said her dad hurt her"}'


NEW = "a brand new passphrase here"


def _populate_for_rekey(vault: Vault) -> str:
    # A kept backup with records of its own, and records in the current file: the
    # passphrase change re-encrypts both as whole images.
    add_site("before change")
    vault.save(full=True)
    add_site("before change 2")
    assert journal_records(vault.path.read_bytes()) and journal_records(vault.backups()[0].read_bytes())
    blob_id = vault.put_blob(b"certificate bytes")
    vault.write_draft("concern", b"draft text")
    return blob_id


def test_passphrase_change_leaves_the_old_one_opening_nothing(open_vault, template_kek):
    blob_id = _populate_for_rekey(open_vault)
    old_header = open_vault.header
    old_blob = open_vault.blob_path(blob_id).read_bytes()
    open_vault.change_passphrase(PASSPHRASE, NEW)
    folder = open_vault.folder
    assert open_vault.get_blob(blob_id) == b"certificate bytes"
    assert journal_records(open_vault.path.read_bytes()) == []
    # Saving goes on under the new key, in the journal of the new file.
    add_site("after change")
    assert open_vault.last_save == "append"
    open_vault.close()

    with pytest.raises(WrongPassphraseError):
        Vault(folder).unlock(PASSPHRASE)
    for backup in Vault(folder).backups():
        with pytest.raises(WrongPassphraseError):
            decrypt_bytes(backup.read_bytes(), template_kek)
    # The blob file was rewritten under the new data key: the old key cannot open it.
    assert Vault(folder).blob_path(blob_id).read_bytes() != old_blob
    probe = Vault(folder)
    probe.header = old_header
    with pytest.raises(BlobError):
        probe._open_sealed(blob_id, probe.blob_path(blob_id).read_bytes(), data_key=vault_mod.unwrap_data_key(old_header, template_kek))

    again = Vault(folder)
    again.unlock(NEW)
    try:
        assert site_names() == ["after change", "before change", "before change 2"]
        assert again.get_blob(blob_id) == b"certificate bytes"
        assert again.read_draft("concern") == b"draft text"
        assert again.backups()
    finally:
        again.close()


class Interrupt(Exception):
    pass


def test_an_interrupted_passphrase_change_still_opens(open_vault, monkeypatch, template_kek, tmp_path):
    """Cut the change off at each of its file replaces in turn (each .rekey file, the
    commit, then moving files into place); afterwards one passphrase opens everything,
    with every record, and the vault says which one."""
    blob_id = _populate_for_rekey(open_vault)
    populated = open_vault.folder
    open_vault.close()
    models.clear_commit_listeners()  # each try saves its own vault, below
    real_replace = vault_mod.fs.replace
    calls = {"n": 0, "fail_at": 0}

    def replace(src, dst):
        calls["n"] += 1
        if calls["n"] == calls["fail_at"]:
            raise Interrupt()
        return real_replace(src, dst)

    monkeypatch.setattr(vault_mod.fs, "replace", replace)
    import shutil

    outcomes = []
    fail_at = 0
    while True:
        fail_at += 1
        folder = tmp_path / f"try{fail_at}"
        shutil.copytree(populated, folder)
        vault = reopen(folder, template_kek)
        # A record in the journal when the change starts.
        with change():
            Site.create(name="journaled before the change")
        vault.save()
        assert vault.last_save == "append"
        calls.update(n=0, fail_at=fail_at)
        try:
            vault.change_passphrase(PASSPHRASE, NEW)
            finished = True
        except Interrupt:
            finished = False
        vault.close()
        if finished:
            break
        calls["fail_at"] = 0
        state = Vault(folder).pending_passphrase_change()
        good, bad = (NEW, PASSPHRASE) if state == "new" else (PASSPHRASE, NEW)
        with pytest.raises(WrongPassphraseError):
            Vault(folder).unlock(bad)
        vault = Vault(folder)
        vault.unlock(good)
        try:
            assert site_names() == ["before change", "before change 2", "journaled before the change"]
            assert vault.get_blob(blob_id) == b"certificate bytes"
            assert vault.read_draft("concern") == b"draft text"
            assert vault.pending_passphrase_change() is None
        finally:
            vault.close()
        outcomes.append(state)
    # Both sides of the commit point were exercised.
    assert None in outcomes and "old" in outcomes and "new" in outcomes
    assert fail_at > 6


def _open_temp_files() -> list[str]:
    """SQLite unlinks its temp files as soon as it opens them, so a folder listing never
    shows them: look at this process's open file descriptors instead."""
    found = []
    for fd in os.listdir("/proc/self/fd"):
        try:
            target = os.readlink(f"/proc/self/fd/{fd}")
        except OSError:
            continue
        if "etilqs" in target or target.startswith(("/var/tmp", "/tmp", "/usr/tmp")):
            found.append(target)
    return found


@pytest.mark.skipif(not Path("/proc/self/fd").exists(), reason="needs /proc")
def test_no_temp_file_is_opened_during_a_large_sort_or_a_save(open_vault):
    rows = [dict(name=f"site {i:05d}", address="x" * 200) for i in range(30000)]
    with change():
        for start in range(0, len(rows), 500):
            Site.insert_many(rows[start : start + 500]).execute()
    before = _open_temp_files()
    # A sort no index can serve: with SQLite's default temp_store this spills to
    # /var/tmp/etilqs_* (measured: 30,000 rows of 200 bytes is enough).
    cursor = models.database.execute_sql("SELECT name FROM site ORDER BY address || name DESC")
    cursor.fetchone()
    during_sort = _open_temp_files()
    cursor.fetchall()
    open_vault.save()
    assert during_sort == before
    assert _open_temp_files() == before
    temp_store = models.database.execute_sql("PRAGMA temp_store").fetchone()[0]
    secure_delete = models.database.execute_sql("PRAGMA secure_delete").fetchone()[0]
    assert (temp_store, secure_delete) == (2, 1)


def test_deleted_text_does_not_stay_in_the_image(open_vault):
    with change():
        Site.create(name="Zebra Crossing Academy unique-marker-7731")
    with change():
        Site.delete().where(Site.name.contains("unique-marker-7731")).execute()
    _, image = open_vault.serialize()
    assert b"unique-marker-7731" not in image


def test_restore_backup_keeps_the_replaced_file(open_vault, template_kek):
    add_site("one")
    open_vault.save(full=True)
    add_site("two")
    add_site("three")
    folder = open_vault.folder
    newest_backup = open_vault.backups()[0]
    # Both the backup and the file it replaces carry journal records.
    assert journal_records(newest_backup.read_bytes()) and len(journal_records(open_vault.path.read_bytes())) == 2
    open_vault.close()
    vault = Vault(folder)
    kept = vault.restore_backup(newest_backup)
    assert kept.exists()
    again = reopen(folder, template_kek)
    try:
        assert site_names() == ["one"]
    finally:
        again.close()
    # The set-aside file is whole, records and all: restoring it brings everything back.
    Vault(folder).restore_backup(kept)
    again = reopen(folder, template_kek)
    try:
        assert site_names() == ["one", "three", "two"]
    finally:
        again.close()


def test_tuning_the_allocator_is_harmless_where_there_is_no_glibc(monkeypatch):
    import ctypes

    from sitecare.data import vault as vault_mod

    def no_libc(name):
        raise OSError(f"{name}: cannot open shared object file")

    monkeypatch.setattr(vault_mod, "_ALLOCATOR_TUNED", False)
    monkeypatch.setattr(ctypes, "CDLL", no_libc)
    vault_mod.reuse_large_buffers()  # no error
    assert vault_mod._ALLOCATOR_TUNED


def test_the_allocator_is_tuned_once_at_the_first_save(open_vault, monkeypatch):
    import ctypes

    from sitecare.data import vault as vault_mod

    calls = []

    class FakeLibc:
        def mallopt(self, param, value):
            calls.append((param, value))
            return 1

    monkeypatch.setattr(vault_mod, "_ALLOCATOR_TUNED", False)
    monkeypatch.setattr(ctypes, "CDLL", lambda name: FakeLibc())
    open_vault.save()
    open_vault.save()
    assert calls == [(-3, 1 << 30), (-1, 1 << 30)]


def saved_with_a_site(vault_dir, kek: bytes) -> None:
    """The vault saved (and closed) with one site, Alder House."""
    first = Vault(vault_dir)
    first.open_with_key(kek)
    add_site("Alder House")
    first.save()
    first.close()


def test_the_slow_half_of_opening_can_run_on_another_thread(vault_dir, template_kek):
    """The unlock screen reads, decrypts and checks the database in its worker
    (prepare_open) and binds it on the app's thread (finish_open)."""
    import threading

    saved_with_a_site(vault_dir, template_kek)

    vault = Vault(vault_dir)
    prepared = []
    worker = threading.Thread(target=lambda: prepared.append(vault.prepare_open(template_kek)))
    worker.start()
    worker.join()
    assert not vault.is_open  # nothing is seen until it is bound
    vault.finish_open(prepared[0])
    assert site_names() == ["Alder House"]
    add_site("Birch House")  # peewee works on the connection made on the other thread
    vault.save()
    vault.close()
    again = reopen(vault_dir, template_kek)
    assert site_names() == ["Alder House", "Birch House"]
    again.close()


def test_a_wrong_key_in_the_slow_half_leaves_the_vault_closed_and_unlocked(vault_dir, template_kek):
    vault = Vault(vault_dir)
    with pytest.raises(WrongPassphraseError):
        vault.prepare_open(bytes(32))
    assert not vault.is_open
    # The lock taken for the attempt was let go: another opening can take it.
    other = Vault(vault_dir)
    other.open_with_key(template_kek)
    other.close()


def test_the_file_is_read_while_the_key_is_derived(vault_dir, template_kek, monkeypatch):
    """Given a callable that waits for the key (the unlock's derivation), the slow half
    takes the lock, reads the file and sets aside the image's memory first: none of
    that needs the key, and all of it was on the way from Enter to the home screen."""
    saved_with_a_site(vault_dir, template_kek)

    vault = Vault(vault_dir)
    done = []
    real_read = Vault.read_file
    monkeypatch.setattr(Vault, "read_file", lambda self: done.append("read") or real_read(self))
    monkeypatch.setattr(vault_mod, "_make_room_in_sqlite", lambda image: done.append(("room", len(image))))
    monkeypatch.setattr(vault_mod, "reuse_large_buffers", lambda: done.append("glibc keeps large blocks"))

    def derived() -> bytes:
        with pytest.raises(VaultLockedError):
            Vault(vault_dir).acquire_lock()  # already ours
        done.append("key")
        return template_kek

    vault.finish_open(vault.prepare_open(derived))
    # (after the key, the full save that starts a file with journal records afresh)
    assert done[:4] == ["glibc keeps large blocks", "read", ("room", vault.header.payload_len - 16), "key"]
    assert site_names() == ["Alder House"]
    vault.close()

    # With the key given there is no wait to fill: glibc keeping the file's memory
    # once let go only raised the peak (the file, the image and SQLite's copy at once).
    done.clear()
    vault.open_with_key(template_kek)
    assert done == ["read"]
    vault.close()


def test_a_derivation_that_fails_lets_the_lock_go(vault_dir, template_kek):
    vault = Vault(vault_dir)

    def derived() -> bytes:
        raise MemoryError("no room for Argon2id")

    with pytest.raises(MemoryError):
        vault.prepare_open(derived)
    assert not vault.is_open
    other = Vault(vault_dir)
    other.open_with_key(template_kek)
    other.close()


@pytest.mark.parametrize("keep", [HEADER_LEN - 1, HEADER_LEN + 10, -1])
def test_a_damaged_file_read_ahead_of_the_key_is_still_called_damaged(open_vault, template_kek, keep):
    """The image's memory is set aside from the header before the key is known: a file
    cut there gets no room, and every cut file the same sentence as with the key given."""
    open_vault.close()
    path = open_vault.path
    raw = path.read_bytes()
    path.write_bytes(raw[:keep])
    with pytest.raises(VaultDamagedError) as given:
        Vault(open_vault.folder).prepare_open(template_kek)
    with pytest.raises(VaultDamagedError) as waited:
        Vault(open_vault.folder).prepare_open(lambda: template_kek)
    assert str(waited.value) == str(given.value)
    if keep != -1:  # cut inside the image: no room made for it
        assert vault_mod._image_room(raw[:keep]) is None


def test_every_failure_while_the_key_is_derived_lets_the_lock_go(vault_dir, template_kek, monkeypatch):
    vault = Vault(vault_dir)
    with pytest.raises(WrongPassphraseError):
        vault.prepare_open(lambda: bytes(32))
    other = Vault(vault_dir)
    other.acquire_lock()  # free again
    other.release_lock()

    def unreadable(self):
        raise OSError(errno.EIO, "Input/output error")

    monkeypatch.setattr(Vault, "read_file", unreadable)
    with pytest.raises(OSError):
        vault.prepare_open(lambda: template_kek)
    assert not vault.is_open
    other = Vault(vault_dir)
    other.acquire_lock()
    other.release_lock()


def test_room_in_sqlite_is_made_only_for_an_image_it_can_help(vault_dir, template_kek, monkeypatch):
    """Above ROOM_AT_MOST glibc maps the worker's copy afresh whatever it is told: the
    room would only add to the peak."""
    made = []
    monkeypatch.setattr(vault_mod, "_make_room_in_sqlite", lambda image: made.append(len(image)))
    vault = Vault(vault_dir)
    vault.finish_open(vault.prepare_open(lambda: template_kek))
    size = vault.header.payload_len - 16
    vault.close()
    monkeypatch.setattr(vault_mod, "ROOM_AT_MOST", size - 1)
    vault.finish_open(vault.prepare_open(lambda: template_kek))
    vault.close()
    assert made == [size]
    # The room itself: any zeroed (or other) buffer, taken and let go without a fault.
    monkeypatch.undo()
    vault_mod._make_room_in_sqlite(bytearray(size))
    vault_mod._make_room_in_sqlite(bytearray(b"not a database" * 1000))


def test_closing_gives_freed_memory_back_once_the_database_is_gone(open_vault, monkeypatch):
    """glibc keeps freed blocks once told to reuse them (reuse_large_buffers): the
    decrypted image and SQLite's copy would stay readable in the process after a
    lock. Measured on the large vault: 1,427 copies of a site name's start left after
    closing before this, 2 to 20 after."""
    seen = []
    monkeypatch.setattr(vault_mod, "give_back_freed_memory",
                        lambda: seen.append((open_vault.is_open, models.database.obj)))
    open_vault.close(keep_lock=True)
    assert seen == [(False, None)]


def test_a_vault_open_elsewhere_is_known_without_taking_anything(vault_dir, tmp_path):
    vault = Vault(vault_dir)
    assert vault.open_elsewhere() is None
    holder = Vault(vault_dir)
    holder.acquire_lock()
    refusal = vault.open_elsewhere()
    assert isinstance(refusal, VaultLockedError) and f"pid {os.getpid()}" in str(refusal)
    assert holder.open_elsewhere() is None  # its own lock is not "elsewhere"
    holder.release_lock()
    assert vault.open_elsewhere() is None
    vault.acquire_lock()  # the probe left nothing held
    vault.release_lock()
    nowhere = Vault(tmp_path / "not yet made")
    assert nowhere.open_elsewhere() is None and not nowhere.folder.exists()


def test_a_closed_database_is_not_silently_replaced_by_an_empty_one(open_vault):
    """An in-memory database exists only in its connection: peewee reconnecting after
    a close must be an error, not a fresh empty database."""
    add_site("Alder House")
    db = models.database.obj
    db.close()
    with pytest.raises(vault_mod.VaultError, match="closed"):
        db.connect()


def test_a_wrong_key_at_the_idle_lock_keeps_the_vault_ours(open_vault, template_kek):
    """The idle lock keeps the writer lock while it asks for the passphrase again; a
    wrong passphrase there must not hand the vault to another sitecare."""
    open_vault.close(keep_lock=True)
    with pytest.raises(WrongPassphraseError):
        open_vault.prepare_open(bytes(32))
    with pytest.raises(VaultLockedError):
        Vault(open_vault.folder).acquire_lock()
    open_vault.open_with_key(template_kek)  # the right one still opens it, writable
    assert not open_vault.readonly


@pytest.mark.filterwarnings("error::pytest.PytestUnhandledThreadExceptionWarning")
def test_page_hashing_that_fails_at_open_costs_nothing(vault_dir, template_kek, monkeypatch, capfd):
    """Without the digests worked out at open, the first save reads the file back."""
    saved_with_a_site(vault_dir, template_kek)

    real = vault_mod.page_digests
    calls = []

    def failing_once(image, size):
        calls.append(size)
        if len(calls) == 1:
            raise MemoryError
        return real(image, size)

    monkeypatch.setattr(vault_mod, "page_digests", failing_once)
    vault = Vault(vault_dir)
    vault.open_with_key(template_kek)
    assert "Traceback" not in capfd.readouterr().err
    add_site("Birch House")
    vault.save()
    assert vault.last_save == "append"
    vault.close()
    again = reopen(vault_dir, template_kek)
    assert site_names() == ["Alder House", "Birch House"]
    again.close()
