"""The attention list (rules/attention.py): every source at its boundaries.

Expected dates are worked out by hand on a calendar, with the bank holidays of each
nation written next to them; none is computed by the code under test.
"""

from datetime import date, datetime

import pytest

from sitecare.rules.attention import (
    AttentionInputs,
    AuthorityInput,
    ComplaintInput,
    ComplaintStageInput,
    ConcernActionInput,
    ConsentInput,
    ContactInput,
    DataRequestInput,
    Kind,
    OutcomeInput,
    PolicyInput,
    ProcedureStepInput,
    RecordRef,
    RequirementInput,
    RetentionInput,
    SeriousIncidentInput,
    Severity,
    SiteContactsInput,
    TrainingInput,
    TrainingRecordInput,
    Windows,
    attention_list,
    contact_confirmation_due,
    counts,
    describe_due,
    describe_due_with_date,
    within,
)
from sitecare.rules.policy import PolicySignature, PolicyVersion
from sitecare.rules import attention as attention_rules

OVERDUE, SOON, LATER = Severity.OVERDUE, Severity.DUE_SOON, Severity.UPCOMING


def items(today, windows=Windows(), now=None, **inputs):
    return attention_list(AttentionInputs(**{k: tuple(v) for k, v in inputs.items()}), today, windows, now)


def one(today, windows=Windows(), now=None, **inputs):
    found = items(today, windows, now, **inputs)
    assert len(found) == 1, found
    return found[0]


def training(expires, completed=date(2024, 1, 10), required_by=()):
    return TrainingInput("safeguarding_children", "Safeguarding children",
                         (TrainingRecordInput(7, completed, expires),), required_by)


# --------------------------------------------------------------------------- severity and windows


class TestTrainingExpiry:
    def test_expiring_today_is_due_not_overdue(self):
        item = one(date(2026, 3, 1), training=[training(date(2026, 3, 1))])
        assert item.kind is Kind.TRAINING
        assert item.severity is SOON
        assert item.due == date(2026, 3, 1)
        assert item.ref == RecordRef("training_record", 7)

    def test_expired_yesterday_is_overdue(self):
        item = one(date(2026, 3, 2), training=[training(date(2026, 3, 1))])
        assert item.severity is OVERDUE
        assert item.action.startswith("Renew: it has expired")

    def test_training_window_edge_is_inclusive(self):
        # 1 Mar 2026 + 60 days = 30 Apr 2026 (30 days left in March, 30 in April).
        assert one(date(2026, 3, 1), training=[training(date(2026, 4, 30))]).severity is SOON
        assert one(date(2026, 3, 1), training=[training(date(2026, 5, 1))]).severity is LATER

    def test_training_window_is_a_setting(self):
        windows = Windows(training_days=90, other_days=30)
        assert one(date(2026, 3, 1), windows, training=[training(date(2026, 5, 1))]).severity is SOON

    def test_29_february_completion_expires_28_february(self):
        # Safeguarding, 36 months: 29 Feb 2024 -> 28 Feb 2027 (there is no 29 Feb 2027).
        from sitecare.rules.validity import TrainingKindRule, expiry_for

        expires = expiry_for(TrainingKindRule("s", "S", 36), date(2024, 2, 29))
        assert expires == date(2027, 2, 28)
        assert one(date(2027, 2, 28), training=[training(expires, date(2024, 2, 29))]).severity is SOON
        assert one(date(2027, 3, 1), training=[training(expires, date(2024, 2, 29))]).severity is OVERDUE

    def test_the_longest_lasting_record_counts(self):
        inp = TrainingInput("s", "Safeguarding children", (
            TrainingRecordInput(1, date(2020, 1, 1), date(2023, 1, 1)),
            TrainingRecordInput(2, date(2025, 1, 1), date(2028, 1, 1)),
        ))
        item = one(date(2026, 3, 1), training=[inp])
        assert item.ref.id == 2 and item.severity is LATER

    def test_a_course_in_the_future_does_not_count_yet(self):
        inp = TrainingInput("s", "S", (
            TrainingRecordInput(1, date(2023, 1, 1), date(2026, 1, 1)),
            TrainingRecordInput(2, date(2026, 6, 1), date(2029, 6, 1)),
        ))
        item = one(date(2026, 3, 1), training=[inp])
        assert item.ref.id == 1 and item.severity is OVERDUE

    def test_no_expiry_means_no_item(self):
        inp = TrainingInput("prevent", "Prevent", (TrainingRecordInput(1, date(2025, 1, 1), None),))
        assert items(date(2026, 3, 1), training=[inp]) == []

    def test_names_the_sites_that_require_it(self):
        item = one(date(2026, 3, 1), training=[training(date(2026, 3, 20), required_by=("A School", "B Home", "C Ward"))])
        assert "required by A School, B Home and 1 more" in item.action


