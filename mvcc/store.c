/*
 * mvcc/store.c: the version store: the mv_db object, its registry of table
 * and index maps, the row and index entry operations, and cursors.
 *
 * A table map orders rowids; an index map orders (key bytes, rowid) with the
 * index's comparison. Each key has a version chain (chain.c). An index
 * map's versions may carry a row (keyed rows, mv_index_put_row: a WITHOUT
 * ROWID table keyed by its PRIMARY KEY); a plain entry's carry no bytes. Reads take
 * the first version visible to the snapshot (mvcc R5); writes go through
 * mv_chain_write() and the first-updater-wins rule (mvcc R8).
 *
 * Invariants
 *   D1  A map, once registered, lives until mv_db_close() or until it is
 *       dropped and reclaimed (D3). A dropped map (mv_db_drop_map) stays in
 *       the registry until then, skipped by every lookup and by mv_db_maps(),
 *       so its id can name a new map.
 *   D2  Every operation that walks nodes or chains runs inside an epoch
 *       section of its transaction; a cursor keeps one open while it lives.
 *       A walk over mv_db_maps() enters its section before taking the list.
 *   D3  A dropped map is reclaimed (mv_db_reclaim_dropped, from GC's
 *       live-snapshot refresh) once its dropped_at is at or below every
 *       live snapshot and the horizon: only a transaction whose snapshot is
 *       below dropped_at can hold it (it got it from a lookup before the
 *       drop, D1), and it touches it only while that snapshot is live or
 *       inside an epoch section (a cursor's, its commit's or abort's). The
 *       map leaves the registry under mu and is freed through ck_epoch after
 *       a grace period, so a walker that took it before is done with it. A
 *       new map for a reused id then needs no valid_from: every snapshot is
 *       at or above the old dropped_at.
 *
 * Locking: db->mu guards the registry (cold path: open of a table or index);
 * nothing else here takes a lock.
 * Ownership: the mv_db owns maps, nodes and versions; callers borrow maps.
 * Callers: the integration (catalog row writes, VM cursors), tests.
 */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "mvcc_int.h"

struct mv_cursor {
    mv_tx *tx;          /* borrowed; outlives the cursor */
    mv_map *map;        /* borrowed from the mv_db */
    mv_node *node;      /* current node; protected by the open epoch section */
    bool suspended;     /* outside its epoch section, node NULL (mv_cursor_suspend) */
};

/* --- the database ---------------------------------------------------------- */

int
mv_db_open(uint64_t first_ts, mv_db **out)
{
    mv_db *db;

    *out = NULL;
    db = aligned_alloc(64, (sizeof *db + 63) & ~(size_t)63);
    if (db == NULL)
        return CHORUS_NOMEM;
    memset(db, 0, sizeof *db);
    atomic_init(&db->clock, first_ts);
    ck_epoch_init(&db->epoch);
    pthread_mutex_init(&db->mu, NULL);
    pthread_mutex_init(&db->gc_mu, NULL);
    pthread_mutex_init(&db->gate_mu, NULL);
    pthread_condattr_t attr;
    pthread_condattr_init(&attr);
    pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);     /* tx.c gate waits */
    pthread_cond_init(&db->gate_cv, &attr);
    pthread_condattr_destroy(&attr);
    *out = db;
    return CHORUS_OK;
}

void
mv_db_close(mv_db *db)
{
    if (db == NULL)
        return;
    for (uint32_t i = 0; i < db->n_records; i++)
        ck_epoch_reclaim(db->records[i]);           /* quiescent: what still waits (D3) */
    for (uint32_t i = 0; i < db->n_maps; i++) {
        mv_map_destroy(db->maps[i]);
        free(db->maps[i]);
    }
    free(db->maps);
    mv_gc_free_snapset(atomic_load_explicit(&db->snapset, memory_order_relaxed));
    for (uint32_t i = 0; i < db->n_records; i++)
        free(db->records[i]);
    free(db->records);
    for (uint32_t c = 0; c < MV_SLOT_CHUNKS; c++)
        free(atomic_load_explicit(&db->slot_chunks[c], memory_order_relaxed));
    pthread_mutex_destroy(&db->mu);
    pthread_mutex_destroy(&db->gc_mu);
    pthread_mutex_destroy(&db->gate_mu);
    pthread_cond_destroy(&db->gate_cv);
    free(db);
}

