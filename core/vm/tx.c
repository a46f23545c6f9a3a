/*
 * core/vm/tx.c: transactions of a connection: autocommit, BEGIN/COMMIT/
 * ROLLBACK, SAVEPOINT/RELEASE/ROLLBACK TO, statement atomicity and the
 * schema (catalog) a transaction sees.
 *
 * States of a connection
 *   idle --statement--> autocommit tx --last statement ends--> idle (commit)
 *   idle --BEGIN / SAVEPOINT--> explicit --COMMIT / ROLLBACK / RELEASE--> idle
 * The pager transaction starts when a statement first needs it (BEGIN
 * DEFERRED starts nothing; BEGIN IMMEDIATE starts a write transaction), as
 * a read transaction unless the statement writes; a read transaction is
 * upgraded by the first write (CHORUS_BUSY_SNAPSHOT when stale).
 *
 * Rules
 *   T1  Every writing statement runs inside its own pager savepoint: on
 *       failure its changes are undone (ABORT) and the transaction goes on;
 *       FAIL keeps them; ROLLBACK (conflict action) ends the transaction.
 *   T2  When a transaction starts, the connection's catalog is checked
 *       against the schema cookie of its snapshot and replaced if stale
 *       (the statement then re-prepares: stmt.c).
 *   T3  DDL edits a private copy of the catalog (cat_editable); COMMIT
 *       publishes it to the database (db.c D1); ROLLBACK drops it; ROLLBACK
 *       TO reloads it from the transaction (catalog rule C3).
 *   T4  SAVEPOINT outside a transaction begins one (a write transaction
 *       here, so its pager savepoint exists at once); releasing that
 *       outermost savepoint commits.
 *   T5  In MVCC mode an explicit transaction other than BEGIN CONCURRENT
 *       writes as the exclusive writer (mvcc_mode.c VM5): BEGIN IMMEDIATE/
 *       EXCLUSIVE at once, BEGIN DEFERRED at its first write
 *       (CHORUS_BUSY_SNAPSHOT when a commit came after its snapshot). COMMIT
 *       first waits for another exclusive writer; CHORUS_BUSY leaves the
 *       transaction open. A commit's conflict reports the store's message.
 *   T6  In MVCC mode a SAVEPOINT is the mv_tx's write-list mark (mvcc R18):
 *       ROLLBACK TO undoes the row writes after it; the pager savepoint
 *       exists only in a transaction that changes the schema (its pager
 *       transaction writes). A schema change that begins inside SAVEPOINTs
 *       gives each a pager savepoint at the start of its pager write
 *       transaction (vm_tx_savepoints_to_pager), so ROLLBACK TO undoes
 *       both sides.
 *   T7  The temp and attached databases join the transaction (temp.c
 *       TP2) and end with it after main (vm_schema_tx_end, TP7: each commit
 *       atomic on its own). The catalog sync (T2) and publish (T3) steps
 *       are db.c's, shared with them.
 * Callers: stmt.c, exec_dml.c, conn.c.
 */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "vm_int.h"

static void
set_catalog(vm_conn *conn, catalog *cat, bool editable)
{
    vm_writer_drop_parked(conn);                /* writer_park.c WP3: it borrows the catalog */
    catalog_release(conn->cat);
    conn->cat = cat;
    conn->cat_editable = editable;
    conn->schema_gen++;
}

/* T2. */
static int
sync_catalog(vm_conn *conn, char **errmsg_out)
{
    bool changed;
    int rc;

    if (conn->cat_editable)
        return CHORUS_OK;
    rc = vm_db_catalog_sync(conn->db, conn->tx, &conn->cat, &changed, errmsg_out);
    if (changed)
        conn->schema_gen++;
    return rc;
}

/* VM3: transactions are counted per database so that journal_mode changes
 * only while none is open; none starts while it changes. */
int
vm_tx_count(vm_conn *conn)
{
    int rc;

    if (conn->tx_counted)
        return CHORUS_OK;
    rc = vm_db_tx_count(conn->db);
    conn->tx_counted = rc == CHORUS_OK;
    return rc;
}

