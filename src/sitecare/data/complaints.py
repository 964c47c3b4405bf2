"""The complaints log (seed 004): record, move through the stages, report.

Screens call these functions; the deadlines come from rules/complaints.py, counted in
the bank holidays of the site's nation (the nation of the site's local authority;
England when there is no site, or the site has no local authority).

What the rows mean (the attention list reads them directly):
- `Complaint.received_on` is the day of receipt: the acknowledgement is due 5 working
  days later and `acknowledged_on` records when it was sent.
- Each `ComplaintStage` row is one stage the complaint reached, with the day it began
  and the day the stage's response was sent (`responded_on`). Stage 1 begins on the day
  of receipt unless the complaint arrived at a later stage. Stages 1 and 2 are answered
  within 10 working days; stages 3 (the commissioning organisation) and 4 (the HCPC)
  follow someone else's procedure, so sitecare gives them no deadline of its own.
- A complaint is open until it has `resolved_stage` and `resolved_on`; the form only
  ever sets both or neither.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from ..rules import complaints as rules
from ..rules.concerns import looks_like_a_name
from ..rules.dates import DateError, parse_optional_uk_date, show_date
from ..rules.workdays import DEFAULT_NATION, NATION_NAMES
from .models import COMPLAINT_CHANNELS, COMPLAINT_TYPES, Complaint, ComplaintStage, Site, change

STAGE_SHORT = {1: "Informal", 2: "Formal to CAT", 3: "Commissioner", 4: "HCPC"}
TYPE_SHORT = {
    "practitioner_behaviour": "Practitioner behaviour",
    "standard_of_service": "Standard of service",
    "failure_to_provide": "Failure to provide",
    "inadequate_information": "Inadequate information",
}
TYPE_LABELS = {str(k): v for k, v in rules.TYPE_LABELS.items()}
CHANNEL_LABELS = {str(k): v for k, v in rules.CHANNEL_LABELS.items()}
LAST_STAGE = 4
MAX_COMPLAINANT = 120


class InvalidFields(ValueError):
    """Some fields are wrong: `errors` maps each field to one sentence for beside it."""

    def __init__(self, errors: Mapping[str, str]):
        super().__init__("; ".join(errors.values()))
        self.errors = dict(errors)


# --------------------------------------------------------------------------- reading


def site_nation(site: Site | None) -> str:
    if site is None or site.local_authority_id is None:
        return DEFAULT_NATION
    return site.local_authority.nation or DEFAULT_NATION


@dataclass(frozen=True)
class StageView:
    id: int
    stage: int
    name: str
    handled_by: str
    began_on: date
    response_due: date | None
    responded_on: date | None
    notes: str

    def overdue(self, today: date) -> bool:
        return self.responded_on is None and self.response_due is not None and today > self.response_due


@dataclass(frozen=True)
class ComplaintView:
    id: int
    reference: str
    received_on: date
    channel: str
    complainant: str
    site_id: int | None
    site_name: str
    nation: str
    type: str
    summary: str
    acknowledged_on: date | None
    acknowledgement_due: date
    upheld: bool | None
    apology_given: bool
    policy_change: str
    resolved_stage: int | None
    resolved_on: date | None
    stages: tuple[StageView, ...]

    @property
    def is_open(self) -> bool:
        return self.resolved_stage is None and self.resolved_on is None

    @property
    def current(self) -> StageView | None:
        return self.stages[-1] if self.stages else None

    @property
    def stage_number(self) -> int:
        return self.current.stage if self.current else 1

    def deadlines(self) -> list[tuple[str, date]]:
        """What is still owed, earliest first: (what, due)."""
        if not self.is_open:
            return []
        owed = []
        if self.acknowledged_on is None:
            owed.append(("acknowledge", self.acknowledgement_due))
        for stage in self.stages:
            if stage.responded_on is None and stage.response_due is not None:
                owed.append((f"reply (stage {stage.stage})", stage.response_due))
        return sorted(owed, key=lambda item: item[1])

    def next_line(self, today: date) -> str:
        """A short cell for the log: what is due next, or how it ended."""
        if not self.is_open:
            return f"resolved at stage {self.resolved_stage}" if self.resolved_stage else "resolved"
        owed = self.deadlines()
        if not owed:
            current = self.current
            if current is not None and current.response_due is None and current.responded_on is None:
                return f"with {STAGE_SHORT[current.stage].lower()}"
            return "awaiting the complainant"
        what, due = owed[0]
        what = what.split(" (")[0]  # the log has its own stage column
        if today > due:
            return f"{what} OVERDUE ({show_date(due)})"
        return f"{what} by {show_date(due)}"

    def overdue(self, today: date) -> bool:
        return any(today > due for _, due in self.deadlines())


def _view(complaint: Complaint) -> ComplaintView:
    site = complaint.site if complaint.site_id else None
    nation = site_nation(site)
    stages = []
    for row in complaint.stages.order_by(ComplaintStage.stage):
        info = rules.STAGES[rules.Stage(row.stage)]
        stages.append(
            StageView(
                id=row.id,
                stage=row.stage,
                name=info.name,
                handled_by=info.handled_by,
                began_on=row.began_on,
                response_due=rules.response_due(row.stage, row.began_on, nation),
                responded_on=row.responded_on,
                notes=row.notes or "",
            )
        )
    return ComplaintView(
        id=complaint.id,
        reference=complaint.reference,
        received_on=complaint.received_on,
        channel=complaint.channel,
        complainant=complaint.complainant or "",
        site_id=complaint.site_id,
        site_name=site.name if site else "",
        nation=nation,
        type=complaint.type,
        summary=complaint.summary or "",
        acknowledged_on=complaint.acknowledged_on,
        acknowledgement_due=rules.acknowledgement_due(complaint.received_on, nation),
        upheld=complaint.upheld,
        apology_given=bool(complaint.apology_given),
        policy_change=complaint.policy_change or "",
        resolved_stage=complaint.resolved_stage,
        resolved_on=complaint.resolved_on,
        stages=tuple(stages),
    )


def complaint_view(complaint_id: int) -> ComplaintView | None:
    complaint = Complaint.get_or_none(Complaint.id == complaint_id)
    return _view(complaint) if complaint else None


def complaint_log() -> list[ComplaintView]:
    """Every complaint, open ones first, then newest received first."""
    views = [_view(c) for c in Complaint.select().order_by(Complaint.received_on.desc(), Complaint.id.desc())]
    return sorted(views, key=lambda v: not v.is_open)


@dataclass(frozen=True)
class ComplaintToFind:
    """What the command palette shows and matches for a complaint."""

    id: int
    reference: str
    received_on: date
    type: str


def complaints_to_find() -> list[ComplaintToFind]:
    """Every complaint, in the order of `complaint_log`, from one query of plain rows
    (for the command palette, built each time it opens)."""
    query = (
        Complaint.select(Complaint.id, Complaint.reference, Complaint.received_on, Complaint.type,
                         Complaint.resolved_stage, Complaint.resolved_on)
        .order_by(Complaint.received_on.desc(), Complaint.id.desc())
        .tuples()
    )
    rows = sorted(query, key=lambda r: not (r[4] is None and r[5] is None))
    return [ComplaintToFind(id_, reference, received_on, type_) for id_, reference, received_on, type_, _, _ in rows]


def site_choices() -> list[tuple[str, int]]:
    """(label, id) for the site picker: active sites, with their nation."""
    out = []
    for site in Site.select().where(Site.archived == False).order_by(Site.name):  # noqa: E712
        out.append((f"{site.name} ({NATION_NAMES[site_nation(site)]})", site.id))
    return out


def next_reference(year: int) -> str:
    pattern = re.compile(rf"^CMP-{year}-(\d+)$")
    highest = 0
    for (reference,) in Complaint.select(Complaint.reference).where(Complaint.reference.startswith(f"CMP-{year}-")).tuples():
        match = pattern.match(reference)
        if match:
            highest = max(highest, int(match.group(1)))
    return f"CMP-{year}-{highest + 1:03d}"


# --------------------------------------------------------------------------- checking a form


@dataclass(frozen=True)
class ComplaintFields:
    received_on: date
    channel: str
    complainant: str
    site_id: int | None
    type: str
    summary: str
    first_stage: int
    acknowledged_on: date | None
    upheld: bool | None
    apology_given: bool
    policy_change: str
    resolved_stage: int | None
    resolved_on: date | None
    # stage number -> (began, responded), for stages already recorded
    stage_dates: tuple[tuple[int, date, date | None], ...] = ()


def _date(form: Mapping[str, Any], key: str, errors: dict[str, str], today: date, what: str) -> date | None:
    try:
        day = parse_optional_uk_date(str(form.get(key) or ""))
    except DateError as exc:
        errors[key] = str(exc)
        return None
    if day is not None and day > today:
        errors[key] = f"{what} ({show_date(day)}) cannot be after today."
        return None
    return day


def check_complaint(
    form: Mapping[str, Any], today: date, existing: Complaint | None = None
) -> tuple[ComplaintFields | None, dict[str, str]]:
    """Read the complaint form. Keys: received, channel, complainant, site, type,
    summary, first_stage (new complaints), acknowledged, upheld ("", "yes", "no"),
    apology, policy_change, resolved_stage ("" or "1".."4"), resolved_on, and for each
    recorded stage n: stage_n_began, stage_n_responded."""
    errors: dict[str, str] = {}

    received = None
    if not str(form.get("received") or "").strip():
        errors["received"] = "Enter the date the complaint was received, for example 03/09/2025."
    else:
        received = _date(form, "received", errors, today, "The date received")

    channel = str(form.get("channel") or "")
    if channel not in COMPLAINT_CHANNELS:
        errors["channel"] = "Choose how it was received: in person, phone, email or letter."

    complainant = " ".join(str(form.get("complainant") or "").split())
    if not complainant:
        errors["complainant"] = "Say who complained without naming them, for example 'Parent of CH-0142'."
    elif looks_like_a_name(complainant):
        errors["complainant"] = "That looks like a name: describe them instead, for example 'Parent of CH-0142'."
    elif len(complainant) > MAX_COMPLAINANT:
        errors["complainant"] = f"Keep this short ({MAX_COMPLAINANT} characters at most): the detail goes in the summary."

    site_id = form.get("site")
    if site_id in ("", None):
        site_id = None
    else:
        try:
            site_id = int(site_id)
        except (TypeError, ValueError):
            site_id = -1
        if Site.get_or_none(Site.id == site_id) is None:
            errors["site"] = "That site is no longer in the vault: choose another, or no site."
            site_id = None

    kind = str(form.get("type") or "")
    if kind not in COMPLAINT_TYPES:
        errors["type"] = "Choose the type of complaint (seed 004's four categories)."

    summary = str(form.get("summary") or "").strip()
    if not summary:
        errors["summary"] = "Write what the complaint is about, even a line."

    recorded = {}
    if existing is not None:
        recorded = {s.stage: s for s in existing.stages}
    first_stage = min(recorded) if recorded else 1
    if existing is None:
        try:
            first_stage = int(form.get("first_stage") or 1)
            if not 1 <= first_stage <= LAST_STAGE:
                raise ValueError
        except (TypeError, ValueError):
            errors["first_stage"] = "Choose the stage the complaint arrived at (1 to 4)."
            first_stage = 1

    acknowledged = _date(form, "acknowledged", errors, today, "The acknowledgement date")
    if acknowledged is not None and received is not None and acknowledged < received:
        errors["acknowledged"] = f"It cannot be acknowledged before it was received ({show_date(received)})."

    upheld_text = str(form.get("upheld") or "")
    upheld = {"": None, "yes": True, "no": False}.get(upheld_text, None)
    if upheld_text not in ("", "yes", "no"):
        errors["upheld"] = "Choose upheld, not upheld, or not decided yet."

    stage_dates: list[tuple[int, date, date | None]] = []
    previous_began = received
    for number in sorted(recorded):
        began_key, replied_key = f"stage_{number}_began", f"stage_{number}_responded"
        began = None
        if not str(form.get(began_key) or "").strip():
            errors[began_key] = f"Enter the date stage {number} began."
        else:
            began = _date(form, began_key, errors, today, f"The start of stage {number}")
        if began is not None and previous_began is not None and began < previous_began:
            if number == first_stage:
                errors[began_key] = f"Stage {number} cannot begin before the complaint was received ({show_date(previous_began)})."
            else:
                errors[began_key] = f"Stage {number} cannot begin before stage {number - 1} did ({show_date(previous_began)})."
        replied = _date(form, replied_key, errors, today, f"The stage {number} reply")
        if replied is not None and began is not None and replied < began:
            errors[replied_key] = f"The reply cannot come before stage {number} began ({show_date(began)})."
        if began is not None:
            stage_dates.append((number, began, replied))
            previous_began = began

    apology = bool(form.get("apology"))
    policy_change = str(form.get("policy_change") or "").strip()

    resolved_stage = None
    resolved_text = str(form.get("resolved_stage") or "")
    reached = max(recorded) if recorded else first_stage
    if resolved_text:
        try:
            resolved_stage = int(resolved_text)
            if not 1 <= resolved_stage <= reached:
                raise ValueError
        except ValueError:
            errors["resolved_stage"] = f"It can only be resolved at a stage it reached (1 to {reached})."
            resolved_stage = None
    resolved_on = _date(form, "resolved_on", errors, today, "The resolution date")
    if resolved_text and resolved_on is None and "resolved_on" not in errors and "resolved_stage" not in errors:
        errors["resolved_on"] = "Enter the date it was resolved."
    if resolved_on is not None and not resolved_text:
        errors["resolved_stage"] = "Choose the stage it was resolved at, or clear the resolution date."
    if resolved_on is not None and resolved_stage is not None:
        began = dict((n, b) for n, b, _ in stage_dates).get(resolved_stage)
        if began is None and received is not None and resolved_stage == first_stage:
            began = received
        if began is not None and resolved_on < began:
            errors["resolved_on"] = f"It cannot be resolved before stage {resolved_stage} began ({show_date(began)})."

    if errors:
        return None, errors
    assert received is not None
    return (
        ComplaintFields(
            received_on=received,
            channel=channel,
            complainant=complainant,
            site_id=site_id,
            type=kind,
            summary=summary,
            first_stage=first_stage,
            acknowledged_on=acknowledged,
            upheld=upheld,
            apology_given=apology,
            policy_change=policy_change,
            resolved_stage=resolved_stage,
            resolved_on=resolved_on,
            stage_dates=tuple(stage_dates),
        ),
        {},
    )


# --------------------------------------------------------------------------- commands


def save_complaint(fields: ComplaintFields, today: date, complaint_id: int | None = None) -> Complaint:
    """Create (with its first stage beginning on the day of receipt) or update."""
    with change():
        if complaint_id is None:
            complaint = Complaint.create(
                reference=next_reference(fields.received_on.year),
                received_on=fields.received_on,
                channel=fields.channel,
                complainant=fields.complainant,
                site=fields.site_id,
                type=fields.type,
                summary=fields.summary,
                acknowledged_on=fields.acknowledged_on,
                upheld=fields.upheld,
                apology_given=fields.apology_given,
                policy_change=fields.policy_change,
                resolved_stage=fields.resolved_stage,
                resolved_on=fields.resolved_on,
            )
            ComplaintStage.create(complaint=complaint, stage=fields.first_stage, began_on=fields.received_on)
            return complaint
        complaint = Complaint.get_by_id(complaint_id)
        complaint.received_on = fields.received_on
        complaint.channel = fields.channel
        complaint.complainant = fields.complainant
        complaint.site = fields.site_id
        complaint.type = fields.type
        complaint.summary = fields.summary
        complaint.acknowledged_on = fields.acknowledged_on
        complaint.upheld = fields.upheld
        complaint.apology_given = fields.apology_given
        complaint.policy_change = fields.policy_change
        complaint.resolved_stage = fields.resolved_stage
        complaint.resolved_on = fields.resolved_on
        complaint.save()
        for number, began, replied in fields.stage_dates:
            ComplaintStage.update(began_on=began, responded_on=replied).where(
                (ComplaintStage.complaint == complaint) & (ComplaintStage.stage == number)
            ).execute()
        return complaint


def check_next_stage(complaint_id: int, began_text: str, today: date) -> tuple[date | None, str]:
    """(the day the next stage began, '') or (None, why not)."""
    view = complaint_view(complaint_id)
    if view is None:
        return None, "That complaint is no longer in the vault."
    if not view.is_open:
        return None, (
            f"{view.reference} is recorded as resolved at stage {view.resolved_stage}: "
            "edit it and clear the resolution first if the complainant took it further."
        )
    if view.stage_number >= LAST_STAGE:
        return None, "Stage 4 (the HCPC) is the last stage of the procedure."
    try:
        began = parse_optional_uk_date(began_text)
    except DateError as exc:
        return None, str(exc)
    if began is None:
        return None, "Enter the date the next stage began, for example 03/09/2025."
    if began > today:
        return None, f"The next stage cannot begin after today ({show_date(began)} is in the future)."
    current = view.current
    if current is not None and began < current.began_on:
        return None, f"Stage {current.stage + 1} cannot begin before stage {current.stage} did ({show_date(current.began_on)})."
    return began, ""


def begin_next_stage(complaint_id: int, began_on: date, notes: str = "") -> ComplaintStage:
    """The complainant took it further: the next stage begins on `began_on`."""
    with change():
        complaint = Complaint.get_by_id(complaint_id)
        current = complaint.stages.order_by(ComplaintStage.stage.desc()).first()
        number = (current.stage if current else 0) + 1
        if number > LAST_STAGE:
            raise ValueError("Stage 4 (the HCPC) is the last stage of the procedure.")
        return ComplaintStage.create(complaint=complaint, stage=number, began_on=began_on, notes=notes.strip())


def check_reply(complaint_id: int, replied_text: str, today: date) -> tuple[date | None, str]:
    view = complaint_view(complaint_id)
    if view is None or view.current is None:
        return None, "That complaint is no longer in the vault."
    try:
        replied = parse_optional_uk_date(replied_text)
    except DateError as exc:
        return None, str(exc)
    if replied is None:
        return None, "Enter the date the reply was sent, for example 03/09/2025."
    if replied > today:
        return None, f"The reply cannot be dated after today ({show_date(replied)} is in the future)."
    if replied < view.current.began_on:
        return None, f"The reply cannot come before stage {view.current.stage} began ({show_date(view.current.began_on)})."
    return replied, ""


def record_reply(complaint_id: int, replied_on: date, notes: str = "") -> None:
    """The current stage's response was sent on `replied_on`."""
    with change():
        stage = (
            ComplaintStage.select()
            .where(ComplaintStage.complaint == complaint_id)
            .order_by(ComplaintStage.stage.desc())
            .first()
        )
        stage.responded_on = replied_on
        if notes.strip():
            stage.notes = (stage.notes + "\n" if stage.notes else "") + notes.strip()
        stage.save()


