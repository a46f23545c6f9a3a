/*
 * core/vm/temp.c: the databases of a connection other than main: the temp
 * schema (TEMP tables, views, triggers and indexes, kept in a private
 * in-memory database that no other connection sees and that disappears
 * when the connection closes) and the databases ATTACHed to it (attach.c).
 *
 * Each is a vm_schema in conn->schemas: slot 0 is temp, slots 1.. the
 * attached databases in ATTACH order. A schema holds a reference to a
 * vm_db (db.c): a private one for temp, ATTACH ':memory:' and ATTACH '',
 * the process's shared one of the file otherwise (db.c D3), so another
 * connection on that file, opened or attached, sees the same pager. Its
 * catalog is loaded and edited exactly like main's (tx.c T2/T3).
 *
 * Rules
 *   TP1 The temp database is created on first use (the first DDL statement
 *       that targets it, or a statement whose text names temp. or
 *       sqlite_temp_schema: vm_temp_mentioned) and lives until
 *       vm_conn_close; until then conn->schemas[0] is NULL and nothing here
 *       costs anything. With no temp database and nothing attached, no
 *       function here does more than a test of those fields.
 *   TP2 Every statement that joins the connection's transaction joins a
 *       transaction of each other database (vm_schema_statement_begin): a
 *       write one on a private database (it never waits), a read one on a
 *       file, upgraded by the first write to it (BUSY_SNAPSHOT when stale,
 *       as main's) and checked against the schema cookie when it begins
 *       (T2), so statements compiled against an older schema recompile. A
 *       writing statement holds a savepoint in each database whose
 *       transaction writes (opened at its start, or when it first writes
 *       there), and each SAVEPOINT of the connection has one too (opened at
 *       once, or when that database's transaction starts writing later,
 *       where it marks the same state).
 *   TP3 DDL on such a schema edits a private copy of its catalog
 *       (editable); commit publishes it to its vm_db (db.c D1), rollback
 *       drops it, and a rollback inside the transaction reloads it from the
 *       b-trees (catalog rule C3). Every change of a catalog the connection
 *       sees bumps conn->schema_gen, so statements recompile (stmt.c).
 *   TP4 Name resolution asks temp first, then main, then the attached
 *       databases in ATTACH order (compile_env, core/compile/from.c
 *       cc_catalog_for); the b-trees of a table are read and written
 *       through the transaction of the database whose catalog holds it
 *       (vm_schema_tx_for: temp tables by is_temp, attached ones by
 *       looking the table up in each attached catalog).
 *   TP5 A statement that writes only other databases (vm_schema_only)
 *       takes no write lock on main: temp tables work on a read-only
 *       database and never wait for main's writers.
 *   TP6 A TEMP trigger may name a main table or view, as in SQLite: it
 *       lives in the temp catalog (whose writer checks the name against
 *       main: catalog_writer_set_main) and fires on that table's writes,
 *       before main's own triggers (exec_trigger.c G6); DROP TABLE or DROP
 *       VIEW of that name drops it (vm_temp_drop_triggers_on).
 *   TP7 A transaction commits main first, then each other database in slot
 *       order, each atomically on its own (SQLite in WAL mode: atomic per
 *       database, not across them). When one commit fails, the databases
 *       after it roll back; those before it stay committed.
 *   TP8 The views and triggers of an attached database see that database
 *       only (core/compile/from.c, exec_trigger.c sub_catalog), as
 *       SQLite's fixed schema names.
 *   TP9 MVCC: an attached database in journal_mode=mvcc is refused by
 *       ATTACH, and by every transaction when it was switched later (the
 *       transactions on an attached file count in its vm_db's n_open_tx, so
 *       no switch happens while one is open: mvcc_mode.c VM3). A BEGIN
 *       CONCURRENT transaction may read an attached file but not write it
 *       (its writes could not join the MVCC commit).
 * Locking: the schemas belong to the connection's thread; their vm_db
 * follows db.c.
 * Ownership: conn->schemas[i] owns its transaction and catalog reference
 * and one reference to its vm_db.
 * Callers: conn.c (close), stmt.c (compile), tx.c, attach.c, exec_dml.c,
 * cursor.c, exec_loop.c, exec_trigger.c, fkey.c.
 */
#include <assert.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "vm_int.h"

