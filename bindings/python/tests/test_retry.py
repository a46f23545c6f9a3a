"""conn.transaction() and the decorators: retry after ConflictError with jittered backoff
(chorusdb/transaction.py rules T1, T2). Conflicts are faked (fn raising ConflictError,
or a native connection whose COMMIT conflicts), so these run in any journal mode."""

import pytest

import chorusdb
from chorusdb import transaction


@pytest.fixture
def no_sleep(monkeypatch):
    """Records the backoff pauses instead of sleeping."""
    pauses = []
    monkeypatch.setattr(transaction.time, "sleep", pauses.append)
    return pauses


def names(conn):
    return [row[0] for row in conn.execute("SELECT name FROM t ORDER BY id")]


def insert(conn, name):
    conn.execute("INSERT INTO t(name) VALUES (?)", (name,))
    return name


def test_transaction_commits_and_returns_the_result(table, no_sleep):
    assert table.transaction(insert, "a", mode="immediate") == "a"
    assert not table.in_transaction
    assert names(table) == ["a"]
    assert no_sleep == []


def test_conflicts_are_retried_and_failed_attempts_rolled_back(table, no_sleep):
    calls = []

    def body(conn):
        calls.append(conn.in_transaction)
        insert(conn, f"try{len(calls)}")
        if len(calls) < 3:
            raise chorusdb.ConflictError("fake conflict")
        return len(calls)

    assert table.transaction(body, mode="immediate") == 3
    assert calls == [True, True, True]
    assert names(table) == ["try3"]
    assert len(no_sleep) == 2


class ConflictingCommit:
    """Wraps a native connection; its first `failures` COMMITs end the transaction and
    report a conflict, as the engine does (the transaction is over afterwards, T2)."""

    def __init__(self, native, failures):
        self._native = native
        self.failures = failures

    def exec(self, sql):
        if sql == "COMMIT" and self.failures > 0:
            self.failures -= 1
            self._native.exec("ROLLBACK")
            raise chorusdb.ConflictError("conflict: fake at commit")
        return self._native.exec(sql)

    def __getattr__(self, name):
        return getattr(self._native, name)


def test_a_conflict_at_commit_is_retried(table, no_sleep, monkeypatch):
    enter = table._enter_transaction_helper
    monkeypatch.setattr(table, "_enter_transaction_helper",
                        lambda: ConflictingCommit(enter(), 2))
    assert table.transaction(insert, "x", mode="immediate") == "x"
    assert names(table) == ["x"]
    assert len(no_sleep) == 2


def test_running_out_of_attempts_raises_the_last_conflict(table, no_sleep):
    calls = []

    def body(conn):
        calls.append(1)
        insert(conn, "never")
        raise chorusdb.ConflictError(f"conflict {len(calls)}")

    with pytest.raises(chorusdb.ConflictError, match="conflict 4"):
        table.transaction(body, mode="immediate", attempts=4)
    assert len(calls) == 4 and len(no_sleep) == 3
    assert not table.in_transaction
    assert names(table) == []


def test_other_exceptions_roll_back_and_propagate_at_once(table, no_sleep):
    calls = []

    def body(conn):
        calls.append(1)
        insert(conn, "gone")
        raise ValueError("application error")

    with pytest.raises(ValueError):
        table.transaction(body, mode="immediate")
    assert len(calls) == 1 and no_sleep == []
    assert not table.in_transaction and names(table) == []


def test_engine_errors_are_not_retried(table, no_sleep):
    def body(conn):
        conn.execute("INSERT INTO missing VALUES (1)")

    with pytest.raises(chorusdb.OperationalError) as info:
        table.transaction(body, mode="immediate")
    assert not isinstance(info.value, chorusdb.ConflictError)
    assert no_sleep == []


def test_busy_snapshot_counts_as_a_conflict(table, no_sleep):
    calls = []

    def body(conn):
        calls.append(1)
        if len(calls) == 1:
            err = chorusdb.OperationalError("database is locked")
            err.chorus_errorcode = chorusdb.CHORUS_BUSY_SNAPSHOT
            raise err
        return "ok"

    assert table.transaction(body, mode="immediate") == "ok"
    assert len(calls) == 2


