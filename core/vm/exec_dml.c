/*
 * core/vm/exec_dml.c: the statements that change the database: INSERT,
 * UPDATE, DELETE (through the catalog's row writer), DDL and CREATE TABLE
 * AS (through the catalog's DDL functions) and PRAGMAs.
 *
 * Rules
 *   W1  UPDATE and DELETE first collect every target row (rowid and new
 *       values) with the statement's query, then write: the scan never
 *       sees the statement's own changes. INSERT ... SELECT collects its
 *       source rows first for the same reason.
 *   W2  DEFAULT expressions are evaluated per row; CHECK constraints run
 *       on the new row after column affinity, before the writer.
 *   W3  changes() counts rows written by the statement (not those OR
 *       IGNORE skipped); last_insert_rowid() is the last inserted rowid.
 * Callers: stmt.c.
 */
#include <stdlib.h>
#include <string.h>

#include "vm_int.h"

static int
writer_error(vm_stmt *st, int rc)
{
    const char *msg = st->writer != NULL ? catalog_writer_errmsg(st->writer) : "";

    if (msg == NULL || msg[0] == 0)
        msg = chorus_errstr(rc);
    return vm_run_error(&st->run, rc, "%s", msg);
}

static int
hooks_eval(void *arg, const catalog_table *t, const ast_expr *expr, const value *row,
           int64_t rowid, value *out, char **errmsg_out)
{
    *errmsg_out = common_mprintf("not supported yet: expression indexes, partial indexes "
                                 "and REPLACE defaults");
    return CHORUS_ERROR;
}

static int
open_writer(vm_stmt *st, catalog *cat)
{
    catalog_hooks hooks = {st, hooks_eval};
    int rc;

    if (st->writer != NULL)
        return CHORUS_OK;
    rc = catalog_writer_open(st->conn->tx, cat, &hooks, &st->writer);
    if (rc != CHORUS_OK)
        return vm_run_error(&st->run, rc, "%s", chorus_errstr(rc));
    return CHORUS_OK;
}

/* W2: CHECK constraints over vals. */
static int
run_checks(vm_stmt *st, value *vals, int64_t rowid)
{
    plan_stmt *p = st->plan;
    const catalog_table *t = p->table;
    plan_cursor *rowc = &p->cursors[p->row_cursor];
    int rc;

    if (t->n_checks == 0)
        return CHORUS_OK;
    for (int i = 0; i < t->n_cols; i++) {
        rc = value_apply_affinity(&vals[i], t->cols[i].affinity);
        if (rc != CHORUS_OK)
            return rc;
    }
    rowc->row = vals;
    rowc->rowid = rowid;
    for (int i = 0; i < t->n_checks; i++) {
        int truth;
        rc = vm_eval_truth(&st->run, p->checks[i], &truth);
        if (rc != CHORUS_OK)
            return rc;
        if (truth == 0) {
            const char *name = t->checks[i].name;
            if (name != NULL)
                return vm_run_error(&st->run, CHORUS_CONSTRAINT_CHECK,
                                    "CHECK constraint failed: %s", name);
            return vm_run_error(&st->run, CHORUS_CONSTRAINT_CHECK,
                                "CHECK constraint failed: %.*s", (int)t->checks[i].expr->span.len,
                                t->sql + t->checks[i].expr->span.start);
        }
    }
    return CHORUS_OK;
}

static void
count_change(vm_stmt *st, int64_t n)
{
    st->conn->changes = n;
    st->conn->total_changes += n;
}

