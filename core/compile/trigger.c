/*
 * core/compile/trigger.c: compiling in the context of one row: trigger
 * programs (statements of a trigger body and its WHEN, where NEW and OLD
 * name rows of the trigger's table), the schema's row expressions (index
 * expressions, partial index WHERE, DEFAULT, generated columns) that the
 * catalog's writer evaluates through its hooks, and RAISE().
 *
 * Invariants
 *   T1  A row source is an ephemeral cursor without a query: the VM sets its
 *       row (t->n_cols values) and rowid before it runs the plan.
 *   T2  In a trigger program, cursor 0 is NEW and cursor 1 is OLD; they sit
 *       in cctx.base, reached only by qualified names (new.x, old.x) that no
 *       scope of the statement has.
 *   T3  A row expression's plan has cursor 0 for the row; unqualified names
 *       are its columns.
 * Callers: core/vm (exec_trigger.c, the writer hooks), dml.c, upsert.c,
 * returning.c.
 */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "compile_int.h"

bool
compile_trigger_update_of_matches(const ast_create_trigger *a, const ast_list *set)
{
    if (a->update_of.n == 0 || set == NULL)
        return true;
    for (int i = 0; i < a->update_of.n; i++)
        for (int k = 0; k < set->n; k++)
            if (set->items[k].name != NULL &&
                strcasecmp(a->update_of.items[i].name, set->items[k].name) == 0)
                return true;
    return false;
}

int
cc_row_source(cctx *c, scope *s, plan_query *holder, const catalog_table *t, const char *name,
              bool hidden, int *cursor_out)
{
    int cursor, rc;

    holder->kind = PQ_CORE;
    s->q = holder;
    rc = cc_source_add_table(c, s, t, name, &cursor);
    if (rc != CHORUS_OK)
        return rc;
    cc_cursor(c, cursor)->kind = PC_EPHEMERAL;
    if (hidden)
        memset(s->src[s->n_src - 1].col_hidden, SCOPE_COL_COALESCED, (size_t)t->n_cols);
    if (cursor_out != NULL)
        *cursor_out = cursor;
    return CHORUS_OK;
}

/* ------------------------------------------------------ row expressions */

typedef struct row_expr_arg {
    const catalog_table *t;
    const ast_expr *expr;
} row_expr_arg;

static int
row_expr_setup(cctx *c, void *arg)
{
    const row_expr_arg *a = arg;
    plan_query *holder = cc_alloc(c, sizeof *holder);
    scope *s = cc_alloc(c, sizeof *s);
    int rc;

    if (holder == NULL || s == NULL)
        return CHORUS_NOMEM;
    rc = cc_row_source(c, s, holder, a->t, NULL, false, NULL);
    if (rc == CHORUS_OK)
        rc = cc_expr(c, s, a->expr, &c->plan->row_expr);
    c->plan->kind = PLAN_ROWS;
    c->plan->readonly = true;
    return rc;
}

int
compile_row_expr(const compile_env *env, const catalog_table *t, const ast_expr *expr,
                 plan_stmt **out, char **errmsg_out)
{
    row_expr_arg a = {t, expr};

    return cc_compile(env, NULL, row_expr_setup, &a, out, errmsg_out);
}

/* ------------------------------------------------------ trigger programs */

typedef struct trigger_arg {
    const catalog_table *t;
    const ast_expr *when;
} trigger_arg;

static int
trigger_setup(cctx *c, void *arg)
{
    const trigger_arg *a = arg;
    plan_query *holder = cc_alloc(c, sizeof *holder);
    scope *s = cc_alloc(c, sizeof *s);
    int rc;

    if (holder == NULL || s == NULL)
        return CHORUS_NOMEM;
    rc = cc_row_source(c, s, holder, a->t, "new", true, NULL);
    if (rc == CHORUS_OK)
        rc = cc_row_source(c, s, holder, a->t, "old", true, NULL);
    if (rc != CHORUS_OK)
        return rc;
    c->base = s;
    c->in_trigger = true;
    if (a->when != NULL) {
        c->plan->kind = PLAN_ROWS;
        c->plan->readonly = true;
        return cc_expr(c, NULL, a->when, &c->plan->row_expr);
    }
    return CHORUS_OK;
}

int
compile_trigger_stmt(const compile_env *env, const catalog_table *t, const ast_stmt *stmt,
                     const ast_expr *when, plan_stmt **out, char **errmsg_out)
{
    trigger_arg a = {t, when};

    return cc_compile(env, stmt, trigger_setup, &a, out, errmsg_out);
}

int
cc_raise(cctx *c, scope *s, const ast_expr *e, cx **out)
{
    cx *x = cx_new(c, CX_RAISE, e);
    int rc;

    *out = NULL;
    if (x == NULL)
        return CHORUS_NOMEM;
    x->op = e->op;
    if (e->right != NULL) {
        rc = cc_expr(c, s, e->right, &x->left);
        if (rc != CHORUS_OK)
            return rc;
    }
    *out = x;
    return CHORUS_OK;
}