class TestSiteRequirements:
    def req(self, max_age, records, needed_since=date(2025, 9, 1)):
        return RequirementInput(3, 9, "Kestrel Fen", "prevent", "Prevent", max_age, tuple(records), needed_since)

    def test_missing_training_is_due_since_the_site_was_added(self):
        item = one(date(2026, 3, 1), requirements=[self.req(None, [])])
        assert item.kind is Kind.REQUIREMENT
        assert item.due == date(2025, 9, 1)
        assert item.severity is OVERDUE
        assert item.ref == RecordRef("requirement", 3)
        assert item.subject == "Prevent for Kestrel Fen"

    def test_site_maximum_age_from_29_february(self):
        # Completed 29 Feb 2024, site wants it no older than 12 months: 28 Feb 2025.
        records = [(date(2024, 2, 29), None)]
        assert one(date(2025, 2, 28), requirements=[self.req(12, records)]).due == date(2025, 2, 28)
        assert one(date(2025, 2, 28), requirements=[self.req(12, records)]).severity is SOON
        assert one(date(2025, 3, 1), requirements=[self.req(12, records)]).severity is OVERDUE

    def test_uses_the_training_window(self):
        # 28 Feb 2025 is 59 days after 31 Dec 2024; the training window is 60.
        records = [(date(2024, 2, 29), None)]
        assert one(date(2024, 12, 31), requirements=[self.req(12, records)]).severity is SOON

    def test_the_certificates_own_expiry_is_left_to_the_training_item(self):
        # Expires 1 Jan 2027 by itself; the site allows 36 months (2 Jan 2027 is later).
        records = [(date(2024, 1, 2), date(2027, 1, 1))]
        assert items(date(2026, 12, 1), requirements=[self.req(36, records)]) == []

    def test_no_age_limit_and_a_record_needs_nothing(self):
        assert items(date(2026, 3, 1), requirements=[self.req(None, [(date(2025, 1, 1), None)])]) == []


class TestPolicies:
    def policy(self, kind="school", signed=None, version="2026-27", review=None, recorded=date(2026, 8, 20),
               latest=True, site_kind=None, interval=None):
        return PolicyInput(
            site_id=4, site_name="Harebell Lane", site_kind=site_kind or kind, resign_interval_months=interval,
            policy_id=11 if latest else None,
            latest=PolicyVersion(version, date(2026, 8, 20), review) if latest else None,
            signature=PolicySignature(signed, version) if signed else None,
            recorded_on=recorded if latest else None, needed_since=date(2025, 9, 1),
        )

    def test_school_signature_rolls_over_on_1_september(self):
        # Signed 31 Aug 2026: due 1 Sep 2026, the first day of the new academic year.
        signed_late = self.policy(signed=date(2026, 8, 31))
        assert one(date(2026, 8, 31), policies=[signed_late]).due == date(2026, 9, 1)
        assert one(date(2026, 8, 31), policies=[signed_late]).severity is SOON
        assert one(date(2026, 9, 1), policies=[signed_late]).severity is SOON  # due today
        assert one(date(2026, 9, 2), policies=[signed_late]).severity is OVERDUE
        # Signed 1 Sep 2026: current until the next 1 September.
        signed_early = self.policy(signed=date(2026, 9, 1))
        item = one(date(2026, 9, 2), policies=[signed_early])
        assert item.due == date(2027, 9, 1) and item.severity is LATER

    def test_never_signed_is_due_from_when_it_was_recorded(self):
        item = one(date(2026, 9, 2), policies=[self.policy()])
        assert item.due == date(2026, 8, 20) and item.severity is OVERDUE
        assert item.ref == RecordRef("policy", 11)

    def test_no_policy_at_a_school(self):
        item = one(date(2026, 9, 2), policies=[self.policy(latest=False)])
        assert item.due == date(2025, 9, 1)
        assert item.ref == RecordRef("site", 4)

    def test_no_policy_in_private_practice_rooms_is_not_an_item(self):
        assert items(date(2026, 9, 2), policies=[self.policy(latest=False, site_kind="private_practice")]) == []

    def test_care_home_twelve_months_from_29_february(self):
        item = one(date(2025, 2, 1), policies=[self.policy(kind="care_home", signed=date(2024, 2, 29))])
        assert item.due == date(2025, 2, 28)
        assert item.severity is SOON  # 27 days ahead, window 30


