"""Retention dates and the disposal of a client's records (seed 001).

Seed 001 keeps clinical notes until a date (children: the later of 3 years after the
18th birthday and 5 years after therapy ends; adults: at least 5 years after therapy
ends) and then disposes of them "confidentially"; unclaimed artwork goes two months
after therapy ends. The dates come from rules/retention.py.

A disposal deletes the client's records so that they are gone from the vault file
itself, not merely hidden: the rows are deleted (SQLite's secure_delete zeroes them),
the in-memory database is VACUUMed (outside any transaction) so no freed page keeps a
copy, the image is saved as a whole new vault file (a full save: an ordinary save would
only append the changed pages, leaving the old pages in the file), the client's
attachment blobs are deleted, and then the kept backups, which are all older
generations still holding the records, are deleted too.
What remains is one DisposalLog line: the reference, the date, and counts of what went.

Safeguarding concerns are NOT disposed of with the client. Seed 001's retention rule is
about clinical notes; a safeguarding concern's chronology is a different record, kept
append-only under seed 002 ("what was shared with whom and why", outcomes), and such
records are kept for much longer than clinical notes (statutory guidance keeps child
protection records into adulthood, and inquiries have ordered that records relevant to
abuse must not be destroyed). Deleting them under a notes rule could destroy evidence a
LADO, a court or a review needs. So a disposal only removes each concern's *link* to the
client row (Concern.client becomes NULL); the concern, its pseudonymous reference and its
chronology stay exactly as recorded. The disposal still runs inside a transaction holding
an ErasurePermit row (the chronology triggers would allow deletes only then), and checks
that the chronology has exactly as many entries at the end as at the start, or nothing is
disposed of at all.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from ..rules import retention as rules
from ..rules.dates import show_date
from .models import (
    Attachment,
    ChronologyEntry,
    Client,
    Complaint,
    Concern,
    Consent,
    DataRequest,
    DisposalLog,
    ErasurePermit,
    change,
    database,
    suspended_commit_hooks,
)
from .vault import ReadOnlyError, Vault, VaultError

RECORDS = "records"


class DisposalError(Exception):
    """One sentence fit to show a person; nothing was disposed of."""


def retention_dates(client: Client) -> rules.RetentionDates:
    return rules.retention_dates(client.client_type, client.date_of_birth, client.therapy_end)


def plural(n: int, word: str, words: str | None = None) -> str:
    return f"{n} {word if n == 1 else (words or word + 's')}"


@dataclass(frozen=True)
class DisposalPlan:
    """Exactly what a disposal of one client would delete, keep and leave behind."""

    client_id: int
    reference: str
    consents: int
    data_requests: int
    attachments: tuple[str, ...]  # file names
    blob_ids: tuple[str, ...]
    concerns: tuple[str, ...]  # references of concerns about the client: kept, unlinked
    complaints: tuple[str, ...]  # complaints whose text mentions the reference: kept
    backups: int
    retention: rules.RetentionDates
    warnings: tuple[str, ...] = field(default=())

    def goes(self) -> list[str]:
        lines = [f"the client record {self.reference} (initials, date of birth, site, contacts, notes)"]
        lines.append(plural(self.consents, "consent"))
        lines.append(plural(self.data_requests, "data request"))
        if self.attachments:
            lines.append(f"{plural(len(self.attachments), 'attached file')} ({', '.join(self.attachments)})")
        else:
            lines.append("0 attached files")
        n = len(self.concerns)
        lines.append(f"the link{'s' if n != 1 else ''} from {plural(n, 'concern')} to this client" if n else "no concern links")
        if self.backups:
            holds = "holds" if self.backups == 1 else "hold"
            lines.append(f"{plural(self.backups, 'kept backup')} of the vault from before now, which still {holds} these records")
        return lines

    def kept(self) -> list[str]:
        lines = []
        if self.concerns:
            lines.append(
                f"{plural(len(self.concerns), 'safeguarding concern')} ({', '.join(self.concerns)}) with "
                "{} chronology: a safeguarding record, not clinical notes, so it stays under its reference.".format(
                    "its" if len(self.concerns) == 1 else "their"
                )
            )
        if self.complaints:
            lines.append(f"{plural(len(self.complaints), 'complaint')} that mention {self.reference} ({', '.join(self.complaints)}).")
        return lines

    def summary(self) -> str:
        """The DisposalLog's `what`: counts only, never a detail of the client."""
        parts = [
            "client record",
            plural(self.consents, "consent"),
            plural(self.data_requests, "data request"),
            plural(len(self.attachments), "attachment"),
        ]
        text = f"{RECORDS}: " + ", ".join(parts)
        if self.concerns:
            text += f"; {plural(len(self.concerns), 'concern')} kept, unlinked"
        return text


