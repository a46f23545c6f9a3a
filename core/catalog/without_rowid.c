/*
 * core/catalog/without_rowid.c: rows of WITHOUT ROWID tables, which have
 * no rowid and are named by their PRIMARY KEY (catalog.h rule W1 for them).
 *
 * The table b-tree is an index b-tree ordered by the PK index's key_info
 * (define.c D3): each entry is the table record, PK columns first. Its
 * other indexes end their entries with the PK suffix (define.c D5), which
 * names the row an entry belongs to.
 *
 * A write runs the steps of row_write.c in SQLite's order: affinity, NOT
 * NULL, then uniqueness (the PK index among the UNIQUE indexes, newest
 * first as row_write.c RW4; every action but REPLACE first, then REPLACE
 * deletes the rows in the way), then the table entry and the index
 * entries.
 *
 * Invariants
 *   WO1 A PK is found by seeking its n_pk values under the PK index's
 *       key_info: at most one entry has them (the PK is UNIQUE), so the
 *       first entry whose prefix compares equal is the row.
 *   WO2 An UPDATE removes the old table entry and inserts the new one: the
 *       entries differ in their non-key fields, which the b-tree orders
 *       too, so an insert never replaces an entry.
 *   WO3 Constraint failures leave the b-trees as they were unless the
 *       action is REPLACE (row_write.c RW1). REPLACE deletes the rows in
 *       the way here; catalog_row_replace_victims_key runs the same checks
 *       without writing and copies those rows out instead, so that the
 *       engine can delete them first with their triggers and foreign keys.
 *   WO4 A write changes the table entry before the index entries: in MVCC
 *       mode two writers of one row then meet first at its PRIMARY KEY, so
 *       the conflict names the table and the key (core/store merge.c M6).
 * Callers: row_write.c (catalog_row_insert, row_delete_known), the engine
 * through catalog.h, create.c (CREATE UNIQUE INDEX over existing rows).
 */
#include <string.h>

#include "catalog_int.h"

const catalog_index *
catalog_table_pk_index(const catalog_table *t)
{
    for (int i = 0; t->without_rowid && i < t->n_indexes; i++)
        if (catalog_index_is_table(t->indexes[i]))
            return t->indexes[i];
    return NULL;
}

void
catalog_index_pk_fields(const catalog_index *idx, int16_t *field_out)
{
    const catalog_table *t = idx->table;
    const catalog_index *pk = catalog_table_pk_index(t);
    int next = idx->n_cols;

    for (int k = 0; k < t->n_pk; k++) {
        field_out[k] = -1;
        for (int i = 0; i < idx->n_cols && field_out[k] < 0; i++)
            if (idx->cols[i].column == pk->cols[k].column &&
                idx->cols[i].collation == pk->cols[k].collation)
                field_out[k] = (int16_t)i;
        if (field_out[k] < 0)
            field_out[k] = (int16_t)next++;
    }
}

/* Whether rows a and b have equal PKs under the PK's collations (WO1). */
static bool
pk_equal(const catalog_table *t, const value *a, const value *b)
{
    const catalog_index *pk = catalog_table_pk_index(t);

    for (int k = 0; k < t->n_pk; k++) {
        int c = t->pk_cols[k];
        if (value_compare(&a[c], &b[c], (collation)pk->cols[k].collation) != 0)
            return false;
    }
    return true;
}

int
row_unique_probe_key(catalog_writer *w, const catalog_index *idx, const value *key,
                     const value *self, bool *found_out, value *other)
{
    const catalog_table *t = idx->table;
    int16_t fields[KEY_INFO_MAX];
    store_cursor *cur;
    bool eof;
    int rc = writer_cursor(w, idx->root, &idx->ki, &cur);

    *found_out = false;
    catalog_index_pk_fields(idx, fields);
    if (rc == CHORUS_OK)
        rc = store_seek_key(cur, key, idx->n_cols, BTREE_SEEK_GE, &eof);
    while (rc == CHORUS_OK && !eof) {
        const uint8_t *data;
        uint32_t nbytes;
        int cmp_rc;
        rc = store_payload(cur, &data, &nbytes);
        if (rc != CHORUS_OK)
            break;
        if (record_compare_probe(&idx->ki, data, nbytes, key, idx->n_cols, &cmp_rc) != 0 ||
            cmp_rc != CHORUS_OK)
            return cmp_rc;
        for (int k = 0; k < t->n_pk && rc == CHORUS_OK; k++) {
            value_clear(&other[t->pk_cols[k]]);
            rc = record_column(data, nbytes, fields[k], &other[t->pk_cols[k]]);
        }
        if (rc == CHORUS_OK && (self == NULL || !pk_equal(t, self, other))) {
            *found_out = true;
            return CHORUS_OK;
        }
        if (rc == CHORUS_OK)
            rc = store_next(cur, &eof);
    }
    return rc;
}

