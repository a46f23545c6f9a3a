/*
 * tests/mvcc/test_checkpointer.c: the automatic checkpoint on its own
 * thread (core/vm/checkpointer.c CK1-CK3), seen through chorus.h.
 *
 *   - One connection with a tiny wal_autocheckpoint: a log just past the
 *     threshold is cut with no further commit (only the thread can have
 *     done it), and over many commits the log stays short while the
 *     connection goes on (each log rewrite hands the leader role back to a
 *     committer that may be spinning for it: mvcc/log_writer.c W8 must not
 *     lose that wake-up; it did, and this hung).
 *   - Several writers and a reader checking its snapshot's sum while
 *     checkpoints run in the background; then a close while one may run,
 *     and a reopen that finds every row, integrity_check ok.
 *   - Switching back to WAL while the checkpointer has work stops it first.
 */
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <cmocka.h>

#include "chorus.h"
#include "mvcc.h"
#include "test_support.h"

enum { N_SOLO = 20000, N_WRITERS = 3, N_EACH = 400, LOG_HEADER = 32 };

static int
teardown(void **state)
{
    (void)state;
    test_tmpdir_remove();
    return 0;
}

/* Opens path in MVCC mode with a one-page autocheckpoint threshold;
 * false when MVCC mode cannot be had here (skip). */
static bool
open_mvcc(const char *path, chorus_db **db, chorus_conn **conn)
{
    chorus_stmt *stmt;
    bool on;

    assert_int_equal(chorus_open(path, 0, db), CHORUS_OK);
    assert_int_equal(chorus_connect(*db, conn), CHORUS_OK);
    assert_int_equal(chorus_prepare(*conn, "PRAGMA journal_mode = 'mvcc'", -1, &stmt, NULL),
                     CHORUS_OK);
    on = chorus_step(stmt) == CHORUS_ROW && strcmp(chorus_column_text(stmt, 0), "mvcc") == 0;
    chorus_finalize(stmt);
    if (on)
        assert_int_equal(chorus_exec(*conn, "PRAGMA synchronous = NORMAL;"
                                            "PRAGMA wal_autocheckpoint = 1;"
                                            "CREATE TABLE t(id INTEGER PRIMARY KEY, v INTEGER)"),
                         CHORUS_OK);
    return on;
}

/* Where the frames of the log at path end (the file may go on with
 * preallocated zeros: mvcc/log_writer.c W10). */
static int64_t
log_end(const char *path)
{
    char log[600];
    mv_log_recovery rec;

    snprintf(log, sizeof log, "%s-log", path);
    assert_int_equal(mv_log_recover(log, NULL, NULL, &rec), CHORUS_OK);
    return rec.end_offset;
}

static void
sleep_ms(int ms)
{
    struct timespec ts = {ms / 1000, (long)(ms % 1000) * 1000000L};
    nanosleep(&ts, NULL);
}

static void
insert_row(chorus_stmt *ins, int id)
{
    chorus_bind_int64(ins, 1, id);
    chorus_bind_int64(ins, 2, id);
    assert_int_equal(chorus_step(ins), CHORUS_DONE);
    chorus_reset(ins);
}

static void
test_one_writer_is_checkpointed_in_the_background(void **state)
{
    char path[512];
    chorus_db *db;
    chorus_conn *conn;
    chorus_stmt *ins;
    int64_t peak = 0, end = 0;
    int id = 0;
    (void)state;

    assert_non_null(test_tmpdir());
    test_path(path, sizeof path, "solo.db");
    if (!open_mvcc(path, &db, &conn))
        skip();
    assert_int_equal(chorus_prepare(conn, "INSERT INTO t VALUES (?, ?)", -1, &ins, NULL), CHORUS_OK);
    /* Just past the threshold (4 KiB), far from the backlog that makes a
     * committer checkpoint itself (CK3): only the thread can cut the log,
     * and nothing commits while it does, so it is cut to its header. */
    while (log_end(path) <= LOG_HEADER + 4096)
        insert_row(ins, ++id);
    for (int i = 0; i < 500 && (end = log_end(path)) > LOG_HEADER; i++)
        sleep_ms(10);
    assert_int_equal(end, LOG_HEADER);
    /* Many commits: the log stays short while the connection goes on. */
    for (int i = 0; i < N_SOLO; i++) {
        insert_row(ins, ++id);
        if (i % 100 == 0 && (end = log_end(path)) > peak)
            peak = end;
    }
    chorus_finalize(ins);
    print_message("log frames end at %lld bytes at most over %d commits\n", (long long)peak, N_SOLO);
    assert_true(peak < 64 * 1024);
    assert_int_equal(test_query_int(conn, "SELECT count(*) FROM t"), id);
    chorus_disconnect(conn);
    assert_int_equal(chorus_close(db), CHORUS_OK);
}

typedef struct writer {
    chorus_db *db;
    int index;
    int failures;
} writer;

