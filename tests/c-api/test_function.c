/*
 * tests/c-api/test_function.c: application-defined scalar functions
 * (c-api/function.c, callback.c): argument conversions, every result kind,
 * errors raised from callbacks, overriding built-ins, arity rules, removal,
 * destroy callbacks, statements compiled against a replaced definition,
 * BUSY while a statement runs, and misuse. Aggregates and window functions
 * are in test_function_aggregate.c.
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

static int
setup(void **state)
{
    return capi_fixture_setup(state, NULL);
}

/* Defines name(n_args) on conn as the scalar fn with user_data (fn and
 * user_data NULL: removes it); asserts that the call is accepted. */
static void
define_scalar(chorus_conn *conn, const char *name, int n_args, void *user_data,
              chorus_function_fn fn)
{
    assert_int_equal(chorus_create_function(conn, name, n_args, 0, user_data, fn, NULL, NULL,
                                            NULL),
                     CHORUS_OK);
}

/* --------------------------------------------------------------- callbacks */

/* typeof-like: the type and every conversion of the argument. */
static void
describe(chorus_context *ctx, int argc, chorus_value **argv)
{
    char buf[200];
    const char *text = chorus_value_text(argv[0]);

    assert_int_equal(argc, 1);
    snprintf(buf, sizeof buf, "%d|%lld|%g|%s|%d", chorus_value_type(argv[0]),
             (long long)chorus_value_int64(argv[0]), chorus_value_double(argv[0]),
             text != NULL ? text : "(null)", chorus_value_bytes(argv[0]));
    chorus_result_text(ctx, buf, -1, CHORUS_TRANSIENT);
}

/* Sums its integer arguments, any number of them. */
static void
sum_args(chorus_context *ctx, int argc, chorus_value **argv)
{
    int64_t total = 0;

    for (int i = 0; i < argc; i++)
        total += chorus_value_int64(argv[i]);
    chorus_result_int64(ctx, total);
}

/* The user data (a string) as the result. */
static void
user_text(chorus_context *ctx, int argc, chorus_value **argv)
{
    (void)argc;
    (void)argv;
    chorus_result_text(ctx, chorus_user_data(ctx), -1, CHORUS_STATIC);
}

/* Result by the first argument: 'int', 'double', 'blob', 'null', 'owned'. */
static void
result_kind(chorus_context *ctx, int argc, chorus_value **argv)
{
    const char *kind = chorus_value_text(argv[0]);

    (void)argc;
    if (strcmp(kind, "int") == 0) {
        chorus_result_int64(ctx, INT64_MIN);
    } else if (strcmp(kind, "double") == 0) {
        chorus_result_double(ctx, 2.5);
    } else if (strcmp(kind, "blob") == 0) {
        chorus_result_blob(ctx, "\x01\x02\x03", 3, CHORUS_TRANSIENT);
    } else if (strcmp(kind, "owned") == 0) {
        char *copy = strdup("given away");
        chorus_result_text(ctx, copy, -1, free);
    } else {
        chorus_result_int64(ctx, 1);
        chorus_result_null(ctx);         /* the last call wins */
    }
}

/* Fails: 'msg' with a message, 'code' with CHORUS_TOOBIG, 'both' with a
 * message and CHORUS_CONSTRAINT. */
static void
fail_with(chorus_context *ctx, int argc, chorus_value **argv)
{
    const char *how = chorus_value_text(argv[0]);

    (void)argc;
    chorus_result_int64(ctx, 1);
    if (strcmp(how, "msg") == 0) {
        chorus_result_error(ctx, "bad input: xyz", 9);
    } else if (strcmp(how, "code") == 0) {
        chorus_result_error_code(ctx, CHORUS_TOOBIG);
    } else {
        chorus_result_error(ctx, "custom failure", -1);
        chorus_result_error_code(ctx, CHORUS_CONSTRAINT);
    }
}

static int destroyed;

static void
count_destroy(void *arg)
{
    (void)arg;
    destroyed++;
}

static int calls;

static void
count_calls(chorus_context *ctx, int argc, chorus_value **argv)
{
    (void)argc;
    (void)argv;
    chorus_result_int64(ctx, ++calls);
}

/* ------------------------------------------------------------------- tests */

