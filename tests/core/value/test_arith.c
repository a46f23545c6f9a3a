/*
 * tests/core/value/test_arith.c: the operators of core/value/arith.c
 * (rules A1-A6 there). Literal cases name each rule; a cross product of
 * awkward operands is checked against libsqlite3 evaluating the same
 * operator on the same bound values.
 */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>
#include <sqlite3.h>

#include "sql.h"
#include "value.h"

static void
expect_int(int op, value a, value b, int64_t want)
{
    value out;

    assert_int_equal(value_arith(op, &a, &b, &out), CHORUS_OK);
    assert_int_equal(out.type, VALUE_INTEGER);
    assert_true(out.u.i == want);
}

static void
expect_real(int op, value a, value b, double want)
{
    value out;

    assert_int_equal(value_arith(op, &a, &b, &out), CHORUS_OK);
    assert_int_equal(out.type, VALUE_REAL);
    assert_true(out.u.r == want);
}

static void
expect_null(int op, value a, value b)
{
    value out;

    assert_int_equal(value_arith(op, &a, &b, &out), CHORUS_OK);
    assert_int_equal(out.type, VALUE_NULL);
}

static value
i(int64_t x)
{
    value v;
    value_set_int(&v, x);
    return v;
}

static value
r(double x)
{
    value v;
    value_set_real(&v, x);
    return v;
}

static value
t(const char *z)
{
    value v;
    value_set_text_ref(&v, z, (int32_t)strlen(z));
    return v;
}

static value
null(void)
{
    value v;
    value_set_null(&v);
    return v;
}

static void
test_arith_propagates_null(void **state)
{
    (void)state;
    expect_null(AST_OP_ADD, null(), i(1));
    expect_null(AST_OP_CONCAT, t("a"), null());
    expect_null(AST_OP_LSHIFT, null(), null());
}

static void
test_arith_converts_text_by_numeric_prefix(void **state)
{
    (void)state;
    expect_int(AST_OP_ADD, t("1abc"), i(1), 2);
    expect_int(AST_OP_ADD, t("abc"), i(1), 1);
    expect_real(AST_OP_ADD, t("3.0"), i(0), 3.0);
    expect_real(AST_OP_ADD, t("1e3"), i(0), 1000.0);
    expect_real(AST_OP_ADD, t("9223372036854775808"), i(0), 9223372036854775808.0);
    expect_int(AST_OP_ADD, t(" 12 "), i(0), 12);
}

static void
test_arith_overflow_falls_back_to_real(void **state)
{
    (void)state;
    expect_real(AST_OP_ADD, i(INT64_MAX), i(1), 9223372036854775808.0);
    expect_real(AST_OP_SUB, i(INT64_MIN), i(1), -9223372036854775808.0);
    expect_real(AST_OP_MUL, i(INT64_MAX), i(2), 18446744073709551614.0);
    expect_real(AST_OP_DIV, i(INT64_MIN), i(-1), 9223372036854775808.0);
    expect_int(AST_OP_MOD, i(INT64_MIN), i(-1), 0);
}

static void
test_arith_division_by_zero_gives_null(void **state)
{
    (void)state;
    expect_null(AST_OP_DIV, i(1), i(0));
    expect_null(AST_OP_MOD, i(1), i(0));
    expect_null(AST_OP_DIV, r(1.5), r(0.0));
    expect_null(AST_OP_MOD, r(5.5), r(0.5));
    expect_int(AST_OP_DIV, i(7), i(-2), -3);
    expect_int(AST_OP_MOD, i(-7), i(2), -1);
}

static void
test_arith_real_modulo_truncates_operands(void **state)
{
    (void)state;
    expect_real(AST_OP_MOD, r(5.5), i(2), 1.0);
    expect_real(AST_OP_MOD, r(-5.5), i(2), -1.0);
}

static void
test_arith_nan_result_is_null(void **state)
{
    (void)state;
    expect_null(AST_OP_SUB, r(INFINITY), r(INFINITY));
    expect_null(AST_OP_MUL, r(INFINITY), i(0));
}

static void
test_arith_shifts_follow_sqlite_for_odd_counts(void **state)
{
    (void)state;
    expect_int(AST_OP_LSHIFT, i(1), i(63), INT64_MIN);
    expect_int(AST_OP_LSHIFT, i(1), i(64), 0);
    expect_int(AST_OP_RSHIFT, i(-8), i(1), -4);
    expect_int(AST_OP_RSHIFT, i(-8), i(100), -1);
    expect_int(AST_OP_LSHIFT, i(8), i(-2), 2);
    expect_int(AST_OP_RSHIFT, i(8), i(-2), 32);
    expect_int(AST_OP_LSHIFT, i(-8), i(-100), -1);
    expect_int(AST_OP_BITAND, t("12abc"), r(7.9), 4);
}

