/*
 * bindings/python/native/native.h: the private header of chorusdb._chorus, the
 * CPython layer over chorus.h.
 *
 * The native layer wraps two handles, one type per file: connection.c (a
 * chorus_db opened for this connection alone plus its chorus_conn, and the
 * cache of idle prepared statements) and statement.c (a chorus_stmt, its
 * rows). bind.c binds a DB-API parameter sequence or mapping; cursor.c is
 * the hot path of chorusdb.Cursor (execute, executemany, the fetches), the
 * base class the Python Cursor extends, so that a query runs no Python code
 * of the binding (#5: sqlite3 does this work in C too). errors.c owns
 * the exception types and the one function that turns a result code into
 * an exception; module.c ties the module together; blob.c, backup.c and
 * hooks.c carry blob handles, backups and the callbacks (progress, trace,
 * authorizer) that functions.c does not. Policy that is not on
 * the hot path (transactions, retries, Row, converters, adapters,
 * iterdump, the SQL text scanning) lives in the Python package chorusdb/
 * and is called from C where a query needs it.
 *
 * Invariants
 *   N1  Exception types and type objects live in the module state, never in C
 *       globals; every object that needs them holds a strong reference to the
 *       module (a connection does; a statement and a cursor reach it
 *       through their native connection).
 *   N2  Every chorus_* call on a connection or its statements runs while the
 *       calling thread holds the connection's lock (native_connection_enter);
 *       the calls that may wait or do real work (open, close, exec, prepare,
 *       step) also release the GIL. chorus_interrupt() is the one exception:
 *       chorus.h allows it from any thread at any time.
 *   N3  A statement keeps its connection alive. Once the connection is closed
 *       (conn == NULL) chorus_disconnect() has freed every statement, so a
 *       statement never touches its handle again.
 *   N4  The lock's owner and depth are read and written only with the GIL
 *       held, so they need no atomics; the lock itself is waited on with the
 *       GIL released.
 *
 * Callers: the files of this folder only.
 */
#ifndef CHORUSDB_NATIVE_H
#define CHORUSDB_NATIVE_H

#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <pythread.h>

#include "chorus.h"

#if PY_VERSION_HEX < 0x030A0000 /* Python 3.9 lacks these two */
static inline PyObject *
Py_NewRef(PyObject *obj)
{
    Py_INCREF(obj);
    return obj;
}

static inline PyObject *
Py_XNewRef(PyObject *obj)
{
    Py_XINCREF(obj);
    return obj;
}
#endif

/* The module state (N1). Every field is a strong reference. */
typedef struct {
    PyTypeObject *connection_type;
    PyTypeObject *statement_type;
    PyTypeObject *cursor_type;
    PyObject *mapping_type;    /* collections.abc.Mapping: named parameters */
    PyObject *adapter;         /* chorusdb.adapt's adapt-one function (set_adapter) */
    int adapt_all;             /* adapt every value, not only foreign types */
    int callback_tracebacks;   /* enable_callback_tracebacks (functions.c PF5) */
    /* Interned attribute names cursor.c reads on the Python connection. */
    PyObject *str_native, *str_row_factory, *str_text_factory, *str_detect_types,
        *str_implicit_begin;
    PyObject *Warning;
    PyObject *Error;
    PyObject *InterfaceError;
    PyObject *DatabaseError;
    PyObject *DataError;
    PyObject *OperationalError;
    PyObject *IntegrityError;
    PyObject *InternalError;
    PyObject *ProgrammingError;
    PyObject *NotSupportedError;
    PyObject *ConflictError;
} native_state;

/* A failure copied out of the engine while the connection lock was held, so
 * that the exception can be raised after the lock is released. */
typedef struct {
    int code;           /* the primary result code */
    int extended;       /* the extended result code (== code when none) */
    char message[1024]; /* chorus_errmsg() text, truncated if longer */
} native_error;

typedef struct {
    PyObject_HEAD
    chorus_db *db;             /* owned; NULL once closed; private to this connection */
    chorus_conn *conn;         /* owned; NULL once closed (N3) */
    PyThread_type_lock lock;   /* serialises engine calls on conn (N2) */
    unsigned long owner;       /* thread holding lock; GIL-protected (N4) */
    int depth;                 /* re-entry count of owner; GIL-protected (N4) */
    PyObject *module;          /* strong reference: keeps state alive (N1) */
    native_state *state;       /* borrowed from module */
    PyObject *cache;           /* dict sql -> idle native_statement, least recently
                                  returned first; GIL-protected */
    struct native_statement *lent; /* statements taken out of the cache and not yet
                                  recycled (borrowed: their cursors hold them),
                                  linked through lent_next; GIL-protected */
    Py_ssize_t cache_size;     /* cached_statements: most statements kept */
    unsigned long thread;      /* the creating thread */
    int check_same_thread;     /* refuse other threads (DB-API policy, set by Python) */
    PyObject *progress;        /* strong reference: the progress handler, or NULL
                                  (hooks.c PH1); changed under lock */
    int progress_n;            /* its period in engine steps */
    PyObject *trace;           /* strong reference: the trace callback, or NULL (PH1) */
    PyObject *authorizer;      /* strong reference: the authorizer, or NULL (PH1) */
} native_connection;

