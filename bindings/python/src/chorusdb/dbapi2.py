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
(cached_statements, least recently returned evicted first; native/connection.c). A cursor
takes the statement out of the cache while it runs it and puts it back when done, so a
second cursor (or thread) executing the same SQL meanwhile prepares its own.

Cursors step one row ahead: execute() runs the statement to its first row (so errors
surface there, and DML runs to completion); each fetch reads the current row and steps to
the next. A finished statement is reset at once, ending its read. The hot path (binding,
the step loop, building rows, the statement cache) is C: Cursor extends _chorus.Cursor
(native/cursor.c rules C1-C4), which calls back into this module only for what is not on
it: _prepare (a statement not in the cache), _describe (detect_types), _make_row
(converters, row_factory).

COMMIT with cursors still reading: the engine commits at once and the cursors go on
(as in sqlite3). ROLLBACK with cursors still reading: the engine cannot roll back under
them yet, so rollback() first resets them (as sqlite3 did before Python 3.11); their next
fetch raises InterfaceError.

Checks, as sqlite3 makes them: a Connection whose __init__ never ran (a subclass that
skipped it, or a re-__init__ whose open failed) raises ProgrammingError("Base
Connection.__init__ not called."); methods the engine cannot serve yet (extensions)
check the connection and thread first and then raise NotSupportedError. blobopen returns
a Blob (chorusdb/blob.py); set_authorizer, getlimit and setlimit are the engine's
(native/hooks.c, chorus_limit). isolation_level is stored upper-cased, "" by default, and the
implicit BEGIN is "BEGIN " + isolation_level.

Module namespace: sqlite3's, including sqlite_version (the engine's sqlite_version()),
every SQLITE_* constant (sqlite_names.py), adapt, enable_shared_cache and Blob.

