"""Small read-only queries shared by screens and the command line."""

from __future__ import annotations

from dataclasses import dataclass

from .models import Concern, Site, TrainingRecord


@dataclass(frozen=True)
class VaultCounts:
    sites: int
    concerns: int
    open_concerns: int
    training_records: int


def vault_counts() -> VaultCounts:
    return VaultCounts(
        sites=Site.select().where(Site.archived == False).count(),  # noqa: E712
        concerns=Concern.select().where(Concern.status != "draft").count(),
        open_concerns=Concern.select().where(Concern.status.in_(("open", "awaiting_outcome"))).count(),
        training_records=TrainingRecord.select().count(),
    )
