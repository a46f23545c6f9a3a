/*
 * core/pager/checkpoint.c: copying committed WAL frames back into the
 * database file (README R14), and the PASSIVE/FULL/RESTART/TRUNCATE modes.
 *
 * A backfill pass picks a target end mark: the newest commit no active
 * snapshot predates (never beyond the oldest reader's end mark; no progress
 * at all while a snapshot of an older WAL generation reads the database
 * file). It copies, for each page, the newest frame <= target that is not
 * yet backfilled, then publishes backfilled = target.
 *
 * Order of effects: sync the WAL (its frames become durable before the
 * database file depends on them), write the pages in page order (runs of
 * consecutive pages in one write each, their bytes taken from the cache
 * where it holds the frames), truncate the file to the target's size, sync
 * the database file, then publish under the mutex and invalidate the cached
 * database-file images of the pages written (R7).
 * synchronous = OFF skips both syncs, as in SQLite.
 *
 * Invariants
 *   K1  Frames in (backfilled, target] are immutable during the pass: the
 *       WAL restarts only when backfilled == max_frame (R4).
 *   K2  No active snapshot reads a page the pass writes from the database
 *       file: every snapshot of the current generation has mark >= target,
 *       so it finds a frame for any page that has one <= target.
 *
 * Locking: ckpt_mutex for the whole pass (one checkpoint at a time); the
 * pager mutex only to compute the plan and to publish (no I/O under it).
 * FULL and above also hold the writer lock, taken before ckpt_mutex.
 * Callers: pager_checkpoint() (pager.h), pager_tx_commit (auto-checkpoint)
 * and pager_close().
 */
#include "pager_int.h"

#include <stdlib.h>
#include <string.h>

typedef struct ckpt_item {
    uint32_t pgno;
    uint32_t frame;
} ckpt_item;

/* The newest end mark the pass may copy up to (R14), or backfilled when no
 * progress is allowed. Mutex held. */
static uint32_t
target_locked(const pager *p)
{
    uint32_t target = p->wal.max_frame;

    for (const pager_tx *tx = p->active; tx != NULL; tx = tx->next) {
        if (tx->gen != p->wal.gen)
            return p->wal.backfilled;   /* it reads the database file (R5) */
        if (tx->mark < target)
            target = tx->mark;
    }
    return target < p->wal.backfilled ? p->wal.backfilled : target;
}

static int
item_cmp(const void *a, const void *b)
{
    uint32_t x = ((const ckpt_item *)a)->pgno, y = ((const ckpt_item *)b)->pgno;
    return x < y ? -1 : x > y;
}

/* Plans a pass: the newest frame <= target of each page not backfilled. */
static int
plan_locked(pager *p, uint32_t target, ckpt_item **items_out, uint32_t *n_out)
{
    const wal_index *ix = &p->wal.index;
    ckpt_item *items = malloc((size_t)(target - p->wal.backfilled) * sizeof *items);
    uint32_t n = 0;

    *items_out = NULL;
    *n_out = 0;
    if (items == NULL)
        return CHORUS_NOMEM;
    for (uint32_t f = p->wal.backfilled + 1; f <= target; f++) {
        uint32_t pgno = ix->frame_pgno[f];
        if (wal_index_find(ix, pgno, target) == f)
            items[n++] = (ckpt_item){ .pgno = pgno, .frame = f };
    }
    *items_out = items;
    *n_out = n;
    return CHORUS_OK;
}

/* Pages per write: runs of consecutive page numbers are written with one
 * pwrite of at most CKPT_RUN_PAGES pages (and of at most 1 MiB). */
enum { CKPT_RUN_PAGES = 256, CKPT_RUN_BYTES = 1 << 20 };

/* The length of the run of consecutive page numbers <= db_pages that
 * starts at items[0], at most max. */
static uint32_t
run_length(const ckpt_item *items, uint32_t n, uint32_t db_pages, uint32_t max)
{
    uint32_t k = 1;

    while (k < n && k < max && items[k].pgno == items[0].pgno + k && items[k].pgno <= db_pages)
        k++;
    return k;
}

/*
 * Fills buf with the images of the k frames of a run: copied from the cache
 * where it holds a frame's image (generation gen; R6: immutable, read
 * without the mutex while referenced), read from the WAL otherwise.
 */
