"""Textual's footer, rebuilt only when the keys it shows change.

Textual's Footer removes and mounts all its keys again after the next refresh each time
anything calls refresh_bindings: a focus change, a highlight moving, a list filled. On
the home screen of the large bench vault that was five rebuilds queued behind the first
paint (about 100 ms before a key pressed then was answered), and one more for every
move of the cursor, though the keys shown were the same each time.

A screen whose keys follow from what it reads (its check_action) may say when they are
known with a `keys_ready` attribute: the footer draws them with the screen when they
are, and waits for them when they are not, rather than drawing them twice.
"""

from __future__ import annotations

from textual.widgets import Footer as TextualFooter


class Footer(TextualFooter):
    _rebuild_queued = False
    _composed: tuple | None = None

    def _shown(self) -> tuple:
        """Everything Footer.compose reads to draw the keys, to tell whether they changed."""
        app = self.app
        shown = tuple(
            (binding, enabled, tooltip, app.get_key_display(binding))
            for (_, binding, enabled, tooltip) in self.screen.active_bindings.values()
            if binding.show
        )
        return (shown, self.show_command_palette, app.ENABLE_COMMAND_PALETTE, app.COMMAND_PALETTE_BINDING)

    def compose(self):
        if getattr(self.screen, "keys_ready", False):
            # The screen knows its keys already: drawn now, with it, not after its
            # first paint (Textual's footer starts empty and waits to be told).
            self.set_reactive(TextualFooter._bindings_ready, True)
        self._composed = self._shown() if self._bindings_ready else None
        yield from super().compose()

    def bindings_changed(self, screen) -> None:
        # As Textual's, but one rebuild for any number of calls before it runs, and none
        # when the keys come out the same.
        self._bindings_ready = True
        if not screen.app.app_focus:
            return
        if self.is_attached and screen is self.screen and not self._rebuild_queued:
            self._rebuild_queued = True
            self.call_later(self._rebuild)

    async def _rebuild(self) -> None:
        self._rebuild_queued = False
        # A screen whose keys depend on what it has yet to read says so (keys_ready):
        # drawn before, they would be drawn again at once, after the first paint.
        if not getattr(self.screen, "keys_ready", True):
            return
        if self.is_attached and self._shown() != self._composed:
            await self.recompose()
