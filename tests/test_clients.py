"""Clients, their retention dates and consents (seed 001), through the data layer and
by keys. Expected dates are worked out by hand in the comments."""

from __future__ import annotations

from datetime import date, datetime

import pytest
from textual.widgets import DataTable, Static

from sitecare.app import SitecareApp
from sitecare.data import clients
from sitecare.data.models import Attachment, Client, Consent, Site, change
from sitecare.rules.consent import ConsentState, RefreshReason
from sitecare.screens.clients import ClientsScreen
from sitecare.screens.consent import ConsentFormScreen, ConsentScreen

TODAY = date(2026, 11, 22)


def client_form(**overrides) -> dict:
    base = {
        "reference": "CH-0500",
        "initials": "ab",
        "date_of_birth": "",
        "client_type": "",
        "funding": "commissioned",
        "site": None,
        "therapy_start": "",
        "therapy_end": "",
        "gp_contact": "",
        "parent_carer_contact": "",
        "mental_health_services": False,
        "notes": "",
    }
    base.update(overrides)
    return base


def add_client(today: date = TODAY, **overrides) -> Client:
    fields, errors = clients.check_client(client_form(**overrides), today)
    assert errors == {}
    return clients.save_client(fields)


# --------------------------------------------------------------------------- child or adult


def test_child_or_adult_is_worked_out_at_the_start_of_therapy(open_vault):
    # Born 10 Mar 2008: 17 on 1 Mar 2026, 18 on 10 Mar 2026.
    child = add_client(reference="CH-0501", date_of_birth="10/03/2008", therapy_start="01/03/2026")
    adult = add_client(reference="AD-0502", date_of_birth="10/03/2008", therapy_start="10/03/2026")
    assert (child.client_type, child.client_type_overridden, child.initials) == ("child", False, "AB")
    assert adult.client_type == "adult"
    # The child at the start is an adult today, for a safeguarding route.
    assert clients.type_today(child, TODAY) == "adult"


def test_a_29_february_birthday_is_18_on_28_february(open_vault):
    # Born 29 Feb 2008: in 2026 (no 29 Feb) the 18th birthday is 28 Feb 2026.
    on_the_day = add_client(reference="AD-0503", date_of_birth="29/02/2008", therapy_start="28/02/2026")
    day_before = add_client(reference="CH-0504", date_of_birth="29/02/2008", therapy_start="27/02/2026")
    assert (on_the_day.client_type, day_before.client_type) == ("adult", "child")


def test_the_type_can_be_chosen_and_is_needed_without_a_date_of_birth(open_vault):
    chosen = add_client(reference="CH-0505", date_of_birth="01/01/2000", client_type="child")
    assert (chosen.client_type, chosen.client_type_overridden) == ("child", True)
    _, errors = clients.check_client(client_form(reference="CH-0506"), TODAY)
    assert errors == {"client_type": "Without a date of birth, choose child or adult."}


@pytest.mark.parametrize(
    "overrides, field, words",
    [
        ({"reference": ""}, "reference", "Enter a reference code"),
        ({"reference": "Jane Smith"}, "reference", "looks like a name"),
        ({"reference": "ch-0142"}, "reference", "CH-0142 is already a client"),
        ({"initials": "ABCDE"}, "initials", "up to 4 letters"),
        ({"date_of_birth": "23/11/2026"}, "date_of_birth", "cannot be after today"),
        ({"date_of_birth": "01/01/2015", "therapy_start": "01/01/2014"}, "therapy_start", "before the date of birth"),
        ({"therapy_start": "01/09/2026", "therapy_end": "31/08/2026"}, "therapy_end", "cannot end before it started (1 Sep 2026)"),
        ({"therapy_end": "31/08/2026"}, "therapy_start", "when therapy started as well"),
        ({"therapy_start": "01/09/2026", "therapy_end": "30/11/2026"}, "therapy_end", "leave it blank until it ends"),
        ({"funding": "charity"}, "funding", "commissioned or private"),
        ({"site": 9999}, "site", "no longer in the vault"),
    ],
)
def test_each_bad_value_gets_one_sentence_by_its_field(open_vault, overrides, field, words):
    with change():
        Client.create(reference="CH-0142", client_type="child")
    values = {"date_of_birth": "01/05/2015"} | overrides
    _, errors = clients.check_client(client_form(**values), TODAY)
    assert list(errors) == [field]
    assert words in errors[field]


# --------------------------------------------------------------------------- retention


