"""Clients (pseudonymised), their consents and their data requests (seed 001).

A client is a reference code and initials, never a name. What the rows mean (the
attention list and the concern form read them directly):

- `Client.client_type` is "child" or "adult", never anything else: worked out from the
  date of birth on the day therapy started (today when no start is recorded), unless
  `client_type_overridden` says the practitioner chose it. It is the type the notes'
  retention follows (rules/retention.py); `type_today()` says whether the client is a
  child *now* (a 17-year-old at the start can be an adult at a later concern).
- `therapy_start` / `therapy_end` are the current (latest) period of therapy. A new
  period replaces the start and clears the end (`start_new_period`).
- A consent is one row per thing consented to. A refresh (consent asked for again)
  updates `given_on`, `how` and `given_by` in place and clears `reviewed_on`; the earlier
  consent is kept as a line in the notes. So each row's `given_on` is the consent in
  force, and `reviewed_on` the last yearly review since then.
- School work: a period of therapy that starts more than CONSENT_AHEAD_DAYS after a
  consent was given is a new period, which needs the consent refreshed (seed 001); a
  consent given up to that many days before the start was given for it (schools send
  the forms home before sessions begin). The attention list reads it the same way.
- `DataRequest.status` is one of REQUEST_STATUSES; it is closed ("completed" or
  "refused") exactly when `completed_on` is set. "extended" uses the ICO's extension.
"""

from __future__ import annotations

import hashlib
import mimetypes
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from peewee import JOIN, fn

from ..rules import consent as consent_rules
from ..rules import requests as request_rules
from ..rules import retention as retention_rules
from ..rules.concerns import looks_like_a_name
from ..rules.dates import DateError, parse_optional_uk_date, show_date
from ..rules.words import sentence
from .complaints import InvalidFields, site_nation
from .models import ARRANGEMENTS, Attachment, Client, Consent, DataRequest, DisposalLog, Site, change, database

CONSENT_AHEAD_DAYS = 90
MAX_REFERENCE = 40
MAX_ATTACHMENT = 25 * 1024 * 1024
FUNDING_NAMES = {"commissioned": "Commissioned", "private": "Private"}
TYPE_NAMES = {"child": "Child", "adult": "Adult"}
REQUEST_STATUSES = {
    "open": "Open",
    "extended": "Extended (complex: up to 3 months)",
    "completed": "Completed",
    "refused": "Refused (reasons given)",
}
CLOSED_STATUSES = ("completed", "refused")
KIND_NAMES = {str(k): v for k, v in request_rules.REQUEST_KIND_LABELS.items()}

__all__ = ["InvalidFields"]


# --------------------------------------------------------------------------- clients


def derived_type(date_of_birth: date | None, therapy_start: date | None, today: date) -> str | None:
    found = retention_rules.derive_client_type(date_of_birth, therapy_start or today)
    return str(found) if found else None


def type_today(client: Client, today: date) -> str:
    """Child or adult on `today` (for safeguarding routes); the stored type if no DOB."""
    if client.date_of_birth is None or client.client_type_overridden:
        return client.client_type
    return "child" if retention_rules.is_child(client.date_of_birth, today) else "adult"


def age_on(date_of_birth: date, today: date) -> int:
    years = today.year - date_of_birth.year
    if (today.month, today.day) < (date_of_birth.month, date_of_birth.day):
        years -= 1
    return years


@dataclass(frozen=True)
class ClientView:
    id: int
    reference: str
    initials: str
    date_of_birth: date | None
    client_type: str
    type_overridden: bool
    funding: str
    site_id: int | None
    site_name: str
    in_school: bool
    nation: str
    therapy_start: date | None
    therapy_end: date | None
    gp_contact: str
    parent_carer_contact: str
    mental_health_services: bool
    notes: str
    retention: retention_rules.RetentionDates
    artwork_disposed_on: date | None = None

    def age(self, today: date) -> int | None:
        return age_on(self.date_of_birth, today) if self.date_of_birth else None

    def missing_contact(self) -> str:
        """The contact seed 000's private routes need but the record lacks, as a sentence."""
        if self.funding != "private":
            return ""
        if self.client_type == "adult" and not self.gp_contact.strip():
            return "No GP contact: the private-adult safeguarding route consults the GP (seed 000)."
        if self.client_type == "child" and not self.parent_carer_contact.strip():
            return "No parent/carer contact: the private-child safeguarding route calls them (seed 000)."
        return ""


