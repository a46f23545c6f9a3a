/*
 * core/compile/pushdown.c: pushes terms of a query's WHERE into the FROM
 * subqueries and views they read, so that a view's columns are computed
 * only for the rows the outer WHERE keeps, as SQLite's flattening and
 * push-down give (SELECT b FROM v WHERE a > 0, with b = abs(a) in v, never
 * computes abs() of a row with a <= 0).
 *
 * Rules
 *   D1  A term (one AND-conjunct of the WHERE) is pushed when every column
 *       it names (at least one) is a named result column of this FROM
 *       item, it holds no subquery and calls only deterministic functions; the column references are replaced by the subquery's
 *       result expressions and the term is ANDed to the subquery's WHERE.
 *   D2  Terms of the item's own ON clause go too (for a LEFT JOIN they
 *       decide which right rows can match, so they may filter them first;
 *       one without any column as well); WHERE terms not for the right
 *       side of a LEFT JOIN.
 *       Only into a single SELECT core without GROUP BY, aggregates (in
 *       subqueries of its results too: they may be the core's own),
 *       window functions, LIMIT, * in its result or WITH; never for an
 *       item a RIGHT or FULL JOIN makes nullable.
 *   D3  The outer WHERE keeps every term (where.c R4): pushing only drops
 *       rows earlier, it never decides alone.
 *   D4  A FROM subquery's result column that no reader of its cursor uses
 *       is not evaluated (SQLite's flattening never computes it): only for
 *       a plain core (no DISTINCT, compound, window functions), and never a
 *       column its own ORDER BY sorts by.
 * The rewritten select lives in the plan arena; the view's or subquery's
 * own AST is never changed.
 * Callers: from.c (views, FROM subqueries, CTEs); compile.c (D4).
 */
#include <string.h>
#include <strings.h>

#include "compile_int.h"

/* Column names of the core's results (names: a column list, or NULL); NULL
 * entries for results without a name a term could use. */
typedef struct push_cols {
    int n;
    const char **names;
    const ast_expr **exprs;
} push_cols;

static bool
expr_pushable(const ast_expr *e)
{
    if (e == NULL)
        return true;
    if (e->select != NULL || e->over != NULL || e->kind == EXPR_RAISE ||
        e->kind == EXPR_IN_TABLE || e->kind == EXPR_STAR)
        return false;
    if (e->kind == EXPR_FUNCTION) {
        bool exists;
        const func_def *fn = func_find(e->name, e->is_star ? 0 : e->list.n, &exists);
        if (fn == NULL || !(fn->flags & FUNC_DETERMINISTIC) || (fn->flags & FUNC_AGGREGATE))
            return false;
    }
    if (!expr_pushable(e->left) || !expr_pushable(e->right) || !expr_pushable(e->escape) ||
        !expr_pushable(e->filter))
        return false;
    for (int i = 0; i < e->list.n; i++)
        if (!expr_pushable(e->list.items[i].expr))
            return false;
    return true;
}

static int
col_find(const push_cols *pc, const ast_expr *e, const char *item_name)
{
    if (e->schema != NULL)
        return -1;
    if (e->table != NULL && (item_name == NULL || strcasecmp(e->table, item_name) != 0))
        return -1;
    for (int i = 0; i < pc->n; i++)
        if (pc->names[i] != NULL && strcasecmp(pc->names[i], e->name) == 0)
            return i;
    return -1;
}

/* Whether every column e names is one of pc's (D1); *n_cols counts them. */
static bool
term_reads_only(const push_cols *pc, const ast_expr *e, const char *item_name, int *n_cols)
{
    if (e == NULL)
        return true;
    if (e->kind == EXPR_COLUMN) {
        int i = col_find(pc, e, item_name);
        (*n_cols)++;
        return i >= 0 && expr_pushable(pc->exprs[i]);
    }
    if (!term_reads_only(pc, e->left, item_name, n_cols) ||
        !term_reads_only(pc, e->right, item_name, n_cols) ||
        !term_reads_only(pc, e->escape, item_name, n_cols))
        return false;
    for (int i = 0; i < e->list.n; i++)
        if (!term_reads_only(pc, e->list.items[i].expr, item_name, n_cols))
            return false;
    return true;
}

