/*
 * bindings/python/native/statement.c: chorusdb._chorus.Statement, one
 * chorus_stmt of a connection.
 *
 * Only the connection's prepare() makes statements. Each entry point converts
 * its arguments, makes the chorus_* calls one operation needs (binding all
 * parameters, one step, reading one row) and translates the result; which
 * statement runs when, and what a cursor does with the rows, is decided in
 * chorusdb/dbapi2.py.
 *
 * Values cross as sqlite3 maps them: None <-> NULL, int <-> INTEGER (64-bit;
 * a larger int is OverflowError), float <-> REAL, str <-> TEXT (UTF-8),
 * bytes-like -> BLOB -> bytes. Text and blob bytes are copied into Python
 * objects before the next step (chorus.h lifetime rule).
 *
 * Invariants: native.h N2 (every call under the connection lock; step, reset
 * and finalize without the GIL) and N3 (a closed connection has already freed
 * the handle: stmt is never used again).
 * Ownership: stmt is owned, finalized by finalize() or deallocation; the
 * statement holds a strong reference to its connection.
 * Callers: connection.c (native_statement_new) and chorusdb/dbapi2.py.
 */
#include "native.h"

#include <string.h>

typedef struct {
    PyObject_HEAD
    native_connection *connection; /* strong reference (N3) */
    chorus_stmt *stmt;             /* owned; NULL once finalized */
} native_statement;

PyObject *
native_statement_new(native_connection *connection, chorus_stmt *stmt)
{
    PyTypeObject *type = connection->state->statement_type;
    native_statement *self;

    self = (native_statement *)type->tp_alloc(type, 0);
    if (self == NULL) {
        chorus_finalize(stmt);
        return NULL;
    }
    Py_INCREF(connection);
    self->connection = connection;
    self->stmt = stmt;
    return (PyObject *)self;
}

/* Takes the connection lock for a call on a live statement. Returns 0, or -1
 * with ProgrammingError set (lock not held). */
static int
statement_enter(native_statement *self)
{
    if (native_connection_enter(self->connection) < 0)
        return -1;
    if (self->stmt == NULL) {
        native_connection_leave(self->connection);
        native_error_raise_text(self->connection->state->ProgrammingError,
                                "Cannot operate on a finalized statement.");
        return -1;
    }
    return 0;
}

static void
statement_leave(native_statement *self)
{
    native_connection_leave(self->connection);
}

/* Captures rc's failure, leaves the lock and raises. Returns NULL. */
static PyObject *
statement_fail(native_statement *self, int rc)
{
    native_error err;

    native_error_capture(self->connection->conn, rc, &err);
    statement_leave(self);
    return native_error_raise(self->connection->state, &err);
}

static PyObject *
statement_refuse_new(PyTypeObject *type, PyObject *args, PyObject *kwargs)
{
    return PyErr_Format(PyExc_TypeError, "cannot create '%.100s' instances; use "
                        "Connection.prepare()", type->tp_name);
}

static void
statement_dealloc(native_statement *self)
{
    PyTypeObject *type = Py_TYPE(self);
    PyObject *exc_type, *exc_value, *exc_tb;

    PyErr_Fetch(&exc_type, &exc_value, &exc_tb);
    if (self->stmt != NULL && self->connection != NULL && self->connection->conn != NULL
        && native_connection_enter(self->connection) == 0) {
        Py_BEGIN_ALLOW_THREADS
        chorus_finalize(self->stmt);
        Py_END_ALLOW_THREADS
        native_connection_leave(self->connection);
    }
    PyErr_Restore(exc_type, exc_value, exc_tb);
    Py_XDECREF(self->connection);
    type->tp_free((PyObject *)self);
    Py_DECREF(type);
}

/* Binds one Python value to parameter idx. Returns a chorus result code, or
 * -1 with a Python exception set for a value that cannot be bound. */
