/*
 * tests/core/pager/test_checkpoint.c: checkpoints and WAL restarts
 * (core/pager/checkpoint.c; README R4, R5, R14).
 */
#include "pager_fixture.h"

/* Commits one transaction setting byte 0 of page pgno to v, appending
 * pages as needed. */
static void
put(pager *p, uint32_t pgno, int v)
{
    pager_tx *tx;
    uint8_t byte = (uint8_t)v;

    assert_int_equal(pager_tx_begin_write(p, 0, NULL, &tx), CHORUS_OK);
    assert_int_equal(pages_grow(tx, pgno, 0), CHORUS_OK);
    assert_int_equal(page_put(tx, pgno, 0, &byte, 1), CHORUS_OK);
    assert_int_equal(pager_tx_commit(tx), CHORUS_OK);
}

static void
test_autocheckpoint_runs_when_the_wal_reaches_the_limit(void **state)
{
    pager *p = open_pager(db_path, 1024, CHORUS_OK);

    pager_set_autocheckpoint(p, 11);
    for (int i = 0; i < 9; i++)
        put(p, 2, i);
    assert_int_equal(pager_wal_frames(p), 9 + 1);       /* the first commit also wrote page 1 */
    put(p, 2, 100);
    assert_int_equal(pager_wal_frames(p), 0);
    put(p, 2, 101);                                      /* restarts the WAL (R4) */
    assert_int_equal(pager_wal_frames(p), 1);
    assert_true(file_size(wal_path) < 32 + 12 * (24 + 1024));
    assert_int_equal(pager_close(p), CHORUS_OK);
}

static void
test_checkpoint_stops_at_the_oldest_reader(void **state)
{
    pager *p = open_pager(db_path, 1024, CHORUS_OK);
    pager_tx *r;
    int frames, done;

    pager_set_autocheckpoint(p, 0);
    put(p, 2, 1);
    assert_int_equal(pager_tx_begin_read(p, &r), CHORUS_OK);
    put(p, 2, 2);
    put(p, 3, 3);
    assert_int_equal(pager_checkpoint(p, PAGER_CKPT_PASSIVE, &frames, &done), CHORUS_OK);
    assert_int_equal(frames, 4);
    assert_int_equal(done, 2);          /* the reader's end mark */
    assert_int_equal(page_byte(r, 2), 1);
    assert_int_equal(pager_tx_page_count(r), 2);
    pager_tx_rollback(r);
    assert_int_equal(pager_checkpoint(p, PAGER_CKPT_PASSIVE, &frames, &done), CHORUS_OK);
    assert_int_equal(done, 4);
    assert_int_equal(pager_tx_begin_read(p, &r), CHORUS_OK);
    assert_int_equal(page_byte(r, 2), 2);
    assert_int_equal(page_byte(r, 3), 3);
    pager_tx_rollback(r);
    assert_int_equal(pager_close(p), CHORUS_OK);
}

static void
test_full_checkpoint_is_busy_while_a_reader_is_behind(void **state)
{
    pager *p = open_pager(db_path, 1024, CHORUS_OK);
    pager_tx *r;
    int frames, done;

    pager_set_autocheckpoint(p, 0);
    pager_set_checkpoint_busy_timeout(p, 20);
    put(p, 2, 1);
    assert_int_equal(pager_tx_begin_read(p, &r), CHORUS_OK);
    put(p, 2, 2);
    assert_int_equal(pager_checkpoint(p, PAGER_CKPT_FULL, &frames, &done), CHORUS_BUSY);
    assert_int_equal(done, 2);
    pager_tx_rollback(r);
    assert_int_equal(pager_checkpoint(p, PAGER_CKPT_FULL, &frames, &done), CHORUS_OK);
    assert_int_equal(done, frames);
    assert_int_equal(pager_close(p), CHORUS_OK);
}

