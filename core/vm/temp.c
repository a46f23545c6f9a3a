/*
 * core/vm/temp.c: the temp schema of a connection: TEMP tables, views,
 * triggers and indexes, kept in a private in-memory database that no other
 * connection sees and that disappears when the connection closes.
 *
 * The temp database has its own pager (pager_config.in_memory) and its own
 * catalog (marked with catalog_set_temp), loaded and edited exactly like
 * main's (tx.c T2/T3), and its own write transaction that follows the
 * connection's transaction.
 *
 * Rules
 *   TP1 The temp database is created on first use (the first DDL statement
 *       that targets it, or a statement whose text names temp. or
 *       sqlite_temp_schema: vm_temp_mentioned) and lives until
 *       vm_conn_close; until then conn->temp is NULL and nothing here costs
 *       anything.
 *   TP2 Once it exists, every statement that joins the connection's
 *       transaction also joins a temp write transaction (begun on demand;
 *       the database is private, so the write lock never waits); a writing
 *       statement gets a temp savepoint next to its main one (tx.c T1), and
 *       each SAVEPOINT of the connection has a temp savepoint too (opened
 *       at once, or when the temp transaction begins later, where it marks
 *       the same state). The temp transaction commits or rolls back when
 *       the connection's transaction does (vm_tx_end).
 *   TP3 DDL on the temp schema edits a private copy of the temp catalog
 *       (editable); commit makes it the committed one, rollback drops it,
 *       and a rollback inside the transaction reloads it from the b-trees
 *       (catalog rule C3). Every change of the catalog the connection sees
 *       bumps conn->schema_gen, so statements recompile (stmt.c).
 *   TP4 Name resolution asks the temp catalog first (compile_env.temp_cat);
 *       table and index b-trees of the temp catalog are read and written
 *       through the temp transaction (vm_temp_tx_for).
 *   TP5 A statement that writes only the temp database (vm_temp_only)
 *       takes no write lock on main: temp tables work on a read-only
 *       database and never wait for main's writers. Its statement
 *       savepoint is the temp one alone.
 *   TP6 A TEMP trigger may name a main table or view, as in SQLite: it
 *       lives in the temp catalog (whose writer checks the name against
 *       main: catalog_writer_set_main) and fires on that table's writes,
 *       before main's own triggers (exec_trigger.c G6); DROP TABLE or DROP
 *       VIEW of that name drops it (vm_temp_drop_triggers_on).
 * Locking: the temp database belongs to the connection's thread.
 * Ownership: conn->temp owns the pager, the transaction and both catalogs.
 * Callers: conn.c (close), stmt.c (compile), tx.c, exec_dml.c, cursor.c,
 * exec_loop.c, exec_trigger.c.
 */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "vm_int.h"

struct vm_temp {
    pager *pager;           /* owned */
    pager_tx *tx;           /* owned: the open temp write transaction, or NULL */
    catalog *committed;     /* owned reference: the temp schema as last committed */
    catalog *cat;           /* owned reference: what the connection sees now: committed,
                               or an editable copy (editable) */
    bool editable;
};

/* --- lifetime ------------------------------------------------------------------ */

static int
temp_load(pager_tx *tx, catalog **out)
{
    char *msg = NULL;
    int rc = catalog_load(tx, out, &msg);

    free(msg);
    if (rc == CHORUS_OK)
        catalog_set_temp(*out);
    return rc;
}

/* TP1: creates the temp database of conn when it has none. */
int
vm_temp_open(vm_conn *conn)
{
    pager_config cfg;
    pager_tx *tx = NULL;
    vm_temp *t;
    char *msg = NULL;
    int rc;

    if (conn->temp != NULL)
        return CHORUS_OK;
    t = calloc(1, sizeof *t);
    if (t == NULL)
        return CHORUS_NOMEM;
    memset(&cfg, 0, sizeof cfg);
    cfg.in_memory = true;
    cfg.create = true;
    rc = pager_open(":memory:", &cfg, &t->pager, &msg);
    free(msg);
    if (rc == CHORUS_OK)
        rc = pager_tx_begin_read(t->pager, &tx);
    if (rc == CHORUS_OK) {
        rc = temp_load(tx, &t->committed);
        pager_tx_rollback(tx);
    }
    if (rc != CHORUS_OK) {
        if (t->pager != NULL)
            pager_close(t->pager);
        free(t);
        return rc;
    }
    t->cat = catalog_retain(t->committed);
    conn->temp = t;
    conn->schema_gen++;
    return CHORUS_OK;
}

