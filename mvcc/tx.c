/*
 * mvcc/tx.c: transaction contexts: slots, begin, commit, rollback, doom, and
 * the epoch record and retire bags each context owns.
 *
 * State diagram of one transaction (the slot's state word, mvcc R2, R6, R7):
 *
 *   mv_tx_begin()          mv_tx_commit()                       mv_tx_commit()
 *   ---------> ACTIVE ---> PREPARING(0) -> PREPARING(ts) ------> COMMITTED(ts)
 *                 |            (take ts)        | validate, log
 *                 |                              | (conflict, error)
 *                 +--> ABORTED <----------------+
 *       mv_tx_rollback(), mv_tx_doom() on a write conflict, or a CAS by
 *       the exclusive writer (a wound, mvcc R20: the owner then dooms
 *       itself at its next write or at commit)
 *
 * After COMMITTED the committer rewrites its stamps to ts (mvcc R7); after
 * ABORTED it sets its versions' begin to MV_STAMP_INF and restores the end
 * stamps it took. Only then does the slot get a new id (stamp.c S1).
 *
 * Invariants
 *   T1  A transaction's id is unique for the life of the mv_db: the slot's
 *       generation only grows, even when another mv_tx reuses the slot.
 *   T2  Every write the transaction published is in tx->writes, in order,
 *       so commit and abort can rewrite all of its stamps.
 *   T3  A commit becomes visible (COMMITTED) only after its frame has its
 *       place in the log (mvcc R12), so anything that reads it and then
 *       commits is behind it in the log.
 *
 * Locking: none on the commit path except the log's short enqueue mutex
 * and, only while an exclusive writer is open, the gate's wait (gate_mu, a
 * leaf; mvcc R20); no lock is held while waiting for the log.
 * Ownership: mv_tx owns its writes array, frame buffer, retire bag and epoch
 * record (the record itself stays with the mv_db, ck_epoch rules).
 * Callers: the integration (catalog row writes, cursors), tests.
 */
#include <errno.h>
#include <sched.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "mvcc_int.h"

CK_EPOCH_CONTAINER(mv_retire_bag, entry, bag_of_entry)

/* --- slots -------------------------------------------------------------- */

static mv_slot *
slot_chunk_create(mv_db *db, uint32_t c)
{
    mv_slot *chunk;

    pthread_mutex_lock(&db->mu);
    chunk = atomic_load_explicit(&db->slot_chunks[c], memory_order_acquire);
    if (chunk == NULL) {
        chunk = aligned_alloc(64, MV_SLOTS_PER_CHUNK * sizeof(mv_slot));
        if (chunk != NULL) {
            memset(chunk, 0, MV_SLOTS_PER_CHUNK * sizeof(mv_slot));
            for (int i = 0; i < MV_SLOTS_PER_CHUNK; i++)
                atomic_init(&chunk[i].snapshot, MV_SNAP_NONE);
            /* Release: pairs with mv_slot_get()'s acquire. */
            atomic_store_explicit(&db->slot_chunks[c], chunk, memory_order_release);
        }
    }
    pthread_mutex_unlock(&db->mu);
    return chunk;
}

static int
slot_claim(mv_db *db, uint32_t *index_out)
{
    for (uint32_t c = 0; c < MV_SLOT_CHUNKS; c++) {
        mv_slot *chunk = atomic_load_explicit(&db->slot_chunks[c], memory_order_acquire);

        if (chunk == NULL && (chunk = slot_chunk_create(db, c)) == NULL)
            return CHORUS_NOMEM;
        for (uint32_t i = 0; i < MV_SLOTS_PER_CHUNK; i++) {
            uint32_t expected = 0;
            /* Acquire: the previous owner's release in mv_tx_free() is seen,
             * so its last id is visible to us (T1). */
            if (atomic_load_explicit(&chunk[i].in_use, memory_order_relaxed) == 0 &&
                atomic_compare_exchange_strong_explicit(&chunk[i].in_use, &expected, 1,
                                                        memory_order_acquire, memory_order_relaxed)) {
                *index_out = c * MV_SLOTS_PER_CHUNK + i;
                return CHORUS_OK;
            }
        }
    }
    return CHORUS_BUSY;
}

/* --- epoch records and retirement ------------------------------------------ */

