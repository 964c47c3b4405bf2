"""Sites: the establishments I visit, with their policy sign-off, the training they
require, their visit pattern and what the briefing shows before a visit.

Screens and the command line call these functions; the rules they apply live in
`rules/` (policy.py, validity.py, visits.py), this module only gathers the rows.
Seed 003: know each establishment's designated lead, read and sign its policy, keep
training in line with what it requires.
"""

from __future__ import annotations

import hashlib
import mimetypes
from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING, Iterable

from peewee import JOIN

from ..rules.dates import show_date
from ..rules.policy import PolicySignature, PolicyState, PolicyStatus, PolicyVersion, policy_status
from ..rules.validity import TrainingState, TrainingStatus, requirement_status
from ..rules.visits import next_visit as rule_next_visit, describe_rrule
from . import contacts as contacts_mod
from . import rota
from .models import (
    SITE_KINDS,
    Action,
    Attachment,
    Concern,
    Contact,
    LocalAuthority,
    Organisation,
    Policy,
    Requirement,
    Site,
    TrainingKind,
    TrainingRecord,
    change,
    database,
)
from .settings import get_setting

if TYPE_CHECKING:
    from .vault import Vault

KIND_NAMES = {
    "school": "School",
    "care_home": "Care home",
    "hospital": "Hospital",
    "charity": "Charity",
    "private_practice": "Private practice",
    "other": "Other",
}
ARRANGEMENT_NAMES = {"commissioned": "Commissioned by the site", "private": "Private clients"}
OPEN_CONCERN_STATUSES = ("open", "awaiting_outcome")


class SiteError(ValueError):
    """A change that cannot be made; `field` names the form field it belongs beside."""

    def __init__(self, message: str, field: str = ""):
        super().__init__(message)
        self.field = field


# -- sites -------------------------------------------------------------------------


@dataclass
class SiteFields:
    """What the site form (and a CSV row) can set; values already checked and cleaned."""

    name: str
    kind: str = "school"
    local_authority_id: int | None = None
    organisation_id: int | None = None
    address: str = ""
    arrangement: str = "commissioned"
    commissioning_organisation: str = ""
    recording_system: str = ""
    how_to_report: str = ""
    visit_notes: str = ""
    visit_rule: str = ""
    visit_start: date | None = None
    resign_interval_months: int | None = None


def _same_name(a: str, b: str) -> bool:
    return " ".join(a.split()).casefold() == " ".join(b.split()).casefold()


def find_site(name: str, local_authority_id: int | None) -> Site | None:
    """The site with this name (case and spacing ignored) in this local authority."""
    query = Site.select().where(
        Site.local_authority.is_null() if local_authority_id is None else Site.local_authority == local_authority_id
    )
    return next((site for site in query.order_by(Site.id) if _same_name(site.name, name)), None)


def save_site(
    fields: SiteFields, site: Site | None = None, *, today: date | None = None, dsl: dict | None = None
) -> Site:
    """Create a site, or update `site`; refuses a second site with the same name in the
    same local authority (re-import and the form both rely on that). `dsl` (name, phone,
    email, where_to_find) records a new site's DSL from `today`, in the same change."""
    name = " ".join(fields.name.split())
    if not name:
        raise SiteError("Enter the site's name.", "name")
    if fields.kind not in SITE_KINDS:
        raise SiteError(f"Choose what kind of site it is ({', '.join(SITE_KINDS)}).", "kind")
    twin = find_site(name, fields.local_authority_id)
    if twin is not None and (site is None or twin.id != site.id):
        where = LocalAuthority.get_by_id(fields.local_authority_id).name if fields.local_authority_id else "no local authority"
        raise SiteError(f"There is already a site called {twin.name} in {where}.", "name")
    if fields.resign_interval_months is not None and fields.resign_interval_months <= 0:
        raise SiteError("The re-sign interval must be a whole number of months, at least 1.", "resign_interval_months")
    values = dict(
        name=name,
        kind=fields.kind,
        local_authority=fields.local_authority_id,
        organisation=fields.organisation_id,
        address=fields.address.strip(),
        arrangement=fields.arrangement,
        commissioning_organisation=fields.commissioning_organisation.strip(),
        recording_system=fields.recording_system.strip(),
        how_to_report=fields.how_to_report.strip(),
        visit_notes=fields.visit_notes.strip(),
        visit_rule=fields.visit_rule,
        visit_start=fields.visit_start,
        resign_interval_months=fields.resign_interval_months,
    )
    with change():
        if site is None:
            extra = {"created_on": today} if today else {}
            site = Site.create(**values, **extra)
            if dsl:
                if today is None:
                    raise ValueError("a new site's DSL needs the date they are recorded from")
                details = dict(dsl)
                contacts_mod.add_contact(site, "dsl", details.pop("name"), today, **details)
            return site
        for key, value in values.items():
            setattr(site, key, value)
        site.save()
        return site


