/*
 * core/vm/expr_eval.c: evaluation of compiled expressions (cx) over the
 * current rows of the cursors, the group row, the parameters and the
 * aggregate results.
 *
 * Ownership rule E1: vm_eval writes *out without freeing it first; the
 * result is either borrowed (from a cursor's page, a row store, the plan or
 * a parameter: valid until that source moves or the run ends) or owned;
 * the caller always calls value_clear(out) when done with it.
 * Rule E2: three-valued logic: NULL in a comparison gives NULL (except IS /
 * IS NOT); AND/OR/NOT follow SQL's truth tables and short-circuit.
 * Rule E5: coalesce, ifnull and iif evaluate only the arguments they need.
 * Rule E4: a condition (WHERE, ON, HAVING, CASE WHEN) is tested the way
 * SQLite's jumps test it (vm_eval_condition): an AND whose left side is
 * false or NULL fails without evaluating its right side, so an error
 * there does not surface; in a value, NULL AND x still evaluates x.
 * Rule E6: in a condition, an AND or OR one side of which is a truth
 * constant (a nonzero or zero integer literal, TRUE or FALSE, y NOT IN ()
 * or y IN (), or such an AND or OR) is the side that decides it, as
 * SQLite's sqlite3ExprSimplifiedAndOr makes it: x OR 1 never evaluates x.
 * Rule E7: two numbers compare as they are (no affinity changes a number
 * unless the other side is text): eval_cmp decides two integers inline and
 * other pairs of numbers with value_compare, past the affinity step.
 * Rule E3: an uncorrelated subquery runs once per statement execution; its
 * result is cached in the cx and cleared by vm_eval_reset_caches at the
 * end of the run.
 * Callers: every executor file of core/vm.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "vm_int.h"

static void
borrow(value *out, const value *v)
{
    *out = *v;
    out->flags = VALUE_BORROWED;
}

/* Comparison of two non-NULL operands per SQLite's affinity rules. */
static int
compare_values(const value *a, char aff_a, const value *b, char aff_b, uint8_t coll)
{
    return value_compare_sql(a, aff_a, b, aff_b, (collation)coll);
}

static int
cmp_result(int op, int cmp)
{
    switch (op) {
    case AST_OP_EQ: case AST_OP_IS: return cmp == 0;
    case AST_OP_NE: case AST_OP_IS_NOT: return cmp != 0;
    case AST_OP_LT: return cmp < 0;
    case AST_OP_LE: return cmp <= 0;
    case AST_OP_GT: return cmp > 0;
    default: return cmp >= 0;
    }
}

static int
eval_cmp(vm_run *r, cx *e, value *out)
{
    value a, b;
    int rc;

    if (e->left->kind == CX_VECTOR || e->right->kind == CX_VECTOR)
        return vm_run_error(r, CHORUS_ERROR, "row value misused");
    rc = vm_eval(r, e->left, &a);
    if (rc != CHORUS_OK)
        return rc;
    rc = vm_eval(r, e->right, &b);
    if (rc != CHORUS_OK) {
        value_clear(&a);
        return rc;
    }
    if (a.type == VALUE_INTEGER && b.type == VALUE_INTEGER) {     /* E7: own no memory */
        value_set_int(out, cmp_result(e->op, (a.u.i > b.u.i) - (a.u.i < b.u.i)));
        return CHORUS_OK;
    }
    if ((a.type == VALUE_INTEGER || a.type == VALUE_REAL) &&
        (b.type == VALUE_INTEGER || b.type == VALUE_REAL)) {         /* E7 */
        value_set_int(out, cmp_result(e->op, value_compare(&a, &b, COLLATE_BINARY)));
        return CHORUS_OK;
    }
    if (a.type == VALUE_NULL || b.type == VALUE_NULL) {
        if (e->op == AST_OP_IS)
            value_set_int(out, a.type == b.type);
        else if (e->op == AST_OP_IS_NOT)
            value_set_int(out, a.type != b.type);
        else
            value_set_null(out);
    } else {
        int cmp = compare_values(&a, e->left->aff, &b, e->right->aff, e->coll);
        value_set_int(out, cmp_result(e->op, cmp));
    }
    value_clear(&a);
    value_clear(&b);
    return CHORUS_OK;
}

