/*
 * tests/core/func/test_registry.c: lookup by name and arity, the
 * "wrong number of arguments" versus "no such function" distinction, the
 * aggregate/scalar split of min and max, enumeration, and the result and
 * error helpers (core/func/registry.c).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "func.h"

static void
test_find_is_case_insensitive(void **state)
{
    (void)state;
    assert_non_null(func_find("SUBSTR", 2, NULL));
    assert_ptr_equal(func_find("Upper", 1, NULL), func_find("upper", 1, NULL));
}

static void
test_find_tells_wrong_arity_from_unknown_name(void **state)
{
    bool exists = false;

    (void)state;
    assert_null(func_find("substr", 4, &exists));
    assert_true(exists);
    assert_null(func_find("no_such_fn", 1, &exists));
    assert_false(exists);
    assert_null(func_find("coalesce", 1, &exists));
    assert_true(exists);
    assert_non_null(func_find("coalesce", 5, &exists));
    assert_true(exists);
}

static void
test_min_and_max_are_aggregates_with_one_argument(void **state)
{
    bool exists;

    (void)state;
    assert_true(func_find("max", 1, NULL)->flags & FUNC_AGGREGATE);
    assert_false(func_find("max", 2, NULL)->flags & FUNC_AGGREGATE);
    assert_false(func_find("min", 3, NULL)->flags & FUNC_AGGREGATE);
    assert_null(func_find("min", 0, &exists));
    assert_true(exists);
}

static void
test_count_star_is_count_with_no_arguments(void **state)
{
    const func_def *def = func_find("count", 0, NULL);

    (void)state;
    assert_non_null(def);
    assert_true(def->flags & FUNC_AGGREGATE);
    assert_non_null(def->inverse);
}

static void
test_random_is_not_deterministic_and_abs_is(void **state)
{
    (void)state;
    assert_false(func_find("random", 0, NULL)->flags & FUNC_DETERMINISTIC);
    assert_true(func_find("abs", 1, NULL)->flags & FUNC_DETERMINISTIC);
}

static void
test_func_at_enumerates_every_definition_once(void **state)
{
    int n = 0;
    bool saw_strftime = false;

    (void)state;
    for (const func_def *def; (def = func_at(n)) != NULL; n++) {
        assert_true(def->scalar != NULL || (def->step != NULL && def->final != NULL));
        saw_strftime |= strcmp(def->name, "strftime") == 0;
    }
    assert_true(n >= 90);
    assert_true(saw_strftime);
    assert_null(func_at(-1));
}

static void
test_func_error_replaces_the_message(void **state)
{
    func_ctx ctx;

    (void)state;
    memset(&ctx, 0, sizeof ctx);
    func_error(&ctx, CHORUS_ERROR, "first %d", 1);
    func_error(&ctx, CHORUS_TOOBIG, "second %s", "two");
    assert_int_equal(ctx.rc, CHORUS_TOOBIG);
    assert_string_equal(ctx.errmsg, "second two");
    free(ctx.errmsg);
}

static void
test_result_helpers_free_what_was_there(void **state)
{
    func_ctx ctx;

    (void)state;
    memset(&ctx, 0, sizeof ctx);
    value_set_null(&ctx.result);
    assert_int_equal(func_result_text(&ctx, "abc", 3), CHORUS_OK);
    assert_int_equal(func_result_blob(&ctx, "\x00\x01", 2), CHORUS_OK);
    assert_int_equal(ctx.result.type, VALUE_BLOB);
    func_result_real(&ctx, __builtin_nan(""));
    assert_int_equal(ctx.result.type, VALUE_NULL);   /* NaN is NULL */
    func_result_int(&ctx, 7);
    assert_true(ctx.result.type == VALUE_INTEGER && ctx.result.u.i == 7);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_find_is_case_insensitive),
        cmocka_unit_test(test_find_tells_wrong_arity_from_unknown_name),
        cmocka_unit_test(test_min_and_max_are_aggregates_with_one_argument),
        cmocka_unit_test(test_count_star_is_count_with_no_arguments),
        cmocka_unit_test(test_random_is_not_deterministic_and_abs_is),
        cmocka_unit_test(test_func_at_enumerates_every_definition_once),
        cmocka_unit_test(test_func_error_replaces_the_message),
        cmocka_unit_test(test_result_helpers_free_what_was_there),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
