"""Safeguarding concerns: capture, the procedure for the site, and the append-only record.

What screens (and the command line) call. The rules live in `rules.procedures` (routes,
contact roles, deadlines) and `rules.concerns` (vocabulary, typed times); this module
turns a site, its local authority, its contacts *on the concern's date*, the client and
the organisation the practitioner works under into a `ProcedureContext`, and writes
concerns, chronology entries and follow-up actions.

The chronology is append-only (seed 002's record): nothing here edits or deletes an
entry, and the model and the database refuse it too. A correction is a new entry that
points at the one it corrects; both stay visible. Decisions that change which steps apply
("it is not safe to tell the parent", "the head is away") are themselves recorded as
decision entries, so the record shows when and why the route changed.

Statuses: open -> awaiting_outcome (the site's written outcome summary is awaited, with a
follow-up action to chase it after N working days of the site's nation) -> open (outcome
received) -> closed (signed off "Agreed action taken", seed 000). Re-opening appends an
entry. ("draft" is not used: unfinished forms live in the vault's encrypted drafts.)
"""

from __future__ import annotations

import json
import re
from functools import lru_cache
from dataclasses import dataclass, field
from datetime import date, datetime, time
from pathlib import Path
from typing import Any, Mapping, Sequence

from peewee import JOIN, fn

from ..rules import procedures as engine
from ..rules.concerns import (
    CATEGORIES,
    CHASE_PREFIX,
    CONSENT_LABELS,
    DEFAULT_CHASE_DAYS,
    ENTRY_KIND_LABELS,
    KIND_LABELS,
    SIGN_OFF_TEXT,
    check_not_future,
    looks_like_a_name,
    parse_moment,
    parse_optional_moment,
    show_moment,
)
from ..rules.dates import DateError, show_date
from ..rules.procedures import ContactInfo, OfficeHours, ProcedureContext, TemplateError
from ..rules.workdays import NATIONS, add_working_days
from . import settings
from .contacts import contacts_on
from .models import (
    CHRONOLOGY_KINDS,
    Action,
    ChronologyEntry,
    Client,
    Concern,
    Contact,
    LocalAuthority,
    NationalContact,
    Organisation,
    ProcedureTemplate,
    Site,
    change,
    chunks,
    database,
)
from .drafts import DRAFT_NAME  # noqa: F401 - its home is data/drafts.py (light, for the launch)
from .shipped import shipped_procedure_texts

DRAFT_VERSION = 1


#: Site contact roles (models.CONTACT_ROLES) -> the engine's roles.
SITE_ROLES = {
    "dsl": "site_dsl",
    "deputy_dsl": "deputy_dsl",
    "head": "head",
    "chair_of_governors": "chair_of_governors",
    "manager": "site_manager",
}

#: Decisions a practitioner records that change which steps apply, with the question
#: shown to them. Each is stored as a decision entry (step_key "condition:<name>=yes|no").
DECISIONS: dict[str, str] = {
    "parent_safe": "Is it safe to tell the parent or carer?",
    "about_head": "Is the concern about the head?",
    "about_dsl": "Is the concern about the DSL?",
    "head_away": "Is the head away (not available)?",
    "about_own_org": "Is it about someone in your own organisation?",
}
_CONDITION_KEY = re.compile(r"^condition:(?P<name>[a-z_]+)=(?P<value>yes|no|unknown)$")
UNDO_PREFIX = "undo:"
RESTRICT_KEY = "restrict"

CONTACT_HINT = "fill it in (sites: s, local authorities: a)"


class ConcernError(ValueError):
    """One sentence fit to show a person, and the field it belongs next to ('' for none)."""

    def __init__(self, message: str, field: str = ""):
        super().__init__(message)
        self.field = field


# --------------------------------------------------------------------------- who


def practitioner() -> str:
    return (settings.get_setting("practitioner_name") or "").strip() or "me"


# --------------------------------------------------------------------------- templates


@dataclass(frozen=True)
class TemplateSet:
    templates: dict[str, engine.ProcedureTemplate]
    errors: list[TemplateError]


def load_all_templates() -> TemplateSet:
    """Shipped templates plus the user's (ProcedureTemplate rows). A broken one is
    reported in `errors` (file, line, reason) and skipped; the others still load."""
    user = tuple((row.filename, row.text) for row in ProcedureTemplate.select().order_by(ProcedureTemplate.key))
    return _parsed(_shipped(), user)


@lru_cache(maxsize=1)
def _shipped() -> tuple[tuple[str, str], ...]:
    return tuple(shipped_procedure_texts())


@lru_cache(maxsize=8)
def _parsed(shipped: tuple[tuple[str, str], ...], user: tuple[tuple[str, str], ...]) -> TemplateSet:
    # Parsing is pure, so the same texts give the same templates: lists redraw on every
    # key typed in a search box and should not re-read TOML each time.
    templates, errors = engine.load_templates(shipped, user)
    return TemplateSet(templates, errors)


def add_user_template(filename: str, text: str, replace: bool = False, today: date | None = None) -> engine.ProcedureTemplate:
    """Store a user template after checking it; a broken one raises TemplateError and
    nothing is stored. A key already used by a user template needs `replace=True`."""
    template = engine.parse_template(text, filename)
    existing = ProcedureTemplate.get_or_none(ProcedureTemplate.key == template.key)
    if existing is not None and not replace:
        raise ConcernError(
            f"You already have a template with the key {template.key!r} (from {existing.filename}); "
            "replace it or change the key in the file.",
            "file",
        )
    with change():
        if existing is not None:
            existing.filename = filename
            existing.text = text
            existing.added_on = today or existing.added_on
            existing.save()
        else:
            ProcedureTemplate.create(key=template.key, filename=filename, text=text, added_on=today or date.today())
    return template


def read_template_file(path: Path | str) -> tuple[str, str]:
    """(file name, text) of a TOML file chosen by the person; ConcernError says what is wrong."""
    path = Path(str(path).strip()).expanduser()
    if not str(path).strip() or str(path) == ".":
        raise ConcernError("Type the path of a .toml template file.", "file")
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise ConcernError(f"There is no file at {path}.", "file") from None
    except IsADirectoryError:
        raise ConcernError(f"{path} is a folder: choose a .toml file inside it.", "file") from None
    except OSError as exc:
        raise ConcernError(f"{path} cannot be read ({exc.strerror}).", "file") from None
    if len(raw) > 256 * 1024:
        raise ConcernError(f"{path.name} is too large to be a procedure template.", "file")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise ConcernError(f"{path.name} is not a UTF-8 text file.", "file") from None
    return path.name, text


def remove_user_template(key: str) -> list[str]:
    """Remove a user template; returns the names of sites that used it (now unassigned)."""
    with change():
        row = ProcedureTemplate.get_or_none(ProcedureTemplate.key == key)
        if row is None:
            raise ConcernError(f"There is no user template {key!r}.")
        sites = list(Site.select().where(Site.procedure_template == key))
        for site in sites:
            site.procedure_template = ""
            site.save()
        row.delete_instance()
    return [s.name for s in sites]


def assign_template(site: Site | int, key: str) -> None:
    """Use template `key` at a site in place of its standard route ('' for the standard)."""
    site = site if isinstance(site, Site) else Site.get_by_id(site)
    if key:
        available = load_all_templates().templates
        if key not in available:
            raise ConcernError(f"There is no working template {key!r}.", "template")
        template = available[key]
        if "disclosure" not in template.applies_to.kinds:
            raise ConcernError(
                f"{template.name!r} is not a route for disclosures, so it cannot replace a site's standard route.",
                "template",
            )
    with change():
        site.procedure_template = key
        site.save()


