"""Pilot tests for the training screen: add, change, certificates in and out, delete, the
compliance matrix, and the home screen's warning going away. Time is fixed."""

from __future__ import annotations

import hashlib
import os
import stat
from datetime import date, datetime
from pathlib import Path

import pytest
from textual.widgets import DataTable, Input, OptionList, Select, Static

from sitecare.app import SitecareApp
from sitecare.data import training as training_mod
from sitecare.data.models import Attachment, Requirement, Site, TrainingKind, TrainingRecord, change
from sitecare.screens.compliance import ComplianceScreen
from sitecare.screens.confirm import ConfirmScreen
from sitecare.screens.home import HomeScreen
from sitecare.screens.training import TrainingScreen
from sitecare.screens.training_form import PathScreen, TrainingFormScreen

from support import settle

SIZE = (80, 24)
NOW = datetime(2026, 11, 22, 9, 0)
TODAY = NOW.date()
PDF = b"%PDF-1.4\n% a fictional certificate\n" + bytes(range(256)) * 40


def make_app(vault) -> SitecareApp:
    return SitecareApp(vault, now=lambda: NOW)


def kind(code: str) -> TrainingKind:
    return TrainingKind.get(TrainingKind.code == code)


def field_error(app, name: str) -> str:
    return str(app.screen.query_one(f"#{name}-field .field-error", Static).render())


def field_hint(app, name: str) -> str:
    return str(app.screen.query_one(f"#{name}-field .field-hint", Static).render())


def home_text(app) -> str:
    options = app.screen.query_one(OptionList)
    return "\n".join(str(options.get_option_at_index(i).prompt) for i in range(options.option_count))


def certificate_file(tmp_path: Path, name: str = "insurance-2026.pdf", data: bytes = PDF) -> Path:
    path = tmp_path / "downloads" / name
    path.parent.mkdir(exist_ok=True)
    path.write_bytes(data)
    return path


async def open_training(app, pilot) -> TrainingScreen:
    await pilot.press("t")
    await pilot.pause()
    assert isinstance(app.screen, TrainingScreen)
    return app.screen


async def select_row(app, pilot, key: str) -> None:
    table = app.screen.query_one(DataTable)
    table.move_cursor(row=table.get_row_index(key))
    await pilot.pause()


async def type_into(pilot, app, selector: str, text: str) -> None:
    app.screen.query_one(selector, Input).focus()
    await pilot.pause()
    await pilot.press(*text)


# ------------------------------------------------------------------------------ the main flow


async def test_adding_a_certificate_clears_the_home_warning(open_vault, tmp_path):
    with change():
        TrainingRecord.create(kind=kind("insurance"), completed=date(2025, 11, 10), expires=date(2026, 11, 10))
    source = certificate_file(tmp_path)
    before = (source.read_bytes(), source.stat().st_mtime_ns, stat.S_IMODE(source.stat().st_mode))
    app = make_app(open_vault)
    async with app.run_test(size=SIZE) as pilot:
        assert isinstance(app.screen, HomeScreen)
        assert "OVERDUE  Training: Professional indemnity and public liability insurance" in home_text(app)
        assert not app.screen.query_one("#home-clear").display

        await open_training(app, pilot)
        await select_row(app, pilot, f"kind-{kind('insurance').id}")
        await pilot.press("n")
        await pilot.pause()
        form = app.screen
        assert isinstance(form, TrainingFormScreen)
        # The kind under the cursor is chosen already.
        assert form.query_one("#kind", Select).value == kind("insurance").id
        await type_into(pilot, app, "#completed", "20/11/2026")
        await pilot.pause()
        assert "20 Nov 2027" in field_hint(app, "expires")
        await type_into(pilot, app, "#provider", "Brightwater Insurance")
        form.query_one("#certificate", Input).value = str(source)
        await pilot.press("ctrl+s")
        await settle(app, pilot)
        assert isinstance(app.screen, TrainingScreen), field_error(app, "certificate")

        record = TrainingRecord.select().order_by(TrainingRecord.id.desc()).get()
        assert (record.completed, record.expires, record.expiry_overridden) == (date(2026, 11, 20), date(2027, 11, 20), False)
        assert record.provider == "Brightwater Insurance"
        cert = record.certificate
        assert (cert.filename, cert.size, cert.sha256) == ("insurance-2026.pdf", len(PDF), hashlib.sha256(PDF).hexdigest())
        assert cert.media_type == "application/pdf"
        # Encrypted in the vault folder, and the original untouched.
        blob = open_vault.blob_path(cert.blob_id).read_bytes()
        assert PDF[:200] not in blob
        assert open_vault.get_blob(cert.blob_id) == PDF
        assert (source.read_bytes(), source.stat().st_mtime_ns, stat.S_IMODE(source.stat().st_mode)) == before

        await pilot.press("h")
        await pilot.pause()
        assert isinstance(app.screen, HomeScreen)
        assert "Professional indemnity" not in home_text(app)
        assert "All clear" in str(app.screen.query_one("#home-clear", Static).render())