static void
test_arguments_convert_as_columns_do(void **state)
{
    capi_fixture *f = *state;

    assert_int_equal(chorus_create_function(f->conn, "describe", 1, CHORUS_DETERMINISTIC, NULL,
                                            describe, NULL, NULL, NULL),
                     CHORUS_OK);
    capi_assert_query(f->conn, "SELECT describe(42)", "1|42|42|42|2");
    capi_assert_query(f->conn, "SELECT describe(1.5)", "2|1|1.5|1.5|3");
    capi_assert_query(f->conn, "SELECT describe('12abc')", "3|12|12|12abc|5");
    capi_assert_query(f->conn, "SELECT describe(x'414243')", "4|0|0|ABC|3");
    capi_assert_query(f->conn, "SELECT describe(NULL)", "5|0|0|(null)|0");
    capi_assert_query(f->conn, "SELECT describe(1e20)", "2|9223372036854775807|1e+20|1.0e+20|7");
}

static void
test_variadic_function_takes_any_count(void **state)
{
    capi_fixture *f = *state;

    define_scalar(f->conn, "total_of", -1, NULL, sum_args);
    capi_assert_query(f->conn, "SELECT total_of()", "0");
    capi_assert_query(f->conn, "SELECT total_of(1, 2, 3, 4, 5, 6, 7, 8, 9, 10)", "55");
    capi_assert_query(f->conn, "SELECT TOTAL_OF(40, '2')", "42");
}

static void
test_every_result_kind_reaches_sql(void **state)
{
    capi_fixture *f = *state;

    define_scalar(f->conn, "result_kind", 1, NULL, result_kind);
    capi_assert_query(f->conn, "SELECT typeof(result_kind('int')) || result_kind('int')",
                      "integer-9223372036854775808");
    capi_assert_query(f->conn, "SELECT typeof(result_kind('double')) || result_kind('double')",
                      "real2.5");
    capi_assert_query(f->conn, "SELECT typeof(result_kind('blob')) || hex(result_kind('blob'))",
                      "blob010203");
    capi_assert_query(f->conn, "SELECT result_kind('owned')", "given away");
    capi_assert_query(f->conn, "SELECT typeof(result_kind('null'))", "null");
}

static void
test_user_data_reaches_the_callback(void **state)
{
    capi_fixture *f = *state;
    static char hello[] = "hello from C";

    define_scalar(f->conn, "greeting", 0, hello, user_text);
    capi_assert_query(f->conn, "SELECT greeting()", "hello from C");
}

static void
test_error_from_callback_fails_the_statement_with_its_message(void **state)
{
    capi_fixture *f = *state;

    define_scalar(f->conn, "fail_with", 1, NULL, fail_with);
    capi_assert_query_fails(f->conn, "SELECT fail_with('msg')", CHORUS_ERROR, "bad input");
    capi_assert_query_fails(f->conn, "SELECT fail_with('code')",
                            CHORUS_TOOBIG, "string or blob too big");
    assert_int_equal(chorus_exec(f->conn, "SELECT fail_with('both')"), CHORUS_CONSTRAINT);
    assert_string_equal(chorus_errmsg(f->conn), "custom failure");
}

static void
test_error_inside_a_write_rolls_the_statement_back(void **state)
{
    capi_fixture *f = *state;

    define_scalar(f->conn, "fail_with", 1, NULL, fail_with);
    assert_int_equal(chorus_exec(f->conn, "CREATE TABLE t(a); INSERT INTO t VALUES ('ok')"),
                     CHORUS_OK);
    assert_int_equal(chorus_exec(f->conn, "INSERT INTO t SELECT 'x' UNION ALL SELECT "
                                          "fail_with('msg')"),
                     CHORUS_ERROR);
    capi_assert_query(f->conn, "SELECT count(*) FROM t", "1");
}

static void
test_wrong_argument_count_is_reported(void **state)
{
    capi_fixture *f = *state;

    define_scalar(f->conn, "one_arg", 1, NULL, describe);
    capi_assert_query_fails(f->conn, "SELECT one_arg()",
                            CHORUS_ERROR, "wrong number of arguments to function one_arg()");
    capi_assert_query_fails(f->conn, "SELECT one_arg(1, 2)",
                            CHORUS_ERROR, "wrong number of arguments to function one_arg()");
    capi_assert_query_fails(f->conn, "SELECT one_arg(1) OVER ()",
                            CHORUS_ERROR, "one_arg() may not be used as a window function");
}

