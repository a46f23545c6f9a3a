/*
 * tests/c-api/test_statement.c: prepared statements (c-api/statement.c):
 * prepare and tails, binding with destructors, parameters, step, reset,
 * finalize, metadata, and the misuse each of them detects.
 */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "capi_fixture.h"
#include "chorus.h"

static int
setup(void **state)
{
    return capi_fixture_setup(state, "CREATE TABLE t(a INTEGER, b TEXT, c BLOB)");
}

static chorus_stmt *
prepare(capi_fixture *f, const char *sql)
{
    chorus_stmt *stmt = NULL;

    assert_int_equal(chorus_prepare(f->conn, sql, -1, &stmt, NULL), CHORUS_OK);
    assert_non_null(stmt);
    return stmt;
}

static void
test_prepare_sets_tail_after_the_first_statement(void **state)
{
    capi_fixture *f = *state;
    const char *sql = "SELECT 1; SELECT 2";
    const char *tail;
    chorus_stmt *stmt;

    assert_int_equal(chorus_prepare(f->conn, sql, -1, &stmt, &tail), CHORUS_OK);
    assert_string_equal(tail, " SELECT 2");
    chorus_finalize(stmt);
}

static void
test_prepare_of_only_comments_gives_null_statement(void **state)
{
    capi_fixture *f = *state;
    chorus_stmt *stmt = (chorus_stmt *)&stmt;

    assert_int_equal(chorus_prepare(f->conn, "  -- nothing\n", -1, &stmt, NULL), CHORUS_OK);
    assert_null(stmt);
}

static void
test_prepare_honours_nbytes(void **state)
{
    capi_fixture *f = *state;
    chorus_stmt *stmt;

    /* Only "SELECT 5" of the text is given. */
    assert_int_equal(chorus_prepare(f->conn, "SELECT 5 garbage", 8, &stmt, NULL), CHORUS_OK);
    assert_int_equal(chorus_step(stmt), CHORUS_ROW);
    assert_int_equal(chorus_column_int64(stmt, 0), 5);
    chorus_finalize(stmt);
}

static void
test_prepare_of_bad_sql_fails_with_null_statement(void **state)
{
    capi_fixture *f = *state;
    chorus_stmt *stmt = (chorus_stmt *)&stmt;

    assert_int_equal(chorus_prepare(f->conn, "SELEC 1", -1, &stmt, NULL), CHORUS_ERROR);
    assert_null(stmt);
    assert_non_null(strstr(chorus_errmsg(f->conn), "syntax error"));
}

static void
test_prepare_with_null_arguments_is_misuse(void **state)
{
    capi_fixture *f = *state;
    chorus_stmt *stmt;

    assert_int_equal(chorus_prepare(NULL, "SELECT 1", -1, &stmt, NULL), CHORUS_MISUSE);
    assert_null(stmt);
    assert_int_equal(chorus_prepare(f->conn, NULL, -1, &stmt, NULL), CHORUS_MISUSE);
    assert_int_equal(chorus_prepare(f->conn, "SELECT 1", -1, NULL, NULL), CHORUS_MISUSE);
}

static void
test_step_runs_to_done_and_reset_runs_again(void **state)
{
    capi_fixture *f = *state;
    chorus_stmt *stmt;

    assert_int_equal(chorus_exec(f->conn, "INSERT INTO t(a) VALUES (1), (2)"), CHORUS_OK);
    stmt = prepare(f, "SELECT a FROM t ORDER BY a");
    for (int round = 0; round < 2; round++) {
        assert_int_equal(chorus_step(stmt), CHORUS_ROW);
        assert_int_equal(chorus_column_int64(stmt, 0), 1);
        assert_int_equal(chorus_step(stmt), CHORUS_ROW);
        assert_int_equal(chorus_column_int64(stmt, 0), 2);
        assert_int_equal(chorus_step(stmt), CHORUS_DONE);
        assert_int_equal(chorus_reset(stmt), CHORUS_OK);
    }
    assert_int_equal(chorus_finalize(stmt), CHORUS_OK);
}

