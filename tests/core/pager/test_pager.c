/*
 * tests/core/pager/test_pager.c: transactions, pages, snapshots, savepoints,
 * the writer lock and reopening (core/pager/pager.c and tx.c; rules from
 * core/pager/README.md).
 *
 * Pages here are raw bytes: page 1 carries no SQLite header unless a test
 * writes one, so the pager's header upkeep (R11, R12, R15) stays out of the
 * way except in the tests that name it.
 */
#include <pthread.h>
#include <unistd.h>

#include "pager_fixture.h"

/* Appends n pages, each filled with byte (fill + pgno); page 1 gets a
 * database header instead. */
static void
append_pages(pager *p, int n, int fill)
{
    pager_tx *tx;
    assert_int_equal(pager_tx_begin_write(p, 0, NULL, &tx), CHORUS_OK);
    for (int i = 0; i < n; i++) {
        pager_page *pg;
        assert_int_equal(pager_page_append(tx, &pg), CHORUS_OK);
        memset(pg->data, (fill + (int)pg->pgno) & 0xff, pager_page_size(p));
        if (pg->pgno == 1)
            format_page1(pg->data, pager_page_size(p));
        pager_page_release(pg);
    }
    assert_int_equal(pager_tx_commit(tx), CHORUS_OK);
}

/* Sets every byte of page pgno to v in its own transaction. */
static void
write_page(pager *p, uint32_t pgno, int v)
{
    pager_tx *tx;
    pager_page *pg;
    assert_int_equal(pager_tx_begin_write(p, 0, NULL, &tx), CHORUS_OK);
    assert_int_equal(pager_page_get(tx, pgno, &pg), CHORUS_OK);
    assert_int_equal(pager_page_write(pg), CHORUS_OK);
    memset(pg->data, v, pager_page_size(p));
    pager_page_release(pg);
    assert_int_equal(pager_tx_commit(tx), CHORUS_OK);
}

static void
test_new_database_has_no_pages(void **state)
{
    pager *p = open_pager(db_path, 0, CHORUS_OK);
    pager_tx *tx;
    pager_page *pg;

    assert_int_equal(pager_page_size(p), 4096);
    assert_int_equal(pager_tx_begin_read(p, &tx), CHORUS_OK);
    assert_int_equal(pager_tx_page_count(tx), 0);
    assert_int_equal(pager_page_get(tx, 1, &pg), CHORUS_CORRUPT);
    assert_null(pg);
    pager_tx_rollback(tx);
    assert_int_equal(pager_close(p), CHORUS_OK);
}

static void
test_committed_pages_are_read_back(void **state)
{
    pager *p = open_pager(db_path, 0, CHORUS_OK);
    pager_tx *tx;

    append_pages(p, 3, 10);
    assert_int_equal(pager_tx_begin_read(p, &tx), CHORUS_OK);
    assert_int_equal(pager_tx_page_count(tx), 3);
    assert_int_equal(page_byte(tx, 1), 'S');
    for (uint32_t i = 2; i <= 3; i++)
        assert_int_equal(page_byte(tx, i), 10 + (int)i);
    pager_tx_rollback(tx);
    assert_int_equal(pager_close(p), CHORUS_OK);
}

static void
test_rollback_discards_changes(void **state)
{
    pager *p = open_pager(db_path, 0, CHORUS_OK);
    pager_tx *tx;
    pager_page *pg;

    append_pages(p, 2, 0);
    assert_int_equal(pager_tx_begin_write(p, 0, NULL, &tx), CHORUS_OK);
    assert_int_equal(pager_page_get(tx, 2, &pg), CHORUS_OK);
    assert_int_equal(pager_page_write(pg), CHORUS_OK);
    memset(pg->data, 0x77, 16);
    pager_page_release(pg);
    assert_int_equal(pager_page_append(tx, &pg), CHORUS_OK);
    pager_page_release(pg);
    pager_tx_rollback(tx);
    assert_int_equal(pager_tx_begin_read(p, &tx), CHORUS_OK);
    assert_int_equal(pager_tx_page_count(tx), 2);
    assert_int_equal(page_byte(tx, 2), 2);
    pager_tx_rollback(tx);
    assert_int_equal(pager_close(p), CHORUS_OK);
}

