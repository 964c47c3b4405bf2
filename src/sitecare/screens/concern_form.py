"""Raising a safeguarding concern: the capture form, opened from anywhere with ctrl+n (or F2).

Nothing typed is ever lost: every change schedules an encrypted draft write (the vault's
drafts folder, outside the database, so typing does not churn the kept backups) at most
half a second later; the write itself runs in a worker on bytes. An unsaved draft is
offered again at the next unlock, and ctrl+n reopens it. Saving turns the form into a
concern and its first chronology entries, then removes the draft.
"""

from __future__ import annotations

import threading
import time
import weakref
from typing import Any

from textual import events, on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.markup import escape
from textual.screen import ModalScreen, Screen
from textual.widgets import (
    Button,
    Checkbox,
    Header,
    Input,
    Label,
    Select,
    SelectionList,
    Static,
    TextArea,
)
from textual.widgets.selection_list import Selection

from ..data import concerns
from ..data.drafts import DRAFT_NAME
from ..data.vault import VaultError
from ..rules.concerns import CATEGORIES, CLIENT_TYPE_LABELS, KIND_LABELS, type_moment
from .concern_ticks import TickBox, TickList
from .footer import Footer

#: Most a draft lags behind the typing: a change schedules a write this long after it.
DRAFT_DELAY = 0.5

_FIELD_ORDER = (
    "site",
    "occurred",
    "noticed",
    "client",
    "client_reference",
    "client_type",
    "kind",
    "categories",
    "immediate_danger",
    "account",
    "observed",
)
_WIDGET_IDS = {
    "site": "#f-site",
    "occurred": "#f-occurred",
    "noticed": "#f-noticed",
    "client": "#f-client",
    "client_reference": "#f-client-ref",
    "client_type": "#f-client-type",
    "kind": "#f-kind",
    "categories": "#f-categories",
    "immediate_danger": "#f-danger",
    "account": "#f-account",
    "observed": "#f-observed",
}

_open_form: weakref.ref | None = None


class DraftWriter:
    """Serialises draft writes from workers: an older draft never replaces a newer one."""

    def __init__(self, vault):
        self.vault = vault
        self._lock = threading.Lock()
        self._written = 0
        self._closed = False

    def write(self, seq: int, data: bytes) -> bool:
        with self._lock:
            if seq <= self._written or self._closed:
                return False
            self.vault.write_draft(DRAFT_NAME, data)
            self._written = seq
            return True

    def clear(self) -> None:
        """No more writes, and the draft removed: a write already under way cannot
        bring it back afterwards."""
        with self._lock:
            self._closed = True
            self.vault.clear_draft(DRAFT_NAME)


class ChoiceScreen(ModalScreen[str]):
    """A question with a few named answers; escape gives `cancel`."""

    BINDINGS = [Binding("escape", "cancel", "Back", id="choice_cancel")]

    def __init__(self, question: str, choices: list[tuple[str, str, str]], cancel: str = "cancel", focus: str | None = None):
        super().__init__()
        self.question = question
        self.choices = choices  # (answer, label, variant)
        self.cancel = cancel
        self.focus_answer = focus

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog confirm"):
            yield Static(self.question, id="question")
            with Horizontal(classes="buttons"):
                for answer, label, variant in self.choices:
                    yield Button(label, variant=variant, id=f"choice-{answer}")  # type: ignore[arg-type]

    def on_mount(self) -> None:
        target = self.focus_answer or self.choices[-1][0]
        self.query_one(f"#choice-{target}", Button).focus()

    @on(Button.Pressed)
    def chosen(self, event: Button.Pressed) -> None:
        self.dismiss((event.button.id or "").removeprefix("choice-"))

    def action_cancel(self) -> None:
        self.dismiss(self.cancel)


