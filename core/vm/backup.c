/*
 * core/vm/backup.c: the online backup (chorus_backup_*, c-api/backup.c):
 * copies the pages of one database into another, in steps, while both stay
 * open.
 *
 * A step reads from a fresh read snapshot of the source pager and writes
 * into one write transaction of the destination pager, which the backup
 * holds from its first step to its last; the last step sets the header and
 * commits. So readers of the destination see the old database until the
 * copy is whole, and writers of the destination wait (CHORUS_BUSY) meanwhile.
 *
 * Rules
 *   BK1 The copy is one snapshot of the source: every step notes its
 *       snapshot (pager_tx_snapshot_seq); a step that finds another one
 *       starts again from page 1 (SQLite restarts a backup when another
 *       connection writes the source).
 *   BK2 In MVCC mode the source's committed rows may sit in its log, not
 *       in its pages: every step first checkpoints the whole log into the
 *       B-tree (vm_mvcc_checkpoint_all). When it cannot (a live snapshot of
 *       the source holds the horizon back, or the writer lock stays taken)
 *       the step returns CHORUS_BUSY, copying nothing; the caller retries.
 *   BK3 Page sizes must match: every ChorusDB file is in WAL mode, where
 *       sqlite3 refuses a page size change too (CHORUS_READONLY).
 *   BK4 The destination's header comes from the source, except what its
 *       pager keeps (mode bytes, page count: pager_tx_commit) and the schema
 *       cookie, which becomes the destination's old cookie + 1, so every
 *       connection of the destination loads the new schema (tx.c T2); the
 *       copy's catalog is published at once (dest_publish).
 *   BK5 The destination must not be in MVCC mode (its version store would
 *       describe the old pages); the destination connection must have no
 *       pager transaction open when the backup starts and when it takes the
 *       write lock (a BEGIN that has read nothing yet is no transaction
 *       there, as in sqlite3).
 *
 * Ownership: the backup borrows both connections (the caller keeps them
 * open until vm_backup_close) and owns the destination write transaction.
 * Threads: one at a time per backup, as its connections.
 * Callers: c-api/backup.c.
 */
#include <stdlib.h>
#include <string.h>

#include "vm_int.h"

struct vm_backup {
    vm_conn *dest, *src;        /* borrowed */
    pager_tx *wtx;              /* owned: the destination's write transaction, or NULL */
    uint32_t next;              /* the next source page to copy */
    uint32_t n_pages;           /* source pages at the latest step */
    uint64_t snapshot;          /* the source snapshot of the pages copied so far (BK1) */
    bool has_snapshot;
};

/* BK5: CHORUS_OK when dest may take the backup, else the error set on dest. */
static int
dest_check(vm_conn *dest)
{
    if (dest->tx != NULL) {
        vm_conn_set_error(dest, CHORUS_ERROR, "destination database is in use");
        return CHORUS_ERROR;
    }
    if (vm_mvcc_on(dest->db)) {
        vm_conn_set_error(dest, CHORUS_ERROR, "cannot back up into a database in mvcc mode");
        return CHORUS_ERROR;
    }
    return CHORUS_OK;
}

int
vm_backup_open(vm_conn *dest, vm_conn *src, vm_backup **out)
{
    vm_backup *b;
    int rc;

    *out = NULL;
    if (dest->db == src->db) {
        vm_conn_set_error(dest, CHORUS_ERROR, "source and destination must be distinct");
        return CHORUS_ERROR;
    }
    if ((rc = dest_check(dest)) != CHORUS_OK)
        return rc;
    b = calloc(1, sizeof *b);
    if (b == NULL)
        return CHORUS_NOMEM;
    b->dest = dest;
    b->src = src;
    b->next = 1;
    *out = b;
    return CHORUS_OK;
}

/* The lock-byte page of a file with this page size (never copied). */
static uint32_t
lock_page(uint32_t page_size)
{
    return (uint32_t)(1073741824u / page_size) + 1;
}

/* Copies page pgno of the source snapshot rtx into the destination. */
static int
page_copy(vm_backup *b, pager_tx *rtx, uint32_t pgno)
{
    pager_page *from = NULL, *to = NULL;
    int rc = pager_page_get(rtx, pgno, &from);

    if (rc == CHORUS_OK)
        rc = pgno <= pager_tx_page_count(b->wtx) ? pager_page_get(b->wtx, pgno, &to)
                                                 : pager_page_append(b->wtx, &to);
    if (rc == CHORUS_OK && to->pgno != pgno)
        rc = CHORUS_INTERNAL;
    if (rc == CHORUS_OK)
        rc = pager_page_write(to);
    if (rc == CHORUS_OK)
        memcpy(to->data, from->data, pager_page_size(b->dest->db->pager));
    if (to != NULL)
        pager_page_release(to);
    if (from != NULL)
        pager_page_release(from);
    return rc;
}

/* Takes the destination's write lock for the rest of the backup (BK5). */
static int
dest_begin(vm_backup *b)
{
    int rc = dest_check(b->dest);

    if (rc == CHORUS_OK)
        rc = pager_tx_begin_write(b->dest->db->pager, 0, &b->dest->interrupt, &b->wtx);
    return rc;
}

/* BK4: the destination's published catalog becomes the copy's, which
 * statements compile against from now on (tx.c T2 covers open transactions
 * through the new cookie). */
static int
dest_publish(vm_db *db)
{
    pager_tx *rtx;
    catalog *cat = NULL;
    char *err = NULL;
    bool changed;
    int rc = pager_tx_begin_read(db->pager, &rtx);

    if (rc == CHORUS_OK)
        rc = vm_db_catalog_sync(db, rtx, &cat, &changed, &err);
    if (rc == CHORUS_OK)
        vm_db_catalog_publish(db, cat);
    catalog_release(cat);
    pager_tx_rollback(rtx);
    free(err);
    return rc;
}

