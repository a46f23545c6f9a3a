/*
 * tests/core/value/test_arith.c: the operators of core/value/arith.c
 * (rules A1-A6 there). Literal cases name each rule; a cross product of
 * awkward operands is checked against libsqlite3 evaluating the same
 * operator on the same bound values.
 */
#include "sql.h"

#include "oracle.inc"

/* a op b, which must succeed. */
static value
arith_of(int op, value a, value b)
{
    value out;

    assert_int_equal(value_arith(op, &a, &b, &out), CHORUS_OK);
    return out;
}

static void
expect_int(int op, value a, value b, int64_t want)
{
    value out = arith_of(op, a, b);

    assert_int_equal(out.type, VALUE_INTEGER);
    assert_true(out.u.i == want);
}

static void
expect_real(int op, value a, value b, double want)
{
    value out = arith_of(op, a, b);

    assert_int_equal(out.type, VALUE_REAL);
    assert_true(out.u.r == want);
}

static void
expect_null(int op, value a, value b)
{
    assert_int_equal(arith_of(op, a, b).type, VALUE_NULL);
}

static void
test_arith_propagates_null(void **state)
{
    (void)state;
    expect_null(AST_OP_ADD, v_null(), v_int(1));
    expect_null(AST_OP_CONCAT, v_text("a"), v_null());
    expect_null(AST_OP_LSHIFT, v_null(), v_null());
}

static void
test_arith_converts_text_by_numeric_prefix(void **state)
{
    (void)state;
    expect_int(AST_OP_ADD, v_text("1abc"), v_int(1), 2);
    expect_int(AST_OP_ADD, v_text("abc"), v_int(1), 1);
    expect_real(AST_OP_ADD, v_text("3.0"), v_int(0), 3.0);
    expect_real(AST_OP_ADD, v_text("1e3"), v_int(0), 1000.0);
    expect_real(AST_OP_ADD, v_text("9223372036854775808"), v_int(0), 9223372036854775808.0);
    expect_int(AST_OP_ADD, v_text(" 12 "), v_int(0), 12);
}

static void
test_arith_overflow_falls_back_to_real(void **state)
{
    (void)state;
    expect_real(AST_OP_ADD, v_int(INT64_MAX), v_int(1), 9223372036854775808.0);
    expect_real(AST_OP_SUB, v_int(INT64_MIN), v_int(1), -9223372036854775808.0);
    expect_real(AST_OP_MUL, v_int(INT64_MAX), v_int(2), 18446744073709551614.0);
    expect_real(AST_OP_DIV, v_int(INT64_MIN), v_int(-1), 9223372036854775808.0);
    expect_int(AST_OP_MOD, v_int(INT64_MIN), v_int(-1), 0);
}

static void
test_arith_division_by_zero_gives_null(void **state)
{
    (void)state;
    expect_null(AST_OP_DIV, v_int(1), v_int(0));
    expect_null(AST_OP_MOD, v_int(1), v_int(0));
    expect_null(AST_OP_DIV, v_real(1.5), v_real(0.0));
    expect_null(AST_OP_MOD, v_real(5.5), v_real(0.5));
    expect_int(AST_OP_DIV, v_int(7), v_int(-2), -3);
    expect_int(AST_OP_MOD, v_int(-7), v_int(2), -1);
}

static void
test_arith_real_modulo_truncates_operands(void **state)
{
    (void)state;
    expect_real(AST_OP_MOD, v_real(5.5), v_int(2), 1.0);
    expect_real(AST_OP_MOD, v_real(-5.5), v_int(2), -1.0);
}

static void
test_arith_nan_result_is_null(void **state)
{
    (void)state;
    expect_null(AST_OP_SUB, v_real(INFINITY), v_real(INFINITY));
    expect_null(AST_OP_MUL, v_real(INFINITY), v_int(0));
}

static void
test_arith_shifts_follow_sqlite_for_odd_counts(void **state)
{
    (void)state;
    expect_int(AST_OP_LSHIFT, v_int(1), v_int(63), INT64_MIN);
    expect_int(AST_OP_LSHIFT, v_int(1), v_int(64), 0);
    expect_int(AST_OP_RSHIFT, v_int(-8), v_int(1), -4);
    expect_int(AST_OP_RSHIFT, v_int(-8), v_int(100), -1);
    expect_int(AST_OP_LSHIFT, v_int(8), v_int(-2), 2);
    expect_int(AST_OP_RSHIFT, v_int(8), v_int(-2), 32);
    expect_int(AST_OP_LSHIFT, v_int(-8), v_int(-100), -1);
    expect_int(AST_OP_BITAND, v_text("12abc"), v_real(7.9), 4);
}

static void
test_arith_concat_renders_numbers(void **state)
{
    value out;
    value a = v_real(1.0);
    value b = v_int(-3);

    (void)state;
    assert_int_equal(value_arith(AST_OP_CONCAT, &a, &b, &out), CHORUS_OK);
    assert_int_equal(out.type, VALUE_TEXT);
    assert_int_equal(out.n, 5);
    assert_memory_equal(out.u.z, "1.0-3", 5);
    value_clear(&out);
}

