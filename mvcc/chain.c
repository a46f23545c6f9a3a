/*
 * mvcc/chain.c: per-key version chains, newest version first.
 *
 * A writer prepends a version with one compare-and-swap on the node's head
 * (mvcc R4). Before it does, it looks at the newest version that is not
 * aborted and applies the first-updater-wins rule (mvcc R8): a version
 * written by another transaction that is still running, or committed after
 * our snapshot, is a conflict at once. After the CAS it stamps its id into
 * the end of the version it superseded. Readers walk the chain and take the
 * first version visible to their snapshot (mvcc R5).
 *
 * Invariants
 *   C1  Committed begin stamps strictly decrease along a chain (ignoring
 *       aborted versions), because a writer publishes only over a newest
 *       version that is committed at or before its snapshot, or its own.
 *   C2  Only versions of the one transaction allowed to write the key can be
 *       uncommitted and unaborted at a time, and they sit at the top. (A
 *       version of a transaction an exclusive writer wounded may sit below
 *       the writer's: its slot already says ABORTED, mvcc R20.)
 *   C3  A version is freed only through mv_retire(), after it is unlinked
 *       (or never published: mv_version_free()).
 *   C4  A version visible to a live snapshot is never unlinked (mvcc R11),
 *       so record bytes handed to a transaction stay valid until it ends.
 *
 * Locking: none on the read path; callers are inside an epoch section.
 * The publish order is mvcc R4. Callers: mvcc/store.c, mvcc/conflict.c,
 * mvcc/tx.c, mvcc/gc.c.
 */
#include <stdlib.h>
#include <string.h>

#include "mvcc_int.h"

size_t
mv_version_footprint(uint32_t nbytes)
{
    return offsetof(mv_version, data) + nbytes;
}

/* Owned until published; NULL on no memory. */
mv_version *
mv_version_new(mv_db *db, uint8_t kind, const void *data, uint32_t nbytes)
{
    mv_version *v = malloc(mv_version_footprint(nbytes));

    if (v == NULL)
        return NULL;
    atomic_init(&v->begin, MV_STAMP_INF);
    atomic_init(&v->end, MV_STAMP_INF);
    atomic_init(&v->older, NULL);
    v->nbytes = nbytes;
    v->kind = kind;
    if (nbytes > 0)
        memcpy(v->data, data, nbytes);
    /* Relaxed: statistics only. */
    MV_COUNT(db, n_versions, 1);
    MV_COUNT(db, bytes_versions, (int64_t)mv_version_footprint(nbytes));
    return v;
}

void
mv_version_free(mv_db *db, mv_version *v)
{
    if (v == NULL)
        return;
    /* Relaxed: statistics only. */
    MV_COUNT(db, n_versions, -1);
    MV_COUNT(db, bytes_versions, -((int64_t)mv_version_footprint(v->nbytes)));
    free(v);
}

/* mvcc R5: begin <= S < end, after resolving transaction ids. */
static bool
version_visible(mv_tx *tx, mv_version *v)
{
    mv_db *db = tx->db;
    /* Acquire: pairs with the release rewrite of the stamp (mvcc R7). */
    uint64_t b = atomic_load_explicit(&v->begin, memory_order_acquire);
    uint64_t e;
    mv_resolved r;

    if (b != tx->id) {
        r = mv_stamp_settle(db, &v->begin, b, tx->snapshot);
        if (r.kind != MV_TX_COMMITTED || r.ts > tx->snapshot)
            return false;
    }
    e = atomic_load_explicit(&v->end, memory_order_acquire);
    if (e == tx->id)
        return false;
    r = mv_stamp_settle(db, &v->end, e, tx->snapshot);
    if (r.kind == MV_TX_COMMITTED)
        return tx->snapshot < r.ts;
    return true;    /* ACTIVE, ABORTED, or PREPARING above our snapshot */
}

