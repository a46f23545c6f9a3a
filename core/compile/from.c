/*
 * core/compile/from.c: the FROM clause: tables, views, CTEs and subqueries
 * become scope sources with one cursor and one loop level each, in FROM
 * order; join constraints (ON, USING, NATURAL) become terms of the levels.
 *
 * Invariants
 *   F1  Level i of the core moves the cursor of source i, until where.c
 *       orders the loops by estimated cost (P3); scope.src stays in FROM
 *       order (names, *).
 *   F2  Views, CTEs and FROM subqueries are materialized (PC_EPHEMERAL):
 *       the VM fills their rows when the level first runs in a query run.
 *   F3  USING/NATURAL: the right source's copies of the shared columns are
 *       hidden from * and from unqualified names (SQLite's coalescing of
 *       the left and right column).
 *   F4  ON terms of an inner join are WHERE terms; ON terms of a LEFT JOIN
 *       stay with their level (scope.level_on), since they decide whether
 *       the level matched.
 *   F6  A parenthesized join adds its sources in order, as if written
 *       without parentheses: the same rows where it is joined by an inner
 *       join (its ON terms and the group's join the WHERE terms), or where
 *       it holds one source; its USING and NATURAL see the group's own
 *       sources only. On the right of an outer join, a group of several
 *       sources is not supported yet.
 *   F5  json_each / json_tree are sources over a PQ_TABLE_FN query; when
 *       their arguments read earlier sources, the VM fills them again for
 *       every row of those (plan_cursor.refill). Their hidden columns json
 *       and root are left out of * and unqualified names.
 *   F7  pragma_<name>, with or without arguments, is SQLite's table of
 *       PRAGMA name (catalog_pragma_table) when no table or view has that
 *       name: a PQ_TABLE_FN query with fn_pragma set, its result columns
 *       then arg and schema (hidden), filled as F5 says.
 *   F8  The columns of a view, CTE or FROM subquery without a column list
 *       are named uniquely, as SQLite names them: a repeated name becomes
 *       "name:1", "name:2"... (SELECT * FROM (SELECT a, a) shows a, a:1).
 * Callers: select.c (compile_core), dml.c (UPDATE/DELETE target).
 */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "compile_int.h"
#include "json.h"

static int
source_push(cctx *c, scope *s, scope_source **out)
{
    scope_source *p = cc_alloc(c, (size_t)(s->n_src + 1) * sizeof *p);
    plan_level *lv = cc_alloc(c, (size_t)(s->n_src + 1) * sizeof *lv);
    cx **on = cc_alloc(c, (size_t)(s->n_src + 1) * sizeof *on);

    if (p == NULL || lv == NULL || on == NULL)
        return CHORUS_NOMEM;
    if (s->n_src > 0) {
        memcpy(p, s->src, (size_t)s->n_src * sizeof *p);
        memcpy(lv, s->q->levels, (size_t)s->n_src * sizeof *lv);
        memcpy(on, s->level_on, (size_t)s->n_src * sizeof *on);
    }
    s->src = p;
    s->q->levels = lv;
    s->level_on = on;
    s->q->n_levels = s->n_src + 1;
    *out = &s->src[s->n_src++];
    return CHORUS_OK;
}

static int
source_alloc_columns(cctx *c, scope_source *src, int n)
{
    size_t k = (size_t)(n ? n : 1);

    src->n_cols = n;
    src->col_names = cc_alloc(c, k * sizeof(char *));
    src->col_aff = cc_alloc(c, k);
    src->col_coll = cc_alloc(c, k);
    src->col_decltype = cc_alloc(c, k * sizeof(char *));
    src->col_origin_table = cc_alloc(c, k * sizeof(char *));
    src->col_origin_col = cc_alloc(c, k * sizeof(char *));
    src->col_hidden = cc_alloc(c, k);
    if (!src->col_names || !src->col_aff || !src->col_coll || !src->col_decltype ||
        !src->col_origin_table || !src->col_origin_col || !src->col_hidden)
        return CHORUS_NOMEM;
    return CHORUS_OK;
}

