/*
 * core/store/mvcc_mode.c: the life of MVCC mode under the storage seam:
 * opening it (version store + logical log, recovery replaying the log into
 * the store), closing it, and checkpoints that write committed versions into
 * the B-tree (DESIGN.md, "MVCC mode": durability, recovery, checkpoint).
 *
 * Invariants
 *   MM1 Recovery replays into a fresh version store before it is attached:
 *       no transaction can see a half-replayed store (mvcc R16).
 *   MM2 A checkpoint writes, per key, the final image at its horizon (mvcc
 *       R17) with the B-tree path's own calls (insert replaces; deletes of
 *       keys the B-tree lacks are no-ops), so applying it twice is harmless:
 *       a crash between the B-tree commit and the log mark only replays
 *       frames whose effect the B-tree already has.
 *   MM3 The checkpoint mark follows the B-tree commit: the log never claims
 *       more than the B-tree holds.
 *   MM4 After recovery the clock is above every timestamp the log holds
 *       and its mark (mv_checkpoint_recovered), so commits made after a
 *       reopen are never taken for checkpointed ones.
 *   MM5 The mark and the log truncation follow a durable B-tree commit
 *       (pager_wal_sync), so a crash never loses a commit whose frame is
 *       dropped from the log.
 *   MM6 An online checkpoint (store_mvcc_checkpoint_run) writes every
 *       commit up to the clock, past older live snapshots, so a long reader
 *       does not hold the mark, and so the log, back: the reader keeps the
 *       B-tree snapshot it began with (older than this commit) and the store
 *       keeps the versions it reads (mvcc R11; chains go only once no older
 *       snapshot remains, R11c). Its B-tree commit is bracketed by
 *       mv_db_full_checkpoint_mark (odd around it), so a transaction whose
 *       B-tree snapshot began across it begins again (core/vm/mvcc_mode.c
 *       VM6). Brackets never interleave: this one and a schema change's
 *       full checkpoint hold the pager's writer lock; a schema change's own
 *       bracket (from its B-tree commit until its store commit is visible,
 *       mvcc R21) is open when the count is odd under that lock, and then
 *       the checkpoint stops at the oldest live snapshot instead.
 *   MM7 A checkpoint whose scan compared index keys under an application
 *       collation that the running thread's connection does not define
 *       (record/collation_user.c CU2: it would have compared as BINARY and
 *       misplaced entries) fails with CHORUS_ERROR before its B-tree commit,
 *       so the commits stay in the log for a checkpoint by a connection
 *       that defines it.
 *   MM8 A WITHOUT ROWID table's row (a keyed row put, or an index delete in
 *       its tree: key_info layout PK_ROW) replaces or removes the B-tree
 *       entry with its PRIMARY KEY columns, whatever the rest of that entry
 *       holds (at most one has them: catalog without_rowid.c WO1); its
 *       other indexes' entries (PK_SUFFIX) are inserted as they are and
 *       removed by comparing all their columns under the index's key_info
 *       (they end with the PK, so at most one entry compares equal).
 *   MM10 A checkpoint's B-tree never holds a commit whose frame is not in
 *       the log: a commit is visible (so the scan writes it) once its frame
 *       is queued (mvcc R7), not once it is written, so after the scan the
 *       log is flushed (and synced, unless synchronous is OFF) before the
 *       B-tree commits. Otherwise a crash after that B-tree commit and
 *       before its mark leaves a B-tree with a commit the log lacks, and
 *       recovery replays older frames of the same rows over it: that
 *       commit half undone (the stress harness's kill -9 rounds, B3).
 *   MM9 The scan's horizon is read from a snapshot that stays live until
 *       the scan ends (checkpoint_btree), so GC keeps, for every key, the
 *       version the scan must write (mvcc R11: a live snapshot keeps what
 *       it reads).
 * Locking: none beyond the store_db's; the caller serialises open and
 * close; checkpoints run one at a time under the log's checkpoint lock
 * (store_mvcc_checkpoint_run) or the pager's writer lock (step functions).
 * Ownership: in MVCC mode the store_db owns the mv_db and the mv_log.
 * Callers: the engine (journal_mode, open/close, checkpoints), tests.
 */