async def test_add_starts_in_the_date_when_the_kind_is_chosen_already(open_vault):
    # A new-user trial pressed n and typed the date at once: it went into the Kind list.
    app = make_app(open_vault)
    async with app.run_test(size=SIZE) as pilot:
        await open_training(app, pilot)
        await select_row(app, pilot, f"kind-{kind('insurance').id}")
        await pilot.press("n")
        await pilot.pause()
        form = app.screen
        assert form.query_one("#kind", Select).value == kind("insurance").id
        await pilot.press(*"20/11/2026")
        await pilot.pause()
        assert form.query_one("#completed", Input).value == "20/11/2026"
        assert "20 Nov 2027" in field_hint(app, "expires")


async def test_export_and_reimport_byte_identical(open_vault, tmp_path):
    source = certificate_file(tmp_path, "safeguarding level 2.pdf")
    with change():
        record = TrainingRecord.create(kind=kind("safeguarding_children"), completed=date(2025, 9, 22),
                                       expires=date(2028, 9, 22))
    app = make_app(open_vault)
    async with app.run_test(size=SIZE) as pilot:
        await open_training(app, pilot)
        await select_row(app, pilot, f"rec-{record.id}")
        # Export needs a certificate: not offered yet.
        assert app.screen.check_action("export", ()) is None
        await pilot.press("f")
        await pilot.pause()
        assert isinstance(app.screen, PathScreen)
        app.screen.query_one("#path", Input).value = str(source)
        await pilot.press("enter")
        await settle(app, pilot)
        assert isinstance(app.screen, TrainingScreen)
        assert TrainingRecord.get_by_id(record.id).certificate.filename == "safeguarding level 2.pdf"

        # Export to a folder: the certificate keeps its name.
        out = tmp_path / "out"
        out.mkdir()
        await pilot.press("x")
        await pilot.pause()
        app.screen.query_one("#path", Input).value = str(out)
        await pilot.press("enter")
        await settle(app, pilot)
        exported = out / "safeguarding level 2.pdf"
        assert exported.read_bytes() == PDF
        assert stat.S_IMODE(exported.stat().st_mode) == 0o600

        # Re-import the exported copy onto a new record: byte-identical in the vault.
        with change():
            second = TrainingRecord.create(kind=kind("safeguarding_adults"), completed=date(2025, 9, 22),
                                           expires=date(2028, 9, 22))
        app.screen.refresh_data(select=f"rec-{second.id}")
        await pilot.pause()
        await pilot.press("f")
        await pilot.pause()
        app.screen.query_one("#path", Input).value = str(exported)
        await pilot.press("enter")
        await settle(app, pilot)
        again = TrainingRecord.get_by_id(second.id).certificate
        first = TrainingRecord.get_by_id(record.id).certificate
        assert again.sha256 == first.sha256 == hashlib.sha256(PDF).hexdigest()
        assert open_vault.get_blob(again.blob_id) == PDF


async def test_export_never_overwrites_without_asking(open_vault, tmp_path):
    source = certificate_file(tmp_path)
    stored = training_mod.store_certificate(open_vault, str(source))
    with change():
        record = TrainingRecord.create(kind=kind("insurance"), completed=date(2026, 1, 5), expires=date(2027, 1, 5))
    training_mod.attach_certificate(record.id, stored)
    target = tmp_path / "mine.pdf"
    target.write_bytes(b"precious")
    app = make_app(open_vault)
    async with app.run_test(size=SIZE) as pilot:
        await open_training(app, pilot)
        await select_row(app, pilot, f"rec-{record.id}")
        await pilot.press("x")
        await pilot.pause()
        app.screen.query_one("#path", Input).value = str(target)
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, ConfirmScreen)
        assert "already exists" in str(app.screen.query_one("#question", Static).render())
        await pilot.press("enter")  # the safe answer has focus: keep the file
        await pilot.pause()
        assert isinstance(app.screen, PathScreen)
        assert target.read_bytes() == b"precious"
        await pilot.press("enter")
        await pilot.pause()
        await pilot.click("#yes")
        await settle(app, pilot)
        assert target.read_bytes() == PDF
        assert stat.S_IMODE(target.stat().st_mode) == 0o600


