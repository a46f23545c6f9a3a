/*
 * core/vm/exec_query.c: the pull interface of a query node: open, next,
 * close. Produces the rows of a core (loops or aggregation, then result
 * expressions), a VALUES list or a compound select, then applies DISTINCT,
 * ORDER BY (sort of the whole result) and LIMIT/OFFSET.
 *
 * Rules
 *   Q1  q->row is valid until the next vm_query_next or vm_query_close on q:
 *       it points at q->scratch (values evaluated for this row, which may
 *       borrow from cursors) or at a row of q->sorted.
 *   Q2  UNION, INTERSECT and EXCEPT deliver distinct rows in ascending
 *       order of all columns (SQLite reads them from a temporary index);
 *       of rows that compare equal (0 and 0.0, 'a' and 'A' under NOCASE)
 *       the last one read is kept, as an index insert replaces its equal
 *       (the arms' own DISTINCT is dropped then, core/compile/select.c).
 *       Under an ORDER BY (merge_dedup, also on the compounds left of it)
 *       SQLite merges the sorted arms instead: UNION keeps the right arm's
 *       first equal row if it has one, else the left's first; INTERSECT and
 *       EXCEPT keep the left's first, and run no right arm after an empty
 *       left one. UNION ALL delivers the left rows, then the right ones.
 *   Q3  LIMIT and OFFSET are evaluated when the query opens; a negative
 *       LIMIT means none.
 *   Q4  Run-time arrays (scratch, group rows) are allocated in the plan
 *       arena on the first open and reused by every later run.
 *   Q6  A table-valued function (json_each, json_tree) evaluates its
 *       arguments when it opens and steps core/func/json.h's iterator.
 *   Q7  ORDER BY with LIMIT sorts only the LIMIT + OFFSET first rows
 *       (sort_top); the rows and their order are the full sort's.
 * Callers: stmt.c, expr_eval.c (subqueries), exec_loop.c (materialized
 * sources), exec_dml.c.
 */
#include <stdlib.h>
#include <string.h>

#include "json.h"
#include "vm_int.h"

enum { Q_START = 0, Q_SORTED, Q_DONE };

static int
run_arrays(vm_run *r, plan_query *q)
{
    int n = q->n_cols + q->n_extra;

    if (q->scratch == NULL) {       /* one more: the arrival number of a top-N sort (Q7) */
        q->scratch = arena_alloc(&r->plan->arena, (size_t)(n + 1) * sizeof(value));
        if (q->scratch == NULL)
            return CHORUS_NOMEM;
        for (int i = 0; i <= n; i++)
            value_set_null(&q->scratch[i]);
    }
    return CHORUS_OK;
}

/* Q6: json_each / json_tree: the iterator over the evaluated arguments. */
static void
table_fn_close(plan_query *q)
{
    json_each_close(q->fn_iter);
    q->fn_iter = NULL;
    if (q->fn_rows != NULL) {
        catalog_result_free(q->fn_rows);
        free(q->fn_rows);
        q->fn_rows = NULL;
    }
}

/* exec_pragma.c PR2: the pragma's rows, then the arguments as given. */
static int
pragma_table_open(vm_run *r, plan_query *q, const value *args)
{
    int rc;

    q->fn_rows = malloc(sizeof *q->fn_rows);
    if (q->fn_rows == NULL)
        return CHORUS_NOMEM;
    catalog_result_init(q->fn_rows);
    q->fn_pos = 0;
    rc = vm_pragma_table(r, q->fn_pragma, q->fn_schema, q->n_fn_args > 0 ? &args[0] : NULL,
                         q->n_fn_args > 1 ? &args[1] : NULL, q->fn_rows);
    for (int i = 0; rc == CHORUS_OK && i < 2; i++) {
        value *v = &q->fn_arg_values[i];
        value_clear(v);
        value_set_null(v);
        if (i < q->n_fn_args)
            rc = value_copy(v, &args[i]);
    }
    return rc;
}

