/*
 * mvcc/clock.c: the logical clock and snapshot registration.
 *
 * One 64-bit counter serves begin snapshots and commit timestamps (mvcc R3):
 * a snapshot is the counter's value, a commit timestamp the value after an
 * increment, so a commit is newer than every snapshot taken before it. A
 * shared fetch-add costs about 9 ns with two contending cores (MVCC.md §4.4),
 * far below a transaction's cost.
 *
 * Each transaction publishes its snapshot in its slot so GC can tell which
 * versions someone may still read (mvcc R11). Publication has a pending step
 * so GC never misses a snapshot that is being taken (mvcc R3).
 *
 * Invariants
 *   K1  Timestamps handed out strictly increase and stay below MV_TS_LIMIT.
 *   K2  A slot's snapshot is MV_SNAP_PENDING from before the clock is read
 *       until the snapshot is stored.
 *
 * Locking: none. Callers: mvcc/tx.c (begin, commit), mvcc/gc.c (horizon).
 */
#include "mvcc_int.h"

uint64_t
mv_db_clock(mv_db *db)
{
    /* Acquire: pairs with nothing in particular; any recent value serves a
     * caller that only reports it. */
    return atomic_load_explicit(&db->clock, memory_order_acquire);
}

/* The next commit timestamp (K1). */
uint64_t
mv_clock_tick(mv_db *db)
{
    /* Seq_cst: ordered after the PREPARING store in commit and before every
     * later snapshot read, which is what mvcc R6 needs. */
    return atomic_fetch_add_explicit(&db->clock, 1, memory_order_seq_cst) + 1;
}

/* Takes and publishes a snapshot in slot (K2); returns it. */
uint64_t
mv_clock_snapshot(mv_db *db, mv_slot *slot)
{
    uint64_t snap;

    /* Seq_cst (K2): a GC scan that does not see PENDING here read the clock
     * before our load below, so its horizon is <= our snapshot. */
    atomic_store_explicit(&slot->snapshot, MV_SNAP_PENDING, memory_order_seq_cst);
    snap = atomic_load_explicit(&db->clock, memory_order_seq_cst);
    /* Release: pairs with GC's acquire load in snapset_compute(). */
    atomic_store_explicit(&slot->snapshot, snap, memory_order_release);
    return snap;
}
