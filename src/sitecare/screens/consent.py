"""A client's consents (seed 001): what, essential or optional, when and how, by whom,
the competence judgement, reviews, refreshes and withdrawals, and the signed form."""

from __future__ import annotations

from pathlib import Path

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import Screen
from textual.suggester import SuggestFromList
from textual.widgets import Button, Checkbox, DataTable, Header, Input, Static, TextArea

from ..data import clients
from ..data.models import Client, Consent
from ..rules.consent import ConsentState
from ..rules.dates import show_date
from . import formfields as ff
from .record_forms import DateDialog, Field, raw_values, show_errors, tone, typed
from .formfields import FormScreen
from .footer import Footer

PURPOSES = ["therapy", "publication of an article", "a talk", "sharing information with the GP",
            "audio recording for supervision", "use of artwork in teaching"]
HOW = ["consent form", "written contract", "school consent form", "online consent form", "email"]
BY = ["client", "parent", "carer", "parent (mother)", "parent (father)", "client and parent", "parent/carer via school"]


def status_cell(view: clients.ConsentView) -> str:
    """The one thing the table needs to say about a consent (the detail says the rest)."""
    s = view.status
    if s.state == ConsentState.WITHDRAWN:
        return f"withdrawn {show_date(view.withdrawn_on)}"
    if s.state == ConsentState.REFRESH_DUE:
        return "REFRESH: new period" if s.refresh_reason == "new_therapy_period" else f"REFRESH: since {show_date(s.refresh_due)}"
    if s.state == ConsentState.REVIEW_DUE:
        return f"REVIEW: since {show_date(s.review_due)}"
    nearest = min(s.review_due, s.refresh_due)
    return f"{'review' if nearest == s.review_due else 'refresh'} by {show_date(nearest)}"


