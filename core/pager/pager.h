/*
 * core/pager/pager.h: pages of one database file, with SQLite's WAL journal.
 *
 * One pager exists per database file per process and is shared by all of its
 * connections. It owns the database file, the -wal file in SQLite's WAL
 * format, a private in-memory WAL index (exclusive locking mode: no -shm), a
 * page cache shared by all transactions, the single-writer lock and
 * checkpoints.
 *
 * Transactions (pager_tx) belong to one connection:
 *   - a read transaction sees the snapshot of the WAL at its start (its end
 *     mark) and never blocks nor waits;
 *   - one write transaction at a time; pager_tx_begin_write waits for the
 *     write lock up to the busy timeout. A read transaction upgraded with
 *     pager_tx_upgrade fails with CHORUS_BUSY_SNAPSHOT if another writer
 *     committed after its snapshot (SQLite's rule).
 *
 * Pages: within one transaction there is one pager_page object per page
 * number while references are held. pager_page_write() makes a page writable
 * by copying it into the transaction (copy-on-write); its data pointer then
 * refers to the private copy, so every holder must read pg->data again after
 * any call that may write. Committing appends the dirty pages to the WAL as
 * frames, the last with the commit mark, and publishes the new end mark.
 *
 * On open: a hot rollback journal left by sqlite3 is rolled back; a WAL left
 * by a crash is recovered (valid frames up to the last commit frame). A file
 * in rollback-journal mode is switched to WAL mode (header bytes 18/19 = 2)
 * by its first write transaction.
 *
 * Another process: the pager holds an exclusive OS lock on the file while
 * open, so a second process gets CHORUS_BUSY ("database is locked by another
 * process") and stock sqlite3 cannot read a file we are changing.
 */
#ifndef CHORUS_PAGER_H
#define CHORUS_PAGER_H

#include <stdbool.h>
#include <stdint.h>

#include "common.h"
#include "os.h"

typedef struct pager pager;
typedef struct pager_tx pager_tx;

typedef struct pager_page {
    uint32_t pgno;          /* immutable while referenced */
    uint8_t *data;          /* page bytes; writable only after pager_page_write() */
    void *extra;            /* per-page scratch for the btree layer, owned by the holder
                               of the tx; NULL when fetched fresh. The pager sets it
                               to NULL when the last reference is released (free
                               what it points to before that) and never reads it. */
} pager_page;

typedef struct pager_config {
    os_vfs *vfs;            /* NULL: posix (or memory for in-memory databases) */
    bool readonly;
    bool create;            /* create the file if missing */
    bool in_memory;         /* private database with no files */
    uint32_t page_size;     /* for a new database; 0 means 4096 */
    int64_t cache_bytes;    /* page cache budget; 0 means the default (64 MiB) */
} pager_config;

enum pager_sync {
    PAGER_SYNC_OFF = 0,
    PAGER_SYNC_NORMAL = 1,  /* sync the WAL only at checkpoint */
    PAGER_SYNC_FULL = 2,    /* sync the WAL at every commit */
    PAGER_SYNC_EXTRA = 3
};

enum pager_checkpoint_mode {
    PAGER_CKPT_PASSIVE = 0,
    PAGER_CKPT_FULL = 1,
    PAGER_CKPT_RESTART = 2,
    PAGER_CKPT_TRUNCATE = 3
};

/*
 * Opens the pager of path (already resolved to an absolute path by the
 * caller, or ":memory:"). On failure returns the code and, when errmsg_out is
 * not NULL, a malloc()ed message naming the cause ("file is not a database",
 * "database is locked by another process").
 */
int pager_open(const char *path, const pager_config *cfg, pager **out, char **errmsg_out);
/* Checkpoints, removes the WAL when it is fully checkpointed, closes files.
 * All transactions must have ended. NULL is a no-op. */
int pager_close(pager *p);

uint32_t pager_page_size(pager *p);
uint32_t pager_usable_size(pager *p);   /* page size minus reserved bytes */
bool pager_is_readonly(pager *p);
void pager_set_synchronous(pager *p, int level);
int pager_synchronous(pager *p);
void pager_set_cache_bytes(pager *p, int64_t bytes);
/* WAL frames after which a commit runs a passive checkpoint; <= 0 disables.
 * Default 1000. */
void pager_set_autocheckpoint(pager *p, int frames);
/* How long FULL/RESTART/TRUNCATE checkpoints wait for the writer lock and
 * for readers on older snapshots (ms); default 5000. */
void pager_set_checkpoint_busy_timeout(pager *p, int ms);

/* Begins a read transaction on the latest committed snapshot. */
int pager_tx_begin_read(pager *p, pager_tx **out);
/*
 * Begins a write transaction: waits for the write lock until busy_ms passes
 * (CHORUS_BUSY), or until *interrupt becomes non-zero (CHORUS_INTERRUPT;
 * interrupt may be NULL). Waiters get the lock first come, first served.
 */
int pager_tx_begin_write(pager *p, int busy_ms, const _Atomic int *interrupt, pager_tx **out);
/* Threads waiting for the write lock now (statistics and tests). */
int pager_writer_waiters(pager *p);
/* Turns a read transaction into a write transaction (same waits as above);
 * CHORUS_BUSY_SNAPSHOT if its snapshot is no longer the newest. */
