/*
 * c-api/statement.c: prepared statements: prepare, bind, step, reset,
 * finalize and the statement's metadata (parameters, column names and
 * origins, SQL text, read-only flag).
 *
 * Invariants
 *   S1  A live statement is on its connection's list (connection.c N2).
 *   S2  has_row is true exactly when the last chorus_step returned
 *       CHORUS_ROW and no reset happened since; column getters need it.
 *   S3  stmt->row changes on every step and reset, which invalidates every
 *       converted text in the column cache (column.c).
 *   S4  A custom bind destructor is called exactly once per bind call,
 *       after the engine copied the bytes or the call failed.
 *
 * Locking: none; the connection's thread rule applies.
 * Ownership: the statement owns its vm_stmt and column cache; parameter and
 * column names are borrowed from the vm_stmt until finalize.
 * Callers: the public API; connection.c destroys statements on disconnect.
 */
#include "capi_int.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

int
capi_stmt_fail(chorus_stmt *stmt, int rc, const char *what)
{
    vm_conn_set_error(stmt->conn->vconn, rc, "%s: %s", what, chorus_errstr(rc));
    return rc;
}

int
chorus_prepare(chorus_conn *conn, const char *sql, int nbytes, chorus_stmt **out,
               const char **tail)
{
    chorus_stmt *stmt;
    vm_stmt *vstmt;
    int rc;

    if (out != NULL)
        *out = NULL;
    if (tail != NULL)
        *tail = sql;
    if (!capi_conn_live(conn))
        return CHORUS_MISUSE;
    if (sql == NULL || out == NULL) {
        vm_conn_set_error(conn->vconn, CHORUS_MISUSE, "chorus_prepare: NULL sql or out");
        return CHORUS_MISUSE;
    }
    rc = vm_prepare(conn->vconn, sql, nbytes, &vstmt, tail);
    if (rc != CHORUS_OK || vstmt == NULL)
        return rc;
    stmt = capi_handle_alloc(CAPI_MAGIC_STMT);
    if (stmt == NULL) {
        vm_finalize(vstmt);
        vm_conn_set_error(conn->vconn, CHORUS_NOMEM, "out of memory");
        return CHORUS_NOMEM;
    }
    stmt->conn = conn;
    stmt->vstmt = vstmt;
    stmt->row = 1;
    stmt->next = conn->stmts;       /* S1 */
    if (conn->stmts != NULL)
        conn->stmts->prev = stmt;
    conn->stmts = stmt;
    *out = stmt;
    return CHORUS_OK;
}

void
capi_stmt_destroy(chorus_stmt *stmt)
{
    chorus_conn *conn = stmt->conn;

    if (stmt->prev != NULL)
        stmt->prev->next = stmt->next;
    else
        conn->stmts = stmt->next;
    if (stmt->next != NULL)
        stmt->next->prev = stmt->prev;
    vm_finalize(stmt->vstmt);
    capi_column_cache_free(stmt);
    capi_handle_free(stmt);
}

int
chorus_finalize(chorus_stmt *stmt)
{
    if (stmt == NULL)
        return CHORUS_OK;
    if (!capi_stmt_live(stmt))
        return CHORUS_MISUSE;
    capi_stmt_destroy(stmt);
    return CHORUS_OK;
}

int
chorus_step(chorus_stmt *stmt)
{
    int rc;

    if (!capi_stmt_live(stmt))
        return CHORUS_MISUSE;
    stmt->has_row = false;
    stmt->row++;                    /* S3 */
    rc = vm_step(stmt->vstmt);
    stmt->has_row = rc == CHORUS_ROW;
    return rc;
}

int
chorus_reset(chorus_stmt *stmt)
{
    if (!capi_stmt_live(stmt))
        return CHORUS_MISUSE;
    stmt->has_row = false;
    stmt->row++;
    return vm_reset(stmt->vstmt);
}

/* --- binding --------------------------------------------------------------- */

/* Checks that idx may be bound now: CHORUS_OK, CHORUS_MISUSE or CHORUS_RANGE. */
static int
bind_check(chorus_stmt *stmt, int idx)
{
    if (!capi_stmt_live(stmt))
        return CHORUS_MISUSE;
    if (vm_stmt_is_running(stmt->vstmt))
        return capi_stmt_fail(stmt, CHORUS_MISUSE, "bind on a running statement (reset it first)");
    if (idx < 1 || idx > vm_param_count(stmt->vstmt))
        return capi_stmt_fail(stmt, CHORUS_RANGE, "bind parameter index out of range");
    return CHORUS_OK;
}

static int
bind_value(chorus_stmt *stmt, int idx, const value *v)
{
    int rc = bind_check(stmt, idx);

    return rc == CHORUS_OK ? vm_bind(stmt->vstmt, idx, v) : rc;
}

