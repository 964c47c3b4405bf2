"""The briefing: everything for the corridor, the essentials on one 80x24 screen."""

from __future__ import annotations

from datetime import date

from sitecare.data import contacts
from sitecare.data.models import Contact, Site
from sitecare.screens.briefing import BriefingScreen
from sitecare.screens.contacts import ContactFormScreen, ContactsScreen

from sitehelpers import SIZE, TODAY, fill, fixed_sites, make_app, screen_text, settle, type_text

ESSENTIAL_ROWS = ["#briefing-title", "#b-dsl", "#b-deputy-0", "#b-deputy-1", "#b-head", "#b-report", "#b-policy",
                  "#b-training", "#b-la", "#b-concern-0", "#b-visit"]


async def open_briefing(app, pilot, site_name: str) -> None:
    """From anywhere: the sites table, filter to the site, Enter."""
    await pilot.press("s", "slash")
    await type_text(pilot, site_name)
    await pilot.press("enter")
    await pilot.pause()
    await pilot.pause()


def row_text(app, selector: str) -> str:
    return str(app.screen.query_one(f"{selector}-value").render())


async def test_the_essentials_fit_on_one_80x24_screen(open_vault):
    fixed_sites()
    app = make_app(open_vault)
    async with app.run_test(size=SIZE) as pilot:
        await open_briefing(app, pilot, "kestrel")
        assert isinstance(app.screen, BriefingScreen)
        body = app.screen.query_one("#briefing")
        assert body.scroll_y == 0
        visible_bottom = body.region.bottom
        for selector in ESSENTIAL_ROWS:
            widget = app.screen.query_one(selector)
            assert widget.region.height > 0, selector
            assert widget.region.bottom <= visible_bottom, f"{selector} is below the fold"


async def test_what_the_briefing_says(open_vault):
    fixed_sites()
    app = make_app(open_vault)
    async with app.run_test(size=SIZE) as pilot:
        await open_briefing(app, pilot, "kestrel")
        assert row_text(app, "#b-dsl") == "Claire Ashdown  07700 900123 · Office next to Year 6"
        assert row_text(app, "#b-deputy-0").startswith("Mark Ellery  07700 900124")
        assert row_text(app, "#b-deputy-1").startswith("Priya Chandran  07700 900125")
        assert row_text(app, "#b-head") == "Simon Latchford  01632 960741"
        assert row_text(app, "#b-report") == "CPOMS — Tell the DSL in person straight after the session."
        assert row_text(app, "#b-policy") == "✓ signed 5 Sep 2026; re-sign due 1 Sep 2027"
        # Prevent (24 months from 20 Dec 2024) runs out on 20 Dec 2026: 28 days away.
        assert row_text(app, "#b-training") == (
            "! Prevent (within 2 years): expiring in 28 days · ✓ Safeguarding children"
        )
        assert row_text(app, "#b-la") == (
            "Cambridgeshire: children 0345 045 5203 · adults 0345 045 5202 · "
            "out of hours 01733 234724 · LADO —"
        )
        assert row_text(app, "#b-concern-0") == (
            "C-2026-004 awaiting outcome — next: Chase the DSL for the outcome, due 20 Nov 2026 (overdue)"
        )
        assert row_text(app, "#b-visit").startswith("Sign in on the reception tablet.")
        assert "next visit Tue 24 Nov" in str(app.screen.query_one("#briefing-title").render())


async def test_a_site_with_no_dsl_shows_the_gap_and_the_key_fills_it(open_vault):
    world = fixed_sites()
    app = make_app(open_vault)
    async with app.run_test(size=SIZE) as pilot:
        await open_briefing(app, pilot, "poppy")
        assert row_text(app, "#b-dsl") == "No DSL recorded — press d to add who it is."
        assert row_text(app, "#b-head").startswith("Maureen Tilley")  # the manager stands in the head's row
        # y has nothing to copy yet, and says so.
        await pilot.press("y")
        await pilot.pause()
        assert app.clipboard == ""
        await pilot.press("d")
        await pilot.pause()
        assert isinstance(app.screen, ContactFormScreen)
        await fill(app, pilot, "#name", "Grace Hill")
        await fill(app, pilot, "#phone", "07700 900321")
        await pilot.press("ctrl+s")
        await settle(app, pilot)
        assert isinstance(app.screen, BriefingScreen)
        await pilot.pause()
        assert row_text(app, "#b-dsl").startswith("Grace Hill  07700 900321")
        assert contacts.current(world["poppy"], "dsl", TODAY).from_date == TODAY


async def test_y_copies_the_dsls_number(open_vault):
    fixed_sites()
    app = make_app(open_vault)
    async with app.run_test(size=SIZE) as pilot:
        await open_briefing(app, pilot, "kestrel")
        await pilot.press("y")
        await pilot.pause()
        assert app.clipboard == "07700 900123"


