"""The complaints log's data layer: deadlines in the site's nation, the form's checks,
stages, and the monitoring report and its CSV. Expected dates are counted by hand from
the calendar; the bank holidays relied on are named beside each."""

from __future__ import annotations

import csv
import io
import stat
from datetime import date

import pytest

from sitecare.data import complaints
from sitecare.data.models import Complaint, ComplaintStage, LocalAuthority, Site, change

TODAY = date(2026, 11, 22)


def site_in(nation: str) -> int:
    with change():
        la = LocalAuthority.create(name=f"Test Authority {nation}", nation=nation)
        return Site.create(name=f"Test School {nation}", kind="school", local_authority=la).id


def form(**overrides) -> dict:
    base = {
        "received": "06/11/2026",
        "channel": "phone",
        "complainant": "Parent of CH-0142",
        "site": None,
        "type": "standard_of_service",
        "summary": "Sessions started late three weeks running.",
        "first_stage": 1,
        "acknowledged": "",
        "upheld": "",
        "apology": False,
        "policy_change": "",
        "resolved_stage": "",
        "resolved_on": "",
    }
    base.update(overrides)
    return base


def log(today: date = TODAY, **overrides) -> complaints.ComplaintView:
    fields, errors = complaints.check_complaint(form(**overrides), today)
    assert errors == {}
    return complaints.complaint_view(complaints.save_complaint(fields, today).id)


# --------------------------------------------------------------------------- deadlines


def test_from_a_friday_without_a_site_counts_englands_working_days(open_vault):
    # Fri 6 Nov 2026: Mon 9 .. Fri 13 is 5 working days; Mon 16 .. Fri 20 makes 10.
    view = log(received="06/11/2026")
    assert view.nation == "ENG"
    assert view.acknowledgement_due == date(2026, 11, 13)
    assert [(s.stage, s.began_on, s.response_due) for s in view.stages] == [(1, date(2026, 11, 6), date(2026, 11, 20))]
    assert view.reference == "CMP-2026-001"


def test_across_christmas_and_new_year_scotland_keeps_2_january(open_vault):
    # Wed 24 Dec 2025. England: Thu 25, Fri 26 holidays; Mon 29 (1), Tue 30 (2), Wed 31 (3),
    # Thu 1 Jan holiday, Fri 2 Jan (4), Mon 5 (5) ... Fri 9 (9), Mon 12 (10).
    england = log(received="24/12/2025", today=date(2026, 1, 20))
    assert england.acknowledgement_due == date(2026, 1, 5)
    assert england.stages[0].response_due == date(2026, 1, 12)
    # Scotland also keeps Fri 2 Jan: Mon 5 (4), Tue 6 (5) ... Fri 9 (8), Mon 12 (9), Tue 13 (10).
    scotland = log(received="24/12/2025", site=site_in("SCT"), today=date(2026, 1, 20))
    assert scotland.nation == "SCT"
    assert scotland.acknowledgement_due == date(2026, 1, 6)
    assert scotland.stages[0].response_due == date(2026, 1, 13)


def test_the_day_before_a_bank_holiday_christmas_2026_with_substitute_days(open_vault):
    # Thu 24 Dec 2026. Fri 25 Christmas, Sat 26 Boxing Day -> Mon 28 substitute. Tue 29 (1),
    # Wed 30 (2), Thu 31 (3), Fri 1 Jan 2027 holiday, Mon 4 Jan (4), Tue 5 (5).
    england = log(received="24/12/2026", today=date(2027, 1, 20))
    assert england.acknowledgement_due == date(2027, 1, 5)
    # Scotland: 2 Jan 2027 is a Saturday, so Mon 4 Jan is its substitute: Tue 5 (4), Wed 6 (5).
    scotland = log(received="24/12/2026", site=site_in("SCT"), today=date(2027, 1, 20))
    assert scotland.acknowledgement_due == date(2027, 1, 6)


def test_st_patricks_day_in_northern_ireland(open_vault):
    # Fri 13 Mar 2026. Northern Ireland skips Tue 17: Mon 16 (1), Wed 18 (2), Thu 19 (3),
    # Fri 20 (4), Mon 23 (5); England: Mon 16 .. Fri 20.
    northern_ireland = log(received="13/03/2026", site=site_in("NIR"))
    assert northern_ireland.acknowledgement_due == date(2026, 3, 23)
    assert log(received="13/03/2026").acknowledgement_due == date(2026, 3, 20)


