"""Disposing of a client's records: gone from the vault file itself, attachments and
older backups too; safeguarding concerns kept, unlinked; one log line left."""

from __future__ import annotations

from datetime import date, datetime

import pytest
from textual.widgets import Button, DataTable, Input, Static

from sitecare.app import SitecareApp
from sitecare.data import clients, retention
from sitecare.data.models import (
    Attachment,
    ChronologyEntry,
    Client,
    Concern,
    Consent,
    DataRequest,
    DisposalLog,
    ErasurePermit,
    Site,
    change,
)
from sitecare.data import vault as vault_mod
from sitecare.data.vault import base_end, decrypt_bytes, parse_header

from support import journal_records

TODAY = date(2026, 11, 22)

# Details that must not survive anywhere in the saved database.
REFERENCE = "CH-7319"
RAW_SECRETS = [
    b"2011-02-17",  # date of birth
    b"Dr Wolstenholme-Pargeter",  # GP contact
    b"Aunt Zephyrine on 07700 900417",  # parent/carer contact
    b"Likes painting boats on blue paper",  # client notes
    b"Zanzibar talk at the BAAT conference",  # a non-essential consent's purpose
    b"signed in green ink at the kitchen table",  # consent notes
    b"wants copies of the session notes from autumn",  # data request notes
]
FORM_BYTES = b"%PDF-1.4 consent form signed by the parent of CH-7319 %%EOF"


def make_client(vault) -> Client:
    with change():
        site = Site.create(name="Fernleigh Primary", kind="school")
        client = Client.create(
            reference=REFERENCE,
            initials="QX",
            date_of_birth=date(2011, 2, 17),
            client_type="child",
            funding="private",
            site=site,
            therapy_start=date(2019, 1, 7),
            therapy_end=date(2020, 7, 17),
            gp_contact="Dr Wolstenholme-Pargeter, Marsh Lane Surgery",
            parent_carer_contact="Aunt Zephyrine on 07700 900417",
            notes="Likes painting boats on blue paper.",
        )
        attachment = clients.attach(vault, FORM_BYTES, "consent-form.pdf")
        Consent.create(client=client, purpose="therapy", given_on=date(2019, 1, 2), how="consent form",
                       given_by="parent", notes="signed in green ink at the kitchen table", attachment=attachment)
        Consent.create(client=client, purpose="Zanzibar talk at the BAAT conference", essential=False,
                       given_on=date(2019, 3, 1), how="consent form", given_by="parent")
        DataRequest.create(client=client, requester="parent of CH-7319", kind="access", received_on=date(2026, 11, 2),
                           notes="wants copies of the session notes from autumn")
        concern = Concern.create(reference="CON-2020-004", client=client, client_reference=REFERENCE,
                                 client_type="child", account="Said an older boy took her lunch money.")
        ChronologyEntry.create(concern=concern, at=datetime(2020, 3, 4, 10, 0), kind="account",
                               text="Said an older boy took her lunch money.")
        ChronologyEntry.create(concern=concern, at=datetime(2020, 3, 4, 11, 0), kind="information_shared",
                               text="Told the DSL at Fernleigh.", shared_with="DSL")
        # Another client, who must be untouched.
        Client.create(reference="AD-0002", initials="MM", date_of_birth=date(1980, 1, 1), client_type="adult")
    return client


def saved_image(vault, kek) -> bytes:
    _, _, image = decrypt_bytes(vault.path.read_bytes(), kek)
    return image


def test_the_plan_names_exactly_what_goes(open_vault):
    client = make_client(open_vault)
    plan = retention.plan_disposal(open_vault, client.id, TODAY)
    assert (plan.reference, plan.consents, plan.data_requests) == (REFERENCE, 2, 1)
    assert plan.attachments == ("consent-form.pdf",)
    assert plan.concerns == ("CON-2020-004",)
    goes = plan.goes()
    assert goes[1:5] == [
        "2 consents",
        "1 data request",
        "1 attached file (consent-form.pdf)",
        "the link from 1 concern to this client",
    ]
    assert any("CON-2020-004" in line and "stays" in line for line in plan.kept())
    # Born 17 Feb 2011: 18 on 17 Feb 2029, +3 = 17 Feb 2032; therapy ended 17 Jul 2020, +5
    # = 17 Jul 2025. The later is 17 Feb 2032, so disposing today is early: say so.
    assert plan.retention.notes_disposal == date(2032, 2, 17)
    assert any("17 Feb 2032" in w for w in plan.warnings)


