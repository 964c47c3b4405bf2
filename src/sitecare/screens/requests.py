"""Data requests (seed 001: access, correction, deletion), due one calendar month after
receipt by the ICO's rule, moved to the next working day in the client's site's nation."""

from __future__ import annotations

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import Screen
from textual.widgets import Button, DataTable, Header, Input, Select, Static, TextArea

from ..data import clients
from ..data.models import Client, DataRequest
from ..rules.dates import show_date
from ..rules.workdays import NATION_NAMES
from ..rules.words import sentence
from . import formfields as ff
from .record_forms import Field, raw_values, show_errors, tone
from .formfields import FormScreen
from .footer import Footer


class RequestsScreen(Screen):
    """One client's requests, or everyone's when `client_id` is None."""

    CSS_PATH = "clients.tcss"
    BINDINGS = [
        Binding("escape", "back", "Back", id="requests-back"),
        Binding("n", "new_request", "New", id="requests-new"),
        Binding("e", "edit_request", "Edit", id="requests-edit"),
    ]

    def __init__(self, client_id: int | None = None, focus_id: int | None = None):
        super().__init__()
        self.client_id = client_id
        self.focus_id = focus_id
        self.views: list[clients.RequestView] = []

    def compose(self) -> ComposeResult:
        yield Header()
        with Horizontal(id="requests-top"):
            yield Static("", id="requests-title")
            yield Static("", id="requests-count", classes="dim")
        yield DataTable(id="requests-table", cursor_type="row", zebra_stripes=True)
        yield Static("", id="requests-empty", classes="hint")
        with VerticalScroll(id="request-detail-box"):
            yield Static("", id="request-detail")
        yield Footer()

    def on_mount(self) -> None:
        self.refresh_data()
        if self.focus_id is not None:
            self.select_request(self.focus_id)
        self.query_one(DataTable).focus()

    def on_screen_resume(self) -> None:
        self.refresh_data()

    def refresh_data(self) -> None:
        if not self.app.vault.is_open:
            return
        client = Client.get_or_none(Client.id == self.client_id) if self.client_id is not None else None
        if self.client_id is not None and client is None:
            self.client_id = None
        title = f"Data requests: {client.reference}" if client else "Data requests: all clients"
        self.query_one("#requests-title", Static).update(Text(title, style="bold"))
        today = self.app.today()
        table = self.query_one(DataTable)
        keep = self.selected_id()
        table.clear(columns=True)
        if self.client_id is None:
            table.add_column("Client", key="client", width=10)
        table.add_column("Request", key="kind", width=11)
        table.add_column("Received", key="received", width=11)
        table.add_column("Status", key="status", width=10)
        table.add_column("Due", key="due", width=26)
        self.views = clients.requests_for(self.client_id)
        warn = tone(self.app, "error")
        muted = tone(self.app, "text-muted")
        for v in self.views:
            line = v.due_line(today)
            style = warn if line.startswith("OVERDUE") else (muted if not v.is_open else "")
            cells = [v.client_reference or "—"] if self.client_id is None else []
            cells += [v.kind.capitalize(), show_date(v.received_on), v.status, Text(line, style=style)]
            table.add_row(*cells, key=str(v.id))
        if keep is not None:
            index = next((i for i, v in enumerate(self.views) if v.id == keep), 0)
            table.move_cursor(row=index)
        open_count = sum(1 for v in self.views if v.is_open)
        self.query_one("#requests-count", Static).update(f"{open_count} open of {len(self.views)}")
        empty = self.query_one("#requests-empty", Static)
        empty.update("No data requests: press n to record one (access, correction or deletion).")
        empty.display = not self.views
        self._show_detail()

    def selected_id(self) -> int | None:
        table = self.query_one(DataTable)
        if not table.row_count:
            return None
        try:
            key = table.coordinate_to_cell_key(table.cursor_coordinate).row_key
        except Exception:  # noqa: BLE001
            return None
        return int(key.value) if key and key.value else None

    def select_request(self, request_id: int) -> None:
        table = self.query_one(DataTable)
        try:
            table.move_cursor(row=table.get_row_index(str(request_id)))
        except Exception:  # noqa: BLE001
            pass

    @on(DataTable.RowHighlighted)
    def _show_detail(self) -> None:
        view = next((v for v in self.views if v.id == self.selected_id()), None)
        self.query_one("#request-detail-box").display = view is not None
        if view is None:
            return
        d = view.deadline
        text = Text()
        text.append(clients.KIND_NAMES.get(view.kind, view.kind), style="bold")
        if view.client_reference:
            text.append(f" · {view.client_reference}")
        text.append(f" · from {view.requester}")
        text.append(f"\nReceived {show_date(view.received_on)}; {d.line}")
        text.append(" (extended by two months)" if d.extended else " (one calendar month, ICO)")
        if view.completed_on:
            text.append(f"\n{view.status.capitalize()} {show_date(view.completed_on)}.")
        if view.kind == "deletion" and view.is_open and view.client_id:
            text.append("\nTo carry it out: on the clients screen, x disposes of the client's records.")
        if view.notes:
            text.append(f"\n{view.notes}")
        self.query_one("#request-detail", Static).update(text)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "edit_request":
            return None if not self.query_one(DataTable).row_count else True
        return True

    def action_back(self) -> None:
        self.app.pop_screen()

    @on(DataTable.RowSelected)
    def _row_selected(self) -> None:
        self.action_edit_request()

    def action_new_request(self) -> None:
        self.app.push_screen(RequestFormScreen(None, self.client_id), self._saved)

    def action_edit_request(self) -> None:
        request_id = self.selected_id()
        request = DataRequest.get_or_none(DataRequest.id == request_id) if request_id is not None else None
        if request is None:
            self.notify("Choose a request first (none recorded yet).", severity="warning")
            return
        self.app.push_screen(RequestFormScreen(request, request.client_id), self._saved)

    def _saved(self, request_id: int | None) -> None:
        if request_id is not None:
            self.refresh_data()
            self.select_request(request_id)


