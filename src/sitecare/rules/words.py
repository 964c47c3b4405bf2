"""How lists of names are written in sitecare's sentences."""

from __future__ import annotations

from typing import Iterable


def listed(names: Iterable[str], limit: int | None = None) -> str:
    """"A", "A and B", "A, B and C"; past `limit` names, "A, B and 2 more"."""
    names = list(names)
    if limit is not None and len(names) > limit:
        names = names[:limit] + [f"{len(names) - limit} more"]
    return f"{', '.join(names[:-1])} and {names[-1]}" if len(names) > 1 else "".join(names)


def sentence(text: str) -> str:
    """`text` begun with a capital, the rest as written: str.capitalize() lowercased the
    rest ("Due 23 dec 2026", "No consent" where the words were "NO consent")."""
    return text[:1].upper() + text[1:]