def check_acknowledged(complaint_id: int, text: str, today: date) -> tuple[date | None, str]:
    view = complaint_view(complaint_id)
    if view is None:
        return None, "That complaint is no longer in the vault."
    try:
        day = parse_optional_uk_date(text)
    except DateError as exc:
        return None, str(exc)
    if day is None:
        return None, "Enter the date the acknowledgement was sent, for example 03/09/2025."
    if day > today:
        return None, f"The acknowledgement cannot be dated after today ({show_date(day)} is in the future)."
    if day < view.received_on:
        return None, f"It cannot be acknowledged before it was received ({show_date(view.received_on)})."
    return day, ""


def record_acknowledged(complaint_id: int, day: date) -> None:
    with change():
        Complaint.update(acknowledged_on=day).where(Complaint.id == complaint_id).execute()


# --------------------------------------------------------------------------- monitoring


def _records() -> list[rules.ComplaintRecord]:
    records = []
    for complaint in Complaint.select():
        site = complaint.site if complaint.site_id else None
        records.append(
            rules.ComplaintRecord(
                received_on=complaint.received_on,
                type=complaint.type,
                acknowledged_on=complaint.acknowledged_on,
                resolved_stage=complaint.resolved_stage,
                stages=tuple(
                    rules.StageRecord(s.stage, s.began_on, s.responded_on)
                    for s in complaint.stages.order_by(ComplaintStage.stage)
                ),
                nation=site_nation(site),
            )
        )
    return records


