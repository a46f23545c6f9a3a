/*
 * core/vm/exec_dml.c: the statements that change the database: INSERT,
 * UPDATE, DELETE (through the catalog's row writer), DDL and CREATE TABLE
 * AS (through the catalog's DDL functions).
 *
 * Rules
 *   W1  UPDATE and DELETE first collect every target row (rowid and new
 *       values) with the statement's query, then write: the scan never
 *       sees the statement's own changes. INSERT ... SELECT collects its
 *       source rows first for the same reason, and so does INSERT ... VALUES
 *       when its rows read the target table (plan.values_first); other
 *       VALUES rows are evaluated one at a time, each after the previous
 *       row's write, as SQLite's co-routine does.
 *   W2  DEFAULT expressions are evaluated per row; CHECK constraints run
 *       on the new row after column affinity, before the writer. A CHECK
 *       that fails under OR IGNORE drops the row; under any other action
 *       (REPLACE too) it fails the statement, as in SQLite.
 *   W3  changes() counts rows written by the statement (not those OR
 *       IGNORE skipped); last_insert_rowid() is the last inserted rowid. A
 *       statement that fails and is rolled back (any action but FAIL) counts
 *       none of its own rows: changes() is 0 after it and total_changes()
 *       keeps only what its triggers' statements counted, as SQLite sets
 *       them when each halts (stmt.c stmt_stop, vm_stmt.own_changes).
 *   W4  UPDATE writes its targets in the order SQLite does: scan order, but
 *       ascending rowid when SQLite runs it in two passes (REPLACE, UPDATE
 *       triggers, RETURNING, a changed rowid, a scan over an index it
 *       changes, a MULTI-INDEX OR scan), as its rowid set returns them
 *       sorted. Its second pass reads each target row again when it gets
 *       there and evaluates SET over the row it finds (which an earlier
 *       target may have moved onto that rowid); so does this one (finding
 *       F3), and a target that is gone is skipped.
 *   W5  Generated columns are computed on the new row after BEFORE
 *       triggers, before CHECK constraints and the write.
 *   W6  On a view (core/compile/view_dml.c IV1-IV3) the INSTEAD OF
 *       triggers run in place of each write, over the row as given (UPDATE:
 *       NEW with the view columns' affinity); RETURNING shows that row
 *       unless RAISE(IGNORE) dropped it; changes() counts nothing.
 *   W7  REPLACE's deletions of the rows in the way go through the engine
 *       when they have work to do: delete triggers under PRAGMA
 *       recursive_triggers, foreign keys of the table (as SQLite's
 *       sqlite3GenerateRowDelete). The writer names them first
 *       (catalog_row_replace_victims); each is deleted as DELETE does, with
 *       no RETURNING row and no change counted, its triggers' statements
 *       writing with REPLACE (exec_trigger.c G7); then the write finds the
 *       way clear.
 *   W8  A WITHOUT ROWID table's rows have no rowid: UPDATE and DELETE name
 *       them by their old values (plan.with_old; catalog_row_*_key), the
 *       second pass of W4 visits them in PRIMARY KEY order (SQLite's
 *       ephemeral index of PKs) and reads each again by its PK, and W7 gets
 *       the rows in the way as copies (catalog_row_replace_victims_key).
 *   W9  DELETE deletes in the order SQLite does: scan order, but ascending
 *       rowid (or PK order, W8) when SQLite runs it in two passes
 *       (RETURNING, delete triggers, foreign keys), as W4 for UPDATE.
 *   W10 An INSERT whose rowid is left to the table gets it after BEFORE
 *       triggers (NEW.rowid and NEW of the rowid alias read -1 there) and
 *       before generated columns and
 *       CHECK constraints, which may read it, as SQLite allocates it; the
 *       writer then takes it as given.
 *   W11 An INSERT with an upsert into an AUTOINCREMENT table has its rowid
 *       before the upsert's probe (W10's allocation, or the one given), and
 *       sqlite_sequence counts it even when DO NOTHING or DO UPDATE takes
 *       the row's place, as SQLite's counter does.
 *   W12 An unnamed CHECK that fails is named by its text, as SQLite names
 *       it (check_failed: a text that starts with a quote is cut to what
 *       the quote encloses: CHECK ("qty" >= 0) fails as "qty").
 * Callers: stmt.c.
 */
#include <stdlib.h>
#include <string.h>

#include "vm_int.h"

static int
writer_error(vm_stmt *st, int rc)
{
    const char *msg = st->writer != NULL ? catalog_writer_errmsg(st->writer) : "";

    if ((rc & 0xff) == CHORUS_CONFLICT && st->conn->stx.msg != NULL)
        msg = st->conn->stx.msg;                /* store rule S4: table and row */

    if (msg == NULL || msg[0] == 0)
        msg = chorus_errstr(rc);
    return vm_run_error(&st->run, rc, "%s", msg);
}

static int
open_writer(vm_stmt *st, catalog *cat)
{
    catalog_hooks hooks = {st->root != NULL ? st->root : st, vm_hooks_eval};
    bool other = false, shared_store;
    int rc;

    if (st->writer != NULL)
        return CHORUS_OK;
    if (!st->plan->is_ddl && st->plan->table != NULL) {     /* temp.c TP4 */
        rc = vm_schema_dml_writer(st, st->plan->table, &other);
        if (rc != CHORUS_OK || other)
            return rc;
    }
    shared_store = st->conn->stx.mv != NULL && !st->plan->is_ddl;  /* DDL: the B-tree (VM4) */
    if (vm_writer_unpark(st, cat, shared_store, &hooks))      /* writer_park.c WP2 */
        return CHORUS_OK;
    rc = catalog_writer_open(st->conn->tx, cat, &hooks, &st->writer);
    if (rc != CHORUS_OK)
        return vm_run_error(&st->run, rc, "%s", chorus_errstr(rc));
    if (shared_store)
        catalog_writer_use_store(st->writer, &st->conn->stx);  /* mvcc_mode.c VM2 */
    return CHORUS_OK;
}