static void
test_one_handle_per_page_within_a_transaction(void **state)
{
    pager *p = open_pager(db_path, 0, CHORUS_OK);
    pager_tx *tx;
    pager_page *a, *b;

    append_pages(p, 1, 0);
    assert_int_equal(pager_tx_begin_write(p, 0, NULL, &tx), CHORUS_OK);
    assert_int_equal(pager_page_get(tx, 1, &a), CHORUS_OK);
    assert_int_equal(pager_page_get(tx, 1, &b), CHORUS_OK);
    assert_ptr_equal(a, b);
    assert_int_equal(pager_page_write(a), CHORUS_OK);
    a->data[0] = 42;
    assert_int_equal(b->data[0], 42);      /* b->data re-read after the write */
    pager_page_release(a);
    pager_page_release(b);
    assert_int_equal(pager_page_get(tx, 1, &a), CHORUS_OK);
    assert_int_equal(a->data[0], 42);      /* a dirty page outlives its references */
    pager_page_release(a);
    assert_int_equal(pager_tx_commit(tx), CHORUS_OK);
    assert_int_equal(pager_close(p), CHORUS_OK);
}

static void
test_extra_lives_while_a_reference_is_held(void **state)
{
    pager *p = open_pager(db_path, 0, CHORUS_OK);
    pager_tx *tx;
    pager_page *a, *b;
    int marker;

    append_pages(p, 3, 0);
    assert_int_equal(pager_tx_begin_read(p, &tx), CHORUS_OK);
    assert_int_equal(pager_page_get(tx, 2, &a), CHORUS_OK);
    assert_null(a->extra);
    a->extra = &marker;
    assert_int_equal(pager_page_get(tx, 2, &b), CHORUS_OK);
    assert_ptr_equal(b->extra, &marker);
    pager_page_release(a);
    assert_ptr_equal(b->extra, &marker);
    pager_page_release(b);
    assert_int_equal(pager_page_get(tx, 2, &a), CHORUS_OK);
    assert_null(a->extra);                  /* fresh after the last release */
    pager_page_release(a);
    pager_tx_rollback(tx);
    assert_int_equal(pager_close(p), CHORUS_OK);
}

static void
test_many_pages_read_in_one_transaction(void **state)
{
    pager *p = open_pager(db_path, 0, CHORUS_OK);
    pager_tx *tx;

    pager_set_cache_bytes(p, 8 * 4096);     /* far fewer than the pages read */
    append_pages(p, 600, 0);
    assert_int_equal(pager_tx_begin_read(p, &tx), CHORUS_OK);
    for (int round = 0; round < 2; round++)
        for (uint32_t i = 2; i <= 600; i++)
            assert_int_equal(page_byte(tx, i), (int)(i & 0xff));
    pager_tx_rollback(tx);
    assert_int_equal(pager_close(p), CHORUS_OK);
}

static void
test_reader_keeps_its_snapshot_across_a_commit(void **state)
{
    pager *p = open_pager(db_path, 0, CHORUS_OK);
    pager_tx *r;

    append_pages(p, 2, 0);
    assert_int_equal(pager_tx_begin_read(p, &r), CHORUS_OK);
    write_page(p, 2, 0x55);
    append_pages(p, 1, 0);
    assert_int_equal(pager_tx_page_count(r), 2);
    assert_int_equal(page_byte(r, 2), 2);
    pager_tx_rollback(r);
    assert_int_equal(pager_tx_begin_read(p, &r), CHORUS_OK);
    assert_int_equal(pager_tx_page_count(r), 3);
    assert_int_equal(page_byte(r, 2), 0x55);
    pager_tx_rollback(r);
    assert_int_equal(pager_close(p), CHORUS_OK);
}

static void
test_second_writer_gets_busy_after_timeout(void **state)
{
    pager *p = open_pager(db_path, 0, CHORUS_OK);
    pager_tx *w1, *w2;

    assert_int_equal(pager_tx_begin_write(p, 0, NULL, &w1), CHORUS_OK);
    assert_int_equal(pager_tx_begin_write(p, 20, NULL, &w2), CHORUS_BUSY);
    assert_null(w2);
    pager_tx_rollback(w1);
    assert_int_equal(pager_tx_begin_write(p, 0, NULL, &w2), CHORUS_OK);
    pager_tx_rollback(w2);
    assert_int_equal(pager_close(p), CHORUS_OK);
}

