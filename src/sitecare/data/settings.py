"""Settings live inside the vault (the Setting table), so they travel with it and stay
encrypted; each has a default here."""

from __future__ import annotations

import json
from typing import Any, Mapping

from ..rules.settings import check_setting
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


def current_settings() -> dict[str, Any]:
    """Every setting's value, the default where none was saved, in DEFAULTS' order."""
    saved = {row.key: json.loads(row.value) for row in Setting.select()}
    return {key: saved.get(key, default) for key, default in DEFAULTS.items()}


def save_settings(values: Mapping[str, Any]) -> list[str]:
    """Save the settings in `values` that differ from what is saved, in one change (one
    save), each checked again by its rule (rules/settings.py: SettingError, a ValueError,
    with the sentence to show). Returns the keys changed, in DEFAULTS' order; nothing
    changed writes nothing, so the attention list, which reads the warning windows, is
    not worked out again for nothing."""
    unknown = [key for key in values if key not in DEFAULTS]
    if unknown:
        raise KeyError(f"unknown setting {unknown[0]!r}")
    clean = {key: check_setting(key, str(values[key])) for key in DEFAULTS if key in values}
    now = current_settings()
    changed = {key: value for key, value in clean.items() if value != now[key]}
    if changed:
        with change():
            for key, value in changed.items():
                set_setting(key, value)
    return list(changed)
