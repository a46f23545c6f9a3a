/*
 * tests/c-api/test_column.c: the column getters of c-api/column.c and
 * SQLite's conversions between integer, real, text, blob and NULL, the
 * lifetime of converted text, and misuse (no row, column out of range).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "chorus.h"

typedef struct fixture {
    chorus_db *db;
    chorus_conn *conn;
    chorus_stmt *stmt;
} fixture;

static int
setup(void **state)
{
    static fixture f;

    if (chorus_open(":memory:", 0, &f.db) != CHORUS_OK || chorus_connect(f.db, &f.conn) != CHORUS_OK)
        return -1;
    f.stmt = NULL;
    *state = &f;
    return 0;
}

static int
teardown(void **state)
{
    fixture *f = *state;

    chorus_finalize(f->stmt);
    chorus_disconnect(f->conn);
    chorus_close(f->db);
    return 0;
}

/* Prepares sql into the fixture and steps to its first row. */
static chorus_stmt *
row_of(fixture *f, const char *sql)
{
    assert_int_equal(chorus_prepare(f->conn, sql, -1, &f->stmt, NULL), CHORUS_OK);
    assert_int_equal(chorus_step(f->stmt), CHORUS_ROW);
    return f->stmt;
}

static void
test_integer_converts_to_text_double_and_blob(void **state)
{
    chorus_stmt *s = row_of(*state, "SELECT -42");

    assert_int_equal(chorus_column_type(s, 0), CHORUS_INTEGER);
    assert_string_equal(chorus_column_text(s, 0), "-42");
    assert_int_equal(chorus_column_bytes(s, 0), 3);
    assert_true(chorus_column_double(s, 0) == -42.0);
    assert_memory_equal(chorus_column_blob(s, 0), "-42", 3);
    /* Converting does not change the reported type. */
    assert_int_equal(chorus_column_type(s, 0), CHORUS_INTEGER);
}

static void
test_real_renders_as_sqlite_does(void **state)
{
    chorus_stmt *s = row_of(*state, "SELECT 1.0, 0.1, 1e20, -2.5, 1.0/3");

    assert_string_equal(chorus_column_text(s, 0), "1.0");
    assert_string_equal(chorus_column_text(s, 1), "0.1");
    assert_string_equal(chorus_column_text(s, 2), "1.0e+20");
    assert_string_equal(chorus_column_text(s, 3), "-2.5");
    assert_string_equal(chorus_column_text(s, 4), "0.333333333333333");
    assert_int_equal(chorus_column_int64(s, 3), -2);
}

static void
test_text_converts_to_numbers_by_prefix(void **state)
{
    chorus_stmt *s = row_of(*state, "SELECT '12abc', '  3.5x', 'abc', '9999999999999999999'");

    assert_int_equal(chorus_column_int64(s, 0), 12);
    assert_true(chorus_column_double(s, 0) == 12.0);
    assert_int_equal(chorus_column_int64(s, 1), 3);
    assert_true(chorus_column_double(s, 1) == 3.5);
    assert_int_equal(chorus_column_int64(s, 2), 0);
    assert_true(chorus_column_double(s, 2) == 0.0);
    assert_true(chorus_column_int64(s, 3) == INT64_MAX);
}

static void
test_text_is_nul_terminated_and_bytes_counts_it(void **state)
{
    chorus_stmt *s = row_of(*state, "SELECT 'hello', ''");

    assert_string_equal(chorus_column_text(s, 0), "hello");
    assert_int_equal(chorus_column_bytes(s, 0), 5);
    assert_string_equal(chorus_column_text(s, 1), "");
    assert_int_equal(chorus_column_bytes(s, 1), 0);
    assert_int_equal(chorus_column_type(s, 1), CHORUS_TEXT);
}

static void
test_blob_and_text_convert_into_each_other(void **state)
{
    chorus_stmt *s = row_of(*state, "SELECT x'414243', 'xyz', x''");

    assert_string_equal(chorus_column_text(s, 0), "ABC");
    assert_int_equal(chorus_column_bytes(s, 0), 3);
    assert_memory_equal(chorus_column_blob(s, 1), "xyz", 3);
    assert_null(chorus_column_blob(s, 2));
    assert_int_equal(chorus_column_bytes(s, 2), 0);
    assert_int_equal(chorus_column_type(s, 2), CHORUS_BLOB);
}

