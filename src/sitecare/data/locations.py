"""Where sitecare keeps its files. Every path the app uses is decided here."""

from __future__ import annotations

import os
from pathlib import Path

import platformdirs

ENV_VAULT = "SITECARE_VAULT"
ENV_PASSPHRASE_FILE = "SITECARE_PASSPHRASE_FILE"


def default_vault_folder() -> Path:
    configured = os.environ.get(ENV_VAULT)
    if configured:
        return Path(configured).expanduser()
    return platformdirs.user_data_path("sitecare", appauthor=False)
