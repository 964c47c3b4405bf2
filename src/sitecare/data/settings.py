"""Settings live inside the vault (the Setting table), so they travel with it and stay
encrypted; each has a default here."""

from __future__ import annotations

import json
from typing import Any

from .models import Setting, change

DEFAULTS: dict[str, Any] = {
    "warn_days_training": 60,
    "warn_days_other": 30,
    "idle_lock_minutes": 10,
    "practitioner_name": "",
}

DESCRIPTIONS = {
    "warn_days_training": "Days before a training expiry that it is listed as due soon",
    "warn_days_other": "Days before any other due date that it is listed as due soon",
    "idle_lock_minutes": "Minutes without a key press before the vault locks itself",
    "practitioner_name": "Your name, as it appears in chronology entries and exports",
}


def get_setting(key: str) -> Any:
    row = Setting.get_or_none(Setting.key == key)
    if row is None:
        return DEFAULTS[key]
    return json.loads(row.value)


def set_setting(key: str, value: Any) -> None:
    if key not in DEFAULTS:
        raise KeyError(f"unknown setting {key!r}")
    with change():
        Setting.insert(key=key, value=json.dumps(value)).on_conflict_replace().execute()
