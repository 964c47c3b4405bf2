"""The attention list's pieces kept in the vault, so that opening it does not work the
whole list out again (issue 7: the list at launch in at most 50 ms on a large vault).

What is kept, per group of inputs (data/attention_inputs.py GROUPS) and per piece: the
piece's entries (rules.attention.entries_by_row: what is due, before any severity), the
days they hold for, where the piece sorts, and the rows of other tables it depends on.
Severity is worked out again at every opening from the day, the moment and the warning
windows: it is never kept.

Why it cannot go stale:
- Triggers in the vault's own schema, made from the same GROUPS, KEYS and READS the
  in-memory cache uses (data/attention_cache.py), delete a piece the moment a row it is
  read from changes, by any path (a form, an import, raw SQL, a disposal, another
  version of sitecare), in the same transaction, and note its key as stale; a change to
  a table a group reads whole deletes the group. So a disposed client's details never
  outlive the disposal here either. An UPDATE counts only when a column the list
  reads differs.
- Entries of the sources in rules.attention.DAY_DEPENDENT hold only for the days their
  rules were asked about, day by day (attention_cache.extended: a schedule of what they
  say on each of the next seven days); the others' hold for every day from the one
  they were made on. A clock set back before that day reads the piece again.
- Every group is kept with the fingerprint of the code that made it (its rules, the
  readers, the shipped procedures and the trigger text): another sitecare reads the
  group again rather than trust it, and a missing trigger disowns everything kept.
- It is written only by write() (after the list is up to date, in one transaction);
  what is kept is only ever a shortcut to the list gather() would read afresh, and
  tests/test_kept_attention.py compares the two across days, edits and openings.
"""

from __future__ import annotations

import hashlib
from contextlib import nullcontext
from bisect import bisect_right
import json
from datetime import date, datetime
from functools import lru_cache
from itertools import chain
from pathlib import Path
from typing import Any, Iterable, Mapping

from ..rules import attention as rules
from .attention_inputs import GROUPS, KEYS, READS
from .models import change, database, suspended_commit_hooks

#: The whole-group key (a group read in one piece; actions of no concern) as stored.
NO_KEY = -1
PREFIX = "kept_attention_"
#: Raise when the stored layout changes: the fingerprint then disowns old rows.
LAYOUT = 4

_TABLES = (
    "CREATE TABLE IF NOT EXISTS kept_attention_group (grp TEXT PRIMARY KEY, made_by TEXT NOT NULL)",
    # made_on, until: day ordinals. body: lines of JSON, [order, depends, firsts] then one
    # line per segment, its entries (KeptPiece; body()).
    "CREATE TABLE IF NOT EXISTS kept_attention (grp TEXT NOT NULL, piece INTEGER NOT NULL, made_on INTEGER NOT NULL, "
    "until INTEGER, body TEXT NOT NULL, PRIMARY KEY (grp, piece)) WITHOUT ROWID",
    "CREATE TABLE IF NOT EXISTS kept_attention_stale (grp TEXT NOT NULL, piece INTEGER NOT NULL, "
    "PRIMARY KEY (grp, piece)) WITHOUT ROWID",
    "CREATE TABLE IF NOT EXISTS kept_attention_depends (tbl TEXT NOT NULL, key INTEGER NOT NULL, grp TEXT NOT NULL, "
    "piece INTEGER NOT NULL, PRIMARY KEY (tbl, key, grp, piece)) WITHOUT ROWID",
    "CREATE INDEX IF NOT EXISTS kept_attention_depends_piece ON kept_attention_depends (grp, piece)",
)
_KEPT_TABLES = ("kept_attention_group", "kept_attention", "kept_attention_stale", "kept_attention_depends")

_EVENTS = {"INSERT": ("NEW",), "DELETE": ("OLD",), "UPDATE": ("OLD", "NEW")}


