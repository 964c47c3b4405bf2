"""An older-schema vault is upgraded on unlock, keeping its data, and saved upgraded."""

from __future__ import annotations

import pytest

from sitecare.data import migrations, models
from sitecare.data.models import LocalAuthority, Site, change
from sitecare.data.vault import Vault

from support import drop_consent_attachment, reopen


def make_v1_vault(vault: Vault) -> None:
    """Turn an open current vault into what schema 1 looked like on disk: local
    authorities had no office hours."""
    with change():
        Site.create(name="Kept Through The Upgrade", local_authority=LocalAuthority.get(name="Luton"))
    db = models.database
    db.execute_sql("ALTER TABLE local_authority DROP COLUMN office_open")
    db.execute_sql("ALTER TABLE local_authority DROP COLUMN office_close")
    # Schema 3 gave consents their signed form.
    drop_consent_attachment(db)
    db.execute_sql("PRAGMA user_version = 1")
    vault.save()


def columns(table: str) -> set[str]:
    return {row[1] for row in models.database.execute_sql(f"PRAGMA table_info({table})").fetchall()}


def test_a_schema_1_vault_is_upgraded_on_unlock(open_vault, template_kek):
    make_v1_vault(open_vault)
    folder = open_vault.folder
    open_vault.close()

    vault = reopen(folder, template_kek)
    try:
        assert migrations.schema_version() == migrations.SCHEMA_VERSION
        assert {"office_open", "office_close"} <= columns("local_authority")
        luton = LocalAuthority.get(name="Luton")
        assert (luton.office_open, luton.office_close) == ("09:00", "17:00")
        assert Site.get(name="Kept Through The Upgrade").local_authority.name == "Luton"
    finally:
        vault.close()
    # The upgrade was saved: the file on disk now holds schema 2.
    again = reopen(folder, template_kek)
    try:
        assert migrations.schema_version() == migrations.SCHEMA_VERSION
    finally:
        again.close()


def test_a_vault_saved_before_an_index_gains_it_on_unlock(open_vault, template_kek):
    # The attention list's question of every open concern's chronology is answered
    # from this index (data/attention_inputs.py): a vault saved by an older sitecare
    # has it made at its next opening, and saved with it.
    def indexes() -> set[str]:
        return {name for name, in models.database.execute_sql(
            "SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'chronology_entry'").fetchall()}

    models.database.execute_sql("DROP INDEX chronology_concern_kind_at")
    open_vault.save()
    folder = open_vault.folder
    open_vault.close()
    for _ in range(2):
        vault = reopen(folder, template_kek)
        try:
            assert "chronology_concern_kind_at" in indexes()
            assert not migrations.due()
        finally:
            vault.close()


def test_a_vault_from_a_newer_sitecare_is_refused(open_vault, template_kek):
    models.database.execute_sql("PRAGMA user_version = 99")
    open_vault.save()
    folder = open_vault.folder
    open_vault.close()
    with pytest.raises(migrations.SchemaTooNewError, match="newer sitecare"):
        reopen(folder, template_kek)


def test_chronology_is_append_only_in_sql_too(open_vault):
    from sitecare.data.models import ChronologyEntry, Concern, AppendOnlyError
    from datetime import datetime

    with change():
        concern = Concern.create(reference="C-1")
        entry = ChronologyEntry.create(concern=concern, at=datetime(2026, 11, 2, 10, 0), text="first account")
    with pytest.raises(AppendOnlyError):
        entry.text = "rewritten"
        entry.save()
    with pytest.raises(AppendOnlyError):
        entry.delete_instance()
    with pytest.raises(AppendOnlyError):
        ChronologyEntry.update(text="x").execute()
    with pytest.raises(AppendOnlyError):
        ChronologyEntry.delete().execute()
    import peewee

    with pytest.raises(peewee.IntegrityError, match="append-only"):
        models.database.execute_sql("UPDATE chronology_entry SET text = 'x'")
    with pytest.raises(peewee.IntegrityError, match="append-only"):
        models.database.execute_sql("DELETE FROM chronology_entry")
    assert ChronologyEntry.get_by_id(entry.id).text == "first account"
