"""The vault's journal: ordinary saves append one encrypted record of changed pages to the
vault file; loading replays them; full saves (compaction) start a new file.

Each test builds the journal through the real save path, then reads, cuts, flips,
reorders or splices the file's bytes as a crash, a disk or another device would."""

from __future__ import annotations

import os
import shutil
from dataclasses import replace

import pytest
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from sitecare.data import models, vault as vault_mod
from sitecare.data.models import Site, change
from sitecare.data.vault import (
    HEADER_LEN,
    Vault,
    VaultChangedError,
    VaultDamagedError,
    base_end,
    changed_pages,
    page_digests,
    decrypt_bytes,
    parse_header,
)

from support import journal_records, reopen


def add_site(name: str) -> None:
    with change():
        Site.create(name=name)


def names_in(image: bytes, *names: str) -> list[str]:
    return [name for name in names if name.encode() in image]


def site_names() -> list[str]:
    return sorted(s.name for s in Site.select())


def three_appends(vault: Vault) -> bytes:
    for name in ("Journal Alpha", "Journal Bravo", "Journal Charlie"):
        add_site(name)
        assert vault.last_save == "append"
    return vault.path.read_bytes()


def rebuilt(raw: bytes, order: list[int]) -> bytes:
    """The file's base followed by its records in `order` (indexes into its records)."""
    records = journal_records(raw)
    start = base_end(parse_header(raw))
    return raw[:start] + b"".join(raw[records[i].offset : records[i].offset + records[i].length] for i in order)


# -- append and replay ---------------------------------------------------------------


def test_records_append_and_replay_to_the_image_in_memory(open_vault, template_kek):
    base = open_vault.path.read_bytes()
    raw = three_appends(open_vault)
    # The base is untouched; three records follow it, each a whole number of blocks.
    assert raw.startswith(base)
    records = journal_records(raw)
    assert [r.seq for r in records] == [1, 2, 3]
    assert all(r.offset % vault_mod.ALIGN == 0 and r.length % vault_mod.ALIGN == 0 for r in records)
    # Replaying gives exactly the database in memory, byte for byte.
    _, image = open_vault.serialize()
    assert decrypt_bytes(raw, template_kek)[2] == image
    # Without the records, the base alone holds none of the three.
    assert names_in(decrypt_bytes(base, template_kek)[2], "Journal Alpha") == []
    # A read-only instance sees them, and leaves the file as it is.
    reader = Vault(open_vault.folder)
    reader.open_with_key(template_kek, readonly=True)
    assert {"Journal Alpha", "Journal Bravo", "Journal Charlie"} <= set(site_names())
    assert not reader.cut_off_save
    reader.close()
    assert open_vault.path.read_bytes() == raw


def test_a_writable_open_folds_the_journal_into_a_full_save(open_vault, template_kek):
    raw = three_appends(open_vault)
    generation = open_vault.generation
    folder = open_vault.folder
    open_vault.close()
    again = reopen(folder, template_kek)
    try:
        after = again.path.read_bytes()
        assert journal_records(after) == []
        assert parse_header(after).generation == generation + 1
        assert {"Journal Alpha", "Journal Bravo", "Journal Charlie"} <= set(site_names())
        # The file with the journal is the newest backup, as it was.
        assert again.backups()[0].read_bytes() == raw
    finally:
        again.close()


def test_a_save_that_changes_nothing_writes_nothing(open_vault):
    add_site("once")
    raw = open_vault.path.read_bytes()
    open_vault.save()
    assert open_vault.last_save == "none"
    assert open_vault.path.read_bytes() == raw


def test_an_older_image_from_a_slow_worker_is_never_written_over_a_newer_one(open_vault, template_kek):
    models.clear_commit_listeners()
    add_site("first")
    first = open_vault.serialize()
    add_site("second")
    second = open_vault.serialize()
    assert open_vault.write_image(*second) is True
    assert open_vault.write_image(*first) is False
    image = decrypt_bytes(open_vault.path.read_bytes(), template_kek)[2]
    assert image == second[1]