int
vm_eval_truth(vm_run *r, cx *e, int *truth_out)
{
    value v;
    int rc = vm_eval(r, e, &v);

    if (rc != CHORUS_OK)
        return rc;
    *truth_out = value_truth(&v);
    value_clear(&v);
    return CHORUS_OK;
}

/* E6: 1 or 0 when e is always true or always false as SQLite's parser and
 * sqlite3ExprSimplifiedAndOr see it, else -1. */
static int
truth_constant(const cx *e)
{
    if (e->kind == CX_AND || e->kind == CX_OR) {
        int l = truth_constant(e->left), rt = truth_constant(e->right);
        if (l == 1 || rt == 0)
            return e->kind == CX_AND ? rt : l;
        if (rt == 1 || l == 0)
            return e->kind == CX_AND ? l : rt;
        return -1;
    }
    if (e->kind != CX_CONST || e->ast == NULL || e->coll_explicit ||
        e->v.type != VALUE_INTEGER)
        return -1;                      /* 1 COLLATE NOCASE is no literal */
    switch (e->ast->kind) {
    case EXPR_INTEGER: case EXPR_COLUMN: case EXPR_IN_LIST:    /* 5, TRUE, y NOT IN () */
        return e->v.u.i != 0;
    default:
        return -1;
    }
}

int
vm_eval_condition(vm_run *r, cx *e, bool *pass)
{
    int t = 0, rc;

    if (e->kind == CX_AND || e->kind == CX_OR) {
        int l = truth_constant(e->left), rt = truth_constant(e->right);
        if (l == 1 || rt == 0)          /* E6 */
            return vm_eval_condition(r, e->kind == CX_AND ? e->right : e->left, pass);
        if (rt == 1 || l == 0)
            return vm_eval_condition(r, e->kind == CX_AND ? e->left : e->right, pass);
        rc = vm_eval_condition(r, e->left, pass);
        if (rc != CHORUS_OK || *pass == (e->kind == CX_OR))
            return rc;
        return vm_eval_condition(r, e->right, pass);
    }
    rc = vm_eval_truth(r, e, &t);
    *pass = t == 1;
    return rc;
}

static int
eval_logic(vm_run *r, cx *e, value *out)
{
    bool is_and = e->kind == CX_AND;
    int a, b, rc;

    rc = vm_eval_truth(r, e->left, &a);
    if (rc != CHORUS_OK)
        return rc;
    if (is_and && a == 0) {
        value_set_int(out, 0);
        return CHORUS_OK;
    }
    if (!is_and && a == 1) {
        value_set_int(out, 1);
        return CHORUS_OK;
    }
    rc = vm_eval_truth(r, e->right, &b);
    if (rc != CHORUS_OK)
        return rc;
    if (is_and) {
        if (b == 0)
            value_set_int(out, 0);
        else if (a == 1 && b == 1)
            value_set_int(out, 1);
        else
            value_set_null(out);
    } else {
        if (b == 1)
            value_set_int(out, 1);
        else if (a == 0 && b == 0)
            value_set_int(out, 0);
        else
            value_set_null(out);
    }
    return CHORUS_OK;
}

static int
eval_unary(vm_run *r, cx *e, value *out)
{
    value a;
    int rc = vm_eval(r, e->left, &a);

    if (rc != CHORUS_OK)
        return rc;
    switch (e->op) {
    case AST_OP_NEG:
        rc = value_negate(&a, out);
        break;
    case AST_OP_BITNOT:
        rc = value_bitnot(&a, out);
        break;
    case AST_OP_NOT: {
        int t = value_truth(&a);
        if (t < 0)
            value_set_null(out);
        else
            value_set_int(out, !t);
        break;
    }
    default:            /* unary plus: the value itself */
        *out = a;
        return CHORUS_OK;
    }
    value_clear(&a);
    return rc;
}

static int
eval_arith(vm_run *r, cx *e, value *out)
{
    value a, b;
    int rc;

    rc = vm_eval(r, e->left, &a);
    if (rc != CHORUS_OK)
        return rc;
    rc = vm_eval(r, e->right, &b);
    if (rc == CHORUS_OK) {
        rc = value_arith(e->op, &a, &b, out);
        value_clear(&b);
    }
    value_clear(&a);
    if (rc == CHORUS_NOMEM)
        return vm_run_error(r, rc, "out of memory");
    return rc;
}