static int
table_fn_open(vm_run *r, plan_query *q)
{
    value args[2];
    char *msg = NULL;
    int rc = CHORUS_OK, n = 0;

    table_fn_close(q);
    for (; n < q->n_fn_args && rc == CHORUS_OK; n++)
        rc = vm_eval(r, q->fn_args[n], &args[n]);
    if (rc != CHORUS_OK) {
        n--;    /* args[n] failed: nothing to clear */
    } else if (q->fn_pragma != NULL) {
        rc = pragma_table_open(r, q, args);
    } else {
        rc = json_each_open(&args[0], q->n_fn_args > 1 ? &args[1] : NULL, q->fn_recursive,
                            &q->fn_iter, &msg);
        if (rc != CHORUS_OK)
            rc = vm_run_error(r, rc, "%s", msg != NULL ? msg : chorus_errstr(rc));
        free(msg);
    }
    vm_values_clear(args, n);
    return rc;
}

static int
pragma_table_next(plan_query *q)
{
    const catalog_result *res = q->fn_rows;
    int rc = CHORUS_OK;

    if (q->fn_pos >= res->n_rows)
        return CHORUS_DONE;
    for (int i = 0; i < q->n_cols && rc == CHORUS_OK; i++) {
        const value *v = i < res->n_cols ? &res->cells[q->fn_pos * res->n_cols + i]
                                         : &q->fn_arg_values[i - res->n_cols];
        value_clear(&q->scratch[i]);
        rc = value_copy(&q->scratch[i], v);
    }
    q->fn_pos++;
    return rc == CHORUS_OK ? CHORUS_ROW : rc;
}

static int
table_fn_next(vm_run *r, plan_query *q)
{
    if (q->fn_pragma != NULL)
        return pragma_table_next(q);

    int rc = json_each_next(q->fn_iter);

    if (rc != CHORUS_ROW)
        return rc;
    for (int i = 0; i < q->n_cols; i++) {
        int crc = json_each_column(q->fn_iter, i, &q->scratch[i]);
        if (crc != CHORUS_OK)
            return vm_run_error(r, crc, "%s", chorus_errstr(crc));
    }
    return CHORUS_ROW;
}

int
vm_query_open(vm_run *r, plan_query *q)
{
    int rc = run_arrays(r, q);

    if (rc != CHORUS_OK)
        return rc;
    q->state = Q_START;
    q->done = false;
    q->values_pos = 0;
    q->phase = 0;
    q->sorted_pos = 0;
    q->group_pos = 0;       /* a recursive CTE's queue restarts (Q5) */
    q->row = NULL;
    rc = vm_eval_int(r, q->limit, -1, &q->n_limit);
    if (rc == CHORUS_OK)
        rc = vm_eval_int(r, q->offset, 0, &q->n_skip);
    if (rc != CHORUS_OK)
        return rc;
    if (q->n_limit < 0)
        q->n_limit = -1;
    if (q->n_skip < 0)
        q->n_skip = 0;
    if (q->kind == PQ_COMPOUND) {
        rc = vm_query_open(r, q->left);
        if (rc == CHORUS_OK)
            rc = vm_query_open(r, q->right);
    } else if (q->kind == PQ_RECURSIVE) {
        rc = vm_query_open(r, q->left);
    } else if (q->kind == PQ_TABLE_FN) {
        rc = table_fn_open(r, q);
    }
    return rc;
}

void
vm_query_close(vm_run *r, plan_query *q)
{
    int n = q->n_cols + q->n_extra;

    if (q->scratch != NULL)
        vm_values_clear(q->scratch, n);
    if (q->kind == PQ_CORE) {
        if (q->n_windows > 0)
            vm_window_close(r, q);
        if (q->is_agg)
            vm_agg_close(r, q);
        vm_loop_close(r, q);
    } else if (q->kind == PQ_TABLE_FN) {
        table_fn_close(q);
        vm_values_clear(q->fn_arg_values, 2);
    } else if (q->kind == PQ_COMPOUND || q->kind == PQ_RECURSIVE) {
        vm_query_close(r, q->left);
        vm_query_close(r, q->right);
        vm_rows_free(q->groups);
        q->groups = NULL;
    }
    if (q->kind == PQ_RECURSIVE) {
        plan_cursor *cur = &r->plan->cursors[q->rec_cursor];
        vm_rows_free(cur->rows);    /* the one-row window (rule Q5) */
        cur->rows = NULL;
    }
    vm_rows_free(q->sorted);
    q->sorted = NULL;
    vm_rowset_free(q->seen);
    q->seen = NULL;
    vm_rowset_free(q->other);
    q->other = NULL;
    q->row = NULL;
    q->state = Q_START;
}