def site_template_key(site: Site | None) -> str:
    if site is None:
        return ""
    if site.procedure_template:
        return site.procedure_template
    org = site.organisation
    return org.procedure_template if org is not None else ""


# --------------------------------------------------------------------------- capture


@dataclass(frozen=True)
class Capture:
    """A concern as typed, checked and parsed."""

    site_id: int | None
    occurred_at: datetime | None
    noticed_at: datetime
    client_id: int | None
    client_reference: str
    client_type: str
    kind: str
    categories: tuple[str, ...]
    immediate_danger: bool
    about_head: bool
    account: str
    observed: str


EMPTY_FORM: dict[str, Any] = {
    "site": None,
    "occurred": "",
    "noticed": "",
    "client": None,
    "client_reference": "",
    "client_type": "unknown",
    "kind": "disclosure",
    "categories": [],
    "immediate_danger": False,
    "about_head": False,
    "account": "",
    "observed": "",
}


def form_has_content(form: Mapping[str, Any], started: Mapping[str, Any] | None = None) -> bool:
    """Whether anything was typed or chosen beyond what the form starts with."""
    started = started or EMPTY_FORM
    for key, blank in EMPTY_FORM.items():
        value = form.get(key, blank)
        if key in ("noticed", "site"):
            if value != started.get(key, blank):
                return True
            continue
        if value not in (blank, None, "") and value != started.get(key, blank):
            return True
    return False


def check_capture(form: Mapping[str, Any], now: datetime) -> tuple[Capture | None, dict[str, str]]:
    """Read the form's values; returns (capture, {}) or (None, {field: message})."""
    errors: dict[str, str] = {}

    site_id = form.get("site")
    if site_id is not None and Site.get_or_none(Site.id == site_id) is None:
        errors["site"] = "That site is no longer in the vault: choose another."
        site_id = None

    noticed = None
    try:
        noticed = parse_moment(form.get("noticed", ""))
        problem = check_not_future(noticed, now, "When it was disclosed or noticed")
        if problem:
            errors["noticed"] = problem
    except DateError as exc:
        errors["noticed"] = str(exc)

    occurred = None
    try:
        occurred = parse_optional_moment(form.get("occurred", ""))
        if occurred is not None:
            problem = check_not_future(occurred, now, "When it happened")
            if problem:
                errors["occurred"] = problem
            elif noticed is not None and occurred > noticed and occurred.date() != noticed.date():
                errors["occurred"] = "It cannot have happened after it was disclosed or noticed: check both dates."
            elif noticed is not None and occurred > noticed and occurred.time() != time(0, 0):
                errors["occurred"] = "It cannot have happened after it was disclosed or noticed: check both times."
    except DateError as exc:
        errors["occurred"] = str(exc)

    client_id = form.get("client")
    client = None
    reference = " ".join((form.get("client_reference") or "").split())
    if client_id is not None:
        client = Client.get_or_none(Client.id == client_id)
        if client is None:
            errors["client"] = "That client is no longer in the vault: choose another or type a reference."
    elif reference:
        if looks_like_a_name(reference):
            errors["client_reference"] = (
                "That looks like a name: use a pseudonymous reference or initials (for example CH-0142)."
            )
        elif len(reference) > 40:
            errors["client_reference"] = "Keep the reference short (40 characters at most)."
        else:
            client = Client.get_or_none(fn.lower(Client.reference) == reference.lower())

    client_type = form.get("client_type") or "unknown"
    if client is not None and client_type == "unknown":
        client_type = client.client_type if client.client_type in ("child", "adult") else "unknown"
    if client_type not in engine.CLIENT_TYPES:
        errors["client_type"] = "Choose child, adult or not known."

    kind = form.get("kind") or "disclosure"
    if kind not in KIND_LABELS:
        errors["kind"] = "Choose what kind of concern this is."

    categories = tuple(c for c in CATEGORIES if c in set(form.get("categories") or ()))
    account = (form.get("account") or "").strip()
    observed = (form.get("observed") or "").strip()
    if not account and not observed:
        errors["account"] = "Write down what was said or what you saw, even a line: it is the heart of the record."

    if errors:
        return None, errors
    assert noticed is not None
    return (
        Capture(
            site_id=site_id,
            occurred_at=occurred,
            noticed_at=noticed,
            client_id=client.id if client is not None else None,
            client_reference=client.reference if client is not None else reference,
            client_type=client_type,
            kind=kind,
            categories=categories,
            immediate_danger=bool(form.get("immediate_danger")),
            about_head=bool(form.get("about_head")) and kind in ("allegation_staff", "whistleblowing"),
            account=account,
            observed=observed,
        ),
        {},
    )


def next_reference(year: int) -> str:
    prefix = f"C-{year}-"
    taken = [
        r.reference for r in Concern.select(Concern.reference).where(Concern.reference.startswith(prefix))
    ]
    numbers = [int(r[len(prefix):]) for r in taken if r[len(prefix):].isdigit()]
    return f"{prefix}{(max(numbers) + 1) if numbers else 1:03d}"


def routes_for(
    site: Site | None, client_type: str, kind: str, immediate_danger: bool, available: Sequence[str] | None = None
) -> engine.RouteChoice:
    """The routes for a concern at `site` (commissioned work assumed when no site is given)."""
    arrangement = site.arrangement if site is not None and site.arrangement in engine.ARRANGEMENTS else "commissioned"
    if available is None:
        available = list(load_all_templates().templates)
    return engine.explain_route(
        arrangement, client_type, kind, immediate_danger, site_template_key(site) or None, available
    )


def create_concern(capture: Capture, now: datetime, who: str | None = None) -> Concern:
    """Save a captured concern: the Concern row, then its account and observation as the
    first chronology entries (at the moment it was disclosed or noticed)."""
    site = Site.get_by_id(capture.site_id) if capture.site_id is not None else None
    choice = routes_for(site, capture.client_type, capture.kind, capture.immediate_danger)
    who = who or practitioner()
    with change():
        concern = Concern.create(
            reference=next_reference(capture.noticed_at.year),
            site=site,
            client=capture.client_id,
            client_reference=capture.client_reference,
            client_type=capture.client_type,
            kind=capture.kind,
            categories=list(capture.categories),
            immediate_danger=capture.immediate_danger,
            about_head=capture.about_head,
            occurred_at=capture.occurred_at,
            noticed_at=capture.noticed_at,
            account=capture.account,
            observed=capture.observed,
            routes=list(choice.all),
            status="open",
            outcome_chase_days=DEFAULT_CHASE_DAYS,
            created_at=now,
        )
        if capture.account:
            _append(concern, "account", capture.account, capture.noticed_at, now, who)
        if capture.observed:
            _append(concern, "observation", capture.observed, capture.noticed_at, now, who)
    return concern