def set_archived(site: Site, archived: bool) -> None:
    """Archived sites leave the lists and the attention list; nothing is deleted."""
    with change():
        site.archived = archived
        site.save()


def set_visit_pattern(site: Site, rule: str, start: date | None) -> None:
    with change():
        site.visit_rule = rule
        site.visit_start = start if rule else None
        site.save()


def get_site(site_id: int) -> Site | None:
    return Site.get_or_none(Site.id == site_id)


def local_authorities() -> list[LocalAuthority]:
    return list(LocalAuthority.select().order_by(LocalAuthority.name))


def organisations() -> list[Organisation]:
    return list(Organisation.select().order_by(Organisation.name))


# -- visits --------------------------------------------------------------------------


def _visit_start(site: Site) -> date:
    return site.visit_start or site.created_on or date(2000, 1, 1)


def next_visit(site: Site, today: date) -> date | None:
    """The next visit on or after today, or None (no pattern, ended, or unreadable)."""
    if not site.visit_rule:
        return None
    try:
        return rule_next_visit(site.visit_rule, _visit_start(site), today)
    except ValueError:
        return None


def visit_pattern_words(site: Site) -> str:
    if not site.visit_rule:
        return "No regular visits"
    try:
        return describe_rrule(site.visit_rule, site.visit_start)
    except ValueError:
        return f"Unreadable pattern ({site.visit_rule})"


def todays_visits(day: date) -> list[Site]:
    """Sites (not archived) whose visit pattern has a visit on `day`, by name."""
    ids = rota.visited_site_ids(day)
    by_id = {site.id: site for site in Site.select().where(Site.id.in_(ids))} if ids else {}
    return [by_id[site_id] for site_id in ids]


# -- policy sign-off ---------------------------------------------------------------------


def _policy_order(policy: Policy) -> tuple:
    return (policy.dated or policy.recorded_on or date.min, policy.id)


def policies(site: Site | int) -> list[Policy]:
    """Every recorded version and signature, newest first."""
    rows = list(Policy.select().where(Policy.site == site))
    return sorted(rows, key=_policy_order, reverse=True)


def latest_policy(site: Site | int) -> Policy | None:
    rows = policies(site)
    return rows[0] if rows else None


def latest_signature(site: Site | int) -> Policy | None:
    signed = [p for p in Policy.select().where((Policy.site == site) & Policy.signed_on.is_null(False))]
    if not signed:
        return None
    return max(signed, key=lambda p: (p.signed_on, p.id))


def site_policy_status(site: Site, today: date, rows: list[Policy] | None = None) -> PolicyStatus:
    """My sign-off status for the site's policy (rules/policy.py decides). `rows` are
    the site's policies when the caller has already read them (lists over all sites)."""
    if rows is None:
        latest, signature = latest_policy(site), latest_signature(site)
    else:
        ordered = sorted(rows, key=_policy_order, reverse=True)
        latest = ordered[0] if ordered else None
        signed = [p for p in rows if p.signed_on is not None]
        signature = max(signed, key=lambda p: (p.signed_on, p.id)) if signed else None
    return policy_status(
        PolicyVersion(latest.version, latest.dated, latest.review_due) if latest else None,
        PolicySignature(signature.signed_on, signature.version) if signature else None,
        site.kind,
        site.resign_interval_months,
        today,
    )


