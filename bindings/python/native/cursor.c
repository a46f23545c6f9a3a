/*
 * bindings/python/native/cursor.c: chorusdb._chorus.Cursor, the base class
 * of chorusdb.Cursor: execute, executemany and the fetches in C, so that a
 * query costs no Python frame of the binding (#5; sqlite3 does the same
 * work in C).
 *
 * Rules (the DB-API behaviour of sqlite3, which chorusdb/dbapi2.py states)
 *   C1  A cursor steps one row ahead: execute() runs the statement to its
 *       first row (so errors surface there, and DML runs to completion);
 *       each fetch takes the current row and steps to the next. A finished
 *       statement goes back to the connection's cache at once, ending its
 *       read (native_connection_recycle).
 *   C2  Legacy transaction control: before a DML statement, when the
 *       connection's _implicit_begin is not None (set by chorusdb) and no
 *       transaction is open, that BEGIN runs first.
 *   C3  rowcount: -1, or for DML the rows changed, summed over executemany
 *       and counted once the statement finished; lastrowid after execute()
 *       is the connection's last insert rowid (executemany leaves it).
 *   C4  What is not on the hot path stays in Python and is called only
 *       when needed: Connection._prepare (a statement not in the cache),
 *       Connection._describe (detect_types), Cursor._make_row (converters
 *       or a row_factory), Connection.text_factory (read once per fetch).
 *   C5  While execute(), executemany() or a fetch runs, the cursor is in
 *       use: Python code it calls (an adapter, the parameter iterator, a
 *       converter, a row_factory) that uses the same cursor again (execute,
 *       fetch, close, __init__) gets ProgrammingError "Recursive use of
 *       cursors not allowed.", as in sqlite3.
 *   C6  close() checks like every method (uninitialised cursor, recursive
 *       use, closed connection, foreign thread) except that closing twice is
 *       harmless.
 *
 * Locking: every engine call goes through statement.c and connection.c
 * (native.h N2). A cursor belongs to the thread of its connection unless
 * check_same_thread is off; its fields are then guarded by the GIL only, as
 * sqlite3's are.
 * Ownership: the cursor holds strong references to its Python connection,
 * the native connection and the statement it reads (taken out of the cache
 * until it is recycled).
 * Callers: chorusdb/dbapi2.py (class Cursor extends this type).
 */
#include "native.h"

#include <stddef.h>

#include <structmember.h>

typedef struct {
    PyObject_HEAD
    PyObject *connection;           /* chorusdb.Connection (strong) */
    native_connection *native;      /* connection._native (strong); NULL before init */
    native_statement *statement;    /* has a current row (C1), or NULL; strong */
    PyObject *description;          /* tuple or None */
    PyObject *row_factory;
    PyObject *converters;           /* [(column, converter)] under detect_types, or None */
    PyObject *row_index;            /* chorusdb.Row's name map of this result, or None */
    PyObject *lastrowid;
    long long rowcount;
    Py_ssize_t arraysize;
    int closed;
    int in_use;                     /* C5 */
} native_cursor;

static int
cursor_traverse(native_cursor *self, visitproc visit, void *arg)
{
    Py_VISIT(Py_TYPE(self));
    Py_VISIT(self->connection);
    Py_VISIT(self->native);
    Py_VISIT(self->statement);
    Py_VISIT(self->description);
    Py_VISIT(self->row_factory);
    Py_VISIT(self->converters);
    Py_VISIT(self->row_index);
    Py_VISIT(self->lastrowid);
    return 0;
}

/* Gives the statement back to the connection's cache (C1). */
static void
cursor_release(native_cursor *self)
{
    native_statement *statement = self->statement;

    self->statement = NULL;
    if (statement != NULL)
        native_connection_recycle(self->native, statement);
}

static int
cursor_clear(native_cursor *self)
{
    cursor_release(self);
    Py_CLEAR(self->connection);
    Py_CLEAR(self->native);
    Py_CLEAR(self->description);
    Py_CLEAR(self->row_factory);
    Py_CLEAR(self->converters);
    Py_CLEAR(self->row_index);
    Py_CLEAR(self->lastrowid);
    return 0;
}

