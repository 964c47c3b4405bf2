"""The attention list in pieces (rules/attention.py): each source's items on their own,
merged, give exactly the list made in one go, which is what the list was before it was
cut up (issue 7: a cache keeps each source's items and merges them).

The reference below is the list as it was made before: every source's entries, each
made into an AttentionItem by its constructor, one stable sort.
"""

from datetime import date, datetime, timedelta

import pytest

from sitecare.rules import attention as rules
from sitecare.rules.attention import (
    AttentionInputs,
    AttentionItem,
    AuthorityInput,
    ComplaintInput,
    ComplaintStageInput,
    ConcernActionInput,
    ConsentInput,
    ContactInput,
    DataRequestInput,
    OutcomeInput,
    PolicyInput,
    ProcedureStepInput,
    RequirementInput,
    RetentionInput,
    SeriousIncidentInput,
    Severity,
    SiteContactsInput,
    TrainingInput,
    TrainingRecordInput,
    Windows,
    attention_list,
    merge,
    severity_span,
    source_items,
)
from sitecare.rules.policy import PolicySignature, PolicyVersion

KIND_ORDER = [
    "serious_incident_notification", "procedure_step", "concern_action", "outcome_awaited",
    "complaint_acknowledgement", "complaint_response", "data_request", "training_expiry", "site_requirement",
    "dsl_missing", "policy_resign", "contact_confirmation", "consent_refresh", "consent_review",
    "authority_verification", "artwork_disposal", "notes_disposal",
]


def reference_list(inputs, today, windows=Windows(), now=None):
    """The list as attention_list made it before it was cut into sources."""
    moment = now if now is not None else datetime.combine(today, datetime.min.time())
    items = []
    for name, source in rules.SOURCES:
        for row in getattr(inputs, name):
            for entry in source(row, today):
                kind, subject, due, action, ref, detail = entry[:6]
                due_at = entry[6] if len(entry) > 6 else None
                if due_at is not None and moment > due_at:
                    severity = Severity.OVERDUE
                else:
                    severity = rules.severity_for(due, today, windows.for_kind(kind))
                items.append(AttentionItem(kind, subject, due, severity, action, ref, detail, due_at))

    def key(item):
        moment = item.due_at or datetime.combine(item.due, datetime.max.time())
        rank = {Severity.OVERDUE: 0, Severity.DUE_SOON: 1, Severity.UPCOMING: 2}[item.severity]
        kind = KIND_ORDER.index(item.kind.value)
        if item.severity is Severity.OVERDUE:
            return (rank, kind, moment, item.subject, item.ref.id)
        return (rank, moment, kind, item.subject, item.ref.id)

    return sorted(items, key=key)


def every_source() -> AttentionInputs:
    """Some of everything, with ties: two steps of one concern due at the same moment,
    a policy and a site with the same id and name, items due today."""
    d = date
    noticed = datetime(2026, 11, 20, 10, 30)
    records = ((d(2023, 5, 1), d(2026, 5, 1)), (d(2025, 1, 10), d(2028, 1, 10)))
    return AttentionInputs(
        training=(
            TrainingInput("safeguarding", "Safeguarding", (TrainingRecordInput(1, d(2023, 12, 1), d(2026, 12, 1)),),
                          ("Alder School",)),
            TrainingInput("first_aid", "First aid", (TrainingRecordInput(2, d(2023, 11, 1), d(2026, 11, 1)),)),
        ),
        requirements=tuple(
            RequirementInput(10 + i, i, f"Site {i}", "prevent", "Prevent", age, records, d(2025, 9, 1))
            for i, age in enumerate((None, 12, 24, 12))
        ) + (RequirementInput(20, 7, "Site 7", "dbs", "DBS", None, (), d(2026, 1, 5)),),
        policies=(
            PolicyInput(5, "Twin Name", "school", None, None, None, None, None, d(2026, 9, 1)),
            PolicyInput(6, "Twin Name", "care_home", None, 5, PolicyVersion("v2", d(2026, 1, 1), None),
                        None, d(2026, 9, 1), d(2026, 2, 1)),
            PolicyInput(8, "Signed School", "school", None, 9, PolicyVersion("v1", d(2025, 1, 1), d(2027, 1, 1)),
                        PolicySignature(d(2025, 10, 1), "v1"), d(2025, 9, 2), d(2025, 9, 1)),
        ),
        site_contacts=(
            SiteContactsInput(5, "Twin Name", "school", (ContactInput(1, "dsl", "Ann", d(2024, 1, 1), None),
                                                          ContactInput(2, "head", "Bea", d(2024, 1, 1), d(2025, 10, 1))),
                              d(2024, 1, 1)),
            SiteContactsInput(6, "Twin Name", "care_home", (), d(2026, 2, 1)),
        ),
        concern_actions=(
            ConcernActionInput(1, 3, "SC-2026-0003", "Alder School", "Ring the DSL back", "me", d(2026, 11, 21)),
            ConcernActionInput(2, None, "", "", "Book supervision", "Jo", d(2026, 12, 1)),
        ),
        procedure_steps=(
            ProcedureStepInput(3, "SC-2026-0003", "Alder School", "Tell the DSL", noticed, "Ann", "01632 960000",
                               "immediately"),
            ProcedureStepInput(3, "SC-2026-0003", "Alder School", "Record it", noticed),
            ProcedureStepInput(3, "SC-2026-0003", "Alder School", "Refer", d(2026, 11, 24), due_text="within 2"),
            ProcedureStepInput(4, "SC-2026-0004", "", "Tell the police", datetime(2026, 11, 22, 15, 0)),
        ),
        outcomes=(OutcomeInput(3, "SC-2026-0003", "Alder School", d(2026, 11, 10), 5, "WLS"),
                  OutcomeInput(4, "SC-2026-0004", "", d(2026, 11, 1), 5, None, d(2026, 11, 30))),
        serious_incidents=(SeriousIncidentInput(4, "SC-2026-0004", "", datetime(2026, 11, 21, 16, 0)),),
        complaints=(ComplaintInput(1, "CP-1", d(2026, 11, 16), None, "SCT",
                                   (ComplaintStageInput(1, d(2026, 11, 16), None),
                                    ComplaintStageInput(2, d(2026, 11, 18), None))),),
        consents=(ConsentInput(1, 1, "CH-1", "therapy", d(2025, 11, 30), None, None, True, (d(2026, 9, 1),)),),
        retention=(RetentionInput(1, "AD-1", "adult", None, d(2026, 9, 30)),
                   RetentionInput(2, "CH-2", "child", d(2012, 2, 29), d(2026, 10, 1), d(2026, 11, 1))),
        data_requests=(DataRequestInput(1, "CH-1", "access", d(2026, 10, 25), "NIR"),
                       DataRequestInput(2, "", "erasure", d(2026, 11, 1), None, True)),
        authorities=(AuthorityInput(1, "Fictional Council", None, d(2025, 9, 1), ("Alder School",)),
                     AuthorityInput(2, "Other Council", d(2025, 11, 30), d(2025, 9, 1))),
    )


