"""Import or export a CSV file from inside the app (the same as `sitecare import-sites`
and friends). The file is read or written in a worker (bytes only); checking and
applying the rows happens on the app's thread, all or nothing."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from textual import on, work
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.message import Message
from textual.widgets import Button, Input, Static

from ..data import csvfiles
from . import formfields as ff
from .formfields import Field, FormScreen

WHAT = {"sites": "sites and their contacts", "authorities": "the local authority directory"}


@dataclass
class FileRead(Message):
    data: bytes | None
    error: str | None


@dataclass
class FileWritten(Message):
    path: str
    error: str | None


class CsvFileScreen(FormScreen):
    """Dismisses with True when something was imported or exported."""

    CSS_PATH = "site_form.tcss"

    def __init__(self, mode: str, what: str):
        super().__init__()
        assert mode in ("import", "export") and what in WHAT
        self.mode = mode
        self.what = what
        self._busy = False

    def compose(self) -> ComposeResult:
        title = f"Import {WHAT[self.what]} from CSV" if self.mode == "import" else f"Export {WHAT[self.what]} to CSV"
        default = "" if self.mode == "import" else str(Path.home() / f"sitecare-{self.what}-{self.app.today():%Y-%m-%d}.csv")
        hint = (
            "All or nothing: every row is checked first. Columns: README.md, 'CSV files'."
            if self.mode == "import"
            else "Written readable by you only (mode 0600): it holds names and numbers."
        )
        with Vertical(classes="dialog contact-form", id="csv-dialog"):
            yield Static(title, classes="dialog-title")
            yield Field("File", Input(default, placeholder="path to the .csv file", compact=True, id="path"),
                        name="path", parse=ff.required("the file's path"), hint=hint)
            yield Static("", id="form-error", classes="error")
            with VerticalScroll(id="csv-problems"):
                yield Static("", id="csv-problem-list", markup=False)
            with Horizontal(classes="buttons"):
                yield Button(("Import" if self.mode == "import" else "Export") + "  ctrl+s", variant="primary",
                             id="save", compact=True)
                yield Button("Close  esc", id="cancel", compact=True)

    def on_mount(self) -> None:
        super().on_mount()
        self.query_one("#csv-problems").display = False

    @on(Button.Pressed, "#cancel")
    def _cancel_pressed(self) -> None:
        self.dismiss(False)

    def action_cancel(self) -> None:
        self.dismiss(False)

    def _problems(self, lines: list[str]) -> None:
        box = self.query_one("#csv-problems")
        self.query_one("#csv-problem-list", Static).update("\n".join(lines))
        box.display = bool(lines)

    def action_save(self) -> None:
        if self._busy:
            return
        values = self.collect()
        if values is None:
            return
        self.show_form_error("")
        self._problems([])
        path = Path(values["path"]).expanduser()
        self._busy = True
        if self.mode == "import":
            self._read(path)
        else:
            text = csvfiles.export_sites() if self.what == "sites" else csvfiles.export_authorities()
            self._write(path, text)

    # -- import ------------------------------------------------------------------------------

    @work(thread=True, exclusive=True, group="csv-file")
    def _read(self, path: Path) -> None:
        try:
            self.post_message(FileRead(csvfiles.read_file(path), None))
        except OSError as exc:
            self.post_message(FileRead(None, csvfiles.os_error_message(exc, path)))
        except csvfiles.CsvFileError as exc:
            self.post_message(FileRead(None, str(exc)))

    @on(FileRead)
    def _file_read(self, message: FileRead) -> None:
        self._busy = False
        if message.error or message.data is None:
            self.show_field_error("path", message.error or "The file could not be read.")
            return
        try:
            text = csvfiles.decode(message.data)
            if self.what == "sites":
                report = csvfiles.import_sites(text, self.app.today())
            else:
                report = csvfiles.import_authorities(text, self.app.today())
        except csvfiles.CsvFileError as exc:
            self.show_form_error(f"Nothing was imported: {exc}")
            return
        if not report.ok:
            self.show_form_error(report.summary())
            self._problems([str(e) for e in report.errors])
            return
        self.notify(report.summary())
        self.dismiss(True)

    # -- export ------------------------------------------------------------------------------

    @work(thread=True, exclusive=True, group="csv-file")
    def _write(self, path: Path, text: str) -> None:
        try:
            written = csvfiles.write_private(path, text)
        except OSError as exc:
            self.post_message(FileWritten(str(path), csvfiles.os_error_message(exc, path)))
            return
        self.post_message(FileWritten(str(written), None))

    @on(FileWritten)
    def _file_written(self, message: FileWritten) -> None:
        self._busy = False
        if message.error:
            self.show_field_error("path", message.error)
            return
        self.notify(f"Exported {WHAT[self.what]} to {message.path} (readable by you only).")
        self.dismiss(True)
