/*
 * core/compile/group_order.c: GROUP BY and DISTINCT served by the order a
 * single-table core reads its rows in, as SQLite's planner serves them
 * (no "USE TEMP B-TREE FOR GROUP BY/DISTINCT" in EXPLAIN QUERY PLAN), and
 * an ORDER BY that is the GROUP BY's (or DISTINCT's) sort.
 *
 * Rules
 *   G1  Keys (GROUP BY keys, or DISTINCT's result columns) come grouped
 *       from a level when each is a column of its table (no expression),
 *       and, past the index columns an equality fixes, they are the next
 *       index columns in any order, each with its column's collation; or
 *       the rowid alone, from a rowid-order path. Equal keys are then
 *       adjacent, in index order (ties in rowid order), which is the order
 *       SQLite's groups come in.
 *   G2  A full scan of a core with one table level and GROUP BY (or
 *       DISTINCT) switches to a full scan of the first index that serves
 *       the keys (not partial, the INDEXED BY one if named), the narrowest
 *       covering index first (where.c), as SQLite trades the sort for the
 *       index's lookups (bench: GROUP BY + HAVING then costs what SQLite's
 *       does); it keeps that order (plan_level.keep_order, O3).
 *   G3  GROUP BY served: plan_query.group_in_order; the group rows are not
 *       sorted (agg.c A1), so the groups come out in the index's order,
 *       and each group's first row (A2) is its first in that order, both
 *       as in SQLite.
 *   G4  DISTINCT served (or its columns hold the rowid, or every column of
 *       a UNIQUE index, all NOT NULL: SQLite then drops the DISTINCT):
 *       plan_query.distinct_in_order, for EXPLAIN only; the rows are still
 *       checked against those seen (exec_query.c), so results never change.
 *   G5  ORDER BY exactly the GROUP BY keys (any directions, no NULLS
 *       FIRST/LAST, same collations), or exactly the DISTINCT result
 *       columns ascending: plan_query.order_by_group (SQLite sorts once; no
 *       "USE TEMP B-TREE FOR ORDER BY"). Ascending GROUP BY keys already
 *       give the groups in that order: the sort is dropped (n_order 0).
 *   G6  A core that gives one row at most (no FROM, or aggregates without
 *       GROUP BY) has no ORDER BY sort.
 *   G7  Keys under a collation the connection has not defined are never
 *       served: the sort that compares them reports it (vm stmt.c M5).
 * Callers: select.c (compile_core, after order.c).
 */
#include <string.h>

#include "compile_int.h"

typedef struct group_keys {
    int n;
    const cx *const *exprs;     /* the key expressions */
    const uint8_t *coll;        /* their collations, or NULL: each expression's own */
} group_keys;

bool
cc_collation_usable(uint8_t coll)
{
    return coll < COLLATE_USER_FIRST || collation_user_defined(coll);
}

static uint8_t
key_coll(const group_keys *k, int i)
{
    return k->coll != NULL ? k->coll[i] : k->exprs[i]->coll;
}

/* The table column key i reads on cursor (-1 rowid), or -2. */
static int
key_column(const group_keys *k, int i, int cursor)
{
    const cx *e = k->exprs[i];

    return e->kind == CX_COLUMN && e->cursor == cursor ? e->column : -2;
}

static bool
is_rowid(const catalog_table *t, int col)
{
    return col == -1 || (col >= 0 && col == t->rowid_alias);
}

/* G1: whether index ix, its first n_eq columns fixed, gives the keys grouped. */
static bool
index_groups(const group_keys *k, const catalog_index *ix, int n_eq, int cursor)
{
    int n_free = 0;
    uint64_t need = 0, have = 0;

    for (int i = 0; i < k->n; i++) {
        int col = key_column(k, i, cursor), j;
        if (col < 0 || !cc_collation_usable(key_coll(k, i)))
            return false;       /* G7 */
        for (j = 0; j < ix->n_cols && j < 64; j++)
            if (ix->cols[j].column == col && ix->cols[j].collation == key_coll(k, i))
                break;
        if (j < n_eq)
            continue;           /* fixed by an equality */
        if (j >= ix->n_cols || j >= 64)
            return false;
        have |= (uint64_t)1 << j;
        n_free++;
    }
    for (int j = n_eq; j < n_eq + n_free; j++)
        need |= (uint64_t)1 << j;
    return n_free > 0 && have == need;
}

/* G1: whether the keys are the rowid alone. */
static bool
rowid_groups(const group_keys *k, const catalog_table *t, int cursor)
{
    return k->n == 1 && is_rowid(t, key_column(k, 0, cursor));
}

/* G1, G2: whether lv gives the keys grouped, switching a full scan to an
 * index scan that does. */
