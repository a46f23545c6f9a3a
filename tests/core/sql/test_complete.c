/*
 * tests/core/sql/test_complete.c: sql_complete (core/sql/complete.c),
 * checked case by case and against sqlite3_complete as the oracle.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>
#include <sqlite3.h>

#include "sql.h"

static const struct {
    const char *sql;
    int complete;
} cases[] = {
    {"", 0},
    {"   ", 0},
    {";", 1},
    {"SELECT 1", 0},
    {"SELECT 1;", 1},
    {"SELECT 1;  -- trailing comment", 1},
    {"SELECT 1; /* c */ ", 1},
    {"SELECT 1; SELECT 2", 0},
    {"SELECT ';'", 0},
    {"SELECT ';';", 1},
    {"SELECT \"a;b\"", 0},
    {"SELECT [a;b];", 1},
    {"SELECT 'unterminated;", 0},
    {"SELECT 1 /* ; */", 0},
    {"SELECT 1; /* open", 0},
    {"SELECT 1 -- ;", 0},
    {"CREATE TRIGGER r AFTER INSERT ON t BEGIN SELECT 1;", 0},
    {"CREATE TRIGGER r AFTER INSERT ON t BEGIN SELECT 1; END", 0},
    {"CREATE TRIGGER r AFTER INSERT ON t BEGIN SELECT 1; END;", 1},
    {"create temp trigger r after insert on t begin select 1; end ;", 1},
    {"CREATE TEMPORARY TRIGGER r INSERT ON t BEGIN SELECT 1; END;", 1},
    {"EXPLAIN CREATE TRIGGER r INSERT ON t BEGIN SELECT 1;", 0},
    {"EXPLAIN CREATE TRIGGER r INSERT ON t BEGIN SELECT 1; END;", 1},
    {"CREATE TABLE trigger(a);", 1},
    {"CREATE TABLE t(a); CREATE TRIGGER r INSERT ON t BEGIN SELECT 1;", 0},
    {"SELECT end;", 1},
};

static void
test_complete_matches_expected_cases(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
        if (sql_complete(cases[i].sql) != cases[i].complete)
            fail_msg("[%s]: expected %d", cases[i].sql, cases[i].complete);
}

static void
test_complete_agrees_with_sqlite(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
        if (sql_complete(cases[i].sql) != sqlite3_complete(cases[i].sql))
            fail_msg("[%s]: sqlite3_complete says %d", cases[i].sql, sqlite3_complete(cases[i].sql));
}

static void
test_complete_rejects_null(void **state)
{
    (void)state;
    assert_int_equal(sql_complete(NULL), 0);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_complete_matches_expected_cases),
        cmocka_unit_test(test_complete_agrees_with_sqlite),
        cmocka_unit_test(test_complete_rejects_null),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