def test_retention_of_a_child_born_on_29_february(open_vault):
    # 18th birthday: 28 Feb 2030 (not a leap year); + 3 years = 28 Feb 2033. Therapy ended
    # 20 Jul 2026; + 5 years = 20 Jul 2031. The later date wins: 28 Feb 2033.
    client = add_client(reference="CH-0510", date_of_birth="29/02/2012", therapy_start="05/01/2026",
                        therapy_end="20/07/2026")
    view = clients.client_view(client.id)
    assert view.retention.notes_disposal == date(2033, 2, 28)
    assert view.retention.artwork_disposal == date(2026, 9, 20)
    assert view.retention.line == "keep notes until 3 years after the 18th birthday: 28 Feb 2033"


def test_retention_of_an_adult_with_no_end_of_therapy_yet(open_vault):
    client = add_client(reference="AD-0511", date_of_birth="12/06/1980", therapy_start="01/09/2025")
    view = clients.client_view(client.id)
    assert (view.retention.notes_disposal, view.retention.artwork_disposal) == (None, None)
    assert view.retention.line == "not yet determinable: therapy has not ended"
    # Once it ends on 31 Dec 2025: notes 5 years on, artwork 2 months on (28 Feb, no 31st).
    fields, _ = clients.check_client(
        client_form(reference="AD-0511", date_of_birth="12/06/1980", therapy_start="01/09/2025", therapy_end="31/12/2025"),
        TODAY, client,
    )
    clients.save_client(fields, client.id)
    view = clients.client_view(client.id)
    assert (view.retention.notes_disposal, view.retention.artwork_disposal) == (date(2030, 12, 31), date(2026, 2, 28))


def test_a_private_adult_without_a_gp_is_pointed_out(open_vault):
    client = add_client(reference="AD-0512", date_of_birth="12/06/1980", funding="private")
    assert "No GP contact" in clients.client_view(client.id).missing_contact()
    child = add_client(reference="CH-0513", date_of_birth="12/06/2016", funding="private", parent_carer_contact="Mother: 07700 900123")
    assert clients.client_view(child.id).missing_contact() == ""


def test_a_new_period_of_therapy(open_vault):
    client = add_client(reference="CH-0514", date_of_birth="01/09/2008", therapy_start="01/03/2026", therapy_end="10/07/2026")
    assert clients.check_new_period(client.id, "01/07/2026", TODAY)[1] == "A new period starts after the last one ended (10 Jul 2026)."
    assert clients.check_new_period(client.id, "", TODAY)[1].startswith("Enter the date")
    start, problem = clients.check_new_period(client.id, "07/09/2026", TODAY)
    assert problem == ""
    clients.start_new_period(client.id, start, TODAY)
    client = Client.get_by_id(client.id)
    # 18 on 1 Sep 2026, so the new period is an adult's.
    assert (client.therapy_start, client.therapy_end, client.client_type) == (date(2026, 9, 7), None, "adult")


# --------------------------------------------------------------------------- consent


def consent_form(**overrides) -> dict:
    base = {
        "purpose": "therapy",
        "essential": True,
        "given_on": "03/09/2025",
        "how": "school consent form",
        "given_by": "parent",
        "competence_judgement": "",
        "reviewed_on": "",
        "withdrawn_on": "",
        "notes": "",
        "file": "",
        "explained": False,
    }
    base.update(overrides)
    return base


def add_consent(vault, client_id: int, today: date = TODAY, **overrides) -> Consent:
    fields, errors = clients.check_consent(consent_form(**overrides), client_id, today)
    assert errors == {}
    return clients.save_consent(vault, fields, client_id)


def school_client(**overrides) -> Client:
    with change():
        site = Site.create(name="Kestrel Fen Primary", kind="school")
    return add_client(site=site.id, date_of_birth="15/05/2016", **overrides)


