/*
 * mvcc/log_rewrite.c: truncating <db>-log while commits keep arriving
 * (mvcc R19): after a checkpoint C the log is rewritten to hold only the
 * commit frames above C, under a fresh salt, and renamed over the old one.
 *
 * Outline of mv_log_truncate(log, C):
 *   1. Create <db>-log-new with a header under a new salt.
 *   2. Copy, without stopping anyone, every commit frame above C from the
 *      part of the old file already written (re-sealed under the new salt).
 *   3. Enter the gate (log_writer.c W4): everything enqueued is written
 *      out, then nothing more is written and later frames get the new salt.
 *      Copy the frames written since step 2 (a few: one batch or so).
 *   4. fdatasync the new file, rename() it over <db>-log, fsync the
 *      directory, and leave the gate switching the writer to the new fd;
 *      the frames held back are written there by the next leader.
 *
 * Crash safety (nothing acknowledged is lost, nothing half-applied):
 *   - the caller has made the B-tree durable up to C and written the mark C
 *     before step 1, so any frame at or below C is redundant everywhere;
 *   - until the rename, <db>-log is the old file, complete up to what it
 *     acknowledged (a FULL commit is acknowledged only once synced in it);
 *     a stale <db>-log-new is removed by the next open (mv_log_open);
 *   - the new file is synced before the rename, and it holds every frame
 *     above C of the old one, so whichever name survives a crash, recovery
 *     (mvcc R15) replays every acknowledged commit the B-tree lacks;
 *   - frames enqueued during step 3 and 4 are acknowledged only after the
 *     next leader writes them into the new file.
 * Commits never wait for steps 1 and 2; during 3 and 4 they still become
 * visible and only their durability wait is delayed (a small copy, one
 * fdatasync, a rename and a directory fsync).
 *
 * The new file carries only what is above C: commit frames, and the mark of
 * a later checkpoint that ran meanwhile (another writer of the B-tree,
 * e.g. a schema change); recovery raises the clock to the largest timestamp
 * it finds (mv_checkpoint_recovered).
 *
 * Rules
 *   RW1 A failure before the rename (creating, filling or syncing the new
 *       file, or the rename itself) leaves <db>-log untouched: the rewrite
 *       is dropped (mv_log_gate_cancel: the held-back frames go to the old
 *       file under its salt), the new file removed, and the error returned;
 *       the log is not failed, and the next checkpoint tries again (the cut
 *       mark, mv_log_cut_ts, did not move).
 *   RW2 After the rename the directory is fsynced before the writer
 *       switches; if that fails the log is failed for good (mvcc R13): the
 *       frames that would follow may sit in a file whose name a power loss
 *       can take back.
 *
 * Locking: the log's mutex through the gate functions only; the caller
 * serialises rewrites (store_mvcc_checkpoint_run: one checkpoint at a time).
 * Callers: core/store/mvcc_mode.c (checkpoints), tests.
 */
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "log_io.h"
#include "mvcc_int.h"

/* The new file being filled. */
typedef struct rewrite {
    int fd;
    uint64_t salt;              /* the new generation's */
    uint64_t upto_ts;           /* frames at or below it are dropped */
    int64_t end;                /* bytes written to fd so far */
    uint8_t *copy;              /* owned: one frame being re-sealed */
    size_t cap;
    mv_log_truncation *stats;
} rewrite;

/* mv_log_raw_fn: copies one commit frame above the checkpoint. */
static int
copy_frame(void *ctx, int kind, const mv_log_frame *frame, const uint8_t *raw, uint32_t size)
{
    rewrite *w = ctx;
    int rc;

    if (kind == MV_LOG_FRAME_COMMIT)
        w->stats->n_frames++;
    if (frame->commit_ts <= w->upto_ts)
        return CHORUS_OK;               /* in the B-tree (a mark: said by ours) */
    if (size > w->cap) {
        uint8_t *grown = realloc(w->copy, size);
        if (grown == NULL)
            return CHORUS_NOMEM;
        w->copy = grown;
        w->cap = size;
    }
    memcpy(w->copy, raw, size);
    mv_frame_seal(w->copy, size, w->salt);
    rc = mv_log_pwrite_all(w->fd, w->copy, size, w->end);
    if (rc == CHORUS_OK) {
        w->end += size;
        w->stats->n_kept += kind == MV_LOG_FRAME_COMMIT;
    }
    return rc;
}

