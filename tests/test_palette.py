"""The command palette (ctrl+p) over many records: what it gathers from the vault when it
opens, what a keystroke yields (the best few, highlighted, names shown as typed), and
the flow a person follows: open, type, Enter opens the right thing."""

from __future__ import annotations

from dataclasses import astuple
from datetime import date

from textual.command import CommandList, CommandPalette

from sitecare.data import clients, complaints, contacts, models, sites
from sitecare.data.models import Contact, LocalAuthority, Organisation, Site, change
from sitecare.screens.briefing import BriefingScreen
from sitecare.screens.clients import ClientsComplaintsCommands
from sitecare.screens.commands import HITS_SHOWN, SitecareCommands
from sitecare.screens.complaints import ComplaintsScreen

from sitehelpers import SIZE, TODAY, fixed_sites, make_app, settle, type_text
from test_clients import add_client
from test_complaints_log import log


def many_people(count: int) -> dict[int, Site]:
    """`count` people in post, "Person 000" to "Person <count-1>", spread over three
    sites; returns the site of each. One change, one save."""
    with models.suspended_commit_hooks(), change():
        spread = [Site.create(name=name, kind="school") for name in ("Heron Academy", "Wren House", "Finch Ward")]
        for i in range(count):
            Contact.create(site=spread[i % 3], role="other", name=f"Person {i:03d} Dunmore", from_date=date(2020, 1, 1))
    return {i: spread[i % 3] for i in range(count)}


async def open_palette_and_type(app, pilot, text: str) -> CommandList:
    await pilot.press("ctrl+p")
    await pilot.pause()
    assert isinstance(app.screen, CommandPalette)
    await type_text(pilot, text)
    await settle(app, pilot)
    return app.screen.query_one(CommandList)


async def hits(provider_class, app, query: str) -> list:
    provider = provider_class(app.screen, None)
    provider._post_init()
    await provider._wait_init()
    return [hit async for hit in provider.search(query)]


# --------------------------------------------------------------------------- what is gathered


def test_sites_to_find_are_the_sites_table_s_names_dsls_and_people_in_post(open_vault):
    world = fixed_sites()
    kestrel = world["kestrel"]
    # Someone in two roles at one site; someone who has left; someone not yet started.
    contacts.add_contact(world["poppy"], "dsl", "Maureen Tilley", date(2026, 8, 1))
    contacts.add_contact(kestrel, "other", "Gone Already", date(2020, 1, 1), to_date=date(2026, 11, 21))
    contacts.add_contact(kestrel, "other", "Not Yet", date(2026, 11, 23))
    contacts.add_contact(kestrel, "deputy_dsl", "Adam Ant", date(2026, 1, 1))  # added last, listed by role and name
    found = sites.sites_to_find(TODAY)
    summaries = sites.site_summaries(TODAY)
    assert [(s.site_id, s.name, s.dsl) for s in found] == [(s.site_id, s.name, s.dsl) for s in summaries]
    assert "Old Mill School" not in [s.name for s in found]  # archived
    by_name = {s.name: s for s in found}
    assert by_name["Kestrel Fen Primary School"].people == (
        ("Claire Ashdown", ("dsl",)),
        ("Adam Ant", ("deputy_dsl",)),
        ("Mark Ellery", ("deputy_dsl",)),
        ("Priya Chandran", ("deputy_dsl",)),
        ("Simon Latchford", ("head",)),
    )
    assert by_name["Poppyfield Day Centre"].people == (("Maureen Tilley", ("dsl", "manager")),)
    assert (by_name["Larkspur House"].kind, by_name["Larkspur House"].authority) == ("care_home", "Bedford Borough")


def test_clients_to_find_are_the_client_list_in_its_order(open_vault):
    with change():
        site = Site.create(name="Kestrel Fen Primary", kind="school")
    add_client(reference="ch-0003", initials="cd", site=site.id, date_of_birth="15/05/2016", therapy_start="01/09/2026")
    add_client(reference="AD-0002", date_of_birth="01/01/1990", therapy_start="01/01/2026", therapy_end="01/06/2026")
    add_client(reference="AD-0001", initials="", date_of_birth="01/01/1990", therapy_start="01/01/2026")
    add_client(reference="ab-0004", date_of_birth="01/01/1990", therapy_start="01/01/2026")  # case ignored
    expected = [(v.id, v.reference, v.initials, v.client_type, v.site_name) for v in clients.client_list()]
    assert [astuple(c) for c in clients.clients_to_find()] == expected
    assert [c.reference for c in clients.clients_to_find()] == ["ab-0004", "AD-0001", "ch-0003", "AD-0002"]


