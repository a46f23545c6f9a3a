/*
 * tests/c-api/test_function_collation.c: application-defined collations
 * (c-api/collation.c, core/record/collation_user.c): ORDER BY, comparisons,
 * GROUP BY, DISTINCT and max() under a user collation (expected results
 * from Python's sqlite3 with the same collations), removal, redefinition
 * of a prepared statement's collation, per-connection names, table and
 * index definitions only with a defined collation (more in
 * test_collation_schema.c), refusal of built-in names, BUSY while a statement runs,
 * and destroy callbacks.
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

static int destroyed;

static int
setup(void **state)
{
    destroyed = 0;
    return capi_fixture_setup(state, "CREATE TABLE w(x); "
                                     "INSERT INTO w VALUES ('b'), ('A'), ('c'), ('a'), ('B')");
}

/* Byte order, reversed. */
static int
reverse_compare(void *user_data, int na, const void *a, int nb, const void *b)
{
    int n = na < nb ? na : nb;
    int c = memcmp(a, b, (size_t)n);

    (void)user_data;
    if (c == 0)
        c = na - nb;
    return -c;
}

/* ASCII case-insensitive; counts its calls in *user_data. */
static int
caseless_compare(void *user_data, int na, const void *a, int nb, const void *b)
{
    const unsigned char *p = a, *q = b;
    int n = na < nb ? na : nb;

    ++*(int *)user_data;
    for (int i = 0; i < n; i++) {
        int d = (p[i] | 0x20) - (q[i] | 0x20);
        if (d != 0)
            return d;
    }
    return na - nb;
}

static void
count_destroy(void *arg)
{
    (void)arg;
    destroyed++;
}

static void
test_order_by_uses_the_collation(void **state)
{
    capi_fixture *f = *state;

    assert_int_equal(chorus_create_collation(f->conn, "rev", NULL, reverse_compare, NULL),
                     CHORUS_OK);
    capi_assert_query(f->conn,
                      "SELECT group_concat(x, '') FROM (SELECT x FROM w ORDER BY x COLLATE rev)",
                      "cbaBA");
    capi_assert_query(f->conn, "SELECT max(x COLLATE REV) FROM w", "A");
    capi_assert_query(f->conn, "SELECT 'a' < 'b' COLLATE rev", "0");
}

static void
test_comparisons_grouping_and_distinct_use_the_collation(void **state)
{
    capi_fixture *f = *state;
    int calls = 0;

    assert_int_equal(chorus_create_collation(f->conn, "ci", &calls, caseless_compare, NULL),
                     CHORUS_OK);
    capi_assert_query(f->conn, "SELECT group_concat(x, '') FROM "
                               "(SELECT x FROM w ORDER BY x COLLATE ci, x)",
                      "AaBbc");
    capi_assert_query(f->conn, "SELECT count(*) FROM w WHERE x = 'a' COLLATE ci", "2");
    capi_assert_query(f->conn, "SELECT group_concat(n, ',') FROM "
                               "(SELECT count(*) n FROM w GROUP BY x COLLATE ci)",
                      "2,2,1");
    capi_assert_query(f->conn, "SELECT count(DISTINCT x COLLATE ci) FROM w", "3");
    assert_true(calls > 0);
}

static void
test_removed_collation_is_unknown(void **state)
{
    capi_fixture *f = *state;

    assert_int_equal(chorus_create_collation(f->conn, "rev", NULL, reverse_compare,
                                             count_destroy),
                     CHORUS_OK);
    assert_int_equal(chorus_create_collation(f->conn, "rev", NULL, NULL, NULL), CHORUS_OK);
    assert_int_equal(destroyed, 1);
    capi_assert_query_fails(f->conn, "SELECT x FROM w ORDER BY x COLLATE rev",
                            CHORUS_ERROR, "no such collation sequence: rev");
}

