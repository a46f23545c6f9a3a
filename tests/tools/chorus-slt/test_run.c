/*
 * tests/tools/chorus-slt/test_run.c: rendering, sorting and hashing of
 * results and whole-file runs of tools/chorus-slt/run.c against the engine.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "../../../tools/chorus-slt/md5.c"
#include "../../../tools/chorus-slt/parse.c"
#include "../../../tools/chorus-slt/run.c"
#include "test_support.h"

static int
setup_dir(void **state)
{
    (void)state;
    return test_tmpdir() != NULL ? 0 : -1;
}

static int
teardown_dir(void **state)
{
    (void)state;
    test_tmpdir_remove();
    return 0;
}

/* Renders every column of "SELECT <exprs>" with types into out[]. */
static void
render_row(const char *sql, const char *types, char out[][64])
{
    chorus_db *db;
    chorus_conn *conn;
    chorus_stmt *stmt;

    assert_int_equal(chorus_open(":memory:", 0, &db), CHORUS_OK);
    assert_int_equal(chorus_connect(db, &conn), CHORUS_OK);
    assert_int_equal(chorus_prepare(conn, sql, -1, &stmt, NULL), CHORUS_OK);
    assert_int_equal(chorus_step(stmt), CHORUS_ROW);
    for (int i = 0; types[i] != '\0'; i++)
        slt_render_value(stmt, i, types[i], out[i], 64);
    chorus_finalize(stmt);
    chorus_disconnect(conn);
    chorus_close(db);
}

static void
test_render_integer_column_as_32_bit_int(void **state)
{
    char v[6][64];

    (void)state;
    render_row("SELECT 42, -7.9, '12abc', 'xyz', 4294967297, NULL", "IIIIII", v);
    assert_string_equal(v[0], "42");
    assert_string_equal(v[1], "-7");
    assert_string_equal(v[2], "12");
    assert_string_equal(v[3], "0");
    assert_string_equal(v[4], "1");
    assert_string_equal(v[5], "NULL");
}

static void
test_render_real_column_with_three_decimals(void **state)
{
    char v[5][64];

    (void)state;
    render_row("SELECT 1, 2.5, -0.0004, 1e15 + 0.25, -9223372036854775808.0", "RRRRR", v);
    assert_string_equal(v[0], "1.000");
    assert_string_equal(v[1], "2.500");
    assert_string_equal(v[2], "-0.000");
    assert_string_equal(v[3], "1000000000000000.000");
    assert_string_equal(v[4], "-9223372036854776000.000");
}

static void
test_render_text_column_with_empty_and_unprintable_bytes(void **state)
{
    char v[5][64];

    (void)state;
    render_row("SELECT 'abc', '', 'a' || char(9) || 'b', 1.5, 'é'", "TTTTT", v);
    assert_string_equal(v[0], "abc");
    assert_string_equal(v[1], "(empty)");
    assert_string_equal(v[2], "a@b");
    assert_string_equal(v[3], "1.5");
    assert_string_equal(v[4], "@@");
}

static void
add_all(slt_result *res, const char *const *values, int n)
{
    for (int i = 0; i < n; i++)
        assert_int_equal(slt_result_add(res, values[i]), 0);
}

static void
test_rowsort_sorts_rows_by_strcmp_of_each_column(void **state)
{
    const char *values[] = { "9", "b", "10", "z", "9", "a" };
    slt_result res = { .n_cols = 2 };

    (void)state;
    add_all(&res, values, 6);
    slt_result_sort(&res, SLT_ROWSORT);
    assert_string_equal(res.values[0], "10");
    assert_string_equal(res.values[1], "z");
    assert_string_equal(res.values[2], "9");
    assert_string_equal(res.values[3], "a");
    assert_string_equal(res.values[5], "b");
    slt_result_clear(&res);
    free(res.values);
}

static void
test_valuesort_sorts_values_ignoring_rows(void **state)
{
    const char *values[] = { "b", "a", "NULL", "10", "9" };
    slt_result res = { .n_cols = 1 };

    (void)state;
    add_all(&res, values, 5);
    slt_result_sort(&res, SLT_VALUESORT);
    assert_string_equal(res.values[0], "10");
    assert_string_equal(res.values[1], "9");
    assert_string_equal(res.values[2], "NULL");
    assert_string_equal(res.values[4], "b");
    slt_result_clear(&res);
    free(res.values);
}

static void
test_hash_is_md5_of_values_each_followed_by_newline(void **state)
{
    const char *values[] = { "1", "2" };
    slt_result res = { .n_cols = 1 };
    char hex[33];

    (void)state;
    add_all(&res, values, 2);
    slt_result_hash(&res, hex);
    assert_string_equal(hex, "6ddb4095eb719e2a9f0a3f95677d24e0"); /* md5 of "1\n2\n" */
    slt_result_clear(&res);
    free(res.values);
}

