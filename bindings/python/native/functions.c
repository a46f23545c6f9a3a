/*
 * bindings/python/native/functions.c: the Connection methods that register
 * Python callables as SQL functions, aggregates, window functions and
 * collations (chorus_create_function, chorus_create_window_function,
 * chorus_create_collation), and the C callbacks through which the engine
 * calls them.
 *
 * Behaviour is sqlite3's:
 *   - Arguments arrive as int, float, str, bytes or None; results may be
 *     those (bool is an int) or any buffer (a blob).
 *   - An exception in a callback fails the statement with OperationalError
 *     "user-defined function raised exception" (aggregates: "user-defined
 *     aggregate's '<method>' method raised error", or "... not defined"
 *     when the method is missing); a MemoryError becomes CHORUS_NOMEM and an
 *     OverflowError CHORUS_TOOBIG (DataError "string or blob too big"). A
 *     result of another type counts as an exception.
 *   - An aggregate class is instantiated at a group's first step; finalize()
 *     gives the result and the instance is dropped. A group without rows
 *     gives NULL without instantiating.
 *   - A collation gets two str and returns an int (its sign counts; other
 *     results count as equal). An exception counts as equal too (the engine
 *     cannot fail a comparison) and is raised by the step that ran it (PF6).
 *   - enable_callback_tracebacks(True) sends a callback's exception to
 *     sys.unraisablehook with the registered callable or class (PF5).
 *
 * Rules
 *   PF1  Every callback and destroy runs with the GIL re-acquired through
 *        PyGILState_Ensure: the engine calls them from chorus_step (the GIL
 *        released, the connection lock held by the stepping thread), from
 *        chorus_disconnect (GIL released) and from registration (GIL held).
 *   PF2  The engine holds one strong reference to each registered callable
 *        or class (user_data), dropped by release_object when the
 *        definition goes; a failed registration drops it too (chorus.h).
 *   PF3  An exception raised in a callback never leaves it: it is turned
 *        into the call's error and cleared.
 *   PF4  An aggregate's chorus_aggregate_context holds one PyObject *: the
 *        instance, a strong reference dropped by the final callback, which
 *        the engine runs once for every context step began.
 *   PF5  A function or aggregate callback's exception is dropped, or, with
 *        the module's callback_tracebacks flag set, written as unraisable
 *        (sqlite3 3.11's print_or_clear_traceback).
 *   PF6  A collation callback's first exception is kept per thread and
 *        raised by the native call that stepped (statement.c, connection.c
 *        exec), as sqlite3 lets it surface from execute() or fetch.
 *
 * Callers: the method table of connection.c.
 */
#include "native.h"

#include <limits.h>
#include <stdbool.h>
#include <string.h>

/* PF2 */
static void
release_object(void *object)
{
    PyGILState_STATE gil = PyGILState_Ensure();

    Py_DECREF((PyObject *)object);
    PyGILState_Release(gil);
}

/* PF5: whether enable_callback_tracebacks is on. A callback has no module at
 * hand, so the flag is read through the imported module; the pending
 * exception is kept aside meanwhile. */
static bool
tracebacks_enabled(void)
{
    PyObject *type, *value, *traceback, *module;
    bool on;

    PyErr_Fetch(&type, &value, &traceback);
    module = PyImport_ImportModule("chorusdb._chorus");
    on = module != NULL && ((native_state *)PyModule_GetState(module))->callback_tracebacks;
    Py_XDECREF(module);
    PyErr_Clear();
    PyErr_Restore(type, value, traceback);
    return on;
}

/* PF3, PF5: turns the pending exception into ctx's error with message, and
 * hands it to sys.unraisablehook (with the registered object) or drops it. */
static void
report_exception(chorus_context *ctx, const char *message)
{
    if (PyErr_ExceptionMatches(PyExc_MemoryError))
        chorus_result_error_code(ctx, CHORUS_NOMEM);
    else if (PyErr_ExceptionMatches(PyExc_OverflowError))
        chorus_result_error_code(ctx, CHORUS_TOOBIG);
    else
        chorus_result_error(ctx, message, -1);
    native_callback_error_report((PyObject *)chorus_user_data(ctx));
}

void
native_callback_error_report(PyObject *object)
{
    if (tracebacks_enabled())
        PyErr_WriteUnraisable(object);
    else
        PyErr_Clear();
}

/* A new tuple of the arguments as Python objects, or NULL with an
 * exception set. */
