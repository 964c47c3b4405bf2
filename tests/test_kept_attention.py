"""The attention list kept in the vault between openings (data/kept_attention.py, issue 7).

Every test compares the list an opening starts from what the vault keeps with the list
read afresh (rules.attention_list of gather()), on the day it was kept and the days
after, after edits made by every path between keeping and opening; and counts what was
read again (AttentionCache.recomputed), never time.
"""

from __future__ import annotations

import random
import sqlite3
from collections import Counter
from datetime import date, datetime, timedelta

import pytest

from sitecare.data import attention_cache, kept_attention, models
from sitecare.data.attention_inputs import GROUPS, current_attention, gather, keep_attention, windows
from sitecare.data.demo import populate_demo
from sitecare.data.models import (
    Action,
    ChronologyEntry,
    Client,
    Concern,
    Contact,
    LocalAuthority,
    Organisation,
    Policy,
    Site,
    TrainingRecord,
    change,
)
from sitecare.data.retention import dispose_client
from sitecare.data.settings import set_setting
from sitecare.data.vault import Vault
from sitecare.rules import attention as rules
from sitecare.rules.attention import attention_list

NOW = datetime(2026, 11, 22, 9, 0)
TODAY = NOW.date()


def fresh(now: datetime) -> list[rules.AttentionItem]:
    today = now.date()
    return attention_list(gather(today), today, windows(), now)


def opened(now: datetime = NOW) -> tuple[list[rules.AttentionItem], Counter]:
    """The list as an opening makes it (the in-memory cache dropped, as a new
    connection has none), checked against the list read afresh, and what was read."""
    attention_cache.drop_cache()
    items = current_attention(now)
    expected = fresh(now)
    assert [repr(i) for i in items] == [repr(i) for i in expected]
    return items, Counter(attention_cache.attention_cache().recomputed)


def read_again(work: Counter) -> set[str]:
    """The groups read (whole, or in pieces) rather than taken from the vault."""
    return {name.removesuffix(" pieces") for name in work if not name.endswith(" kept")}


@pytest.fixture
def demo(open_vault):
    populate_demo(TODAY)
    return open_vault


@pytest.fixture
def kept(demo):
    assert keep_attention(NOW)
    return demo


def test_an_opening_the_same_day_reads_nothing(kept):
    _, work = opened()
    assert read_again(work) == set()
    assert work == Counter(f"{group.name} kept" for group in GROUPS)


@pytest.mark.parametrize("days", [1, 3, 7])
def test_the_week_after_keeping_reads_nothing_either(kept, days):
    # keep() asked the day-dependent rules about each of the next seven days.
    _, work = opened(NOW + timedelta(days=days))
    assert read_again(work) == set()


def test_after_the_week_only_the_day_dependent_pieces_are_read(kept):
    _, work = opened(NOW + timedelta(days=8))
    daily = {group.name for group in GROUPS if set(group.fields) & rules.DAY_DEPENDENT}
    assert read_again(work) == daily


def test_a_clock_set_back_reads_everything_kept_after_it(kept):
    _, work = opened(NOW - timedelta(days=1))
    assert read_again(work) == {group.name for group in GROUPS}


def test_windows_and_the_moment_are_never_kept(kept):
    set_setting("warn_days_training", "5")
    set_setting("warn_days_other", "3")
    _, work = opened(NOW + timedelta(hours=30))
    assert read_again(work) == set()


def test_keeping_again_writes_nothing_when_nothing_changed(kept):
    opened()
    assert not keep_attention(NOW)


def test_what_is_kept_is_saved_in_the_vault_file(kept, vault_dir, template_kek):
    kept.save()
    kept.close()
    other = Vault(vault_dir)
    other.open_with_key(template_kek, readonly=True)
    try:
        _, work = opened()
        assert read_again(work) == set()
    finally:
        other.close()


# ------------------------------------------------------------------------ edits by any path


def _first_open_concern() -> Concern:
    return Concern.select().where(Concern.status == "open").order_by(Concern.id).first()