def plan_disposal(vault: Vault, client_id: int, today: date) -> DisposalPlan:
    client = Client.get_or_none(Client.id == client_id)
    if client is None:
        raise DisposalError("That client is no longer in the vault.")
    consents = list(Consent.select().where(Consent.client == client_id))
    attachment_ids = [c.attachment_id for c in consents if c.attachment_id is not None]
    attachments = list(Attachment.select().where(Attachment.id.in_(attachment_ids))) if attachment_ids else []
    concerns = [c.reference for c in Concern.select().where(Concern.client == client_id).order_by(Concern.reference)]
    needle = client.reference.casefold()
    complaints = [
        c.reference
        for c in Complaint.select().order_by(Complaint.reference)
        if needle in (c.complainant or "").casefold() or needle in (c.summary or "").casefold()
    ]
    dates = retention_dates(client)
    warnings = []
    if client.therapy_end is None:
        warnings.append("Therapy has not ended (no end date is recorded), so the notes are not due for disposal.")
    elif dates.notes_disposal is not None and today < dates.notes_disposal:
        warnings.append(
            f"Seed 001 keeps these notes until {show_date(dates.notes_disposal)}: dispose of them sooner only "
            "to carry out a deletion request you have agreed to."
        )
    open_deletions = DataRequest.select().where(
        (DataRequest.client == client_id) & (DataRequest.kind == "deletion") & DataRequest.completed_on.is_null()
    )
    for request in open_deletions:
        warnings.append(
            f"This carries out the deletion request received {show_date(request.received_on)}; "
            "the request goes too, and the disposal log keeps the date."
        )
    return DisposalPlan(
        client_id=client_id,
        reference=client.reference,
        consents=len(consents),
        data_requests=DataRequest.select().where(DataRequest.client == client_id).count(),
        attachments=tuple(a.filename for a in attachments),
        blob_ids=tuple(a.blob_id for a in attachments),
        concerns=tuple(concerns),
        complaints=tuple(complaints),
        backups=len(vault.backups()),
        retention=dates,
        warnings=tuple(warnings),
    )


@dataclass(frozen=True)
class DisposalResult:
    reference: str
    disposed_on: date
    backups_removed: int
    save_error: str = ""


def _fsync_folder(folder: Path) -> None:
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def dispose_client(vault: Vault, client_id: int, today: date) -> DisposalResult:
    """Delete the client's records, attachments and the older backups; keep one log line.

    Raises DisposalError (nothing changed) when it cannot start. If the vault cannot be
    saved afterwards, the records are already gone from memory and the result carries the
    save error: the file on disk still holds them until the next successful save, so the
    older backups are kept until then.
    """
    if vault.readonly:
        raise DisposalError("This vault is open read-only, so nothing can be disposed of.")
    if database.in_transaction():
        raise DisposalError("Another change is in progress: try again in a moment.")
    plan = plan_disposal(vault, client_id, today)

    class _ChronologyTouched(Exception):
        pass

    try:
        # The save hooks wait: the image must be vacuumed before it is written.
        with suspended_commit_hooks():
            with change():
                ErasurePermit.create(reason="retention disposal")
                entries_before = ChronologyEntry.select().count()
                Concern.update(client=None).where(Concern.client == client_id).execute()
                DataRequest.delete().where(DataRequest.client == client_id).execute()
                attachment_ids = [
                    c.attachment_id for c in Consent.select(Consent.attachment).where(Consent.client == client_id)
                    if c.attachment_id is not None
                ]
                Consent.delete().where(Consent.client == client_id).execute()
                if attachment_ids:
                    Attachment.delete().where(Attachment.id.in_(attachment_ids)).execute()
                Client.delete().where(Client.id == client_id).execute()
                DisposalLog.create(reference=plan.reference, disposed_on=today, what=plan.summary())
                if ChronologyEntry.select().count() != entries_before:
                    raise _ChronologyTouched
                ErasurePermit.delete().execute()
            # Outside any transaction: rebuild the database so no free page keeps a copy.
            database.execute_sql("VACUUM")
    except _ChronologyTouched:
        raise DisposalError(
            "The disposal would have changed a safeguarding chronology, so nothing was disposed of: please report this."
        ) from None

    for blob_id in plan.blob_ids:
        vault.delete_blob(blob_id)
    if plan.blob_ids:
        _fsync_folder(vault.blob_dir)

    try:
        # A whole new file: the old one, whose base and journal still hold the records,
        # becomes the newest backup and goes with the others below.
        vault.save(full=True)
    except ReadOnlyError as exc:  # pragma: no cover - refused above
        return DisposalResult(plan.reference, today, 0, str(exc))
    except VaultError as exc:
        return DisposalResult(plan.reference, today, 0, str(exc))

    # Every kept backup is an older generation that still holds the records.
    removed = 0
    for backup in vault.backups():
        try:
            backup.unlink()
            removed += 1
        except FileNotFoundError:
            pass
        except OSError:
            continue
    if removed:
        _fsync_folder(vault.backup_dir)
    return DisposalResult(plan.reference, today, removed)


def disposal_log() -> list[DisposalLog]:
    return list(DisposalLog.select().order_by(DisposalLog.disposed_on.desc(), DisposalLog.id.desc()))
