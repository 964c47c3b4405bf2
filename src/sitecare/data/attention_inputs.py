"""What the attention list is made from: the vault's records as plain values.

rules/attention.py is pure; this module reads the vault and hands it the input
dataclasses it defines. `current_attention()` is what the home screen, `sitecare
check` and the calendar export call. A few small commands live here too, for the acts
the home screen can do in place (confirm a site's contacts, mark a local authority
checked, record unclaimed artwork as disposed of).

Readings of the schema made here (the other screens may refine them):
- an outcome is awaited for a concern whose status is awaiting_outcome, or an open
  concern with a referral and no outcome entry after it; the chase is due on its
  chase action's date (data/concerns.py's await_outcome makes one), else
  `outcome_chase_days` working days after the last referral (else the last action or
  sharing entry, else the concern's creation) in the site's nation;
- a step of an open or awaiting-outcome concern's procedure (data/concerns.py's
  procedure_for, the concern screen's checklist) is due when it has a deadline, is not
  done (its step_key "route/step" recorded and not undone since), is neither optional
  nor on a route only offered, and is not the serious-incident notification
  (notification-form / email-form: the serious-incident item says it); steps whose
  deadline is "none" are left to the outcome and chase items;
- a serious incident counts as notified once its chronology has the procedure's
  notification step done (step_key ".../notification-form" or ".../email-form", not
  undone since), or an action/sharing entry outside the steps that says it notified;
- unclaimed artwork is recorded as disposed of by a DisposalLog row with what="artwork"
  (the client's other records stay; issue 6's full disposal removes them);
- a school consent given up to 90 days before the client's therapy start was given for
  that period; one given earlier makes the start a new period that needs a refresh;
- a data request is open until it has a completion date or its status is completed,
  closed or refused; status "extended" uses the ICO's extended deadline.

How it is read (issue 7: at most 50 ms on the large vault, and no cost that grows
faster than the data):
- Plain SQL returning tuples, only the columns in READS, one query per table (never
  one per site or concern); dates are converted once per distinct text. Building a
  peewee model object per row was most of the cost.
- The inputs come in groups (GROUPS), each read in pieces (Piece): one per kind of
  training, per site (policies, contacts), per open concern, or the whole group at
  once. data/attention_cache.py keeps them between computations and reads again only
  the pieces a change touched; `gather()` always reads everything afresh (the cold
  figure the benchmark measures).
"""

from __future__ import annotations

import gc
import threading
from collections import namedtuple
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from itertools import chain
from importlib import import_module
from typing import TYPE_CHECKING, Any, Callable, Iterable, Iterator, Mapping, Sequence

from peewee import DateField, DateTimeField

from ..rules import attention as rules
from ..rules.concerns import CHASE_PREFIX
from ..rules.policy import PolicySignature, PolicyVersion
from . import contacts as contact_queries
from .models import chunks as _chunks
from .models import (
    Client,
    Contact,
    DisposalLog,
    LocalAuthority,
    change,
    database,
)
from .settings import get_setting

if TYPE_CHECKING:
    from . import concerns as concern_queries


def _concern_queries():
    # data/concerns.py and the procedure engine it loads (a tenth of sitecare's import
    # time) are needed only when a concern's pieces are read, which an opening that
    # starts from the kept list (data/kept_attention.py) rarely does.
    return import_module("sitecare.data.concerns")

ARTWORK = "artwork"
NOTIFIED_STEPS = ("notification-form", "email-form")
UNDO_PREFIX = "undo:"  # as data/concerns.py marks a step undone
CLOSED_REQUEST_STATUSES = ("completed", "closed", "refused", "done")
CONSENT_AHEAD_DAYS = 90
OPEN_STATUSES = ("open", "awaiting_outcome")
OUTCOME_KINDS = ("referral", "outcome", "action_taken", "information_shared")
REPORTED_KINDS = ("action_taken", "information_shared")


def windows() -> rules.Windows:
    return rules.Windows(
        training_days=int(get_setting("warn_days_training")),
        other_days=int(get_setting("warn_days_other")),
    )


# --------------------------------------------------------------------------- what is read

#: Every column the attention list reads, by table. The queries here select only these
#: (`_select` refuses any other), rows handed to data/concerns.py's procedure_for have
#: only these, and data/changes.py counts an UPDATE as a change only when one of them
#: differs: a site's visit notes or a client's initials are not read, so editing them
#: leaves the kept list alone.
READS: dict[str, tuple[str, ...]] = {
    "site": ("id", "name", "kind", "archived", "created_on", "resign_interval_months", "local_authority_id",
             "organisation_id", "arrangement", "procedure_template"),
    "contact": ("id", "site_id", "role", "name", "phone", "email", "where_to_find", "from_date", "to_date",
                "confirmed_on"),
    "policy": ("id", "site_id", "version", "dated", "review_due", "signed_on", "recorded_on"),
    "training_kind": ("id", "code", "name"),
    "training_record": ("id", "kind_id", "completed", "expires"),
    "requirement": ("id", "site_id", "kind_id", "max_age_months"),
    "local_authority": ("id", "name", "nation", "verified_on", "children_phone", "children_email",
                        "children_out_of_hours_phone", "adults_phone", "adults_email", "adults_out_of_hours_phone",
                        "lado_phone", "lado_email", "mental_health_name", "mental_health_phone", "office_open",
                        "office_close", "source"),
    "organisation": ("id", "name", "safeguarding_lead_name", "safeguarding_lead_phone", "safeguarding_lead_email",
                     "manager_name", "manager_phone", "manager_email", "procedure_template"),
    "national_contact": ("id", "key", "name", "phone", "email", "hours", "source"),
    "client": ("id", "reference", "client_type", "date_of_birth", "site_id", "therapy_start", "therapy_end",
               "gp_contact", "parent_carer_contact", "receives_mental_health_services"),
    "concern": ("id", "reference", "status", "kind", "client_type", "immediate_danger", "about_head", "occurred_at",
                "noticed_at", "created_at", "routes", "site_id", "client_id", "outcome_chase_days"),
    "chronology_entry": ("id", "concern_id", "at", "recorded_at", "kind", "step_key", "text"),
    "action": ("id", "concern_id", "description", "owner", "due", "done_on"),
    "complaint": ("id", "reference", "received_on", "acknowledged_on", "site_id", "resolved_on", "resolved_stage"),
    "complaint_stage": ("id", "complaint_id", "stage", "began_on", "responded_on"),
    "consent": ("id", "client_id", "purpose", "given_on", "reviewed_on", "withdrawn_on"),
    "data_request": ("id", "client_id", "kind", "received_on", "status", "completed_on"),
    "disposal_log": ("id", "reference", "disposed_on", "what"),
    # data/concerns.py's load_all_templates reads the user's templates itself.
    "procedure_template": ("id", "key", "filename", "text"),
    # windows(): the warning windows.
    "setting": ("key", "value"),
}

