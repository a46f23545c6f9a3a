"""bindings/python/tests/test_functions.py: Connection.create_function, create_aggregate,
create_window_function and create_collation (native/functions.c over chorus_create_function,
chorus_create_window_function and chorus_create_collation).

Where sqlite3 defines the behaviour (results, exception types and messages), each case runs
the same code on the standard library's sqlite3 and on chorusdb and expects the same outcome.
"""

import gc
import sqlite3
import threading
import weakref

import pytest

import chorusdb

ROWS = "CREATE TABLE t(g, x); INSERT INTO t VALUES ('a', 1), ('a', 2), ('b', 10), " \
       "('a', 3), ('b', 20), ('c', NULL)"


def outcome(module, setup, sql, parameters=()):
    """Runs setup(connection) and sql on a fresh in-memory database of module: the rows,
    or (exception class name, message)."""
    connection = module.connect(":memory:")
    try:
        connection.executescript(ROWS)
        setup(connection)
        try:
            return connection.execute(sql, parameters).fetchall()
        except Exception as error:  # noqa: BLE001 (the outcome is compared)
            return type(error).__name__, str(error)
    finally:
        connection.close()


def assert_like_sqlite3(setup, sql, parameters=()):
    expected = outcome(sqlite3, setup, sql, parameters)
    assert outcome(chorusdb, setup, sql, parameters) == expected
    return expected


# ------------------------------------------------------------------------ scalars

@pytest.mark.parametrize("sql", [
    "SELECT kind(1), kind(1.5), kind('text'), kind(x'00ff'), kind(NULL)",
    "SELECT echo(1), echo(-2.5), echo('héllo'), echo(x'ff00'), echo(NULL)",
    "SELECT echo(9223372036854775807), echo(-9223372036854775808)",
])
def test_arguments_and_results_keep_their_types(sql):
    def setup(c):
        c.create_function("kind", 1, lambda v: type(v).__name__)
        c.create_function("echo", 1, lambda v: v)
    assert_like_sqlite3(setup, sql)


@pytest.mark.parametrize("result", [True, False, 2 ** 63 - 1, 1e300, "", b"",
                                    bytearray(b"ab"), memoryview(b"cd")])
def test_result_conversions(result):
    def setup(c):
        c.create_function("r", 0, lambda: result)
    assert_like_sqlite3(setup, "SELECT r(), typeof(r())")


@pytest.mark.parametrize("func, message", [
    (lambda: 1 / 0, "ZeroDivisionError"),
    (lambda: object(), "unsupported type"),
    (lambda: 2 ** 64, "OverflowError"),
    (lambda: "\ud800", "unencodable text"),
])
def test_failing_scalar_raises_as_sqlite3_does(func, message):
    def setup(c):
        c.create_function("f", 0, func)
    expected = assert_like_sqlite3(setup, "SELECT f()")
    assert isinstance(expected, tuple), message


def test_exception_in_a_write_rolls_the_statement_back(memory):
    memory.execute("CREATE TABLE w(a)")
    memory.create_function("fail", 1, lambda v: 1 / 0 if v == 2 else v)
    with pytest.raises(chorusdb.OperationalError,
                       match="user-defined function raised exception"):
        memory.execute("INSERT INTO w SELECT fail(column1) FROM (VALUES (1), (2), (3))")
    assert memory.execute("SELECT count(*) FROM w").fetchone() == (0,)


def test_variadic_and_arity(memory):
    memory.create_function("count_args", -1, lambda *a: len(a))
    memory.create_function("count_args", 1, lambda a: "one")
    assert memory.execute("SELECT count_args(), count_args(1), count_args(1, 2, 3)") \
        .fetchone() == (0, "one", 3)
    memory.create_function("two", 2, lambda a, b: a + b)
    with pytest.raises(chorusdb.OperationalError,
                       match=r"wrong number of arguments to function two\(\)"):
        memory.execute("SELECT two(1)")


def test_user_function_overrides_a_builtin_and_removal_restores_it(memory):
    memory.create_function("length", 1, lambda v: 99)
    assert memory.execute("SELECT length('abc')").fetchone() == (99,)
    memory.create_function("length", 1, None)
    assert memory.execute("SELECT length('abc')").fetchone() == (3,)


