"""Pilot tests for the sites table and form, driven by keys at 80x24."""

from __future__ import annotations

from datetime import date

import pytest
from textual.widgets import DataTable, Input, Select

from sitecare.data import contacts, sites
from sitecare.data.models import LocalAuthority, Site, change
from sitecare.screens import formfields as ff
from sitecare.screens.briefing import BriefingScreen
from sitecare.screens.site_form import SiteFormScreen
from sitecare.screens.sites import SitesScreen

from sitehelpers import SIZE, TODAY, field_error, fill, fixed_sites, make_app, settle, type_text


def table_names(app) -> list[str]:
    table = app.screen.query_one("#sites-table", DataTable)
    return [str(table.get_row_at(i)[0]) for i in range(table.row_count)]


async def choose(app, pilot, selector: str, typed: str) -> None:
    """Open a Select with Enter, type to find the option, Enter to take it."""
    app.screen.query_one(selector, Select).focus()
    await pilot.press("enter")
    await type_text(pilot, typed)
    await pilot.press("enter")
    await pilot.pause()


async def test_s_opens_the_sites_table_from_anywhere(open_vault):
    fixed_sites()
    app = make_app(open_vault)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("s")
        await pilot.pause()
        assert isinstance(app.screen, SitesScreen)
        # Archived sites are hidden until asked for.
        assert table_names(app) == ["Kestrel Fen Primary School", "Larkspur House", "Poppyfield Day Centre"]
        await pilot.press("u")
        await pilot.pause()
        assert "Old Mill School (archived)" in table_names(app)


async def test_add_a_site_with_its_dsl(open_vault):
    app = make_app(open_vault)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("s", "n")
        await pilot.pause()
        assert isinstance(app.screen, SiteFormScreen)
        # Saving with nothing typed names the missing field, next to it.
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert field_error(app, "name") == "Enter the site's name."
        assert isinstance(app.screen, SiteFormScreen)

        await fill(app, pilot, "#name", "St Mary's Primary")
        assert field_error(app, "name") == ""
        await choose(app, pilot, "#local_authority", "lut")
        await fill(app, pilot, "#recording_system", "MyConcern")
        await fill(app, pilot, "#dsl_name", "Ann Lead")
        await fill(app, pilot, "#dsl_phone", "01234 27669")  # a digit short
        await fill(app, pilot, "#dsl_email", "ann@school")
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert "too few digits" in field_error(app, "dsl_phone")
        assert "full domain" in field_error(app, "dsl_email")
        assert not Site.select().exists()

        await fill(app, pilot, "#dsl_phone", "+44 1234 276693")
        await fill(app, pilot, "#dsl_email", "ann@stmarys.sch.example")
        await pilot.press("ctrl+s")
        await settle(app, pilot)
        assert isinstance(app.screen, SitesScreen)
        site = Site.get(Site.name == "St Mary's Primary")
        assert site.local_authority.name == "Luton"
        assert site.recording_system == "MyConcern"
        dsl = contacts.current(site, "dsl", TODAY)
        assert (dsl.name, dsl.phone, dsl.from_date) == ("Ann Lead", "01234 276693", TODAY)
        assert table_names(app) == ["St Mary's Primary"]
        row = app.screen.query_one(DataTable).get_row_at(0)
        assert "Ann Lead" in [str(c) for c in row]


async def test_the_form_refuses_a_duplicate_and_bad_dates(open_vault):
    luton = LocalAuthority.get(LocalAuthority.name == "Luton")
    sites.save_site(sites.SiteFields(name="St Mary's Primary", local_authority_id=luton.id))
    app = make_app(open_vault)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("s", "n")
        await pilot.pause()
        await fill(app, pilot, "#name", "st mary's primary")
        await choose(app, pilot, "#local_authority", "lut")
        app.screen.query_one("#frequency", Select).value = "weekly"
        await pilot.pause()
        await choose(app, pilot, "#weekday", "tue")
        await fill(app, pilot, "#visit_start", "31/02/2026")
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert "is not a real date" in field_error(app, "visit_start")
        await fill(app, pilot, "#visit_start", "03/09/2026")
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert field_error(app, "name") == "There is already a site called St Mary's Primary in Luton."
        assert Site.select().count() == 1


async def test_a_visit_pattern_from_the_simple_form(open_vault):
    site = sites.save_site(sites.SiteFields(name="Otterbrook Academy"))
    app = make_app(open_vault)
    async with app.run_test(size=SIZE) as pilot:
        app.push_screen(SiteFormScreen(site))
        await pilot.pause()
        app.screen.query_one("#frequency", Select).value = "fortnightly"
        await pilot.pause()
        # The day must be chosen before saving.
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert field_error(app, "weekday") == "Choose the day of the week for the visits."
        await choose(app, pilot, "#weekday", "thu")
        await fill(app, pilot, "#visit_start", "26/11/2026")
        preview = str(app.screen.query_one("#next-visit").render())
        assert preview == "Every other Thursday: next visit 26 Nov 2026"
        await pilot.press("ctrl+s")
        await settle(app, pilot)
        site = Site.get_by_id(site.id)
        assert site.visit_rule == "FREQ=WEEKLY;INTERVAL=2;BYDAY=TH"
        assert site.visit_start == date(2026, 11, 26)
        assert [s.name for s in sites.todays_visits(date(2026, 12, 10))] == ["Otterbrook Academy"]
        assert sites.todays_visits(date(2026, 12, 3)) == []


