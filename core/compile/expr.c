/*
 * core/compile/expr.c: turns AST expressions into compiled expressions (cx):
 * name resolution of column references, affinity and collation of every
 * node, function lookup, aggregates and subqueries.
 *
 * Invariants
 *   X1  A cx's aff is the affinity SQLite gives the expression: a column
 *       reference has its column's, CAST its target's, a scalar subquery its
 *       first column's, COLLATE and unary '+' pass through (unary '+' drops
 *       it), everything else NONE.
 *   X2  In an aggregate query's output (scope.agg_mode), every column of the
 *       query's own sources is read through the group row (CX_GROUPCOL) and
 *       every aggregate call becomes a plan_agg whose arguments are group
 *       row values; nothing in the output reads a cursor of the query itself.
 *   X3  A subquery is correlated when a name inside it resolved to a cursor
 *       allocated before it (cctx.min_ref below its first cursor).
 *   X5  A VIRTUAL generated column is read as its expression (records do
 *       not hold it); STORED ones are computed when rows are written
 *       (core/vm/exec_dml.c W5) and read like any column.
 *   X6  x IS [NOT] NULL (ISNULL, NOTNULL) is the constant 0 or 1 when x
 *       is never NULL (owner_never_null: a literal, a rowid, a NOT NULL
 *       column not on the null side of an outer join), as SQLite folds it.
 *   X7  x AND y is the constant 0 when a side is always false as SQLite's
 *       parser sees it: the literal 0, x IN (), or such an AND itself.
 *   X8  x IS [NOT] TRUE / FALSE (the literal, or y [NOT] IN (), COLLATE
 *       aside) tests x's truth, as SQLite's TK_TRUTH: never NULL.
 *   X9  A COLLATE inside an expression gives the expression's value that
 *       collation (coll_explicit), as SQLite's EP_Collate (explicit_collation).
 *   X10 A scalar function compares its arguments (min, max, nullif) with the
 *       collation of the first argument that carries one (a column's, or a
 *       COLLATE's: cx_carries_collation), else BINARY, as SQLite's
 *       FUNC_NEEDCOLL functions do (cx.index of the CX_FUNC).
 *   X4  An aggregate call belongs to the innermost query whose sources its
 *       arguments name (SQLite's rule): sum(t.a) inside a subquery, t being
 *       an outer source, makes the outer query an aggregate, and the
 *       subquery reads the outer group's result (it is then correlated).
 * Callers: the other files of core/compile.
 */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "compile_int.h"

cx *
cx_new(cctx *c, int kind, const ast_expr *ast)
{
    cx *e = cc_alloc(c, sizeof *e);

    if (e == NULL)
        return NULL;
    e->kind = (uint8_t)kind;
    e->ast = ast;
    e->aff = AFFINITY_NONE;
    e->coll = COLLATE_BINARY;
    value_set_null(&e->v);
    value_set_null(&e->cache);
    return e;
}

cx *
cx_const_int(cctx *c, int64_t i)
{
    cx *e = cx_new(c, CX_CONST, NULL);

    if (e != NULL)
        value_set_int(&e->v, i);
    return e;
}

/* a AND b, where either may be NULL (absent). */
cx *
cx_and(cctx *c, cx *a, cx *b)
{
    cx *e;

    if (a == NULL)
        return b;
    if (b == NULL)
        return a;
    e = cx_new(c, CX_AND, NULL);
    if (e == NULL)
        return NULL;
    e->left = a;
    e->right = b;
    return e;
}

static bool
is_numeric_aff(char aff)
{
    return aff >= AFFINITY_NUMERIC;
}

char
cx_compare_affinity(const cx *l, const cx *r)
{
    char a = l->aff, b = r->aff;

    if (a != AFFINITY_NONE && b != AFFINITY_NONE)
        return (is_numeric_aff(a) || is_numeric_aff(b)) ? AFFINITY_NUMERIC : AFFINITY_BLOB;
    if (a == AFFINITY_NONE && b == AFFINITY_NONE)
        return AFFINITY_BLOB;
    return a != AFFINITY_NONE ? a : b;
}

bool
cx_carries_collation(const cx *e)
{
    if (e->coll_explicit || e->kind == CX_COLUMN || e->kind == CX_GROUPCOL)
        return true;
    switch (e->kind) {
    case CX_CMP: case CX_IN_LIST: case CX_IN_SELECT: case CX_BETWEEN: case CX_LIKE:
        return false;   /* coll is the collation they compare with */
    default:
        return e->coll != COLLATE_BINARY;
    }
}

uint8_t
cx_compare_collation(const cx *l, const cx *r)
{
    if (l->coll_explicit)
        return l->coll;
    if (r->coll_explicit)
        return r->coll;
    if (cx_carries_collation(l))
        return l->coll;
    return cx_carries_collation(r) ? r->coll : COLLATE_BINARY;
}

uint64_t
cx_cursor_mask(const cx *e)
{
    uint64_t m = 0;

    if (e == NULL)
        return 0;
    if (e->kind == CX_COLUMN)
        m |= (uint64_t)1 << (e->cursor < 63 ? e->cursor : 63);
    m |= cx_cursor_mask(e->left) | cx_cursor_mask(e->right) | cx_cursor_mask(e->extra);
    for (int i = 0; i < e->n_args; i++)
        m |= cx_cursor_mask(e->args[i]);
    /* A correlated subquery reads cursors of the enclosing queries, and a
     * function that is not deterministic (random()) must run for every row:
     * both are treated as reading every cursor so that they are evaluated
     * innermost, never hoisted out of the loop. */
    if (e->sub != NULL && e->is_correlated)
        m |= ~(uint64_t)0;
    if (e->kind == CX_FUNC && e->fn != NULL && !(e->fn->flags & FUNC_DETERMINISTIC))
        m |= ~(uint64_t)0;
    return m;
}

/* --------------------------------------------------- aggregate detection */

static bool
func_is_aggregate(const ast_expr *e)
{
    bool exists;
    int n = e->is_star ? 0 : e->list.n;
    const func_def *fn = func_find(e->name, n, &exists);

    return fn != NULL && (fn->flags & FUNC_AGGREGATE) && e->over == NULL;
}

bool
ast_is_aggregate_call(const ast_expr *e)
{
    return e != NULL && e->kind == EXPR_FUNCTION && func_is_aggregate(e);
}

/* Whether e calls an aggregate outside any subquery. */
bool
ast_contains_aggregate(const ast_expr *e)
{
    return ast_first_aggregate(e) != NULL;
}

const ast_expr *
ast_first_aggregate(const ast_expr *e)
{
    const ast_expr *found;

    if (e == NULL || ast_and_folds(e))
        return NULL;
    if (ast_is_aggregate_call(e))
        return e;
    if ((found = ast_first_aggregate(e->left)) != NULL ||
        (found = ast_first_aggregate(e->right)) != NULL ||
        (found = ast_first_aggregate(e->escape)) != NULL)
        return found;
    for (int i = 0; i < e->list.n; i++)
        if ((found = ast_first_aggregate(e->list.items[i].expr)) != NULL)
            return found;
    return NULL;
}

/* ------------------------------------------------------ name resolution */

static int
gcol_add(cctx *c, scope *s, cx *e, int *index_out)
{
    plan_query *q = s->q;

    if (q->n_gcols == s->cap_gcols) {
        int cap = s->cap_gcols ? s->cap_gcols * 2 : 16;
        cx **p = cc_alloc(c, (size_t)cap * sizeof *p);
        if (p == NULL)
            return CHORUS_NOMEM;
        if (q->n_gcols > 0)
            memcpy(p, q->gcols, (size_t)q->n_gcols * sizeof *p);
        q->gcols = p;
        s->cap_gcols = cap;
    }
    q->gcols[q->n_gcols] = e;
    *index_out = q->n_gcols++;
    return CHORUS_OK;
}

