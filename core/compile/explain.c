/*
 * core/compile/explain.c: EXPLAIN QUERY PLAN. Turns a compiled plan into
 * the rows SQLite gives (id, parent, notused, detail): one row per loop
 * level, in the order the loops run (where.c P3: "SCAN t", "SEARCH t USING
 * INDEX i (a=?)", "MATERIALIZE s" and "SCAN s" for a materialized source
 * named s), plus the temporary b-trees for ORDER BY, GROUP BY and
 * DISTINCT, and the compound parts.
 *
 * The plan is replaced by a PLAN_ROWS plan holding those rows; the
 * statement then only returns them.
 *
 * Rules (the shape and wording of SQLite 3.40's plans)
 *   E1  A core without FROM shows "SCAN CONSTANT ROW". A multi-row VALUES
 *       shows "SCAN n CONSTANT ROWS", except as the left-most arm of a
 *       compound, where SQLite 3.40 joins its rows with UNION ALL.
 *   E2  Subqueries show as "[CORRELATED ]SCALAR SUBQUERY n" (EXISTS too) or
 *       "[CORRELATED ]LIST SUBQUERY n" (IN), n SQLite's number of the
 *       subquery: its last core's ast_select_core.sel_id.
 *   E3  Each subquery once, where SQLite codes it: LIMIT/OFFSET first;
 *       after a level's line those of its lookup keys, then those of its
 *       terms in number order (WHERE order); then the aggregate arguments,
 *       the GROUP BY b-tree, HAVING, the result columns, the DISTINCT
 *       b-tree, the ORDER BY keys, the ORDER BY b-tree. Rows of a plain
 *       core that go to its sort: the result columns no ORDER BY key
 *       names, then the keys in ORDER BY order.
 *   E4  A compound under ORDER BY is SQLite's merge: "MERGE (op)" with
 *       "LEFT" and "RIGHT" arms, each sorted ("USE TEMP B-TREE FOR ORDER
 *       BY") unless it is a merge or constant rows itself. Temp b-trees
 *       for GROUP BY, DISTINCT and ORDER BY show unless the plan says the
 *       order serves them (group_order.c G3-G5, order.c).
 *   E5  A min/max query's table level reads "SEARCH" where its line says
 *       "SCAN" (minmax.c M1).
 *   E7  Each DISTINCT aggregate shows "USE TEMP B-TREE FOR f(DISTINCT)",
 *       before the loops without GROUP BY (unless it is the one aggregate
 *       and its level reads its argument in order), after the GROUP BY
 *       b-tree with it.
 *   E8  The MATERIALIZE lines of the views and subqueries a core fills once
 *       per run come before its loops, in FROM order, as SQLite codes them
 *       before its loops; a source filled again per row (from.c F5) shows
 *       its line where its level runs.
 *   E9  A MULTI-INDEX OR level (where.c P16) shows "INDEX n" under its
 *       line for each branch, the branch's lookup under that.
 *   E6  An uncorrelated "x IN (SELECT col FROM tbl)" (no WHERE, DISTINCT,
 *       aggregate or LIMIT) shows SQLite's lookup line instead of its
 *       subquery when tbl's rowid or an index led by col answers it (the
 *       run still reads the subquery's rows).
 * Callers: compile.c (compile_stmt).
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "compile_int.h"

typedef struct eqp {
    cctx *c;
    int n, cap;
    value *rows;            /* 4 values per row, in the plan arena */
    int next_id;
    const plan_query **shown;       /* subqueries shown so far (E3) */
    int n_shown, cap_shown;
} eqp;

static int
eqp_add(eqp *x, int parent, const char *detail, int *id_out)
{
    value *r;

    if (x->n == x->cap) {
        int cap = x->cap ? x->cap * 2 : 16;
        value *p = cc_alloc(x->c, (size_t)cap * 4 * sizeof *p);
        if (p == NULL)
            return CHORUS_NOMEM;
        if (x->n > 0)
            memcpy(p, x->rows, (size_t)x->n * 4 * sizeof *p);
        x->rows = p;
        x->cap = cap;
    }
    r = &x->rows[x->n * 4];
    *id_out = ++x->next_id;
    value_set_int(&r[0], *id_out);
    value_set_int(&r[1], parent);
    value_set_int(&r[2], 0);
    value_set_text_ref(&r[3], detail, (int32_t)strlen(detail));
    x->n++;
    return CHORUS_OK;
}