static void
test_null_gives_zero_and_null_pointers(void **state)
{
    chorus_stmt *s = row_of(*state, "SELECT NULL");

    assert_int_equal(chorus_column_type(s, 0), CHORUS_NULL);
    assert_int_equal(chorus_column_int64(s, 0), 0);
    assert_true(chorus_column_double(s, 0) == 0.0);
    assert_null(chorus_column_text(s, 0));
    assert_null(chorus_column_blob(s, 0));
    assert_int_equal(chorus_column_bytes(s, 0), 0);
}

static void
test_converted_text_is_stable_within_a_row(void **state)
{
    chorus_stmt *s = row_of(*state, "SELECT 123");
    const char *first = chorus_column_text(s, 0);

    assert_ptr_equal(chorus_column_text(s, 0), first);
    assert_int_equal(chorus_column_bytes(s, 0), 3);
    assert_string_equal(first, "123");
}

static void
test_each_row_gets_its_own_conversion(void **state)
{
    fixture *f = *state;
    chorus_stmt *s;

    assert_int_equal(chorus_exec(f->conn, "CREATE TABLE t(x); INSERT INTO t VALUES (1), (22), "
                                          "(333), ('text'), (4.5)"),
                     CHORUS_OK);
    assert_int_equal(chorus_prepare(f->conn, "SELECT x FROM t", -1, &f->stmt, NULL), CHORUS_OK);
    s = f->stmt;
    const char *expected[] = { "1", "22", "333", "text", "4.5" };
    for (int i = 0; i < 5; i++) {
        assert_int_equal(chorus_step(s), CHORUS_ROW);
        assert_string_equal(chorus_column_text(s, 0), expected[i]);
        assert_int_equal(chorus_column_bytes(s, 0), (int)strlen(expected[i]));
    }
    assert_int_equal(chorus_step(s), CHORUS_DONE);
}

static void
test_column_out_of_range_is_zero_and_range(void **state)
{
    fixture *f = *state;
    chorus_stmt *s = row_of(f, "SELECT 1, 2");

    assert_int_equal(chorus_column_int64(s, 2), 0);
    assert_int_equal(chorus_errcode(f->conn), CHORUS_RANGE);
    assert_null(chorus_column_text(s, -1));
    assert_int_equal(chorus_column_type(s, 7), CHORUS_NULL);
    assert_int_equal(chorus_column_bytes(s, 7), 0);
    assert_null(chorus_column_blob(s, 7));
    assert_true(chorus_column_double(s, 7) == 0.0);
}

static void
test_columns_without_a_current_row_are_misuse(void **state)
{
    fixture *f = *state;
    chorus_stmt *s;

    assert_int_equal(chorus_prepare(f->conn, "SELECT 1", -1, &f->stmt, NULL), CHORUS_OK);
    s = f->stmt;
    assert_int_equal(chorus_column_int64(s, 0), 0);
    assert_int_equal(chorus_errcode(f->conn), CHORUS_MISUSE);
    assert_int_equal(chorus_step(s), CHORUS_ROW);
    assert_int_equal(chorus_column_int64(s, 0), 1);
    assert_int_equal(chorus_step(s), CHORUS_DONE);
    assert_null(chorus_column_text(s, 0));
    assert_int_equal(chorus_errcode(f->conn), CHORUS_MISUSE);
}

static void
test_many_columns_grow_the_cache(void **state)
{
    char sql[4096] = "SELECT 0";
    chorus_stmt *s;
    char want[16];

    for (int i = 1; i < 200; i++) {
        size_t n = strlen(sql);
        snprintf(sql + n, sizeof sql - n, ", %d", i * 1000);
    }
    s = row_of(*state, sql);
    assert_int_equal(chorus_column_count(s), 200);
    for (int i = 199; i >= 0; i--) {
        snprintf(want, sizeof want, "%d", i * 1000);
        assert_string_equal(chorus_column_text(s, i), want);
    }
}

int
main(void)
{
#define T(name) cmocka_unit_test_setup_teardown(name, setup, teardown)
    const struct CMUnitTest tests[] = {
        T(test_integer_converts_to_text_double_and_blob),
        T(test_real_renders_as_sqlite_does),
        T(test_text_converts_to_numbers_by_prefix),
        T(test_text_is_nul_terminated_and_bytes_counts_it),
        T(test_blob_and_text_convert_into_each_other),
        T(test_null_gives_zero_and_null_pointers),
        T(test_converted_text_is_stable_within_a_row),
        T(test_each_row_gets_its_own_conversion),
        T(test_column_out_of_range_is_zero_and_range),
        T(test_columns_without_a_current_row_are_misuse),
        T(test_many_columns_grow_the_cache),
    };
#undef T
    return cmocka_run_group_tests(tests, NULL, NULL);
}
