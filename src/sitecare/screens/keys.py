"""Keys several screens share.

The footer lists the focused widget's keys, then the screen's, then the app's, and cuts
off whatever does not fit. Raising a concern must show on every screen (issue 5), so
the main screens list it first; the app's priority binding still does the work.
"""

from __future__ import annotations

from textual.binding import Binding

NEW_CONCERN = Binding("ctrl+n", "app.new_concern", "New concern", id="new_concern_here")