static void
test_step_reports_a_runtime_error(void **state)
{
    capi_fixture *f = *state;
    chorus_stmt *stmt;

    assert_int_equal(chorus_exec(f->conn, "CREATE TABLE u(x NOT NULL)"), CHORUS_OK);
    stmt = prepare(f, "INSERT INTO u VALUES (NULL)");
    assert_int_equal(chorus_step(stmt), CHORUS_CONSTRAINT);
    assert_int_equal(chorus_extended_errcode(f->conn), CHORUS_CONSTRAINT_NOTNULL);
    assert_non_null(strstr(chorus_errmsg(f->conn), "NOT NULL constraint failed: u.x"));
    assert_int_equal(chorus_reset(stmt), CHORUS_OK);
    chorus_finalize(stmt);
}

static void
test_finalized_statement_is_misuse_everywhere(void **state)
{
    capi_fixture *f = *state;
    chorus_stmt *stmt = prepare(f, "SELECT ?");

    assert_int_equal(chorus_finalize(stmt), CHORUS_OK);
    assert_int_equal(chorus_step(stmt), CHORUS_MISUSE);
    assert_int_equal(chorus_reset(stmt), CHORUS_MISUSE);
    assert_int_equal(chorus_finalize(stmt), CHORUS_MISUSE);
    assert_int_equal(chorus_bind_int64(stmt, 1, 1), CHORUS_MISUSE);
    assert_int_equal(chorus_clear_bindings(stmt), CHORUS_MISUSE);
    assert_int_equal(chorus_column_count(stmt), 0);
    assert_null(chorus_column_name(stmt, 0));
    assert_null(chorus_stmt_sql(stmt));
    assert_int_equal(chorus_bind_parameter_count(stmt), 0);
}

static void
test_null_statement_is_misuse_or_harmless(void **state)
{
    (void)state;
    assert_int_equal(chorus_finalize(NULL), CHORUS_OK);
    assert_int_equal(chorus_step(NULL), CHORUS_MISUSE);
    assert_int_equal(chorus_reset(NULL), CHORUS_MISUSE);
    assert_int_equal(chorus_bind_null(NULL, 1), CHORUS_MISUSE);
    assert_int_equal(chorus_bind_double(NULL, 1, 1.0), CHORUS_MISUSE);
    assert_int_equal(chorus_bind_parameter_index(NULL, ":a"), 0);
    assert_null(chorus_bind_parameter_name(NULL, 1));
    assert_int_equal(chorus_column_type(NULL, 0), CHORUS_NULL);
    assert_null(chorus_column_text(NULL, 0));
    assert_int_equal(chorus_stmt_readonly(NULL), 0);
}

static void
test_bind_all_types_round_trip(void **state)
{
    capi_fixture *f = *state;
    chorus_stmt *stmt = prepare(f, "SELECT ?, ?, ?, ?, ?");
    const unsigned char blob[3] = { 0, 1, 2 };

    assert_int_equal(chorus_bind_null(stmt, 1), CHORUS_OK);
    assert_int_equal(chorus_bind_int64(stmt, 2, INT64_MIN), CHORUS_OK);
    assert_int_equal(chorus_bind_double(stmt, 3, 2.5), CHORUS_OK);
    assert_int_equal(chorus_bind_text(stmt, 4, "héllo", -1, CHORUS_TRANSIENT), CHORUS_OK);
    assert_int_equal(chorus_bind_blob(stmt, 5, blob, 3, CHORUS_STATIC), CHORUS_OK);
    assert_int_equal(chorus_step(stmt), CHORUS_ROW);
    assert_int_equal(chorus_column_type(stmt, 0), CHORUS_NULL);
    assert_int_equal(chorus_column_type(stmt, 1), CHORUS_INTEGER);
    assert_true(chorus_column_int64(stmt, 1) == INT64_MIN);
    assert_int_equal(chorus_column_type(stmt, 2), CHORUS_FLOAT);
    assert_true(chorus_column_double(stmt, 2) == 2.5);
    assert_int_equal(chorus_column_type(stmt, 3), CHORUS_TEXT);
    assert_string_equal(chorus_column_text(stmt, 3), "héllo");
    assert_int_equal(chorus_column_type(stmt, 4), CHORUS_BLOB);
    assert_int_equal(chorus_column_bytes(stmt, 4), 3);
    assert_memory_equal(chorus_column_blob(stmt, 4), blob, 3);
    chorus_finalize(stmt);
}