# Rows handed to procedure_for, with the model's attribute names.
SiteRow = namedtuple("SiteRow", READS["site"])
ContactRow = namedtuple("ContactRow", READS["contact"])
AuthorityRow = namedtuple("AuthorityRow", READS["local_authority"])
OrganisationRow = namedtuple("OrganisationRow", READS["organisation"])
NationalRow = namedtuple("NationalRow", READS["national_contact"])
ClientRow = namedtuple("ClientRow", READS["client"])
ConcernRow = namedtuple("ConcernRow", READS["concern"])
StepEntryRow = namedtuple("StepEntryRow", ("id", "concern_id", "at", "recorded_at", "kind", "step_key"))


def _select(table: str, columns: Sequence[str] | None = None, where: str = "", params: Sequence[Any] = (),
            order: str = "") -> list[tuple]:
    """Rows of `table` as tuples of `columns` (default: all of READS[table])."""
    columns = READS[table] if columns is None else columns
    unknown = [c for c in columns if c not in READS[table]]
    if unknown:
        raise ValueError(f"{table}.{unknown} is not in READS: add it there, so its changes are seen")
    names = ", ".join(f'"{c}"' for c in columns)
    sql = f'SELECT {names} FROM "{table}"'
    if where:
        sql += f" WHERE {where}"
    if order:
        sql += f" ORDER BY {order}"
    return database.execute_sql(sql, tuple(params)).fetchall()


def _marks(ids: Sequence[Any]) -> str:
    return ", ".join("?" * len(ids))


_DATE_FIELD = DateField()
_DATETIME_FIELD = DateTimeField()
_DAYS: dict[Any, Any] = {}


def _day(value: Any) -> Any:
    """A DateField's stored text as peewee reads it, converted once per distinct text."""
    if value is None:
        return None
    try:
        return _DAYS[value]
    except KeyError:
        pass
    day = _DATE_FIELD.python_value(value)
    if len(_DAYS) > 50_000:
        _DAYS.clear()
    _DAYS[value] = day
    return day


def _moment(value: Any) -> Any:
    """A DateTimeField's stored text as peewee reads it ("YYYY-MM-DD HH:MM:SS[.ffffff]"
    by the fast path)."""
    if type(value) is str and (len(value) == 19 or (len(value) == 26 and value[19] == ".")) and value[10] == " ":
        try:
            return datetime.fromisoformat(value)
        except ValueError:
            pass
    return _DATETIME_FIELD.python_value(value)


def _json_list(value: Any) -> tuple:
    import json

    return tuple(json.loads(value)) if value else ()


def _site_row(raw: tuple) -> SiteRow:
    (id_, name, kind, archived, created_on, interval, la_id, org_id, arrangement, template) = raw
    return SiteRow(id_, name, kind, bool(archived), _day(created_on), interval, la_id, org_id, arrangement, template)


def _contact_row(raw: tuple) -> ContactRow:
    (id_, site_id, role, name, phone, email, where, from_date, to_date, confirmed_on) = raw
    return ContactRow(id_, site_id, role, name, phone, email, where, _day(from_date), _day(to_date), _day(confirmed_on))


def _authority_row(raw: tuple) -> AuthorityRow:
    return AuthorityRow(*raw[:3], _day(raw[3]), *raw[4:])


def _client_row(raw: tuple) -> ClientRow:
    (id_, reference, client_type, born, site_id, start, end, gp, parent, mental_health) = raw
    return ClientRow(id_, reference, client_type, _day(born), site_id, _day(start), _day(end), gp, parent,
                     bool(mental_health))


def _concern_row(raw: tuple) -> ConcernRow:
    (id_, reference, status, kind, client_type, danger, about_head, occurred, noticed, created, routes, site_id,
     client_id, chase_days) = raw
    return ConcernRow(id_, reference, status, kind, client_type, bool(danger), bool(about_head),
                      _moment(occurred) if occurred is not None else None,
                      _moment(noticed) if noticed is not None else None,
                      _moment(created) if created is not None else None,
                      _json_list(routes), site_id, client_id, chase_days)