static int
apply_affinity(const catalog_table *t, value *vals)
{
    for (int i = 0; i < t->n_cols; i++) {
        int rc = value_apply_affinity(&vals[i], t->cols[i].affinity);
        if (rc != CHORUS_OK)
            return rc;
    }
    return CHORUS_OK;
}

/* W5: the generated columns of t computed over vals (by column; owned or
 * borrowed), VIRTUAL ones too (CHECK constraints read them; the writer
 * stores only STORED ones). As many passes as generated columns, so one may
 * read another whatever their order. */
static int
compute_generated(vm_stmt *st, const catalog_table *t, value *vals, int64_t rowid)
{
    vm_stmt *root = st->root != NULL ? st->root : st;
    int rc = CHORUS_OK;

    for (int pass = 0; pass < t->n_generated && rc == CHORUS_OK; pass++) {
        for (int i = 0; i < t->n_cols && rc == CHORUS_OK; i++) {
            value v;
            char *msg = NULL;
            if (t->cols[i].generated_expr == NULL)
                continue;
            value_set_null(&v);
            rc = vm_hooks_eval(root, t, t->cols[i].generated_expr, vals, rowid, &v, &msg);
            if (rc != CHORUS_OK) {
                rc = vm_run_error(&st->run, rc, "%s", msg != NULL ? msg : chorus_errstr(rc));
                free(msg);
                break;
            }
            free(msg);
            value_clear(&vals[i]);
            vals[i] = v;
        }
    }
    return rc;
}

/* The new row's rowid when the statement gave an integer one, else -1. */
static int64_t
rowid_known(const catalog_table *t, const value *vals, const value *rowid)
{
    const value *r = t->rowid_alias >= 0 ? &vals[t->rowid_alias] : rowid;

    return r->type == VALUE_INTEGER ? r->u.i : -1;
}

/* W10: the rowid of a row that leaves it to the table, allocated now. */
static int
rowid_assign_early(vm_stmt *st, const catalog_table *t, value *vals, value *rowid,
                   value **rowid_ptr)
{
    value *slot = t->rowid_alias >= 0 ? &vals[t->rowid_alias] : rowid;
    int64_t r;
    int rc;

    if (t->without_rowid || slot->type != VALUE_NULL)
        return CHORUS_OK;
    rc = catalog_row_new_rowid(st->writer, t, &r);
    if (rc != CHORUS_OK)
        return writer_error(st, rc);
    value_set_int(slot, r);
    if (t->rowid_alias < 0)
        *rowid_ptr = rowid;
    return CHORUS_OK;
}

/* W12: "CHECK constraint failed: <text>" for an unnamed CHECK, its text as
 * SQLite names it: as written, but when it starts with a quote (' " ` [)
 * only what that quote encloses, undoubled. */
static int
check_failed(vm_stmt *st, const char *text, int n)
{
    char close = n > 0 && text[0] == '[' ? ']' : n > 0 ? text[0] : 0;
    strbuf sb;
    int rc;

    strbuf_init(&sb);
    if (close != '\'' && close != '"' && close != '`' && close != ']') {
        strbuf_append(&sb, text, (size_t)n);
    } else {
        for (int i = 1; i < n; i++) {
            if (text[i] == close && close != ']' && i + 1 < n && text[i + 1] == close)
                i++;                            /* a doubled quote stands for one */
            else if (text[i] == close)
                break;
            strbuf_putc(&sb, text[i]);
        }
    }
    rc = vm_run_error(&st->run, CHORUS_CONSTRAINT_CHECK, "CHECK constraint failed: %s",
                      sb.failed ? "" : sb.data != NULL ? sb.data : "");
    strbuf_free(&sb);
    return rc;
}

/* W2: CHECK constraints over vals, written with conflict action conflict;
 * *ignored_out: OR IGNORE dropped the row. */
static int
run_checks(vm_stmt *st, value *vals, int64_t rowid, int conflict, bool *ignored_out)
{
    plan_stmt *p = st->plan;
    const catalog_table *t = p->table;
    plan_cursor *rowc = &p->cursors[p->row_cursor];
    int rc;

    if (t->n_checks == 0)
        return CHORUS_OK;
    rc = apply_affinity(t, vals);
    if (rc != CHORUS_OK)
        return rc;
    rowc->row = vals;
    rowc->rowid = rowid;
    for (int i = 0; i < t->n_checks; i++) {
        int truth;
        rc = vm_eval_truth(&st->run, p->checks[i], &truth);
        if (rc != CHORUS_OK)
            return rc;
        if (truth == 0 && conflict == AST_CONFLICT_IGNORE) {
            *ignored_out = true;
            return CHORUS_OK;
        }
        if (truth == 0) {
            const char *name = t->checks[i].name;
            if (name != NULL)
                return vm_run_error(&st->run, CHORUS_CONSTRAINT_CHECK,
                                    "CHECK constraint failed: %s", name);
            return check_failed(st, t->sql + t->checks[i].expr->span.start,
                                (int)t->checks[i].expr->span.len);
        }
    }
    return CHORUS_OK;
}