/* The group row value of column (cursor, column), added when new (X2). */
static int
group_column(cctx *c, scope *s, cx *col, cx **out)
{
    plan_query *q = s->q;
    int idx = -1;
    cx *g;
    int rc;

    for (int i = 0; i < q->n_gcols; i++) {
        cx *k = q->gcols[i];
        if (k->kind == CX_COLUMN && k->cursor == col->cursor && k->column == col->column) {
            idx = i;
            break;
        }
    }
    if (idx < 0) {
        rc = gcol_add(c, s, col, &idx);
        if (rc != CHORUS_OK)
            return rc;
    }
    g = cx_new(c, CX_GROUPCOL, col->ast);
    if (g == NULL)
        return CHORUS_NOMEM;
    g->index = idx;
    g->sub = q;
    g->aff = col->aff;
    g->coll = col->coll;
    *out = g;
    return CHORUS_OK;
}

static int
find_in_source(const scope_source *src, const char *name, bool qualified)
{
    for (int i = 0; i < src->n_cols; i++) {
        if (src->col_hidden != NULL && src->col_hidden[i] == SCOPE_COL_COALESCED && !qualified)
            continue;
        if (strcasecmp(src->col_names[i], name) == 0)
            return i;
    }
    if (src->table != NULL && !src->table->without_rowid &&
        catalog_table_column_find(src->table, name) < 0) {
        int k = catalog_table_column_resolve(src->table, name);
        if (k == CATALOG_COLUMN_ROWID)
            return -1;
        if (k >= 0)
            return k;
    }
    return -2;
}

/* The next source of sc, from *i on, with the column e names (a qualified
 * e only in the source its table names): its index in *i and the column
 * (-1 the rowid), or -2 when no further source has it. */
static int
scope_next_column(const scope *sc, const ast_expr *e, int *i)
{
    for (; *i < sc->n_src; (*i)++) {
        const scope_source *src = &sc->src[*i];
        int col;
        if (e->table != NULL && (src->name == NULL || strcasecmp(src->name, e->table) != 0))
            continue;
        col = find_in_source(src, e->name, e->table != NULL);
        if (col != -2)
            return col;
    }
    return -2;
}

/* X5: a VIRTUAL generated column reads as its expression over the same
 * row (the source alone in scope, all its columns visible: a trigger's NEW
 * and OLD are hidden from the statement's names, not from their own
 * columns' expressions), with the column's affinity and collation; NULL
 * when compiling it fails (c->errmsg tells) or no memory. */
static cx *
generated_cx(cctx *c, const scope_source *src, int col)
{
    const catalog_column *gc = &src->table->cols[col];
    scope_source self = *src;
    scope row;
    cx *x = NULL;

    self.col_hidden = NULL;
    memset(&row, 0, sizeof row);
    row.n_src = 1;
    row.src = &self;
    row.no_agg = true;
    row.first_cursor = src->cursor;
    if (cc_expr(c, &row, gc->generated_expr, &x) != CHORUS_OK || x == NULL)
        return NULL;
    x->aff = gc->affinity;
    if (!x->coll_explicit)
        x->coll = gc->collation;
    return x;
}

static cx *
column_cx(cctx *c, const scope_source *src, int col, const ast_expr *e)
{
    cx *x;

    if (src->table != NULL && col >= 0 && col < src->table->n_cols &&
        src->table->cols[col].hidden == CATALOG_COL_VIRTUAL &&
        src->table->cols[col].generated_expr != NULL)
        return generated_cx(c, src, col);
    x = cx_new(c, CX_COLUMN, e);
    if (x == NULL)
        return NULL;
    cc_cursor(c, src->cursor)->used |= (uint64_t)1 << (col < 0 ? 62 : col < 62 ? col : 63);
    x->cursor = src->cursor;
    x->column = col;
    if (col >= 0) {
        x->aff = src->col_aff[col];
        x->coll = src->col_coll[col];
    } else {
        x->aff = AFFINITY_INTEGER;
    }
    return x;
}

/* coalesce(left, right), with left's collation; NULL when out of memory. */
static cx *
coalesce_of(cctx *c, const ast_expr *ast, cx *left, cx *right)
{
    cx *x = cx_new(c, CX_FUNC, ast);

    if (x == NULL)
        return NULL;
    x->fn = func_find("coalesce", 2, NULL);
    x->n_args = 2;
    x->args = cc_alloc(c, 2 * sizeof *x->args);
    x->argv = cc_alloc(c, 2 * sizeof *x->argv);
    if (x->fn == NULL || x->args == NULL || x->argv == NULL)
        return NULL;
    x->args[0] = left;
    x->args[1] = right;
    value_set_null(&x->argv[0]);
    value_set_null(&x->argv[1]);
    x->coll = left->coll;
    return x;
}

/* RIGHT/FULL JOIN USING (from.c): an unqualified read of the left copy of
 * a USING column is coalesce(left, right copy); left is compiled already. */
static int
using_coalesce(cctx *c, scope *s, const scope_source *src, int col, cx *left, cx **out)
{
    cx *right;
    int rc;

    *out = left;
    if (src->col_using_src == NULL || col < 0 || src->col_using_src[col] < 0)
        return CHORUS_OK;
    rc = cc_source_column(c, s, src->col_using_src[col], src->col_using_col[col], NULL, &right);
    if (rc != CHORUS_OK)
        return rc;
    *out = coalesce_of(c, left->ast, left, right);
    return *out == NULL ? CHORUS_NOMEM : CHORUS_OK;
}

static int
source_column_plain(cctx *c, scope *s, int src, int col, const ast_expr *ast, cx **out)
{
    cx *x = column_cx(c, &s->src[src], col, ast);

    *out = NULL;
    if (x == NULL)
        return c->errmsg != NULL ? CHORUS_ERROR : CHORUS_NOMEM;
    if (s->agg_mode && !s->in_agg_arg)
        return group_column(c, s, x, out);
    *out = x;
    return CHORUS_OK;
}

int
cc_source_column(cctx *c, scope *s, int src, int col, const ast_expr *ast, cx **out)
{
    cx *x;
    int rc = source_column_plain(c, s, src, col, ast, &x);

    if (rc != CHORUS_OK)
        return rc;
    if (ast != NULL || s->src[src].col_using_src == NULL)
        return (*out = x), CHORUS_OK;
    return using_coalesce(c, s, &s->src[src], col, x, out);      /* * expansion */
}

/* Looks e up in the sources of sc: CHORUS_OK with *out set, or *out NULL
 * when no source has it; "ambiguous column name" when two do. */
static int
lookup_in_scope(cctx *c, scope *sc, const ast_expr *e, cx **out)
{
    const scope_source *hit = NULL;
    int hit_col = -2, col;

    *out = NULL;
    for (int i = 0; (col = scope_next_column(sc, e, &i)) != -2; i++) {
        if (hit != NULL) {
            if (e->table != NULL)
                return cc_error(c, "ambiguous column name: %s.%s", e->table, e->name);
            return cc_error(c, "ambiguous column name: %s", e->name);
        }
        hit = &sc->src[i];
        hit_col = col;
    }
    if (hit == NULL)
        return CHORUS_OK;
    if (c->env->auth != NULL) {                                 /* authorize.c AZ2 */
        int rc = cc_authorize_column(c, hit, hit_col, out);
        if (rc != CHORUS_OK || *out != NULL)
            return rc;
    }
    *out = column_cx(c, hit, hit_col, e);
    return *out != NULL ? CHORUS_OK : c->errmsg != NULL ? CHORUS_ERROR : CHORUS_NOMEM;
}

static int
resolve_alias(cctx *c, scope *s, const ast_expr *e, cx **out)
{
    const ast_list *res = s->aliases;

    *out = NULL;
    if (res == NULL || e->table != NULL)
        return CHORUS_OK;
    for (int i = 0; i < res->n; i++) {
        if (res->items[i].name != NULL && strcasecmp(res->items[i].name, e->name) == 0) {
            const ast_list *saved = s->aliases;
            int rc;
            s->aliases = NULL;      /* an alias may not refer to itself */
            rc = cc_expr(c, s, res->items[i].expr, out);
            s->aliases = saved;
            return rc;
        }
    }
    return CHORUS_OK;
}