static int
statement_bind_value(native_statement *self, int idx, PyObject *value)
{
    if (value == Py_None)
        return chorus_bind_null(self->stmt, idx);
    if (PyLong_Check(value)) {
        int overflow;
        long long n = PyLong_AsLongLongAndOverflow(value, &overflow);

        if (overflow != 0) {
            PyErr_SetString(PyExc_OverflowError,
                            "Python int too large to convert to SQLite INTEGER");
            return -1;
        }
        if (n == -1 && PyErr_Occurred())
            return -1;
        return chorus_bind_int64(self->stmt, idx, (int64_t)n);
    }
    if (PyFloat_Check(value))
        return chorus_bind_double(self->stmt, idx, PyFloat_AS_DOUBLE(value));
    if (PyUnicode_Check(value)) {
        Py_ssize_t nbytes;
        const char *text = PyUnicode_AsUTF8AndSize(value, &nbytes);

        if (text == NULL)
            return -1;
        if (nbytes > INT32_MAX) {
            PyErr_SetString(PyExc_OverflowError, "string longer than INT_MAX bytes");
            return -1;
        }
        return chorus_bind_text(self->stmt, idx, text, (int)nbytes, CHORUS_TRANSIENT);
    }
    if (PyObject_CheckBuffer(value)) {
        Py_buffer view;
        int rc;

        if (PyObject_GetBuffer(value, &view, PyBUF_SIMPLE) < 0)
            return -1;
        if (view.len > INT32_MAX) {
            PyBuffer_Release(&view);
            PyErr_SetString(PyExc_OverflowError, "BLOB longer than INT_MAX bytes");
            return -1;
        }
        rc = chorus_bind_blob(self->stmt, idx, view.buf != NULL ? view.buf : "", (int)view.len,
                              CHORUS_TRANSIENT);
        PyBuffer_Release(&view);
        return rc;
    }
    PyErr_Format(self->connection->state->ProgrammingError,
                 "Error binding parameter %d: type '%.100s' is not supported", idx,
                 Py_TYPE(value)->tp_name);
    return -1;
}

PyDoc_STRVAR(statement_bind_doc,
             "bind(values)\n\nBinds values[i] to parameter i + 1 for every item of the "
             "sequence values (the caller has matched names and counts).");

static PyObject *
statement_bind(native_statement *self, PyObject *values)
{
    PyObject *items;
    Py_ssize_t i, n;
    int rc = CHORUS_OK;

    items = PySequence_Fast(values, "bind() needs a sequence of values");
    if (items == NULL)
        return NULL;
    if (statement_enter(self) < 0) {
        Py_DECREF(items);
        return NULL;
    }
    n = PySequence_Fast_GET_SIZE(items);
    for (i = 0; i < n && rc == CHORUS_OK; i++)
        rc = statement_bind_value(self, (int)(i + 1), PySequence_Fast_GET_ITEM(items, i));
    Py_DECREF(items);
    if (rc == -1) {
        statement_leave(self);
        return NULL;
    }
    if (rc != CHORUS_OK)
        return statement_fail(self, rc);
    statement_leave(self);
    Py_RETURN_NONE;
}

PyDoc_STRVAR(statement_step_doc, "step() -> bool\n\nRuns to the next row: True when a row "
                                 "is ready, False when the statement is done.");

static PyObject *
statement_step(native_statement *self, PyObject *unused)
{
    native_error err;
    int rc;

    if (statement_enter(self) < 0)
        return NULL;
    Py_BEGIN_ALLOW_THREADS
    rc = chorus_step(self->stmt);
    if (rc != CHORUS_ROW && rc != CHORUS_DONE)
        native_error_capture(self->connection->conn, rc, &err);
    Py_END_ALLOW_THREADS
    statement_leave(self);
    if (rc == CHORUS_ROW)
        Py_RETURN_TRUE;
    if (rc == CHORUS_DONE)
        Py_RETURN_FALSE;
    return native_error_raise(self->connection->state, &err);
}

/* Column col of the current row as a Python object; TEXT as str when
 * as_str, else as bytes. Returns a new reference or NULL. */
