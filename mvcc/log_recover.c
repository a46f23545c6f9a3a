/*
 * mvcc/log_recover.c: reading <db>-log back after a crash or a clean close
 * (mvcc R15).
 *
 * Outline of a scan:
 *   1. Read the header. A file of at most a header's size that is not a
 *      valid header is fresh: the header is written and synced before any
 *      frame (log_writer.c), so nothing acknowledged can be lost there.
 *      A longer file with a bad header fails closed (NOTADB or CORRUPT).
 *   2. First pass: walk the frames from offset 32 until the first one that
 *      is short, fails its checksum under the salt, or is malformed; that
 *      offset ends the valid prefix. Note the newest checkpoint mark and
 *      the largest commit timestamp. Zeros after the prefix are the
 *      writer's preallocation (log_writer.c W10), not a torn tail.
 *   3. Second pass: hand every commit frame of the prefix whose timestamp is
 *      above the checkpoint mark to the callback, in log order. Log order is
 *      the order in which commits became visible (mvcc R12), so replaying in
 *      it rebuilds every key's final state.
 *
 * The file is read through a sliding window, so a log larger than memory
 * can be scanned; one frame must fit in memory.
 *
 * mv_log_scan_range() walks a part of a live log the same way for the
 * rewrite that truncates it (log_rewrite.c).
 *
 * Invariants: nothing past the first bad frame is ever handed out.
 * Locking: none; the caller owns the file during recovery, and a range scan
 * reads only bytes the writer has finished with (below the written end).
 * Callers: mvcc/log_writer.c (mv_log_open), log_rewrite.c, the
 * integration, tests.
 */
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "mvcc_int.h"

#define WINDOW (1024 * 1024)

typedef struct reader {
    int fd;
    int64_t file_size;
    uint8_t *buf;               /* owned */
    size_t cap;
    int64_t buf_off;            /* file offset of buf[0] */
    size_t buf_len;
} reader;

/* Makes [off, off+n) available; returns the bytes available from off (fewer
 * than n at the end of the file), or -1 on an error (rc in *rc). */
static int64_t
reader_get(reader *r, int64_t off, size_t n, const uint8_t **out, int *rc)
{
    if (off >= r->buf_off && off + (int64_t)n <= r->buf_off + (int64_t)r->buf_len) {
        *out = r->buf + (off - r->buf_off);
        return (int64_t)n;
    }
    size_t want = n > WINDOW ? n : WINDOW;
    if (want > r->cap) {
        uint8_t *grown = realloc(r->buf, want);
        if (grown == NULL) {
            *rc = CHORUS_NOMEM;
            return -1;
        }
        r->buf = grown;
        r->cap = want;
    }
    int64_t left = r->file_size - off;
    size_t len = left < (int64_t)want ? (size_t)(left > 0 ? left : 0) : want;
    size_t got = 0;
    while (got < len) {
        ssize_t k = pread(r->fd, r->buf + got, len - got, off + (int64_t)got);
        if (k <= 0) {
            *rc = CHORUS_IOERR_READ;
            return -1;
        }
        got += (size_t)k;
    }
    r->buf_off = off;
    r->buf_len = len;
    *out = r->buf;
    return (int64_t)(len < n ? len : n);
}

