"""When a screen must read its records again on coming back to it."""

from __future__ import annotations

from ..data import models


def records_state(app) -> tuple:
    """What a screen's rows were read from: a change committed since, a new day, or the
    vault saved or opened anew (another generation) means reading them again. Textual
    resumes a screen often (twice on the first switch to its mode), and reading a busy
    practice's records again each time took seconds."""
    return (models.commit_count(), app.today(), app.vault.generation)
