/*
 * tests/isolation/test_mvcc_workloads.c: invariants of journal_mode=mvcc
 * through chorus.h, with threads (run under ThreadSanitizer in CI): hot
 * counters retried by chorus_run_transaction end at the number of
 * successful commits (P4 never loses an update); concurrent appenders
 * never lose or duplicate a row (mvcc R10); a conflict names its table and
 * row (DESIGN.md "Conflicts"); autocommit writes that conflict are retried
 * by the engine itself (DESIGN.md "Transactions"). Each test skips itself while the engine does
 * not answer "mvcc".
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

enum { N_THREADS = 4, N_EACH = 150 };

typedef struct workload {
    chorus_db *db;
    _Atomic int commits;
    _Atomic int failures;
} workload;

static int
teardown(void **state)
{
    test_tmpdir_remove();
    return 0;
}

static int64_t
query_int(chorus_conn *conn, const char *sql)
{
    chorus_stmt *stmt;
    int64_t v = -1;

    assert_int_equal(chorus_prepare(conn, sql, -1, &stmt, NULL), CHORUS_OK);
    if (chorus_step(stmt) == CHORUS_ROW)
        v = chorus_column_int64(stmt, 0);
    chorus_finalize(stmt);
    return v;
}

/* Opens a database in MVCC mode with setup run first; NULL when the engine
 * cannot switch (the test then skips). */
static chorus_db *
open_mvcc(const char *setup)
{
    char path[512];
    chorus_db *db;
    chorus_conn *conn;
    chorus_stmt *stmt;
    bool on;

    assert_non_null(test_tmpdir());
    test_path(path, sizeof path, "work.db");
    assert_int_equal(chorus_open(path, 0, &db), CHORUS_OK);
    assert_int_equal(chorus_connect(db, &conn), CHORUS_OK);
    assert_int_equal(chorus_exec(conn, setup), CHORUS_OK);
    on = chorus_prepare(conn, "PRAGMA journal_mode = 'mvcc'", -1, &stmt, NULL) == CHORUS_OK
         && chorus_step(stmt) == CHORUS_ROW && chorus_column_text(stmt, 0) != NULL
         && strcmp(chorus_column_text(stmt, 0), "mvcc") == 0;
    chorus_finalize(stmt);
    chorus_disconnect(conn);
    if (!on) {
        chorus_close(db);
        return NULL;
    }
    return db;
}

static int
increment(chorus_conn *conn, void *arg)
{
    return chorus_exec(conn, "UPDATE counter SET n = n + 1 WHERE id = 1");
}

static void *
counter_main(void *arg)
{
    workload *w = arg;
    chorus_conn *conn;

    if (chorus_connect(w->db, &conn) != CHORUS_OK) {
        atomic_fetch_add(&w->failures, 1);
        return NULL;
    }
    for (int i = 0; i < N_EACH; i++) {
        int rc = chorus_run_transaction(conn, CHORUS_TX_CONCURRENT, 1000, increment, NULL);
        if (rc == CHORUS_OK)
            atomic_fetch_add(&w->commits, 1);
        else if (rc != CHORUS_CONFLICT)
            atomic_fetch_add(&w->failures, 1);
    }
    chorus_disconnect(conn);
    return NULL;
}

static void
test_hot_counter_ends_at_the_number_of_successful_commits(void **state)
{
    pthread_t th[N_THREADS];
    workload w = {0};
    chorus_conn *conn;

    w.db = open_mvcc("CREATE TABLE counter(id INTEGER PRIMARY KEY, n INT);"
                     "INSERT INTO counter VALUES (1, 0)");
    if (w.db == NULL)
        skip();
    for (int i = 0; i < N_THREADS; i++)
        assert_int_equal(pthread_create(&th[i], NULL, counter_main, &w), 0);
    for (int i = 0; i < N_THREADS; i++)
        pthread_join(th[i], NULL);
    assert_int_equal(atomic_load(&w.failures), 0);
    assert_int_equal(chorus_connect(w.db, &conn), CHORUS_OK);
    assert_int_equal(query_int(conn, "SELECT n FROM counter WHERE id = 1"),
                     atomic_load(&w.commits));
    assert_true(atomic_load(&w.commits) > 0);
    chorus_disconnect(conn);
    assert_int_equal(chorus_close(w.db), CHORUS_OK);
}

static void *
appender_main(void *arg)
{
    workload *w = arg;
    chorus_conn *conn;

    if (chorus_connect(w->db, &conn) != CHORUS_OK) {
        atomic_fetch_add(&w->failures, 1);
        return NULL;
    }
    for (int i = 0; i < N_EACH; i++) {
        if (chorus_exec(conn, "INSERT INTO log(msg) VALUES ('x')") == CHORUS_OK)
            atomic_fetch_add(&w->commits, 1);
        else
            atomic_fetch_add(&w->failures, 1);
    }
    chorus_disconnect(conn);
    return NULL;
}

