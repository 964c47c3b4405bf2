"""Helpers shared by tests (imported as `support`: tests/ is on sys.path)."""

from __future__ import annotations

from pathlib import Path
from typing import NamedTuple

from sitecare.data import vault as vault_mod
from sitecare.data.vault import Vault

PASSPHRASE = "correct horse battery staple"


class Record(NamedTuple):
    offset: int
    seq: int
    length: int  # the whole record, header included
    nonce: bytes


def journal_records(raw: bytes) -> list[Record]:
    """The journal records of a vault file's bytes, read from their plain headers
    (not decrypted): where each starts, its sequence number, length and nonce."""
    header = vault_mod.parse_header(raw)
    offset = vault_mod.base_end(header)
    found = []
    while offset + vault_mod._REC_HEAD.size <= len(raw):
        mark, seq, length, nonce = vault_mod._REC_HEAD.unpack_from(raw, offset)
        if mark != vault_mod._REC_MARK:
            break
        size = vault_mod._REC_HEAD.size + length
        found.append(Record(offset, seq, size, nonce))
        offset += size
    return found


def reopen(folder: Path, kek: bytes) -> Vault:
    vault = Vault(folder)
    vault.open_with_key(kek)
    return vault


def drop_consent_attachment(db) -> None:
    """Give an open image's consent table its schema-2 shape (no attachment_id), keeping
    its rows: SQLite cannot drop a column named in a foreign key, so the table is rebuilt."""
    db.execute_sql('DROP INDEX "consent_attachment_id"')
    db.execute_sql(
        'CREATE TABLE "consent_v2" ("id" INTEGER NOT NULL PRIMARY KEY, "client_id" INTEGER NOT NULL, '
        '"purpose" VARCHAR(255) NOT NULL, "essential" INTEGER NOT NULL, "given_on" DATE NOT NULL, '
        '"how" VARCHAR(255) NOT NULL, "given_by" VARCHAR(255) NOT NULL, "competence_judgement" TEXT NOT NULL, '
        '"reviewed_on" DATE, "withdrawn_on" DATE, "notes" TEXT NOT NULL, '
        'FOREIGN KEY ("client_id") REFERENCES "client" ("id") ON DELETE CASCADE)'
    )
    columns = ("id, client_id, purpose, essential, given_on, how, given_by, competence_judgement, "
               "reviewed_on, withdrawn_on, notes")
    db.execute_sql(f'INSERT INTO "consent_v2" ({columns}) SELECT {columns} FROM "consent"')
    db.execute_sql('DROP TABLE "consent"')
    db.execute_sql('ALTER TABLE "consent_v2" RENAME TO "consent"')
    db.execute_sql('CREATE INDEX "consent_client_id" ON "consent" ("client_id")')


async def settle(app, pilot, rounds: int = 3) -> None:
    """Let the app's workers finish and the screen catch up with what they posted (a
    worker's message may start another worker: hence the rounds)."""
    for _ in range(rounds):
        await app.workers.wait_for_complete()
        await pilot.pause()


async def help_rows(pilot) -> list[tuple[str, str]]:
    """Open the help (F1) and read its rows: (key, what it does)."""
    from textual.widgets import DataTable

    await pilot.press("f1")
    await pilot.pause()
    table = pilot.app.screen.query_one(DataTable)
    return [tuple(str(c) for c in table.get_row_at(r)) for r in range(table.row_count)]
