/*
 * tests/c-api/test_authorizer.c: chorus_set_authorizer (core/compile/
 * authorize.c AZ1-AZ3, core/vm/stmt.c M11): the actions and arguments the
 * callback sees, DENY and IGNORE for reads, functions, writes and DDL, a
 * malfunctioning answer, statements prepared before the authorizer was set,
 * and removing it. Expected calls and messages are sqlite3 3.40.1's (through
 * Python's sqlite3 with an authorizer that logs).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "capi_fixture.h"
#include "chorus.h"

static const char schema_sql[] =
    "CREATE TABLE t(a INTEGER PRIMARY KEY, b, c);"
    "INSERT INTO t VALUES (1, 2, 3);"
    "ATTACH ':memory:' AS aux; CREATE TABLE aux.at(y); INSERT INTO aux.at VALUES (8);";

/* The authorizer's log and its rule: answer for action (and column), else OK. */
typedef struct judge {
    char log[2048];
    int action;             /* the action to answer, or 0 */
    const char *column;     /* for READ: only this column, or NULL: any */
    int answer;
} judge;

static judge the_judge;

static const char *
or_null(const char *s)
{
    return s != NULL ? s : "-";
}

static int
judge_fn(void *arg, int action, const char *a, const char *b, const char *db, const char *inner)
{
    judge *j = arg;
    size_t n = strlen(j->log);

    snprintf(j->log + n, sizeof j->log - n, "%s%d %s %s %s", n ? "; " : "", action, or_null(a),
             or_null(b), or_null(db));
    assert_null(inner);
    if (action == j->action && (j->column == NULL || (b != NULL && strcmp(b, j->column) == 0)))
        return j->answer;
    return CHORUS_OK;
}

static int
setup(void **state)
{
    memset(&the_judge, 0, sizeof the_judge);
    return capi_fixture_setup(state, schema_sql);
}

static chorus_conn *
conn_with_judge(void **state, int action, const char *column, int answer)
{
    chorus_conn *conn = ((capi_fixture *)*state)->conn;

    the_judge.action = action;
    the_judge.column = column;
    the_judge.answer = answer;
    assert_int_equal(chorus_set_authorizer(conn, judge_fn, &the_judge), CHORUS_OK);
    return conn;
}

/* The calls one prepare makes. */
static void
assert_calls(chorus_conn *conn, const char *sql, const char *expected)
{
    chorus_stmt *stmt;

    the_judge.log[0] = 0;
    assert_int_equal(chorus_prepare(conn, sql, -1, &stmt, NULL), CHORUS_OK);
    chorus_finalize(stmt);
    assert_string_equal(the_judge.log, expected);
}

static void
test_actions_and_arguments(void **state)
{
    chorus_conn *conn = conn_with_judge(state, 0, NULL, CHORUS_OK);

    assert_calls(conn, "SELECT b, rowid FROM t", "21 - - -; 20 t b main; 20 t a main");
    assert_calls(conn, "SELECT * FROM t", "21 - - -; 20 t a main; 20 t b main; 20 t c main");
    assert_calls(conn, "INSERT INTO t(b) VALUES (5)", "18 t - main");
    assert_calls(conn, "UPDATE t SET b = 1, c = 2 WHERE a = 1",
                 "23 t b main; 23 t c main; 20 t a main");
    assert_calls(conn, "DELETE FROM t WHERE a = 9", "9 t - main; 20 t a main");
    assert_calls(conn, "BEGIN", "22 BEGIN - -");
    assert_calls(conn, "SAVEPOINT s", "32 BEGIN s -");
    assert_calls(conn, "PRAGMA user_version = 3", "19 user_version 3 -");
    assert_calls(conn, "SELECT abs(-1)", "21 - - -; 31 - abs -");
    assert_calls(conn, "SELECT y FROM aux.at", "21 - - -; 20 at y aux");
    assert_calls(conn, "CREATE TABLE n(x)", "2 n - main");
    assert_calls(conn, "CREATE TEMP VIEW v AS SELECT 1", "6 v - temp");
    assert_calls(conn, "DETACH aux", "25 aux - -");
}