static ck_epoch_record_t *
epoch_record_get(mv_db *db)
{
    ck_epoch_record_t *rec = ck_epoch_recycle(&db->epoch, NULL);

    if (rec != NULL)
        return rec;
    pthread_mutex_lock(&db->mu);
    if (db->n_records == db->cap_records) {
        uint32_t cap = db->cap_records ? db->cap_records * 2 : 16;
        ck_epoch_record_t **grown = realloc(db->records, cap * sizeof *grown);
        if (grown == NULL) {
            pthread_mutex_unlock(&db->mu);
            return NULL;
        }
        db->records = grown;
        db->cap_records = cap;
    }
    /* The record is cache-line aligned (CK_CC_CACHELINE) and must outlive
     * its registration, so the mv_db keeps it until mv_db_close(). */
    size_t size = (sizeof *rec + 63) & ~(size_t)63;
    rec = aligned_alloc(64, size);
    if (rec != NULL) {
        memset(rec, 0, size);
        ck_epoch_register(&db->epoch, rec, NULL);
        db->records[db->n_records++] = rec;
    }
    pthread_mutex_unlock(&db->mu);
    return rec;
}

void
mv_epoch_enter(mv_tx *tx)
{
    ck_epoch_begin(tx->epoch, NULL);
}

void
mv_epoch_leave(mv_tx *tx)
{
    ck_epoch_end(tx->epoch, NULL);
}

void
mv_free_item(mv_db *db, void *item)
{
    if ((uintptr_t)item & 1)
        free((void *)((uintptr_t)item & ~(uintptr_t)1));
    else
        mv_version_free(db, item);
}

static void
bag_free(ck_epoch_entry_t *entry)
{
    mv_retire_bag *bag = bag_of_entry(entry);

    for (uint32_t i = 0; i < bag->n; i++)
        mv_free_item(bag->db, bag->items[i]);
    free(bag);
}

static mv_retire_bag *
bag_new(mv_db *db)
{
    mv_retire_bag *bag = malloc(sizeof *bag);

    if (bag != NULL) {
        bag->db = db;
        bag->n = 0;
    }
    return bag;
}

void
mv_retire_flush(mv_tx *tx)
{
    if (tx->bag == NULL || tx->bag->n == 0)
        return;
    ck_epoch_call(tx->epoch, &tx->bag->entry, bag_free);
    tx->bag = bag_new(tx->db);
    if (++tx->n_retired_since_poll >= 4) {
        tx->n_retired_since_poll = 0;
        ck_epoch_poll(tx->epoch);
    }
}

/*
 * Retires an unlinked version (or node, tagged | 1): it is freed after every
 * epoch section that could still see it has ended (C3, L4). Without memory
 * for a bag the item is leaked rather than freed early.
 */
void
mv_retire(mv_tx *tx, void *item)
{
    if (tx->bag == NULL && (tx->bag = bag_new(tx->db)) == NULL)
        return;
    tx->bag->items[tx->bag->n++] = item;
    if (tx->bag->n == MV_RETIRE_BATCH)
        mv_retire_flush(tx);
}

/* --- the exclusive writer gate (mvcc R20) ------------------------------------- */

void
mv_tx_set_wait(mv_tx *tx, int busy_ms, const _Atomic int *interrupt)
{
    tx->busy_ms = busy_ms;
    tx->interrupt = interrupt;
}

static int64_t
monotonic_ms(void)
{
    struct timespec now;

    clock_gettime(CLOCK_MONOTONIC, &now);
    return (int64_t)now.tv_sec * 1000 + now.tv_nsec / 1000000;
}

/*
 * Waits, holding gate_mu, until no transaction but tx holds the gate;
 * CHORUS_BUSY once tx->busy_ms has passed since start_ms, CHORUS_INTERRUPT
 * when tx's interrupt flag is set (checked every 10 ms).
 */