class _Reader:
    """What several groups read, loaded once per computation, on first use."""

    def __init__(self, today: date, kept: dict | None = None):
        self.today = today
        self._kept = kept
        self._sites: dict[int, SiteRow] | None = None
        self._some_sites: dict[int, SiteRow] = {}
        self._active: list[SiteRow] | None = None
        self._nations: dict[int, str] | None = None
        self._contacts: list[ContactRow] | None = None

    def same(self, key: Any, value: Any) -> Any:
        """`value`, or the equal value kept under `key` by the last computation: rules
        keep some answers by the identity of what they were given (a kind's training
        records), so an unchanged value stays the same object."""
        if self._kept is None:
            return value
        old = self._kept.get(key)
        if old is not None and old == value:
            return old
        self._kept[key] = value
        return value

    @property
    def sites(self) -> dict[int, SiteRow]:
        if self._sites is None:
            self._sites = {row[0]: _site_row(row) for row in _select("site")}
        return self._sites

    def sites_for(self, ids: Iterable[int | None]) -> dict[int, SiteRow]:
        """The sites `ids` that exist (every site when all are loaded already)."""
        if self._sites is not None:
            return self._sites
        wanted = sorted({i for i in ids if i is not None} - set(self._some_sites))
        for chunk in _chunks(wanted):
            for row in _select("site", where=f"id IN ({_marks(chunk)})", params=chunk):
                self._some_sites[row[0]] = _site_row(row)
        return self._some_sites

    @property
    def active_sites(self) -> list[SiteRow]:
        """Sites not archived, by name (as the lists show them)."""
        if self._active is None:
            self._active = sorted((s for s in self.sites.values() if not s.archived), key=lambda s: s.name)
        return self._active

    def active_sites_for(self, ids: Sequence[int] | None) -> list[SiteRow]:
        """The active sites, or those of `ids`, by name."""
        if ids is None:
            return self.active_sites
        sites = self.sites_for(ids)
        return sorted((sites[i] for i in ids if i in sites and not sites[i].archived), key=lambda s: s.name)

    @property
    def nations(self) -> dict[int, str]:
        if self._nations is None:
            self._nations = dict(_select("local_authority", ("id", "nation")))
        return self._nations

    def nation(self, site: SiteRow | None) -> str | None:
        if site is None or site.local_authority_id is None:
            return None
        return self.nations.get(site.local_authority_id) or None

    @property
    def contacts(self) -> list[ContactRow]:
        """Every contact (any dates), by site, role and name."""
        if self._contacts is None:
            self._contacts = _sorted_contacts(_select("contact"))
        return self._contacts

    def contacts_for(self, site_ids: Sequence[int] | None) -> list[ContactRow]:
        """Every contact, or those of the sites `site_ids`, by site, role and name."""
        if site_ids is None or self._contacts is not None:
            return self.contacts
        rows = []
        for chunk in _chunks(sorted(site_ids)):
            rows += _select("contact", where=f"site_id IN ({_marks(chunk)})", params=chunk)
        return _sorted_contacts(rows)


def _sorted_contacts(rows: list[tuple]) -> list[ContactRow]:
    # Sorted here rather than by SQL (half the cost on a large vault), from the rows in
    # id order, so equal names keep one order however they were read. Python compares
    # text by code point, as SQLite's BINARY collation does with UTF-8.
    rows.sort(key=lambda r: r[0])
    rows.sort(key=lambda r: (r[1], r[2], r[3]))
    return [_contact_row(r) for r in rows]


# --------------------------------------------------------------------------- the groups


@dataclass(frozen=True)
class Piece:
    """Inputs that are read, and replaced, together: one kind of training's, one site's,
    one concern's (or a whole group's). `order` is where its rows go among the group's,
    as reading everything at once orders them; `depends` names the rows of other tables
    (table, key in KEYS) whose change means reading it again; `until`, the first day on
    which what was read as of today would be read otherwise (a contact comes into post
    or leaves it, a consent is withdrawn), None when no day changes it."""

    order: Any
    rows: Mapping[str, tuple]
    depends: tuple[tuple[str, Any], ...] = ()
    until: date | None = None


def _sooner(until: date | None, day: date) -> date:
    return day if until is None or day < until else until


#: The column each table's changes are recorded by (data/changes.py), for the groups
#: read piece by piece: a change to such a row re-reads only the pieces it touches.
KEYS: dict[str, str] = {
    "concern": "id",
    "chronology_entry": "concern_id",
    "action": "concern_id",
    "site": "id",
    "contact": "site_id",
    "client": "id",
    "training_kind": "id",
    "training_record": "kind_id",
    "requirement": "kind_id",
    "policy": "site_id",
    "local_authority": "id",
    "organisation": "id",
}


def _where_in(column: str, ids: Sequence[Any] | None) -> Iterable[tuple[str, Sequence[Any]]]:
    """(SQL condition, parameters) for every row, or for rows whose `column` is in `ids`."""
    if ids is None:
        yield "1", ()
        return
    for chunk in _chunks(sorted(i for i in ids if i is not None)):
        yield f'"{column}" IN ({_marks(chunk)})', chunk


def _training_pieces(reader: _Reader, kinds: Sequence[int] | None, memo: dict | None) -> dict[int, Piece]:
    """Per kind of training: my records of it (with the active sites that require it),
    and the sites' requirements of it."""
    kind_rows = []
    records_by_kind: dict[int, list[tuple]] = {}
    requirements_by_kind: dict[int, list[tuple]] = {}
    for where, params in _where_in("id", kinds):
        kind_rows += _select("training_kind", where=where, params=params)
    for where, params in _where_in("kind_id", kinds):
        for id_, kind_id, completed, expires in _select("training_record", ("id", "kind_id", "completed", "expires"),
                                                        where, params):
            records_by_kind.setdefault(kind_id, []).append((id_, _day(completed), _day(expires)))
        for row in _select("requirement", where=where, params=params):
            requirements_by_kind.setdefault(row[2], []).append(row)
    sites = reader.sites_for(row[1] for rows in requirements_by_kind.values() for row in rows)
    pieces = {}
    for kind_id, code, name in kind_rows:
        records = records_by_kind.get(kind_id, [])
        shared = reader.same(("training records", kind_id), tuple((c, e) for _, c, e in records))
        required = []
        requirements = []
        for id_, site_id, _, max_age in sorted(requirements_by_kind.get(kind_id, ())):
            site = sites.get(site_id)
            if site is None or site.archived:
                continue
            required.append(site.name)
            requirements.append(
                rules.RequirementInput(
                    requirement_id=id_,
                    site_id=site_id,
                    site_name=site.name,
                    kind_code=code,
                    kind_name=name,
                    max_age_months=max_age,
                    records=shared,
                    needed_since=site.created_on,
                )
            )
        training = ()
        if records:
            training = (
                rules.TrainingInput(
                    kind_code=code,
                    kind_name=name,
                    records=tuple(rules.TrainingRecordInput(*r) for r in records),
                    required_by=tuple(sorted(required)),
                ),
            )
        depends = tuple(("site", site_id) for site_id in sorted({r[1] for r in requirements_by_kind.get(kind_id, ())}))
        pieces[kind_id] = Piece((name, kind_id), {"training": training, "requirements": tuple(requirements)}, depends)
    return pieces


