/*
 * mvcc/skiplist.c: the ordered concurrent map behind every table and index
 * version map (MVCC.md §3.3, option 1): a skiplist with lock-free inserts,
 * wait-free reads and deletes done by GC alone.
 *
 * Keys are a rowid (tables) or key bytes then rowid (indexes). A node carries
 * the key and the head of the key's version chain (mvcc R4); nodes are never
 * changed in place except for their links, their head and their flags.
 *
 * Insert (mvcc R4): search the predecessors and successors on every level,
 * CAS the level-0 link (the linearization point), then link the upper levels
 * bottom-up, searching again when a CAS loses. A key that already has a live
 * node is never inserted twice: the level-0 CAS expects the successor the
 * search saw, so of two racing inserters of one key the loser searches again
 * and finds the winner's node. Writers find-or-insert in that one search
 * (mv_skip_find_or_insert), allocating a node only for a key not there.
 *
 * Removal (mvcc R11c): GC seals a node's head first (MV_HEAD_SEALED), so no
 * writer can publish into it any more, then marks every next link (new
 * inserts after it fail their CAS and retry), then unlinks it level by level,
 * finding its predecessor by identity, and retires it through epochs. A key
 * whose node is sealed may get a new node meanwhile; it is linked before the
 * sealed one, and readers skip sealed nodes.
 *
 * Invariants
 *   L1  At level 0, nodes are in ascending key order; equal keys appear only
 *       as one live node followed by sealed ones.
 *   L2  A node is reachable at level i only after it is reachable at level 0.
 *   L3  Only GC marks links or unlinks nodes, one node at a time (the caller
 *       holds the node's gc_busy flag and a sealed head), and only nodes
 *       whose linked flag is set.
 *   L4  A node is freed only after a grace period (mv_retire).
 *
 * Locking: none; readers must be inside an epoch section (mv_epoch_enter).
 * Callers: mvcc/chain.c, mvcc/store.c (cursors), mvcc/gc.c.
 */
#include <sched.h>
#include <stdlib.h>
#include <string.h>

#include "mvcc_int.h"

static inline mv_node *
link_node(uintptr_t link)
{
    return (mv_node *)(link & ~MV_LINK_MARK);
}

static inline mv_node *
next_at(mv_node *n, int level)
{
    /* Acquire: a node reached through a link has its fields visible (pairs
     * with the release CAS that linked it). */
    return link_node(atomic_load_explicit(&n->next[level], memory_order_acquire));
}

static inline bool
node_is_live(mv_node *n)
{
    /* Acquire: pairs with the seal CAS in gc.c; a sealed node is skipped. */
    return (atomic_load_explicit(&n->head, memory_order_acquire) & MV_HEAD_SEALED) == 0;
}

static void
backoff(unsigned *round)
{
    if (++*round < 32)
        __builtin_ia32_pause();
    else
        sched_yield();
}

static int
bytes_compare(const uint8_t *a, uint32_t na, const uint8_t *b, uint32_t nb)
{
    int c = memcmp(a, b, na < nb ? na : nb);

    if (c != 0)
        return c;
    return na < nb ? -1 : na > nb;
}

int
mv_skip_compare(const mv_map *map, const mv_node *n, const mv_key *k)
{
    if (map->is_index) {
        int c = map->compare != NULL
                    ? map->compare(map->compare_ctx, mv_node_key(n), n->key_len, k->bytes, k->nbytes)
                    : bytes_compare(mv_node_key(n), n->key_len, k->bytes, k->nbytes);
        if (c != 0)
            return c;
    }
    return n->rowid < k->rowid ? -1 : n->rowid > k->rowid;
}

/* n orders before k: the search loops' test, a plain rowid comparison in
 * a table map. */
static inline bool
node_before(const mv_map *map, const mv_node *n, const mv_key *k)
{
    if (!map->is_index)
        return n->rowid < k->rowid;
    return mv_skip_compare(map, n, k) < 0;
}

static mv_key
node_key(const mv_node *n)
{
    mv_key k = {mv_node_key(n), n->key_len, n->rowid};
    return k;
}

/* Geometric height with p = 1/4 from a per-thread xorshift generator. */
static uint8_t
random_height(void)
{
    static _Thread_local uint64_t state;
    uint64_t x;
    uint8_t h = 1;

    if (state == 0)
        state = ((uint64_t)(uintptr_t)&state ^ (uint64_t)common_now_ns()) | 1;
    x = state;
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    state = x;
    while (h < MV_MAX_HEIGHT && (x & 3) == 0) {
        h++;
        x >>= 2;
    }
    return h;
}

