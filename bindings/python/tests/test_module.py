"""The module namespace: DB-API globals, version, exception hierarchy, code constants."""

import chorusdb


def test_module_declares_dbapi_globals():
    assert chorusdb.apilevel == "2.0"
    assert chorusdb.threadsafety in (1, 3)
    assert chorusdb.paramstyle == "qmark"


def test_version_comes_from_the_engine():
    assert chorusdb.__version__ == chorusdb._chorus.version()
    assert chorusdb.chorus_version_info == tuple(int(p) for p in chorusdb.version.split("."))
    number = chorusdb._chorus.version_number()
    major, minor, patch = chorusdb.chorus_version_info
    assert number == major * 1000000 + minor * 1000 + patch


def test_exception_hierarchy_follows_pep_249():
    assert issubclass(chorusdb.Warning, Exception)
    assert issubclass(chorusdb.Error, Exception)
    assert issubclass(chorusdb.InterfaceError, chorusdb.Error)
    assert issubclass(chorusdb.DatabaseError, chorusdb.Error)
    for name in ("DataError", "OperationalError", "IntegrityError", "InternalError",
                 "ProgrammingError", "NotSupportedError"):
        assert issubclass(getattr(chorusdb, name), chorusdb.DatabaseError), name


def test_conflict_error_is_an_operational_error_with_its_code():
    assert issubclass(chorusdb.ConflictError, chorusdb.OperationalError)
    assert chorusdb.ConflictError.chorus_errorcode == chorusdb.CHORUS_CONFLICT == 40
    assert chorusdb.ConflictError.chorus_errorname == "CHORUS_CONFLICT"
    err = chorusdb.ConflictError("lost the race")
    assert err.sqlite_errorcode == 40


def test_exceptions_are_named_in_the_chorusdb_namespace():
    assert chorusdb.OperationalError.__module__ == "chorusdb"
    assert chorusdb.OperationalError.__name__ == "OperationalError"


def test_connection_carries_the_exception_types(memory):
    for name in ("Warning", "Error", "InterfaceError", "DatabaseError", "DataError",
                 "OperationalError", "IntegrityError", "InternalError", "ProgrammingError",
                 "NotSupportedError", "ConflictError"):
        assert getattr(memory, name) is getattr(chorusdb, name)


def test_result_code_constants_exist_under_both_prefixes():
    assert chorusdb.CHORUS_OK == chorusdb.SQLITE_OK == 0
    assert chorusdb.SQLITE_BUSY == 5
    assert chorusdb.SQLITE_CONSTRAINT_UNIQUE == 19 | (8 << 8)
    assert chorusdb.CHORUS_BUSY_SNAPSHOT == 5 | (2 << 8)


def test_errstr_gives_the_english_text_of_a_code():
    assert chorusdb._chorus.errstr(chorusdb.CHORUS_BUSY) == "database is locked"


def test_module_works_as_a_drop_in_for_sqlite3(tmp_path):
    import chorusdb as sqlite3

    con = sqlite3.connect(str(tmp_path / "drop_in.db"))
    cur = con.cursor()
    cur.execute("CREATE TABLE movie(title, year, score)")
    cur.executemany("INSERT INTO movie VALUES(?, ?, ?)",
                    [("Monty Python Live", 1982, 7.9), ("And Now for Something", 1971, 7.5)])
    con.commit()
    rows = cur.execute("SELECT year, title FROM movie ORDER BY year").fetchall()
    assert rows == [(1971, "And Now for Something"), (1982, "Monty Python Live")]
    con.close()


def test_dbapi_type_constructors_exist():
    assert chorusdb.Binary(b"ab") == memoryview(b"ab")
    assert chorusdb.Date(2024, 1, 2).isoformat() == "2024-01-02"
    assert chorusdb.DateFromTicks(0).year in (1969, 1970)
    assert chorusdb.TimestampFromTicks(0).year in (1969, 1970)
    assert chorusdb.TimeFromTicks(0) is not None
