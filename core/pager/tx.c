/*
 * core/pager/tx.c: transactions and the page handles they lend out:
 * begin/upgrade/commit/rollback, page get/write/append/release, truncation
 * and savepoints.
 *
 * A transaction keeps one tx_page per page number while the page is
 * referenced or dirty (README R9), in a small hash table of its own, so
 * every cursor of the transaction sees the same bytes. A clean handle lends
 * the bytes of a shared cache entry; pager_page_write() gives the handle a
 * private copy (copy-on-write) which lives until the transaction ends.
 *
 * Savepoints (R10): before the first change to a page under the innermost
 * savepoint, pager_page_write() saves the page's bytes as a pre-image in the
 * transaction's journal; rolling back to savepoint k copies the pre-images
 * taken since k opened back, newest first, so the oldest wins.
 *
 * Invariants
 *   T1  A handle is in the table iff refs > 0, it is dirty, or it is kept
 *       (T5).
 *   T2  A dirty handle has entry == NULL and pub.data == dirty; a clean one
 *       holds one cache reference and pub.data == entry->data.
 *   T3  saved_at names the journal slot of the handle's newest pre-image; it
 *       is trusted only if that slot still holds this page and lies inside
 *       the innermost savepoint (pre-images saved twice are harmless).
 *   T4  n_pages <= the largest page number ever reachable in this tx; pages
 *       past n_pages keep their handles but are invisible and not committed.
 *   T5  At most TX_KEEP_MAX clean handles without references stay in the
 *       table (the kept list, least recently released first), each still
 *       holding its cache reference; T1 counts them as referenced.
 *   T6  Every handle in the table is on the live list; every dirty handle is
 *       also on the dirty list (a handle never turns clean before the tx
 *       ends). Ending or committing a tx walks these lists, never the
 *       buckets, so a big table left by an earlier transaction costs a small
 *       one nothing.
 *   T7  Private copies and pre-images come from the writer's page pool
 *       (pager.pool, README R1: only the writer touches it) and return to it
 *       before the writer lock is released. The one exception: a
 *       transaction that committed and goes on reading (T9) keeps its
 *       private copies, now read-only images of committed pages, and
 *       free()s them when it ends, since it is no longer the writer.
 *   T9  pager_tx_commit_keep_reading() turns a write transaction into a read
 *       transaction on the snapshot of its own commit without touching a
 *       handle, so pages lent to the connection's open read cursors stay
 *       valid with the same bytes (#5: COMMIT under open cursors). Its
 *       former dirty handles stay on the dirty list: if the transaction
 *       becomes a writer again they are committed again, unchanged, which
 *       costs frames but never loses a change.
 *   T8  Cache references a transaction no longer needs (a page evicted from
 *       the kept list, a page that turned dirty) wait in tx->deferred and
 *       are dropped TX_RELEASE_BATCH at a time under one mutex hold (and at
 *       tx end), so a page get that misses the transaction costs one mutex
 *       round-trip (the fetch) plus 1/TX_RELEASE_BATCH of one.
 *
 * Locking: a transaction belongs to one thread (its connection's); only the
 * pager's shared state is touched under the pager mutex.
 * Ownership: handles belong to their transaction and are lent to callers
 * between pager_page_get/append and pager_page_release; a transaction is
 * freed by commit or rollback (and recycled by its pager).
 * Callers: the btree layer and the C API through pager.h.
 */
#include "pager_int.h"

#include <stdlib.h>
#include <string.h>

struct tx_page {
    pager_page pub;         /* must be first: pager_page * <-> tx_page * */
    pager_tx *tx;           /* owner */
    cache_entry *entry;     /* clean: referenced committed image; dirty: NULL (T2) */
    uint8_t *dirty;         /* private copy from the writer's pool (T7), or NULL */
    int refs;
    size_t saved_at;        /* T3 */
    tx_page *hash_next;
    tx_page *live_prev;     /* the live list: every handle in the table (T6) */
    tx_page *live_next;
    tx_page *dirty_next;    /* the dirty list (T6) */
    tx_page *kept_prev;     /* in the kept list iff clean and refs == 0 (T5) */
    tx_page *kept_next;
};

/* Clean pages a transaction keeps after their last release, so that pages
 * used again and again (roots, interior pages) cost a table lookup only. */
enum { TX_KEEP_MAX = 128 };

/* --- transaction objects -------------------------------------------------- */

static void
tx_link_locked(pager *p, pager_tx *tx)
{
    tx->prev = NULL;
    tx->next = p->active;
    if (p->active != NULL)
        p->active->prev = tx;
    p->active = tx;
}

