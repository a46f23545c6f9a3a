/*
 * core/pager/pager.c: the pager object: open and close, header validation,
 * the page count rule, fetching committed pages through the shared cache,
 * the single-writer lock and appending a commit to the WAL.
 *
 * Protocol summary (numbers refer to core/pager/README.md)
 *   - A commit appends frames, the last one carrying the database size, then
 *     publishes the new end mark under the mutex (R1, R2).
 *   - A snapshot is (WAL generation, end mark); a page comes from the newest
 *     frame <= the mark, else from the database file (R5).
 *   - The WAL restarts (new salts, generation + 1) only when every frame is
 *     backfilled (R4).
 *
 * Invariants
 *   G1  wal.backfilled <= wal.max_frame == wal.index.n_frames.
 *   G2  n_pages is the database size of the newest commit; every active
 *       snapshot's page count was n_pages at its start.
 *   G3  No I/O is done while holding the mutex.
 *   G4  A page read from a WAL frame outside the mutex is used only if the
 *       WAL generation did not change during the read (pager_fetch).
 *
 * Locking: the pager mutex guards the fields so marked in pager_int.h; the
 * lock order is writer lock, then ckpt_mutex, then mutex (README "Lock
 * order").
 * Ownership: the pager owns its files, WAL index, cache and spare
 * transactions; pager_close() frees them all.
 * Callers: the btree layer and the C API through pager.h; tx.c,
 * checkpoint.c and journal.c through pager_int.h.
 */
#include "pager_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static const char DB_MAGIC[16] = "SQLite format 3";    /* with its NUL: 16 bytes */

static _Atomic unsigned memory_db_counter;

static void
set_errmsg(char **errmsg_out, const char *msg, const char *path)
{
    if (errmsg_out != NULL && *errmsg_out == NULL)
        *errmsg_out = path ? common_mprintf("%s: %s", msg, path) : common_mprintf("%s", msg);
}

static int
cond_init_monotonic(pthread_cond_t *cond)
{
    pthread_condattr_t attr;
    int r;

    pthread_condattr_init(&attr);
    pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
    r = pthread_cond_init(cond, &attr);
    pthread_condattr_destroy(&attr);
    return r == 0 ? CHORUS_OK : CHORUS_NOMEM;
}

/* Waits on cond (monotonic clock) until at most deadline_ns. Mutex held. */
static void
cond_wait_until(pager *p, pthread_cond_t *cond, int64_t deadline_ns)
{
    struct timespec ts = { .tv_sec = deadline_ns / 1000000000, .tv_nsec = deadline_ns % 1000000000 };
    pthread_cond_timedwait(cond, &p->mutex, &ts);
}

static int pager_wal_open(pager *p, bool create);

/* --- header and page count (R15) --------------------------------------- */

static uint32_t
page_size_decode(const uint8_t *hdr)
{
    uint32_t v = (uint32_t)hdr[16] << 8 | hdr[17];
    return v == 1 ? 65536 : v;
}

static bool
page_size_valid(uint32_t ps)
{
    return ps >= 512 && ps <= 65536 && (ps & (ps - 1)) == 0;
}

/* Checks the 100-byte header; sets page size, usable size and the mode
 * flags of p. */
static int
header_check(pager *p, const uint8_t *hdr, char **errmsg_out)
{
    uint32_t ps = page_size_decode(hdr);

    if (memcmp(hdr, DB_MAGIC, sizeof DB_MAGIC) != 0 || !page_size_valid(ps)
        || hdr[21] != 64 || hdr[22] != 32 || hdr[23] != 32 || ps - hdr[20] < 480) {
        set_errmsg(errmsg_out, "file is not a database", p->path);
        return CHORUS_NOTADB;
    }
    if (hdr[18] == PAGER_MVCC_VERSION && hdr[19] == PAGER_MVCC_VERSION) {
        /* R17: MVCC mode; the engine decides whether its log is there. */
        atomic_store_explicit(&p->mvcc_header, true, memory_order_relaxed);
    } else if (hdr[19] > 2) {
        set_errmsg(errmsg_out, "file is not a database (unsupported read version)", p->path);
        return CHORUS_NOTADB;
    } else if (hdr[18] > 2) {
        p->is_readonly = true;
    }
    p->page_size = ps;
    p->usable_size = ps - hdr[20];
    p->needs_wal_mode = !atomic_load_explicit(&p->mvcc_header, memory_order_relaxed)
                        && (hdr[18] != 2 || hdr[19] != 2);
    return CHORUS_OK;
}