static int
resolve_column(cctx *c, scope *s, const ast_expr *e, cx **out)
{
    int depth = 0;
    int rc;

    *out = NULL;
    for (scope *sc = s; sc != NULL; sc = sc->outer, depth++) {
        cx *x;
        rc = lookup_in_scope(c, sc, e, &x);
        if (rc != CHORUS_OK)
            return rc;
        if (x == NULL && depth == 0) {
            rc = resolve_alias(c, sc, e, out);
            if (rc != CHORUS_OK || *out != NULL)
                return rc;
        }
        if (x == NULL)
            continue;
        if (x->cursor < c->min_ref)
            c->min_ref = x->cursor;
        if (e->table == NULL) {
            for (int i = 0; i < sc->n_src; i++)
                if (sc->src[i].cursor == x->cursor && sc->src[i].col_using_src != NULL &&
                    x->column >= 0 && sc->src[i].col_using_src[x->column] >= 0) {
                    cx *left = x;
                    if (sc->agg_mode && !sc->in_agg_arg &&
                        (rc = group_column(c, sc, x, &left)) != CHORUS_OK)
                        return rc;
                    return using_coalesce(c, sc, &sc->src[i], x->column, left, out);
                }
        }
        if (sc->agg_mode && !sc->in_agg_arg)
            return group_column(c, sc, x, out);
        *out = x;
        return CHORUS_OK;
    }
    if (c->base != NULL && e->table != NULL) {      /* NEW.x, OLD.x in triggers */
        rc = lookup_in_scope(c, c->base, e, out);
        if (rc != CHORUS_OK || *out != NULL)
            return rc;
    }
    if (e->table == NULL && e->is_quoted) {
        cx *x = cx_new(c, CX_CONST, e);
        if (x == NULL)
            return CHORUS_NOMEM;
        value_set_text_ref(&x->v, e->name, (int32_t)strlen(e->name));
        *out = x;
        return CHORUS_OK;
    }
    if (e->table == NULL && (strcasecmp(e->name, "true") == 0 || strcasecmp(e->name, "false") == 0)) {
        *out = cx_const_int(c, strcasecmp(e->name, "true") == 0);
        if (*out == NULL)
            return CHORUS_NOMEM;
        (*out)->ast = e;        /* a truth constant (core/vm/expr_eval.c E6) */
        return CHORUS_OK;
    }
    if (e->table != NULL)
        return cc_error(c, "no such column: %s.%s", e->table, e->name);
    return cc_error(c, "no such column: %s", e->name);
}

/* ------------------------------------------------------------- pieces */

static int
compile_list(cctx *c, scope *s, const ast_list *list, cx *out_node)
{
    int rc;

    out_node->n_args = list->n;
    out_node->args = cc_alloc(c, (size_t)(list->n ? list->n : 1) * sizeof(cx *));
    if (out_node->args == NULL)
        return CHORUS_NOMEM;
    for (int i = 0; i < list->n; i++) {
        rc = cc_expr(c, s, list->items[i].expr, &out_node->args[i]);
        if (rc != CHORUS_OK)
            return rc;
    }
    return CHORUS_OK;
}

static int
compile_literal(cctx *c, const ast_expr *e, cx **out)
{
    cx *x = cx_new(c, CX_CONST, e);

    if (x == NULL)
        return CHORUS_NOMEM;
    switch (e->kind) {
    case EXPR_INTEGER:
        value_set_int(&x->v, e->ival);
        break;
    case EXPR_FLOAT:
        value_set_real(&x->v, e->rval);
        break;
    case EXPR_STRING:
        value_set_text_ref(&x->v, e->str, e->str_len);
        break;
    case EXPR_BLOB:
        value_set_blob_ref(&x->v, e->str, e->str_len);
        break;
    default:
        value_set_null(&x->v);
        break;
    }
    *out = x;
    return CHORUS_OK;
}

static int
compile_param(cctx *c, const ast_expr *e, cx **out)
{
    cx *x = cx_new(c, CX_PARAM, e);
    int idx = e->param_index;

    if (x == NULL)
        return CHORUS_NOMEM;
    x->index = idx;
    if (idx > c->max_param)
        c->max_param = idx;
    if (idx >= c->cap_params) {
        int cap = idx * 2 + 8;
        const char **p = realloc(c->param_names, (size_t)cap * sizeof *p);
        if (p == NULL)
            return CHORUS_NOMEM;
        memset(p + c->cap_params, 0, (size_t)(cap - c->cap_params) * sizeof *p);
        c->param_names = p;
        c->cap_params = cap;
    }
    if (e->name != NULL && e->name[0] != '?')
        c->param_names[idx] = e->name;
    *out = x;
    return CHORUS_OK;
}

static int
compile_unary(cctx *c, scope *s, const ast_expr *e, cx **out)
{
    cx *operand, *x;
    int rc = cc_expr(c, s, e->left, &operand);

    if (rc != CHORUS_OK)
        return rc;
    if (e->op == AST_OP_PLUS) {
        /* Unary plus keeps the value and collation and drops the affinity (X1). */
        x = cx_new(c, CX_UNARY, e);
        if (x == NULL)
            return CHORUS_NOMEM;
        x->op = AST_OP_PLUS;
        x->left = operand;
        x->coll = operand->coll;
        x->coll_explicit = operand->coll_explicit;
        *out = x;
        return CHORUS_OK;
    }
    x = cx_new(c, CX_UNARY, e);
    if (x == NULL)
        return CHORUS_NOMEM;
    x->op = e->op;
    x->left = operand;
    *out = x;
    return CHORUS_OK;
}

static bool
is_vector(const cx *e)
{
    return e->kind == CX_VECTOR ||
           (e->kind == CX_SUBQUERY && e->sub != NULL && e->sub->n_cols > 1 && e->index == 0);
}

static int
vector_size(const cx *e)
{
    if (e->kind == CX_VECTOR)
        return e->n_args;
    if (e->kind == CX_SUBQUERY && e->index == 0)
        return e->sub->n_cols;
    return 1;
}

static int compile_subquery_value(cctx *c, scope *s, const ast_expr *e, bool allow_row,
                                  cx **out);

/* An operand of a binary operator; a comparison's operand may be a
 * multi-column subquery (a row value, rowvalue.c). */
static int
compile_operand(cctx *c, scope *s, const ast_expr *op, const ast_expr *e, cx **out)
{
    bool cmp = op->op == AST_OP_EQ || op->op == AST_OP_NE || op->op == AST_OP_IS ||
               op->op == AST_OP_IS_NOT || op->op == AST_OP_LT || op->op == AST_OP_LE ||
               op->op == AST_OP_GT || op->op == AST_OP_GE;

    if (cmp && e->kind == EXPR_SUBQUERY)
        return compile_subquery_value(c, s, e, true, out);
    return cc_expr(c, s, e, out);
}

int
cc_row_value(cctx *c, scope *s, const ast_expr *e, cx **out)
{
    if (e->kind == EXPR_SUBQUERY)
        return compile_subquery_value(c, s, e, true, out);
    return cc_expr(c, s, e, out);
}

/* X8: whether right (compiled: r) makes x IS [NOT] right one of SQLite's
 * truth tests: COLLATE aside, the literal TRUE or FALSE (not a column so
 * named) or y [NOT] IN (), which the parser turns into one. *truth: its
 * value. */
static bool
truth_literal(const ast_expr *right, const cx *r, bool *truth)
{
    while (right->kind == EXPR_COLLATE)
        right = right->left;
    if (right->kind == EXPR_IN_LIST && right->list.n == 0) {
        *truth = right->is_not;
        return true;
    }
    if (right->kind != EXPR_COLUMN || right->table != NULL || r->kind != CX_CONST)
        return false;
    *truth = strcasecmp(right->name, "true") == 0;
    return *truth || strcasecmp(right->name, "false") == 0;
}