void
mv_db_attach_log(mv_db *db, mv_log *log)
{
    /* Release: pairs with mv_tx_commit()'s acquire load. */
    atomic_store_explicit(&db->log, log, memory_order_release);
}

mv_count_stripe *
mv_count_stripe_here(mv_db *db)
{
    static _Atomic unsigned next_stripe;
    static _Thread_local int stripe = -1;

    /* Relaxed: any spread of threads over stripes is correct. */
    if (stripe < 0)
        stripe = (int)(atomic_fetch_add_explicit(&next_stripe, 1, memory_order_relaxed) %
                       MV_COUNT_STRIPES);
    return &db->counts[stripe];
}

void
mv_db_stats(mv_db *db, mv_stats *out)
{
    /* Relaxed: statistics; nothing is ordered by them. */
    memset(out, 0, sizeof *out);
    for (int i = 0; i < MV_COUNT_STRIPES; i++) {
        const mv_count_stripe *c = &db->counts[i];
        out->n_versions += atomic_load_explicit(&c->n_versions, memory_order_relaxed);
        out->n_versions_live += atomic_load_explicit(&c->n_versions_live, memory_order_relaxed);
        out->n_nodes += atomic_load_explicit(&c->n_nodes, memory_order_relaxed);
        out->bytes_versions += atomic_load_explicit(&c->bytes_versions, memory_order_relaxed);
    }
    out->n_commits = atomic_load_explicit(&db->n_commits, memory_order_relaxed);
    out->n_aborts = atomic_load_explicit(&db->n_aborts, memory_order_relaxed);
    pthread_mutex_lock(&db->mu);
    out->n_maps = db->n_maps;
    out->n_maps_dropped = atomic_load_explicit(&db->n_dropped, memory_order_relaxed);
    pthread_mutex_unlock(&db->mu);
}

/* --- maps ---------------------------------------------------------------- */

int
mv_map_init(mv_map *map, mv_db *db, uint32_t id, bool is_index, const char *name,
            mv_key_compare compare, mv_key_compare same_unique, void *compare_ctx)
{
    mv_key none = {NULL, 0, 0};

    memset(map, 0, sizeof *map);
    map->db = db;
    map->id = id;
    map->is_index = is_index;
    map->compare = compare;
    map->same_unique = same_unique;
    map->compare_ctx = compare_ctx;
    map->name = common_mprintf("%s", name ? name : "?");
    map->head = malloc(sizeof(mv_node) + MV_MAX_HEIGHT * sizeof(uintptr_t));
    if (map->name == NULL || map->head == NULL) {
        free(map->name);
        free(map->head);
        return CHORUS_NOMEM;
    }
    atomic_init(&map->head->head, 0);
    map->head->rowid = none.rowid;
    map->head->key_len = 0;
    map->head->height = MV_MAX_HEIGHT;
    atomic_init(&map->head->linked, 1);
    atomic_init(&map->head->gc_busy, 0);
    for (int i = 0; i < MV_MAX_HEIGHT; i++)
        atomic_init(&map->head->next[i], 0);
    atomic_init(&map->max_rowid, 0);
    return CHORUS_OK;
}

void
mv_map_destroy(mv_map *map)
{
    mv_node *n = (mv_node *)(atomic_load_explicit(&map->head->next[0], memory_order_relaxed) &
                             ~MV_LINK_MARK);

    while (n != NULL) {
        mv_node *next = (mv_node *)(atomic_load_explicit(&n->next[0], memory_order_relaxed) &
                                    ~MV_LINK_MARK);
        mv_version *v = mv_node_head(n);
        while (v != NULL) {
            mv_version *older = atomic_load_explicit(&v->older, memory_order_relaxed);
            mv_version_free(map->db, v);
            /* Relaxed: statistics only. */
            MV_COUNT(map->db, n_versions_live, -1);
            v = older;
        }
        MV_COUNT(map->db, n_nodes, -1);
        free(n);
        n = next;
    }
    free(map->head);
    free(map->name);
}

