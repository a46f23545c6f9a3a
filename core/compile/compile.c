/*
 * core/compile/compile.c: the compiler's entry point: dispatch by statement
 * kind, the compile context (errors, arena, cursors) and plan_free.
 *
 * Invariants
 *   K1  The first error wins: cc_error keeps the first message and every
 *       later failure only propagates the code.
 *   K2  Every plan node and string lives in plan->arena; the cursor array
 *       is malloc()ed while compiling (it grows) and copied into the arena
 *       at the end.
 * Callers: core/vm/stmt.c (vm_prepare and re-preparation).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "compile_int.h"

int
cc_error(cctx *c, const char *fmt, ...)
{
    va_list ap;

    if (c->errmsg == NULL) {
        strbuf sb;
        strbuf_init(&sb);
        va_start(ap, fmt);
        strbuf_vprintf(&sb, fmt, ap);
        va_end(ap);
        c->errmsg = strbuf_finish(&sb);
    }
    return CHORUS_ERROR;
}

int
cc_nomem(cctx *c)
{
    return CHORUS_NOMEM;
}

void *
cc_alloc(cctx *c, size_t nbytes)
{
    return arena_alloc(c->a, nbytes == 0 ? 1 : nbytes);
}

char *
cc_strdup(cctx *c, const char *s)
{
    return s == NULL ? NULL : arena_strdup(c->a, s);
}

/* The source text of a span (statement SQL), in the arena. */
char *
cc_span_text(cctx *c, ast_span span)
{
    return arena_strndup(c->a, c->env->sql + span.start, span.len);
}

int
cc_cursor_new(cctx *c, int kind, int *out)
{
    if (c->n_cursors == c->cap_cursors) {
        int cap = c->cap_cursors ? c->cap_cursors * 2 : 8;
        plan_cursor *p = realloc(c->cursors, (size_t)cap * sizeof *p);
        if (p == NULL)
            return CHORUS_NOMEM;
        c->cursors = p;
        c->cap_cursors = cap;
    }
    memset(&c->cursors[c->n_cursors], 0, sizeof c->cursors[0]);
    c->cursors[c->n_cursors].kind = (uint8_t)kind;
    *out = c->n_cursors++;
    return CHORUS_OK;
}

/* Borrowed until the next cc_cursor_new. */
plan_cursor *
cc_cursor(cctx *c, int i)
{
    return &c->cursors[i];
}

/* Names a SELECT statement's result columns. */
static int
compile_select_stmt(cctx *c, const ast_select *sel)
{
    plan_stmt *p = c->plan;
    cc_names names;
    int rc;

    rc = cc_select(c, NULL, sel, &p->query);
    if (rc != CHORUS_OK)
        return rc;
    rc = cc_select_names(c, NULL, sel, p->query, &names);
    if (rc != CHORUS_OK)
        return rc;
    p->kind = PLAN_SELECT;
    p->readonly = true;
    p->n_cols = p->query->n_cols;
    p->col_names = names.names;
    p->col_decltypes = names.decltypes;
    p->col_tables = names.tables;
    p->col_origins = names.origins;
    return CHORUS_OK;
}

static int
compile_create_as(cctx *c, const ast_stmt *stmt)
{
    plan_stmt *p = c->plan;
    cc_names names;
    int rc;

    rc = cc_select(c, NULL, stmt->u.create_table.as_select, &p->query);
    if (rc != CHORUS_OK)
        return rc;
    rc = cc_select_names(c, NULL, stmt->u.create_table.as_select, p->query, &names);
    if (rc != CHORUS_OK)
        return rc;
    p->kind = PLAN_CREATE_AS;
    p->is_ddl = true;
    /* The names travel in col_names, but the statement has no result columns. */
    p->col_names = names.names;
    p->n_cols = 0;
    return CHORUS_OK;
}

/* An ATTACH or DETACH operand: a bare name means itself as text. */
static int
attach_operand(cctx *c, const ast_expr *e, cx **out)
{
    *out = NULL;
    if (e->kind == EXPR_COLUMN && e->table == NULL)
        return CHORUS_OK;
    return cc_expr(c, NULL, e, out);
}

static int
compile_attach(cctx *c, const ast_stmt *stmt)
{
    plan_stmt *p = c->plan;
    int rc;

    p->kind = stmt->kind == STMT_ATTACH ? PLAN_ATTACH : PLAN_DETACH;
    p->readonly = true;
    rc = attach_operand(c, stmt->u.misc.expr, &p->args[0]);
    if (rc == CHORUS_OK && stmt->kind == STMT_ATTACH)
        rc = attach_operand(c, stmt->u.misc.alias, &p->args[1]);
    return rc;
}

/* Statements the engine does not run yet fail here, never later. */
static int
compile_unsupported(cctx *c, const ast_stmt *stmt)
{
    switch (stmt->kind) {
    case STMT_CREATE_VIRTUAL:
        return cc_error(c, "not supported yet: CREATE VIRTUAL TABLE");
    default:
        return cc_error(c, "not supported yet: this statement");
    }
}

