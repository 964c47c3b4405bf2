"""The encrypted vault: one file holding the whole database, plus encrypted blobs.

Byte layout and the reasoning behind it: docs/vault-format.md. In short: the SQLite
database lives only in memory; on disk it is AES-256-GCM ciphertext under a random
data key, which is itself wrapped by an Argon2id key from the passphrase. The header
is the AEAD's associated data and carries its own SHA-256 checksum, so a damaged file
and a wrong passphrase are told apart.

Saves are incremental: a *full save* writes the whole encrypted image as a new file
(a new generation, the old file kept as a backup); an ordinary save appends one
encrypted *journal record* to the end of the same file, holding only the SQLite pages
that changed since the last save. Loading decrypts the base image and applies the
records in order. When the records pass a bound, the next save is a full save again.

Threads: key derivation (`derive_key`), the slow half of opening (`prepare_open`) and
file work on bytes (`decrypt_file`, `write_image`) are safe in a worker; everything
that touches the database through peewee (`finish_open`, `load`, `serialize`) must stay
on the thread that binds it: peewee keeps one connection per thread, and another
thread asking for one is refused ("the vault's database was closed").

peewee, the schema and the migrations are imported on first use: the unlock screen
needs none of them, and the app imports them while the key is derived.
"""

from __future__ import annotations

import errno
import fcntl
import functools
import hashlib
import os
import secrets
import socket
import sqlite3
import struct
import threading
import time
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime
from pathlib import Path

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.argon2 import Argon2id
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from ..rules.passphrase import MIN_LENGTH as MIN_PASSPHRASE
from .commits import suspended_commit_hooks as _no_commit_hooks

VAULT_NAME = "sitecare.vault"
LOCK_NAME = "sitecare.lock"
BACKUP_DIR = "backups"
BLOB_DIR = "blobs"
DRAFT_DIR = "drafts"
BACKUPS_KEPT = 5
REKEY_SUFFIX = ".rekey"
#: Why a copy of the vault file was set aside beside it, as its name says
#: ("sitecare-<why>-<when>.vault"): a restore replaced it, this device saved over
#: another device's (or program's) changes, or its last change was found damaged.
SET_ASIDE = ("replaced", "other-device", "damaged")
TMP_SUFFIX = ".tmp"

MAGIC = b"SITECARE"
# Version 2 files may carry journal records after the base image; version 1 files (from
# before the journal) are still read, and are rewritten as version 2 on a writable open.
# A sitecare that knows only version 1 refuses a version 2 file ("update sitecare")
# instead of silently ignoring the records at its end.
FORMAT_VERSION = 2
READABLE_VERSIONS = (1, 2)
KDF_ARGON2ID = 1

# The base image is padded to, and every journal record is, a multiple of this size, so
# an append only ever writes whole new blocks and never rewrites a block holding bytes
# already saved.
ALIGN = 4096
# The next save is a full save once the journal would hold more records than this, or
# more bytes than a quarter of the image (the bound on load time and on how far the
# newest backup can lag behind). Module-level so tests can lower them.
JOURNAL_MAX_RECORDS = 64
JOURNAL_MAX_FRACTION = 4

# RFC 9106's second recommended option; about 0.1 s here.
DEFAULT_KDF = (3, 65536, 4)  # iterations, memory KiB, lanes
# A file asking for less is a downgrade; more is a denial of service. Both are refused
# before any derivation is attempted.
KDF_FLOOR = (3, 65536, 1)
KDF_CEILING = (16, 1024 * 1024, 16)


# magic, version, kdf id, t, m, p, salt, vault id, key id, generation, saved at,
# wrap nonce, wrapped data key, payload nonce, payload length
_HEADER_BODY = struct.Struct(">8sHBIII16s16s8sQq12s48s12sQ")
_CHECKSUM_LEN = 32
HEADER_LEN = _HEADER_BODY.size + _CHECKSUM_LEN
# The data key is wrapped with everything up to (not including) the generation as
# associated data: the wrap stays valid across saves and changes only with the key.
_WRAP_AD_LEN = struct.calcsize(">8sHBIII16s16s8s")

# Journal record: marker, sequence number (1, 2, ... after each full save), body length
# (ciphertext + tag), nonce; then the body. The plaintext starts with the new image
# length, the page size and the number of pages, then the page numbers (0-based), the
# pages, and zero padding that makes the whole record a multiple of ALIGN.
_REC_MARK = b"SCJ1"
_REC_HEAD = struct.Struct(">4sII12s")
_REC_PLAIN = struct.Struct(">QII")
_JOURNAL_INFO = b"sitecare journal v1"

_BLOB_MAGIC = b"SCBLOB01"
_BLOB_HEADER = struct.Struct(">8s16s8s32s32s12s")  # magic, vault id, key id, name hash, salt, nonce


class VaultError(Exception):
    """Base: every message is one sentence fit to show a person, saying what to do."""


class VaultMissingError(VaultError):
    pass


class VaultDamagedError(VaultError):
    pass


class BackupsInTheWayError(VaultError):
    """A new vault refused in a folder holding another vault's backups: its own backups
    would take their names and its pruning would delete them."""


class WrongPassphraseError(VaultError):
    pass


class KdfRefusedError(VaultDamagedError):
    pass


class VaultLockedError(VaultError):
    def __init__(self, message: str, holder: str = ""):
        super().__init__(message)
        self.holder = holder


_LOCKED = "This vault is already open in another sitecare"
_LOCKED_ADVICE = ": close that one, or open this one read-only."


class VaultChangedError(VaultError):
    """The vault file is not the one this sitecare last wrote: the app offers to save
    over it (Vault.save_over_changed_file), the file set aside first."""


_CHOOSE = "press ctrl+s to choose what to do with your changes, which are kept in memory."
_CHANGED_UNDERNEATH = (
    f"The vault file was changed by another device or program since sitecare opened it, so sitecare has "
    f"not saved over it: {_CHOOSE}"
)


class VaultSaveError(VaultError):
    pass


class ReadOnlyError(VaultError):
    pass


class BlobError(VaultError):
    pass


@dataclass(frozen=True)
class Header:
    version: int
    kdf_id: int
    iterations: int
    memory_kib: int
    lanes: int
    salt: bytes
    vault_id: bytes
    key_id: bytes
    generation: int
    saved_at: int
    wrap_nonce: bytes
    wrapped_key: bytes
    payload_nonce: bytes
    payload_len: int

    @property
    def kdf(self) -> tuple[int, int, int]:
        return (self.iterations, self.memory_kib, self.lanes)

    def body(self) -> bytes:
        return _HEADER_BODY.pack(
            MAGIC,
            self.version,
            self.kdf_id,
            self.iterations,
            self.memory_kib,
            self.lanes,
            self.salt,
            self.vault_id,
            self.key_id,
            self.generation,
            self.saved_at,
            self.wrap_nonce,
            self.wrapped_key,
            self.payload_nonce,
            self.payload_len,
        )

    def pack(self) -> bytes:
        body = self.body()
        return body + hashlib.sha256(body).digest()


class _FS:
    """The file operations a save performs, named so fault-injection tests can fail each."""

    open = staticmethod(os.open)
    write = staticmethod(os.write)
    fsync = staticmethod(os.fsync)
    replace = staticmethod(os.replace)
    link = staticmethod(os.link)


fs = _FS()


def normalise_passphrase(passphrase: str) -> bytes:
    # The same passphrase typed on two keyboards can arrive as different code points.
    return unicodedata.normalize("NFC", passphrase).encode("utf-8")


def check_kdf(params: tuple[int, int, int]) -> None:
    t, m, p = params
    lo_t, lo_m, lo_p = KDF_FLOOR
    hi_t, hi_m, hi_p = KDF_CEILING
    if t < lo_t or m < lo_m or p < lo_p:
        raise KdfRefusedError(
            "This vault asks for weaker key protection than sitecare accepts "
            f"(Argon2id t={t}, m={m} KiB, p={p}), which is how a tampered copy would look: "
            "restore a backup you trust."
        )
    if t > hi_t or m > hi_m or p > hi_p or m < 8 * p:
        raise KdfRefusedError(
            "This vault asks for more key-derivation work than sitecare will do "
            f"(Argon2id t={t}, m={m} KiB, p={p}), so it is damaged or tampered with: "
            "restore a backup you trust."
        )


def derive_key(passphrase: str, salt: bytes, params: tuple[int, int, int]) -> bytes:
    """Argon2id; slow by design, so call it from a worker. Parameters are checked first."""
    check_kdf(params)
    t, m, p = params
    kdf = Argon2id(salt=salt, length=32, iterations=t, lanes=p, memory_cost=m)
    return kdf.derive(normalise_passphrase(passphrase))


