"""chorusdb/row.py: Row, the row_factory that reads columns by index or by name.

conn.row_factory = chorusdb.Row makes every fetched row a Row: row[0], row["name"] (names
compare case-insensitively for ASCII letters only, as SQLite's identifiers do; the first
column of a name wins), row.keys(), len(row), iteration, equality and hashing, as
sqlite3.Row; a Row is a registered collections.abc.Sequence, and Row(cursor, data) needs a
real chorusdb cursor (its type, not a __class__ claim) and a tuple.
The name-to-index map is built once per executed statement by the cursor and shared by its
rows (Cursor._row_index), so a Row holds two references.
Callers: chorusdb/dbapi2.py (Cursor) and users as row_factory.
"""

import collections.abc
import string

from chorusdb import _chorus

_ASCII_LOWER = str.maketrans(string.ascii_uppercase, string.ascii_lowercase)


def _fold(name):
    """name with ASCII letters lower-cased and every other character kept."""
    return name.translate(_ASCII_LOWER)


def name_index(description):
    """{case-folded column name: index} for a cursor description, first name winning."""
    index = {}
    for i, column in enumerate(description or ()):
        index.setdefault(_fold(column[0]), i)
    return index


class Row:
    """A result row readable by index, slice or case-insensitive column name."""

    __slots__ = ("_index", "_keys", "_values")

    def __init__(self, cursor, data):
        if not issubclass(type(cursor), _chorus.Cursor):
            raise TypeError(f"Row() argument 1 must be chorusdb.Cursor, "
                            f"not {type(cursor).__name__}")
        if not isinstance(data, tuple):
            raise TypeError(f"Row() argument 2 must be tuple, not {type(data).__name__}")
        shared = getattr(cursor, "_row_index", None)
        self._index, self._keys = shared() if shared else (
            name_index(cursor.description), [c[0] for c in cursor.description or ()])
        self._values = data

    def keys(self):
        """The column names, in order."""
        return list(self._keys)

    def __getitem__(self, key):
        if isinstance(key, str):
            try:
                return self._values[self._index[_fold(key)]]
            except KeyError:
                raise IndexError("No item with that key") from None
        if isinstance(key, (int, slice)):
            return self._values[key]
        raise IndexError("Index must be int or string")

    def __len__(self):
        return len(self._values)

    def __iter__(self):
        return iter(self._values)

    def __eq__(self, other):
        if not isinstance(other, Row):
            return NotImplemented
        return self._keys == other._keys and self._values == other._values

    def __hash__(self):
        return hash(tuple(self._keys)) ^ hash(self._values)

    def __repr__(self):
        return f"<chorusdb.Row object at {id(self):#x}>"


collections.abc.Sequence.register(Row)