static void
tx_unlink_locked(pager *p, pager_tx *tx)
{
    if (tx->prev != NULL)
        tx->prev->next = tx->next;
    else
        p->active = tx->next;
    if (tx->next != NULL)
        tx->next->prev = tx->prev;
    tx->next = p->spare_tx;     /* recycled: keeps its tables and spare handles */
    tx->prev = NULL;
    p->spare_tx = tx;
}

static pager_tx *
tx_take_locked(pager *p)
{
    pager_tx *tx = p->spare_tx;

    if (tx != NULL) {
        p->spare_tx = tx->next;
    } else {
        tx = calloc(1, sizeof *tx);
        if (tx == NULL)
            return NULL;
        tx->n_buckets = 64;
        tx->buckets = calloc(tx->n_buckets, sizeof *tx->buckets);
        if (tx->buckets == NULL) {
            free(tx);
            return NULL;
        }
    }
    tx->p = p;
    tx->is_write = false;
    tx->mvcc_header = -1;
    tx->gen = p->wal.gen;
    tx->mark = p->wal.max_frame;
    tx->commit_seq = p->commit_seq;
    tx->snap_pages = tx->n_pages = p->n_pages;
    tx_link_locked(p, tx);
    return tx;
}

static void
tx_free(pager_tx *tx)
{
    while (tx->spare != NULL) {
        tx_page *h = tx->spare;
        tx->spare = h->hash_next;
        free(h);
    }
    free(tx->buckets);
    free(tx->sps);
    free(tx->journal);
    free(tx);
}

/* --- the writer's page pool (T7) ------------------------------------------- */

/* Pool bytes kept for the next write transaction; more is freed. */
#define TX_POOL_MAX_BYTES (INT64_C(8) << 20)

/* A page buffer for the writer, uninitialised; NULL when out of memory.
 * Owned by the caller until pool_put(). Writer lock held. */
static uint8_t *
pool_get(pager *p)
{
    uint8_t *buf = p->pool;

    if (buf == NULL)
        return malloc(p->page_size);
    memcpy(&p->pool, buf, sizeof p->pool);     /* the next free buffer */
    p->n_pool--;
    return buf;
}

/* Gives buf (from pool_get, or NULL) back. Writer lock held. */
static void
pool_put(pager *p, uint8_t *buf)
{
    if (buf == NULL)
        return;
    if ((int64_t)(p->n_pool + 1) * p->page_size > TX_POOL_MAX_BYTES) {
        free(buf);
        return;
    }
    memcpy(buf, &p->pool, sizeof p->pool);
    p->pool = buf;
    p->n_pool++;
}

void
pager_pool_free(pager *p)
{
    while (p->pool != NULL)
        free(pool_get(p));
}

void
pager_tx_free_spares(pager *p)
{
    while (p->spare_tx != NULL) {
        pager_tx *tx = p->spare_tx;
        p->spare_tx = tx->next;
        tx_free(tx);
    }
}

/* --- the handle table (R9) ------------------------------------------------ */

static uint32_t
bucket_of(const pager_tx *tx, uint32_t pgno)
{
    return (pgno * 2654435761u >> 7) & (tx->n_buckets - 1);
}

static tx_page *
handle_find(const pager_tx *tx, uint32_t pgno)
{
    tx_page *h = tx->buckets[bucket_of(tx, pgno)];
    while (h != NULL && h->pub.pgno != pgno)
        h = h->hash_next;
    return h;
}

static void
table_grow(pager_tx *tx)
{
    uint32_t old_n = tx->n_buckets;
    tx_page **old = tx->buckets;
    tx_page **nb = calloc((size_t)old_n * 2, sizeof *nb);

    if (nb == NULL)
        return;                 /* longer chains, still correct */
    tx->buckets = nb;
    tx->n_buckets = old_n * 2;
    for (uint32_t i = 0; i < old_n; i++) {
        while (old[i] != NULL) {
            tx_page *h = old[i];
            uint32_t b = bucket_of(tx, h->pub.pgno);
            old[i] = h->hash_next;
            h->hash_next = tx->buckets[b];
            tx->buckets[b] = h;
        }
    }
    free(old);
}

static tx_page *
handle_new(pager_tx *tx, uint32_t pgno)
{
    tx_page *h = tx->spare;
    uint32_t b;

    if (h != NULL) {
        tx->spare = h->hash_next;
    } else if ((h = malloc(sizeof *h)) == NULL) {
        return NULL;
    }
    memset(h, 0, sizeof *h);
    h->pub.pgno = pgno;
    h->tx = tx;
    h->saved_at = SIZE_MAX;
    if (tx->n_handles >= tx->n_buckets)
        table_grow(tx);
    b = bucket_of(tx, pgno);
    h->hash_next = tx->buckets[b];
    tx->buckets[b] = h;
    h->live_next = tx->live;                        /* T6 */
    if (tx->live != NULL)
        tx->live->live_prev = h;
    tx->live = h;
    tx->n_handles++;
    return h;
}