static int
run_fill(pager *p, uint32_t gen, const ckpt_item *items, uint32_t k, uint8_t *buf)
{
    cache_entry *hit[CKPT_RUN_PAGES];
    int rc = CHORUS_OK;

    pthread_mutex_lock(&p->mutex);
    for (uint32_t i = 0; i < k; i++) {
        cache_entry *e = cache_lookup(&p->cache, items[i].pgno, gen, items[i].frame);
        hit[i] = e != NULL && e->state == CACHE_READY ? e : NULL;  /* LOADING: no ref */
    }
    pthread_mutex_unlock(&p->mutex);
    for (uint32_t i = 0; i < k; i++) {
        uint8_t *dst = buf + (size_t)i * p->page_size;
        if (hit[i] != NULL)
            memcpy(dst, hit[i]->data, p->page_size);
        else if (rc == CHORUS_OK)
            rc = wal_read_frame_page(&p->wal, p->page_size, items[i].frame, dst);
    }
    pthread_mutex_lock(&p->mutex);
    for (uint32_t i = 0; i < k; i++)
        if (hit[i] != NULL)
            cache_release(&p->cache, hit[i]);
    pthread_mutex_unlock(&p->mutex);
    return rc;
}

/* Writes the planned pages (sorted by page number) in runs, then truncates
 * the file to db_pages. */
static int
copy_pages(pager *p, uint32_t gen, const ckpt_item *items, uint32_t n, uint32_t db_pages)
{
    uint32_t max = CKPT_RUN_BYTES / p->page_size;
    uint8_t *buf;
    int64_t size;
    int rc = CHORUS_OK;

    if (max > CKPT_RUN_PAGES)
        max = CKPT_RUN_PAGES;
    if (max == 0)
        max = 1;
    if ((buf = malloc((size_t)max * p->page_size)) == NULL)
        return CHORUS_NOMEM;
    for (uint32_t i = 0, k; i < n && rc == CHORUS_OK; i += k) {
        if (items[i].pgno > db_pages) {
            k = 1;              /* truncated away by the target commit */
            continue;
        }
        k = run_length(items + i, n - i, db_pages, max);
        rc = run_fill(p, gen, items + i, k, buf);
        if (rc == CHORUS_OK)
            rc = os_write(p->db, buf, (size_t)k * p->page_size,
                          (int64_t)(items[i].pgno - 1) * p->page_size);
    }
    free(buf);
    if (rc == CHORUS_OK)
        rc = os_size(p->db, &size);
    if (rc == CHORUS_OK && size > (int64_t)db_pages * p->page_size)
        rc = os_truncate(p->db, (int64_t)db_pages * p->page_size);
    return rc;
}

/*
 * One backfill pass. Outline: 1. plan under the mutex; 2. sync the WAL;
 * 3. copy and truncate; 4. sync the database file; 5. publish. ckpt_mutex
 * held.
 */
static int
backfill(pager *p)
{
    bool sync = pager_synchronous(p) != PAGER_SYNC_OFF;
    ckpt_item *items = NULL;
    uint32_t n = 0, target, db_pages, gen;
    int rc;

    /* 1 */
    pthread_mutex_lock(&p->mutex);
    target = target_locked(p);
    if (target <= p->wal.backfilled) {
        pthread_mutex_unlock(&p->mutex);
        return CHORUS_OK;
    }
    db_pages = p->wal.index.frame_dbsize[target];
    gen = p->wal.gen;           /* K1: no restart during the pass */
    rc = plan_locked(p, target, &items, &n);
    pthread_mutex_unlock(&p->mutex);
    if (rc != CHORUS_OK)
        return rc;
    if (db_pages == 0) {
        free(items);
        return CHORUS_CORRUPT_HERE();   /* a target is always a commit frame */
    }
    qsort(items, n, sizeof *items, item_cmp);
    /* 2, 3, 4 */
    rc = sync ? os_sync(p->wal.file, OS_SYNC_DATA) : CHORUS_OK;
    if (rc == CHORUS_OK)
        rc = copy_pages(p, gen, items, n, db_pages);
    if (rc == CHORUS_OK && sync)
        rc = os_sync(p->db, OS_SYNC_DATA);
    /* 5 */
    if (rc == CHORUS_OK) {
        pthread_mutex_lock(&p->mutex);
        p->wal.backfilled = target;
        for (uint32_t i = 0; i < n; i++)
            cache_invalidate_db_page(&p->cache, items[i].pgno);
        cache_invalidate_db_after(&p->cache, db_pages);
        p->db_file_empty = false;
        pthread_mutex_unlock(&p->mutex);
    }
    free(items);
    return rc;
}

