"""The training a site requires, with a maximum age, and how my records stand against
each (seed 003: Prevent "in line with procedures of the establishment")."""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import Screen
from textual.widgets import Button, DataTable, Header, Input, Select, Static

from rich.text import Text

from ..data import sites
from ..rules.validity import TrainingState
from . import formfields as ff
from .confirm import ConfirmScreen
from .formfields import Field, FormScreen
from .footer import Footer


class RequirementFormScreen(FormScreen):
    CSS_PATH = "site_form.tcss"

    def __init__(self, site_id: int, line: sites.RequirementLine | None = None):
        super().__init__()
        self.site_id = site_id
        self.line = line

    def compose(self) -> ComposeResult:
        kinds = [(k.name, k.id) for k in sites.training_kinds()]
        line = self.line
        with Vertical(classes="dialog contact-form"):
            yield Static("Change a requirement" if line else "The site requires this training", classes="dialog-title")
            yield Field("Training", Select(kinds, value=line.kind_id if line else Select.NULL, prompt="(choose)",
                                           compact=True, id="kind", disabled=line is not None),
                        name="kind", parse=ff.chosen("the kind of training"))
            yield Field("No older than", Input(str(line.max_age_months) if line and line.max_age_months else "",
                                               placeholder="months (blank: as long as the certificate lasts)",
                                               compact=True, id="max_age"),
                        name="max_age", parse=ff.months,
                        hint="e.g. 24 for 'Prevent within 2 years'.")
            yield Static("", id="form-error", classes="error")
            with Horizontal(classes="buttons"):
                yield Button("Save  ctrl+s", variant="primary", id="save", compact=True)
                yield Button("Cancel  esc", id="cancel", compact=True)

    def on_mount(self) -> None:
        super().on_mount()
        if self.line is not None:
            self.query_one("#max_age", Input).focus()

    @on(Button.Pressed, "#cancel")
    def _cancel_pressed(self) -> None:
        self.action_cancel()

    def action_save(self) -> None:
        values = self.collect()
        if values is None:
            return
        kind = self.line.kind_id if self.line else values["kind"]
        try:
            sites.set_requirement(sites.get_site(self.site_id), kind, values.get("max_age"))
        except sites.SiteError as exc:
            self.show_field_error(exc.field, str(exc))
            return
        self.app.tell_when_saved("Saved the requirement.", "the requirement")
        self.dismiss(kind)


class RequirementsScreen(Screen):
    CSS_PATH = "policy.tcss"
    BINDINGS = [
        Binding("escape", "back", "Back", id="requirements-back"),
        Binding("n", "add", "Add", id="requirements-add"),
        Binding("e", "change", "Change", id="requirements-change"),
        Binding("x", "remove", "Remove", id="requirements-remove"),
    ]

    def __init__(self, site_id: int):
        super().__init__()
        self.site_id = site_id
        self.lines: list[sites.RequirementLine] = []

    def compose(self) -> ComposeResult:
        yield Header()
        with VerticalScroll(id="policy"):
            yield Static("", id="requirements-title", classes="dialog-title")
            yield Static("What this site requires, checked against your training records.", classes="dim")
            yield DataTable(id="requirements-table", cursor_type="row", zebra_stripes=True)
            yield Static("", id="requirements-empty", classes="hint")
        yield Footer()

    def on_mount(self) -> None:
        table = self.query_one(DataTable)
        table.add_column("Training", key="kind", width=30)
        table.add_column("No older than", key="age", width=13)
        table.add_column("Status", key="status")
        self.refresh_data()
        table.focus()

    def on_screen_resume(self) -> None:
        self.refresh_data()

    def refresh_data(self) -> None:
        if not self.app.vault.is_open:
            return
        site = sites.get_site(self.site_id)
        if site is None:
            self.app.pop_screen()
            return
        self.sub_title = f"Training required: {site.name}"
        self.query_one("#requirements-title", Static).update(f"Training required by {site.name}")
        colours = self.app.get_css_variables()
        styles = {
            TrainingState.OK: colours.get("success", ""),
            TrainingState.NO_EXPIRY: colours.get("success", ""),
            TrainingState.EXPIRING: colours.get("warning", ""),
            TrainingState.EXPIRED: colours.get("error", ""),
            TrainingState.MISSING: colours.get("error", ""),
        }
        table = self.query_one(DataTable)
        keep = table.cursor_row
        table.clear()
        self.lines = sites.requirements_for(site, self.app.today())
        for line in self.lines:
            status = line.status
            words = {TrainingState.MISSING: "missing: no training recorded"}.get(status.state, status.line)
            if status.limited_by_site and status.state is not TrainingState.MISSING:
                words += " (the site's limit)"
            age = f"{line.max_age_months} months" if line.max_age_months else "—"
            table.add_row(line.kind_name, age, Text(words, style=styles[status.state]), key=str(line.requirement_id))
        if self.lines:
            table.move_cursor(row=min(keep, len(self.lines) - 1))
        empty = self.query_one("#requirements-empty", Static)
        empty.update("No training requirements recorded: press n to add what the site asks for.")
        empty.display = not self.lines

    def selected(self) -> sites.RequirementLine | None:
        table = self.query_one(DataTable)
        if not table.row_count:
            return None
        key = table.coordinate_to_cell_key(table.cursor_coordinate).row_key
        return next((line for line in self.lines if str(line.requirement_id) == key.value), None)

    def action_back(self) -> None:
        self.app.pop_screen()

    def action_add(self) -> None:
        self.app.push_screen(RequirementFormScreen(self.site_id))

    def action_change(self) -> None:
        line = self.selected()
        if line is not None:
            self.app.push_screen(RequirementFormScreen(self.site_id, line))

    def action_remove(self) -> None:
        line = self.selected()
        if line is None:
            return

        def answered(yes: bool | None) -> None:
            if yes:
                sites.remove_requirement(line.requirement_id)
                self.app.tell_when_saved(f"Removed {line.kind_name} from this site's requirements.",
                                         f"the removal of {line.kind_name}")
                self.refresh_data()

        self.app.push_screen(ConfirmScreen(f"Remove {line.kind_name} from what this site requires?", yes="Remove"), answered)

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        self.action_change()
