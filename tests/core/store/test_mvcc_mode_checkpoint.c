/*
 * tests/core/store/test_mvcc_mode_checkpoint.c: online checkpoints in MVCC
 * mode (store_mvcc_checkpoint_run, core/store/mvcc_mode.c MM5) under a
 * steady write load (run under ThreadSanitizer in CI).
 *
 * Writers transfer money between a fixed set of accounts and never pause; a
 * checkpointer runs whole checkpoints back to back (B-tree, mark, log
 * truncation, GC); a reader checks count and sum in fresh snapshots; one
 * long reader keeps its snapshot open the whole time. Memory (live versions
 * and nodes, mv_db_stats) stays bounded by the number of accounts, not by
 * the number of updates (mvcc R11: one version per row for the long
 * reader), and the long reader still sees its sums. Once it ends, one more
 * checkpoint empties the log and GC removes every chain the B-tree now holds
 * (mvcc R11c, gc.c G5). Without the long reader, the log stays small too
 * (mvcc R19).
 */
#include <pthread.h>
#include <setjmp.h>
#include <stdatomic.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "bank_fixture.h"
#include "test_support.h"

enum { N_WRITERS = 2, TRANSFERS = 1500, MIN_CHECKPOINTS = 10 };

/* The bank plus what the checkpointer saw. */
typedef struct load {
    bank b;
    _Atomic int64_t max_live;       /* largest n_versions_live the checkpointer saw */
    _Atomic int64_t max_nodes;
    _Atomic int64_t max_log;        /* largest log size after a checkpoint */
    _Atomic int64_t n_shrinks;      /* checkpoints whose truncation dropped frames */
} load;

static void
raise_max(_Atomic int64_t *max, int64_t v)
{
    int64_t seen = atomic_load(max);

    while (v > seen && !atomic_compare_exchange_weak(max, &seen, v))
        ;
}

static void *
checkpointer_main(void *arg)
{
    load *l = arg;
    bank *b = &l->b;

    do {
        store_checkpoint_info info;
        mv_stats stats;
        int rc = store_mvcc_checkpoint_run(b->store, b->pager, 1000, true, &info);
        if (rc != CHORUS_OK || info.busy)
            bank_fail_with(b, rc != CHORUS_OK ? rc : CHORUS_BUSY);
        atomic_fetch_add(&b->checkpoints, 1);
        mv_db_stats(store_db_mvcc(b->store), &stats);
        raise_max(&l->max_live, stats.n_versions_live);
        raise_max(&l->max_nodes, stats.n_nodes);
        raise_max(&l->max_log, info.log_bytes);
        if (info.n_kept < info.n_frames)
            atomic_fetch_add(&l->n_shrinks, 1);
    } while (atomic_load(&b->writers_left) > 0 && atomic_load(&b->failed) == 0);
    return NULL;
}

static void
run_load(load *l)
{
    bank *b = &l->b;
    pthread_t w[N_WRITERS], r, k;

    atomic_store(&b->writers_left, N_WRITERS);
    for (int i = 0; i < N_WRITERS; i++)
        assert_int_equal(pthread_create(&w[i], NULL, bank_writer_main, b), 0);
    assert_int_equal(pthread_create(&r, NULL, bank_reader_main, b), 0);
    assert_int_equal(pthread_create(&k, NULL, checkpointer_main, l), 0);
    for (int i = 0; i < N_WRITERS; i++)
        assert_int_equal(pthread_join(w[i], NULL), 0);
    assert_int_equal(pthread_join(r, NULL), 0);
    assert_int_equal(pthread_join(k, NULL), 0);
    assert_int_equal(atomic_load(&b->failed), 0);
    assert_true(atomic_load(&b->checkpoints) >= MIN_CHECKPOINTS);
    assert_true(atomic_load(&b->checks) > 0);
}

static void
bank_close(bank *b)
{
    assert_int_equal(store_mvcc_close(b->store), CHORUS_OK);
    store_db_close(b->store);
    assert_int_equal(pager_close(b->pager), CHORUS_OK);
    test_tmpdir_remove();
}

