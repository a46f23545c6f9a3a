/*
 * tests/core/store/test_store_concurrency.c: the MVCC path under threads
 * (run under ThreadSanitizer in CI): a bank of accounts in the B-tree, with
 * writers transferring money through merged cursors (retrying on
 * CHORUS_CONFLICT, mvcc R8), a reader checking in each snapshot that the
 * count and the sum never change (snapshot isolation, store rule S2), and a
 * checkpointer writing commits into the B-tree meanwhile (mvcc R17).
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

enum { N_WRITERS = 3, TRANSFERS = 2000 };

static void *
checkpointer_main(void *arg)
{
    bank *b = arg;
    mv_tx *scratch;

    if (mv_tx_new(store_db_mvcc(b->store), &scratch) != CHORUS_OK) {
        bank_fail_with(b, CHORUS_NOMEM);
        return NULL;
    }
    do {
        pager_tx *wtx;
        uint64_t ts;
        int rc = pager_tx_begin_write(b->pager, 1000, NULL, &wtx);
        if (rc == CHORUS_OK) {
            rc = store_mvcc_checkpoint(b->store, wtx, scratch, &ts);
            if (rc == CHORUS_OK)
                rc = pager_tx_commit(wtx);
            else
                pager_tx_rollback(wtx);
        }
        if (rc == CHORUS_OK)
            rc = store_mvcc_checkpoint_done(b->store, ts, MV_SYNC_FULL, false);
        if (rc != CHORUS_OK)
            bank_fail_with(b, rc);
        atomic_fetch_add(&b->checkpoints, 1);
        mv_gc_run(scratch);
    } while (atomic_load(&b->writers_left) > 0 && atomic_load(&b->failed) == 0);
    mv_tx_free(scratch);
    return NULL;
}

static void
test_bank_transfers_keep_every_snapshot_balanced_during_checkpoints(void **state)
{
    pthread_t writers[N_WRITERS], reader, ckpt;
    bank *b = malloc(sizeof *b);
    mv_tx *mtx;

    bank_open(b);
    b->transfers = TRANSFERS;
    atomic_store(&b->writers_left, N_WRITERS);
    for (int i = 0; i < N_WRITERS; i++)
        assert_int_equal(pthread_create(&writers[i], NULL, bank_writer_main, b), 0);
    assert_int_equal(pthread_create(&reader, NULL, bank_reader_main, b), 0);
    assert_int_equal(pthread_create(&ckpt, NULL, checkpointer_main, b), 0);
    for (int i = 0; i < N_WRITERS; i++)
        pthread_join(writers[i], NULL);
    pthread_join(reader, NULL);
    pthread_join(ckpt, NULL);
    if (atomic_load(&b->failed) != 0)
        fail_msg("a thread failed with code %d", atomic_load(&b->failed));
    assert_true(atomic_load(&b->checks) > 0);
    print_message("%lld snapshot checks, %lld checkpoints, %lld conflicts retried\n",
                  (long long)atomic_load(&b->checks), (long long)atomic_load(&b->checkpoints),
                  (long long)atomic_load(&b->conflicts));
    assert_int_equal(mv_tx_new(store_db_mvcc(b->store), &mtx), CHORUS_OK);
    assert_int_equal(bank_check_once(b, mtx), CHORUS_OK);
    mv_tx_free(mtx);
    assert_int_equal(store_mvcc_close(b->store), CHORUS_OK);
    store_db_close(b->store);
    assert_int_equal(pager_close(b->pager), CHORUS_OK);
    free(b);
    test_tmpdir_remove();
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_bank_transfers_keep_every_snapshot_balanced_during_checkpoints),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