Threads: with check_same_thread (the default) a connection and its cursors may only be
used by the thread that made it; interrupt() is allowed from any thread. The engine work
itself runs without the GIL, so threads with a connection each work in parallel.
Callers: chorusdb/__init__.py re-exports everything public.
"""

import datetime
import operator
import os
import threading
import time
import urllib.parse
import warnings

from chorusdb import _chorus, sqltext, transaction
from chorusdb import adapt as _adaptation     # the package's `adapt` is the function
from chorusdb._chorus import (ConflictError, DatabaseError, DataError, Error, IntegrityError,
                              InterfaceError, InternalError, NotSupportedError,
                              OperationalError, ProgrammingError, Warning)
from chorusdb.blob import Blob
from chorusdb.adapt import (PARSE_COLNAMES, PARSE_DECLTYPES, PrepareProtocol, adapt, adapters,
                            converters, register_adapter, register_converter)
from chorusdb.dump import iterdump as _iterdump
from chorusdb.row import Row, name_index
from chorusdb.sqlite_names import SQLITE_NAMES

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


def enable_shared_cache(enable):
    """Deprecated in sqlite3 and a no-op here: connections to one path already share one
    database object inside the engine. Warns DeprecationWarning, as sqlite3 does."""
    warnings.warn("enable_shared_cache is deprecated", DeprecationWarning, stacklevel=2)


def _no_instances(cls, *args, **kwargs):
    """__new__ of the types only chorusdb makes (sqlite3's disallowed instantiation)."""
    raise TypeError(f"cannot create '{cls.__module__}.{cls.__name__}' instances")


class Statement:
    """What calling a connection returns (sqlite3's Connection.__call__(sql)): sql
    prepared, held and otherwise opaque; it cannot be created directly."""

    __slots__ = ("_native",)
    __new__ = _no_instances


def enable_callback_tracebacks(flag, /):
    """As sqlite3's: while flag is true, an exception raised in a user-defined function,
    aggregate or window function goes to sys.unraisablehook (the statement still fails
    with OperationalError); while false (the default) it is dropped."""
    _chorus.set_callback_tracebacks(flag)
_ISOLATION_LEVELS = ("", "DEFERRED", "IMMEDIATE", "EXCLUSIVE", "CONCURRENT")


def connect(database, timeout=5.0, detect_types=0, isolation_level="",
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
    name = os.fsdecode(urllib.parse.unquote_to_bytes(parts.path))   # bytes, as the OS has them
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


class _TypeObject(frozenset):
    """A DB-API type object: compares equal to the type codes it stands for. ChorusDB, like
    SQLite, types values and not columns, so description's type_code is None (as in
    sqlite3) and every type object equals None: a column may hold any type."""

    def __eq__(self, other):
        return other is None or other in self

    def __ne__(self, other):
        return not self.__eq__(other)

    __hash__ = frozenset.__hash__


STRING = _TypeObject({"TEXT"})
BINARY = _TypeObject({"BLOB"})
NUMBER = _TypeObject({"INTEGER", "REAL", "NUMERIC"})
DATETIME = _TypeObject({"DATE", "DATETIME", "TIMESTAMP"})
ROWID = _TypeObject({"ROWID"})


def _isolation_level_value(isolation_level):
    """isolation_level checked and made canonical (upper case, a plain str), as sqlite3
    stores it: None stays None (autocommit)."""
    if isolation_level is None:
        return None
    if not isinstance(isolation_level, str):
        raise TypeError("isolation_level must be str or None, "
                        f"not {type(isolation_level).__name__}")
    level = str.upper(isolation_level)     # not a subclass's upper(), as sqlite3
    if level not in _ISOLATION_LEVELS:
        raise ValueError("isolation_level string must be '', 'DEFERRED', 'IMMEDIATE', "
                         "or 'EXCLUSIVE' (or ChorusDB's 'CONCURRENT')")
    return level


def _begin_statement(isolation_level):
    """The BEGIN that a canonical isolation_level asks for ("BEGIN " for "", as sqlite3
    traces it); None for None (autocommit)."""
    return None if isolation_level is None else f"BEGIN {isolation_level}"


_CURSOR_CLASS = object()    # Connection.cursor()'s default factory: chorusdb.Cursor


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

    def __init__(self, database, timeout=5.0, detect_types=0, isolation_level="",
                 check_same_thread=True, factory=None, cached_statements=128, uri=False, *,
                 autocommit=LEGACY_TRANSACTION_CONTROL):
        # factory is accepted, and ignored, so that sqlite3's positional order holds.
        # Calling __init__ again leaves the open connection; if the new open fails, the
        # object is left uninitialised, as in sqlite3.
        autocommit = _autocommit_value(autocommit)
        isolation_level = _isolation_level_value(isolation_level)
        begin = _begin_statement(isolation_level)
        path, flags = _open_arguments(database, uri)
        # The previous native connection closes now, or, while cursors still read from
        # it, when they and it are collected: they read on (sqlite3's sqlite3_close_v2).
        previous, self._native = self._native, None
        if previous is not None and not previous.lending:
            previous.close()
        self._native = _chorus.Connection(path, flags, int(cached_statements),
                                          bool(check_same_thread))
        self._native.busy_timeout(int(max(0.0, float(timeout)) * 1000))
        self._thread_ident = threading.get_ident()
        self._check_same_thread = bool(check_same_thread)
        self._isolation_level = isolation_level
        self._begin = begin
        self._autocommit = autocommit
        self._implicit_begin = None
        self._update_implicit_begin()
        self._in_transaction_helper = False
        self.detect_types = int(detect_types)
        self.row_factory = None
        self.text_factory = str
        if autocommit is False:
            self._native.exec(self._begin or "BEGIN")

    _native = None          # until __init__ has opened the connection

    # -- checks

    def _check_initialised(self):
        """Raises ProgrammingError for a connection never opened (a subclass whose
        __init__ did not call Connection.__init__, or a failed re-__init__)."""
        if self._native is None:
            raise ProgrammingError("Base Connection.__init__ not called.")

    def _check_open(self):
        """_check_initialised, and ProgrammingError for a closed connection."""
        self._check_initialised()
        if self._native.closed:
            raise ProgrammingError("Cannot operate on a closed database.")

    def _check(self):
        """_check_open, and ProgrammingError from a foreign thread."""
        self._check_open()
        self._check_thread()

    def _check_thread(self):
        if self._check_same_thread and threading.get_ident() != self._thread_ident:
            raise ProgrammingError(
                "ChorusDB objects created in a thread can only be used in that same "
                f"thread. The object was created in thread id {self._thread_ident} and "
                f"this is thread id {threading.get_ident()}.")

    # -- statements (called by native/cursor.c, rule C4)

    def _prepare(self, sql):
        """A new native statement for sql (None for SQL without one)."""
        native, tail = self._native.prepare(sql)
        if not sqltext.is_blank(tail):
            if native is not None:
                native.finalize()
            raise ProgrammingError("You can only execute one statement at a time.")
        if native is not None:
            native.is_dml = sqltext.is_dml(sql)
        return native

    def _describe(self, native, detect_types):
        """(description, converters or None) of native's result under detect_types,
        computed once per statement."""
        cached = native.descriptions.get(detect_types)
        if cached is None:
            names = native.column_names
            decltypes = native.column_decltypes if names else ()
            description = tuple(
                (_adaptation.column_display_name(name, detect_types), None, None, None, None,
                 None, None) for name in names) or None
            found = [(i, _adaptation.converter_for(name, decltypes[i], detect_types))
                     for i, name in enumerate(names)]
            cached = (description, [(i, c) for i, c in found if c is not None] or None)
            native.descriptions[detect_types] = cached
        return cached

    def _update_implicit_begin(self):
        """Rule C2 of native/cursor.c: the BEGIN the cursor runs before DML outside a
        transaction (legacy transaction control), or None."""
        self._implicit_begin = self._begin if \
            self._autocommit is LEGACY_TRANSACTION_CONTROL else None

    # -- the DB-API surface

    def cursor(self, factory=_CURSOR_CLASS):
        """A new cursor on this connection (factory: a callable taking the connection and
        returning a chorusdb.Cursor, by its type and not a __class__ claim)."""
        self._check()
        if factory is _CURSOR_CLASS:
            return Cursor(self)
        cursor = factory(self)
        if not issubclass(type(cursor), Cursor):
            raise TypeError("factory must return a chorusdb.Cursor")
        return cursor

    def __call__(self, *args):
        """sql prepared (one statement) into an opaque Statement, as sqlite3's: checks
        the connection before its argument."""
        self._check()
        if len(args) != 1 or not isinstance(args[0], str):
            raise TypeError("Connection() takes one str argument, the SQL")
        statement = object.__new__(Statement)
        statement._native = self._prepare(args[0])
        return statement

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
            if verb == "ROLLBACK":
                self._native.rollback()     # resets cursors still reading first
            else:
                self._native.exec(verb)
        if self._autocommit is False:
            self._native.exec(self._begin or "BEGIN")

    def close(self):
        """Closes the connection (with autocommit=False, rolling back first); later
        calls raise ProgrammingError. Closing twice is harmless."""
        self._check_initialised()
        if self._native.closed:
            return
        self._check_thread()
        try:
            if self._autocommit is False and self._native.in_transaction:
                self._native.rollback()
        finally:
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
        self._check_open()
        return self._isolation_level

    @isolation_level.setter
    def isolation_level(self, value):
        self._check()
        value = _isolation_level_value(value)
        begin = _begin_statement(value)
        if value is None and self._autocommit is LEGACY_TRANSACTION_CONTROL \
                and self._native.in_transaction:
            self._native.exec("COMMIT")
        self._isolation_level = value
        self._begin = begin
        self._update_implicit_begin()

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
        self._update_implicit_begin()

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

    # -- application-defined functions and collations (native/functions.c)

    def create_function(self, name, narg, func, *, deterministic=False):
        """Makes func(*args) callable from SQL as name with narg arguments (-1: any);
        func None removes it. Exceptions in func fail the statement with
        OperationalError, as in sqlite3."""
        self._check()
        self._native.create_function(name, narg, func, bool(deterministic))

    def create_aggregate(self, name, n_arg, aggregate_class):
        """Makes aggregate_class (step(*args) per row, finalize() for the result) an
        SQL aggregate; None removes it."""
        self._check()
        self._native.create_aggregate(name, n_arg, aggregate_class)

    def create_window_function(self, name, num_params, aggregate_class, /):
        """As create_aggregate, for a class that also has value() and inverse(*args),
        usable with OVER (...); None removes it."""
        self._check()
        self._native.create_window_function(name, num_params, aggregate_class)

    def create_collation(self, name, callable, /):
        """Makes callable(a, b) -> int the collation name, for COLLATE in queries and in
        CREATE TABLE / CREATE INDEX; None removes it. An exception in callable counts as
        equal and is raised by the execute() or fetch that compared, as in sqlite3."""
        self._check()
        self._native.create_collation(name, callable)

    # -- online backup (native/backup.c; chorus_backup_* in chorus.h)

    def backup(self, target, *, pages=-1, progress=None, name="main", sleep=0.250):
        """Copies database name of this connection into target's main database, pages
        at a time (all at once when pages <= 0), as sqlite3's backup(): progress(status,
        remaining, total) is called after each step; a busy or locked step waits sleep
        seconds and tries again. The copy is one snapshot: a change to this database
        between steps starts it again."""
        self._check()
        if not isinstance(target, Connection):
            raise TypeError("backup() argument 'target' must be chorusdb.Connection, not "
                            + type(target).__name__)
        if target is self:
            raise ValueError("target cannot be the same connection instance")
        target._check()
        if progress is not None and not callable(progress):
            raise TypeError("progress argument must be a callable")
        pages = operator.index(pages)
        if not isinstance(name, str):
            raise TypeError("backup() argument 'name' must be str, not " + type(name).__name__)
        handle = self._native.backup_init(target._native, name)
        try:
            status = _chorus.CHORUS_OK
            while status in (_chorus.CHORUS_OK, _chorus.CHORUS_BUSY, _chorus.CHORUS_LOCKED):
                status = self._native.backup_step(handle, pages if pages > 0 else -1)
                if progress is not None:
                    progress(status, *self._native.backup_counts(handle))
                if status in (_chorus.CHORUS_BUSY, _chorus.CHORUS_LOCKED):
                    time.sleep(sleep)
        except BaseException:
            try:
                self._native.backup_finish(handle)
            except Error:
                pass            # sqlite3 reports the callback's exception, not the step's
            raise
        self._native.backup_finish(handle)

    # -- progress handler and statement trace (native/hooks.c)

    def set_progress_handler(self, progress_handler, n):
        """Calls progress_handler() every n steps of work of a running statement; a true
        result or an exception interrupts it (OperationalError "interrupted").
        progress_handler None or n <= 0 removes it."""
        self._check()
        self._native.set_progress_handler(progress_handler, n)

    def set_trace_callback(self, trace_callback):
        """Calls trace_callback(sql) as each statement starts to run, with its text
        (parameters not expanded); None removes it."""
        self._check()
        self._native.set_trace_callback(trace_callback)

    def _unsupported(self, *args, **kwargs):
        """What the engine cannot do yet: checks the connection and thread as sqlite3's
        methods do, then raises NotSupportedError."""
        self._check()
        raise NotSupportedError("not supported by ChorusDB yet")

    enable_load_extension = load_extension = _unsupported

    def set_authorizer(self, authorizer_callback):
        """Calls authorizer_callback(action, arg1, arg2, db_name, source) for each action
        of the statements compiled from now on; SQLITE_OK allows, SQLITE_DENY fails the
        statement, SQLITE_IGNORE reads NULL (READ) or skips it; None removes it."""
        self._check()
        if authorizer_callback is not None and not callable(authorizer_callback):
            raise TypeError("parameter must be callable")
        self._native.set_authorizer(authorizer_callback)

    # -- run-time limits (chorus_limit)

    def setlimit(self, category, limit, /):
        """Sets the run-time limit category (SQLITE_LIMIT_*) to limit (negative: leaves
        it) and returns the previous value."""
        self._check()
        old = self._native.limit(operator.index(category), operator.index(limit))
        if old < 0:
            raise ProgrammingError("'category' is out of bounds")
        return old

    def getlimit(self, category, /):
        """The run-time limit category (SQLITE_LIMIT_*)."""
        return self.setlimit(category, -1)

    # -- incremental BLOB I/O (chorusdb/blob.py, native/blob.c)

    def blobopen(self, table, column, row, /, *, readonly=False, name="main"):
        """A Blob on the value of table.column in row (a rowid) of database name; with
        readonly false it can be written too (its size cannot change)."""
        self._check()
        for label, arg in (("argument 1", table), ("argument 2", column),
                           ("argument 'name'", name)):
            if not isinstance(arg, str):
                raise TypeError(f"blobopen() {label} must be str, not {type(arg).__name__}")
        handle = self._native.blob_open(table, column, operator.index(row), bool(readonly),
                                        name)
        return Blob._open(self, handle)


class Cursor(_chorus.Cursor):
    """Runs statements and fetches their rows; made by Connection.cursor().

    execute, executemany, fetchone, fetchmany, fetchall, iteration, close and the
    attributes connection, description, rowcount, lastrowid, arraysize and row_factory
    are native (native/cursor.c); Cursor(connection) checks that connection is a
    chorusdb Connection."""

    def _make_row(self, values):
        """The row handed out for values: converters applied, then row_factory."""
        if self._converters:
            values = list(values)
            for column, converter in self._converters:
                raw = b"" if values[column] is None else _adaptation.as_bytes(values[column])
                values[column] = converter(raw) if raw else None   # sqlite3: empty is None
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

    def executescript(self, sql_script):
        """Runs every statement of sql_script (committing a pending transaction first in
        legacy mode); returns the cursor."""
        self._forget()
        if not isinstance(sql_script, str):
            raise TypeError(f"script must be str, not {type(sql_script).__name__}")
        if "\0" in sql_script:
            raise ValueError("embedded null character")
        connection = self.connection
        if connection._autocommit is LEGACY_TRANSACTION_CONTROL and \
                connection._native.in_transaction:
            connection._native.exec("COMMIT")
        connection._native.exec(sql_script)
        return self

    def callproc(self, procname, parameters=()):
        """DB-API callproc for the one kind of procedure SQLite has, a function: runs
        SELECT procname(parameters...) and returns parameters unchanged (functions have
        no output parameters); the result is fetched as from execute()."""
        if not isinstance(procname, str) or not procname.replace("_", "").isalnum():
            raise ProgrammingError(f"invalid procedure name: {procname!r}")
        placeholders = ", ".join("?" * len(parameters))
        self.execute(f"SELECT {procname}({placeholders})", parameters)
        return parameters

    def setinputsizes(self, sizes):
        """Does nothing (DB-API)."""

    def setoutputsize(self, size, column=None):
        """Does nothing (DB-API)."""


__all__ = [
    "apilevel", "threadsafety", "paramstyle", "version", "version_info", "chorus_version",
    "chorus_version_info", "LEGACY_TRANSACTION_CONTROL", "PARSE_DECLTYPES", "PARSE_COLNAMES",
    "connect", "Connection", "Cursor", "Row", "PrepareProtocol", "adapt", "adapters", "converters",
    "register_adapter", "register_converter", "complete_statement",
    "enable_callback_tracebacks", "Binary", "Date",
    "STRING", "BINARY", "NUMBER", "DATETIME", "ROWID",
    "Time", "Timestamp", "DateFromTicks", "TimeFromTicks", "TimestampFromTicks", "Warning",
    "Error", "InterfaceError", "DatabaseError", "DataError", "OperationalError",
    "IntegrityError", "InternalError", "ProgrammingError", "NotSupportedError",
    "ConflictError", "transactional", "sqlite_version", "sqlite_version_info",
    "enable_shared_cache", "Blob",
] + list(SQLITE_NAMES) + [name for name in dir(_chorus) if name.startswith(("CHORUS_", "SQLITE_"))]

transactional = transaction.transactional
globals().update(SQLITE_NAMES)      # the engine's own SQLITE_* override (sqlite_names.py S2)
globals().update({name: getattr(_chorus, name) for name in dir(_chorus)
                  if name.startswith(("CHORUS_", "SQLITE_"))})


def _engine_sqlite_version():
    """What the engine's sqlite_version() SQL function answers: the SQLite release whose
    dialect and file format it follows."""
    connection = connect(":memory:")
    try:
        return connection.execute("SELECT sqlite_version()").fetchone()[0]
    finally:
        connection.close()


sqlite_version = _engine_sqlite_version()
sqlite_version_info = tuple(int(part) for part in sqlite_version.split("."))
