"""The attention list's inputs about complaints, consents,
retention, data requests and local authorities: the groups read in one piece (see
rules/attention_inputs.py)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date


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
