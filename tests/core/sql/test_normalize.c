/*
 * tests/core/sql/test_normalize.c: sql_normalize_create
 * (core/sql/normalize.c), checked against the text sqlite3 itself stores
 * in sqlite_schema for the same statements.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <sqlite3.h>

#include "sql.h"

static const char *const statements[] = {
    "create table  IF NOT EXISTS  main . t0 ( a )",
    "create temp table t2(b int primary key) without rowid, strict",
    "CREATE TABLE \"x y\"(a) /* trailing comment */ ",
    "create   table   `q`(c) -- hi\n",
    "create unique index if not exists i on t(a)",
    "create index j on t(a) /* c2 */  ",
    "create view v(x) as select a from t",
    "create temp view vv as select 1 /* c */ ",
    "create trigger tr after insert on t begin select 1; end",
    "create  temporary  trigger  tr2 before delete on t begin delete from t; end /* c3 */",
};

/* What sqlite3 stores for sql (followed by ";"), from a fresh database. */
static char *
sqlite_stored_text(const char *sql)
{
    sqlite3 *db;
    sqlite3_stmt *st;
    char buf[1024], *out = NULL;

    assert_int_equal(sqlite3_open(":memory:", &db), SQLITE_OK);
    assert_int_equal(sqlite3_exec(db, "CREATE TABLE t(a)", NULL, NULL, NULL), SQLITE_OK);
    snprintf(buf, sizeof buf, "%s;", sql);
    assert_int_equal(sqlite3_exec(db, buf, NULL, NULL, NULL), SQLITE_OK);
    assert_int_equal(sqlite3_prepare_v2(db, "SELECT sql FROM sqlite_schema WHERE sql NOT LIKE "
                                        "'CREATE TABLE t(a)' UNION ALL SELECT sql FROM "
                                        "sqlite_temp_schema", -1, &st, NULL), SQLITE_OK);
    if (sqlite3_step(st) == SQLITE_ROW)
        out = strdup((const char *)sqlite3_column_text(st, 0));
    sqlite3_finalize(st);
    sqlite3_close(db);
    return out;
}

static void
test_normalize_matches_what_sqlite_stores(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof statements / sizeof statements[0]; i++) {
        char with_semi[1024];
        char *expected = sqlite_stored_text(statements[i]);
        char *got;
        assert_non_null(expected);
        snprintf(with_semi, sizeof with_semi, "%s;", statements[i]);
        got = sql_normalize_create(with_semi, -1);
        if (got == NULL || strcmp(got, expected) != 0)
            fail_msg("[%s]\n  expected [%s]\n  got      [%s]", statements[i], expected,
                     got ? got : "(null)");
        free(got);
        free(expected);
    }
}

static void
test_normalize_accepts_text_without_the_semicolon(void **state)
{
    char *got;
    (void)state;
    got = sql_normalize_create("create temp table if not exists main.t(a)", -1);
    assert_string_equal(got, "CREATE TABLE t(a)");
    free(got);
    got = sql_normalize_create("CREATE VIRTUAL TABLE aux.v USING fts5(a) garbage", 40);
    assert_string_equal(got, "CREATE VIRTUAL TABLE v USING fts5(a)");
    free(got);
}

static void
test_normalize_rejects_non_create_text(void **state)
{
    (void)state;
    assert_null(sql_normalize_create("SELECT 1", -1));
    assert_null(sql_normalize_create("CREATE", -1));
    assert_null(sql_normalize_create("CREATE SEQUENCE s", -1));
    assert_null(sql_normalize_create(NULL, 0));
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_normalize_matches_what_sqlite_stores),
        cmocka_unit_test(test_normalize_accepts_text_without_the_semicolon),
        cmocka_unit_test(test_normalize_rejects_non_create_text),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