/* Owned: freed by mv_free_item() or mv_map_destroy(). NULL on no memory. */
mv_node *
mv_skip_node_new(const mv_key *k, mv_version *head)
{
    uint8_t height = random_height();
    size_t size = sizeof(mv_node) + height * sizeof(uintptr_t) + k->nbytes;
    mv_node *n = malloc(size);

    if (n == NULL)
        return NULL;
    atomic_init(&n->head, (uintptr_t)head);
    n->rowid = k->rowid;
    n->key_len = k->nbytes;
    n->height = height;
    atomic_init(&n->linked, 0);
    atomic_init(&n->gc_busy, 0);
    for (int i = 0; i < height; i++)
        atomic_init(&n->next[i], 0);
    if (k->nbytes > 0)
        memcpy((uint8_t *)mv_node_key(n), k->bytes, k->nbytes);
    return n;
}

/* Fills preds/succs: on each level the last node < k and the first >= k. */
static void
search(mv_map *map, const mv_key *k, mv_node **preds, mv_node **succs)
{
    mv_node *pred = map->head;

    for (int level = MV_MAX_HEIGHT - 1; level >= 0; level--) {
        mv_node *curr = next_at(pred, level);

        while (curr != NULL && node_before(map, curr, k)) {
            pred = curr;
            curr = next_at(curr, level);
        }
        preds[level] = pred;
        succs[level] = curr;
    }
}

/* The first node >= k at level 0 (live or not). */
static mv_node *
lower_bound(mv_map *map, const mv_key *k)
{
    mv_node *pred = map->head, *curr = NULL;

    for (int level = MV_MAX_HEIGHT - 1; level >= 0; level--) {
        curr = next_at(pred, level);
        while (curr != NULL && node_before(map, curr, k)) {
            pred = curr;
            curr = next_at(curr, level);
        }
    }
    return curr;
}

static mv_node *
skip_dead(mv_node *n)
{
    while (n != NULL && !node_is_live(n))
        n = next_at(n, 0);
    return n;
}

mv_node *
mv_skip_find(mv_map *map, const mv_key *k)
{
    for (mv_node *n = lower_bound(map, k); n != NULL && mv_skip_compare(map, n, k) == 0;
         n = next_at(n, 0)) {
        if (node_is_live(n))
            return n;
    }
    return NULL;
}

mv_node *
mv_skip_seek_ge(mv_map *map, const mv_key *k)
{
    return skip_dead(lower_bound(map, k));
}

mv_node *
mv_skip_first(mv_map *map)
{
    return skip_dead(next_at(map->head, 0));
}

mv_node *
mv_skip_next(mv_map *map, mv_node *n)
{
    (void)map;
    return skip_dead(next_at(n, 0));
}

mv_node *
mv_skip_seek_lt(mv_map *map, const mv_key *k)
{
    mv_node *preds[MV_MAX_HEIGHT], *succs[MV_MAX_HEIGHT];
    mv_key probe = *k;

    for (;;) {
        search(map, &probe, preds, succs);
        if (preds[0] == map->head)
            return NULL;
        if (node_is_live(preds[0]))
            return preds[0];
        probe = node_key(preds[0]);
    }
}

mv_node *
mv_skip_last(mv_map *map)
{
    mv_node *pred = map->head;

    for (int level = MV_MAX_HEIGHT - 1; level >= 0; level--) {
        for (mv_node *curr = next_at(pred, level); curr != NULL; curr = next_at(curr, level))
            pred = curr;
    }
    if (pred == map->head)
        return NULL;
    if (node_is_live(pred))
        return pred;
    mv_key k = node_key(pred);
    return mv_skip_seek_lt(map, &k);
}