/* Writes text to a file in the test directory and runs it. */
static slt_counts
run_text(const char *text, bool verbose)
{
    char path[512], dir[512];
    slt_options opt = { .verbose = verbose };
    slt_counts counts = { 0 };
    FILE *f;

    test_path(path, sizeof path, "case.test");
    test_path(dir, sizeof dir, "");
    f = fopen(path, "w");
    assert_non_null(f);
    fputs(text, f);
    fclose(f);
    slt_run_file(path, dir, &opt, &counts);
    return counts;
}

static void
test_file_with_passing_records_counts_them(void **state)
{
    slt_counts c;

    (void)state;
    c = run_text("statement ok\nCREATE TABLE t1(a INTEGER, b TEXT)\n\n"
                 "statement ok\nINSERT INTO t1 VALUES (2, 'x'), (1, NULL), (3, '')\n\n"
                 "statement error\nINSERT INTO nope VALUES (1)\n\n"
                 "query IT rowsort\nSELECT a, b FROM t1\n----\n1\nNULL\n2\nx\n3\n(empty)\n\n"
                 "hash-threshold 2\n\n"
                 "query I nosort\nSELECT a FROM t1 ORDER BY a\n----\n"
                 "3 values hashing to c0710d6b4f15dfa88f600b0e6b624077\n\n"
                 "skipif sqlite\nstatement ok\nTHIS IS NOT SQL\n",
                 false);
    assert_int_equal(c.passed, 5);
    assert_int_equal(c.failed, 0);
    assert_int_equal(c.skipped, 1);
}

static void
test_file_with_wrong_results_counts_each_failure(void **state)
{
    slt_counts c;

    (void)state;
    c = run_text("statement ok\nCREATE TABLE t1(a)\n\n"
                 "statement ok\nINSERT INTO t1 VALUES (1), (2)\n\n"
                 "statement ok\nSELEC 1\n\n"
                 "statement error\nSELECT 1\n\n"
                 "query I rowsort\nSELECT a FROM t1\n----\n1\n3\n\n"
                 "query I rowsort\nSELECT a FROM t1\n----\n1\n\n"
                 "query I rowsort\nSELECT a FROM t1\n----\n1\n2\n3\n\n"
                 "query II\nSELECT a FROM t1\n----\n\n"
                 "query I\nSELECT * FROM nope\n----\n",
                 true);
    assert_int_equal(c.passed, 2);
    assert_int_equal(c.failed, 7);
}

static void
test_labels_must_agree_and_skipped_labels_register(void **state)
{
    slt_counts c;

    (void)state;
    c = run_text("skipif sqlite\nquery I nosort label-1\nSELECT 5\n----\n5\n\n"
                 "query I nosort label-1\nSELECT 5\n----\n5\n\n"
                 "query I nosort label-1\nSELECT 6\n----\n6\n",
                 false);
    assert_int_equal(c.skipped, 1);
    assert_int_equal(c.passed, 1);
    assert_int_equal(c.failed, 1);
}

static void
test_halt_and_bad_records_stop_the_file(void **state)
{
    slt_counts c;

    (void)state;
    c = run_text("statement ok\nSELECT 1\n\nhalt\n\nstatement ok\nSELECT 2\n", false);
    assert_int_equal(c.passed, 1);
    assert_int_equal(c.failed, 0);
    c = run_text("statement ok\nSELECT 1\n\nbogus record\n\nstatement ok\nSELECT 2\n", false);
    assert_int_equal(c.passed, 1);
    assert_int_equal(c.failed, 1);
}

static void
test_missing_file_is_one_failure(void **state)
{
    slt_options opt = { 0 };
    slt_counts c = { 0 };

    (void)state;
    assert_int_equal(slt_run_file("/nonexistent/x.test", "/tmp", &opt, &c), -1);
    assert_int_equal(c.failed, 1);
}

int
main(void)
{
#define T(name) cmocka_unit_test_setup_teardown(name, setup_dir, teardown_dir)
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_render_integer_column_as_32_bit_int),
        cmocka_unit_test(test_render_real_column_with_three_decimals),
        cmocka_unit_test(test_render_text_column_with_empty_and_unprintable_bytes),
        cmocka_unit_test(test_rowsort_sorts_rows_by_strcmp_of_each_column),
        cmocka_unit_test(test_valuesort_sorts_values_ignoring_rows),
        cmocka_unit_test(test_hash_is_md5_of_values_each_followed_by_newline),
        T(test_file_with_passing_records_counts_them),
        T(test_file_with_wrong_results_counts_each_failure),
        T(test_labels_must_agree_and_skipped_labels_register),
        T(test_halt_and_bad_records_stop_the_file),
        cmocka_unit_test(test_missing_file_is_one_failure),
    };
#undef T
    return cmocka_run_group_tests(tests, NULL, NULL);
}
