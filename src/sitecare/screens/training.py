"""My training and certificates, grouped by kind, each with how it stands today.

Keys: n add, e (or Enter) change, f attach a certificate, x export it, o open it in
the system viewer, d delete (asks first), r the compliance matrix (sites x the training
they require). Certificates are decrypted only in workers and only to where the person
asks (or a private temporary copy for the viewer).
"""

from __future__ import annotations

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.screen import Screen
from textual.widgets import DataTable, Header, Static

from ..data import training
from ..data.attention_inputs import windows
from ..data.models import Requirement
from ..data.training import CertificateError, KindGroup, RecordInfo, StoredCertificate
from ..rules.dates import show_date
from ..rules.validity import TrainingState, TrainingStatus
from .confirm import ConfirmScreen
from .freshness import records_state
from .home import AttentionCommands
from .training_form import PathScreen, TrainingFormScreen
from .keys import NEW_CONCERN
from .footer import Footer

WIDE = 110

STATE_COLOURS = {
    TrainingState.EXPIRED: "error",
    TrainingState.EXPIRING: "warning",
    TrainingState.OK: "success",
    TrainingState.NO_EXPIRY: "success",
    TrainingState.MISSING: "text-muted",
}


def status_text(status: TrainingStatus | None, colours: dict[str, str], *, muted: bool = False, empty: str = "none recorded") -> Text:
    if status is None:
        return Text(empty, style=colours.get("text-muted", ""))
    if muted:
        return Text(status.line, style=colours.get("text-muted", ""))
    style = colours.get(STATE_COLOURS[status.state], "")
    if status.state is TrainingState.EXPIRED:
        style += " bold"
    return Text(status.line, style=style.strip())


