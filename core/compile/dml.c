/*
 * core/compile/dml.c: compiles INSERT, UPDATE and DELETE.
 *
 * Shapes
 *   INSERT  plan.query produces the source rows (VALUES or SELECT); assign[i]
 *           names the table column of source column i (a column named again
 *           in the list is marked repeated: SQLite keeps the first value,
 *           but the rowid's last); defaults[] (none for
 *           an INTEGER PRIMARY KEY: a new rowid) and checks[] are evaluated
 *           by the VM per row over row_cursor, an ephemeral cursor whose row
 *           is the new row.
 *           ON CONFLICT clauses compile in upsert.c, RETURNING in returning.c.
 *   UPDATE  plan.query scans the target (cursor target_cursor, joined with
 *           the FROM sources of UPDATE ... FROM) with the WHERE plan, ORDER BY
 *           and LIMIT, and yields [old rowid, new rowid, new value of every
 *           column] and, with plan.with_old, the old value of every column;
 *           the VM collects every row first, then writes (so the scan never
 *           sees its own changes).
 *   DELETE  plan.query yields [rowid] of each doomed row (and its old values
 *           with plan.with_old); collected, then deleted.
 * Callers: compile.c.
 */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "compile_int.h"

/* The target of a statement: a table, or a view with INSTEAD OF triggers. */
typedef struct dml_target {
    const catalog_table *t;         /* the table, or the view's stand-in (view_dml.c IV2) */
    const catalog *cat;             /* the catalog holding it */
    ast_from_item *view;            /* the view as a FROM item (IV3), or NULL */
} dml_target;

/* Finds the target of event (set: UPDATE's SET list; has_returning: the
 * statement has RETURNING); a view's stand-in table is made once its FROM
 * source is compiled (view_stand_in). */
static int
target_table(cctx *c, const char *schema, const char *name, int event, const ast_list *set,
             bool has_returning, dml_target *out)
{
    const catalog_table *t = NULL;
    const catalog *cat;
    int rc;

    memset(out, 0, sizeof *out);
    rc = cc_catalog_for(c, schema, name, &cat);
    if (rc != CHORUS_OK)
        return rc;
    out->cat = cat;
    if (cat != NULL)
        t = catalog_table_find(cat, name);
    if (t == NULL) {
        if (cat != NULL && catalog_view_find(cat, name) != NULL)
            return cc_view_dml_check(c, cat, schema, name, event, set, has_returning,
                                     &out->view);
        if (schema == NULL)
            schema = c->env->view_schema;           /* main inside a trigger of main */
        return cc_error(c, "no such table: %s%s%s", schema ? schema : "", schema ? "." : "",
                        name);
    }
    if (t->sql == NULL || strncasecmp(t->name, "sqlite_", 7) == 0) {
        if (strcasecmp(t->name, "sqlite_sequence") != 0 && strcasecmp(t->name, "sqlite_stat1") != 0)
            return cc_error(c, "table %s may not be modified",
                            t->sql != NULL ? t->name : t->is_temp ? "sqlite_temp_master"
                                                                  : "sqlite_master");
    }
    out->t = t;
    return CHORUS_OK;
}

/* IV2: the stand-in table of a view target whose FROM source is s's first. */
static int
view_stand_in(cctx *c, dml_target *tg, const scope *s)
{
    return cc_view_dml_table(c, tg->cat, &s->src[0], tg->view->name, &tg->t);
}

/* INSERT into a view: its columns, from a FROM source that is never run. */
static int
view_columns(cctx *c, dml_target *tg)
{
    scope *s;
    int rc = cc_view_dml_source(c, tg->view, &s);

    return rc == CHORUS_OK ? view_stand_in(c, tg, s) : rc;
}

/* A scope whose one source is the new row of t (CHECK and DEFAULT). */
static int
row_scope(cctx *c, const catalog_table *t, scope *s, plan_query *holder)
{
    int cursor, rc;

    memset(s, 0, sizeof *s);
    memset(holder, 0, sizeof *holder);
    s->q = holder;
    rc = cc_source_add_table(c, s, t, NULL, &cursor);
    if (rc != CHORUS_OK)
        return rc;
    cc_cursor(c, cursor)->kind = PC_EPHEMERAL;
    c->plan->row_cursor = cursor;
    return CHORUS_OK;
}

