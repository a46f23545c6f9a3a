/*
 * tests/core/pager/test_pager_fault.c: the pager under injected I/O
 * failures (core/os/fault.c). One body (open, commits, a checkpoint,
 * close) runs with the failure at I/O call 1, 2, 3, ... until it completes
 * untouched; after each run the files, reopened without faults, must hold a
 * whole prefix of the body's commits (README R2, R14).
 */
#include "pager_fixture.h"

enum { PS = 512, N_COMMITS = 6 };

static const char *DB = "fault.db";

/* Commit c sets byte 100 of page 2 and of page 2 + c to c (appending). */
static int
commit_counter(pager *p, int c)
{
    pager_tx *tx;
    uint8_t byte = (uint8_t)c;
    int rc = pager_tx_begin_write(p, 0, NULL, &tx);

    if (rc != CHORUS_OK)
        return rc;
    rc = pages_grow(tx, (uint32_t)(2 + c), PS);
    for (uint32_t pgno = 2; rc == CHORUS_OK && pgno <= (uint32_t)(2 + c); pgno += (uint32_t)c)
        rc = page_put(tx, pgno, 100, &byte, 1);
    return tx_end(tx, rc);
}

/* The body: returns the number of commits acknowledged. */
static int
body(os_vfs *vfs)
{
    pager_config cfg = { .vfs = vfs, .create = true, .page_size = PS };
    pager *p;
    int acked = 0;

    if (pager_open(DB, &cfg, &p, NULL) != CHORUS_OK)
        return 0;
    pager_set_autocheckpoint(p, 4);
    for (int c = 1; c <= N_COMMITS; c++) {
        if (commit_counter(p, c) != CHORUS_OK)
            break;
        acked = c;
        if (c == 3)
            pager_checkpoint(p, PAGER_CKPT_TRUNCATE, NULL, NULL);
    }
    pager_close(p);
    return acked;
}

/* Checks the files without faults; returns the last whole commit found. */
static int
check(int acked)
{
    pager_config cfg = { .vfs = os_vfs_memory(), .page_size = PS };
    pager *p;
    pager_tx *tx;
    uint8_t c = 0, last;

    assert_int_equal(pager_open(DB, &cfg, &p, NULL), CHORUS_OK);
    assert_int_equal(pager_tx_begin_read(p, &tx), CHORUS_OK);
    if (pager_tx_page_count(tx) >= 2) {
        page_read(tx, 2, 100, &c, 1);
        assert_int_equal(pager_tx_page_count(tx), 2 + c);
        page_read(tx, 2 + (uint32_t)c, 100, &last, 1);
        assert_int_equal(last, c);
    }
    pager_tx_rollback(tx);
    assert_int_equal(pager_close(p), CHORUS_OK);
    /* memory files never lose synced or unsynced data, so every
     * acknowledged commit must be there */
    assert_true(c >= acked);
    return c;
}

static void
remove_files(void)
{
    os_vfs *m = os_vfs_memory();
    m->remove(m, DB);
    m->remove(m, "fault.db-wal");
}

static void
run_all_fault_points(int rc_code, int persistent)
{
    os_vfs *vfs = os_fault_vfs(os_vfs_memory());
    int64_t at;

    for (at = 1; at < 10000; at++) {
        int acked;
        remove_files();
        os_fault_arm(at, rc_code, persistent);
        acked = body(vfs);
        os_fault_disarm();
        check(acked);
        if (os_fault_hits() == 0) {
            assert_int_equal(acked, N_COMMITS);
            break;
        }
    }
    assert_true(at > 10);
    remove_files();
}

static void
test_every_single_io_failure_leaves_a_whole_prefix(void **state)
{
    run_all_fault_points(CHORUS_IOERR_WRITE, 0);
}

static void
test_persistent_io_failure_leaves_a_whole_prefix(void **state)
{
    run_all_fault_points(CHORUS_IOERR, 1);
}

static void
test_short_writes_leave_a_whole_prefix(void **state)
{
    run_all_fault_points(CHORUS_FULL | OS_FAULT_SHORT_WRITE, 1);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_every_single_io_failure_leaves_a_whole_prefix),
        cmocka_unit_test(test_persistent_io_failure_leaves_a_whole_prefix),
        cmocka_unit_test(test_short_writes_leave_a_whole_prefix),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
