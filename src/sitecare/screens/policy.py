"""Policy sign-off for one site (seed 003: read and sign each establishment's policy).

Recording a version can attach the policy file: it is read and encrypted into the
vault's blobs in a worker (bytes only), and the rows are written back on the app's
thread. Signing records the date and how; the status comes from rules/policy.py.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.markup import escape
from textual.message import Message
from textual.screen import Screen
from textual.suggester import SuggestFromList
from textual.widget import Widget
from textual.widgets import Button, DataTable, Header, Input, Static

from ..data import csvfiles, sites
from ..data.models import Policy
from ..rules.dates import show_date
from ..rules.policy import PolicyState
from . import formfields as ff
from .confirm import ConfirmScreen
from .formfields import Field, FormScreen
from .footer import Footer

MAX_ATTACHMENT = 50 * 1024 * 1024
HOW_SIGNED = [
    "signed the paper copy in the office",
    "signed on MyConcern",
    "signed on CPOMS",
    "online declaration",
    "signed and emailed back",
    "signed the visitor policy log",
]


def existing_file(value: str) -> Path | None:
    text = (value or "").strip()
    if not text:
        return None
    path = Path(text).expanduser()
    if not path.exists():
        raise ValueError(f"There is no file {text}: check the name and folder.")
    if not path.is_file():
        raise ValueError(f"{text} is a folder: give the policy file itself.")
    if path.stat().st_size > MAX_ATTACHMENT:
        raise ValueError(f"{path.name} is larger than 50 MB: attach a smaller copy (a PDF of the policy).")
    return path


@dataclass
class BlobStored(Message):
    blob_id: str | None
    filename: str
    size: int
    sha256: str
    error: str | None


class PolicyFormScreen(FormScreen):
    """Record a version of the site's policy (or correct one). Dismisses with its id."""

    CSS_PATH = "site_form.tcss"

    def __init__(self, site_id: int, policy: Policy | None = None):
        super().__init__()
        self.site_id = site_id
        self.policy = policy
        self._values: dict | None = None

    def compose(self) -> ComposeResult:
        p = self.policy
        site = sites.get_site(self.site_id)
        with Vertical(classes="dialog contact-form"):
            yield Static("Correct this version's details" if p else "Record the site's safeguarding policy",
                         classes="dialog-title")
            yield Static(site.name if site else "", classes="dim")
            with VerticalScroll(id="contact-form-body"):
                yield Field("Title", Input(p.title if p else "Safeguarding policy", compact=True, id="title"),
                            name="title", parse=ff.required("the policy's title"))
                yield Field("Version", Input(p.version if p else "", placeholder="e.g. 2026-27 or v4", compact=True,
                                             id="version"), name="version",
                            hint="" if p else "A new version here means your signature is due again.")
                yield Field("Dated", Input(ff.shown_date_input(p.dated) if p else "", placeholder="dd/mm/yyyy",
                                           compact=True, id="dated"), name="dated", parse=ff.day)
                yield Field("Review due", Input(ff.shown_date_input(p.review_due) if p else "", placeholder="dd/mm/yyyy",
                                                compact=True, id="review_due"), name="review_due", parse=ff.day)
                current = ""
                if p is not None and p.attachment_id:
                    current = f"Attached: {p.attachment.filename}. Give another file to replace it."
                yield Field("Attach file", Input(placeholder="path to the policy PDF (optional)", compact=True,
                                                 id="attachment"), name="attachment", parse=existing_file,
                            hint=current or "Kept encrypted in the vault.")
                yield Static("", id="form-error", classes="error")
            with Horizontal(classes="buttons"):
                yield Button("Save  ctrl+s", variant="primary", id="save", compact=True)
                yield Button("Cancel  esc", id="cancel", compact=True)

    @on(Button.Pressed, "#cancel")
    def _cancel_pressed(self) -> None:
        self.action_cancel()

    def action_save(self) -> None:
        if self._values is not None:
            return  # the attachment is still being stored
        self.show_form_error("")
        values = self.collect()
        if values is None:
            return
        if values["dated"] and values["review_due"] and values["review_due"] < values["dated"]:
            self.show_field_error("review_due", "The review date cannot come before the date of the policy.")
            return
        path = values.pop("attachment", None)
        self._values = values
        if path is None:
            self._write(None)
        else:
            self.show_form_error(f"Encrypting {path.name} into the vault…")
            self._store_blob(path)

    @work(thread=True, exclusive=True, group="policy-attachment")
    def _store_blob(self, path: Path) -> None:
        # Bytes only: reading and encrypting the file; no rows, no widgets.
        try:
            data = path.read_bytes()
            blob_id = self.app.vault.put_blob(data)
        except OSError as exc:
            self.post_message(BlobStored(None, path.name, 0, "", csvfiles.os_error_message(exc, path)))
            return
        except Exception as exc:  # noqa: BLE001 - VaultError and friends: one sentence
            self.post_message(BlobStored(None, path.name, 0, "", str(exc)))
            return
        self.post_message(BlobStored(blob_id, path.name, len(data), hashlib.sha256(data).hexdigest(), None))

    @on(BlobStored)
    def _blob_stored(self, message: BlobStored) -> None:
        if message.error or message.blob_id is None:
            self._values = None
            self.show_field_error("attachment", message.error or "The file could not be stored.")
            self.show_form_error("")
            return
        attachment = sites.record_attachment(message.blob_id, message.filename, message.size, message.sha256)
        self._write(attachment)

    def _write(self, attachment) -> None:
        values, self._values = self._values, None
        assert values is not None
        site = sites.get_site(self.site_id)
        try:
            if self.policy is None:
                policy = sites.record_policy(site, title=values["title"], version=values.get("version", ""),
                                             dated=values["dated"], review_due=values["review_due"],
                                             today=self.app.today(), attachment=attachment)
                self.app.tell_when_saved(f"Recorded {policy.title}{f' ({policy.version})' if policy.version else ''}.", policy.title)
            else:
                policy = sites.update_policy(self.policy, title=values["title"], version=values.get("version", ""),
                                             dated=values["dated"], review_due=values["review_due"], attachment=attachment)
                self.app.tell_when_saved("Corrected the policy's details.", "the policy's details")
        except sites.SiteError as exc:
            self.show_field_error(exc.field, str(exc))
            return
        self.dismiss(policy.id)


