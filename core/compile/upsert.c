/*
 * core/compile/upsert.c: compiles the ON CONFLICT clauses of INSERT
 * (upsert) into probes (compile.h plan_upsert).
 *
 * Shape: the new row is the ephemeral cursor plan.excl_cursor, a source
 * named "excluded" in a scope outside each probe's, reached by qualified
 * names only. A probe is a query over the target (its own cursor, named
 * like the target) whose WHERE says "this row has the new row's key on
 * one uniqueness constraint": target.k = excluded.k COLLATE <the index's>
 * for each key column (NULLs never match, as NULLs never conflict), plus
 * the partial index's WHERE. The planner then finds the index. The DO
 * UPDATE SET expressions and WHERE are result columns of the probe, so
 * they read the conflicting row where the probe left it.
 *
 * Rules (SQLite's): a target must name the columns of the INTEGER PRIMARY
 * KEY or of a UNIQUE index ("ON CONFLICT clause does not match any PRIMARY
 * KEY or UNIQUE constraint"); a clause without a target matches every
 * uniqueness constraint, probed in the order the writer checks them (the
 * rowid, then the indexes newest first: core/catalog/row_write.c RW4).
 * Callers: dml.c (cc_insert).
 */
#include <string.h>
#include <strings.h>

#include "compile_int.h"

static ast_expr *
ast_new(cctx *c, int kind)
{
    ast_expr *e = cc_alloc(c, sizeof *e);

    if (e != NULL) {
        e->kind = (uint8_t)kind;
        e->height = 1;
    }
    return e;
}

/* table.col = excluded.col COLLATE coll */
static ast_expr *
key_term(cctx *c, const char *table, const char *col, const char *coll)
{
    ast_expr *eq = ast_new(c, EXPR_BINARY);
    ast_expr *l = ast_new(c, EXPR_COLUMN), *r = ast_new(c, EXPR_COLUMN);
    ast_expr *cl = ast_new(c, EXPR_COLLATE);

    if (eq == NULL || l == NULL || r == NULL || cl == NULL)
        return NULL;
    l->table = table;
    l->name = col;
    r->table = "excluded";
    r->name = col;
    cl->left = r;
    cl->name = coll != NULL ? coll : "BINARY";
    cl->height = 2;
    eq->op = AST_OP_EQ;
    eq->left = l;
    eq->right = cl;
    eq->height = 3;
    return eq;
}

static ast_expr *
and_term(cctx *c, ast_expr *a, ast_expr *b)
{
    ast_expr *e;

    if (a == NULL)
        return b;
    e = ast_new(c, EXPR_BINARY);
    if (e == NULL)
        return NULL;
    e->op = AST_OP_AND;
    e->left = a;
    e->right = b;
    e->height = (a->height > b->height ? a->height : b->height) + 1;
    return e;
}

/* The WHERE of a probe on index ix (NULL: the rowid alias). */
static int
probe_where(cctx *c, const catalog_table *t, const char *name, const catalog_index *ix,
            ast_expr **out)
{
    ast_expr *w = NULL;

    *out = NULL;
    if (ix == NULL) {
        *out = key_term(c, name, t->cols[t->rowid_alias].name, NULL);
        return *out != NULL ? CHORUS_OK : CHORUS_NOMEM;
    }
    for (int k = 0; k < ix->n_cols; k++) {
        const catalog_index_column *ic = &ix->cols[k];
        ast_expr *term;
        if (ic->column < 0)
            return cc_error(c, "not supported yet: ON CONFLICT on an expression index");
        term = key_term(c, name, t->cols[ic->column].name, ic->collation_name);
        if (term == NULL || (w = and_term(c, w, term)) == NULL)
            return CHORUS_NOMEM;
    }
    if (ix->where != NULL && (w = and_term(c, w, (ast_expr *)ix->where)) == NULL)
        return CHORUS_NOMEM;
    *out = w;
    return CHORUS_OK;
}

/* DO UPDATE SET values and WHERE as result columns 1.. of q. */
static int
probe_result(cctx *c, scope *s, const ast_upsert *u, const catalog_table *t, plan_query *q)
{
    int n = u->do_nothing ? 1 : 2 * t->n_cols + 2;
    int rc;

    q->n_cols = n;
    q->result = cc_alloc(c, (size_t)n * sizeof(cx *));
    q->col_aff = cc_alloc(c, (size_t)n);
    q->col_coll = cc_alloc(c, (size_t)n);
    if (q->result == NULL || q->col_aff == NULL || q->col_coll == NULL)
        return CHORUS_NOMEM;
    rc = cc_source_column(c, s, 0, -1, NULL, &q->result[0]);
    if (rc != CHORUS_OK || u->do_nothing)
        return rc;
    for (int i = 0; i < u->set.n; i++) {
        int col = catalog_table_column_resolve(t, u->set.items[i].name);
        if (u->set_group != NULL && u->set_group[i] >= 0)
            return cc_error(c, "not supported yet: row values in SET");
        if (col == -2)
            return cc_error(c, "no such column: %s", u->set.items[i].name);
        if (col < 0)
            return cc_error(c, "not supported yet: assigning the rowid in DO UPDATE");
        rc = cc_expr(c, s, u->set.items[i].expr, &q->result[1 + col]);
        if (rc != CHORUS_OK)
            return rc;
    }
    for (int i = 0; i < t->n_cols; i++)
        if (q->result[1 + i] == NULL &&
            (rc = cc_source_column(c, s, 0, i, NULL, &q->result[1 + i])) != CHORUS_OK)
            return rc;
    for (int i = 0; i < t->n_cols; i++)
        if ((rc = cc_source_column(c, s, 0, i, NULL, &q->result[t->n_cols + 2 + i])) != CHORUS_OK)
            return rc;
    if (u->where != NULL)
        return cc_expr(c, s, u->where, &q->result[t->n_cols + 1]);
    q->result[t->n_cols + 1] = cx_const_int(c, 1);
    return q->result[t->n_cols + 1] != NULL ? CHORUS_OK : CHORUS_NOMEM;
}