/* Removes a clean handle from the table and the live list (T1, T6). The
 * caller has released its cache entry or holds the mutex to do so. */
static void
handle_unlink(pager_tx *tx, tx_page *h)
{
    tx_page **pp = &tx->buckets[bucket_of(tx, h->pub.pgno)];
    while (*pp != h)
        pp = &(*pp)->hash_next;
    *pp = h->hash_next;
    if (h->live_prev != NULL)
        h->live_prev->live_next = h->live_next;
    else
        tx->live = h->live_next;
    if (h->live_next != NULL)
        h->live_next->live_prev = h->live_prev;
    tx->n_handles--;
    h->hash_next = tx->spare;
    tx->spare = h;
}

/* Drops the deferred cache references (T8). Mutex held. */
static void
deferred_flush_locked(pager_tx *tx)
{
    for (uint32_t i = 0; i < tx->n_deferred; i++)
        cache_release(&tx->p->cache, tx->deferred[i]);
    tx->n_deferred = 0;
}

/* Hands the cache reference e to the deferred batch (T8). */
static void
entry_release_later(pager_tx *tx, cache_entry *e)
{
    if (tx->n_deferred == TX_RELEASE_BATCH) {
        pthread_mutex_lock(&tx->p->mutex);
        deferred_flush_locked(tx);
        pthread_mutex_unlock(&tx->p->mutex);
    }
    tx->deferred[tx->n_deferred++] = e;
}

static void
dirty_push(pager_tx *tx, tx_page *h)
{
    h->dirty_next = tx->dirty;  /* T6 */
    tx->dirty = h;
    tx->n_dirty++;
}

static void
kept_unlink(pager_tx *tx, tx_page *h)
{
    if (h->kept_prev != NULL)
        h->kept_prev->kept_next = h->kept_next;
    else
        tx->kept_head = h->kept_next;
    if (h->kept_next != NULL)
        h->kept_next->kept_prev = h->kept_prev;
    else
        tx->kept_tail = h->kept_prev;
    h->kept_prev = h->kept_next = NULL;
    tx->n_kept--;
}

static void
kept_push(pager_tx *tx, tx_page *h)
{
    h->kept_next = NULL;
    h->kept_prev = tx->kept_tail;
    if (tx->kept_tail != NULL)
        tx->kept_tail->kept_next = h;
    else
        tx->kept_head = h;
    tx->kept_tail = h;
    tx->n_kept++;
}

/* Ends tx: drops every handle and pre-image, leaves the active list.
 * Outline: 1. give private copies and pre-images back to the pool, empty
 * the table (T6: through the live list) and chain the handles onto the
 * spare list; 2. under the mutex, release the cache references (the live
 * links are still intact), leave the active list (after which another
 * thread may take tx), wake waiters. */
static void
tx_end(pager_tx *tx)
{
    pager *p = tx->p;
    tx_page *first = tx->live, *last = NULL;

    /* 1 */
    for (size_t i = 0; i < tx->n_journal; i++)
        pool_put(p, tx->journal[i].data);
    for (tx_page *h = first; h != NULL; h = h->live_next) {
        tx->buckets[bucket_of(tx, h->pub.pgno)] = NULL;
        if (tx->is_write)
            pool_put(p, h->dirty);
        else
            free(h->dirty);     /* T7: copies kept by a committed reader (T9) */
        h->dirty = NULL;
        h->hash_next = h->live_next;
        last = h;
    }
    if (last != NULL) {
        last->hash_next = tx->spare;
        tx->spare = first;
    }
    tx->live = NULL;
    tx->dirty = NULL;
    tx->n_handles = 0;
    tx->n_journal = 0;
    tx->n_sps = 0;
    tx->n_dirty = 0;
    tx->kept_head = tx->kept_tail = NULL;
    tx->n_kept = 0;
    /* 2 */
    pthread_mutex_lock(&p->mutex);
    for (tx_page *h = first; h != NULL; h = h->live_next)
        if (h->entry != NULL)
            cache_release(&p->cache, h->entry);
    deferred_flush_locked(tx);
    tx_unlink_locked(p, tx);
    pthread_cond_broadcast(&p->cond);  /* a checkpoint may wait for readers */
    pthread_mutex_unlock(&p->mutex);
}

/* --- begin, upgrade ------------------------------------------------------- */

int
pager_tx_begin_read(pager *p, pager_tx **out)
{
    pager_tx *tx;

    pthread_mutex_lock(&p->mutex);
    tx = tx_take_locked(p);
    pthread_mutex_unlock(&p->mutex);
    *out = tx;
    return tx != NULL ? CHORUS_OK : CHORUS_NOMEM;
}