EDITS = {
    "training record": lambda: TrainingRecord.update(expires=TODAY + timedelta(days=3)).where(
        TrainingRecord.id == TrainingRecord.select().first().id).execute(),
    "policy signed": lambda: Policy.update(signed_on=TODAY).where(Policy.id == Policy.select().first().id).execute(),
    "contact confirmed": lambda: Contact.update(confirmed_on=TODAY).where(
        Contact.id == Contact.select().first().id).execute(),
    "site renamed": lambda: Site.update(name="Renamed Primary").where(Site.id == Site.select().first().id).execute(),
    "site archived": lambda: Site.update(archived=True).where(Site.id == Site.select().first().id).execute(),
    "chronology entry": lambda: ChronologyEntry.create(concern=_first_open_concern(), at=NOW, kind="referral",
                                                       text="Referred to children's services"),
    "concern closed": lambda: Concern.update(status="closed").where(Concern.id == _first_open_concern().id).execute(),
    "action done": lambda: Action.update(done_on=TODAY).where(Action.id == Action.select().first().id).execute(),
    "authority checked": lambda: LocalAuthority.update(verified_on=TODAY).where(
        LocalAuthority.id == LocalAuthority.select().first().id).execute(),
    "authority's number changed": lambda: LocalAuthority.update(children_phone="01632 960111").where(
        LocalAuthority.id == LocalAuthority.select().first().id).execute(),
    "organisation's lead changed": lambda: Organisation.update(safeguarding_lead_phone="07700 900111").where(
        Organisation.id == Organisation.select().first().id).execute(),
    "client ended": lambda: Client.update(therapy_end=TODAY - timedelta(days=10)).where(
        Client.id == Client.select().first().id).execute(),
    "raw SQL": lambda: models.database.execute_sql("UPDATE training_record SET expires = ?", (TODAY.isoformat(),)),
}


@pytest.mark.parametrize("edit", sorted(EDITS))
def test_an_edit_after_keeping_is_in_the_next_opening(kept, edit):
    before = current_attention(NOW)
    with change():
        EDITS[edit]()
    items, work = opened()  # the list read afresh, whatever the edit changed
    if items != before:
        assert read_again(work)  # and the triggers noted what it changed


def test_an_organisations_change_reads_again_only_the_concerns_at_its_sites(kept):
    organisation = Organisation.select().first().id
    at_its_sites = (Concern.select().join(Site).where(Concern.status.in_(("open", "awaiting_outcome")),
                                                      Site.organisation == organisation).count())
    with change():
        Organisation.update(manager_phone="01632 960112").where(Organisation.id == organisation).execute()
    _, work = opened()
    assert read_again(work) == {"concerns"}
    assert "concerns" not in work and work["concerns pieces"] == at_its_sites > 0


def test_an_edit_nothing_reads_reads_nothing(kept):
    with change():
        Site.update(visit_notes="Sign in at the office").execute()
    _, work = opened()
    assert read_again(work) == set()


def test_a_rolled_back_edit_leaves_the_kept_list(kept):
    class Undo(Exception):
        pass

    with pytest.raises(Undo):
        with change():
            Site.update(archived=True).execute()
            raise Undo
    _, work = opened()
    assert read_again(work) == set()


def test_a_random_run_of_edits_keeps_and_openings_and_days(demo):
    rng = random.Random(11)
    now = NOW
    for step in range(30):
        roll = rng.random()
        with change():
            if roll < 0.6:
                EDITS[rng.choice(sorted(EDITS))]()
            elif roll < 0.8:
                Action.create(concern=rng.choice(list(Concern.select())), description=f"Step {step}", owner="me",
                              due=now.date() + timedelta(days=rng.randint(-20, 40)))
        if rng.random() < 0.5:
            keep_attention(now)
        if rng.random() < 0.3:
            now += timedelta(days=rng.choice([1, 2, 6, 9]), hours=rng.choice([0, 5]))
        opened(now)