async def test_first_monday_of_the_month(open_vault):
    site = sites.save_site(sites.SiteFields(name="Larkspur House", kind="care_home"))
    app = make_app(open_vault)
    async with app.run_test(size=SIZE) as pilot:
        app.push_screen(SiteFormScreen(site))
        await pilot.pause()
        app.screen.query_one("#frequency", Select).value = "monthly"
        await pilot.pause()
        await choose(app, pilot, "#weekday", "mon")
        assert str(app.screen.query_one("#next-visit").render()) == "First Monday of the month: next visit 7 Dec 2026"
        await pilot.press("ctrl+s")
        await settle(app, pilot)
        assert Site.get_by_id(site.id).visit_rule == "FREQ=MONTHLY;BYDAY=1MO"


async def test_cancelling_a_changed_form_asks_first(open_vault):
    app = make_app(open_vault)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("s", "n")
        await pilot.pause()
        await fill(app, pilot, "#name", "Half typed")
        await pilot.press("escape")
        await pilot.pause()
        # The safe answer has focus: Enter keeps editing.
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, SiteFormScreen)
        assert app.screen.query_one("#name", Input).value == "Half typed"


async def test_filter_as_you_type_then_enter_opens_the_briefing(open_vault):
    fixed_sites()
    app = make_app(open_vault)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("s", "slash")
        await type_text(pilot, "lark")
        await pilot.pause()
        assert table_names(app) == ["Larkspur House"]
        # People's names match too: the DSL at Kestrel Fen.
        app.screen.query_one("#sites-filter", Input).value = ""
        await type_text(pilot, "ashdown")
        await pilot.pause()
        assert table_names(app) == ["Kestrel Fen Primary School"]
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, BriefingScreen)
        assert app.screen.site_id == Site.get(Site.name == "Kestrel Fen Primary School").id


async def test_sorting_by_key_and_by_header(open_vault):
    fixed_sites()
    app = make_app(open_vault)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("s")
        await pilot.pause()
        screen = app.screen
        # z moves the sort to the next column (DSL): sites without one go last.
        await pilot.press("z")
        await pilot.pause()
        assert screen.sort_key == "dsl"
        assert table_names(app) == ["Kestrel Fen Primary School", "Larkspur House", "Poppyfield Day Centre"]
        await pilot.press("z", "z", "z")  # policy, training, next visit
        await pilot.pause()
        assert screen.sort_key == "next_visit"
        # Kestrel on Tuesday 24 Nov, Larkspur on Monday 7 Dec, Poppyfield has no visits.
        assert table_names(app) == ["Kestrel Fen Primary School", "Larkspur House", "Poppyfield Day Centre"]
        await pilot.press("Z")
        await pilot.pause()
        assert table_names(app) == ["Poppyfield Day Centre", "Larkspur House", "Kestrel Fen Primary School"]
        # Clicking a header sorts by it; clicking again reverses.
        table = screen.query_one(DataTable)
        await pilot.click("#sites-table", offset=(3, 0))
        await pilot.pause()
        assert screen.sort_key == "name" and not screen.sort_reverse
        await pilot.click("#sites-table", offset=(3, 0))
        await pilot.pause()
        assert screen.sort_reverse
        assert table_names(app)[0] == "Poppyfield Day Centre"
        assert table.row_count == 3


async def test_policy_column_sorts_the_neediest_first(open_vault):
    fixed_sites()
    app = make_app(open_vault)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("s")
        await pilot.pause()
        app.screen.sort_key = "policy"
        app.screen.refresh_data()
        await pilot.pause()
        # No policy (Poppyfield), never signed (Larkspur), then signed (Kestrel).
        assert table_names(app) == ["Poppyfield Day Centre", "Larkspur House", "Kestrel Fen Primary School"]


async def test_archive_and_restore(open_vault):
    fixed_sites()
    app = make_app(open_vault)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("s", "down", "x")
        await pilot.pause()
        await pilot.press("tab", "enter")  # from Cancel to Archive
        await settle(app, pilot)
        assert Site.get(Site.name == "Larkspur House").archived
        assert "Larkspur House" not in table_names(app)
        await pilot.press("u")
        await pilot.pause()
        index = table_names(app).index("Larkspur House (archived)")
        app.screen.query_one(DataTable).move_cursor(row=index)
        await pilot.press("x")
        await settle(app, pilot)
        assert not Site.get(Site.name == "Larkspur House").archived


