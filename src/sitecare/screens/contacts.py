"""A site's people, with their history: who holds each role today, who held it before,
and the forms to add, replace, correct, end and confirm a contact."""

from __future__ import annotations

from datetime import timedelta

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import Screen
from textual.widgets import Button, DataTable, Header, Input, Select, Static

from ..data import contacts as contacts_mod, sites
from ..data.contacts import ROLE_NAMES, SINGLE_HOLDER_ROLES
from ..data.models import Contact
from ..rules.dates import academic_year_start, show_date
from . import formfields as ff
from .formfields import Field, FormScreen
from .footer import Footer

SHORT_ROLES = {
    "dsl": "DSL",
    "deputy_dsl": "Deputy DSL",
    "head": "Head",
    "chair_of_governors": "Chair",
    "manager": "Manager",
    "other": "Other",
}


class ContactFormScreen(FormScreen):
    """Add someone, replace someone (their time ends the day before the new one starts),
    or correct someone's details. Dismisses with the contact's id, or None."""

    CSS_PATH = "site_form.tcss"

    def __init__(
        self,
        site_id: int,
        *,
        role: str | None = None,
        replacing: Contact | None = None,
        editing: Contact | None = None,
    ):
        super().__init__()
        self.site_id = site_id
        self.role = replacing.role if replacing is not None else (editing.role if editing is not None else role)
        self.replacing = replacing
        self.editing = editing

    def heading(self) -> str:
        role = ROLE_NAMES.get(self.role or "", "")
        if self.editing is not None:
            return f"Correct {self.editing.name}'s details ({role})"
        if self.replacing is not None:
            return f"Replace {self.replacing.name} as {role}"
        if self.role:
            return f"Add the {role}" if self.role in SINGLE_HOLDER_ROLES else f"Add a {role.lower()}"
        return "Add a person"

    def compose(self) -> ComposeResult:
        c = self.editing
        today = self.app.today()
        with Vertical(classes="dialog contact-form"):
            yield Static(self.heading(), classes="dialog-title")
            site = sites.get_site(self.site_id)
            yield Static(site.name if site else "", classes="dim")
            with VerticalScroll(id="contact-form-body"):
                if self.role is None:
                    yield Field(
                        "Role",
                        Select([(v, k) for k, v in ROLE_NAMES.items()], prompt="(choose a role)", compact=True, id="role"),
                        name="role",
                        parse=ff.chosen("the person's role at the site"),
                    )
                yield Field("Name", Input(c.name if c else "", compact=True, id="name"), name="name",
                            parse=ff.required("the person's name"))
                yield Field("Phone", Input(ff.shown_phone(c.phone) if c else "", placeholder="e.g. 01234 276693",
                                           compact=True, id="phone"), name="phone", parse=ff.phone)
                yield Field("Email", Input(c.email if c else "", compact=True, id="email"), name="email", parse=ff.email)
                yield Field("Where to find them", Input(c.where_to_find if c else "", placeholder="e.g. office by reception",
                                                        compact=True, id="where_to_find"), name="where_to_find")
                start_label = "In this role from" if self.editing else "Starts on"
                start = c.from_date if c else today
                hint = ""
                if self.replacing is not None:
                    hint = f"{self.replacing.name}'s time as {ROLE_NAMES[self.role]} ends the day before."
                elif self.role in SINGLE_HOLDER_ROLES and self.editing is None:
                    current = contacts_mod.current(self.site_id, self.role, today)
                    if current is not None:
                        hint = f"{current.name} is {ROLE_NAMES[self.role]} now: their time ends the day before."
                yield Field(start_label, Input(ff.shown_date_input(start), placeholder="dd/mm/yyyy", compact=True,
                                               id="from_date"), name="from_date", parse=ff.required_day, hint=hint)
                if c is not None and c.to_date is not None:
                    yield Field("Until", Input(ff.shown_date_input(c.to_date), compact=True, id="to_date"),
                                name="to_date", parse=ff.day)
                yield Field("Notes", Input(c.notes if c else "", compact=True, id="notes"), name="notes")
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
        role = self.role or values["role"]
        details = dict(
            phone=values.get("phone", ""),
            email=values.get("email", ""),
            where_to_find=values.get("where_to_find", ""),
            notes=values.get("notes", ""),
        )
        try:
            if self.editing is not None:
                extra = {"to_date": values["to_date"]} if "to_date" in values else {}
                contact = contacts_mod.update_details(
                    self.editing, name=values["name"], from_date=values["from_date"], **details, **extra
                )
                self.app.tell_when_saved(f"Corrected {contact.name}'s details.", f"{contact.name}'s details")
            elif self.replacing is not None:
                contact = contacts_mod.replace_contact(self.replacing, values["name"], values["from_date"], **details)
                self.app.tell_when_saved(f"{contact.name} is now {ROLE_NAMES[role]}; {self.replacing.name}'s time "
                                         f"ended {show_date(contact.from_date - timedelta(days=1))}.", contact.name)
            else:
                contact = contacts_mod.add_contact(self.site_id, role, values["name"], values["from_date"], **details)
                self.app.tell_when_saved(f"Added {contact.name} as {ROLE_NAMES[role]}.", contact.name)
        except ValueError as exc:
            message = str(exc)
            field = "from_date" if "start" in message or "end" in message else ("name" if "name" in message else "")
            self.show_field_error(field, message)
            return
        self.dismiss(contact.id)