class ConcernFormScreen(Screen[int | None]):
    """The capture form. Dismisses with the new concern's id, or None when closed."""

    # Screens that "go home" must not close: what is typed here is a concern.
    HOLDS_TYPING = True

    CSS_PATH = "concern_form.tcss"
    BINDINGS = [
        Binding("ctrl+s", "save", "Save concern", id="save_concern"),
        Binding("escape", "close", "Close", id="close_form"),
    ]

    def __init__(self, draft: dict[str, Any] | None = None, resumed: str = "", site_id: int | None = None):
        super().__init__()
        self.draft = draft
        self.site_id = site_id
        self.resumed = resumed
        self._started: dict[str, Any] = {}
        self._last_written = ""
        self._draft_timer = None
        self._seq = 0
        self._writer: DraftWriter | None = None
        self._draft_error = ""
        self._saved = False
        self.opened_in_mode = ""
        self._started_at = ""
        self._redirect_told = False
        self._redirected_at = 0.0
        self._site_ids: set[int] = set()
        self._client_ids: set[int] = set()

    # -- layout ----------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static(
            "[b]Immediate danger: call the police on 999 now[/b], then come back to this form: "
            "it keeps what you have typed.",
            id="danger-banner",
        )
        sites = concerns.sites_for_choice()
        clients = concerns.clients_for_choice()
        self._site_ids = {s.id for s in sites}
        self._client_ids = {cl.id for cl in clients}
        with VerticalScroll(id="concern-form"):
            yield Static(self.resumed, id="resumed", classes="notice")
            yield Label("Site where it happened", classes="field-label")
            yield Select(
                [(s.name, s.id) for s in sites],
                prompt="Choose the site" if sites else "No sites yet",
                id="f-site",
            )
            yield Static(
                "" if sites else "No sites are recorded yet: the concern can be saved without one "
                "and its steps will show the gaps to fill in.",
                id="h-site",
                classes="hint",
            )
            yield Static("", id="e-site", classes="error")
            with Horizontal(classes="pair"):
                with Vertical():
                    yield Label("When it happened (if known)", classes="field-label")
                    yield Input(placeholder="dd/mm/yyyy hh:mm", id="f-occurred")
                    yield Static("", id="e-occurred", classes="error")
                with Vertical():
                    yield Label("When disclosed or noticed", classes="field-label")
                    yield Input(placeholder="dd/mm/yyyy hh:mm", id="f-noticed")
                    yield Static("", id="e-noticed", classes="error")
            yield Label("Client (optional): choose one, or type a reference", classes="field-label")
            yield Select(
                [(f"{cl.reference} · {CLIENT_TYPE_LABELS.get(cl.client_type, cl.client_type).lower()}"
                  + (f" · {cl.site.name}" if cl.site is not None else ""), cl.id) for cl in clients],
                prompt="Choose a client" if clients else "No clients recorded",
                id="f-client",
            )
            yield Static("", id="e-client", classes="error")
            with Horizontal(classes="pair"):
                with Vertical():
                    yield Input(placeholder="or a reference, e.g. CH-0142 (never a name)", id="f-client-ref")
                    yield Static("", id="e-client_reference", classes="error")
                with Vertical():
                    yield Select(
                        [(f"Client: {label.lower()}", value) for value, label in CLIENT_TYPE_LABELS.items()],
                        allow_blank=False,
                        value="unknown",
                        id="f-client-type",
                    )
                    yield Static("", id="e-client_type", classes="error")
            yield Label("Kind of concern", classes="field-label")
            yield Select([(label, value) for value, label in KIND_LABELS.items()], allow_blank=False, value="disclosure", id="f-kind")
            yield TickBox("It is about the head of the establishment", id="f-about-head")
            yield Static("", id="e-kind", classes="error")
            yield Label("Categories (space to tick; several allowed)", classes="field-label")
            yield TickList(*[Selection(c, c) for c in CATEGORIES], id="f-categories")
            yield TickBox("Someone is in immediate danger now", id="f-danger")
            yield Label("The account, in the words used where you can", classes="field-label")
            yield TextArea(id="f-account", soft_wrap=True)
            yield Static("", id="e-account", classes="error")
            yield Label("What you observed", classes="field-label")
            yield TextArea(id="f-observed", soft_wrap=True)
            yield Static("", id="e-observed", classes="error")
            with Horizontal(classes="buttons"):
                yield Button("Save concern", variant="primary", id="save")
                yield Button("Keep as draft", id="later")
                yield Button("Discard", variant="error", id="discard")
        yield Static("", id="draft-status")
        yield Footer(compact=True)

    def on_mount(self) -> None:
        self.title = "New safeguarding concern"
        self._writer = DraftWriter(self.app.vault)
        now = self.app.now().replace(second=0, microsecond=0)
        initial = dict(concerns.EMPTY_FORM)
        initial["noticed"] = type_moment(now)
        initial["started_at"] = now.isoformat()
        if self.site_id in self._site_ids:
            initial["site"] = self.site_id  # raised from a site's briefing
        self._started = dict(initial)
        form = dict(initial)
        if self.draft:
            form.update({k: v for k, v in self.draft.items()
                         if (k in concerns.EMPTY_FORM or k == "started_at") and not (k == "site" and v is None)})
            self._last_written = concerns.draft_json(form)
        self._started_at = form.get("started_at") or now.isoformat()
        self.fill(form)
        for message in self.query("#concern-form .error, #concern-form .hint, #concern-form .notice"):
            message.display = bool(str(message.render()).strip())
        if self.app.vault.readonly:
            self._show_draft_status("This vault is open read-only: this concern cannot be saved or kept as a draft.", error=True)
            self.query_one("#save", Button).disabled = True
        self.query_one("#f-site", Select).focus()

    # -- reading and filling the form --------------------------------------------------

    def fill(self, form: dict[str, Any]) -> None:
        site_select = self.query_one("#f-site", Select)
        if form.get("site") in self._site_ids:
            site_select.value = form["site"]
        client_select = self.query_one("#f-client", Select)
        if form.get("client") in self._client_ids:
            client_select.value = form["client"]
        self.query_one("#f-occurred", Input).value = form.get("occurred") or ""
        self.query_one("#f-noticed", Input).value = form.get("noticed") or ""
        self.query_one("#f-client-ref", Input).value = form.get("client_reference") or ""
        if form.get("client_type") in CLIENT_TYPE_LABELS:
            self.query_one("#f-client-type", Select).value = form["client_type"]
        if form.get("kind") in KIND_LABELS:
            self.query_one("#f-kind", Select).value = form["kind"]
        self.query_one("#f-about-head", Checkbox).value = bool(form.get("about_head"))
        selection = self.query_one("#f-categories", SelectionList)
        selection.deselect_all()
        for category in form.get("categories") or []:
            if category in CATEGORIES:
                selection.select(category)
        self.query_one("#f-danger", Checkbox).value = bool(form.get("immediate_danger"))
        self.query_one("#f-account", TextArea).load_text(form.get("account") or "")
        self.query_one("#f-observed", TextArea).load_text(form.get("observed") or "")
        self._show_kind_fields()

    def form_values(self) -> dict[str, Any]:
        site = self.query_one("#f-site", Select).value
        client = self.query_one("#f-client", Select).value
        return {
            "site": site if isinstance(site, int) else None,
            "occurred": self.query_one("#f-occurred", Input).value,
            "noticed": self.query_one("#f-noticed", Input).value,
            "client": client if isinstance(client, int) else None,
            "client_reference": self.query_one("#f-client-ref", Input).value,
            "client_type": self.query_one("#f-client-type", Select).value,
            "kind": self.query_one("#f-kind", Select).value,
            "categories": list(self.query_one("#f-categories", SelectionList).selected),
            "immediate_danger": self.query_one("#f-danger", Checkbox).value,
            "about_head": self.query_one("#f-about-head", Checkbox).value,
            "account": self.query_one("#f-account", TextArea).text,
            "observed": self.query_one("#f-observed", TextArea).text,
            "started_at": self._started_at,
        }

    def on_key(self, event: events.Key) -> None:
        """Letters typed while a checkbox, list or button has focus go into the account,
        rather than being lost or switching screens (h, s, c... are screen keys elsewhere).

        A printable key reaching the screen was not taken by a text field (Input and
        TextArea stop the keys they type), whatever has focus by now: fast typing can
        queue several keys for the old focus before the focus moves."""
        character = event.character
        if not event.is_printable or not character:
            return
        if event.key == "space" and time.monotonic() - self._redirected_at > 1.0:
            return  # a space on its own ticks a checkbox or category, as it should
        self._redirected_at = time.monotonic()
        event.stop()
        event.prevent_default()
        account = self.query_one("#f-account", TextArea)
        # Synchronously, so the next key of the same burst already lands in the account.
        self.set_focus(account)
        account.move_cursor(account.document.end)
        account.insert(character)
        if not self._redirect_told:
            self._redirect_told = True
            self.notify("Typing goes into the account; Tab and shift+Tab move between fields.")

    def _show_kind_fields(self) -> None:
        kind = self.query_one("#f-kind", Select).value
        self.query_one("#f-about-head").display = kind in ("allegation_staff", "whistleblowing")
        self.query_one("#danger-banner").display = self.query_one("#f-danger", Checkbox).value

    # -- keeping the draft -----------------------------------------------------------

    @on(Input.Changed)
    @on(TextArea.Changed)
    @on(Checkbox.Changed)
    @on(SelectionList.SelectedChanged)
    @on(Select.Changed)
    def changed(self, event) -> None:
        self._show_kind_fields()
        if isinstance(event, Select.Changed) and event.select.id == "f-client" and isinstance(event.value, int):
            self._client_chosen(event.value)
        if isinstance(event, Checkbox.Changed) and event.checkbox.id == "f-danger" and event.value:
            self.notify("Call the police on 999 now if someone is in immediate danger.", severity="warning", timeout=10)
        self.schedule_draft()

    def _client_chosen(self, client_id: int) -> None:
        from ..data.models import Client

        client = Client.get_or_none(Client.id == client_id)
        if client is None:
            return
        if client.client_type in ("child", "adult"):
            self.query_one("#f-client-type", Select).value = client.client_type
        site_select = self.query_one("#f-site", Select)
        if not isinstance(site_select.value, int) and client.site_id is not None:
            if client.site_id in self._site_ids:
                site_select.value = client.site_id
        self.query_one("#f-client-ref", Input).value = ""

    def schedule_draft(self) -> None:
        if self._saved or self.app.vault.readonly:
            return
        if self._draft_timer is None:
            self._draft_timer = self.set_timer(DRAFT_DELAY, self._draft_due)

    def _draft_due(self) -> None:
        self._draft_timer = None
        self.write_draft()

    def _draft_payload(self) -> str | None:
        """The draft JSON when it differs from what was last written, else None."""
        form = self.form_values()
        if not concerns.form_has_content(form, self._started) and not self._last_written:
            return None
        payload = concerns.draft_json(form)
        return None if payload == self._last_written else payload

    def write_draft(self) -> None:
        if self._saved or not self.app.vault.is_open or self.app.vault.readonly:
            return
        payload = self._draft_payload()
        if payload is None:
            return
        self._seq += 1
        self._last_written = payload
        self._write_in_worker(self._seq, payload.encode("utf-8"))

    @work(thread=True, group="draft")
    def _write_in_worker(self, seq: int, data: bytes) -> None:
        assert self._writer is not None
        try:
            self._writer.write(seq, data)
        except (VaultError, OSError) as exc:
            self.app.call_from_thread(self._draft_failed, str(exc))
            return
        self.app.call_from_thread(self._draft_written)

    def _draft_written(self) -> None:
        if self._draft_error:
            self._draft_error = ""
        if self.is_attached:
            self._show_draft_status(f"Draft kept (encrypted) {self.app.now():%H:%M:%S}")

    def _draft_failed(self, error: str) -> None:
        self._last_written = ""  # try again on the next change
        self._draft_error = error
        if self.is_attached:
            self._show_draft_status(f"The draft could not be kept: {error}", error=True)

    def _show_draft_status(self, text: str, error: bool = False) -> None:
        status = self.query_one("#draft-status", Static)
        status.update(escape(text))
        status.set_class(error, "error")

    def flush_draft(self) -> None:
        """Write the draft now, on this thread (before a lock or quit)."""
        if self._draft_timer is not None:
            self._draft_timer.stop()
            self._draft_timer = None
        if self._saved or not self.app.vault.is_open or self.app.vault.readonly or not self.is_attached:
            return
        payload = self._draft_payload()
        if payload is None or self._writer is None:
            return
        self._seq += 1
        try:
            self._writer.write(self._seq, payload.encode("utf-8"))
            self._last_written = payload
        except (VaultError, OSError) as exc:
            self._draft_failed(str(exc))

    # -- saving and closing ------------------------------------------------------------

    def _clear_errors(self) -> None:
        for field in _FIELD_ORDER:
            for found in self.query(f"#e-{field}"):
                found.update("")  # type: ignore[attr-defined]
                found.display = False

    def show_errors(self, errors: dict[str, str]) -> None:
        self._clear_errors()
        for field, message in errors.items():
            target = self.query(f"#e-{field}")
            if target:
                target.first().update(escape(message))  # type: ignore[attr-defined]
                target.first().display = True
        first = next((f for f in _FIELD_ORDER if f in errors), None)
        if first is not None:
            widget = self.query_one(_WIDGET_IDS[first])
            widget.focus()
            self.query_one("#concern-form", VerticalScroll).scroll_to_widget(widget, animate=False, top=True)

    @on(Button.Pressed, "#save")
    def action_save(self) -> None:
        if self.app.vault.readonly:
            self.notify("This vault is open read-only: the concern cannot be saved.", severity="error")
            return
        now = self.app.now()
        form = self.form_values()
        if not isinstance(form["site"], int) and concerns.sites_for_choice():
            capture, errors = concerns.check_capture(form, now)
            errors = dict(errors)
            errors["site"] = "Choose the site where it happened: whose procedure applies depends on it."
            capture = None
        else:
            capture, errors = concerns.check_capture(form, now)
        if capture is None:
            self.show_errors(errors)
            count = len(errors)
            self.notify(
                f"Not saved yet: {count} field{'s need' if count != 1 else ' needs'} attention (marked in red). "
                "What you typed is kept as a draft.",
                severity="error",
            )
            self.flush_draft()
            return
        self._clear_errors()
        self.flush_draft()
        concern = concerns.create_concern(capture, now)
        self.app.flush()
        if getattr(self.app, "save_error", None):
            self.notify(
                f"{concern.reference} is recorded but could not be written to disk yet; "
                "the draft is kept until it is.",
                severity="error",
                timeout=20,
            )
        else:
            self._clear_draft()
            # Only when it is: a trial saw "saved" beside "could not be written".
            self.notify(f"Concern {concern.reference} saved.")
        self._saved = True
        self.dismiss(concern.id)

    def action_close(self) -> None:
        form = self.form_values()
        if self.app.vault.readonly or not concerns.form_has_content(form, self._started):
            if not self.draft:
                self._discard()
            self._leave()
            return
        self.flush_draft()
        self.app.push_screen(
            ChoiceScreen(
                "This concern is not saved yet. What you typed is kept as an encrypted draft: "
                "keep it for later (ctrl+n opens it again), or discard it?",
                [("keep", "Keep draft", "primary"), ("discard", "Discard", "error"), ("back", "Back to the form", "default")],
                cancel="back",
                focus="back",
            ),
            self._close_answered,
        )

    @on(Button.Pressed, "#later")
    def keep_for_later(self) -> None:
        self.flush_draft()
        if self._draft_error:
            self.notify(f"The draft could not be kept: {self._draft_error}", severity="error")
            return
        self.notify("Kept as a draft: ctrl+n opens it again.")
        self._leave()

    @on(Button.Pressed, "#discard")
    def ask_discard(self) -> None:
        self.app.push_screen(
            ChoiceScreen(
                "Discard this concern and its draft? What you typed will be gone.",
                [("discard", "Discard", "error"), ("back", "Back to the form", "default")],
                cancel="back",
                focus="back",
            ),
            self._close_answered,
        )

    def _close_answered(self, answer: str | None) -> None:
        if answer == "keep":
            self.keep_for_later()
        elif answer == "discard":
            self._discard()
            self.notify("Concern discarded.")
            self._leave()

    def _discard(self) -> None:
        self._saved = True
        if self._draft_timer is not None:
            self._draft_timer.stop()
            self._draft_timer = None
        self._clear_draft()

    def _clear_draft(self) -> None:
        try:
            if self._writer is not None:
                self._writer.clear()
            else:
                self.app.vault.clear_draft(DRAFT_NAME)
        except OSError as exc:
            self.notify(f"The draft file could not be removed ({exc.strerror}).", severity="warning")

    def _leave(self) -> None:
        if self._draft_timer is not None:
            self._draft_timer.stop()
            self._draft_timer = None
        self._saved = True
        self.dismiss(None)

    def on_unmount(self) -> None:
        global _open_form
        if _open_form is not None and _open_form() is self:
            _open_form = None