void
vm_tx_uncount(vm_conn *conn)
{
    if (!conn->tx_counted)
        return;
    vm_db_tx_uncount(conn->db);
    conn->tx_counted = false;
}

/* T5: an explicit transaction other than BEGIN CONCURRENT writes in MVCC
 * mode as the exclusive writer (mvcc_mode.c VM5); autocommit writes and
 * BEGIN CONCURRENT stay concurrent. */
static bool
writes_exclusively(const vm_conn *conn, bool write)
{
    return write && conn->explicit_tx && !conn->tx_concurrent;
}

int
vm_tx_ensure(vm_conn *conn, bool write)
{
    pager *p = conn->db->pager;
    char *msg = NULL;
    int rc;

    if (conn->tx == NULL && conn->stx.mv == NULL) {
        rc = vm_tx_count(conn);
        if (rc != CHORUS_OK)
            return rc;
    }
    if (conn->tx == NULL && conn->stx.mv == NULL && vm_mvcc_on(conn->db)) {
        rc = vm_mvcc_tx_begin(conn, writes_exclusively(conn, write));     /* VM2, VM5 */
        if (rc != CHORUS_OK) {
            vm_tx_uncount(conn);
            return rc;
        }
        write = false;
    } else if (conn->stx.mv != NULL) {
        if (writes_exclusively(conn, write)) {
            rc = vm_mvcc_make_exclusive(conn);
            if (rc != CHORUS_OK)
                return rc;
        }
        write = false;
    } else if (conn->tx == NULL) {
        rc = write ? pager_tx_begin_write(p, conn->busy_ms, &conn->interrupt, &conn->tx)
                   : pager_tx_begin_read(p, &conn->tx);
        if (rc != CHORUS_OK) {
            conn->tx = NULL;
            vm_tx_uncount(conn);
            return rc;
        }
    } else if (write && !pager_tx_is_write(conn->tx)) {
        rc = pager_tx_upgrade(conn->tx, conn->busy_ms, &conn->interrupt);
        if (rc != CHORUS_OK)
            return rc;
    }
    if (write) {
        rc = btree_init_database(conn->tx);
        if (rc != CHORUS_OK)
            return rc;
    }
    rc = sync_catalog(conn, &msg);
    if (rc != CHORUS_OK) {
        vm_conn_take_error(conn, rc, msg);
        return rc;
    }
    free(msg);
    return CHORUS_OK;
}

/* T3: the catalog DDL edited in the committed transaction becomes the
 * database's. */
static void
catalog_publish(vm_conn *conn)
{
    vm_db_catalog_publish(conn->db, conn->cat);
    conn->cat_editable = false;
}

/*
 * Commits the B-tree write transaction while statements of the connection
 * are still reading, as SQLite does (#5): the pager commits and keeps the
 * transaction open as a read transaction on that commit (pager tx.c T9),
 * and the schema is published at once, so other connections see the commit
 * and may write. The rest of ending it (temp database, SAVEPOINT names)
 * waits for the last reader, which ends the transaction as usual
 * (vm_tx_statement_finish).
 */
static int
commit_keep_reading(vm_conn *conn)
{
    int rc;

    vm_writer_drop_parked(conn);                /* writer_park.c WP3 */
    rc = pager_tx_commit_keep_reading(conn->tx);

    if (rc == CHORUS_OK && conn->cat_editable)
        catalog_publish(conn);
    return rc;
}

