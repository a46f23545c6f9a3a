/*
 * tests/core/func/test_printf.c: printf()/format() (core/func/printf.c): every
 * conversion with flags, widths and precisions over awkward arguments,
 * against libsqlite3, plus SQLite 3.45 cases the oracle (3.40) renders
 * differently.
 */
#include "func_oracle.inc"

static void
test_printf_conversions_agree_with_libsqlite3(void **state)
{
    static const char *formats[] = {
        "%d", "%5d", "%-5d|", "%05d", "%+d", "% d", "%.3d", "%,d", "%0,8d", "%i", "%u", "%x",
        "%X", "%#x", "%#o", "%o", "%p", "%r", "%5r", "%c", "%.3c", "%5c", "%-3c|", "%s",
        "%.2s", "%5s", "%-5s|", "%!.2s", "%!5s", "%z", "%q", "%Q", "%w", "%.3q", "%-10q|",
        "%f", "%.2f", "%10.3f", "%-10.2f|", "%010.3f", "%+.1f", "% .1f", "%e", "%.0e", "%#.0e",
        "%E", "%g", "%#g", "%G", "%.3g", "%!.3g", "%!g", "%!.15g", "%10.3e", "%%|%5.2%",
        "%lld|%ld", "a%yb", "%", "%n|", "x%sy%sz",
    };
    value vals[64];
    int n = sweep_operands(vals);
    int diffs = 0;

    (void)state;
    for (size_t f = 0; f < sizeof formats / sizeof formats[0]; f++) {
        for (int k = 0; k < n; k++) {
            value args[2] = { v_text(formats[f]), vals[k] };
            /* The oracle (3.40) does not round the 16th digit of 2^63 as
             * 3.45 does (9223372036854776000.0); see the literal test. */
            if (vals[k].type == VALUE_INTEGER && (vals[k].u.i == INT64_MAX ||
                                                  vals[k].u.i == INT64_MIN) &&
                strchr(formats[f], 'f') != NULL)
                continue;
            diffs += oracle_check(oracle_db, "printf", 2, args, 0);
        }
    }
    assert_int_equal(diffs, 0);
}

static void
test_printf_star_width_and_precision_take_arguments(void **state)
{
    value args[7] = { v_text("%*d|%-*d|%.*f"), v_int(5), v_int(1), v_int(-5), v_int(2),
                      v_int(2), v_real(3.14159) };

    (void)state;
    assert_int_equal(oracle_check(oracle_db, "printf", 7, args, 0), 0);
    assert_int_equal(oracle_check(oracle_db, "format", 7, args, 0), 0);
}

static void
test_printf_with_too_few_arguments_reads_zero_and_null(void **state)
{
    value args[1] = { v_text("%d %s %f %Q") };
    value out;

    (void)state;
    assert_string_equal(call_text("printf", 1, args, &out), "0  0.000000 NULL");
    value_clear(&out);
}

static void
test_printf_rounds_the_sixteenth_digit_as_sqlite_3_45(void **state)
{
    value args[2] = { v_text("%.1f"), v_int(INT64_MAX) };
    value out;

    (void)state;
    assert_string_equal(call_text("printf", 2, args, &out), "9223372036854776000.0");
    value_clear(&out);
}

static void
test_printf_of_null_format_is_null(void **state)
{
    value args[1] = { v_null() };
    value out;

    (void)state;
    call_scalar("printf", 1, args, &out, NULL);
    assert_int_equal(out.type, VALUE_NULL);
}

static void
test_printf_renders_infinity_under_zero_pad_as_9e999(void **state)
{
    value args[2] = { v_text("%!0.15g"), v_real(INFINITY) };
    value out;

    (void)state;
    assert_string_equal(call_text("printf", 2, args, &out), "9.0e+999");
    value_clear(&out);
}

static void
test_printf_refuses_absurd_widths(void **state)
{
    value args[2] = { v_text("%2000000000d"), v_int(1) };
    value out;
    char *err;

    (void)state;
    assert_int_equal(call_scalar("printf", 2, args, &out, &err), CHORUS_TOOBIG);
    assert_string_equal(err, "string or blob too big");
    free(err);
}

static void
test_func_format_is_usable_from_c(void **state)
{
    value argv[2] = { v_text("it's"), v_int(7) };
    value out;

    (void)state;
    assert_int_equal(func_format("%Q=%d", 2, argv, &out), CHORUS_OK);
    assert_string_equal(out.u.z, "'it''s'=7");
    value_clear(&out);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_printf_conversions_agree_with_libsqlite3),
        cmocka_unit_test(test_printf_star_width_and_precision_take_arguments),
        cmocka_unit_test(test_printf_with_too_few_arguments_reads_zero_and_null),
        cmocka_unit_test(test_printf_rounds_the_sixteenth_digit_as_sqlite_3_45),
        cmocka_unit_test(test_printf_of_null_format_is_null),
        cmocka_unit_test(test_printf_renders_infinity_under_zero_pad_as_9e999),
        cmocka_unit_test(test_printf_refuses_absurd_widths),
        cmocka_unit_test(test_func_format_is_usable_from_c),
    };
    return cmocka_run_group_tests(tests, oracle_setup, oracle_teardown);
}