static int
eval_cast(vm_run *r, cx *e, value *out)
{
    int rc = vm_eval(r, e->left, out);

    if (rc != CHORUS_OK)
        return rc;
    rc = value_cast_affinity(out, e->aff);
    if (rc != CHORUS_OK)
        value_clear(out);
    return rc;
}

/* E5: coalesce and ifnull (the first argument not NULL) and iif (a CASE)
 * evaluate only the arguments they need, as SQLite's inline code does, so
 * an error in an argument never reached does not surface. *done false:
 * e is another function. */
static int
eval_inline(vm_run *r, cx *e, value *out, bool *done)
{
    const char *name = e->fn->name;
    bool pass;
    int rc;

    *done = (e->fn->flags & FUNC_LAZY_ARGS) != 0;
    if (!*done)
        return CHORUS_OK;
    if (strcmp(name, "iif") == 0) {
        rc = vm_eval_condition(r, e->args[0], &pass);
        return rc != CHORUS_OK ? rc : vm_eval(r, e->args[pass ? 1 : 2], out);
    }
    for (int i = 0; i < e->n_args; i++) {
        rc = vm_eval(r, e->args[i], out);
        if (rc != CHORUS_OK || out->type != VALUE_NULL || i + 1 == e->n_args)
            return rc;
        value_clear(out);
    }
    value_set_null(out);
    return CHORUS_OK;
}

static int
eval_func(vm_run *r, cx *e, value *out)
{
    func_ctx ctx;
    int rc = CHORUS_OK, i;
    bool done;

    rc = eval_inline(r, e, out, &done);
    if (done)
        return rc;

    for (i = 0; i < e->n_args; i++) {
        rc = vm_eval(r, e->args[i], &e->argv[i]);
        if (rc != CHORUS_OK)
            break;
    }
    if (rc == CHORUS_OK) {
        memset(&ctx, 0, sizeof ctx);
        value_set_null(&ctx.result);
        ctx.env = &r->env;
        ctx.def = e->fn;
        ctx.coll = (collation)e->index;         /* compile expr.c X10 */
        e->fn->scalar(&ctx, e->n_args, e->argv);
        if (ctx.rc != CHORUS_OK) {
            value_clear(&ctx.result);
            rc = vm_run_error(r, ctx.rc, "%s", ctx.errmsg ? ctx.errmsg : "function failed");
            free(ctx.errmsg);
        } else {
            free(ctx.errmsg);
            *out = ctx.result;
        }
    }
    vm_values_clear(e->argv, i);
    return rc;
}

/* CASE: the first WHEN that matches gives its THEN; else ELSE or NULL. */
static int
eval_case(vm_run *r, cx *e, value *out)
{
    value base;
    int rc;

    value_set_null(&base);
    if (e->left != NULL && (rc = vm_eval(r, e->left, &base)) != CHORUS_OK)
        return rc;
    for (int i = 0; i + 1 < e->n_args; i += 2) {
        bool hit;
        if (e->left != NULL) {
            value w;
            rc = vm_eval(r, e->args[i], &w);
            if (rc != CHORUS_OK)
                break;
            hit = base.type != VALUE_NULL && w.type != VALUE_NULL &&
                  compare_values(&base, e->left->aff, &w, e->args[i]->aff,
                                 cx_compare_collation(e->left, e->args[i])) == 0;
            value_clear(&w);
        } else {
            rc = vm_eval_condition(r, e->args[i], &hit);     /* E4 */
            if (rc != CHORUS_OK)
                break;
        }
        if (hit) {
            value_clear(&base);
            return vm_eval(r, e->args[i + 1], out);
        }
    }
    value_clear(&base);
    if (rc != CHORUS_OK)
        return rc;
    if (e->right != NULL)
        return vm_eval(r, e->right, out);
    value_set_null(out);
    return CHORUS_OK;
}

/* One side of BETWEEN: 1, 0 or -1 for NULL. */
static int
between_side(const value *x, char xaff, const value *b, const cx *bx, uint8_t coll, bool lower)
{
    int cmp;

    if (b->type == VALUE_NULL)
        return -1;
    cmp = compare_values(x, xaff, b, bx->aff, coll);
    return lower ? cmp >= 0 : cmp <= 0;
}

