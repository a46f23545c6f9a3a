/*
 * core/vm/mvcc_mode.c: the engine's side of journal_mode=mvcc (DESIGN.md,
 * "MVCC mode"): switching it on and off, opening it again when the database
 * is opened (the <db>-log file is the persisted mode), the MVCC part of a
 * connection's transaction, and the checkpoint on close.
 *
 * Rules
 *   VM1 The mode is persisted by the log file: a database with <db>-log
 *       opens in MVCC mode (recovery replays it); 'wal' checkpoints, closes
 *       MVCC mode and removes the log.
 *   VM2 In MVCC mode a transaction takes its MVCC snapshot first, then a
 *       pager READ transaction (store README: the checkpoint horizon); its
 *       writes go to the version store and never take the write lock.
 *   VM3 The mode changes only while no other connection has a transaction
 *       open (store_db_attach_mvcc: no cursor may be open).
 *   VM4 DDL runs on the B-tree path in a pager write transaction of its own
 *       (the single writer lock), outside any concurrent transaction. Only
 *       CREATE TABLE and CREATE VIEW/TRIGGER for now: a new table has no
 *       version in the store; indexes over, and drops or rewrites of, tables
 *       the store may hold versions of need a checkpoint first (not yet).
 * Locking: db->mu guards the mode switch against transaction starts.
 * Ownership: the store_db (db->store) owns the version store and the log.
 * Callers: db.c (open/close), tx.c (transactions), exec_dml.c (PRAGMA).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "vm_int.h"

bool
vm_mvcc_on(const vm_db *db)
{
    return db->store != NULL && store_db_mvcc(db->store) != NULL;
}

static char *
log_path(const vm_db *db)
{
    size_t n = strlen(db->path) + 5;
    char *p = malloc(n);

    if (p != NULL)
        snprintf(p, n, "%s-log", db->path);
    return p;
}

/* store_index_info_fn: the key_info of an index by root, from the
 * published catalog. */
static int
index_info(void *ctx, uint32_t root, key_info *ki_out)
{
    vm_db *db = ctx;
    int rc = CHORUS_CORRUPT;

    pthread_mutex_lock(&db->mu);
    for (int i = 0; db->cat != NULL && i < catalog_index_count(db->cat); i++) {
        const catalog_index *idx = catalog_index_at(db->cat, i);
        if (idx->root == root) {
            *ki_out = idx->ki;
            rc = CHORUS_OK;
            break;
        }
    }
    pthread_mutex_unlock(&db->mu);
    return rc;
}

static int
mode_open(vm_db *db)
{
    char *path = log_path(db);
    int rc;

    if (path == NULL)
        return CHORUS_NOMEM;
    rc = store_mvcc_open(db->store, path, NULL, index_info, db, NULL);
    free(path);
    return rc;
}

int
vm_mvcc_open_existing(vm_db *db, char **errmsg_out)
{
    char *path = log_path(db);
    bool exists;
    int rc = CHORUS_OK;

    if (path == NULL)
        return CHORUS_NOMEM;
    exists = access(path, F_OK) == 0;                                /* VM1 */
    free(path);
    if (exists)
        rc = mode_open(db);
    if (rc != CHORUS_OK && *errmsg_out == NULL)
        *errmsg_out = strdup("cannot recover the MVCC log");
    return rc;
}

/* Writes every commit the store holds into the B-tree (store README). */
static int
checkpoint(vm_db *db, bool reset)
{
    mv_tx *scratch;
    pager_tx *wtx;
    uint64_t ts;
    int rc = mv_tx_new(store_db_mvcc(db->store), &scratch);

    if (rc != CHORUS_OK)
        return rc;
    rc = pager_tx_begin_write(db->pager, 5000, NULL, &wtx);
    if (rc == CHORUS_OK) {
        rc = btree_init_database(wtx);
        if (rc == CHORUS_OK)
            rc = store_mvcc_checkpoint(db->store, wtx, scratch, &ts);
        if (rc == CHORUS_OK)
            rc = pager_tx_commit(wtx);
        else
            pager_tx_rollback(wtx);
    }
    if (rc == CHORUS_OK)
        rc = store_mvcc_checkpoint_done(db->store, ts, reset);
    mv_tx_free(scratch);
    return rc;
}

void
vm_mvcc_close(vm_db *db)
{
    if (!vm_mvcc_on(db))
        return;
    checkpoint(db, true);
    store_mvcc_close(db->store);
}

/* --- transactions (VM2) ------------------------------------------------------ */

static mv_sync
sync_level(const vm_db *db)
{
    int level = pager_synchronous(db->pager);
    return level >= PAGER_SYNC_FULL ? MV_SYNC_FULL
           : level == PAGER_SYNC_OFF ? MV_SYNC_OFF : MV_SYNC_NORMAL;
}

