/*
 * bindings/python/native/errors.c: the DB-API exception types of chorusdb and
 * the one function that turns a ChorusDB result code into one of them.
 *
 * The hierarchy is PEP 249's, as sqlite3 builds it:
 *
 *   Exception
 *     Warning
 *     Error
 *       InterfaceError
 *       DatabaseError
 *         DataError, IntegrityError, InternalError, NotSupportedError,
 *         ProgrammingError, OperationalError
 *                             ConflictError (CHORUS_CONFLICT: retry the
 *                                            whole transaction)
 *
 * Every exception raised from a result code carries the extended code and its
 * name twice: chorus_errorcode / chorus_errorname ("CHORUS_CONSTRAINT_UNIQUE")
 * and, for code written against sqlite3, sqlite_errorcode / sqlite_errorname
 * ("SQLITE_CONSTRAINT_UNIQUE"). The code table is generated from the lists in
 * chorus.h, never written out here.
 *
 * Invariants: the types live in the module state (native.h N1).
 * Callers: module.c (native_errors_init), connection.c and statement.c.
 */
#include "native.h"

#include <stdio.h>
#include <string.h>

typedef struct {
    int code;
    const char *name; /* without prefix: "CONSTRAINT_UNIQUE" */
} code_name;

#define CODE_NAME_PRIMARY_(num, name, msg) {num, #name},
#define CODE_NAME_EXTENDED_(num, name) {num, #name},
static const code_name code_names[] = {
    CHORUS_RESULT_CODES(CODE_NAME_PRIMARY_)
    CHORUS_EXTENDED_CODES(CODE_NAME_EXTENDED_)
};
#undef CODE_NAME_PRIMARY_
#undef CODE_NAME_EXTENDED_

/* The name of code without prefix; an unknown extended code reads as its
 * primary code; NULL when even that is unknown. Static string. */
static const char *
code_name_find(int code)
{
    size_t i;

    for (i = 0; i < sizeof code_names / sizeof code_names[0]; i++)
        if (code_names[i].code == code)
            return code_names[i].name;
    if (code > 0xff)
        return code_name_find(code & 0xff);
    return NULL;
}

/* The exception type for a primary code, as sqlite3 chooses it. Borrowed. */
static PyObject *
error_type_for(native_state *st, int code)
{
    switch (code & 0xff) {
    case CHORUS_INTERNAL:
    case CHORUS_NOTFOUND:
        return st->InternalError;
    case CHORUS_NOMEM:
        return PyExc_MemoryError;
    case CHORUS_ERROR:
    case CHORUS_PERM:
    case CHORUS_ABORT:
    case CHORUS_BUSY:
    case CHORUS_LOCKED:
    case CHORUS_READONLY:
    case CHORUS_INTERRUPT:
    case CHORUS_IOERR:
    case CHORUS_FULL:
    case CHORUS_CANTOPEN:
    case CHORUS_PROTOCOL:
    case CHORUS_SCHEMA:
        return st->OperationalError;
    case CHORUS_TOOBIG:
        return st->DataError;
    case CHORUS_CONSTRAINT:
    case CHORUS_MISMATCH:
        return st->IntegrityError;
    case CHORUS_MISUSE:
    case CHORUS_RANGE:
        return st->InterfaceError;
    case CHORUS_CONFLICT:
        return st->ConflictError;
    default: /* CORRUPT, NOTADB and anything new */
        return st->DatabaseError;
    }
}

/* Sets the four code attributes of exc (a class or an instance) for code.
 * Returns 0 or -1 with an exception set. */
static int
error_set_code_attributes(PyObject *exc, int code)
{
    const char *name = code_name_find(code);
    PyObject *number = NULL;
    PyObject *chorus_name = NULL;
    PyObject *sqlite_name = NULL;
    int rc = -1;

    if (name == NULL)
        name = "UNKNOWN";
    number = PyLong_FromLong(code);
    chorus_name = PyUnicode_FromFormat("CHORUS_%s", name);
    sqlite_name = PyUnicode_FromFormat("SQLITE_%s", name);
    if (number == NULL || chorus_name == NULL || sqlite_name == NULL)
        goto done;
    if (PyObject_SetAttrString(exc, "chorus_errorcode", number) < 0
        || PyObject_SetAttrString(exc, "chorus_errorname", chorus_name) < 0
        || PyObject_SetAttrString(exc, "sqlite_errorcode", number) < 0
        || PyObject_SetAttrString(exc, "sqlite_errorname", sqlite_name) < 0)
        goto done;
    rc = 0;
done:
    Py_XDECREF(number);
    Py_XDECREF(chorus_name);
    Py_XDECREF(sqlite_name);
    return rc;
}