/* R15: the page count of the database file alone. */
static uint32_t
db_file_pages(const pager *p, const uint8_t *hdr, int64_t file_size)
{
    uint32_t in_header = get_be32(hdr + 28);

    if (in_header != 0 && get_be32(hdr + 24) == get_be32(hdr + 92))
        return in_header;
    return (uint32_t)(file_size / p->page_size);
}

/* Reads the database header (if any), recovers the WAL (if any) and sets
 * the page size and page count. Outline: 1. empty or short file; 2. header
 * checks; 3. WAL recovery with the header's page size; 4. page count. */
static int
pager_load_state(pager *p, const pager_config *cfg, char **errmsg_out)
{
    uint8_t hdr[DB_HEADER_SIZE];
    int64_t size;
    uint32_t wal_ps;
    int rc;

    /* 1 */
    if ((rc = os_size(p->db, &size)) != CHORUS_OK)
        return rc;
    p->db_file_empty = size == 0;
    if (size > 0 && size < DB_HEADER_SIZE) {
        set_errmsg(errmsg_out, "file is not a database", p->path);
        return CHORUS_NOTADB;
    }
    /* 2 */
    if (size > 0) {
        if ((rc = os_read(p->db, hdr, sizeof hdr, 0)) != CHORUS_OK)
            return rc;
        if ((rc = header_check(p, hdr, errmsg_out)) != CHORUS_OK)
            return rc;
    } else {
        p->page_size = cfg->page_size ? cfg->page_size : PAGER_DEFAULT_PAGE_SIZE;
        if (!page_size_valid(p->page_size))
            return CHORUS_MISUSE;
        p->usable_size = p->page_size;
    }
    /* 3: an empty file takes the page size of a valid WAL */
    if ((rc = pager_wal_open(p, !p->is_readonly)) != CHORUS_OK)
        return rc;
    wal_ps = size > 0 ? p->page_size : 0;
    if ((rc = wal_recover(&p->wal, &wal_ps)) != CHORUS_OK)
        return rc;
    if (size == 0 && p->wal.max_frame > 0)
        p->page_size = p->usable_size = wal_ps;
    /* 4 */
    if (p->wal.max_frame > 0)
        p->n_pages = p->wal.index.frame_dbsize[p->wal.max_frame];
    else
        p->n_pages = size > 0 ? db_file_pages(p, hdr, size) : 0;
    return CHORUS_OK;
}

/* Opens the -wal file (create: creating it if missing) at open time; a
 * read-only pager opens it only if it exists. wal.file is immutable
 * afterwards. */
static int
pager_wal_open(pager *p, bool create)
{
    int exists = 0;
    int rc;

    if (p->wal.file != NULL)
        return CHORUS_OK;
    if (!create) {
        if ((rc = p->vfs->exists(p->vfs, p->wal.path, &exists)) != CHORUS_OK || !exists)
            return rc;
    }
    rc = p->vfs->open(p->vfs, p->wal.path,
                      p->is_readonly ? OS_OPEN_READONLY : OS_OPEN_CREATE, &p->wal.file);
    if (rc == CHORUS_CANTOPEN && p->is_readonly && !create)
        return CHORUS_OK;       /* a read-only open can live without its WAL */
    return rc;
}

/* --- open and close ----------------------------------------------------- */

static pager *
pager_alloc(const char *path, const pager_config *cfg)
{
    pager *p = calloc(1, sizeof *p);
    bool is_memory = cfg->in_memory || strcmp(path, ":memory:") == 0;

    if (p == NULL)
        return NULL;
    p->is_memory = is_memory;
    p->is_readonly = cfg->readonly && !is_memory;
    p->vfs = cfg->vfs ? cfg->vfs : is_memory ? os_vfs_memory() : os_vfs_posix();
    if (is_memory) {
        unsigned n = atomic_fetch_add_explicit(&memory_db_counter, 1, memory_order_relaxed);
        p->path = common_mprintf("chorus-memory-%u", n);   /* relaxed: only uniqueness */
    } else {
        p->path = strdup(path);
    }
    p->wal.path = p->path ? common_mprintf("%s-wal", p->path) : NULL;
    p->wal.gen = 1;
    wal_index_init(&p->wal.index);
    pthread_mutex_init(&p->mutex, NULL);
    pthread_mutex_init(&p->ckpt_mutex, NULL);
    atomic_init(&p->synchronous, PAGER_SYNC_FULL);
    atomic_init(&p->autockpt, PAGER_DEFAULT_AUTOCKPT);
    atomic_init(&p->ckpt_busy_ms, PAGER_DEFAULT_BUSY_MS);
    atomic_init(&p->mvcc_header, false);      /* header_check() may set it (R17) */
    if (p->path == NULL || p->wal.path == NULL || cond_init_monotonic(&p->cond) != CHORUS_OK) {
        free(p->wal.path);
        free(p->path);
        free(p);
        return NULL;
    }
    return p;
}