def test_disposal_leaves_no_trace_in_the_decrypted_vault_file(open_vault, template_kek, monkeypatch):
    # However small the disposal's change, it must not be an append (no journal bound).
    monkeypatch.setattr(vault_mod, "JOURNAL_MAX_FRACTION", 0)
    client = make_client(open_vault)
    # A kept backup holding the client, and a journal record after the current base.
    open_vault.save(full=True)
    with change():
        Site.create(name="Another site")
    blob_id = Attachment.get().blob_id
    before = saved_image(open_vault, template_kek)
    # The test can fail: the details are in the saved file before the disposal.
    for secret in RAW_SECRETS:
        assert secret in before, secret
    assert open_vault.blob_path(blob_id).exists()
    assert open_vault.backups()
    assert journal_records(open_vault.path.read_bytes())

    result = retention.dispose_client(open_vault, client.id, TODAY)

    assert result.save_error == ""
    image = saved_image(open_vault, template_kek)
    for secret in RAW_SECRETS:
        assert secret not in image, secret
    # The file was written whole: no journal records after the base, whose older pages
    # (and the records' old pages) would still hold the details.
    raw = open_vault.path.read_bytes()
    assert len(raw) == base_end(parse_header(raw))
    assert FORM_BYTES not in image
    # The attachment's blob file is gone, and so are the older generations.
    assert not open_vault.blob_path(blob_id).exists()
    assert open_vault.backups() == []
    assert result.backups_removed >= 1
    # One line is left, with the reference and the date, and counts only.
    log = list(DisposalLog.select())
    assert [(row.reference, row.disposed_on) for row in log] == [(REFERENCE, TODAY)]
    assert log[0].what == "records: client record, 2 consents, 1 data request, 1 attachment; 1 concern kept, unlinked"
    assert Client.get_or_none(Client.reference == REFERENCE) is None
    assert Client.get_or_none(Client.reference == "AD-0002") is not None
    assert Consent.select().count() == 0 and DataRequest.select().count() == 0 and Attachment.select().count() == 0
    # The permit lived only inside the transaction.
    assert ErasurePermit.select().count() == 0


def test_the_safeguarding_concern_and_its_chronology_are_kept_unlinked(open_vault, template_kek):
    client = make_client(open_vault)
    retention.dispose_client(open_vault, client.id, TODAY)
    concern = Concern.get(Concern.reference == "CON-2020-004")
    assert concern.client_id is None
    assert concern.client_reference == REFERENCE
    assert [e.text for e in ChronologyEntry.select().order_by(ChronologyEntry.at)] == [
        "Said an older boy took her lunch money.",
        "Told the DSL at Fernleigh.",
    ]
    assert b"lunch money" in saved_image(open_vault, template_kek)


def test_a_read_only_vault_disposes_of_nothing(open_vault):
    client = make_client(open_vault)
    open_vault.readonly = True
    try:
        with pytest.raises(retention.DisposalError, match="read-only"):
            retention.dispose_client(open_vault, client.id, TODAY)
    finally:
        open_vault.readonly = False
    assert Client.get_or_none(Client.reference == REFERENCE) is not None


def test_a_failed_save_keeps_the_backups_and_says_so(open_vault, monkeypatch):
    client = make_client(open_vault)
    from sitecare.data.vault import VaultSaveError

    def fail(*args, **kwargs):
        raise VaultSaveError("The disk is full: free some space, then save again (ctrl+s).")

    monkeypatch.setattr(open_vault, "save", fail)
    backups = open_vault.backups()
    result = retention.dispose_client(open_vault, client.id, TODAY)
    assert "disk is full" in result.save_error
    assert open_vault.backups() == backups
    assert Client.get_or_none(Client.reference == REFERENCE) is None


# --------------------------------------------------------------------------- Pilot


async def test_pilot_dispose_of_a_client_after_typing_its_reference(open_vault, template_kek):
    client = make_client(open_vault)
    app = SitecareApp(open_vault, now=lambda: datetime(2026, 11, 22, 9, 0))
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("k")
        await pilot.pause()
        table = app.screen.query_one("#clients-table", DataTable)
        table.focus()
        # Move to the client by keys: it is the second row (therapy ended, so after AD-0002).
        while app.screen.selected_id() != client.id:
            await pilot.press("down")
        await pilot.press("x")
        await pilot.pause()
        dialog = app.screen
        question = str(dialog.query_one("#dispose-what", Static).render())
        assert "2 consents" in question and "1 data request" in question and "consent-form.pdf" in question
        assert "CON-2020-004" in question
        button = dialog.query_one("#dispose", Button)
        assert button.disabled
        # A wrong reference keeps the button disabled.
        await pilot.press(*"CH-7318")
        await pilot.pause()
        assert button.disabled
        dialog.query_one("#dispose-confirm", Input).value = ""
        await pilot.press(*REFERENCE)
        await pilot.pause()
        assert not button.disabled
        await pilot.press("enter")
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert Client.get_or_none(Client.reference == REFERENCE) is None
        rows = [app.screen.query_one("#clients-table", DataTable).get_row_at(i)[0]
                for i in range(app.screen.query_one("#clients-table", DataTable).row_count)]
        assert [str(r) for r in rows] == ["AD-0002"]
    image = saved_image(open_vault, template_kek)
    for secret in RAW_SECRETS:
        assert secret not in image, secret
