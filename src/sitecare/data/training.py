"""My training records and their certificates, and how they stand against each site.

Queries and commands for screens/training.py and screens/compliance.py. Certificates
are copied into the vault encrypted (vault.put_blob) with an Attachment row naming the
file, its size and SHA-256; the original file is only ever read. The functions marked
"worker-safe" touch bytes and files only, never the database, so they can run in a
Textual worker; the others must run on the app's thread.
"""

from __future__ import annotations

import atexit
import errno
import hashlib
import mimetypes
import os
import secrets
import shutil
import stat
import subprocess
import sys
import tempfile
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from ..rules.dates import show_date
from ..rules.validity import (
    TrainingKindRule,
    TrainingState,
    TrainingStatus,
    expiry_for,
    requirement_status,
    training_status,
)
from peewee import JOIN

from .models import Attachment, Requirement, Site, TrainingKind, TrainingRecord, change
from .vault import Vault, VaultError

MAX_CERTIFICATE_BYTES = 20 * 1024 * 1024


class CertificateError(ValueError):
    """One sentence fit to show next to the path field."""


class TargetExistsError(CertificateError):
    """The export target exists; the screen asks before overwriting."""


class TrainingError(ValueError):
    """A value the form must correct; `field` names the input it belongs to."""

    def __init__(self, field: str, message: str):
        super().__init__(message)
        self.field = field


# --------------------------------------------------------------------------- kinds


@dataclass(frozen=True)
class KindInfo:
    id: int
    code: str
    name: str
    validity_months: int | None
    renewal_note: str

    @property
    def rule(self) -> TrainingKindRule:
        return TrainingKindRule(self.code, self.name, self.validity_months)

    @property
    def validity_text(self) -> str:
        if self.validity_months is None:
            return "no fixed expiry: each site sets its own"
        if self.validity_months % 12 == 0:
            years = self.validity_months // 12
            return f"valid {years} year{'s' if years != 1 else ''}"
        return f"valid {self.validity_months} months"


def kinds() -> list[KindInfo]:
    return [
        KindInfo(k.id, k.code, k.name, k.validity_months, k.renewal_note)
        for k in TrainingKind.select().order_by(TrainingKind.name)
    ]


def kind(kind_id: int) -> KindInfo:
    k = TrainingKind.get_by_id(kind_id)
    return KindInfo(k.id, k.code, k.name, k.validity_months, k.renewal_note)


def computed_expiry(kind_id: int, completed: date) -> date | None:
    """The expiry the kind's validity gives (seed 003: safeguarding every 3 years)."""
    return expiry_for(kind(kind_id).rule, completed)


# --------------------------------------------------------------------------- records


@dataclass(frozen=True)
class CertificateInfo:
    attachment_id: int
    blob_id: str
    filename: str
    size: int
    sha256: str
    media_type: str


@dataclass(frozen=True)
class RecordInfo:
    id: int
    kind_id: int
    kind_name: str
    completed: date
    expires: date | None
    expiry_overridden: bool
    provider: str
    notes: str
    certificate: CertificateInfo | None
    status: TrainingStatus
    current: bool  # the record that counts for its kind (the longest-lasting one)


_STATE_RANK = {
    TrainingState.EXPIRED: 0,
    TrainingState.MISSING: 1,
    TrainingState.EXPIRING: 2,
    TrainingState.OK: 3,
    TrainingState.NO_EXPIRY: 4,
}


@dataclass(frozen=True)
class KindGroup:
    kind: KindInfo
    records: list[RecordInfo]
    required_by: list[str]
    # Sites whose own limit (a maximum age) is stricter than the certificate, and how
    # the training stands for them: Prevent "in line with" each establishment (003).
    site_limits: list[tuple[str, TrainingStatus]] = field(default_factory=list)

    @property
    def status(self) -> TrainingStatus | None:
        for record in self.records:
            if record.current:
                return record.status
        return None

    @property
    def worst_site(self) -> tuple[TrainingState, list[str]] | None:
        """The worst state a site's own limit puts this training in, and those sites,
        when it is worse than the certificate's own state."""
        own = self.status
        own_rank = _STATE_RANK[own.state] if own else 1
        bad = [(s, name) for name, s in self.site_limits if _STATE_RANK[s.state] < min(own_rank, 3)]
        if not bad:
            return None
        worst = min(_STATE_RANK[s.state] for s, _ in bad)
        state = next(s.state for s, _ in bad if _STATE_RANK[s.state] == worst)
        return state, sorted(name for s, name in bad if s.state is state)


