/*
 * core/vm/agg.c: aggregation. Every input row of the loops is evaluated
 * into a group row (GROUP BY keys, aggregate arguments, other columns the
 * output reads: plan_query.gcols); the aggregates step over the group rows
 * of each group, and the output expressions then read the aggregate
 * results (CX_AGG) and the group's first row (CX_GROUPCOL).
 *
 * Rules
 *   A1  With GROUP BY, the group rows are collected and sorted by key
 *       (stable), so groups come out in key order, as SQLite's sorter
 *       gives them; unless the loops read them with equal keys adjacent
 *       (plan_query.group_in_order, compile/group_order.c G3): then they
 *       stay in that order, the index's, as SQLite's groups come.
 *       Without GROUP BY the rows stream into one group, and exactly one
 *       output row exists even with no input.
 *   A2  A group's non-aggregate values (GROUP BY keys and bare columns)
 *       come from one row of the group, the one SQLite 3.40 loads them
 *       from: its first row; but when the query has a min() or max() (of
 *       one argument; the last such one decides), every row on which that
 *       aggregate takes a new value (strictly better; a NULL argument while
 *       it has none yet counts) replaces the row. So a NOCASE key shows the
 *       spelling of the group's first row, and max(a), c shows c of the
 *       first row holding the largest a. Except where SQLite's min/max
 *       optimization reads the one row from an index: a lone max(x) over
 *       one table that no WHERE term narrows by another path, x the one
 *       column of the one index led by x (ascending, same collation),
 *       shows the last row (largest rowid) holding the largest x.
 *   A3  Each aggregate's state is state_size zeroed bytes, reset per group;
 *       final() is followed by destroy(), and the state is zeroed again, so
 *       a zeroed state owns nothing. A run that stops inside a group (an
 *       error, a reset) destroys the states it leaves (vm_agg_close), so
 *       user aggregates always see their state released. DISTINCT aggregates step only
 *       values not seen before in the group.
 *   A4  An aggregate with ORDER BY (group_concat(x ORDER BY y)) keeps the
 *       group's rows and steps them in key order (stable) before final().
 *   A5  Without GROUP BY and with no input row, the bare values are NULL,
 *       except a column of a FROM subquery or view that SQLite flattens
 *       into the query: its expression over null rows (empty_bare_values).
 *   A6  SQLite's min/max optimization (plan_query.minmax_first,
 *       compile/minmax.c M2): the loops read the argument in the order
 *       that puts the min()/max() first; the input ends after the first
 *       row whose argument is not NULL (the NULL rows before it are
 *       stepped as usual), which gives the full read's result. The bare
 *       values come from that row, or from the first row read when every
 *       argument is NULL: the row SQLite's read of that index stops at.
 * Callers: exec_query.c.
 */
#include <stdlib.h>
#include <string.h>

#include "vm_int.h"

enum { AGG_START = 0, AGG_RUN, AGG_DONE };

/* A2: the 1 + index of the min()/max() that chooses the bare row, or 0. */
static int
hit_agg_find(const plan_query *q)
{
    int hit = 0;

    for (int k = 0; k < q->n_aggs; k++) {
        const plan_agg *g = &q->aggs[k];
        if (g->n_args == 1 && (strcmp(g->fn->name, "min") == 0 || strcmp(g->fn->name, "max") == 0))
            hit = k + 1;
    }
    return hit;
}

/* A2: whether the bare values of q come from the row SQLite's min/max
 * optimization reads for a lone max(): the last index entry of the
 * largest value, which is the row of largest rowid among the equal ones. */