def parse_header(raw: bytes, what: str = "The vault file") -> Header:
    if len(raw) < HEADER_LEN:
        raise VaultDamagedError(f"{what} is cut short ({len(raw)} bytes), so it cannot be opened.")
    if raw[:8] != MAGIC:
        raise VaultDamagedError(f"{what} is not a sitecare vault, or its first bytes are damaged.")
    body = raw[: _HEADER_BODY.size]
    if hashlib.sha256(body).digest() != raw[_HEADER_BODY.size : HEADER_LEN]:
        raise VaultDamagedError(f"{what} has a damaged header (its checksum does not match).")
    fields = _HEADER_BODY.unpack(body)
    header = Header(*fields[1:])
    if header.version not in READABLE_VERSIONS:
        raise VaultDamagedError(
            f"{what} uses vault format {header.version}, which this sitecare does not know: update sitecare."
        )
    if header.kdf_id != KDF_ARGON2ID:
        raise VaultDamagedError(f"{what} names an unknown key-derivation method.")
    check_kdf(header.kdf)
    return header


def unwrap_data_key(header: Header, kek: bytes) -> bytes:
    try:
        return AESGCM(kek).decrypt(header.wrap_nonce, header.wrapped_key, header.body()[:_WRAP_AD_LEN])
    except InvalidTag:
        raise WrongPassphraseError("That passphrase does not open this vault; check it and try again.") from None


