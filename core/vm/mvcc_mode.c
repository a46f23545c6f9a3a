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
 *   VM3 The mode changes only while no connection has a transaction open,
 *       and none begins while it changes (vm_db.n_open_tx, mode_switching:
 *       tx.c vm_tx_count). Leaving MVCC mode frees the version store: every
 *       other connection's mv_tx is then stale (mvcc_gen) and is discarded
 *       unused.
 *   VM4 DDL (but TEMP DDL) is the exclusive writer (VM5) of a transaction
 *       whose first schema change runs a full checkpoint (every commit, up
 *       to the clock: nothing commits meanwhile) in a pager write
 *       transaction of its own, then keeps the pager's write lock: the DDL
 *       itself works on the B-tree alone (its writer takes the B-tree path),
 *       which now holds every commit; the transaction's row changes still go
 *       to the version store, over that B-tree. Before each DDL statement the
 *       transaction's own row writes are written into the B-tree too (their
 *       final images, idempotent: store_mvcc_write_own), so the DDL sees
 *       them; the store keeps the same images. DROP TABLE/INDEX, ALTER TABLE
 *       DROP COLUMN and VACUUM drop the version maps of the trees they free
 *       or rewrite (roots are reused; mvcc R21); writes to dropped maps are
 *       left out of the B-tree and of the log. SQL savepoints opened before
 *       get pager savepoints (tx.c T6). At COMMIT the own writes go into the
 *       B-tree once more, the B-tree commits and is synced, so that one WAL
 *       commit holds the whole transaction (a crash leaves all or nothing);
 *       then the version store commit (its log frame repeats those images:
 *       replay is idempotent) publishes the schema timestamp (mvcc R21):
 *       write transactions that began before it fail at COMMIT with
 *       CHORUS_CONFLICT_SCHEMA. From that B-tree commit until the version
 *       store commit is visible, full_ckpt_seq is odd (VM6,
 *       mv_tx_mark_base_ahead). Not inside BEGIN CONCURRENT.
 *   VM5 BEGIN IMMEDIATE/EXCLUSIVE, and BEGIN DEFERRED (or a SAVEPOINT
 *       transaction) from its first write, make the transaction the
 *       exclusive writer (mvcc R20): one at a time, never losing a write
 *       conflict; other write transactions wait at COMMIT while it is open
 *       (busy_timeout, then CHORUS_BUSY; an explicit COMMIT stays open).
 *       Autocommit writes and BEGIN CONCURRENT stay concurrent.
 *   VM6 A transaction whose B-tree snapshot may hold commits newer than its
 *       MVCC snapshot (a full checkpoint, VM4, or an online one, store MM6,
 *       committed between the two) takes both again
 *       (mv_db_full_checkpoint_seq).
 *   VM7 Stock SQLite never reads stale data: while MVCC mode is open, page
 *       1 says 255 in bytes 18/19 (pager R17), set when the mode opens and
 *       by the first writing commit after it was cleared, before that
 *       commit's frame can reach the log (commit_logged, inside the log's
 *       commit fence). It goes back to 2 only with the log empty while the
 *       fence holds every commit out (header_clean): at close, on leaving
 *       the mode, and by wal_checkpoint(TRUNCATE). A 255 file whose log is
 *       missing is refused at open: the log was lost, the B-tree may be
 *       behind acknowledged commits.
 *   VM8 Checkpoints (store_mvcc_checkpoint_run): automatic, once a commit
 *       grew the log by wal_autocheckpoint pages since the last one, on the
 *       database's checkpointer thread (checkpointer.c CK1-CK3: the
 *       committer only asks, unless the log is far behind); by PRAGMA
 *       wal_checkpoint; at close.
 *       vm_mvcc_checkpoint_all() waits for them (not under the writer lock).
 *   VM9 WITHOUT ROWID tables are versioned like rowid tables: their tree
 *       is an index map of keyed rows (key = the PRIMARY KEY's columns, the
 *       version carries the row; store merge.c M6), their other indexes
 *       are index maps whose entries end with the PK instead of a rowid,
 *       UNIQUE on their leading columns (mvcc R9). The catalog's key_info
 *       says which tree is which (record.h key_layout); index_info hands it
 *       to recovery and checkpoints.
 * Locking: db->mu guards the mode switch against transaction starts.
 * Ownership: the store_db (db->store) owns the version store and the log.
 * Callers: db.c (open/close), tx.c (transactions), exec_dml.c (PRAGMA).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sched.h>
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

