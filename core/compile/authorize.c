/*
 * core/compile/authorize.c: the authorizer hook (sqlite3_set_authorizer's
 * semantics): at compile time the connection's callback (compile_env.auth)
 * is asked about each action a statement would take, with SQLite's action
 * codes (CHORUS_AUTH_*) and arguments.
 *
 * Rules
 *   AZ1 Answers: CHORUS_OK goes on; CHORUS_DENY fails the compile with
 *       CHORUS_AUTH, "access to t.c is prohibited" for READ (db.t.c when
 *       the table is not main's or databases are attached), "not authorized"
 *       for the others, except FUNCTION: CHORUS_ERROR "not authorized to
 *       use function: f" (as SQLite);
 *       CHORUS_IGNORE is the caller's to honour (a READ reads NULL, a
 *       FUNCTION call is NULL, INSERT and DDL do nothing, DELETE goes on,
 *       an UPDATE whose SET columns are all ignored does nothing); any
 *       other answer fails with CHORUS_ERROR "authorizer malfunction".
 *   AZ2 Where it is asked: cc_authorize from the compiler for READ (each
 *       column a statement names, and each column of a `*`), SELECT (each
 *       select core) and FUNCTION (each call); compile_authorize_stmt from
 *       core/vm (stmt.c) once per compile, before the compiler's, for the
 *       statement's own action
 *       (INSERT, UPDATE per SET column, DELETE, CREATE_*, DROP_*,
 *       ALTER_TABLE, TRANSACTION, SAVEPOINT, PRAGMA, ATTACH, DETACH,
 *       ANALYZE, REINDEX), and for each statement of the trigger programs
 *       a statement fires (core/vm/exec_trigger.c G9), RETURNING `*` asks
 *       READ for each column. The internal reads and writes a statement makes
 *       (sqlite_schema rows, the old row of an UPDATE) are not asked about;
 *       the sixth argument (the trigger or view responsible) is always NULL.
 *   AZ3 Without an authorizer (env->auth NULL) nothing here runs.
 * Callers: core/compile/expr.c, select.c; core/vm/stmt.c.
 */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "compile_int.h"

/* The name of the database holding t: "temp", an ATTACH name, else "main". */
static const char *
table_schema(const compile_env *env, const catalog_table *t)
{
    if (t != NULL && env->temp_cat != NULL && catalog_table_find(env->temp_cat, t->name) == t)
        return "temp";
    for (int i = 0; t != NULL && i < env->n_attached; i++)
        if (catalog_table_find(env->attached[i], t->name) == t)
            return env->attached_names[i];
    return "main";
}

/* AZ1: the callback's answer as CHORUS_OK / CHORUS_IGNORE, or the failure
 * message (malloc()ed in *errmsg_out) and code. */
static int
ask(const compile_env *env, int action, const char *a, const char *b, const char *db,
    char **errmsg_out)
{
    int answer = env->auth(env->auth_arg, action, a, b, db, NULL);

    if (answer == CHORUS_OK || answer == CHORUS_IGNORE)
        return answer;
    if (answer != CHORUS_DENY) {
        *errmsg_out = common_mprintf("authorizer malfunction");
        return *errmsg_out != NULL ? CHORUS_ERROR : CHORUS_NOMEM;
    }
    if (action == CHORUS_AUTH_READ && (db == NULL || strcasecmp(db, "main") != 0 ||
                                       env->n_attached > 0))
        *errmsg_out = common_mprintf("access to %s.%s.%s is prohibited", db, a, b);
    else if (action == CHORUS_AUTH_READ)
        *errmsg_out = common_mprintf("access to %s.%s is prohibited", a, b);
    else if (action == CHORUS_AUTH_FUNCTION)
        *errmsg_out = common_mprintf("not authorized to use function: %s", b);
    else
        *errmsg_out = common_mprintf("not authorized");
    if (*errmsg_out == NULL)
        return CHORUS_NOMEM;
    return action == CHORUS_AUTH_FUNCTION ? CHORUS_ERROR : CHORUS_AUTH;
}