static int
eval_between(vm_run *r, cx *e, value *out)
{
    value x, lo, hi;
    int rc, a, b, t;

    rc = vm_eval(r, e->left, &x);
    if (rc != CHORUS_OK)
        return rc;
    rc = vm_eval(r, e->args[0], &lo);
    if (rc != CHORUS_OK)
        goto out_x;
    rc = vm_eval(r, e->args[1], &hi);
    if (rc != CHORUS_OK)
        goto out_lo;
    if (x.type == VALUE_NULL) {
        value_set_null(out);
    } else {
        uint8_t c1 = (uint8_t)(e->index & 0xff), c2 = (uint8_t)(e->index >> 8);
        a = between_side(&x, e->left->aff, &lo, e->args[0], c1, true);
        b = between_side(&x, e->left->aff, &hi, e->args[1], c2, false);
        t = (a == 0 || b == 0) ? 0 : (a == 1 && b == 1) ? 1 : -1;
        if (t >= 0 && e->is_not)
            t = !t;
        if (t < 0)
            value_set_null(out);
        else
            value_set_int(out, t);
    }
    value_clear(&hi);
out_lo:
    value_clear(&lo);
out_x:
    value_clear(&x);
    return rc;
}

static void
set_in_result(value *out, bool found, bool has_null, bool is_not)
{
    if (found)
        value_set_int(out, !is_not);
    else if (has_null)
        value_set_null(out);
    else
        value_set_int(out, is_not);
}

/* x IN (list): SQLite compares with the affinity of x alone; the list
 * elements keep their own values (no column affinity of theirs applies). */
static int
eval_in_list(vm_run *r, cx *e, value *out)
{
    value x;
    bool found = false, has_null = false;
    int rc;

    if (e->n_args == 0) {
        value_set_int(out, e->is_not);
        return CHORUS_OK;
    }
    rc = vm_eval(r, e->left, &x);
    if (rc != CHORUS_OK)
        return rc;
    /* As SQLite's comparisons in turn: the elements up to the first equal
     * one are evaluated, all of them when x is NULL (an error surfaces). */
    for (int i = 0; i < e->n_args && !found; i++) {
        value v;
        rc = vm_eval(r, e->args[i], &v);
        if (rc != CHORUS_OK)
            break;
        if (v.type == VALUE_NULL || x.type == VALUE_NULL)
            has_null = true;
        else
            found = compare_values(&x, e->left->aff, &v, AFFINITY_NONE, e->coll) == 0;
        value_clear(&v);
    }
    value_clear(&x);
    if (rc == CHORUS_OK)
        set_in_result(out, found, has_null, e->is_not);
    return rc;
}

/* Registers e for vm_eval_release (E3). */
static int
hold(vm_run *r, cx *e)
{
    if (e->in_run_list)
        return CHORUS_OK;
    if (r->n_held == r->cap_held) {
        int cap = r->cap_held ? r->cap_held * 2 : 8;
        cx **p = realloc(r->held, (size_t)cap * sizeof *p);
        if (p == NULL)
            return CHORUS_NOMEM;
        r->held = p;
        r->cap_held = cap;
    }
    r->held[r->n_held++] = e;
    e->in_run_list = true;
    return CHORUS_OK;
}

void
vm_eval_release(vm_run *r)
{
    for (int i = 0; i < r->n_held; i++) {
        cx *e = r->held[i];
        e->cached = false;
        e->in_run_list = false;
        value_clear(&e->cache);
        vm_rowset_free(e->set);
        e->set = NULL;
    }
    r->n_held = 0;
}

/* Runs e->sub and adds every first-column value (with cmp_aff applied) to
 * e->set (E3). */