static int
compile_checks(cctx *c, const catalog_table *t)
{
    plan_stmt *p = c->plan;
    const compile_env *saved = c->env;
    compile_env env = *saved;
    plan_query holder;
    scope s;
    int rc;

    rc = row_scope(c, t, &s, &holder);
    if (rc != CHORUS_OK)
        return rc;
    p->checks = cc_alloc(c, (size_t)(t->n_checks + 1) * sizeof(cx *));
    if (p->checks == NULL)
        return CHORUS_NOMEM;
    env.sql = t->sql;
    c->env = &env;
    for (int i = 0; i < t->n_checks && rc == CHORUS_OK; i++)
        rc = cc_expr(c, &s, t->checks[i].expr, &p->checks[i]);
    c->env = saved;
    return rc;
}

static int
compile_defaults(cctx *c, const catalog_table *t)
{
    plan_stmt *p = c->plan;
    int rc;

    p->defaults = cc_alloc(c, (size_t)(t->n_cols + 1) * sizeof(cx *));
    if (p->defaults == NULL)
        return CHORUS_NOMEM;
    for (int i = 0; i < t->n_cols; i++) {
        /* An INTEGER PRIMARY KEY left out gets a new rowid, never its
         * DEFAULT (SQLite ignores it there). */
        if (t->cols[i].default_expr == NULL || i == t->rowid_alias)
            continue;
        rc = cc_expr(c, NULL, t->cols[i].default_expr, &p->defaults[i]);
        if (rc != CHORUS_OK)
            return rc;
    }
    return CHORUS_OK;
}

static int
insert_columns(cctx *c, const ast_insert *ins, const catalog_table *t)
{
    plan_stmt *p = c->plan;
    int n = ins->columns.n, next = 0;

    if (n == 0)     /* every column but the generated ones */
        for (int i = 0; i < t->n_cols; i++)
            n += t->cols[i].generated_expr == NULL;
    p->n_assign = n;
    p->assign = cc_alloc(c, (size_t)(n ? n : 1) * sizeof *p->assign);
    if (p->assign == NULL)
        return CHORUS_NOMEM;
    for (int i = 0; i < n; i++) {
        int col;
        if (ins->columns.n == 0) {
            while (t->cols[next].generated_expr != NULL)
                next++;
            col = next++;
        } else {
            col = catalog_table_column_resolve(t, ins->columns.items[i].name);
            if (col == -2)
                return cc_error(c, "table %s has no column named %s", t->name,
                                ins->columns.items[i].name);
            if (col >= 0 && t->cols[col].generated_expr != NULL)
                return cc_error(c, "cannot INSERT into generated column \"%s\"",
                                t->cols[col].name);
            for (int k = 0; k < i; k++)
                p->assign[i].repeated |= p->assign[k].column == col && col >= 0;
        }
        p->assign[i].column = col;
    }
    return CHORUS_OK;
}

/* The statement's WITH clause: its CTEs become visible (c->ctes; the
 * caller restores the list). */
static int
with_push(cctx *c, const ast_stmt *stmt)
{
    if (stmt->with == NULL)
        return CHORUS_OK;
    for (const ast_cte *e = stmt->with->ctes; e != NULL; e = e->next) {
        cc_cte *n = cc_alloc(c, sizeof *n);
        if (n == NULL)
            return CHORUS_NOMEM;
        n->cte = e;
        n->rec_cursor = -1;     /* no queued row: not inside its recursive part */
        n->next = c->ctes;
        c->ctes = n;
    }
    return CHORUS_OK;
}

static int insert_body(cctx *c, const ast_stmt *stmt);
static int update_body(cctx *c, const ast_stmt *stmt);
static int delete_body(cctx *c, const ast_stmt *stmt);

/* INSERT, UPDATE and DELETE with the statement's CTEs in view. */
static int
with_run(cctx *c, const ast_stmt *stmt, int (*body)(cctx *, const ast_stmt *))
{
    cc_cte *saved = c->ctes;
    int rc = with_push(c, stmt);

    if (rc == CHORUS_OK)
        rc = body(c, stmt);
    c->ctes = saved;
    return rc;
}

int
cc_insert(cctx *c, const ast_stmt *stmt)
{
    return with_run(c, stmt, insert_body);
}

int
cc_update(cctx *c, const ast_stmt *stmt)
{
    return with_run(c, stmt, update_body);
}

int
cc_delete(cctx *c, const ast_stmt *stmt)
{
    return with_run(c, stmt, delete_body);
}