POLICY_WORDS = {
    PolicyState.SIGNED_CURRENT: "signed",
    PolicyState.RESIGN_DUE: "re-sign",
    PolicyState.NEVER_SIGNED: "unsigned",
    PolicyState.NO_POLICY: "none",
}


def record_policy(
    site: Site,
    *,
    title: str,
    version: str,
    dated: date | None,
    review_due: date | None,
    today: date,
    attachment: Attachment | None = None,
) -> Policy:
    title = " ".join(title.split()) or "Safeguarding policy"
    if dated and review_due and review_due < dated:
        raise SiteError("The review date cannot come before the date of the policy.", "review_due")
    with change():
        return Policy.create(
            site=site,
            title=title,
            version=version.strip(),
            dated=dated,
            review_due=review_due,
            attachment=attachment,
            recorded_on=today,
        )


def update_policy(
    policy: Policy,
    *,
    title: str,
    version: str,
    dated: date | None,
    review_due: date | None,
    attachment: Attachment | None = None,
) -> Policy:
    """Correct a recorded version's details (a typo); a new version is record_policy."""
    if dated and review_due and review_due < dated:
        raise SiteError("The review date cannot come before the date of the policy.", "review_due")
    with change():
        policy.title = " ".join(title.split()) or "Safeguarding policy"
        policy.version = version.strip()
        policy.dated = dated
        policy.review_due = review_due
        if attachment is not None:
            policy.attachment = attachment
        policy.save()
        return policy


def sign_policy(policy: Policy, signed_on: date, how: str, today: date) -> Policy:
    """Record that I read and signed this version. Signing a version already signed
    (the yearly re-read) adds a new row, so every earlier signature stays on record."""
    if signed_on > today:
        raise SiteError("The date signed cannot be in the future.", "signed_on")
    how = " ".join(how.split())
    if not how:
        raise SiteError("Say how it was signed, for example 'signed the paper copy in the office'.", "how")
    with change():
        if policy.signed_on is None:
            policy.signed_on = signed_on
            policy.how_signed = how
            policy.save()
            return policy
        if signed_on < policy.signed_on:
            raise SiteError(
                f"This version was already signed on {show_date(policy.signed_on)}: a re-sign "
                "must be dated on or after that.",
                "signed_on",
            )
        return Policy.create(
            site=policy.site,
            title=policy.title,
            version=policy.version,
            dated=policy.dated,
            review_due=policy.review_due,
            attachment=policy.attachment,
            signed_on=signed_on,
            how_signed=how,
            recorded_on=today,
        )


def remove_policy(policy: Policy, vault: "Vault | None" = None) -> None:
    """Remove a version recorded by mistake. A signed version is the record of my
    signature and is never removed; its file goes too when nothing else uses it."""
    if policy.signed_on is not None:
        raise SiteError(
            f"This version was signed on {show_date(policy.signed_on)}: it stays as the record of "
            "your signature (press e to correct its details)."
        )
    attachment = policy.attachment if policy.attachment_id else None
    with change():
        policy.delete_instance()
        if attachment is not None and not Policy.select().where(Policy.attachment == attachment).exists():
            blob_id = attachment.blob_id
            attachment.delete_instance()
        else:
            blob_id = None
    if blob_id and vault is not None:
        try:
            vault.delete_blob(blob_id)
        except OSError:
            pass  # an unreadable leftover blob is encrypted and unreferenced


def store_attachment(vault: "Vault", data: bytes, filename: str) -> Attachment:
    """Encrypt a file into the vault's blobs and record it (the blob is written first, so
    a row never points at nothing)."""
    blob_id = vault.put_blob(data)
    return record_attachment(blob_id, filename, len(data), hashlib.sha256(data).hexdigest())