int
cc_source_add_table(cctx *c, scope *s, const catalog_table *t, const char *alias,
                    int *cursor_out)
{
    scope_source *src;
    plan_level *lv;
    int cur, rc;

    rc = source_push(c, s, &src);
    if (rc == CHORUS_OK)
        rc = cc_cursor_new(c, PC_TABLE, &cur);
    if (rc == CHORUS_OK)
        rc = source_alloc_columns(c, src, t->n_cols);
    if (rc != CHORUS_OK)
        return rc;
    cc_cursor(c, cur)->table = t;
    cc_cursor(c, cur)->n_cols = t->n_cols;
    src->name = alias != NULL ? alias : t->name;
    src->cursor = cur;
    src->table = t;
    for (int i = 0; i < t->n_cols; i++) {
        src->col_names[i] = t->cols[i].name;
        src->col_aff[i] = t->cols[i].affinity;
        src->col_coll[i] = t->cols[i].collation;
        src->col_decltype[i] = t->cols[i].type;
        src->col_origin_table[i] = t->name;
        src->col_origin_col[i] = t->cols[i].name;
    }
    lv = &s->q->levels[s->n_src - 1];
    memset(lv, 0, sizeof *lv);
    lv->cursor = cur;
    lv->access = PA_SCAN;
    s->level_on[s->n_src - 1] = NULL;
    if (cursor_out != NULL)
        *cursor_out = cur;
    return CHORUS_OK;
}

/* A materialized source over query sub (F2). names: column names to use
 * instead of the query's (CTE or view column lists), or NULL. */
/* F8: the column names of a subquery, view or CTE source, unique as
 * SQLite makes them ("id", "id:1"), into out (arena strings). */
static int
unique_names(cctx *c, int n, const char *const *names, const char **out)
{
    char **uniq = catalog_names_unique(n, names);

    if (uniq == NULL)
        return CHORUS_NOMEM;
    for (int i = 0; i < n; i++) {
        out[i] = cc_strdup(c, uniq[i]);
        free(uniq[i]);
    }
    free(uniq);
    for (int i = 0; i < n; i++)
        if (out[i] == NULL)
            return CHORUS_NOMEM;
    return CHORUS_OK;
}

static int
source_add_query(cctx *c, scope *s, plan_query *sub, const char *name, const ast_list *names)
{
    scope_source *src;
    plan_level *lv;
    int cur, rc;

    if (names != NULL && names->n > 0 && names->n != sub->n_cols)
        return cc_error(c, "table %s has %d values for %d columns", name, sub->n_cols,
                        names->n);
    rc = source_push(c, s, &src);
    if (rc == CHORUS_OK)
        rc = cc_cursor_new(c, PC_EPHEMERAL, &cur);
    if (rc == CHORUS_OK)
        rc = source_alloc_columns(c, src, sub->n_cols);
    if (rc != CHORUS_OK)
        return rc;
    cc_cursor(c, cur)->source = sub;
    cc_cursor(c, cur)->n_cols = sub->n_cols;
    src->name = name;
    src->cursor = cur;
    if (names == NULL || names->n == 0)
        rc = unique_names(c, sub->n_cols, sub->src_names, src->col_names);
    if (rc != CHORUS_OK)
        return rc;
    for (int i = 0; i < sub->n_cols; i++) {
        if (names != NULL && names->n > 0)
            src->col_names[i] = names->items[i].name;
        src->col_aff[i] = sub->col_aff[i];
        src->col_coll[i] = sub->col_coll[i];
        src->col_decltype[i] = sub->col_decltypes[i];
        src->col_origin_table[i] = sub->col_tables[i];
        src->col_origin_col[i] = sub->col_origins[i];
    }
    lv = &s->q->levels[s->n_src - 1];
    memset(lv, 0, sizeof *lv);
    lv->cursor = cur;
    lv->access = PA_EPH_SCAN;
    s->level_on[s->n_src - 1] = NULL;
    return CHORUS_OK;
}

/* A reference to a recursive CTE from inside its recursive part: the
 * queued row (a source with one row, set by the PQ_RECURSIVE node). */