static bool
hit_ties_last(vm_run *r, const plan_query *q)
{
    const plan_agg *g = &q->aggs[0];
    const plan_level *lv = &q->levels[0];
    const plan_cursor *cur;
    const cx *arg;

    if (q->n_aggs != 1 || q->n_group > 0 || q->n_levels != 1 || g->n_args != 1 ||
        g->distinct || g->filter_col >= 0 || strcmp(g->fn->name, "max") != 0)
        return false;
    cur = &r->plan->cursors[lv->cursor];
    arg = q->gcols[g->first_arg];
    if (cur->kind != PC_TABLE || arg->kind != CX_COLUMN || arg->cursor != lv->cursor ||
        arg->column < 0)
        return false;
    /* SQLite reads that index unless a WHERE term gives a better path */
    if (lv->access != PA_SCAN &&
        !(lv->access == PA_INDEX && (lv->n_eq == 0 || lv->index->cols[0].column == arg->column)))
        return false;
    /* the one index led by x: read backwards, ties come in descending rowid
     * order only when x is its one column, ascending */
    int n_led = 0;
    bool single_asc = false;
    for (int i = 0; i < cur->table->n_indexes; i++) {
        const catalog_index *ix = cur->table->indexes[i];
        if (ix->where != NULL || ix->cols[0].column != arg->column ||
            ix->cols[0].collation != g->coll)
            continue;
        n_led++;
        single_asc = ix->n_cols == 1 && !ix->cols[0].desc;
    }
    return n_led == 1 && single_asc;
}

/* A2: whether the bare values are (re)loaded from this group row; first:
 * the group's first row. */
static int
bare_row_loads(plan_query *q, const value *row, bool first, bool *load)
{
    const plan_agg *g;
    const value *v;
    int cmp;

    *load = first;
    if (q->hit_agg == 0)
        return CHORUS_OK;
    g = &q->aggs[q->hit_agg - 1];
    v = &row[g->first_arg];
    *load = !q->hit_have;
    if ((g->filter_col >= 0 && value_truth(&row[g->filter_col]) != 1) || v->type == VALUE_NULL)
        return CHORUS_OK;
    if (q->hit_have) {
        cmp = value_compare(v, &q->hit_best, (collation)g->coll);
        if (g->fn->name[1] == 'a' ? cmp < 0 || (cmp == 0 && !q->hit_ties_last) : cmp >= 0)
            return CHORUS_OK;
    }
    *load = true;
    q->hit_have = true;
    value_clear(&q->hit_best);
    return value_copy(&q->hit_best, v) == CHORUS_OK ? CHORUS_OK : CHORUS_NOMEM;
}

static int
agg_arrays(vm_run *r, plan_query *q)
{
    arena *a = &r->plan->arena;
    int n = q->n_gcols ? q->n_gcols : 1;

    if (q->last_group != NULL)
        return CHORUS_OK;
    q->hit_agg = hit_agg_find(q);
    q->hit_ties_last = q->hit_agg != 0 && hit_ties_last(r, q);
    value_set_null(&q->hit_best);
    q->last_group = arena_alloc(a, (size_t)n * sizeof(value));
    if (q->last_group == NULL)
        return CHORUS_NOMEM;
    for (int i = 0; i < q->n_gcols; i++)
        value_set_null(&q->last_group[i]);
    for (int k = 0; k < q->n_aggs; k++) {
        plan_agg *g = &q->aggs[k];
        if (g->state == NULL && g->fn->state_size > 0) {
            g->state = arena_alloc(a, g->fn->state_size);
            if (g->state == NULL)
                return CHORUS_NOMEM;
        }
        value_set_null(&g->result);
    }
    return CHORUS_OK;
}

static void
group_begin(plan_query *q)
{
    q->hit_have = false;
    value_clear(&q->hit_best);
    for (int k = 0; k < q->n_aggs; k++) {
        plan_agg *g = &q->aggs[k];
        if (g->state != NULL)
            memset(g->state, 0, g->fn->state_size);
        if (g->seen != NULL)
            vm_rowset_clear(g->seen);
        vm_rows_free(g->ordered);
        g->ordered = NULL;
    }
}

static void
ctx_init(func_ctx *ctx, vm_run *r, plan_agg *g)
{
    memset(ctx, 0, sizeof *ctx);
    value_set_null(&ctx->result);
    ctx->state = g->state;
    ctx->coll = (collation)g->coll;
    ctx->env = &r->env;
    ctx->def = g->fn;
}

static int
ctx_done(vm_run *r, func_ctx *ctx)
{
    int rc = ctx->rc;

    if (rc != CHORUS_OK) {
        value_clear(&ctx->result);
        rc = vm_run_error(r, rc, "%s", ctx->errmsg ? ctx->errmsg : "aggregate failed");
    }
    free(ctx->errmsg);
    ctx->errmsg = NULL;
    return rc;
}

