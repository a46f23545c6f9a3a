/*
 * core/compile/rowvalue.c: row values (vectors) in comparisons, IN lists
 * and BETWEEN, compiled into scalar comparisons joined by AND and OR.
 *
 * Invariants
 *   V1  (a1..an) = (b1..bn) is a1 = b1 AND ... AND an = bn, and <> is the OR
 *       of the <>s; IS and IS NOT alike. SQL's three-valued AND/OR give
 *       SQLite's NULL rules: a definite difference decides, else NULL.
 *   V2  (a1..an) < (b1..bn) is a1 < b1 OR (a1 = b1 AND (a2..an) < (b2..bn)),
 *       the last pair compared with the operator itself (<= keeps <=);
 *       > and >= alike. The first pair that is not equal decides; a NULL
 *       before it makes the result NULL, as in SQLite.
 *   V3  Each pair gets its own comparison affinity and collation (the
 *       scalar rules of expr.c). An element of a multi-column subquery is
 *       a CX_SUBQUERY node reading that column (each runs the subquery;
 *       uncorrelated ones once per statement, expr_eval.c E3).
 *   V4  x IN ((..),(..)) is the OR of the equalities (NOT IN its NOT);
 *       x BETWEEN lo AND hi is x >= lo AND x <= hi. (a, b) IN (SELECT ...)
 *       stays a CX_IN_SELECT with a vector left side (expr_eval.c).
 * Callers: expr.c.
 */
#include <string.h>

#include "compile_int.h"

static bool
vec(const cx *e)
{
    return e->kind == CX_VECTOR ||
           (e->kind == CX_SUBQUERY && e->sub != NULL && e->sub->n_cols > 1 && e->index == 0);
}

int
cc_vector_size(const cx *e)
{
    if (e->kind == CX_VECTOR)
        return e->n_args;
    if (e->kind == CX_SUBQUERY && e->sub != NULL && e->index == 0)
        return e->sub->n_cols;
    return 1;
}

int
cc_vector_element(cctx *c, cx *e, int i, cx **out)
{
    cx *x;

    if (e->kind == CX_VECTOR) {
        *out = e->args[i];
        return CHORUS_OK;
    }
    if (e->kind != CX_SUBQUERY) {
        *out = e;
        return CHORUS_OK;
    }
    x = cc_alloc(c, sizeof *x);
    if (x == NULL)
        return CHORUS_NOMEM;
    *x = *e;
    x->column = i;
    x->index = 1;
    x->aff = e->sub->col_aff[i];
    x->coll = e->sub->col_coll[i];
    x->coll_explicit = false;
    *out = x;
    return CHORUS_OK;
}

static cx *
logic(cctx *c, int kind, cx *a, cx *b)
{
    cx *e;

    if (a == NULL)
        return b;
    e = cx_new(c, kind, NULL);
    if (e == NULL)
        return NULL;
    e->left = a;
    e->right = b;
    return e;
}

int
cc_row_compare(cctx *c, const ast_expr *ast, int op, cx *l, cx *r, cx **out)
{
    int n = cc_vector_size(l), rc;
    cx *acc = NULL;

    *out = NULL;
    if (!vec(l) && !vec(r)) {
        cx *x = cx_new(c, CX_CMP, ast);
        if (x == NULL)
            return CHORUS_NOMEM;
        x->op = (uint8_t)op;
        x->left = l;
        x->right = r;
        x->coll = cx_compare_collation(l, r);
        *out = x;
        return CHORUS_OK;
    }
    if (n != cc_vector_size(r))
        return cc_error(c, "row value misused");
    for (int i = n - 1; i >= 0; i--) {
        cx *li, *ri, *pair, *eq;
        bool ordered = op == AST_OP_LT || op == AST_OP_LE || op == AST_OP_GT || op == AST_OP_GE;
        int strict = (op == AST_OP_LT || op == AST_OP_LE) ? AST_OP_LT : AST_OP_GT;
        rc = cc_vector_element(c, l, i, &li);
        if (rc == CHORUS_OK)
            rc = cc_vector_element(c, r, i, &ri);
        if (rc == CHORUS_OK)
            rc = cc_row_compare(c, ast, ordered && i < n - 1 ? strict : op, li, ri, &pair);
        if (rc != CHORUS_OK)
            return rc;
        if (!ordered) {                                     /* V1 */
            int kind = (op == AST_OP_EQ || op == AST_OP_IS) ? CX_AND : CX_OR;
            acc = logic(c, kind, acc, pair);
        } else if (acc == NULL) {                           /* V2 */
            acc = pair;
        } else {
            rc = cc_row_compare(c, ast, AST_OP_EQ, li, ri, &eq);
            if (rc != CHORUS_OK)
                return rc;
            acc = logic(c, CX_OR, pair, logic(c, CX_AND, eq, acc));
        }
        if (acc == NULL)
            return CHORUS_NOMEM;
    }
    *out = acc;
    return CHORUS_OK;
}

int
cc_row_in_list(cctx *c, const ast_expr *ast, cx *left, cx **items, int n, bool is_not,
               cx **out)
{
    cx *acc = NULL, *eq;
    int rc;

    *out = NULL;
    for (int i = 0; i < n; i++) {
        if (cc_vector_size(items[i]) != cc_vector_size(left))
            return cc_error(c, "row value misused");
        rc = cc_row_compare(c, ast, AST_OP_EQ, left, items[i], &eq);
        if (rc != CHORUS_OK)
            return rc;
        acc = logic(c, CX_OR, acc, eq);
        if (acc == NULL)
            return CHORUS_NOMEM;
    }
    if (acc == NULL) {
        *out = cx_const_int(c, is_not ? 1 : 0);   /* x IN () is false */
        return *out == NULL ? CHORUS_NOMEM : CHORUS_OK;
    }
    if (is_not) {
        cx *x = cx_new(c, CX_UNARY, ast);
        if (x == NULL)
            return CHORUS_NOMEM;
        x->op = AST_OP_NOT;
        x->left = acc;
        acc = x;
    }
    *out = acc;
    return CHORUS_OK;
}

int
cc_row_between(cctx *c, const ast_expr *ast, cx *x, cx *lo, cx *hi, bool is_not, cx **out)
{
    cx *a, *b, *both;
    int rc;

    *out = NULL;
    rc = cc_row_compare(c, ast, AST_OP_GE, x, lo, &a);
    if (rc == CHORUS_OK)
        rc = cc_row_compare(c, ast, AST_OP_LE, x, hi, &b);
    if (rc != CHORUS_OK)
        return rc;
    both = logic(c, CX_AND, a, b);
    if (both != NULL && is_not) {
        cx *n = cx_new(c, CX_UNARY, ast);
        if (n == NULL)
            return CHORUS_NOMEM;
        n->op = AST_OP_NOT;
        n->left = both;
        both = n;
    }
    *out = both;
    return both == NULL ? CHORUS_NOMEM : CHORUS_OK;
}
