/*
 * core/compile/select.c: compiles SELECT: CTEs, compound selects, VALUES,
 * and each core's result list (with * expansion), WHERE (handed to the
 * planner in where.c), GROUP BY / HAVING / aggregates, DISTINCT, ORDER BY
 * and LIMIT/OFFSET; and names the result columns as SQLite does.
 *
 * Invariants
 *   S1  Every query node has n_cols result columns with an affinity, a
 *       collation and names (col_names for a statement's result, src_names
 *       for a FROM subquery's columns, which differ for plain column
 *       references: the declared name versus the name as written).
 *   S2  ORDER BY keys index the sort row: result columns first, then the
 *       extra key expressions a core needs (compound selects have none).
 *   S3  A core's plan is chosen after it is compiled: access paths (where.c
 *       P8), then the order that serves ORDER BY (order.c), GROUP BY and
 *       DISTINCT (group_order.c), then min/max (minmax.c). Under a
 *       compound's ORDER BY each arm core reads that order where it can
 *       (merge_arm_order); the compound still sorts.
 * Callers: compile.c, expr.c (subqueries), from.c (FROM subqueries, views,
 * CTEs), dml.c (INSERT ... SELECT).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "compile_int.h"

/* A result column after * expansion. */
typedef struct res_item {
    const ast_expr *ast;    /* NULL for a column expanded from * */
    const char *alias;
    int src, col;           /* expanded column */
    ast_span span;
} res_item;

static const char *
ordinal(int i)
{
    static const char *const names[] = {"1st", "2nd", "3rd", "4th", "5th", "6th", "7th",
                                        "8th", "9th", "10th"};
    return i < 10 ? names[i] : "Nth";
}

/* --------------------------------------------------------- * expansion */

static int
items_push(cctx *c, res_item **items, int *n, int *cap, res_item it)
{
    if (*n == *cap) {
        int ncap = *cap ? *cap * 2 : 16;
        res_item *p = cc_alloc(c, (size_t)ncap * sizeof *p);
        if (p == NULL)
            return CHORUS_NOMEM;
        if (*n > 0)
            memcpy(p, *items, (size_t)*n * sizeof *p);
        *items = p;
        *cap = ncap;
    }
    (*items)[(*n)++] = it;
    return CHORUS_OK;
}

static int
expand_star(cctx *c, scope *s, const ast_expr *e, res_item **items, int *n, int *cap)
{
    bool found = false;
    int rc;

    if (s->n_src == 0)
        return cc_error(c, "no tables specified");
    for (int i = 0; i < s->n_src; i++) {
        const scope_source *src = &s->src[i];
        if (e->table != NULL && (src->name == NULL || strcasecmp(src->name, e->table) != 0))
            continue;
        found = true;
        for (int k = 0; k < src->n_cols; k++) {
            res_item it = {NULL, NULL, i, k, e->span};
            if (src->col_hidden != NULL &&
                (src->col_hidden[k] == SCOPE_COL_ARGUMENT ||
                 (e->table == NULL && src->col_hidden[k] == SCOPE_COL_COALESCED)))
                continue;
            rc = items_push(c, items, n, cap, it);
            if (rc != CHORUS_OK)
                return rc;
        }
    }
    if (!found)
        return cc_error(c, "no such table: %s", e->table);
    return CHORUS_OK;
}

static int
expand_results(cctx *c, scope *s, const ast_list *result, res_item **items_out, int *n_out)
{
    res_item *items = NULL;
    int n = 0, cap = 0, rc;

    for (int i = 0; i < result->n; i++) {
        const ast_expr *e = result->items[i].expr;
        if (e->kind == EXPR_STAR) {
            rc = expand_star(c, s, e, &items, &n, &cap);
        } else {
            res_item it = {e, result->items[i].name, -1, -1, e->span};
            rc = items_push(c, &items, &n, &cap, it);
        }
        if (rc != CHORUS_OK)
            return rc;
    }
    *items_out = items;
    *n_out = n;
    return CHORUS_OK;
}

/* ---------------------------------------------------------------- names */

static const scope_source *
source_of_cursor(const scope *s, int cursor, int *index_out)
{
    for (; s != NULL; s = s->outer)
        for (int i = 0; i < s->n_src; i++)
            if (s->src[i].cursor == cursor) {
                *index_out = i;
                return &s->src[i];
            }
    return NULL;
}