def _retention(client: Client) -> retention_rules.RetentionDates:
    return retention_rules.retention_dates(client.client_type, client.date_of_birth, client.therapy_end)


def _view(client: Client) -> ClientView:
    site = client.site if client.site_id else None
    return ClientView(
        id=client.id,
        reference=client.reference,
        initials=client.initials or "",
        date_of_birth=client.date_of_birth,
        client_type=client.client_type,
        type_overridden=bool(client.client_type_overridden),
        funding=client.funding,
        site_id=client.site_id,
        site_name=site.name if site else "",
        in_school=site is not None and site.kind == "school",
        nation=site_nation(site),
        therapy_start=client.therapy_start,
        therapy_end=client.therapy_end,
        gp_contact=client.gp_contact or "",
        parent_carer_contact=client.parent_carer_contact or "",
        mental_health_services=bool(client.receives_mental_health_services),
        notes=client.notes or "",
        retention=_retention(client),
        artwork_disposed_on=_artwork_disposed(client.reference),
    )


def _artwork_disposed(reference: str) -> date | None:
    """The home screen records unclaimed artwork disposed of as a DisposalLog line with
    what="artwork" (data/attention_inputs.py); the client's other records stay."""
    row = (
        DisposalLog.select()
        .where((DisposalLog.reference == reference) & (DisposalLog.what == "artwork"))
        .order_by(DisposalLog.disposed_on.desc())
        .first()
    )
    return row.disposed_on if row else None


def client_list() -> list[ClientView]:
    """Clients in therapy first (no end date), then by reference."""
    views = [_view(c) for c in Client.select().order_by(Client.reference)]
    return sorted(views, key=lambda v: (v.therapy_end is not None, v.reference.casefold()))


@dataclass(frozen=True)
class ClientToFind:
    """What the command palette shows and matches for a client."""

    id: int
    reference: str
    initials: str
    client_type: str
    site_name: str


def clients_to_find() -> list[ClientToFind]:
    """Every client, in the order of `client_list`, from one query whose rows are read
    straight from SQLite (for the command palette, gathered each time it opens:
    `client_list`'s views cost several queries per client, a second on 1,000 clients)."""
    query = Client.select(
        Client.id, Client.reference, Client.initials, Client.client_type, Client.therapy_end.is_null(), Site.name
    ).join(Site, JOIN.LEFT_OUTER)
    rows = sorted(database.execute(query), key=lambda r: (not r[4], r[1].casefold()))
    return [ClientToFind(id_, reference, initials or "", client_type, site or "")
            for id_, reference, initials, client_type, _, site in rows]


def client_view(client_id: int) -> ClientView | None:
    client = Client.get_or_none(Client.id == client_id)
    return _view(client) if client else None


def find_client(reference: str) -> Client | None:
    return Client.get_or_none(fn.lower(Client.reference) == " ".join(reference.split()).lower())


def site_choices() -> list[tuple[str, int]]:
    return [(s.name, s.id) for s in Site.select().where(Site.archived == False).order_by(Site.name)]  # noqa: E712


@dataclass(frozen=True)
class ClientFields:
    reference: str
    initials: str
    date_of_birth: date | None
    client_type: str
    type_overridden: bool
    funding: str
    site_id: int | None
    therapy_start: date | None
    therapy_end: date | None
    gp_contact: str
    parent_carer_contact: str
    mental_health_services: bool
    notes: str