static int
level_groups(cctx *c, plan_level *lv, const group_keys *k, bool *served)
{
    const plan_cursor *cur = cc_cursor(c, lv->cursor);
    const catalog_table *t = cur->table;
    int pos = 0;

    *served = false;
    if (cur->kind != PC_TABLE || lv->is_right)
        return CHORUS_OK;
    switch (lv->access) {
    case PA_ROWID_EQ:
    case PA_ROWID_RANGE:
        *served = !t->without_rowid && rowid_groups(k, t, lv->cursor);
        return CHORUS_OK;
    case PA_INDEX:
        *served = index_groups(k, lv->index, lv->n_eq, lv->cursor);
        return CHORUS_OK;
    case PA_SCAN:
        break;
    default:
        return CHORUS_OK;
    }
    if (t->without_rowid ? index_groups(k, catalog_table_pk_index(t), 0, lv->cursor)
                         : rowid_groups(k, t, lv->cursor)) {
        *served = true;
        lv->keep_order = true;
        return CHORUS_OK;
    }
    if (lv->not_indexed)
        return CHORUS_OK;
    for (const catalog_index *ix = cc_where_scan_index_next(lv, cur, &pos); ix != NULL;
         ix = cc_where_scan_index_next(lv, cur, &pos)) {
        if (!index_groups(k, ix, 0, lv->cursor))
            continue;
        *served = true;
        lv->keep_order = true;
        return cc_order_index_scan(c, lv, ix);
    }
    return CHORUS_OK;
}

/* G4: whether the result columns hold the rowid, or every column of a
 * UNIQUE index whose columns are all NOT NULL. */
static bool
keys_unique(const group_keys *k, const catalog_table *t, int cursor)
{
    for (int i = 0; i < k->n; i++)
        if (!t->without_rowid && is_rowid(t, key_column(k, i, cursor)))
            return true;
    for (int x = 0; x < t->n_indexes; x++) {
        const catalog_index *ix = t->indexes[x];
        int j;
        if (!ix->unique || ix->where != NULL)
            continue;
        for (j = 0; j < ix->n_cols; j++) {
            int i;
            if (ix->cols[j].column < 0 || !t->cols[ix->cols[j].column].not_null)
                break;
            for (i = 0; i < k->n; i++)
                if (key_column(k, i, cursor) == ix->cols[j].column &&
                    key_coll(k, i) == ix->cols[j].collation)
                    break;
            if (i == k->n)
                break;
        }
        if (j == ix->n_cols)
            return true;
    }
    return false;
}

/* The expression of ORDER BY key i. */
static const cx *
order_key(const plan_query *q, int i)
{
    int col = q->order_col[i];

    return col < q->n_cols ? q->result[col] : q->extra[col - q->n_cols];
}

/* G5 with GROUP BY. */
static void
order_by_groups(plan_query *q)
{
    bool ascending = true;

    if (q->n_order != q->n_group)
        return;
    for (int i = 0; i < q->n_order; i++) {
        const cx *e = order_key(q, i);
        if (e->kind != CX_GROUPCOL || e->sub != q || e->index != i ||
            (q->order_desc[i] & PLAN_ORDER_NULLS_FLIP) ||
            q->order_coll[i] != q->group_coll[i])
            return;
        if (q->order_desc[i] & PLAN_ORDER_DESC)
            ascending = false;
    }
    q->order_by_group = true;
    if (ascending)
        q->n_order = 0;
}

/* G5 with DISTINCT. */
static void
order_by_distinct(plan_query *q)
{
    if (q->n_order != q->n_cols)
        return;
    for (int i = 0; i < q->n_order; i++)
        if (!cc_cx_same(order_key(q, i), q->result[i]) || q->order_desc[i] != 0 ||
            q->order_coll[i] != q->col_coll[i])
            return;
    q->order_by_group = true;
}

int
cc_group_plan(cctx *c, plan_query *q)
{
    group_keys k;
    bool served;
    int rc;

    if (q->kind != PQ_CORE || q->n_windows > 0)
        return CHORUS_OK;
    if (q->n_levels == 0 || (q->is_agg && q->n_group == 0))
        q->n_order = 0;         /* G6 */
    if (q->is_agg && q->n_group > 0) {
        order_by_groups(q);
        if (q->n_levels != 1)
            return CHORUS_OK;
        k.n = q->n_group;
        k.exprs = (const cx *const *)q->gcols;
        k.coll = q->group_coll;
        rc = level_groups(c, &q->levels[0], &k, &served);
        q->group_in_order = served;
        return rc;
    }
    if (!q->distinct || q->is_agg)
        return CHORUS_OK;
    order_by_distinct(q);
    if (q->n_levels != 1 || q->n_order > 0)
        return CHORUS_OK;       /* order.c chose the path for the ORDER BY */
    k.n = q->n_cols;
    k.exprs = (const cx *const *)q->result;
    k.coll = q->col_coll;
    if (cc_cursor(c, q->levels[0].cursor)->kind == PC_TABLE &&
        keys_unique(&k, cc_cursor(c, q->levels[0].cursor)->table, q->levels[0].cursor)) {
        q->distinct_in_order = true;
        return CHORUS_OK;
    }
    rc = level_groups(c, &q->levels[0], &k, &served);
    q->distinct_in_order = served;
    return rc;
}