@pytest.mark.parametrize(
    "make, message",
    [
        (lambda p: p / "nowhere.pdf", "There is no file at"),
        (lambda p: p, "is a folder"),
        (lambda p: _write(p / "empty.pdf", b""), "is empty"),
        (lambda p: _write(p / "huge.pdf", b"\0" * (20 * 1024 * 1024 + 1)), "can be at most 20 MB"),
        (lambda p: _write(p / "locked.pdf", b"x", mode=0o000), "cannot be read"),
    ],
)
async def test_a_bad_certificate_path_gets_one_sentence_and_nothing_is_saved(open_vault, tmp_path, make, message):
    if message == "cannot be read" and os.geteuid() == 0:
        pytest.skip("root can read a file whatever its mode")
    path = make(tmp_path)
    app = make_app(open_vault)
    async with app.run_test(size=SIZE) as pilot:
        await open_training(app, pilot)
        await pilot.press("n")
        await pilot.pause()
        form = app.screen
        form.query_one("#kind", Select).value = kind("insurance").id
        form.query_one("#completed", Input).value = "01/11/2026"
        form.query_one("#certificate", Input).value = str(path)
        await pilot.press("ctrl+s")
        await settle(app, pilot)
        assert app.screen is form
        assert message in field_error(app, "certificate")
        assert TrainingRecord.select().count() == 0
        assert Attachment.select().count() == 0
        # Everything typed is still there to correct.
        assert form.query_one("#completed", Input).value == "01/11/2026"
    assert not open_vault.blob_dir.exists() or not list(open_vault.blob_dir.iterdir())


def _write(path: Path, data: bytes, mode: int | None = None) -> Path:
    path.write_bytes(data)
    if mode is not None:
        path.chmod(mode)
    return path


async def test_expiry_from_the_kind_and_overridden(open_vault):
    app = make_app(open_vault)
    async with app.run_test(size=SIZE) as pilot:
        await open_training(app, pilot)
        await pilot.press("n")
        await pilot.pause()
        form = app.screen
        form.query_one("#kind", Select).value = kind("safeguarding_children").id
        form.query_one("#completed", Input).value = "29/02/2024"
        await pilot.pause()
        assert "28 Feb 2027" in field_hint(app, "expires")
        assert "valid 3 years" in field_hint(app, "expires")
        await pilot.press("ctrl+s")
        await settle(app, pilot)
        record = TrainingRecord.get()
        assert (record.expires, record.expiry_overridden) == (date(2027, 2, 28), False)

        # Change it: a certificate that states its own, earlier expiry.
        await select_row(app, pilot, f"rec-{record.id}")
        await pilot.press("e")
        await pilot.pause()
        assert app.screen.query_one("#expires", Input).value == ""  # computed, so left blank
        app.screen.query_one("#expires", Input).value = "01/01/2027"
        await pilot.press("ctrl+s")
        await settle(app, pilot)
        record = TrainingRecord.get()
        assert (record.expires, record.expiry_overridden) == (date(2027, 1, 1), True)
        await pilot.press("e")
        await pilot.pause()
        assert app.screen.query_one("#expires", Input).value == "01/01/2027"


async def test_kind_without_validity_has_no_expiry(open_vault):
    app = make_app(open_vault)
    async with app.run_test(size=SIZE) as pilot:
        await open_training(app, pilot)
        await pilot.press("n")
        await pilot.pause()
        app.screen.query_one("#kind", Select).value = kind("prevent").id
        app.screen.query_one("#completed", Input).value = "03/09/2025"
        await pilot.pause()
        assert "no expiry" in field_hint(app, "expires")
        await pilot.press("ctrl+s")
        await settle(app, pilot)
        assert TrainingRecord.get().expires is None