int
vm_mvcc_tx_begin(vm_conn *conn)
{
    vm_db *db = conn->db;
    int rc = CHORUS_OK;

    if (conn->mvtx == NULL)
        rc = mv_tx_new(store_db_mvcc(db->store), &conn->mvtx);
    if (rc == CHORUS_OK)
        rc = mv_tx_begin(conn->mvtx);
    if (rc == CHORUS_OK) {
        rc = pager_tx_begin_read(db->pager, &conn->tx);
        if (rc != CHORUS_OK) {
            conn->tx = NULL;
            mv_tx_rollback(conn->mvtx);
        }
    }
    if (rc == CHORUS_OK) {
        store_tx_clear(&conn->stx);             /* the last transaction's message */
        store_tx_init(&conn->stx, db->store, conn->tx, conn->mvtx);
    }
    return rc;
}

int
vm_mvcc_tx_end(vm_conn *conn, bool commit)
{
    int rc = CHORUS_OK;

    if (commit)
        rc = mv_tx_commit(conn->mvtx, sync_level(conn->db));
    else
        mv_tx_rollback(conn->mvtx);
    if (rc == CHORUS_CONFLICT) {
        char *msg = NULL;
        mv_outcome o = mv_tx_conflict_outcome(conn->mvtx);
        mv_outcome_rc(o != MV_OK ? o : MV_CONFLICT_UNIQUE, "table", "?", 0, NULL, &msg);
        if (conn->stx.msg == NULL)
            conn->stx.msg = msg;
        else
            free(msg);
    }
    conn->stx.mv = NULL;
    return rc;
}

int
vm_mvcc_ddl_begin(vm_stmt *st)
{
    vm_conn *conn = st->conn;
    int kind = st->ast->kind;
    int rc;

    if (kind != STMT_CREATE_TABLE && kind != STMT_CREATE_VIEW && kind != STMT_CREATE_TRIGGER)
        return vm_run_error(&st->run, CHORUS_ERROR, "not supported yet: this schema change in "
                            "journal_mode=mvcc (switch to journal_mode=wal first)");
    if (conn->stx.mv != NULL)
        return vm_run_error(&st->run, CHORUS_ERROR, "not supported yet: schema changes inside "
                            "a concurrent transaction");
    if (conn->tx != NULL)
        return CHORUS_OK;                       /* the exclusive one already runs */
    rc = pager_tx_begin_write(conn->db->pager, conn->busy_ms, &conn->interrupt, &conn->tx);
    if (rc != CHORUS_OK)
        conn->tx = NULL;
    return rc;
}

/* --- PRAGMA journal_mode (VM1, VM3) ----------------------------------------------- */

static const char *const journal_cols[] = {"journal_mode"};

static int
answer(vm_stmt *st, const char *mode)
{
    catalog_result *r = &st->pres;

    r->n_cols = 1;
    r->col_names = journal_cols;
    r->cells = calloc(1, sizeof(value));
    if (r->cells == NULL)
        return CHORUS_NOMEM;
    r->n_rows = 1;
    r->cap_rows = 1;
    return value_set_text_copy(&r->cells[0], mode, (int32_t)strlen(mode));
}

static const char *
arg_word(const ast_pragma *p)
{
    const ast_expr *e = p->value;

    if (e == NULL)
        return NULL;
    return e->kind == EXPR_COLUMN ? e->name : e->kind == EXPR_STRING ? e->str : NULL;
}

static int
switch_mode(vm_stmt *st, bool to_mvcc)
{
    vm_conn *conn = st->conn;
    vm_db *db = conn->db;
    char *path;
    int rc;

    if (conn->tx != NULL || conn->explicit_tx)
        return vm_run_error(&st->run, CHORUS_ERROR,
                            "cannot change into or out of mvcc mode from within a transaction");
    if (!to_mvcc) {
        rc = checkpoint(db, true);
        if (rc == CHORUS_OK)
            rc = store_mvcc_close(db->store);
        path = log_path(db);
        if (rc == CHORUS_OK && path != NULL)
            unlink(path);
        free(path);
        return rc;
    }
    if (strcmp(db->path, ":memory:") == 0 || db->path[0] == 0)
        return vm_run_error(&st->run, CHORUS_ERROR, "journal_mode=mvcc needs a database file");
    return mode_open(db);
}

int
vm_mvcc_journal_mode(vm_stmt *st, bool *handled)
{
    const ast_pragma *p = &st->ast->u.pragma;
    const char *mode = arg_word(p);
    vm_db *db = st->conn->db;
    bool on = vm_mvcc_on(db);
    int rc = CHORUS_OK;

    *handled = false;
    if (strcasecmp(p->name, "journal_mode") != 0
        || (p->schema != NULL && strcasecmp(p->schema, "main") != 0))
        return CHORUS_OK;
    if (mode != NULL && strcasecmp(mode, "mvcc") == 0 && !on)
        rc = switch_mode(st, true);
    else if (mode != NULL && on && strcasecmp(mode, "mvcc") != 0)
        rc = switch_mode(st, false);
    else if (!on && !(mode != NULL && strcasecmp(mode, "mvcc") == 0))
        return CHORUS_OK;                   /* WAL rules: the catalog's */
    *handled = true;
    if (rc != CHORUS_OK)
        return rc;
    return answer(st, vm_mvcc_on(db) ? "mvcc" : "wal");
}
