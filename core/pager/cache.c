/*
 * core/pager/cache.c: the page cache shared by every transaction of a pager.
 *
 * An entry holds one committed page image, keyed by (pgno, WAL generation,
 * frame); frame 0 (with generation 0) means the image in the database file.
 * A committed image never changes for its key (README R6), so a reader may
 * use an entry's bytes without any lock once it holds a reference. The only
 * images that go stale are database-file images, overwritten by a
 * checkpoint or the switch to WAL mode; those are invalidated (R7).
 *
 * Invariants
 *   C1  An entry is in the LRU list iff it is in the table, READY and has no
 *       reference.
 *   C2  An orphan (invalidated while referenced) is in neither table nor
 *       list and is freed when its last reference goes.
 *   C3  Eviction takes only LRU entries, oldest first, and runs when the
 *       table holds more than the budget; a cache full of referenced pages
 *       grows past its budget rather than fail.
 *
 * Locking: every function runs under the pager mutex.
 * Ownership: the cache owns its entries; a reference lends the entry's bytes
 * to the holder until cache_release().
 * Callers: pager.c (fetch; commit, which inserts the images it publishes),
 * tx.c (releases), checkpoint.c (frame images to copy; invalidation).
 */
#include "pager_int.h"

#include <stdlib.h>
#include <string.h>

enum { CACHE_MAX_SPARE = 64 };

int
cache_init(page_cache *c, uint32_t page_size, int64_t budget_bytes)
{
    memset(c, 0, sizeof *c);
    c->n_buckets = 1024;
    c->buckets = calloc(c->n_buckets, sizeof *c->buckets);
    if (c->buckets == NULL)
        return CHORUS_NOMEM;
    c->page_size = page_size;
    c->budget_bytes = budget_bytes;
    return CHORUS_OK;
}

void
cache_free(page_cache *c)
{
    for (uint32_t i = 0; i < c->n_buckets; i++) {
        cache_entry *e = c->buckets != NULL ? c->buckets[i] : NULL;
        while (e != NULL) {
            cache_entry *next = e->hash_next;
            free(e);
            e = next;
        }
    }
    while (c->spare != NULL) {
        cache_entry *e = c->spare;
        c->spare = e->hash_next;
        free(e);
    }
    free(c->buckets);
    memset(c, 0, sizeof *c);
}

static uint32_t
bucket_of(const page_cache *c, uint32_t pgno, uint32_t gen, uint32_t frame)
{
    uint32_t h = pgno * 2654435761u ^ frame * 40503u ^ gen * 2246822519u;
    return (h ^ (h >> 15)) & (c->n_buckets - 1);
}

static void
lru_unlink(page_cache *c, cache_entry *e)
{
    if (e->lru_prev != NULL)
        e->lru_prev->lru_next = e->lru_next;
    else
        c->lru_head = e->lru_next;
    if (e->lru_next != NULL)
        e->lru_next->lru_prev = e->lru_prev;
    else
        c->lru_tail = e->lru_prev;
    e->lru_prev = e->lru_next = NULL;
}

static void
lru_push(page_cache *c, cache_entry *e)
{
    e->lru_next = NULL;
    e->lru_prev = c->lru_tail;
    if (c->lru_tail != NULL)
        c->lru_tail->lru_next = e;
    else
        c->lru_head = e;
    c->lru_tail = e;
}

static void
table_unlink(page_cache *c, cache_entry *e)
{
    cache_entry **pp = &c->buckets[bucket_of(c, e->pgno, e->gen, e->frame)];
    while (*pp != e)
        pp = &(*pp)->hash_next;
    *pp = e->hash_next;
    e->hash_next = NULL;
    c->n_entries--;
}

static void
entry_recycle(page_cache *c, cache_entry *e)
{
    if (c->n_spare < CACHE_MAX_SPARE) {
        e->hash_next = c->spare;
        c->spare = e;
        c->n_spare++;
    } else {
        free(e);
    }
}

