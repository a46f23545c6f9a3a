/*
 * tests/mvcc/test_log_gather.c: the group-commit leader's wait for its batch
 * to fill (mvcc/log_gather.c G1-G3, log_writer.c W7): the record's rules
 * alone, then eight looping committers against a log whose fdatasync is
 * slow, which must share fsyncs in one cohort rather than two.
 */
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "log_io.h"
#include "mvcc_int.h"
#include "test_support.h"

enum { COMMITTERS = 8, COMMITS_EACH = 24, SLOW_SYNC_US = 6000 };

static void
test_gather_counts_the_returning_committers(void **state)
{
    mv_log_gather g = {0};
    int a = 0, b = 0, c = 0;

    (void)state;
    mv_gather_note(&g, &a);
    mv_gather_note(&g, &b);
    mv_gather_swap(&g);                             /* batch {a, b} taken */
    assert_int_equal(mv_gather_missing(&g), 2);
    mv_gather_note(&g, &c);                         /* a newcomer counts for nothing */
    assert_int_equal(mv_gather_missing(&g), 2);
    mv_gather_note(&g, &a);
    mv_gather_note(&g, &a);                         /* G1: once per batch */
    assert_int_equal(mv_gather_missing(&g), 1);
    mv_gather_note(&g, &b);
    assert_int_equal(mv_gather_missing(&g), 0);
    mv_gather_swap(&g);                             /* batch {c, a, a, b} */
    assert_int_equal(mv_gather_missing(&g), 4);
}

static void
test_gather_forgets_untracked_batches(void **state)
{
    mv_log_gather g = {0};
    int ids[MV_GATHER_MAX + 1] = {0};

    (void)state;
    mv_gather_note(&g, &ids[0]);
    mv_gather_note(&g, NULL);                       /* G2: an unknown committer */
    mv_gather_swap(&g);
    assert_int_equal(mv_gather_missing(&g), 0);
    for (int i = 0; i <= MV_GATHER_MAX; i++)        /* G2: too many */
        mv_gather_note(&g, &ids[i]);
    mv_gather_swap(&g);
    assert_int_equal(mv_gather_missing(&g), 0);
}

static void
test_gather_waits_only_for_slow_syncs(void **state)
{
    mv_log_gather g = {0};
    int a = 0;

    (void)state;
    mv_gather_note(&g, &a);
    mv_gather_swap(&g);
    assert_int_equal(mv_gather_wait_ns(&g), 0);     /* no sync measured yet */
    mv_gather_sync_took(&g, 20 * 1000);
    assert_int_equal(mv_gather_wait_ns(&g), 0);     /* G3: cheap syncs */
    for (int i = 0; i < 100; i++)
        mv_gather_sync_took(&g, 400 * 1000);        /* the average follows */
    assert_in_range(mv_gather_wait_ns(&g), 195 * 1000, 200 * 1000);
    for (int i = 0; i < 100; i++)
        mv_gather_sync_took(&g, 50 * 1000 * 1000);
    assert_int_equal(mv_gather_wait_ns(&g), 2 * 1000 * 1000);  /* G3: the cap */
    mv_gather_note(&g, &a);
    assert_int_equal(mv_gather_wait_ns(&g), 0);     /* nobody missing */
}

/* --- eight committers, slow fsyncs --------------------------------------------- */

static int
slow_fdatasync(int fd)
{
    struct timespec ts = {0, SLOW_SYNC_US * 1000L};

    nanosleep(&ts, NULL);
    return mv_log_io_system.fdatasync(fd);
}

typedef struct committer {
    mv_db *db;
    mv_table *t;
    int failures;
} committer;

static void *
commit_loop(void *arg)
{
    committer *c = arg;
    mv_tx *tx;
    char payload[64];

    memset(payload, 'g', sizeof payload);
    if (mv_tx_new(c->db, &tx) != CHORUS_OK) {
        c->failures++;
        return NULL;
    }
    for (int i = 0; i < COMMITS_EACH; i++) {
        mv_tx_begin(tx);
        if (mv_table_insert(tx, c->t, mv_table_rowid_next(c->t), payload, sizeof payload) != MV_OK ||
            mv_tx_commit(tx, MV_SYNC_FULL) != CHORUS_OK)
            c->failures++;
    }
    mv_tx_free(tx);
    return NULL;
}

static void
test_looping_committers_share_each_fsync(void **state)
{
    mv_log_io io = mv_log_io_system;
    mv_log_options opts = {.use_uring = 0};
    pthread_t th[COMMITTERS];
    committer c[COMMITTERS];
    mv_log_stats st = {0};
    char path[512];
    mv_log *log;
    mv_db *db;
    mv_table *t;

    (void)state;
    io.fdatasync = slow_fdatasync;
    mv_log_io_install(&io);
    test_tmpdir();
    test_path(path, sizeof path, "db-log");
    assert_int_equal(mv_log_open(path, &opts, NULL, NULL, NULL, &log), CHORUS_OK);
    assert_int_equal(mv_db_open(0, &db), CHORUS_OK);
    mv_db_attach_log(db, log);
    assert_int_equal(mv_table_open(db, 1, "t", &t), CHORUS_OK);
    for (int i = 0; i < COMMITTERS; i++) {
        c[i] = (committer){.db = db, .t = t};
        assert_int_equal(pthread_create(&th[i], NULL, commit_loop, &c[i]), 0);
    }
    for (int i = 0; i < COMMITTERS; i++) {
        pthread_join(th[i], NULL);
        assert_int_equal(c[i].failures, 0);
    }
    mv_log_get_stats(log, &st);
    print_message("%lld commits, %lld fsyncs: %.1f commits per fsync\n", (long long)st.n_frames,
                  (long long)st.n_syncs, (double)st.n_frames / (double)st.n_syncs);
    assert_int_equal(st.n_frames, COMMITTERS * COMMITS_EACH);
    /* Two alternating cohorts give COMMITTERS / 2 per fsync (measured: 4.1). */
    assert_true(st.n_frames >= st.n_syncs * (COMMITTERS / 2 + 1));
    mv_db_close(db);
    assert_int_equal(mv_log_close(log), CHORUS_OK);
    mv_log_io_install(NULL);
    test_tmpdir_remove();
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_gather_counts_the_returning_committers),
        cmocka_unit_test(test_gather_forgets_untracked_batches),
        cmocka_unit_test(test_gather_waits_only_for_slow_syncs),
        cmocka_unit_test(test_looping_committers_share_each_fsync),
    };
    return cmocka_run_group_tests(tests, NULL, NULL) ? 1 : 0;
}