int
row_delete_known_key(catalog_writer *w, const catalog_table *t, const value *vals)
{
    store_cursor *cur;
    bool found;
    int rc = writer_row_seek_key(w, t, vals, &cur, &found);      /* WO4 */

    if (rc == CHORUS_OK && found)
        rc = store_delete(cur);
    for (int i = 0; rc == CHORUS_OK && i < t->n_indexes; i++) {
        const catalog_index *idx = t->indexes[i];
        bool skip, has_null;
        if (catalog_index_is_table(idx))
            continue;
        rc = constraint_index_key(w, idx, vals, 0, w->key2, &skip, &has_null);
        if (rc != CHORUS_OK)
            break;
        if (!skip)
            rc = constraint_index_delete(w, idx, w->key2);
        constraint_key_clear(idx, w->key2);
    }
    return rc;
}

/* One write's uniqueness work (self: the row an UPDATE changes, else NULL;
 * victims: catalog_row_replace_victims_key notes the rows in the way there,
 * as owned copies, instead of deleting them). */
typedef struct key_op {
    const catalog_table *t;
    int conflict;
    const value *self;
    catalog_row_result *out;
    value *victims;
    int n_victims;
} key_op;

/* REPLACE: deletes the row whose PK is in key_row (borrowed from an index
 * page or a row; read into the tmp slot first), or notes it once. */
static int
replace_other(catalog_writer *w, key_op *op, const value *key_row)
{
    const catalog_table *t = op->t;
    bool found;
    int rc = writer_row_read_key(w, t, key_row, 1, w->tmp, &found);

    if (rc != CHORUS_OK || !found)
        return rc;
    if (op->victims != NULL) {
        value *v = &op->victims[op->n_victims * t->n_cols];
        for (int i = 0; i < op->n_victims; i++)
            if (pk_equal(t, &op->victims[i * t->n_cols], w->tmp))
                return CHORUS_OK;
        for (int c = 0; c < t->n_cols && rc == CHORUS_OK; c++)
            rc = value_copy(&v[c], &w->tmp[c]);
        op->n_victims++;
        return rc;
    }
    rc = row_delete_known_key(w, t, w->tmp);
    if (rc == CHORUS_OK)
        op->out->n_replaced++;
    return rc;
}

/* What a conflict under action does, other than REPLACE. */
static int
conflict_apply(catalog_writer *w, const catalog_index *idx, int action, catalog_row_result *out)
{
    if (action == AST_CONFLICT_IGNORE) {
        out->ignored = true;
        return CHORUS_OK;
    }
    row_fail_action(w, action);
    return constraint_unique_fail(w, idx);
}

/* The PK of w->row against the table. */
static int
pk_unique(catalog_writer *w, key_op *op, const catalog_index *pk, int action)
{
    store_cursor *cur;
    bool found;
    int rc;

    if (op->self != NULL && pk_equal(op->t, op->self, w->row))
        return CHORUS_OK;
    rc = writer_row_seek_key(w, op->t, w->row, &cur, &found);
    if (rc != CHORUS_OK || !found)
        return rc;
    if (action == AST_CONFLICT_REPLACE)
        return replace_other(w, op, w->row);
    return conflict_apply(w, pk, action, op->out);
}

/* A UNIQUE secondary index against w->row. */
static int
index_unique(catalog_writer *w, key_op *op, const catalog_index *idx, int action)
{
    bool skip, has_null, found = true;
    int rc = constraint_index_key(w, idx, w->row, 0, w->key, &skip, &has_null);

    while (rc == CHORUS_OK && found && !skip && !has_null && !op->out->ignored) {
        rc = row_unique_probe_key(w, idx, w->key, op->self, &found, w->tmp);
        if (rc != CHORUS_OK || !found)
            break;
        if (action != AST_CONFLICT_REPLACE) {
            rc = conflict_apply(w, idx, action, op->out);
            continue;
        }
        rc = replace_other(w, op, w->tmp);
        if (op->victims != NULL)
            break;              /* the row stays: the probe would find it again */
    }
    constraint_key_clear(idx, w->key);
    return rc;
}

/* Uniqueness of w->row: pass 0 every action but REPLACE, pass 1 REPLACE. */
static int
row_unique(catalog_writer *w, key_op *op)
{
    const catalog_table *t = op->t;
    int rc = CHORUS_OK;

    for (int pass = 0; pass < 2 && rc == CHORUS_OK && !op->out->ignored; pass++) {
        for (int i = t->n_indexes - 1; rc == CHORUS_OK && !op->out->ignored && i >= 0; i--) {
            const catalog_index *idx = t->indexes[i];           /* row_write.c RW4 */
            int action = constraint_action(op->conflict, idx->on_conflict);
            if (!idx->unique || (pass == 1) != (action == AST_CONFLICT_REPLACE))
                continue;
            rc = catalog_index_is_table(idx) ? pk_unique(w, op, idx, action)
                                             : index_unique(w, op, idx, action);
        }
    }
    return rc;
}

