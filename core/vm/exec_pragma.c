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
 *   PR3 PRAGMA function_list lists the built-in functions as SQLite 3.40
 *       flags them: a deterministic scalar 0x200800 (SQLITE_INNOCUOUS |
 *       SQLITE_DETERMINISTIC), another scalar or an aggregate 0x200000, the
 *       JSON functions 0x800 (not innocuous), their aggregates 0x100800
 *       (SQLITE_SUBTYPE), the date and time functions as deterministic; an
 *       aggregate usable as a window function and the window functions
 *       (row_number ...) are type 'w'. The connection's own functions come
 *       first, not built-in, flagged 0x800 when deterministic (SQLite's
 *       order is its hash table's; this one is stable).
 *   PR4 table_info, table_xinfo and table_list describe a view by its
 *       result columns, compiled from its SELECT against the catalog that
 *       holds it: names (its column list first, made unique as from.c F8
 *       says), declared types (the columns' own, "" for expressions), never
 *       NOT NULL or key.
 *   PR5 case_sensitive_like and automatic_index are connection settings the
 *       compiler reads (compile_env); changing one expires every statement
 *       of the connection (vm_conn_expire), as SQLite's re-registered LIKE
 *       does, so no plan keeps a LIKE range of the other case rule.
 * Callers: stmt.c (statements), exec_query.c (tables).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vm_int.h"

/* The flags PR3 gives def: the date and time functions count as
 * deterministic in SQLite (FUNC_STATEMENT_STABLE: their 'now' is one per
 * statement). */
static int
sqlite_flags(const func_def *def)
{
    bool is_json = strncmp(def->name, "json", 4) == 0 || def->name[0] == '-';

    if (def->flags & FUNC_STATEMENT_STABLE)
        return 0x200800;
    if (is_json)
        return 0x800 | (def->flags & FUNC_AGGREGATE ? 0x100000 : 0);
    return 0x200000 | ((def->flags & (FUNC_DETERMINISTIC | FUNC_AGGREGATE)) == FUNC_DETERMINISTIC
                           ? 0x800 : 0);
}

/* PRAGMA function_list (PR3): the connection's own functions, then the
 * registry's, then the window functions the compiler knows. */
static bool
function_at(int i, catalog_function_info *out)
{
    const func_def *def;
    int n = 0;

    while (func_user_at(n) != NULL)
        n++;
    if (i < n) {
        def = func_user_at(i);
        out->name = def->name;
        out->builtin = false;
        out->n_args = def->n_args;
        out->type = !(def->flags & FUNC_AGGREGATE) ? 's' : def->value != NULL ? 'w' : 'a';
        out->flags = def->flags & FUNC_DETERMINISTIC ? 0x800 : 0;
        return true;
    }
    i -= n;
    def = func_at(i);
    n = 0;
    out->builtin = true;
    if (def == NULL) {
        while (func_at(n) != NULL)
            n++;
        out->type = 'w';
        out->flags = 0x200000;
        return compile_window_function_at(i - n, &out->name, &out->n_args);
    }
    out->name = def->name;
    out->n_args = def->n_args;
    out->type = !(def->flags & FUNC_AGGREGATE) ? 's' : def->value != NULL ? 'w' : 'a';
    out->flags = sqlite_flags(def);
    return true;
}

/* PR4: the result columns of view v of cat, compiled as the view's own
 * SELECT (its spans index v->sql), named by its column list when it has one. */
static int
view_columns(void *arg, const catalog *cat, const catalog_view *v, catalog_result *out,
             char **errmsg_out)
{
    compile_env env = {.cat = cat, .sql = v->sql};
    /* compile_stmt only reads the statement: the cast drops a const that
     * ast_stmt's union member cannot carry */
    ast_stmt stmt = {.kind = STMT_SELECT, .u.select = (ast_select *)v->select};
    plan_stmt *plan;
    const char **given;
    char **names = NULL;
    value *row;
    int rc;

    (void)arg;
    rc = compile_stmt(&env, &stmt, &plan, errmsg_out);
    if (rc != CHORUS_OK)
        return rc;
    given = malloc(sizeof *given * (size_t)(plan->n_cols ? plan->n_cols : 1));
    for (int i = 0; given != NULL && i < plan->n_cols; i++)
        given[i] = i < v->columns->n ? v->columns->items[i].name : plan->col_names[i];
    if (given != NULL)
        names = catalog_names_unique(plan->n_cols, given);       /* from.c F8 */
    rc = names == NULL ? CHORUS_NOMEM : CHORUS_OK;
    for (int i = 0; rc == CHORUS_OK && i < plan->n_cols; i++) {
        const char *type = plan->col_decltypes != NULL ? plan->col_decltypes[i] : NULL;
        if ((rc = catalog_result_add_row(out, &row)) != CHORUS_OK)
            break;
        rc = value_set_text_copy(&row[0], names[i], (int32_t)strlen(names[i]));
        if (rc == CHORUS_OK && type != NULL)
            rc = value_set_text_copy(&row[1], type, (int32_t)strlen(type));
    }
    for (int i = 0; names != NULL && i < plan->n_cols; i++)
        free(names[i]);
    free(names);
    free(given);
    plan_free(plan);
    return rc;
}

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
    env->case_sensitive_like = &conn->case_sensitive_like;
    env->automatic_index = &conn->automatic_index;
    env->cache_size = &conn->cache_size;
    env->mvcc = vm_mvcc_on(conn->db);
    env->function_at = function_at;
    env->view_columns = view_columns;
    rc = vm_schema_pragma_env(r, p, env);      /* temp.c TP4 */
    if (rc == CHORUS_OK)
        env->stx = env->tx != NULL ? vm_store_tx(conn, env->tx) : NULL;
    return rc;
}

/* Runs p into out (initialized by the caller). PR5: a change of a setting
 * the compiler reads recompiles the connection's statements. */
static int
pragma_run(vm_run *r, const ast_pragma *p, catalog_result *out)
{
    catalog_pragma_env env;
    char *msg = NULL;
    bool like = r->conn->case_sensitive_like, autoindex = r->conn->automatic_index;
    int rc = pragma_env(r, p, &env);

    if (rc != CHORUS_OK)
        return rc;
    rc = catalog_pragma(&env, p, out, &msg);
    if (like != r->conn->case_sensitive_like || autoindex != r->conn->automatic_index)
        vm_conn_expire(r->conn);
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

/* The pragma's argument as its text (*out owned, NULL when v is absent or
 * neither TEXT nor INTEGER). */
static int
arg_text(const value *v, char **out)
{
    *out = NULL;
    if (v == NULL || (v->type != VALUE_TEXT && v->type != VALUE_INTEGER))
        return CHORUS_OK;
    *out = v->type == VALUE_INTEGER ? common_mprintf("%lld", (long long)v->u.i)
                                    : common_mprintf("%.*s", (int)v->n, v->u.z);
    return *out != NULL ? CHORUS_OK : CHORUS_NOMEM;
}

int
vm_pragma_table(vm_run *r, const char *name, const char *schema, const value *arg,
                const value *schema_arg, catalog_result *out)
{
    ast_pragma p = {.schema = schema, .name = name};
    ast_expr value_expr;
    char *text = NULL, *schema_text = NULL;
    int rc = arg_text(arg, &text);

    if (rc == CHORUS_OK && schema_arg != NULL && schema_arg->type == VALUE_TEXT)
        rc = arg_text(schema_arg, &schema_text);
    if (schema_text != NULL)
        p.schema = schema_text;
    if (text != NULL) {
        memset(&value_expr, 0, sizeof value_expr);
        value_expr.kind = arg->type == VALUE_INTEGER ? EXPR_INTEGER : EXPR_STRING;
        value_expr.ival = arg->type == VALUE_INTEGER ? arg->u.i : 0;
        value_expr.str = text;
        p.value = &value_expr;
    }
    if (rc == CHORUS_OK)
        rc = pragma_run(r, &p, out);
    free(text);
    free(schema_text);
    return rc;
}
