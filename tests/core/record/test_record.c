/*
 * tests/core/record/test_record.c: record encoding, header parsing and column
 * decoding (core/record/record.c), including malformed records (rule R2).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "record.h"

static void
test_record_encodes_the_bytes_sqlite_writes(void **state)
{
    value vals[5];
    uint8_t buf[32];
    static const uint8_t want[] = {0x06, 0x00, 0x09, 0x08, 0x01, 0x11, 0x02, 'a', 'b'};

    value_set_null(&vals[0]);
    value_set_int(&vals[1], 1);
    value_set_int(&vals[2], 0);
    value_set_int(&vals[3], 2);
    value_set_text_ref(&vals[4], "ab", 2);
    assert_int_equal(record_size(vals, 5), sizeof want);
    assert_int_equal(record_encode(vals, 5, buf), sizeof want);
    assert_memory_equal(buf, want, sizeof want);
}

static void
test_record_uses_smallest_integer_serial_types(void **state)
{
    static const struct { int64_t i; uint64_t st; } cases[] = {
        {0, 8}, {1, 9}, {2, 1}, {-1, 1}, {127, 1}, {128, 2}, {-128, 1}, {-129, 2},
        {32767, 2}, {32768, 3}, {8388607, 3}, {8388608, 4}, {2147483647, 4},
        {2147483648LL, 5}, {-2147483649LL, 5}, {140737488355327LL, 5},
        {140737488355328LL, 6}, {INT64_MIN, 6}, {INT64_MAX, 6}};

    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        value v, back;
        uint8_t buf[16];

        value_set_int(&v, cases[i].i);
        assert_int_equal(record_serial_type(&v), cases[i].st);
        record_encode(&v, 1, buf);
        assert_int_equal(record_column(buf, record_size(&v, 1), 0, &back), CHORUS_OK);
        assert_int_equal(back.type, VALUE_INTEGER);
        assert_true(back.u.i == cases[i].i);
    }
}

static void
test_record_round_trips_every_type(void **state)
{
    value vals[5], back;
    uint8_t blob[300];
    uint8_t *buf;
    size_t n;
    record_cursor rc;

    memset(blob, 0xab, sizeof blob);
    value_set_real(&vals[0], -3.25);
    value_set_text_ref(&vals[1], "", 0);
    value_set_blob_ref(&vals[2], blob, sizeof blob);
    value_set_null(&vals[3]);
    value_set_int(&vals[4], -5);
    assert_int_equal(record_build(vals, 5, &buf, &n), CHORUS_OK);
    record_cursor_init(&rc);
    assert_int_equal(record_cursor_parse(&rc, buf, n), CHORUS_OK);
    assert_int_equal(rc.n_cols, 5);
    record_cursor_column(&rc, 0, &back);
    assert_true(back.type == VALUE_REAL && back.u.r == -3.25);
    record_cursor_column(&rc, 1, &back);
    assert_true(back.type == VALUE_TEXT && back.n == 0);
    record_cursor_column(&rc, 2, &back);
    assert_true(back.type == VALUE_BLOB && back.n == 300);
    assert_memory_equal(back.u.z, blob, 300);
    record_cursor_column(&rc, 3, &back);
    assert_int_equal(back.type, VALUE_NULL);
    record_cursor_column(&rc, 4, &back);
    assert_true(back.type == VALUE_INTEGER && back.u.i == -5);
    record_cursor_column(&rc, 9, &back);
    assert_int_equal(back.type, VALUE_NULL);
    record_cursor_free(&rc);
    free(buf);
}

static void
test_record_cursor_grows_past_sixteen_columns(void **state)
{
    value vals[100], back;
    uint8_t *buf;
    size_t n;
    record_cursor rc;

    for (int i = 0; i < 100; i++)
        value_set_int(&vals[i], i * 1000);
    assert_int_equal(record_build(vals, 100, &buf, &n), CHORUS_OK);
    record_cursor_init(&rc);
    assert_int_equal(record_cursor_parse(&rc, buf, n), CHORUS_OK);
    assert_int_equal(rc.n_cols, 100);
    for (int i = 0; i < 100; i++) {
        record_cursor_column(&rc, i, &back);
        assert_true(back.u.i == i * 1000);
    }
    /* A second parse into the grown cursor reuses its arrays. */
    assert_int_equal(record_cursor_parse(&rc, buf, n), CHORUS_OK);
    record_cursor_free(&rc);
    free(buf);
}

