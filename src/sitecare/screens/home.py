"""The home screen: what needs attention, most urgent first, shown after every unlock.

Above the list: a line of counts, an all-clear when nothing is overdue, and today's
visits with each site's DSL and number. Each row opens the record where the
practitioner acts on it: the screen (app mode) that owns the record when there is one,
asked to show it with `open_record(table, id)`; otherwise a detail window, which can do
the few small acts that need no other screen (contacts confirmed, a local authority's
numbers checked, unclaimed artwork disposed of).
"""

from __future__ import annotations

import textwrap
from functools import partial

from rich.cells import cell_len
from rich.text import Text
from textual import events, on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.command import DiscoveryHit, Hit, Hits, Provider
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.screen import ModalScreen, Screen
from textual.widgets import Button, Header, OptionList, Static
from textual.widgets.option_list import Option

from ..data import attention_inputs as inputs
from ..data import queries, rota
from ..data.models import Action, Policy
from ..rules.attention import (
    SEVERITY_LABELS,
    AttentionItem,
    Kind,
    RecordRef,
    Severity,
    Counts,
    counts,
    describe_due,
    describe_due_with_date,
)
from ..rules.dates import show_date
from ..rules.phones import PhoneError, show_phone
from .footer import Footer
from .freshness import records_state
from .keys import NEW_CONCERN

WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")

SEVERITY_STYLES = {
    Severity.OVERDUE: "bold $error",
    Severity.DUE_SOON: "bold $warning",
    Severity.UPCOMING: "$text-muted",
}

DETAIL_FIRST = frozenset({Kind.ARTWORK_DISPOSAL})

# The screen (app mode) that owns each kind of record; the first that exists is used.
ROUTES: dict[str, tuple[str, ...]] = {
    "training_record": ("training",),
    "requirement": ("training",),
    "site": ("sites",),
    "concern": ("concerns",),
    "complaint": ("complaints",),
    "client": ("clients",),
    "consent": ("clients",),
    "data_request": ("clients", "data_requests", "requests"),
    "local_authority": ("authorities", "local_authorities"),
}


def route_ref(ref: RecordRef) -> RecordRef:
    """The record a screen shows for an item: a concern's action opens the concern, a
    policy its site."""
    if ref.table == "action":
        action = Action.get_or_none(Action.id == ref.id)
        if action is not None and action.concern_id is not None:
            return RecordRef("concern", action.concern_id)
    if ref.table == "policy":
        policy = Policy.get_or_none(Policy.id == ref.id)
        if policy is not None:
            return RecordRef("site", policy.site_id)
    return ref


def _show_concern(app, concern_id: int) -> None:
    try:
        from .concern import ConcernScreen
    except ImportError:  # pragma: no cover - the concern screen ships with the concerns mode
        return
    app.push_screen(ConcernScreen(concern_id))


def _show_site(app, site_id: int) -> None:
    try:
        from .briefing import BriefingScreen
    except ImportError:  # pragma: no cover
        return
    app.push_screen(BriefingScreen(site_id))


def _show_authority(app, authority_id: int) -> None:
    show = getattr(app.screen, "show_authority", None)
    if show is not None:
        show(authority_id)


# How to show a record on its mode's screen when that screen has no open_record().
_SHOW = {"concern": _show_concern, "site": _show_site, "local_authority": _show_authority}


def open_record_elsewhere(app, ref: RecordRef) -> bool:
    """Switch to the mode that owns the record and show it there; False when no mode
    owns it yet (the caller shows the detail window instead).

    A mode's screen may offer `open_record(table, id) -> bool`; otherwise the few
    screens known here are opened directly (a concern, a site's briefing, a local
    authority)."""
    if ref.table in ("concern", "site"):
        # A concern and a briefing are screens of their own: opened over the home
        # screen, Esc comes back here rather than to another mode's list.
        _SHOW[ref.table](app, ref.id)
        return True
    mode = next((m for m in ROUTES.get(ref.table, ()) if m in app.MODES), None)
    if mode is None:
        return False
    app.switch_mode(mode)

    def show() -> None:
        opener = getattr(app.screen, "open_record", None)
        if opener is not None and opener(ref.table, ref.id):
            return
        fallback = _SHOW.get(ref.table)
        if fallback is not None:
            fallback(app, ref.id)

    app.call_after_refresh(show)
    return True


