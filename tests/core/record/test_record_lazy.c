/*
 * tests/core/record/test_record_lazy.c: the lazy header decoding of a record
 * cursor (core/record/record.c rule R3): open reads the header length only,
 * reach parses serial types as far as asked (or as reach_hint says) and keeps
 * them, and a malformed column is reported when the parse reaches it.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "record.h"

/* Builds the record (7, 'abc', NULL, 2.5, x'0102') into a malloc()ed buffer. */
static uint8_t *
five_columns(size_t *n_out)
{
    value vals[5];
    uint8_t *buf;

    value_set_int(&vals[0], 7);
    value_set_text_ref(&vals[1], "abc", 3);
    value_set_null(&vals[2]);
    value_set_real(&vals[3], 2.5);
    value_set_blob_ref(&vals[4], "\x01\x02", 2);
    assert_int_equal(record_build(vals, 5, &buf, n_out), CHORUS_OK);
    return buf;
}

static void
test_reach_parses_only_as_far_as_asked_and_keeps_it(void **state)
{
    size_t n;
    uint8_t *buf = five_columns(&n);
    record_cursor rc;
    value v;

    record_cursor_init(&rc);
    assert_int_equal(record_cursor_open(&rc, buf, n), CHORUS_OK);
    assert_int_equal(rc.n_cols, 0);
    assert_int_equal(record_cursor_reach(&rc, 1), CHORUS_OK);
    assert_int_equal(rc.n_cols, 2);
    record_cursor_column(&rc, 1, &v);
    assert_int_equal(v.type, VALUE_TEXT);
    assert_int_equal(v.n, 3);
    assert_memory_equal(v.u.z, "abc", 3);
    /* A lower column is already there: nothing more is parsed. */
    assert_int_equal(record_cursor_reach(&rc, 0), CHORUS_OK);
    assert_int_equal(rc.n_cols, 2);
    record_cursor_column(&rc, 0, &v);
    assert_true(v.type == VALUE_INTEGER && v.u.i == 7);
    assert_int_equal(record_cursor_reach(&rc, 3), CHORUS_OK);
    record_cursor_column(&rc, 3, &v);
    assert_true(v.type == VALUE_REAL && v.u.r == 2.5);
    /* Past the last column: the header ends, the column is absent. */
    assert_int_equal(record_cursor_reach(&rc, 9), CHORUS_OK);
    assert_int_equal(rc.n_cols, 5);
    record_cursor_column(&rc, 4, &v);
    assert_true(v.type == VALUE_BLOB && v.n == 2 && memcmp(v.u.z, "\x01\x02", 2) == 0);
    record_cursor_free(&rc);
    free(buf);
}

static void
test_reach_hint_parses_through_the_hinted_column(void **state)
{
    size_t n;
    uint8_t *buf = five_columns(&n);
    record_cursor rc;

    record_cursor_init(&rc);
    rc.reach_hint = 3;
    assert_int_equal(record_cursor_open(&rc, buf, n), CHORUS_OK);
    assert_int_equal(record_cursor_reach(&rc, 0), CHORUS_OK);
    assert_int_equal(rc.n_cols, 4);
    /* A reopened cursor starts over with the same hint. */
    assert_int_equal(record_cursor_open(&rc, buf, n), CHORUS_OK);
    assert_int_equal(rc.n_cols, 0);
    assert_int_equal(record_cursor_reach(&rc, 4), CHORUS_OK);
    assert_int_equal(rc.n_cols, 5);
    record_cursor_free(&rc);
    free(buf);
}

static void
test_a_malformed_column_is_reported_when_reached(void **state)
{
    /* column 0: int8 7; column 1: text of 10 bytes, of which 1 is there */
    static const uint8_t rec[] = {0x03, 0x01, 0x21, 0x07, 'x'};
    /* column 1 has the reserved serial type 10 */
    static const uint8_t reserved[] = {0x03, 0x01, 0x0a, 0x07};
    record_cursor rc;
    value v;

    record_cursor_init(&rc);
    assert_int_equal(record_cursor_open(&rc, rec, sizeof rec), CHORUS_OK);
    assert_int_equal(record_cursor_reach(&rc, 0), CHORUS_OK);
    record_cursor_column(&rc, 0, &v);
    assert_true(v.type == VALUE_INTEGER && v.u.i == 7);
    assert_int_equal(record_cursor_reach(&rc, 1), CHORUS_CORRUPT);
    assert_int_equal(rc.n_cols, 1);
    assert_int_equal(record_cursor_reach(&rc, 1), CHORUS_CORRUPT);     /* again: still corrupt */
    assert_int_equal(record_cursor_open(&rc, reserved, sizeof reserved), CHORUS_OK);
    assert_int_equal(record_cursor_reach(&rc, 0), CHORUS_OK);
    assert_int_equal(record_cursor_reach(&rc, 1), CHORUS_CORRUPT);
    record_cursor_free(&rc);
}

static void
test_open_rejects_a_bad_header_length(void **state)
{
    static const uint8_t past_end[] = {0x09, 0x01, 0x07};
    static const uint8_t zero[] = {0x00, 0x01};
    record_cursor rc;

    record_cursor_init(&rc);
    assert_int_equal(record_cursor_open(&rc, past_end, sizeof past_end), CHORUS_CORRUPT);
    assert_int_equal(record_cursor_open(&rc, zero, sizeof zero), CHORUS_CORRUPT);
    assert_int_equal(record_cursor_open(&rc, zero, 0), CHORUS_CORRUPT);
    record_cursor_free(&rc);
}

static void
test_a_two_byte_header_length_opens_and_grows_the_cursor(void **state)
{
    value vals[200], v;
    uint8_t *buf;
    size_t n;
    record_cursor rc;

    for (int i = 0; i < 200; i++)
        value_set_int(&vals[i], i);
    assert_int_equal(record_build(vals, 200, &buf, &n), CHORUS_OK);
    assert_true(buf[0] >= 0x80);        /* the header length takes two bytes */
    record_cursor_init(&rc);
    assert_int_equal(record_cursor_open(&rc, buf, n), CHORUS_OK);
    assert_int_equal(record_cursor_reach(&rc, 150), CHORUS_OK);
    assert_int_equal(rc.n_cols, 151);
    record_cursor_column(&rc, 150, &v);
    assert_true(v.type == VALUE_INTEGER && v.u.i == 150);
    record_cursor_free(&rc);
    free(buf);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_reach_parses_only_as_far_as_asked_and_keeps_it),
        cmocka_unit_test(test_reach_hint_parses_through_the_hinted_column),
        cmocka_unit_test(test_a_malformed_column_is_reported_when_reached),
        cmocka_unit_test(test_open_rejects_a_bad_header_length),
        cmocka_unit_test(test_a_two_byte_header_length_opens_and_grows_the_cursor),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