def test_the_day_before_good_friday_and_scotlands_working_easter_monday(open_vault):
    # Thu 2 Apr 2026. England: Fri 3 and Mon 6 holidays; Tue 7 (1) .. Fri 10 (4), Mon 13 (5).
    # Scotland works Easter Monday: Mon 6 (1) .. Fri 10 (5).
    assert log(received="02/04/2026").acknowledgement_due == date(2026, 4, 13)
    assert log(received="02/04/2026", site=site_in("SCT")).acknowledgement_due == date(2026, 4, 10)


def test_a_site_without_a_local_authority_counts_in_england(open_vault):
    with change():
        site = Site.create(name="Unplaced Site")
    view = log(received="24/12/2025", site=site.id, today=date(2026, 1, 20))
    assert view.nation == "ENG"
    assert view.acknowledgement_due == date(2026, 1, 5)


# --------------------------------------------------------------------------- the form


@pytest.mark.parametrize(
    "overrides, field, words",
    [
        ({"received": ""}, "received", "Enter the date the complaint was received"),
        ({"received": "23/11/2026"}, "received", "cannot be after today"),
        ({"received": "31/02/2026"}, "received", "is not a real date"),
        ({"complainant": ""}, "complainant", "without naming them"),
        ({"complainant": "Jane Smith"}, "complainant", "looks like a name"),
        ({"summary": "  "}, "summary", "what the complaint is about"),
        ({"type": "rudeness"}, "type", "four categories"),
        ({"channel": "fax"}, "channel", "in person, phone, email or letter"),
        ({"acknowledged": "05/11/2026"}, "acknowledged", "before it was received (6 Nov 2026)"),
        ({"resolved_stage": "1"}, "resolved_on", "Enter the date it was resolved"),
        ({"resolved_on": "10/11/2026"}, "resolved_stage", "Choose the stage"),
        ({"resolved_stage": "2", "resolved_on": "10/11/2026"}, "resolved_stage", "a stage it reached (1 to 1)"),
        ({"resolved_stage": "1", "resolved_on": "05/11/2026"}, "resolved_on", "before stage 1 began (6 Nov 2026)"),
        ({"site": 9999}, "site", "no longer in the vault"),
    ],
)
def test_each_bad_value_gets_one_sentence_by_its_field(open_vault, overrides, field, words):
    fields, errors = complaints.check_complaint(form(**overrides), TODAY)
    assert fields is None
    assert list(errors) == [field]
    assert words in errors[field]


def test_a_complaint_that_arrives_at_stage_2(open_vault):
    view = log(received="06/11/2026", first_stage=2, channel="letter")
    assert [s.stage for s in view.stages] == [2]
    assert view.stages[0].response_due == date(2026, 11, 20)


def test_references_count_up_within_a_year(open_vault):
    log(received="06/11/2026")
    log(received="09/11/2026")
    log(received="30/12/2025", today=date(2026, 1, 20))
    assert sorted(c.reference for c in Complaint.select()) == ["CMP-2025-001", "CMP-2026-001", "CMP-2026-002"]


def test_editing_keeps_the_stage_order(open_vault):
    view = log(received="06/11/2026")
    complaints.begin_next_stage(view.id, date(2026, 11, 16))
    complaint = Complaint.get_by_id(view.id)
    edited = form(stage_1_began="06/11/2026", stage_1_responded="13/11/2026", stage_2_began="05/11/2026")
    fields, errors = complaints.check_complaint(edited, TODAY, complaint)
    assert errors == {"stage_2_began": "Stage 2 cannot begin before stage 1 did (6 Nov 2026)."}
    edited["stage_2_began"] = "16/11/2026"
    edited["stage_1_responded"] = "05/11/2026"
    _, errors = complaints.check_complaint(edited, TODAY, complaint)
    assert errors == {"stage_1_responded": "The reply cannot come before stage 1 began (6 Nov 2026)."}
    edited["stage_1_responded"] = "13/11/2026"
    fields, errors = complaints.check_complaint(edited, TODAY, complaint)
    assert errors == {}
    complaints.save_complaint(fields, TODAY, view.id)
    assert ComplaintStage.get(complaint=view.id, stage=1).responded_on == date(2026, 11, 13)


# --------------------------------------------------------------------------- stages