static int
add_cte_queue(cctx *c, scope *s, cc_cte *e, const char *alias)
{
    int cursor = e->rec_cursor;
    plan_level *lv;
    int rc;

    if (e->rec_refs++ > 0)
        return cc_error(c, "multiple references to recursive table: %s", e->cte->name);
    rc = source_add_query(c, s, e->rec_seed, alias != NULL ? alias : e->cte->name,
                          &e->cte->columns);
    if (rc != CHORUS_OK)
        return rc;
    /* source_add_query made a cursor of its own; point the level at the queue's. */
    lv = &s->q->levels[s->n_src - 1];
    cc_cursor(c, lv->cursor)->source = NULL;
    lv->cursor = cursor;
    s->src[s->n_src - 1].cursor = cursor;
    return CHORUS_OK;
}

static int
add_cte(cctx *c, scope *s, cc_cte *e, const ast_from_item *it)
{
    const char *alias = it->alias;
    cc_cte *saved = c->ctes;
    const ast_select *sel;
    plan_query *sub;
    int rc;

    if (e->rec_cursor >= 0)
        return add_cte_queue(c, s, e, alias);
    if (++c->depth > 64)
        return cc_error(c, "too many levels of nesting");
    if (ast_select_reads(e->cte->select, e->cte->name)) {
        /* A CTE that reads itself is recursive, with or without WITH
         * RECURSIVE, as in SQLite; it sees the ones before it too. */
        cc_cte *self = cc_alloc(c, sizeof *self);
        if (self == NULL)
            return CHORUS_NOMEM;
        *self = *e;
        self->next = e->next;
        c->ctes = self;
        rc = cc_select_recursive(c, s->outer, self, &sub);
    } else {
        c->ctes = e->next;  /* a CTE sees the ones defined before it */
        rc = cc_pushdown(c, s, it, alias != NULL ? alias : e->cte->name, e->cte->select,
                         &e->cte->columns, &sel);
        if (rc == CHORUS_OK)
            rc = cc_select(c, s->outer, sel, &sub);
    }
    c->ctes = saved;
    c->depth--;
    if (rc != CHORUS_OK)
        return rc;
    return source_add_query(c, s, sub, alias != NULL ? alias : e->cte->name, &e->cte->columns);
}

static int
add_view(cctx *c, scope *s, const catalog_view *v, const ast_from_item *it)
{
    const char *alias = it->alias;
    const compile_env *saved_env = c->env;
    cc_cte *saved_ctes = c->ctes;
    compile_env env = *saved_env;
    const ast_select *sel;
    plan_query *sub;
    int rc;

    if (++c->depth > 64)
        return cc_error(c, "view %s is circularly defined", v->name);
    env.sql = v->sql;       /* the view's AST spans index its own text */
    env.view_schema = "temp";
    if (env.temp_cat == NULL || catalog_view_find(env.temp_cat, v->name) != v) {
        /* a view of main or an attached database sees its own only (temp.c TP8) */
        env.view_schema = "main";
        for (int i = 0; i < env.n_attached; i++)
            if (catalog_view_find(env.attached[i], v->name) == v) {
                env.cat = env.attached[i];
                env.view_schema = env.attached_names[i];
            }
        env.temp_cat = NULL;
        env.n_attached = 0;
    }
    c->env = &env;
    c->ctes = NULL;
    rc = cc_pushdown(c, s, it, alias != NULL ? alias : v->name, v->select, v->columns, &sel);
    if (rc == CHORUS_OK)
        rc = cc_select(c, NULL, sel, &sub);
    c->env = saved_env;
    c->ctes = saved_ctes;
    c->depth--;
    if (rc != CHORUS_OK)
        return rc;
    return source_add_query(c, s, sub, alias != NULL ? alias : v->name, v->columns);
}