static int
build_in_set(vm_run *r, cx *e)
{
    uint8_t coll = e->coll;
    int rc = hold(r, e);

    if (rc != CHORUS_OK)
        return rc;
    if (e->set == NULL) {
        rc = vm_rowset_new(1, &coll, &e->set);
        if (rc != CHORUS_OK)
            return rc;
    } else {
        vm_rowset_clear(e->set);
    }
    e->set_has_null = false;
    rc = vm_query_open(r, e->sub);
    while (rc == CHORUS_OK && (rc = vm_query_next(r, e->sub)) == CHORUS_ROW) {
        value v = e->sub->row[0];
        bool added;
        if (v.type == VALUE_NULL) {
            e->set_has_null = true;
            rc = CHORUS_OK;
            continue;
        }
        v.flags = VALUE_BORROWED;
        rc = value_apply_affinity(&v, e->cmp_aff);
        if (rc == CHORUS_OK)
            rc = vm_rowset_add(e->set, &v, &added);
        value_clear(&v);
    }
    vm_query_close(r, e->sub);
    if (rc == CHORUS_DONE)
        rc = CHORUS_OK;
    e->cached = rc == CHORUS_OK && !e->is_correlated;
    return rc;
}

static int
eval_in_select(vm_run *r, cx *e, value *out)
{
    value x;
    bool found;
    int rc;

    if (e->left->kind == CX_VECTOR ||
        (e->left->kind == CX_SUBQUERY && e->left->sub->n_cols > 1 && e->left->index == 0))
        return vm_eval_in_vector(r, e, out);           /* eval_rowvalue.c */
    if (!e->cached) {
        rc = build_in_set(r, e);
        if (rc != CHORUS_OK)
            return rc;
    }
    rc = vm_eval(r, e->left, &x);
    if (rc != CHORUS_OK)
        return rc;
    if (x.type == VALUE_NULL) {
        bool empty = !e->set_has_null && !vm_rowset_contains(e->set, NULL);
        value_clear(&x);
        if (empty)
            value_set_int(out, e->is_not);
        else
            value_set_null(out);
        return CHORUS_OK;
    }
    rc = value_apply_affinity(&x, e->cmp_aff);
    if (rc != CHORUS_OK) {
        value_clear(&x);
        return rc;
    }
    found = vm_rowset_contains(e->set, &x);
    value_clear(&x);
    set_in_result(out, found, e->set_has_null, e->is_not);
    return CHORUS_OK;
}

static int
eval_like(vm_run *r, cx *e, value *out)
{
    value s, p, st, pt, esc;
    int escape = -1, rc;
    bool m;

    rc = vm_eval(r, e->left, &s);
    if (rc != CHORUS_OK)
        return rc;
    rc = vm_eval(r, e->right, &p);
    if (rc != CHORUS_OK) {
        value_clear(&s);
        return rc;
    }
    value_set_null(&esc);
    if (e->extra != NULL && (rc = vm_eval(r, e->extra, &esc)) != CHORUS_OK)
        goto done;
    /* As SQLite's like(): a NULL ESCAPE gives NULL, then a bad one fails,
     * whether or not the operands are NULL. */
    if (e->extra != NULL && esc.type == VALUE_NULL) {
        value_set_null(out);
        goto done;
    }
    if (e->extra != NULL) {
        value et;
        rc = value_to_text(&esc, &et);
        if (rc != CHORUS_OK)
            goto done;
        if (et.n != 1 && !(et.n > 1 && ((unsigned char)et.u.z[0] & 0xc0) == 0xc0)) {
            value_clear(&et);
            rc = vm_run_error(r, CHORUS_ERROR, "ESCAPE expression must be a single character");
            goto done;
        }
        escape = (unsigned char)et.u.z[0];
        value_clear(&et);
    }
    if (s.type == VALUE_NULL || p.type == VALUE_NULL) {
        value_set_null(out);
        goto done;
    }
    rc = value_to_text(&s, &st);
    if (rc != CHORUS_OK)
        goto done;
    rc = value_to_text(&p, &pt);
    if (rc != CHORUS_OK) {
        value_clear(&st);
        goto done;
    }
    if (e->op == AST_OP_GLOB)
        m = value_glob(pt.u.z, pt.n, st.u.z, st.n);
    else
        m = value_like(pt.u.z, pt.n, st.u.z, st.n, escape, r->conn->case_sensitive_like);
    value_set_int(out, e->is_not ? !m : m);
    value_clear(&st);
    value_clear(&pt);
done:
    value_clear(&s);
    value_clear(&p);
    value_clear(&esc);
    return rc;
}

