/*
 * core/catalog/fkcheck.c: PRAGMA foreign_key_check[(table)], which lists
 * the rows whose foreign keys find no parent row: (table, rowid, parent,
 * fkid), fkid numbered as PRAGMA foreign_key_list does (the last declared
 * foreign key is 0).
 *
 * Invariants
 *   FK1 A parent key is found as SQLite finds it: the parent's INTEGER
 *       PRIMARY KEY (a rowid lookup; a child value that is not an integer
 *       after NUMERIC affinity has no parent), else a UNIQUE, non-partial
 *       index on exactly the parent columns with their own collations. No
 *       such key: "foreign key mismatch - "child" referencing "parent"",
 *       and no rows at all. A parent table that does not exist has no rows.
 *   FK2 A child row whose key has a NULL column is never a violation.
 *   FK3 Child values get the parent column's affinity before the lookup,
 *       as SQLite compares them.
 *   FK4 Rows come out by child table (schema order), then rowid, then fkid.
 *       A WITHOUT ROWID child's rows come in PK order, their rowid NULL.
 *   FK5 Rows are read through the storage seam (core/store), so in MVCC mode
 *       the check sees what the transaction sees: its own writes and
 *       commits the B-tree does not hold yet.
 * Locking: read-only, inside the caller's read (or write) transaction.
 * Ownership: cursors and the reading writer are opened and closed here.
 * Callers: pragma.c (run_foreign_key_check).
 */
#include <stdlib.h>
#include <string.h>

#include "catalog_int.h"
#include "value.h"

/* How one foreign key finds its parent rows (FK1). */
typedef struct fk_target {
    const catalog_fkey *fk;
    int fkid;
    const catalog_table *parent;    /* NULL: no such table */
    const catalog_index *idx;       /* NULL with a parent: rowid lookup */
    int map[KEY_INFO_MAX];          /* idx column j takes the fk's column map[j] */
    store_cursor *cur;              /* owned: on the parent table or idx */
} fk_target;

static int
fk_mismatch(const catalog_table *child, const catalog_fkey *fk, char **errmsg_out)
{
    *errmsg_out = common_mprintf("foreign key mismatch - \"%s\" referencing \"%s\"",
                                 child->name, fk->to_table);
    return *errmsg_out == NULL ? CHORUS_NOMEM : CHORUS_ERROR;
}

/* The parent column fk column k names (its PRIMARY KEY's k-th without to_cols). */
static int
fk_parent_column(const catalog_table *parent, const catalog_fkey *fk, int k)
{
    if (fk->to_cols == NULL)
        return k < parent->n_pk ? parent->pk_cols[k] : -1;
    return catalog_table_column_find(parent, fk->to_cols[k]);
}

/* Whether idx is a usable parent key of fk; fills tg->map. */
static bool
fk_index_fits(const catalog_table *parent, const catalog_fkey *fk, const catalog_index *idx,
              fk_target *tg)
{
    if (!idx->unique || idx->where != NULL || idx->n_cols != fk->n_cols)
        return false;
    for (int j = 0; j < idx->n_cols; j++) {
        int col = idx->cols[j].column;
        int k = 0;
        while (k < fk->n_cols && fk_parent_column(parent, fk, k) != col)
            k++;
        if (col < 0 || k == fk->n_cols || idx->cols[j].collation != parent->cols[col].collation)
            return false;
        tg->map[j] = k;
    }
    return true;
}

