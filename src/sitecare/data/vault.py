"""The encrypted vault: one file holding the whole database, plus encrypted blobs.

Byte layout and the reasoning behind it: docs/vault-format.md. In short: the SQLite
database lives only in memory; on disk it is AES-256-GCM ciphertext under a random
data key, which is itself wrapped by an Argon2id key from the passphrase. The header
is the AEAD's associated data and carries its own SHA-256 checksum, so a damaged file
and a wrong passphrase are told apart.

Threads: key derivation (`derive_key`) and file work on bytes (`decrypt_file`,
`write_image`) are safe in a worker; everything that touches the database
(`load`, `serialize`) must stay on the thread that unlocked the vault, because peewee
keeps one connection per thread and a worker would see an empty `:memory:` database.
"""

from __future__ import annotations

import errno
import fcntl
import hashlib
import os
import secrets
import shutil
import socket
import sqlite3
import struct
import threading
import time
import unicodedata
from dataclasses import dataclass, replace
from pathlib import Path

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.argon2 import Argon2id
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from peewee import SqliteDatabase

from ..rules.passphrase import MIN_LENGTH as MIN_PASSPHRASE
from . import migrations
from .models import database, suspended_commit_hooks as _no_commit_hooks

VAULT_NAME = "sitecare.vault"
LOCK_NAME = "sitecare.lock"
BACKUP_DIR = "backups"
BLOB_DIR = "blobs"
DRAFT_DIR = "drafts"
BACKUPS_KEPT = 5
REKEY_SUFFIX = ".rekey"
TMP_SUFFIX = ".tmp"

MAGIC = b"SITECARE"
FORMAT_VERSION = 1
KDF_ARGON2ID = 1

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

_BLOB_MAGIC = b"SCBLOB01"
_BLOB_HEADER = struct.Struct(">8s16s8s32s32s12s")  # magic, vault id, key id, name hash, salt, nonce


class VaultError(Exception):
    """Base: every message is one sentence fit to show a person, saying what to do."""


class VaultMissingError(VaultError):
    pass


class VaultDamagedError(VaultError):
    pass


class WrongPassphraseError(VaultError):
    pass


class KdfRefusedError(VaultDamagedError):
    pass


class VaultLockedError(VaultError):
    def __init__(self, message: str, holder: str = ""):
        super().__init__(message)
        self.holder = holder


class VaultChangedError(VaultError):
    pass


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
    if header.version != FORMAT_VERSION:
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


def decrypt_bytes(raw: bytes, kek: bytes, what: str = "The vault file") -> tuple[Header, bytes, bytes]:
    """(header, data key, database image) from a vault file's bytes. Pure; worker-safe."""
    header = parse_header(raw, what)
    data_key = unwrap_data_key(header, kek)
    expected = HEADER_LEN + header.payload_len
    if len(raw) != expected:
        raise VaultDamagedError(
            f"{what} is {'cut short' if len(raw) < expected else 'longer than it should be'} "
            f"({len(raw)} bytes where {expected} were written)."
        )
    try:
        image = AESGCM(data_key).decrypt(header.payload_nonce, raw[HEADER_LEN:], raw[:HEADER_LEN])
    except InvalidTag:
        raise VaultDamagedError(f"{what} is damaged: its contents fail the integrity check.") from None
    return header, data_key, image


def encrypt_image(header: Header, data_key: bytes, image: bytes) -> tuple[Header, bytes]:
    header = replace(header, payload_nonce=secrets.token_bytes(12), payload_len=len(image) + 16)
    head = header.pack()
    return header, head + AESGCM(data_key).encrypt(header.payload_nonce, image, head)


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


def _fsync_dir(folder: Path) -> None:
    fd = os.open(folder, os.O_RDONLY)
    try:
        fs.fsync(fd)
    finally:
        os.close(fd)