/* Reads the frame at *off; 1 valid (advances *off), 0 the end, -1 error. */
static int
next_frame(reader *r, uint64_t salt, int64_t *off, mv_log_frame *frame, int *kind, int *rc)
{
    const uint8_t *p;
    int64_t avail = reader_get(r, *off, MV_LOG_FRAME_HEADER, &p, rc);
    uint32_t size;

    if (avail < 0)
        return -1;
    if (avail < MV_LOG_FRAME_HEADER)
        return 0;
    size = (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
    if (size < MV_LOG_FRAME_HEADER + MV_LOG_FRAME_TRAILER || *off + (int64_t)size > r->file_size)
        return 0;
    avail = reader_get(r, *off, size, &p, rc);
    if (avail < 0)
        return -1;
    if (!mv_frame_parse(p, (size_t)avail, salt, frame, kind, &size))
        return 0;
    *off += size;
    return 1;
}

/* Whether the file holds only zero bytes from off to its end (W10): *zeros;
 * returns CHORUS_OK or the read's error. */
static int
zeros_to_end(reader *r, int64_t off, bool *zeros)
{
    int rc = CHORUS_OK;

    *zeros = true;
    while (*zeros && off < r->file_size) {
        const uint8_t *p;
        int64_t left = r->file_size - off;
        int64_t n = reader_get(r, off, left < WINDOW ? (size_t)left : WINDOW, &p, &rc);
        if (n <= 0)
            return rc != CHORUS_OK ? rc : CHORUS_IOERR_READ;
        for (int64_t i = 0; i < n && *zeros; i++)
            *zeros = p[i] == 0;
        off += n;
    }
    return CHORUS_OK;
}

/* Step 1: the header. */
static int
scan_header(reader *r, uint64_t *salt, bool *fresh)
{
    const uint8_t *p;
    int rc = CHORUS_OK;
    int64_t avail = reader_get(r, 0, MV_LOG_HEADER_SIZE, &p, &rc);

    if (avail < 0)
        return rc;
    rc = avail < MV_LOG_HEADER_SIZE ? CHORUS_NOTADB : mv_log_header_decode(p, (size_t)avail, salt);
    if (rc != CHORUS_OK && r->file_size <= MV_LOG_HEADER_SIZE) {
        *fresh = true;
        return CHORUS_OK;
    }
    return rc;
}

int
mv_log_scan_fd(int fd, mv_log_replay_fn replay, void *ctx, mv_log_recovery *out,
               uint64_t *salt_out, bool *fresh_out)
{
    reader r = {fd, 0, NULL, 0, 0, 0};
    struct stat st;
    mv_log_frame frame;
    int64_t off, end;
    int kind, got, rc = CHORUS_OK;

    memset(out, 0, sizeof *out);
    *fresh_out = false;
    if (fstat(fd, &st) != 0)
        return CHORUS_IOERR_FSTAT;
    r.file_size = st.st_size;
    rc = scan_header(&r, salt_out, fresh_out);
    if (rc != CHORUS_OK || *fresh_out)
        goto done;
    /* Step 2: the valid prefix, the newest mark and the largest timestamp. */
    for (off = MV_LOG_HEADER_SIZE; (got = next_frame(&r, *salt_out, &off, &frame, &kind, &rc)) == 1;) {
        if (kind == MV_LOG_FRAME_CHECKPOINT && frame.commit_ts > out->checkpoint_ts)
            out->checkpoint_ts = frame.commit_ts;
        if (kind == MV_LOG_FRAME_COMMIT && frame.commit_ts > out->max_ts)
            out->max_ts = frame.commit_ts;
    }
    if (got < 0)
        goto done;
    end = off;
    out->end_offset = end;
    out->alloc_end = end;
    if (end < r.file_size) {
        bool zeros;
        if ((rc = zeros_to_end(&r, end, &zeros)) != CHORUS_OK)
            goto done;
        out->torn_tail = !zeros;
        if (zeros)
            out->alloc_end = r.file_size;
    }
    /* Step 3: replay above the mark, in log order. */
    for (off = MV_LOG_HEADER_SIZE; off < end;) {
        if (next_frame(&r, *salt_out, &off, &frame, &kind, &rc) != 1) {
            if (rc == CHORUS_OK)
                rc = CHORUS_CORRUPT_HERE();     /* the file changed under us */
            goto done;
        }
        if (kind != MV_LOG_FRAME_COMMIT)
            continue;
        if (frame.commit_ts <= out->checkpoint_ts) {
            out->n_skipped++;
            continue;
        }
        if (replay != NULL && (rc = replay(ctx, &frame)) != CHORUS_OK)
            goto done;
        out->n_frames++;
    }
done:
    free(r.buf);
    return rc;
}

int
mv_log_scan_range(int fd, uint64_t salt, int64_t from, int64_t to, mv_log_raw_fn fn, void *ctx,
                  int64_t *end_out)
{
    reader r = {fd, to, NULL, 0, 0, 0};
    mv_log_frame frame;
    int64_t off = from, start;
    int kind, got, rc = CHORUS_OK;

    for (start = off; (got = next_frame(&r, salt, &off, &frame, &kind, &rc)) == 1; start = off) {
        /* The frame's raw bytes: its header precedes the records. */
        rc = fn(ctx, kind, &frame, frame.records - MV_LOG_FRAME_HEADER, (uint32_t)(off - start));
        if (rc != CHORUS_OK)
            break;
    }
    free(r.buf);
    *end_out = off;
    return rc;
}

int
mv_log_recover(const char *path, mv_log_replay_fn replay, void *ctx, mv_log_recovery *out)
{
    mv_log_recovery ignored;
    uint64_t salt;
    bool fresh;
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    int rc;

    if (out == NULL)
        out = &ignored;         /* as mv_log_open(): the summary is optional */
    if (fd < 0) {
        memset(out, 0, sizeof *out);
        return CHORUS_CANTOPEN;
    }
    rc = mv_log_scan_fd(fd, replay, ctx, out, &salt, &fresh);
    close(fd);
    return rc;
}
