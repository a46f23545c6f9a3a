/*
 * mvcc/gc.c: garbage collection of versions no live snapshot can see
 * (mvcc R11), and removal of chains the B-tree already holds (mvcc R11c).
 *
 * The live-snapshot set is every open transaction's snapshot plus a horizon:
 * the clock when the set was taken, below which no later snapshot can fall.
 * A version [b, e) with committed stamps is garbage when e <= horizon and no
 * live snapshot S has b <= S < e; aborted versions are garbage at once. This
 * keeps what each snapshot reads, and nothing in between, so one long reader
 * does not make memory grow with the write rate (the test counts versions).
 *
 * Who collects: a committing transaction prunes the chains it wrote, with
 * the newest published set (refreshed every MV_SNAPSET_EVERY commits), and
 * mv_gc_run() prunes every chain. A stale set is safe: its horizon is
 * older, so it keeps more.
 *
 * Invariants
 *   G1  One pruner per chain: the node's gc_busy flag is taken with a
 *       try-lock; a busy chain is skipped, never waited for.
 *   G2  The head version is never unlinked by pruning (writers CAS it);
 *       only an aborted head is popped, by CAS.
 *   G3  Unlinked versions and removed nodes go to mv_retire().
 *   G4  A node is sealed only when its one version is committed at or below
 *       both the checkpoint timestamp and every live snapshot, so every
 *       reader finds the same row in the B-tree.
 *   G5  A checkpoint C becomes the checkpoint timestamp of G4 only once
 *       every live snapshot began after its B-tree commit: a transaction
 *       takes its snapshot before its B-tree read transaction (store
 *       README), so an older one may read a B-tree without C's writes.
 *       mv_gc_set_checkpoint_ts() ticks the clock after that commit (T);
 *       a snapshot >= T began after the tick, one below T before it. The
 *       set refresh promotes C once T <= every live snapshot and <= its
 *       horizon (later snapshots are >= the horizon). A newer pending
 *       checkpoint replaces an older one: an older one that is not yet
 *       promotable is held back by a snapshot that holds the newer back too.
 *
 *   G6  Each set refresh also reclaims the dropped maps no live snapshot
 *       can reach any more (store.c D3: dropped_at at or below the oldest
 *       snapshot and the horizon), so DROP TABLE/INDEX frees their versions
 *       within MV_SNAPSET_EVERY commits or at the next full pass.
 *
 * Locking: db->gc_mu (try-lock) serializes set refreshes and full passes;
 * gc_busy per node. Callers: mvcc/tx.c (after commit), the integration and
 * tests (mv_gc_run, mv_gc_set_checkpoint_ts).
 */
#include <sched.h>
#include <stdlib.h>

#include "mvcc_int.h"

#define MV_SNAPSET_EVERY 32

CK_EPOCH_CONTAINER(mv_snapset, entry, snapset_of_entry)

void
mv_gc_free_snapset(mv_snapset *set)
{
    free(set);
}

static void
snapset_free_cb(ck_epoch_entry_t *entry)
{
    free(snapset_of_entry(entry));
}

static int
cmp_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return x < y ? -1 : x > y;
}

/* Reads every slot's snapshot (mvcc R3, R11). NULL on no memory. */
static mv_snapset *
snapset_compute(mv_db *db)
{
    uint32_t cap = 64, n = 0;
    mv_snapset *set = malloc(sizeof *set + cap * sizeof(uint64_t));

    if (set == NULL)
        return NULL;
    /* Seq_cst (clock.c K2): read before the scan, so a transaction whose
     * slot we see without a snapshot will take one >= horizon. */
    set->horizon = atomic_load_explicit(&db->clock, memory_order_seq_cst);
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
            if (s == MV_SNAP_NONE)
                continue;
            if (n == cap) {
                mv_snapset *grown = realloc(set, sizeof *set + 2 * cap * sizeof(uint64_t));
                if (grown == NULL) {
                    free(set);
                    return NULL;
                }
                set = grown;
                cap *= 2;
            }
            set->snaps[n++] = s;
        }
    }
    set->n = n;
    qsort(set->snaps, n, sizeof(uint64_t), cmp_u64);
    return set;
}

/* G5: makes the pending checkpoint GC's once set shows no snapshot older
 * than its tick. gc_mu held. */
static void
checkpoint_promote(mv_db *db, const mv_snapset *set)
{
    /* Seq_cst, as the stores in mv_gc_set_checkpoint_ts(): if ts is a
     * newer checkpoint's, the second load of visible_at follows that
     * checkpoint's clearing store in the total order and differs. */
    uint64_t at = atomic_load_explicit(&db->ckpt_pending_visible_at, memory_order_seq_cst);
    uint64_t ts = atomic_load_explicit(&db->ckpt_pending_ts, memory_order_seq_cst);

    if (at == 0 || at > set->horizon || (set->n > 0 && at > set->snaps[0]))
        return;
    /* Seq_cst: as above; a changed value means a newer checkpoint is being
     * published: leave it for the next refresh. */
    if (atomic_load_explicit(&db->ckpt_pending_visible_at, memory_order_seq_cst) != at)
        return;
    /* Release: pairs with maybe_remove_node()'s acquire load. */
    if (ts > atomic_load_explicit(&db->checkpoint_ts, memory_order_relaxed))
        atomic_store_explicit(&db->checkpoint_ts, ts, memory_order_release);
    /* Relaxed CAS: only clears the slot; a newer checkpoint (changed at)
     * stays pending. */
    atomic_compare_exchange_strong_explicit(&db->ckpt_pending_visible_at, &at, 0,
                                            memory_order_relaxed, memory_order_relaxed);
}