class TestSiteContacts:
    def site(self, kind, *contacts, needed=date(2024, 9, 1)):
        return SiteContactsInput(5, "Otterbrook", kind, tuple(contacts), needed)

    def dsl(self, confirmed, from_date=date(2020, 1, 6), role="dsl"):
        return ContactInput(21, role, "Nadia Kowalczyk", from_date, confirmed)

    def test_academic_year_rollover(self):
        assert contact_confirmation_due("school", date(2026, 8, 31), date(2020, 1, 6), date(2026, 8, 31)) == date(2026, 9, 1)
        assert contact_confirmation_due("school", date(2026, 9, 1), date(2020, 1, 6), date(2026, 9, 1)) == date(2027, 9, 1)
        item = one(date(2026, 9, 1), site_contacts=[self.site("school", self.dsl(date(2026, 8, 31)))])
        assert item.severity is SOON and item.due == date(2026, 9, 1)
        item = one(date(2026, 9, 2), site_contacts=[self.site("school", self.dsl(date(2026, 8, 31)))])
        assert item.severity is OVERDUE
        assert "since 1 Sep 2026" in item.action
        item = one(date(2026, 9, 2), site_contacts=[self.site("school", self.dsl(date(2026, 9, 1)))])
        assert item.severity is LATER and item.due == date(2027, 9, 1)

    def test_never_confirmed_at_a_school_is_due_from_this_academic_years_start(self):
        item = one(date(2026, 11, 22), site_contacts=[self.site("school", self.dsl(None))])
        assert item.due == date(2026, 9, 1)
        # Before 1 September it is last academic year's start.
        item = one(date(2026, 8, 31), site_contacts=[self.site("school", self.dsl(None))])
        assert item.due == date(2025, 9, 1)

    def test_a_contact_who_started_later_is_due_from_their_start(self):
        item = one(date(2026, 11, 22), site_contacts=[self.site("school", self.dsl(None, from_date=date(2026, 10, 5)))])
        assert item.due == date(2026, 10, 5)

    def test_other_sites_confirm_every_twelve_months(self):
        item = one(date(2026, 3, 1), site_contacts=[self.site("care_home", self.dsl(date(2025, 3, 1)))])
        assert item.due == date(2026, 3, 1) and item.severity is SOON
        item = one(date(2026, 3, 2), site_contacts=[self.site("care_home", self.dsl(date(2025, 3, 1)))])
        assert item.severity is OVERDUE

    def test_no_dsl_recorded(self):
        found = items(date(2026, 11, 22), site_contacts=[self.site("school", self.dsl(date(2026, 9, 3), role="head"))])
        assert [(i.kind, i.action) for i in found if "DSL" in i.action] == [
            (Kind.NO_DSL, "Find out who the DSL is and record them")
        ]
        assert found[0].due == date(2024, 9, 1)

    def test_private_practice_rooms_have_no_dsl_to_find(self):
        assert items(date(2026, 11, 22), site_contacts=[self.site("private_practice")]) == []

    def test_one_item_per_site_naming_who_to_confirm(self):
        site = self.site("school", self.dsl(None), ContactInput(22, "deputy_dsl", "Sam Okoro", date(2021, 1, 4), None),
                         ContactInput(23, "head", "Pat Lee", date(2021, 1, 4), date(2026, 9, 10)))
        item = one(date(2026, 11, 22), site_contacts=[site])
        assert item.detail == "To confirm: Nadia Kowalczyk and Sam Okoro."


