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

How it is read, and kept (issue 7: at most 50 ms on the large vault, and no cost that
grows faster than the data):
- Plain SQL returning tuples, only the columns in READS, one query per table (never
  one per site or concern); dates are converted once per distinct text. Building a
  peewee model object per row was most of the cost.
- The inputs come in groups (GROUPS), each reading a known set of tables. The list a
  connection last computed is kept (AttentionCache): data/changes.py counts the
  changes to those tables, and a group whose tables did not change keeps its inputs
  and items. The concern group goes further: a change to a concern, its chronology or
  its actions recomputes that concern only. A new day or new warning windows
  recompute the items; a lock, another vault, or a change of schema drops it all.
- `gather()` always reads everything afresh (the cold figure the benchmark measures).
"""

from __future__ import annotations

from collections import namedtuple
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, Callable, Iterable, Mapping, Sequence

from peewee import DateField, DateTimeField

from ..rules import attention as rules
from ..rules.concerns import CHASE_PREFIX
from ..rules.policy import PolicySignature, PolicyVersion
from ..rules.visits import visits_on
from . import concerns as concern_queries
from . import contacts as contact_queries
from .models import (
    Client,
    Contact,
    DisposalLog,
    LocalAuthority,
    Site,
    change,
    database,
)
from .settings import get_setting

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


def _chunks(ids: Sequence[Any], size: int = 500) -> Iterable[Sequence[Any]]:
    for start in range(0, len(ids), size):
        yield ids[start : start + size]


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

    def __init__(self, today: date):
        self.today = today
        self._sites: dict[int, SiteRow] | None = None
        self._active: list[SiteRow] | None = None
        self._nations: dict[int, str] | None = None
        self._contacts: list[ContactRow] | None = None

    @property
    def sites(self) -> dict[int, SiteRow]:
        if self._sites is None:
            self._sites = {row[0]: _site_row(row) for row in _select("site")}
        return self._sites

    @property
    def active_sites(self) -> list[SiteRow]:
        """Sites not archived, by name (as the lists show them)."""
        if self._active is None:
            self._active = sorted((s for s in self.sites.values() if not s.archived), key=lambda s: s.name)
        return self._active

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
            # Sorted here rather than by SQL: half the cost on a large vault. Python
            # compares text by code point as SQLite's BINARY collation does (UTF-8).
            rows = _select("contact")
            rows.sort(key=lambda r: (r[1], r[2], r[3]))
            self._contacts = [_contact_row(r) for r in rows]
        return self._contacts


# --------------------------------------------------------------------------- the groups


def _read_training(reader: _Reader) -> dict[str, tuple]:
    """Training, with the active sites that require each kind; the sites' requirements."""
    sites = reader.sites
    records_by_kind: dict[int, list[tuple]] = {}
    for id_, kind_id, completed, expires in _select("training_record", ("id", "kind_id", "completed", "expires")):
        records_by_kind.setdefault(kind_id, []).append((id_, _day(completed), _day(expires)))
    records_tuple = {kind_id: tuple((c, e) for _, c, e in rows) for kind_id, rows in records_by_kind.items()}
    kinds = {row[0]: row for row in _select("training_kind")}
    required: dict[int, list[str]] = {}
    requirements = []
    for id_, site_id, kind_id, max_age in _select("requirement"):
        site = sites.get(site_id)
        if site is None or site.archived:
            continue
        _, code, name = kinds[kind_id]
        required.setdefault(kind_id, []).append(site.name)
        requirements.append(
            rules.RequirementInput(
                requirement_id=id_,
                site_id=site_id,
                site_name=site.name,
                kind_code=code,
                kind_name=name,
                max_age_months=max_age,
                records=records_tuple.get(kind_id, ()),
                needed_since=site.created_on,
            )
        )
    training = []
    for kind_id, code, name in sorted(kinds.values(), key=lambda k: k[2]):
        records = records_by_kind.get(kind_id)
        if not records:
            continue
        training.append(
            rules.TrainingInput(
                kind_code=code,
                kind_name=name,
                records=tuple(rules.TrainingRecordInput(*r) for r in records),
                required_by=tuple(sorted(required.get(kind_id, []))),
            )
        )
    return {"training": tuple(training), "requirements": tuple(requirements)}