MOMENTS = [datetime(2026, 11, 22, 9, 0), datetime(2026, 11, 22, 15, 0), datetime(2026, 11, 20, 10, 30),
           datetime(2026, 11, 20, 10, 31), datetime(2027, 3, 1, 0, 0), None]


@pytest.mark.parametrize("now", MOMENTS)
@pytest.mark.parametrize("windows", [Windows(), Windows(0, 0), Windows(400, 5)])
def test_the_list_is_what_it_was(now, windows):
    inputs = every_source()
    today = (now or datetime(2026, 11, 22)).date()
    expected = reference_list(inputs, today, windows, now)
    found = attention_list(inputs, today, windows, now)
    assert found == expected
    assert [repr(i) for i in found] == [repr(i) for i in expected]
    assert len(found) > 25


@pytest.mark.parametrize("now", MOMENTS)
def test_merging_each_sources_items_gives_the_list(now):
    inputs = every_source()
    today = (now or datetime(2026, 11, 22)).date()
    parts = [source_items(name, getattr(inputs, name), today, Windows(), now) for name in rules.SOURCE_FIELDS]
    assert merge(parts) == reference_list(inputs, today, Windows(), now)


def test_ties_keep_the_procedures_order():
    inputs = every_source()
    now = datetime(2026, 11, 22, 9, 0)
    steps = [i.action for i in attention_list(inputs, now.date(), Windows(), now) if i.ref.id == 3
             and i.kind.value == "procedure_step"]
    assert steps[:2] == ["Tell the DSL (Ann, 01632 960000)", "Record it"]


def test_items_made_quickly_are_the_dataclasses_own():
    inputs = every_source()
    today = date(2026, 11, 22)
    for found, expected in zip(attention_list(inputs, today), reference_list(inputs, today)):
        assert found == expected and hash(found) == hash(expected) and type(found) is AttentionItem
        fields = {k: v for k, v in vars(found).items() if not k.startswith("_")}
        assert list(fields.items()) == list(vars(expected).items())


@pytest.mark.parametrize("now", MOMENTS)
@pytest.mark.parametrize("windows", [Windows(), Windows(0, 0), Windows(400, 5)])
def test_items_are_made_with_the_key_order_key_works_out(now, windows):
    # items_of works each item's key out as it makes it: the same key order_key gives.
    today = (now or datetime(2026, 11, 22)).date()
    items = attention_list(every_source(), today, windows, now)
    made = [vars(item).pop("_order_key") for item in items]
    assert made == [rules.order_key(item) for item in items]


def test_severity_span_bounds_the_moments_that_change_nothing():
    inputs = every_source()
    today = date(2026, 11, 22)
    start = datetime(2026, 11, 22, 9, 0)
    items = merge([source_items(n, getattr(inputs, n), today, Windows(), start) for n in rules.SOURCE_FIELDS])
    lo, hi = severity_span(items, start)
    assert lo == datetime(2026, 11, 20, 10, 30) and hi == datetime(2026, 11, 22, 15, 0)
    for minutes in range(0, 24 * 60, 7):
        moment = datetime(2026, 11, 22) + timedelta(minutes=minutes)
        same = attention_list(inputs, today, Windows(), moment) == items
        assert same == ((lo is None or moment > lo) and (hi is None or moment <= hi)), moment