def _day(form: Mapping[str, Any], key: str, errors: dict[str, str]) -> date | None:
    try:
        return parse_optional_uk_date(str(form.get(key) or ""))
    except DateError as exc:
        errors[key] = str(exc)
        return None


def check_client(form: Mapping[str, Any], today: date, existing: Client | None = None) -> tuple[ClientFields | None, dict[str, str]]:
    """Keys: reference, initials, date_of_birth, client_type ("" = from the date of
    birth, "child", "adult"), funding, site (id or None), therapy_start, therapy_end,
    gp_contact, parent_carer_contact, mental_health_services, notes."""
    errors: dict[str, str] = {}
    reference = " ".join(str(form.get("reference") or "").split())
    if not reference:
        errors["reference"] = "Enter a reference code, for example CH-0142 (never the client's name)."
    elif looks_like_a_name(reference):
        errors["reference"] = "That looks like a name: use a reference code, for example CH-0142."
    elif len(reference) > MAX_REFERENCE:
        errors["reference"] = f"Keep the reference to {MAX_REFERENCE} characters at most."
    else:
        other = find_client(reference)
        if other is not None and (existing is None or other.id != existing.id):
            errors["reference"] = f"{other.reference} is already a client: choose another reference."

    initials = "".join(str(form.get("initials") or "").split()).upper()
    if initials and (len(initials) > 4 or not all(ch.isalpha() or ch in ".-'" for ch in initials)):
        errors["initials"] = "Initials only: up to 4 letters, for example JS."

    dob = _day(form, "date_of_birth", errors)
    if dob is not None and dob > today:
        errors["date_of_birth"] = f"The date of birth ({show_date(dob)}) cannot be after today."

    start = _day(form, "therapy_start", errors)
    end = _day(form, "therapy_end", errors)
    if dob is not None and start is not None and start < dob and "date_of_birth" not in errors:
        errors["therapy_start"] = f"Therapy cannot start before the date of birth ({show_date(dob)})."
    if start is not None and end is not None and end < start:
        errors["therapy_end"] = f"Therapy cannot end before it started ({show_date(start)})."
    if end is not None and start is None and "therapy_end" not in errors:
        errors["therapy_start"] = "Enter when therapy started as well as when it ended."
    if end is not None and end > today and "therapy_end" not in errors:
        errors["therapy_end"] = f"Therapy cannot have ended after today ({show_date(end)}): leave it blank until it ends."

    choice = str(form.get("client_type") or "")
    if choice not in ("", "child", "adult"):
        errors["client_type"] = "Choose child, adult, or work it out from the date of birth."
        choice = ""
    overridden = bool(choice)
    client_type = choice or None
    if not choice:
        if dob is None:
            if "date_of_birth" not in errors:
                errors["client_type"] = "Without a date of birth, choose child or adult."
        else:
            client_type = derived_type(dob, start, today)

    funding = str(form.get("funding") or "")
    if funding not in ARRANGEMENTS:
        errors["funding"] = "Choose commissioned or private."

    site_id = form.get("site")
    if site_id in ("", None):
        site_id = None
    elif Site.get_or_none(Site.id == site_id) is None:
        errors["site"] = "That site is no longer in the vault: choose another, or none."
        site_id = None

    if errors:
        return None, errors
    assert client_type is not None
    return (
        ClientFields(
            reference=reference,
            initials=initials,
            date_of_birth=dob,
            client_type=client_type,
            type_overridden=overridden,
            funding=funding,
            site_id=site_id,
            therapy_start=start,
            therapy_end=end,
            gp_contact=str(form.get("gp_contact") or "").strip(),
            parent_carer_contact=str(form.get("parent_carer_contact") or "").strip(),
            mental_health_services=bool(form.get("mental_health_services")),
            notes=str(form.get("notes") or "").strip(),
        ),
        {},
    )