/* Ends the transaction; *rc_io (may be NULL) gets the commit's code. */
void
vm_tx_end(vm_conn *conn, bool commit, int *rc_io)
{
    vm_db *db = conn->db;
    int rc = CHORUS_OK;

    vm_writer_drop_parked(conn);                /* writer_park.c WP3 */
    if (conn->stx.mv != NULL) {
        rc = vm_mvcc_tx_end(conn, commit);      /* mvcc_mode.c VM2, VM4 */
    } else if (conn->tx != NULL) {
        if (commit)
            rc = pager_tx_commit(conn->tx);
        else
            pager_tx_rollback(conn->tx);
        conn->tx = NULL;
    }
    if (conn->cat_editable) {
        if (commit && rc == CHORUS_OK)
            catalog_publish(conn);
        else
            set_catalog(conn, vm_db_catalog(db), false);
    }
    {
        int rc_other = vm_schema_tx_end(conn, commit && rc == CHORUS_OK);     /* temp.c TP7 */
        if (rc == CHORUS_OK)
            rc = rc_other;
    }
    for (int i = 0; i < conn->n_sp; i++)
        free(conn->sp[i].name);
    conn->n_sp = 0;
    vm_tx_uncount(conn);
    vm_fkeys_tx_end(conn);                      /* fkey.c K3 */
    conn->explicit_tx = false;
    conn->tx_concurrent = false;
    conn->tx_doomed = false;
    conn->sp_began_tx = false;
    if (rc_io != NULL)
        *rc_io = rc;
}

/* The catalog DDL edits (T3): the private copy, made on first use. */
int
vm_tx_editable_catalog(vm_conn *conn, catalog **out)
{
    catalog *copy;
    int rc;

    if (!conn->cat_editable) {
        rc = catalog_edit_begin(conn->cat, &copy);
        if (rc != CHORUS_OK)
            return rc;
        set_catalog(conn, copy, true);
    }
    *out = conn->cat;
    return CHORUS_OK;
}

int
vm_tx_statement_begin(vm_stmt *st)
{
    vm_conn *conn = st->conn;
    bool write = !st->plan->readonly && !vm_schema_only(st);   /* temp.c TP5 */
    int rc;

    if (conn->tx_doomed)
        return CHORUS_ERROR;
    if (st->plan->kind != PLAN_SELECT && st->plan->kind != PLAN_INSERT &&
        st->plan->kind != PLAN_UPDATE && st->plan->kind != PLAN_DELETE)
        vm_writer_drop_parked(conn);            /* writer_park.c WP3 */
    if (st->plan->is_ddl && !vm_schema_only(st) && vm_mvcc_on(conn->db))
        rc = vm_mvcc_ddl_begin(st);             /* mvcc_mode.c VM4 */
    else
        rc = CHORUS_OK;
    if (rc == CHORUS_OK)
        rc = vm_tx_ensure(conn, write);
    if (rc != CHORUS_OK) {
        /* A transaction this statement began for itself ends with it. */
        if (!conn->explicit_tx && conn->n_active == 0)
            vm_tx_end(conn, false, NULL);
        return rc;
    }
    st->in_tx = true;
    conn->n_active++;
    if (write && conn->stx.mv != NULL) {
        st->mv_mark = mv_tx_savepoint(conn->mvtx);     /* mvcc R18 */
        st->has_savepoint = true;
        st->savepoint_id = -1;
        if (pager_tx_is_write(conn->tx)) {              /* mvcc_mode.c VM4: the B-tree side */
            rc = pager_savepoint_open(conn->tx, &st->savepoint_id);
            if (rc != CHORUS_OK)
                return rc;
        }
    } else if (write) {
        rc = pager_savepoint_open(conn->tx, &st->savepoint_id);
        if (rc != CHORUS_OK)
            return rc;
        st->has_savepoint = true;
    }
    return vm_schema_statement_begin(st);
}

/* After a rollback inside the transaction, the edited catalog is read
 * again from the b-trees (T3). */
static void
reload_editable(vm_conn *conn)
{
    catalog *fresh, *copy;
    char *msg = NULL;

    if (catalog_load(conn->tx, &fresh, &msg) == CHORUS_OK) {
        if (catalog_edit_begin(fresh, &copy) == CHORUS_OK)
            set_catalog(conn, copy, true);
        catalog_release(fresh);
    }
    free(msg);
}