static void *
writer_main(void *arg)
{
    writer *w = arg;
    chorus_conn *conn;
    char sql[256];

    if (chorus_connect(w->db, &conn) != CHORUS_OK) {
        w->failures++;
        return NULL;
    }
    for (int i = 0; i < N_EACH; i++) {
        int64_t id = 1 + (int64_t)w->index * N_EACH + i;
        /* v = 1 per row, and a transfer between two rows of ours keeps the
         * total: the reader's sum is always the row count. */
        snprintf(sql, sizeof sql,
                 "BEGIN CONCURRENT; INSERT INTO t VALUES (%lld, 1);"
                 "UPDATE t SET v = v - 1 WHERE id = %lld; UPDATE t SET v = v + 1 WHERE id = %lld;"
                 "COMMIT",
                 (long long)id, (long long)id, (long long)(1 + (int64_t)w->index * N_EACH));
        if (chorus_exec(conn, sql) != CHORUS_OK) {
            w->failures++;
            chorus_exec(conn, "ROLLBACK");
        }
    }
    chorus_disconnect(conn);
    return NULL;
}

typedef struct reader {
    chorus_db *db;
    _Atomic bool *stop;
    int bad, rounds;
} reader;

static void *
reader_main(void *arg)
{
    reader *r = arg;
    chorus_conn *conn;

    if (chorus_connect(r->db, &conn) != CHORUS_OK) {
        r->bad++;
        return NULL;
    }
    while (!atomic_load(r->stop)) {
        if (chorus_exec(conn, "BEGIN CONCURRENT") != CHORUS_OK) {
            r->bad++;
            break;
        }
        if (test_query_int(conn, "SELECT count(*) FROM t") != test_query_int(conn, "SELECT sum(v) FROM t"))
            r->bad++;
        chorus_exec(conn, "COMMIT");
        r->rounds++;
    }
    chorus_disconnect(conn);
    return NULL;
}

static void
test_writers_and_a_reader_with_background_checkpoints(void **state)
{
    char path[512];
    chorus_db *db;
    chorus_conn *conn;
    pthread_t th[N_WRITERS], rth;
    writer ws[N_WRITERS];
    _Atomic bool stop = false;
    reader r = {.stop = &stop};
    (void)state;

    assert_non_null(test_tmpdir());
    test_path(path, sizeof path, "many.db");
    if (!open_mvcc(path, &db, &conn))
        skip();
    r.db = db;
    assert_int_equal(pthread_create(&rth, NULL, reader_main, &r), 0);
    for (int i = 0; i < N_WRITERS; i++) {
        ws[i] = (writer){.db = db, .index = i};
        assert_int_equal(pthread_create(&th[i], NULL, writer_main, &ws[i]), 0);
    }
    for (int i = 0; i < N_WRITERS; i++) {
        pthread_join(th[i], NULL);
        assert_int_equal(ws[i].failures, 0);
    }
    atomic_store(&stop, true);
    pthread_join(rth, NULL);
    print_message("reader: %d snapshots checked\n", r.rounds);
    assert_int_equal(r.bad, 0);
    /* Closed at once: a checkpoint may be running on the thread. */
    chorus_disconnect(conn);
    assert_int_equal(chorus_close(db), CHORUS_OK);

    assert_int_equal(chorus_open(path, 0, &db), CHORUS_OK);
    assert_int_equal(chorus_connect(db, &conn), CHORUS_OK);
    assert_int_equal(test_query_int(conn, "SELECT count(*) FROM t"), N_WRITERS * N_EACH);
    assert_int_equal(test_query_int(conn, "SELECT sum(v) FROM t"), N_WRITERS * N_EACH);
    chorus_stmt *stmt;
    assert_int_equal(chorus_prepare(conn, "PRAGMA integrity_check", -1, &stmt, NULL), CHORUS_OK);
    assert_int_equal(chorus_step(stmt), CHORUS_ROW);
    assert_string_equal(chorus_column_text(stmt, 0), "ok");
    chorus_finalize(stmt);
    chorus_disconnect(conn);
    assert_int_equal(chorus_close(db), CHORUS_OK);
}

static void
test_switch_to_wal_stops_the_checkpointer(void **state)
{
    char path[512], sql[96];
    chorus_db *db;
    chorus_conn *conn;
    (void)state;

    assert_non_null(test_tmpdir());
    test_path(path, sizeof path, "switch.db");
    if (!open_mvcc(path, &db, &conn))
        skip();
    for (int round = 0; round < 3; round++) {
        for (int i = 0; i < 300; i++) {
            snprintf(sql, sizeof sql, "INSERT INTO t VALUES (%d, 1)", round * 1000 + i);
            assert_int_equal(chorus_exec(conn, sql), CHORUS_OK);
        }
        assert_int_equal(chorus_exec(conn, "PRAGMA journal_mode = 'wal'"), CHORUS_OK);
        assert_int_equal(test_query_int(conn, "SELECT count(*) FROM t"), (round + 1) * 300);
        assert_int_equal(chorus_exec(conn, "PRAGMA journal_mode = 'mvcc'"), CHORUS_OK);
    }
    chorus_disconnect(conn);
    assert_int_equal(chorus_close(db), CHORUS_OK);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_teardown(test_one_writer_is_checkpointed_in_the_background, teardown),
        cmocka_unit_test_teardown(test_writers_and_a_reader_with_background_checkpoints, teardown),
        cmocka_unit_test_teardown(test_switch_to_wal_stops_the_checkpointer, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