def _policy_pieces(reader: _Reader, site_ids: Sequence[int] | None, memo: dict | None) -> dict[int, Piece]:
    """Per active site: its latest policy and my latest signature."""
    by_site: dict[int, list[tuple]] = {}
    for where, params in _where_in("site_id", site_ids):
        for row in _select("policy", where=where, params=params):
            id_, site_id, version, dated, review_due, signed_on, recorded_on = row
            by_site.setdefault(site_id, []).append(
                (id_, version, _day(dated), _day(review_due), _day(signed_on), _day(recorded_on))
            )
    pieces = {}
    for site in reader.active_sites_for(site_ids):
        # Latest first: recorded_on, then id, both descending (as ORDER BY ... DESC).
        rows = sorted(by_site.get(site.id, []), key=lambda p: (p[5], p[0]), reverse=True)
        latest = rows[0] if rows else None
        signed = [p for p in rows if p[4] is not None]
        signature = max(signed, key=lambda p: (p[4], p[0])) if signed else None
        policy = rules.PolicyInput(
            site_id=site.id,
            site_name=site.name,
            site_kind=site.kind,
            resign_interval_months=site.resign_interval_months,
            policy_id=latest[0] if latest else None,
            latest=PolicyVersion(latest[1], latest[2], latest[3]) if latest else None,
            signature=PolicySignature(signature[4], signature[1]) if signature else None,
            recorded_on=latest[5] if latest else None,
            needed_since=site.created_on,
        )
        pieces[site.id] = Piece((site.name, site.id), {"policies": (policy,)})
    return pieces


def _site_contact_pieces(reader: _Reader, site_ids: Sequence[int] | None, memo: dict | None) -> dict[int, Piece]:
    """Per active site: the contacts in post today."""
    today = reader.today
    in_post: dict[int, list[rules.ContactInput]] = {}
    until: dict[int, date] = {}
    for c in reader.contacts_for(site_ids):
        if c.from_date <= today and (c.to_date is None or c.to_date >= today):
            in_post.setdefault(c.site_id, []).append(rules.ContactInput(c.id, c.role, c.name, c.from_date, c.confirmed_on))
            if c.to_date is not None:
                until[c.site_id] = _sooner(until.get(c.site_id), c.to_date + timedelta(days=1))
        elif c.from_date > today:
            until[c.site_id] = _sooner(until.get(c.site_id), c.from_date)
    return {
        site.id: Piece((site.name, site.id), {"site_contacts": (
            rules.SiteContactsInput(
                site_id=site.id,
                site_name=site.name,
                site_kind=site.kind,
                contacts=tuple(in_post.get(site.id, ())),
                needed_since=site.created_on,
            ),
        )}, until=until.get(site.id))
        for site in reader.active_sites_for(site_ids)
    }


def _concern_action_pieces(reader: _Reader, concern_ids: Sequence[Any] | None, memo: dict | None
                          ) -> dict[Any, Piece]:
    """Per concern (None: actions of no concern), the open actions with a date."""
    # A concern awaiting its outcome carries an action to chase it (data/concerns.py):
    # that action is the "outcome awaited" item (the concern group reads it), not a
    # second, generic one.
    sql = (
        "SELECT a.id, a.concern_id, a.description, a.owner, a.due, c.status, c.reference, c.site_id "
        'FROM "action" a LEFT JOIN "concern" c ON c.id = a.concern_id '
        "WHERE a.done_on IS NULL AND a.due IS NOT NULL"
    )
    rows = []
    if concern_ids is None:
        rows = database.execute_sql(sql).fetchall()
    else:
        for where, params in _where_in("concern_id", concern_ids):
            rows += database.execute_sql(f"{sql} AND a.{where}", params).fetchall()
        if None in concern_ids:
            rows += database.execute_sql(f"{sql} AND a.concern_id IS NULL").fetchall()
        rows.sort()
    sites = reader.sites if concern_ids is None else reader.sites_for(r[7] for r in rows)
    by_concern: dict[Any, list[rules.ConcernActionInput]] = {}
    depends: dict[Any, tuple] = {}
    for id_, concern_id, description, owner, due, status, reference, site_id in rows:
        has_concern = concern_id is not None
        if has_concern and status in ("closed", "draft"):
            continue
        if has_concern and description.startswith(CHASE_PREFIX):
            continue
        site = sites.get(site_id) if has_concern else None
        by_concern.setdefault(concern_id, []).append(
            rules.ConcernActionInput(
                action_id=id_,
                concern_id=concern_id,
                concern_reference=reference if has_concern else "",
                site_name=site.name if site is not None else "",
                description=description,
                owner=owner,
                due=_day(due),
            )
        )
        if site_id is not None:
            depends[concern_id] = (("site", site_id),)
    return {
        key: Piece((key is not None, key or 0), {"concern_actions": tuple(actions)}, depends.get(key, ()))
        for key, actions in by_concern.items()
    }


def _read_complaints(reader: _Reader) -> dict[str, tuple]:
    open_complaints = _select("complaint", ("id", "reference", "received_on", "acknowledged_on", "site_id"),
                              "resolved_on IS NULL AND resolved_stage IS NULL")
    stages: dict[int, list[rules.ComplaintStageInput]] = {}
    ids = [c[0] for c in open_complaints]
    for chunk in _chunks(ids):
        for complaint_id, stage, began_on, responded_on in _select(
            "complaint_stage", ("complaint_id", "stage", "began_on", "responded_on"),
            f"complaint_id IN ({_marks(chunk)})", chunk, order="stage",
        ):
            stages.setdefault(complaint_id, []).append(rules.ComplaintStageInput(stage, _day(began_on), _day(responded_on)))
    sites = reader.sites
    complaints = tuple(
        rules.ComplaintInput(
            complaint_id=id_,
            reference=reference,
            received_on=_day(received_on),
            acknowledged_on=_day(acknowledged_on),
            nation=reader.nation(sites.get(site_id)),
            stages=tuple(sorted(stages.get(id_, ()), key=lambda s: s.stage)),
        )
        for id_, reference, received_on, acknowledged_on, site_id in open_complaints
    )
    return {"complaints": complaints}


