"""chorusdb/dump.py: Connection.iterdump(), the database as SQL text, as sqlite3 writes it.

Yields "BEGIN TRANSACTION;", then per table (by name) its CREATE statement and one INSERT
per row, then the CREATE statements of indexes, triggers and views, then "COMMIT;".
sqlite_sequence is dumped as DELETE plus INSERTs after the tables; other sqlite_* tables
are skipped. Values are quoted here (so the dump does not depend on quote()): integers
as they are, reals exactly (repr), text in single quotes, blobs as X'..', NULL.
The reads use native statements directly, so neither row_factory, text_factory nor the
implicit-transaction rules of the connection affect the dump.
Callers: chorusdb/dbapi2.py (Connection.iterdump).
"""

import math

_TABLES = ("SELECT name, sql FROM sqlite_master "
           "WHERE sql NOT NULL AND type == 'table' ORDER BY name")
_OTHERS = ("SELECT sql FROM sqlite_master "
           "WHERE sql NOT NULL AND type IN ('index', 'trigger', 'view')")


def iterdump(native):
    """Yields the SQL text lines that rebuild the database of native (a
    chorusdb._chorus.Connection)."""
    yield "BEGIN TRANSACTION;"
    sequences = []
    for name, sql in _rows(native, _TABLES):
        if name == "sqlite_sequence":
            sequences = ['DELETE FROM "sqlite_sequence";']
            sequences += _inserts(native, name)
            continue
        if name.startswith("sqlite_"):
            continue
        yield f"{sql};"
        yield from _inserts(native, name)
    for (sql,) in _rows(native, _OTHERS):
        yield f"{sql};"
    yield from sequences
    yield "COMMIT;"


def quote(value):
    """value as an SQL literal."""
    if value is None:
        return "NULL"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if math.isnan(value):
            return "NULL"
        if math.isinf(value):
            return "9.0e+999" if value > 0 else "-9.0e+999"
        return repr(value)
    if isinstance(value, str):
        return "'" + value.replace("'", "''") + "'"
    return "X'" + bytes(value).hex().upper() + "'"


def _inserts(native, table):
    name = table.replace('"', '""')
    for row in _rows(native, f'SELECT * FROM "{name}"'):
        yield f'INSERT INTO "{name}" VALUES({",".join(map(quote, row))});'


def _rows(native, sql):
    """The rows of sql, read to the end before the first is returned (so the caller
    may run other statements between them)."""
    statement, _ = native.prepare(sql)
    rows = []
    try:
        while statement.step():
            rows.append(statement.row(str))
    finally:
        statement.finalize()
    return rows