struct vm_schema {
    char *name;             /* owned: "temp" or the ATTACH name */
    vm_db *db;              /* one reference */
    pager_tx *tx;           /* the open transaction, or NULL (a write one when
                               db->is_private) */
    store_tx stx;           /* the storage seam over tx */
    bool counted;           /* tx is counted in db->n_open_tx (mvcc_mode.c VM3) */
    bool touched;           /* a statement of this transaction read or wrote it (AT2) */
    catalog *cat;           /* reference: what the connection sees now: db's
                               published catalog, or an editable copy (editable) */
    bool editable;
};

/* --- lifetime ------------------------------------------------------------------ */

static vm_schema *
schema_new(const char *name, vm_db *db)
{
    vm_schema *s = calloc(1, sizeof *s);

    if (s == NULL || (s->name = strdup(name)) == NULL) {
        free(s);
        return NULL;
    }
    s->db = db;
    s->cat = vm_db_catalog(db);
    return s;
}

/* Ends s's transaction (commit: commits it); returns the commit's code. */
static int
schema_tx_close(vm_schema *s, bool commit)
{
    int rc = CHORUS_OK;

    if (commit)
        rc = pager_tx_commit(s->tx);
    else
        pager_tx_rollback(s->tx);
    s->tx = NULL;
    if (s->counted)
        vm_db_tx_uncount(s->db);
    s->counted = false;
    s->touched = false;
    return rc;
}

static void
schema_free(vm_schema *s)
{
    if (s == NULL)
        return;
    if (s->tx != NULL)
        schema_tx_close(s, false);
    store_tx_clear(&s->stx);
    catalog_release(s->cat);
    vm_db_close(s->db);
    free(s->name);
    free(s);
}

/* TP1: creates the temp database of conn when it has none. */
int
vm_temp_open(vm_conn *conn)
{
    vm_schema *s;
    vm_db *db;
    char *msg = NULL;
    int rc;

    if (conn->schemas[0] != NULL)
        return CHORUS_OK;
    rc = vm_db_open(":memory:", CHORUS_OPEN_MEMORY, &db, &msg);
    free(msg);
    if (rc != CHORUS_OK)
        return rc;
    catalog_set_temp(db->cat);      /* private: nobody else holds it yet */
    s = schema_new("temp", db);
    if (s == NULL) {
        vm_db_close(db);
        return CHORUS_NOMEM;
    }
    conn->schemas[0] = s;
    conn->schema_gen++;
    return CHORUS_OK;
}

void
vm_schemas_close(vm_conn *conn)
{
    for (int i = 0; i < conn->n_schemas; i++) {
        schema_free(conn->schemas[i]);
        conn->schemas[i] = NULL;
    }
    conn->n_schemas = 1;
}

int
vm_schema_attach(vm_conn *conn, const char *name, vm_db *db)
{
    vm_schema *s;

    assert(conn->n_schemas < VM_N_SCHEMAS);     /* attach.c checks the limit first */
    s = schema_new(name, db);
    if (s == NULL) {
        vm_db_close(db);
        return CHORUS_NOMEM;
    }
    conn->schemas[conn->n_schemas++] = s;
    conn->schema_gen++;
    return CHORUS_OK;
}

void
vm_schema_detach(vm_conn *conn, int slot)
{
    schema_free(conn->schemas[slot]);
    for (int i = slot; i + 1 < conn->n_schemas; i++) {
        conn->schemas[i] = conn->schemas[i + 1];
        for (int k = 0; k < conn->n_sp; k++)
            conn->sp[k].schema_id[i] = conn->sp[k].schema_id[i + 1];
    }
    conn->schemas[--conn->n_schemas] = NULL;
    for (int k = 0; k < conn->n_sp; k++)
        conn->sp[k].schema_id[conn->n_schemas] = -1;   /* a later ATTACH starts clean */
    conn->schema_gen++;
}

int
vm_schema_find(const vm_conn *conn, const char *name)
{
    for (int i = 1; i < conn->n_schemas; i++)
        if (strcasecmp(conn->schemas[i]->name, name) == 0)
            return i;
    return -1;
}

bool
vm_schema_in_use(const vm_conn *conn, int slot)
{
    const vm_schema *s = conn->schemas[slot];

    return s->tx != NULL && (s->touched || conn->n_active > 0);
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
    return conn->schemas[0] != NULL ? conn->schemas[0]->cat : NULL;
}