static void
cursor_dealloc(native_cursor *self)
{
    PyTypeObject *type = Py_TYPE(self);

    PyObject_GC_UnTrack(self);
    cursor_clear(self);
    type->tp_free((PyObject *)self);
    Py_DECREF(type);
}

/* The module state, through this type (or the subclass's base that is
 * this type). Borrowed. */
static native_state *
cursor_module_state(PyTypeObject *type)
{
    while (type->tp_dealloc != (destructor)cursor_dealloc)
        type = type->tp_base;
    return PyType_GetModuleState(type);
}

static int
cursor_init(native_cursor *self, PyObject *args, PyObject *kwargs)
{
    static char *keywords[] = {"connection", NULL};
    PyObject *connection, *native, *row_factory;

    if (!PyArg_ParseTupleAndKeywords(args, kwargs, "O:Cursor", keywords, &connection))
        return -1;
    if (self->in_use) {
        PyErr_SetString(cursor_module_state(Py_TYPE(self))->ProgrammingError,
                        "Recursive use of cursors not allowed.");
        return -1;
    }
    native = PyObject_GetAttr(connection, cursor_module_state(Py_TYPE(self))->str_native);
    if (native == NULL || !native_connection_is(native)) {
        Py_XDECREF(native);
        PyErr_Clear();
        PyErr_SetString(PyExc_TypeError, "Cursor() needs a chorusdb.Connection");
        return -1;
    }
    row_factory = native_connection_check((native_connection *)native) < 0
                      ? NULL
                      : PyObject_GetAttr(connection,
                                         ((native_connection *)native)->state->str_row_factory);
    if (row_factory == NULL) {
        Py_DECREF(native);
        return -1;
    }
    cursor_release(self);
    Py_INCREF(connection);
    Py_XSETREF(self->connection, connection);
    Py_XSETREF(self->native, (native_connection *)native);
    Py_XSETREF(self->row_factory, row_factory);
    Py_XSETREF(self->description, Py_NewRef(Py_None));
    Py_XSETREF(self->converters, Py_NewRef(Py_None));
    Py_XSETREF(self->row_index, Py_NewRef(Py_None));
    Py_XSETREF(self->lastrowid, Py_NewRef(Py_None));
    self->rowcount = -1;
    self->arraysize = 1;
    self->closed = 0;
    return 0;
}

/* Raises the error for an uninitialised cursor, one in use (C5), a closed
 * connection or a foreign thread. Returns 0 or -1. */
static int
cursor_check_usable(native_cursor *self)
{
    if (self->native == NULL) {
        PyErr_SetString(cursor_module_state(Py_TYPE(self))->ProgrammingError,
                        "Base Cursor.__init__ not called.");
        return -1;
    }
    if (self->in_use) {
        native_error_raise_text(self->native->state->ProgrammingError,
                                "Recursive use of cursors not allowed.");
        return -1;
    }
    return native_connection_check(self->native);
}

/* cursor_check_usable, and the error for a closed cursor. Returns 0 or -1. */
static int
cursor_check(native_cursor *self)
{
    if (cursor_check_usable(self) < 0)
        return -1;
    if (self->closed) {
        native_error_raise_text(self->native->state->ProgrammingError,
                                "Cannot operate on a closed cursor.");
        return -1;
    }
    return 0;
}

/* cursor_check, then marks the cursor in use (C5) until cursor_leave. */
static int
cursor_enter(native_cursor *self)
{
    if (cursor_check(self) < 0)
        return -1;
    self->in_use = 1;
    return 0;
}

/* Ends the use cursor_enter began; passes result through. */
static PyObject *
cursor_leave(native_cursor *self, PyObject *result)
{
    self->in_use = 0;
    return result;
}

/* The start of execute() and executemany() (the cursor entered, C5):
 * forgets the previous result and returns the statement for sql (new
 * reference; Py_None for SQL without a statement). */