/* EXISTS and scalar subqueries (E3). */
static int
eval_subquery(vm_run *r, cx *e, value *out)
{
    int rc;

    if (e->cached) {
        if (e->kind == CX_EXISTS)
            value_set_int(out, e->cache_truth ^ e->is_not);
        else
            borrow(out, &e->cache);
        return CHORUS_OK;
    }
    rc = hold(r, e);
    if (rc == CHORUS_OK)
        rc = vm_query_open(r, e->sub);
    if (rc == CHORUS_OK)
        rc = vm_query_next(r, e->sub);
    if (rc == CHORUS_ROW || rc == CHORUS_DONE) {
        bool has_row = rc == CHORUS_ROW;
        value_clear(&e->cache);
        rc = CHORUS_OK;
        if (e->kind == CX_EXISTS)
            e->cache_truth = has_row;
        else if (has_row)
            rc = value_copy(&e->cache, &e->sub->row[e->column]);
    }
    vm_query_close(r, e->sub);
    if (rc != CHORUS_OK)
        return rc;
    e->cached = !e->is_correlated;
    if (e->kind == CX_EXISTS)
        value_set_int(out, e->cache_truth ^ e->is_not);
    else
        borrow(out, &e->cache);
    return CHORUS_OK;
}

int
vm_eval(vm_run *r, cx *e, value *out)
{
    switch (e->kind) {
    case CX_CONST:
        borrow(out, &e->v);
        return CHORUS_OK;
    case CX_RAISE:
        value_set_null(out);
        return vm_raise(r, e);
    case CX_PARAM:
        borrow(out, &r->params[e->index]);
        return CHORUS_OK;
    case CX_COLUMN:
        return vm_cursor_column(r, &r->plan->cursors[e->cursor], e->column, out);
    case CX_AGG:
        borrow(out, &e->sub->aggs[e->index].result);
        return CHORUS_OK;
    case CX_GROUPCOL:
        if (e->sub->group_row == NULL)
            value_set_null(out);
        else
            borrow(out, &e->sub->group_row[e->index]);
        return CHORUS_OK;
    case CX_UNARY:
        return eval_unary(r, e, out);
    case CX_ARITH:
        return eval_arith(r, e, out);
    case CX_CMP:
        return eval_cmp(r, e, out);
    case CX_AND:
    case CX_OR:
        return eval_logic(r, e, out);
    case CX_CAST:
        return eval_cast(r, e, out);
    case CX_FUNC:
        return eval_func(r, e, out);
    case CX_CASE:
        return eval_case(r, e, out);
    case CX_BETWEEN:
        return eval_between(r, e, out);
    case CX_IN_LIST:
        return eval_in_list(r, e, out);
    case CX_IN_SELECT:
        return eval_in_select(r, e, out);
    case CX_LIKE:
        return eval_like(r, e, out);
    case CX_ISNULL: {
        value v;
        int rc = vm_eval(r, e->left, &v);
        if (rc != CHORUS_OK)
            return rc;
        value_set_int(out, (v.type == VALUE_NULL) != e->is_not);
        value_clear(&v);
        return CHORUS_OK;
    }
    case CX_EXISTS:
    case CX_SUBQUERY:
        return eval_subquery(r, e, out);
    case CX_WINCOL:
    case CX_WINDOW: {
        plan_query *q = e->sub;
        if (q->win_row == NULL)
            value_set_null(out);
        else
            borrow(out, &q->win_row[e->kind == CX_WINCOL ? e->index : q->n_wcols + e->index]);
        return CHORUS_OK;
    }
    default:
        value_set_null(out);
        return vm_run_error(r, CHORUS_ERROR, "row value misused");
    }
}

int
vm_eval_int(vm_run *r, cx *e, int64_t dflt, int64_t *out)
{
    value v;
    int rc;

    *out = dflt;
    if (e == NULL)
        return CHORUS_OK;
    rc = vm_eval(r, e, &v);
    if (rc != CHORUS_OK)
        return rc;
    rc = value_apply_affinity(&v, AFFINITY_NUMERIC);   /* 'x' stays text: SQLite's MustBeInt */
    if (rc == CHORUS_OK && v.type != VALUE_INTEGER)
        rc = vm_run_error(r, CHORUS_MISMATCH, "datatype mismatch");
    if (rc == CHORUS_OK)
        *out = v.u.i;
    value_clear(&v);
    return rc;
}

void
vm_values_clear(value *vals, int n)
{
    for (int i = 0; i < n; i++)
        value_clear(&vals[i]);
}
