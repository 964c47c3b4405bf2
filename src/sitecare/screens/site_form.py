"""Add or edit a site: its details, how it wants concerns reported, its visit pattern,
and (when adding) who its DSL is."""

from __future__ import annotations

from datetime import date

from textual import on
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.suggester import SuggestFromList
from textual.widgets import Button, Input, Select, Static, TextArea

from ..data import sites
from ..data.models import Site
from ..rules.dates import show_date
from ..rules.visits import (
    WEEKDAY_NAMES,
    Frequency,
    VisitPattern,
    build_rrule,
    describe_rrule,
    next_visit,
    pattern_from_rrule,
)
from . import formfields as ff
from .formfields import Field, FormScreen

RECORDING_SYSTEMS = ["MyConcern", "CPOMS", "paper form", "Safeguard", "email to the DSL"]
CUSTOM = "custom"
FREQUENCIES = [
    ("No regular visits", ""),
    ("Every week", Frequency.WEEKLY.value),
    ("Every fortnight", Frequency.FORTNIGHTLY.value),
    ("Once a month", Frequency.MONTHLY.value),
    ("Every weekday", Frequency.WEEKDAYS.value),
]
WEEKS = [("First", 1), ("Second", 2), ("Third", 3), ("Fourth", 4), ("Last", -1)]


def weekday_choice(value):
    if value is Select.NULL:
        raise ValueError("Choose the day of the week for the visits.")
    return value


