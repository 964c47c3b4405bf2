"""Settings: my name as entries and exports give it, the idle lock, and how far ahead
things count as due soon (ctrl+p, "settings"). Each is checked by its rule
(rules/settings.py) and all are saved together, inside the vault.

What changes takes effect at once: the idle lock reads its minutes at each of its
checks (SitecareApp.lock_if_idle), the attention list reads the warning windows again
when the settings change (AttentionCache.windows), and new entries read the name."""

from __future__ import annotations

from typing import Any

from textual import on
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.widget import Widget
from textual.widgets import Button, Input, Static

from ..data import settings as settings_data
from ..rules import settings as rules
from .formfields import Field, FormScreen

READ_ONLY = ("This vault is open read-only, so settings cannot be saved here: change them in the sitecare "
             "that has the vault open, or, if none has, quit and unlock it again.")

# (key, label, the rule that reads what is typed, the range said in the hint)
FIELDS = (
    ("practitioner_name", "Your name", rules.practitioner_name,
     f"at most {rules.NAME_MOST_CHARACTERS} characters"),
    ("idle_lock_minutes", "Idle lock (minutes)", rules.idle_lock_minutes,
     f"{rules.IDLE_LOCK_MINUTES.least} to {rules.IDLE_LOCK_MINUTES.most}"),
    ("warn_days_training", "Training (days)", rules.warn_days,
     f"{rules.WARN_DAYS.least} to {rules.WARN_DAYS.most}"),
    ("warn_days_other", "Other dates (days)", rules.warn_days,
     f"{rules.WARN_DAYS.least} to {rules.WARN_DAYS.most}"),
)


def shown_value(key: str, value: Any) -> str:
    """A saved value as the hint says it ("Saved: 10, the default")."""
    if key == "practitioner_name" and not value:
        return "none, so entries say “me”"
    default = " (the default)" if value == settings_data.DEFAULTS[key] else ""
    return f"{value}{default}"


class SettingsScreen(FormScreen):
    """Dismisses with the keys saved (maybe none), or None when cancelled. `focus` is
    the setting the cursor starts in (the palette's "Settings: idle lock" and so on)."""

    CSS_PATH = "settings.tcss"

    def __init__(self, focus: str | None = None):
        super().__init__()
        self.start_in = focus

    def compose(self) -> ComposeResult:
        saved = settings_data.current_settings()
        # The dialog is as tall as what it holds; on a short terminal (80x24, with a
        # message by each field) it scrolls, its title and buttons staying in view.
        dialog = VerticalScroll(classes="dialog settings-form")
        dialog.can_focus = False  # not a stop of its own between Tab and the fields
        with dialog:
            yield Static("Settings", classes="dialog-title", id="settings-title")
            if self.app.vault.readonly:
                yield Static(READ_ONLY, id="settings-readonly", classes="notice")
            for key, label, parse, span in FIELDS:
                value = saved[key]
                hint = f"{settings_data.DESCRIPTIONS[key]} ({span}). Saved: {shown_value(key, value)}."
                yield Field(label, Input(str(value), compact=True, id=key), name=key, parse=parse, hint=hint)
            with Vertical(id="settings-end"):  # docked: after the fields in the Tab order
                yield Static("", id="form-error", classes="error")
                with Horizontal(classes="buttons"):
                    yield Button("Save  ctrl+s", variant="primary", id="save", compact=True)
                    yield Button("Cancel  esc", id="cancel", compact=True)

    def first_to_fill(self) -> Widget | None:
        if self.start_in is not None:
            return self.field(self.start_in).widget
        return super().first_to_fill()

    @on(Button.Pressed, "#cancel")
    def _cancel_pressed(self) -> None:
        self.action_cancel()

    def action_save(self) -> None:
        self.show_form_error("")
        values = self.collect()
        if values is None:
            return
        if self.app.vault.readonly:
            # Refused before anything is written: a setting changed in memory only would
            # seem to work, then be gone at the next unlock.
            self.show_form_error(READ_ONLY)
            return
        try:
            changed = settings_data.save_settings(values)
        except rules.SettingError as exc:  # checked above by the same rules: not expected
            self.show_form_error(str(exc))
            return
        if changed:
            self.app.tell_when_saved("Settings saved.", "the settings")
        else:
            self.notify("Nothing changed: the settings are as they were.")
        self.dismiss(changed)