mv_map *
mv_db_map_by_id(mv_db *db, uint32_t id, bool is_index)
{
    mv_map *found = NULL;

    pthread_mutex_lock(&db->mu);
    for (uint32_t i = 0; i < db->n_maps && found == NULL; i++) {
        if (db->maps[i]->id == id && db->maps[i]->is_index == is_index && !db->maps[i]->dropped)
            found = db->maps[i];
    }
    pthread_mutex_unlock(&db->mu);
    return found;
}

int
mv_db_maps(mv_db *db, mv_map ***out, uint32_t *n_out)
{
    int rc = CHORUS_OK;

    pthread_mutex_lock(&db->mu);
    *n_out = 0;
    *out = malloc((db->n_maps + 1) * sizeof **out);
    if (*out == NULL)
        rc = CHORUS_NOMEM;
    for (uint32_t i = 0; *out != NULL && i < db->n_maps; i++)
        if (!db->maps[i]->dropped)
            (*out)[(*n_out)++] = db->maps[i];
    pthread_mutex_unlock(&db->mu);
    return rc;
}

void
mv_db_drop_map(mv_db *db, uint32_t id, bool is_index)
{
    pthread_mutex_lock(&db->mu);
    for (uint32_t i = 0; i < db->n_maps; i++)
        if (db->maps[i]->id == id && db->maps[i]->is_index == is_index &&
            !db->maps[i]->dropped) {
            db->maps[i]->dropped = true;        /* D1: kept until reclaimed (D3) */
            /* Relaxed: written under mu; a racy read only delays a reclaim. */
            atomic_fetch_add_explicit(&db->n_dropped, 1, memory_order_relaxed);
            /* Acquire: the dropping transaction holds the gate and the
             * pager's writer lock, so neither a commit nor a checkpoint
             * moves the clock before its B-tree commit: a snapshot at or
             * above clock + 1 is taken after that commit (R21). */
            db->maps[i]->dropped_at = atomic_load_explicit(&db->clock, memory_order_acquire) + 1;
        }
    pthread_mutex_unlock(&db->mu);
}

CK_EPOCH_CONTAINER(mv_map, reclaim, map_of_reclaim)

static void
map_reclaim_cb(ck_epoch_entry_t *entry)
{
    mv_map *map = map_of_reclaim(entry);

    mv_map_destroy(map);
    free(map);
}

uint32_t
mv_db_reclaim_dropped(mv_tx *tx, uint64_t oldest)
{
    mv_db *db = tx->db;
    uint32_t kept = 0, n_maps;

    /* Relaxed: see n_dropped; most refreshes stop here. */
    if (atomic_load_explicit(&db->n_dropped, memory_order_relaxed) == 0)
        return 0;
    pthread_mutex_lock(&db->mu);
    for (uint32_t i = 0; i < db->n_maps; i++) {
        mv_map *map = db->maps[i];
        if (map->dropped && map->dropped_at <= oldest) {
            atomic_fetch_sub_explicit(&db->n_dropped, 1, memory_order_relaxed);
            ck_epoch_call(tx->epoch, &map->reclaim, map_reclaim_cb);    /* D3 */
        } else {
            db->maps[kept++] = map;
        }
    }
    n_maps = db->n_maps;
    db->n_maps = kept;
    pthread_mutex_unlock(&db->mu);
    return n_maps - kept;
}

void
mv_db_drop_maps(mv_db *db)
{
    mv_map **maps;
    uint32_t n;

    if (mv_db_maps(db, &maps, &n) != CHORUS_OK)
        return;
    for (uint32_t i = 0; i < n; i++)
        mv_db_drop_map(db, maps[i]->id, maps[i]->is_index);
    free(maps);
}

static bool
map_usable(const mv_map *map, const mv_tx *tx)
{
    return tx->is_exclusive || tx->snapshot >= map->valid_from;
}

bool
mv_table_usable(const mv_table *table, const mv_tx *tx)
{
    return map_usable(&table->map, tx);
}