# ------------------------------------------------------------------------ trust


def test_another_sitecares_list_is_not_trusted(kept):
    models.database.execute_sql("UPDATE kept_attention_group SET made_by = 'an older sitecare'")
    _, work = opened()
    assert read_again(work) == {group.name for group in GROUPS}
    assert keep_attention(NOW)  # written again, by this one
    _, work = opened()
    assert read_again(work) == set()


def test_a_missing_trigger_disowns_everything_kept(kept):
    models.database.execute_sql('DROP TRIGGER "kept_attention_site_update"')
    _, work = opened()
    assert read_again(work) == {group.name for group in GROUPS}
    assert keep_attention(NOW)
    assert "concerns" in kept_attention.load()


def test_a_body_not_as_this_sitecare_writes_it_is_not_trusted(kept):
    # A line per segment (kept_attention.body): one line too many is not read as a day.
    models.database.execute_sql(
        "UPDATE kept_attention SET body = body || char(10) || '[]' WHERE grp = 'policies' "
        "AND piece = (SELECT min(piece) FROM kept_attention WHERE grp = 'policies')")
    _, work = opened()
    assert read_again(work) == {"policies"}


def test_a_line_break_in_what_is_kept_stays_in_its_entry(demo):
    with change():
        Action.create(concern=_first_open_concern(), description="Ring the DSL\nthen write it up", owner="me",
                      due=TODAY + timedelta(days=3))
    assert keep_attention(NOW)
    items, work = opened(NOW + timedelta(days=1))
    assert read_again(work) == set()
    assert any(item.detail.startswith("Ring the DSL\nthen write it up") for item in items)


def test_reading_a_site_again_makes_only_the_site_inputs(kept, monkeypatch):
    # Making the input dataclasses is paid only for the groups read (rules/attention.py
    # _INPUTS): as if sitecare had just started, with none of them made yet.
    import sys

    import sitecare.rules

    for name in [n for n in sys.modules if n.startswith(("sitecare.rules.inputs_", "sitecare.rules.attention_inputs"))]:
        monkeypatch.delitem(sys.modules, name)
        monkeypatch.delattr(sitecare.rules, name.rsplit(".", 1)[1])
    made_before = {name: vars(rules).pop(name) for name in rules._INPUTS if name in vars(rules)}
    try:
        with change():
            Contact.update(confirmed_on=TODAY).where(Contact.id == Contact.select().first().id).execute()
        attention_cache.drop_cache()
        current_attention(NOW)
        assert Counter(attention_cache.attention_cache().recomputed)["site_contacts pieces"] == 1
        made = {n for n in sys.modules if n.startswith(("sitecare.rules.inputs_", "sitecare.rules.attention_inputs"))}
    finally:
        attention_cache.drop_cache()  # its pieces are of the classes made here
        for name in rules._INPUTS:
            vars(rules).pop(name, None)
        vars(rules).update(made_before)
    assert made == {"sitecare.rules.inputs_sites"}


def test_a_disposed_clients_details_leave_what_is_kept(kept):
    client = Client.select().where(Client.therapy_end.is_null(False)).first()
    reference = client.reference
    bodies = [body for body, in models.database.execute_sql("SELECT body FROM kept_attention")]
    assert any(reference in body for body in bodies)
    dispose_client(kept, client.id, TODAY + timedelta(days=4000))
    _, image = kept.serialize()
    # The disposal log keeps the bare reference by design; kept entries hold it quoted.
    assert f'"{reference}'.encode() not in image
    copy = sqlite3.connect(":memory:")
    copy.deserialize(image)
    assert not [b for b, in copy.execute("SELECT body FROM kept_attention") if reference in b]


def test_severity_is_never_kept(kept):
    for body, in models.database.execute_sql("SELECT body FROM kept_attention"):
        for severity in rules.Severity:
            assert f'"{severity.value}"' not in body


# ------------------------------------------------------------------------ the rules' half


