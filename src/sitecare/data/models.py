"""The whole schema, in one place.

The database is an in-memory SQLite image that the vault encrypts to disk (vault.py);
`database` is bound to that connection when a vault is unlocked. Only `data/` imports
this module's peewee side; screens call the query and command functions beside it.

Names are the domain's own: Site, Contact, LocalAuthority, Policy, TrainingRecord,
Requirement, Concern, ChronologyEntry, Action, Complaint, Client, Consent.
"""

from __future__ import annotations

import json
from contextlib import contextmanager
from datetime import date, datetime
from typing import Any, Iterator, Sequence

from peewee import (
    BooleanField,
    CharField,
    DatabaseProxy,
    DateField,
    DateTimeField,
    ForeignKeyField,
    IntegerField,
    Model,
    TextField,
)

from .commits import after_commit as _after_commit
from .commits import clear_commit_listeners, on_commit, suspended_commit_hooks  # noqa: F401 - the data layer's API

database = DatabaseProxy()


@contextmanager
def change() -> Iterator[None]:
    """One committed change: a transaction, then (outermost only) the save hooks.

    Saving inside the transaction would serialise a half-written image, so the hooks
    run only once the outermost block has committed.
    """
    global _commits
    with database.atomic():
        yield
    if not database.in_transaction():
        _commits += 1
        for callback in list(_after_commit):
            callback()


_commits = 0


def commit_count() -> int:
    """How many changes have committed in this process: screens compare it to know
    whether what they show is stale, instead of reading everything again."""
    return _commits


class AppendOnlyError(Exception):
    """A chronology entry was about to be changed or removed."""


class JSONListField(TextField):
    def db_value(self, value):
        return json.dumps(list(value or []))

    def python_value(self, value):
        return json.loads(value) if value else []


class BaseModel(Model):
    class Meta:
        database = database
        legacy_table_names = False


class Setting(BaseModel):
    key = CharField(primary_key=True)
    value = TextField()


class Attachment(BaseModel):
    """A file kept encrypted beside the vault (blobs/), never inside the image."""

    blob_id = CharField(unique=True)
    filename = CharField()
    media_type = CharField(default="application/octet-stream")
    size = IntegerField()
    sha256 = CharField()
    added_at = DateTimeField(default=datetime.now)


class Organisation(BaseModel):
    """A practice or platform the freelancer works under (seeds: CAT, HelloSelf, MTB)."""

    name = CharField(unique=True)
    short_name = CharField(default="")
    safeguarding_lead_name = CharField(default="")
    safeguarding_lead_phone = CharField(default="")
    safeguarding_lead_email = CharField(default="")
    manager_name = CharField(default="")
    manager_phone = CharField(default="")
    manager_email = CharField(default="")
    procedure_template = CharField(default="")
    notes = TextField(default="")
    source = CharField(default="")


NATIONS = ("ENG", "WLS", "SCT", "NIR")


class LocalAuthority(BaseModel):
    name = CharField(unique=True)
    nation = CharField(default="ENG")
    children_phone = CharField(default="")
    children_email = CharField(default="")
    children_out_of_hours_phone = CharField(default="")
    adults_phone = CharField(default="")
    adults_email = CharField(default="")
    adults_out_of_hours_phone = CharField(default="")
    lado_phone = CharField(default="")
    lado_email = CharField(default="")
    mental_health_name = CharField(default="")
    mental_health_phone = CharField(default="")
    # Schema v2: office hours decide when the out-of-hours line applies.
    office_open = CharField(default="09:00")
    office_close = CharField(default="17:00")
    source = CharField(default="")
    verified_on = DateField(null=True)
    notes = TextField(default="")


class NationalContact(BaseModel):
    key = CharField(unique=True)
    name = CharField()
    phone = CharField(default="")
    email = CharField(default="")
    hours = CharField(default="")
    purpose = TextField(default="")
    source = CharField(default="")
    verified_on = DateField(null=True)


SITE_KINDS = ("school", "care_home", "hospital", "charity", "private_practice", "other")
ARRANGEMENTS = ("commissioned", "private")


class Site(BaseModel):
    name = CharField()
    kind = CharField(default="school")
    address = TextField(default="")
    local_authority = ForeignKeyField(LocalAuthority, null=True, backref="sites", on_delete="SET NULL")
    organisation = ForeignKeyField(Organisation, null=True, backref="sites", on_delete="SET NULL")
    arrangement = CharField(default="commissioned")
    commissioning_organisation = CharField(default="")
    recording_system = CharField(default="")
    how_to_report = TextField(default="")
    visit_rule = TextField(default="")
    visit_start = DateField(null=True)
    visit_notes = TextField(default="")
    resign_interval_months = IntegerField(null=True)
    procedure_template = CharField(default="")
    archived = BooleanField(default=False)
    created_on = DateField(default=date.today)


