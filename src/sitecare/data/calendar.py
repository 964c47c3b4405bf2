"""The attention list's future due dates as an iCalendar file (RFC 5545).

Written by hand (no runtime dependency): each due date is an all-day VEVENT with a
VALARM reminder. Lines end in CRLF and are folded at 75 octets without splitting a
UTF-8 character (RFC 5545 3.1); text values are escaped (3.3.11). UIDs are stable for
a record and kind of deadline, so importing a newer export moves an event rather than
adding a second one.

The file leaves the vault unencrypted, so an event carries only the kind of deadline,
its subject (a site, a training kind, a complaint or concern reference, a client's
reference code) and the action: never an item's free-text detail.
"""

from __future__ import annotations

import errno
import hashlib
import os
import secrets
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

from ..rules.attention import AttentionItem, Kind

PRODID = "-//sitecare//due dates//EN"
# A reminder a week ahead for what takes arranging (a course, a signature, a call to
# the council); a day ahead for deadlines already being worked on.
LONG_NOTICE = frozenset({Kind.TRAINING, Kind.REQUIREMENT, Kind.POLICY, Kind.CONTACTS, Kind.NO_DSL, Kind.AUTHORITY,
                         Kind.CONSENT_REVIEW, Kind.CONSENT_REFRESH, Kind.NOTES_DISPOSAL, Kind.ARTWORK_DISPOSAL})


class CalendarError(ValueError):
    """One sentence fit to show a person."""


class CalendarExistsError(CalendarError):
    pass


def escape_text(value: str) -> str:
    return (
        value.replace("\\", "\\\\")
        .replace(";", "\\;")
        .replace(",", "\\,")
        .replace("\r\n", "\\n")
        .replace("\n", "\\n")
        .replace("\r", "\\n")
    )


def fold(line: str) -> bytes:
    """One content line as bytes, folded so no physical line exceeds 75 octets."""
    data = line.encode("utf-8")
    if len(data) <= 75:
        return data + b"\r\n"
    parts = []
    start = 0
    limit = 75
    while start < len(data):
        end = min(start + limit, len(data))
        # Never cut inside a UTF-8 sequence: back off to a lead byte.
        while end < len(data) and (data[end] & 0xC0) == 0x80:
            end -= 1
        parts.append(data[start:end])
        start = end
        limit = 74  # continuation lines begin with one space
    return b"\r\n ".join(parts) + b"\r\n"


def _date(day: date) -> str:
    return f"{day.year:04d}{day.month:02d}{day.day:02d}"


def _uid(item: AttentionItem, namespace: str) -> str:
    key = f"{namespace}|{item.kind.value}|{item.ref.table}|{item.ref.id}|{item.subject}"
    digest = hashlib.sha256(key.encode()).hexdigest()
    return f"{digest[:32]}@sitecare"


def future_items(items: list[AttentionItem], today: date) -> list[AttentionItem]:
    return sorted((i for i in items if i.due >= today), key=lambda i: (i.due, i.kind.value, i.subject))


def build_calendar(items: list[AttentionItem], today: date, stamp: datetime, namespace: str = "") -> bytes:
    """VCALENDAR bytes for every item due today or later. `stamp` is the DTSTAMP (the
    moment of export; a naive datetime is taken as local time)."""
    if stamp.tzinfo is None:
        stamp = stamp.astimezone()
    dtstamp = stamp.astimezone(timezone.utc).strftime("%Y%m%dT%H%M%SZ")
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        f"PRODID:{PRODID}",
        "CALSCALE:GREGORIAN",
        "METHOD:PUBLISH",
        "X-WR-CALNAME:sitecare due dates",
    ]
    for item in future_items(items, today):
        summary = f"{item.label}: {item.subject}"
        description = f"{item.action}. From sitecare: open it there to act on it."
        notice = "-P7D" if item.kind in LONG_NOTICE else "-P1D"
        lines += [
            "BEGIN:VEVENT",
            f"UID:{_uid(item, namespace)}",
            f"DTSTAMP:{dtstamp}",
            f"DTSTART;VALUE=DATE:{_date(item.due)}",
            f"DTEND;VALUE=DATE:{_date(item.due + timedelta(days=1))}",
            f"SUMMARY:{escape_text(summary)}",
            f"DESCRIPTION:{escape_text(description)}",
            f"CATEGORIES:{escape_text(item.label)}",
            "TRANSP:TRANSPARENT",
            "BEGIN:VALARM",
            "ACTION:DISPLAY",
            f"DESCRIPTION:{escape_text(summary)}",
            f"TRIGGER:{notice}",
            "END:VALARM",
            "END:VEVENT",
        ]
    lines.append("END:VCALENDAR")
    return b"".join(fold(line) for line in lines)


def calendar_target(text: str) -> Path:
    raw = (text or "").strip().strip("'\"")
    if not raw:
        raise CalendarError("Enter a file name for the calendar, for example ~/sitecare-due-dates.ics.")
    path = Path(raw).expanduser()
    if path.is_dir():
        path = path / "sitecare-due-dates.ics"
    if not path.parent.is_dir():
        raise CalendarError(f"There is no folder {path.parent}: create it first or choose another.")
    return path


def write_calendar(path: Path, data: bytes, overwrite: bool = False) -> Path:
    """Write the file (mode 0600), never replacing one unasked. Worker-safe."""
    if path.exists() and not overwrite:
        raise CalendarExistsError(f"{path} already exists.")
    tmp = path.with_name(f".{path.name}.{secrets.token_hex(4)}.part")
    try:
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        try:
            view = memoryview(data)
            while view:
                view = view[os.write(fd, view):]
            os.fsync(fd)
        finally:
            os.close(fd)
        if not overwrite and path.exists():
            raise CalendarExistsError(f"{path} already exists.")
        os.replace(tmp, path)
        os.chmod(path, 0o600)
    except CalendarError:
        raise
    except OSError as exc:
        why = "the disk is full" if exc.errno == errno.ENOSPC else (exc.strerror or str(exc))
        raise CalendarError(f"Could not write {path} ({why}).") from None
    finally:
        tmp.unlink(missing_ok=True)
    return path