void
vm_temp_close(vm_conn *conn)
{
    vm_temp *t = conn->temp;

    if (t == NULL)
        return;
    pager_tx_rollback(t->tx);
    catalog_release(t->cat);
    catalog_release(t->committed);
    pager_close(t->pager);
    free(t);
    conn->temp = NULL;
}

bool
vm_temp_mentioned(const char *sql, int len)
{
    static const char *const words[] = {"temp.", "sqlite_temp_"};

    for (size_t w = 0; w < CHORUS_ARRAY_LEN(words); w++) {
        size_t n = strlen(words[w]);
        for (int i = 0; i + (int)n <= len; i++)
            if (strncasecmp(sql + i, words[w], n) == 0)
                return true;
    }
    return false;
}

catalog *
vm_temp_catalog(const vm_conn *conn)
{
    return conn->temp != NULL ? conn->temp->cat : NULL;
}

bool
vm_temp_owns(const vm_conn *conn, const catalog_table *t)
{
    return conn->temp != NULL && t != NULL && t->is_temp;
}

/* --- transactions (TP2) ---------------------------------------------------------- */

static void
temp_set_catalog(vm_conn *conn, catalog *cat, bool editable)
{
    catalog_release(conn->temp->cat);
    conn->temp->cat = cat;
    conn->temp->editable = editable;
    conn->schema_gen++;
}

/* Begins the temp write transaction, with a temp savepoint for each
 * SAVEPOINT of the connection that has none yet. */
static int
temp_tx_ensure(vm_conn *conn)
{
    vm_temp *t = conn->temp;
    int rc = CHORUS_OK;

    if (t->tx == NULL) {
        rc = pager_tx_begin_write(t->pager, 0, NULL, &t->tx);
        if (rc != CHORUS_OK) {
            t->tx = NULL;
            return rc;
        }
        rc = btree_init_database(t->tx);
    }
    for (int i = 0; rc == CHORUS_OK && i < conn->n_sp; i++)
        if (conn->sp[i].temp_id < 0)
            rc = pager_savepoint_open(t->tx, &conn->sp[i].temp_id);
    return rc;
}

/* Opens the statement's temp savepoint (T1) when it writes and has none. */
static int
temp_statement_savepoint(vm_stmt *st)
{
    vm_conn *conn = st->conn;
    int rc = temp_tx_ensure(conn);

    if (rc != CHORUS_OK || st->has_temp_savepoint || st->plan->readonly)
        return rc;
    rc = pager_savepoint_open(conn->temp->tx, &st->temp_savepoint_id);
    if (rc == CHORUS_OK)
        st->has_temp_savepoint = true;
    return rc;
}

int
vm_temp_tx_for(vm_conn *conn, const catalog_table *t, pager_tx **out)
{
    int rc;

    *out = conn->tx;
    if (!vm_temp_owns(conn, t))
        return CHORUS_OK;
    rc = temp_tx_ensure(conn);
    if (rc == CHORUS_OK)
        *out = conn->temp->tx;
    return rc;
}

int
vm_temp_statement_begin(vm_stmt *st)
{
    if (st->conn->temp == NULL)
        return CHORUS_OK;
    return temp_statement_savepoint(st);
}

/* Reads the edited temp catalog again from the b-trees (TP3). */
static void
temp_reload(vm_conn *conn)
{
    catalog *fresh, *copy;

    if (temp_load(conn->temp->tx, &fresh) == CHORUS_OK) {
        if (catalog_edit_begin(fresh, &copy) == CHORUS_OK)
            temp_set_catalog(conn, copy, true);
        catalog_release(fresh);
    }
}

void
vm_temp_statement_finish(vm_stmt *st, bool failed, int conflict)
{
    vm_temp *t = st->conn->temp;

    if (!st->has_temp_savepoint)
        return;
    st->has_temp_savepoint = false;
    if (t == NULL || t->tx == NULL)
        return;
    if (failed && conflict == AST_CONFLICT_ROLLBACK) {
        st->conn->tx_doomed = true;     /* the whole transaction rolls back (tx.c T1) */
        return;
    }
    if (failed && conflict != AST_CONFLICT_FAIL) {
        pager_savepoint_rollback(t->tx, st->temp_savepoint_id);
        if (t->editable && st->plan->is_ddl) {
            pager_savepoint_release(t->tx, st->temp_savepoint_id);
            temp_reload(st->conn);
            return;
        }
    }
    pager_savepoint_release(t->tx, st->temp_savepoint_id);
}