class ConsentScreen(Screen):
    CSS_PATH = "clients.tcss"
    BINDINGS = [
        Binding("escape", "back", "Back", id="consent-back"),
        Binding("n", "new_consent", "New", id="consent-new"),
        Binding("e", "edit_consent", "Edit", id="consent-edit"),
        Binding("v", "review", "Reviewed", id="consent-review"),
        Binding("f", "refresh_consent", "Refresh", id="consent-refresh"),
        Binding("w", "withdraw", "Withdrawn", id="consent-withdraw"),
        Binding("o", "export_form", "Save form as", id="consent-export", show=False),
    ]

    def __init__(self, client_id: int, focus_id: int | None = None):
        super().__init__()
        self.client_id = client_id
        self.focus_id = focus_id
        self.views: list[clients.ConsentView] = []

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static("", id="consent-top")
        yield DataTable(id="consent-table", cursor_type="row", zebra_stripes=True)
        yield Static("", id="consent-empty", classes="hint")
        with VerticalScroll(id="consent-detail-box"):
            yield Static("", id="consent-detail")
        yield Footer()

    def on_mount(self) -> None:
        self.refresh_data()
        if self.focus_id is not None:
            self.select_consent(self.focus_id)
        self.query_one(DataTable).focus()

    def on_screen_resume(self) -> None:
        self.refresh_data()

    @property
    def client(self) -> Client | None:
        return Client.get_or_none(Client.id == self.client_id)

    def refresh_data(self) -> None:
        if not self.app.vault.is_open:
            return
        client = self.client
        if client is None:
            self.app.pop_screen()
            return
        today = self.app.today()
        view = clients.client_view(client.id)
        where = f" at {view.site_name}" + (" (school: refresh at each new period)" if view.in_school else "") if view.site_name else ""
        self.query_one("#consent-top", Static).update(
            Text.assemble((f"Consents: {client.reference}", "bold"), f"{where} · {clients.consent_summary(client.id, today)}")
        )
        table = self.query_one(DataTable)
        keep = self.selected_id()
        table.clear(columns=True)
        table.add_column("What", key="what", width=24)
        table.add_column("Given", key="given", width=11)
        table.add_column("By", key="by", width=10)
        table.add_column("Status", key="status", width=25)
        self.views = clients.consents_for(client.id, today)
        warn = tone(self.app, "warning")
        muted = tone(self.app, "text-muted")
        for v in self.views:
            withdrawn = v.status.state == ConsentState.WITHDRAWN
            style = muted if withdrawn else (warn if v.status.needs_attention else "")
            table.add_row(
                Text(v.label, overflow="ellipsis", no_wrap=True, style=muted if withdrawn else ""),
                show_date(v.given_on),
                Text(v.given_by, overflow="ellipsis", no_wrap=True),
                Text(status_cell(v), style=style, overflow="ellipsis", no_wrap=True),
                key=str(v.id),
            )
        if keep is not None:
            index = next((i for i, v in enumerate(self.views) if v.id == keep), 0)
            table.move_cursor(row=index)
        empty = self.query_one("#consent-empty", Static)
        empty.update("No consent recorded: press n to record consent to therapy (a consent form or written contract).")
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

    def select_consent(self, consent_id: int) -> None:
        table = self.query_one(DataTable)
        try:
            table.move_cursor(row=table.get_row_index(str(consent_id)))
        except Exception:  # noqa: BLE001
            pass

    def _selected(self) -> Consent | None:
        consent_id = self.selected_id()
        consent = Consent.get_or_none(Consent.id == consent_id) if consent_id is not None else None
        if consent is None:
            self.notify("Choose a consent first (none recorded yet).", severity="warning")
        return consent

    @on(DataTable.RowHighlighted)
    def _show_detail(self) -> None:
        consent_id = self.selected_id()
        view = next((v for v in self.views if v.id == consent_id), None)
        self.query_one("#consent-detail-box").display = view is not None
        if view is None:
            return
        text = Text()
        text.append(view.purpose, style="bold")
        text.append(" · essential to treatment" if view.essential else
                    " · optional: never a condition of the service, withdrawable without detriment")
        text.append(f"\nGiven {show_date(view.given_on)} by {view.given_by}, {view.how}.")
        if view.competence_judgement:
            text.append(f"\nCompetence: {view.competence_judgement}")
        if view.withdrawn_on:
            text.append(f"\nWithdrawn {show_date(view.withdrawn_on)}.")
        else:
            s = view.status
            text.append(f"\nReview due {show_date(s.review_due)}" +
                        (f" (last reviewed {show_date(view.reviewed_on)})" if view.reviewed_on else "") +
                        f" · refresh due {show_date(s.refresh_due)}" +
                        (" (a new period of therapy)" if s.refresh_reason == "new_therapy_period" else " (two years)"))
        if view.attachment_name:
            text.append(f"\nSigned form: {view.attachment_name} (o saves a copy)")
        if view.notes:
            text.append(f"\n{view.notes}")
        self.query_one("#consent-detail", Static).update(text)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in ("edit_consent", "review", "refresh_consent", "withdraw"):
            return None if not self.query_one(DataTable).row_count else True
        if action == "export_form":
            view = next((v for v in self.views if v.id == self.selected_id()), None)
            return True if view is not None and view.attachment_id else None
        return True

    # -- acts ---------------------------------------------------------------------------------

    def action_back(self) -> None:
        self.app.pop_screen()

    @on(DataTable.RowSelected)
    def _row_selected(self) -> None:
        self.action_edit_consent()

    def action_new_consent(self) -> None:
        self.app.push_screen(ConsentFormScreen(self.client_id), self._saved)

    def action_edit_consent(self) -> None:
        consent = self._selected()
        if consent is not None:
            self.app.push_screen(ConsentFormScreen(self.client_id, consent), self._saved)

    def action_refresh_consent(self) -> None:
        consent = self._selected()
        if consent is None:
            return
        if consent.withdrawn_on is not None:
            self.notify("This consent was withdrawn: record a new one (n) if it is given again.", severity="warning")
            return
        self.app.push_screen(ConsentFormScreen(self.client_id, consent, refresh=True), self._saved)

    def _saved(self, consent_id: int | None) -> None:
        if consent_id is not None:
            self.refresh_data()
            self.select_consent(consent_id)

    def action_review(self) -> None:
        consent = self._selected()
        if consent is None:
            return
        if consent.withdrawn_on is not None:
            self.notify("A withdrawn consent has nothing left to review.", severity="warning")
            return
        today = self.app.today()
        not_before = max(consent.given_on, consent.reviewed_on or consent.given_on)

        def done(result) -> None:
            if result is not None:
                clients.record_review(consent.id, result[0])
                self.app.tell_when_saved(f"Review of '{consent.purpose}' recorded for {show_date(result[0])}.",
                                         f"the review of '{consent.purpose}'")
                self.refresh_data()

        self.app.push_screen(
            DateDialog(
                f"Reviewed: {consent.purpose}",
                "The yearly review (seed 001): the processing and its purposes have not changed. "
                "If they have, ask for consent again instead (f).",
                lambda text: clients.check_day(text, today, not_before, "review", "the consent or its last review"),
                typed(today),
                label="Reviewed on",
            ),
            done,
        )

    def action_withdraw(self) -> None:
        consent = self._selected()
        if consent is None:
            return
        if consent.withdrawn_on is not None:
            self.notify(f"Already withdrawn on {show_date(consent.withdrawn_on)}.", severity="warning")
            return
        today = self.app.today()
        explanation = (
            "Withdrawing an optional consent makes no difference to the client's therapy (seed 001)."
            if not consent.essential
            else "This is consent to the service itself: without it, therapy has no consent to rest on."
        )

        def done(result) -> None:
            if result is not None:
                clients.record_withdrawal(consent.id, result[0])
                self.app.tell_when_saved(f"'{consent.purpose}' withdrawn on {show_date(result[0])}.",
                                         f"the withdrawal of '{consent.purpose}'")
                self.refresh_data()

        self.app.push_screen(
            DateDialog(
                f"Withdrawn: {consent.purpose}",
                explanation,
                lambda text: clients.check_day(text, today, consent.given_on, "withdrawal", "the consent was given"),
                typed(today),
                label="Withdrawn on",
                yes="Record withdrawal",
                danger=consent.essential,
            ),
            done,
        )

    def action_export_form(self) -> None:
        view = next((v for v in self.views if v.id == self.selected_id()), None)
        if view is None or not view.attachment_id:
            self.notify("This consent has no signed form attached.", severity="warning")
            return
        from .record_forms import PathDialog

        suggested = str(Path.home() / view.attachment_name)

        def chosen(path: str | None) -> None:
            if not path:
                return
            try:
                name, data = clients.attachment_bytes(self.app.vault, view.attachment_id)
            except Exception as exc:  # noqa: BLE001 - a BlobError or a vanished row: say so, never crash
                self.notify(str(exc), severity="error")
                return
            self._write_copy(path, data)

        self.app.push_screen(PathDialog("Save a copy of the signed form", suggested), chosen)

    @work(thread=True, group="export", exclusive=True)
    def _write_copy(self, path: str, data: bytes) -> None:
        from ..data.complaints import write_private_bytes

        try:
            target = write_private_bytes(path, data)
        except OSError as exc:
            self.app.call_from_thread(self.notify, f"Not saved: {exc.strerror or exc}.", severity="error")
            return
        self.app.call_from_thread(self.notify, f"Saved a copy to {target} (readable by you only).")