def record_attachment(blob_id: str, filename: str, size: int, sha256: str) -> Attachment:
    """The row for a blob already written by `Vault.put_blob` (from a worker)."""
    media_type = mimetypes.guess_type(filename)[0] or "application/octet-stream"
    with change():
        return Attachment.create(blob_id=blob_id, filename=filename, media_type=media_type, size=size, sha256=sha256)


def get_attachment(attachment_id: int) -> Attachment | None:
    return Attachment.get_or_none(Attachment.id == attachment_id)


def get_policy(policy_id: int) -> Policy | None:
    return Policy.get_or_none(Policy.id == policy_id)


def resign_rule_words(site: Site) -> str:
    if site.resign_interval_months:
        return f"every {_months_words(site.resign_interval_months)} (set for this site)"
    if site.kind == "school":
        return "each academic year, from 1 September (the usual for schools)"
    return "every 12 months (the usual)"


# -- requirements --------------------------------------------------------------------------


@dataclass(frozen=True)
class RequirementLine:
    requirement_id: int
    kind_id: int
    kind_name: str
    max_age_months: int | None
    status: TrainingStatus

    @property
    def label(self) -> str:
        if self.max_age_months:
            return f"{self.kind_name} (within {_months_words(self.max_age_months)})"
        return self.kind_name


def _months_words(months: int) -> str:
    if months % 12 == 0:
        years = months // 12
        return f"{years} year{'s' if years != 1 else ''}"
    return f"{months} month{'s' if months != 1 else ''}"


def training_kinds() -> list[TrainingKind]:
    return list(TrainingKind.select().order_by(TrainingKind.name))


def _records_by_kind() -> dict[int, list[tuple[date, date | None]]]:
    found: dict[int, list[tuple[date, date | None]]] = {}
    for record in TrainingRecord.select(TrainingRecord.kind, TrainingRecord.completed, TrainingRecord.expires):
        found.setdefault(record.kind_id, []).append((record.completed, record.expires))
    return found


def requirements_for(site: Site | int, today: date, *, records: dict | None = None) -> list[RequirementLine]:
    """Each training kind the site demands, with how my records stand against it."""
    return _requirement_lines(
        Requirement.select(Requirement, TrainingKind).join(TrainingKind).where(Requirement.site == site),
        today,
        records,
    ).get(site if isinstance(site, int) else site.id, [])


def _requirement_lines(query, today: date, records: dict | None = None) -> dict[int, list[RequirementLine]]:
    """Requirement lines grouped by site. Sites share (kind, maximum age) pairs, so each
    pair's status is worked out once (500 sites have a few dozen pairs)."""
    records = _records_by_kind() if records is None else records
    warn = get_setting("warn_days_training")
    statuses: dict[tuple[int, int | None], object] = {}
    lines: dict[int, list[RequirementLine]] = {}
    for req in query.order_by(TrainingKind.name):
        pair = (req.kind_id, req.max_age_months)
        if pair not in statuses:
            statuses[pair] = requirement_status(req.max_age_months, records.get(req.kind_id, []), today, warn)
        lines.setdefault(req.site_id, []).append(
            RequirementLine(req.id, req.kind_id, req.kind.name, req.max_age_months, statuses[pair])
        )
    return lines


def set_requirement(site: Site, kind: TrainingKind | int, max_age_months: int | None) -> Requirement:
    if max_age_months is not None and max_age_months <= 0:
        raise SiteError("The maximum age must be a whole number of months, at least 1.", "max_age")
    with change():
        existing = Requirement.get_or_none((Requirement.site == site) & (Requirement.kind == kind))
        if existing is not None:
            existing.max_age_months = max_age_months
            existing.save()
            return existing
        return Requirement.create(site=site, kind=kind, max_age_months=max_age_months)


def remove_requirement(requirement_id: int) -> None:
    with change():
        Requirement.delete().where(Requirement.id == requirement_id).execute()