def test_changed_pages_finds_every_changed_page_and_growth():
    size = 4096
    old = bytes(range(256)) * (size // 256) * 200
    saved = page_digests(old, size)
    new = bytearray(old)
    for page in (0, 63, 64, 65, 130, 199):
        new[page * size + 17] ^= 1
    assert changed_pages(saved, bytes(new))[0] == [0, 63, 64, 65, 130, 199]
    assert changed_pages(saved, old + bytes(3 * size))[0] == [200, 201, 202]
    assert changed_pages(saved, old[: 150 * size])[0] == []
    assert changed_pages(saved, old)[0] == []
    # What it returns is what the save after compares with.
    assert changed_pages(saved, bytes(new))[1] == page_digests(bytes(new), size)


# -- growing and shrinking -------------------------------------------------------------


def test_growing_and_shrinking_images_replay_exactly(open_vault, template_kek, monkeypatch):
    # No bound on the journal's size, so even a vacuum's rewrite is a record.
    monkeypatch.setattr(vault_mod, "JOURNAL_MAX_FRACTION", 0)
    start = len(open_vault.serialize()[1])
    with change():
        Site.insert_many([dict(name=f"bulk {i:05d}", address="y" * 300) for i in range(3000)]).execute()
    assert open_vault.last_save == "append"
    _, grown = open_vault.serialize()
    assert len(grown) > start + 100 * 4096
    assert decrypt_bytes(open_vault.path.read_bytes(), template_kek)[2] == grown
    with change():
        Site.delete().where(Site.name.startswith("bulk ")).execute()
    models.database.execute_sql("VACUUM")  # as a disposal does, outside any transaction
    open_vault.save()
    assert open_vault.last_save == "append"
    _, shrunk = open_vault.serialize()
    assert len(shrunk) < len(grown) // 4
    raw = open_vault.path.read_bytes()
    assert len(journal_records(raw)) == 3
    assert decrypt_bytes(raw, template_kek)[2] == shrunk
    folder = open_vault.folder
    open_vault.close()
    again = reopen(folder, template_kek)
    try:
        assert not Site.select().where(Site.name.startswith("bulk ")).exists()
    finally:
        again.close()


# -- compaction --------------------------------------------------------------------------


def test_the_record_bound_makes_the_next_save_a_full_one(open_vault, template_kek, monkeypatch):
    monkeypatch.setattr(vault_mod, "JOURNAL_MAX_RECORDS", 3)
    monkeypatch.setattr(vault_mod, "JOURNAL_MAX_FRACTION", 0)  # only the record bound
    generation = open_vault.generation
    kinds = []
    for index in range(8):
        add_site(f"bounded {index}")
        kinds.append(open_vault.last_save)
    assert kinds == ["append"] * 3 + ["full"] + ["append"] * 3 + ["full"]
    assert open_vault.generation == generation + 2
    assert journal_records(open_vault.path.read_bytes()) == []
    # Each full save kept the file it replaced, records and all.
    assert [len(journal_records(b.read_bytes())) for b in open_vault.backups()] == [3, 3]
    image = decrypt_bytes(open_vault.path.read_bytes(), template_kek)[2]
    assert len(names_in(image, *(f"bounded {i}" for i in range(8)))) == 8


def test_the_journal_never_passes_a_quarter_of_the_image(open_vault, monkeypatch):
    monkeypatch.setattr(vault_mod, "JOURNAL_MAX_RECORDS", 10_000)  # only the size bound
    kinds = []
    for index in range(40):
        with change():
            Site.create(name=f"sized {index}", address="z" * 3000)
        kinds.append(open_vault.last_save)
        raw = open_vault.path.read_bytes()
        journal = len(raw) - base_end(parse_header(raw))
        assert journal * vault_mod.JOURNAL_MAX_FRACTION <= len(open_vault.serialize()[1])
    assert "full" in kinds and kinds.count("append") > kinds.count("full")


# -- cut off, damaged, reordered, spliced --------------------------------------------------


def test_an_opening_that_changes_nothing_writes_nothing(open_vault, template_kek):
    # A writable open used to bump SQLite's change counter (the schema check ran a
    # write transaction): every session then saved a record, and every other opening
    # a full save that moved the oldest backup out.
    add_site("Journal Alpha")
    open_vault.save(full=True)
    folder = open_vault.folder
    open_vault.close()
    raw = (folder / "sitecare.vault").read_bytes()
    for _ in range(3):
        again = reopen(folder, template_kek)
        try:
            assert again.serialize()[1] == decrypt_bytes(raw, template_kek)[2]
            again.save()
            assert again.last_save == "none"
        finally:
            again.close()
        assert (folder / "sitecare.vault").read_bytes() == raw


def test_the_app_leaves_the_tidy_up_to_the_next_save(open_vault, template_kek):
    # The unlock screen opens with tidy_later: the full save that folds the journal in
    # is written by the next save (the app's save worker), not before home appears.
    raw = three_appends(open_vault)
    generation = open_vault.generation
    folder = open_vault.folder
    open_vault.close()
    again = Vault(folder)
    again.open_with_key(template_kek, tidy_later=True)
    try:
        assert again.tidy_due
        assert again.path.read_bytes() == raw  # nothing written at open
        models.clear_commit_listeners()
        models.on_commit(again.save)
        add_site("after the unlock")  # whichever save comes next is the full one
        assert again.last_save != "append"
        after = again.path.read_bytes()
        assert journal_records(after) == []
        assert parse_header(after).generation == generation + 1
        assert again.backups()[0].read_bytes() == raw
    finally:
        models.clear_commit_listeners()
        again.close()


def test_a_torn_tail_is_tidied_at_open_even_when_the_app_would_leave_it(open_vault, template_kek):
    raw = three_appends(open_vault)
    last = journal_records(raw)[-1]
    folder = open_vault.folder
    open_vault.close()
    (folder / "sitecare.vault").write_bytes(raw[: last.offset + 3000])
    again = Vault(folder)
    again.open_with_key(template_kek, tidy_later=True)
    try:
        assert not again.tidy_due
        assert journal_records(again.path.read_bytes()) == []  # written whole at open, as before
    finally:
        again.close()


def test_a_torn_last_record_is_dropped(open_vault, template_kek):
    raw = three_appends(open_vault)
    last = journal_records(raw)[-1]
    two = decrypt_bytes(raw[: last.offset], template_kek)[2]
    assert names_in(two, "Journal Bravo", "Journal Charlie") == ["Journal Bravo"]
    cuts = {1, 5, 23, 24, 25, 100, 4095, 4096, 4097, last.length - 17, last.length - 16, last.length - 1}
    for cut in sorted(c for c in cuts if 0 < c < last.length):
        torn = raw[: last.offset + cut]
        assert decrypt_bytes(torn, template_kek)[2] == two, cut
        # A crash that leaves the file long enough but the new blocks blank, as some
        # file systems do, is the same unfinished save.
        blank = torn + bytes(last.length - cut)
        assert decrypt_bytes(blank, template_kek)[2] == two, cut


def test_a_torn_tail_is_cut_off_before_the_next_append(open_vault, template_kek, monkeypatch):
    raw = three_appends(open_vault)
    last = journal_records(raw)[-1]
    folder = open_vault.folder
    open_vault.close()
    (folder / "sitecare.vault").write_bytes(raw[: last.offset + 3000])

    # The tidy-up full save at open fails (the disk is full): the open still works and
    # the cut-off record is removed, so the next record follows the last good one.
    def full(*args, **kwargs):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(vault_mod.fs, "replace", full)
    vault = reopen(folder, template_kek)
    monkeypatch.undo()
    try:
        assert "Journal Charlie" not in site_names()
        assert vault.cut_off_save
        assert len((folder / "sitecare.vault").read_bytes()) == last.offset
        models.clear_commit_listeners()
        models.on_commit(vault.save)
        add_site("after the crash")
        assert vault.last_save == "append"
        assert [r.seq for r in journal_records((folder / "sitecare.vault").read_bytes())] == [1, 2, 3]
    finally:
        models.clear_commit_listeners()
        vault.close()
    image = decrypt_bytes((folder / "sitecare.vault").read_bytes(), template_kek)[2]
    assert names_in(image, "Journal Bravo", "Journal Charlie", "after the crash") == ["Journal Bravo", "after the crash"]


def test_a_flipped_byte_in_any_record_is_detected(open_vault, template_kek):
    raw = three_appends(open_vault)
    records = journal_records(raw)
    two = decrypt_bytes(raw[: records[-1].offset], template_kek)[2]
    for index, record in enumerate(records):
        last = index == len(records) - 1
        offsets = set(range(0, 40)) | set(range(40, record.length, 211)) | set(range(record.length - 16, record.length))
        for offset in sorted(offsets):
            flipped = bytearray(raw)
            flipped[record.offset + offset] ^= 0x04
            if not last:
                with pytest.raises(VaultDamagedError):
                    decrypt_bytes(bytes(flipped), template_kek)
            else:
                # The last record: refused as damage, or dropped (damage, said so);
                # never applied.
                try:
                    image = decrypt_bytes(bytes(flipped), template_kek)[2]
                except VaultDamagedError:
                    continue
                assert image == two, offset


def test_a_whole_last_record_that_fails_is_damage_and_a_cut_off_one_is_not(open_vault, template_kek):
    """A flipped byte in a last record that is all there was taken for a save cut off by
    a crash ("had not finished saving"); it is damage. Cut short or with blocks never
    written, it is the cut-off save it always was. Neither is ever applied."""
    raw = three_appends(open_vault)
    last = journal_records(raw)[-1]
    two = decrypt_bytes(raw[: last.offset], template_kek)[2]

    def opened(data: bytes):
        return vault_mod._decrypt_file(data, template_kek)

    assert not opened(raw).torn and not opened(raw).damaged
    # Every field: marker, sequence number, length (low and high bits), nonce, body, tag.
    for offset in (0, 3, 4, 7, 8, 9, 10, 11, 12, 23, 24, 500, 4095, 4096, last.length - 17, last.length - 1):
        for bit in (0x01, 0x10, 0x80):
            flipped = bytearray(raw)
            flipped[last.offset + offset] ^= bit
            try:
                found = opened(bytes(flipped))
            except VaultDamagedError:
                continue  # its length now ends it before the file does: refused, as before
            assert found.damaged and found.torn, (offset, bit)
            assert bytes(found.image) == two, (offset, bit)
            assert found.end == last.offset and found.records == last.seq - 1
    cuts = {1, 23, 24, 100, 4095, 4096, 4097, last.length - 16, last.length - 1}
    for cut in sorted(c for c in cuts if 0 < c < last.length):
        torn = raw[: last.offset + cut]
        # Cut short, or its blocks left blank (a write stops at a block or sector, and
        # blank means at least a tag's length of zeros: one zero byte is a changed byte).
        for data in (torn, torn + bytes(last.length - cut)) if last.length - cut >= 16 else (torn,):
            found = opened(data)
            assert found.torn and not found.damaged, cut
            assert bytes(found.image) == two, cut
    # One blank sector inside a record that is otherwise all there: a block not reached.
    blank = bytearray(raw)
    blank[last.offset + 1024 : last.offset + 1536] = bytes(512)
    found = opened(bytes(blank))
    assert found.torn and not found.damaged


def test_a_flip_in_the_padding_after_the_base_is_damage(open_vault, template_kek):
    raw = open_vault.path.read_bytes()
    header = parse_header(raw)
    padding = base_end(header) - HEADER_LEN - header.payload_len
    assert padding > 0
    flipped = bytearray(raw)
    flipped[-1] ^= 1
    with pytest.raises(VaultDamagedError, match="padding"):
        decrypt_bytes(bytes(flipped), template_kek)


def test_reordered_and_replayed_records_are_refused(open_vault, template_kek):
    raw = three_appends(open_vault)
    for order in ([1, 0, 2], [0, 2, 1], [0, 0, 1, 2], [0, 1, 1, 2], [0, 1, 2, 0], [0, 1, 2, 2], [1, 2]):
        with pytest.raises(VaultDamagedError, match="out of order|integrity"):
            decrypt_bytes(rebuilt(raw, order), template_kek)
    # A record dropped from the middle leaves the next one out of its place.
    with pytest.raises(VaultDamagedError):
        decrypt_bytes(rebuilt(raw, [0, 2]), template_kek)
    # Dropping the tail is indistinguishable from those saves never having happened: the
    # changed-underneath check (below) is what notices that in a running instance.
    assert decrypt_bytes(rebuilt(raw, [0, 1]), template_kek)[2] == decrypt_bytes(raw[: journal_records(raw)[2].offset], template_kek)[2]


def test_a_record_from_another_base_is_refused(open_vault, template_kek):
    # The same vault and data key, but two bases: the file before a full save (now a
    # backup) and the file after it. Their records cannot be moved between them.
    add_site("Old Base One")
    add_site("Old Base Two")
    open_vault.save(full=True)
    add_site("New Base One")
    add_site("New Base Two")
    old = open_vault.backups()[0].read_bytes()
    new = open_vault.path.read_bytes()
    old_records, new_records = journal_records(old), journal_records(new)
    start = base_end(parse_header(new))

    def record(raw, r):
        return raw[r.offset : r.offset + r.length]

    # The old base's first record where the new base's first belongs: damage.
    spliced = new[:start] + record(old, old_records[0]) + record(new, new_records[1])
    with pytest.raises(VaultDamagedError):
        decrypt_bytes(spliced, template_kek)
    # As the last record it is never applied.
    spliced = new[:start] + record(new, new_records[0]) + record(old, old_records[1])
    assert decrypt_bytes(spliced, template_kek)[2] == decrypt_bytes(new[: new_records[1].offset], template_kek)[2]


def test_a_record_from_another_vault_is_refused(open_vault, template_kek, tmp_path):
    # Another vault opened with the same passphrase key: its own vault id and data key.
    other = Vault(tmp_path / "other")
    other.create_with_key(template_kek, os.urandom(16))
    models.clear_commit_listeners()
    models.on_commit(other.save)
    add_site("Other Vault Site")
    foreign = other.path.read_bytes()
    other.close()
    (foreign_record,) = journal_records(foreign)
    models.clear_commit_listeners()
    mine = Vault(open_vault.folder)  # the fixture's vault, reopened: its database is current again
    open_vault.close()
    mine.open_with_key(template_kek)
    models.on_commit(mine.save)
    try:
        add_site("My Site One")
        add_site("My Site Two")
        raw = mine.path.read_bytes()
    finally:
        models.clear_commit_listeners()
        mine.close()
    records = journal_records(raw)
    start = base_end(parse_header(raw))
    piece = foreign[foreign_record.offset : foreign_record.offset + foreign_record.length]
    with pytest.raises(VaultDamagedError):
        decrypt_bytes(raw[:start] + piece + raw[records[1].offset :], template_kek)
    image = decrypt_bytes(raw[: records[1].offset] + piece, template_kek)[2]
    assert names_in(image, "My Site One", "Other Vault Site") == ["My Site One"]


# -- another device, another program ------------------------------------------------------


def _their_record(vault: Vault, head: bytes, seq: int, image: bytes, pages: list[int]) -> bytes:
    """A record as another device holding the same data key would write it: `image` with
    one byte of its last listed page changed."""
    size = vault_mod.page_size_of(image)
    altered = bytearray(image)
    altered[pages[-1] * size + size - 1] ^= 1
    key = vault_mod.journal_key(vault._data_key, head)
    return vault_mod.journal_record(key, head, seq, bytes(altered), size, pages)


def test_records_appended_elsewhere_are_not_overwritten(open_vault, template_kek):
    add_site("mine before")
    raw = open_vault.path.read_bytes()
    image = open_vault.serialize()[1]
    last_page = len(image) // vault_mod.page_size_of(image) - 1
    # Another device with a synced copy appends its own change; the sync service puts
    # its file in place of ours.
    theirs = raw + _their_record(open_vault, raw[:HEADER_LEN], 2, image, [last_page])
    assert len(journal_records(theirs)) == 2
    decrypt_bytes(theirs, template_kek)  # a whole, valid vault file
    open_vault.path.write_bytes(theirs)
    with pytest.raises(VaultChangedError, match="another device"):
        add_site("would clobber theirs")
    assert open_vault.path.read_bytes() == theirs
    assert "would clobber theirs" in site_names()


def test_the_same_generation_saved_elsewhere_is_noticed(open_vault):
    """Another device appends a record of the same size onto the same base: the header,
    the generation and the length all match; the last record's tag does not."""
    add_site("Same Size Base")
    before = open_vault.serialize()[1]
    add_site("Mine Same Size")
    mine = open_vault.path.read_bytes()
    after = open_vault.serialize()[1]
    pages = changed_pages(page_digests(before, vault_mod.page_size_of(before)), after)[0]
    record = _their_record(open_vault, mine[:HEADER_LEN], 2, after, pages)
    theirs = mine[: journal_records(mine)[-1].offset] + record
    assert len(theirs) == len(mine) and theirs != mine
    open_vault.path.write_bytes(theirs)
    with pytest.raises(VaultChangedError, match="another device"):
        add_site("would clobber theirs too")
    assert open_vault.path.read_bytes() == theirs


def test_a_backup_link_left_by_a_cut_off_full_save_is_broken_at_open(open_vault, template_kek):
    add_site("before the cut")
    open_vault.save(full=True)  # no records: only the second name calls for a full save
    header = parse_header(open_vault.path.read_bytes())
    folder = open_vault.folder
    open_vault.close()
    # A full save cut off between hard-linking the file into backups/ and renaming the
    # new one over it: the live file has two names.
    (folder / "backups").mkdir(exist_ok=True)
    link = folder / "backups" / f"sitecare-g{header.generation:010d}.vault"
    os.link(folder / "sitecare.vault", link)
    models.clear_commit_listeners()
    vault = reopen(folder, template_kek)
    try:
        live = folder / "sitecare.vault"
        assert live.stat().st_nlink == 1 and link.stat().st_nlink == 1
        models.on_commit(vault.save)
        kept = link.read_bytes()
        add_site("after the cut")
        # Appending to the live file leaves the backup as it was.
        assert vault.last_save == "append"
        assert link.read_bytes() == kept
    finally:
        models.clear_commit_listeners()
        vault.close()


def test_a_file_with_a_second_name_is_never_appended_to(open_vault):
    add_site("one")
    header = parse_header(open_vault.path.read_bytes())
    # Another name for the live file appears while it is open (as a cut-off full save
    # of another instance, or a user's own hard link, would make).
    (open_vault.folder / "backups").mkdir(exist_ok=True)
    link = open_vault.folder / "backups" / f"sitecare-g{header.generation:010d}.vault"
    os.link(open_vault.path, link)
    kept = link.read_bytes()
    add_site("two")
    assert open_vault.last_save == "full"
    assert link.read_bytes() == kept and open_vault.path.stat().st_nlink == 1


# -- the format before the journal -------------------------------------------------------


def _as_version_1(raw: bytes, kek: bytes) -> bytes:
    """The same vault written as sitecare wrote it before the journal: version 1, no
    padding, no records."""
    header, data_key, image = decrypt_bytes(raw, kek)
    header = replace(header, version=1, wrap_nonce=os.urandom(12))
    wrapped = AESGCM(kek).encrypt(header.wrap_nonce, data_key, header.body()[: vault_mod._WRAP_AD_LEN])
    header = replace(header, wrapped_key=wrapped, payload_nonce=os.urandom(12), payload_len=len(image) + 16)
    head = header.pack()
    return head + AESGCM(data_key).encrypt(header.payload_nonce, bytes(image), head)


def test_a_version_1_vault_is_read_and_rewritten_as_version_2(open_vault, template_kek):
    add_site("from version 1")
    folder = open_vault.folder
    open_vault.close()
    old = _as_version_1((folder / "sitecare.vault").read_bytes(), template_kek)
    (folder / "sitecare.vault").write_bytes(old)
    # Version 1 files have no padding: one byte more is damage, as before.
    with pytest.raises(VaultDamagedError, match="longer"):
        decrypt_bytes(old + b"\0", template_kek)
    reader = Vault(folder)
    reader.open_with_key(template_kek, readonly=True)
    assert "from version 1" in site_names()
    reader.close()
    assert (folder / "sitecare.vault").read_bytes() == old
    models.clear_commit_listeners()
    vault = reopen(folder, template_kek)
    try:
        models.on_commit(vault.save)
        assert parse_header(vault.path.read_bytes()).version == 2
        assert vault.backups()[0].read_bytes() == old
        add_site("in version 2")
        assert vault.last_save == "append"
    finally:
        models.clear_commit_listeners()
        vault.close()
    # The data key was rewrapped for the new header: the same passphrase key opens it.
    again = reopen(folder, template_kek)
    try:
        assert {"from version 1", "in version 2"} <= set(site_names())
    finally:
        again.close()


def test_an_open_vault_keeps_no_second_copy_of_its_database(open_vault, template_kek):
    """Saves compare page digests, not a copy of the last saved image: that copy was a
    whole database's worth of memory more for as long as the vault was open."""
    for name in ("Alder House", "Birch House"):
        add_site(name)
    assert open_vault.last_save == "append"
    image = open_vault.serialize()[1]
    held = [name for name, value in vars(open_vault).items()
            if isinstance(value, (bytes, bytearray, memoryview)) and len(value) >= len(image) // 2]
    assert held == []
    open_vault.close()
    again = reopen(open_vault.folder, template_kek)
    assert sorted(s.name for s in models.Site.select()) == ["Alder House", "Birch House"]
    again.close()
