"""Corners of sqlite3's behaviour that CPython's own sqlite3 test suite checks (see
bindings/python/run_cpython_suite.py). Most tests run the same code against the stdlib
sqlite3 and against chorusdb (the `db` fixture), so the expected behaviour is sqlite3's
own, never chorusdb's output."""

import collections.abc
import os
import sqlite3
import threading
import urllib.parse

import pytest

import chorusdb


@pytest.fixture(params=[sqlite3, chorusdb], ids=["sqlite3", "chorusdb"])
def db(request):
    return request.param


@pytest.fixture
def cx(db):
    connection = db.connect(":memory:")
    yield connection
    connection.close()


# -- the module namespace


def test_sqlite_version_is_what_the_engine_answers():
    with chorusdb.connect(":memory:") as connection:
        version = connection.execute("SELECT sqlite_version()").fetchone()[0]
    assert chorusdb.sqlite_version == version
    assert chorusdb.sqlite_version_info == tuple(int(p) for p in version.split("."))


def test_every_sqlite3_constant_exists_with_sqlite3s_value():
    names = [name for name in dir(sqlite3) if name.startswith("SQLITE_")]
    assert names
    for name in names:
        assert getattr(chorusdb, name) == getattr(sqlite3, name), name
        assert name in chorusdb.__all__, name


def test_enable_shared_cache_is_deprecated(db):
    with pytest.warns(DeprecationWarning):
        db.enable_shared_cache(True)


def test_optimized_unicode_is_a_deprecated_alias_of_str(db):
    with pytest.warns(DeprecationWarning):
        assert db.OptimizedUnicode is str
    with pytest.raises(AttributeError):
        db.NoSuchName


def test_blob_and_statement_types_cannot_be_instantiated(db, cx):
    for tp in (type(cx("SELECT 1")), db.Blob):
        with pytest.raises(TypeError, match=f"cannot create '{tp.__module__}.{tp.__name__}'"):
            tp()


def test_adapt_is_the_function(db):
    assert db.adapt(1.5, db.PrepareProtocol, "alt") == "alt"
    with pytest.raises(db.ProgrammingError):
        db.adapt(1.5, None)


# -- isolation_level


def test_isolation_level_defaults_to_empty_and_is_stored_upper_case(cx):
    assert cx.isolation_level == ""
    cx.isolation_level = "immediate"
    assert cx.isolation_level == "IMMEDIATE"


def test_isolation_level_does_not_call_a_subclass_upper(cx):
    class CustomStr(str):
        def upper(self):
            return None
    cx.isolation_level = CustomStr("deferred")
    assert cx.isolation_level == "DEFERRED"


def test_bad_isolation_level_keeps_the_previous_one(db, cx):
    cx.isolation_level = "DEFERRED"
    for value, exc in [(1, TypeError), (b"", TypeError), ("abc", ValueError),
                       ("IMMEDIATE\0EXCLUSIVE", ValueError), ("\xe9", ValueError)]:
        with pytest.raises(exc):
            cx.isolation_level = value
        assert cx.isolation_level == "DEFERRED"
    with pytest.raises(ValueError, match="isolation_level string must be '', 'DEFERRED', "
                                         "'IMMEDIATE', or 'EXCLUSIVE'"):
        db.connect(":memory:", isolation_level="BOGUS")


def test_implicit_begin_is_traced_as_sqlite3_writes_it(cx):
    traced = []
    cx.execute("CREATE TABLE t(x)")
    cx.set_trace_callback(traced.append)
    cx.execute("INSERT INTO t VALUES (1)")
    cx.commit()
    assert traced == ["BEGIN ", "INSERT INTO t VALUES (1)", "COMMIT"]


# -- uninitialised, re-initialised and closed connections


def test_connection_without_base_init(db):
    cx = db.Connection.__new__(db.Connection)
    for use in (lambda: cx.isolation_level, lambda: cx.total_changes,
                lambda: cx.in_transaction, lambda: cx.iterdump(), lambda: cx.cursor(),
                lambda: cx.close()):
        with pytest.raises(db.ProgrammingError, match="Base Connection.__init__ not called"):
            use()


