/*
 * core/vm/exec_pragma.c: PRAGMA statements, and PRAGMAs read as tables
 * (SQLite's pragma_<name> sources, compile/from.c F7).
 *
 * Rules
 *   PR1 A PRAGMA runs against the database it is about (temp.c TP4:
 *       temp.x, aux.x, or the database holding the table it names), in a
 *       transaction of that database when catalog_pragma_access asks for
 *       one; journal_mode and wal_checkpoint in MVCC mode go to
 *       mvcc_mode.c first (VM1, VM8).
 *   PR2 A pragma table runs the pragma as queried, or given its arg, once
 *       each time its source is filled (the query's open, or every row of
 *       the sources its arguments read); its rows are the pragma's result
 *       rows followed by the arg and schema it was given.
 * Callers: stmt.c (statements), exec_query.c (tables).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vm_int.h"

/* The connection settings and the database a pragma works on (PR1). */
static int
pragma_env(vm_run *r, const ast_pragma *p, catalog_pragma_env *env)
{
    vm_conn *conn = r->conn;
    int rc;

    memset(env, 0, sizeof *env);
    env->pager = conn->db->pager;
    env->path = conn->db->is_private ? "" : conn->db->path;
    env->tx = conn->tx;
    env->cat = conn->cat;
    env->busy_timeout_ms = &conn->busy_ms;
    env->foreign_keys = &conn->foreign_keys;
    env->defer_foreign_keys = &conn->defer_foreign_keys;
    env->recursive_triggers = &conn->recursive_triggers;
    env->cache_size = &conn->cache_size;
    env->mvcc = vm_mvcc_on(conn->db);
    rc = vm_schema_pragma_env(r, p, env);      /* temp.c TP4 */
    if (rc == CHORUS_OK)
        env->stx = env->tx != NULL ? vm_store_tx(conn, env->tx) : NULL;
    return rc;
}

/* Runs p into out (initialized by the caller). */
static int
pragma_run(vm_run *r, const ast_pragma *p, catalog_result *out)
{
    catalog_pragma_env env;
    char *msg = NULL;
    int rc = pragma_env(r, p, &env);

    if (rc != CHORUS_OK)
        return rc;
    rc = catalog_pragma(&env, p, out, &msg);
    if (rc != CHORUS_OK)
        rc = vm_run_error(r, rc, "%s", msg ? msg : chorus_errstr(rc));
    free(msg);
    return rc;
}

int
vm_exec_pragma(vm_stmt *st)
{
    vm_conn *conn = st->conn;
    bool handled;
    int rc;

    catalog_result_free(&st->pres);
    catalog_result_init(&st->pres);
    rc = vm_mvcc_journal_mode(st, &handled);            /* mvcc_mode.c VM1 */
    if (rc == CHORUS_OK && !handled)
        rc = vm_mvcc_checkpoint_pragma(st, &handled);   /* mvcc_mode.c VM8 */
    if (rc != CHORUS_OK || handled)
        return rc != CHORUS_OK && st->run.errmsg == NULL
                   ? vm_run_error(&st->run, rc, "%s", chorus_errstr(rc)) : rc;
    rc = pragma_run(&st->run, &st->ast->u.pragma, &st->pres);
    if (rc != CHORUS_OK)
        return rc;
    if (!conn->defer_foreign_keys)
        conn->fk_deferred_imm = 0;      /* fkey.c K3: as SQLite when it is turned off */
    if (st->pres.schema_changed)
        conn->schema_gen++;
    return CHORUS_OK;
}

/* A NUL-terminated copy of a TEXT (or number) value, or NULL otherwise. */
static char *
value_text_dup(const value *v)
{
    char num[32];

    if (v == NULL)
        return NULL;
    if (v->type == VALUE_INTEGER) {
        snprintf(num, sizeof num, "%lld", (long long)v->u.i);
        return strdup(num);
    }
    if (v->type != VALUE_TEXT)
        return NULL;
    char *s = malloc((size_t)v->n + 1);
    if (s != NULL) {
        memcpy(s, v->u.z, (size_t)v->n);
        s[v->n] = '\0';
    }
    return s;
}

int
vm_pragma_table(vm_run *r, const char *name, const char *schema, const value *arg,
                const value *schema_arg, catalog_result *out)
{
    ast_pragma p = {.schema = schema, .name = name};
    ast_expr value_expr;
    char *arg_text = value_text_dup(arg), *schema_text = value_text_dup(schema_arg);
    int rc = CHORUS_OK;

    if ((arg != NULL && arg->type != VALUE_NULL && arg_text == NULL && arg->type != VALUE_REAL &&
         arg->type != VALUE_BLOB) ||
        (schema_arg != NULL && schema_arg->type == VALUE_TEXT && schema_text == NULL))
        rc = CHORUS_NOMEM;
    if (schema_text != NULL)
        p.schema = schema_text;
    if (rc == CHORUS_OK && arg_text != NULL) {
        memset(&value_expr, 0, sizeof value_expr);
        value_expr.kind = arg->type == VALUE_INTEGER ? EXPR_INTEGER : EXPR_STRING;
        value_expr.ival = arg->type == VALUE_INTEGER ? arg->u.i : 0;
        value_expr.str = arg_text;
        p.value = &value_expr;
    }
    if (rc == CHORUS_OK)
        rc = pragma_run(r, &p, out);
    free(arg_text);
    free(schema_text);
    return rc;
}