/* Undoes a failed statement's changes (T1); DDL's catalog edits go with them. */
static void
statement_undo(vm_stmt *st, int conflict)
{
    vm_conn *conn = st->conn;

    vm_writer_drop_parked(conn);                /* writer_park.c WP3 */
    if (conn->stx.mv != NULL && conflict != AST_CONFLICT_ROLLBACK &&
        conflict != AST_CONFLICT_FAIL)
        mv_tx_rollback_to(conn->mvtx, st->mv_mark);
    if (conn->stx.mv != NULL && st->savepoint_id < 0) {
        if (conflict == AST_CONFLICT_ROLLBACK)
            conn->tx_doomed = true;
        return;
    }
    if (conflict == AST_CONFLICT_FAIL) {
        pager_savepoint_release(conn->tx, st->savepoint_id);
        return;
    }
    if (conflict == AST_CONFLICT_ROLLBACK) {
        conn->tx_doomed = true;
        return;
    }
    pager_savepoint_rollback(conn->tx, st->savepoint_id);
    pager_savepoint_release(conn->tx, st->savepoint_id);
    if (conn->cat_editable && st->plan->is_ddl)
        reload_editable(conn);
}

/* The message of a failed commit: an MVCC conflict names the table or
 * index and the key (store rule S4), a failed MVCC log the file and why. */
static const char *
commit_errmsg(const vm_conn *conn, int rc)
{
    int primary = rc & 0xff;

    if ((primary == CHORUS_CONFLICT || primary == CHORUS_IOERR || primary == CHORUS_FULL) &&
        conn->stx.msg != NULL)
        return conn->stx.msg;
    return rc == CHORUS_BUSY ? "database is locked" : chorus_errstr(rc);
}

/* Ends a statement's part of the transaction; returns the code to report
 * (a failed autocommit COMMIT replaces success). */
int
vm_tx_statement_finish(vm_stmt *st, int rc, int conflict)
{
    vm_conn *conn = st->conn;
    bool failed = rc != CHORUS_OK && rc != CHORUS_DONE && rc != CHORUS_ROW;

    if (!st->in_tx)
        return rc;
    vm_schema_statement_finish(st, failed, conflict);
    if (st->has_savepoint && conn->tx != NULL) {
        if (failed)
            statement_undo(st, conflict);
        else if (conn->stx.mv == NULL || st->savepoint_id >= 0)
            pager_savepoint_release(conn->tx, st->savepoint_id);
    }
    st->has_savepoint = false;
    st->in_tx = false;
    conn->n_active--;
    if (conn->n_active == 0 && (!conn->explicit_tx || conn->tx_doomed)) {
        int rc_commit = CHORUS_OK;
        bool commit = !conn->tx_doomed && !conn->explicit_tx;
        vm_tx_end(conn, commit, &rc_commit);
        if (rc_commit != CHORUS_OK && !failed)
            return vm_run_error(&st->run, rc_commit, "%s", commit_errmsg(conn, rc_commit));
    } else if (!conn->explicit_tx && !conn->tx_doomed && conn->stx.mv == NULL
               && conn->tx != NULL && pager_tx_is_write(conn->tx)
               && pager_savepoint_depth(conn->tx) == 0) {
        /* An autocommit write ends while readers run and no other write
         * statement does: it commits now, as in SQLite (#5). */
        int rc_commit = commit_keep_reading(conn);
        if (rc_commit != CHORUS_OK && !failed)
            return vm_run_error(&st->run, rc_commit, "%s", commit_errmsg(conn, rc_commit));
    }
    return rc;
}

void
vm_tx_statement_end(vm_stmt *st, int rc)
{
    vm_tx_statement_finish(st, rc, AST_CONFLICT_ABORT);
}

/* ------------------------------------------------------- TX statements */

static int
tx_begin(vm_stmt *st, const ast_transaction *t)
{
    vm_conn *conn = st->conn;
    int rc;

    if (conn->explicit_tx)
        return vm_run_error(&st->run, CHORUS_ERROR,
                            "cannot start a transaction within a transaction");
    if (t->mode == AST_TX_CONCURRENT && !vm_mvcc_on(conn->db))
        return vm_run_error(&st->run, CHORUS_ERROR, "BEGIN CONCURRENT requires journal_mode=mvcc");
    conn->explicit_tx = true;
    conn->tx_concurrent = t->mode == AST_TX_CONCURRENT;
    if (t->mode == AST_TX_IMMEDIATE || t->mode == AST_TX_EXCLUSIVE) {
        rc = vm_tx_ensure(conn, true);          /* MVCC: the exclusive writer (T5) */
        if (rc != CHORUS_OK) {
            conn->explicit_tx = false;
            return vm_run_error(&st->run, rc, "%s", rc == CHORUS_BUSY ? "database is locked"
                                                                      : chorus_errstr(rc));
        }
    }
    return CHORUS_OK;
}

