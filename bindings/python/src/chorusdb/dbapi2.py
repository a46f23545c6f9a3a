"""chorusdb/dbapi2.py: the DB-API 2.0 interface, shaped like sqlite3 so that
`import chorusdb as sqlite3` works for ordinary code.

The native layer (chorusdb._chorus) wraps handles and nothing else; every rule lives
here:

Transactions (sqlite3's three modes, chosen by the autocommit attribute)
  LEGACY_TRANSACTION_CONTROL (the default): with isolation_level not None, an INSERT,
    UPDATE, DELETE or REPLACE outside a transaction first runs BEGIN <isolation_level>
    (isolation_level "CONCURRENT" gives BEGIN CONCURRENT); commit()/rollback() end it;
    executescript() commits a pending transaction first. isolation_level None: the
    engine's autocommit, nothing implicit.
  autocommit=True: nothing implicit; commit() and rollback() do nothing.
  autocommit=False: a transaction is always open (BEGIN <isolation_level> at connect and
    after every commit() and rollback()); close() rolls it back.

Statements: a per-connection cache of idle prepared statements keyed by SQL text
(cached_statements, least recently returned evicted first). A cursor takes the statement
out of the cache while it runs it and puts it back when done, so a second cursor (or
thread) executing the same SQL meanwhile prepares its own.

Cursors step one row ahead: execute() runs the statement to its first row (so errors
surface there, and DML runs to completion); each fetch reads the current row and steps to
the next. A finished statement is reset at once, ending its read.

Threads: with check_same_thread (the default) a connection and its cursors may only be
used by the thread that made it; interrupt() is allowed from any thread. The engine work
itself runs without the GIL, so threads with a connection each work in parallel.
Callers: chorusdb/__init__.py re-exports everything public.
"""

import collections
import collections.abc
import datetime
import os
import threading
import time
import urllib.parse

from chorusdb import _chorus, adapt, sqltext, transaction
from chorusdb._chorus import (ConflictError, DatabaseError, DataError, Error, IntegrityError,
                              InterfaceError, InternalError, NotSupportedError,
                              OperationalError, ProgrammingError, Warning)
from chorusdb.adapt import (PARSE_COLNAMES, PARSE_DECLTYPES, PrepareProtocol, adapters,
                            converters, register_adapter, register_converter)
from chorusdb.dump import iterdump as _iterdump
from chorusdb.row import Row, name_index

apilevel = "2.0"
threadsafety = 1
paramstyle = "qmark"

chorus_version = _chorus.version()
chorus_version_info = tuple(int(part) for part in chorus_version.split("."))
version = chorus_version
version_info = chorus_version_info

LEGACY_TRANSACTION_CONTROL = -1

Binary = memoryview
Date = datetime.date
Time = datetime.time
Timestamp = datetime.datetime


def DateFromTicks(ticks):
    return Date(*time.localtime(ticks)[:3])


def TimeFromTicks(ticks):
    return Time(*time.localtime(ticks)[3:6])


def TimestampFromTicks(ticks):
    return Timestamp(*time.localtime(ticks)[:6])


complete_statement = sqltext.complete_statement
_ISOLATION_LEVELS = ("", "DEFERRED", "IMMEDIATE", "EXCLUSIVE", "CONCURRENT")


def connect(database, timeout=5.0, detect_types=0, isolation_level="DEFERRED",
            check_same_thread=True, factory=None, cached_statements=128, uri=False, *,
            autocommit=LEGACY_TRANSACTION_CONTROL):
    """Opens a connection to the ChorusDB database file database (":memory:" for a
    private in-memory one). factory: a Connection subclass to make instead."""
    return (factory or Connection)(
        database, timeout=timeout, detect_types=detect_types, isolation_level=isolation_level,
        check_same_thread=check_same_thread, cached_statements=cached_statements, uri=uri,
        autocommit=autocommit)


