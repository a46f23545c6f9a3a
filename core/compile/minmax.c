/*
 * core/compile/minmax.c: SQLite's min/max optimization. A query whose one
 * aggregate is min(x) or max(x) reads x's order from an index (or the
 * rowid) and stops at the first row where x is not NULL; EXPLAIN QUERY
 * PLAN says "SEARCH t ..." for it, as SQLite.
 *
 * Rules
 *   M1  SQLite's min/max query: a core without GROUP BY or HAVING, with
 *       one aggregate, min() or max() of one argument, no FILTER, no
 *       window function (plan_query.minmax_query). EXPLAIN shows its table
 *       level as SEARCH, whatever its path (explain.c E5).
 *   M2  With one table level and x a column of it: x the rowid, read by a
 *       rowid-order path; or x the index column after the equality prefix
 *       of an index path (same collation); or, from a full scan, the first
 *       column of an index (not partial; the narrowest covering index
 *       first; the INDEXED BY one if named), which the level then scans.
 *       min() reads ascending values, max() descending (plan_level.reverse;
 *       a range on a DESC column reads forwards only, O7).
 *       plan_query.minmax_first is set: the aggregation steps rows up to
 *       the first with a non-NULL x and stops (agg.c A6). Ascending, the
 *       NULL entries come first and are stepped (min() skips them); so the
 *       aggregate is the one a full read gives.
 *   M3  The bare values (other columns the output reads) then come from
 *       the row SQLite's read stops at: the first non-NULL x in that order
 *       (ties: the index's order, its later columns and then the rowid,
 *       backwards for max()), or the first row read when every x is NULL
 *       (agg.c A6).
 *   M4  Not under a collation the connection has not defined: the full
 *       read's comparisons report it (vm stmt.c M5), as SQLite fails.
 * Callers: select.c (compile_core, after order.c and group_order.c).
 */
#include <string.h>

#include "compile_int.h"

static bool
is_rowid(const catalog_table *t, int col)
{
    return col == -1 || (col >= 0 && col == t->rowid_alias);
}

/* M2: whether index ix, its first n_eq columns fixed, reads x's order for
 * the aggregate (is_max); *reverse: read it backwards. */
static bool
index_reads(const catalog_index *ix, int n_eq, int col, uint8_t coll, bool is_max,
            bool has_range, bool *reverse)
{
    const catalog_index_column *k;

    if (n_eq >= ix->n_cols)
        return false;
    k = &ix->cols[n_eq];
    if (k->column != col || k->collation != coll)
        return false;
    *reverse = is_max != k->desc;
    return !(*reverse && has_range && k->desc);      /* O7 */
}

/* M2: the level's path reads x in order; a full scan may switch to an index. */
static int
level_reads(cctx *c, plan_level *lv, int col, uint8_t coll, bool is_max, bool *ok)
{
    const plan_cursor *cur = cc_cursor(c, lv->cursor);
    const catalog_table *t = cur->table;
    bool reverse = false;
    int pos = 0;

    *ok = false;
    if (lv->is_left || lv->is_right)
        return CHORUS_OK;
    if (is_rowid(t, col) && !t->without_rowid &&
        (lv->access == PA_SCAN || lv->access == PA_ROWID_RANGE || lv->access == PA_ROWID_EQ)) {
        *ok = true;
        lv->keep_order = true;
        lv->reverse = is_max;
        return CHORUS_OK;
    }
    if (lv->access == PA_INDEX) {
        *ok = lv->index->where == NULL &&
              index_reads(lv->index, lv->n_eq, col, coll, is_max,
                          lv->lo != NULL || lv->hi != NULL, &reverse);
        if (*ok) {
            lv->keep_order = true;
            lv->reverse = reverse;
        }
        return CHORUS_OK;
    }
    if (lv->access != PA_SCAN || lv->not_indexed || col < 0)
        return CHORUS_OK;
    for (const catalog_index *ix = cc_where_scan_index_next(lv, cur, &pos); ix != NULL;
         ix = cc_where_scan_index_next(lv, cur, &pos)) {
        if (!index_reads(ix, 0, col, coll, is_max, false, &reverse))
            continue;
        *ok = true;
        lv->keep_order = true;
        lv->reverse = reverse;
        return cc_order_index_scan(c, lv, ix);
    }
    return CHORUS_OK;
}

int
cc_minmax_plan(cctx *c, plan_query *q)
{
    const plan_agg *g;
    const cx *arg;
    bool is_max, ok;
    int rc;

    if (q->kind != PQ_CORE || !q->is_agg || q->n_group > 0 || q->having != NULL ||
        q->n_aggs != 1 || q->n_windows > 0)
        return CHORUS_OK;
    g = &q->aggs[0];
    if (g->n_args != 1 || g->filter_col >= 0 || g->n_order > 0 ||
        (strcmp(g->fn->name, "min") != 0 && strcmp(g->fn->name, "max") != 0))
        return CHORUS_OK;
    q->minmax_query = true;     /* M1 */
    is_max = strcmp(g->fn->name, "max") == 0;
    arg = q->gcols[g->first_arg];
    if (q->n_levels != 1 || arg->kind != CX_COLUMN || arg->cursor != q->levels[0].cursor ||
        cc_cursor(c, arg->cursor)->kind != PC_TABLE || !cc_collation_usable(g->coll))
        return CHORUS_OK;       /* M4 */
    rc = level_reads(c, &q->levels[0], arg->column, g->coll, is_max, &ok);
    q->minmax_first = ok;
    return rc;
}
