"""bindings/python/tests/test_callback_tracebacks.py: chorusdb.enable_callback_tracebacks
(native/functions.c PF5): with it on, an exception in a function, aggregate or window
callback goes to sys.unraisablehook with the registered object, as in sqlite3; the
statement fails with the same OperationalError either way.
"""

import sqlite3
import sys

import pytest

import chorusdb


class Failing:
    def step(self, x):
        raise KeyError("step")

    def finalize(self):
        return 1


def run(module, flag):
    """The errors of two failing statements and what the unraisable hook saw."""
    seen, errors = [], []
    old_hook = sys.unraisablehook
    sys.unraisablehook = lambda u: seen.append((u.exc_type.__name__, u.object.__name__))
    connection = module.connect(":memory:")
    try:
        connection.create_function("f", 0, lambda: 1 / 0)
        connection.create_aggregate("agg", 1, Failing)
        module.enable_callback_tracebacks(flag)
        for sql in ("SELECT f()", "SELECT agg(1)"):
            with pytest.raises(module.OperationalError) as info:
                connection.execute(sql).fetchall()
            errors.append(str(info.value))
    finally:
        module.enable_callback_tracebacks(False)
        sys.unraisablehook = old_hook
        connection.close()
    return errors, seen


@pytest.mark.parametrize("flag", [True, False])
def test_callback_tracebacks_match_sqlite3(flag):
    expected = run(sqlite3, flag)
    assert run(chorusdb, flag) == expected
    assert bool(expected[1]) == flag


def test_enable_callback_tracebacks_is_exported():
    assert "enable_callback_tracebacks" in chorusdb.__all__
