/*
 * tests/core/value/test_pattern.c: LIKE and GLOB (core/value/pattern.c).
 * Literal cases come from the sqlite3 CLI; a sweep of random short
 * patterns and texts over a small alphabet compares with libsqlite3.
 */
#include "oracle.inc"

static bool
like(const char *text, const char *pattern, int escape)
{
    return value_like(pattern, (int)strlen(pattern), text, (int)strlen(text), escape, false);
}

static bool
glob(const char *text, const char *pattern)
{
    return value_glob(pattern, (int)strlen(pattern), text, (int)strlen(text));
}

static void
test_like_folds_ascii_case_only(void **state)
{
    (void)state;
    assert_true(like("abc", "ABC", -1));
    assert_false(like("\xc3\x89", "\xc3\xa9", -1));     /* É vs é */
    assert_false(value_like("ABC", 3, "abc", 3, -1, true));
}

static void
test_like_underscore_matches_one_utf8_character(void **state)
{
    (void)state;
    assert_true(like("\xc3\xa9", "_", -1));
    assert_false(like("\xc3\xa9", "__", -1));
    assert_true(like("a\xe2\x82\xac" "b", "a_b", -1));
}

static void
test_like_percent_backtracks(void **state)
{
    (void)state;
    assert_true(like("abcabcx", "%abc_", -1));
    assert_true(like("", "%", -1));
    assert_false(like("", "_", -1));
    assert_true(like("mississippi", "%iss%ppi", -1));
    assert_false(like("mississippi", "%iss%ppx", -1));
}

static void
test_like_escape_makes_wildcards_literal(void **state)
{
    (void)state;
    assert_true(like("a%", "a\\%", '\\'));
    assert_false(like("ab", "a\\%", '\\'));
    assert_false(like("a_c", "a%c", '%'));
    assert_true(like("ac", "a%c", '%'));
    /* An escape at the end of the pattern never matches. */
    assert_false(like("a", "a\\", '\\'));
}

static void
test_glob_classes_ranges_and_negation(void **state)
{
    (void)state;
    assert_true(glob("a]b", "a[]]b"));
    assert_true(glob("a-b", "a[]-]b"));
    assert_false(glob("ab", "a["));
    assert_true(glob("x", "[^a-c]"));
    assert_false(glob("b", "[^a-c]"));
    assert_true(glob("-", "[a-]"));
    assert_true(glob("abc", "a*"));
    assert_false(glob("ABC", "a*"));
    assert_true(glob("a\xc3\xa9", "a?"));
}

static void
test_patterns_stop_at_nul(void **state)
{
    (void)state;
    assert_true(value_like("a\0b", 3, "a", 1, -1, false));
    assert_true(value_glob("a*", 2, "ab\0c", 4));
}

/* n random characters from alphabet into buf (NUL-terminated). */
static void
random_string(uint64_t *seed, const char *alphabet, int max_len, char *buf)
{
    size_t na = strlen(alphabet);
    *seed = *seed * 6364136223846793005u + 1442695040888963407u;
    int n = (int)((*seed >> 33) % (uint64_t)(max_len + 1));
    for (int i = 0; i < n; i++) {
        *seed = *seed * 6364136223846793005u + 1442695040888963407u;
        buf[i] = alphabet[(*seed >> 33) % na];
    }
    buf[n] = '\0';
}

static void
test_patterns_agree_with_libsqlite3_on_random_cases(void **state)
{
    sqlite3 *db = oracle_db;
    sqlite3_stmt *stmt;
    uint64_t seed = 42;
    int diffs = 0;

    (void)state;
    assert_int_equal(sqlite3_prepare_v2(db,
        "SELECT ?1 LIKE ?2, ?1 GLOB ?3, ?1 LIKE ?2 ESCAPE 'b'", -1, &stmt, NULL), SQLITE_OK);
    for (int k = 0; k < 20000; k++) {
        char text[16], lpat[16], gpat[16];
        random_string(&seed, "abAB", 8, text);
        random_string(&seed, "ab%_B", 7, lpat);
        random_string(&seed, "ab*?[]^-", 7, gpat);
        sqlite3_bind_text(stmt, 1, text, -1, SQLITE_STATIC);
        sqlite3_bind_text(stmt, 2, lpat, -1, SQLITE_STATIC);
        sqlite3_bind_text(stmt, 3, gpat, -1, SQLITE_STATIC);
        assert_int_equal(sqlite3_step(stmt), SQLITE_ROW);
        bool l = like(text, lpat, -1);
        bool g = glob(text, gpat);
        bool e = like(text, lpat, 'b');
        if (l != sqlite3_column_int(stmt, 0) || g != sqlite3_column_int(stmt, 1) ||
            e != sqlite3_column_int(stmt, 2)) {
            if (diffs < 10)
                print_message("text '%s' like '%s' (%d/%d, escape b %d/%d) glob '%s' (%d/%d)\n",
                              text, lpat, l, sqlite3_column_int(stmt, 0), e,
                              sqlite3_column_int(stmt, 2), gpat, g, sqlite3_column_int(stmt, 1));
            diffs++;
        }
        sqlite3_reset(stmt);
    }
    sqlite3_finalize(stmt);
    assert_int_equal(diffs, 0);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_like_folds_ascii_case_only),
        cmocka_unit_test(test_like_underscore_matches_one_utf8_character),
        cmocka_unit_test(test_like_percent_backtracks),
        cmocka_unit_test(test_like_escape_makes_wildcards_literal),
        cmocka_unit_test(test_glob_classes_ranges_and_negation),
        cmocka_unit_test(test_patterns_stop_at_nul),
        cmocka_unit_test(test_patterns_agree_with_libsqlite3_on_random_cases),
    };
    return cmocka_run_group_tests(tests, oracle_setup, oracle_teardown);
}