class TrainingScreen(Screen):
    TITLE = "Training"  # the header said "sitecare" on every list
    CSS_PATH = "training.tcss"
    COMMANDS = {AttentionCommands}
    BINDINGS = [
        NEW_CONCERN,
        Binding("n", "add", "Add", id="training-add"),
        Binding("e", "edit", "Edit", id="training-edit"),
        Binding("f", "attach", "Attach", id="training-attach", tooltip="Attach a certificate file"),
        Binding("x", "export", "Export", id="training-export", tooltip="Export the certificate to a file"),
        Binding("o", "open", "Open", id="training-open", tooltip="Open the certificate in the system viewer"),
        Binding("d", "delete", "Delete", id="training-delete"),
        Binding("delete", "delete", "Delete", id="training-delete-key", show=False),
        Binding("r", "compliance", "Compliance", id="training-compliance", tooltip="Sites x the training they require"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.groups: list[KindGroup] = []
        self._records: dict[int, RecordInfo] = {}
        self._wide = False

    def compose(self) -> ComposeResult:
        yield Header()
        with Horizontal(id="training-top"):
            yield Static("Training and certificates", id="training-title")
            yield Static("", id="training-summary")
        yield DataTable(id="training-table", cursor_type="row", zebra_stripes=False)
        # Scrolls, reached by Tab: at 80x24 a kind's rules, its sites' limits and the
        # sites that require it ran off the bottom of a fixed-height line.
        with VerticalScroll(id="training-detail-box"):
            yield Static("", id="training-detail")
        yield Footer()

    def on_mount(self) -> None:
        self.app.theme_changed_signal.subscribe(self, lambda _theme: self.refresh_data())
        self.refresh_data()
        self.query_one(DataTable).focus()

    def on_screen_resume(self) -> None:
        # Read again only when something changed (or the day did): the first switch to
        # this mode resumes it twice just after it mounted.
        if getattr(self, "_seen", None) != self._state():
            self.refresh_data()

    def _state(self) -> tuple:
        return records_state(self.app)

    def on_resize(self) -> None:
        if self.groups and (self.size.width >= WIDE) != self._wide:
            self.refresh_data()

    # -- data --------------------------------------------------------------------------

    def _colours(self) -> dict[str, str]:
        return self.app.get_css_variables()

    def selected_key(self) -> str | None:
        table = self.query_one(DataTable)
        if not table.row_count:
            return None
        try:
            return table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value
        except Exception:  # noqa: BLE001 - an empty or changing table
            return None

    def selected_record(self) -> RecordInfo | None:
        key = self.selected_key()
        if key and key.startswith("rec-"):
            return self._records.get(int(key[4:]))
        return None

    def selected_kind_id(self) -> int | None:
        key = self.selected_key()
        if key and key.startswith("kind-"):
            return int(key[5:])
        record = self.selected_record()
        return record.kind_id if record else None

    def refresh_data(self, select: str | None = None) -> None:
        if not self.app.vault.is_open or not self.is_mounted:
            return
        self._seen = self._state()
        today = self.app.today()
        self.groups = training.grouped_records(today, windows().training_days)
        self._records = {r.id: r for g in self.groups for r in g.records}
        keep = select or self.selected_key()
        colours = self._colours()
        table = self.query_one(DataTable)
        self._wide = self.size.width >= WIDE if self.size.width else False
        table.clear(columns=True)
        table.add_column("Training", key="what", width=36 if self._wide else 34)
        if self._wide:
            table.add_column("Expires", key="expires", width=12)
        table.add_column("Status", key="status", width=34 if self._wide else 24)
        table.add_column("Certificate", key="certificate", width=14 if self._wide else 12)
        if self._wide:
            table.add_column("Provider", key="provider")
        muted = colours.get("text-muted", "")
        for group in self.groups:
            cells = [Text(group.kind.name, style="bold", overflow="ellipsis", no_wrap=True)]
            if self._wide:
                cells.append(Text(""))
            worst = group.worst_site
            if worst is not None:
                state, names = worst
                word = {TrainingState.EXPIRED: "expired", TrainingState.EXPIRING: "expiring"}.get(state, "needed")
                where = names[0] if len(names) == 1 else f"{len(names)} sites"
                style = colours.get(STATE_COLOURS[state], "") + (" bold" if state is TrainingState.EXPIRED else "")
                cells.append(Text(f"{word} for {where}", style=style.strip(), overflow="ellipsis", no_wrap=True))
            else:
                cells.append(status_text(group.status, colours))
            cells.append(Text(""))
            if self._wide:
                required = f"required by {len(group.required_by)} site{'s' if len(group.required_by) != 1 else ''}" if group.required_by else ""
                cells.append(Text(required, style=muted))
            table.add_row(*cells, key=f"kind-{group.kind.id}")
            for record in group.records:
                label = Text(f"  done {show_date(record.completed)}")
                if record.current:
                    label.append(" ●", style=colours.get("primary", ""))
                cells = [label]
                if self._wide:
                    cells.append(Text(show_date(record.expires, "no expiry") + (" *" if record.expiry_overridden else "")))
                if record.current and record.completed <= today:
                    # The kind's line above says how it stands; this row gives the date.
                    own = f"expires {show_date(record.expires)}" if record.expires else "no expiry date"
                    cells.append(Text(own))
                else:
                    cells.append(status_text(record.status, colours, muted=True))
                cells.append(Text(record.certificate.filename if record.certificate else "—",
                                  style="" if record.certificate else muted, overflow="ellipsis", no_wrap=True))
                if self._wide:
                    cells.append(Text(record.provider))
                table.add_row(*cells, key=f"rec-{record.id}")
        self._summary()
        if keep:
            self._move_to(keep)
        self._detail()
        self.refresh_bindings()

    def _move_to(self, key: str) -> bool:
        table = self.query_one(DataTable)
        try:
            table.move_cursor(row=table.get_row_index(key))
        except Exception:  # noqa: BLE001 - the row is gone (deleted)
            return False
        return True

    def _summary(self) -> None:
        expired = sum(1 for g in self.groups if g.status and g.status.state is TrainingState.EXPIRED)
        expiring = sum(1 for g in self.groups if g.status and g.status.state is TrainingState.EXPIRING)
        recorded = sum(len(g.records) for g in self.groups)
        if not recorded:
            text = "nothing recorded yet: press n to add a certificate"
        else:
            parts = [f"{recorded} record{'s' if recorded != 1 else ''}"]
            if expired:
                parts.append(f"{expired} expired")
            if expiring:
                parts.append(f"{expiring} expiring")
            text = " · ".join(parts)
        self.query_one("#training-summary", Static).update(text)

    def _detail(self) -> None:
        self.query_one("#training-detail-box", VerticalScroll).scroll_home(animate=False)
        box = self.query_one("#training-detail", Static)
        record = self.selected_record()
        kind_id = self.selected_kind_id()
        group = next((g for g in self.groups if g.kind.id == kind_id), None)
        if group is None:
            box.update("")
            return
        lines = []
        if record is None:
            lines.append(f"{group.kind.name}: {group.kind.validity_text}. {group.kind.renewal_note}".strip())
            for name, status in group.site_limits:
                if status.needs_attention:
                    lines.append(f"{name} wants it no older than its own limit: {status.line}.")
            if group.required_by:
                names = group.required_by
                shown = ", ".join(names[:3]) + (f" and {len(names) - 3} more" if len(names) > 3 else "")
                lines.append(f"Required by {shown} (r: compliance).")
            lines.append("n adds a record of this kind." if group.records else "Nothing recorded yet: n adds a record.")
        else:
            if record.expires is None:
                expiry = "no expiry date (each site sets its own)" if group.kind.validity_months is None else "no expiry date"
            else:
                how = "as typed" if record.expiry_overridden else group.kind.validity_text
                expiry = f"expires {show_date(record.expires)} ({how})"
            lines.append(f"Completed {show_date(record.completed)}; {expiry}"
                         + (f"; {record.provider}" if record.provider else "") + ".")
            if record.certificate:
                c = record.certificate
                lines.append(f"Certificate: {c.filename}, {training._size_text(c.size)}, SHA-256 {c.sha256[:12]}…  "
                             "o opens it, x exports it, f replaces it.")
            else:
                lines.append("No certificate attached: f attaches one.")
            if record.notes:
                lines.append(record.notes)
        box.update(Text("\n".join(lines)))

    @on(DataTable.RowHighlighted)
    def _highlighted(self) -> None:
        self._detail()
        self.refresh_bindings()

    @on(DataTable.RowSelected)
    def _selected(self) -> None:
        if self.selected_record() is not None:
            self.action_edit()
        else:
            self.action_add()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if not self.is_mounted:
            return True
        record = self.selected_record()
        if action in ("edit", "delete", "attach"):
            return True if record is not None else None
        if action in ("export", "open"):
            return True if record is not None and record.certificate is not None else None
        return True

    def open_record(self, table: str, record_id: int) -> bool:
        """Show a record from elsewhere (the home screen's attention list)."""
        self.refresh_data()
        if table == "training_record":
            return self._move_to(f"rec-{record_id}")
        if table == "requirement":
            req = Requirement.get_or_none(Requirement.id == record_id)
            return req is not None and self._move_to(f"kind-{req.kind_id}")
        return False

    # -- actions -----------------------------------------------------------------------

    def _after_form(self, record_id: int | None) -> None:
        if record_id is not None:
            self.refresh_data(select=f"rec-{record_id}")

    def action_add(self) -> None:
        self.app.push_screen(TrainingFormScreen(kind_id=self.selected_kind_id()), self._after_form)

    def action_edit(self) -> None:
        record = self.selected_record()
        if record is not None:
            self.app.push_screen(TrainingFormScreen(record_id=record.id), self._after_form)

    def action_delete(self) -> None:
        record = self.selected_record()
        if record is None:
            return
        what = f"the {record.kind_name} record completed {show_date(record.completed)}"
        if record.certificate:
            what += f" and its certificate {record.certificate.filename}"

        def answered(yes: bool | None) -> None:
            if not yes:
                return
            blob = training.delete_record(record.id)
            training.discard_blob(self.app.vault, blob)
            self.notify(f"Deleted {what}.")
            self.refresh_data()

        self.app.push_screen(ConfirmScreen(f"Delete {what}? This cannot be undone.", yes="Delete", danger=True), answered)

    def action_attach(self) -> None:
        record = self.selected_record()
        if record is None:
            return
        if record.certificate:
            explain = (f"It replaces {record.certificate.filename}. The file is copied into the vault encrypted; "
                       "the original is not changed.")
            title = f"Replace the certificate: {record.kind_name}, {show_date(record.completed)}"
        else:
            explain = (f"A PDF or image up to {training.MAX_CERTIFICATE_BYTES // (1024 * 1024)} MB. It is copied into "
                       "the vault encrypted; the original is not changed. → completes a path.")
            title = f"Attach a certificate: {record.kind_name}, {show_date(record.completed)}"

        def attached(stored: StoredCertificate | None) -> None:
            if stored is None:
                return
            try:
                replaced = training.attach_certificate(record.id, stored)
            except Exception:
                training.discard_blob(self.app.vault, stored.blob_id)
                self.notify("The certificate could not be attached: the record was changed or deleted meanwhile.",
                            severity="error")
                self.refresh_data()
                return
            training.discard_blob(self.app.vault, replaced)
            self.notify(f"Attached {stored.filename} ({training._size_text(stored.size)}) to {record.kind_name}.")
            self.refresh_data(select=f"rec-{record.id}")

        self.app.push_screen(PathScreen(title, explain, mode="attach"), attached)

    def action_export(self) -> None:
        record = self.selected_record()
        if record is None or record.certificate is None:
            return
        cert = record.certificate

        def exported(path) -> None:
            if path is not None:
                self.notify(f"Exported {cert.filename} to {path} (readable by you only).")

        self.app.push_screen(
            PathScreen(f"Export the certificate {cert.filename}",
                       "Give a folder or a file name. An existing file is only replaced if you say so.",
                       mode="export", cert=cert, initial="~/", folders_only=False),
            exported,
        )

    def action_open(self) -> None:
        record = self.selected_record()
        if record is None or record.certificate is None:
            return
        if training.viewer_command() is None:
            self.notify("There is no system viewer here (no xdg-open or open): export the certificate (x) instead.",
                        severity="warning")
            return
        self._open(record.certificate)

    @work(thread=True, exclusive=True, group="certificate-open")
    def _open(self, cert) -> None:
        try:
            training.open_certificate(self.app.vault, cert)
        except CertificateError as exc:
            self.app.call_from_thread(self.notify, str(exc), severity="error")
            return
        self.app.call_from_thread(
            self.notify, f"Opened {cert.filename} in the system viewer (a temporary copy, removed when sitecare closes)."
        )

    def action_compliance(self) -> None:
        from .compliance import ComplianceScreen

        self.app.push_screen(ComplianceScreen())
