/*
 * core/vm/fkey.c: foreign keys (PRAGMA foreign_keys = ON): the checks and
 * actions that follow each written row.
 *
 * Each check or action is a generated SQL statement run in the trigger
 * context (exec_trigger.c vm_sub_sql_run) where NEW and OLD are the written
 * row, compiled once per statement run and kept with the plan:
 *   child check    SELECT 1 FROM parent WHERE pk1 = new.c1 AND ...
 *   parent check   SELECT 1 FROM child WHERE c1 = old.pk1 AND ...
 *   actions        DELETE FROM child WHERE ... (CASCADE on delete),
 *                  UPDATE child SET c1 = new.pk1 ... (CASCADE on update),
 *                  UPDATE child SET c1 = NULL / its DEFAULT ... (SET NULL /
 *                  SET DEFAULT)
 *
 * Rules
 *   K1  A child row with a NULL in its key columns references nothing.
 *   K2  Checks run after each row (not at statement end as SQLite does), so
 *       a statement that breaks a constraint and mends it later in the same
 *       statement fails here. DEFERRABLE INITIALLY DEFERRED constraints are
 *       not checked yet (they would be counted and checked at COMMIT).
 *   K3  An UPDATE checks only the keys whose values changed.
 *   K4  Failures: "FOREIGN KEY constraint failed", CHORUS_CONSTRAINT_FOREIGNKEY.
 * Callers: exec_dml.c.
 */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "vm_int.h"

enum fk_kind { FK_CHILD_CHECK, FK_PARENT_CHECK, FK_ON_DELETE, FK_ON_UPDATE };

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