/* Publishes a fresh set unless another thread is at it (G1 for the set). */
static void
snapset_refresh(mv_tx *tx)
{
    mv_db *db = tx->db;
    mv_snapset *set, *old;

    if (pthread_mutex_trylock(&db->gc_mu) != 0)
        return;
    set = snapset_compute(db);
    if (set != NULL) {
        checkpoint_promote(db, set);
        uint64_t oldest = set->n > 0 && set->snaps[0] < set->horizon ? set->snaps[0]
                                                                     : set->horizon;
        /* G6. Polling never blocks, so it may run inside the committer's
         * epoch section: it frees what earlier refreshes retired. */
        if (mv_db_reclaim_dropped(tx, oldest) > 0)
            ck_epoch_poll(tx->epoch);
        /* Acq_rel: release publishes the set's contents to the acquire load
         * in current_snapset(); acquire takes ownership of the old one. */
        old = atomic_exchange_explicit(&db->snapset, set, memory_order_acq_rel);
        if (old != NULL)
            ck_epoch_call(tx->epoch, &old->entry, snapset_free_cb);
        /* Relaxed: a heuristic counter. */
        atomic_store_explicit(&db->commits_since_snapset, 0, memory_order_relaxed);
    }
    pthread_mutex_unlock(&db->gc_mu);
}

static const mv_snapset *
current_snapset(mv_db *db)
{
    /* Acquire: pairs with snapset_refresh()'s exchange. */
    return atomic_load_explicit(&db->snapset, memory_order_acquire);
}

/* The committed timestamp in *field, or 0 when it is not (yet) one. */
static uint64_t
committed_ts(mv_db *db, _Atomic uint64_t *field)
{
    uint64_t s = atomic_load_explicit(field, memory_order_acquire);

    for (;;) {
        if (!mv_stamp_is_txid(s))
            return s;
        mv_resolved r = mv_stamp_resolve(db, s);
        if (r.kind != MV_RESOLVE_STALE)
            return r.kind == MV_TX_COMMITTED ? r.ts : 0;
        s = atomic_load_explicit(field, memory_order_acquire);
    }
}