static void
test_record_parse_rejects_header_length_past_end(void **state)
{
    static const uint8_t rec[] = {0x05, 0x01, 0x01};
    record_cursor rc;
    value v;

    record_cursor_init(&rc);
    assert_int_equal(record_cursor_parse(&rc, rec, sizeof rec), CHORUS_CORRUPT);
    assert_int_equal(record_column(rec, sizeof rec, 0, &v), CHORUS_CORRUPT);
    record_cursor_free(&rc);
}

static void
test_record_parse_rejects_body_past_end(void **state)
{
    static const uint8_t rec[] = {0x02, 0x06, 0x00, 0x00, 0x00};
    record_cursor rc;
    value v;

    record_cursor_init(&rc);
    assert_int_equal(record_cursor_parse(&rc, rec, sizeof rec), CHORUS_CORRUPT);
    assert_int_equal(record_column(rec, sizeof rec, 0, &v), CHORUS_CORRUPT);
    record_cursor_free(&rc);
}

static void
test_record_parse_rejects_reserved_serial_types(void **state)
{
    static const uint8_t rec10[] = {0x02, 0x0a};
    static const uint8_t rec11[] = {0x03, 0x01, 0x0b, 0x07};
    record_cursor rc;

    record_cursor_init(&rc);
    assert_int_equal(record_cursor_parse(&rc, rec10, sizeof rec10), CHORUS_CORRUPT);
    assert_int_equal(record_cursor_parse(&rc, rec11, sizeof rec11), CHORUS_CORRUPT);
    record_cursor_free(&rc);
}

static void
test_record_parse_rejects_truncated_serial_type_varint(void **state)
{
    static const uint8_t rec[] = {0x02, 0x81, 0x00};
    static const uint8_t zero_header[] = {0x00};
    record_cursor rc;

    record_cursor_init(&rc);
    assert_int_equal(record_cursor_parse(&rc, rec, sizeof rec), CHORUS_CORRUPT);
    assert_int_equal(record_cursor_parse(&rc, zero_header, sizeof zero_header), CHORUS_CORRUPT);
    assert_int_equal(record_cursor_parse(&rc, rec, 0), CHORUS_CORRUPT);
    record_cursor_free(&rc);
}

static void
test_record_tolerates_trailing_bytes(void **state)
{
    static const uint8_t rec[] = {0x02, 0x09, 0xee, 0xee};
    record_cursor rc;
    value v;

    record_cursor_init(&rc);
    assert_int_equal(record_cursor_parse(&rc, rec, sizeof rec), CHORUS_OK);
    record_cursor_column(&rc, 0, &v);
    assert_true(v.type == VALUE_INTEGER && v.u.i == 1);
    record_cursor_free(&rc);
}

static void
test_record_serial_size_marks_reserved_types(void **state)
{
    assert_int_equal(record_serial_size(10), -1);
    assert_int_equal(record_serial_size(11), -1);
    assert_int_equal(record_serial_size(7), 8);
    assert_int_equal(record_serial_size(5), 6);
    assert_int_equal(record_serial_size(12), 0);
    assert_int_equal(record_serial_size(19), 3);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_record_encodes_the_bytes_sqlite_writes),
        cmocka_unit_test(test_record_uses_smallest_integer_serial_types),
        cmocka_unit_test(test_record_round_trips_every_type),
        cmocka_unit_test(test_record_cursor_grows_past_sixteen_columns),
        cmocka_unit_test(test_record_parse_rejects_header_length_past_end),
        cmocka_unit_test(test_record_parse_rejects_body_past_end),
        cmocka_unit_test(test_record_parse_rejects_reserved_serial_types),
        cmocka_unit_test(test_record_parse_rejects_truncated_serial_type_varint),
        cmocka_unit_test(test_record_tolerates_trailing_bytes),
        cmocka_unit_test(test_record_serial_size_marks_reserved_types),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