def test_reinit_leaves_open_cursors_on_the_old_database(db, tmp_path):
    cx = db.connect(":memory:")
    cx.execute("CREATE TABLE foo(bar)")
    cx.executemany("INSERT INTO foo VALUES (?)", [(v,) for v in range(4)])
    cursor = cx.execute("SELECT bar FROM foo")
    assert cursor.fetchone() == (0,)
    cx.__init__(str(tmp_path / "new.db"))
    cx.execute("CREATE TABLE foo(bar)")
    assert cursor.fetchall() == [(1,), (2,), (3,)]
    assert cx.execute("SELECT count(*) FROM foo").fetchone() == (0,)
    with pytest.raises(db.OperationalError):
        cx.__init__(str(tmp_path))          # a directory: the open fails
    with pytest.raises(db.ProgrammingError, match="Base Connection.__init__ not called"):
        cx.execute("SELECT 1")


def test_reinit_closes_the_old_connection_when_nothing_reads(db, tmp_path):
    first, second = str(tmp_path / "first.db"), str(tmp_path / "second.db")
    cx = db.connect(first, isolation_level=None)
    cx.execute("CREATE TABLE t(x)")
    cx.execute("BEGIN IMMEDIATE")
    cx.execute("INSERT INTO t VALUES (1)")
    cx.__init__(second)                     # the write transaction ends with it
    other = db.connect(first, timeout=0)
    other.execute("INSERT INTO t VALUES (2)")
    other.commit()
    assert other.execute("SELECT x FROM t").fetchall() == [(2,)]
    other.close()
    cx.close()


def test_unsupported_methods_check_the_connection_first():
    cx = chorusdb.connect(":memory:")
    with pytest.raises(chorusdb.NotSupportedError):
        cx.enable_load_extension(True)
    cx.close()
    for use in (lambda: cx.set_authorizer(None), lambda: cx.blobopen("t", "c", 1),
                lambda: cx.enable_load_extension(True),
                lambda: cx.getlimit(chorusdb.SQLITE_LIMIT_LENGTH), lambda: cx("SELECT 1")):
        with pytest.raises(chorusdb.ProgrammingError, match="closed"):
            use()


def test_calling_a_connection_prepares_one_statement(db, cx):
    cx("SELECT 1")
    with pytest.raises(UnicodeEncodeError):
        cx("SELECT '\ud8ff'")
    with pytest.raises(db.ProgrammingError):
        cx("SELECT 1; SELECT 2")


def test_methods_from_another_thread_raise_programming_error(db, cx):
    cursor = cx.cursor()
    errors = []

    def run():
        for use in (cx.cursor, cx.commit, lambda: cx.create_window_function("f", 0, None),
                    cursor.close, cursor.fetchone, lambda: cx.set_authorizer(None)):
            try:
                use()
                errors.append("no error")
            except db.ProgrammingError:
                pass
            except Exception as exc:    # noqa: BLE001 (the wrong exception is the finding)
                errors.append(repr(exc))
    thread = threading.Thread(target=run)
    thread.start()
    thread.join()
    assert errors == []


# -- cursors


def test_cursor_factory_must_make_a_real_cursor(db, cx):
    class FakeCursor(str):
        __class__ = db.Cursor
    with pytest.raises(TypeError):
        cx.cursor(None)
    with pytest.raises(TypeError):
        cx.cursor(lambda connection: None)
    with pytest.raises(TypeError):
        cx.cursor(FakeCursor)
    with pytest.raises(TypeError):
        db.Row(FakeCursor(), ())


def test_cursor_without_base_init(db, cx):
    class Cursor(db.Cursor):
        def __init__(self, connection):
            pass
    cursor = Cursor(cx)
    with pytest.raises(db.ProgrammingError):
        cursor.execute("SELECT 1")
    with pytest.raises(db.ProgrammingError, match=r"^Base Cursor\.__init__ not called\.$"):
        cursor.close()


def test_closing_a_cursor_of_a_closed_connection(db):
    cx = db.connect(":memory:")
    cursor = cx.cursor()
    cursor.close()
    cursor.close()                          # twice is harmless
    other = cx.cursor()
    cx.close()
    with pytest.raises(db.ProgrammingError, match="closed database"):
        other.close()