def _read_policies(reader: _Reader) -> dict[str, tuple]:
    by_site: dict[int, list[tuple]] = {}
    for row in _select("policy", order="recorded_on DESC, id DESC"):
        id_, site_id, version, dated, review_due, signed_on, recorded_on = row
        by_site.setdefault(site_id, []).append(
            (id_, version, _day(dated), _day(review_due), _day(signed_on), _day(recorded_on))
        )
    policies = []
    for site in reader.active_sites:
        rows = by_site.get(site.id, [])
        latest = rows[0] if rows else None
        signed = [p for p in rows if p[4] is not None]
        signature = max(signed, key=lambda p: (p[4], p[0])) if signed else None
        policies.append(
            rules.PolicyInput(
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
        )
    return {"policies": tuple(policies)}


def _read_site_contacts(reader: _Reader) -> dict[str, tuple]:
    today = reader.today
    in_post: dict[int, list[rules.ContactInput]] = {}
    for c in reader.contacts:
        if c.from_date <= today and (c.to_date is None or c.to_date >= today):
            in_post.setdefault(c.site_id, []).append(rules.ContactInput(c.id, c.role, c.name, c.from_date, c.confirmed_on))
    return {
        "site_contacts": tuple(
            rules.SiteContactsInput(
                site_id=site.id,
                site_name=site.name,
                site_kind=site.kind,
                contacts=tuple(in_post.get(site.id, ())),
                needed_since=site.created_on,
            )
            for site in reader.active_sites
        )
    }


def _read_concern_actions(reader: _Reader) -> dict[str, tuple]:
    # A concern awaiting its outcome carries an action to chase it (data/concerns.py):
    # that action is the "outcome awaited" item (the concern group reads it), not a
    # second, generic one.
    sql = (
        "SELECT a.id, a.concern_id, a.description, a.owner, a.due, c.status, c.reference, c.site_id "
        'FROM "action" a LEFT JOIN "concern" c ON c.id = a.concern_id '
        "WHERE a.done_on IS NULL AND a.due IS NOT NULL"
    )
    sites = reader.sites
    found = []
    for id_, concern_id, description, owner, due, status, reference, site_id in database.execute_sql(sql).fetchall():
        has_concern = concern_id is not None
        if has_concern and status in ("closed", "draft"):
            continue
        if has_concern and description.startswith(CHASE_PREFIX):
            continue
        site = sites.get(site_id) if has_concern else None
        found.append(
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
    return {"concern_actions": tuple(found)}


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


def _read_consents(reader: _Reader) -> dict[str, tuple]:
    today = reader.today
    sql = (
        "SELECT co.id, co.client_id, co.purpose, co.given_on, co.reviewed_on, co.withdrawn_on, "
        "cl.reference, cl.site_id, cl.therapy_start, cl.therapy_end "
        'FROM "consent" co JOIN "client" cl ON cl.id = co.client_id'
    )
    sites = reader.sites
    consents = []
    for (id_, client_id, purpose, given_on, reviewed_on, withdrawn_on, reference, site_id, start, end) in (
        database.execute_sql(sql).fetchall()
    ):
        withdrawn_on = _day(withdrawn_on)
        if withdrawn_on is not None and withdrawn_on <= today:
            continue
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
    return {"consents": tuple(consents)}


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


@dataclass(frozen=True)
class ConcernItems:
    """One open concern's inputs: its procedure steps, its outcome and its serious-
    incident notification when they apply."""

    steps: tuple[rules.ProcedureStepInput, ...] = ()
    outcome: rules.OutcomeInput | None = None
    serious: rules.SeriousIncidentInput | None = None


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
            for chunk in _chunks(list(ids)):
                rows += _select("concern", where=f"id IN ({_marks(chunk)}) AND status IN ({_marks(OPEN_STATUSES)})",
                                params=(*chunk, *OPEN_STATUSES))
            scope = [r[0] for r in rows]
        self.concerns = [_concern_row(r) for r in rows]
        self._scope = scope  # None: every open concern

        # Per concern: the last referral, outcome and action/sharing entry (max of the
        # stored text, which sorts as the moment does, as the old ORDER BY at did).
        self.last: dict[tuple[int, str], Any] = {}
        for concern_id, kind, at in self._entries(
            "concern_id, kind, max(at)", f"kind IN ({_marks(OUTCOME_KINDS)})", OUTCOME_KINDS,
            group="concern_id, kind",
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

    def _entries(self, columns: str, where: str, params: Sequence[Any], group: str = "", order: str = "") -> list[tuple]:
        tail = (f" GROUP BY {group}" if group else "") + (f" ORDER BY {order}" if order else "")
        if self._scope is None:
            # Every open concern: one pass over the table beats an index search per
            # concern (the unary + keeps SQLite from using the index).
            sql = (f'SELECT {columns} FROM "chronology_entry" WHERE {where} AND +concern_id IN '
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
        sites = reader.sites
        if self._scope is None:
            contacts = reader.contacts
        else:
            site_ids = sorted({c.site_id for c in self.concerns if c.site_id is not None})
            contacts = []
            for chunk in _chunks(site_ids):
                contacts += [_contact_row(r) for r in _select("contact", where=f"site_id IN ({_marks(chunk)})",
                                                              params=chunk, order="site_id, role, name")]
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
        return concern_queries.Preloaded(
            sites=sites,
            authorities={row[0]: _authority_row(row) for row in _select("local_authority")},
            organisations={row[0]: OrganisationRow(*row) for row in _select("organisation")},
            contacts={site_id: tuple(rows) for site_id, rows in by_site.items()},
            national=national,
            clients=clients,
            entries=self.step_entries,
        )

    # -- the items ----------------------------------------------------------------------

    def items(self, memo: dict | None = None) -> dict[int, ConcernItems]:
        """Each concern's items, by id. `memo` (kept by the caller between computations)
        holds each concern's procedure steps by everything they are resolved from."""
        if not self.concerns:
            return {}
        reader = self.reader
        templates = concern_queries.load_all_templates()
        pre = self.preloaded()
        found = {}
        for concern in self.concerns:
            site = reader.sites.get(concern.site_id) if concern.site_id else None
            site_name = site.name if site else ""
            steps = None
            if memo is not None:
                key = _procedure_key(concern, site, pre, templates)
                steps = memo.get(key)
            if steps is None:
                steps = _procedure_steps(concern, site_name, templates, pre)
                if memo is not None:
                    memo[key] = steps
            found[concern.id] = ConcernItems(steps, self._outcome(concern, site), self._serious(concern, site_name))
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


def _procedure_steps(concern, site_name: str, templates, pre) -> tuple[rules.ProcedureStepInput, ...]:
    """The concern's procedure steps with a deadline that are not done. The procedure is
    resolved as the concern screen resolves it (procedure_for), from data loaded once
    for every concern: no query per concern."""
    procedure = concern_queries.procedure_for(concern, templates, pre)
    found = []
    for state in procedure.steps:
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


def _concern_fields(by_concern: Iterable[ConcernItems]) -> dict[str, tuple]:
    steps: list[rules.ProcedureStepInput] = []
    outcomes = []
    serious = []
    for items in by_concern:
        steps += items.steps
        if items.outcome is not None:
            outcomes.append(items.outcome)
        if items.serious is not None:
            serious.append(items.serious)
    return {"procedure_steps": tuple(steps), "outcomes": tuple(outcomes), "serious_incidents": tuple(serious)}


def _read_concerns(reader: _Reader) -> dict[str, tuple]:
    return _concern_fields(_ConcernReader(reader).items().values())


@dataclass(frozen=True)
class Group:
    """Some of the attention list's inputs (AttentionInputs fields) and the tables they
    are read from: while none of those tables changes, the group's inputs stand."""

    name: str
    fields: tuple[str, ...]
    tables: tuple[str, ...]
    read: Callable[[_Reader], dict[str, tuple]]


GROUPS: tuple[Group, ...] = (
    Group("training", ("training", "requirements"), ("training_record", "training_kind", "requirement", "site"),
          _read_training),
    Group("policies", ("policies",), ("policy", "site"), _read_policies),
    Group("site_contacts", ("site_contacts",), ("contact", "site"), _read_site_contacts),
    Group("concern_actions", ("concern_actions",), ("action", "concern", "site"), _read_concern_actions),
    # Keyed by concern: see AttentionCache. CONCERN_KEYED are the tables whose changes
    # name the concern they touch.
    Group("concerns", ("procedure_steps", "outcomes", "serious_incidents"),
          ("concern", "chronology_entry", "action", "site", "contact", "local_authority", "organisation",
           "national_contact", "client", "procedure_template"), _read_concerns),
    Group("complaints", ("complaints",), ("complaint", "complaint_stage", "site", "local_authority"), _read_complaints),
    Group("consents", ("consents",), ("consent", "client", "site"), _read_consents),
    Group("retention", ("retention",), ("client", "disposal_log"), _read_retention),
    Group("data_requests", ("data_requests",), ("data_request", "client", "site", "local_authority"),
          _read_data_requests),
    Group("authorities", ("authorities",), ("local_authority", "site"), _read_authorities),
)
CONCERN_KEYED = {"concern": "id", "chronology_entry": "concern_id", "action": "concern_id"}


def gather(today: date) -> rules.AttentionInputs:
    """Every input of the attention list, read afresh (nothing kept)."""
    reader = _Reader(today)
    fields: dict[str, tuple] = {}
    for group in GROUPS:
        fields.update(group.read(reader))
    return rules.AttentionInputs(**fields)


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
    """The whole list for this moment, with the warning windows from the settings."""
    today = now.date()
    return rules.attention_list(gather(today), today, windows(), now)


# --------------------------------------------------------------------------- today's visits


@dataclass(frozen=True)
class Visit:
    site_id: int
    site_name: str
    site_kind: str
    dsl_name: str
    dsl_phone: str
    recording_system: str


def _sites_visited(day: date) -> list[Site]:
    try:
        from .sites import todays_visits as sites_visited  # the sites screens' own rota query
    except ImportError:  # pragma: no cover - only before data/sites.py exists
        sites_visited = None
    if sites_visited is not None:
        return sites_visited(day)
    found = []
    for site in _active_sites():
        try:
            if site.visit_rule and visits_on(site.visit_rule, site.visit_start or site.created_on, day):
                found.append(site)
        except ValueError:
            continue
    return found


def todays_visits(day: date) -> list[Visit]:
    """The sites visited on `day` (data/sites.py's rota query), each with the DSL in
    post that day and how the site wants concerns recorded."""
    found = []
    for site in _sites_visited(day):
        dsl = contact_queries.current(site, "dsl", day)
        found.append(Visit(site.id, site.name, site.kind, dsl.name if dsl else "", dsl.phone if dsl else "",
                           site.recording_system))
    return found


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