class TestConcerns:
    def test_action_due_yesterday_is_overdue_and_today_is_due(self):
        action = ConcernActionInput(5, 2, "C-2026-010", "Otterbrook", "Ask the DSL for the outcome", "Sam (DSL)", date(2026, 11, 21))
        item = one(date(2026, 11, 22), concern_actions=[action])
        assert item.severity is OVERDUE
        assert item.subject == "C-2026-010 at Otterbrook"
        assert item.ref == RecordRef("action", 5)
        assert item.detail == "Ask the DSL for the outcome (owner: Sam (DSL))"
        assert item.what_to_do == item.detail
        mine = ConcernActionInput(5, 2, "C-2026-010", "", "Ring the LADO", "me", date(2026, 11, 21))
        assert one(date(2026, 11, 22), concern_actions=[mine]).detail == "Ring the LADO"
        assert one(date(2026, 11, 21), concern_actions=[action]).severity is SOON

    def test_other_window_edge(self):
        action = lambda due: ConcernActionInput(5, 2, "C-1", "", "x", "", due)  # noqa: E731
        # 1 Dec 2026 + 30 days = 31 Dec 2026.
        assert one(date(2026, 12, 1), concern_actions=[action(date(2026, 12, 31))]).severity is SOON
        assert one(date(2026, 12, 1), concern_actions=[action(date(2027, 1, 1))]).severity is LATER

    def test_outcome_chased_after_working_days(self):
        # Reported Mon 1 Jun 2026; 5 working days: 2, 3, 4, 5, 8 Jun -> Mon 8 Jun 2026.
        outcome = OutcomeInput(3, "C-2026-003", "Pennyroyal", date(2026, 6, 1), 5)
        item = one(date(2026, 6, 8), outcomes=[outcome])
        assert item.kind is Kind.OUTCOME and item.due == date(2026, 6, 8) and item.severity is SOON
        assert item.ref == RecordRef("concern", 3)
        assert one(date(2026, 6, 9), outcomes=[outcome]).severity is OVERDUE

    def test_outcome_chase_across_easter_and_in_scotland(self):
        # Reported Thu 2 Apr 2026. England (Good Friday 3 Apr, Easter Monday 6 Apr):
        # 7, 8, 9, 10, 13 Apr -> Mon 13 Apr. Scotland keeps no Easter Monday: Fri 10 Apr.
        eng = OutcomeInput(3, "C", "", date(2026, 4, 2), 5, "ENG")
        sct = OutcomeInput(3, "C", "", date(2026, 4, 2), 5, "SCT")
        assert one(date(2026, 4, 2), outcomes=[eng]).due == date(2026, 4, 13)
        assert one(date(2026, 4, 2), outcomes=[sct]).due == date(2026, 4, 10)

    def test_outcome_chase_action_date_wins(self):
        outcome = OutcomeInput(3, "C", "", date(2026, 6, 1), 5, "ENG", chase_due=date(2026, 6, 20))
        assert one(date(2026, 6, 8), outcomes=[outcome]).due == date(2026, 6, 20)

    def test_serious_incident_24_hours_by_the_clock(self):
        incident = SeriousIncidentInput(9, "C-2025-030", "Kingfisher", datetime(2025, 12, 23, 19, 0))
        before = one(date(2025, 12, 24), now=datetime(2025, 12, 24, 18, 59), serious_incidents=[incident])
        assert before.severity is SOON
        assert before.due == date(2025, 12, 24)
        assert before.due_at == datetime(2025, 12, 24, 19, 0)
        assert describe_due(before, date(2025, 12, 24), datetime(2025, 12, 24, 18, 59)) == "due by 19:00 today"
        after = one(date(2025, 12, 24), now=datetime(2025, 12, 24, 19, 1), serious_incidents=[incident])
        assert after.severity is OVERDUE
        # Christmas Day makes no difference: the 24 hours are clock hours.
        late = one(date(2025, 12, 25), now=datetime(2025, 12, 25, 9, 0), serious_incidents=[incident])
        assert late.severity is OVERDUE
        assert describe_due(late, date(2025, 12, 25), datetime(2025, 12, 25, 9, 0)) == "overdue since 19:00 yesterday"
        # Says how it is done, for a record whose routes have no notification step.
        assert "an action or sharing entry saying it was notified" in late.detail