int
cc_catalog_for(cctx *c, const char *schema, const char *name, const catalog **out)
{
    const catalog *temp = c->env->temp_cat;

    *out = c->env->cat;
    if (schema == NULL) {
        const catalog_table *t = temp != NULL ? catalog_table_find(temp, name) : NULL;
        /* sqlite_schema and sqlite_master unqualified are main's */
        if (t != NULL && t->sql == NULL && catalog_table_find(c->env->cat, name) != NULL)
            return CHORUS_OK;
        if (t != NULL || (temp != NULL && catalog_view_find(temp, name) != NULL))
            *out = temp;
        else if (catalog_table_find(c->env->cat, name) == NULL &&
                 catalog_view_find(c->env->cat, name) == NULL)
            for (int i = c->env->n_attached - 1; i >= 0; i--)      /* the first holder */
                if (catalog_table_find(c->env->attached[i], name) != NULL ||
                    catalog_view_find(c->env->attached[i], name) != NULL)
                    *out = c->env->attached[i];
        return CHORUS_OK;
    }
    if (strcasecmp(schema, "temp") == 0) {
        *out = temp;
        return CHORUS_OK;
    }
    for (int i = 0; i < c->env->n_attached; i++) {
        if (strcasecmp(schema, c->env->attached_names[i]) == 0) {
            *out = c->env->attached[i];
            return CHORUS_OK;
        }
    }
    if (strcasecmp(schema, "main") != 0)
        return cc_error(c, "no such table: %s.%s", schema, name);   /* SQLite's words */
    return CHORUS_OK;
}

/* The plan of a table-valued source with n columns (names set by the caller). */
static int
table_fn_query(cctx *c, const ast_from_item *it, int n, plan_query **out)
{
    plan_query *q = cc_alloc(c, sizeof *q);

    *out = q;
    if (q == NULL)
        return CHORUS_NOMEM;
    q->kind = PQ_TABLE_FN;
    q->n_fn_args = it->args.n;
    q->fn_args = cc_alloc(c, (size_t)(it->args.n > 0 ? it->args.n : 1) * sizeof *q->fn_args);
    q->n_cols = n;
    q->col_aff = cc_alloc(c, (size_t)n);
    q->col_coll = cc_alloc(c, (size_t)n);
    q->col_names = cc_alloc(c, (size_t)n * sizeof *q->col_names);
    q->col_decltypes = cc_alloc(c, (size_t)n * sizeof *q->col_decltypes);
    q->col_tables = cc_alloc(c, (size_t)n * sizeof *q->col_tables);
    q->col_origins = cc_alloc(c, (size_t)n * sizeof *q->col_origins);
    if (!q->fn_args || !q->col_aff || !q->col_coll || !q->col_names || !q->col_decltypes ||
        !q->col_tables || !q->col_origins)
        return CHORUS_NOMEM;
    for (int i = 0; i < n; i++) {
        q->col_aff[i] = AFFINITY_NONE;
        q->col_coll[i] = COLLATE_BINARY;
    }
    q->src_names = q->col_names;
    return CHORUS_OK;
}

/* Adds q as a source of s, its arguments compiled in s; hidden[i] leaves
 * column i out of *. The arguments may read the sources before it (then it
 * is filled again for each of their rows). */
static int
table_fn_add(cctx *c, scope *s, const ast_from_item *it, plan_query *q, const bool *hidden)
{
    uint64_t reads = 0;
    int rc = CHORUS_OK, cur;

    for (int i = 0; i < it->args.n && rc == CHORUS_OK; i++) {
        rc = cc_expr(c, s, it->args.items[i].expr, &q->fn_args[i]);
        if (rc == CHORUS_OK)
            reads |= cx_cursor_mask(q->fn_args[i]);
    }
    if (rc == CHORUS_OK)
        rc = source_add_query(c, s, q, it->alias != NULL ? it->alias : it->name, NULL);
    if (rc != CHORUS_OK)
        return rc;
    cur = s->src[s->n_src - 1].cursor;
    cc_cursor(c, cur)->refill = reads != 0;
    for (int i = 0; i < q->n_cols; i++)     /* left out of *; qualified names reach them */
        s->src[s->n_src - 1].col_hidden[i] = hidden[i] ? SCOPE_COL_ARGUMENT : SCOPE_COL_SHOWN;
    return CHORUS_OK;
}

/* F5: json_each(X[, P]) / json_tree(X[, P]) in FROM: a source with the
 * iterator's columns (core/func/json.h), json and root hidden. */