static void
count_change(vm_stmt *st, int64_t n)
{
    if (st->root == NULL)
        st->own_changes = n;
    st->conn->changes = n;
    st->conn->total_changes += n;
}

int
vm_returning_add(vm_stmt *st, const value *vals, int64_t rowid)
{
    plan_stmt *p = st->plan;
    plan_cursor *rc_cur;
    value *out;
    int rc = CHORUS_OK, i;

    if (p->returning == NULL)
        return CHORUS_OK;
    if (st->returned == NULL && (rc = vm_rows_new(p->n_cols, &st->returned)) != CHORUS_OK)
        return rc;
    out = calloc((size_t)p->n_cols + 1, sizeof *out);
    if (out == NULL)
        return CHORUS_NOMEM;
    rc_cur = &p->cursors[p->ret_cursor];
    rc_cur->row = vals;
    rc_cur->rowid = rowid;
    for (i = 0; i < p->n_cols && rc == CHORUS_OK; i++)
        rc = vm_eval(&st->run, p->returning[i], &out[i]);
    if (rc == CHORUS_OK)
        rc = vm_rows_append(st->returned, out);
    vm_values_clear(out, i);
    free(out);
    rc_cur->row = NULL;
    return rc;
}

/* An owned copy of n values (AFTER triggers read the stored row while the
 * writer's buffer moves on). */
static int
row_copy(const value *src, int n, value **out)
{
    value *v = calloc((size_t)n + 1, sizeof *v);
    int rc = CHORUS_OK;

    *out = v;
    if (v == NULL)
        return CHORUS_NOMEM;
    for (int i = 0; i < n && rc == CHORUS_OK; i++)
        rc = value_copy(&v[i], &src[i]);
    return rc;
}

static void
row_free(value *v, int n)
{
    if (v != NULL)
        vm_values_clear(v, n);
    free(v);
}

/* W6: whether the statement's target is a view's stand-in (root page 0,
 * core/compile/view_dml.c IV2), whose INSTEAD OF triggers (if any match:
 * with RETURNING a view needs none) stand for the write. */
static bool
is_view_target(const vm_stmt *st)
{
    return st->plan->table->root == 0;
}

/* W6: one row's INSTEAD OF triggers (a view has no rowid: 0 stands for it). */
static int
instead_of(vm_stmt *st, int event, const ast_list *set, const value *old_row,
           const value *new_row)
{
    bool ignored;
    int rc = vm_triggers_fire(st, st->plan->table, event, AST_TRIGGER_INSTEAD_OF, set, old_row, 0,
                              new_row, 0, &ignored);

    if (rc == CHORUS_OK && !ignored)
        rc = vm_returning_add(st, new_row != NULL ? new_row : old_row, 0);
    return rc;
}

/* After a row was written: RETURNING, then AFTER triggers over the stored row. */
static int
after_write(vm_stmt *st, const catalog_table *t, int event, const ast_list *set,
            const value *old_row, int64_t old_rowid, int64_t rowid)
{
    bool fire = vm_triggers_any(st, t, event, AST_TRIGGER_AFTER), ignored;
    value *stored = NULL;
    int rc;

    if (st->plan->returning == NULL && !fire && !st->conn->foreign_keys)
        return CHORUS_OK;
    rc = row_copy(catalog_writer_row(st->writer), t->n_cols, &stored);
    if (rc == CHORUS_OK)
        rc = vm_returning_add(st, stored, rowid);
    if (rc == CHORUS_OK)
        rc = vm_fkeys_after(st, t, event, old_row, old_rowid, stored, rowid);
    if (rc == CHORUS_OK && fire)
        rc = vm_triggers_fire(st, t, event, AST_TRIGGER_AFTER, set, old_row, old_rowid, stored,
                              rowid, &ignored);
    row_free(stored, t->n_cols);
    return rc;
}

static int delete_row(vm_stmt *st, const catalog_table *t, int64_t rowid, const value *old_row,
                      int64_t *n_written);

/* W7: whether a REPLACE may delete rows of t in this write. */
static bool
replace_possible(const catalog_table *t, int conflict)
{
    if (conflict != AST_CONFLICT_DEFAULT)
        return conflict == AST_CONFLICT_REPLACE;
    if (t->rowid_alias >= 0 && t->pk_conflict == AST_CONFLICT_REPLACE)
        return true;
    for (int i = 0; i < t->n_indexes; i++)
        if (t->indexes[i]->unique && t->indexes[i]->on_conflict == AST_CONFLICT_REPLACE)
            return true;
    return false;
}

/* W7, W8: replace_victims on a WITHOUT ROWID table (old_row: the row an
 * UPDATE changes, else NULL). */
static int
replace_victims_key(vm_stmt *st, const catalog_table *t, const value *vals,
                    const value *old_row, int conflict, bool *ignored_out)
{
    value *victims = calloc((size_t)t->n_indexes * (size_t)t->n_cols + 1, sizeof *victims);
    int n = 0, rc;

    if (victims == NULL)
        return CHORUS_NOMEM;
    rc = catalog_row_replace_victims_key(st->writer, t, vals, old_row, conflict, victims, &n,
                                         ignored_out);
    if (rc != CHORUS_OK)
        rc = writer_error(st, rc);
    for (int i = 0; i < n && rc == CHORUS_OK && !*ignored_out; i++) {
        int own = st->conflict;
        st->conflict = AST_CONFLICT_REPLACE;        /* what its triggers inherit (G7) */
        rc = delete_row(st, t, 0, &victims[i * t->n_cols], NULL);
        st->conflict = own;
    }
    vm_values_clear(victims, n * t->n_cols);
    free(victims);
    return rc;
}

