/*
 * core/vm/db.c: the database object: its pager and the published catalog.
 *
 * Invariants
 *   D1  db->cat is the catalog of the newest committed schema that this
 *       process knows; a connection that commits DDL publishes its edited
 *       catalog here (tx.c), replacing the old reference.
 *   D2  A connection takes its own reference (vm_db_catalog), so a
 *       published catalog lives while any connection or statement uses it.
 * Locking: db->mu guards db->cat only; it is never held across I/O.
 * Callers: c-api (open/close), conn.c, tx.c.
 */
#include <stdlib.h>
#include <string.h>

#include "vm_int.h"

static int
load_catalog(vm_db *db, char **errmsg_out)
{
    pager_tx *tx;
    int rc = pager_tx_begin_read(db->pager, &tx);

    if (rc != CHORUS_OK)
        return rc;
    rc = catalog_load(tx, &db->cat, errmsg_out);
    pager_tx_rollback(tx);
    return rc;
}

int
vm_db_open(const char *path, int flags, vm_db **out, char **errmsg_out)
{
    pager_config cfg;
    vm_db *db;
    int rc;

    *out = NULL;
    *errmsg_out = NULL;
    db = calloc(1, sizeof *db);
    if (db == NULL)
        return CHORUS_NOMEM;
    memset(&cfg, 0, sizeof cfg);
    cfg.in_memory = (flags & CHORUS_OPEN_MEMORY) || strcmp(path, ":memory:") == 0 || path[0] == 0;
    cfg.readonly = (flags & CHORUS_OPEN_READONLY) != 0;
    cfg.create = (flags & CHORUS_OPEN_CREATE) != 0 || cfg.in_memory;
    pthread_mutex_init(&db->mu, NULL);
    db->path = strdup(path);
    if (db->path == NULL) {
        rc = CHORUS_NOMEM;
        goto fail;
    }
    rc = pager_open(path, &cfg, &db->pager, errmsg_out);
    if (rc != CHORUS_OK)
        goto fail;
    rc = load_catalog(db, errmsg_out);
    if (rc == CHORUS_OK)
        rc = store_db_open(&db->store);
    if (rc == CHORUS_OK && !cfg.in_memory)
        rc = vm_mvcc_open_existing(db, errmsg_out);
    if (rc != CHORUS_OK)
        goto fail;
    *out = db;
    return CHORUS_OK;
fail:
    vm_db_close(db);
    return rc;
}

void
vm_db_close(vm_db *db)
{
    if (db == NULL)
        return;
    if (db->store != NULL)
        vm_mvcc_close(db);
    store_db_close(db->store);
    catalog_release(db->cat);
    if (db->pager != NULL)
        pager_close(db->pager);
    pthread_mutex_destroy(&db->mu);
    free(db->path);
    free(db);
}
