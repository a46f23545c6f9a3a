"""chorusdb: ChorusDB for Python, a DB-API 2.0 module shaped like sqlite3.

ChorusDB is an embedded SQL database that speaks SQLite's dialect and file format and lets
many connections of one process write at once (PRAGMA journal_mode = 'mvcc' plus BEGIN
CONCURRENT). `import chorusdb as sqlite3` works for ordinary sqlite3 code; on top of it:

    conn = chorusdb.connect("app.db", isolation_level="CONCURRENT")
    conn.transaction(transfer, 1, 2, mode="concurrent")   # retried on ConflictError

The engine is compiled into chorusdb._chorus; the DB-API rules live in dbapi2.py, the
retrying transactions in transaction.py, Row in row.py, iterdump in dump.py and sqlite3's
SQLITE_* names the engine lacks in sqlite_names.py. chorusdb.adapt is the function (as
sqlite3.adapt), not the submodule of that name.
"""

from chorusdb.dbapi2 import *  # noqa: F401,F403 (the DB-API namespace, as sqlite3's)
from chorusdb.dbapi2 import __all__  # noqa: F401

__version__ = version  # noqa: F405 (chorus_version(), from the engine)


def __getattr__(name):
    """sqlite3 (Python 3.11) still answers OptimizedUnicode, a deprecated alias of str."""
    if name == "OptimizedUnicode":
        import warnings
        warnings.warn("OptimizedUnicode is deprecated; it is an alias for 'str'",
                      DeprecationWarning, stacklevel=2)
        return str
    raise AttributeError(f"module 'chorusdb' has no attribute '{name}'")
