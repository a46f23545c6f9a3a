/*
 * tests/isolation/test_mvcc_workloads.c: invariants of journal_mode=mvcc
 * through chorus.h, with threads (run under ThreadSanitizer in CI): hot
 * counters retried by chorus_run_transaction end at the number of
 * successful commits (P4 never loses an update); concurrent appenders
 * never lose or duplicate a row (mvcc R10); a conflict names its table and
 * row (DESIGN.md "Conflicts"); autocommit writes that conflict are retried
 * by the engine itself (DESIGN.md "Transactions"). The thread loops are
 * mvcc_workers.c's. Each test skips itself while the engine does not
 * answer "mvcc".
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "chorus.h"
#include "mvcc_workers.h"
#include "test_support.h"

enum { N_THREADS = 4, N_EACH = 150 };

static int
teardown(void **state)
{
    (void)state;
    test_tmpdir_remove();
    return 0;
}

static int
increment(chorus_conn *conn, void *arg)
{
    (void)arg;
    return chorus_exec(conn, "UPDATE counter SET n = n + 1 WHERE id = 1");
}

/* A retried transaction; CHORUS_CONFLICT after the attempts ran out. */
static int
counter_step(mw_group *g, chorus_conn *conn, int thread, int i)
{
    (void)g, (void)thread, (void)i;
    return chorus_run_transaction(conn, CHORUS_TX_CONCURRENT, 1000, increment, NULL);
}

static void
test_hot_counter_ends_at_the_number_of_successful_commits(void **state)
{
    mw_group g = {.step = counter_step, .n_threads = N_THREADS, .n_steps = N_EACH};
    chorus_conn *conn;

    (void)state;
    g.db = mw_open_mvcc("work.db", "CREATE TABLE counter(id INTEGER PRIMARY KEY, n INT);"
                                   "INSERT INTO counter VALUES (1, 0)");
    if (g.db == NULL)
        skip();
    mw_group_start(&g);
    mw_group_join(&g);
    mw_group_assert_clean(&g, "counters");
    assert_int_equal(chorus_connect(g.db, &conn), CHORUS_OK);
    assert_int_equal(mw_query_int(conn, "SELECT n FROM counter WHERE id = 1"),
                     atomic_load(&g.commits));
    assert_true(atomic_load(&g.commits) > 0);
    chorus_disconnect(conn);
    assert_int_equal(chorus_close(g.db), CHORUS_OK);
}

static int
append_step(mw_group *g, chorus_conn *conn, int thread, int i)
{
    (void)g, (void)thread, (void)i;
    return chorus_exec(conn, "INSERT INTO log(msg) VALUES ('x')");
}

static void
test_concurrent_appenders_neither_lose_nor_duplicate_rows(void **state)
{
    mw_group g = {.step = append_step, .n_threads = N_THREADS, .n_steps = N_EACH};
    chorus_conn *conn;

    (void)state;
    g.db = mw_open_mvcc("work.db", "CREATE TABLE log(id INTEGER PRIMARY KEY, msg TEXT)");
    if (g.db == NULL)
        skip();
    mw_group_start(&g);
    mw_group_join(&g);
    mw_group_assert_clean(&g, "appenders");
    assert_int_equal(atomic_load(&g.commits), N_THREADS * N_EACH);
    assert_int_equal(chorus_connect(g.db, &conn), CHORUS_OK);
    assert_int_equal(mw_query_int(conn, "SELECT count(*) FROM log"), N_THREADS * N_EACH);
    assert_int_equal(mw_query_int(conn, "SELECT count(DISTINCT id) FROM log"), N_THREADS * N_EACH);
    chorus_disconnect(conn);
    assert_int_equal(chorus_close(g.db), CHORUS_OK);
}

/* Autocommit: the engine retries a conflicting statement itself, so every
 * step must succeed (a conflict counts as a failure here). */
static int
autocommit_counter_step(mw_group *g, chorus_conn *conn, int thread, int i)
{
    int rc = chorus_exec(conn, "UPDATE counter SET n = n + 1 WHERE id = 1");

    (void)thread, (void)i;
    return rc == CHORUS_CONFLICT ? mw_group_fail(g, "autocommit conflict: %s", chorus_errmsg(conn))
                                 : rc;
}

static void
test_autocommit_updates_of_one_row_are_retried_by_the_engine(void **state)
{
    mw_group g = {.step = autocommit_counter_step, .n_threads = N_THREADS, .n_steps = N_EACH};
    chorus_conn *conn;

    (void)state;
    g.db = mw_open_mvcc("work.db", "CREATE TABLE counter(id INTEGER PRIMARY KEY, n INT);"
                                   "INSERT INTO counter VALUES (1, 0)");
    if (g.db == NULL)
        skip();
    mw_group_start(&g);
    mw_group_join(&g);
    mw_group_assert_clean(&g, "autocommit counters");
    assert_int_equal(chorus_connect(g.db, &conn), CHORUS_OK);
    assert_int_equal(mw_query_int(conn, "SELECT n FROM counter WHERE id = 1"), N_THREADS * N_EACH);
    chorus_disconnect(conn);
    assert_int_equal(chorus_close(g.db), CHORUS_OK);
}

static void
test_conflict_message_names_the_table_and_the_row(void **state)
{
    chorus_db *db = mw_open_mvcc("work.db", "CREATE TABLE accounts(id INTEGER PRIMARY KEY, n INT);"
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
    assert_int_equal(mw_query_int(b, "SELECT n FROM accounts WHERE id = 42"), 1);
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
