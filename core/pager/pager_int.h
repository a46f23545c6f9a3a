/*
 * core/pager/pager_int.h: struct layouts and functions shared by the files
 * of the pager module only (pager.c, tx.c, cache.c, wal.c, wal_index.c,
 * checkpoint.c, journal.c, lock.c). Nothing outside core/pager includes it.
 *
 * The rules R1..Rn cited here and in every pager file are in
 * core/pager/README.md, which also gives the lock order.
 */
#ifndef CHORUS_PAGER_INT_H
#define CHORUS_PAGER_INT_H

#include <pthread.h>
#include <stdatomic.h>
#include <stddef.h>

#include "pager.h"

/* --- file format constants (FORMATS.md) ---------------------------------- */

enum {
    DB_HEADER_SIZE = 100,
    WAL_HEADER_SIZE = 32,
    WAL_FRAME_HEADER_SIZE = 24,
    PAGER_DEFAULT_PAGE_SIZE = 4096,
    PAGER_DEFAULT_AUTOCKPT = 1000,
    PAGER_DEFAULT_BUSY_MS = 5000
};

#define WAL_MAGIC_LE 0x377f0682u            /* checksum words little-endian */
#define WAL_MAGIC_BE 0x377f0683u            /* checksum words big-endian */
#define WAL_FORMAT_VERSION 3007000u
#define PAGER_PENDING_BYTE INT64_C(0x40000000)
#define PAGER_LOCK_RANGE 512                 /* PENDING, RESERVED, SHARED bytes */
#define PAGER_DEFAULT_CACHE_BYTES (INT64_C(64) << 20)

static inline uint32_t
get_be32(const uint8_t *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static inline void
put_be32(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)(v >> 24);
    p[1] = (uint8_t)(v >> 16);
    p[2] = (uint8_t)(v >> 8);
    p[3] = (uint8_t)v;
}

static inline uint32_t
pager_lock_page(uint32_t page_size)
{
    return (uint32_t)(PAGER_PENDING_BYTE / page_size) + 1;
}

/* --- wal_index.c: committed frames in memory (README R3) ----------------- */

typedef struct wal_index {
    uint32_t *frame_pgno;   /* owned; [1..n_frames]: page of each frame */
    uint32_t *frame_prev;   /* owned; older frame of the same page, 0 if none */
    uint32_t *frame_dbsize; /* owned; commit frames: db size in pages; else 0 */
    uint32_t n_frames;
    uint32_t cap;           /* entries allocated in the three arrays, slot 0 unused */
    uint32_t *slot_pgno;    /* owned; open-addressing table pgno -> newest frame */
    uint32_t *slot_frame;   /* 0: the page has no frame (left by wal_index_truncate) */
    uint32_t n_slots;       /* power of two, or 0 before the first append */
    uint32_t n_used;
} wal_index;

void wal_index_init(wal_index *ix);
void wal_index_free(wal_index *ix);
void wal_index_clear(wal_index *ix);
int wal_index_append(wal_index *ix, uint32_t pgno, uint32_t dbsize);
/* Drops frames after n_frames (a commit that failed half way). */
void wal_index_truncate(wal_index *ix, uint32_t n_frames);
/* Newest frame <= mark holding pgno, or 0. */
uint32_t wal_index_find(const wal_index *ix, uint32_t pgno, uint32_t mark);

/* --- cache.c: committed page images shared by all transactions (R6) ------ */

enum { CACHE_LOADING = 1, CACHE_READY = 2 };

typedef struct cache_entry {
    uint32_t pgno;          /* key: page number */
    uint32_t gen;           /* key: WAL generation; 0 for a database-file image */
    uint32_t frame;         /* key: WAL frame; 0 for a database-file image */
    int refs;               /* guarded by pager.mutex */
    int state;              /* CACHE_LOADING or CACHE_READY; guarded by pager.mutex */
    bool is_orphan;         /* removed from the table while referenced */
    struct cache_entry *hash_next;   /* guarded by pager.mutex */
    struct cache_entry *lru_prev;    /* LRU list of unreferenced entries */
    struct cache_entry *lru_next;
    uint8_t *data;          /* page bytes, allocated with the entry; immutable once READY */
} cache_entry;

