"""commit() and rollback() while a cursor is still reading (#5). As in sqlite3: commit()
publishes at once and the cursor reads on; autocommit writes made while a cursor reads are
visible to other connections at once. rollback() resets the reading cursors first (the
engine cannot roll back under them yet); their next fetch raises InterfaceError, as
sqlite3 did before Python 3.11."""

import pytest

import chorusdb


def fill(conn, n):
    conn.executemany("INSERT INTO t(name) VALUES (?)", [(f"n{i}",) for i in range(n)])
    conn.commit()


def count(path):
    other = chorusdb.connect(path)
    try:
        return other.execute("SELECT count(*) FROM t").fetchone()[0]
    finally:
        other.close()


def test_commit_inside_a_read_loop_publishes_and_the_loop_goes_on(table, db_path):
    fill(table, 5)
    seen = []
    for (row_id,) in table.execute("SELECT id FROM t ORDER BY id"):
        seen.append(row_id)
        table.execute("UPDATE t SET score = ? WHERE id = ?", (row_id * 10, row_id))
        table.commit()
        assert not table.in_transaction
        other = chorusdb.connect(db_path)
        assert other.execute("SELECT score FROM t WHERE id = ?", (row_id,)).fetchone() == \
            (row_id * 10,)
        other.close()
    assert seen == [1, 2, 3, 4, 5]


def test_commit_with_an_open_cursor_releases_the_writer(table, db_path):
    fill(table, 3)
    cursor = table.execute("SELECT id FROM t ORDER BY id")
    table.execute("INSERT INTO t(name) VALUES ('x')")
    table.commit()
    writer = chorusdb.connect(db_path, timeout=0)
    writer.execute("INSERT INTO t(name) VALUES ('y')")     # no 'database is locked'
    writer.commit()
    writer.close()
    assert [row[0] for row in cursor] == [1, 2, 3, 4]       # not the later write
    assert count(db_path) == 5


def test_commit_with_autocommit_false_and_an_open_cursor(db_path):
    conn = chorusdb.connect(db_path, autocommit=False)
    conn.execute("CREATE TABLE t(id INTEGER PRIMARY KEY, name TEXT)")
    conn.executemany("INSERT INTO t(name) VALUES (?)", [("a",), ("b",)])
    conn.commit()
    cursor = conn.execute("SELECT name FROM t ORDER BY id")
    assert cursor.fetchone() == ("a",)
    conn.execute("INSERT INTO t(name) VALUES ('c')")
    conn.commit()
    assert conn.in_transaction                              # autocommit=False: BEGIN again
    assert cursor.fetchall() == [("b",), ("c",)]
    conn.close()
    assert count(db_path) == 3


def test_autocommit_writes_under_a_reading_cursor_are_visible_at_once(db_path):
    conn = chorusdb.connect(db_path, isolation_level=None)
    conn.execute("CREATE TABLE t(id INTEGER PRIMARY KEY, name TEXT)")
    conn.executemany("INSERT INTO t(name) VALUES (?)", [("a",), ("b",)])
    cursor = conn.execute("SELECT name FROM t ORDER BY id")
    assert cursor.fetchone() == ("a",)
    conn.execute("INSERT INTO t(name) VALUES ('c')")
    assert count(db_path) == 3
    assert cursor.fetchall() == [("b",), ("c",)]
    conn.close()


def test_rollback_resets_reading_cursors(table, db_path):
    fill(table, 3)
    cursor = table.execute("SELECT id FROM t ORDER BY id")
    assert cursor.fetchone() == (1,)
    table.execute("INSERT INTO t(name) VALUES ('gone')")
    table.rollback()
    assert not table.in_transaction
    assert count(db_path) == 3
    with pytest.raises(chorusdb.InterfaceError, match="reset because of commit/rollback"):
        cursor.fetchone()
    assert cursor.fetchone() is None                        # reset once, then empty
    assert table.execute("SELECT count(*) FROM t").fetchone() == (3,)


def test_rollback_leaves_finished_cursors_alone(table):
    fill(table, 2)
    done = table.execute("SELECT id FROM t ORDER BY id")
    assert done.fetchall() == [(1,), (2,)]
    table.execute("INSERT INTO t(name) VALUES ('gone')")
    table.rollback()
    assert done.fetchone() is None
    assert table.execute("SELECT count(*) FROM t").fetchone() == (2,)


def test_close_with_autocommit_false_rolls_back_under_a_reading_cursor(db_path):
    conn = chorusdb.connect(db_path, autocommit=False)
    conn.execute("CREATE TABLE t(id INTEGER PRIMARY KEY, name TEXT)")
    conn.executemany("INSERT INTO t(name) VALUES (?)", [("a",), ("b",)])
    conn.commit()
    cursor = conn.execute("SELECT name FROM t")
    conn.execute("INSERT INTO t(name) VALUES ('gone')")
    conn.close()
    with pytest.raises(chorusdb.ProgrammingError, match="closed database"):
        cursor.fetchone()
    assert count(db_path) == 2


def test_transaction_helper_rolls_back_under_a_reading_cursor(table, db_path):
    fill(table, 2)
    reading = []

    def body(conn):
        reading.append(conn.execute("SELECT id FROM t"))     # left reading
        conn.execute("INSERT INTO t(name) VALUES ('gone')")
        raise ValueError("fails after writing")

    with pytest.raises(ValueError):
        table.transaction(body, mode="immediate")
    assert not table.in_transaction
    assert count(db_path) == 2
    with pytest.raises(chorusdb.InterfaceError):
        reading[0].fetchone()