bool
vm_temp_owns(const vm_conn *conn, const catalog_table *t)
{
    return conn->schemas[0] != NULL && t != NULL && t->is_temp;
}

/* TP4: the slot of the database whose catalog holds t, or -1 for main. */
static int
slot_of_table(const vm_conn *conn, const catalog_table *t)
{
    if (t == NULL)
        return -1;
    if (t->is_temp)
        return conn->schemas[0] != NULL ? 0 : -1;
    for (int i = 1; i < conn->n_schemas; i++)
        if (catalog_table_find(conn->schemas[i]->cat, t->name) == t)
            return i;
    return -1;
}

/* The slot whose catalog is cat, or -1 for main's. */
static int
slot_of_catalog(const vm_conn *conn, const catalog *cat)
{
    if (catalog_is_temp(cat))
        return 0;
    for (int i = 1; i < conn->n_schemas; i++)
        if (conn->schemas[i]->cat == cat)
            return i;
    return -1;
}

catalog *
vm_schema_catalog_of(const vm_conn *conn, const catalog_table *t)
{
    int slot = slot_of_table(conn, t);

    return slot >= 0 ? conn->schemas[slot]->cat : NULL;
}

bool
vm_schema_writer_fits(const vm_conn *conn, const catalog_writer *w, const catalog_table *t)
{
    return slot_of_catalog(conn, catalog_writer_catalog(w)) == slot_of_table(conn, t);
}

store_tx *
vm_store_tx(vm_conn *conn, pager_tx *tx)
{
    store_tx *st = &conn->stx;

    for (int i = 0; tx != conn->tx && i < conn->n_schemas; i++)
        if (conn->schemas[i] != NULL && conn->schemas[i]->tx == tx)
            st = &conn->schemas[i]->stx;
    st->pager = tx;
    return st;
}

/* --- transactions (TP2, TP7) ----------------------------------------------------- */

static void
schema_set_catalog(vm_conn *conn, vm_schema *s, catalog *cat, bool editable)
{
    catalog_release(s->cat);
    s->cat = cat;
    s->editable = editable;
    conn->schema_gen++;
}

/* Begins (or upgrades to a write one) the transaction of slot, checking its
 * catalog when it begins (T2) and giving each SAVEPOINT of the connection
 * that has none a savepoint once it writes. */
static int
schema_tx_ensure(vm_conn *conn, int slot, bool write)
{
    vm_schema *s = conn->schemas[slot];
    bool is_private = s->db->is_private, changed = false;
    char *msg = NULL;
    int rc = CHORUS_OK;

    write = write || is_private;
    if (s->tx == NULL && !is_private) {
        rc = vm_db_tx_count(s->db);            /* VM3: no journal_mode switch meanwhile */
        if (rc != CHORUS_OK)
            return rc;
        s->counted = true;
        if (vm_mvcc_on(s->db)) {               /* switched after ATTACH (TP9) */
            schema_tx_close(s, false);
            vm_conn_set_error(conn, CHORUS_ERROR, "not supported yet: attached database %s "
                              "in journal_mode=mvcc", s->name);
            return CHORUS_ERROR;
        }
    }
    if (s->tx == NULL) {
        rc = !write ? pager_tx_begin_read(s->db->pager, &s->tx)
             : is_private ? pager_tx_begin_write(s->db->pager, 0, NULL, &s->tx)
                          : pager_tx_begin_write(s->db->pager, conn->busy_ms, &conn->interrupt,
                                                 &s->tx);
        if (rc != CHORUS_OK) {
            s->tx = NULL;
            if (s->counted)
                vm_db_tx_uncount(s->db);
            s->counted = false;
            return rc;
        }
        if (!s->editable)
            rc = vm_db_catalog_sync(s->db, s->tx, &s->cat, &changed, &msg);
        free(msg);
        if (changed)
            conn->schema_gen++;
        if (rc == CHORUS_OK && write)
            rc = btree_init_database(s->tx);
    } else if (write && !pager_tx_is_write(s->tx)) {
        rc = pager_tx_upgrade(s->tx, conn->busy_ms, &conn->interrupt);
        if (rc == CHORUS_OK)
            rc = btree_init_database(s->tx);
    }
    for (int i = 0; rc == CHORUS_OK && write && i < conn->n_sp; i++)
        if (conn->sp[i].schema_id[slot] < 0)
            rc = pager_savepoint_open(s->tx, &conn->sp[i].schema_id[slot]);
    return rc;
}