static void
test_concurrent_appenders_neither_lose_nor_duplicate_rows(void **state)
{
    pthread_t th[N_THREADS];
    workload w = {0};
    chorus_conn *conn;

    w.db = open_mvcc("CREATE TABLE log(id INTEGER PRIMARY KEY, msg TEXT)");
    if (w.db == NULL)
        skip();
    for (int i = 0; i < N_THREADS; i++)
        assert_int_equal(pthread_create(&th[i], NULL, appender_main, &w), 0);
    for (int i = 0; i < N_THREADS; i++)
        pthread_join(th[i], NULL);
    assert_int_equal(atomic_load(&w.failures), 0);
    assert_int_equal(atomic_load(&w.commits), N_THREADS * N_EACH);
    assert_int_equal(chorus_connect(w.db, &conn), CHORUS_OK);
    assert_int_equal(query_int(conn, "SELECT count(*) FROM log"), N_THREADS * N_EACH);
    assert_int_equal(query_int(conn, "SELECT count(DISTINCT id) FROM log"), N_THREADS * N_EACH);
    chorus_disconnect(conn);
    assert_int_equal(chorus_close(w.db), CHORUS_OK);
}

static void *
autocommit_counter_main(void *arg)
{
    workload *w = arg;
    chorus_conn *conn;

    if (chorus_connect(w->db, &conn) != CHORUS_OK) {
        atomic_fetch_add(&w->failures, 1);
        return NULL;
    }
    for (int i = 0; i < N_EACH; i++) {
        if (chorus_exec(conn, "UPDATE counter SET n = n + 1 WHERE id = 1") == CHORUS_OK)
            atomic_fetch_add(&w->commits, 1);
        else
            atomic_fetch_add(&w->failures, 1);
    }
    chorus_disconnect(conn);
    return NULL;
}

static void
test_autocommit_updates_of_one_row_are_retried_by_the_engine(void **state)
{
    pthread_t th[N_THREADS];
    workload w = {0};
    chorus_conn *conn;

    w.db = open_mvcc("CREATE TABLE counter(id INTEGER PRIMARY KEY, n INT);"
                     "INSERT INTO counter VALUES (1, 0)");
    if (w.db == NULL)
        skip();
    for (int i = 0; i < N_THREADS; i++)
        assert_int_equal(pthread_create(&th[i], NULL, autocommit_counter_main, &w), 0);
    for (int i = 0; i < N_THREADS; i++)
        pthread_join(th[i], NULL);
    assert_int_equal(atomic_load(&w.failures), 0);
    assert_int_equal(chorus_connect(w.db, &conn), CHORUS_OK);
    assert_int_equal(query_int(conn, "SELECT n FROM counter WHERE id = 1"), N_THREADS * N_EACH);
    chorus_disconnect(conn);
    assert_int_equal(chorus_close(w.db), CHORUS_OK);
}

static void
test_conflict_message_names_the_table_and_the_row(void **state)
{
    chorus_db *db = open_mvcc("CREATE TABLE accounts(id INTEGER PRIMARY KEY, n INT);"
                              "INSERT INTO accounts VALUES (42, 0)");
    chorus_conn *a, *b;

    if (db == NULL)
        skip();
    assert_int_equal(chorus_connect(db, &a), CHORUS_OK);
    assert_int_equal(chorus_connect(db, &b), CHORUS_OK);
    assert_int_equal(chorus_exec(a, "BEGIN CONCURRENT; UPDATE accounts SET n = 1 WHERE id = 42"),
                     CHORUS_OK);
    assert_int_equal(chorus_exec(b, "BEGIN CONCURRENT; UPDATE accounts SET n = 2 WHERE id = 42"),
                     CHORUS_CONFLICT);
    assert_non_null(strstr(chorus_errmsg(b), "accounts"));
    assert_non_null(strstr(chorus_errmsg(b), "42"));
    assert_int_equal(chorus_exec(b, "SELECT * FROM accounts"), CHORUS_CONFLICT);    /* doomed */
    assert_int_equal(chorus_exec(b, "ROLLBACK"), CHORUS_OK);
    assert_int_equal(chorus_exec(a, "COMMIT"), CHORUS_OK);
    assert_int_equal(query_int(b, "SELECT n FROM accounts WHERE id = 42"), 1);
    chorus_disconnect(a);
    chorus_disconnect(b);
    assert_int_equal(chorus_close(db), CHORUS_OK);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_teardown(test_hot_counter_ends_at_the_number_of_successful_commits,
                                  teardown),
        cmocka_unit_test_teardown(test_concurrent_appenders_neither_lose_nor_duplicate_rows,
                                  teardown),
        cmocka_unit_test_teardown(test_autocommit_updates_of_one_row_are_retried_by_the_engine,
                                  teardown),
        cmocka_unit_test_teardown(test_conflict_message_names_the_table_and_the_row, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
