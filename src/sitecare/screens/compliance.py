"""Am I cleared to go in? Sites x the training they require, from rules/validity.py.

`ComplianceScreen()` is the whole matrix (reached from the training screen with r);
`ComplianceScreen(site_id=...)` is one site's column of it, for the sites screens to
open (`open_site_compliance(app, site_id)`). Each cell is OK / expiring / expired /
missing, coloured with the theme; the line below says why for the cell under the
cursor. Enter on a cell goes to the training screen at that kind, to add or renew.
"""

from __future__ import annotations

from rich.text import Text
from textual import on
from textual.app import App, ComposeResult
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import DataTable, Header, Static

from ..data import training
from ..data.attention_inputs import windows
from ..rules.dates import show_date
from ..rules.validity import TrainingState, TrainingStatus
from .footer import Footer

CELL_WORDS = {
    TrainingState.OK: "OK",
    TrainingState.NO_EXPIRY: "OK",
    TrainingState.EXPIRING: "expiring",
    TrainingState.EXPIRED: "EXPIRED",
    TrainingState.MISSING: "missing",
}
CELL_COLOURS = {
    TrainingState.OK: "success",
    TrainingState.NO_EXPIRY: "success",
    TrainingState.EXPIRING: "warning",
    TrainingState.EXPIRED: "error",
    TrainingState.MISSING: "error",
}


# Column headings for the shipped kinds, two short lines each.
SHORT_NAMES = {
    "safeguarding_children": "Safeguard.\nchildren",
    "safeguarding_adults": "Safeguard.\nadults",
    "prevent": "Prevent",
    "dbs_update": "DBS\nUpdate",
    "hcpc_registration": "HCPC\nregistered",
    "ico_registration": "ICO fee",
    "insurance": "Insurance",
}


def heading(kind: training.KindInfo) -> str:
    return SHORT_NAMES.get(kind.code) or _short(kind.name)


def _short(name: str) -> str:
    """Two short lines for a column heading: "Safeguarding\\nchildren"."""
    words = name.replace("(", "").replace(")", "").split()
    if len(words) == 1:
        return words[0][:10]
    first, rest = words[0][:10], " ".join(words[1:])
    return f"{first}\n{rest[:10]}"


class ComplianceScreen(Screen):
    CSS_PATH = "training.tcss"
    BINDINGS = [
        Binding("escape", "back", "Back", id="compliance-back"),
        Binding("q", "back", "Back", id="compliance-back-q", show=False),
    ]

    def __init__(self, site_id: int | None = None):
        super().__init__()
        self.site_id = site_id
        self.matrix: training.ComplianceMatrix | None = None

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static("", id="compliance-title")
        yield DataTable(id="compliance-table", cursor_type="cell", header_height=2, zebra_stripes=True)
        yield Static("", id="compliance-detail")
        yield Footer()

    def on_mount(self) -> None:
        self.refresh_data()
        self.query_one(DataTable).focus()

    def on_screen_resume(self) -> None:
        self.refresh_data()

    def on_resize(self) -> None:
        wide = self.size.width >= 140
        if wide != getattr(self, "_wide", None):
            self._wide = wide
            self.refresh_data()

    def refresh_data(self) -> None:
        if not self.app.vault.is_open:
            return
        colours = self.app.get_css_variables()
        today = self.app.today()
        self.matrix = matrix = training.compliance_matrix(today, windows().training_days, self.site_id)
        table = self.query_one(DataTable)
        table.clear(columns=True)
        title = self.query_one("#compliance-title", Static)
        if self.site_id is not None:
            name = matrix.rows[0].site_name if matrix.rows else "this site"
            title.update(f"Training required by {name}")
        else:
            title.update("Site compliance: the training each site requires, and how mine stands")
        if not matrix.rows or not matrix.kinds:
            table.display = False
            self.query_one("#compliance-detail", Static).update(
                "No site requires any training yet: add requirements from the sites screen (s, then r)."
                if self.site_id is None else
                "This site requires no training yet: add its requirements from the sites screen (r)."
            )
            return
        table.display = True
        table.add_column("Site", key="site", width=40 if getattr(self, "_wide", False) else 26)
        for kind in matrix.kinds:
            table.add_column(heading(kind), key=f"kind-{kind.id}", width=10)
        for row in matrix.rows:
            cells = [Text(row.site_name, overflow="ellipsis", no_wrap=True)]
            for kind in matrix.kinds:
                status = row.cells.get(kind.id)
                if status is None:
                    cells.append(Text("·", style=colours.get("text-muted", "")))
                else:
                    style = colours.get(CELL_COLOURS[status.state], "")
                    if status.state in (TrainingState.EXPIRED, TrainingState.MISSING):
                        style += " bold"
                    cells.append(Text(CELL_WORDS[status.state], style=style.strip()))
            table.add_row(*cells, key=f"site-{row.site_id}")
        self._detail()

    def _cell(self) -> tuple[training.ComplianceRow, training.KindInfo, TrainingStatus | None] | None:
        if self.matrix is None or not self.matrix.rows:
            return None
        table = self.query_one(DataTable)
        row_index, col_index = table.cursor_coordinate
        if not 0 <= row_index < len(self.matrix.rows):
            return None
        row = self.matrix.rows[row_index]
        if col_index == 0:
            return row, None, None  # type: ignore[return-value]
        kind = self.matrix.kinds[col_index - 1]
        return row, kind, row.cells.get(kind.id)

    def _detail(self) -> None:
        box = self.query_one("#compliance-detail", Static)
        cell = self._cell()
        if cell is None:
            box.update("")
            return
        row, kind, status = cell
        if kind is None:
            unmet = sum(1 for s in row.cells.values() if s.needs_attention)
            box.update(f"{row.site_name}: {len(row.cells)} kind{'s' if len(row.cells) != 1 else ''} of training "
                       f"required, {unmet} needing attention. ← → move across the kinds.")
            return
        if status is None:
            box.update(f"{row.site_name} does not require {kind.name}.")
            return
        age = row.max_age.get(kind.id)
        rule = f"no older than {age} months" if age else kind.validity_text
        why = f"{kind.name} for {row.site_name} ({rule}): {status.line}"
        if status.completed:
            why += f"; counting the course of {show_date(status.completed)}"
        if status.limited_by_site:
            why += " (the site's own limit, sooner than the certificate's)"
        box.update(Text(why + ". Enter opens the training screen at this kind."))

    @on(DataTable.CellHighlighted)
    def _highlighted(self) -> None:
        self._detail()

    @on(DataTable.CellSelected)
    def _selected(self) -> None:
        cell = self._cell()
        if cell is None or cell[1] is None:
            return
        kind = cell[1]
        app = self.app
        if "training" not in app.MODES:
            return
        if len(app.screen_stack) > 1:
            app.pop_screen()
        if app.current_mode != "training":
            app.switch_mode("training")

        def show() -> None:
            screen = app.screen
            if hasattr(screen, "refresh_data"):
                screen.refresh_data(select=f"kind-{kind.id}")

        app.call_after_refresh(show)

    def action_back(self) -> None:
        if len(self.app.screen_stack) > 1:
            self.app.pop_screen()


def open_site_compliance(app: App, site_id: int) -> None:
    """For the sites screens: how my training stands against one site's requirements."""
    app.push_screen(ComplianceScreen(site_id=site_id))