def _read_consents(reader: _Reader) -> tuple[dict[str, tuple], date | None]:
    today = reader.today
    sql = (
        "SELECT co.id, co.client_id, co.purpose, co.given_on, co.reviewed_on, co.withdrawn_on, "
        "cl.reference, cl.site_id, cl.therapy_start, cl.therapy_end "
        'FROM "consent" co JOIN "client" cl ON cl.id = co.client_id'
    )
    sites = reader.sites
    consents = []
    until = None
    for (id_, client_id, purpose, given_on, reviewed_on, withdrawn_on, reference, site_id, start, end) in (
        database.execute_sql(sql).fetchall()
    ):
        withdrawn_on = _day(withdrawn_on)
        if withdrawn_on is not None and withdrawn_on <= today:
            continue
        if withdrawn_on is not None:
            until = _sooner(until, withdrawn_on)
        site = sites.get(site_id) if site_id else None
        given_on = _day(given_on)
        consents.append(
            rules.ConsentInput(
                consent_id=id_,
                client_id=client_id,
                client_reference=reference,
                purpose=purpose,
                given_on=given_on,
                reviewed_on=_day(reviewed_on),
                withdrawn_on=withdrawn_on,
                in_school=site is not None and site.kind == "school",
                therapy_starts=_new_periods(given_on, _day(start)),
                therapy_end=_day(end),
            )
        )
    return {"consents": tuple(consents)}, until


def _read_retention(reader: _Reader) -> dict[str, tuple]:
    artwork_done = {
        reference: _day(disposed_on)
        for reference, disposed_on in _select("disposal_log", ("reference", "disposed_on"), "what = ?", (ARTWORK,))
    }
    retention = tuple(
        rules.RetentionInput(
            client_id=id_,
            reference=reference,
            client_type=client_type,
            date_of_birth=_day(born),
            therapy_end=_day(end),
            artwork_disposed_on=artwork_done.get(reference),
        )
        for id_, reference, client_type, born, end in _select(
            "client", ("id", "reference", "client_type", "date_of_birth", "therapy_end"), "therapy_end IS NOT NULL"
        )
    )
    return {"retention": retention}


def _read_data_requests(reader: _Reader) -> dict[str, tuple]:
    sql = (
        "SELECT r.id, r.client_id, r.kind, r.received_on, r.status, c.reference, c.site_id "
        'FROM "data_request" r LEFT JOIN "client" c ON c.id = r.client_id WHERE r.completed_on IS NULL'
    )
    sites = reader.sites
    found = []
    for id_, client_id, kind, received_on, status, reference, site_id in database.execute_sql(sql).fetchall():
        status = (status or "").strip().lower()
        if status in CLOSED_REQUEST_STATUSES:
            continue
        has_client = client_id is not None and reference is not None
        found.append(
            rules.DataRequestInput(
                request_id=id_,
                client_reference=reference if has_client else "",
                kind=kind,
                received_on=_day(received_on),
                nation=reader.nation(sites.get(site_id) if has_client and site_id else None),
                extended=status == "extended",
            )
        )
    return {"data_requests": tuple(found)}


def _read_authorities(reader: _Reader) -> dict[str, tuple]:
    used: dict[int, list[SiteRow]] = {}
    for site in reader.active_sites:
        if site.local_authority_id is not None:
            used.setdefault(site.local_authority_id, []).append(site)
    if not used:
        return {"authorities": ()}
    ids = sorted(used)
    rows = []
    for chunk in _chunks(ids):
        rows += _select("local_authority", ("id", "name", "verified_on"), f"id IN ({_marks(chunk)})", chunk)
    rows.sort()
    return {
        "authorities": tuple(
            rules.AuthorityInput(
                authority_id=id_,
                name=name,
                verified_on=_day(verified_on),
                needed_since=min(s.created_on for s in used[id_]),
                used_by=tuple(s.name for s in used[id_]),
            )
            for id_, name, verified_on in rows
        )
    }


# --------------------------------------------------------------------------- concerns