static void
put_name(strbuf *sb, const char *name)
{
    strbuf_putc(sb, '"');
    for (const char *p = name; *p; p++) {
        if (*p == '"')
            strbuf_putc(sb, '"');
        strbuf_putc(sb, *p);
    }
    strbuf_putc(sb, '"');
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

/* " WHERE a1 = <row>.b1 AND ..." */
static void
put_match(strbuf *sb, const fk_job *j, bool on_child)
{
    strbuf_printf(sb, " WHERE ");
    for (int k = 0; k < j->fk->n_cols; k++) {
        if (k > 0)
            strbuf_printf(sb, " AND ");
        put_name(sb, on_child ? child_col(j, k) : parent_col(j, k));
        strbuf_printf(sb, " = %s.", on_child ? "old" : "new");
        put_name(sb, on_child ? parent_col(j, k) : child_col(j, k));
    }
}

static char *
build_sql(const void *arg)
{
    const fk_job *j = arg;
    int action = j->kind == FK_ON_DELETE ? j->fk->on_delete : j->fk->on_update;
    strbuf sb;

    strbuf_init(&sb);
    if (j->kind == FK_CHILD_CHECK) {
        strbuf_printf(&sb, "SELECT 1 FROM ");
        put_name(&sb, j->parent->name);
        put_match(&sb, j, false);
    } else if (j->kind == FK_PARENT_CHECK) {
        strbuf_printf(&sb, "SELECT 1 FROM ");
        put_name(&sb, j->child->name);
        put_match(&sb, j, true);
    } else if (action == AST_FK_CASCADE && j->kind == FK_ON_DELETE) {
        strbuf_printf(&sb, "DELETE FROM ");
        put_name(&sb, j->child->name);
        put_match(&sb, j, true);
    } else {
        strbuf_printf(&sb, "UPDATE ");
        put_name(&sb, j->child->name);
        strbuf_printf(&sb, " SET ");
        for (int k = 0; k < j->fk->n_cols; k++) {
            const catalog_column *c = &j->child->cols[j->fk->from_cols[k]];
            if (k > 0)
                strbuf_printf(&sb, ", ");
            put_name(&sb, c->name);
            if (action == AST_FK_CASCADE) {
                strbuf_printf(&sb, " = new.");
                put_name(&sb, parent_col(j, k));
            } else if (action == AST_FK_SET_DEFAULT && c->default_text != NULL) {
                strbuf_printf(&sb, " = (%s)", c->default_text);
            } else {
                strbuf_printf(&sb, " = NULL");
            }
        }
        put_match(&sb, j, true);
    }
    return strbuf_finish(&sb);
}

static int
fk_fail(vm_stmt *st)
{
    return vm_run_error(&st->run, CHORUS_CONSTRAINT_FOREIGNKEY, "FOREIGN KEY constraint failed");
}

/* Whether the key columns cols (n of them) hold equal values in a and b. */
static bool
same_key(const catalog_table *t, const int16_t *cols, int n, const value *a, const value *b)
{
    for (int k = 0; k < n; k++) {
        const value *x = &a[cols[k]], *y = &b[cols[k]];
        if (x->type != y->type || value_compare(x, y, COLLATE_BINARY) != 0)
            return false;
    }
    (void)t;
    return true;
}

static int
run_job(vm_stmt *st, const fk_job *j, const catalog_table *t, const value *old_row,
        int64_t old_rowid, const value *new_row, int64_t new_rowid, bool *found)
{
    *found = false;
    return vm_sub_sql_run(st, job_key(j), t, build_sql, j, old_row, old_rowid, new_row, new_rowid,
                          found);
}

/* t is the child: its new row must find its parent (K1, K3). */
static int
child_checks(vm_stmt *st, const catalog_table *t, const value *old_row, const value *new_row,
             int64_t new_rowid)
{
    const catalog *cat = t->is_temp ? vm_temp_catalog(st->conn)        /* temp.c TP4 */
                         : st->root != NULL ? st->root->cat : st->cat;
    int rc;

    for (int i = 0; i < t->n_fkeys; i++) {
        const catalog_fkey *fk = &t->fkeys[i];
        fk_job j = {fk, t, NULL, FK_CHILD_CHECK};
        bool has_null = false, found;
        if (fk->deferred)
            continue;
        for (int k = 0; k < fk->n_cols; k++)
            has_null |= new_row[fk->from_cols[k]].type == VALUE_NULL;
        if (has_null || (old_row != NULL && same_key(t, fk->from_cols, fk->n_cols, old_row, new_row)))
            continue;
        j.parent = catalog_table_find(cat, fk->to_table);
        if (j.parent == NULL)
            return vm_run_error(&st->run, CHORUS_ERROR, "no such table: %s.%s",
                                t->is_temp ? "temp" : "main", fk->to_table);
        rc = run_job(st, &j, t, NULL, 0, new_row, new_rowid, &found);
        if (rc != CHORUS_OK)
            return rc;
        if (!found)
            return fk_fail(st);
    }
    return CHORUS_OK;
}

/* Whether an UPDATE of the parent changed the key fk references. */
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

/* t is the parent: the rows referencing its old row get the action, or
 * the write fails when some remain. */
static int
parent_jobs(vm_stmt *st, const catalog_table *t, int event, const value *old_row,
            int64_t old_rowid, const value *new_row, int64_t new_rowid)
{
    const catalog *cat = t->is_temp ? vm_temp_catalog(st->conn)        /* temp.c TP4 */
                         : st->root != NULL ? st->root->cat : st->cat;
    int rc;

    for (int i = 0; i < catalog_table_count(cat); i++) {
        const catalog_table *c = catalog_table_at(cat, i);
        for (int f = 0; f < c->n_fkeys; f++) {
            const catalog_fkey *fk = &c->fkeys[f];
            fk_job j = {fk, c, t, event == AST_TRIGGER_DELETE ? FK_ON_DELETE : FK_ON_UPDATE};
            int action = event == AST_TRIGGER_DELETE ? fk->on_delete : fk->on_update;
            bool found;
            if (strcasecmp(fk->to_table, t->name) != 0)
                continue;
            if (event == AST_TRIGGER_UPDATE &&
                !parent_key_changed(&j, old_row, old_rowid, new_row, new_rowid))
                continue;
            if (action == AST_FK_CASCADE || action == AST_FK_SET_NULL ||
                action == AST_FK_SET_DEFAULT) {
                rc = run_job(st, &j, t, old_row, old_rowid, new_row, new_rowid, &found);
                if (rc != CHORUS_OK)
                    return rc;
                continue;       /* the child's own check covers SET DEFAULT */
            }
            if (fk->deferred && action != AST_FK_RESTRICT)
                continue;
            j.kind = FK_PARENT_CHECK;
            rc = run_job(st, &j, t, old_row, old_rowid, new_row, new_rowid, &found);
            if (rc != CHORUS_OK)
                return rc;
            if (found)
                return fk_fail(st);
        }
    }
    return CHORUS_OK;
}

int
vm_fkeys_after(vm_stmt *st, const catalog_table *t, int event, const value *old_row,
               int64_t old_rowid, const value *new_row, int64_t new_rowid)
{
    int rc = CHORUS_OK;

    if (!st->conn->foreign_keys)
        return CHORUS_OK;
    if (event != AST_TRIGGER_DELETE && t->n_fkeys > 0)
        rc = child_checks(st, t, event == AST_TRIGGER_UPDATE ? old_row : NULL, new_row, new_rowid);
    if (rc == CHORUS_OK && event != AST_TRIGGER_INSERT && old_row != NULL)
        rc = parent_jobs(st, t, event, old_row, old_rowid, new_row, new_rowid);
    return rc;
}
