"""Every key, for the screen the help was opened from."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import DataTable, Static


class HelpScreen(ModalScreen[None]):
    BINDINGS = [
        Binding("escape", "dismiss", "Close", id="close"),
        Binding("f1", "dismiss", "Close", show=False),
        Binding("q", "dismiss", "Close", show=False),
    ]

    def __init__(self, keys: list[tuple[str, str]], palette: bool = True):
        super().__init__()
        self.keys = keys
        self.palette = palette  # the command palette works here (not while locked)

    def compose(self) -> ComposeResult:
        with Vertical(id="help-box", classes="dialog"):
            yield Static("Keys", classes="dialog-title")
            yield Static(
                "ctrl+p opens the command palette: type part of a name to jump to it, "
                "or an action to run it. Escape closes this." if self.palette else "Escape closes this.",
                classes="dim",
            )
            yield DataTable(id="help-keys", cursor_type="row", zebra_stripes=True)

    def on_mount(self) -> None:
        table = self.query_one(DataTable)
        table.add_columns("Key", "What it does")
        for key, description in self.keys:
            table.add_row(key, description)
        table.focus()