/* X8: x IS TRUE is coalesce(NOT NOT x, 0), x IS FALSE coalesce(NOT x, 0),
 * x IS NOT TRUE coalesce(NOT x, 1), x IS NOT FALSE coalesce(NOT NOT x, 1). */
static int
compile_truth_test(cctx *c, const ast_expr *e, cx *x, bool truth, cx **out)
{
    bool is_not = e->op == AST_OP_IS_NOT;
    cx *test = x;

    for (int i = 0; i < (truth != is_not ? 2 : 1); i++) {
        cx *not = cx_new(c, CX_UNARY, e);
        if (not == NULL)
            return CHORUS_NOMEM;
        not->op = AST_OP_NOT;
        not->left = test;
        test = not;
    }
    x = cx_const_int(c, is_not);
    *out = x == NULL ? NULL : coalesce_of(c, e, test, x);
    return *out == NULL ? CHORUS_NOMEM : CHORUS_OK;
}

static int
compile_binary(cctx *c, scope *s, const ast_expr *e, cx **out)
{
    cx *l, *r, *x;
    bool truth;
    int rc;

    rc = compile_operand(c, s, e, e->left, &l);
    if (rc == CHORUS_OK)
        rc = compile_operand(c, s, e, e->right, &r);
    if (rc != CHORUS_OK)
        return rc;
    if ((e->op == AST_OP_IS || e->op == AST_OP_IS_NOT) && !is_vector(l) &&
        truth_literal(e->right, r, &truth))
        return compile_truth_test(c, e, l, truth, out);
    switch (e->op) {
    case AST_OP_AND:
    case AST_OP_OR:
        x = cx_new(c, e->op == AST_OP_AND ? CX_AND : CX_OR, e);
        break;
    case AST_OP_EQ: case AST_OP_NE: case AST_OP_IS: case AST_OP_IS_NOT:
    case AST_OP_LT: case AST_OP_LE: case AST_OP_GT: case AST_OP_GE:
        if (vector_size(l) != vector_size(r))
            return cc_error(c, "row value misused");
        if (is_vector(l) || is_vector(r))
            return cc_row_compare(c, e, e->op, l, r, out);     /* rowvalue.c */
        x = cx_new(c, CX_CMP, e);
        if (x != NULL)
            x->coll = cx_compare_collation(l, r);
        break;
    case AST_OP_JSON_GET:
    case AST_OP_JSON_GET_SQL:
        /* the functions "->" and "->>" (core/func/json_scalar.c) rewrite the
         * right operand into a path themselves */
        if (is_vector(l) || is_vector(r))
            return cc_error(c, "row value misused");
        x = cx_new(c, CX_FUNC, e);
        if (x == NULL)
            return CHORUS_NOMEM;
        x->fn = func_find(e->op == AST_OP_JSON_GET ? "->" : "->>", 2, NULL);
        x->n_args = 2;
        x->args = cc_alloc(c, 2 * sizeof *x->args);
        x->argv = cc_alloc(c, 2 * sizeof *x->argv);
        if (x->fn == NULL || x->args == NULL || x->argv == NULL)
            return x->fn == NULL ? cc_error(c, "no such function: %s",
                                            e->op == AST_OP_JSON_GET ? "->" : "->>")
                                 : CHORUS_NOMEM;
        x->args[0] = l;
        x->args[1] = r;
        value_set_null(&x->argv[0]);
        value_set_null(&x->argv[1]);
        *out = x;
        return CHORUS_OK;
    default:
        if (is_vector(l) || is_vector(r))
            return cc_error(c, "row value misused");
        x = cx_new(c, CX_ARITH, e);
        break;
    }
    if (x == NULL)
        return CHORUS_NOMEM;
    x->op = e->op;
    x->left = l;
    x->right = r;
    *out = x;
    return CHORUS_OK;
}

static int
compile_collate(cctx *c, scope *s, const ast_expr *e, cx **out)
{
    cx *inner, *x;
    int coll = collation_find(e->name);
    int rc;

    if (coll < 0)
        return cc_error(c, "no such collation sequence: %s", e->name);
    rc = cc_expr(c, s, e->left, &inner);
    if (rc != CHORUS_OK)
        return rc;
    if (is_vector(inner))
        return cc_error(c, "row value misused");
    if (inner->kind == CX_CMP || inner->kind == CX_BETWEEN || inner->kind == CX_IN_LIST ||
        inner->kind == CX_IN_SELECT || inner->kind == CX_LIKE || inner->kind == CX_FUNC ||
        inner->kind == CX_CASE) {
        /* these compare with their own coll: (a < b) COLLATE NOCASE only gives
         * its result a collation, as in SQLite; a pass-through node carries it */
        x = cx_new(c, CX_UNARY, e);
        if (x == NULL)
            return CHORUS_NOMEM;
        x->op = AST_OP_PLUS;
        x->left = inner;
        x->aff = inner->aff;
    } else {
        x = cc_alloc(c, sizeof *x);
        if (x == NULL)
            return CHORUS_NOMEM;
        *x = *inner;
    }
    x->coll = (uint8_t)coll;
    x->coll_explicit = true;
    *out = x;
    return CHORUS_OK;
}

static int
compile_cast(cctx *c, scope *s, const ast_expr *e, cx **out)
{
    cx *x = cx_new(c, CX_CAST, e);
    int rc;

    if (x == NULL)
        return CHORUS_NOMEM;
    rc = cc_expr(c, s, e->left, &x->left);
    if (rc != CHORUS_OK)
        return rc;
    x->aff = affinity_from_cast_type(e->name);
    x->coll = x->left->coll;
    x->coll_explicit = x->left->coll_explicit;
    *out = x;
    return CHORUS_OK;
}

/* ------------------------------------------------------------ functions */

static int
agg_add(cctx *c, scope *s, plan_agg **out)
{
    plan_query *q = s->q;

    if (q->n_aggs == s->cap_aggs) {
        int cap = s->cap_aggs ? s->cap_aggs * 2 : 8;
        plan_agg *p = cc_alloc(c, (size_t)cap * sizeof *p);
        if (p == NULL)
            return CHORUS_NOMEM;
        if (q->n_aggs > 0)
            memcpy(p, q->aggs, (size_t)q->n_aggs * sizeof *p);
        q->aggs = p;
        s->cap_aggs = cap;
    }
    *out = &q->aggs[q->n_aggs++];
    memset(*out, 0, sizeof **out);
    (*out)->filter_col = -1;
    return CHORUS_OK;
}

/* f(x ORDER BY k, ...): the keys become group row values after the
 * arguments; agg.c steps the group's rows in key order (stable). */
static int
aggregate_order_by(cctx *c, scope *s, const ast_list *order, int agg_index)
{
    int n = order->n, idx, rc = CHORUS_OK;
    cx **keys = cc_alloc(c, (size_t)n * sizeof *keys);
    uint8_t *desc = cc_alloc(c, (size_t)n), *coll = cc_alloc(c, (size_t)n);
    plan_agg *agg;

    if (keys == NULL || desc == NULL || coll == NULL)
        return CHORUS_NOMEM;
    s->in_agg_arg = true;
    for (int i = 0; i < n && rc == CHORUS_OK; i++)
        rc = cc_expr(c, s, order->items[i].expr, &keys[i]);
    s->in_agg_arg = false;
    if (rc != CHORUS_OK)
        return rc;
    agg = &s->q->aggs[agg_index];
    agg->first_order = s->q->n_gcols;
    for (int i = 0; i < n && rc == CHORUS_OK; i++) {
        desc[i] = cc_order_flags(&order->items[i]);
        coll[i] = keys[i]->coll;
        rc = gcol_add(c, s, keys[i], &idx);
    }
    agg = &s->q->aggs[agg_index];
    agg->n_order = n;
    agg->order_desc = desc;
    agg->order_coll = coll;
    return rc;
}