static int
insert_body(cctx *c, const ast_stmt *stmt)
{
    const ast_insert *ins = &stmt->u.insert;
    plan_stmt *p = c->plan;
    const catalog_table *t;
    dml_target tg;
    int rc;

    rc = target_table(c, ins->schema, ins->table, AST_TRIGGER_INSERT, NULL,
                      ins->returning.n > 0, &tg);
    if (rc == CHORUS_OK && tg.view != NULL && ins->upsert != NULL)
        rc = cc_error(c, "cannot UPSERT a view");
    if (rc == CHORUS_OK && tg.view != NULL)
        rc = view_columns(c, &tg);
    t = tg.t;
    if (rc == CHORUS_OK)
        rc = insert_columns(c, ins, t);
    if (rc != CHORUS_OK)
        return rc;
    p->kind = PLAN_INSERT;
    p->table = t;
    p->conflict = ins->conflict;
    if (ins->select != NULL) {
        rc = cc_select(c, NULL, ins->select, &p->query);
        if (rc != CHORUS_OK)
            return rc;
        /* every cursor so far belongs to the source rows */
        for (int i = 0; i < c->n_cursors; i++)
            if (c->cursors[i].kind == PC_TABLE && c->cursors[i].table == t)
                p->values_first = true;
        if (p->query->n_cols != p->n_assign) {
            if (ins->columns.n > 0)
                return cc_error(c, "%d values for %d columns", p->query->n_cols, p->n_assign);
            return cc_error(c, "table %s has %d columns but %d values were supplied", t->name,
                            p->n_assign, p->query->n_cols);
        }
    } else {
        p->n_assign = 0;
    }
    rc = compile_defaults(c, t);
    if (rc == CHORUS_OK)
        rc = compile_checks(c, t);
    if (rc == CHORUS_OK && ins->upsert != NULL)
        rc = cc_upsert(c, ins, t);
    if (rc == CHORUS_OK)
        rc = cc_returning(c, &ins->returning, t, ins->alias);
    return rc;
}

/* The scan of UPDATE/DELETE over the target, with the WHERE plan; a view
 * target is scanned as a FROM source and gets its stand-in table (IV3). */
static int
target_scan(cctx *c, dml_target *tg, const char *alias, const ast_expr *where,
            const ast_from_item *from, scope *s, plan_query **q_out)
{
    plan_query *q = cc_alloc(c, sizeof *q);
    int rc;

    if (q == NULL)
        return CHORUS_NOMEM;
    memset(s, 0, sizeof *s);
    s->q = q;
    q->kind = PQ_CORE;
    if (tg->view != NULL) {
        tg->view->next = (ast_from_item *)from;     /* read, never changed */
        from = tg->view;
        rc = cc_from(c, s, from);
        if (rc == CHORUS_OK) {
            c->plan->target_cursor = s->src[0].cursor;
            rc = view_stand_in(c, tg, s);
        }
    } else {
        rc = cc_source_add_table(c, s, tg->t, alias, &c->plan->target_cursor);
        if (rc == CHORUS_OK && from != NULL)
            rc = cc_from(c, s, from);
    }
    if (rc == CHORUS_OK) {
        s->no_agg = true;
        rc = cc_where_plan(c, s, q, where, from);
    }
    for (int i = 0; rc == CHORUS_OK && tg->view == NULL && i < q->n_levels; i++)
        if (q->levels[i].cursor == c->plan->target_cursor)
            q->levels[i].is_dml_target = true;
    *q_out = q;
    return rc;
}

/* The rowid columns of a view target's rows: NULL (IV3). */
static int
null_rowid(cctx *c, cx **out)
{
    *out = cx_new(c, CX_CONST, NULL);
    if (*out == NULL)
        return CHORUS_NOMEM;
    value_set_null(&(*out)->v);
    return CHORUS_OK;
}

/* Column col of the target (source 0), or NULL for a view's rowid. */
static int
target_column(cctx *c, scope *s, bool view, int col, cx **out)
{
    if (view && col < 0)
        return null_rowid(c, out);
    return cc_source_column(c, s, 0, col, NULL, out);
}

static int
alloc_result(cctx *c, plan_query *q, int n)
{
    q->n_cols = n;
    q->result = cc_alloc(c, (size_t)n * sizeof(cx *));
    q->col_aff = cc_alloc(c, (size_t)n);
    q->col_coll = cc_alloc(c, (size_t)n);
    return (q->result && q->col_aff && q->col_coll) ? CHORUS_OK : CHORUS_NOMEM;
}

