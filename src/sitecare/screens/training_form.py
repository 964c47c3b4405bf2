"""Add or change a training record, and attach (or export) its certificate.

The expiry follows from the kind's validity (seed 003: safeguarding at least every
three years); left blank it is computed, typed it overrides. A certificate path is
read and encrypted in a worker (bytes only); the record and its Attachment row are
then written on the app's thread in one change, so a record is never saved pointing at
a certificate that failed, and the form stays open with everything typed if anything
goes wrong.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from textual import on, work
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.message import Message
from textual.suggester import Suggester
from textual.widget import Widget
from textual.widgets import Button, Input, LoadingIndicator, Select, Static

from ..data import training
from ..data.training import (
    MAX_CERTIFICATE_BYTES,
    CertificateError,
    CertificateInfo,
    StoredCertificate,
    TargetExistsError,
    TrainingError,
)
from ..rules.dates import DateError, parse_optional_uk_date, show_date
from . import formfields as ff
from .confirm import ConfirmScreen
from .formfields import Field, FormScreen


class PathSuggester(Suggester):
    """Completes a file path as it is typed (→ or End accepts), like a shell's Tab."""

    def __init__(self, folders_only: bool = False):
        super().__init__(use_cache=False, case_sensitive=True)
        self.folders_only = folders_only

    async def get_suggestion(self, value: str) -> str | None:
        if not value or value.endswith(os.sep + os.sep):
            return None
        path = Path(value).expanduser()
        folder, stem = (path, "") if value.endswith(os.sep) else (path.parent, path.name)
        try:
            names = sorted(os.listdir(folder))
        except OSError:
            return None
        hidden_ok = stem.startswith(".")
        for name in names:
            if not name.startswith(stem) or name == stem or (name.startswith(".") and not hidden_ok):
                continue
            full = folder / name
            if self.folders_only and not full.is_dir():
                continue
            return value + name[len(stem):] + (os.sep if full.is_dir() else "")
        return None


def _expires(value: str):
    return parse_optional_uk_date(value)


def _completed(value: str):
    result = parse_optional_uk_date(value)
    if result is None:
        raise DateError("Enter the date you did the training, for example 03/09/2025.")
    return result


def _certificate_path(value: str) -> str:
    text = (value or "").strip()
    if text:
        training.resolve_source(text)  # CertificateError is a ValueError for the field
    return text


@dataclass
class CertificateStored(Message):
    stored: StoredCertificate | None
    error: str | None