def _open_arguments(database, uri):
    """(path, CHORUS_OPEN_* flags) for connect()'s database and uri arguments."""
    if not isinstance(database, (str, bytes, os.PathLike)):
        raise TypeError(f"database must be str, bytes or os.PathLike, "
                        f"not {type(database).__name__}")
    path = os.fsdecode(database)
    if not uri or not path.startswith("file:"):
        return path, 0
    parts = urllib.parse.urlsplit(path)
    if parts.netloc not in ("", "localhost"):
        raise OperationalError(f"invalid uri authority: {parts.netloc}")
    name = urllib.parse.unquote(parts.path)
    modes = {"ro": _chorus.CHORUS_OPEN_READONLY,
             "rw": _chorus.CHORUS_OPEN_READWRITE,
             "rwc": _chorus.CHORUS_OPEN_READWRITE | _chorus.CHORUS_OPEN_CREATE,
             "memory": _chorus.CHORUS_OPEN_MEMORY}
    flags = 0
    for key, value in urllib.parse.parse_qsl(parts.query, keep_blank_values=True):
        if key == "mode":
            if value not in modes:
                raise OperationalError(f"no such access mode: {value}")
            flags = modes[value]
    if flags == _chorus.CHORUS_OPEN_MEMORY or name == ":memory:":
        return ":memory:", _chorus.CHORUS_OPEN_MEMORY
    return name, flags


def _autocommit_value(value):
    """value checked as an autocommit setting: True, False or the one
    LEGACY_TRANSACTION_CONTROL object (so that `is` compares settings)."""
    if isinstance(value, bool):
        return value
    if type(value) is int and value == LEGACY_TRANSACTION_CONTROL:
        return LEGACY_TRANSACTION_CONTROL
    raise ValueError("autocommit must be True, False, or chorusdb.LEGACY_TRANSACTION_CONTROL")


def _begin_statement(isolation_level):
    """The BEGIN that isolation_level asks for; None for None (autocommit)."""
    if isolation_level is None:
        return None
    if not isinstance(isolation_level, str):
        raise TypeError("isolation_level must be str or None, "
                        f"not {type(isolation_level).__name__}")
    if isolation_level.upper() not in _ISOLATION_LEVELS:
        raise ValueError("isolation_level string must be '', 'DEFERRED', 'IMMEDIATE', "
                         "'EXCLUSIVE' or 'CONCURRENT'")
    return f"BEGIN {isolation_level.upper()}".rstrip()


class _Statement:
    """A prepared statement with what the cursor needs to know about it, computed once."""

    __slots__ = ("native", "sql", "is_dml", "parameter_names", "column_names",
                 "_descriptions")

    def __init__(self, native, sql):
        self.native = native                # None for SQL holding only comments
        self.sql = sql
        self.is_dml = sqltext.is_dml(sql)
        self.parameter_names = native.parameter_names if native else ()
        self.column_names = native.column_names if native else ()
        self._descriptions = {}             # detect_types -> (description, converters)

    def description(self, detect_types):
        """(description or None, [(column, converter)]) under detect_types."""
        cached = self._descriptions.get(detect_types)
        if cached is None:
            names = self.column_names
            decltypes = self.native.column_decltypes if detect_types and names else ()
            description = tuple(
                (adapt.column_display_name(name, detect_types), None, None, None, None,
                 None, None) for name in names) or None
            found = [(i, adapt.converter_for(name, decltypes[i], detect_types))
                     for i, name in enumerate(names)] if detect_types else []
            cached = (description, [(i, c) for i, c in found if c is not None])
            self._descriptions[detect_types] = cached
        return cached


