/*
 * core/compile/returning.c: compiles the RETURNING clause of INSERT,
 * UPDATE and DELETE.
 *
 * Shape: plan.returning holds plan.n_cols expressions over plan.ret_cursor,
 * an ephemeral row source named like the target (its alias, else its
 * name) whose row the VM sets to each row as written (after affinity and
 * BEFORE triggers; DELETE: the row as it was). `*` stands for every column;
 * `t.*` and aggregates are refused in SQLite 3.40's words. Result names as
 * SQLite gives them: the alias, a column's name, else the expression's text.
 * Callers: dml.c.
 */
#include <string.h>
#include <strings.h>

#include "compile_int.h"

/* How many result columns item i gives. */
static int
item_width(const ast_list_item *it, const catalog_table *t)
{
    return it->expr->kind == EXPR_STAR ? t->n_cols : 1;
}

static int
add_star(cctx *c, scope *s, const ast_expr *e, const char *name, int *k)
{
    plan_stmt *p = c->plan;
    const catalog_table *t = s->src[0].table;
    int rc;

    if (e->table != NULL && strcasecmp(e->table, name) != 0)
        return cc_error(c, "no such table: %s", e->table);
    for (int i = 0; i < t->n_cols; i++) {
        rc = cc_authorize_column(c, &s->src[0], i, &p->returning[*k]);   /* authorize.c AZ2 */
        if (rc == CHORUS_OK && p->returning[*k] == NULL)
            rc = cc_source_column(c, s, 0, i, NULL, &p->returning[*k]);
        if (rc != CHORUS_OK)
            return rc;
        p->col_names[(*k)++] = t->cols[i].name;
    }
    return CHORUS_OK;
}

int
cc_returning(cctx *c, const ast_list *ret, const catalog_table *t, const char *alias)
{
    plan_stmt *p = c->plan;
    plan_query *holder;
    scope *s;
    int n = 0, k = 0, rc;

    if (ret->n == 0)
        return CHORUS_OK;
    holder = cc_alloc(c, sizeof *holder);
    s = cc_alloc(c, sizeof *s);
    if (holder == NULL || s == NULL)
        return CHORUS_NOMEM;
    rc = cc_row_source(c, s, holder, t, alias, false, &p->ret_cursor);
    if (rc != CHORUS_OK)
        return rc;
    s->no_agg = true;
    for (int i = 0; i < ret->n; i++)
        n += item_width(&ret->items[i], t);
    p->n_cols = n;
    p->returning = cc_alloc(c, (size_t)n * sizeof(cx *));
    p->col_names = cc_alloc(c, (size_t)n * sizeof(char *));
    if (p->returning == NULL || p->col_names == NULL)
        return CHORUS_NOMEM;
    for (int i = 0; i < ret->n; i++) {
        const ast_list_item *it = &ret->items[i];
        if (it->expr->kind == EXPR_STAR && it->expr->table != NULL) {
            rc = cc_error(c, "RETURNING may not use \"TABLE.*\" wildcards");   /* SQLite 3.40 */
        } else if (it->expr->kind == EXPR_STAR) {
            rc = add_star(c, s, it->expr, alias != NULL ? alias : t->name, &k);
        } else if (ast_contains_aggregate(it->expr)) {
            rc = cc_error(c, "misuse of aggregate function %s()",
                          ast_first_aggregate(it->expr)->name);
        } else {
            rc = cc_expr(c, s, it->expr, &p->returning[k]);
            if (it->name != NULL)
                p->col_names[k] = it->name;
            else if (it->expr->kind == EXPR_COLUMN)
                p->col_names[k] = it->expr->name;
            else
                p->col_names[k] = cc_span_text(c, it->expr->span);
            k++;
        }
        if (rc != CHORUS_OK)
            return rc;
    }
    return CHORUS_OK;
}
