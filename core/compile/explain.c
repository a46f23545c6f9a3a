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

static int
eqp_subqueries(eqp *x, const cx *e, int parent)
{
    int id, rc;

    if (e == NULL)
        return CHORUS_OK;
    if (e->sub != NULL && (e->kind == CX_SUBQUERY || e->kind == CX_EXISTS ||
                           e->kind == CX_IN_SELECT)) {
        const char *label = e->is_correlated ? "CORRELATED SCALAR SUBQUERY" : "SCALAR SUBQUERY";
        if (e->kind == CX_IN_SELECT)
            label = "LIST SUBQUERY";
        rc = eqp_add(x, parent, label, &id);
        if (rc == CHORUS_OK)
            rc = eqp_query(x, e->sub, id);
        if (rc != CHORUS_OK)
            return rc;
    }
    if ((rc = eqp_subqueries(x, e->left, parent)) != CHORUS_OK ||
        (rc = eqp_subqueries(x, e->right, parent)) != CHORUS_OK)
        return rc;
    for (int i = 0; i < e->n_args; i++)
        if ((rc = eqp_subqueries(x, e->args[i], parent)) != CHORUS_OK)
            return rc;
    return CHORUS_OK;
}

static int
eqp_core(eqp *x, const plan_query *q, int parent)
{
    int id, rc = CHORUS_OK;

    for (int i = 0; i < q->n_levels && rc == CHORUS_OK; i++) {
        const plan_level *lv = &q->levels[i];
        const plan_cursor *cur = &x->c->plan->cursors[lv->cursor];
        if (cur->kind == PC_EPHEMERAL && cur->source != NULL &&
            cur->source->kind == PQ_TABLE_FN) {
            /* SQLite's json_each plan number: 1 with the JSON argument, 3 with a path too */
            const char *text = eqp_text(x, "SCAN %s VIRTUAL TABLE INDEX %d:",
                                        lv->name ? lv->name : "json_each",
                                        cur->source->n_fn_args == 2 ? 3 : 1);
            rc = text != NULL ? eqp_add(x, parent, text, &id) : CHORUS_NOMEM;
            continue;
        }
        if (cur->kind == PC_EPHEMERAL && cur->source != NULL) {
            const char *text = eqp_text(x, "MATERIALIZE %s", lv->name ? lv->name : "(subquery)");
            rc = text != NULL ? eqp_add(x, parent, text, &id) : CHORUS_NOMEM;
            if (rc == CHORUS_OK)
                rc = eqp_query(x, cur->source, id);
            if (rc == CHORUS_OK)
                rc = eqp_add(x, parent, lv->plan_text ? lv->plan_text : "SCAN (subquery)", &id);
            continue;
        }
        rc = eqp_add(x, parent, lv->plan_text ? lv->plan_text : "SCAN", &id);
        if (rc == CHORUS_OK)
            rc = eqp_subqueries(x, lv->filter, parent);
    }
    for (int i = 0; i < q->n_cols && rc == CHORUS_OK; i++)
        rc = eqp_subqueries(x, q->result[i], parent);
    if (rc == CHORUS_OK && q->is_agg && q->n_group > 0)
        rc = eqp_add(x, parent, "USE TEMP B-TREE FOR GROUP BY", &id);
    if (rc == CHORUS_OK && q->distinct)
        rc = eqp_add(x, parent, "USE TEMP B-TREE FOR DISTINCT", &id);
    return rc;
}

static int
eqp_query(eqp *x, const plan_query *q, int parent)
{
    int id, rc = CHORUS_OK;

    if (q->kind == PQ_CORE) {
        rc = eqp_core(x, q, parent);
    } else if (q->kind == PQ_VALUES) {
        const char *text = q->n_rows > 1 ? eqp_text(x, "SCAN %d CONSTANT ROWS", q->n_rows)
                                         : "SCAN CONSTANT ROW";
        rc = text != NULL ? eqp_add(x, parent, text, &id) : CHORUS_NOMEM;
    } else {
        static const char *const ops[] = {"", "UNION USING TEMP B-TREE", "UNION ALL",
                                          "INTERSECT USING TEMP B-TREE",
                                          "EXCEPT USING TEMP B-TREE"};
        int left_id;
        rc = eqp_add(x, parent, "COMPOUND QUERY", &id);
        if (rc == CHORUS_OK)
            rc = eqp_add(x, id, "LEFT-MOST SUBQUERY", &left_id);
        if (rc == CHORUS_OK)
            rc = eqp_query(x, q->left, left_id);
        if (rc == CHORUS_OK)
            rc = eqp_add(x, id, ops[q->op], &left_id);
        if (rc == CHORUS_OK)
            rc = eqp_query(x, q->right, left_id);
    }
    if (rc == CHORUS_OK && q->n_order > 0)
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
