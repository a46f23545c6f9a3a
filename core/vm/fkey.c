/*
 * core/vm/fkey.c: foreign keys (PRAGMA foreign_keys = ON): SQLite's
 * violation counters, the checks that keep them and the ON DELETE / ON
 * UPDATE actions.
 *
 * Each check or action is a generated SQL statement run in the trigger
 * context (exec_trigger.c vm_sub_sql_run) where NEW (and OLD) are rows of
 * the written table, compiled once per statement run and kept with the plan:
 *   parent lookup  SELECT 1 FROM parent WHERE p1 = new.c1 AND ... LIMIT 1
 *   child scan     SELECT 1 FROM child WHERE c1 = new.p1 AND ...
 *                  [AND rowid <> new.rowid when child and parent are one table]
 *   actions        DELETE FROM child WHERE c1 = old.p1 ... (CASCADE on delete),
 *                  UPDATE child SET c1 = new.p1 ... (CASCADE on update),
 *                  UPDATE child SET c1 = NULL / its DEFAULT ... (SET NULL /
 *                  SET DEFAULT)
 *
 * Rules
 *   K1  A child row with a NULL in its key columns references nothing.
 *   K2  Violations are counted, not failed at once, as SQLite does: a child
 *       row whose parent is missing adds 1 when it appears and takes 1 away
 *       when it goes; a parent row adds the number of its children when it
 *       goes and takes it away when it appears. A row's old side is counted
 *       before its write (it still stands), its new side after; a child
 *       scan leaves the written row itself out, whose own keys its child
 *       side counts. Counting down is skipped while the counter is zero
 *       (SQLite's OP_FkIfZero: nothing can be repaired).
 *   K3  The counter (SQLite's OP_FkCounter): the connection's deferred one
 *       for DEFERRABLE INITIALLY DEFERRED keys; while PRAGMA
 *       defer_foreign_keys is on, a second connection counter for the
 *       others; else the root statement's. A root statement fails at its end
 *       when its counter is not zero, and also, in autocommit, when the
 *       deferred counters are not; a failed statement gives the deferred
 *       counters back their values at its start, unless it keeps its rows
 *       (a constraint failure under OR FAIL or RAISE(FAIL)): their counts
 *       stay with them, as in SQLite. COMMIT (and RELEASE of the
 *       savepoint that began the transaction) fails while they are not zero
 *       and leaves the transaction open; ROLLBACK TO restores their values
 *       at the SAVEPOINT; the end of a transaction clears them and PRAGMA
 *       defer_foreign_keys.
 *   K4  An UPDATE counts only the keys whose values changed, except that
 *       the child side of a key referencing its own table always counts
 *       (the row's parent may be the row itself, whose key changed), as
 *       SQLite's sqlite3FkCheck does.
 *   K5  Actions run after the write. RESTRICT fails at once when children
 *       remain (not while defer_foreign_keys is on); CASCADE, SET NULL and
 *       SET DEFAULT change the children, whose own writes are counted.
 *   K6  Failures: "FOREIGN KEY constraint failed", CHORUS_CONSTRAINT_FOREIGNKEY.
 *   K7  Child keys match parent keys under the parent key's collation.
 * Callers: exec_dml.c (rows, statements), tx.c (COMMIT, savepoints).
 */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "vm_int.h"

enum fk_kind { FK_PARENT_LOOKUP, FK_CHILD_SCAN, FK_ON_DELETE, FK_ON_UPDATE };

typedef struct fk_job {
    const catalog_fkey *fk;
    const catalog_table *child, *parent;
    int kind;               /* fk_kind */
} fk_job;

static const void *
job_key(const fk_job *j)
{
    return (const char *)j->fk + j->kind;
}

static vm_stmt *
root_of(vm_stmt *st)
{
    return st->root != NULL ? st->root : st;
}

/* Name of parent key column k. */
static const char *
parent_col(const fk_job *j, int k)
{
    const catalog_table *p = j->parent;

    if (j->fk->to_cols != NULL)
        return j->fk->to_cols[k];
    if (p->n_pk > 0)
        return p->cols[p->pk_cols[k]].name;
    return "rowid";
}