static int
eval_outputs(vm_run *r, plan_query *q)
{
    int rc;

    for (int i = 0; i < q->n_cols; i++) {
        if (i < 62 && (q->skip_cols >> i & 1)) {
            value_clear(&q->scratch[i]);    /* nobody reads it (pushdown.c D4) */
            continue;
        }
        rc = vm_eval(r, q->result[i], &q->scratch[i]);
        if (rc != CHORUS_OK)
            return rc;
    }
    for (int i = 0; i < q->n_extra; i++) {
        rc = vm_eval(r, q->extra[i], &q->scratch[q->n_cols + i]);
        if (rc != CHORUS_OK)
            return rc;
    }
    return CHORUS_OK;
}

static int
core_next(vm_run *r, plan_query *q)
{
    int rc = q->n_windows > 0 ? vm_window_next(r, q)
             : q->is_agg      ? vm_agg_next(r, q)
                              : vm_loop_next(r, q);

    if (rc != CHORUS_ROW)
        return rc;
    rc = eval_outputs(r, q);
    return rc == CHORUS_OK ? CHORUS_ROW : rc;
}

static int
values_next(vm_run *r, plan_query *q)
{
    int rc;

    if (q->values_pos >= q->n_rows)
        return CHORUS_DONE;
    for (int i = 0; i < q->n_cols; i++) {
        rc = vm_eval(r, q->rows[q->values_pos][i], &q->scratch[i]);
        if (rc != CHORUS_OK)
            return rc;
    }
    q->values_pos++;
    return CHORUS_ROW;
}

static void
borrow_row(plan_query *q, const value *row)
{
    for (int i = 0; i < q->n_cols; i++) {
        q->scratch[i] = row[i];
        q->scratch[i].flags = VALUE_BORROWED;
    }
}

/* Adds every row of child to the set (INTERSECT / EXCEPT right side). */
static int
drain_into_set(vm_run *r, plan_query *child, vm_rowset *set)
{
    bool added;
    int rc;

    while ((rc = vm_query_next(r, child)) == CHORUS_ROW) {
        rc = vm_rowset_add(set, child->row, &added);
        if (rc != CHORUS_OK)
            return rc;
    }
    return rc == CHORUS_DONE ? CHORUS_OK : rc;
}

/* Keeps one row of each run of equal rows of the sorted q->groups (Q2):
 * the first under merge_dedup, else the last. */
static void
compound_keep_one(plan_query *q)
{
    vm_rows *g = q->groups;
    int64_t n = 0;

    for (int64_t i = 0; i < g->n; i++) {
        int64_t other = q->merge_dedup ? i - 1 : i + 1;
        if (other < 0 || other == g->n ||
            vm_row_compare(g->rows[i], g->rows[other], q->n_cols, q->col_coll) != 0)
            g->rows[n++] = g->rows[i];
    }
    g->n = n;
}

