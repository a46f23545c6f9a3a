/*
 * bindings/python/native/backup.c: the native half of Connection.backup()
 * (chorus_backup_init/step/remaining/pagecount/finish); the loop, progress
 * callback and sleeping are Python's (chorusdb/dbapi2.py).
 *
 * A backup lives in a capsule ("chorusdb.backup") whose pointer holds strong
 * references to both native connections, so neither is deallocated while the
 * backup runs. The capsule's destructor finishes a backup that Python did not
 * (an exception between init and finish).
 *
 * Rules
 *   PB1  Every engine call on a backup holds both connections' locks (target
 *        first, then source: one order for every backup), and step releases
 *        the GIL around chorus_backup_step.
 *   PB2  finish runs once; later calls on the capsule raise ProgrammingError.
 *
 * Callers: the method table of connection.c.
 */
#include "native.h"

static const char capsule_name[] = "chorusdb.backup";

typedef struct {
    chorus_backup *backup;          /* owned; NULL once finished (PB2) */
    native_connection *source;      /* strong reference */
    native_connection *target;      /* strong reference */
} native_backup;

static void
backup_free(native_backup *b)
{
    if (b->backup != NULL)
        chorus_backup_finish(b->backup);
    Py_XDECREF(b->source);
    Py_XDECREF(b->target);
    PyMem_Free(b);
}

static void
capsule_destroy(PyObject *capsule)
{
    backup_free(PyCapsule_GetPointer(capsule, capsule_name));
}

/* PB1: the backup of capsule with both locks held, or NULL with an error. */
static native_backup *
backup_enter(native_connection *self, PyObject *capsule)
{
    native_backup *b = PyCapsule_IsValid(capsule, capsule_name)
                           ? PyCapsule_GetPointer(capsule, capsule_name) : NULL;

    if (b == NULL || b->backup == NULL) {
        native_error_raise_text(self->state->ProgrammingError, "the backup is finished");
        return NULL;
    }
    if (native_connection_enter(b->target) < 0)
        return NULL;
    if (native_connection_enter(b->source) < 0) {
        native_connection_leave(b->target);
        return NULL;
    }
    return b;
}

static void
backup_leave(native_backup *b)
{
    native_connection_leave(b->source);
    native_connection_leave(b->target);
}

PyObject *
native_connection_backup_init(native_connection *self, PyObject *args)
{
    PyObject *target, *capsule;
    const char *name;
    native_backup *b;
    native_error err;

    if (!PyArg_ParseTuple(args, "Os:backup_init", &target, &name))
        return NULL;
    if (!native_connection_is(target))
        return PyErr_Format(PyExc_TypeError, "target must be a native connection");
    b = PyMem_Calloc(1, sizeof *b);
    if (b == NULL)
        return PyErr_NoMemory();
    b->source = (native_connection *)Py_NewRef((PyObject *)self);
    b->target = (native_connection *)Py_NewRef(target);
    if (native_connection_enter(b->target) < 0) {
        backup_free(b);
        return NULL;
    }
    if (native_connection_enter(self) < 0) {
        native_connection_leave(b->target);
        backup_free(b);
        return NULL;
    }
    b->backup = chorus_backup_init(b->target->conn, "main", self->conn, name);
    if (b->backup == NULL)
        native_error_capture(b->target->conn, chorus_errcode(b->target->conn), &err);
    backup_leave(b);
    if (b->backup == NULL) {
        backup_free(b);
        return native_error_raise(self->state, &err);
    }
    capsule = PyCapsule_New(b, capsule_name, capsule_destroy);
    if (capsule == NULL)
        backup_free(b);
    return capsule;
}

PyObject *
native_connection_backup_step(native_connection *self, PyObject *args)
{
    PyObject *capsule;
    native_backup *b;
    int pages, rc;

    if (!PyArg_ParseTuple(args, "Oi:backup_step", &capsule, &pages)
        || (b = backup_enter(self, capsule)) == NULL)
        return NULL;
    Py_BEGIN_ALLOW_THREADS
    rc = chorus_backup_step(b->backup, pages);
    Py_END_ALLOW_THREADS
    backup_leave(b);
    return PyLong_FromLong(rc);
}

PyObject *
native_connection_backup_counts(native_connection *self, PyObject *capsule)
{
    native_backup *b = backup_enter(self, capsule);
    int remaining, pagecount;

    if (b == NULL)
        return NULL;
    remaining = chorus_backup_remaining(b->backup);
    pagecount = chorus_backup_pagecount(b->backup);
    backup_leave(b);
    return Py_BuildValue("(ii)", remaining, pagecount);
}

PyObject *
native_connection_backup_finish(native_connection *self, PyObject *capsule)
{
    native_backup *b = backup_enter(self, capsule);
    native_error err;
    int rc;

    if (b == NULL)
        return NULL;
    rc = chorus_backup_finish(b->backup);
    b->backup = NULL;                   /* PB2 */
    if (rc != CHORUS_OK)
        native_error_capture(b->target->conn, rc, &err);
    backup_leave(b);
    if (rc != CHORUS_OK)
        return native_error_raise(self->state, &err);
    Py_RETURN_NONE;
}
