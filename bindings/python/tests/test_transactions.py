"""Transaction control: sqlite3's legacy implicit BEGIN, isolation_level, the 3.12
autocommit attribute, commit/rollback and the connection as a context manager."""

import pytest

import chorusdb


def count(conn):
    return conn.execute("SELECT count(*) FROM t").fetchone()[0]


def other(db_path):
    return chorusdb.connect(db_path, isolation_level=None)


def test_dml_opens_a_transaction_in_legacy_mode(table, db_path):
    assert not table.in_transaction
    table.execute("INSERT INTO t(name) VALUES ('a')")
    assert table.in_transaction
    reader = other(db_path)
    assert count(reader) == 0
    table.commit()
    assert not table.in_transaction
    assert count(reader) == 1
    reader.close()


def test_select_does_not_open_a_transaction(table):
    table.execute("SELECT * FROM t").fetchall()
    assert not table.in_transaction


def test_rollback_discards_the_implicit_transaction(table):
    table.execute("INSERT INTO t(name) VALUES ('a')")
    table.rollback()
    assert not table.in_transaction
    assert count(table) == 0


def test_commit_and_rollback_without_a_transaction_do_nothing(table):
    table.commit()
    table.rollback()
    assert not table.in_transaction


def test_isolation_level_none_means_autocommit(db_path):
    conn = chorusdb.connect(db_path, isolation_level=None)
    conn.execute("CREATE TABLE t(x)")
    conn.execute("INSERT INTO t VALUES (1)")
    assert not conn.in_transaction
    reader = other(db_path)
    assert count(reader) == 1
    reader.close()
    conn.close()


def test_explicit_begin_works_in_autocommit_mode(db_path):
    conn = chorusdb.connect(db_path, isolation_level=None)
    conn.execute("CREATE TABLE t(x)")
    conn.execute("BEGIN")
    conn.execute("INSERT INTO t VALUES (1)")
    assert conn.in_transaction
    conn.execute("ROLLBACK")
    assert count(conn) == 0
    conn.close()


@pytest.mark.parametrize("level", ["", "DEFERRED", "IMMEDIATE", "EXCLUSIVE", "deferred"])
def test_isolation_levels_choose_the_begin(db_path, level):
    conn = chorusdb.connect(db_path, isolation_level=level)
    assert conn.isolation_level == level.upper()    # stored upper-cased, as sqlite3
    conn.execute("CREATE TABLE t(x)")
    conn.execute("INSERT INTO t VALUES (1)")
    assert conn.in_transaction
    conn.commit()
    conn.close()


def test_isolation_level_concurrent_is_accepted(memory):
    memory.isolation_level = "CONCURRENT"
    assert memory.isolation_level == "CONCURRENT"


def test_bad_isolation_levels_are_refused(memory):
    with pytest.raises(ValueError):
        memory.isolation_level = "SERIALIZABLE"
    with pytest.raises(TypeError):
        memory.isolation_level = 1
    with pytest.raises(ValueError):
        chorusdb.connect(":memory:", isolation_level="NOPE")


def test_setting_isolation_level_none_commits(table, db_path):
    table.execute("INSERT INTO t(name) VALUES ('a')")
    table.isolation_level = None
    assert not table.in_transaction
    reader = other(db_path)
    assert count(reader) == 1
    reader.close()


def test_executescript_commits_a_pending_transaction_first(table, db_path):
    table.execute("INSERT INTO t(name) VALUES ('a')")
    table.executescript("INSERT INTO t(name) VALUES ('b');")
    assert not table.in_transaction
    reader = other(db_path)
    assert count(reader) == 2
    reader.close()


def test_autocommit_defaults_to_legacy(memory):
    assert memory.autocommit == chorusdb.LEGACY_TRANSACTION_CONTROL


def test_autocommit_true_never_opens_transactions(db_path):
    conn = chorusdb.connect(db_path, autocommit=True)
    conn.execute("CREATE TABLE t(x)")
    conn.execute("INSERT INTO t VALUES (1)")
    assert not conn.in_transaction
    conn.execute("BEGIN")
    conn.execute("INSERT INTO t VALUES (2)")
    conn.commit()            # does nothing with autocommit=True
    assert conn.in_transaction
    conn.execute("COMMIT")
    conn.close()


def test_autocommit_false_keeps_a_transaction_open(db_path):
    conn = chorusdb.connect(db_path, autocommit=False)
    assert conn.in_transaction
    conn.execute("CREATE TABLE t(x)")
    conn.execute("INSERT INTO t VALUES (1)")
    conn.commit()
    assert conn.in_transaction
    conn.execute("INSERT INTO t VALUES (2)")
    conn.rollback()
    assert conn.in_transaction
    assert count(conn) == 1
    conn.close()


def test_autocommit_false_rolls_back_on_close(db_path):
    conn = chorusdb.connect(db_path, autocommit=False)
    conn.execute("CREATE TABLE t(x)")
    conn.commit()
    conn.execute("INSERT INTO t VALUES (1)")
    conn.close()
    reader = other(db_path)
    assert count(reader) == 0
    reader.close()


def test_switching_autocommit_commits_or_begins(db_path):
    conn = chorusdb.connect(db_path, autocommit=False)
    conn.execute("CREATE TABLE t(x)")
    conn.autocommit = True
    assert not conn.in_transaction
    conn.autocommit = False
    assert conn.in_transaction
    conn.autocommit = chorusdb.LEGACY_TRANSACTION_CONTROL
    assert conn.autocommit == chorusdb.LEGACY_TRANSACTION_CONTROL
    conn.close()


@pytest.mark.parametrize("value", [1, 0, "yes", None, -2])
def test_bad_autocommit_values_are_refused(value):
    with pytest.raises(ValueError):
        chorusdb.connect(":memory:", autocommit=value)


def test_with_block_commits_on_success(table, db_path):
    with table:
        table.execute("INSERT INTO t(name) VALUES ('a')")
    assert not table.in_transaction
    reader = other(db_path)
    assert count(reader) == 1
    reader.close()


def test_with_block_rolls_back_on_exception(table):
    with pytest.raises(KeyError):
        with table:
            table.execute("INSERT INTO t(name) VALUES ('a')")
            raise KeyError("boom")
    assert not table.in_transaction
    assert count(table) == 0


def test_with_block_does_not_close(table):
    with table:
        pass
    assert table.execute("SELECT 1").fetchone() == (1,)


def test_constraint_failure_keeps_the_transaction_for_the_caller(table):
    table.execute("INSERT INTO t(id, name) VALUES (1, 'a')")
    with pytest.raises(chorusdb.IntegrityError):
        table.execute("INSERT INTO t(id, name) VALUES (1, 'b')")
    assert table.in_transaction
    table.commit()
    assert count(table) == 1