/* ------------------------------------------------ aggregate ownership (X4) */

/* Whether a FROM list has an item named (alias, else table name) t. */
static bool
from_names(const ast_from_item *it, const char *t)
{
    for (; it != NULL; it = it->next) {
        const char *n = it->alias != NULL ? it->alias : it->name;
        if (n != NULL && strcasecmp(n, t) == 0)
            return true;
        if (it->kind == AST_FROM_NESTED && from_names(it->nested, t))
            return true;
    }
    return false;
}

/* Whether scope sc has a source with the column e names (no side effects). */
static bool
scope_has_column(const scope *sc, const ast_expr *e)
{
    int i = 0;

    return scope_next_column(sc, e, &i) != -2;
}

/* A walk over an aggregate's arguments: the aggregate sits n_chain select
 * cores (not yet compiled) inside scope s; level of a column reference:
 * 0 .. n_chain-1 one of those cores (innermost first), n_chain + i the
 * i-th scope outwards from s. min_level is the innermost level named. */
typedef struct agg_owner_walk {
    cctx *c;
    scope *s;
    const ast_select_core *chain[16];
    int n_chain;
    int min_level;
    const ast_select_core *args_sub[16];    /* subqueries inside the arguments */
    int n_args_sub;
} agg_owner_walk;

static void
owner_column(agg_owner_walk *w, const ast_expr *e)
{
    int level = w->n_chain;

    for (int j = 0; j < w->n_args_sub; j++)
        if (e->table == NULL || from_names(w->args_sub[j]->from, e->table))
            return;     /* a column of a subquery of the arguments */

    for (int j = w->n_chain - 1; j >= 0; j--) {
        if (e->table == NULL || from_names(w->chain[j]->from, e->table)) {
            level = w->n_chain - 1 - j;     /* unqualified in a subquery: its own */
            break;
        }
    }
    if (level == w->n_chain) {
        const scope *sc = w->s;
        for (; sc != NULL && !scope_has_column(sc, e); sc = sc->outer)
            level++;
        if (sc == NULL)
            return;     /* unknown name: compiling reports it */
    }
    if (level < w->min_level)
        w->min_level = level;
}

/* Whether column col (-1 the rowid) of t never reads NULL, as SQLite's
 * sqlite3ExprCanBeNull sees it: the rowid, its alias, NOT NULL columns. */
static bool
table_column_never_null(const catalog_table *t, int col)
{
    return col < 0 || col == t->rowid_alias || t->cols[col].not_null;
}

/* Whether source i of sc may be all NULLs (an outer join's null row). */
static bool
scope_source_nullable(const scope *sc, int i)
{
    const plan_query *q = sc->q;

    if (q == NULL || i >= q->n_levels)
        return true;
    if (q->levels[i].is_left)
        return true;
    for (int k = i + 1; k < q->n_levels; k++)
        if (q->levels[k].is_right)
            return true;
    return false;
}

/* Whether column reference e, resolved in compiled scope sc, never reads NULL. */
static bool
scope_column_never_null(const scope *sc, const ast_expr *e)
{
    int i = 0;
    int col = scope_next_column(sc, e, &i);

    return col != -2 && sc->src[i].table != NULL &&
           table_column_never_null(sc->src[i].table, col) && !scope_source_nullable(sc, i);
}

/* Whether column reference e, naming a source of the (not yet compiled)
 * FROM list from, never reads NULL: a table column as above, on a side of
 * every join that never gives a null row. */
static bool
from_column_never_null(cctx *c, const ast_from_item *from, const ast_expr *e)
{
    for (const ast_from_item *it = from; it != NULL; it = it->next) {
        const char *n = it->alias != NULL ? it->alias : it->name;
        const catalog *cat;
        const catalog_table *t;
        bool nullable = it->join == AST_JOIN_LEFT || it->join == AST_JOIN_FULL;
        bool had_error = c->errmsg != NULL;
        int col;
        if (it->kind != AST_FROM_TABLE || n == NULL ||
            (e->table != NULL && strcasecmp(n, e->table) != 0))
            continue;
        if (it->schema == NULL)
            for (const cc_cte *x = c->ctes; x != NULL; x = x->next)
                if (strcasecmp(x->cte->name, it->name) == 0)
                    return false;
        if (cc_catalog_for(c, it->schema, it->name, &cat) != CHORUS_OK) {
            if (!had_error) {           /* compiling the item reports it */
                free(c->errmsg);
                c->errmsg = NULL;
            }
            return false;
        }
        if (cat == NULL || (t = catalog_table_find(cat, it->name)) == NULL)
            return false;
        col = catalog_table_column_resolve(t, e->name);
        if (col < CATALOG_COLUMN_ROWID)
            continue;
        for (const ast_from_item *later = it->next; later != NULL; later = later->next)
            nullable = nullable || later->join == AST_JOIN_RIGHT || later->join == AST_JOIN_FULL;
        return !nullable && table_column_never_null(t, col);
    }
    return false;
}

/* Whether operand e of IS [NOT] NULL never is NULL (SQLite's
 * sqlite3ExprCanBeNull after unary + and -): a literal, or a column as above. */
static bool
owner_never_null(agg_owner_walk *w, const ast_expr *e)
{
    while (e->kind == EXPR_UNARY && (e->op == AST_OP_NEG || e->op == AST_OP_PLUS))
        e = e->left;
    switch (e->kind) {
    case EXPR_INTEGER: case EXPR_FLOAT: case EXPR_STRING: case EXPR_BLOB:
        return true;
    case EXPR_COLUMN:
        break;
    default:
        return false;
    }
    for (int j = 0; j < w->n_args_sub; j++)
        if (e->table == NULL || from_names(w->args_sub[j]->from, e->table))
            return false;
    for (int j = w->n_chain - 1; j >= 0; j--)
        if (e->table == NULL || from_names(w->chain[j]->from, e->table))
            return from_column_never_null(w->c, w->chain[j]->from, e);
    for (const scope *sc = w->s; sc != NULL; sc = sc->outer)
        if (scope_has_column(sc, e))
            return scope_column_never_null(sc, e);
    return false;
}

/* Whether SQLite's parser marks e always false (EP_IsFalse): the integer
 * literal 0, x IN () (not NOT IN), and an AND it folds (ast_and_folds). */
static bool
ast_always_false(const ast_expr *e)
{
    return e != NULL && ((e->kind == EXPR_INTEGER && e->ival == 0) ||
                         (e->kind == EXPR_IN_LIST && e->list.n == 0 && !e->is_not) ||
                         ast_and_folds(e));
}

bool
ast_and_folds(const ast_expr *e)
{
    return e->kind == EXPR_BINARY && e->op == AST_OP_AND &&
           (ast_always_false(e->left) || ast_always_false(e->right));
}

/* Whether SQLite replaces e by a constant before it decides which query
 * owns an aggregate (so that e names no column): x [NOT] IN () and an AND
 * with an always false side, folded while parsing; x IS [NOT] NULL, x
 * never NULL, folded while resolving names ("NOT NULL strength reduction"). */
static bool
owner_folded(agg_owner_walk *w, const ast_expr *e)
{
    if (e->kind == EXPR_IN_LIST && e->list.n == 0)
        return true;
    if (ast_and_folds(e))
        return true;
    if (e->kind == EXPR_ISNULL)
        return owner_never_null(w, e->left);
    if (e->kind == EXPR_BINARY && (e->op == AST_OP_IS || e->op == AST_OP_IS_NOT) &&
        e->right->kind == EXPR_NULL)
        return owner_never_null(w, e->left);
    return false;
}

static void owner_walk(agg_owner_walk *w, const ast_expr *e);

