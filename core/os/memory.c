/*
 * core/os/memory.c: the memory VFS: files held in process memory, found by
 * name, for ":memory:" databases and for tests.
 *
 * A name behaves like a path in one flat directory shared by the whole
 * process: a file outlives its handles until remove() is called, so a test
 * can close and reopen a database held in memory. Byte-range locks are kept
 * per file and per handle with the same conflict rule as the POSIX VFS (two
 * handles conflict even within one thread), so lock tests run in memory too.
 *
 * Invariants
 *   M1  A node stays in the registry from creation until remove(); a removed
 *       node that still has open handles lives on, nameless, until the last
 *       of them closes.
 *   M2  node->size <= node->cap; bytes in [size, cap) are zeros.
 *
 * Locking: registry_mutex guards the registry list and node->refs and
 * node->is_removed; node->mutex guards a node's bytes, size and locks.
 * Order: registry_mutex before node->mutex.
 * Ownership: the registry owns nodes; a handle holds a counted reference.
 * Callers: through the os_vfs table only.
 */
#include "os.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

typedef struct mem_lock {
    struct mem_lock *next;
    const void *owner;      /* the handle holding it */
    int64_t off, len;
    int exclusive;
} mem_lock;

typedef struct mem_node {
    struct mem_node *next;  /* registry list; guarded by registry_mutex */
    char *name;             /* owned; immutable */
    int refs;               /* open handles; guarded by registry_mutex */
    int is_removed;         /* guarded by registry_mutex */
    pthread_mutex_t mutex;  /* guards the fields below */
    uint8_t *data;          /* owned */
    int64_t size, cap;
    mem_lock *locks;        /* owned list */
} mem_node;

typedef struct mem_file {
    os_file base;           /* must be first */
    mem_node *node;         /* counted reference */
    int readonly;           /* immutable */
} mem_file;

static pthread_mutex_t registry_mutex = PTHREAD_MUTEX_INITIALIZER;
static mem_node *registry;  /* guarded by registry_mutex */

static mem_node *
registry_find(const char *name)
{
    for (mem_node *n = registry; n != NULL; n = n->next)
        if (strcmp(n->name, name) == 0)
            return n;
    return NULL;
}

static void
node_free(mem_node *n)
{
    while (n->locks != NULL) {
        mem_lock *l = n->locks;
        n->locks = l->next;
        free(l);
    }
    pthread_mutex_destroy(&n->mutex);
    free(n->data);
    free(n->name);
    free(n);
}

static mem_node *
node_new(const char *name)
{
    mem_node *n = calloc(1, sizeof *n);
    if (n == NULL)
        return NULL;
    n->name = strdup(name);
    if (n->name == NULL) {
        free(n);
        return NULL;
    }
    pthread_mutex_init(&n->mutex, NULL);
    n->next = registry;
    registry = n;
    return n;
}

static int
mem_open(os_vfs *vfs, const char *path, int flags, os_file **out)
{
    mem_file *f;
    mem_node *n;

    *out = NULL;
    f = calloc(1, sizeof *f);
    if (f == NULL)
        return CHORUS_NOMEM;
    pthread_mutex_lock(&registry_mutex);
    n = registry_find(path);
    if ((n != NULL && (flags & OS_OPEN_EXCLUSIVE))
        || (n == NULL && !(flags & (OS_OPEN_CREATE | OS_OPEN_EXCLUSIVE)))) {
        pthread_mutex_unlock(&registry_mutex);
        free(f);
        return CHORUS_CANTOPEN;
    }
    if (n == NULL)
        n = node_new(path);
    if (n == NULL) {
        pthread_mutex_unlock(&registry_mutex);
        free(f);
        return CHORUS_NOMEM;
    }
    n->refs++;
    pthread_mutex_unlock(&registry_mutex);
    f->base.vfs = vfs;
    f->node = n;
    f->readonly = (flags & OS_OPEN_READONLY) != 0;
    *out = &f->base;
    return CHORUS_OK;
}

static void
node_unlock_owner(mem_node *n, const void *owner)
{
    mem_lock **pp = &n->locks;
    while (*pp != NULL) {
        if ((*pp)->owner == owner) {
            mem_lock *l = *pp;
            *pp = l->next;
            free(l);
        } else {
            pp = &(*pp)->next;
        }
    }
}

static int
mem_close(os_file *file)
{
    mem_file *f = (mem_file *)file;
    mem_node *n = f->node;
    int last;

    pthread_mutex_lock(&registry_mutex);
    pthread_mutex_lock(&n->mutex);
    node_unlock_owner(n, f);
    pthread_mutex_unlock(&n->mutex);
    last = --n->refs == 0 && n->is_removed;      /* M1 */
    pthread_mutex_unlock(&registry_mutex);
    if (last)
        node_free(n);
    free(f);
    return CHORUS_OK;
}

static int
mem_read(os_file *file, void *buf, size_t n, int64_t off)
{
    mem_node *node = ((mem_file *)file)->node;
    int64_t avail;
    int rc = CHORUS_OK;

    pthread_mutex_lock(&node->mutex);
    avail = node->size - off;
    if (avail < 0)
        avail = 0;
    if ((int64_t)n > avail) {
        memset((uint8_t *)buf + avail, 0, n - (size_t)avail);
        n = (size_t)avail;
        rc = CHORUS_IOERR_SHORT_READ;
    }
    if (n > 0)
        memcpy(buf, node->data + off, n);
    pthread_mutex_unlock(&node->mutex);
    return rc;
}