static int
tx_commit(vm_stmt *st)
{
    vm_conn *conn = st->conn;
    int rc = CHORUS_OK;

    if (!conn->explicit_tx)
        return vm_run_error(&st->run, CHORUS_ERROR, "cannot commit - no transaction is active");
    if (!conn->tx_doomed && vm_fkeys_commit_check(st) != CHORUS_OK)  /* fkey.c K3 */
        return CHORUS_CONSTRAINT_FOREIGNKEY;
    if (conn->n_active > 0 && conn->stx.mv == NULL && conn->tx != NULL &&
        pager_tx_is_write(conn->tx)) {
        /* Statements still reading may go on, as in SQLite (#5): the changes
         * are committed now and the transaction stays open as a read
         * transaction on that commit (pager tx.c T9). Not while a writing
         * statement runs (it holds a pager savepoint beyond the SAVEPOINT
         * stack, T1), nor when the transaction is doomed. */
        if (conn->tx_doomed || pager_savepoint_depth(conn->tx) > conn->n_sp)
            return vm_run_error(&st->run, CHORUS_BUSY,
                                "cannot commit transaction - SQL statements in progress");
        rc = commit_keep_reading(conn);
        if (rc != CHORUS_OK)
            return vm_run_error(&st->run, rc, "%s", chorus_errstr(rc));
    }
    if (conn->n_active > 0) {
        conn->explicit_tx = false;      /* the running readers end it */
        return CHORUS_OK;
    }
    if (conn->stx.mv != NULL && !conn->tx_doomed) {
        rc = vm_mvcc_commit_wait(conn);         /* T5: BUSY leaves it open */
        if (rc != CHORUS_OK)
            return vm_run_error(&st->run, rc, "%s", commit_errmsg(conn, rc));
    }
    vm_tx_end(conn, !conn->tx_doomed, &rc);
    if (rc != CHORUS_OK)
        return vm_run_error(&st->run, rc, "%s", commit_errmsg(conn, rc));
    return CHORUS_OK;
}

static int
tx_rollback(vm_stmt *st)
{
    vm_conn *conn = st->conn;

    if (!conn->explicit_tx)
        return vm_run_error(&st->run, CHORUS_ERROR, "cannot rollback - no transaction is active");
    if (conn->n_active > 0)
        return vm_run_error(&st->run, CHORUS_BUSY,
                            "cannot rollback transaction - SQL statements in progress");
    vm_tx_end(conn, false, NULL);
    return CHORUS_OK;
}

static int
find_savepoint(vm_conn *conn, const char *name)
{
    for (int i = conn->n_sp - 1; i >= 0; i--)
        if (strcasecmp(conn->sp[i].name, name) == 0)
            return i;
    return -1;
}

int
vm_tx_savepoints_to_pager(vm_conn *conn)
{
    int rc = CHORUS_OK;

    for (int i = 0; rc == CHORUS_OK && i < conn->n_sp; i++)     /* T6 */
        if (conn->sp[i].id < 0)
            rc = pager_savepoint_open(conn->tx, &conn->sp[i].id);
    return rc;
}