async def test_change_the_dsl_and_see_the_history(open_vault):
    world = fixed_sites()
    app = make_app(open_vault)
    async with app.run_test(size=SIZE) as pilot:
        await open_briefing(app, pilot, "kestrel")
        await pilot.press("d")
        await pilot.pause()
        form = app.screen
        assert isinstance(form, ContactFormScreen)
        assert "Claire Ashdown's time as Designated Safeguarding Lead ends the day before." in screen_text(app)
        await fill(app, pilot, "#name", "Ben Newman")
        await fill(app, pilot, "#from_date", "31/8/2022")  # before Claire started: refused
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert app.screen is form
        await fill(app, pilot, "#from_date", "05/01/2027")
        await fill(app, pilot, "#phone", "07700 900999")
        await pilot.press("ctrl+s")
        await settle(app, pilot)
        assert isinstance(app.screen, BriefingScreen)
        # Still Claire today: Ben starts in January.
        assert row_text(app, "#b-dsl").startswith("Claire Ashdown")
        await pilot.press("o")
        await pilot.pause()
        assert isinstance(app.screen, ContactsScreen)
        # Ben is listed as starting later, not under history as if he had already left.
        upcoming = app.screen.query_one("#upcoming")
        rows = [[str(c) for c in upcoming.get_row_at(i)] for i in range(upcoming.row_count)]
        assert rows == [["DSL", "Ben Newman", "5 Jan 2027", ""]]
        assert upcoming.display
        past = app.screen.query_one("#past")
        assert "Ben Newman" not in [str(past.get_row_at(i)[1]) for i in range(past.row_count)]
        # The record: Claire ends the day before Ben starts; a concern on either side names the right one.
        assert Contact.get(Contact.name == "Claire Ashdown").to_date == date(2027, 1, 4)
        assert contacts.current(world["kestrel"], "dsl", date(2027, 1, 4)).name == "Claire Ashdown"
        assert contacts.current(world["kestrel"], "dsl", date(2027, 1, 5)).name == "Ben Newman"


async def test_replace_from_the_people_screen_moves_the_old_one_to_history(open_vault):
    world = fixed_sites()
    app = make_app(open_vault)
    async with app.run_test(size=SIZE) as pilot:
        await open_briefing(app, pilot, "kestrel")
        await pilot.press("o")
        await pilot.pause()
        # The DSL is the first row in post; r replaces them from today.
        await pilot.press("r")
        await pilot.pause()
        await fill(app, pilot, "#name", "Nadia Kowalczyk")
        await pilot.press("ctrl+s")
        await settle(app, pilot)
        screen = app.screen
        assert isinstance(screen, ContactsScreen)
        in_post = screen.query_one("#in-post")
        assert [str(c) for c in in_post.get_row_at(0)][:2] == ["DSL", "Nadia Kowalczyk"]
        past = screen.query_one("#past")
        assert [str(c) for c in past.get_row_at(0)][:4] == ["DSL", "Claire Ashdown", "1 Sep 2022", "21 Nov 2026"]
        # f: confirmed details today.
        await pilot.press("f")
        await settle(app, pilot)
        assert contacts.current(world["kestrel"], "dsl", TODAY).confirmed_on == TODAY
        # As of last June, the DSL was Claire.
        assert contacts.current(world["kestrel"], "dsl", date(2026, 6, 1)).name == "Claire Ashdown"
        await pilot.press("escape")
        await pilot.pause()
        assert row_text(app, "#b-dsl").startswith("Nadia Kowalczyk")


async def test_several_deputies_and_one_leaving(open_vault):
    world = fixed_sites()
    app = make_app(open_vault)
    async with app.run_test(size=SIZE) as pilot:
        await open_briefing(app, pilot, "kestrel")
        await pilot.press("o", "n")
        await pilot.pause()
        form = app.screen
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert "Choose the person's role at the site." in screen_text(app)
        form.query_one("#role").value = "deputy_dsl"
        await fill(app, pilot, "#name", "Tom Birchall")
        await pilot.press("ctrl+s")
        await settle(app, pilot)
        deputies = contacts.contacts_on(world["kestrel"], TODAY, "deputy_dsl")
        assert sorted(c.name for c in deputies) == ["Mark Ellery", "Priya Chandran", "Tom Birchall"]
        # Mark leaves: x on his row, last day today.
        table = app.screen.query_one("#in-post")
        table.move_cursor(row=[str(table.get_row_at(i)[1]) for i in range(table.row_count)].index("Mark Ellery"))
        await pilot.press("x")
        await pilot.pause()
        await fill(app, pilot, "#last_day", "01/01/2020")
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert "cannot end before it starts" in screen_text(app)
        await fill(app, pilot, "#last_day", "21/11/2026")
        await pilot.press("ctrl+s")
        await settle(app, pilot)
        deputies = contacts.contacts_on(world["kestrel"], TODAY, "deputy_dsl")
        assert sorted(c.name for c in deputies) == ["Priya Chandran", "Tom Birchall"]


