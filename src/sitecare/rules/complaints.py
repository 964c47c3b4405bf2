"""Complaint deadlines and the monitoring report (seed 004).

Seed 004 (Cambridge Art Therapy, Complaints Procedure): "All complaints will be
acknowledged in writing within 5 working days of receipt"; stage 1 (the therapist) and
stage 2 (CAT, in writing) are answered "within 10 working days"; stage 3 goes to the
commissioning organisation, which "will apply their own complaints procedure", and
stage 4 is the HCPC's free and impartial advice. So only stages 1 and 2 carry a
10-working-day deadline that sitecare can compute; for stages 3 and 4 the deadline is
someone else's and response_due returns None.

CAT records "dates complaint received and acknowledged", "date complaint responded to",
"stage of procedure when complaint resolved" and the type in four categories; the
monitoring report below is built from exactly those.

Working days are those of the nation of the site's local authority; with no site, ENG.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from enum import IntEnum, StrEnum

from sitecare.rules.workdays import DEFAULT_NATION, add_working_days

__all__ = [
    "ACKNOWLEDGE_WORKING_DAYS",
    "CHANNEL_LABELS",
    "RESPONSE_WORKING_DAYS",
    "STAGES",
    "TYPE_LABELS",
    "Channel",
    "ComplaintRecord",
    "ComplaintType",
    "Fraction",
    "Stage",
    "StageInfo",
    "StageRecord",
    "YearReport",
    "acknowledgement_due",
    "monitoring_report",
    "report_csv_header",
    "report_csv_rows",
    "response_due",
]

ACKNOWLEDGE_WORKING_DAYS = 5
RESPONSE_WORKING_DAYS = 10


class ComplaintType(StrEnum):
    # The same strings as data.models.COMPLAINT_TYPES.
    PRACTITIONER_BEHAVIOUR = "practitioner_behaviour"
    STANDARD_OF_SERVICE = "standard_of_service"
    FAILURE_TO_PROVIDE = "failure_to_provide"
    INADEQUATE_INFORMATION = "inadequate_information"


TYPE_LABELS = {
    ComplaintType.PRACTITIONER_BEHAVIOUR: "Art Therapist/Practitioner behaviour",
    ComplaintType.STANDARD_OF_SERVICE: "Standard of service",
    ComplaintType.FAILURE_TO_PROVIDE: "Failure to provide a service",
    ComplaintType.INADEQUATE_INFORMATION: "Inadequate information",
}


class Channel(StrEnum):
    # The same strings as data.models.COMPLAINT_CHANNELS. Stage 1 may be raised "orally/
    # in person, by telephone, or by e-mail"; stage 2 "in writing" (email or letter).
    IN_PERSON = "in_person"
    PHONE = "phone"
    EMAIL = "email"
    LETTER = "letter"


CHANNEL_LABELS = {
    Channel.IN_PERSON: "In person",
    Channel.PHONE: "Phone",
    Channel.EMAIL: "Email",
    Channel.LETTER: "Letter",
}


class Stage(IntEnum):
    INFORMAL = 1
    FORMAL_TO_CAT = 2
    COMMISSIONING_ORGANISATION = 3
    HCPC = 4


@dataclass(frozen=True)
class StageInfo:
    stage: Stage
    name: str
    handled_by: str
    response_working_days: int | None


STAGES = {
    Stage.INFORMAL: StageInfo(
        Stage.INFORMAL, "Resolving the complaint informally", "Your art therapist",
        RESPONSE_WORKING_DAYS,
    ),
    Stage.FORMAL_TO_CAT: StageInfo(
        Stage.FORMAL_TO_CAT, "Formal complaint to CAT", "Another member of the CAT team",
        RESPONSE_WORKING_DAYS,
    ),
    Stage.COMMISSIONING_ORGANISATION: StageInfo(
        Stage.COMMISSIONING_ORGANISATION, "Formal complaint to commissioning organisation",
        "The commissioning organisation, under its own complaints procedure", None,
    ),
    Stage.HCPC: StageInfo(
        Stage.HCPC, "Formal complaint to HCPC", "The Health and Care Professions Council",
        None,
    ),
}


def acknowledgement_due(received: date, nation: str | None = None) -> date:
    """5 working days after receipt (the day of receipt does not count)."""
    return add_working_days(received, ACKNOWLEDGE_WORKING_DAYS, nation or DEFAULT_NATION)


def response_due(stage: int, stage_began: date, nation: str | None = None) -> date | None:
    """10 working days after the stage began, for stages 1 and 2; None for 3 and 4."""
    info = STAGES[Stage(stage)]
    if info.response_working_days is None:
        return None
    return add_working_days(stage_began, info.response_working_days, nation or DEFAULT_NATION)


# --- monitoring -------------------------------------------------------------------


@dataclass(frozen=True)
class StageRecord:
    stage: int
    began_on: date
    responded_on: date | None = None


@dataclass(frozen=True)
class ComplaintRecord:
    """One complaint as plain values (what data.models.Complaint and its stages hold)."""

    received_on: date
    type: str
    acknowledged_on: date | None = None
    resolved_stage: int | None = None
    stages: tuple[StageRecord, ...] = ()
    nation: str | None = None


@dataclass(frozen=True)
class Fraction:
    """A share kept as counts, so the screen can say "3 of 4" and a report can say 75%."""

    numerator: int
    denominator: int

    @property
    def value(self) -> float | None:
        return None if self.denominator == 0 else self.numerator / self.denominator

    def __str__(self) -> str:
        return f"{self.numerator} of {self.denominator}"


@dataclass(frozen=True)
class YearReport:
    """One calendar year of complaints, by year of receipt.

    `by_stage_resolved` has keys 1-4 and None (not resolved yet). The on-time shares
    count only what could be judged by `today`: an acknowledgement or response that is
    neither given nor yet overdue is left out of both numerator and denominator.
    Responses are counted per stage that has a deadline (stages 1 and 2).
    """

    year: int
    received: int
    by_type: dict[ComplaintType, int] = field(default_factory=dict)
    by_stage_resolved: dict[int | None, int] = field(default_factory=dict)
    acknowledged_on_time: Fraction = Fraction(0, 0)
    answered_on_time: Fraction = Fraction(0, 0)


def _judge(done: date | None, due: date, today: date) -> tuple[int, int]:
    """(on time, counted) for one deadline."""
    if done is not None:
        return (1 if done <= due else 0), 1
    if today > due:
        return 0, 1
    return 0, 0


def monitoring_report(records: Iterable[ComplaintRecord], today: date) -> list[YearReport]:
    """Per calendar year of receipt, oldest first."""
    years: dict[int, list[ComplaintRecord]] = {}
    for record in records:
        years.setdefault(record.received_on.year, []).append(record)
    reports = []
    for year in sorted(years):
        batch = years[year]
        by_type = {kind: 0 for kind in ComplaintType}
        by_stage: dict[int | None, int] = {int(stage): 0 for stage in Stage}
        by_stage[None] = 0
        ack_on_time = ack_counted = ans_on_time = ans_counted = 0
        for record in batch:
            by_type[ComplaintType(record.type)] += 1
            resolved = None if record.resolved_stage is None else int(Stage(record.resolved_stage))
            by_stage[resolved] += 1
            on_time, counted = _judge(
                record.acknowledged_on, acknowledgement_due(record.received_on, record.nation), today
            )
            ack_on_time += on_time
            ack_counted += counted
            for stage in record.stages:
                due = response_due(stage.stage, stage.began_on, record.nation)
                if due is None:
                    continue
                on_time, counted = _judge(stage.responded_on, due, today)
                ans_on_time += on_time
                ans_counted += counted
        reports.append(
            YearReport(
                year,
                len(batch),
                by_type,
                by_stage,
                Fraction(ack_on_time, ack_counted),
                Fraction(ans_on_time, ans_counted),
            )
        )
    return reports


def report_csv_header() -> list[str]:
    return [
        "Year",
        "Complaints received",
        *(TYPE_LABELS[kind] for kind in ComplaintType),
        *(f"Resolved at stage {int(stage)}" for stage in Stage),
        "Not resolved yet",
        "Acknowledged on time",
        "Acknowledgements due",
        "Answered on time",
        "Responses due",
    ]


def report_csv_rows(reports: Iterable[YearReport], *, header: bool = True) -> list[list[str]]:
    """Rows for csv.writer: plain strings, one row per year, the header first if asked."""
    rows = [report_csv_header()] if header else []
    for report in reports:
        rows.append(
            [
                str(report.year),
                str(report.received),
                *(str(report.by_type.get(kind, 0)) for kind in ComplaintType),
                *(str(report.by_stage_resolved.get(int(stage), 0)) for stage in Stage),
                str(report.by_stage_resolved.get(None, 0)),
                str(report.acknowledged_on_time.numerator),
                str(report.acknowledged_on_time.denominator),
                str(report.answered_on_time.numerator),
                str(report.answered_on_time.denominator),
            ]
        )
    return rows
