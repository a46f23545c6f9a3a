/*
 * tests/c-api/test_connection.c: connections (c-api/connection.c):
 * chorus_connect / chorus_disconnect, chorus_exec, error getters, change
 * counters, last insert rowid, transaction state, busy timeout, interrupt.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <pthread.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

#include "capi_fixture.h"
#include "chorus.h"

static int
setup(void **state)
{
    return capi_fixture_setup(state, NULL);
}

static void
test_exec_runs_every_statement(void **state)
{
    capi_fixture *f = *state;

    assert_int_equal(chorus_exec(f->conn, "CREATE TABLE t(x); INSERT INTO t VALUES (1);"
                                          "INSERT INTO t VALUES (2); -- trailing comment"),
                     CHORUS_OK);
    assert_int_equal(chorus_errcode(f->conn), CHORUS_OK);
    assert_int_equal(chorus_last_insert_rowid(f->conn), 2);
}

static void
test_exec_of_empty_and_comment_only_text_is_ok(void **state)
{
    capi_fixture *f = *state;

    assert_int_equal(chorus_exec(f->conn, ""), CHORUS_OK);
    assert_int_equal(chorus_exec(f->conn, "  /* nothing */ -- here\n ;;"), CHORUS_OK);
}

static void
test_exec_stops_at_the_first_failure_with_its_message(void **state)
{
    capi_fixture *f = *state;
    chorus_stmt *stmt;

    assert_int_equal(chorus_exec(f->conn, "CREATE TABLE t(x); SELECT * FROM nope;"
                                          "CREATE TABLE u(y)"),
                     CHORUS_ERROR);
    assert_int_equal(chorus_errcode(f->conn), CHORUS_ERROR);
    assert_non_null(strstr(chorus_errmsg(f->conn), "no such table: nope"));
    /* u was never created: exec stopped at the failure. */
    assert_int_equal(chorus_prepare(f->conn, "SELECT * FROM u", -1, &stmt, NULL), CHORUS_ERROR);
}

static void
test_exec_reports_a_constraint_with_its_extended_code(void **state)
{
    capi_fixture *f = *state;

    assert_int_equal(chorus_exec(f->conn, "CREATE TABLE t(x UNIQUE); INSERT INTO t VALUES (1)"),
                     CHORUS_OK);
    assert_int_equal(chorus_exec(f->conn, "INSERT INTO t VALUES (1)"), CHORUS_CONSTRAINT);
    assert_int_equal(chorus_errcode(f->conn), CHORUS_CONSTRAINT);
    assert_int_equal(chorus_extended_errcode(f->conn), CHORUS_CONSTRAINT_UNIQUE);
    assert_non_null(strstr(chorus_errmsg(f->conn), "UNIQUE constraint failed: t.x"));
}

static void
test_success_clears_the_previous_error(void **state)
{
    capi_fixture *f = *state;

    assert_int_equal(chorus_exec(f->conn, "SELEC 1"), CHORUS_ERROR);
    assert_int_equal(chorus_exec(f->conn, "SELECT 1"), CHORUS_OK);
    assert_int_equal(chorus_errcode(f->conn), CHORUS_OK);
}

static void
test_exec_with_null_arguments_is_misuse(void **state)
{
    capi_fixture *f = *state;

    assert_int_equal(chorus_exec(NULL, "SELECT 1"), CHORUS_MISUSE);
    assert_int_equal(chorus_exec(f->conn, NULL), CHORUS_MISUSE);
    assert_int_equal(chorus_errcode(f->conn), CHORUS_MISUSE);
}

static void
test_error_getters_of_null_connection_report_misuse(void **state)
{
    (void)state;
    assert_int_equal(chorus_errcode(NULL), CHORUS_MISUSE);
    assert_int_equal(chorus_extended_errcode(NULL), CHORUS_MISUSE);
    assert_non_null(chorus_errmsg(NULL));
    assert_int_equal(chorus_changes(NULL), 0);
    assert_int_equal(chorus_total_changes(NULL), 0);
    assert_int_equal(chorus_last_insert_rowid(NULL), 0);
    assert_int_equal(chorus_in_transaction(NULL), 0);
    assert_int_equal(chorus_busy_timeout(NULL, 10), CHORUS_MISUSE);
    chorus_interrupt(NULL);     /* a no-op, not a crash */
}

