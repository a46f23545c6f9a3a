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
 *
 * The writer lock passes first come, first served (README R8): waiters get
 * it in the order they queued, the releasing thread queues behind them, and
 * a waiter that times out leaves the queue.
 */
#include <pthread.h>
#include <stdatomic.h>
#include <unistd.h>

#include "pager_fixture.h"

enum { PS = 1024, N_READERS = 3, N_COMMITS = 400 };

static _Atomic int stop;
static _Atomic int failures;

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
    assert_int_equal(commit_pages_2_to_9(p, 1), CHORUS_OK);
    for (int i = 0; i < N_READERS; i++)
        pthread_create(&readers[i], NULL, reader_main, p);
    pthread_create(&ckpt, NULL, checkpointer_main, p);
    for (uint32_t c = 2; c <= N_COMMITS; c++)
        assert_int_equal(commit_pages_2_to_9(p, c), CHORUS_OK);
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

/* --- the writer lock's hand-off (README R8, pager.c W1) ------------------ */

enum { N_WAITERS = 3 };

static _Atomic int acquired;    /* how many writers got the lock so far */

typedef struct waiter_run {
    pager *p;
    int order;                  /* the waiter's turn, as seen by acquired */
    int rc;
} waiter_run;

static void *
waiter_main(void *arg)
{
    waiter_run *w = arg;
    pager_tx *tx;

    w->rc = pager_tx_begin_write(w->p, 10000, NULL, &tx);
    if (w->rc == CHORUS_OK) {
        w->order = atomic_fetch_add(&acquired, 1);
        w->rc = pager_tx_commit(tx);
    }
    return NULL;
}

/* Polls until n threads wait for the writer lock. */
static void
wait_for_waiters(pager *p, int n)
{
    while (pager_writer_waiters(p) != n)
        usleep(1000);
}

static void
test_writer_lock_is_handed_over_first_come_first_served(void **state)
{
    waiter_run runs[N_WAITERS];
    pthread_t threads[N_WAITERS];
    pager *p = open_pager(db_path, PS, CHORUS_OK);
    pager_tx *tx;
    int order;

    atomic_store(&acquired, 0);
    assert_int_equal(pager_tx_begin_write(p, 0, NULL, &tx), CHORUS_OK);
    for (int i = 0; i < N_WAITERS; i++) {
        runs[i] = (waiter_run){ .p = p, .order = -1, .rc = -1 };
        pthread_create(&threads[i], NULL, waiter_main, &runs[i]);
        wait_for_waiters(p, i + 1);     /* queued in this order */
    }
    assert_int_equal(pager_tx_commit(tx), CHORUS_OK);
    /* the releasing thread asks again at once: it queues behind them all */
    assert_int_equal(pager_tx_begin_write(p, 10000, NULL, &tx), CHORUS_OK);
    order = atomic_fetch_add(&acquired, 1);
    pager_tx_rollback(tx);
    for (int i = 0; i < N_WAITERS; i++) {
        pthread_join(threads[i], NULL);
        assert_int_equal(runs[i].rc, CHORUS_OK);
        assert_int_equal(runs[i].order, i);
    }
    assert_int_equal(order, N_WAITERS);
    assert_int_equal(pager_close(p), CHORUS_OK);
}

static void *
impatient_main(void *arg)
{
    waiter_run *w = arg;
    pager_tx *tx;

    w->rc = pager_tx_begin_write(w->p, 50, NULL, &tx);
    if (w->rc == CHORUS_OK)
        pager_tx_rollback(tx);
    return NULL;
}

/* A waiter that times out leaves the queue; the one behind it still gets
 * the lock, and a release with nobody waiting frees it. */
static void
test_writer_waiter_that_times_out_leaves_the_queue(void **state)
{
    waiter_run impatient = { .rc = -1 }, patient = { .order = -1, .rc = -1 };
    pthread_t t1, t2;
    pager *p = open_pager(db_path, PS, CHORUS_OK);
    pager_tx *tx;

    atomic_store(&acquired, 0);
    impatient.p = patient.p = p;
    assert_int_equal(pager_tx_begin_write(p, 0, NULL, &tx), CHORUS_OK);
    pthread_create(&t1, NULL, impatient_main, &impatient);
    wait_for_waiters(p, 1);
    pthread_create(&t2, NULL, waiter_main, &patient);
    pthread_join(t1, NULL);
    assert_int_equal(impatient.rc, CHORUS_BUSY);
    wait_for_waiters(p, 1);             /* only the patient one is left */
    pager_tx_rollback(tx);
    pthread_join(t2, NULL);
    assert_int_equal(patient.rc, CHORUS_OK);
    assert_int_equal(patient.order, 0);
    assert_int_equal(pager_writer_waiters(p), 0);
    assert_int_equal(pager_tx_begin_write(p, 0, NULL, &tx), CHORUS_OK);
    pager_tx_rollback(tx);
    assert_int_equal(pager_close(p), CHORUS_OK);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        PAGER_TEST(test_readers_see_whole_commits_while_writer_and_checkpoints_run),
        PAGER_TEST(test_writer_lock_is_handed_over_first_come_first_served),
        PAGER_TEST(test_writer_waiter_that_times_out_leaves_the_queue),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
