"""bindings/python/tests/test_limits.py: Connection.getlimit/setlimit (chorus_limit),
compared with the standard library's sqlite3: the previous value returned, unknown
categories, and the limits the engine enforces failing with sqlite3's exception types and
messages.
"""

import sqlite3

import pytest

import chorusdb

CASES = [
    ("SQLITE_LIMIT_SQL_LENGTH", 30, "SELECT 1", "SELECT 'this text is far too long'"),
    ("SQLITE_LIMIT_VARIABLE_NUMBER", 1, "SELECT ?", "SELECT ?, ?"),
    ("SQLITE_LIMIT_COLUMN", 2, "SELECT 1, 2", "SELECT 1, 2, 3"),
    ("SQLITE_LIMIT_FUNCTION_ARG", 1, "SELECT abs(-1)", "SELECT max(1, 2)"),
    ("SQLITE_LIMIT_EXPR_DEPTH", 4, "SELECT 1 + 1", "SELECT 1+1+1+1+1+1+1"),
    ("SQLITE_LIMIT_LENGTH", 20, "SELECT 'abcd' AS a", "SELECT zeroblob(30) AS a"),
    ("SQLITE_LIMIT_ATTACHED", 0, "SELECT 1", "ATTACH ':memory:' AS a"),
]


def outcome(module, name, value, good, bad):
    cx = module.connect(":memory:")
    try:
        category = getattr(module, name)
        results = [cx.setlimit(category, value), cx.getlimit(category)]
        for sql in (good, bad):
            params = (1,) if sql.count("?") == 1 else (1, 2) if "?" in sql else ()
            try:
                results.append(cx.execute(sql, params).fetchall())
            except Exception as error:  # noqa: BLE001 (the outcome is compared)
                results.append((type(error).__name__, str(error)))
        return results
    finally:
        cx.close()


@pytest.mark.parametrize("name, value, good, bad", CASES)
def test_limit_like_sqlite3(name, value, good, bad):
    ours, theirs = outcome(chorusdb, name, value, good, bad), outcome(sqlite3, name, value,
                                                                        good, bad)
    if name == "SQLITE_LIMIT_VARIABLE_NUMBER":
        # the default is a build setting: 32766 (SQLite's), 250000 in some builds
        assert ours[0] == 32766
        ours, theirs = ours[1:], theirs[1:]
    if name == "SQLITE_LIMIT_LENGTH":
        # sqlite3 reports zeroblob's SQLITE_TOOBIG with an empty message
        assert ours[-1] == ("DataError", "string or blob too big")
        ours[-1], theirs[-1] = ours[-1][0], theirs[-1][0]
    assert ours == theirs


def test_unknown_category_and_closed_connection():
    cx = chorusdb.connect(":memory:")
    for call in (lambda: cx.getlimit(1111), lambda: cx.setlimit(1111, 0)):
        with pytest.raises(chorusdb.ProgrammingError, match="'category' is out of bounds"):
            call()
    assert cx.setlimit(chorusdb.SQLITE_LIMIT_COLUMN, -1) == 2000
    cx.close()
    with pytest.raises(chorusdb.ProgrammingError, match="closed database"):
        cx.getlimit(chorusdb.SQLITE_LIMIT_COLUMN)
