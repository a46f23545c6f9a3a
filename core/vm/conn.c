/*
 * core/vm/conn.c: connections: the last error, the change counters, the
 * busy timeout and the interrupt flag; and the run-level error helpers.
 *
 * Invariants
 *   N1  errmsg is NULL exactly when errcode is CHORUS_OK; vm_conn_errmsg
 *       then gives "not an error".
 *   N2  interrupt is the only field another thread may touch.
 *   N3  limits[id] stays within 0 .. limit_highest[id]; a new connection
 *       starts at the highest, which are sqlite3 3.40's defaults (the
 *       parser's fixed bounds for EXPR_DEPTH and VARIABLE_NUMBER,
 *       core/sql/sql_int.h). Where each is enforced: chorus.h chorus_limit.
 * Callers: c-api, and the other files of core/vm.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vm_int.h"

static const int limit_highest[CHORUS_LIMIT_COUNT] = {
    [CHORUS_LIMIT_LENGTH] = 1000000000,
    [CHORUS_LIMIT_SQL_LENGTH] = 1000000000,
    [CHORUS_LIMIT_COLUMN] = 2000,
    [CHORUS_LIMIT_EXPR_DEPTH] = 1000,
    [CHORUS_LIMIT_COMPOUND_SELECT] = 500,
    [CHORUS_LIMIT_VDBE_OP] = 250000000,
    [CHORUS_LIMIT_FUNCTION_ARG] = 127,
    [CHORUS_LIMIT_ATTACHED] = VM_MAX_ATTACHED,
    [CHORUS_LIMIT_LIKE_PATTERN_LENGTH] = 50000,
    [CHORUS_LIMIT_VARIABLE_NUMBER] = 32766,
    [CHORUS_LIMIT_TRIGGER_DEPTH] = 1000,
    [CHORUS_LIMIT_WORKER_THREADS] = 8,
};

int
vm_conn_limit(vm_conn *conn, int id, int new_value)
{
    int old;

    if (id < 0 || id >= CHORUS_LIMIT_COUNT)
        return -1;
    old = conn->limits[id];
    if (new_value >= 0)
        conn->limits[id] = new_value < limit_highest[id] ? new_value : limit_highest[id];
    return old;
}

int
vm_conn_open(vm_db *db, vm_conn **out)
{
    vm_conn *conn = calloc(1, sizeof *conn);

    *out = NULL;
    if (conn == NULL)
        return CHORUS_NOMEM;
    conn->db = db;
    conn->busy_ms = 5000;
    conn->cache_size = -2000;
    conn->automatic_index = true;
    conn->n_schemas = 1;        /* main; temp's slot stays empty until used (temp.c TP1) */
    atomic_init(&conn->interrupt, 0);
    memcpy(conn->limits, limit_highest, sizeof conn->limits);      /* N3 */
    conn->limits[CHORUS_LIMIT_WORKER_THREADS] = 0;
    pthread_mutex_lock(&db->mu);
    conn->cat = catalog_retain(db->cat);
    pthread_mutex_unlock(&db->mu);
    *out = conn;
    return CHORUS_OK;
}

void
vm_conn_close(vm_conn *conn)
{
    if (conn == NULL)
        return;
    if (conn->tx != NULL)
        vm_tx_end(conn, false, NULL);
    vm_writer_drop_parked(conn);
    vm_schemas_close(conn);
    vm_mvcc_conn_close(conn);
    store_tx_clear(&conn->stx);
    for (int i = 0; i < conn->n_sp; i++)
        free(conn->sp[i].name);
    free(conn->sp);
    catalog_release(conn->cat);
    free(conn->errmsg);
    free(conn);
}

void
vm_conn_set_authorizer(vm_conn *conn,
                       int (*fn)(void *, int, const char *, const char *, const char *,
                                 const char *),
                       void *arg)
{
    conn->auth_fn = fn;
    conn->auth_arg = arg;
    vm_conn_expire(conn);
}

void
vm_conn_set_user_defs(vm_conn *conn, func_user_set *funcs, collation_user_set *colls)
{
    conn->funcs = funcs;
    conn->colls = colls;
}