class TestComplaints:
    def complaint(self, received, nation=None, acknowledged=None, stages=(), resolved=False):
        return ComplaintInput(8, "CMP-1", received, acknowledged, nation, tuple(stages), resolved)

    def ack(self, received, nation):
        found = [i for i in items(received, complaints=[self.complaint(received, nation)]) if i.kind is Kind.COMPLAINT_ACK]
        assert len(found) == 1
        return found[0].due

    def response(self, began, nation):
        c = self.complaint(began, nation, acknowledged=began, stages=[ComplaintStageInput(1, began, None)])
        (item,) = items(began, complaints=[c])
        assert item.kind is Kind.COMPLAINT_RESPONSE
        return item.due

    def test_acknowledgement_across_christmas_england(self):
        # Tue 23 Dec 2025: 24 Dec (1), [25, 26 holidays, weekend], 29 (2), 30 (3), 31 (4),
        # [1 Jan holiday], Fri 2 Jan 2026 (5).
        assert self.ack(date(2025, 12, 23), "ENG") == date(2026, 1, 2)
        assert self.ack(date(2025, 12, 23), None) == date(2026, 1, 2)  # no site: England

    def test_acknowledgement_across_christmas_scotland(self):
        # As England, but 2 January is a bank holiday in Scotland: Mon 5 Jan 2026.
        assert self.ack(date(2025, 12, 23), "SCT") == date(2026, 1, 5)

    def test_response_across_christmas(self):
        # England: 24 Dec, 29, 30, 31 Dec, 2, 5, 6, 7, 8, 9 Jan -> Fri 9 Jan 2026.
        assert self.response(date(2025, 12, 23), "ENG") == date(2026, 1, 9)
        # Scotland loses 2 Jan: ... 5, 6, 7, 8, 9, 12 Jan -> Mon 12 Jan 2026.
        assert self.response(date(2025, 12, 23), "SCT") == date(2026, 1, 12)

    def test_acknowledgement_across_easter(self):
        # Thu 2 Apr 2026; Good Friday 3 Apr, Easter Monday 6 Apr (England).
        # England: 7 (1), 8 (2), 9 (3), 10 (4), Mon 13 Apr (5).
        assert self.ack(date(2026, 4, 2), "ENG") == date(2026, 4, 13)
        # Scotland has no Easter Monday holiday: 6 (1) ... Fri 10 Apr (5).
        assert self.ack(date(2026, 4, 2), "SCT") == date(2026, 4, 10)

    def test_acknowledgement_across_st_patricks_day(self):
        # Mon 16 Mar 2026; St Patrick's Day Tue 17 Mar (Northern Ireland only).
        # NI: 18 (1), 19 (2), 20 (3), 23 (4), Tue 24 Mar (5). England: Mon 23 Mar.
        assert self.ack(date(2026, 3, 16), "NIR") == date(2026, 3, 24)
        assert self.ack(date(2026, 3, 16), "ENG") == date(2026, 3, 23)

    def test_acknowledgement_across_st_andrews_day(self):
        # Fri 27 Nov 2026; St Andrew's Day Mon 30 Nov 2026 (Scotland only).
        # Scotland: 1 Dec (1) ... Mon 7 Dec (5). England: 30 Nov (1) ... Fri 4 Dec (5).
        assert self.ack(date(2026, 11, 27), "SCT") == date(2026, 12, 7)
        assert self.ack(date(2026, 11, 27), "ENG") == date(2026, 12, 4)

    def test_acknowledged_and_answered_stages_drop_out(self):
        c = self.complaint(date(2026, 3, 2), "ENG", acknowledged=date(2026, 3, 3), stages=[
            ComplaintStageInput(1, date(2026, 3, 2), date(2026, 3, 10)),
            ComplaintStageInput(2, date(2026, 3, 11), None),
            ComplaintStageInput(3, date(2026, 3, 30), None),  # the commissioner's deadline, not ours
        ])
        (item,) = items(date(2026, 3, 20), complaints=[c])
        # Stage 2 from Wed 11 Mar 2026: 12, 13, 16, 17, 18, 19, 20, 23, 24, 25 -> Wed 25 Mar.
        assert item.subject == "CMP-1 stage 2" and item.due == date(2026, 3, 25)
        assert item.ref == RecordRef("complaint", 8)

    def test_resolved_complaint_has_nothing_due(self):
        assert items(date(2026, 3, 3), complaints=[self.complaint(date(2026, 3, 2), resolved=True)]) == []


class TestConsent:
    def consent(self, given, **kw):
        return ConsentInput(14, 6, "CH-0142", kw.pop("purpose", "therapy"), given, **kw)

    def test_review_yearly_from_29_february(self):
        found = items(date(2025, 2, 28), consents=[self.consent(date(2024, 2, 29))])
        review = [i for i in found if i.kind is Kind.CONSENT_REVIEW][0]
        refresh = [i for i in found if i.kind is Kind.CONSENT_REFRESH][0]
        assert review.due == date(2025, 2, 28) and review.severity is SOON
        assert refresh.due == date(2026, 2, 28) and refresh.severity is LATER
        assert review.ref == RecordRef("consent", 14)

    def test_review_overdue_the_day_after(self):
        found = items(date(2025, 3, 1), consents=[self.consent(date(2024, 2, 29))])
        assert [i.severity for i in found if i.kind is Kind.CONSENT_REVIEW] == [OVERDUE]

    def test_a_review_moves_the_next_review_but_not_the_refresh(self):
        found = items(date(2025, 3, 1), consents=[self.consent(date(2024, 2, 29), reviewed_on=date(2025, 2, 20))])
        # Next review 20 Feb 2026 is before the refresh (28 Feb 2026): both listed.
        assert {(i.kind, i.due) for i in found} == {
            (Kind.CONSENT_REVIEW, date(2026, 2, 20)), (Kind.CONSENT_REFRESH, date(2026, 2, 28))}

    def test_refresh_covers_a_review_due_the_same_day_or_later(self):
        found = items(date(2025, 3, 1), consents=[self.consent(date(2024, 2, 29), reviewed_on=date(2025, 3, 1))])
        assert [(i.kind, i.due) for i in found] == [(Kind.CONSENT_REFRESH, date(2026, 2, 28))]

    def test_new_period_of_therapy_in_school_on_1_september(self):
        c = self.consent(date(2025, 5, 1), in_school=True, therapy_starts=(date(2026, 9, 1),))
        found = items(date(2026, 9, 1), consents=[c])
        refresh = [i for i in found if i.kind is Kind.CONSENT_REFRESH][0]
        assert refresh.due == date(2026, 9, 1) and refresh.severity is SOON
        assert "new period" in refresh.action

    def test_withdrawn_or_ended_has_nothing_due(self):
        assert items(date(2026, 1, 1), consents=[self.consent(date(2024, 1, 1), withdrawn_on=date(2025, 6, 1))]) == []
        assert items(date(2026, 1, 1), consents=[self.consent(date(2024, 1, 1), therapy_end=date(2025, 12, 31))]) == []