int
vm_temp_tx_end(vm_conn *conn, bool commit)
{
    vm_temp *t = conn->temp;
    int rc = CHORUS_OK;

    if (t == NULL)
        return CHORUS_OK;
    if (t->tx != NULL) {
        if (commit)
            rc = pager_tx_commit(t->tx);
        else
            pager_tx_rollback(t->tx);
        t->tx = NULL;
    }
    if (t->editable) {
        if (commit && rc == CHORUS_OK) {
            catalog_release(t->committed);
            t->committed = catalog_retain(t->cat);
            t->editable = false;
        } else {
            temp_set_catalog(conn, catalog_retain(t->committed), false);
        }
    }
    return rc;
}

int
vm_temp_savepoint_open(vm_conn *conn, int *id_out)
{
    *id_out = -1;
    if (conn->temp == NULL || conn->temp->tx == NULL)
        return CHORUS_OK;
    return pager_savepoint_open(conn->temp->tx, id_out);
}

int
vm_temp_savepoint_end(vm_conn *conn, int id, bool rollback_to)
{
    vm_temp *t = conn->temp;
    int rc;

    if (t == NULL || t->tx == NULL || id < 0)
        return CHORUS_OK;
    if (!rollback_to)
        return pager_savepoint_release(t->tx, id);
    rc = pager_savepoint_rollback(t->tx, id);
    if (rc == CHORUS_OK && t->editable)
        temp_reload(conn);
    return rc;
}

/* --- DDL routing ----------------------------------------------------------------- */

static bool
is_temp_name(const char *schema)
{
    return schema != NULL && strcasecmp(schema, "temp") == 0;
}

/* Whether the temp catalog holds an object of the kind DROP what names. */
static bool
temp_has(const vm_conn *conn, int what, const char *name)
{
    const catalog *cat = vm_temp_catalog(conn);

    if (cat == NULL)
        return false;
    switch (what) {
    case AST_DROP_TABLE:
        return catalog_table_find(cat, name) != NULL || catalog_view_find(cat, name) != NULL;
    case AST_DROP_VIEW:
        return catalog_view_find(cat, name) != NULL || catalog_table_find(cat, name) != NULL;
    case AST_DROP_INDEX:
        return catalog_index_find(cat, name) != NULL;
    default:
        return catalog_trigger_find(cat, name) != NULL;
    }
}

/* Where a DDL statement belongs (ddl_target). */
enum ddl_target_kind {
    DDL_MAIN = 0,
    DDL_TEMP,
    DDL_TEMP_QUALIFIED,     /* TEMP with a schema other than temp: an error */
    DDL_TEMP_TRIGGER_ON_MAIN        /* the temp schema's, naming a main table or view */
};

static int
created_target(bool is_temp, const char *schema)
{
    if (is_temp && schema != NULL && !is_temp_name(schema))
        return DDL_TEMP_QUALIFIED;
    return is_temp || is_temp_name(schema) ? DDL_TEMP : DDL_MAIN;
}

static int
trigger_target(const vm_conn *conn, const ast_create_trigger *tr)
{
    const catalog *tcat = vm_temp_catalog(conn);
    bool on_temp = tcat != NULL && (catalog_table_find(tcat, tr->table) != NULL ||
                                    catalog_view_find(tcat, tr->table) != NULL);
    int kind = created_target(tr->is_temp, tr->schema);

    if ((kind == DDL_TEMP && !on_temp) ||
        (kind == DDL_TEMP_QUALIFIED && strcasecmp(tr->schema, "main") == 0))
        return DDL_TEMP_TRIGGER_ON_MAIN;   /* ON m or ON main.m (TP6) */
    return kind == DDL_MAIN && tr->schema == NULL && on_temp ? DDL_TEMP : kind;
}

/* Where DDL statement s belongs, by SQLite's rules: TEMP or temp., an index
 * or trigger on a temp table, DROP and ALTER of a name the temp schema
 * holds when unqualified. */