static void
test_user_function_overrides_builtin_of_its_arity(void **state)
{
    capi_fixture *f = *state;

    define_scalar(f->conn, "length", 1, "mine", user_text);
    capi_assert_query(f->conn, "SELECT length('abc')", "mine");
    /* a variadic user abs() wins over the built-in for every count */
    define_scalar(f->conn, "abs", -1, "any", user_text);
    capi_assert_query(f->conn, "SELECT abs(-1)", "any");
    /* removing gives the built-in back */
    define_scalar(f->conn, "length", 1, NULL, NULL);
    capi_assert_query(f->conn, "SELECT length('abc')", "3");
    capi_assert_query_fails(f->conn, "SELECT upper()", CHORUS_ERROR, NULL);
}

static void
test_functions_belong_to_their_connection(void **state)
{
    capi_fixture *f = *state;
    chorus_conn *other;

    assert_int_equal(chorus_connect(f->db, &other), CHORUS_OK);
    define_scalar(f->conn, "only_here", 0, "here", user_text);
    capi_assert_query(f->conn, "SELECT only_here()", "here");
    capi_assert_query_fails(other, "SELECT only_here()",
                            CHORUS_ERROR, "no such function: only_here");
    chorus_disconnect(other);
}

static void
test_prepared_statement_uses_the_new_definition(void **state)
{
    capi_fixture *f = *state;
    chorus_stmt *stmt;

    define_scalar(f->conn, "which", 0, "first", user_text);
    assert_int_equal(chorus_prepare(f->conn, "SELECT which()", -1, &stmt, NULL), CHORUS_OK);
    assert_int_equal(chorus_step(stmt), CHORUS_ROW);
    assert_string_equal(chorus_column_text(stmt, 0), "first");
    assert_int_equal(chorus_reset(stmt), CHORUS_OK);
    define_scalar(f->conn, "which", 0, "second", user_text);
    assert_int_equal(chorus_step(stmt), CHORUS_ROW);
    assert_string_equal(chorus_column_text(stmt, 0), "second");
    assert_int_equal(chorus_reset(stmt), CHORUS_OK);
    define_scalar(f->conn, "which", 0, NULL, NULL);
    assert_int_equal(chorus_step(stmt), CHORUS_ERROR);
    assert_string_equal(chorus_errmsg(f->conn), "no such function: which");
    chorus_finalize(stmt);
}

static void
test_changing_functions_while_a_statement_runs_is_busy(void **state)
{
    capi_fixture *f = *state;
    chorus_stmt *stmt;

    destroyed = 0;
    define_scalar(f->conn, "counter", 0, NULL, count_calls);
    assert_int_equal(chorus_prepare(f->conn, "SELECT counter() FROM (VALUES (1), (2))", -1,
                                    &stmt, NULL),
                     CHORUS_OK);
    assert_int_equal(chorus_step(stmt), CHORUS_ROW);
    assert_int_equal(chorus_create_function(f->conn, "counter", 0, 0, NULL, NULL, NULL, NULL,
                                            count_destroy),
                     CHORUS_BUSY);
    assert_string_equal(chorus_errmsg(f->conn),
                        "unable to delete/modify user-function due to active statements");
    assert_int_equal(destroyed, 1);     /* a failed registration releases user_data */
    /* a new name (or arity) may be added meanwhile */
    define_scalar(f->conn, "counter", 1, NULL, count_calls);
    assert_int_equal(chorus_step(stmt), CHORUS_ROW);
    assert_int_equal(chorus_step(stmt), CHORUS_DONE);
    define_scalar(f->conn, "counter", 0, NULL, NULL);
    chorus_finalize(stmt);
}

static void
test_destroy_runs_on_replace_remove_and_disconnect(void **state)
{
    capi_fixture *f = *state;
    chorus_conn *other;

    destroyed = 0;
    assert_int_equal(chorus_create_function(f->conn, "d", 0, 0, NULL, count_calls, NULL, NULL,
                                            count_destroy),
                     CHORUS_OK);
    assert_int_equal(chorus_create_function(f->conn, "d", 0, 0, NULL, count_calls, NULL, NULL,
                                            count_destroy),
                     CHORUS_OK);
    assert_int_equal(destroyed, 1);
    define_scalar(f->conn, "d", 0, NULL, NULL);
    assert_int_equal(destroyed, 2);
    assert_int_equal(chorus_connect(f->db, &other), CHORUS_OK);
    assert_int_equal(chorus_create_function(other, "d", 1, 0, NULL, count_calls, NULL, NULL,
                                            count_destroy),
                     CHORUS_OK);
    assert_int_equal(chorus_create_function(other, "d", 2, 0, NULL, count_calls, NULL, NULL,
                                            count_destroy),
                     CHORUS_OK);
    assert_int_equal(chorus_disconnect(other), CHORUS_OK);
    assert_int_equal(destroyed, 4);
}