int
cc_authorize(cctx *c, int action, const char *a, const char *b, const catalog_table *t,
             bool *ignore_out)
{
    char *msg = NULL;
    int rc;

    *ignore_out = false;
    if (c->env->auth == NULL)                                           /* AZ3 */
        return CHORUS_OK;
    rc = ask(c->env, action, a, b, t != NULL ? table_schema(c->env, t) : NULL, &msg);
    if (rc == CHORUS_IGNORE) {
        *ignore_out = true;
        return CHORUS_OK;
    }
    if (msg != NULL && c->errmsg == NULL)
        c->errmsg = msg;
    else
        free(msg);
    return rc;
}

int
cc_authorize_column(cctx *c, const scope_source *src, int col, cx **null_out)
{
    const catalog_table *t = src->table;
    const char *name;
    bool ignore;
    int rc;

    *null_out = NULL;
    if (c->env->auth == NULL || t == NULL)                              /* AZ3 */
        return CHORUS_OK;
    name = col >= 0 && col < t->n_cols ? t->cols[col].name
           : t->rowid_alias >= 0       ? t->cols[t->rowid_alias].name
                                       : "ROWID";
    rc = cc_authorize(c, CHORUS_AUTH_READ, t->name, name, t, &ignore);
    if (rc == CHORUS_OK && ignore && (*null_out = cx_new(c, CX_CONST, NULL)) == NULL)
        return CHORUS_NOMEM;        /* AZ1: an ignored column reads NULL */
    return rc;
}

/* --- the statement's own action (AZ2) -------------------------------------- */

typedef struct stmt_auth {
    const compile_env *env;
    char **errmsg;
    bool ignore;            /* some answer was IGNORE */
    bool allowed;           /* some answer was OK */
} stmt_auth;

static int
stmt_ask(stmt_auth *sa, int action, const char *a, const char *b, const char *db)
{
    int rc = ask(sa->env, action, a, b, db, sa->errmsg);

    if (rc == CHORUS_IGNORE)
        sa->ignore = true;
    else if (rc == CHORUS_OK)
        sa->allowed = true;
    return rc == CHORUS_IGNORE ? CHORUS_OK : rc;
}

/* The table named (schema, name) as the statement sees it, or NULL. */
static const catalog_table *
named_table(const compile_env *env, const char *schema, const char *name)
{
    const catalog_table *t = NULL;

    if (name == NULL)
        return NULL;
    if (schema == NULL || strcasecmp(schema, "temp") == 0)
        t = env->temp_cat != NULL ? catalog_table_find(env->temp_cat, name) : NULL;
    for (int i = 0; t == NULL && i < env->n_attached; i++)
        if (schema == NULL || strcasecmp(schema, env->attached_names[i]) == 0)
            t = catalog_table_find(env->attached[i], name);
    if (t == NULL && (schema == NULL || strcasecmp(schema, "main") == 0))
        t = catalog_table_find(env->cat, name);
    return t;
}

/* The database a DDL object of that schema qualifier goes to. */
static const char *
ddl_schema(const char *schema, bool is_temp)
{
    return is_temp ? "temp" : schema != NULL ? schema : "main";
}