static PyObject *
cursor_start(native_cursor *self, PyObject *sql)
{
    if (!PyUnicode_Check(sql))
        return PyErr_Format(PyExc_TypeError, "sql must be str, not %.100s",
                            Py_TYPE(sql)->tp_name);
    cursor_release(self);
    Py_SETREF(self->description, Py_NewRef(Py_None));
    self->rowcount = -1;
    return native_connection_statement(self->native, sql, self->connection);
}

/* Binds parameters (NULL: none given) to the current statement. */
static int
cursor_bind(native_cursor *self, PyObject *parameters)
{
    PyObject *none_given;
    int rc;

    if (parameters != NULL)
        return native_bind_parameters(self->statement, parameters);
    if ((none_given = PyTuple_New(0)) == NULL)
        return -1;
    rc = native_bind_parameters(self->statement, none_given);
    Py_DECREF(none_given);
    return rc;
}

/* C2: runs the implicit BEGIN before a DML statement when one is due. */
static int
cursor_begin_implicit(native_cursor *self)
{
    PyObject *begin = PyObject_GetAttr(self->connection, self->native->state->str_implicit_begin);
    int64_t in_transaction = 0;
    int rc = 0;

    if (begin == NULL)
        return -1;
    if (begin != Py_None) {
        const char *text = PyUnicode_AsUTF8(begin);

        if (text == NULL
            || native_connection_read(self->native, native_read_in_transaction, &in_transaction) < 0)
            rc = -1;
        else if (!in_transaction)
            rc = native_connection_exec(self->native, text);
    }
    Py_DECREF(begin);
    return rc;
}

/* The description and converters of the new result (C4). */
static int
cursor_describe(native_cursor *self)
{
    native_statement *statement = self->statement;
    PyObject *detect = PyObject_GetAttr(self->connection, self->native->state->str_detect_types);
    PyObject *pair;
    int is_set;

    if (detect == NULL)
        return -1;
    is_set = PyObject_IsTrue(detect);
    if (is_set <= 0) {
        PyObject *description = is_set < 0 ? NULL : native_statement_description(statement);

        Py_DECREF(detect);
        if (description == NULL)
            return -1;
        Py_SETREF(self->description, Py_NewRef(description));
        Py_SETREF(self->converters, Py_NewRef(Py_None));
        return 0;
    }
    pair = PyObject_CallMethod(self->connection, "_describe", "OO", (PyObject *)statement, detect);
    Py_DECREF(detect);
    if (pair == NULL)
        return -1;
    if (!PyTuple_Check(pair) || PyTuple_GET_SIZE(pair) != 2) {
        Py_DECREF(pair);
        PyErr_SetString(PyExc_TypeError, "_describe() must return (description, converters)");
        return -1;
    }
    Py_SETREF(self->description, Py_NewRef(PyTuple_GET_ITEM(pair, 0)));
    Py_SETREF(self->converters, Py_NewRef(PyTuple_GET_ITEM(pair, 1)));
    Py_DECREF(pair);
    return 0;
}

/* C1: steps the current statement; releases it when done, counting its
 * changes (C3). With describe (execute's first step), the result is
 * described after the step and before the release: the step is where the
 * engine re-prepares a statement for a changed schema, with perhaps other
 * columns. Returns 0 or -1. */
static int
cursor_advance(native_cursor *self, int describe)
{
    native_statement *statement = self->statement;
    int has_row = native_statement_step(statement);
    int64_t changes;

    if (has_row < 0
        || (describe && (native_statement_check_columns(statement) < 0
                         || cursor_describe(self) < 0))) {
        cursor_release(self);
        return -1;
    }
    if (has_row == 0) {
        if (statement->is_dml) {
            if (native_connection_read(self->native, chorus_changes, &changes) < 0) {
                cursor_release(self);
                return -1;
            }
            self->rowcount += changes;
        }
        cursor_release(self);
    }
    return 0;
}

PyDoc_STRVAR(cursor_execute_doc,
             "execute(sql, parameters=(), /)\n\nRuns one statement with parameters (a sequence "
             "for ?, a mapping for :name); returns the cursor, ready to fetch.");