/* Grows the buffer to hold at least size bytes, zero-filled (M2). */
static int
node_reserve(mem_node *node, int64_t size)
{
    int64_t cap = node->cap ? node->cap : 4096;
    uint8_t *data;

    if (size <= node->cap)
        return CHORUS_OK;
    while (cap < size)
        cap *= 2;
    data = realloc(node->data, (size_t)cap);
    if (data == NULL)
        return CHORUS_NOMEM;
    memset(data + node->cap, 0, (size_t)(cap - node->cap));
    node->data = data;
    node->cap = cap;
    return CHORUS_OK;
}

static int
mem_write(os_file *file, const void *buf, size_t n, int64_t off)
{
    mem_file *f = (mem_file *)file;
    mem_node *node = f->node;
    int rc;

    if (f->readonly)
        return CHORUS_IOERR_WRITE;
    pthread_mutex_lock(&node->mutex);
    rc = node_reserve(node, off + (int64_t)n);
    if (rc == CHORUS_OK) {
        memcpy(node->data + off, buf, n);
        if (off + (int64_t)n > node->size)
            node->size = off + (int64_t)n;
    }
    pthread_mutex_unlock(&node->mutex);
    return rc == CHORUS_NOMEM ? CHORUS_FULL : rc;
}

static int
mem_sync(os_file *file, int flags)
{
    return CHORUS_OK;
}

static int
mem_size(os_file *file, int64_t *out)
{
    mem_node *node = ((mem_file *)file)->node;

    pthread_mutex_lock(&node->mutex);
    *out = node->size;
    pthread_mutex_unlock(&node->mutex);
    return CHORUS_OK;
}

static int
mem_truncate(os_file *file, int64_t size)
{
    mem_file *f = (mem_file *)file;
    mem_node *node = f->node;
    int rc = CHORUS_OK;

    if (f->readonly)
        return CHORUS_IOERR_TRUNCATE;
    pthread_mutex_lock(&node->mutex);
    if (size < node->size)
        memset(node->data + size, 0, (size_t)(node->size - size));     /* M2 */
    else
        rc = node_reserve(node, size);
    if (rc == CHORUS_OK)
        node->size = size;
    pthread_mutex_unlock(&node->mutex);
    return rc == CHORUS_NOMEM ? CHORUS_FULL : rc;
}

static int
ranges_overlap(int64_t a_off, int64_t a_len, int64_t b_off, int64_t b_len)
{
    return a_off < b_off + b_len && b_off < a_off + a_len;
}

/* Releases [off, off+len) held by owner; a lock only partly inside the range
 * is released whole, which is all the engine's lock patterns need. */
static void
node_unlock_range(mem_node *n, const void *owner, int64_t off, int64_t len)
{
    mem_lock **pp = &n->locks;
    while (*pp != NULL) {
        mem_lock *l = *pp;
        if (l->owner == owner && ranges_overlap(l->off, l->len, off, len)) {
            *pp = l->next;
            free(l);
        } else {
            pp = &l->next;
        }
    }
}

static int
mem_lock_range(os_file *file, int64_t off, int64_t len, int exclusive)
{
    mem_node *n = ((mem_file *)file)->node;
    mem_lock *l;
    int rc = CHORUS_OK;

    pthread_mutex_lock(&n->mutex);
    for (l = n->locks; l != NULL; l = l->next) {
        if (l->owner != file && ranges_overlap(l->off, l->len, off, len)
            && (exclusive || l->exclusive)) {
            rc = CHORUS_BUSY;
            break;
        }
    }
    if (rc == CHORUS_OK) {
        node_unlock_range(n, file, off, len);
        l = malloc(sizeof *l);
        if (l == NULL) {
            rc = CHORUS_NOMEM;
        } else {
            *l = (mem_lock){ .next = n->locks, .owner = file, .off = off, .len = len,
                             .exclusive = exclusive };
            n->locks = l;
        }
    }
    pthread_mutex_unlock(&n->mutex);
    return rc;
}

static int
mem_unlock(os_file *file, int64_t off, int64_t len)
{
    mem_node *n = ((mem_file *)file)->node;

    pthread_mutex_lock(&n->mutex);
    node_unlock_range(n, file, off, len);
    pthread_mutex_unlock(&n->mutex);
    return CHORUS_OK;
}

static int
mem_remove(os_vfs *vfs, const char *path)
{
    mem_node **pp;
    mem_node *victim = NULL;

    pthread_mutex_lock(&registry_mutex);
    for (pp = &registry; *pp != NULL; pp = &(*pp)->next) {
        if (strcmp((*pp)->name, path) == 0) {
            victim = *pp;
            *pp = victim->next;
            victim->is_removed = 1;
            if (victim->refs > 0)
                victim = NULL;          /* M1: the last close frees it */
            break;
        }
    }
    pthread_mutex_unlock(&registry_mutex);
    if (victim != NULL)
        node_free(victim);
    return CHORUS_OK;
}

static int
mem_exists(os_vfs *vfs, const char *path, int *out)
{
    pthread_mutex_lock(&registry_mutex);
    *out = registry_find(path) != NULL;
    pthread_mutex_unlock(&registry_mutex);
    return CHORUS_OK;
}

static int
mem_sync_dir(os_vfs *vfs, const char *path)
{
    return CHORUS_OK;
}

static os_vfs memory_vfs = {
    .name = "memory",
    .open = mem_open,
    .close = mem_close,
    .read = mem_read,
    .write = mem_write,
    .sync = mem_sync,
    .size = mem_size,
    .truncate = mem_truncate,
    .lock = mem_lock_range,
    .unlock = mem_unlock,
    .remove = mem_remove,
    .exists = mem_exists,
    .sync_dir = mem_sync_dir,
};

os_vfs *
os_vfs_memory(void)
{
    return &memory_vfs;
}