def save_client(fields: ClientFields, client_id: int | None = None) -> Client:
    values = dict(
        reference=fields.reference,
        initials=fields.initials,
        date_of_birth=fields.date_of_birth,
        client_type=fields.client_type,
        client_type_overridden=fields.type_overridden,
        funding=fields.funding,
        site=fields.site_id,
        therapy_start=fields.therapy_start,
        therapy_end=fields.therapy_end,
        gp_contact=fields.gp_contact,
        parent_carer_contact=fields.parent_carer_contact,
        receives_mental_health_services=fields.mental_health_services,
        notes=fields.notes,
    )
    with change():
        if client_id is None:
            return Client.create(**values)
        client = Client.get_by_id(client_id)
        for key, value in values.items():
            setattr(client, key, value)
        client.save()
        return client


def check_new_period(client_id: int, text: str, today: date) -> tuple[date | None, str]:
    client = Client.get_or_none(Client.id == client_id)
    if client is None:
        return None, "That client is no longer in the vault."
    try:
        start = parse_optional_uk_date(text)
    except DateError as exc:
        return None, str(exc)
    if start is None:
        return None, "Enter the date the new period of therapy starts, for example 03/09/2025."
    if client.therapy_start is not None and start <= client.therapy_start:
        return None, f"A new period starts after the current one did ({show_date(client.therapy_start)})."
    if client.therapy_end is not None and start <= client.therapy_end:
        return None, f"A new period starts after the last one ended ({show_date(client.therapy_end)})."
    return start, ""


def start_new_period(client_id: int, start: date, today: date) -> Client:
    """A new period of therapy: the start moves on and the end is cleared; the type
    is worked out again from the date of birth unless it was chosen by hand."""
    with change():
        client = Client.get_by_id(client_id)
        client.therapy_start = start
        client.therapy_end = None
        if not client.client_type_overridden and client.date_of_birth is not None:
            client.client_type = derived_type(client.date_of_birth, start, today)
        client.save()
        return client


# --------------------------------------------------------------------------- consents


def consent_therapy_starts(given_on: date, therapy_start: date | None) -> tuple[date, ...]:
    """The client's period of therapy as a new period for this consent, or nothing."""
    if therapy_start is None or therapy_start <= given_on:
        return ()
    if (therapy_start - given_on).days <= CONSENT_AHEAD_DAYS:
        return ()
    return (therapy_start,)


@dataclass(frozen=True)
class ConsentView:
    id: int
    purpose: str
    essential: bool
    given_on: date
    how: str
    given_by: str
    competence_judgement: str
    reviewed_on: date | None
    withdrawn_on: date | None
    notes: str
    attachment_id: int | None
    attachment_name: str
    status: consent_rules.ConsentStatus

    @property
    def label(self) -> str:
        return self.purpose if self.essential else f"{self.purpose} (optional)"


def _consent_view(consent: Consent, client: Client, today: date) -> ConsentView:
    site = client.site if client.site_id else None
    in_school = site is not None and site.kind == "school"
    status = consent_rules.consent_status(
        consent.given_on,
        today,
        reviewed_on=consent.reviewed_on,
        withdrawn_on=consent.withdrawn_on,
        in_school=in_school,
        therapy_starts=consent_therapy_starts(consent.given_on, client.therapy_start) if in_school else (),
    )
    attachment = consent.attachment if consent.attachment_id else None
    return ConsentView(
        id=consent.id,
        purpose=consent.purpose,
        essential=bool(consent.essential),
        given_on=consent.given_on,
        how=consent.how or "",
        given_by=consent.given_by or "",
        competence_judgement=consent.competence_judgement or "",
        reviewed_on=consent.reviewed_on,
        withdrawn_on=consent.withdrawn_on,
        notes=consent.notes or "",
        attachment_id=consent.attachment_id,
        attachment_name=attachment.filename if attachment else "",
        status=status,
    )