def change_details(
    concern: Concern,
    now: datetime,
    *,
    site_id: int | None,
    client_reference: str,
    client_type: str,
    kind: str,
    immediate_danger: bool,
    about_head: bool,
    reason: str = "",
    who: str | None = None,
) -> list[str]:
    """Correct what was captured (a site chosen later, the client type once known...).

    The concern's routes follow the new facts; what changed, and why, is appended to the
    record as a note, so the chronology still shows what the steps were based on before.
    Returns the changes, in words ([] when nothing changed).
    """
    _check_open(concern)
    site = None
    if site_id is not None:
        site = Site.get_or_none(Site.id == site_id)
        if site is None:
            raise ConcernError("That site is no longer in the vault: choose another.", "site")
    reference = " ".join((client_reference or "").split())
    if reference and looks_like_a_name(reference):
        raise ConcernError("That looks like a name: use a pseudonymous reference or initials (for example CH-0142).",
                           "client_reference")
    if client_type not in engine.CLIENT_TYPES:
        raise ConcernError("Choose child, adult or not known.", "client_type")
    if kind not in KIND_LABELS:
        raise ConcernError("Choose what kind of concern this is.", "kind")
    about_head = bool(about_head) and kind in ("allegation_staff", "whistleblowing")
    old_site = concern.site
    changes = []
    if (old_site.id if old_site else None) != (site.id if site else None):
        changes.append(f"site: {old_site.name if old_site else 'none'} -> {site.name if site else 'none'}")
    if reference != (concern.client_reference or ""):
        changes.append(f"client reference: {concern.client_reference or 'none'} -> {reference or 'none'}")
    if client_type != concern.client_type:
        changes.append(f"client: {concern.client_type.replace('unknown', 'not known')} -> {client_type.replace('unknown', 'not known')}")
    if kind != concern.kind:
        changes.append(f"kind: {kind_label(concern.kind)} -> {kind_label(kind)}")
    if bool(immediate_danger) != bool(concern.immediate_danger):
        changes.append("immediate danger: " + ("yes" if immediate_danger else "no"))
    if about_head != bool(concern.about_head):
        changes.append("about the head: " + ("yes" if about_head else "no"))
    if not changes:
        return []
    choice = routes_for(site, client_type, kind, bool(immediate_danger))
    templates = load_all_templates().templates
    names = ", ".join(templates[k].name if k in templates else k for k in choice.all)
    text = "Details changed: " + "; ".join(changes) + f". Steps now follow: {names}."
    with change():
        client = concern.client
        if client is not None and client.reference != reference:
            concern.client = Client.get_or_none(fn.lower(Client.reference) == reference.lower()) if reference else None
        elif client is None and reference:
            concern.client = Client.get_or_none(fn.lower(Client.reference) == reference.lower())
        concern.site = site
        concern.client_reference = reference
        concern.client_type = client_type
        concern.kind = kind
        concern.immediate_danger = bool(immediate_danger)
        concern.about_head = about_head
        concern.routes = list(choice.all)
        concern.save()
        _append(concern, "note", text, now.replace(microsecond=0), now, who or practitioner(),
                purpose=(reason or "").strip())
    return changes


def draft_json(form: Mapping[str, Any]) -> str:
    """The draft as JSON: the form's values and when it was started."""
    data = {k: form.get(k, v) for k, v in EMPTY_FORM.items()}
    data["version"] = DRAFT_VERSION
    for key in ("started_at", "saved_at"):
        if form.get(key):
            data[key] = form[key]
    return json.dumps(data, ensure_ascii=False)


def draft_bytes(form: Mapping[str, Any]) -> bytes:
    return draft_json(form).encode("utf-8")


def read_draft_bytes(raw: bytes) -> dict[str, Any]:
    """A draft's form values; anything unreadable becomes the empty form plus the raw
    text in the account, so a damaged draft still loses nothing that can be read."""
    try:
        data = json.loads(raw.decode("utf-8"))
        if not isinstance(data, dict):
            raise ValueError
    except (ValueError, UnicodeDecodeError):
        form = dict(EMPTY_FORM)
        form["account"] = raw.decode("utf-8", errors="replace")
        return form
    form = dict(EMPTY_FORM)
    for key, blank in EMPTY_FORM.items():
        value = data.get(key, blank)
        if isinstance(blank, bool):
            form[key] = bool(value)
        elif isinstance(blank, list):
            form[key] = [str(v) for v in value] if isinstance(value, list) else []
        elif key in ("site", "client"):
            form[key] = value if isinstance(value, int) else None
        else:
            form[key] = str(value) if value is not None else ""
    for key in ("started_at", "saved_at"):
        if isinstance(data.get(key), str):
            form[key] = data[key]
    return form


def describe_draft(form: Mapping[str, Any]) -> str:
    """One line naming a draft without its contents: when it was started and where."""
    parts = []
    started = form.get("started_at")
    if started:
        try:
            parts.append(f"started {show_moment(datetime.fromisoformat(started))}")
        except ValueError:
            pass
    site = Site.get_or_none(Site.id == form.get("site")) if form.get("site") is not None else None
    if site is not None:
        parts.append(f"at {site.name}")
    kind = form.get("kind")
    if kind in KIND_LABELS:
        parts.append(KIND_LABELS[kind].lower())
    words = len(((form.get("account") or "") + " " + (form.get("observed") or "")).split())
    parts.append(f"{words} word{'s' if words != 1 else ''} written")
    return ", ".join(parts)


# --------------------------------------------------------------------------- the procedure


def _office_time(text: str, default: time) -> time:
    try:
        hours, minutes = (int(p) for p in (text or "").split(":"))
        return time(hours, minutes)
    except (ValueError, TypeError):
        return default


def _info(name: str, phone: str = "", email: str = "", organisation: str = "", source: str = "", hours: str = "") -> ContactInfo:
    return ContactInfo(name=name, phone=phone or "", email=email or "", organisation=organisation or "", source=source or "", hours=hours or "")


def moment_of(concern: Concern) -> datetime:
    return concern.noticed_at or concern.occurred_at or concern.created_at


@dataclass(frozen=True)
class Preloaded:
    """What build_context / procedure_for read for many concerns, loaded once (one
    query per table) so a list over hundreds of concerns makes no query per concern.
    `contacts` holds every contact row of every site (any dates); `entries` the
    chronology rows with a step_key (at least `id` and `step_key`) by concern id."""

    sites: Mapping[int, Site]
    authorities: Mapping[int, LocalAuthority]
    organisations: Mapping[int, Organisation]
    contacts: Mapping[int, Sequence[Any]]
    national: tuple[NationalContact, ...]
    clients: Mapping[int, Client]
    entries: Mapping[int, Sequence[Any]]
    # What build_context works out once per site, authority and organisation rather than
    # once per concern (the rows above do not change while this object lives).
    _memo: dict = field(default_factory=dict, compare=False, repr=False)

    def step_entries(self, concern: Concern) -> list[Any]:
        return sorted(self.entries.get(concern.id, ()), key=lambda e: e.id)

    def site_of(self, concern: Concern) -> Site | None:
        return self.sites.get(concern.site_id) if concern.site_id is not None else None

    def contacts_on(self, site: Site, day: date, role: str) -> list[Any]:
        return [c for c, _ in self._by_role(site, role) if c.from_date <= day and (c.to_date is None or c.to_date >= day)]

    def _by_role(self, site: Site, role: str) -> list[tuple[Any, ContactInfo]]:
        """The site's contacts in `role` (any dates) by name, each with its ContactInfo.
        Filtering this by date keeps the order sorting the filtered rows would give."""
        key = ("role", site.id, role)
        found = self._memo.get(key)
        if found is None:
            found = [
                (c, _info(c.name, c.phone, c.email, organisation=site.name, source=c.where_to_find))
                for c in sorted((c for c in self.contacts.get(site.id, ()) if c.role == role), key=lambda c: c.name)
            ]
            self._memo[key] = found
        return found

    def site_contacts_on(self, site: Site, day: date) -> dict[str, tuple[ContactInfo, ...]]:
        """The site's contacts in post on `day` by engine role, in SITE_ROLES order and
        by name within a role (as build_context without `pre` gives them)."""
        key = ("site roles", site.id)
        everyone = self._memo.get(key)
        if everyone is None:
            everyone = self._memo[key] = [
                (role, c.from_date, c.to_date, info)
                for db_role, role in SITE_ROLES.items()
                for c, info in self._by_role(site, db_role)
            ]
        found: dict[str, list[ContactInfo]] = {}
        for role, start, end, info in everyone:
            if start <= day and (end is None or end >= day):
                found.setdefault(role, []).append(info)
        return {role: tuple(infos) for role, infos in found.items()}

    def once(self, key: tuple, make: Any) -> Any:
        found = self._memo.get(key, _MISSING)
        if found is _MISSING:
            found = self._memo[key] = make()
        return found