class _ConcernReader:
    """What the open concerns' items are made from: the concerns (all open ones, or the
    ones in `ids`), their chronology as far as the items read it, their chase actions,
    and what their procedures resolve against."""

    def __init__(self, reader: _Reader, ids: Sequence[int] | None = None):
        self.reader = reader
        if ids is None:
            where, scope, params = f"status IN ({_marks(OPEN_STATUSES)})", None, OPEN_STATUSES
            rows = _select("concern", where=where, params=params)
        else:
            rows = []
            for chunk in _chunks([i for i in ids if i is not None]):
                rows += _select("concern", where=f"id IN ({_marks(chunk)}) AND status IN ({_marks(OPEN_STATUSES)})",
                                params=(*chunk, *OPEN_STATUSES))
            scope = [r[0] for r in rows]
        self.concerns = [_concern_row(r) for r in rows]
        self._scope = scope  # None: every open concern
        self.sites = reader.sites if scope is None else reader.sites_for(c.site_id for c in self.concerns)

        # Per concern: the last referral, outcome and action/sharing entry (max of the
        # stored text, which sorts as the moment does, as the old ORDER BY at did).
        self.last: dict[tuple[int, str], Any] = {}
        for concern_id, kind, at in self._entries(
            "concern_id, kind, max(at)", f"kind IN ({_marks(OUTCOME_KINDS)})", OUTCOME_KINDS,
            group="concern_id, kind", by_index=True,
        ):
            self.last[(concern_id, kind)] = at
        # Entries that record a step (or a decision): what is done, what is decided.
        self.step_entries: dict[int, list[StepEntryRow]] = {}
        for id_, concern_id, at, recorded_at, kind, step_key in self._entries(
            "id, concern_id, at, recorded_at, kind, step_key", "step_key != ''", (), order="id"
        ):
            self.step_entries.setdefault(concern_id, []).append(
                StepEntryRow(id_, concern_id, _moment(at), _moment(recorded_at), kind, step_key)
            )
        # Serious incidents notified in words (an action or sharing entry outside the
        # steps that says so): SQL's LIKE finds every text Python's lower() would.
        serious = [c.id for c in self.concerns if c.kind == "serious_incident"]
        self.worded: set[int] = set()
        for chunk in _chunks(serious):
            for concern_id, text in _select(
                "chronology_entry", ("concern_id", "text"),
                f"concern_id IN ({_marks(chunk)}) AND step_key = '' AND kind IN ({_marks(REPORTED_KINDS)}) "
                "AND text LIKE '%notif%'", (*chunk, *REPORTED_KINDS),
            ):
                if "notif" in (text or "").lower():
                    self.worded.add(concern_id)
        # The chase actions of concerns awaiting their outcome (data/concerns.py).
        self.chases: dict[int, date] = {}
        for concern_id, description, due in self._actions():
            if description.startswith(CHASE_PREFIX):
                due = _day(due)
                self.chases[concern_id] = min(due, self.chases.get(concern_id, due))

    def _entries(self, columns: str, where: str, params: Sequence[Any], group: str = "", order: str = "",
                 by_index: bool = False) -> list[tuple]:
        tail = (f" GROUP BY {group}" if group else "") + (f" ORDER BY {order}" if order else "")
        if self._scope is None:
            # Every open concern: one pass over the table beats an index search per
            # concern (the unary + keeps SQLite from using the index), unless an index
            # covers every column asked for (chronology_concern_kind_at): then the
            # search reads none of the entries' text. On the large vault, the last
            # entry of each kind: 11 ms by a pass over the table, 4 by that index.
            concern_id = "concern_id" if by_index else "+concern_id"
            sql = (f'SELECT {columns} FROM "chronology_entry" WHERE {where} AND {concern_id} IN '
                   f'(SELECT id FROM "concern" WHERE status IN ({_marks(OPEN_STATUSES)})){tail}')
            return database.execute_sql(sql, (*params, *OPEN_STATUSES)).fetchall()
        rows = []
        for chunk in _chunks(self._scope):
            sql = f'SELECT {columns} FROM "chronology_entry" WHERE {where} AND concern_id IN ({_marks(chunk)}){tail}'
            rows += database.execute_sql(sql, (*params, *chunk)).fetchall()
        return rows

    def _actions(self) -> list[tuple]:
        where = "done_on IS NULL AND due IS NOT NULL"
        if self._scope is None:
            return _select("action", ("concern_id", "description", "due"),
                           f"{where} AND concern_id IN (SELECT id FROM \"concern\" WHERE status IN "
                           f"({_marks(OPEN_STATUSES)}))", OPEN_STATUSES)
        rows = []
        for chunk in _chunks(self._scope):
            rows += _select("action", ("concern_id", "description", "due"), f"{where} AND concern_id IN ({_marks(chunk)})",
                            chunk)
        return rows

    # -- what the procedures resolve against --------------------------------------------

    def preloaded(self) -> concern_queries.Preloaded:
        reader = self.reader
        sites = self.sites
        site_ids = None if self._scope is None else sorted({c.site_id for c in self.concerns if c.site_id is not None})
        contacts = reader.contacts_for(site_ids)
        by_site: dict[int, list[ContactRow]] = {}
        for contact in contacts:
            by_site.setdefault(contact.site_id, []).append(contact)
        client_ids = sorted({c.client_id for c in self.concerns if c.client_id is not None})
        clients: dict[int, ClientRow] = {}
        for chunk in _chunks(client_ids):
            for row in _select("client", where=f"id IN ({_marks(chunk)})", params=chunk):
                clients[row[0]] = _client_row(row)
        national = tuple(
            NationalRow(*row)
            for row in _select("national_contact", where="key IN (?, ?, ?)", params=("police", "nspcc_whistleblowing", "ico"))
        )
        return _concern_queries().Preloaded(
            sites=sites,
            authorities={row[0]: _authority_row(row) for row in _select("local_authority")},
            organisations={row[0]: OrganisationRow(*row) for row in _select("organisation")},
            contacts={site_id: tuple(rows) for site_id, rows in by_site.items()},
            national=national,
            clients=clients,
            entries=self.step_entries,
        )

    # -- the items ----------------------------------------------------------------------

    def pieces(self, memo: dict | None = None) -> dict[int, Piece]:
        """Each concern's inputs, by id. `memo` (kept by the caller between computations)
        holds procedure steps by everything they are resolved from (_procedure_key)."""
        if not self.concerns:
            return {}
        templates = _concern_queries().load_all_templates()
        pre = self.preloaded()
        found = {}
        for concern in self.concerns:
            site = self.sites.get(concern.site_id) if concern.site_id else None
            site_name = site.name if site else ""
            steps = None
            if memo is not None:
                key = _procedure_key(concern, site, pre, templates)
                steps = memo.get(key)
            if steps is None:
                steps = _procedure_steps(concern, site_name, templates, pre)
                if memo is not None:
                    memo[key] = steps
            outcome = self._outcome(concern, site)
            serious = self._serious(concern, site_name)
            depends = []
            if concern.site_id is not None:
                depends += [("site", concern.site_id), ("contact", concern.site_id)]
            # The site's authority and organisation: whom to call, in which nation, in
            # which office hours, and the procedure an organisation names. Marking one
            # authority verified read every open concern again (58 ms on the large
            # vault, and the kept list of every concern lost until the next launch).
            if site is not None and site.local_authority_id is not None:
                depends.append(("local_authority", site.local_authority_id))
            if site is not None and site.organisation_id is not None:
                depends.append(("organisation", site.organisation_id))
            if concern.client_id is not None:
                depends.append(("client", concern.client_id))
            found[concern.id] = Piece(concern.id, {
                "procedure_steps": steps,
                "outcomes": (outcome,) if outcome is not None else (),
                "serious_incidents": (serious,) if serious is not None else (),
            }, tuple(depends))
        return found

    def _outcome(self, concern: ConcernRow, site: SiteRow | None) -> rules.OutcomeInput | None:
        last = self.last
        referral = last.get((concern.id, "referral"))
        outcome = last.get((concern.id, "outcome"))
        outcome_after = referral is not None and outcome is not None and _moment(outcome) >= _moment(referral)
        awaited = concern.status == "awaiting_outcome" or (referral is not None and not outcome_after)
        chase = self.chases.get(concern.id)
        if not (awaited or chase is not None):
            return None
        reported = referral
        if reported is None:
            shared = [a for a in (last.get((concern.id, k)) for k in REPORTED_KINDS) if a is not None]
            reported = max(shared, key=_moment) if shared else None
        reported_on = _moment(reported).date() if reported is not None else concern.created_at.date()
        return rules.OutcomeInput(
            concern.id, concern.reference, site.name if site else "", reported_on, concern.outcome_chase_days,
            nation=self.reader.nation(site), chase_due=chase,
        )

    def _serious(self, concern: ConcernRow, site_name: str) -> rules.SeriousIncidentInput | None:
        if concern.kind != "serious_incident":
            return None
        if concern.id in self.worded or _notified(self.step_entries.get(concern.id, ())):
            return None
        noticed = concern.noticed_at or concern.occurred_at or concern.created_at
        return rules.SeriousIncidentInput(concern.id, concern.reference, site_name, noticed)