/* Calls a custom destructor on p (S4); STATIC and TRANSIENT need nothing. */
static void
bound_bytes_release(void (*destructor)(void *), const void *p)
{
    if (destructor != CHORUS_STATIC && destructor != CHORUS_TRANSIENT)
        destructor((void *)p);
}

int
chorus_bind_null(chorus_stmt *stmt, int idx)
{
    value v;

    value_set_null(&v);
    return bind_value(stmt, idx, &v);
}

int
chorus_bind_int64(chorus_stmt *stmt, int idx, int64_t i)
{
    value v;

    value_set_int(&v, i);
    return bind_value(stmt, idx, &v);
}

int
chorus_bind_double(chorus_stmt *stmt, int idx, double r)
{
    value v;

    if (isnan(r))
        value_set_null(&v);     /* as SQLite: a NaN is stored as NULL */
    else
        value_set_real(&v, r);
    return bind_value(stmt, idx, &v);
}

int
chorus_bind_text(chorus_stmt *stmt, int idx, const char *text, int nbytes,
                 void (*destructor)(void *))
{
    value v;
    int rc;

    if (text == NULL)
        value_set_null(&v);
    else
        value_set_text_ref(&v, text, nbytes < 0 ? (int32_t)strlen(text) : nbytes);
    rc = bind_value(stmt, idx, &v);     /* the engine copies the bytes */
    if (text != NULL)
        bound_bytes_release(destructor, text);
    return rc;
}

int
chorus_bind_blob(chorus_stmt *stmt, int idx, const void *data, int nbytes,
                 void (*destructor)(void *))
{
    value v;
    int rc;

    if (data == NULL)
        value_set_null(&v);
    else
        value_set_blob_ref(&v, data, nbytes);
    if (data != NULL && nbytes < 0)
        rc = capi_stmt_live(stmt) ? capi_stmt_fail(stmt, CHORUS_MISUSE, "negative blob size")
                                  : CHORUS_MISUSE;
    else
        rc = bind_value(stmt, idx, &v);
    if (data != NULL)
        bound_bytes_release(destructor, data);
    return rc;
}

int
chorus_bind_parameter_count(chorus_stmt *stmt)
{
    return capi_stmt_live(stmt) ? vm_param_count(stmt->vstmt) : 0;
}

int
chorus_bind_parameter_index(chorus_stmt *stmt, const char *name)
{
    if (!capi_stmt_live(stmt) || name == NULL)
        return 0;
    return vm_param_index(stmt->vstmt, name);
}

const char *
chorus_bind_parameter_name(chorus_stmt *stmt, int idx)
{
    if (!capi_stmt_live(stmt) || idx < 1 || idx > vm_param_count(stmt->vstmt))
        return NULL;
    return vm_param_name(stmt->vstmt, idx);
}

int
chorus_clear_bindings(chorus_stmt *stmt)
{
    if (!capi_stmt_live(stmt))
        return CHORUS_MISUSE;
    if (vm_stmt_is_running(stmt->vstmt))
        return capi_stmt_fail(stmt, CHORUS_MISUSE, "clear bindings of a running statement");
    vm_clear_bindings(stmt->vstmt);
    return CHORUS_OK;
}

/* --- statement metadata ---------------------------------------------------- */

int
chorus_stmt_readonly(chorus_stmt *stmt)
{
    return capi_stmt_live(stmt) && vm_stmt_is_readonly(stmt->vstmt) ? 1 : 0;
}

const char *
chorus_stmt_sql(chorus_stmt *stmt)
{
    return capi_stmt_live(stmt) ? vm_stmt_sql(stmt->vstmt) : NULL;
}

int
chorus_column_count(chorus_stmt *stmt)
{
    return capi_stmt_live(stmt) ? vm_column_count(stmt->vstmt) : 0;
}

bool
capi_stmt_column_check(chorus_stmt *stmt, int col)
{
    if (!capi_stmt_live(stmt))
        return false;
    if (col >= 0 && col < vm_column_count(stmt->vstmt))
        return true;
    capi_stmt_fail(stmt, CHORUS_RANGE, "result column index out of range");
    return false;
}

const char *
chorus_column_name(chorus_stmt *stmt, int col)
{
    return capi_stmt_column_check(stmt, col) ? vm_column_name(stmt->vstmt, col) : NULL;
}

const char *
chorus_column_decltype(chorus_stmt *stmt, int col)
{
    return capi_stmt_column_check(stmt, col) ? vm_column_decltype(stmt->vstmt, col) : NULL;
}

const char *
chorus_column_table_name(chorus_stmt *stmt, int col)
{
    return capi_stmt_column_check(stmt, col) ? vm_column_table(stmt->vstmt, col) : NULL;
}

const char *
chorus_column_origin_name(chorus_stmt *stmt, int col)
{
    return capi_stmt_column_check(stmt, col) ? vm_column_origin(stmt->vstmt, col) : NULL;
}
