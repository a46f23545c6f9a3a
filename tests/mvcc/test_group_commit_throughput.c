/*
 * tests/mvcc/test_group_commit_throughput.c: prints (never asserts) how many
 * one-row write transactions per second commit with synchronous FULL from
 * 1, 2, 4 and 8 threads through the store and the log's group commit
 * (mvcc R12), for both log writers, and in memory without a log, so the
 * lead can see it scale. Speed belongs to bench/; this only reports.
 */
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "mvcc.h"
#include "test_support.h"

#define RUN_NS 300000000LL

typedef struct runner {
    mv_db *db;
    mv_table *t;
    mv_sync sync;
    _Atomic int *go;
    int64_t commits;
    int failures;
} runner;

static int64_t
now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static void *
run(void *arg)
{
    runner *r = arg;
    mv_tx *tx;
    char payload[100];

    memset(payload, 'p', sizeof payload);
    assert_int_equal(mv_tx_new(r->db, &tx), CHORUS_OK);
    while (atomic_load(r->go) == 0)
        ;
    int64_t end = now_ns() + RUN_NS;
    while (now_ns() < end) {
        int64_t rowid = mv_table_rowid_next(r->t);
        mv_tx_begin(tx);
        if (mv_table_insert(tx, r->t, rowid, payload, sizeof payload) != MV_OK ||
            mv_tx_commit(tx, r->sync) != CHORUS_OK)
            r->failures++;
        else
            r->commits++;
    }
    mv_tx_free(tx);
    return NULL;
}

static void
measure(const char *label, int use_log, int use_uring, mv_sync sync)
{
    int threads[] = {1, 2, 4, 8};
    char path[512];

    for (size_t k = 0; k < CHORUS_ARRAY_LEN(threads); k++) {
        int n = threads[k];
        pthread_t th[8];
        runner r[8];
        _Atomic int go = 0;
        mv_log *log = NULL;
        mv_log_options opts = {.use_uring = use_uring};
        mv_log_stats st = {0};
        mv_db *db;
        mv_table *t;
        int64_t total = 0;

        test_tmpdir();
        test_path(path, sizeof path, "db-log");
        if (use_log)
            assert_int_equal(mv_log_open(path, &opts, NULL, NULL, NULL, &log), CHORUS_OK);
        assert_int_equal(mv_db_open(0, &db), CHORUS_OK);
        mv_db_attach_log(db, log);
        mv_table_open(db, 1, "t", &t);
        for (int i = 0; i < n; i++) {
            r[i] = (runner){.db = db, .t = t, .sync = sync, .go = &go};
            pthread_create(&th[i], NULL, run, &r[i]);
        }
        atomic_store(&go, 1);
        for (int i = 0; i < n; i++) {
            pthread_join(th[i], NULL);
            assert_int_equal(r[i].failures, 0);
            total += r[i].commits;
        }
        if (log != NULL)
            mv_log_get_stats(log, &st);
        print_message("%-22s %s threads=%d  %9.0f commits/s  (%.1f commits per fsync)\n", label,
                      log ? mv_log_backend(log) : "-", n, total * 1e9 / RUN_NS,
                      st.n_syncs ? (double)st.n_frames / st.n_syncs : 0.0);
        mv_db_close(db);
        assert_int_equal(mv_log_close(log), CHORUS_OK);
        test_tmpdir_remove();
    }
}

static void
test_print_group_commit_throughput(void **state)
{
    (void)state;
    measure("FULL, pwrite", 1, 0, MV_SYNC_FULL);
    measure("FULL, io_uring", 1, 1, MV_SYNC_FULL);
    measure("NORMAL, pwrite", 1, 0, MV_SYNC_NORMAL);
    measure("in memory (no log)", 0, 0, MV_SYNC_OFF);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_print_group_commit_throughput),
    };
    return cmocka_run_group_tests(tests, NULL, NULL) ? 1 : 0;
}