/* mvcc R11: does some live snapshot S have b <= S < e? */
static bool
snapset_sees(const mv_snapset *set, uint64_t b, uint64_t e)
{
    uint32_t lo = 0, hi = set->n;

    while (lo < hi) {           /* first snapshot >= b */
        uint32_t mid = (lo + hi) / 2;
        if (set->snaps[mid] < b)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo < set->n && set->snaps[lo] < e;
}

static bool
version_is_garbage(mv_db *db, mv_version *v, const mv_snapset *set)
{
    uint64_t b, e;

    if (mv_version_is_aborted(db, v))
        return true;
    b = committed_ts(db, &v->begin);
    e = committed_ts(db, &v->end);
    if (b == 0 || e == 0 || e == MV_STAMP_INF || e > set->horizon)
        return false;
    return !snapset_sees(set, b, e);
}

/* Pops aborted versions off the head (G2); returns the head left, or NULL
 * when a writer got in first. */
static mv_version *
pop_aborted_head(mv_tx *tx, mv_node *node)
{
    uintptr_t h = atomic_load_explicit(&node->head, memory_order_acquire);

    while (h != 0 && !(h & MV_HEAD_SEALED) && mv_version_is_aborted(tx->db, (mv_version *)h)) {
        mv_version *v = (mv_version *)h;
        uintptr_t older = (uintptr_t)atomic_load_explicit(&v->older, memory_order_acquire);
        /* Release: pairs with mv_node_head()'s acquire. Failure: a writer
         * stacked over v; leave it for next time. */
        if (!atomic_compare_exchange_strong_explicit(&node->head, &h, older, memory_order_release,
                                                     memory_order_acquire))
            return NULL;
        MV_COUNT(tx->db, n_versions_live, -1);
        mv_retire(tx, v);
        h = older;
    }
    return (h & MV_HEAD_SEALED) ? NULL : (mv_version *)h;
}

/* G4: seals and removes a node whose one version every reader finds in the B-tree. */
static void
maybe_remove_node(mv_tx *tx, mv_map *map, mv_node *node, mv_version *head, const mv_snapset *set)
{
    mv_db *db = tx->db;
    uint64_t ckpt = atomic_load_explicit(&db->checkpoint_ts, memory_order_acquire);
    uint64_t b;

    if (ckpt == 0 || atomic_load_explicit(&head->older, memory_order_acquire) != NULL)
        return;
    if (!atomic_load_explicit(&node->linked, memory_order_acquire))
        return;     /* skiplist.c L3 */
    b = committed_ts(db, &head->begin);
    if (b == 0 || b == MV_STAMP_INF || b > ckpt || b > set->horizon)
        return;
    if (set->n > 0 && b > set->snaps[0])
        return;
    if (atomic_load_explicit(&head->end, memory_order_acquire) != MV_STAMP_INF)
        return;
    uintptr_t expected = (uintptr_t)head;
    /* Acq_rel: after this no writer publishes into node (they CAS an
     * unsealed head); readers that see the seal (acquire) skip the node. */
    if (!atomic_compare_exchange_strong_explicit(&node->head, &expected,
                                                 (uintptr_t)head | MV_HEAD_SEALED,
                                                 memory_order_acq_rel, memory_order_relaxed))
        return;
    mv_skip_remove(map, node);
    MV_COUNT(db, n_versions_live, -1);
    MV_COUNT(db, n_nodes, -1);
    mv_retire(tx, head);
    mv_retire(tx, (void *)((uintptr_t)node | 1));
}

void
mv_gc_prune_chain(mv_tx *tx, mv_map *map, mv_node *node, const mv_snapset *set)
{
    uint8_t idle = 0;
    mv_version *keep;

    /* Acquire: pairs with the release unlock of the previous pruner (G1). */
    if (!atomic_compare_exchange_strong_explicit(&node->gc_busy, &idle, 1, memory_order_acquire,
                                                 memory_order_relaxed))
        return;
    keep = pop_aborted_head(tx, node);
    if (keep != NULL) {
        mv_version *v = atomic_load_explicit(&keep->older, memory_order_acquire);
        while (v != NULL) {
            mv_version *older = atomic_load_explicit(&v->older, memory_order_acquire);
            if (version_is_garbage(tx->db, v, set)) {
                /* Release: readers that reach keep then follow older see
                 * a fully built version. Readers already on v go on from it. */
                atomic_store_explicit(&keep->older, older, memory_order_release);
                MV_COUNT(tx->db, n_versions_live, -1);
                mv_retire(tx, v);
            } else {
                keep = v;
            }
            v = older;
        }
        keep = pop_aborted_head(tx, node);
        if (keep != NULL)
            maybe_remove_node(tx, map, node, keep, set);
    }
    atomic_store_explicit(&node->gc_busy, 0, memory_order_release);
}

void
mv_gc_after_commit(mv_tx *tx)
{
    mv_db *db = tx->db;
    const mv_snapset *set;

    /* Relaxed: a heuristic counter. */
    if (atomic_fetch_add_explicit(&db->commits_since_snapset, 1, memory_order_relaxed) >=
            MV_SNAPSET_EVERY ||
        current_snapset(db) == NULL)
        snapset_refresh(tx);
    set = current_snapset(db);
    if (set == NULL)
        return;
    for (uint32_t i = 0; i < tx->n_writes; i++) {
        mv_write *w = &tx->writes[i];
        if (i > 0 && w->node == tx->writes[i - 1].node)
            continue;
        mv_gc_prune_chain(tx, w->map, w->node, set);
    }
}

void
mv_gc_run(mv_tx *tx)
{
    mv_db *db = tx->db;
    mv_map **maps;
    uint32_t n_maps;

    snapset_refresh(tx);
    mv_epoch_enter(tx);                 /* store.c D2: before the list of maps */
    if (mv_db_maps(db, &maps, &n_maps) != CHORUS_OK) {
        mv_epoch_leave(tx);
        return;
    }
    const mv_snapset *set = current_snapset(db);
    for (uint32_t i = 0; set != NULL && i < n_maps; i++) {
        for (mv_node *n = mv_skip_first(maps[i]); n != NULL;) {
            /* The successor is read first: pruning may remove n, whose
             * links then stay readable until the grace period ends. */
            mv_node *next = mv_skip_next(maps[i], n);
            mv_gc_prune_chain(tx, maps[i], n, set);
            n = next;
        }
    }
    mv_epoch_leave(tx);
    free(maps);
    mv_retire_flush(tx);
    ck_epoch_poll(tx->epoch);
}

void
mv_gc_set_checkpoint_ts(mv_db *db, uint64_t ts)
{
    /* G5. Seq_cst (a seqlock in one total order, see checkpoint_promote()):
     * visible_at 0 hides the slot while ts changes. */
    atomic_store_explicit(&db->ckpt_pending_visible_at, 0, memory_order_seq_cst);
    atomic_store_explicit(&db->ckpt_pending_ts, ts, memory_order_seq_cst);
    /* The tick is seq_cst (clock.c): after the B-tree commit that preceded
     * this call, before every snapshot that reads >= it. */
    uint64_t at = mv_clock_tick(db);
    atomic_store_explicit(&db->ckpt_pending_visible_at, at, memory_order_seq_cst);
}
