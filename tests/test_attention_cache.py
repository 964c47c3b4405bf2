"""The attention list kept between computations (data/attention_cache.py, issue 7).

Every test compares the kept list with the list read afresh (rules.attention_list of
gather()), and counts what was read again (AttentionCache.recomputed), never time: an
edit to a source's table shows up in the next list and re-reads that source only (and
only the records it touched, where the source is read in pieces); an edit nothing
reads re-reads nothing.
"""

from __future__ import annotations

import random
from collections import Counter
from datetime import datetime, timedelta

import pytest

from sitecare.data import attention_cache, attention_inputs, models
from sitecare.data import concerns as cq
from sitecare.data.attention_cache import Tie, _splice
from sitecare.data.attention_inputs import (
    GROUPS,
    KEYS,
    READS,
    current_attention,
    gather,
    mark_authority_verified,
    record_artwork_disposed,
    windows,
)
from sitecare.data.demo import populate_demo
from sitecare.data.models import (
    Action,
    Attachment,
    ChronologyEntry,
    Client,
    Complaint,
    Concern,
    Consent,
    Contact,
    DataRequest,
    LocalAuthority,
    Organisation,
    Policy,
    Requirement,
    Site,
    TrainingRecord,
    change,
)
from sitecare.data.settings import set_setting
from sitecare.data.vault import Vault
from sitecare.rules.attention import DAY_DEPENDENT, AttentionItem, Kind, RecordRef, Severity, attention_list

NOW = datetime(2026, 11, 22, 9, 0)
TODAY = NOW.date()


def fresh(now: datetime = NOW) -> list[AttentionItem]:
    today = now.date()
    return attention_list(gather(today), today, windows(), now)


def kept(now: datetime = NOW) -> list[AttentionItem]:
    """The kept list, checked against the list read afresh."""
    items = current_attention(now)
    assert items == fresh(now)
    assert [repr(i) for i in items] == [repr(i) for i in fresh(now)]
    return items


def after(edit, now: datetime = NOW) -> tuple[Counter, list[AttentionItem]]:
    """What was read again for the list after `edit` (one committed change), and the list."""
    cache = attention_cache.attention_cache()
    before = Counter(cache.recomputed)
    with change():
        edit()
    items = kept(now)
    assert attention_cache.attention_cache() is cache
    return Counter(cache.recomputed) - before, items


def first(items, kind: Kind) -> AttentionItem:
    return next(i for i in items if i.kind is kind)


def refs(items, kind: Kind) -> set[RecordRef]:
    return {i.ref for i in items if i.kind is kind}


@pytest.fixture
def demo(open_vault):
    populate_demo(TODAY)
    kept()
    return open_vault


# ---------------------------------------------------------------------------- each source


def test_training_record(demo):
    item = first(kept(), Kind.TRAINING)
    record = TrainingRecord.get_by_id(item.ref.id)
    work, items = after(lambda: TrainingRecord.update(expires=record.expires + timedelta(days=400))
                        .where(TrainingRecord.id == record.id).execute())
    assert work == {"training pieces": 1}
    assert first([i for i in items if i.ref == item.ref], Kind.TRAINING).due == record.expires + timedelta(days=400)


def test_site_requirement(demo):
    item = first(kept(), Kind.REQUIREMENT)
    work, items = after(lambda: Requirement.delete_by_id(item.ref.id))
    assert work == {"training pieces": 1}
    assert item.ref not in refs(items, Kind.REQUIREMENT)


def test_policy(demo):
    item = first(kept(), Kind.POLICY)
    policy = Policy.get_by_id(item.ref.id)
    work, items = after(lambda: Policy.update(signed_on=TODAY, version=policy.version)
                        .where(Policy.id == policy.id).execute())
    assert work == {"policies pieces": 1}
    assert [i.due for i in items if i.ref == item.ref] != [item.due]


def test_site_contacts(demo):
    item = first(kept(), Kind.CONTACTS)
    site_concerns = Concern.select().where(Concern.site == item.ref.id, Concern.status.in_(("open", "awaiting_outcome")))
    work, items = after(lambda: Contact.update(confirmed_on=TODAY).where(Contact.site == item.ref.id).execute())
    # The site's contacts, and the open concerns there (their procedures name them).
    assert work == Counter({"site_contacts pieces": 1, "concerns pieces": site_concerns.count()}) + Counter()
    assert item.ref not in refs([i for i in items if i.severity is Severity.OVERDUE], Kind.CONTACTS)