_MISSING = object()


def preload(
    concerns: Sequence[Concern],
    sites: Mapping[int, Site] | None = None,
    contacts: Sequence[Any] | None = None,
    entries: Mapping[int, Sequence[Any]] | None = None,
) -> Preloaded:
    """Load what procedure_for needs for `concerns`, one query per table. Callers that
    already hold the sites, every contact row or the concerns' step entries pass them.
    Otherwise only the concerns' own sites and their contacts are read (procedure_for
    asks for nothing else): a page of the concerns list read every site and all 3,000
    contacts of the large vault."""
    site_ids = sorted({c.site_id for c in concerns if c.site_id is not None})
    if sites is None:
        sites = {site.id: site for chunk in chunks(site_ids) for site in Site.select().where(Site.id.in_(chunk))}
    if contacts is None:
        contacts = [row for chunk in chunks(site_ids)
                    for row in Contact.select().where(Contact.site.in_(chunk)).namedtuples()]
    by_site: dict[int, list[Any]] = {}
    for contact in contacts:
        by_site.setdefault(contact.site, []).append(contact)
    if entries is None:
        found: dict[int, list[Any]] = {}
        ids = [c.id for c in concerns]
        for start in range(0, len(ids), 500):
            query = (
                ChronologyEntry.select(ChronologyEntry.id, ChronologyEntry.concern, ChronologyEntry.step_key)
                .where(ChronologyEntry.concern.in_(ids[start : start + 500]) & (ChronologyEntry.step_key != ""))
                .namedtuples()
            )
            for row in query:
                found.setdefault(row.concern, []).append(row)
        entries = found
    client_ids = sorted({c.client_id for c in concerns if c.client_id is not None})
    clients: dict[int, Client] = {}
    for start in range(0, len(client_ids), 500):
        for client in Client.select().where(Client.id.in_(client_ids[start : start + 500])):
            clients[client.id] = client
    return Preloaded(
        sites=sites,
        authorities={la.id: la for la in LocalAuthority.select()},
        organisations={o.id: o for o in Organisation.select()},
        contacts=by_site,
        national=tuple(NationalContact.select().where(NationalContact.key.in_(("police", "nspcc_whistleblowing", "ico")))),
        clients=clients,
        entries=entries,
    )


def decisions(concern: Concern, pre: Preloaded | None = None) -> dict[str, bool | None]:
    """The latest recorded answer to each of DECISIONS (None: not known)."""
    found: dict[str, bool | None] = {}
    rows = pre.step_entries(concern) if pre is not None else concern.chronology.order_by(ChronologyEntry.id)
    for entry in rows:
        match = _CONDITION_KEY.match(entry.step_key or "")
        if match and match.group("name") in DECISIONS:
            value = match.group("value")
            found[match.group("name")] = None if value == "unknown" else value == "yes"
    return found


def build_context(concern: Concern, pre: Preloaded | None = None) -> ProcedureContext:
    """Everything the engine needs, as it was on the concern's date."""
    site: Site | None = pre.site_of(concern) if pre is not None else concern.site
    moment = moment_of(concern)
    day = moment.date()
    if pre is not None:
        la = pre.authorities.get(site.local_authority_id) if site is not None and site.local_authority_id else None
    else:
        la = site.local_authority if site is not None else None
    nation = la.nation if la is not None and la.nation in NATIONS else "ENG"
    office = OfficeHours()
    if la is not None:
        office = pre.once(("office", la.id), lambda: _office_hours(la)) if pre is not None else _office_hours(la)

    contacts: dict[str, tuple[ContactInfo, ...]] = {}
    if site is not None:
        if pre is not None:
            contacts.update(pre.site_contacts_on(site, day))
        else:
            for db_role, role in SITE_ROLES.items():
                found = contacts_on(site, day, db_role)
                if found:
                    contacts[role] = tuple(
                        _info(c.name, c.phone, c.email, organisation=site.name, source=c.where_to_find) for c in found
                    )
    if la is not None:
        contacts.update(pre.once(("la", la.id), lambda: _authority_contacts(la)) if pre is not None
                        else _authority_contacts(la))
    if pre is not None:
        contacts.update(pre.once(("national",), lambda: _national_contacts(pre.national)))
    else:
        contacts.update(_national_contacts(NationalContact.select().where(
            NationalContact.key.in_(("police", "nspcc_whistleblowing", "ico"))
        )))
    if pre is not None:
        org = pre.organisations.get(site.organisation_id) if site is not None and site.organisation_id else None
    else:
        org = site.organisation if site is not None else None
    if org is not None:
        contacts.update(pre.once(("org", org.id), lambda: _organisation_contacts(org)) if pre is not None
                        else _organisation_contacts(org))
    if pre is not None:
        client: Client | None = pre.clients.get(concern.client_id) if concern.client_id is not None else None
    else:
        client = concern.client
    if client is not None:
        if (client.gp_contact or "").strip():
            contacts["gp"] = (_info(" ".join(client.gp_contact.split()), organisation="GP"),)
        if (client.parent_carer_contact or "").strip():
            contacts["parent_carer"] = (_info(" ".join(client.parent_carer_contact.split())),)

    decided = decisions(concern, pre)
    about_head = decided.get("about_head")
    return ProcedureContext(
        moment=moment,
        nation=nation,
        office_hours=office,
        arrangement=site.arrangement if site is not None and site.arrangement in engine.ARRANGEMENTS else None,
        about_head=bool(concern.about_head if about_head is None else about_head),
        about_dsl=bool(decided.get("about_dsl")),
        head_away=bool(decided.get("head_away")),
        hertfordshire_mental_health=bool(
            client is not None and client.receives_mental_health_services and la is not None and la.mental_health_phone
        ),
        parent_safe=decided.get("parent_safe"),
        about_own_org=bool(decided.get("about_own_org")),
        contacts=contacts,
        add_contact_hint=CONTACT_HINT,
    )


def _office_hours(la: LocalAuthority) -> OfficeHours:
    return OfficeHours(open=_office_time(la.office_open, time(9, 0)), close=_office_time(la.office_close, time(17, 0)))