#include <stdlib.h>
#include <string.h>

#include "store_int.h"

/* --- open and recovery -------------------------------------------------------- */

typedef struct replay_ctx {
    store_db *db;
    mv_db *mv;
    char name[128];             /* of the map being opened (mv_replay_map_fn) */
} replay_ctx;

static int
replay_map(void *ctx, uint32_t object, bool is_index, const char **name_out,
           mv_key_compare *compare_out, mv_key_compare *same_unique_out, void **compare_ctx_out)
{
    replay_ctx *r = ctx;
    key_info fetched, *ki;
    int rc = r->db->info == NULL ? (is_index ? CHORUS_CORRUPT : CHORUS_OK)
                                 : r->db->info(r->db->info_ctx, object, is_index,
                                               is_index ? &fetched : NULL, r->name,
                                               sizeof r->name);

    if (rc == CHORUS_OK && is_index)
        rc = store_db_index_ctx(r->db, object, &fetched, &ki);
    if (rc != CHORUS_OK)
        return rc;
    *name_out = r->name[0] != 0 ? r->name : NULL;
    if (!is_index)
        return CHORUS_OK;
    *compare_out = store_index_compare;
    *same_unique_out = store_index_same_unique_fn(ki);
    *compare_ctx_out = ki;
    return CHORUS_OK;
}

static int
replay_frame(void *ctx, const mv_log_frame *frame)
{
    replay_ctx *r = ctx;
    return mv_replay_frame(r->mv, frame, replay_map, r);
}

int
store_mvcc_open(store_db *db, const char *log_path, const mv_log_options *opts,
                store_index_info_fn info, void *ctx, mv_log_recovery *rec_out)
{
    mv_log_recovery rec;
    replay_ctx r = {db, NULL, {0}};
    mv_log *log = NULL;
    int rc;

    if (db->mv != NULL)
        return CHORUS_MISUSE;
    db->info = info;
    db->info_ctx = ctx;
    rc = mv_db_open(0, &r.mv);
    if (rc == CHORUS_OK)
        rc = mv_log_open(log_path, opts, replay_frame, &r, &rec, &log);   /* MM1 */
    if (rc != CHORUS_OK) {
        mv_db_close(r.mv);
        db->info = NULL;
        return rc;
    }
    atomic_store_explicit(&db->checkpoint_ts, rec.checkpoint_ts, memory_order_relaxed);
    mv_checkpoint_recovered(r.mv, &rec);                        /* MM4 */
    mv_db_attach_log(r.mv, log);
    db->log = log;
    db->owns_mv = true;
    store_db_attach_mvcc(db, r.mv);
    if (rec_out != NULL)
        *rec_out = rec;
    return CHORUS_OK;
}

int
store_mvcc_close(store_db *db)
{
    mv_db *mv = db->mv;
    int rc = CHORUS_OK;

    if (mv == NULL || !db->owns_mv)
        return CHORUS_OK;
    store_db_attach_mvcc(db, NULL);
    mv_db_attach_log(mv, NULL);
    rc = mv_log_close(db->log);
    mv_db_close(mv);
    db->log = NULL;
    db->owns_mv = false;
    db->info = NULL;
    return rc;
}

mv_log *
store_mvcc_log(const store_db *db)
{
    return db->log;
}

uint64_t
store_mvcc_checkpoint_ts(const store_db *db)
{
    /* Relaxed: see the field. */
    return atomic_load_explicit(&((store_db *)db)->checkpoint_ts, memory_order_relaxed);
}

/* --- checkpoint ----------------------------------------------------------------- */

enum { CKPT_CURSORS = 16 };

/* The B-tree cursors of one checkpoint, one per tree touched (a few). */
typedef struct ckpt_ctx {
    store_db *db;
    pager_tx *wtx;
    int n;
    struct {
        uint32_t root;
        const key_info *ki;
        btree_cursor *cur;
    } open[CKPT_CURSORS];
    store_buf rec;              /* index record being written */
} ckpt_ctx;