/* Whether e is x IS [NOT] NULL (any spelling) with x never NULL in scope s. */
static bool
null_test_folds(cctx *c, scope *s, const ast_expr *e)
{
    agg_owner_walk w;

    if (e->kind != EXPR_ISNULL && !(e->kind == EXPR_BINARY && e->right->kind == EXPR_NULL &&
                                    (e->op == AST_OP_IS || e->op == AST_OP_IS_NOT)))
        return false;
    memset(&w, 0, sizeof w);
    w.c = c;
    w.s = s;
    return owner_folded(&w, e);
}

static void
owner_walk_select(agg_owner_walk *w, const ast_select *sel)
{
    for (const ast_select_core *core = sel->cores; core != NULL; core = core->next) {
        if (w->n_args_sub == (int)(sizeof w->args_sub / sizeof w->args_sub[0]))
            return;
        w->args_sub[w->n_args_sub++] = core;
        for (int i = 0; i < core->result.n; i++)
            owner_walk(w, core->result.items[i].expr);
        for (int i = 0; i < core->values.n; i++)
            owner_walk(w, core->values.items[i].expr);
        owner_walk(w, core->where);
        owner_walk(w, core->having);
        for (int i = 0; i < core->group_by.n; i++)
            owner_walk(w, core->group_by.items[i].expr);
        w->n_args_sub--;
    }
}

static void
owner_walk(agg_owner_walk *w, const ast_expr *e)
{
    if (e == NULL)
        return;
    if (e->kind == EXPR_COLUMN) {
        owner_column(w, e);
        return;
    }
    if (owner_folded(w, e))
        return;
    if (e->select != NULL)
        owner_walk_select(w, e->select);
    owner_walk(w, e->left);
    owner_walk(w, e->right);
    owner_walk(w, e->escape);
    owner_walk(w, e->filter);
    for (int i = 0; i < e->list.n; i++)
        owner_walk(w, e->list.items[i].expr);
}

/* The level (see agg_owner_walk) of the query an aggregate call belongs to:
 * as SQLite, the innermost query whose sources its arguments name; with no
 * column reference, the query it appears in (level 0). */
static int
agg_owner_level(agg_owner_walk *w, const ast_expr *call)
{
    w->min_level = 1 << 30;
    owner_walk(w, call);
    return w->min_level == 1 << 30 ? 0 : w->min_level;
}

static bool owner_select_has(agg_owner_walk *w, const ast_select *sel);

/* Whether e holds an aggregate call that belongs to scope s's query (with
 * w->n_chain cores between e and s), subqueries included. */
static bool
owner_expr_has(agg_owner_walk *w, const ast_expr *e)
{
    if (e == NULL || owner_folded(w, e))
        return false;
    if (ast_is_aggregate_call(e) && agg_owner_level(w, e) == w->n_chain)
        return true;
    if (e->select != NULL && owner_select_has(w, e->select))
        return true;
    if (owner_expr_has(w, e->left) || owner_expr_has(w, e->right) ||
        owner_expr_has(w, e->escape))
        return true;
    for (int i = 0; i < e->list.n; i++)
        if (owner_expr_has(w, e->list.items[i].expr))
            return true;
    return false;
}

static bool
owner_select_has(agg_owner_walk *w, const ast_select *sel)
{
    bool found = false;

    if (w->n_chain == (int)(sizeof w->chain / sizeof w->chain[0]))
        return false;
    for (const ast_select_core *core = sel->cores; core != NULL && !found; core = core->next) {
        if (core->is_values)
            continue;
        w->chain[w->n_chain++] = core;
        for (int i = 0; i < core->result.n && !found; i++)
            found = owner_expr_has(w, core->result.items[i].expr);
        found = found || owner_expr_has(w, core->where) || owner_expr_has(w, core->having);
        w->n_chain--;
    }
    return found;
}

bool
cc_owns_aggregate(cctx *c, scope *s, const ast_expr *e)
{
    agg_owner_walk w;

    memset(&w, 0, sizeof w);
    w.c = c;
    w.s = s;
    return owner_expr_has(&w, e);
}

/* An aggregate call in an aggregate query's output becomes a plan_agg whose
 * arguments are group row values (X2). */
static int
compile_aggregate(cctx *c, scope *s, const ast_expr *e, const func_def *fn, cx **out)
{
    int n = e->is_star ? 0 : e->list.n;
    cx **args = NULL;
    plan_agg *agg;
    int agg_index, first = 0, idx;
    cx *x;
    scope *saved_owner = c->agg_owner, *saved_origin = c->agg_origin, *origin = s;
    int rc;

    if (s != NULL) {                /* X4: it may belong to an enclosing query */
        agg_owner_walk w;
        int level;
        memset(&w, 0, sizeof w);
        w.c = c;
        w.s = s;
        level = agg_owner_level(&w, e);
        if (level > 0) {
            scope *owner = s;
            for (int i = 0; i < level && owner->outer != NULL; i++)
                owner = owner->outer;
            if (owner->first_cursor < c->min_ref)
                c->min_ref = owner->first_cursor;   /* the subquery is correlated */
            s = owner;
        }
    }
    if (s == NULL || s->no_agg || !s->agg_mode)
        return cc_error(c, "misuse of aggregate: %s()", e->name);
    if (s->in_agg_arg)
        return cc_error(c, "misuse of aggregate function %s()", e->name);
    if (e->is_distinct && n != 1)
        return cc_error(c, "DISTINCT aggregates must have exactly one argument");
    args = cc_alloc(c, (size_t)(n + 1) * sizeof *args);
    if (args == NULL)
        return CHORUS_NOMEM;
    if (origin != s) {
        c->agg_owner = s;
        c->agg_origin = origin;
    }
    s->in_agg_arg = true;
    rc = CHORUS_OK;
    for (int i = 0; i < n && rc == CHORUS_OK; i++)
        rc = cc_expr(c, s, e->list.items[i].expr, &args[i]);
    if (rc == CHORUS_OK && e->filter != NULL)
        rc = cc_expr(c, s, e->filter, &args[n]);
    s->in_agg_arg = false;
    c->agg_owner = saved_owner;
    c->agg_origin = saved_origin;
    if (rc != CHORUS_OK)
        return rc;
    first = s->q->n_gcols;
    for (int i = 0; i < n; i++) {
        rc = gcol_add(c, s, args[i], &idx);
        if (rc != CHORUS_OK)
            return rc;
    }
    agg_index = s->q->n_aggs;
    rc = agg_add(c, s, &agg);
    if (rc != CHORUS_OK)
        return rc;
    agg->fn = fn;
    agg->n_args = n;
    agg->first_arg = first;
    agg->distinct = e->is_distinct;
    agg->coll = n > 0 ? args[0]->coll : COLLATE_BINARY;
    if (e->filter != NULL) {
        rc = gcol_add(c, s, args[n], &agg->filter_col);
        if (rc != CHORUS_OK)
            return rc;
    }
    if (e->order_by.n > 0) {
        rc = aggregate_order_by(c, s, &e->order_by, agg_index);
        if (rc != CHORUS_OK)
            return rc;
    }
    x = cx_new(c, CX_AGG, e);
    if (x == NULL)
        return CHORUS_NOMEM;
    x->index = agg_index;
    x->sub = s->q;
    *out = x;
    return CHORUS_OK;
}