def test_complaints_to_find_are_the_log_in_its_order(open_vault):
    log(received="02/11/2026")
    log(received="05/11/2026", resolved_stage="1", resolved_on="10/11/2026")
    log(received="06/11/2026", type="failure_to_provide")
    expected = [(v.id, v.reference, v.received_on, v.type) for v in complaints.complaint_log()]
    assert [astuple(c) for c in complaints.complaints_to_find()] == expected
    assert complaints.complaints_to_find()[-1].received_on == date(2026, 11, 5)  # resolved: last


# --------------------------------------------------------------------------- what a key yields


async def test_a_keystroke_yields_the_best_few_best_first(open_vault):
    where = many_people(3 * HITS_SHOWN)
    app = make_app(open_vault)
    async with app.run_test(size=SIZE):
        found = await hits(SitecareCommands, app, "person")
        assert len(found) == HITS_SHOWN
        assert [h.score for h in found] == sorted((h.score for h in found), reverse=True)
        [best, *_] = await hits(SitecareCommands, app, "person 017")
        assert best.text == f"Person 017 Dunmore ({where[17].name})"
        assert best.help == "Other · open the briefing"
        # The matched letters are highlighted, the spaces between them are not.
        assert [(s.start, s.end) for s in best.prompt.spans] == [(0, 6), (7, 10)]


async def test_the_index_is_built_with_the_collector_paused(open_vault, monkeypatch):
    # Tens of thousands of entries on a big vault, none of them garbage: the collector
    # running meanwhile traversed the heap again and again (the extreme vault's palette
    # took up to twice as long to open).
    import gc

    from sitecare.screens import commands

    fixed_sites()
    seen = []
    real = commands.SearchIndex
    monkeypatch.setattr(commands, "SearchIndex", lambda texts: seen.append(gc.isenabled()) or real(texts))
    app = make_app(open_vault)
    async with app.run_test(size=SIZE):
        assert await hits(SitecareCommands, app, "a")
        assert await hits(ClientsComplaintsCommands, app, "a") is not None
    assert seen == [False, False]
    assert gc.isenabled()


async def test_names_are_shown_as_typed_not_read_as_markup(open_vault):
    with change():
        annexe = Site.create(name="St Mary [Annexe]", kind="school",
                             local_authority=LocalAuthority.get(LocalAuthority.name == "Cambridgeshire"))
    contacts.add_contact(annexe, "dsl", "Jo [b]Bold[/b]", date(2026, 1, 1))
    app = make_app(open_vault)
    async with app.run_test(size=SIZE) as pilot:
        site, person = await hits(SitecareCommands, app, "annexe]")
        assert site.prompt.plain == "St Mary [Annexe]"
        assert person.prompt.plain == "Jo [b]Bold[/b] (St Mary [Annexe])"
        # What the palette shows: it reads the help line as markup.
        command_list = await open_palette_and_type(app, pilot, "annexe]")
        shown = command_list.get_option_at_index(0).prompt.plain
        assert shown == "St Mary [Annexe]\nBriefing · School · Cambridgeshire · DSL Jo [b]Bold[/b]"


async def test_clients_and_complaints_by_reference(open_vault):
    client = add_client(reference="CH-0142", initials="pq", date_of_birth="15/05/2016", therapy_start="01/09/2026")
    complaint = log(received="06/11/2026")
    app = make_app(open_vault)
    async with app.run_test(size=SIZE):
        [hit] = await hits(ClientsComplaintsCommands, app, "ch0142")
        assert (hit.text, hit.help) == ("CH-0142 PQ", f"Client · {client.client_type} · no site")
        [hit] = await hits(ClientsComplaintsCommands, app, complaint.reference.lower())
        assert hit.help == "Complaint · received 6 Nov 2026 · standard of service"
        actions = await hits(ClientsComplaintsCommands, app, "complaints")
        assert actions[0].text == "Complaints log"


# --------------------------------------------------------------------------- the flow


async def test_type_a_name_backspace_type_on_and_enter_opens_that_briefing(open_vault):
    where = many_people(60)
    app = make_app(open_vault)
    async with app.run_test(size=SIZE) as pilot:
        command_list = await open_palette_and_type(app, pilot, "person 04")
        assert command_list.get_option_at_index(0).hit.text.startswith("Person 04")
        await pilot.press("backspace", "backspace", "1", "7")
        await settle(app, pilot)
        assert command_list.get_option_at_index(0).hit.text == f"Person 017 Dunmore ({where[17].name})"
        await pilot.press("enter")
        await settle(app, pilot)
        assert isinstance(app.screen, BriefingScreen)
        assert app.screen.site_id == where[17].id


