/*
 * tests/core/value/test_convert.c: numeric text scanning and conversions
 * (core/value/convert.c): whole-text tests versus prefix conversions, CAST
 * AS INTEGER/REAL/NUMERIC, rendering and truth. Literal cases come from the
 * sqlite3 CLI; sweeps compare with libsqlite3 on the same bound values.
 */
#include "oracle.inc"

static bool
looks(const char *z)
{
    return value_looks_numeric(z, (int)strlen(z));
}

static void
test_looks_numeric_accepts_spaces_signs_and_exponents(void **state)
{
    (void)state;
    assert_true(looks("12"));
    assert_true(looks(" 12 "));
    assert_true(looks("+1.5e-3"));
    assert_true(looks(".5"));
    assert_true(looks("5."));
    assert_true(looks("\t-7\n"));
}

static void
test_looks_numeric_rejects_hex_junk_and_empty(void **state)
{
    (void)state;
    assert_false(looks("0x10"));
    assert_false(looks(""));
    assert_false(looks(" "));
    assert_false(looks("1e"));
    assert_false(looks("12abc"));
    assert_false(looks("inf"));
    assert_false(looks("."));
    assert_false(looks("-"));
    assert_false(value_looks_numeric("12\0", 3));
}

static void
test_text_to_numeric_reports_prefix_and_wholeness(void **state)
{
    value out;

    (void)state;
    assert_int_equal(value_text_to_numeric("12abc", 5, &out), 0);
    assert_true(out.type == VALUE_INTEGER && out.u.i == 12);
    assert_int_equal(value_text_to_numeric(" 3.0 ", 5, &out), 1);
    assert_true(out.type == VALUE_REAL && out.u.r == 3.0);
    assert_int_equal(value_text_to_numeric("abc", 3, &out), 0);
    assert_true(out.type == VALUE_INTEGER && out.u.i == 0);
    assert_int_equal(value_text_to_numeric("9223372036854775808", 19, &out), 1);
    assert_true(out.type == VALUE_REAL && out.u.r == 9223372036854775808.0);
    assert_int_equal(value_text_to_numeric("-9223372036854775808", 20, &out), 1);
    assert_true(out.type == VALUE_INTEGER && out.u.i == INT64_MIN);
    assert_int_equal(value_text_to_numeric("1e400", 5, &out), 1);
    assert_true(out.type == VALUE_REAL && isinf(out.u.r));
}

static void
test_to_int64_reads_only_the_integer_prefix(void **state)
{
    value v;

    (void)state;
    v = v_text("1e3");
    assert_true(value_to_int64(&v) == 1);
    v = v_text("  -7x");
    assert_true(value_to_int64(&v) == -7);
    v = v_text("9999999999999999999");
    assert_true(value_to_int64(&v) == INT64_MAX);
    v = v_text("-9999999999999999999");
    assert_true(value_to_int64(&v) == INT64_MIN);
    v = v_real(1e30);
    assert_true(value_to_int64(&v) == INT64_MAX);
    v = v_real(-2.9);
    assert_true(value_to_int64(&v) == -2);
    v = v_real(NAN);
    assert_true(value_to_int64(&v) == 0);
}

static void
test_to_numeric_prefers_integers_below_two_to_the_51(void **state)
{
    value v, out;

    (void)state;
    v = v_text("1.0");
    value_to_numeric(&v, &out);
    assert_true(out.type == VALUE_INTEGER && out.u.i == 1);
    v = v_text("1e15");
    value_to_numeric(&v, &out);
    assert_true(out.type == VALUE_INTEGER && out.u.i == 1000000000000000);
    v = v_text("1e17");
    value_to_numeric(&v, &out);
    assert_true(out.type == VALUE_REAL && out.u.r == 1e17);
    v = v_real(3.0);
    value_to_numeric(&v, &out);
    assert_true(out.type == VALUE_REAL && out.u.r == 3.0);
    v = v_null();
    value_to_numeric(&v, &out);
    assert_int_equal(out.type, VALUE_NULL);
}

