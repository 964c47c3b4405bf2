"""The screen's keys along the bottom line, drawn as one line of text.

Textual's Footer is a container with a widget for each key, each styled by the whole
stylesheet several times as it mounts (its compact setting toggles a class on every
key twice), and the container is emptied and filled again each time the screen's
bindings are refreshed: a focus change, a highlight moving, a list filled. On the home
screen of the large bench vault the keys were 8 widgets and about a hundred style
applications on the way to the first paint, and a rebuild for every move of the
cursor. Here the keys are one widget: a change in what it shows is a repaint.

It looks and behaves as Textual's footer does: the key then what it does, disabled keys
dimmed, the palette's key on the right; a key clicked is pressed, a disabled one rings
the bell; hovering shows the key's tooltip. Keys that do not fit whole are left out,
rather than cut off under the palette's key; when any is left out, the help key (f1)
is kept, as the help lists every key (a new-user trial at 80 columns found keys cut
mid-word and no sign of where the rest were).

A screen whose keys follow from what it reads (its check_action) may say when they are
known with a `keys_ready` attribute: until then the line is blank, rather than drawn
once and again at once.
"""

from __future__ import annotations

from dataclasses import dataclass

from rich.cells import cell_len
from rich.style import Style
from rich.text import Text
from textual import events
from textual.widget import Widget


#: The help's action, as the app binds it (and as a screen may name it).
_HELP = ("help", "app.help")


@dataclass(frozen=True)
class ShownKey:
    key: str
    display: str
    description: str
    enabled: bool
    tooltip: str
    palette: bool = False
    help: bool = False

    @property
    def width(self) -> int:
        """Its cells: " key what " (the palette's: "▏key what ", as Textual draws it)."""
        return cell_len(self.display) + cell_len(self.description) + (3 if self.description else 2)