async def test_the_closest_name_is_the_first_hit(open_vault):
    # A new-user trial typed "person 0042" and Person 000042 came sixth: these all score
    # the same on Textual's scale, and the shorter texts went first.
    with models.suspended_commit_hooks(), change():
        short = Site.create(name="Wren", kind="school")
        long = Site.create(name="Heron Academy", kind="school")
        for number in ("000420", "000424", "000942", "001420", "002420"):
            Contact.create(site=short, role="other", name=f"Person {number}", from_date=date(2020, 1, 1))
        Contact.create(site=long, role="other", name="Person 000042", from_date=date(2020, 1, 1))
    app = make_app(open_vault)
    async with app.run_test(size=SIZE) as pilot:
        command_list = await open_palette_and_type(app, pilot, "person 0042")
        assert command_list.get_option_at_index(0).hit.text == "Person 000042 (Heron Academy)"


async def test_a_complaint_reference_and_enter_opens_it_on_the_log(open_vault):
    log(received="02/11/2026")
    wanted = log(received="06/11/2026")
    app = make_app(open_vault)
    async with app.run_test(size=SIZE) as pilot:
        await open_palette_and_type(app, pilot, wanted.reference)
        await pilot.press("enter")
        await settle(app, pilot)
        assert isinstance(app.screen, ComplaintsScreen)
        assert app.screen.selected_id() == wanted.id


async def test_a_record_added_while_the_app_runs_is_found_the_next_time_it_opens(open_vault):
    app = make_app(open_vault)
    async with app.run_test(size=SIZE) as pilot:
        command_list = await open_palette_and_type(app, pilot, "wren")
        assert command_list.option_count == 0 or "Wren" not in command_list.get_option_at_index(0).prompt.plain
        await pilot.press("escape")
        await pilot.pause()
        with change():
            Site.create(name="Wren House", kind="school")
        command_list = await open_palette_and_type(app, pilot, "wren")
        assert command_list.get_option_at_index(0).hit.text == "Wren House"


async def test_a_concern_reference_and_enter_opens_the_concern(open_vault):
    # The most safety-critical record could not be found from the palette (new-user trial).
    from datetime import datetime

    import concern_support as cs
    from sitecare.screens.concern import ConcernScreen

    kestrel = cs.site()
    otter = cs.site(name="Otterbrook Academy")
    cs.raise_concern(kestrel, datetime(2026, 11, 2, 9, 0))
    wanted = cs.raise_concern(otter, datetime(2026, 11, 20, 9, 0), kind="whistleblowing")
    app = make_app(open_vault)
    async with app.run_test(size=SIZE) as pilot:
        [best, *_] = await hits(SitecareCommands, app, wanted.reference)
        assert best.text == f"{wanted.reference} at Otterbrook Academy"
        assert best.help == "Concern · Concern about staff conduct (whistleblowing) · Open"
        await open_palette_and_type(app, pilot, wanted.reference)
        await pilot.press("enter")
        await settle(app, pilot)
        assert isinstance(app.screen, ConcernScreen)
        assert app.screen.concern_id == wanted.id


async def test_an_organisation_s_safeguarding_lead_by_name_opens_a_briefing_showing_them(open_vault):
    # A new-user trial typed "whitlock", the safeguarding lead a concern step named: no match.
    with change():
        helloself = Organisation.get(Organisation.name == "HelloSelf")
        helloself.safeguarding_lead_name, helloself.safeguarding_lead_phone = "Naomi Whitlock", "07700900856"
        helloself.manager_name = "Sunil Varma"
        helloself.save()
        Site.create(name="Alder Rooms", kind="school", organisation=helloself)
        private = Site.create(name="Kingfisher Court", kind="private_practice", organisation=helloself,
                              arrangement="private", address="Kingfisher Court, Ashwick",
                              how_to_report="Follow HelloSelf's procedure. " + "Serious incidents within 24 hours. " * 4,
                              visit_notes="Ground-floor room 1. " * 8)
        for i in range(4):
            Contact.create(site=private, role="other", name=f"Receptionist {i}", phone="01632960100",
                           where_to_find="front desk, weekdays", from_date=date(2026, 1, 1))
    app = make_app(open_vault)
    async with app.run_test(size=SIZE) as pilot:
        [lead, *_] = await hits(SitecareCommands, app, "whitlock")
        assert (lead.text, lead.help) == (
            "Naomi Whitlock (HelloSelf)", "HelloSelf's safeguarding lead · 07700 900856 · open a briefing")
        [manager, *_] = await hits(SitecareCommands, app, "varma")
        assert (manager.text, manager.help) == ("Sunil Varma (HelloSelf)", "HelloSelf's manager · open a briefing")
        await open_palette_and_type(app, pilot, "whitlock")
        await pilot.press("enter")
        await settle(app, pilot)
        # The private site's, where she is the one to call; scrolled to where she is.
        assert isinstance(app.screen, BriefingScreen)
        assert app.screen.site_id == private.id
        row = app.screen.query_one("#b-own-org")
        assert "Naomi Whitlock" in str(app.screen.query_one("#b-own-org-value").render())
        body = app.screen.query_one("#briefing")
        assert body.scroll_y > 0 and body.region.contains_region(row.region)