/* The column a result expression reads directly, if it is one. */
static const cx *
plain_column(const plan_query *q, const cx *e)
{
    if (e->kind == CX_GROUPCOL)
        e = e->sub->gcols[e->index];
    return e->kind == CX_COLUMN ? e : NULL;
}

static int
name_results(cctx *c, scope *s, plan_query *q, const res_item *items)
{
    size_t n = (size_t)q->n_cols;

    q->col_names = cc_alloc(c, n * sizeof(char *));
    q->src_names = cc_alloc(c, n * sizeof(char *));
    q->col_decltypes = cc_alloc(c, n * sizeof(char *));
    q->col_tables = cc_alloc(c, n * sizeof(char *));
    q->col_origins = cc_alloc(c, n * sizeof(char *));
    if (!q->col_names || !q->src_names || !q->col_decltypes || !q->col_tables || !q->col_origins)
        return CHORUS_NOMEM;
    for (int i = 0; i < q->n_cols; i++) {
        const res_item *it = &items[i];
        const cx *col = plain_column(q, q->result[i]);
        const scope_source *src = NULL;
        int si = -1;
        if (col != NULL)
            src = source_of_cursor(s, col->cursor, &si);
        if (src != NULL && col->column >= 0) {
            q->col_decltypes[i] = src->col_decltype[col->column];
            q->col_tables[i] = src->col_origin_table[col->column];
            q->col_origins[i] = src->col_origin_col[col->column];
        }
        if (it->alias != NULL) {
            q->col_names[i] = q->src_names[i] = it->alias;
        } else if (it->ast == NULL) {
            q->col_names[i] = q->src_names[i] = s->src[it->src].col_names[it->col];
        } else if (it->ast->kind == EXPR_COLUMN && src != NULL && col->column >= 0) {
            q->col_names[i] = src->col_names[col->column];
            q->src_names[i] = it->ast->name;
        } else if (it->ast->kind == EXPR_COLUMN && src != NULL) {
            q->col_names[i] = "rowid";          /* oid, _rowid_ too, as SQLite names them */
            q->src_names[i] = it->ast->name;
        } else if (it->ast->kind == EXPR_COLUMN) {
            q->col_names[i] = q->src_names[i] = it->ast->name;
        } else {
            q->col_names[i] = q->src_names[i] = cc_span_text(c, it->span);
            if (q->col_names[i] == NULL)
                return CHORUS_NOMEM;
        }
    }
    return CHORUS_OK;
}

static int
alloc_columns(cctx *c, plan_query *q, int n)
{
    q->n_cols = n;
    q->result = cc_alloc(c, (size_t)(n ? n : 1) * sizeof(cx *));
    q->col_aff = cc_alloc(c, (size_t)(n ? n : 1));
    q->col_coll = cc_alloc(c, (size_t)(n ? n : 1));
    return (q->result && q->col_aff && q->col_coll) ? CHORUS_OK : CHORUS_NOMEM;
}

/* ------------------------------------------------------------ ORDER BY */

static int
order_alloc(cctx *c, plan_query *q, int n)
{
    q->n_order = n;
    q->order_col = cc_alloc(c, (size_t)n * sizeof(int));
    q->order_desc = cc_alloc(c, (size_t)n);
    q->order_coll = cc_alloc(c, (size_t)n);
    q->extra = cc_alloc(c, (size_t)n * sizeof(cx *));
    return (q->order_col && q->order_desc && q->order_coll && q->extra) ? CHORUS_OK
                                                                        : CHORUS_NOMEM;
}

/* The result column an ORDER BY term names by number or alias, or -1.
 * Out-of-range numbers are an error. */
static int
order_term_column(cctx *c, const plan_query *q, const ast_list *res_aliases, const ast_expr *e,
                  int term, int *col_out)
{
    *col_out = -1;
    if (e->kind == EXPR_INTEGER) {
        if (e->ival < 1 || e->ival > q->n_cols)
            return cc_error(c, "%s ORDER BY term out of range - should be between 1 and %d",
                            ordinal(term), q->n_cols);
        *col_out = (int)e->ival - 1;
        return CHORUS_OK;
    }
    if (e->kind == EXPR_COLUMN && e->table == NULL && res_aliases != NULL) {
        for (int i = 0; i < res_aliases->n && i < q->n_cols; i++) {
            const char *alias = res_aliases->items[i].name;
            if (alias != NULL && strcasecmp(alias, e->name) == 0) {
                *col_out = i;
                return CHORUS_OK;
            }
        }
    }
    return CHORUS_OK;
}

