"""The calendar export (data/calendar.py): RFC 5545 by hand, parsed back with icalendar."""

from __future__ import annotations

import os
import stat
from datetime import date, datetime, timedelta, timezone

import icalendar
import pytest

from sitecare.data.calendar import (
    CalendarExistsError,
    build_calendar,
    calendar_target,
    escape_text,
    fold,
    write_calendar,
)
from sitecare.rules.attention import AttentionItem, Kind, RecordRef, Severity

TODAY = date(2026, 11, 22)
STAMP = datetime(2026, 11, 22, 9, 0, tzinfo=timezone.utc)


def item(kind, subject, due, action="Renew before it expires", detail="", ref=RecordRef("training_record", 1)):
    return AttentionItem(kind, subject, due, Severity.DUE_SOON, action, ref, detail)


ITEMS = [
    item(Kind.TRAINING, "Safeguarding children", date(2027, 2, 28), ref=RecordRef("training_record", 3)),
    item(Kind.COMPLAINT_RESPONSE, "CMP-2026-001 stage 2", date(2026, 12, 1), "Respond to the complaint; in writing, today",
         ref=RecordRef("complaint", 1)),
    item(Kind.CONCERN_ACTION, "C-2026-010 at Otterbrook Academy", TODAY, "Do the concern's next action",
         detail="Ask the DSL about the child's bruises", ref=RecordRef("action", 4)),
    # Overdue: not in a calendar of what is coming.
    item(Kind.AUTHORITY, "Luton", date(2026, 11, 21), ref=RecordRef("local_authority", 2)),
    # Long enough, with non-ASCII, to be folded.
    item(Kind.POLICY, "Ysgol Gynradd Llanfair Pwllgwyngyll — Ffôn, Côr a Chyfarfodydd (Welsh-medium primary)",
         date(2027, 9, 1), "Re-sign the safeguarding policy when it falls due", ref=RecordRef("policy", 9)),
]


def test_parses_back_with_icalendar():
    data = build_calendar(ITEMS, TODAY, STAMP, namespace="abc")
    cal = icalendar.Calendar.from_ical(data)
    assert cal["VERSION"] == "2.0"
    assert str(cal["PRODID"]) == "-//sitecare//due dates//EN"
    events = cal.walk("VEVENT")
    assert [str(e["SUMMARY"]) for e in events] == [
        "Concern action: C-2026-010 at Otterbrook Academy",
        "Complaint: CMP-2026-001 stage 2",
        "Training: Safeguarding children",
        "Policy: Ysgol Gynradd Llanfair Pwllgwyngyll — Ffôn, Côr a Chyfarfodydd (Welsh-medium primary)",
    ]
    first = events[0]
    assert first["DTSTART"].dt == TODAY  # all-day: a date, not a datetime
    assert first["DTEND"].dt == TODAY + timedelta(days=1)
    assert first["DTSTAMP"].dt == STAMP
    assert events[1]["DESCRIPTION"] == "Respond to the complaint; in writing, today. From sitecare: open it there to act on it."
    for event in events:
        alarms = event.walk("VALARM")
        assert len(alarms) == 1
        assert alarms[0]["ACTION"] == "DISPLAY"
    assert events[2].walk("VALARM")[0]["TRIGGER"].dt == timedelta(days=-7)  # training: a week ahead
    assert events[1].walk("VALARM")[0]["TRIGGER"].dt == timedelta(days=-1)  # complaint: a day ahead
    uids = [str(e["UID"]) for e in events]
    assert len(set(uids)) == 4 and all(u.endswith("@sitecare") for u in uids)


def test_free_text_detail_never_leaves_the_vault():
    data = build_calendar(ITEMS, TODAY, STAMP)
    assert b"bruises" not in data


def test_lines_are_crlf_and_folded_at_75_octets():
    data = build_calendar(ITEMS, TODAY, STAMP)
    assert data.endswith(b"END:VCALENDAR\r\n")
    body = data[:-2].split(b"\r\n")
    assert all(len(line) <= 75 for line in body)
    assert b"\n" not in data.replace(b"\r\n", b"")
    assert any(line.startswith(b" ") for line in body)  # the long summary was folded
    for line in body:
        line.decode("utf-8")  # no UTF-8 sequence cut in two


def test_fold_never_splits_a_character():
    line = "SUMMARY:" + "é" * 60  # 8 + 120 octets
    folded = fold(line)
    parts = folded[:-2].split(b"\r\n ")
    assert [len(p) for p in parts] == [74, 54]  # 8 + 33*2 = 74 fits; a 34th é would make 76
    assert b"".join(parts).decode() == line
    assert fold("X" * 75) == b"X" * 75 + b"\r\n"
    assert fold("X" * 76) == b"X" * 75 + b"\r\n X\r\n"


def test_escaping():
    assert escape_text("a;b,c\\d\ne") == "a\\;b\\,c\\\\d\\ne"


def test_uid_is_stable_between_exports():
    one = icalendar.Calendar.from_ical(build_calendar(ITEMS, TODAY, STAMP, "v1"))
    later = icalendar.Calendar.from_ical(build_calendar(ITEMS, TODAY, STAMP + timedelta(days=3), "v1"))
    other_vault = icalendar.Calendar.from_ical(build_calendar(ITEMS, TODAY, STAMP, "v2"))
    uids = lambda cal: [str(e["UID"]) for e in cal.walk("VEVENT")]  # noqa: E731
    assert uids(one) == uids(later)
    assert not set(uids(one)) & set(uids(other_vault))


def test_empty_calendar_is_still_valid():
    cal = icalendar.Calendar.from_ical(build_calendar([], TODAY, STAMP))
    assert cal.walk("VEVENT") == []


def test_write_refuses_to_overwrite_and_is_private(tmp_path):
    path = tmp_path / "due.ics"
    write_calendar(path, b"one")
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    with pytest.raises(CalendarExistsError):
        write_calendar(path, b"two")
    assert path.read_bytes() == b"one"
    write_calendar(path, b"two", overwrite=True)
    assert path.read_bytes() == b"two"
    assert [p.name for p in tmp_path.iterdir()] == ["due.ics"]  # no temp file left


def test_target_folder_gets_a_file_name(tmp_path):
    assert calendar_target(str(tmp_path)) == tmp_path / "sitecare-due-dates.ics"
    with pytest.raises(Exception, match="no folder"):
        calendar_target(str(tmp_path / "missing" / "x.ics"))
