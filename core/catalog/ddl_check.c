/*
 * core/catalog/ddl_check.c: the checks of a DDL statement that read the
 * schema and write nothing: the schema name it qualifies with, whether the
 * name a CREATE gives is taken, whether the object a DROP names exists and
 * has that kind, whether the table a CREATE INDEX or CREATE TRIGGER names
 * exists (with the index's columns), what a new table's expressions name.
 *
 * Rules
 *   DC1 sqlite3_prepare reports these errors, so the VM runs
 *       catalog_ddl_check at prepare, against the catalog the statement
 *       targets; catalog_ddl_execute runs the same functions again at step
 *       (the schema may change in between), so each message has one source.
 *   DC2 A check only reads its catalog (which may be a published one,
 *       shared by other connections: catalog.h C2).
 *   DC3 The expressions of a new table (CREATE TABLE; not a stored schema,
 *       which loads as written) are SQLite's: a DEFAULT names no column
 *       and holds no subquery or parameter ("default value of column [b]
 *       is not constant"); a CHECK or generated column holds neither and
 *       names only columns of its table, unqualified or qualified with the
 *       table's name (a generated column: unqualified only, and not the
 *       rowid under any of its names); a double-quoted name that names no
 *       column there is a string.
 *   DC4 At prepare, a CREATE TABLE is defined in a scratch catalog (its
 *       text alone defines it), so every error of its definition (DC3,
 *       define.c's, D4's collations) fails the prepare, as in SQLite.
 *   DC5 The columns and WHERE of a CREATE INDEX follow the same rules
 *       (define.c index_target runs them at prepare and at step): no
 *       subquery, no parameter; an expression names only columns of the
 *       table, unqualified, never the rowid; the WHERE may name the rowid
 *       and qualify with the table's name. A double-quoted name that is
 *       no column is a string (an index on it is an expression index).
 *   DC6 A new CHECK, generated column or index expression calls only
 *       functions that exist with that many arguments, never an aggregate
 *       or window function ("misuse of aggregate function count()"); a
 *       generated column or index calls only deterministic functions and
 *       the date and time functions (func.h FUNC_STATEMENT_STABLE; "non-
 *       deterministic functions prohibited in index expressions"). Only a
 *       CREATE checks this (prepare, and step through define_index_check):
 *       a stored schema loads whatever functions the connection defines
 *       later, as in SQLite.
 *   DC7 A CREATE VIEW or CREATE TRIGGER holds no parameter ("parameters
 *       are not allowed in views" before any other check of a view,
 *       "trigger cannot use variables" after its target's): its text is
 *       stored and read back unbound.
 *
 * Callers: create.c, drop.c, alter.c, define.c (index_target), reindex.c
 * and analyze.c (through ddl_check_schema_name), catalog_ddl_check
 * (core/vm/temp.c vm_schema_ddl_check, at prepare).
 */
#include <stdarg.h>
#include <stdlib.h>
#include <strings.h>

#include "catalog_int.h"
#include "func.h"