/* W7: deletes, as DELETE does, the rows a write of vals (rowid, old_rowid
 * as catalog_row_replace_victims takes them; old_row for W8) would replace,
 * when that deletion has triggers or foreign keys to run; *ignored_out: an
 * OR IGNORE conflict drops the write. */
static int
replace_victims(vm_stmt *st, const catalog_table *t, const value *vals, const value *rowid,
                const int64_t *old_rowid, const value *old_row, int conflict, bool *ignored_out)
{
    bool triggers = st->conn->recursive_triggers &&
                    (vm_triggers_any(st, t, AST_TRIGGER_DELETE, AST_TRIGGER_BEFORE) ||
                     vm_triggers_any(st, t, AST_TRIGGER_DELETE, AST_TRIGGER_AFTER));
    int64_t *victims;
    int n = 0, rc;

    *ignored_out = false;
    if (!replace_possible(t, conflict) || (!triggers && !vm_fkeys_involve(st, t)))
        return CHORUS_OK;
    if (t->without_rowid)
        return replace_victims_key(st, t, vals, old_row, conflict, ignored_out);
    victims = calloc((size_t)t->n_indexes + 1, sizeof *victims);
    if (victims == NULL)
        return CHORUS_NOMEM;
    rc = catalog_row_replace_victims(st->writer, t, vals, rowid, old_rowid, conflict, victims, &n,
                                     ignored_out);
    if (rc != CHORUS_OK)
        rc = writer_error(st, rc);
    for (int i = 0; i < n && rc == CHORUS_OK && !*ignored_out; i++) {
        const value *row;
        value *copy = NULL;
        bool found;
        rc = catalog_row_read(st->writer, t, victims[i], &row, &found);
        if (rc == CHORUS_OK && found)
            rc = row_copy(row, t->n_cols, &copy);
        if (rc == CHORUS_OK && found) {
            int own = st->conflict;
            st->conflict = AST_CONFLICT_REPLACE;    /* what its triggers inherit (G7) */
            rc = delete_row(st, t, victims[i], copy, NULL);
            st->conflict = own;
        }
        row_free(copy, t->n_cols);
    }
    free(victims);
    return rc;
}

/* The old side of an UPDATE's foreign keys (fkey.c K2), over vals with
 * affinity as they will be stored; *counts: the counters before. */
static int
update_fkeys_before(vm_stmt *st, int64_t old_rowid, value *vals, const value *old_row,
                    int64_t rowid, vm_fk_counts *counts)
{
    const catalog_table *t = st->plan->table;
    int rc;

    if (!st->conn->foreign_keys || old_row == NULL)
        return CHORUS_OK;
    vm_fkeys_counts_get(st, counts);
    rc = apply_affinity(t, vals);
    if (rc == CHORUS_OK)
        rc = vm_fkeys_before(st, t, old_row, old_rowid, vals, rowid);
    return rc;
}

/*
 * Updates row old_rowid of t to vals (borrowed or owned; cleared here):
 * BEFORE triggers, CHECK, the write, RETURNING and AFTER triggers.
 * new_rowid: for tables without a rowid alias, or NULL.
 */
static int
update_one(vm_stmt *st, int64_t old_rowid, value *vals, const value *new_rowid,
           const value *old_row, const ast_list *set, int conflict, int64_t *n_written)
{
    const catalog_table *t = st->plan->table;
    int64_t rowid = t->rowid_alias >= 0 && vals[t->rowid_alias].type == VALUE_INTEGER
                        ? vals[t->rowid_alias].u.i
                        : new_rowid != NULL && new_rowid->type == VALUE_INTEGER ? new_rowid->u.i
                                                                                : old_rowid;
    catalog_row_result res;
    vm_fk_counts counts = {0, 0, 0};
    bool ignored = false;
    int rc = CHORUS_OK;

    if (vm_triggers_any(st, t, AST_TRIGGER_UPDATE, AST_TRIGGER_BEFORE)) {
        rc = apply_affinity(t, vals);
        if (rc == CHORUS_OK)
            rc = vm_triggers_fire(st, t, AST_TRIGGER_UPDATE, AST_TRIGGER_BEFORE, set, old_row,
                                  old_rowid, vals, rowid, &ignored);
    }
    if (rc == CHORUS_OK && !ignored)
        rc = compute_generated(st, t, vals, rowid);
    if (rc == CHORUS_OK && !ignored)
        rc = run_checks(st, vals, rowid, conflict, &ignored);
    if (rc == CHORUS_OK && !ignored)
        rc = replace_victims(st, t, vals, t->rowid_alias >= 0 ? NULL : new_rowid, &old_rowid,
                             old_row, conflict, &ignored);
    if (rc == CHORUS_OK && !ignored)
        rc = update_fkeys_before(st, old_rowid, vals, old_row, rowid, &counts);
    if (rc == CHORUS_OK && !ignored) {
        rc = t->without_rowid   /* W8 */
                 ? catalog_row_update_key(st->writer, t, old_row, vals, conflict, &res)
                 : catalog_row_update(st->writer, t, old_rowid, vals,
                                      t->rowid_alias >= 0 ? NULL : new_rowid, conflict, &res);
        if (rc != CHORUS_OK)
            rc = writer_error(st, rc);
        else if (res.ignored && st->conn->foreign_keys)
            vm_fkeys_counts_set(st, &counts);   /* the write did not happen */
        else if (!res.ignored) {
            (*n_written)++;
            rc = after_write(st, t, AST_TRIGGER_UPDATE, set, old_row, old_rowid, res.rowid);
        }
    }
    vm_values_clear(vals, t->n_cols);
    return rc;
}

