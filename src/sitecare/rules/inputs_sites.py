"""The attention list's inputs about each site's policy and
contacts in post (see
rules/attention_inputs.py)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sitecare.rules.policy import PolicySignature, PolicyVersion


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