async def test_a_person_at_a_site_opens_the_briefing_scrolled_to_them(open_vault):
    # A new-user trial at 80x24: "penhal" opened the right briefing with the person
    # below the visible part of it.
    with change():
        site = Site.create(name="Kingfisher Court", kind="school", address="Kingfisher Court, Ashwick",
                           how_to_report="Tell the DSL the same day. " * 30, visit_notes="Ground-floor room 1. " * 20)
        for i in range(4):
            Contact.create(site=site, role="other", name=f"Receptionist {i}", phone="01632960100",
                           where_to_find="front desk, weekdays", from_date=date(2026, 1, 1))
        Contact.create(site=site, role="other", name="Jo Penhaligon", phone="01632960101", from_date=date(2026, 1, 1))
    app = make_app(open_vault)
    async with app.run_test(size=SIZE) as pilot:
        await open_palette_and_type(app, pilot, "penhal")
        await pilot.press("enter")
        await settle(app, pilot)
        assert isinstance(app.screen, BriefingScreen) and app.screen.site_id == site.id
        [row] = [r for r in app.screen.query(".row") if "Jo Penhaligon" in str(r.query_one(".value").render())]
        body = app.screen.query_one("#briefing")
        assert body.scroll_y > 0 and body.region.contains_region(row.region)


async def test_someone_at_an_organisation_no_site_works_under_is_still_found(open_vault):
    with change():
        mtb = Organisation.get(Organisation.short_name == "MTB")
        mtb.safeguarding_lead_name = "Catherine Dunmore"
        mtb.save()
    messages = []
    app = make_app(open_vault)
    async with app.run_test(size=SIZE, message_hook=messages.append) as pilot:
        await open_palette_and_type(app, pilot, "dunmore")
        await pilot.press("enter")
        await settle(app, pilot)
        assert not isinstance(app.screen, BriefingScreen)
        notes = [m.notification.message for m in messages if type(m).__name__ == "Notify"]
        assert notes == ["Catherine Dunmore is MTB's safeguarding lead. No site in the vault works under MTB, "
                         "so no briefing shows them."]


async def test_raising_a_concern_and_locking_are_found_by_name(open_vault):
    app = make_app(open_vault)
    async with app.run_test(size=SIZE):
        assert (await hits(SitecareCommands, app, "new concern"))[0].text == "New concern"
        assert (await hits(SitecareCommands, app, "lock"))[0].text == "Lock sitecare"


async def test_h_goes_home_from_a_briefing_opened_over_the_home_list(open_vault):
    # A new-user trial opened a briefing from the palette on the home screen, pressed h,
    # and stayed on the briefing.
    from sitecare.screens.home import HomeScreen

    where = many_people(3)
    app = make_app(open_vault)
    async with app.run_test(size=SIZE) as pilot:
        await open_palette_and_type(app, pilot, "person 001")
        await pilot.press("enter")
        await settle(app, pilot)
        assert isinstance(app.screen, BriefingScreen) and app.screen.site_id == where[1].id
        await pilot.press("h")
        await settle(app, pilot)
        assert isinstance(app.screen, HomeScreen)
        assert len(app.screen_stack) == 1


async def test_going_home_never_closes_a_concern_being_typed(open_vault):
    from sitecare.screens.concern_form import ConcernFormScreen

    app = make_app(open_vault)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("ctrl+n")
        await settle(app, pilot)
        assert isinstance(app.screen, ConcernFormScreen)
        app.action_go("home")  # as h does when focus is on no text box
        await settle(app, pilot)
        assert isinstance(app.screen, ConcernFormScreen)


async def test_a_mode_key_opens_its_main_screen_not_the_last_one_open_there(open_vault):
    from sitecare.screens.home import HomeScreen
    from sitecare.screens.sites import SitesScreen

    many_people(3)
    app = make_app(open_vault)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("s")
        await settle(app, pilot)
        assert isinstance(app.screen, SitesScreen)
        await pilot.press("enter")
        await settle(app, pilot)
        assert isinstance(app.screen, BriefingScreen)
        await pilot.press("h")
        await settle(app, pilot)
        assert isinstance(app.screen, HomeScreen)
        await pilot.press("s")
        await settle(app, pilot)
        assert isinstance(app.screen, SitesScreen)