static void
table_grow(page_cache *c)
{
    uint32_t old_n = c->n_buckets;
    cache_entry **old = c->buckets;
    cache_entry **nb = calloc((size_t)old_n * 2, sizeof *nb);

    if (nb == NULL)
        return;                 /* longer chains, still correct */
    c->buckets = nb;
    c->n_buckets = old_n * 2;
    for (uint32_t i = 0; i < old_n; i++) {
        cache_entry *e = old[i];
        while (e != NULL) {
            cache_entry *next = e->hash_next;
            uint32_t b = bucket_of(c, e->pgno, e->gen, e->frame);
            e->hash_next = c->buckets[b];
            c->buckets[b] = e;
            e = next;
        }
    }
    free(old);
}

/* C3 */
static void
cache_evict(page_cache *c)
{
    while ((int64_t)c->n_entries * c->page_size > c->budget_bytes && c->lru_head != NULL) {
        cache_entry *e = c->lru_head;
        lru_unlink(c, e);
        table_unlink(c, e);
        entry_recycle(c, e);
    }
}

cache_entry *
cache_lookup(page_cache *c, uint32_t pgno, uint32_t gen, uint32_t frame)
{
    cache_entry *e = c->buckets[bucket_of(c, pgno, gen, frame)];

    while (e != NULL && (e->pgno != pgno || e->frame != frame || e->gen != gen))
        e = e->hash_next;
    if (e == NULL || e->state == CACHE_LOADING)
        return e;               /* LOADING: no reference; the caller waits, then looks again */
    if (e->refs++ == 0)
        lru_unlink(c, e);       /* C1 */
    return e;
}

cache_entry *
cache_insert(page_cache *c, uint32_t pgno, uint32_t gen, uint32_t frame)
{
    cache_entry *e;
    uint32_t b;

    cache_evict(c);
    if (c->n_entries >= c->n_buckets)
        table_grow(c);
    e = c->spare;
    if (e != NULL) {
        c->spare = e->hash_next;
        c->n_spare--;
    } else {
        e = malloc(sizeof *e + c->page_size);
        if (e == NULL)
            return NULL;
    }
    memset(e, 0, sizeof *e);
    e->data = (uint8_t *)(e + 1);
    e->pgno = pgno;
    e->gen = gen;
    e->frame = frame;
    e->refs = 1;
    e->state = CACHE_LOADING;
    b = bucket_of(c, pgno, gen, frame);
    e->hash_next = c->buckets[b];
    c->buckets[b] = e;
    c->n_entries++;
    return e;
}

void
cache_discard(page_cache *c, cache_entry *e)
{
    if (!e->is_orphan)
        table_unlink(c, e);
    entry_recycle(c, e);
}

void
cache_release(page_cache *c, cache_entry *e)
{
    if (--e->refs > 0)
        return;
    if (e->is_orphan) {
        entry_recycle(c, e);    /* C2 */
        return;
    }
    lru_push(c, e);             /* C1 */
    cache_evict(c);
}

static void
entry_invalidate(page_cache *c, cache_entry *e)
{
    table_unlink(c, e);
    if (e->refs > 0) {
        e->is_orphan = true;    /* C2 */
    } else {
        if (e->state == CACHE_READY)
            lru_unlink(c, e);
        entry_recycle(c, e);
    }
}

void
cache_invalidate_db_page(page_cache *c, uint32_t pgno)
{
    cache_entry *e = c->buckets[bucket_of(c, pgno, 0, 0)];

    while (e != NULL && (e->pgno != pgno || e->frame != 0 || e->gen != 0))
        e = e->hash_next;
    if (e != NULL)
        entry_invalidate(c, e);
}

void
cache_invalidate_db_after(page_cache *c, uint32_t n_pages)
{
    for (uint32_t i = 0; i < c->n_buckets; i++) {
        cache_entry *e = c->buckets[i];
        while (e != NULL) {
            cache_entry *next = e->hash_next;
            if (e->frame == 0 && e->gen == 0 && e->pgno > n_pages)
                entry_invalidate(c, e);
            e = next;
        }
    }
}

void
cache_set_budget(page_cache *c, int64_t bytes)
{
    c->budget_bytes = bytes;
    cache_evict(c);
}