/* A detail line built from fmt, in the plan arena. */
static const char *
eqp_text(eqp *x, const char *fmt, ...)
{
    char buf[512];
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    return cc_strdup(x->c, buf);
}

static int eqp_query(eqp *x, const plan_query *q, int parent);

/* E2: SQLite's number of the subquery e runs: its last core's. */
static int
subquery_number(const cx *e)
{
    const ast_select_core *core;

    if (e->ast != NULL && e->ast->kind == EXPR_IN_TABLE)
        return (int)e->ast->ival;
    if (e->ast == NULL || e->ast->select == NULL)
        return 0;
    for (core = e->ast->select->cores; core->next != NULL; core = core->next) {
    }
    return core->sel_id;
}

/* Whether sub was shown already (a row value compared with a subquery
 * reads it through one node per column, rowvalue.c). */
static bool
eqp_seen(eqp *x, const plan_query *sub)
{
    for (int i = 0; i < x->n_shown; i++)
        if (x->shown[i] == sub)
            return true;
    if (x->n_shown == x->cap_shown) {
        int cap = x->cap_shown ? x->cap_shown * 2 : 8;
        const plan_query **p = cc_alloc(x->c, (size_t)cap * sizeof *p);
        if (p == NULL)
            return true;        /* out of memory: show it no more */
        if (x->n_shown > 0)
            memcpy(p, x->shown, (size_t)x->n_shown * sizeof *p);
        x->shown = p;
        x->cap_shown = cap;
    }
    x->shown[x->n_shown++] = sub;
    return false;
}

/* The subqueries of e, outermost first, left to right, into list (E3). */
static void
collect_subqueries(const cx *e, const cx **list, int *n, int cap)
{
    if (e == NULL)
        return;
    if (e->sub != NULL && (e->kind == CX_SUBQUERY || e->kind == CX_EXISTS ||
                           e->kind == CX_IN_SELECT)) {
        if (*n < cap)
            list[(*n)++] = e;
    }
    collect_subqueries(e->left, list, n, cap);
    collect_subqueries(e->right, list, n, cap);
    for (int i = 0; i < e->n_args; i++)
        collect_subqueries(e->args[i], list, n, cap);
}

/* E6: whether SQLite's comparison of e's left side with index column
 * affinity idx_aff may use that index (sqlite3FindInIndex's test). */
static bool
in_affinity_ok(const cx *e, char idx_aff)
{
    char lhs = e->left->aff, cmp;

    if (lhs >= AFFINITY_BLOB && idx_aff >= AFFINITY_BLOB)
        cmp = lhs >= AFFINITY_NUMERIC || idx_aff >= AFFINITY_NUMERIC ? AFFINITY_NUMERIC
                                                                     : AFFINITY_BLOB;
    else
        cmp = lhs >= AFFINITY_BLOB ? lhs : idx_aff;
    return cmp == AFFINITY_BLOB || cmp == AFFINITY_TEXT || idx_aff >= AFFINITY_NUMERIC;
}

/* E6: the line SQLite shows instead of a LIST SUBQUERY when it answers
 * "x IN (SELECT col FROM tbl)" from tbl's rowid or from an index led by
 * col (newest first), or NULL. */
static const char *
in_operator_text(eqp *x, const cx *e)
{
    const plan_query *s = e->sub;
    const plan_level *lv;
    const plan_cursor *cur;
    const catalog_table *t;
    const cx *col;
    uint8_t coll;

    if (e->kind != CX_IN_SELECT || e->is_correlated || e->left->kind == CX_VECTOR ||
        s->kind != PQ_CORE || s->n_levels != 1 || s->n_cols != 1 || s->is_agg ||
        s->distinct || s->limit != NULL || s->n_windows > 0 || s->pre_filter != NULL)
        return NULL;
    lv = &s->levels[0];
    cur = &x->c->plan->cursors[lv->cursor];
    col = s->result[0];
    if (cur->kind != PC_TABLE || lv->filter != NULL || col->kind != CX_COLUMN ||
        col->cursor != lv->cursor)
        return NULL;
    t = cur->table;
    if (!t->without_rowid && (col->column < 0 || col->column == t->rowid_alias))
        return eqp_text(x, "USING ROWID SEARCH ON TABLE %s FOR IN-OPERATOR", t->name);
    if (col->column < 0 || !in_affinity_ok(e, t->cols[col->column].affinity))
        return NULL;
    coll = cx_carries_collation(e->left) ? e->left->coll : col->coll;
    for (int i = t->n_indexes - 1; i >= 0; i--) {
        const catalog_index *ix = t->indexes[i];
        if (ix->where == NULL && ix->cols[0].column == col->column &&
            ix->cols[0].collation == coll)
            return eqp_text(x, "USING INDEX %s FOR IN-OPERATOR", ix->name);
    }
    return NULL;
}