static const char *
child_col(const fk_job *j, int k)
{
    return j->child->cols[j->fk->from_cols[k]].name;
}

/* The collation of parent key column k as written, or NULL (BINARY, or
 * the rowid). */
static const char *
parent_collation(const fk_job *j, int k)
{
    int col = catalog_table_column_find(j->parent, parent_col(j, k));

    if (col < 0)
        return NULL;
    return j->parent->cols[col].collation_name;
}

/* " WHERE a1 = <row>.b1 AND ..." over the child (on_child) or the parent.
 * K7: keys compare under the parent key's collation, as SQLite's do: on
 * the parent side it is the left operand's own; on the child side an
 * explicit COLLATE on the parent's value says so. */
static void
put_match(strbuf *sb, const fk_job *j, bool on_child, const char *row)
{
    strbuf_printf(sb, " WHERE ");
    for (int k = 0; k < j->fk->n_cols; k++) {
        if (k > 0)
            strbuf_printf(sb, " AND ");
        strbuf_put_quoted(sb, on_child ? child_col(j, k) : parent_col(j, k));
        strbuf_printf(sb, " = %s.", row);
        strbuf_put_quoted(sb, on_child ? parent_col(j, k) : child_col(j, k));
        if (on_child) {
            const char *coll = parent_collation(j, k);
            strbuf_printf(sb, " COLLATE ");
            strbuf_put_quoted(sb, coll != NULL ? coll : "BINARY");
        }
    }
}

static void
put_action(strbuf *sb, const fk_job *j)
{
    int action = j->kind == FK_ON_DELETE ? j->fk->on_delete : j->fk->on_update;

    if (action == AST_FK_CASCADE && j->kind == FK_ON_DELETE) {
        strbuf_printf(sb, "DELETE FROM ");
        strbuf_put_quoted(sb, j->child->name);
        put_match(sb, j, true, "old");
        return;
    }
    strbuf_printf(sb, "UPDATE ");
    strbuf_put_quoted(sb, j->child->name);
    strbuf_printf(sb, " SET ");
    for (int k = 0; k < j->fk->n_cols; k++) {
        const catalog_column *c = &j->child->cols[j->fk->from_cols[k]];
        if (k > 0)
            strbuf_printf(sb, ", ");
        strbuf_put_quoted(sb, c->name);
        if (action == AST_FK_CASCADE) {
            strbuf_printf(sb, " = new.");
            strbuf_put_quoted(sb, parent_col(j, k));
        } else if (action == AST_FK_SET_DEFAULT && c->default_text != NULL) {
            strbuf_printf(sb, " = (%s)", c->default_text);
        } else {
            strbuf_printf(sb, " = NULL");
        }
    }
    put_match(sb, j, true, "old");
}

static char *
build_sql(const void *arg)
{
    const fk_job *j = arg;
    strbuf sb;

    strbuf_init(&sb);
    if (j->kind == FK_PARENT_LOOKUP) {
        strbuf_printf(&sb, "SELECT 1 FROM ");
        strbuf_put_quoted(&sb, j->parent->name);
        put_match(&sb, j, false, "new");
        strbuf_printf(&sb, " LIMIT 1");
    } else if (j->kind == FK_CHILD_SCAN) {
        strbuf_printf(&sb, "SELECT 1 FROM ");
        strbuf_put_quoted(&sb, j->child->name);
        put_match(&sb, j, true, "new");
        if (j->child == j->parent)
            strbuf_printf(&sb, " AND rowid <> new.rowid");     /* K2: not the row itself */
    } else {
        put_action(&sb, j);
    }
    return strbuf_finish(&sb);
}

static int
fk_fail(vm_stmt *st)
{
    return vm_run_error(&st->run, CHORUS_CONSTRAINT_FOREIGNKEY, "FOREIGN KEY constraint failed");
}