static int
add_json_fn(cctx *c, scope *s, const ast_from_item *it)
{
    bool each = strcasecmp(it->name, "json_each") == 0, hidden[JSON_EACH_N_COLUMNS];
    plan_query *q;
    int rc;

    if (it->args.n < 1 || it->args.n > 2)
        return cc_error(c, "too %s arguments on %s() - max 2", it->args.n < 1 ? "few" : "many",
                        it->name);
    rc = table_fn_query(c, it, JSON_EACH_N_COLUMNS, &q);
    if (rc != CHORUS_OK)
        return rc;
    q->fn_recursive = !each;
    for (int i = 0; i < JSON_EACH_N_COLUMNS; i++) {
        q->col_names[i] = json_each_column_name(i);
        hidden[i] = json_each_column_hidden(i);
    }
    return table_fn_add(c, s, it, q, hidden);
}

/* The pragma a pragma_<name> source reads, or NULL when name is none. */
static const char *
pragma_table_name(const char *name)
{
    const char *const *cols;

    if (strncasecmp(name, "pragma_", 7) != 0 || catalog_pragma_table(name + 7, &cols) == 0)
        return NULL;
    return name + 7;
}

/* F7: pragma_<name>[(arg[, schema])] in FROM, as SQLite's eponymous pragma
 * tables: PRAGMA name queried (or given arg) as a table of its result
 * columns, then arg and schema, hidden. */
static int
add_pragma_fn(cctx *c, scope *s, const ast_from_item *it, const char *pragma)
{
    const char *const *cols;
    int n = catalog_pragma_table(pragma, &cols), rc;
    bool *hidden = cc_alloc(c, (size_t)(n + 2) * sizeof *hidden);
    plan_query *q;

    if (it->args.n > 2)
        return cc_error(c, "too many arguments on %s() - max 2", it->name);
    if (hidden == NULL)
        return CHORUS_NOMEM;
    rc = table_fn_query(c, it, n + 2, &q);
    if (rc != CHORUS_OK)
        return rc;
    q->fn_pragma = pragma;
    q->fn_schema = it->schema;
    for (int i = 0; i < n; i++)
        q->col_names[i] = cols[i];
    q->col_names[n] = "arg";
    q->col_names[n + 1] = "schema";
    for (int i = 0; i < n + 2; i++)
        hidden[i] = i >= n;
    return table_fn_add(c, s, it, q, hidden);
}

static int
add_table_fn(cctx *c, scope *s, const ast_from_item *it)
{
    const char *pragma = pragma_table_name(it->name);

    if (pragma != NULL)
        return add_pragma_fn(c, s, it, pragma);
    if (strcasecmp(it->name, "json_each") == 0 || strcasecmp(it->name, "json_tree") == 0)
        return add_json_fn(c, s, it);
    return cc_error(c, "no such table: %s", it->name);
}

static int from_add(cctx *c, scope *s, const ast_from_item *from, bool nested);

static int
add_item(cctx *c, scope *s, const ast_from_item *it)
{
    const catalog *cat = c->env->cat;
    const char *schema;
    const ast_select *sel;
    plan_query *sub;
    int rc;

    switch (it->kind) {
    case AST_FROM_TABLE:
        if (it->schema == NULL) {
            for (cc_cte *e = c->ctes; e != NULL; e = e->next)
                if (strcasecmp(e->cte->name, it->name) == 0)
                    return add_cte(c, s, e, it);
        }
        rc = cc_catalog_for(c, it->schema, it->name, &cat);
        if (rc != CHORUS_OK)
            return rc;
        if (cat != NULL) {
            const catalog_table *t = catalog_table_find(cat, it->name);
            const catalog_view *v;
            if (t != NULL) {
                const catalog_index *ix = NULL;
                plan_level *lv;
                if (it->indexed_by != NULL) {
                    ix = catalog_index_find(cat, it->indexed_by);
                    if (ix == NULL || ix->table != t)
                        return cc_error(c, "no such index: %s", it->indexed_by);
                }
                rc = cc_source_add_table(c, s, t, it->alias, NULL);
                if (rc != CHORUS_OK)
                    return rc;
                lv = &s->q->levels[s->n_src - 1];
                lv->not_indexed = it->not_indexed;
                lv->indexed_by = ix;
                return CHORUS_OK;
            }
            v = catalog_view_find(cat, it->name);
            if (v != NULL)
                return add_view(c, s, v, it);
        }
        if (pragma_table_name(it->name) != NULL)
            return add_pragma_fn(c, s, it, pragma_table_name(it->name));     /* F7 */
        schema = it->schema != NULL ? it->schema : c->env->view_schema;
        return cc_error(c, "no such table: %s%s%s", schema ? schema : "", schema ? "." : "",
                        it->name);
    case AST_FROM_SUBQUERY:
        if (++c->depth > 64)
            return cc_error(c, "too many levels of nesting");
        rc = cc_pushdown(c, s, it, it->alias, it->subquery, NULL, &sel);
        if (rc == CHORUS_OK)
            rc = cc_select(c, s->outer, sel, &sub);
        c->depth--;
        if (rc != CHORUS_OK)
            return rc;
        return source_add_query(c, s, sub, it->alias, NULL);
    case AST_FROM_NESTED:
        return from_add(c, s, it->nested, true);
    case AST_FROM_FUNCTION:
        return add_table_fn(c, s, it);
    default:
        return cc_error(c, "not supported yet: table-valued functions");
    }
}

