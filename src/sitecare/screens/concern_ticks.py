"""Tick boxes whose ticked state shows in the text, not only in colour.

Textual draws a Checkbox and a SelectionList entry as `▐X▌` whether ticked or not and
tells them apart by colour alone; in some themes (and to anyone who cannot see the
difference) both look the same. These draw `▐X▌` when ticked and `▐ ▌` when not.
"""

from __future__ import annotations

from rich.segment import Segment
from textual.strip import Strip
from textual.widgets import Checkbox, SelectionList
from textual.widgets.option_list import OptionDoesNotExist

TICKED = "X"
UNTICKED = " "


class TickBox(Checkbox):
    @property
    def BUTTON_INNER(self) -> str:  # type: ignore[override]  # read when the button is drawn
        return TICKED if self.value else UNTICKED


class TickList(SelectionList):
    def render_line(self, y: int) -> Strip:
        line = super().render_line(y)
        _, scroll_y = self.scroll_offset
        try:
            selection = self.get_option_at_index(scroll_y + y)
        except OptionDoesNotExist:
            return line
        if selection.value in self._selected:
            return line
        segments = list(line)
        if len(segments) > 1 and segments[1].text == TICKED:
            segments[1] = Segment(UNTICKED, segments[1].style, segments[1].control)
            return Strip(segments, line.cell_length)
        return line