static int
drop_action(stmt_auth *sa, const ast_drop *d)
{
    const compile_env *env = sa->env;
    bool temp = (d->schema != NULL && strcasecmp(d->schema, "temp") == 0) ||
                (d->schema == NULL && env->temp_cat != NULL &&
                 (catalog_table_find(env->temp_cat, d->name) != NULL ||
                  catalog_index_find(env->temp_cat, d->name) != NULL ||
                  catalog_view_find(env->temp_cat, d->name) != NULL ||
                  catalog_trigger_find(env->temp_cat, d->name) != NULL));
    const catalog *cat = temp ? env->temp_cat : env->cat;
    const char *db = ddl_schema(d->schema, temp);

    switch (d->what) {
    case AST_DROP_TABLE:
        return stmt_ask(sa, temp ? CHORUS_AUTH_DROP_TEMP_TABLE : CHORUS_AUTH_DROP_TABLE, d->name,
                        NULL, db);
    case AST_DROP_VIEW:
        return stmt_ask(sa, temp ? CHORUS_AUTH_DROP_TEMP_VIEW : CHORUS_AUTH_DROP_VIEW, d->name,
                        NULL, db);
    case AST_DROP_INDEX: {
        const catalog_index *ix = cat != NULL ? catalog_index_find(cat, d->name) : NULL;
        return stmt_ask(sa, temp ? CHORUS_AUTH_DROP_TEMP_INDEX : CHORUS_AUTH_DROP_INDEX, d->name,
                        ix != NULL ? ix->table->name : NULL, db);
    }
    default: {
        const catalog_trigger *tr = cat != NULL ? catalog_trigger_find(cat, d->name) : NULL;
        return stmt_ask(sa, temp ? CHORUS_AUTH_DROP_TEMP_TRIGGER : CHORUS_AUTH_DROP_TRIGGER,
                        d->name, tr != NULL ? tr->table : NULL, db);
    }
    }
}

static int
transaction_action(stmt_auth *sa, const ast_transaction *tx)
{
    switch (tx->kind) {
    case AST_TX_BEGIN:
        return stmt_ask(sa, CHORUS_AUTH_TRANSACTION, "BEGIN", NULL, NULL);
    case AST_TX_COMMIT:
        return stmt_ask(sa, CHORUS_AUTH_TRANSACTION, "COMMIT", NULL, NULL);
    case AST_TX_ROLLBACK:
        return stmt_ask(sa, CHORUS_AUTH_TRANSACTION, "ROLLBACK", NULL, NULL);
    case AST_TX_SAVEPOINT:
        return stmt_ask(sa, CHORUS_AUTH_SAVEPOINT, "BEGIN", tx->savepoint, NULL);
    case AST_TX_RELEASE:
        return stmt_ask(sa, CHORUS_AUTH_SAVEPOINT, "RELEASE", tx->savepoint, NULL);
    default:
        return stmt_ask(sa, CHORUS_AUTH_SAVEPOINT, "ROLLBACK", tx->savepoint, NULL);
    }
}

/* The text of a PRAGMA value or ATTACH operand as SQLite hands it over. */
static const char *
operand_text(const compile_env *env, const ast_expr *e, char **owned)
{
    if (e == NULL)
        return NULL;
    if (e->kind == EXPR_COLUMN && e->name != NULL)
        return e->name;
    *owned = strndup(env->sql + e->span.start, e->span.len);
    return *owned;
}