def test_concern_action(demo):
    item = first(kept(), Kind.CONCERN_ACTION)
    work, items = after(lambda: Action.update(done_on=TODAY).where(Action.id == item.ref.id).execute())
    # The action's concern, for its actions and (it may be the chase) its outcome.
    assert work == {"concern_actions pieces": 1, "concerns pieces": 1}
    assert item.ref not in refs(items, Kind.CONCERN_ACTION)


def test_procedure_step_done_in_the_chronology(demo):
    item = first(kept(), Kind.PROCEDURE_STEP)
    concern = Concern.get_by_id(item.ref.id)
    state = next(s for s in cq.procedure_for(concern).steps if item.action.startswith(s.resolved.step.title))
    work, items = after(lambda: cq.complete_step(concern, state, NOW, how="phone", said="Done."))
    assert work == {"concerns pieces": 1}
    assert item not in items


def test_outcome(demo):
    item = first(kept(), Kind.OUTCOME)
    concern = Concern.get_by_id(item.ref.id)
    work, items = after(lambda: cq.record_outcome(concern, "Summary received.", NOW))
    assert work == {"concerns pieces": 1, "concern_actions pieces": 1}
    assert item.ref not in refs(items, Kind.OUTCOME)


def test_serious_incident_raised_then_notified(demo):
    site = Site.select().where(Site.archived == False).first()  # noqa: E712
    made = {}

    def raise_it():
        made["c"] = Concern.create(reference="C-2026-900", site=site, kind="serious_incident", status="open",
                                   noticed_at=NOW - timedelta(hours=30))

    work, items = after(raise_it)
    # The new concern, for its items and its actions.
    assert work == {"concerns pieces": 1, "concern_actions pieces": 1}
    assert RecordRef("concern", made["c"].id) in refs(items, Kind.SERIOUS_INCIDENT)
    work, items = after(lambda: ChronologyEntry.create(
        concern=made["c"], at=NOW, kind="action_taken", text="Form sent", step_key="serious-incident/notification-form"))
    assert work == {"concerns pieces": 1}
    assert RecordRef("concern", made["c"].id) not in refs(items, Kind.SERIOUS_INCIDENT)


def test_complaint(demo):
    made = {}
    work, items = after(lambda: made.setdefault("c", Complaint.create(reference="CMP-2026-900", received_on=TODAY)))
    assert work == {"complaints": 1}
    assert RecordRef("complaint", made["c"].id) in refs(items, Kind.COMPLAINT_ACK)
    work, items = after(lambda: Complaint.update(acknowledged_on=TODAY).where(Complaint.id == made["c"].id).execute())
    assert work == {"complaints": 1}
    assert RecordRef("complaint", made["c"].id) not in refs(items, Kind.COMPLAINT_ACK)


def test_consent(demo):
    item = first(kept(), Kind.CONSENT_REVIEW)
    work, items = after(lambda: Consent.update(withdrawn_on=TODAY - timedelta(days=1))
                        .where(Consent.id == item.ref.id).execute())
    assert work == {"consents": 1}
    assert item.ref not in refs(items, Kind.CONSENT_REVIEW) | refs(items, Kind.CONSENT_REFRESH)


def test_retention(demo):
    item = first(kept(), Kind.ARTWORK_DISPOSAL)
    work, items = after(lambda: record_artwork_disposed(item.ref.id, TODAY))
    assert work == {"retention": 1}
    assert item.ref not in refs(items, Kind.ARTWORK_DISPOSAL)


def test_client(demo):
    item = first(kept(), Kind.NOTES_DISPOSAL)
    client = Client.get_by_id(item.ref.id)
    work, items = after(lambda: Client.update(therapy_end=client.therapy_end - timedelta(days=30))
                        .where(Client.id == client.id).execute())
    # Every source that reads clients; concerns only those about this client.
    assert {"retention", "consents", "data_requests"} <= set(work) <= {"retention", "consents", "data_requests",
                                                                       "concerns pieces"}
    assert [i.due for i in items if i.ref == item.ref and i.kind is Kind.NOTES_DISPOSAL] != [item.due]


def test_data_request(demo):
    item = first(kept(), Kind.DATA_REQUEST)
    work, items = after(lambda: DataRequest.update(completed_on=TODAY, status="completed")
                        .where(DataRequest.id == item.ref.id).execute())
    assert work == {"data_requests": 1}
    assert item.ref not in refs(items, Kind.DATA_REQUEST)


