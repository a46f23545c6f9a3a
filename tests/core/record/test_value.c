/*
 * tests/core/record/test_value.c: owned and borrowed values
 * (core/record/value.c).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "record.h"

static void
test_value_text_copy_owns_a_nul_terminated_copy(void **state)
{
    char src[] = "hello";
    value v;

    assert_int_equal(value_set_text_copy(&v, src, 5), CHORUS_OK);
    src[0] = 'j';
    assert_int_equal(v.type, VALUE_TEXT);
    assert_int_equal(v.flags, VALUE_OWNED);
    assert_string_equal(v.u.z, "hello");
    value_clear(&v);
    assert_int_equal(v.type, VALUE_NULL);
}

static void
test_value_copy_duplicates_borrowed_blob(void **state)
{
    uint8_t bytes[3] = {1, 0, 2};
    value src, dst;

    value_set_blob_ref(&src, bytes, 3);
    assert_int_equal(value_copy(&dst, &src), CHORUS_OK);
    assert_ptr_not_equal(dst.u.z, (const char *)bytes);
    assert_memory_equal(dst.u.z, bytes, 3);
    assert_int_equal(dst.flags, VALUE_OWNED);
    value_clear(&dst);
}

static void
test_value_copy_of_number_needs_no_memory(void **state)
{
    value src, dst;

    value_set_real(&src, 2.5);
    assert_int_equal(value_copy(&dst, &src), CHORUS_OK);
    assert_true(dst.u.r == 2.5);
    assert_int_equal(dst.flags, VALUE_BORROWED);
    value_clear(&dst);
}

static void
test_value_make_owned_is_idempotent(void **state)
{
    value v;

    value_set_text_ref(&v, "abc", 3);
    assert_int_equal(value_make_owned(&v), CHORUS_OK);
    const char *first = v.u.z;
    assert_int_equal(value_make_owned(&v), CHORUS_OK);
    assert_ptr_equal(v.u.z, first);
    value_clear(&v);
}

static void
test_value_empty_text_copy_is_valid(void **state)
{
    value v;

    assert_int_equal(value_set_text_copy(&v, "", 0), CHORUS_OK);
    assert_int_equal(v.n, 0);
    assert_string_equal(v.u.z, "");
    value_clear(&v);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_value_text_copy_owns_a_nul_terminated_copy),
        cmocka_unit_test(test_value_copy_duplicates_borrowed_blob),
        cmocka_unit_test(test_value_copy_of_number_needs_no_memory),
        cmocka_unit_test(test_value_make_owned_is_idempotent),
        cmocka_unit_test(test_value_empty_text_copy_is_valid),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
