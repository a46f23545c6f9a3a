"""connect(): paths, URIs, options, closing, and misuse of a closed connection."""

import os
import pathlib

import pytest

import chorusdb


def test_connect_to_memory_gives_a_private_database():
    first = chorusdb.connect(":memory:")
    second = chorusdb.connect(":memory:")
    first.execute("CREATE TABLE t(x)")
    with pytest.raises(chorusdb.OperationalError):
        second.execute("SELECT * FROM t")
    first.close()
    second.close()


def test_data_persists_across_connections(db_path):
    conn = chorusdb.connect(db_path)
    conn.execute("CREATE TABLE t(x)")
    conn.execute("INSERT INTO t VALUES (42)")
    conn.commit()
    conn.close()
    again = chorusdb.connect(db_path)
    assert again.execute("SELECT x FROM t").fetchall() == [(42,)]
    again.close()


def test_connect_accepts_path_like_and_bytes(tmp_path):
    for database in (pathlib.Path(tmp_path / "a.db"), os.fsencode(str(tmp_path / "b.db"))):
        conn = chorusdb.connect(database)
        assert conn.execute("SELECT 1").fetchone() == (1,)
        conn.close()


def test_connect_rejects_a_database_of_the_wrong_type():
    with pytest.raises(TypeError):
        chorusdb.connect(42)


def test_connect_to_a_missing_directory_is_an_operational_error(tmp_path):
    with pytest.raises(chorusdb.OperationalError) as info:
        chorusdb.connect(str(tmp_path / "no" / "such" / "dir.db"))
    assert info.value.chorus_errorcode & 0xFF == chorusdb.CHORUS_CANTOPEN


def test_uri_mode_ro_refuses_writes(db_path):
    conn = chorusdb.connect(db_path)
    conn.execute("CREATE TABLE t(x)")
    conn.commit()
    conn.close()
    reader = chorusdb.connect(f"file:{db_path}?mode=ro", uri=True)
    assert reader.execute("SELECT count(*) FROM t").fetchone() == (0,)
    with pytest.raises(chorusdb.OperationalError):
        reader.execute("INSERT INTO t VALUES (1)")
    reader.close()


def test_uri_mode_rw_does_not_create_a_missing_file(tmp_path):
    path = tmp_path / "missing.db"
    with pytest.raises(chorusdb.OperationalError):
        chorusdb.connect(f"file:{path}?mode=rw", uri=True)
    assert not path.exists()


def test_uri_memory_and_percent_escapes(tmp_path):
    conn = chorusdb.connect("file::memory:", uri=True)
    assert conn.execute("SELECT 2").fetchone() == (2,)
    conn.close()
    spaced = tmp_path / "with space.db"
    conn = chorusdb.connect("file:" + str(spaced).replace(" ", "%20"), uri=True)
    conn.execute("CREATE TABLE t(x)")
    conn.close()
    assert spaced.exists()


def test_uri_with_an_unknown_mode_is_refused(tmp_path):
    with pytest.raises(chorusdb.OperationalError, match="no such access mode"):
        chorusdb.connect(f"file:{tmp_path}/x.db?mode=bogus", uri=True)


def test_without_uri_a_file_uri_is_a_plain_name(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    conn = chorusdb.connect("file:plain.db")
    conn.execute("CREATE TABLE t(x)")
    conn.close()
    assert (tmp_path / "file:plain.db").exists()


def test_factory_makes_a_connection_subclass(memory):
    class MyConnection(chorusdb.Connection):
        pass

    conn = chorusdb.connect(":memory:", factory=MyConnection)
    assert isinstance(conn, MyConnection)
    conn.close()


def test_close_twice_is_harmless(db_path):
    conn = chorusdb.connect(db_path)
    conn.close()
    conn.close()


def test_closed_connection_refuses_every_operation(db_path):
    conn = chorusdb.connect(db_path)
    cursor = conn.cursor()
    conn.close()
    for call in (lambda: conn.execute("SELECT 1"), conn.cursor, conn.commit, conn.rollback,
                 lambda: conn.total_changes, lambda: conn.in_transaction, conn.interrupt,
                 lambda: cursor.execute("SELECT 1"), cursor.fetchone, conn.iterdump):
        with pytest.raises(chorusdb.ProgrammingError, match="closed database"):
            call()


def test_unsupported_sqlite3_features_say_so(memory):
    with pytest.raises(chorusdb.NotSupportedError):
        memory.load_extension("x")


def test_connection_may_not_be_used_from_another_thread(memory):
    import threading

    errors = []
    thread = threading.Thread(target=lambda: _capture(errors, memory.execute, "SELECT 1"))
    thread.start()
    thread.join()
    assert len(errors) == 1 and isinstance(errors[0], chorusdb.ProgrammingError)
    assert "same thread" in str(errors[0])


def test_check_same_thread_false_allows_other_threads(tmp_path):
    import threading

    conn = chorusdb.connect(str(tmp_path / "shared.db"), check_same_thread=False)
    results = []
    thread = threading.Thread(target=lambda: results.append(conn.execute("SELECT 7").fetchone()))
    thread.start()
    thread.join()
    assert results == [(7,)]
    conn.close()


def test_total_changes_counts_every_change(memory):
    memory.execute("CREATE TABLE t(x)")
    memory.executemany("INSERT INTO t VALUES (?)", [(1,), (2,), (3,)])
    memory.execute("UPDATE t SET x = x + 1")
    assert memory.total_changes == 6


def _capture(errors, fn, *args):
    try:
        fn(*args)
    except Exception as exc:  # the test inspects it
        errors.append(exc)