/* The statement savepoint (T1) of st's root in slot, unless it has one. */
static int
statement_savepoint(vm_stmt *st, int slot)
{
    vm_stmt *root = st->root != NULL ? st->root : st;
    int rc;

    if (root->schema_sp_mask & (1u << slot))
        return CHORUS_OK;
    rc = pager_savepoint_open(root->conn->schemas[slot]->tx, &root->schema_sp[slot]);
    if (rc == CHORUS_OK)
        root->schema_sp_mask |= 1u << slot;
    return rc;
}

/* Makes slot's transaction a write one for st, with st's savepoint (TP2, TP9). */
static int
schema_write_begin(vm_stmt *st, int slot)
{
    vm_conn *conn = st->conn;
    vm_schema *s = conn->schemas[slot];
    int rc;

    if (conn->tx_concurrent && !s->db->is_private)
        return vm_run_error(&st->run, CHORUS_ERROR,
                            "cannot write attached database %s in BEGIN CONCURRENT", s->name);
    rc = schema_tx_ensure(conn, slot, true);
    s->touched |= rc == CHORUS_OK;
    if (rc == CHORUS_OK)
        rc = statement_savepoint(st, slot);
    if (rc != CHORUS_OK)
        return vm_run_error(&st->run, rc, "%s",
                            rc == CHORUS_BUSY ? "database is locked" : chorus_errstr(rc));
    return CHORUS_OK;
}

int
vm_schema_tx_for(vm_conn *conn, const catalog_table *t, pager_tx **out)
{
    int slot, rc;

    *out = conn->tx;
    if (conn->n_schemas == 1 && (t == NULL || !t->is_temp))
        return CHORUS_OK;       /* TP1: the single-database path */
    slot = slot_of_table(conn, t);
    if (slot < 0)
        return CHORUS_OK;
    rc = schema_tx_ensure(conn, slot, false);
    if (rc == CHORUS_OK) {
        conn->schemas[slot]->touched = true;
        *out = conn->schemas[slot]->tx;
    }
    return rc;
}

int
vm_schema_statement_begin(vm_stmt *st)
{
    vm_conn *conn = st->conn;
    int rc;

    for (int i = 0; i < conn->n_schemas; i++) {
        if (conn->schemas[i] == NULL)
            continue;
        rc = schema_tx_ensure(conn, i, false);
        if (rc == CHORUS_OK && !st->plan->readonly && pager_tx_is_write(conn->schemas[i]->tx))
            rc = statement_savepoint(st, i);
        if (rc != CHORUS_OK)
            return rc;
    }
    return CHORUS_OK;
}

/* Reads slot's edited catalog again from the b-trees (TP3). */
static void
schema_reload(vm_conn *conn, vm_schema *s)
{
    catalog *fresh, *copy;
    char *msg = NULL;

    if (catalog_load(s->tx, &fresh, &msg) == CHORUS_OK) {
        if (s == conn->schemas[0])
            catalog_set_temp(fresh);
        if (catalog_edit_begin(fresh, &copy) == CHORUS_OK)
            schema_set_catalog(conn, s, copy, true);
        catalog_release(fresh);
    }
    free(msg);
}

void
vm_schema_statement_finish(vm_stmt *st, bool failed, int conflict)
{
    vm_conn *conn = st->conn;

    for (int i = 0; st->schema_sp_mask != 0 && i < conn->n_schemas; i++) {
        vm_schema *s = conn->schemas[i];
        int id = st->schema_sp[i];
        if (!(st->schema_sp_mask & (1u << i)))
            continue;
        st->schema_sp_mask &= ~(1u << i);
        if (s == NULL || s->tx == NULL)
            continue;
        if (failed && conflict == AST_CONFLICT_ROLLBACK) {
            conn->tx_doomed = true;     /* the whole transaction rolls back (tx.c T1) */
            continue;
        }
        if (failed && conflict != AST_CONFLICT_FAIL) {
            pager_savepoint_rollback(s->tx, id);
            if (s->editable && st->plan->is_ddl) {
                pager_savepoint_release(s->tx, id);
                schema_reload(conn, s);
                continue;
            }
        }
        pager_savepoint_release(s->tx, id);
    }
    st->schema_sp_mask = 0;
}