static int
gate_wait_locked(mv_tx *tx, int64_t start_ms)
{
    mv_db *db = tx->db;

    for (;;) {
        /* Relaxed: exclusive is only written under gate_mu, which we hold. */
        mv_tx *holder = atomic_load_explicit(&db->exclusive, memory_order_relaxed);
        if (holder == NULL || holder == tx)
            return CHORUS_OK;
        /* Acquire: pairs with the release store of whoever interrupts us. */
        if (tx->interrupt != NULL && atomic_load_explicit(tx->interrupt, memory_order_acquire))
            return CHORUS_INTERRUPT;
        int64_t left = start_ms + tx->busy_ms - monotonic_ms();
        if (left <= 0)
            return CHORUS_BUSY;
        struct timespec until;
        clock_gettime(CLOCK_MONOTONIC, &until);
        int64_t ns = until.tv_nsec + (left < 10 ? left : 10) * 1000000;
        until.tv_sec += ns / 1000000000;
        until.tv_nsec = ns % 1000000000;
        pthread_cond_timedwait(&db->gate_cv, &db->gate_mu, &until);
    }
}

/* Waits until the gate is free (or tx's own); with take, claims it and then
 * waits until the concurrent commits already past the gate are published. */
static int
gate_acquire(mv_tx *tx, bool take)
{
    mv_db *db = tx->db;
    unsigned round = 0;
    int rc;

    pthread_mutex_lock(&db->gate_mu);
    rc = gate_wait_locked(tx, monotonic_ms());
    if (rc == CHORUS_OK && take) {
        /* Seq_cst: against gate_enter()'s increment and load (see mv_db). */
        atomic_store_explicit(&db->exclusive, tx, memory_order_seq_cst);
        tx->is_exclusive = true;
    }
    pthread_mutex_unlock(&db->gate_mu);
    /* Seq_cst load: a committer that missed our store above incremented
     * n_committing before it, so we see it here and wait for its publish
     * (its release decrement makes its stamps visible to us). */
    while (take && rc == CHORUS_OK &&
           atomic_load_explicit(&db->n_committing, memory_order_seq_cst) != 0) {
        if (++round < 64)
            __builtin_ia32_pause();
        else
            sched_yield();
    }
    return rc;
}

static void
gate_release(mv_tx *tx)
{
    mv_db *db = tx->db;

    if (!tx->is_exclusive)
        return;
    pthread_mutex_lock(&db->gate_mu);
    /* Seq_cst: committers that load NULL pass; everything the exclusive
     * transaction published (release stores) is visible to them. */
    atomic_store_explicit(&db->exclusive, NULL, memory_order_seq_cst);
    pthread_cond_broadcast(&db->gate_cv);
    pthread_mutex_unlock(&db->gate_mu);
    tx->is_exclusive = false;
}

/* A concurrent committer passes the gate: counted in n_committing until
 * gate_leave(), and only while no exclusive writer holds the gate. */
static int
gate_enter(mv_tx *tx)
{
    mv_db *db = tx->db;
    int rc;

    for (;;) {
        /* Seq_cst: see mv_db (Dekker pairing with gate_acquire()). */
        atomic_fetch_add_explicit(&db->n_committing, 1, memory_order_seq_cst);
        if (atomic_load_explicit(&db->exclusive, memory_order_seq_cst) == NULL)
            return CHORUS_OK;
        atomic_fetch_sub_explicit(&db->n_committing, 1, memory_order_release);
        rc = mv_tx_wait_exclusive(tx);
        if (rc != CHORUS_OK)
            return rc;
    }
}

static void
gate_leave(mv_tx *tx)
{
    /* Release: our published stamps happen before an exclusive writer's
     * seq_cst load that sees the count drop. */
    atomic_fetch_sub_explicit(&tx->db->n_committing, 1, memory_order_release);
}

int
mv_tx_wait_exclusive(mv_tx *tx)
{
    mv_db *db = tx->db;
    int rc;

    /* Acquire: a NULL here was stored under gate_mu after the writer's
     * publish; the fast path needs no lock. */
    if (atomic_load_explicit(&db->exclusive, memory_order_acquire) == NULL)
        return CHORUS_OK;
    pthread_mutex_lock(&db->gate_mu);
    rc = gate_wait_locked(tx, monotonic_ms());
    pthread_mutex_unlock(&db->gate_mu);
    return rc;
}

int
mv_tx_begin_exclusive(mv_tx *tx)
{
    int rc;

    if (tx->is_open)
        return CHORUS_MISUSE;
    rc = gate_acquire(tx, true);
    if (rc == CHORUS_OK)
        rc = mv_tx_begin(tx);           /* the snapshot sees every commit */
    if (rc != CHORUS_OK)
        gate_release(tx);
    return rc;
}

