"""The `sitecare` command's first lines, run before anything heavy is imported.

A passphrase typed straight after the command, before the app has the terminal, was
echoed by the terminal and stayed in plain text in its scrollback after quitting (a
new-user trial). Turning the terminal's echo off is the first thing done: about 20 ms
after the process starts, where the command's own module is reached after 125 ms
(its imports). What is typed stays in the input buffer for the app to read, and the
terminal is put back as it was when sitecare ends. Textual does the same with the
settings it finds, so it puts back these.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable


def main() -> int:
    put_back = echo_off(sys.stdin)
    try:
        from .cli import main as run

        return run()
    finally:
        put_back()


def echo_off(stream) -> Callable[[], None]:
    """Stop the terminal on `stream` echoing what is typed; returns what puts it back.
    Does nothing where `stream` is not a terminal (a pipe, a test, another system)."""
    try:
        import termios
    except ImportError:
        return _nothing
    try:
        fd = stream.fileno()
        if not os.isatty(fd):
            return _nothing
        before = termios.tcgetattr(fd)
        quiet = list(before)
        quiet[3] &= ~termios.ECHO  # the local modes
        termios.tcsetattr(fd, termios.TCSANOW, quiet)  # TCSANOW: what is typed stays
    except (termios.error, AttributeError, OSError, ValueError):
        return _nothing

    def put_back() -> None:
        try:
            termios.tcsetattr(fd, termios.TCSADRAIN, before)
        except (termios.error, OSError):
            pass

    return put_back


def _nothing() -> None:
    pass