int
pager_tx_begin_write(pager *p, int busy_ms, const _Atomic int *interrupt, pager_tx **out)
{
    pager_tx *tx = NULL;
    int rc;

    *out = NULL;
    if (p->is_readonly)
        return CHORUS_READONLY;
    pthread_mutex_lock(&p->mutex);
    rc = pager_writer_acquire_locked(p, busy_ms, interrupt);
    if (rc == CHORUS_OK) {
        tx = tx_take_locked(p);
        if (tx == NULL) {
            pager_writer_release_locked(p);
            rc = CHORUS_NOMEM;
        } else {
            tx->is_write = true;
        }
    }
    pthread_mutex_unlock(&p->mutex);
    *out = tx;
    return rc;
}

int
pager_tx_upgrade(pager_tx *tx, int busy_ms, const _Atomic int *interrupt)
{
    pager *p = tx->p;
    int rc;

    if (tx->is_write)
        return CHORUS_OK;
    if (p->is_readonly)
        return CHORUS_READONLY;
    pthread_mutex_lock(&p->mutex);
    rc = pager_writer_acquire_locked(p, busy_ms, interrupt);
    if (rc == CHORUS_OK && tx->commit_seq != p->commit_seq) {
        pager_writer_release_locked(p);     /* its snapshot would fork history */
        rc = CHORUS_BUSY_SNAPSHOT;
    }
    if (rc == CHORUS_OK)
        tx->is_write = true;
    pthread_mutex_unlock(&p->mutex);
    return rc;
}

bool
pager_tx_is_write(pager_tx *tx)
{
    return tx->is_write;
}

uint64_t
pager_tx_snapshot_seq(pager_tx *tx)
{
    return tx->commit_seq;
}

pager *
pager_tx_pager(pager_tx *tx)
{
    return tx->p;
}

uint32_t
pager_tx_page_count(pager_tx *tx)
{
    return tx->n_pages;
}

/* --- pages ----------------------------------------------------------------- */

int
pager_page_get(pager_tx *tx, uint32_t pgno, pager_page **out)
{
    pager *p = tx->p;
    cache_entry *e;
    tx_page *h;
    int rc;

    *out = NULL;
    if (pgno == 0 || pgno > tx->n_pages || pgno == pager_lock_page(p->page_size))
        return CHORUS_CORRUPT_HERE();
    h = handle_find(tx, pgno);
    if (h != NULL) {
        if (h->refs++ == 0 && h->dirty == NULL)
            kept_unlink(tx, h);     /* T5 */
        *out = &h->pub;
        return CHORUS_OK;
    }
    if (pgno > tx->snap_pages)
        return CHORUS_CORRUPT_HERE();  /* T4: pages past the snapshot have handles */
    if ((rc = pager_fetch(p, tx->gen, tx->mark, pgno, &e)) != CHORUS_OK)
        return rc;
    h = handle_new(tx, pgno);
    if (h == NULL) {
        pthread_mutex_lock(&p->mutex);
        cache_release(&p->cache, e);
        pthread_mutex_unlock(&p->mutex);
        return CHORUS_NOMEM;
    }
    h->entry = e;
    h->pub.data = e->data;
    h->refs = 1;
    *out = &h->pub;
    return CHORUS_OK;
}

void
pager_page_release(pager_page *pg)
{
    tx_page *h = (tx_page *)pg;
    pager_tx *tx;

    if (pg == NULL || --h->refs > 0)
        return;
    h->pub.extra = NULL;
    if (h->dirty != NULL)
        return;                 /* T1: dirty pages stay until the tx ends */
    tx = h->tx;
    kept_push(tx, h);           /* T5 */
    if (tx->n_kept <= TX_KEEP_MAX)
        return;
    h = tx->kept_head;
    kept_unlink(tx, h);
    entry_release_later(tx, h->entry);          /* T8 */
    handle_unlink(tx, h);
}

static bool
preimage_saved(const pager_tx *tx, const tx_page *h)
{
    size_t i = h->saved_at;
    return i < tx->n_journal && tx->journal[i].pgno == h->pub.pgno
           && i >= tx->sps[tx->n_sps - 1].journal_start;      /* T3 */
}

/* R10: saves the bytes of h as a pre-image under the innermost savepoint. */
static int
preimage_save(pager_tx *tx, tx_page *h)
{
    uint32_t ps = tx->p->page_size;
    uint8_t *copy;

    if (tx->n_journal == tx->cap_journal) {
        size_t cap = tx->cap_journal ? tx->cap_journal * 2 : 16;
        sp_image *j = realloc(tx->journal, cap * sizeof *j);
        if (j == NULL)
            return CHORUS_NOMEM;
        tx->journal = j;
        tx->cap_journal = cap;
    }
    if ((copy = pool_get(tx->p)) == NULL)
        return CHORUS_NOMEM;
    memcpy(copy, h->pub.data, ps);
    tx->journal[tx->n_journal] = (sp_image){ .pgno = h->pub.pgno, .data = copy };
    h->saved_at = tx->n_journal++;
    return CHORUS_OK;
}