/* Collects the distinct result of a UNION, INTERSECT or EXCEPT, sorted (Q2). */
static int
compound_collect(vm_run *r, plan_query *q)
{
    int rc, *cols = NULL;
    uint8_t *desc = NULL;

    vm_rows_free(q->groups);
    q->groups = NULL;
    rc = vm_rows_new(q->n_cols, &q->groups);
    /* Under merge_dedup a UNION reads its right arm first, so that the
     * stable sort puts the right arm's rows first in each run of equals. */
    for (int side = 0; side < 2 && rc == CHORUS_OK; side++) {
        bool right_first = q->merge_dedup && q->op == AST_COMPOUND_UNION;
        plan_query *child = (side == 0) != right_first ? q->left : q->right;
        if (side == 1 && q->op != AST_COMPOUND_UNION)
            break;
        while (rc == CHORUS_OK && (rc = vm_query_next(r, child)) == CHORUS_ROW)
            rc = vm_rows_append(q->groups, child->row);
        if (rc == CHORUS_DONE)
            rc = CHORUS_OK;
    }
    /* INTERSECT and EXCEPT keep the left rows the right arm has (has not);
     * SQLite's merge (merge_dedup) never runs the right arm after an empty
     * left one. */
    if (rc == CHORUS_OK && q->op != AST_COMPOUND_UNION &&
        (q->groups->n > 0 || !q->merge_dedup)) {
        rc = vm_rowset_new(q->n_cols, q->col_coll, &q->other);
        if (rc == CHORUS_OK)
            rc = drain_into_set(r, q->right, q->other);
        if (rc == CHORUS_OK) {
            int64_t n = 0;
            for (int64_t i = 0; i < q->groups->n; i++)
                if (vm_rowset_contains(q->other, q->groups->rows[i]) ==
                    (q->op == AST_COMPOUND_INTERSECT))
                    q->groups->rows[n++] = q->groups->rows[i];
            q->groups->n = n;
        }
    }
    cols = malloc((size_t)(q->n_cols ? q->n_cols : 1) * sizeof *cols);
    desc = calloc((size_t)(q->n_cols ? q->n_cols : 1), 1);
    if (rc == CHORUS_OK && (cols == NULL || desc == NULL))
        rc = CHORUS_NOMEM;
    if (rc == CHORUS_OK) {
        for (int i = 0; i < q->n_cols; i++)
            cols[i] = i;
        rc = vm_rows_sort(q->groups, q->n_cols, cols, desc, q->col_coll);
    }
    if (rc == CHORUS_OK)
        compound_keep_one(q);
    free(cols);
    free(desc);
    q->group_pos = 0;
    return rc;
}

static int
compound_next(vm_run *r, plan_query *q)
{
    int rc;

    if (q->op == AST_COMPOUND_UNION_ALL) {
        while (q->phase < 2) {
            plan_query *child = q->phase == 0 ? q->left : q->right;
            rc = vm_query_next(r, child);
            if (rc == CHORUS_ROW) {
                borrow_row(q, child->row);
                return CHORUS_ROW;
            }
            if (rc != CHORUS_DONE)
                return rc;
            q->phase++;
        }
        return CHORUS_DONE;
    }
    if (q->phase == 0) {
        rc = compound_collect(r, q);
        if (rc != CHORUS_OK)
            return rc;
        q->phase = 1;
    }
    if (q->group_pos >= q->groups->n)
        return CHORUS_DONE;
    borrow_row(q, q->groups->rows[q->group_pos++]);
    return CHORUS_ROW;
}

/* Q5: whether the CTE takes row: UNION ALL takes every row, UNION only one
 * it has not seen (*added; the row is then remembered in q->seen). */
static int
recursive_first_seen(plan_query *q, const value *row, bool *added)
{
    int rc;

    *added = true;
    if (q->op != AST_COMPOUND_UNION)
        return CHORUS_OK;
    if (q->seen == NULL && (rc = vm_rowset_new(q->n_cols, q->col_coll, &q->seen)) != CHORUS_OK)
        return rc;
    return vm_rowset_add(q->seen, row, added);
}

/* Q5: a recursive CTE queues every new row (UNION: rows not seen before)
 * and delivers it at once; when the seed or the current round runs out,
 * the next queued row becomes the one row of rec_cursor (a window store
 * whose row pointer is swapped, no copy) and the recursive part (its arms
 * one after the other) runs again. It ends when the queue is exhausted.
 * With ORDER BY, rows are delivered when they leave the queue, smallest
 * first, equal ones first in first out (recursive_ordered_next). */
static int
recursive_take(vm_run *r, plan_query *q, const value *row, bool *taken)
{
    bool added;
    int rc;

    *taken = false;
    rc = recursive_first_seen(q, row, &added);
    if (rc != CHORUS_OK || !added)
        return rc;
    rc = vm_rows_append(q->groups, row);
    if (rc != CHORUS_OK)
        return rc;
    borrow_row(q, q->groups->rows[q->groups->n - 1]);
    *taken = true;
    return CHORUS_OK;
}

