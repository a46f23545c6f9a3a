/*
 * mvcc/conflict.c: turning MVCC outcomes into result codes and messages, and
 * the UNIQUE-key checks at insert and at commit (mvcc R8, R9).
 *
 * Row writes conflict through the chain head (mvcc R8, chain.c): two
 * transactions writing one key meet at one CAS. Two transactions inserting
 * one UNIQUE key with different rowids (or, in an index of a WITHOUT ROWID
 * table, different PRIMARY KEY suffixes: mv_index_open_prefix) write
 * different index nodes, so they are checked here: at insert against what
 * the key already holds, and again at commit, when first committer wins
 * (mvcc R9):
 *   - another rowid's newest entry for the key is present and committed:
 *     we lose;
 *   - it belongs to a transaction PREPARING with a smaller timestamp: we
 *     lose; with a pending timestamp we wait for it (it may be smaller);
 *   - it belongs to an ACTIVE transaction, or one PREPARING with a larger
 *     timestamp: we win; that transaction sees us when it validates.
 * Why both sides cannot miss each other: of two committers the one with the
 * smaller timestamp published its entry before its clock tick, and the
 * ticks are one seq_cst read-modify-write chain, so the larger one's scan
 * happens after that entry and after its owner's PREPARING store.
 *
 * Locking: none. Callers: mvcc/store.c (insert), mvcc/tx.c (commit), the
 * integration (mv_outcome_rc).
 */
#include <sched.h>
#include <stdlib.h>
#include <string.h>

#include "mvcc_int.h"

const char *
mv_outcome_name(mv_outcome outcome)
{
    static const char *const names[] = {
        "MV_OK", "MV_ROW", "MV_DELETED", "MV_ABSENT", "MV_EXISTS", "MV_NOT_FOUND",
        "MV_CONFLICT_ACTIVE", "MV_CONFLICT_COMMITTED", "MV_CONFLICT_UNIQUE",
        "MV_CONFLICT_SCHEMA", "MV_CONFLICT_WOUNDED", "MV_DOOMED", "MV_NOMEM",
    };
    if ((unsigned)outcome >= CHORUS_ARRAY_LEN(names))
        return "MV_?";
    return names[outcome];
}

static char *
describe(const char *object_kind, const char *object_name, int64_t rowid, const char *key_text)
{
    if (strcmp(object_kind, "index") == 0)
        return common_mprintf("key %s of index %s", key_text ? key_text : "a key", object_name);
    if (key_text != NULL)                   /* a keyed row: its PRIMARY KEY */
        return common_mprintf("row %s of %s %s", key_text, object_kind, object_name);
    return common_mprintf("row %lld of %s %s", (long long)rowid, object_kind, object_name);
}

int
mv_outcome_rc(mv_outcome outcome, const char *object_kind, const char *object_name,
              int64_t rowid, const char *key_text, char **msg_out)
{
    const char *fmt = NULL;
    int rc;

    switch (outcome) {
    case MV_OK: case MV_ROW: case MV_DELETED: case MV_ABSENT:
        rc = CHORUS_OK;
        break;
    case MV_EXISTS:
        rc = CHORUS_CONSTRAINT;
        fmt = "constraint failed: %s already exists";
        break;
    case MV_NOT_FOUND:
        rc = CHORUS_INTERNAL;
        fmt = "internal: %s is deleted in this snapshot";
        break;
    case MV_CONFLICT_ACTIVE:
    case MV_CONFLICT_COMMITTED:
        rc = CHORUS_CONFLICT;
        fmt = "conflict: %s was changed by a concurrent transaction";
        break;
    case MV_CONFLICT_UNIQUE:
        rc = CHORUS_CONFLICT;
        fmt = "conflict: %s was inserted by a concurrent transaction";
        break;
    case MV_CONFLICT_SCHEMA:            /* about the transaction, not one object */
        rc = CHORUS_CONFLICT_SCHEMA;
        fmt = "conflict: the database schema changed since the transaction began; "
              "roll it back and retry";
        break;
    case MV_CONFLICT_WOUNDED:
        rc = CHORUS_CONFLICT;
        fmt = "conflict: an exclusive transaction (BEGIN IMMEDIATE) took over a row this "
              "transaction had written; roll it back and retry";
        break;
    case MV_DOOMED:
        rc = CHORUS_CONFLICT;
        fmt = "conflict: the transaction already lost a conflict (at %s); roll it back";
        break;
    default:
        rc = CHORUS_NOMEM;
        break;
    }
    if (msg_out != NULL) {
        *msg_out = NULL;
        if (fmt != NULL) {
            char *what = describe(object_kind ? object_kind : "table",
                                  object_name ? object_name : "?", rowid, key_text);
            if (what != NULL)
                *msg_out = common_mprintf(fmt, what);
            free(what);
        }
    }
    return rc;
}

/* Whether node n holds the UNIQUE key of k: the same key bytes, or the
 * same leading part of them (map->same_unique, mv_index_open_prefix). */
static bool
same_unique_key(const mv_map *map, const mv_node *n, const mv_key *k)
{
    mv_key probe = {k->bytes, k->nbytes, n->rowid};

    if (map->same_unique != NULL)
        return map->same_unique(map->compare_ctx, mv_node_key(n), n->key_len, k->bytes,
                                k->nbytes) == 0;
    return mv_skip_compare(map, n, &probe) == 0;
}

