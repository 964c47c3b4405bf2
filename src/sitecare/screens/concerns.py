"""Concerns (key c): every concern, filtered by site, status, kind, category and dates,
with a text search over accounts and chronology entries."""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import Screen
from textual.widgets import DataTable, Header, Input, Select, Static

from ..data import concerns
from ..rules.concerns import CATEGORIES, KIND_LABELS, STATUS_LABELS
from ..rules.dates import DateError, parse_optional_uk_date, show_date
from .footer import Footer
from .freshness import records_state
from .keys import NEW_CONCERN

SHORT_KINDS = {
    "disclosure": "Disclosure",
    "allegation_staff": "Allegation (staff)",
    "whistleblowing": "Whistleblowing",
    "serious_incident": "Serious incident",
    "data_breach": "Data breach",
}


SHORT_STATUS = {"open": "Open", "awaiting_outcome": "Awaiting", "closed": "Closed"}


def _fit(text: str, width: int) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"


PAGE = 200


class ConcernsScreen(Screen):
    CSS_PATH = "concerns.tcss"
    BINDINGS = [
        NEW_CONCERN,
        Binding("slash", "search", "Search", id="concerns_search"),
        Binding("x", "clear", "Clear", id="concerns_clear"),
        Binding("p", "templates", "Procedures", id="concerns_templates"),
        Binding("plus", "more", "200 more", id="concerns_more"),
        Binding("escape", "to_table", "Results", show=False),
    ]

    limit = PAGE

    def compose(self) -> ComposeResult:
        yield Header()
        with Vertical(id="concern-filters"):
            with Horizontal():
                yield Input(placeholder="Search accounts, entries, sites", id="q-text", compact=True)
                yield Select(
                    [("Open or awaiting", "active")] + [(label, value) for value, label in STATUS_LABELS.items()],
                    prompt="Any status", id="q-status", compact=True,
                )
                yield Select([(label, value) for value, label in KIND_LABELS.items()], prompt="Any kind", id="q-kind", compact=True)
            with Horizontal():
                yield Select([], prompt="Any site", id="q-site", compact=True)
                yield Select([(c, c) for c in CATEGORIES], prompt="Any category", id="q-category", compact=True)
                yield Input(placeholder="From dd/mm/yyyy", id="q-from", compact=True)
                yield Input(placeholder="To dd/mm/yyyy", id="q-to", compact=True)
            yield Static("", id="q-error")
        yield DataTable(id="concern-table", cursor_type="row", zebra_stripes=True)
        # The highlighted concern's next step in full: at 80 columns its cell shows
        # only the start, and the next step is what the practitioner came to read.
        yield Static("", id="concern-next", markup=False)
        yield Static("", id="concern-count")
        yield Footer(compact=True)

    def on_mount(self) -> None:
        self.title = "Concerns"
        self.refresh_data()
        self.query_one(DataTable).focus()

    def on_screen_resume(self) -> None:
        # Textual resumes a screen as it is first shown, just after its mount: reading
        # every concern and the page's next steps again doubled the opening (about 0.9 s
        # on the large vault), and coming back to an unchanged list read it all again.
        if self.app.vault.is_open and getattr(self, "_seen", None) != self._state():
            self.refresh_data()

    def _state(self) -> tuple:
        # The minute too: a deadline counted in hours turns overdue at its minute.
        return (*records_state(self.app), self.app.now().replace(second=0, microsecond=0))

    def refresh_data(self) -> None:
        if not self.app.vault.is_open:
            return
        self._seen = self._state()
        site_select = self.query_one("#q-site", Select)
        chosen = site_select.value
        sites = [(s.name, s.id) for s in concerns.sites_for_choice()]
        site_select.set_options(sites)
        if isinstance(chosen, int) and any(v == chosen for _, v in sites):
            site_select.value = chosen
        self.apply_filters()

    def _filter(self) -> concerns.ConcernFilter | None:
        errors = []
        dates = {}
        for name, label in (("from", "From"), ("to", "To")):
            try:
                dates[name] = parse_optional_uk_date(self.query_one(f"#q-{name}", Input).value)
            except DateError as exc:
                errors.append(f"{label}: {exc}")
                dates[name] = None
        if dates["from"] and dates["to"] and dates["from"] > dates["to"]:
            errors.append("The 'from' date is after the 'to' date.")
        self.query_one("#q-error", Static).update(" ".join(errors))
        if errors:
            return None

        def chosen(selector: str):
            value = self.query_one(selector, Select).value
            return None if value is Select.NULL else value

        return concerns.ConcernFilter(
            site_id=chosen("#q-site"),
            status=chosen("#q-status"),
            kind=chosen("#q-kind"),
            category=chosen("#q-category"),
            date_from=dates["from"],
            date_to=dates["to"],
            text=self.query_one("#q-text", Input).value,
        )

    @on(Input.Changed)
    @on(Select.Changed)
    def apply_filters(self) -> None:
        if not self.app.vault.is_open:
            return
        flt = self._filter()
        if flt is None:
            return
        table = self.query_one(DataTable)
        cursor = table.cursor_row
        # The highlighted concern stays highlighted while it is listed, wherever its
        # row now is (a search cleared puts it back among the others).
        highlighted = self._highlighted_key()
        table.clear(columns=True)
        self._built_width = self.size.width
        today = self.app.today()
        matching = concerns.find_concern_ids(flt)
        if flt != getattr(self, "_shown_filter", None):
            self._shown_filter, self.limit = flt, PAGE
        # Newest first, a page at a time: working out every concern's next step made
        # each keystroke take seconds on a large vault.
        found = concerns.concerns_by_id(matching[: self.limit])
        # Fit 80 columns: the site and the next step share what the fixed columns leave.
        # A reference is never cut (a busy year's run to C-2026-001155).
        ref_width = max([10] + [len(c.reference) for c in found])
        kind_width = 18 if self.size.width >= 140 else 12
        spare = max(20, self.size.width - 2 - (ref_width + 11 + kind_width + 10) - 5 * 2)
        site_width = max(12, min(32, spare // 3))
        table.add_column("Ref", width=ref_width)
        table.add_column("Noticed", width=11)
        table.add_column("Site", width=site_width)
        table.add_column("Kind", width=kind_width)
        table.add_column("Status", width=10)
        table.add_column("Next", width=max(12, spare - site_width))
        next_steps = concerns.next_actions(found, today, self.app.now())
        site_names = concerns.site_names()
        self._next_steps = {}
        for concern in found:
            next_step = next_steps[concern.id]
            site = site_names.get(concern.site_id, "no site")
            self._next_steps[str(concern.id)] = f"{concern.reference} at {site}: {next_step}"
            table.add_row(
                concern.reference,
                show_date(concern.noticed_at.date() if concern.noticed_at else None),
                _fit(site_names.get(concern.site_id, "—"), site_width),
                _fit(SHORT_KINDS.get(concern.kind, concern.kind), kind_width),
                _fit(SHORT_STATUS.get(concern.status, concern.status), 10),
                next_step,
                key=str(concern.id),
            )
        if found:
            rows = {str(concern.id): row for row, concern in enumerate(found)}
            table.move_cursor(row=rows.get(highlighted, min(cursor, len(found) - 1)))
        self._show_next()
        total = concerns.count_concerns()
        more = len(matching) - len(found)
        self._more = more
        if not total:
            note = "No concerns recorded. ctrl+n (or F2) raises one from anywhere."
        elif more:
            # A search every concern matches said the same as no search (a trial took it
            # for a search that did nothing).
            if len(matching) != total:
                which = f" matching (of {total:,})"
            else:
                which = " (every one matches)" if flt != concerns.ConcernFilter() else ""
            note = f"The newest {len(found):,} of {len(matching):,}{which}: + shows {min(PAGE, more)} more; / searches."
        elif len(found) == total:
            note = f"{len(found):,} concern{'s' if len(found) != 1 else ''}. Enter opens one; / searches; p: procedure templates."
        else:
            note = f"{len(found):,} of {total:,} concerns match. Esc, then x, clears the filters."
        self.query_one("#concern-count", Static).update(note)
        self.refresh_bindings()

    def on_resize(self) -> None:
        # Only a new width changes the columns; the first resize comes with the mount.
        if self.is_mounted and self.size.width != getattr(self, "_built_width", None):
            self.apply_filters()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "more":
            return bool(getattr(self, "_more", 0))  # hidden when there is nothing more
        if action == "to_table":
            # From the table itself Esc goes on to the app's: back home.
            return self.focused is not self.query_one(DataTable)
        return True

    def action_more(self) -> None:
        table = self.query_one(DataTable)
        first_new = self.limit
        self.limit += PAGE
        self.apply_filters()
        table.move_cursor(row=first_new)

    def _highlighted_key(self) -> str | None:
        """The highlighted concern's row key (its id), or None."""
        table = self.query_one(DataTable)
        if table.row_count and table.cursor_row is not None:
            return table.coordinate_to_cell_key((table.cursor_row, 0)).row_key.value
        return None

    @on(DataTable.RowHighlighted)
    def _show_next(self) -> None:
        key = self._highlighted_key()
        text = getattr(self, "_next_steps", {}).get(key, "") if key is not None else ""
        self.query_one("#concern-next", Static).update(text)

    @on(Input.Submitted)
    def submitted(self) -> None:
        self.action_to_table()

    @on(DataTable.RowSelected)
    def open_concern(self, event: DataTable.RowSelected) -> None:
        from .concern import ConcernScreen

        if event.row_key.value is not None:
            self.app.push_screen(ConcernScreen(int(event.row_key.value)))

    def action_search(self) -> None:
        self.query_one("#q-text", Input).focus()

    def action_to_table(self) -> None:
        self.query_one(DataTable).focus()

    def action_clear(self) -> None:
        for selector in ("#q-text", "#q-from", "#q-to"):
            self.query_one(selector, Input).value = ""
        for selector in ("#q-status", "#q-kind", "#q-site", "#q-category"):
            self.query_one(selector, Select).clear()
        self.apply_filters()

    def action_templates(self) -> None:
        from .templates import TemplatesScreen

        self.app.push_screen(TemplatesScreen())