static int
ckpt_cursor(ckpt_ctx *c, uint32_t root, bool is_index, btree_cursor **out,
            const key_info **ki_out)
{
    key_info *ki = NULL;
    int rc;

    for (int i = 0; i < c->n; i++)
        if (c->open[i].root == root && (c->open[i].ki != NULL) == is_index) {
            *out = c->open[i].cur;
            *ki_out = c->open[i].ki;
            return CHORUS_OK;
        }
    if (c->n == CKPT_CURSORS) {             /* recycle the oldest */
        btree_cursor_close(c->open[0].cur);
        memmove(&c->open[0], &c->open[1], (CKPT_CURSORS - 1) * sizeof c->open[0]);
        c->n--;
    }
    if (is_index && (rc = store_db_index_ctx(c->db, root, NULL, &ki)) != CHORUS_OK)
        return rc;
    rc = btree_cursor_open(c->wtx, root, ki, true, out);
    if (rc != CHORUS_OK)
        return rc;
    c->open[c->n].root = root;
    c->open[c->n].ki = ki;
    c->open[c->n].cur = *out;
    c->n++;
    *ki_out = ki;
    return CHORUS_OK;
}

/* Deletes from cur's tree (index ki) the entry rec if it is there, or
 * (by_key: WITHOUT ROWID trees, MM8) the entry whose leading columns
 * compare equal to rec's under ki (MM2). */
static int
index_remove(btree_cursor *cur, const key_info *ki, const uint8_t *rec, uint32_t nrec,
             bool by_key)
{
    value probe[KEY_INFO_MAX + 1];
    record_cursor rc_rec;
    const uint8_t *data;
    uint32_t n;
    bool eof = true;
    int cmp_rc, rc;

    record_cursor_init(&rc_rec);
    rc = record_cursor_parse(&rc_rec, rec, nrec);
    for (int i = 0; rc == CHORUS_OK && i < rc_rec.n_cols && i <= KEY_INFO_MAX; i++)
        record_cursor_column(&rc_rec, i, &probe[i]);
    if (rc == CHORUS_OK)
        rc = btree_seek_key(cur, probe, rc_rec.n_cols, BTREE_SEEK_GE, &eof);
    if (rc == CHORUS_OK && !eof)
        rc = btree_payload(cur, &data, &n);
    if (rc == CHORUS_OK && !eof &&
        (by_key ? record_compare_probe(ki, data, n, probe, rc_rec.n_cols, &cmp_rc) == 0 &&
                      cmp_rc == CHORUS_OK
                : n == nrec && memcmp(data, rec, n) == 0))
        rc = btree_delete(cur);
    record_cursor_free(&rc_rec);
    return rc;
}

static int
ckpt_apply(void *ctx, const mv_log_record *r)
{
    ckpt_ctx *c = ctx;
    bool is_index = r->op != MV_LOG_ROW_PUT && r->op != MV_LOG_ROW_DELETE;
    const key_info *ki;
    btree_cursor *cur;
    bool eof, exact;
    int rc = ckpt_cursor(c, r->object, is_index, &cur, &ki);

    if (rc != CHORUS_OK)
        return rc;
    if (is_index && (ki->layout == KEY_LAYOUT_PK_ROW ? r->op == MV_LOG_INDEX_PUT
                                                     : r->op == MV_LOG_KEYED_PUT))
        return CHORUS_CORRUPT_HERE();       /* a row where an entry belongs, or back */
    switch (r->op) {
    case MV_LOG_ROW_PUT:
        return btree_insert(cur, r->rowid, r->data, r->nbytes);
    case MV_LOG_ROW_DELETE:
        rc = btree_seek_rowid(cur, r->rowid, BTREE_SEEK_GE, &eof, &exact);
        return rc == CHORUS_OK && exact ? btree_delete(cur) : rc;
    case MV_LOG_KEYED_PUT:                  /* MM8 */
        rc = index_remove(cur, ki, r->key, r->nkey, true);
        return rc == CHORUS_OK ? btree_index_insert(cur, r->data, r->nbytes) : rc;
    default:
        if (ki->layout == KEY_LAYOUT_PK_ROW)
            return index_remove(cur, ki, r->data, r->nbytes, true);     /* MM8 */
        if (ki->layout == KEY_LAYOUT_PK_SUFFIX) {
            if (r->op == MV_LOG_INDEX_PUT)
                return btree_index_insert(cur, r->data, r->nbytes);
            return index_remove(cur, ki, r->data, r->nbytes, true);     /* MM8 */
        }
        rc = store_key_join(r->data, r->nbytes, r->rowid, &c->rec);
        if (rc != CHORUS_OK)
            return rc;
        if (r->op == MV_LOG_INDEX_PUT)
            return btree_index_insert(cur, c->rec.p, c->rec.n);
        return index_remove(cur, ki, c->rec.p, c->rec.n, false);
    }
}