def consents_for(client_id: int, today: date) -> list[ConsentView]:
    """Essential consents first, then the optional uses; withdrawn ones last."""
    client = Client.get_by_id(client_id)
    views = [_consent_view(c, client, today) for c in Consent.select().where(Consent.client == client_id).order_by(Consent.given_on, Consent.id)]
    return sorted(views, key=lambda v: (v.status.state == consent_rules.ConsentState.WITHDRAWN, not v.essential))


def consent_view(consent_id: int, today: date) -> ConsentView | None:
    consent = Consent.get_or_none(Consent.id == consent_id)
    return _consent_view(consent, consent.client, today) if consent else None


def service_consent(client_id: int, today: date) -> bool:
    """Consent to the service itself is in place: only essential consents count."""
    records = [
        consent_rules.ConsentRecord(c.purpose, bool(c.essential), c.given_on, c.withdrawn_on)
        for c in Consent.select().where(Consent.client == client_id)
    ]
    return consent_rules.service_consent_in_place(records, today)


def consent_summary(client_id: int, today: date) -> str:
    views = consents_for(client_id, today)
    if not views:
        return "No consent recorded yet."
    parts = ["consent to therapy in place" if service_consent(client_id, today) else "NO consent to therapy in place"]
    due = [v for v in views if v.status.needs_attention]
    if due:
        parts.append(f"{len(due)} to review or refresh")
    withdrawn = [v for v in views if v.status.state == consent_rules.ConsentState.WITHDRAWN]
    if withdrawn:
        parts.append(f"{len(withdrawn)} withdrawn")
    return sentence("; ".join(parts)) + "."


@dataclass(frozen=True)
class ConsentFields:
    purpose: str
    essential: bool
    given_on: date
    how: str
    given_by: str
    competence_judgement: str
    reviewed_on: date | None
    withdrawn_on: date | None
    notes: str
    file: Path | None


def _mentions_client(given_by: str) -> bool:
    words = given_by.replace("/", " ").replace(",", " ").casefold().split()
    return any(w in ("client", "self", "young", "child", "pupil") for w in words)


