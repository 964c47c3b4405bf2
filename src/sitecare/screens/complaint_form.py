"""Log or edit a complaint (seed 004): received, how, from whom (no names), site, type,
what it is about, the stages' dates, acknowledgement, outcome and resolution."""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.widgets import Button, Checkbox, Input, Select, Static, TextArea

from ..data import complaints
from ..data.models import Complaint, ComplaintStage
from ..rules.dates import DateError, parse_optional_uk_date, show_date
from ..rules.workdays import NATION_NAMES
from . import formfields as ff
from .record_forms import Field, raw_values, show_errors
from .formfields import FormScreen

UPHELD = [("Not decided yet", ""), ("Upheld", "yes"), ("Not upheld", "no")]


class ComplaintFormScreen(FormScreen):
    """Dismisses with the saved complaint's id, or None when cancelled."""

    CSS_PATH = "complaints.tcss"

    def __init__(self, complaint: Complaint | None = None):
        super().__init__()
        self.complaint = complaint

    def compose(self) -> ComposeResult:
        c = self.complaint
        today = self.app.today()
        site_choices = complaints.site_choices()
        if c is not None and c.site_id and c.site_id not in {i for _, i in site_choices}:
            site_choices.append((c.site.name + " (archived)", c.site_id))
        stages = list(c.stages.order_by(ComplaintStage.stage)) if c else []
        reached = stages[-1].stage if stages else 1
        title = f"Edit {c.reference}" if c else "Log a complaint"
        with Vertical(classes="dialog complaint-form"):
            yield Static(title, classes="dialog-title", markup=False)
            with VerticalScroll(id="complaint-form-body"):
                yield Field(
                    "Received on",
                    Input(ff.shown_date_input(c.received_on if c else today), placeholder="dd/mm/yyyy", compact=True,
                          id="received"),
                    name="received",
                    parse=ff.required_day,
                    hint=" ",
                )
                yield Field(
                    "How",
                    Select([(v, k) for k, v in complaints.CHANNEL_LABELS.items()], value=c.channel if c else "email",
                           allow_blank=False, compact=True, id="channel"),
                    name="channel",
                    parse=ff.chosen("how it was received"),
                )
                yield Field(
                    "From",
                    Input(c.complainant if c else "", placeholder="e.g. Parent of CH-0142 (no names)", compact=True,
                          id="complainant"),
                    name="complainant",
                    hint="Confidential (seed 004): describe them, never name them.",
                )
                yield Field(
                    "Site",
                    Select(site_choices, value=c.site_id if c and c.site_id else Select.NULL,
                           prompt="(no site: England's bank holidays)", compact=True, id="site"),
                    name="site",
                    parse=ff.optional_choice,
                )
                yield Field(
                    "Type",
                    Select([(v, k) for k, v in complaints.TYPE_LABELS.items()], value=c.type if c else "standard_of_service",
                           allow_blank=False, compact=True, id="type"),
                    name="type",
                    parse=ff.chosen("the type of complaint"),
                )
                yield Field("About", TextArea(c.summary if c else "", compact=True, id="summary"), name="summary",
                            parse=ff.multiline)
                if c is None:
                    yield Field(
                        "Arrived at",
                        Select([(f"Stage {n}: {complaints.rules.STAGES[complaints.rules.Stage(n)].name}", n)
                                for n in range(1, 5)], value=1, allow_blank=False, compact=True, id="first_stage"),
                        name="first_stage",
                        parse=ff.chosen("a stage"),
                        hint="Most complaints start with the therapist (stage 1).",
                    )
                yield Field(
                    "Acknowledged on",
                    Input(ff.shown_date_input(c.acknowledged_on) if c else "", placeholder="blank: not yet",
                          compact=True, id="acknowledged"),
                    name="acknowledged",
                    parse=ff.day,
                    hint="In writing, within 5 working days (seed 004).",
                )
                if stages:
                    yield Static("Stages", classes="form-section")
                for stage in stages:
                    yield Field(
                        f"Stage {stage.stage} began",
                        Input(ff.shown_date_input(stage.began_on), placeholder="dd/mm/yyyy", compact=True,
                              id=f"stage_{stage.stage}_began"),
                        name=f"stage_{stage.stage}_began",
                        parse=ff.required_day,
                    )
                    yield Field(
                        f"Stage {stage.stage} replied",
                        Input(ff.shown_date_input(stage.responded_on), placeholder="blank: not yet", compact=True,
                              id=f"stage_{stage.stage}_responded"),
                        name=f"stage_{stage.stage}_responded",
                        parse=ff.day,
                    )
                yield Static("Outcome", classes="form-section")
                yield Field(
                    "Upheld",
                    Select(UPHELD, value="" if not c or c.upheld is None else ("yes" if c.upheld else "no"),
                           allow_blank=False, compact=True, id="upheld"),
                    name="upheld",
                    parse=ff.optional_choice,
                )
                yield Field(
                    "Apology",
                    Checkbox("An apology was given", value=bool(c and c.apology_given), compact=True, id="apology"),
                    name="apology",
                    parse=bool,
                    hint=" ",
                )
                yield Field(
                    "Policy change",
                    Input(c.policy_change if c else "", placeholder="blank: none", compact=True, id="policy_change"),
                    name="policy_change",
                    hint="Arising from it; the complainant is told (seed 004).",
                )
                yield Field(
                    "Resolved at",
                    Select([("Not resolved yet", "")] + [(f"Stage {n}", str(n)) for n in range(1, reached + 1)],
                           value=str(c.resolved_stage) if c and c.resolved_stage else "", allow_blank=False,
                           compact=True, id="resolved_stage"),
                    name="resolved_stage",
                    parse=ff.optional_choice,
                )
                yield Field(
                    "Resolved on",
                    Input(ff.shown_date_input(c.resolved_on) if c else "", placeholder="blank: not resolved",
                          compact=True, id="resolved_on"),
                    name="resolved_on",
                    parse=ff.day,
                )
                yield Static("", id="form-error", classes="error")
            with Horizontal(classes="buttons"):
                yield Button("Save  ctrl+s", variant="primary", id="save", compact=True)
                yield Button("Cancel  esc", id="cancel", compact=True)

    def on_mount(self) -> None:
        super().on_mount()
        self._hints()

    @on(Input.Changed, "#received")
    @on(Select.Changed, "#site, #upheld")
    @on(Checkbox.Changed, "#apology")
    def _hints(self) -> None:
        """The acknowledgement due date as the form stands; the apology seed 004 expects."""
        site_id = self.query_one("#site", Select).value
        from ..data.models import Site

        site = Site.get_or_none(Site.id == site_id) if site_id not in (None, Select.NULL) else None
        nation = complaints.site_nation(site)
        try:
            received = parse_optional_uk_date(self.query_one("#received", Input).value)
        except DateError:
            received = None
        if received is not None:
            due = complaints.rules.acknowledgement_due(received, nation)
            self.field("received").set_hint(f"Acknowledge by {show_date(due)} ({NATION_NAMES[nation]}'s working days).")
        else:
            self.field("received").set_hint("")
        upheld = self.query_one("#upheld", Select).value == "yes"
        apology = self.query_one("#apology", Checkbox).value
        self.field("apology").set_hint(
            "Seed 004: a complainant receives an apology when the complaint is upheld." if upheld and not apology else ""
        )

    @on(Button.Pressed, "#cancel")
    def _cancel_pressed(self) -> None:
        self.action_cancel()

    def action_save(self) -> None:
        form = raw_values(self)
        fields, errors = complaints.check_complaint(form, self.app.today(), self.complaint)
        if errors:
            show_errors(self, errors)
            return
        show_errors(self, {})
        saved = complaints.save_complaint(fields, self.app.today(), self.complaint.id if self.complaint else None)
        self.app.tell_when_saved(f"Saved {saved.reference}." if self.complaint else f"Logged {saved.reference}.",
                                 saved.reference)
        self.dismiss(saved.id)