int
mv_tx_make_exclusive(mv_tx *tx)
{
    int rc;

    if (!tx->is_open)
        return CHORUS_MISUSE;
    if (tx->is_exclusive)
        return CHORUS_OK;
    if (tx->doom != MV_OK)
        return CHORUS_CONFLICT;
    rc = gate_acquire(tx, true);
    if (rc != CHORUS_OK)
        return rc;
    /* Acquire: pairs with commit_publish()'s release; no commit runs now. */
    if (atomic_load_explicit(&tx->db->last_commit_ts, memory_order_acquire) > tx->snapshot) {
        gate_release(tx);
        return CHORUS_BUSY_SNAPSHOT;
    }
    return CHORUS_OK;
}

bool
mv_tx_is_exclusive(const mv_tx *tx)
{
    return tx->is_exclusive;
}

void
mv_tx_mark_schema_change(mv_tx *tx)
{
    tx->changes_schema = true;
}

uint64_t
mv_db_schema_ts(mv_db *db)
{
    /* Acquire: pairs with the release store at the schema change's commit. */
    return atomic_load_explicit(&db->schema_ts, memory_order_acquire);
}

void
mv_db_full_checkpoint_mark(mv_db *db)
{
    /* Seq_cst: the first mark precedes the checkpoint's B-tree commit, the
     * second follows it; a beginner's loads around its B-tree snapshot are
     * ordered against both (mvcc.h). */
    atomic_fetch_add_explicit(&db->full_ckpt_seq, 1, memory_order_seq_cst);
}

void
mv_tx_mark_base_ahead(mv_tx *tx)
{
    tx->base_ahead = true;
    mv_db_full_checkpoint_mark(tx->db);
}

/* Closes the bracket mv_tx_mark_base_ahead() opened; called while tx still
 * holds the gate, so no other schema change's bracket interleaves. */
static void
base_ahead_end(mv_tx *tx)
{
    if (tx->base_ahead)
        mv_db_full_checkpoint_mark(tx->db);
    tx->base_ahead = false;
}

uint64_t
mv_db_full_checkpoint_seq(mv_db *db)
{
    /* Seq_cst: see mv_db_full_checkpoint_mark(). */
    return atomic_load_explicit(&db->full_ckpt_seq, memory_order_seq_cst);
}

bool
mv_tx_wound(mv_tx *tx, uint64_t stamp)
{
    mv_slot *slot = mv_slot_get(tx->db, mv_stamp_slot(stamp));
    uint64_t expected = MV_STATE(MV_TX_ACTIVE, 0);

    /* Acquire (stamp.c S2): a new id means the owner is over and its
     * stamps are rewritten: the caller looks again. */
    if (slot == NULL || atomic_load_explicit(&slot->id, memory_order_acquire) != stamp)
        return true;
    /* Seq_cst: the same order as the owner's own state stores. The owner's
     * CAS to PREPARING(0) in commit_prepare() and this CAS meet on one word:
     * exactly one wins. If the owner finished and began again between the
     * id load and this CAS, its successor is wounded instead: a spurious
     * conflict, never a wrong result (it fails as any wounded one). */
    if (atomic_compare_exchange_strong_explicit(&slot->state, &expected, MV_STATE(MV_TX_ABORTED, 0),
                                                memory_order_seq_cst, memory_order_seq_cst))
        return true;
    return MV_STATE_KIND(expected) == MV_TX_ABORTED;
}

bool
mv_tx_is_wounded(const mv_tx *tx)
{
    /* Acquire: pairs with the wounding CAS; only a wound makes the state of
     * an open, undoomed transaction ABORTED. */
    return tx->is_open && tx->doom == MV_OK &&
           MV_STATE_KIND(atomic_load_explicit(&tx->slot->state, memory_order_acquire)) ==
               MV_TX_ABORTED;
}

/* --- lifecycle ---------------------------------------------------------------- */

