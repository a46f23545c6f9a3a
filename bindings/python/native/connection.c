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
 * Statement cache (sqlite3's cached_statements): idle prepared statements
 * keyed by their SQL text, least recently returned first. A cursor takes a
 * statement out while it runs it and gives it back when done, so a second
 * cursor (or thread) running the same SQL meanwhile prepares its own.
 *
 * Ownership: db and conn are owned and released by close() or deallocation,
 * whichever comes first; closing twice is harmless. The cache holds strong
 * references to statements, which hold one to the connection: both types
 * take part in garbage collection.
 * Callers: Python (chorusdb/dbapi2.py) and statement.c.
 */
#include "native.h"

#include <string.h>

static void connection_dealloc(native_connection *self);

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

int
native_connection_is(PyObject *obj)
{
    return Py_TYPE(obj)->tp_dealloc == (destructor)connection_dealloc;
}

int
native_connection_check(native_connection *self)
{
    unsigned long me;

    if (self->conn == NULL) {
        native_error_raise_text(self->state->ProgrammingError,
                                "Cannot operate on a closed database.");
        return -1;
    }
    if (!self->check_same_thread || (me = PyThread_get_thread_ident()) == self->thread)
        return 0;
    PyErr_Format(self->state->ProgrammingError,
                 "ChorusDB objects created in a thread can only be used in that same thread. "
                 "The object was created in thread id %lu and this is thread id %lu.",
                 self->thread, me);
    return -1;
}

/* The lent list: statements out of the cache, for rollback(). */
static void
lent_link(native_connection *self, native_statement *statement)
{
    statement->lent_prev = NULL;
    statement->lent_next = self->lent;
    if (self->lent != NULL)
        self->lent->lent_prev = statement;
    self->lent = statement;
    statement->is_lent = 1;
    statement->aborted = 0;
}

void
native_connection_unlend(native_connection *self, native_statement *statement)
{
    if (!statement->is_lent)
        return;
    if (statement->lent_prev != NULL)
        statement->lent_prev->lent_next = statement->lent_next;
    else
        self->lent = statement->lent_next;
    if (statement->lent_next != NULL)
        statement->lent_next->lent_prev = statement->lent_prev;
    statement->lent_prev = statement->lent_next = NULL;
    statement->is_lent = 0;
}

PyObject *
native_connection_statement(native_connection *self, PyObject *sql, PyObject *owner)
{
    PyObject *statement = PyDict_GetItemWithError(self->cache, sql);

    if (statement != NULL) {
        Py_INCREF(statement);
        if (PyDict_DelItem(self->cache, sql) < 0) {
            Py_DECREF(statement);
            return NULL;
        }
    } else if (PyErr_Occurred()) {
        return NULL;
    } else {
        statement = PyObject_CallMethod(owner, "_prepare", "O", sql);
        if (statement == NULL || statement == Py_None)
            return statement;
        if (Py_TYPE(statement) != self->state->statement_type) {
            Py_DECREF(statement);
            return PyErr_Format(PyExc_TypeError, "_prepare() must return a Statement or None");
        }
    }
    lent_link(self, (native_statement *)statement);
    return statement;
}

/* Drops the least recently returned statement while the cache is too big. */
static int
cache_trim(native_connection *self)
{
    while (PyDict_GET_SIZE(self->cache) > self->cache_size) {
        Py_ssize_t pos = 0;
        PyObject *key, *value;
        int rc;

        if (!PyDict_Next(self->cache, &pos, &key, &value))
            break;
        Py_INCREF(key);
        rc = PyDict_DelItem(self->cache, key);      /* finalizes the statement */
        Py_DECREF(key);
        if (rc < 0)
            return -1;
    }
    return 0;
}

void
native_connection_recycle(native_connection *self, native_statement *statement)
{
    PyObject *exc_type, *exc_value, *exc_tb;
    int cached;

    if (statement == NULL)
        return;
    native_connection_unlend(self, statement);
    PyErr_Fetch(&exc_type, &exc_value, &exc_tb);
    if (self->conn != NULL && statement->stmt != NULL && self->cache_size > 0
        && native_statement_reset(statement) == 0) {
        cached = PyDict_SetDefault(self->cache, statement->sql, (PyObject *)statement)
                 == (PyObject *)statement;
        if (cached && cache_trim(self) < 0)
            PyErr_Clear();
    }
    PyErr_Clear();      /* a failed reset was reported by the statement's last step */
    Py_DECREF(statement);
    PyErr_Restore(exc_type, exc_value, exc_tb);
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
    if (self->cache != NULL)
        PyDict_Clear(self->cache);  /* their handles are gone with conn (N3) */
    return rc != CHORUS_OK ? rc : rc_close;
}

static PyObject *
connection_new(PyTypeObject *type, PyObject *args, PyObject *kwargs)
{
    static char *keywords[] = {"database", "flags", "cached_statements", "check_same_thread",
                               NULL};
    PyObject *path = NULL;
    int flags = 0;
    Py_ssize_t cache_size = 128;
    int check_same_thread = 1;
    native_connection *self;
    native_error err;
    chorus_db *db = NULL;
    chorus_conn *conn = NULL;
    int rc;

    if (!PyArg_ParseTupleAndKeywords(args, kwargs, "O&|inp:Connection", keywords,
                                     PyUnicode_FSConverter, &path, &flags, &cache_size,
                                     &check_same_thread))
        return NULL;
    self = (native_connection *)type->tp_alloc(type, 0);
    if (self == NULL)
        goto fail;
    self->cache_size = cache_size;
    self->check_same_thread = check_same_thread;
    self->thread = PyThread_get_thread_ident();
    self->cache = PyDict_New();
    if (self->cache == NULL)
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

static int
connection_traverse(native_connection *self, visitproc visit, void *arg)
{
    Py_VISIT(Py_TYPE(self));
    Py_VISIT(self->module);
    Py_VISIT(self->cache);
    Py_VISIT(self->progress);
    Py_VISIT(self->trace);
    Py_VISIT(self->authorizer);
    return 0;
}

static int
connection_clear(native_connection *self)
{
    if (self->cache != NULL)
        PyDict_Clear(self->cache);
    native_connection_hooks_clear(self);
    return 0;
}

static void
connection_dealloc(native_connection *self)
{
    PyTypeObject *type = Py_TYPE(self);

    PyObject_GC_UnTrack(self);
    if (self->conn != NULL && native_connection_enter(self) == 0) {
        connection_release(self);
        native_connection_leave(self);
    }
    Py_CLEAR(self->progress);       /* the engine connection is gone (hooks.c PH1) */
    Py_CLEAR(self->trace);
    Py_CLEAR(self->authorizer);
    if (self->lock != NULL)
        PyThread_free_lock(self->lock);
    Py_XDECREF(self->cache);
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

/* Encodes sql, which must be a str, as UTF-8 into *text / *nbytes (borrowed
 * from sql), refusing text with a NUL character as sqlite3 does. Returns 0
 * or -1. */
static int
connection_sql_text(native_connection *self, PyObject *sql, const char **text,
                    Py_ssize_t *nbytes)
{
    if (!PyUnicode_Check(sql)) {
        PyErr_Format(PyExc_TypeError, "sql must be str, not %.100s", Py_TYPE(sql)->tp_name);
        return -1;
    }
    *text = PyUnicode_AsUTF8AndSize(sql, nbytes);
    if (*text == NULL)
        return -1;
    if ((size_t)*nbytes != strlen(*text)) {
        native_error_raise_text(self->state->ProgrammingError,
                                "the query contains a null character");
        return -1;
    }
    if (*nbytes > native_connection_limit(self, CHORUS_LIMIT_SQL_LENGTH)) {
        native_error_raise_text(self->state->DataError, "query string is too large");
        return -1;
    }
    return 0;
}

int
native_connection_limit(native_connection *self, int id)
{
    int value = INT32_MAX;

    if (native_connection_enter(self) == 0) {
        value = chorus_limit(self->conn, id, -1);
        native_connection_leave(self);
    }
    PyErr_Clear();              /* a closed connection fails where it is used */
    return value;
}

PyDoc_STRVAR(connection_limit_doc, "limit(id, new_value) -> old value\n\n"
                                   "chorus_limit: -1 for an unknown id; new_value < 0 reads.");

static PyObject *
connection_limit(native_connection *self, PyObject *args)
{
    int id, new_value, old;

    if (!PyArg_ParseTuple(args, "ii:limit", &id, &new_value) || native_connection_enter(self) < 0)
        return NULL;
    old = chorus_limit(self->conn, id, new_value);
    native_connection_leave(self);
    return PyLong_FromLong(old);
}

PyDoc_STRVAR(connection_exec_doc, "exec(sql)\n\nRuns every statement of sql, "
                                  "dropping result rows (chorus_exec).");

int
native_connection_exec(native_connection *self, const char *text)
{
    native_error err;
    int rc;

    if (native_connection_enter(self) < 0)
        return -1;
    Py_BEGIN_ALLOW_THREADS
    rc = chorus_exec(self->conn, text);
    if (rc != CHORUS_OK)
        native_error_capture(self->conn, rc, &err);
    Py_END_ALLOW_THREADS
    native_connection_leave(self);
    if (native_collation_error_raise() < 0)     /* functions.c PF6 */
        return -1;
    if (rc != CHORUS_OK) {
        native_error_raise(self->state, &err);
        return -1;
    }
    return 0;
}

static PyObject *
connection_exec(native_connection *self, PyObject *sql)
{
    const char *text;
    Py_ssize_t nbytes;

    if (connection_sql_text(self, sql, &text, &nbytes) < 0
        || native_connection_exec(self, text) < 0)
        return NULL;
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
        statement = native_statement_new(self, stmt, sql);
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

PyDoc_STRVAR(connection_rollback_doc,
             "rollback()\n\nROLLBACK, after resetting every statement a cursor still reads "
             "(the engine cannot roll back under them): those cursors' next fetch raises "
             "InterfaceError.");

static PyObject *
connection_rollback(native_connection *self, PyObject *unused)
{
    PyObject *reading = PyList_New(0);
    Py_ssize_t i;
    int rc = 0;

    /* A list of strong references first: each reset drops the GIL, and
     * another thread may recycle (unlink, free) a lent statement meanwhile. */
    if (reading == NULL)
        return NULL;
    for (native_statement *statement = self->lent; statement != NULL && rc == 0;
         statement = statement->lent_next)
        if (!statement->aborted && statement->stmt != NULL)
            rc = PyList_Append(reading, (PyObject *)statement);
    for (i = 0; i < PyList_GET_SIZE(reading) && rc == 0; i++) {
        native_statement *statement = (native_statement *)PyList_GET_ITEM(reading, i);

        rc = native_statement_reset(statement);
        statement->aborted = rc == 0;
    }
    Py_DECREF(reading);
    if (rc < 0 || native_connection_exec(self, "ROLLBACK") < 0)
        return NULL;
    Py_RETURN_NONE;
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
int
native_connection_read(native_connection *self, int64_t (*read)(chorus_conn *), int64_t *out)
{
    if (native_connection_enter(self) < 0)
        return -1;
    *out = read(self->conn);
    native_connection_leave(self);
    return 0;
}

int64_t
native_read_in_transaction(chorus_conn *conn)
{
    return chorus_in_transaction(conn);
}

static PyObject *
connection_get_changes(native_connection *self, void *unused)
{
    int64_t n;

    return native_connection_read(self, chorus_changes, &n) < 0 ? NULL : PyLong_FromLongLong(n);
}

static PyObject *
connection_get_total_changes(native_connection *self, void *unused)
{
    int64_t n;

    return native_connection_read(self, chorus_total_changes, &n) < 0 ? NULL : PyLong_FromLongLong(n);
}

static PyObject *
connection_get_last_insert_rowid(native_connection *self, void *unused)
{
    int64_t rowid;

    return native_connection_read(self, chorus_last_insert_rowid, &rowid) < 0
               ? NULL : PyLong_FromLongLong(rowid);
}

static PyObject *
connection_get_in_transaction(native_connection *self, void *unused)
{
    int64_t in_transaction;

    return native_connection_read(self, native_read_in_transaction, &in_transaction) < 0
               ? NULL : PyBool_FromLong((long)in_transaction);
}

static PyObject *
connection_get_closed(native_connection *self, void *unused)
{
    return PyBool_FromLong(self->conn == NULL);
}

static PyObject *
connection_get_lending(native_connection *self, void *unused)
{
    return PyBool_FromLong(self->lent != NULL);
}

static PyMethodDef connection_methods[] = {
    {"close", (PyCFunction)connection_close, METH_NOARGS, connection_close_doc},
    {"exec", (PyCFunction)connection_exec, METH_O, connection_exec_doc},
    {"limit", (PyCFunction)connection_limit, METH_VARARGS, connection_limit_doc},
    {"prepare", (PyCFunction)connection_prepare, METH_O, connection_prepare_doc},
    {"interrupt", (PyCFunction)connection_interrupt, METH_NOARGS, connection_interrupt_doc},
    {"rollback", (PyCFunction)connection_rollback, METH_NOARGS, connection_rollback_doc},
    {"busy_timeout", (PyCFunction)connection_busy_timeout, METH_O,
     connection_busy_timeout_doc},
    {"create_function", (PyCFunction)native_connection_create_function, METH_VARARGS,
     "create_function(name, narg, func, deterministic=False)"},
    {"create_aggregate", (PyCFunction)native_connection_create_aggregate, METH_VARARGS,
     "create_aggregate(name, narg, cls)"},
    {"create_window_function", (PyCFunction)native_connection_create_window_function,
     METH_VARARGS, "create_window_function(name, narg, cls)"},
    {"create_collation", (PyCFunction)native_connection_create_collation, METH_VARARGS,
     "create_collation(name, func)"},
    {"set_progress_handler", (PyCFunction)native_connection_set_progress_handler,
     METH_VARARGS, "set_progress_handler(handler, n): handler() every n steps; None removes"},
    {"set_authorizer", (PyCFunction)native_connection_set_authorizer, METH_O,
     "set_authorizer(callback): callback(action, arg1, arg2, db, source) judges each "
     "statement compiled; None removes"},
    {"set_trace_callback", (PyCFunction)native_connection_set_trace_callback, METH_O,
     "set_trace_callback(callback): callback(sql) as each statement starts; None removes"},
    {"blob_open", (PyCFunction)native_connection_blob_open, METH_VARARGS,
     "blob_open(table, column, row, readonly, name) -> blob: chorus_blob_open"},
    {"blob_len", (PyCFunction)native_connection_blob_len, METH_O,
     "blob_len(blob) -> its size in bytes"},
    {"blob_read", (PyCFunction)native_connection_blob_read, METH_VARARGS,
     "blob_read(blob, n, offset) -> bytes"},
    {"blob_write", (PyCFunction)native_connection_blob_write, METH_VARARGS,
     "blob_write(blob, data, offset)"},
    {"blob_close", (PyCFunction)native_connection_blob_close, METH_O,
     "blob_close(blob): closes it; later calls raise ProgrammingError"},
    {"backup_init", (PyCFunction)native_connection_backup_init, METH_VARARGS,
     "backup_init(target, name) -> backup: chorus_backup_init into target's main"},
    {"backup_step", (PyCFunction)native_connection_backup_step, METH_VARARGS,
     "backup_step(backup, pages) -> result code"},
    {"backup_counts", (PyCFunction)native_connection_backup_counts, METH_O,
     "backup_counts(backup) -> (remaining, pagecount)"},
    {"backup_finish", (PyCFunction)native_connection_backup_finish, METH_O,
     "backup_finish(backup): ends it; raises the error that ended it"},
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
    {"lending", (getter)connection_get_lending, NULL,
     "True while a cursor holds a statement out of the cache (reading).", NULL},
    {NULL, NULL, NULL, NULL, NULL},
};

static PyType_Slot connection_slots[] = {
    {Py_tp_doc, "Connection(database, flags=0, cached_statements=128, check_same_thread=True)"
                "\n\nA native ChorusDB connection (chorus_open + chorus_connect) with its "
                "statement cache. Use chorusdb.connect() instead."},
    {Py_tp_new, connection_new},
    {Py_tp_dealloc, connection_dealloc},
    {Py_tp_traverse, connection_traverse},
    {Py_tp_clear, connection_clear},
    {Py_tp_methods, connection_methods},
    {Py_tp_getset, connection_getset},
    {0, NULL},
};

PyType_Spec native_connection_spec = {
    .name = "chorusdb._chorus.Connection",
    .basicsize = sizeof(native_connection),
    .flags = Py_TPFLAGS_DEFAULT | Py_TPFLAGS_HAVE_GC,
    .slots = connection_slots,
};
