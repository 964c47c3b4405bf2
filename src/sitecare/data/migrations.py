"""Schema versions, kept in SQLite's `user_version`, upgraded on unlock.

A new vault is created at SCHEMA_VERSION directly. An older vault is upgraded step by
step inside one transaction, so a failed upgrade leaves the image as it was (and the
file on disk is untouched until the upgraded image is saved).
"""

from __future__ import annotations

from typing import Callable

from peewee import Database

from .models import ALL_MODELS, database

SCHEMA_VERSION = 3


class SchemaTooNewError(Exception):
    pass


# Triggers make the chronology append-only for every path, raw SQL included; the only
# exception is a retention disposal, which holds an ErasurePermit row while it runs.
_APPEND_ONLY_TRIGGERS = [
    """CREATE TRIGGER IF NOT EXISTS chronology_no_update
       BEFORE UPDATE ON chronology_entry
       BEGIN SELECT RAISE(ABORT, 'chronology entries are append-only'); END""",
    """CREATE TRIGGER IF NOT EXISTS chronology_no_delete
       BEFORE DELETE ON chronology_entry
       WHEN NOT EXISTS (SELECT 1 FROM erasure_permit)
       BEGIN SELECT RAISE(ABORT, 'chronology entries are append-only'); END""",
]

_INDEXES = [
    "CREATE INDEX IF NOT EXISTS contact_site_role ON contact (site_id, role, to_date)",
    "CREATE INDEX IF NOT EXISTS chronology_concern_at ON chronology_entry (concern_id, at)",
    # Covers the attention list's question of each open concern's chronology (the last
    # referral, outcome or sharing), so that SQLite answers it without reading texts.
    "CREATE INDEX IF NOT EXISTS chronology_concern_kind_at ON chronology_entry (concern_id, kind, at)",
    "CREATE INDEX IF NOT EXISTS action_open_due ON action (done_on, due)",
]


def _v1_to_v2(db: Database) -> None:
    # v2 gave each local authority office hours, which decide when its out-of-hours
    # line is the one to call (seed 000 lists both numbers).
    db.execute_sql("ALTER TABLE local_authority ADD COLUMN office_open VARCHAR(255) NOT NULL DEFAULT '09:00'")
    db.execute_sql("ALTER TABLE local_authority ADD COLUMN office_close VARCHAR(255) NOT NULL DEFAULT '17:00'")


def _v2_to_v3(db: Database) -> None:
    # v3 lets a consent keep its signed form (seed 001: "we keep a record of when and how
    # we received consent"), so a client's disposal can find and delete the file too.
    db.execute_sql("ALTER TABLE consent ADD COLUMN attachment_id INTEGER REFERENCES attachment (id) ON DELETE SET NULL")
    db.execute_sql('CREATE INDEX IF NOT EXISTS "consent_attachment_id" ON "consent" ("attachment_id")')


UPGRADES: dict[int, Callable[[Database], None]] = {1: _v1_to_v2, 2: _v2_to_v3}


def _in_place() -> bool:
    """Whether every trigger and index the upgrade makes is already there."""
    names = [sql.split(" IF NOT EXISTS ", 1)[1].split()[0] for sql in _APPEND_ONLY_TRIGGERS + _INDEXES]
    found = {name for name, in database.execute_sql(
        f"SELECT name FROM sqlite_master WHERE name IN ({', '.join('?' * len(names))})", names).fetchall()}
    return found == set(names)


def schema_version(db: Database | None = None) -> int:
    db = db or database
    return db.execute_sql("PRAGMA user_version").fetchone()[0]


def create_schema() -> None:
    with database.atomic():
        database.create_tables(ALL_MODELS)
        for sql in _APPEND_ONLY_TRIGGERS + _INDEXES:
            database.execute_sql(sql)
        database.execute_sql(f"PRAGMA user_version = {SCHEMA_VERSION}")


def due() -> bool:
    """Whether upgrade() has anything to write."""
    return schema_version() != SCHEMA_VERSION or not _in_place()


def upgrade() -> list[int]:
    """Bring an unlocked image up to SCHEMA_VERSION; returns the versions passed through."""
    version = schema_version()
    if version > SCHEMA_VERSION:
        raise SchemaTooNewError(
            f"This vault was written by a newer sitecare (schema {version}, this one knows "
            f"{SCHEMA_VERSION}): update sitecare to open it."
        )
    if version == SCHEMA_VERSION and _in_place():
        # Nothing to do, so nothing written: even a no-op write transaction bumps
        # SQLite's change counter, and a changed image is saved at the next save, so
        # every opening made a journal record and every other one a full save that moved
        # the oldest backup out.
        return []
    passed = []
    with database.atomic():
        while version < SCHEMA_VERSION:
            UPGRADES[version](database)
            version += 1
            passed.append(version)
        for sql in _APPEND_ONLY_TRIGGERS + _INDEXES:
            database.execute_sql(sql)
        database.execute_sql(f"PRAGMA user_version = {SCHEMA_VERSION}")
    return passed