void
native_error_capture(chorus_conn *conn, int rc, native_error *err)
{
    const char *message;

    err->code = rc & 0xff;
    err->extended = rc;
    if (conn != NULL) {
        /* The connection's message belongs to rc only if its code agrees. */
        if (chorus_errcode(conn) == err->code) {
            err->extended = chorus_extended_errcode(conn);
            message = chorus_errmsg(conn);
        } else {
            message = chorus_errstr(rc);
        }
    } else {
        message = chorus_errstr(rc);
    }
    snprintf(err->message, sizeof err->message, "%s", message);
}

void
native_error_capture_open(int rc, native_error *err)
{
    const char *message = chorus_open_errmsg();

    if (message == NULL)
        message = chorus_errstr(rc);
    err->code = rc & 0xff;
    err->extended = rc;
    snprintf(err->message, sizeof err->message, "%s", message);
}

PyObject *
native_error_raise(native_state *st, const native_error *err)
{
    PyObject *type = error_type_for(st, err->code);
    PyObject *message;
    PyObject *exc;

    if (type == PyExc_MemoryError)
        return PyErr_NoMemory();
    message = PyUnicode_DecodeUTF8(err->message, (Py_ssize_t)strlen(err->message), "replace");
    if (message == NULL)
        return NULL;
    exc = PyObject_CallFunctionObjArgs(type, message, NULL);
    Py_DECREF(message);
    if (exc == NULL)
        return NULL;
    if (error_set_code_attributes(exc, err->extended) == 0)
        PyErr_SetObject(type, exc);
    Py_DECREF(exc);
    return NULL;
}

PyObject *
native_error_raise_text(PyObject *type, const char *message)
{
    PyErr_SetString(type, message);
    return NULL;
}

/* Creates the exception called name (e.g. "OperationalError") below base into
 * *slot and adds it to module. Returns 0 or -1. */
static int
error_type_add(PyObject *module, PyObject **slot, const char *name, PyObject *base,
               const char *doc)
{
    char qualified[64];

    snprintf(qualified, sizeof qualified, "chorusdb.%s", name);
    *slot = PyErr_NewExceptionWithDoc(qualified, doc, base, NULL);
    if (*slot == NULL)
        return -1;
    Py_INCREF(*slot);
    if (PyModule_AddObject(module, name, *slot) < 0) {
        Py_DECREF(*slot);
        return -1;
    }
    return 0;
}

/* Adds CHORUS_<NAME> and SQLITE_<NAME> integer constants for every code. */
static int
error_constants_add(PyObject *module)
{
    char name[64];
    size_t i;

    for (i = 0; i < sizeof code_names / sizeof code_names[0]; i++) {
        snprintf(name, sizeof name, "CHORUS_%s", code_names[i].name);
        if (PyModule_AddIntConstant(module, name, code_names[i].code) < 0)
            return -1;
        snprintf(name, sizeof name, "SQLITE_%s", code_names[i].name);
        if (PyModule_AddIntConstant(module, name, code_names[i].code) < 0)
            return -1;
    }
    return 0;
}

int
native_errors_init(PyObject *module, native_state *st)
{
    if (error_type_add(module, &st->Warning, "Warning", PyExc_Exception,
                       "Important warnings, such as data truncation.") < 0
        || error_type_add(module, &st->Error, "Error", PyExc_Exception,
                          "The base class of every other chorusdb error.") < 0
        || error_type_add(module, &st->InterfaceError, "InterfaceError", st->Error,
                          "Misuse of the chorusdb interface itself.") < 0
        || error_type_add(module, &st->DatabaseError, "DatabaseError", st->Error,
                          "An error reported by the database.") < 0
        || error_type_add(module, &st->DataError, "DataError", st->DatabaseError,
                          "A value out of range or too big.") < 0
        || error_type_add(module, &st->OperationalError, "OperationalError",
                          st->DatabaseError,
                          "An error in the database's operation (locked, I/O, ...).") < 0
        || error_type_add(module, &st->IntegrityError, "IntegrityError", st->DatabaseError,
                          "A constraint failed.") < 0
        || error_type_add(module, &st->InternalError, "InternalError", st->DatabaseError,
                          "The database hit an internal inconsistency.") < 0
        || error_type_add(module, &st->ProgrammingError, "ProgrammingError",
                          st->DatabaseError,
                          "Wrong use of the API: closed objects, bad SQL, bad parameters.") < 0
        || error_type_add(module, &st->NotSupportedError, "NotSupportedError",
                          st->DatabaseError, "A feature ChorusDB does not support.") < 0
        || error_type_add(module, &st->ConflictError, "ConflictError", st->OperationalError,
                          "A concurrent transaction won a write-write race: roll back "
                          "and run the whole transaction again.") < 0)
        return -1;
    if (error_set_code_attributes(st->ConflictError, CHORUS_CONFLICT) < 0)
        return -1;
    return error_constants_add(module);
}