/* A copy of e with its column references replaced by result expressions. */
static ast_expr *
term_rewrite(cctx *c, const push_cols *pc, const ast_expr *e, const char *item_name)
{
    ast_expr *x;

    if (e == NULL)
        return NULL;
    if (e->kind == EXPR_COLUMN)
        return (ast_expr *)pc->exprs[col_find(pc, e, item_name)];
    if ((x = cc_alloc(c, sizeof *x)) == NULL)
        return NULL;
    *x = *e;
    if ((e->left != NULL && (x->left = term_rewrite(c, pc, e->left, item_name)) == NULL) ||
        (e->right != NULL && (x->right = term_rewrite(c, pc, e->right, item_name)) == NULL) ||
        (e->escape != NULL && (x->escape = term_rewrite(c, pc, e->escape, item_name)) == NULL))
        return NULL;
    if (e->list.n > 0) {
        x->list.items = cc_alloc(c, (size_t)e->list.n * sizeof *x->list.items);
        if (x->list.items == NULL)
            return NULL;
        for (int i = 0; i < e->list.n; i++) {
            x->list.items[i] = e->list.items[i];
            x->list.items[i].expr = term_rewrite(c, pc, e->list.items[i].expr, item_name);
            if (x->list.items[i].expr == NULL)
                return NULL;
        }
    }
    return x;
}

static ast_expr *
ast_and(cctx *c, ast_expr *a, ast_expr *b)
{
    ast_expr *x;

    if (a == NULL)
        return b;
    if ((x = cc_alloc(c, sizeof *x)) == NULL)
        return NULL;
    memset(x, 0, sizeof *x);
    x->kind = EXPR_BINARY;
    x->op = AST_OP_AND;
    x->left = a;
    x->right = b;
    x->span = b->span;
    x->height = (a->height > b->height ? a->height : b->height) + 1;
    return x;
}

/* Adds the pushable conjuncts of where to *acc (is_on: the item's own ON
 * clause, whose terms without any column go too). */
static int
collect_terms(cctx *c, const push_cols *pc, const ast_expr *where, const char *item_name,
              bool is_on, ast_expr **acc)
{
    ast_expr *t;
    int rc, n_cols = 0;

    if (where->kind == EXPR_BINARY && where->op == AST_OP_AND) {
        rc = collect_terms(c, pc, where->left, item_name, is_on, acc);
        return rc == CHORUS_OK ? collect_terms(c, pc, where->right, item_name, is_on, acc) : rc;
    }
    if (!expr_pushable(where) || !term_reads_only(pc, where, item_name, &n_cols) ||
        (n_cols == 0 && !is_on))
        return CHORUS_OK;
    if ((t = term_rewrite(c, pc, where, item_name)) == NULL || (*acc = ast_and(c, *acc, t)) == NULL)
        return CHORUS_NOMEM;
    return CHORUS_OK;
}

/* D2: no RIGHT or FULL JOIN makes the item nullable. */
static bool
item_no_right_join(const ast_from_item *it)
{
    if (it->join == AST_JOIN_RIGHT || it->join == AST_JOIN_FULL)
        return false;
    for (const ast_from_item *n = it->next; n != NULL; n = n->next)
        if (n->join == AST_JOIN_RIGHT || n->join == AST_JOIN_FULL)
            return false;
    return true;
}

static bool select_has_aggregate(const ast_select *sel);

/* Whether e calls an aggregate anywhere, subqueries included: one there
 * may belong to the core (core/compile/expr.c X4) and make it aggregate. */
static bool
expr_has_aggregate(const ast_expr *e)
{
    if (e == NULL)
        return false;
    if (ast_is_aggregate_call(e) || (e->select != NULL && select_has_aggregate(e->select)) ||
        expr_has_aggregate(e->left) || expr_has_aggregate(e->right) ||
        expr_has_aggregate(e->escape))
        return true;
    for (int i = 0; i < e->list.n; i++)
        if (expr_has_aggregate(e->list.items[i].expr))
            return true;
    return false;
}

static bool
select_has_aggregate(const ast_select *sel)
{
    for (const ast_select_core *core = sel->cores; core != NULL; core = core->next) {
        for (int i = 0; i < core->result.n; i++)
            if (expr_has_aggregate(core->result.items[i].expr))
                return true;
        if (expr_has_aggregate(core->where) || expr_has_aggregate(core->having))
            return true;
    }
    return false;
}

static bool
expr_has_window(const ast_expr *e)
{
    if (e == NULL)
        return false;
    if (e->over != NULL || expr_has_window(e->left) || expr_has_window(e->right) ||
        expr_has_window(e->escape))
        return true;
    for (int i = 0; i < e->list.n; i++)
        if (expr_has_window(e->list.items[i].expr))
            return true;
    return false;
}

