"""The command palette's sitecare provider (ctrl+p, from anywhere): type part of a site,
a person or a local authority and jump to the briefing or the record; the sites and
authorities actions are here too, so every key is also reachable by name, and the
settings, which have no key.

`IndexedProvider` is what the palette providers over many records share: the entries are
gathered once each time the palette opens and indexed (rules/search.py), and each key
typed yields only the best few hits, so a keystroke costs milliseconds on a vault of
thousands of people, not the whole list matched, highlighted and drawn."""

from __future__ import annotations

from functools import partial
from typing import Callable

from textual.command import DiscoveryHit, Hit, Hits, Provider
from textual.content import Content
from textual.style import Style

from ..data import authorities as authorities_mod, concerns as concerns_mod, contacts as contacts_mod, sites
from ..data.attention_inputs import collector_paused
from ..data.settings import DESCRIPTIONS
from ..rules.concerns import KIND_LABELS, STATUS_LABELS
from ..rules.search import SearchIndex
from .formfields import shown_phone

# (text to match, help line, what to do)
Entry = tuple[str, str, Callable[[], object]]

# Hits each provider yields for a query: more than the palette's list shows at once on a
# tall terminal (it takes 70% of the height, two lines a hit); typing more narrows them.
HITS_SHOWN = 40

_NO_ARGUMENT = object()


class Entries:
    """What a provider offers the palette: texts, help lines and what each does, kept in
    parallel lists of strings and numbers. A tuple and a `partial` per entry gave the
    garbage collector tens of thousands of objects to walk, which made it more than half
    of opening the palette on a 5,000-site vault; the command is made when it is a hit."""

    def __init__(self) -> None:
        self.texts: list[str] = []
        self.helps: list[str] = []
        self._does: list[Callable[..., object]] = []
        self._arguments: list[object] = []

    def __len__(self) -> int:
        return len(self.texts)

    def add(self, text: str, help_text: str, do: Callable[..., object], argument: object = _NO_ARGUMENT) -> None:
        """An entry that calls `do()`, or `do(argument)` when one is given."""
        self.texts.append(text)
        self.helps.append(help_text)
        self._does.append(do)
        self._arguments.append(argument)

    def extend(self, entries: list[Entry]) -> None:
        for text, help_text, command in entries:
            self.add(text, help_text, command)

    def command(self, index: int) -> Callable[[], object]:
        do, argument = self._does[index], self._arguments[index]
        return do if argument is _NO_ARGUMENT else partial(do, argument)


def plain(text: str) -> str:
    """`text` as palette markup that shows as typed: the palette reads a hit's help
    (and a plain-string prompt) as markup, where "[Annexe]" would vanish as a tag."""
    return text.replace("[", "\\[")


def highlighted(text: str, positions: tuple[int, ...], style: Style) -> Content:
    """`text` with the matched characters in `style` (spaces left plain), one span per
    run of neighbouring characters."""
    content = Content(text)
    runs: list[list[int]] = []
    for at in positions:
        if text[at].isspace():
            continue
        if runs and runs[-1][1] == at:
            runs[-1][1] = at + 1
        else:
            runs.append([at, at + 1])
    for start, end in runs:
        content = content.stylize(style, start, end)
    return content


class IndexedProvider(Provider):
    """A provider over many records: `entries()` is gathered and indexed once when the
    palette opens (or on the first search after the vault is unlocked), and each search
    yields the best `HITS_SHOWN` hits, best first, highlighted."""

    _entries: Entries | None = None
    _index: SearchIndex | None = None

    def entries(self) -> Entries:
        raise NotImplementedError

    async def startup(self) -> None:
        if self.app.vault.is_open:
            self._build()

    def _build(self) -> None:
        # The collector paused, as for the attention list: tens of thousands of entries,
        # none of them garbage, and a collection running meanwhile traverses the heap.
        # Opening the palette on the extreme vault, five builds each: 208 to 572 ms
        # (median 217) running, 201 to 254 (median 204) paused: steadier, little faster.
        with collector_paused():
            self._entries = self.entries()
            self._index = SearchIndex(self._entries.texts)

    async def search(self, query: str) -> Hits:
        if not self.app.vault.is_open:
            return
        if self._index is None:
            self._build()
        entries, index = self._entries, self._index
        assert entries is not None and index is not None
        style = self.match_style or Style(reverse=True)
        for found in index.search(query, HITS_SHOWN):
            i = found.index
            text = entries.texts[i]
            yield Hit(found.score, highlighted(text, found.positions, style), entries.command(i), text=text,
                      help=plain(entries.helps[i]))


