"""The attention list's inputs: plain values that data/attention_inputs.py reads from
the vault and rules/attention.py makes items of (see its notes). Reached through
rules.attention as ever, and made only when first used: an opening that starts from
the list kept in the vault makes none of them. They live in four modules
(rules/inputs_*.py), so that reading again a piece or two of one group (a contact
came into post today) makes only that group's classes: making the seventeen frozen
dataclasses cost 12 ms or more of such an opening. All of them, and AttentionInputs
(what gather() reads), are here."""

from __future__ import annotations

from dataclasses import dataclass

from sitecare.rules.inputs_training import TrainingRecordInput, TrainingInput, RequirementInput
from sitecare.rules.inputs_sites import PolicyInput, ContactInput, SiteContactsInput
from sitecare.rules.inputs_concerns import ConcernActionInput, ProcedureStepInput, OutcomeInput, SeriousIncidentInput
from sitecare.rules.inputs_whole import (
    AuthorityInput,
    ComplaintInput,
    ComplaintStageInput,
    ConsentInput,
    DataRequestInput,
    RetentionInput,
)

__all__ = [
    "TrainingRecordInput",
    "TrainingInput",
    "RequirementInput",
    "PolicyInput",
    "ContactInput",
    "SiteContactsInput",
    "ConcernActionInput",
    "ProcedureStepInput",
    "OutcomeInput",
    "SeriousIncidentInput",
    "ComplaintStageInput",
    "ComplaintInput",
    "ConsentInput",
    "RetentionInput",
    "DataRequestInput",
    "AuthorityInput",
    "AttentionInputs",
]


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
