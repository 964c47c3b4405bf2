"""Helpers shared by tests (imported as `support`: tests/ is on sys.path)."""

from __future__ import annotations

from pathlib import Path

from sitecare.data.vault import Vault

PASSPHRASE = "correct horse battery staple"


def reopen(folder: Path, kek: bytes) -> Vault:
    vault = Vault(folder)
    vault.open_with_key(kek)
    return vault