@pytest.mark.parametrize(
    "field, value, message",
    [
        ("completed", "31/02/2026", "is not a real date"),
        ("completed", "", "Enter the date you did the training"),
        ("completed", "01/12/2026", "in the future"),
        ("expires", "3 Sep", "needs a year"),
        ("expires", "01/01/2020", "cannot be before"),
    ],
)
async def test_invalid_values_get_a_sentence_next_to_their_field(open_vault, field, value, message):
    app = make_app(open_vault)
    async with app.run_test(size=SIZE) as pilot:
        await open_training(app, pilot)
        await pilot.press("n")
        await pilot.pause()
        form = app.screen
        form.query_one("#kind", Select).value = kind("insurance").id
        form.query_one("#completed", Input).value = "01/11/2026"
        form.query_one(f"#{field}", Input).value = value
        await pilot.press("ctrl+s")
        await settle(app, pilot)
        assert app.screen is form
        assert message in field_error(app, field)
        assert TrainingRecord.select().count() == 0


async def test_the_kind_must_be_chosen(open_vault):
    app = make_app(open_vault)
    async with app.run_test(size=SIZE) as pilot:
        await open_training(app, pilot)
        await select_row(app, pilot, f"kind-{kind('insurance').id}")
        await pilot.press("down")  # no records: the next kind's header row
        await pilot.press("n")
        await pilot.pause()
        app.screen.query_one("#kind", Select).value = Select.NULL
        app.screen.query_one("#completed", Input).value = "01/11/2026"
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert "Choose the kind of training" in field_error(app, "kind")


async def test_delete_asks_first_and_removes_the_certificate(open_vault, tmp_path):
    stored = training_mod.store_certificate(open_vault, str(certificate_file(tmp_path)))
    with change():
        record = TrainingRecord.create(kind=kind("insurance"), completed=date(2026, 1, 5), expires=date(2027, 1, 5))
    training_mod.attach_certificate(record.id, stored)
    blob = open_vault.blob_path(stored.blob_id)
    assert blob.exists()
    app = make_app(open_vault)
    async with app.run_test(size=SIZE) as pilot:
        await open_training(app, pilot)
        await select_row(app, pilot, f"rec-{record.id}")
        await pilot.press("d")
        await pilot.pause()
        assert isinstance(app.screen, ConfirmScreen)
        question = str(app.screen.query_one("#question", Static).render())
        assert "insurance-2026.pdf" in question and "cannot be undone" in question
        await pilot.press("escape")
        await pilot.pause()
        assert TrainingRecord.select().count() == 1
        await pilot.press("d")
        await pilot.pause()
        await pilot.click("#yes")
        await settle(app, pilot)
        assert TrainingRecord.select().count() == 0
        assert Attachment.select().count() == 0
        assert not blob.exists()


async def test_open_with_the_system_viewer(open_vault, tmp_path, monkeypatch):
    stored = training_mod.store_certificate(open_vault, str(certificate_file(tmp_path)))
    with change():
        record = TrainingRecord.create(kind=kind("insurance"), completed=date(2026, 1, 5), expires=date(2027, 1, 5))
    training_mod.attach_certificate(record.id, stored)
    seen: list[list[str]] = []
    exit_code = {"value": 0}

    class FakePopen:
        def __init__(self, args, **kwargs):
            seen.append(list(args))

        def wait(self, timeout=None):
            return exit_code["value"]

    monkeypatch.setenv("XDG_RUNTIME_DIR", str(tmp_path / "run"))
    monkeypatch.setenv("DISPLAY", ":0")
    (tmp_path / "run").mkdir()
    monkeypatch.setattr(training_mod.subprocess, "Popen", FakePopen)
    messages = []
    app = make_app(open_vault)
    async with app.run_test(size=SIZE, message_hook=messages.append) as pilot:
        await open_training(app, pilot)
        await select_row(app, pilot, f"rec-{record.id}")

        monkeypatch.setattr(training_mod, "viewer_command", lambda: None)
        await pilot.press("o")
        await settle(app, pilot)
        assert seen == []
        notes = [m.notification.message for m in messages if type(m).__name__ == "Notify"]
        assert any("no system viewer" in n for n in notes)

        monkeypatch.setattr(training_mod, "viewer_command", lambda: ["xdg-open"])
        await pilot.press("o")
        await settle(app, pilot)
        assert len(seen) == 1 and seen[0][0] == "xdg-open"
        copy = Path(seen[0][1])
        assert copy.read_bytes() == PDF
        assert stat.S_IMODE(copy.stat().st_mode) == 0o600
        assert stat.S_IMODE(copy.parent.parent.stat().st_mode) == 0o700

        # The viewer says it cannot open it: one sentence, not a false "opened".
        exit_code["value"] = 3
        await pilot.press("o")
        await settle(app, pilot)
        notes = [m.notification.message for m in messages if type(m).__name__ == "Notify"]
        assert "could not open insurance-2026.pdf" in notes[-1]

        # No desktop to show it on.
        monkeypatch.delenv("DISPLAY")
        monkeypatch.delenv("WAYLAND_DISPLAY", raising=False)
        await pilot.press("o")
        await settle(app, pilot)
        notes = [m.notification.message for m in messages if type(m).__name__ == "Notify"]
        assert "no graphical desktop" in notes[-1]
        assert len(seen) == 2
    training_mod.remove_viewed_copies()
    assert not copy.exists()