/* A prepared statement. The fields after stmt describe it once for the
 * cursor: computed at preparation, never changed. */
typedef struct native_statement {
    PyObject_HEAD
    native_connection *connection; /* strong reference (N3) */
    chorus_stmt *stmt;             /* owned; NULL once finalized */
    struct native_statement *lent_prev, *lent_next; /* connection->lent list */
    int is_lent;
    int aborted;                   /* reset under its cursor by rollback() */
    PyObject *sql;                 /* str: the text, the statement cache's key */
    int is_dml;                    /* INSERT/UPDATE/DELETE/REPLACE (legacy BEGIN) */
    int n_params;
    PyObject *param_names;         /* tuple: ':a' or None per parameter */
    PyObject *param_keys;          /* tuple: 'a' (mapping key) or None per parameter */
    PyObject *description;         /* without detect_types: tuple or None; NULL
                                      until first asked */
    PyObject *descriptions;        /* dict detect_types -> (description,
                                      converters), filled by chorusdb */
    int n_columns;                 /* the column count the two above describe
                                      (-1 until native_statement_check_columns) */
} native_statement;

/* ---- errors.c */

/* Creates the exception types into st and adds them and the result-code
 * constants (CHORUS_* and SQLITE_* names) to module. Returns 0, or -1 with
 * an exception set. */
int native_errors_init(PyObject *module, native_state *st);

/* Copies the failure rc of the last call on conn into err; with conn NULL
 * (already freed) the message is chorus_errstr(rc). Needs no GIL. */
void native_error_capture(chorus_conn *conn, int rc, native_error *err);

/* The same for a failed chorus_open() of the calling thread. Needs no GIL. */
void native_error_capture_open(int rc, native_error *err);

/* The one code-to-exception function: raises the DB-API exception for err,
 * carrying chorus_errorcode/chorus_errorname and sqlite_errorcode/
 * sqlite_errorname. Always returns NULL. */
PyObject *native_error_raise(native_state *st, const native_error *err);

/* Raises ProgrammingError (or InterfaceError, ...) with a fixed message;
 * returns NULL. */
PyObject *native_error_raise_text(PyObject *type, const char *message);

/* ---- connection.c */

extern PyType_Spec native_connection_spec;

/* Takes the connection lock for the calling thread (re-entrant, N2/N4).
 * Returns 0; or -1 with ProgrammingError set when the connection is closed
 * (then the lock is not held). */
int native_connection_enter(native_connection *self);

/* Releases what native_connection_enter() took. */
void native_connection_leave(native_connection *self);

/* Runs every statement of text (chorus_exec) without the GIL. Returns 0, or
 * -1 with the exception set. */
int native_connection_exec(native_connection *self, const char *text);

/* One quick call under the lock, keeping the GIL: read(conn) into *out.
 * Returns 0, or -1 with an exception set (closed connection). */
int native_connection_read(native_connection *self, int64_t (*read)(chorus_conn *),
                           int64_t *out);

/* chorus_in_transaction() in the shape native_connection_read() takes. */
int64_t native_read_in_transaction(chorus_conn *conn);

/* True if obj is a native connection (of any interpreter's module). */
int native_connection_is(PyObject *obj);

/* Raises ProgrammingError unless the calling thread may use self
 * (check_same_thread) and self is open. Returns 0 or -1. */
int native_connection_check(native_connection *self);

/* The statement for sql, which the caller has to itself until it hands it
 * back with native_connection_recycle(): taken out of the cache, or
 * prepared by owner._prepare(sql) (chorusdb's Connection, which checks the
 * tail and marks DML). Returns a new reference; Py_None for SQL without a
 * statement; NULL with an exception set. */
PyObject *native_connection_statement(native_connection *self, PyObject *sql, PyObject *owner);

/* Takes back a statement from native_connection_statement() (reference
 * stolen): resets it and caches it while the cache has room, else
 * finalizes it. Never raises; keeps a pending exception. */
void native_connection_recycle(native_connection *self, native_statement *statement);

/* ---- functions.c: Connection.create_function(name, narg, func[, deterministic]),
 * create_aggregate(name, narg, cls), create_window_function(name, narg, cls) and
 * create_collation(name, func); None as func or cls removes. */

PyObject *native_connection_create_function(native_connection *self, PyObject *args);
PyObject *native_connection_create_aggregate(native_connection *self, PyObject *args);
PyObject *native_connection_create_window_function(native_connection *self, PyObject *args);
PyObject *native_connection_create_collation(native_connection *self, PyObject *args);
/* PF6: raises (returns -1) the exception a collation callback of the calling
 * thread raised since the last call, which the step that ran it reports as
 * sqlite3 does; returns 0 when there is none. Needs the GIL. */