def _phone(number: str) -> str:
    try:
        return show_phone(number) if number else ""
    except PhoneError:
        return number


INDENT = 9

# Rows drawn at a time. A busy practice's decade made 4,000 items; laying them all out
# took over a second at launch, and nobody reads past the first screens before acting.
PAGE = 100

# Rows drawn before the first paint; the rest of the page follows just after it. More
# than a tall terminal shows (two or three lines a row): the rest took 7 ms of the way
# to the first paint on the large vault.
FIRST_ROWS = 40
REST_AFTER = 0.05  # seconds


def _wrap(text: str, width: int) -> list[str]:
    return textwrap.wrap(text, max(width - INDENT, 20), break_long_words=True) or [""]


class Wrapped(Content):
    """A prompt already wrapped into its lines. The option list asks every row's height
    at each width it tries (before and after its scrollbar appears), and Content finds it
    by wrapping the whole text again: a page of rows took 10 to 20 ms each time at
    launch. Where every line fits, the height is the count of lines."""

    def get_height(self, rules, width: int) -> int:
        widest = getattr(self, "_widest", None)
        if widest is None:
            lines = self.plain.split("\n")
            self._widest = widest = max(cell_len(line) for line in lines)
            self._lines = len(lines)
        if widest <= width - rules.get("line_pad", 0) * 2:
            return self._lines
        return super().get_height(rules, width)


def item_prompt(item: AttentionItem, today, now, width: int = 78) -> Content:
    """Two or more lines, wrapped with a hanging indent under the severity."""
    badge = f"{SEVERITY_LABELS[item.severity].upper():<{INDENT}}"
    style = SEVERITY_STYLES[item.severity]
    pad = " " * INDENT
    parts: list = [(badge, style)]
    head = _wrap(f"{item.label}: {item.subject}", width)
    label = f"{item.label}:"
    if head[0].startswith(label):
        parts += [(label, "bold"), head[0][len(label):]]
    else:
        parts.append(head[0])
    for line in head[1:]:
        parts += ["\n", pad + line]
    due = describe_due(item, today, now)
    body = _wrap(f"{due} · {item.what_to_do}", width)
    for index, line in enumerate(body):
        parts += ["\n", pad]
        if index == 0 and line.startswith(due):
            parts += [(due, style.replace("bold ", "")), line[len(due):]]
        else:
            parts.append(line)
    return Wrapped.assemble(*parts)


class AttentionCommands(Provider):
    """The home and training screens' actions, in the command palette (ctrl+p)."""

    def _commands(self):
        app = self.app
        screen = self.screen
        found = [
            ("Home: what needs attention", "Go to the home screen (h)", lambda: app.switch_mode("home")),
            ("Export the due dates as a calendar (.ics)", "Every future due date, with reminders",
             lambda: _export_calendar(app)),
        ]
        if "training" in app.MODES:
            found.append(("Training and certificates", "Go to the training screen (t)", lambda: app.switch_mode("training")))
            found.append(("Site compliance: sites x required training", "The compliance matrix",
                          lambda: _open_compliance(app)))
        if hasattr(screen, "action_add") and "Training" in type(screen).__name__:
            found.append(("Add a training record", "With its certificate", screen.action_add))
        return found

    async def discover(self) -> Hits:
        for name, help_text, callback in self._commands():
            yield DiscoveryHit(name, callback, help=help_text)

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for name, help_text, callback in self._commands():
            score = matcher.match(name)
            if score > 0:
                yield Hit(score, matcher.highlight(name), callback, help=help_text)