# --------------------------------------------------------------------------- app hooks


def current_form(app) -> ConcernFormScreen | None:
    form = _open_form() if _open_form is not None else None
    if form is None or form.app is not app or not form.is_attached or form._saved:
        return None
    return form


def open_concern_form(app, site_id: int | None = None) -> None:
    """ctrl+n / F2: the open form if there is one, else a new form (or the kept draft).

    `site_id` pre-selects a site in a new form (or a kept draft that has none); without
    it, the site of the screen ctrl+n was pressed on, if that screen has one (a site's
    briefing sets `new_concern_site_id`)."""
    global _open_form
    if app.vault.readonly:
        # Nothing typed here could be saved, not even as a draft: an account typed in
        # full and then lost is worse than being sent at once to where it can be kept.
        if app.vault.open_elsewhere() is not None:
            advice = "raise it in the sitecare that has the vault open, or quit that one and unlock the vault here"
        elif getattr(app, "_changed_read_only", False):
            # A lock keeps changes made read-only (they would be lost), so it would not
            # open the vault for writing: only a new start does.
            advice = ("quit (the changes made here cannot be saved) and start sitecare again to open the vault "
                      "for writing")
        else:
            # Opened read-only by choice, or because the folder could not be written to
            # (a damaged vault's copy could not be kept): no other sitecare to send to.
            advice = ("lock it (ctrl+l) and unlock it to open it for writing (if that is refused, the vault "
                      "folder cannot be written to)")
        app.notify(f"This sitecare has the vault open read-only, so a concern cannot be saved here: {advice}.",
                   severity="warning", timeout=20)
        return
    if site_id is None:
        site_id = getattr(app.screen, "new_concern_site_id", None)
    form = current_form(app)
    if form is not None:
        if app.screen is form:
            form.notify("This is the concern form: ctrl+s saves it.")
            return
        if form.opened_in_mode and form.opened_in_mode != app.current_mode:
            app.switch_mode(form.opened_in_mode)
            return
        form.notify("The concern form is open underneath: close this first.")
        return
    draft = None
    resumed = ""
    try:
        raw = app.vault.read_draft(DRAFT_NAME)
    except (VaultError, OSError) as exc:
        app.notify(
            f"The unfinished concern draft could not be read ({exc}); it is left as it is and a new form opens.",
            severity="error",
            timeout=20,
        )
        raw = None
    if raw is not None:
        draft = concerns.read_draft_bytes(raw)
        resumed = f"Continuing the unfinished concern ({concerns.describe_draft(draft)})."
    form = ConcernFormScreen(draft, resumed, site_id=site_id)
    form.opened_in_mode = app.current_mode
    _open_form = weakref.ref(form)

    def done(concern_id: int | None) -> None:
        if concern_id is not None:
            from .concern import ConcernScreen

            app.push_screen(ConcernScreen(concern_id))

    app.push_screen(form, done)


def flush_open_draft(app) -> None:
    form = current_form(app)
    if form is not None:
        form.flush_draft()


def offer_unfinished_draft(app) -> None:
    """After an unlock: an unsaved concern draft is offered again (not in a read-only
    sitecare, where it could be neither saved nor kept: the one with the vault open
    offers it)."""
    if not app.vault.is_open or app.vault.readonly or current_form(app) is not None:
        return
    try:
        raw = app.vault.read_draft(DRAFT_NAME)
    except (VaultError, OSError) as exc:
        app.notify(f"An unfinished concern draft could not be read ({exc}); it is left as it is.", severity="error", timeout=20)
        return
    if raw is None:
        return
    described = concerns.describe_draft(concerns.read_draft_bytes(raw))

    def answered(answer: str | None) -> None:
        if answer == "continue":
            open_concern_form(app)
        else:
            app.notify("The draft is kept: ctrl+n opens it.")

    app.push_screen(
        ChoiceScreen(
            f"An unfinished safeguarding concern was not saved ({escape(described)}). Continue it now?",
            [("continue", "Continue it now", "primary"), ("later", "Later", "default")],
            cancel="later",
            focus="continue",
        ),
        answered,
    )

