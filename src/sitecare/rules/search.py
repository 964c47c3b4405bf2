"""Finding an entry by a few typed letters, as the command palette does (ctrl+p).

Matching is Textual's fuzzy matching: the query's characters appear in the entry's text
in the same order, case ignored, so "lrkspr" finds "Larkspur House" and "central beds"
finds "Central Bedfordshire". Scores are on the scale of Textual's own matcher
(`textual.fuzzy.FuzzySearch.score`: one point per matched character, one more for each
at the start of a word, boosted for fewer runs, x1.5 when the query appears whole, x2
when it is the whole text), so the palette can sort these hits among its own commands.

What makes it fast enough for a vault of thousands of people, typed into letter by
letter: a `SearchIndex` is built once over all the texts (when the palette opens), and
per keystroke

- only candidates are looked at: the entries that matched a shorter query this one
  extends (a text that does not contain "pers" in order cannot contain "perso"), or, for
  a fresh query, the entries holding the query's rarest character;
- each candidate is tested with `str.find` and at most two compiled regular expressions
  (C, not Python, walks the text) and ranked by cheap measures: the query is the whole
  text, then the query whole at the start of a word, inside a word, then its letters in
  order with the fewest others between the first and the last;
- only the best few are scored on Textual's scale (see `_Query.placements`) and
  returned, with the offsets to highlight. The score decides the order (the palette
  sorts by it, keeping the order hits came in among equal scores); equal scores go to
  the closer match (see `_closeness`), then to the shorter text, then to the earlier
  entry.

Textual's score saturates on names that differ only in where their letters fall: for
"person 0042", "Person 000042", "Person 000420" and "Person 000942" all score the same
("person 0" and one more run). What a person typing means is the one holding each typed
word whole, and whole where a word starts or ends ("0042" ends "000042"), so that is
what breaks the tie; it also weighs in choosing which candidates are scored.

The work per keystroke is proportional to the candidates, and the Python work per
candidate is a few operations. Textual's `Matcher`, used over every entry before, tries
every placement of the letters in Python (many on texts full of repeated digits, such
as "Person 000042 (Oak 00012 Academy)"), and every match was highlighted and sent to
the palette, thousands per keystroke on a large vault.
"""

from __future__ import annotations

import heapq
import re
from dataclasses import dataclass
from functools import cached_property
from operator import itemgetter
from typing import Sequence

__all__ = ["Found", "SearchIndex", "fold", "fuzzy_score", "word_starts"]

# Ranking tiers, higher first; Textual's score never puts a lower tier above a higher
# one (the whole query scores x1.5, and at a word start one more point).
_EXACT, _WORD, _INSIDE, _SPREAD = 3, 2, 1, 0
# How many of the best-ranked candidates are scored, per hit asked for: the cheap
# ranking and the score agree on the tiers but can differ within one.
_OVERSAMPLE = 4
_WORD_RE = re.compile(r"\w+")
# Between the end of one word and a place in the next: separators, then the start of
# that word (matched over the whole of what lies between).
_NEXT_WORD = re.compile(r"\W*\w*\Z")
_first = itemgetter(0)


@dataclass(frozen=True)
class Found:
    """One matching entry: its position in the texts the index was built from, its
    score (Textual's scale, see the module notes) and the offsets of the matched
    characters in its text."""

    index: int
    score: float
    positions: tuple[int, ...]


def fold(text: str) -> str:
    """Lower case, one character for each character, so offsets in the folded text are
    offsets in `text`: "İ".lower() is "i" and a combining dot, so "İ" folds to "i"."""
    lowered = text.lower()
    if len(lowered) == len(text):
        return lowered
    return "".join(ch.lower()[0] for ch in text)


def fuzzy_score(folded: str, positions: Sequence[int], whole: bool, starts: frozenset[int] | None = None) -> float:
    """Textual's score for matched `positions` in a folded text: characters matched,
    plus those at the start of a word, times a boost for fewer runs; x1.5 when the
    query was found whole (`whole`), x2 when it is the whole text. `starts`: the
    text's word starts, if already worked out."""
    if not positions:
        return 0.0
    if starts is None:
        starts = word_starts(folded)
    count = len(positions)
    score: float = count + sum(1 for p in positions if p in starts)
    groups = 1 + sum(1 for a, b in zip(positions, positions[1:]) if b != a + 1)
    together = (count - (groups - 1)) / count
    score *= 1 + together * together
    if whole:
        score *= 2.0 if count == len(folded) else 1.5
    return score