def _certificate(record: TrainingRecord) -> CertificateInfo | None:
    if record.certificate_id is None:
        return None
    a = record.certificate
    return CertificateInfo(a.id, a.blob_id, a.filename, a.size, a.sha256, a.media_type)


def record_info(record_id: int, today: date, warn_days: int) -> RecordInfo:
    record = TrainingRecord.get_by_id(record_id)
    return _info(record, today, warn_days, current=False)


def _info(record: TrainingRecord, today: date, warn_days: int, current: bool, kind_name: str | None = None) -> RecordInfo:
    if record.completed > today:
        status = TrainingStatus(training_status(record.expires, today, warn_days).state, record.expires, None,
                                f"booked for {show_date(record.completed)}")
    else:
        status = training_status(record.expires, today, warn_days)
    return RecordInfo(
        id=record.id,
        kind_id=record.kind_id,
        kind_name=record.kind.name if kind_name is None else kind_name,
        completed=record.completed,
        expires=record.expires,
        expiry_overridden=record.expiry_overridden,
        provider=record.provider,
        notes=record.notes,
        certificate=_certificate(record),
        status=status,
        current=current,
    )


def grouped_records(today: date, warn_days: int) -> list[KindGroup]:
    """Every kind (those with records first), each with its records newest first."""
    required: dict[int, list[str]] = {}
    limits: dict[int, list[tuple[str, TrainingStatus]]] = {}
    records = _records_by_kind()
    for req in Requirement.select(Requirement, Site).join(Site).where(Site.archived == False):  # noqa: E712
        required.setdefault(req.kind_id, []).append(req.site.name)
        if req.max_age_months is not None and records.get(req.kind_id):
            status = requirement_status(req.max_age_months, records[req.kind_id], today, warn_days)
            if status.limited_by_site:
                limits.setdefault(req.kind_id, []).append((req.site.name, status))
    groups = []
    for k in kinds():
        # The certificate joined and the kind's name given: read one by one for each
        # record, they made the training screen take 3 s to open on a decade's records.
        rows = list(
            TrainingRecord.select(TrainingRecord, Attachment)
            .join(Attachment, JOIN.LEFT_OUTER, on=(TrainingRecord.certificate == Attachment.id))
            .where(TrainingRecord.kind == k.id)
            .order_by(TrainingRecord.completed.desc(), TrainingRecord.id.desc())
        )
        done = [r for r in rows if r.completed <= today]
        best = max(done, key=lambda r: (r.expires is None, r.expires or date.min, r.completed)) if done else None
        infos = [_info(r, today, warn_days, current=best is not None and r.id == best.id, kind_name=k.name) for r in rows]
        groups.append(KindGroup(k, infos, sorted(required.get(k.id, [])), sorted(limits.get(k.id, []), key=lambda x: x[0])))
    groups.sort(key=lambda g: (not g.records, g.kind.name))
    return groups


def save_record(
    record_id: int | None,
    *,
    kind_id: int,
    completed: date,
    expires: date | None,
    expiry_overridden: bool,
    provider: str,
    notes: str,
    today: date,
    certificate: "StoredCertificate | None" = None,
) -> tuple[int, str | None]:
    """Add or change a record (and attach a stored certificate in the same change).

    Returns (record id, blob id of a certificate it replaced, to delete once saved).
    """
    if completed > today:
        raise TrainingError("completed", "That date is in the future: record training once it is done.")
    if expires is not None and expires < completed:
        raise TrainingError("expires", "The expiry cannot be before the date it was completed.")
    replaced = None
    with change():
        if record_id is None:
            record = TrainingRecord(kind=kind_id)
        else:
            record = TrainingRecord.get_by_id(record_id)
            record.kind = kind_id
        record.completed = completed
        record.expires = expires
        record.expiry_overridden = expiry_overridden
        record.provider = provider.strip()
        record.notes = notes.strip()
        if certificate is not None:
            replaced = _link(record, certificate)
        record.save()
    return record.id, replaced