class SiteFormScreen(FormScreen):
    """Dismisses with the saved site's id, or None when cancelled."""

    CSS_PATH = "site_form.tcss"

    def __init__(self, site: Site | None = None):
        super().__init__()
        self.site = site

    # -- layout ------------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        site = self.site
        authorities = [(la.name, la.id) for la in sites.local_authorities()]
        organisations = [(o.name, o.id) for o in sites.organisations()]
        pattern = None
        custom_rule = ""
        if site is not None and site.visit_rule:
            try:
                pattern = pattern_from_rrule(site.visit_rule)
            except ValueError:
                pattern = None
            if pattern is None:
                custom_rule = site.visit_rule
        frequencies = list(FREQUENCIES)
        if custom_rule:
            frequencies.insert(1, (f"Keep: {sites.visit_pattern_words(site)}", CUSTOM))
        with Vertical(classes="dialog site-form"):
            yield Static("Edit site" if site else "New site", classes="dialog-title")
            with VerticalScroll(id="site-form-body"):
                yield Field(
                    "Name",
                    Input(site.name if site else "", placeholder="e.g. St Mary's Primary School", compact=True, id="name"),
                    name="name",
                    parse=ff.required("the site's name"),
                )
                yield Field(
                    "Kind",
                    Select([(v, k) for k, v in sites.KIND_NAMES.items()], value=site.kind if site else "school",
                           allow_blank=False, compact=True, id="kind"),
                    name="kind",
                    parse=ff.chosen("what kind of site it is"),
                )
                yield Field(
                    "Local authority",
                    Select(authorities, value=site.local_authority_id if site and site.local_authority_id else Select.NULL,
                           prompt="(none yet)", compact=True, id="local_authority"),
                    name="local_authority",
                    parse=ff.optional_choice,
                    hint="" if authorities else "No local authorities yet: add one with a (Local authorities).",
                )
                yield Field(
                    "Working under",
                    Select(organisations, value=site.organisation_id if site and site.organisation_id else Select.NULL,
                           prompt="(my own practice)", compact=True, id="organisation"),
                    name="organisation",
                    parse=ff.optional_choice,
                )
                yield Field(
                    "Arrangement",
                    Select([(v, k) for k, v in sites.ARRANGEMENT_NAMES.items()],
                           value=site.arrangement if site else "commissioned", allow_blank=False, compact=True, id="arrangement"),
                    name="arrangement",
                    parse=ff.chosen("the arrangement"),
                )
                yield Field(
                    "Commissioned by",
                    Input(site.commissioning_organisation if site else "", compact=True, id="commissioning_organisation"),
                    name="commissioning_organisation",
                )
                yield Field("Address", Input(site.address if site else "", compact=True, id="address"), name="address")
                yield Field(
                    "Records concerns on",
                    Input(site.recording_system if site else "", placeholder="MyConcern, CPOMS, paper form...",
                          suggester=SuggestFromList(RECORDING_SYSTEMS, case_sensitive=False), compact=True,
                          id="recording_system"),
                    name="recording_system",
                )
                yield Field(
                    "How to report",
                    TextArea(site.how_to_report if site else "", compact=True, id="how_to_report"),
                    name="how_to_report",
                    parse=ff.multiline,
                    hint="Who to tell, how, and when: shown on the briefing.",
                )
                yield Field(
                    "Visit notes",
                    TextArea(site.visit_notes if site else "", compact=True, id="visit_notes"),
                    name="visit_notes",
                    parse=ff.multiline,
                    hint="Signing in, parking, the room.",
                )
                yield Static("Visits", classes="form-section")
                freq_value = CUSTOM if custom_rule else (pattern.frequency.value if pattern else "")
                yield Field(
                    "Pattern",
                    Select(frequencies, value=freq_value, allow_blank=False, compact=True, id="frequency"),
                    name="frequency",
                    parse=ff.optional_choice,
                )
                yield Field(
                    "On",
                    Select([(n, i) for i, n in enumerate(WEEKDAY_NAMES)],
                           value=pattern.weekday if pattern and pattern.weekday is not None else Select.NULL,
                           prompt="(day of the week)", compact=True, id="weekday"),
                    name="weekday",
                    parse=weekday_choice,
                )
                yield Field(
                    "Week of the month",
                    Select(WEEKS, value=pattern.nth if pattern and pattern.nth else 1, allow_blank=False,
                           compact=True, id="nth"),
                    name="nth",
                    parse=ff.optional_choice,
                )
                yield Field(
                    "Starting",
                    Input(ff.shown_date_input(site.visit_start) if site else "", placeholder="dd/mm/yyyy (blank: today)",
                          compact=True, id="visit_start"),
                    name="visit_start",
                    parse=ff.day,
                )
                yield Static("", id="next-visit", classes="hint form-note")
                yield Static("Policy", classes="form-section")
                yield Field(
                    "Re-sign every",
                    Input(str(site.resign_interval_months) if site and site.resign_interval_months else "",
                          placeholder="months (blank: the usual)", compact=True, id="resign_interval_months"),
                    name="resign_interval_months",
                    parse=ff.months,
                    hint="Blank: schools each academic year from 1 September, other sites every 12 months.",
                )
                if site is None:
                    yield Static("Designated Safeguarding Lead (if you know who it is)", classes="form-section")
                    yield Field("DSL's name", Input(compact=True, id="dsl_name"), name="dsl_name")
                    yield Field("DSL's phone", Input(placeholder="e.g. 01234 276693", compact=True, id="dsl_phone"),
                                name="dsl_phone", parse=ff.phone)
                    yield Field("DSL's email", Input(compact=True, id="dsl_email"), name="dsl_email", parse=ff.email)
                    yield Field("Where to find them", Input(placeholder="e.g. office next to reception", compact=True,
                                                            id="dsl_where"), name="dsl_where")
                yield Static("", id="form-error", classes="error")
            with Horizontal(classes="buttons"):
                yield Button("Save  ctrl+s", variant="primary", id="save", compact=True)
                yield Button("Cancel  esc", id="cancel", compact=True)

    def on_mount(self) -> None:
        super().on_mount()
        self._pattern_changed()

    # -- the visit pattern -------------------------------------------------------------

    @on(Select.Changed, "#frequency, #weekday, #nth")
    @on(Input.Changed, "#visit_start")
    def _pattern_changed(self) -> None:
        freq = self.query_one("#frequency", Select).value
        self.field("weekday").display = freq in (Frequency.WEEKLY, Frequency.FORTNIGHTLY, Frequency.MONTHLY)
        self.field("nth").display = freq == Frequency.MONTHLY
        self.field("visit_start").display = bool(freq)
        preview = self._preview()
        note = self.query_one("#next-visit", Static)
        note.update(preview)
        note.display = bool(preview)

    def _rule(self) -> tuple[str, date | None] | None:
        """The RRULE and its start from the form, or None (with messages shown)."""
        values = self.collect(["frequency", "weekday", "nth", "visit_start"])
        if values is None:
            return None
        freq = values.get("frequency")
        if not freq:
            return "", None
        start = values.get("visit_start")
        if freq == CUSTOM:
            assert self.site is not None
            return self.site.visit_rule, start or self.site.visit_start
        pattern = VisitPattern(Frequency(freq), values.get("weekday"), values.get("nth"))
        return build_rrule(pattern), start or self.app.today()

    def _preview(self) -> str:
        freq = self.query_one("#frequency", Select).value
        if not freq:
            return ""
        try:
            if freq == CUSTOM:
                rule, start = self.site.visit_rule, self.site.visit_start or self.app.today()
            else:
                weekday = self.query_one("#weekday", Select).value
                if weekday is Select.NULL and freq != Frequency.WEEKDAYS:
                    return "Choose the day of the week."
                nth = self.query_one("#nth", Select).value
                rule = build_rrule(VisitPattern(Frequency(freq), None if weekday is Select.NULL else weekday, nth))
                start = ff.day(self.query_one("#visit_start", Input).value) or self.app.today()
            upcoming = next_visit(rule, start, self.app.today())
        except ValueError:
            return ""
        words = describe_rrule(rule, start)
        return f"{words}: next visit {show_date(upcoming)}" if upcoming else f"{words}: no more visits"

    # -- saving --------------------------------------------------------------------------

    @on(Button.Pressed, "#cancel")
    def _cancel_pressed(self) -> None:
        self.action_cancel()

    def action_save(self) -> None:
        self.show_form_error("")
        values = self.collect()
        rule = self._rule()
        if values is None or rule is None:
            return
        visit_rule, visit_start = rule
        fields = sites.SiteFields(
            name=values["name"],
            kind=values["kind"],
            local_authority_id=values.get("local_authority"),
            organisation_id=values.get("organisation"),
            address=values.get("address", ""),
            arrangement=values["arrangement"],
            commissioning_organisation=values.get("commissioning_organisation", ""),
            recording_system=values.get("recording_system", ""),
            how_to_report=values.get("how_to_report", ""),
            visit_notes=values.get("visit_notes", ""),
            visit_rule=visit_rule,
            visit_start=visit_start,
            resign_interval_months=values.get("resign_interval_months"),
        )
        dsl_name = values.get("dsl_name", "")
        if self.site is None and not dsl_name and any(values.get(k) for k in ("dsl_phone", "dsl_email", "dsl_where")):
            self.show_field_error("dsl_name", "Enter the DSL's name, or clear their other details.")
            return
        try:
            dsl = None
            if self.site is None and dsl_name:
                dsl = dict(name=dsl_name, phone=values.get("dsl_phone", ""), email=values.get("dsl_email", ""),
                           where_to_find=values.get("dsl_where", ""))
            site = sites.save_site(fields, self.site, today=self.app.today(), dsl=dsl)
        except sites.SiteError as exc:
            self.show_field_error(exc.field, str(exc))
            return
        except ValueError as exc:
            self.show_form_error(str(exc))
            return
        self.app.tell_when_saved(f"Saved {site.name}.", site.name)
        self.dismiss(site.id)