static void
test_to_text_borrows_text_and_renders_numbers(void **state)
{
    value v, out;

    (void)state;
    v = v_text("abc");
    assert_int_equal(value_to_text(&v, &out), CHORUS_OK);
    assert_ptr_equal(out.u.z, v.u.z);
    assert_int_equal(out.flags, VALUE_BORROWED);
    v = v_real(1e20);
    assert_int_equal(value_to_text(&v, &out), CHORUS_OK);
    assert_string_equal(out.u.z, "1.0e+20");
    value_clear(&out);
    v = v_blob("xy", 2);
    value_to_text(&v, &out);
    assert_true(out.type == VALUE_TEXT && out.n == 2);
    v = v_null();
    value_to_text(&v, &out);
    assert_int_equal(out.type, VALUE_NULL);
}

static void
test_type_names_are_typeof_results(void **state)
{
    (void)state;
    assert_string_equal(value_type_name(VALUE_INTEGER), "integer");
    assert_string_equal(value_type_name(VALUE_REAL), "real");
    assert_string_equal(value_type_name(VALUE_TEXT), "text");
    assert_string_equal(value_type_name(VALUE_BLOB), "blob");
    assert_string_equal(value_type_name(VALUE_NULL), "null");
}

static void
test_truth_reads_text_by_prefix(void **state)
{
    value v;

    (void)state;
    v = v_text("1abc");
    assert_int_equal(value_truth(&v), 1);
    v = v_text("0.5");
    assert_int_equal(value_truth(&v), 1);
    v = v_text("abc");
    assert_int_equal(value_truth(&v), 0);
    v = v_null();
    assert_int_equal(value_truth(&v), -1);
    v = v_real(-0.0);
    assert_int_equal(value_truth(&v), 0);
}

static void
test_conversions_agree_with_libsqlite3(void **state)
{
    value vals[64];
    int n = oracle_operands(vals, 64);
    sqlite3 *db = oracle_db;
    sqlite3_stmt *stmt;
    int diffs = 0;

    (void)state;
    assert_int_equal(sqlite3_prepare_v2(db,
        "SELECT CAST(?1 AS INTEGER), CAST(?1 AS REAL), CAST(?1 AS NUMERIC),"
        " CASE WHEN ?1 THEN 1 WHEN NOT ?1 THEN 0 ELSE -1 END", -1, &stmt, NULL), SQLITE_OK);
    for (int k = 0; k < n; k++) {
        value as_int, as_real, as_num, truth;
        oracle_bind(stmt, 1, &vals[k]);
        assert_int_equal(sqlite3_step(stmt), SQLITE_ROW);
        if (vals[k].type == VALUE_NULL) {
            value_set_null(&as_int);
            value_set_null(&as_real);
        } else {
            value_set_int(&as_int, value_to_int64(&vals[k]));
            value_set_real(&as_real, value_to_double(&vals[k]));
        }
        value_to_numeric(&vals[k], &as_num);
        value_set_int(&truth, value_truth(&vals[k]));
        if (!oracle_same(stmt, 0, &as_int, 0) || !oracle_same(stmt, 1, &as_real, 0) ||
            !oracle_same(stmt, 2, &as_num, 0) || !oracle_same(stmt, 3, &truth, 0)) {
            print_message("operand %d differs\n", k);
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
        cmocka_unit_test(test_looks_numeric_accepts_spaces_signs_and_exponents),
        cmocka_unit_test(test_looks_numeric_rejects_hex_junk_and_empty),
        cmocka_unit_test(test_text_to_numeric_reports_prefix_and_wholeness),
        cmocka_unit_test(test_to_int64_reads_only_the_integer_prefix),
        cmocka_unit_test(test_to_numeric_prefers_integers_below_two_to_the_51),
        cmocka_unit_test(test_to_text_borrows_text_and_renders_numbers),
        cmocka_unit_test(test_type_names_are_typeof_results),
        cmocka_unit_test(test_truth_reads_text_by_prefix),
        cmocka_unit_test(test_conversions_agree_with_libsqlite3),
    };
    return cmocka_run_group_tests(tests, oracle_setup, oracle_teardown);
}