class TestRetention:
    def test_artwork_two_months_after_therapy_ends(self):
        # 31 Dec 2024 + 2 months = 28 Feb 2025.
        found = items(date(2025, 2, 28), retention=[RetentionInput(6, "AD-0040", "adult", None, date(2024, 12, 31))])
        artwork = [i for i in found if i.kind is Kind.ARTWORK_DISPOSAL][0]
        assert artwork.due == date(2025, 2, 28) and artwork.severity is SOON
        assert artwork.ref == RecordRef("client", 6)
        notes = [i for i in found if i.kind is Kind.NOTES_DISPOSAL][0]
        assert notes.due == date(2029, 12, 31) and notes.severity is LATER

    def test_artwork_into_a_leap_february(self):
        # 29 Dec 2023 + 2 months = 29 Feb 2024; overdue on 1 Mar 2024.
        found = items(date(2024, 3, 1), retention=[RetentionInput(6, "X", "adult", None, date(2023, 12, 29))])
        artwork = [i for i in found if i.kind is Kind.ARTWORK_DISPOSAL][0]
        assert artwork.due == date(2024, 2, 29) and artwork.severity is OVERDUE

    def test_artwork_disposed_of_drops_out(self):
        found = items(date(2025, 3, 1), retention=[
            RetentionInput(6, "X", "adult", None, date(2024, 12, 31), artwork_disposed_on=date(2025, 3, 1))])
        assert [i.kind for i in found] == [Kind.NOTES_DISPOSAL]

    def test_child_born_29_february(self):
        # 18th birthday 28 Feb 2026 (no 29 Feb); + 3 years = 28 Feb 2029, later than
        # 5 years after therapy ended (1 Mar 2020 + 5 = 1 Mar 2025).
        found = items(date(2029, 2, 28), retention=[RetentionInput(6, "CH-1", "child", date(2008, 2, 29), date(2020, 3, 1))])
        notes = [i for i in found if i.kind is Kind.NOTES_DISPOSAL][0]
        assert notes.due == date(2029, 2, 28) and notes.severity is SOON

    def test_no_end_of_therapy_means_no_dates(self):
        assert items(date(2026, 1, 1), retention=[RetentionInput(6, "AD-1", "adult", None, None)]) == []


class TestDataRequests:
    def due(self, received, nation="ENG"):
        return one(received, data_requests=[DataRequestInput(4, "AD-0031", "access", received, nation)]).due

    def test_one_month_moved_past_christmas(self):
        # 25 Nov 2025 -> 25 Dec (Christmas), 26 (Boxing Day), weekend -> Mon 29 Dec 2025.
        assert self.due(date(2025, 11, 25)) == date(2025, 12, 29)

    def test_scottish_2_january(self):
        # 2 Dec 2025 -> Fri 2 Jan 2026: a working day in England, a holiday in Scotland.
        assert self.due(date(2025, 12, 2), "ENG") == date(2026, 1, 2)
        assert self.due(date(2025, 12, 2), "SCT") == date(2026, 1, 5)

    def test_month_end_clamps_then_skips_the_weekend(self):
        # 31 Jan 2026 -> 28 Feb 2026 (a Saturday) -> Mon 2 Mar 2026.
        assert self.due(date(2026, 1, 31)) == date(2026, 3, 2)

    def test_due_today_and_yesterday(self):
        req = DataRequestInput(4, "AD-0031", "access", date(2026, 3, 9), "ENG")  # due Thu 9 Apr 2026
        assert one(date(2026, 4, 9), data_requests=[req]).severity is SOON
        assert one(date(2026, 4, 10), data_requests=[req]).severity is OVERDUE
        assert one(date(2026, 4, 10), data_requests=[req]).subject == "Access request from AD-0031"