/* D2: the select's one core, when terms may go into it. */
static const ast_select_core *
core_accepts(const ast_select *sel)
{
    const ast_select_core *core = sel->cores;

    if (sel->with != NULL || sel->limit != NULL || core == NULL || core->next != NULL ||
        core->is_values || core->group_by.n > 0 || core->having != NULL || core->windows != NULL)
        return NULL;
    for (int i = 0; i < core->result.n; i++) {
        const ast_expr *e = core->result.items[i].expr;
        if (e->kind == EXPR_STAR || expr_has_aggregate(e) || expr_has_window(e))
            return NULL;
    }
    return core;
}

int
cc_pushdown(cctx *c, const scope *s, const ast_from_item *it, const char *item_name,
            const ast_select *sel, const ast_list *names, const ast_select **out)
{
    const ast_select_core *core;
    ast_select_core *core2;
    ast_select *sel2;
    ast_expr *terms = NULL;
    bool push_where;
    push_cols pc;
    int rc;

    *out = sel;
    if (it == NULL || !item_no_right_join(it) || (core = core_accepts(sel)) == NULL)
        return CHORUS_OK;
    push_where = s->where_ast != NULL && it->join != AST_JOIN_LEFT;
    if (!push_where && it->on == NULL)
        return CHORUS_OK;
    if (names != NULL && names->n > 0 && names->n != core->result.n)
        return CHORUS_OK;       /* compiling reports the mismatch */
    pc.n = core->result.n;
    pc.names = cc_alloc(c, (size_t)(pc.n ? pc.n : 1) * sizeof *pc.names);
    pc.exprs = cc_alloc(c, (size_t)(pc.n ? pc.n : 1) * sizeof *pc.exprs);
    if (pc.names == NULL || pc.exprs == NULL)
        return CHORUS_NOMEM;
    for (int i = 0; i < pc.n; i++) {
        const ast_list_item *r = &core->result.items[i];
        pc.exprs[i] = r->expr;
        if (names != NULL && names->n > 0)
            pc.names[i] = names->items[i].name;
        else if (r->name != NULL)
            pc.names[i] = r->name;
        else
            pc.names[i] = r->expr->kind == EXPR_COLUMN ? r->expr->name : NULL;
        for (int k = 0; k < i; k++)     /* a name given twice is left alone */
            if (pc.names[i] != NULL && pc.names[k] != NULL &&
                strcasecmp(pc.names[i], pc.names[k]) == 0)
                pc.names[i] = pc.names[k] = NULL;
    }
    rc = push_where ? collect_terms(c, &pc, s->where_ast, item_name, false, &terms) : CHORUS_OK;
    if (rc == CHORUS_OK && it->on != NULL)
        rc = collect_terms(c, &pc, it->on, item_name, true, &terms);
    if (rc != CHORUS_OK || terms == NULL)
        return rc;
    sel2 = cc_alloc(c, sizeof *sel2);
    core2 = cc_alloc(c, sizeof *core2);
    if (sel2 == NULL || core2 == NULL)
        return CHORUS_NOMEM;
    *sel2 = *sel;
    *core2 = *core;
    core2->where = core->where != NULL ? ast_and(c, core->where, terms) : terms;
    if (core2->where == NULL)
        return CHORUS_NOMEM;
    sel2->cores = core2;
    *out = sel2;
    return CHORUS_OK;
}

void
cc_prune_columns(cctx *c)
{
    for (int i = 0; i < c->n_cursors; i++) {
        const plan_cursor *cur = &c->cursors[i];
        plan_query *q = cur->source;
        if (cur->kind == PC_EPHEMERAL && q != NULL)
            q->skip_cols = ~(uint64_t)0;
    }
    for (int i = 0; i < c->n_cursors; i++) {
        const plan_cursor *cur = &c->cursors[i];
        plan_query *q = cur->source;
        if (cur->kind != PC_EPHEMERAL || q == NULL)
            continue;
        q->skip_cols &= ~cur->used;
        if (q->kind != PQ_CORE || q->distinct || q->n_windows > 0 || q->n_cols > 62 ||
            (cur->used >> 63))
            q->skip_cols = 0;
        for (int k = 0; k < q->n_order; k++)
            if (q->order_col[k] < 62)
                q->skip_cols &= ~((uint64_t)1 << q->order_col[k]);
        q->skip_cols &= ((uint64_t)1 << 62) - 1;
    }
}
