/*
 * bindings/python/native/native.h: the private header of chorusdb._chorus, the
 * thin CPython layer over chorus.h.
 *
 * The native layer wraps two handles, one type per file: connection.c (a
 * chorus_db opened for this connection alone plus its chorus_conn) and
 * statement.c (a chorus_stmt). errors.c owns the exception types and the one
 * function that turns a result code into an exception; module.c ties the
 * module together. Everything with policy (DB-API behaviour, transactions,
 * retries, Row, iterdump) lives in the Python package chorusdb/.
 *
 * Invariants
 *   N1  Exception types and type objects live in the module state, never in C
 *       globals; every object that needs them holds a strong reference to the
 *       module (a connection does, a statement reaches it through its
 *       connection).
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

/* The module state (N1). Every field is a strong reference. */
typedef struct {
    PyTypeObject *connection_type;
    PyTypeObject *statement_type;
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
} native_connection;

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

/* ---- statement.c */

extern PyType_Spec native_statement_spec;

/* Wraps stmt (ownership transferred) in a new statement object of
 * connection. Returns a new reference, or NULL with an exception set (then
 * stmt has been finalized). Called with the connection lock held. */
PyObject *native_statement_new(native_connection *connection, chorus_stmt *stmt);

#endif /* CHORUSDB_NATIVE_H */
