"""The attention list: everything with a due date, most urgent first (DESIGN.md, "At launch").

Pure: plain values in (the input dataclasses below, gathered from the vault by
data/attention_inputs.py), plain values out. Each item has its kind, its subject, its
due date, a severity and the action to take, and points at the record (table and id)
where the practitioner acts on it.

Sources and the seeds they come from:
- training expiry (003: safeguarding at least every three years, certificates kept);
- site requirements unmet: a kind a site requires and I have never done, or a site's
  shorter maximum age (003: Prevent "in line with" each establishment);
- policies to re-sign (003: read and sign each establishment's policy; rules/policy.py);
- site contacts not confirmed this academic year (003: know each establishment's
  designated lead; schools from 1 September, other sites every 12 months);
- concern actions overdue; the steps of an open concern's procedure that have a
  deadline and are not done (tell the site's DSL immediately, refer the same day,
  within N working days ...); outcomes awaited (chased after N working days); the
  serious-incident notification within
  24 hours (002: further actions with timescales, follow up referrals, Notification of
  Serious Incident form within 24 hours);
- complaint acknowledgement (5 working days) and response (10 working days) in the
  bank holidays of the site's nation (004; rules/complaints.py);
- consent review (yearly) and refresh (two-yearly, or at a new period of therapy in a
  school) (001; rules/consent.py);
- retention: notes disposal and artwork disposal dates (001; rules/retention.py);
- data requests, one calendar month (001 + the ICO; rules/requests.py);
- local-authority entries not verified in 12 months (the shipped numbers go stale).

Conventions (the same as rules/validity.py and rules/policy.py): a due date is the
day by which to act; something due today is "due" (within the window), and it is
overdue from the day after. The windows are inclusive: with 30 days, something due in
exactly 30 days is due soon, in 31 days upcoming. Deadlines counted in hours (the
serious-incident notification) compare the moment, not the day.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from enum import StrEnum
from importlib import import_module
from itertools import chain
from typing import TYPE_CHECKING, Any


from sitecare.rules.complaints import acknowledgement_due, response_due
from sitecare.rules.consent import consent_status
from sitecare.rules.dates import academic_year_start, add_months, add_years, describe_distance, show_date
from sitecare.rules.policy import PolicyState, policy_status
from sitecare.rules.requests import request_due
from sitecare.rules.retention import artwork_disposal_date, notes_disposal_date
from sitecare.rules.validity import TrainingState, TrainingStatus, requirement_status
from sitecare.rules.words import listed, sentence
from sitecare.rules.workdays import DEFAULT_NATION, add_working_days

if TYPE_CHECKING:
    from sitecare.rules.attention_inputs import (
        TrainingRecordInput,
        TrainingInput,
        RequirementInput,
        PolicyInput,
        ContactInput,
        SiteContactsInput,
        ConcernActionInput,
        ProcedureStepInput,
        OutcomeInput,
        SeriousIncidentInput,
        ComplaintStageInput,
        ComplaintInput,
        ConsentInput,
        RetentionInput,
        DataRequestInput,
        AuthorityInput,
        AttentionInputs,
    )

__all__ = [
    "AttentionInputs",
    "AttentionItem",
    "AuthorityInput",
    "ComplaintInput",
    "ComplaintStageInput",
    "ConcernActionInput",
    "ConsentInput",
    "ContactInput",
    "DataRequestInput",
    "Kind",
    "KIND_LABELS",
    "OutcomeInput",
    "PolicyInput",
    "ProcedureStepInput",
    "RecordRef",
    "RequirementInput",
    "RetentionInput",
    "SeriousIncidentInput",
    "Severity",
    "SiteContactsInput",
    "TrainingInput",
    "TrainingRecordInput",
    "Windows",
    "attention_list",
    "merge",
    "order_key",
    "severity_span",
    "source_items",
    "items_by_row",
    "items_of",
    "entries_by_row",
    "DAY_DEPENDENT",
    "SOURCE_FIELDS",
    "contact_confirmation_due",
    "counts",
    "describe_due",
    "describe_due_with_date",
    "severity_for",
]

CONTACT_CONFIRM_MONTHS = 12
AUTHORITY_VERIFY_MONTHS = 12
SERIOUS_INCIDENT_HOURS = 24


class Severity(StrEnum):
    OVERDUE = "overdue"
    DUE_SOON = "due_soon"
    UPCOMING = "upcoming"


SEVERITY_LABELS = {
    Severity.OVERDUE: "Overdue",
    Severity.DUE_SOON: "Due soon",
    Severity.UPCOMING: "Upcoming",
}

_SEVERITY_RANK = {Severity.OVERDUE: 0, Severity.DUE_SOON: 1, Severity.UPCOMING: 2}


class Kind(StrEnum):
    TRAINING = "training_expiry"
    REQUIREMENT = "site_requirement"
    POLICY = "policy_resign"
    CONTACTS = "contact_confirmation"
    NO_DSL = "dsl_missing"
    CONCERN_ACTION = "concern_action"
    PROCEDURE_STEP = "procedure_step"
    OUTCOME = "outcome_awaited"
    SERIOUS_INCIDENT = "serious_incident_notification"
    COMPLAINT_ACK = "complaint_acknowledgement"
    COMPLAINT_RESPONSE = "complaint_response"
    CONSENT_REVIEW = "consent_review"
    CONSENT_REFRESH = "consent_refresh"
    NOTES_DISPOSAL = "notes_disposal"
    ARTWORK_DISPOSAL = "artwork_disposal"
    DATA_REQUEST = "data_request"
    AUTHORITY = "authority_verification"


KIND_LABELS = {
    Kind.TRAINING: "Training",
    Kind.REQUIREMENT: "Site requirement",
    Kind.POLICY: "Policy",
    Kind.CONTACTS: "Site contacts",
    Kind.NO_DSL: "Site DSL",
    Kind.CONCERN_ACTION: "Concern action",
    Kind.PROCEDURE_STEP: "Concern step",
    Kind.OUTCOME: "Outcome awaited",
    Kind.SERIOUS_INCIDENT: "Serious incident",
    Kind.COMPLAINT_ACK: "Complaint",
    Kind.COMPLAINT_RESPONSE: "Complaint",
    Kind.CONSENT_REVIEW: "Consent",
    Kind.CONSENT_REFRESH: "Consent",
    Kind.NOTES_DISPOSAL: "Retention",
    Kind.ARTWORK_DISPOSAL: "Artwork",
    Kind.DATA_REQUEST: "Data request",
    Kind.AUTHORITY: "Local authority",
}

# Kinds that use the training window; every other kind uses the "other" window.
TRAINING_WINDOW_KINDS = frozenset({Kind.TRAINING, Kind.REQUIREMENT})


@dataclass(frozen=True)
class Windows:
    """How many days ahead something counts as "due soon" (settings warn_days_*)."""

    training_days: int = 60
    other_days: int = 30

    def __post_init__(self) -> None:
        if self.training_days < 0 or self.other_days < 0:
            raise ValueError("a warning window must not be negative")

    def for_kind(self, kind: Kind) -> int:
        return self.training_days if kind in TRAINING_WINDOW_KINDS else self.other_days


@dataclass(frozen=True)
class RecordRef:
    """Where to act: a table name as the schema spells it, and the row's id."""

    table: str
    id: int