def _trigger_body(table: str, event: str) -> list[str]:
    rows = _EVENTS[event]
    body = []
    for group in GROUPS:
        g = group.name
        if table in group.own:
            pieces = ", ".join(f'coalesce({r}."{KEYS[table]}", {NO_KEY})' for r in rows)
            for r in rows:
                body.append(f"INSERT OR IGNORE INTO kept_attention_stale (grp, piece) "
                            f"SELECT '{g}', coalesce({r}.\"{KEYS[table]}\", {NO_KEY}) "
                            f"WHERE EXISTS (SELECT 1 FROM kept_attention_group WHERE grp = '{g}')")
            body.append(f"DELETE FROM kept_attention WHERE grp = '{g}' AND piece IN ({pieces})")
        elif table in group.via:
            keys = ", ".join(f'{r}."{KEYS[table]}"' for r in rows)
            depending = f"SELECT piece FROM kept_attention_depends WHERE tbl = '{table}' AND key IN ({keys}) AND grp = '{g}'"
            body.append(f"INSERT OR IGNORE INTO kept_attention_stale (grp, piece) SELECT '{g}', piece FROM "
                        f"kept_attention_depends WHERE tbl = '{table}' AND key IN ({keys}) AND grp = '{g}'")
            body.append(f"DELETE FROM kept_attention WHERE grp = '{g}' AND piece IN ({depending})")
        elif table in group.tables:
            body += [f"DELETE FROM {kept} WHERE grp = '{g}'" for kept in _KEPT_TABLES]
    return body


def trigger_sql() -> list[str]:
    """The triggers that keep what is kept true to the data (see the module's notes)."""
    statements = []
    for table in sorted({t for group in GROUPS for t in group.tables}):
        for event in _EVENTS:
            body = _trigger_body(table, event)
            if not body:
                continue
            when = ""
            if event == "UPDATE":
                when = "WHEN " + " OR ".join(f'OLD."{c}" IS NOT NEW."{c}"' for c in READS[table])
            statements.append(f'CREATE TRIGGER "{PREFIX}{table}_{event.lower()}" AFTER {event} ON "{table}" {when} '
                              f"BEGIN {'; '.join(body)}; END")
    return statements


@lru_cache(maxsize=1)
def made_by() -> str:
    """The fingerprint of everything kept entries are made by: the rules, the readers,
    the shipped procedures and the triggers. Read from the files themselves, so an
    upgrade (or a developer's edit) disowns what an older sitecare kept."""
    package = Path(__file__).resolve().parent.parent
    digest = hashlib.sha256(f"layout {LAYOUT}\n".encode())
    paths = sorted((package / "rules").glob("*.py")) + sorted((package / "data" / "reference").rglob("*.toml"))
    paths += [package / "data" / name for name in ("attention_inputs.py", "concerns.py", "kept_attention.py")]
    for path in paths:
        digest.update(path.relative_to(package).as_posix().encode() + b"\0" + path.read_bytes() + b"\0")
    for statement in trigger_sql():
        digest.update(statement.encode())
    return digest.hexdigest()[:32]


@lru_cache(maxsize=1)
def _trigger_count() -> int:
    return len(trigger_sql())


def _triggers_in_place() -> bool:
    (count,) = database.execute_sql(
        "SELECT count(*) FROM sqlite_master WHERE type = 'trigger' AND name GLOB ?", (PREFIX + "*",)
    ).fetchone()
    return count == _trigger_count()


def _has_tables() -> bool:
    return database.execute_sql(
        "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'kept_attention_group'"
    ).fetchone() is not None


# ------------------------------------------------------------------------------ reading


class KeptPiece:
    """One piece as kept: where it sorts, what it depends on, and its entries by day: a
    schedule of segments, each from its first day (`firsts`, day ordinals) until the
    next, the last until `until` (None: for ever). A day-dependent rule's answer may
    change every day (a contact never confirmed at a site that is not a school is due
    12 months before today), so keep() writes each day's answer for the week ahead.
    A segment read from the vault stays JSON text (a line of its body) until its day is
    asked for."""

    __slots__ = ("order", "depends", "firsts", "segments", "made_on", "until")

    def __init__(self, order: Any, depends: tuple, firsts: list[int], segments: list[list[tuple] | str],
                 until: date | None):
        self.order = order
        self.depends = depends
        self.firsts = firsts
        self.segments = segments
        self.made_on = _day(firsts[0])
        self.until = until

    @classmethod
    def made(cls, order: Any, depends: tuple, day: date, entries: list[tuple], until: date | None) -> KeptPiece:
        return cls(order, depends, [day.toordinal()], [entries], until)

    def holds_on(self, day: date) -> bool:
        return self.made_on <= day and (self.until is None or day < self.until)

    def segment_on(self, day: date) -> int:
        return bisect_right(self.firsts, day.toordinal()) - 1 if len(self.firsts) > 1 else 0

    def entries_on(self, day: date) -> list[tuple]:
        at = self.segment_on(day)
        entries = self.segments[at]
        if type(entries) is str:
            entries = self.segments[at] = _entries(json.loads(entries))
        return entries


