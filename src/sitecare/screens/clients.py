"""Clients: pseudonymised records, their retention dates, and from here their consents,
data requests, a new period of therapy, and the disposal of their records."""

from __future__ import annotations

from datetime import date
from functools import partial

from rich.text import Text
from textual import on
from textual.command import DiscoveryHit, Hits
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import ModalScreen, Screen
from textual.widgets import Button, DataTable, Header, Input, Label, Static

from ..data import clients, retention
from ..data.clients import ClientView
from ..data.models import Client
from ..rules.dates import describe_distance, show_date
from .commands import Entries, Entry, IndexedProvider
from .record_forms import DateDialog, typed, tone
from .keys import NEW_CONCERN
from .footer import Footer

WIDE = 110


def therapy_words(view: ClientView) -> str:
    if view.therapy_start is None:
        return "not started"
    if view.therapy_end is None:
        return f"since {show_date(view.therapy_start)}"
    return f"ended {show_date(view.therapy_end)}"


def type_words(view: ClientView, today: date) -> str:
    age = view.age(today)
    word = clients.TYPE_NAMES.get(view.client_type, view.client_type)
    return f"{word} {age}" if age is not None else word


class ClientsScreen(Screen):
    TITLE = "Clients"  # the header said "sitecare" on every list
    CSS_PATH = "clients.tcss"
    BINDINGS = [
        NEW_CONCERN,
        Binding("slash", "filter", "Filter", id="clients-filter"),
        Binding("n", "new_client", "New", id="clients-new"),
        Binding("e", "edit_client", "Edit", id="clients-edit"),
        Binding("i", "consents", "Consents", id="clients-consents"),
        Binding("d", "requests", "Data requests", id="clients-requests"),
        Binding("D", "all_requests", "All data requests", id="clients-all-requests", show=False),
        Binding("p", "new_period", "New period", id="clients-new-period", show=False),
        Binding("x", "dispose", "Dispose", id="clients-dispose"),
        Binding("l", "disposal_log", "Disposal log", id="clients-disposal-log", show=False),
        Binding("escape", "leave_filter", "Back to the list", id="clients-leave-filter", show=False),
        Binding("down", "leave_filter", "Back to the list", id="clients-filter-down", show=False),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.views: list[ClientView] = []
        self._wide: bool | None = None

    def compose(self) -> ComposeResult:
        yield Header()
        with Horizontal(id="clients-top"):
            yield Input(placeholder="Filter: reference, initials or site ( / )", id="clients-filter-input", compact=True)
            yield Static("", id="clients-count", classes="dim")
        yield DataTable(id="clients-table", cursor_type="row", zebra_stripes=True)
        yield Static("", id="clients-empty", classes="hint")
        with VerticalScroll(id="client-detail-box"):
            yield Static("", id="client-detail")
        yield Footer()

    def on_mount(self) -> None:
        self.refresh_data()
        self.query_one(DataTable).focus()

    def on_screen_resume(self) -> None:
        self.refresh_data()

    def on_resize(self) -> None:
        if (self.size.width >= WIDE) != self._wide:
            self._populate()

    # -- data ------------------------------------------------------------------------------

    def refresh_data(self) -> None:
        if not self.app.vault.is_open:
            return
        self.views = clients.client_list()
        self._populate()

    def visible(self) -> list[ClientView]:
        words = self.query_one("#clients-filter-input", Input).value.casefold().split()
        out = []
        for view in self.views:
            haystack = " ".join([view.reference, view.initials, view.site_name, view.funding, view.client_type]).casefold()
            if all(w in haystack for w in words):
                out.append(view)
        return out

    def _populate(self) -> None:
        table = self.query_one(DataTable)
        keep = self.selected_id()
        self._wide = self.size.width >= WIDE if self.size.width else False
        table.clear(columns=True)
        columns = [("reference", "Reference", 10), ("type", "Type", 8)]
        if self._wide:
            columns += [("initials", "Initials", 8), ("funding", "Funding", 12)]
        columns += [("site", "Site", 40 if self._wide else 17), ("therapy", "Therapy", 17), ("notes", "Notes until", 11)]
        if self._wide:
            columns += [("artwork", "Artwork until", 13)]
        for key, heading, width in columns:
            table.add_column(heading, key=key, width=width)
        today = self.app.today()
        shown = self.visible()
        muted = tone(self.app, "text-muted")
        for view in shown:
            notes = view.retention.notes_disposal
            due = notes is not None and notes <= today
            cells = {
                "reference": Text(view.reference, style="bold" if view.therapy_end is None else ""),
                "type": Text(type_words(view, today)),
                "initials": Text(view.initials),
                "funding": Text(clients.FUNDING_NAMES.get(view.funding, view.funding)),
                "site": Text(view.site_name or "—", overflow="ellipsis", no_wrap=True),
                "therapy": Text(therapy_words(view), style=muted if view.therapy_end else ""),
                "notes": Text(show_date(notes, "—"), style="bold" if due else ""),
                "artwork": Text(show_date(view.retention.artwork_disposal, "—")),
            }
            table.add_row(*(cells[key] for key, _, _ in columns), key=str(view.id))
        if keep is not None:
            index = next((i for i, v in enumerate(shown) if v.id == keep), 0)
            table.move_cursor(row=index)
        total = len(self.views)
        count = f"{len(shown)} of {total}" if len(shown) != total else f"{total} client{'s' if total != 1 else ''}"
        self.query_one("#clients-count", Static).update(count)
        empty = self.query_one("#clients-empty", Static)
        if not total:
            empty.update("No clients yet: press n to add one (a reference and initials, never a name).")
        elif not shown:
            empty.update("No client matches the filter: Escape, then / to change it.")
        empty.display = not shown
        self._show_detail()

    def selected_id(self) -> int | None:
        table = self.query_one(DataTable)
        if not table.row_count:
            return None
        try:
            key = table.coordinate_to_cell_key(table.cursor_coordinate).row_key
        except Exception:  # noqa: BLE001 - no row under the cursor
            return None
        return int(key.value) if key and key.value else None

    def select_client(self, client_id: int) -> None:
        """Put the cursor on a client (for the attention list and the palette)."""
        self.query_one("#clients-filter-input", Input).value = ""
        self._populate()
        table = self.query_one(DataTable)
        try:
            table.move_cursor(row=table.get_row_index(str(client_id)))
        except Exception:  # noqa: BLE001 - no longer there
            pass
        table.focus()

    def open_record(self, table: str, record_id: int) -> bool:
        """Show a record named by the attention list (home screen): a client, one of
        their consents, or a data request; False if it is not one of ours."""
        from ..data.models import Consent, DataRequest

        if table == "client":
            self.select_client(record_id)
            return True
        if table == "consent":
            consent = Consent.get_or_none(Consent.id == record_id)
            if consent is None:
                return False
            from .consent import ConsentScreen

            self.select_client(consent.client_id)
            self.app.push_screen(ConsentScreen(consent.client_id, focus_id=record_id))
            return True
        if table == "data_request":
            request = DataRequest.get_or_none(DataRequest.id == record_id)
            if request is None:
                return False
            from .requests import RequestsScreen

            if request.client_id:
                self.select_client(request.client_id)
            self.app.push_screen(RequestsScreen(request.client_id, focus_id=record_id))
            return True
        return False

    def _selected(self) -> Client | None:
        client_id = self.selected_id()
        client = Client.get_or_none(Client.id == client_id) if client_id is not None else None
        if client is None:
            self.notify("Choose a client first (the list is empty).", severity="warning")
        return client

    @on(DataTable.RowHighlighted)
    def _show_detail(self) -> None:
        detail = self.query_one("#client-detail", Static)
        client_id = self.selected_id()
        view = clients.client_view(client_id) if client_id is not None else None
        self.query_one("#client-detail-box").display = view is not None
        if view is None:
            detail.update("")
            return
        detail.update(self.detail_text(view))

    def detail_text(self, view: ClientView) -> Text:
        today = self.app.today()
        warn = tone(self.app, "warning")
        text = Text()
        text.append(view.reference, style="bold")
        if view.initials:
            text.append(f" · {view.initials}")
        if view.date_of_birth:
            text.append(f" · born {show_date(view.date_of_birth)} ({view.age(today)})")
        how = "chosen" if view.type_overridden else "from date of birth at start"
        text.append(f" · {view.client_type} ({how}) · {view.funding}")
        text.append(f"\nSite: {view.site_name or 'none'}" + (" (school)" if view.in_school else ""))
        start = show_date(view.therapy_start, "not recorded")
        end = show_date(view.therapy_end, "ongoing")
        text.append(f" · therapy {start} to {end}")
        now_type = clients.type_today(Client.get_by_id(view.id), today)
        if now_type != view.client_type:
            text.append(f"\nNow {'an adult' if now_type == 'adult' else 'a child'}; the notes follow the rule for "
                        f"the type at the start of therapy ({view.client_type}).")
        r = view.retention
        text.append("\nNotes: ")
        if r.notes_disposal is not None:
            text.append(f"{r.line} ({describe_distance(r.notes_disposal, today)})",
                        style=warn if r.notes_disposal <= today else "")
        else:
            text.append(r.line)
        text.append("\nArtwork: ")
        if view.artwork_disposed_on is not None:
            text.append(f"unclaimed artwork disposed of {show_date(view.artwork_disposed_on)}")
        elif r.artwork_disposal is not None:
            text.append(f"unclaimed artwork kept until {show_date(r.artwork_disposal)}",
                        style=warn if r.artwork_disposal <= today else "")
        else:
            text.append("kept while therapy goes on (two months after it ends)")
        text.append(f"\nConsent: {clients.consent_summary(view.id, today)}")
        text.append(f"\nRequests: {clients.request_summary(view.id, today)}")
        if view.gp_contact:
            text.append(f"\nGP: {view.gp_contact}")
        if view.parent_carer_contact:
            text.append(f"\nParent/carer: {view.parent_carer_contact}")
        if view.mental_health_services:
            text.append("\nReceives HPFT mental-health services.")
        missing = view.missing_contact()
        if missing:
            text.append(f"\n{missing}", style=warn)
        if view.notes:
            text.append(f"\n{view.notes}")
        return text

    # -- filter ------------------------------------------------------------------------------

    @on(Input.Changed, "#clients-filter-input")
    def _filter_changed(self) -> None:
        self._populate()

    @on(Input.Submitted, "#clients-filter-input")
    def _filter_submitted(self) -> None:
        table = self.query_one(DataTable)
        if table.row_count:
            table.focus()
            table.move_cursor(row=0)

    def action_filter(self) -> None:
        self.query_one("#clients-filter-input", Input).focus()

    def action_leave_filter(self) -> None:
        if isinstance(self.focused, Input):
            self.query_one(DataTable).focus()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        in_filter = isinstance(self.focused, Input)
        if action == "leave_filter":
            return in_filter
        if in_filter and action != "filter":
            return False
        if action in ("edit_client", "consents", "requests", "new_period", "dispose"):
            return None if not self.query_one(DataTable).row_count else True
        return True

    # -- acts ---------------------------------------------------------------------------------

    @on(DataTable.RowSelected)
    def _row_selected(self) -> None:
        self.action_edit_client()

    def action_new_client(self) -> None:
        from .client_form import ClientFormScreen

        self.app.push_screen(ClientFormScreen(), self._saved)

    def action_edit_client(self) -> None:
        from .client_form import ClientFormScreen

        client = self._selected()
        if client is not None:
            self.app.push_screen(ClientFormScreen(client), self._saved)

    def _saved(self, client_id: int | None) -> None:
        if client_id is not None:
            self.refresh_data()
            self.select_client(client_id)

    def action_consents(self) -> None:
        from .consent import ConsentScreen

        client = self._selected()
        if client is not None:
            self.app.push_screen(ConsentScreen(client.id))

    def action_requests(self) -> None:
        from .requests import RequestsScreen

        client = self._selected()
        if client is not None:
            self.app.push_screen(RequestsScreen(client.id))

    def action_all_requests(self) -> None:
        from .requests import RequestsScreen

        self.app.push_screen(RequestsScreen(None))

    def action_new_period(self) -> None:
        client = self._selected()
        if client is None:
            return
        today = self.app.today()
        site = client.site if client.site_id else None
        school = site is not None and site.kind == "school"
        explanation = (
            f"{client.reference}'s therapy starts again: the start date moves on and the end is cleared."
            + (" Work in a school: its consents will need refreshing (seed 001)." if school else "")
        )

        def done(result) -> None:
            if result is None:
                return
            day, _ = result
            clients.start_new_period(client.id, day, today)
            self.app.tell_when_saved(f"New period of therapy for {client.reference} from {show_date(day)}.",
                                     f"{client.reference}'s new period")
            self.refresh_data()

        self.app.push_screen(
            DateDialog(
                f"New period of therapy: {client.reference}",
                explanation,
                lambda text: clients.check_new_period(client.id, text, today),
                typed(today),
                label="Starts on",
            ),
            done,
        )

    def action_dispose(self) -> None:
        client = self._selected()
        if client is None:
            return
        try:
            plan = retention.plan_disposal(self.app.vault, client.id, self.app.today())
        except retention.DisposalError as exc:
            self.notify(str(exc), severity="error")
            return
        self.app.push_screen(DisposeScreen(plan), self._dispose_answered)

    def _dispose_answered(self, plan: retention.DisposalPlan | None) -> None:
        if plan is None:
            return
        try:
            result = retention.dispose_client(self.app.vault, plan.client_id, self.app.today())
        except retention.DisposalError as exc:
            self.notify(str(exc), severity="error", timeout=20)
            return
        if result.save_error:
            self.notify(
                f"{result.reference}'s records are deleted here but the vault could not be saved yet: "
                f"{result.save_error}",
                severity="error",
                timeout=30,
            )
            self.app.request_save()
        else:
            self.notify(f"{result.reference}'s records were disposed of; the disposal log keeps the reference and date.")
        self.refresh_data()

    def action_disposal_log(self) -> None:
        self.app.push_screen(DisposalLogScreen())


class DisposeScreen(ModalScreen["retention.DisposalPlan | None"]):
    """Names exactly what goes; typing the reference is the confirmation."""

    BINDINGS = [Binding("escape", "cancel", "Cancel", id="dispose-cancel")]

    def __init__(self, plan: retention.DisposalPlan):
        super().__init__()
        self.plan = plan

    def compose(self) -> ComposeResult:
        plan = self.plan
        lines = [f"Dispose of {plan.reference}'s records?", "", "Deleted from the vault file itself, for good:"]
        lines += [f"  • {line}" for line in plan.goes()]
        kept = plan.kept()
        if kept:
            lines += ["Kept:"] + [f"  • {line}" for line in kept]
        lines.append(f"Left behind: one disposal log line ({plan.reference}, the date, counts only).")
        with Vertical(classes="dialog dispose"):
            with VerticalScroll(id="dispose-body"):
                yield Static("\n".join(lines), id="dispose-what", markup=False)
                for warning in plan.warnings:
                    yield Static(warning, classes="notice", markup=False)
            with Horizontal(classes="dispose-line"):
                yield Label(f"Type {plan.reference}")
                yield Input("", placeholder="the reference, to confirm", id="dispose-confirm", compact=True)
            with Horizontal(classes="buttons"):
                yield Button("Dispose of records", variant="error", id="dispose", disabled=True, compact=True)
                yield Button("Cancel  esc", id="dispose-no", compact=True)

    def on_mount(self) -> None:
        self.query_one("#dispose-confirm", Input).focus()

    def _matches(self) -> bool:
        typed_text = " ".join(self.query_one("#dispose-confirm", Input).value.split())
        return typed_text.casefold() == self.plan.reference.casefold()

    @on(Input.Changed, "#dispose-confirm")
    def _typed(self) -> None:
        self.query_one("#dispose", Button).disabled = not self._matches()

    @on(Input.Submitted, "#dispose-confirm")
    def _submitted(self) -> None:
        if self._matches():
            self.dismiss(self.plan)
        else:
            self.notify(f"Type {self.plan.reference} exactly to dispose of its records, or Escape to keep them.",
                        severity="warning")

    @on(Button.Pressed, "#dispose")
    def _pressed(self) -> None:
        if self._matches():
            self.dismiss(self.plan)

    @on(Button.Pressed, "#dispose-no")
    def action_cancel(self) -> None:
        self.dismiss(None)


class DisposalLogScreen(ModalScreen[None]):
    BINDINGS = [Binding("escape", "dismiss", "Close", id="disposal-log-close")]

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog disposal-log"):
            yield Static("Disposal log", classes="dialog-title")
            yield Static("What is left of disposed records: the reference, the date, what went.", classes="hint")
            yield DataTable(id="disposal-table", cursor_type="row", zebra_stripes=True)

    def on_mount(self) -> None:
        table = self.query_one(DataTable)
        table.add_columns("Reference", "Date", "What")
        for row in retention.disposal_log():
            table.add_row(row.reference, show_date(row.disposed_on), row.what)
        if not table.row_count:
            table.add_row("—", "", "Nothing disposed of yet.")
        table.focus()


# --------------------------------------------------------------------------- command palette


def _open(app, mode: str, table: str | None = None, record_id: int | None = None, then: str | None = None) -> None:
    """Switch to a mode, then show a record on it or run one of its actions."""
    app.switch_mode(mode)

    def after() -> None:
        if table is not None and record_id is not None:
            opener = getattr(app.screen, "open_record", None)
            if opener is not None:
                opener(table, record_id)
        if then is not None:
            action = getattr(app.screen, f"action_{then}", None)
            if action is not None:
                action()

    app.call_after_refresh(after)


class ClientsComplaintsCommands(IndexedProvider):
    """Clients by reference, complaints by reference, and the actions of both screens."""

    def actions(self) -> list[Entry]:
        app = self.app
        return [
            ("Complaints log", "Every complaint and what is due next (m)", partial(_open, app, "complaints")),
            ("Log a complaint", "Received, from whom, about what (n on the complaints log)",
             partial(_open, app, "complaints", then="new_complaint")),
            ("Complaints monitoring report", "Per year: by type, by stage resolved, on time; CSV export",
             partial(_open, app, "complaints", then="report")),
            ("Clients", "Pseudonymised clients, retention dates, consent, data requests (k)", partial(_open, app, "clients")),
            ("New client", "A reference and initials, never a name", partial(_open, app, "clients", then="new_client")),
            ("All data requests", "Access, correction and deletion requests, soonest due first",
             partial(_open, app, "clients", then="all_requests")),
            ("Disposal log", "What is left of disposed records: reference and date",
             partial(_open, app, "clients", then="disposal_log")),
        ]

    def entries(self) -> Entries:
        from ..data import complaints as complaint_data

        app = self.app
        entries = Entries()
        entries.extend(self.actions())
        client, complaint = partial(_open, app, "clients", "client"), partial(_open, app, "complaints", "complaint")
        for view in clients.clients_to_find():
            entries.add(f"{view.reference} {view.initials}".strip(), f"Client · {view.client_type} · {view.site_name or 'no site'}",
                        client, view.id)
        for view in complaint_data.complaints_to_find():
            what = complaint_data.TYPE_SHORT.get(view.type, view.type).lower()
            entries.add(view.reference, f"Complaint · received {show_date(view.received_on)} · {what}", complaint, view.id)
        return entries

    async def discover(self) -> Hits:
        if not self.app.vault.is_open:
            return
        for text, help_text, command in self.actions():
            yield DiscoveryHit(text, command, text=text, help=help_text)
