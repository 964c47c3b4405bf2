"""Who is told after each committed change: the app's save, the command line's.

Kept apart from the schema (models.py) so that the app can register its save before
peewee is imported: the unlock screen appears without waiting for peewee, which is
imported while the key is derived.
"""

from __future__ import annotations

from contextlib import contextmanager
from typing import Callable, Iterator

# Called after every outermost committed change (models.change), so the vault can
# save it to disk.
after_commit: list[Callable[[], None]] = []


def on_commit(callback: Callable[[], None]) -> None:
    after_commit.append(callback)


def clear_commit_listeners() -> None:
    after_commit.clear()


@contextmanager
def suspended_commit_hooks() -> Iterator[None]:
    """For bulk loads that save once at the end rather than after each step."""
    saved = list(after_commit)
    after_commit.clear()
    try:
        yield
    finally:
        after_commit[:] = saved