def word_starts(text: str) -> frozenset[int]:
    """Where each word of `text` starts (Textual's "first letters")."""
    return frozenset(m.start() for m in _WORD_RE.finditer(text))


def _at_word_start(folded: str, at: int) -> bool:
    return at == 0 or not (folded[at - 1].isalnum() or folded[at - 1] == "_")


def _closeness(folded: str, words: Sequence[str]) -> tuple[int, int, int]:
    """How close a text whose letters match is to what was typed, higher closer: how
    many of the typed `words` it holds whole, in order; how many of those are in the
    word after the one before them (or the same word); and how well they sit on its own
    words (2 for starting one, 1 for ending one: a whole word 3, a word's start 2, its
    end 1, inside a word 0). A few `str.find`s, for every candidate (inline: a
    function call per test made the search on a 35,000-entry vault a third slower)."""
    found = following = bounds = 0
    pos = -1
    last = len(folded)
    for word in words:
        at = folded.find(word, pos if pos > 0 else 0)
        if at < 0:
            continue
        end = at + len(word)
        found += 1
        if pos >= 0 and _NEXT_WORD.match(folded, pos, at):
            following += 1
        if at == 0 or not (folded[at - 1].isalnum() or folded[at - 1] == "_"):
            bounds += 2
        if end == last or not (folded[end].isalnum() or folded[end] == "_"):
            bounds += 1
        pos = end
    return found, following, bounds


class _Query:
    """A folded query and the patterns that test a text for it, each compiled when first
    needed (a query every candidate holds whole needs none of the letter patterns).

    In every pattern, each gap before a letter cannot hold that letter and is possessive
    (*+): the letters land at their nearest occurrences, and a text that does not match
    fails in one pass instead of backtracking through every way of placing them."""

    def __init__(self, query: str) -> None:
        self.text = query
        self._letters = [re.escape(ch) for ch in query]

    @cached_property
    def forward(self) -> re.Pattern[str]:
        """From the start, each letter as early as possible: the earliest end of any match."""
        return re.compile("".join(f"[^{ch}]*+{ch}" for ch in self._letters), re.S)

    @cached_property
    def forward_groups(self) -> re.Pattern[str]:
        return re.compile("".join(f"[^{ch}]*+({ch})" for ch in self._letters), re.S)

    @cached_property
    def backward(self) -> re.Pattern[str]:
        """On the reversed text, from the last letter backwards, each letter as late as
        possible: from the earliest end, the latest start (fzf's "v1" tightest span)."""
        last, *rest = reversed(self._letters)
        return re.compile(last + "".join(f"[^{ch}]*+{ch}" for ch in rest), re.S)

    @cached_property
    def backward_groups(self) -> re.Pattern[str]:
        last, *rest = reversed(self._letters)
        return re.compile(f"({last})" + "".join(f"[^{ch}]*+({ch})" for ch in rest), re.S)

    @cached_property
    def at_word(self) -> re.Pattern[str]:
        """The query whole, at the start of a word."""
        return re.compile(r"(?<!\w)" + re.escape(self.text))

    def tightest(self, folded: str, backwards: str) -> tuple[int, int] | None:
        """(start, end) of the tightest span holding the letters in order, or None."""
        found = self.forward.match(folded)
        if found is None:
            return None
        end = found.end()
        back = self.backward.match(backwards, len(folded) - end)
        return len(folded) - back.end(), end

    def placements(self, folded: str, backwards: str) -> list[tuple[int, ...]]:
        """A few good placements of the letters (offsets), for the exact score to choose
        from: in the tightest span, each letter as late and as early as possible; and
        over the whole text, each letter at its first and at its last occurrence that
        keeps them in order. Textual tries every placement; on the demo vault's names
        the best of these four is Textual's best for 95% of hits (the rest score a
        little lower: the same entries match, in nearly the same order)."""
        start, end = self.tightest(folded, backwards)
        last = len(folded) - 1
        found = []
        for back in (self.backward_groups.match(backwards, len(folded) - end), self.backward_groups.search(backwards)):
            found.append(tuple(last - back.start(g) for g in range(len(self.text), 0, -1)))
        for at in (start, 0):
            forward = self.forward_groups.match(folded, at)
            found.append(tuple(forward.start(g) for g in range(1, len(self.text) + 1)))
        return found


