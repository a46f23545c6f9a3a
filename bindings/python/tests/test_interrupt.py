"""Connection.interrupt() from another thread stops the running statement, including a
wait for the write lock; the connection stays usable afterwards."""

import threading

import pytest

import chorusdb


def interrupt_until_done(conn, thread):
    """Interrupts conn until thread ends: a statement that starts after an interrupt is
    not affected by it, so one call could come too early."""
    for _ in range(3000):
        conn.interrupt()
        thread.join(timeout=0.01)
        if not thread.is_alive():
            return
    raise AssertionError("the statement was never interrupted")


def run_in_thread(fn):
    outcome = []

    def body():
        try:
            outcome.append(fn())
        except BaseException as exc:  # inspected by the test
            outcome.append(exc)

    thread = threading.Thread(target=body)
    thread.start()
    return thread, outcome


def test_interrupt_stops_a_wait_for_the_write_lock(db_path):
    holder = chorusdb.connect(db_path, isolation_level=None)
    holder.execute("CREATE TABLE t(x)")
    holder.execute("BEGIN IMMEDIATE")
    waiter = chorusdb.connect(db_path, timeout=60, isolation_level=None,
                              check_same_thread=False)
    thread, outcome = run_in_thread(lambda: waiter.execute("BEGIN IMMEDIATE"))
    interrupt_until_done(waiter, thread)
    assert isinstance(outcome[0], chorusdb.OperationalError)
    assert outcome[0].chorus_errorcode == chorusdb.CHORUS_INTERRUPT
    holder.execute("ROLLBACK")
    assert waiter.execute("SELECT count(*) FROM t").fetchone() == (0,)
    holder.close()
    waiter.close()


def test_interrupt_stops_a_long_query(memory):
    conn = chorusdb.connect(":memory:", check_same_thread=False)
    endless = ("WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c) "
               "SELECT count(*) FROM c")
    try:
        conn.execute("WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c "
                     "WHERE x < 3) SELECT count(*) FROM c").fetchone()
    except chorusdb.OperationalError:
        conn.close()
        pytest.skip("the engine has no recursive common table expressions yet")
    thread, outcome = run_in_thread(lambda: conn.execute(endless).fetchone())
    interrupt_until_done(conn, thread)
    assert isinstance(outcome[0], chorusdb.OperationalError)
    assert "interrupt" in str(outcome[0])
    assert conn.execute("SELECT 1").fetchone() == (1,)
    conn.close()


def test_interrupt_with_nothing_running_is_harmless(memory):
    memory.interrupt()
    assert memory.execute("SELECT 1").fetchone() == (1,)
