/*
 * tests/mvcc/test_drop_reclaim.c: dropped version maps are freed while the
 * engine runs (mvcc/store.c D3, gc.c G6), seen through chorus.h in
 * journal_mode=mvcc. One connection creates, fills, indexes and drops a
 * table over and over; others read it and a steady table meanwhile, with
 * transactions that span the drops, and one writes the steady table. Meant
 * for the ASan build (ci/test): a map freed while a cursor, a write list or
 * a checkpoint could still reach it shows as a use after free. Errors that
 * the schema change itself explains (no such table, schema changed) are
 * expected; the steady table's rows must all be there at the end.
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
#include <cmocka.h>

#include "chorus.h"
#include "test_support.h"

enum { ROUNDS = 150, ROWS = 20, N_READERS = 2 };

typedef struct worker {
    chorus_db *db;
    _Atomic bool *stop;
    int64_t n_done;             /* written by the thread, read after join */
    int rc;                     /* an unexpected failure's code, else CHORUS_OK */
} worker;

static int
teardown(void **state)
{
    (void)state;
    test_tmpdir_remove();
    return 0;
}

/* Failures a concurrent DROP TABLE explains. */
static bool
explained_by_the_drop(int rc)
{
    return rc == CHORUS_ERROR || (rc & 0xff) == CHORUS_CONFLICT || (rc & 0xff) == CHORUS_BUSY;
}

/* Steps a statement to its end; the last step's code. */
static int
run_all(chorus_conn *conn, const char *sql)
{
    chorus_stmt *stmt;
    int rc = chorus_prepare(conn, sql, -1, &stmt, NULL);

    if (rc != CHORUS_OK)
        return rc;
    while ((rc = chorus_step(stmt)) == CHORUS_ROW)
        ;
    chorus_finalize(stmt);
    return rc == CHORUS_DONE ? CHORUS_OK : rc;
}

static void *
reader_main(void *arg)
{
    worker *w = arg;
    chorus_conn *conn;

    if (chorus_connect(w->db, &conn) != CHORUS_OK) {
        w->rc = CHORUS_CANTOPEN;
        return NULL;
    }
    while (!atomic_load(w->stop)) {
        int rc = chorus_exec(conn, "BEGIN");
        if (rc == CHORUS_OK)
            rc = run_all(conn, "SELECT count(*), sum(v) FROM steady");
        if (rc == CHORUS_OK) {
            int dropped = run_all(conn, "SELECT x, count(*) FROM d WHERE x > 3 GROUP BY x");
            if (dropped != CHORUS_OK && !explained_by_the_drop(dropped))
                rc = dropped;
        }
        if (rc == CHORUS_OK)
            rc = run_all(conn, "SELECT count(*) FROM steady");
        chorus_exec(conn, "ROLLBACK");
        if (rc != CHORUS_OK && !explained_by_the_drop(rc)) {
            w->rc = rc;
            break;
        }
        w->n_done++;
    }
    chorus_disconnect(conn);
    return NULL;
}

static void *
writer_main(void *arg)
{
    worker *w = arg;
    chorus_conn *conn;
    char sql[96];

    if (chorus_connect(w->db, &conn) != CHORUS_OK) {
        w->rc = CHORUS_CANTOPEN;
        return NULL;
    }
    while (!atomic_load(w->stop)) {
        snprintf(sql, sizeof sql, "INSERT INTO steady VALUES (%lld, 1)", (long long)w->n_done + 1);
        int rc = chorus_exec(conn, sql);
        if (rc == CHORUS_OK)
            w->n_done++;
        else if (!explained_by_the_drop(rc)) {
            w->rc = rc;
            break;
        }
    }
    chorus_disconnect(conn);
    return NULL;
}

static void
test_tables_dropped_under_readers_and_writers(void **state)
{
    char path[512], sql[96];
    chorus_db *db;
    chorus_conn *conn;
    chorus_stmt *stmt;
    _Atomic bool stop = false;
    worker ws[N_READERS + 1];
    pthread_t th[N_READERS + 1];
    bool on;

    (void)state;
    assert_non_null(test_tmpdir());
    test_path(path, sizeof path, "drops.db");
    assert_int_equal(chorus_open(path, 0, &db), CHORUS_OK);
    assert_int_equal(chorus_connect(db, &conn), CHORUS_OK);
    on = chorus_prepare(conn, "PRAGMA journal_mode = 'mvcc'", -1, &stmt, NULL) == CHORUS_OK
         && chorus_step(stmt) == CHORUS_ROW && chorus_column_text(stmt, 0) != NULL
         && strcmp(chorus_column_text(stmt, 0), "mvcc") == 0;
    chorus_finalize(stmt);
    if (!on) {
        chorus_disconnect(conn);
        chorus_close(db);
        skip();
    }
    assert_int_equal(chorus_exec(conn, "PRAGMA busy_timeout = 5000;"
                                       "CREATE TABLE steady(id INTEGER PRIMARY KEY, v INTEGER)"),
                     CHORUS_OK);
    for (int i = 0; i <= N_READERS; i++) {
        ws[i] = (worker){.db = db, .stop = &stop};
        assert_int_equal(pthread_create(&th[i], NULL, i < N_READERS ? reader_main : writer_main,
                                        &ws[i]),
                         0);
    }
    for (int round = 0; round < ROUNDS; round++) {
        assert_int_equal(chorus_exec(conn, "CREATE TABLE d(x INTEGER, y TEXT)"), CHORUS_OK);
        for (int i = 0; i < ROWS; i++) {
            snprintf(sql, sizeof sql, "INSERT INTO d VALUES (%d, 'round %d')", i, round);
            assert_int_equal(chorus_exec(conn, sql), CHORUS_OK);
        }
        assert_int_equal(chorus_exec(conn, "CREATE INDEX d_x ON d(x)"), CHORUS_OK);
        assert_int_equal(chorus_exec(conn, "UPDATE d SET y = 'again' WHERE x < 5"), CHORUS_OK);
        assert_int_equal(chorus_exec(conn, "DROP TABLE d"), CHORUS_OK);
    }
    atomic_store(&stop, true);
    for (int i = 0; i <= N_READERS; i++) {
        pthread_join(th[i], NULL);
        assert_int_equal(ws[i].rc, CHORUS_OK);
    }
    print_message("%d drops; %lld read transactions, %lld steady inserts beside them\n", ROUNDS,
                  (long long)(ws[0].n_done + ws[1].n_done), (long long)ws[N_READERS].n_done);
    snprintf(sql, sizeof sql, "SELECT count(*) FROM steady");
    assert_int_equal(chorus_prepare(conn, sql, -1, &stmt, NULL), CHORUS_OK);
    assert_int_equal(chorus_step(stmt), CHORUS_ROW);
    assert_int_equal(chorus_column_int64(stmt, 0), ws[N_READERS].n_done);
    chorus_finalize(stmt);
    assert_int_equal(chorus_prepare(conn, "PRAGMA integrity_check", -1, &stmt, NULL), CHORUS_OK);
    assert_int_equal(chorus_step(stmt), CHORUS_ROW);
    assert_string_equal(chorus_column_text(stmt, 0), "ok");
    chorus_finalize(stmt);
    chorus_disconnect(conn);
    assert_int_equal(chorus_close(db), CHORUS_OK);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_teardown(test_tables_dropped_under_readers_and_writers, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
