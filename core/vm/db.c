/*
 * core/vm/db.c: the database object: its pager and the published catalog;
 * the process-wide registry of open database files.
 *
 * Invariants
 *   D1  db->cat is the catalog of the newest committed schema that this
 *       process knows; a connection that commits DDL publishes its edited
 *       catalog here (vm_db_catalog_publish), replacing the old reference.
 *   D2  A connection takes its own reference (vm_db_catalog), so a
 *       published catalog lives while any connection or statement uses it.
 *   D3  One vm_db per database file in the process: the registry maps the
 *       path given to vm_db_open (canonical: vm_path_canonical) to its
 *       vm_db, whose n_refs counts the C API's opens and the ATTACHes of
 *       it; the pager's WAL index and write lock are therefore shared by
 *       every connection that reads the file, however it named it. Private
 *       (in-memory) databases are never registered.
 * Locking: db->mu guards db->cat only; it is never held across I/O.
 * registry_mu guards the registry list and every n_refs; it is held
 * across opening and closing a registered database (so two threads cannot
 * open one file twice) and taken after the C API's registry mutex.
 * Callers: c-api (open/close), conn.c, tx.c, temp.c, attach.c.
 */
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "vm_int.h"

static pthread_mutex_t registry_mu = PTHREAD_MUTEX_INITIALIZER;
static vm_db *registry;         /* guarded by registry_mu */

char *
vm_path_canonical(const char *path)
{
    char *full = realpath(path, NULL);
    const char *slash, *base;
    char *dir, *dir_full;

    if (full != NULL || errno != ENOENT)
        return full;
    slash = strrchr(path, '/');
    base = slash != NULL ? slash + 1 : path;
    dir = slash == NULL ? strdup(".")
        : slash == path ? strdup("/")
                        : strndup(path, (size_t)(slash - path));
    if (dir == NULL)
        return NULL;
    dir_full = realpath(dir, NULL);
    free(dir);
    if (dir_full == NULL)
        return NULL;
    full = common_mprintf("%s%s%s", dir_full, strcmp(dir_full, "/") == 0 ? "" : "/", base);
    free(dir_full);
    return full;
}

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

static void
db_free(vm_db *db)
{
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

static int
db_open_new(const char *path, int flags, vm_db **out, char **errmsg_out)
{
    pager_config cfg;
    vm_db *db;
    int rc;

    db = calloc(1, sizeof *db);
    if (db == NULL)
        return CHORUS_NOMEM;
    memset(&cfg, 0, sizeof cfg);
    cfg.in_memory = (flags & CHORUS_OPEN_MEMORY) || strcmp(path, ":memory:") == 0 || path[0] == 0;
    cfg.readonly = (flags & CHORUS_OPEN_READONLY) != 0;
    cfg.create = (flags & CHORUS_OPEN_CREATE) != 0 || cfg.in_memory;
    pthread_mutex_init(&db->mu, NULL);
    db->is_private = cfg.in_memory;
    db->n_refs = 1;
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
    db_free(db);
    return rc;
}

static bool
is_private_path(const char *path, int flags)
{
    return (flags & CHORUS_OPEN_MEMORY) != 0 || path[0] == 0 || strcmp(path, ":memory:") == 0;
}

int
vm_db_open(const char *path, int flags, vm_db **out, char **errmsg_out)
{
    vm_db *db;
    int rc;

    *out = NULL;
    *errmsg_out = NULL;
    if (is_private_path(path, flags))
        return db_open_new(path, flags, out, errmsg_out);
    pthread_mutex_lock(&registry_mu);
    for (db = registry; db != NULL; db = db->next)
        if (strcmp(db->path, path) == 0)
            break;
    if (db != NULL) {
        db->n_refs++;           /* D3 */
        rc = CHORUS_OK;
    } else {
        rc = db_open_new(path, flags, &db, errmsg_out);
        if (rc == CHORUS_OK) {
            db->next = registry;
            registry = db;
        }
    }
    pthread_mutex_unlock(&registry_mu);
    if (rc == CHORUS_OK)
        *out = db;
    return rc;
}

void
vm_db_close(vm_db *db)
{
    if (db == NULL)
        return;
    if (!db->is_private) {
        pthread_mutex_lock(&registry_mu);
        if (--db->n_refs > 0) {
            pthread_mutex_unlock(&registry_mu);
            return;
        }
        for (vm_db **link = &registry; *link != NULL; link = &(*link)->next) {
            if (*link == db) {
                *link = db->next;
                break;
            }
        }
        db_free(db);
        pthread_mutex_unlock(&registry_mu);
        return;
    }
    db_free(db);
}

/* VM3 (mvcc_mode.c): a transaction on db opens; CHORUS_BUSY while its
 * journal_mode switches. */
int
vm_db_tx_count(vm_db *db)
{
    int rc = CHORUS_OK;

    pthread_mutex_lock(&db->mu);
    if (db->mode_switching)
        rc = CHORUS_BUSY;
    else
        db->n_open_tx++;
    pthread_mutex_unlock(&db->mu);
    return rc;
}

void
vm_db_tx_uncount(vm_db *db)
{
    pthread_mutex_lock(&db->mu);
    db->n_open_tx--;
    pthread_mutex_unlock(&db->mu);
}

catalog *
vm_db_catalog(vm_db *db)
{
    catalog *cat;

    pthread_mutex_lock(&db->mu);
    cat = catalog_retain(db->cat);
    pthread_mutex_unlock(&db->mu);
    return cat;
}

/* tx.c T2. */
int
vm_db_catalog_sync(vm_db *db, pager_tx *tx, catalog **cat_io, bool *changed_out,
                   char **errmsg_out)
{
    uint32_t cookie = 0;
    catalog *cat;
    int rc;

    *changed_out = false;
    if (pager_tx_page_count(tx) > 0) {
        rc = btree_meta_get(tx, BTREE_META_SCHEMA_COOKIE, &cookie);
        if (rc != CHORUS_OK)
            return rc;
    }
    if (*cat_io != NULL && catalog_cookie(*cat_io) == cookie)
        return CHORUS_OK;
    pthread_mutex_lock(&db->mu);
    cat = db->cat != NULL && catalog_cookie(db->cat) == cookie ? catalog_retain(db->cat) : NULL;
    pthread_mutex_unlock(&db->mu);
    if (cat == NULL) {
        rc = catalog_load(tx, &cat, errmsg_out);
        if (rc != CHORUS_OK)
            return rc;
    }
    catalog_release(*cat_io);
    *cat_io = cat;
    *changed_out = true;
    return CHORUS_OK;
}

/* tx.c T3. */
void
vm_db_catalog_publish(vm_db *db, catalog *cat)
{
    pthread_mutex_lock(&db->mu);
    catalog_release(db->cat);
    db->cat = catalog_retain(cat);
    pthread_mutex_unlock(&db->mu);
}