@pytest.mark.parametrize("use", ["close", "fetchone", "__init__"])
def test_recursive_use_of_a_cursor(db, use):
    cx = db.connect(":memory:", detect_types=db.PARSE_COLNAMES)
    cursor = cx.cursor()
    cursor.execute("CREATE TABLE test(x)")
    cursor.executemany("INSERT INTO test VALUES (?)", [("foo",), ("bar",)])
    calls = {"close": lambda: cursor.close(), "fetchone": lambda: cursor.fetchone(),
             "__init__": lambda: cursor.__init__(cx)}
    db.converters["RECURSE"] = lambda value: calls[use]()
    try:
        cursor.execute('SELECT x AS "x [RECURSE]" FROM test')
        with pytest.raises(db.ProgrammingError, match="Recursive use of cursors not allowed"):
            cursor.fetchall()
    finally:
        del db.converters["RECURSE"]
        cx.close()


def test_recursive_use_from_executemany_parameters(db, cx):
    cursor = cx.cursor()
    cursor.execute("CREATE TABLE a(x)")

    def parameters():
        cursor.execute("INSERT INTO a VALUES (1)")
        yield (1,)
    with pytest.raises(db.ProgrammingError):
        cursor.executemany("INSERT INTO a VALUES (?)", parameters())


def test_error_in_parameters_len_propagates(db, cx):
    class Parameters:
        def __len__(self):
            1 / 0

        def __getitem__(self, index):
            raise AssertionError
    with pytest.raises(ZeroDivisionError):
        cx.execute("SELECT ?", Parameters())
    with pytest.raises(db.ProgrammingError, match="parameters are of unsupported type"):
        cx.execute("SELECT ?", {1, 2})


@pytest.mark.parametrize("sql", ["SELECT 1; /*", "SELECT 1; -- x", "SELECT 1; /* x */"])
def test_trailing_comments_are_not_a_second_statement(cx, sql):
    assert cx.execute(sql).fetchall() == [(1,)]


def test_executescript_refuses_a_nul_character(cx):
    with pytest.raises(ValueError):
        cx.executescript("CREATE TABLE a(i);\0 INSERT INTO a VALUES (5);")


def test_description_follows_a_schema_change(cx):
    cx.execute("CREATE TABLE t(a)")
    assert len(cx.execute("SELECT * FROM t").description) == 1
    cx.execute("ALTER TABLE t ADD b")
    assert [c[0] for c in cx.execute("SELECT * FROM t").description] == ["a", "b"]


# -- adaptation, conversion, rows


def test_type_error_in_conform_means_not_adaptable(db, cx):
    class BadConform:
        def __init__(self, exc):
            self.exc = exc

        def __conform__(self, protocol):
            raise self.exc
    with pytest.raises(db.ProgrammingError):
        cx.execute("SELECT ?", (BadConform(TypeError),))
    with pytest.raises(KeyboardInterrupt):
        cx.execute("SELECT ?", (BadConform(KeyboardInterrupt),))


def test_converters_skip_empty_values(db):
    cx = db.connect(":memory:", detect_types=db.PARSE_COLNAMES)
    db.converters["SEEN"] = lambda raw: ("seen", raw)
    try:
        row = cx.execute("""SELECT x'' AS "a [SEEN]", '' AS "b [SEEN]", 0 AS "c [SEEN]",
                                   NULL AS "d [SEEN]" """).fetchone()
    finally:
        del db.converters["SEEN"]
        cx.close()
    assert row == (None, None, ("seen", b"0"), None)


def test_row_names_fold_ascii_only(db, cx):
    cx.row_factory = db.Row
    row = cx.execute("SELECT 1 AS \xff, 2 AS Abc").fetchone()
    assert row["\xff"] == 1 and row["ABC"] == 2
    for key in ("\u0178", "\xdf"):
        with pytest.raises(IndexError):
            row[key]
    assert isinstance(row, collections.abc.Sequence)
    assert list(reversed(row)) == [2, 1]


def test_uri_with_an_undecodable_file_name(db, tmp_path):
    path = os.fsencode(str(tmp_path)) + b"/undecodable-\xff.db"
    uri = "file:" + urllib.parse.quote(path)
    connection = db.connect(uri, uri=True)
    connection.execute("CREATE TABLE t(x)")
    connection.close()
    assert os.path.exists(path)
