"""The local authority directory: seeded entries with source and verified date, the
national lines, adding and editing with checks next to each field."""

from __future__ import annotations

from datetime import date

import pytest
from textual.widgets import DataTable

from sitecare.data import authorities
from sitecare.data.authorities import AuthorityError, AuthorityFields
from sitecare.data.models import LocalAuthority
from sitecare.screens.authorities import AuthoritiesScreen, AuthorityFormScreen

from sitehelpers import SIZE, field_error, fill, make_app, screen_text, settle, type_text


def names(app) -> list[str]:
    table = app.screen.query_one(DataTable)
    return [str(table.get_row_at(i)[0]) for i in range(table.row_count)]


async def test_seeded_entries_show_their_source_and_verified_date(open_vault):
    app = make_app(open_vault)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("a")
        await pilot.pause()
        assert isinstance(app.screen, AuthoritiesScreen)
        assert names(app) == ["Bedford Borough", "Cambridgeshire", "Central Bedfordshire", "Hertfordshire",
                              "Luton", "Newham", "Peterborough"]
        # The first (Bedford Borough) is shown in full beneath the table.
        detail = str(app.screen.query_one("#authority-detail").render())
        assert "LADO 01234 276693" in detail
        assert "Source: 003_438f426657d4b2d7.txt (Music Therapy Bedfordshire safeguarding policy); verified 1 Sep 2023." in detail
        assert "Not recorded: Children's safeguarding" in detail
        await pilot.press("down")
        await pilot.pause()
        detail = str(app.screen.query_one("#authority-detail").render())
        assert "Cambridgeshire" in detail and "not verified" in detail
        national = str(app.screen.query_one("#national-lines").render())
        assert "NSPCC whistleblowing helpline  0800 028 0285" in national
        assert "Police (emergency)  999" in national


async def test_add_an_authority_with_checks_beside_each_field(open_vault):
    app = make_app(open_vault)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("a", "n")
        await pilot.pause()
        assert isinstance(app.screen, AuthorityFormScreen)
        await fill(app, pilot, "#name", "luton")
        await fill(app, pilot, "#children_phone", "01582 54")
        await fill(app, pilot, "#lado_email", "lado at milton.example")
        await fill(app, pilot, "#office_close", "5pm")
        await fill(app, pilot, "#verified_on", "yesterday")
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert "too few digits" in field_error(app, "children_phone")
        assert "has a space in it" in field_error(app, "lado_email")
        assert field_error(app, "office_close") == "“5pm” is not a time: type it as 09:00."
        assert "is not a date" in field_error(app, "verified_on")
        await fill(app, pilot, "#children_phone", "01908 253169")
        await fill(app, pilot, "#lado_email", "lado@milton.example")
        await fill(app, pilot, "#office_close", "17:30")
        await fill(app, pilot, "#verified_on", "20/11/2026")
        await pilot.press("ctrl+s")
        await pilot.pause()
        # The name is the last thing wrong: Luton is already in the directory.
        assert field_error(app, "name") == "Luton is already in the directory."
        await fill(app, pilot, "#name", "Milton Keynes")
        await pilot.press("ctrl+s")
        await settle(app, pilot)
        assert isinstance(app.screen, AuthoritiesScreen)
        mk = LocalAuthority.get(LocalAuthority.name == "Milton Keynes")
        assert (mk.children_phone, mk.lado_email, mk.office_close, mk.verified_on) == (
            "01908 253169", "lado@milton.example", "17:30", date(2026, 11, 20))
        # The new one is selected and shown.
        detail = str(app.screen.query_one("#authority-detail").render())
        assert "Milton Keynes" in detail and "Source: entered by you; verified 20 Nov 2026." in detail


async def test_edit_keeps_the_other_numbers(open_vault):
    app = make_app(open_vault)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("a", "down", "enter")  # Cambridgeshire
        await pilot.pause()
        assert isinstance(app.screen, AuthorityFormScreen)
        await fill(app, pilot, "#lado_phone", "01223 727 967")
        await pilot.press("ctrl+s")
        await settle(app, pilot)
        cambs = LocalAuthority.get(LocalAuthority.name == "Cambridgeshire")
        assert cambs.lado_phone == "01223 727967"
        assert cambs.children_phone == "0345 045 5203"
        assert cambs.source.startswith("000_00de3f88eb12b296.txt")


async def test_the_palette_jumps_to_an_authority(open_vault):
    app = make_app(open_vault)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("ctrl+p")
        await pilot.pause()
        await type_text(pilot, "central beds")
        await pilot.pause(0.5)
        await pilot.press("enter")
        await pilot.pause()
        await pilot.pause()
        assert isinstance(app.screen, AuthoritiesScreen)
        assert "Central Bedfordshire" in str(app.screen.query_one("#authority-detail").render())
        assert "LADO 0300 300 8142" in screen_text(app)


def test_save_authority_checks(open_vault):
    with pytest.raises(AuthorityError) as caught:
        authorities.save_authority(AuthorityFields(name="  "))
    assert caught.value.field == "name"
    with pytest.raises(AuthorityError) as caught:
        authorities.save_authority(AuthorityFields(name="X", office_open="18:00", office_close="09:00"))
    assert caught.value.field == "office_close"
    with pytest.raises(AuthorityError) as caught:
        authorities.save_authority(AuthorityFields(name="X", nation="FRA"))
    assert caught.value.field == "nation"
    with pytest.raises(AuthorityError) as caught:  # a trial's "verified 1 Jan 2030" hid the reminder
        authorities.save_authority(AuthorityFields(name="X", verified_on=date(2026, 11, 23)), today=date(2026, 11, 22))
    assert caught.value.field == "verified_on"
    assert authorities.save_authority(AuthorityFields(name="Y", verified_on=date(2026, 11, 22)),
                                      today=date(2026, 11, 22)).verified_on == date(2026, 11, 22)
    saved = authorities.save_authority(AuthorityFields(name=" Milton   Keynes ", office_open="8:30"))
    assert (saved.name, saved.office_open) == ("Milton Keynes", "08:30")
    assert authorities.find_authority("milton keynes").id == saved.id
