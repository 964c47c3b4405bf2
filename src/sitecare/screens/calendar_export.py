"""The calendar export: every future due date of the attention list as an .ics file."""

from __future__ import annotations

from pathlib import Path

from textual import on, work
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.widgets import Button, Input, LoadingIndicator, Static

from ..data import attention_inputs as inputs
from ..data.calendar import CalendarError, CalendarExistsError, build_calendar, calendar_target, future_items, write_calendar
from .confirm import ConfirmScreen
from .formfields import Field, FormScreen
from .training_form import PathSuggester


class ExportCalendarScreen(FormScreen):
    """Write every future due date to an .ics file; dismisses with the path, or None."""

    CSS_PATH = "home.tcss"

    def compose(self) -> ComposeResult:
        now = self.app.now()
        self.items = inputs.current_attention(now)
        count = len(future_items(self.items, now.date()))
        with Vertical(classes="dialog calendar-form"):
            yield Static("Export the due dates as a calendar", classes="dialog-title")
            yield Static(
                f"{count} date{'s' if count != 1 else ''} from today on, each an all-day event with a reminder, for "
                "any calendar program. The file is not encrypted: it names the sites, training, and reference "
                "codes that things are due for, never notes.", classes="hint")
            yield Field("Save as", Input("~/sitecare-due-dates.ics", suggester=PathSuggester(), compact=True, id="path"),
                        name="path", parse=calendar_target)
            yield Static("", id="form-error", classes="error")
            yield LoadingIndicator(id="calendar-working")
            with Horizontal(classes="buttons"):
                yield Button("Export", variant="primary", id="go", compact=True)
                yield Button("Cancel  esc", id="cancel", compact=True)

    def on_mount(self) -> None:
        super().on_mount()
        self.query_one("#calendar-working").display = False

    @on(Button.Pressed, "#go")
    def _go(self) -> None:
        self.action_save()

    @on(Button.Pressed, "#cancel")
    def _cancel(self) -> None:
        self.action_cancel()

    def action_save(self) -> None:
        values = self.collect()
        if values is None:
            return
        target: Path = values["path"]
        now = self.app.now()
        header = self.app.vault.header
        data = build_calendar(self.items, now.date(), now, header.vault_id.hex() if header else "")
        if target.exists():
            def answered(replace: bool | None) -> None:
                if replace:
                    self._write(target, data, True)

            self.app.push_screen(ConfirmScreen(f"{target} already exists. Replace it?", yes="Replace", danger=True),
                                 answered)
            return
        self._write(target, data, False)

    @work(thread=True, exclusive=True, group="calendar")
    def _write(self, target: Path, data: bytes, overwrite: bool) -> None:
        self.app.call_from_thread(self._busy, True)
        try:
            write_calendar(target, data, overwrite)
        except CalendarExistsError as exc:
            self.app.call_from_thread(self._failed, f"{exc} Export again to be asked about replacing it.")
            return
        except CalendarError as exc:
            self.app.call_from_thread(self._failed, str(exc))
            return
        self.app.call_from_thread(self._done, target)

    def _busy(self, busy: bool) -> None:
        self.query_one("#calendar-working").display = busy
        self.query_one("#go", Button).disabled = busy

    def _failed(self, message: str) -> None:
        self._busy(False)
        self.show_field_error("path", message)

    def _done(self, target: Path) -> None:
        self._busy(False)
        self.notify(f"Calendar written to {target}: import it into your calendar program.")
        self.dismiss(target)
