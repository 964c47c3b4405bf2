"""Schema 3: a consent keeps its signed form. A schema-2 vault is upgraded on unlock."""

from __future__ import annotations

from datetime import date

from sitecare.data import migrations, models
from sitecare.data.models import Client, Consent, change

from support import drop_consent_attachment, reopen


def columns(table: str) -> set[str]:
    return {row[1] for row in models.database.execute_sql(f"PRAGMA table_info({table})").fetchall()}


def test_a_schema_2_vault_gets_consent_attachments_and_keeps_its_consents(open_vault, template_kek):
    with change():
        client = Client.create(reference="CH-0900", initials="QZ", date_of_birth=date(2015, 5, 1))
        Consent.create(client=client, purpose="therapy", given_on=date(2026, 9, 1), how="consent form", given_by="parent")
    drop_consent_attachment(models.database)
    models.database.execute_sql("PRAGMA user_version = 2")
    assert "attachment_id" not in columns("consent")
    open_vault.save()
    folder = open_vault.folder
    open_vault.close()

    vault = reopen(folder, template_kek)
    try:
        assert migrations.schema_version() == 3
        assert "attachment_id" in columns("consent")
        consent = Consent.get()
        assert (consent.client.reference, consent.given_by, consent.attachment) == ("CH-0900", "parent", None)
        indexes = {row[1] for row in models.database.execute_sql("PRAGMA index_list(consent)").fetchall()}
        assert "consent_attachment_id" in indexes
    finally:
        vault.close()