/* A final checkpoint with no transaction left: log empty, store empty. */
static void
checkpoint_quiet(bank *b)
{
    store_checkpoint_info info;
    mv_stats stats;

    assert_int_equal(store_mvcc_checkpoint_run(b->store, b->pager, 1000, true, &info),
                     CHORUS_OK);
    assert_false(info.busy);
    assert_int_equal(info.n_kept, 0);
    assert_true(mv_log_is_empty(store_mvcc_log(b->store)));
    mv_db_stats(store_db_mvcc(b->store), &stats);
    assert_int_equal(stats.n_nodes, 0);
    assert_int_equal(stats.n_versions_live, 0);
}

static void
checkpoint_under_reader(bank *b)
{
    store_checkpoint_info info;
    mv_stats stats;

    assert_int_equal(store_mvcc_checkpoint_run(b->store, b->pager, 1000, true, &info),
                     CHORUS_OK);
    assert_false(info.busy);
    mv_db_stats(store_db_mvcc(b->store), &stats);
    if (stats.n_versions_live > 2 * BANK_ACCOUNTS)
        fail_msg("%lld live versions after a quiet checkpoint, over %d",
                 (long long)stats.n_versions_live, 2 * BANK_ACCOUNTS);
    assert_true(stats.n_nodes <= BANK_ACCOUNTS);
}

static void
test_memory_stays_bounded_with_a_long_reader_during_checkpoints(void **state)
{
    load l;
    bank *b = &l.b;
    mv_tx *long_tx;
    pager_tx *long_ptx = NULL;
    store_tx long_st;

    (void)state;
    memset(&l, 0, sizeof l);
    bank_open(b);
    b->transfers = TRANSFERS;
    b->min_checkpoints = MIN_CHECKPOINTS;
    assert_int_equal(mv_tx_new(store_db_mvcc(b->store), &long_tx), CHORUS_OK);
    assert_int_equal(bank_begin(b, long_tx, &long_ptx, &long_st), CHORUS_OK);
    assert_int_equal(bank_check_snapshot(b, &long_st), CHORUS_OK);     /* the snapshot stays open */
    run_load(&l);
    /* At least N_WRITERS * TRANSFERS commits of 2 rows each (6000
     * versions). While they run, pruning is opportunistic (committers
     * prune with a live-snapshot set refreshed every 32 commits, GC
     * try-locks), so how many versions wait depends on scheduling: seen
     * 5 to 25 per row; the loose bound only says they never pile up. */
    if (atomic_load(&l.max_live) > 2 * N_WRITERS * TRANSFERS / 3)
        fail_msg("%lld live versions at most, over the bound %d",
                 (long long)atomic_load(&l.max_live), 2 * N_WRITERS * TRANSFERS / 3);
    assert_true(atomic_load(&l.max_nodes) <= BANK_ACCOUNTS);
    /* Once the writers stop, a checkpoint's GC pass leaves per row the
     * newest version and the one the long reader sees. */
    checkpoint_under_reader(b);
    assert_int_equal(bank_check_snapshot(b, &long_st), CHORUS_OK);
    mv_tx_rollback(long_tx);
    pager_tx_rollback(long_ptx);
    store_tx_clear(&long_st);
    mv_tx_free(long_tx);
    checkpoint_quiet(b);
    bank_close(b);
}

static void
test_the_log_stays_small_without_long_readers(void **state)
{
    load l;
    bank *b = &l.b;
    mv_log_stats stats;

    (void)state;
    memset(&l, 0, sizeof l);
    bank_open(b);
    b->transfers = TRANSFERS;
    b->min_checkpoints = MIN_CHECKPOINTS;
    run_load(&l);
    /* Checkpoints cut the log back to what arrived during them, so it
     * never held the run (not every one need find new commits on a loaded
     * machine). */
    mv_log_get_stats(store_mvcc_log(b->store), &stats);
    assert_true(atomic_load(&l.n_shrinks) >= MIN_CHECKPOINTS / 2);
    assert_true(atomic_load(&l.max_log) < stats.bytes);
    checkpoint_quiet(b);
    bank_close(b);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_memory_stays_bounded_with_a_long_reader_during_checkpoints),
        cmocka_unit_test(test_the_log_stays_small_without_long_readers),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