static void
test_interrupt_stops_a_writer_waiting_for_the_lock(void **state)
{
    pager *p = open_pager(db_path, 0, CHORUS_OK);
    pager_tx *w1, *w2;
    _Atomic int flag = 1;

    assert_int_equal(pager_tx_begin_write(p, 0, NULL, &w1), CHORUS_OK);
    assert_int_equal(pager_tx_begin_write(p, 5000, &flag, &w2), CHORUS_INTERRUPT);
    pager_tx_rollback(w1);
    assert_int_equal(pager_close(p), CHORUS_OK);
}

typedef struct waiter_arg {
    pager *p;
    int rc;
} waiter_arg;

static void *
waiter_main(void *arg)
{
    waiter_arg *a = arg;
    pager_tx *tx;
    a->rc = pager_tx_begin_write(a->p, 5000, NULL, &tx);
    if (a->rc == CHORUS_OK)
        pager_tx_rollback(tx);
    return NULL;
}

static void
test_waiting_writer_gets_the_lock_when_released(void **state)
{
    pager *p = open_pager(db_path, 0, CHORUS_OK);
    pager_tx *w1;
    pthread_t t;
    waiter_arg arg = { .p = p, .rc = -1 };

    assert_int_equal(pager_tx_begin_write(p, 0, NULL, &w1), CHORUS_OK);
    pthread_create(&t, NULL, waiter_main, &arg);
    usleep(20000);
    pager_tx_rollback(w1);
    pthread_join(t, NULL);
    assert_int_equal(arg.rc, CHORUS_OK);
    assert_int_equal(pager_close(p), CHORUS_OK);
}

static void
test_upgrade_of_a_stale_snapshot_is_busy_snapshot(void **state)
{
    pager *p = open_pager(db_path, 0, CHORUS_OK);
    pager_tx *r1, *r2;

    append_pages(p, 1, 0);
    assert_int_equal(pager_tx_begin_read(p, &r1), CHORUS_OK);
    assert_int_equal(pager_tx_begin_read(p, &r2), CHORUS_OK);
    assert_int_equal(pager_tx_upgrade(r1, 0, NULL), CHORUS_OK);
    assert_true(pager_tx_is_write(r1));
    assert_int_equal(pager_tx_commit(r1), CHORUS_OK);   /* nothing written: no commit */
    assert_int_equal(pager_tx_upgrade(r2, 0, NULL), CHORUS_OK);
    {
        pager_page *pg;
        assert_int_equal(pager_page_append(r2, &pg), CHORUS_OK);
        pager_page_release(pg);
    }
    assert_int_equal(pager_tx_begin_read(p, &r1), CHORUS_OK);
    assert_int_equal(pager_tx_commit(r2), CHORUS_OK);
    assert_int_equal(pager_tx_upgrade(r1, 0, NULL), CHORUS_BUSY_SNAPSHOT);
    assert_false(pager_tx_is_write(r1));
    pager_tx_rollback(r1);
    assert_int_equal(pager_close(p), CHORUS_OK);
}

static void
test_read_transaction_cannot_write(void **state)
{
    pager *p = open_pager(db_path, 0, CHORUS_OK);
    pager_tx *r;
    pager_page *pg;

    append_pages(p, 1, 0);
    assert_int_equal(pager_tx_begin_read(p, &r), CHORUS_OK);
    assert_int_equal(pager_page_get(r, 1, &pg), CHORUS_OK);
    assert_int_equal(pager_page_write(pg), CHORUS_READONLY);
    pager_page_release(pg);
    assert_int_equal(pager_page_append(r, &pg), CHORUS_READONLY);
    pager_tx_rollback(r);
    assert_int_equal(pager_close(p), CHORUS_OK);
}

static void
test_reopen_finds_committed_pages_and_no_wal(void **state)
{
    pager *p = open_pager(db_path, 0, CHORUS_OK);
    pager_tx *tx;

    append_pages(p, 5, 3);
    write_page(p, 2, 0x99);
    assert_int_equal(pager_close(p), CHORUS_OK);
    assert_int_not_equal(access(wal_path, F_OK), 0);
    p = open_pager(db_path, 0, CHORUS_OK);
    assert_int_equal(pager_tx_begin_read(p, &tx), CHORUS_OK);
    assert_int_equal(pager_tx_page_count(tx), 5);
    assert_int_equal(page_byte(tx, 2), 0x99);
    assert_int_equal(page_byte(tx, 5), 8);
    pager_tx_rollback(tx);
    assert_int_equal(pager_close(p), CHORUS_OK);
}