class Footer(Widget, can_focus=False):
    ALLOW_SELECT = False
    COMPONENT_CLASSES = {"footer--key", "footer--description", "footer--hover", "footer--edge"}
    # The colours are Textual's footer's, so that this line matches the other screens'.
    DEFAULT_CSS = """
    Footer {
        dock: bottom;
        height: 1;
        color: $footer-foreground;
        background: $footer-background;
        .footer--key {
            color: $footer-key-foreground;
            background: $footer-key-background;
            text-style: bold;
        }
        .footer--description {
            color: $footer-description-foreground;
            background: $footer-description-background;
        }
        .footer--hover {
            color: $footer-key-foreground;
            background: $block-hover-background;
        }
        .footer--edge {
            color: $foreground 20%;
        }
    }
    """

    def __init__(self, *, compact: bool = False, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(id=id, classes=classes)
        #: As Textual's compact footer: "key what" and a space, not " key what ".
        self.compact = compact
        self.keys: tuple[ShownKey, ...] = ()
        #: Where each key is drawn in the last line rendered: (key, start, end).
        self.placed: list[tuple[ShownKey, int, int]] = []
        #: Each time the keys shown changed (a test counts them).
        self.changes = 0
        self._hover: ShownKey | None = None

    def on_mount(self) -> None:
        self.screen.bindings_updated_signal.subscribe(self, self.bindings_changed)
        self._read_keys()

    def on_unmount(self) -> None:
        self.screen.bindings_updated_signal.unsubscribe(self)

    def bindings_changed(self, screen) -> None:
        if self.is_attached and screen is self.screen:
            self._read_keys()

    def _read_keys(self) -> None:
        if not getattr(self.screen, "keys_ready", True):
            return  # the screen will refresh its bindings once it knows them
        app = self.app
        active = self.screen.active_bindings
        # One key an action, the first bound to it, as Textual's footer shows them.
        first: dict[str, ShownKey] = {}
        for _, binding, enabled, tooltip in active.values():
            if binding.show and binding.action not in first:
                first[binding.action] = ShownKey(binding.key, app.get_key_display(binding), binding.description,
                                                 enabled, tooltip or "", help=binding.action in _HELP)
        keys = list(first.values())
        if app.ENABLE_COMMAND_PALETTE and app.COMMAND_PALETTE_BINDING in active:
            _, binding, enabled, tooltip = active[app.COMMAND_PALETTE_BINDING]
            keys.append(ShownKey(binding.key, app.get_key_display(binding), binding.description, enabled,
                                 binding.tooltip or binding.description, palette=True))
        if tuple(keys) != self.keys:
            self.keys = tuple(keys)
            self.changes += 1
            if self._hover is not None:  # the key under the pointer, as it is now
                hovered = self._hover
                self._hover = None
                self._hovering(next((k for k in keys if k.key == hovered.key), None))
            self.refresh()

    def render(self) -> Text:
        width = self.size.width
        key_style = self.get_component_rich_style("footer--key")
        description_style = self.get_component_rich_style("footer--description")
        hover_style = self.get_component_rich_style("footer--hover")
        dim = Style(dim=True)
        palette = next((k for k in self.keys if k.palette), None)
        room = width - (palette.width if palette else 0)
        line = Text(no_wrap=True, overflow="crop", end="")
        self.placed = []

        def draw(key: ShownKey) -> None:
            start = line.cell_len
            shown_key, shown_description = key_style, description_style
            if key is self._hover and key.enabled:
                shown_key = shown_description = hover_style
            if key.palette:
                piece = Text.assemble((key.display, shown_key), (f" {key.description}", shown_description))
            elif self.compact:
                piece = Text.assemble((key.display, shown_key),
                                      (f" {key.description}" if key.description else "", shown_description))
            else:
                piece = Text.assemble((f" {key.display} ", shown_key),
                                      (f"{key.description} " if key.description else "", shown_description))
            if not key.enabled:
                piece.stylize(dim)
            line.append_text(piece)
            self.placed.append((key, start, line.cell_len))
            if self.compact and not key.palette:
                line.append(" ")

        def cells(key: ShownKey) -> int:
            # A compact key is "key what" and a space (one cell less than " key what ").
            return key.width - (1 if self.compact else 0)

        keys = [key for key in self.keys if not key.palette]
        help_key = next((k for k in keys if k.help), None)
        others = room
        if help_key is not None and cells(help_key) <= room < sum(cells(k) for k in keys):
            others -= cells(help_key)  # not all fit: the help, which lists them all, is kept
        else:
            help_key = None
        used, full = 0, False
        for key in keys:
            if key is help_key:
                draw(key)
            elif not full and used + cells(key) <= others:
                used += cells(key)
                draw(key)
            else:
                full = True  # whole keys only, in order: a key cut off would say something else
        if palette is not None:
            line.append(" " * max(room - line.cell_len, 0))
            line.append("▏", self.get_component_rich_style("footer--edge"))
            draw(palette)
            line.append(" ")  # Textual's footer pads the palette's key on its right
        return line

    def key_at(self, x: int) -> ShownKey | None:
        return next((key for key, start, end in self.placed if start <= x < end), None)

    def shown_in_full(self) -> list[tuple[str, str]]:
        """(key, what it does) for each key drawn, left to right, the palette's last."""
        return [(key.key, key.description) for key, _, _ in self.placed]

    def on_mouse_down(self, event: events.MouseDown) -> None:
        key = self.key_at(event.x)
        if key is None:
            return
        if key.enabled:
            self.app.simulate_key(key.key)
        else:
            self.app.bell()

    def on_mouse_move(self, event: events.MouseMove) -> None:
        self._hovering(self.key_at(event.x))

    def on_leave(self) -> None:
        self._hovering(None)

    def _hovering(self, key: ShownKey | None) -> None:
        if key is not self._hover:
            self._hover = key
            self.tooltip = (key.tooltip or key.description) if key is not None else None
            self.refresh()