/*
 * The first node of the run holding k's UNIQUE key (the run is adjacent in
 * the map's order): the seek to (key bytes, smallest rowid) when the key
 * bytes are the whole UNIQUE key; else back from k's place while the
 * UNIQUE key stays the same. The caller walks forward from it while
 * same_unique_key() holds, skipping k's own node.
 */
static mv_node *
unique_run_first(mv_map *map, const mv_key *k)
{
    mv_key probe = {k->bytes, k->nbytes, INT64_MIN};
    mv_node *first;

    if (map->same_unique == NULL)
        return mv_skip_seek_ge(map, &probe);
    first = mv_skip_seek_ge(map, k);
    probe = *k;
    for (mv_node *p = mv_skip_seek_lt(map, &probe); p != NULL && same_unique_key(map, p, k);
         p = mv_skip_seek_lt(map, &probe)) {
        first = p;
        probe = (mv_key){mv_node_key(p), p->key_len, p->rowid};
    }
    return first;
}

/* Whether node n is k's own (the same whole key: the same entry). */
static bool
is_own_node(const mv_map *map, const mv_node *n, const mv_key *k)
{
    return mv_skip_compare(map, n, k) == 0;
}

/* Insert-time check of a UNIQUE key against other entries. */
mv_outcome
mv_unique_check_insert(mv_tx *tx, mv_map *map, const mv_key *k)
{
    mv_outcome result = MV_OK;

    mv_epoch_enter(tx);
    for (mv_node *n = unique_run_first(map, k); n != NULL && same_unique_key(map, n, k);
         n = mv_skip_next(map, n)) {
        mv_version *v, *e;
        uintptr_t h;

        if (is_own_node(map, n, k))
            continue;
        if (mv_chain_read(tx, n, &v) == MV_ROW) {
            result = MV_EXISTS;
            break;
        }
        e = mv_chain_effective(tx, n, &h);
        if (e == NULL || e->kind != MV_KIND_ROW)
            continue;
        uint64_t b = atomic_load_explicit(&e->begin, memory_order_acquire);
        mv_resolved r = mv_stamp_settle(tx->db, &e->begin, b, tx->snapshot);
        if (r.kind == MV_TX_ACTIVE && tx->is_exclusive) {
            /* mvcc R20: the exclusive writer aborts the other inserter. */
            b = atomic_load_explicit(&e->begin, memory_order_acquire);
            if (!mv_stamp_is_txid(b) || mv_tx_wound(tx, b))
                continue;
        }
        if (r.kind == MV_TX_ACTIVE || r.kind == MV_TX_PREPARING) {
            result = MV_CONFLICT_ACTIVE;
            break;
        }
        if (r.kind == MV_TX_COMMITTED && r.ts != MV_STAMP_INF && r.ts > tx->snapshot) {
            result = MV_CONFLICT_COMMITTED;
            break;
        }
    }
    mv_epoch_leave(tx);
    return result;
}

/* Does the entry version e, written by someone else, beat us (mvcc R9)? */
static bool
entry_wins(mv_tx *tx, mv_version *e)
{
    uint64_t b = atomic_load_explicit(&e->begin, memory_order_acquire);
    unsigned round = 0;

    for (;;) {
        if (!mv_stamp_is_txid(b))
            return b != MV_STAMP_INF;       /* committed (INF: aborted) */
        mv_resolved r = mv_stamp_resolve(tx->db, b);
        switch (r.kind) {
        case MV_RESOLVE_STALE:
            b = atomic_load_explicit(&e->begin, memory_order_acquire);
            continue;
        case MV_TX_COMMITTED:
            return true;
        case MV_TX_PREPARING:
            if (r.ts != 0)
                return r.ts < tx->end_ts;
            if (++round > 64)
                sched_yield();      /* its timestamp is being taken: wait for it */
            continue;
        default:
            return false;           /* ACTIVE or ABORTED */
        }
    }
}

mv_outcome
mv_unique_check_commit(mv_tx *tx, const mv_write *w)
{
    mv_node *own = w->node;
    mv_key k = {mv_node_key(own), own->key_len, own->rowid};
    mv_outcome result = MV_OK;
    uintptr_t h;

    mv_epoch_enter(tx);
    mv_version *mine = mv_chain_effective(tx, own, &h);
    if (mine == NULL || mine->kind != MV_KIND_ROW)
        goto done;      /* we removed the entry again */
    for (mv_node *n = unique_run_first(w->map, &k); n != NULL && same_unique_key(w->map, n, &k);
         n = mv_skip_next(w->map, n)) {
        if (is_own_node(w->map, n, &k))
            continue;
        mv_version *e = mv_chain_effective(tx, n, &h);
        if (e == NULL || e->kind != MV_KIND_ROW)
            continue;
        if (atomic_load_explicit(&e->begin, memory_order_acquire) == tx->id)
            continue;
        if (entry_wins(tx, e)) {
            result = MV_CONFLICT_UNIQUE;
            break;
        }
    }
done:
    mv_epoch_leave(tx);
    return result;
}