class TrainingFormScreen(FormScreen):
    """Dismisses with the record's id once saved, or None."""

    CSS_PATH = "training.tcss"

    def __init__(self, record_id: int | None = None, kind_id: int | None = None):
        super().__init__()
        self.record_id = record_id
        self.start_kind = kind_id
        self._busy = False

    def compose(self) -> ComposeResult:
        today = self.app.today()
        warn = 60
        record = training.record_info(self.record_id, today, warn) if self.record_id is not None else None
        kinds = training.kinds()
        kind_id = record.kind_id if record else self.start_kind
        with Vertical(classes="dialog training-form"):
            yield Static("Change a training record" if record else "Add a training record", classes="dialog-title")
            with VerticalScroll(id="training-form-body"):
                yield Field(
                    "Kind",
                    Select([(k.name, k.id) for k in kinds], prompt="(choose the kind of training)",
                           value=kind_id if kind_id is not None else Select.NULL, compact=True, id="kind"),
                    name="kind", parse=ff.chosen("the kind of training"),
                )
                yield Field(
                    "Completed on",
                    Input(ff.shown_date_input(record.completed) if record else "", placeholder="dd/mm/yyyy",
                          compact=True, id="completed"),
                    name="completed", parse=_completed,
                )
                overridden = record is not None and record.expiry_overridden
                yield Field(
                    "Expires",
                    Input(ff.shown_date_input(record.expires) if overridden else "", placeholder="blank: from the kind",
                          compact=True, id="expires"),
                    name="expires", parse=_expires, hint=" ",
                )
                yield Field("Provider", Input(record.provider if record else "", placeholder="who ran it",
                                              compact=True, id="provider"), name="provider")
                yield Field("Notes", Input(record.notes if record else "", compact=True, id="notes"), name="notes")
                if record and record.certificate:
                    c = record.certificate
                    hint = f"Attached: {c.filename} ({training._size_text(c.size)}). A path here replaces it."
                else:
                    hint = f"Optional: the certificate file (PDF or image, up to {MAX_CERTIFICATE_BYTES // (1024 * 1024)} MB); it is copied into the vault encrypted."
                yield Field(
                    "Certificate file",
                    Input("", placeholder="~/Downloads/certificate.pdf", suggester=PathSuggester(),
                          compact=True, id="certificate"),
                    name="certificate", parse=_certificate_path, hint=hint,
                )
                yield Static("", id="form-error", classes="error")
            yield LoadingIndicator(id="training-form-working")
            with Horizontal(classes="buttons"):
                yield Button("Save  ctrl+s", variant="primary", id="save", compact=True)
                yield Button("Cancel  esc", id="cancel", compact=True)

    def on_mount(self) -> None:
        super().on_mount()
        self.query_one("#training-form-working").display = False
        self._show_expiry_hint()

    def first_to_fill(self) -> Widget | None:
        if self.field("kind").raw not in (Select.NULL, None):
            return self.query_one("#completed", Input)  # the kind is chosen already
        return super().first_to_fill()

    # -- the computed expiry, shown as the kind and date change ------------------------

    def _computed(self) -> tuple[date | None, str]:
        kind_id = self.field("kind").raw
        if kind_id is Select.NULL or kind_id is None:
            return None, "Choose the kind, and the expiry is worked out from it."
        info = training.kind(kind_id)
        try:
            completed = _completed(self.field("completed").raw)
        except ValueError:
            return None, f"{info.name}: {info.validity_text}."
        expiry = training.computed_expiry(kind_id, completed)
        if expiry is None:
            return None, f"Blank: no expiry ({info.validity_text}). Type a date if the certificate has one."
        return expiry, f"Blank: {show_date(expiry)} ({info.validity_text}). Type a date to override it."

    def _show_expiry_hint(self) -> None:
        self.field("expires").set_hint(self._computed()[1])

    @on(Select.Changed, "#kind")
    @on(Input.Changed, "#completed")
    def _kind_or_date_changed(self) -> None:
        self._show_expiry_hint()

    # -- saving ----------------------------------------------------------------------------

    @on(Button.Pressed, "#cancel")
    def _cancel_pressed(self) -> None:
        self.action_cancel()

    def _set_busy(self, busy: bool) -> None:
        self._busy = busy
        self.query_one("#training-form-working").display = busy
        self.query_one("#save", Button).disabled = busy

    def action_save(self) -> None:
        if self._busy:
            return
        self.show_form_error("")
        values = self.collect()
        if values is None:
            return
        self._values = values
        if values["certificate"]:
            self._set_busy(True)
            self._store(values["certificate"])
        else:
            self._commit(None)

    @work(thread=True, exclusive=True, group="certificate")
    def _store(self, path: str) -> None:
        try:
            stored = training.store_certificate(self.app.vault, path)
        except CertificateError as exc:
            self.post_message(CertificateStored(None, str(exc)))
            return
        self.post_message(CertificateStored(stored, None))

    @on(CertificateStored)
    def _stored(self, message: CertificateStored) -> None:
        self._set_busy(False)
        if message.error:
            self.show_field_error("certificate", message.error)
            return
        self._commit(message.stored)

    def _commit(self, stored: StoredCertificate | None) -> None:
        values = self._values
        typed = values["expires"]
        computed = self._computed()[0]
        expires = typed if typed is not None else computed
        overridden = typed is not None and typed != computed
        try:
            record_id, replaced = training.save_record(
                self.record_id,
                kind_id=values["kind"],
                completed=values["completed"],
                expires=expires,
                expiry_overridden=overridden,
                provider=values["provider"],
                notes=values["notes"],
                today=self.app.today(),
                certificate=stored,
            )
        except TrainingError as exc:
            if stored is not None:
                training.discard_blob(self.app.vault, stored.blob_id)
            self.show_field_error(exc.field, str(exc))
            return
        except Exception:
            if stored is not None:
                training.discard_blob(self.app.vault, stored.blob_id)
            raise
        training.discard_blob(self.app.vault, replaced)
        kind = training.kind(values["kind"]).name
        what = "Saved" if self.record_id is not None else "Added"
        extra = f" with the certificate {stored.filename}" if stored else ""
        self.app.tell_when_saved(f"{what} {kind} ({show_date(values['completed'])}){extra}.",
                                 f"{kind} ({show_date(values['completed'])})")
        self.dismiss(record_id)