def test_sources_not_day_dependent_give_the_same_entries_every_day(demo):
    # What DAY_DEPENDENT leaves out is kept for every day: check it on real inputs,
    # over a year and more either side (a rule reading the day would differ somewhere).
    inputs = gather(TODAY)
    days = [TODAY + timedelta(days=d) for d in (-400, -31, -1, 1, 2, 30, 200, 400, 800)]
    changed = set()
    for name in rules.SOURCE_FIELDS:
        rows = getattr(inputs, name)
        today_entries = rules.entries_by_row(name, rows, TODAY)
        for day in days:
            if rules.entries_by_row(name, rows, day) != today_entries:
                changed.add(name)
    assert changed <= rules.DAY_DEPENDENT
    assert changed & rules.DAY_DEPENDENT  # and the test can tell


def test_a_schedule_says_what_the_rules_say_on_each_day_it_holds_for():
    from sitecare.data.attention_cache import extended
    from sitecare.data.attention_inputs import Piece

    record = rules.TrainingRecordInput(1, date(2024, 1, 10), date(2027, 1, 10))
    training = rules.TrainingInput("prevent", "Prevent", (record,), ())
    piece = Piece(("Prevent", 1), {"training": (training,), "requirements": ()})
    on = date(2027, 1, 5)
    first = kept_attention.KeptPiece.made(piece.order, (), on, rules.entries_by_row("training", [training], on)[0],
                                          on + timedelta(days=1))
    week = extended(first, piece, ("training", "requirements"), 7)
    assert week.until == on + timedelta(days=8)
    # Expires 10 January: "before it expires" through the 10th, "it has expired" from the 11th.
    assert [date.fromordinal(d) for d in week.firsts] == [on, date(2027, 1, 11)]
    for ahead in range(8):
        day = on + timedelta(days=ahead)
        assert week.entries_on(day) == rules.entries_by_row("training", [training], day)[0]
    ending = Piece(piece.order, piece.rows, until=on + timedelta(days=3))  # its inputs change then
    assert extended(first, ending, ("training", "requirements"), 7).until == on + timedelta(days=3)


# ------------------------------------------------------------------------ the home screen


def _kept_rows() -> int:
    if not models.database.execute_sql(
        "SELECT 1 FROM sqlite_master WHERE name = 'kept_attention'"
    ).fetchone():
        return 0
    return models.database.execute_sql("SELECT count(*) FROM kept_attention").fetchone()[0]


@pytest.mark.parametrize("readonly", [False, True])
async def test_the_home_screen_keeps_the_list_once_shown_and_only_if_it_may_write(demo, readonly):
    from sitecare.app import SitecareApp
    from sitecare.screens import home

    demo.readonly = readonly
    app = SitecareApp(demo, now=lambda: NOW)
    try:
        async with app.run_test(size=(80, 24)) as pilot:
            assert isinstance(app.screen, home.HomeScreen)
            assert _kept_rows() == 0  # not on the way to the first paint
            await pilot.pause(home.KEEP_AFTER_SECONDS + 0.5)
            await app.workers.wait_for_complete()
            assert (_kept_rows() > 0) is not readonly
            assert ("concerns" not in kept_attention.load()) is readonly
    finally:
        demo.readonly = False


# ------------------------------------------------------------------------ keeping in steps


def test_pieces_running_out_soon_are_asked_about_a_new_week(kept):
    opened(NOW + timedelta(days=5))
    assert keep_attention(NOW + timedelta(days=5))  # the pieces that run out on day 8
    _, work = opened(NOW + timedelta(days=9))
    assert read_again(work) == set()


def test_an_edit_between_planning_and_writing_is_not_overwritten(demo):
    from sitecare.data.attention_inputs import apply_keep, plan_keep

    plan = plan_keep(NOW)
    plan.make_ready()  # as the app's worker does, while the user goes on
    record = TrainingRecord.select().first()
    with change():
        TrainingRecord.update(expires=TODAY + timedelta(days=2)).where(TrainingRecord.id == record.id).execute()
    current_attention(NOW)
    assert apply_keep(plan)
    opened()  # the list as the vault now keeps it is the list read afresh
    assert keep_attention(NOW)  # and what changed meanwhile is written next time
    _, work = opened()
    assert read_again(work) == set()