/* The last step: the destination gets the source's length and a new schema
 * cookie (BK4), and commits. */
static int
dest_finish(vm_backup *b, uint32_t old_cookie)
{
    pager_tx *wtx = b->wtx;
    int rc = CHORUS_OK;

    if (pager_tx_page_count(wtx) > b->n_pages)
        rc = pager_tx_truncate(wtx, b->n_pages);
    if (rc == CHORUS_OK)
        rc = btree_meta_set(wtx, BTREE_META_SCHEMA_COOKIE, old_cookie + 1);
    b->wtx = NULL;
    if (rc != CHORUS_OK) {
        pager_tx_rollback(wtx);
        return rc;
    }
    rc = pager_tx_commit(wtx);
    return rc == CHORUS_OK ? dest_publish(b->dest->db) : rc;
}

/* Copies up to n_step pages (all when negative) from snapshot rtx. */
static int
copy_pages(vm_backup *b, pager_tx *rtx, int n_step)
{
    uint32_t skip = lock_page(pager_page_size(b->src->db->pager));
    uint32_t old_cookie = 0;
    int rc = CHORUS_OK;

    if (pager_tx_page_count(b->wtx) > 0)
        rc = btree_meta_get(b->wtx, BTREE_META_SCHEMA_COOKIE, &old_cookie);
    for (int i = 0; rc == CHORUS_OK && b->next <= b->n_pages && (n_step < 0 || i < n_step);
         i++, b->next++)
        if (b->next != skip)
            rc = page_copy(b, rtx, b->next);
    if (rc != CHORUS_OK || b->next <= b->n_pages)
        return rc;
    rc = dest_finish(b, old_cookie);
    return rc == CHORUS_OK ? CHORUS_DONE : rc;
}

/* An empty source (no page yet) reads as a new empty database: page 1 made
 * by btree_init_database in a scratch in-memory pager of the destination's
 * page size, so the destination becomes empty too. */
static int
empty_source(pager *dest, pager **scratch_out, pager_tx **tx_out)
{
    pager_config cfg = {.in_memory = true, .create = true, .page_size = pager_page_size(dest)};
    int rc = pager_open(":memory:", &cfg, scratch_out, NULL);

    *tx_out = NULL;
    if (rc == CHORUS_OK)
        rc = pager_tx_begin_write(*scratch_out, 0, NULL, tx_out);
    if (rc == CHORUS_OK)
        rc = btree_init_database(*tx_out);
    return rc;
}

/*
 * Outline: 1. MVCC source: checkpoint (BK2); 2. the destination's write
 * lock, at the first step; 3. a read snapshot of the source, restarting
 * when it is not the one copied so far (BK1); 4. page sizes (BK3); 5. copy,
 * and at the end commit.
 */
int
vm_backup_step(vm_backup *b, int n_step)
{
    pager *src = b->src->db->pager, *dest = b->dest->db->pager, *scratch = NULL;
    pager_tx *rtx = NULL, *empty = NULL;
    int rc = CHORUS_OK;

    if (vm_mvcc_on(b->src->db))                                         /* 1 */
        rc = vm_mvcc_checkpoint_all(b->src->db, 0);
    if (rc == CHORUS_OK && b->wtx == NULL)                              /* 2 */
        rc = dest_begin(b);
    if (rc == CHORUS_OK)                                                /* 3 */
        rc = pager_tx_begin_read(src, &rtx);
    if (rc != CHORUS_OK)
        return rc;
    if (b->has_snapshot && pager_tx_snapshot_seq(rtx) != b->snapshot)
        b->next = 1;
    b->snapshot = pager_tx_snapshot_seq(rtx);
    b->has_snapshot = true;
    if (pager_tx_page_count(rtx) == 0) {
        rc = empty_source(dest, &scratch, &empty);
    } else if (pager_page_size(src) != pager_page_size(dest) ||          /* 4 */
               pager_usable_size(src) != pager_usable_size(dest)) {
        vm_conn_set_error(b->dest, CHORUS_READONLY,
                          "backup: the source page size (%u) differs from the destination's "
                          "(%u), which is in WAL mode",
                          (unsigned)pager_page_size(src), (unsigned)pager_page_size(dest));
        rc = CHORUS_READONLY;
    }
    if (rc == CHORUS_OK) {                                              /* 5 */
        b->n_pages = pager_tx_page_count(empty != NULL ? empty : rtx);
        rc = copy_pages(b, empty != NULL ? empty : rtx, n_step);
    }
    pager_tx_rollback(empty);
    if (scratch != NULL)
        pager_close(scratch);
    pager_tx_rollback(rtx);
    if (rc != CHORUS_OK && rc != CHORUS_DONE && rc != CHORUS_BUSY && b->wtx != NULL) {
        pager_tx_rollback(b->wtx);      /* a failed copy keeps nothing */
        b->wtx = NULL;
        b->next = 1;
        b->has_snapshot = false;
    }
    return rc;
}

uint32_t
vm_backup_page_count(const vm_backup *b)
{
    return b->n_pages;
}

uint32_t
vm_backup_remaining(const vm_backup *b)
{
    return b->next > b->n_pages ? 0 : b->n_pages - b->next + 1;
}

void
vm_backup_close(vm_backup *b)
{
    if (b == NULL)
        return;
    pager_tx_rollback(b->wtx);
    free(b);
}