int
pager_page_write(pager_page *pg)
{
    tx_page *h = (tx_page *)pg;
    pager_tx *tx = h->tx;
    pager *p = tx->p;
    int rc;

    if (!tx->is_write)
        return CHORUS_READONLY;
    if (tx->n_sps > 0 && pg->pgno <= tx->sps[tx->n_sps - 1].n_pages && !preimage_saved(tx, h)
        && (rc = preimage_save(tx, h)) != CHORUS_OK)
        return rc;
    if (h->dirty != NULL)
        return CHORUS_OK;
    if ((h->dirty = pool_get(p)) == NULL)
        return CHORUS_NOMEM;
    memcpy(h->dirty, h->entry->data, p->page_size);
    entry_release_later(tx, h->entry);          /* T8 */
    h->entry = NULL;            /* T2 */
    h->pub.data = h->dirty;
    dirty_push(tx, h);
    return CHORUS_OK;
}

/* A new, dirty, zeroed handle for a page no snapshot holds. */
static int
page_fresh(pager_tx *tx, uint32_t pgno, tx_page **out)
{
    tx_page *h = handle_new(tx, pgno);

    *out = NULL;
    if (h == NULL)
        return CHORUS_NOMEM;
    if ((h->dirty = pool_get(tx->p)) == NULL) {
        handle_unlink(tx, h);
        return CHORUS_NOMEM;
    }
    memset(h->dirty, 0, tx->p->page_size);
    h->pub.data = h->dirty;
    h->refs = 1;
    dirty_push(tx, h);
    *out = h;
    return CHORUS_OK;
}

int
pager_page_append(pager_tx *tx, pager_page **out)
{
    uint32_t old_n = tx->n_pages;
    uint32_t pgno = old_n + 1;
    pager_page *pg;
    tx_page *h;
    int rc;

    *out = NULL;
    if (!tx->is_write)
        return CHORUS_READONLY;
    if (pgno == pager_lock_page(tx->p->page_size))
        pgno++;                 /* the lock-byte page is never used */
    if (pgno >= UINT32_MAX - 1)
        return CHORUS_FULL;
    tx->n_pages = pgno;
    if (handle_find(tx, pgno) == NULL && pgno > tx->snap_pages) {
        rc = page_fresh(tx, pgno, &h);
        pg = h != NULL ? &h->pub : NULL;
    } else {
        /* the page existed earlier in this tx: keep its pre-image (R10) */
        rc = pager_page_get(tx, pgno, &pg);
        if (rc == CHORUS_OK && (rc = pager_page_write(pg)) != CHORUS_OK)
            pager_page_release(pg);
        if (rc == CHORUS_OK)
            memset(pg->data, 0, tx->p->page_size);
    }
    if (rc != CHORUS_OK) {
        tx->n_pages = old_n;
        return rc;
    }
    *out = pg;
    return CHORUS_OK;
}

int
pager_tx_truncate(pager_tx *tx, uint32_t n_pages)
{
    if (!tx->is_write)
        return CHORUS_READONLY;
    if (n_pages == 0 || n_pages > tx->n_pages)
        return CHORUS_MISUSE;
    tx->n_pages = n_pages;
    return CHORUS_OK;
}

/* --- savepoints (R10) ------------------------------------------------------ */

int
pager_savepoint_open(pager_tx *tx, int *id_out)
{
    *id_out = 0;
    if (!tx->is_write)
        return CHORUS_READONLY;
    if (tx->n_sps == tx->cap_sps) {
        int cap = tx->cap_sps ? tx->cap_sps * 2 : 8;
        savepoint *s = realloc(tx->sps, (size_t)cap * sizeof *s);
        if (s == NULL)
            return CHORUS_NOMEM;
        tx->sps = s;
        tx->cap_sps = cap;
    }
    tx->sps[tx->n_sps] = (savepoint){ .n_pages = tx->n_pages, .journal_start = tx->n_journal };
    *id_out = ++tx->n_sps;
    return CHORUS_OK;
}

int
pager_savepoint_release(pager_tx *tx, int id)
{
    if (id < 1 || id > tx->n_sps)
        return CHORUS_MISUSE;
    tx->n_sps = id - 1;
    if (tx->n_sps == 0) {
        for (size_t i = 0; i < tx->n_journal; i++)
            pool_put(tx->p, tx->journal[i].data);
        tx->n_journal = 0;
    }
    return CHORUS_OK;
}

int
pager_savepoint_depth(pager_tx *tx)
{
    return tx->n_sps;
}

