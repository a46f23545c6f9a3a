"""DB-API 2.0 (PEP 249) spec points, each checked against the stdlib sqlite3 where it has
them: the same calls on both modules must give the same rowcount, lastrowid, description,
fetch results and error classes. The spec points sqlite3 lacks and that cannot break
`import chorusdb as sqlite3` code are extras here: the type objects STRING, BINARY, NUMBER,
DATETIME, ROWID and callproc. Kept as in sqlite3 on purpose: fetching after a statement
without rows returns None/[] (no error) and closing twice is harmless.

When Stuart Bishop's dbapi20.py is importable (pip install dbapi-compliance; CI does not
need it), its suite runs too and may fail only where sqlite3 fails it as well."""

import datetime
import sqlite3
import time
import unittest

import pytest

import chorusdb

MODULES = [sqlite3, chorusdb]


def connect(module, tmp_path):
    return module.connect(str(tmp_path / f"{module.__name__}.db"))


def outcome(fn):
    """What fn() gives: ('ok', value) or ('error', exception class name)."""
    try:
        return "ok", fn()
    except Exception as exc:    # the class is what both modules must agree on
        return "error", type(exc).__name__


def run_script(module, tmp_path):
    """One sequence of DB-API calls; every observable result, in order."""
    conn = connect(module, tmp_path)
    cur = conn.cursor()
    seen = [("fresh", cur.description, cur.rowcount, cur.lastrowid, cur.arraysize)]
    cur.execute("CREATE TABLE booze(id INTEGER PRIMARY KEY, name VARCHAR(20))")
    seen.append(("ddl", cur.description, cur.rowcount))
    cur.execute("INSERT INTO booze(name) VALUES ('Victoria Bitter')")
    seen.append(("insert", cur.rowcount, cur.lastrowid, conn.in_transaction))
    cur.executemany("INSERT INTO booze(name) VALUES (?)", [("a",), ("b",), ("c",)])
    seen.append(("executemany", cur.rowcount, cur.lastrowid))
    cur.execute("UPDATE booze SET name = upper(name) WHERE id > 1")
    seen.append(("update", cur.rowcount, cur.description))
    cur.execute("SELECT id, name AS n FROM booze ORDER BY id")
    seen.append(("select", cur.description, cur.rowcount, cur.fetchone(),
                 cur.fetchmany(2), cur.fetchall(), cur.fetchone(), cur.fetchmany()))
    seen.append(("empty", cur.execute("SELECT * FROM booze WHERE id < 0").fetchall()))
    seen.append(("after dml", cur.execute("DELETE FROM booze WHERE id = 4").fetchall(),
                 cur.rowcount))
    seen.append(("named", conn.execute("SELECT :a + :b", {"a": 1, "b": 2}).fetchone()))
    seen.append(("bad count", outcome(lambda: conn.execute("SELECT ?", (1, 2)))))
    seen.append(("bad name", outcome(lambda: conn.execute("SELECT :a", {"b": 1}))))
    seen.append(("bad type", outcome(lambda: conn.execute("SELECT ?", (object(),)))))
    seen.append(("no table", outcome(lambda: conn.execute("SELECT * FROM nothing"))))
    seen.append(("two statements", outcome(lambda: conn.execute("SELECT 1; SELECT 2"))))
    seen.append(("overflow", outcome(lambda: conn.execute("SELECT ?", (2 ** 63,)))))
    # (after a failed INSERT, sqlite3 3.11 reports the overflow as that IntegrityError)
    seen.append(("unique", outcome(
        lambda: conn.execute("INSERT INTO booze(id, name) VALUES (1, 'x')"))))
    seen.append(("many select", outcome(lambda: cur.executemany("SELECT ?", [(1,)]))))
    conn.commit()
    seen.append(("readonly", outcome(lambda: setattr(cur, "rowcount", 5)),
                 outcome(lambda: setattr(cur, "description", None))))
    cur.arraysize = 3
    seen.append(("arraysize", len(cur.execute("SELECT id FROM booze").fetchmany())))
    cur.close()
    seen.append(("closed cursor", outcome(lambda: cur.execute("SELECT 1")),
                 outcome(cur.fetchone), outcome(cur.close)))
    conn.close()
    seen.append(("closed connection", outcome(conn.commit), outcome(conn.cursor),
                 outcome(conn.close)))
    return seen


def test_the_same_calls_give_the_same_results_as_sqlite3(tmp_path):
    expected = run_script(sqlite3, tmp_path)
    assert run_script(chorusdb, tmp_path) == expected