async def test_edit_keeps_what_was_not_touched(open_vault):
    world = fixed_sites()
    app = make_app(open_vault)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("s", "e")
        await pilot.pause()
        assert isinstance(app.screen, SiteFormScreen)
        await fill(app, pilot, "#address", "1 Heron Way, Kestrel Fen")
        await pilot.press("ctrl+s")
        await settle(app, pilot)
        site = Site.get_by_id(world["kestrel"].id)
        assert site.address == "1 Heron Way, Kestrel Fen"
        assert site.visit_rule == "FREQ=WEEKLY;BYDAY=TU"
        assert site.visit_start == date(2026, 9, 1)
        assert site.recording_system == "CPOMS"
        assert site.local_authority.name == "Cambridgeshire"


def test_sites_table_snapshot_80x24(open_vault, snap_compare):
    fixed_sites()
    app = make_app(open_vault)

    async def run_before(pilot) -> None:
        await pilot.press("s")
        await pilot.pause()

    assert snap_compare(app, terminal_size=SIZE, run_before=run_before)


async def test_a_wide_terminal_also_shows_kind_and_local_authority(open_vault):
    fixed_sites()
    app = make_app(open_vault)
    async with app.run_test(size=(130, 30)) as pilot:
        await pilot.press("s")
        await pilot.pause()
        table = app.screen.query_one(DataTable)
        headings = [str(c.label) for c in table.ordered_columns]
        assert headings == ["Site ▲", "Kind", "Local authority", "DSL", "Policy", "Training", "Next visit"]
        assert [str(c) for c in table.get_row_at(1)][:3] == ["Larkspur House", "Care home", "Bedford Borough"]


# -- what the forms accept and store (the issue's own examples) -------------------------

@pytest.mark.parametrize(
    "typed, stored",
    [
        ("01234 276693", "01234 276693"),
        ("+44 1234 276693", "01234 276693"),
        ("01234276693", "01234 276693"),
        ("0800 028 0285", "0800 028 0285"),
        ("034 5045 5203", "0345 045 5203"),  # seed 000's mis-grouped form
        ("", ""),
    ],
)
def test_phone_forms_people_type_are_stored_grouped(typed, stored):
    assert ff.phone(typed) == stored


@pytest.mark.parametrize("junk", ["01234", "ring the office", "+33 1 23 45 67 89", "01234 276693 ext 4", "0123 456 78901"])
def test_phone_junk_is_refused_with_a_sentence(junk):
    with pytest.raises(ValueError) as caught:
        ff.phone(junk)
    message = str(caught.value)
    assert message.endswith(".") and junk.strip() in message


@pytest.mark.parametrize("typed", ["03/09/2025", "3/9/2025", "03-09-2025", "2025-09-03", "3 Sep 2025"])
def test_dates_are_read_day_first(typed):
    assert ff.day(typed) == date(2025, 9, 3)
    assert ff.shown_date_input(ff.day(typed)) == "03/09/2025"


@pytest.mark.parametrize("junk", ["31/02/2025", "next tuesday", "3/9/25", "09/2025"])
def test_date_junk_is_refused(junk):
    with pytest.raises(ValueError):
        ff.day(junk)


def test_email_is_checked():
    assert ff.email(" DSL@School.Example ") == "DSL@school.example"
    for junk in ("dsl@school", "dsl school@x.example", "dsl@@x.example"):
        with pytest.raises(ValueError):
            ff.email(junk)


async def test_an_imported_custom_pattern_is_kept_unless_changed(open_vault):
    site = sites.save_site(sites.SiteFields(name="Mid-month Clinic", visit_rule="FREQ=MONTHLY;BYMONTHDAY=15",
                                            visit_start=date(2026, 1, 15)))
    app = make_app(open_vault)
    async with app.run_test(size=SIZE) as pilot:
        app.push_screen(SiteFormScreen(site))
        await pilot.pause()
        assert app.screen.query_one("#frequency", Select).value == "custom"
        assert str(app.screen.query_one("#next-visit").render()) == "On the 15th of the month: next visit 15 Dec 2026"
        await fill(app, pilot, "#address", "Clinic Road")
        await pilot.press("ctrl+s")
        await settle(app, pilot)
        again = Site.get_by_id(site.id)
        assert (again.visit_rule, again.visit_start, again.address) == (
            "FREQ=MONTHLY;BYMONTHDAY=15", date(2026, 1, 15), "Clinic Road")


async def test_the_sites_table_is_read_once_on_opening_and_again_only_after_a_change(open_vault, monkeypatch):
    """The first switch to the sites mode resumed the screen twice just after it
    mounted, and each resume read every site again: 4 s to open on a busy practice's."""
    fixed_sites()
    reads = []
    real = sites.site_summaries
    monkeypatch.setattr(sites, "site_summaries", lambda *a, **k: reads.append(1) or real(*a, **k))
    app = make_app(open_vault)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        await pilot.press("s")
        await settle(app, pilot)
        assert isinstance(app.screen, SitesScreen) and len(reads) == 1
        await pilot.press("enter")  # a briefing, and back: nothing changed
        await settle(app, pilot)
        await pilot.press("escape")
        await settle(app, pilot)
        assert isinstance(app.screen, SitesScreen) and len(reads) == 1
        with change():
            Site.create(name="Quince Lodge", kind="school")
        await pilot.press("h", "s")
        await settle(app, pilot)
        assert len(reads) == 2
        assert "Quince Lodge" in table_names(app)
