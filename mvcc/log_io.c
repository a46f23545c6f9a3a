/*
 * mvcc/log_io.c: the logical log's I/O seam (log_io.h): the table of system
 * calls the log makes on <db>-log, the real ones by default, replaced by
 * tests that inject faults; the one write loop every log writer uses; and
 * the message that names a failed call.
 *
 * Invariants IO1 (log_io.h): replaced only while no log is open; IO3: every
 * failure leaves errno set.
 * Callers: mvcc/log_writer.c, mvcc/log_uring.c; tests.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "common.h"
#include "log_io.h"

static int
system_open(const char *path, int flags, mode_t mode)
{
    return open(path, flags, mode);
}

static int
system_uring_result(mv_log_io_op op, int fd, size_t nbytes, int res)
{
    (void)op;
    (void)fd;
    (void)nbytes;
    return res;
}

/* One initializer for both tables: the default is the real calls. */
#define SYSTEM_CALLS                                                                    \
    {                                                                                   \
        .open = system_open, .pwrite = pwrite, .fdatasync = fdatasync,                  \
        .ftruncate = ftruncate, .rename = rename, .uring_result = system_uring_result,  \
    }

const mv_log_io mv_log_io_system = SYSTEM_CALLS;
mv_log_io mv_log_io_calls = SYSTEM_CALLS;

void
mv_log_io_install(const mv_log_io *io)
{
    mv_log_io_calls = io != NULL ? *io : mv_log_io_system;
}

int
mv_log_pwrite_all(int fd, const void *p, size_t n, int64_t off)
{
    const uint8_t *at = p;

    while (n > 0) {
        ssize_t w = mv_log_io_calls.pwrite(fd, at, n, off);
        if (w < 0) {
            if (errno == EINTR)
                continue;
            return errno == ENOSPC ? CHORUS_FULL : CHORUS_IOERR_WRITE;
        }
        if (w == 0) {
            errno = EIO;                /* IO3: no progress */
            return CHORUS_IOERR_WRITE;
        }
        at += w;
        n -= (size_t)w;
        off += w;
    }
    return CHORUS_OK;
}

char *
mv_log_io_errmsg(int rc, int err, const char *path)
{
    const char *what = "writing";

    if (rc == CHORUS_IOERR_FSYNC)
        what = "syncing";
    else if (rc == CHORUS_IOERR_TRUNCATE)
        what = "truncating";
    return common_mprintf("%s: %s the MVCC log %s: %s",
                          rc == CHORUS_FULL ? "database or disk is full" : "disk I/O error", what,
                          path, strerror(err));
}
