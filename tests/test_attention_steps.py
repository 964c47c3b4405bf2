"""Procedure steps of open concerns on the attention list (data/attention_inputs.py):
a step with a deadline that is not done is listed until it is marked done."""

from __future__ import annotations

from datetime import date, datetime

from sitecare.data import attention_inputs
from sitecare.data import concerns as cq
from sitecare.data.models import Contact, LocalAuthority, Site, change
from sitecare.rules.attention import Kind, RecordRef, Severity

NOTICED = datetime(2026, 11, 18, 10, 30)  # a Wednesday, in a session


def school_with_dsl() -> Site:
    with change():
        council = LocalAuthority.create(name="Fictional Council", verified_on=date(2026, 6, 1))
        school = Site.create(name="Heron Way Primary", kind="school", local_authority=council,
                             created_on=date(2025, 9, 1))
        Contact.create(site=school, role="dsl", name="Claire Ashdown", phone="01632 960123",
                       from_date=date(2024, 9, 1), confirmed_on=date(2026, 9, 3))
    return school


def new_concern(site: Site):
    capture = cq.Capture(
        site_id=site.id, occurred_at=None, noticed_at=NOTICED, client_id=None, client_reference="",
        client_type="child", kind="disclosure", categories=("neglect",), immediate_danger=False,
        about_head=False, account="Said they were hungry.", observed="",
    )
    return cq.create_concern(capture, NOTICED)


def steps_listed(now: datetime, concern_id: int):
    return [i for i in attention_inputs.current_attention(now)
            if i.kind is Kind.PROCEDURE_STEP and i.ref == RecordRef("concern", concern_id)]


def test_telling_the_dsl_is_overdue_once_its_moment_has_passed_until_it_is_done(open_vault):
    site = school_with_dsl()
    concern = new_concern(site)
    procedure = cq.procedure_for(concern)
    tell = next(s for s in procedure.steps if s.resolved.role == "site_dsl")
    assert tell.resolved.step.deadline.kind in ("immediately", "after_session")
    assert tell.resolved.due_by == NOTICED

    # At the moment itself it is due, not yet overdue; a minute later it is overdue.
    (at_moment,) = steps_listed(NOTICED, concern.id)
    assert at_moment.severity is Severity.DUE_SOON
    later = datetime(2026, 11, 18, 10, 31)
    (item,) = steps_listed(later, concern.id)
    assert item.severity is Severity.OVERDUE
    assert item.due_at == NOTICED
    assert item.subject == f"{concern.reference} at Heron Way Primary"
    assert item.action == f"{tell.resolved.step.title} (Claire Ashdown, 01632 960123)"
    # It is at the top of the list: nothing else here is more urgent.
    assert attention_inputs.current_attention(later)[0] == item

    entry = cq.complete_step(concern, tell, later, how="in person", said="Told Claire at 10:45.")
    assert steps_listed(later, concern.id) == []

    # Marked done by mistake: undone, it is listed again.
    cq.correct_entry(entry, "Not told after all: Claire was out.", datetime(2026, 11, 18, 11, 0), undo_step=True)
    (again,) = steps_listed(datetime(2026, 11, 18, 11, 0), concern.id)
    assert again.severity is Severity.OVERDUE


def test_closed_concerns_and_steps_without_a_deadline_are_not_listed(open_vault):
    site = school_with_dsl()
    concern = new_concern(site)
    later = datetime(2026, 11, 22, 9, 0)
    procedure = cq.procedure_for(concern)
    undated = [s for s in procedure.steps if s.resolved.step.deadline.kind == "none"]
    listed = steps_listed(later, concern.id)
    assert undated and len(listed) == len([s for s in procedure.steps if s.resolved.due is not None
                                           and not s.resolved.optional and not s.offered])
    with change():
        concern.status = "closed"
        concern.save()
    assert steps_listed(later, concern.id) == []


def test_the_serious_incident_notification_is_listed_once(open_vault):
    site = school_with_dsl()
    capture = cq.Capture(
        site_id=site.id, occurred_at=None, noticed_at=NOTICED, client_id=None, client_reference="",
        client_type="child", kind="serious_incident", categories=(), immediate_danger=False,
        about_head=False, account="", observed="A fall on the stairs.",
    )
    concern = cq.create_concern(capture, NOTICED)
    now = datetime(2026, 11, 19, 12, 0)
    items = [i for i in attention_inputs.current_attention(now) if i.ref == RecordRef("concern", concern.id)]
    kinds = sorted(i.kind.value for i in items)
    # The 24-hour form is the serious-incident item; the same-day call to the
    # organisation's safeguarding team is a step; the offered route adds nothing.
    assert kinds == ["procedure_step", "serious_incident_notification"]
    (step,) = [i for i in items if i.kind is Kind.PROCEDURE_STEP]
    assert step.due_at == datetime(2026, 11, 18, 23, 59, 59)
    assert step.severity is Severity.OVERDUE
