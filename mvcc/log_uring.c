/*
 * mvcc/log_uring.c: the io_uring backend of the log writer (MVCC.md §4.1).
 *
 * One batch is one linked chain: a write, then (when asked) an fsync with
 * IORING_FSYNC_DATASYNC, with IOSQE_IO_LINK so the fsync runs only after the
 * write completed. A short write breaks the chain (the fsync completes with
 * -ECANCELED); the rest is then submitted again. One chain is in flight at a
 * time, so acknowledgement order is trivially the write order.
 *
 * Every completion's result passes through the I/O seam (log_io.h) before
 * it is acted on, so tests can turn it into a failure or a short write.
 * A failure leaves errno saying why (log_io.h IO3).
 *
 * io_uring may be missing or refused (old kernel, seccomp in containers,
 * io_uring_disabled): mv_uring_open() then fails and the writer falls back
 * to pwrite + fdatasync. Built without liburing, it always fails.
 *
 * Locking: none; only the log's one leader uses the ring (log_writer.c W2).
 * Ownership: mv_uring owns its ring. Callers: mvcc/log_writer.c.
 */
#include <errno.h>
#include <stdlib.h>

#include "log_io.h"
#include "mvcc_int.h"

#ifdef CHORUS_HAVE_URING
#include <liburing.h>

struct mv_uring {
    struct io_uring ring;
};

int
mv_uring_open(mv_uring **out)
{
    mv_uring *u = malloc(sizeof *u);

    *out = NULL;
    if (u == NULL)
        return CHORUS_NOMEM;
    if (io_uring_queue_init(8, &u->ring, 0) < 0) {
        free(u);
        return CHORUS_CANTOPEN;     /* ENOSYS, EPERM: the caller falls back */
    }
    *out = u;
    return CHORUS_OK;
}

void
mv_uring_close(mv_uring *u)
{
    if (u == NULL)
        return;
    io_uring_queue_exit(&u->ring);
    free(u);
}

/* Queues the chain; returns the number of entries queued. */
static unsigned
chain_prepare(mv_uring *u, int fd, const void *buf, size_t n, int64_t off, bool sync)
{
    struct io_uring_sqe *sqe;
    unsigned count = 0;

    if (n > 0) {
        sqe = io_uring_get_sqe(&u->ring);
        io_uring_prep_write(sqe, fd, buf, (unsigned)n, (uint64_t)off);
        io_uring_sqe_set_data64(sqe, MV_LOG_IO_WRITE);
        if (sync)
            sqe->flags |= IOSQE_IO_LINK;
        count++;
    }
    if (sync) {
        sqe = io_uring_get_sqe(&u->ring);
        io_uring_prep_fsync(sqe, fd, IORING_FSYNC_DATASYNC);
        io_uring_sqe_set_data64(sqe, MV_LOG_IO_FSYNC);
        count++;
    }
    return count;
}

int
mv_uring_write(mv_uring *u, int fd, const void *buf, size_t n, int64_t off, bool sync)
{
    const uint8_t *p = buf;
    bool synced = !sync;

    while (n > 0 || !synced) {
        size_t chunk = n > (1u << 30) ? (1u << 30) : n;
        unsigned count = chain_prepare(u, fd, p, chunk, off, !synced);
        int rc = io_uring_submit_and_wait(&u->ring, count);
        if (rc < 0 && rc != -EINTR) {
            errno = -rc;                        /* log_io.h IO3 */
            return CHORUS_IOERR_WRITE;
        }
        for (unsigned i = 0; i < count; i++) {
            struct io_uring_cqe *cqe;
            rc = io_uring_wait_cqe(&u->ring, &cqe);
            if (rc < 0) {
                errno = -rc;
                return CHORUS_IOERR_WRITE;
            }
            mv_log_io_op what = (mv_log_io_op)io_uring_cqe_get_data64(cqe);
            int res = mv_log_io_calls.uring_result(what, fd, what == MV_LOG_IO_WRITE ? chunk : 0,
                                                   cqe->res);
            io_uring_cqe_seen(&u->ring, cqe);
            if (what == MV_LOG_IO_WRITE) {
                if (res < 0 && res != -EINTR && res != -EAGAIN) {
                    errno = -res;
                    return res == -ENOSPC ? CHORUS_FULL : CHORUS_IOERR_WRITE;
                }
                if (res == 0) {
                    errno = EIO;                /* no progress: it would loop for ever */
                    return CHORUS_IOERR_WRITE;
                }
                if (res > 0) {
                    p += res;
                    n -= (size_t)res;
                    off += res;
                }
            } else if (res == 0) {
                synced = (n == 0);
            } else if (res != -ECANCELED) {
                errno = res < 0 ? -res : EIO;
                return CHORUS_IOERR_FSYNC;
            }
        }
    }
    return CHORUS_OK;
}

#else /* !CHORUS_HAVE_URING */

struct mv_uring {
    int unused;
};

int
mv_uring_open(mv_uring **out)
{
    *out = NULL;
    return CHORUS_CANTOPEN;
}

void
mv_uring_close(mv_uring *u)
{
    (void)u;
}

int
mv_uring_write(mv_uring *u, int fd, const void *buf, size_t n, int64_t off, bool sync)
{
    (void)u; (void)fd; (void)buf; (void)n; (void)off; (void)sync;
    errno = ENOSYS;
    return CHORUS_IOERR_WRITE;
}

#endif