def entries_for(pieces: Iterable[KeptPiece], day: date) -> list[list[tuple]]:
    """Each of `pieces`' entries on `day`, the segments still text decoded all in one
    JSON parse and one loop."""
    found: list[Any] = []
    waiting = []
    ordinal = day.toordinal()
    for piece in pieces:
        firsts = piece.firsts
        at = bisect_right(firsts, ordinal) - 1 if len(firsts) > 1 else 0
        entries = piece.segments[at]
        if type(entries) is str:
            waiting.append((len(found), piece, at))
        found.append(entries)
    if waiting:
        stored = json.loads("[" + ",".join(found[number] for number, _, _ in waiting) + "]")
        decoded = _entries(chain.from_iterable(stored))
        start = 0
        for (number, piece, at), entries in zip(waiting, stored):
            end = start + len(entries)
            found[number] = piece.segments[at] = decoded[start:end]
            start = end
    return found


def load() -> dict[str, tuple[dict[Any, KeptPiece], set[Any]]]:
    """Every group kept by this sitecare: its pieces (by key; None for NO_KEY) and the
    keys noted stale since. Nothing when nothing can be trusted (see the notes)."""
    if not _has_tables() or not _triggers_in_place():
        return {}
    fingerprint = made_by()
    groups = {grp: ({}, set()) for grp, made in database.execute_sql(
        "SELECT grp, made_by FROM kept_attention_group").fetchall() if made == fingerprint}
    rows = [row for row in database.execute_sql("SELECT grp, piece, until, body FROM kept_attention").fetchall()
            if row[0] in groups]
    # Split off only the first line: most pieces hold one segment, and splitting every
    # body into its lines cost more than reading it.
    parts = [row[3].partition("\n") for row in rows]
    # Every piece's first line in one JSON document: a parse per piece cost more than
    # reading it. The segments stay text (entries_for).
    heads = json.loads("[" + ",".join(part[0] for part in parts) + "]")
    misread = set()
    for (grp, piece, until, _), (order, depends, firsts), (_, _, rest) in zip(rows, heads, parts):
        segments = rest.split("\n") if "\n" in rest else [rest]
        if len(segments) != len(firsts):
            misread.add(grp)  # not as body() writes: the group is read afresh
            continue
        groups[grp][0][None if piece == NO_KEY else piece] = KeptPiece(
            tuple(order) if type(order) is list else order, tuple(map(tuple, depends)) if depends else (), firsts,
            segments, _day(until) if until is not None else None,
        )
    for grp, piece in database.execute_sql("SELECT grp, piece FROM kept_attention_stale").fetchall():
        if grp in groups:
            groups[grp][1].add(None if piece == NO_KEY else piece)
    for grp in misread:
        del groups[grp]
    return groups


_KINDS = {kind.value: kind for kind in rules.Kind}
_from_ordinal = date.fromordinal
_DAYS: dict[int, date] = {}


def _day(ordinal: int) -> date:
    # Thousands of entries fall on a few hundred days: one date object per day.
    day = _DAYS.get(ordinal)
    if day is None:
        if len(_DAYS) > 50_000:
            _DAYS.clear()
        day = _DAYS[ordinal] = _from_ordinal(ordinal)
    return day
_moment = datetime.fromisoformat
_new_object = object.__new__
_RecordRef = rules.RecordRef


def _entries(stored: Iterable[list]) -> list[tuple]:
    # Each RecordRef made without the frozen dataclass's guarded setattr per field, as
    # rules.attention.items_of makes items: the same object, the same fields. Written
    # out in one loop: an opening decodes every entry of the list this way.
    kinds, days, new_ref, ref_class = _KINDS, _DAYS, _new_object, _RecordRef
    found = []
    append = found.append
    for kind, subject, due, action, table, id_, detail, due_at in stored:
        day = days.get(due)
        if day is None:
            day = _day(due)
        ref = new_ref(ref_class)
        fields = ref.__dict__
        fields["table"] = table
        fields["id"] = id_
        if due_at is None:
            append((kinds[kind], subject, day, action, ref, detail))
        else:
            append((kinds[kind], subject, day, action, ref, detail, _moment(due_at)))
    return found


