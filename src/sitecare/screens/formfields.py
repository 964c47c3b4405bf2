"""Form pieces shared by the site, contact, policy and local authority forms.

A `Field` is one labelled line: the label, the widget, and below it the one sentence
that says what is wrong with the value (shown when the field is left or the form is
saved, cleared as soon as the value is right). Each field reads its widget through a
parse function from `rules/` (dates, phones, emails), so the message next to the field
is the rule's own.
"""

from __future__ import annotations

from typing import Any, Callable

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.validation import ValidationResult, Validator
from textual.widget import Widget
from textual.widgets import Button, Checkbox, Input, Label, Select, Static, TextArea

from ..rules.dates import DateError, parse_optional_uk_date, show_date
from ..rules.phones import EmailError, PhoneError, check_email, normalise_phone, show_phone
from .confirm import ConfirmScreen

Parse = Callable[[Any], Any]


# -- parse functions: raw widget value in, clean value out, ValueError with one sentence --


def text(value: str) -> str:
    return " ".join((value or "").split())


def multiline(value: str) -> str:
    return (value or "").strip()


def required(what: str) -> Parse:
    def parse(value: str) -> str:
        cleaned = " ".join((value or "").split())
        if not cleaned:
            raise ValueError(f"Enter {what}.")
        return cleaned

    return parse


def phone(value: str) -> str:
    """Optional UK number, checked and stored as shown, grouped ("01234 276693")."""
    if not (value or "").strip():
        return ""
    return show_phone(normalise_phone(value))


def email(value: str) -> str:
    if not (value or "").strip():
        return ""
    return check_email(value)


def day(value: str):
    return parse_optional_uk_date(value)


def required_day(value: str):
    result = parse_optional_uk_date(value)
    if result is None:
        raise DateError("Enter a date, for example 03/09/2025.")
    return result


def months(value: str) -> int | None:
    cleaned = (value or "").strip()
    if not cleaned:
        return None
    if not cleaned.isdigit() or int(cleaned) < 1 or int(cleaned) > 120:
        raise ValueError(f"“{cleaned}” is not a number of months: type a whole number from 1 to 120.")
    return int(cleaned)


def chosen(what: str) -> Parse:
    def parse(value: Any) -> Any:
        if value is Select.NULL or value is None:
            raise ValueError(f"Choose {what}.")
        return value

    return parse


def optional_choice(value: Any) -> Any:
    return None if value is Select.NULL else value


def shown_phone(number: str) -> str:
    """A stored number grouped for reading; one that no longer parses is shown as is."""
    if not number:
        return ""
    try:
        return show_phone(number)
    except PhoneError:
        return number


def shown_date_input(value) -> str:
    """A date put back into an input the way a person types it (03/09/2025)."""
    return "" if value is None else value.strftime("%d/%m/%Y")


class RuleValidator(Validator):
    """Textual's validator face for a parse function, so inputs get their -invalid style."""

    def __init__(self, parse: Parse):
        super().__init__()
        self.parse = parse

    def validate(self, value: str) -> ValidationResult:
        try:
            self.parse(value)
        except (ValueError, DateError, PhoneError, EmailError) as exc:
            return self.failure(str(exc))
        return self.success()


# -- the field widget -----------------------------------------------------------------------


class Field(Vertical):
    """A labelled widget with its message beneath."""

    DEFAULT_CSS = """
    Field {
        height: auto;
    }
    Field > .field-line {
        height: auto;
    }
    Field .field-label {
        width: 20;
        padding-right: 1;
        color: $text-muted;
    }
    Field .field-line > Input, Field .field-line > Select {
        width: 1fr;
    }
    Field .field-line > TextArea {
        width: 1fr;
        height: 4;
    }
    Field .field-error {
        color: $error;
        padding-left: 20;
        height: auto;
    }
    Field .field-hint {
        color: $text-muted;
        padding-left: 20;
        height: auto;
    }
    Field .field-error.-empty, Field .field-hint.-empty {
        display: none;
    }
    """

    def __init__(self, label: str, widget: Widget, *, name: str, parse: Parse = text, hint: str = ""):
        super().__init__(id=f"{name}-field")
        self.label = label
        self.widget = widget
        self.field_name = name
        self.parse = parse
        self.hint = hint
        if isinstance(widget, Input):
            widget.validators = [RuleValidator(parse)]
            widget.validate_on = {"submitted"}

    def compose(self) -> ComposeResult:
        with Horizontal(classes="field-line"):
            yield Label(self.label, classes="field-label")
            yield self.widget
        yield Static("", classes="field-error -empty", markup=False)
        yield Static(self.hint, classes="field-hint" + ("" if self.hint else " -empty"), markup=False)

    @property
    def raw(self) -> Any:
        w = self.widget
        if isinstance(w, Input):
            return w.value
        if isinstance(w, Select):
            return w.value
        if isinstance(w, TextArea):
            return w.text
        if isinstance(w, Checkbox):
            return w.value
        raise TypeError(type(w).__name__)

    def set_raw(self, value: Any) -> None:
        w = self.widget
        if isinstance(w, TextArea):
            w.load_text(value or "")
        else:
            w.value = value

    def show_error(self, message: str) -> None:
        error = self.query_one(".field-error", Static)
        error.update(message)
        error.set_class(not message, "-empty")
        self.widget.set_class(bool(message), "-invalid")

    def set_hint(self, message: str) -> None:
        hint = self.query_one(".field-hint", Static)
        hint.update(message)
        hint.set_class(not message, "-empty")

    @property
    def has_error(self) -> bool:
        return not self.query_one(".field-error", Static).has_class("-empty")

    def read(self) -> Any:
        """The clean value; shows the message and raises ValueError when it is wrong."""
        try:
            value = self.parse(self.raw)
        except ValueError as exc:
            self.show_error(str(exc))
            raise
        self.show_error("")
        return value

    def check_quietly(self) -> None:
        """While typing: clear a message once the value is right, never add one."""
        if not self.has_error:
            return
        try:
            self.parse(self.raw)
        except ValueError:
            return
        self.show_error("")

    @on(Input.Changed)
    @on(TextArea.Changed)
    @on(Select.Changed)
    def _changed(self) -> None:
        self.check_quietly()

    @on(Input.Blurred)
    def _left(self) -> None:
        try:
            self.read()
        except ValueError:
            pass


