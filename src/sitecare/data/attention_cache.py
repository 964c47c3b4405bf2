"""The attention list kept between computations, so that after a change only what the
change touched is read and worked out again (issue 7).

The list is made of groups of inputs (data/attention_inputs.py GROUPS), each read in
pieces: one per kind of training, per site (policies, contacts), per open concern, or
one for the whole group. What is kept, per group: each piece's inputs (when read in
this session), its entries (rules.entries_by_row: what is due, before any severity)
with the days they hold for, and its items; and the merged list with each item's sort
key beside it. A group starts from what the vault keeps (data/kept_attention.py) when
it can, and keep() writes back what changed (plan_keep, KeepPlan.make_ready in a
worker, apply_keep).

When to read again (data/changes.py counts every row written, by any path, per
table; an UPDATE only when a column in READS differs):
- a change to a table of the group's `own` re-reads the pieces keyed by the changed
  rows (a training record: its kind; a chronology entry: its concern); to a table in
  `via`, the pieces that depend on the changed rows (a site: its concerns); to any
  other of its tables, the whole group; a concern whose procedure is resolved from the
  same rows as before reuses its steps (a memo by everything they are resolved from);
- a new day re-reads the pieces whose entries do not hold that day: those of the
  sources in rules.DAY_DEPENDENT not yet asked about it, and those whose inputs change
  on it (Piece.until);
- items are worked out again, from the entries, for a new day, new warning windows
  (the settings table), or a moment that changes a deadline counted in hours
  (rules.severity_span);
- the merged list is remade when a whole group changed; otherwise a piece's new items
  replace its old ones where a stable sort of the whole list puts them (_splice_keyed:
  items of different pieces never sort equal but for one case, two sites with the same
  name whose policy items are due the same day, and then the list is remade).

A cache belongs to one database connection and never outlives it: binding the
database to another connection (another vault, the vault unlocked again) or to none
(locked, closed) drops it, and so does a lost trigger (a transaction that created them
rolled back, a migration that rebuilt a table). Inside a transaction nothing is kept or
used: what is read could yet be rolled back.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections import Counter
from collections.abc import Iterable, Sequence
from datetime import date, datetime, timedelta
from itertools import chain
from typing import Any

from ..rules import attention as rules
from .attention_inputs import GROUPS, KEYS, READS, Group, Piece, _Reader, collector_paused, windows
from .changes import TableChanges, Watch
from .kept_attention import KeptPiece
from . import kept_attention
from .models import database

Span = tuple[datetime | None, datetime | None]

#: How many days ahead keep() asks a day-dependent piece's rules about: the list kept
#: in the vault then holds, unread, for a week of openings.
KEEP_DAYS = 7
#: Day-dependent pieces running out within this many days are read again at keep(),
#: at most REFRESH_AT_MOST of a group at a time: reading is the app thread's work, and
#: on the extreme vault a quarter of a group took 0.6 s.
REFRESH_AHEAD = 3
REFRESH_AT_MOST = 250
#: The share of kept pieces found stale at an opening for which keep() saves at once.
STALE_WORTH_A_SAVE = 0.1


def _within(now: datetime, span: Span) -> bool:
    lo, hi = span
    return (lo is None or now > lo) and (hi is None or now <= hi)


def _narrow(span: Span, items: Sequence[rules.AttentionItem], now: datetime) -> Span:
    """`span` narrowed to the moments at which none of `items` changes severity."""
    lo, hi = rules.severity_span(items, now)
    old_lo, old_hi = span
    if old_lo is not None and (lo is None or old_lo > lo):
        lo = old_lo
    if old_hi is not None and (hi is None or old_hi < hi):
        hi = old_hi
    return lo, hi


_new_object = object.__new__
_NO_ROWS: dict[str, tuple] = {}  # shared by every piece kept from the vault: never written to


class _KeptGroup:
    """One group's pieces, their entries and their items."""

    def __init__(self, group: Group, whole: tuple, today: date):
        self.group = group
        self.whole = whole  # versions of the tables whose change re-reads everything
        self.today = today
        self.daily = any(name in rules.DAY_DEPENDENT for name in group.fields)
        self.since: dict[str, int] = {}  # versions of the keyed tables when last read
        self.pieces: dict[Any, Piece] = {}
        self.depending: dict[tuple[str, Any], set[Any]] = {}
        self._undepended: list[Any] = []
        #: Per piece: its entries (rules.entries_by_row, in the group's field order) and
        #: the days they hold for, as kept in the vault (data/kept_attention.py).
        self.kept: dict[Any, KeptPiece] = {}
        #: Pieces read or gone since the group was last written to the vault (None: all).
        self.unkept: set[Any] | None = None
        self.items: dict[Any, list[rules.AttentionItem]] = {}
        self.items_key: tuple | None = None
        self.span: Span = (None, None)
        self._part: list[rules.AttentionItem] | None = None

    def put(self, key: Any, piece: Piece | None) -> None:
        self.pieces.pop(key, None)
        self.kept.pop(key, None)
        if self.unkept is not None:
            self.unkept.add(key)
        if piece is not None:
            self.pieces[key] = piece
            self._depend(key, piece.depends)

    def put_kept(self, key: Any, kept: KeptPiece) -> None:
        """A piece as the vault kept it: no rows, its entries ready. What it depends on
        is noted when first asked (depending_on): an opening may never need it."""
        piece = _new_object(Piece)  # Piece(kept.order, {}, kept.depends), without its guarded setattrs
        fields = piece.__dict__
        fields["order"] = kept.order
        fields["rows"] = _NO_ROWS
        fields["depends"] = kept.depends
        fields["until"] = None
        self.pieces[key] = piece
        self.kept[key] = kept
        self._undepended.append(key)

    def depending_on(self, dependency: tuple[str, Any]) -> set[Any]:
        """The pieces that depend on `dependency`, no longer noted as depending on it."""
        if self._undepended:
            for key in self._undepended:
                if key in self.kept and self.pieces.get(key) is not None:
                    self._depend(key, self.pieces[key].depends)
            self._undepended = []
        return self.depending.pop(dependency, set())

    def _depend(self, key: Any, depends: Iterable[tuple[str, Any]]) -> None:
        for dependency in depends:
            self.depending.setdefault(dependency, set()).add(key)

    def stale_on(self, day: date) -> set[Any]:
        """The pieces whose entries do not hold on `day`."""
        return {key for key in self.pieces if key not in self.kept or not self.kept[key].holds_on(day)}

    def work_out(self, keys: Iterable[Any], today: date, windows: rules.Windows, now: datetime) -> None:
        """The items of the pieces `keys` (those that exist), each piece's in the order
        of its rows: a stable sort, or a splice, then orders equal items as sorting
        the whole list would. A piece read afresh has its entries made first."""
        present = [key for key in keys if key in self.pieces]
        for key in keys:
            if key not in self.pieces:
                self.items.pop(key, None)
        fresh = [key for key in present if key not in self.kept]
        if fresh:
            made: dict[Any, list[tuple]] = {key: [] for key in fresh}
            for name in self.group.fields:
                rows: list[Any] = []
                owners: list[Any] = []
                for key in fresh:
                    found = self.pieces[key].rows.get(name, ())
                    rows += found
                    owners += [key] * len(found)
                if rows:
                    for owner, entries in zip(owners, rules.entries_by_row(name, rows, today)):
                        made[owner] += entries
            for key in fresh:
                # A day-dependent piece's entries hold for today only, until keep() has
                # asked its rules about the days ahead; the inputs may end sooner.
                until = self.pieces[key].until
                if self.daily:
                    until = min(until or date.max, today + timedelta(days=1))
                self.kept[key] = KeptPiece.made(self.pieces[key].order, self.pieces[key].depends, today, made[key],
                                                until)
        # Every piece's items made in one call, then each piece's share of them: an
        # opening works out two thousand pieces.
        entries = kept_attention.entries_for([self.kept[key] for key in present], today)
        items = rules.items_of(chain.from_iterable(entries), today, windows, now)
        start = 0
        for key, piece_entries in zip(present, entries):
            end = start + len(piece_entries)
            self.items[key] = items[start:end]
            start = end
        self.span = _narrow(self.span, items, now)
        self._part = None

    def part(self) -> list[rules.AttentionItem]:
        """Every item of the group, piece by piece in the pieces' order (unsorted: a
        stable sort of every group's part, in GROUPS order, is the list)."""
        if self._part is None:
            pieces = self.pieces
            ordered = sorted(pieces, key=lambda k: pieces[k].order)
            self._part = list(chain.from_iterable(self.items.get(k, ()) for k in ordered))
        return self._part