static void
test_changes_count_the_last_statement_and_total_counts_all(void **state)
{
    capi_fixture *f = *state;

    assert_int_equal(chorus_exec(f->conn, "CREATE TABLE t(x);"
                                          "INSERT INTO t VALUES (1), (2), (3)"),
                     CHORUS_OK);
    assert_int_equal(chorus_changes(f->conn), 3);
    assert_int_equal(chorus_exec(f->conn, "UPDATE t SET x = x + 1 WHERE x > 1"), CHORUS_OK);
    assert_int_equal(chorus_changes(f->conn), 2);
    assert_int_equal(chorus_total_changes(f->conn), 5);
}

static void
test_last_insert_rowid_follows_inserts(void **state)
{
    capi_fixture *f = *state;

    assert_int_equal(chorus_last_insert_rowid(f->conn), 0);
    assert_int_equal(chorus_exec(f->conn, "CREATE TABLE t(id INTEGER PRIMARY KEY, x);"
                                          "INSERT INTO t VALUES (41, 'a');"
                                          "INSERT INTO t(x) VALUES ('b')"),
                     CHORUS_OK);
    assert_int_equal(chorus_last_insert_rowid(f->conn), 42);
}

static void
test_in_transaction_follows_begin_and_commit(void **state)
{
    capi_fixture *f = *state;

    assert_int_equal(chorus_in_transaction(f->conn), 0);
    assert_int_equal(chorus_exec(f->conn, "BEGIN"), CHORUS_OK);
    assert_int_equal(chorus_in_transaction(f->conn), 1);
    assert_int_equal(chorus_exec(f->conn, "COMMIT"), CHORUS_OK);
    assert_int_equal(chorus_in_transaction(f->conn), 0);
}

static void
test_busy_timeout_accepts_any_value(void **state)
{
    capi_fixture *f = *state;

    assert_int_equal(chorus_busy_timeout(f->conn, 0), CHORUS_OK);
    assert_int_equal(chorus_busy_timeout(f->conn, -5), CHORUS_OK);
    assert_int_equal(chorus_busy_timeout(f->conn, 100), CHORUS_OK);
}

static void
test_interrupt_before_a_statement_does_not_break_the_connection(void **state)
{
    capi_fixture *f = *state;

    /* An interrupt with nothing running may or may not hit the next
     * statement; afterwards the connection must work as before. */
    chorus_interrupt(f->conn);
    chorus_exec(f->conn, "SELECT 1");
    assert_int_equal(chorus_exec(f->conn, "SELECT 1"), CHORUS_OK);
}

static void *
interrupt_later(void *arg)
{
    struct timespec pause = { 0, 50 * 1000 * 1000 };

    nanosleep(&pause, NULL);
    chorus_interrupt(arg);
    return NULL;
}

static void
test_interrupt_from_another_thread_stops_a_long_query(void **state)
{
    capi_fixture *f = *state;
    pthread_t thread;
    int rc;

    /* 512 rows joined three ways: over 10^8 rows, seconds of work. */
    assert_int_equal(chorus_exec(f->conn, "CREATE TABLE big(x); INSERT INTO big VALUES (1)"),
                     CHORUS_OK);
    for (int i = 0; i < 9; i++)
        assert_int_equal(chorus_exec(f->conn, "INSERT INTO big SELECT x FROM big"), CHORUS_OK);
    assert_int_equal(pthread_create(&thread, NULL, interrupt_later, f->conn), 0);
    rc = chorus_exec(f->conn, "SELECT count(*) FROM big a, big b, big c");
    assert_int_equal(pthread_join(thread, NULL), 0);
    assert_int_equal(rc, CHORUS_INTERRUPT);
    assert_int_equal(chorus_exec(f->conn, "SELECT 1"), CHORUS_OK);
}

