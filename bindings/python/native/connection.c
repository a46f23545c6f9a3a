/*
 * bindings/python/native/connection.c: chorusdb._chorus.Connection, one
 * chorus_db handle opened for this connection alone plus its chorus_conn.
 *
 * chorus_open() shares the database object behind one path within the
 * process, so every Python connection opening its own handle still talks to
 * one database, and threads with one connection each write side by side.
 *
 * Each entry point converts its arguments, makes one chorus_* call and
 * translates the result; the DB-API rules (implicit BEGIN, commit, cursors)
 * are in chorusdb/dbapi2.py.
 *
 * Locking: the connection lock serialises every engine call (native.h N2), so
 * a connection shared by threads (check_same_thread=False) cannot break the
 * engine's one-thread-at-a-time rule. It is re-entrant for its owner (N4)
 * because a statement may be garbage-collected, and so finalized, while the
 * same thread holds the lock to build a row.
 *
 * Ownership: db and conn are owned and released by close() or deallocation,
 * whichever comes first; closing twice is harmless.
 * Callers: Python (chorusdb/dbapi2.py) and statement.c.
 */
#include "native.h"

#include <string.h>

int
native_connection_enter(native_connection *self)
{
    unsigned long me;

    if (self->conn == NULL) {
        native_error_raise_text(self->state->ProgrammingError,
                                "Cannot operate on a closed database.");
        return -1;
    }
    me = PyThread_get_thread_ident();
    if (self->depth > 0 && self->owner == me) {
        self->depth++;
        return 0;
    }
    if (!PyThread_acquire_lock(self->lock, NOWAIT_LOCK)) {
        Py_BEGIN_ALLOW_THREADS
        PyThread_acquire_lock(self->lock, WAIT_LOCK);
        Py_END_ALLOW_THREADS
    }
    self->owner = me;
    self->depth = 1;
    if (self->conn == NULL) { /* closed by the thread we waited for */
        native_connection_leave(self);
        native_error_raise_text(self->state->ProgrammingError,
                                "Cannot operate on a closed database.");
        return -1;
    }
    return 0;
}

void
native_connection_leave(native_connection *self)
{
    if (--self->depth == 0) {
        self->owner = 0;
        PyThread_release_lock(self->lock);
    }
}

/* Releases db and conn. Caller holds the lock and the GIL; the handles are
 * unhooked before the GIL is dropped, so chorus_interrupt() from another
 * thread (which runs under the GIL) never sees a freed connection.
 * Returns the first failure's code or CHORUS_OK. */
static int
connection_release(native_connection *self)
{
    chorus_conn *conn = self->conn;
    chorus_db *db = self->db;
    int rc;
    int rc_close;

    self->conn = NULL;
    self->db = NULL;
    Py_BEGIN_ALLOW_THREADS
    rc = chorus_disconnect(conn);
    rc_close = chorus_close(db);
    Py_END_ALLOW_THREADS
    return rc != CHORUS_OK ? rc : rc_close;
}

static PyObject *
connection_new(PyTypeObject *type, PyObject *args, PyObject *kwargs)
{
    static char *keywords[] = {"database", "flags", NULL};
    PyObject *path = NULL;
    int flags = 0;
    native_connection *self;
    native_error err;
    chorus_db *db = NULL;
    chorus_conn *conn = NULL;
    int rc;

    if (!PyArg_ParseTupleAndKeywords(args, kwargs, "O&|i:Connection", keywords,
                                     PyUnicode_FSConverter, &path, &flags))
        return NULL;
    self = (native_connection *)type->tp_alloc(type, 0);
    if (self == NULL)
        goto fail;
    self->module = PyType_GetModule(type);
    if (self->module == NULL)
        goto fail;
    Py_INCREF(self->module);
    self->state = PyModule_GetState(self->module);
    self->lock = PyThread_allocate_lock();
    if (self->lock == NULL) {
        PyErr_NoMemory();
        goto fail;
    }
    Py_BEGIN_ALLOW_THREADS
    rc = chorus_open(PyBytes_AS_STRING(path), flags, &db);
    if (rc != CHORUS_OK) {
        native_error_capture_open(rc, &err);
    } else {
        rc = chorus_connect(db, &conn);
        if (rc != CHORUS_OK) {
            native_error_capture(NULL, rc, &err);
            chorus_close(db);
        }
    }
    Py_END_ALLOW_THREADS
    if (rc != CHORUS_OK) {
        native_error_raise(self->state, &err);
        goto fail;
    }
    self->db = db;
    self->conn = conn;
    Py_DECREF(path);
    return (PyObject *)self;
fail:
    Py_XDECREF(path);
    Py_XDECREF(self);
    return NULL;
}