static PyObject *
cursor_execute_entered(native_cursor *self, PyObject *const *args, Py_ssize_t nargs)
{
    PyObject *statement;
    int64_t rowid;

    if (nargs < 1 || nargs > 2)
        return PyErr_Format(PyExc_TypeError, "execute expected 1 or 2 arguments, got %zd",
                            nargs);
    statement = cursor_start(self, args[0]);
    if (statement == NULL)
        return NULL;
    if (statement == Py_None) {
        Py_DECREF(statement);
        return Py_NewRef((PyObject *)self);
    }
    self->statement = (native_statement *)statement;
    if (cursor_bind(self, nargs > 1 ? args[1] : NULL) < 0
        || (self->statement->is_dml && cursor_begin_implicit(self) < 0)) {
        cursor_release(self);
        return NULL;
    }
    Py_SETREF(self->row_index, Py_NewRef(Py_None));
    self->rowcount = self->statement->is_dml ? 0 : -1;
    if (cursor_advance(self, 1) < 0
        || native_connection_read(self->native, chorus_last_insert_rowid, &rowid) < 0)
        return NULL;
    Py_SETREF(self->lastrowid, PyLong_FromLongLong(rowid));
    if (self->lastrowid == NULL)
        return NULL;
    return Py_NewRef((PyObject *)self);
}

static PyObject *
cursor_execute(native_cursor *self, PyObject *const *args, Py_ssize_t nargs)
{
    if (cursor_enter(self) < 0)
        return NULL;
    return cursor_leave(self, cursor_execute_entered(self, args, nargs));
}

PyDoc_STRVAR(cursor_executemany_doc,
             "executemany(sql, seq_of_parameters, /)\n\nRuns one DML statement once per item "
             "of seq_of_parameters; rowcount sums the changes.");

/* Binds and runs statement once per item of parameters_seq (C2, C3). */
static int
cursor_run_many(native_cursor *self, native_statement *statement, PyObject *parameters_seq)
{
    PyObject *items = PyObject_GetIter(parameters_seq);
    PyObject *parameters;
    int begun = !statement->is_dml;     /* C2 is checked until a transaction is open */
    int64_t changes, in_transaction;

    if (items == NULL)
        return -1;
    while ((parameters = PyIter_Next(items)) != NULL) {
        int rc = native_bind_parameters(statement, parameters);

        Py_DECREF(parameters);
        if (rc == 0 && !begun) {
            rc = cursor_begin_implicit(self);
            if (rc == 0)
                rc = native_connection_read(self->native, native_read_in_transaction,
                                            &in_transaction);
            begun = rc == 0 && in_transaction;
        }
        if (rc == 0)
            rc = native_statement_run(statement, &changes);
        if (rc == 1)
            native_error_raise_text(self->native->state->ProgrammingError,
                                    "executemany() can only execute DML statements.");
        if (rc != 0) {
            Py_DECREF(items);
            return -1;
        }
        if (statement->is_dml)
            self->rowcount += changes;
    }
    Py_DECREF(items);
    return PyErr_Occurred() ? -1 : 0;
}

static PyObject *
cursor_executemany_entered(native_cursor *self, PyObject *const *args, Py_ssize_t nargs)
{
    native_statement *statement;
    PyObject *started;
    int readonly, rc;

    if (nargs != 2)
        return PyErr_Format(PyExc_TypeError, "executemany expected 2 arguments, got %zd", nargs);
    started = cursor_start(self, args[0]);
    if (started == NULL)
        return NULL;
    if (started == Py_None) {
        Py_DECREF(started);
        return Py_NewRef((PyObject *)self);
    }
    statement = (native_statement *)started;
    if (native_statement_enter(statement) < 0) {
        native_connection_recycle(self->native, statement);
        return NULL;
    }
    readonly = chorus_stmt_readonly(statement->stmt);
    native_statement_leave(statement);
    if (readonly) {
        native_connection_recycle(self->native, statement);
        return native_error_raise_text(self->native->state->ProgrammingError,
                                       "executemany() can only execute DML statements.");
    }
    self->rowcount = statement->is_dml ? 0 : -1;
    rc = cursor_run_many(self, statement, args[1]);
    native_connection_recycle(self->native, statement);
    return rc < 0 ? NULL : Py_NewRef((PyObject *)self);
}