static int
ddl_target(const vm_conn *conn, const ast_stmt *s)
{
    const catalog *tcat = vm_temp_catalog(conn);

    switch (s->kind) {
    case STMT_CREATE_TABLE:
        return created_target(s->u.create_table.is_temp, s->u.create_table.schema);
    case STMT_CREATE_VIEW:
        return created_target(s->u.create_view.is_temp, s->u.create_view.schema);
    case STMT_CREATE_TRIGGER:
        return trigger_target(conn, &s->u.create_trigger);
    case STMT_CREATE_INDEX:
        return is_temp_name(s->u.create_index.schema) ||
                       (s->u.create_index.schema == NULL && tcat != NULL &&
                        catalog_table_find(tcat, s->u.create_index.table) != NULL)
                   ? DDL_TEMP
                   : DDL_MAIN;
    case STMT_DROP:
        return is_temp_name(s->u.drop.schema) ||
                       (s->u.drop.schema == NULL &&
                        temp_has(conn, s->u.drop.what, s->u.drop.name))
                   ? DDL_TEMP
                   : DDL_MAIN;
    case STMT_ALTER:
        return is_temp_name(s->u.alter.schema) ||
                       (s->u.alter.schema == NULL &&
                        temp_has(conn, AST_DROP_TABLE, s->u.alter.table))
                   ? DDL_TEMP
                   : DDL_MAIN;
    default:
        return DDL_MAIN;
    }
}

bool
vm_temp_only(const vm_stmt *st)
{
    const plan_stmt *p = st->plan;

    if (p->is_ddl)
        return ddl_target(st->conn, st->ast) == DDL_TEMP ||
               ddl_target(st->conn, st->ast) == DDL_TEMP_TRIGGER_ON_MAIN;
    return (p->kind == PLAN_INSERT || p->kind == PLAN_UPDATE || p->kind == PLAN_DELETE) &&
           p->table != NULL && p->table->is_temp && p->table->n_triggers == 0;
}

/* The temp catalog DDL edits (TP3): the private copy, made on first use. */
static int
temp_editable(vm_conn *conn, catalog **out)
{
    catalog *copy;
    int rc;

    if (!conn->temp->editable) {
        rc = catalog_edit_begin(conn->temp->cat, &copy);
        if (rc != CHORUS_OK)
            return rc;
        temp_set_catalog(conn, copy, true);
    }
    *out = conn->temp->cat;
    return CHORUS_OK;
}

int
vm_temp_ddl_writer(vm_stmt *st, bool *temp_out)
{
    vm_conn *conn = st->conn;
    catalog_hooks hooks = {st->root != NULL ? st->root : st, vm_hooks_eval};
    catalog *cat;
    int kind = ddl_target(conn, st->ast), rc;

    *temp_out = kind != DDL_MAIN;
    if (kind == DDL_TEMP_QUALIFIED)
        return vm_run_error(&st->run, CHORUS_ERROR, "temporary table name must be unqualified");
    if (kind == DDL_MAIN)
        return CHORUS_OK;
    rc = vm_temp_open(conn);
    if (rc == CHORUS_OK)
        rc = temp_statement_savepoint(st);
    if (rc == CHORUS_OK)
        rc = temp_editable(conn, &cat);
    if (rc == CHORUS_OK && st->writer == NULL)
        rc = catalog_writer_open(conn->temp->tx, cat, &hooks, &st->writer);
    if (rc != CHORUS_OK)
        return vm_run_error(&st->run, rc, "%s", chorus_errstr(rc));
    if (kind == DDL_TEMP_TRIGGER_ON_MAIN)
        catalog_writer_set_main(st->writer, conn->cat);
    return CHORUS_OK;
}

int
vm_temp_dml_writer(vm_stmt *st, const catalog_table *t, bool *temp_out)
{
    vm_conn *conn = st->conn;
    catalog_hooks hooks = {st->root != NULL ? st->root : st, vm_hooks_eval};
    int rc;

    *temp_out = vm_temp_owns(conn, t);
    if (!*temp_out || st->writer != NULL)
        return CHORUS_OK;
    rc = temp_tx_ensure(conn);
    if (rc == CHORUS_OK)
        rc = catalog_writer_open(conn->temp->tx, conn->temp->cat, &hooks, &st->writer);
    if (rc != CHORUS_OK)
        return vm_run_error(&st->run, rc, "%s", chorus_errstr(rc));
    return CHORUS_OK;
}