/* store_index_info_fn: the key_info and name of an index (a WITHOUT ROWID
 * table's tree is one, VM9: its name is the table's) or the name of a
 * table, by root, from the published catalog. */
static int
tree_info(void *ctx, uint32_t root, bool is_index, key_info *ki_out, char *name_out,
          size_t name_size)
{
    vm_db *db = ctx;
    const char *name = NULL;
    int rc = is_index ? CHORUS_CORRUPT : CHORUS_OK;

    pthread_mutex_lock(&db->mu);
    for (int i = 0; is_index && db->cat != NULL && i < catalog_index_count(db->cat); i++) {
        const catalog_index *idx = catalog_index_at(db->cat, i);
        if (idx->root == root) {
            *ki_out = idx->ki;
            name = catalog_index_is_table(idx) ? idx->table->name : idx->name;
            rc = CHORUS_OK;
            break;
        }
    }
    for (int i = 0; !is_index && db->cat != NULL && i < catalog_table_count(db->cat); i++) {
        const catalog_table *t = catalog_table_at(db->cat, i);
        if (t->root == root && !t->without_rowid)
            name = t->name;
    }
    if (name_out != NULL)
        snprintf(name_out, name_size, "%s", name != NULL ? name : "");
    pthread_mutex_unlock(&db->mu);
    return rc;
}

static int header_set(vm_db *db, bool on, int busy_ms);

static int
mode_open(vm_db *db)
{
    char *path = log_path(db);
    int rc;

    if (path == NULL)
        return CHORUS_NOMEM;
    rc = store_mvcc_open(db->store, path, NULL, tree_info, db, NULL);
    free(path);
    if (rc == CHORUS_OK && !pager_mvcc_header(db->pager)) {
        rc = header_set(db, true, 5000);                        /* VM7 */
        if (rc != CHORUS_OK)
            store_mvcc_close(db->store);
    }
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
    if (!exists && strcmp(db->path, ":memory:") != 0 && db->path[0] != 0) {
        bool is_mvcc;
        rc = pager_header_is_mvcc(db->pager, &is_mvcc);
        if (rc == CHORUS_OK && is_mvcc) {                          /* VM7 */
            rc = CHORUS_CANTOPEN;
            *errmsg_out = common_mprintf("database %s is in journal_mode=mvcc but its log %s is "
                                         "missing: its newest commits are not in the database "
                                         "file", db->path, path);
        }
    }
    free(path);
    if (exists)
        rc = mode_open(db);
    if (rc != CHORUS_OK && *errmsg_out == NULL)
        *errmsg_out = strdup("cannot recover the MVCC log");
    return rc;
}

/* --- checkpoints (VM8) and the stock-sqlite3 header guard (VM7) -------------- */

static mv_sync sync_level(const vm_db *db);

/* Commits page 1 with the MVCC header mode on or off (pager R17). */
static int
header_set(vm_db *db, bool on, int busy_ms)
{
    pager_tx *wtx;
    int rc = pager_tx_begin_write(db->pager, busy_ms, NULL, &wtx);

    if (rc != CHORUS_OK)
        return rc;
    rc = btree_init_database(wtx);
    if (rc == CHORUS_OK)
        rc = pager_tx_set_mvcc_header(wtx, on);
    if (rc == CHORUS_OK)
        rc = pager_tx_commit(wtx);
    else
        pager_tx_rollback(wtx);
    return rc;
}

/*
 * VM7: the header back to 2 when the log is empty. Order: the writer lock
 * (so no header change races ours), then the commit fence held (no commit
 * can add a frame while we look, and the next one re-arms the header:
 * commit_logged), then the check. *is_empty_out says whether it was done.
 */
static int
header_clean(vm_db *db, int busy_ms, bool *is_empty_out)
{
    mv_log *log = store_mvcc_log(db->store);
    pager_tx *wtx;
    int rc = pager_tx_begin_write(db->pager, busy_ms, NULL, &wtx);

    *is_empty_out = false;
    if (rc != CHORUS_OK)
        return rc;
    mv_log_commits_hold(log);
    *is_empty_out = mv_log_is_empty(log);
    if (*is_empty_out && pager_mvcc_header(db->pager)) {
        rc = pager_tx_set_mvcc_header(wtx, false);
        if (rc == CHORUS_OK)
            rc = pager_tx_commit(wtx);
        else
            pager_tx_rollback(wtx);
    } else {
        pager_tx_rollback(wtx);
    }
    mv_log_commits_release(log);
    return rc;
}