def extended(kept: KeptPiece, piece: Piece, fields: Sequence[str], days: int) -> KeptPiece:
    """`kept` (made from `piece`'s rows for its first day only) with its entries for
    each of the next `days` days, asked of the rules day by day, for as long as the
    piece's inputs hold. A new object: pure, so a worker thread may make it."""
    first = kept.made_on
    until = first + timedelta(days=days + 1)
    if piece.until is not None and piece.until < until:
        until = piece.until
    firsts, segments = list(kept.firsts), list(kept.segments)
    for ahead in range(1, (until - first).days):
        day = first + timedelta(days=ahead)
        entries = [entry for name in fields
                   for found in rules.entries_by_row(name, piece.rows.get(name, ()), day) for entry in found]
        if entries != segments[-1]:
            firsts.append(day.toordinal())
            segments.append(entries)
    return KeptPiece(kept.order, kept.depends, firsts, segments, until)


def _unextended(kept: KeptPiece | None, piece: Piece | None) -> bool:
    """Whether `kept` holds for its first day only because keep() has not yet asked
    the rules about the days after (rather than because its inputs end then)."""
    return (kept is not None and piece is not None and bool(piece.rows)
            and kept.until == kept.made_on + timedelta(days=1) and piece.until != kept.until)


class KeepPlan:
    """What keep() writes, taken on the app's thread (plan_keep), made ready off it
    (make_ready: the rules asked about the week ahead, the JSON written) and written
    back on it (apply_keep), only for the pieces that did not change in between."""

    def __init__(self, cache: "AttentionCache", groups: list[tuple[str, bool, tuple, list]], days: int):
        self.cache = cache
        self.groups = groups  # (name, whole, fields, [(key, kept piece or None, piece or None)])
        self.days = days
        self.ready: dict[str, list[tuple[Any, KeptPiece | None, KeptPiece | None, str | None]]] = {}

    def make_ready(self) -> None:
        # With the collector paused, as the list itself is made: the week's entries are
        # tens of thousands of small lists, none of them garbage, and each collection
        # traversed the whole heap again. Measured, the first keep: 131 ms paused and
        # 147 on, on the large vault; 1.34 s and 1.6 to 2.0 s on the extreme one (ten
        # times the data, eleven to fourteen times the time, all of it the collector).
        with collector_paused():
            for name, _, fields, jobs in self.groups:
                done = []
                for key, kept, piece in jobs:
                    new = kept
                    if _unextended(kept, piece):
                        new = extended(kept, piece, fields, self.days)
                    done.append((key, kept, new, kept_attention.body(new) if new is not None else None))
                self.ready[name] = done