def check_consent(
    form: Mapping[str, Any], client_id: int, today: date, existing: Consent | None = None
) -> tuple[ConsentFields | None, dict[str, str]]:
    """Keys: purpose, essential (bool), given_on, how, given_by, competence_judgement,
    reviewed_on, withdrawn_on, notes, file (a path or ""), explained (bool: the
    practitioner told the client an optional use is not a condition of the service),
    refresh (bool: the consent is being asked for again, so the new date comes later)."""
    errors: dict[str, str] = {}
    client = Client.get_or_none(Client.id == client_id)
    if client is None:
        return None, {"purpose": "That client is no longer in the vault."}
    purpose = " ".join(str(form.get("purpose") or "").split())
    essential = bool(form.get("essential"))
    if not purpose:
        errors["purpose"] = "Say what was consented to, for example therapy, or publishing an article."
    elif consent_rules.is_essential_purpose(purpose) and not essential:
        errors["essential"] = "Consent to therapy is what the service rests on: it is always essential."
    if purpose and not essential and "essential" not in errors and existing is None and not form.get("explained"):
        errors["explained"] = (
            "Tell them why you ask, what it will be used for, and that saying no (or withdrawing later) "
            "makes no difference to therapy; then tick this."
        )

    given = None
    if not str(form.get("given_on") or "").strip():
        errors["given_on"] = "Enter the date consent was given, for example 03/09/2025."
    else:
        given = _day(form, "given_on", errors)
        if given is not None and given > today:
            errors["given_on"] = f"Consent cannot be given after today ({show_date(given)})."
        elif given is not None and client.date_of_birth and given < client.date_of_birth:
            errors["given_on"] = f"That is before the client's date of birth ({show_date(client.date_of_birth)})."
        elif given is not None and form.get("refresh") and existing is not None and given <= existing.given_on:
            errors["given_on"] = f"A refreshed consent is given after the earlier one ({show_date(existing.given_on)})."

    how = " ".join(str(form.get("how") or "").split())
    if not how:
        errors["how"] = "Say how consent was given, for example consent form or written contract."
    given_by = " ".join(str(form.get("given_by") or "").split())
    if not given_by:
        errors["given_by"] = "Say who gave consent: the client, a parent or a carer."
    elif looks_like_a_name(given_by):
        errors["given_by"] = "That looks like a name: say who they are instead, for example 'parent (mother)'."
    competence = str(form.get("competence_judgement") or "").strip()
    if (
        given_by
        and "given_by" not in errors
        and _mentions_client(given_by)
        and type_today(client, given or today) == "child"
        and not competence
    ):
        errors["competence_judgement"] = (
            "A young person consenting for themselves needs your judgement of their competence: "
            "write how you judged it (seed 001)."
        )

    reviewed = _day(form, "reviewed_on", errors)
    if reviewed is not None:
        if reviewed > today:
            errors["reviewed_on"] = f"A review cannot be dated after today ({show_date(reviewed)})."
        elif given is not None and reviewed < given:
            errors["reviewed_on"] = f"A review cannot come before the consent was given ({show_date(given)})."
    withdrawn = _day(form, "withdrawn_on", errors)
    if withdrawn is not None:
        if withdrawn > today:
            errors["withdrawn_on"] = f"Record a withdrawal on or after the day it happens ({show_date(withdrawn)} is after today)."
        elif given is not None and withdrawn < given:
            errors["withdrawn_on"] = f"Consent cannot be withdrawn before it was given ({show_date(given)})."

    file = None
    raw_file = str(form.get("file") or "").strip()
    if raw_file:
        path = Path(raw_file).expanduser()
        if not path.exists():
            errors["file"] = f"There is no file {path}: check the name and folder."
        elif path.is_dir():
            errors["file"] = f"{path} is a folder: give the file of the signed form."
        elif path.stat().st_size > MAX_ATTACHMENT:
            errors["file"] = f"The file is larger than {MAX_ATTACHMENT // (1024 * 1024)} MB: scan it at a lower resolution."
        elif path.stat().st_size == 0:
            errors["file"] = "That file is empty."
        else:
            file = path

    if errors:
        return None, errors
    assert given is not None
    return (
        ConsentFields(
            purpose=purpose,
            essential=essential,
            given_on=given,
            how=how,
            given_by=given_by,
            competence_judgement=competence,
            reviewed_on=reviewed,
            withdrawn_on=withdrawn,
            notes=str(form.get("notes") or "").strip(),
            file=file,
        ),
        {},
    )


def attach(vault, data: bytes, filename: str) -> Attachment:
    """Encrypt `data` into a blob beside the vault and record it (inside a change)."""
    blob_id = vault.put_blob(data)
    media_type = mimetypes.guess_type(filename)[0] or "application/octet-stream"
    return Attachment.create(
        blob_id=blob_id,
        filename=filename,
        media_type=media_type,
        size=len(data),
        sha256=hashlib.sha256(data).hexdigest(),
    )


def _drop_attachment(vault, attachment_id: int | None) -> None:
    if attachment_id is None:
        return
    attachment = Attachment.get_or_none(Attachment.id == attachment_id)
    if attachment is None:
        return
    blob_id = attachment.blob_id
    attachment.delete_instance()
    vault.delete_blob(blob_id)


def save_consent(vault, fields: ConsentFields, client_id: int, consent_id: int | None = None) -> Consent:
    """Create or update; a new file replaces (and deletes) the one attached before."""
    data = fields.file.read_bytes() if fields.file is not None else None
    with change():
        values = dict(
            purpose=fields.purpose,
            essential=fields.essential,
            given_on=fields.given_on,
            how=fields.how,
            given_by=fields.given_by,
            competence_judgement=fields.competence_judgement,
            reviewed_on=fields.reviewed_on,
            withdrawn_on=fields.withdrawn_on,
            notes=fields.notes,
        )
        if consent_id is None:
            consent = Consent.create(client=client_id, **values)
        else:
            consent = Consent.get_by_id(consent_id)
            for key, value in values.items():
                setattr(consent, key, value)
        old = None
        if data is not None:
            old = consent.attachment_id
            consent.attachment = attach(vault, data, fields.file.name)
        consent.save()
        _drop_attachment(vault, old)
        return consent