class ConsentFormScreen(FormScreen):
    """Dismisses with the saved consent's id, or None when cancelled."""

    CSS_PATH = "clients.tcss"

    def __init__(self, client_id: int, consent: Consent | None = None, refresh: bool = False):
        super().__init__()
        self.client_id = client_id
        self.consent = consent
        self.refresh_mode = refresh

    def compose(self) -> ComposeResult:
        c = self.consent
        client = Client.get_by_id(self.client_id)
        today = self.app.today()
        if self.refresh_mode:
            title = f"Consent asked for again: {client.reference}"
        else:
            title = f"{'Edit' if c else 'New'} consent: {client.reference}"
        fresh = self.refresh_mode
        with Vertical(classes="dialog consent-form"):
            yield Static(title, classes="dialog-title", markup=False)
            if fresh:
                yield Static(
                    f"Given before on {show_date(c.given_on)} by {c.given_by}: that line is kept in the notes.",
                    classes="hint", markup=False,
                )
            with VerticalScroll(id="consent-form-body"):
                yield Field(
                    "What",
                    Input(c.purpose if c else "therapy", suggester=SuggestFromList(PURPOSES, case_sensitive=False),
                          compact=True, id="purpose", disabled=fresh),
                    name="purpose",
                    hint="Therapy, or an optional use: publication, a talk...",
                )
                yield Field(
                    "Essential",
                    Checkbox("Essential to treatment", value=bool(c.essential) if c else True, compact=True,
                             id="essential", disabled=fresh),
                    name="essential",
                    parse=bool,
                )
                if c is None:
                    yield Field(
                        "Explained",
                        Checkbox("Told it is optional", value=False,
                                 compact=True, id="explained"),
                        name="explained",
                        parse=bool,
                        hint="Never a condition of the service (seed 001).",
                    )
                yield Field(
                    "Given on",
                    Input(ff.shown_date_input(today) if fresh else (ff.shown_date_input(c.given_on) if c else ""),
                          placeholder="dd/mm/yyyy", compact=True, id="given_on"),
                    name="given_on",
                    parse=ff.day,
                )
                yield Field(
                    "How",
                    Input(c.how if c else "consent form", suggester=SuggestFromList(HOW, case_sensitive=False),
                          compact=True, id="how"),
                    name="how",
                )
                yield Field(
                    "Given by",
                    Input(c.given_by if c else ("client" if client.client_type == "adult" else "parent"),
                          suggester=SuggestFromList(BY, case_sensitive=False), compact=True, id="given_by"),
                    name="given_by",
                    hint="The client, a parent or a carer (never a name).",
                )
                yield Field(
                    "Competence",
                    TextArea(c.competence_judgement if c else "", compact=True, id="competence_judgement"),
                    name="competence_judgement",
                    parse=ff.multiline,
                    hint="A young person consenting for themselves: how you judged them competent.",
                )
                if not fresh:
                    yield Field(
                        "Reviewed on",
                        Input(ff.shown_date_input(c.reviewed_on) if c else "", placeholder="blank: not reviewed yet",
                              compact=True, id="reviewed_on"),
                        name="reviewed_on",
                        parse=ff.day,
                    )
                    yield Field(
                        "Withdrawn on",
                        Input(ff.shown_date_input(c.withdrawn_on) if c else "", placeholder="blank: not withdrawn",
                              compact=True, id="withdrawn_on"),
                        name="withdrawn_on",
                        parse=ff.day,
                    )
                attached = c.attachment.filename if c is not None and c.attachment_id else ""
                yield Field(
                    "Signed form",
                    Input("", placeholder="path to the scanned form (optional)", compact=True, id="file"),
                    name="file",
                    parse=ff.multiline,
                    hint=(f"Attached: {attached}. A new file replaces it." if attached
                          else "Kept encrypted beside the vault."),
                )
                yield Field("Notes", TextArea(c.notes if c and not fresh else "", compact=True, id="notes"),
                            name="notes", parse=ff.multiline)
                yield Static("", id="form-error", classes="error")
            with Horizontal(classes="buttons"):
                yield Button("Save  ctrl+s", variant="primary", id="save", compact=True)
                yield Button("Cancel  esc", id="cancel", compact=True)

    def on_mount(self) -> None:
        super().on_mount()
        self._essential_changed()

    @on(Checkbox.Changed, "#essential")
    def _essential_changed(self) -> None:
        if self.consent is None:
            self.field("explained").display = not self.query_one("#essential", Checkbox).value

    @on(Button.Pressed, "#cancel")
    def _cancel_pressed(self) -> None:
        self.action_cancel()

    def action_save(self) -> None:
        form = raw_values(self)
        today = self.app.today()
        if self.refresh_mode:
            form.update(purpose=self.consent.purpose, essential=self.consent.essential, refresh=True)
        fields, errors = clients.check_consent(form, self.client_id, today, self.consent)
        if errors:
            show_errors(self, errors)
            return
        show_errors(self, {})
        try:
            if self.refresh_mode:
                saved = clients.refresh_consent(self.app.vault, self.consent.id, fields)
            else:
                saved = clients.save_consent(self.app.vault, fields, self.client_id, self.consent.id if self.consent else None)
        except OSError as exc:
            self.show_field_error("file", f"The file could not be read or stored ({exc.strerror or exc}).")
            return
        except Exception as exc:  # noqa: BLE001 - a vault error (read-only, disk full) as one sentence
            self.show_form_error(str(exc))
            return
        self.app.tell_when_saved(
            "Consent saved." if not self.refresh_mode else "Consent refreshed: the review starts again from today's consent.",
            f"the consent to '{saved.purpose}'")
        self.dismiss(saved.id)