def test_the_week_ahead_is_made_with_the_collector_paused(demo, monkeypatch):
    """Tens of thousands of small lists and not one of them garbage: with the collector
    running, keeping the list grew faster than the data (the heap traversed again and
    again). It runs again afterwards."""
    import gc

    seen = []
    real = attention_cache.extended
    monkeypatch.setattr(attention_cache, "extended", lambda *a: seen.append(gc.isenabled()) or real(*a))
    assert gc.isenabled()
    keep_attention(NOW)
    assert seen and not any(seen)
    assert gc.isenabled()


@pytest.mark.parametrize("on", [True, False])
def test_overlapping_pauses_leave_the_collector_as_the_first_found_it(on):
    """The keep's worker pauses the collector beside the app's thread: pauses that
    overlap end it only when the last ends, and turn it back on only if it was on."""
    import gc

    from sitecare.data.attention_inputs import collector_paused

    was = gc.isenabled()
    try:
        gc.enable() if on else gc.disable()
        first, second = collector_paused(), collector_paused()
        first.__enter__()
        second.__enter__()
        first.__exit__(None, None, None)
        assert not gc.isenabled()  # the second still runs
        second.__exit__(None, None, None)
        assert gc.isenabled() is on
    finally:
        gc.enable() if was else gc.disable()


def test_a_plan_for_a_list_no_longer_open_writes_nothing(demo):
    from sitecare.data.attention_inputs import apply_keep, plan_keep

    plan = plan_keep(NOW)
    plan.make_ready()
    attention_cache.drop_cache()  # locked, say
    assert not apply_keep(plan)
    assert _kept_rows() == 0


# ------------------------------------------------------------------------ saving, and backups


def test_an_opening_where_nothing_changed_saves_nothing(demo):
    # Each save a writable open finds in the journal costs a backup at its tidy-up, so
    # an opening that only refreshes the kept list must not save on its own. Here a
    # contact comes into post tomorrow: that site's piece is read again then.
    site = Site.select().where(Site.archived == False).first()  # noqa: E712
    with change():
        Contact.create(site=site, role="deputy_dsl", name="Starting Soon", phone="01632 960998",
                       from_date=TODAY + timedelta(days=1))
    assert keep_attention(NOW)
    kept = demo
    before = kept.path.read_bytes()
    for days in (0, 1, 2):
        _, work = opened(NOW + timedelta(days=days))
        written = keep_attention(NOW + timedelta(days=days))
        assert written is (days == 1), days  # the piece read again, written ...
        assert kept.path.read_bytes() == before, days  # ... but not saved on its own
    with change():  # the next change's save takes what was kept along
        Site.update(visit_notes="Sign in at the office").where(Site.id == Site.select().first().id).execute()
    assert kept.path.read_bytes() != before


def test_a_list_found_stale_is_saved_at_once(kept):
    kept.save()
    before = kept.path.read_bytes()
    _, work = opened(NOW + timedelta(days=9))  # the week the rules were asked about is over
    assert read_again(work)
    assert keep_attention(NOW + timedelta(days=9))
    assert kept.path.read_bytes() != before


def test_a_piece_whose_inputs_end_soon_is_not_written_again_at_every_opening(demo):
    site = Site.select().where(Site.archived == False).first()  # noqa: E712
    with change():
        Contact.create(site=site, role="deputy_dsl", name="Leaving Soon", phone="01632 960999",
                       from_date=TODAY - timedelta(days=30), to_date=TODAY + timedelta(days=2))
    assert keep_attention(NOW)
    from sitecare.data.attention_inputs import plan_keep

    opened()
    assert plan_keep(NOW) is None  # nothing to write: asking its rules again gains no day
