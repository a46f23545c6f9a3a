/*
 * core/compile/window.c: compiles window function calls (f(...) OVER ...)
 * and rewrites a core that has them so that its output reads window rows.
 *
 * A core with window functions runs in two stages (core/vm/exec_window.c):
 * every row of its loops (or every group of an aggregate core) is evaluated
 * into a window row of q->n_wcols values: each window definition's
 * PARTITION BY and ORDER BY keys, each call's arguments and FILTER, and the
 * parts of the result and ORDER BY expressions that read the row; then the
 * window functions fill one result slot per call, and the result
 * expressions are evaluated over the stored window rows.
 *
 * Invariants
 *   W1  After cc_window_finish, no result or ORDER BY expression of the core
 *       reads a cursor, group row or aggregate of the core directly: every
 *       maximal subtree without a window call that is not a constant became
 *       a CX_WINCOL (keeping its affinity and collation), every call a
 *       CX_WINDOW.
 *   W2  Calls whose window definitions are equal (same PARTITION BY,
 *       ORDER BY and frame, compared by their source text) share one
 *       plan_windef. Definitions are numbered in order of first use; the
 *       executor sorts for the last one first, so that rows come out in the
 *       order of the first one, ties in the order of the later ones, as
 *       SQLite's nested window subqueries deliver them.
 *   W3  Window functions are allowed only in a core's result list and ORDER
 *       BY (scope.win_ok), never inside an aggregate's or another window
 *       function's arguments; elsewhere they are "misuse of window function".
 * Callers: expr.c (calls), select.c (scope setup, cc_window_finish).
 */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "compile_int.h"

typedef struct builtin_def {
    const char *name;
    uint8_t id;             /* plan_win_builtin */
    int min_args, max_args;
} builtin_def;

static const builtin_def builtins[] = {
    {"row_number", WIN_ROW_NUMBER, 0, 0},
    {"rank", WIN_RANK, 0, 0},
    {"dense_rank", WIN_DENSE_RANK, 0, 0},
    {"percent_rank", WIN_PERCENT_RANK, 0, 0},
    {"cume_dist", WIN_CUME_DIST, 0, 0},
    {"ntile", WIN_NTILE, 1, 1},
    {"lag", WIN_LAG, 1, 3},
    {"lead", WIN_LEAD, 1, 3},
    {"first_value", WIN_FIRST_VALUE, 1, 1},
    {"last_value", WIN_LAST_VALUE, 1, 1},
    {"nth_value", WIN_NTH_VALUE, 2, 2},
};

static const builtin_def *
builtin_find(const char *name)
{
    for (size_t i = 0; i < CHORUS_ARRAY_LEN(builtins); i++)
        if (strcasecmp(builtins[i].name, name) == 0)
            return &builtins[i];
    return NULL;
}

bool
cc_window_is_builtin(const char *name)
{
    return builtin_find(name) != NULL;
}

bool
compile_window_function_at(int i, const char **name_out, int *n_args_out)
{
    for (size_t k = 0; k < CHORUS_ARRAY_LEN(builtins); k++) {
        int n = builtins[k].max_args - builtins[k].min_args + 1;
        if (i < n) {
            *name_out = builtins[k].name;
            *n_args_out = builtins[k].min_args + i;
            return true;
        }
        i -= n;
    }
    return false;
}

/* ------------------------------------------------- window definitions */

/* A window specification with its base window resolved. */
typedef struct win_spec {
    const ast_list *part;
    const ast_list *order;
    uint8_t unit, start_bound, end_bound, exclude;
    const ast_expr *start_expr, *end_expr;
} win_spec;

static const ast_window *
window_named(const scope *s, const char *name)
{
    for (const ast_window *w = s->windows; w != NULL; w = w->next)
        if (w->name != NULL && strcasecmp(w->name, name) == 0)
            return w;
    return NULL;
}

static void
spec_from(const ast_window *w, win_spec *out)
{
    out->part = &w->partition_by;
    out->order = &w->order_by;
    out->unit = w->unit;
    out->start_bound = w->start_bound;
    out->end_bound = w->end_bound;
    out->exclude = w->exclude;
    out->start_expr = w->start_expr;
    out->end_expr = w->end_expr;
}