/* K3: the counter a violation of fk goes to (SQLite's OP_FkCounter). */
static int64_t *
fk_counter(vm_stmt *st, const catalog_fkey *fk)
{
    vm_conn *conn = st->conn;

    if (conn->defer_foreign_keys)
        return &conn->fk_deferred_imm;
    if (fk->deferred)
        return &conn->fk_deferred;
    return &root_of(st)->fk_immediate;
}

/* K2: whether counting down for fk is skipped (SQLite's OP_FkIfZero). */
static bool
nothing_to_repair(vm_stmt *st, const catalog_fkey *fk)
{
    vm_conn *conn = st->conn;

    if (conn->fk_deferred_imm != 0)
        return false;
    return fk->deferred ? conn->fk_deferred == 0 : root_of(st)->fk_immediate == 0;
}

/* Whether the key columns cols (n of them) hold equal values in a and b. */
static bool
same_key(const int16_t *cols, int n, const value *a, const value *b)
{
    for (int k = 0; k < n; k++) {
        const value *x = &a[cols[k]], *y = &b[cols[k]];
        if (x->type != y->type || value_compare(x, y, COLLATE_BINARY) != 0)
            return false;
    }
    return true;
}

/* Whether an UPDATE of the parent changed the key fk references (K4). */
static bool
parent_key_changed(const fk_job *j, const value *old_row, int64_t old_rowid,
                   const value *new_row, int64_t new_rowid)
{
    for (int k = 0; k < j->fk->n_cols; k++) {
        int c = catalog_table_column_resolve(j->parent, parent_col(j, k));
        if (c < 0) {
            if (old_rowid != new_rowid)
                return true;
            continue;
        }
        if (old_row[c].type != new_row[c].type ||
            value_compare(&old_row[c], &new_row[c], COLLATE_BINARY) != 0)
            return true;
    }
    return false;
}

/* Runs job j with row (of the table j runs on) as NEW (and old_row as
 * OLD); *n_rows_out: the rows a SELECT gave. */
static int
run_job(vm_stmt *st, const fk_job *j, const value *old_row, int64_t old_rowid,
        const value *row, int64_t rowid, int64_t *n_rows_out)
{
    const catalog_table *t = j->kind == FK_PARENT_LOOKUP ? j->child : j->parent;

    *n_rows_out = 0;
    return vm_sub_sql_run(st, job_key(j), t, build_sql, j, old_row, old_rowid, row, rowid,
                          n_rows_out);
}

/* The catalog holding t and the tables its keys name (temp.c TP4). */
static const catalog *
catalog_of(vm_stmt *st, const catalog_table *t)
{
    const catalog *own = vm_schema_catalog_of(st->conn, t);

    if (own != NULL)
        return own;
    return st->root != NULL ? st->root->cat : st->cat;
}

/* Child side of row (of t) leaving (dir -1) or arriving (+1); other: the
 * row's other version in an UPDATE (K4), or NULL. */
static int
child_side(vm_stmt *st, const catalog_table *t, const value *row, int64_t rowid,
           const value *other, int dir)
{
    const catalog *cat = catalog_of(st, t);
    int rc;

    for (int i = 0; i < t->n_fkeys; i++) {
        const catalog_fkey *fk = &t->fkeys[i];
        fk_job j = {fk, t, NULL, FK_PARENT_LOOKUP};
        bool has_null = false;
        int64_t n;
        for (int k = 0; k < fk->n_cols; k++)
            has_null |= row[fk->from_cols[k]].type == VALUE_NULL;
        if (has_null || (dir < 0 && nothing_to_repair(st, fk)) ||
            (other != NULL && strcasecmp(fk->to_table, t->name) != 0 &&
             same_key(fk->from_cols, fk->n_cols, row, other)))
            continue;
        j.parent = catalog_table_find(cat, fk->to_table);
        if (j.parent == NULL)
            return vm_run_error(&st->run, CHORUS_ERROR, "no such table: %s.%s",
                                t->is_temp ? "temp" : "main", fk->to_table);
        rc = run_job(st, &j, NULL, 0, row, rowid, &n);
        if (rc != CHORUS_OK)
            return rc;
        if (n == 0)
            *fk_counter(st, fk) += dir;
    }
    return CHORUS_OK;
}

