/*
 * core/compile/order.c: ORDER BY satisfied by the order a single-table
 * core already reads its rows in (rowid order, a WITHOUT ROWID table's
 * PRIMARY KEY order, or an index's, forwards or backwards), so the sort is
 * dropped; a full scan switches to a full index
 * scan when that index's order is the ORDER BY (EXPLAIN QUERY PLAN then
 * says "SCAN t USING INDEX i", with no "USE TEMP B-TREE FOR ORDER BY").
 *
 * Invariants
 *   O1  The rows never change, and their order is SQLite's: a stable sort
 *       of a rowid scan by index columns gives exactly the index's order
 *       (ties in rowid order), and an index lookup reads its entries in key
 *       order, ties by rowid; backwards (O4), ties come in descending rowid
 *       order, as from SQLite's reverse scan of that index.
 *   O2  Only keys whose collation is the index column's, with NULLs where
 *       the direction puts them (no NULLS FIRST/LAST against it), on a core
 *       with one table level, no aggregation and no window functions.
 *   O3  A level whose order the query relies on keeps its access path:
 *       cc_where_finish does not turn it into another covering index scan
 *       (plan_level.keep_order).
 *   O4  Every key runs with its index column's stored direction (forwards)
 *       or every key against it (backwards: plan_level.reverse; ORDER BY
 *       x DESC from an ascending index or the rowid); a mix sorts.
 *   O5  A key matches an index column on an expression when it is the same
 *       computation (cc_cx_same) over the level's source.
 *   O6  An IN list on the first index column reads its distinct values in
 *       the column's stored order (exec_loop.c in_collect), so the entries
 *       come in index order: forwards only.
 *   O7  So does a range on a DESC index column (exec_loop.c L6).
 * Callers: select.c (compile_core, after ORDER BY).
 */
#include <stdio.h>
#include <string.h>

#include "compile_int.h"

/* The expression of ORDER BY key i. */
static const cx *
key_expr(const plan_query *q, int i)
{
    int col = q->order_col[i];

    return col < q->n_cols ? q->result[col] : q->extra[col - q->n_cols];
}

/* The table column (-1 rowid) ORDER BY key i reads on cursor, or -2. */
static int
key_column(const plan_query *q, int i, int cursor)
{
    const cx *e = key_expr(q, i);

    if (e->kind != CX_COLUMN || e->cursor != cursor)
        return -2;
    return e->column;
}

/* Whether ORDER BY key i, reading column col (key_column), is column k of
 * ix: that table column, or the same expression (exprs[k], O5). */
static bool
key_is_index_column(const plan_query *q, int i, int col, const catalog_index *ix, int k,
                    cx *const *exprs)
{
    if (ix->cols[k].collation != q->order_coll[i])
        return false;
    if (ix->cols[k].column == CATALOG_COLUMN_EXPR)
        return exprs[k] != NULL && cc_cx_same(key_expr(q, i), exprs[k]);
    return col >= 0 && ix->cols[k].column == col;
}

static bool
is_rowid(const catalog_table *t, int col)
{
    return col == -1 || (col >= 0 && col == t->rowid_alias);
}

/* Whether key i reads a column the first n_eq index columns hold fixed. */
static bool
key_is_fixed(const plan_query *q, const catalog_index *ix, int n_eq, int i, int col)
{
    for (int j = 0; j < n_eq; j++)
        if (col >= 0 && ix->cols[j].column == col && ix->cols[j].collation == q->order_coll[i])
            return true;
    return false;
}

/* Directions a scan can give the ORDER BY in (O4). */
enum { DIR_NONE = 0, DIR_FORWARD = 1, DIR_REVERSE = 2, DIR_ANY = 3 };

/* The directions that give key i from a column stored descending or not. */
static int
key_direction(const plan_query *q, int i, bool stored_desc)
{
    if (q->order_desc[i] & PLAN_ORDER_NULLS_FLIP)
        return DIR_NONE;
    return ((q->order_desc[i] & PLAN_ORDER_DESC) != 0) == stored_desc ? DIR_FORWARD
                                                                      : DIR_REVERSE;
}

/* The directions in which index ix, its first k columns fixed by
 * equalities, reads the rows in q's key order (O2, O4; exprs: its
 * expression columns compiled, O5). */
static int
index_follows(const plan_query *q, const catalog_index *ix, int k, int cursor,
              cx *const *exprs)
{
    const catalog_table *t = ix->table;
    int n_eq = k, dir = DIR_ANY;

    for (int i = 0; i < q->n_order && dir != DIR_NONE; i++, k++) {
        int col = key_column(q, i, cursor);
        if (key_is_fixed(q, ix, n_eq, i, col)) {
            k--;
            continue;
        }
        if (k >= ix->n_cols)            /* entries tie-break by rowid */
            return is_rowid(t, col) ? dir & key_direction(q, i, false) : DIR_NONE;
        if (!key_is_index_column(q, i, col, ix, k, exprs))
            return DIR_NONE;
        dir &= key_direction(q, i, ix->cols[k].desc);
    }
    return dir;
}

int
cc_order_index_scan(cctx *c, plan_level *lv, const catalog_index *ix)
{
    char *text = NULL;
    size_t n = strlen(lv->name) + strlen(ix->name) + 32;

    text = cc_alloc(c, n);
    if (text == NULL)
        return CHORUS_NOMEM;
    snprintf(text, n, "SCAN %s USING INDEX %s", lv->name, ix->name);
    lv->access = PA_INDEX;
    lv->index = ix;
    lv->n_eq = 0;
    lv->plan_text = text;
    return CHORUS_OK;
}