async def test_open_a_briefing_from_the_palette(open_vault):
    world = fixed_sites()
    app = make_app(open_vault)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("ctrl+p")
        await pilot.pause()
        await type_text(pilot, "lrkspr")  # fuzzy: letters in order, not a substring
        await pilot.pause(0.5)
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, BriefingScreen)
        assert app.screen.site_id == world["larkspur"].id
        # A person's name finds their site's briefing.
        await pilot.press("escape", "ctrl+p")
        await pilot.pause()
        await type_text(pilot, "priya")
        await pilot.pause(0.5)
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, BriefingScreen)
        assert app.screen.site_id == world["kestrel"].id


async def test_policy_and_training_keys_from_the_briefing(open_vault):
    fixed_sites()
    app = make_app(open_vault)
    async with app.run_test(size=SIZE) as pilot:
        await open_briefing(app, pilot, "larkspur")
        assert row_text(app, "#b-policy") == "✗ not signed yet — press p"
        assert row_text(app, "#b-training") == "✗ Safeguarding adults: no training recorded"
        await pilot.press("r")
        await pilot.pause()
        assert "Training required by Larkspur House" in screen_text(app)
        await pilot.press("escape", "p")
        await pilot.pause()
        assert "Safeguarding policy: Larkspur House" in screen_text(app)


def test_briefing_snapshot_80x24(open_vault, snap_compare):
    fixed_sites()
    app = make_app(open_vault)

    async def run_before(pilot) -> None:
        await open_briefing(pilot.app, pilot, "kestrel")
        await pilot.pause()

    assert snap_compare(app, terminal_size=SIZE, run_before=run_before)


async def test_briefing_for_an_archived_site_still_opens(open_vault):
    fixed_sites()
    app = make_app(open_vault)
    async with app.run_test(size=SIZE) as pilot:
        site = Site.get(Site.name == "Old Mill School")
        app.push_screen(BriefingScreen(site.id))
        await pilot.pause()
        await pilot.pause()
        assert "(archived)" in str(app.screen.query_one("#briefing-title").render())
        assert row_text(app, "#b-la").startswith("no local authority linked")



async def test_private_work_shows_my_organisations_lead(open_vault):
    from sitecare.data import sites
    from sitecare.data.models import Organisation, change

    with change():
        cat = Organisation.get(Organisation.short_name == "CAT")
        cat.safeguarding_lead_name = "Dr Frances Keel"
        cat.safeguarding_lead_phone = "07700 900285"
        cat.save()
    site = sites.save_site(sites.SiteFields(name="Mill Yard Therapy Rooms", kind="private_practice",
                                            arrangement="private", organisation_id=cat.id))
    app = make_app(open_vault)
    async with app.run_test(size=SIZE) as pilot:
        app.push_screen(BriefingScreen(site.id))
        await pilot.pause()
        await pilot.pause()
        assert row_text(app, "#b-dsl") == (
            "Dr Frances Keel  07700 900285 · CAT's safeguarding lead (private clients: no site DSL)"
        )
        assert not app.screen.query("#b-deputy-0")
        await pilot.press("y")
        await pilot.pause()
        assert app.clipboard == "07700 900285"


async def test_a_site_worked_under_an_organisation_shows_its_lead_and_manager(open_vault):
    # Concern steps there call on them ("your organisation's safeguarding lead").
    from sitecare.data import sites
    from sitecare.data.models import Organisation, change

    with change():
        mtb = Organisation.get(Organisation.short_name == "MTB")
        mtb.safeguarding_lead_name, mtb.safeguarding_lead_phone = "Catherine Dunmore", "07700900311"
        mtb.manager_name = "Philippa Stroud"
        mtb.save()
    site = sites.save_site(sites.SiteFields(name="Larkspur House", kind="care_home", organisation_id=mtb.id))
    bare = sites.save_site(sites.SiteFields(name="Wren House", kind="school"))
    app = make_app(open_vault)
    async with app.run_test(size=SIZE) as pilot:
        app.push_screen(BriefingScreen(site.id))
        await pilot.pause()
        await pilot.pause()
        assert row_text(app, "#b-own-org") == (
            "MTB: safeguarding lead Catherine Dunmore  07700 900311 · manager Philippa Stroud")
        app.push_screen(BriefingScreen(bare.id))
        await pilot.pause()
        await pilot.pause()
        assert not app.screen.query("#b-own-org")