mv_outcome
mv_chain_read(mv_tx *tx, mv_node *node, mv_version **out)
{
    for (mv_version *v = mv_node_head(node); v != NULL;
         v = atomic_load_explicit(&v->older, memory_order_acquire)) {
        if (version_visible(tx, v)) {
            *out = v;
            return v->kind == MV_KIND_ROW ? MV_ROW : MV_DELETED;
        }
    }
    *out = NULL;
    return MV_ABSENT;
}

/* Whether v's creator aborted (its slot says so, or it already stamped
 * begin INF): readers and writers skip it at once. */
static bool
version_aborted(mv_db *db, mv_version *v)
{
    uint64_t b = atomic_load_explicit(&v->begin, memory_order_acquire);

    for (;;) {
        if (!mv_stamp_is_txid(b))
            return b == MV_STAMP_INF;
        mv_resolved r = mv_stamp_resolve(db, b);
        if (r.kind != MV_RESOLVE_STALE)
            return r.kind == MV_TX_ABORTED;
        b = atomic_load_explicit(&v->begin, memory_order_acquire);
    }
}

bool
mv_version_is_aborted(mv_db *db, mv_version *v)
{
    (void)db;
    /* Acquire: pairs with the owner's release store of INF, its last touch
     * of v (mvcc R7). An ABORTED slot alone is not enough: a transaction an
     * exclusive writer wounded (mvcc R20) still undoes its versions later,
     * outside any epoch section, so they must stay allocated until then. */
    return atomic_load_explicit(&v->begin, memory_order_acquire) == MV_STAMP_INF;
}

mv_version *
mv_chain_effective(mv_tx *tx, mv_node *node, uintptr_t *head_out)
{
    /* Acquire: pairs with the release CAS of chain_publish(). */
    uintptr_t h = atomic_load_explicit(&node->head, memory_order_acquire);

    *head_out = h;
    if (h & MV_HEAD_SEALED)
        return NULL;
    for (mv_version *v = (mv_version *)h; v != NULL;
         v = atomic_load_explicit(&v->older, memory_order_acquire)) {
        if (!version_aborted(tx->db, v))
            return v;
    }
    return NULL;
}

enum { PUBLISH_RETRY = -1 };

/*
 * The first-updater-wins check (mvcc R8) on the newest effective version e:
 * MV_OK when tx may write over it, a conflict outcome, or PUBLISH_RETRY when
 * e turned out aborted meanwhile.
 */
static int
check_newest(mv_tx *tx, mv_version *e)
{
    uint64_t b = atomic_load_explicit(&e->begin, memory_order_acquire);
    mv_resolved r;

    if (b == tx->id)
        return MV_OK;
    r = mv_stamp_settle(tx->db, &e->begin, b, tx->snapshot);
    switch (r.kind) {
    case MV_TX_ABORTED:
        return PUBLISH_RETRY;
    case MV_TX_COMMITTED:
        if (r.ts == MV_STAMP_INF)
            return PUBLISH_RETRY;
        return r.ts > tx->snapshot ? MV_CONFLICT_COMMITTED : MV_OK;
    case MV_TX_ACTIVE:
        if (tx->is_exclusive) {
            /* mvcc R20: the exclusive writer never loses; it aborts the
             * owner (reloaded: settle may have followed a newer stamp). */
            b = atomic_load_explicit(&e->begin, memory_order_acquire);
            if (!mv_stamp_is_txid(b) || mv_tx_wound(tx, b))
                return PUBLISH_RETRY;
        }
        return MV_CONFLICT_ACTIVE;
    default:
        return MV_CONFLICT_ACTIVE;      /* PREPARING above our snapshot */
    }
}

/* What the operation makes of the key's current state (insert over a row,
 * update or delete of a deleted row). */