/* FULL and above: waits until no snapshot is older than the newest commit.
 * Mutex held; the writer lock is held, so no commit moves the target. */
static int
wait_readers_locked(pager *p, int64_t deadline)
{
    for (;;) {
        bool behind = false;
        for (const pager_tx *tx = p->active; tx != NULL; tx = tx->next)
            if (tx->gen != p->wal.gen || tx->mark != p->wal.max_frame)
                behind = true;
        if (!behind)
            return CHORUS_OK;
        if (common_now_ns() >= deadline)
            return CHORUS_BUSY;
        struct timespec ts = { .tv_sec = deadline / 1000000000, .tv_nsec = deadline % 1000000000 };
        pthread_cond_timedwait(&p->cond, &p->mutex, &ts);
    }
}

/* RESTART and TRUNCATE: rewind the WAL if everything is backfilled (R4);
 * TRUNCATE also cuts the file to zero bytes. Writer lock held, which also
 * guards is_header_valid against commits. */
static int
wal_rewind(pager *p, int mode)
{
    bool is_empty;
    int rc = CHORUS_OK;

    pthread_mutex_lock(&p->mutex);
    pager_wal_restart_locked(p);
    is_empty = p->wal.max_frame == 0;
    pthread_mutex_unlock(&p->mutex);
    if (mode == PAGER_CKPT_TRUNCATE && is_empty) {
        rc = os_truncate(p->wal.file, 0);
        if (rc == CHORUS_OK && pager_synchronous(p) != PAGER_SYNC_OFF)
            rc = os_sync(p->wal.file, OS_SYNC_DATA);
        p->wal.is_header_valid = false;
    }
    return rc;
}

static void
report(pager *p, int *frames_out, int *done_out)
{
    pthread_mutex_lock(&p->mutex);
    if (frames_out != NULL)
        *frames_out = (int)p->wal.max_frame;
    if (done_out != NULL)
        *done_out = (int)p->wal.backfilled;
    pthread_mutex_unlock(&p->mutex);
}

/*
 * Outline: 1. FULL and above take the writer lock and wait for readers;
 * 2. backfill; 3. RESTART/TRUNCATE rewind a fully backfilled WAL.
 * at_close: no transaction exists, so no lock is waited for.
 */
int
pager_checkpoint_run(pager *p, int mode, bool at_close, int *frames_out, int *done_out)
{
    int busy_ms = atomic_load_explicit(&p->ckpt_busy_ms, memory_order_relaxed);
    int64_t deadline = common_now_ns() + (int64_t)busy_ms * 1000000;
    bool has_writer = false;
    int rc = CHORUS_OK, wait_rc = CHORUS_OK;

    if (p->is_readonly || p->wal.file == NULL) {
        report(p, frames_out, done_out);
        return p->is_readonly && mode != PAGER_CKPT_PASSIVE ? CHORUS_READONLY : CHORUS_OK;
    }
    /* 1 */
    if (mode >= PAGER_CKPT_FULL && !at_close) {
        pthread_mutex_lock(&p->mutex);
        rc = pager_writer_acquire_locked(p, busy_ms, NULL);
        if (rc == CHORUS_OK) {
            has_writer = true;
            wait_rc = wait_readers_locked(p, deadline);
        }
        pthread_mutex_unlock(&p->mutex);
        if (rc != CHORUS_OK) {
            report(p, frames_out, done_out);
            return rc;
        }
    }
    /* 2 */
    pthread_mutex_lock(&p->ckpt_mutex);
    rc = backfill(p);
    /* 3 */
    if (rc == CHORUS_OK && wait_rc == CHORUS_OK && mode >= PAGER_CKPT_RESTART)
        rc = wal_rewind(p, mode);
    pthread_mutex_unlock(&p->ckpt_mutex);
    report(p, frames_out, done_out);
    if (has_writer)
        pager_writer_release(p);
    return rc != CHORUS_OK ? rc : wait_rc;
}

int
pager_checkpoint(pager *p, int mode, int *wal_frames_out, int *checkpointed_out)
{
    if (mode < PAGER_CKPT_PASSIVE || mode > PAGER_CKPT_TRUNCATE)
        return CHORUS_MISUSE;
    return pager_checkpoint_run(p, mode, false, wal_frames_out, checkpointed_out);
}