/* As SQLite: a NaN bound as a double is stored as NULL. */
static void
test_bind_double_nan_binds_null(void **state)
{
    capi_fixture *f = *state;
    chorus_stmt *stmt = prepare(f, "SELECT typeof(?)");

    assert_int_equal(chorus_bind_double(stmt, 1, NAN), CHORUS_OK);
    assert_int_equal(chorus_step(stmt), CHORUS_ROW);
    assert_string_equal(chorus_column_text(stmt, 0), "null");
    chorus_finalize(stmt);
}

static void
test_bind_text_with_length_takes_only_those_bytes(void **state)
{
    capi_fixture *f = *state;
    chorus_stmt *stmt = prepare(f, "SELECT ?");

    assert_int_equal(chorus_bind_text(stmt, 1, "abcdef", 3, CHORUS_STATIC), CHORUS_OK);
    assert_int_equal(chorus_step(stmt), CHORUS_ROW);
    assert_string_equal(chorus_column_text(stmt, 0), "abc");
    chorus_finalize(stmt);
}

static void
test_bind_null_text_pointer_binds_null(void **state)
{
    capi_fixture *f = *state;
    chorus_stmt *stmt = prepare(f, "SELECT ?");

    assert_int_equal(chorus_bind_text(stmt, 1, NULL, 0, CHORUS_STATIC), CHORUS_OK);
    assert_int_equal(chorus_step(stmt), CHORUS_ROW);
    assert_int_equal(chorus_column_type(stmt, 0), CHORUS_NULL);
    chorus_finalize(stmt);
}

static int destructor_calls;

static void
counting_free(void *p)
{
    destructor_calls++;
    free(p);
}

static void
test_bind_calls_a_custom_destructor_once_even_on_failure(void **state)
{
    capi_fixture *f = *state;
    chorus_stmt *stmt = prepare(f, "SELECT ?");

    destructor_calls = 0;
    assert_int_equal(chorus_bind_text(stmt, 1, strdup("kept"), -1, counting_free), CHORUS_OK);
    assert_int_equal(destructor_calls, 1);
    assert_int_equal(chorus_bind_blob(stmt, 9, strdup("x"), 1, counting_free), CHORUS_RANGE);
    assert_int_equal(destructor_calls, 2);
    assert_int_equal(chorus_step(stmt), CHORUS_ROW);
    assert_string_equal(chorus_column_text(stmt, 0), "kept");
    chorus_finalize(stmt);
}

static void
test_bind_index_out_of_range_is_range(void **state)
{
    capi_fixture *f = *state;
    chorus_stmt *stmt = prepare(f, "SELECT ?, ?");

    assert_int_equal(chorus_bind_int64(stmt, 0, 1), CHORUS_RANGE);
    assert_int_equal(chorus_bind_int64(stmt, 3, 1), CHORUS_RANGE);
    assert_int_equal(chorus_errcode(f->conn), CHORUS_RANGE);
    assert_int_equal(chorus_bind_int64(stmt, 2, 1), CHORUS_OK);
    chorus_finalize(stmt);
}

