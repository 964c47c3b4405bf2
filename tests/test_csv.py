"""CSV import and export of sites with contacts and of the local authority directory:
all or nothing, each bad row named, re-import without duplicates, exports 0600."""

from __future__ import annotations

import csv
import io
import stat
from datetime import date

import pytest

from sitecare import cli
from sitecare.data import contacts, csvfiles
from sitecare.data.models import Contact, LocalAuthority, Site
from sitecare.screens.csvfile import CsvFileScreen
from sitecare.screens.sites import SitesScreen

from support import PASSPHRASE
from sitehelpers import SIZE, TODAY, fill, fixed_sites, make_app, screen_text, settle

HEADER = "site_name,kind,local_authority,recording_system,visit_pattern,contact_role,contact_name,contact_phone,contact_email,contact_from\n"

GOOD = HEADER + (
    "St Mary's Primary,school,Luton,MyConcern,FREQ=WEEKLY;BYDAY=TU,dsl,Ann Lead,01582 960001,ann@stmarys.example,01/09/2025\n"
    "St Mary's Primary,,,,,deputy_dsl,Bob Deputy,07700 900002,,01/09/2025\n"
    "St Mary's Primary,,,,,Deputy DSL,Cy Second,,,01/09/2025\n"
    "Elm Court,care home,Bedford Borough,paper form,,manager,Dee Manager,01234 276693,,\n"
)


def rows_of(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text)))


def test_a_clean_file_imports_sites_and_contacts(open_vault):
    report = csvfiles.import_sites(GOOD, TODAY)
    assert report.ok, report.errors
    assert report.added == {"sites": 2, "contacts": 4}
    stmarys = Site.get(Site.name == "St Mary's Primary")
    assert (stmarys.kind, stmarys.local_authority.name, stmarys.visit_rule) == ("school", "Luton", "FREQ=WEEKLY;BYDAY=TU")
    dsl = contacts.current(stmarys, "dsl", TODAY)
    assert (dsl.name, dsl.phone, dsl.from_date) == ("Ann Lead", "01582 960001", date(2025, 9, 1))
    assert len(contacts.contacts_on(stmarys, TODAY, "deputy_dsl")) == 2
    elm = Site.get(Site.name == "Elm Court")
    assert elm.kind == "care_home"
    # No start date given: from the day of the import.
    assert contacts.current(elm, "manager", TODAY).from_date == TODAY


def test_reimporting_the_same_file_duplicates_nothing(open_vault):
    csvfiles.import_sites(GOOD, TODAY)
    again = csvfiles.import_sites(GOOD, TODAY)
    assert again.ok and again.added == {} and again.updated == {}
    assert again.summary() == "Nothing new: everything in the file was already recorded."
    assert Site.select().count() == 2
    assert Contact.select().count() == 4


def test_one_bad_row_imports_nothing_and_is_named(open_vault):
    bad = GOOD + "Quillfield Academy,school,Nowhereshire,,,dsl,Owen T,0123,owen@,\n"
    report = csvfiles.import_sites(bad, TODAY)
    assert not report.ok
    assert not Site.select().exists() and not Contact.select().exists()
    assert len(report.errors) == 1
    error = report.errors[0]
    assert error.row == 6
    # Every reason in the row at once, so the file is fixed in one pass.
    assert "local_authority “Nowhereshire” is not in the directory" in error.message
    assert "contact_phone: “0123” has too few digits" in error.message
    assert "contact_email: “owen@”" in error.message
    assert str(error).startswith("Row 6: ")
    assert report.summary() == "Nothing was imported: 1 row needs fixing first."


@pytest.mark.parametrize(
    "row, reason",
    [
        (",school,Luton,,,,,,,", "site_name is empty"),
        ("X,castle,Luton,,,,,,,", "kind “castle” is not one of"),
        ("X,school,Luton,,FREQ=HOURLY,,,,,", "visit_pattern:"),
        ("X,school,Luton,,,,,07700 900001,,", "contact_phone is filled in but contact_name is empty"),
        ("X,school,Luton,,,,Ann,,,", "contact_role is empty"),
        ("X,school,Luton,,,wizard,Ann,,,", "contact_role “wizard” is not one of"),
        ("X,school,Luton,,,dsl,Ann,,,31/02/2026", "contact_from: “31/02/2026” is not a real date"),
        ("X,school,Luton,,,dsl,Ann,,,,extra", "more than the header's columns"),
    ],
)
def test_each_kind_of_bad_row(open_vault, row, reason):
    report = csvfiles.import_sites(HEADER + row + "\n", TODAY)
    assert [e.row for e in report.errors] == [2]
    assert reason in report.errors[0].message
    assert not Site.select().exists()


