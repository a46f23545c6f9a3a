/*
 * c-api/database.c: chorus_open / chorus_close, the process-wide registry of
 * open database files, the open error message, and the library-level calls
 * (version, errstr).
 *
 * The registry maps a file's canonical path (vm_path_canonical: realpath of
 * the file, or of its directory plus the file name when the file does not
 * exist yet) to one capi_shared entry holding the engine's vm_db. Every
 * chorus_open of that file returns a new chorus_db handle on the same entry;
 * the entry drops its vm_db reference when its last handle is closed (the
 * engine keeps the vm_db while an ATTACH still uses it: core/vm/db.c D3). ":memory:", the
 * empty path and CHORUS_OPEN_MEMORY always get a private entry that is never
 * registered.
 *
 * Invariants
 *   D1  shared->n_handles equals the number of open chorus_db handles whose
 *       shared pointer is that entry; an entry with 0 handles does not exist.
 *   D2  A registered path appears in the list at most once.
 *   D3  chorus_close of a handle with open connections changes nothing.
 *
 * Locking: registry_mutex guards the entry list, every n_handles and every
 * handle's n_conns. It is held across vm_db_open and vm_db_close so that two
 * threads opening one file cannot create two engine databases for it.
 * Ownership: an entry owns its vm_db and its path copy.
 * Callers: the public API; connection.c counts connections through
 * capi_database_count_conn().
 */
#include "capi_int.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

struct capi_shared {
    char *path;                 /* owned canonical path; NULL when private */
    vm_db *vdb;                 /* owned */
    int n_handles;              /* guarded by registry_mutex (D1) */
    capi_shared *next;          /* registry list; guarded by registry_mutex */
};

static pthread_mutex_t registry_mutex = PTHREAD_MUTEX_INITIALIZER;
static capi_shared *registry;   /* guarded by registry_mutex */

/* --- library-level calls ------------------------------------------------- */

const char *
chorus_version(void)
{
    return "0.1.0";
}

int
chorus_version_number(void)
{
    return 1000;
}

/* The message of a primary code, or NULL when the code is not listed. */
static const char *
primary_message(int rc)
{
    switch (rc) {
#define CHORUS_ERRSTR_CASE_(num, name, msg) \
    case num:                               \
        return msg;
        CHORUS_RESULT_CODES(CHORUS_ERRSTR_CASE_)
#undef CHORUS_ERRSTR_CASE_
    }
    return NULL;
}

static bool
is_extended_code(int rc)
{
    switch (rc) {
#define CHORUS_EXTENDED_CASE_(num, name) case num:
        CHORUS_EXTENDED_CODES(CHORUS_EXTENDED_CASE_)
#undef CHORUS_EXTENDED_CASE_
        return true;
    }
    return false;
}

const char *
chorus_errstr(int rc)
{
    const char *msg = primary_message(rc);

    if (msg == NULL && is_extended_code(rc))
        msg = primary_message(rc & 0xff);   /* an extended code reads as its primary */
    return msg != NULL ? msg : "unknown error";
}

/* --- the calling thread's open error message ------------------------------ */

static pthread_once_t errmsg_once = PTHREAD_ONCE_INIT;
static pthread_key_t errmsg_key;    /* value: owned malloc()ed message or NULL */

static void
errmsg_key_create(void)
{
    pthread_key_create(&errmsg_key, free);
}

/* Replaces this thread's open error message; takes ownership of msg. */
static void
open_errmsg_set(char *msg)
{
    pthread_once(&errmsg_once, errmsg_key_create);
    free(pthread_getspecific(errmsg_key));
    pthread_setspecific(errmsg_key, msg);
}

const char *
chorus_open_errmsg(void)
{
    pthread_once(&errmsg_once, errmsg_key_create);
    return pthread_getspecific(errmsg_key);
}

/* --- registry -------------------------------------------------------------- */

static bool
is_private_path(const char *path, int flags)
{
    return (flags & CHORUS_OPEN_MEMORY) != 0 || path[0] == '\0' || strcmp(path, ":memory:") == 0;
}

static capi_shared *
registry_find(const char *canonical)
{
    for (capi_shared *s = registry; s != NULL; s = s->next)
        if (strcmp(s->path, canonical) == 0)
            return s;
    return NULL;
}

