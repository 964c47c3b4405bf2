"""Complaints (seed 004): deadlines in working days and the monitoring report."""

from datetime import date

import pytest

from sitecare.rules.complaints import (
    STAGES,
    TYPE_LABELS,
    Channel,
    ComplaintRecord,
    ComplaintType,
    Fraction,
    StageRecord,
    acknowledgement_due,
    monitoring_report,
    report_csv_header,
    report_csv_rows,
    response_due,
)

# --- deadlines ---------------------------------------------------------------------


def test_acknowledgement_five_working_days_from_a_friday():
    # Fri 5 Sep 2025 -> Mon 8 .. Fri 12.
    assert acknowledgement_due(date(2025, 9, 5), "ENG") == date(2025, 9, 12)


def test_acknowledgement_across_christmas_and_new_year():
    # Wed 24 Dec 2025: Mon 29 (1), Tue 30 (2), Wed 31 (3), Fri 2 Jan (4), Mon 5 Jan (5).
    assert acknowledgement_due(date(2025, 12, 24), "ENG") == date(2026, 1, 5)
    # Scotland also keeps Fri 2 Jan: Mon 5 (4), Tue 6 (5).
    assert acknowledgement_due(date(2025, 12, 24), "SCT") == date(2026, 1, 6)


def test_no_site_means_england():
    assert acknowledgement_due(date(2025, 12, 24)) == date(2026, 1, 5)
    assert acknowledgement_due(date(2025, 12, 24), None) == date(2026, 1, 5)


def test_stage_response_ten_working_days_from_a_friday():
    # Fri 5 Sep 2025 -> Fri 19 Sep 2025.
    assert response_due(1, date(2025, 9, 5), "ENG") == date(2025, 9, 19)


def test_stage_two_from_the_day_before_good_friday():
    # Thu 17 Apr 2025. England: Tue 22 .. Fri 25 (1-4), Mon 28 (5), Tue 29 (6),
    # Wed 30 (7), Thu 1 May (8), Fri 2 May (9), Mon 5 May holiday, Tue 6 May (10).
    assert response_due(2, date(2025, 4, 17), "ENG") == date(2025, 5, 6)
    # Scotland works Easter Monday: Mon 21 (1) .. Fri 25 (5), Mon 28 .. Fri 2 May (10).
    assert response_due(2, date(2025, 4, 17), "SCT") == date(2025, 5, 2)


def test_stage_response_across_st_patricks_day():
    # Fri 13 Mar 2026. England: Mon 16 .. Fri 27 Mar (10).
    assert response_due(1, date(2026, 3, 13), "ENG") == date(2026, 3, 27)
    # NIR skips Tue 17: Mon 16 (1), Wed 18 (2), Thu 19 (3), Fri 20 (4), Mon 23 .. Fri 27
    # (5-9), Mon 30 (10).
    assert response_due(1, date(2026, 3, 13), "NIR") == date(2026, 3, 30)


def test_stages_three_and_four_have_no_deadline_of_ours():
    assert response_due(3, date(2025, 9, 5)) is None
    assert response_due(4, date(2025, 9, 5)) is None


def test_there_is_no_stage_five():
    with pytest.raises(ValueError):
        response_due(5, date(2025, 9, 5))


# --- the seed's words ---------------------------------------------------------------


def test_stage_names_are_the_seeds():
    assert [STAGES[n].name for n in (1, 2, 3, 4)] == [
        "Resolving the complaint informally",
        "Formal complaint to CAT",
        "Formal complaint to commissioning organisation",
        "Formal complaint to HCPC",
    ]
    assert [STAGES[n].response_working_days for n in (1, 2, 3, 4)] == [10, 10, None, None]


def test_type_labels_are_the_seeds_four_categories():
    assert [TYPE_LABELS[t] for t in ComplaintType] == [
        "Art Therapist/Practitioner behaviour",
        "Standard of service",
        "Failure to provide a service",
        "Inadequate information",
    ]


def test_values_match_the_stored_strings():
    assert [t.value for t in ComplaintType] == [
        "practitioner_behaviour",
        "standard_of_service",
        "failure_to_provide",
        "inadequate_information",
    ]
    assert [c.value for c in Channel] == ["in_person", "phone", "email", "letter"]


# --- fractions ----------------------------------------------------------------------


def test_fraction_reads_as_counts():
    assert str(Fraction(3, 4)) == "3 of 4"
    assert Fraction(3, 4).value == 0.75
    assert Fraction(0, 0).value is None


# --- monitoring report ------------------------------------------------------------------
#
# Deadlines below are worked out by hand (England unless stated).
#
# 2025
#   A  received Fri 5 Sep 2025, ack due Fri 12 Sep, acknowledged 12 Sep (on time, the
#      due day itself); stage 1 began 5 Sep, due 19 Sep, answered 19 Sep (on time);
#      resolved at stage 1.
#   B  received Mon 22 Dec 2025, ack due Wed 31 Dec, acknowledged Fri 2 Jan (late);
#      stage 1 began 22 Dec, due: 23, 24, 29, 30, 31 Dec, 2, 5, 6, 7, 8 Jan -> Thu 8 Jan,
#      answered 5 Jan (on time); stage 2 began Mon 12 Jan 2026, due Mon 26 Jan, answered
#      30 Jan (late); resolved at stage 2.
#   C  received Wed 1 Oct 2025, ack due Wed 8 Oct, never acknowledged and past due by
#      today (late, counted); stage 3 began 1 Nov (no deadline of ours); unresolved.
# 2026 (today = Wed 1 Jul 2026)
#   D  received Mon 29 Jun 2026, ack due Mon 6 Jul: not yet due and not done (not
#      counted); stage 1 began 29 Jun, not answered, not due (not counted).
#   E  received Mon 1 Jun 2026, ack due Mon 8 Jun, acknowledged 8 Jun (on time);
#      stage 1 began 1 Jun, due Mon 15 Jun, answered Tue 16 Jun (late); resolved at 1.