static int
eqp_subquery(eqp *x, const cx *e, int parent)
{
    int id, rc;
    const char *text;

    if (eqp_seen(x, e->sub))
        return CHORUS_OK;
    text = in_operator_text(x, e);
    if (text != NULL)
        return eqp_add(x, parent, text, &id);
    text = eqp_text(x, "%s%s SUBQUERY %d", e->is_correlated ? "CORRELATED " : "",
                    e->kind == CX_IN_SELECT ? "LIST" : "SCALAR", subquery_number(e));
    if (text == NULL)
        return CHORUS_NOMEM;
    rc = eqp_add(x, parent, text, &id);
    return rc == CHORUS_OK ? eqp_query(x, e->sub, id) : rc;
}

enum { EQP_MAX_SUBS = 64 };

/* The subqueries of the expressions exprs[0..n), each shown once, in
 * SQLite's number order when by_number (E3), else as they come (the first
 * EQP_MAX_SUBS of them: a plan line per subquery beyond that is left out). */
static int
eqp_subqueries(eqp *x, cx *const *exprs, int n, bool by_number, int parent)
{
    const cx *list[EQP_MAX_SUBS];
    int n_list = 0, rc = CHORUS_OK;

    for (int i = 0; i < n; i++)
        collect_subqueries(exprs[i], list, &n_list, EQP_MAX_SUBS);
    for (int i = 1; by_number && i < n_list; i++) {     /* insertion sort: stable */
        const cx *e = list[i];
        int j = i;
        for (; j > 0 && subquery_number(list[j - 1]) > subquery_number(e); j--)
            list[j] = list[j - 1];
        list[j] = e;
    }
    for (int i = 0; i < n_list && rc == CHORUS_OK; i++)
        rc = eqp_subquery(x, list[i], parent);
    return rc;
}

/* E8: whether the level's source is a view or subquery materialized once
 * per run, whose MATERIALIZE SQLite shows before the loops. */
static bool
materialized_once(const plan_cursor *cur)
{
    return cur->kind == PC_EPHEMERAL && cur->source != NULL && !cur->refill &&
           cur->source->kind != PQ_TABLE_FN;
}

/* E8: the MATERIALIZE lines of the core's sources filled once, in FROM
 * (cursor) order. */
static int
eqp_materialize(eqp *x, const plan_query *q, int parent)
{
    int rc = CHORUS_OK, last = -1;

    for (;;) {
        const plan_level *next = NULL;
        const char *text;
        int id;
        for (int i = 0; i < q->n_levels; i++) {
            const plan_level *lv = &q->levels[i];
            if (lv->cursor > last && (next == NULL || lv->cursor < next->cursor) &&
                materialized_once(&x->c->plan->cursors[lv->cursor]))
                next = lv;
        }
        if (next == NULL || rc != CHORUS_OK)
            return rc;
        last = next->cursor;
        text = eqp_text(x, "MATERIALIZE %s", next->name ? next->name : "(subquery)");
        rc = text != NULL ? eqp_add(x, parent, text, &id) : CHORUS_NOMEM;
        if (rc == CHORUS_OK)
            rc = eqp_query(x, x->c->plan->cursors[next->cursor].source, id);
    }
}

/* One loop level's line, then the subqueries its lookup keys run, then
 * those of its terms (with the query's constant terms on the first
 * level), in the order SQLite codes them (E3). */
