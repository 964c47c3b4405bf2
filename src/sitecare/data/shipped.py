"""Shipped reference data (reference/*.toml), loaded into every new vault."""

from __future__ import annotations

import tomllib
from importlib import resources

from .models import LocalAuthority, NationalContact, Organisation, TrainingKind, change


def read_reference(name: str) -> dict:
    text = resources.files("sitecare.data.reference").joinpath(name).read_text(encoding="utf-8")
    return tomllib.loads(text)


def shipped_procedure_texts() -> list[tuple[str, str]]:
    folder = resources.files("sitecare.data.reference").joinpath("procedures")
    if not folder.is_dir():
        return []
    return sorted(
        (entry.name, entry.read_text(encoding="utf-8"))
        for entry in folder.iterdir()
        if entry.name.endswith(".toml")
    )


def load_reference_data() -> None:
    """Insert what is not there yet; re-running it adds nothing twice."""
    with change():
        for row in read_reference("local_authorities.toml")["authority"]:
            if not LocalAuthority.select().where(LocalAuthority.name == row["name"]).exists():
                LocalAuthority.create(**row)
        for row in read_reference("national_contacts.toml")["contact"]:
            if not NationalContact.select().where(NationalContact.key == row["key"]).exists():
                NationalContact.create(**row)
        for row in read_reference("training_kinds.toml")["kind"]:
            if not TrainingKind.select().where(TrainingKind.code == row["code"]).exists():
                TrainingKind.create(**row)
        for row in read_reference("organisations.toml")["organisation"]:
            if not Organisation.select().where(Organisation.name == row["name"]).exists():
                Organisation.create(**row)
