"""Shared fixtures: a vault made once per session and copied per test, because key
derivation is deliberately slow (Argon2id, ~0.1-0.2 s) and the floor forbids cheap
parameters even in tests."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from sitecare.data import models
from sitecare.data.vault import Vault, derive_key

from support import PASSPHRASE

os.environ.setdefault("TEXTUAL_ANIMATION", "none")


@pytest.fixture(scope="session")
def vault_template(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("template") / "vault"
    vault = Vault(folder)
    vault.create(PASSPHRASE)
    vault.close()
    return folder


@pytest.fixture(scope="session")
def template_kek(vault_template) -> bytes:
    header = Vault(vault_template).read_header()
    return derive_key(PASSPHRASE, header.salt, header.kdf)


@pytest.fixture
def vault_dir(vault_template, tmp_path) -> Path:
    folder = tmp_path / "vault"
    shutil.copytree(vault_template, folder)
    (folder / "sitecare.lock").unlink(missing_ok=True)
    return folder


@pytest.fixture
def open_vault(vault_dir, template_kek):
    """An unlocked vault that saves after every committed change, as the CLI does."""
    vault = Vault(vault_dir)
    vault.open_with_key(template_kek)
    models.clear_commit_listeners()
    models.on_commit(vault.save)
    yield vault
    models.clear_commit_listeners()
    vault.close()