/* Steps aggregate g over one group row (A3). */
static int
agg_step(vm_run *r, plan_agg *g, const value *row)
{
    func_ctx ctx;
    int rc;

    if (g->filter_col >= 0 && value_truth(&row[g->filter_col]) != 1)
        return CHORUS_OK;
    if (g->distinct && g->n_args > 0) {
        bool added;
        if (g->seen == NULL && (rc = vm_rowset_new(1, &g->coll, &g->seen)) != CHORUS_OK)
            return rc;
        if (row[g->first_arg].type == VALUE_NULL)
            return CHORUS_OK;
        rc = vm_rowset_add(g->seen, &row[g->first_arg], &added);
        if (rc != CHORUS_OK)
            return rc;
        if (!added)
            return CHORUS_OK;
    }
    ctx_init(&ctx, r, g);
    g->fn->step(&ctx, g->n_args, row + g->first_arg);
    return ctx_done(r, &ctx);
}

/* Steps every aggregate over one group row; an aggregate with ORDER BY
 * keeps the row for agg_replay (A4). */
static int
group_step(vm_run *r, plan_query *q, const value *row)
{
    for (int k = 0; k < q->n_aggs; k++) {
        plan_agg *g = &q->aggs[k];
        int rc;
        if (g->n_order > 0) {
            if (g->ordered == NULL && (rc = vm_rows_new(q->n_gcols, &g->ordered)) != CHORUS_OK)
                return rc;
            rc = vm_rows_append(g->ordered, row);
        } else {
            rc = agg_step(r, g, row);
        }
        if (rc != CHORUS_OK)
            return rc;
    }
    return CHORUS_OK;
}

/* A4: f(x ORDER BY k): the group's rows, stably sorted by the keys, are
 * stepped when the group ends. */
static int
agg_replay(vm_run *r, plan_agg *g)
{
    int *cols;
    int rc;

    if (g->ordered == NULL)
        return CHORUS_OK;
    cols = malloc((size_t)g->n_order * sizeof *cols);
    if (cols == NULL)
        return CHORUS_NOMEM;
    for (int i = 0; i < g->n_order; i++)
        cols[i] = g->first_order + i;
    rc = vm_rows_sort(g->ordered, g->n_order, cols, g->order_desc, g->order_coll);
    free(cols);
    for (int64_t i = 0; i < g->ordered->n && rc == CHORUS_OK; i++)
        rc = agg_step(r, g, g->ordered->rows[i]);
    vm_rows_free(g->ordered);
    g->ordered = NULL;
    return rc;
}

static int
group_final(vm_run *r, plan_query *q)
{
    for (int k = 0; k < q->n_aggs; k++) {
        plan_agg *g = &q->aggs[k];
        func_ctx ctx;
        int rc = agg_replay(r, g);
        if (rc != CHORUS_OK)
            return rc;
        ctx_init(&ctx, r, g);
        g->fn->final(&ctx);
        if (g->fn->destroy != NULL && g->state != NULL) {
            g->fn->destroy(g->state);
            memset(g->state, 0, g->fn->state_size);
        }
        value_clear(&g->result);
        rc = ctx_done(r, &ctx);
        if (rc != CHORUS_OK)
            return rc;
        g->result = ctx.result;
    }
    return CHORUS_OK;
}

/* Evaluates the group row of the current loop row into vals (borrowing). */
static int
eval_group_row(vm_run *r, plan_query *q, value *vals)
{
    for (int i = 0; i < q->n_gcols; i++) {
        int rc = vm_eval(r, q->gcols[i], &vals[i]);
        if (rc != CHORUS_OK) {
            vm_values_clear(vals, i);
            return rc;
        }
    }
    return CHORUS_OK;
}