static PyObject *
statement_column_value(native_statement *self, int col, int as_str)
{
    const char *bytes;
    int nbytes;

    switch (chorus_column_type(self->stmt, col)) {
    case CHORUS_INTEGER:
        return PyLong_FromLongLong(chorus_column_int64(self->stmt, col));
    case CHORUS_FLOAT:
        return PyFloat_FromDouble(chorus_column_double(self->stmt, col));
    case CHORUS_TEXT:
        bytes = chorus_column_text(self->stmt, col);
        nbytes = chorus_column_bytes(self->stmt, col);
        if (bytes == NULL)
            return PyErr_NoMemory();
        if (!as_str)
            return PyBytes_FromStringAndSize(bytes, nbytes);
        {
            PyObject *text = PyUnicode_DecodeUTF8(bytes, nbytes, NULL);

            if (text == NULL && PyErr_ExceptionMatches(PyExc_UnicodeDecodeError)) {
                const char *name = chorus_column_name(self->stmt, col);

                PyErr_Clear();
                PyErr_Format(self->connection->state->OperationalError,
                             "Could not decode to UTF-8 column '%.200s' with text '%.200s'",
                             name != NULL ? name : "?", bytes);
            }
            return text;
        }
    case CHORUS_BLOB:
        bytes = chorus_column_blob(self->stmt, col);
        nbytes = chorus_column_bytes(self->stmt, col);
        return PyBytes_FromStringAndSize(nbytes > 0 ? bytes : "", nbytes);
    default:
        Py_RETURN_NONE;
    }
}

/* Applies text_factory to the TEXT values of row, which row() left as bytes
 * (is_text[i] marks them). Called without the lock: it runs Python code. */
static int
statement_apply_text_factory(PyObject *row, const char *is_text, PyObject *text_factory)
{
    Py_ssize_t i;

    for (i = 0; i < PyTuple_GET_SIZE(row); i++) {
        PyObject *converted;

        if (!is_text[i])
            continue;
        converted = PyObject_CallFunctionObjArgs(text_factory, PyTuple_GET_ITEM(row, i), NULL);
        if (converted == NULL)
            return -1;
        if (PyTuple_SetItem(row, i, converted) < 0) /* steals converted */
            return -1;
    }
    return 0;
}

PyDoc_STRVAR(statement_row_doc,
             "row(text_factory=str) -> tuple\n\nThe current row. TEXT values become str, "
             "bytes, or whatever text_factory returns for their UTF-8 bytes.");

static PyObject *
statement_row(native_statement *self, PyObject *const *args, Py_ssize_t nargs)
{
    PyObject *text_factory = nargs > 0 ? args[0] : (PyObject *)&PyUnicode_Type;
    int as_str = text_factory == (PyObject *)&PyUnicode_Type;
    int call_factory = !as_str && text_factory != (PyObject *)&PyBytes_Type;
    PyObject *row;
    char *is_text = NULL;
    int i, n;

    if (nargs > 1)
        return PyErr_Format(PyExc_TypeError, "row() takes at most 1 argument");
    if (statement_enter(self) < 0)
        return NULL;
    n = chorus_column_count(self->stmt);
    row = PyTuple_New(n);
    if (row != NULL && call_factory && n > 0) {
        is_text = PyMem_Calloc((size_t)n, 1);
        if (is_text == NULL)
            Py_CLEAR(row);
    }
    for (i = 0; row != NULL && i < n; i++) {
        PyObject *value;

        if (is_text != NULL)
            is_text[i] = chorus_column_type(self->stmt, i) == CHORUS_TEXT;
        value = statement_column_value(self, i, as_str);
        if (value == NULL)
            Py_CLEAR(row);
        else
            PyTuple_SET_ITEM(row, i, value);
    }
    statement_leave(self);
    if (row != NULL && is_text != NULL
        && statement_apply_text_factory(row, is_text, text_factory) < 0)
        Py_CLEAR(row);
    PyMem_Free(is_text);
    if (row == NULL && !PyErr_Occurred())
        PyErr_NoMemory();
    return row;
}

PyDoc_STRVAR(statement_reset_doc, "reset()\n\nRewinds the statement; bindings stay.");

static PyObject *
statement_reset(native_statement *self, PyObject *unused)
{
    int rc;

    if (statement_enter(self) < 0)
        return NULL;
    Py_BEGIN_ALLOW_THREADS
    rc = chorus_reset(self->stmt);
    Py_END_ALLOW_THREADS
    if (rc != CHORUS_OK)
        return statement_fail(self, rc);
    statement_leave(self);
    Py_RETURN_NONE;
}

PyDoc_STRVAR(statement_finalize_doc,
             "finalize()\n\nFrees the statement. Harmless on a finalized statement or "
             "after the connection closed.");