class Connection:
    """A connection to a ChorusDB database; made by connect()."""

    Warning = Warning
    Error = Error
    InterfaceError = InterfaceError
    DatabaseError = DatabaseError
    DataError = DataError
    OperationalError = OperationalError
    IntegrityError = IntegrityError
    InternalError = InternalError
    ProgrammingError = ProgrammingError
    NotSupportedError = NotSupportedError
    ConflictError = ConflictError

    def __init__(self, database, timeout=5.0, detect_types=0, isolation_level="DEFERRED",
                 check_same_thread=True, factory=None, cached_statements=128, uri=False, *,
                 autocommit=LEGACY_TRANSACTION_CONTROL):
        # factory is accepted, and ignored, so that sqlite3's positional order holds.
        autocommit = _autocommit_value(autocommit)
        begin = _begin_statement(isolation_level)
        path, flags = _open_arguments(database, uri)
        self._native = _chorus.Connection(path, flags)
        self._native.busy_timeout(int(max(0.0, float(timeout)) * 1000))
        self._thread_ident = threading.get_ident()
        self._check_same_thread = bool(check_same_thread)
        self._isolation_level = isolation_level
        self._begin = begin
        self._autocommit = autocommit
        self._cache = collections.OrderedDict()
        self._cache_size = int(cached_statements)
        self._in_transaction_helper = False
        self.detect_types = int(detect_types)
        self.row_factory = None
        self.text_factory = str
        if autocommit is False:
            self._native.exec(self._begin or "BEGIN")

    # -- checks

    def _check(self):
        """Raises ProgrammingError for a closed connection or a foreign thread."""
        if self._native.closed:
            raise ProgrammingError("Cannot operate on a closed database.")
        self._check_thread()

    def _check_thread(self):
        if self._check_same_thread and threading.get_ident() != self._thread_ident:
            raise ProgrammingError(
                "ChorusDB objects created in a thread can only be used in that same "
                f"thread. The object was created in thread id {self._thread_ident} and "
                f"this is thread id {threading.get_ident()}.")

    # -- statements

    def _statement(self, sql):
        """A _Statement for sql that the caller has to itself until it hands it back
        with _recycle(): taken out of the cache, or prepared."""
        statement = self._cache.pop(sql, None)   # one atomic step: threads never share
        return statement if statement is not None else self._prepare(sql)

    def _recycle(self, statement):
        """Takes back a statement from _statement(): reset, and cached while the cache
        has room for it."""
        if statement.native is None or self._native.closed:
            return
        statement.native.reset()
        if self._cache_size <= 0 or self._cache.setdefault(statement.sql, statement) \
                is not statement:
            statement.native.finalize()
            return
        if len(self._cache) > self._cache_size:
            self._cache.popitem(last=False)[1].native.finalize()

    def _prepare(self, sql):
        native, tail = self._native.prepare(sql)
        if not sqltext.is_blank(tail):
            if native is not None:
                native.finalize()
            raise ProgrammingError("You can only execute one statement at a time.")
        return _Statement(native, sql)

    def _begin_implicit(self, statement):
        """Legacy transaction control: BEGIN before DML outside a transaction."""
        if (statement.is_dml and self._autocommit is LEGACY_TRANSACTION_CONTROL
                and self._begin is not None
                and not self._native.in_transaction):
            self._native.exec(self._begin)

    # -- the DB-API surface

    def cursor(self, factory=None):
        """A new cursor on this connection (factory: a Cursor subclass)."""
        self._check()
        cursor = (factory or Cursor)(self)
        if not isinstance(cursor, Cursor):
            raise TypeError("factory must return a chorusdb.Cursor")
        return cursor

    def execute(self, sql, parameters=()):
        """cursor().execute(sql, parameters); returns the cursor."""
        return self.cursor().execute(sql, parameters)

    def executemany(self, sql, parameters):
        """cursor().executemany(sql, parameters); returns the cursor."""
        return self.cursor().executemany(sql, parameters)

    def executescript(self, script):
        """cursor().executescript(script); returns the cursor."""
        return self.cursor().executescript(script)

    def commit(self):
        """Commits the open transaction, if any (nothing with autocommit=True)."""
        self._end_transaction("COMMIT")

    def rollback(self):
        """Rolls back the open transaction, if any (nothing with autocommit=True)."""
        self._end_transaction("ROLLBACK")

    def _end_transaction(self, verb):
        self._check()
        if self._in_transaction_helper:
            raise ProgrammingError(f"{verb.lower()}() inside conn.transaction(): the "
                                   "helper ends the transaction itself")
        if self._autocommit is True:
            return
        if self._native.in_transaction:
            self._native.exec(verb)
        if self._autocommit is False:
            self._native.exec(self._begin or "BEGIN")

    def close(self):
        """Closes the connection (with autocommit=False, rolling back first); later
        calls raise ProgrammingError. Closing twice is harmless."""
        if self._native.closed:
            return
        self._check_thread()
        try:
            if self._autocommit is False and self._native.in_transaction:
                self._native.exec("ROLLBACK")
        finally:
            self._cache.clear()
            self._native.close()

    def interrupt(self):
        """Makes the statement running on this connection (in any thread) fail with
        OperationalError('interrupted')."""
        self._native.interrupt()

    def iterdump(self):
        """Yields SQL text that recreates the database (see chorusdb/dump.py)."""
        self._check()
        return _iterdump(self._native)

    def transaction(self, fn=None, *args, mode="concurrent",
                    attempts=transaction.DEFAULT_ATTEMPTS, **kwargs):
        """Runs fn(self, *args, **kwargs) inside BEGIN <mode> ... COMMIT and returns its
        result, retrying the whole transaction after a ConflictError (see
        chorusdb/transaction.py). Without fn: a decorator doing the same for the
        decorated function, which is then called without the connection."""
        self._check()
        if fn is None:
            return transaction.bound_decorator(self, mode, attempts)
        return transaction.run(self, fn, args, kwargs, mode, attempts)

    def _enter_transaction_helper(self):
        """Rule T1 of chorusdb/transaction.py; returns the native connection."""
        self._check()
        if self._in_transaction_helper:
            raise ProgrammingError("conn.transaction() calls cannot be nested")
        if self._native.in_transaction:
            if self._autocommit is not False:
                raise ProgrammingError("conn.transaction() cannot start inside an open "
                                       "transaction; commit or roll it back first")
            self._native.exec("COMMIT")
        self._in_transaction_helper = True
        return self._native

    def _leave_transaction_helper(self):
        self._in_transaction_helper = False
        if self._autocommit is False and not self._native.closed \
                and not self._native.in_transaction:
            self._native.exec(self._begin or "BEGIN")

    def __enter__(self):
        return self

    def __exit__(self, exc_type, exc_value, traceback):
        """Commits when the block succeeded, rolls back when it raised."""
        if exc_type is None:
            try:
                self.commit()
            except BaseException:
                self.rollback()
                raise
        else:
            self.rollback()
        return False

    @property
    def isolation_level(self):
        """The BEGIN flavour of implicit transactions ('DEFERRED', 'IMMEDIATE',
        'EXCLUSIVE', 'CONCURRENT' or ''), or None for no implicit transactions.
        Setting None commits a pending transaction (legacy mode)."""
        return self._isolation_level

    @isolation_level.setter
    def isolation_level(self, value):
        self._check()
        begin = _begin_statement(value)
        if value is None and self._autocommit is LEGACY_TRANSACTION_CONTROL \
                and self._native.in_transaction:
            self._native.exec("COMMIT")
        self._isolation_level = value
        self._begin = begin

    @property
    def autocommit(self):
        """True, False or LEGACY_TRANSACTION_CONTROL (sqlite3 3.12 semantics)."""
        return self._autocommit

    @autocommit.setter
    def autocommit(self, value):
        self._check()
        value = _autocommit_value(value)
        if value is True and self._native.in_transaction:
            self._native.exec("COMMIT")
        elif value is False and not self._native.in_transaction:
            self._native.exec(self._begin or "BEGIN")
        self._autocommit = value

    @property
    def in_transaction(self):
        """True while a transaction is open."""
        self._check()
        return self._native.in_transaction

    @property
    def total_changes(self):
        """Rows inserted, updated or deleted since the connection opened."""
        self._check()
        return self._native.total_changes

    def _unsupported(self, *args, **kwargs):
        raise NotSupportedError("not supported by ChorusDB yet")

    create_function = create_aggregate = create_window_function = _unsupported
    create_collation = set_authorizer = set_progress_handler = _unsupported
    set_trace_callback = enable_load_extension = load_extension = _unsupported
    backup = blobopen = serialize = deserialize = getlimit = setlimit = _unsupported


