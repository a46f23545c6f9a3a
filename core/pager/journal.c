/*
 * core/pager/journal.c: rolls back a hot rollback journal left by sqlite3
 * (README R16) before anything reads the database file.
 *
 * Layout of <db>-journal (big-endian; FORMATS.md section 2)
 *
 *   segment header, at a multiple of the sector size
 *     0  magic d9 d5 05 f9 20 a1 63 d7
 *     8  nRec: records in this segment; 0xffffffff = up to end of file
 *    12  checksum nonce
 *    16  database size in pages before the transaction
 *    20  sector size          24  page size
 *   records, from the next sector boundary: pgno (4), the original page,
 *   checksum (4) = nonce + the page bytes at offsets ps-200, ps-400, ... > 0
 *   optional super-journal record at the end of the file:
 *     pgno of the lock page (4), name, name length (4), name checksum (4),
 *     magic (8)
 *
 * The journal is hot when its first segment header is valid, the database
 * file is not empty and, if a super-journal is named, that file exists
 * (otherwise the multi-database transaction committed). We hold the
 * exclusive OS lock (R13), so no sqlite3 process holds RESERVED.
 *
 * Playback: each record with a valid checksum writes its original page
 * back; a bad checksum or a short record ends the playback (that record and
 * later ones were never synced, so the database file never saw their
 * changes). Then the file is truncated to its original size and synced, and
 * the journal is deleted.
 *
 * Locking: runs inside pager_open, before the pager is shared.
 * Callers: pager.c.
 */
#include "pager_int.h"

#include <stdlib.h>
#include <string.h>

static const uint8_t JOURNAL_MAGIC[8] = { 0xd9, 0xd5, 0x05, 0xf9, 0x20, 0xa1, 0x63, 0xd7 };

enum { JOURNAL_HEADER_BYTES = 28 };

typedef struct journal {
    os_file *file;          /* owned */
    int64_t size;
    uint32_t sector_size;
    uint32_t page_size;
    uint32_t orig_pages;
} journal;

static bool
power_of_two_in(uint32_t v, uint32_t lo, uint32_t hi)
{
    return v >= lo && v <= hi && (v & (v - 1)) == 0;
}

/* Reads the segment header at off; false when there is none. */
static bool
segment_header(journal *j, int64_t off, uint32_t *n_rec, uint32_t *nonce)
{
    uint8_t h[JOURNAL_HEADER_BYTES];

    if (off + JOURNAL_HEADER_BYTES > j->size
        || os_read(j->file, h, sizeof h, off) != CHORUS_OK
        || memcmp(h, JOURNAL_MAGIC, sizeof JOURNAL_MAGIC) != 0)
        return false;
    *n_rec = get_be32(h + 8);
    *nonce = get_be32(h + 12);
    if (off == 0) {
        j->orig_pages = get_be32(h + 16);
        j->sector_size = get_be32(h + 20);
        j->page_size = get_be32(h + 24);
        return power_of_two_in(j->sector_size, 32, 65536)
               && power_of_two_in(j->page_size, 512, 65536);
    }
    return true;
}

/* True when a super-journal is named and missing: nothing to roll back. */
static int
super_journal_missing(pager *p, journal *j, bool *missing_out)
{
    uint8_t tail[16];
    char *name;
    uint32_t len;
    int exists = 1;
    int rc;

    *missing_out = false;
    if (j->size < 20 || os_read(j->file, tail, sizeof tail, j->size - 16) != CHORUS_OK
        || memcmp(tail + 8, JOURNAL_MAGIC, 8) != 0)
        return CHORUS_OK;
    len = get_be32(tail);
    if (len == 0 || (int64_t)len > j->size - 20)
        return CHORUS_OK;
    if ((name = calloc(1, len + 1)) == NULL)
        return CHORUS_NOMEM;
    rc = os_read(j->file, name, len, j->size - 16 - len);
    if (rc == CHORUS_OK && name[0] != '\0')
        rc = p->vfs->exists(p->vfs, name, &exists);
    free(name);
    *missing_out = rc == CHORUS_OK && !exists;
    return rc == CHORUS_IOERR_SHORT_READ ? CHORUS_OK : rc;
}

static uint32_t
record_checksum(const uint8_t *page, uint32_t page_size, uint32_t nonce)
{
    uint32_t sum = nonce;
    for (int64_t i = (int64_t)page_size - 200; i > 0; i -= 200)
        sum += page[i];
    return sum;
}

