"""chorusdb/transaction.py: transactions that retry themselves after a write conflict.

conn.transaction(fn, *args, mode="concurrent", attempts=8) runs

    BEGIN <mode>; result = fn(conn, *args); COMMIT; return result

When fn or COMMIT raises ConflictError (a concurrent transaction won a write-write race;
also the BUSY_SNAPSHOT flavour of "database is locked"), the transaction is rolled back
and run again after a jittered pause: between half and all of 0.2 ms doubled per failed
attempt, at most 50 ms, the same schedule chorus_run_transaction() uses. Any other
exception rolls back and propagates at once; so does the last conflict when attempts run
out. fn may therefore run several times and must keep no effects outside the database
between tries.

Rules
  T1  The helper owns the transaction: it refuses to start inside one the application
      opened, and commit()/rollback() inside fn raise ProgrammingError. With
      autocommit=False (a transaction is always open), the helper first commits the open
      implicit transaction and opens a new one when it is done, as commit() would.
  T2  A COMMIT that reports a conflict has already ended the transaction; ROLLBACK is only
      sent while one is open.
The decorator forms are transactional(...) (for functions taking the connection first)
and conn.transaction(mode=...) without fn (bound to that connection).
Callers: chorusdb/dbapi2.py (Connection.transaction) and users.
"""

import functools
import random
import time

from chorusdb._chorus import CHORUS_BUSY_SNAPSHOT, ConflictError, DatabaseError

BEGIN_BY_MODE = {
    "deferred": "BEGIN DEFERRED",
    "immediate": "BEGIN IMMEDIATE",
    "exclusive": "BEGIN EXCLUSIVE",
    "concurrent": "BEGIN CONCURRENT",
}
BACKOFF_FIRST_S = 0.0002
BACKOFF_MAX_S = 0.05
DEFAULT_ATTEMPTS = 8


def backoff_delay(failed_attempts):
    """Seconds to pause after the given number of failed attempts: uniform between half
    and all of 0.2 ms * 2**(failed_attempts - 1), capped at 50 ms."""
    ceiling = min(BACKOFF_FIRST_S * 2 ** (failed_attempts - 1), BACKOFF_MAX_S)
    return random.uniform(ceiling / 2, ceiling)


def is_retryable(exc):
    """True for the failures after which running the whole transaction again can
    succeed."""
    return isinstance(exc, ConflictError) or (
        isinstance(exc, DatabaseError)
        and getattr(exc, "chorus_errorcode", None) == CHORUS_BUSY_SNAPSHOT)


def run(conn, fn, args, kwargs, mode, attempts):
    """Runs fn(conn, *args, **kwargs) as a retried transaction; see the module text."""
    begin = _begin_statement(mode)
    if not isinstance(attempts, int) or attempts < 1:
        raise ValueError(f"attempts must be a positive int, not {attempts!r}")
    if not callable(fn):
        raise TypeError(f"transaction() needs a callable, not {type(fn).__name__}")
    native = conn._enter_transaction_helper()                     # T1
    try:
        for attempt in range(1, attempts + 1):
            native.exec(begin)
            try:
                result = fn(conn, *args, **kwargs)
                native.exec("COMMIT")
                return result
            except BaseException as exc:
                _rollback_quietly(native)                           # T2
                if attempt == attempts or not is_retryable(exc):
                    raise
            time.sleep(backoff_delay(attempt))
    finally:
        conn._leave_transaction_helper()
    raise AssertionError("unreachable: the last attempt returns or raises")


def transactional(fn=None, *, mode="concurrent", attempts=DEFAULT_ATTEMPTS):
    """Decorator: calling the decorated fn(conn, *args) runs
    conn.transaction(fn, *args, mode=mode, attempts=attempts). Usable bare
    (@transactional) or with options (@transactional(mode="immediate"))."""
    _begin_statement(mode)

    def decorate(func):
        @functools.wraps(func)
        def wrapper(conn, *args, **kwargs):
            return run(conn, func, args, kwargs, mode, attempts)
        return wrapper

    return decorate if fn is None else decorate(fn)


def bound_decorator(conn, mode, attempts):
    """The decorator conn.transaction(mode=...) returns: the decorated fn(conn, *args) is
    then called as fn(*args), with conn supplied."""
    _begin_statement(mode)

    def decorate(func):
        @functools.wraps(func)
        def wrapper(*args, **kwargs):
            return run(conn, func, args, kwargs, mode, attempts)
        return wrapper

    return decorate


def _begin_statement(mode):
    try:
        return BEGIN_BY_MODE[mode.lower()]
    except (KeyError, AttributeError):
        raise ValueError(f"mode must be one of {', '.join(BEGIN_BY_MODE)}; "
                         f"not {mode!r}") from None


def _rollback_quietly(native):
    """Rolls back if a transaction is open; a failing ROLLBACK must not hide the
    exception that caused it."""
    if native.closed or not native.in_transaction:
        return
    try:
        native.rollback()
    except DatabaseError:
        pass

