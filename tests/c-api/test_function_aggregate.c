/*
 * tests/c-api/test_function_aggregate.c: application-defined aggregates and
 * window functions (c-api/function.c F2, callback.c): GROUP BY, empty
 * groups, DISTINCT, sliding frames and partitions (expected results from
 * sqlite3's built-in sum over the same data), errors from step, value and
 * final, and that final runs exactly once for every context step began,
 * also when a statement stops inside a group.
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

/* What the callbacks count, checked by the tests. */
static int contexts_made, finals_run;

static int
setup(void **state)
{
    contexts_made = finals_run = 0;
    return capi_fixture_setup(state, "CREATE TABLE t(g, x); INSERT INTO t VALUES ('a', 1), "
                                     "('a', 2), ('b', 10), ('a', 3), ('b', 20), ('c', NULL)");
}

/* ------------------------------------------------------- the aggregate isum */

typedef struct isum_state {
    bool started;
    bool has_value;
    int64_t total;
} isum_state;

/* The group's state; counts the contexts it makes. */
static isum_state *
isum_state_of(chorus_context *ctx)
{
    isum_state *s = chorus_aggregate_context(ctx, sizeof *s);

    if (s != NULL && !s->started) {
        s->started = true;
        contexts_made++;
    }
    return s;
}

/* Adds the integer argument; 'boom' as argument fails with a message. */
static void
isum_step(chorus_context *ctx, int argc, chorus_value **argv)
{
    isum_state *s = isum_state_of(ctx);

    (void)argc;
    if (s == NULL)
        return;
    if (chorus_value_type(argv[0]) == CHORUS_TEXT &&
        strcmp(chorus_value_text(argv[0]), "boom") == 0) {
        chorus_result_error(ctx, "isum step failed", -1);
        return;
    }
    if (chorus_value_type(argv[0]) != CHORUS_NULL) {
        s->has_value = true;
        s->total += chorus_value_int64(argv[0]);
    }
}

static void
isum_inverse(chorus_context *ctx, int argc, chorus_value **argv)
{
    isum_state *s = isum_state_of(ctx);

    (void)argc;
    if (s != NULL && chorus_value_type(argv[0]) != CHORUS_NULL)
        s->total -= chorus_value_int64(argv[0]);
}

static void
isum_value(chorus_context *ctx)
{
    isum_state *s = chorus_aggregate_context(ctx, 0);

    if (s != NULL && s->has_value)
        chorus_result_int64(ctx, s->total);
}

static void
isum_final(chorus_context *ctx)
{
    finals_run++;
    isum_value(ctx);
}

/* A final that fails (when the group saw a value). */
static void
failing_final(chorus_context *ctx)
{
    finals_run++;
    if (chorus_aggregate_context(ctx, 0) != NULL)
        chorus_result_error(ctx, "final failed", -1);
}

static void
failing_value(chorus_context *ctx)
{
    chorus_result_error(ctx, "value failed", -1);
}

static void
define_isum(chorus_conn *conn)
{
    assert_int_equal(chorus_create_window_function(conn, "isum", 1, CHORUS_DETERMINISTIC, NULL,
                                                   isum_step, isum_final, isum_value,
                                                   isum_inverse, NULL),
                     CHORUS_OK);
}

/* Defines name(1) on conn as a plain aggregate (no window use) of
 * isum_step ending with final; asserts that the definition is accepted. */
static void
define_aggregate(chorus_conn *conn, const char *name, chorus_final_fn final)
{
    assert_int_equal(chorus_create_function(conn, name, 1, 0, NULL, NULL, isum_step, final, NULL),
                     CHORUS_OK);
}

/* ------------------------------------------------------------------- tests */

static void
test_aggregate_sums_each_group(void **state)
{
    capi_fixture *f = *state;

    define_aggregate(f->conn, "isum", isum_final);
    capi_assert_query(f->conn, "SELECT group_concat(g || ':' || s, ',') FROM "
                               "(SELECT g, isum(x) s FROM t GROUP BY g)",
                      "a:6,b:30");
    assert_int_equal(finals_run, 3);
    assert_int_equal(contexts_made, 3);
}

static void
test_aggregate_of_no_rows_calls_final_without_context(void **state)
{
    capi_fixture *f = *state;

    define_aggregate(f->conn, "isum", isum_final);
    capi_assert_query(f->conn, "SELECT isum(x) FROM t WHERE 0", "NULL");
    assert_int_equal(finals_run, 1);
    assert_int_equal(contexts_made, 0);
}

static void
test_distinct_aggregate_steps_each_value_once(void **state)
{
    capi_fixture *f = *state;

    define_isum(f->conn);
    capi_assert_query(f->conn, "SELECT isum(DISTINCT x) FROM "
                               "(SELECT 1 x UNION ALL SELECT 1 UNION ALL SELECT 2)",
                      "3");
}

