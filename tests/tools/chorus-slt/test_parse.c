/*
 * tests/tools/chorus-slt/test_parse.c: the sqllogictest record reader of
 * tools/chorus-slt/parse.c (rules P1-P5 there).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "../../../tools/chorus-slt/parse.c"

static slt_reader reader;

static void
open_text(const char *text)
{
    assert_int_equal(slt_reader_open(&reader, text, strlen(text)), 0);
}

static int
teardown(void **state)
{
    (void)state;
    slt_reader_free(&reader);
    return 0;
}

static void
test_statement_ok_and_error_with_multiline_sql(void **state)
{
    slt_record rec;

    (void)state;
    open_text("statement ok\nCREATE TABLE t1(\n  a INT)\n\n\n"
              "statement error\nSELECT * FROM nope\n");
    assert_int_equal(slt_reader_next(&reader, &rec), 1);
    assert_int_equal(rec.kind, SLT_STATEMENT);
    assert_false(rec.expect_error);
    assert_int_equal(rec.line, 1);
    assert_string_equal(rec.sql, "CREATE TABLE t1(\n  a INT)");
    assert_int_equal(slt_reader_next(&reader, &rec), 1);
    assert_true(rec.expect_error);
    assert_int_equal(rec.line, 6);
    assert_string_equal(rec.sql, "SELECT * FROM nope");
    assert_int_equal(slt_reader_next(&reader, &rec), 0);
}

static void
test_query_with_types_sort_label_and_values(void **state)
{
    slt_record rec;

    (void)state;
    open_text("query ITR rowsort label-xyz extra tokens\nSELECT a, b,\n c FROM t1\n----\n1\nx\n2.500\n");
    assert_int_equal(slt_reader_next(&reader, &rec), 1);
    assert_int_equal(rec.kind, SLT_QUERY);
    assert_string_equal(rec.types, "ITR");
    assert_int_equal(rec.sort, SLT_ROWSORT);
    assert_string_equal(rec.label, "label-xyz");
    assert_string_equal(rec.sql, "SELECT a, b,\n c FROM t1");
    assert_int_equal(rec.n_expected, 3);
    assert_string_equal(rec.expected[0], "1");
    assert_string_equal(rec.expected[2], "2.500");
}

static void
test_query_without_separator_expects_nothing(void **state)
{
    slt_record rec;

    (void)state;
    open_text("query I nosort\nSELECT 1 WHERE 0\n");
    assert_int_equal(slt_reader_next(&reader, &rec), 1);
    assert_int_equal(rec.n_expected, 0);
    assert_string_equal(rec.sql, "SELECT 1 WHERE 0");
    assert_string_equal(rec.label, "");
}

static void
test_crlf_line_ends_are_stripped(void **state)
{
    slt_record rec;

    (void)state;
    open_text("query T valuesort\r\nSELECT 'a'\r\n----\r\na\r\n\r\nhalt\r\n");
    assert_int_equal(slt_reader_next(&reader, &rec), 1);
    assert_int_equal(rec.sort, SLT_VALUESORT);
    assert_string_equal(rec.sql, "SELECT 'a'");
    assert_string_equal(rec.expected[0], "a");
    assert_int_equal(slt_reader_next(&reader, &rec), 1);
    assert_int_equal(rec.kind, SLT_HALT);
}

static void
test_comments_are_dropped_inside_records_and_do_not_separate(void **state)
{
    slt_record rec;

    (void)state;
    open_text("# leading comment\nstatement ok\n# inside\nINSERT INTO t VALUES(1)\n"
              "# still inside\n\nquery I\nSELECT 1\n----\n# not a value\n1\n");
    assert_int_equal(slt_reader_next(&reader, &rec), 1);
    assert_int_equal(rec.line, 2);
    assert_string_equal(rec.sql, "INSERT INTO t VALUES(1)");
    assert_int_equal(slt_reader_next(&reader, &rec), 1);
    assert_int_equal(rec.n_expected, 1);
    assert_string_equal(rec.expected[0], "1");
}

static void
test_whitespace_only_line_separates_records(void **state)
{
    slt_record rec;

    (void)state;
    open_text("statement ok\nSELECT 1\n   \t\nstatement ok\nSELECT 2");
    assert_int_equal(slt_reader_next(&reader, &rec), 1);
    assert_string_equal(rec.sql, "SELECT 1");
    assert_int_equal(slt_reader_next(&reader, &rec), 1);
    assert_string_equal(rec.sql, "SELECT 2");
    assert_int_equal(slt_reader_next(&reader, &rec), 0);
}

static void
test_skipif_and_onlyif_decide_for_engine_sqlite(void **state)
{
    slt_record rec;

    (void)state;
    open_text("skipif SQLite # comment\nstatement ok\nSELECT 1\n\n"
              "onlyif mysql\nstatement ok\nSELECT 2\n\n"
              "skipif mssql\nonlyif sqlite\nstatement ok\nSELECT 3\n\n"
              "skipif postgresql\nskipif sqlite\nquery I\nSELECT 4\n----\n4\n");
    assert_int_equal(slt_reader_next(&reader, &rec), 1);
    assert_true(rec.skip);
    assert_int_equal(slt_reader_next(&reader, &rec), 1);
    assert_true(rec.skip);
    assert_int_equal(slt_reader_next(&reader, &rec), 1);
    assert_false(rec.skip);
    assert_string_equal(rec.sql, "SELECT 3");
    assert_int_equal(slt_reader_next(&reader, &rec), 1);
    assert_true(rec.skip);
    assert_int_equal(rec.kind, SLT_QUERY);
}

static void
test_conditions_apply_to_halt(void **state)
{
    slt_record rec;

    (void)state;
    open_text("onlyif mssql\nhalt\n\nhash-threshold 100\n");
    assert_int_equal(slt_reader_next(&reader, &rec), 1);
    assert_int_equal(rec.kind, SLT_HALT);
    assert_true(rec.skip);
    assert_int_equal(slt_reader_next(&reader, &rec), 1);
    assert_int_equal(rec.kind, SLT_HASH_THRESHOLD);
    assert_int_equal(rec.threshold, 100);
}

static void
test_long_labels_are_cut_to_20_characters(void **state)
{
    slt_record rec;

    (void)state;
    open_text("query I nosort label-0123456789abcdefghij\nSELECT 1\n");
    assert_int_equal(slt_reader_next(&reader, &rec), 1);
    assert_string_equal(rec.label, "label-0123456789abcd");
}

static void
test_bad_records_are_reported(void **state)
{
    slt_record rec;

    (void)state;
    open_text("statement maybe\nSELECT 1\n\nquery IX\nSELECT 1\n\nquery I sideways\nSELECT 1\n\n"
              "frobnicate\n\nskipif sqlite\n");
    for (int i = 0; i < 5; i++) {
        assert_int_equal(slt_reader_next(&reader, &rec), 1);
        assert_int_equal(rec.kind, SLT_BAD);
        assert_non_null(rec.problem);
    }
    assert_int_equal(slt_reader_next(&reader, &rec), 0);
}

static void
test_empty_and_comment_only_files_have_no_records(void **state)
{
    slt_record rec;

    (void)state;
    open_text("");
    assert_int_equal(slt_reader_next(&reader, &rec), 0);
    slt_reader_free(&reader);
    open_text("# only\n# comments\n\n");
    assert_int_equal(slt_reader_next(&reader, &rec), 0);
}

int
main(void)
{
#define T(name) cmocka_unit_test_teardown(name, teardown)
    const struct CMUnitTest tests[] = {
        T(test_statement_ok_and_error_with_multiline_sql),
        T(test_query_with_types_sort_label_and_values),
        T(test_query_without_separator_expects_nothing),
        T(test_crlf_line_ends_are_stripped),
        T(test_comments_are_dropped_inside_records_and_do_not_separate),
        T(test_whitespace_only_line_separates_records),
        T(test_skipif_and_onlyif_decide_for_engine_sqlite),
        T(test_conditions_apply_to_halt),
        T(test_long_labels_are_cut_to_20_characters),
        T(test_bad_records_are_reported),
        T(test_empty_and_comment_only_files_have_no_records),
    };
#undef T
    return cmocka_run_group_tests(tests, NULL, NULL);
}
