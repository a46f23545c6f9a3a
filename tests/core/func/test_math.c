/*
 * tests/core/func/test_math.c: round() and the math functions of core/func/math.c,
 * checked over awkward arguments against libsqlite3 (built with the math
 * functions).
 */
#include "func_oracle.inc"

static void
test_math_functions_agree_with_libsqlite3(void **state)
{
    static const struct { const char *name; int argc; } fns[] = {
        { "acos", 1 }, { "acosh", 1 }, { "asin", 1 }, { "asinh", 1 }, { "atan", 1 },
        { "atanh", 1 }, { "cos", 1 }, { "cosh", 1 }, { "degrees", 1 }, { "exp", 1 },
        { "radians", 1 }, { "sin", 1 }, { "sinh", 1 }, { "sqrt", 1 }, { "tan", 1 },
        { "tanh", 1 }, { "atan2", 2 }, { "pow", 2 }, { "power", 2 }, { "mod", 2 }, { "pi", 0 },
        { "ceil", 1 }, { "ceiling", 1 }, { "floor", 1 }, { "trunc", 1 }, { "ln", 1 },
        { "log", 1 }, { "log", 2 }, { "log10", 1 }, { "log2", 1 }, { "round", 1 }, { "round", 2 },
    };
    int diffs = 0;

    (void)state;
    for (size_t i = 0; i < sizeof fns / sizeof fns[0]; i++)
        diffs += oracle_sweep(oracle_db, fns[i].name, fns[i].argc, 1e-15);
    assert_int_equal(diffs, 0);
}

static double
round_to(double x, int digits)
{
    value args[2] = { v_real(x), v_int(digits) };
    value out;

    assert_int_equal(call_scalar("round", 2, args, &out, NULL), CHORUS_OK);
    assert_int_equal(out.type, VALUE_REAL);
    return out.u.r;
}

static void
test_round_halves_away_from_zero(void **state)
{
    value arg = v_real(-2.5);
    value out;

    (void)state;
    call_scalar("round", 1, &arg, &out, NULL);
    assert_true(out.type == VALUE_REAL && out.u.r == -3.0);
    assert_true(round_to(0.125, 2) == 0.13);
    assert_true(round_to(123.456, -1) == 123.0);
    assert_true(round_to(1e20, 1) == 1e20);
}

static void
test_round_uses_exact_digits_as_sqlite_3_45(void **state)
{
    (void)state;
    /* 1.005 is 1.00499999999999989...; SQLite 3.43+ rounds the digits it
     * decodes, so the answer is 1.0 (3.40 said 1.01). */
    assert_true(round_to(1.005, 2) == 1.0);
    assert_true(round_to(2.675, 2) == 2.67);
    assert_true(round_to(9.95, 1) == 9.9);      /* 9.9499999999999992... */
}

static void
test_log_with_a_base_needs_a_base_above_one(void **state)
{
    value args[2] = { v_real(0.5), v_int(8) };
    value out;

    (void)state;
    call_scalar("log", 2, args, &out, NULL);
    assert_int_equal(out.type, VALUE_NULL);
    args[0] = v_int(2);
    call_scalar("log", 2, args, &out, NULL);
    assert_true(out.type == VALUE_REAL && out.u.r == 3.0);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_math_functions_agree_with_libsqlite3),
        cmocka_unit_test(test_round_halves_away_from_zero),
        cmocka_unit_test(test_round_uses_exact_digits_as_sqlite_3_45),
        cmocka_unit_test(test_log_with_a_base_needs_a_base_above_one),
    };
    return cmocka_run_group_tests(tests, oracle_setup, oracle_teardown);
}
