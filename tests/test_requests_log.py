"""Data requests (seed 001; the ICO's one calendar month): due dates in the client's
site's nation, the form's checks, and recording one by keys."""

from __future__ import annotations

from datetime import date, datetime

import pytest
from textual.widgets import DataTable

from sitecare.app import SitecareApp
from sitecare.data import clients
from sitecare.data.models import Client, DataRequest, LocalAuthority, Site, change
from sitecare.screens.requests import RequestFormScreen, RequestsScreen

TODAY = date(2026, 11, 22)


def client_in(nation: str | None, reference: str) -> Client:
    with change():
        site = None
        if nation:
            la = LocalAuthority.create(name=f"Test Authority {nation}", nation=nation)
            site = Site.create(name=f"Test Site {nation}", local_authority=la)
        return Client.create(reference=reference, client_type="adult", site=site)


def form(**overrides) -> dict:
    base = {"client": None, "requester": "client", "kind": "access", "received_on": "02/11/2026",
            "status": "open", "completed_on": "", "notes": ""}
    base.update(overrides)
    return base


def add(**overrides) -> clients.RequestView:
    fields, errors = clients.check_request(form(**overrides), TODAY)
    assert errors == {}
    return clients.request_view(clients.save_request(fields).id)


def test_the_same_day_next_month_or_the_months_last_day_then_a_working_day(open_vault):
    # Sat 31 Jan 2026: February has no 31st, so 28 Feb (a Saturday), then Mon 2 Mar.
    view = add(received_on="31/01/2026")
    assert (view.deadline.calendar_due, view.deadline.due) == (date(2026, 2, 28), date(2026, 3, 2))
    assert view.due_line(date(2026, 3, 2)) == "due 2 Mar 2026"
    assert view.due_line(date(2026, 3, 3)) == "OVERDUE since 2 Mar 2026"


def test_the_clients_site_nation_decides_the_bank_holidays(open_vault):
    # Tue 17 Feb 2026 -> Tue 17 Mar 2026: St Patrick's Day in Northern Ireland, so Wed 18.
    ni = client_in("NIR", "AD-0701")
    assert add(client=ni.id, received_on="17/02/2026").deadline.due == date(2026, 3, 18)
    assert add(received_on="17/02/2026").deadline.due == date(2026, 3, 17)
    # Tue 2 Dec 2025 -> Fri 2 Jan 2026: a Scottish bank holiday, so Mon 5 Jan; England's Fri 2 Jan.
    scot = client_in("SCT", "AD-0702")
    assert add(client=scot.id, received_on="02/12/2025").deadline.due == date(2026, 1, 5)
    assert add(client=client_in(None, "AD-0703").id, received_on="02/12/2025").deadline.due == date(2026, 1, 2)


def test_an_extended_request_has_three_months(open_vault):
    # Sun 30 Nov 2025 + 3 months: no 30 Feb, so Sat 28 Feb 2026, then Mon 2 Mar 2026.
    # Unextended: Tue 30 Dec 2025, a working day.
    view = add(received_on="30/11/2025", status="extended")
    assert (view.deadline.calendar_due, view.deadline.due) == (date(2026, 2, 28), date(2026, 3, 2))
    assert add(received_on="30/11/2025").deadline.due == date(2025, 12, 30)


@pytest.mark.parametrize(
    "overrides, field, words",
    [
        ({"requester": ""}, "requester", "Say who made the request"),
        ({"requester": "Peter Piper"}, "requester", "looks like a name"),
        ({"kind": "portability"}, "kind", "access, correction or deletion"),
        ({"received_on": ""}, "received_on", "Enter the date the request was received"),
        ({"received_on": "23/11/2026"}, "received_on", "after today"),
        ({"status": "pending"}, "status", "open, extended, completed or refused"),
        ({"status": "completed"}, "completed_on", "Enter the date it was completed"),
        ({"status": "open", "completed_on": "10/11/2026"}, "completed_on", "Set the status to completed or refused"),
        ({"status": "completed", "completed_on": "01/11/2026"}, "completed_on", "before it was received (2 Nov 2026)"),
        ({"client": 9999}, "client", "no longer in the vault"),
    ],
)
def test_each_bad_value_gets_one_sentence_by_its_field(open_vault, overrides, field, words):
    _, errors = clients.check_request(form(**overrides), TODAY)
    assert list(errors) == [field]
    assert words in errors[field]


def test_open_requests_come_first_soonest_due(open_vault):
    add(received_on="10/11/2026", kind="correction")
    add(received_on="02/11/2026")
    add(received_on="01/10/2026", kind="deletion", status="completed", completed_on="15/10/2026")
    views = clients.requests_for()
    assert [(v.kind, v.is_open) for v in views] == [("access", True), ("correction", True), ("deletion", False)]
    assert views[2].due_line(TODAY) == "answered 15 Oct 2026"


async def test_pilot_record_a_request_for_a_client(open_vault):
    client = client_in(None, "AD-0710")
    app = SitecareApp(open_vault, now=lambda: datetime(2026, 11, 22, 9, 0))
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("k")
        await pilot.pause()
        await pilot.press("d")
        await pilot.pause()
        assert isinstance(app.screen, RequestsScreen)
        await pilot.press("n")
        await pilot.pause()
        assert isinstance(app.screen, RequestFormScreen)
        assert app.screen.query_one("#client").value == client.id
        app.screen.query_one("#received_on").focus()
        await pilot.press("ctrl+u", *"13/11/2026")
        await pilot.press("ctrl+s")
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert isinstance(app.screen, RequestsScreen)
        row = [str(c) for c in app.screen.query_one("#requests-table", DataTable).get_row_at(0)]
        # Fri 13 Nov 2026 -> Sun 13 Dec 2026 -> Mon 14 Dec 2026.
        assert row == ["Access", "13 Nov 2026", "open", "due 14 Dec 2026"]
        request = DataRequest.get()
        assert (request.client_id, request.requester, request.received_on) == (client.id, "client", date(2026, 11, 13))