# ------------------------------------------------------------------------ attach / export


class PathScreen(FormScreen):
    """Ask for one path: the certificate to attach, or where to export it. Dismisses
    with the result of the work (a StoredCertificate or the written Path), or None."""

    CSS_PATH = "training.tcss"

    def __init__(self, title: str, explain: str, *, mode: str, cert: CertificateInfo | None = None,
                 initial: str = "", folders_only: bool = False):
        super().__init__()
        self.title_text = title
        self.explain = explain
        self.mode = mode  # "attach" or "export"
        self.cert = cert
        self.initial = initial
        self.folders_only = folders_only
        self._busy = False

    def compose(self) -> ComposeResult:
        label = "Certificate file" if self.mode == "attach" else "Save as"
        placeholder = "~/Downloads/certificate.pdf" if self.mode == "attach" else "~/Documents/"
        with Vertical(classes="dialog path-form"):
            yield Static(self.title_text, classes="dialog-title")
            yield Static(self.explain, classes="hint")
            yield Field(label, Input(self.initial, placeholder=placeholder, suggester=PathSuggester(self.folders_only),
                                     compact=True, id="path"), name="path", parse=self._parse)
            yield Static("", id="form-error", classes="error")
            yield LoadingIndicator(id="path-working")
            with Horizontal(classes="buttons"):
                yield Button("Attach" if self.mode == "attach" else "Export", variant="primary", id="go", compact=True)
                yield Button("Cancel  esc", id="cancel", compact=True)

    def _parse(self, value: str):
        if self.mode == "attach":
            return training.resolve_source(value)
        assert self.cert is not None
        return training.export_target(value, self.cert.filename)

    def on_mount(self) -> None:
        super().on_mount()
        self.query_one("#path-working").display = False

    @on(Button.Pressed, "#go")
    def _go(self) -> None:
        self.action_save()

    @on(Button.Pressed, "#cancel")
    def _cancel(self) -> None:
        self.action_cancel()

    def _set_busy(self, busy: bool) -> None:
        self._busy = busy
        self.query_one("#path-working").display = busy
        self.query_one("#go", Button).disabled = busy

    def action_save(self) -> None:
        if self._busy:
            return
        values = self.collect()
        if values is None:
            return
        if self.mode == "attach":
            self._set_busy(True)
            self._run_attach(str(values["path"]))
            return
        target: Path = values["path"]
        if target.exists():
            def answered(replace: bool | None) -> None:
                if replace:
                    self._set_busy(True)
                    self._run_export(target, True)

            self.app.push_screen(
                ConfirmScreen(f"{target} already exists. Replace it with the certificate?", yes="Replace", danger=True),
                answered,
            )
            return
        self._set_busy(True)
        self._run_export(target, False)

    @work(thread=True, exclusive=True, group="certificate")
    def _run_attach(self, path: str) -> None:
        try:
            stored = training.store_certificate(self.app.vault, path)
        except CertificateError as exc:
            self.app.call_from_thread(self._failed, str(exc))
            return
        self.app.call_from_thread(self._done, stored)

    @work(thread=True, exclusive=True, group="certificate")
    def _run_export(self, target: Path, overwrite: bool) -> None:
        assert self.cert is not None
        try:
            written = training.export_certificate(self.app.vault, self.cert, target, overwrite)
        except TargetExistsError as exc:
            self.app.call_from_thread(self._failed, f"{exc} Choose another name, or export again to be asked about replacing it.")
            return
        except CertificateError as exc:
            self.app.call_from_thread(self._failed, str(exc))
            return
        self.app.call_from_thread(self._done, written)

    def _failed(self, message: str) -> None:
        self._set_busy(False)
        self.show_field_error("path", message)

    def _done(self, result) -> None:
        self._set_busy(False)
        self.dismiss(result)