static void
test_bind_while_running_is_misuse_until_reset(void **state)
{
    capi_fixture *f = *state;
    chorus_stmt *stmt;

    assert_int_equal(chorus_exec(f->conn, "INSERT INTO t(a) VALUES (1), (2)"), CHORUS_OK);
    stmt = prepare(f, "SELECT a FROM t WHERE a >= ?");
    assert_int_equal(chorus_bind_int64(stmt, 1, 0), CHORUS_OK);
    assert_int_equal(chorus_step(stmt), CHORUS_ROW);
    assert_int_equal(chorus_bind_int64(stmt, 1, 2), CHORUS_MISUSE);
    assert_int_equal(chorus_clear_bindings(stmt), CHORUS_MISUSE);
    assert_int_equal(chorus_reset(stmt), CHORUS_OK);
    assert_int_equal(chorus_bind_int64(stmt, 1, 2), CHORUS_OK);
    assert_int_equal(chorus_step(stmt), CHORUS_ROW);
    assert_int_equal(chorus_column_int64(stmt, 0), 2);
    chorus_finalize(stmt);
}

static void
test_bindings_survive_reset_and_clear_bindings_nulls_them(void **state)
{
    capi_fixture *f = *state;
    chorus_stmt *stmt = prepare(f, "SELECT ?");

    assert_int_equal(chorus_bind_int64(stmt, 1, 9), CHORUS_OK);
    assert_int_equal(chorus_step(stmt), CHORUS_ROW);
    assert_int_equal(chorus_reset(stmt), CHORUS_OK);
    assert_int_equal(chorus_step(stmt), CHORUS_ROW);
    assert_int_equal(chorus_column_int64(stmt, 0), 9);
    assert_int_equal(chorus_reset(stmt), CHORUS_OK);
    assert_int_equal(chorus_clear_bindings(stmt), CHORUS_OK);
    assert_int_equal(chorus_step(stmt), CHORUS_ROW);
    assert_int_equal(chorus_column_type(stmt, 0), CHORUS_NULL);
    chorus_finalize(stmt);
}

static void
test_named_parameters_have_index_and_name(void **state)
{
    capi_fixture *f = *state;
    chorus_stmt *stmt = prepare(f, "SELECT :a, @b, $c, ?, :a");

    assert_int_equal(chorus_bind_parameter_count(stmt), 4);
    assert_int_equal(chorus_bind_parameter_index(stmt, ":a"), 1);
    assert_int_equal(chorus_bind_parameter_index(stmt, "@b"), 2);
    assert_int_equal(chorus_bind_parameter_index(stmt, "$c"), 3);
    assert_int_equal(chorus_bind_parameter_index(stmt, ":zz"), 0);
    assert_int_equal(chorus_bind_parameter_index(stmt, NULL), 0);
    assert_string_equal(chorus_bind_parameter_name(stmt, 1), ":a");
    assert_null(chorus_bind_parameter_name(stmt, 4));
    assert_null(chorus_bind_parameter_name(stmt, 5));
    assert_null(chorus_bind_parameter_name(stmt, 0));
    assert_int_equal(chorus_bind_int64(stmt, 1, 7), CHORUS_OK);
    assert_int_equal(chorus_step(stmt), CHORUS_ROW);
    assert_int_equal(chorus_column_int64(stmt, 4), 7);
    chorus_finalize(stmt);
}

static void
test_column_metadata_names_table_and_origin(void **state)
{
    capi_fixture *f = *state;
    chorus_stmt *stmt = prepare(f, "SELECT a AS x, b, a + 1 FROM t");

    assert_int_equal(chorus_column_count(stmt), 3);
    assert_string_equal(chorus_column_name(stmt, 0), "x");
    assert_string_equal(chorus_column_name(stmt, 1), "b");
    assert_string_equal(chorus_column_name(stmt, 2), "a + 1");
    assert_string_equal(chorus_column_decltype(stmt, 0), "INTEGER");
    assert_string_equal(chorus_column_decltype(stmt, 1), "TEXT");
    assert_null(chorus_column_decltype(stmt, 2));
    assert_string_equal(chorus_column_table_name(stmt, 0), "t");
    assert_string_equal(chorus_column_origin_name(stmt, 0), "a");
    assert_null(chorus_column_origin_name(stmt, 2));
    chorus_finalize(stmt);
}