/* f(*) is f() for every function, as in SQLite (sqlite_version(*)). */
static int
compile_function(cctx *c, scope *s, const ast_expr *e, cx **out)
{
    int n = e->is_star ? 0 : e->list.n;
    bool exists = false;
    const func_def *fn = func_find(e->name, n, &exists);
    cx *x;
    int rc;

    if (e->over != NULL || (fn == NULL && cc_window_is_builtin(e->name)))
        return cc_window_call(c, s, e, out);        /* window.c */
    if (fn == NULL) {
        if (exists)
            return cc_error(c, "wrong number of arguments to function %s()", e->name);
        return cc_error(c, "no such function: %s", e->name);
    }
    if (fn->flags & FUNC_AGGREGATE)
        return compile_aggregate(c, s, e, fn, out);
    if (e->is_distinct)
        return cc_error(c, "DISTINCT aggregates must have exactly one argument");
    if (e->filter != NULL)
        return cc_error(c, "FILTER may not be used with non-aggregate %s()", e->name);
    x = cx_new(c, CX_FUNC, e);
    if (x == NULL)
        return CHORUS_NOMEM;
    x->fn = fn;
    rc = compile_list(c, s, &e->list, x);
    if (rc != CHORUS_OK)
        return rc;
    x->argv = cc_alloc(c, (size_t)(n ? n : 1) * sizeof *x->argv);
    if (x->argv == NULL)
        return CHORUS_NOMEM;
    for (int i = 0; i < n; i++) {
        value_set_null(&x->argv[i]);
        if (x->args[i]->coll_explicit && !x->coll_explicit) {
            x->coll = x->args[i]->coll;
            x->coll_explicit = true;
        }
    }
    for (int i = 0; i < n; i++) {
        if (cx_carries_collation(x->args[i])) {                 /* X10 */
            x->index = x->args[i]->coll;
            break;
        }
    }
    *out = x;
    return CHORUS_OK;
}

/* ----------------------------------------------------------- subqueries */

static int
compile_subquery(cctx *c, scope *s, const ast_select *sel, cx *x)
{
    int saved_min = c->min_ref;
    int base = c->n_cursors;
    int rc;

    c->min_ref = INT32_MAX;
    if (++c->depth > 64)
        return cc_error(c, "too many levels of nesting");
    rc = cc_select(c, s, sel, &x->sub);
    c->depth--;
    x->is_correlated = c->min_ref < base;
    if (saved_min < c->min_ref)
        c->min_ref = saved_min;
    return rc;
}

/* x IN t is x IN (SELECT * FROM t): the select is made up here. */
static const ast_select *
in_table_select(cctx *c, const ast_expr *e)
{
    ast_select *sel = cc_alloc(c, sizeof *sel);
    ast_select_core *core = cc_alloc(c, sizeof *core);
    ast_from_item *from = cc_alloc(c, sizeof *from);
    ast_list_item *item = cc_alloc(c, sizeof *item);
    ast_expr *star = cc_alloc(c, sizeof *star);

    if (!sel || !core || !from || !item || !star)
        return NULL;
    star->kind = EXPR_STAR;
    star->span = e->span;
    item->expr = star;
    core->result.n = 1;
    core->result.items = item;
    from->kind = AST_FROM_TABLE;
    from->schema = e->schema;
    from->name = e->name;
    core->from = from;
    sel->cores = core;
    sel->span = e->span;
    return sel;
}

static int
compile_in(cctx *c, scope *s, const ast_expr *e, cx **out)
{
    cx *x = cx_new(c, e->kind == EXPR_IN_LIST ? CX_IN_LIST : CX_IN_SELECT, e);
    const ast_select *sel = e->select;
    int rc;

    if (x == NULL)
        return CHORUS_NOMEM;
    if (e->kind == EXPR_IN_LIST && e->list.n == 0) {
        /* SQLite folds x [NOT] IN () to a constant while parsing: x is never
         * compiled (nor its aggregates or subqueries) */
        *out = cx_const_int(c, e->is_not);
        if (*out == NULL)
            return CHORUS_NOMEM;
        (*out)->ast = e;        /* a truth constant (core/vm/expr_eval.c E6) */
        return CHORUS_OK;
    }
    x->is_not = e->is_not;
    rc = cc_expr(c, s, e->left, &x->left);
    if (rc != CHORUS_OK)
        return rc;
    if (e->kind == EXPR_IN_LIST) {
        rc = compile_list(c, s, &e->list, x);
        if (rc != CHORUS_OK)
            return rc;
        for (int i = 0; i < x->n_args; i++)
            if (vector_size(x->args[i]) != vector_size(x->left))
                return is_vector(x->left)
                           ? cc_error(c, "IN(...) element has %d term%s - expected %d",
                                      vector_size(x->args[i]),
                                      vector_size(x->args[i]) == 1 ? "" : "s",
                                      vector_size(x->left))
                           : cc_error(c, "row value misused");
        if (is_vector(x->left))
            return cc_row_in_list(c, e, x->left, x->args, x->n_args, e->is_not, out);
    } else {
        if (e->kind == EXPR_IN_TABLE) {
            if (e->list.n > 0)
                return cc_error(c, "not supported yet: table-valued functions");
            sel = in_table_select(c, e);
            if (sel == NULL)
                return CHORUS_NOMEM;
        }
        rc = compile_subquery(c, s, sel, x);
        if (rc != CHORUS_OK)
            return rc;
        if (x->sub->n_cols != vector_size(x->left))
            return cc_error(c, "sub-select returns %d columns - expected %d", x->sub->n_cols,
                            vector_size(x->left));
        if (is_vector(x->left)) {
            x->coll = x->left->coll;    /* expr_eval.c compares per column */
            *out = x;
            return CHORUS_OK;
        }
        {
            cx tmp;
            memset(&tmp, 0, sizeof tmp);
            tmp.aff = x->sub->col_aff[0];
            x->cmp_aff = cx_compare_affinity(x->left, &tmp);
            /* the collation of x = (the subquery's column expression; of a
             * compound, its last arm's), as SQLite's IN picks it */
            const plan_query *last = x->sub;
            while (last->kind == PQ_COMPOUND)
                last = last->right;
            tmp.kind = CX_CONST;
            tmp.coll = COLLATE_BINARY;
            x->coll = cx_compare_collation(x->left, last->kind == PQ_CORE && last->result != NULL
                                                        ? last->result[0] : &tmp);
        }
        *out = x;
        return CHORUS_OK;
    }
    x->coll = x->left->coll;
    *out = x;
    return CHORUS_OK;
}

static int
compile_scalar_subquery(cctx *c, scope *s, const ast_expr *e, cx **out)
{
    return compile_subquery_value(c, s, e, false, out);
}

static int
compile_subquery_value(cctx *c, scope *s, const ast_expr *e, bool allow_row, cx **out)
{
    cx *x = cx_new(c, e->kind == EXPR_EXISTS ? CX_EXISTS : CX_SUBQUERY, e);
    int rc;

    if (x == NULL)
        return CHORUS_NOMEM;
    x->is_not = e->is_not;
    rc = compile_subquery(c, s, e->select, x);
    if (rc != CHORUS_OK)
        return rc;
    if (x->kind == CX_SUBQUERY) {
        if (x->sub->n_cols != 1 && !allow_row)
            return cc_error(c, "sub-select returns %d columns - expected 1", x->sub->n_cols);
        x->aff = x->sub->col_aff[0];
        x->coll = x->sub->col_coll[0];
    }
    *out = x;
    return CHORUS_OK;
}

/* ------------------------------------------------------------- others */

static int
compile_case(cctx *c, scope *s, const ast_expr *e, cx **out)
{
    cx *x = cx_new(c, CX_CASE, e);
    int rc;

    if (x == NULL)
        return CHORUS_NOMEM;
    if (e->left != NULL) {
        rc = cc_expr(c, s, e->left, &x->left);
        if (rc != CHORUS_OK)
            return rc;
    }
    rc = compile_list(c, s, &e->list, x);
    if (rc == CHORUS_OK && e->right != NULL)
        rc = cc_expr(c, s, e->right, &x->right);
    if (rc != CHORUS_OK)
        return rc;
    *out = x;
    return CHORUS_OK;
}

static int
compile_between(cctx *c, scope *s, const ast_expr *e, cx **out)
{
    cx *x = cx_new(c, CX_BETWEEN, e);
    int rc;

    if (x == NULL)
        return CHORUS_NOMEM;
    x->is_not = e->is_not;
    rc = cc_expr(c, s, e->left, &x->left);
    if (rc == CHORUS_OK)
        rc = compile_list(c, s, &e->list, x);
    if (rc != CHORUS_OK)
        return rc;
    if (x->n_args != 2)
        return cc_error(c, "malformed BETWEEN");
    if (is_vector(x->left) || is_vector(x->args[0]) || is_vector(x->args[1]))
        return cc_row_between(c, e, x->left, x->args[0], x->args[1], e->is_not, out);
    /* each bound compares under its own comparison's collation, as SQLite's
     * x >= lo AND x <= hi: a literal x takes a column bound's */
    x->index = cx_compare_collation(x->left, x->args[0]) |
               cx_compare_collation(x->left, x->args[1]) << 8;
    *out = x;
    return CHORUS_OK;
}

