"""Threads: one connection per thread writing to one database file at once, the retry
helper under real contention, and a connection shared with check_same_thread=False.

The engine works without the GIL (native.h N2): a thread waiting for the write lock
inside the engine does not stop the others, or these tests would time out with
'database is locked'. In MVCC mode (when the engine has it) the writers use BEGIN
CONCURRENT and really conflict; otherwise BEGIN IMMEDIATE serialises them."""

import threading

import pytest

import chorusdb

THREADS = 4
PER_THREAD = 25


def run_threads(target, n=THREADS):
    errors = []

    def guarded(i):
        try:
            target(i)
        except BaseException as exc:  # reported below
            errors.append(exc)

    threads = [threading.Thread(target=guarded, args=(i,)) for i in range(n)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not any(thread.is_alive() for thread in threads), "a writer thread hung"
    assert errors == []


def make_table(db_path, journal_mode=None):
    conn = chorusdb.connect(db_path, isolation_level=None)
    if journal_mode:
        try:
            mode = conn.execute(f"PRAGMA journal_mode = '{journal_mode}'").fetchone()
        except chorusdb.DatabaseError:
            mode = None
        if not mode or str(mode[0]).lower() != journal_mode:
            conn.close()
            pytest.skip(f"journal_mode {journal_mode} is not available in this engine")
    conn.execute("CREATE TABLE IF NOT EXISTS t(id INTEGER PRIMARY KEY, worker INT, n INT)")
    conn.execute("CREATE TABLE IF NOT EXISTS counter(id INTEGER PRIMARY KEY, n INT)")
    conn.execute("INSERT OR IGNORE INTO counter VALUES (1, 0)")
    return conn


def bump(conn, worker, i):
    conn.execute("INSERT INTO t(worker, n) VALUES (?, ?)", (worker, i))
    conn.execute("UPDATE counter SET n = n + 1 WHERE id = 1")


def test_threads_with_a_connection_each_write_through_the_retry_helper(db_path):
    check = make_table(db_path)

    def writer(worker):
        conn = chorusdb.connect(db_path, timeout=60)
        for i in range(PER_THREAD):
            conn.transaction(bump, worker, i, mode="immediate")
        conn.close()

    run_threads(writer)
    assert check.execute("SELECT count(*) FROM t").fetchone() == (THREADS * PER_THREAD,)
    assert check.execute("SELECT n FROM counter").fetchone() == (THREADS * PER_THREAD,)
    check.close()


def test_threads_with_autocommit_inserts_lose_nothing(db_path):
    check = make_table(db_path)

    def writer(worker):
        conn = chorusdb.connect(db_path, timeout=60, isolation_level=None)
        for i in range(PER_THREAD):
            conn.execute("INSERT INTO t(worker, n) VALUES (?, ?)", (worker, i))
        conn.close()

    run_threads(writer)
    per_worker = check.execute("SELECT worker, count(*) FROM t GROUP BY worker").fetchall()
    assert sorted(per_worker) == [(w, PER_THREAD) for w in range(THREADS)]
    check.close()


def test_concurrent_transactions_in_mvcc_mode_retry_conflicts(db_path):
    check = make_table(db_path, journal_mode="mvcc")

    def writer(worker):
        conn = chorusdb.connect(db_path, timeout=60, isolation_level="CONCURRENT")
        for i in range(PER_THREAD):
            conn.transaction(bump, worker, i, mode="concurrent", attempts=1000)
        conn.close()

    run_threads(writer)
    assert check.execute("SELECT n FROM counter").fetchone() == (THREADS * PER_THREAD,)
    check.close()


def test_a_shared_connection_serialises_its_users(db_path):
    check = make_table(db_path)
    shared = chorusdb.connect(db_path, check_same_thread=False, isolation_level=None)

    def writer(worker):
        for i in range(PER_THREAD):
            shared.execute("INSERT INTO t(worker, n) VALUES (?, ?)", (worker, i))
            shared.execute("SELECT count(*) FROM t").fetchone()

    run_threads(writer)
    assert check.execute("SELECT count(*) FROM t").fetchone() == (THREADS * PER_THREAD,)
    shared.close()
    check.close()


def test_reader_threads_see_committed_rows_while_a_writer_holds_the_lock(db_path):
    writer = make_table(db_path)
    writer.execute("INSERT INTO t(worker, n) VALUES (0, 0)")
    writer.execute("BEGIN IMMEDIATE")
    writer.execute("INSERT INTO t(worker, n) VALUES (0, 1)")
    seen = []

    def reader(_):
        conn = chorusdb.connect(db_path)
        seen.append(conn.execute("SELECT count(*) FROM t").fetchone()[0])
        conn.close()

    run_threads(reader)
    writer.execute("COMMIT")
    assert seen == [1] * THREADS
    writer.close()
