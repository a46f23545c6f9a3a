/*
 * tests/core/sql/test_tokenize.c: the tokenizer's rules (core/sql/tokenize.c),
 * which are SQLite's.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "sql_int.h"

/* Checks that text starts with one token of the type, len bytes long. */
static void
assert_token(const char *text, int type, size_t len)
{
    int got;
    size_t n = sql_token_scan(text, strlen(text), &got);
    if (got != type || n != len)
        fail_msg("[%s]: expected type %d len %zu, got type %d len %zu", text, type, len, got, n);
}

static void
test_tokenize_scans_identifiers_in_every_quoting(void **state)
{
    (void)state;
    assert_token("abc def", TK_ID, 3);
    assert_token("_a$1 ", TK_ID, 4);
    assert_token("\"a \"\" b\" x", TK_ID, 8);
    assert_token("[a b] x", TK_ID, 5);
    assert_token("`a``b` x", TK_ID, 6);
    assert_token("\xc3\xa9t\xc3\xa9 x", TK_ID, 5);
    assert_token("x y", TK_ID, 1);
}

static void
test_tokenize_marks_unterminated_quotes_illegal(void **state)
{
    (void)state;
    assert_token("'abc", TK_ILLEGAL, 4);
    assert_token("\"abc", TK_ILLEGAL, 4);
    assert_token("[abc", TK_ILLEGAL, 4);
    assert_token("`abc", TK_ILLEGAL, 4);
}

static void
test_tokenize_scans_strings_and_blobs(void **state)
{
    (void)state;
    assert_token("'it''s' x", TK_STRING, 7);
    assert_token("'' x", TK_STRING, 2);
    assert_token("x'0aFF' y", TK_BLOB, 7);
    assert_token("X'' y", TK_BLOB, 3);
    assert_token("x'abc' y", TK_ILLEGAL, 6);
    assert_token("x'zz' y", TK_ILLEGAL, 5);
    assert_token("x'00", TK_ILLEGAL, 4);
}

static void
test_tokenize_scans_numbers(void **state)
{
    (void)state;
    assert_token("123 x", TK_INTEGER, 3);
    assert_token("1.5+", TK_FLOAT, 3);
    assert_token(".5)", TK_FLOAT, 2);
    assert_token("5.)", TK_FLOAT, 2);
    assert_token("1e10,", TK_FLOAT, 4);
    assert_token("1.5E-3 ", TK_FLOAT, 6);
    assert_token("0x1F ", TK_INTEGER, 4);
    assert_token("0x1g", TK_INTEGER, 3);
    assert_token("123abc ", TK_ILLEGAL, 6);
    assert_token("1e ", TK_ILLEGAL, 2);
    assert_token("1_000", TK_ILLEGAL, 5);
    assert_token("0x ", TK_ILLEGAL, 2);
}

static void
test_tokenize_scans_parameters(void **state)
{
    (void)state;
    assert_token("? ", TK_VARIABLE, 1);
    assert_token("?12,", TK_VARIABLE, 3);
    assert_token(":name)", TK_VARIABLE, 5);
    assert_token("@a1 ", TK_VARIABLE, 3);
    assert_token("$a::b::c(x) ", TK_VARIABLE, 11);
    assert_token("#p ", TK_VARIABLE, 2);
    assert_token(": ", TK_ILLEGAL, 1);
    assert_token("$a(b c)", TK_ILLEGAL, 4);
}

static void
test_tokenize_scans_comments_and_spaces(void **state)
{
    (void)state;
    assert_token("-- hi\nx", TK_COMMENT, 5);
    assert_token("-- to the end", TK_COMMENT, 13);
    assert_token("/* a */x", TK_COMMENT, 7);
    assert_token("/* open", TK_COMMENT, 7);
    assert_token(" \t\r\n\f\vx", TK_SPACE, 6);
}

static void
test_tokenize_scans_operators(void **state)
{
    (void)state;
    assert_token("||x", TK_CONCAT, 2);
    assert_token("|x", TK_BITOR, 1);
    assert_token("->x", TK_PTR, 2);
    assert_token("->>x", TK_PTR, 3);
    assert_token("<<x", TK_LSHIFT, 2);
    assert_token(">>x", TK_RSHIFT, 2);
    assert_token("<=x", TK_LE, 2);
    assert_token(">=x", TK_GE, 2);
    assert_token("==x", TK_EQ, 2);
    assert_token("=x", TK_EQ, 1);
    assert_token("!=x", TK_NE, 2);
    assert_token("<>x", TK_NE, 2);
    assert_token("!x", TK_ILLEGAL, 1);
    assert_token("^", TK_ILLEGAL, 1);
    assert_token("-1", TK_MINUS, 1);
}

static void
test_tokenize_recognizes_keywords_in_any_case(void **state)
{
    (void)state;
    assert_token("select ", TK_SELECT, 6);
    assert_token("SeLeCt(", TK_SELECT, 6);
    assert_token("current_timestamp", TK_CURRENT_TIMESTAMP, 17);
    assert_token("selects", TK_ID, 7);
    assert_token("rowid", TK_ID, 5);
    assert_token("true", TK_ID, 4);
    assert_int_equal(sql_keyword_code("temporary", 9), TK_TEMPORARY);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_tokenize_scans_identifiers_in_every_quoting),
        cmocka_unit_test(test_tokenize_marks_unterminated_quotes_illegal),
        cmocka_unit_test(test_tokenize_scans_strings_and_blobs),
        cmocka_unit_test(test_tokenize_scans_numbers),
        cmocka_unit_test(test_tokenize_scans_parameters),
        cmocka_unit_test(test_tokenize_scans_comments_and_spaces),
        cmocka_unit_test(test_tokenize_scans_operators),
        cmocka_unit_test(test_tokenize_recognizes_keywords_in_any_case),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