async def test_compliance_matrix_from_the_training_screen(open_vault):
    with change():
        school = Site.create(name="Kestrel Fen Primary School", kind="school")
        home = Site.create(name="Larkspur House", kind="care_home")
        Requirement.create(site=school, kind=kind("safeguarding_children"))
        Requirement.create(site=school, kind=kind("prevent"), max_age_months=12)
        Requirement.create(site=home, kind=kind("safeguarding_adults"))
        TrainingRecord.create(kind=kind("safeguarding_children"), completed=date(2025, 9, 22), expires=date(2028, 9, 22))
        TrainingRecord.create(kind=kind("prevent"), completed=date(2025, 10, 1))
    app = make_app(open_vault)
    async with app.run_test(size=SIZE) as pilot:
        await open_training(app, pilot)
        await pilot.press("r")
        await pilot.pause()
        assert isinstance(app.screen, ComplianceScreen)
        table = app.screen.query_one(DataTable)
        rows = [[str(c) for c in table.get_row_at(i)] for i in range(table.row_count)]
        # Columns: Prevent, Safeguarding adults, Safeguarding children (by name).
        assert rows == [
            ["Kestrel Fen Primary School", "EXPIRED", "·", "OK"],
            ["Larkspur House", "·", "missing", "·"],
        ]
        # Prevent at Kestrel Fen: completed 1 Oct 2025, site limit 12 months: 1 Oct 2026,
        # 52 days before 22 Nov 2026, so expired.
        table.move_cursor(row=0, column=1)
        await pilot.pause()
        detail = str(app.screen.query_one("#compliance-detail", Static).render())
        assert "Prevent for Kestrel Fen Primary School (no older than 12 months): expired" in detail
        assert "the site's own limit" in detail
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, TrainingScreen)


async def test_one_sites_compliance_for_the_sites_screens(open_vault):
    from sitecare.screens.compliance import open_site_compliance

    with change():
        school = Site.create(name="Kestrel Fen Primary School", kind="school")
        other = Site.create(name="Larkspur House", kind="care_home")
        Requirement.create(site=school, kind=kind("safeguarding_children"))
        Requirement.create(site=other, kind=kind("insurance"))
    app = make_app(open_vault)
    async with app.run_test(size=SIZE) as pilot:
        open_site_compliance(app, school.id)
        await pilot.pause()
        assert isinstance(app.screen, ComplianceScreen)
        assert str(app.screen.query_one("#compliance-title", Static).render()) == "Training required by Kestrel Fen Primary School"
        table = app.screen.query_one(DataTable)
        assert [[str(c) for c in table.get_row_at(i)] for i in range(table.row_count)] == [
            ["Kestrel Fen Primary School", "missing"]]
        # Enter on the cell goes to the training screen at that kind, to add it.
        table.move_cursor(row=0, column=1)
        await pilot.press("enter")
        await pilot.pause()
        await pilot.pause()
        assert isinstance(app.screen, TrainingScreen)
        assert app.screen.selected_kind_id() == kind("safeguarding_children").id


async def test_the_training_screen_reads_its_records_once_on_opening(open_vault, monkeypatch):
    """The first switch to the training mode resumed the screen twice just after it
    mounted, and each resume read every record again."""
    reads = []
    real = training_mod.grouped_records
    monkeypatch.setattr(training_mod, "grouped_records", lambda *a, **k: reads.append(1) or real(*a, **k))
    app = make_app(open_vault)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        await pilot.press("t")
        await settle(app, pilot)
        assert len(reads) == 1
        await pilot.press("h", "t")  # away and back, nothing changed
        await settle(app, pilot)
        assert len(reads) == 1
        with change():
            TrainingRecord.create(kind=kind("insurance"), completed=date(2026, 1, 1), expires=date(2027, 1, 1))
        await pilot.press("h", "t")
        await settle(app, pilot)
        assert len(reads) == 2