int
vm_mvcc_checkpoint_all(vm_db *db, int busy_ms)
{
    store_checkpoint_info info;
    int rc = store_mvcc_checkpoint_run(db->store, db->pager, busy_ms, true, &info);

    return rc == CHORUS_OK && info.busy ? CHORUS_BUSY : rc;
}

/* Commits the open MVCC transaction. One that wrote (its savepoint mark,
 * the length of its write list, is not 0: mvcc R18) may append a frame, so
 * it runs inside the commit fence with the header armed (VM7), and may
 * then run the automatic checkpoint (VM8). */
static int
commit_logged(vm_conn *conn)
{
    vm_db *db = conn->db;
    mv_log *log = store_mvcc_log(db->store);
    bool writes = mv_tx_savepoint(conn->mvtx) > 0;
    int rc = CHORUS_OK;

    if (!writes)
        return store_tx_commit(&conn->stx, sync_level(db));       /* message: S4 */
    for (;;) {
        mv_log_commit_enter(log);
        if (pager_mvcc_header(db->pager))
            break;
        mv_log_commit_leave(log);
        rc = header_set(db, true, conn->busy_ms);
        if (rc != CHORUS_OK) {
            mv_tx_rollback(conn->mvtx);
            return rc;
        }
    }
    rc = store_tx_commit(&conn->stx, sync_level(db));
    mv_log_commit_leave(log);
    if (rc == CHORUS_OK)
        vm_checkpointer_commit_done(db, conn->busy_ms);         /* VM8 */
    return rc;
}

/* Leaving MVCC mode or closing (no transaction is open): every commit into
 * the B-tree, the log emptied, the header back to 2 (VM7). */
static int
checkpoint_clean(vm_db *db)
{
    bool is_empty;
    int rc = vm_mvcc_checkpoint_all(db, 5000);

    if (rc == CHORUS_OK)
        rc = header_clean(db, 5000, &is_empty);
    if (rc == CHORUS_OK && !is_empty)
        rc = CHORUS_BUSY;       /* a transaction still runs: VM3 was broken */
    return rc;
}