class Cursor:
    """Runs statements and fetches their rows; made by Connection.cursor()."""

    def __init__(self, connection):
        if not isinstance(connection, Connection):
            raise TypeError("Cursor() needs a chorusdb.Connection")
        self.connection = connection
        self.arraysize = 1
        self.row_factory = connection.row_factory
        self.description = None
        self.rowcount = -1
        self.lastrowid = None
        self._closed = False
        self._statement = None          # the _Statement with a current row, if any
        self._converters = []
        self._index = None              # Row's name map for description

    def _check(self):
        if self._closed:
            raise ProgrammingError("Cannot operate on a closed cursor.")
        self.connection._check()

    def _release(self):
        """Lets go of the statement being read: reset it and hand it back."""
        statement, self._statement = self._statement, None
        if statement is not None:
            self.connection._recycle(statement)

    def _bind(self, statement, parameters):
        names = statement.parameter_names
        if isinstance(parameters, collections.abc.Mapping):
            values = []
            for position, name in enumerate(names, 1):
                if name is None or name[0] == "?":
                    raise ProgrammingError(
                        f"Binding {position} has no name, but you supplied a dictionary "
                        "(which has only names).")
                try:
                    values.append(parameters[name[1:]])
                except KeyError:
                    raise ProgrammingError("You did not supply a value for binding "
                                           f"parameter {name}.") from None
        else:
            try:
                supplied = len(parameters)
            except TypeError:
                raise ProgrammingError("parameters are of unsupported type") from None
            if supplied != len(names):
                raise ProgrammingError(
                    "Incorrect number of bindings supplied. The current statement uses "
                    f"{len(names)}, and there are {supplied} supplied.")
            values = parameters if type(parameters) in (tuple, list) else \
                [parameters[i] for i in range(supplied)]
        if names:
            statement.native.bind(adapt.adapt_parameters(values))

    def _start(self, sql):
        """Common start of the execute methods: checks, and the statement for sql."""
        self._check()
        if not isinstance(sql, str):
            raise TypeError(f"sql must be str, not {type(sql).__name__}")
        self._release()
        self.description = None
        self.rowcount = -1
        return self.connection._statement(sql)

    def execute(self, sql, parameters=()):
        """Runs one statement with parameters (a sequence for ?, a mapping for :name);
        returns the cursor, ready to fetch."""
        connection = self.connection
        statement = self._start(sql)
        if statement.native is None:
            return self
        self._statement = statement
        try:
            self._bind(statement, parameters)
            connection._begin_implicit(statement)
        except BaseException:
            self._release()
            raise
        self.description, self._converters = statement.description(connection.detect_types)
        self._index = None
        self.rowcount = 0 if statement.is_dml else -1
        self._advance()
        self.lastrowid = connection._native.last_insert_rowid
        return self

    def _advance(self):
        """Steps the current statement; releases it when done (counting its changes)."""
        statement = self._statement
        try:
            has_row = statement.native.step()
        except BaseException:
            self._release()
            raise
        if not has_row:
            if statement.is_dml:
                self.rowcount += self.connection._native.changes
            self._release()

    def executemany(self, sql, seq_of_parameters):
        """Runs one DML statement once per item of seq_of_parameters; rowcount sums the
        changes."""
        connection = self.connection
        statement = self._start(sql)
        if statement.native is None:
            return self
        if statement.native.readonly:
            connection._recycle(statement)
            raise ProgrammingError("executemany() can only execute DML statements.")
        self.rowcount = 0 if statement.is_dml else -1
        try:
            for parameters in seq_of_parameters:
                self._bind(statement, parameters)
                connection._begin_implicit(statement)
                if statement.native.step():
                    raise ProgrammingError("executemany() can only execute DML statements.")
                if statement.is_dml:
                    self.rowcount += connection._native.changes
                statement.native.reset()
        finally:
            connection._recycle(statement)
        return self

    def executescript(self, sql_script):
        """Runs every statement of sql_script (committing a pending transaction first in
        legacy mode); returns the cursor."""
        self._check()
        if not isinstance(sql_script, str):
            raise TypeError(f"script must be str, not {type(sql_script).__name__}")
        self._release()
        self.description = None
        self.rowcount = -1
        connection = self.connection
        if connection._autocommit is LEGACY_TRANSACTION_CONTROL and \
                connection._native.in_transaction:
            connection._native.exec("COMMIT")
        connection._native.exec(sql_script)
        return self

    def fetchone(self):
        """The next row, or None when there are no more."""
        connection = self.connection
        if self._closed or connection._native.closed or (
                connection._check_same_thread
                and threading.get_ident() != connection._thread_ident):
            self._check()   # raises the right error; inlined above as the hot path
        statement = self._statement
        if statement is None:
            return None
        values = statement.native.row(connection.text_factory)
        self._advance()
        if self._converters or self.row_factory is not None:
            return self._make_row(values)
        return values

    def _make_row(self, values):
        if self._converters:
            values = list(values)
            for column, converter in self._converters:
                if values[column] is not None:
                    values[column] = converter(adapt.as_bytes(values[column]))
            values = tuple(values)
        if self.row_factory is not None:
            return self.row_factory(self, values)
        return values

    def _row_index(self):
        """(name map, keys) shared by the Rows of the current result (see row.py)."""
        if self._index is None:
            self._index = (name_index(self.description),
                           [column[0] for column in self.description or ()])
        return self._index

    def fetchmany(self, size=None):
        """Up to size rows (default: arraysize) as a list."""
        size = self.arraysize if size is None else size
        rows = []
        while len(rows) < size:
            row = self.fetchone()
            if row is None:
                break
            rows.append(row)
        return rows

    def fetchall(self):
        """Every remaining row as a list."""
        rows = []
        row = self.fetchone()
        while row is not None:
            rows.append(row)
            row = self.fetchone()
        return rows

    def __iter__(self):
        return self

    def __next__(self):
        row = self.fetchone()
        if row is None:
            raise StopIteration
        return row

    def close(self):
        """Closes the cursor; later calls raise ProgrammingError. Harmless twice."""
        if not self._closed:
            self._release()
            self._closed = True

    def __del__(self):
        if getattr(self, "_statement", None) is not None:
            try:
                self._release()
            except Exception:   # a finalizer must not raise; the statement is freed anyway
                pass

    def setinputsizes(self, sizes):
        """Does nothing (DB-API)."""

    def setoutputsize(self, size, column=None):
        """Does nothing (DB-API)."""


__all__ = [
    "apilevel", "threadsafety", "paramstyle", "version", "version_info", "chorus_version",
    "chorus_version_info", "LEGACY_TRANSACTION_CONTROL", "PARSE_DECLTYPES", "PARSE_COLNAMES",
    "connect", "Connection", "Cursor", "Row", "PrepareProtocol", "adapters", "converters",
    "register_adapter", "register_converter", "complete_statement", "Binary", "Date",
    "Time", "Timestamp", "DateFromTicks", "TimeFromTicks", "TimestampFromTicks", "Warning",
    "Error", "InterfaceError", "DatabaseError", "DataError", "OperationalError",
    "IntegrityError", "InternalError", "ProgrammingError", "NotSupportedError",
    "ConflictError", "transactional",
] + [name for name in dir(_chorus) if name.startswith(("CHORUS_", "SQLITE_"))]

transactional = transaction.transactional
globals().update({name: getattr(_chorus, name) for name in dir(_chorus)
                  if name.startswith(("CHORUS_", "SQLITE_"))})
