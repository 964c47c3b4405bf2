"""Which tables changed, counted by the database itself.

A cache over the vault (the attention list's) needs to know what changed since it last
looked. Counting in the code that writes would miss a path: a bulk `Model.update()`,
raw SQL, a foreign-key cascade, a test that creates rows outside `models.change()`. So
temporary triggers count instead: for every row inserted, deleted or updated in a
watched table, SQLite calls a Python function that bumps the table's counter (and, for a
table watched by a key column, notes the row's key, before and after).

- TEMP triggers live in the connection's temp schema, never in the main database, so
  they are never in the saved (serialized) image, and a new connection (another vault,
  the same vault unlocked again) has none.
- An UPDATE counts only when one of the watched columns differs (`OLD.c IS NOT NEW.c`):
  editing a site's visit notes is not a change to a cache that never reads them.
- The counters are Python integers that only go up: a write that is rolled back still
  counts, so a cache may recompute needlessly but never serves what it did not read.
- `intact()` tells whether the triggers are still there: a rolled-back transaction that
  created them, or a migration that rebuilt a table, removes them, and the caller must
  then start again from nothing.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from typing import Any, Mapping

FUNCTION = "sitecare_changed"
PREFIX = "sitecare_watch_"


@dataclass(frozen=True)
class Watch:
    """What to watch in one table. `columns`: an UPDATE counts only when one of them
    changes (empty: any UPDATE counts). `key`: a column whose value (before and after
    the change) is recorded, so a reader can ask which keys changed."""

    columns: tuple[str, ...] = ()
    key: str | None = None


class TableChanges:
    """Change counters for some tables of one SQLite connection."""

    def __init__(self, connection: sqlite3.Connection, watched: Mapping[str, Watch]):
        self.connection = connection
        self.watched = dict(watched)
        self._versions: dict[str, int] = {table: 0 for table in self.watched}
        self._keys: dict[str, dict[Any, int]] = {t: {} for t, w in self.watched.items() if w.key}
        self._clock = 0
        self._install()

    # -- reading ---------------------------------------------------------------------

    def version(self, table: str) -> int:
        """A number that grows whenever a row of `table` changes (0 until one does)."""
        return self._versions[table]

    def versions(self, tables: tuple[str, ...]) -> tuple[int, ...]:
        return tuple(self._versions[t] for t in tables)

    def changed_keys(self, table: str, since: int) -> set[Any]:
        """The key values of the rows of `table` changed after its version `since`."""
        return {key for key, at in self._keys[table].items() if at > since}

    def forget(self, table: str, upto: int) -> None:
        """Stop remembering keys changed at or before `upto` (a reader that has seen
        them), so the record stays as small as what is still unread."""
        keys = self._keys[table]
        for key in [k for k, at in keys.items() if at <= upto]:
            del keys[key]

    def intact(self) -> bool:
        """Whether every trigger is still in place (see the module's notes)."""
        try:
            (count,) = self.connection.execute(
                "SELECT count(*) FROM sqlite_temp_master WHERE type = 'trigger' AND name GLOB ?",
                (PREFIX + "*",),
            ).fetchone()
        except sqlite3.Error:
            return False
        return count == 3 * len(self.watched)

    # -- the triggers ----------------------------------------------------------------

    def _changed(self, table: str, event: str, old: Any, new: Any) -> None:
        self._clock += 1
        self._versions[table] = self._clock
        keys = self._keys.get(table)
        if keys is not None:
            # None is a key too (an action of no concern, say): an INSERT has no row
            # before, a DELETE none after.
            if event != "INSERT":
                keys[old] = self._clock
            if event != "DELETE":
                keys[new] = self._clock

    def _install(self) -> None:
        conn = self.connection
        conn.create_function(FUNCTION, 4, self._changed)
        # One savepoint: SQLite rewrites the temp schema once, not once per trigger.
        conn.execute("SAVEPOINT sitecare_watch")
        try:
            self._create_triggers()
        except BaseException:
            conn.execute("ROLLBACK TO sitecare_watch")
            conn.execute("RELEASE sitecare_watch")
            raise
        conn.execute("RELEASE sitecare_watch")

    def _create_triggers(self) -> None:
        conn = self.connection
        for name, in conn.execute(
            "SELECT name FROM sqlite_temp_master WHERE type = 'trigger' AND name GLOB ?", (PREFIX + "*",)
        ).fetchall():
            conn.execute(f'DROP TRIGGER IF EXISTS temp."{name}"')
        for table, watch in self.watched.items():
            key = f'"{watch.key}"' if watch.key else None
            old = f"OLD.{key}" if key else "NULL"
            new = f"NEW.{key}" if key else "NULL"
            when = ""
            if watch.columns:
                when = "WHEN " + " OR ".join(f'OLD."{c}" IS NOT NEW."{c}"' for c in watch.columns)
            for event, args in (("INSERT", f"'INSERT', NULL, {new}"), ("DELETE", f"'DELETE', {old}, NULL"),
                                ("UPDATE", f"'UPDATE', {old}, {new}")):
                conn.execute(
                    f'CREATE TEMP TRIGGER "{PREFIX}{table}_{event.lower()}" AFTER {event} ON main."{table}" '
                    f"{when if event == 'UPDATE' else ''} "
                    f"BEGIN SELECT {FUNCTION}('{table}', {args}); END"
                )