int pager_tx_upgrade(pager_tx *tx, int busy_ms, const _Atomic int *interrupt);
bool pager_tx_is_write(pager_tx *tx);
/* Names tx's snapshot: the pager's count of commits when tx began (or last
 * committed). Two transactions of one pager with the same number see the
 * same pages (the online backup compares them: core/vm/backup.c). */
uint64_t pager_tx_snapshot_seq(pager_tx *tx);
/* The pager of tx (for its page size and usable size). Borrowed: lives as
 * long as the pager. */
pager *pager_tx_pager(pager_tx *tx);
/* The pager a transaction belongs to (the btree layer asks it for the page
 * size of a new, still empty file). Added at the btree helper's request. */
pager *pager_tx_pager(pager_tx *tx);
/* Commits (a read transaction just ends) and frees tx. On failure the
 * transaction is rolled back and freed too. Every page reference must have
 * been released. When page 1 carries a database header, the commit keeps
 * its WAL-mode bytes (18, 19 = 2), its page count [28] and [92] == [24] in
 * step with the database. */
int pager_tx_commit(pager_tx *tx);
/* Commits like pager_tx_commit() but keeps tx open as a read transaction on
 * the snapshot of this commit, with every page it lends out still valid and
 * unchanged (tx.c T9): for a COMMIT while read statements of the connection
 * are still stepping (#5). A read transaction stays as it is. On failure tx
 * stays a write transaction holding its changes (roll it back). End it later
 * with pager_tx_commit() or pager_tx_rollback(). */
int pager_tx_commit_keep_reading(pager_tx *tx);
/* Discards every change and frees tx. NULL is a no-op. */
void pager_tx_rollback(pager_tx *tx);

/* Savepoints nest; each returns an id; rollback_to keeps the savepoint open,
 * release forgets it and every savepoint opened after it. */
int pager_savepoint_open(pager_tx *tx, int *id_out);
int pager_savepoint_release(pager_tx *tx, int id);
int pager_savepoint_rollback(pager_tx *tx, int id);
/* The number of savepoints open in tx (0 in a read transaction). */
int pager_savepoint_depth(pager_tx *tx);

/* Pages in the database as this transaction sees it. */
uint32_t pager_tx_page_count(pager_tx *tx);
/*
 * Gets page pgno (1-based, <= page count) with a reference the caller must
 * drop with pager_page_release(). CHORUS_CORRUPT for pgno 0, beyond the
 * page count or the lock-byte page.
 */
int pager_page_get(pager_tx *tx, uint32_t pgno, pager_page **out);
void pager_page_release(pager_page *pg);
/*
 * Makes pg writable in its (write) transaction; pg->data may change.
 * Call it before EVERY change to a page, not only the first: under an open
 * savepoint it saves the page's pre-image the first time the page changes
 * after that savepoint opened (cheap when nothing needs saving). After
 * pager_savepoint_rollback() the bytes of any held page may have changed
 * under the same data pointer: reparse anything cached in extra.
 * CHORUS_READONLY in a read transaction; CHORUS_NOMEM.
 */
int pager_page_write(pager_page *pg);
/* Appends a new zeroed, writable page at the end of the file (skipping the
 * lock-byte page). The caller owns the returned reference. Page 1 is
 * appended by the first write transaction of a new database. */
int pager_page_append(pager_tx *tx, pager_page **out);
/* Shrinks the database to n_pages pages (>= 1) at commit; pages past it
 * become unreachable at once (CHORUS_MISUSE for 0 or for growing). */
int pager_tx_truncate(pager_tx *tx, uint32_t n_pages);

/* WAL frames after which a commit runs a passive checkpoint (the setting). */
int pager_autocheckpoint(pager *p);
/* Makes every committed WAL frame durable (fdatasync of the WAL; nothing with
 * synchronous=OFF or without a WAL). */
int pager_wal_sync(pager *p);

/*
 * MVCC mode's guard for stock SQLite (README R17): while the MVCC log holds
 * commits the B-tree lacks, page 1's file format bytes 18/19 are 255, which
 * sqlite3 refuses ("file is not a database"). pager_tx_set_mvcc_header() makes
 * write transaction tx (on a formatted database: CHORUS_MISUSE otherwise)
 * commit page 1 with 255 (on) or 2 (off); every later commit keeps the
 * mode. Going on, the commit also writes 255 into the database file's header
 * in place and syncs it. pager_header_is_mvcc() says whether the newest
 * page 1 (through the WAL) is in MVCC mode; call it once after open, alone.
 */
#define PAGER_MVCC_VERSION 255
int pager_tx_set_mvcc_header(pager_tx *tx, bool on);
int pager_header_is_mvcc(pager *p, bool *out);
/* The mode the last such commit (or the header at open) set; lock-free. */
bool pager_mvcc_header(pager *p);

/* Checkpoints the WAL into the database file. The counts may be NULL. */
int pager_checkpoint(pager *p, int mode, int *wal_frames_out, int *checkpointed_out);

/* Number of committed WAL frames not yet checkpointed (for tests and PRAGMAs). */
int pager_wal_frames(pager *p);

#endif /* CHORUS_PAGER_H */