static void
connection_dealloc(native_connection *self)
{
    PyTypeObject *type = Py_TYPE(self);

    if (self->conn != NULL && native_connection_enter(self) == 0) {
        connection_release(self);
        native_connection_leave(self);
    }
    if (self->lock != NULL)
        PyThread_free_lock(self->lock);
    Py_XDECREF(self->module);
    type->tp_free((PyObject *)self);
    Py_DECREF(type);
}

PyDoc_STRVAR(connection_close_doc, "close()\n\nDisconnects and closes the database "
                                   "handle; an open transaction is rolled back. Closing "
                                   "twice is harmless.");

static PyObject *
connection_close(native_connection *self, PyObject *unused)
{
    native_error err;
    int rc;

    if (self->conn == NULL)
        Py_RETURN_NONE;
    if (native_connection_enter(self) < 0) {
        PyErr_Clear(); /* closed meanwhile by another thread */
        Py_RETURN_NONE;
    }
    rc = connection_release(self);
    native_connection_leave(self);
    if (rc != CHORUS_OK) {
        native_error_capture(NULL, rc, &err);
        return native_error_raise(self->state, &err);
    }
    Py_RETURN_NONE;
}

/* Encodes sql as UTF-8 into *text / *nbytes (borrowed from sql), refusing
 * text with a NUL character as sqlite3 does. Returns 0 or -1. */
static int
connection_sql_text(native_connection *self, PyObject *sql, const char **text,
                    Py_ssize_t *nbytes)
{
    *text = PyUnicode_AsUTF8AndSize(sql, nbytes);
    if (*text == NULL)
        return -1;
    if ((size_t)*nbytes != strlen(*text)) {
        native_error_raise_text(self->state->ProgrammingError,
                                "the query contains a null character");
        return -1;
    }
    if (*nbytes > INT32_MAX) {
        native_error_raise_text(self->state->DataError, "query string is too large");
        return -1;
    }
    return 0;
}

PyDoc_STRVAR(connection_exec_doc, "exec(sql)\n\nRuns every statement of sql, "
                                  "dropping result rows (chorus_exec).");

static PyObject *
connection_exec(native_connection *self, PyObject *sql)
{
    const char *text;
    Py_ssize_t nbytes;
    native_error err;
    int rc;

    if (!PyUnicode_Check(sql))
        return PyErr_Format(PyExc_TypeError, "sql must be str, not %.100s",
                            Py_TYPE(sql)->tp_name);
    if (connection_sql_text(self, sql, &text, &nbytes) < 0)
        return NULL;
    if (native_connection_enter(self) < 0)
        return NULL;
    Py_BEGIN_ALLOW_THREADS
    rc = chorus_exec(self->conn, text);
    if (rc != CHORUS_OK)
        native_error_capture(self->conn, rc, &err);
    Py_END_ALLOW_THREADS
    native_connection_leave(self);
    if (rc != CHORUS_OK)
        return native_error_raise(self->state, &err);
    Py_RETURN_NONE;
}

PyDoc_STRVAR(connection_prepare_doc,
             "prepare(sql) -> (Statement or None, tail)\n\nCompiles the first statement of "
             "sql. The statement is None when sql holds only whitespace and comments; "
             "tail is the text after the statement.");

static PyObject *
connection_prepare(native_connection *self, PyObject *sql)
{
    const char *text;
    const char *tail = NULL;
    Py_ssize_t nbytes;
    chorus_stmt *stmt = NULL;
    PyObject *statement;
    PyObject *rest;
    native_error err;
    int rc;

    if (!PyUnicode_Check(sql))
        return PyErr_Format(PyExc_TypeError, "sql must be str, not %.100s",
                            Py_TYPE(sql)->tp_name);
    if (connection_sql_text(self, sql, &text, &nbytes) < 0)
        return NULL;
    if (native_connection_enter(self) < 0)
        return NULL;
    Py_BEGIN_ALLOW_THREADS
    rc = chorus_prepare(self->conn, text, (int)nbytes, &stmt, &tail);
    if (rc != CHORUS_OK)
        native_error_capture(self->conn, rc, &err);
    Py_END_ALLOW_THREADS
    if (rc != CHORUS_OK) {
        native_connection_leave(self);
        return native_error_raise(self->state, &err);
    }
    if (stmt == NULL) {
        statement = Py_None;
        Py_INCREF(statement);
    } else {
        statement = native_statement_new(self, stmt);
    }
    native_connection_leave(self);
    if (statement == NULL)
        return NULL;
    if (tail == NULL || tail < text || tail > text + nbytes)
        tail = text + nbytes;
    rest = PyUnicode_DecodeUTF8(tail, (text + nbytes) - tail, "replace");
    if (rest == NULL) {
        Py_DECREF(statement);
        return NULL;
    }
    return Py_BuildValue("(NN)", statement, rest);
}

PyDoc_STRVAR(connection_interrupt_doc,
             "interrupt()\n\nMakes the statement running on this connection stop with "
             "OperationalError('interrupted'). Any thread may call it.");