static void
test_savepoint_rollback_restores_pages_and_count(void **state)
{
    pager *p = open_pager(db_path, 0, CHORUS_OK);
    pager_tx *tx;
    pager_page *pg;
    int sp1, sp2;

    append_pages(p, 3, 0);
    assert_int_equal(pager_tx_begin_write(p, 0, NULL, &tx), CHORUS_OK);
    assert_int_equal(pager_page_get(tx, 2, &pg), CHORUS_OK);
    assert_int_equal(pager_page_write(pg), CHORUS_OK);
    pg->data[0] = 10;
    assert_int_equal(pager_savepoint_open(tx, &sp1), CHORUS_OK);
    assert_int_equal(pager_page_write(pg), CHORUS_OK);
    pg->data[0] = 11;
    assert_int_equal(pager_savepoint_open(tx, &sp2), CHORUS_OK);
    assert_int_equal(pager_page_write(pg), CHORUS_OK);
    pg->data[0] = 12;
    {
        pager_page *extra;
        assert_int_equal(pager_page_append(tx, &extra), CHORUS_OK);
        pager_page_release(extra);
    }
    assert_int_equal(pager_tx_page_count(tx), 4);
    assert_int_equal(pager_savepoint_rollback(tx, sp2), CHORUS_OK);
    assert_int_equal(pg->data[0], 11);
    assert_int_equal(pager_tx_page_count(tx), 3);
    assert_int_equal(pager_page_write(pg), CHORUS_OK);   /* sp2 stays open */
    pg->data[0] = 13;
    assert_int_equal(pager_savepoint_release(tx, sp2), CHORUS_OK);
    assert_int_equal(pager_savepoint_rollback(tx, sp1), CHORUS_OK);
    assert_int_equal(pg->data[0], 10);
    assert_int_equal(pager_savepoint_release(tx, sp1), CHORUS_OK);
    assert_int_equal(pager_savepoint_release(tx, sp1), CHORUS_MISUSE);
    pager_page_release(pg);
    assert_int_equal(pager_tx_commit(tx), CHORUS_OK);
    assert_int_equal(pager_tx_begin_read(p, &tx), CHORUS_OK);
    assert_int_equal(page_byte(tx, 2), 10);
    assert_int_equal(pager_tx_page_count(tx), 3);
    pager_tx_rollback(tx);
    assert_int_equal(pager_close(p), CHORUS_OK);
}

static void
test_savepoint_rollback_after_release_of_inner_savepoint(void **state)
{
    pager *p = open_pager(db_path, 0, CHORUS_OK);
    pager_tx *tx;
    pager_page *pg;
    int sp1, sp2;

    append_pages(p, 2, 0);
    assert_int_equal(pager_tx_begin_write(p, 0, NULL, &tx), CHORUS_OK);
    assert_int_equal(pager_page_get(tx, 2, &pg), CHORUS_OK);
    assert_int_equal(pager_savepoint_open(tx, &sp1), CHORUS_OK);
    assert_int_equal(pager_savepoint_open(tx, &sp2), CHORUS_OK);
    assert_int_equal(pager_page_write(pg), CHORUS_OK);
    pg->data[0] = 50;
    assert_int_equal(pager_savepoint_release(tx, sp2), CHORUS_OK);
    assert_int_equal(pager_page_write(pg), CHORUS_OK);
    pg->data[0] = 51;
    assert_int_equal(pager_savepoint_rollback(tx, sp1), CHORUS_OK);
    assert_int_equal(pg->data[0], 2);
    pager_page_release(pg);
    pager_tx_rollback(tx);
    assert_int_equal(pager_close(p), CHORUS_OK);
}

