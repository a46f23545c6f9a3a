/*
 * mvcc/checkpoint.c: what a checkpoint copies from the version store into
 * the B-tree (mvcc R17): its horizon, and the per-key final images between
 * the previous checkpoint and that horizon; and the clock after recovery,
 * which must sort above every timestamp the log still holds.
 *
 * Invariants
 *   CK1 The horizon is read as GC reads its live-snapshot set (clock first,
 *       then the slots, waiting out PENDING snapshots: mvcc R3), so a
 *       transaction that starts during the scan has a snapshot >= it.
 *   CK2 The scan walks every map inside an epoch section of the lending
 *       transaction; a version found there stays readable until the section
 *       ends (mvcc R11), which covers the callback.
 * Locking: none of its own; writers and readers keep running.
 * Callers: core/store (checkpoint).
 */
#include <sched.h>
#include <stdlib.h>

#include "mvcc_int.h"

void
mv_checkpoint_recovered(mv_db *db, const mv_log_recovery *rec)
{
    uint64_t top = rec->max_ts > rec->checkpoint_ts ? rec->max_ts : rec->checkpoint_ts;

    /* Relaxed: recovery runs alone (mv_replay_frame's rule); the store is
     * published to other threads after this. */
    if (atomic_load_explicit(&db->clock, memory_order_relaxed) < top)
        atomic_store_explicit(&db->clock, top, memory_order_relaxed);
    /* No snapshot exists yet, so the mark is GC's at once (gc.c G5). */
    atomic_store_explicit(&db->checkpoint_ts, rec->checkpoint_ts, memory_order_relaxed);
}

uint64_t
mv_checkpoint_horizon(mv_db *db)
{
    /* Seq_cst: as snapset_compute() in gc.c (CK1). */
    uint64_t horizon = atomic_load_explicit(&db->clock, memory_order_seq_cst);

    for (uint32_t c = 0; c < MV_SLOT_CHUNKS; c++) {
        mv_slot *chunk = atomic_load_explicit(&db->slot_chunks[c], memory_order_acquire);
        if (chunk == NULL)
            break;
        for (uint32_t i = 0; i < MV_SLOTS_PER_CHUNK; i++) {
            /* Seq_cst: pairs with the PENDING store in mv_clock_snapshot(). */
            uint64_t s = atomic_load_explicit(&chunk[i].snapshot, memory_order_seq_cst);
            while (s == MV_SNAP_PENDING) {
                sched_yield();
                s = atomic_load_explicit(&chunk[i].snapshot, memory_order_acquire);
            }
            if (s != MV_SNAP_NONE && s < horizon)
                horizon = s;
        }
    }
    return horizon;
}

/* The newest version of node committed at or below upto, or NULL. */
static mv_version *
newest_upto(mv_db *db, mv_node *node, uint64_t upto, uint64_t *ts_out)
{
    for (mv_version *v = mv_node_head(node); v != NULL;
         v = atomic_load_explicit(&v->older, memory_order_acquire)) {
        /* Acquire: pairs with the release rewrite of the stamp (mvcc R7). */
        uint64_t b = atomic_load_explicit(&v->begin, memory_order_acquire);
        mv_resolved r = mv_stamp_settle(db, &v->begin, b, upto);
        if (r.kind == MV_TX_COMMITTED && r.ts != MV_STAMP_INF && r.ts <= upto) {
            *ts_out = r.ts;
            return v;
        }
    }
    return NULL;
}

static int
scan_map(mv_db *db, mv_map *map, uint64_t after, uint64_t upto, mv_checkpoint_fn fn, void *ctx)
{
    for (mv_node *n = mv_skip_first(map); n != NULL; n = mv_skip_next(map, n)) {
        uint64_t ts = 0;
        mv_version *v = newest_upto(db, n, upto, &ts);
        mv_log_record rec;
        int rc;

        if (v == NULL || ts <= after)
            continue;
        mv_log_record_of(map, n, v, &rec);
        rc = fn(ctx, &rec);
        if (rc != CHORUS_OK)
            return rc;
    }
    return CHORUS_OK;
}

int
mv_checkpoint_scan(mv_tx *tx, uint64_t after_ts, uint64_t upto_ts, mv_checkpoint_fn fn,
                   void *ctx)
{
    mv_map **maps;
    uint32_t n_maps;
    int rc;

    mv_epoch_enter(tx);                     /* CK2; before the list (store.c D2, D3) */
    rc = mv_db_maps(tx->db, &maps, &n_maps);
    if (rc != CHORUS_OK) {
        mv_epoch_leave(tx);
        return rc;
    }
    for (uint32_t i = 0; i < n_maps && rc == CHORUS_OK; i++)
        rc = scan_map(tx->db, maps[i], after_ts, upto_ts, fn, ctx);
    mv_epoch_leave(tx);
    free(maps);
    return rc;
}
