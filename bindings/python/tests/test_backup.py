"""bindings/python/tests/test_backup.py: Connection.backup (chorusdb/dbapi2.py over
native/backup.c and chorus_backup_*), compared with the standard library's sqlite3: the
copy, progress calls, pages per step, refusals and their exception types and messages,
an exception raised by the progress callback, and sqlite3 reading a chorusdb copy.
"""

import sqlite3

import pytest

import chorusdb

ROWS = ("CREATE TABLE t(id INTEGER PRIMARY KEY, name TEXT); CREATE INDEX t_name ON t(name);"
        "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 300)"
        " INSERT INTO t SELECT i, printf('%0200d', i) FROM n")


def source(module):
    connection = module.connect(":memory:")
    connection.executescript(ROWS)
    connection.commit()
    return connection


def outcome(module, call):
    """call(source, target) on fresh connections of module: its result or (exception
    class name, message), and the target's row count afterwards (None when it failed)."""
    src, dst = source(module), module.connect(":memory:")
    try:
        try:
            result = call(src, dst)
        except Exception as error:  # noqa: BLE001 (the outcome is compared)
            result = type(error).__name__, str(error)
        try:
            count = dst.execute("SELECT count(*) FROM t").fetchone()[0]
        except module.Error:
            count = None
        return result, count
    finally:
        src.close()
        dst.close()


def assert_like_sqlite3(call):
    expected = outcome(sqlite3, call)
    assert outcome(chorusdb, call) == expected
    return expected


def progress_log(src, dst, **kwargs):
    calls = []
    src.backup(dst, progress=lambda status, remaining, total: calls.append(
        (status, remaining, total)), **kwargs)
    return calls


def expected_progress(total, pages):
    """sqlite3's progress calls for a source of total pages copied pages at a time."""
    step = total if pages <= 0 else pages
    remaining = [max(total - step * (i + 1), 0) for i in range((total + step - 1) // step)]
    return [(chorusdb.SQLITE_DONE if left == 0 else chorusdb.SQLITE_OK, left, total)
            for left in remaining]


@pytest.mark.parametrize("pages", [-1, 0, 1, 5, 1000])
def test_backup_copies_and_reports_progress_per_step(pages):
    # The page counts differ (the engines lay b-trees out differently), not the shape.
    for module in (sqlite3, chorusdb):
        calls, count = outcome(module, lambda s, d: progress_log(s, d, pages=pages))
        assert count == 300
        assert calls == expected_progress(calls[0][2], pages)


@pytest.mark.parametrize("call", [
    lambda s, d: s.backup(s),
    lambda s, d: s.backup(d, progress=5),
    lambda s, d: s.backup(d, pages="x"),
    lambda s, d: s.backup(d, name="aux"),
    lambda s, d: s.backup(d, name=3),
    lambda s, d: (d.execute("CREATE TABLE q(x)"), d.execute("BEGIN"), s.backup(d))[-1],
    lambda s, d: (d.execute("CREATE TABLE q(x)"), d.execute("BEGIN"),
                  d.execute("SELECT * FROM q").fetchall(), s.backup(d))[-1],
], ids=["same", "progress", "pages", "name", "name-type", "target-begun", "target-reading"])
def test_refusals_match_sqlite3(call):
    assert_like_sqlite3(call)


def test_target_must_be_a_connection(memory):
    with pytest.raises(TypeError, match="must be chorusdb.Connection, not int"):
        memory.backup(1)


def test_closed_connections_are_refused(memory):
    other = chorusdb.connect(":memory:")
    other.close()
    with pytest.raises(chorusdb.ProgrammingError, match="closed database"):
        memory.backup(other)
    with pytest.raises(chorusdb.ProgrammingError, match="closed database"):
        other.backup(memory)


def test_exception_in_progress_stops_the_backup():
    def fail(status, remaining, total):
        raise ZeroDivisionError("stop")
    result, count = assert_like_sqlite3(lambda s, d: s.backup(d, pages=1, progress=fail))
    assert result == ("ZeroDivisionError", "stop") and count is None


def test_sqlite3_reads_a_chorusdb_copy(tmp_path):
    path = str(tmp_path / "copy.db")
    src, dst = source(chorusdb), chorusdb.connect(path)
    src.backup(dst, pages=7)
    src.close()
    dst.close()
    check = sqlite3.connect(path)
    assert check.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
    assert check.execute("SELECT count(*), max(id) FROM t").fetchall() == [(300, 300)]
    check.close()


def test_backup_from_a_file_into_memory_and_back(conn, tmp_path):
    conn.executescript(ROWS)
    conn.commit()
    memory = chorusdb.connect(":memory:")
    conn.backup(memory)
    memory.execute("DELETE FROM t WHERE id > 10")
    memory.commit()
    memory.backup(conn)
    assert conn.execute("SELECT count(*) FROM t").fetchone() == (10,)
    memory.close()