def _link(record: TrainingRecord, stored: "StoredCertificate") -> str | None:
    old = record.certificate if record.certificate_id is not None else None
    attachment = Attachment.create(
        blob_id=stored.blob_id,
        filename=stored.filename,
        media_type=stored.media_type,
        size=stored.size,
        sha256=stored.sha256,
    )
    record.certificate = attachment
    if old is None:
        return None
    # The old attachment row goes when nothing else points at it.
    record.save()
    blob = old.blob_id
    old.delete_instance()
    return blob


def attach_certificate(record_id: int, stored: "StoredCertificate") -> str | None:
    """Attach (or replace) a record's certificate; returns a replaced blob id to delete."""
    with change():
        record = TrainingRecord.get_by_id(record_id)
        replaced = _link(record, stored)
        record.save()
    return replaced


def remove_certificate(record_id: int) -> str | None:
    with change():
        record = TrainingRecord.get_by_id(record_id)
        if record.certificate_id is None:
            return None
        old = record.certificate
        record.certificate = None
        record.save()
        blob = old.blob_id
        old.delete_instance()
    return blob


def delete_record(record_id: int) -> str | None:
    """Delete a record and its certificate's row; returns the blob id to delete."""
    with change():
        record = TrainingRecord.get_by_id(record_id)
        old = record.certificate if record.certificate_id is not None else None
        record.delete_instance()
        blob = None
        if old is not None:
            blob = old.blob_id
            old.delete_instance()
    return blob


def discard_blob(vault: Vault, blob_id: str | None) -> None:
    """Remove an encrypted file no row points at any more (after the change saved)."""
    if blob_id:
        try:
            vault.delete_blob(blob_id)
        except (OSError, VaultError):
            pass  # an orphaned encrypted file is harmless; never fail a delete over it


# --------------------------------------------------------------------------- certificate files


@dataclass(frozen=True)
class StoredCertificate:
    blob_id: str
    filename: str
    size: int
    sha256: str
    media_type: str


def _size_text(size: int) -> str:
    if size >= 1024 * 1024:
        return f"{size / (1024 * 1024):.1f} MB"
    if size >= 1024:
        return f"{size / 1024:.0f} KB"
    return f"{size} bytes"


def resolve_source(text: str) -> Path:
    """The certificate file a person typed, checked: worker-safe, and fast enough to
    call on the app's thread for an immediate message next to the field."""
    raw = (text or "").strip().strip("'\"")
    if not raw:
        raise CertificateError("Enter the path of the certificate file, for example ~/Downloads/certificate.pdf.")
    path = Path(raw).expanduser()
    try:
        info = path.stat()
    except FileNotFoundError:
        raise CertificateError(f"There is no file at {path}.") from None
    except PermissionError:
        raise CertificateError(f"{path} cannot be read (permission denied).") from None
    except OSError as exc:
        raise CertificateError(f"{path} cannot be read ({exc.strerror or exc}).") from None
    if stat.S_ISDIR(info.st_mode):
        raise CertificateError(f"{path} is a folder: give the certificate file inside it.")
    if not stat.S_ISREG(info.st_mode):
        raise CertificateError(f"{path} is not an ordinary file.")
    if info.st_size == 0:
        raise CertificateError(f"{path} is empty (0 bytes): check it is the right file.")
    if info.st_size > MAX_CERTIFICATE_BYTES:
        raise CertificateError(
            f"{path.name} is {_size_text(info.st_size)}; a certificate can be at most "
            f"{MAX_CERTIFICATE_BYTES // (1024 * 1024)} MB: save or scan it smaller (a PDF is usually well under 1 MB)."
        )
    if not os.access(path, os.R_OK):
        raise CertificateError(f"{path} cannot be read (permission denied).")
    return path