bool
mv_index_usable(const mv_index *index, const mv_tx *tx)
{
    return map_usable(&index->map, tx);
}

/* Finds or creates the map (D1). */
static int
map_open(mv_db *db, uint32_t id, bool is_index, const char *name, mv_key_compare compare,
         mv_key_compare same_unique, void *ctx, mv_map **out)
{
    mv_map *map;
    int rc = CHORUS_OK;

    *out = NULL;
    pthread_mutex_lock(&db->mu);
    for (uint32_t i = 0; i < db->n_maps; i++) {
        if (db->maps[i]->id == id && db->maps[i]->is_index == is_index && !db->maps[i]->dropped) {
            *out = db->maps[i];
            goto done;
        }
    }
    if (db->n_maps == db->cap_maps) {
        uint32_t cap = db->cap_maps ? db->cap_maps * 2 : 16;
        mv_map **grown = realloc(db->maps, cap * sizeof *grown);
        if (grown == NULL) {
            rc = CHORUS_NOMEM;
            goto done;
        }
        db->maps = grown;
        db->cap_maps = cap;
    }
    /* A table or index wrapper is the map itself (struct mv_table starts with it). */
    map = malloc(sizeof(struct mv_table) > sizeof(struct mv_index) ? sizeof(struct mv_table)
                                                                    : sizeof(struct mv_index));
    if (map == NULL || (rc = mv_map_init(map, db, id, is_index, name, compare, same_unique, ctx)) != CHORUS_OK) {
        free(map);
        rc = CHORUS_NOMEM;
        goto done;
    }
    /* R21: a reused id, whatever the dropped map's kind (a WITHOUT ROWID
     * table's map is an index map; its root may come back as a table). */
    for (uint32_t i = 0; i < db->n_maps; i++)
        if (db->maps[i]->id == id && db->maps[i]->dropped_at > map->valid_from)
            map->valid_from = db->maps[i]->dropped_at;
    db->maps[db->n_maps++] = map;
    *out = map;
done:
    pthread_mutex_unlock(&db->mu);
    return rc;
}

int
mv_table_open(mv_db *db, uint32_t id, const char *name, mv_table **out)
{
    mv_map *map;
    int rc = map_open(db, id, false, name, NULL, NULL, NULL, &map);

    *out = (mv_table *)map;
    return rc;
}

int
mv_index_open(mv_db *db, uint32_t id, const char *name, mv_key_compare compare,
              void *compare_ctx, mv_index **out)
{
    return mv_index_open_prefix(db, id, name, compare, NULL, compare_ctx, out);
}

int
mv_index_open_prefix(mv_db *db, uint32_t id, const char *name, mv_key_compare compare,
                     mv_key_compare same_unique, void *compare_ctx, mv_index **out)
{
    mv_map *map;
    int rc = map_open(db, id, true, name, compare, same_unique, compare_ctx, &map);

    *out = (mv_index *)map;
    return rc;
}

const char *
mv_table_name(const mv_table *table)
{
    return table->map.name;
}

uint32_t
mv_table_id(const mv_table *table)
{
    return table->map.id;
}

const char *
mv_index_name(const mv_index *index)
{
    return index->map.name;
}

/* --- rowid allocator (mvcc R10) -------------------------------------------- */

int64_t
mv_table_rowid_next(mv_table *table)
{
    /* Relaxed: uniqueness comes from the atomic read-modify-write itself;
     * no other memory is ordered by a rowid. */
    int64_t prev = atomic_fetch_add_explicit(&table->map.max_rowid, 1, memory_order_relaxed);
    return prev == INT64_MAX ? 0 : prev + 1;
}

void
mv_table_rowid_seen(mv_table *table, int64_t rowid)
{
    int64_t cur = atomic_load_explicit(&table->map.max_rowid, memory_order_relaxed);

    /* Relaxed: as in mv_table_rowid_next(). */
    while (rowid > cur && !atomic_compare_exchange_weak_explicit(&table->map.max_rowid, &cur, rowid,
                                                                 memory_order_relaxed,
                                                                 memory_order_relaxed)) {
    }
}