static int
eqp_level(eqp *x, const plan_query *q, int i, int parent)
{
    const plan_level *lv = &q->levels[i];
    const plan_cursor *cur = &x->c->plan->cursors[lv->cursor];
    cx *keys[KEY_INFO_MAX + 3];
    cx *terms[3] = {lv->filter, lv->post, i == 0 ? q->pre_filter : NULL};
    int id, n_keys = 0, rc;

    if (cur->kind == PC_EPHEMERAL && cur->source != NULL &&
        cur->source->kind == PQ_TABLE_FN) {
        /* SQLite's json_each plan number: 1 with the JSON argument, 3 with a path too */
        const char *text = eqp_text(x, "SCAN %s VIRTUAL TABLE INDEX %d:",
                                    lv->name ? lv->name : "json_each",
                                    cur->source->n_fn_args == 2 ? 3 : 1);
        return text != NULL ? eqp_add(x, parent, text, &id) : CHORUS_NOMEM;
    }
    if (cur->kind == PC_EPHEMERAL && cur->source != NULL && materialized_once(cur)) {
        rc = eqp_add(x, parent, lv->plan_text ? lv->plan_text : "SCAN (subquery)", &id);
    } else if (cur->kind == PC_EPHEMERAL && cur->source != NULL) {
        const char *text = eqp_text(x, "MATERIALIZE %s", lv->name ? lv->name : "(subquery)");
        rc = text != NULL ? eqp_add(x, parent, text, &id) : CHORUS_NOMEM;
        if (rc == CHORUS_OK)
            rc = eqp_query(x, cur->source, id);
        if (rc == CHORUS_OK)
            rc = eqp_add(x, parent, lv->plan_text ? lv->plan_text : "SCAN (subquery)", &id);
    } else {
        const char *text = lv->plan_text ? lv->plan_text : "SCAN";
        if (q->minmax_query && strncmp(text, "SCAN ", 5) == 0)
            text = eqp_text(x, "SEARCH %s", text + 5);      /* E5 */
        rc = text != NULL ? eqp_add(x, parent, text, &id) : CHORUS_NOMEM;
    }
    for (int b = 0; b < lv->n_or && rc == CHORUS_OK; b++) {       /* E9 */
        const char *text = eqp_text(x, "INDEX %d", b + 1);
        int branch;
        rc = text != NULL ? eqp_add(x, id, text, &branch) : CHORUS_NOMEM;
        if (rc == CHORUS_OK)
            rc = eqp_add(x, branch, lv->or_branches[b].plan_text, &branch);
    }
    for (int k = 0; k < lv->n_eq; k++)
        keys[n_keys++] = lv->eq[k];
    keys[n_keys++] = lv->in_list;
    keys[n_keys++] = lv->lo;
    keys[n_keys++] = lv->hi;
    if (rc == CHORUS_OK)
        rc = eqp_subqueries(x, keys, n_keys, false, parent);
    if (rc == CHORUS_OK)
        rc = eqp_subqueries(x, terms, 3, true, parent);
    return rc;
}

/* E7: whether the one aggregate of q, f(DISTINCT x), gets x's values in
 * order from its one level (an index read from x on, or the rowid), so
 * SQLite keeps no b-tree for it. */
static bool
distinct_agg_in_order(eqp *x, const plan_query *q)
{
    const plan_agg *g = &q->aggs[0];
    const plan_level *lv = &q->levels[0];
    const plan_cursor *cur;
    const cx *arg;

    if (q->n_aggs != 1 || q->n_group > 0 || q->n_levels != 1 || g->n_args != 1)
        return false;
    arg = q->gcols[g->first_arg];
    cur = &x->c->plan->cursors[lv->cursor];
    if (cur->kind != PC_TABLE || arg->kind != CX_COLUMN || arg->cursor != lv->cursor)
        return false;
    if (arg->column < 0 || arg->column == cur->table->rowid_alias)
        return !cur->table->without_rowid;
    return lv->access == PA_INDEX && lv->n_eq < lv->index->n_cols &&
           lv->index->cols[lv->n_eq].column == arg->column &&
           lv->index->cols[lv->n_eq].collation == g->coll;
}

/* E7: "USE TEMP B-TREE FOR f(DISTINCT)" for each DISTINCT aggregate. */
static int
eqp_distinct_aggs(eqp *x, const plan_query *q, int parent)
{
    int id, rc = CHORUS_OK;

    if (distinct_agg_in_order(x, q))
        return CHORUS_OK;
    for (int k = 0; k < q->n_aggs && rc == CHORUS_OK; k++) {
        const char *text;
        if (!q->aggs[k].distinct)
            continue;
        text = eqp_text(x, "USE TEMP B-TREE FOR %s(DISTINCT)", q->aggs[k].fn->name);
        rc = text != NULL ? eqp_add(x, parent, text, &id) : CHORUS_NOMEM;
    }
    return rc;
}

/* E3: rows that go to the ORDER BY sort code the result columns no key
 * names first, then the keys in ORDER BY order (SQLite's sorter). */