int
mv_tx_new(mv_db *db, mv_tx **out)
{
    mv_tx *tx;
    int rc;

    *out = NULL;
    tx = calloc(1, sizeof *tx);
    if (tx == NULL)
        return CHORUS_NOMEM;
    tx->db = db;
    tx->frame = calloc(1, sizeof *tx->frame);
    tx->bag = bag_new(db);
    tx->epoch = epoch_record_get(db);
    if (tx->frame == NULL || tx->bag == NULL || tx->epoch == NULL) {
        rc = CHORUS_NOMEM;
        goto fail;
    }
    rc = slot_claim(db, &tx->slot_index);
    if (rc != CHORUS_OK)
        goto fail;
    tx->slot = mv_slot_get(db, tx->slot_index);
    *out = tx;
    return CHORUS_OK;
fail:
    if (tx->epoch != NULL)
        ck_epoch_unregister(tx->epoch);
    free(tx->frame);
    free(tx->bag);
    free(tx);
    return rc;
}

/* Frees tx's own memory: its write list, lost key, savepoint frame, bag
 * and the record itself (what mv_tx_free and mv_tx_discard share). */
static void
tx_free_memory(mv_tx *tx)
{
    free(tx->writes);
    free(tx->lost_key);
    free(tx->lost_name);
    if (tx->frame != NULL)
        free(tx->frame->data);
    free(tx->frame);
    free(tx->bag);
    free(tx);
}

void
mv_tx_free(mv_tx *tx)
{
    if (tx == NULL)
        return;
    mv_tx_rollback(tx);
    mv_retire_flush(tx);
    /* Waits for a grace period and runs every callback this record queued,
     * so nothing retired by tx outlives it unfreed. */
    ck_epoch_barrier(tx->epoch);
    ck_epoch_unregister(tx->epoch);
    atomic_store_explicit(&tx->slot->snapshot, MV_SNAP_NONE, memory_order_release);
    /* Release: pairs with slot_claim()'s acquire (T1). */
    atomic_store_explicit(&tx->slot->in_use, 0, memory_order_release);
    tx_free_memory(tx);
}

void
mv_tx_discard(mv_tx *tx)
{
    if (tx != NULL)
        tx_free_memory(tx);
}

int
mv_tx_begin(mv_tx *tx)
{
    mv_slot *slot = tx->slot;
    uint64_t last, generation;

    if (tx->is_open)
        return CHORUS_MISUSE;
    /* Relaxed: only this thread writes the slot's id while it owns it. */
    last = atomic_load_explicit(&slot->id, memory_order_relaxed);
    generation = ((last & ~MV_STAMP_TXID_BIT) >> MV_SLOT_BITS) + 1;     /* T1 */
    tx->id = mv_stamp_make_txid(tx->slot_index, generation);
    /* Release (stamp.c S2): the new id is stored before the new state, and
     * after every rewrite of the previous transaction's stamps (S1). */
    atomic_store_explicit(&slot->id, tx->id, memory_order_release);
    /* Seq_cst: pairs with mv_stamp_resolve()'s seq_cst state load. */
    atomic_store_explicit(&slot->state, MV_STATE(MV_TX_ACTIVE, 0), memory_order_seq_cst);
    tx->snapshot = mv_clock_snapshot(tx->db, slot);
    tx->n_writes = 0;
    tx->doom = MV_OK;
    tx->has_lost = false;
    tx->changes_schema = false;
    tx->is_open = true;
    return CHORUS_OK;
}

int
mv_tx_write_reserve(mv_tx *tx)
{
    if (tx->n_writes < tx->cap_writes)
        return CHORUS_OK;
    uint32_t cap = tx->cap_writes ? tx->cap_writes * 2 : 64;
    mv_write *grown = realloc(tx->writes, cap * sizeof *grown);
    if (grown == NULL)
        return CHORUS_NOMEM;
    tx->writes = grown;
    tx->cap_writes = cap;
    return CHORUS_OK;
}

static void
snapshot_release(mv_tx *tx)
{
    /* Release: GC may now ignore this snapshot (mvcc R11). */
    atomic_store_explicit(&tx->slot->snapshot, MV_SNAP_NONE, memory_order_release);
}

/*
 * Undoes writes [from, n_writes), newest first (mvcc R7, R18): the caller
 * is inside an epoch section. Only ABORTED (or, for a savepoint, our own
 * still-ACTIVE id) stands between readers and these versions, so after the
 * begin stores below nobody can see them.
 */