int
store_mvcc_checkpoint(store_db *db, pager_tx *wtx, mv_tx *scratch, uint64_t *ts_out)
{
    *ts_out = 0;
    if (db->mv == NULL)
        return CHORUS_MISUSE;
    return store_mvcc_checkpoint_upto(db, wtx, scratch, mv_checkpoint_horizon(db->mv), ts_out);
}

int
store_mvcc_checkpoint_upto(store_db *db, pager_tx *wtx, mv_tx *scratch, uint64_t upto,
                           uint64_t *ts_out)
{
    ckpt_ctx c;
    uint64_t after;
    int rc;

    *ts_out = 0;
    if (db->mv == NULL)
        return CHORUS_MISUSE;
    memset(&c, 0, sizeof c);
    c.db = db;
    c.wtx = wtx;
    after = store_mvcc_checkpoint_ts(db);
    collation_user_missing_take();                          /* MM7: this scan's alone */
    rc = upto > after ? mv_checkpoint_scan(scratch, after, upto, ckpt_apply, &c) : CHORUS_OK;
    for (int i = 0; i < c.n; i++)
        btree_cursor_close(c.open[i].cur);
    store_buf_free(&c.rec);
    if (collation_user_missing_take() >= 0 && rc == CHORUS_OK)
        rc = CHORUS_ERROR;
    /* MM10: the frames of what the scan wrote reach the log (synced unless
     * synchronous is OFF) before the caller commits the B-tree. */
    if (rc == CHORUS_OK && db->log != NULL)
        rc = mv_log_flush(db->log, pager_synchronous(pager_tx_pager(wtx)) != PAGER_SYNC_OFF);
    if (rc == CHORUS_OK)
        *ts_out = upto > after ? upto : after;
    return rc;
}

int
store_mvcc_write_own(store_db *db, pager_tx *wtx, const mv_tx *tx)
{
    ckpt_ctx c;
    int rc;

    memset(&c, 0, sizeof c);
    c.db = db;
    c.wtx = wtx;
    rc = mv_tx_own_writes(tx, ckpt_apply, &c);
    for (int i = 0; i < c.n; i++)
        btree_cursor_close(c.open[i].cur);
    store_buf_free(&c.rec);
    return rc;
}

int
store_mvcc_checkpoint_done(store_db *db, uint64_t ts, mv_sync sync, bool reset_log)
{
    int rc;

    if (db->log == NULL)
        return CHORUS_MISUSE;
    rc = mv_log_checkpoint(db->log, ts, sync);              /* MM3 */
    if (rc != CHORUS_OK)
        return rc;
    /* Relaxed: see the field. */
    atomic_store_explicit(&db->checkpoint_ts, ts, memory_order_relaxed);
    mv_gc_set_checkpoint_ts(db->mv, ts);                    /* mvcc R11c, gc.c G5 */
    if (reset_log)
        rc = mv_log_reset(db->log);
    return rc;
}

/* --- a whole checkpoint, online (MM5) -------------------------------------------- *
 *
 * Outline of store_mvcc_checkpoint_run(): 1. the log's checkpoint lock (one
 * checkpoint at a time); 2. a pager write transaction (the writer lock,
 * within busy_ms); 3. the scan up to the horizon into the B-tree; 4. its
 * commit, and the WAL synced; 5. the mark, GC told (mvcc R11c); 6. the log
 * rewritten to hold only the commits above the mark (mvcc R19); 7. a full
 * GC pass, which drops what the B-tree now holds once no older snapshot
 * remains. Readers and writers keep running throughout.
 */