static int
recursive_window(plan_query *q, plan_cursor *cur, value *row)
{
    int rc;

    if (cur->rows == NULL) {
        rc = vm_rows_new(q->n_cols, &cur->rows);
        if (rc != CHORUS_OK)
            return rc;
        cur->rows->rows = malloc(sizeof(value *));
        if (cur->rows->rows == NULL)
            return CHORUS_NOMEM;
        cur->rows->cap = 1;
    }
    cur->rows->rows[0] = row;
    cur->rows->n = 1;
    return CHORUS_OK;
}

/* Q5 with ORDER BY: queues a row (UNION: unless seen) with its arrival
 * number after its columns, built in q->scratch, free between rows. */
static int
recursive_push(plan_query *q, const value *row)
{
    bool added;
    int rc = recursive_first_seen(q, row, &added);

    if (rc != CHORUS_OK || !added)
        return rc;
    borrow_row(q, row);
    value_set_int(&q->scratch[q->n_cols], q->group_pos++);
    return vm_rows_push(q->groups, q->n_order, q->order_col, q->order_desc, q->order_coll,
                        q->scratch);
}

/* Q5 with ORDER BY: the queue is ordered by it; each call first runs the
 * recursive part for the row the previous call delivered (phase 1; the
 * seed at phase 0), then delivers the first queued row. */
static int
recursive_ordered_next(vm_run *r, plan_query *q)
{
    plan_cursor *cur = &r->plan->cursors[q->rec_cursor];
    value *row;
    int rc;

    if (q->groups == NULL && (rc = vm_rows_new(q->n_cols + 1, &q->groups)) != CHORUS_OK)
        return rc;
    if (q->phase != 2) {
        plan_query *child = q->phase == 0 ? q->left : q->right;
        if (q->phase == 1 && (rc = vm_query_open(r, child)) != CHORUS_OK)
            return rc;
        while ((rc = vm_query_next(r, child)) == CHORUS_ROW)
            if ((rc = recursive_push(q, child->row)) != CHORUS_OK)
                return rc;
        if (rc != CHORUS_DONE)
            return rc;
        vm_query_close(r, child);
        q->phase = 2;
    }
    row = vm_rows_pop(q->groups, q->n_order, q->order_col, q->order_desc, q->order_coll);
    if (row == NULL)
        return CHORUS_DONE;
    rc = recursive_window(q, cur, row);
    if (rc != CHORUS_OK)
        return rc;
    borrow_row(q, row);
    q->phase = 1;
    return CHORUS_ROW;
}

static int
recursive_next(vm_run *r, plan_query *q)
{
    plan_cursor *cur = &r->plan->cursors[q->rec_cursor];
    bool taken;
    int rc;

    if (q->n_order > 0)
        return recursive_ordered_next(r, q);
    if (q->groups == NULL && (rc = vm_rows_new(q->n_cols, &q->groups)) != CHORUS_OK)
        return rc;
    for (;;) {
        plan_query *child = q->phase == 0 ? q->left : q->right;
        if (q->phase < 2) {
            rc = vm_query_next(r, child);
            if (rc == CHORUS_ROW) {
                rc = recursive_take(r, q, child->row, &taken);
                if (rc != CHORUS_OK)
                    return rc;
                if (taken)
                    return CHORUS_ROW;
                continue;
            }
            if (rc != CHORUS_DONE)
                return rc;
            vm_query_close(r, child);
        }
        if (q->group_pos >= q->groups->n)
            return CHORUS_DONE;
        rc = recursive_window(q, cur, q->groups->rows[q->group_pos++]);
        if (rc == CHORUS_OK)
            rc = vm_query_open(r, q->right);
        if (rc != CHORUS_OK)
            return rc;
        q->phase = 1;
    }
}

