"""bindings/python/tests/test_hooks.py: Connection.set_progress_handler and
set_trace_callback (native/hooks.c over chorus_progress_handler and chorus_trace),
compared with the standard library's sqlite3: the statements traced, removal with None,
an exception in a trace callback ignored, and a progress handler that interrupts (true
result or exception), lets statements run (false result) or is removed (None, n <= 0).
"""

import sqlite3
import sys

import pytest

import chorusdb

LONG = ("WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 1000)"
        " SELECT count(*) FROM n")


def traced(module):
    connection = module.connect(":memory:", isolation_level=None)
    seen = []
    connection.set_trace_callback(seen.append)
    connection.execute("CREATE TABLE t(x)")
    connection.execute("BEGIN")
    connection.execute("INSERT INTO t VALUES (?)", (1,))
    connection.execute("SELECT * FROM t").fetchall()
    connection.execute("COMMIT")
    connection.executescript("SELECT 1; SELECT 2;")
    connection.set_trace_callback(None)
    connection.execute("SELECT 5")
    connection.close()
    return seen


def test_trace_matches_sqlite3():
    # Both pass the statement's text; sqlite3 expands parameters, chorusdb does not.
    expected = [sql.replace("VALUES (1)", "VALUES (?)") for sql in traced(sqlite3)]
    assert traced(chorusdb) == expected


def test_exception_in_trace_is_ignored(memory):
    seen = []
    old_hook = sys.unraisablehook
    sys.unraisablehook = lambda u: seen.append(u.exc_type)
    try:
        memory.set_trace_callback(lambda sql: 1 / 0)
        assert memory.execute("SELECT 7").fetchall() == [(7,)]
        chorusdb.enable_callback_tracebacks(True)
        assert memory.execute("SELECT 8").fetchall() == [(8,)]
    finally:
        chorusdb.enable_callback_tracebacks(False)
        sys.unraisablehook = old_hook
    assert seen == [ZeroDivisionError]


def progress_outcomes(module):
    connection = module.connect(":memory:")
    outcomes = []
    for handler, n in ((lambda: 1, 1), (lambda: 1 / 0, 1), (lambda: 0, 1), (None, 1),
                       (lambda: 1, 0)):
        connection.set_progress_handler(handler, n)
        try:
            outcomes.append(connection.execute(LONG).fetchall())
        except module.Error as error:
            outcomes.append((type(error).__name__, str(error)))
    connection.close()
    return outcomes


def test_progress_handler_matches_sqlite3():
    expected = progress_outcomes(sqlite3)
    assert progress_outcomes(chorusdb) == expected
    assert expected[0] == ("OperationalError", "interrupted")


def every_statement_outcomes(module):
    connection = module.connect(":memory:")
    calls, outcomes = [], []
    connection.set_progress_handler(lambda: calls.append(1), 1)
    connection.execute("CREATE TABLE foo(a, b)")
    outcomes.append(bool(calls))
    connection.set_progress_handler(lambda: 1, 1)
    try:
        connection.execute("CREATE TABLE bar(a, b)")
    except module.OperationalError as error:
        outcomes.append(str(error))
    connection.set_progress_handler(None, 1)
    outcomes.append(connection.execute("SELECT count(*) FROM sqlite_master").fetchone())
    connection.close()
    return outcomes


def test_progress_handler_meets_every_statement_as_in_sqlite3():
    expected = every_statement_outcomes(sqlite3)
    assert every_statement_outcomes(chorusdb) == expected == [True, "interrupted", (1,)]


def test_progress_handler_is_called_during_a_long_statement(memory):
    calls = []
    memory.set_progress_handler(lambda: calls.append(1), 10)
    assert memory.execute(LONG).fetchone() == (1000,)
    assert len(calls) > 10


def test_hooks_on_a_closed_connection_are_refused(memory):
    memory.close()
    with pytest.raises(chorusdb.ProgrammingError, match="closed database"):
        memory.set_progress_handler(None, 1)
    with pytest.raises(chorusdb.ProgrammingError, match="closed database"):
        memory.set_trace_callback(None)