CONTACT_ROLES = ("dsl", "deputy_dsl", "head", "chair_of_governors", "manager", "other")


class Contact(BaseModel):
    """A person at a site in a role, from one date to another: history is kept."""

    site = ForeignKeyField(Site, backref="contacts", on_delete="CASCADE")
    role = CharField(index=True)
    name = CharField()
    phone = CharField(default="")
    email = CharField(default="")
    where_to_find = CharField(default="")
    from_date = DateField()
    to_date = DateField(null=True)
    confirmed_on = DateField(null=True)
    notes = TextField(default="")


class Policy(BaseModel):
    site = ForeignKeyField(Site, backref="policies", on_delete="CASCADE")
    title = CharField(default="Safeguarding policy")
    version = CharField(default="")
    dated = DateField(null=True)
    review_due = DateField(null=True)
    signed_on = DateField(null=True)
    how_signed = CharField(default="")
    attachment = ForeignKeyField(Attachment, null=True, on_delete="SET NULL")
    recorded_on = DateField(default=date.today)


class TrainingKind(BaseModel):
    code = CharField(unique=True)
    name = CharField()
    validity_months = IntegerField(null=True)
    renewal_note = TextField(default="")
    source = CharField(default="")


class TrainingRecord(BaseModel):
    kind = ForeignKeyField(TrainingKind, backref="records", on_delete="CASCADE")
    completed = DateField()
    expires = DateField(null=True)
    expiry_overridden = BooleanField(default=False)
    provider = CharField(default="")
    certificate = ForeignKeyField(Attachment, null=True, on_delete="SET NULL")
    notes = TextField(default="")


class Requirement(BaseModel):
    site = ForeignKeyField(Site, backref="requirements", on_delete="CASCADE")
    kind = ForeignKeyField(TrainingKind, backref="requirements", on_delete="CASCADE")
    max_age_months = IntegerField(null=True)

    class Meta:
        indexes = ((("site", "kind"), True),)


class Client(BaseModel):
    """Pseudonymised: a reference code and initials, never a name."""

    reference = CharField(unique=True)
    initials = CharField(default="")
    date_of_birth = DateField(null=True)
    client_type = CharField(default="child")
    client_type_overridden = BooleanField(default=False)
    funding = CharField(default="commissioned")
    site = ForeignKeyField(Site, null=True, backref="clients", on_delete="SET NULL")
    therapy_start = DateField(null=True)
    therapy_end = DateField(null=True)
    gp_contact = TextField(default="")
    parent_carer_contact = TextField(default="")
    receives_mental_health_services = BooleanField(default=False)
    notes = TextField(default="")


class Consent(BaseModel):
    client = ForeignKeyField(Client, backref="consents", on_delete="CASCADE")
    purpose = CharField(default="therapy")
    essential = BooleanField(default=True)
    given_on = DateField()
    how = CharField(default="consent form")
    given_by = CharField(default="client")
    competence_judgement = TextField(default="")
    reviewed_on = DateField(null=True)
    withdrawn_on = DateField(null=True)
    notes = TextField(default="")
    # Schema v3: the signed consent form or contract, kept as an encrypted blob.
    attachment = ForeignKeyField(Attachment, null=True, on_delete="SET NULL")


CONCERN_KINDS = ("disclosure", "allegation_staff", "whistleblowing", "serious_incident", "data_breach")
CONCERN_STATUSES = ("draft", "open", "awaiting_outcome", "closed")


class Concern(BaseModel):
    reference = CharField(unique=True)
    site = ForeignKeyField(Site, null=True, backref="concerns", on_delete="SET NULL")
    client = ForeignKeyField(Client, null=True, backref="concerns", on_delete="SET NULL")
    client_reference = CharField(default="")
    client_type = CharField(default="unknown")
    kind = CharField(default="disclosure")
    categories = JSONListField(default=list)
    immediate_danger = BooleanField(default=False)
    about_head = BooleanField(default=False)
    occurred_at = DateTimeField(null=True)
    noticed_at = DateTimeField(null=True)
    account = TextField(default="")
    observed = TextField(default="")
    routes = JSONListField(default=list)
    status = CharField(default="open", index=True)
    outcome_chase_days = IntegerField(default=5)
    created_at = DateTimeField(default=datetime.now)
    closed_on = DateField(null=True)


CHRONOLOGY_KINDS = (
    "account",
    "observation",
    "assessment",
    "decision",
    "action_taken",
    "information_shared",
    "supervision",
    "referral",
    "outcome",
    "correction",
    "signed_off",
    "reopened",
    "note",
)