static int
check_fail(char **err_out, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static int
check_fail(char **err_out, const char *fmt, ...)
{
    va_list ap;

    free(*err_out);
    va_start(ap, fmt);
    *err_out = common_vmprintf(fmt, ap);
    va_end(ap);
    return *err_out == NULL ? CHORUS_NOMEM : CHORUS_ERROR;
}

int
ddl_scope_schema_check(const ddl_scope *s, const char *schema, char **err_out)
{
    const char *own = s->schema_name != NULL ? s->schema_name : s->cat->is_temp ? "temp" : "main";

    if (schema == NULL || catalog_name_eq(schema, own))
        return CHORUS_OK;
    if (catalog_name_eq(schema, "temp") || catalog_name_eq(schema, "main"))
        return check_fail(err_out, "not supported yet: TEMP schema objects");
    return check_fail(err_out, "unknown database %s", schema);
}

int
ddl_scope_name_check(const ddl_scope *s, const char *schema, const char *name, char kind,
                     bool if_not_exists, bool *exists_out, char **err_out)
{
    char taken;
    int rc = ddl_scope_schema_check(s, schema, err_out);

    *exists_out = false;
    if (rc != CHORUS_OK)
        return rc;
    if (catalog_name_is_reserved(name))
        return check_fail(err_out, "object name reserved for internal use: %s", name);
    taken = catalog_object_kind(s->cat, name);
    if (taken == 'r' || taken == 0)
        return CHORUS_OK;
    if (taken == kind && if_not_exists) {
        *exists_out = true;
        return CHORUS_OK;
    }
    if (kind == 'i')
        return taken == 'i' ? check_fail(err_out, "index %s already exists", name)
                            : check_fail(err_out, "there is already a table named %s", name);
    if (taken == 'i')
        return check_fail(err_out, "there is already an index named %s", name);
    if (if_not_exists && taken != kind) {
        *exists_out = true;         /* SQLite: IF NOT EXISTS also covers the other kind */
        return CHORUS_OK;
    }
    return check_fail(err_out, "%s %s already exists", taken == 't' ? "table" : "view", name);
}

/* The catalog whose table or view a new trigger names: the scope's own,
 * else (a TEMP trigger) main's, or NULL when neither has it. */
static const catalog *
trigger_target_catalog(const ddl_scope *s, const char *name)
{
    if (catalog_view_find(s->cat, name) != NULL || catalog_table_find(s->cat, name) != NULL)
        return s->cat;
    if (s->main != NULL &&
        (catalog_view_find(s->main, name) != NULL || catalog_table_find(s->main, name) != NULL))
        return s->main;
    return NULL;
}

int
ddl_scope_trigger_check(const ddl_scope *s, const ast_create_trigger *tr, bool *exists_out,
                        char **err_out)
{
    const char *time = tr->time == AST_TRIGGER_BEFORE ? "BEFORE" : "AFTER";
    const catalog *cat = trigger_target_catalog(s, tr->table);
    bool on_main = s->main != NULL && tr->schema != NULL && catalog_name_eq(tr->schema, "main");
    int rc;

    *exists_out = false;
    if (catalog_trigger_find(s->cat, tr->name) != NULL) {
        if (!tr->if_not_exists)
            return check_fail(err_out, "trigger %s already exists", tr->name);
        *exists_out = true;
        return CHORUS_OK;
    }
    rc = on_main ? CHORUS_OK : ddl_scope_schema_check(s, tr->schema, err_out);
    if (rc != CHORUS_OK)
        return rc;
    if (tr->is_temp && !s->cat->is_temp)
        return check_fail(err_out, "not supported yet: TEMP triggers");
    if (catalog_name_is_reserved(tr->name))
        return check_fail(err_out, "object name reserved for internal use: %s", tr->name);
    if (catalog_name_is_reserved(tr->table))
        return check_fail(err_out, "cannot create trigger on system table");
    if (cat == NULL && s->main != NULL)
        return check_fail(err_out, "no such table: %s", tr->table);
    if (cat == NULL)
        return check_fail(err_out, "no such table: %s.%s", s->cat->is_temp ? "temp" : "main",
                          tr->table);
    if (catalog_view_find(cat, tr->table) != NULL) {
        if (tr->time != AST_TRIGGER_INSTEAD_OF)
            return check_fail(err_out, "cannot create %s trigger on view: %s", time, tr->table);
    } else if (tr->time == AST_TRIGGER_INSTEAD_OF) {
        return check_fail(err_out, "cannot create INSTEAD OF trigger on table: %s", tr->table);
    }
    return CHORUS_OK;
}

/* sqlite_master and the other sqlite_ tables, except sqlite_stat* and
 * sqlite_parameters, may not be dropped. */
static bool
table_may_be_dropped(const char *name)
{
    if (!catalog_name_is_reserved(name))
        return true;
    return strncasecmp(name + 7, "stat", 4) == 0 || strncasecmp(name + 7, "parameters", 10) == 0;
}

/* "no such <what>: [schema.]name" */
static int
missing(char **err_out, const char *what, const ast_drop *d)
{
    return check_fail(err_out, "no such %s: %s%s%s", what, d->schema ? d->schema : "",
                      d->schema ? "." : "", d->name);
}

int
ddl_scope_drop_check(const ddl_scope *s, const ast_drop *d, bool *absent_out, char **err_out)
{
    const catalog *cat = s->cat;
    const catalog_table *t;
    bool found;
    int rc = ddl_scope_schema_check(s, d->schema, err_out);

    *absent_out = false;
    if (rc != CHORUS_OK && !catalog_name_eq(d->schema, "temp") &&
        !catalog_name_eq(d->schema, "main")) {
        free(*err_out);             /* an unknown database holds nothing, as in SQLite */
        *err_out = NULL;
        cat = NULL;
    } else if (rc != CHORUS_OK) {
        return rc;
    }
    switch (d->what) {
    case AST_DROP_TABLE:
        t = cat != NULL ? catalog_table_find(cat, d->name) : NULL;
        found = t != NULL;
        if (!found && cat != NULL && catalog_view_find(cat, d->name) != NULL)
            return check_fail(err_out, "use DROP VIEW to delete view %s", d->name);
        if (found && !table_may_be_dropped(t->name))
            return check_fail(err_out, "table %s may not be dropped",
                              t->root == 1 ? "sqlite_master" : t->name);
        break;
    case AST_DROP_VIEW:
        found = cat != NULL && catalog_view_find(cat, d->name) != NULL;
        if (!found && cat != NULL && catalog_table_find(cat, d->name) != NULL)
            return check_fail(err_out, "use DROP TABLE to delete table %s", d->name);
        break;
    case AST_DROP_INDEX:
        found = cat != NULL && catalog_index_find(cat, d->name) != NULL;
        break;
    case AST_DROP_TRIGGER:
        found = cat != NULL && catalog_trigger_find(cat, d->name) != NULL;
        break;
    default:
        return CHORUS_OK;           /* not a kind: ddl_drop refuses it */
    }
    if (found)
        return CHORUS_OK;
    *absent_out = true;
    if (d->if_exists)
        return CHORUS_OK;
    return missing(err_out, d->what == AST_DROP_TABLE  ? "table"
                            : d->what == AST_DROP_VIEW ? "view"
                            : d->what == AST_DROP_INDEX ? "index"
                                                        : "trigger",
                   d);
}

/* --- the expressions of a new table ---------------------------------------------------- */

enum table_expr_use { USE_CHECK, USE_GENERATED, USE_DEFAULT, USE_INDEX, USE_INDEX_WHERE };

/* How SQLite's messages name each use ("subqueries prohibited in %s"). */
static const char *const use_names[] = {
    [USE_CHECK] = "CHECK constraints",          [USE_GENERATED] = "generated columns",
    [USE_DEFAULT] = "",                         [USE_INDEX] = "index expressions",
    [USE_INDEX_WHERE] = "partial index WHERE clauses",
};

/* A column reference of an expression of table t (use: DC3, DC5; col: the
 * column a DEFAULT belongs to). */
static int
table_expr_ref(const catalog_table *t, const ast_expr *e, int use, const char *col,
               char **err_out)
{
    bool no_rowid = use == USE_GENERATED || use == USE_INDEX;

    if (e->table == NULL && (catalog_name_eq(e->name, "true") || catalog_name_eq(e->name, "false")))
        return CHORUS_OK;
    if (use == USE_DEFAULT)
        return check_fail(err_out, "default value of column [%s] is not constant", col);
    if (e->table != NULL && !catalog_name_eq(e->table, t->name))
        return check_fail(err_out, "no such column: %s.%s", e->table, e->name);
    if (e->table != NULL && no_rowid)
        return check_fail(err_out, "the \".\" operator prohibited in %s", use_names[use]);
    if (no_rowid ? catalog_table_column_find(t, e->name) >= 0
                 : catalog_table_column_resolve(t, e->name) != -2)
        return CHORUS_OK;
    if (e->is_quoted && e->table == NULL)
        return CHORUS_OK;           /* "x" naming no column is the string 'x' */
    return check_fail(err_out, "no such column: %s", e->name);
}

/* DC6: a function call f(...) of a CHECK, generated column or index
 * expression. */
static int
table_expr_function(const ast_expr *e, int use, char **err_out)
{
    bool exists = false;
    const func_def *def;

    if (e->over != NULL)
        return check_fail(err_out, "misuse of window function %s()", e->name);
    def = func_find(e->name, e->is_star ? 0 : e->list.n, &exists);
    if (def == NULL && exists)
        return check_fail(err_out, "wrong number of arguments to function %s()", e->name);
    if (def == NULL)
        return check_fail(err_out, "no such function: %s", e->name);
    if (def->flags & FUNC_AGGREGATE)
        return check_fail(err_out, "misuse of aggregate function %s()", e->name);
    if (use != USE_CHECK && !(def->flags & (FUNC_DETERMINISTIC | FUNC_STATEMENT_STABLE)))
        return check_fail(err_out, "non-deterministic functions prohibited in %s",
                          use_names[use]);
    return CHORUS_OK;
}

/* The checks of DC3/DC5 on e; with_functions adds DC6's. */
static int
table_expr_check(const catalog_table *t, const ast_expr *e, int use, bool with_functions,
                 const char *col, char **err_out)
{
    int rc = CHORUS_OK;

    if (e == NULL)
        return CHORUS_OK;
    switch (e->kind) {
    case EXPR_COLUMN:
        return table_expr_ref(t, e, use, col, err_out);
    case EXPR_FUNCTION:
        if (with_functions && use != USE_DEFAULT &&
            (rc = table_expr_function(e, use, err_out)) != CHORUS_OK)
            return rc;
        break;
    case EXPR_PARAM:
        if (use == USE_DEFAULT)
            return check_fail(err_out, "default value of column [%s] is not constant", col);
        return check_fail(err_out, "parameters prohibited in %s", use_names[use]);
    case EXPR_SUBQUERY:
    case EXPR_EXISTS:
    case EXPR_IN_SELECT:
    case EXPR_IN_TABLE:
        if (use == USE_DEFAULT)
            return check_fail(err_out, "default value of column [%s] is not constant", col);
        return check_fail(err_out, "subqueries prohibited in %s", use_names[use]);
    default:
        break;
    }
    if ((rc = table_expr_check(t, e->left, use, with_functions, col, err_out)) != CHORUS_OK ||
        (rc = table_expr_check(t, e->right, use, with_functions, col, err_out)) != CHORUS_OK ||
        (rc = table_expr_check(t, e->escape, use, with_functions, col, err_out)) != CHORUS_OK ||
        (rc = table_expr_check(t, e->filter, use, with_functions, col, err_out)) != CHORUS_OK)
        return rc;
    for (int i = 0; rc == CHORUS_OK && i < e->list.n; i++)
        rc = table_expr_check(t, e->list.items[i].expr, use, with_functions, col, err_out);
    return rc;
}

int
ddl_index_exprs_check(const catalog_table *t, const ast_create_index *ci, bool with_functions,
                      char **err_out)
{
    int rc = CHORUS_OK;

    for (int i = 0; rc == CHORUS_OK && i < ci->columns.n; i++)
        rc = table_expr_check(t, ci->columns.items[i].expr, USE_INDEX, with_functions, NULL,
                              err_out);
    if (rc == CHORUS_OK)
        rc = table_expr_check(t, ci->where, USE_INDEX_WHERE, with_functions, NULL, err_out);
    return rc;
}

int
ddl_table_exprs_check(const catalog_table *t, char **err_out)
{
    int rc = CHORUS_OK;

    for (int i = 0; rc == CHORUS_OK && i < t->n_cols; i++) {
        rc = table_expr_check(t, t->cols[i].default_expr, USE_DEFAULT, true, t->cols[i].name,
                              err_out);
        if (rc == CHORUS_OK)
            rc = table_expr_check(t, t->cols[i].generated_expr, USE_GENERATED, true, NULL,
                                  err_out);
    }
    for (int i = 0; rc == CHORUS_OK && i < t->n_checks; i++)
        rc = table_expr_check(t, t->checks[i].expr, USE_CHECK, true, NULL, err_out);
    return rc;
}

int
ddl_table_define(catalog *cat, const char *text, table_def **out, char **err_out)
{
    int rc = define_table(cat, text, 0, out, err_out);

    if (rc == CHORUS_OK && (rc = define_collations_check(*out, NULL, err_out)) == CHORUS_OK)
        rc = ddl_table_exprs_check(&(*out)->pub, err_out);
    if (rc != CHORUS_OK && *out != NULL) {
        ptr_list_free(&(*out)->indexes);
        *out = NULL;
    }
    return rc;
}

/* DC4: CREATE TABLE stmt (not AS SELECT), defined in a scratch catalog. */
static int
table_definition_check(const char *sql, const ast_stmt *stmt, char **err_out)
{
    catalog *scratch = NULL;
    table_def *td = NULL;
    char *text = sql_normalize_create(sql + stmt->span.start, (int)stmt->span.len);
    int rc = text == NULL ? CHORUS_NOMEM : catalog_new(&scratch);

    if (rc == CHORUS_OK)
        rc = ddl_table_define(scratch, text, &td, err_out);
    if (td != NULL)
        ptr_list_free(&td->indexes);
    catalog_release(scratch);
    free(text);
    return rc;
}

int
ddl_params_check(const ast_stmt *stmt, char **err_out)
{
    if (stmt->n_params == 0)
        return CHORUS_OK;
    if (stmt->kind == STMT_CREATE_VIEW)
        return check_fail(err_out, "parameters are not allowed in views");
    if (stmt->kind == STMT_CREATE_TRIGGER)
        return check_fail(err_out, "trigger cannot use variables");
    return CHORUS_OK;
}

int
catalog_ddl_check(const catalog *cat, const catalog *main, const char *schema_name,
                  const ast_stmt *stmt, const char *sql, char **errmsg_out)
{
    ddl_scope s = {cat, main, schema_name};
    bool skip;
    int rc;

    *errmsg_out = NULL;
    switch (stmt->kind) {
    case STMT_CREATE_TABLE:
        rc = ddl_scope_name_check(&s, stmt->u.create_table.schema, stmt->u.create_table.name,
                                  't', stmt->u.create_table.if_not_exists, &skip, errmsg_out);
        if (rc != CHORUS_OK || skip || stmt->u.create_table.as_select != NULL)
            return rc;
        return table_definition_check(sql, stmt, errmsg_out);
    case STMT_CREATE_VIEW:
        rc = ddl_params_check(stmt, errmsg_out);
        if (rc != CHORUS_OK)
            return rc;
        return ddl_scope_name_check(&s, stmt->u.create_view.schema, stmt->u.create_view.name,
                                    'v', stmt->u.create_view.if_not_exists, &skip, errmsg_out);
    case STMT_CREATE_INDEX:
        rc = ddl_scope_name_check(&s, stmt->u.create_index.schema, stmt->u.create_index.name,
                                  'i', stmt->u.create_index.if_not_exists, &skip, errmsg_out);
        if (rc != CHORUS_OK || skip)
            return rc;
        return define_index_check(cat, schema_name, &stmt->u.create_index, errmsg_out);
    case STMT_CREATE_TRIGGER:
        rc = ddl_scope_trigger_check(&s, &stmt->u.create_trigger, &skip, errmsg_out);
        return rc == CHORUS_OK ? ddl_params_check(stmt, errmsg_out) : rc;
    case STMT_DROP:
        return ddl_scope_drop_check(&s, &stmt->u.drop, &skip, errmsg_out);
    case STMT_ALTER:
        return ddl_scope_alter_check(&s, &stmt->u.alter, errmsg_out);
    default:
        return CHORUS_OK;
    }
}
