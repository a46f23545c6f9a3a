/*
 * tests/core/pager/test_concurrency.c: readers, one writer and checkpoints
 * in parallel threads (README R1, R4, R5, R6, R14). Meant to run under
 * ThreadSanitizer too.
 *
 * Commit c writes c into pages 2..9. A reader takes a snapshot, checks that
 * all eight pages hold the same counter and that counters never go back
 * between its snapshots. A checkpointer runs PASSIVE, FULL, RESTART and
 * TRUNCATE checkpoints in turn; small auto-checkpoints and a small cache
 * make restarts and evictions frequent.
 */
#include <pthread.h>
#include <stdatomic.h>

#include "pager_fixture.h"

enum { PS = 1024, N_READERS = 3, N_COMMITS = 400 };

static _Atomic int stop;
static _Atomic int failures;

/* Commit c writes c to pages 2..9, creating them on first use; page 1
 * stays zeroed. */
static int
commit_counter(pager *p, uint32_t c)
{
    pager_tx *tx;
    int rc = pager_tx_begin_write(p, 5000, NULL, &tx);

    if (rc != CHORUS_OK)
        return rc;
    rc = pages_grow(tx, 9, 0);
    for (uint32_t pgno = 2; rc == CHORUS_OK && pgno <= 9; pgno++)
        rc = page_put32(tx, pgno, 0, c);
    return tx_end(tx, rc);
}

/* Counts a failure and says which rule broke (printed once per kind is
 * enough to diagnose; every one is counted). */
static void
fail_because(const char *why)
{
    if (atomic_fetch_add(&failures, 1) < 5)
        print_error("concurrency failure: %s\n", why);
}

static void *
reader_main(void *arg)
{
    pager *p = arg;
    uint32_t last = 0;

    while (!atomic_load_explicit(&stop, memory_order_relaxed)) {
        pager_tx *tx;
        uint32_t first = 0;
        if (pager_tx_begin_read(p, &tx) != CHORUS_OK) {
            fail_because("begin_read failed");
            break;
        }
        for (uint32_t pgno = 2; pgno <= pager_tx_page_count(tx) && pgno <= 9; pgno++) {
            pager_page *pg;
            uint32_t v;
            int rc = pager_page_get(tx, pgno, &pg);
            if (rc != CHORUS_OK) {
                fail_because("page_get failed");
                print_error("page %u: rc %d\n", pgno, rc);
                break;
            }
            v = get32(pg->data);
            pager_page_release(pg);
            if (pgno == 2)
                first = v;
            else if (v != first)
                fail_because("torn snapshot");
        }
        if (first < last)
            fail_because("time went backwards");
        last = first;
        pager_tx_rollback(tx);
    }
    return NULL;
}

static void *
checkpointer_main(void *arg)
{
    pager *p = arg;
    int mode = 0;

    while (!atomic_load_explicit(&stop, memory_order_relaxed)) {
        int rc = pager_checkpoint(p, mode, NULL, NULL);
        if (rc != CHORUS_OK && rc != CHORUS_BUSY) {
            fail_because("checkpoint failed");
            print_error("checkpoint mode %d: rc %d\n", mode, rc);
        }
        mode = (mode + 1) % 4;
    }
    return NULL;
}

static void
test_readers_see_whole_commits_while_writer_and_checkpoints_run(void **state)
{
    pager_config cfg = { .create = true, .page_size = PS, .cache_bytes = 16 * PS };
    pthread_t readers[N_READERS], ckpt;
    pager *p;
    pager_tx *tx;

    assert_int_equal(pager_open(db_path, &cfg, &p, NULL), CHORUS_OK);
    pager_set_autocheckpoint(p, 30);
    pager_set_checkpoint_busy_timeout(p, 2);
    assert_int_equal(commit_counter(p, 1), CHORUS_OK);
    for (int i = 0; i < N_READERS; i++)
        pthread_create(&readers[i], NULL, reader_main, p);
    pthread_create(&ckpt, NULL, checkpointer_main, p);
    for (uint32_t c = 2; c <= N_COMMITS; c++)
        assert_int_equal(commit_counter(p, c), CHORUS_OK);
    atomic_store(&stop, 1);
    for (int i = 0; i < N_READERS; i++)
        pthread_join(readers[i], NULL);
    pthread_join(ckpt, NULL);
    assert_int_equal(atomic_load(&failures), 0);
    assert_int_equal(pager_tx_begin_read(p, &tx), CHORUS_OK);
    assert_int_equal(page_get32(tx, 9, 0), N_COMMITS);
    pager_tx_rollback(tx);
    assert_int_equal(pager_close(p), CHORUS_OK);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        PAGER_TEST(test_readers_see_whole_commits_while_writer_and_checkpoints_run),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