static int
core_order_by(cctx *c, scope *s, plan_query *q, const ast_list *order, const ast_list *result)
{
    int rc = order_alloc(c, q, order->n);

    if (rc != CHORUS_OK)
        return rc;
    for (int i = 0; i < order->n; i++) {
        const ast_expr *e = order->items[i].expr;
        uint8_t coll_override = 0xff;
        int col;
        if (e->kind == EXPR_COLLATE && (e->left->kind == EXPR_INTEGER)) {
            int k = collation_find(e->name);
            if (k < 0)
                return cc_error(c, "no such collation sequence: %s", e->name);
            coll_override = (uint8_t)k;
            e = e->left;
        }
        rc = order_term_column(c, q, result, e, i, &col);
        if (rc != CHORUS_OK)
            return rc;
        q->order_desc[i] = cc_order_flags(&order->items[i]);
        if (col >= 0) {
            q->order_col[i] = col;
            q->order_coll[i] = coll_override != 0xff ? coll_override : q->col_coll[col];
            continue;
        }
        rc = cc_expr(c, s, e, &q->extra[q->n_extra]);
        if (rc != CHORUS_OK)
            return rc;
        q->order_col[i] = q->n_cols + q->n_extra;
        q->order_coll[i] = q->extra[q->n_extra]->coll;
        q->n_extra++;
    }
    return CHORUS_OK;
}

/* Whether FROM list from has a top-level source named name (its alias, or
 * its table name when it has none). */
static bool
from_names(const ast_from_item *from, const char *name)
{
    for (; from != NULL; from = from->next) {
        const char *own = from->alias != NULL ? from->alias : from->name;
        if (own != NULL && strcasecmp(own, name) == 0)
            return true;
    }
    return false;
}

/* The result column of arm core (n_cols columns) that compound ORDER BY
 * term e names, or -1, as SQLite matches a term to one arm: an alias; the
 * same column, qualified by one of the arm's sources or not; the same
 * expression text. An arm with * names none this way. */
static int
arm_result_column(cctx *c, const ast_select_core *core, const ast_expr *e, int n_cols)
{
    const ast_list *res = &core->result;
    const char *text = c->env->sql + e->span.start;

    if (core->is_values || res->n != n_cols)
        return -1;
    for (int k = 0; k < n_cols; k++)
        if (e->kind == EXPR_COLUMN && e->table == NULL && res->items[k].name != NULL &&
            strcasecmp(res->items[k].name, e->name) == 0)
            return k;
    for (int k = 0; k < n_cols; k++) {
        const ast_expr *r = res->items[k].expr;
        if (r->kind == EXPR_STAR)
            return -1;
        if (e->kind == EXPR_COLUMN && r->kind == EXPR_COLUMN && strcasecmp(e->name, r->name) == 0 &&
            (e->table == NULL ? r->table == NULL || from_names(core->from, r->table)
                              : from_names(core->from, e->table) &&
                                    (r->table == NULL || strcasecmp(r->table, e->table) == 0)))
            return k;
        if (r->span.len == e->span.len && strncasecmp(c->env->sql + r->span.start, text,
                                                      r->span.len) == 0)
            return k;
    }
    return -1;
}

/* ORDER BY of a compound select: every term names a result column, of the
 * first arm that has it (arm_result_column), left to right. */
