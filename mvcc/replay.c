/*
 * mvcc/replay.c: recovery's second half: the commit frames the log scan
 * hands over (log_recover.c, mvcc R15) become committed versions in the
 * store again (mvcc R16).
 *
 * R16 Replay. Each record of a frame (a keyed row put goes to an index map,
 * keyed by its key, carrying its record) is pushed on top of its key's chain as
 * a version with begin = the frame's commit timestamp and end = INF; the
 * version it covers gets end = that timestamp. Frames arrive in log order,
 * which is visibility order (R12), so every chain ends up newest first as
 * if the transactions had committed again. The clock is raised to the
 * frame's timestamp, so the next commit is stamped above everything
 * replayed and checkpoint marks written later keep comparing correctly.
 *
 * Invariants: recovery is single-threaded and runs before any mv_tx is
 * created, so plain stores are enough and no epoch section is needed (no
 * reader can hold a node or a version).
 * Ownership: versions and nodes go to the db's maps.
 * Callers: the store integration's log open (recovery), tests.
 */
#include <stdlib.h>

#include "mvcc_int.h"

/* The map a record belongs to, opened (created) on first use. */
static int
record_map(mv_db *db, const mv_log_record *r, mv_replay_map_fn map_fn, void *ctx, mv_map **out)
{
    bool is_index = r->op == MV_LOG_INDEX_PUT || r->op == MV_LOG_INDEX_DELETE ||
                    r->op == MV_LOG_KEYED_PUT;
    mv_key_compare compare = NULL, same_unique = NULL;
    void *compare_ctx = NULL;
    const char *name = NULL;
    mv_table *table;
    mv_index *index;
    int rc;

    *out = mv_db_map_by_id(db, r->object, is_index);
    if (*out != NULL)
        return CHORUS_OK;
    if (map_fn != NULL &&
        (rc = map_fn(ctx, r->object, is_index, &name, &compare, &same_unique, &compare_ctx)) !=
            CHORUS_OK)
        return rc;
    if (!is_index) {
        rc = mv_table_open(db, r->object, name != NULL ? name : "table", &table);
        *out = rc == CHORUS_OK ? &table->map : NULL;
        return rc;
    }
    rc = mv_index_open_prefix(db, r->object, name != NULL ? name : "index", compare, same_unique,
                              compare_ctx, &index);
    *out = rc == CHORUS_OK ? &index->map : NULL;
    return rc;
}

/* R16 for one record. */
static int
replay_record(mv_db *db, uint64_t ts, const mv_log_record *r, mv_map *map)
{
    bool is_put = r->op == MV_LOG_ROW_PUT || r->op == MV_LOG_INDEX_PUT ||
                  r->op == MV_LOG_KEYED_PUT;
    bool is_row = r->op == MV_LOG_ROW_PUT || r->op == MV_LOG_KEYED_PUT;
    bool keyed = r->op == MV_LOG_KEYED_PUT;
    mv_key k = {keyed ? r->key : map->is_index ? r->data : NULL,
                keyed ? r->nkey : map->is_index ? r->nbytes : 0, r->rowid};
    mv_version *v = mv_version_new(db, is_put ? MV_KIND_ROW : MV_KIND_TOMBSTONE,
                                   is_row ? r->data : NULL, is_row ? r->nbytes : 0);
    mv_node *node;

    if (v == NULL)
        return CHORUS_NOMEM;
    atomic_store_explicit(&v->begin, ts, memory_order_relaxed);
    node = mv_skip_find(map, &k);
    if (node == NULL) {
        node = mv_skip_node_new(&k, v);
        if (node == NULL) {
            mv_version_free(db, v);
            return CHORUS_NOMEM;
        }
        mv_skip_insert(map, node);      /* alone: it cannot lose a race */
        /* Relaxed: statistics only. */
        MV_COUNT(db, n_nodes, 1);
    } else {
        mv_version *old = mv_node_head(node);
        atomic_store_explicit(&v->older, old, memory_order_relaxed);
        if (old != NULL)
            atomic_store_explicit(&old->end, ts, memory_order_relaxed);
        /* Release: pairs with mv_node_head()'s acquire, as a publish would. */
        atomic_store_explicit(&node->head, (uintptr_t)v, memory_order_release);
    }
    /* Relaxed: statistics only. */
    MV_COUNT(db, n_versions_live, 1);
    if (!map->is_index)
        mv_table_rowid_seen((mv_table *)map, r->rowid);
    return CHORUS_OK;
}

int
mv_replay_frame(mv_db *db, const mv_log_frame *frame, mv_replay_map_fn map_fn, void *ctx)
{
    mv_log_record r;
    uint32_t pos = 0;
    mv_map *map;
    int more, rc;

    while ((more = mv_log_frame_next(frame, &pos, &r)) == 1) {
        rc = record_map(db, &r, map_fn, ctx, &map);
        if (rc == CHORUS_OK)
            rc = replay_record(db, frame->commit_ts, &r, map);
        if (rc != CHORUS_OK)
            return rc;
    }
    if (more != 0)
        return more;
    if (atomic_load_explicit(&db->clock, memory_order_relaxed) < frame->commit_ts)
        atomic_store_explicit(&db->clock, frame->commit_ts, memory_order_relaxed);
    /* Relaxed above and here: recovery is single-threaded (see the header);
     * the first mv_tx_new() after it orders everything through db->mu. */
    return CHORUS_OK;
}