static int
compile_dispatch(cctx *c, const ast_stmt *stmt)
{
    plan_stmt *p = c->plan;

    switch (stmt->kind) {
    case STMT_SELECT:
        return compile_select_stmt(c, stmt->u.select);
    case STMT_INSERT:
        return cc_insert(c, stmt);
    case STMT_UPDATE:
        return cc_update(c, stmt);
    case STMT_DELETE:
        return cc_delete(c, stmt);
    case STMT_CREATE_TABLE:
        if (stmt->u.create_table.as_select != NULL)
            return compile_create_as(c, stmt);
        /* fall through */
    case STMT_CREATE_INDEX:
    case STMT_CREATE_VIEW:
    case STMT_CREATE_TRIGGER:
    case STMT_DROP:
    case STMT_ALTER:
        p->kind = PLAN_DDL;
        p->is_ddl = true;
        return CHORUS_OK;
    case STMT_PRAGMA:
        p->kind = PLAN_PRAGMA;
        p->readonly = catalog_pragma_access(&stmt->u.pragma) != CATALOG_PRAGMA_WRITE;
        return CHORUS_OK;
    case STMT_TRANSACTION:
        p->kind = PLAN_TX;
        p->readonly = true;
        return CHORUS_OK;
    case STMT_ATTACH:
    case STMT_DETACH:
        return compile_attach(c, stmt);
    case STMT_REINDEX:
        if (stmt->u.misc.name != NULL && catalog_table_find(c->env->cat, stmt->u.misc.name) == NULL &&
            catalog_index_find(c->env->cat, stmt->u.misc.name) == NULL &&
            collation_find(stmt->u.misc.name) < 0)
            return cc_error(c, "unable to identify the object to be reindexed");
        /* fall through */
    case STMT_ANALYZE:
    case STMT_VACUUM:
        /* core/catalog/reindex.c, analyze.c, vacuum.c through catalog_ddl_execute */
        p->kind = PLAN_DDL;
        p->is_ddl = true;
        return CHORUS_OK;
    default:
        return compile_unsupported(c, stmt);
    }
}

/* Moves the cursor array into the arena (K2). */
static int
compile_finish(cctx *c)
{
    plan_stmt *p = c->plan;

    p->n_cursors = c->n_cursors;
    p->cursors = cc_alloc(c, (size_t)c->n_cursors * sizeof *p->cursors);
    if (p->cursors == NULL)
        return CHORUS_NOMEM;
    if (c->n_cursors > 0)
        memcpy(p->cursors, c->cursors, (size_t)c->n_cursors * sizeof *p->cursors);
    p->n_params = c->max_param;
    p->param_names = cc_alloc(c, (size_t)(c->max_param + 1) * sizeof *p->param_names);
    if (p->param_names == NULL)
        return CHORUS_NOMEM;
    for (int i = 1; i <= c->max_param && i < c->cap_params; i++)
        p->param_names[i] = c->param_names[i];
    return CHORUS_OK;
}

int
cc_compile(const compile_env *env, const ast_stmt *stmt, int (*setup)(cctx *c, void *arg),
           void *arg, plan_stmt **out, char **errmsg_out)
{
    cctx c;
    plan_stmt *p;
    int rc = CHORUS_OK;

    *out = NULL;
    *errmsg_out = NULL;
    p = calloc(1, sizeof *p);
    if (p == NULL)
        return CHORUS_NOMEM;
    arena_init(&p->arena);
    p->ast = stmt;
    p->conflict = AST_CONFLICT_DEFAULT;
    memset(&c, 0, sizeof c);
    c.env = env;
    c.plan = p;
    c.a = &p->arena;
    c.min_ref = INT32_MAX;
    if (setup != NULL)
        rc = setup(&c, arg);
    if (rc == CHORUS_OK && stmt != NULL) {
        if (stmt->explain == AST_EXPLAIN)
            rc = cc_error(&c, "not supported yet: EXPLAIN");
        else
            rc = compile_dispatch(&c, stmt);
    }
    if (rc == CHORUS_OK)
        cc_prune_columns(&c);
    if (rc == CHORUS_OK)
        rc = cc_where_finish(&c);
    if (rc == CHORUS_OK)
        rc = compile_finish(&c);
    if (rc == CHORUS_OK && stmt != NULL && stmt->explain == AST_EXPLAIN_QUERY_PLAN)
        rc = cc_explain_query_plan(&c);
    free(c.cursors);
    free(c.param_names);
    free(c.levels);
    if (rc != CHORUS_OK) {
        if (rc == CHORUS_ERROR && c.errmsg == NULL)
            c.errmsg = common_mprintf("SQL logic error");
        *errmsg_out = c.errmsg;
        plan_free(p);
        return rc;
    }
    free(c.errmsg);
    *out = p;
    return CHORUS_OK;
}

int
compile_stmt(const compile_env *env, const ast_stmt *stmt, plan_stmt **out, char **errmsg_out)
{
    return cc_compile(env, stmt, NULL, NULL, out, errmsg_out);
}

void
plan_subs_free(plan_stmt *plan)
{
    while (plan->subs != NULL) {
        plan_sub *sub = plan->subs;
        plan->subs = sub->next;
        plan_free(sub->plan);
        if (sub->ast_arena != NULL)
            arena_free(sub->ast_arena);
        free(sub->ast_arena);
        free(sub->sql);
        free(sub);
    }
}

void
plan_free(plan_stmt *plan)
{
    if (plan == NULL)
        return;
    plan_subs_free(plan);
    arena_free(&plan->arena);
    free(plan);
}