def test_a_site_given_two_different_ways_is_refused(open_vault):
    text = HEADER + "A,school,Luton,CPOMS,,,,,,\nA,,Luton,MyConcern,,,,,,\n"
    report = csvfiles.import_sites(text, TODAY)
    assert [e.row for e in report.errors] == [3]
    assert "recording_system differs from row 2" in report.errors[0].message


def test_two_dsls_starting_the_same_day_are_refused(open_vault):
    text = HEADER + "A,school,Luton,,,dsl,Ann,,,01/09/2025\nA,,Luton,,,dsl,Ben,,,01/09/2025\n"
    report = csvfiles.import_sites(text, TODAY)
    assert [e.row for e in report.errors] == [3]
    assert "would both be Designated Safeguarding Lead" in report.errors[0].message


def test_a_new_dsl_in_the_file_replaces_the_old_one(open_vault):
    csvfiles.import_sites(GOOD, TODAY)
    text = GOOD + "St Mary's Primary,,Luton,,,dsl,Eve New,07700 900009,,05/01/2026\n"
    report = csvfiles.import_sites(text, TODAY)
    assert report.ok, report.errors
    assert report.added == {"contacts": 1}
    stmarys = Site.get(Site.name == "St Mary's Primary")
    assert contacts.current(stmarys, "dsl", TODAY).name == "Eve New"
    assert contacts.current(stmarys, "dsl", date(2026, 1, 4)).name == "Ann Lead"
    assert Contact.get(Contact.name == "Ann Lead").to_date == date(2026, 1, 4)


def test_a_replacement_dated_before_the_current_dsl_is_refused_whole(open_vault):
    csvfiles.import_sites(GOOD, TODAY)
    text = HEADER + (
        "Brand New School,school,Luton,,,,,,,\n"
        "St Mary's Primary,,Luton,,,dsl,Too Early,,,01/01/2025\n"
    )
    report = csvfiles.import_sites(text, TODAY)
    assert [e.row for e in report.errors] == [3]
    assert "must start after" in report.errors[0].message
    # All or nothing: the good row before it was rolled back too.
    assert not Site.select().where(Site.name == "Brand New School").exists()


def test_export_then_import_into_an_empty_vault_round_trips(open_vault, tmp_path):
    world = fixed_sites()
    kestrel = world["kestrel"]
    claire = contacts.current(kestrel, "dsl", TODAY)
    contacts.replace_contact(claire, "Nadia Kowalczyk", date(2026, 10, 1), phone="07700 900777")
    text = csvfiles.export_sites()
    written = csvfiles.write_private(tmp_path / "sites.csv", text)
    assert stat.S_IMODE(written.stat().st_mode) == 0o600
    rows = rows_of(text)
    assert rows[0]["site_name"] == "Kestrel Fen Primary School"
    phones = {r["contact_name"]: r["contact_phone"] for r in rows}
    assert phones["Claire Ashdown"] == "07700 900123"  # grouped, so a spreadsheet keeps the 0
    assert {r["contact_name"]: r["contact_to"] for r in rows}["Claire Ashdown"] == "2026-09-30"
    assert any(r["site_name"] == "Old Mill School" and r["archived"] == "yes" for r in rows)

    # Same vault: nothing new.
    assert csvfiles.import_sites(text, TODAY).summary() == "Nothing new: everything in the file was already recorded."

    # Wipe the sites and bring them back from the file: the history comes back too.
    from sitecare.data.models import change

    with change():
        Contact.delete().execute()
        for site in Site.select():
            site.delete_instance(recursive=True)
    report = csvfiles.import_sites(text, TODAY)
    assert report.ok, report.errors
    back = Site.get(Site.name == "Kestrel Fen Primary School")
    assert contacts.current(back, "dsl", TODAY).name == "Nadia Kowalczyk"
    assert contacts.current(back, "dsl", date(2026, 6, 1)).name == "Claire Ashdown"
    assert back.visit_rule == "FREQ=WEEKLY;BYDAY=TU"
    assert Site.get(Site.name == "Old Mill School").archived