static int
compile_like(cctx *c, scope *s, const ast_expr *e, cx **out)
{
    cx *x;
    int rc;

    if (e->op == AST_OP_REGEXP)
        return cc_error(c, "no such function: REGEXP");
    if (e->op == AST_OP_MATCH)
        return cc_error(c, "no such function: MATCH");
    x = cx_new(c, CX_LIKE, e);
    if (x == NULL)
        return CHORUS_NOMEM;
    x->op = e->op;
    x->is_not = e->is_not;
    rc = cc_expr(c, s, e->left, &x->left);
    if (rc == CHORUS_OK)
        rc = cc_expr(c, s, e->right, &x->right);
    if (rc == CHORUS_OK && e->escape != NULL)
        rc = cc_expr(c, s, e->escape, &x->extra);
    if (rc != CHORUS_OK)
        return rc;
    *out = x;
    return CHORUS_OK;
}

static int
compile_vector(cctx *c, scope *s, const ast_expr *e, cx **out)
{
    cx *x;
    int rc;

    if (e->list.n == 1)
        return cc_expr(c, s, e->list.items[0].expr, out);
    x = cx_new(c, CX_VECTOR, e);
    if (x == NULL)
        return CHORUS_NOMEM;
    rc = compile_list(c, s, &e->list, x);
    if (rc != CHORUS_OK)
        return rc;
    *out = x;
    return CHORUS_OK;
}

static int
compile_simple(cctx *c, scope *s, const ast_expr *e, int kind, cx **out)
{
    cx *x = cx_new(c, kind, e);
    int rc;

    if (x == NULL)
        return CHORUS_NOMEM;
    x->is_not = e->is_not;
    rc = cc_expr(c, s, e->left, &x->left);
    if (rc != CHORUS_OK)
        return rc;
    *out = x;
    return CHORUS_OK;
}

/* X9: SQLite's EP_Collate: a COLLATE anywhere inside an operator, CASE,
 * BETWEEN, IN, LIKE or IS NULL gives its value that collation (for a
 * compound's ORDER BY, an outer comparison): the first operand's, else the
 * first other operand's that has one, in SQLite's order (LIKE: the pattern
 * first). IN keeps its left operand's, the collation it compares with. */
static int
explicit_collation(int rc, cx **out)
{
    const cx *order[4];
    cx *x = *out;
    int n = 0;

    if (rc != CHORUS_OK || x == NULL || x->coll_explicit)
        return rc;
    if (x->kind == CX_IN_LIST || x->kind == CX_IN_SELECT) {
        x->coll_explicit = x->left != NULL && x->left->coll_explicit;
        return rc;
    }
    if (x->kind == CX_LIKE)
        order[n++] = x->right;
    order[n++] = x->left;
    for (int i = 0; i < x->n_args; i++) {
        if (x->args[i] != NULL && x->args[i]->coll_explicit) {
            order[n++] = x->args[i];
            break;
        }
    }
    if (x->kind != CX_LIKE)
        order[n++] = x->right;
    order[n++] = x->kind == CX_LIKE ? x->extra : NULL;
    for (int i = 0; i < n; i++) {
        if (order[i] != NULL && order[i]->coll_explicit) {
            x->coll = order[i]->coll;
            x->coll_explicit = true;
            break;
        }
    }
    return rc;
}

int
cc_expr(cctx *c, scope *s, const ast_expr *e, cx **out)
{
    const int *limits = c->env->limits;     /* sqlite3_limit's, as its parser checks them */

    *out = NULL;
    if (limits != NULL && e->height > limits[CHORUS_LIMIT_EXPR_DEPTH])
        return cc_error(c, "Expression tree is too large (maximum depth %d)",
                        limits[CHORUS_LIMIT_EXPR_DEPTH]);
    if (limits != NULL && e->kind == EXPR_FUNCTION &&
        e->list.n > limits[CHORUS_LIMIT_FUNCTION_ARG])
        return cc_error(c, "too many arguments on function %s", e->name);
    if (c->env->auth != NULL && e->kind == EXPR_FUNCTION) {     /* authorize.c AZ2 */
        bool ignore;
        int rc = cc_authorize(c, CHORUS_AUTH_FUNCTION, NULL, e->name, NULL, &ignore);
        if (rc != CHORUS_OK || (ignore && (*out = cx_new(c, CX_CONST, e)) == NULL))
            return rc != CHORUS_OK ? rc : CHORUS_NOMEM;
        if (ignore)
            return CHORUS_OK;
    }
    if (ast_and_folds(e)) {
        /* X7: SQLite's parser turns x AND 0 (0 AND x, x IN () AND x, ...)
         * into 0: x is never compiled, so it raises no error */
        *out = cx_const_int(c, 0);
        return *out == NULL ? CHORUS_NOMEM : CHORUS_OK;
    }
    if (null_test_folds(c, s == c->agg_owner ? c->agg_origin : s, e)) {
        /* X6: as SQLite, x IS [NOT] NULL with x never NULL is a constant,
         * also where x's row is missing (an aggregate over no rows); in the
         * arguments of an aggregate owned by an enclosing query, x may name
         * the query the call appears in */
        *out = cx_const_int(c, e->kind == EXPR_ISNULL ? e->is_not : e->op == AST_OP_IS_NOT);
        return *out == NULL ? CHORUS_NOMEM : CHORUS_OK;
    }
    switch (e->kind) {
    case EXPR_NULL:
    case EXPR_INTEGER:
    case EXPR_FLOAT:
    case EXPR_STRING:
    case EXPR_BLOB:
        return compile_literal(c, e, out);
    case EXPR_PARAM:
        return compile_param(c, e, out);
    case EXPR_COLUMN:
        if (s == NULL && c->base == NULL && !e->is_quoted && e->table == NULL &&
            strcasecmp(e->name, "true") != 0 && strcasecmp(e->name, "false") != 0)
            return cc_error(c, "no such column: %s", e->name);
        return resolve_column(c, s, e, out);
    case EXPR_STAR:
        return cc_error(c, "near \"*\": syntax error");
    case EXPR_UNARY:
        return explicit_collation(compile_unary(c, s, e, out), out);
    case EXPR_BINARY:
        return explicit_collation(compile_binary(c, s, e, out), out);
    case EXPR_COLLATE:
        return compile_collate(c, s, e, out);
    case EXPR_CAST:
        return compile_cast(c, s, e, out);
    case EXPR_FUNCTION:
        return compile_function(c, s, e, out);
    case EXPR_CASE:
        return explicit_collation(compile_case(c, s, e, out), out);
    case EXPR_BETWEEN:
        return explicit_collation(compile_between(c, s, e, out), out);
    case EXPR_IN_LIST:
    case EXPR_IN_SELECT:
    case EXPR_IN_TABLE:
        return explicit_collation(compile_in(c, s, e, out), out);
    case EXPR_LIKE:
        return explicit_collation(compile_like(c, s, e, out), out);
    case EXPR_ISNULL:
        return explicit_collation(compile_simple(c, s, e, CX_ISNULL, out), out);
    case EXPR_EXISTS:
    case EXPR_SUBQUERY:
        return compile_scalar_subquery(c, s, e, out);
    case EXPR_VECTOR:
        return compile_vector(c, s, e, out);
    case EXPR_RAISE:
        if (c->in_trigger)
            return cc_raise(c, s, e, out);
        return cc_error(c, "RAISE() may only be used within a trigger-program");
    default:
        return cc_error(c, "not supported yet: expression kind %d", e->kind);
    }
}