static int
compound_order_by(cctx *c, plan_query *q, const ast_list *order, const ast_select_core *first)
{
    int rc = order_alloc(c, q, order->n);

    if (rc != CHORUS_OK)
        return rc;
    for (int i = 0; i < order->n; i++) {
        const ast_expr *e = order->items[i].expr;
        int coll = -1, col = -1;
        if (e->kind == EXPR_COLLATE) {
            coll = collation_find(e->name);
            if (coll < 0)
                return cc_error(c, "no such collation sequence: %s", e->name);
            e = e->left;
        }
        rc = order_term_column(c, q, first->is_values ? NULL : &first->result, e, i, &col);
        if (rc != CHORUS_OK)
            return rc;
        if (col < 0 && e->kind == EXPR_COLUMN && e->table == NULL) {
            for (int k = 0; k < q->n_cols; k++)
                if (q->col_names[k] != NULL && strcasecmp(q->col_names[k], e->name) == 0) {
                    col = k;
                    break;
                }
        }
        for (const ast_select_core *arm = first; col < 0 && arm != NULL; arm = arm->next)
            col = arm_result_column(c, arm, e, q->n_cols);
        if (col < 0)
            return cc_error(c, "%s ORDER BY term does not match any column in the result set",
                            ordinal(i));
        q->order_col[i] = col;
        q->order_desc[i] = cc_order_flags(&order->items[i]);
        q->order_coll[i] = coll >= 0 ? (uint8_t)coll : q->col_coll[col];
    }
    return CHORUS_OK;
}

/* ----------------------------------------------------------- GROUP BY */

static int
group_by(cctx *c, scope *s, plan_query *q, const ast_select_core *core)
{
    int rc;

    q->n_group = core->group_by.n;
    q->group_coll = cc_alloc(c, (size_t)(q->n_group ? q->n_group : 1));
    if (q->group_coll == NULL)
        return CHORUS_NOMEM;
    for (int i = 0; i < core->group_by.n; i++) {
        const ast_expr *e = core->group_by.items[i].expr;
        cx *key;
        if (e->kind == EXPR_INTEGER) {
            if (e->ival < 1 || e->ival > core->result.n)
                return cc_error(c, "%s GROUP BY term out of range - should be between 1 and %d",
                                ordinal(i), core->result.n);
            e = core->result.items[e->ival - 1].expr;
            if (e->kind == EXPR_STAR)
                return cc_error(c, "GROUP BY term refers to *");
        }
        if (ast_contains_aggregate(e))
            return cc_error(c, "aggregate functions are not allowed in the GROUP BY clause");
        rc = cc_expr(c, s, e, &key);
        if (rc != CHORUS_OK)
            return rc;
        q->gcols[i] = key;
        q->group_coll[i] = key->coll;
    }
    return CHORUS_OK;
}

static bool
core_is_aggregate(cctx *c, scope *s, const ast_select_core *core, const ast_list *order)
{
    if (core->group_by.n > 0)
        return true;
    for (int i = 0; i < core->result.n; i++)
        if (cc_owns_aggregate(c, s, core->result.items[i].expr))
            return true;
    if (cc_owns_aggregate(c, s, core->having))
        return true;
    for (int i = 0; order != NULL && i < order->n; i++)
        if (cc_owns_aggregate(c, s, order->items[i].expr))
            return true;
    return false;
}

/* --------------------------------------------------------------- cores */

static int
compile_results(cctx *c, scope *s, plan_query *q, const ast_select_core *core)
{
    res_item *items;
    int n, rc;

    rc = expand_results(c, s, &core->result, &items, &n);
    if (rc == CHORUS_OK)
        rc = alloc_columns(c, q, n);
    for (int i = 0; i < n && rc == CHORUS_OK; i++) {
        if (items[i].ast == NULL) {                 /* authorize.c AZ2 */
            rc = cc_authorize_column(c, &s->src[items[i].src], items[i].col, &q->result[i]);
            if (rc == CHORUS_OK && q->result[i] == NULL)
                rc = cc_source_column(c, s, items[i].src, items[i].col, NULL, &q->result[i]);
        } else
            rc = cc_expr(c, s, items[i].ast, &q->result[i]);
        if (rc == CHORUS_OK) {
            q->col_aff[i] = q->result[i]->aff;
            q->col_coll[i] = q->result[i]->coll;
        }
    }
    if (rc == CHORUS_OK)
        rc = name_results(c, s, q, items);
    return rc;
}

/* 1. FROM  2. WHERE and the loop plan  3. GROUP BY  4. result, HAVING and
 * ORDER BY (in the aggregate output mode when the query aggregates). */