/* Builds the new row of an INSERT from one source row (or none). */
static int
insert_row(vm_stmt *st, value *vals, const value *src, int64_t *n_written)
{
    plan_stmt *p = st->plan;
    const catalog_table *t = p->table;
    value rowid, *rowid_ptr = NULL;
    catalog_row_result res;
    int rc = CHORUS_OK;

    value_set_null(&rowid);
    for (int i = 0; i < t->n_cols; i++)
        value_set_null(&vals[i]);
    for (int k = 0; k < p->n_assign; k++) {
        int c = p->assign[k].column;
        value *dst = c >= 0 ? &vals[c] : &rowid;
        value_clear(dst);
        rc = value_copy(dst, &src[k]);
        if (rc != CHORUS_OK)
            goto out;
        if (c < 0)
            rowid_ptr = &rowid;
    }
    for (int i = 0; i < t->n_cols && rc == CHORUS_OK; i++) {
        bool assigned = false;
        for (int k = 0; k < p->n_assign; k++)
            assigned |= p->assign[k].column == i;
        if (!assigned && p->defaults[i] != NULL) {
            value v;
            rc = vm_eval(&st->run, p->defaults[i], &v);
            if (rc == CHORUS_OK) {
                rc = value_copy(&vals[i], &v);
                value_clear(&v);
            }
        }
    }
    if (rc == CHORUS_OK)
        rc = run_checks(st, vals, 0);
    if (rc != CHORUS_OK)
        goto out;
    rc = catalog_row_insert(st->writer, t, vals, rowid_ptr, p->conflict, &res);
    if (rc != CHORUS_OK) {
        rc = writer_error(st, rc);
        goto out;
    }
    if (!res.ignored) {
        (*n_written)++;
        st->conn->last_rowid = res.rowid;
    }
out:
    vm_values_clear(vals, t->n_cols);
    value_clear(&rowid);
    return rc;
}

/* Runs q to the end into a new store (W1). */
static int
collect(vm_stmt *st, plan_query *q, vm_rows **out)
{
    int rc = vm_rows_new(q->n_cols, out);

    if (rc == CHORUS_OK)
        rc = vm_query_open(&st->run, q);
    while (rc == CHORUS_OK && (rc = vm_query_next(&st->run, q)) == CHORUS_ROW)
        rc = vm_rows_append(*out, q->row);
    vm_query_close(&st->run, q);
    return rc == CHORUS_DONE ? CHORUS_OK : rc;
}

int
vm_exec_insert(vm_stmt *st)
{
    plan_stmt *p = st->plan;
    const catalog_table *t = p->table;
    vm_rows *rows = NULL;
    value *vals;
    int64_t n = 0;
    int rc;

    vals = calloc((size_t)t->n_cols + 1, sizeof *vals);
    if (vals == NULL)
        return CHORUS_NOMEM;
    rc = open_writer(st, st->conn->cat);
    if (rc == CHORUS_OK && p->query == NULL) {
        rc = insert_row(st, vals, NULL, &n);
    } else if (rc == CHORUS_OK && p->query->kind == PQ_VALUES) {
        rc = vm_query_open(&st->run, p->query);
        while (rc == CHORUS_OK && (rc = vm_query_next(&st->run, p->query)) == CHORUS_ROW)
            rc = insert_row(st, vals, p->query->row, &n);
        if (rc == CHORUS_DONE)
            rc = CHORUS_OK;
    } else if (rc == CHORUS_OK) {
        rc = collect(st, p->query, &rows);
        for (int64_t i = 0; rc == CHORUS_OK && rows != NULL && i < rows->n; i++)
            rc = insert_row(st, vals, rows->rows[i], &n);
    }
    vm_rows_free(rows);
    free(vals);
    count_change(st, n);
    return rc;
}

int
vm_exec_update(vm_stmt *st)
{
    plan_stmt *p = st->plan;
    const catalog_table *t = p->table;
    vm_rows *rows = NULL;
    value *vals = NULL;
    int64_t n = 0;
    int rc;

    rc = collect(st, p->query, &rows);
    if (rc == CHORUS_OK)
        rc = open_writer(st, st->conn->cat);
    if (rc == CHORUS_OK && (vals = calloc((size_t)t->n_cols + 1, sizeof *vals)) == NULL)
        rc = CHORUS_NOMEM;
    for (int64_t i = 0; rc == CHORUS_OK && i < rows->n; i++) {
        const value *row = rows->rows[i];
        catalog_row_result res;
        for (int c = 0; c < t->n_cols; c++) {
            vals[c] = row[2 + c];
            vals[c].flags = VALUE_BORROWED;
        }
        rc = run_checks(st, vals, row[0].u.i);
        if (rc == CHORUS_OK)
            rc = catalog_row_update(st->writer, t, row[0].u.i, vals,
                                    t->rowid_alias >= 0 ? NULL : &row[1], p->conflict, &res);
        else
            break;
        vm_values_clear(vals, t->n_cols);
        if (rc != CHORUS_OK) {
            rc = writer_error(st, rc);
            break;
        }
        if (!res.ignored)
            n++;
    }
    if (vals != NULL)
        vm_values_clear(vals, t->n_cols);
    free(vals);
    vm_rows_free(rows);
    count_change(st, n);
    return rc;
}