/* Copies the valid frames of [from, to) of the old file; a frame that does
 * not check is corruption here: these bytes were written by this log. */
static int
copy_range(rewrite *w, int old_fd, uint64_t old_salt, int64_t from, int64_t to)
{
    int64_t end;
    int rc = mv_log_scan_range(old_fd, old_salt, from, to, copy_frame, w, &end);

    if (rc == CHORUS_OK && end != to)
        rc = CHORUS_CORRUPT_HERE();
    return rc;
}

static char *
new_path(const char *path)
{
    size_t n = strlen(path) + 5;
    char *p = malloc(n);

    if (p != NULL)
        snprintf(p, n, "%s-new", path);
    return p;
}

void
mv_log_rewrite_discard(const char *path)
{
    char *p = new_path(path);

    if (p != NULL)
        unlink(p);              /* ENOENT is the usual answer */
    free(p);
}

/* Makes the rename durable: fsync of the directory holding path. */
static int
dir_sync(const char *path)
{
    char *copy = strdup(path);
    int fd, rc = CHORUS_OK;

    if (copy == NULL)
        return CHORUS_NOMEM;
    fd = open(dirname(copy), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    free(copy);
    if (fd < 0)
        return CHORUS_IOERR_FSYNC;
    if (mv_log_io_calls.fdatasync(fd) != 0)
        rc = CHORUS_IOERR_FSYNC;
    close(fd);
    return rc;
}

/* Steps 3 and 4: under the gate. A failure before the rename touched only
 * the new file: the rewrite is dropped and the old log goes on (RW1). */
static int
switch_over(mv_log *log, rewrite *w, const char *tmp, int64_t from, uint64_t old_salt)
{
    int old_fd;
    int64_t old_end;
    int rc = mv_log_gate_enter(log, w->salt, &old_fd, &old_end);

    if (rc != CHORUS_OK)
        return rc;                      /* the log already failed (W3) */
    rc = copy_range(w, old_fd, old_salt, from, old_end);
    if (rc == CHORUS_OK && mv_log_io_calls.fdatasync(w->fd) != 0)
        rc = CHORUS_IOERR_FSYNC;
    if (rc == CHORUS_OK && mv_log_io_calls.rename(tmp, mv_log_path(log)) != 0)
        rc = CHORUS_IOERR_WRITE;
    if (rc != CHORUS_OK) {
        mv_log_gate_cancel(log, old_salt);
        return rc;
    }
    rc = dir_sync(mv_log_path(log));    /* RW2 */
    mv_log_gate_leave(log, w->fd, w->end, rc);
    if (rc == CHORUS_OK) {
        mv_log_set_cut_ts(log, w->upto_ts);
        w->fd = -1;                     /* the log owns it now */
    }
    return rc;
}

int
mv_log_truncate(mv_log *log, uint64_t upto_ts, mv_log_truncation *out)
{
    rewrite w = {-1, mv_log_salt_new(), upto_ts, MV_LOG_HEADER_SIZE, NULL, 0, out};
    uint8_t hdr[MV_LOG_HEADER_SIZE];
    char *tmp = new_path(mv_log_path(log));
    uint64_t old_salt;
    int64_t written;
    int old_fd, rc = CHORUS_OK;

    memset(out, 0, sizeof *out);
    if (tmp == NULL)
        return CHORUS_NOMEM;
    /* 1 */
    w.fd = mv_log_io_calls.open(tmp, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (w.fd < 0)
        rc = CHORUS_CANTOPEN;
    if (rc == CHORUS_OK) {
        mv_log_header_encode(hdr, w.salt);
        rc = mv_log_pwrite_all(w.fd, hdr, sizeof hdr, 0);
    }
    /* 2: the fd stays open, since only a rewrite (this one) switches it. */
    mv_log_written_extent(log, &old_fd, &old_salt, &written);
    if (rc == CHORUS_OK)
        rc = copy_range(&w, old_fd, old_salt, MV_LOG_HEADER_SIZE, written);
    /* 3, 4 */
    if (rc == CHORUS_OK)
        rc = switch_over(log, &w, tmp, written, old_salt);
    if (w.fd >= 0) {                    /* not handed over: drop the new file */
        close(w.fd);
        unlink(tmp);
    }
    if (rc == CHORUS_OK)
        out->bytes_after = w.end;
    free(w.copy);
    free(tmp);
    return rc;
}
