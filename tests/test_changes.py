"""Change counters kept by temporary triggers (data/changes.py)."""

from __future__ import annotations

import sqlite3

import pytest

from sitecare.data.changes import TableChanges, Watch


@pytest.fixture
def conn():
    connection = sqlite3.connect(":memory:", isolation_level=None)
    connection.execute("CREATE TABLE site (id INTEGER PRIMARY KEY, name TEXT, notes TEXT)")
    connection.execute("CREATE TABLE contact (id INTEGER PRIMARY KEY, site_id INTEGER, name TEXT)")
    connection.execute("CREATE TABLE other (id INTEGER PRIMARY KEY)")
    yield connection
    connection.close()


def watch(conn) -> TableChanges:
    return TableChanges(conn, {"site": Watch(("id", "name")), "contact": Watch((), key="site_id")})


def test_every_kind_of_write_counts(conn):
    changes = watch(conn)
    assert changes.versions(("site", "contact")) == (0, 0)
    conn.execute("INSERT INTO site (name) VALUES ('A'), ('B')")
    inserted = changes.version("site")
    assert inserted > 0 and changes.version("contact") == 0
    conn.execute("UPDATE site SET name = 'C' WHERE id = 1")
    updated = changes.version("site")
    assert updated > inserted
    conn.execute("DELETE FROM site WHERE id = 2")
    assert changes.version("site") > updated


def test_an_update_counts_only_when_a_watched_column_changes(conn):
    changes = watch(conn)
    conn.execute("INSERT INTO site (name) VALUES ('A')")
    before = changes.version("site")
    conn.execute("UPDATE site SET notes = 'visit on Mondays'")
    conn.execute("UPDATE site SET name = 'A'")  # written, not changed
    assert changes.version("site") == before
    conn.execute("UPDATE site SET name = NULL")
    assert changes.version("site") > before


def test_keys_before_and_after_are_recorded(conn):
    changes = watch(conn)
    conn.execute("INSERT INTO contact (site_id, name) VALUES (1, 'Ann'), (2, 'Bea')")
    since = changes.version("contact")
    conn.execute("UPDATE contact SET site_id = 3 WHERE name = 'Ann'")
    assert changes.changed_keys("contact", since) == {1, 3}
    assert changes.changed_keys("contact", 0) == {1, 2, 3}
    changes.forget("contact", changes.version("contact"))
    assert changes.changed_keys("contact", 0) == set()


def test_a_null_key_is_a_key(conn):
    changes = watch(conn)
    conn.execute("INSERT INTO contact (site_id, name) VALUES (NULL, 'Ann')")
    assert changes.changed_keys("contact", 0) == {None}
    since = changes.version("contact")
    conn.execute("UPDATE contact SET site_id = 4")
    assert changes.changed_keys("contact", since) == {None, 4}


def test_a_rolled_back_write_still_counts(conn):
    changes = watch(conn)
    conn.execute("BEGIN")
    conn.execute("INSERT INTO site (name) VALUES ('A')")
    conn.execute("ROLLBACK")
    assert changes.version("site") > 0


def test_unwatched_tables_and_other_connections_are_left_alone(conn, tmp_path):
    changes = watch(conn)
    conn.execute("INSERT INTO other DEFAULT VALUES")
    assert changes.versions(("site", "contact")) == (0, 0)
    # The triggers are temporary: not in the database itself.
    assert conn.execute("SELECT count(*) FROM sqlite_master WHERE type = 'trigger'").fetchone() == (0,)
    assert changes.intact()


def test_lost_triggers_are_noticed(conn):
    changes = watch(conn)
    conn.execute('DROP TRIGGER temp."sitecare_watch_site_insert"')
    assert not changes.intact()
    # Made again on the same connection: the old ones are replaced, not doubled.
    again = watch(conn)
    assert again.intact()
    conn.execute("INSERT INTO site (name) VALUES ('A')")
    assert again.version("site") > 0


def test_triggers_created_in_a_transaction_that_rolls_back_are_noticed(conn):
    conn.execute("BEGIN")
    changes = watch(conn)
    conn.execute("ROLLBACK")
    assert not changes.intact()
