"""Keys typed into a field are applied in the order they were typed.

Textual acts on a letter as the focused field takes it from its queue, but on a key the
field binds (Backspace, Delete, the arrows, Home, End, Enter in a one-line field) only
after that key has gone up to the app and its bindings have been looked up: by then the
letters typed after it have been put in. A burst (a laggy connection, a fast typist)
of "Schol", two Backspaces, "ool" was saved as "Scholo"; a chronology entry, which can
only be corrected, never edited, kept "incidntnt". Here such a key is acted on as the
field takes it, in its turn.
"""

from __future__ import annotations

from textual import events
from textual.widgets import Input, TextArea

_installed = False


def keep_keys_in_order() -> None:
    """Make every Input and TextArea act on its own bound keys in their turn (once)."""
    global _installed
    if _installed:
        return
    _installed = True
    for field in (Input, TextArea):
        field._on_key = _in_order(field._on_key)


async def act_on_own_key(field: Input | TextArea, event: events.Key) -> bool:
    """Run what `field` binds `event`'s key to, now; whether it did (the key is then
    stopped). Letters are the field's own to take."""
    if event.is_printable:
        return False
    for binding in field._bindings.key_to_bindings.get(event.key, ()):
        # A priority binding was the app's to run before the key reached the field.
        if not binding.priority and await field.app.run_action(binding.action, field):
            event.stop()
            event.prevent_default()
            return True
    return False


def _in_order(take_key):
    async def _on_key(self, event: events.Key) -> None:
        if not await act_on_own_key(self, event):
            await take_key(self, event)

    return _on_key
