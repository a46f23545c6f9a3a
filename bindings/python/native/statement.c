/*
 * bindings/python/native/statement.c: chorusdb._chorus.Statement, one
 * chorus_stmt of a connection.
 *
 * Only the connection's prepare() makes statements. Each entry point converts
 * its arguments, makes the chorus_* calls one operation needs (one step,
 * reading one row) and translates the result; the same operations are
 * exported to cursor.c (native.h), which decides which statement runs when.
 * What the cursor needs to know about a statement (parameter names and
 * mapping keys, the plain description) is computed once, here; the
 * descriptions are computed again when a step finds the engine re-prepared
 * the statement with another column count (native_statement_check_columns;
 * a change that keeps the count, such as a renamed column, is not seen).
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
 * statement holds a strong reference to its connection, which may hold the
 * statement in its cache: both types take part in garbage collection.
 * Callers: connection.c (native_statement_new), cursor.c, bind.c and
 * chorusdb (dump.py, dbapi2.py).
 */
#include "native.h"

#include <stddef.h>
#include <string.h>

#include <structmember.h>

/* A str for name (UTF-8 from the engine), or None for NULL. */
static PyObject *
name_or_none(const char *name)
{
    if (name == NULL)
        Py_RETURN_NONE;
    return PyUnicode_DecodeUTF8(name, (Py_ssize_t)strlen(name), "replace");
}

/* Fills param_names (':a', '?1' or None) and param_keys (the name without
 * its prefix, the key of a mapping; None for '?'). Returns 0 or -1. */
static int
statement_describe_parameters(native_statement *self)
{
    int n = chorus_bind_parameter_count(self->stmt);

    self->n_params = n;
    self->param_names = PyTuple_New(n);
    self->param_keys = PyTuple_New(n);
    if (self->param_names == NULL || self->param_keys == NULL)
        return -1;
    for (int i = 0; i < n; i++) {
        const char *name = chorus_bind_parameter_name(self->stmt, i + 1);
        PyObject *item = name_or_none(name);
        PyObject *key;

        if (item == NULL)
            return -1;
        PyTuple_SET_ITEM(self->param_names, i, item);
        if (name == NULL || name[0] == '?') {
            key = Py_None;
            Py_INCREF(key);
        } else {
            key = name_or_none(name + 1);
            if (key == NULL)
                return -1;
        }
        PyTuple_SET_ITEM(self->param_keys, i, key);
    }
    return 0;
}

PyObject *
native_statement_new(native_connection *connection, chorus_stmt *stmt, PyObject *sql)
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
    Py_INCREF(sql);
    self->sql = sql;
    self->n_columns = -1;
    if (statement_describe_parameters(self) < 0) {
        Py_DECREF(self);
        return NULL;
    }
    return (PyObject *)self;
}

int
native_statement_enter(native_statement *self)
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

void
native_statement_leave(native_statement *self)
{
    native_connection_leave(self->connection);
}

PyObject *
native_statement_fail(native_statement *self, int rc)
{
    native_error err;

    native_error_capture(self->connection->conn, rc, &err);
    native_statement_leave(self);
    return native_error_raise(self->connection->state, &err);
}

static PyObject *
statement_refuse_new(PyTypeObject *type, PyObject *args, PyObject *kwargs)
{
    return PyErr_Format(PyExc_TypeError, "cannot create '%.100s' instances; use "
                        "Connection.prepare()", type->tp_name);
}

static int
statement_traverse(native_statement *self, visitproc visit, void *arg)
{
    Py_VISIT(Py_TYPE(self));
    Py_VISIT(self->connection);
    Py_VISIT(self->descriptions);
    return 0;
}

/* Breaks reference cycles; the handle stays until deallocation, so the
 * connection it needs is kept too. */
static int
statement_clear(native_statement *self)
{
    Py_CLEAR(self->descriptions);
    return 0;
}