def _stored_entries(entries: Iterable[tuple]) -> list:
    return [
        [kind.value, subject, due.toordinal(), action, ref.table, ref.id, detail,
         entry[6].isoformat() if len(entry) > 6 else None]
        for entry in entries
        for kind, subject, due, action, ref, detail in (entry[:6],)
    ]


def body(piece: KeptPiece) -> str:
    # A line per segment: an opening parses only the line of the day it needs, not the
    # week's, and no JSON is quoted inside JSON (unquoting it cost as much as parsing
    # it). Compact JSON never holds a line break: json.dumps escapes one in a string.
    segments = [entries if type(entries) is str else json.dumps(_stored_entries(entries), separators=(",", ":"))
                for entries in piece.segments]
    head = json.dumps([piece.order, [list(d) for d in piece.depends], piece.firsts], separators=(",", ":"))
    return "\n".join([head, *segments])


# ------------------------------------------------------------------------------ writing


def write(groups: Mapping[str, tuple[bool, list[tuple[Any, KeptPiece | None, str | None]]]], save: bool = True
          ) -> None:
    """Write, per group, (whether the whole group, [(key, its piece as kept or None
    when gone, the piece's body())]). One transaction: saved at once with `save`, else
    with the next save of a change (it is in the database from now on). The triggers
    are put in place first (and every kept row dropped) when they are not this
    sitecare's."""
    if not groups:
        return
    with (nullcontext() if save else suspended_commit_hooks()):
        _write(groups)


def _write(groups: Mapping[str, tuple[bool, list[tuple[Any, KeptPiece | None, str | None]]]]) -> None:
    fingerprint = made_by()
    with change():
        if not _has_tables() or not _triggers_in_place() or database.execute_sql(
            "SELECT 1 FROM kept_attention_group WHERE made_by != ? LIMIT 1", (fingerprint,)
        ).fetchone() is not None:
            _install()
        kept_groups = {g for g, in database.execute_sql("SELECT grp FROM kept_attention_group").fetchall()}
        for group, (whole, pieces) in groups.items():
            if not whole and group not in kept_groups:
                continue  # a change dropped the group since: it is written whole next time
            if whole:
                for table in _KEPT_TABLES:
                    database.execute_sql(f"DELETE FROM {table} WHERE grp = ?", (group,))
                database.execute_sql("INSERT INTO kept_attention_group (grp, made_by) VALUES (?, ?)", (group, fingerprint))
            else:
                stored = [NO_KEY if key is None else key for key, _, _ in pieces]
                for start in range(0, len(stored), 500):
                    chunk = stored[start:start + 500]
                    marks = ", ".join("?" * len(chunk))
                    for table in ("kept_attention", "kept_attention_stale", "kept_attention_depends"):
                        database.execute_sql(f"DELETE FROM {table} WHERE grp = ? AND piece IN ({marks})",
                                             (group, *chunk))
            rows = []
            depends = []
            for key, piece, text in pieces:
                if piece is None:
                    continue
                stored_key = NO_KEY if key is None else key
                rows.append((group, stored_key, piece.made_on.toordinal(),
                             piece.until.toordinal() if piece.until else None, text))
                depends += [(table, value, group, stored_key) for table, value in set(piece.depends)]
            cursor = database.cursor()
            cursor.executemany("INSERT INTO kept_attention (grp, piece, made_on, until, body) VALUES (?, ?, ?, ?, ?)",
                               rows)
            cursor.executemany("INSERT OR IGNORE INTO kept_attention_depends (tbl, key, grp, piece) VALUES (?, ?, ?, ?)",
                               depends)


def _install() -> None:
    for statement in _TABLES:
        database.execute_sql(statement)
    for name, in database.execute_sql(
        "SELECT name FROM sqlite_master WHERE type = 'trigger' AND name GLOB ?", (PREFIX + "*",)
    ).fetchall():
        database.execute_sql(f'DROP TRIGGER IF EXISTS "{name}"')
    for table in _KEPT_TABLES:
        database.execute_sql(f"DELETE FROM {table}")
    for statement in trigger_sql():
        database.execute_sql(statement)


def forget() -> None:
    """Drop everything kept (the next opening works the list out afresh)."""
    if _has_tables():
        with change():
            for table in _KEPT_TABLES:
                database.execute_sql(f"DELETE FROM {table}")