static PyObject *
connection_interrupt(native_connection *self, PyObject *unused)
{
    /* No lock (chorus.h allows any thread); the GIL keeps close() from
     * freeing conn under us (see connection_release). */
    if (self->conn == NULL)
        return native_error_raise_text(self->state->ProgrammingError,
                                       "Cannot operate on a closed database.");
    chorus_interrupt(self->conn);
    Py_RETURN_NONE;
}

PyDoc_STRVAR(connection_busy_timeout_doc,
             "busy_timeout(ms)\n\nHow long a statement waits for a lock before it fails "
             "with 'database is locked'.");

static PyObject *
connection_busy_timeout(native_connection *self, PyObject *arg)
{
    native_error err;
    long ms;
    int rc;

    ms = PyLong_AsLong(arg);
    if (ms == -1 && PyErr_Occurred())
        return NULL;
    if (ms > INT32_MAX)
        ms = INT32_MAX;
    if (ms < 0)
        ms = 0;
    if (native_connection_enter(self) < 0)
        return NULL;
    rc = chorus_busy_timeout(self->conn, (int)ms);
    if (rc != CHORUS_OK)
        native_error_capture(self->conn, rc, &err);
    native_connection_leave(self);
    if (rc != CHORUS_OK)
        return native_error_raise(self->state, &err);
    Py_RETURN_NONE;
}

/* The getters below make one quick call under the lock, keeping the GIL. */

static PyObject *
connection_get_changes(native_connection *self, void *unused)
{
    int64_t n;

    if (native_connection_enter(self) < 0)
        return NULL;
    n = chorus_changes(self->conn);
    native_connection_leave(self);
    return PyLong_FromLongLong(n);
}

static PyObject *
connection_get_total_changes(native_connection *self, void *unused)
{
    int64_t n;

    if (native_connection_enter(self) < 0)
        return NULL;
    n = chorus_total_changes(self->conn);
    native_connection_leave(self);
    return PyLong_FromLongLong(n);
}

static PyObject *
connection_get_last_insert_rowid(native_connection *self, void *unused)
{
    int64_t rowid;

    if (native_connection_enter(self) < 0)
        return NULL;
    rowid = chorus_last_insert_rowid(self->conn);
    native_connection_leave(self);
    return PyLong_FromLongLong(rowid);
}

static PyObject *
connection_get_in_transaction(native_connection *self, void *unused)
{
    int in_transaction;

    if (native_connection_enter(self) < 0)
        return NULL;
    in_transaction = chorus_in_transaction(self->conn);
    native_connection_leave(self);
    return PyBool_FromLong(in_transaction);
}

static PyObject *
connection_get_closed(native_connection *self, void *unused)
{
    return PyBool_FromLong(self->conn == NULL);
}

static PyMethodDef connection_methods[] = {
    {"close", (PyCFunction)connection_close, METH_NOARGS, connection_close_doc},
    {"exec", (PyCFunction)connection_exec, METH_O, connection_exec_doc},
    {"prepare", (PyCFunction)connection_prepare, METH_O, connection_prepare_doc},
    {"interrupt", (PyCFunction)connection_interrupt, METH_NOARGS, connection_interrupt_doc},
    {"busy_timeout", (PyCFunction)connection_busy_timeout, METH_O,
     connection_busy_timeout_doc},
    {NULL, NULL, 0, NULL},
};

static PyGetSetDef connection_getset[] = {
    {"changes", (getter)connection_get_changes, NULL,
     "Rows changed by the most recent INSERT, UPDATE or DELETE.", NULL},
    {"total_changes", (getter)connection_get_total_changes, NULL,
     "Rows changed since the connection opened.", NULL},
    {"last_insert_rowid", (getter)connection_get_last_insert_rowid, NULL,
     "The rowid of the most recent successful INSERT.", NULL},
    {"in_transaction", (getter)connection_get_in_transaction, NULL,
     "True inside an explicit transaction.", NULL},
    {"closed", (getter)connection_get_closed, NULL, "True once closed.", NULL},
    {NULL, NULL, NULL, NULL, NULL},
};

static PyType_Slot connection_slots[] = {
    {Py_tp_doc, "Connection(database, flags=0)\n\nA native ChorusDB connection (chorus_open "
                "+ chorus_connect). Use chorusdb.connect() instead."},
    {Py_tp_new, connection_new},
    {Py_tp_dealloc, connection_dealloc},
    {Py_tp_methods, connection_methods},
    {Py_tp_getset, connection_getset},
    {0, NULL},
};

PyType_Spec native_connection_spec = {
    .name = "chorusdb._chorus.Connection",
    .basicsize = sizeof(native_connection),
    .flags = Py_TPFLAGS_DEFAULT,
    .slots = connection_slots,
};