/* A walk over the foreign keys, of every table in the catalog cat, that
 * reference the table parent: fk_ref_next() returns each in turn (child
 * then names its table), then NULL. table and key start at 0. */
typedef struct fk_ref_walk {
    const catalog *cat;
    const catalog_table *parent;
    const catalog_table *child;
    int table, key;
} fk_ref_walk;

static const catalog_fkey *
fk_ref_next(fk_ref_walk *w)
{
    for (; w->table < catalog_table_count(w->cat); w->table++, w->key = 0) {
        const catalog_table *c = catalog_table_at(w->cat, w->table);
        while (w->key < c->n_fkeys) {
            const catalog_fkey *fk = &c->fkeys[w->key++];
            if (strcasecmp(fk->to_table, w->parent->name) == 0) {
                w->child = c;
                return fk;
            }
        }
    }
    return NULL;
}

/* Parent side of row (of t) leaving (dir +1: its children lose it) or
 * arriving (dir -1: they find it); other as in child_side. */
static int
parent_side(vm_stmt *st, const catalog_table *t, const value *row, int64_t rowid,
            const value *other, int64_t other_rowid, int dir)
{
    fk_ref_walk w = {catalog_of(st, t), t, NULL, 0, 0};
    const catalog_fkey *fk;
    int rc;

    while ((fk = fk_ref_next(&w)) != NULL) {
        fk_job j = {fk, w.child, t, FK_CHILD_SCAN};
        int64_t n;
        if ((other != NULL && !parent_key_changed(&j, row, rowid, other, other_rowid)) ||
            (dir < 0 && nothing_to_repair(st, fk)))
            continue;
        rc = run_job(st, &j, NULL, 0, row, rowid, &n);
        if (rc != CHORUS_OK)
            return rc;
        *fk_counter(st, fk) += dir * n;
    }
    return CHORUS_OK;
}

/* K5: the actions of the keys that reference t, after its row changed. */
static int
parent_actions(vm_stmt *st, const catalog_table *t, int event, const value *old_row,
               int64_t old_rowid, const value *new_row, int64_t new_rowid)
{
    fk_ref_walk w = {catalog_of(st, t), t, NULL, 0, 0};
    const catalog_fkey *fk;
    int rc;

    while ((fk = fk_ref_next(&w)) != NULL) {
        fk_job j = {fk, w.child, t, event == AST_TRIGGER_DELETE ? FK_ON_DELETE : FK_ON_UPDATE};
        int action = event == AST_TRIGGER_DELETE ? fk->on_delete : fk->on_update;
        int64_t n;
        if (event == AST_TRIGGER_UPDATE &&
            !parent_key_changed(&j, old_row, old_rowid, new_row, new_rowid))
            continue;
        if (action == AST_FK_CASCADE || action == AST_FK_SET_NULL ||
            action == AST_FK_SET_DEFAULT) {
            rc = run_job(st, &j, old_row, old_rowid, new_row, new_rowid, &n);
        } else if (action == AST_FK_RESTRICT && !st->conn->defer_foreign_keys) {
            j.kind = FK_CHILD_SCAN;
            rc = run_job(st, &j, NULL, 0, old_row, old_rowid, &n);
            if (rc == CHORUS_OK && n > 0)
                rc = fk_fail(st);
        } else {
            continue;
        }
        if (rc != CHORUS_OK)
            return rc;
    }
    return CHORUS_OK;
}

bool
vm_fkeys_involve(vm_stmt *st, const catalog_table *t)
{
    fk_ref_walk w = {NULL, t, NULL, 0, 0};

    if (!st->conn->foreign_keys)
        return false;
    if (t->n_fkeys > 0)
        return true;
    w.cat = catalog_of(st, t);
    return fk_ref_next(&w) != NULL;
}

int
vm_fkeys_before(vm_stmt *st, const catalog_table *t, const value *old_row, int64_t old_rowid,
                const value *new_row, int64_t new_rowid)
{
    int rc;

    if (!st->conn->foreign_keys)
        return CHORUS_OK;
    rc = child_side(st, t, old_row, old_rowid, new_row, -1);
    if (rc == CHORUS_OK)
        rc = parent_side(st, t, old_row, old_rowid, new_row, new_rowid, 1);
    return rc;
}