static void
pager_free(pager *p)
{
    pager_tx_free_spares(p);
    pager_pool_free(p);
    cache_free(&p->cache);
    wal_index_free(&p->wal.index);
    os_close(p->wal.file);
    if (p->db != NULL) {
        pager_os_unlock(p);
        os_close(p->db);
    }
    if (p->is_memory) {
        p->vfs->remove(p->vfs, p->wal.path);
        p->vfs->remove(p->vfs, p->path);
    }
    pthread_cond_destroy(&p->cond);
    pthread_mutex_destroy(&p->ckpt_mutex);
    pthread_mutex_destroy(&p->mutex);
    free(p->wal.path);
    free(p->path);
    free(p);
}

/*
 * Outline: 1. allocate and pick the VFS; 2. open the database file;
 * 3. take the OS lock (R13); 4. roll back a hot journal (R16); 5. read the
 * header, recover the WAL, count pages; 6. set up the cache.
 */
int
pager_open(const char *path, const pager_config *cfg, pager **out, char **errmsg_out)
{
    pager_config defaults = { 0 };
    pager *p;
    int flags;
    int rc;

    *out = NULL;
    if (errmsg_out != NULL)
        *errmsg_out = NULL;
    if (path == NULL)
        return CHORUS_MISUSE;
    if (cfg == NULL)
        cfg = &defaults;
    /* 1 */
    if ((p = pager_alloc(path, cfg)) == NULL)
        return CHORUS_NOMEM;
    /* 2 */
    flags = p->is_readonly ? OS_OPEN_READONLY : (cfg->create || p->is_memory) ? OS_OPEN_CREATE : 0;
    rc = p->vfs->open(p->vfs, p->path, flags, &p->db);
    if (rc != CHORUS_OK) {
        set_errmsg(errmsg_out, "unable to open database file", p->path);
        goto fail;
    }
    /* 3 */
    if ((rc = pager_os_lock(p)) != CHORUS_OK) {
        set_errmsg(errmsg_out, rc == CHORUS_BUSY ? "database is locked by another process"
                                                 : "cannot lock database file", p->path);
        goto fail;
    }
    /* 4, 5 */
    if ((rc = pager_journal_recover(p, errmsg_out)) != CHORUS_OK
        || (rc = pager_load_state(p, cfg, errmsg_out)) != CHORUS_OK)
        goto fail;
    /* 6 */
    rc = cache_init(&p->cache, p->page_size,
                    cfg->cache_bytes > 0 ? cfg->cache_bytes : PAGER_DEFAULT_CACHE_BYTES);
    if (rc != CHORUS_OK)
        goto fail;
    *out = p;
    return CHORUS_OK;
fail:
    if (rc == CHORUS_NOMEM)
        set_errmsg(errmsg_out, "out of memory", NULL);
    else if (rc != CHORUS_OK)
        set_errmsg(errmsg_out, rc == CHORUS_CORRUPT ? "database disk image is malformed"
                               : "disk I/O error while opening the database", p->path);
    pager_free(p);
    return rc;
}

int
pager_close(pager *p)
{
    int rc = CHORUS_OK;

    if (p == NULL)
        return CHORUS_OK;
    if (p->active != NULL)
        return CHORUS_MISUSE;
    if (!p->is_readonly && !p->is_memory && p->wal.file != NULL) {
        rc = pager_checkpoint_run(p, PAGER_CKPT_PASSIVE, true, NULL, NULL);
        if (rc == CHORUS_OK && p->wal.backfilled == p->wal.max_frame) {
            os_close(p->wal.file);
            p->wal.file = NULL;
            rc = p->vfs->remove(p->vfs, p->wal.path);
        }
    }
    pager_free(p);
    return rc;
}

/* --- settings ----------------------------------------------------------- */

uint32_t
pager_page_size(pager *p)
{
    return p->page_size;
}

uint32_t
pager_usable_size(pager *p)
{
    return p->usable_size;
}

