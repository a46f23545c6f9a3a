/*
 * tests/c-api/test_authorizer_triggers.c: the authorizer judges what a
 * statement runs that its text does not name (core/vm/exec_trigger.c G9,
 * core/compile/authorize.c AZ2): the statements of the trigger programs it
 * fires (reads and their own actions, DENY and IGNORE) and the columns of
 * RETURNING `*`. Expected outcomes are sqlite3 3.40.1's (through Python's
 * sqlite3 with the same authorizer).
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

static const char schema_sql[] =
    "CREATE TABLE t(id INTEGER PRIMARY KEY, secret TEXT, pub TEXT);"
    "INSERT INTO t VALUES (1, 's1', 'p1');"
    "CREATE TABLE log(x); CREATE TABLE u(a); CREATE TABLE w(a);"
    "CREATE TRIGGER tr AFTER INSERT ON u BEGIN "
    "  INSERT INTO log SELECT secret FROM t; INSERT INTO w VALUES (new.a); END;";

/* The rule: answer for action on name (a table for INSERT, a column for
 * READ), else OK. */
typedef struct rule {
    int action;
    const char *name;
    int answer;
} rule;

static rule the_rule;

static int
judge_fn(void *arg, int action, const char *a, const char *b, const char *db, const char *inner)
{
    const rule *r = arg;
    const char *name = action == CHORUS_AUTH_READ ? b : a;

    (void)db;
    (void)inner;
    if (action == r->action && name != NULL && strcmp(name, r->name) == 0)
        return r->answer;
    return CHORUS_OK;
}

static int
setup(void **state)
{
    return capi_fixture_setup(state, schema_sql);
}

static chorus_conn *
conn_with_rule(void **state, int action, const char *name, int answer)
{
    chorus_conn *conn = ((capi_fixture *)*state)->conn;

    the_rule = (rule){action, name, answer};
    assert_int_equal(chorus_set_authorizer(conn, judge_fn, &the_rule), CHORUS_OK);
    return conn;
}

/* A read inside the program of a trigger the statement fires is asked
 * about: denied, the statement fails to prepare and nothing is written. */
static void
test_trigger_read_denied(void **state)
{
    chorus_conn *conn = conn_with_rule(state, CHORUS_AUTH_READ, "secret", CHORUS_DENY);

    capi_assert_query_fails(conn, "INSERT INTO u VALUES (7)", CHORUS_AUTH,
                            "access to t.secret is prohibited");
    assert_int_equal(chorus_set_authorizer(conn, NULL, NULL), CHORUS_OK);
    capi_assert_query(conn, "SELECT count(*) FROM log", "0");
    capi_assert_query(conn, "SELECT count(*) FROM u", "0");
}

/* Ignored, the trigger's read gives NULL. */
static void
test_trigger_read_ignored(void **state)
{
    chorus_conn *conn = conn_with_rule(state, CHORUS_AUTH_READ, "secret", CHORUS_IGNORE);

    assert_int_equal(chorus_exec(conn, "INSERT INTO u VALUES (8)"), CHORUS_OK);
    assert_int_equal(chorus_set_authorizer(conn, NULL, NULL), CHORUS_OK);
    capi_assert_query(conn, "SELECT quote(x) FROM log", "NULL");
}

/* The body statement's own action: denied fails the firing statement;
 * ignored skips that statement only (and its reads are not asked about). */
static void
test_trigger_action(void **state)
{
    chorus_conn *conn = conn_with_rule(state, CHORUS_AUTH_INSERT, "log", CHORUS_DENY);

    capi_assert_query_fails(conn, "INSERT INTO u VALUES (7)", CHORUS_AUTH, "not authorized");
    the_rule.answer = CHORUS_IGNORE;
    assert_int_equal(chorus_exec(conn, "INSERT INTO u VALUES (7)"), CHORUS_OK);
    assert_int_equal(chorus_set_authorizer(conn, NULL, NULL), CHORUS_OK);
    capi_assert_query(conn, "SELECT count(*) FROM log", "0");
    capi_assert_query(conn, "SELECT a FROM w", "7");
}

/* RETURNING * reads every column of the row. */
static void
test_returning_star(void **state)
{
    chorus_conn *conn = conn_with_rule(state, CHORUS_AUTH_READ, "secret", CHORUS_DENY);

    capi_assert_query_fails(conn, "UPDATE t SET pub = 'q' WHERE id = 1 RETURNING *", CHORUS_AUTH,
                            "access to t.secret is prohibited");
    capi_assert_query_fails(conn, "DELETE FROM t RETURNING *", CHORUS_AUTH,
                            "access to t.secret is prohibited");
    capi_assert_query(conn, "UPDATE t SET pub = 'q' WHERE id = 1 RETURNING pub", "q");
}

int
main(void)
{
#define T(name) cmocka_unit_test_setup_teardown(name, setup, capi_fixture_teardown)
    const struct CMUnitTest tests[] = {
        T(test_trigger_read_denied),
        T(test_trigger_read_ignored),
        T(test_trigger_action),
        T(test_returning_star),
    };
#undef T
    return cmocka_run_group_tests(tests, NULL, NULL);
}
