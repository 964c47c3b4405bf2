"""Pieces shared by the complaints, clients, consent and data-request screens.

- `Field`, `raw_values`, `show_errors`: forms whose values are checked by the data layer
  (data/complaints.py, data/clients.py), each message shown beside its field.
- `DateDialog`: one dated act (acknowledged, replied, next stage, reviewed, withdrawn,
  new period): the date (today unless changed), optional notes, and the reason beside
  the field when the date will not do.
- `PathDialog`: where to write an exported file.
- `tone`: theme colours as Rich styles for table cells.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any, Callable

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label, Select, Static

from . import formfields as ff
from .formfields import FormScreen

Check = Callable[[str], "tuple[date | None, str]"]


class DateDialog(ModalScreen["tuple[date, str] | None"]):
    """Dismisses with (the date, the notes typed) or None when cancelled."""

    BINDINGS = [
        Binding("escape", "cancel", "Cancel", id="date-cancel"),
        Binding("ctrl+s", "save", "Save", id="date-save"),
    ]

    DEFAULT_CSS = """
    DateDialog {
        align: center middle;
    }
    DateDialog .date-dialog {
        width: 70;
    }
    DateDialog .date-line {
        height: auto;
    }
    DateDialog .date-line Label {
        width: 14;
        color: $text-muted;
    }
    DateDialog .date-line Input {
        width: 1fr;
    }
    DateDialog #date-error {
        color: $error;
        padding-left: 14;
        height: auto;
    }
    """

    def __init__(
        self,
        title: str,
        explanation: str,
        check: Check,
        initial: str,
        *,
        label: str = "Date",
        notes_label: str | None = None,
        yes: str = "Save",
        danger: bool = False,
    ):
        super().__init__()
        self.title_text = title
        self.explanation = explanation
        self.check = check
        self.initial = initial
        self.label = label
        self.notes_label = notes_label
        self.yes = yes
        self.danger = danger

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog date-dialog"):
            yield Static(self.title_text, classes="dialog-title", markup=False)
            if self.explanation:
                yield Static(self.explanation, classes="hint", markup=False)
            with Horizontal(classes="date-line"):
                yield Label(self.label)
                yield Input(self.initial, placeholder="dd/mm/yyyy", id="date-value", compact=True)
            yield Static("", id="date-error", markup=False)
            if self.notes_label:
                with Horizontal(classes="date-line"):
                    yield Label(self.notes_label)
                    yield Input("", id="date-notes", compact=True)
            with Horizontal(classes="buttons"):
                yield Button(f"{self.yes}  ctrl+s", variant="error" if self.danger else "primary", id="date-yes", compact=True)
                yield Button("Cancel  esc", id="date-no", compact=True)

    def on_mount(self) -> None:
        self.query_one("#date-error", Static).display = False
        self.query_one("#date-value", Input).focus()

    @on(Input.Submitted)
    def _submitted(self, event: Input.Submitted) -> None:
        event.stop()
        if event.input.id == "date-value" and self.notes_label:
            # Say what is wrong with the date now, not after the notes are typed.
            if self._check_date() is not None:
                self.query_one("#date-notes", Input).focus()
        else:
            self.action_save()

    def _check_date(self) -> date | None:
        field = self.query_one("#date-value", Input)
        day, problem = self.check(field.value)
        error = self.query_one("#date-error", Static)
        if day is None:
            error.update(problem)
            error.display = True
            field.add_class("-invalid")
            field.focus()
            return None
        error.display = False
        field.remove_class("-invalid")
        return day

    @on(Input.Changed, "#date-value")
    def _changed(self) -> None:
        error = self.query_one("#date-error", Static)
        if error.display:
            day, problem = self.check(self.query_one("#date-value", Input).value)
            if day is not None:
                error.display = False
                self.query_one("#date-value", Input).remove_class("-invalid")

    @on(Button.Pressed, "#date-yes")
    def action_save(self) -> None:
        day = self._check_date()
        if day is None:
            return
        notes = self.query_one("#date-notes", Input).value if self.notes_label else ""
        self.dismiss((day, notes))

    @on(Button.Pressed, "#date-no")
    def action_cancel(self) -> None:
        self.dismiss(None)


def typed(day: date) -> str:
    """A date as a person types it, to prefill a field."""
    return day.strftime("%d/%m/%Y")


def tone(app, name: str):
    """A Rich style for a theme colour ($error, $warning, $success); dim for text-muted
    (its value, 'auto 60%', is not a colour Rich can draw)."""
    from rich.style import Style
    from textual.color import Color, ColorParseError

    if name == "text-muted":
        return Style(dim=True)
    value = app.get_css_variables().get(name, "")
    try:
        return Style(color=Color.parse(value).rich_color)
    except (ColorParseError, ValueError):
        return Style(bold=True)


class Field(ff.Field):
    """A form field whose message from the last save stays until its value is edited.

    The shared field re-checks itself when it loses focus and clears its message when its
    own parse passes; but the messages on these forms come from the data layer's checks,
    which know more (a name where none belongs, one date before another), so leaving a
    field must not wipe them. It still shows its own parse error (a date that is not a
    date) as soon as the field is left.
    """

    def read(self):
        try:
            return self.parse(self.raw)
        except ValueError as exc:
            self.show_error(str(exc))
            raise


def raw_values(form: FormScreen) -> dict[str, Any]:
    """Every field's raw value, a blank Select as None: the data layer checks them."""
    values = {}
    for name, field in form.fields().items():
        value = field.raw
        values[name] = None if value is Select.NULL else value
    return values