bool
pager_is_readonly(pager *p)
{
    return p->is_readonly;
}

/* The settings are relaxed atomics: each is read once per operation and
 * orders no other memory. */
void
pager_set_synchronous(pager *p, int level)
{
    if (level < PAGER_SYNC_OFF || level > PAGER_SYNC_EXTRA)
        return;
    atomic_store_explicit(&p->synchronous, level, memory_order_relaxed);
}

int
pager_synchronous(pager *p)
{
    return atomic_load_explicit(&p->synchronous, memory_order_relaxed);
}

void
pager_set_cache_bytes(pager *p, int64_t bytes)
{
    pthread_mutex_lock(&p->mutex);
    cache_set_budget(&p->cache, bytes > 0 ? bytes : PAGER_DEFAULT_CACHE_BYTES);
    pthread_mutex_unlock(&p->mutex);
}

void
pager_set_autocheckpoint(pager *p, int frames)
{
    atomic_store_explicit(&p->autockpt, frames, memory_order_relaxed);
}

int
pager_autocheckpoint(pager *p)
{
    return atomic_load_explicit(&p->autockpt, memory_order_relaxed);
}

int
pager_wal_sync(pager *p)
{
    int rc = CHORUS_OK;

    if (p->is_memory || p->wal.file == NULL || pager_synchronous(p) == PAGER_SYNC_OFF)
        return CHORUS_OK;
    pthread_mutex_lock(&p->ckpt_mutex);     /* the WAL file is not restarted meanwhile */
    rc = os_sync(p->wal.file, OS_SYNC_DATA);
    pthread_mutex_unlock(&p->ckpt_mutex);
    return rc;
}

void
pager_set_checkpoint_busy_timeout(pager *p, int ms)
{
    atomic_store_explicit(&p->ckpt_busy_ms, ms, memory_order_relaxed);
}

int
pager_wal_frames(pager *p)
{
    int n;

    pthread_mutex_lock(&p->mutex);
    n = (int)(p->wal.max_frame - p->wal.backfilled);
    pthread_mutex_unlock(&p->mutex);
    return n;
}

/* --- fetching committed pages (R5, R6) ---------------------------------- */

static int
page_load(pager *p, uint32_t pgno, uint32_t frame, uint8_t *buf)
{
    int rc;

    if (frame != 0)
        return wal_read_frame_page(&p->wal, p->page_size, frame, buf);
    rc = os_read(p->db, buf, p->page_size, (int64_t)(pgno - 1) * p->page_size);
    return rc == CHORUS_IOERR_SHORT_READ ? CHORUS_OK : rc;  /* past the end: zeros */
}

/*
 * Gets the committed image of pgno in snapshot (gen, mark) with a cache
 * reference. The first thread to miss loads the page outside the mutex
 * (G3); others wait for it on p->cond.
 *
 * G4: a frame read outside the mutex is trusted only if the WAL generation
 * is still gen once the read is over. A snapshot whose mark is max_frame
 * can see every frame when a checkpoint backfills all of them, so the WAL
 * may restart (R4) while such a load is in flight, and the next commit then
 * rewrites (or TRUNCATE cuts) the very frame being read. A restart bumps the
 * generation, under the mutex, before any frame is rewritten, so a load
 * that still sees gen afterwards read the old bytes; one that does not is
 * discarded and retried: the snapshot now reads the database file, which
 * R4 made equal to it and R14 keeps so while it is active.
 */
int
pager_fetch(pager *p, uint32_t gen, uint32_t mark, uint32_t pgno, cache_entry **out)
{
    cache_entry *e;
    uint32_t frame;
    bool is_stale;
    int rc;

    *out = NULL;
    pthread_mutex_lock(&p->mutex);
    for (;;) {
        /* R5: an older generation's snapshot is fully in the database file */
        frame = gen == p->wal.gen ? wal_index_find(&p->wal.index, pgno, mark) : 0;
        e = cache_lookup(&p->cache, pgno, frame ? gen : 0, frame);
        if (e != NULL && e->state == CACHE_READY) {
            rc = CHORUS_OK;
            break;
        }
        if (e != NULL) {
            pthread_cond_wait(&p->cond, &p->mutex);
            continue;
        }
        if ((e = cache_insert(&p->cache, pgno, frame ? gen : 0, frame)) == NULL) {
            rc = CHORUS_NOMEM;
            break;
        }
        pthread_mutex_unlock(&p->mutex);
        rc = page_load(p, pgno, frame, e->data);
        pthread_mutex_lock(&p->mutex);
        is_stale = frame != 0 && p->wal.gen != gen;     /* G4 */
        if (rc == CHORUS_OK && !is_stale)
            e->state = CACHE_READY;
        else
            cache_discard(&p->cache, e);
        pthread_cond_broadcast(&p->cond);
        if (!is_stale)
            break;
    }
    pthread_mutex_unlock(&p->mutex);
    if (rc == CHORUS_OK)
        *out = e;
    return rc;
}