int
vm_schema_tx_end(vm_conn *conn, bool commit)
{
    int rc = CHORUS_OK;

    for (int i = 0; i < conn->n_schemas; i++) {
        vm_schema *s = conn->schemas[i];
        if (s == NULL)
            continue;
        if (s->tx != NULL) {
            int rc_one = schema_tx_close(s, commit && rc == CHORUS_OK);   /* TP7 */
            if (rc == CHORUS_OK)
                rc = rc_one;
            if (s->editable && commit && rc_one == CHORUS_OK && rc == CHORUS_OK) {
                vm_db_catalog_publish(s->db, s->cat);
                s->editable = false;
            }
        }
        if (s->editable)
            schema_set_catalog(conn, s, vm_db_catalog(s->db), false);
    }
    return rc;
}

int
vm_schema_savepoint_open(vm_conn *conn, vm_savepoint *sp)
{
    int rc = CHORUS_OK;

    for (int i = 0; i < VM_N_SCHEMAS; i++) {
        vm_schema *s = i < conn->n_schemas ? conn->schemas[i] : NULL;
        sp->schema_id[i] = -1;
        if (rc == CHORUS_OK && s != NULL && s->tx != NULL && pager_tx_is_write(s->tx))
            rc = pager_savepoint_open(s->tx, &sp->schema_id[i]);
    }
    return rc;
}

int
vm_schema_savepoint_end(vm_conn *conn, const vm_savepoint *sp, bool rollback_to)
{
    int rc = CHORUS_OK;

    for (int i = 0; rc == CHORUS_OK && i < conn->n_schemas; i++) {
        vm_schema *s = conn->schemas[i];
        if (s == NULL || s->tx == NULL || sp->schema_id[i] < 0)
            continue;
        if (!rollback_to) {
            rc = pager_savepoint_release(s->tx, sp->schema_id[i]);
            continue;
        }
        rc = pager_savepoint_rollback(s->tx, sp->schema_id[i]);
        if (rc == CHORUS_OK && s->editable)
            schema_reload(conn, s);
    }
    return rc;
}

/* --- DDL routing ----------------------------------------------------------------- */

static bool
is_temp_name(const char *schema)
{
    return schema != NULL && strcasecmp(schema, "temp") == 0;
}