def _authority_contacts(la: LocalAuthority) -> dict[str, tuple[ContactInfo, ...]]:
    """The local authority's teams by role (those with a number or an address)."""
    contacts: dict[str, tuple[ContactInfo, ...]] = {}

    def team(role: str, label: str, phone: str, email: str = "") -> None:
        if phone or email:
            contacts[role] = (_info(f"{la.name} {label}", phone, email, organisation=la.name, source=la.source),)

    team("la_children", "children's safeguarding team", la.children_phone, la.children_email)
    team("la_out_of_hours", "children's out-of-hours line", la.children_out_of_hours_phone)
    team("la_adults", "Adult Social Care safeguarding team", la.adults_phone, la.adults_email)
    team("la_adults_out_of_hours", "adults' out-of-hours line", la.adults_out_of_hours_phone)
    team("lado", "LADO", la.lado_phone, la.lado_email)
    if la.mental_health_phone:
        contacts["la_mental_health"] = (
            _info(la.mental_health_name or f"{la.name} mental-health trust", la.mental_health_phone,
                  organisation=la.name, source=la.source),
        )
    return contacts


def _national_contacts(rows: Any) -> dict[str, tuple[ContactInfo, ...]]:
    return {
        row.key: (_info(row.name, row.phone, row.email, organisation=row.name, source=row.source, hours=row.hours),)
        for row in rows
    }


def _organisation_contacts(org: Organisation) -> dict[str, tuple[ContactInfo, ...]]:
    contacts: dict[str, tuple[ContactInfo, ...]] = {}
    if org.safeguarding_lead_name or org.safeguarding_lead_phone or org.safeguarding_lead_email:
        contacts["own_org_safeguarding_lead"] = (
            _info(org.safeguarding_lead_name or f"{org.name} safeguarding lead", org.safeguarding_lead_phone,
                  org.safeguarding_lead_email, organisation=org.name),
        )
    if org.manager_name or org.manager_phone or org.manager_email:
        contacts["own_org_manager"] = (
            _info(org.manager_name or f"{org.name} manager", org.manager_phone, org.manager_email, organisation=org.name),
        )
    return contacts


def step_id(step: engine.ResolvedStep) -> str:
    return f"{step.route}/{step.step.key}"


@dataclass(frozen=True)
class StepState:
    resolved: engine.ResolvedStep
    offered: bool  # on a route offered alongside, for the practitioner to decide
    done: ChronologyEntry | None
    # When a fallback role (an out-of-hours line, say) has nobody recorded, the step's own
    # role's contacts: a number that may not answer now is better than none.
    also: tuple[ContactInfo, ...] = ()

    @property
    def key(self) -> str:
        return step_id(self.resolved)


@dataclass(frozen=True)
class ConcernProcedure:
    concern_id: int
    steps: tuple[StepState, ...]
    notes: tuple[str, ...]
    template_errors: tuple[TemplateError, ...]
    in_office_hours: bool
    nation: str
    decisions_open: tuple[str, ...]  # DECISIONS that matter here and are not recorded yet
    names: dict[str, str] = field(default_factory=dict)  # route key -> template name

    @property
    def next_step(self) -> StepState | None:
        for state in self.steps:
            if state.done is None and not state.resolved.optional and not state.offered:
                return state
        return None


def _done_steps(concern: Concern, pre: Preloaded | None = None) -> dict[str, ChronologyEntry]:
    done: dict[str, ChronologyEntry] = {}
    rows = pre.step_entries(concern) if pre is not None else concern.chronology.order_by(ChronologyEntry.id)
    for entry in rows:
        key = entry.step_key or ""
        if key.startswith(UNDO_PREFIX):
            done.pop(key[len(UNDO_PREFIX):], None)
        elif "/" in key:
            done[key] = entry
    return done


@dataclass(frozen=True)
class _Plan:
    """What a concern's procedure is resolved from: its context, site, routes."""

    ctx: ProcedureContext
    site: Any
    choice: engine.RouteChoice
    route_keys: list[str]

    def offered(self, route: str) -> bool:
        """On a route offered alongside, for the practitioner to decide."""
        return route in self.choice.offered and route not in self.choice.routes


def _plan(concern: Concern, templates: TemplateSet, pre: Preloaded | None) -> _Plan:
    ctx = build_context(concern, pre)
    if pre is not None:
        site = pre.site_of(concern)
        org = pre.organisations.get(site.organisation_id) if site is not None and site.organisation_id else None
        template_key = (site.procedure_template or (org.procedure_template if org is not None else "")) if site else ""
    else:
        site = concern.site
        template_key = site_template_key(site)
    choice = engine.explain_route(
        ctx.arrangement or "commissioned",
        concern.client_type if concern.client_type in engine.CLIENT_TYPES else "unknown",
        concern.kind if concern.kind in engine.KINDS else "disclosure",
        concern.immediate_danger,
        template_key or None,
        list(templates.templates),
    )
    return _Plan(ctx, site, choice, list(concern.routes or choice.all))


def _states(concern: Concern, pre: Preloaded | None, plan: _Plan, resolved: Sequence[engine.ResolvedStep]
            ) -> tuple[StepState, ...]:
    ctx = plan.ctx
    done = _done_steps(concern, pre)

    def also(step: engine.ResolvedStep) -> tuple[ContactInfo, ...]:
        if step.contacts or step.role == step.step.role or step.step.role == "self":
            return ()
        return tuple(ctx.contacts.get(step.step.role, ())) or ((step.step.contact,) if step.step.contact else ())

    return tuple(StepState(step, plan.offered(step.route), done.get(step_id(step)), also(step)) for step in resolved)


def procedure_for(
    concern: Concern, templates: TemplateSet | None = None, pre: Preloaded | None = None
) -> ConcernProcedure:
    """The concern's steps with contacts as on its date, deadlines, gaps and what is done.
    With `pre` (see preload()) it makes no query; `StepState.done` is then the entry row."""
    templates = templates or load_all_templates()
    plan = _plan(concern, templates, pre)
    ctx, site, choice, route_keys = plan.ctx, plan.site, plan.choice, plan.route_keys
    procedure = engine.resolve_routes(route_keys, templates.templates, ctx)
    steps = _states(concern, pre, plan, procedure.steps)
    notes = list(choice.notes) + list(procedure.notes)
    if site is None:
        notes.insert(0, "No site is recorded: commissioned work is assumed and the site's contacts show as gaps.")
    relevant = relevant_decisions(concern, route_keys)
    decided = decisions(concern, pre)
    open_decisions = tuple(d for d in relevant if d not in decided and not (d == "about_head" and concern.about_head))
    names = {k: templates.templates[k].name for k in route_keys if k in templates.templates}
    return ConcernProcedure(
        concern_id=concern.id,
        steps=steps,
        notes=tuple(notes),
        template_errors=tuple(templates.errors),
        in_office_hours=procedure.in_office_hours,
        nation=ctx.nation,
        decisions_open=open_decisions,
        names=names,
    )


def followed_steps(
    concern: Concern, templates: TemplateSet | None = None, pre: Preloaded | None = None,
    wanted: Any = None,
) -> tuple[StepState, ...]:
    """The steps of procedure_for(concern).steps on the routes followed (not offered)
    whose template step `wanted(step)` accepts, each exactly as procedure_for gives
    it, without resolving the others: the attention list wants the few with a
    deadline (on a large vault, one step in seven)."""
    templates = templates or load_all_templates()
    plan = _plan(concern, templates, pre)
    followed = [route for route in plan.route_keys if not plan.offered(route)]
    only = None if wanted is None else (lambda route, step: wanted(step))
    procedure = engine.resolve_routes(followed, templates.templates, plan.ctx, only=only)
    return _states(concern, pre, plan, procedure.steps)