static int
fk_locate(const catalog *cat, const catalog_table *child, fk_target *tg, char **errmsg_out)
{
    const catalog_fkey *fk = tg->fk;
    const catalog_table *parent = catalog_table_find(cat, fk->to_table);

    tg->parent = parent;
    tg->idx = NULL;
    if (parent == NULL)
        return CHORUS_OK;
    if (fk->to_cols == NULL && parent->n_pk == 0)
        return fk_mismatch(child, fk, errmsg_out);
    if (fk->n_cols == 1 && parent->rowid_alias >= 0 &&
        fk_parent_column(parent, fk, 0) == parent->rowid_alias)
        return CHORUS_OK;
    for (int i = 0; i < parent->n_indexes; i++)
        if (fk_index_fits(parent, fk, parent->indexes[i], tg)) {
            tg->idx = parent->indexes[i];
            return CHORUS_OK;
        }
    return fk_mismatch(child, fk, errmsg_out);
}

/* --- one child row ------------------------------------------------------------------ */

static int
fk_rowid_exists(fk_target *tg, const value *v, bool *found_out)
{
    value probe = *v;
    bool eof, exact = false;
    int rc;

    *found_out = false;
    probe.flags = VALUE_BORROWED;           /* converted copies are owned */
    if (probe.type == VALUE_TEXT || probe.type == VALUE_REAL) {
        rc = value_apply_affinity(&probe, AFFINITY_NUMERIC);
        if (rc != CHORUS_OK)
            return rc;
    }
    if (probe.type != VALUE_INTEGER) {
        value_clear(&probe);                /* FK1: no integer, no parent */
        return CHORUS_OK;
    }
    rc = store_seek_rowid(tg->cur, probe.u.i, BTREE_SEEK_GE, &eof, &exact);
    value_clear(&probe);
    *found_out = rc == CHORUS_OK && !eof && exact;
    return rc;
}

static int
fk_key_exists(fk_target *tg, const value *child_vals, bool *found_out)
{
    const catalog_index *idx = tg->idx;
    value probe[KEY_INFO_MAX];
    int n = 0, rc = CHORUS_OK;
    bool eof = true;

    *found_out = false;
    for (; rc == CHORUS_OK && n < idx->n_cols; n++) {
        const catalog_column *pc = &tg->parent->cols[idx->cols[n].column];
        probe[n] = child_vals[tg->fk->from_cols[tg->map[n]]];
        probe[n].flags = VALUE_BORROWED;    /* FK3: converted copies are owned */
        rc = value_apply_affinity(&probe[n], pc->affinity);
    }
    if (rc == CHORUS_OK)
        rc = store_seek_key(tg->cur, probe, n, BTREE_SEEK_GE, &eof);
    if (rc == CHORUS_OK && !eof) {
        const uint8_t *data;
        uint32_t nbytes;
        rc = store_payload(tg->cur, &data, &nbytes);
        if (rc == CHORUS_OK)
            *found_out = record_compare_probe(&idx->ki, data, nbytes, probe, n, &rc) == 0;
    }
    while (n > 0)
        value_clear(&probe[--n]);
    return rc;
}

static int
fk_violation(catalog_result *out, const catalog_table *child, int64_t rowid,
             const fk_target *tg)
{
    value *row;
    int rc = result_add_row(out, &row);

    if (rc == CHORUS_OK)
        rc = value_set_text_copy(&row[0], child->name, (int32_t)strlen(child->name));
    if (rc == CHORUS_OK && !child->without_rowid)
        value_set_int(&row[1], rowid);                  /* FK4: else NULL */
    if (rc == CHORUS_OK)
        rc = value_set_text_copy(&row[2], tg->fk->to_table, (int32_t)strlen(tg->fk->to_table));
    if (rc == CHORUS_OK)
        value_set_int(&row[3], tg->fkid);
    return rc;
}

static int
fk_check_row(fk_target *tg, const catalog_table *child, const value *vals, int64_t rowid,
             catalog_result *out)
{
    bool found = false;
    int rc = CHORUS_OK;

    for (int k = 0; k < tg->fk->n_cols; k++)
        if (vals[tg->fk->from_cols[k]].type == VALUE_NULL)
            return CHORUS_OK;               /* FK2 */
    if (tg->parent != NULL && tg->idx == NULL)
        rc = fk_rowid_exists(tg, &vals[tg->fk->from_cols[0]], &found);
    else if (tg->parent != NULL)
        rc = fk_key_exists(tg, vals, &found);
    if (rc == CHORUS_OK && !found)
        rc = fk_violation(out, child, rowid, tg);
    return rc;
}

