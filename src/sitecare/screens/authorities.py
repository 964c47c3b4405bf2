"""The local authority directory: each authority's safeguarding numbers, where they
came from and when they were verified; the national lines below."""

from __future__ import annotations

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.markup import escape
from textual.screen import Screen
from textual.widgets import Button, DataTable, Header, Input, Select, Static

from ..data import authorities as authorities_mod
from ..data.authorities import AuthorityError, AuthorityFields, NATION_NAMES
from ..data.models import LocalAuthority
from ..rules.dates import show_date
from . import formfields as ff
from .formfields import Field, FormScreen
from .keys import NEW_CONCERN
from .footer import Footer

WIDE = 120


def time_of_day(value: str) -> str:
    text = (value or "").strip()
    parts = text.split(":")
    if len(parts) == 2 and all(p.isdigit() for p in parts) and int(parts[0]) <= 23 and int(parts[1]) <= 59:
        return f"{int(parts[0]):02d}:{int(parts[1]):02d}"
    raise ValueError(f"“{text}” is not a time: type it as 09:00.")


class AuthorityFormScreen(FormScreen):
    CSS_PATH = "site_form.tcss"

    def __init__(self, authority: LocalAuthority | None = None):
        super().__init__()
        self.authority = authority

    def compose(self) -> ComposeResult:
        a = self.authority

        def phone_field(key: str, label: str) -> Field:
            return Field(label, Input(ff.shown_phone(getattr(a, key)) if a else "", compact=True, id=key),
                         name=key, parse=ff.phone)

        def email_field(key: str, label: str) -> Field:
            return Field(label, Input(getattr(a, key) if a else "", compact=True, id=key), name=key, parse=ff.email)

        with Vertical(classes="dialog site-form"):
            yield Static(f"Edit {a.name}" if a else "Add a local authority", classes="dialog-title")
            with VerticalScroll(id="site-form-body"):
                yield Field("Name", Input(a.name if a else "", compact=True, id="name"), name="name",
                            parse=ff.required("the local authority's name"))
                yield Field("Nation", Select([(v, k) for k, v in NATION_NAMES.items()], value=a.nation if a else "ENG",
                                             allow_blank=False, compact=True, id="nation"), name="nation",
                            parse=ff.chosen("the nation"),
                            hint="Deadlines in working days follow that nation's bank holidays.")
                yield phone_field("children_phone", "Children's team")
                yield email_field("children_email", "Children's email")
                yield phone_field("children_out_of_hours_phone", "Children, out of hours")
                yield phone_field("adults_phone", "Adults' team")
                yield email_field("adults_email", "Adults' email")
                yield phone_field("adults_out_of_hours_phone", "Adults, out of hours")
                yield phone_field("lado_phone", "LADO")
                yield email_field("lado_email", "LADO email")
                yield Field("Mental health service", Input(a.mental_health_name if a else "", compact=True,
                                                           id="mental_health_name"), name="mental_health_name")
                yield phone_field("mental_health_phone", "Its phone")
                yield Field("Office opens", Input(a.office_open if a else "09:00", compact=True, id="office_open"),
                            name="office_open", parse=time_of_day)
                yield Field("Office closes", Input(a.office_close if a else "17:00", compact=True, id="office_close"),
                            name="office_close", parse=time_of_day,
                            hint="Outside these hours the out-of-hours line is the one to call.")
                yield Field("Source", Input(a.source if a else "", placeholder="where these numbers come from",
                                            compact=True, id="source"), name="source")
                yield Field("Verified on", Input(ff.shown_date_input(a.verified_on) if a else "",
                                                 placeholder="dd/mm/yyyy: when you last checked them",
                                                 compact=True, id="verified_on"), name="verified_on", parse=ff.day)
                yield Field("Notes", Input(a.notes if a else "", compact=True, id="notes"), name="notes")
                yield Static("", id="form-error", classes="error")
            with Horizontal(classes="buttons"):
                yield Button("Save  ctrl+s", variant="primary", id="save", compact=True)
                yield Button("Cancel  esc", id="cancel", compact=True)

    @on(Button.Pressed, "#cancel")
    def _cancel_pressed(self) -> None:
        self.action_cancel()

    def action_save(self) -> None:
        self.show_form_error("")
        values = self.collect()
        if values is None:
            return
        fields = AuthorityFields(**{k: v for k, v in values.items() if k in AuthorityFields.names()})
        try:
            saved = authorities_mod.save_authority(fields, self.authority, today=self.app.today())
        except AuthorityError as exc:
            self.show_field_error(exc.field, str(exc))
            return
        self.app.tell_when_saved(f"Saved {saved.name}.", saved.name)
        self.dismiss(saved.id)


