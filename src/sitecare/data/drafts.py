"""Which drafts wait beside the vault, without loading what writes them: the launch asks
whether a concern was left half-typed, and data/concerns.py (with the procedure engine
it loads) is a tenth of sitecare's import time."""

from __future__ import annotations

#: The concern capture form's draft (screens/concern_form.py writes and reads it).
DRAFT_NAME = "concern"


def draft_waiting(vault) -> bool:
    """Whether an unfinished concern draft is on disk: a look, not a decryption, so the
    launch can skip the capture form's import when there is nothing to offer."""
    return (vault.draft_dir / f"{DRAFT_NAME}.draft").exists()