static int
eqp_sorted_results(eqp *x, const plan_query *q, int parent)
{
    int rc = CHORUS_OK;

    for (int i = 0; i < q->n_cols && rc == CHORUS_OK; i++) {
        bool keyed = false;
        for (int k = 0; k < q->n_order && !keyed; k++)
            keyed = q->order_col[k] == i;
        if (!keyed)
            rc = eqp_subqueries(x, &q->result[i], 1, false, parent);
    }
    for (int k = 0; k < q->n_order && rc == CHORUS_OK; k++) {
        int col = q->order_col[k];
        rc = eqp_subqueries(x, col < q->n_cols ? &q->result[col] : &q->extra[col - q->n_cols],
                            1, false, parent);
    }
    return rc;
}

static int
eqp_core(eqp *x, const plan_query *q, int parent)
{
    int id, rc = CHORUS_OK;

    if (q->is_agg && q->n_group == 0)
        rc = eqp_distinct_aggs(x, q, parent);
    if (q->n_levels == 0 && rc == CHORUS_OK)
        rc = eqp_add(x, parent, "SCAN CONSTANT ROW", &id);
    if (rc == CHORUS_OK)
        rc = eqp_materialize(x, q, parent);
    for (int i = 0; i < q->n_levels && rc == CHORUS_OK; i++)
        rc = eqp_level(x, q, i, parent);
    if (q->n_levels == 0 && rc == CHORUS_OK)
        rc = eqp_subqueries(x, &q->pre_filter, 1, true, parent);
    if (q->is_agg && rc == CHORUS_OK)
        rc = eqp_subqueries(x, q->gcols, q->n_gcols, false, parent);
    if (rc == CHORUS_OK && q->is_agg && q->n_group > 0 && !q->group_in_order)
        rc = eqp_add(x, parent, "USE TEMP B-TREE FOR GROUP BY", &id);
    if (rc == CHORUS_OK && q->is_agg && q->n_group > 0)
        rc = eqp_distinct_aggs(x, q, parent);
    if (rc == CHORUS_OK)
        rc = eqp_subqueries(x, &q->having, 1, false, parent);
    if (rc == CHORUS_OK && !q->is_agg && !q->distinct && q->n_order > 0)
        return eqp_sorted_results(x, q, parent);
    if (rc == CHORUS_OK)
        rc = eqp_subqueries(x, q->result, q->n_cols, false, parent);
    if (rc == CHORUS_OK && q->distinct && !q->distinct_in_order)
        rc = eqp_add(x, parent, "USE TEMP B-TREE FOR DISTINCT", &id);
    if (rc == CHORUS_OK)
        rc = eqp_subqueries(x, q->extra, q->n_extra, false, parent);
    return rc;
}

/* The first n rows of a VALUES arm of a merged compound: SQLite 3.40
 * joins the rows with UNION ALL, so they merge pairwise (E4). */
static int
eqp_values_merge(eqp *x, int n, int parent)
{
    int id, arm_id, row_id, rc;

    if (n == 1)
        return eqp_add(x, parent, "SCAN CONSTANT ROW", &id);
    rc = eqp_add(x, parent, "MERGE (UNION ALL)", &id);
    if (rc == CHORUS_OK)
        rc = eqp_add(x, id, "LEFT", &arm_id);
    if (rc == CHORUS_OK)
        rc = eqp_values_merge(x, n - 1, arm_id);
    if (rc == CHORUS_OK)
        rc = eqp_add(x, id, "RIGHT", &arm_id);
    if (rc == CHORUS_OK)
        rc = eqp_add(x, arm_id, "SCAN CONSTANT ROW", &row_id);
    return rc;
}

/* Whether an arm of a merged compound (E4) delivers its rows in the
 * ORDER BY's order without a sort of its own. */
static bool
arm_in_order(const plan_query *arm)
{
    return arm->kind == PQ_COMPOUND || arm->kind == PQ_VALUES || arm->merge_in_order ||
           (arm->kind == PQ_CORE && arm->n_levels == 0 && !arm->is_agg);
}

static int
eqp_merge_arm(eqp *x, const plan_query *arm, const char *side, int parent)
{
    int id, sort_id, rc = eqp_add(x, parent, side, &id);

    if (rc == CHORUS_OK && arm->kind == PQ_VALUES)
        return eqp_values_merge(x, arm->n_rows, id);
    if (rc == CHORUS_OK)
        rc = eqp_query(x, arm, id);
    if (rc == CHORUS_OK && !arm_in_order(arm))
        rc = eqp_add(x, id, "USE TEMP B-TREE FOR ORDER BY", &sort_id);
    return rc;
}

