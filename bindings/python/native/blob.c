/*
 * bindings/python/native/blob.c: the native half of Connection.blobopen() and
 * chorusdb.Blob (chorus_blob_open/read/write/bytes/close); offsets, seeking,
 * indexing and sqlite3's argument errors are Python's (chorusdb/blob.py).
 *
 * A blob lives in a capsule ("chorusdb.blob") whose pointer holds a strong
 * reference to the native connection, so the connection is not deallocated
 * while the blob exists.
 *
 * Rules
 *   PL1  Every engine call on a blob runs under its connection's lock (N2).
 *   PL2  Closing the connection closes its blobs in the engine (chorus.h); a
 *        capsule then never touches its handle again: it checks that the
 *        connection is open (conn != NULL) before any call, and the
 *        destructor closes the handle only when it is.
 *   PL3  close runs once; later calls on the capsule raise ProgrammingError
 *        ("Cannot operate on a closed blob.").
 *
 * Callers: the method table of connection.c.
 */
#include "native.h"

static const char capsule_name[] = "chorusdb.blob";

typedef struct {
    chorus_blob *blob;              /* owned; NULL once closed (PL3) */
    native_connection *connection;  /* strong reference */
} native_blob;

static void
capsule_destroy(PyObject *capsule)
{
    native_blob *b = PyCapsule_GetPointer(capsule, capsule_name);
    PyObject *type, *value, *traceback;

    PyErr_Fetch(&type, &value, &traceback);     /* may run while one propagates */
    if (b->blob != NULL && b->connection->conn != NULL                /* PL2 */
        && native_connection_enter(b->connection) == 0) {
        chorus_blob_close(b->blob);
        native_connection_leave(b->connection);
    }
    PyErr_Clear();
    PyErr_Restore(type, value, traceback);
    Py_XDECREF(b->connection);
    PyMem_Free(b);
}

/* PL1-PL3: the blob of capsule with its connection's lock held, or NULL with
 * an error. */
static native_blob *
blob_enter(native_connection *self, PyObject *capsule)
{
    native_blob *b = PyCapsule_IsValid(capsule, capsule_name)
                         ? PyCapsule_GetPointer(capsule, capsule_name) : NULL;

    if (b == NULL || b->blob == NULL) {
        native_error_raise_text(self->state->ProgrammingError,
                                "Cannot operate on a closed blob.");
        return NULL;
    }
    if (native_connection_enter(b->connection) < 0)
        return NULL;
    return b;
}

/* Raises the engine's error rc of b's connection (lock held), then leaves. */
static PyObject *
blob_fail(native_blob *b, int rc)
{
    native_error err;

    native_error_capture(b->connection->conn, rc, &err);
    native_connection_leave(b->connection);
    return native_error_raise(b->connection->state, &err);
}

PyObject *
native_connection_blob_open(native_connection *self, PyObject *args)
{
    const char *table, *column, *name;
    long long row;
    int readonly, rc;
    chorus_blob *blob = NULL;
    native_error err;
    native_blob *b;
    PyObject *capsule;

    if (!PyArg_ParseTuple(args, "ssLps:blob_open", &table, &column, &row, &readonly, &name))
        return NULL;
    if (native_connection_enter(self) < 0)
        return NULL;
    rc = chorus_blob_open(self->conn, name, table, column, row, !readonly, &blob);
    if (rc != CHORUS_OK)
        native_error_capture(self->conn, rc, &err);
    native_connection_leave(self);
    if (rc != CHORUS_OK)
        return native_error_raise(self->state, &err);
    b = PyMem_Calloc(1, sizeof *b);
    if (b == NULL) {
        native_connection_enter(self);
        chorus_blob_close(blob);
        native_connection_leave(self);
        return PyErr_NoMemory();
    }
    b->blob = blob;
    b->connection = (native_connection *)Py_NewRef((PyObject *)self);
    capsule = PyCapsule_New(b, capsule_name, capsule_destroy);
    if (capsule == NULL) {
        native_connection_enter(self);
        chorus_blob_close(blob);
        native_connection_leave(self);
        Py_DECREF(b->connection);
        PyMem_Free(b);
    }
    return capsule;
}

PyObject *
native_connection_blob_len(native_connection *self, PyObject *capsule)
{
    native_blob *b = blob_enter(self, capsule);
    int n;

    if (b == NULL)
        return NULL;
    n = chorus_blob_bytes(b->blob);
    native_connection_leave(b->connection);
    return PyLong_FromLong(n);
}

PyObject *
native_connection_blob_read(native_connection *self, PyObject *args)
{
    PyObject *capsule, *bytes;
    int n, offset, rc;
    native_blob *b;

    if (!PyArg_ParseTuple(args, "Oii:blob_read", &capsule, &n, &offset))
        return NULL;
    bytes = PyBytes_FromStringAndSize(NULL, n);
    if (bytes == NULL)
        return NULL;
    if ((b = blob_enter(self, capsule)) == NULL) {
        Py_DECREF(bytes);
        return NULL;
    }
    rc = chorus_blob_read(b->blob, PyBytes_AS_STRING(bytes), n, offset);
    if (rc != CHORUS_OK) {
        Py_DECREF(bytes);
        return blob_fail(b, rc);
    }
    native_connection_leave(b->connection);
    return bytes;
}

PyObject *
native_connection_blob_write(native_connection *self, PyObject *args)
{
    PyObject *capsule;
    Py_buffer data;
    int offset, rc;
    native_blob *b;

    if (!PyArg_ParseTuple(args, "Oy*i:blob_write", &capsule, &data, &offset))
        return NULL;
    if (data.len > INT_MAX) {
        PyBuffer_Release(&data);
        return PyErr_Format(PyExc_OverflowError, "data is too long");
    }
    if ((b = blob_enter(self, capsule)) == NULL) {
        PyBuffer_Release(&data);
        return NULL;
    }
    rc = chorus_blob_write(b->blob, data.buf, (int)data.len, offset);
    PyBuffer_Release(&data);
    if (rc != CHORUS_OK)
        return blob_fail(b, rc);
    native_connection_leave(b->connection);
    Py_RETURN_NONE;
}

PyObject *
native_connection_blob_close(native_connection *self, PyObject *capsule)
{
    native_blob *b = blob_enter(self, capsule);

    if (b == NULL)
        return NULL;
    chorus_blob_close(b->blob);
    b->blob = NULL;                     /* PL3 */
    native_connection_leave(b->connection);
    Py_RETURN_NONE;
}