def monitoring(today: date) -> list[rules.YearReport]:
    """Seed 004's monitoring: per calendar year of receipt, oldest first."""
    return rules.monitoring_report(_records(), today)


def monitoring_csv(today: date) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerows(rules.report_csv_rows(monitoring(today)))
    return out.getvalue()


def default_export_path(today: date) -> Path:
    return Path.home() / f"sitecare-complaints-monitoring-{today.isoformat()}.csv"


def percent(fraction: rules.Fraction) -> str:
    if fraction.value is None:
        return "none due yet"
    return f"{fraction} ({round(fraction.value * 100)}%)"


def write_private_bytes(path: Path | str, data: bytes) -> Path:
    """Write `data` to `path` readable by me only (0600), whole or not at all; never over
    a folder. Plain bytes and a path: safe in a worker thread. OSError says why not."""
    import os
    import secrets

    target = Path(path).expanduser()
    if target.is_dir():
        raise IsADirectoryError(21, f"{target} is a folder: give a file name")
    if not target.parent.is_dir():
        raise FileNotFoundError(2, f"there is no folder {target.parent}")
    tmp = target.with_name(f".{target.name}.{secrets.token_hex(4)}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        try:
            os.fchmod(fd, 0o600)
            view = memoryview(data)
            while view:
                view = view[os.write(fd, view):]
            os.fsync(fd)
        finally:
            os.close(fd)
        os.replace(tmp, target)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise
    return target
