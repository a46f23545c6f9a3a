/*
 * bindings/python/native/bind.c: binding a DB-API parameters argument to a
 * statement, as sqlite3 does it in C.
 *
 * Rules
 *   B1  A mapping (a dict or any collections.abc.Mapping) binds by name:
 *       each parameter ':a', '@a' or '$a' takes parameters['a']; a '?'
 *       parameter is an error. Anything else is a sequence whose length
 *       must equal the statement's parameter count.
 *   B2  A value of exactly None, int, bool, float, str, bytes, bytearray or
 *       memoryview binds as it is; any other value goes through the
 *       module's adapter first (chorusdb.adapt: registered adapters,
 *       __conform__), and so does every value once an adapter is
 *       registered for one of those types (adapt_all). Adapters run before
 *       the connection lock is taken: they are Python code.
 *   B3  Values cross as sqlite3 maps them: None -> NULL, int -> INTEGER
 *       (64-bit; a larger int is OverflowError), float -> REAL, str -> TEXT
 *       (UTF-8), bytes-like -> BLOB; the engine copies text and blobs
 *       (CHORUS_TRANSIENT).
 * Error messages are sqlite3's, so code matching on them keeps working.
 * Callers: cursor.c and Statement.bind() (statement.c).
 */
#include "native.h"

/* Parameters with at most this many values are adapted into a stack array. */
enum { BIND_STACK_VALUES = 16 };

/* B3. Binds one Python value to parameter idx. Returns a chorus result
 * code, or -1 with a Python exception set for a value that cannot be
 * bound. Connection lock held. */
static int
bind_value(native_statement *self, int idx, PyObject *value)
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

/* B2: value ready to bind, adapted when it needs it. New reference. */
static PyObject *
adapt_value(native_state *st, PyObject *value)
{
    PyTypeObject *type = Py_TYPE(value);

    if (!st->adapt_all
        && (value == Py_None || type == &PyLong_Type || type == &PyFloat_Type
            || type == &PyUnicode_Type || type == &PyBytes_Type || type == &PyBool_Type
            || type == &PyByteArray_Type || type == &PyMemoryView_Type))
        return Py_NewRef(value);
    if (st->adapter == NULL)
        return Py_NewRef(value);
    return PyObject_CallOneArg(st->adapter, value);
}

/* B1 for a mapping: the value for parameter i (new reference). */
static PyObject *
mapping_value(native_statement *self, PyObject *parameters, int i)
{
    PyObject *key = PyTuple_GET_ITEM(self->param_keys, i);
    PyObject *value;

    if (key == Py_None) {
        PyErr_Format(self->connection->state->ProgrammingError,
                     "Binding %d has no name, but you supplied a dictionary (which has only "
                     "names).", i + 1);
        return NULL;
    }
    value = PyDict_CheckExact(parameters) ? Py_XNewRef(PyDict_GetItemWithError(parameters, key))
                                          : PyObject_GetItem(parameters, key);
    if (value == NULL && (!PyErr_Occurred() || PyErr_ExceptionMatches(PyExc_KeyError))) {
        PyErr_Clear();
        PyErr_Format(self->connection->state->ProgrammingError,
                     "You did not supply a value for binding parameter %U.",
                     PyTuple_GET_ITEM(self->param_names, i));
    }
    return value;
}

/* B1: 1 for a mapping, 0 for a sequence, -1 with an exception set. */
static int
is_mapping(native_state *st, PyObject *parameters)
{
    if (PyTuple_CheckExact(parameters) || PyList_CheckExact(parameters))
        return 0;
    if (PyDict_Check(parameters))
        return 1;
    return PyObject_IsInstance(parameters, st->mapping_type);
}

/* Fills values[0..n_params) with new references to the adapted values. */
static int
collect_values(native_statement *self, PyObject *parameters, PyObject **values)
{
    native_state *st = self->connection->state;
    int n = self->n_params;
    int mapping = is_mapping(st, parameters);
    Py_ssize_t supplied;

    if (mapping < 0)
        return -1;
    if (!mapping) {
        if (!PySequence_Check(parameters)) {
            native_error_raise_text(st->ProgrammingError, "parameters are of unsupported type");
            return -1;
        }
        if ((supplied = PySequence_Size(parameters)) < 0)
            return -1;                  /* the sequence's own error, as sqlite3 */
        if (supplied != n) {
            PyErr_Format(st->ProgrammingError,
                         "Incorrect number of bindings supplied. The current statement uses "
                         "%d, and there are %zd supplied.", n, supplied);
            return -1;
        }
    }
    for (int i = 0; i < n; i++) {
        PyObject *raw = mapping ? mapping_value(self, parameters, i)
                                : PySequence_GetItem(parameters, i);
        PyObject *value = raw != NULL ? adapt_value(st, raw) : NULL;

        Py_XDECREF(raw);
        if (value == NULL) {
            while (i-- > 0)
                Py_DECREF(values[i]);
            return -1;
        }
        values[i] = value;
    }
    return 0;
}

int
native_bind_parameters(native_statement *self, PyObject *parameters)
{
    PyObject *stack[BIND_STACK_VALUES];
    PyObject **values = stack;
    int n = self->n_params;
    int rc = CHORUS_OK;
    int i;

    if (n == 0 && (PyTuple_CheckExact(parameters) || PyList_CheckExact(parameters))
        && PySequence_Fast_GET_SIZE(parameters) == 0)
        return 0;
    if (n > BIND_STACK_VALUES && (values = PyMem_Malloc((size_t)n * sizeof *values)) == NULL) {
        PyErr_NoMemory();
        return -1;
    }
    if (collect_values(self, parameters, values) < 0) {
        if (values != stack)
            PyMem_Free(values);
        return -1;
    }
    if (native_statement_enter(self) < 0) {
        rc = -1;
    } else {
        for (i = 0; i < n && rc == CHORUS_OK; i++)
            rc = bind_value(self, i + 1, values[i]);
        if (rc > 0)
            native_statement_fail(self, rc);    /* leaves the lock */
        else
            native_statement_leave(self);
    }
    for (i = 0; i < n; i++)
        Py_DECREF(values[i]);
    if (values != stack)
        PyMem_Free(values);
    return rc == CHORUS_OK ? 0 : -1;
}