def test_consent_refresh_at_a_new_school_period(open_vault):
    # Consent given Wed 3 Sep 2025 for the autumn period starting Mon 8 Sep 2025.
    client = school_client(therapy_start="08/09/2025", therapy_end="12/12/2025")
    consent = add_consent(open_vault, client.id, today=date(2025, 12, 1))
    status = clients.consent_view(consent.id, date(2025, 12, 1)).status
    assert (status.state, status.refresh_due, status.refresh_reason) == (
        ConsentState.CURRENT, date(2027, 9, 3), RefreshReason.TWO_YEARS)
    # A new period begins Mon 12 Jan 2026: the consent is due for refresh that day.
    clients.start_new_period(client.id, date(2026, 1, 12), date(2026, 1, 5))
    before = clients.consent_view(consent.id, date(2026, 1, 11)).status
    assert (before.state, before.refresh_due, before.refresh_reason) == (
        ConsentState.CURRENT, date(2026, 1, 12), RefreshReason.NEW_THERAPY_PERIOD)
    on_start = clients.consent_view(consent.id, date(2026, 1, 12)).status
    assert on_start.state is ConsentState.REFRESH_DUE
    assert on_start.line == "refresh due: a new period of therapy began 12 Jan 2026"

    # Refreshed on Wed 14 Jan 2026: current again, the earlier consent kept in the notes.
    fields, errors = clients.check_consent(
        consent_form(given_on="14/01/2026", how="consent form", given_by="parent (mother)", refresh=True),
        client.id, date(2026, 1, 14), Consent.get_by_id(consent.id),
    )
    assert errors == {}
    clients.refresh_consent(open_vault, consent.id, fields)
    refreshed = Consent.get_by_id(consent.id)
    assert (refreshed.given_on, refreshed.given_by, refreshed.reviewed_on) == (date(2026, 1, 14), "parent (mother)", None)
    assert refreshed.notes == "Earlier consent: given 3 Sep 2025 by parent (school consent form)."
    status = clients.consent_view(consent.id, date(2026, 1, 14)).status
    assert (status.state, status.review_due, status.refresh_due) == (ConsentState.CURRENT, date(2027, 1, 14), date(2028, 1, 14))


def test_a_refresh_must_be_dated_after_the_consent_it_replaces(open_vault):
    client = school_client(therapy_start="08/09/2025")
    consent = add_consent(open_vault, client.id)
    _, errors = clients.check_consent(consent_form(given_on="03/09/2025", refresh=True), client.id, TODAY, consent)
    assert errors == {"given_on": "A refreshed consent is given after the earlier one (3 Sep 2025)."}


def test_a_new_period_outside_school_does_not_bring_the_refresh_forward(open_vault):
    client = add_client(reference="AD-0520", date_of_birth="01/01/1990", therapy_start="08/09/2025")
    consent = add_consent(open_vault, client.id, given_by="client")
    clients.start_new_period(client.id, date(2026, 1, 12), date(2026, 1, 5))
    status = clients.consent_view(consent.id, date(2026, 1, 12)).status
    assert (status.state, status.refresh_due) == (ConsentState.CURRENT, date(2027, 9, 3))


def test_a_review_moves_the_review_not_the_refresh(open_vault):
    client = add_client(reference="AD-0521", date_of_birth="01/01/1990", therapy_start="08/09/2025")
    consent = add_consent(open_vault, client.id, given_by="client")
    assert clients.consent_view(consent.id, date(2026, 9, 3)).status.state is ConsentState.REVIEW_DUE
    day, problem = clients.check_day("02/09/2025", TODAY, consent.given_on, "review", "the consent")
    assert (day, problem) == (None, "The review cannot come before the consent (3 Sep 2025).")
    clients.record_review(consent.id, date(2026, 9, 4))
    status = clients.consent_view(consent.id, date(2026, 9, 4)).status
    assert (status.state, status.review_due, status.refresh_due) == (ConsentState.CURRENT, date(2027, 9, 4), date(2027, 9, 3))


def test_an_optional_use_is_never_a_condition_of_the_service(open_vault):
    client = add_client(reference="AD-0522", date_of_birth="01/01/1990", therapy_start="08/09/2025")
    therapy = add_consent(open_vault, client.id, given_by="client")
    # Recording an optional use asks that the client was told it is optional.
    _, errors = clients.check_consent(consent_form(purpose="a talk", essential=False, given_by="client"), client.id, TODAY)
    assert list(errors) == ["explained"]
    talk = add_consent(open_vault, client.id, purpose="a talk", essential=False, given_by="client", explained=True)
    clients.record_withdrawal(talk.id, date(2026, 10, 1))
    assert clients.service_consent(client.id, TODAY)
    # Given 3 Sep 2025, so its yearly review fell due on 3 Sep 2026.
    assert clients.consent_summary(client.id, TODAY) == "Consent to therapy in place; 1 to review or refresh; 1 withdrawn."
    clients.record_withdrawal(therapy.id, date(2026, 11, 1))
    assert not clients.service_consent(client.id, TODAY)
    assert clients.consent_summary(client.id, TODAY).startswith("NO consent to therapy in place")  # as written