/* The first TEMP trigger of cat that names main's name (TP6), or NULL. */
static const catalog_trigger *
trigger_naming(const catalog *cat, const char *name)
{
    if (catalog_table_find(cat, name) != NULL || catalog_view_find(cat, name) != NULL)
        return NULL;                /* the triggers belong to the temp object */
    for (int i = 0; i < catalog_trigger_count(cat); i++)
        if (strcasecmp(catalog_trigger_at(cat, i)->table, name) == 0)
            return catalog_trigger_at(cat, i);
    return NULL;
}

int
vm_temp_drop_triggers_on(vm_stmt *st, const char *name)
{
    vm_conn *conn = st->conn;
    catalog_hooks hooks = {st->root != NULL ? st->root : st, vm_hooks_eval};
    const catalog_trigger *trg;
    catalog_writer *w = NULL;
    catalog *cat;
    int rc;

    if (conn->temp == NULL || trigger_naming(conn->temp->cat, name) == NULL)
        return CHORUS_OK;
    rc = temp_statement_savepoint(st);
    if (rc == CHORUS_OK)
        rc = temp_editable(conn, &cat);
    if (rc == CHORUS_OK)
        rc = catalog_writer_open(conn->temp->tx, cat, &hooks, &w);
    while (rc == CHORUS_OK && (trg = trigger_naming(cat, name)) != NULL) {
        ast_stmt drop;
        memset(&drop, 0, sizeof drop);
        drop.kind = STMT_DROP;
        drop.u.drop.what = AST_DROP_TRIGGER;
        drop.u.drop.name = trg->name;
        rc = catalog_ddl_execute(w, &drop, "");
    }
    if (rc != CHORUS_OK)
        vm_run_error(&st->run, rc, "%s", w != NULL && catalog_writer_errmsg(w) != NULL
                                             ? catalog_writer_errmsg(w) : chorus_errstr(rc));
    if (rc == CHORUS_OK)
        rc = catalog_writer_finish(w);
    catalog_writer_close(w);
    conn->schema_gen++;
    return rc;
}

/* --- PRAGMA ------------------------------------------------------------------------ */

/* Whether pragma p reads the temp schema: temp.x, or an unqualified pragma
 * about a table or index that the temp schema holds (temp first, TP4). */
static bool
pragma_is_temp(const vm_conn *conn, const ast_pragma *p)
{
    static const char *const by_name[] = {"table_info", "table_xinfo", "index_list",
                                          "index_info", "index_xinfo", "foreign_key_list"};
    const catalog *cat = vm_temp_catalog(conn);
    const char *arg;

    if (p->schema != NULL)
        return is_temp_name(p->schema);
    if (cat == NULL || p->value == NULL)
        return false;
    arg = p->value->kind == EXPR_COLUMN ? p->value->name
          : p->value->kind == EXPR_STRING ? p->value->str
                                          : NULL;
    if (arg == NULL || (catalog_table_find(cat, arg) == NULL &&
                        catalog_view_find(cat, arg) == NULL && catalog_index_find(cat, arg) == NULL))
        return false;
    for (size_t i = 0; i < CHORUS_ARRAY_LEN(by_name); i++)
        if (strcasecmp(p->name, by_name[i]) == 0)
            return true;
    return false;
}

int
vm_temp_pragma_env(vm_stmt *st, catalog_pragma_env *env)
{
    const ast_pragma *p = &st->ast->u.pragma;
    vm_conn *conn = st->conn;
    int rc;

    env->temp_cat = vm_temp_catalog(conn);
    if (!pragma_is_temp(conn, p))
        return CHORUS_OK;
    rc = vm_temp_open(conn);
    if (rc == CHORUS_OK && catalog_pragma_access(p) != CATALOG_PRAGMA_NO_TX)
        rc = temp_tx_ensure(conn);
    if (rc != CHORUS_OK)
        return vm_run_error(&st->run, rc, "%s", chorus_errstr(rc));
    env->pager = conn->temp->pager;
    env->path = "";
    env->tx = conn->temp->tx;
    env->cat = conn->temp->cat;
    env->temp_cat = conn->temp->cat;
    return CHORUS_OK;
}