uint8_t
cc_order_flags(const ast_list_item *item)
{
    bool desc = item->order == AST_ORDER_DESC;
    bool flip = desc ? item->nulls == AST_NULLS_FIRST : item->nulls == AST_NULLS_LAST;

    return (uint8_t)((desc ? PLAN_ORDER_DESC : 0) | (flip ? PLAN_ORDER_NULLS_FLIP : 0));
}

/* Index ix's expression columns compiled over the level's source into
 * exprs (NULL for the others). */
static void
index_exprs(cctx *c, scope *s, const plan_level *lv, const catalog_index *ix, cx **exprs)
{
    scope_source *src = NULL;

    for (int i = 0; s != NULL && i < s->n_src; i++)
        if (s->src[i].cursor == lv->cursor)
            src = &s->src[i];
    for (int k = 0; k < ix->n_cols && k < KEY_INFO_MAX; k++)
        exprs[k] = ix->cols[k].column == CATALOG_COLUMN_EXPR && src != NULL
                       ? cc_compile_on_source(c, src, ix->cols[k].expr)
                       : NULL;
}

/* O2: whether the order of q's one level lv may stand for its ORDER BY. */
static bool
order_may_follow(cctx *c, const plan_query *q, const plan_level *lv)
{
    return q->kind == PQ_CORE && q->n_order > 0 && q->n_levels == 1 && !q->is_agg &&
           q->n_windows == 0 && cc_cursor(c, lv->cursor)->kind == PC_TABLE && !lv->is_right;
}

int
cc_order_served(cctx *c, scope *s, const plan_query *q, const plan_level *lv,
                const catalog_index *ix, int n_eq, bool forward_only)
{
    const catalog_table *t;
    cx *exprs[KEY_INFO_MAX];

    if (!order_may_follow(c, q, lv))
        return -1;
    t = cc_cursor(c, lv->cursor)->table;
    if (ix == NULL && t->without_rowid)
        ix = catalog_table_pk_index(t);
    if (ix == NULL)
        return is_rowid(t, key_column(q, 0, lv->cursor)) && key_direction(q, 0, false) != DIR_NONE;
    if (ix->where != NULL)
        return 0;
    index_exprs(c, s, lv, ix, exprs);
    return (index_follows(q, ix, n_eq, lv->cursor, exprs) &
            (forward_only ? DIR_FORWARD : DIR_ANY)) != DIR_NONE;
}

int
cc_order_plan(cctx *c, scope *s, plan_query *q)
{
    cx *exprs[KEY_INFO_MAX];
    plan_level *lv;
    const plan_cursor *cur;
    const catalog_table *t;
    int dir = DIR_NONE;

    if (q->kind != PQ_CORE || q->n_levels != 1 || !order_may_follow(c, q, &q->levels[0]))
        return CHORUS_OK;
    lv = &q->levels[0];
    cur = cc_cursor(c, lv->cursor);
    t = cur->table;
    switch (lv->access) {
    case PA_SCAN:
        if (t->without_rowid) {     /* its scan is its PRIMARY KEY's order (O1) */
            index_exprs(c, s, lv, catalog_table_pk_index(t), exprs);
            dir = index_follows(q, catalog_table_pk_index(t), 0, lv->cursor, exprs);
            break;
        }
        /* fall through */
    case PA_ROWID_EQ:
    case PA_ROWID_IN:
    case PA_ROWID_RANGE:
        if (is_rowid(t, key_column(q, 0, lv->cursor)))
            dir = key_direction(q, 0, false);
        break;
    case PA_INDEX:
        if (lv->index->where == NULL) {
            index_exprs(c, s, lv, lv->index, exprs);
            dir = index_follows(q, lv->index, lv->n_eq, lv->cursor, exprs);
            if ((lv->lo != NULL || lv->hi != NULL) && lv->index->cols[lv->n_eq].desc)
                dir &= DIR_FORWARD;     /* O7 */
        }
        break;
    case PA_INDEX_IN:       /* O6 */
        if (lv->index->where == NULL) {
            index_exprs(c, s, lv, lv->index, exprs);
            dir = index_follows(q, lv->index, 0, lv->cursor, exprs) & DIR_FORWARD;
        }
        break;
    default:
        break;
    }
    if (dir == DIR_NONE && lv->access == PA_SCAN && !lv->not_indexed) {
        /* O1: the scan's own order is the narrowest covering index's when
         * there is one (cc_where_finish); only that index keeps ties alike. */
        const catalog_index *cover = cc_where_narrowest_cover(cur);
        for (int i = 0; i < t->n_indexes && dir == DIR_NONE; i++) {
            const catalog_index *ix = t->indexes[i];
            if (ix->where != NULL || (lv->indexed_by != NULL && lv->indexed_by != ix) ||
                (cover != NULL && ix != cover) || catalog_index_is_table(ix))
                continue;
            index_exprs(c, s, lv, ix, exprs);
            dir = index_follows(q, ix, 0, lv->cursor, exprs);
            if (dir != DIR_NONE) {
                int rc = cc_order_index_scan(c, lv, ix);
                if (rc != CHORUS_OK)
                    return rc;
            }
        }
    }
    if (dir != DIR_NONE) {
        q->n_order = 0;         /* the rows come in order already (O1) */
        lv->keep_order = true;  /* O3 */
        lv->reverse = dir == DIR_REVERSE;
    }
    return CHORUS_OK;
}