/* A1 with GROUP BY: every group row, sorted by key. */
static int
collect_groups(vm_run *r, plan_query *q, value *tmp)
{
    int *cols;
    uint8_t *desc;
    int rc;

    vm_rows_free(q->groups);
    q->groups = NULL;
    rc = vm_rows_new(q->n_gcols, &q->groups);
    while (rc == CHORUS_OK && (rc = vm_loop_next(r, q)) == CHORUS_ROW) {
        rc = eval_group_row(r, q, tmp);
        if (rc != CHORUS_OK)
            break;
        rc = vm_rows_append(q->groups, tmp);
        vm_values_clear(tmp, q->n_gcols);
    }
    if (rc != CHORUS_DONE)
        return rc;
    cols = malloc((size_t)q->n_group * sizeof *cols);
    desc = calloc((size_t)q->n_group, 1);
    rc = (cols && desc) ? CHORUS_OK : CHORUS_NOMEM;
    if (rc == CHORUS_OK && !q->group_in_order) {      /* else in order already (A1) */
        for (int i = 0; i < q->n_group; i++)
            cols[i] = i;
        rc = vm_rows_sort(q->groups, q->n_group, cols, desc, q->group_coll);
    }
    free(cols);
    free(desc);
    q->group_pos = 0;
    return rc;
}

static int
having_passes(vm_run *r, plan_query *q, bool *pass)
{
    *pass = true;
    return q->having != NULL ? vm_eval_condition(r, q->having, pass) : CHORUS_OK;
}

/* The next group with GROUP BY (A1, A2). */
static int
next_sorted_group(vm_run *r, plan_query *q)
{
    vm_rows *g = q->groups;
    int rc;

    while (q->group_pos < g->n) {
        int64_t start = q->group_pos, bare = start;
        bool pass, load;
        group_begin(q);
        while (q->group_pos < g->n &&
               vm_row_compare(g->rows[start], g->rows[q->group_pos], q->n_group,
                              q->group_coll) == 0) {
            rc = bare_row_loads(q, g->rows[q->group_pos], q->group_pos == start, &load);
            if (rc == CHORUS_OK)
                rc = group_step(r, q, g->rows[q->group_pos]);
            if (rc != CHORUS_OK)
                return rc;
            if (load)
                bare = q->group_pos;
            q->group_pos++;
        }
        rc = group_final(r, q);
        if (rc != CHORUS_OK)
            return rc;
        q->group_row = g->rows[bare];
        rc = having_passes(r, q, &pass);
        if (rc != CHORUS_OK)
            return rc;
        if (pass)
            return CHORUS_ROW;
    }
    return CHORUS_DONE;
}

/* Keeps owned copies of the bare values of the row A2 chooses. */
static int
keep_bare(plan_query *q, value *tmp)
{
    for (int i = 0; i < q->n_gcols; i++) {
        value_clear(&q->last_group[i]);
        if (value_copy(&q->last_group[i], &tmp[i]) != CHORUS_OK)
            return CHORUS_NOMEM;
    }
    return CHORUS_OK;
}

/* A5: whether SQLite flattens FROM subquery (or view) sub, the source of
 * level li of q, into q: a plain core (no aggregate, DISTINCT, ORDER BY,
 * LIMIT or window function) on neither side of a RIGHT or FULL JOIN nor
 * on the right of a LEFT JOIN (SQLite does not flatten those alike). */
static bool
flattened_into(const plan_query *q, int li, const plan_query *sub)
{
    if (sub == NULL || sub->kind != PQ_CORE || sub->is_agg || sub->distinct ||
        sub->n_order > 0 || sub->limit != NULL || sub->n_windows > 0)
        return false;
    for (int k = li; k < q->n_levels; k++)
        if (q->levels[k].is_right || (k == li && q->levels[k].is_left))
            return false;
    return true;
}

static void
null_rows(vm_run *r, const plan_query *sub, bool on)
{
    for (int k = 0; k < sub->n_levels; k++)
        r->plan->cursors[sub->levels[k].cursor].null_row = on;
}

/* A5: with no input row, a bare column of a flattened subquery shows the
 * subquery's expression over null rows of its own sources, as SQLite
 * evaluates the flattened expression there: a constant, or x IS NULL,
 * shows its value, not NULL. */
