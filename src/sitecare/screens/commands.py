"""The command palette's sitecare provider (ctrl+p, from anywhere): type part of a site,
a person or a local authority and jump to the briefing or the record; the sites and
authorities actions are here too, so every key is also reachable by name."""

from __future__ import annotations

from functools import partial
from typing import Callable

from textual.command import DiscoveryHit, Hit, Hits, Provider

from ..data import authorities as authorities_mod, contacts as contacts_mod, sites

# (text to match, help line, what to do)
Entry = tuple[str, str, Callable[[], object]]


class SitecareCommands(Provider):
    """Sites, people and local authorities by name, and the sites actions."""

    _cache: list[Entry] | None = None

    async def startup(self) -> None:
        # Gathered once each time the palette opens, not on every key typed.
        self._cache = self._entries() if self.app.vault.is_open else None

    def entries(self) -> list[Entry]:
        if self._cache is None:
            self._cache = self._entries()
        return self._cache

    def _entries(self) -> list[Entry]:
        app = self.app
        today = app.today()
        entries: list[Entry] = []
        summaries = sites.site_summaries(today)
        for s in summaries:
            where = " · ".join(p for p in (sites.KIND_NAMES.get(s.kind, s.kind), s.authority) if p)
            entries.append((s.name, f"Briefing · {where} · DSL {s.dsl or 'not recorded'}", partial(open_briefing, app, s.site_id)))
        people: dict[tuple[str, int], list[str]] = {}
        names: dict[int, str] = {s.site_id: s.name for s in summaries}
        for contact, site in sites.current_contacts_everywhere(today):
            people.setdefault((contact.name, site.id), []).append(contacts_mod.role_name(contact.role))
        for (name, site_id), roles in sorted(people.items()):
            if site_id not in names:
                continue
            entries.append(
                (f"{name} ({names[site_id]})", f"{' and '.join(roles)} · open the briefing", partial(open_briefing, app, site_id))
            )
        for la in authorities_mod.list_authorities():
            entries.append((la.name, "Local authority · open its record", partial(open_authority, app, la.id)))
        entries.extend(actions(app))
        return entries

    async def search(self, query: str) -> Hits:
        if not self.app.vault.is_open:
            return
        matcher = self.matcher(query)
        for text, help_text, command in self.entries():
            score = matcher.match(text)
            if score > 0:
                yield Hit(score, matcher.highlight(text), command, text=text, help=help_text)

    async def discover(self) -> Hits:
        if not self.app.vault.is_open:
            return
        today = self.app.today()
        for site in sites.todays_visits(today):
            yield DiscoveryHit(f"Briefing: {site.name}", partial(open_briefing, self.app, site.id),
                               text=f"Briefing: {site.name}", help="Visiting today")
        for text, help_text, command in actions(self.app):
            yield DiscoveryHit(text, command, text=text, help=help_text)


def actions(app) -> list[Entry]:
    return [
        ("Sites", "The table of every site (s)", partial(app.switch_mode, "sites")),
        ("Local authorities", "The local authority directory (a)", partial(app.switch_mode, "authorities")),
        ("New site", "Add a site (n on the sites table)", partial(new_site, app)),
        ("Import sites from CSV", "Sites and their contacts, all or nothing", partial(csv_file, app, "import", "sites")),
        ("Export sites to CSV", "Sites and their contacts, with history", partial(csv_file, app, "export", "sites")),
        ("Import local authorities from CSV", "The directory, all or nothing", partial(csv_file, app, "import", "authorities")),
        ("Export local authorities to CSV", "The directory", partial(csv_file, app, "export", "authorities")),
    ]


def open_briefing(app, site_id: int) -> None:
    from .briefing import BriefingScreen

    app.push_screen(BriefingScreen(site_id))


def open_authority(app, authority_id: int) -> None:
    from .authorities import AuthoritiesScreen

    app.switch_mode("authorities")
    screen = app.screen
    if isinstance(screen, AuthoritiesScreen):
        screen.show_authority(authority_id)


def new_site(app) -> None:
    from .site_form import SiteFormScreen

    app.push_screen(SiteFormScreen())


def csv_file(app, mode: str, what: str) -> None:
    from .csvfile import CsvFileScreen

    app.push_screen(CsvFileScreen(mode, what))