/* --- the writer lock (R8) ----------------------------------------------- */

/*
 * W1: the lock passes first come, first served. A thread that finds it
 * taken (or others already waiting) queues a writer_waiter and sleeps on
 * its own condition; a release hands the lock straight to the oldest
 * waiter (has_writer stays true, is_granted is set) and wakes that one
 * only. So the releasing thread cannot take the lock back at once and no
 * waiter loses rounds to newcomers, and a release wakes one thread, not
 * all. W2: the queue is non-empty only while has_writer is true. A waiter
 * that gives up (busy timeout, interrupt) leaves the queue itself; one that
 * was granted the lock meanwhile keeps it (it checks is_granted first).
 */
static void
writer_queue_remove(pager *p, writer_waiter *w)
{
    writer_waiter **pp = &p->writer_queue;
    writer_waiter *prev = NULL;

    while (*pp != w) {
        prev = *pp;
        pp = &(*pp)->next;
    }
    *pp = w->next;
    if (p->writer_queue_tail == w)
        p->writer_queue_tail = prev;
}

int
pager_writer_acquire_locked(pager *p, int busy_ms, const _Atomic int *interrupt)
{
    int64_t deadline = common_now_ns() + (int64_t)(busy_ms > 0 ? busy_ms : 0) * 1000000;
    writer_waiter w = { .is_granted = false, .next = NULL };
    int rc = CHORUS_BUSY;

    if (!p->has_writer) {       /* W2: nobody waits either */
        p->has_writer = true;
        return CHORUS_OK;
    }
    if (cond_init_monotonic(&w.cond) != CHORUS_OK)
        return CHORUS_NOMEM;
    if (p->writer_queue_tail != NULL)
        p->writer_queue_tail->next = &w;
    else
        p->writer_queue = &w;
    p->writer_queue_tail = &w;
    for (;;) {
        int64_t now = common_now_ns();
        if (w.is_granted) {
            rc = CHORUS_OK;
            break;
        }
        /* Relaxed: only the flag's own value matters; it orders nothing. */
        if (interrupt != NULL && atomic_load_explicit(interrupt, memory_order_relaxed)) {
            rc = CHORUS_INTERRUPT;
            break;
        }
        if (now >= deadline)
            break;
        /* wake at least every 10 ms to poll the interrupt flag */
        cond_wait_until(p, &w.cond, deadline - now < 10000000 ? deadline : now + 10000000);
    }
    if (!w.is_granted)
        writer_queue_remove(p, &w);
    pthread_cond_destroy(&w.cond);
    return rc;
}

void
pager_writer_release_locked(pager *p)
{
    writer_waiter *w = p->writer_queue;

    if (w == NULL) {
        p->has_writer = false;
        return;
    }
    p->writer_queue = w->next;          /* W1: has_writer passes to w */
    if (p->writer_queue == NULL)
        p->writer_queue_tail = NULL;
    w->is_granted = true;
    pthread_cond_signal(&w->cond);
}

int
pager_writer_waiters(pager *p)
{
    int n = 0;

    pthread_mutex_lock(&p->mutex);
    for (const writer_waiter *w = p->writer_queue; w != NULL; w = w->next)
        n++;
    pthread_mutex_unlock(&p->mutex);
    return n;
}

void
pager_writer_release(pager *p)
{
    pthread_mutex_lock(&p->mutex);
    pager_writer_release_locked(p);
    pthread_mutex_unlock(&p->mutex);
}

/* --- committing frames (R1, R2, R4) -------------------------------------- */

void
pager_wal_restart_locked(pager *p)
{
    wal *w = &p->wal;

    if (w->max_frame == 0 || w->backfilled != w->max_frame)
        return;
    wal_index_clear(&w->index);
    w->max_frame = 0;
    w->backfilled = 0;
    w->gen++;                   /* older snapshots now read the database file only */
}