/* The table entry of w->row (WO2: the caller removed the old one). */
static int
table_insert(catalog_writer *w, const catalog_table *t)
{
    store_cursor *cur;
    size_t nbytes;
    int rc = writer_row_encode(w, t, w->row, &nbytes);

    if (rc == CHORUS_OK)
        rc = writer_cursor(w, t->root, &catalog_table_pk_index(t)->ki, &cur);
    if (rc == CHORUS_OK)
        rc = store_index_insert(cur, w->buf, (uint32_t)nbytes, false);
    return rc;
}

int
row_insert_key(catalog_writer *w, const catalog_table *t, const value *vals, int conflict,
               catalog_row_result *out)
{
    key_op op = {.t = t, .conflict = conflict, .out = out};
    int rc = writer_row_reserve(w, t->n_cols + t->n_pk);      /* writer.c WR5 */

    if (rc == CHORUS_OK)
        rc = row_prepare(w, t, vals);
    if (rc == CHORUS_OK)
        rc = row_not_null(w, t, conflict, out);
    if (rc == CHORUS_OK && !out->ignored)
        rc = row_unique(w, &op);
    if (rc != CHORUS_OK || out->ignored)
        return rc;
    rc = table_insert(w, t);
    if (rc == CHORUS_OK)
        rc = row_indexes_insert(w, t, 0);
    return rc;
}

int
catalog_row_delete_key(catalog_writer *w, const catalog_table *t, const value *key_row)
{
    bool found;
    int rc = row_write_check(w, t);

    if (rc == CHORUS_OK)
        rc = writer_row_reserve(w, t->n_cols);
    if (rc == CHORUS_OK)
        rc = writer_row_read_key(w, t, key_row, 0, w->old, &found);
    if (rc != CHORUS_OK || !found)
        return rc;
    return row_delete_known_key(w, t, w->old);
}

int
catalog_row_update_key(catalog_writer *w, const catalog_table *t, const value *key_row,
                       const value *vals, int conflict, catalog_row_result *out)
{
    key_op op = {.t = t, .conflict = conflict, .out = out};
    store_cursor *cur;
    bool found;
    int rc;

    memset(out, 0, sizeof *out);
    rc = row_write_check(w, t);
    if (rc == CHORUS_OK)
        rc = writer_row_reserve(w, t->n_cols + t->n_pk);      /* writer.c WR5 */
    if (rc == CHORUS_OK)
        rc = writer_row_read_key(w, t, key_row, 0, w->old, &found);
    if (rc == CHORUS_OK && !found)
        out->ignored = true;    /* gone (a REPLACE removed it): nothing written */
    if (rc != CHORUS_OK || !found)
        return rc;
    rc = row_prepare(w, t, vals);
    if (rc == CHORUS_OK)
        rc = row_not_null(w, t, conflict, out);
    op.self = w->old;               /* reserved above: w->old stays put now */
    if (rc == CHORUS_OK && !out->ignored)
        rc = row_unique(w, &op);
    if (rc != CHORUS_OK || out->ignored)
        return rc;
    rc = writer_row_seek_key(w, t, w->old, &cur, &found);         /* WO4 */
    if (rc == CHORUS_OK && found)
        rc = store_delete(cur);                     /* WO2 */
    if (rc == CHORUS_OK)
        rc = table_insert(w, t);
    if (rc == CHORUS_OK)
        rc = row_indexes_update(w, t, 0, 0);
    return rc;
}

int
catalog_row_replace_victims_key(catalog_writer *w, const catalog_table *t, const value *vals,
                                const value *old_row, int conflict, value *victims, int *n_out,
                                bool *ignored_out)
{
    catalog_row_result res;
    key_op op = {.t = t, .conflict = conflict, .out = &res, .victims = victims};
    bool found = true;
    int rc;

    memset(&res, 0, sizeof res);
    *n_out = 0;
    *ignored_out = false;
    rc = row_write_check(w, t);
    if (rc == CHORUS_OK)
        rc = writer_row_reserve(w, t->n_cols);
    if (rc == CHORUS_OK && old_row != NULL) {
        rc = writer_row_read_key(w, t, old_row, 0, w->old, &found);
        op.self = w->old;
    }
    if (rc != CHORUS_OK || !found)
        return rc;
    rc = row_prepare(w, t, vals);
    if (rc == CHORUS_OK)
        rc = row_not_null(w, t, conflict, &res);
    if (rc == CHORUS_OK && !res.ignored)
        rc = row_unique(w, &op);
    *n_out = op.n_victims;
    *ignored_out = res.ignored;
    return rc;
}