static void
test_non_deterministic_function_runs_per_row(void **state)
{
    capi_fixture *f = *state;

    calls = 0;
    define_scalar(f->conn, "counter", 0, NULL, count_calls);
    capi_assert_query(f->conn, "SELECT max(c) FROM (SELECT counter() AS c FROM "
                               "(VALUES (1), (2), (3)))",
                      "3");
}

static void
test_misuse_is_refused(void **state)
{
    capi_fixture *f = *state;
    char long_name[300];

    destroyed = 0;
    memset(long_name, 'x', sizeof long_name - 1);
    long_name[sizeof long_name - 1] = 0;
    assert_int_equal(chorus_create_function(NULL, "f", 0, 0, NULL, count_calls, NULL, NULL,
                                            count_destroy),
                     CHORUS_MISUSE);
    assert_int_equal(destroyed, 1);
    assert_int_equal(chorus_create_function(f->conn, NULL, 0, 0, NULL, count_calls, NULL, NULL,
                                            NULL),
                     CHORUS_MISUSE);
    assert_int_equal(chorus_create_function(f->conn, "", 0, 0, NULL, count_calls, NULL, NULL,
                                            NULL),
                     CHORUS_MISUSE);
    assert_int_equal(chorus_create_function(f->conn, long_name, 0, 0, NULL, count_calls, NULL,
                                            NULL, NULL),
                     CHORUS_MISUSE);
    assert_int_equal(chorus_create_function(f->conn, "f", -2, 0, NULL, count_calls, NULL, NULL,
                                            NULL),
                     CHORUS_MISUSE);
    assert_int_equal(chorus_create_function(f->conn, "f", 128, 0, NULL, count_calls, NULL, NULL,
                                            NULL),
                     CHORUS_MISUSE);
    assert_int_equal(chorus_create_function(f->conn, "f", 0, 0x1, NULL, count_calls, NULL, NULL,
                                            NULL),
                     CHORUS_MISUSE);
    /* a scalar with a step, a step without a final */
    assert_int_equal(chorus_create_function(f->conn, "f", 0, 0, NULL, count_calls, count_calls,
                                            NULL, NULL),
                     CHORUS_MISUSE);
    assert_int_equal(chorus_create_function(f->conn, "f", 0, 0, NULL, NULL, count_calls, NULL,
                                            NULL),
                     CHORUS_MISUSE);
    assert_int_equal(chorus_errcode(f->conn), CHORUS_MISUSE);
    /* the callback-side functions ignore NULL */
    chorus_result_int64(NULL, 1);
    chorus_result_error(NULL, "x", -1);
    assert_null(chorus_user_data(NULL));
    assert_null(chorus_aggregate_context(NULL, 8));
    assert_null(chorus_value_text(NULL));
    assert_int_equal(chorus_value_type(NULL), CHORUS_NULL);
}

int
main(void)
{
#define T(name) cmocka_unit_test_setup_teardown(name, setup, capi_fixture_teardown)
    const struct CMUnitTest tests[] = {
        T(test_arguments_convert_as_columns_do),
        T(test_variadic_function_takes_any_count),
        T(test_every_result_kind_reaches_sql),
        T(test_user_data_reaches_the_callback),
        T(test_error_from_callback_fails_the_statement_with_its_message),
        T(test_error_inside_a_write_rolls_the_statement_back),
        T(test_wrong_argument_count_is_reported),
        T(test_user_function_overrides_builtin_of_its_arity),
        T(test_functions_belong_to_their_connection),
        T(test_prepared_statement_uses_the_new_definition),
        T(test_changing_functions_while_a_statement_runs_is_busy),
        T(test_destroy_runs_on_replace_remove_and_disconnect),
        T(test_non_deterministic_function_runs_per_row),
        T(test_misuse_is_refused),
    };
#undef T
    return cmocka_run_group_tests(tests, NULL, NULL);
}
