/*
 * bindings/python/native/hooks.c: Connection.set_progress_handler(handler, n),
 * set_trace_callback(callback) and set_authorizer(callback) over
 * chorus_progress_handler, chorus_trace and chorus_set_authorizer, with
 * sqlite3's behaviour: the handler's true result (or an exception)
 * interrupts the statement ("interrupted"); the trace callback gets each
 * statement's text as it starts; the authorizer gets (action, arg1, arg2,
 * db, source) and its int answer, where anything else (another type, an int
 * out of C int range, an exception) denies; exceptions in any go to
 * sys.unraisablehook under enable_callback_tracebacks (functions.c PF5).
 *
 * Rules
 *   PH1  The native connection holds a strong reference to each registered
 *        callable (progress, trace, authorizer) while the engine may call it; the engine
 *        gets the connection itself as its argument, which outlives the
 *        registration (close and tp_clear remove both first).
 *   PH2  The callbacks run on the stepping thread with the GIL re-acquired
 *        (PyGILState_Ensure), like every other callback (functions.c PF1).
 *
 * Callers: the method table of connection.c; connection.c on clear.
 */
#include "native.h"

static int
progress_callback(void *arg)
{
    native_connection *self = arg;
    PyGILState_STATE gil = PyGILState_Ensure();
    PyObject *result = PyObject_CallNoArgs(self->progress);
    int stop = result != NULL ? PyObject_IsTrue(result) : -1;

    Py_XDECREF(result);
    if (stop < 0) {
        native_callback_error_report(self->progress);
        stop = 1;                   /* an exception stops the statement, as in sqlite3 */
    }
    PyGILState_Release(gil);
    return stop;
}

static void
trace_callback(void *arg, const char *sql)
{
    native_connection *self = arg;
    PyGILState_STATE gil = PyGILState_Ensure();
    PyObject *result = PyObject_CallFunction(self->trace, "s", sql);

    if (result == NULL)
        native_callback_error_report(self->trace);
    Py_XDECREF(result);
    PyGILState_Release(gil);
}

static int
authorizer_callback(void *arg, int action, const char *a, const char *b, const char *db,
                    const char *source)
{
    native_connection *self = arg;
    PyGILState_STATE gil = PyGILState_Ensure();
    PyObject *result = PyObject_CallFunction(self->authorizer, "issss", action, a, b, db,
                                             source);
    int answer = CHORUS_DENY;

    if (result == NULL) {
        native_callback_error_report(self->authorizer);
    } else if (PyLong_Check(result)) {
        int overflow;
        long value = PyLong_AsLongAndOverflow(result, &overflow);
        if (value == -1 && PyErr_Occurred())
            native_callback_error_report(self->authorizer);
        else if (!overflow && value >= INT_MIN && value <= INT_MAX)
            answer = (int)value;
    }
    Py_XDECREF(result);
    PyGILState_Release(gil);
    return answer;
}

/* Registers (callable not None) or removes a hook under the connection lock,
 * replacing *slot (PH1). */
static PyObject *
hook_set(native_connection *self, PyObject **slot, PyObject *callable,
         int (*install)(native_connection *self, int on))
{
    PyObject *old;

    if (native_connection_enter(self) < 0)
        return NULL;
    old = *slot;
    *slot = callable != Py_None ? Py_NewRef(callable) : NULL;
    install(self, *slot != NULL);
    native_connection_leave(self);
    Py_XDECREF(old);                /* after the engine stopped pointing at it */
    Py_RETURN_NONE;
}

static int
install_progress(native_connection *self, int on)
{
    return chorus_progress_handler(self->conn, on ? self->progress_n : 0,
                                   on ? progress_callback : NULL, self);
}

static int
install_trace(native_connection *self, int on)
{
    return chorus_trace(self->conn, on ? trace_callback : NULL, self);
}

PyObject *
native_connection_set_progress_handler(native_connection *self, PyObject *args)
{
    PyObject *handler;
    int n;

    if (!PyArg_ParseTuple(args, "Oi:set_progress_handler", &handler, &n))
        return NULL;
    self->progress_n = n;
    return hook_set(self, &self->progress, n > 0 ? handler : Py_None, install_progress);
}

PyObject *
native_connection_set_trace_callback(native_connection *self, PyObject *callback)
{
    return hook_set(self, &self->trace, callback, install_trace);
}

static int
install_authorizer(native_connection *self, int on)
{
    return chorus_set_authorizer(self->conn, on ? authorizer_callback : NULL, self);
}

PyObject *
native_connection_set_authorizer(native_connection *self, PyObject *callback)
{
    return hook_set(self, &self->authorizer, callback, install_authorizer);
}

void
native_connection_hooks_clear(native_connection *self)
{
    if (self->conn != NULL && native_connection_enter(self) == 0) {
        install_progress(self, 0);
        install_trace(self, 0);
        install_authorizer(self, 0);
        native_connection_leave(self);
    }
    PyErr_Clear();
    Py_CLEAR(self->progress);
    Py_CLEAR(self->trace);
    Py_CLEAR(self->authorizer);
}