/* ORDER BY and LIMIT of UPDATE and DELETE: the target scan sorts and stops. */
static int
order_limit(cctx *c, scope *s, plan_query *q, const ast_list *order, const ast_expr *limit,
            const ast_expr *offset)
{
    int rc = CHORUS_OK;

    if (order->n > 0 && limit == NULL)
        return cc_error(c, "ORDER BY without LIMIT on %s", c->plan->kind == PLAN_DELETE ?
                        "DELETE" : "UPDATE");
    q->n_order = order->n;
    q->order_col = cc_alloc(c, (size_t)(order->n + 1) * sizeof(int));
    q->order_desc = cc_alloc(c, (size_t)order->n + 1);
    q->order_coll = cc_alloc(c, (size_t)order->n + 1);
    q->extra = cc_alloc(c, (size_t)(order->n + 1) * sizeof(cx *));
    if (!q->order_col || !q->order_desc || !q->order_coll || !q->extra)
        return CHORUS_NOMEM;
    for (int i = 0; i < order->n && rc == CHORUS_OK; i++) {
        rc = cc_expr(c, s, order->items[i].expr, &q->extra[i]);
        if (rc != CHORUS_OK)
            return rc;
        q->order_col[i] = q->n_cols + i;
        q->order_desc[i] = cc_order_flags(&order->items[i]);
        q->order_coll[i] = q->extra[i]->coll;
    }
    q->n_extra = order->n;
    if (limit != NULL)
        rc = cc_expr(c, NULL, limit, &q->limit);
    if (rc == CHORUS_OK && offset != NULL)
        rc = cc_expr(c, NULL, offset, &q->offset);
    return rc;
}

/* Whether writes to t need the old row (triggers, TEMP triggers that may
 * name it, foreign keys). */
static bool
needs_old(const compile_env *env, const catalog *cat, const catalog_table *t)
{
    const catalog *tcat = env->temp_cat;

    if (t->n_triggers > 0 || t->n_fkeys > 0 || t->without_rowid)
        return true;                /* a WITHOUT ROWID row is named by its old PK */
    for (int i = 0; tcat != NULL && tcat != cat && i < catalog_trigger_count(tcat); i++)
        if (strcasecmp(catalog_trigger_at(tcat, i)->table, t->name) == 0)
            return true;
    for (int i = 0; i < catalog_table_count(cat); i++) {
        const catalog_table *o = catalog_table_at(cat, i);
        for (int k = 0; k < o->n_fkeys; k++)
            if (strcasecmp(o->fkeys[k].to_table, t->name) == 0)
                return true;
    }
    return false;
}

/* SET name = e: e becomes the new value of the column (or rowid). */
static int
set_column(cctx *c, const catalog_table *t, plan_query *q, const char *name, cx *e)
{
    int col = catalog_table_column_resolve(t, name);

    if (col == -2 || (col == CATALOG_COLUMN_ROWID && cc_view_dml_is_stand_in(t)))
        return cc_error(c, "no such column: %s", name);
    if (col >= 0 && t->cols[col].generated_expr != NULL)
        return cc_error(c, "cannot UPDATE generated column \"%s\"", t->cols[col].name);
    if (col == CATALOG_COLUMN_ROWID)
        q->result[1] = e;
    else
        q->result[2 + col] = e;
    return CHORUS_OK;
}

/* SET (a, b, ...) = v, items first.. of the SET list (parse_stmt.c D2): v
 * a row value or a subquery of as many columns, element i for column i. */
static int
set_row_value(cctx *c, scope *s, const ast_update *up, const catalog_table *t, plan_query *q,
              int first, int *n_out)
{
    int n = 1, rc;
    cx *v;

    while (first + n < up->set.n && up->set_group[first + n] == up->set_group[first])
        n++;
    *n_out = n;
    rc = cc_row_value(c, s, up->set.items[first].expr, &v);
    if (rc != CHORUS_OK)
        return rc;
    if (cc_vector_size(v) != n)
        return cc_error(c, "%d columns assigned %d values", n, cc_vector_size(v));
    for (int i = 0; i < n && rc == CHORUS_OK; i++) {
        cx *e;
        rc = cc_vector_element(c, v, i, &e);
        if (rc == CHORUS_OK)
            rc = set_column(c, t, q, up->set.items[first + i].name, e);
    }
    return rc;
}