static int
empty_bare_values(vm_run *r, plan_query *q)
{
    for (int i = 0; i < q->n_gcols; i++) {
        const cx *g = q->gcols[i];
        const plan_query *sub;
        value v;
        int rc, li = 0;
        if (g->kind != CX_COLUMN || g->column < 0)
            continue;
        while (li < q->n_levels && q->levels[li].cursor != g->cursor)
            li++;
        sub = li < q->n_levels ? r->plan->cursors[g->cursor].source : NULL;
        if (!flattened_into(q, li, sub) || g->column >= sub->n_cols)
            continue;
        null_rows(r, sub, true);
        rc = vm_eval(r, sub->result[g->column], &v);
        null_rows(r, sub, false);
        if (rc != CHORUS_OK)
            return rc;
        value_clear(&q->last_group[i]);
        rc = value_copy(&q->last_group[i], &v);
        value_clear(&v);
        if (rc != CHORUS_OK)
            return CHORUS_NOMEM;
    }
    return CHORUS_OK;
}

/* The one group without GROUP BY (A1). */
static int
single_group(vm_run *r, plan_query *q, value *tmp)
{
    bool pass, load, first = true;
    int rc;

    group_begin(q);
    while ((rc = vm_loop_next(r, q)) == CHORUS_ROW) {
        bool last;
        rc = eval_group_row(r, q, tmp);
        if (rc != CHORUS_OK)
            return rc;
        last = q->minmax_first && tmp[q->aggs[0].first_arg].type != VALUE_NULL;     /* A6 */
        rc = bare_row_loads(q, tmp, first, &load);
        if (q->minmax_first && !first && !last)
            load = false;       /* A6: a NULL after the first row */
        if (rc == CHORUS_OK)
            rc = group_step(r, q, tmp);
        if (rc == CHORUS_OK && load)
            rc = keep_bare(q, tmp);
        first = false;
        vm_values_clear(tmp, q->n_gcols);
        if (rc != CHORUS_OK)
            return rc;
        if (last) {
            rc = CHORUS_DONE;
            break;
        }
    }
    if (rc != CHORUS_DONE)
        return rc;
    rc = first ? empty_bare_values(r, q) : CHORUS_OK;
    if (rc == CHORUS_OK)
        rc = group_final(r, q);
    if (rc != CHORUS_OK)
        return rc;
    q->group_row = q->last_group;
    rc = having_passes(r, q, &pass);
    if (rc != CHORUS_OK)
        return rc;
    return pass ? CHORUS_ROW : CHORUS_DONE;
}

int
vm_agg_next(vm_run *r, plan_query *q)
{
    value *tmp;
    int rc;

    if (q->group_open && q->n_group == 0)
        return CHORUS_DONE;
    if (q->group_open)
        return next_sorted_group(r, q);
    rc = agg_arrays(r, q);
    if (rc != CHORUS_OK)
        return rc;
    tmp = calloc((size_t)(q->n_gcols ? q->n_gcols : 1), sizeof *tmp);
    if (tmp == NULL)
        return CHORUS_NOMEM;
    q->group_open = true;
    if (q->n_group == 0) {
        rc = single_group(r, q, tmp);
    } else {
        rc = collect_groups(r, q, tmp);
        if (rc == CHORUS_OK)
            rc = next_sorted_group(r, q);
    }
    free(tmp);
    return rc;
}

void
vm_agg_close(vm_run *r, plan_query *q)
{
    vm_rows_free(q->groups);
    q->groups = NULL;
    q->group_row = NULL;
    q->group_open = false;
    q->hit_have = false;
    value_clear(&q->hit_best);
    if (q->last_group != NULL)
        vm_values_clear(q->last_group, q->n_gcols);
    for (int k = 0; k < q->n_aggs; k++) {
        plan_agg *g = &q->aggs[k];
        if (g->fn->destroy != NULL && g->state != NULL) {     /* A3 */
            g->fn->destroy(g->state);
            memset(g->state, 0, g->fn->state_size);
        }
        value_clear(&g->result);
        vm_rowset_free(g->seen);
        g->seen = NULL;
        vm_rows_free(g->ordered);
        g->ordered = NULL;
    }
}