/* Upsert (compile.h plan_upsert): the first clause whose probe finds a
 * conflicting row decides; *handled tells whether one did. */
static int
upsert_try(vm_stmt *st, value *vals, bool *handled, int64_t *n_written)
{
    plan_stmt *p = st->plan;
    const catalog_table *t = p->table;
    const ast_upsert *u = p->ast->u.insert.upsert;
    int rc = CHORUS_OK;

    *handled = false;
    p->cursors[p->excl_cursor].row = vals;
    for (int i = 0; i < p->n_upserts && !*handled; i++, u = u->next) {
        const plan_upsert *pu = &p->upserts[i];
        for (int k = 0; k < pu->n_probes && !*handled && rc == CHORUS_OK; k++) {
            plan_query *q = pu->probes[k];
            value *row = NULL;
            rc = vm_query_open(&st->run, q);
            if (rc == CHORUS_OK && (rc = vm_query_next(&st->run, q)) == CHORUS_ROW) {
                *handled = true;
                rc = row_copy(q->row, q->n_cols, &row);
            }
            vm_query_close(&st->run, q);
            if (rc == CHORUS_DONE)
                rc = CHORUS_OK;
            if (rc == CHORUS_OK && row != NULL && !pu->do_nothing &&
                value_truth(&row[t->n_cols + 1]) == 1) {
                value *nv = calloc((size_t)t->n_cols + 1, sizeof *nv);
                if (nv == NULL)
                    rc = CHORUS_NOMEM;
                for (int c = 0; nv != NULL && c < t->n_cols && rc == CHORUS_OK; c++)
                    rc = value_copy(&nv[c], &row[1 + c]);
                if (rc == CHORUS_OK)
                    rc = update_one(st, row[0].u.i, nv, NULL, &row[t->n_cols + 2], &u->set,
                                    AST_CONFLICT_ABORT, n_written);
                free(nv);
            }
            row_free(row, q->n_cols);
        }
    }
    p->cursors[p->excl_cursor].row = NULL;
    return rc;
}

