/*
 * core/catalog/reindex.c: REINDEX, which rebuilds index b-trees from their
 * tables.
 *
 * Invariants
 *   RX1 REINDEX; rebuilds every index; REINDEX name rebuilds the indexes
 *       that use collation name (when name is a collation and not
 *       qualified), the indexes of table name, or index name, as SQLite
 *       does; a name that is none of these fails with "unable to identify
 *       the object to be reindexed".
 *   RX2 An index is rebuilt by emptying its b-tree (btree_clear) and
 *       refilling it through ddl_index_fill, the code CREATE INDEX uses, so
 *       keys are built exactly as the row writer builds them. The index of
 *       a WITHOUT ROWID table's PRIMARY KEY is the table itself: skipped.
 *   RX3 The schema does not change (no cookie bump); a failure (a UNIQUE
 *       index that finds duplicates) is undone by the caller's statement
 *       savepoint (catalog.h W3).
 * Locking: runs in the writer's write transaction.
 * Ownership: nothing is allocated here beyond the writer's buffers.
 * Callers: catalog_ddl_execute (create.c).
 */
#include "catalog_int.h"

static int
reindex_one(catalog_writer *w, const catalog_index *idx)
{
    int rc;

    if (idx->root == idx->table->root)
        return CHORUS_OK;                       /* RX2: WITHOUT ROWID primary key */
    writer_cursors_close(w);
    rc = btree_clear(w->tx, idx->root, NULL);
    if (rc == CHORUS_OK)
        rc = ddl_index_fill(w, idx);
    writer_cursors_close(w);
    return rc;
}

static bool
index_uses_collation(const catalog_index *idx, int coll)
{
    for (int i = 0; i < idx->n_cols; i++)
        if (idx->cols[i].collation == coll)
            return true;
    return false;
}

/* Rebuilds the indexes idx for which match(idx, arg) holds (match NULL: all). */
static int
reindex_matching(catalog_writer *w, bool (*match)(const catalog_index *idx, const void *arg),
                 const void *arg)
{
    int rc = CHORUS_OK;

    for (int i = 0; rc == CHORUS_OK && i < catalog_index_count(w->cat); i++) {
        const catalog_index *idx = catalog_index_at(w->cat, i);
        if (match == NULL || match(idx, arg))
            rc = reindex_one(w, idx);
    }
    return rc;
}

static bool
match_collation(const catalog_index *idx, const void *arg)
{
    return index_uses_collation(idx, *(const int *)arg);
}

static bool
match_table(const catalog_index *idx, const void *arg)
{
    return idx->table == arg;
}

int
ddl_reindex(catalog_writer *w, const ast_stmt *stmt)
{
    const ast_misc *m = &stmt->u.misc;
    const catalog_table *t;
    const catalog_index *idx;
    int coll, rc = ddl_check_schema_name(w, m->schema);

    if (rc != CHORUS_OK || m->name == NULL)
        return rc != CHORUS_OK ? rc : reindex_matching(w, NULL, NULL);
    coll = m->schema == NULL ? collation_find(m->name) : -1;
    if (coll >= 0)
        return reindex_matching(w, match_collation, &coll);
    t = catalog_table_find(w->cat, m->name);
    if (t != NULL)
        return reindex_matching(w, match_table, t);
    idx = catalog_index_find(w->cat, m->name);
    if (idx != NULL)
        return reindex_one(w, idx);
    return writer_fail(w, CHORUS_ERROR, "unable to identify the object to be reindexed");
}