/* The next row before ORDER BY and LIMIT, DISTINCT applied. */
static int
raw_next(vm_run *r, plan_query *q)
{
    int rc;

    for (;;) {
        bool added;
        vm_values_clear(q->scratch, q->n_cols + q->n_extra);
        switch (q->kind) {
        case PQ_CORE:
            rc = core_next(r, q);
            break;
        case PQ_VALUES:
            rc = values_next(r, q);
            break;
        case PQ_RECURSIVE:
            rc = recursive_next(r, q);
            break;
        case PQ_TABLE_FN:
            rc = table_fn_next(r, q);
            break;
        default:
            rc = compound_next(r, q);
            break;
        }
        if (rc != CHORUS_ROW || !q->distinct)
            return rc;
        if (q->seen == NULL && (rc = vm_rowset_new(q->n_cols, q->col_coll, &q->seen)) != CHORUS_OK)
            return rc;
        rc = vm_rowset_add(q->seen, q->scratch, &added);
        if (rc != CHORUS_OK)
            return rc;
        if (added)
            return CHORUS_ROW;
    }
}

/* Q7: ORDER BY with LIMIT keeps only the LIMIT + OFFSET first rows (a heap,
 * rows.c R4); an arrival number after the row's values is the last key, so
 * equal keys keep arrival order as the stable full sort does. */
static int
sort_top(vm_run *r, plan_query *q, int64_t keep)
{
    int n = q->n_cols + q->n_extra, nk = q->n_order + 1, rc;
    int *col = malloc((size_t)nk * sizeof *col);
    uint8_t *desc = malloc((size_t)nk), *coll = malloc((size_t)nk);
    int64_t seq = 0;

    rc = col == NULL || desc == NULL || coll == NULL ? CHORUS_NOMEM
                                                     : vm_rows_new(n + 1, &q->sorted);
    if (rc == CHORUS_OK) {
        memcpy(col, q->order_col, (size_t)q->n_order * sizeof *col);
        memcpy(desc, q->order_desc, (size_t)q->n_order);
        memcpy(coll, q->order_coll, (size_t)q->n_order);
        col[q->n_order] = n;
        desc[q->n_order] = 0;
        coll[q->n_order] = COLLATE_BINARY;
    }
    while (rc == CHORUS_OK && (rc = raw_next(r, q)) == CHORUS_ROW) {
        value_set_int(&q->scratch[n], seq++);
        rc = vm_rows_offer(q->sorted, keep, nk, col, desc, coll, q->scratch);
    }
    if (rc == CHORUS_DONE)
        rc = vm_rows_sort(q->sorted, nk, col, desc, coll);
    free(col);
    free(desc);
    free(coll);
    q->sorted_pos = 0;
    return rc;
}

static int
sort_all(vm_run *r, plan_query *q)
{
    int rc;

    vm_rows_free(q->sorted);
    q->sorted = NULL;
    if (q->n_limit >= 0 && q->n_limit <= INT64_MAX - q->n_skip)
        return sort_top(r, q, q->n_limit + q->n_skip);
    rc = vm_rows_new(q->n_cols + q->n_extra, &q->sorted);
    while (rc == CHORUS_OK && (rc = raw_next(r, q)) == CHORUS_ROW)
        rc = vm_rows_append(q->sorted, q->scratch);
    if (rc != CHORUS_DONE)
        return rc;
    q->sorted_pos = 0;
    return vm_rows_sort(q->sorted, q->n_order, q->order_col, q->order_desc, q->order_coll);
}

int
vm_query_next(vm_run *r, plan_query *q)
{
    int rc;

    for (;;) {
        if (q->state == Q_DONE || q->n_limit == 0)
            return CHORUS_DONE;
        if (q->n_order > 0 && q->kind != PQ_RECURSIVE) {   /* a recursive CTE's orders its queue */
            if (q->state == Q_START) {
                rc = sort_all(r, q);
                if (rc != CHORUS_OK)
                    return rc;
                q->state = Q_SORTED;
            }
            if (q->sorted_pos >= q->sorted->n) {
                q->state = Q_DONE;
                return CHORUS_DONE;
            }
            q->row = q->sorted->rows[q->sorted_pos++];
        } else {
            rc = raw_next(r, q);
            if (rc == CHORUS_DONE)
                q->state = Q_DONE;
            if (rc != CHORUS_ROW)
                return rc;
            q->row = q->scratch;
        }
        if (q->n_skip > 0) {
            q->n_skip--;
            continue;
        }
        if (q->n_limit > 0)
            q->n_limit--;
        return CHORUS_ROW;
    }
}