static void
test_prepared_statement_follows_a_redefinition(void **state)
{
    capi_fixture *f = *state;
    chorus_stmt *stmt;
    int calls = 0;

    assert_int_equal(chorus_create_collation(f->conn, "c", NULL, reverse_compare, count_destroy),
                     CHORUS_OK);
    assert_int_equal(chorus_prepare(f->conn, "SELECT x FROM w ORDER BY x COLLATE c", -1, &stmt,
                                    NULL),
                     CHORUS_OK);
    assert_int_equal(chorus_step(stmt), CHORUS_ROW);
    assert_string_equal(chorus_column_text(stmt, 0), "c");
    assert_int_equal(chorus_create_collation(f->conn, "c", &calls, caseless_compare, NULL),
                     CHORUS_BUSY);
    assert_string_equal(chorus_errmsg(f->conn),
                        "unable to delete/modify collation sequence due to active statements");
    assert_int_equal(chorus_reset(stmt), CHORUS_OK);
    assert_int_equal(chorus_create_collation(f->conn, "c", &calls, caseless_compare, NULL),
                     CHORUS_OK);
    assert_int_equal(destroyed, 1);
    assert_int_equal(chorus_step(stmt), CHORUS_ROW);
    assert_string_equal(chorus_column_text(stmt, 0), "A");
    assert_true(calls > 0);
    chorus_finalize(stmt);
}

static void
test_collations_belong_to_their_connection(void **state)
{
    capi_fixture *f = *state;
    chorus_conn *other;
    char buf[64];

    assert_int_equal(chorus_connect(f->db, &other), CHORUS_OK);
    assert_int_equal(chorus_create_collation(other, "rev", NULL, reverse_compare, count_destroy),
                     CHORUS_OK);
    capi_assert_query_fails(f->conn, "SELECT x FROM w ORDER BY x COLLATE rev",
                            CHORUS_ERROR, "no such collation sequence: rev");
    assert_int_equal(capi_query_text(other, "SELECT x FROM w ORDER BY x COLLATE rev", buf,
                                     sizeof buf),
                     CHORUS_ROW);
    assert_string_equal(buf, "c");
    assert_int_equal(chorus_disconnect(other), CHORUS_OK);
    assert_int_equal(destroyed, 1);
}

static void
test_schema_definitions_need_the_collation_defined(void **state)
{
    capi_fixture *f = *state;

    assert_int_equal(chorus_exec(f->conn, "CREATE TABLE z(x TEXT COLLATE rev)"), CHORUS_ERROR);
    assert_string_equal(chorus_errmsg(f->conn), "no such collation sequence: rev");
    assert_int_equal(chorus_exec(f->conn, "CREATE INDEX wx ON w(x COLLATE rev)"), CHORUS_ERROR);
    assert_string_equal(chorus_errmsg(f->conn), "no such collation sequence: rev");
    assert_int_equal(chorus_create_collation(f->conn, "rev", NULL, reverse_compare, NULL),
                     CHORUS_OK);
    assert_int_equal(chorus_exec(f->conn, "CREATE TABLE z(x TEXT COLLATE rev)"), CHORUS_OK);
    assert_int_equal(chorus_exec(f->conn, "CREATE INDEX wx ON w(x COLLATE rev)"), CHORUS_OK);
    capi_assert_query(f->conn, "PRAGMA integrity_check", "ok");
    capi_assert_query(f->conn, "SELECT x FROM w INDEXED BY wx WHERE x COLLATE rev < 'b'", "c");
}

static void
test_misuse_is_refused(void **state)
{
    capi_fixture *f = *state;

    assert_int_equal(chorus_create_collation(NULL, "x", NULL, reverse_compare, count_destroy),
                     CHORUS_MISUSE);
    assert_int_equal(destroyed, 1);
    assert_int_equal(chorus_create_collation(f->conn, NULL, NULL, reverse_compare, NULL),
                     CHORUS_MISUSE);
    assert_int_equal(chorus_create_collation(f->conn, "", NULL, reverse_compare, NULL),
                     CHORUS_MISUSE);
    assert_int_equal(chorus_create_collation(f->conn, "nocase", NULL, reverse_compare,
                                             count_destroy),
                     CHORUS_MISUSE);
    assert_string_equal(chorus_errmsg(f->conn), "cannot redefine a built-in collation");
    assert_int_equal(destroyed, 2);
    capi_assert_query(f->conn, "SELECT 'a' = 'A' COLLATE NOCASE", "1");
}

int
main(void)
{
#define T(name) cmocka_unit_test_setup_teardown(name, setup, capi_fixture_teardown)
    const struct CMUnitTest tests[] = {
        T(test_order_by_uses_the_collation),
        T(test_comparisons_grouping_and_distinct_use_the_collation),
        T(test_removed_collation_is_unknown),
        T(test_prepared_statement_follows_a_redefinition),
        T(test_collations_belong_to_their_connection),
        T(test_schema_definitions_need_the_collation_defined),
        T(test_misuse_is_refused),
    };
#undef T
    return cmocka_run_group_tests(tests, NULL, NULL);
}
