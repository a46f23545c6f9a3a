/*
 * tests/core/func/test_misc.c: the miscellaneous scalars of core/func/misc.c,
 * checked over awkward arguments against libsqlite3, plus the ones whose
 * results are random or come from the connection.
 */
#include "func_oracle.inc"

static void
test_misc_functions_agree_with_libsqlite3(void **state)
{
    static const struct { const char *name; int argc; } fns[] = {
        { "abs", 1 }, { "coalesce", 2 }, { "coalesce", 3 }, { "ifnull", 2 }, { "iif", 3 },
        { "nullif", 2 }, { "likely", 1 }, { "unlikely", 1 }, { "max", 2 }, { "min", 2 },
        { "max", 3 }, { "min", 3 }, { "typeof", 1 }, { "zeroblob", 1 },
    };
    int diffs = 0;

    (void)state;
    for (size_t i = 0; i < sizeof fns / sizeof fns[0]; i++)
        diffs += oracle_sweep(oracle_db, fns[i].name, fns[i].argc, 0);
    assert_int_equal(diffs, 0);
}

static void
test_abs_of_the_smallest_integer_overflows(void **state)
{
    value arg = v_int(INT64_MIN);
    value out;
    char *err;

    (void)state;
    assert_int_equal(call_scalar("abs", 1, &arg, &out, &err), CHORUS_ERROR);
    assert_string_equal(err, "integer overflow");
    free(err);
}

static void
test_sign_needs_a_number(void **state)
{
    value arg = v_text("12");
    value out;

    (void)state;
    call_scalar("sign", 1, &arg, &out, NULL);
    assert_true(out.type == VALUE_INTEGER && out.u.i == 1);
    arg = v_text("12abc");
    call_scalar("sign", 1, &arg, &out, NULL);
    assert_int_equal(out.type, VALUE_NULL);
    arg = v_real(-2.5);
    call_scalar("sign", 1, &arg, &out, NULL);
    assert_true(out.type == VALUE_INTEGER && out.u.i == -1);
    arg = v_int(0);
    call_scalar("sign", 1, &arg, &out, NULL);
    assert_true(out.u.i == 0);
}

static void
test_random_values_differ_and_randomblob_has_the_size(void **state)
{
    value a, b, arg = v_int(-5);

    (void)state;
    call_scalar("random", 0, NULL, &a, NULL);
    call_scalar("random", 0, NULL, &b, NULL);
    assert_int_equal(a.type, VALUE_INTEGER);
    assert_true(a.u.i != b.u.i);
    call_scalar("randomblob", 1, &arg, &a, NULL);
    assert_true(a.type == VALUE_BLOB && a.n == 1);
    value_clear(&a);
    arg = v_int(17);
    call_scalar("randomblob", 1, &arg, &a, NULL);
    assert_true(a.type == VALUE_BLOB && a.n == 17);
    value_clear(&a);
}

static void
test_zeroblob_refuses_more_than_the_length_limit(void **state)
{
    value arg = v_int(2000000000);
    value out;
    char *err;

    (void)state;
    assert_int_equal(call_scalar("zeroblob", 1, &arg, &out, &err), CHORUS_TOOBIG);
    assert_string_equal(err, "string or blob too big");
    free(err);
}

static int64_t
fake_changes(void *conn)
{
    return *(int64_t *)conn;
}

static void
test_connection_functions_use_the_env_hooks(void **state)
{
    int64_t n = 42;
    func_env env = { .conn = &n, .changes = fake_changes, .last_insert_rowid = fake_changes };
    func_ctx ctx;

    (void)state;
    ctx_init(&ctx);
    ctx.env = &env;
    func_find("changes", 0, NULL)->scalar(&ctx, 0, NULL);
    assert_true(ctx.result.type == VALUE_INTEGER && ctx.result.u.i == 42);
    func_find("total_changes", 0, NULL)->scalar(&ctx, 0, NULL);
    assert_true(ctx.result.u.i == 0);
    ctx.env = NULL;
    func_find("last_insert_rowid", 0, NULL)->scalar(&ctx, 0, NULL);
    assert_true(ctx.result.u.i == 0);
}

static void
test_sqlite_version_reports_3_45(void **state)
{
    value out;

    (void)state;
    assert_string_equal(call_text("sqlite_version", 0, NULL, &out), "3.45.0");
    value_clear(&out);
}

static void
test_scalar_max_uses_the_collation(void **state)
{
    value args[2] = { v_text("a"), v_text("B") };
    func_ctx ctx;

    (void)state;
    ctx_init(&ctx);
    ctx.coll = COLLATE_NOCASE;
    func_find("max", 2, NULL)->scalar(&ctx, 2, args);
    assert_string_equal(ctx.result.u.z, "B");
    value_clear(&ctx.result);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_misc_functions_agree_with_libsqlite3),
        cmocka_unit_test(test_abs_of_the_smallest_integer_overflows),
        cmocka_unit_test(test_sign_needs_a_number),
        cmocka_unit_test(test_random_values_differ_and_randomblob_has_the_size),
        cmocka_unit_test(test_zeroblob_refuses_more_than_the_length_limit),
        cmocka_unit_test(test_connection_functions_use_the_env_hooks),
        cmocka_unit_test(test_sqlite_version_reports_3_45),
        cmocka_unit_test(test_scalar_max_uses_the_collation),
    };
    return cmocka_run_group_tests(tests, oracle_setup, oracle_teardown);
}