static void
undo_writes(mv_tx *tx, uint32_t from)
{
    for (uint32_t i = tx->n_writes; i-- > from;) {
        mv_write *w = &tx->writes[i];
        if (w->superseded != NULL) {
            uint64_t expected = tx->id;
            /* Release: pairs with version_visible()'s acquire of end. A
             * later writer may already have replaced our id (failure). */
            atomic_compare_exchange_strong_explicit(&w->superseded->end, &expected, MV_STAMP_INF,
                                                    memory_order_release, memory_order_relaxed);
        }
        /* Release: this is our last write to the version; GC that sees INF
         * (acquire) may unlink it. */
        atomic_store_explicit(&w->version->begin, MV_STAMP_INF, memory_order_release);
    }
    /* Unlink what is still on top, newest first, where GC is not busy. */
    for (uint32_t i = tx->n_writes; i-- > from;) {
        mv_write *w = &tx->writes[i];
        uint8_t idle = 0;
        if (!atomic_compare_exchange_strong_explicit(&w->node->gc_busy, &idle, 1,
                                                     memory_order_acquire, memory_order_relaxed))
            continue;
        uintptr_t expected = (uintptr_t)w->version;
        mv_version *older = atomic_load_explicit(&w->version->older, memory_order_acquire);
        /* Release: pairs with mv_node_head()'s acquire; failure (relaxed)
         * means a writer already stacked over it: GC will unlink it. */
        if (atomic_compare_exchange_strong_explicit(&w->node->head, &expected, (uintptr_t)older,
                                                    memory_order_release, memory_order_relaxed)) {
            MV_COUNT(tx->db, n_versions_live, -1);
            mv_retire(tx, w->version);
        }
        atomic_store_explicit(&w->node->gc_busy, 0, memory_order_release);
    }
    tx->n_writes = from;
}

/* Undoes every write (mvcc R7): the caller is inside an epoch section. */
static void
abort_writes(mv_tx *tx)
{
    /* Seq_cst: from here readers treat our versions as never written. */
    atomic_store_explicit(&tx->slot->state, MV_STATE(MV_TX_ABORTED, 0), memory_order_seq_cst);
    undo_writes(tx, 0);
    /* Relaxed: statistics only. */
    atomic_fetch_add_explicit(&tx->db->n_aborts, 1, memory_order_relaxed);
}

uint32_t
mv_tx_savepoint(const mv_tx *tx)
{
    return tx->n_writes;
}

void
mv_tx_rollback_to(mv_tx *tx, uint32_t mark)
{
    if (!tx->is_open || tx->doom != MV_OK || mark >= tx->n_writes)
        return;                 /* nothing to undo, or everything already was */
    mv_epoch_enter(tx);
    undo_writes(tx, mark);
    mv_epoch_leave(tx);
}

void
mv_tx_doom(mv_tx *tx, mv_outcome why)
{
    if (tx->doom != MV_OK)
        return;
    mv_epoch_enter(tx);
    abort_writes(tx);
    mv_epoch_leave(tx);
    snapshot_release(tx);
    tx->doom = why;
}

void
mv_tx_rollback(mv_tx *tx)
{
    if (!tx->is_open)
        return;
    if (tx->doom == MV_OK) {
        mv_epoch_enter(tx);
        abort_writes(tx);
        mv_epoch_leave(tx);
        snapshot_release(tx);
    }
    /* R21: a rolled back schema change's dropped maps are stamped
     * dropped_at = clock + 1; a tick (no commit takes it) lets the next
     * snapshots reach the trees again. */
    if (tx->changes_schema)
        mv_clock_tick(tx->db);
    tx->is_open = false;
    base_ahead_end(tx);
    gate_release(tx);
    mv_retire_flush(tx);
}

/* --- commit ------------------------------------------------------------------ */

/* Keeps the key of the write that lost its UNIQUE check (mvcc R9) for the
 * message (mv_tx_conflict_where). */
static void
lost_write_keep(mv_tx *tx, const mv_write *w)
{
    uint32_t n = w->node->key_len;
    char *name = strdup(w->map->name);

    if (name == NULL)
        return;                 /* the message then names nothing */
    free(tx->lost_name);
    tx->lost_name = name;
    tx->lost_is_index = w->map->is_index;
    tx->has_lost = true;
    tx->lost_rowid = w->node->rowid;
    tx->lost_key_len = 0;
    if (n > tx->lost_key_cap) {
        uint8_t *grown = realloc(tx->lost_key, n);
        if (grown == NULL)
            return;             /* the message then names no key */
        tx->lost_key = grown;
        tx->lost_key_cap = n;
    }
    memcpy(tx->lost_key, mv_node_key(w->node), n);
    tx->lost_key_len = n;
}