def test_formula_like_cells_are_quoted_on_export_and_restored_on_import(open_vault):
    from sitecare.data import sites

    sites.save_site(sites.SiteFields(name="Formula School", visit_notes="=HYPERLINK(\"x\")"))
    text = csvfiles.export_sites()
    assert rows_of(text)[0]["visit_notes"] == "'=HYPERLINK(\"x\")"
    from sitecare.data.models import change

    with change():
        Site.delete().execute()
    csvfiles.import_sites(text, TODAY)
    assert Site.get().visit_notes == "=HYPERLINK(\"x\")"


def test_files_that_are_not_our_csv(open_vault):
    with pytest.raises(csvfiles.CsvFileError, match="Unknown column colour"):
        csvfiles.import_sites("site_name,colour\nA,red\n", TODAY)
    with pytest.raises(csvfiles.CsvFileError, match="needs a site_name column"):
        csvfiles.import_sites("kind\nschool\n", TODAY)
    with pytest.raises(csvfiles.CsvFileError, match="empty"):
        csvfiles.import_sites("", TODAY)
    with pytest.raises(csvfiles.CsvFileError, match="binary"):
        csvfiles.decode(b"PK\x03\x04\x00\x00junk")
    with pytest.raises(csvfiles.CsvFileError, match="UTF-8"):
        csvfiles.decode("site_name\nCafé\n".encode("latin-1"))
    # Excel's byte-order mark is fine.
    assert csvfiles.decode("\ufeffsite_name\nA\n".encode("utf-8")) == "site_name\nA\n"


# -- the local authority directory ------------------------------------------------------------

AUTH_HEADER = "name,nation,children_phone,lado_phone,lado_email,verified_on,source\n"


def test_authorities_import_updates_and_adds_without_duplicates(open_vault):
    text = AUTH_HEADER + (
        "Milton Keynes,England,01908 253169,01908 254300,lado@mk.example,20/11/2026,MK council website\n"
        "luton,,01582 547653,,,,\n"
    )
    report = csvfiles.import_authorities(text)
    assert report.ok, report.errors
    assert report.added == {"local authorities": 1} and report.updated == {"local authorities": 1}
    luton = LocalAuthority.get(LocalAuthority.name == "Luton")
    # A blank cell leaves what is recorded: Luton keeps its seeded LADO number and source.
    assert luton.children_phone == "01582 547653"
    assert luton.lado_phone == "01582 548069"
    assert luton.source.startswith("003_")
    assert csvfiles.import_authorities(text).summary() == "Nothing new: everything in the file was already recorded."
    assert LocalAuthority.select().count() == 8


def test_authorities_bad_rows_import_nothing(open_vault):
    text = AUTH_HEADER + (
        "Milton Keynes,England,01908 253169,,,,\n"
        "Somewhere,Narnia,999999,,lado@@x,13/13/2026,\n"
        "Milton keynes,,,,,,\n"
    )
    report = csvfiles.import_authorities(text)
    assert [e.row for e in report.errors] == [3, 4]
    assert "nation “Narnia”" in report.errors[0].message
    assert "children_phone" in report.errors[0].message
    assert "lado_email" in report.errors[0].message
    assert "verified_on" in report.errors[0].message
    assert "already in row 2" in report.errors[1].message
    assert not LocalAuthority.select().where(LocalAuthority.name == "Milton Keynes").exists()


def test_an_authority_verified_after_today_is_refused(open_vault):
    # A future date hid the check's reminder until a year after it (a trial's 2030).
    def row(day: str) -> str:
        return AUTH_HEADER + f"Milton Keynes,England,01908 253169,,,{day},\n"

    today = date(2026, 11, 22)
    report = csvfiles.import_authorities(row("23/11/2026"), today)
    assert [e.row for e in report.errors] == [2]
    assert "verified_on (23 Nov 2026) is after today" in report.errors[0].message
    assert not LocalAuthority.select().where(LocalAuthority.name == "Milton Keynes").exists()
    assert csvfiles.import_authorities(row("22/11/2026"), today).ok  # today itself is fine


def test_authorities_round_trip(open_vault, tmp_path):
    text = csvfiles.export_authorities()
    rows = rows_of(text)
    assert [r["name"] for r in rows][:2] == ["Bedford Borough", "Cambridgeshire"]
    assert rows[0]["lado_phone"] == "01234 276693" and rows[0]["verified_on"] == "2023-09-01"
    assert csvfiles.import_authorities(text).ok
    assert LocalAuthority.select().count() == 7


