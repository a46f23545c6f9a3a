/*
 * tests/core/func/test_string.c: the text and blob functions of
 * core/func/string.c. Each function runs over a cross product of awkward
 * arguments, here and in libsqlite3; functions the oracle (3.40) lacks
 * are checked against literals from SQLite 3.45's documentation.
 */
#include "func_oracle.inc"

static void
test_string_functions_agree_with_libsqlite3(void **state)
{
    static const struct { const char *name; int argc; } fns[] = {
        { "length", 1 }, { "lower", 1 }, { "upper", 1 }, { "trim", 1 }, { "trim", 2 },
        { "ltrim", 1 }, { "ltrim", 2 }, { "rtrim", 1 }, { "rtrim", 2 }, { "replace", 3 },
        { "substr", 2 }, { "substr", 3 }, { "substring", 3 }, { "instr", 2 }, { "char", 1 },
        { "char", 2 }, { "unicode", 1 }, { "hex", 1 }, { "quote", 1 }, { "soundex", 1 },
        { "like", 2 }, { "like", 3 }, { "glob", 2 },
    };
    int diffs = 0;

    (void)state;
    for (size_t i = 0; i < sizeof fns / sizeof fns[0]; i++) {
        /* The oracle's build never lets LIKE or GLOB match blobs; SQLite's
         * default matches their bytes as text, as we do. */
        oracle_skip_blobs = strcmp(fns[i].name, "like") == 0 || strcmp(fns[i].name, "glob") == 0;
        diffs += oracle_sweep(oracle_db, fns[i].name, fns[i].argc, 0);
    }
    oracle_skip_blobs = false;
    assert_int_equal(diffs, 0);
}

static void
test_substr_counts_characters_and_negative_starts(void **state)
{
    value args[3] = { v_text("h\xc3\xa9llo"), v_int(2), v_int(2) };
    value out;

    (void)state;
    assert_string_equal(call_text("substr", 3, args, &out), "\xc3\xa9l");
    value_clear(&out);
    args[0] = v_text("hello");
    args[1] = v_int(-1);
    args[2] = v_int(-2);
    assert_string_equal(call_text("substr", 3, args, &out), "ll");
    value_clear(&out);
    args[1] = v_int(0);
    assert_int_equal(call_scalar("substr", 2, args, &out, NULL), CHORUS_OK);
    assert_string_equal(out.u.z, "hello");
    value_clear(&out);
}

static void
test_octet_length_counts_bytes(void **state)
{
    value arg = v_text("\xc3\xa9");
    value out;

    (void)state;
    call_scalar("octet_length", 1, &arg, &out, NULL);
    assert_true(out.type == VALUE_INTEGER && out.u.i == 2);
    arg = v_real(2.5);
    call_scalar("octet_length", 1, &arg, &out, NULL);
    assert_true(out.u.i == 3);
    arg = v_null();
    call_scalar("octet_length", 1, &arg, &out, NULL);
    assert_int_equal(out.type, VALUE_NULL);
}

static void
test_unhex_decodes_pairs_and_skips_separators(void **state)
{
    value args[2] = { v_text("41 42"), v_text(" ") };
    value out;

    (void)state;
    call_scalar("unhex", 2, args, &out, NULL);
    assert_true(out.type == VALUE_BLOB && out.n == 2 && memcmp(out.u.z, "AB", 2) == 0);
    value_clear(&out);
    args[0] = v_text("4 142");
    call_scalar("unhex", 2, args, &out, NULL);
    assert_int_equal(out.type, VALUE_NULL);
    args[0] = v_text("414");
    call_scalar("unhex", 1, args, &out, NULL);
    assert_int_equal(out.type, VALUE_NULL);
    args[0] = v_text("zz");
    call_scalar("unhex", 1, args, &out, NULL);
    assert_int_equal(out.type, VALUE_NULL);
    args[0] = v_text("");
    call_scalar("unhex", 1, args, &out, NULL);
    assert_true(out.type == VALUE_BLOB && out.n == 0);
    value_clear(&out);
}

static void
test_concat_skips_nulls_and_concat_ws_needs_a_separator(void **state)
{
    value args[4] = { v_text(","), v_null(), v_int(1), v_real(2.5) };
    value out;

    (void)state;
    assert_string_equal(call_text("concat_ws", 4, args, &out), "1,2.5");
    value_clear(&out);
    assert_string_equal(call_text("concat", 4, args, &out), ",12.5");
    value_clear(&out);
    args[0] = v_null();
    call_scalar("concat_ws", 4, args, &out, NULL);
    assert_int_equal(out.type, VALUE_NULL);
    assert_string_equal(call_text("concat", 2, args, &out), "");
    value_clear(&out);
}

static void
test_like_rejects_a_long_escape(void **state)
{
    value args[3] = { v_text("a%"), v_text("abc"), v_text("xy") };
    value out;
    char *err;

    (void)state;
    assert_int_equal(call_scalar("like", 3, args, &out, &err), CHORUS_ERROR);
    assert_string_equal(err, "ESCAPE expression must be a single character");
    free(err);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_string_functions_agree_with_libsqlite3),
        cmocka_unit_test(test_substr_counts_characters_and_negative_starts),
        cmocka_unit_test(test_octet_length_counts_bytes),
        cmocka_unit_test(test_unhex_decodes_pairs_and_skips_separators),
        cmocka_unit_test(test_concat_skips_nulls_and_concat_ws_needs_a_separator),
        cmocka_unit_test(test_like_rejects_a_long_escape),
    };
    return cmocka_run_group_tests(tests, oracle_setup, oracle_teardown);
}