static PyObject *
arguments_tuple(int argc, chorus_value **argv)
{
    PyObject *args = PyTuple_New(argc);

    for (int i = 0; args != NULL && i < argc; i++) {
        chorus_value *v = argv[i];
        PyObject *item;
        switch (chorus_value_type(v)) {
        case CHORUS_INTEGER:
            item = PyLong_FromLongLong(chorus_value_int64(v));
            break;
        case CHORUS_FLOAT:
            item = PyFloat_FromDouble(chorus_value_double(v));
            break;
        case CHORUS_TEXT: {
            const char *text = chorus_value_text(v);
            item = text != NULL ? PyUnicode_DecodeUTF8(text, chorus_value_bytes(v), NULL)
                                : PyErr_NoMemory();
            break;
        }
        case CHORUS_BLOB:
            item = PyBytes_FromStringAndSize(chorus_value_blob(v), chorus_value_bytes(v));
            break;
        default:
            item = Py_NewRef(Py_None);
            break;
        }
        if (item == NULL)
            Py_CLEAR(args);
        else
            PyTuple_SET_ITEM(args, i, item);
    }
    return args;
}

/* Sets ctx's result from a Python object. Returns 0; or -1, with an
 * exception set when one explains it (OverflowError, MemoryError) and
 * without one for an unsupported type. */
static int
set_result(chorus_context *ctx, PyObject *result)
{
    if (result == Py_None) {
        chorus_result_null(ctx);
    } else if (PyLong_Check(result)) {
        long long value = PyLong_AsLongLong(result);
        if (value == -1 && PyErr_Occurred())
            return -1;
        chorus_result_int64(ctx, value);
    } else if (PyFloat_Check(result)) {
        chorus_result_double(ctx, PyFloat_AS_DOUBLE(result));
    } else if (PyUnicode_Check(result)) {
        Py_ssize_t nbytes;
        const char *text = PyUnicode_AsUTF8AndSize(result, &nbytes);
        if (text == NULL)
            return -1;
        if (nbytes > INT_MAX) {
            PyErr_SetString(PyExc_OverflowError, "string is longer than INT_MAX bytes");
            return -1;
        }
        chorus_result_text(ctx, text, (int)nbytes, CHORUS_TRANSIENT);
    } else if (PyObject_CheckBuffer(result)) {
        Py_buffer view;
        if (PyObject_GetBuffer(result, &view, PyBUF_SIMPLE) != 0)
            return -1;
        if (view.len > INT_MAX) {
            PyBuffer_Release(&view);
            PyErr_SetString(PyExc_OverflowError, "BLOB longer than INT_MAX bytes");
            return -1;
        }
        chorus_result_blob(ctx, view.buf, (int)view.len, CHORUS_TRANSIENT);
        PyBuffer_Release(&view);
    } else {
        return -1;
    }
    return 0;
}

/* Calls callable(*args from argv) (argv NULL: no arguments) and sets the
 * result; on failure the error names what failed. Needs the GIL. */
static void
call_into_result(chorus_context *ctx, PyObject *callable, int argc, chorus_value **argv,
                 bool sets_result, const char *raised_message)
{
    PyObject *args = arguments_tuple(argc, argv);
    PyObject *result = args != NULL ? PyObject_CallObject(callable, args) : NULL;

    Py_XDECREF(args);
    if (result == NULL || (sets_result && set_result(ctx, result) < 0)) {
        if (PyErr_Occurred())
            report_exception(ctx, raised_message);
        else
            chorus_result_error(ctx, raised_message, -1);
    }
    Py_XDECREF(result);
}

/* ------------------------------------------------------------ scalars */

static void
scalar_callback(chorus_context *ctx, int argc, chorus_value **argv)
{
    PyGILState_STATE gil = PyGILState_Ensure();

    call_into_result(ctx, chorus_user_data(ctx), argc, argv, true,
                     "user-defined function raised exception");
    PyGILState_Release(gil);
}

/* --------------------------------------------------------- aggregates */

/* The messages of one aggregate method. */
typedef struct method_names {
    const char *name;
    const char *missing;        /* "... method not defined" */
    const char *raised;         /* "... method raised error" */
} method_names;

#define METHOD(m)                                                                        \
    {m, "user-defined aggregate's '" m "' method not defined",                          \
     "user-defined aggregate's '" m "' method raised error"}
