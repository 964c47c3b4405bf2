"""What a new-user trial found at an 80x24 terminal, on the demo's records: footers cut
mid-word, the concerns search's placeholder cut, the training detail running off the
bottom, commands and file names broken mid-word, an item's due date said three times,
and Textual's own words in the help. Each is checked here as the screen draws it."""

from __future__ import annotations

import shutil
import tempfile
from datetime import datetime
from pathlib import Path

import pytest
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.widgets import DataTable, Input, Select

from sitecare.app import SitecareApp
from sitecare.data.demo import populate_demo
from sitecare.data.models import TrainingKind
from sitecare.data.vault import Vault
from sitecare.screens.home import AttentionDetailScreen, HomeScreen
from sitecare.screens.training import TrainingScreen
from sitecare.screens.unlock import CreateVaultScreen

from support import help_rows, reopen, settle

NOW = datetime(2026, 11, 23, 10, 0)  # a Monday
SIZE = (80, 24)


def make_app(vault) -> SitecareApp:
    return SitecareApp(vault, now=lambda: NOW)


def lines(app) -> list[str]:
    """The screen as the terminal shows it, a line a row."""
    return [strip.text for strip in app.screen._compositor.render_strips()]


@pytest.fixture
def demo(open_vault):
    populate_demo(NOW.date())
    return open_vault


# ------------------------------------------------------------------------------ footers

# Each list and detail screen, and the keys that reach it from the home screen.
SCREENS = {
    "home": [],
    "concerns": ["c"],
    "a concern": ["c", "enter"],
    "procedure templates": ["c", "p"],
    "sites": ["s"],
    "a site": ["s", "enter"],
    "a site's people": ["s", "enter", "o"],
    "a site's policy": ["s", "enter", "p"],
    "a site's training": ["s", "enter", "r"],
    "training": ["t"],
    "a training record": ["t", "down"],
    "compliance": ["t", "r"],
    "local authorities": ["a"],
    "clients": ["k"],
    "a client's consents": ["k", "i"],
    "a client's data requests": ["k", "d"],
    "complaints": ["m"],
    "complaints monitoring": ["m", "o"],
}


def screen_keys(app) -> list[Binding]:
    """The screen's and the app's keys that do something here (the focused widget's
    cursor keys are Textual's)."""
    from textual.app import App
    from textual.screen import Screen

    return [active.binding for active in app.screen.active_bindings.values()
            if active.binding.description and isinstance(active.node, (App, Screen))]


@pytest.mark.parametrize("where", list(SCREENS))
async def test_every_footer_shows_whole_keys_and_the_help_at_80_columns(demo, where):
    # The trial read "p Next st" on the complaints log, and keys cut off or missing
    # elsewhere with nothing to say where the rest were.
    app = make_app(demo)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        for key in SCREENS[where]:
            await pilot.press(key)
            await settle(app, pilot)
        if where != "home":
            assert not isinstance(app.screen, HomeScreen), where
        keys = screen_keys(app)
        shown = {f"{app.get_key_display(b)} {b.description}" for b in keys if b.show}
        left = lines(app)[-1].split("▏")[0].rstrip()
        assert left.endswith(tuple(shown)), f"{where}: the last key is cut: {left!r}"
        assert "f1 Help" in left, where
        # Every key is in the help, shown in the footer or not.
        listed = {description for _, description in await help_rows(pilot)}
        missing = {b.description for b in keys if b.action not in ("command_palette",)} - listed
        assert not missing - {"Focus Next", "Focus Previous"}, where


async def test_the_help_keeps_its_place_when_keys_are_left_out():
    from textual.app import App

    from sitecare.screens.footer import Footer

    class Crowded(App):
        BINDINGS = [Binding(k, "bell", f"Key {k} does this") for k in "abcdefg"] + [Binding("f1", "help", "Help")]

        def compose(self):
            yield Footer()

    app = Crowded()
    async with app.run_test(size=(60, 5)) as pilot:
        await pilot.pause()
        footer = app.screen.query_one(Footer)
        keys = [key for key, _ in footer.shown_in_full()]
        assert keys[-2:] == ["f1", "ctrl+p"] and "g" not in keys
        assert len(footer.render().plain) == 60