static void
test_full_checkpoint_is_busy_while_a_writer_is_open(void **state)
{
    pager *p = open_pager(db_path, 1024, CHORUS_OK);
    pager_tx *w;

    pager_set_checkpoint_busy_timeout(p, 20);
    put(p, 2, 1);
    assert_int_equal(pager_tx_begin_write(p, 0, NULL, &w), CHORUS_OK);
    assert_int_equal(pager_checkpoint(p, PAGER_CKPT_FULL, NULL, NULL), CHORUS_BUSY);
    assert_int_equal(pager_checkpoint(p, PAGER_CKPT_PASSIVE, NULL, NULL), CHORUS_OK);
    pager_tx_rollback(w);
    assert_int_equal(pager_close(p), CHORUS_OK);
}

static void
test_truncate_checkpoint_empties_the_wal_file(void **state)
{
    pager *p = open_pager(db_path, 1024, CHORUS_OK);
    pager_tx *r;

    pager_set_autocheckpoint(p, 0);
    for (int i = 0; i < 5; i++)
        put(p, 2 + i, i + 1);
    assert_true(file_size(wal_path) > 0);
    assert_int_equal(pager_checkpoint(p, PAGER_CKPT_TRUNCATE, NULL, NULL), CHORUS_OK);
    assert_int_equal(file_size(wal_path), 0);
    assert_int_equal(pager_wal_frames(p), 0);
    assert_int_equal(file_size(db_path), 6 * 1024);
    put(p, 2, 77);
    assert_int_equal(pager_tx_begin_read(p, &r), CHORUS_OK);
    assert_int_equal(page_byte(r, 2), 77);
    assert_int_equal(page_byte(r, 6), 5);
    pager_tx_rollback(r);
    assert_int_equal(pager_close(p), CHORUS_OK);
    assert_int_equal(file_size(wal_path), -1);
}

static void
test_restart_checkpoint_rewinds_the_wal(void **state)
{
    pager *p = open_pager(db_path, 1024, CHORUS_OK);
    pager_tx *r;
    int frames, done;

    pager_set_autocheckpoint(p, 0);
    for (int i = 0; i < 5; i++)
        put(p, 2, i + 1);
    assert_int_equal(pager_checkpoint(p, PAGER_CKPT_RESTART, &frames, &done), CHORUS_OK);
    assert_int_equal(frames, 0);
    put(p, 2, 9);
    assert_int_equal(pager_checkpoint(p, PAGER_CKPT_PASSIVE, &frames, &done), CHORUS_OK);
    assert_int_equal(frames, 1);
    assert_int_equal(pager_tx_begin_read(p, &r), CHORUS_OK);
    assert_int_equal(page_byte(r, 2), 9);
    pager_tx_rollback(r);
    assert_int_equal(pager_close(p), CHORUS_OK);
}

/* R4/R5: a reader whose snapshot was fully backfilled keeps it when a
 * writer restarts the WAL, and the next checkpoint leaves the file alone
 * while that reader lives. */
static void
test_reader_survives_a_wal_restart(void **state)
{
    pager *p = open_pager(db_path, 1024, CHORUS_OK);
    pager_tx *r, *r2;
    int frames, done;

    pager_set_autocheckpoint(p, 0);
    put(p, 2, 1);
    put(p, 3, 1);
    assert_int_equal(pager_checkpoint(p, PAGER_CKPT_PASSIVE, NULL, NULL), CHORUS_OK);
    assert_int_equal(pager_tx_begin_read(p, &r), CHORUS_OK);
    put(p, 2, 2);                       /* restarts the WAL: generation 2 */
    put(p, 3, 2);
    assert_int_equal(pager_checkpoint(p, PAGER_CKPT_PASSIVE, &frames, &done), CHORUS_OK);
    assert_int_equal(frames, 2);
    assert_int_equal(done, 0);
    assert_int_equal(page_byte(r, 2), 1);
    assert_int_equal(page_byte(r, 3), 1);
    assert_int_equal(pager_tx_begin_read(p, &r2), CHORUS_OK);
    assert_int_equal(page_byte(r2, 2), 2);
    pager_tx_rollback(r);
    assert_int_equal(pager_checkpoint(p, PAGER_CKPT_PASSIVE, &frames, &done), CHORUS_OK);
    assert_int_equal(done, 2);
    assert_int_equal(page_byte(r2, 3), 2);
    pager_tx_rollback(r2);
    assert_int_equal(pager_close(p), CHORUS_OK);
}