static void
test_truncate_shrinks_the_database_at_commit(void **state)
{
    pager *p = open_pager(db_path, 0, CHORUS_OK);
    pager_tx *tx;
    pager_page *pg;

    append_pages(p, 4, 0);
    assert_int_equal(pager_tx_begin_write(p, 0, NULL, &tx), CHORUS_OK);
    assert_int_equal(pager_tx_truncate(tx, 2), CHORUS_OK);
    assert_int_equal(pager_page_get(tx, 3, &pg), CHORUS_CORRUPT);
    assert_int_equal(pager_page_append(tx, &pg), CHORUS_OK);
    assert_int_equal(pg->pgno, 3);
    assert_int_equal(pg->data[0], 0);      /* an appended page starts zeroed */
    pager_page_release(pg);
    assert_int_equal(pager_tx_commit(tx), CHORUS_OK);
    assert_int_equal(pager_tx_begin_read(p, &tx), CHORUS_OK);
    assert_int_equal(pager_tx_page_count(tx), 3);
    assert_int_equal(page_byte(tx, 3), 0);
    pager_tx_rollback(tx);
    assert_int_equal(pager_close(p), CHORUS_OK);
    p = open_pager(db_path, 0, CHORUS_OK);
    assert_int_equal(pager_tx_begin_read(p, &tx), CHORUS_OK);
    assert_int_equal(pager_tx_page_count(tx), 3);
    pager_tx_rollback(tx);
    assert_int_equal(pager_close(p), CHORUS_OK);
}

static void
test_memory_databases_are_private(void **state)
{
    pager_config cfg = { .in_memory = true };
    pager *a, *b;
    pager_tx *tx;

    assert_int_equal(pager_open(":memory:", &cfg, &a, NULL), CHORUS_OK);
    assert_int_equal(pager_open(":memory:", &cfg, &b, NULL), CHORUS_OK);
    append_pages(a, 2, 0);
    assert_int_equal(pager_tx_begin_read(b, &tx), CHORUS_OK);
    assert_int_equal(pager_tx_page_count(tx), 0);
    pager_tx_rollback(tx);
    assert_int_equal(pager_tx_begin_read(a, &tx), CHORUS_OK);
    assert_int_equal(pager_tx_page_count(tx), 2);
    pager_tx_rollback(tx);
    assert_int_equal(pager_close(a), CHORUS_OK);
    assert_int_equal(pager_close(b), CHORUS_OK);
}

/* Writes a valid database header for page size ps claiming n_pages pages
 * into a memory-VFS file named name (page 1 only; the rest reads as zeros). */
static void
make_memory_db(const char *name, uint32_t ps, uint32_t n_pages)
{
    os_vfs *vfs = os_vfs_memory();
    os_file *f;
    uint8_t hdr[112];

    format_page1(hdr, ps);
    hdr[18] = hdr[19] = 2;          /* WAL mode */
    put32(hdr + 28, n_pages);
    assert_int_equal(vfs->open(vfs, name, OS_OPEN_CREATE, &f), CHORUS_OK);
    assert_int_equal(os_write(f, hdr, 100, 0), CHORUS_OK);
    assert_int_equal(os_truncate(f, ps), CHORUS_OK);
    os_close(f);
}

static void
test_lock_byte_page_is_skipped_by_append(void **state)
{
    pager_config cfg = { .vfs = os_vfs_memory() };
    pager *p;
    pager_tx *tx;
    pager_page *pg;
    uint32_t lock_page = 0x40000000u / 65536 + 1;

    make_memory_db("lockpage.db", 65536, lock_page - 1);
    assert_int_equal(pager_open("lockpage.db", &cfg, &p, NULL), CHORUS_OK);
    assert_int_equal(pager_tx_begin_write(p, 0, NULL, &tx), CHORUS_OK);
    assert_int_equal(pager_tx_page_count(tx), lock_page - 1);
    assert_int_equal(pager_page_append(tx, &pg), CHORUS_OK);
    assert_int_equal(pg->pgno, lock_page + 1);
    pager_page_release(pg);
    assert_int_equal(pager_page_get(tx, lock_page, &pg), CHORUS_CORRUPT);
    pager_tx_rollback(tx);
    assert_int_equal(pager_close(p), CHORUS_OK);
    os_vfs_memory()->remove(os_vfs_memory(), "lockpage.db");
    os_vfs_memory()->remove(os_vfs_memory(), "lockpage.db-wal");
}

/* A pager on the counting fault VFS over the memory VFS; name is removed
 * with its WAL by counted_close(). */
