/*
 * core/vm/autoindex.c: the transient index of a PA_AUTO_INDEX level
 * (core/compile/where.c P15, SQLite's automatic index): a hash from the
 * level's key values (its columns auto_col) to the rowids of the rows
 * holding them, built by reading the whole table, or the rows of a
 * materialized view or subquery (whose rowids are their positions + 1).
 *
 * Rules
 *   AI1 It holds each row of the table that passes the level's auto_where
 *       (SQLite's PARTIAL index) and has no NULL key value, except in a key
 *       column an IS term probes (plan_level.eq_is): x = NULL never holds.
 *   AI2 Keys compare as value_compare under the terms' collations
 *       (auto_coll), the probes having the comparison affinity applied
 *       (exec_loop.c L3); the hash agrees with that equality (rows.c R2).
 *   AI3 A probe visits the rows with its key in the order of SQLite's
 *       covering automatic index: by the other columns the query reads
 *       (plan_cursor.used, in column order, BINARY), then by rowid.
 *   AI4 Built when the level first runs in a query run, freed when the
 *       query closes (exec_loop.c L7): it shows the table as it was then.
 *       A materialized source is filled first, as its scan would be.
 *   AI5 Covering, as SQLite's: a table cursor on a match holds the index
 *       row (plan_cursor.held, cursor.c C7), whose key and extra values are
 *       the columns the query reads, with no move of its b-tree; a
 *       materialized source's cursor goes to its row.
 * Callers: exec_loop.c.
 */
#include <stdlib.h>

#include "vm_int.h"

struct vm_autoindex {
    int n_keys;
    const uint8_t *coll;    /* the level's auto_coll */
    int n_extra;            /* AI3: the other columns read */
    int *extra;             /* their columns, in the order their values follow the key */
    int *pos;               /* AI5: column -> its place in a row, -1 when not there */
    vm_rows *rows;          /* per row: its key values, the extra values, its rowid */
    uint64_t *hashes;       /* per row */
    int64_t *next;          /* per row: the next row of its bucket (AI3 order), or -1 */
    int64_t *first;         /* per bucket: its first row, or -1 */
    uint64_t mask;          /* buckets - 1 */
    const value *probe;     /* the key probed (the level's probe values) */
    uint64_t probe_hash;
    int64_t at;             /* the next row of the probe's bucket to look at, or -1 */
};

void
vm_autoindex_free(vm_autoindex *ix)
{
    if (ix == NULL)
        return;
    vm_rows_free(ix->rows);
    free(ix->extra);
    free(ix->pos);
    free(ix->hashes);
    free(ix->next);
    free(ix->first);
    free(ix);
}

/* AI1: adds the row under the level's cursor when it belongs. */
static int
add_row(vm_run *r, const plan_level *lv, plan_cursor *cur, vm_autoindex *ix, value *vals)
{
    bool pass = true;
    int rc = CHORUS_OK, n = 0, width = ix->n_keys + ix->n_extra;

    if (lv->auto_where != NULL && ((rc = vm_eval_condition(r, lv->auto_where, &pass)) !=
                                   CHORUS_OK || !pass))
        return rc;
    for (; n < ix->n_keys; n++) {
        rc = vm_cursor_column(r, cur, lv->auto_col[n], &vals[n]);
        if (rc != CHORUS_OK || (vals[n].type == VALUE_NULL && !(lv->eq_is >> n & 1)))
            break;
    }
    for (; rc == CHORUS_OK && n >= ix->n_keys && n < width; n++)
        rc = vm_cursor_column(r, cur, ix->extra[n - ix->n_keys], &vals[n]);
    if (rc == CHORUS_OK && n == width) {
        int64_t id = cur->rowid;                    /* a materialized row's place + 1 */
        if (cur->kind == PC_TABLE)
            rc = vm_cursor_rowid(cur, &id);
        value_set_int(&vals[n], id);
        if (rc == CHORUS_OK)
            rc = vm_rows_append(ix->rows, vals);
    }
    vm_values_clear(vals, n);
    return rc;
}

/* AI3: the columns cur reads besides the key and the rowid. */
static int
extra_columns(const plan_level *lv, const plan_cursor *cur, vm_autoindex *ix)
{
    const catalog_table *t = cur->kind == PC_TABLE ? cur->table : NULL;
    int n_cols = t != NULL ? t->n_cols : cur->n_cols;

    ix->extra = malloc((size_t)(n_cols ? n_cols : 1) * sizeof *ix->extra);
    ix->pos = malloc((size_t)(n_cols ? n_cols : 1) * sizeof *ix->pos);
    if (ix->extra == NULL || ix->pos == NULL)
        return CHORUS_NOMEM;
    for (int col = 0; col < n_cols; col++) {
        bool read = col < 62 ? cur->used >> col & 1 : cur->used >> 63 & 1;
        ix->pos[col] = -1;
        for (int k = 0; k < ix->n_keys && ix->pos[col] < 0; k++)
            if (lv->auto_col[k] == col)
                ix->pos[col] = k;
        if (read && ix->pos[col] < 0 && (t == NULL || col != t->rowid_alias)) {
            ix->pos[col] = ix->n_keys + ix->n_extra;
            ix->extra[ix->n_extra++] = col;
        }
    }
    return CHORUS_OK;
}

