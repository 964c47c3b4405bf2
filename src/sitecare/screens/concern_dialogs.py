"""The small forms a concern's screen opens: a step done, an entry, a correction, a
decision, a follow-up action, waiting for the outcome, sign-off, re-opening, export.

Each is a ModalScreen[bool] that calls the data layer itself and dismisses with True
once something was recorded; a refused value is shown next to its field in one sentence.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Iterable

from textual import events, on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.markup import escape
from textual.screen import ModalScreen
from textual.widget import Widget
from textual.widgets import Button, Checkbox, Input, Label, Select, Static, TextArea

from ..data import concerns, exports
from ..data.models import Action, ChronologyEntry, Concern
from ..rules.concerns import (
    CLIENT_TYPE_LABELS,
    CONSENT_LABELS,
    DEFAULT_CHASE_DAYS,
    ENTRY_KIND_LABELS,
    ENTRY_KINDS_BY_HAND,
    HOW_CHOICES,
    KIND_LABELS,
    parse_moment,
    show_moment,
    type_moment,
)
from ..rules.dates import DateError, parse_uk_date, show_date
from ..rules.workdays import NATION_NAMES, add_working_days
from .concern_ticks import TickBox
from .confirm import ConfirmScreen
from .typing_order import act_on_own_key


class ConcernDialog(ModalScreen[bool]):
    """A titled form in a scrolling box; ctrl+s or the first button submits."""

    DEFAULT_CSS = """
    ConcernDialog { align: center middle; }
    ConcernDialog .concern-dialog { width: 76; max-width: 100%; height: auto; max-height: 100%; }
    ConcernDialog .field-label { margin-top: 1; color: $text-muted; }
    ConcernDialog TextArea { height: 6; }
    ConcernDialog .error { height: auto; display: none; }
    ConcernDialog .error.-shown { display: block; }
    ConcernDialog .hint { height: auto; }
    """
    BINDINGS = [
        Binding("escape", "cancel", "Cancel", id="dialog_cancel"),
        Binding("ctrl+s", "submit", "Save", id="dialog_submit"),
    ]
    heading = ""
    submit_label = "Save"

    def __init__(self, concern_id: int):
        super().__init__()
        self.concern_id = concern_id
        self._as_opened: tuple[str, ...] | None = None  # the text fields as first shown

    def _typed(self) -> tuple[str, ...]:
        return tuple(w.text if isinstance(w, TextArea) else w.value for w in self.query("TextArea, Input"))

    @on(events.Mount)
    def _remember_as_opened(self) -> None:
        # After a subclass's on_mount has filled its fields (handlers run subclass first).
        self._as_opened = self._typed()

    @property
    def concern(self) -> Concern:
        return Concern.get_by_id(self.concern_id)

    def compose(self) -> ComposeResult:
        with VerticalScroll(classes="dialog concern-dialog"):
            yield Static(escape(self.heading), classes="dialog-title")
            yield from self.fields()
            yield Static("", id="e-general", classes="error")
            with Horizontal(classes="buttons"):
                yield Button(self.submit_label, variant="primary", id="submit")
                yield Button("Cancel", id="cancel")

    def fields(self) -> Iterable[Widget]:
        return ()

    @staticmethod
    def labelled(label: str, widget: Widget, name: str, hint: str = "") -> Iterable[Widget]:
        yield Label(label, classes="field-label", id=f"l-{name}")
        yield widget
        if hint:
            yield Static(hint, classes="hint", id=f"h-{name}")
        yield Static("", classes="error", id=f"e-{name}")

    def show_error(self, field: str, message: str) -> None:
        for found in self.query(".error"):
            found.update("")  # type: ignore[attr-defined]
            found.remove_class("-shown")
        targets = self.query(f"#e-{field}") if field else []
        target = targets.first() if targets else self.query_one("#e-general")
        target.update(escape(message))  # type: ignore[attr-defined]
        target.add_class("-shown")
        widgets = self.query(f"#f-{field}") if field else []
        if widgets:
            widgets.first().focus()

    @on(Button.Pressed, "#submit")
    def action_submit(self) -> None:
        try:
            done = self.submit()
        except concerns.ConcernError as exc:
            self.show_error(exc.field, str(exc))
            return
        except DateError as exc:
            self.show_error(getattr(exc, "field", "at"), str(exc))
            return
        if done:
            self.dismiss(True)

    def submit(self) -> bool:
        raise NotImplementedError

    @on(Button.Pressed, "#cancel")
    def action_cancel(self) -> None:
        # As the forms ask: a third trial typed a note, pressed Esc and lost it unasked.
        if self._as_opened is None or self._typed() == self._as_opened:
            self.dismiss(False)
            return

        def answered(discard: bool | None) -> None:
            if discard:
                self.dismiss(False)

        self.app.push_screen(ConfirmScreen("Discard what you typed here?", yes="Discard", no="Keep editing",
                                           danger=True), answered)

    # helpers for subclasses
    def value(self, name: str) -> str:
        widget = self.query_one(f"#f-{name}")
        if isinstance(widget, TextArea):
            return widget.text
        if isinstance(widget, Select):
            return "" if widget.value is Select.NULL else str(widget.value)
        if isinstance(widget, Checkbox):
            return "yes" if widget.value else ""
        return widget.value  # type: ignore[attr-defined]

    def moment(self, name: str = "at"):
        text = self.value(name)
        try:
            return parse_moment(text)
        except DateError as exc:
            raise concerns.ConcernError(str(exc), name) from None


# --------------------------------------------------------------------------- entries

_TEXT_LABELS = {
    "account": "The account, in the words used where you can",
    "observation": "What you observed",
    "assessment": "Your assessment",
    "decision": "The decision",
    "action_taken": "What you did",
    "information_shared": "What was shared",
    "supervision": "What came out of supervision or consultation",
    "referral": "The referral: what was said",
    "outcome": "The outcome",
    "note": "Note",
    "correction": "The corrected version (the original stays as written)",
}
_WITH_KINDS = ("action_taken", "information_shared", "supervision", "referral")
_HOW_KINDS = ("action_taken", "information_shared", "supervision", "referral", "outcome")


class EntryDialog(ConcernDialog):
    """Add an entry; with `step`, record a step as done; with `corrects`, a correction."""

    def __init__(self, concern_id: int, *, kind: str = "note", step: concerns.StepState | None = None,
                 corrects: int | None = None, heading: str = ""):
        super().__init__(concern_id)
        self.kind = kind
        self.step = step
        self.corrects = ChronologyEntry.get_by_id(corrects) if corrects is not None else None
        if step is not None:
            self.kind = concerns.default_step_kind(step.resolved)
            self.heading = heading or f"Done: {step.resolved.step.title}"
        elif self.corrects is not None:
            self.kind = "correction"
            number = concerns.entry_numbers(self.corrects.concern).get(self.corrects.id, 0)
            self.heading = heading or f"Correct entry #{number}"
        else:
            self.heading = heading or "Add to the record"
        self.submit_label = "Save entry"
        self._redirected_at = 0.0
        self._redirect_told = False

    def fields(self) -> Iterable[Widget]:
        now = self.app.now().replace(second=0, microsecond=0)
        if self.corrects is not None:
            number = concerns.entry_numbers(self.corrects.concern).get(self.corrects.id, 0)
            yield Static(
                escape(f"#{number} {show_moment(self.corrects.at)} {concerns.entry_kind_label(self.corrects.kind)}: "
                       f"{self.corrects.text}"),
                classes="hint",
                id="corrected-text",
            )
        if self.step is not None:
            resolved = self.step.resolved
            who = ", ".join(" · ".join(x for x in (c.name, c.phone, c.email) if x) for c in resolved.contacts)
            if who:
                yield Static(escape(f"Contact: {who}"), classes="hint")
        if self.kind != "correction":
            yield from self.labelled(
                "Kind of entry",
                Select([(ENTRY_KIND_LABELS[k], k) for k in ENTRY_KINDS_BY_HAND], allow_blank=False, value=self.kind, id="f-kind"),
                "kind",
            )
        yield from self.labelled("When (dd/mm/yyyy hh:mm)", Input(type_moment(now), id="f-at"), "at")
        default_with = ""
        if self.step is not None and self.step.resolved.contacts:
            default_with = self.step.resolved.contacts[0].name
        yield from self.labelled("With whom", Input(default_with, placeholder="name and role", id="f-shared_with"), "shared_with")
        yield from self.labelled(
            "How", Select([(label, value) for value, label in HOW_CHOICES.items()], prompt="Choose how", id="f-how"), "how"
        )
        yield from self.labelled(_TEXT_LABELS.get(self.kind, "What happened"), TextArea(id="f-text", soft_wrap=True), "text")
        yield from self.labelled("Purpose", Input(id="f-purpose"), "purpose")
        yield from self.labelled(
            "Consent",
            Select([(label, value) for value, label in CONSENT_LABELS.items()], prompt="Given, refused or not sought?", id="f-consent"),
            "consent",
        )
        yield from self.labelled(
            "Why without consent",
            Input(placeholder="e.g. seeking it could put the child at risk", id="f-consent_reason"),
            "consent_reason",
        )
        yield TickBox("Restricted third-party information", id="f-restricted")
        if self.corrects is not None:
            yield TickBox("Also mark the corrected entry restricted", id="f-restrict_original")
            if "/" in (self.corrects.step_key or ""):
                yield TickBox("The step it recorded was not done after all", id="f-undo")

    def on_mount(self) -> None:
        self._show_for_kind()
        if self.step is not None:
            # A step: the first field, at the top, so the title and When can be seen
            # (typing still goes into the text, see on_key).
            self.query_one("#f-kind").focus(scroll_visible=False)
            self.call_after_refresh(self.query_one(".concern-dialog", VerticalScroll).scroll_home, animate=False)
            return
        # In the text, where the typing goes: keys sent before a first letter moved the
        # focus there from the kind (a burst) went the long way round and came in after
        # the letters typed behind them. The kind is a shift+Tab away.
        first = self.query("#f-text")
        if first:
            first.first().focus()

    async def on_key(self, event: events.Key) -> None:
        """Letters typed while a checkbox, list or button has focus go into the text, as in
        the concern form, rather than being lost (Input and TextArea stop the keys they type)."""
        character = event.character
        if not event.is_printable or not character:
            text = self.query_one("#f-text", TextArea)
            if self.focused is text:
                # Sent to the field that had focus before a first letter moved it to the
                # text (a burst: "incidnt", Backspace...): the text's, in its turn.
                await act_on_own_key(text, event)
            return
        if event.key == "space" and time.monotonic() - self._redirected_at > 1.0:
            return  # a space on its own ticks a checkbox, as it should
        self._redirected_at = time.monotonic()
        event.stop()
        event.prevent_default()
        text = self.query_one("#f-text", TextArea)
        self.set_focus(text)
        text.move_cursor(text.document.end)
        text.insert(character)
        if not self._redirect_told:
            self._redirect_told = True
            self.notify("Typing goes into the text; Tab and shift+Tab move between fields.")

    @on(Select.Changed, "#f-kind")
    def kind_changed(self, event: Select.Changed) -> None:
        if isinstance(event.value, str):
            self.kind = event.value
        self._show_for_kind()

    @on(Select.Changed, "#f-consent")
    def consent_changed(self) -> None:
        self._show_for_kind()

    def _show_for_kind(self) -> None:
        kind = self.kind
        step = self.step is not None

        def show(name: str, visible: bool) -> None:
            for selector in (f"#l-{name}", f"#f-{name}", f"#h-{name}"):
                for found in self.query(selector):
                    found.display = visible

        show("shared_with", kind in _WITH_KINDS or step)
        show("how", kind in _HOW_KINDS or step)
        show("purpose", kind in ("information_shared", "decision"))
        show("consent", kind == "information_shared")
        consent = self.value("consent") if self.query("#f-consent") else ""
        show("consent_reason", kind == "information_shared" and consent in ("refused", "not_sought"))
        for found in self.query("#l-purpose"):
            found.update("Reason for the decision" if kind == "decision" else "Purpose: why it was shared")  # type: ignore[attr-defined]
        for found in self.query("#l-text"):
            found.update(escape("What was said (or done)" if step else _TEXT_LABELS.get(kind, "What happened")))  # type: ignore[attr-defined]
        for found in self.query("#l-shared_with"):
            found.update("Who was told / who you spoke to" if kind != "information_shared" else "Shared with whom")  # type: ignore[attr-defined]

    def submit(self) -> bool:
        now = self.app.now()
        at = self.moment("at")
        concern = self.concern
        restricted = bool(self.value("restricted"))
        if self.corrects is not None:
            concerns.correct_entry(
                self.corrects, self.value("text"), now, restrict=bool(self.query("#f-restrict_original") and self.value("restrict_original")),
                undo_step=bool(self.query("#f-undo") and self.value("undo")),
            )
            return True
        fields = dict(
            at=at,
            how=self.value("how") if (self.kind in _HOW_KINDS or self.step is not None) else "",
            shared_with=self.value("shared_with") if (self.kind in _WITH_KINDS or self.step is not None) else "",
            purpose=self.value("purpose") if self.kind in ("information_shared", "decision") else "",
            consent=self.value("consent") if self.kind == "information_shared" else "",
            consent_reason=self.value("consent_reason") if self.kind == "information_shared" else "",
            restricted=restricted,
        )
        if self.step is not None:
            concerns.complete_step(
                concern, self.step, now, how=fields["how"], said=self.value("text"), at=at, kind=self.kind,
                restricted=restricted, contact=fields["shared_with"], purpose=fields["purpose"],
                consent=fields["consent"], consent_reason=fields["consent_reason"],
            )
            return True
        if self.kind == "outcome":
            concerns.record_outcome(concern, self.value("text"), now, at=at, restricted=restricted)
            return True
        concerns.add_entry(concern, self.kind, self.value("text"), now, **fields)
        return True


# --------------------------------------------------------------------------- decisions


class DecisionDialog(ConcernDialog):
    heading = "Record a decision that changes the steps"
    submit_label = "Record decision"

    def __init__(self, concern_id: int, names: tuple[str, ...]):
        super().__init__(concern_id)
        self.names = names or tuple(concerns.DECISIONS)

    def fields(self) -> Iterable[Widget]:
        yield from self.labelled(
            "Question",
            Select([(concerns.DECISIONS[n], n) for n in self.names], allow_blank=False, value=self.names[0], id="f-name"),
            "name",
        )
        yield from self.labelled(
            "Answer",
            Select([("Yes", "yes"), ("No", "no"), ("Not known yet", "unknown")], allow_blank=False, value="no", id="f-answer"),
            "answer",
        )
        yield from self.labelled("Reason (seed 002: decisions and the reasons for them)", Input(id="f-reason"), "reason")

    def on_mount(self) -> None:
        self.query_one("#f-name").focus()

    def submit(self) -> bool:
        answer = self.value("answer")
        value = None if answer == "unknown" else answer == "yes"
        if not self.value("reason").strip():
            raise concerns.ConcernError("Give the reason for the decision.", "reason")
        concerns.record_decision(self.concern, self.value("name"), value, self.value("reason"), self.app.now())
        return True


class DetailsDialog(ConcernDialog):
    """Correct the captured facts: the steps follow, and the change is noted in the record."""

    heading = "Change the concern's details"
    submit_label = "Save details"

    def fields(self) -> Iterable[Widget]:
        concern = self.concern
        sites = concerns.sites_for_choice()
        site_ids = {s.id for s in sites}
        if concern.site is not None and concern.site_id not in site_ids:
            sites.append(concern.site)
        yield Static(
            "The steps follow the new details; the change and your reason are added to the record.",
            classes="hint",
        )
        yield from self.labelled(
            "Site", Select([(x.name, x.id) for x in sites], prompt="No site", value=concern.site_id or Select.NULL,
                           id="f-site"), "site",
        )
        yield from self.labelled("Client reference (never a name)", Input(concern.client_reference, id="f-client_reference"),
                                 "client_reference")
        yield from self.labelled(
            "Client", Select([(label, value) for value, label in CLIENT_TYPE_LABELS.items()], allow_blank=False,
                             value=concern.client_type if concern.client_type in CLIENT_TYPE_LABELS else "unknown",
                             id="f-client_type"), "client_type",
        )
        yield from self.labelled(
            "Kind", Select([(label, value) for value, label in KIND_LABELS.items()], allow_blank=False,
                           value=concern.kind if concern.kind in KIND_LABELS else "disclosure", id="f-kind"), "kind",
        )
        yield TickBox("Someone is in immediate danger", value=bool(concern.immediate_danger), id="f-danger")
        yield TickBox("It is about the head of the establishment", value=bool(concern.about_head), id="f-about_head")
        yield from self.labelled("Why (optional)", Input(id="f-reason"), "reason")

    def on_mount(self) -> None:
        self.query_one("#f-site").focus()

    def submit(self) -> bool:
        site = self.query_one("#f-site", Select).value
        changes = concerns.change_details(
            self.concern, self.app.now(),
            site_id=site if isinstance(site, int) else None,
            client_reference=self.value("client_reference"),
            client_type=self.value("client_type"),
            kind=self.value("kind"),
            immediate_danger=bool(self.value("danger")),
            about_head=bool(self.value("about_head")),
            reason=self.value("reason"),
        )
        if not changes:
            self.app.notify("Nothing changed.")
            self.dismiss(False)
            return False
        self.app.notify("Details changed: " + "; ".join(changes) + ".")
        return True


# --------------------------------------------------------------------------- follow-up


class ActionDialog(ConcernDialog):
    heading = "Add a follow-up action"
    submit_label = "Add action"

    def fields(self) -> Iterable[Widget]:
        yield from self.labelled("What needs doing", Input(id="f-description"), "description")
        yield from self.labelled("Who does it", Input("me", id="f-owner"), "owner")
        yield from self.labelled("Due (dd/mm/yyyy)", Input(placeholder="dd/mm/yyyy", id="f-due"), "due")

    def on_mount(self) -> None:
        self.query_one("#f-description").focus()

    def submit(self) -> bool:
        text = self.value("due").strip()
        if not text:
            raise concerns.ConcernError("Give a due date, for example 03/12/2026.", "due")
        try:
            due = parse_uk_date(text)
        except DateError as exc:
            raise concerns.ConcernError(str(exc), "due") from None
        concerns.add_action(self.concern, self.value("description"), self.value("owner"), due, self.app.now())
        return True


class AwaitDialog(ConcernDialog):
    heading = "Waiting for the site's written outcome summary"
    submit_label = "Wait for it"

    def fields(self) -> Iterable[Widget]:
        yield Static(
            "Seed 000: when the procedure ends, the site's DSL sends a written summary of the outcome. "
            "A follow-up action reminds you to chase it.",
            classes="hint",
        )
        yield from self.labelled(
            "Chase after how many working days?", Input(str(self.concern.outcome_chase_days or DEFAULT_CHASE_DAYS), id="f-days"),
            "days", hint=" ",
        )

    def on_mount(self) -> None:
        self.query_one("#f-days").focus()
        self._preview()

    @on(Input.Changed, "#f-days")
    def _preview(self) -> None:
        hint = self.query_one("#h-days", Static)
        try:
            days = int(self.value("days"))
        except ValueError:
            hint.update("")
            return
        if 1 <= days <= 60:
            nation = concerns.nation_of(self.concern)
            due = add_working_days(self.app.today(), days, nation)
            hint.update(f"Chase on {show_date(due)} (working days in {NATION_NAMES[nation]}).")
        else:
            hint.update("")

    def submit(self) -> bool:
        try:
            days = int(self.value("days").strip())
        except ValueError:
            raise concerns.ConcernError("Type a whole number of working days, for example 5.", "days") from None
        concerns.await_outcome(self.concern, self.app.now(), days)
        return True


class SignOffDialog(ConcernDialog):
    heading = 'Sign off: "Agreed action taken"'
    submit_label = "Sign off"

    def fields(self) -> Iterable[Widget]:
        concern = self.concern
        yield Static(
            "Seed 000: once you and the site agree the actions to keep the client safe are complete, "
            'the concern is signed off as "Agreed action taken" and closed. It can be re-opened.',
            classes="hint",
        )
        not_done = concerns.steps_not_done(concern)
        if not_done:
            yield Static(escape(not_done_sentence(not_done)), classes="hint", id="steps-not-done")
        yield from self.labelled("Note (optional): who agreed, and how", Input(id="f-note"), "note")
        still_open = concerns.open_actions(concern)
        if still_open:
            yield TickBox(
                f"Also close the {len(still_open)} open follow-up action{'s' if len(still_open) != 1 else ''}", id="f-close_actions"
            )
            yield Static("", classes="error", id="e-actions")

    def on_mount(self) -> None:
        self.query_one("#f-note").focus()

    def submit(self) -> bool:
        close = bool(self.query("#f-close_actions") and self.value("close_actions"))
        concerns.check_sign_off(self.concern, close)
        not_done = concerns.steps_not_done(self.concern)
        if not not_done:
            concerns.sign_off(self.concern, self.app.now(), self.value("note"), close_actions=close)
            return True

        def answered(yes: bool | None) -> None:
            if not yes:
                return
            try:
                concerns.sign_off(self.concern, self.app.now(), self.value("note"), close_actions=close)
            except concerns.ConcernError as exc:
                self.show_error(exc.field, str(exc))
                return
            self.dismiss(True)

        self.app.push_screen(
            ConfirmScreen(escape(not_done_sentence(not_done) + " Sign off anyway?"), yes="Sign off anyway", danger=True),
            answered,
        )
        return False


def not_done_sentence(states: list[concerns.StepState]) -> str:
    """ "2 steps are not done: Tell the site's DSL; Record it (optional)." """
    names = "; ".join(s.resolved.step.title + (" (optional)" if s.resolved.optional or s.offered else "") for s in states)
    count = len(states)
    return f"{count} step{'s are' if count != 1 else ' is'} not done: {names}."


class ReopenDialog(ConcernDialog):
    heading = "Re-open the concern"
    submit_label = "Re-open"

    def fields(self) -> Iterable[Widget]:
        yield from self.labelled("Why is it re-opened?", Input(id="f-reason"), "reason")

    def on_mount(self) -> None:
        self.query_one("#f-reason").focus()

    def submit(self) -> bool:
        concerns.reopen(self.concern, self.value("reason"), self.app.now())
        return True


class ActionDoneDialog(ConcernDialog):
    submit_label = "Mark done"

    def __init__(self, concern_id: int, action_id: int):
        super().__init__(concern_id)
        self.done_action = Action.get_by_id(action_id)
        self.heading = f"Done: {self.done_action.description}"

    def fields(self) -> Iterable[Widget]:
        yield from self.labelled("Note (optional)", Input(id="f-note"), "note")

    def on_mount(self) -> None:
        self.query_one("#f-note").focus()

    def submit(self) -> bool:
        concerns.complete_action(self.done_action, self.app.today(), self.app.now(), self.value("note"))
        return True


# --------------------------------------------------------------------------- export


class ExportDialog(ConcernDialog):
    heading = "Share a copy of the record"
    submit_label = "Export"

    def fields(self) -> Iterable[Widget]:
        concern = self.concern
        self._auto_path = str(Path.home() / exports.default_name(concern, "markdown"))
        yield Static(
            "Seed 000: a copy of the record goes to the site's DSL. The exported file is NOT encrypted: "
            "keep it somewhere safe and delete it once sent.",
            classes="hint",
        )
        yield from self.labelled(
            "Format",
            Select([(label, key) for key, (label, _) in exports.FORMATS.items()], allow_blank=False, value="markdown", id="f-format"),
            "format",
        )
        yield TickBox("Include restricted third-party entries", id="f-include_restricted")
        yield from self.labelled("Save as", Input(self._auto_path, id="f-path"), "path")

    def on_mount(self) -> None:
        self.query_one("#f-format").focus()

    @on(Select.Changed, "#f-format")
    def format_changed(self, event: Select.Changed) -> None:
        path_input = self.query_one("#f-path", Input)
        if path_input.value == self._auto_path and isinstance(event.value, str):
            self._auto_path = str(Path(path_input.value).with_name(exports.default_name(self.concern, event.value)))
            path_input.value = self._auto_path

    def submit(self) -> bool:
        text = self.value("path").strip()
        if not text:
            raise concerns.ConcernError("Type where to save the file.", "path")
        path = Path(text).expanduser()
        if path.is_dir():
            raise concerns.ConcernError(f"{path} is a folder: add a file name.", "path")
        if not path.parent.is_dir():
            raise concerns.ConcernError(f"The folder {path.parent} does not exist.", "path")
        fmt = self.value("format")
        data, warning = exports.export_bytes(self.concern, fmt, self.app.now(), bool(self.value("include_restricted")))
        if path.exists():
            def answered(yes: bool | None) -> None:
                if yes:
                    self._write(path, data, True, warning)

            self.app.push_screen(
                ConfirmScreen(f"{path.name} already exists in {path.parent}. Replace it?", yes="Replace", danger=True),
                answered,
            )
            return False
        self._write(path, data, False, warning)
        return False

    @work(thread=True, exclusive=True, group="export")
    def _write(self, path: Path, data: bytes, overwrite: bool, warning: str) -> None:
        try:
            written = exports.write_export(path, data, overwrite=overwrite)
        except exports.ExportError as exc:
            self.app.call_from_thread(self.show_error, "path", str(exc))
            return
        self.app.call_from_thread(self._written, written, warning)

    def _written(self, path: Path, warning: str) -> None:
        self.app.notify(f"Written to {path} (readable only by you; not encrypted).")
        if warning:
            self.app.notify(warning, severity="warning", timeout=15)
        self.dismiss(True)
