"""Sharing a concern's record: Markdown, plain text, and an .eml draft for the site's DSL.

Seed 000 (commissioned work, step 4): a copy of the record must be shared with the site's
designated safeguarding lead. Seed 002: third-party information marked restricted is left
out of what is shared unless the practitioner asks for it.

Building the text reads the database (app thread); writing the file is plain bytes, so it
can run in a worker. Every exported file is written with mode 0600 and never replaces an
existing file unless asked to.
"""

from __future__ import annotations

import errno
import os
from dataclasses import dataclass
from datetime import datetime
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid
from pathlib import Path

from ..rules.concerns import CATEGORIES, CLIENT_TYPE_LABELS, CONSENT_LABELS, STATUS_LABELS, show_moment
from ..rules.dates import show_date
from . import concerns as c
from .models import Concern

FORMATS = {
    "markdown": ("Markdown record (.md)", ".md"),
    "text": ("Plain-text record (.txt)", ".txt"),
    "eml": ("Email draft to the site's DSL, record attached (.eml)", ".eml"),
}


class ExportError(Exception):
    """One sentence fit to show a person."""


@dataclass(frozen=True)
class Record:
    """A concern's record laid out once, rendered as Markdown or plain text."""

    title: str
    facts: list[tuple[str, str]]
    sections: list[tuple[str, str]]  # (heading, body) for account and observation
    entries: list[tuple[str, str, list[str]]]  # (heading, text, detail lines)
    actions: list[str]
    left_out: int
    include_restricted: bool
    produced: str


def build_record(concern: Concern, now: datetime, include_restricted: bool = False) -> Record:
    numbers = c.entry_numbers(concern)
    site = concern.site
    recorded = list(concern.categories or [])
    categories = [x for x in CATEGORIES if x in recorded] + [x for x in recorded if x not in CATEGORIES]
    facts = [
        ("Reference", concern.reference),
        ("Site", site.name if site is not None else "not recorded"),
        ("Kind", c.kind_label(concern.kind)),
        ("Status", STATUS_LABELS.get(concern.status, concern.status)
         + (f" (signed off {show_date(concern.closed_on)})" if concern.closed_on else "")),
        ("Client", (concern.client_reference or "not recorded")
         + f" ({CLIENT_TYPE_LABELS.get(concern.client_type, concern.client_type).lower()})"),
        ("Happened", show_moment(concern.occurred_at, "not known")),
        ("Disclosed or noticed", show_moment(concern.noticed_at)),
        ("Categories", ", ".join(categories) or "none recorded"),
        ("Immediate danger", "yes: police called first (999)" if concern.immediate_danger else "no"),
    ]
    entries = []
    left_out = 0
    for entry in c.entries(concern):
        restricted = c.is_restricted(entry)
        if restricted and not include_restricted:
            left_out += 1
            continue
        number = numbers.get(entry.id, 0)
        heading = f"#{number} {show_moment(entry.at)} — {c.entry_kind_label(entry.kind)}"
        if restricted:
            heading += " — RESTRICTED third-party information"
        details = []
        if entry.who:
            details.append(f"Recorded by: {entry.who}")
        if entry.how:
            details.append(f"How: {entry.how}")
        if entry.shared_with:
            details.append(f"With: {entry.shared_with}")
        if entry.purpose:
            details.append(("Reason" if entry.kind in ("decision", "note") else "Purpose") + f": {entry.purpose}")
        if entry.consent:
            details.append(CONSENT_LABELS.get(entry.consent, entry.consent)
                           + (f": {entry.consent_reason}" if entry.consent_reason else ""))
        if entry.corrects_id:
            details.append(f"Corrects entry #{numbers.get(entry.corrects_id, '?')} (which is kept as written)")
        corrections = [numbers[x.id] for x in entry.corrections if x.id in numbers]
        if corrections:
            details.append("Corrected by " + ", ".join(f"#{n}" for n in corrections))
        if entry.recorded_at and abs((entry.recorded_at - entry.at).total_seconds()) > 600:
            details.append(f"Written down {show_moment(entry.recorded_at)}")
        entries.append((heading, entry.text, details))
    actions = []
    for action in c.all_actions(concern):
        state = f"done {show_date(action.done_on)}" if action.done_on else f"due {show_date(action.due)}"
        actions.append(f"{action.description} — {action.owner or 'me'}, {state}")
    sections = []
    if concern.account:
        sections.append(("Account (as given)", concern.account))
    if concern.observed:
        sections.append(("What was observed", concern.observed))
    return Record(
        title=f"Safeguarding concern {concern.reference}",
        facts=facts,
        sections=sections,
        entries=entries,
        actions=actions,
        left_out=left_out,
        include_restricted=include_restricted,
        produced=show_moment(now.replace(second=0, microsecond=0)),
    )


def _restricted_line(record: Record) -> str:
    if record.include_restricted:
        return "This copy INCLUDES entries marked restricted third-party information: share it only with those who need them."
    if record.left_out:
        return (f"{record.left_out} entr{'ies' if record.left_out != 1 else 'y'} marked restricted "
                "third-party information left out of this copy.")
    return "No entries are marked restricted."


