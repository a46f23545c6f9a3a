/*
 * core/pager/wal.c: the -wal file in SQLite's WAL format: header, frames,
 * checksums and recovery of a WAL left behind by a crash.
 *
 * Layout (all fields big-endian; FORMATS.md section "WAL file")
 *
 *   header, 32 bytes
 *     0  magic 0x377f0682 (checksum words little-endian) or 0x377f0683 (big)
 *     4  format version 3007000
 *     8  page size
 *    12  checkpoint sequence number
 *    16  salt-1        20  salt-2
 *    24  checksum-1    28  checksum-2   over bytes 0..23, seed (0, 0)
 *
 *   frame i (1-based) at 32 + (i-1) * (24 + page size)
 *     0  page number
 *     4  database size in pages after this commit (commit frame) or 0
 *     8  salt-1 copy   12  salt-2 copy
 *    16  checksum-1    20  checksum-2   cumulative: seeded with the previous
 *                                       frame's (or the header's) checksum,
 *                                       over frame bytes 0..7 and the page
 *    24  the page
 *
 * A frame is valid iff its salts equal the header's and its checksum
 * matches; a reader knows a transaction is whole when it reaches a valid
 * commit frame. Recovery keeps every frame up to the last valid commit frame
 * and ignores the rest (README R2): a torn tail, a bad checksum or a salt
 * mismatch ends the log.
 *
 * We write little-endian checksum words (what SQLite writes on x86) and read
 * either order.
 *
 * Locking: the functions here do I/O only and take no lock. wal_recover runs
 * before the pager is shared; the writer alone calls the write functions
 * (R1); wal_read_frame_page reads frames <= a committed end mark, which no
 * one rewrites until a restart (R4). A restart does not wait for reads in
 * flight, so a reader checks after the read that no restart happened
 * (pager.c G4); the checkpoint reads only frames it keeps from being
 * restarted away (checkpoint.c K1).
 * Callers: pager.c, checkpoint.c.
 */
#include "pager_int.h"

#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>

enum { WAL_WRITE_BATCH_BYTES = 1 << 20 };

static uint32_t
get_word(const uint8_t *p, bool big_endian)
{
    if (big_endian)
        return get_be32(p);
    return (uint32_t)p[3] << 24 | (uint32_t)p[2] << 16 | (uint32_t)p[1] << 8 | p[0];
}

void
wal_checksum(bool big_endian, const uint8_t *data, size_t n, uint32_t cksum[2])
{
    uint32_t s0 = cksum[0], s1 = cksum[1];

    for (size_t i = 0; i + 8 <= n; i += 8) {
        s0 += get_word(data + i, big_endian) + s1;
        s1 += get_word(data + i + 4, big_endian) + s0;
    }
    cksum[0] = s0;
    cksum[1] = s1;
}

static uint32_t
random_u32(void)
{
    uint32_t v;
    struct timespec ts;

    if (getrandom(&v, sizeof v, GRND_NONBLOCK) == (ssize_t)sizeof v)
        return v;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (uint32_t)ts.tv_nsec * 2654435761u ^ (uint32_t)ts.tv_sec;
}

static int64_t
frame_offset(uint32_t page_size, uint32_t frame)
{
    return WAL_HEADER_SIZE + (int64_t)(frame - 1) * (WAL_FRAME_HEADER_SIZE + page_size);
}

/* Parses a header; false if it is not a valid WAL header. */
static bool
header_parse(wal *w, const uint8_t *h, uint32_t *page_size)
{
    uint32_t magic = get_be32(h);
    uint32_t ps = get_be32(h + 8);
    uint32_t ck[2] = { 0, 0 };

    if ((magic != WAL_MAGIC_LE && magic != WAL_MAGIC_BE) || get_be32(h + 4) != WAL_FORMAT_VERSION)
        return false;
    if (ps < 512 || ps > 65536 || (ps & (ps - 1)) != 0 || (*page_size != 0 && ps != *page_size))
        return false;
    w->is_big_endian = magic == WAL_MAGIC_BE;
    wal_checksum(w->is_big_endian, h, 24, ck);
    if (ck[0] != get_be32(h + 24) || ck[1] != get_be32(h + 28))
        return false;
    w->ckpt_seq = get_be32(h + 12);
    w->salt1 = get_be32(h + 16);
    w->salt2 = get_be32(h + 20);
    w->cksum[0] = ck[0];
    w->cksum[1] = ck[1];
    *page_size = ps;
    return true;
}

/* Checks frame f (header + page in buf) against the running checksum ck,
 * advancing ck when it is valid. */
static bool
frame_valid(const wal *w, const uint8_t *buf, uint32_t page_size, uint32_t ck[2])
{
    uint32_t next[2] = { ck[0], ck[1] };

    if (get_be32(buf + 8) != w->salt1 || get_be32(buf + 12) != w->salt2 || get_be32(buf) == 0)
        return false;
    wal_checksum(w->is_big_endian, buf, 8, next);
    wal_checksum(w->is_big_endian, buf + WAL_FRAME_HEADER_SIZE, page_size, next);
    if (next[0] != get_be32(buf + 16) || next[1] != get_be32(buf + 20))
        return false;
    ck[0] = next[0];
    ck[1] = next[1];
    return true;
}

/*
 * Outline: 1. read and check the header; 2. scan frames while valid,
 * indexing each; 3. keep frames up to the last commit frame (R2).
 * *page_size: in, the expected page size or 0 to take the header's; out,
 * the page size of a valid WAL.
 */