static mv_outcome
check_op(enum mv_write_op op, mv_version *e)
{
    if (e == NULL)
        return MV_OK;   /* nothing in the store: the B-tree is the caller's */
    if (op == MV_OP_INSERT)
        return e->kind == MV_KIND_ROW ? MV_EXISTS : MV_OK;
    return e->kind == MV_KIND_TOMBSTONE ? MV_NOT_FOUND : MV_OK;
}

/* Publishes v over node's chain (mvcc R4); PUBLISH_RETRY when the node is
 * sealed (the caller searches again). */
static int
chain_publish(mv_tx *tx, mv_node *node, enum mv_write_op op, mv_version *v,
              mv_version **superseded)
{
    for (;;) {
        uintptr_t h;
        mv_version *e = mv_chain_effective(tx, node, &h);
        int outcome;

        if (h & MV_HEAD_SEALED)
            return PUBLISH_RETRY;
        if (e != NULL) {
            outcome = check_newest(tx, e);
            if (outcome == PUBLISH_RETRY)
                continue;
            if (outcome != MV_OK)
                return outcome;
        }
        outcome = check_op(op, e);
        if (outcome != MV_OK)
            return outcome;
        /* Relaxed: v is private until the CAS below publishes it. */
        atomic_store_explicit(&v->older, (mv_version *)h, memory_order_relaxed);
        /* Release (mvcc R4): v's fields become visible to a reader whose
         * acquire load of the head returns v (pairs with mv_node_head()). */
        if (!atomic_compare_exchange_strong_explicit(&node->head, &h, (uintptr_t)v,
                                                     memory_order_release, memory_order_relaxed))
            continue;   /* another writer got in first; look again */
        if (e != NULL) {
            /* Release: pairs with version_visible()'s acquire of end. */
            atomic_store_explicit(&e->end, tx->id, memory_order_release);
        }
        *superseded = e;
        return MV_OK;
    }
}

/* Finds or creates the node of k and publishes v into it. */
static int
write_into_map(mv_tx *tx, mv_map *map, const mv_key *k, enum mv_write_op op, mv_version *v,
               mv_node **node_out, mv_version **superseded)
{
    for (;;) {
        bool inserted;
        mv_node *node = mv_skip_find_or_insert(map, k, v, &inserted);
        int outcome;

        if (node == NULL)
            return MV_NOMEM;
        if (inserted) {
            /* Relaxed: statistics only. */
            MV_COUNT(tx->db, n_nodes, 1);
            *node_out = node;
            *superseded = NULL;
            return MV_OK;
        }
        outcome = chain_publish(tx, node, op, v, superseded);
        if (outcome == PUBLISH_RETRY)
            continue;
        *node_out = node;
        return outcome;
    }
}

mv_outcome
mv_chain_write(mv_tx *tx, mv_map *map, const mv_key *k, enum mv_write_op op, uint8_t kind,
               const void *data, uint32_t nbytes, bool check_unique)
{
    mv_write *w;
    mv_version *v;
    int outcome;

    if (mv_tx_write_reserve(tx) != CHORUS_OK)
        return MV_NOMEM;
    v = mv_version_new(tx->db, kind, data, nbytes);
    if (v == NULL)
        return MV_NOMEM;
    atomic_init(&v->begin, tx->id);
    w = &tx->writes[tx->n_writes];
    mv_epoch_enter(tx);
    outcome = write_into_map(tx, map, k, op, v, &w->node, &w->superseded);
    mv_epoch_leave(tx);
    if (outcome != MV_OK) {
        mv_version_free(tx->db, v);     /* never published */
        if (outcome == MV_CONFLICT_ACTIVE || outcome == MV_CONFLICT_COMMITTED)
            mv_tx_doom(tx, (mv_outcome)outcome);
        return (mv_outcome)outcome;
    }
    /* Relaxed: statistics only. */
    MV_COUNT(tx->db, n_versions_live, 1);
    w->map = map;
    w->version = v;
    w->check_unique = check_unique;
    tx->n_writes++;
    return MV_OK;
}
