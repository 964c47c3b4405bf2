"""The command's first lines (sitecare/start.py)."""

from __future__ import annotations

import io
import os
import pty
import termios

from sitecare.start import echo_off


class _Terminal:
    def __init__(self, fd: int):
        self._fd = fd

    def fileno(self) -> int:
        return self._fd


def test_what_is_typed_before_the_app_has_the_terminal_is_not_echoed_and_echo_comes_back():
    # A passphrase typed straight after the command was echoed, and stayed in the
    # terminal's scrollback after quitting.
    leader, follower = pty.openpty()
    try:
        assert termios.tcgetattr(follower)[3] & termios.ECHO
        put_back = echo_off(_Terminal(follower))
        assert not termios.tcgetattr(follower)[3] & termios.ECHO
        os.write(leader, b"typed ahead\r")
        put_back()
        assert termios.tcgetattr(follower)[3] & termios.ECHO
        assert os.read(follower, 100) == b"typed ahead\n"  # still there for the app to read
    finally:
        os.close(leader)
        os.close(follower)


def test_a_stream_that_is_not_a_terminal_is_left_alone():
    echo_off(io.StringIO())()  # no fileno: nothing to do, nothing raised
    read, write = os.pipe()
    try:
        echo_off(_Terminal(read))()
    finally:
        os.close(read)
        os.close(write)