def test_cached_statement_sees_a_redefinition(memory):
    memory.create_function("which", 0, lambda: "first")
    assert memory.execute("SELECT which()").fetchone() == ("first",)
    memory.create_function("which", 0, lambda: "second")
    assert memory.execute("SELECT which()").fetchone() == ("second",)
    memory.create_function("which", 0, None)
    with pytest.raises(chorusdb.OperationalError, match="no such function: which"):
        memory.execute("SELECT which()")


def test_deterministic_flag_is_accepted(memory):
    memory.create_function("double", 1, lambda v: v * 2, deterministic=True)
    assert memory.execute("SELECT double(21)").fetchone() == (42,)


@pytest.mark.parametrize("narg", [-2, 128])
def test_bad_argument_count_fails_as_sqlite3_does(narg):
    for module in (sqlite3, chorusdb):
        with module.connect(":memory:") as connection, \
                pytest.raises(module.OperationalError, match="Error creating function"):
            connection.create_function("f", narg, len)


def test_replacing_a_function_while_its_statement_runs_fails(memory):
    memory.create_function("f", 0, lambda: 1)
    cursor = memory.execute("SELECT f() FROM (VALUES (1), (2))")
    with pytest.raises(chorusdb.OperationalError, match="Error creating function"):
        memory.create_function("f", 0, lambda: 2)
    memory.create_function("g", 0, lambda: 3)      # a new name is fine
    assert cursor.fetchall() == [(1,), (1,)]


def test_replaced_and_closed_registrations_drop_their_callables():
    class Callable:
        def __call__(self, *args):
            return 1

    connection = chorusdb.connect(":memory:")
    first, second, collation = Callable(), Callable(), Callable()
    refs = [weakref.ref(first), weakref.ref(second), weakref.ref(collation)]
    connection.create_function("f", 0, first)
    connection.create_function("f", 0, second)
    connection.create_collation("c", collation)
    del first, second, collation
    gc.collect()
    assert [ref() is None for ref in refs] == [True, False, False]
    connection.close()
    gc.collect()
    assert [ref() is None for ref in refs] == [True, True, True]


def test_closed_connection_refuses_registration(memory):
    memory.close()
    for call in (lambda: memory.create_function("f", 0, len),
                 lambda: memory.create_aggregate("a", 1, object),
                 lambda: memory.create_window_function("w", 1, object),
                 lambda: memory.create_collation("c", len)):
        with pytest.raises(chorusdb.ProgrammingError, match="closed database"):
            call()