/* PREPARING, the commit timestamp, then the UNIQUE checks (mvcc R6, R9). */
static mv_outcome
commit_prepare(mv_tx *tx)
{
    mv_slot *slot = tx->slot;
    uint64_t active = MV_STATE(MV_TX_ACTIVE, 0);

    /* Seq_cst (mvcc R6): published before the clock tick, so a reader that
     * still sees ACTIVE took its snapshot before our timestamp. A CAS, not
     * a store: an exclusive writer may have wounded us (mvcc R20). */
    if (!atomic_compare_exchange_strong_explicit(&slot->state, &active,
                                                 MV_STATE(MV_TX_PREPARING, 0),
                                                 memory_order_seq_cst, memory_order_seq_cst))
        return MV_CONFLICT_WOUNDED;
    tx->end_ts = mv_clock_tick(tx->db);
    /* Seq_cst: pairs with the seq_cst loads of commit validation (mvcc R9). */
    atomic_store_explicit(&slot->state, MV_STATE(MV_TX_PREPARING, tx->end_ts),
                          memory_order_seq_cst);
    for (uint32_t i = 0; i < tx->n_writes; i++) {
        if (!tx->writes[i].check_unique)
            continue;
        mv_outcome o = mv_unique_check_commit(tx, &tx->writes[i]);
        if (o != MV_OK) {
            lost_write_keep(tx, &tx->writes[i]);
            return o;
        }
    }
    return MV_OK;
}

/* The record of write w (mvcc R12), or false when w is no final image: a
 * later write of ours superseded it, or (in a schema change) its map was
 * dropped, its tree freed or rewritten after the write (R21). */
static bool
write_record(const mv_tx *tx, const mv_write *w, mv_log_record *out)
{
    const mv_version *v = w->version;
    bool dropped = false;

    /* Relaxed: only we write the end of our own versions now. */
    if (atomic_load_explicit(&v->end, memory_order_relaxed) == tx->id)
        return false;
    if (tx->changes_schema) {           /* only a schema change drops maps */
        pthread_mutex_lock(&tx->db->mu);
        dropped = w->map->dropped;
        pthread_mutex_unlock(&tx->db->mu);
    }
    if (dropped)
        return false;
    mv_log_record_of(w->map, w->node, v, out);
    return true;
}

/* Builds this transaction's frame (mvcc R12): the final image of each key. */
static int
commit_frame_build(mv_tx *tx)
{
    mv_frame_buf *fb = tx->frame;
    mv_log_record r;
    int rc = mv_frame_begin(fb);

    for (uint32_t i = 0; rc == CHORUS_OK && i < tx->n_writes; i++)
        if (write_record(tx, &tx->writes[i], &r))
            rc = mv_frame_add(fb, &r);
    if (rc == CHORUS_OK)
        rc = mv_frame_finish(fb, MV_LOG_FRAME_COMMIT, tx->end_ts);
    return rc;
}

int
mv_tx_own_writes(const mv_tx *tx, mv_checkpoint_fn fn, void *ctx)
{
    mv_log_record r;
    int rc = CHORUS_OK;

    for (uint32_t i = 0; rc == CHORUS_OK && i < tx->n_writes; i++)
        if (write_record(tx, &tx->writes[i], &r))
            rc = fn(ctx, &r);
    return rc;
}