_STATE_RANK = {
    TrainingState.MISSING: 0,
    TrainingState.EXPIRED: 1,
    TrainingState.EXPIRING: 2,
    TrainingState.OK: 3,
    TrainingState.NO_EXPIRY: 3,
}


def training_summary(lines: Iterable[RequirementLine]) -> tuple[str, TrainingState | None]:
    """One short word for the sites table: 'OK', '1 missing', '2 expired', 'expiring'."""
    lines = list(lines)
    if not lines:
        return "none set", None
    worst = min(lines, key=lambda line: _STATE_RANK[line.status.state]).status.state
    count = sum(1 for line in lines if line.status.state is worst)
    if worst is TrainingState.MISSING:
        return f"{count} missing", worst
    if worst is TrainingState.EXPIRED:
        return f"{count} expired", worst
    if worst is TrainingState.EXPIRING:
        return f"{count} expiring", worst
    return "OK", TrainingState.OK


# -- concerns at a site ------------------------------------------------------------------------


@dataclass(frozen=True)
class OpenConcern:
    concern_id: int
    reference: str
    kind: str
    status: str
    next_action: str
    next_due: date | None
    owner: str


def open_concerns_at(site: Site | int) -> list[OpenConcern]:
    """Open or awaiting-outcome concerns here, each with its next action (the earliest
    undone action by due date; undated ones after dated ones)."""
    found = []
    query = Concern.select().where((Concern.site == site) & Concern.status.in_(OPEN_CONCERN_STATUSES))
    for concern in query.order_by(Concern.created_at):
        actions = list(Action.select().where((Action.concern == concern) & Action.done_on.is_null()))
        actions.sort(key=lambda a: (a.due is None, a.due or date.max, a.id))
        first = actions[0] if actions else None
        found.append(
            OpenConcern(
                concern.id,
                concern.reference,
                concern.kind,
                concern.status,
                first.description if first else "",
                first.due if first else None,
                first.owner if first else "",
            )
        )
    return found


# -- the sites table ---------------------------------------------------------------------------


@dataclass
class SiteSummary:
    site_id: int
    name: str
    kind: str
    authority: str
    dsl: str
    policy: PolicyStatus
    training_word: str
    training_state: TrainingState | None
    next_visit: date | None
    archived: bool
    people: list[str] = field(default_factory=list)
    private: bool = False


def site_summaries(today: date, include_archived: bool = False) -> list[SiteSummary]:
    records = _records_by_kind()
    query = Site.select(Site, LocalAuthority).join(LocalAuthority, JOIN.LEFT_OUTER)
    if not include_archived:
        query = query.where(Site.archived == False)  # noqa: E712
    # One query per table for all sites: per-site queries made the sites table and the
    # palette take seconds on a 500-site vault (bench/run.py).
    requirement_lines = _requirement_lines(Requirement.select(Requirement, TrainingKind).join(TrainingKind), today, records)
    policies_by_site: dict[int, list[Policy]] = {}
    for policy in Policy.select():
        policies_by_site.setdefault(policy.site_id, []).append(policy)
    order = {r: i for i, r in enumerate(contacts_mod.ROLE_NAMES)}
    in_post_by_site: dict[int, list[Contact]] = {}
    for contact in contacts_mod.contacts_on_everywhere(today):
        in_post_by_site.setdefault(contact.site_id, []).append(contact)
    summaries = []
    for site in query.order_by(Site.name):
        in_post = sorted(in_post_by_site.get(site.id, []), key=lambda c: (order.get(c.role, 99), c.name))
        dsl = next((c.name for c in in_post if c.role == "dsl"), "")
        word, state = training_summary(requirement_lines.get(site.id, []))
        summaries.append(
            SiteSummary(
                site_id=site.id,
                name=site.name,
                kind=site.kind,
                authority=site.local_authority.name if site.local_authority_id else "",
                dsl=dsl,
                policy=site_policy_status(site, today, policies_by_site.get(site.id, [])),
                training_word=word,
                training_state=state,
                next_visit=next_visit(site, today),
                archived=site.archived,
                people=[c.name for c in in_post],
                private=site.arrangement == "private",
            )
        )
    return summaries