/* Resolves OVER name and OVER (base ...) against the core's WINDOW list. */
static int
spec_resolve(cctx *c, const scope *s, const ast_window *w, int depth, win_spec *out)
{
    const ast_window *base;
    int rc;

    if (depth > 32)
        return cc_error(c, "too many levels of nesting");
    if (w->base == NULL && w->partition_by.n == 0 && w->order_by.n == 0 &&
        w->unit == AST_FRAME_NONE && w->name != NULL && depth == 0) {
        base = window_named(s, w->name);
        if (base == NULL)
            return cc_error(c, "no such window: %s", w->name);
        return spec_resolve(c, s, base, depth + 1, out);
    }
    spec_from(w, out);
    if (w->base == NULL)
        return CHORUS_OK;
    base = window_named(s, w->base);
    if (base == NULL)
        return cc_error(c, "no such window: %s", w->base);
    if (w->partition_by.n > 0)
        return cc_error(c, "cannot override PARTITION clause of window: %s", w->base);
    if (base->unit != AST_FRAME_NONE)
        return cc_error(c, "cannot override frame specification of window: %s", w->base);
    {
        win_spec b;
        rc = spec_resolve(c, s, base, depth + 1, &b);
        if (rc != CHORUS_OK)
            return rc;
        if (b.order->n > 0 && w->order_by.n > 0)
            return cc_error(c, "cannot override ORDER BY clause of window: %s", w->base);
        out->part = b.part;
        if (w->order_by.n == 0)
            out->order = b.order;
    }
    return CHORUS_OK;
}

static bool
bound_has_offset(uint8_t b)
{
    return b == AST_BOUND_PRECEDING || b == AST_BOUND_FOLLOWING;
}

/* Frame checks SQLite makes while preparing, then the default frame. */
static int
spec_check(cctx *c, win_spec *w)
{
    static const uint8_t rank[] = {0, 0, 1, 2, 3, 4};

    if (w->unit == AST_FRAME_NONE) {
        w->unit = AST_FRAME_RANGE;
        w->start_bound = AST_BOUND_UNBOUNDED_PRECEDING;
        w->end_bound = AST_BOUND_CURRENT_ROW;
        w->exclude = AST_EXCLUDE_NO_OTHERS;
        return CHORUS_OK;
    }
    if (rank[w->start_bound] > rank[w->end_bound] ||
        (w->start_bound == AST_BOUND_FOLLOWING && w->end_bound == AST_BOUND_CURRENT_ROW) ||
        (w->start_bound == AST_BOUND_CURRENT_ROW && w->end_bound == AST_BOUND_PRECEDING))
        return cc_error(c, "unsupported frame specification");
    if (w->unit == AST_FRAME_RANGE && w->order->n != 1 &&
        (bound_has_offset(w->start_bound) || bound_has_offset(w->end_bound)))
        return cc_error(c, "RANGE with offset PRECEDING/FOLLOWING requires one ORDER BY "
                           "expression");
    return CHORUS_OK;
}

static bool
expr_text_equal(cctx *c, const ast_expr *a, const ast_expr *b)
{
    if (a == NULL || b == NULL)
        return a == b;
    return a->span.len == b->span.len &&
           memcmp(c->env->sql + a->span.start, c->env->sql + b->span.start, a->span.len) == 0;
}

static bool
list_equal(cctx *c, const ast_list *a, const ast_list *b)
{
    if (a->n != b->n)
        return false;
    for (int i = 0; i < a->n; i++)
        if (a->items[i].order != b->items[i].order || a->items[i].nulls != b->items[i].nulls ||
            !expr_text_equal(c, a->items[i].expr, b->items[i].expr))
            return false;
    return true;
}

