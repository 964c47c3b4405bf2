"""What the attention list is made from: the vault's records as plain values.

rules/attention.py is pure; this module reads the models and hands it the input
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
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from peewee import JOIN

from ..rules import attention as rules
from ..rules.concerns import CHASE_PREFIX
from ..rules.policy import PolicySignature, PolicyVersion
from ..rules.visits import visits_on
from . import concerns as concern_queries
from . import contacts as contact_queries
from .models import (
    Action,
    ChronologyEntry,
    Client,
    Complaint,
    ComplaintStage,
    Concern,
    Consent,
    Contact,
    DataRequest,
    DisposalLog,
    LocalAuthority,
    Policy,
    Requirement,
    Site,
    TrainingKind,
    TrainingRecord,
    change,
)
from .settings import get_setting

ARTWORK = "artwork"
NOTIFIED_STEPS = ("notification-form", "email-form")
UNDO_PREFIX = "undo:"  # as data/concerns.py marks a step undone
CLOSED_REQUEST_STATUSES = ("completed", "closed", "refused", "done")
CONSENT_AHEAD_DAYS = 90


def windows() -> rules.Windows:
    return rules.Windows(
        training_days=int(get_setting("warn_days_training")),
        other_days=int(get_setting("warn_days_other")),
    )


def _active_sites() -> list[Site]:
    return list(Site.select().where(Site.archived == False).order_by(Site.name))  # noqa: E712


def _nations() -> dict[int, str]:
    return {la.id: la.nation for la in LocalAuthority.select(LocalAuthority.id, LocalAuthority.nation)}


def _nation(site: Site | None, nations: dict[int, str] | None = None) -> str | None:
    if site is None or site.local_authority_id is None:
        return None
    if nations is not None:
        return nations.get(site.local_authority_id) or None
    return site.local_authority.nation or None


def gather(today: date) -> rules.AttentionInputs:
    # One query per table, grouped here: a query per site or per concern made this
    # take seconds on a large vault (measured: 3,378 queries, 4.2 s on 500 sites).
    sites = _active_sites()
    site_ids = {s.id for s in sites}
    sites_by_id = {s.id: s for s in Site.select()}
    nations = _nations()

    # Training, with the active sites that require each kind.
    records_by_kind: dict[int, list[TrainingRecord]] = {}
    for record in TrainingRecord.select(
        TrainingRecord.id, TrainingRecord.kind, TrainingRecord.completed, TrainingRecord.expires
    ).namedtuples():
        records_by_kind.setdefault(record.kind, []).append(record)
    records_tuple = {kind_id: tuple((r.completed, r.expires) for r in rows) for kind_id, rows in records_by_kind.items()}
    required: dict[int, list[str]] = {}
    requirements = []
    kinds = {k.id: k for k in TrainingKind.select()}
    for req in Requirement.select().namedtuples():
        site = sites_by_id.get(req.site)
        if req.site not in site_ids or site is None:
            continue
        kind = kinds[req.kind]
        required.setdefault(req.kind, []).append(site.name)
        requirements.append(
            rules.RequirementInput(
                requirement_id=req.id,
                site_id=req.site,
                site_name=site.name,
                kind_code=kind.code,
                kind_name=kind.name,
                max_age_months=req.max_age_months,
                records=records_tuple.get(req.kind, ()),
                needed_since=site.created_on,
            )
        )
    training = []
    for kind in sorted(kinds.values(), key=lambda k: k.name):
        records = records_by_kind.get(kind.id)
        if not records:
            continue
        training.append(
            rules.TrainingInput(
                kind_code=kind.code,
                kind_name=kind.name,
                records=tuple(rules.TrainingRecordInput(r.id, r.completed, r.expires) for r in records),
                required_by=tuple(sorted(required.get(kind.id, []))),
            )
        )

    policies_by_site: dict[int, list[Policy]] = {}
    for policy in Policy.select().order_by(Policy.recorded_on.desc(), Policy.id.desc()):
        policies_by_site.setdefault(policy.site_id, []).append(policy)
    # Every contact (any dates) once: today's are the ones in post, and the concerns'
    # procedures below need the ones in post on each concern's date.
    all_contacts = list(Contact.select().order_by(Contact.site, Contact.role, Contact.name).namedtuples())
    in_post_by_site: dict[int, list[Contact]] = {}
    for contact in all_contacts:
        if contact.from_date <= today and (contact.to_date is None or contact.to_date >= today):
            in_post_by_site.setdefault(contact.site, []).append(contact)
    policies = []
    site_contacts = []
    for site in sites:
        rows = policies_by_site.get(site.id, [])
        latest = rows[0] if rows else None
        signed = [p for p in rows if p.signed_on is not None]
        signature = max(signed, key=lambda p: (p.signed_on, p.id)) if signed else None
        policies.append(
            rules.PolicyInput(
                site_id=site.id,
                site_name=site.name,
                site_kind=site.kind,
                resign_interval_months=site.resign_interval_months,
                policy_id=latest.id if latest else None,
                latest=PolicyVersion(latest.version, latest.dated, latest.review_due) if latest else None,
                signature=PolicySignature(signature.signed_on, signature.version) if signature else None,
                recorded_on=latest.recorded_on if latest else None,
                needed_since=site.created_on,
            )
        )
        in_post = in_post_by_site.get(site.id, [])
        site_contacts.append(
            rules.SiteContactsInput(
                site_id=site.id,
                site_name=site.name,
                site_kind=site.kind,
                contacts=tuple(
                    rules.ContactInput(c.id, c.role, c.name, c.from_date, c.confirmed_on) for c in in_post
                ),
                needed_since=site.created_on,
            )
        )

    # A concern awaiting its outcome carries an action to chase it (data/concerns.py):
    # that action is the "outcome awaited" item, not a second, generic one.
    chases: dict[int, date] = {}
    concern_actions = []
    query = (
        Action.select(Action, Concern)
        .join(Concern, JOIN.LEFT_OUTER)
        .where(Action.done_on.is_null() & Action.due.is_null(False))
    )
    for action in query:
        concern = action.concern
        if concern is not None and concern.status in ("closed", "draft"):
            continue
        if concern is not None and action.description.startswith(CHASE_PREFIX):
            chases[concern.id] = min(action.due, chases.get(concern.id, action.due))
            continue
        concern_actions.append(
            rules.ConcernActionInput(
                action_id=action.id,
                concern_id=concern.id if concern else None,
                concern_reference=concern.reference if concern else "",
                site_name=sites_by_id[concern.site_id].name if concern is not None and concern.site_id in sites_by_id else "",
                description=action.description,
                owner=action.owner,
                due=action.due,
            )
        )

    outcomes = []
    serious = []
    open_concerns = list(Concern.select().where(Concern.status.in_(("open", "awaiting_outcome"))))
    entries_by_concern: dict[int, list[ChronologyEntry]] = {}
    if open_concerns:
        open_ids = [c.id for c in open_concerns]
        for start in range(0, len(open_ids), 500):
            chunk = open_ids[start : start + 500]
            # Only the entries the outcome and notification checks read, as plain rows:
            # building a model object per entry was most of the cost.
            query = (
                ChronologyEntry.select(
                    ChronologyEntry.id, ChronologyEntry.concern, ChronologyEntry.at, ChronologyEntry.recorded_at,
                    ChronologyEntry.kind, ChronologyEntry.step_key, ChronologyEntry.text,
                )
                .where(
                    ChronologyEntry.concern.in_(chunk)
                    & (ChronologyEntry.kind.in_(("referral", "outcome", "action_taken", "information_shared"))
                       | (ChronologyEntry.step_key != ""))
                )
                .order_by(ChronologyEntry.at)
                .namedtuples()
            )
            for entry in query:
                entries_by_concern.setdefault(entry.concern, []).append(entry)
    for concern in open_concerns:
        entries = entries_by_concern.get(concern.id, [])
        site = sites_by_id.get(concern.site_id) if concern.site_id else None
        site_name = site.name if site else ""
        referrals = [e for e in entries if e.kind == "referral"]
        last_referral = referrals[-1] if referrals else None
        outcome_after = last_referral is not None and any(
            e.kind == "outcome" and e.at >= last_referral.at for e in entries
        )
        awaited = concern.status == "awaiting_outcome" or (last_referral is not None and not outcome_after)
        if awaited or concern.id in chases:
            reported = last_referral or next(
                (e for e in reversed(entries) if e.kind in ("action_taken", "information_shared")), None
            )
            reported_on = reported.at.date() if reported else concern.created_at.date()
            outcomes.append(
                rules.OutcomeInput(
                    concern.id, concern.reference, site_name, reported_on, concern.outcome_chase_days,
                    nation=_nation(site, nations), chase_due=chases.get(concern.id),
                )
            )
        if concern.kind == "serious_incident" and not _notified(entries):
            noticed = concern.noticed_at or concern.occurred_at or concern.created_at
            serious.append(rules.SeriousIncidentInput(concern.id, concern.reference, site_name, noticed))
    procedure_steps = _procedure_steps(open_concerns, sites_by_id, all_contacts, entries_by_concern)

    complaints = []
    open_complaints = list(Complaint.select().where(Complaint.resolved_on.is_null() & Complaint.resolved_stage.is_null()))
    stages_by_complaint: dict[int, list[ComplaintStage]] = {}
    if open_complaints:
        for stage in ComplaintStage.select().where(ComplaintStage.complaint.in_([c.id for c in open_complaints])).order_by(ComplaintStage.stage):
            stages_by_complaint.setdefault(stage.complaint_id, []).append(stage)
    for complaint in open_complaints:
        stages = stages_by_complaint.get(complaint.id, [])
        complaints.append(
            rules.ComplaintInput(
                complaint_id=complaint.id,
                reference=complaint.reference,
                received_on=complaint.received_on,
                acknowledged_on=complaint.acknowledged_on,
                nation=_nation(sites_by_id.get(complaint.site_id), nations),
                stages=tuple(rules.ComplaintStageInput(s.stage, s.began_on, s.responded_on) for s in stages),
            )
        )

    consents = []
    for consent in Consent.select(Consent, Client).join(Client):
        if consent.withdrawn_on is not None and consent.withdrawn_on <= today:
            continue
        client = consent.client
        site = sites_by_id.get(client.site_id) if client.site_id else None
        consents.append(
            rules.ConsentInput(
                consent_id=consent.id,
                client_id=client.id,
                client_reference=client.reference,
                purpose=consent.purpose,
                given_on=consent.given_on,
                reviewed_on=consent.reviewed_on,
                withdrawn_on=consent.withdrawn_on,
                in_school=site is not None and site.kind == "school",
                therapy_starts=_new_periods(consent.given_on, client.therapy_start),
                therapy_end=client.therapy_end,
            )
        )

    artwork_done = {
        row.reference: row.disposed_on for row in DisposalLog.select().where(DisposalLog.what == ARTWORK)
    }
    retention = [
        rules.RetentionInput(
            client_id=client.id,
            reference=client.reference,
            client_type=client.client_type,
            date_of_birth=client.date_of_birth,
            therapy_end=client.therapy_end,
            artwork_disposed_on=artwork_done.get(client.reference),
        )
        for client in Client.select().where(Client.therapy_end.is_null(False))
    ]

    data_requests = []
    for request in DataRequest.select(DataRequest, Client).join(Client, JOIN.LEFT_OUTER).where(DataRequest.completed_on.is_null()):
        if (request.status or "").strip().lower() in CLOSED_REQUEST_STATUSES:
            continue
        client = request.client if request.client_id else None
        data_requests.append(
            rules.DataRequestInput(
                request_id=request.id,
                client_reference=client.reference if client else "",
                kind=request.kind,
                received_on=request.received_on,
                nation=_nation(sites_by_id.get(client.site_id) if client is not None and client.site_id else None, nations),
                extended=(request.status or "").strip().lower() == "extended",
            )
        )

    used: dict[int, list[Site]] = {}
    for site in sites:
        if site.local_authority_id is not None:
            used.setdefault(site.local_authority_id, []).append(site)
    authorities = [
        rules.AuthorityInput(
            authority_id=la.id,
            name=la.name,
            verified_on=la.verified_on,
            needed_since=min(s.created_on for s in used[la.id]),
            used_by=tuple(s.name for s in used[la.id]),
        )
        for la in LocalAuthority.select().where(LocalAuthority.id.in_(list(used)))
    ] if used else []

    return rules.AttentionInputs(
        training=tuple(training),
        requirements=tuple(requirements),
        policies=tuple(policies),
        site_contacts=tuple(site_contacts),
        concern_actions=tuple(concern_actions),
        procedure_steps=tuple(procedure_steps),
        outcomes=tuple(outcomes),
        serious_incidents=tuple(serious),
        complaints=tuple(complaints),
        consents=tuple(consents),
        retention=tuple(retention),
        data_requests=tuple(data_requests),
        authorities=tuple(authorities),
    )


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


def _procedure_steps(concerns, sites_by_id, all_contacts, entries_by_concern) -> list[rules.ProcedureStepInput]:
    """The open concerns' procedure steps with a deadline that are not done. The
    procedure is resolved per concern (as the concern screen does) from data loaded
    once for all of them: no query per concern."""
    if not concerns:
        return []
    templates = concern_queries.load_all_templates()
    pre = concern_queries.preload(concerns, sites=sites_by_id, contacts=all_contacts, entries=entries_by_concern)
    found = []
    for concern in concerns:
        site = sites_by_id.get(concern.site_id) if concern.site_id else None
        procedure = concern_queries.procedure_for(concern, templates, pre)
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
                    site_name=site.name if site else "",
                    step_title=resolved.step.title,
                    due=resolved.due,
                    contact_name=who.name if who is not None else "",
                    contact_phone=who.phone if who is not None else "",
                    due_text=resolved.due_text,
                )
            )
    return found


def _notified(entries: list[ChronologyEntry]) -> bool:
    """Whether the serious-incident notification was made. Steps are recorded as
    "route/step" (data/concerns.py), and a step marked done by mistake is undone by a
    later entry "undo:route/step", so entries are read in order."""
    done: set[str] = set()
    worded = False
    for entry in sorted(entries, key=lambda e: (e.recorded_at or e.at, e.id)):
        key = entry.step_key or ""
        undo = key.startswith(UNDO_PREFIX)
        step = key[len(UNDO_PREFIX):] if undo else key
        if step.rsplit("/", 1)[-1] in NOTIFIED_STEPS:
            (done.discard if undo else done.add)(step)
        elif not key and entry.kind in ("action_taken", "information_shared") and "notif" in (entry.text or "").lower():
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
