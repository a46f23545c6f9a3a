/*
 * mvcc/log_io.c: the logical log's I/O seam (log_io.h): the table of system
 * calls the log makes on <db>-log, the real ones by default, replaced by
 * tests that inject faults.
 *
 * Invariant IO1 (log_io.h): replaced only while no log is open.
 * Callers: mvcc/log_writer.c, mvcc/log_uring.c; tests.
 */
#include <fcntl.h>
#include <stdio.h>
#include <unistd.h>

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