class RequestFormScreen(FormScreen):
    CSS_PATH = "clients.tcss"

    def __init__(self, request: DataRequest | None, client_id: int | None):
        super().__init__()
        self.request = request
        self.client_id = client_id

    def compose(self) -> ComposeResult:
        r = self.request
        choices = clients.client_choices()
        with Vertical(classes="dialog request-form"):
            yield Static("Edit data request" if r else "New data request", classes="dialog-title")
            with VerticalScroll(id="request-form-body"):
                yield Field(
                    "Client",
                    Select(choices, value=self.client_id if self.client_id else Select.NULL,
                           prompt="(not a client on record)", compact=True, id="client"),
                    name="client",
                    parse=ff.optional_choice,
                    hint="The due date uses the bank holidays of the client's site's nation.",
                )
                yield Field("From", Input(r.requester if r else "client", compact=True, id="requester"),
                            name="requester", hint="Who asked: the client, a parent... never a name.")
                yield Field(
                    "Request",
                    Select([(v, k) for k, v in clients.KIND_NAMES.items()], value=r.kind if r else "access",
                           allow_blank=False, compact=True, id="kind"),
                    name="kind",
                    parse=ff.chosen("the kind of request"),
                )
                yield Field(
                    "Received on",
                    Input(ff.shown_date_input(r.received_on) if r else ff.shown_date_input(self.app.today()),
                          placeholder="dd/mm/yyyy", compact=True, id="received_on"),
                    name="received_on",
                    parse=ff.day,
                    hint=" ",
                )
                yield Field(
                    "Status",
                    Select([(v, k) for k, v in clients.REQUEST_STATUSES.items()], value=r.status if r and r.status in clients.REQUEST_STATUSES else "open",
                           allow_blank=False, compact=True, id="status"),
                    name="status",
                    parse=ff.chosen("a status"),
                    hint="Extended: complex or numerous requests, the client told within the first month (ICO).",
                )
                yield Field(
                    "Answered on",
                    Input(ff.shown_date_input(r.completed_on) if r else "", placeholder="blank while open",
                          compact=True, id="completed_on"),
                    name="completed_on",
                    parse=ff.day,
                )
                yield Field("Notes", TextArea(r.notes if r else "", compact=True, id="notes"), name="notes",
                            parse=ff.multiline)
                yield Static("", id="form-error", classes="error")
            with Horizontal(classes="buttons"):
                yield Button("Save  ctrl+s", variant="primary", id="save", compact=True)
                yield Button("Cancel  esc", id="cancel", compact=True)

    def on_mount(self) -> None:
        super().on_mount()
        self._due_hint()

    @on(Input.Changed, "#received_on")
    @on(Select.Changed, "#client, #status")
    def _due_hint(self) -> None:
        """Show the due date as the form stands, in the right nation's holidays."""
        from ..data.complaints import site_nation
        from ..rules.requests import request_deadline

        try:
            received = ff.day(self.query_one("#received_on", Input).value)
        except ValueError:
            received = None
        if received is None:
            self.field("received_on").set_hint("")
            return
        client_id = self.query_one("#client", Select).value
        client = Client.get_or_none(Client.id == client_id) if client_id not in (None, Select.NULL) else None
        nation = site_nation(client.site if client is not None and client.site_id else None)
        extended = self.query_one("#status", Select).value == "extended"
        deadline = request_deadline(received, nation, extended=extended)
        self.field("received_on").set_hint(f"{sentence(deadline.line)} ({NATION_NAMES[nation]}).")

    @on(Button.Pressed, "#cancel")
    def _cancel_pressed(self) -> None:
        self.action_cancel()

    def action_save(self) -> None:
        fields, errors = clients.check_request(raw_values(self), self.app.today())
        if errors:
            show_errors(self, errors)
            return
        show_errors(self, {})
        saved = clients.save_request(fields, self.request.id if self.request else None)
        self.app.tell_when_saved("Data request saved.", "the data request")
        self.dismiss(saved.id)