int
vm_exec_delete(vm_stmt *st)
{
    plan_stmt *p = st->plan;
    vm_rows *rows = NULL;
    int64_t n = 0;
    int rc;

    rc = collect(st, p->query, &rows);
    if (rc == CHORUS_OK)
        rc = open_writer(st, st->conn->cat);
    for (int64_t i = 0; rc == CHORUS_OK && i < rows->n; i++) {
        rc = catalog_row_delete(st->writer, p->table, rows->rows[i][0].u.i);
        if (rc != CHORUS_OK)
            rc = writer_error(st, rc);
        else
            n++;
    }
    vm_rows_free(rows);
    count_change(st, n);
    return rc;
}

int
vm_exec_ddl(vm_stmt *st)
{
    catalog *cat;
    int rc = vm_tx_editable_catalog(st->conn, &cat);

    if (rc == CHORUS_OK)
        rc = open_writer(st, cat);
    if (rc != CHORUS_OK)
        return rc;
    rc = catalog_ddl_execute(st->writer, st->ast, st->sql);
    if (rc != CHORUS_OK)
        return writer_error(st, rc);
    st->conn->schema_gen++;
    return CHORUS_OK;
}

int
vm_exec_create_as(vm_stmt *st)
{
    plan_stmt *p = st->plan;
    plan_query *q = p->query;
    const catalog_table *t = NULL;
    vm_rows *rows = NULL;
    catalog *cat;
    char *affs;
    int rc;

    affs = calloc((size_t)q->n_cols + 1, 1);
    if (affs == NULL)
        return CHORUS_NOMEM;
    memcpy(affs, q->col_aff, (size_t)q->n_cols);
    rc = collect(st, q, &rows);
    if (rc == CHORUS_OK)
        rc = vm_tx_editable_catalog(st->conn, &cat);
    if (rc == CHORUS_OK)
        rc = open_writer(st, cat);
    if (rc == CHORUS_OK) {
        rc = catalog_create_table_as(st->writer, st->ast, q->n_cols,
                                     (const char *const *)p->col_names, affs, &t);
        if (rc != CHORUS_OK)
            rc = writer_error(st, rc);
    }
    for (int64_t i = 0; rc == CHORUS_OK && t != NULL && i < rows->n; i++) {
        catalog_row_result res;
        rc = catalog_row_insert(st->writer, t, rows->rows[i], NULL, AST_CONFLICT_ABORT, &res);
        if (rc != CHORUS_OK)
            rc = writer_error(st, rc);
    }
    if (rc == CHORUS_OK)
        st->conn->schema_gen++;
    vm_rows_free(rows);
    free(affs);
    return rc;
}

int
vm_exec_pragma(vm_stmt *st)
{
    vm_conn *conn = st->conn;
    const ast_pragma *pr = &st->ast->u.pragma;
    catalog_pragma_env env;
    char *msg = NULL;
    int rc;

    memset(&env, 0, sizeof env);
    env.pager = conn->db->pager;
    env.tx = conn->tx;
    env.cat = conn->cat;
    env.busy_timeout_ms = &conn->busy_ms;
    env.foreign_keys = &conn->foreign_keys;
    env.recursive_triggers = &conn->recursive_triggers;
    env.cache_size = &conn->cache_size;
    catalog_result_free(&st->pres);
    catalog_result_init(&st->pres);
    if (pr->schema != NULL && strcmp(pr->schema, "main") != 0 && strcmp(pr->schema, "temp") != 0)
        return vm_run_error(&st->run, CHORUS_ERROR, "unknown database %s", pr->schema);
    rc = catalog_pragma(&env, pr, &st->pres, &msg);
    if (rc != CHORUS_OK) {
        vm_run_error(&st->run, rc, "%s", msg ? msg : chorus_errstr(rc));
        free(msg);
        return rc;
    }
    free(msg);
    if (st->pres.schema_changed)
        conn->schema_gen++;
    return CHORUS_OK;
}