void
vm_mvcc_close(vm_db *db)
{
    if (!vm_mvcc_on(db))
        return;
    vm_checkpointer_stop(db);
    checkpoint_clean(db);
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

/* VM6: whether a full checkpoint (VM4) may have written commits newer than
 * the snapshot into the B-tree snapshot just begun (mvcc.h). */
static bool
base_too_new(mv_db *mv, uint64_t seq_before)
{
    return (seq_before & 1) != 0 || mv_db_full_checkpoint_seq(mv) != seq_before;
}

int
vm_mvcc_tx_begin(vm_conn *conn, bool exclusive)
{
    vm_db *db = conn->db;
    mv_db *mv = store_db_mvcc(db->store);
    int rc = CHORUS_OK;

    if (conn->mvtx != NULL && conn->mvtx_gen != db->mvcc_gen) {
        mv_tx_discard(conn->mvtx);              /* VM3: made by a closed version store */
        conn->mvtx = NULL;
    }
    if (conn->mvtx == NULL) {
        rc = mv_tx_new(mv, &conn->mvtx);
        conn->mvtx_gen = db->mvcc_gen;
    }
    if (rc != CHORUS_OK)
        return rc;
    mv_tx_set_wait(conn->mvtx, conn->busy_ms, &conn->interrupt);
    for (;;) {
        uint64_t seq = mv_db_full_checkpoint_seq(mv);
        rc = exclusive ? mv_tx_begin_exclusive(conn->mvtx) : mv_tx_begin(conn->mvtx);
        if (rc != CHORUS_OK)
            return rc;
        rc = pager_tx_begin_read(db->pager, &conn->tx);
        if (rc != CHORUS_OK) {
            conn->tx = NULL;
            mv_tx_rollback(conn->mvtx);
            return rc;
        }
        if (!base_too_new(mv, seq))
            break;
        pager_tx_rollback(conn->tx);            /* VM6: take both snapshots again */
        conn->tx = NULL;
        mv_tx_rollback(conn->mvtx);
        sched_yield();
    }
    store_tx_clear(&conn->stx);                 /* the last transaction's message */
    store_tx_init(&conn->stx, db->store, conn->tx, conn->mvtx);
    return CHORUS_OK;
}

void
vm_mvcc_conn_close(vm_conn *conn)
{
    if (conn->stx.mv != NULL)
        vm_tx_end(conn, false, NULL);
    if (conn->mvtx != NULL && conn->mvtx_gen != conn->db->mvcc_gen)
        mv_tx_discard(conn->mvtx);
    else
        mv_tx_free(conn->mvtx);
    conn->mvtx = NULL;
}

int
vm_mvcc_make_exclusive(vm_conn *conn)
{
    return mv_tx_make_exclusive(conn->mvtx);
}

int
vm_mvcc_commit_wait(vm_conn *conn)
{
    return mv_tx_wait_exclusive(conn->mvtx);
}

/* VM4: the transaction's own row writes into its pager write transaction
 * (a DDL about to read them, or the commit). */
static int
write_own(vm_conn *conn)
{
    if (mv_tx_savepoint(conn->mvtx) == 0)
        return CHORUS_OK;
    return store_mvcc_write_own(conn->db->store, conn->tx, conn->mvtx);
}

/* VM4: the schema change's B-tree commit, holding its own row writes too,
 * durable before the version store commit can append its frame. The seq
 * goes odd first (VM6); the version store commit or rollback ends it. A
 * failed sync still leaves the B-tree committed: the rows then commit too. */
static int
base_commit(vm_conn *conn, bool *committed_out)
{
    int rc = write_own(conn);

    *committed_out = false;
    if (rc != CHORUS_OK) {
        pager_tx_rollback(conn->tx);
        return rc;
    }
    mv_tx_mark_base_ahead(conn->mvtx);
    rc = pager_tx_commit(conn->tx);
    *committed_out = rc == CHORUS_OK;
    if (rc == CHORUS_OK)
        rc = pager_wal_sync(conn->db->pager);
    return rc;
}

int
vm_mvcc_tx_end(vm_conn *conn, bool commit)
{
    int rc = CHORUS_OK, rc_rows;

    if (conn->tx != NULL && pager_tx_is_write(conn->tx) && commit) {
        rc = base_commit(conn, &commit);        /* VM4: the schema and own rows, then the log */
    } else if (conn->tx != NULL) {
        pager_tx_rollback(conn->tx);
    }
    conn->tx = NULL;
    if (commit) {
        rc_rows = commit_logged(conn);                              /* VM7, VM8 */
        rc = rc == CHORUS_OK ? rc_rows : rc;
    } else {
        mv_tx_rollback(conn->mvtx);
    }
    conn->stx.mv = NULL;
    conn->stx.pager = NULL;
    return rc;
}

/* VM4: every commit into the B-tree, in a pager transaction of its own
 * that commits before the schema change's. The caller is the exclusive
 * writer, so no commit runs and the clock is the newest commit. It holds
 * the log's checkpoint lock throughout, before the writer lock (mvcc
 * README, "Lock order"), as every checkpoint does: an online checkpoint
 * that committed its B-tree before ours but sets its mark and GC's pending
 * checkpoint (gc.c G5) after ours would otherwise interleave with our
 * mv_gc_set_checkpoint_ts, pairing our checkpoint with its earlier clock
 * tick: chains would be removed (G4) while snapshots that began before our
 * B-tree commit still read them. */
static int
full_checkpoint(vm_conn *conn)
{
    vm_db *db = conn->db;
    mv_db *mv = store_db_mvcc(db->store);
    mv_log *log = store_mvcc_log(db->store);
    mv_tx *scratch;
    pager_tx *wtx;
    uint64_t ts = 0;
    int rc = mv_tx_new(mv, &scratch);

    if (rc != CHORUS_OK)
        return rc;
    mv_log_checkpoint_lock(log, true);
    rc = pager_tx_begin_write(db->pager, conn->busy_ms, &conn->interrupt, &wtx);
    if (rc == CHORUS_OK) {
        rc = btree_init_database(wtx);
        if (rc == CHORUS_OK)
            rc = store_mvcc_checkpoint_upto(db->store, wtx, scratch, mv_db_clock(mv), &ts);
        mv_db_full_checkpoint_mark(mv);         /* VM6: odd around the commit */
        if (rc == CHORUS_OK)
            rc = pager_tx_commit(wtx);
        else
            pager_tx_rollback(wtx);
        mv_db_full_checkpoint_mark(mv);
    }
    if (rc == CHORUS_OK)
        rc = pager_wal_sync(db->pager);         /* store MM5: durable before the mark */
    if (rc == CHORUS_OK)
        rc = store_mvcc_checkpoint_done(db->store, ts, sync_level(db), false);
    mv_log_checkpoint_unlock(log);
    mv_tx_free(scratch);
    return rc;
}

/* VM4: the version maps a schema change makes stale: the trees it drops
 * or rewrites (their roots may be reused). All their commits are in the
 * B-tree by now; older transactions that open them fail (mvcc R21). */
static void
drop_stale_maps(vm_stmt *st)
{
    const ast_stmt *a = st->ast;
    const catalog *cat = st->conn->cat;
    mv_db *mv = store_db_mvcc(st->conn->db->store);
    const catalog_table *t = NULL;

    if (a->kind == STMT_VACUUM) {
        mv_db_drop_maps(mv);
        return;
    }
    if (a->kind == STMT_DROP && a->u.drop.what == AST_DROP_INDEX) {
        const catalog_index *idx = catalog_index_find(cat, a->u.drop.name);
        if (idx != NULL)
            mv_db_drop_map(mv, idx->root, true);
        return;
    }
    if (a->kind == STMT_DROP && a->u.drop.what == AST_DROP_TABLE)
        t = catalog_table_find(cat, a->u.drop.name);
    else if (a->kind == STMT_ALTER && a->u.alter.action == AST_ALTER_DROP_COLUMN)
        t = catalog_table_find(cat, a->u.alter.table);
    if (t == NULL)
        return;
    mv_db_drop_map(mv, t->root, false);
    for (int i = 0; i < catalog_index_count(cat); i++)
        if (catalog_index_at(cat, i)->table == t)
            mv_db_drop_map(mv, catalog_index_at(cat, i)->root, true);
}

int
vm_mvcc_ddl_begin(vm_stmt *st)
{
    vm_conn *conn = st->conn;
    int rc;

    if (conn->tx_concurrent)
        return vm_run_error(&st->run, CHORUS_ERROR, "cannot change the schema inside "
                            "BEGIN CONCURRENT (use BEGIN or BEGIN IMMEDIATE)");
    if (conn->tx != NULL && pager_tx_is_write(conn->tx)) {
        rc = write_own(conn);                   /* the rest was checkpointed when it began */
        if (rc != CHORUS_OK)
            return vm_run_error(&st->run, rc, "%s", chorus_errstr(rc));
        drop_stale_maps(st);
        return CHORUS_OK;
    }
    if (conn->n_active > 0)
        return vm_run_error(&st->run, CHORUS_LOCKED, "database table is locked: cannot "
                            "change the schema while statements of the transaction run");
    rc = vm_tx_count(conn);
    if (rc == CHORUS_OK && conn->stx.mv == NULL)
        rc = vm_mvcc_tx_begin(conn, true);
    else if (rc == CHORUS_OK)
        rc = vm_mvcc_make_exclusive(conn);
    if (rc == CHORUS_OK) {
        pager_tx_rollback(conn->tx);            /* its B-tree snapshot is about to age */
        conn->tx = NULL;
        rc = full_checkpoint(conn);
    }
    if (rc == CHORUS_OK)
        rc = pager_tx_begin_write(conn->db->pager, conn->busy_ms, &conn->interrupt, &conn->tx);
    if (rc == CHORUS_OK) {
        rc = vm_tx_savepoints_to_pager(conn);   /* tx.c T6, before the own writes */
        if (rc == CHORUS_OK)
            rc = write_own(conn);
        if (rc != CHORUS_OK) {
            pager_tx_rollback(conn->tx);
            for (int i = 0; i < conn->n_sp; i++)
                conn->sp[i].id = -1;            /* T6: that pager transaction is gone */
        }
    }
    if (rc != CHORUS_OK) {
        conn->tx = NULL;
        if (conn->explicit_tx && conn->stx.mv != NULL)
            conn->tx_doomed = true;             /* no B-tree snapshot any more */
        return vm_run_error(&st->run, rc, "%s", rc == CHORUS_BUSY ? "database is locked"
                                                                  : chorus_errstr(rc));
    }
    store_tx_clear(&conn->stx);
    store_tx_init(&conn->stx, conn->db->store, conn->tx, conn->mvtx);
    mv_tx_mark_schema_change(conn->mvtx);       /* mvcc R21 */
    drop_stale_maps(st);
    return CHORUS_OK;
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
switch_to(vm_stmt *st, bool to_mvcc)
{
    vm_db *db = st->conn->db;
    char *path;
    int rc;

    if (!to_mvcc) {
        mv_tx_free(st->conn->mvtx);
        st->conn->mvtx = NULL;
        vm_checkpointer_stop(db);
        rc = checkpoint_clean(db);
        if (rc == CHORUS_OK) {
            rc = store_mvcc_close(db->store);
            pthread_mutex_lock(&db->mu);
            db->mvcc_gen++;                     /* every other mv_tx is stale now */
            pthread_mutex_unlock(&db->mu);
        }
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

/* VM3: no transaction of any connection is open, and none starts, while
 * the mode changes (tx.c vm_tx_count). */
static int
switch_mode(vm_stmt *st, bool to_mvcc)
{
    vm_conn *conn = st->conn;
    vm_db *db = conn->db;
    bool busy;
    int rc;

    if (conn->tx != NULL || conn->explicit_tx)
        return vm_run_error(&st->run, CHORUS_ERROR,
                            "cannot change into or out of mvcc mode from within a transaction");
    pthread_mutex_lock(&db->mu);
    busy = db->n_open_tx > 0 || db->mode_switching;
    db->mode_switching = !busy;
    pthread_mutex_unlock(&db->mu);
    if (busy)
        return vm_run_error(&st->run, CHORUS_BUSY, "database is locked: cannot change into or "
                            "out of mvcc mode while another connection has a transaction open");
    rc = switch_to(st, to_mvcc);
    pthread_mutex_lock(&db->mu);
    db->mode_switching = false;
    pthread_mutex_unlock(&db->mu);
    return rc;
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

/* --- PRAGMA wal_checkpoint in MVCC mode (VM8) ------------------------------------ */

static const char *const checkpoint_cols[] = {"busy", "log", "checkpointed"};

/* One row as SQLite's: busy, frames in the log, frames now in the B-tree. */
static int
checkpoint_answer(vm_stmt *st, bool busy, int64_t n_frames, int64_t n_done)
{
    catalog_result *r = &st->pres;

    r->n_cols = 3;
    r->col_names = checkpoint_cols;
    r->cells = calloc(3, sizeof(value));
    if (r->cells == NULL)
        return CHORUS_NOMEM;
    r->n_rows = 1;
    r->cap_rows = 1;
    value_set_int(&r->cells[0], busy);
    value_set_int(&r->cells[1], n_frames);
    value_set_int(&r->cells[2], n_done);
    return CHORUS_OK;
}

/*
 * PASSIVE tries the checkpoint without waiting; FULL and RESTART wait for a
 * running one and for the writer lock (busy_timeout); TRUNCATE also sets the
 * header back to 2 when the log is left empty and checkpoints the WAL into
 * the database file, so that sqlite3 opens it (VM7); it answers busy = 1
 * when commits remain in the log (a live snapshot held the horizon back, or
 * commits arrived meanwhile) or readers kept the WAL.
 */
int
vm_mvcc_checkpoint_pragma(vm_stmt *st, bool *handled)
{
    static const char *const modes[] = {"passive", "full", "restart", "truncate"};
    const ast_pragma *p = &st->ast->u.pragma;
    const char *word = arg_word(p);
    vm_conn *conn = st->conn;
    vm_db *db = conn->db;
    store_checkpoint_info info;
    int mode = PAGER_CKPT_PASSIVE, rc;
    bool is_empty = false;

    *handled = false;
    if (strcasecmp(p->name, "wal_checkpoint") != 0 || !vm_mvcc_on(db)
        || (p->schema != NULL && strcasecmp(p->schema, "main") != 0))
        return CHORUS_OK;
    *handled = true;
    for (int i = 0; word != NULL && i < 4; i++)
        if (strcasecmp(word, modes[i]) == 0)
            mode = i;
    if (conn->tx != NULL || conn->explicit_tx)
        return vm_run_error(&st->run, CHORUS_ERROR,
                            "cannot checkpoint in mvcc mode from within a transaction");
    rc = store_mvcc_checkpoint_run(db->store, db->pager,
                                   mode == PAGER_CKPT_PASSIVE ? 0 : conn->busy_ms,
                                   mode != PAGER_CKPT_PASSIVE, &info);
    if (rc == CHORUS_OK && !info.busy && mode == PAGER_CKPT_TRUNCATE) {
        rc = header_clean(db, conn->busy_ms, &is_empty);
        if (rc == CHORUS_OK && is_empty)
            rc = pager_checkpoint(db->pager, PAGER_CKPT_TRUNCATE, NULL, NULL);
        if (rc == CHORUS_BUSY || (rc == CHORUS_OK && !is_empty)) {
            info.busy = true;
            rc = CHORUS_OK;
        }
    }
    if (rc != CHORUS_OK)
        return rc;
    return checkpoint_answer(st, info.busy, info.n_frames, info.n_frames - info.n_kept);
}