class ChronologyEntry(BaseModel):
    """Append-only (seed 002's record of a concern): never edited, never deleted.

    A correction is a new entry pointing at the one it corrects. The database refuses
    UPDATE and DELETE as well (triggers in migrations.py), so no path can rewrite it.
    """

    concern = ForeignKeyField(Concern, backref="chronology", on_delete="RESTRICT")
    at = DateTimeField()
    recorded_at = DateTimeField(default=datetime.now)
    kind = CharField(default="note")
    step_key = CharField(default="")
    text = TextField(default="")
    who = CharField(default="")
    how = CharField(default="")
    shared_with = CharField(default="")
    purpose = TextField(default="")
    consent = CharField(default="")
    consent_reason = TextField(default="")
    corrects = ForeignKeyField("self", null=True, backref="corrections", on_delete="RESTRICT")
    restricted = BooleanField(default=False)

    def save(self, *args, **kwargs):
        if self._pk is not None and not kwargs.get("force_insert"):
            raise AppendOnlyError("Chronology entries cannot be edited: add a correction instead.")
        return super().save(*args, **kwargs)

    def delete_instance(self, *args, **kwargs):
        raise AppendOnlyError("Chronology entries cannot be deleted: add a correction instead.")

    @classmethod
    def update(cls, *args, **kwargs):
        raise AppendOnlyError("Chronology entries cannot be edited: add a correction instead.")

    @classmethod
    def delete(cls):
        raise AppendOnlyError("Chronology entries cannot be deleted: add a correction instead.")

    @classmethod
    def replace(cls, *args, **kwargs):
        raise AppendOnlyError("Chronology entries cannot be replaced: add a correction instead.")


class Action(BaseModel):
    concern = ForeignKeyField(Concern, null=True, backref="actions", on_delete="CASCADE")
    description = TextField()
    owner = CharField(default="")
    due = DateField(null=True)
    done_on = DateField(null=True)
    created_at = DateTimeField(default=datetime.now)


COMPLAINT_TYPES = (
    "practitioner_behaviour",
    "standard_of_service",
    "failure_to_provide",
    "inadequate_information",
)
COMPLAINT_CHANNELS = ("in_person", "phone", "email", "letter")


class Complaint(BaseModel):
    reference = CharField(unique=True)
    received_on = DateField()
    channel = CharField(default="email")
    complainant = CharField(default="")
    site = ForeignKeyField(Site, null=True, backref="complaints", on_delete="SET NULL")
    type = CharField(default="standard_of_service")
    summary = TextField(default="")
    acknowledged_on = DateField(null=True)
    upheld = BooleanField(null=True)
    apology_given = BooleanField(default=False)
    policy_change = TextField(default="")
    resolved_stage = IntegerField(null=True)
    resolved_on = DateField(null=True)


class ComplaintStage(BaseModel):
    """Seed 004's four stages, each beginning on a date. Stages 1 and 2 are answered
    within 10 working days; stage 3 follows the commissioning organisation's own
    procedure and stage 4 is the HCPC's, so they carry no sitecare deadline."""

    complaint = ForeignKeyField(Complaint, backref="stages", on_delete="CASCADE")
    stage = IntegerField()
    began_on = DateField()
    responded_on = DateField(null=True)
    notes = TextField(default="")

    class Meta:
        indexes = ((("complaint", "stage"), True),)


class DataRequest(BaseModel):
    client = ForeignKeyField(Client, null=True, backref="data_requests", on_delete="SET NULL")
    requester = CharField(default="")
    kind = CharField(default="access")
    received_on = DateField()
    status = CharField(default="open")
    completed_on = DateField(null=True)
    notes = TextField(default="")


class DisposalLog(BaseModel):
    """What remains after a client's records are disposed of: the reference and the date."""

    reference = CharField()
    disposed_on = DateField()
    what = CharField(default="")


class ProcedureTemplate(BaseModel):
    """A user's own procedure template (TOML text), e.g. for another organisation."""

    key = CharField(unique=True)
    filename = CharField()
    text = TextField()
    added_on = DateField(default=date.today)


class ErasurePermit(BaseModel):
    """Present only inside a retention disposal: lets the triggers allow its deletes."""

    reason = CharField()


ALL_MODELS = [
    Setting,
    Attachment,
    Organisation,
    LocalAuthority,
    NationalContact,
    Site,
    Contact,
    Policy,
    TrainingKind,
    TrainingRecord,
    Requirement,
    Client,
    Consent,
    Concern,
    ChronologyEntry,
    Action,
    Complaint,
    ComplaintStage,
    DataRequest,
    DisposalLog,
    ProcedureTemplate,
    ErasurePermit,
]


def chunks(ids: Sequence[Any], size: int = 500) -> Iterator[Sequence[Any]]:
    """`ids` a slice at a time, for queries with `IN (...)`: SQLite caps the number of
    parameters a statement takes."""
    for start in range(0, len(ids), size):
        yield ids[start : start + size]