/* --- rows and entries ----------------------------------------------------------- */

static mv_outcome
write_entry(mv_tx *tx, mv_map *map, const mv_key *k, enum mv_write_op op, uint8_t kind,
            const void *data, uint32_t nbytes, bool check_unique)
{
    if (!tx->is_open)
        return MV_DOOMED;
    if (tx->doom != MV_OK)
        return MV_DOOMED;
    if (mv_tx_is_wounded(tx)) {         /* mvcc R20: an exclusive writer aborted us */
        mv_tx_doom(tx, MV_CONFLICT_WOUNDED);
        return MV_CONFLICT_WOUNDED;
    }
    return mv_chain_write(tx, map, k, op, kind, data, nbytes, check_unique);
}

mv_outcome
mv_table_insert(mv_tx *tx, mv_table *table, int64_t rowid, const void *rec, uint32_t nbytes)
{
    mv_key k = {NULL, 0, rowid};
    return write_entry(tx, &table->map, &k, MV_OP_INSERT, MV_KIND_ROW, rec, nbytes, false);
}

mv_outcome
mv_table_update(mv_tx *tx, mv_table *table, int64_t rowid, const void *rec, uint32_t nbytes)
{
    mv_key k = {NULL, 0, rowid};
    return write_entry(tx, &table->map, &k, MV_OP_UPDATE, MV_KIND_ROW, rec, nbytes, false);
}

mv_outcome
mv_table_delete(mv_tx *tx, mv_table *table, int64_t rowid)
{
    mv_key k = {NULL, 0, rowid};
    return write_entry(tx, &table->map, &k, MV_OP_DELETE, MV_KIND_TOMBSTONE, NULL, 0, false);
}

mv_outcome
mv_table_get(mv_tx *tx, mv_table *table, int64_t rowid, const void **rec_out,
             uint32_t *nbytes_out)
{
    mv_key k = {NULL, 0, rowid};
    mv_version *v = NULL;
    mv_outcome o = MV_ABSENT;

    *rec_out = NULL;
    *nbytes_out = 0;
    if (!tx->is_open || tx->doom != MV_OK)
        return MV_DOOMED;
    mv_epoch_enter(tx);
    mv_node *node = mv_skip_find(&table->map, &k);
    if (node != NULL)
        o = mv_chain_read(tx, node, &v);
    mv_epoch_leave(tx);
    if (o == MV_ROW) {
        /* Borrowed until the transaction ends: a version visible to a live
         * snapshot is never unlinked (chain.c C4). */
        *rec_out = v->data;
        *nbytes_out = v->nbytes;
    }
    return o;
}

mv_outcome
mv_index_insert(mv_tx *tx, mv_index *index, const void *key, uint32_t nbytes, int64_t rowid,
                bool is_unique)
{
    mv_key k = {key, nbytes, rowid};

    if (!tx->is_open || tx->doom != MV_OK)
        return MV_DOOMED;
    if (is_unique) {
        mv_outcome o = mv_unique_check_insert(tx, &index->map, &k);
        if (o == MV_CONFLICT_ACTIVE || o == MV_CONFLICT_COMMITTED)
            mv_tx_doom(tx, o);
        if (o != MV_OK)
            return o;
    }
    return write_entry(tx, &index->map, &k, MV_OP_INSERT, MV_KIND_ROW, NULL, 0, is_unique);
}

mv_outcome
mv_index_delete(mv_tx *tx, mv_index *index, const void *key, uint32_t nbytes, int64_t rowid)
{
    mv_key k = {key, nbytes, rowid};
    return write_entry(tx, &index->map, &k, MV_OP_DELETE, MV_KIND_TOMBSTONE, NULL, 0, false);
}

mv_outcome
mv_index_put_row(mv_tx *tx, mv_index *index, const void *key, uint32_t nkey, const void *rec,
                 uint32_t nrec)
{
    mv_key k = {key, nkey, 0};
    return write_entry(tx, &index->map, &k, MV_OP_INSERT, MV_KIND_ROW, rec, nrec, false);
}