static int
probe_compile(cctx *c, scope *excl, const ast_upsert *u, const catalog_table *t,
              const char *alias, const catalog_index *ix, plan_query **out)
{
    const char *name = alias != NULL ? alias : t->name;
    plan_query *q = cc_alloc(c, sizeof *q);
    scope *s = cc_alloc(c, sizeof *s);
    ast_expr *where;
    int rc;

    if (q == NULL || s == NULL)
        return CHORUS_NOMEM;
    q->kind = PQ_CORE;
    s->q = q;
    s->outer = excl;
    s->no_agg = true;
    rc = cc_source_add_table(c, s, t, alias, NULL);
    if (rc == CHORUS_OK)
        rc = probe_where(c, t, name, ix, &where);
    if (rc == CHORUS_OK)
        rc = cc_where_plan(c, s, q, where, NULL);
    if (rc == CHORUS_OK)
        rc = probe_result(c, s, u, t, q);
    *out = q;
    return rc;
}

/* Whether the target columns of u are exactly the key columns of ix
 * (NULL: the rowid alias). */
static bool
target_matches(const ast_upsert *u, const catalog_table *t, const catalog_index *ix)
{
    int n = ix != NULL ? ix->n_cols : 1;

    if (u->target.n != n)
        return false;
    for (int i = 0; i < u->target.n; i++) {
        const ast_list_item *it = &u->target.items[i];
        const ast_expr *e = it->expr;
        const char *cname = e != NULL && e->kind == EXPR_COLUMN ? e->name : it->name;
        int col = cname != NULL ? catalog_table_column_resolve(t, cname) : -2;
        bool found = false;
        if (e != NULL && e->kind == EXPR_COLLATE && e->left->kind == EXPR_COLUMN)
            col = catalog_table_column_resolve(t, e->left->name);
        if (col == -2)
            return false;
        if (ix == NULL) {
            found = col == t->rowid_alias || col == CATALOG_COLUMN_ROWID;
        } else {
            for (int k = 0; k < ix->n_cols && !found; k++)
                found = ix->cols[k].column == col;
        }
        if (!found)
            return false;
    }
    return true;
}

static int
clause_compile(cctx *c, scope *excl, const ast_upsert *u, const catalog_table *t,
               const char *alias, plan_upsert *pu)
{
    const catalog_index *only = NULL;
    bool rowid = false;
    int n = 0, rc;

    pu->do_nothing = u->do_nothing;
    if (u->target.n > 0) {
        if (t->rowid_alias >= 0 && target_matches(u, t, NULL)) {
            rowid = true;
        } else {
            for (int i = 0; i < t->n_indexes && only == NULL; i++)
                if (t->indexes[i]->unique && target_matches(u, t, t->indexes[i]))
                    only = t->indexes[i];
            if (only == NULL)
                return cc_error(c, "ON CONFLICT clause does not match any PRIMARY KEY or "
                                   "UNIQUE constraint");
        }
    }
    pu->probes = cc_alloc(c, (size_t)(t->n_indexes + 1) * sizeof(plan_query *));
    if (pu->probes == NULL)
        return CHORUS_NOMEM;
    if (rowid || (u->target.n == 0 && t->rowid_alias >= 0)) {
        rc = probe_compile(c, excl, u, t, alias, NULL, &pu->probes[n++]);
        if (rc != CHORUS_OK)
            return rc;
    }
    for (int i = t->n_indexes - 1; i >= 0 && !rowid; i--) {   /* the writer's order, newest */
        const catalog_index *ix = t->indexes[i];            /* first (row_write.c RW4) */
        if (!ix->unique || (only != NULL && ix != only))
            continue;
        rc = probe_compile(c, excl, u, t, alias, ix, &pu->probes[n++]);
        if (rc != CHORUS_OK)
            return rc;
    }
    pu->n_probes = n;
    return CHORUS_OK;
}

int
cc_upsert(cctx *c, const ast_insert *ins, const catalog_table *t)
{
    plan_stmt *p = c->plan;
    plan_query *holder = cc_alloc(c, sizeof *holder);
    scope *excl = cc_alloc(c, sizeof *excl);
    int n = 0, rc;

    if (holder == NULL || excl == NULL)
        return CHORUS_NOMEM;
    rc = cc_row_source(c, excl, holder, t, "excluded", true, &p->excl_cursor);
    if (rc != CHORUS_OK)
        return rc;
    excl->src[0].table = NULL;      /* no excluded.rowid */
    for (const ast_upsert *u = ins->upsert; u != NULL; u = u->next)
        n++;
    p->upserts = cc_alloc(c, (size_t)n * sizeof *p->upserts);
    if (p->upserts == NULL)
        return CHORUS_NOMEM;
    p->n_upserts = n;
    n = 0;
    for (const ast_upsert *u = ins->upsert; u != NULL; u = u->next) {
        if (u->target.n == 0 && u->next != NULL)
            return cc_error(c, "ON CONFLICT clause does not match any PRIMARY KEY or UNIQUE "
                               "constraint");
        rc = clause_compile(c, excl, u, t, ins->alias, &p->upserts[n++]);
        if (rc != CHORUS_OK)
            return rc;
    }
    return CHORUS_OK;
}