static void
test_disconnect_finalizes_statements_which_become_misuse(void **state)
{
    chorus_db *db;
    chorus_conn *conn;
    chorus_stmt *a, *b;

    (void)state;
    assert_int_equal(chorus_open(":memory:", 0, &db), CHORUS_OK);
    assert_int_equal(chorus_connect(db, &conn), CHORUS_OK);
    assert_int_equal(chorus_prepare(conn, "SELECT 1", -1, &a, NULL), CHORUS_OK);
    assert_int_equal(chorus_prepare(conn, "SELECT 2", -1, &b, NULL), CHORUS_OK);
    assert_int_equal(chorus_step(a), CHORUS_ROW);
    assert_int_equal(chorus_disconnect(conn), CHORUS_OK);
    assert_int_equal(chorus_step(a), CHORUS_MISUSE);
    assert_int_equal(chorus_step(b), CHORUS_MISUSE);
    assert_int_equal(chorus_finalize(b), CHORUS_MISUSE);
    assert_int_equal(chorus_exec(conn, "SELECT 1"), CHORUS_MISUSE);
    assert_int_equal(chorus_disconnect(conn), CHORUS_MISUSE);
    assert_int_equal(chorus_close(db), CHORUS_OK);
}

static void
test_disconnect_of_null_is_ok(void **state)
{
    (void)state;
    assert_int_equal(chorus_disconnect(NULL), CHORUS_OK);
}

static void
test_disconnect_rolls_back_an_open_transaction(void **state)
{
    chorus_db *db;
    chorus_conn *a, *b;
    chorus_stmt *stmt;

    (void)state;
    assert_int_equal(chorus_open(":memory:", 0, &db), CHORUS_OK);
    assert_int_equal(chorus_connect(db, &a), CHORUS_OK);
    assert_int_equal(chorus_connect(db, &b), CHORUS_OK);
    assert_int_equal(chorus_exec(a, "CREATE TABLE t(x)"), CHORUS_OK);
    assert_int_equal(chorus_exec(a, "BEGIN; INSERT INTO t VALUES (1)"), CHORUS_OK);
    assert_int_equal(chorus_disconnect(a), CHORUS_OK);
    assert_int_equal(chorus_prepare(b, "SELECT count(*) FROM t", -1, &stmt, NULL), CHORUS_OK);
    assert_int_equal(chorus_step(stmt), CHORUS_ROW);
    assert_int_equal(chorus_column_int64(stmt, 0), 0);
    chorus_finalize(stmt);
    chorus_disconnect(b);
    assert_int_equal(chorus_close(db), CHORUS_OK);
}

/* As SQLite: an in-memory database keeps its journal in memory and stays so. */
static void
test_journal_mode_of_an_in_memory_database_is_memory(void **state)
{
    capi_fixture *f = *state;

    capi_assert_query(f->conn, "PRAGMA journal_mode", "memory");
    capi_assert_query(f->conn, "PRAGMA journal_mode = wal", "memory");
    capi_assert_query(f->conn, "SELECT * FROM pragma_journal_mode", "memory");
}

int
main(void)
{
#define T(name) cmocka_unit_test_setup_teardown(name, setup, capi_fixture_teardown)
    const struct CMUnitTest tests[] = {
        T(test_exec_runs_every_statement),
        T(test_exec_of_empty_and_comment_only_text_is_ok),
        T(test_exec_stops_at_the_first_failure_with_its_message),
        T(test_exec_reports_a_constraint_with_its_extended_code),
        T(test_success_clears_the_previous_error),
        T(test_exec_with_null_arguments_is_misuse),
        cmocka_unit_test(test_error_getters_of_null_connection_report_misuse),
        T(test_changes_count_the_last_statement_and_total_counts_all),
        T(test_last_insert_rowid_follows_inserts),
        T(test_in_transaction_follows_begin_and_commit),
        T(test_busy_timeout_accepts_any_value),
        T(test_journal_mode_of_an_in_memory_database_is_memory),
        T(test_interrupt_before_a_statement_does_not_break_the_connection),
        T(test_interrupt_from_another_thread_stops_a_long_query),
        cmocka_unit_test(test_disconnect_finalizes_statements_which_become_misuse),
        cmocka_unit_test(test_disconnect_of_null_is_ok),
        cmocka_unit_test(test_disconnect_rolls_back_an_open_transaction),
    };
#undef T
    return cmocka_run_group_tests(tests, NULL, NULL);
}
