/*
 * tests/c-api/test_limits.c: chorus_limit (core/vm/conn.c N3, stmt.c M10):
 * defaults, the old value returned, negative values reading, clamping to
 * the highest, unknown ids; and each enforced limit failing as sqlite3
 * 3.40.1 does under `.limit` (messages from its CLI).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "capi_fixture.h"
#include "chorus.h"

static int
setup(void **state)
{
    return capi_fixture_setup(state, NULL);
}

static chorus_conn *
conn_of(void **state)
{
    return ((capi_fixture *)*state)->conn;
}

static void
test_defaults_and_setting(void **state)
{
    static const int defaults[CHORUS_LIMIT_COUNT] = {
        1000000000, 1000000000, 2000, 1000, 500, 250000000, 127, 10, 50000, 32766, 1000, 0};
    chorus_conn *conn = conn_of(state);

    for (int id = 0; id < CHORUS_LIMIT_COUNT; id++)
        assert_int_equal(chorus_limit(conn, id, -1), defaults[id]);
    assert_int_equal(chorus_limit(conn, CHORUS_LIMIT_COLUMN, 10), 2000);
    assert_int_equal(chorus_limit(conn, CHORUS_LIMIT_COLUMN, -1), 10);
    /* above the highest: the highest */
    assert_int_equal(chorus_limit(conn, CHORUS_LIMIT_COLUMN, 1 << 30), 10);
    assert_int_equal(chorus_limit(conn, CHORUS_LIMIT_COLUMN, -1), 2000);
    assert_int_equal(chorus_limit(conn, CHORUS_LIMIT_WORKER_THREADS, 100), 0);
    assert_int_equal(chorus_limit(conn, CHORUS_LIMIT_WORKER_THREADS, -1), 8);
    assert_int_equal(chorus_limit(conn, CHORUS_LIMIT_COUNT, 1), -1);
    assert_int_equal(chorus_limit(conn, -1, 1), -1);
    assert_int_equal(chorus_limit(NULL, CHORUS_LIMIT_LENGTH, -1), -1);
}

static void
test_sql_length(void **state)
{
    chorus_conn *conn = conn_of(state);

    chorus_limit(conn, CHORUS_LIMIT_SQL_LENGTH, 20);
    capi_assert_query(conn, "SELECT 12345", "12345");
    capi_assert_query_fails(conn, "SELECT 1 AS aaaaaaaaaaaaaaaaaaaaaaaaaaaaa", CHORUS_TOOBIG,
                            "string or blob too big");
}

static void
test_variable_number(void **state)
{
    chorus_conn *conn = conn_of(state);

    chorus_limit(conn, CHORUS_LIMIT_VARIABLE_NUMBER, 2);
    capi_assert_query(conn, "SELECT ?2 IS NULL", "1");
    capi_assert_query_fails(conn, "SELECT ?, ?, ?", CHORUS_ERROR, "too many SQL variables");
}

static void
test_columns(void **state)
{
    chorus_conn *conn = conn_of(state);

    chorus_limit(conn, CHORUS_LIMIT_COLUMN, 3);
    capi_assert_query(conn, "SELECT 1, 2, 3", "1");
    capi_assert_query_fails(conn, "SELECT 1, 2, 3, 4", CHORUS_ERROR,
                            "too many columns in result set");
    capi_assert_query_fails(conn, "CREATE TABLE t(a, b, c, d)", CHORUS_ERROR,
                            "too many columns on t");
    assert_int_equal(chorus_exec(conn, "CREATE TABLE t(a, b, c)"), CHORUS_OK);
}

static void
test_expression_depth_and_function_args(void **state)
{
    chorus_conn *conn = conn_of(state);

    chorus_limit(conn, CHORUS_LIMIT_EXPR_DEPTH, 5);
    capi_assert_query(conn, "SELECT 1 + 1 + 1", "3");
    capi_assert_query_fails(conn, "SELECT 1+1+1+1+1+1+1+1", CHORUS_ERROR,
                            "Expression tree is too large (maximum depth 5)");
    chorus_limit(conn, CHORUS_LIMIT_EXPR_DEPTH, 1000);
    chorus_limit(conn, CHORUS_LIMIT_FUNCTION_ARG, 2);
    capi_assert_query(conn, "SELECT max(1, 2)", "2");
    capi_assert_query(conn, "SELECT count(*)", "1");
    capi_assert_query_fails(conn, "SELECT max(1, 2, 3)", CHORUS_ERROR,
                            "too many arguments on function max");
}

static void
test_length(void **state)
{
    chorus_conn *conn = conn_of(state);
    chorus_stmt *stmt;

    chorus_limit(conn, CHORUS_LIMIT_LENGTH, 5);
    capi_assert_query(conn, "SELECT 'abcde'", "abcde");
    capi_assert_query_fails(conn, "SELECT 'abcdef'", CHORUS_TOOBIG, "string or blob too big");
    capi_assert_query_fails(conn, "SELECT zeroblob(10)", CHORUS_TOOBIG, "string or blob too big");
    assert_int_equal(chorus_prepare(conn, "SELECT ?", -1, &stmt, NULL), CHORUS_OK);
    assert_int_equal(chorus_bind_text(stmt, 1, "abcdef", -1, CHORUS_TRANSIENT), CHORUS_TOOBIG);
    assert_string_equal(chorus_errmsg(conn), "string or blob too big");
    assert_int_equal(chorus_bind_blob(stmt, 1, "abcde", 5, CHORUS_TRANSIENT), CHORUS_OK);
    chorus_finalize(stmt);
}

static void
test_attached_and_trigger_depth(void **state)
{
    chorus_conn *conn = conn_of(state);

    chorus_limit(conn, CHORUS_LIMIT_ATTACHED, 1);
    assert_int_equal(chorus_exec(conn, "ATTACH ':memory:' AS a1"), CHORUS_OK);
    assert_int_equal(chorus_exec(conn, "ATTACH ':memory:' AS a2"), CHORUS_ERROR);
    assert_string_equal(chorus_errmsg(conn), "too many attached databases - max 1");

    chorus_limit(conn, CHORUS_LIMIT_TRIGGER_DEPTH, 2);
    assert_int_equal(chorus_exec(conn, "PRAGMA recursive_triggers = on;"
                                       "CREATE TABLE r(x);"
                                       "CREATE TRIGGER rt AFTER INSERT ON r WHEN new.x < 10"
                                       " BEGIN INSERT INTO r VALUES (new.x + 1); END;"),
                     CHORUS_OK);
    assert_int_equal(chorus_exec(conn, "INSERT INTO r VALUES (1)"), CHORUS_ERROR);
    assert_string_equal(chorus_errmsg(conn), "too many levels of trigger recursion");
    capi_assert_query(conn, "SELECT count(*) FROM r", "0");
}

int
main(void)
{
#define T(name) cmocka_unit_test_setup_teardown(name, setup, capi_fixture_teardown)
    const struct CMUnitTest tests[] = {
        T(test_defaults_and_setting),
        T(test_sql_length),
        T(test_variable_number),
        T(test_columns),
        T(test_expression_depth_and_function_args),
        T(test_length),
        T(test_attached_and_trigger_depth),
    };
#undef T
    return cmocka_run_group_tests(tests, NULL, NULL);
}