static int
tx_savepoint(vm_stmt *st, const char *name)
{
    vm_conn *conn = st->conn;
    int rc, id;

    if (conn->n_sp == conn->cap_sp) {
        int cap = conn->cap_sp ? conn->cap_sp * 2 : 4;
        vm_savepoint *p = realloc(conn->sp, (size_t)cap * sizeof *p);
        if (p == NULL)
            return CHORUS_NOMEM;
        conn->sp = p;
        conn->cap_sp = cap;
    }
    rc = vm_tx_ensure(conn, true);                      /* T4 */
    id = -1;
    if (rc == CHORUS_OK && conn->stx.mv != NULL)        /* T6 */
        conn->sp[conn->n_sp].mv_mark = mv_tx_savepoint(conn->mvtx);
    if (rc == CHORUS_OK && (conn->stx.mv == NULL || pager_tx_is_write(conn->tx)))
        rc = pager_savepoint_open(conn->tx, &id);
    if (rc == CHORUS_OK)
        rc = vm_schema_savepoint_open(conn, &conn->sp[conn->n_sp]);
    vm_fkeys_savepoint_save(conn, &conn->sp[conn->n_sp]);     /* fkey.c K3 */
    if (rc != CHORUS_OK)
        return vm_run_error(&st->run, rc, "%s", chorus_errstr(rc));
    conn->sp[conn->n_sp].name = strdup(name);
    if (conn->sp[conn->n_sp].name == NULL)
        return CHORUS_NOMEM;
    conn->sp[conn->n_sp++].id = id;
    if (!conn->explicit_tx) {
        conn->explicit_tx = true;
        conn->sp_began_tx = true;
    }
    return CHORUS_OK;
}

static int
tx_release(vm_stmt *st, const char *name, bool rollback_to)
{
    vm_conn *conn = st->conn;
    int i = find_savepoint(conn, name), rc;

    if (i < 0)
        return vm_run_error(&st->run, CHORUS_ERROR, "no such savepoint: %s", name);
    vm_writer_drop_parked(conn);                /* writer_park.c WP3 */
    if (rollback_to) {
        if (conn->stx.mv != NULL)                               /* T6 */
            mv_tx_rollback_to(conn->mvtx, conn->sp[i].mv_mark);
        rc = conn->sp[i].id < 0 ? CHORUS_OK : pager_savepoint_rollback(conn->tx, conn->sp[i].id);
        if (rc == CHORUS_OK)
            rc = vm_schema_savepoint_end(conn, &conn->sp[i], true);
        vm_fkeys_savepoint_restore(conn, &conn->sp[i]);        /* fkey.c K3 */
        for (int k = i + 1; k < conn->n_sp; k++)
            free(conn->sp[k].name);
        conn->n_sp = i + 1;
        if (rc == CHORUS_OK && conn->cat_editable)
            reload_editable(conn);
        return rc;
    }
    if (i == 0 && conn->sp_began_tx) {
        if (vm_fkeys_commit_check(st) != CHORUS_OK)             /* fkey.c K3 */
            return CHORUS_CONSTRAINT_FOREIGNKEY;
        if (conn->n_active > 0)
            return vm_run_error(&st->run, CHORUS_BUSY,
                                "cannot commit transaction - SQL statements in progress");
        vm_tx_end(conn, true, &rc);
        return rc != CHORUS_OK ? vm_run_error(&st->run, rc, "%s", commit_errmsg(conn, rc)) : rc;
    }
    rc = conn->sp[i].id < 0 ? CHORUS_OK : pager_savepoint_release(conn->tx, conn->sp[i].id);
    if (rc == CHORUS_OK)
        rc = vm_schema_savepoint_end(conn, &conn->sp[i], false);
    for (int k = i; k < conn->n_sp; k++)
        free(conn->sp[k].name);
    conn->n_sp = i;
    return rc;
}

int
vm_tx_execute(vm_stmt *st)
{
    const ast_transaction *t = &st->ast->u.tx;

    switch (t->kind) {
    case AST_TX_BEGIN:
        return tx_begin(st, t);
    case AST_TX_COMMIT:
        return tx_commit(st);
    case AST_TX_ROLLBACK:
        return tx_rollback(st);
    case AST_TX_SAVEPOINT:
        return tx_savepoint(st, t->savepoint);
    case AST_TX_RELEASE:
        return tx_release(st, t->savepoint, false);
    default:
        return tx_release(st, t->savepoint, true);
    }
}