static void
statement_dealloc(native_statement *self)
{
    PyTypeObject *type = Py_TYPE(self);
    PyObject *exc_type, *exc_value, *exc_tb;

    PyObject_GC_UnTrack(self);
    if (self->connection != NULL)
        native_connection_unlend(self->connection, self);
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
    Py_XDECREF(self->sql);
    Py_XDECREF(self->param_names);
    Py_XDECREF(self->param_keys);
    Py_XDECREF(self->description);
    Py_XDECREF(self->descriptions);
    type->tp_free((PyObject *)self);
    Py_DECREF(type);
}

PyDoc_STRVAR(statement_step_doc, "step() -> bool\n\nRuns to the next row: True when a row "
                                 "is ready, False when the statement is done.");

int
native_statement_step(native_statement *self)
{
    native_error err;
    int rc;

    if (native_statement_enter(self) < 0)
        return -1;
    Py_BEGIN_ALLOW_THREADS
    rc = chorus_step(self->stmt);
    if (rc != CHORUS_ROW && rc != CHORUS_DONE)
        native_error_capture(self->connection->conn, rc, &err);
    Py_END_ALLOW_THREADS
    native_statement_leave(self);
    if (native_collation_error_raise() < 0)     /* functions.c PF6 */
        return -1;
    if (rc == CHORUS_ROW)
        return 1;
    if (rc == CHORUS_DONE)
        return 0;
    native_error_raise(self->connection->state, &err);
    return -1;
}

int
native_statement_run(native_statement *self, int64_t *changes)
{
    native_error err;
    int rc, rc_reset;

    *changes = 0;
    if (native_statement_enter(self) < 0)
        return -1;
    Py_BEGIN_ALLOW_THREADS
    rc = chorus_step(self->stmt);
    if (rc == CHORUS_DONE)
        *changes = chorus_changes(self->connection->conn);
    else if (rc != CHORUS_ROW)
        native_error_capture(self->connection->conn, rc, &err);
    rc_reset = chorus_reset(self->stmt);
    if (rc_reset != CHORUS_OK && (rc == CHORUS_DONE || rc == CHORUS_ROW)) {
        rc = rc_reset;
        native_error_capture(self->connection->conn, rc, &err);
    }
    Py_END_ALLOW_THREADS
    native_statement_leave(self);
    if (native_collation_error_raise() < 0)     /* functions.c PF6 */
        return -1;
    if (rc == CHORUS_DONE)
        return 0;
    if (rc == CHORUS_ROW)
        return 1;
    native_error_raise(self->connection->state, &err);
    return -1;
}