static PyObject *
statement_finalize(native_statement *self, PyObject *unused)
{
    chorus_stmt *stmt = self->stmt;

    if (stmt == NULL || self->connection->conn == NULL) {
        self->stmt = NULL;
        Py_RETURN_NONE;
    }
    if (native_connection_enter(self->connection) < 0)
        return NULL;
    self->stmt = NULL;
    Py_BEGIN_ALLOW_THREADS
    chorus_finalize(stmt);
    Py_END_ALLOW_THREADS
    native_connection_leave(self->connection);
    Py_RETURN_NONE;
}

/* A tuple of the strings get(stmt, i) for i below count(stmt); NULL strings
 * become None. */
static PyObject *
statement_names(native_statement *self, int (*count)(chorus_stmt *),
                const char *(*get)(chorus_stmt *, int), int first)
{
    PyObject *names;
    int i, n;

    if (statement_enter(self) < 0)
        return NULL;
    n = count(self->stmt);
    names = PyTuple_New(n);
    for (i = 0; names != NULL && i < n; i++) {
        const char *name = get(self->stmt, i + first);
        PyObject *item;

        if (name == NULL) {
            item = Py_None;
            Py_INCREF(item);
        } else {
            item = PyUnicode_DecodeUTF8(name, (Py_ssize_t)strlen(name), "replace");
        }
        if (item == NULL)
            Py_CLEAR(names);
        else
            PyTuple_SET_ITEM(names, i, item);
    }
    statement_leave(self);
    return names;
}

static PyObject *
statement_get_column_names(native_statement *self, void *unused)
{
    return statement_names(self, chorus_column_count, chorus_column_name, 0);
}

static PyObject *
statement_get_column_decltypes(native_statement *self, void *unused)
{
    return statement_names(self, chorus_column_count, chorus_column_decltype, 0);
}

static PyObject *
statement_get_parameter_names(native_statement *self, void *unused)
{
    /* Parameters count from 1. */
    return statement_names(self, chorus_bind_parameter_count, chorus_bind_parameter_name, 1);
}

static PyObject *
statement_get_readonly(native_statement *self, void *unused)
{
    int readonly;

    if (statement_enter(self) < 0)
        return NULL;
    readonly = chorus_stmt_readonly(self->stmt);
    statement_leave(self);
    return PyBool_FromLong(readonly);
}

static PyMethodDef statement_methods[] = {
    {"bind", (PyCFunction)statement_bind, METH_O, statement_bind_doc},
    {"step", (PyCFunction)statement_step, METH_NOARGS, statement_step_doc},
    {"row", (PyCFunction)(void (*)(void))statement_row, METH_FASTCALL, statement_row_doc},
    {"reset", (PyCFunction)statement_reset, METH_NOARGS, statement_reset_doc},
    {"finalize", (PyCFunction)statement_finalize, METH_NOARGS, statement_finalize_doc},
    {NULL, NULL, 0, NULL},
};

static PyGetSetDef statement_getset[] = {
    {"column_names", (getter)statement_get_column_names, NULL,
     "The result columns' names (a tuple; empty for statements without rows).", NULL},
    {"column_decltypes", (getter)statement_get_column_decltypes, NULL,
     "The declared type behind each result column, or None.", NULL},
    {"parameter_names", (getter)statement_get_parameter_names, NULL,
     "One item per parameter: its name with prefix (':a'), or None for '?'.", NULL},
    {"readonly", (getter)statement_get_readonly, NULL,
     "True if the statement never writes the database.", NULL},
    {NULL, NULL, NULL, NULL, NULL},
};

static PyType_Slot statement_slots[] = {
    {Py_tp_doc, "A prepared ChorusDB statement; made by Connection.prepare()."},
    {Py_tp_new, statement_refuse_new},
    {Py_tp_dealloc, statement_dealloc},
    {Py_tp_methods, statement_methods},
    {Py_tp_getset, statement_getset},
    {0, NULL},
};

PyType_Spec native_statement_spec = {
    .name = "chorusdb._chorus.Statement",
    .basicsize = sizeof(native_statement),
    .flags = Py_TPFLAGS_DEFAULT,
    .slots = statement_slots,
};
