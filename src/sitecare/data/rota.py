"""The rota: the sites visited on a day, each with its DSL that day.

The home screen shows this line at every launch, for a busy practice hundreds of sites.
Reading each site as a model and asking for its DSL one site at a time cost up to
180 ms on a Tuesday of the large benchmark vault; so only the columns needed are read,
the few dates parsed only for sites on a weekday their pattern names, and the DSLs of
all the day's sites read in one query.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from ..rules.visits import visits_on
from .models import Site, database


@dataclass(frozen=True)
class Visit:
    site_id: int
    site_name: str
    site_kind: str
    dsl_name: str
    dsl_phone: str
    recording_system: str


def _visited(day: date) -> list[tuple[int, str, str, str]]:
    """(id, name, kind, recording system) of the sites, not archived, whose visit
    pattern has a visit on `day`, by name; an unreadable pattern is no visit."""
    rows = database.execute_sql(
        "SELECT id, name, kind, recording_system, visit_rule, visit_start, created_on FROM site "
        "WHERE archived = 0 AND visit_rule != '' ORDER BY id"
    ).fetchall()
    found = []
    for site_id, name, kind, recording_system, rule, visit_start, created_on in rows:
        # As a Site model reads them (data/sites.py's _visit_start).
        start = Site.visit_start.python_value(visit_start) or Site.created_on.python_value(created_on) or date(2000, 1, 1)
        try:
            if visits_on(rule, start, day):
                found.append((site_id, name, kind, recording_system))
        except ValueError:
            continue
    return sorted(found, key=lambda row: row[1].casefold())


def visited_site_ids(day: date) -> list[int]:
    """The ids of the sites visited on `day`, by site name."""
    return [row[0] for row in _visited(day)]


def _dsls(site_ids: list[int], day: date) -> dict[int, tuple[str, str]]:
    """site id -> (name, phone) of the DSL in post on `day`: as contacts.current() picks
    when two overlap, the first by name, then the first recorded."""
    found: dict[int, tuple[str, str, int]] = {}
    for start in range(0, len(site_ids), 500):
        chunk = site_ids[start:start + 500]
        rows = database.execute_sql(
            "SELECT site_id, name, phone, id FROM contact WHERE role = 'dsl' AND from_date <= ? "
            f"AND (to_date IS NULL OR to_date >= ?) AND site_id IN ({', '.join('?' * len(chunk))})",
            (day.isoformat(), day.isoformat(), *chunk),
        )
        for site_id, name, phone, contact_id in rows:
            held = found.get(site_id)
            if held is None or (name, contact_id) < (held[0], held[2]):
                found[site_id] = (name, phone, contact_id)
    return {site_id: (name, phone) for site_id, (name, phone, _) in found.items()}


def todays_visits(day: date) -> list[Visit]:
    """The sites visited on `day`, each with the DSL in post that day and how the site
    wants concerns recorded."""
    visited = _visited(day)
    dsls = _dsls([row[0] for row in visited], day)
    found = []
    for site_id, name, kind, recording_system in visited:
        dsl_name, dsl_phone = dsls.get(site_id, ("", ""))
        found.append(Visit(site_id, name, kind, dsl_name, dsl_phone, recording_system))
    return found