def check_day(text: str, today: date, not_before: date, what: str, before_what: str) -> tuple[date | None, str]:
    """One date for a quick act (a review, a withdrawal): typed, not future, not too early."""
    try:
        day = parse_optional_uk_date(text)
    except DateError as exc:
        return None, str(exc)
    if day is None:
        return None, f"Enter the date of the {what}, for example 03/09/2025."
    if day > today:
        return None, f"The {what} cannot be dated after today ({show_date(day)})."
    if day < not_before:
        return None, f"The {what} cannot come before {before_what} ({show_date(not_before)})."
    return day, ""


def record_review(consent_id: int, day: date) -> None:
    """The yearly review happened: processing and purposes checked, nothing changed."""
    with change():
        Consent.update(reviewed_on=day).where(Consent.id == consent_id).execute()


def record_withdrawal(consent_id: int, day: date) -> None:
    with change():
        Consent.update(withdrawn_on=day).where(Consent.id == consent_id).execute()


def refresh_consent(vault, consent_id: int, fields: ConsentFields) -> Consent:
    """Consent asked for again: the new date, way and giver replace the old, which is
    kept as a line in the notes; the yearly review starts again from the new date."""
    consent = Consent.get_by_id(consent_id)
    before = f"Earlier consent: given {show_date(consent.given_on)} by {consent.given_by} ({consent.how})"
    if consent.reviewed_on:
        before += f", last reviewed {show_date(consent.reviewed_on)}"
    notes = (fields.notes + "\n" if fields.notes else "") + before + "."
    refreshed = ConsentFields(
        purpose=fields.purpose,
        essential=fields.essential,
        given_on=fields.given_on,
        how=fields.how,
        given_by=fields.given_by,
        competence_judgement=fields.competence_judgement,
        reviewed_on=None,
        withdrawn_on=None,
        notes=notes,
        file=fields.file,
    )
    return save_consent(vault, refreshed, consent.client_id, consent_id)


def attachment_bytes(vault, attachment_id: int) -> tuple[str, bytes]:
    attachment = Attachment.get_by_id(attachment_id)
    return attachment.filename, vault.get_blob(attachment.blob_id)


# --------------------------------------------------------------------------- data requests


@dataclass(frozen=True)
class RequestView:
    id: int
    client_id: int | None
    client_reference: str
    requester: str
    kind: str
    received_on: date
    status: str
    completed_on: date | None
    notes: str
    deadline: request_rules.RequestDeadline

    @property
    def is_open(self) -> bool:
        return self.status not in CLOSED_STATUSES and self.completed_on is None

    def due_line(self, today: date) -> str:
        if not self.is_open:
            return f"answered {show_date(self.completed_on)}" if self.completed_on else "closed"
        due = self.deadline.due
        if today > due:
            return f"OVERDUE since {show_date(due)}"
        return f"due {show_date(due)}"


def _request_view(request: DataRequest) -> RequestView:
    client = request.client if request.client_id else None
    nation = site_nation(client.site if client is not None and client.site_id else None)
    return RequestView(
        id=request.id,
        client_id=request.client_id,
        client_reference=client.reference if client else "",
        requester=request.requester or "",
        kind=request.kind,
        received_on=request.received_on,
        status=request.status,
        completed_on=request.completed_on,
        notes=request.notes or "",
        deadline=request_rules.request_deadline(request.received_on, nation, extended=request.status == "extended"),
    )