static void
registry_remove(capi_shared *entry)
{
    for (capi_shared **link = &registry; *link != NULL; link = &(*link)->next) {
        if (*link == entry) {
            *link = entry->next;
            return;
        }
    }
}

/*
 * Opens a new entry for path (canonical: owned by the entry when it is not
 * NULL; a NULL canonical makes a private entry). Called with registry_mutex
 * held. On failure the thread's open error message is set.
 */
static int
shared_open(const char *path, char *canonical, int flags, capi_shared **out)
{
    capi_shared *entry;
    char *errmsg = NULL;
    int rc;

    *out = NULL;
    entry = calloc(1, sizeof *entry);
    if (entry == NULL) {
        free(canonical);
        open_errmsg_set(common_mprintf("out of memory"));
        return CHORUS_NOMEM;
    }
    rc = vm_db_open(canonical != NULL ? canonical : path, flags, &entry->vdb, &errmsg);
    if (rc != CHORUS_OK) {
        open_errmsg_set(errmsg != NULL ? errmsg : common_mprintf("%s", chorus_errstr(rc)));
        free(canonical);
        free(entry);
        return rc;
    }
    entry->path = canonical;
    if (canonical != NULL) {
        entry->next = registry;
        registry = entry;
    }
    *out = entry;
    return CHORUS_OK;
}

int
chorus_open(const char *path, int flags, chorus_db **out)
{
    chorus_db *db;
    capi_shared *entry = NULL;
    char *canonical = NULL;
    int rc;

    if (out != NULL)
        *out = NULL;
    if (path == NULL || out == NULL) {
        open_errmsg_set(common_mprintf("bad parameter or other API misuse"));
        return CHORUS_MISUSE;
    }
    open_errmsg_set(NULL);
    if ((flags & (CHORUS_OPEN_READONLY | CHORUS_OPEN_READWRITE)) == 0)
        flags |= CHORUS_OPEN_READWRITE | CHORUS_OPEN_CREATE;     /* chorus.h */
    db = capi_handle_alloc(CAPI_MAGIC_DB);
    if (!is_private_path(path, flags))
        canonical = vm_path_canonical(path);    /* core/vm/db.c D3 */
    if (db == NULL) {
        open_errmsg_set(common_mprintf("out of memory"));
        free(canonical);
        return CHORUS_NOMEM;
    }
    pthread_mutex_lock(&registry_mutex);
    entry = canonical != NULL ? registry_find(canonical) : NULL;
    if (entry != NULL) {
        free(canonical);
        rc = CHORUS_OK;
    } else {
        rc = shared_open(path, canonical, flags, &entry);
    }
    if (rc == CHORUS_OK) {
        entry->n_handles++;
        db->shared = entry;
    }
    pthread_mutex_unlock(&registry_mutex);
    if (rc != CHORUS_OK) {
        capi_handle_free(db);
        return rc;
    }
    *out = db;
    return CHORUS_OK;
}

int
chorus_close(chorus_db *db)
{
    capi_shared *entry;

    if (db == NULL)
        return CHORUS_OK;
    pthread_mutex_lock(&registry_mutex);   /* checks under the lock: two closes may race */
    if (!capi_db_live(db) || db->n_conns > 0) {
        int rc = capi_db_live(db) ? CHORUS_BUSY : CHORUS_MISUSE;   /* D3 */

        pthread_mutex_unlock(&registry_mutex);
        return rc;
    }
    entry = db->shared;
    capi_handle_free(db);
    if (--entry->n_handles == 0) {
        if (entry->path != NULL)
            registry_remove(entry);
        vm_db_close(entry->vdb);
        free(entry->path);
        free(entry);
    }
    pthread_mutex_unlock(&registry_mutex);
    return CHORUS_OK;
}

vm_db *
capi_database_vm(chorus_db *db)
{
    return db->shared->vdb;
}

int
capi_database_count_conn(chorus_db *db, int delta)
{
    int rc = CHORUS_OK;

    pthread_mutex_lock(&registry_mutex);
    if (capi_db_live(db))
        db->n_conns += delta;
    else
        rc = CHORUS_MISUSE;
    pthread_mutex_unlock(&registry_mutex);
    return rc;
}