static int
wcol_add(cctx *c, scope *s, cx *e, int *index_out)
{
    plan_query *q = s->q;

    if (q->n_wcols == s->cap_wcols) {
        int cap = s->cap_wcols ? s->cap_wcols * 2 : 16;
        cx **p = cc_alloc(c, (size_t)cap * sizeof *p);
        if (p == NULL)
            return CHORUS_NOMEM;
        if (q->n_wcols > 0)
            memcpy(p, q->wcols, (size_t)q->n_wcols * sizeof *p);
        q->wcols = p;
        s->cap_wcols = cap;
    }
    q->wcols[q->n_wcols] = e;
    *index_out = q->n_wcols++;
    return CHORUS_OK;
}

static int
compile_key_list(cctx *c, scope *s, const ast_list *list, plan_windef *d, int at)
{
    for (int i = 0; i < list->n; i++) {
        cx *k;
        int idx;
        int rc = cc_expr(c, s, list->items[i].expr, &k);
        if (rc == CHORUS_OK)
            rc = wcol_add(c, s, k, &idx);
        if (rc != CHORUS_OK)
            return rc;
        d->desc[at + i] = list->items[i].order == AST_ORDER_DESC;
        d->coll[at + i] = k->coll;
    }
    return CHORUS_OK;
}

static int
def_new(cctx *c, scope *s, const win_spec *w, int *index_out)
{
    plan_query *q = s->q;
    plan_windef *d;
    int nk = w->part->n + w->order->n, rc;

    if (q->n_windefs == s->cap_windefs) {
        int cap = s->cap_windefs ? s->cap_windefs * 2 : 4;
        plan_windef *p = cc_alloc(c, (size_t)cap * sizeof *p);
        if (p == NULL)
            return CHORUS_NOMEM;
        if (q->n_windefs > 0)
            memcpy(p, q->windefs, (size_t)q->n_windefs * sizeof *p);
        q->windefs = p;
        s->cap_windefs = cap;
    }
    d = &q->windefs[q->n_windefs];
    d->part_ast = w->part;
    d->order_ast = w->order;
    d->start_ast = w->start_expr;
    d->end_ast = w->end_expr;
    d->n_part = w->part->n;
    d->n_order = w->order->n;
    d->unit = w->unit;
    d->start_bound = w->start_bound;
    d->end_bound = w->end_bound;
    d->exclude = w->exclude;
    d->desc = cc_alloc(c, (size_t)(nk ? nk : 1));
    d->coll = cc_alloc(c, (size_t)(nk ? nk : 1));
    if (d->desc == NULL || d->coll == NULL)
        return CHORUS_NOMEM;
    d->first_key = q->n_wcols;
    rc = compile_key_list(c, s, w->part, d, 0);
    if (rc == CHORUS_OK)
        rc = compile_key_list(c, s, w->order, d, w->part->n);
    if (rc == CHORUS_OK && w->start_expr != NULL && bound_has_offset(w->start_bound))
        rc = cc_expr(c, NULL, w->start_expr, &d->start_expr);
    if (rc == CHORUS_OK && w->end_expr != NULL && bound_has_offset(w->end_bound))
        rc = cc_expr(c, NULL, w->end_expr, &d->end_expr);
    if (rc != CHORUS_OK)
        return rc;
    *index_out = q->n_windefs++;
    return CHORUS_OK;
}

static bool
def_equal(cctx *c, const plan_windef *d, const win_spec *w)
{
    return list_equal(c, d->part_ast, w->part) && list_equal(c, d->order_ast, w->order) &&
           d->unit == w->unit && d->start_bound == w->start_bound &&
           d->end_bound == w->end_bound && d->exclude == w->exclude &&
           expr_text_equal(c, d->start_ast, w->start_expr) &&
           expr_text_equal(c, d->end_ast, w->end_expr);
}

static int
def_find_or_add(cctx *c, scope *s, const win_spec *w, int *index_out)
{
    plan_query *q = s->q;

    for (int i = 0; i < q->n_windefs; i++)
        if (def_equal(c, &q->windefs[i], w)) {
            *index_out = i;
            return CHORUS_OK;
        }
    return def_new(c, s, w, index_out);
}

/* ------------------------------------------------------------- calls */