class SearchIndex:
    """The texts of every entry, ready to be searched letter by letter (see the module
    notes). Build one when the entries are gathered; it never changes afterwards."""

    def __init__(self, texts: Sequence[str], remember: int = 32) -> None:
        self.texts = list(texts)
        self._folded = [fold(t) for t in self.texts]
        self._backwards = [f[::-1] for f in self._folded]
        self._holding: dict[str, list[int]] = {}  # character -> entries holding it
        self._matched: dict[str, list[int]] = {}  # recent query -> entries it matched
        self._remember = remember
        self.examined = 0  # entries the last search looked at (for tests and benchmarks)

    def __len__(self) -> int:
        return len(self.texts)

    def search(self, query: str, limit: int) -> list[Found]:
        """The best `limit` entries matching `query`, best first; ties go to the shorter
        text, then to the earlier entry."""
        q = fold(query)
        self.examined = 0
        if not q or limit <= 0:
            return []
        pattern = _Query(q)
        folded, backwards = self._folded, self._backwards
        size = len(q)
        words = q.split()
        # One word not held whole (a spread match) is held whole nowhere: nothing to weigh.
        apart = (0, 0, 0) if len(words) < 2 else None
        matched: list[int] = []
        ranked: list[tuple[int, ...]] = []
        candidates = self._candidates(q)
        self.examined = len(candidates)
        for i in candidates:
            text = folded[i]
            at = text.find(q)
            if at >= 0:
                if at == 0:
                    tier = _EXACT if len(text) == size else _WORD
                elif _at_word_start(text, at):
                    tier = _WORD
                else:
                    at_word = pattern.at_word.search(text, at + 1)
                    if at_word is None:
                        tier = _INSIDE
                    else:
                        tier, at = _WORD, at_word.start()
                # The query whole is closer when it ends a word too ("otter": "Otter
                # Class" before "Otterton"); inline, as this runs for every candidate.
                end = at + size
                key = (tier, end == len(text) or not (text[end].isalnum() or text[end] == "_"), -len(text), -i)
            else:
                span = pattern.tightest(text, backwards[i])
                if span is None:
                    continue
                start, end = span
                key = (_SPREAD, *(apart or _closeness(text, words)), size - (end - start), _at_word_start(text, start),
                       -len(text), -i)
            matched.append(i)
            ranked.append(key)
        self._keep(q, matched)
        best = heapq.nlargest(limit * _OVERSAMPLE, ranked)
        scored = []
        for key in best:
            tier, shorter, earlier = key[0], key[-2], key[-1]
            close = key[1:-2] if tier != _SPREAD else key[1:4]
            i = -earlier
            text = folded[i]
            if tier == _SPREAD:
                starts = word_starts(text)
                score, positions = max(
                    ((fuzzy_score(text, placed, False, starts), placed) for placed in pattern.placements(text, backwards[i])),
                    key=_first,
                )
            else:
                at = text.find(q)
                if tier == _WORD and not _at_word_start(text, at):
                    at = pattern.at_word.search(text, at + 1).start()
                positions = tuple(range(at, at + size))
                score = fuzzy_score(text, positions, True)
            scored.append((score, tier, close, shorter, earlier, positions))
        scored.sort(reverse=True)
        return [Found(-earlier, score, positions) for score, _, _, _, earlier, positions in scored[:limit]]

    def _candidates(self, q: str) -> list[int]:
        """Entries that may match `q`: those a recent query `q` extends matched, or else
        those holding `q`'s rarest character."""
        for end in range(len(q) - 1, 0, -1):
            known = self._matched.get(q[:end])
            if known is not None:
                return known
        return min((self._holding_char(ch) for ch in set(q)), key=len)

    def _holding_char(self, ch: str) -> list[int]:
        found = self._holding.get(ch)
        if found is None:
            found = self._holding[ch] = [i for i, text in enumerate(self._folded) if ch in text]
        return found

    def _keep(self, q: str, matched: list[int]) -> None:
        self._matched.pop(q, None)
        self._matched[q] = matched
        while len(self._matched) > self._remember:
            del self._matched[next(iter(self._matched))]