static PyObject *
cursor_executemany(native_cursor *self, PyObject *const *args, Py_ssize_t nargs)
{
    if (cursor_enter(self) < 0)
        return NULL;
    return cursor_leave(self, cursor_executemany_entered(self, args, nargs));
}

/* The next row (C1), shaped by _make_row when converters or a row_factory
 * apply (C4). New reference; NULL without an exception at the end. */
static PyObject *
cursor_next_row(native_cursor *self)
{
    PyObject *text_factory, *values, *row;

    if (self->statement == NULL)
        return NULL;
    if (self->statement->aborted) {
        cursor_release(self);
        return native_error_raise_text(self->native->state->InterfaceError,
                                       "Cursor needed to be reset because of commit/rollback "
                                       "and can no longer be fetched from.");
    }
    text_factory = PyObject_GetAttr(self->connection, self->native->state->str_text_factory);
    if (text_factory == NULL)
        return NULL;
    values = native_statement_row(self->statement, text_factory);
    Py_DECREF(text_factory);
    if (values == NULL)
        return NULL;
    if (cursor_advance(self, 0) < 0) {
        Py_DECREF(values);
        return NULL;
    }
    if (self->converters == Py_None && self->row_factory == Py_None)
        return values;
    row = PyObject_CallMethod((PyObject *)self, "_make_row", "(O)", values);
    Py_DECREF(values);
    return row;
}

PyDoc_STRVAR(cursor_fetchone_doc, "fetchone()\n\nThe next row, or None when there are no more.");

static PyObject *
cursor_fetchone(native_cursor *self, PyObject *unused)
{
    PyObject *row;

    if (cursor_enter(self) < 0)
        return NULL;
    row = cursor_leave(self, cursor_next_row(self));
    if (row == NULL && !PyErr_Occurred())
        Py_RETURN_NONE;
    return row;
}

/* Up to limit rows (all with limit < 0) as a list. */
static PyObject *
cursor_fetch_list(native_cursor *self, Py_ssize_t limit)
{
    PyObject *rows;

    if (cursor_enter(self) < 0)
        return NULL;
    if ((rows = PyList_New(0)) == NULL)
        return cursor_leave(self, NULL);
    while (limit < 0 || PyList_GET_SIZE(rows) < limit) {
        PyObject *row = cursor_next_row(self);
        int rc;

        if (row == NULL)
            break;
        rc = PyList_Append(rows, row);
        Py_DECREF(row);
        if (rc < 0)
            break;
    }
    if (PyErr_Occurred()) {
        Py_DECREF(rows);
        return cursor_leave(self, NULL);
    }
    return cursor_leave(self, rows);
}

PyDoc_STRVAR(cursor_fetchmany_doc,
             "fetchmany(size=cursor.arraysize)\n\nUp to size rows as a list.");

static PyObject *
cursor_fetchmany(native_cursor *self, PyObject *args, PyObject *kwargs)
{
    static char *keywords[] = {"size", NULL};
    PyObject *size_arg = Py_None;
    Py_ssize_t size = self->arraysize;

    if (!PyArg_ParseTupleAndKeywords(args, kwargs, "|O:fetchmany", keywords, &size_arg))
        return NULL;
    if (size_arg != Py_None && (size = PyNumber_AsSsize_t(size_arg, PyExc_OverflowError)) == -1
        && PyErr_Occurred())
        return NULL;
    return cursor_fetch_list(self, size < 0 ? 0 : size);
}

PyDoc_STRVAR(cursor_fetchall_doc, "fetchall()\n\nEvery remaining row as a list.");

static PyObject *
cursor_fetchall(native_cursor *self, PyObject *unused)
{
    return cursor_fetch_list(self, -1);
}

static PyObject *
cursor_iternext(native_cursor *self)
{
    if (cursor_enter(self) < 0)
        return NULL;
    return cursor_leave(self, cursor_next_row(self));
}