static void
test_column_metadata_out_of_range_is_null_and_range(void **state)
{
    capi_fixture *f = *state;
    chorus_stmt *stmt = prepare(f, "SELECT 1");

    assert_null(chorus_column_name(stmt, 1));
    assert_int_equal(chorus_errcode(f->conn), CHORUS_RANGE);
    assert_null(chorus_column_name(stmt, -1));
    assert_null(chorus_column_decltype(stmt, 5));
    assert_null(chorus_column_table_name(stmt, 5));
    assert_null(chorus_column_origin_name(stmt, 5));
    chorus_finalize(stmt);
}

static void
test_stmt_readonly_and_sql(void **state)
{
    capi_fixture *f = *state;
    chorus_stmt *select = prepare(f, "SELECT * FROM t");
    chorus_stmt *insert = prepare(f, "INSERT INTO t(a) VALUES (1)");

    assert_int_equal(chorus_stmt_readonly(select), 1);
    assert_int_equal(chorus_stmt_readonly(insert), 0);
    assert_string_equal(chorus_stmt_sql(select), "SELECT * FROM t");
    chorus_finalize(select);
    chorus_finalize(insert);
}

static void
test_a_statement_keeps_working_while_another_is_finalized(void **state)
{
    capi_fixture *f = *state;
    chorus_stmt *a = prepare(f, "SELECT 1");
    chorus_stmt *b = prepare(f, "SELECT 2");
    chorus_stmt *c = prepare(f, "SELECT 3");

    assert_int_equal(chorus_finalize(b), CHORUS_OK);
    assert_int_equal(chorus_step(a), CHORUS_ROW);
    assert_int_equal(chorus_step(c), CHORUS_ROW);
    assert_int_equal(chorus_column_int64(c, 0), 3);
    assert_int_equal(chorus_finalize(a), CHORUS_OK);
    assert_int_equal(chorus_finalize(c), CHORUS_OK);
}

int
main(void)
{
#define T(name) cmocka_unit_test_setup_teardown(name, setup, capi_fixture_teardown)
    const struct CMUnitTest tests[] = {
        T(test_prepare_sets_tail_after_the_first_statement),
        T(test_prepare_of_only_comments_gives_null_statement),
        T(test_prepare_honours_nbytes),
        T(test_prepare_of_bad_sql_fails_with_null_statement),
        T(test_prepare_with_null_arguments_is_misuse),
        T(test_step_runs_to_done_and_reset_runs_again),
        T(test_step_reports_a_runtime_error),
        T(test_finalized_statement_is_misuse_everywhere),
        cmocka_unit_test(test_null_statement_is_misuse_or_harmless),
        T(test_bind_all_types_round_trip),
        T(test_bind_double_nan_binds_null),
        T(test_bind_text_with_length_takes_only_those_bytes),
        T(test_bind_null_text_pointer_binds_null),
        T(test_bind_calls_a_custom_destructor_once_even_on_failure),
        T(test_bind_index_out_of_range_is_range),
        T(test_bind_while_running_is_misuse_until_reset),
        T(test_bindings_survive_reset_and_clear_bindings_nulls_them),
        T(test_named_parameters_have_index_and_name),
        T(test_column_metadata_names_table_and_origin),
        T(test_column_metadata_out_of_range_is_null_and_range),
        T(test_stmt_readonly_and_sql),
        T(test_a_statement_keeps_working_while_another_is_finalized),
    };
#undef T
    return cmocka_run_group_tests(tests, NULL, NULL);
}