def requests_for(client_id: int | None = None) -> list[RequestView]:
    """Open requests first (soonest due first), then the answered ones, newest first."""
    query = DataRequest.select()
    if client_id is not None:
        query = query.where(DataRequest.client == client_id)
    views = [_request_view(r) for r in query]
    open_ = sorted((v for v in views if v.is_open), key=lambda v: v.deadline.due)
    done = sorted((v for v in views if not v.is_open), key=lambda v: v.received_on, reverse=True)
    return open_ + done


def request_view(request_id: int) -> RequestView | None:
    request = DataRequest.get_or_none(DataRequest.id == request_id)
    return _request_view(request) if request else None


@dataclass(frozen=True)
class RequestFields:
    client_id: int | None
    requester: str
    kind: str
    received_on: date
    status: str
    completed_on: date | None
    notes: str


def check_request(form: Mapping[str, Any], today: date) -> tuple[RequestFields | None, dict[str, str]]:
    """Keys: client (id or None), requester, kind, received_on, status, completed_on, notes."""
    errors: dict[str, str] = {}
    client_id = form.get("client")
    if client_id in ("", None):
        client_id = None
    elif Client.get_or_none(Client.id == client_id) is None:
        errors["client"] = "That client is no longer in the vault: choose another, or none."
        client_id = None
    requester = " ".join(str(form.get("requester") or "").split())
    if not requester:
        errors["requester"] = "Say who made the request, for example 'client' or 'parent of CH-0142'."
    elif looks_like_a_name(requester):
        errors["requester"] = "That looks like a name: say who they are instead, for example 'parent of CH-0142'."
    kind = str(form.get("kind") or "")
    if kind not in KIND_NAMES:
        errors["kind"] = "Choose access, correction or deletion."
    received = None
    if not str(form.get("received_on") or "").strip():
        errors["received_on"] = "Enter the date the request was received, for example 03/09/2025."
    else:
        received = _day(form, "received_on", errors)
        if received is not None and received > today:
            errors["received_on"] = f"A request cannot be received after today ({show_date(received)})."
    status = str(form.get("status") or "")
    if status not in REQUEST_STATUSES:
        errors["status"] = "Choose open, extended, completed or refused."
    completed = _day(form, "completed_on", errors)
    if "completed_on" not in errors:
        if status in CLOSED_STATUSES and completed is None:
            errors["completed_on"] = f"Enter the date it was {status}, for example 03/09/2025."
        elif status in ("open", "extended") and completed is not None:
            errors["completed_on"] = "Set the status to completed or refused, or clear this date."
        elif completed is not None and completed > today:
            errors["completed_on"] = f"It cannot be answered after today ({show_date(completed)})."
        elif completed is not None and received is not None and completed < received:
            errors["completed_on"] = f"It cannot be answered before it was received ({show_date(received)})."
    if errors:
        return None, errors
    assert received is not None
    return RequestFields(client_id, requester, kind, received, status, completed, str(form.get("notes") or "").strip()), {}


def save_request(fields: RequestFields, request_id: int | None = None) -> DataRequest:
    values = dict(
        client=fields.client_id,
        requester=fields.requester,
        kind=fields.kind,
        received_on=fields.received_on,
        status=fields.status,
        completed_on=fields.completed_on,
        notes=fields.notes,
    )
    with change():
        if request_id is None:
            return DataRequest.create(**values)
        request = DataRequest.get_by_id(request_id)
        for key, value in values.items():
            setattr(request, key, value)
        request.save()
        return request


def client_choices() -> list[tuple[str, int]]:
    return [(f"{c.reference} {c.initials}".strip(), c.id) for c in Client.select().order_by(Client.reference)]


def request_summary(client_id: int, today: date) -> str:
    views = requests_for(client_id)
    open_ = [v for v in views if v.is_open]
    if not views:
        return "No data requests."
    if not open_:
        return f"{len(views)} data request{'s' if len(views) != 1 else ''}, all answered."
    first = open_[0]
    return f"{len(open_)} open data request{'s' if len(open_) != 1 else ''}: {KIND_NAMES.get(first.kind, first.kind).lower()} {first.due_line(today)}."
