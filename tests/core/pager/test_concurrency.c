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
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <pthread.h>
#include <stdatomic.h>
#include <cmocka.h>

#include "pager.h"
#include "test_support.h"

enum { PS = 1024, N_READERS = 3, N_COMMITS = 400 };

static char db_path[600];
static _Atomic int stop;
static _Atomic int failures;

static int
setup(void **state)
{
    assert_non_null(test_tmpdir());
    test_path(db_path, sizeof db_path, "t.db");
    return 0;
}

static int
teardown(void **state)
{
    test_tmpdir_remove();
    return 0;
}

static uint32_t
get32(const uint8_t *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static int
commit_counter(pager *p, uint32_t c)
{
    pager_tx *tx;
    pager_page *pg;
    int rc = pager_tx_begin_write(p, 5000, NULL, &tx);

    if (rc != CHORUS_OK)
        return rc;
    while (rc == CHORUS_OK && pager_tx_page_count(tx) < 9) {
        rc = pager_page_append(tx, &pg);
        pager_page_release(pg);
    }
    for (uint32_t pgno = 2; rc == CHORUS_OK && pgno <= 9; pgno++) {
        rc = pager_page_get(tx, pgno, &pg);
        if (rc == CHORUS_OK && (rc = pager_page_write(pg)) == CHORUS_OK) {
            pg->data[0] = (uint8_t)(c >> 24);
            pg->data[1] = (uint8_t)(c >> 16);
            pg->data[2] = (uint8_t)(c >> 8);
            pg->data[3] = (uint8_t)c;
        }
        pager_page_release(pg);
    }
    if (rc != CHORUS_OK) {
        pager_tx_rollback(tx);
        return rc;
    }
    return pager_tx_commit(tx);
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
            atomic_fetch_add(&failures, 1);
            break;
        }
        for (uint32_t pgno = 2; pgno <= pager_tx_page_count(tx) && pgno <= 9; pgno++) {
            pager_page *pg;
            uint32_t v;
            if (pager_page_get(tx, pgno, &pg) != CHORUS_OK) {
                atomic_fetch_add(&failures, 1);
                break;
            }
            v = get32(pg->data);
            pager_page_release(pg);
            if (pgno == 2)
                first = v;
            else if (v != first)
                atomic_fetch_add(&failures, 1);     /* a torn snapshot */
        }
        if (first < last)
            atomic_fetch_add(&failures, 1);         /* time went backwards */
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
        if (rc != CHORUS_OK && rc != CHORUS_BUSY)
            atomic_fetch_add(&failures, 1);
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
    pager_page *pg;

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
    assert_int_equal(pager_page_get(tx, 9, &pg), CHORUS_OK);
    assert_int_equal(get32(pg->data), N_COMMITS);
    pager_page_release(pg);
    pager_tx_rollback(tx);
    assert_int_equal(pager_close(p), CHORUS_OK);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_readers_see_whole_commits_while_writer_and_checkpoints_run,
                                        setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