@dataclass(frozen=True)
class SiteToFind:
    """A site not archived, with what the command palette shows and matches: its kind,
    local authority, DSL, and everyone in post today with the roles they hold there
    (DSL first, then by role and name)."""

    site_id: int
    name: str
    kind: str
    authority: str
    dsl: str
    people: tuple[tuple[str, tuple[str, ...]], ...]


def sites_to_find(today: date) -> list[SiteToFind]:
    """Every site not archived, by name, with its people in post today (for the command
    palette, gathered each time it opens). Two queries whose rows are read straight from
    SQLite: the sites table's summaries (training, policies, visits) and a model object
    per contact made opening the palette take 0.3 s on a 500-site vault and 4 s on a
    5,000-site one, and peewee's row conversion (none is needed for ids and text) cost
    several times the queries themselves."""
    order = {r: i for i, r in enumerate(contacts_mod.ROLE_NAMES)}
    in_post = (
        Contact.select(Contact.site, Contact.name, Contact.role)
        .join(Site)
        .where(
            (Site.archived == False)  # noqa: E712
            & (Contact.from_date <= today)
            & (Contact.to_date.is_null() | (Contact.to_date >= today))
        )
    )
    roles: dict[int, dict[str, list[str]]] = {}
    for site_id, name, role in database.execute(in_post):
        roles.setdefault(site_id, {}).setdefault(name, []).append(role)
    query = (
        Site.select(Site.id, Site.name, Site.kind, LocalAuthority.name)
        .join(LocalAuthority, JOIN.LEFT_OUTER)
        .where(Site.archived == False)  # noqa: E712
        .order_by(Site.name)
    )
    found = []
    for site_id, name, kind, authority in database.execute(query):
        people = []
        for person, held in roles.get(site_id, {}).items():
            held.sort(key=lambda r: order.get(r, 99))
            people.append((person, tuple(held)))
        people.sort(key=lambda p: (order.get(p[1][0], 99), p[0]))
        dsl = next((person for person, held in people if "dsl" in held), "")
        found.append(SiteToFind(site_id, name, kind, authority or "", dsl, tuple(people)))
    return found


@dataclass(frozen=True)
class OrganisationContactToFind:
    """Someone at an organisation I work under (its safeguarding lead or manager), for
    the command palette: concern steps name them, so they are looked for by name too."""

    organisation_id: int
    organisation: str  # its short name where it has one, as the briefing says it
    role: str  # "safeguarding lead" or "manager"
    name: str
    phone: str


def organisation_contacts_to_find() -> list[OrganisationContactToFind]:
    """Every organisation's safeguarding lead and manager that has a name, by
    organisation. A handful of rows: the sites under each are looked up only when one
    is chosen (`site_showing_organisation`)."""
    query = Organisation.select(
        Organisation.id, Organisation.name, Organisation.short_name,
        Organisation.safeguarding_lead_name, Organisation.safeguarding_lead_phone,
        Organisation.manager_name, Organisation.manager_phone,
    ).order_by(Organisation.name)
    found = []
    for org_id, name, short, lead, lead_phone, manager, manager_phone in database.execute(query):
        for role, person, phone in (("safeguarding lead", lead, lead_phone), ("manager", manager, manager_phone)):
            if person.strip():
                found.append(OrganisationContactToFind(org_id, short or name, role, person.strip(), phone))
    return found


def site_showing_organisation(organisation_id: int) -> int | None:
    """The site whose briefing to open for someone at this organisation: a private one
    first (its briefing leads with the organisation's safeguarding lead, there being no
    site DSL), then the first by name; None when no site works under it."""
    site = (
        Site.select(Site.id)
        .where((Site.organisation == organisation_id) & (Site.archived == False))  # noqa: E712
        .order_by((Site.arrangement != "private"), Site.name)
        .first()
    )
    return site.id if site is not None else None