void
vm_conn_expire(vm_conn *conn)
{
    conn->schema_gen++;         /* statements recompile when they start (stmt.c) */
}

bool
vm_conn_is_running(vm_conn *conn)
{
    return conn->n_active > 0;      /* every running statement is counted (tx.c) */
}

int
vm_conn_errcode(vm_conn *conn)
{
    return conn->errcode & 0xff;
}

int
vm_conn_extended_errcode(vm_conn *conn)
{
    return conn->ext_errcode ? conn->ext_errcode : conn->errcode;
}

const char *
vm_conn_errmsg(vm_conn *conn)
{
    if (conn->errmsg != NULL)
        return conn->errmsg;
    return chorus_errstr(conn->errcode);
}

/* Records rc with the malloc()ed msg (taken; may be NULL for the default). */
void
vm_conn_take_error(vm_conn *conn, int rc, char *msg)
{
    free(conn->errmsg);
    conn->errmsg = msg;
    conn->errcode = rc & 0xff;
    conn->ext_errcode = rc;
    if (rc == CHORUS_OK) {
        free(conn->errmsg);
        conn->errmsg = NULL;
        conn->ext_errcode = 0;
    }
}

void
vm_conn_set_error(vm_conn *conn, int rc, const char *fmt, ...)
{
    strbuf sb;
    va_list ap;

    strbuf_init(&sb);
    va_start(ap, fmt);
    strbuf_vprintf(&sb, fmt, ap);
    va_end(ap);
    vm_conn_take_error(conn, rc, strbuf_finish(&sb));
}

void
vm_conn_clear_error(vm_conn *conn)
{
    vm_conn_take_error(conn, CHORUS_OK, NULL);
}

int64_t
vm_conn_changes(vm_conn *conn)
{
    return conn->changes;
}

int64_t
vm_conn_total_changes(vm_conn *conn)
{
    return conn->total_changes;
}

int64_t
vm_conn_last_insert_rowid(vm_conn *conn)
{
    return conn->last_rowid;
}

bool
vm_conn_in_transaction(vm_conn *conn)
{
    return conn->explicit_tx;
}

void
vm_conn_set_busy_timeout(vm_conn *conn, int ms)
{
    conn->busy_ms = ms < 0 ? 0 : ms;
}

void
vm_conn_interrupt(vm_conn *conn)
{
    /* Release: pairs with the acquire load in vm_run_check_interrupt; nothing
     * else is published with it, so relaxed would do, but the flag is rare. */
    atomic_store_explicit(&conn->interrupt, 1, memory_order_release);
}

int
vm_run_check_interrupt(vm_run *r)
{
    /* Acquire: pairs with the release store in vm_conn_interrupt. */
    if (atomic_load_explicit(&r->conn->interrupt, memory_order_acquire))
        return vm_run_error(r, CHORUS_INTERRUPT, "interrupted");
    return CHORUS_OK;
}

void
vm_conn_set_progress(vm_conn *conn, int n, int (*fn)(void *), void *arg)
{
    conn->progress_fn = n > 0 ? fn : NULL;
    conn->progress_arg = arg;
    conn->progress_n = n;
    conn->progress_count = 0;
}

void
vm_conn_set_trace(vm_conn *conn, void (*fn)(void *, const char *), void *arg)
{
    conn->trace_fn = fn;
    conn->trace_arg = arg;
}

bool
vm_conn_progress_stop(vm_conn *conn)
{
    if (conn->progress_fn == NULL || ++conn->progress_count < conn->progress_n)
        return false;
    conn->progress_count = 0;
    return conn->progress_fn(conn->progress_arg) != 0;
}

/* Records the first error of a run; returns rc. */
int
vm_run_error(vm_run *r, int rc, const char *fmt, ...)
{
    va_list ap;

    if (r->errmsg == NULL) {
        strbuf sb;
        strbuf_init(&sb);
        va_start(ap, fmt);
        strbuf_vprintf(&sb, fmt, ap);
        va_end(ap);
        r->errmsg = strbuf_finish(&sb);
        r->ext_errcode = rc;
    }
    return rc;
}