@dataclass(frozen=True)
class AttentionItem:
    """One thing to do. `subject` and `action` are short enough for one screen line and
    hold no free text typed about a person, so they may go into a calendar; `detail`
    may (a concern action's wording) and is for the screen only. `due_at` is set for
    deadlines counted in hours."""

    kind: Kind
    subject: str
    due: date
    severity: Severity
    action: str
    ref: RecordRef
    detail: str = ""
    due_at: datetime | None = None

    @property
    def label(self) -> str:
        return KIND_LABELS[self.kind]

    @property
    def what_to_do(self) -> str:
        """For the screen: a concern action's own wording, else the action."""
        if self.kind is Kind.CONCERN_ACTION and self.detail:
            return self.detail
        return self.action


# --------------------------------------------------------------------------- inputs

# The input dataclasses (TrainingInput ... AttentionInputs) live in rules/inputs_*.py
# and rules/attention_inputs.py, and are imported on first use, through this module as
# before: an opening that starts from the list kept in the vault builds none of them,
# one that reads a piece again only that piece's group's (making all seventeen frozen
# dataclasses cost 12 ms of a launch).
_INPUTS = {
    "TrainingRecordInput": "inputs_training",
    "TrainingInput": "inputs_training",
    "RequirementInput": "inputs_training",
    "PolicyInput": "inputs_sites",
    "ContactInput": "inputs_sites",
    "SiteContactsInput": "inputs_sites",
    "ConcernActionInput": "inputs_concerns",
    "ProcedureStepInput": "inputs_concerns",
    "OutcomeInput": "inputs_concerns",
    "SeriousIncidentInput": "inputs_concerns",
    "ComplaintStageInput": "inputs_whole",
    "ComplaintInput": "inputs_whole",
    "ConsentInput": "inputs_whole",
    "RetentionInput": "inputs_whole",
    "DataRequestInput": "inputs_whole",
    "AuthorityInput": "inputs_whole",
    "AttentionInputs": "attention_inputs",
}


