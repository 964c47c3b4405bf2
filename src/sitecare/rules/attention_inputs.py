"""The attention list's inputs: plain values that data/attention_inputs.py reads from
the vault and rules/attention.py makes items of (see its notes). Reached through
rules.attention as ever; kept apart so that making them is paid only by a computation
that reads inputs, not by every launch."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sitecare.rules.policy import PolicySignature, PolicyVersion


@dataclass(frozen=True)
class TrainingRecordInput:
    id: int
    completed: date
    expires: date | None


@dataclass(frozen=True)
class TrainingInput:
    """All my records of one kind, and the active sites that require the kind."""

    kind_code: str
    kind_name: str
    records: tuple[TrainingRecordInput, ...]
    required_by: tuple[str, ...] = ()


@dataclass(frozen=True)
class RequirementInput:
    requirement_id: int
    site_id: int
    site_name: str
    kind_code: str
    kind_name: str
    max_age_months: int | None
    records: tuple[tuple[date, date | None], ...]
    needed_since: date


@dataclass(frozen=True)
class PolicyInput:
    site_id: int
    site_name: str
    site_kind: str
    resign_interval_months: int | None
    policy_id: int | None
    latest: PolicyVersion | None
    signature: PolicySignature | None
    recorded_on: date | None
    needed_since: date


@dataclass(frozen=True)
class ContactInput:
    contact_id: int
    role: str
    name: str
    from_date: date
    confirmed_on: date | None


@dataclass(frozen=True)
class SiteContactsInput:
    """A site and the contacts in post today."""

    site_id: int
    site_name: str
    site_kind: str
    contacts: tuple[ContactInput, ...]
    needed_since: date


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


@dataclass(frozen=True)
class ComplaintStageInput:
    stage: int
    began_on: date
    responded_on: date | None


@dataclass(frozen=True)
class ComplaintInput:
    complaint_id: int
    reference: str
    received_on: date
    acknowledged_on: date | None
    nation: str | None
    stages: tuple[ComplaintStageInput, ...]
    resolved: bool = False


@dataclass(frozen=True)
class ConsentInput:
    consent_id: int
    client_id: int
    client_reference: str
    purpose: str
    given_on: date
    reviewed_on: date | None = None
    withdrawn_on: date | None = None
    in_school: bool = False
    therapy_starts: tuple[date, ...] = ()
    therapy_end: date | None = None


@dataclass(frozen=True)
class RetentionInput:
    client_id: int
    reference: str
    client_type: str
    date_of_birth: date | None
    therapy_end: date | None
    artwork_disposed_on: date | None = None


@dataclass(frozen=True)
class DataRequestInput:
    request_id: int
    client_reference: str
    kind: str
    received_on: date
    nation: str | None = None
    extended: bool = False


@dataclass(frozen=True)
class AuthorityInput:
    authority_id: int
    name: str
    verified_on: date | None
    needed_since: date
    used_by: tuple[str, ...] = ()


@dataclass(frozen=True)
class AttentionInputs:
    training: tuple[TrainingInput, ...] = ()
    requirements: tuple[RequirementInput, ...] = ()
    policies: tuple[PolicyInput, ...] = ()
    site_contacts: tuple[SiteContactsInput, ...] = ()
    concern_actions: tuple[ConcernActionInput, ...] = ()
    procedure_steps: tuple[ProcedureStepInput, ...] = ()
    outcomes: tuple[OutcomeInput, ...] = ()
    serious_incidents: tuple[SeriousIncidentInput, ...] = ()
    complaints: tuple[ComplaintInput, ...] = ()
    consents: tuple[ConsentInput, ...] = ()
    retention: tuple[RetentionInput, ...] = ()
    data_requests: tuple[DataRequestInput, ...] = ()
    authorities: tuple[AuthorityInput, ...] = ()