/* Builds the new row of an INSERT from one source row (or none). */
static int
insert_row(vm_stmt *st, value *vals, const value *src, int64_t *n_written)
{
    plan_stmt *p = st->plan;
    const catalog_table *t = p->table;
    value rowid, *rowid_ptr = NULL;
    catalog_row_result res;
    int64_t new_rowid;
    bool skip = false;
    int rc = CHORUS_OK;

    value_set_null(&rowid);
    for (int i = 0; i < t->n_cols; i++)
        value_set_null(&vals[i]);
    for (int k = 0; k < p->n_assign; k++) {
        int c = p->assign[k].column;
        value *dst = c >= 0 ? &vals[c] : &rowid;
        if (p->assign[k].repeated)
            continue;                   /* the first mention's value stays */
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
    if (rc == CHORUS_OK && is_view_target(st)) {
        rc = instead_of(st, AST_TRIGGER_INSERT, NULL, NULL, vals);
        goto out;
    }
    if (rc == CHORUS_OK && (p->n_upserts > 0 ||
                            vm_triggers_any(st, t, AST_TRIGGER_INSERT, AST_TRIGGER_BEFORE)))
        rc = apply_affinity(t, vals);
    if (rc == CHORUS_OK && vm_triggers_any(st, t, AST_TRIGGER_INSERT, AST_TRIGGER_BEFORE)) {
        value *r = t->rowid_alias >= 0 ? &vals[t->rowid_alias] : &rowid;
        bool unknown = t->rowid_alias >= 0 && r->type == VALUE_NULL;
        if (unknown)
            value_set_int(r, -1);       /* W10: NEW's rowid alias reads -1 there, as SQLite's */
        rc = vm_triggers_fire(st, t, AST_TRIGGER_INSERT, AST_TRIGGER_BEFORE, NULL, NULL, 0,
                              vals, r->type == VALUE_INTEGER ? r->u.i : -1, &skip);
        if (unknown)
            value_set_null(r);
    }
    if (rc == CHORUS_OK && !skip &&
        (t->n_checks > 0 || t->n_generated > 0 || (t->autoincrement && p->n_upserts > 0)))
        rc = rowid_assign_early(st, t, vals, &rowid, &rowid_ptr);
    new_rowid = rowid_known(t, vals, &rowid);
    if (rc == CHORUS_OK && !skip && t->autoincrement && p->n_upserts > 0 && new_rowid != -1 &&
        (rc = catalog_row_rowid_used(st->writer, t, new_rowid)) != CHORUS_OK)   /* W11 */
        rc = writer_error(st, rc);
    if (rc == CHORUS_OK && !skip)
        rc = compute_generated(st, t, vals, new_rowid);
    if (rc == CHORUS_OK && !skip && p->n_upserts > 0)
        rc = upsert_try(st, vals, &skip, n_written);
    if (rc == CHORUS_OK && !skip)
        rc = run_checks(st, vals, new_rowid, st->conflict, &skip);
    if (rc == CHORUS_OK && !skip)
        rc = replace_victims(st, t, vals, rowid_ptr, NULL, NULL, st->conflict, &skip);
    if (rc != CHORUS_OK || skip)
        goto out;
    rc = catalog_row_insert(st->writer, t, vals, rowid_ptr, st->conflict, &res);
    if (rc != CHORUS_OK) {
        rc = writer_error(st, rc);
        goto out;
    }
    if (!res.ignored) {
        (*n_written)++;
        st->conn->last_rowid = res.rowid;
        rc = after_write(st, t, AST_TRIGGER_INSERT, NULL, NULL, 0, res.rowid);
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
    if (st->root == NULL) {
        st->conflict = p->conflict;             /* exec_trigger.c G7 */
        vm_fkeys_statement_begin(st);
    }
    rc = open_writer(st, st->conn->cat);
    if (rc == CHORUS_OK && p->query == NULL) {
        rc = insert_row(st, vals, NULL, &n);
    } else if (rc == CHORUS_OK && p->query->kind == PQ_VALUES && !p->values_first) {
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
    return st->root == NULL ? vm_fkeys_statement_end(st, rc) : rc;
}

/* Whether the scan of the UPDATE's target reads an index a SET column of
 * which (or an expression column) the UPDATE changes. */
static bool
scan_index_changes(const plan_stmt *p, const ast_list *set)
{
    const plan_query *q = p->query;

    for (int i = 0; i < q->n_levels; i++) {
        const plan_level *lv = &q->levels[i];
        if (lv->cursor == p->target_cursor && lv->access == PA_MULTI_OR)
            return true;    /* SQLite never writes a MULTI-INDEX OR scan in one pass */
        if (lv->cursor != p->target_cursor || lv->index == NULL ||
            (lv->access != PA_INDEX && lv->access != PA_INDEX_IN))
            continue;
        for (int k = 0; k < lv->index->n_cols; k++) {
            int col = lv->index->cols[k].column;
            if (col == CATALOG_COLUMN_EXPR)
                return true;
            for (int j = 0; j < set->n; j++)
                if (set->items[j].name != NULL &&
                    catalog_table_column_resolve(p->table, set->items[j].name) == col)
                    return true;
        }
    }
    return false;
}

/* W4: whether SQLite runs this UPDATE in two passes (REPLACE, triggers,
 * RETURNING, a changed rowid, a scan over an index the UPDATE changes),
 * whose second pass reads the rowids in ascending order. */
static bool
update_two_pass(const vm_stmt *st, const ast_list *set)
{
    const plan_stmt *p = st->plan;
    const catalog_table *t = p->table;

    if (scan_index_changes(p, set) || p->returning != NULL)
        return true;
    if (st->conflict == AST_CONFLICT_REPLACE || t->pk_conflict == AST_CONFLICT_REPLACE)
        return true;
    if (vm_triggers_any(st, t, AST_TRIGGER_UPDATE, AST_TRIGGER_BEFORE) ||
        vm_triggers_any(st, t, AST_TRIGGER_UPDATE, AST_TRIGGER_AFTER))
        return true;
    for (int i = 0; i < t->n_indexes; i++)
        if (t->indexes[i]->on_conflict == AST_CONFLICT_REPLACE)
            return true;
    for (int i = 0; i < t->n_cols; i++)
        if (t->cols[i].not_null_conflict == AST_CONFLICT_REPLACE)
            return true;
    for (int i = 0; i < set->n; i++) {
        int col = set->items[i].name != NULL ? catalog_table_column_resolve(t, set->items[i].name)
                                             : -2;
        if (col == -1 || (col >= 0 && col == t->rowid_alias))
            return true;
    }
    return false;
}

/* W6: row (as collected) of an UPDATE on a view; vals: its new values,
 * cleared here. */
static int
view_update_one(vm_stmt *st, const value *row, value *vals, const ast_list *set)
{
    const plan_stmt *p = st->plan;
    int n = p->table->n_cols, rc = CHORUS_OK;

    for (int c = 0; c < n && rc == CHORUS_OK; c++)
        rc = value_apply_affinity(&vals[c], p->query->col_aff[2 + c]);
    if (rc == CHORUS_OK)
        rc = instead_of(st, AST_TRIGGER_UPDATE, set, &row[2 + n], vals);
    vm_values_clear(vals, n);
    return rc;
}

/* W8: positions a WITHOUT ROWID table's cursor on the row whose PK the
 * collected row's old values hold; *exact whether it is there. */
static int
seek_old_key(const catalog_table *t, plan_cursor *cur, const value *row, bool *eof,
             bool *exact)
{
    const catalog_index *pk = catalog_table_pk_index(t);
    value probe[KEY_INFO_MAX];
    const uint8_t *data;
    uint32_t nbytes;
    int rc, cmp_rc = CHORUS_OK;

    for (int k = 0; k < t->n_pk; k++) {
        probe[k] = row[2 + t->n_cols + t->pk_cols[k]];
        probe[k].flags = VALUE_BORROWED;
    }
    rc = store_seek_key(cur->bt, probe, t->n_pk, BTREE_SEEK_GE, eof);
    if (rc == CHORUS_OK && !*eof)
        rc = store_payload(cur->bt, &data, &nbytes);
    if (rc == CHORUS_OK && !*eof)
        *exact = record_compare_probe(&pk->ki, data, nbytes, probe, t->n_pk, &cmp_rc) == 0;
    return rc != CHORUS_OK ? rc : cmp_rc;
}

/* W4: the target row of a collected row, read again, in the collected
 * shape (into fresh, q->n_cols values owned here); *found false when it is
 * gone. */
static int
update_reread(vm_stmt *st, const value *row, value *fresh, bool *found)
{
    plan_stmt *p = st->plan;
    plan_query *q = p->query;
    plan_cursor *cur = &p->cursors[p->target_cursor];
    bool eof = true, exact = false;
    int rc;

    *found = false;
    /* A fresh cursor on the table itself (never a covering index): the
     * writer changed the b-tree since the last read. */
    vm_cursor_close(cur);
    rc = vm_cursor_open_table(&st->run, cur);
    if (rc == CHORUS_OK && p->table->without_rowid)
        rc = seek_old_key(p->table, cur, row, &eof, &exact);          /* W8 */
    else if (rc == CHORUS_OK)
        rc = store_seek_rowid(cur->bt, row[0].u.i, BTREE_SEEK_GE, &eof, &exact);
    if (rc != CHORUS_OK || eof || !exact)
        return rc;
    rc = vm_cursor_load(cur);
    for (int i = 0; i < q->n_cols && rc == CHORUS_OK; i++) {
        value v;
        rc = vm_eval(&st->run, q->result[i], &v);
        if (rc == CHORUS_OK) {
            value_clear(&fresh[i]);
            rc = value_copy(&fresh[i], &v);
            value_clear(&v);
        }
    }
    *found = rc == CHORUS_OK;
    return rc;
}

/* Whether collected UPDATE rows a and b name the same target row: the
 * rowid, or the old PK of a WITHOUT ROWID table (W8). */
static bool
same_target(const catalog_table *t, const value *a, const value *b)
{
    if (!t->without_rowid)
        return a[0].u.i == b[0].u.i;
    for (int k = 0; k < t->n_pk; k++) {
        int c = 2 + t->n_cols + t->pk_cols[k];
        if (value_compare(&a[c], &b[c], COLLATE_BINARY) != 0)
            return false;
    }
    return true;
}

/* W4, W9: the second pass's order: ascending rowid, or the PRIMARY KEY's
 * order of a WITHOUT ROWID table (W8), over the collected rows, whose old
 * values start at column old_at. */
static int
sort_targets(const catalog_table *t, vm_rows *rows, int old_at)
{
    const catalog_index *pk = catalog_table_pk_index(t);
    int cols[KEY_INFO_MAX] = {0};
    uint8_t desc[KEY_INFO_MAX] = {0}, coll[KEY_INFO_MAX] = {0};    /* COLLATE_BINARY */

    for (int k = 0; pk != NULL && k < t->n_pk; k++) {
        cols[k] = old_at + t->pk_cols[k];
        desc[k] = pk->cols[k].desc;
        coll[k] = pk->cols[k].collation;
    }
    return vm_rows_sort(rows, pk != NULL ? t->n_pk : 1, cols, desc, coll);
}

/* UPDATE FROM: a target row joined with several rows is updated once. */
static bool
seen_before(const catalog_table *t, vm_rows *rows, int64_t i)
{
    for (int64_t k = 0; k < i; k++)
        if (same_target(t, rows->rows[k], rows->rows[i]))
            return true;
    return false;
}

int
vm_exec_update(vm_stmt *st)
{
    plan_stmt *p = st->plan;
    const catalog_table *t = p->table;
    const ast_list *set = &p->ast->u.update.set;
    bool view = is_view_target(st);
    bool from = p->ast->u.update.from != NULL && !view;
    bool two_pass;
    vm_rows *rows = NULL;
    value *vals = NULL, *fresh = NULL;
    int64_t n = 0;
    int rc;

    if (st->root == NULL) {
        st->conflict = p->conflict;             /* exec_trigger.c G7 */
        vm_fkeys_statement_begin(st);
    }
    two_pass = !from && !view && update_two_pass(st, set);
    rc = collect(st, p->query, &rows);
    if (rc == CHORUS_OK && two_pass)
        rc = sort_targets(t, rows, 2 + t->n_cols);
    if (rc == CHORUS_OK)
        rc = open_writer(st, st->conn->cat);
    if (rc == CHORUS_OK && (vals = calloc((size_t)t->n_cols + 1, sizeof *vals)) == NULL)
        rc = CHORUS_NOMEM;
    if (rc == CHORUS_OK && two_pass &&
        (fresh = calloc((size_t)p->query->n_cols + 1, sizeof *fresh)) == NULL)
        rc = CHORUS_NOMEM;
    for (int64_t i = 0; rc == CHORUS_OK && i < rows->n; i++) {
        const value *row = rows->rows[i];
        bool found = true;
        if (from && seen_before(t, rows, i))
            continue;
        if (two_pass) {
            rc = update_reread(st, row, fresh, &found);
            row = fresh;
        }
        if (rc != CHORUS_OK || !found)
            continue;
        for (int c = 0; c < t->n_cols; c++) {
            vals[c] = row[2 + c];
            vals[c].flags = VALUE_BORROWED;
        }
        if (view) {
            rc = view_update_one(st, row, vals, set);
            continue;
        }
        rc = update_one(st, row[0].u.i, vals, &row[1], p->with_old ? &row[2 + t->n_cols] : NULL,
                        set, st->conflict, &n);
    }
    if (fresh != NULL)
        vm_values_clear(fresh, p->query->n_cols);
    free(fresh);
    free(vals);
    vm_rows_free(rows);
    count_change(st, n);
    return st->root == NULL ? vm_fkeys_statement_end(st, rc) : rc;
}

/* Deletes row rowid of t (old_row: its values): BEFORE triggers, RETURNING,
 * foreign keys, the delete, AFTER triggers. A REPLACE's deletion (W7) fires
 * the triggers only under recursive_triggers, returns no row and is not
 * counted (n_written NULL). */
static int
delete_row(vm_stmt *st, const catalog_table *t, int64_t rowid, const value *old_row,
           int64_t *n_written)
{
    bool replace = n_written == NULL;
    bool fire = !replace || st->conn->recursive_triggers, ignored = false;
    int rc = CHORUS_OK;

    if (fire && vm_triggers_any(st, t, AST_TRIGGER_DELETE, AST_TRIGGER_BEFORE))
        rc = vm_triggers_fire(st, t, AST_TRIGGER_DELETE, AST_TRIGGER_BEFORE, NULL, old_row, rowid,
                              NULL, 0, &ignored);
    if (rc != CHORUS_OK || ignored)
        return rc;
    if (!replace)
        rc = vm_returning_add(st, old_row, rowid);
    if (rc == CHORUS_OK && old_row != NULL)
        rc = vm_fkeys_before(st, t, old_row, rowid, NULL, 0);
    if (rc != CHORUS_OK)
        return rc;
    rc = t->without_rowid ? catalog_row_delete_key(st->writer, t, old_row)     /* W8 */
                          : catalog_row_delete(st->writer, t, rowid);
    if (rc != CHORUS_OK)
        return writer_error(st, rc);
    if (!replace)
        (*n_written)++;
    rc = vm_fkeys_after(st, t, AST_TRIGGER_DELETE, old_row, rowid, NULL, 0);
    if (rc == CHORUS_OK && fire && vm_triggers_any(st, t, AST_TRIGGER_DELETE, AST_TRIGGER_AFTER))
        rc = vm_triggers_fire(st, t, AST_TRIGGER_DELETE, AST_TRIGGER_AFTER, NULL, old_row, rowid,
                              NULL, 0, &ignored);
    return rc;
}

static int
delete_one(vm_stmt *st, int64_t rowid, const value *old_row, int64_t *n_written)
{
    if (is_view_target(st))
        return instead_of(st, AST_TRIGGER_DELETE, NULL, old_row, NULL);
    return delete_row(st, st->plan->table, rowid, old_row, n_written);
}

/* W9: whether SQLite deletes in two passes (RETURNING, delete triggers,
 * foreign keys: its bComplex), visiting the rows in rowid or PK order. */
static bool
delete_two_pass(vm_stmt *st)
{
    const catalog_table *t = st->plan->table;

    if (is_view_target(st))
        return false;
    return st->plan->returning != NULL || vm_fkeys_involve(st, t) ||
           vm_triggers_any(st, t, AST_TRIGGER_DELETE, AST_TRIGGER_BEFORE) ||
           vm_triggers_any(st, t, AST_TRIGGER_DELETE, AST_TRIGGER_AFTER);
}

int
vm_exec_delete(vm_stmt *st)
{
    plan_stmt *p = st->plan;
    vm_rows *rows = NULL;
    int64_t n = 0;
    int rc;

    if (st->root == NULL) {
        st->conflict = AST_CONFLICT_DEFAULT;    /* exec_trigger.c G7 */
        vm_fkeys_statement_begin(st);
    }
    rc = collect(st, p->query, &rows);
    if (rc == CHORUS_OK && delete_two_pass(st))
        rc = sort_targets(p->table, rows, 1);
    if (rc == CHORUS_OK)
        rc = open_writer(st, st->conn->cat);
    for (int64_t i = 0; rc == CHORUS_OK && i < rows->n; i++)
        rc = delete_one(st, rows->rows[i][0].u.i, p->with_old ? &rows->rows[i][1] : NULL, &n);
    vm_rows_free(rows);
    count_change(st, n);
    return st->root == NULL ? vm_fkeys_statement_end(st, rc) : rc;
}

int
vm_exec_ddl(vm_stmt *st)
{
    catalog *cat;
    bool temp;
    int rc;

    if (st->ast->kind == STMT_VACUUM && st->conn->explicit_tx)
        return vm_run_error(&st->run, CHORUS_ERROR, "cannot VACUUM from within a transaction");
    if (st->ast->kind == STMT_VACUUM && st->conn->n_active > 1)
        return vm_run_error(&st->run, CHORUS_ERROR, "cannot VACUUM - SQL statements in progress");
    rc = vm_schema_ddl_writer(st, &temp);
    if (rc == CHORUS_OK && !temp)
        rc = vm_tx_editable_catalog(st->conn, &cat);
    if (rc == CHORUS_OK && !temp)
        rc = open_writer(st, cat);
    if (rc != CHORUS_OK)
        return rc;
    rc = catalog_ddl_execute(st->writer, st->ast, st->sql);
    if (rc != CHORUS_OK)
        return writer_error(st, rc);
    st->conn->schema_gen++;
    if (!temp && st->ast->kind == STMT_DROP &&
        (st->ast->u.drop.what == AST_DROP_TABLE || st->ast->u.drop.what == AST_DROP_VIEW))
        rc = vm_temp_drop_triggers_on(st, st->ast->u.drop.name);     /* temp.c TP6 */
    return rc;
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
    bool temp = false;

    rc = collect(st, q, &rows);
    if (rc == CHORUS_OK)
        rc = vm_schema_ddl_writer(st, &temp);
    if (rc == CHORUS_OK && !temp)
        rc = vm_tx_editable_catalog(st->conn, &cat);
    if (rc == CHORUS_OK && !temp)
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
