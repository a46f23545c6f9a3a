/*
 * tests/core/sql/test_keywords.c: the keyword table (core/sql/keywords.c):
 * order, completeness, lookup and SQLite's fallback classes.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "sql_int.h"

static void
test_keyword_table_is_sorted_and_complete(void **state)
{
    int n = 0;
    (void)state;
    for (const char *name; (name = sql_keyword_name(n)) != NULL; n++) {
        if (n > 0)
            assert_true(strcmp(sql_keyword_name(n - 1), name) < 0);
        assert_int_equal(sql_keyword_code(name, strlen(name)), TK_FIRST_KEYWORD + n);
        assert_true(sql_is_keyword(name, (int)strlen(name)));
    }
    assert_int_equal(n, 147);   /* SQLite 3.45's keyword count */
    assert_int_equal(TK_FIRST_KEYWORD + n - 1, TK_LAST_KEYWORD);
}

static void
test_keyword_lookup_rejects_non_keywords(void **state)
{
    (void)state;
    assert_false(sql_is_keyword("rowid", 5));
    assert_false(sql_is_keyword("", 0));
    assert_false(sql_is_keyword("s", 1));
    assert_false(sql_is_keyword("current_timestampx", 18));
    assert_false(sql_is_keyword(NULL, 3));
    assert_true(sql_is_keyword("selectx", 6));
}

static void
test_keyword_classes_follow_sqlite_fallback_rules(void **state)
{
    (void)state;
    assert_int_equal(sql_keyword_class(TK_KEY), SQL_KW_F);
    assert_int_equal(sql_keyword_class(TK_REPLACE), SQL_KW_F);
    assert_int_equal(sql_keyword_class(TK_LEFT), SQL_KW_J);
    assert_int_equal(sql_keyword_class(TK_WINDOW), SQL_KW_C);
    assert_int_equal(sql_keyword_class(TK_SELECT), SQL_KW_N);
    assert_int_equal(sql_keyword_class(TK_NOTHING), SQL_KW_N);
    assert_int_equal(sql_keyword_class(TK_ID), SQL_KW_N);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_keyword_table_is_sorted_and_complete),
        cmocka_unit_test(test_keyword_lookup_rejects_non_keywords),
        cmocka_unit_test(test_keyword_classes_follow_sqlite_fallback_rules),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