def test_callback_runs_with_the_gil_while_other_threads_work(tmp_path):
    path = str(tmp_path / "threads.db")
    with chorusdb.connect(path) as setup:
        setup.execute("CREATE TABLE n(v)")
        setup.executemany("INSERT INTO n VALUES (?)", [(i,) for i in range(200)])
    totals = []

    def work():
        c = chorusdb.connect(path)
        seen = []
        c.create_function("note", 1, lambda v: seen.append(v) or v)
        totals.append(c.execute("SELECT sum(note(v)) FROM n").fetchone()[0] + len(seen))
        c.close()

    threads = [threading.Thread(target=work) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert totals == [sum(range(200)) + 200] * 4


# --------------------------------------------------------------------- aggregates

class Sum:
    def __init__(self):
        self.total = 0

    def step(self, value):
        if value is not None:
            self.total += value

    def finalize(self):
        return self.total


class WindowSum(Sum):
    def inverse(self, value):
        if value is not None:
            self.total -= value

    def value(self):
        return self.total


def failing(base, method):
    """A subclass of base whose method raises ZeroDivisionError."""
    return type("Failing", (base,), {method: lambda self, *a: 1 / 0})


def without(base, method):
    """A copy of base without method (looked up on the class: absent)."""
    namespace = {name: value for klass in reversed(base.__mro__) if klass is not object
                 for name, value in vars(klass).items() if not name.startswith("__")}
    namespace["__init__"] = Sum.__init__
    del namespace[method]
    return type("Without", (), namespace)


@pytest.mark.parametrize("sql", [
    "SELECT g, s(x) FROM t GROUP BY g",
    "SELECT s(x) FROM t WHERE 0",
    "SELECT s(DISTINCT x) FROM (SELECT 1 x UNION ALL SELECT 1 UNION ALL SELECT 2)",
    "SELECT s(x) OVER () FROM t",
])
def test_aggregate_results(sql):
    assert_like_sqlite3(lambda c: c.create_aggregate("s", 1, Sum), sql)


@pytest.mark.parametrize("klass", [failing(Sum, "__init__"), failing(Sum, "step"),
                                   failing(Sum, "finalize"), without(Sum, "step"),
                                   without(Sum, "finalize")])
def test_failing_aggregate_raises_as_sqlite3_does(klass):
    expected = assert_like_sqlite3(lambda c: c.create_aggregate("s", 1, klass),
                                   "SELECT s(x) FROM t")
    assert expected[0] == "OperationalError"


def test_aggregate_result_overflow_is_a_data_error():
    big = type("Big", (Sum,), {"finalize": lambda self: 2 ** 70})
    expected = assert_like_sqlite3(lambda c: c.create_aggregate("s", 1, big),
                                   "SELECT s(x) FROM t")
    assert expected == ("DataError", "string or blob too big")


def test_every_instance_is_finalized_even_when_a_statement_stops(memory):
    made, finalized = [], []

    class Tracked(Sum):
        def __init__(self):
            super().__init__()
            made.append(self)

        def finalize(self):
            finalized.append(self)

    memory.executescript(ROWS)
    memory.create_aggregate("s", 1, Tracked)
    cursor = memory.execute("SELECT g, s(x) FROM t GROUP BY g")
    cursor.fetchone()
    cursor.close()
    memory.create_function("boom", 1, lambda v: 1 / 0 if v == 10 else v)
    with pytest.raises(chorusdb.OperationalError, match="user-defined function raised"):
        memory.execute("SELECT s(x), s(boom(x)) FROM t")
    memory.execute("SELECT s(x) FROM t").fetchall()
    assert made and finalized == made


@pytest.mark.parametrize("sql", [
    "SELECT x, s(x) OVER (ORDER BY rowid ROWS BETWEEN 1 PRECEDING AND 1 FOLLOWING) FROM t",
    "SELECT x, s(x) OVER (PARTITION BY g ORDER BY x) FROM t ORDER BY g, x",
    "SELECT s(x) FROM t",
])
def test_window_function_results(sql):
    assert_like_sqlite3(lambda c: c.create_window_function("s", 1, WindowSum), sql)


@pytest.mark.parametrize("klass", [failing(WindowSum, "value"), failing(WindowSum, "inverse"),
                                   failing(WindowSum, "step"), without(WindowSum, "value"),
                                   without(WindowSum, "inverse")])
def test_failing_window_function_raises_as_sqlite3_does(klass):
    expected = assert_like_sqlite3(
        lambda c: c.create_window_function("s", 1, klass),
        "SELECT s(x) OVER (ORDER BY rowid ROWS BETWEEN 1 PRECEDING AND CURRENT ROW) FROM t")
    assert expected[0] == "OperationalError"


def test_window_finalize_errors_are_not_reported_as_in_sqlite3():
    assert_like_sqlite3(lambda c: c.create_window_function("s", 1, failing(WindowSum,
                                                                           "finalize")),
                        "SELECT s(x) OVER () FROM t")


def test_removed_window_function_is_unknown():
    def setup(c):
        c.create_window_function("s", 1, WindowSum)
        c.create_window_function("s", 1, None)
    assert_like_sqlite3(setup, "SELECT s(x) OVER () FROM t")


def test_plain_aggregate_is_not_a_window_function():
    assert_like_sqlite3(lambda c: c.create_aggregate("s", 1, Sum), "SELECT s(x) OVER () FROM t")


# --------------------------------------------------------------------- collations

def reverse(a, b):
    return (a < b) - (a > b)


@pytest.mark.parametrize("sql", [
    "SELECT x FROM w ORDER BY x COLLATE rev",
    "SELECT count(*) FROM w WHERE x = 'a' COLLATE ci",
    "SELECT count(*) FROM w GROUP BY x COLLATE ci ORDER BY 1",
    "SELECT count(DISTINCT x COLLATE ci) FROM w",
    "SELECT max(x COLLATE rev) FROM w",
    "SELECT x FROM w ORDER BY x COLLATE huge",
    "SELECT x FROM w ORDER BY x COLLATE notint, x",
])
def test_collation_results(sql):
    def setup(c):
        c.executescript("CREATE TABLE w(x); "
                        "INSERT INTO w VALUES ('b'), ('A'), ('c'), ('a'), ('B')")
        c.create_collation("rev", reverse)
        c.create_collation("ci", lambda a, b: (a.lower() > b.lower()) - (a.lower() < b.lower()))
        c.create_collation("huge", lambda a, b: 2 ** 80 * ((a > b) - (a < b)))
        c.create_collation("notint", lambda a, b: "x")
    assert_like_sqlite3(setup, sql)


def test_removed_collation_is_unknown():
    def setup(c):
        c.create_collation("rev", reverse)
        c.create_collation("rev", None)
    assert_like_sqlite3(setup, "SELECT x FROM t ORDER BY x COLLATE rev")


def test_collation_must_be_callable(memory):
    with pytest.raises(TypeError, match="parameter must be callable"):
        memory.create_collation("c", 5)


@pytest.mark.parametrize("sql", [
    "SELECT column1 FROM (VALUES ('b'), ('a')) ORDER BY column1 COLLATE bad",
    "SELECT count(*) FROM (VALUES ('b'), ('a')) WHERE column1 = 'a' COLLATE bad",
])
def test_exception_in_collation_is_raised_by_the_statement(sql):
    # As sqlite3: the comparison counts as equal and the exception surfaces from
    # execute() (native/functions.c PF6).
    def setup(c):
        c.create_collation("bad", lambda a, b: 1 / 0)
    assert assert_like_sqlite3(setup, sql) == ("ZeroDivisionError", "division by zero")


def test_exception_in_collation_leaves_the_connection_usable(memory):
    memory.create_collation("bad", lambda a, b: 1 / 0)
    with pytest.raises(ZeroDivisionError):
        memory.execute("SELECT column1 FROM (VALUES ('b'), ('a')) ORDER BY column1 COLLATE bad")
    assert memory.execute("SELECT 1").fetchall() == [(1,)]


@pytest.mark.parametrize("sql", [
    "SELECT x FROM z ORDER BY x",
    "SELECT x FROM z INDEXED BY zi WHERE x < 'b'",
    "SELECT count(*) FROM z WHERE x = 'B'",
    "PRAGMA integrity_check",
])
def test_user_collation_in_table_and_index_definitions(sql):
    def setup(c):
        c.create_collation("rev", reverse)
        c.executescript("CREATE TABLE z(x TEXT COLLATE rev); CREATE INDEX zi ON z(x);"
                        "INSERT INTO z VALUES ('b'), ('A'), ('c'), ('a'), ('B')")
    assert_like_sqlite3(setup, sql)


def test_connection_without_the_collation_reads_the_table_only(tmp_path):
    path = str(tmp_path / "c.db")
    for module in (sqlite3, chorusdb):
        first = module.connect(path)
        first.create_collation("rev", reverse)
        first.executescript("DROP TABLE IF EXISTS z; CREATE TABLE z(x TEXT COLLATE rev, y);"
                            "CREATE INDEX zi ON z(x); INSERT INTO z VALUES ('a', 1), ('b', 2)")
        first.close()
        second = module.connect(path)
        assert second.execute("SELECT y FROM z NOT INDEXED ORDER BY y").fetchall() == [(1,), (2,)]
        for sql in ("SELECT y FROM z WHERE x = 'a'", "INSERT INTO z VALUES ('c', 3)",
                    "CREATE TABLE u(x COLLATE rev)"):
            with pytest.raises(module.OperationalError, match="no such collation sequence: rev"):
                second.execute(sql)
        second.close()