int
pager_savepoint_rollback(pager_tx *tx, int id)
{
    size_t start;

    if (id < 1 || id > tx->n_sps)
        return CHORUS_MISUSE;
    start = tx->sps[id - 1].journal_start;
    while (tx->n_journal > start) {
        sp_image *img = &tx->journal[--tx->n_journal];
        tx_page *h = handle_find(tx, img->pgno);
        if (h != NULL && h->dirty != NULL)
            memcpy(h->dirty, img->data, tx->p->page_size);
        pool_put(tx->p, img->data);
    }
    tx->n_pages = tx->sps[id - 1].n_pages;
    tx->n_sps = id;
    return CHORUS_OK;
}

/* --- commit and rollback --------------------------------------------------- */

static int
pgno_cmp(const void *a, const void *b)
{
    uint32_t x = (*(pager_page *const *)a)->pgno, y = (*(pager_page *const *)b)->pgno;
    return x < y ? -1 : x > y;
}

/* Collects the dirty pages to commit (pgno <= n_pages), sorted. */
static int
dirty_collect(pager_tx *tx, pager_page ***pages_out, uint32_t *n_out)
{
    pager_page **pages = malloc((size_t)(tx->n_dirty ? tx->n_dirty : 1) * sizeof *pages);
    uint32_t n = 0;

    *pages_out = NULL;
    *n_out = 0;
    if (pages == NULL)
        return CHORUS_NOMEM;
    for (tx_page *h = tx->dirty; h != NULL; h = h->dirty_next)     /* T6 */
        if (h->pub.pgno <= tx->n_pages)
            pages[n++] = &h->pub;
    qsort(pages, n, sizeof *pages, pgno_cmp);
    *pages_out = pages;
    *n_out = n;
    return CHORUS_OK;
}

static int commit_prepare(pager_tx *tx);
static int mvcc_header_committed(pager_tx *tx);

static bool
tx_has_changes(const pager_tx *tx)
{
    return tx->n_dirty > 0 || tx->n_pages != tx->snap_pages;
}

/* Fixes page 1 and the database file (R11, R12, R15) and appends the
 * frames of tx's changes. Writer lock held. */
static int
commit_changes(pager_tx *tx)
{
    pager_page **pages = NULL;
    uint32_t n = 0;
    int rc;

    rc = commit_prepare(tx);
    if (rc == CHORUS_OK)
        rc = dirty_collect(tx, &pages, &n);
    if (rc == CHORUS_OK && n == 0)
        rc = CHORUS_INTERNAL;   /* commit_prepare() guarantees a frame */
    if (rc == CHORUS_OK)
        rc = pager_commit_frames(tx->p, pages, n, tx->n_pages);
    free(pages);
    if (rc == CHORUS_OK && tx->mvcc_header >= 0)
        rc = mvcc_header_committed(tx);
    return rc;
}

/* Runs a passive checkpoint once the WAL holds wal_autocheckpoint frames.
 * Called after a commit, without the writer lock. */
static void
checkpoint_if_due(pager *p)
{
    int autockpt = atomic_load_explicit(&p->autockpt, memory_order_relaxed);

    if (autockpt > 0 && pager_wal_frames(p) >= autockpt)
        pager_checkpoint_run(p, PAGER_CKPT_PASSIVE, false, NULL, NULL);
}

/*
 * Outline: 1. a read tx, or a write tx without changes, just ends; 2. fix
 * page 1 and the database file, append the frames (commit_changes); 3. end,
 * release the writer lock; 4. auto-checkpoint.
 */
int
pager_tx_commit(pager_tx *tx)
{
    pager *p = tx->p;
    int rc;

    /* 1 */
    if (!tx->is_write || !tx_has_changes(tx)) {
        bool was_write = tx->is_write;
        tx_end(tx);
        if (was_write)
            pager_writer_release(p);
        return CHORUS_OK;
    }
    /* 2 */
    rc = commit_changes(tx);
    /* 3 */
    tx_end(tx);
    pager_writer_release(p);
    /* 4 */
    if (rc == CHORUS_OK)
        checkpoint_if_due(p);
    return rc;
}

/*
 * T9. Outline: 1. a read tx stays as it is; 2. commit the changes, if any
 * (on failure tx is left a write transaction with every change, for the
 * caller to roll back); 3. pre-images back to the pool, savepoints dropped;
 * 4. under the mutex, move the snapshot to the commit just published (the
 * writer lock is still held, so no other commit comes between); 5. release
 * the writer lock and auto-checkpoint.
 */
