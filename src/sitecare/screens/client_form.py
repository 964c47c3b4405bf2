"""Add or edit a client: a reference and initials, never a name (seed 001)."""

from __future__ import annotations

from typing import Any

from textual import on
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.widgets import Button, Checkbox, Input, Select, Static, TextArea

from ..data import clients
from ..data.models import Client
from ..rules.dates import DateError, parse_optional_uk_date
from . import formfields as ff
from .formfields import FormScreen
from .record_forms import Field, raw_values, show_errors


TYPE_CHOICES = [("Work it out from the date of birth", ""), ("Child", "child"), ("Adult", "adult")]


class ClientFormScreen(FormScreen):
    """Dismisses with the saved client's id, or None when cancelled."""

    CSS_PATH = "clients.tcss"

    def __init__(self, client: Client | None = None):
        super().__init__()
        self.client = client

    def compose(self) -> ComposeResult:
        c = self.client
        site_choices = clients.site_choices()
        if c is not None and c.site_id and c.site_id not in {i for _, i in site_choices}:
            site_choices.append((c.site.name + " (archived)", c.site_id))
        with Vertical(classes="dialog client-form"):
            yield Static("Edit client" if c else "New client", classes="dialog-title")
            with VerticalScroll(id="client-form-body"):
                yield Field(
                    "Reference",
                    Input(c.reference if c else "", placeholder="e.g. CH-0142 (never a name)", compact=True, id="reference"),
                    name="reference",
                    parse=ff.required("a reference code"),
                )
                yield Field("Initials", Input(c.initials if c else "", placeholder="e.g. AB", compact=True, id="initials"),
                            name="initials")
                yield Field(
                    "Date of birth",
                    Input(ff.shown_date_input(c.date_of_birth) if c else "", placeholder="dd/mm/yyyy", compact=True,
                          id="date_of_birth"),
                    name="date_of_birth",
                    parse=ff.day,
                )
                yield Field(
                    "Child or adult",
                    Select(TYPE_CHOICES, value=(c.client_type if c and c.client_type_overridden else ""),
                           allow_blank=False, compact=True, id="client_type"),
                    name="client_type",
                    parse=ff.optional_choice,
                    hint=" ",
                )
                yield Field(
                    "Funding",
                    Select([(v, k) for k, v in clients.FUNDING_NAMES.items()], value=c.funding if c else "commissioned",
                           allow_blank=False, compact=True, id="funding"),
                    name="funding",
                    parse=ff.chosen("commissioned or private"),
                )
                yield Field(
                    "Site",
                    Select(site_choices, value=c.site_id if c and c.site_id else Select.NULL, prompt="(no site)",
                           compact=True, id="site"),
                    name="site",
                    parse=ff.optional_choice,
                    hint="" if site_choices else "No sites yet: add them with s (Sites).",
                )
                yield Field(
                    "Therapy started",
                    Input(ff.shown_date_input(c.therapy_start) if c else "", placeholder="dd/mm/yyyy", compact=True,
                          id="therapy_start"),
                    name="therapy_start",
                    parse=ff.day,
                )
                yield Field(
                    "Therapy ended",
                    Input(ff.shown_date_input(c.therapy_end) if c else "", placeholder="blank while it goes on",
                          compact=True, id="therapy_end"),
                    name="therapy_end",
                    parse=ff.day,
                    hint="The retention dates count from the end of therapy (seed 001).",
                )
                yield Field(
                    "GP contact",
                    Input(c.gp_contact if c else "", placeholder="practice and number", compact=True, id="gp_contact"),
                    name="gp_contact",
                    parse=ff.multiline,
                    hint="Private adults: the safeguarding route consults the GP (seed 000).",
                )
                yield Field(
                    "Parent/carer",
                    Input(c.parent_carer_contact if c else "", placeholder="who, and how to reach them", compact=True,
                          id="parent_carer_contact"),
                    name="parent_carer_contact",
                    parse=ff.multiline,
                    hint="Private children: the safeguarding route calls them if it is safe (seed 000).",
                )
                yield Field(
                    "HPFT",
                    Checkbox("Receives HPFT mental-health services", value=bool(c and c.receives_mental_health_services),
                             compact=True, id="mental_health_services"),
                    name="mental_health_services",
                    parse=bool,
                    hint="Hertfordshire mental-health clients: HPFT joins the safeguarding route (seed 000).",
                )
                yield Field("Notes", TextArea(c.notes if c else "", compact=True, id="notes"), name="notes",
                            parse=ff.multiline, hint="No names: this record is pseudonymised.")
                yield Static("", id="form-error", classes="error")
            with Horizontal(classes="buttons"):
                yield Button("Save  ctrl+s", variant="primary", id="save", compact=True)
                yield Button("Cancel  esc", id="cancel", compact=True)

    def on_mount(self) -> None:
        super().on_mount()
        self._type_hint()

    @on(Input.Changed, "#date_of_birth, #therapy_start")
    @on(Select.Changed, "#client_type")
    def _type_hint(self) -> None:
        """Say what the date of birth gives, so an override is a decision, not a guess."""
        try:
            dob = parse_optional_uk_date(self.query_one("#date_of_birth", Input).value)
            start = parse_optional_uk_date(self.query_one("#therapy_start", Input).value)
        except DateError:
            self.field("client_type").set_hint("")
            return
        today = self.app.today()
        if dob is None:
            words = "No date of birth: choose child or adult."
        elif dob > (start or today):
            # A trial saw "child (-4 at the start of therapy)": the dates' own errors say
            # what is wrong (saving checks them), and no type follows from them.
            words = ""
        else:
            derived = clients.derived_type(dob, start, today)
            when = "at the start of therapy" if start else "today"
            age = clients.age_on(dob, start or today)
            words = f"From the date of birth: {derived} ({age} {when})."
            choice = self.query_one("#client_type", Select).value
            if choice not in ("", Select.NULL) and choice != derived:
                words += " You have chosen otherwise."
        self.field("client_type").set_hint(words)

    @on(Button.Pressed, "#cancel")
    def _cancel_pressed(self) -> None:
        self.action_cancel()

    def action_save(self) -> None:
        fields, errors = clients.check_client(raw_values(self), self.app.today(), self.client)
        if errors:
            show_errors(self, errors)
            return
        show_errors(self, {})
        saved = clients.save_client(fields, self.client.id if self.client else None)
        self.app.tell_when_saved(f"Saved {saved.reference}.", saved.reference)
        self.dismiss(saved.id)