static void
test_window_function_slides_over_its_frame(void **state)
{
    capi_fixture *f = *state;

    define_isum(f->conn);
    capi_assert_query(f->conn, "SELECT group_concat(s, ',') FROM (SELECT isum(x) OVER (ORDER BY "
                               "rowid ROWS BETWEEN 1 PRECEDING AND 1 FOLLOWING) s FROM t)",
                      "3,13,15,33,23,20");
    capi_assert_query(f->conn, "SELECT group_concat(s, ',') FROM "
                               "(SELECT isum(x) OVER (PARTITION BY g ORDER BY x) s FROM t)",
                      "1,3,6,10,30");
    assert_int_equal(finals_run, contexts_made);
}

static void
test_plain_aggregate_is_not_a_window_function(void **state)
{
    capi_fixture *f = *state;

    define_aggregate(f->conn, "isum", isum_final);
    capi_assert_query_fails(f->conn, "SELECT isum(x) OVER () FROM t",
                            CHORUS_ERROR, "isum() may not be used as a window function");
}

static void
test_window_function_needs_all_four_callbacks(void **state)
{
    capi_fixture *f = *state;

    assert_int_equal(chorus_create_window_function(f->conn, "w", 1, 0, NULL, isum_step,
                                                   isum_final, isum_value, NULL, NULL),
                     CHORUS_MISUSE);
    assert_int_equal(chorus_create_window_function(f->conn, "w", 1, 0, NULL, NULL, NULL, NULL,
                                                   NULL, NULL),
                     CHORUS_OK);
}

static void
test_error_in_step_fails_the_statement_and_finalizes(void **state)
{
    capi_fixture *f = *state;

    define_isum(f->conn);
    capi_assert_query_fails(f->conn, "SELECT isum(column1) FROM (VALUES (1), (2), ('boom'), (4))",
                            CHORUS_ERROR, "isum step failed");
    assert_int_equal(contexts_made, 1);
    assert_int_equal(finals_run, 1);
}

static void
test_error_in_final_or_value_fails_the_statement(void **state)
{
    capi_fixture *f = *state;

    define_aggregate(f->conn, "fsum", failing_final);
    capi_assert_query_fails(f->conn, "SELECT fsum(x) FROM t", CHORUS_ERROR, "final failed");
    assert_int_equal(chorus_create_window_function(f->conn, "vsum", 1, 0, NULL, isum_step,
                                                   isum_final, failing_value, isum_inverse,
                                                   NULL),
                     CHORUS_OK);
    capi_assert_query_fails(f->conn, "SELECT vsum(x) OVER () FROM t", CHORUS_ERROR, "value failed");
    assert_int_equal(contexts_made, 2);
    assert_int_equal(finals_run, 2);
}

static void
test_reset_inside_a_group_finalizes_its_context(void **state)
{
    capi_fixture *f = *state;
    chorus_stmt *stmt;

    define_isum(f->conn);
    assert_int_equal(chorus_prepare(f->conn, "SELECT g, isum(x) FROM t GROUP BY g", -1, &stmt,
                                    NULL),
                     CHORUS_OK);
    assert_int_equal(chorus_step(stmt), CHORUS_ROW);
    assert_int_equal(chorus_column_int64(stmt, 1), 6);
    assert_int_equal(chorus_reset(stmt), CHORUS_OK);
    assert_int_equal(finals_run, contexts_made);
    assert_int_equal(chorus_step(stmt), CHORUS_ROW);
    chorus_finalize(stmt);
    assert_int_equal(finals_run, contexts_made);
}

static void
context_probe(chorus_context *ctx, int argc, chorus_value **argv)
{
    (void)argc;
    (void)argv;
    chorus_result_int64(ctx, chorus_aggregate_context(ctx, 16) == NULL);
}

static void
test_aggregate_context_outside_an_aggregate_is_null(void **state)
{
    capi_fixture *f = *state;

    assert_int_equal(chorus_create_function(f->conn, "probe", 0, 0, NULL, context_probe, NULL,
                                            NULL, NULL),
                     CHORUS_OK);
    capi_assert_query(f->conn, "SELECT probe()", "1");
}

int
main(void)
{
#define T(name) cmocka_unit_test_setup_teardown(name, setup, capi_fixture_teardown)
    const struct CMUnitTest tests[] = {
        T(test_aggregate_sums_each_group),
        T(test_aggregate_of_no_rows_calls_final_without_context),
        T(test_distinct_aggregate_steps_each_value_once),
        T(test_window_function_slides_over_its_frame),
        T(test_plain_aggregate_is_not_a_window_function),
        T(test_window_function_needs_all_four_callbacks),
        T(test_error_in_step_fails_the_statement_and_finalizes),
        T(test_error_in_final_or_value_fails_the_statement),
        T(test_reset_inside_a_group_finalizes_its_context),
        T(test_aggregate_context_outside_an_aggregate_is_null),
    };
#undef T
    return cmocka_run_group_tests(tests, NULL, NULL);
}
