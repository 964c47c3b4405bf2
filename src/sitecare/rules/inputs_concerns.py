"""The attention list's inputs about open concerns: their
actions, procedure steps, outcomes awaited and serious incidents (see
rules/attention_inputs.py)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime


@dataclass(frozen=True)
class ConcernActionInput:
    action_id: int
    concern_id: int | None
    concern_reference: str
    site_name: str
    description: str
    owner: str
    due: date


@dataclass(frozen=True)
class ProcedureStepInput:
    """A step of an open concern's procedure that has a deadline and is not done.

    `due` is the step's deadline as the procedure engine gives it: a moment
    (immediately, after the session, the same day, within N hours) compared by the
    clock, or a day (within N working days) by which to act. `contact_name` and
    `contact_phone` are who the step is with, when recorded (site staff or an
    agency, never the client)."""

    concern_id: int
    reference: str
    site_name: str
    step_title: str
    due: datetime | date
    contact_name: str = ""
    contact_phone: str = ""
    due_text: str = ""


@dataclass(frozen=True)
class OutcomeInput:
    """A concern whose outcome is awaited. The chase falls `chase_days` working days
    (of the site's nation) after it was reported, or on `chase_due` when the concern
    already has a chase action with its own date."""

    concern_id: int
    reference: str
    site_name: str
    reported_on: date
    chase_days: int
    nation: str | None = None
    chase_due: date | None = None


@dataclass(frozen=True)
class SeriousIncidentInput:
    """A serious incident not yet notified."""

    concern_id: int
    reference: str
    site_name: str
    noticed_at: datetime
