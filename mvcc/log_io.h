/*
 * mvcc/log_io.h: the logical log's I/O seam.
 *
 * The log writes through a raw file descriptor (io_uring needs one), not the
 * os VFS, so its faults cannot be injected there. Instead every system call
 * the log makes on <db>-log goes through the table mv_log_io_calls: the
 * pwrite/fdatasync backend calls its pwrite and fdatasync, opening and
 * cutting the file its open and ftruncate, renaming its rename, and the
 * io_uring backend hands each completion's result to uring_result before it
 * acts on it (the kernel did the I/O; the hook may report something else: a
 * failure, a shorter write). Calling through the table is one indirect call.
 *
 * Rules
 *   IO1 The table is replaced (mv_log_io_install) only while no log is open
 *       and no thread uses one: it is read without synchronisation, so the
 *       happens-before edge is whatever orders the install before the open
 *       (program order, thread creation).
 *   IO2 A replacement keeps the POSIX contract of each call (-1 and errno
 *       for the calls; -errno for uring_result), so the log's error mapping
 *       is the one exercised: ENOSPC -> CHORUS_FULL, a failed write ->
 *       CHORUS_IOERR_WRITE, a failed sync -> CHORUS_IOERR_FSYNC, a failed
 *       truncate -> CHORUS_IOERR_TRUNCATE.
 *   IO3 Every CHORUS_IOERR_* or CHORUS_FULL that the log's I/O returns
 *       leaves errno saying why (a write that makes no progress: EIO), so
 *       the log can name the cause in its message (mv_log_io_errmsg).
 *
 * Callers: mvcc/log_writer.c, log_rewrite.c, log_uring.c; tests install faults.
 */
#ifndef CHORUS_MVCC_LOG_IO_H
#define CHORUS_MVCC_LOG_IO_H

#include <stdint.h>
#include <sys/types.h>

/* What an io_uring completion was for. */
typedef enum mv_log_io_op {
    MV_LOG_IO_WRITE = 1,
    MV_LOG_IO_FSYNC = 2
} mv_log_io_op;

typedef struct mv_log_io {
    int (*open)(const char *path, int flags, mode_t mode);
    ssize_t (*pwrite)(int fd, const void *buf, size_t nbytes, off_t offset);
    int (*fdatasync)(int fd);
    int (*ftruncate)(int fd, off_t length);
    int (*rename)(const char *from, const char *to);
    /* An io_uring completion: res as the kernel returned it (bytes written,
     * 0, or -errno), for nbytes asked; returns the result the backend uses. */
    int (*uring_result)(mv_log_io_op op, int fd, size_t nbytes, int res);
} mv_log_io;

/* The calls the log makes now (IO1). */
extern mv_log_io mv_log_io_calls;

/* The real system calls. */
extern const mv_log_io mv_log_io_system;

/* Writes all n bytes at off through mv_log_io_calls.pwrite, going on after
 * short writes and EINTR: CHORUS_OK, CHORUS_FULL (ENOSPC) or
 * CHORUS_IOERR_WRITE (any other failure, or a write of 0 bytes). */
int mv_log_pwrite_all(int fd, const void *p, size_t n, int64_t off);

/* The message of a log I/O failure rc (IO3: err is the errno it left), e.g.
 * "disk I/O error: writing the MVCC log <path>: Input/output error";
 * malloc()ed, NULL on no memory. */
char *mv_log_io_errmsg(int rc, int err, const char *path);

/* Replaces the table (IO1); NULL restores mv_log_io_system. */
void mv_log_io_install(const mv_log_io *io);

#endif /* CHORUS_MVCC_LOG_IO_H */