# -- a form as a modal screen ------------------------------------------------------------


class FormScreen(ModalScreen):
    """A modal form: ctrl+s (or the Save button) saves, Escape cancels (asking first
    when something was typed), Enter moves to the next field and saves on the last."""

    BINDINGS = [
        Binding("escape", "cancel", "Cancel", id="form-cancel"),
        # Not a priority binding: one runs before the keys already on their way to the
        # field, and a burst typed then ctrl+s saved the field without them (a trial lost
        # its last words so). Here it waits its turn; no field takes ctrl+s itself.
        Binding("ctrl+s", "save", "Save", id="form-save"),
    ]

    def on_mount(self) -> None:
        # The form-wide error line stays hidden until there is something to say.
        for box in self.query("#form-error"):
            box.display = False
        self._initial = self.snapshot()
        first = self.first_to_fill()
        if first is not None:
            first.focus()

    def first_to_fill(self) -> Widget | None:
        """The field the cursor starts in. A form that fills some fields in for the user
        says which comes first here: focusing it in its own `on_mount` does not last,
        because Textual then runs this class's `on_mount` too, after it."""
        return next((f.widget for f in self.query(Field) if f.widget.focusable and not f.widget.disabled), None)

    @on(Button.Pressed, "#save")
    def _save_pressed(self) -> None:
        self.action_save()

    def fields(self) -> dict[str, Field]:
        return {f.field_name: f for f in self.query(Field)}

    def field(self, name: str) -> Field:
        return self.query_one(f"#{name}-field", Field)

    def snapshot(self) -> dict[str, Any]:
        return {name: f.raw for name, f in self.fields().items()}

    @property
    def dirty(self) -> bool:
        return self.snapshot() != getattr(self, "_initial", {})

    def collect(self, names: list[str] | None = None) -> dict[str, Any] | None:
        """Every field's clean value, or None after showing each problem by its field
        (and moving to the first)."""
        values: dict[str, Any] = {}
        first_bad: Field | None = None
        for name, f in self.fields().items():
            if names is not None and name not in names:
                continue
            if f.widget.disabled or not f.display:
                continue
            try:
                values[name] = f.read()
            except ValueError:
                first_bad = first_bad or f
        if first_bad is not None:
            first_bad.widget.focus()
            first_bad.scroll_visible()
            return None
        return values

    def show_field_error(self, name: str, message: str) -> None:
        fields = self.fields()
        if name in fields:
            fields[name].show_error(message)
            fields[name].widget.focus()
        else:
            self.show_form_error(message)

    def show_form_error(self, message: str) -> None:
        try:
            box = self.query_one("#form-error", Static)
        except Exception:  # noqa: BLE001 - a form without its own error line
            self.notify(message, severity="error")
            return
        box.update(message)
        box.display = bool(message)

    @on(Input.Submitted)
    def _next_or_save(self, event: Input.Submitted) -> None:
        event.stop()
        inputs = [f.widget for f in self.query(Field) if f.display and not f.widget.disabled and f.widget.focusable]
        if inputs and event.input is inputs[-1]:
            self.action_save()
        else:
            self.focus_next()

    def action_save(self) -> None:  # pragma: no cover - each form saves its own way
        raise NotImplementedError

    def action_cancel(self) -> None:
        if not self.dirty:
            self.dismiss(None)
            return

        def answered(discard: bool | None) -> None:
            if discard:
                self.dismiss(None)

        self.app.push_screen(
            ConfirmScreen("Discard what you typed in this form?", yes="Discard", no="Keep editing", danger=True),
            answered,
        )


def date_words(value) -> str:
    return show_date(value)