/* RIGHT/FULL JOIN: unqualified reads of the left copy of a USING column
 * read coalesce(left, right) (expr.c), as SQLite 3.39+ does. */
static int
using_partner(cctx *c, scope_source *left, int lcol, int right, int rcol)
{
    if (left->col_using_src == NULL) {
        left->col_using_src = cc_alloc(c, (size_t)left->n_cols * sizeof(int));
        left->col_using_col = cc_alloc(c, (size_t)left->n_cols * sizeof(int));
        if (left->col_using_src == NULL || left->col_using_col == NULL)
            return CHORUS_NOMEM;
        for (int k = 0; k < left->n_cols; k++)
            left->col_using_src[k] = -1;
    }
    left->col_using_src[lcol] = right;
    left->col_using_col[lcol] = rcol;
    return CHORUS_OK;
}

/* left.col = right.col for a USING or NATURAL column; hides the right copy. */
static int
join_column(cctx *c, scope *s, int first, int right, const char *name, cx **terms)
{
    int rcol = -1, lsrc = -1, lcol = -1;
    cx *l, *r, *eq;
    int rc;

    for (int k = 0; k < s->src[right].n_cols; k++)
        if (strcasecmp(s->src[right].col_names[k], name) == 0)
            rcol = k;
    for (int i = first; i < right && lsrc < 0; i++)
        for (int k = 0; k < s->src[i].n_cols; k++)
            if (!s->src[i].col_hidden[k] && strcasecmp(s->src[i].col_names[k], name) == 0) {
                lsrc = i;
                lcol = k;
                break;
            }
    if (rcol < 0 || lsrc < 0)
        return cc_error(c, "cannot join using column %s - column not present in both tables",
                        name);
    rc = cc_source_column(c, s, lsrc, lcol, NULL, &l);
    if (rc == CHORUS_OK)
        rc = cc_source_column(c, s, right, rcol, NULL, &r);
    if (rc != CHORUS_OK)
        return rc;
    eq = cx_new(c, CX_CMP, NULL);
    if (eq == NULL)
        return CHORUS_NOMEM;
    eq->op = AST_OP_EQ;
    eq->left = l;
    eq->right = r;
    eq->coll = cx_compare_collation(l, r);
    s->src[right].col_hidden[rcol] = SCOPE_COL_COALESCED;
    if (s->q->levels[right].is_right) {
        rc = using_partner(c, &s->src[lsrc], lcol, right, rcol);
        if (rc != CHORUS_OK)
            return rc;
    }
    *terms = cx_and(c, *terms, eq);
    return CHORUS_OK;
}

static int
join_natural(cctx *c, scope *s, int first, int right, cx **terms)
{
    const scope_source *src = &s->src[right];
    int rc;

    for (int k = 0; k < src->n_cols; k++) {
        bool shared = false;
        for (int i = first; i < right && !shared; i++)
            for (int j = 0; j < s->src[i].n_cols; j++)
                if (!s->src[i].col_hidden[j] &&
                    strcasecmp(s->src[i].col_names[j], src->col_names[k]) == 0)
                    shared = true;
        if (!shared)
            continue;
        rc = join_column(c, s, first, right, src->col_names[k], terms);
        if (rc != CHORUS_OK)
            return rc;
    }
    return CHORUS_OK;
}