def _procedure_key(concern: ConcernRow, site: SiteRow | None, pre: concern_queries.Preloaded, templates) -> tuple:
    """Everything procedure_for reads for one concern (see data/concerns.py build_context),
    as one hashable value."""
    la = pre.authorities.get(site.local_authority_id) if site is not None and site.local_authority_id else None
    org = pre.organisations.get(site.organisation_id) if site is not None and site.organisation_id else None
    client = pre.clients.get(concern.client_id) if concern.client_id is not None else None
    return (
        concern, tuple(pre.entries.get(concern.id, ())), site, la, org,
        pre.contacts.get(site.id, ()) if site is not None else (), client, pre.national, id(templates),
    )


def _may_fall_due(step: Any) -> bool:
    """Whether a template step can be listed at all (see _procedure_steps): one with no
    deadline, always optional, or the serious-incident notification never is, so it is
    not resolved."""
    return step.deadline.kind != "none" and not step.optional and step.key not in NOTIFIED_STEPS


def _procedure_steps(concern, site_name: str, templates, pre) -> tuple[rules.ProcedureStepInput, ...]:
    """The concern's procedure steps with a deadline that are not done. The procedure is
    resolved as the concern screen resolves it (procedure_for), from data loaded once
    for every concern: no query per concern."""
    found = []
    for state in _concern_queries().followed_steps(concern, templates, pre, _may_fall_due):
        resolved = state.resolved
        if state.done is not None or state.offered or resolved.optional:
            continue
        if resolved.due is None or resolved.step.deadline.kind == "none" or resolved.step.key in NOTIFIED_STEPS:
            continue
        who = (resolved.contacts or state.also or (None,))[0]
        found.append(
            rules.ProcedureStepInput(
                concern_id=concern.id,
                reference=concern.reference,
                site_name=site_name,
                step_title=resolved.step.title,
                due=resolved.due,
                contact_name=who.name if who is not None else "",
                contact_phone=who.phone if who is not None else "",
                due_text=resolved.due_text,
            )
        )
    return tuple(found)


def _concern_pieces(reader: _Reader, ids: Sequence[int] | None, memo: dict | None) -> dict[int, Piece]:
    return _ConcernReader(reader, ids).pieces(memo)


def _whole(read: Callable[[_Reader], Any]) -> Callable[[_Reader, Sequence[Any] | None, dict | None],
                                                                    dict[Any, Piece]]:
    """A group read as one piece. `read` gives its fields, or (its fields, the day they
    stop holding: Piece.until)."""

    def whole(reader: _Reader, keys: Sequence[Any] | None, memo: dict | None) -> dict[Any, Piece]:
        found = read(reader)
        fields, until = found if isinstance(found, tuple) else (found, None)
        return {None: Piece(0, fields, until=until)}

    return whole


@dataclass(frozen=True)
class Group:
    """Some of the attention list's inputs (AttentionInputs fields) and the tables they
    are read from, in pieces (Piece). A change to a table in `own` re-reads the pieces
    whose key is the changed row's key (KEYS); in `via`, the pieces that depend on the
    changed row; in the group's other tables, every piece."""

    name: str
    fields: tuple[str, ...]
    tables: tuple[str, ...]
    read: Callable[[_Reader, Sequence[Any] | None, dict | None], dict[Any, Piece]]
    own: tuple[str, ...] = ()
    via: tuple[str, ...] = ()

    @property
    def whole(self) -> tuple[str, ...]:
        """The tables any change to which re-reads the whole group."""
        return tuple(t for t in self.tables if t not in self.own and t not in self.via)


GROUPS: tuple[Group, ...] = (
    Group("training", ("training", "requirements"), ("training_kind", "training_record", "requirement", "site"),
          _training_pieces, own=("training_kind", "training_record", "requirement"), via=("site",)),
    Group("policies", ("policies",), ("policy", "site"), _policy_pieces, own=("policy", "site")),
    Group("site_contacts", ("site_contacts",), ("contact", "site"), _site_contact_pieces, own=("contact", "site")),
    Group("concern_actions", ("concern_actions",), ("action", "concern", "site"), _concern_action_pieces,
          own=("action", "concern"), via=("site",)),
    Group("concerns", ("procedure_steps", "outcomes", "serious_incidents"),
          ("concern", "chronology_entry", "action", "site", "contact", "client", "local_authority", "organisation",
           "national_contact", "procedure_template"), _concern_pieces,
          own=("concern", "chronology_entry", "action"),
          via=("site", "contact", "client", "local_authority", "organisation")),
    Group("complaints", ("complaints",), ("complaint", "complaint_stage", "site", "local_authority"),
          _whole(_read_complaints)),
    Group("consents", ("consents",), ("consent", "client", "site"), _whole(_read_consents)),
    Group("retention", ("retention",), ("client", "disposal_log"), _whole(_read_retention)),
    Group("data_requests", ("data_requests",), ("data_request", "client", "site", "local_authority"),
          _whole(_read_data_requests)),
    Group("authorities", ("authorities",), ("local_authority", "site"), _whole(_read_authorities)),
)