static void
test_checkpoint_truncates_the_file_after_a_shrink(void **state)
{
    pager *p = open_pager(db_path, 1024, CHORUS_OK);
    pager_tx *tx;

    pager_set_autocheckpoint(p, 0);
    put(p, 8, 1);
    assert_int_equal(pager_checkpoint(p, PAGER_CKPT_PASSIVE, NULL, NULL), CHORUS_OK);
    assert_int_equal(file_size(db_path), 8 * 1024);
    assert_int_equal(pager_tx_begin_write(p, 0, NULL, &tx), CHORUS_OK);
    assert_int_equal(pager_tx_truncate(tx, 3), CHORUS_OK);
    assert_int_equal(pager_tx_commit(tx), CHORUS_OK);
    assert_int_equal(pager_checkpoint(p, PAGER_CKPT_PASSIVE, NULL, NULL), CHORUS_OK);
    assert_int_equal(file_size(db_path), 3 * 1024);
    assert_int_equal(pager_close(p), CHORUS_OK);
}

/* R14 order, few calls: a run of consecutive pages whose frames are cached
 * is written with one write, and no frame is read back from the WAL. */
static void
test_checkpoint_writes_a_run_of_cached_pages_at_once(void **state)
{
    pager_config cfg = { .vfs = os_fault_vfs(os_vfs_memory()), .create = true, .page_size = 1024 };
    pager *p = NULL;
    pager_tx *tx;
    int rc;

    assert_int_equal(pager_open("run.db", &cfg, &p, NULL), CHORUS_OK);
    pager_set_autocheckpoint(p, 0);
    assert_int_equal(pager_tx_begin_write(p, 0, NULL, &tx), CHORUS_OK);
    rc = pages_grow(tx, 30, 0);
    for (uint32_t pgno = 1; pgno <= 30 && rc == CHORUS_OK; pgno++)
        rc = page_put32(tx, pgno, 4, pgno);
    assert_int_equal(tx_end(tx, rc), CHORUS_OK);
    os_fault_arm(0, CHORUS_OK, 0);      /* count I/O calls, fail none */
    assert_int_equal(pager_checkpoint(p, PAGER_CKPT_PASSIVE, NULL, NULL), CHORUS_OK);
    /* sync WAL, one write, size, sync database file */
    assert_true(os_fault_calls() <= 4);
    os_fault_disarm();
    assert_int_equal(pager_tx_begin_read(p, &tx), CHORUS_OK);
    for (uint32_t pgno = 1; pgno <= 30; pgno++)
        assert_int_equal(page_get32(tx, pgno, 4), pgno);
    pager_tx_rollback(tx);
    assert_int_equal(pager_close(p), CHORUS_OK);
    os_vfs_memory()->remove(os_vfs_memory(), "run.db");
    os_vfs_memory()->remove(os_vfs_memory(), "run.db-wal");
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        PAGER_TEST(test_autocheckpoint_runs_when_the_wal_reaches_the_limit),
        PAGER_TEST(test_checkpoint_stops_at_the_oldest_reader),
        PAGER_TEST(test_full_checkpoint_is_busy_while_a_reader_is_behind),
        PAGER_TEST(test_full_checkpoint_is_busy_while_a_writer_is_open),
        PAGER_TEST(test_truncate_checkpoint_empties_the_wal_file),
        PAGER_TEST(test_restart_checkpoint_rewinds_the_wal),
        PAGER_TEST(test_reader_survives_a_wal_restart),
        PAGER_TEST(test_checkpoint_truncates_the_file_after_a_shrink),
        PAGER_TEST(test_checkpoint_writes_a_run_of_cached_pages_at_once),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
