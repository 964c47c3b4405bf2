"""Procedure templates: the shipped routes, the user's own (added from a TOML file), which
sites use which, and any template that is broken (file, line and reason)."""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.markup import escape
from textual.screen import ModalScreen, Screen
from textual.widgets import Button, DataTable, Header, Input, Label, Select, Static

from ..data import concerns
from ..data.models import Site
from ..rules.procedures import TemplateError
from .confirm import ConfirmScreen
from .footer import Footer


def _fit(text: str, width: int) -> str:
    return text if len(text) <= width else text[: max(1, width - 1)] + "…"


class AddTemplateScreen(ModalScreen[bool]):
    """Read a TOML template from a file; a broken one is reported, nothing is stored."""

    BINDINGS = [Binding("escape", "cancel", "Cancel", id="template_add_cancel")]

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Static("Add a procedure template", classes="dialog-title")
            yield Static(
                "A TOML file in the format of the shipped templates (see commissioned.toml in "
                "sitecare's data/reference/procedures). A template with the key of a shipped one replaces it.",
                classes="hint",
            )
            yield Label("File", classes="field-label")
            yield Input(placeholder="/path/to/my-organisation.toml", id="f-file")
            yield Static("", id="e-file", classes="error")
            with Horizontal(classes="buttons"):
                yield Button("Add", variant="primary", id="add")
                yield Button("Cancel", id="cancel")

    def on_mount(self) -> None:
        self.query_one("#f-file").focus()

    @on(Input.Submitted)
    @on(Button.Pressed, "#add")
    def add(self, replace: bool = False) -> None:
        error = self.query_one("#e-file", Static)
        try:
            filename, text = concerns.read_template_file(self.query_one("#f-file", Input).value)
            template = concerns.add_user_template(filename, text, replace=replace, today=self.app.today())
        except TemplateError as exc:
            error.update(escape(f"Not added: {exc}"))
            return
        except concerns.ConcernError as exc:
            if "already have a template" in str(exc) and not replace:
                def answered(yes: bool | None) -> None:
                    if yes:
                        self.add(replace=True)

                self.app.push_screen(ConfirmScreen(f"{exc} Replace it with this file?", yes="Replace", danger=True), answered)
                return
            error.update(escape(str(exc)))
            return
        loaded = concerns.load_all_templates().templates.get(template.key)
        note = f" (it replaces the shipped {loaded.overrides})" if loaded is not None and loaded.overrides else ""
        self.app.notify(f"Template {template.name!r} added{note}.")
        self.dismiss(True)

    @on(Button.Pressed, "#cancel")
    def action_cancel(self) -> None:
        self.dismiss(False)


class AssignTemplateScreen(ModalScreen[bool]):
    BINDINGS = [Binding("escape", "cancel", "Cancel", id="template_assign_cancel")]

    def __init__(self, template_key: str = ""):
        super().__init__()
        self.template_key = template_key

    def compose(self) -> ComposeResult:
        templates = concerns.load_all_templates().templates
        usable = [(t.name, k) for k, t in sorted(templates.items()) if "disclosure" in t.applies_to.kinds]
        with Vertical(classes="dialog"):
            yield Static("Use a template at a site", classes="dialog-title")
            yield Static(
                "The template replaces the site's standard route for disclosures and observed concerns.",
                classes="hint",
            )
            yield Label("Site", classes="field-label")
            yield Select([(s.name, s.id) for s in concerns.sites_for_choice()], prompt="Choose a site", id="f-site")
            yield Label("Template", classes="field-label")
            yield Select(
                [("The standard route (no template of its own)", "")] + usable,
                allow_blank=False,
                value=self.template_key if any(k == self.template_key for _, k in usable) else "",
                id="f-template",
            )
            yield Static("", id="e-template", classes="error")
            with Horizontal(classes="buttons"):
                yield Button("Use it", variant="primary", id="assign")
                yield Button("Cancel", id="cancel")

    def on_mount(self) -> None:
        self.query_one("#f-site").focus()

    @on(Button.Pressed, "#assign")
    def assign(self) -> None:
        site = self.query_one("#f-site", Select).value
        key = self.query_one("#f-template", Select).value
        error = self.query_one("#e-template", Static)
        if not isinstance(site, int):
            error.update("Choose the site.")
            return
        try:
            concerns.assign_template(site, key if isinstance(key, str) else "")
        except concerns.ConcernError as exc:
            error.update(escape(str(exc)))
            return
        name = Site.get_by_id(site).name
        self.app.notify(f"{name} now uses {'its standard route' if not key else repr(key)}.")
        self.dismiss(True)

    @on(Button.Pressed, "#cancel")
    def action_cancel(self) -> None:
        self.dismiss(False)