/* Steps 2-4 of store_mvcc_checkpoint_run(): writer lock taken as wtx. MM6:
 * up to the clock, past live snapshots, inside a full-checkpoint bracket,
 * unless a schema change's bracket is open (its B-tree commit is in, its
 * version store commit not yet visible): then up to the oldest snapshot.
 * MM9: "the clock" is scratch's snapshot, live during the scan: commits go
 * on, and GC (mvcc R11) would otherwise prune a key's newest version at or
 * below the horizon once a newer commit supersedes it, no live snapshot
 * reading it; the scan would then write nothing for that key while the log
 * is cut above the horizon, and a crash would lose that commit's write to
 * it (the rest of the commit being in the B-tree: half-applied). */
static int
checkpoint_btree(store_db *db, pager *p, pager_tx *wtx, mv_tx *scratch, uint64_t *ts_out)
{
    bool past_snapshots = (mv_db_full_checkpoint_seq(db->mv) & 1) == 0;
    uint64_t upto;
    int rc = mv_tx_begin(scratch);                          /* MM9 */

    if (rc != CHORUS_OK) {
        pager_tx_rollback(wtx);
        return rc;
    }
    upto = past_snapshots ? mv_tx_snapshot(scratch) : mv_checkpoint_horizon(db->mv);
    rc = btree_init_database(wtx);
    if (rc == CHORUS_OK)
        rc = store_mvcc_checkpoint_upto(db, wtx, scratch, upto, ts_out);
    mv_tx_rollback(scratch);
    if (past_snapshots)
        mv_db_full_checkpoint_mark(db->mv);                 /* odd around the commit */
    if (rc == CHORUS_OK)
        rc = pager_tx_commit(wtx);
    else
        pager_tx_rollback(wtx);
    if (past_snapshots)
        mv_db_full_checkpoint_mark(db->mv);
    if (rc == CHORUS_OK)
        rc = pager_wal_sync(p);                             /* MM5: durable before the mark */
    return rc;
}

int
store_mvcc_checkpoint_run(store_db *db, pager *p, int busy_ms, bool wait,
                          store_checkpoint_info *out)
{
    uint64_t before = store_mvcc_checkpoint_ts(db), ts = before;
    mv_log_truncation cut = {0};
    mv_tx *scratch = NULL;
    pager_tx *wtx;
    int rc;

    memset(out, 0, sizeof *out);
    if (db->mv == NULL || db->log == NULL)
        return CHORUS_MISUSE;
    /* 1 */
    if (!mv_log_checkpoint_lock(db->log, wait)) {
        out->busy = true;
        return CHORUS_OK;
    }
    rc = mv_tx_new(db->mv, &scratch);
    if (rc == CHORUS_OK) {
        rc = pager_tx_begin_write(p, busy_ms, NULL, &wtx);
        if (rc == CHORUS_BUSY) {
            out->busy = true;
            rc = CHORUS_OK;
        } else if (rc == CHORUS_OK) {
            /* 2, 3, 4 */
            rc = checkpoint_btree(db, p, wtx, scratch, &ts);
            /* 5 */
            if (rc == CHORUS_OK && ts > before)
                rc = store_mvcc_checkpoint_done(db, ts, pager_synchronous(p) == PAGER_SYNC_OFF
                                                               ? MV_SYNC_OFF : MV_SYNC_FULL,
                                                false);
            /* 6: only above the mark the log was last cut at (a rewrite
             * that failed before its rename left it, mvcc R19); else every
             * frame above it is still needed and the log was cut at it */
            if (rc == CHORUS_OK && ts > mv_log_cut_ts(db->log) && !mv_log_is_empty(db->log))
                rc = mv_log_truncate(db->log, ts, &cut);
            /* 7 */
            if (rc == CHORUS_OK)
                mv_gc_run(scratch);
        }
    }
    mv_tx_free(scratch);
    mv_log_checkpoint_unlock(db->log);
    out->ts = ts;
    out->n_frames = cut.n_frames;
    out->n_kept = cut.n_kept;
    out->log_bytes = mv_log_size(db->log);
    return rc;
}
