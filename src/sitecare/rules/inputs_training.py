"""The attention list's inputs about training of mine and the sites'
requirements of it (see
rules/attention_inputs.py)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date


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