def _export_calendar(app) -> None:
    # The export form (and the form machinery it needs) loads on first use, not at launch.
    from .calendar_export import ExportCalendarScreen

    app.push_screen(ExportCalendarScreen())


def _open_compliance(app) -> None:
    from .compliance import ComplianceScreen

    app.push_screen(ComplianceScreen())


class VisitsLine(Static):
    """Today's visits, one site a line: its name, its DSL and where it records concerns,
    with a part that does not fit carried on to the next line under the name (wrapped
    anywhere, "sitecare (my own records)" ran on from the margin at 80 columns)."""

    #: Lines at most, the day's heading included: the list below keeps the screen.
    MOST_LINES = 6

    _head: Text = Text()
    _visits: list[list[Text]] = []
    _laid_at: int | None = None

    def show(self, head: Text, visits: list[list[Text]]) -> None:
        self._head, self._visits = head, visits
        self._lay_out()

    def _lay_out(self) -> None:
        # Before the first layout the line has no size: guess it as the layout will make
        # it (the screen less #home's padding), and lay out again if the guess was wrong.
        self._laid_at = width = self.size.width or (self.screen.size.width or 80) - 2
        blocks = []
        for name, *rest in self._visits:
            block = [Text("  ") + name]
            for part in rest:
                if block[-1].cell_len + 3 + part.cell_len <= width:
                    block[-1].append(" · ")
                    block[-1].append_text(part)
                else:
                    block.append(Text("    ") + part)
            blocks.append(block)
        lines = [self._head]
        for shown, block in enumerate(blocks):
            last = shown == len(blocks) - 1
            # A visit that does not fit whole is not cut: it is counted on a last line.
            if len(lines) + len(block) + (0 if last else 1) > self.MOST_LINES:
                left = len(blocks) - shown
                lines.append(Text(f"  and {left} more visit{'s' if left != 1 else ''}: the sites table (s) "
                                  "shows each site's next visit", style="italic"))
                break
            lines += block
        self.update(Text("\n").join(lines))

    def on_resize(self) -> None:
        if self._visits and self.size.width != self._laid_at:
            self._lay_out()


#: How long after the list is shown it is kept in the vault: long enough that a launch
#: has painted and the user's first keys are answered first.
KEEP_AFTER_SECONDS = 2.0


_SECTION_WORDS = {Severity.OVERDUE: "overdue", Severity.DUE_SOON: "due soon", Severity.UPCOMING: "due later"}