def test_local_authority(demo):
    item = first(kept(), Kind.AUTHORITY)
    work, items = after(lambda: mark_authority_verified(item.ref.id, TODAY))
    assert work["authorities"] == 1 and "training" not in work and "policies" not in work
    assert [i.due for i in items if i.ref == item.ref] != [item.due]


def _open_concerns_at(**site) -> int:
    return (Concern.select().join(Site).where(Concern.status.in_(attention_inputs.OPEN_STATUSES))
            .filter(**{f"site__{k}": v for k, v in site.items()}).count())


def test_an_authority_change_reads_again_only_the_concerns_at_its_sites(demo):
    # Whom to call, the nation and the office hours come from the site's authority:
    # a change to one authority reads again the open concerns at its sites, not all.
    authority = Site.get_by_id(Concern.select().where(Concern.status == "open").first().site_id).local_authority_id
    at_its_sites = _open_concerns_at(local_authority=authority)
    assert 0 < at_its_sites < _open_concerns_at()
    work, _ = after(lambda: LocalAuthority.update(children_phone="01632 960123", nation="WLS")
                    .where(LocalAuthority.id == authority).execute())
    assert "concerns" not in work and work["concerns pieces"] == at_its_sites


def test_an_organisation_change_reads_again_only_the_concerns_at_its_sites(demo):
    item = first(kept(), Kind.PROCEDURE_STEP)
    assert "organisation's safeguarding team" in item.action
    organisation = Site.get_by_id(Concern.get_by_id(item.ref.id).site_id).organisation_id
    at_its_sites = _open_concerns_at(organisation=organisation)
    assert 0 < at_its_sites < _open_concerns_at()
    work, items = after(lambda: Organisation.update(safeguarding_lead_phone="07700 900123")
                        .where(Organisation.id == organisation).execute())
    assert "concerns" not in work and work["concerns pieces"] == at_its_sites
    assert "07700 900123" in next(i for i in items if i.ref == item.ref and i.kind is Kind.PROCEDURE_STEP).action


def test_each_open_concerns_last_entries_are_read_from_the_covering_index(demo, monkeypatch):
    # A search of the index, not a pass over the chronology's texts: on the large
    # vault 11 ms by that pass, 5.4 by a pass over the index, 4.1 by the search.
    plans = []
    execute = models.database.obj.execute_sql

    def explained(sql, params=(), *args, **kwargs):
        if "max(at)" in sql and "chronology_entry" in sql:
            plans.append(" ".join(row[-1] for row in execute("EXPLAIN QUERY PLAN " + sql, params).fetchall()))
        return execute(sql, params, *args, **kwargs)

    monkeypatch.setattr(models.database.obj, "execute_sql", explained)
    gather(TODAY)
    assert plans and all("SEARCH chronology_entry USING COVERING INDEX chronology_concern_kind_at" in plan
                         for plan in plans), plans


def test_warning_windows_work_out_the_items_again_without_reading(demo):
    cache = attention_cache.attention_cache()
    before = Counter(cache.recomputed)
    set_setting("warn_days_other", 0)
    items = kept()
    assert Counter(cache.recomputed) - before == Counter()
    assert not any(i.severity is Severity.DUE_SOON and i.kind is Kind.CONSENT_REVIEW and i.due > TODAY for i in items)


# ---------------------------------------------------------------------------- what is kept


@pytest.mark.parametrize("edit", [
    lambda: Site.update(visit_notes="Sign in at reception").execute(),
    lambda: Client.update(initials="ZZ").execute(),
    lambda: Concern.update(account="A longer account.").execute(),
    lambda: Contact.update(notes="Part-time").execute(),
    lambda: TrainingRecord.update(provider="Another provider").execute(),
    lambda: Attachment.create(blob_id="b1", filename="x.pdf", size=1, sha256="0" * 64),
    lambda: Site.update(name=Site.name).execute(),  # written, but the same
])
def test_an_edit_nothing_reads_reuses_everything(demo, edit):
    before = kept()
    work, items = after(edit)
    assert work == Counter()
    assert items == before


def test_unchanged_calls_return_the_same_items(demo):
    cache = attention_cache.attention_cache()
    a = current_attention(NOW)
    recomputed = Counter(cache.recomputed)
    b = current_attention(NOW)
    assert a == b and all(x is y for x, y in zip(a, b))
    assert a is not b  # a copy: the caller may change its list
    assert cache.recomputed == recomputed