def show_errors(form: FormScreen, errors: dict[str, str]) -> None:
    """Each message beside its field (and cleared elsewhere); focus the first."""
    first = None
    for name, field in form.fields().items():
        message = errors.get(name, "")
        field.show_error(message)
        if message and first is None:
            first = field
    unplaced = [m for n, m in errors.items() if n not in form.fields()]
    form.show_form_error(" ".join(unplaced))
    if first is not None:
        first.widget.focus()
        first.scroll_visible()


class PathDialog(ModalScreen["str | None"]):
    """Where to write a file: a folder that exists, a file name, and a second press to
    replace a file already there."""

    BINDINGS = [
        Binding("escape", "cancel", "Cancel", id="path-cancel"),
        Binding("ctrl+s", "save", "Save", id="path-save"),
    ]

    def __init__(self, title: str, suggested: str):
        super().__init__()
        self.title_text = title
        self.suggested = suggested
        self._replace: str | None = None

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog path-dialog"):
            yield Static(self.title_text, classes="dialog-title", markup=False)
            yield Static("Written readable by you only (mode 0600).", classes="hint")
            with Horizontal(classes="path-line"):
                yield Label("File")
                yield Input(self.suggested, id="path-value", compact=True)
            yield Static("", id="path-error", markup=False)
            with Horizontal(classes="buttons"):
                yield Button("Save  ctrl+s", variant="primary", id="path-yes", compact=True)
                yield Button("Cancel  esc", id="path-no", compact=True)

    def on_mount(self) -> None:
        self.query_one("#path-error", Static).display = False
        self.query_one("#path-value", Input).focus()

    def _problem(self, text: str) -> str:
        if not text.strip():
            return "Enter the file's path, for example ~/complaints.csv."
        path = Path(text.strip()).expanduser()
        if path.is_dir():
            return f"{path} is a folder: add a file name, for example {path / 'complaints.csv'}."
        if not path.parent.is_dir():
            return f"There is no folder {path.parent}: choose a folder that exists."
        if path.exists() and self._replace != str(path):
            self._replace = str(path)
            return f"{path.name} already exists there: press ctrl+s again to replace it, or change the name."
        return ""

    @on(Input.Changed, "#path-value")
    def _changed(self) -> None:
        self._replace = None
        self.query_one("#path-error", Static).display = False

    @on(Input.Submitted, "#path-value")
    @on(Button.Pressed, "#path-yes")
    def action_save(self) -> None:
        text = self.query_one("#path-value", Input).value
        problem = self._problem(text)
        error = self.query_one("#path-error", Static)
        if problem:
            error.update(problem)
            error.display = True
            return
        self.dismiss(str(Path(text.strip()).expanduser()))

    @on(Button.Pressed, "#path-no")
    def action_cancel(self) -> None:
        self.dismiss(None)