def relevant_decisions(concern: Concern, route_keys: Sequence[str] | None = None) -> tuple[str, ...]:
    """Which of DECISIONS can change this concern's steps."""
    keys = set(route_keys if route_keys is not None else (concern.routes or ()))
    wanted: list[str] = []
    if "private-child" in keys:
        wanted.append("parent_safe")
    if keys & {"allegation-against-staff", "whistleblowing"}:
        wanted += ["about_head", "head_away"]
    if "whistleblowing" in keys:
        wanted += ["about_dsl", "about_own_org"]
    return tuple(wanted)


# --------------------------------------------------------------------------- the record


def _append(concern: Concern, kind: str, text: str, at: datetime, now: datetime, who: str, **fields) -> ChronologyEntry:
    return ChronologyEntry.create(concern=concern, at=at, recorded_at=now, kind=kind, text=text, who=who, **fields)


def entries(concern: Concern) -> list[ChronologyEntry]:
    """The chronology in the order things happened (then the order they were written)."""
    return list(concern.chronology.order_by(ChronologyEntry.at, ChronologyEntry.id))


def entry_numbers(concern: Concern) -> dict[int, int]:
    """entry id -> its number in the record (#1, #2 ... in the order written)."""
    ids = [e.id for e in concern.chronology.select(ChronologyEntry.id).order_by(ChronologyEntry.id)]
    return {entry_id: n for n, entry_id in enumerate(ids, start=1)}


def is_restricted(entry: ChronologyEntry) -> bool:
    """Restricted third-party information (seed 002): marked when written, or later by a
    restricting correction (the entry itself is never changed)."""
    if entry.restricted:
        return True
    return (
        ChronologyEntry.select()
        .where((ChronologyEntry.corrects == entry) & (ChronologyEntry.step_key == RESTRICT_KEY))
        .exists()
    )


def _check_open(concern: Concern) -> None:
    if concern.status == "closed":
        raise ConcernError(
            f"{concern.reference} is signed off and closed: re-open it (with a reason) to add to its record."
        )


def _check_at(at: datetime | None, now: datetime) -> datetime:
    if at is None:
        return now.replace(microsecond=0)
    problem = check_not_future(at, now, "The time")
    if problem:
        raise ConcernError(problem, "at")
    return at


def add_entry(
    concern: Concern,
    kind: str,
    text: str,
    now: datetime,
    *,
    at: datetime | None = None,
    who: str | None = None,
    how: str = "",
    shared_with: str = "",
    purpose: str = "",
    consent: str = "",
    consent_reason: str = "",
    restricted: bool = False,
    step_key: str = "",
    corrects: ChronologyEntry | None = None,
) -> ChronologyEntry:
    """Append one entry to the record, checked against seed 002's recording list.

    `purpose` holds the *why*: the purpose of sharing, or a decision's reason.
    """
    if kind not in CHRONOLOGY_KINDS or kind in ("signed_off", "reopened"):
        raise ConcernError(f"Unknown kind of entry {kind!r}.", "kind")
    _check_open(concern)
    text = (text or "").strip()
    who = (who or "").strip() or practitioner()
    at = _check_at(at, now)
    if not text:
        raise ConcernError(
            {
                "information_shared": "Say what information was shared.",
                "decision": "Write down the decision.",
                "outcome": "Write down the outcome.",
                "correction": "Write the corrected version, or what was wrong.",
            }.get(kind, "Write what happened: an entry cannot be empty."),
            "text",
        )
    if kind == "decision" and not purpose.strip():
        raise ConcernError("Give the reason for the decision (seed 002: decisions and the reasons for them).", "purpose")
    if kind == "information_shared":
        if not shared_with.strip():
            raise ConcernError("Say whom the information was shared with.", "shared_with")
        if not purpose.strip():
            raise ConcernError("Say what it was shared for.", "purpose")
        if consent not in CONSENT_LABELS:
            raise ConcernError("Say whether consent was given, refused or not sought.", "consent")
        if consent in ("refused", "not_sought") and not consent_reason.strip():
            raise ConcernError(
                "Say why it was shared without consent (for example: seeking it could put the child at risk).",
                "consent_reason",
            )
    elif consent and consent not in CONSENT_LABELS:
        raise ConcernError("Say whether consent was given, refused or not sought.", "consent")
    if kind == "correction":
        if corrects is None:
            raise ConcernError("Choose the entry this corrects.", "corrects")
        if corrects.concern_id != concern.id:
            raise ConcernError("A correction can only point at an entry of the same concern.", "corrects")
    elif corrects is not None:
        raise ConcernError("Only a correction points at another entry.", "corrects")
    with change():
        return _append(
            concern, kind, text, at, now, who, how=how.strip(), shared_with=shared_with.strip(),
            purpose=purpose.strip(), consent=consent, consent_reason=consent_reason.strip(),
            restricted=bool(restricted), step_key=step_key, corrects=corrects,
        )


def correct_entry(
    entry: ChronologyEntry, text: str, now: datetime, *, who: str | None = None,
    restrict: bool = False, undo_step: bool = False,
) -> ChronologyEntry:
    """A new entry pointing at `entry`; the original stays as it was, and visible.

    `restrict` marks the corrected entry restricted third-party information from now on;
    `undo_step` says the step the entry completed was not done after all.
    """
    concern = entry.concern
    step_key = ""
    if restrict:
        step_key = RESTRICT_KEY
    elif undo_step:
        if "/" not in (entry.step_key or ""):
            raise ConcernError("That entry did not complete a step.", "undo")
        step_key = UNDO_PREFIX + entry.step_key
    return add_entry(
        concern, "correction", text, now, who=who, corrects=entry, step_key=step_key,
        restricted=restrict or entry.restricted,
    )


def complete_step(
    concern: Concern, state: StepState, now: datetime, *, how: str, said: str, at: datetime | None = None,
    who: str | None = None, kind: str | None = None, restricted: bool = False, contact: str = "",
    purpose: str = "", consent: str = "", consent_reason: str = "",
) -> ChronologyEntry:
    """Record that a step was done: who, how (phone, email, in person...), when, what was said."""
    if at is not None:
        # The time first: a trial put the time right only after filling in the rest.
        _check_at(at, now)
        noticed = moment_of(concern)
        # A date alone (midnight) is any time that day: the day it was noticed is fine.
        early = at.date() < noticed.date() if at.time() == time(0, 0) else at < noticed
        if early:
            raise ConcernError(f"A step cannot be done before the concern was noticed ({show_moment(noticed)}): "
                               "check the time.", "at")
    resolved = state.resolved
    if resolved.role != "self" and not (how or "").strip():
        raise ConcernError("Say how you made contact: phone, email, in person...", "how")
    if not (said or "").strip():
        raise ConcernError("Write down what was said or done, even briefly.", "text")
    kind = kind or default_step_kind(resolved)
    title = resolved.step.title
    with_whom = (contact or "").strip() or (resolved.contacts[0].name if resolved.contacts else "")
    return add_entry(
        concern, kind, f"{title}: {said.strip()}", now, at=at, who=who, how=how,
        shared_with=with_whom if kind in ("information_shared", "referral", "action_taken", "supervision") else "",
        purpose=purpose, consent=consent, consent_reason=consent_reason,
        restricted=restricted, step_key=state.key,
    )