# ----------------------------------------------------------------------- concerns search


async def test_the_concerns_search_shows_its_placeholder_whole_at_80_columns(demo):
    app = make_app(demo)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        await pilot.press("c")
        await settle(app, pilot)
        search = app.screen.query_one("#q-text", Input)
        assert search.placeholder in lines(app)[1]
        # The status beside it still fits its longest choice on one line.
        status = app.screen.query_one("#q-status", Select)
        status.value = "active"
        await settle(app, pilot)
        assert status.outer_size.height == 1 and "Open or awaiting" in lines(app)[1]


# ------------------------------------------------------------------------ training detail


async def test_the_training_detail_can_be_read_to_its_end_by_keyboard(demo):
    # At 80x24 the Prevent kind's detail (its rule, a site's own limit, the sites that
    # require it, what n does) is six lines: the last two were never shown.
    app = make_app(demo)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        await pilot.press("t")
        await settle(app, pilot)
        assert isinstance(app.screen, TrainingScreen)
        prevent = TrainingKind.get(TrainingKind.code == "prevent")
        table = app.screen.query_one(DataTable)
        table.move_cursor(row=table.get_row_index(f"kind-{prevent.id}"))
        await settle(app, pilot)
        assert not any("n adds a record of this kind." in line for line in lines(app))
        await pilot.press("tab", *["down"] * 4)
        await pilot.pause()
        assert any("n adds a record of this kind." in line for line in lines(app))
        box = app.screen.query_one("#training-detail-box", VerticalScroll)
        assert app.focused is box
        # Another row's detail is read from its start.
        await pilot.press("shift+tab", "down")
        await settle(app, pilot)
        assert box.scroll_y == 0


# -------------------------------------------------------------- commands and file names


async def test_the_restore_command_is_on_a_line_of_its_own_at_80_columns(vault_dir, template_kek):
    # A short folder, as a person's would be: the command then fits a line.
    folder = Path(tempfile.mkdtemp(prefix="sc", dir="/tmp")) / "v"
    try:
        shutil.copytree(vault_dir, folder)
        saved = reopen(folder, template_kek)
        saved.save(full=True)  # a backup kept
        saved.close()
        (folder / "sitecare.vault").unlink()
        vault = Vault(folder)
        said = vault.missing_with_backups(quit_first=True)
        assert said
        app = SitecareApp(vault)
        async with app.run_test(size=SIZE) as pilot:
            await pilot.pause()
            assert isinstance(app.screen, CreateVaultScreen)
            shown = [line.strip("│ ") for line in lines(app)]
            assert f"sitecare backups --restore 1 --vault {folder}" in shown
            assert any(line.startswith(f"(sitecare backups --vault {folder} lists") for line in shown)
            # Word for word what it said before, only the lines broken elsewhere.
            notice = str(app.screen.query_one("#create-notice").render())
            assert " ".join(said[:-1].split()) in " ".join(notice.split())
    finally:
        shutil.rmtree(folder.parent)


async def test_a_long_file_name_in_a_toast_is_not_broken_at_80_columns(open_vault):
    name = "Safeguarding-children-level-3-certificate-2026.pdf"  # 51 characters
    app = make_app(open_vault)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await settle(app, pilot)
        app.notify(f"Attached {name} (41 KB) to Safeguarding children.")
        await pilot.pause()
        await pilot.pause()
        assert any(name in line for line in lines(app))


# ---------------------------------------------------------------------- an item's details


async def test_an_items_details_say_its_due_date_once(demo):
    app = make_app(demo)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        home = app.screen
        item = next(i for i in home.shown if i.due == NOW.date() and i.due_at is None)
        app.push_screen(AttentionDetailScreen(item))
        await settle(app, pilot)
        text = "\n".join(lines(app))
        assert "Due soon · due today, 23 Nov 2026" in text
        assert "Due 23 Nov 2026" not in text


# ------------------------------------------------------------------------------- the help


async def test_the_help_says_tab_in_sitecares_words(open_vault):
    app = make_app(open_vault)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        rows = await help_rows(pilot)
        assert ("tab / shift+tab", "Move between fields and lists") in rows
        assert not {"Focus Next", "Focus Previous"} & {description for _, description in rows}