/* --- one child table ---------------------------------------------------------------- */

static int
fk_scan_rows(catalog_writer *w, const catalog_table *t, fk_target *tgs, catalog_result *out)
{
    const catalog_index *pk = catalog_table_pk_index(t);
    store_cursor *scan = NULL;
    bool eof;
    int rc = writer_row_reserve(w, t->n_cols);

    if (rc == CHORUS_OK)
        rc = store_cursor_open(w->st, t->root, pk != NULL ? &pk->ki : NULL, false, t->name,
                               &scan);
    if (rc == CHORUS_OK)
        rc = store_first(scan, &eof);
    while (rc == CHORUS_OK && !eof) {
        int64_t rowid = 0;
        if (!t->without_rowid)
            rc = store_rowid(scan, &rowid);
        if (rc == CHORUS_OK)
            rc = writer_row_load(w, t, scan, rowid, 0, w->old);
        for (int i = 0; rc == CHORUS_OK && i < t->n_fkeys; i++)
            rc = fk_check_row(&tgs[i], t, w->old, rowid, out);
        if (rc == CHORUS_OK)
            rc = store_next(scan, &eof);
    }
    store_cursor_close(scan);
    return rc;
}

static int
fk_check_table(catalog_writer *w, const catalog_table *t, catalog_result *out,
               char **errmsg_out)
{
    fk_target *tgs;
    int rc = CHORUS_OK;

    if (t->n_fkeys == 0)
        return CHORUS_OK;
    tgs = calloc((size_t)t->n_fkeys, sizeof *tgs);
    if (tgs == NULL)
        return CHORUS_NOMEM;
    /* tgs[i] checks fkid i, the (n_fkeys - 1 - i)-th declared (FK4). */
    for (int i = 0; rc == CHORUS_OK && i < t->n_fkeys; i++) {
        fk_target *tg = &tgs[i];
        tg->fk = &t->fkeys[t->n_fkeys - 1 - i];
        tg->fkid = i;
        rc = fk_locate(w->cat, t, tg, errmsg_out);
        if (rc == CHORUS_OK && tg->parent != NULL)
            rc = store_cursor_open(w->st, tg->idx ? tg->idx->root : tg->parent->root,
                                   tg->idx ? &tg->idx->ki : NULL, false,
                                   tg->idx ? tg->idx->name : tg->parent->name, &tg->cur);
    }
    if (rc == CHORUS_OK)
        rc = fk_scan_rows(w, t, tgs, out);
    for (int i = 0; i < t->n_fkeys; i++)
        store_cursor_close(tgs[i].cur);
    free(tgs);
    return rc;
}

int
fkcheck_run(pager_tx *tx, store_tx *st, catalog *cat, const catalog_hooks *hooks, const char *table,
            catalog_result *out, char **errmsg_out)
{
    const catalog_table *only = NULL;
    catalog_writer *w;
    int rc;

    if (table != NULL && (only = catalog_table_find(cat, table)) == NULL) {
        *errmsg_out = common_mprintf("no such table: %s", table);
        return CHORUS_ERROR;
    }
    rc = catalog_writer_open(tx, cat, hooks, &w);
    if (rc != CHORUS_OK)
        return rc;
    if (st != NULL)
        catalog_writer_use_store(w, st);        /* FK5 */
    if (only != NULL)
        rc = fk_check_table(w, only, out, errmsg_out);
    for (int i = 0; only == NULL && rc == CHORUS_OK && i < catalog_table_count(cat); i++)
        rc = fk_check_table(w, catalog_table_at(cat, i), out, errmsg_out);
    catalog_writer_close(w);
    return rc;
}