typedef struct page_cache {
    cache_entry **buckets;  /* owned */
    uint32_t n_buckets;     /* power of two */
    uint32_t n_entries;     /* in the table, any state */
    uint32_t page_size;
    int64_t budget_bytes;
    cache_entry *lru_head;  /* least recently released */
    cache_entry *lru_tail;
    cache_entry *spare;     /* freed entries kept for reuse */
    uint32_t n_spare;
} page_cache;

int cache_init(page_cache *c, uint32_t page_size, int64_t budget_bytes);
void cache_free(page_cache *c);
/* Finds the entry for the key: a READY entry comes with a new reference; a
 * LOADING one without, for the caller to wait on; NULL if absent. */
cache_entry *cache_lookup(page_cache *c, uint32_t pgno, uint32_t gen, uint32_t frame);
/* Adds a LOADING entry with one reference; NULL when out of memory. */
cache_entry *cache_insert(page_cache *c, uint32_t pgno, uint32_t gen, uint32_t frame);
/* Drops an entry whose load failed (it must hold exactly the loader's ref). */
void cache_discard(page_cache *c, cache_entry *e);
void cache_release(page_cache *c, cache_entry *e);
/* Forgets the database-file image of pgno (R7). */
void cache_invalidate_db_page(page_cache *c, uint32_t pgno);
/* Forgets database-file images of pages > n_pages. */
void cache_invalidate_db_after(page_cache *c, uint32_t n_pages);
void cache_set_budget(page_cache *c, int64_t bytes);

/* --- wal.c: the -wal file (R1, R2, R4) ------------------------------------ */

typedef struct wal {
    os_file *file;          /* owned; NULL until the WAL exists */
    char *path;             /* owned; immutable */
    bool is_header_valid;   /* the header on disk holds salts below; writer + mutex */
    bool is_big_endian;     /* checksum word order of the header on disk */
    uint32_t ckpt_seq;      /* header fields; guarded by mutex, changed by the writer */
    uint32_t salt1, salt2;
    uint32_t cksum[2];      /* running checksum after max_frame; writer, under mutex */
    uint32_t max_frame;     /* last committed frame; guarded by pager.mutex */
    uint32_t backfilled;    /* frames copied into the database file; pager.mutex */
    uint32_t gen;           /* bumped by each restart; pager.mutex; starts at 1 */
    wal_index index;        /* guarded by pager.mutex */
} wal;

void wal_checksum(bool big_endian, const uint8_t *data, size_t n, uint32_t cksum[2]);
/* Reads and validates the WAL on disk, filling w's header fields and index
 * with every frame up to the last valid commit frame. Invalid or missing
 * content leaves an empty WAL; only I/O errors fail. *page_size: in, the
 * page size required (0: any); out, the WAL's page size when valid. */
int wal_recover(wal *w, uint32_t *page_size);
/* Writes a fresh header with new salts (R4) to an open WAL. */
int wal_write_header(wal *w, uint32_t page_size);
/* Encodes frames for pages[0..n) at frames max_frame+1..; the last carries
 * commit_size. Updates *cksum (a copy of w->cksum) as it goes. */
int wal_write_frames(wal *w, uint32_t page_size, uint32_t first_frame,
                     pager_page *const *pages, uint32_t n, uint32_t commit_size,
                     uint32_t cksum[2]);
int wal_read_frame_page(wal *w, uint32_t page_size, uint32_t frame, uint8_t *buf);

/* --- the pager and its transactions --------------------------------------- */

typedef struct tx_page tx_page;

/* Cache references a transaction drops under one mutex hold (tx.c T8). */
enum { TX_RELEASE_BATCH = 32 };

/* One saved pre-image of a page for savepoint rollback (R10). */
typedef struct sp_image {
    uint32_t pgno;
    uint8_t *data;          /* owned copy of the page */
} sp_image;

typedef struct savepoint {
    uint32_t n_pages;       /* page count when it opened */
    size_t journal_start;   /* first sp_image taken under it */
} savepoint;

/* A thread waiting for the writer lock (R8), on its stack while queued in
 * pager.writer_queue (pager.c W1). */
typedef struct writer_waiter {
    pthread_cond_t cond;    /* signalled only when the lock is handed to this waiter */
    bool is_granted;        /* guarded by pager.mutex: the lock is now this waiter's */
    struct writer_waiter *next;
} writer_waiter;