static int
compile_core(cctx *c, scope *outer, const ast_select_core *core, const ast_list *order,
             plan_query *q)
{
    scope s;
    int rc;

    memset(&s, 0, sizeof s);
    s.outer = outer;
    s.q = q;
    s.first_cursor = c->n_cursors;
    s.where_ast = core->where;
    if (c->env->auth != NULL) {                     /* authorize.c AZ2 (IGNORE: allowed) */
        bool ignore;
        if ((rc = cc_authorize(c, CHORUS_AUTH_SELECT, NULL, NULL, NULL, &ignore)) != CHORUS_OK)
            return rc;
    }
    q->kind = PQ_CORE;
    q->distinct = core->is_distinct;
    rc = cc_from(c, &s, core->from);                           /* 1 */
    if (rc != CHORUS_OK)
        return rc;
    s.aliases = &core->result;
    s.no_agg = true;
    s.plan_late = true;                                         /* where.c P8 */
    if (ast_contains_aggregate(core->where) && core_is_aggregate(c, &s, core, order))
        return cc_error(c, "misuse of aggregate: %s()",           /* SQLite's words here */
                        ast_first_aggregate(core->where)->name);
    rc = cc_where_plan(c, &s, q, core->where, core->from);    /* 2 */
    if (rc != CHORUS_OK)
        return rc;
    q->is_agg = core_is_aggregate(c, &s, core, order);
    if (!q->is_agg && core->having != NULL)
        return cc_error(c, "HAVING clause on a non-aggregate query");      /* SQLite 3.39+ */
    if (q->is_agg) {
        q->gcols = cc_alloc(c, (size_t)(core->group_by.n + 16) * sizeof(cx *));
        if (q->gcols == NULL)
            return CHORUS_NOMEM;
        s.cap_gcols = core->group_by.n + 16;
        q->n_gcols = core->group_by.n;
        rc = group_by(c, &s, q, core);                          /* 3 */
        if (rc != CHORUS_OK)
            return rc;
        s.agg_mode = true;
    }
    s.no_agg = false;
    s.aliases = NULL;
    s.windows = core->windows;
    s.win_ok = true;                                            /* window.c W3 */
    rc = compile_results(c, &s, q, core);                      /* 4 */
    s.aliases = &core->result;
    s.win_ok = false;
    if (rc == CHORUS_OK && core->having != NULL)
        rc = cc_expr(c, &s, core->having, &q->having);
    s.win_ok = true;
    if (rc == CHORUS_OK && order != NULL && order->n > 0)
        rc = core_order_by(c, &s, q, order, &core->result);
    if (rc == CHORUS_OK)
        rc = cc_window_finish(c, q);
    if (rc == CHORUS_OK)
        rc = cc_where_access(c, &s, q);                         /* where.c P8 */
    if (rc == CHORUS_OK)
        rc = cc_order_plan(c, &s, q);                           /* order.c */
    if (rc == CHORUS_OK)
        rc = cc_group_plan(c, q);                               /* group_order.c */
    if (rc == CHORUS_OK)
        rc = cc_minmax_plan(c, q);                              /* minmax.c */
    return rc;
}

static int
compile_values(cctx *c, const ast_select_core *core, plan_query *q)
{
    int n_cols = -1, rc;

    q->kind = PQ_VALUES;
    q->n_rows = core->values.n;
    q->rows = cc_alloc(c, (size_t)(q->n_rows ? q->n_rows : 1) * sizeof(cx **));
    if (q->rows == NULL)
        return CHORUS_NOMEM;
    for (int r = 0; r < core->values.n; r++) {
        const ast_expr *row = core->values.items[r].expr;
        const ast_list *list = row->kind == EXPR_VECTOR ? &row->list : NULL;
        int n = list != NULL ? list->n : 1;
        if (n_cols < 0) {
            rc = alloc_columns(c, q, n);
            if (rc != CHORUS_OK)
                return rc;
            n_cols = n;
        } else if (n != n_cols) {
            return cc_error(c, "all VALUES must have the same number of terms");
        }
        q->rows[r] = cc_alloc(c, (size_t)n * sizeof(cx *));
        if (q->rows[r] == NULL)
            return CHORUS_NOMEM;
        for (int i = 0; i < n; i++) {
            rc = cc_expr(c, NULL, list != NULL ? list->items[i].expr : row, &q->rows[r][i]);
            if (rc != CHORUS_OK)
                return rc;
        }
    }
    q->col_names = cc_alloc(c, (size_t)n_cols * sizeof(char *));
    q->src_names = q->col_names;
    q->col_decltypes = cc_alloc(c, (size_t)n_cols * sizeof(char *));
    q->col_tables = q->col_decltypes;
    q->col_origins = q->col_decltypes;
    if (q->col_names == NULL || q->col_decltypes == NULL)
        return CHORUS_NOMEM;
    for (int i = 0; i < n_cols; i++) {
        char buf[24];
        snprintf(buf, sizeof buf, "column%d", i + 1);
        q->col_names[i] = cc_strdup(c, buf);
        if (q->col_names[i] == NULL)
            return CHORUS_NOMEM;
    }
    return CHORUS_OK;
}

