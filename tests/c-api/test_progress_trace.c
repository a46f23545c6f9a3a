/*
 * tests/c-api/test_progress_trace.c: chorus_progress_handler and chorus_trace
 * (c-api/callback.c over core/vm conn.c vm_run_tick and stmt.c M6): the
 * handler runs during long statements and at the start of every statement,
 * stops them with "interrupted" when it returns nonzero, and goes away with
 * n < 1; the trace sees every
 * run of every statement once, with its text as prepared, and goes away
 * with NULL; NULL connections are misuse.
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

#include "capi_fixture.h"
#include "chorus.h"

static const char count_sql[] =
    "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 2000)"
    " SELECT count(*) FROM n, (SELECT 1 UNION ALL SELECT 2)";

static int
setup(void **state)
{
    return capi_fixture_setup(state, "CREATE TABLE t(x); INSERT INTO t VALUES (1), (2), (3)");
}

/* Counts its calls in *arg; asks to stop once the count reaches stop_at. */
typedef struct progress_log {
    int calls, stop_at;
} progress_log;

static int
progress_count(void *arg)
{
    progress_log *log = arg;

    return ++log->calls == log->stop_at;
}

static void
test_progress_handler_runs_during_a_long_statement(void **state)
{
    capi_fixture *f = *state;
    progress_log log = {0, -1};

    assert_int_equal(chorus_progress_handler(f->conn, 100, progress_count, &log), CHORUS_OK);
    assert_int_equal(capi_query_int(f->conn, count_sql), 4000);
    assert_true(log.calls >= 10);
    assert_int_equal(chorus_progress_handler(f->conn, 0, progress_count, &log), CHORUS_OK);
    log.calls = 0;
    assert_int_equal(capi_query_int(f->conn, count_sql), 4000);
    assert_int_equal(log.calls, 0);
}

static void
test_progress_handler_stops_the_statement(void **state)
{
    capi_fixture *f = *state;
    progress_log log = {0, 3};

    assert_int_equal(chorus_progress_handler(f->conn, 10, progress_count, &log), CHORUS_OK);
    capi_assert_query_fails(f->conn, count_sql, CHORUS_INTERRUPT, "interrupted");
    log = (progress_log){0, 1};
    assert_int_equal(chorus_progress_handler(f->conn, 1, progress_count, &log), CHORUS_OK);
    assert_int_equal(chorus_exec(f->conn, "CREATE TABLE u(x)"), CHORUS_INTERRUPT);
    assert_string_equal(chorus_errmsg(f->conn), "interrupted");
    assert_int_equal(chorus_exec(f->conn, "CREATE TABLE u(x)"), CHORUS_OK);
    assert_int_equal(chorus_exec(f->conn, "INSERT INTO t SELECT x + 10 FROM t"), CHORUS_OK);
    assert_int_equal(chorus_progress_handler(f->conn, 10, NULL, NULL), CHORUS_OK);
    assert_int_equal(capi_query_int(f->conn, "SELECT count(*) FROM t"), 6);
}

/* Appends each traced text to the buffer *arg, one per line. */
static void
trace_append(void *arg, const char *sql)
{
    char *buf = arg;

    snprintf(buf + strlen(buf), 512 - strlen(buf), "%s\n", sql);
}

static void
test_trace_sees_each_run_of_each_statement(void **state)
{
    capi_fixture *f = *state;
    char seen[512] = "";
    chorus_stmt *stmt;

    assert_int_equal(chorus_trace(f->conn, trace_append, seen), CHORUS_OK);
    assert_int_equal(chorus_exec(f->conn, "SELECT 1; UPDATE t SET x = x"), CHORUS_OK);
    assert_int_equal(chorus_prepare(f->conn, "SELECT x FROM t WHERE x > ?1", -1, &stmt, NULL),
                     CHORUS_OK);
    assert_string_equal(seen, "SELECT 1;\n UPDATE t SET x = x\n");
    assert_int_equal(chorus_bind_int64(stmt, 1, 1), CHORUS_OK);
    assert_int_equal(chorus_step(stmt), CHORUS_ROW);
    assert_int_equal(chorus_step(stmt), CHORUS_ROW);
    assert_int_equal(chorus_reset(stmt), CHORUS_OK);
    assert_int_equal(chorus_step(stmt), CHORUS_ROW);
    chorus_finalize(stmt);
    assert_string_equal(seen, "SELECT 1;\n UPDATE t SET x = x\n"
                              "SELECT x FROM t WHERE x > ?1\nSELECT x FROM t WHERE x > ?1\n");
    assert_int_equal(chorus_trace(f->conn, NULL, NULL), CHORUS_OK);
    assert_int_equal(chorus_exec(f->conn, "SELECT 2"), CHORUS_OK);
    assert_int_equal(strlen(seen), strlen("SELECT 1;\n UPDATE t SET x = x\n") +
                                       2 * strlen("SELECT x FROM t WHERE x > ?1\n"));
}

static void
test_null_connections_are_misuse(void **state)
{
    (void)state;
    assert_int_equal(chorus_progress_handler(NULL, 1, progress_count, NULL), CHORUS_MISUSE);
    assert_int_equal(chorus_trace(NULL, trace_append, NULL), CHORUS_MISUSE);
}

int
main(void)
{
#define T(name) cmocka_unit_test_setup_teardown(name, setup, capi_fixture_teardown)
    const struct CMUnitTest tests[] = {
        T(test_progress_handler_runs_during_a_long_statement),
        T(test_progress_handler_stops_the_statement),
        T(test_trace_sees_each_run_of_each_statement),
        T(test_null_connections_are_misuse),
    };
#undef T
    return cmocka_run_group_tests(tests, NULL, NULL);
}
