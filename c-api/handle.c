/*
 * c-api/handle.c: memory for chorus_db, chorus_conn, chorus_stmt and chorus_blob
 * handles.
 *
 * A freed handle is never given back to malloc: its magic is overwritten with
 * CAPI_MAGIC_DEAD and it joins the free pool of its kind, from which the next
 * handle of that kind is taken. A stale handle pointer therefore always reads
 * valid memory, and the magic check of every chorus_* entry point turns its
 * use into CHORUS_MISUSE instead of a use-after-free (see capi_int.h for what
 * stays undetectable). The pools hold at most the peak number of handles
 * that were alive at once.
 *
 * Invariants
 *   H1  A pooled handle's magic is CAPI_MAGIC_DEAD; a handed-out one's is
 *       its kind's magic until capi_handle_free().
 *   H2  A pooled handle of kind K is only ever handed out again as kind K,
 *       so a stale pointer never reads memory sized for another kind.
 *
 * Locking: pool_mutex guards the free lists. Handles themselves are
 * not locked here (thread rules are chorus.h's).
 * Callers: every c-api file that creates or destroys a handle.
 */
#include "capi_int.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

/* A pooled handle: the magic stays first (H1); the link reuses the bytes
 * after it, which every handle kind has. */
typedef struct pool_node {
    uint32_t magic;
    struct pool_node *next;
} pool_node;

enum { POOL_DB, POOL_CONN, POOL_STMT, POOL_BLOB, POOL_KINDS };

static pthread_mutex_t pool_mutex = PTHREAD_MUTEX_INITIALIZER;
static pool_node *pool_free[POOL_KINDS];    /* guarded by pool_mutex */

static int
pool_kind(uint32_t magic, size_t *size_out)
{
    switch (magic) {
    case CAPI_MAGIC_DB:
        *size_out = sizeof(chorus_db);
        return POOL_DB;
    case CAPI_MAGIC_CONN:
        *size_out = sizeof(chorus_conn);
        return POOL_CONN;
    case CAPI_MAGIC_BLOB:
        *size_out = sizeof(chorus_blob);
        return POOL_BLOB;
    default:
        *size_out = sizeof(chorus_stmt);
        return POOL_STMT;
    }
}

void *
capi_handle_alloc(uint32_t magic)
{
    size_t size;
    int kind = pool_kind(magic, &size);
    pool_node *node;

    pthread_mutex_lock(&pool_mutex);
    node = pool_free[kind];
    if (node != NULL)
        pool_free[kind] = node->next;
    pthread_mutex_unlock(&pool_mutex);
    if (node == NULL) {
        node = malloc(size);
        if (node == NULL)
            return NULL;
    }
    memset(node, 0, size);
    node->magic = magic;
    return node;
}

void
capi_handle_free(void *handle)
{
    pool_node *node = handle;
    size_t size;
    int kind = pool_kind(node->magic, &size);

    node->magic = CAPI_MAGIC_DEAD;
    pthread_mutex_lock(&pool_mutex);
    node->next = pool_free[kind];
    pool_free[kind] = node;
    pthread_mutex_unlock(&pool_mutex);
}
