/*
 * c-api/blob.c: incremental blob I/O, chorus_blob_* (sqlite3_blob_*), over
 * core/vm/blob.c.
 *
 * Invariants
 *   BB1 An open blob is on its connection's blobs list; chorus_disconnect
 *       closes it (connection.c N2), after which the handle is dead
 *       (CHORUS_MISUSE).
 *   BB2 Errors are recorded on the blob's connection (chorus_errmsg), as for
 *       its statements.
 * Callers: the public API; connection.c (disconnect).
 */
#include "capi_int.h"

int
chorus_blob_open(chorus_conn *conn, const char *db_name, const char *table, const char *column,
                 int64_t rowid, int flags, chorus_blob **out)
{
    chorus_blob *blob;
    vm_blob *vb;
    int rc;

    if (out == NULL)
        return CHORUS_MISUSE;
    *out = NULL;
    if (!capi_conn_live(conn) || table == NULL || column == NULL)
        return CHORUS_MISUSE;
    blob = capi_handle_alloc(CAPI_MAGIC_BLOB);
    if (blob == NULL) {
        vm_conn_set_error(conn->vconn, CHORUS_NOMEM, "out of memory");
        return CHORUS_NOMEM;
    }
    rc = vm_blob_open(conn->vconn, db_name, table, column, rowid, flags != 0, &vb);
    if (rc != CHORUS_OK) {
        capi_handle_free(blob);
        return rc;
    }
    blob->conn = conn;
    blob->vblob = vb;
    blob->next = conn->blobs;           /* BB1 */
    if (conn->blobs != NULL)
        conn->blobs->prev = blob;
    conn->blobs = blob;
    *out = blob;
    return CHORUS_OK;
}

void
capi_blob_destroy(chorus_blob *blob)
{
    chorus_conn *conn = blob->conn;

    if (blob->prev != NULL)
        blob->prev->next = blob->next;
    else
        conn->blobs = blob->next;
    if (blob->next != NULL)
        blob->next->prev = blob->prev;
    vm_blob_close(blob->vblob);
    capi_handle_free(blob);
}

int
chorus_blob_close(chorus_blob *blob)
{
    if (blob == NULL)
        return CHORUS_OK;
    if (!capi_blob_live(blob))
        return CHORUS_MISUSE;
    capi_blob_destroy(blob);
    return CHORUS_OK;
}

int
chorus_blob_bytes(chorus_blob *blob)
{
    return capi_blob_live(blob) ? vm_blob_bytes(blob->vblob) : 0;
}

int
chorus_blob_read(chorus_blob *blob, void *buf, int n, int offset)
{
    if (!capi_blob_live(blob) || (buf == NULL && n > 0))
        return CHORUS_MISUSE;
    return vm_blob_read(blob->vblob, buf, n, offset);
}

int
chorus_blob_write(chorus_blob *blob, const void *buf, int n, int offset)
{
    if (!capi_blob_live(blob) || (buf == NULL && n > 0))
        return CHORUS_MISUSE;
    return vm_blob_write(blob->vblob, buf, n, offset);
}

int
chorus_blob_reopen(chorus_blob *blob, int64_t rowid)
{
    if (!capi_blob_live(blob))
        return CHORUS_MISUSE;
    return vm_blob_reopen(blob->vblob, rowid);
}