/* Reads every row of the level's source into ix. */
static int
add_rows(vm_run *r, const plan_level *lv, plan_cursor *cur, vm_autoindex *ix, value *vals)
{
    bool eof = false;
    int rc = CHORUS_OK;

    if (cur->kind == PC_EPHEMERAL) {
        for (int64_t i = 0; rc == CHORUS_OK && i < cur->rows->n; i++) {
            vm_autoindex_position(cur, i + 1);
            rc = vm_run_tick(r);
            if (rc == CHORUS_OK)
                rc = add_row(r, lv, cur, ix, vals);
        }
        return rc;
    }
    rc = store_first(cur->bt, &eof);
    while (rc == CHORUS_OK && !eof) {
        rc = vm_cursor_load(cur);
        if (rc == CHORUS_OK)
            rc = vm_run_tick(r);
        if (rc == CHORUS_OK)
            rc = add_row(r, lv, cur, ix, vals);
        if (rc == CHORUS_OK)
            rc = store_next(cur->bt, &eof);
    }
    return rc;
}

void
vm_autoindex_position(plan_cursor *cur, int64_t rowid)
{
    cur->pos = rowid - 1;
    cur->row = cur->rows->rows[cur->pos];
    cur->rowid = rowid;
}

/* AI3: orders the rows by the extra columns, rowid order kept among equals. */
static int
sort_rows(vm_autoindex *ix)
{
    int *cols = malloc((size_t)(ix->n_extra ? ix->n_extra : 1) * sizeof *cols);
    uint8_t *zeros = calloc((size_t)(ix->n_extra ? ix->n_extra : 1), 1);
    int rc = cols == NULL || zeros == NULL ? CHORUS_NOMEM : CHORUS_OK;

    for (int i = 0; rc == CHORUS_OK && i < ix->n_extra; i++)
        cols[i] = ix->n_keys + i;
    if (rc == CHORUS_OK && ix->n_extra > 0)     /* ascending, BINARY */
        rc = vm_rows_sort(ix->rows, ix->n_extra, cols, zeros, zeros);
    free(cols);
    free(zeros);
    return rc;
}

/* Hashes every row and chains the rows of each bucket in their order (AI3). */
static int
link_rows(vm_autoindex *ix)
{
    int64_t n = ix->rows->n;
    uint64_t buckets = 16;

    while (buckets < (uint64_t)n * 2)
        buckets *= 2;
    ix->mask = buckets - 1;
    ix->first = malloc((size_t)buckets * sizeof *ix->first);
    ix->hashes = malloc((size_t)(n ? n : 1) * sizeof *ix->hashes);
    ix->next = malloc((size_t)(n ? n : 1) * sizeof *ix->next);
    if (ix->first == NULL || ix->hashes == NULL || ix->next == NULL)
        return CHORUS_NOMEM;
    for (uint64_t b = 0; b < buckets; b++)
        ix->first[b] = -1;
    for (int64_t i = n - 1; i >= 0; i--) {          /* AI3: the rows' order */
        uint64_t h = vm_values_hash(ix->rows->rows[i], ix->n_keys, ix->coll);
        ix->hashes[i] = h;
        ix->next[i] = ix->first[h & ix->mask];
        ix->first[h & ix->mask] = i;
    }
    return CHORUS_OK;
}

int
vm_autoindex_build(vm_run *r, const plan_level *lv, plan_cursor *cur, vm_autoindex **out)
{
    vm_autoindex *ix = calloc(1, sizeof *ix);
    value *vals = NULL;
    int rc;

    *out = NULL;
    if (ix == NULL)
        return CHORUS_NOMEM;
    ix->n_keys = lv->n_eq;
    ix->coll = lv->auto_coll;
    ix->at = -1;
    rc = extra_columns(lv, cur, ix);
    if (rc == CHORUS_OK &&
        (vals = malloc((size_t)(ix->n_keys + ix->n_extra + 1) * sizeof *vals)) == NULL)
        rc = CHORUS_NOMEM;
    if (rc == CHORUS_OK)
        rc = vm_rows_new(ix->n_keys + ix->n_extra + 1, &ix->rows);
    if (rc == CHORUS_OK)
        rc = add_rows(r, lv, cur, ix, vals);
    free(vals);
    if (rc == CHORUS_OK)
        rc = sort_rows(ix);
    if (rc == CHORUS_OK)
        rc = link_rows(ix);
    if (rc != CHORUS_OK) {
        vm_autoindex_free(ix);
        return rc;
    }
    *out = ix;
    return CHORUS_OK;
}

void
vm_autoindex_probe(vm_autoindex *ix, const value *key)
{
    ix->probe = key;
    ix->probe_hash = vm_values_hash(key, ix->n_keys, ix->coll);
    ix->at = ix->first[ix->probe_hash & ix->mask];
}

bool
vm_autoindex_next(vm_autoindex *ix, plan_cursor *cur)
{
    while (ix->at >= 0) {
        const value *row = ix->rows->rows[ix->at];
        bool match = ix->hashes[ix->at] == ix->probe_hash &&
                     vm_row_compare(row, ix->probe, ix->n_keys, ix->coll) == 0;
        ix->at = ix->next[ix->at];
        if (!match)
            continue;
        if (cur->kind == PC_EPHEMERAL) {
            vm_autoindex_position(cur, row[ix->n_keys + ix->n_extra].u.i);
        } else {                                                /* AI5 */
            vm_cursor_reset(cur);
            cur->rowid = row[ix->n_keys + ix->n_extra].u.i;
            cur->rowid_unread = false;
            cur->held = row;
            cur->held_pos = ix->pos;
        }
        return true;
    }
    return false;
}