class Tie(Exception):
    """Two pieces' items sort equal: only remaking the list orders them as it would."""


def _splice(items: list[rules.AttentionItem], removed: Iterable[rules.AttentionItem],
            added: Iterable[Sequence[rules.AttentionItem]]) -> list[rules.AttentionItem]:
    """`items` (sorted by rules.order_key) without `removed`, and with each piece's
    `added` items where a stable sort of the whole list puts them. A piece's own equal
    items keep their order; an added item equal to an item of another piece raises Tie
    (so does a removed item that is not there, which would be a bug: remaking is safe)."""
    return _splice_keyed(items, [rules.order_key(i) for i in items], removed, added)[0]


def _splice_keyed(items: list[rules.AttentionItem], keys: list[tuple], removed: Iterable[rules.AttentionItem],
                  added: Iterable[Sequence[rules.AttentionItem]]) -> tuple[list[rules.AttentionItem], list[tuple]]:
    """_splice, given the items' keys (kept beside the list) and giving the new ones.
    A binary search among the keys per item removed or added, then slices between:
    nothing is worked out again for what stays (merging the whole list again cost most
    of an edit that moved a thousand items of a 43,000-item list)."""
    key = rules.order_key
    removed = list(removed)
    if removed:
        at_all = set()
        for item in removed:
            k = key(item)
            at = bisect_left(keys, k)
            while at < len(items) and items[at] is not item and keys[at] == k:
                at += 1
            if at == len(items) or items[at] is not item or at in at_all:
                raise Tie
            at_all.add(at)
        kept_items: list[rules.AttentionItem] = []
        kept_keys: list[tuple] = []
        start = 0
        for at in sorted(at_all):
            kept_items += items[start:at]
            kept_keys += keys[start:at]
            start = at + 1
        items = kept_items + items[start:]
        keys = kept_keys + keys[start:]
    coming = sorted(((key(item), number, item) for number, piece in enumerate(added) for item in piece),
                    key=lambda c: c[0])
    for (k1, p1, _), (k2, p2, _) in zip(coming, coming[1:]):
        if k1 == k2 and p1 != p2:
            raise Tie
    out_items: list[rules.AttentionItem] = []
    out_keys: list[tuple] = []
    start = 0
    for k, _, item in coming:
        at = bisect_right(keys, k, lo=start)
        if at > 0 and keys[at - 1] == k:
            raise Tie  # equal to an item of another piece (its own are all in `coming`)
        out_items += items[start:at]
        out_keys += keys[start:at]
        out_items.append(item)
        out_keys.append(k)
        start = at
    out_items += items[start:]
    out_keys += keys[start:]
    return out_items, out_keys