def test_a_new_day_reads_again_only_what_the_day_changes(demo):
    # Pieces of the day-dependent sources hold for the day they were read on (until
    # keep() asks their rules about the days ahead); the others' for every day after.
    cache = attention_cache.attention_cache()
    before = Counter(cache.recomputed)
    kept(NOW + timedelta(days=1))
    work = Counter(cache.recomputed) - before
    daily = {group.name for group in GROUPS if set(group.fields) & DAY_DEPENDENT}
    assert {name.removesuffix(" pieces") for name in work} == daily
    assert work["training pieces"] == len(cache._kept["training"].pieces)


def test_the_clock_passing_a_deadline_in_hours_changes_its_severity(demo):
    site = Site.select().where(Site.archived == False).first()  # noqa: E712
    with change():
        concern = Concern.create(reference="C-2026-901", site=site, kind="serious_incident", status="open",
                                 noticed_at=NOW - timedelta(hours=23))
    ref = RecordRef("concern", concern.id)
    before = next(i for i in kept() if i.ref == ref and i.kind is Kind.SERIOUS_INCIDENT)
    assert before.severity is not Severity.OVERDUE
    later = NOW + timedelta(hours=1, minutes=1)
    after_deadline = next(i for i in kept(later) if i.ref == ref and i.kind is Kind.SERIOUS_INCIDENT)
    assert after_deadline.severity is Severity.OVERDUE


def test_a_change_rolled_back_is_not_kept(demo):
    site = Site.select().where(Site.archived == False).first()  # noqa: E712
    before = kept()

    class Undo(Exception):
        pass

    with pytest.raises(Undo):
        with change():
            Site.update(archived=True).where(Site.id == site.id).execute()
            # Inside the transaction nothing is kept or used: the list reads afresh.
            inside = current_attention(NOW)
            assert inside == fresh()
            assert inside != before
            raise Undo
    assert kept() == before


def test_a_random_run_of_edits_keeps_the_list_right(demo):
    rng = random.Random(7)
    now = NOW
    sites = [s.id for s in Site.select()]
    for step in range(40):
        roll = rng.random()
        with change():
            if roll < 0.2:
                Contact.update(confirmed_on=TODAY - timedelta(days=rng.randint(0, 900))).where(
                    Contact.id == rng.choice([c.id for c in Contact.select()])).execute()
            elif roll < 0.35:
                concern = rng.choice(list(Concern.select()))
                ChronologyEntry.create(concern=concern, at=now - timedelta(hours=rng.randint(0, 100)),
                                       kind=rng.choice(["referral", "outcome", "note"]), text="x")
            elif roll < 0.5:
                Concern.update(status=rng.choice(["open", "awaiting_outcome", "closed"])).where(
                    Concern.id == rng.choice([c.id for c in Concern.select()])).execute()
            elif roll < 0.6:
                Site.update(name=f"Site {rng.randint(0, 3)}", archived=rng.random() < 0.2).where(
                    Site.id == rng.choice(sites)).execute()
            elif roll < 0.7:
                Policy.update(signed_on=TODAY - timedelta(days=rng.randint(0, 900))).where(
                    Policy.id == rng.choice([p.id for p in Policy.select()])).execute()
            elif roll < 0.8:
                record = rng.choice(list(TrainingRecord.select()))
                record.completed = TODAY - timedelta(days=rng.randint(0, 1500))
                record.expires = record.completed + timedelta(days=1095)
                record.save()
            elif roll < 0.9:
                Action.create(concern=rng.choice(list(Concern.select())), description=f"Step {step}", owner="me",
                              due=TODAY + timedelta(days=rng.randint(-20, 40)))
            else:
                now += timedelta(hours=rng.choice([1, 5, 30]))
        kept(now)


# ---------------------------------------------------------------------------- one connection


def test_locking_or_opening_another_vault_drops_the_kept_list(demo, vault_template, template_kek, tmp_path):
    demo_items = kept()
    cache = attention_cache.attention_cache()
    demo.close(keep_lock=True)  # the idle lock
    assert attention_cache._cache is None
    assert attention_cache.attention_cache() is None

    other_dir = tmp_path / "other"
    import shutil

    shutil.copytree(vault_template, other_dir)
    (other_dir / "sitecare.lock").unlink(missing_ok=True)
    other = Vault(other_dir)
    other.open_with_key(template_kek)
    try:
        items = kept()
        assert items != demo_items and items == []
        assert attention_cache.attention_cache() is not cache
    finally:
        other.close()
    assert attention_cache._cache is None