int
pager_tx_commit_keep_reading(pager_tx *tx)
{
    pager *p = tx->p;
    int rc;

    /* 1 */
    if (!tx->is_write)
        return CHORUS_OK;
    /* 2 */
    if (tx_has_changes(tx) && (rc = commit_changes(tx)) != CHORUS_OK)
        return rc;
    /* 3 */
    for (size_t i = 0; i < tx->n_journal; i++)
        pool_put(p, tx->journal[i].data);
    tx->n_journal = 0;
    tx->n_sps = 0;
    /* 4 */
    pthread_mutex_lock(&p->mutex);
    tx->gen = p->wal.gen;
    tx->mark = p->wal.max_frame;
    tx->commit_seq = p->commit_seq;
    tx->snap_pages = tx->n_pages = p->n_pages;
    tx->is_write = false;
    pthread_mutex_unlock(&p->mutex);
    /* 5 */
    pager_writer_release(p);
    checkpoint_if_due(p);
    return CHORUS_OK;
}

void
pager_tx_rollback(pager_tx *tx)
{
    pager *p;
    bool was_write;

    if (tx == NULL)
        return;
    p = tx->p;
    was_write = tx->is_write;
    tx_end(tx);
    if (was_write)
        pager_writer_release(p);
}

/* --- page 1 at commit (R11, R12, R15) --------------------------------------- */

static bool
page1_has_header(const uint8_t *d)
{
    return memcmp(d, "SQLite format 3", 16) == 0;
}

/* The file format version bytes 18/19 this commit writes (R11, R17). */
static uint8_t
page1_version(const pager_tx *tx)
{
    bool mvcc = tx->mvcc_header >= 0
                    ? tx->mvcc_header == 1
                    : atomic_load_explicit(&tx->p->mvcc_header, memory_order_relaxed);
    return mvcc ? PAGER_MVCC_VERSION : 2;
}

/* Makes page 1's header agree with the commit: the mode bytes (R17), the
 * page count, and [92] == [24] so that readers trust [28]. */
static int
page1_fix(pager_tx *tx, pager_page *pg)
{
    uint8_t *d = pg->data;
    uint8_t version = page1_version(tx);
    int rc;

    if (!page1_has_header(d))
        return CHORUS_OK;       /* not formatted yet: nothing to keep in step */
    if (d[18] == version && d[19] == version && get_be32(d + 28) == tx->n_pages
        && get_be32(d + 92) == get_be32(d + 24))
        return CHORUS_OK;
    if ((rc = pager_page_write(pg)) != CHORUS_OK)
        return rc;
    d = pg->data;
    d[18] = d[19] = version;
    put_be32(d + 28, tx->n_pages);
    put_be32(d + 92, get_be32(d + 24));
    return CHORUS_OK;
}

/* R17: the commit that changed the mode bytes is in the WAL. Going into
 * MVCC mode, the database file's own header says 255 too (synced), so a
 * reader that ignores the WAL refuses the file as well; leaving it, the
 * file keeps 255 until a checkpoint copies page 1 (the WAL has the truth).
 * Writer lock held. */
static int
mvcc_header_committed(pager_tx *tx)
{
    pager *p = tx->p;
    uint8_t bytes[2] = {PAGER_MVCC_VERSION, PAGER_MVCC_VERSION};
    int rc = CHORUS_OK;

    /* Release: pairs with pager_mvcc_header()'s acquire; the flag is seen
     * set only after the commit that wrote 255 is in the WAL. */
    atomic_store_explicit(&p->mvcc_header, tx->mvcc_header == 1, memory_order_release);
    if (tx->mvcc_header == 0 || p->is_memory)
        return CHORUS_OK;
    pthread_mutex_lock(&p->ckpt_mutex);
    rc = os_write(p->db, bytes, sizeof bytes, 18);
    if (rc == CHORUS_OK && pager_synchronous(p) != PAGER_SYNC_OFF)
        rc = os_sync(p->db, OS_SYNC_DATA);
    pthread_mutex_lock(&p->mutex);
    cache_invalidate_db_page(&p->cache, 1);  /* R7 */
    pthread_mutex_unlock(&p->mutex);
    pthread_mutex_unlock(&p->ckpt_mutex);
    return rc;
}

int
pager_tx_set_mvcc_header(pager_tx *tx, bool on)
{
    pager_page *pg;
    int rc;

    if (!tx->is_write)
        return CHORUS_READONLY;
    if ((rc = pager_page_get(tx, 1, &pg)) != CHORUS_OK)
        return rc;
    if (!page1_has_header(pg->data)) {
        pager_page_release(pg);
        return CHORUS_MISUSE;   /* format the database first */
    }
    tx->mvcc_header = on ? 1 : 0;
    rc = page1_fix(tx, pg);
    if (rc == CHORUS_OK)
        rc = pager_page_write(pg);      /* the commit carries page 1 either way */
    pager_page_release(pg);
    return rc;
}

bool
pager_mvcc_header(pager *p)
{
    /* Acquire: pairs with mvcc_header_committed()'s release. */
    return atomic_load_explicit(&p->mvcc_header, memory_order_acquire);
}