int native_collation_error_raise(void);
/* PF5: hands the pending exception of a callback registered as object to
 * sys.unraisablehook when enable_callback_tracebacks is on, else drops it. */
void native_callback_error_report(PyObject *object);

/* ---- hooks.c: Connection.set_progress_handler(handler, n), set_trace_callback(callback) */

PyObject *native_connection_set_progress_handler(native_connection *self, PyObject *args);
PyObject *native_connection_set_trace_callback(native_connection *self, PyObject *callback);
PyObject *native_connection_set_authorizer(native_connection *self, PyObject *callback);
/* Removes both hooks from the engine and drops their references (close, tp_clear). */
void native_connection_hooks_clear(native_connection *self);

/* chorus_limit(conn, id, -1) under the connection's lock; INT32_MAX when the
 * connection is closed (no exception left set). */
int native_connection_limit(native_connection *self, int id);

/* ---- blob.c: Connection.blob_open(table, column, row, readonly, name) -> capsule,
 * blob_len(capsule), blob_read(capsule, n, offset) -> bytes, blob_write(capsule,
 * data, offset), blob_close(capsule). */
PyObject *native_connection_blob_open(native_connection *self, PyObject *args);
PyObject *native_connection_blob_len(native_connection *self, PyObject *capsule);
PyObject *native_connection_blob_read(native_connection *self, PyObject *args);
PyObject *native_connection_blob_write(native_connection *self, PyObject *args);
PyObject *native_connection_blob_close(native_connection *self, PyObject *capsule);

/* ---- backup.c: Connection.backup_init(target, name) -> capsule, backup_step(capsule,
 * pages) -> result code, backup_counts(capsule) -> (remaining, pagecount),
 * backup_finish(capsule) (raises the backup's error). */

PyObject *native_connection_backup_init(native_connection *self, PyObject *args);
PyObject *native_connection_backup_step(native_connection *self, PyObject *args);
PyObject *native_connection_backup_counts(native_connection *self, PyObject *capsule);
PyObject *native_connection_backup_finish(native_connection *self, PyObject *capsule);

/* Takes statement off the list of statements lent to cursors (it is
 * recycled or freed). */
void native_connection_unlend(native_connection *self, native_statement *statement);

/* ---- statement.c */

extern PyType_Spec native_statement_spec;

/* Wraps stmt (ownership transferred), prepared from sql, in a new statement
 * object of connection. Returns a new reference, or NULL with an exception
 * set (then stmt has been finalized). Called with the connection lock
 * held. */
PyObject *native_statement_new(native_connection *connection, chorus_stmt *stmt, PyObject *sql);

/* Takes the connection lock for a call on a live statement. Returns 0, or
 * -1 with ProgrammingError set (lock not held). */
int native_statement_enter(native_statement *self);
void native_statement_leave(native_statement *self);
/* Captures rc's failure, leaves the lock and raises. Returns NULL. */
PyObject *native_statement_fail(native_statement *self, int rc);

/* One step: 1 with a row ready, 0 when done, -1 with an exception set.
 * Takes the connection lock and drops the GIL around chorus_step. */
int native_statement_step(native_statement *self);

/* Runs a statement that returns no rows once, for executemany: steps it
 * to its end, reads the rows it changed into *changes and resets it, under
 * one hold of the lock and one release of the GIL. Returns 0; 1 if it
 * returned a row (nothing is read, the statement is reset); -1 with an
 * exception set. */
int native_statement_run(native_statement *self, int64_t *changes);

/* The current row as a tuple; TEXT through text_factory (str: decoded in
 * C; bytes; anything else is called with the bytes). New reference or
 * NULL. */
PyObject *native_statement_row(native_statement *self, PyObject *text_factory);

/* Rewinds the statement (bindings stay). Returns 0, or -1 with an
 * exception set. */
int native_statement_reset(native_statement *self);

/* The description of the result columns without detect_types: a tuple of
 * 7-tuples (name, None x 6), or None when there are no columns. Borrowed
 * from the statement. NULL with an exception set. */
PyObject *native_statement_description(native_statement *self);

/* Forgets description and descriptions when the statement's column count is
 * no longer the one they describe: the engine re-prepares a statement for a
 * changed schema at its next step, so a cached statement may come back with
 * other columns. Call it after that step. Returns 0 or -1. */
int native_statement_check_columns(native_statement *self);

/* ---- bind.c */

/* Binds a DB-API parameters argument (a sequence for ?, a mapping for
 * :name) to statement, adapting values through the module's adapter.
 * Raises ProgrammingError as sqlite3 does for a wrong count, a missing name
 * or an unsupported type. Returns 0 or -1. */
int native_bind_parameters(native_statement *statement, PyObject *parameters);

/* ---- cursor.c */

extern PyType_Spec native_cursor_spec;

#endif /* CHORUSDB_NATIVE_H */