class TestLocalAuthorities:
    def test_twelve_months_after_verification(self):
        la = AuthorityInput(2, "Luton", date(2025, 9, 1), date(2024, 1, 1), ("A",))
        assert one(date(2026, 9, 1), authorities=[la]).severity is SOON
        item = one(date(2026, 9, 2), authorities=[la])
        assert item.severity is OVERDUE and item.due == date(2026, 9, 1)
        assert item.ref == RecordRef("local_authority", 2)

    def test_never_verified(self):
        la = AuthorityInput(2, "Luton", None, date(2026, 1, 5))
        assert one(date(2026, 2, 1), authorities=[la]).due == date(2026, 1, 5)

    def test_verified_29_february(self):
        la = AuthorityInput(2, "Luton", date(2024, 2, 29), date(2024, 1, 1))
        assert one(date(2025, 3, 1), authorities=[la]).due == date(2025, 2, 28)


# --------------------------------------------------------------------------- the whole list


def test_most_urgent_first():
    today = date(2026, 11, 22)
    found = items(
        today,
        now=datetime(2026, 11, 22, 9, 0),
        authorities=[AuthorityInput(2, "Luton", date(2023, 9, 1), date(2023, 1, 1))],
        serious_incidents=[SeriousIncidentInput(9, "C-9", "", datetime(2026, 11, 21, 8, 0))],
        training=[training(date(2026, 12, 1)), ],
        concern_actions=[ConcernActionInput(5, 2, "C-2", "", "x", "", date(2026, 11, 23))],
        data_requests=[DataRequestInput(4, "AD-1", "access", date(2026, 1, 5), "ENG")],
    )
    assert [(i.severity, i.kind) for i in found] == [
        (OVERDUE, Kind.SERIOUS_INCIDENT),  # overdue by hours, but a safeguarding deadline
        (OVERDUE, Kind.DATA_REQUEST),  # due 5 Feb 2026
        (OVERDUE, Kind.AUTHORITY),  # due 1 Sep 2024, older but less harmful
        (SOON, Kind.CONCERN_ACTION),  # 23 Nov
        (SOON, Kind.TRAINING),  # 1 Dec
    ]
    c = counts(found)
    assert (c.overdue, c.due_soon, c.upcoming, c.total) == (3, 2, 0, 5)


def test_within_days_and_windows():
    today = date(2026, 11, 22)
    found = items(today, concern_actions=[
        ConcernActionInput(1, 1, "C-1", "", "", "", date(2026, 11, 1)),
        ConcernActionInput(2, 1, "C-1", "", "", "", date(2026, 11, 29)),
        ConcernActionInput(3, 1, "C-1", "", "", "", date(2026, 12, 22)),
        ConcernActionInput(4, 1, "C-1", "", "", "", date(2027, 6, 1)),
    ])
    assert [i.ref.id for i in within(found, today, None)] == [1, 2, 3]
    assert [i.ref.id for i in within(found, today, 7)] == [1, 2]
    assert [i.ref.id for i in within(found, today, 0)] == [1]
    assert [i.ref.id for i in within(found, today, 365)] == [1, 2, 3, 4]


def test_describe_due():
    today = date(2026, 11, 22)
    action = lambda due: one(today, concern_actions=[ConcernActionInput(1, 1, "C", "", "", "", due)])  # noqa: E731
    assert describe_due(action(today), today) == "due today"
    assert describe_due(action(date(2026, 11, 21)), today) == "was due 1 day ago"
    assert describe_due(action(date(2026, 12, 15)), today) == "due in 23 days"


def test_describe_due_with_date_says_the_date_once():
    # An item's details read "Due soon · Due 23 Nov 2026 · due today".
    today = date(2026, 11, 22)
    action = lambda due: one(today, concern_actions=[ConcernActionInput(1, 1, "C", "", "", "", due)])  # noqa: E731
    assert describe_due_with_date(action(today), today) == "due today, 22 Nov 2026"
    assert describe_due_with_date(action(date(2026, 11, 21)), today) == "was due 1 day ago, 21 Nov 2026"
    assert describe_due_with_date(action(date(2026, 12, 15)), today) == "due in 23 days, 15 Dec 2026"
    # A step due at a time: its day is the one given with the time.
    now = datetime(2026, 11, 22, 9, 0)
    late = one(today, now=now, procedure_steps=[step(datetime(2026, 11, 21, 19, 0))])
    assert describe_due_with_date(late, today, now) == "overdue since 19:00 yesterday, 21 Nov 2026"
    soon = one(today, now=now, procedure_steps=[step(datetime(2026, 11, 23, 9, 0))])
    assert describe_due_with_date(soon, today, now) == "due by 09:00 tomorrow, 23 Nov 2026"
    # The date already said is not said again.
    old = one(today, now=now, procedure_steps=[step(datetime(2026, 11, 11, 9, 0))])
    assert describe_due_with_date(old, today, now) == "overdue since 11 Nov 2026"