class HomeScreen(Screen):
    CSS_PATH = "home.tcss"
    COMMANDS = {AttentionCommands}
    # At 80 columns the footer has room for the keys below that it shows, then the
    # app's Quit, Help and Lock, left of the palette's key (to the column: the home
    # tests check it); the calendar export is in the help (F1) and the palette. u says
    # what pressing it does: one of its two bindings is shown at a time (check_action).
    BINDINGS = [
        NEW_CONCERN,
        Binding("u", "show_later(True)", "Show later", id="home-upcoming",
                tooltip="Show what is due later in the list"),
        Binding("u", "show_later(False)", "Hide later", id="home-upcoming-hide",
                tooltip="Hide what is due later from the list"),
        Binding("i", "details", "Details", id="home-details"),
        # A busy decade had 2,680 items overdue: what is due soon was 27 pages down.
        Binding("n", "next_section", "Next section", id="home-next-section", show=False,
                tooltip="Jump to the first item due soon, then to the first due later"),
        Binding("x", "export_calendar", "Calendar", id="home-calendar", show=False,
                tooltip="Export the due dates (.ics)"),
    ]

    def __init__(self) -> None:
        super().__init__()
        # Textual's first switch to a mode re-parses and re-applies the whole app's CSS
        # twice for the new screen, as if it had missed a change of theme while hidden;
        # a screen not yet mounted has no styles to bring up to date (it is styled as it
        # mounts). Measured: 16 ms of the launch. A later change of theme still reaches
        # it (App.refresh_css updates the current screen).
        if hasattr(self, "_css_update_count"):
            self._css_update_count = self.app._css_update_count
        self.items: list[AttentionItem] = []
        self.shown: list[AttentionItem] = []
        self.tally = Counts()  # of self.items, worked out once per gathering
        self.show_upcoming = False
        self.limit = PAGE
        # The footer waits for the list: which of u's keys shows, and whether it and i
        # are enabled, follow from what is listed (check_action).
        self.keys_ready = False
        self._unshown = False
        self._been_shown = False
        self._showing = False
        self._drawn = False  # the list drawn once (the first drawing is split: FIRST_ROWS)
        self._renders = 0  # drawings of the list, so a late rest-of-page knows it is stale

    def compose(self) -> ComposeResult:
        # The list is read before the widgets are made, so that the footer draws its
        # keys once, with the screen, rather than empty at the first paint and again
        # after it (measured: a rebuild of the footer and a paint more at launch).
        if self.app.vault.is_open:
            self._gather()
            self._unshown = True
        yield Header()
        with Vertical(id="home"):
            yield Static("", id="home-counts")
            yield Static("", id="home-clear")
            yield VisitsLine("", id="home-visits")
            yield OptionList(id="attention")
        yield Footer()

    def on_mount(self) -> None:
        self.refresh_data()
        self.query_one(OptionList).focus()

    def on_screen_resume(self, event: events.ScreenResume) -> None:
        # Handled before Textual's own handler (Screen._on_screen_resume), which then
        # styles every widget again: until the screen is first drawn, nothing has
        # changed since each was styled as it mounted (a change of theme meanwhile is
        # caught by _css_update_count, above). Measured: 7 ms just after the first
        # paint, and again in the wait for the key at the unlock. (The first switch to
        # a mode resumes its screen twice.)
        if not self._been_shown:
            event.refresh_styles = False
            if self.app.screen is self and not self._showing:
                self._showing = True
                # A method, not setattr: Textual reads a callback's signature, and a
                # builtin's is parsed from text by tokenize, whose patterns are then
                # compiled (measured: 5 ms on the way to the first paint).
                self.call_after_refresh(self._shown_once)
        # Coming back to the home screen reads everything again only when something
        # changed (or the day did): the list is the costliest thing at launch.
        if self._unshown or getattr(self, "_seen", None) != self._state():
            self.refresh_data()

    def on_resize(self) -> None:
        options = self.query_one(OptionList)
        if self.items and options.size.width and options.size.width - 2 != getattr(self, "_width", None):
            # Re-wrap what is already known; gathering again would double the launch.
            self._render_options()

    def _shown_once(self) -> None:
        self._been_shown = True

    def _state(self) -> tuple:
        return records_state(self.app)

    def _gather(self) -> None:
        now = self.app.now()
        self._seen = records_state(self.app)
        self.items = items = inputs.current_attention(now)
        self.tally = counts(items)
        self.shown = [i for i in items if self.show_upcoming or i.severity is not Severity.UPCOMING]
        self.keys_ready = True

    def refresh_data(self) -> None:
        if not self.app.vault.is_open or not self.is_mounted:
            return
        # The list read in compose is shown as it is, unless something changed since.
        if not self._unshown or self._seen != self._state():
            self._gather()
        self._unshown = False
        today = self._seen[1]
        tally = self.tally

        vault = queries.vault_counts()
        parts = [f"{tally.overdue:,} overdue", f"{tally.due_soon:,} due soon", f"{tally.upcoming:,} later"]
        parts += [f"{vault.sites} site{'s' if vault.sites != 1 else ''}",
                  f"{vault.open_concerns} open concern{'s' if vault.open_concerns != 1 else ''}"]
        self.query_one("#home-counts", Static).update(" · ".join(parts))

        clear = self.query_one("#home-clear", Static)
        if tally.overdue == 0:
            windows = inputs.windows()
            if tally.due_soon == 0:
                clear.update(f"All clear: nothing is overdue, and nothing falls due in the next {windows.other_days} "
                             f"days ({windows.training_days} for training).")
            else:
                clear.update("All clear: nothing is overdue.")
            clear.display = True
        else:
            clear.display = False

        self._show_visits(today)
        self._render_options()
        self._keep_later()

    def _keep_later(self) -> None:
        """Keep the list in the vault once the screen is drawn and the user is idle, so
        the next opening starts from it (data/kept_attention.py). Never on the way to
        the first paint; never for a read-only vault (nothing may be written)."""
        if getattr(self, "_keep_timer", None) is not None:
            self._keep_timer.stop()
        if not self.app.vault.readonly:
            self._keep_timer = self.set_timer(KEEP_AFTER_SECONDS, self._keep)

    def _keep(self) -> None:
        self._keep_timer = None
        if self.app.vault.is_open and not self.app.vault.readonly:
            plan = inputs.plan_keep(self.app.now())
            if plan is not None:
                self._make_ready(plan)

    @work(thread=True, exclusive=True, group="keep-attention", exit_on_error=False)
    def _make_ready(self, plan) -> None:
        # Asking the rules about the week ahead is pure work: off the app's thread, so
        # the first keep of a large vault does not hold up the keys pressed meanwhile.
        plan.make_ready()
        self.app.call_from_thread(self._write_kept, plan)

    def _write_kept(self, plan) -> None:
        if not self.app.vault.is_open or self.app.vault.readonly:
            return
        try:
            inputs.apply_keep(plan)
        except Exception:  # noqa: BLE001 - keeping is a shortcut: without it, the next opening reads afresh
            pass

    def _render_options(self) -> None:
        now = self.app.now()
        today = now.date()
        tally = self.tally
        options = self.query_one(OptionList)
        highlighted = options.highlighted
        options.clear_options()
        # Before the first layout the list has no size: guess it as the layout will make
        # it (the screen less #home's padding and the scrollbar), so the resize that
        # follows does not wrap everything a second time.
        self._width = width = (options.size.width - 2) if options.size.width else (self.size.width or 80) - 4
        # One batch: adding options one by one re-laid the list out each time.
        first = not self._drawn and highlighted is None
        self._drawn = True
        upto = min(self.limit, FIRST_ROWS) if first else self.limit
        batch = [Option(item_prompt(item, today, now, width), id=str(index))
                 for index, item in enumerate(self.shown[:upto])]
        self._renders += 1
        if upto < min(self.limit, len(self.shown)):
            # Just after the first paint (and the frame after it, which a resume asks for).
            self.set_timer(REST_AFTER, partial(self._render_rest, self._renders))
            options.add_options(batch)
            options.highlighted = 0
            self.refresh_bindings()
            return
        unshown = len(self.shown) - self.limit
        hidden = len(self.items) - len(self.shown)
        if unshown > 0:
            later = self._section_after(self.limit - 1)
            jump = f", or n to jump to what is {_SECTION_WORDS[self.shown[later].severity]}" if later is not None else ""
            batch.append(Option(Content.styled(
                f"{unshown:,} more, most urgent first: press Enter to show the next {min(PAGE, unshown)}{jump}.",
                "$text-muted"), id="page"))
        elif hidden:
            batch.append(Option(Content.styled(f"{hidden} more due later: press u to show them.", "$text-muted"), id="more"))
        elif self.show_upcoming and tally.upcoming:
            batch.append(Option(Content.styled("Press u to hide what is due later.", "$text-muted"), id="more"))
        if not self.items:
            batch.append(Option(Content.styled(
                "Nothing has a due date yet. Add your training (t) and your sites (s); what needs doing appears here.",
                "$text-muted"), id="more"))
        options.add_options(batch)
        if options.option_count:
            options.highlighted = min(highlighted or 0, options.option_count - 1)
        self.refresh_bindings()

    def _section_after(self, at: int) -> int | None:
        """Where the shown item after `at` of another severity is (they come in order:
        overdue, due soon, due later), or None."""
        if not 0 <= at < len(self.shown):
            return None
        current = self.shown[at].severity
        return next((i for i in range(at + 1, len(self.shown)) if self.shown[i].severity is not current), None)

    def action_next_section(self) -> None:
        options = self.query_one(OptionList)
        at = min(options.highlighted or 0, len(self.shown) - 1)
        found = self._section_after(at)
        if found is None:
            if not self.show_upcoming and self.tally.upcoming:
                self.notify("Nothing further is listed: u shows what is due later.")
            elif self.shown:
                self.notify("This is the last part of the list.")
            return
        if found >= self.limit:
            self.limit = (found // PAGE + 1) * PAGE
            self._render_options()
        options.highlighted = found
        options.scroll_to_highlight(top=True)

    def _render_rest(self, render: int) -> None:
        """The rest of the first page, after the first paint; not if drawn again since."""
        if render != self._renders or not self.is_mounted:
            return
        options = self.query_one(OptionList)
        highlighted = options.highlighted
        self._render_options()
        if highlighted is not None:
            options.highlighted = highlighted

    def _show_visits(self, today) -> None:
        box = self.query_one("#home-visits", VisitsLine)
        try:
            visits = rota.todays_visits(today)
        except Exception:  # noqa: BLE001 - the visits line must never stop the home screen
            visits = []
        head = f"Today, {WEEKDAYS[today.weekday()]} {show_date(today)}: "
        if not visits:
            box.show(Text(head + "no visits in your rota.", style=""), [])
            return
        parts = []
        for visit in visits:
            about = [Text(visit.site_name, style="bold")]
            if visit.dsl_name:
                about.append(Text(f"DSL {visit.dsl_name}" + (f" {_phone(visit.dsl_phone)}" if visit.dsl_phone else "")))
            elif visit.site_kind == "private_practice":
                about.append(Text("private practice: no site DSL"))
            else:
                about.append(Text("no DSL recorded"))
            if visit.recording_system:
                # Said as the site form says it: a bare "paper form" or "sitecare (my
                # own records)" read as part of the DSL's details.
                about.append(Text(f"record concerns on {visit.recording_system}"))
            parts.append(about)
        box.show(Text(head.rstrip() + ("" if len(visits) == 1 else f" {len(visits)} visits"), style="bold"), parts)

    # -- acting on a row ------------------------------------------------------------

    def selected_item(self) -> AttentionItem | None:
        options = self.query_one(OptionList)
        if options.highlighted is None:
            return None
        option = options.get_option_at_index(options.highlighted)
        if option.id is None or not option.id.isdigit():
            return None
        return self.shown[int(option.id)]

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "details" and self.is_mounted:
            return True if self.selected_item() is not None else None
        if action == "show_later":
            # The binding for what pressing u would do; the other is hidden.
            if bool(parameters and parameters[0]) == self.show_upcoming:
                return False
            return True if self.tally.upcoming else None
        return True

    @on(OptionList.OptionHighlighted)
    def _highlighted(self) -> None:
        self.refresh_bindings()

    @on(OptionList.OptionSelected)
    def _selected(self, event: OptionList.OptionSelected) -> None:
        if event.option.id == "page":
            # The highlight stays where it was: on the first of the rows just added.
            self.limit += PAGE
            self._render_options()
            return
        if event.option.id == "more":
            if self.tally.upcoming:
                self.action_toggle_upcoming()
            return
        item = self.selected_item()
        if item is not None:
            self.open_item(item)

    def open_item(self, item: AttentionItem) -> None:
        # Unclaimed artwork is recorded as disposed of here: no other screen does it.
        if item.kind in DETAIL_FIRST or not open_record_elsewhere(self.app, route_ref(item.ref)):
            self.action_details()

    def action_details(self) -> None:
        item = self.selected_item()
        if item is None:
            return

        def closed(changed: bool | None) -> None:
            if changed:
                self.refresh_data()

        self.app.push_screen(AttentionDetailScreen(item), closed)

    def action_show_later(self, show: bool) -> None:
        if show != self.show_upcoming:
            self.action_toggle_upcoming()

    def action_toggle_upcoming(self) -> None:
        """Show or hide what is due later. The rows already drawn stay drawn (what is
        due later comes after everything else), and the highlighted item stays
        highlighted; when it is hidden, the line offering it again is."""
        item = self.selected_item()
        self.show_upcoming = not self.show_upcoming
        self.refresh_data()
        options = self.query_one(OptionList)
        if item is not None and item in self.shown:
            at = self.shown.index(item)
            if at >= self.limit:  # changed underneath since it was drawn
                self.limit = (at // PAGE + 1) * PAGE
                self._render_options()
            options.highlighted = at
        elif item is not None and item.severity is Severity.UPCOMING:
            options.highlighted = options.option_count - 1

    def action_export_calendar(self) -> None:
        _export_calendar(self.app)


# ------------------------------------------------------------------------ the detail window


class AttentionDetailScreen(ModalScreen[bool]):
    """One item in full, and the small acts that need no other screen."""

    BINDINGS = [Binding("escape", "close", "Close", id="detail-close")]

    ACTS = {
        Kind.CONTACTS: ("confirm", "Confirmed with the site today"),
        Kind.AUTHORITY: ("verify", "Numbers checked today"),
        Kind.ARTWORK_DISPOSAL: ("artwork", "Artwork disposed of today"),
    }

    def __init__(self, item: AttentionItem):
        super().__init__()
        self.item = item

    def compose(self) -> ComposeResult:
        item = self.item
        today = self.app.today()
        with Vertical(classes="dialog attention-detail"):
            yield Static(f"{item.label}: {item.subject}", classes="dialog-title", markup=False)
            yield Static(Content.assemble(
                (SEVERITY_LABELS[item.severity], SEVERITY_STYLES[item.severity]),
                f" · {describe_due_with_date(item, today, self.app.now())}",
            ))
            yield Static(item.action + ".", markup=False)
            if item.detail and item.detail != item.action:
                yield Static(item.detail, classes="hint", markup=False)
            act = self.ACTS.get(item.kind)
            if act is None:
                yield Static("Press Enter on the item in the list to open the record where this is done.", classes="hint")
            with Horizontal(classes="buttons"):
                if act is not None:
                    yield Button(act[1], variant="primary", id=act[0], compact=True)
                yield Button("Close  esc", id="close", compact=True)

    def on_mount(self) -> None:
        self.query_one("#close", Button).focus()

    @on(Button.Pressed, "#close")
    def action_close(self) -> None:
        self.dismiss(False)

    @on(Button.Pressed, "#confirm")
    def _confirm(self) -> None:
        count = inputs.confirm_site_contacts(self.item.ref.id, self.app.today())
        self.app.tell_when_saved(f"Marked {count} contact{'s' if count != 1 else ''} at {self.item.subject} as confirmed today.",
                                 f"the contacts at {self.item.subject}")
        self.dismiss(True)

    @on(Button.Pressed, "#verify")
    def _verify(self) -> None:
        inputs.mark_authority_verified(self.item.ref.id, self.app.today())
        self.app.tell_when_saved(f"{self.item.subject}: numbers marked as checked today.", f"{self.item.subject}'s check")
        self.dismiss(True)

    @on(Button.Pressed, "#artwork")
    def _artwork(self) -> None:
        inputs.record_artwork_disposed(self.item.ref.id, self.app.today())
        self.app.tell_when_saved(f"{self.item.subject}: unclaimed artwork recorded as disposed of today.",
                                 f"{self.item.subject}'s artwork disposal")
        self.dismiss(True)