static void
test_arith_rejects_comparison_operators(void **state)
{
    value out;
    value a = v_int(1);

    (void)state;
    assert_int_equal(value_arith(AST_OP_EQ, &a, &a, &out), CHORUS_MISUSE);
}

static void
test_negate_and_bitnot(void **state)
{
    value out;
    value a = v_int(INT64_MIN);

    (void)state;
    value_negate(&a, &out);
    assert_int_equal(out.type, VALUE_REAL);
    assert_true(out.u.r == 9223372036854775808.0);
    a = v_text("abc");
    value_negate(&a, &out);
    assert_int_equal(out.type, VALUE_INTEGER);
    assert_true(out.u.i == 0);
    a = v_text("-2.5");
    value_negate(&a, &out);
    assert_true(out.type == VALUE_REAL && out.u.r == 2.5);
    a = v_null();
    value_bitnot(&a, &out);
    assert_int_equal(out.type, VALUE_NULL);
    a = v_real(5.9);
    value_bitnot(&a, &out);
    assert_true(out.type == VALUE_INTEGER && out.u.i == -6);
}

/* --- the oracle ----------------------------------------------------------- */

static void
test_arith_agrees_with_libsqlite3_on_awkward_operands(void **state)
{
    static const struct { int op; const char *sql; } ops[] = {
        { AST_OP_ADD, "SELECT ?1 + ?2" }, { AST_OP_SUB, "SELECT ?1 - ?2" },
        { AST_OP_MUL, "SELECT ?1 * ?2" }, { AST_OP_DIV, "SELECT ?1 / ?2" },
        { AST_OP_MOD, "SELECT ?1 % ?2" }, { AST_OP_BITAND, "SELECT ?1 & ?2" },
        { AST_OP_BITOR, "SELECT ?1 | ?2" }, { AST_OP_LSHIFT, "SELECT ?1 << ?2" },
        { AST_OP_RSHIFT, "SELECT ?1 >> ?2" }, { AST_OP_CONCAT, "SELECT ?1 || ?2" },
    };
    value vals[] = {
        v_null(), v_int(0), v_int(1), v_int(-1), v_int(7), v_int(-7), v_int(63), v_int(64),
        v_int(-64), v_int(INT64_MAX), v_int(INT64_MIN), v_real(0.0), v_real(5.5), v_real(-5.5),
        v_real(2.0), v_real(1e300), v_real(INFINITY), v_real(0.1), v_real(-1e19),
        v_text("12abc"), v_text("3.0"), v_text("abc"), v_text(""), v_text(" 7 "), v_text("1e3"),
        v_text("9223372036854775808"), v_text("-0"), v_text("0x10"),
        v_text("-9223372036854775808"),
    };
    value blob = v_blob("12", 2);
    sqlite3 *db = oracle_db;
    int n = (int)(sizeof vals / sizeof vals[0]);
    int diffs = 0;

    (void)state;
    for (size_t k = 0; k < sizeof ops / sizeof ops[0]; k++) {
        sqlite3_stmt *stmt;
        assert_int_equal(sqlite3_prepare_v2(db, ops[k].sql, -1, &stmt, NULL), SQLITE_OK);
        for (int x = 0; x <= n; x++) {
            for (int y = 0; y <= n; y++) {
                const value *a = x == n ? &blob : &vals[x];
                const value *b = y == n ? &blob : &vals[y];
                value out;
                oracle_bind(stmt, 1, a);
                oracle_bind(stmt, 2, b);
                assert_int_equal(sqlite3_step(stmt), SQLITE_ROW);
                assert_int_equal(value_arith(ops[k].op, a, b, &out), CHORUS_OK);
                if (!oracle_same(stmt, 0, &out, 0)) {
                    print_message("%s with operands %d, %d differs\n", ops[k].sql, x, y);
                    diffs++;
                }
                value_clear(&out);
                sqlite3_reset(stmt);
            }
        }
        sqlite3_finalize(stmt);
    }
    assert_int_equal(diffs, 0);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_arith_propagates_null),
        cmocka_unit_test(test_arith_converts_text_by_numeric_prefix),
        cmocka_unit_test(test_arith_overflow_falls_back_to_real),
        cmocka_unit_test(test_arith_division_by_zero_gives_null),
        cmocka_unit_test(test_arith_real_modulo_truncates_operands),
        cmocka_unit_test(test_arith_nan_result_is_null),
        cmocka_unit_test(test_arith_shifts_follow_sqlite_for_odd_counts),
        cmocka_unit_test(test_arith_concat_renders_numbers),
        cmocka_unit_test(test_arith_rejects_comparison_operators),
        cmocka_unit_test(test_negate_and_bitnot),
        cmocka_unit_test(test_arith_agrees_with_libsqlite3_on_awkward_operands),
    };
    return cmocka_run_group_tests(tests, oracle_setup, oracle_teardown);
}