TODAY = date(2026, 7, 1)

RECORDS = [
    ComplaintRecord(
        date(2025, 9, 5), "standard_of_service", date(2025, 9, 12), 1,
        (StageRecord(1, date(2025, 9, 5), date(2025, 9, 19)),),
    ),
    ComplaintRecord(
        date(2025, 12, 22), "practitioner_behaviour", date(2026, 1, 2), 2,
        (
            StageRecord(1, date(2025, 12, 22), date(2026, 1, 5)),
            StageRecord(2, date(2026, 1, 12), date(2026, 1, 30)),
        ),
    ),
    ComplaintRecord(
        date(2025, 10, 1), "failure_to_provide", None, None,
        (StageRecord(3, date(2025, 11, 1)),),
    ),
    ComplaintRecord(
        date(2026, 6, 29), "inadequate_information", None, None,
        (StageRecord(1, date(2026, 6, 29)),),
    ),
    ComplaintRecord(
        date(2026, 6, 1), "standard_of_service", date(2026, 6, 8), 1,
        (StageRecord(1, date(2026, 6, 1), date(2026, 6, 16)),),
    ),
]


def test_report_has_one_row_per_year_oldest_first():
    assert [r.year for r in monitoring_report(RECORDS, TODAY)] == [2025, 2026]


def test_report_2025_counts():
    y2025 = monitoring_report(RECORDS, TODAY)[0]
    assert y2025.received == 3
    assert y2025.by_type == {
        ComplaintType.PRACTITIONER_BEHAVIOUR: 1,
        ComplaintType.STANDARD_OF_SERVICE: 1,
        ComplaintType.FAILURE_TO_PROVIDE: 1,
        ComplaintType.INADEQUATE_INFORMATION: 0,
    }
    assert y2025.by_stage_resolved == {1: 1, 2: 1, 3: 0, 4: 0, None: 1}
    assert y2025.acknowledged_on_time == Fraction(1, 3)
    assert y2025.answered_on_time == Fraction(2, 3)


def test_report_2026_leaves_out_what_is_not_yet_due():
    y2026 = monitoring_report(RECORDS, TODAY)[1]
    assert y2026.received == 2
    assert y2026.by_type[ComplaintType.INADEQUATE_INFORMATION] == 1
    assert y2026.by_type[ComplaintType.STANDARD_OF_SERVICE] == 1
    assert y2026.by_stage_resolved == {1: 1, 2: 0, 3: 0, 4: 0, None: 1}
    assert y2026.acknowledged_on_time == Fraction(1, 1)
    assert y2026.answered_on_time == Fraction(0, 1)


def test_report_once_the_pending_deadlines_have_passed():
    # On Tue 7 Jul 2026 D's acknowledgement (due Mon 6 Jul) is overdue and counts as late.
    y2026 = monitoring_report(RECORDS, date(2026, 7, 7))[1]
    assert y2026.acknowledged_on_time == Fraction(1, 2)
    # D's stage 1 response (due: 30 Jun .. 3 Jul (4), 6 .. 10 Jul (9), Mon 13 Jul (10))
    # is not yet overdue on 7 Jul.
    assert y2026.answered_on_time == Fraction(0, 1)


def test_report_uses_each_complaints_nation():
    # Received Wed 24 Dec 2025 at a Scottish site, acknowledged Tue 6 Jan 2026: on time
    # in Scotland (due 6 Jan), it would be a day late in England (due 5 Jan).
    scottish = ComplaintRecord(date(2025, 12, 24), "standard_of_service", date(2026, 1, 6), nation="SCT")
    english = ComplaintRecord(date(2025, 12, 24), "standard_of_service", date(2026, 1, 6), nation=None)
    assert monitoring_report([scottish], TODAY)[0].acknowledged_on_time == Fraction(1, 1)
    assert monitoring_report([english], TODAY)[0].acknowledged_on_time == Fraction(0, 1)


def test_report_of_nothing():
    assert monitoring_report([], TODAY) == []


def test_csv_rows():
    rows = report_csv_rows(monitoring_report(RECORDS, TODAY))
    assert rows[0] == report_csv_header()
    assert rows[0][:3] == ["Year", "Complaints received", "Art Therapist/Practitioner behaviour"]
    assert rows[1] == [
        "2025", "3",
        "1", "1", "1", "0",  # by type, in TYPE_LABELS order
        "1", "1", "0", "0", "1",  # resolved at stages 1-4, not resolved
        "1", "3",  # acknowledged on time of due
        "2", "3",  # answered on time of due
    ]
    assert rows[2] == ["2026", "2", "0", "1", "0", "1", "1", "0", "0", "0", "1", "1", "1", "0", "1"]
    assert all(len(row) == len(rows[0]) for row in rows)


def test_csv_rows_without_header():
    rows = report_csv_rows(monitoring_report(RECORDS, TODAY), header=False)
    assert [row[0] for row in rows] == ["2025", "2026"]