class SignPolicyScreen(FormScreen):
    """I read and signed this version: the date and how."""

    CSS_PATH = "site_form.tcss"

    def __init__(self, policy: Policy):
        super().__init__()
        self.policy = policy

    def compose(self) -> ComposeResult:
        p = self.policy
        name = p.title + (f" ({p.version})" if p.version else "")
        with Vertical(classes="dialog contact-form"):
            yield Static(f"I read and signed {name}", classes="dialog-title")
            yield Field("Date signed", Input(ff.shown_date_input(self.app.today()), compact=True, id="signed_on"),
                        name="signed_on", parse=ff.required_day)
            yield Field("How", Input(placeholder="e.g. signed the paper copy in the office", compact=True, id="how",
                                     suggester=SuggestFromList(HOW_SIGNED, case_sensitive=False)),
                        name="how", parse=ff.required("how you signed it, e.g. signed the paper copy in the office"))
            yield Static("", id="form-error", classes="error")
            with Horizontal(classes="buttons"):
                yield Button("Save  ctrl+s", variant="primary", id="save", compact=True)
                yield Button("Cancel  esc", id="cancel", compact=True)

    def first_to_fill(self) -> Widget | None:
        return self.query_one("#how", Input)  # the date is today's already

    @on(Button.Pressed, "#cancel")
    def _cancel_pressed(self) -> None:
        self.action_cancel()

    def action_save(self) -> None:
        values = self.collect()
        if values is None:
            return
        try:
            signed = sites.sign_policy(self.policy, values["signed_on"], values["how"], self.app.today())
        except sites.SiteError as exc:
            self.show_field_error(exc.field, str(exc))
            return
        self.app.tell_when_saved(f"Signed on {show_date(signed.signed_on)}.", "the signature")
        self.dismiss(signed.id)


class SaveCopyScreen(FormScreen):
    """Write a decrypted copy of an attachment where I choose (mode 0600)."""

    CSS_PATH = "site_form.tcss"

    def __init__(self, attachment_id: int):
        super().__init__()
        self.attachment = sites.get_attachment(attachment_id)

    def compose(self) -> ComposeResult:
        name = self.attachment.filename if self.attachment else "attachment"
        with Vertical(classes="dialog contact-form"):
            yield Static(f"Save a copy of {name}", classes="dialog-title")
            yield Field("Save to", Input(str(Path.home() / name), compact=True, id="path"), name="path",
                        parse=ff.required("where to save the copy"),
                        hint="Readable by you only; the copy is not encrypted, so delete it when done.")
            yield Static("", id="form-error", classes="error")
            with Horizontal(classes="buttons"):
                yield Button("Save  ctrl+s", variant="primary", id="save", compact=True)
                yield Button("Cancel  esc", id="cancel", compact=True)

    @on(Button.Pressed, "#cancel")
    def _cancel_pressed(self) -> None:
        self.dismiss(None)

    def action_save(self) -> None:
        values = self.collect()
        if values is None or self.attachment is None:
            return
        target = Path(values["path"]).expanduser()
        if target.exists() and target.is_dir():
            target = target / self.attachment.filename
        self._write_copy(self.attachment.blob_id, target)

    @work(thread=True, exclusive=True, group="save-copy")
    def _write_copy(self, blob_id: str, target: Path) -> None:
        try:
            data = self.app.vault.get_blob(blob_id)
            csvfiles.write_private_bytes(target, data)
        except OSError as exc:
            self.app.call_from_thread(self.show_field_error, "path", csvfiles.os_error_message(exc, target))
            return
        except Exception as exc:  # noqa: BLE001 - a damaged blob: one sentence
            self.app.call_from_thread(self.show_field_error, "path", str(exc))
            return
        self.app.call_from_thread(self._written, target)

    def _written(self, target: Path) -> None:
        self.notify(f"Saved a copy to {target} (readable by you only).")
        self.dismiss(str(target))