struct pager_tx {
    pager *p;               /* immutable while the tx lives */
    bool is_write;          /* owner thread */
    uint32_t gen, mark;     /* snapshot (R5); set under pager.mutex, then read-only */
    uint64_t commit_seq;    /* pager.commit_seq at the snapshot */
    uint32_t snap_pages;    /* page count of the snapshot */
    uint32_t n_pages;       /* page count this tx sees */
    tx_page **buckets;      /* owned: handles by pgno (R9) */
    uint32_t n_buckets;
    uint32_t n_handles;
    uint32_t n_dirty;
    tx_page *spare;         /* owned: recycled handles */
    tx_page *live;          /* every handle in the table (tx.c T6) */
    tx_page *dirty;         /* every dirty handle (tx.c T6) */
    cache_entry *deferred[TX_RELEASE_BATCH];    /* references to drop (tx.c T8) */
    uint32_t n_deferred;
    tx_page *kept_head;     /* clean unreferenced handles kept for reuse, oldest first */
    tx_page *kept_tail;
    uint32_t n_kept;
    savepoint *sps;         /* owned stack */
    int n_sps, cap_sps;
    sp_image *journal;      /* owned */
    size_t n_journal, cap_journal;
    pager_tx *next, *prev;  /* active list or spare list; guarded by pager.mutex */
    int mvcc_header;        /* -1, or the header mode this write tx commits (R17) */
};

struct pager {
    char *path;             /* owned; immutable */
    os_vfs *vfs;            /* immutable */
    os_file *db;            /* owned; immutable after open */
    uint32_t page_size;     /* immutable after open */
    uint32_t usable_size;   /* immutable after open */
    bool is_readonly;       /* immutable after open */
    bool is_memory;         /* private database: files removed at close */

    pthread_mutex_t mutex;  /* the pager mutex: guards the fields below */
    pthread_cond_t cond;    /* broadcast: tx ends, load done (writers wait on their own) */
    bool has_writer;        /* the single-writer lock (R8) */
    writer_waiter *writer_queue;        /* threads waiting for it, oldest first (pager.c W1) */
    writer_waiter *writer_queue_tail;
    uint32_t n_pages;       /* page count of the newest commit */
    uint64_t commit_seq;    /* commits so far; names a snapshot for upgrade */
    bool needs_wal_mode;    /* header says rollback mode: switch at first commit (R11) */
    bool db_file_empty;     /* the database file has no page yet (R12) */
    wal wal;
    page_cache cache;
    pager_tx *active;       /* every open transaction (readers and the writer) */
    pager_tx *spare_tx;     /* ended transactions kept for reuse */

    /* The writer's pool of free page buffers (tx.c T7), linked through their
     * first bytes. Guarded by the writer lock: only the thread that holds
     * has_writer (or pager_free, when no thread is left) touches it. */
    uint8_t *pool;
    uint32_t n_pool;

    pthread_mutex_t ckpt_mutex;   /* one checkpoint at a time; before mutex */
    _Atomic int synchronous;      /* relaxed: a setting read once per commit */
    _Atomic int autockpt;         /* relaxed: same */
    _Atomic int ckpt_busy_ms;     /* relaxed: same */
    _Atomic bool mvcc_header;     /* page 1 says 255/255 (R17); written under the writer
                                     lock (or alone at open), release; read acquire */
};

/* tx.c */
void pager_tx_free_spares(pager *p);
void pager_pool_free(pager *p);

/* pager.c */
int pager_fetch(pager *p, uint32_t gen, uint32_t mark, uint32_t pgno, cache_entry **out);
/* Waits for the write lock (R8); mutex held on entry and exit. */
int pager_writer_acquire_locked(pager *p, int busy_ms, const _Atomic int *interrupt);
/* Releases the write lock, handing it to the oldest waiter if any (R8). */
void pager_writer_release(pager *p);
void pager_writer_release_locked(pager *p);
/* Restarts the WAL when every frame is backfilled (R4); mutex held. */
void pager_wal_restart_locked(pager *p);
/* Commits pages (sorted, pgno <= n_pages) as one WAL transaction (R1, R2). */
int pager_commit_frames(pager *p, pager_page *const *pages, uint32_t n, uint32_t n_pages);

/* checkpoint.c */
int pager_checkpoint_run(pager *p, int mode, bool at_close, int *frames_out, int *done_out);

/* journal.c */
int pager_journal_recover(pager *p, char **errmsg_out);

/* lock.c */
int pager_os_lock(pager *p);
void pager_os_unlock(pager *p);

#endif /* CHORUS_PAGER_INT_H */
