/*
 * c-api/connection.c: connections: chorus_connect / chorus_disconnect,
 * chorus_exec, the error getters, counters, busy timeout, interrupt and
 * run-time limits (chorus_limit) and the authorizer (chorus_set_authorizer).
 *
 * Invariants
 *   N1  A live connection is counted in its chorus_db's n_conns, so the
 *       database handle cannot close under it (database.c D3).
 *   N2  Every live statement of a connection is on conn->stmts and every
 *       open blob on conn->blobs; disconnect closes the blobs and finalizes
 *       the statements before the vm_conn is closed, so a statement or blob
 *       of a closed connection is a dead handle (CHORUS_MISUSE).
 *
 * Locking: a connection follows chorus.h's one-thread-at-a-time rule; only
 * chorus_interrupt touches it from other threads, through the atomic
 * interrupts counter and vm_conn_interrupt (thread-safe by vm.h).
 * Ownership: the connection owns its vm_conn and its statements.
 * Callers: the public API; transaction.c calls chorus_exec.
 */
#include "capi_int.h"

#include <stdlib.h>
#include <string.h>

static const char misuse_message[] = "bad parameter or other API misuse";

int
chorus_connect(chorus_db *db, chorus_conn **out)
{
    chorus_conn *conn;
    int rc;

    if (out == NULL)
        return CHORUS_MISUSE;
    *out = NULL;
    if (!capi_db_live(db))
        return CHORUS_MISUSE;
    conn = capi_handle_alloc(CAPI_MAGIC_CONN);
    if (conn == NULL)
        return CHORUS_NOMEM;
    rc = capi_database_count_conn(db, +1);     /* N1; fails if db closed meanwhile */
    if (rc != CHORUS_OK) {
        capi_handle_free(conn);
        return rc;
    }
    rc = vm_conn_open(capi_database_vm(db), &conn->vconn);
    if (rc != CHORUS_OK) {
        capi_database_count_conn(db, -1);
        capi_handle_free(conn);
        return rc;
    }
    conn->db = db;
    vm_conn_set_busy_timeout(conn->vconn, 5000);
    *out = conn;
    return CHORUS_OK;
}

int
chorus_disconnect(chorus_conn *conn)
{
    chorus_db *db;

    if (conn == NULL)
        return CHORUS_OK;
    if (!capi_conn_live(conn))
        return CHORUS_MISUSE;
    if (conn->n_backups > 0) {          /* backup.c B1 */
        vm_conn_set_error(conn->vconn, CHORUS_BUSY,
                          "unable to close due to unfinished backup operations");
        return CHORUS_BUSY;
    }
    while (conn->blobs != NULL)         /* N2: their statements first */
        capi_blob_destroy(conn->blobs);
    while (conn->stmts != NULL)         /* N2 */
        capi_stmt_destroy(conn->stmts);
    vm_conn_close(conn->vconn);
    capi_functions_free(conn);          /* after the statements: their cleanup may call them */
    capi_collations_free(conn);
    db = conn->db;
    capi_handle_free(conn);
    capi_database_count_conn(db, -1);
    return CHORUS_OK;
}

/*
 * Runs one prepared statement to its end, dropping rows, and frees it. The
 * error of a failed step survives the finalize, which may reset the
 * connection's error.
 */
static int
exec_one(vm_conn *vconn, vm_stmt *vstmt)
{
    int rc, ext;
    char *msg;

    do
        rc = vm_step(vstmt);
    while (rc == CHORUS_ROW);
    if (rc == CHORUS_DONE) {
        vm_finalize(vstmt);
        return CHORUS_OK;
    }
    ext = vm_conn_extended_errcode(vconn);
    msg = strdup(vm_conn_errmsg(vconn));
    vm_finalize(vstmt);
    if (vm_conn_errcode(vconn) != rc)
        vm_conn_set_error(vconn, ext, "%s", msg != NULL ? msg : chorus_errstr(rc));
    free(msg);
    return rc;
}

int
chorus_exec(chorus_conn *conn, const char *sql)
{
    const char *tail = sql;
    vm_stmt *vstmt;
    int rc;

    if (!capi_conn_live(conn))
        return CHORUS_MISUSE;
    if (sql == NULL) {
        vm_conn_set_error(conn->vconn, CHORUS_MISUSE, "chorus_exec: NULL sql");
        return CHORUS_MISUSE;
    }
    vm_conn_clear_error(conn->vconn);
    /* The length is measured once: measuring the rest before each statement
     * would make a long script quadratic. */
    const char *end = sql + strlen(sql);
    while (tail < end) {
        rc = vm_prepare(conn->vconn, tail, (int)(end - tail), &vstmt, &tail);
        if (rc != CHORUS_OK)
            return rc;
        if (vstmt == NULL)
            break;              /* only whitespace and comments remain */
        rc = exec_one(conn->vconn, vstmt);
        if (rc != CHORUS_OK)
            return rc;
    }
    return CHORUS_OK;
}

int
chorus_errcode(chorus_conn *conn)
{
    return capi_conn_live(conn) ? vm_conn_errcode(conn->vconn) : CHORUS_MISUSE;
}

int
chorus_extended_errcode(chorus_conn *conn)
{
    return capi_conn_live(conn) ? vm_conn_extended_errcode(conn->vconn) : CHORUS_MISUSE;
}

const char *
chorus_errmsg(chorus_conn *conn)
{
    return capi_conn_live(conn) ? vm_conn_errmsg(conn->vconn) : misuse_message;
}

int64_t
chorus_changes(chorus_conn *conn)
{
    return capi_conn_live(conn) ? vm_conn_changes(conn->vconn) : 0;
}

int64_t
chorus_total_changes(chorus_conn *conn)
{
    return capi_conn_live(conn) ? vm_conn_total_changes(conn->vconn) : 0;
}

int64_t
chorus_last_insert_rowid(chorus_conn *conn)
{
    return capi_conn_live(conn) ? vm_conn_last_insert_rowid(conn->vconn) : 0;
}

int
chorus_in_transaction(chorus_conn *conn)
{
    return capi_conn_live(conn) && vm_conn_in_transaction(conn->vconn) ? 1 : 0;
}

int
chorus_busy_timeout(chorus_conn *conn, int ms)
{
    if (!capi_conn_live(conn))
        return CHORUS_MISUSE;
    vm_conn_set_busy_timeout(conn->vconn, ms < 0 ? 0 : ms);
    return CHORUS_OK;
}

void
chorus_interrupt(chorus_conn *conn)
{
    if (!capi_conn_live(conn))
        return;
    /* Relaxed: run_transaction only compares counts; the engine's own flag
     * carries the interrupt to the running statement. */
    atomic_fetch_add_explicit(&conn->interrupts, 1, memory_order_relaxed);
    vm_conn_interrupt(conn->vconn);
}

int
chorus_limit(chorus_conn *conn, int id, int new_value)
{
    return capi_conn_live(conn) ? vm_conn_limit(conn->vconn, id, new_value) : -1;
}

int
chorus_set_authorizer(chorus_conn *conn, chorus_authorizer_fn fn, void *arg)
{
    if (!capi_conn_live(conn))
        return CHORUS_MISUSE;
    vm_conn_set_authorizer(conn->vconn, fn, arg);
    return CHORUS_OK;
}