static plan_query *
query_new(cctx *c)
{
    plan_query *q = cc_alloc(c, sizeof *q);

    return q;
}

/* The collation column i of q has, as SQLite's compound rule reads it: from
 * the first arm, left to right, whose expression carries one
 * (cx_carries_collation). False when none has. */
static bool
arm_collation(const plan_query *q, int i, uint8_t *out)
{
    const cx *e;

    if (q->kind == PQ_COMPOUND)
        return arm_collation(q->left, i, out) || arm_collation(q->right, i, out);
    if (q->kind != PQ_CORE || q->result == NULL || i >= q->n_cols)
        return false;
    e = q->result[i];
    if (!cx_carries_collation(e))
        return false;
    *out = e->coll;
    return true;
}

/* An arm of a UNION, INTERSECT or EXCEPT without ORDER BY (or of a UNION
 * ALL under one) delivers its rows into the compound's temporary index,
 * which keeps one of equal rows; SQLite drops the arm's own DISTINCT then
 * (IgnorableDistinct), so which of equal rows stays is the index's (Q2). */
static void
drop_arm_distinct(plan_query *arm)
{
    if (arm->kind == PQ_COMPOUND && arm->op == AST_COMPOUND_UNION_ALL) {
        drop_arm_distinct(arm->left);
        drop_arm_distinct(arm->right);
    } else if (arm->kind == PQ_CORE) {
        arm->distinct = false;
    }
}

static int
compile_compound(cctx *c, plan_query *left, plan_query *right, int op, plan_query **out)
{
    plan_query *q = query_new(c);

    if (q == NULL)
        return CHORUS_NOMEM;
    if (left->n_cols != right->n_cols) {
        static const char *const names[] = {"", "UNION", "UNION ALL", "INTERSECT", "EXCEPT"};
        return cc_error(c, "SELECTs to the left and right of %s do not have the same number "
                        "of result columns", names[op]);
    }
    q->kind = PQ_COMPOUND;
    q->op = (uint8_t)op;
    q->left = left;
    q->right = right;
    q->n_cols = left->n_cols;
    q->col_aff = left->col_aff;
    q->col_coll = cc_alloc(c, (size_t)(q->n_cols ? q->n_cols : 1));
    if (q->col_coll == NULL)
        return CHORUS_NOMEM;
    for (int i = 0; i < q->n_cols; i++)
        if (!arm_collation(q, i, &q->col_coll[i]))
            q->col_coll[i] = COLLATE_BINARY;
    q->col_names = left->col_names;
    q->src_names = left->src_names;
    q->col_decltypes = left->col_decltypes;
    q->col_tables = left->col_tables;
    q->col_origins = left->col_origins;
    *out = q;
    return CHORUS_OK;
}

static int
compile_limit(cctx *c, const ast_select *sel, plan_query *q)
{
    int rc = CHORUS_OK;

    if (sel->limit != NULL)
        rc = cc_expr(c, NULL, sel->limit, &q->limit);
    if (rc == CHORUS_OK && sel->offset != NULL)
        rc = cc_expr(c, NULL, sel->offset, &q->offset);
    return rc;
}