class EndContactScreen(FormScreen):
    """A contact leaves: their last day in the role."""

    CSS_PATH = "site_form.tcss"

    def __init__(self, contact: Contact):
        super().__init__()
        self.contact = contact

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog contact-form"):
            yield Static(f"{self.contact.name} leaves the role of {ROLE_NAMES.get(self.contact.role, '')}",
                         classes="dialog-title")
            yield Field("Last day", Input(ff.shown_date_input(self.app.today()), compact=True, id="last_day"),
                        name="last_day", parse=ff.required_day,
                        hint="They stay in the history; concerns dated before this still name them.")
            yield Static("", id="form-error", classes="error")
            with Horizontal(classes="buttons"):
                yield Button("Save  ctrl+s", variant="primary", id="save", compact=True)
                yield Button("Cancel  esc", id="cancel", compact=True)

    @on(Button.Pressed, "#cancel")
    def _cancel_pressed(self) -> None:
        self.dismiss(None)

    def action_save(self) -> None:
        values = self.collect()
        if values is None:
            return
        try:
            contacts_mod.end_contact(self.contact, values["last_day"])
        except ValueError as exc:
            self.show_field_error("last_day", str(exc))
            return
        self.app.tell_when_saved(
            f"{self.contact.name}'s time as {ROLE_NAMES.get(self.contact.role, '')} ends {show_date(values['last_day'])}.",
            f"{self.contact.name}'s last day")
        self.dismiss(self.contact.id)