/* Plays back one segment's records starting at *off; false when playback
 * must stop (bad or short record). */
static int
segment_play(pager *p, journal *j, int64_t *off, uint32_t n_rec, uint32_t nonce, bool *more)
{
    int64_t rec_size = 8 + (int64_t)j->page_size;
    uint8_t *rec = malloc((size_t)rec_size);
    int rc = CHORUS_OK;

    *more = true;
    if (rec == NULL)
        return CHORUS_NOMEM;
    if (n_rec == 0xffffffffu)
        n_rec = (uint32_t)((j->size - *off) / rec_size);
    for (uint32_t i = 0; i < n_rec && rc == CHORUS_OK; i++, *off += rec_size) {
        uint32_t pgno;
        if (*off + rec_size > j->size || os_read(j->file, rec, (size_t)rec_size, *off) != CHORUS_OK
            || get_be32(rec + 4 + j->page_size) != record_checksum(rec + 4, j->page_size, nonce)) {
            *more = false;
            break;
        }
        pgno = get_be32(rec);
        if (pgno == 0 || pgno > j->orig_pages || pgno == pager_lock_page(j->page_size))
            continue;
        rc = os_write(p->db, rec + 4, j->page_size, (int64_t)(pgno - 1) * j->page_size);
    }
    free(rec);
    return rc;
}

/* Outline: 1. walk the segments, playing back records; 2. truncate to the
 * original size and sync. */
static int
journal_play(pager *p, journal *j)
{
    int64_t off = 0;
    uint32_t n_rec, nonce;
    bool more = true;
    int rc = CHORUS_OK;

    /* 1 */
    while (more && rc == CHORUS_OK && segment_header(j, off, &n_rec, &nonce)) {
        off += j->sector_size;
        rc = segment_play(p, j, &off, n_rec, nonce, &more);
        off = (off + j->sector_size - 1) / j->sector_size * j->sector_size;
    }
    /* 2 */
    if (rc == CHORUS_OK)
        rc = os_truncate(p->db, (int64_t)j->orig_pages * j->page_size);
    if (rc == CHORUS_OK)
        rc = os_sync(p->db, OS_SYNC_FULL);
    return rc;
}

/* Outline: 1. open the journal if it exists; 2. decide whether it is hot;
 * 3. refuse if read-only, else play back; 4. delete the journal. */
int
pager_journal_recover(pager *p, char **errmsg_out)
{
    journal j = { 0 };
    char *path = common_mprintf("%s-journal", p->path);
    int64_t db_size;
    uint32_t n_rec, nonce;
    bool missing;
    int exists = 0;
    int rc;

    if (path == NULL)
        return CHORUS_NOMEM;
    /* 1 */
    rc = p->vfs->exists(p->vfs, path, &exists);
    if (rc != CHORUS_OK || !exists)
        goto done;
    rc = p->vfs->open(p->vfs, path, OS_OPEN_READONLY, &j.file);
    if (rc != CHORUS_OK)
        goto done;
    /* 2 */
    if ((rc = os_size(j.file, &j.size)) != CHORUS_OK || (rc = os_size(p->db, &db_size)) != CHORUS_OK)
        goto done;
    if (db_size == 0 || !segment_header(&j, 0, &n_rec, &nonce))
        goto done;              /* not hot: left alone, as sqlite3 does */
    if ((rc = super_journal_missing(p, &j, &missing)) != CHORUS_OK)
        goto done;
    /* 3 */
    if (!missing) {
        if (p->is_readonly) {
            rc = CHORUS_CANTOPEN;
            if (errmsg_out != NULL)
                *errmsg_out = common_mprintf("hot journal needs rollback but the database "
                                             "is opened read-only: %s", p->path);
            goto done;
        }
        if ((rc = journal_play(p, &j)) != CHORUS_OK)
            goto done;
    }
    /* 4 */
    if (p->is_readonly)
        goto done;              /* a committed journal we may not delete */
    os_close(j.file);
    j.file = NULL;
    rc = p->vfs->remove(p->vfs, path);
    if (rc == CHORUS_OK)
        rc = p->vfs->sync_dir(p->vfs, path);
done:
    os_close(j.file);
    free(path);
    return rc;
}