static int
stmt_action(stmt_auth *sa, const ast_stmt *s)
{
    const compile_env *env = sa->env;
    char *owned = NULL;
    int rc = CHORUS_OK;

    switch (s->kind) {
    case STMT_INSERT:
        rc = stmt_ask(sa, CHORUS_AUTH_INSERT, s->u.insert.table, NULL,
                      table_schema(env, named_table(env, s->u.insert.schema, s->u.insert.table)));
        break;
    case STMT_DELETE: {
        const char *db = table_schema(env, named_table(env, s->u.del.schema, s->u.del.table));
        rc = stmt_ask(sa, CHORUS_AUTH_DELETE, s->u.del.table, NULL, db);
        sa->ignore = false;         /* AZ1: an ignored DELETE still deletes, as in SQLite */
        break;
    }
    case STMT_UPDATE: {
        const char *db = table_schema(env, named_table(env, s->u.update.schema, s->u.update.table));
        for (int i = 0; rc == CHORUS_OK && i < s->u.update.set.n; i++)
            rc = stmt_ask(sa, CHORUS_AUTH_UPDATE, s->u.update.table, s->u.update.set.items[i].name,
                          db);
        if (rc == CHORUS_OK && sa->ignore && sa->allowed) {
            *sa->errmsg = common_mprintf("not supported yet: an authorizer ignoring some "
                                         "columns of an UPDATE");
            rc = *sa->errmsg != NULL ? CHORUS_ERROR : CHORUS_NOMEM;
        }
        break;
    }
    case STMT_CREATE_TABLE:
        rc = stmt_ask(sa, s->u.create_table.is_temp ? CHORUS_AUTH_CREATE_TEMP_TABLE
                                                    : CHORUS_AUTH_CREATE_TABLE,
                      s->u.create_table.name, NULL,
                      ddl_schema(s->u.create_table.schema, s->u.create_table.is_temp));
        break;
    case STMT_CREATE_INDEX: {
        const catalog_table *t = named_table(env, s->u.create_index.schema,
                                             s->u.create_index.table);
        bool temp = t != NULL && t->is_temp;
        rc = stmt_ask(sa, temp ? CHORUS_AUTH_CREATE_TEMP_INDEX : CHORUS_AUTH_CREATE_INDEX,
                      s->u.create_index.name, s->u.create_index.table, table_schema(env, t));
        break;
    }
    case STMT_CREATE_VIEW:
        rc = stmt_ask(sa, s->u.create_view.is_temp ? CHORUS_AUTH_CREATE_TEMP_VIEW
                                                   : CHORUS_AUTH_CREATE_VIEW,
                      s->u.create_view.name, NULL,
                      ddl_schema(s->u.create_view.schema, s->u.create_view.is_temp));
        break;
    case STMT_CREATE_TRIGGER:
        rc = stmt_ask(sa, s->u.create_trigger.is_temp ? CHORUS_AUTH_CREATE_TEMP_TRIGGER
                                                      : CHORUS_AUTH_CREATE_TRIGGER,
                      s->u.create_trigger.name, s->u.create_trigger.table,
                      ddl_schema(s->u.create_trigger.schema, s->u.create_trigger.is_temp));
        break;
    case STMT_DROP:
        rc = drop_action(sa, &s->u.drop);
        break;
    case STMT_ALTER:
        rc = stmt_ask(sa, CHORUS_AUTH_ALTER_TABLE,
                      s->u.alter.schema != NULL ? s->u.alter.schema : "main", s->u.alter.table,
                      NULL);
        break;
    case STMT_TRANSACTION:
        rc = transaction_action(sa, &s->u.tx);
        break;
    case STMT_PRAGMA:
        rc = stmt_ask(sa, CHORUS_AUTH_PRAGMA, s->u.pragma.name,
                      operand_text(env, s->u.pragma.value, &owned), s->u.pragma.schema);
        break;
    case STMT_ATTACH:
        rc = stmt_ask(sa, CHORUS_AUTH_ATTACH, operand_text(env, s->u.misc.expr, &owned), NULL,
                      NULL);
        break;
    case STMT_DETACH:
        rc = stmt_ask(sa, CHORUS_AUTH_DETACH, s->u.misc.name, NULL, NULL);
        break;
    case STMT_ANALYZE:
        rc = stmt_ask(sa, CHORUS_AUTH_ANALYZE, s->u.misc.name, NULL,
                      s->u.misc.schema != NULL ? s->u.misc.schema : "main");
        break;
    case STMT_REINDEX:
        rc = stmt_ask(sa, CHORUS_AUTH_REINDEX, s->u.misc.name, NULL, s->u.misc.schema);
        break;
    default:
        break;
    }
    free(owned);
    return rc;
}

int
compile_authorize_stmt(const compile_env *env, const ast_stmt *stmt, bool *ignore_out,
                       char **errmsg_out)
{
    stmt_auth sa = {env, errmsg_out, false, false};
    int rc;

    *ignore_out = false;
    *errmsg_out = NULL;
    if (env->auth == NULL)                                              /* AZ3 */
        return CHORUS_OK;
    rc = stmt_action(&sa, stmt);
    *ignore_out = rc == CHORUS_OK && sa.ignore;
    return rc;
}