static const method_names step_method = METHOD("step");
static const method_names inverse_method = METHOD("inverse");
static const method_names value_method = METHOD("value");
static const method_names finalize_method = METHOD("finalize");
#undef METHOD

/* PF4: the group's instance, made at the first call when create is true.
 * NULL when there is none (or it could not be made: ctx has the error). */
static PyObject *
instance_get(chorus_context *ctx, bool create)
{
    PyObject **slot = chorus_aggregate_context(ctx, create ? (int)sizeof(PyObject *) : 0);

    if (slot == NULL)
        return NULL;
    if (*slot == NULL && create) {
        *slot = PyObject_CallNoArgs(chorus_user_data(ctx));
        if (*slot == NULL)
            report_exception(ctx, "user-defined aggregate's '__init__' method raised error");
    }
    return *slot;
}

/* Calls method m of instance with the arguments; sets the result when
 * sets_result. Needs the GIL. */
static void
method_call(chorus_context *ctx, PyObject *instance, const method_names *m, int argc,
            chorus_value **argv, bool sets_result)
{
    PyObject *method = PyObject_GetAttrString(instance, m->name);

    if (method == NULL) {
        report_exception(ctx, m->missing);
        return;
    }
    call_into_result(ctx, method, argc, argv, sets_result, m->raised);
    Py_DECREF(method);
}

static void
step_callback(chorus_context *ctx, int argc, chorus_value **argv)
{
    PyGILState_STATE gil = PyGILState_Ensure();
    PyObject *instance = instance_get(ctx, true);

    if (instance != NULL)
        method_call(ctx, instance, &step_method, argc, argv, false);
    PyGILState_Release(gil);
}

static void
inverse_callback(chorus_context *ctx, int argc, chorus_value **argv)
{
    PyGILState_STATE gil = PyGILState_Ensure();
    PyObject *instance = instance_get(ctx, true);

    if (instance != NULL)
        method_call(ctx, instance, &inverse_method, argc, argv, false);
    PyGILState_Release(gil);
}

static void
value_callback(chorus_context *ctx)
{
    PyGILState_STATE gil = PyGILState_Ensure();
    PyObject *instance = instance_get(ctx, true);

    if (instance != NULL)
        method_call(ctx, instance, &value_method, 0, NULL, true);
    PyGILState_Release(gil);
}

/* PF4: the result, then the instance is dropped. */
static void
final_callback(chorus_context *ctx)
{
    PyGILState_STATE gil = PyGILState_Ensure();
    PyObject **slot = chorus_aggregate_context(ctx, 0);

    if (slot != NULL && *slot != NULL) {
        method_call(ctx, *slot, &finalize_method, 0, NULL, true);
        Py_CLEAR(*slot);
    }
    PyGILState_Release(gil);
}

/* --------------------------------------------------------- collations */

/* PF6: the first exception a collation callback raised on this thread since
 * native_collation_error_raise last ran (type, value, traceback: strong
 * references, or NULL). Thread-local: a callback runs on the thread that
 * steps, which reports it right after the step. */
static _Thread_local PyObject *collation_error[3];

int
native_collation_error_raise(void)
{
    if (collation_error[0] == NULL)
        return 0;
    PyErr_Restore(collation_error[0], collation_error[1], collation_error[2]);
    collation_error[0] = collation_error[1] = collation_error[2] = NULL;
    return -1;
}

static int
collation_callback(void *callable, int na, const void *a, int nb, const void *b)
{
    PyGILState_STATE gil = PyGILState_Ensure();
    PyObject *result = PyObject_CallFunction(callable, "s#s#", (const char *)a, (Py_ssize_t)na,
                                             (const char *)b, (Py_ssize_t)nb);
    int order = 0;

    if (result != NULL && PyLong_Check(result)) {
        int overflow;
        long value = PyLong_AsLongAndOverflow(result, &overflow);
        order = overflow != 0 ? overflow : value > 0 ? 1 : value < 0 ? -1 : 0;
    }
    if (result == NULL && collation_error[0] == NULL)   /* PF6 */
        PyErr_Fetch(&collation_error[0], &collation_error[1], &collation_error[2]);
    PyErr_Clear();              /* PF3: the engine cannot fail a comparison */
    Py_XDECREF(result);
    PyGILState_Release(gil);
    return order;
}

/* ------------------------------------------------------- registration */