def record_markdown(concern: Concern, now: datetime, include_restricted: bool = False) -> str:
    record = build_record(concern, now, include_restricted)
    lines = [f"# {record.title}", "", "CONFIDENTIAL: safeguarding record. Share only on a need-to-know basis.", ""]
    lines += [f"- **{label}:** {value}" for label, value in record.facts]
    lines += ["", f"_{_restricted_line(record)} Produced {record.produced}._", ""]
    for heading, body in record.sections:
        lines += [f"## {heading}", "", body, ""]
    lines += ["## Chronology", ""]
    if not record.entries:
        lines += ["(no entries)", ""]
    for heading, text, details in record.entries:
        lines += [f"### {heading}", "", text, ""]
        lines += [f"- {d}" for d in details]
        if details:
            lines.append("")
    lines += ["## Follow-up actions", ""]
    lines += [f"- {a}" for a in record.actions] or ["(none)"]
    lines.append("")
    return "\n".join(lines)


def record_text(concern: Concern, now: datetime, include_restricted: bool = False) -> str:
    record = build_record(concern, now, include_restricted)
    title = record.title.upper()
    lines = [title, "=" * len(title), "CONFIDENTIAL: safeguarding record. Share only on a need-to-know basis.", ""]
    width = max(len(label) for label, _ in record.facts)
    lines += [f"{label + ':':<{width + 1}} {value}" for label, value in record.facts]
    lines += ["", _restricted_line(record), f"Produced {record.produced}.", ""]
    for heading, body in record.sections:
        lines += [heading.upper(), "-" * len(heading), body, ""]
    lines += ["CHRONOLOGY", "----------"]
    if not record.entries:
        lines.append("(no entries)")
    for heading, text, details in record.entries:
        lines += ["", heading, text]
        lines += [f"  {d}" for d in details]
    lines += ["", "FOLLOW-UP ACTIONS", "-----------------"]
    lines += [f"* {a}" for a in record.actions] or ["(none)"]
    lines.append("")
    return "\n".join(lines)


def eml_draft(
    concern: Concern, now: datetime, attachment_name: str, attachment: str, sender: str = ""
) -> tuple[bytes, str]:
    """An unsent email to the site's DSL with the record attached; (bytes, warning)."""
    name, address = c.site_dsl_now(concern.site, now.date())
    warning = ""
    message = EmailMessage()
    if address:
        message["To"] = f"{name} <{address}>" if name else address
    else:
        warning = (
            "No email address is recorded for the site's DSL: the draft has no recipient; add it before sending."
            if name or concern.site is not None
            else "No site is recorded for this concern: the draft has no recipient."
        )
    if sender:
        message["From"] = sender
    message["Subject"] = f"Safeguarding concern {concern.reference}: record attached"
    message["Date"] = format_datetime(now.astimezone())
    message["Message-ID"] = make_msgid(domain="sitecare.invalid")
    message["X-Unsent"] = "1"  # opened as a draft to send, in mail programs that read it
    greeting = f"Dear {name}," if name else "Hello,"
    message.set_content(
        f"{greeting}\n\n"
        f"Please find attached my record of safeguarding concern {concern.reference}"
        f"{' at ' + concern.site.name if concern.site is not None else ''}, "
        f"disclosed or noticed {show_moment(concern.noticed_at)}, as a copy for your records.\n\n"
        "It is confidential: please keep it with your safeguarding records.\n"
    )
    subtype = "markdown" if attachment_name.endswith(".md") else "plain"
    message.add_attachment(attachment.encode("utf-8"), maintype="text", subtype=subtype, filename=attachment_name)
    return bytes(message), warning


def default_name(concern: Concern, fmt: str) -> str:
    return f"{concern.reference}-record{FORMATS[fmt][1]}"


def write_export(path: Path, data: bytes, overwrite: bool = False) -> Path:
    """Write `data` with mode 0600; an existing file is only replaced when `overwrite`.

    Worker-safe: bytes in, a path out, no database.
    """
    path = Path(path).expanduser()
    if path.is_dir():
        raise ExportError(f"{path} is a folder: add a file name.")
    if not path.parent.is_dir():
        raise ExportError(f"The folder {path.parent} does not exist.")
    flags = os.O_WRONLY | os.O_CREAT | (os.O_TRUNC if overwrite else os.O_EXCL)
    try:
        fd = os.open(path, flags, 0o600)
    except FileExistsError:
        raise ExportError(f"{path.name} already exists in {path.parent}.") from None
    except OSError as exc:
        raise ExportError(f"Cannot write {path} ({exc.strerror}).") from None
    try:
        os.fchmod(fd, 0o600)  # an overwritten file keeps its old mode otherwise
        view = memoryview(data)
        while view:
            view = view[os.write(fd, view):]
        os.fsync(fd)
    except OSError as exc:
        raise ExportError(
            f"Cannot write {path} ({'the disk is full' if exc.errno == errno.ENOSPC else exc.strerror})."
        ) from None
    finally:
        os.close(fd)
    return path


def export_bytes(concern: Concern, fmt: str, now: datetime, include_restricted: bool, attachment: str = "markdown") -> tuple[bytes, str]:
    """(bytes to write, warning) for one format."""
    if fmt == "markdown":
        return record_markdown(concern, now, include_restricted).encode("utf-8"), ""
    if fmt == "text":
        return record_text(concern, now, include_restricted).encode("utf-8"), ""
    if fmt == "eml":
        body = (record_markdown if attachment == "markdown" else record_text)(concern, now, include_restricted)
        return eml_draft(concern, now, default_name(concern, attachment), body)
    raise ExportError(f"Unknown format {fmt!r}.")