int
pager_header_is_mvcc(pager *p, bool *out)
{
    pager_tx *tx;
    pager_page *pg;
    int rc;

    *out = false;
    if ((rc = pager_tx_begin_read(p, &tx)) != CHORUS_OK)
        return rc;
    if (pager_tx_page_count(tx) > 0 && (rc = pager_page_get(tx, 1, &pg)) == CHORUS_OK) {
        *out = page1_has_header(pg->data) && pg->data[18] == PAGER_MVCC_VERSION
               && pg->data[19] == PAGER_MVCC_VERSION;
        pager_page_release(pg);
    }
    pager_tx_rollback(tx);
    /* Alone at open (pager.h): page 1 may say so through the WAL only. */
    if (rc == CHORUS_OK && *out)
        atomic_store_explicit(&p->mvcc_header, true, memory_order_relaxed);
    return rc;
}

/* R11: switches a rollback-mode file to WAL mode in place. */
static int
db_file_to_wal_mode(pager *p)
{
    uint8_t hdr[DB_HEADER_SIZE];
    int rc;

    pthread_mutex_lock(&p->ckpt_mutex);
    rc = os_read(p->db, hdr, sizeof hdr, 0);
    if (rc == CHORUS_OK) {
        hdr[18] = hdr[19] = 2;
        rc = os_write(p->db, hdr + 18, 2, 18);
    }
    if (rc == CHORUS_OK && pager_synchronous(p) != PAGER_SYNC_OFF)
        rc = os_sync(p->db, OS_SYNC_DATA);
    if (rc == CHORUS_OK) {
        pthread_mutex_lock(&p->mutex);
        p->needs_wal_mode = false;
        cache_invalidate_db_page(&p->cache, 1);  /* R7 */
        pthread_mutex_unlock(&p->mutex);
    }
    pthread_mutex_unlock(&p->ckpt_mutex);
    return rc;
}

/* R12: gives an empty database file a valid page 1 of an empty database in
 * WAL mode, so that sqlite3 (which drops the WAL of an empty file) and a
 * crash before the first checkpoint both find a database. */
static int
db_file_first_page(pager *p, const uint8_t *page1)
{
    uint8_t *d = calloc(1, p->page_size);
    uint32_t content = p->usable_size == 65536 ? 0 : p->usable_size;
    int rc;

    if (d == NULL)
        return CHORUS_NOMEM;
    memcpy(d, page1, DB_HEADER_SIZE);
    d[18] = d[19] = 2;
    put_be32(d + 28, 1);
    put_be32(d + 32, 0);        /* no freelist */
    put_be32(d + 36, 0);
    put_be32(d + 92, get_be32(d + 24));
    d[100] = 0x0d;              /* empty table leaf: the sqlite_schema root */
    d[105] = (uint8_t)(content >> 8);
    d[106] = (uint8_t)content;
    pthread_mutex_lock(&p->ckpt_mutex);
    rc = os_write(p->db, d, p->page_size, 0);
    if (rc == CHORUS_OK && pager_synchronous(p) != PAGER_SYNC_OFF)
        rc = os_sync(p->db, OS_SYNC_DATA);
    if (rc == CHORUS_OK) {
        pthread_mutex_lock(&p->mutex);
        p->db_file_empty = false;
        cache_invalidate_db_page(&p->cache, 1);
        pthread_mutex_unlock(&p->mutex);
    }
    pthread_mutex_unlock(&p->ckpt_mutex);
    free(d);
    return rc;
}

static bool
has_dirty_in_range(const pager_tx *tx)
{
    for (const tx_page *h = tx->dirty; h != NULL; h = h->dirty_next)   /* T6 */
        if (h->pub.pgno <= tx->n_pages)
            return true;
    return false;
}

/* Step 2 of commit: page 1 and the database file before the frames go out.
 * The mode flags change only under the writer lock, which we hold. */
static int
commit_prepare(pager_tx *tx)
{
    pager *p = tx->p;
    pager_page *pg;
    bool needs_wal_mode, db_file_empty;
    int rc;

    if ((rc = pager_page_get(tx, 1, &pg)) != CHORUS_OK)
        return rc;
    rc = page1_fix(tx, pg);
    if (rc == CHORUS_OK && !has_dirty_in_range(tx))
        rc = pager_page_write(pg);      /* a commit needs a frame to carry its size */
    pthread_mutex_lock(&p->mutex);      /* a checkpoint may clear db_file_empty */
    needs_wal_mode = p->needs_wal_mode;
    db_file_empty = p->db_file_empty;
    pthread_mutex_unlock(&p->mutex);
    if (rc == CHORUS_OK && needs_wal_mode && !db_file_empty)
        rc = db_file_to_wal_mode(p);
    if (rc == CHORUS_OK && db_file_empty && page1_has_header(pg->data))
        rc = db_file_first_page(p, pg->data);
    pager_page_release(pg);
    return rc;
}