/* Whether cat (may be NULL) holds an object of the kind DROP what names. */
static bool
catalog_has(const catalog *cat, int what, const char *name)
{
    if (cat == NULL)
        return false;
    switch (what) {
    case AST_DROP_TABLE:
    case AST_DROP_VIEW:
        return catalog_table_find(cat, name) != NULL || catalog_view_find(cat, name) != NULL;
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
    DDL_TEMP_TRIGGER_ON_MAIN,       /* the temp schema's, naming a main table or view */
    DDL_ATTACHED            /* an attached database's (its slot) */
};

/* The kind of a statement qualified with schema (NULL: unqualified); an
 * attached name sets *slot_out. */
static int
named_target(const vm_conn *conn, const char *schema, int *slot_out)
{
    if (is_temp_name(schema))
        return DDL_TEMP;
    *slot_out = schema != NULL ? vm_schema_find(conn, schema) : -1;
    return *slot_out > 0 ? DDL_ATTACHED : DDL_MAIN;
}

/* An unqualified DROP or ALTER: temp, main, then the attached databases (TP4). */
static int
found_target(const vm_conn *conn, const char *schema, int what, const char *name, int *slot_out)
{
    if (schema != NULL)
        return named_target(conn, schema, slot_out);
    if (catalog_has(vm_temp_catalog(conn), what, name))
        return DDL_TEMP;
    if (!catalog_has(conn->cat, what, name))
        for (int i = 1; i < conn->n_schemas; i++)
            if (catalog_has(conn->schemas[i]->cat, what, name)) {
                *slot_out = i;
                return DDL_ATTACHED;
            }
    return DDL_MAIN;
}

static int
created_target(const vm_conn *conn, bool is_temp, const char *schema, int *slot_out)
{
    if (is_temp && schema != NULL && !is_temp_name(schema))
        return DDL_TEMP_QUALIFIED;
    return is_temp ? DDL_TEMP : named_target(conn, schema, slot_out);
}

static int
trigger_target(const vm_conn *conn, const ast_create_trigger *tr, int *slot_out)
{
    const catalog *tcat = vm_temp_catalog(conn);
    bool on_temp = tcat != NULL && (catalog_table_find(tcat, tr->table) != NULL ||
                                    catalog_view_find(tcat, tr->table) != NULL);
    int kind = created_target(conn, tr->is_temp, tr->schema, slot_out);

    if ((kind == DDL_TEMP && !on_temp) ||
        (kind == DDL_TEMP_QUALIFIED && strcasecmp(tr->schema, "main") == 0))
        return DDL_TEMP_TRIGGER_ON_MAIN;   /* ON m or ON main.m (TP6) */
    return kind == DDL_MAIN && tr->schema == NULL && on_temp ? DDL_TEMP : kind;
}

/* Where DDL statement s belongs, by SQLite's rules: TEMP or temp., an index
 * or trigger on a temp table, a schema name, DROP and ALTER of a name that
 * temp or an attached database holds when unqualified (TP4). */
static int
ddl_target(const vm_conn *conn, const ast_stmt *s, int *slot_out)
{
    const catalog *tcat = vm_temp_catalog(conn);

    *slot_out = -1;
    switch (s->kind) {
    case STMT_CREATE_TABLE:
        return created_target(conn, s->u.create_table.is_temp, s->u.create_table.schema,
                              slot_out);
    case STMT_CREATE_VIEW:
        return created_target(conn, s->u.create_view.is_temp, s->u.create_view.schema,
                              slot_out);
    case STMT_CREATE_TRIGGER:
        return trigger_target(conn, &s->u.create_trigger, slot_out);
    case STMT_CREATE_INDEX:
        if (s->u.create_index.schema == NULL && tcat != NULL &&
            catalog_table_find(tcat, s->u.create_index.table) != NULL)
            return DDL_TEMP;
        return named_target(conn, s->u.create_index.schema, slot_out);
    case STMT_DROP:
        return found_target(conn, s->u.drop.schema, s->u.drop.what, s->u.drop.name, slot_out);
    case STMT_ALTER:
        return found_target(conn, s->u.alter.schema, AST_DROP_TABLE, s->u.alter.table,
                            slot_out);
    default:
        return DDL_MAIN;
    }
}

bool
vm_schema_only(const vm_stmt *st)
{
    const plan_stmt *p = st->plan;
    int slot;

    if (p->is_ddl)
        return ddl_target(st->conn, st->ast, &slot) != DDL_MAIN;
    return (p->kind == PLAN_INSERT || p->kind == PLAN_UPDATE || p->kind == PLAN_DELETE) &&
           p->table != NULL && p->table->n_triggers == 0 && slot_of_table(st->conn, p->table) >= 0;
}

/* The catalog DDL on slot edits (TP3): the private copy, made on first use. */
static int
schema_editable(vm_conn *conn, vm_schema *s, catalog **out)
{
    catalog *copy;
    int rc;

    if (!s->editable) {
        rc = catalog_edit_begin(s->cat, &copy);
        if (rc != CHORUS_OK)
            return rc;
        schema_set_catalog(conn, s, copy, true);
    }
    *out = s->cat;
    return CHORUS_OK;
}

/* VACUUM aux, ANALYZE aux[.t] (not supported yet for attached databases). */
static bool
maintains_attached(const vm_conn *conn, const ast_stmt *s)
{
    const ast_misc *m = &s->u.misc;

    if (s->kind != STMT_VACUUM && s->kind != STMT_ANALYZE)
        return false;
    return (m->schema != NULL && vm_schema_find(conn, m->schema) > 0) ||
           (s->kind == STMT_ANALYZE && m->schema == NULL && m->name != NULL &&
            vm_schema_find(conn, m->name) > 0);
}

int
vm_schema_ddl_writer(vm_stmt *st, bool *other_out)
{
    vm_conn *conn = st->conn;
    catalog_hooks hooks = {st->root != NULL ? st->root : st, vm_hooks_eval};
    catalog *cat;
    int slot, kind = ddl_target(conn, st->ast, &slot), rc;

    *other_out = kind != DDL_MAIN;
    if (maintains_attached(conn, st->ast))
        return vm_run_error(&st->run, CHORUS_ERROR,
                            "not supported yet: VACUUM and ANALYZE of an attached database");
    if (kind == DDL_TEMP_QUALIFIED)
        return vm_run_error(&st->run, CHORUS_ERROR, "temporary table name must be unqualified");
    if (kind == DDL_MAIN)
        return CHORUS_OK;
    if (kind != DDL_ATTACHED) {
        slot = 0;
        rc = vm_temp_open(conn);
        if (rc != CHORUS_OK)
            return vm_run_error(&st->run, rc, "%s", chorus_errstr(rc));
    }
    rc = schema_write_begin(st, slot);
    if (rc != CHORUS_OK)
        return rc;
    rc = schema_editable(conn, conn->schemas[slot], &cat);
    if (rc == CHORUS_OK && st->writer == NULL)
        rc = catalog_writer_open(conn->schemas[slot]->tx, cat, &hooks, &st->writer);
    if (rc != CHORUS_OK)
        return vm_run_error(&st->run, rc, "%s", chorus_errstr(rc));
    if (kind == DDL_ATTACHED)
        catalog_writer_set_schema_name(st->writer, conn->schemas[slot]->name);
    if (kind == DDL_TEMP_TRIGGER_ON_MAIN)
        catalog_writer_set_main(st->writer, conn->cat);
    return CHORUS_OK;
}

int
vm_schema_ddl_check(const vm_stmt *st, char **errmsg_out)
{
    const vm_conn *conn = st->conn;
    int slot, kind = ddl_target(conn, st->ast, &slot);

    *errmsg_out = NULL;
    switch (kind) {
    case DDL_MAIN:
        return catalog_ddl_check(st->cat, NULL, NULL, st->ast, st->sql, errmsg_out);
    case DDL_ATTACHED:
        return catalog_ddl_check(conn->schemas[slot]->cat, NULL, conn->schemas[slot]->name,
                                 st->ast, st->sql, errmsg_out);
    case DDL_TEMP:
    case DDL_TEMP_TRIGGER_ON_MAIN:
        if (vm_temp_catalog(conn) == NULL)
            return CHORUS_OK;       /* created by the step (TP1) */
        return catalog_ddl_check(vm_temp_catalog(conn), kind == DDL_TEMP ? NULL : st->cat,
                                 NULL, st->ast, st->sql, errmsg_out);
    default:
        return CHORUS_OK;           /* vm_schema_ddl_writer reports it */
    }
}

int
vm_schema_dml_writer(vm_stmt *st, const catalog_table *t, bool *other_out)
{
    vm_conn *conn = st->conn;
    catalog_hooks hooks = {st->root != NULL ? st->root : st, vm_hooks_eval};
    int slot = slot_of_table(conn, t), rc;

    *other_out = slot >= 0;
    if (slot < 0 || st->writer != NULL)
        return CHORUS_OK;
    rc = schema_write_begin(st, slot);
    if (rc != CHORUS_OK)
        return rc;
    rc = catalog_writer_open(conn->schemas[slot]->tx, conn->schemas[slot]->cat, &hooks,
                             &st->writer);
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
    vm_schema *temp = conn->schemas[0];
    catalog_hooks hooks = {st->root != NULL ? st->root : st, vm_hooks_eval};
    const catalog_trigger *trg;
    catalog_writer *w = NULL;
    catalog *cat;
    int rc;

    if (temp == NULL || trigger_naming(temp->cat, name) == NULL)
        return CHORUS_OK;
    rc = schema_write_begin(st, 0);
    if (rc == CHORUS_OK)
        rc = schema_editable(conn, temp, &cat);
    if (rc == CHORUS_OK)
        rc = catalog_writer_open(temp->tx, cat, &hooks, &w);
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

/* --- compiling and PRAGMA --------------------------------------------------------- */

void
vm_schema_compile_env(vm_stmt *st, compile_env *env, const char **names)
{
    vm_conn *conn = st->conn;

    for (int i = 1; i < conn->n_schemas; i++) {
        vm_schema *s = conn->schemas[i];
        catalog *published;
        if (s->tx != NULL || s->editable)
            continue;
        published = vm_db_catalog(s->db);   /* outside a transaction: the newest (T2) */
        if (published != s->cat)
            schema_set_catalog(conn, s, published, false);
        else
            catalog_release(published);
    }
    for (int i = 0; i < VM_N_SCHEMAS; i++) {
        catalog_release(st->schema_cats[i]);
        st->schema_cats[i] = i < conn->n_schemas && conn->schemas[i] != NULL
                                 ? catalog_retain(conn->schemas[i]->cat) : NULL;
        names[i] = i < conn->n_schemas && conn->schemas[i] != NULL ? conn->schemas[i]->name : NULL;
    }
    env->temp_cat = st->schema_cats[0];
    env->case_sensitive_like = conn->case_sensitive_like;      /* exec_pragma.c PR5 */
    env->automatic_index = conn->automatic_index;
    env->n_attached = conn->n_schemas - 1;
    env->attached = (const catalog *const *)&st->schema_cats[1];
    env->attached_names = &names[1];
}

/* The slot pragma p is about (TP4): temp.x or aux.x, or an unqualified
 * pragma about a table or index that temp holds, or that only an attached
 * database holds; -1 for main, -2 for an unknown schema name. */
static int
pragma_slot(const vm_conn *conn, const ast_pragma *p)
{
    static const char *const by_name[] = {"table_info", "table_xinfo", "index_list",
                                          "index_info", "index_xinfo", "foreign_key_list"};
    const char *arg;
    bool names_object = false;
    int slot;

    if (p->schema != NULL) {
        if (is_temp_name(p->schema))
            return 0;
        slot = vm_schema_find(conn, p->schema);
        return slot > 0 ? slot : strcasecmp(p->schema, "main") == 0 ? -1 : -2;
    }
    arg = p->value == NULL ? NULL
          : p->value->kind == EXPR_COLUMN ? p->value->name
          : p->value->kind == EXPR_STRING ? p->value->str
                                          : NULL;
    for (size_t i = 0; arg != NULL && i < CHORUS_ARRAY_LEN(by_name); i++)
        names_object |= strcasecmp(p->name, by_name[i]) == 0;
    if (!names_object)
        return -1;
    for (int i = 0; i < conn->n_schemas; i++) {
        const catalog *cat = i == 0 ? vm_temp_catalog(conn) : conn->schemas[i]->cat;
        if (cat != NULL && (catalog_table_find(cat, arg) != NULL ||
                            catalog_view_find(cat, arg) != NULL ||
                            catalog_index_find(cat, arg) != NULL))
            return i;
        if (i == 0 && (catalog_table_find(conn->cat, arg) != NULL ||
                       catalog_view_find(conn->cat, arg) != NULL ||
                       catalog_index_find(conn->cat, arg) != NULL))
            return -1;
    }
    return -1;
}

int
vm_schema_pragma_env(vm_run *r, const ast_pragma *p, catalog_pragma_env *env)
{
    vm_conn *conn = r->conn;
    int slot = pragma_slot(conn, p), access = catalog_pragma_access(p), rc;
    vm_schema *s;

    for (int i = 1; i < conn->n_schemas; i++) {
        const vm_db *db = conn->schemas[i]->db;
        conn->attached_names[i - 1] = conn->schemas[i]->name;
        conn->attached_paths[i - 1] = db->is_private ? "" : db->path;
    }
    env->n_attached = conn->n_schemas - 1;
    env->attached_names = conn->attached_names;
    env->attached_paths = conn->attached_paths;
    env->temp_cat = vm_temp_catalog(conn);
    if (slot == -2)
        return vm_run_error(r, CHORUS_ERROR, "unknown database %s", p->schema);
    if (slot < 0)
        return CHORUS_OK;
    rc = slot == 0 ? vm_temp_open(conn) : CHORUS_OK;
    s = conn->schemas[slot];
    if (rc == CHORUS_OK && access != CATALOG_PRAGMA_NO_TX) {
        rc = schema_tx_ensure(conn, slot, access == CATALOG_PRAGMA_WRITE);
        s->touched |= rc == CHORUS_OK;
    }
    if (rc != CHORUS_OK)
        return vm_run_error(r, rc, "%s",
                            rc == CHORUS_BUSY ? "database is locked" : chorus_errstr(rc));
    env->pager = s->db->pager;
    env->path = s->db->is_private ? "" : s->db->path;
    env->tx = access != CATALOG_PRAGMA_NO_TX ? s->tx : NULL;
    env->cat = s->cat;
    if (slot == 0)
        env->temp_cat = s->cat;
    else
        env->schema_name = s->name;
    return CHORUS_OK;
}