static int
push_ctes(cctx *c, const ast_with *with, cc_cte **saved)
{
    *saved = c->ctes;
    if (with == NULL)
        return CHORUS_OK;
    for (const ast_cte *t = with->ctes; t != NULL; t = t->next) {
        cc_cte *e = cc_alloc(c, sizeof *e);
        if (e == NULL)
            return CHORUS_NOMEM;
        e->cte = t;
        e->rec_cursor = -1;
        e->next = c->ctes;
        c->ctes = e;
    }
    return CHORUS_OK;
}

/* An arm of a compound under ORDER BY reads its rows in that order where
 * its one level can (order.c), as SQLite's merge reads each arm sorted;
 * the compound still sorts (exec_query.c Q2), the arm never does. */
static int
merge_arm_order(cctx *c, const plan_query *top, plan_query *arm)
{
    int rc;

    if (arm->kind != PQ_CORE)
        return CHORUS_OK;
    arm->n_order = top->n_order;
    arm->order_col = top->order_col;
    arm->order_desc = top->order_desc;
    arm->order_coll = top->order_coll;
    rc = cc_order_plan(c, NULL, arm);
    arm->merge_in_order = arm->n_order == 0;
    arm->n_order = 0;
    arm->order_col = NULL;
    arm->order_desc = arm->order_coll = NULL;
    return rc;
}

int
cc_select(cctx *c, scope *outer, const ast_select *sel, plan_query **out)
{
    const ast_select_core *core = sel->cores;
    bool single = core->next == NULL;
    bool limit_first = single && !core->is_values;     /* where.c P10 weighs it */
    cc_cte *saved;
    plan_query *q;
    int rc;

    *out = NULL;
    rc = push_ctes(c, sel->with, &saved);
    if (rc != CHORUS_OK)
        return rc;
    q = query_new(c);
    if (q == NULL)
        return CHORUS_NOMEM;
    if (core->is_values)
        rc = compile_values(c, core, q);
    else if ((rc = limit_first ? compile_limit(c, sel, q) : CHORUS_OK) == CHORUS_OK)
        rc = compile_core(c, outer, core, single ? &sel->order_by : NULL, q);
    for (core = core->next; core != NULL && rc == CHORUS_OK; core = core->next) {
        plan_query *right = query_new(c);
        if (right == NULL)
            return CHORUS_NOMEM;
        if (core->is_values)
            rc = compile_values(c, core, right);
        else
            rc = compile_core(c, outer, core, NULL, right);
        if (rc == CHORUS_OK)
            rc = compile_compound(c, q, right, core->compound, &q);
    }
    if (rc == CHORUS_OK && !single && sel->order_by.n > 0) {
        rc = compound_order_by(c, q, &sel->order_by, sel->cores);
        for (plan_query *arm = q; arm->kind == PQ_COMPOUND && rc == CHORUS_OK; arm = arm->left) {
            arm->merge_dedup = true;        /* SQLite merges the sorted arms */
            rc = merge_arm_order(c, q, arm->right);
            if (rc == CHORUS_OK && arm->left->kind != PQ_COMPOUND)
                rc = merge_arm_order(c, q, arm->left);
        }
    } else if (rc == CHORUS_OK && !single) {
        for (plan_query *p = q; p->kind == PQ_COMPOUND; p = p->left) {
            if (p->op != AST_COMPOUND_UNION_ALL) {
                drop_arm_distinct(p->left);
                drop_arm_distinct(p->right);
            }
        }
    }
    if (rc == CHORUS_OK && single && core == NULL && sel->cores->is_values && sel->order_by.n > 0)
        rc = compound_order_by(c, q, &sel->order_by, sel->cores);
    if (rc == CHORUS_OK && !limit_first)
        rc = compile_limit(c, sel, q);
    c->ctes = saved;
    if (rc == CHORUS_OK)
        *out = q;
    return rc;
}

static bool
from_reads(const ast_from_item *it, const char *name)
{
    for (; it != NULL; it = it->next) {
        if (it->kind == AST_FROM_TABLE && it->schema == NULL && strcasecmp(it->name, name) == 0)
            return true;
        if (it->kind == AST_FROM_SUBQUERY && ast_select_reads(it->subquery, name))
            return true;
        if (it->kind == AST_FROM_NESTED && from_reads(it->nested, name))
            return true;
    }
    return false;
}

bool
ast_select_reads(const ast_select *sel, const char *name)
{
    for (const ast_select_core *core = sel->cores; core != NULL; core = core->next)
        if (!core->is_values && from_reads(core->from, name))
            return true;
    return false;
}

