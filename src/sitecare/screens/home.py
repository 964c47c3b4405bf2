"""The home screen: what needs attention, shown after every unlock."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.screen import Screen
from textual.widgets import Footer, Header, Static

from ..data import queries


class HomeScreen(Screen):
    def compose(self) -> ComposeResult:
        yield Header()
        with VerticalScroll(id="home"):
            yield Static("", id="home-counts", classes="counts")
            yield Static("", id="home-body")
        yield Footer()

    def on_mount(self) -> None:
        self.refresh_data()

    def on_screen_resume(self) -> None:
        self.refresh_data()

    def refresh_data(self) -> None:
        if not self.app.vault.is_open:
            return
        counts = queries.vault_counts()
        self.query_one("#home-counts", Static).update(
            f"{counts.sites} sites · {counts.open_concerns} open concerns · "
            f"{counts.training_records} training records"
        )
        self.query_one("#home-body", Static).update(
            "Nothing needs attention yet. Press F1 for every key, ctrl+p to search."
        )
