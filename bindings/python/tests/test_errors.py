"""Errors from the engine: the exception each result code becomes, and the code and name
attributes it carries."""

import pytest

import chorusdb


def test_unique_violation_is_an_integrity_error_with_extended_code(table):
    table.execute("CREATE UNIQUE INDEX t_name ON t(name)")
    table.execute("INSERT INTO t(name) VALUES ('a')")
    with pytest.raises(chorusdb.IntegrityError) as info:
        table.execute("INSERT INTO t(name) VALUES ('a')")
    err = info.value
    assert "UNIQUE" in str(err)
    assert err.chorus_errorcode == err.sqlite_errorcode == chorusdb.CHORUS_CONSTRAINT_UNIQUE
    assert err.chorus_errorname == "CHORUS_CONSTRAINT_UNIQUE"
    assert err.sqlite_errorname == "SQLITE_CONSTRAINT_UNIQUE"


def test_not_null_violation_names_its_code(table):
    table.execute("CREATE TABLE n(x NOT NULL)")
    with pytest.raises(chorusdb.IntegrityError) as info:
        table.execute("INSERT INTO n VALUES (NULL)")
    assert info.value.chorus_errorname == "CHORUS_CONSTRAINT_NOTNULL"


def test_syntax_error_is_an_operational_error(memory):
    with pytest.raises(chorusdb.OperationalError) as info:
        memory.execute("SELEKT 1")
    assert info.value.chorus_errorcode == chorusdb.CHORUS_ERROR
    assert info.value.sqlite_errorname == "SQLITE_ERROR"


def test_missing_table_is_named_in_the_message(memory):
    with pytest.raises(chorusdb.OperationalError, match="no such table: nowhere"):
        memory.execute("SELECT * FROM nowhere")


def test_write_lock_held_elsewhere_is_database_locked(db_path):
    holder = chorusdb.connect(db_path, isolation_level=None)
    holder.execute("CREATE TABLE t(x)")
    holder.execute("BEGIN IMMEDIATE")
    waiter = chorusdb.connect(db_path, timeout=0.05, isolation_level=None)
    with pytest.raises(chorusdb.OperationalError) as info:
        waiter.execute("BEGIN IMMEDIATE")
    assert info.value.chorus_errorcode & 0xFF == chorusdb.CHORUS_BUSY
    holder.execute("ROLLBACK")
    holder.close()
    waiter.close()


def test_errors_are_catchable_through_the_connection_attributes(memory):
    with pytest.raises(memory.OperationalError):
        memory.execute("SELECT * FROM nowhere")
    with pytest.raises(memory.Error):
        memory.execute("SELECT * FROM nowhere")


def test_commit_without_begin_in_sql_reports_the_engine_error(db_path):
    conn = chorusdb.connect(db_path, isolation_level=None)
    with pytest.raises(chorusdb.OperationalError):
        conn.execute("COMMIT")
    conn.close()