def test_negative_window_is_refused():
    with pytest.raises(ValueError):
        Windows(training_days=-1)


# --------------------------------------------------------------------------- procedure steps


def step(due, contact_name="Claire Ashdown", contact_phone="07700 900123", due_text="immediately"):
    return ProcedureStepInput(9, "C-2026-009", "Heron Way Primary", "Tell the site's DSL", due,
                              contact_name, contact_phone, due_text)


class TestProcedureSteps:
    def test_a_step_due_at_this_very_moment_is_not_yet_overdue(self):
        now = datetime(2026, 11, 22, 14, 30)
        item = one(now.date(), now=now, procedure_steps=[step(datetime(2026, 11, 22, 14, 30))])
        assert item.kind is Kind.PROCEDURE_STEP
        assert item.severity is SOON
        assert item.due == date(2026, 11, 22)
        assert item.due_at == datetime(2026, 11, 22, 14, 30)
        assert item.subject == "C-2026-009 at Heron Way Primary"
        assert item.label == "Concern step"
        assert item.action == "Tell the site's DSL (Claire Ashdown, 07700 900123)"
        assert item.ref == RecordRef("concern", 9)
        assert describe_due(item, now.date(), now) == "due by 14:30 today"

    def test_one_minute_past_the_moment_is_overdue(self):
        now = datetime(2026, 11, 22, 14, 31)
        item = one(now.date(), now=now, procedure_steps=[step(datetime(2026, 11, 22, 14, 30))])
        assert item.severity is OVERDUE
        assert describe_due(item, now.date(), now) == "overdue since 14:30 today"

    def test_due_by_the_end_of_today(self):
        due = datetime(2026, 11, 10, 23, 59, 59)  # "same day": the end of the day noticed
        during = one(date(2026, 11, 10), now=datetime(2026, 11, 10, 23, 59, 59),
                     procedure_steps=[step(due, due_text="by the end of 10 Nov 2026")])
        assert during.severity is SOON
        after = one(date(2026, 11, 11), now=datetime(2026, 11, 11, 0, 0),
                    procedure_steps=[step(due, due_text="by the end of 10 Nov 2026")])
        assert after.severity is OVERDUE

    def test_a_working_day_deadline_is_a_day(self):
        # "within 1 working day" of Fri 20 Nov 2026: Mon 23 Nov.
        due = date(2026, 11, 23)
        assert one(date(2026, 11, 23), procedure_steps=[step(due)]).severity is SOON
        assert one(date(2026, 11, 24), procedure_steps=[step(due)]).severity is OVERDUE
        assert one(date(2026, 11, 23), procedure_steps=[step(due)]).due_at is None
        # 30 days ahead is inside the "other" window, 31 days is not.
        assert one(date(2026, 10, 24), procedure_steps=[step(due)]).severity is SOON
        assert one(date(2026, 10, 23), procedure_steps=[step(due)]).severity is LATER

    def test_no_contact_recorded_leaves_the_title_alone(self):
        item = one(date(2026, 11, 22), procedure_steps=[step(date(2026, 11, 23), "", "")])
        assert item.action == "Tell the site's DSL"

    def test_a_name_without_a_phone(self):
        item = one(date(2026, 11, 22), procedure_steps=[step(date(2026, 11, 23), "Claire Ashdown", "")])
        assert item.action == "Tell the site's DSL (Claire Ashdown)"

    def test_an_overdue_step_comes_before_an_overdue_action_but_after_the_24_hour_notification(self):
        now = datetime(2026, 11, 22, 9, 0)
        found = items(
            now.date(), now=now,
            concern_actions=[ConcernActionInput(1, 9, "C-2026-009", "Heron Way Primary", "Chase", "me", date(2026, 11, 1))],
            procedure_steps=[step(datetime(2026, 11, 21, 16, 0))],
            serious_incidents=[SeriousIncidentInput(9, "C-2026-009", "Heron Way Primary", datetime(2026, 11, 21, 8, 0))],
        )
        assert [i.kind for i in found] == [Kind.SERIOUS_INCIDENT, Kind.PROCEDURE_STEP, Kind.CONCERN_ACTION]