PyDoc_STRVAR(cursor_close_doc,
             "close()\n\nCloses the cursor; later calls raise ProgrammingError. Harmless twice.");

static PyObject *
cursor_close(native_cursor *self, PyObject *unused)
{
    if (cursor_check_usable(self) < 0)      /* C6 */
        return NULL;
    if (!self->closed) {
        cursor_release(self);
        self->closed = 1;
    }
    Py_RETURN_NONE;
}

PyDoc_STRVAR(cursor_forget_doc,
             "_forget()\n\nChecks the cursor can be used and forgets its result "
             "(executescript).");

static PyObject *
cursor_forget(native_cursor *self, PyObject *unused)
{
    if (cursor_check(self) < 0)
        return NULL;
    cursor_release(self);
    Py_SETREF(self->description, Py_NewRef(Py_None));
    self->rowcount = -1;
    Py_RETURN_NONE;
}

static PyMethodDef cursor_methods[] = {
    {"execute", (PyCFunction)(void (*)(void))cursor_execute, METH_FASTCALL, cursor_execute_doc},
    {"executemany", (PyCFunction)(void (*)(void))cursor_executemany, METH_FASTCALL,
     cursor_executemany_doc},
    {"fetchone", (PyCFunction)cursor_fetchone, METH_NOARGS, cursor_fetchone_doc},
    {"fetchmany", (PyCFunction)(void (*)(void))cursor_fetchmany, METH_VARARGS | METH_KEYWORDS,
     cursor_fetchmany_doc},
    {"fetchall", (PyCFunction)cursor_fetchall, METH_NOARGS, cursor_fetchall_doc},
    {"close", (PyCFunction)cursor_close, METH_NOARGS, cursor_close_doc},
    {"_forget", (PyCFunction)cursor_forget, METH_NOARGS, cursor_forget_doc},
    {NULL, NULL, 0, NULL},
};

static PyMemberDef cursor_members[] = {
    {"connection", T_OBJECT, offsetof(native_cursor, connection), READONLY,
     "The connection the cursor belongs to."},
    {"description", T_OBJECT, offsetof(native_cursor, description), READONLY,
     "(name, None x 6) per result column of the last execute(), or None."},
    {"rowcount", T_LONGLONG, offsetof(native_cursor, rowcount), READONLY,
     "Rows changed by the last DML execute()/executemany(), else -1."},
    {"lastrowid", T_OBJECT, offsetof(native_cursor, lastrowid), READONLY,
     "The last insert rowid after execute(), or None."},
    {"arraysize", T_PYSSIZET, offsetof(native_cursor, arraysize), 0,
     "Rows fetchmany() returns by default."},
    {"row_factory", T_OBJECT, offsetof(native_cursor, row_factory), 0,
     "Called as row_factory(cursor, row) for every row, unless None."},
    {"_converters", T_OBJECT, offsetof(native_cursor, converters), 0,
     "chorusdb: the converters of the current result, or None."},
    {"_index", T_OBJECT, offsetof(native_cursor, row_index), 0,
     "chorusdb: Row's name map of the current result, or None."},
    {NULL, 0, 0, 0, NULL},
};

static PyType_Slot cursor_slots[] = {
    {Py_tp_doc, "The C part of chorusdb.Cursor."},
    {Py_tp_new, PyType_GenericNew},
    {Py_tp_init, cursor_init},
    {Py_tp_dealloc, cursor_dealloc},
    {Py_tp_traverse, cursor_traverse},
    {Py_tp_clear, cursor_clear},
    {Py_tp_iter, PyObject_SelfIter},
    {Py_tp_iternext, cursor_iternext},
    {Py_tp_methods, cursor_methods},
    {Py_tp_members, cursor_members},
    {0, NULL},
};

PyType_Spec native_cursor_spec = {
    .name = "chorusdb._chorus.Cursor",
    .basicsize = sizeof(native_cursor),
    .flags = Py_TPFLAGS_DEFAULT | Py_TPFLAGS_BASETYPE | Py_TPFLAGS_HAVE_GC,
    .slots = cursor_slots,
};
