/*
 * core/vm/eval_rowvalue.c: (a, b, ...) [NOT] IN (SELECT x, y, ...), the one
 * row value form the compiler does not turn into scalar comparisons
 * (core/compile/rowvalue.c V4).
 *
 * Rule RV1: the subquery is read once per evaluation; a row matches when
 * every column pair compares equal (each pair with its own affinity and
 * collation, as a scalar comparison would). The result is TRUE when some
 * row matches, else NULL when some row could only fail through a NULL,
 * else FALSE (an empty subquery gives FALSE); NOT IN negates it, NULL
 * staying NULL.
 * Callers: expr_eval.c.
 */
#include <stdlib.h>

#include "vm_int.h"

static uint8_t
pair_collation(const cx *l, const plan_query *sub, int i)
{
    if (l->coll_explicit || l->kind == CX_COLUMN || l->kind == CX_GROUPCOL ||
        l->coll != COLLATE_BINARY)
        return l->coll;
    return sub->col_coll[i];
}

/* 1: the row equals vals, 0: it differs, -1: only NULLs stand in the way. */
static int
row_match(const cx *left, const plan_query *sub, const value *vals, const value *row)
{
    int result = 1;

    for (int i = 0; i < left->n_args; i++) {
        if (vals[i].type == VALUE_NULL || row[i].type == VALUE_NULL) {
            result = -1;
            continue;
        }
        if (value_compare_sql(&vals[i], left->args[i]->aff, &row[i], sub->col_aff[i],
                              (collation)pair_collation(left->args[i], sub, i)) != 0)
            return 0;
    }
    return result;
}

int
vm_eval_in_vector(vm_run *r, cx *e, value *out)
{
    const cx *left = e->left;
    value *vals;
    int rc = CHORUS_OK, best = 0, n = left->n_args;

    value_set_null(out);
    if (left->kind != CX_VECTOR)
        return vm_run_error(r, CHORUS_ERROR, "not supported yet: a subquery row value left of IN");
    vals = calloc((size_t)n, sizeof *vals);
    if (vals == NULL)
        return CHORUS_NOMEM;
    for (int i = 0; i < n && rc == CHORUS_OK; i++)
        rc = vm_eval(r, left->args[i], &vals[i]);
    if (rc == CHORUS_OK)
        rc = vm_query_open(r, e->sub);
    while (rc == CHORUS_OK && best != 1 && (rc = vm_query_next(r, e->sub)) == CHORUS_ROW) {
        int m = row_match(left, e->sub, vals, e->sub->row);
        if (m == 1 || (m == -1 && best == 0))
            best = m;
        rc = CHORUS_OK;
    }
    vm_query_close(r, e->sub);
    vm_values_clear(vals, n);
    free(vals);
    if (rc != CHORUS_OK && rc != CHORUS_DONE)
        return rc;
    if (best != -1)
        value_set_int(out, (best == 1) != e->is_not);
    return CHORUS_OK;
}