static void
test_deny(void **state)
{
    chorus_conn *conn = conn_with_judge(state, CHORUS_AUTH_READ, "c", CHORUS_DENY);

    capi_assert_query(conn, "SELECT b FROM t", "2");
    capi_assert_query_fails(conn, "SELECT c FROM t", CHORUS_AUTH,
                            "access to main.t.c is prohibited");  /* aux is attached */
    assert_int_equal(chorus_extended_errcode(conn), CHORUS_AUTH);
    capi_assert_query_fails(conn, "SELECT * FROM t", CHORUS_AUTH,
                            "access to main.t.c is prohibited");
    assert_int_equal(chorus_exec(conn, "DETACH aux"), CHORUS_OK);
    capi_assert_query_fails(conn, "SELECT c FROM t", CHORUS_AUTH, "access to t.c is prohibited");
    assert_int_equal(chorus_exec(conn, "ATTACH ':memory:' AS aux; CREATE TABLE aux.at(y)"),
                     CHORUS_OK);
    the_judge.column = "y";
    capi_assert_query_fails(conn, "SELECT y FROM at", CHORUS_AUTH,
                            "access to aux.at.y is prohibited");
    the_judge.action = CHORUS_AUTH_FUNCTION;
    the_judge.column = "abs";
    capi_assert_query_fails(conn, "SELECT abs(-1)", CHORUS_ERROR,
                            "not authorized to use function: abs");
    the_judge.action = CHORUS_AUTH_CREATE_TABLE;
    the_judge.column = NULL;
    capi_assert_query_fails(conn, "CREATE TABLE n(x)", CHORUS_AUTH, "not authorized");
    the_judge.action = CHORUS_AUTH_INSERT;
    capi_assert_query_fails(conn, "INSERT INTO t VALUES (9, 9, 9)", CHORUS_AUTH, "not authorized");
    /* removed: everything goes */
    assert_int_equal(chorus_set_authorizer(conn, NULL, NULL), CHORUS_OK);
    assert_int_equal(chorus_exec(conn, "INSERT INTO t VALUES (9, 9, 9)"), CHORUS_OK);
}

static void
test_ignore(void **state)
{
    chorus_conn *conn = conn_with_judge(state, CHORUS_AUTH_READ, "c", CHORUS_IGNORE);

    capi_assert_query(conn, "SELECT quote(c) FROM t", "NULL");
    capi_assert_query(conn, "SELECT count(*) FROM t WHERE c IS NULL", "1");
    the_judge.action = CHORUS_AUTH_FUNCTION;
    the_judge.column = "abs";
    capi_assert_query(conn, "SELECT quote(abs(-1))", "NULL");
    the_judge.column = NULL;
    the_judge.action = CHORUS_AUTH_INSERT;
    assert_int_equal(chorus_exec(conn, "INSERT INTO t VALUES (9, 9, 9)"), CHORUS_OK);
    the_judge.action = CHORUS_AUTH_CREATE_TABLE;
    assert_int_equal(chorus_exec(conn, "CREATE TABLE n(x)"), CHORUS_OK);
    the_judge.action = CHORUS_AUTH_DELETE;      /* deletes all the same, as SQLite */
    assert_int_equal(chorus_exec(conn, "DELETE FROM t WHERE a = 1"), CHORUS_OK);
    the_judge.action = CHORUS_AUTH_UPDATE;
    the_judge.column = "b";
    capi_assert_query_fails(conn, "UPDATE t SET b = 1, c = 2", CHORUS_ERROR, NULL);
    assert_int_equal(chorus_set_authorizer(conn, NULL, NULL), CHORUS_OK);
    capi_assert_query(conn, "SELECT count(*) FROM t", "0");
    capi_assert_query(conn, "SELECT count(*) FROM sqlite_schema WHERE name = 'n'", "0");
}

static void
test_malfunction_and_prepared_statements(void **state)
{
    chorus_conn *conn = ((capi_fixture *)*state)->conn;
    chorus_stmt *stmt;

    assert_int_equal(chorus_prepare(conn, "SELECT b FROM t", -1, &stmt, NULL), CHORUS_OK);
    conn_with_judge(state, CHORUS_AUTH_READ, NULL, 7);
    /* prepared before: compiled and judged again at its next run */
    assert_int_equal(chorus_step(stmt), CHORUS_ERROR);
    assert_string_equal(chorus_errmsg(conn), "authorizer malfunction");
    chorus_finalize(stmt);
    assert_int_equal(chorus_set_authorizer(NULL, judge_fn, NULL), CHORUS_MISUSE);
}

int
main(void)
{
#define T(name) cmocka_unit_test_setup_teardown(name, setup, capi_fixture_teardown)
    const struct CMUnitTest tests[] = {
        T(test_actions_and_arguments),
        T(test_deny),
        T(test_ignore),
        T(test_malfunction_and_prepared_statements),
    };
#undef T
    return cmocka_run_group_tests(tests, NULL, NULL);
}