def test_moving_through_the_stages(open_vault):
    view = log(received="06/11/2026")
    assert complaints.check_reply(view.id, "05/11/2026", TODAY)[1] == "The reply cannot come before stage 1 began (6 Nov 2026)."
    replied, _ = complaints.check_reply(view.id, "13/11/2026", TODAY)
    complaints.record_reply(view.id, replied, "Explained the timetable change.")
    assert complaints.check_next_stage(view.id, "05/11/2026", TODAY)[1] == "Stage 2 cannot begin before stage 1 did (6 Nov 2026)."
    assert "after today" in complaints.check_next_stage(view.id, "23/11/2026", TODAY)[1]
    began, problem = complaints.check_next_stage(view.id, "16/11/2026", TODAY)
    assert problem == ""
    complaints.begin_next_stage(view.id, began, "Wrote to CAT.")
    view = complaints.complaint_view(view.id)
    # Mon 16 Nov 2026 + 10 working days: Tue 17 .. Mon 30 Nov.
    assert [(s.stage, s.began_on, s.response_due, s.responded_on) for s in view.stages] == [
        (1, date(2026, 11, 6), date(2026, 11, 20), date(2026, 11, 13)),
        (2, date(2026, 11, 16), date(2026, 11, 30), None),
    ]
    assert view.next_line(TODAY) == "acknowledge OVERDUE (13 Nov 2026)"
    complaints.record_acknowledged(view.id, date(2026, 11, 9))
    assert complaints.complaint_view(view.id).next_line(TODAY) == "reply by 30 Nov 2026"
    complaints.begin_next_stage(view.id, date(2026, 11, 20))
    view = complaints.complaint_view(view.id)
    # Stage 3 is the commissioning organisation's: no sitecare deadline, but stage 2's stays owed.
    assert view.stages[-1].response_due is None
    assert view.next_line(TODAY) == "reply by 30 Nov 2026"
    complaints.begin_next_stage(view.id, date(2026, 11, 21))
    assert complaints.check_next_stage(view.id, "22/11/2026", TODAY)[1] == "Stage 4 (the HCPC) is the last stage of the procedure."


def test_a_resolved_complaint_does_not_move_on(open_vault):
    view = log(received="06/11/2026", acknowledged="09/11/2026", resolved_stage="1", resolved_on="13/11/2026")
    assert not view.is_open
    assert view.next_line(TODAY) == "resolved at stage 1"
    assert "resolved at stage 1" in complaints.check_next_stage(view.id, "16/11/2026", TODAY)[1]


# --------------------------------------------------------------------------- monitoring


def test_monitoring_report_and_csv(open_vault, tmp_path):
    # 2025: one acknowledged late, resolved at stage 1 with its reply on time.
    late = log(received="01/12/2025", type="practitioner_behaviour", acknowledged="09/12/2025",
               resolved_stage="1", resolved_on="10/12/2025", today=date(2026, 1, 20))
    complaints.record_reply(late.id, date(2025, 12, 10))
    # 2026: acknowledged on time, stage 1 replied late, stage 2 open and not yet due.
    view = log(received="02/11/2026", type="inadequate_information", acknowledged="04/11/2026")
    complaints.record_reply(view.id, date(2026, 11, 17))
    complaints.begin_next_stage(view.id, date(2026, 11, 18))
    reports = complaints.monitoring(TODAY)
    assert [r.year for r in reports] == [2025, 2026]
    r2025, r2026 = reports
    # Mon 1 Dec 2025 + 5 working days = Mon 8 Dec: the 9 Dec acknowledgement was late.
    assert (r2025.acknowledged_on_time.numerator, r2025.acknowledged_on_time.denominator) == (0, 1)
    assert (r2025.answered_on_time.numerator, r2025.answered_on_time.denominator) == (1, 1)
    assert r2025.by_stage_resolved[1] == 1
    # Mon 2 Nov 2026 + 10 working days = Mon 16 Nov: the 17 Nov reply was late; stage 2
    # (due Wed 2 Dec) is not counted yet.
    assert (r2026.answered_on_time.numerator, r2026.answered_on_time.denominator) == (0, 1)
    assert r2026.by_stage_resolved[None] == 1
    assert complaints.percent(r2026.acknowledged_on_time) == "1 of 1 (100%)"

    rows = list(csv.reader(io.StringIO(complaints.monitoring_csv(TODAY))))
    assert rows[0][:3] == ["Year", "Complaints received", "Art Therapist/Practitioner behaviour"]
    assert rows[1] == ["2025", "1", "1", "0", "0", "0", "1", "0", "0", "0", "0", "0", "1", "1", "1"]
    assert rows[2] == ["2026", "1", "0", "0", "0", "1", "0", "0", "0", "0", "1", "1", "1", "0", "1"]

    target = complaints.write_private_bytes(tmp_path / "report.csv", complaints.monitoring_csv(TODAY).encode())
    assert stat.S_IMODE(target.stat().st_mode) == 0o600
    assert target.read_text().startswith("Year,Complaints received")
    with pytest.raises(IsADirectoryError):
        complaints.write_private_bytes(tmp_path, b"x")
    with pytest.raises(FileNotFoundError):
        complaints.write_private_bytes(tmp_path / "missing" / "r.csv", b"x")