def _align(offset: int) -> int:
    return -(-offset // ALIGN) * ALIGN


def base_end(header: Header) -> int:
    """Where the base image (header, payload and, from version 2, its zero padding) ends
    and the journal records begin."""
    end = HEADER_LEN + header.payload_len
    return end if header.version == 1 else _align(end)


def journal_key(data_key: bytes, head: bytes) -> bytes:
    """The journal's subkey: HKDF of the data key (as for blobs), salted with the base
    header's checksum, which is new with every full save, so every base has its own."""
    return HKDF(hashes.SHA256(), 32, head[_HEADER_BODY.size : HEADER_LEN], _JOURNAL_INFO).derive(data_key)


@dataclass
class _Opened:
    """A vault file's contents: the image with every journal record applied, and where
    the file's parts end (so the next save can append after them)."""

    header: Header
    head: bytes  # the header's bytes as on disk
    data_key: bytes
    image: bytearray
    base_end: int
    end: int  # end of the last good record
    records: int
    torn: bool  # bytes after `end` were dropped: a save cut off before it returned, or damage (below)
    tail: bytes  # the 16 bytes before `end`, to notice another writer
    #: The dropped last record was all there (every block written, its length the file's)
    #: yet failed its tag: damage, which a write cut off by a crash cannot leave.
    damaged: bool = False


@dataclass(frozen=True)
class DroppedChange:
    """The last change saved to the file, left out at open because its record is whole
    but fails its integrity check: the file was damaged after it was written."""

    written_at: datetime | None  # the file's modification time: its last write, that change
    kept: Path | None  # the damaged file's copy; None on a read-only open (nothing written)

    def message(self) -> str:
        from ..rules.dates import show_datetime  # pure

        when = f" (the file was last written {show_datetime(self.written_at)})" if self.written_at else ""
        what = f"The vault file is damaged: the last change saved to it{when} fails its integrity check, so it is left out"
        if self.kept is None:
            return (f"{what}; open the vault in sitecare (not read-only) to keep a copy of the damaged file and go on "
                    "without that change, then check the record you changed last and enter it again.")
        return (f"{what}; the damaged file is kept as {self.kept}: check the record you changed last and enter "
                "it again, and check the drive or sync service the vault is on (damage like this comes from there).")


@dataclass
class PreparedOpen:
    """A vault read, decrypted and loaded into SQLite by Vault.prepare_open, for
    Vault.finish_open to bind on the thread that will use it."""

    opened: _Opened | None
    connection: sqlite3.Connection
    kek: bytes | None  # to rewrap the data key of an older format
    pages: PageDigests | _Hashing | None  # what the first save compares with
    readonly: bool
    checked: bool = True  # False: SQLite's check is left to Vault.check_database
    dropped: DroppedChange | None = None  # a damaged last record, left out


class _Hashing:
    """Page digests worked out in a thread of their own (hashing lets go of the
    interpreter lock), started at once or, for an opening that leaves SQLite's check
    for later, with that check: started at once they took the interpreter lock from
    the app's thread a few thousand times on its way to the first paint (measured:
    about 8 ms of it on the large vault). The first save waits for them, or works them
    out if they were never started. Without them (a failure), the first save reads
    the file back (Vault._read_back)."""

    def __init__(self, image: bytes, page_size: int, start: bool):
        self._image: bytes | None = image
        self._page_size = page_size
        self._digests: PageDigests | None = None
        self._thread: threading.Thread | None = None
        self._starting = threading.Lock()
        if start:
            self.start()

    def start(self) -> None:
        with self._starting:
            if self._thread is None:
                self._thread = threading.Thread(target=self._run, name="sitecare-page-digests", daemon=True)
                self._thread.start()

    def _run(self) -> None:
        try:
            self._digests = page_digests(self._image, self._page_size)
        except Exception:  # noqa: BLE001 - see the class's note
            pass
        self._image = None  # the image's copy is let go as soon as it is hashed

    def result(self) -> PageDigests | None:
        self.start()
        assert self._thread is not None
        self._thread.join()
        return self._digests


def _checked_connection(image: bytes | None, check: bool = True) -> sqlite3.Connection:
    """A connection to an in-memory database holding `image` (empty for None), checked
    by SQLite unless `check` is False (then Vault.check_database checks it). Made on
    whichever thread opens the vault and then used by the app's thread, and by the
    check's, hence check_same_thread off; peewee's own settings (autocommit, its
    functions) are applied when it adopts the connection (_database_class)."""
    connection = sqlite3.connect(":memory:", isolation_level=None, check_same_thread=False)
    if image is not None:
        # deserialize() only into a fresh connection with no cursor: otherwise SQLite
        # can crash the process (measured).
        try:
            connection.deserialize(image)
        except sqlite3.DatabaseError:
            connection.close()
            raise VaultDamagedError("The vault decrypted but its database is damaged.") from None
    # Without these, sorting spills plaintext to /var/tmp and deleted text stays in
    # the saved image (both measured).
    connection.execute("PRAGMA temp_store = MEMORY")
    connection.execute("PRAGMA secure_delete = ON")
    connection.execute("PRAGMA foreign_keys = ON")
    if image is not None and check:
        try:
            _quick_check(connection)
        except VaultDamagedError:
            connection.close()
            raise
    return connection


def _quick_check(connection: sqlite3.Connection) -> None:
    try:
        result = connection.execute("PRAGMA quick_check").fetchone()[0]
    except sqlite3.DatabaseError:
        result = "unreadable"
    if result != "ok":
        raise VaultDamagedError("The vault decrypted but its database fails SQLite's integrity check.")


@functools.cache
def _database_class():
    """Peewee's SQLite database on a connection made and checked beforehand (made here,
    on first use, so that importing the vault does not import peewee)."""
    from peewee import SqliteDatabase

    class Database(SqliteDatabase):
        def __init__(self, made: sqlite3.Connection):
            super().__init__(":memory:", autoconnect=False)
            self._made: sqlite3.Connection | None = made

        def _connect(self) -> sqlite3.Connection:
            made, self._made = self._made, None
            if made is None:
                # An in-memory database lives only in its one connection: once closed, it is gone.
                raise VaultError("The vault's database was closed; unlock the vault again.")
            self._add_conn_hooks(made)
            return made

    return Database


def _image_room(raw: bytes) -> bytearray | None:
    """A zeroed buffer the size of the image `raw` holds, for _decrypt_file to decrypt
    into (bytearray(n) writes every page as it makes it); None when the header or
    the length is wrong, which _decrypt_file then reports."""
    try:
        header = parse_header(raw)
    except VaultError:
        return None
    if header.payload_len < 16 or HEADER_LEN + header.payload_len > len(raw):
        return None
    return bytearray(header.payload_len - 16)


#: The largest image _make_room_in_sqlite makes room for (see there).
ROOM_AT_MOST = 32 * 2**20


def _make_room_in_sqlite(image: bytearray) -> None:
    """Have SQLite take and let go of memory the size of `image` (still zeroed): once
    reuse_large_buffers has run, glibc keeps it, and the copy deserialize makes of the
    real image then lands in pages already written to. Measured on the large vault,
    deserialize took 7 to 10 ms into fresh memory and 1 to 2 ms into this.

    Only while waiting for the key (prepare_open), which is also the only opening that
    has glibc keep large blocks: with the key given there is no wait to fill, and
    keeping the file's memory once it was let go raised the peak (the file, the image
    and SQLite's copy counted at once: 96 MiB on the large vault, against 89). Not
    above ROOM_AT_MOST: on the worker's thread glibc maps a block of 64 MiB or more
    afresh whatever it is told (found in review: 15,361 page faults for a second
    60 MiB copy, one for 30 MiB), so the room would only add to the peak."""
    scratch = sqlite3.connect(":memory:")
    try:
        scratch.deserialize(image)
    except sqlite3.Error:
        pass
    finally:
        scratch.close()


def _decrypt_file(raw: bytes, kek: bytes | None, what: str = "The vault file", data_key: bytes | None = None,
                  image: bytearray | None = None) -> _Opened:
    header = parse_header(raw, what)
    if data_key is None:
        assert kek is not None
        data_key = unwrap_data_key(header, kek)
    payload_end = HEADER_LEN + header.payload_len
    start = base_end(header)
    if header.version == 1 and len(raw) != payload_end or len(raw) < start:
        expected = payload_end if header.version == 1 else start
        raise VaultDamagedError(
            f"{what} is {'cut short' if len(raw) < expected else 'longer than it should be'} "
            f"({len(raw)} bytes where {expected} were written)."
        )
    view = memoryview(raw)
    if raw.count(0, payload_end, start) != start - payload_end:
        raise VaultDamagedError(f"{what} is damaged: the padding after its contents is not blank.")
    head = bytes(view[:HEADER_LEN])
    aead = AESGCM(data_key)
    try:
        if hasattr(aead, "decrypt_into"):
            # Straight into a mutable buffer: the records are applied in place, with no copy.
            if image is None or len(image) != header.payload_len - 16:
                image = bytearray(header.payload_len - 16)
            aead.decrypt_into(header.payload_nonce, view[HEADER_LEN:payload_end], head, image)
        else:  # pragma: no cover - cryptography < 45
            image = bytearray(aead.decrypt(header.payload_nonce, view[HEADER_LEN:payload_end], head))
    except (InvalidTag, ValueError):
        raise VaultDamagedError(f"{what} is damaged: its contents fail the integrity check.") from None
    opened = _Opened(header, head, data_key, image, start, start, 0, False, bytes(view[start - 16 : start]))
    if len(raw) > start:
        _replay(view, opened, what)
    return opened


def _record_at(view: memoryview, offset: int, head: bytes, key: bytes) -> tuple[int, bytes | None, int] | None:
    """(sequence, plaintext or None if it fails to open, end) of the record at `offset`,
    or None where no record header fits."""
    if len(view) - offset < _REC_HEAD.size:
        return None
    mark, seq, length, nonce = _REC_HEAD.unpack_from(view, offset)
    if mark != _REC_MARK or length < 16 + _REC_PLAIN.size or (_REC_HEAD.size + length) % ALIGN:
        return None
    body = offset + _REC_HEAD.size
    end = body + length
    if end > len(view):
        return seq, None, end
    try:
        plain = AESGCM(key).decrypt(nonce, view[body:end], head + bytes(view[offset:body]))
    except InvalidTag:
        plain = None
    return seq, plain, end


def _replay(view: memoryview, opened: _Opened, what: str) -> None:
    """Apply the journal records in order. A record that fails at the very end of the
    file is a save that never returned (cut off mid-write): it is dropped. Anything
    else that fails, or a record out of its place, is damage."""
    key = journal_key(opened.data_key, opened.head)
    offset = opened.base_end
    size = len(view)
    while offset < size:
        found = _record_at(view, offset, opened.head, key)
        if found is not None and found[1] is not None:
            seq, plain, end = found
            if seq != opened.records + 1:
                raise VaultDamagedError(
                    f"{what} is damaged: the changes saved since its last full save are out of order "
                    f"(change {seq} where {opened.records + 1} belongs)."
                )
            _apply_record(opened.image, plain, what)
            opened.records = seq
            opened.end = end
            opened.tail = bytes(view[end - 16 : end])
            offset = end
            continue
        # This record does not open. A save cut off mid-write leaves nothing after it:
        # so if its own header says more bytes follow it, or any later record opens,
        # this was not the last save and the file is damaged.
        whole = _whole_but_failing(view, offset, found, opened.head, key)
        later = found is not None and found[2] < size and not whole
        probe = offset + ALIGN
        while not later and probe < size:
            candidate = _record_at(view, probe, opened.head, key)
            later = candidate is not None and candidate[1] is not None
            probe += ALIGN
        if later:
            raise VaultDamagedError(
                f"{what} is damaged: change {opened.records + 1} of those saved since its last full "
                "save fails the integrity check."
            )
        # The last record: dropped, never applied. Cut short or with blocks never
        # written, it is a save a crash cut off; all there, it is damage.
        opened.torn = True
        opened.damaged = whole
        return


# Zeros as long as a tag: what blocks a write never reached read as (some file systems
# extend the file first), and what AES-GCM's output never holds (odds of 2**-128 a place).
_BLANK_RUN = bytes(16)


def _whole_but_failing(view: memoryview, offset: int, found: tuple[int, bytes | None, int] | None,
                       head: bytes, key: bytes) -> bool:
    """Whether the record at `offset`, which fails to open, is all there: the file ends on
    a block boundary past a whole record, no part of it is blank, and its header gives
    that length (or, a damaged length field, it opens with that length). A write cut off
    by a crash leaves the file short of the record's end, or blocks it never reached
    blank (zeros, where ciphertext never has 16 in a row). Such a record failing its tag
    is damage, not an interrupted save."""
    size = len(view)
    region = size - offset
    if region < ALIGN or region % ALIGN:
        return False
    if bytes(view[offset:size]).find(_BLANK_RUN) != -1:
        return False
    if found is None:
        return True  # every block written, yet no record header: the header is damaged
    if found[2] == size:
        return True
    mark, seq, _length, nonce = _REC_HEAD.unpack_from(view, offset)
    rec_head = _REC_HEAD.pack(mark, seq, region - _REC_HEAD.size, nonce)
    try:
        AESGCM(key).decrypt(nonce, view[offset + _REC_HEAD.size : size], head + rec_head)
    except InvalidTag:
        return False  # its header says it is longer: a write cut off at a block boundary
    return True


def _apply_record(image: bytearray, plain: bytes, what: str) -> None:
    new_len, page_size, count = _REC_PLAIN.unpack_from(plain, 0)
    pages_at = _REC_PLAIN.size + 4 * count
    old_len = len(image)
    if (
        page_size < 512
        or page_size > 65536
        or page_size & (page_size - 1)
        or new_len % page_size
        or old_len % page_size
        or pages_at + count * page_size > len(plain)
    ):
        raise VaultDamagedError(f"{what} is damaged: a saved change does not fit its database.")
    numbers = struct.unpack_from(f">{count}I", plain, _REC_PLAIN.size)
    old_pages, new_pages = old_len // page_size, new_len // page_size
    grown = sum(1 for n in numbers if n >= old_pages)
    if (
        any(b <= a for a, b in zip(numbers, numbers[1:]))
        or (numbers and numbers[-1] >= new_pages)
        or grown != max(0, new_pages - old_pages)
    ):
        raise VaultDamagedError(f"{what} is damaged: a saved change does not fit its database.")
    if new_len < old_len:
        del image[new_len:]
    elif new_len > old_len:
        image.extend(bytes(new_len - old_len))
    source = memoryview(plain)
    for index, number in enumerate(numbers):
        at = pages_at + index * page_size
        image[number * page_size : (number + 1) * page_size] = source[at : at + page_size]


def decrypt_bytes(raw: bytes, kek: bytes, what: str = "The vault file") -> tuple[Header, bytes, bytearray]:
    """(header, data key, database image) from a vault file's bytes, with the journal
    records applied. Pure; worker-safe."""
    opened = _decrypt_file(raw, kek, what)
    return opened.header, opened.data_key, opened.image


def encrypt_image(header: Header, data_key: bytes, image: bytes) -> tuple[Header, bytes]:
    """A complete vault file (no journal records) for `image`; from version 2 it is padded
    with zeros to a multiple of ALIGN, so the first record starts a new block."""
    header = replace(header, payload_nonce=secrets.token_bytes(12), payload_len=len(image) + 16)
    head = header.pack()
    aead = AESGCM(data_key)
    if not hasattr(aead, "encrypt_into"):  # pragma: no cover - cryptography < 45
        blob = head + aead.encrypt(header.payload_nonce, image, head)
        return header, blob + bytes(base_end(header) - len(blob))
    out = bytearray(base_end(header))
    out[:HEADER_LEN] = head
    aead.encrypt_into(header.payload_nonce, image, head, memoryview(out)[HEADER_LEN : HEADER_LEN + len(image) + 16])
    return header, out


def page_size_of(image: bytes) -> int | None:
    """The SQLite page size from an image's header, or None if it is not a whole-page image."""
    if len(image) < 100 or image[:16] != b"SQLite format 3\0":
        return None
    size = int.from_bytes(image[16:18], "big")
    size = 65536 if size == 1 else size
    if size < 512 or size & (size - 1) or len(image) % size:
        return None
    return size


@dataclass(frozen=True)
class PageDigests:
    """What the next save compares its image with: the saved image's page size and a
    SHA-256 of each of its pages. A second copy of the image, kept for comparing, was a
    whole database's worth of memory more for as long as the vault was open (peak
    memory is a target); hashing a page is cheaper than keeping it."""

    page_size: int
    digests: tuple[bytes, ...]


def page_digests(image: bytes, page_size: int) -> PageDigests:
    view = memoryview(image)
    return PageDigests(page_size, tuple(
        hashlib.sha256(view[at : at + page_size]).digest() for at in range(0, len(image), page_size)))


def changed_pages(old: PageDigests, new: bytes) -> tuple[list[int], PageDigests]:
    """Numbers of the pages of `new` that differ from the saved pages, and every page
    past their end; with the digests of `new`, for the save after."""
    now = page_digests(new, old.page_size)
    before = old.digests
    changed = [n for n, digest in enumerate(now.digests[: len(before)]) if digest != before[n]]
    changed.extend(range(len(before), len(now.digests)))
    return changed, now


def journal_record(key: bytes, head: bytes, seq: int, image: bytes, page_size: int, pages: list[int]) -> bytes:
    """One encrypted record: the pages of `image` numbered in `pages`, and its length.
    Associated data: the base header (vault id, key id, generation, payload nonce) and
    the record's own header (with its sequence number)."""
    parts = [_REC_PLAIN.pack(len(image), page_size, len(pages)), struct.pack(f">{len(pages)}I", *pages)]
    view = memoryview(image)
    parts += [view[n * page_size : (n + 1) * page_size] for n in pages]
    plain_len = sum(len(p) for p in parts)
    length = _align(_REC_HEAD.size + plain_len + 16) - _REC_HEAD.size
    parts.append(bytes(length - 16 - plain_len))
    nonce = secrets.token_bytes(12)
    rec_head = _REC_HEAD.pack(_REC_MARK, seq, length, nonce)
    return rec_head + AESGCM(key).encrypt(nonce, b"".join(parts), head + rec_head)


def new_header(kek: bytes, data_key: bytes, salt: bytes, params: tuple[int, int, int], vault_id: bytes, generation: int) -> Header:
    t, m, p = params
    header = Header(
        version=FORMAT_VERSION,
        kdf_id=KDF_ARGON2ID,
        iterations=t,
        memory_kib=m,
        lanes=p,
        salt=salt,
        vault_id=vault_id,
        key_id=secrets.token_bytes(8),
        generation=generation,
        saved_at=int(time.time()),
        wrap_nonce=secrets.token_bytes(12),
        wrapped_key=b"\0" * 48,
        payload_nonce=b"\0" * 12,
        payload_len=0,
    )
    wrapped = AESGCM(kek).encrypt(header.wrap_nonce, data_key, header.body()[:_WRAP_AD_LEN])
    return replace(header, wrapped_key=wrapped)


_ALLOCATOR_TUNED = False
_M_TRIM_THRESHOLD, _M_MMAP_THRESHOLD = -1, -3  # glibc's mallopt parameters
_LARGE = 1 << 30


def reuse_large_buffers() -> None:
    """Let glibc reuse the memory of one save's image for the next.

    Every save copies the database out (serialize) and compares it with the last copy.
    glibc gives a block over 32 MiB fresh pages from the kernel each time and returns
    them when freed, so each save on a 100 MiB database faulted in 100 MiB of zeroed
    pages: serialize took 70 ms there against 12 ms with the memory reused (measured),
    and saves grew faster than the database. Raising the thresholds keeps such blocks in
    the heap; Vault.close gives them back (give_back_freed_memory), so what they held
    does not outlive the vault's being open. Elsewhere than glibc this does nothing; it
    runs once, at the first save or at an opening that waits for the key."""
    global _ALLOCATOR_TUNED
    if _ALLOCATOR_TUNED:
        return
    _ALLOCATOR_TUNED = True
    try:
        import ctypes

        libc = ctypes.CDLL("libc.so.6")
        libc.mallopt(_M_MMAP_THRESHOLD, _LARGE)
        libc.mallopt(_M_TRIM_THRESHOLD, _LARGE)
    except (OSError, AttributeError):
        pass


def give_back_freed_memory() -> None:
    """Have glibc return to the kernel the pages of every freed block it keeps
    (malloc_trim): once reuse_large_buffers has run it keeps them all, and freed copies
    of the database image (the decrypted one, SQLite's own, each save's) would
    otherwise stay readable in the process after the vault is closed or locked. The
    kernel gives such pages back zeroed. Elsewhere than glibc this does nothing."""
    try:
        import ctypes

        ctypes.CDLL("libc.so.6").malloc_trim(0)
    except (OSError, AttributeError):
        pass


def _fsync_dir(folder: Path) -> None:
    fd = os.open(folder, os.O_RDONLY)
    try:
        fs.fsync(fd)
    finally:
        os.close(fd)


def _write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        written = fs.write(fd, view)
        view = view[written:]


def _atomic_write(path: Path, data: bytes) -> None:
    """Temp file in the same folder, fsync, replace, fsync the folder: old or new, never half."""
    tmp = path.with_name(f"{path.name}.{os.getpid()}.{secrets.token_hex(4)}{TMP_SUFFIX}")
    fd = fs.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        try:
            _write_all(fd, data)
            fs.fsync(fd)
        finally:
            os.close(fd)
        fs.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    _fsync_dir(path.parent)


def _save_failure_reason(exc: OSError) -> str:
    if exc.errno == errno.ENOSPC:
        return "the disk is full"
    if exc.errno in (errno.EACCES, errno.EPERM, errno.EROFS):
        return "the vault folder cannot be written to"
    return exc.strerror or str(exc)


def save_error_message(exc: OSError) -> str:
    why = _save_failure_reason(exc)
    return (
        f"Could not save ({why}); your changes are kept in memory, so free space or fix "
        "the folder and they will be saved on the next change or when you press ctrl+s."
    )


def _blob_name_hash(name: str) -> bytes:
    return hashlib.sha256(name.encode()).digest()


class Vault:
    """One vault folder: the vault file, its backups, blobs, drafts and lock."""

    def __init__(self, folder: Path | str):
        self.folder = Path(folder).expanduser()
        self.path = self.folder / VAULT_NAME
        self.backup_dir = self.folder / BACKUP_DIR
        self.blob_dir = self.folder / BLOB_DIR
        self.draft_dir = self.folder / DRAFT_DIR
        self.lock_path = self.folder / LOCK_NAME
        self.header: Header | None = None
        self._data_key: bytes | None = None
        self._db = None  # peewee's database, once bound
        self._lock_fd: int | None = None
        self._write_lock = threading.Lock()
        self._written_seq = 0
        self._seq = 0
        self.readonly = False
        #: True when the last open dropped a journal record cut short at the end of the
        #: file (or with blocks never written): a save cut off mid-write by a crash.
        self.cut_off_save = False
        #: The last open left out a last record that was all there but failed its
        #: integrity check: damage, with the damaged file's copy (see _set_aside_damaged).
        self.dropped_change: DroppedChange | None = None
        #: A writable open that left the journal's tidy-up (a full save) to the next save
        #: (finish_open's tidy_later): the app asks for it once its home screen is up.
        self.tidy_due = False
        self._connection: sqlite3.Connection | None = None  # the one peewee adopted
        #: SQLite's check of an open that left it for later: None (done, or not due),
        #: "due", or the error it found. Guarded by _check_lock.
        self._check: str | None = None
        self._check_lock = threading.Lock()
        #: Damage SQLite's check found in this vault's database: the next opening checks
        #: at once, rather than showing the damaged records again until it has.
        self._found_damaged = False
        self._forget_file()

    def _forget_file(self) -> None:
        """What this instance knows of the file on disk; guarded by `_write_lock`."""
        # The pages of the image the file holds (base plus records): what the next save
        # is compared with. None on read-only opens, which never save.
        self._saved_pages: PageDigests | _Hashing | None = None
        self._head: bytes | None = None  # the header bytes on disk
        self._journal_key: bytes | None = None
        self._base_end = 0
        self._end: int | None = None  # where the next record goes; None: unknown
        self._tail = b""  # the 16 bytes before _end
        self._records = 0
        self._need_full = True  # the next save must write a whole new file
        self._dirty_tail = False  # bytes past _end (a failed append) could not be cut off
        #: "full", "append" or "none": what the last successful save wrote (for tests).
        self.last_save = ""

    # -- state -------------------------------------------------------------------------

    def exists(self) -> bool:
        return self.path.exists()

    @property
    def is_open(self) -> bool:
        return self._data_key is not None

    @property
    def generation(self) -> int:
        return self.header.generation if self.header else 0

    def read_header(self) -> Header:
        try:
            with open(self.path, "rb") as handle:
                raw = handle.read(HEADER_LEN)
        except FileNotFoundError:
            raise VaultMissingError(f"There is no vault at {self.path}.") from None
        return parse_header(raw)

    def read_file(self) -> bytes:
        try:
            return self.path.read_bytes()
        except FileNotFoundError:
            raise VaultMissingError(f"There is no vault at {self.path}.") from None

    def backups(self) -> list[Path]:
        """Kept generations, newest first."""
        if not self.backup_dir.is_dir():
            return []
        found = [p for p in self.backup_dir.glob("sitecare-g*.vault")]
        return sorted(found, key=lambda p: p.name, reverse=True)

    def newest_backup(self) -> tuple[int, Path, datetime | None] | None:
        """(how many are kept, the newest, when it was saved) or None without backups."""
        kept = self.backups()
        if not kept:
            return None
        try:
            saved = datetime.fromtimestamp(kept[0].stat().st_mtime)
        except OSError:
            saved = None
        return len(kept), kept[0], saved

    def missing_with_backups(self, quit_first: bool = False) -> str | None:
        """One sentence for a folder whose vault file is gone but whose backups are
        there (a file deleted, a sync that lost it), naming the newest backup and the
        command that restores it; None unless that is so. `quit_first` for the app."""
        if self.exists():
            return None
        newest = self.newest_backup()
        if newest is None:
            return None
        from ..rules.dates import show_datetime  # pure

        count, path, saved = newest
        when = f", saved {show_datetime(saved)}" if saved else ""
        kept = f"{count} backup{'s' if count != 1 else ''} of it {'are' if count != 1 else 'is'} kept"
        return (
            f"The vault file {VAULT_NAME} is missing from {self.folder}, but {kept} there: "
            f"{'quit (ctrl+q) and ' if quit_first else ''}restore the newest ({path.name}{when}) with: "
            f"sitecare backups --restore 1 --vault {self.folder} "
            f"(sitecare backups --vault {self.folder} lists them all, with their dates)."
        )

    def missing_with_a_copy_set_aside(self) -> str | None:
        """One sentence for a folder whose vault file and backups are gone but which
        holds a copy set aside (SET_ASIDE), naming the newest and the command that puts
        it back; None unless that is so. Not a refusal: a new vault leaves such copies
        alone, so one may be made here instead."""
        if self.exists() or self.backups():
            return None
        copies = self.set_aside()
        if not copies:
            return None
        from ..rules.dates import show_datetime  # pure

        try:
            when = f", saved {show_datetime(datetime.fromtimestamp(copies[0].stat().st_mtime))}"
        except OSError:
            when = ""
        return (f"There is no vault file in {self.folder}, but a copy of one is set aside there ({copies[0].name}"
                f"{when}): to bring it back, run: sitecare backups --restore {copies[0].name} --vault {self.folder}")

    def conflict_copies(self) -> list[Path]:
        """Copies a sync service made when two devices changed the vault at once."""
        if not self.folder.is_dir():
            return []
        return sorted(
            p
            for p in self.folder.iterdir()
            if p.name != VAULT_NAME
            and p.name.startswith("sitecare")
            and ("conflicted copy" in p.name or ".sync-conflict-" in p.name)
        )

    def pending_passphrase_change(self) -> str | None:
        """'old' or 'new': which passphrase opens a vault whose passphrase change was cut off."""
        if (self.folder / (VAULT_NAME + REKEY_SUFFIX)).exists():
            return "old"
        for folder in (self.blob_dir, self.backup_dir, self.draft_dir):
            if folder.is_dir() and any(folder.glob("*" + REKEY_SUFFIX)):
                return "new"
        return None

    # -- locking -----------------------------------------------------------------------

    def acquire_lock(self) -> None:
        """One writer per vault; a lock left by a dead process is taken over by the OS."""
        self.folder.mkdir(parents=True, exist_ok=True, mode=0o700)
        fd = os.open(self.lock_path, os.O_RDWR | os.O_CREAT, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = ""
            try:
                holder = os.pread(fd, 200, 0).decode(errors="replace").strip()
            except OSError:
                pass
            os.close(fd)
            raise VaultLockedError(_LOCKED + (f" ({holder})" if holder else "") + _LOCKED_ADVICE, holder) from None
        os.ftruncate(fd, 0)
        os.pwrite(fd, f"pid {os.getpid()} on {socket.gethostname()}".encode(), 0)
        self._lock_fd = fd

    def open_elsewhere(self) -> VaultLockedError | None:
        """The refusal acquire_lock would give, if another sitecare holds the vault now;
        None otherwise (or when this one holds it). Takes nothing and creates nothing:
        for the unlock screen to say so before a passphrase is typed."""
        if self._lock_fd is not None:
            return None
        try:
            fd = os.open(self.lock_path, os.O_RDONLY)
        except OSError:
            return None  # no lock file: no sitecare has this vault open
        try:
            try:
                fcntl.flock(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)
            except BlockingIOError:
                try:
                    holder = os.pread(fd, 200, 0).decode(errors="replace").strip()
                except OSError:
                    holder = ""
                return VaultLockedError(_LOCKED + (f" ({holder})" if holder else "") + _LOCKED_ADVICE, holder)
            except OSError:
                return None
            fcntl.flock(fd, fcntl.LOCK_UN)
            return None
        finally:
            os.close(fd)

    def release_lock(self) -> None:
        if self._lock_fd is not None:
            try:
                # The note names the holder: a pid left behind after we exit would read as
                # a holder. Cleared while still held, so it can never erase a newcomer's.
                try:
                    os.ftruncate(self._lock_fd, 0)
                except OSError:
                    pass
                fcntl.flock(self._lock_fd, fcntl.LOCK_UN)
            finally:
                os.close(self._lock_fd)
                self._lock_fd = None

    def remove_stale_files(self) -> list[Path]:
        """Temp files from an interrupted save, and a passphrase change cut off before it took."""
        removed = []
        for folder in (self.folder, self.backup_dir, self.blob_dir, self.draft_dir):
            if folder.is_dir():
                for path in folder.glob("*" + TMP_SUFFIX):
                    path.unlink(missing_ok=True)
                    removed.append(path)
        if self.pending_passphrase_change() == "old":
            for folder in (self.folder, self.backup_dir, self.blob_dir, self.draft_dir):
                if folder.is_dir():
                    for path in folder.glob("*" + REKEY_SUFFIX):
                        path.unlink(missing_ok=True)
                        removed.append(path)
        return removed

    # -- create and open ---------------------------------------------------------------

    def create(self, passphrase: str, params: tuple[int, int, int] = DEFAULT_KDF) -> None:
        salt = secrets.token_bytes(16)
        self.create_with_key(derive_key(passphrase, salt, params), salt, params)

    def create_with_key(self, kek: bytes, salt: bytes, params: tuple[int, int, int] = DEFAULT_KDF) -> None:
        """A new, empty vault (schema and reference data), saved as generation 1."""
        if self.exists():
            raise VaultError(f"A vault already exists at {self.path}; unlock it instead.")
        if self.backups():
            # A new vault's backups would be named by its generations 1, 2, ... beside the
            # old vault's: its first ones skipped (names taken), its pruning then deleting
            # the old vault's (a new-user trial lost them so).
            raise BackupsInTheWayError(
                f"No new vault was made in {self.folder}: its backups folder holds another vault's backups, "
                f"which a new vault's would mix with and then delete; restore the newest with: sitecare backups "
                f"--restore 1 --vault {self.folder}, or move {self.backup_dir} elsewhere to start afresh."
            )
        check_kdf(params)
        try:
            self.folder.mkdir(parents=True, exist_ok=True, mode=0o700)
            os.chmod(self.folder, 0o700)
            if self._lock_fd is None:
                self.acquire_lock()
        except OSError as exc:
            raise VaultSaveError(f"Cannot create the vault folder {self.folder} ({exc.strerror}); choose another with --vault.") from None
        data_key = AESGCM.generate_key(256)
        self.header = new_header(kek, data_key, salt, params, secrets.token_bytes(16), 0)
        self._data_key = data_key
        self._bind(_checked_connection(None))
        from . import migrations

        migrations.create_schema()
        from .shipped import load_reference_data

        with _no_commit_hooks():
            load_reference_data()
        self.save(first=True)

    def unlock(self, passphrase: str, readonly: bool = False) -> list[int]:
        """Derive, decrypt and load in one call (for the command line and tests)."""
        header = self.read_header()
        kek = derive_key(passphrase, header.salt, header.kdf)
        return self.open_with_key(kek, readonly=readonly)

    def open_with_key(self, kek: bytes, readonly: bool = False, tidy_later: bool = False,
                      check_later: bool = False) -> list[int]:
        """Open with the derived key: prepare_open then finish_open, in one call."""
        return self.finish_open(self.prepare_open(kek, readonly, check_later=check_later), tidy_later=tidy_later)

    def check_key(self, kek: bytes) -> None:
        """Raise WrongPassphraseError unless `kek` opens this open vault (the screen
        lock that keeps the database because its last changes could not be saved)."""
        if self.header is None:
            raise VaultError("The vault is locked.")
        unwrap_data_key(self.header, kek)

    def prepare_open(self, kek: bytes | Callable[[], bytes], readonly: bool = False,
                     check_later: bool = False) -> PreparedOpen:
        """The slow half of opening: take the lock, read, decrypt, and load the image
        into SQLite and check it. Decryption and SQLite let go of Python's interpreter
        lock, so the unlock screen runs this in its worker while the app's thread gets
        the home screen ready. Besides the lock (and the stale temp files it clears),
        it changes nothing the rest of sitecare reads: what it read is bound by
        finish_open, on the app's thread.

        `kek` may be a callable that waits for the key (the unlock's derivation, in a
        thread of its own): the lock is taken, the file read and the memory for its
        image set aside meanwhile, none of which needs the key. Fresh memory costs
        the first write to each of its pages: on the large vault, reading the file and
        making room for its image took 15 to 20 ms, then on the way to the home screen
        and now inside the derivation.

        `check_later` leaves SQLite's integrity check (a fifth of the time to the home
        screen on the large vault) to check_database, which the app runs in a thread
        once its home screen is drawn. Nothing is written before it has passed: a save
        runs it first, and so does a schema upgrade. The file itself is checked here
        either way (each part's AES-GCM tag): the check is for a database that was
        damaged before it was encrypted."""
        held = self._lock_fd is not None  # kept through an idle lock: kept on a failure too
        if not readonly and not held:
            self.acquire_lock()
        check_later = check_later and not self._found_damaged
        try:
            if not readonly:
                self.remove_stale_files()
            # The file's bytes are dropped as soon as they are decrypted: the image and
            # then SQLite's copy of it are all that stay (peak memory is a target).
            if callable(kek):
                reuse_large_buffers()  # before the file is read: see _make_room_in_sqlite
            raw = self.read_file()
            image = _image_room(raw)
            if callable(kek):
                if image is not None and len(image) <= ROOM_AT_MOST:
                    _make_room_in_sqlite(image)
                kek = kek()
            opened = _decrypt_file(raw, kek, image=image)
            dropped = self._set_aside_damaged(raw, readonly) if opened.damaged else None
            del raw, image
            size = page_size_of(opened.image)
            # A read-only open never saves, so needs no digests.
            pages = _Hashing(opened.image, size, start=not check_later) if size and not readonly else None
            connection = _checked_connection(opened.image, check=not check_later)
        except BaseException:
            self.close(keep_lock=held)
            raise
        return PreparedOpen(opened, connection, kek, pages, readonly, checked=not check_later, dropped=dropped)

    def _set_aside_damaged(self, raw: bytes, readonly: bool) -> DroppedChange:
        """A copy of a vault file whose last record is damaged, made before a writable
        open rewrites the file without it (its full save, or cutting the record off),
        as `sitecare-damaged-<time>.vault` beside it: never a backup's name, so never
        pruned. A hard link would not do: cutting the record off truncates the inode.
        If the copy cannot be written, the open is refused rather than go on without it."""
        try:
            written_at = datetime.fromtimestamp(self.path.stat().st_mtime)
        except OSError:
            written_at = None
        if readonly:
            return DroppedChange(written_at, None)
        try:
            kept = self._set_aside("damaged", raw)
        except OSError as exc:
            raise VaultSaveError(
                "The vault file is damaged (its last saved change fails its integrity check) and sitecare "
                f"could not keep a copy of it before going on without that change ({_save_failure_reason(exc)}): "
                "free some space or fix the folder and open it again, or open it read-only."
            ) from None
        return DroppedChange(written_at, kept)

    @property
    def unchecked(self) -> bool:
        """The open left SQLite's check for later and it has not run yet."""
        return self._check == "due"

    @property
    def can_check_beside(self) -> bool:
        """Whether check_database may run in a thread beside the app's use of the
        database: only where SQLite serialises the use of one connection by several
        threads (its default build)."""
        return sqlite3.threadsafety == 3

    def check_database(self) -> None:
        """SQLite's integrity check, where the open left it for later (prepare_open's
        check_later), with the page digests beside it; nothing otherwise. Safe from
        any thread: it uses the connection itself (SQLite serialises its use), and a
        second caller waits for the first. Raises VaultDamagedError, and again at every
        call after, if it fails: the caller closes the vault (on the app's thread)."""
        pending = self._saved_pages
        if isinstance(pending, _Hashing) and not self._need_full:  # a full save compares nothing
            pending.start()
        with self._check_lock:
            if self._check == "due":
                connection = self._connection
                try:
                    if connection is None:
                        raise VaultError("The vault is locked.")
                    _quick_check(connection)
                    self._check = None
                except VaultDamagedError as exc:
                    self._check = str(exc)
                    self._found_damaged = True
            if self._check is not None:
                raise VaultDamagedError(self._check)

    def finish_open(self, prepared: PreparedOpen, tidy_later: bool = False) -> list[int]:
        """Bind what prepare_open read, on the thread that will use the database. A
        writable open starts a file whose journal has records afresh (a full save); with
        `tidy_later` that full save is left to the next save (the app's save worker, off
        the thread that draws the screen: 0.1 s on the large vault, 0.6 s on the extreme
        one) when nothing else calls for it now: a cut-off record, an old format, a
        second name or a schema upgrade still do."""
        self.readonly = readonly = prepared.readonly
        self.tidy_due = False
        try:
            opened = prepared.opened
            with self._write_lock:
                self._forget_file()
            self.header = opened.header
            self._data_key = opened.data_key
            self._bind(prepared.connection)
            with self._check_lock:
                self._check = None if prepared.checked else "due"
            self.cut_off_save = opened.torn and not opened.damaged
            self.dropped_change = prepared.dropped
            if not readonly:
                self._adopt(opened, prepared.kek, prepared.pages)
            compact = not readonly and self._needs_compaction(opened)
            opened_records = (opened.records, opened.torn, opened.header.version)
            del opened
            prepared.opened = prepared.kek = prepared.pages = None
            from . import migrations

            try:
                due = migrations.due()
            except Exception:
                # Damage that stops even the schema being read: said as the check says it.
                if self.unchecked:
                    self.check_database()
                raise
            if due and self.unchecked:
                self.check_database()  # an upgrade writes to the database
            # Read-only opens are upgraded in memory too, so queries see the current schema.
            upgraded = migrations.upgrade() if due else []
            if not readonly:
                self._finish_passphrase_change()
                if compact and tidy_later and not upgraded and self._only_records(opened_records):
                    with self._write_lock:
                        self._need_full = True  # whichever save comes next writes the whole file
                    self.tidy_due = True
                elif compact:
                    self._compact_on_open(required=bool(upgraded))
                elif upgraded:
                    self.save()
            return upgraded
        except BaseException:
            self.close()
            raise

    def _adopt(self, opened: _Opened, kek: bytes | None, prepared_pages: PageDigests | None) -> None:
        """Remember the file just read, so saves can append to it."""
        header = opened.header
        if header.version != FORMAT_VERSION:
            # The data key's wrap covers the version: rewrap it for the version written next.
            header = replace(header, version=FORMAT_VERSION, wrap_nonce=secrets.token_bytes(12))
            wrapped = AESGCM(kek).encrypt(header.wrap_nonce, opened.data_key, header.body()[:_WRAP_AD_LEN])
            self.header = replace(header, wrapped_key=wrapped)
        with self._write_lock:
            self._saved_pages = prepared_pages
            self._head = opened.head
            self._journal_key = journal_key(opened.data_key, opened.head)
            self._base_end = opened.base_end
            self._end = opened.end
            self._tail = opened.tail
            self._records = opened.records
            self._need_full = opened.header.version != FORMAT_VERSION
            self._dirty_tail = opened.torn

    def _needs_compaction(self, opened: _Opened) -> bool:
        """A writable open starts from a clean file: no records, no cut-off tail, the
        current format, and no second name (a backup link left by a cut-off full save)."""
        if opened.records or opened.torn or opened.header.version != FORMAT_VERSION:
            return True
        try:
            return self.path.stat().st_nlink != 1
        except OSError:
            return False

    def _only_records(self, opened: tuple[int, bool, int]) -> bool:
        """Whether journal records are all that make a full save due (see
        _needs_compaction): appending after them stays valid until it is written."""
        records, torn, version = opened
        try:
            single = self.path.stat().st_nlink == 1
        except OSError:
            return False
        return bool(records) and not torn and version == FORMAT_VERSION and single

    def _compact_on_open(self, required: bool) -> None:
        try:
            self.save(full=True)
        except VaultSaveError:
            if required:
                raise
            # The file on disk is whole; saving it afresh is only tidying. Cut off a
            # failed last record if that can be done (else the next save writes a new
            # file); the next save appends to it or tries the full save again.
            with self._write_lock:
                self._cut_dirty_tail()

    def load(self, header: Header, data_key: bytes, image: bytes) -> None:
        """Bind a decrypted image (from `decrypt_bytes`). The file's layout is not known
        here, so the next save is a full one."""
        with self._write_lock:
            self._forget_file()
        self.header = header
        self._data_key = data_key
        self._bind(_checked_connection(image))

    def _bind(self, connection: sqlite3.Connection) -> None:
        if self._db is not None:
            self._db.close()
        from .models import database

        db = _database_class()(connection)
        db.connect()
        self._db = db
        self._connection = connection
        database.initialize(db)

    def close(self, keep_lock: bool = False) -> None:
        """Drop the key and the in-memory data. `keep_lock` is for the idle lock: the
        vault stays ours while the screen asks for the passphrase again."""
        self._data_key = None
        with self._write_lock:
            self._forget_file()
        with self._check_lock:  # a check running in a thread finishes first
            self._check = None
            self._connection = None
        if self._db is not None:
            self._db.close()
            self._db = None
        from .models import database

        database.initialize(None)
        give_back_freed_memory()
        if not keep_lock:
            self.release_lock()

    # -- saving ------------------------------------------------------------------------

    def serialize(self) -> tuple[int, bytes]:
        """(sequence, image) of the committed database. Call on the vault's own thread."""
        if self._db is None:
            raise VaultError("The vault is locked.")
        self.check_database()  # nothing is written before SQLite's check has passed
        conn = self._db.connection()
        if conn.in_transaction:
            raise VaultError("Cannot save in the middle of a change; it is saved when the change commits.")
        self._seq += 1
        reuse_large_buffers()
        return self._seq, conn.serialize()

    def write_image(self, seq: int, image: bytes, full: bool = False) -> bool:
        """Save one image; safe from a worker. An image older than one already written is
        skipped, so out-of-order workers never step back in time. Usually appends one
        journal record with the pages that changed; `full` forces a whole new file."""
        if self.readonly:
            raise ReadOnlyError("This vault is open read-only, so changes cannot be saved.")
        with self._write_lock:
            if seq <= self._written_seq:
                return False
            self._write(image, full=full)
            self._written_seq = seq
            return True

    def save(self, first: bool = False, full: bool = False) -> None:
        """Save now, on this thread. `full` writes a whole new file (a new generation, the
        old file kept as a backup): needed when old contents must leave the file, as a
        disposal's do."""
        seq, image = self.serialize()
        if first:
            with self._write_lock:
                self._write(image, first=True)
                self._written_seq = seq
        else:
            self.write_image(seq, image, full=full)

    def _write(self, image: bytes, first: bool = False, full: bool = False) -> None:
        if self._data_key is None or self.header is None:
            raise VaultError("The vault is locked.")
        links = 1 if first else self._check_not_changed_underneath()
        found = None
        if not (first or full or self._need_full or links != 1):
            found = self._journal_record(image)
            if found is not None and found[0] == b"":
                self.last_save = "none"  # nothing changed since the last save
                return
        if found is None:
            self._write_full(image)
        else:
            self._append(*found)

    def _journal_record(self, image: bytes) -> tuple[bytes, PageDigests] | None:
        """The record that takes the file to `image` (b"" if nothing changed) and the
        digests of `image`'s pages, or None when a full save is due instead (bound
        reached, page size changed)."""
        if self._end is None or self._journal_key is None or self._head is None:
            return None
        if self._records >= JOURNAL_MAX_RECORDS:
            return None
        if isinstance(self._saved_pages, _Hashing):
            self._saved_pages = self._saved_pages.result()
        if self._saved_pages is None:
            self._saved_pages = self._read_back()
        old = self._saved_pages
        if old is None:
            return None
        size = page_size_of(image)
        if size is None or old.page_size != size:
            return None
        pages, digests = changed_pages(old, image)
        if not pages and len(old.digests) == len(digests.digests):
            return b"", digests
        record_len = _align(_REC_HEAD.size + _REC_PLAIN.size + 4 * len(pages) + size * len(pages) + 16)
        if (self._end - self._base_end + record_len) * JOURNAL_MAX_FRACTION > len(image):
            return None
        return journal_record(self._journal_key, self._head, self._records + 1, image, size, pages), digests

    def _append(self, record: bytes, pages: PageDigests) -> None:
        """Write one record after the last, fsync. Cut off anywhere, the record is either
        whole (the save happened) or fails to open at the end of the file (it did not)."""
        assert self._end is not None
        try:
            fd = fs.open(self.path, os.O_WRONLY)
        except OSError as exc:
            raise VaultSaveError(save_error_message(exc)) from None
        try:
            try:
                if self._dirty_tail:
                    os.ftruncate(fd, self._end)
                    self._dirty_tail = False
                os.lseek(fd, self._end, os.SEEK_SET)
                _write_all(fd, record)
                fs.fsync(fd)
            except OSError as exc:
                self._dirty_tail = True
                self._cut_dirty_tail(fd)
                raise VaultSaveError(save_error_message(exc)) from None
        finally:
            os.close(fd)
        self._end += len(record)
        self._tail = record[-16:]
        self._records += 1
        self._saved_pages = pages
        self.last_save = "append"

    def _read_back(self) -> PageDigests | None:
        """The pages of the image the file holds, read back from it (after a failed full
        save dropped them), or None if the file is not the one this instance last wrote."""
        try:
            raw = self.path.read_bytes()
            opened = _decrypt_file(raw, None, data_key=self._data_key)
        except (OSError, VaultError):
            return None
        if opened.head != self._head or opened.end != self._end:
            return None
        size = page_size_of(opened.image)
        return page_digests(opened.image, size) if size else None

    def _cut_dirty_tail(self, fd: int | None = None) -> None:
        """Best effort: remove what a failed append left past the last good record, so the
        next append follows it directly. If that fails too, the next save is a full one."""
        if not self._dirty_tail or self._end is None:
            return
        try:
            own = fd is None
            if own:
                fd = os.open(self.path, os.O_WRONLY)
            try:
                os.ftruncate(fd, self._end)
                os.fsync(fd)
            finally:
                if own:
                    os.close(fd)
            self._dirty_tail = False
        except OSError:
            self._need_full = True

    def _write_full(self, image: bytes) -> None:
        """A whole new file: temp file, fsync, the current file hard-linked into backups/,
        rename over, fsync the folder. The rename is the one moment the state changes."""
        assert self.header is not None and self._data_key is not None
        # Not needed for a whole file, and stale once it is written. (If this save fails,
        # the next one reads it back from the file, which a failed full save leaves as
        # it was.)
        self._saved_pages = None
        header = replace(self.header, generation=self.header.generation + 1, saved_at=int(time.time()))
        header, blob = encrypt_image(header, self._data_key, image)
        linked = None
        try:
            if self.path.exists():
                linked = self._keep_backup(self.header.generation)
            _atomic_write(self.path, blob)
        except OSError as exc:
            if linked is not None:
                # The new link is a second name for the file, which stays current: drop
                # it, so the next save can append to the file instead of starting anew.
                try:
                    if linked.samefile(self.path):
                        linked.unlink()
                except OSError:
                    pass
            raise VaultSaveError(save_error_message(exc)) from None
        self._adopt_written(header, blob, image)
        self.last_save = "full"
        self._prune_backups()

    def _adopt_written(self, header: Header, blob: bytes, image: bytes) -> None:
        size = page_size_of(image)
        pages = page_digests(image, size) if size else None  # before any state changes
        head = bytes(blob[:HEADER_LEN])
        self.header = header
        self._saved_pages = pages
        self._head = head
        self._journal_key = journal_key(self._data_key, head)
        self._base_end = self._end = len(blob)
        self._tail = bytes(blob[-16:])
        self._records = 0
        # Records only ever follow a version 2 base (a vault bound with `load()` from a
        # version 1 file cannot rewrap its key, so it keeps writing whole files).
        self._need_full = header.version != FORMAT_VERSION
        self._dirty_tail = False

    def _check_not_changed_underneath(self) -> int:
        """Refuse to write over a file this instance did not write last: another device's
        full save (a new generation or the same one written elsewhere) or its appended
        records. Returns the file's link count."""
        try:
            fd = os.open(self.path, os.O_RDONLY)
        except FileNotFoundError:
            raise VaultChangedError(
                f"The vault file {self.path} has disappeared since sitecare opened it: {_CHOOSE}"
            ) from None
        try:
            info = os.fstat(fd)
            raw = os.pread(fd, HEADER_LEN, 0)
            tail = os.pread(fd, 16, self._end - 16) if self._end is not None and self._end >= 16 else b""
        finally:
            os.close(fd)
        try:
            on_disk = parse_header(raw)
        except VaultDamagedError:
            raise VaultChangedError(
                f"The vault file was damaged since sitecare opened it, so sitecare has not saved over it: {_CHOOSE}"
            ) from None
        assert self.header is not None
        if on_disk.vault_id != self.header.vault_id or on_disk.generation != self.header.generation:
            raise VaultChangedError(_CHANGED_UNDERNEATH)
        if self._end is not None and (
            raw != self._head
            or tail != self._tail
            or info.st_size < self._end
            or (info.st_size > self._end and not self._dirty_tail)
        ):
            raise VaultChangedError(_CHANGED_UNDERNEATH)
        return info.st_nlink

    def _keep_backup(self, generation: int) -> Path | None:
        """Keep the current file under its generation in backups/; the new name if this
        call made one."""
        self.backup_dir.mkdir(exist_ok=True, mode=0o700)
        target = self.backup_dir / f"sitecare-g{generation:010d}.vault"
        if target.exists():
            return None
        try:
            # A hard link is instant and atomic; the replace that follows leaves the old
            # generation's bytes reachable only through the backup name.
            fs.link(self.path, target)
        except OSError as exc:
            if exc.errno not in (errno.EXDEV, errno.EPERM, errno.ENOTSUP, errno.EMLINK):
                raise
            _atomic_write(target, self.path.read_bytes())
        _fsync_dir(self.backup_dir)
        return target

    def _prune_backups(self) -> None:
        for old in self.backups()[BACKUPS_KEPT:]:
            old.unlink(missing_ok=True)

    # -- blobs (attachments) and drafts ------------------------------------------------

    def _seal(self, name: str, data: bytes, data_key: bytes | None = None, header: Header | None = None) -> bytes:
        data_key = data_key or self._data_key
        header = header or self.header
        if data_key is None or header is None:
            raise VaultError("The vault is locked.")
        salt = secrets.token_bytes(32)
        nonce = secrets.token_bytes(12)
        head = _BLOB_HEADER.pack(_BLOB_MAGIC, header.vault_id, header.key_id, _blob_name_hash(name), salt, nonce)
        key = HKDF(hashes.SHA256(), 32, salt, b"sitecare blob v1").derive(data_key)
        return head + AESGCM(key).encrypt(nonce, data, head)

    def _open_sealed(self, name: str, raw: bytes, data_key: bytes | None = None, what: str = "attachment") -> bytes:
        data_key = data_key or self._data_key
        if data_key is None or self.header is None:
            raise VaultError("The vault is locked.")
        if len(raw) < _BLOB_HEADER.size + 16 or raw[:8] != _BLOB_MAGIC:
            raise BlobError(f"The stored {what} is damaged (cut short or not a sitecare file).")
        magic, vault_id, key_id, name_hash, salt, nonce = _BLOB_HEADER.unpack(raw[: _BLOB_HEADER.size])
        if vault_id != self.header.vault_id or name_hash != _blob_name_hash(name):
            raise BlobError(f"The stored {what} belongs to another vault or record.")
        key = HKDF(hashes.SHA256(), 32, salt, b"sitecare blob v1").derive(data_key)
        try:
            return AESGCM(key).decrypt(nonce, raw[_BLOB_HEADER.size :], raw[: _BLOB_HEADER.size])
        except InvalidTag:
            raise BlobError(f"The stored {what} is damaged: it fails the integrity check.") from None

    def blob_path(self, blob_id: str) -> Path:
        if not blob_id.isalnum():
            raise BlobError("That attachment id is not valid.")
        return self.blob_dir / f"{blob_id}.blob"

    def put_blob(self, data: bytes) -> str:
        if self.readonly:
            raise ReadOnlyError("This vault is open read-only, so attachments cannot be added.")
        blob_id = secrets.token_hex(16)
        self.blob_dir.mkdir(exist_ok=True, mode=0o700)
        try:
            _atomic_write(self.blob_path(blob_id), self._seal(blob_id, data))
        except OSError as exc:
            raise VaultSaveError(save_error_message(exc)) from None
        return blob_id

    def get_blob(self, blob_id: str) -> bytes:
        try:
            raw = self.blob_path(blob_id).read_bytes()
        except FileNotFoundError:
            raise BlobError("The attachment's file is missing from the vault folder; restore it from a backup of the folder.") from None
        return self._open_sealed(blob_id, raw)

    def delete_blob(self, blob_id: str) -> None:
        self.blob_path(blob_id).unlink(missing_ok=True)

    def write_draft(self, name: str, data: bytes) -> None:
        """A draft lives outside the database so typing does not churn the kept backups."""
        if self.readonly:
            raise ReadOnlyError("This vault is open read-only, so drafts cannot be saved.")
        self.draft_dir.mkdir(exist_ok=True, mode=0o700)
        try:
            _atomic_write(self.draft_dir / f"{name}.draft", self._seal("draft:" + name, data))
        except OSError as exc:
            raise VaultSaveError(save_error_message(exc)) from None

    def read_draft(self, name: str) -> bytes | None:
        path = self.draft_dir / f"{name}.draft"
        if not path.exists():
            return None
        return self._open_sealed("draft:" + name, path.read_bytes(), what="draft")

    def clear_draft(self, name: str) -> None:
        (self.draft_dir / f"{name}.draft").unlink(missing_ok=True)

    # -- passphrase change -------------------------------------------------------------

    def change_passphrase(self, current: str, new: str, params: tuple[int, int, int] = DEFAULT_KDF) -> None:
        """New passphrase *and* a new data key; the database, blobs, drafts and kept backups
        are all re-encrypted, so the old passphrase opens nothing written afterwards.

        Order: every re-encrypted file is first written beside its original as *.rekey,
        the vault's own .rekey first; the vault's replace is the commit point. Cut off
        before it, the old passphrase still opens everything (and the .rekey files are
        removed at the next start); after it, the new one does, and the next unlock
        finishes moving the remaining .rekey files into place.

        The journal needs no step of its own: the new vault file is a whole new image
        (the in-memory database) with no records, and each backup is re-encrypted from
        its image with its records applied.
        """
        if self.readonly or self.header is None or self._data_key is None:
            raise VaultError("Unlock the vault (not read-only) before changing its passphrase.")
        with self._write_lock:
            self._change_passphrase(current, new, params)
        self._finish_passphrase_change()

    def _change_passphrase(self, current: str, new: str, params: tuple[int, int, int]) -> None:
        assert self.header is not None
        old_kek = derive_key(current, self.header.salt, self.header.kdf)
        old_key = unwrap_data_key(self.header, old_kek)
        self._check_not_changed_underneath()
        salt = secrets.token_bytes(16)
        new_kek = derive_key(new, salt, params)
        new_key = AESGCM.generate_key(256)
        header = new_header(new_kek, new_key, salt, params, self.header.vault_id, self.header.generation + 1)
        seq, image = self.serialize()
        header, sealed = encrypt_image(header, new_key, image)
        pending = self.folder / (VAULT_NAME + REKEY_SUFFIX)
        try:
            _atomic_write(pending, sealed)
            for path in self._sealed_files():
                name = self._sealed_name(path)
                plain = self._open_sealed(name, path.read_bytes(), data_key=old_key)
                _atomic_write(path.with_name(path.name + REKEY_SUFFIX), self._seal(name, plain, new_key, header))
            for backup in self.backups():
                try:
                    b_header, _, b_image = decrypt_bytes(backup.read_bytes(), old_kek, "A backup")
                except VaultError:
                    # A backup the old key cannot open is no use to anyone; left as it
                    # is, it would stay readable with the old passphrase if it were.
                    backup.unlink(missing_ok=True)
                    continue
                rekeyed = replace(header, generation=b_header.generation, saved_at=b_header.saved_at)
                _, b_sealed = encrypt_image(rekeyed, new_key, b_image)
                _atomic_write(backup.with_name(backup.name + REKEY_SUFFIX), b_sealed)
            fs.replace(pending, self.path)
            _fsync_dir(self.folder)
        except OSError as exc:
            raise VaultSaveError(
                f"The passphrase change could not finish ({exc.strerror or exc}); your old passphrase still works."
            ) from None
        self._data_key = new_key
        self._adopt_written(header, sealed, image)
        self._written_seq = max(self._written_seq, seq)

    def _sealed_files(self) -> list[Path]:
        files = []
        if self.blob_dir.is_dir():
            files += sorted(self.blob_dir.glob("*.blob"))
        if self.draft_dir.is_dir():
            files += sorted(self.draft_dir.glob("*.draft"))
        return files

    def _sealed_name(self, path: Path) -> str:
        return ("draft:" if path.suffix == ".draft" else "") + path.stem

    def _finish_passphrase_change(self) -> None:
        for folder in (self.blob_dir, self.draft_dir, self.backup_dir):
            if folder.is_dir():
                for path in folder.glob("*" + REKEY_SUFFIX):
                    fs.replace(path, path.with_name(path.name[: -len(REKEY_SUFFIX)]))
                _fsync_dir(folder)

    # -- restore -----------------------------------------------------------------------

    def restore_backup(self, backup: Path) -> Path | None:
        """Put a kept generation (or a copy set aside) back as the vault; the current
        file is set aside beside it (its new name returned), if there is one: a missing
        vault file is restored too."""
        if not backup.exists():
            raise VaultError(f"There is no backup at {backup}.")
        parse_header(backup.read_bytes()[:HEADER_LEN], "That backup")
        kept = self._set_aside("replaced")
        _atomic_write(self.path, backup.read_bytes())
        return kept

    def _set_aside(self, why: str, raw: bytes | None = None) -> Path | None:
        """A copy of the vault file (or of `raw`, the file as read) beside it, named for
        why and when, under a name no other copy has (two within a second would
        otherwise write over the first); None when there is no file. Never a backup's
        name, so never pruned: only the user removes one."""
        if raw is None and not self.path.exists():
            return None
        stamp = time.strftime("%Y-%m-%d-%H%M%S")
        assert why in SET_ASIDE
        kept = self.folder / f"sitecare-{why}-{stamp}.vault"
        number = 1
        while kept.exists():
            number += 1
            kept = self.folder / f"sitecare-{why}-{stamp}-{number}.vault"
        _atomic_write(kept, self.path.read_bytes() if raw is None else raw)
        return kept

    def set_aside(self) -> list[Path]:
        """The copies of the vault file set aside beside it (SET_ASIDE), newest first."""
        if not self.folder.is_dir():
            return []
        found = [p for why in SET_ASIDE for p in self.folder.glob(f"sitecare-{why}-*.vault") if p.is_file()]
        return sorted(found, key=lambda p: p.stat().st_mtime, reverse=True)

    def save_over_changed_file(self) -> Path | None:
        """Save this session's records over a vault file another device or program
        changed since it was opened (the VaultChangedError cases), that file first set
        aside beside the vault, whole: neither version is lost. Returns the copy set
        aside (None when the file had gone). The new file's generation follows both."""
        if self.readonly:
            raise ReadOnlyError("This vault is open read-only, so changes cannot be saved.")
        if self._data_key is None or self.header is None:
            raise VaultError("The vault is locked.")
        seq, image = self.serialize()
        with self._write_lock:
            try:
                kept = self._set_aside("other-device")
            except OSError as exc:
                raise VaultSaveError(save_error_message(exc)) from None
            generation = self.header.generation
            if kept is not None:
                try:
                    generation = max(generation, parse_header(kept.read_bytes()[:HEADER_LEN]).generation)
                except (OSError, VaultError):
                    pass  # damaged there: this session's generation goes on
            self.header = replace(self.header, generation=generation)
            self._write_full(image)
            self._written_seq = max(self._written_seq, seq)
        return kept
