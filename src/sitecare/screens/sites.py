"""The sites table: every establishment I visit, filtered as I type, sortable by any
column, with the briefing one key away."""

from __future__ import annotations

from datetime import date

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.screen import Screen
from textual.widgets import DataTable, Header, Input, Static

from ..data import sites
from ..data.sites import POLICY_WORDS, SiteSummary
from ..rules.dates import show_date
from ..rules.policy import PolicyState
from ..rules.validity import TrainingState
from .confirm import ConfirmScreen
from .footer import Footer
from .freshness import records_state
from .keys import NEW_CONCERN

_WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
WIDE = 110  # from this width the table also shows kind and local authority

_POLICY_RANK = {PolicyState.NO_POLICY: 0, PolicyState.NEVER_SIGNED: 1, PolicyState.RESIGN_DUE: 2, PolicyState.SIGNED_CURRENT: 3}
_TRAINING_RANK = {TrainingState.MISSING: 0, TrainingState.EXPIRED: 1, TrainingState.EXPIRING: 2, TrainingState.OK: 3, None: 4}


def visit_words(day: date | None, today: date) -> str:
    """'today', 'tomorrow', 'Tue 24 Nov' within the year ahead, else '3 Sep 2027'."""
    if day is None:
        return ""
    delta = (day - today).days
    if delta == 0:
        return "today"
    if delta == 1:
        return "tomorrow"
    if 0 < delta < 300:
        return f"{_WEEKDAYS[day.weekday()]} {day.day} {_MONTHS[day.month - 1]}"
    return show_date(day)


# (key, heading, width, wide only); the site name takes what the others leave.
COLUMNS = [
    ("name", "Site", 0, False),
    ("kind", "Kind", 16, True),
    ("authority", "Local authority", 20, True),
    ("dsl", "DSL", 16, False),
    ("policy", "Policy", 8, False),
    ("training", "Training", 10, False),
    ("next_visit", "Next visit", 10, False),
]


def name_width(total: int, wide: bool) -> int:
    """What is left for the site's name in a table `total` cells wide (two cells of
    padding per column, two for the scrollbar)."""
    shown = [c for c in COLUMNS if wide or not c[3]]
    others = sum(width for key, _, width, _ in shown if key != "name")
    return max(16, min(44, total - 2 - others - 2 * len(shown)))


def sort_value(summary: SiteSummary, key: str):
    if key == "name":
        return (summary.name.casefold(),)
    if key == "kind":
        return (summary.kind, summary.name.casefold())
    if key == "authority":
        return (not summary.authority, summary.authority.casefold(), summary.name.casefold())
    if key == "dsl":
        return (not summary.dsl, summary.dsl.casefold(), summary.name.casefold())
    if key == "policy":
        return (_POLICY_RANK[summary.policy.state], summary.name.casefold())
    if key == "training":
        return (_TRAINING_RANK[summary.training_state], summary.name.casefold())
    if key == "next_visit":
        return (summary.next_visit is None, summary.next_visit or date.max, summary.name.casefold())
    raise KeyError(key)


def matches(summary: SiteSummary, words: list[str]) -> bool:
    haystack = " ".join(
        [summary.name, sites.KIND_NAMES.get(summary.kind, summary.kind), summary.authority, summary.dsl, *summary.people]
    ).casefold()
    return all(word in haystack for word in words)


