"""bindings/python/tests/test_authorizer.py: Connection.set_authorizer (native/hooks.c over
chorus_set_authorizer, core/compile/authorize.c), compared with the standard library's
sqlite3: the actions and arguments the callback sees, DENY and IGNORE for reads,
functions, writes and DDL, answers that are not SQLITE_OK/DENY/IGNORE, exceptions in the
callback, and removing the authorizer.
"""

import sqlite3

import pytest

import chorusdb

SCHEMA = ("CREATE TABLE t(a INTEGER PRIMARY KEY, b, c); INSERT INTO t VALUES (1, 2, 3);"
          "CREATE TEMP TABLE tt(x); INSERT INTO tt VALUES (7);"
          "ATTACH ':memory:' AS aux; CREATE TABLE aux.at(y); INSERT INTO aux.at VALUES (8);")

LOGGED = ["SELECT b, rowid FROM t", "SELECT * FROM t", "INSERT INTO t(b) VALUES (5)",
          "UPDATE t SET b = 1, c = 2 WHERE a = 1", "DELETE FROM t WHERE a = 9", "BEGIN",
          "COMMIT", "SAVEPOINT s", "RELEASE s", "PRAGMA user_version",
          "PRAGMA user_version = 3", "SELECT abs(-1)", "SELECT x FROM tt",
          "SELECT y FROM aux.at", "ALTER TABLE t ADD COLUMN d", "DETACH aux"]


def connect(module):
    cx = module.connect(":memory:", isolation_level=None)
    cx.executescript(SCHEMA)
    return cx


def log_of(module):
    cx, log = connect(module), []
    cx.set_authorizer(lambda *args: log.append(args) or module.SQLITE_OK)
    try:
        result = []
        for sql in LOGGED:
            log.clear()
            cx.execute(sql)
            # sqlite3 also reports its own writes of sqlite_master (ALTER TABLE)
            result.append([entry for entry in log if not str(entry[1]).startswith("sqlite_")
                           and entry[0] != module.SQLITE_FUNCTION or sql.endswith("(-1)")])
        return result
    finally:
        cx.close()


def test_actions_and_arguments_like_sqlite3():
    assert log_of(chorusdb) == log_of(sqlite3)


def outcome(module, judge, statements):
    """Runs statements with authorizer judge(module, action, arg1, arg2) on a fresh
    connection: each one's rows or (exception class name, message)."""
    cx = connect(module)
    cx.set_authorizer(lambda action, a, b, db, source: judge(module, action, a, b))
    results = []
    try:
        for sql in statements:
            try:
                results.append(cx.execute(sql).fetchall())
            except Exception as error:  # noqa: BLE001 (the outcome is compared)
                results.append((type(error).__name__, str(error)))
        cx.set_authorizer(None)
        results.append(cx.execute("SELECT * FROM t").fetchall())
        results.append(cx.execute("SELECT name FROM sqlite_master ORDER BY 1").fetchall())
        return results
    finally:
        cx.close()


def same(judge, statements):
    assert outcome(chorusdb, judge, statements) == outcome(sqlite3, judge, statements)


def test_deny_reads_functions_and_writes():
    def judge(m, action, a, b):
        if (action == m.SQLITE_READ and b == "c") or (action == m.SQLITE_FUNCTION
                                                      and b == "abs"):
            return m.SQLITE_DENY
        if action in (m.SQLITE_INSERT, m.SQLITE_CREATE_TABLE, m.SQLITE_DROP_TABLE,
                      m.SQLITE_PRAGMA):
            return m.SQLITE_DENY
        return m.SQLITE_OK
    same(judge, ["SELECT b FROM t", "SELECT c FROM t", "SELECT * FROM t", "SELECT y FROM at",
                 "SELECT abs(-1)", "SELECT max(1, 2)", "INSERT INTO t VALUES (5, 5, 5)",
                 "CREATE TABLE n(x)", "DROP TABLE t", "PRAGMA user_version",
                 "UPDATE t SET b = 9"])


def test_ignore_reads_functions_and_writes():
    def judge(m, action, a, b):
        if (action == m.SQLITE_READ and b == "c") or (action == m.SQLITE_FUNCTION
                                                      and b == "abs"):
            return m.SQLITE_IGNORE
        if action in (m.SQLITE_INSERT, m.SQLITE_DELETE, m.SQLITE_CREATE_TABLE,
                      m.SQLITE_CREATE_INDEX):
            return m.SQLITE_IGNORE
        return m.SQLITE_OK
    same(judge, ["SELECT b, c FROM t", "SELECT * FROM t WHERE c IS NULL", "SELECT abs(-1)",
                 "INSERT INTO t VALUES (5, 5, 5)", "CREATE TABLE n(x)",
                 "CREATE INDEX ti ON t(b)", "DELETE FROM t WHERE a = 1"])


@pytest.mark.parametrize("answer", [3, -1, 2**32, 0.0, "0", None])
def test_other_answers(answer):
    def judge(m, action, a, b):
        return answer if action == m.SQLITE_READ else m.SQLITE_OK
    same(judge, ["SELECT b FROM t", "SELECT 1"])


def test_exception_in_callback_denies():
    def judge(m, action, a, b):
        if action == m.SQLITE_READ:
            raise ValueError("no")
        return m.SQLITE_OK
    same(judge, ["SELECT b FROM t", "SELECT 1"])


def test_cached_statement_is_judged_again(memory):
    memory.execute("CREATE TABLE t(a)")
    memory.execute("SELECT a FROM t")
    memory.set_authorizer(lambda *args: chorusdb.SQLITE_DENY if args[0] == chorusdb.SQLITE_READ
                          else chorusdb.SQLITE_OK)
    with pytest.raises(chorusdb.DatabaseError, match="access to t.a is prohibited"):
        memory.execute("SELECT a FROM t")
    memory.set_authorizer(None)
    assert memory.execute("SELECT a FROM t").fetchall() == []
    with pytest.raises(TypeError):
        memory.set_authorizer(42)