def __getattr__(name: str) -> Any:
    module = _INPUTS.get(name)
    if module is not None:
        value = globals()[name] = getattr(import_module(f"{__package__}.{module}"), name)
        return value
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


# --------------------------------------------------------------------------- helpers


def severity_for(due: date, today: date, window_days: int) -> Severity:
    if due < today:
        return Severity.OVERDUE
    if (due - today).days <= window_days:
        return Severity.DUE_SOON
    return Severity.UPCOMING


def describe_due(item: AttentionItem, today: date, now: datetime | None = None) -> str:
    """'due today', 'due in 3 days', 'was due 2 days ago', 'due by 14:30 today' ..."""
    if item.due_at is not None and now is not None:
        if now > item.due_at:
            hours = int((now - item.due_at).total_seconds() // 3600)
            if hours < 48:
                return f"overdue since {item.due_at:%H:%M} {_day_word(item.due_at.date(), today)}"
            return f"overdue since {show_date(item.due_at.date())}"
        return f"due by {item.due_at:%H:%M} {_day_word(item.due_at.date(), today)}"
    if item.due == today:
        return "due today"
    distance = describe_distance(item.due, today)
    if item.due < today:
        return f"was due {distance}"
    return f"due {distance}"


def describe_due_with_date(item: AttentionItem, today: date, now: datetime | None = None) -> str:
    """describe_due with the date said once: 'due today, 23 Nov 2026', 'was due 2 days
    ago, 21 Nov 2026', 'due by 14:30 tomorrow, 24 Nov 2026', 'overdue since 11 Nov 2026'
    (the date already said). An item's details said "Due 23 Nov 2026 · due today"."""
    words = describe_due(item, today, now)
    day = item.due_at.date() if item.due_at is not None and now is not None else item.due
    shown = show_date(day)
    return words if shown in words else f"{words}, {shown}"


def _day_word(day: date, today: date) -> str:
    if day == today:
        return "today"
    if day == today + timedelta(days=1):
        return "tomorrow"
    if day == today - timedelta(days=1):
        return "yesterday"
    return show_date(day)


def contact_confirmation_due(site_kind: str, confirmed_on: date | None, from_date: date, today: date) -> date:
    """When a contact's details are next to be confirmed with the site.

    Schools change their staff by academic year, so a school contact confirmed on any
    day of a year is due again on the next 1 September (confirmed 31 Aug: due 1 Sep,
    the next day; confirmed 1 Sep: due a year later). Other sites: 12 months after the
    last confirmation.

    Never confirmed: due from the start of the period the rule asks about (this
    academic year's 1 September for a school, 12 months ago elsewhere), or from the
    day the contact started if that is later. A DSL recorded four years ago and never
    checked is "not confirmed this academic year", not "four years overdue".
    """
    school = (site_kind or "").strip().lower() == "school"
    return _confirmation_due(school, confirmed_on, from_date, _period_start(school, today))


def _period_start(school: bool, today: date) -> date:
    return academic_year_start(today) if school else add_months(today, -CONTACT_CONFIRM_MONTHS)


def _confirmation_due(school: bool, confirmed_on: date | None, from_date: date, period_start: date) -> date:
    if confirmed_on is None:
        return max(from_date, period_start)
    if school:
        return add_years(academic_year_start(confirmed_on), 1)
    return add_months(confirmed_on, CONTACT_CONFIRM_MONTHS)


# --------------------------------------------------------------------------- sources


def _training(inp: TrainingInput, today: date) -> list[tuple]:
    done = [r for r in inp.records if r.completed <= today]
    if not done:
        return []
    # The best record is the one that lasts longest; one without an expiry lasts for ever.
    best = max(done, key=lambda r: (r.expires is None, r.expires or date.min, r.completed))
    if best.expires is None:
        return []
    if best.expires < today:
        verb = "Renew: it has expired"
    else:
        verb = "Renew before it expires"
    action = verb + (f"; required by {listed(inp.required_by, 2)}" if inp.required_by else "")
    detail = f"Valid until {show_date(best.expires)} (completed {show_date(best.completed)})."
    return [(Kind.TRAINING, inp.kind_name, best.expires, action, RecordRef("training_record", best.id), detail)]


_REQUIREMENT_STATUS: dict[tuple, tuple[tuple, TrainingStatus]] = {}


def _requirement_status(max_age_months: int | None, records: tuple, today: date) -> TrainingStatus:
    # Many sites share a (kind, maximum age) pair and so the same answer: a practice
    # with 500 sites has a few dozen distinct pairs (measured: 879 calls -> 28). The
    # records of a kind are one tuple shared by its requirements, so the memo is keyed
    # by that tuple's identity: hashing a few hundred dates per call (lru_cache) cost
    # more than the answer. The entry holds the tuple, so its id is not reused while
    # the entry lives; an equal tuple that is another object is simply computed again.
    key = (max_age_months, id(records), today)
    hit = _REQUIREMENT_STATUS.get(key)
    if hit is not None and hit[0] is records:
        return hit[1]
    status = requirement_status(max_age_months, records, today, warn_days=0)
    if len(_REQUIREMENT_STATUS) >= 1024:
        _REQUIREMENT_STATUS.clear()
    _REQUIREMENT_STATUS[key] = (records, status)
    return status


def _requirement(inp: RequirementInput, today: date) -> list[tuple]:
    status = _requirement_status(inp.max_age_months, inp.records, today)
    subject = f"{inp.kind_name} for {inp.site_name}"
    ref = RecordRef("requirement", inp.requirement_id)
    if status.state is TrainingState.MISSING:
        return [(Kind.REQUIREMENT, subject, inp.needed_since, "Required by the site and not recorded: get it and log it", ref,
                 f"{inp.site_name} requires {inp.kind_name}; no record of it is in the vault.")]
    # When the certificate's own expiry decides, the training item already says it.
    if not status.limited_by_site or status.expires is None:
        return []
    months = inp.max_age_months
    action = f"Renew: the site wants it no older than {months} months"
    detail = (f"Completed {show_date(status.completed)}; {inp.site_name} accepts it until "
              f"{show_date(status.expires)}.")
    return [(Kind.REQUIREMENT, subject, status.expires, action, ref, detail)]


def _policy(inp: PolicyInput, today: date) -> list[tuple]:
    status = policy_status(inp.latest, inp.signature, inp.site_kind, inp.resign_interval_months, today)
    ref = RecordRef("policy", inp.policy_id) if inp.policy_id is not None else RecordRef("site", inp.site_id)
    if status.state is PolicyState.NO_POLICY:
        # Private practice rooms have no establishment policy of their own: the
        # organisation's procedure applies, so there is nothing to ask the site for.
        if (inp.site_kind or "").strip().lower() == "private_practice":
            return []
        return [(Kind.POLICY, inp.site_name, inp.needed_since,
                 "Ask for the safeguarding policy, read it and sign it", ref, "No policy is recorded for this site.")]
    if status.state is PolicyState.NEVER_SIGNED:
        return [(Kind.POLICY, inp.site_name, inp.recorded_on or inp.needed_since,
                 "Read and sign the safeguarding policy", ref, "The policy is recorded but not signed.")]
    assert status.due is not None
    if status.state is PolicyState.RESIGN_DUE:
        action = "Re-sign the safeguarding policy"
    else:
        action = "Re-sign the safeguarding policy when it falls due"
    return [(Kind.POLICY, inp.site_name, status.due, action, ref, sentence(status.line) + ".")]


def _contacts(inp: SiteContactsInput, today: date) -> list[tuple]:
    ref = RecordRef("site", inp.site_id)
    out = []
    # Private practice rooms have no DSL: the practitioner is the one who acts.
    private = (inp.site_kind or "").strip().lower() == "private_practice"
    if not private and not any(c.role == "dsl" for c in inp.contacts):
        out.append((Kind.NO_DSL, inp.site_name, inp.needed_since,
                    "Find out who the DSL is and record them", ref, "No Designated Safeguarding Lead is recorded."))
    if inp.contacts:
        school = (inp.site_kind or "").strip().lower() == "school"
        period_start = _period_start(school, today)
        dues = [(_confirmation_due(school, c.confirmed_on, c.from_date, period_start), c.name) for c in inp.contacts]
        due = min(d for d, _ in dues)
        waiting = sorted(name for d, name in dues if d == due)
        if due <= today and school:
            action = f"Confirm contact details for this academic year (since {show_date(academic_year_start(today))})"
        else:
            action = "Confirm the contacts' details with the site"
        out.append((Kind.CONTACTS, inp.site_name, due, action, ref, f"To confirm: {listed(waiting, 3)}."))
    return out


def _concern_action(inp: ConcernActionInput, today: date) -> list[tuple]:
    where = f" at {inp.site_name}" if inp.site_name else ""
    subject = f"{inp.concern_reference}{where}" if inp.concern_reference else f"Action{where}"
    table = ("action", inp.action_id)
    return [(Kind.CONCERN_ACTION, subject, inp.due, "Do the concern's next action", RecordRef(*table),
             inp.description + (f" (owner: {inp.owner})" if inp.owner and inp.owner.strip().lower() != "me" else ""))]


def _procedure_step(inp: ProcedureStepInput, today: date) -> list[tuple]:
    where = f" at {inp.site_name}" if inp.site_name else ""
    who = ", ".join(p for p in (inp.contact_name.strip(), inp.contact_phone.strip()) if p)
    action = f"{inp.step_title} ({who})" if who else inp.step_title
    detail = f"A step of the concern's procedure, {inp.due_text}." if inp.due_text else "A step of the concern's procedure."
    ref = RecordRef("concern", inp.concern_id)
    if isinstance(inp.due, datetime):
        return [(Kind.PROCEDURE_STEP, f"{inp.reference}{where}", inp.due.date(), action, ref, detail, inp.due)]
    return [(Kind.PROCEDURE_STEP, f"{inp.reference}{where}", inp.due, action, ref, detail)]


def _outcome(inp: OutcomeInput, today: date) -> list[tuple]:
    if inp.chase_due is not None:
        due = inp.chase_due
    else:
        due = add_working_days(inp.reported_on, max(inp.chase_days, 0), inp.nation or DEFAULT_NATION)
    where = f" at {inp.site_name}" if inp.site_name else ""
    return [(Kind.OUTCOME, f"{inp.reference}{where}", due, "Ask for the outcome and record it",
             RecordRef("concern", inp.concern_id), f"Reported {show_date(inp.reported_on)}; no outcome recorded yet.")]


def _serious_incident(inp: SeriousIncidentInput, today: date) -> list[tuple]:
    due_at = inp.noticed_at + timedelta(hours=SERIOUS_INCIDENT_HOURS)
    where = f" at {inp.site_name}" if inp.site_name else ""
    return [(Kind.SERIOUS_INCIDENT, f"{inp.reference}{where}", due_at.date(),
             "Send the Notification of Serious Incident form (within 24 hours)",
             RecordRef("concern", inp.concern_id),
             # A concern whose routes lack the notification step can still clear it: a
             # new-user trial found no way to, on such a record.
             f"Noticed {inp.noticed_at:%H:%M} on {show_date(inp.noticed_at.date())}. Done once the record "
             "has the notification step ticked, or an action or sharing entry saying it was notified.",
             due_at)]


def _complaint(inp: ComplaintInput, today: date) -> list[tuple]:
    if inp.resolved:
        return []
    ref = RecordRef("complaint", inp.complaint_id)
    out = []
    if inp.acknowledged_on is None:
        due = acknowledgement_due(inp.received_on, inp.nation)
        out.append((Kind.COMPLAINT_ACK, inp.reference, due, "Acknowledge the complaint in writing (5 working days)",
                    ref, f"Received {show_date(inp.received_on)}."))
    for stage in inp.stages:
        if stage.responded_on is not None:
            continue
        due = response_due(stage.stage, stage.began_on, inp.nation)
        if due is None:
            continue
        out.append((Kind.COMPLAINT_RESPONSE, f"{inp.reference} stage {stage.stage}", due,
                    "Respond to the complaint (10 working days)", ref,
                    f"Stage {stage.stage} began {show_date(stage.began_on)}."))
    return out


def _consent(inp: ConsentInput, today: date) -> list[tuple]:
    # Once therapy has ended there is no processing left to review or refresh consent
    # for; the retention dates take over.
    if inp.therapy_end is not None and inp.therapy_end < today:
        return []
    status = consent_status(
        inp.given_on, today, reviewed_on=inp.reviewed_on, withdrawn_on=inp.withdrawn_on,
        in_school=inp.in_school, therapy_starts=inp.therapy_starts,
    )
    if status.review_due is None or status.refresh_due is None:
        return []  # withdrawn
    ref = RecordRef("consent", inp.consent_id)
    subject = f"{inp.client_reference} ({inp.purpose})"
    why = "a new period of therapy" if status.refresh_reason == "new_therapy_period" else "every two years"
    out = [(Kind.CONSENT_REFRESH, subject, status.refresh_due, f"Ask for consent again ({why})", ref, status.line)]
    # A refresh is a review too: the review is listed only when it comes first.
    if status.review_due < status.refresh_due:
        out.append((Kind.CONSENT_REVIEW, subject, status.review_due, "Review the consent with the client (yearly)",
                    ref, status.line))
    return out


def _retention(inp: RetentionInput, today: date) -> list[tuple]:
    ref = RecordRef("client", inp.client_id)
    out = []
    try:
        notes = notes_disposal_date(inp.client_type, inp.therapy_end, inp.date_of_birth)
    except ValueError:
        notes = None
    if notes is not None:
        out.append((Kind.NOTES_DISPOSAL, inp.reference, notes, "Dispose of the clinical notes securely", ref,
                    f"Therapy ended {show_date(inp.therapy_end)}; the notes may be kept until {show_date(notes)}."))
    artwork = artwork_disposal_date(inp.therapy_end)
    if artwork is not None and inp.artwork_disposed_on is None:
        out.append((Kind.ARTWORK_DISPOSAL, inp.reference, artwork, "Dispose of unclaimed artwork confidentially", ref,
                    f"Therapy ended {show_date(inp.therapy_end)}: artwork is kept two months."))
    return out


def _data_request(inp: DataRequestInput, today: date) -> list[tuple]:
    due = request_due(inp.received_on, inp.nation, extended=inp.extended)
    subject = f"{inp.kind.capitalize()} request" + (f" from {inp.client_reference}" if inp.client_reference else "")
    return [(Kind.DATA_REQUEST, subject, due, "Answer the request (one calendar month)",
             RecordRef("data_request", inp.request_id), f"Received {show_date(inp.received_on)}.")]


def _authority(inp: AuthorityInput, today: date) -> list[tuple]:
    if inp.verified_on is None:
        due = inp.needed_since
        detail = "Its numbers have never been checked."
    else:
        due = add_months(inp.verified_on, AUTHORITY_VERIFY_MONTHS)
        detail = f"Numbers last checked {show_date(inp.verified_on)}."
    if inp.used_by:
        detail += f" Used by {listed(inp.used_by, 2)}."
    return [(Kind.AUTHORITY, inp.name, due, "Check its safeguarding, out-of-hours and LADO numbers",
             RecordRef("local_authority", inp.authority_id), detail)]


# --------------------------------------------------------------------------- the list


# Each source in list order: the AttentionInputs field and what makes its items. The
# order matters only for items that sort equal (the steps of one concern due at the
# same moment keep their procedure order).
SOURCES: tuple[tuple[str, Callable[[Any, date], list[tuple]]], ...] = (
    ("training", _training),
    ("requirements", _requirement),
    ("policies", _policy),
    ("site_contacts", _contacts),
    ("concern_actions", _concern_action),
    ("procedure_steps", _procedure_step),
    ("outcomes", _outcome),
    ("serious_incidents", _serious_incident),
    ("complaints", _complaint),
    ("consents", _consent),
    ("retention", _retention),
    ("data_requests", _data_request),
    ("authorities", _authority),
)
SOURCE_FIELDS = tuple(name for name, _ in SOURCES)
_SOURCE = dict(SOURCES)

#: The sources whose entries depend on the day they are asked on (an expiry passed
#: changes the action's words; a school year starts; a site's maximum age runs out).
#: The others' entries are the same whatever the day: only their severity changes,
#: and items_of works that out. tests/rules check both halves of this on real inputs.
DAY_DEPENDENT = frozenset({"training", "requirements", "policies", "site_contacts", "consents"})


def attention_list(
    inputs: AttentionInputs,
    today: date,
    windows: Windows = Windows(),
    now: datetime | None = None,
) -> list[AttentionItem]:
    """Every item with a due date, most urgent first: overdue (the most harmful kind
    first, then the oldest), then due soon, then upcoming (earliest first). `now` (default: the start of `today`)
    decides deadlines counted in hours."""
    return merge(source_items(name, getattr(inputs, name), today, windows, now, sort=False) for name in SOURCE_FIELDS)


def source_items(
    name: str,
    rows: Iterable[Any],
    today: date,
    windows: Windows = Windows(),
    now: datetime | None = None,
    sort: bool = True,
) -> list[AttentionItem]:
    """The items of one source (an AttentionInputs field, see SOURCES), sorted as
    attention_list sorts. merge() of every source's items, in SOURCES order, is
    attention_list: a caller that keeps each source's items recomputes only the
    sources whose inputs changed."""
    items = list(chain.from_iterable(items_by_row(name, rows, today, windows, now)))
    if sort:
        items.sort(key=order_key)
    return items


def items_by_row(
    name: str,
    rows: Iterable[Any],
    today: date,
    windows: Windows = Windows(),
    now: datetime | None = None,
) -> list[list[AttentionItem]]:
    """Each row's items, row by row, in the order the row gives them (unsorted): for
    a caller that keeps items by the record they come from."""
    return [items_of(entries, today, windows, now) for entries in entries_by_row(name, rows, today)]


def entries_by_row(name: str, rows: Iterable[Any], today: date) -> list[list[tuple]]:
    """What each row of one source says is due, before any severity: tuples of (kind,
    subject, due, action, ref, detail[, due_at]). Only the sources in DAY_DEPENDENT
    give other entries on another day; the others' entries hold for every day."""
    source = _SOURCE[name]
    return [source(row, today) for row in rows]


_new_object = object.__new__


def items_of(entries: Iterable[tuple], today: date, windows: Windows = Windows(),
             now: datetime | None = None) -> list[AttentionItem]:
    """The items of some entries (entries_by_row) on `today` at the moment `now`, one
    per entry in their order (a caller may make many pieces' items in one call and
    slice them apart): each entry's severity as severity_for gives it (or overdue once
    a deadline counted in hours has passed), on the entry's fields. Written out in one
    loop: an opening makes every item of the list this way. Each item is made without the frozen dataclass's
    __init__ (a guarded setattr per field: half the cost of making an item): the same
    object, the same fields in the same order in its __dict__
    (tests/rules/test_attention_merge.py checks), and its order_key beside them, worked
    out here while the fields are at hand: every item of an opening's list is sorted."""
    moment = now if now is not None else datetime.combine(today, datetime.min.time())
    overdue, due_soon, upcoming = Severity.OVERDUE, Severity.DUE_SOON, Severity.UPCOMING
    window_of: dict[Kind, int] = {}
    kind_rank, severity_rank, ends = _KIND_RANK, _SEVERITY_RANK, _DAY_ENDS
    new_item = _new_object
    items = []
    for entry in entries:
        if len(entry) == 6:
            kind, subject, due, action, ref, detail = entry
            due_at = None
        else:
            kind, subject, due, action, ref, detail, due_at = entry
        if due_at is not None and moment > due_at:
            severity = overdue
        elif due < today:
            severity = overdue
        else:
            window = window_of.get(kind)
            if window is None:
                window = window_of[kind] = windows.for_kind(kind)
            severity = due_soon if (due - today).days <= window else upcoming
        # order_key, as it works it out.
        at = due_at
        if at is None:
            at = ends.get(due)
            if at is None:
                at = _day_end(due)
        if severity is overdue:
            key = (severity_rank[severity], kind_rank[kind], at, subject, ref.id)
        else:
            key = (severity_rank[severity], at, kind_rank[kind], subject, ref.id)
        item = new_item(AttentionItem)
        fields = item.__dict__
        fields["kind"] = kind
        fields["subject"] = subject
        fields["due"] = due
        fields["severity"] = severity
        fields["action"] = action
        fields["ref"] = ref
        fields["detail"] = detail
        fields["due_at"] = due_at
        fields["_order_key"] = key
        items.append(item)
    return items




def merge(parts: Iterable[Sequence[AttentionItem]]) -> list[AttentionItem]:
    """Sources' items (each from source_items, in SOURCES order) as one list, most
    urgent first. Python's sort is stable and finds the sorted runs, so this is the
    order sorting everything at once gives, at the cost of merging the runs."""
    items = list(chain.from_iterable(parts))
    items.sort(key=order_key)
    return items


def severity_span(items: Iterable[AttentionItem], now: datetime) -> tuple[datetime | None, datetime | None]:
    """The moments (lo, hi] around `now` for which no item's severity changes with the
    clock: only deadlines counted in hours (due_at) depend on the moment rather than
    the day. None: no bound on that side."""
    lo = hi = None
    for item in items:
        due_at = item.due_at
        if due_at is None:
            continue
        if now > due_at:
            if lo is None or due_at > lo:
                lo = due_at
        elif hi is None or due_at < hi:
            hi = due_at
    return lo, hi


# Among overdue items, what harms someone soonest comes first: a safeguarding deadline
# before a complaint, a complaint before a lapsed certificate, that before paperwork.
_KIND_RANK = {
    kind: rank
    for rank, kind in enumerate(
        (
            Kind.SERIOUS_INCIDENT,
            Kind.PROCEDURE_STEP,
            Kind.CONCERN_ACTION,
            Kind.OUTCOME,
            Kind.COMPLAINT_ACK,
            Kind.COMPLAINT_RESPONSE,
            Kind.DATA_REQUEST,
            Kind.TRAINING,
            Kind.REQUIREMENT,
            Kind.NO_DSL,
            Kind.POLICY,
            Kind.CONTACTS,
            Kind.CONSENT_REFRESH,
            Kind.CONSENT_REVIEW,
            Kind.AUTHORITY,
            Kind.ARTWORK_DISPOSAL,
            Kind.NOTES_DISPOSAL,
        )
    )
}


def order_key(item: AttentionItem) -> tuple:
    """Overdue: by how much harm waiting does (the kind), then the oldest first. Due
    soon and upcoming: by date, then kind.

    Worked out once per item and kept beside its fields (an item is immutable, so its
    key is too; equality, hashing and repr read only the fields): a list kept between
    computations is merged again without recomputing every key."""
    fields = item.__dict__
    key = fields.get("_order_key")
    if key is None:
        moment = item.due_at or datetime.combine(item.due, _END_OF_DAY)
        rank = _SEVERITY_RANK[item.severity]
        if item.severity is Severity.OVERDUE:
            key = (rank, _KIND_RANK[item.kind], moment, item.subject, item.ref.id)
        else:
            key = (rank, moment, _KIND_RANK[item.kind], item.subject, item.ref.id)
        fields["_order_key"] = key
    return key


_END_OF_DAY = datetime.max.time()
_DAY_ENDS: dict[date, datetime] = {}


def _day_end(day: date) -> datetime:
    # Thousands of items fall due on a few hundred days: one moment per day.
    if len(_DAY_ENDS) > 50_000:
        _DAY_ENDS.clear()
    end = _DAY_ENDS[day] = datetime.combine(day, _END_OF_DAY)
    return end


@dataclass(frozen=True)
class Counts:
    overdue: int = 0
    due_soon: int = 0
    upcoming: int = 0

    @property
    def total(self) -> int:
        return self.overdue + self.due_soon + self.upcoming


def counts(items: Iterable[AttentionItem]) -> Counts:
    tally = {s: 0 for s in Severity}
    for item in items:
        tally[item.severity] += 1
    return Counts(tally[Severity.OVERDUE], tally[Severity.DUE_SOON], tally[Severity.UPCOMING])


def within(items: Iterable[AttentionItem], today: date, days: int | None) -> list[AttentionItem]:
    """Overdue items and, with `days`, everything due up to `days` ahead; without, the
    items due within their warning window."""
    if days is None:
        return [i for i in items if i.severity is not Severity.UPCOMING]
    horizon = today + timedelta(days=days)
    return [i for i in items if i.severity is Severity.OVERDUE or i.due <= horizon]