static pager *
counted_open(const char *name)
{
    pager_config cfg = { .vfs = os_fault_vfs(os_vfs_memory()), .create = true, .page_size = 1024 };
    pager *p = NULL;

    assert_int_equal(pager_open(name, &cfg, &p, NULL), CHORUS_OK);
    return p;
}

static void
counted_close(pager *p, const char *name)
{
    char wal[64];

    os_fault_disarm();
    assert_int_equal(pager_close(p), CHORUS_OK);
    snprintf(wal, sizeof wal, "%s-wal", name);
    os_vfs_memory()->remove(os_vfs_memory(), name);
    os_vfs_memory()->remove(os_vfs_memory(), wal);
}

static void
test_reader_after_a_commit_finds_its_pages_without_reading_the_wal(void **state)
{
    pager *p = counted_open("installed.db");
    pager_tx *tx;

    assert_int_equal(pager_tx_begin_write(p, 0, NULL, &tx), CHORUS_OK);
    assert_int_equal(tx_end(tx, pages_grow(tx, 20, 0)), CHORUS_OK);
    assert_int_equal(pager_tx_begin_write(p, 0, NULL, &tx), CHORUS_OK);
    assert_int_equal(tx_end(tx, page_put32(tx, 7, 40, 0xfeedbeef)), CHORUS_OK);
    os_fault_arm(0, CHORUS_OK, 0);      /* count I/O calls, fail none */
    assert_int_equal(pager_tx_begin_read(p, &tx), CHORUS_OK);
    assert_int_equal(page_get32(tx, 7, 40), 0xfeedbeef);
    for (uint32_t pgno = 1; pgno <= 20; pgno++)
        (void)page_byte(tx, pgno);
    pager_tx_rollback(tx);
    assert_int_equal(os_fault_calls(), 0);
    counted_close(p, "installed.db");
}

static void
test_small_transactions_after_a_big_one_see_every_page(void **state)
{
    pager *p = open_pager(db_path, 1024, CHORUS_OK);
    pager_tx *tx;

    assert_int_equal(pager_tx_begin_write(p, 0, NULL, &tx), CHORUS_OK);
    int rc = pages_grow(tx, 3000, 0);
    for (uint32_t pgno = 1; pgno <= 3000 && rc == CHORUS_OK; pgno++)
        rc = page_put32(tx, pgno, 8, pgno * 3);
    assert_int_equal(tx_end(tx, rc), CHORUS_OK);
    for (int round = 0; round < 50; round++) {
        uint32_t pgno = (uint32_t)round * 59 % 3000 + 1;
        assert_int_equal(pager_tx_begin_write(p, 0, NULL, &tx), CHORUS_OK);
        assert_int_equal(page_get32(tx, pgno, 8), pgno == 1 && round > 0 ? 4 : pgno * 3);
        assert_int_equal(tx_end(tx, page_put32(tx, 1, 8, 4)), CHORUS_OK);
        assert_int_equal(pager_tx_begin_read(p, &tx), CHORUS_OK);
        assert_int_equal(page_get32(tx, 1, 8), 4);
        pager_tx_rollback(tx);
    }
    assert_int_equal(pager_close(p), CHORUS_OK);
}

/* T5, T8: far more pages than the kept list holds, each read twice and
 * some turned dirty between, keep their bytes. */
static void
test_pages_beyond_the_kept_list_are_read_again_correctly(void **state)
{
    pager *p = open_pager(db_path, 1024, CHORUS_OK);
    pager_tx *tx;
    int rc;

    assert_int_equal(pager_tx_begin_write(p, 0, NULL, &tx), CHORUS_OK);
    rc = pages_grow(tx, 600, 0);
    for (uint32_t pgno = 1; pgno <= 600 && rc == CHORUS_OK; pgno++)
        rc = page_put32(tx, pgno, 16, pgno);
    assert_int_equal(tx_end(tx, rc), CHORUS_OK);
    assert_int_equal(pager_tx_begin_write(p, 0, NULL, &tx), CHORUS_OK);
    for (int pass = 0; pass < 2; pass++) {
        for (uint32_t pgno = 1; pgno <= 600; pgno++) {
            uint32_t want = pgno + (pass == 1 && pgno % 7 == 0 ? 1000 : 0);
            assert_int_equal(page_get32(tx, pgno, 16), want);
            if (pass == 0 && pgno % 7 == 0)
                assert_int_equal(page_put32(tx, pgno, 16, pgno + 1000), CHORUS_OK);
        }
    }
    assert_int_equal(pager_tx_commit(tx), CHORUS_OK);
    assert_int_equal(pager_tx_begin_read(p, &tx), CHORUS_OK);
    for (uint32_t pgno = 1; pgno <= 600; pgno++)
        assert_int_equal(page_get32(tx, pgno, 16), pgno + (pgno % 7 == 0 ? 1000 : 0));
    pager_tx_rollback(tx);
    assert_int_equal(pager_close(p), CHORUS_OK);
}