class PolicyScreen(Screen):
    CSS_PATH = "policy.tcss"
    BINDINGS = [
        Binding("escape", "back", "Back", id="policy-back"),
        Binding("n", "record", "Record version", id="policy-record"),
        Binding("g", "sign", "I signed it", id="policy-sign"),
        Binding("e", "correct", "Correct", id="policy-correct"),
        Binding("w", "save_copy", "Save file copy", id="policy-save-copy"),
        Binding("x", "remove", "Remove unsigned", id="policy-remove", show=False),
    ]

    def __init__(self, site_id: int):
        super().__init__()
        self.site_id = site_id

    def compose(self) -> ComposeResult:
        yield Header()
        with VerticalScroll(id="policy"):
            yield Static("", id="policy-title", classes="dialog-title")
            yield Static("", id="policy-status")
            yield Static("", id="policy-rule", classes="dim")
            yield DataTable(id="policy-table", cursor_type="row", zebra_stripes=True)
            yield Static("", id="policy-empty", classes="hint")
        yield Footer()

    def on_mount(self) -> None:
        table = self.query_one(DataTable)
        table.add_column("Version", key="version", width=9)
        table.add_column("Dated", key="dated", width=11)
        table.add_column("Review due", key="review", width=11)
        table.add_column("Signed", key="signed", width=11)
        table.add_column("How", key="how")
        table.add_column("File", key="file")
        table.add_column("Title", key="title")
        self.refresh_data()
        table.focus()

    def on_screen_resume(self) -> None:
        self.refresh_data()

    def refresh_data(self) -> None:
        if not self.app.vault.is_open:
            return
        site = sites.get_site(self.site_id)
        if site is None:
            self.app.pop_screen()
            return
        today = self.app.today()
        self.sub_title = f"Policy: {site.name}"
        self.query_one("#policy-title", Static).update(f"Safeguarding policy: {site.name}")
        status = sites.site_policy_status(site, today)
        style = {PolicyState.SIGNED_CURRENT: "$success", PolicyState.RESIGN_DUE: "$warning"}.get(status.state, "$error")
        mark = {PolicyState.SIGNED_CURRENT: "✓", PolicyState.RESIGN_DUE: "!"}.get(status.state, "✗")
        self.query_one("#policy-status", Static).update(f"[{style}]{mark} {escape(status.line)}[/]")
        self.query_one("#policy-rule", Static).update(f"Re-sign {sites.resign_rule_words(site)}.")
        table = self.query_one(DataTable)
        keep = table.cursor_row
        table.clear()
        rows = sites.policies(site)
        for p in rows:
            table.add_row(
                p.version or "—", show_date(p.dated), show_date(p.review_due),
                show_date(p.signed_on, empty="not signed"), p.how_signed or "",
                p.attachment.filename if p.attachment_id else "—", p.title, key=str(p.id),
            )
        if rows:
            table.move_cursor(row=min(keep, len(rows) - 1))
        empty = self.query_one("#policy-empty", Static)
        empty.update("No policy recorded yet: press n to record the site's safeguarding policy, then g once you have signed it.")
        empty.display = not rows

    def selected(self) -> Policy | None:
        table = self.query_one(DataTable)
        if not table.row_count:
            return None
        key = table.coordinate_to_cell_key(table.cursor_coordinate).row_key
        return sites.get_policy(int(key.value))

    def action_back(self) -> None:
        self.app.pop_screen()

    def action_record(self) -> None:
        self.app.push_screen(PolicyFormScreen(self.site_id))

    def action_sign(self) -> None:
        policy = self.selected()
        if policy is None:
            self.notify("Record the policy first (n), then sign it.", severity="warning")
            return
        self.app.push_screen(SignPolicyScreen(policy))

    def action_correct(self) -> None:
        policy = self.selected()
        if policy is not None:
            self.app.push_screen(PolicyFormScreen(self.site_id, policy))

    def action_save_copy(self) -> None:
        policy = self.selected()
        if policy is None or not policy.attachment_id:
            self.notify("This version has no file attached: press e to attach one.", severity="warning")
            return
        self.app.push_screen(SaveCopyScreen(policy.attachment_id))

    def action_remove(self) -> None:
        policy = self.selected()
        if policy is None:
            return
        if policy.signed_on is not None:
            self.notify(
                f"This version was signed on {show_date(policy.signed_on)}: it stays as the record of your "
                "signature (press e to correct its details).",
                severity="warning",
            )
            return
        name = policy.title + (f" ({policy.version})" if policy.version else "")

        def answered(yes: bool | None) -> None:
            if yes:
                sites.remove_policy(policy, self.app.vault)
                self.app.tell_when_saved(f"Removed {name}.", f"the removal of {name}")
                self.refresh_data()

        self.app.push_screen(
            ConfirmScreen(f"Remove {name}, recorded {show_date(policy.recorded_on)} and never signed?"
                          + (" Its attached file goes too." if policy.attachment_id else ""), yes="Remove", danger=True),
            answered,
        )

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        self.action_sign()