/* Links node at levels 1.. after it is linked at level 0 (L2). */
static void
link_upper(mv_map *map, mv_node *node, const mv_key *k, mv_node **preds, mv_node **succs)
{
    unsigned round = 0;

    for (int level = 1; level < node->height; level++) {
        for (;;) {
            uintptr_t expected = (uintptr_t)succs[level];

            /* Relaxed: node is not reachable at this level yet; the CAS
             * below publishes the store. */
            atomic_store_explicit(&node->next[level], expected, memory_order_relaxed);
            /* Release: pairs with next_at()'s acquire at this level. */
            if (atomic_compare_exchange_strong_explicit(&preds[level]->next[level], &expected,
                                                        (uintptr_t)node, memory_order_release,
                                                        memory_order_relaxed))
                break;
            backoff(&round);
            search(map, k, preds, succs);
        }
    }
    /* Release: pairs with GC's acquire check in gc.c (L3). */
    atomic_store_explicit(&node->linked, 1, memory_order_release);
}

/*
 * The insert of mvcc R4 in one search: returns the live node with key k, or
 * links node (when NULL, one built from k and head once the search found no
 * live node, so a key that exists costs no allocation) and returns it.
 * *linked_out tells which; NULL on no memory. A built node that loses its
 * race to a node of the same key was never published and is freed here.
 */
static mv_node *
find_or_link(mv_map *map, const mv_key *k, mv_node *node, mv_version *head, bool *linked_out)
{
    mv_node *preds[MV_MAX_HEIGHT], *succs[MV_MAX_HEIGHT];
    bool built = node == NULL;
    unsigned round = 0;

    *linked_out = false;
    for (;;) {
        search(map, k, preds, succs);
        for (mv_node *n = succs[0]; n != NULL && mv_skip_compare(map, n, k) == 0;
             n = next_at(n, 0)) {
            if (node_is_live(n)) {
                if (built)
                    free(node);
                return n;
            }
        }
        if (node == NULL && (node = mv_skip_node_new(k, head)) == NULL)
            return NULL;
        for (int i = 0; i < node->height; i++)
            atomic_store_explicit(&node->next[i], (uintptr_t)succs[i], memory_order_relaxed);
        uintptr_t expected = (uintptr_t)succs[0];
        /* Release: node's fields and its head version become visible to a
         * reader whose acquire load of this link returns node (L1). A lost
         * race (failure: relaxed) searches again. */
        if (atomic_compare_exchange_strong_explicit(&preds[0]->next[0], &expected,
                                                    (uintptr_t)node, memory_order_release,
                                                    memory_order_relaxed))
            break;
        backoff(&round);
    }
    link_upper(map, node, k, preds, succs);
    *linked_out = true;
    return node;
}

mv_node *
mv_skip_insert(mv_map *map, mv_node *node)
{
    mv_key k = node_key(node);
    bool linked;

    return find_or_link(map, &k, node, NULL, &linked);
}

mv_node *
mv_skip_find_or_insert(mv_map *map, const mv_key *k, mv_version *head, bool *inserted_out)
{
    return find_or_link(map, k, NULL, head, inserted_out);
}

/* The node whose link at level points to node, or NULL when none does. */
static mv_node *
find_pred(mv_map *map, mv_node *node, const mv_key *k, int level)
{
    mv_node *pred = map->head, *curr;

    for (int l = MV_MAX_HEIGHT - 1; l > level; l--) {
        curr = next_at(pred, l);
        while (curr != NULL && node_before(map, curr, k)) {
            pred = curr;
            curr = next_at(curr, l);
        }
    }
    curr = next_at(pred, level);
    while (curr != NULL && curr != node && mv_skip_compare(map, curr, k) <= 0) {
        pred = curr;
        curr = next_at(curr, level);
    }
    return curr == node ? pred : NULL;
}

void
mv_skip_remove(mv_map *map, mv_node *node)
{
    mv_key k = node_key(node);
    unsigned round = 0;

    /* Acq_rel: the mark makes every later insert CAS on these links fail
     * (they expect an unmarked value), so nothing is linked after node. */
    for (int level = node->height - 1; level >= 0; level--)
        atomic_fetch_or_explicit(&node->next[level], MV_LINK_MARK, memory_order_acq_rel);
    for (int level = node->height - 1; level >= 0; level--) {
        for (;;) {
            mv_node *pred = find_pred(map, node, &k, level);
            if (pred == NULL)
                break;
            uintptr_t expected = (uintptr_t)node;
            uintptr_t succ = (uintptr_t)next_at(node, level);
            /* Release: a reader that follows pred's new link sees succ's
             * fields (they were published when succ was linked). */
            if (atomic_compare_exchange_strong_explicit(&pred->next[level], &expected, succ,
                                                        memory_order_release, memory_order_relaxed))
                break;
            backoff(&round);
        }
    }
}