def assemble(group: Group, pieces: Iterable[Piece]) -> dict[str, tuple]:
    """A group's inputs from its pieces, in their order."""
    ordered = sorted(pieces, key=lambda p: p.order)
    return {name: tuple(chain.from_iterable(p.rows.get(name, ()) for p in ordered)) for name in group.fields}


def gather(today: date) -> rules.AttentionInputs:
    """Every input of the attention list, read afresh (nothing kept)."""
    with collector_paused():
        reader = _Reader(today)
        fields: dict[str, tuple] = {}
        for group in GROUPS:
            fields.update(assemble(group, group.read(reader, None, None).values()))
        return rules.AttentionInputs(**fields)


_pausing = threading.Lock()
_pauses = 0  # collector_paused blocks running now, on any thread
_resume = False  # whether the collector was on when the first of them began


@contextmanager
def collector_paused() -> Iterator[None]:
    """The garbage collector paused while the list is made. Tens of thousands of small
    objects are made and kept, and the collector would traverse the whole heap several
    times over while they are (measured: a fifth of the time on the large vault, more
    on larger ones). None of them is garbage, let alone a cycle; collection resumes
    (and catches up) when the list is made.

    Pauses on several threads at once (the keep's worker beside the app's thread)
    are counted: the collector is turned back on when the last of them ends, and only
    if it was on when the first began. Each putting back what it alone had seen could
    leave it off for the rest of the session (two overlapping pauses, the second
    seeing it off)."""
    global _pauses, _resume
    with _pausing:
        if _pauses == 0:
            _resume = gc.isenabled()
            gc.disable()
        _pauses += 1
    try:
        yield
    finally:
        with _pausing:
            _pauses -= 1
            if _pauses == 0 and _resume:
                gc.enable()


def _new_periods(given_on: date, therapy_start: date | None) -> tuple[date, ...]:
    """The client's period of therapy as a "new period" for the consent, or nothing.

    A client has one recorded start. Schools send consent forms home before sessions
    begin, so a consent given up to CONSENT_AHEAD_DAYS before the start was given for
    that period; one given earlier belongs to an earlier period, and the start of the
    recorded one calls for a refresh (seed 001).
    """
    if therapy_start is None or therapy_start <= given_on:
        return ()
    if (therapy_start - given_on).days <= CONSENT_AHEAD_DAYS:
        return ()
    return (therapy_start,)


def _notified(entries: Iterable[Any]) -> bool:
    """Whether the serious-incident notification was made by its step. Steps are
    recorded as "route/step" (data/concerns.py), and a step marked done by mistake is
    undone by a later entry "undo:route/step", so entries are read in order. (An
    action or sharing entry that says it notified counts too: see _ConcernReader.)"""
    done: set[str] = set()
    worded = False
    for entry in sorted(entries, key=lambda e: (e.recorded_at or e.at, e.id)):
        key = entry.step_key or ""
        undo = key.startswith(UNDO_PREFIX)
        step = key[len(UNDO_PREFIX):] if undo else key
        if step.rsplit("/", 1)[-1] in NOTIFIED_STEPS:
            (done.discard if undo else done.add)(step)
        elif not key and entry.kind in REPORTED_KINDS and "notif" in (getattr(entry, "text", "") or "").lower():
            worded = True
    return bool(done) or worded


def current_attention(now: datetime) -> list[rules.AttentionItem]:
    """The whole list for this moment, with the warning windows from the settings.

    Kept between calls (data/attention_cache.py): after a change only what it touched
    is read and worked out again. The same list as rules.attention_list(gather(today),
    today, windows(), now), which is what it does when nothing can be kept (no vault
    open, or inside a transaction that may yet be rolled back)."""
    from .attention_cache import attention_cache

    today = now.date()
    with collector_paused():
        cache = attention_cache()
        if cache is None:
            return rules.attention_list(gather(today), today, windows(), now)
        return cache.attention(today, now)


def keep_attention(now: datetime) -> bool:
    """Keep the list, as it is at `now`, in the vault (data/kept_attention.py), so the
    next opening starts from it; returns whether anything was written (and saved).
    For a writable vault only. All at once: the app does the same in three steps
    (plan_keep, KeepPlan.make_ready in a worker, apply_keep), off the path to the
    first paint: the first time, asking the rules about the week ahead takes a while."""
    plan = plan_keep(now)
    if plan is None:
        return False
    plan.make_ready()
    return apply_keep(plan)


def plan_keep(now: datetime):
    """What keep_attention would write (an attention_cache.KeepPlan), or None."""
    from .attention_cache import attention_cache

    with collector_paused():
        cache = attention_cache()
        if cache is None:
            return None
        cache.attention(now.date(), now)
        return cache.plan_keep(now.date())


def apply_keep(plan) -> bool:
    """Write a plan made ready (KeepPlan.make_ready); False when the vault it was made
    for is no longer the one open, or nothing of it still holds."""
    with collector_paused():
        return plan.cache.apply_keep(plan)


# --------------------------------------------------------------------------- in-place acts


def confirm_site_contacts(site_id: int, today: date) -> int:
    """Mark every contact in post at the site as confirmed today; returns how many."""
    in_post = contact_queries.contacts_on(site_id, today)
    with change():
        for contact in in_post:
            Contact.update(confirmed_on=today).where(Contact.id == contact.id).execute()
    return len(in_post)


def mark_authority_verified(authority_id: int, today: date) -> None:
    with change():
        LocalAuthority.update(verified_on=today).where(LocalAuthority.id == authority_id).execute()


def record_artwork_disposed(client_id: int, day: date) -> None:
    client = Client.get_by_id(client_id)
    with change():
        DisposalLog.create(reference=client.reference, disposed_on=day, what=ARTWORK)