def store_certificate(vault: Vault, text: str) -> StoredCertificate:
    """Read the file (never changing it) and keep an encrypted copy. Worker-safe."""
    path = resolve_source(text)
    try:
        with open(path, "rb") as handle:
            data = handle.read(MAX_CERTIFICATE_BYTES + 1)
    except OSError as exc:
        raise CertificateError(f"{path} cannot be read ({exc.strerror or exc}).") from None
    if len(data) > MAX_CERTIFICATE_BYTES:
        # It grew between the check and the read.
        raise CertificateError(f"{path.name} is over {MAX_CERTIFICATE_BYTES // (1024 * 1024)} MB; a certificate can be at most that.")
    if not data:
        raise CertificateError(f"{path} is empty (0 bytes): check it is the right file.")
    try:
        blob_id = vault.put_blob(data)
    except VaultError as exc:
        raise CertificateError(str(exc)) from None
    media_type = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
    return StoredCertificate(blob_id, path.name, len(data), hashlib.sha256(data).hexdigest(), media_type)


def export_target(text: str, filename: str) -> Path:
    """Where an export goes: the path typed, or the certificate's own name inside a folder."""
    raw = (text or "").strip().strip("'\"")
    if not raw:
        raise CertificateError("Enter where to save the copy, for example ~/Documents/ or ~/Documents/certificate.pdf.")
    path = Path(raw).expanduser()
    if path.is_dir() or raw.endswith(os.sep):
        path = path / filename
    if not path.parent.is_dir():
        raise CertificateError(f"There is no folder {path.parent}: create it first or choose another.")
    if path.is_dir():
        raise CertificateError(f"{path} is a folder: give a file name.")
    return path


def export_certificate(vault: Vault, cert: CertificateInfo, target: Path, overwrite: bool = False) -> Path:
    """Decrypt the certificate and write it to `target` (mode 0600). Worker-safe.

    Refuses an existing file unless `overwrite` (the screen asks first). The bytes are
    checked against the SHA-256 recorded when the certificate was attached.
    """
    if target.exists() and not overwrite:
        raise TargetExistsError(f"{target} already exists.")
    try:
        data = vault.get_blob(cert.blob_id)
    except VaultError as exc:
        raise CertificateError(str(exc)) from None
    if hashlib.sha256(data).hexdigest() != cert.sha256:
        raise CertificateError("The stored certificate does not match the one attached (its checksum differs); nothing was written.")
    tmp = target.with_name(f".{target.name}.{secrets.token_hex(4)}.part")
    try:
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        try:
            view = memoryview(data)
            while view:
                view = view[os.write(fd, view):]
            os.fsync(fd)
        finally:
            os.close(fd)
        if overwrite:
            os.replace(tmp, target)
        else:
            # link() fails if the target appeared meanwhile: never overwrite unasked.
            try:
                os.link(tmp, target)
            except FileExistsError:
                raise TargetExistsError(f"{target} already exists.") from None
            except OSError as exc:
                if exc.errno not in (errno.EPERM, errno.ENOTSUP, errno.EXDEV, errno.EMLINK):
                    raise
                if target.exists():
                    raise TargetExistsError(f"{target} already exists.") from None
                os.replace(tmp, target)
        os.chmod(target, 0o600)
    except CertificateError:
        raise
    except OSError as exc:
        why = "the disk is full" if exc.errno == errno.ENOSPC else (exc.strerror or str(exc))
        raise CertificateError(f"Could not write {target} ({why}).") from None
    finally:
        tmp.unlink(missing_ok=True)
    return target


# --------------------------------------------------------------------------- the system viewer

_viewed: list[Path] = []


def viewer_command() -> list[str] | None:
    """The system's "open this file" command, or None when there is none."""
    if sys.platform == "darwin" and shutil.which("open"):
        return ["open"]
    for name in ("xdg-open", "gio"):
        found = shutil.which(name)
        if found:
            return [found, "open"] if name == "gio" else [found]
    return None


def _viewer_folder() -> Path:
    # Prefer the per-user runtime folder (memory-backed on most Linux systems).
    base = os.environ.get("XDG_RUNTIME_DIR") or tempfile.gettempdir()
    folder = Path(base) / f"sitecare-view-{os.getuid()}"
    folder.mkdir(mode=0o700, exist_ok=True)
    os.chmod(folder, 0o700)
    return folder