class SitesScreen(Screen):
    TITLE = "Sites"  # the header said "sitecare" on every list
    CSS_PATH = "sites.tcss"
    BINDINGS = [
        NEW_CONCERN,
        Binding("slash", "filter", "Filter", id="sites-filter"),
        Binding("b", "briefing", "Briefing", id="sites-briefing"),
        Binding("n", "new_site", "New", id="sites-new"),
        Binding("e", "edit_site", "Edit", id="sites-edit"),
        Binding("o", "people", "People", id="sites-people", show=False),
        Binding("p", "policy", "Policy", id="sites-policy"),
        Binding("r", "requirements", "Training required", id="sites-requirements", show=False),
        Binding("x", "archive", "Archive", id="sites-archive"),
        Binding("z", "sort", "Sort", id="sites-sort"),
        Binding("Z", "reverse", "Reverse sort", id="sites-reverse", show=False),
        Binding("u", "toggle_archived", "Show archived", id="sites-show-archived", show=False),
        Binding("i", "import_csv", "Import CSV", id="sites-import", show=False),
        Binding("w", "export_csv", "Export CSV", id="sites-export", show=False),
        Binding("escape", "leave_filter", "Back to the list", id="sites-leave-filter", show=False),
        Binding("down", "leave_filter", "Back to the list", id="sites-filter-down", show=False),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.summaries: list[SiteSummary] = []
        self.sort_key = "name"
        self.sort_reverse = False
        self.show_archived = False
        self._wide: bool | None = None

    def compose(self) -> ComposeResult:
        yield Header()
        with Horizontal(id="sites-top"):
            yield Input(placeholder="Filter: type part of a site, person or authority ( / )", id="sites-filter", compact=True)
            yield Static("", id="sites-count", classes="dim")
        yield DataTable(id="sites-table", cursor_type="row", zebra_stripes=True)
        yield Static("", id="sites-empty", classes="hint")
        yield Footer()

    def on_mount(self) -> None:
        self.refresh_data()
        self.query_one(DataTable).focus()

    def on_screen_resume(self) -> None:
        # Read again only when something changed (or the day did): the first switch to
        # this mode resumes it twice just after it mounted, and each reading of a few
        # hundred sites took a visible while.
        if getattr(self, "_seen", None) != self._state():
            self.refresh_data()

    def _state(self) -> tuple:
        return records_state(self.app)

    def on_resize(self) -> None:
        wide = self.size.width >= WIDE
        if wide != self._wide:
            self._populate()

    # -- data ----------------------------------------------------------------------------

    def refresh_data(self) -> None:
        if not self.app.vault.is_open:
            return
        self._seen = self._state()
        self.summaries = sites.site_summaries(self.app.today(), include_archived=self.show_archived)
        self._populate()

    def visible(self) -> list[SiteSummary]:
        words = self.query_one("#sites-filter", Input).value.casefold().split()
        shown = [s for s in self.summaries if matches(s, words)]
        shown.sort(key=lambda s: sort_value(s, self.sort_key), reverse=self.sort_reverse)
        return shown

    def _colours(self) -> tuple[str, str, str]:
        # Worked out once a table: Textual makes every theme variable afresh each call.
        variables = self.app.get_css_variables()
        return tuple(variables.get(name, "") for name in ("success", "warning", "error"))  # type: ignore[return-value]

    def _populate(self) -> None:
        table = self.query_one(DataTable)
        keep = self.selected_site_id()
        self._wide = self.size.width >= WIDE if self.size.width else False
        table.clear(columns=True)
        for key, heading, width, wide_only in COLUMNS:
            if wide_only and not self._wide:
                continue
            if key == self.sort_key:
                heading += " ▼" if self.sort_reverse else " ▲"
            if key == "name":
                width = name_width(table.size.width or self.size.width - 2, self._wide)
            table.add_column(heading, key=key, width=width)
        today = self.app.today()
        shown = self.visible()
        colours = self._colours()
        for summary in shown:
            table.add_row(*self._cells(summary, today, colours), key=str(summary.site_id))
        if keep is not None:
            index = next((i for i, s in enumerate(shown) if s.site_id == keep), 0)
            table.move_cursor(row=index)
        total = len(self.summaries)
        count = f"{len(shown)} of {total}" if len(shown) != total else f"{total} site{'s' if total != 1 else ''}"
        if self.show_archived:
            count += " (with archived)"
        self.query_one("#sites-count", Static).update(count)
        empty = self.query_one("#sites-empty", Static)
        if not total:
            empty.update("No sites yet: press n to add one, or i to import a CSV file.")
        elif not shown:
            empty.update("No site matches the filter: Escape, then / to change it.")
        empty.display = not shown

    def _cells(self, s: SiteSummary, today: date, colours: tuple[str, str, str]) -> list:
        ok, warn, bad = colours
        muted = "dim"
        name = Text(s.name + (" (archived)" if s.archived else ""), style=muted if s.archived else "",
                    overflow="ellipsis", no_wrap=True)
        policy_style = {
            PolicyState.SIGNED_CURRENT: ok,
            PolicyState.RESIGN_DUE: warn,
            PolicyState.NEVER_SIGNED: bad,
            PolicyState.NO_POLICY: bad,
        }[s.policy.state]
        training_style = {
            TrainingState.OK: ok,
            TrainingState.EXPIRING: warn,
            TrainingState.EXPIRED: bad,
            TrainingState.MISSING: bad,
            None: muted,
        }[s.training_state]
        cells = {
            "name": name,
            "kind": Text(sites.KIND_NAMES.get(s.kind, s.kind)),
            "authority": Text(s.authority or "—"),
            "dsl": Text(s.dsl, overflow="ellipsis", no_wrap=True) if s.dsl
            else Text("(private work)", style="dim") if s.private else Text("none recorded", style=bad),
            "policy": Text(POLICY_WORDS[s.policy.state], style=policy_style),
            "training": Text(s.training_word, style=training_style),
            "next_visit": Text(visit_words(s.next_visit, today), style="bold" if s.next_visit == today else ""),
        }
        return [cells[key] for key, _, _, wide_only in COLUMNS if self._wide or not wide_only]

    def selected_site_id(self) -> int | None:
        table = self.query_one(DataTable)
        if not table.row_count:
            return None
        try:
            key = table.coordinate_to_cell_key(table.cursor_coordinate).row_key
        except Exception:  # noqa: BLE001 - no row under the cursor
            return None
        return int(key.value) if key and key.value else None

    def _selected(self):
        site_id = self.selected_site_id()
        site = sites.get_site(site_id) if site_id is not None else None
        if site is None:
            self.notify("Choose a site first (the list is empty).", severity="warning")
        return site

    # -- filtering and sorting -------------------------------------------------------------

    @on(Input.Changed, "#sites-filter")
    def _filter_changed(self) -> None:
        self._populate()

    @on(Input.Submitted, "#sites-filter")
    def _filter_submitted(self) -> None:
        table = self.query_one(DataTable)
        if table.row_count:
            table.focus()
            table.move_cursor(row=0)
            self.action_briefing()

    def action_filter(self) -> None:
        self.query_one("#sites-filter", Input).focus()

    def action_leave_filter(self) -> None:
        filter_input = self.query_one("#sites-filter", Input)
        if self.focused is filter_input:
            self.query_one(DataTable).focus()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        in_filter = isinstance(self.focused, Input)
        if action == "leave_filter":
            return in_filter
        if in_filter and action != "filter":
            # Letters typed in the filter are the filter's, so its keys are hidden here.
            return False
        if action in ("briefing", "edit_site", "people", "policy", "requirements", "archive"):
            return None if not self.query_one(DataTable).row_count else True
        return True

    @on(DataTable.RowSelected)
    def _row_selected(self) -> None:
        self.action_briefing()

    @on(DataTable.HeaderSelected)
    def _header_selected(self, event: DataTable.HeaderSelected) -> None:
        key = event.column_key.value
        if key == self.sort_key:
            self.sort_reverse = not self.sort_reverse
        else:
            self.sort_key, self.sort_reverse = key, False
        self._populate()

    def action_sort(self) -> None:
        keys = [key for key, _, _, wide_only in COLUMNS if self._wide or not wide_only]
        index = keys.index(self.sort_key) if self.sort_key in keys else -1
        self.sort_key = keys[(index + 1) % len(keys)]
        self.sort_reverse = False
        self._populate()
        heading = next(h for k, h, _, _ in COLUMNS if k == self.sort_key)
        self.notify(f"Sorted by {heading.lower()}.", timeout=2)

    def action_reverse(self) -> None:
        self.sort_reverse = not self.sort_reverse
        self._populate()

    def action_toggle_archived(self) -> None:
        self.show_archived = not self.show_archived
        self.refresh_data()

    # -- going places ---------------------------------------------------------------------

    def action_briefing(self) -> None:
        from .briefing import BriefingScreen

        site = self._selected()
        if site is not None:
            self.app.push_screen(BriefingScreen(site.id))

    def action_new_site(self) -> None:
        from .site_form import SiteFormScreen

        self.app.push_screen(SiteFormScreen(), self._saved)

    def action_edit_site(self) -> None:
        from .site_form import SiteFormScreen

        site = self._selected()
        if site is not None:
            self.app.push_screen(SiteFormScreen(site), self._saved)

    def _saved(self, site_id: int | None) -> None:
        if site_id is None:
            return
        self.refresh_data()
        table = self.query_one(DataTable)
        try:
            table.move_cursor(row=table.get_row_index(str(site_id)))
        except Exception:  # noqa: BLE001 - filtered out of view
            pass

    def action_people(self) -> None:
        from .contacts import ContactsScreen

        site = self._selected()
        if site is not None:
            self.app.push_screen(ContactsScreen(site.id))

    def action_policy(self) -> None:
        from .policy import PolicyScreen

        site = self._selected()
        if site is not None:
            self.app.push_screen(PolicyScreen(site.id))

    def action_requirements(self) -> None:
        from .requirements import RequirementsScreen

        site = self._selected()
        if site is not None:
            self.app.push_screen(RequirementsScreen(site.id))

    def action_archive(self) -> None:
        site = self._selected()
        if site is None:
            return
        if site.archived:
            sites.set_archived(site, False)
            self.notify(f"{site.name} is back in the list.")
            self.refresh_data()
            return

        def answered(yes: bool | None) -> None:
            if yes:
                sites.set_archived(site, True)
                self.notify(f"Archived {site.name}: press u to show archived sites, x on it to restore.")
                self.refresh_data()

        self.app.push_screen(
            ConfirmScreen(
                f"Archive {site.name}? It leaves this list and the attention list; its people, "
                "policy and concerns are kept, and it can be restored.",
                yes="Archive",
            ),
            answered,
        )

    def action_import_csv(self) -> None:
        from .csvfile import CsvFileScreen

        self.app.push_screen(CsvFileScreen("import", "sites"), lambda _: self.refresh_data())

    def action_export_csv(self) -> None:
        from .csvfile import CsvFileScreen

        self.app.push_screen(CsvFileScreen("export", "sites"))