class SitecareCommands(IndexedProvider):
    """Sites, people (at sites and at my organisations), local authorities and concerns
    by name, the sites actions, and the settings."""

    def entries(self) -> Entries:
        app = self.app
        found = sites.sites_to_find(app.today())
        briefing = partial(open_briefing, app)
        entries = Entries()
        for s in found:
            where = " · ".join(p for p in (sites.KIND_NAMES.get(s.kind, s.kind), s.authority) if p)
            entries.add(s.name, f"Briefing · {where} · DSL {s.dsl or 'not recorded'}", briefing, s.site_id)
        # One entry per person and site, with every role they hold there.
        person_briefing = partial(open_person_briefing, app)
        helps: dict[tuple[str, ...], str] = {}
        for s in found:
            for name, roles in s.people:
                help_text = helps.get(roles)
                if help_text is None:
                    help_text = helps[roles] = f"{' and '.join(map(contacts_mod.role_name, roles))} · open the briefing"
                entries.add(f"{name} ({s.name})", help_text, person_briefing, (s.site_id, name))
        # My organisations' safeguarding leads and managers, whom concern steps name.
        person_at = partial(open_organisation_contact, app)
        for c in sites.organisation_contacts_to_find():
            phone = f" · {shown_phone(c.phone)}" if c.phone else ""
            entries.add(f"{c.name} ({c.organisation})", f"{c.organisation}'s {c.role}{phone} · open a briefing",
                        person_at, c)
        authority = partial(open_authority, app)
        for la in authorities_mod.list_authorities():
            entries.add(la.name, "Local authority · open its record", authority, la.id)
        concern = partial(open_concern, app)
        for concern_id, reference, site_name, kind, status in concerns_mod.concerns_to_find():
            where = f" at {site_name}" if site_name else ""
            entries.add(f"{reference}{where}",
                        f"Concern · {KIND_LABELS.get(kind, kind)} · {STATUS_LABELS.get(status, status)}",
                        concern, concern_id)
        entries.extend(actions(app))
        entries.extend(settings_entries(app))
        return entries

    async def discover(self) -> Hits:
        if not self.app.vault.is_open:
            return
        today = self.app.today()
        for site in sites.todays_visits(today):
            text = f"Briefing: {site.name}"
            yield DiscoveryHit(Content(text), partial(open_briefing, self.app, site.id), text=text, help="Visiting today")
        for text, help_text, command in actions(self.app):
            yield DiscoveryHit(text, command, text=text, help=help_text)


def actions(app) -> list[Entry]:
    return [
        ("New concern", "Raise a safeguarding concern (ctrl+n)", app.action_new_concern),
        ("Concerns", "Every concern, newest first (c)", partial(app.switch_mode, "concerns")),
        ("Lock sitecare", "Hide everything until the passphrase is typed (ctrl+l)", app.action_lock),
        ("Settings", "Your name, the idle lock, how far ahead things are due soon", partial(open_settings, app)),
        ("Sites", "The table of every site (s)", partial(app.switch_mode, "sites")),
        ("Local authorities", "The local authority directory (a)", partial(app.switch_mode, "authorities")),
        ("New site", "Add a site (n on the sites table)", partial(new_site, app)),
        ("Import sites from CSV", "Sites and their contacts, all or nothing", partial(csv_file, app, "import", "sites")),
        ("Export sites to CSV", "Sites and their contacts, with history", partial(csv_file, app, "export", "sites")),
        ("Import local authorities from CSV", "The directory, all or nothing", partial(csv_file, app, "import", "authorities")),
        ("Export local authorities to CSV", "The directory", partial(csv_file, app, "export", "authorities")),
    ]


def settings_entries(app) -> list[Entry]:
    """Each setting by its own words, found only by typing (the list shown before
    anything is typed has "Settings" once): the settings screen, in that setting."""
    words = {"practitioner_name": "your name", "idle_lock_minutes": "idle lock",
             "warn_days_training": "training due soon", "warn_days_other": "other dates due soon"}
    return [(f"Settings: {words[key]}", DESCRIPTIONS[key], partial(open_settings, app, key)) for key in words]


def open_settings(app, focus: str | None = None) -> None:
    from .settings import SettingsScreen

    if isinstance(app.screen, SettingsScreen):  # the palette opened over it: not a second one
        if focus is not None:
            app.screen.field(focus).widget.focus()
        return
    app.push_screen(SettingsScreen(focus))


def open_briefing(app, site_id: int) -> None:
    from .briefing import BriefingScreen

    app.push_screen(BriefingScreen(site_id))


def open_person_briefing(app, at: tuple[int, str]) -> None:
    """The site's briefing, scrolled to the person (below the essentials at 80x24)."""
    from .briefing import BriefingScreen

    site_id, name = at
    app.push_screen(BriefingScreen(site_id, reveal_person=name))


def open_organisation_contact(app, contact: sites.OrganisationContactToFind) -> None:
    """The briefing of a site worked under their organisation, with them in view."""
    phone = f" ({shown_phone(contact.phone)})" if contact.phone else ""
    site_id = sites.site_showing_organisation(contact.organisation_id)
    if site_id is None:
        app.notify(f"{contact.name}{phone} is {contact.organisation}'s {contact.role}. No site in the vault "
                   f"works under {contact.organisation}, so no briefing shows them.")
        return
    from .briefing import BriefingScreen

    app.push_screen(BriefingScreen(site_id, reveal="b-own-org"))


def open_concern(app, concern_id: int) -> None:
    from .concern import ConcernScreen

    app.push_screen(ConcernScreen(concern_id))


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