/* T7: buffers recycled from earlier transactions start zeroed when
 * appended and hold the right pre-images under savepoints. */
static void
test_recycled_page_buffers_keep_appends_zeroed_and_savepoints_exact(void **state)
{
    pager *p = open_pager(db_path, 1024, CHORUS_OK);
    uint8_t junk[1024];
    pager_tx *tx;
    pager_page *pg;
    int sp;
    int rc;

    memset(junk, 0xa5, sizeof junk);
    assert_int_equal(pager_tx_begin_write(p, 0, NULL, &tx), CHORUS_OK);
    rc = pages_grow(tx, 40, 0);
    for (uint32_t pgno = 1; pgno <= 40 && rc == CHORUS_OK; pgno++)
        rc = page_put(tx, pgno, 0, junk, sizeof junk);
    assert_int_equal(tx_end(tx, rc), CHORUS_OK);
    assert_int_equal(pager_tx_begin_write(p, 0, NULL, &tx), CHORUS_OK);
    assert_int_equal(pager_savepoint_open(tx, &sp), CHORUS_OK);
    assert_int_equal(page_put32(tx, 3, 0, 77), CHORUS_OK);
    assert_int_equal(page_put32(tx, 3, 0, 78), CHORUS_OK);
    assert_int_equal(pager_page_append(tx, &pg), CHORUS_OK);
    for (uint32_t i = 0; i < 1024; i++)
        assert_int_equal(pg->data[i], 0);
    pager_page_release(pg);
    assert_int_equal(pager_savepoint_rollback(tx, sp), CHORUS_OK);
    assert_int_equal(page_get32(tx, 3, 0), 0xa5a5a5a5);
    assert_int_equal(pager_tx_page_count(tx), 40);
    assert_int_equal(pager_tx_commit(tx), CHORUS_OK);
    assert_int_equal(pager_close(p), CHORUS_OK);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        PAGER_TEST(test_new_database_has_no_pages),
        PAGER_TEST(test_committed_pages_are_read_back),
        PAGER_TEST(test_rollback_discards_changes),
        PAGER_TEST(test_one_handle_per_page_within_a_transaction),
        PAGER_TEST(test_extra_lives_while_a_reference_is_held),
        PAGER_TEST(test_many_pages_read_in_one_transaction),
        PAGER_TEST(test_reader_keeps_its_snapshot_across_a_commit),
        PAGER_TEST(test_second_writer_gets_busy_after_timeout),
        PAGER_TEST(test_interrupt_stops_a_writer_waiting_for_the_lock),
        PAGER_TEST(test_waiting_writer_gets_the_lock_when_released),
        PAGER_TEST(test_upgrade_of_a_stale_snapshot_is_busy_snapshot),
        PAGER_TEST(test_read_transaction_cannot_write),
        PAGER_TEST(test_reopen_finds_committed_pages_and_no_wal),
        PAGER_TEST(test_savepoint_rollback_restores_pages_and_count),
        PAGER_TEST(test_savepoint_rollback_after_release_of_inner_savepoint),
        PAGER_TEST(test_truncate_shrinks_the_database_at_commit),
        PAGER_TEST(test_memory_databases_are_private),
        PAGER_TEST(test_lock_byte_page_is_skipped_by_append),
        PAGER_TEST(test_reader_after_a_commit_finds_its_pages_without_reading_the_wal),
        PAGER_TEST(test_small_transactions_after_a_big_one_see_every_page),
        PAGER_TEST(test_pages_beyond_the_kept_list_are_read_again_correctly),
        PAGER_TEST(test_recycled_page_buffers_keep_appends_zeroed_and_savepoints_exact),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
