/*
 * mvcc/stamp.c: resolving a transaction-id stamp to its owner's state.
 *
 * A version's begin or end field holds either a commit timestamp or the id
 * of the transaction that wrote it (mvcc R1). A reader that finds an id asks
 * the owner's slot what became of it (mvcc R2): active, preparing with a
 * timestamp, committed at a timestamp, or aborted. Slots are reused, so the
 * answer is only good if the slot still carries that id before and after the
 * state was read; otherwise the owner has finished and rewritten its stamps,
 * and the caller reloads the field (MV_RESOLVE_STALE).
 *
 * Invariants
 *   S1  A slot's id changes only after its previous transaction rewrote
 *       every stamp it wrote (mvcc R7), so a stale resolution followed by a
 *       reload of the field finds a timestamp.
 *   S2  The owner stores the new id before the new state (release, then
 *       seq_cst); a reader loads id, state, id (acquire each), so a state it
 *       pairs with an id belongs to that id.
 *
 * Locking: none; waiting (mv_stamp_settle) spins, then yields, and only on a
 * transaction in its short PREPARING window (mvcc R6).
 * Callers: mvcc/chain.c, mvcc/conflict.c, mvcc/gc.c.
 */
#include <sched.h>

#include "mvcc_int.h"

mv_slot *
mv_slot_get(mv_db *db, uint32_t index)
{
    /* Acquire: the chunk's zeroed slots, written before its release
     * publication in slot_chunk_create() (tx.c), are visible. */
    mv_slot *chunk = atomic_load_explicit(&db->slot_chunks[index / MV_SLOTS_PER_CHUNK],
                                          memory_order_acquire);
    return chunk == NULL ? NULL : &chunk[index % MV_SLOTS_PER_CHUNK];
}

mv_resolved
mv_stamp_resolve(mv_db *db, uint64_t stamp)
{
    mv_resolved r = {MV_RESOLVE_STALE, 0};
    mv_slot *slot = mv_slot_get(db, mv_stamp_slot(stamp));
    uint64_t state;

    if (slot == NULL)
        return r;
    /* Acquire (S2): pairs with the owner's release store of id in
     * mv_tx_begin(); a new id makes the rewritten stamps visible (S1). */
    if (atomic_load_explicit(&slot->id, memory_order_acquire) != stamp)
        return r;
    /* Seq_cst: pairs with the owner's seq_cst state stores, so a reader that
     * sees ACTIVE took its snapshot before the owner's timestamp (mvcc R6). */
    state = atomic_load_explicit(&slot->state, memory_order_seq_cst);
    /* Acquire (S2): a state of the next transaction is caught here. */
    if (atomic_load_explicit(&slot->id, memory_order_acquire) != stamp)
        return r;
    r.kind = MV_STATE_KIND(state);
    r.ts = MV_STATE_TS(state);
    return r;
}

/* Spins briefly, then yields the CPU: the waited-for owner may be off-CPU. */
static void
backoff(unsigned *round)
{
    if (++*round < 64)
        __builtin_ia32_pause();
    else
        sched_yield();
}

/*
 * The settled meaning of the stamp in *field for a reader at snapshot: a
 * plain timestamp (MV_TX_COMMITTED, ts = the stamp, MV_STAMP_INF included),
 * or the owner's state. A PREPARING owner whose timestamp is pending or not
 * above snapshot is waited out (mvcc R6), so the result is never a PREPARING
 * that could still turn visible. stamp is the value already loaded.
 */
mv_resolved
mv_stamp_settle(mv_db *db, _Atomic uint64_t *field, uint64_t stamp, uint64_t snapshot)
{
    unsigned round = 0;
    mv_resolved r;

    for (;;) {
        if (!mv_stamp_is_txid(stamp)) {
            r.kind = MV_TX_COMMITTED;
            r.ts = stamp;
            return r;
        }
        r = mv_stamp_resolve(db, stamp);
        if (r.kind == MV_RESOLVE_STALE) {
            /* Acquire: pairs with the owner's release rewrite (S1). */
            stamp = atomic_load_explicit(field, memory_order_acquire);
            continue;
        }
        if (r.kind != MV_TX_PREPARING || (r.ts != 0 && r.ts > snapshot))
            return r;
        backoff(&round);
    }
}
