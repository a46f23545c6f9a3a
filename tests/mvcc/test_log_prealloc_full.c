/*
 * tests/mvcc/test_log_prealloc_full.c: log_writer.c W10 on a disk about to
 * fill up. The I/O seam (mvcc/log_io.h) models a file system with a budget
 * of 4 KiB blocks: a write allocates the blocks it touches while the budget
 * lasts (then writes what fits, then ENOSPC), a truncate frees the blocks
 * past the new size. A syncing batch whose own bytes fit the budget must
 * commit: the zero fill ahead of it, failing, may not keep the blocks the
 * batch needs.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "log_io.h"
#include "mvcc.h"
#include "test_support.h"

enum { BLOCK = 4096, MAX_BLOCKS = 1024, BUDGET = 4 };

static bool allocated[MAX_BLOCKS];
static int n_allocated;

static ssize_t
budget_pwrite(int fd, const void *buf, size_t nbytes, off_t offset)
{
    size_t fits = 0;

    while (fits < nbytes) {
        int64_t b = (offset + (off_t)fits) / BLOCK;
        if (b >= MAX_BLOCKS)
            break;
        if (!allocated[b]) {
            if (n_allocated == BUDGET)
                break;
            allocated[b] = true;
            n_allocated++;
        }
        fits += (size_t)((b + 1) * BLOCK - (offset + (off_t)fits));
    }
    if (fits > nbytes)
        fits = nbytes;
    if (fits == 0) {
        errno = ENOSPC;
        return -1;
    }
    return pwrite(fd, buf, fits, offset);
}

static int
budget_ftruncate(int fd, off_t length)
{
    for (int64_t b = (length + BLOCK - 1) / BLOCK; b < MAX_BLOCKS; b++)
        if (allocated[b]) {
            allocated[b] = false;
            n_allocated--;
        }
    return ftruncate(fd, length);
}

static int
teardown(void **state)
{
    (void)state;
    mv_log_io_install(NULL);
    test_tmpdir_remove();
    return 0;
}

static void
test_a_batch_that_fits_commits_though_its_fill_does_not(void **state)
{
    mv_log_io io = mv_log_io_system;
    mv_log_options opts = {.use_uring = 0, .normal_sync_bytes = 0};
    static uint8_t row[3 * BLOCK - 200];       /* the frame spans blocks 0 to 2 */
    mv_log_record rec = {MV_LOG_ROW_PUT, 7, 1, row, sizeof row, NULL, 0};
    mv_log_recovery found;
    mv_log *log;
    char path[512];
    (void)state;

    memset(allocated, 0, sizeof allocated);
    n_allocated = 0;
    io.pwrite = budget_pwrite;
    io.ftruncate = budget_ftruncate;
    mv_log_io_install(&io);
    memset(row, 'r', sizeof row);
    test_tmpdir();
    test_path(path, sizeof path, "db-log");
    assert_int_equal(mv_log_open(path, &opts, NULL, NULL, &found, &log), CHORUS_OK);
    /* 3 blocks of the 4 hold the header and the frame */
    assert_int_equal(mv_log_append(log, 10, &rec, 1, MV_SYNC_FULL), CHORUS_OK);
    assert_int_equal(mv_log_close(log), CHORUS_OK);
    assert_int_equal(mv_log_recover(path, NULL, NULL, &found), CHORUS_OK);
    assert_false(found.torn_tail);
    assert_true(found.end_offset > 2 * BLOCK);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_teardown(test_a_batch_that_fits_commits_though_its_fill_does_not,
                                  teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