def default_step_kind(step: engine.ResolvedStep) -> str:
    if step.role in ("la_children", "la_adults", "la_out_of_hours", "la_adults_out_of_hours", "la_mental_health", "lado", "police"):
        return "referral"
    if step.role in ("own_org_safeguarding_lead",) and "supervision" in step.step.key:
        return "supervision"
    if step.step.key == "supervision":
        return "supervision"
    return "action_taken"


def record_decision(concern: Concern, name: str, value: bool | None, reason: str, now: datetime, who: str | None = None) -> ChronologyEntry:
    """Answer one of DECISIONS, with its reason, as a decision entry."""
    if name not in DECISIONS:
        raise ConcernError(f"Unknown decision {name!r}.")
    answer = "unknown" if value is None else ("yes" if value else "no")
    words = {"yes": "Yes", "no": "No", "unknown": "Not known yet"}[answer]
    return add_entry(
        concern, "decision", f"{DECISIONS[name]} {words}.", now, who=who, purpose=reason,
        step_key=f"condition:{name}={answer}",
    )


# --------------------------------------------------------------------------- follow-up


def add_action(concern: Concern, description: str, owner: str, due: date | None, now: datetime) -> Action:
    """A follow-up action with an owner and a due date (seed 002: further actions with
    timescales and responsibilities), noted in the record too."""
    _check_open(concern)
    description = " ".join((description or "").split())
    if not description:
        raise ConcernError("Say what needs doing.", "description")
    owner = " ".join((owner or "").split()) or "me"
    if due is None:
        raise ConcernError("Give a due date, for example 03/12/2026.", "due")
    if due < moment_of(concern).date():
        raise ConcernError("The due date is before the concern was raised: check it.", "due")
    with change():
        action = Action.create(concern=concern, description=description, owner=owner, due=due, created_at=now)
        _append(
            concern, "note", f"Follow-up action: {description} (owner: {owner}; due {show_date(due)}).",
            now.replace(microsecond=0), now, practitioner(),
        )
    return action


def complete_action(action: Action, today: date, now: datetime, note: str = "") -> None:
    if action.done_on is not None:
        raise ConcernError("That action is already done.")
    concern = action.concern
    with change():
        action.done_on = today
        action.save()
        if concern is not None:
            text = f"Done: {action.description}" + (f" — {note.strip()}" if note.strip() else "")
            _append(concern, "action_taken", text, now.replace(microsecond=0), now, practitioner())


def open_actions(concern: Concern) -> list[Action]:
    return list(concern.actions.where(Action.done_on.is_null()).order_by(Action.due, Action.id))


def all_actions(concern: Concern) -> list[Action]:
    return list(concern.actions.order_by(Action.done_on.is_null(False), Action.due, Action.id))


def nation_of(concern: Concern) -> str:
    site = concern.site
    la = site.local_authority if site is not None else None
    return la.nation if la is not None and la.nation in NATIONS else "ENG"


def await_outcome(concern: Concern, now: datetime, days: int | None = None, who: str | None = None) -> Action:
    """The concern is reported and the site's written outcome summary (seed 000, step 5)
    is awaited: status awaiting_outcome, and an action to chase it after `days` working
    days of the site's nation."""
    _check_open(concern)
    if concern.status == "awaiting_outcome":
        raise ConcernError("The outcome is already awaited.")
    days = concern.outcome_chase_days if days is None else days
    if not isinstance(days, int) or not 1 <= days <= 60:
        raise ConcernError("Chase after between 1 and 60 working days.", "days")
    due = add_working_days(now.date(), days, nation_of(concern))
    site = concern.site
    dsl = contacts_on(site, now.date(), "dsl") if site is not None else []
    from_whom = f"from {dsl[0].name} (DSL)" if dsl else "from the site's DSL"
    with change():
        concern.status = "awaiting_outcome"
        concern.outcome_chase_days = days
        concern.save()
        action = Action.create(
            concern=concern, description=f"{CHASE_PREFIX} {from_whom}", owner="me", due=due, created_at=now
        )
        _append(
            concern, "note",
            f"Waiting for the site's written outcome summary; to be chased on {show_date(due)} "
            f"({days} working day{'s' if days != 1 else ''}) if it has not come.",
            now.replace(microsecond=0), now, who or practitioner(),
        )
    return action


def record_outcome(concern: Concern, text: str, now: datetime, at: datetime | None = None, who: str | None = None,
                   restricted: bool = False) -> ChronologyEntry:
    """The outcome (summary) arrived: an outcome entry (ticking the route's outcome-summary
    step, seed 000 step 5, when it has one); the chase action is done."""
    entry = add_entry(concern, "outcome", text, now, at=at, who=who, restricted=restricted,
                      step_key=_open_step(concern, "outcome-summary"))
    with change():
        for action in open_actions(concern):
            if action.description.startswith(CHASE_PREFIX):
                action.done_on = now.date()
                action.save()
        if concern.status == "awaiting_outcome":
            concern.status = "open"
            concern.save()
    return entry


def _open_step(concern: Concern, step: str) -> str:
    """The key of the concern's first undone step called `step`, else ''."""
    for state in procedure_for(concern).steps:
        if state.resolved.step.key == step and state.done is None:
            return state.key
    return ""


def check_sign_off(concern: Concern, close_actions: bool = False) -> None:
    """Raise ConcernError if the concern cannot be signed off as things stand."""
    _check_open(concern)
    still_open = open_actions(concern)
    if still_open and not close_actions:
        raise ConcernError(
            f"{len(still_open)} follow-up action{'s are' if len(still_open) != 1 else ' is'} still open: "
            "mark them done first, or close them with the sign-off.",
            "actions",
        )


def steps_not_done(concern: Concern) -> list[StepState]:
    """The steps still not done that a sign-off would leave behind: every undone step but
    the sign-off step itself (which the sign-off ticks), in the procedure's order."""
    undone = [state for state in procedure_for(concern).steps if state.done is None]
    ticked = next((state.key for state in undone if state.resolved.step.key == "sign-off"), "")
    return [state for state in undone if state.key != ticked]


def sign_off(concern: Concern, now: datetime, note: str = "", who: str | None = None, close_actions: bool = False) -> ChronologyEntry:
    """Sign off "Agreed action taken" (seed 000, step 6): the concern is closed."""
    check_sign_off(concern, close_actions)
    still_open = open_actions(concern)
    text = SIGN_OFF_TEXT + "." + (f" {note.strip()}" if note.strip() else "")
    step_key = _open_step(concern, "sign-off")
    with change():
        for action in still_open:
            action.done_on = now.date()
            action.save()
            _append(concern, "note", f"Closed with the sign-off: {action.description}", now.replace(microsecond=0), now,
                    who or practitioner())
        entry = _append(concern, "signed_off", text, now.replace(microsecond=0), now, who or practitioner(),
                        step_key=step_key)
        concern.status = "closed"
        concern.closed_on = now.date()
        concern.save()
    return entry


def reopen(concern: Concern, reason: str, now: datetime, who: str | None = None) -> ChronologyEntry:
    if concern.status != "closed":
        raise ConcernError(f"{concern.reference} is not closed.")
    if not (reason or "").strip():
        raise ConcernError("Say why the concern is re-opened.", "reason")
    with change():
        entry = _append(concern, "reopened", reason.strip(), now.replace(microsecond=0), now, who or practitioner())
        concern.status = "open"
        concern.closed_on = None
        concern.save()
    return entry