@pytest.mark.parametrize(
    "overrides, field, words",
    [
        ({"purpose": ""}, "purpose", "Say what was consented to"),
        ({"essential": False}, "essential", "always essential"),
        ({"given_on": ""}, "given_on", "Enter the date consent was given"),
        ({"given_on": "23/11/2026"}, "given_on", "after today"),
        ({"given_on": "01/01/2010"}, "given_on", "before the client's date of birth"),
        ({"how": ""}, "how", "consent form or written contract"),
        ({"given_by": ""}, "given_by", "the client, a parent or a carer"),
        ({"given_by": "Mary Jones"}, "given_by", "looks like a name"),
        ({"given_by": "client"}, "competence_judgement", "judgement of their competence"),
        ({"reviewed_on": "01/09/2025"}, "reviewed_on", "before the consent was given"),
        ({"withdrawn_on": "30/11/2026"}, "withdrawn_on", "after today"),
        ({"file": "/nonexistent/form.pdf"}, "file", "There is no file"),
    ],
)
def test_consent_form_messages(open_vault, overrides, field, words):
    client = school_client(reference="CH-0530", therapy_start="08/09/2025")
    _, errors = clients.check_consent(consent_form(**overrides), client.id, TODAY)
    assert list(errors) == [field]
    assert words in errors[field]


def test_a_young_person_consenting_with_a_competence_judgement(open_vault):
    client = school_client(reference="CH-0531", therapy_start="08/09/2025")
    consent = add_consent(open_vault, client.id, given_by="client",
                          competence_judgement="Explained back the limits of confidentiality in her own words.")
    assert consent.competence_judgement.startswith("Explained back")


def test_the_signed_form_is_kept_encrypted_and_replaced(open_vault, tmp_path):
    client = school_client(reference="CH-0532", therapy_start="08/09/2025")
    first = tmp_path / "form-2025.pdf"
    first.write_bytes(b"%PDF first signed form")
    consent = add_consent(open_vault, client.id, file=str(first))
    old = Attachment.get_by_id(consent.attachment_id)
    assert open_vault.blob_path(old.blob_id).exists()
    assert b"first signed form" not in open_vault.blob_path(old.blob_id).read_bytes()
    assert clients.attachment_bytes(open_vault, old.id) == ("form-2025.pdf", b"%PDF first signed form")
    second = tmp_path / "form-2026.pdf"
    second.write_bytes(b"%PDF second signed form")
    fields, _ = clients.check_consent(consent_form(file=str(second)), client.id, TODAY, consent)
    clients.save_consent(open_vault, fields, client.id, consent.id)
    consent = Consent.get_by_id(consent.id)
    assert consent.attachment.filename == "form-2026.pdf"
    assert not open_vault.blob_path(old.blob_id).exists()
    assert Attachment.select().count() == 1


# --------------------------------------------------------------------------- by keys


async def test_pilot_add_a_client_and_record_consent(open_vault):
    with change():
        Site.create(name="Kestrel Fen Primary", kind="school")
    app = SitecareApp(open_vault, now=lambda: datetime(2026, 11, 22, 9, 0))
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("k")
        await pilot.pause()
        assert isinstance(app.screen, ClientsScreen)
        await pilot.press("n")
        await pilot.pause()
        await pilot.press(*"CH-0600", "tab", *"JB", "tab", *"15/05/2016")
        await pilot.press("tab", "tab", "tab")  # child or adult (from DOB), funding, site
        await pilot.press("enter", "down", "enter")  # the only site
        await pilot.pause()
        await pilot.press("tab", *"08/09/2025")
        await pilot.press("ctrl+s")
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert isinstance(app.screen, ClientsScreen)
        client = Client.get(reference="CH-0600")
        assert (client.initials, client.client_type, client.site.name, client.therapy_start) == (
            "JB", "child", "Kestrel Fen Primary", date(2025, 9, 8))
        table = app.screen.query_one("#clients-table", DataTable)
        assert [str(c) for c in table.get_row_at(0)][:3] == ["CH-0600", "Child 10", "Kestrel Fen Primary"]

        await pilot.press("i")
        await pilot.pause()
        assert isinstance(app.screen, ConsentScreen)
        await pilot.press("n")
        await pilot.pause()
        assert isinstance(app.screen, ConsentFormScreen)
        app.screen.query_one("#given_on").focus()
        await pilot.press(*"03/09/2025")
        await pilot.press("ctrl+s")
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert isinstance(app.screen, ConsentScreen)
        # Given 3 Sep 2025: the yearly review fell due 3 Sep 2026.
        row = [str(c) for c in app.screen.query_one("#consent-table", DataTable).get_row_at(0)]
        assert row == ["therapy", "3 Sep 2025", "parent", "REVIEW: since 3 Sep 2026"]
        await pilot.press("v")
        await pilot.pause()
        await pilot.press("enter")  # reviewed today
        await app.workers.wait_for_complete()
        await pilot.pause()
        row = [str(c) for c in app.screen.query_one("#consent-table", DataTable).get_row_at(0)]
        # Reviewed today: the next review would be 22 Nov 2027, but the refresh comes first.
        assert row[3] == "refresh by 3 Sep 2027"
        assert "Consent to therapy in place." in str(app.screen.query_one("#consent-top", Static).render())
        assert Consent.get().reviewed_on == date(2026, 11, 22)


