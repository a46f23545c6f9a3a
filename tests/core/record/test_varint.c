/*
 * tests/core/record/test_varint.c: varint encoding and decoding
 * (core/record/varint.c).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "record.h"

static void
test_varint_round_trips_boundary_values(void **state)
{
    static const uint64_t values[] = {
        0, 1, 0x7f, 0x80, 0x3fff, 0x4000, 0x1fffff, 0x200000, 0xfffffff, 0x10000000,
        0x7ffffffffULL, 0x800000000ULL, 0x00ffffffffffffffULL, 0x0100000000000000ULL,
        0x7fffffffffffffffULL, 0x8000000000000000ULL, ~0ULL};
    static const int lens[] = {1, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 8, 9, 9, 9, 9};

    for (size_t i = 0; i < sizeof values / sizeof values[0]; i++) {
        uint8_t buf[VARINT_MAX_LEN];
        uint64_t back;
        int n = varint_put(buf, values[i]);

        assert_int_equal(n, lens[i]);
        assert_int_equal(varint_len(values[i]), n);
        assert_int_equal(varint_get(buf, sizeof buf, &back), n);
        assert_true(back == values[i]);
    }
}

static void
test_varint_encodes_known_bytes(void **state)
{
    uint8_t buf[VARINT_MAX_LEN];

    assert_int_equal(varint_put(buf, 0x80), 2);
    assert_int_equal(buf[0], 0x81);
    assert_int_equal(buf[1], 0x00);
    assert_int_equal(varint_put(buf, ~0ULL), 9);
    for (int i = 0; i < 9; i++)
        assert_int_equal(buf[i], 0xff);
}

static void
test_varint_get_reports_truncated_input(void **state)
{
    uint8_t buf[VARINT_MAX_LEN];
    uint64_t v;
    int n = varint_put(buf, 0x123456789ULL);

    assert_int_equal(varint_get(buf, (size_t)n - 1, &v), 0);
    assert_int_equal(varint_get(buf, 0, &v), 0);
    varint_put(buf, ~0ULL);
    assert_int_equal(varint_get(buf, 8, &v), 0);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_varint_round_trips_boundary_values),
        cmocka_unit_test(test_varint_encodes_known_bytes),
        cmocka_unit_test(test_varint_get_reports_truncated_input),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