/* A recursive CTE's ORDER BY keys, plus a last one: the arrival number
 * its queue rows carry after their columns, so that equal keys leave the
 * queue first in, first out (exec_query.c Q5). */
static int
queue_order(cctx *c, plan_query *q)
{
    int n = q->n_order, *col = q->order_col;
    uint8_t *desc = q->order_desc, *coll = q->order_coll;
    int rc = order_alloc(c, q, n + 1);

    if (rc != CHORUS_OK)
        return rc;
    memcpy(q->order_col, col, (size_t)n * sizeof *col);
    memcpy(q->order_desc, desc, (size_t)n);
    memcpy(q->order_coll, coll, (size_t)n);
    q->order_col[n] = q->n_cols;
    q->order_desc[n] = 0;
    q->order_coll[n] = COLLATE_BINARY;
    return CHORUS_OK;
}

/* Seed first (it fixes the columns), then the recursive part, in which the
 * CTE's name reads the queued row (from.c): one or more cores, run in turn
 * for each row (UNION ALL among them), the last operator choosing UNION
 * or UNION ALL for the queue, as SQLite. An ORDER BY orders the queue
 * (exec_query.c Q5). */
int
cc_select_recursive(cctx *c, scope *outer, cc_cte *e, plan_query **out)
{
    const ast_select *sel = e->cte->select;
    const ast_select_core *seed = sel->cores, *rec = seed->next, *last = rec;
    plan_query *left, *right, *q;
    int rc;

    *out = NULL;
    for (const ast_select_core *k = rec; k != NULL; k = k->next) {
        if (k->compound != AST_COMPOUND_UNION && k->compound != AST_COMPOUND_UNION_ALL)
            return cc_error(c, "circular reference: %s", e->cte->name);     /* SQLite's words */
        last = k;
    }
    if (rec == NULL || (!seed->is_values && from_reads(seed->from, e->cte->name)))
        return cc_error(c, "circular reference: %s", e->cte->name);
    left = query_new(c);
    right = query_new(c);
    if (left == NULL || right == NULL)
        return CHORUS_NOMEM;
    rc = seed->is_values ? compile_values(c, seed, left) : compile_core(c, outer, seed, NULL, left);
    if (rc != CHORUS_OK)
        return rc;
    rc = cc_cursor_new(c, PC_EPHEMERAL, &e->rec_cursor);
    if (rc != CHORUS_OK)
        return rc;
    cc_cursor(c, e->rec_cursor)->n_cols = left->n_cols;
    e->rec_seed = left;
    e->rec_refs = 0;
    rc = compile_core(c, outer, rec, NULL, right);
    for (const ast_select_core *k = rec->next; k != NULL && rc == CHORUS_OK; k = k->next) {
        plan_query *arm = query_new(c);
        if (arm == NULL)
            return CHORUS_NOMEM;
        e->rec_refs = 0;
        rc = compile_core(c, outer, k, NULL, arm);
        if (rc == CHORUS_OK)
            rc = compile_compound(c, right, arm, AST_COMPOUND_UNION_ALL, &right);
    }
    if (rc == CHORUS_OK)
        rc = compile_compound(c, left, right, last->compound, &q);
    if (rc == CHORUS_OK) {
        q->kind = PQ_RECURSIVE;
        q->rec_cursor = e->rec_cursor;
    }
    e->rec_cursor = -1;
    e->rec_seed = NULL;
    if (rc == CHORUS_OK && sel->order_by.n > 0)
        rc = compound_order_by(c, q, &sel->order_by, sel->cores);
    if (rc == CHORUS_OK && sel->order_by.n > 0)
        rc = queue_order(c, q);
    if (rc != CHORUS_OK)
        return rc;
    rc = compile_limit(c, sel, q);
    if (rc == CHORUS_OK)
        *out = q;
    return rc;
}

int
cc_select_names(cctx *c, scope *outer, const ast_select *sel, plan_query *q, cc_names *out)
{
    out->names = q->col_names;
    out->decltypes = q->col_decltypes;
    out->tables = q->col_tables;
    out->origins = q->col_origins;
    return CHORUS_OK;
}