/* --- cursors ----------------------------------------------------------------- */

static int
cursor_open(mv_tx *tx, mv_map *map, mv_cursor **out)
{
    mv_cursor *cur = malloc(sizeof *cur);

    *out = NULL;
    if (cur == NULL)
        return CHORUS_NOMEM;
    cur->tx = tx;
    cur->map = map;
    cur->node = NULL;
    cur->suspended = false;
    mv_epoch_enter(tx);         /* D2: left in mv_cursor_close() or mv_cursor_suspend() */
    *out = cur;
    return CHORUS_OK;
}

int
mv_cursor_open_table(mv_tx *tx, mv_table *table, mv_cursor **out)
{
    return cursor_open(tx, &table->map, out);
}

int
mv_cursor_open_index(mv_tx *tx, mv_index *index, mv_cursor **out)
{
    return cursor_open(tx, &index->map, out);
}

void
mv_cursor_close(mv_cursor *cur)
{
    if (cur == NULL)
        return;
    if (!cur->suspended)
        mv_epoch_leave(cur->tx);
    free(cur);
}

void
mv_cursor_suspend(mv_cursor *cur)
{
    if (cur->suspended)
        return;
    cur->node = NULL;           /* D2: no longer protected */
    cur->suspended = true;
    mv_epoch_leave(cur->tx);
}

void
mv_cursor_resume(mv_cursor *cur)
{
    if (!cur->suspended)
        return;
    mv_epoch_enter(cur->tx);
    cur->suspended = false;
}

bool
mv_cursor_seek_rowid(mv_cursor *cur, int64_t rowid)
{
    mv_key k = {NULL, 0, rowid};
    cur->node = mv_skip_seek_ge(cur->map, &k);
    return cur->node != NULL;
}

bool
mv_cursor_seek_key(mv_cursor *cur, const void *key, uint32_t nbytes, int64_t rowid)
{
    mv_key k = {key, nbytes, rowid};
    cur->node = mv_skip_seek_ge(cur->map, &k);
    return cur->node != NULL;
}

bool
mv_cursor_first(mv_cursor *cur)
{
    cur->node = mv_skip_first(cur->map);
    return cur->node != NULL;
}

bool
mv_cursor_last(mv_cursor *cur)
{
    cur->node = mv_skip_last(cur->map);
    return cur->node != NULL;
}

bool
mv_cursor_next(mv_cursor *cur)
{
    if (cur->node != NULL)
        cur->node = mv_skip_next(cur->map, cur->node);
    return cur->node != NULL;
}

bool
mv_cursor_prev(mv_cursor *cur)
{
    if (cur->node != NULL) {
        mv_key k = {mv_node_key(cur->node), cur->node->key_len, cur->node->rowid};
        cur->node = mv_skip_seek_lt(cur->map, &k);
    }
    return cur->node != NULL;
}

bool
mv_cursor_valid(const mv_cursor *cur)
{
    return cur->node != NULL;
}

int64_t
mv_cursor_rowid(const mv_cursor *cur)
{
    return cur->node != NULL ? cur->node->rowid : 0;
}

const void *
mv_cursor_key(const mv_cursor *cur, uint32_t *nbytes_out)
{
    if (cur->node == NULL) {
        *nbytes_out = 0;
        return NULL;
    }
    *nbytes_out = cur->node->key_len;
    return mv_node_key(cur->node);
}

mv_outcome
mv_cursor_row(mv_cursor *cur, const void **rec_out, uint32_t *nbytes_out)
{
    mv_version *v;
    mv_outcome o;

    if (rec_out != NULL)
        *rec_out = NULL;
    if (nbytes_out != NULL)
        *nbytes_out = 0;
    if (cur->node == NULL)
        return MV_ABSENT;
    if (cur->tx->doom != MV_OK)
        return MV_DOOMED;
    o = mv_chain_read(cur->tx, cur->node, &v);
    if (o == MV_ROW) {
        if (rec_out != NULL)
            *rec_out = v->data;
        if (nbytes_out != NULL)
            *nbytes_out = v->nbytes;
    }
    return o;
}