# --------------------------------------------------------------------------- listing


@dataclass(frozen=True)
class ConcernFilter:
    site_id: int | None = None
    status: str | None = None  # open | awaiting_outcome | closed | "active" (open or awaiting)
    kind: str | None = None
    category: str | None = None
    date_from: date | None = None
    date_to: date | None = None
    text: str = ""


def find_concerns(flt: ConcernFilter = ConcernFilter()) -> list[Concern]:
    """Concerns matching the filter, newest first. Text search covers the reference, the
    client reference, the account, what was observed, the site's name and every
    chronology entry; each word must be found in one of them."""
    return concerns_by_id(find_concern_ids(flt))


def concerns_by_id(ids: Sequence[int]) -> list[Concern]:
    """The concerns `ids`, in that order (those that exist)."""
    found = {concern.id: concern
             for chunk in chunks(ids) for concern in Concern.select().where(Concern.id.in_(list(chunk)))}
    return [found[i] for i in ids if i in found]


def find_concern_ids(flt: ConcernFilter = ConcernFilter()) -> list[int]:
    """The ids of find_concerns, without reading the concerns: the list shows a page of
    them (reading every concern of the large vault's 2,000 in full took 110 ms)."""
    query = Concern.select(Concern.id, Concern.categories).where(Concern.status != "draft")
    if flt.site_id is not None:
        query = query.where(Concern.site == flt.site_id)
    if flt.status == "active":
        query = query.where(Concern.status.in_(("open", "awaiting_outcome")))
    elif flt.status:
        query = query.where(Concern.status == flt.status)
    if flt.kind:
        query = query.where(Concern.kind == flt.kind)
    moment = fn.COALESCE(Concern.noticed_at, Concern.occurred_at, Concern.created_at)
    if flt.date_from is not None:
        query = query.where(moment >= datetime.combine(flt.date_from, time(0, 0)))
    if flt.date_to is not None:
        query = query.where(moment <= datetime.combine(flt.date_to, time(23, 59, 59)))
    words = (flt.text or "").split()
    for word in words:
        in_entries = ChronologyEntry.select(ChronologyEntry.concern).where(
            ChronologyEntry.text.contains(word)
            | ChronologyEntry.shared_with.contains(word)
            | ChronologyEntry.purpose.contains(word)
            | ChronologyEntry.consent_reason.contains(word)
            | ChronologyEntry.who.contains(word)
        )
        at_sites = Site.select(Site.id).where(Site.name.contains(word))
        query = query.where(
            Concern.reference.contains(word)
            | Concern.client_reference.contains(word)
            | Concern.account.contains(word)
            | Concern.observed.contains(word)
            | Concern.site.in_(at_sites)
            | Concern.id.in_(in_entries)
        )
    found = list(query.order_by(moment.desc(), Concern.id.desc()))
    if flt.category:
        found = [c for c in found if flt.category in (c.categories or [])]
    return [c.id for c in found]


def next_action_text(
    concern: Concern,
    today: date,
    procedure: ConcernProcedure | None = None,
    now: datetime | None = None,
    actions: list[Action] | None = None,
    pre: Preloaded | None = None,
) -> str:
    """One line: what to do next on this concern (for lists and the site briefing).
    `actions` (its open actions) and `pre` (see preload()) spare the queries."""
    now = now or datetime.combine(today, time(0, 0))
    if concern.status == "closed":
        return f"Signed off {show_date(concern.closed_on)}" if concern.closed_on else "Signed off"
    actions = open_actions(concern) if actions is None else actions
    overdue = [a for a in actions if a.due is not None and a.due < today]
    if overdue:
        return f"OVERDUE since {show_date(overdue[0].due)}: {overdue[0].description}"
    if concern.status == "awaiting_outcome":
        chase = next((a for a in actions if a.description.startswith(CHASE_PREFIX)), None)
        return f"Outcome summary awaited (chase {show_date(chase.due)})" if chase else "Outcome summary awaited"
    procedure = procedure or procedure_for(concern, pre=pre)
    step = procedure.next_step
    if step is not None:
        title = step.resolved.step.title
        deadline = step.resolved.step.deadline.kind
        due_by = step.resolved.due_by
        if deadline in ("same_day", "hours", "working_days") and due_by is not None and due_by < now:
            return f"OVERDUE since {show_moment(due_by) if deadline == 'hours' else show_date(due_by.date())}: {title}"
        return f"{title} ({step.resolved.due_text})" if deadline != "none" else title
    if actions:
        return f"{actions[0].description} (due {show_date(actions[0].due)})"
    return "Sign off when the agreed action is taken"


def next_actions(found: Sequence[Concern], today: date, now: datetime) -> dict[int, str]:
    """next_action_text for every concern of a list, one query per table: asked one by
    one, the concerns list of a large vault (2,000) took seconds per keystroke."""
    pending: dict[int, list[Action]] = {}
    active = [c for c in found if c.status != "closed"]
    ids = [c.id for c in active]
    for start in range(0, len(ids), 500):
        query = (Action.select()
                 .where(Action.concern.in_(ids[start : start + 500]) & Action.done_on.is_null())
                 .order_by(Action.due, Action.id))
        for action in query:
            pending.setdefault(action.concern_id, []).append(action)
    pre = preload(active) if active else None
    return {c.id: next_action_text(c, today, now=now, actions=pending.get(c.id, []), pre=pre) for c in found}


def concerns_to_find() -> list[tuple[int, str, str, str, str]]:
    """(id, reference, site name, kind, status) of every concern, newest first, as plain
    rows (for the command palette, gathered each time it opens)."""
    moment = fn.COALESCE(Concern.noticed_at, Concern.occurred_at, Concern.created_at)
    query = (Concern.select(Concern.id, Concern.reference, fn.COALESCE(Site.name, ""), Concern.kind, Concern.status)
             .join(Site, JOIN.LEFT_OUTER, on=(Concern.site == Site.id))
             .where(Concern.status != "draft")
             .order_by(moment.desc(), Concern.id.desc()))
    return list(database.execute(query))


def site_names() -> dict[int, str]:
    return {site.id: site.name for site in Site.select(Site.id, Site.name)}


def count_concerns() -> int:
    """Every concern recorded (drafts are not yet concerns)."""
    return Concern.select().where(Concern.status != "draft").count()


def concern_title(concern: Concern) -> str:
    site = concern.site.name if concern.site is not None else "no site recorded"
    return f"{concern.reference} · {site}"


def kind_label(kind: str) -> str:
    return KIND_LABELS.get(kind, kind)


def entry_kind_label(kind: str) -> str:
    return ENTRY_KIND_LABELS.get(kind, kind)


def sites_for_choice() -> list[Site]:
    return list(Site.select().where(Site.archived == False).order_by(Site.name))  # noqa: E712


def clients_for_choice() -> list[Client]:
    return list(Client.select().order_by(Client.reference))


def site_dsl_now(site: Site | None, today: date) -> tuple[str, str]:
    """(name, email) of whoever holds the DSL role at the site today ('' when nobody)."""
    if site is None:
        return "", ""
    for role in ("dsl", "deputy_dsl"):
        found = contacts_on(site, today, role)
        if found:
            return found[0].name, found[0].email
    return "", ""