def test_backoff_doubles_with_jitter_up_to_50_ms():
    for failed in range(1, 12):
        ceiling = min(0.0002 * 2 ** (failed - 1), 0.05)
        for _ in range(50):
            assert ceiling / 2 <= transaction.backoff_delay(failed) <= ceiling


def test_backoff_pauses_follow_the_schedule(table, no_sleep):
    def body(conn):
        raise chorusdb.ConflictError("always")

    with pytest.raises(chorusdb.ConflictError):
        table.transaction(body, mode="immediate", attempts=5)
    for failed, pause in enumerate(no_sleep, 1):
        ceiling = min(0.0002 * 2 ** (failed - 1), 0.05)
        assert ceiling / 2 <= pause <= ceiling


def test_arguments_and_keywords_reach_the_body(table, no_sleep):
    def body(conn, a, b, *, c):
        return (a, b, c)

    assert table.transaction(body, 1, 2, c=3, mode="immediate") == (1, 2, 3)


@pytest.mark.parametrize("mode", ["sometimes", "", None])
def test_unknown_modes_are_refused(table, mode):
    with pytest.raises(ValueError):
        table.transaction(insert, "a", mode=mode)


@pytest.mark.parametrize("attempts", [0, -1, 1.5])
def test_attempts_must_be_positive(table, attempts):
    with pytest.raises(ValueError):
        table.transaction(insert, "a", mode="immediate", attempts=attempts)


def test_transaction_refuses_to_start_inside_an_open_one(table):
    table.execute("INSERT INTO t(name) VALUES ('pending')")
    with pytest.raises(chorusdb.ProgrammingError, match="open transaction"):
        table.transaction(insert, "a", mode="immediate")
    assert table.in_transaction
    table.rollback()


def test_transactions_cannot_nest(table):
    def outer(conn):
        conn.transaction(insert, "inner", mode="immediate")

    with pytest.raises(chorusdb.ProgrammingError, match="nested"):
        table.transaction(outer, mode="immediate")
    assert not table.in_transaction


def test_commit_inside_the_body_is_refused(table):
    def body(conn):
        insert(conn, "a")
        conn.commit()

    with pytest.raises(chorusdb.ProgrammingError, match="commit"):
        table.transaction(body, mode="immediate")
    assert names(table) == []


def test_transactional_decorator_takes_the_connection_first(table, no_sleep):
    failures = [chorusdb.ConflictError("once")]

    @chorusdb.transactional(mode="immediate", attempts=3)
    def add(conn, name):
        insert(conn, name)
        if failures:
            raise failures.pop()
        return name

    assert add(table, "dec") == "dec"
    assert names(table) == ["dec"]
    assert add.__name__ == "add"


def test_bare_transactional_decorator_uses_the_defaults(table, no_sleep, monkeypatch):
    seen = []
    monkeypatch.setattr(transaction, "run",
                        lambda conn, fn, args, kwargs, mode, attempts: seen.append(
                            (mode, attempts)))

    @chorusdb.transactional
    def body(conn):
        pass

    body(table)
    assert seen == [("concurrent", 8)]


def test_connection_bound_decorator_supplies_the_connection(table, no_sleep):
    @table.transaction(mode="immediate")
    def add(conn, name):
        return insert(conn, name)

    assert add("bound") == "bound"
    assert names(table) == ["bound"]


def test_autocommit_false_connections_reopen_their_transaction(db_path, no_sleep):
    conn = chorusdb.connect(db_path, autocommit=False)
    conn.execute("CREATE TABLE t(id INTEGER PRIMARY KEY, name TEXT)")
    assert conn.transaction(insert, "a", mode="immediate") == "a"
    assert conn.in_transaction
    reader = chorusdb.connect(db_path, isolation_level=None)
    assert reader.execute("SELECT name FROM t").fetchall() == [("a",)]
    reader.close()
    conn.close()


def test_transaction_on_a_closed_connection_is_refused(db_path):
    conn = chorusdb.connect(db_path)
    conn.close()
    with pytest.raises(chorusdb.ProgrammingError):
        conn.transaction(insert, "a")