def _atomic_write(path: Path, data: bytes) -> None:
    """Temp file in the same folder, fsync, replace, fsync the folder: old or new, never half."""
    tmp = path.with_name(f"{path.name}.{os.getpid()}.{secrets.token_hex(4)}{TMP_SUFFIX}")
    fd = fs.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        try:
            view = memoryview(data)
            while view:
                written = fs.write(fd, view)
                view = view[written:]
            fs.fsync(fd)
        finally:
            os.close(fd)
        fs.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    _fsync_dir(path.parent)


def save_error_message(exc: OSError) -> str:
    if exc.errno == errno.ENOSPC:
        why = "the disk is full"
    elif exc.errno in (errno.EACCES, errno.EPERM, errno.EROFS):
        why = "the vault folder cannot be written to"
    else:
        why = exc.strerror or str(exc)
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
        self._db: SqliteDatabase | None = None
        self._lock_fd: int | None = None
        self._write_lock = threading.Lock()
        self._written_seq = 0
        self._seq = 0
        self.readonly = False

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
            raise VaultLockedError(
                "This vault is already open in another sitecare"
                + (f" ({holder})" if holder else "")
                + ": close that one, or open this one read-only.",
                holder,
            ) from None
        os.ftruncate(fd, 0)
        os.pwrite(fd, f"pid {os.getpid()} on {socket.gethostname()}".encode(), 0)
        self._lock_fd = fd

    def release_lock(self) -> None:
        if self._lock_fd is not None:
            try:
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
        self._bind(None)
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

    def open_with_key(self, kek: bytes, readonly: bool = False) -> list[int]:
        self.readonly = readonly
        if not readonly and self._lock_fd is None:
            self.acquire_lock()
        try:
            if not readonly:
                self.remove_stale_files()
            header, data_key, image = decrypt_bytes(self.read_file(), kek)
            self.load(header, data_key, image)
            # Read-only opens are upgraded in memory too, so queries see the current schema.
            upgraded = migrations.upgrade()
            if not readonly:
                self._finish_passphrase_change()
                if upgraded:
                    self.save()
            return upgraded
        except BaseException:
            self.close()
            raise

    def load(self, header: Header, data_key: bytes, image: bytes) -> None:
        self.header = header
        self._data_key = data_key
        self._bind(image)

    def _bind(self, image: bytes | None) -> None:
        if self._db is not None:
            self._db.close()
        db = SqliteDatabase(":memory:", autoconnect=False)
        db.connect()
        if image is not None:
            # deserialize() only into a fresh connection with no cursor: otherwise SQLite
            # can crash the process (measured).
            try:
                db.connection().deserialize(image)
            except sqlite3.DatabaseError:
                db.close()
                raise VaultDamagedError("The vault decrypted but its database is damaged.") from None
        # Without these, sorting spills plaintext to /var/tmp and deleted text stays in
        # the saved image (both measured).
        db.execute_sql("PRAGMA temp_store = MEMORY")
        db.execute_sql("PRAGMA secure_delete = ON")
        db.execute_sql("PRAGMA foreign_keys = ON")
        if image is not None:
            try:
                result = db.execute_sql("PRAGMA quick_check").fetchone()[0]
            except sqlite3.DatabaseError:
                result = "unreadable"
            if result != "ok":
                db.close()
                raise VaultDamagedError("The vault decrypted but its database fails SQLite's integrity check.")
        self._db = db
        database.initialize(db)

    def close(self, keep_lock: bool = False) -> None:
        """Drop the key and the in-memory data. `keep_lock` is for the idle lock: the
        vault stays ours while the screen asks for the passphrase again."""
        self._data_key = None
        if self._db is not None:
            self._db.close()
            self._db = None
        database.initialize(None)
        if not keep_lock:
            self.release_lock()

    # -- saving ------------------------------------------------------------------------

    def serialize(self) -> tuple[int, bytes]:
        """(sequence, image) of the committed database. Call on the vault's own thread."""
        if self._db is None:
            raise VaultError("The vault is locked.")
        conn = self._db.connection()
        if conn.in_transaction:
            raise VaultError("Cannot save in the middle of a change; it is saved when the change commits.")
        self._seq += 1
        return self._seq, conn.serialize()

    def write_image(self, seq: int, image: bytes) -> bool:
        """Encrypt and write one image; safe from a worker. An image older than one
        already written is skipped, so out-of-order workers never step back in time."""
        if self.readonly:
            raise ReadOnlyError("This vault is open read-only, so changes cannot be saved.")
        with self._write_lock:
            if seq <= self._written_seq:
                return False
            self._write(image)
            self._written_seq = seq
            return True

    def save(self, first: bool = False) -> None:
        seq, image = self.serialize()
        if first:
            with self._write_lock:
                self._write(image, first=True)
                self._written_seq = seq
        else:
            self.write_image(seq, image)

    def _write(self, image: bytes, first: bool = False) -> None:
        if self._data_key is None or self.header is None:
            raise VaultError("The vault is locked.")
        if not first:
            self._check_not_changed_underneath()
        header = replace(self.header, generation=self.header.generation + 1, saved_at=int(time.time()))
        header, blob = encrypt_image(header, self._data_key, image)
        try:
            if self.path.exists():
                self._keep_backup(self.header.generation)
            _atomic_write(self.path, blob)
        except OSError as exc:
            raise VaultSaveError(save_error_message(exc)) from None
        self.header = header
        self._prune_backups()

    def _check_not_changed_underneath(self) -> None:
        try:
            on_disk = self.read_header()
        except VaultMissingError:
            raise VaultChangedError(
                f"The vault file {self.path} has disappeared since it was opened; nothing was "
                "overwritten: your changes are kept in memory, so restore the file or a backup."
            ) from None
        except VaultDamagedError:
            raise VaultChangedError(
                "The vault file on disk was damaged since it was opened; it was not overwritten: "
                "run 'sitecare locate' to see the backups."
            ) from None
        assert self.header is not None
        if on_disk.vault_id != self.header.vault_id or on_disk.generation != self.header.generation:
            raise VaultChangedError(
                f"The vault file was changed by another device or program since it was opened "
                f"(generation {on_disk.generation}, expected {self.header.generation}); it was not "
                "overwritten: quit and reopen sitecare to see the other changes."
            )

    def _keep_backup(self, generation: int) -> None:
        self.backup_dir.mkdir(exist_ok=True, mode=0o700)
        target = self.backup_dir / f"sitecare-g{generation:010d}.vault"
        if target.exists():
            return
        try:
            # A hard link is instant and atomic; the replace that follows leaves the old
            # generation's bytes reachable only through the backup name.
            fs.link(self.path, target)
        except OSError as exc:
            if exc.errno not in (errno.EXDEV, errno.EPERM, errno.ENOTSUP, errno.EMLINK):
                raise
            _atomic_write(target, self.path.read_bytes())
        _fsync_dir(self.backup_dir)

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
        """
        if self.readonly or self.header is None or self._data_key is None:
            raise VaultError("Unlock the vault (not read-only) before changing its passphrase.")
        old_kek = derive_key(current, self.header.salt, self.header.kdf)
        old_key = unwrap_data_key(self.header, old_kek)
        self._check_not_changed_underneath()
        salt = secrets.token_bytes(16)
        new_kek = derive_key(new, salt, params)
        new_key = AESGCM.generate_key(256)
        header = new_header(new_kek, new_key, salt, params, self.header.vault_id, self.header.generation + 1)
        _, image = self.serialize()
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
        self.header = header
        self._data_key = new_key
        self._finish_passphrase_change()

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

    def restore_backup(self, backup: Path) -> Path:
        """Put a kept generation back as the vault; the current file is kept beside it."""
        if not backup.exists():
            raise VaultError(f"There is no backup at {backup}.")
        parse_header(backup.read_bytes()[:HEADER_LEN], "That backup")
        kept = None
        if self.path.exists():
            kept = self.folder / f"sitecare-replaced-{int(time.time())}.vault"
            shutil.copy2(self.path, kept)
        _atomic_write(self.path, backup.read_bytes())
        return kept or self.path