/* Runs one registration call under the connection lock (N2) and raises
 * for a failure: fail_type with fail_message, or with the engine's message
 * when fail_message is NULL; with no fail_type, the engine's error as
 * native_error_raise maps it. Steals object (PF2: the engine takes it or
 * drops it). */
typedef int (*register_fn)(chorus_conn *conn, const char *name, int n_args, int flags,
                           PyObject *object);

static PyObject *
register_with(native_connection *self, register_fn fn, const char *name, int n_args,
              int flags, PyObject *object, PyObject *fail_type, const char *fail_message)
{
    native_error err;
    int rc;

    if (native_connection_enter(self) < 0) {
        Py_XDECREF(object);
        return NULL;
    }
    rc = fn(self->conn, name, n_args, flags, object);
    if (rc != CHORUS_OK)
        native_error_capture(self->conn, rc, &err);
    native_connection_leave(self);
    if (rc == CHORUS_OK)
        Py_RETURN_NONE;
    if (fail_type != NULL)
        return native_error_raise_text(fail_type, fail_message ? fail_message : err.message);
    return native_error_raise(self->state, &err);
}

static int
register_scalar(chorus_conn *conn, const char *name, int n_args, int flags, PyObject *func)
{
    return chorus_create_function(conn, name, n_args, flags, func,
                                  func != NULL ? scalar_callback : NULL, NULL, NULL,
                                  func != NULL ? release_object : NULL);
}

static int
register_aggregate(chorus_conn *conn, const char *name, int n_args, int flags, PyObject *cls)
{
    return chorus_create_function(conn, name, n_args, flags, cls, NULL,
                                  cls != NULL ? step_callback : NULL,
                                  cls != NULL ? final_callback : NULL,
                                  cls != NULL ? release_object : NULL);
}

static int
register_window(chorus_conn *conn, const char *name, int n_args, int flags, PyObject *cls)
{
    bool on = cls != NULL;

    return chorus_create_window_function(conn, name, n_args, flags, cls,
                                         on ? step_callback : NULL, on ? final_callback : NULL,
                                         on ? value_callback : NULL,
                                         on ? inverse_callback : NULL,
                                         on ? release_object : NULL);
}

static int
register_collation(chorus_conn *conn, const char *name, int n_args, int flags, PyObject *func)
{
    (void)n_args;
    (void)flags;
    return chorus_create_collation(conn, name, func, func != NULL ? collation_callback : NULL,
                                   func != NULL ? release_object : NULL);
}

/* A new reference to object, or NULL for None (a removal). */
static PyObject *
object_or_null(PyObject *object)
{
    return object == Py_None ? NULL : Py_NewRef(object);
}

PyObject *
native_connection_create_function(native_connection *self, PyObject *args)
{
    const char *name;
    int n_args, deterministic = 0;
    PyObject *func;

    if (!PyArg_ParseTuple(args, "siO|p:create_function", &name, &n_args, &func, &deterministic))
        return NULL;
    return register_with(self, register_scalar, name, n_args,
                         deterministic ? CHORUS_DETERMINISTIC : 0, object_or_null(func),
                         self->state->OperationalError, "Error creating function");
}

PyObject *
native_connection_create_aggregate(native_connection *self, PyObject *args)
{
    const char *name;
    int n_args;
    PyObject *cls;

    if (!PyArg_ParseTuple(args, "siO:create_aggregate", &name, &n_args, &cls))
        return NULL;
    return register_with(self, register_aggregate, name, n_args, 0, object_or_null(cls),
                         self->state->OperationalError, "Error creating aggregate");
}

PyObject *
native_connection_create_window_function(native_connection *self, PyObject *args)
{
    const char *name;
    int n_args;
    PyObject *cls;

    if (!PyArg_ParseTuple(args, "siO:create_window_function", &name, &n_args, &cls))
        return NULL;
    return register_with(self, register_window, name, n_args, 0, object_or_null(cls),
                         self->state->ProgrammingError, NULL);
}

PyObject *
native_connection_create_collation(native_connection *self, PyObject *args)
{
    const char *name;
    PyObject *func;

    if (!PyArg_ParseTuple(args, "sO:create_collation", &name, &func))
        return NULL;
    if (func != Py_None && !PyCallable_Check(func)) {
        PyErr_SetString(PyExc_TypeError, "parameter must be callable");
        return NULL;
    }
    return register_with(self, register_collation, name, 0, 0, object_or_null(func), NULL,
                         NULL);
}