# -- the command line ----------------------------------------------------------------------------


@pytest.fixture
def passphrase_file(tmp_path, monkeypatch):
    path = tmp_path / "passphrase"
    path.write_text(PASSPHRASE)
    monkeypatch.setenv("SITECARE_PASSPHRASE_FILE", str(path))
    return path


def test_cli_import_and_export_sites(vault_dir, passphrase_file, tmp_path, capsys):
    good = tmp_path / "good.csv"
    good.write_text(GOOD)
    assert cli.main(["import-sites", str(good), "--vault", str(vault_dir)]) == 0
    assert "Imported. contacts: 4 added; sites: 2 added." in capsys.readouterr().out
    out = tmp_path / "out.csv"
    assert cli.main(["export-sites", str(out), "--vault", str(vault_dir)]) == 0
    assert "Wrote 4 rows" in capsys.readouterr().out
    assert stat.S_IMODE(out.stat().st_mode) == 0o600
    assert [r["contact_name"] for r in rows_of(out.read_text())] == ["Dee Manager", "Ann Lead", "Bob Deputy", "Cy Second"]

    bad = tmp_path / "bad.csv"
    bad.write_text(HEADER + "New School,school,Luton,,,dsl,Zed,12,,\n")
    assert cli.main(["import-sites", str(bad), "--vault", str(vault_dir)]) == 2
    err = capsys.readouterr().err
    assert f"{bad}: Row 2: contact_phone" in err
    assert "Nothing was imported: 1 row needs fixing first." in err
    assert "Traceback" not in err
    assert cli.main(["import-sites", str(tmp_path / "nope.csv"), "--vault", str(vault_dir)]) == 2
    assert "There is no file" in capsys.readouterr().err


def test_cli_authorities(vault_dir, passphrase_file, tmp_path, capsys):
    out = tmp_path / "las.csv"
    assert cli.main(["export-authorities", str(out), "--vault", str(vault_dir)]) == 0
    assert stat.S_IMODE(out.stat().st_mode) == 0o600
    assert cli.main(["import-authorities", str(out), "--vault", str(vault_dir)]) == 0
    assert "Nothing new" in capsys.readouterr().out


# -- from the app ---------------------------------------------------------------------------------


async def test_import_a_csv_with_one_bad_row_from_the_app(open_vault, tmp_path):
    bad = tmp_path / "sites.csv"
    bad.write_text(GOOD + "Quillfield Academy,school,Nowhereshire,,,,,,,\n")
    app = make_app(open_vault)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("s", "i")
        await pilot.pause()
        assert isinstance(app.screen, CsvFileScreen)
        await fill(app, pilot, "#path", str(bad))
        await pilot.press("enter")
        await settle(app, pilot)
        assert isinstance(app.screen, CsvFileScreen)
        text = screen_text(app)
        assert "Nothing was imported: 1 row needs fixing first." in text
        assert "Row 6: local_authority “Nowhereshire” is not in the directory" in text
        assert not Site.select().exists()
        # Fix the file and try again from the same dialog.
        bad.write_text(GOOD)
        await pilot.press("ctrl+s")
        await settle(app, pilot)
        assert isinstance(app.screen, SitesScreen)
        assert Site.select().count() == 2
        assert app.screen.query_one("#sites-table").row_count == 2


async def test_export_from_the_app_is_private(open_vault, tmp_path):
    fixed_sites()
    target = tmp_path / "export.csv"
    app = make_app(open_vault)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("s", "w")
        await pilot.pause()
        await fill(app, pilot, "#path", str(target))
        await pilot.press("enter")
        await settle(app, pilot)
        assert isinstance(app.screen, SitesScreen)
    assert stat.S_IMODE(target.stat().st_mode) == 0o600
    assert "Kestrel Fen Primary School" in target.read_text()


def test_write_private_replaces_an_existing_file_and_tightens_it(tmp_path):
    target = tmp_path / "x.csv"
    target.write_text("old")
    target.chmod(0o644)
    csvfiles.write_private(target, "new")
    assert target.read_text() == "new"
    assert stat.S_IMODE(target.stat().st_mode) == 0o600
    assert [p.name for p in tmp_path.iterdir()] == ["x.csv"]  # no temp file left behind