static int
window_add(cctx *c, scope *s, plan_window **out, int *index_out)
{
    plan_query *q = s->q;

    if (q->n_windows == s->cap_windows) {
        int cap = s->cap_windows ? s->cap_windows * 2 : 8;
        plan_window *p = cc_alloc(c, (size_t)cap * sizeof *p);
        if (p == NULL)
            return CHORUS_NOMEM;
        if (q->n_windows > 0)
            memcpy(p, q->windows, (size_t)q->n_windows * sizeof *p);
        q->windows = p;
        s->cap_windows = cap;
    }
    *index_out = q->n_windows;
    *out = &q->windows[q->n_windows++];
    memset(*out, 0, sizeof **out);
    (*out)->filter_col = -1;
    return CHORUS_OK;
}

/* Which function the call names: a built-in window function or an
 * aggregate, with SQLite's messages for the others. */
static int
call_function(cctx *c, const ast_expr *e, const builtin_def **bi_out, const func_def **fn_out)
{
    int n = e->is_star ? 0 : e->list.n;
    const builtin_def *bi = builtin_find(e->name);
    bool exists = false;

    *bi_out = bi;
    *fn_out = NULL;
    if (bi != NULL) {
        if (n < bi->min_args || n > bi->max_args || e->is_star)
            return cc_error(c, "wrong number of arguments to function %s()", e->name);
        if (e->over == NULL)
            return cc_error(c, "misuse of window function %s()", e->name);
        return CHORUS_OK;
    }
    *fn_out = func_find(e->name, n, &exists);
    if (*fn_out == NULL) {
        if (exists)
            return cc_error(c, "wrong number of arguments to function %s()", e->name);
        return cc_error(c, "no such function: %s", e->name);
    }
    if (!((*fn_out)->flags & FUNC_AGGREGATE) || (*fn_out)->value == NULL)
        return cc_error(c, "%s() may not be used as a window function", e->name);
    return CHORUS_OK;
}

static int
compile_args(cctx *c, scope *s, const ast_expr *e, plan_window *w)
{
    int n = e->is_star ? 0 : e->list.n;
    cx **args = cc_alloc(c, (size_t)(n + 1) * sizeof *args);
    int rc = CHORUS_OK, idx;

    if (args == NULL)
        return CHORUS_NOMEM;
    for (int i = 0; i < n && rc == CHORUS_OK; i++)
        rc = cc_expr(c, s, e->list.items[i].expr, &args[i]);
    if (rc == CHORUS_OK && e->filter != NULL)
        rc = cc_expr(c, s, e->filter, &args[n]);
    if (rc != CHORUS_OK)
        return rc;
    w->n_args = n;
    w->first_arg = s->q->n_wcols;
    w->coll = n > 0 ? args[0]->coll : COLLATE_BINARY;
    for (int i = 0; i < n && rc == CHORUS_OK; i++)
        rc = wcol_add(c, s, args[i], &idx);
    if (rc == CHORUS_OK && e->filter != NULL)
        rc = wcol_add(c, s, args[n], &w->filter_col);
    return rc;
}

int
cc_window_call(cctx *c, scope *s, const ast_expr *e, cx **out)
{
    const builtin_def *bi;
    const func_def *fn;
    plan_window *w;
    win_spec spec;
    int rc, index, def;
    bool saved_ok;
    cx *x;

    *out = NULL;
    rc = call_function(c, e, &bi, &fn);
    if (rc != CHORUS_OK)
        return rc;
    if (s == NULL || !s->win_ok || s->in_agg_arg || s->q == NULL)
        return cc_error(c, "misuse of window function %s()", e->name);
    if (e->is_distinct)
        return cc_error(c, "DISTINCT is not supported for window functions");
    if (e->filter != NULL && bi != NULL)
        return cc_error(c, "FILTER clause may only be used with aggregate window functions");
    if (e->order_by.n > 0)
        return cc_error(c, "not supported yet: ORDER BY inside a window function's arguments");
    rc = spec_resolve(c, s, e->over, 0, &spec);
    if (rc == CHORUS_OK)
        rc = spec_check(c, &spec);
    if (rc != CHORUS_OK)
        return rc;
    saved_ok = s->win_ok;
    s->win_ok = false;                  /* W3 */
    rc = def_find_or_add(c, s, &spec, &def);
    if (rc == CHORUS_OK)
        rc = window_add(c, s, &w, &index);
    if (rc == CHORUS_OK) {
        w->fn = fn;
        w->builtin = bi != NULL ? bi->id : WIN_AGGREGATE;
        w->def = def;
        w->name = e->name;
        rc = compile_args(c, s, e, &s->q->windows[index]);
    }
    s->win_ok = saved_ok;
    if (rc != CHORUS_OK)
        return rc;
    x = cx_new(c, CX_WINDOW, e);
    if (x == NULL)
        return CHORUS_NOMEM;
    x->index = index;
    x->sub = s->q;
    *out = x;
    return CHORUS_OK;
}