async def test_the_attention_list_and_the_palette_open_these_records(open_vault):
    from sitecare.data.models import DataRequest
    from sitecare.rules.attention import RecordRef
    from sitecare.screens.home import open_record_elsewhere
    from sitecare.screens.requests import RequestsScreen

    other = add_client(reference="AD-0800", date_of_birth="01/01/1990")
    client = add_client(reference="AD-0801", date_of_birth="01/01/1990", therapy_start="08/09/2025")
    add_consent(open_vault, client.id, given_by="client")
    talk = add_consent(open_vault, client.id, purpose="a talk", essential=False, given_by="client", explained=True,
                       given_on="01/10/2025")
    with change():
        request = DataRequest.create(client=client, requester="client", kind="access", received_on=date(2026, 11, 2))
    app = SitecareApp(open_vault, now=lambda: datetime(2026, 11, 22, 9, 0))
    async with app.run_test(size=(80, 24)) as pilot:
        assert open_record_elsewhere(app, RecordRef("consent", talk.id))
        await pilot.pause()
        await pilot.pause()
        assert isinstance(app.screen, ConsentScreen)
        assert app.screen.selected_id() == talk.id
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, ClientsScreen) and app.screen.selected_id() == client.id

        assert open_record_elsewhere(app, RecordRef("data_request", request.id))
        await pilot.pause()
        await pilot.pause()
        assert isinstance(app.screen, RequestsScreen) and app.screen.selected_id() == request.id
        await pilot.press("escape")
        await pilot.pause()

        # The palette: type the reference, Enter.
        await pilot.press("h")
        await pilot.pause()
        await pilot.press("ctrl+p")
        await pilot.pause()
        await pilot.press(*"AD-0800")
        await pilot.pause(0.5)
        await pilot.press("enter")
        await pilot.pause()
        await pilot.pause()
        assert isinstance(app.screen, ClientsScreen)
        assert app.screen.selected_id() == other.id


def test_artwork_disposed_of_from_the_home_screen_shows_on_the_client(open_vault):
    from sitecare.data.models import DisposalLog

    client = add_client(reference="CH-0900", date_of_birth="01/01/2015", therapy_start="01/01/2026", therapy_end="20/07/2026")
    assert clients.client_view(client.id).artwork_disposed_on is None
    with change():
        DisposalLog.create(reference="CH-0900", disposed_on=date(2026, 9, 21), what="artwork")
    view = clients.client_view(client.id)
    assert (view.retention.artwork_disposal, view.artwork_disposed_on) == (date(2026, 9, 20), date(2026, 9, 21))


async def test_the_type_hint_gives_no_age_for_a_birth_after_the_start(open_vault):
    # A trial saw "child (-4 at the start of therapy)" beside the date's own error.
    from textual.widgets import Static

    from sitecare.app import SitecareApp
    from sitecare.screens.client_form import ClientFormScreen

    from sitehelpers import fill

    app = SitecareApp(open_vault, now=lambda: datetime(2026, 11, 22, 9, 0))

    def hint() -> str:
        return str(app.screen.query_one("#client_type-field .field-hint", Static).render())

    async with app.run_test(size=(80, 24)) as pilot:
        app.push_screen(ClientFormScreen())
        await pilot.pause()
        await fill(app, pilot, "#therapy_start", "01/09/2026")
        await fill(app, pilot, "#date_of_birth", "02/09/2015")
        assert hint() == "From the date of birth: child (10 at the start of therapy)."
        await fill(app, pilot, "#date_of_birth", "02/09/2026")
        assert hint() == ""