class ContactsScreen(Screen):
    CSS_PATH = "contacts.tcss"
    BINDINGS = [
        Binding("escape", "back", "Back", id="people-back"),
        Binding("n", "add", "Add person", id="people-add"),
        Binding("r", "replace", "Replace", id="people-replace"),
        Binding("e", "correct", "Correct", id="people-correct"),
        Binding("f", "confirm", "Confirmed today", id="people-confirm"),
        Binding("x", "end", "Left", id="people-end"),
    ]

    def __init__(self, site_id: int):
        super().__init__()
        self.site_id = site_id

    def compose(self) -> ComposeResult:
        yield Header()
        with VerticalScroll(id="people"):
            yield Static("", id="people-title", classes="dialog-title")
            yield Static("In post today", classes="section first")
            yield DataTable(id="in-post", cursor_type="row", zebra_stripes=True)
            yield Static("Starting later", classes="section", id="upcoming-title")
            yield DataTable(id="upcoming", cursor_type="row", zebra_stripes=True)
            yield Static("Before (history)", classes="section")
            yield DataTable(id="past", cursor_type="row", zebra_stripes=True)
        yield Footer()

    def on_mount(self) -> None:
        in_post = self.query_one("#in-post", DataTable)
        in_post.add_column("Role", key="role", width=10)
        in_post.add_column("Name", key="name", width=17)
        in_post.add_column("Phone", key="phone", width=13)
        in_post.add_column("Confirmed", key="confirmed", width=12)
        in_post.add_column("Where to find them", key="where")
        upcoming = self.query_one("#upcoming", DataTable)
        upcoming.add_column("Role", key="role", width=10)
        upcoming.add_column("Name", key="name", width=18)
        upcoming.add_column("From", key="from", width=11)
        upcoming.add_column("Notes", key="notes")
        past = self.query_one("#past", DataTable)
        past.add_column("Role", key="role", width=10)
        past.add_column("Name", key="name", width=18)
        past.add_column("From", key="from", width=11)
        past.add_column("To", key="to", width=11)
        past.add_column("Notes", key="notes")
        self.refresh_data()
        in_post.focus()

    def on_screen_resume(self) -> None:
        self.refresh_data()

    def refresh_data(self) -> None:
        if not self.app.vault.is_open:
            return
        site = sites.get_site(self.site_id)
        if site is None:
            self.app.pop_screen()
            return
        today = self.app.today()
        self.sub_title = f"People: {site.name}"
        self.query_one("#people-title", Static).update(f"People at {site.name}")
        in_post = self.query_one("#in-post", DataTable)
        keep = in_post.cursor_row
        in_post.clear()
        year_start = academic_year_start(today)
        for c in contacts_mod.contacts_on(self.site_id, today):
            confirmed = show_date(c.confirmed_on) if c.confirmed_on else "never"
            if c.confirmed_on is None or c.confirmed_on < year_start:
                confirmed += " !"
            in_post.add_row(SHORT_ROLES.get(c.role, c.role), c.name, ff.shown_phone(c.phone) or "—", confirmed,
                            c.where_to_find, key=str(c.id))
        if in_post.row_count:
            in_post.move_cursor(row=min(keep, in_post.row_count - 1))
        past = self.query_one("#past", DataTable)
        past.clear()
        for c in contacts_mod.past_contacts(self.site_id, today):
            past.add_row(SHORT_ROLES.get(c.role, c.role), c.name, show_date(c.from_date), show_date(c.to_date),
                         c.notes, key=str(c.id))
        # Someone starting later (a new DSL from next week) is neither in post nor past:
        # listing them under history read as if they had already left.
        upcoming = self.query_one("#upcoming", DataTable)
        upcoming.clear()
        for c in reversed(contacts_mod.history(self.site_id)):
            if c.from_date > today:
                upcoming.add_row(SHORT_ROLES.get(c.role, c.role), c.name, show_date(c.from_date), c.notes, key=str(c.id))
        self.query_one("#upcoming-title").display = upcoming.display = bool(upcoming.row_count)

    def selected(self) -> Contact | None:
        table = self.focused if isinstance(self.focused, DataTable) else self.query_one("#in-post", DataTable)
        if not table.row_count:
            return None
        key = table.coordinate_to_cell_key(table.cursor_coordinate).row_key
        return Contact.get_or_none(Contact.id == int(key.value))

    def _need_selected(self) -> Contact | None:
        contact = self.selected()
        if contact is None:
            self.notify("Nobody is recorded here yet: press n to add someone.", severity="warning")
        return contact

    def action_back(self) -> None:
        self.app.pop_screen()

    def action_add(self) -> None:
        self.app.push_screen(ContactFormScreen(self.site_id))

    def action_replace(self) -> None:
        contact = self._need_selected()
        if contact is not None:
            self.app.push_screen(ContactFormScreen(self.site_id, replacing=contact))

    def action_correct(self) -> None:
        contact = self._need_selected()
        if contact is not None:
            self.app.push_screen(ContactFormScreen(self.site_id, editing=contact))

    def action_confirm(self) -> None:
        contact = self._need_selected()
        if contact is None:
            return
        contacts_mod.confirm_details(contact, self.app.today())
        self.app.tell_when_saved(f"{contact.name}'s details confirmed today ({show_date(self.app.today())}).",
                                 f"{contact.name}'s confirmation")
        self.refresh_data()

    def action_end(self) -> None:
        contact = self._need_selected()
        if contact is None:
            return
        if contact.to_date is not None and contact.to_date < self.app.today():
            self.notify(f"{contact.name} already left on {show_date(contact.to_date)}.", severity="warning")
            return
        self.app.push_screen(EndContactScreen(contact))

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        self.action_correct()