def test_nothing_of_the_cache_is_saved_but_what_keep_writes(demo):
    # The counting triggers are the connection's own; the kept list is written to the
    # vault only by keep() (tests/test_kept_attention.py), never by working it out.
    kept()
    _, image = demo.serialize()
    import sqlite3

    copy = sqlite3.connect(":memory:")
    copy.deserialize(image)
    names = [name for name, in copy.execute("SELECT name FROM sqlite_master WHERE type = 'trigger'")]
    assert names and not [n for n in names if n.startswith("sitecare_watch_")]
    assert copy.execute("SELECT count(*) FROM sqlite_temp_master").fetchone() == (0,)


def test_a_failure_half_way_starts_afresh(demo, monkeypatch):
    item = first(kept(), Kind.CONCERN_ACTION)
    cache = attention_cache.attention_cache()

    def broken(*args):
        raise RuntimeError("disk on fire")

    with change():
        Action.update(done_on=TODAY).where(Action.id == item.ref.id).execute()
    # The groups are brought up to date, then putting the new items in the list fails.
    monkeypatch.setattr(attention_cache, "_splice_keyed", broken)
    with pytest.raises(RuntimeError):
        current_attention(NOW)
    monkeypatch.undo()
    items = kept()
    assert attention_cache.attention_cache() is cache
    assert item.ref not in refs(items, Kind.CONCERN_ACTION)


def test_a_lost_trigger_starts_afresh(demo):
    cache = attention_cache.attention_cache()
    models.database.execute_sql('DROP TRIGGER temp."sitecare_watch_site_update"')
    kept()
    assert attention_cache.attention_cache() is not cache


# ---------------------------------------------------------------------------- the parts


def test_every_column_read_is_in_the_schema():
    tables = {model._meta.table_name: model for model in models.ALL_MODELS}
    for table, columns in READS.items():
        assert table in tables, table
        names = {field.column_name for field in tables[table]._meta.sorted_fields}
        assert set(columns) <= names, (table, set(columns) - names)
    for table, column in KEYS.items():
        assert column in READS[table], (table, column)
    for group in GROUPS:
        assert set(group.tables) <= set(READS), group.name
        assert set(group.own) | set(group.via) <= set(KEYS), group.name


def test_reading_a_column_not_in_reads_is_refused(open_vault):
    with pytest.raises(ValueError, match="READS"):
        attention_inputs._select("site", ("visit_notes",))


def item(subject: str, ref_id: int, due=TODAY) -> AttentionItem:
    return AttentionItem(Kind.POLICY, subject, due, Severity.OVERDUE, "Sign", RecordRef("policy", ref_id))


def test_splicing_puts_items_where_sorting_would():
    items = sorted([item("A", 1), item("C", 3), item("E", 5)], key=lambda i: (i.subject,))
    old = items[1]
    new = [item("B", 2), item("D", 4)]
    assert _splice(items, [old], [new]) == [item("A", 1), item("B", 2), item("D", 4), item("E", 5)]


def test_splicing_keeps_a_pieces_equal_items_in_order_and_refuses_anothers():
    a = item("Same", 7)
    b = AttentionItem(Kind.POLICY, "Same", TODAY, Severity.OVERDUE, "Other", RecordRef("policy", 7))
    assert _splice([], [], [[a, b]]) == [a, b]
    with pytest.raises(Tie):
        _splice([a], [], [[b]])
    with pytest.raises(Tie):
        _splice([a], [item("Missing", 9)], [])


def test_followed_steps_are_procedure_fors_own(demo):
    # The attention list resolves only the steps it can list (cq.followed_steps); they
    # must be exactly procedure_for's, for every kind of concern and route.
    wanted = attention_inputs._may_fall_due
    concerns = list(Concern.select())
    kinds = ["disclosure", "allegation_staff", "whistleblowing", "serious_incident", "data_breach"]
    for n, concern in enumerate(concerns):
        concern.kind = kinds[n % len(kinds)]
        concern.immediate_danger = n % 3 == 0
        for pick in (wanted, None):
            every = [s for s in cq.procedure_for(concern).steps
                     if not s.offered and (pick is None or pick(s.resolved.step))]
            assert list(cq.followed_steps(concern, wanted=pick)) == every, (concern.reference, concern.kind)
    assert any(cq.followed_steps(c, wanted=wanted) for c in concerns)


def test_the_garbage_collector_is_left_as_it_was(demo):
    import gc

    assert gc.isenabled()
    kept()
    assert gc.isenabled()
    gc.disable()
    try:
        kept()
        assert not gc.isenabled()
    finally:
        gc.enable()