int
vm_fkeys_after(vm_stmt *st, const catalog_table *t, int event, const value *old_row,
               int64_t old_rowid, const value *new_row, int64_t new_rowid)
{
    int rc = CHORUS_OK;

    if (!st->conn->foreign_keys)
        return CHORUS_OK;
    if (event != AST_TRIGGER_DELETE) {
        rc = child_side(st, t, new_row, new_rowid, old_row, 1);
        if (rc == CHORUS_OK)
            rc = parent_side(st, t, new_row, new_rowid, old_row, old_rowid, -1);
    }
    if (rc == CHORUS_OK && event != AST_TRIGGER_INSERT)
        rc = parent_actions(st, t, event, old_row, old_rowid, new_row, new_rowid);
    return rc;
}

/* ------------------------------------------------------------ counters (K3) */

void
vm_fkeys_counts_get(vm_stmt *st, vm_fk_counts *out)
{
    out->immediate = root_of(st)->fk_immediate;
    out->deferred = st->conn->fk_deferred;
    out->deferred_imm = st->conn->fk_deferred_imm;
}

void
vm_fkeys_counts_set(vm_stmt *st, const vm_fk_counts *counts)
{
    root_of(st)->fk_immediate = counts->immediate;
    st->conn->fk_deferred = counts->deferred;
    st->conn->fk_deferred_imm = counts->deferred_imm;
}

void
vm_fkeys_statement_begin(vm_stmt *st)
{
    st->fk_immediate = 0;
    st->fk_deferred_at_start = st->conn->fk_deferred;
    st->fk_deferred_imm_at_start = st->conn->fk_deferred_imm;
}

static bool
deferred_pending(const vm_conn *conn)
{
    return conn->fk_deferred > 0 || conn->fk_deferred_imm > 0;
}

/* Whether a statement failing with rc keeps the rows it wrote before: a
 * constraint failure under FAIL (its own or a RAISE's, as core/vm/stmt.c
 * reads it); a foreign key failure always undoes the statement. */
static bool
failure_keeps_rows(const vm_stmt *st, int rc)
{
    int conflict;

    if ((rc & 0xff) != CHORUS_CONSTRAINT || rc == CHORUS_CONSTRAINT_FOREIGNKEY ||
        st->writer == NULL)
        return false;
    conflict = st->raise_conflict ? st->raise_conflict : catalog_writer_conflict(st->writer);
    return conflict == AST_CONFLICT_FAIL;
}

int
vm_fkeys_statement_end(vm_stmt *st, int rc)
{
    vm_conn *conn = st->conn;

    if (rc == CHORUS_OK && conn->foreign_keys &&
        (st->fk_immediate > 0 || (!conn->explicit_tx && deferred_pending(conn))))
        rc = fk_fail(st);
    if (rc != CHORUS_OK && !failure_keeps_rows(st, rc)) {
        conn->fk_deferred = st->fk_deferred_at_start;
        conn->fk_deferred_imm = st->fk_deferred_imm_at_start;
    }
    return rc;
}

int
vm_fkeys_commit_check(vm_stmt *st)
{
    if (deferred_pending(st->conn))
        return fk_fail(st);
    return CHORUS_OK;
}

void
vm_fkeys_savepoint_save(const vm_conn *conn, vm_savepoint *sp)
{
    sp->fk_deferred = conn->fk_deferred;
    sp->fk_deferred_imm = conn->fk_deferred_imm;
}

void
vm_fkeys_savepoint_restore(vm_conn *conn, const vm_savepoint *sp)
{
    conn->fk_deferred = sp->fk_deferred;
    conn->fk_deferred_imm = sp->fk_deferred_imm;
}

void
vm_fkeys_tx_end(vm_conn *conn)
{
    conn->fk_deferred = 0;
    conn->fk_deferred_imm = 0;
    conn->defer_foreign_keys = false;
}