int
wal_recover(wal *w, uint32_t *page_size)
{
    uint8_t hdr[WAL_HEADER_SIZE];
    uint8_t *buf = NULL;
    uint32_t ck[2], commit_ck[2], last_commit = 0;
    int64_t size;
    int rc;

    wal_index_clear(&w->index);
    w->max_frame = w->backfilled = 0;
    w->is_header_valid = false;
    if (w->file == NULL)
        return CHORUS_OK;
    /* 1 */
    if ((rc = os_size(w->file, &size)) != CHORUS_OK)
        return rc;
    if (size < WAL_HEADER_SIZE)
        return CHORUS_OK;
    if ((rc = os_read(w->file, hdr, sizeof hdr, 0)) != CHORUS_OK)
        return rc;
    if (!header_parse(w, hdr, page_size))
        return CHORUS_OK;
    w->is_header_valid = true;
    /* 2 */
    buf = malloc(WAL_FRAME_HEADER_SIZE + *page_size);
    if (buf == NULL)
        return CHORUS_NOMEM;
    ck[0] = commit_ck[0] = w->cksum[0];
    ck[1] = commit_ck[1] = w->cksum[1];
    for (uint32_t f = 1; frame_offset(*page_size, f + 1) <= size; f++) {
        rc = os_read(w->file, buf, WAL_FRAME_HEADER_SIZE + *page_size, frame_offset(*page_size, f));
        if (rc != CHORUS_OK || !frame_valid(w, buf, *page_size, ck))
            break;
        rc = wal_index_append(&w->index, get_be32(buf), get_be32(buf + 4));
        if (rc != CHORUS_OK)
            goto done;
        if (get_be32(buf + 4) != 0) {
            last_commit = f;
            commit_ck[0] = ck[0];
            commit_ck[1] = ck[1];
        }
    }
    /* 3 */
    rc = CHORUS_OK;
    wal_index_truncate(&w->index, last_commit);
    w->max_frame = last_commit;
    w->cksum[0] = commit_ck[0];
    w->cksum[1] = commit_ck[1];
done:
    free(buf);
    return rc;
}

int
wal_write_header(wal *w, uint32_t page_size)
{
    uint8_t h[WAL_HEADER_SIZE];
    uint32_t ck[2] = { 0, 0 };
    int rc;

    if (w->is_header_valid) {
        w->ckpt_seq++;
        w->salt1++;
    } else {
        w->ckpt_seq = 0;
        w->salt1 = random_u32();
    }
    w->salt2 = random_u32();
    w->is_big_endian = false;
    put_be32(h, WAL_MAGIC_LE);
    put_be32(h + 4, WAL_FORMAT_VERSION);
    put_be32(h + 8, page_size);
    put_be32(h + 12, w->ckpt_seq);
    put_be32(h + 16, w->salt1);
    put_be32(h + 20, w->salt2);
    wal_checksum(false, h, 24, ck);
    put_be32(h + 24, ck[0]);
    put_be32(h + 28, ck[1]);
    rc = os_write(w->file, h, sizeof h, 0);
    if (rc != CHORUS_OK) {
        w->is_header_valid = false;
        return rc;
    }
    w->is_header_valid = true;
    w->cksum[0] = ck[0];
    w->cksum[1] = ck[1];
    return CHORUS_OK;
}

static void
frame_encode(const wal *w, uint8_t *out, const pager_page *pg, uint32_t page_size,
             uint32_t commit_size, uint32_t ck[2])
{
    put_be32(out, pg->pgno);
    put_be32(out + 4, commit_size);
    put_be32(out + 8, w->salt1);
    put_be32(out + 12, w->salt2);
    memcpy(out + WAL_FRAME_HEADER_SIZE, pg->data, page_size);
    wal_checksum(w->is_big_endian, out, 8, ck);
    wal_checksum(w->is_big_endian, out + WAL_FRAME_HEADER_SIZE, page_size, ck);
    put_be32(out + 16, ck[0]);
    put_be32(out + 20, ck[1]);
}

int
wal_write_frames(wal *w, uint32_t page_size, uint32_t first_frame, pager_page *const *pages,
                 uint32_t n, uint32_t commit_size, uint32_t cksum[2])
{
    size_t frame_bytes = WAL_FRAME_HEADER_SIZE + (size_t)page_size;
    uint32_t per_batch = (uint32_t)(WAL_WRITE_BATCH_BYTES / frame_bytes);
    uint8_t *buf;
    int rc = CHORUS_OK;

    if (per_batch == 0)
        per_batch = 1;
    if (per_batch > n)
        per_batch = n;
    buf = malloc(per_batch * frame_bytes);
    if (buf == NULL)
        return CHORUS_NOMEM;
    for (uint32_t i = 0; i < n && rc == CHORUS_OK; i += per_batch) {
        uint32_t k = n - i < per_batch ? n - i : per_batch;
        for (uint32_t j = 0; j < k; j++) {
            uint32_t commit = i + j + 1 == n ? commit_size : 0;
            frame_encode(w, buf + j * frame_bytes, pages[i + j], page_size, commit, cksum);
        }
        rc = os_write(w->file, buf, k * frame_bytes, frame_offset(page_size, first_frame + i));
    }
    free(buf);
    return rc;
}

int
wal_read_frame_page(wal *w, uint32_t page_size, uint32_t frame, uint8_t *buf)
{
    int rc = os_read(w->file, buf, page_size, frame_offset(page_size, frame) + WAL_FRAME_HEADER_SIZE);
    return rc == CHORUS_IOERR_SHORT_READ ? CHORUS_CORRUPT_HERE() : rc;
}