class AttentionCache:
    """The attention list of one database connection, kept by group and piece."""

    def __init__(self, connection: Any):
        self.connection = connection
        self.changes = TableChanges(
            connection, {table: Watch(columns, KEYS.get(table)) for table, columns in READS.items()}
        )
        #: What was read again: a group's name for the whole group, "<name> pieces" for
        #: single pieces (counted one by one). For tests, which count work, not time.
        self.recomputed: Counter[str] = Counter()
        self._kept: dict[str, _KeptGroup] = {}
        self._same: dict = {}
        self._memo: dict[tuple, tuple] = {}
        self._memo_scope: tuple | None = None
        self._windows: tuple[int, rules.Windows] | None = None
        self._merged: list[rules.AttentionItem] | None = None
        self._merged_keys: list[tuple] = []
        #: Whether to start from what the vault keeps (data/kept_attention.py), and
        #: what it keeps, read once, each group taken out as it is used.
        self.use_kept = True
        self._in_vault: dict | None = None
        #: Pieces taken from the vault, and read again because they had gone stale,
        #: at this connection's first list (see apply_keep).
        self._kept_at_open = 0
        self._stale_at_open = 0

    def windows(self) -> rules.Windows:
        version = self.changes.version("setting")
        if self._windows is None or self._windows[0] != version:
            self._windows = (version, windows())
        return self._windows[1]

    def attention(self, today: date, now: datetime) -> list[rules.AttentionItem]:
        try:
            return self._attention(today, now)
        except BaseException:
            # Half brought up to date is not up to date: start afresh next time.
            self._kept = {}
            self._merged = None
            raise

    def _attention(self, today: date, now: datetime) -> list[rules.AttentionItem]:
        win = self.windows()
        reader = _Reader(today, self._same)
        remake = self._merged is None
        removed: list[rules.AttentionItem] = []
        added: list[list[rules.AttentionItem]] = []
        for group in GROUPS:
            change = self._update(group, reader, today, win, now)
            if change is None:
                remake = True
            else:
                removed += change[0]
                added += change[1]
        self._forget_seen()
        if not remake and (removed or added):
            try:
                self._merged, self._merged_keys = _splice_keyed(self._merged, self._merged_keys, removed, added)
            except Tie:
                remake = True
        if remake:
            # rules.merge, with each item's key worked out once and kept beside it.
            items = list(chain.from_iterable(self._kept[group.name].part() for group in GROUPS))
            keys = list(map(rules.order_key, items))
            order = sorted(range(len(items)), key=keys.__getitem__)
            self._merged = [items[i] for i in order]
            self._merged_keys = [keys[i] for i in order]
        return list(self._merged)

    def _update(self, group: Group, reader: _Reader, today: date, windows: rules.Windows, now: datetime
                ) -> tuple[list, list] | None:
        """Bring one group up to date. Returns what changed in its items, (removed,
        added by piece), or None when all of them were made again."""
        whole = self.changes.versions(group.whole)
        keyed = {table: self.changes.version(table) for table in group.own + group.via}
        kept = self._kept.get(group.name)
        dirty: set[Any] = set()
        if kept is None and self.use_kept:
            kept = self._from_vault(group, whole, today, reader)
        if kept is None or kept.whole != whole:
            kept = _KeptGroup(group, whole, today)
            for key, piece in group.read(reader, None, self._procedure_memo(group)).items():
                kept.put(key, piece)
            self._kept[group.name] = kept
            self.recomputed[group.name] += 1
        else:
            if kept.today != today:
                kept.today = today
                dirty |= kept.stale_on(today)
            for table in group.own:
                if table in kept.since:
                    dirty |= self.changes.changed_keys(table, kept.since[table])
            for table in group.via:
                if table in kept.since:
                    for value in self.changes.changed_keys(table, kept.since[table]):
                        dirty |= kept.depending_on((table, value))
            if dirty:
                self._read_again(group, kept, dirty, reader)
        kept.since = keyed

        if kept.items_key != (today, windows) or not _within(now, kept.span):
            kept.items = {}
            kept.items_key = (today, windows)
            kept.span = (None, None)
            kept.work_out(list(kept.pieces), today, windows, now)
            return None
        if not dirty:
            return [], []
        removed = [item for key in dirty for item in kept.items.pop(key, ())]
        kept.work_out(sorted(dirty, key=repr), today, windows, now)
        return removed, [kept.items[key] for key in dirty if key in kept.items]

    def _read_again(self, group: Group, kept: _KeptGroup, dirty: set[Any], reader: _Reader) -> None:
        keys = sorted(k for k in dirty if k is not None) + ([None] if None in dirty else [])
        fresh = group.read(reader, keys, self._procedure_memo(group))
        for key in dirty:
            kept.put(key, fresh.get(key))
        self.recomputed[f"{group.name} pieces"] += len(dirty)

    def _from_vault(self, group: Group, whole: tuple, today: date, reader: _Reader) -> _KeptGroup | None:
        """The group as the vault keeps it (data/kept_attention.py), with the pieces
        noted stale since, or not holding today, read again; None when nothing is kept."""
        if self._in_vault is None:
            self._in_vault = kept_attention.load()
        found = self._in_vault.pop(group.name, None)
        if found is None:
            return None
        pieces, stale = found
        kept = _KeptGroup(group, whole, today)
        kept.unkept = set()
        for key, piece in pieces.items():
            if piece.holds_on(today):
                kept.put_kept(key, piece)
            else:
                stale.add(key)
        self._kept[group.name] = kept
        self.recomputed[f"{group.name} kept"] += 1
        self._kept_at_open += len(kept.pieces)
        self._stale_at_open += len(stale)
        if stale:
            self._read_again(group, kept, stale, reader)
        return kept

    def plan_keep(self, today: date, days: int = KEEP_DAYS) -> KeepPlan | None:
        """What to write to the vault (data/kept_attention.py) since the list was last
        kept there; None when nothing. The caller has brought the list up to date for
        `today`. Day-dependent pieces kept from the vault that run out within
        REFRESH_AHEAD days are read again now (a few hundred at a time), to be asked
        about a new week: so their days run out a few at a time, not all on the same
        opening."""
        if not self.use_kept:
            return None
        self._refresh_ahead(today)
        groups = []
        for group in GROUPS:
            kept = self._kept.get(group.name)
            if kept is None or (kept.unkept is not None and not kept.unkept):
                continue
            keys = set(kept.pieces) if kept.unkept is None else set(kept.unkept)
            jobs = [(key, kept.kept.get(key), kept.pieces.get(key)) for key in keys]
            groups.append((group.name, kept.unkept is None, group.fields, jobs))
        return KeepPlan(self, groups, days) if groups else None

    def _refresh_ahead(self, today: date) -> None:
        reader = _Reader(today, self._same)
        soon = today + timedelta(days=REFRESH_AHEAD)
        for group in GROUPS:
            kept = self._kept.get(group.name)
            if kept is None or not kept.daily:
                continue
            keys = [key for key, piece in kept.kept.items()
                    if not kept.pieces[key].rows and piece.until is not None and piece.until <= soon]
            if not keys:
                continue
            keys = sorted(keys, key=repr)[:REFRESH_AT_MOST]
            fresh = group.read(reader, sorted(k for k in keys if k is not None) + ([None] if None in keys else []),
                               self._procedure_memo(group))
            for key in keys:
                piece = fresh.get(key)
                if piece is None or piece.order != kept.pieces[key].order:
                    continue  # not what was kept: the next list reads it (its key is noted stale)
                if piece.until is not None and piece.until <= kept.kept[key].until:
                    continue  # its inputs change first: asking the rules again gains no day
                entries = [entry for name in group.fields
                           for found in rules.entries_by_row(name, piece.rows.get(name, ()), today) for entry in found]
                if entries != kept.kept[key].entries_on(today):
                    continue
                kept.pieces[key] = piece
                until = min(piece.until or date.max, today + timedelta(days=1))
                kept.kept[key] = KeptPiece.made(piece.order, piece.depends, today, entries, until)
                if kept.unkept is not None:
                    kept.unkept.add(key)

    def apply_keep(self, plan: KeepPlan) -> bool:
        """Write what `plan` made ready, for the pieces still as planned; returns
        whether anything was written (saved at once, or with the next change)."""
        if attention_cache() is not self:
            return False  # locked, or another vault: nothing of it is this list's now
        writes = {}
        for name, whole, _, _ in plan.groups:
            kept = self._kept.get(name)
            ready = plan.ready.get(name)
            if kept is None or ready is None:
                continue
            current = [(key, old, new, body) for key, old, new, body in ready if kept.kept.get(key) is old]
            if whole:
                if len(current) != len(ready) or kept.unkept is not None or set(kept.kept) != {k for k, *_ in ready}:
                    continue  # changed meanwhile: the whole group is written next time
            elif not current:
                continue
            for key, old, new, _ in current:
                if new is not None and new is not old:
                    kept.kept[key] = new
            writes[name] = (whole, [(key, new, body) for key, _, new, body in current])
            kept.unkept = set() if whole else kept.unkept - {key for key, *_ in current}
        # A write worth a save of its own: a group written whole (the first time, or
        # another sitecare's list replaced), or a list found a tenth stale at this
        # opening. Anything smaller rides along with the next save of a change: every
        # save made at a writable open's tidy-up moves the oldest backup out, and an
        # opening where nothing was changed should not cost a backup.
        stale = self._stale_at_open >= STALE_WORTH_A_SAVE * max(self._kept_at_open, 1)
        save = any(whole for whole, _ in writes.values()) or stale
        kept_attention.write(writes, save=save)
        if save:
            self._stale_at_open = 0
        return bool(writes)

    def _forget_seen(self) -> None:
        """Drop the changed keys every group has read (data/changes.py keeps them)."""
        for table in KEYS:
            seen = [kept.since[table] for kept in self._kept.values() if table in kept.since]
            if seen:
                self.changes.forget(table, min(seen))

    def _procedure_memo(self, group: Group) -> dict | None:
        """Concerns' procedure steps by everything they are resolved from, for the
        templates and national contacts as they are now."""
        if group.name != "concerns":
            return None
        scope = self.changes.versions(("procedure_template", "national_contact"))
        kept = self._kept.get(group.name)
        if self._memo_scope != scope or len(self._memo) > 4 * max(len(kept.pieces) if kept else 0, 1000):
            self._memo = {}
            self._memo_scope = scope
        return self._memo


_cache: AttentionCache | None = None


def attention_cache() -> AttentionCache | None:
    """The open database's cache, made on first use; None when nothing can be kept:
    no database, or inside a transaction (what it reads could yet be rolled back)."""
    global _cache
    db = database.obj
    if db is None or db.is_closed():
        _cache = None
        return None
    connection = db.connection()
    if connection.in_transaction:
        return None
    if _cache is None or _cache.connection is not connection or not _cache.changes.intact():
        _cache = AttentionCache(connection)
    return _cache


def drop_cache(*_: Any) -> None:
    """Forget the kept list (the next one is read afresh)."""
    global _cache
    _cache = None


# Binding the database to a connection (a vault unlocked, another opened) or to nothing
# (locked, closed) drops the kept list: no list outlives the data it was read from.
database.attach_callback(drop_cache)