VIEWER_WAIT_SECONDS = 3


def open_certificate(vault: Vault, cert: CertificateInfo) -> Path:
    """Decrypt a temporary copy (0600, removed when sitecare exits) and hand it to the
    system viewer. Worker-safe. CertificateError when there is no viewer, no desktop
    to show it on, or the viewer says it cannot open it."""
    command = viewer_command()
    if command is None:
        raise CertificateError(
            "There is no system viewer here (no xdg-open or open): export the certificate (x) and open the copy instead."
        )
    if sys.platform.startswith("linux") and not (os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY")):
        raise CertificateError(
            "There is no graphical desktop in this session to show the certificate on: export it (x) instead."
        )
    folder = Path(tempfile.mkdtemp(prefix="c-", dir=_viewer_folder()))
    target = export_certificate(vault, cert, folder / Path(cert.filename).name)
    _viewed.append(folder)
    try:
        process = subprocess.Popen(
            [*command, str(target)],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
    except OSError as exc:
        raise CertificateError(f"The system viewer could not be started ({exc.strerror or exc}).") from None
    # xdg-open and open return at once once a viewer has the file; a failure shows as
    # a non-zero exit. Still running after a moment means a viewer is showing it.
    try:
        code = process.wait(timeout=VIEWER_WAIT_SECONDS)
    except subprocess.TimeoutExpired:
        return target
    if code != 0:
        raise CertificateError(
            f"The system viewer ({Path(command[0]).name}) could not open {cert.filename}: "
            "no program for this kind of file may be set up. Export it (x) instead."
        )
    return target


@atexit.register
def remove_viewed_copies() -> None:
    """The decrypted copies handed to a viewer go when sitecare does."""
    while _viewed:
        shutil.rmtree(_viewed.pop(), ignore_errors=True)


# --------------------------------------------------------------------------- compliance


@dataclass(frozen=True)
class ComplianceRow:
    site_id: int
    site_name: str
    site_kind: str
    cells: dict[int, TrainingStatus]  # kind id -> status, only for required kinds
    max_age: dict[int, int | None]


@dataclass(frozen=True)
class ComplianceMatrix:
    kinds: list[KindInfo]  # the kinds any active site requires, by name
    rows: list[ComplianceRow]


def _records_by_kind() -> dict[int, list[tuple[date, date | None]]]:
    found: dict[int, list[tuple[date, date | None]]] = {}
    for r in TrainingRecord.select():
        found.setdefault(r.kind_id, []).append((r.completed, r.expires))
    return found


def compliance_matrix(today: date, warn_days: int, site_id: int | None = None) -> ComplianceMatrix:
    """Active sites (or one site) x the kinds they require, each cell from
    rules.validity.requirement_status: ok / expiring / expired / missing."""
    records = _records_by_kind()
    query = (
        Requirement.select(Requirement, Site, TrainingKind)
        .join(Site)
        .switch(Requirement)
        .join(TrainingKind)
        .where(Site.archived == False)  # noqa: E712
    )
    if site_id is not None:
        query = query.where(Site.id == site_id)
    rows: dict[int, ComplianceRow] = {}
    used: dict[int, KindInfo] = {}
    for req in query:
        k = req.kind
        used[k.id] = KindInfo(k.id, k.code, k.name, k.validity_months, k.renewal_note)
        row = rows.get(req.site_id)
        if row is None:
            row = rows[req.site_id] = ComplianceRow(req.site_id, req.site.name, req.site.kind, {}, {})
        row.cells[k.id] = requirement_status(req.max_age_months, records.get(k.id, []), today, warn_days)
        row.max_age[k.id] = req.max_age_months
    if site_id is not None and not rows:
        site = Site.get_or_none(Site.id == site_id)
        if site is not None:
            rows[site.id] = ComplianceRow(site.id, site.name, site.kind, {}, {})
    return ComplianceMatrix(
        kinds=sorted(used.values(), key=lambda k: k.name),
        rows=sorted(rows.values(), key=lambda r: r.site_name.casefold()),
    )
