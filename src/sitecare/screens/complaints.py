"""The complaints log (seed 004): every complaint with what is due next, the detail of
the highlighted one, the dated acts (acknowledged, replied, next stage), and the
monitoring report on screen and as CSV."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import ModalScreen, Screen
from textual.widgets import Button, DataTable, Header, Input, Label, Static

from ..data import complaints
from ..data.complaints import ComplaintView
from ..rules.dates import show_date
from ..rules.workdays import NATION_NAMES
from .record_forms import DateDialog, PathDialog, tone, typed
from .keys import NEW_CONCERN
from .footer import Footer

WIDE = 110


class ComplaintsScreen(Screen):
    TITLE = "Complaints"  # the header said "sitecare" on every list
    CSS_PATH = "complaints.tcss"
    BINDINGS = [
        NEW_CONCERN,
        Binding("n", "new_complaint", "New", id="complaints-new"),
        Binding("e", "edit_complaint", "Edit", id="complaints-edit"),
        Binding("w", "acknowledged", "Acknowledged", id="complaints-acknowledged"),
        Binding("r", "replied", "Replied", id="complaints-replied"),
        Binding("p", "next_stage", "Next stage", id="complaints-next-stage"),
        Binding("o", "report", "Monitoring", id="complaints-report"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.views: list[ComplaintView] = []
        self._wide: bool | None = None

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static("", id="complaints-top")
        yield DataTable(id="complaints-table", cursor_type="row", zebra_stripes=True)
        yield Static("", id="complaints-empty", classes="hint")
        with VerticalScroll(id="complaint-detail-box"):
            yield Static("", id="complaint-detail")
        yield Footer()

    def on_mount(self) -> None:
        self.refresh_data()
        self.query_one(DataTable).focus()

    def on_screen_resume(self) -> None:
        self.refresh_data()

    def on_resize(self) -> None:
        if (self.size.width >= WIDE) != self._wide:
            self._populate()

    def refresh_data(self) -> None:
        if not self.app.vault.is_open:
            return
        self.views = complaints.complaint_log()
        self._populate()

    def _populate(self) -> None:
        table = self.query_one(DataTable)
        keep = self.selected_id()
        self._wide = self.size.width >= WIDE if self.size.width else False
        table.clear(columns=True)
        columns = [("reference", "Reference", 12), ("received", "Received", 11), ("type", "Type", 14 if not self._wide else 22)]
        if self._wide:
            columns += [("site", "Site", 24), ("from", "From", 22)]
        columns += [("stage", "St", 2), ("next", "Next", 29)]
        for key, heading, width in columns:
            table.add_column(heading, key=key, width=width)
        today = self.app.today()
        error, muted = (tone(self.app, n) for n in ("error", "text-muted"))
        for v in self.views:
            line = v.next_line(today)
            style = error if v.overdue(today) else (muted if not v.is_open else "")
            cells = {
                "reference": Text(v.reference, style="" if v.is_open else muted),
                "received": show_date(v.received_on),
                "type": Text(complaints.TYPE_SHORT.get(v.type, v.type), overflow="ellipsis", no_wrap=True),
                "site": Text(v.site_name or "—", overflow="ellipsis", no_wrap=True),
                "from": Text(v.complainant, overflow="ellipsis", no_wrap=True),
                "stage": str(v.stage_number),
                "next": Text(line, style=style, overflow="ellipsis", no_wrap=True),
            }
            table.add_row(*(cells[k] for k, _, _ in columns), key=str(v.id))
        if keep is not None:
            index = next((i for i, v in enumerate(self.views) if v.id == keep), 0)
            table.move_cursor(row=index)
        open_ = [v for v in self.views if v.is_open]
        overdue = [v for v in open_ if v.overdue(today)]
        top = Text.assemble(("Complaints log", "bold"), f" · {len(open_)} open")
        if overdue:
            top.append(f" · {len(overdue)} overdue", style=error)
        top.append(f" · {len(self.views)} in all · o: monitoring report", style=muted)
        self.query_one("#complaints-top", Static).update(top)
        empty = self.query_one("#complaints-empty", Static)
        empty.update("No complaints logged: press n when one arrives (in person, by phone, email or letter).")
        empty.display = not self.views
        self._show_detail()

    def selected_id(self) -> int | None:
        table = self.query_one(DataTable)
        if not table.row_count:
            return None
        try:
            key = table.coordinate_to_cell_key(table.cursor_coordinate).row_key
        except Exception:  # noqa: BLE001 - no row under the cursor
            return None
        return int(key.value) if key and key.value else None

    def select_complaint(self, complaint_id: int) -> None:
        """Put the cursor on a complaint (for the attention list and the palette)."""
        table = self.query_one(DataTable)
        try:
            table.move_cursor(row=table.get_row_index(str(complaint_id)))
        except Exception:  # noqa: BLE001
            pass

    def open_record(self, table: str, record_id: int) -> bool:
        """Show a record named by the attention list (home screen); False if not ours."""
        if table != "complaint":
            return False
        self.refresh_data()
        self.select_complaint(record_id)
        self.query_one(DataTable).focus()
        return True

    def _selected(self) -> ComplaintView | None:
        complaint_id = self.selected_id()
        view = complaints.complaint_view(complaint_id) if complaint_id is not None else None
        if view is None:
            self.notify("Choose a complaint first (none logged yet).", severity="warning")
        return view

    @on(DataTable.RowHighlighted)
    def _show_detail(self) -> None:
        complaint_id = self.selected_id()
        view = next((v for v in self.views if v.id == complaint_id), None)
        self.query_one("#complaint-detail-box").display = view is not None
        if view is not None:
            self.query_one("#complaint-detail", Static).update(self.detail_text(view))

    def detail_text(self, v: ComplaintView) -> Text:
        today = self.app.today()
        error, success, muted = (tone(self.app, n) for n in ("error", "success", "text-muted"))
        text = Text()
        text.append(v.reference, style="bold")
        text.append(f" · {complaints.TYPE_LABELS.get(v.type, v.type)} · received {show_date(v.received_on)}"
                    f" ({complaints.CHANNEL_LABELS.get(v.channel, v.channel).lower()})")
        where = v.site_name or "no site"
        text.append(f"\nFrom {v.complainant} · {where} · {NATION_NAMES[v.nation]}'s working days", style=muted)
        if v.summary:
            text.append(f"\n{v.summary}")

        def judged(done: date | None, due: date | None) -> tuple[str, str]:
            if due is None:
                return (f"replied {show_date(done)}" if done else "their procedure, no sitecare deadline"), ""
            if done is not None:
                return (f"done {show_date(done)}, on time", success) if done <= due else (f"done {show_date(done)}, late", error)
            if not v.is_open:
                return "not recorded", muted
            left = (due - today).days
            if today > due:
                return "OVERDUE", error
            return ("due today" if left == 0 else f"{left} day{'s' if left != 1 else ''} left"), ""

        words, style = judged(v.acknowledged_on, v.acknowledgement_due)
        text.append(f"\nAcknowledge by {show_date(v.acknowledgement_due)}: ")
        text.append(words, style=style)
        for s in v.stages:
            text.append(f"\nStage {s.stage}, {_lower_first(s.name)}: began {show_date(s.began_on)}")
            if s.response_due is not None:
                text.append(f", reply by {show_date(s.response_due)}: ")
            else:
                text.append(f" ({_lower_first(s.handled_by)}): ")
            words, style = judged(s.responded_on, s.response_due)
            text.append(words, style=style)
            if s.notes:
                text.append(f"\n  {s.notes}", style=muted)
        upheld = {None: "not decided", True: "upheld", False: "not upheld"}[v.upheld]
        text.append(f"\nOutcome: {upheld} · apology {'given' if v.apology_given else 'not given'}"
                    f" · policy change: {v.policy_change or 'none'}")
        if v.upheld and not v.apology_given:
            text.append(" · seed 004: an upheld complaint receives an apology", style=error)
        if not v.is_open:
            text.append(f"\nResolved at stage {v.resolved_stage} on {show_date(v.resolved_on)}.")
        return text

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in ("edit_complaint", "acknowledged", "replied", "next_stage"):
            return None if not self.query_one(DataTable).row_count else True
        return True

    # -- acts ---------------------------------------------------------------------------------

    @on(DataTable.RowSelected)
    def _row_selected(self) -> None:
        self.action_edit_complaint()

    def action_new_complaint(self) -> None:
        from .complaint_form import ComplaintFormScreen

        self.app.push_screen(ComplaintFormScreen(), self._saved)

    def action_edit_complaint(self) -> None:
        from ..data.models import Complaint
        from .complaint_form import ComplaintFormScreen

        view = self._selected()
        if view is not None:
            self.app.push_screen(ComplaintFormScreen(Complaint.get_by_id(view.id)), self._saved)

    def _saved(self, complaint_id: int | None) -> None:
        if complaint_id is not None:
            self.refresh_data()
            self.select_complaint(complaint_id)

    def action_acknowledged(self) -> None:
        view = self._selected()
        if view is None:
            return
        today = self.app.today()
        if view.acknowledged_on is not None:
            self.notify(f"{view.reference} was acknowledged on {show_date(view.acknowledged_on)}; e edits it.",
                        severity="warning")
            return

        def done(result) -> None:
            if result is not None:
                complaints.record_acknowledged(view.id, result[0])
                self.app.tell_when_saved(f"{view.reference} acknowledged {show_date(result[0])}.", view.reference)
                self._saved(view.id)

        self.app.push_screen(
            DateDialog(
                f"Acknowledged: {view.reference}",
                f"In writing, saying who handles it and when to expect a response; due by "
                f"{show_date(view.acknowledgement_due)} (seed 004).",
                lambda text: complaints.check_acknowledged(view.id, text, today),
                typed(today),
                label="Sent on",
            ),
            done,
        )

    def action_replied(self) -> None:
        view = self._selected()
        if view is None or view.current is None:
            return
        current = view.current
        if current.responded_on is not None:
            self.notify(
                f"Stage {current.stage} was answered on {show_date(current.responded_on)}: if the complainant took it "
                "further, p moves it to the next stage.",
                severity="warning",
            )
            return
        today = self.app.today()
        due = f"due by {show_date(current.response_due)}" if current.response_due else "no sitecare deadline"

        def done(result) -> None:
            if result is not None:
                complaints.record_reply(view.id, result[0], result[1])
                self.app.tell_when_saved(
                    f"{view.reference}: stage {current.stage} reply recorded for {show_date(result[0])}.", view.reference)
                self._saved(view.id)

        self.app.push_screen(
            DateDialog(
                f"Replied: {view.reference}, stage {current.stage}",
                f"{current.name} ({due}).",
                lambda text: complaints.check_reply(view.id, text, today),
                typed(today),
                label="Replied on",
                notes_label="Notes",
            ),
            done,
        )

    def action_next_stage(self) -> None:
        view = self._selected()
        if view is None:
            return
        today = self.app.today()
        # Say why not before asking for a date that could never be accepted.
        _, problem = complaints.check_next_stage(view.id, typed(today), today)
        if problem and ("resolved" in problem or "last stage" in problem):
            self.notify(problem, severity="warning", timeout=10)
            return
        number = view.stage_number + 1
        info = complaints.rules.STAGES[complaints.rules.Stage(number)]
        deadline = (
            "its reply is due 10 working days after it begins"
            if info.response_working_days
            else "it follows their procedure, so sitecare sets no deadline"
        )

        def done(result) -> None:
            if result is not None:
                complaints.begin_next_stage(view.id, result[0], result[1])
                self.app.tell_when_saved(f"{view.reference} moved to stage {number} from {show_date(result[0])}.",
                                         view.reference)
                self._saved(view.id)

        self.app.push_screen(
            DateDialog(
                f"Stage {number}: {info.name}",
                f"The complainant took {view.reference} further: {_lower_first(info.handled_by)} handles it, and {deadline}.",
                lambda text: complaints.check_next_stage(view.id, text, today),
                typed(today),
                label="Began on",
                notes_label="Notes",
            ),
            done,
        )

    def action_report(self) -> None:
        self.app.push_screen(MonitoringScreen())


class MonitoringScreen(Screen):
    """Seed 004's monitoring: per year, by type, by stage resolved, on-time shares."""

    CSS_PATH = "complaints.tcss"
    BINDINGS = [
        Binding("escape", "back", "Back", id="monitoring-back"),
        Binding("x", "export", "Export CSV", id="monitoring-export"),
    ]

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static("", id="monitoring-top")
        yield DataTable(id="monitoring-table", cursor_type="row", zebra_stripes=True)
        yield Static(
            "By calendar year of receipt. On time counts only what could be judged today: an acknowledgement or "
            "reply not yet sent and not yet due is left out. Replies are counted for stages 1 and 2, the ones "
            "with a 10-working-day deadline (stages 3 and 4 follow other bodies' procedures).",
            id="monitoring-note",
            classes="hint",
        )
        yield Footer()

    def on_mount(self) -> None:
        self.refresh_data()
        self.query_one(DataTable).focus()

    def on_screen_resume(self) -> None:
        self.refresh_data()

    def refresh_data(self) -> None:
        if not self.app.vault.is_open:
            return
        reports = complaints.monitoring(self.app.today())
        table = self.query_one(DataTable)
        table.clear(columns=True)
        table.add_column("", key="what", width=36)
        for report in reports:
            table.add_column(str(report.year), key=str(report.year), width=16)
        rows: list[tuple[str, list[str]]] = [("Complaints received", [str(r.received) for r in reports])]
        for kind, label in complaints.TYPE_LABELS.items():
            rows.append((label, [str(r.by_type.get(complaints.rules.ComplaintType(kind), 0)) for r in reports]))
        for stage in range(1, 5):
            rows.append((f"Resolved at stage {stage}", [str(r.by_stage_resolved.get(stage, 0)) for r in reports]))
        rows.append(("Not resolved yet", [str(r.by_stage_resolved.get(None, 0)) for r in reports]))
        rows.append(("Acknowledged on time", [complaints.percent(r.acknowledged_on_time) for r in reports]))
        rows.append(("Answered on time", [complaints.percent(r.answered_on_time) for r in reports]))
        for label, cells in rows:
            table.add_row(Text(label, overflow="ellipsis", no_wrap=True), *cells)
        top = Text.assemble(("Complaints: monitoring report", "bold"), " (seed 004) · x: export as CSV")
        if not reports:
            top.append(" · no complaints logged yet")
        self.query_one("#monitoring-top", Static).update(top)

    def action_back(self) -> None:
        self.app.pop_screen()

    def action_export(self) -> None:
        today = self.app.today()

        def chosen(path: str | None) -> None:
            if path:
                self._write(path, complaints.monitoring_csv(today).encode("utf-8"))

        self.app.push_screen(
            PathDialog("Export the monitoring report as CSV", str(complaints.default_export_path(today))), chosen
        )

    @work(thread=True, group="export", exclusive=True)
    def _write(self, path: str, data: bytes) -> None:
        try:
            target = complaints.write_private_bytes(path, data)
        except OSError as exc:
            self.app.call_from_thread(self.notify, f"Not exported: {exc.strerror or exc}.", severity="error")
            return
        self.app.call_from_thread(self.notify, f"Exported to {target} (readable by you only).")


def _lower_first(text: str) -> str:
    """Mid-sentence case that keeps names and acronyms: "Formal complaint to CAT" ->
    "formal complaint to CAT" (not "cat")."""
    return text[:1].lower() + text[1:] if text else text