/* The arms of a compound, left-most first, each under its operator's line. */
static int
eqp_compound_arms(eqp *x, const plan_query *q, int parent)
{
    static const char *const ops[] = {"", "UNION USING TEMP B-TREE", "UNION ALL",
                                      "INTERSECT USING TEMP B-TREE",
                                      "EXCEPT USING TEMP B-TREE"};
    int id, rc = CHORUS_OK;

    if (q->left->kind == PQ_COMPOUND) {
        rc = eqp_compound_arms(x, q->left, parent);
    } else if (q->left->kind == PQ_VALUES && q->left->n_rows > 1) {
        for (int i = 0; i < q->left->n_rows && rc == CHORUS_OK; i++) {
            rc = eqp_add(x, parent, i == 0 ? "LEFT-MOST SUBQUERY" : "UNION ALL", &id);
            if (rc == CHORUS_OK)
                rc = eqp_add(x, id, "SCAN CONSTANT ROW", &id);
        }
    } else {
        rc = eqp_add(x, parent, "LEFT-MOST SUBQUERY", &id);
        if (rc == CHORUS_OK)
            rc = eqp_query(x, q->left, id);
    }
    if (rc == CHORUS_OK)
        rc = eqp_add(x, parent, ops[q->op], &id);
    if (rc == CHORUS_OK)
        rc = eqp_query(x, q->right, id);
    return rc;
}

static int
eqp_query(eqp *x, const plan_query *q, int parent)
{
    int id, rc = CHORUS_OK;
    cx *limits[2] = {q->limit, q->offset};

    rc = eqp_subqueries(x, limits, 2, false, parent);
    if (rc != CHORUS_OK)
        return rc;
    if (q->kind == PQ_CORE) {
        rc = eqp_core(x, q, parent);
    } else if (q->kind == PQ_VALUES) {
        const char *text = q->n_rows > 1 ? eqp_text(x, "SCAN %d CONSTANT ROWS", q->n_rows)
                                         : "SCAN CONSTANT ROW";
        rc = text != NULL ? eqp_add(x, parent, text, &id) : CHORUS_NOMEM;
    } else if (q->merge_dedup) {
        static const char *const merges[] = {"", "MERGE (UNION)", "MERGE (UNION ALL)",
                                             "MERGE (INTERSECT)", "MERGE (EXCEPT)"};
        rc = eqp_add(x, parent, merges[q->op], &id);
        if (rc == CHORUS_OK)
            rc = eqp_merge_arm(x, q->left, "LEFT", id);
        if (rc == CHORUS_OK)
            rc = eqp_merge_arm(x, q->right, "RIGHT", id);
        return rc;      /* the arms' sorts are the ORDER BY */
    } else {
        rc = eqp_add(x, parent, "COMPOUND QUERY", &id);
        if (rc == CHORUS_OK)
            rc = eqp_compound_arms(x, q, id);
    }
    if (rc == CHORUS_OK && q->n_order > 0 && !q->order_by_group)
        rc = eqp_add(x, parent, "USE TEMP B-TREE FOR ORDER BY", &id);
    return rc;
}

int
cc_explain_query_plan(cctx *c)
{
    static const char *const names[] = {"id", "parent", "notused", "detail"};
    plan_stmt *p = c->plan;
    eqp x;
    int rc;

    memset(&x, 0, sizeof x);
    x.c = c;
    if (p->query != NULL && (p->kind == PLAN_SELECT || p->kind == PLAN_UPDATE ||
                             p->kind == PLAN_DELETE || p->kind == PLAN_INSERT)) {
        rc = eqp_query(&x, p->query, 0);
        if (rc != CHORUS_OK)
            return rc;
    }
    p->kind = PLAN_ROWS;
    p->readonly = true;
    p->is_ddl = false;
    p->query = NULL;
    p->n_rows = x.n;
    p->rows = x.rows;
    p->n_cols = 4;
    p->col_names = cc_alloc(c, 4 * sizeof(char *));
    p->col_decltypes = cc_alloc(c, 4 * sizeof(char *));
    p->col_tables = p->col_decltypes;
    p->col_origins = p->col_decltypes;
    if (p->col_names == NULL || p->col_decltypes == NULL)
        return CHORUS_NOMEM;
    for (int i = 0; i < 4; i++)
        p->col_names[i] = names[i];
    return CHORUS_OK;
}
