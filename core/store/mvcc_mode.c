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
 * Locking: none beyond the store_db's; the caller serialises open, close and
 * checkpoints (one pager write transaction at a time does that for
 * checkpoints).
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
} replay_ctx;

static int
replay_index(void *ctx, uint32_t object, const char **name_out, mv_key_compare *compare_out,
             void **compare_ctx_out)
{
    replay_ctx *r = ctx;
    key_info *ki;
    int rc = store_db_index_ctx(r->db, object, NULL, &ki);

    if (rc != CHORUS_OK)
        return rc;
    *name_out = NULL;
    *compare_out = store_index_compare;
    *compare_ctx_out = ki;
    return CHORUS_OK;
}

static int
replay_frame(void *ctx, const mv_log_frame *frame)
{
    replay_ctx *r = ctx;
    return mv_replay_frame(r->mv, frame, replay_index, r);
}

int
store_mvcc_open(store_db *db, const char *log_path, const mv_log_options *opts,
                store_index_info_fn info, void *ctx, mv_log_recovery *rec_out)
{
    mv_log_recovery rec;
    replay_ctx r = {db, NULL};
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
    mv_gc_set_checkpoint_ts(r.mv, rec.checkpoint_ts);
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
ckpt_cursor(ckpt_ctx *c, uint32_t root, bool is_index, btree_cursor **out)
{
    key_info *ki = NULL;
    int rc;

    for (int i = 0; i < c->n; i++)
        if (c->open[i].root == root && (c->open[i].ki != NULL) == is_index) {
            *out = c->open[i].cur;
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
    return CHORUS_OK;
}

/* Deletes the index record c->rec from cur's tree if it is there (MM2). */
static int
index_remove(ckpt_ctx *c, btree_cursor *cur)
{
    value probe[KEY_INFO_MAX + 1];
    record_cursor rc_rec;
    const uint8_t *data;
    uint32_t n;
    bool eof;
    int rc;

    record_cursor_init(&rc_rec);
    rc = record_cursor_parse(&rc_rec, c->rec.p, c->rec.n);
    for (int i = 0; rc == CHORUS_OK && i < rc_rec.n_cols && i <= KEY_INFO_MAX; i++)
        record_cursor_column(&rc_rec, i, &probe[i]);
    if (rc == CHORUS_OK)
        rc = btree_seek_key(cur, probe, rc_rec.n_cols, BTREE_SEEK_GE, &eof);
    record_cursor_free(&rc_rec);
    if (rc != CHORUS_OK || eof)
        return rc;
    rc = btree_payload(cur, &data, &n);
    if (rc == CHORUS_OK && n == c->rec.n && memcmp(data, c->rec.p, n) == 0)
        rc = btree_delete(cur);
    return rc;
}

static int
ckpt_apply(void *ctx, const mv_log_record *r)
{
    ckpt_ctx *c = ctx;
    bool is_index = r->op == MV_LOG_INDEX_PUT || r->op == MV_LOG_INDEX_DELETE;
    btree_cursor *cur;
    bool eof, exact;
    int rc = ckpt_cursor(c, r->object, is_index, &cur);

    if (rc != CHORUS_OK)
        return rc;
    switch (r->op) {
    case MV_LOG_ROW_PUT:
        return btree_insert(cur, r->rowid, r->data, r->nbytes);
    case MV_LOG_ROW_DELETE:
        rc = btree_seek_rowid(cur, r->rowid, BTREE_SEEK_GE, &eof, &exact);
        return rc == CHORUS_OK && exact ? btree_delete(cur) : rc;
    default:
        rc = store_key_join(r->data, r->nbytes, r->rowid, &c->rec);
        if (rc != CHORUS_OK)
            return rc;
        if (r->op == MV_LOG_INDEX_PUT)
            return btree_index_insert(cur, c->rec.p, c->rec.n);
        return index_remove(c, cur);
    }
}

int
store_mvcc_checkpoint(store_db *db, pager_tx *wtx, mv_tx *scratch, uint64_t *ts_out)
{
    ckpt_ctx c;
    uint64_t upto, after;
    int rc;

    *ts_out = 0;
    if (db->mv == NULL)
        return CHORUS_MISUSE;
    memset(&c, 0, sizeof c);
    c.db = db;
    c.wtx = wtx;
    upto = mv_checkpoint_horizon(db->mv);
    after = store_mvcc_checkpoint_ts(db);
    rc = upto > after ? mv_checkpoint_scan(scratch, after, upto, ckpt_apply, &c) : CHORUS_OK;
    for (int i = 0; i < c.n; i++)
        btree_cursor_close(c.open[i].cur);
    store_buf_free(&c.rec);
    if (rc == CHORUS_OK)
        *ts_out = upto > after ? upto : after;
    return rc;
}

int
store_mvcc_checkpoint_done(store_db *db, uint64_t ts, bool reset_log)
{
    int rc;

    if (db->log == NULL)
        return CHORUS_MISUSE;
    rc = mv_log_checkpoint(db->log, ts);                    /* MM3 */
    if (rc != CHORUS_OK)
        return rc;
    /* Relaxed: see the field. */
    atomic_store_explicit(&db->checkpoint_ts, ts, memory_order_relaxed);
    if (reset_log) {
        mv_gc_set_checkpoint_ts(db->mv, ts);
        rc = mv_log_reset(db->log);
    }
    return rc;
}