@pytest.mark.parametrize("module", MODULES, ids=lambda m: m.__name__)
def test_module_globals(module):
    assert module.apilevel == "2.0"
    assert module.threadsafety in (0, 1, 2, 3)
    assert module.paramstyle == "qmark"


@pytest.mark.parametrize("module", MODULES, ids=lambda m: m.__name__)
def test_constructors(module):
    assert module.Date(2002, 12, 25) == datetime.date(2002, 12, 25)
    assert module.Time(13, 45, 30) == datetime.time(13, 45, 30)
    assert module.Timestamp(2002, 12, 25, 13, 45, 30) == \
        datetime.datetime(2002, 12, 25, 13, 45, 30)
    ticks = time.mktime((2002, 12, 25, 13, 45, 30, 0, 0, -1))
    assert module.DateFromTicks(ticks) == datetime.date(2002, 12, 25)
    assert module.TimeFromTicks(ticks) == datetime.time(13, 45, 30)
    assert module.TimestampFromTicks(ticks) == datetime.datetime(2002, 12, 25, 13, 45, 30)
    assert bytes(module.Binary(b"Something")) == b"Something"


def test_type_objects_match_the_description_type_code(memory):
    cur = memory.execute("SELECT 'text', x'00', 1, 2.5")
    for column in cur.description:
        assert column[1] is None                # as sqlite3: columns are not typed
        for type_object in (chorusdb.STRING, chorusdb.BINARY, chorusdb.NUMBER,
                            chorusdb.DATETIME, chorusdb.ROWID):
            assert column[1] == type_object
    assert chorusdb.STRING == "TEXT" and chorusdb.STRING != "BLOB"
    assert chorusdb.NUMBER == "INTEGER" and chorusdb.NUMBER != "TEXT"
    assert chorusdb.STRING != chorusdb.BINARY


def test_callproc_calls_a_function(memory):
    cur = memory.cursor()
    assert cur.callproc("lower", ("FOO",)) == ("FOO",)
    assert cur.fetchall() == [("foo",)]
    with pytest.raises(chorusdb.ProgrammingError, match="invalid procedure name"):
        cur.callproc("lower(1); DROP TABLE x; --", ())


def test_connection_carries_every_exception_class(memory):
    for name in ("Warning", "Error", "InterfaceError", "DatabaseError", "DataError",
                 "OperationalError", "IntegrityError", "InternalError", "ProgrammingError",
                 "NotSupportedError"):
        assert getattr(memory, name) is getattr(chorusdb, name)


def test_optional_methods_do_nothing_harmful(memory):
    cur = memory.cursor()
    cur.setinputsizes((25,))
    cur.setoutputsize(1000)
    cur.setoutputsize(2000, 0)
    assert cur.execute("SELECT 1").fetchall() == [(1,)]
    assert not hasattr(cur, "nextset")           # one result set per statement


def test_cursor_needs_a_chorusdb_connection(memory):
    with pytest.raises(TypeError, match="needs a chorusdb.Connection"):
        chorusdb.Cursor(object())
    with pytest.raises(TypeError):
        chorusdb.Cursor(sqlite3.connect(":memory:"))


def test_statement_cache_serves_each_cursor_its_own_statement(memory):
    memory.execute("CREATE TABLE t(x)")
    memory.executemany("INSERT INTO t VALUES (?)", [(1,), (2,), (3,)])
    first = memory.execute("SELECT x FROM t ORDER BY x")
    second = memory.execute("SELECT x FROM t ORDER BY x")   # same text, first still reads
    assert first.fetchone() == (1,)
    assert second.fetchall() == [(1,), (2,), (3,)]
    assert first.fetchall() == [(2,), (3,)]


def test_a_cache_of_zero_statements_still_works(tmp_path):
    conn = chorusdb.connect(str(tmp_path / "c.db"), cached_statements=0)
    for _ in range(3):
        assert conn.execute("SELECT 1").fetchone() == (1,)
    conn.close()


def test_dbapi20_suite_fails_only_where_sqlite3_does():
    dbapi20 = pytest.importorskip("dbapi20")
    failed = {}
    for module in MODULES:
        case = type("Case", (dbapi20.DatabaseAPI20Test,), {
            "driver": module, "connect_args": (":memory:",), "connect_kw_args": {},
            "setUp": lambda self: None, "tearDown": lambda self: None})
        result = unittest.TextTestRunner(stream=open("/dev/null", "w")).run(
            unittest.defaultTestLoader.loadTestsFromTestCase(case))
        failed[module] = {test.id().split(".")[-1] for test, _ in
                          result.failures + result.errors}
    assert failed[chorusdb] <= failed[sqlite3]