static int
update_set(cctx *c, scope *s, const ast_update *up, const catalog_table *t, plan_query *q)
{
    plan_stmt *p = c->plan;
    int rc = CHORUS_OK, n;

    for (int i = 0; i < up->set.n && rc == CHORUS_OK; i += n) {
        cx *e;
        n = 1;
        if (up->set_group != NULL && up->set_group[i] >= 0) {
            rc = set_row_value(c, s, up, t, q, i, &n);
            continue;
        }
        rc = cc_expr(c, s, up->set.items[i].expr, &e);
        if (rc == CHORUS_OK)
            rc = set_column(c, t, q, up->set.items[i].name, e);
    }
    p->n_assign = up->set.n;
    return rc;
}

static int
update_body(cctx *c, const ast_stmt *stmt)
{
    const ast_update *up = &stmt->u.update;
    plan_stmt *p = c->plan;
    const catalog_table *t;
    dml_target tg;
    plan_query *q;
    bool view;
    scope s;
    int rc;

    p->kind = PLAN_UPDATE;
    rc = target_table(c, up->schema, up->table, AST_TRIGGER_UPDATE, &up->set,
                      up->returning.n > 0, &tg);
    if (rc == CHORUS_OK)
        rc = target_scan(c, &tg, up->alias, up->where, up->from, &s, &q);
    if (rc != CHORUS_OK)
        return rc;
    t = tg.t;
    view = tg.view != NULL;
    p->with_old = view || needs_old(c->env, tg.cat, t) || up->from != NULL;
    rc = alloc_result(c, q, p->with_old ? 2 * t->n_cols + 2 : t->n_cols + 2);
    if (rc == CHORUS_OK)
        rc = order_limit(c, &s, q, &up->order_by, up->limit, up->offset);
    if (rc != CHORUS_OK)
        return rc;
    s.no_agg = true;
    rc = update_set(c, &s, up, t, q);
    if (rc != CHORUS_OK)
        return rc;
    for (int i = -1; i < t->n_cols; i++) {
        cx **slot = i < 0 ? &q->result[0] : &q->result[2 + i];
        if (*slot == NULL)
            rc = target_column(c, &s, view, i, slot);
        if (rc != CHORUS_OK)
            return rc;
        if (view && i >= 0)
            q->col_aff[2 + i] = s.src[0].col_aff[i];    /* IV3 */
    }
    if (q->result[1] == NULL)
        rc = target_column(c, &s, view, -1, &q->result[1]);
    for (int i = 0; p->with_old && i < t->n_cols && rc == CHORUS_OK; i++)
        rc = cc_source_column(c, &s, 0, i, NULL, &q->result[2 + t->n_cols + i]);
    if (rc != CHORUS_OK)
        return rc;
    p->table = t;
    p->query = q;
    p->conflict = up->conflict;
    rc = compile_checks(c, t);
    if (rc == CHORUS_OK)
        rc = cc_returning(c, &up->returning, t, up->alias);
    return rc;
}

static int
delete_body(cctx *c, const ast_stmt *stmt)
{
    const ast_delete *del = &stmt->u.del;
    plan_stmt *p = c->plan;
    const catalog_table *t;
    dml_target tg;
    plan_query *q;
    scope s;
    int rc;

    p->kind = PLAN_DELETE;
    rc = target_table(c, del->schema, del->table, AST_TRIGGER_DELETE, NULL,
                      del->returning.n > 0, &tg);
    if (rc == CHORUS_OK)
        rc = target_scan(c, &tg, del->alias, del->where, NULL, &s, &q);
    if (rc != CHORUS_OK)
        return rc;
    t = tg.t;
    p->with_old = tg.view != NULL || needs_old(c->env, tg.cat, t) || del->returning.n > 0;
    rc = alloc_result(c, q, p->with_old ? t->n_cols + 1 : 1);
    if (rc == CHORUS_OK)
        rc = target_column(c, &s, tg.view != NULL, -1, &q->result[0]);
    for (int i = 0; p->with_old && i < t->n_cols && rc == CHORUS_OK; i++)
        rc = cc_source_column(c, &s, 0, i, NULL, &q->result[1 + i]);
    if (rc == CHORUS_OK)
        rc = order_limit(c, &s, q, &del->order_by, del->limit, del->offset);
    if (rc != CHORUS_OK)
        return rc;
    p->table = t;
    p->query = q;
    return cc_returning(c, &del->returning, t, del->alias);
}