/* --------------------------------------------------- output rewriting */

static bool
has_window(const cx *e)
{
    if (e == NULL)
        return false;
    if (e->kind == CX_WINDOW)
        return true;
    if (has_window(e->left) || has_window(e->right) || has_window(e->extra))
        return true;
    for (int i = 0; i < e->n_args; i++)
        if (has_window(e->args[i]))
            return true;
    return false;
}

typedef struct rewrite {
    cctx *c;
    plan_query *q;
    int cap;
} rewrite;

static int
rewrite_push(rewrite *w, cx *e, int *index_out)
{
    plan_query *q = w->q;

    if (q->n_wcols == w->cap) {
        int cap = w->cap * 2 + 16;
        cx **p = cc_alloc(w->c, (size_t)cap * sizeof *p);
        if (p == NULL)
            return CHORUS_NOMEM;
        if (q->n_wcols > 0)
            memcpy(p, q->wcols, (size_t)q->n_wcols * sizeof *p);
        q->wcols = p;
        w->cap = cap;
    }
    q->wcols[q->n_wcols] = e;
    *index_out = q->n_wcols++;
    return CHORUS_OK;
}

/* W1: turns e's window-free parts into window row reads, in place. */
static int
rewrite_expr(rewrite *w, cx *e)
{
    cx *copy;
    int rc, idx;

    if (e == NULL || e->kind == CX_WINDOW || e->kind == CX_CONST || e->kind == CX_PARAM)
        return CHORUS_OK;
    if (has_window(e)) {
        rc = rewrite_expr(w, e->left);
        if (rc == CHORUS_OK)
            rc = rewrite_expr(w, e->right);
        if (rc == CHORUS_OK)
            rc = rewrite_expr(w, e->extra);
        for (int i = 0; i < e->n_args && rc == CHORUS_OK; i++)
            rc = rewrite_expr(w, e->args[i]);
        return rc;
    }
    if (e->kind == CX_SUBQUERY || e->kind == CX_EXISTS || e->kind == CX_IN_SELECT) {
        if (!e->is_correlated)
            return CHORUS_OK;
    }
    copy = cc_alloc(w->c, sizeof *copy);
    if (copy == NULL)
        return CHORUS_NOMEM;
    *copy = *e;
    rc = rewrite_push(w, copy, &idx);
    if (rc != CHORUS_OK)
        return rc;
    e->kind = CX_WINCOL;
    e->index = idx;
    e->sub = w->q;
    e->left = e->right = e->extra = NULL;
    e->n_args = 0;
    e->args = NULL;
    e->is_correlated = false;
    return CHORUS_OK;
}

int
cc_window_finish(cctx *c, plan_query *q)
{
    rewrite w = {c, q, q->n_wcols};
    int rc = CHORUS_OK;

    if (q->n_windows == 0)
        return CHORUS_OK;
    for (int i = 0; i < q->n_cols && rc == CHORUS_OK; i++)
        rc = rewrite_expr(&w, q->result[i]);
    for (int i = 0; i < q->n_extra && rc == CHORUS_OK; i++)
        rc = rewrite_expr(&w, q->extra[i]);
    return rc;
}