/* The join constraints of item it, whose last source is i; its left side
 * is the sources from first on (F3, F4); those of a parenthesized join of
 * several sources are WHERE terms (F6). */
static int
join_constraints(cctx *c, scope *s, int first, int i, const ast_from_item *it)
{
    cx *terms = NULL;
    int rc = CHORUS_OK;

    if ((it->is_natural || it->using_cols.n > 0) && it->kind == AST_FROM_NESTED)
        return cc_error(c, "not supported yet: USING or NATURAL with a parenthesized join");
    if (it->is_natural)
        rc = join_natural(c, s, first, i, &terms);
    for (int k = 0; k < it->using_cols.n && rc == CHORUS_OK; k++)
        rc = join_column(c, s, first, i, it->using_cols.items[k].name, &terms);
    if (rc == CHORUS_OK && it->on != NULL) {
        cx *on;
        if (ast_contains_aggregate(it->on))
            return cc_error(c, "misuse of aggregate function %s()",
                            ast_first_aggregate(it->on)->name);
        rc = cc_expr(c, s, it->on, &on);
        if (rc == CHORUS_OK)
            terms = cx_and(c, terms, on);
    }
    if (rc != CHORUS_OK)
        return rc;
    if (it->kind == AST_FROM_NESTED && it->nested->next != NULL)
        s->group_on = cx_and(c, s->group_on, terms);   /* F6: an inner join's */
    else
        s->level_on[i] = cx_and(c, s->level_on[i], terms);
    return CHORUS_OK;
}

/* Adds the sources of a FROM list, or of a parenthesized join (nested),
 * one level each (F6). */
static int
from_add(cctx *c, scope *s, const ast_from_item *from, bool nested)
{
    int rc;

    for (const ast_from_item *it = from; it != NULL; it = it->next) {
        int before = s->n_src;
        bool right = it->join == AST_JOIN_RIGHT || it->join == AST_JOIN_FULL;
        bool outer = right || it->join == AST_JOIN_LEFT;
        if (right && nested)
            return cc_error(c, "not supported yet: a RIGHT or FULL JOIN inside parentheses");
        if (outer && it->kind == AST_FROM_NESTED && it->nested->next != NULL)
            return cc_error(c, "not supported yet: a parenthesized join on the right of an "
                               "outer join");
        s->fixed_order = s->fixed_order || it->join == AST_JOIN_CROSS;   /* where.c P3 */
        rc = add_item(c, s, it);
        if (rc != CHORUS_OK)
            return rc;
        if (s->n_src > before && (it->kind != AST_FROM_NESTED || outer)) {
            s->q->levels[before].is_left = it->join == AST_JOIN_LEFT || it->join == AST_JOIN_FULL;
            s->q->levels[before].is_right = right;     /* where.c, exec_loop.c L4 */
        }
    }
    return CHORUS_OK;
}

/* The join constraints of the items of a FROM list or parenthesized join
 * whose first source is *level; *level ends past its last source. */
static int
from_constraints(cctx *c, scope *s, const ast_from_item *from, int *level)
{
    int first = *level, rc;

    for (const ast_from_item *it = from; it != NULL; it = it->next) {
        if (it->kind == AST_FROM_NESTED) {
            rc = from_constraints(c, s, it->nested, level);
            if (rc != CHORUS_OK)
                return rc;
        } else {
            (*level)++;
        }
        if ((it->is_natural || it->using_cols.n > 0) && *level - 1 == first)
            return cc_error(c, "a NATURAL join may not be the first table");
        rc = join_constraints(c, s, first, *level - 1, it);
        if (rc != CHORUS_OK)
            return rc;
    }
    return CHORUS_OK;
}

int
cc_from(cctx *c, scope *s, const ast_from_item *from)
{
    int level = s->n_src;
    int rc = from_add(c, s, from, false);

    return rc != CHORUS_OK ? rc : from_constraints(c, s, from, &level);
}