static PyObject *
statement_step(native_statement *self, PyObject *unused)
{
    int has_row = native_statement_step(self);

    return has_row < 0 ? NULL : PyBool_FromLong(has_row);
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

PyObject *
native_statement_row(native_statement *self, PyObject *text_factory)
{
    int as_str = text_factory == (PyObject *)&PyUnicode_Type;
    int call_factory = !as_str && text_factory != (PyObject *)&PyBytes_Type;
    PyObject *row;
    char *is_text = NULL;
    int i, n;

    if (native_statement_enter(self) < 0)
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
    native_statement_leave(self);
    if (row != NULL && is_text != NULL
        && statement_apply_text_factory(row, is_text, text_factory) < 0)
        Py_CLEAR(row);
    PyMem_Free(is_text);
    if (row == NULL && !PyErr_Occurred())
        PyErr_NoMemory();
    return row;
}

static PyObject *
statement_row(native_statement *self, PyObject *const *args, Py_ssize_t nargs)
{
    if (nargs > 1)
        return PyErr_Format(PyExc_TypeError, "row() takes at most 1 argument");
    return native_statement_row(self, nargs > 0 ? args[0] : (PyObject *)&PyUnicode_Type);
}

PyDoc_STRVAR(statement_reset_doc, "reset()\n\nRewinds the statement; bindings stay.");

int
native_statement_reset(native_statement *self)
{
    int rc;

    if (native_statement_enter(self) < 0)
        return -1;
    Py_BEGIN_ALLOW_THREADS
    rc = chorus_reset(self->stmt);
    Py_END_ALLOW_THREADS
    if (rc != CHORUS_OK) {
        native_statement_fail(self, rc);
        return -1;
    }
    native_statement_leave(self);
    return 0;
}

static PyObject *
statement_reset(native_statement *self, PyObject *unused)
{
    if (native_statement_reset(self) < 0)
        return NULL;
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

    if (native_statement_enter(self) < 0)
        return NULL;
    n = count(self->stmt);
    names = PyTuple_New(n);
    for (i = 0; names != NULL && i < n; i++) {
        PyObject *item = name_or_none(get(self->stmt, i + first));

        if (item == NULL)
            Py_CLEAR(names);
        else
            PyTuple_SET_ITEM(names, i, item);
    }
    native_statement_leave(self);
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

int
native_statement_check_columns(native_statement *self)
{
    int n;

    if (native_statement_enter(self) < 0)
        return -1;
    n = chorus_column_count(self->stmt);
    native_statement_leave(self);
    if (n != self->n_columns) {
        Py_CLEAR(self->description);
        Py_CLEAR(self->descriptions);
        self->n_columns = n;
    }
    return 0;
}

PyObject *
native_statement_description(native_statement *self)
{
    PyObject *names, *description;
    Py_ssize_t n;

    if (self->description != NULL)
        return self->description;
    names = statement_names(self, chorus_column_count, chorus_column_name, 0);
    if (names == NULL)
        return NULL;
    n = PyTuple_GET_SIZE(names);
    description = n > 0 ? PyTuple_New(n) : Py_NewRef(Py_None);
    for (Py_ssize_t i = 0; description != NULL && i < n; i++) {
        PyObject *column = PyTuple_Pack(7, PyTuple_GET_ITEM(names, i), Py_None, Py_None,
                                        Py_None, Py_None, Py_None, Py_None);
        if (column == NULL)
            Py_CLEAR(description);
        else
            PyTuple_SET_ITEM(description, i, column);
    }
    Py_DECREF(names);
    self->description = description;
    return description;
}

static PyObject *
statement_get_descriptions(native_statement *self, void *unused)
{
    if (self->descriptions == NULL && (self->descriptions = PyDict_New()) == NULL)
        return NULL;
    return Py_NewRef(self->descriptions);
}

static PyMethodDef statement_methods[] = {
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
    {"descriptions", (getter)statement_get_descriptions, NULL,
     "A dict for chorusdb to keep descriptions under detect_types in.", NULL},
    {NULL, NULL, NULL, NULL, NULL},
};

static PyMemberDef statement_members[] = {
    {"sql", T_OBJECT, offsetof(native_statement, sql), READONLY, "The statement's SQL text."},
    {"is_dml", T_INT, offsetof(native_statement, is_dml), 0,
     "True for INSERT, UPDATE, DELETE and REPLACE; set by chorusdb after prepare()."},
    {NULL, 0, 0, 0, NULL},
};

static PyType_Slot statement_slots[] = {
    {Py_tp_doc, "A prepared ChorusDB statement; made by Connection.prepare()."},
    {Py_tp_new, statement_refuse_new},
    {Py_tp_dealloc, statement_dealloc},
    {Py_tp_traverse, statement_traverse},
    {Py_tp_clear, statement_clear},
    {Py_tp_methods, statement_methods},
    {Py_tp_members, statement_members},
    {Py_tp_getset, statement_getset},
    {0, NULL},
};

PyType_Spec native_statement_spec = {
    .name = "chorusdb._chorus.Statement",
    .basicsize = sizeof(native_statement),
    .flags = Py_TPFLAGS_DEFAULT | Py_TPFLAGS_HAVE_GC,
    .slots = statement_slots,
};