class AuthoritiesScreen(Screen):
    TITLE = "Local authorities"  # the header said "sitecare" on every list
    CSS_PATH = "authorities.tcss"
    BINDINGS = [
        NEW_CONCERN,
        Binding("n", "add", "Add", id="authorities-add"),
        Binding("e", "edit", "Edit", id="authorities-edit"),
        Binding("i", "import_csv", "Import CSV", id="authorities-import"),
        Binding("w", "export_csv", "Export CSV", id="authorities-export"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self._wide: bool | None = None
        self.select_id: int | None = None

    def compose(self) -> ComposeResult:
        yield Header()
        with VerticalScroll(id="authorities"):
            yield DataTable(id="authorities-table", cursor_type="row", zebra_stripes=True)
            yield Static("", id="authority-detail")
            yield Static("National lines", classes="section")
            yield Static("", id="national-lines")
        yield Footer()

    def on_mount(self) -> None:
        self.refresh_data()
        self.query_one(DataTable).focus()

    def on_screen_resume(self) -> None:
        self.refresh_data()

    def on_resize(self) -> None:
        if (self.size.width >= WIDE) != self._wide:
            self.refresh_data()

    def show_authority(self, authority_id: int) -> None:
        """Put the cursor on one authority (the command palette jumps here)."""
        self.select_id = authority_id
        if self.is_mounted:
            self.refresh_data()

    def refresh_data(self) -> None:
        if not self.app.vault.is_open:
            return
        table = self.query_one(DataTable)
        keep = self.select_id if self.select_id is not None else self.selected_id()
        self.select_id = None
        self._wide = self.size.width >= WIDE
        table.clear(columns=True)
        table.add_column("Local authority", key="name", width=20 if not self._wide else 24)
        table.add_column("Children", key="children", width=13)
        table.add_column("Adults", key="adults", width=13)
        if self._wide:
            table.add_column("Out of hours", key="ooh", width=13)
        table.add_column("LADO", key="lado", width=13)
        if self._wide:
            table.add_column("Verified", key="verified", width=11)
        muted = "dim"
        rows = authorities_mod.list_authorities()
        for la in rows:
            def phone(value: str) -> Text:
                return Text(ff.shown_phone(value)) if value else Text("—", style=muted)

            cells = [la.name, phone(la.children_phone), phone(la.adults_phone)]
            if self._wide:
                cells.append(phone(la.children_out_of_hours_phone or la.adults_out_of_hours_phone))
            cells.append(phone(la.lado_phone))
            if self._wide:
                cells.append(show_date(la.verified_on, empty="not verified"))
            table.add_row(*cells, key=str(la.id))
        if keep is not None:
            try:
                table.move_cursor(row=table.get_row_index(str(keep)))
            except Exception:  # noqa: BLE001 - removed or not there
                pass
        if not rows:
            self.query_one("#authority-detail", Static).update(
                "No local authorities yet: press n to add one, or i to import a CSV file."
            )
        self.query_one("#national-lines", Static).update(self._national())
        self._show_detail()

    def _national(self) -> str:
        lines = []
        for n in authorities_mod.national_contacts():
            number = f"[b]{escape(ff.shown_phone(n.phone))}[/b]" if n.phone else ""
            hours = f" ({escape(n.hours)})" if n.hours else ""
            lines.append(f"{escape(n.name)}  {number}{hours}  [dim]{escape(n.purpose)}[/]")
        return "\n".join(lines) or "[dim]none[/]"

    def selected_id(self) -> int | None:
        table = self.query_one(DataTable)
        if not table.row_count:
            return None
        key = table.coordinate_to_cell_key(table.cursor_coordinate).row_key
        return int(key.value)

    def selected(self) -> LocalAuthority | None:
        authority_id = self.selected_id()
        return authorities_mod.get_authority(authority_id) if authority_id is not None else None

    @on(DataTable.RowHighlighted)
    def _show_detail(self) -> None:
        la = self.selected()
        detail = self.query_one("#authority-detail", Static)
        if la is None:
            return
        parts = [f"[b]{escape(la.name)}[/b] ({NATION_NAMES.get(la.nation, la.nation)}), office {la.office_open}-{la.office_close}"]
        numbers = []
        for key, label in authorities_mod.PHONE_FIELDS.items():
            value = getattr(la, key)
            if value:
                name = la.mental_health_name if key == "mental_health_phone" and la.mental_health_name else label
                numbers.append(f"{escape(name)} [b]{escape(ff.shown_phone(value))}[/b]")
        for key, label in authorities_mod.EMAIL_FIELDS.items():
            value = getattr(la, key)
            if value:
                numbers.append(f"{label.replace(' email', '')} {escape(value)}")
        parts.append(" · ".join(numbers) if numbers else "[$warning]No numbers recorded: press e to add them.[/]")
        missing = [label for key, label in authorities_mod.PHONE_FIELDS.items()
                   if not getattr(la, key) and key != "mental_health_phone"]
        if missing:
            parts.append(f"[dim]Not recorded: {', '.join(missing)}.[/]")
        source = escape(la.source) if la.source else "entered by you"
        verified = f"verified {show_date(la.verified_on)}" if la.verified_on else "[$warning]not verified[/]"
        parts.append(f"Source: {source}; {verified}.")
        if la.notes:
            parts.append(escape(la.notes))
        used = authorities_mod.sites_in(la)
        if used:
            parts.append(f"[dim]Sites: {escape(', '.join(s.name for s in used))}[/]")
        detail.update("\n".join(parts))

    def action_add(self) -> None:
        self.app.push_screen(AuthorityFormScreen(), self._saved)

    def action_edit(self) -> None:
        la = self.selected()
        if la is not None:
            self.app.push_screen(AuthorityFormScreen(la), self._saved)

    def _saved(self, authority_id: int | None) -> None:
        if authority_id is not None:
            self.show_authority(authority_id)

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        self.action_edit()

    def action_import_csv(self) -> None:
        from .csvfile import CsvFileScreen

        self.app.push_screen(CsvFileScreen("import", "authorities"), lambda _: self.refresh_data())

    def action_export_csv(self) -> None:
        from .csvfile import CsvFileScreen

        self.app.push_screen(CsvFileScreen("export", "authorities"))