/* COMMITTED, then the stamp rewrite (mvcc R7). */
static void
commit_publish(mv_tx *tx)
{
    uint64_t ts = tx->end_ts;

    /* Release: pairs with the acquire/seq_cst state loads of readers. */
    atomic_store_explicit(&tx->slot->state, MV_STATE(MV_TX_COMMITTED, ts), memory_order_release);
    for (uint32_t i = 0; i < tx->n_writes; i++) {
        mv_write *w = &tx->writes[i];
        /* Release: pairs with the acquire reload after a stale resolution
         * (stamp.c S1) and with version_visible(). */
        atomic_store_explicit(&w->version->begin, ts, memory_order_release);
        if (w->superseded != NULL)
            atomic_store_explicit(&w->superseded->end, ts, memory_order_release);
    }
    tx->commit_ts = ts;
    uint64_t last = atomic_load_explicit(&tx->db->last_commit_ts, memory_order_relaxed);
    /* Release: pairs with mv_tx_make_exclusive()'s acquire (mvcc R20). */
    while (last < ts && !atomic_compare_exchange_weak_explicit(&tx->db->last_commit_ts, &last, ts,
                                                               memory_order_release,
                                                               memory_order_relaxed))
        ;
    /* Relaxed: statistics only. */
    atomic_fetch_add_explicit(&tx->db->n_commits, 1, memory_order_relaxed);
}

int
mv_tx_commit(mv_tx *tx, mv_sync sync)
{
    mv_log *log = atomic_load_explicit(&tx->db->log, memory_order_acquire);
    bool passed_gate = false, logged = false;
    uint64_t lsn = 0;
    mv_outcome o = MV_OK;
    int rc = CHORUS_OK;

    if (!tx->is_open)
        return CHORUS_MISUSE;
    if (tx->doom != MV_OK) {
        tx->is_open = false;
        base_ahead_end(tx);
        gate_release(tx);
        return CHORUS_CONFLICT;
    }
    if (tx->n_writes == 0 && !tx->changes_schema) {
        snapshot_release(tx);
        tx->is_open = false;
        gate_release(tx);
        return CHORUS_OK;
    }
    if (!tx->is_exclusive) {            /* mvcc R20: wait while one is open */
        rc = gate_enter(tx);
        if (rc != CHORUS_OK) {
            mv_tx_rollback(tx);
            return rc;
        }
        passed_gate = true;
        if (tx->snapshot < mv_db_schema_ts(tx->db))
            o = MV_CONFLICT_SCHEMA;     /* mvcc R21 */
    }
    mv_epoch_enter(tx);
    if (o == MV_OK)
        o = commit_prepare(tx);
    if (o != MV_OK) {
        abort_writes(tx);
        tx->doom = o;
        rc = CHORUS_CONFLICT;
    } else if (log != NULL && tx->n_writes > 0) {
        rc = commit_frame_build(tx);
        if (rc == CHORUS_OK)
            rc = mv_log_enqueue(log, tx->frame->data, tx->frame->len, sync, tx, &lsn);   /* T3 */
        if (rc != CHORUS_OK)
            abort_writes(tx);
        logged = rc == CHORUS_OK;
    }
    if (rc == CHORUS_OK) {
        commit_publish(tx);
        mv_gc_after_commit(tx);
        /* Release: pairs with mv_db_schema_ts(); stored before the gate
         * opens, so every committer that passes it next sees it (R21). */
        if (tx->changes_schema)
            atomic_store_explicit(&tx->db->schema_ts, tx->end_ts, memory_order_release);
    }
    mv_epoch_leave(tx);
    base_ahead_end(tx);                 /* after the publish, before the gate opens */
    if (passed_gate)
        gate_leave(tx);
    gate_release(tx);
    snapshot_release(tx);
    tx->is_open = false;
    tx->n_writes = 0;
    mv_retire_flush(tx);
    if (logged)
        rc = mv_log_wait(log, lsn, sync);
    return rc;
}

bool
mv_tx_is_open(const mv_tx *tx)
{
    return tx->is_open;
}

uint64_t
mv_tx_snapshot(const mv_tx *tx)
{
    return tx->snapshot;
}

uint64_t
mv_tx_commit_ts(const mv_tx *tx)
{
    return tx->commit_ts;
}

mv_outcome
mv_tx_conflict_outcome(const mv_tx *tx)
{
    return tx->doom;
}

bool
mv_tx_conflict_where(const mv_tx *tx, bool *is_index_out, const char **name_out,
                     int64_t *rowid_out, const void **key_out, uint32_t *nkey_out)
{
    if (tx->doom != MV_CONFLICT_UNIQUE || !tx->has_lost)
        return false;
    *is_index_out = tx->lost_is_index;
    *name_out = tx->lost_name;
    *rowid_out = tx->lost_rowid;
    *key_out = tx->lost_key_len > 0 ? tx->lost_key : NULL;
    *nkey_out = tx->lost_key_len;
    return true;
}