/*
 * Makes cache entries for the images a commit is about to publish, keyed by
 * their new frames, and fills them; *out[i] is NULL where none was made
 * (no memory, or the commit is larger than a quarter of the cache budget,
 * where installing it would only push out what readers use). The keys name
 * frames past max_frame, which no snapshot can see until the commit is
 * published, so the entries stay LOADING and the copies are made without
 * the mutex (G3). Writer lock held. Returns a malloc()ed array or NULL.
 */
static cache_entry **
commit_install_begin(pager *p, pager_page *const *pages, uint32_t n)
{
    cache_entry **entries = malloc(n * sizeof *entries);
    uint32_t first;

    if (entries == NULL)
        return NULL;
    pthread_mutex_lock(&p->mutex);
    if ((int64_t)n * p->page_size > p->cache.budget_bytes / 4) {
        pthread_mutex_unlock(&p->mutex);
        free(entries);
        return NULL;
    }
    first = p->wal.max_frame + 1;
    for (uint32_t i = 0; i < n; i++)
        entries[i] = cache_insert(&p->cache, pages[i]->pgno, p->wal.gen, first + i);
    pthread_mutex_unlock(&p->mutex);
    for (uint32_t i = 0; i < n; i++)
        if (entries[i] != NULL)
            memcpy(entries[i]->data, pages[i]->data, p->page_size);
    return entries;
}

/* Marks the entries of commit_install_begin READY (is_published) or drops
 * them, and frees the array. Mutex held. */
static void
commit_install_end_locked(pager *p, cache_entry **entries, uint32_t n, bool is_published)
{
    if (entries == NULL)
        return;
    for (uint32_t i = 0; i < n; i++) {
        if (entries[i] == NULL)
            continue;
        if (is_published) {
            entries[i]->state = CACHE_READY;
            cache_release(&p->cache, entries[i]);
        } else {
            cache_discard(&p->cache, entries[i]);
        }
    }
    free(entries);
}

/* Appends the index entries of a written commit and publishes it, with the
 * images in entries (from commit_install_begin, may be NULL) in the cache. */
static int
commit_publish(pager *p, pager_page *const *pages, uint32_t n, uint32_t n_pages,
               const uint32_t cksum[2], cache_entry **entries)
{
    wal *w = &p->wal;
    uint32_t before;
    int rc = CHORUS_OK;

    pthread_mutex_lock(&p->mutex);
    before = w->index.n_frames;
    for (uint32_t i = 0; i < n && rc == CHORUS_OK; i++)
        rc = wal_index_append(&w->index, pages[i]->pgno, i + 1 == n ? n_pages : 0);
    if (rc != CHORUS_OK) {
        wal_index_truncate(&w->index, before);
    } else {
        w->max_frame = w->index.n_frames;       /* G1: the new end mark */
        w->cksum[0] = cksum[0];
        w->cksum[1] = cksum[1];
        p->n_pages = n_pages;                   /* G2 */
        p->commit_seq++;
        p->db_file_empty = p->db_file_empty && n_pages == 0;
    }
    commit_install_end_locked(p, entries, n, rc == CHORUS_OK);
    pthread_mutex_unlock(&p->mutex);
    return rc;
}

/*
 * Outline: 1. restart the WAL if fully backfilled (R4); 2. write a new
 * header when the WAL holds no frame; 3. write the frames; 4. sync when
 * synchronous is FULL or EXTRA; 5. publish (R2), with the new images in the
 * cache. Writer lock held.
 */
int
pager_commit_frames(pager *p, pager_page *const *pages, uint32_t n, uint32_t n_pages)
{
    wal *w = &p->wal;
    uint32_t first, cksum[2];
    int rc;

    /* 1 */
    pthread_mutex_lock(&p->mutex);
    pager_wal_restart_locked(p);
    first = w->max_frame + 1;
    pthread_mutex_unlock(&p->mutex);
    /* 2: fresh salts make any stale frames after the header invalid */
    if (first == 1 && (rc = wal_write_header(w, p->page_size)) != CHORUS_OK)
        return rc;
    /* 3 */
    cksum[0] = w->cksum[0];
    cksum[1] = w->cksum[1];
    rc = wal_write_frames(w, p->page_size, first, pages, n, n_pages, cksum);
    /* 4 */
    if (rc == CHORUS_OK && pager_synchronous(p) >= PAGER_SYNC_FULL)
        rc = os_sync(w->file, OS_SYNC_DATA);
    /* 5 */
    if (rc == CHORUS_OK)
        rc = commit_publish(p, pages, n, n_pages, cksum, commit_install_begin(p, pages, n));
    return rc;
}