static void
test_arith_concat_renders_numbers(void **state)
{
    value out;
    value a = r(1.0);
    value b = i(-3);

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
    value a = i(1);

    (void)state;
    assert_int_equal(value_arith(AST_OP_EQ, &a, &a, &out), CHORUS_MISUSE);
}

static void
test_negate_and_bitnot(void **state)
{
    value out;
    value a = i(INT64_MIN);

    (void)state;
    value_negate(&a, &out);
    assert_int_equal(out.type, VALUE_REAL);
    assert_true(out.u.r == 9223372036854775808.0);
    a = t("abc");
    value_negate(&a, &out);
    assert_int_equal(out.type, VALUE_INTEGER);
    assert_true(out.u.i == 0);
    a = t("-2.5");
    value_negate(&a, &out);
    assert_true(out.type == VALUE_REAL && out.u.r == 2.5);
    a = null();
    value_bitnot(&a, &out);
    assert_int_equal(out.type, VALUE_NULL);
    a = r(5.9);
    value_bitnot(&a, &out);
    assert_true(out.type == VALUE_INTEGER && out.u.i == -6);
}

/* --- the oracle ----------------------------------------------------------- */

static void
bind(sqlite3_stmt *stmt, int idx, const value *v)
{
    switch (v->type) {
    case VALUE_INTEGER:
        sqlite3_bind_int64(stmt, idx, v->u.i);
        break;
    case VALUE_REAL:
        sqlite3_bind_double(stmt, idx, v->u.r);
        break;
    case VALUE_TEXT:
        sqlite3_bind_text(stmt, idx, v->u.z, v->n, SQLITE_STATIC);
        break;
    case VALUE_BLOB:
        sqlite3_bind_blob(stmt, idx, v->u.z, v->n, SQLITE_STATIC);
        break;
    default:
        sqlite3_bind_null(stmt, idx);
    }
}

/* Whether column 0 of stmt holds exactly v. */
static bool
same_as_column(sqlite3_stmt *stmt, const value *v)
{
    if (sqlite3_column_type(stmt, 0) != v->type)
        return false;
    switch (v->type) {
    case VALUE_INTEGER:
        return sqlite3_column_int64(stmt, 0) == v->u.i;
    case VALUE_REAL:
        return sqlite3_column_double(stmt, 0) == v->u.r;
    case VALUE_TEXT:
        return sqlite3_column_bytes(stmt, 0) == v->n &&
               memcmp(sqlite3_column_text(stmt, 0), v->u.z, (size_t)v->n) == 0;
    default:
        return true;
    }
}

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
        null(), i(0), i(1), i(-1), i(7), i(-7), i(63), i(64), i(-64), i(INT64_MAX),
        i(INT64_MIN), r(0.0), r(5.5), r(-5.5), r(2.0), r(1e300), r(INFINITY), r(0.1),
        r(-1e19), t("12abc"), t("3.0"), t("abc"), t(""), t(" 7 "), t("1e3"),
        t("9223372036854775808"), t("-0"), t("0x10"), t("-9223372036854775808"),
    };
    value blob;
    sqlite3 *db;
    int n = (int)(sizeof vals / sizeof vals[0]);
    int diffs = 0;

    (void)state;
    value_set_blob_ref(&blob, "12", 2);
    vals[0] = null();
    assert_int_equal(sqlite3_open(":memory:", &db), SQLITE_OK);
    for (size_t k = 0; k < sizeof ops / sizeof ops[0]; k++) {
        sqlite3_stmt *stmt;
        assert_int_equal(sqlite3_prepare_v2(db, ops[k].sql, -1, &stmt, NULL), SQLITE_OK);
        for (int x = 0; x <= n; x++) {
            for (int y = 0; y <= n; y++) {
                const value *a = x == n ? &blob : &vals[x];
                const value *b = y == n ? &blob : &vals[y];
                value out;
                bind(stmt, 1, a);
                bind(stmt, 2, b);
                assert_int_equal(sqlite3_step(stmt), SQLITE_ROW);
                assert_int_equal(value_arith(ops[k].op, a, b, &out), CHORUS_OK);
                if (!same_as_column(stmt, &out)) {
                    print_message("%s with operands %d, %d differs\n", ops[k].sql, x, y);
                    diffs++;
                }
                value_clear(&out);
                sqlite3_reset(stmt);
            }
        }
        sqlite3_finalize(stmt);
    }
    sqlite3_close(db);
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
    return cmocka_run_group_tests(tests, NULL, NULL);
}