class TemplatesScreen(Screen):
    CSS_PATH = "templates.tcss"
    BINDINGS = [
        Binding("escape", "back", "Back", id="templates_back", show=False),
        Binding("i", "add", "Add file", id="templates_add"),
        Binding("u", "assign", "Use at site", id="templates_assign"),
        Binding("delete", "remove", "Remove yours", id="templates_remove", show=False),
    ]

    def compose(self) -> ComposeResult:
        yield Header()
        with Vertical(id="templates-body"):
            yield Static("", id="template-errors")
            yield Static("i adds a template from a TOML file · u uses one at a site · Delete removes one of yours",
                         id="template-hint", classes="hint")
            yield DataTable(id="template-table", cursor_type="row", zebra_stripes=True)
            with VerticalScroll(id="template-detail-box"):
                yield Static("", id="template-detail")
        yield Footer(compact=True)

    def on_mount(self) -> None:
        self.title = "Procedure templates"
        self.refresh_data()
        self.query_one(DataTable).focus()

    def refresh_data(self) -> None:
        if not self.app.vault.is_open:
            return
        loaded = concerns.load_all_templates()
        self._loaded = loaded
        errors = self.query_one("#template-errors", Static)
        errors.update("\n".join(f"[$error]Broken, not used: {escape(str(e))}[/]" for e in loaded.errors))
        errors.display = bool(loaded.errors)
        table = self.query_one(DataTable)
        table.clear(columns=True)
        spare = max(30, self.size.width - 4 - 8 - 3 * 2)
        key_width = min(24, max(15, spare // 3))
        used_width = min(30, max(10, spare // 5))
        name_width = spare - key_width - used_width
        table.add_column("Key", width=key_width)
        table.add_column("Name", width=name_width)
        table.add_column("From", width=8)
        table.add_column("Used at", width=used_width)
        used: dict[str, list[str]] = {}
        for site in Site.select().where(Site.archived == False):  # noqa: E712
            key = concerns.site_template_key(site)
            if key:
                used.setdefault(key, []).append(site.name)
        for key, template in sorted(loaded.templates.items(), key=lambda kv: (kv[1].origin != "user", kv[0])):
            origin = "yours" if template.origin == "user" else "shipped"
            table.add_row(_fit(key, key_width), _fit(template.name, name_width), origin,
                          _fit(", ".join(used.get(key, [])) or "—", used_width), key=key)
        self._show_detail()

    @on(DataTable.RowHighlighted)
    def on_resize(self) -> None:
        if self.is_mounted and self.app.vault.is_open:
            self.refresh_data()

    def _show_detail(self) -> None:
        table = self.query_one(DataTable)
        detail = self.query_one("#template-detail", Static)
        if table.row_count == 0:
            detail.update("")
            return
        key = table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value
        template = self._loaded.templates.get(key or "")
        if template is None:
            detail.update("")
            return
        lines = [f"[b]{escape(template.name)}[/b]", f"[$text-muted]Source: {escape(template.source)}[/]"]
        if template.overrides:
            lines.append(f"[$warning]Yours: replaces the shipped {escape(template.overrides)}[/]")
        if template.notes:
            lines.append(f"[$text-muted]{escape(template.notes)}[/]")
        for number, step in enumerate(template.steps, start=1):
            lines.append(f"{number}. {escape(step.title)} · {escape(step.role)} · {escape(step.deadline.text)}")
        detail.update("\n".join(lines))

    def _selected_key(self) -> str | None:
        table = self.query_one(DataTable)
        if table.row_count == 0:
            return None
        return table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value

    def action_back(self) -> None:
        self.app.pop_screen()

    def action_add(self) -> None:
        self.app.push_screen(AddTemplateScreen(), lambda changed: self.refresh_data() if changed else None)

    def action_assign(self) -> None:
        self.app.push_screen(AssignTemplateScreen(self._selected_key() or ""), lambda changed: self.refresh_data() if changed else None)

    def action_remove(self) -> None:
        key = self._selected_key()
        template = self._loaded.templates.get(key or "") if key else None
        if template is None or template.origin != "user":
            self.notify("Only your own templates can be removed; shipped ones stay.", severity="warning")
            return

        def answered(yes: bool | None) -> None:
            if yes:
                sites = concerns.remove_user_template(template.key)
                self.notify(
                    f"Removed {template.name!r}."
                    + (f" {', '.join(sites)} now use{'s' if len(sites) == 1 else ''} the standard route." if sites else "")
                )
                self.refresh_data()

        self.app.push_screen(
            ConfirmScreen(f"Remove your template {template.name!r}? Concerns already raised keep their record.", yes="Remove", danger=True),
            answered,
        )
